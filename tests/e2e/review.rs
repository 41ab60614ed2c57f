//! Outcomes, sign-off, follow-up and the service figures.

use std::collections::HashMap;

use carehub_e2e::TestServer;
use serde_json::{Value, json};

use crate::calls::{action, create, p1, p4, p5, resident};

/// Takes a call from queued to closed with `outcome`.
async fn close(server: &TestServer, nurse: &str, call: &Value, outcome: &str) {
    for step in ["claim", "start", "end"] {
        let (status, body) = action(server, nurse, &call["id"], step).await;
        assert_eq!(status, 200, "{step}: {body}");
    }
    let (status, body) = server
        .post_json(
            Some(nurse),
            &format!("/api/calls/{}/outcome", call["id"]),
            &json!({"outcome": outcome, "plan": "Plan agreed with the home."}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn outcome_and_sign_off_appear_in_the_review() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let nurse = server.login("nurse1").await;
    let clinician = server.login("clinician1").await;
    let call = create(&server, &carer, resident(&server, "Dorothy").await, p4()).await;
    close(&server, &nurse, &call, "EOL").await;

    let (status, rows) = server
        .get(Some(&clinician), "/api/review/calls?unsigned=true")
        .await;
    assert_eq!(status, 200, "{rows}");
    let row = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["id"] == call["id"])
        .expect("listed")
        .clone();
    assert_eq!(row["outcome"], "EOL");
    assert!(
        row["resident_name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Dorothy ")),
        "{row}"
    );
    assert_eq!(row["signed_off"], false);
    assert!(row["answer_seconds"].is_number());

    let path = format!("/api/calls/{}/sign-off", call["id"]);
    assert_eq!(
        server
            .post_json(Some(&nurse), &path, &json!({"comment": "x"}))
            .await
            .0,
        403
    );
    let (status, detail) = server
        .post_json(
            Some(&clinician),
            &path,
            &json!({"comment": "Appropriate; plan followed."}),
        )
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["sign_off"]["by"]["name"], "Dr Helen Ward");
    assert_eq!(detail["sign_off"]["comment"], "Appropriate; plan followed.");
    assert_eq!(
        server
            .post_json(Some(&clinician), &path, &json!({"comment": "again"}))
            .await
            .0,
        409
    );
    assert!(
        detail["care_plan"]["summary"]["emergency_plan"].is_object(),
        "the snapshot is in the review"
    );
    assert!(
        detail["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .any(|e| e["kind"] == "signed_off")
    );

    let (_, unsigned) = server
        .get(Some(&clinician), "/api/review/calls?unsigned=true")
        .await;
    assert!(
        unsigned
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["id"] != call["id"])
    );
    let (_, eol) = server
        .get(Some(&clinician), "/api/review/calls?outcome=EOL")
        .await;
    assert_eq!(eol.as_array().expect("rows").len(), 1);
    assert_eq!(
        server
            .get(Some(&clinician), "/api/review/calls?level=P9")
            .await
            .0,
        400
    );
    assert_eq!(server.get(Some(&carer), "/api/review/calls").await.0, 403);

    let follow = format!("/api/calls/{}/follow-up", call["id"]);
    let (status, detail) = server
        .post_json(Some(&clinician), &follow, &json!({"died_within_72h": true}))
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["follow_up"]["died_within_72h"], true);
}

