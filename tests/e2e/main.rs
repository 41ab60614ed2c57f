//! End-to-end tests of the running CareHub service. One binary; this file only lists modules.

mod access;
mod auth;
mod calls;
mod care_plans;
mod crash;
mod input;
mod live;
mod loadgen;
mod media;
mod openapi;
mod photos;
mod process;
mod review;
mod service;
mod triage_api;

use std::path::PathBuf;

use carehub_e2e::TestServer;

/// The `carehub` entry point as built with the tests (see tests/support/server_main.rs).
pub fn carehub_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_carehub-under-test"))
}
use serde_json::Value;

/// Ids of residents in the first demo home (carer1's) and in another home.
pub async fn resident_ids(server: &TestServer) -> (Vec<i64>, Vec<i64>) {
    let carer = server.login("carer1").await;
    let nurse = server.login("nurse1").await;
    let (_, own) = server.get(Some(&carer), "/api/residents").await;
    let (_, all) = server.get(Some(&nurse), "/api/residents").await;
    let ids = |v: &Value| -> Vec<i64> {
        v.as_array()
            .expect("array")
            .iter()
            .map(|r| r["id"].as_i64().expect("id"))
            .collect()
    };
    let own_ids = ids(&own);
    let other = ids(&all)
        .into_iter()
        .filter(|id| !own_ids.contains(id))
        .collect();
    (own_ids, other)
}
