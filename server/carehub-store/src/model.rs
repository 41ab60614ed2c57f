//! Records that cross the storage port. Plain data: no SQL, no JSON, no HTTP.

use time::{Date, OffsetDateTime};

/// Database identifier of any record.
pub type Id = i64;

/// What a user may do; care staff are also bound to one care home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Care worker on the home's tablet.
    CareStaff,
    /// Nurse at the 24/7 hub.
    HubNurse,
    /// GP, geriatrician or hub lead.
    Clinician,
    /// Runs the service.
    Admin,
}

impl Role {
    /// Every role, for listings.
    pub const ALL: [Role; 4] = [
        Role::CareStaff,
        Role::HubNurse,
        Role::Clinician,
        Role::Admin,
    ];

    /// The stable code used in tokens, JSON and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CareStaff => "care_staff",
            Role::HubNurse => "hub_nurse",
            Role::Clinician => "clinician",
            Role::Admin => "admin",
        }
    }

    /// Reads a code back.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == code)
    }
}

/// Which residents a caller may see: one home for care staff, every home for hub staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every care home.
    AllHomes,
    /// One care home only.
    Home(Id),
}

impl Scope {
    /// Whether a record of `home` is visible in this scope.
    pub fn includes(self, home: Id) -> bool {
        match self {
            Scope::AllHomes => true,
            Scope::Home(h) => h == home,
        }
    }
}

/// Who is acting, for audit entries; never holds clinical content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User id.
    pub user_id: Id,
    /// Username.
    pub username: String,
    /// Role at the time.
    pub role: Role,
    /// Client address as seen by the server.
    pub address: Option<String>,
}

/// A care home to create.
#[derive(Debug, Clone)]
pub struct NewCareHome {
    /// Name.
    pub name: String,
    /// Postal address.
    pub address: String,
    /// Telephone.
    pub phone: String,
}

/// A care home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareHome {
    /// Id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Postal address.
    pub address: String,
    /// Telephone.
    pub phone: String,
}

/// A user account to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Home, for care staff only.
    pub care_home_id: Option<Id>,
    /// PHC-format argon2 hash.
    pub password_hash: String,
}

/// A user account.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: Id,
    /// Sign-in name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Home, for care staff only.
    pub care_home_id: Option<Id>,
    /// PHC-format argon2 hash.
    pub password_hash: String,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("care_home_id", &self.care_home_id)
            .finish_non_exhaustive()
    }
}

/// A resident to admit. The NHS number is already validated and normalised to 10 digits.
#[derive(Debug, Clone)]
pub struct NewResident {
    /// Home.
    pub care_home_id: Id,
    /// 10 digits.
    pub nhs_number: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// What they like to be called.
    pub preferred_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Room.
    pub room: String,
}

/// Identity fields that may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ResidentPatch {
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Preferred name.
    pub preferred_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<Date>,
    /// Room.
    pub room: Option<String>,
    /// Move to another home (hub staff only; checked by the caller).
    pub care_home_id: Option<Id>,
}

/// A resident as stored, with the version of their current plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    /// Id.
    pub id: Id,
    /// Home.
    pub care_home_id: Id,
    /// Home name, joined for display.
    pub care_home_name: String,
    /// 10 digits.
    pub nhs_number: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Preferred name.
    pub preferred_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Room.
    pub room: String,
    /// Current care plan version, if any plan exists.
    pub care_plan_version: Option<u32>,
    /// Admitted.
    pub created_at: OffsetDateTime,
    /// Identity last changed.
    pub updated_at: OffsetDateTime,
}

/// One version of a care plan summary; `content` is opaque to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlanVersion {
    /// Resident.
    pub resident_id: Id,
    /// 1, 2, 3…
    pub version: u32,
    /// The summary document, as the server serialised it.
    pub content: String,
    /// Who saved it.
    pub author_id: Id,
    /// Their display name.
    pub author_name: String,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A version without its content, for history listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlanVersionInfo {
    /// 1, 2, 3…
    pub version: u32,
    /// Who saved it.
    pub author_id: Id,
    /// Their display name.
    pub author_name: String,
    /// When.
    pub created_at: OffsetDateTime,
}

/// An audit entry to append.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Who.
    pub actor: Actor,
    /// What, as a stable code ("care_plan.read", "resident.create").
    pub action: String,
    /// Kind of record touched ("resident", "care_plan", "call").
    pub target_type: String,
    /// Its id.
    pub target_id: Id,
    /// The resident concerned, when there is one.
    pub resident_id: Option<Id>,
    /// Non-clinical detail (a version number, a reason code); never names or clinical text.
    pub detail: String,
}

/// A filter over the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only entries about this resident.
    pub resident_id: Option<Id>,
    /// Only entries by this user.
    pub actor_id: Option<Id>,
    /// Only this action code.
    pub action: Option<String>,
    /// Only entries at or after this time.
    pub from: Option<OffsetDateTime>,
    /// Only entries before this time.
    pub to: Option<OffsetDateTime>,
    /// Only entries with an id below this (paging backwards).
    pub before_id: Option<Id>,
    /// At most this many (capped by the store).
    pub limit: u32,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Sequence number.
    pub id: Id,
    /// When.
    pub at: OffsetDateTime,
    /// User id.
    pub actor_id: Id,
    /// Username.
    pub actor_name: String,
    /// Role code.
    pub actor_role: String,
    /// Action code.
    pub action: String,
    /// Kind of record.
    pub target_type: String,
    /// Its id.
    pub target_id: Id,
    /// Resident concerned.
    pub resident_id: Option<Id>,
    /// Client address.
    pub address: Option<String>,
    /// Non-clinical detail.
    pub detail: String,
}
