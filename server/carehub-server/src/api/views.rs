//! JSON shapes shared by several endpoints. Serialisation lives here, at the outer layer;
//! the store and the triage core know nothing of JSON.

use carehub_store::{CareHome, Id, Resident, User};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// A care home reference.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HomeRef {
    /// Id.
    pub id: Id,
    /// Name.
    pub name: String,
}

/// A care home.
#[derive(Debug, Serialize, ToSchema)]
pub struct CareHomeView {
    /// Id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Postal address.
    pub address: String,
    /// Telephone.
    pub phone: String,
}

impl From<CareHome> for CareHomeView {
    fn from(h: CareHome) -> Self {
        Self {
            id: h.id,
            name: h.name,
            address: h.address,
            phone: h.phone,
        }
    }
}

/// A user, without secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Id.
    pub id: Id,
    /// Sign-in name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// `care_staff`, `hub_nurse`, `clinician` or `admin`.
    pub role: String,
    /// Care home, for care staff.
    pub care_home_id: Option<Id>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role.as_str().to_owned(),
            care_home_id: u.care_home_id,
        }
    }
}

/// A resident's identity, as every screen shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResidentView {
    /// Id.
    pub id: Id,
    /// Their care home.
    pub care_home: HomeRef,
    /// NHS number, formatted "999 000 0018".
    pub nhs_number: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// What they like to be called.
    pub preferred_name: String,
    /// Initials, for the avatar when there is no photo.
    pub initials: String,
    /// Date of birth.
    #[schema(value_type = String, format = Date)]
    pub date_of_birth: Date,
    /// Age in whole years today.
    pub age: i32,
    /// Room.
    pub room: String,
    /// Current care plan version, or null when there is no plan.
    pub care_plan_version: Option<u32>,
    /// Last change to identity details.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

fn age_on(dob: Date, today: Date) -> i32 {
    let mut age = today.year() - dob.year();
    if (today.month() as u8, today.day()) < (dob.month() as u8, dob.day()) {
        age -= 1;
    }
    age
}

impl ResidentView {
    /// The view of a stored resident as of `today`.
    pub fn new(r: Resident, today: Date) -> Self {
        let initials: String = [&r.given_name, &r.family_name]
            .iter()
            .filter_map(|n| n.chars().next())
            .flat_map(char::to_uppercase)
            .collect();
        let nhs_number = carehub_triage::NhsNumber::parse(&r.nhs_number)
            .map_or_else(|_| r.nhs_number.clone(), |n| n.formatted());
        Self {
            id: r.id,
            care_home: HomeRef {
                id: r.care_home_id,
                name: r.care_home_name,
            },
            nhs_number,
            age: age_on(r.date_of_birth, today),
            initials,
            given_name: r.given_name,
            family_name: r.family_name,
            preferred_name: r.preferred_name,
            date_of_birth: r.date_of_birth,
            room: r.room,
            care_plan_version: r.care_plan_version,
            updated_at: r.updated_at,
        }
    }
}

/// Today's date in UTC (the hub works in UK time; a day's difference at midnight is harmless
/// for ages and review dates).
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(date!(1940 - 06 - 15), date!(2026 - 06 - 14)), 85);
        assert_eq!(age_on(date!(1940 - 06 - 15), date!(2026 - 06 - 15)), 86);
    }
}