#[tokio::test]
async fn the_summary_report_matches_counts_computed_in_the_test() {
    let server = TestServer::start().await;
    let carer1 = server.login("carer1").await;
    let carer2 = server.login("carer2").await;
    let nurse = server.login("nurse1").await;
    let clinician = server.login("clinician1").await;
    let (_, home2) = server.get(Some(&carer2), "/api/residents").await;
    let home2_resident = home2[0]["id"].as_i64().expect("id");

    // (caller, resident, assessment, what happens)
    let plan: Vec<(&str, i64, Value, &str)> = vec![
        (&carer1, resident(&server, "Margaret").await, p4(), "ADV"),
        (&carer1, resident(&server, "Harold").await, p1(), "AMB"),
        (&carer1, resident(&server, "Arthur").await, p4(), "ADM"),
        (&carer1, resident(&server, "Jean").await, p5(), "GPV"),
        (&carer1, resident(&server, "Elsie").await, p4(), "cancel"),
        (&carer1, resident(&server, "Stanley").await, p4(), "open"),
        (&carer2, home2_resident, p1(), "OOH"),
        (&carer2, home2_resident, p4(), "ABN"),
    ];
    let mut expected_outcomes: HashMap<&str, u32> = HashMap::new();
    let mut per_level: HashMap<String, u32> = HashMap::new();
    let mut per_home: HashMap<i64, u32> = HashMap::new();
    for (token, resident_id, assessment, what) in &plan {
        let call = create(&server, token, *resident_id, assessment.clone()).await;
        *per_level
            .entry(call["level"].as_str().expect("level").to_owned())
            .or_default() += 1;
        *per_home
            .entry(call["care_home"]["id"].as_i64().expect("home"))
            .or_default() += 1;
        match *what {
            "cancel" => assert_eq!(action(&server, token, &call["id"], "cancel").await.0, 200),
            "open" => {}
            code => {
                close(&server, &nurse, &call, code).await;
                *expected_outcomes.entry(code).or_default() += 1;
            }
        }
    }
    let (status, report) = server.get(Some(&clinician), "/api/reports/summary").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["calls"], plan.len());
    assert_eq!(report["cancelled"], 1);
    assert_eq!(report["abandoned"], 1, "ABN counts as abandoned");
    // ADV, GPV remain; ADM does not; AMB and OOH await follow-up; ABN does not apply.
    assert_eq!(report["remained_at_residence"], 2);
    assert_eq!(report["not_remained"], 1);
    assert_eq!(report["remained_pending"], 2);
    assert_eq!(report["remained_not_applicable"], 1);
    for o in report["outcomes"].as_array().expect("outcomes") {
        let code = o["key"].as_str().expect("code");
        assert_eq!(
            o["count"],
            expected_outcomes.get(code).copied().unwrap_or(0),
            "{code}"
        );
    }
    for a in report["answer_times"].as_array().expect("levels") {
        let level = a["level"].as_str().expect("level");
        assert_eq!(
            a["calls"],
            per_level.get(level).copied().unwrap_or(0),
            "{level}"
        );
    }
    let answered: u64 = report["answer_times"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|a| a["answered"].as_u64().expect("n"))
        .sum();
    assert_eq!(answered, 6, "six calls were claimed");
    for h in report["per_home"].as_array().expect("homes") {
        let id = h["id"].as_i64().expect("id");
        assert_eq!(h["count"], per_home.get(&id).copied().unwrap_or(0));
    }
    let per_hour: u64 = report["per_hour"]
        .as_array()
        .expect("hours")
        .iter()
        .map(|n| n.as_u64().expect("n"))
        .sum();
    assert_eq!(per_hour, plan.len() as u64);
    let ooh = report["out_of_hours"].as_u64().expect("n");
    assert!(
        ooh == 0 || ooh == plan.len() as u64,
        "all calls arrived in the same minute"
    );

    // A home filter and an empty period.
    let home1 = *per_home.keys().min().expect("home");
    let (_, one) = server
        .get(
            Some(&clinician),
            &format!("/api/reports/summary?home={home1}"),
        )
        .await;
    assert_eq!(one["calls"], per_home[&home1]);
    let (_, none) = server
        .get(
            Some(&clinician),
            "/api/reports/summary?to=2000-01-01T00:00:00Z",
        )
        .await;
    assert_eq!(none["calls"], 0);
    assert_eq!(
        server.get(Some(&carer1), "/api/reports/summary").await.0,
        403
    );
    assert_eq!(
        server
            .get(Some(&clinician), "/api/reports/summary?from=yesterday")
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn demo_history_figures_agree_with_the_review_list() {
    let server = TestServer::start_with(vec![("CAREHUB__SERVER__DEMO_HISTORY_DAYS", "30")]).await;
    let clinician = server.login("clinician1").await;
    let (_, report) = server.get(Some(&clinician), "/api/reports/summary").await;
    let (_, rows) = server
        .get(Some(&clinician), "/api/review/calls?limit=500")
        .await;
    let rows = rows.as_array().expect("rows");
    assert!(rows.len() > 60, "a month of history: {}", rows.len());
    assert_eq!(report["calls"], rows.len(), "every historic call has ended");
    let count = |pred: &dyn Fn(&Value) -> bool| rows.iter().filter(|r| pred(r)).count() as u64;
    assert_eq!(
        report["cancelled"].as_u64(),
        Some(count(&|r| r["state"] == "cancelled"))
    );
    for o in report["outcomes"].as_array().expect("outcomes") {
        let code = o["key"].as_str().expect("code");
        assert_eq!(
            o["count"].as_u64(),
            Some(count(&|r| r["outcome"] == code)),
            "{code}"
        );
    }
    for a in report["answer_times"].as_array().expect("levels") {
        let level = a["level"].as_str().expect("level");
        assert_eq!(
            a["calls"].as_u64(),
            Some(count(&|r| r["initial_level"] == level)),
            "{level}"
        );
        assert_eq!(
            a["breached"].as_u64(),
            Some(count(
                &|r| r["initial_level"] == level && r["breaches"].as_u64() > Some(0)
            ))
        );
        // Nearest-rank median of whole seconds, within a second of the report's exact figure.
        let mut secs: Vec<i64> = rows
            .iter()
            .filter(|r| r["initial_level"] == level)
            .filter_map(|r| r["answer_seconds"].as_i64())
            .collect();
        secs.sort_unstable();
        if let Some(median) = a["median_seconds"].as_f64() {
            let rank = secs.len().div_ceil(2);
            assert!(
                (secs[rank - 1] as f64 - median).abs() < 1.0,
                "{level}: {} vs {median}",
                secs[rank - 1]
            );
        }
    }
    let share = report["remained_share"].as_f64().expect("share");
    assert!(
        share > 0.7,
        "most residents stay at home, as at Airedale: {share}"
    );
    let (_, unsigned) = server
        .get(
            Some(&clinician),
            "/api/review/calls?unsigned=true&limit=500",
        )
        .await;
    assert!(
        !unsigned.as_array().expect("rows").is_empty(),
        "recent calls are left for the clinician"
    );
}

#[tokio::test]
async fn a_call_stays_readable_after_the_resident_has_left() {
    let server = TestServer::start().await;
    let carer = server.login("carer1").await;
    let nurse = server.login("nurse1").await;
    let dorothy = resident(&server, "Dorothy").await;
    let call = create(&server, &carer, dorothy, p4()).await;
    close(&server, &nurse, &call, "DEX").await;
    let (status, _) = server
        .send_json(
            reqwest::Method::DELETE,
            Some(&carer),
            &format!("/api/residents/{dorothy}"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let clinician = server.login("clinician1").await;
    let (status, detail) = server
        .get(Some(&clinician), &format!("/api/calls/{}", call["id"]))
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["resident"]["given_name"], "Dorothy");
    assert_eq!(detail["outcome"]["code"], "DEX");
}
