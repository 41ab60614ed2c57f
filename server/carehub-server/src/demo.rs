//! Fictional demo data, seeded once into an empty database in demo mode.
//!
//! The data (server/carehub-server/demo/demo.json) is compiled in. Its dates are written
//! relative to `reference_date` and shifted to today when seeding, so the plans that are meant
//! to be fresh stay fresh and the one meant to be overdue stays overdue, whatever the date.

use std::collections::HashMap;

use anyhow::{Context as _, bail};
use carehub_store::{Actor, Id, NewCareHome, NewResident, NewUser, Role, Scope, Store};
use serde::Deserialize;
use serde_json::Value;
use time::macros::format_description;
use time::{Date, Duration};

use crate::auth::hash_password;
use crate::care_plan::CarePlanSummary;

/// The demo data, compiled in.
const DEMO_JSON: &str = include_str!("../demo/demo.json");

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "demo-password";

/// Marker set once seeding has finished.
const SEEDED_KEY: &str = "demo_seeded";

/// The demo users: username, display name, role, index of their home in demo.json.
pub const DEMO_USERS: &[(&str, &str, Role, Option<usize>)] = &[
    ("carer1", "Amy Carter", Role::CareStaff, Some(0)),
    ("carer2", "Ben Okafor", Role::CareStaff, Some(1)),
    ("carer3", "Chloe Ibbotson", Role::CareStaff, Some(2)),
    ("nurse1", "Nurse Priya Shah", Role::HubNurse, None),
    ("nurse2", "Nurse Tom Hughes", Role::HubNurse, None),
    ("clinician1", "Dr Helen Ward", Role::Clinician, None),
    ("admin", "Service Admin", Role::Admin, None),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoData {
    reference_date: String,
    care_homes: Vec<DemoHome>,
    residents: Vec<DemoResident>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoHome {
    key: String,
    name: String,
    address: String,
    phone: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoResident {
    home: String,
    nhs_number: String,
    given_name: String,
    family_name: String,
    preferred_name: String,
    date_of_birth: String,
    room: String,
    care_plan: Option<Value>,
    #[serde(default)]
    previous_versions: Vec<Value>,
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

fn parse_date(text: &str) -> anyhow::Result<Date> {
    Date::parse(text, DATE).with_context(|| format!("bad date {text:?} in demo data"))
}

/// Shifts every review and medication-review date in a plan by `offset`.
fn rebase_dates(value: &mut Value, offset: Duration) -> anyhow::Result<()> {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let is_date_key = matches!(key.as_str(), "on" | "due" | "last_medication_review");
                match v {
                    Value::String(s) if is_date_key => {
                        let shifted = parse_date(s)? + offset;
                        *s = shifted.format(DATE).context("formatting date")?;
                    }
                    other => rebase_dates(other, offset)?,
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                rebase_dates(item, offset)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Seeds the demo data unless it is already there, with `history_days` of past calls.
/// Idempotent.
pub async fn seed(store: &dyn Store, history_days: u32) -> anyhow::Result<()> {
    if store.meta(SEEDED_KEY).await?.is_some() {
        return Ok(());
    }
    if !store.list_care_homes().await?.is_empty() {
        bail!(
            "the database holds care homes but no demo-data marker: an earlier seeding was \
             interrupted, or this is not a demo database. Delete the data/ folder to start again."
        );
    }
    let data: DemoData = serde_json::from_str(DEMO_JSON).context("parsing demo.json")?;
    let offset = time::OffsetDateTime::now_utc().date() - parse_date(&data.reference_date)?;

    let mut homes = HashMap::new();
    let mut home_ids = Vec::new();
    for home in &data.care_homes {
        let created = store
            .create_care_home(NewCareHome {
                name: home.name.clone(),
                address: home.address.clone(),
                phone: home.phone.clone(),
            })
            .await?;
        homes.insert(home.key.clone(), created.id);
        home_ids.push(created.id);
    }
    let users = seed_users(store, &home_ids).await?;
    for resident in data.residents {
        seed_resident(store, &homes, &users, resident, offset).await?;
    }
    let calls = if history_days > 0 {
        let all_users = store.list_users(None).await?;
        let cast = crate::demo_history::cast_from(&all_users).context("demo users are missing")?;
        let now = crate::millis::now();
        crate::demo_history::seed(store, &cast, history_days, now).await?
    } else {
        0
    };
    store.set_meta(SEEDED_KEY, "1").await?;
    tracing::info!(homes = home_ids.len(), calls, "demo data seeded");
    Ok(())
}

async fn seed_users(store: &dyn Store, home_ids: &[Id]) -> anyhow::Result<HashMap<Role, Actor>> {
    let hash = hash_password(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("hashing demo password: {e}"))?;
    let mut actors = HashMap::new();
    for (username, display_name, role, home) in DEMO_USERS {
        let care_home_id = match home {
            Some(i) => Some(*home_ids.get(*i).context("demo data has too few homes")?),
            None => None,
        };
        let user = store
            .create_user(NewUser {
                username: (*username).to_owned(),
                display_name: (*display_name).to_owned(),
                role: *role,
                care_home_id,
                password_hash: hash.clone(),
            })
            .await?;
        actors.entry(*role).or_insert(Actor {
            user_id: user.id,
            username: user.username,
            role: *role,
            address: None,
        });
    }
    Ok(actors)
}

async fn seed_resident(
    store: &dyn Store,
    homes: &HashMap<String, Id>,
    users: &HashMap<Role, Actor>,
    resident: DemoResident,
    offset: Duration,
) -> anyhow::Result<()> {
    let home = *homes
        .get(&resident.home)
        .with_context(|| format!("demo resident names unknown home {}", resident.home))?;
    let nhs = carehub_triage::NhsNumber::parse(&resident.nhs_number)
        .map_err(|e| anyhow::anyhow!("demo NHS number is invalid: {e}"))?;
    let admin = users.get(&Role::Admin).context("no demo admin")?;
    let author = users.get(&Role::Clinician).context("no demo clinician")?;
    let created = store
        .create_resident(
            NewResident {
                care_home_id: home,
                nhs_number: nhs.as_str().to_owned(),
                given_name: resident.given_name,
                family_name: resident.family_name,
                preferred_name: resident.preferred_name,
                date_of_birth: parse_date(&resident.date_of_birth)?,
                room: resident.room,
            },
            admin,
        )
        .await?;
    let versions = resident
        .previous_versions
        .into_iter()
        .chain(resident.care_plan);
    let mut current = None;
    for mut plan in versions {
        rebase_dates(&mut plan, offset)?;
        let summary: CarePlanSummary =
            serde_json::from_value(plan).context("demo care plan does not match the schema")?;
        let content = serde_json::to_string(&summary).context("serialising demo care plan")?;
        let saved = store
            .save_care_plan(created.id, Scope::AllHomes, current, content, author)
            .await?;
        current = Some(saved.version);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_parses_and_every_plan_matches_the_schema() {
        let data: DemoData = serde_json::from_str(DEMO_JSON).expect("demo.json parses");
        assert_eq!(data.care_homes.len(), 3);
        assert!(data.residents.len() >= 30);
        for r in &data.residents {
            carehub_triage::NhsNumber::parse(&r.nhs_number).expect("valid NHS number");
            assert!(r.nhs_number.starts_with("999"), "test range only");
            for plan in r.previous_versions.iter().chain(&r.care_plan) {
                let summary: CarePlanSummary =
                    serde_json::from_value(plan.clone()).expect("plan matches schema");
                let reference = parse_date(&data.reference_date).expect("date");
                summary.validate(reference).expect("plan is valid");
            }
        }
        assert_eq!(
            data.residents
                .iter()
                .filter(|r| r.care_plan.is_none())
                .count(),
            1
        );
    }

    #[test]
    fn rebasing_shifts_only_date_keys() {
        let mut v = serde_json::json!({"reviewed": {"on": "2026-01-10", "by": "2026-01-10"}});
        rebase_dates(&mut v, Duration::days(3)).expect("rebase");
        assert_eq!(v["reviewed"]["on"], "2026-01-13");
        assert_eq!(v["reviewed"]["by"], "2026-01-10");
    }
}
