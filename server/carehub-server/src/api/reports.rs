//! Service figures (docs/clinical-rules.md §8.2): what commissioners and hub leads watch.

use axum::Json;
use axum::extract::State;
use carehub_store::{Id, ReportQuery, Role};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::millis::from_datetime as ms;

/// The period and home; all optional (default: everything).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    /// Calls that arrived at or after (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub from: Option<OffsetDateTime>,
    /// Calls that arrived before (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub to: Option<OffsetDateTime>,
    /// Only this care home.
    pub home: Option<Id>,
}

/// Time to answer for one level, against its target.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerTimesView {
    /// `P1`..`P5` (the level calls arrived at).
    pub level: String,
    /// Its name.
    pub level_name: String,
    /// Target, seconds.
    pub target_seconds: u32,
    /// Calls that arrived at this level.
    pub calls: u32,
    /// Of those, answered.
    pub answered: u32,
    /// Median seconds to answer (nearest rank).
    pub median_seconds: Option<f64>,
    /// 90th percentile seconds to answer (nearest rank).
    pub p90_seconds: Option<f64>,
    /// Calls that breached their target.
    pub breached: u32,
}

/// A count with a label.
#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    /// What is counted (a day, an outcome code, a home name).
    pub key: String,
    /// How many.
    pub count: u32,
    /// A home's id, where the key is a home.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
}

/// The service figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    /// Calls that arrived in the period.
    pub calls: u32,
    /// Calls per UK calendar day.
    pub per_day: Vec<Count>,
    /// Calls per UK hour of day (24 entries, 00:00 first).
    pub per_hour: Vec<u32>,
    /// Calls out of hours (18:00-08:00 and weekends).
    pub out_of_hours: u32,
    /// Share of calls out of hours (0-1), null with no calls.
    pub out_of_hours_share: Option<f64>,
    /// Closed calls where the resident remained at their usual residence.
    pub remained_at_residence: u32,
    /// Closed calls where they did not.
    pub not_remained: u32,
    /// Closed calls awaiting follow-up to know.
    pub remained_pending: u32,
    /// Closed calls where it does not apply.
    pub remained_not_applicable: u32,
    /// remained / (remained + not remained), null when neither.
    pub remained_share: Option<f64>,
    /// Time to answer by level.
    pub answer_times: Vec<AnswerTimesView>,
    /// Abandoned calls (including outcome ABN).
    pub abandoned: u32,
    /// Calls cancelled by the home.
    pub cancelled: u32,
    /// Calls per care home.
    pub per_home: Vec<Count>,
    /// Outcome counts, every code.
    pub outcomes: Vec<Count>,
}

fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// Service figures for a period and, optionally, one home.
#[utoipa::path(get, path = "/api/reports/summary", tag = "review", security(("bearer" = [])),
    params(SummaryQuery),
    responses(
        (status = 200, description = "Figures", body = SummaryView),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 403, description = "Clinicians, hub nurses and admins only", body = ErrorBody)
    ))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> Result<Json<SummaryView>, ApiError> {
    caller.require(&[Role::Clinician, Role::HubNurse, Role::Admin])?;
    let r = state
        .store
        .report(ReportQuery {
            from: q.from.map(ms),
            to: q.to.map(ms),
            care_home_id: q.home,
        })
        .await?;
    let targets = state.config.triage.targets();
    Ok(Json(SummaryView {
        calls: r.calls,
        per_day: r
            .per_day
            .into_iter()
            .map(|(key, count)| Count {
                key,
                count,
                id: None,
            })
            .collect(),
        per_hour: r.per_hour.to_vec(),
        out_of_hours: r.out_of_hours,
        out_of_hours_share: share(r.out_of_hours, r.calls),
        remained_at_residence: r.remained_yes,
        not_remained: r.remained_no,
        remained_pending: r.remained_pending,
        remained_not_applicable: r.remained_not_applicable,
        remained_share: share(r.remained_yes, r.remained_yes + r.remained_no),
        answer_times: r
            .answer_times
            .into_iter()
            .map(|a| AnswerTimesView {
                level: a.level.as_str().to_owned(),
                level_name: a.level.name().to_owned(),
                target_seconds: targets.for_level(a.level),
                calls: a.calls,
                answered: a.answered,
                median_seconds: a.median_seconds,
                p90_seconds: a.p90_seconds,
                breached: a.breached,
            })
            .collect(),
        abandoned: r.abandoned,
        cancelled: r.cancelled,
        per_home: r
            .per_home
            .into_iter()
            .map(|(id, key, count)| Count {
                key,
                count,
                id: Some(id),
            })
            .collect(),
        outcomes: r
            .outcomes
            .into_iter()
            .map(|(o, count)| Count {
                key: o.code().to_owned(),
                count,
                id: None,
            })
            .collect(),
    }))
}
