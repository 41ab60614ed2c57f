//! When video cannot carry the call: care staff send still photos, which reach the call's
//! people at once and stay with its record (scoped and audited like the record), and the
//! holding nurse records once that the call went on by phone.

use std::time::Duration;

use carehub_e2e::{LiveClient, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

use crate::calls::{action, create, p4, resident};

/// A minimal JPEG: SOI, an APP0 segment, a baseline frame header of `width` x `height`, then
/// `padding` bytes of "scan" and EOI. The server reads the header only; it never decodes.
fn jpeg(width: u16, height: u16, padding: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F'];
    b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    b.extend(std::iter::repeat_n(0x55, padding));
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

/// A PNG signature and IHDR of `width` x `height`.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(&13u32.to_be_bytes());
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

/// A call of carer1's home answered by nurse1 and in consultation: (call id, carer, nurse).
async fn answered(server: &TestServer) -> (Value, String, String) {
    let carer = server.login("carer1").await;
    let nurse = server.login("nurse1").await;
    let call = create(server, &carer, resident(server, "Margaret").await, p4()).await;
    assert_eq!(action(server, &nurse, &call["id"], "claim").await.0, 200);
    assert_eq!(action(server, &nurse, &call["id"], "start").await.0, 200);
    (call["id"].clone(), carer, nurse)
}

async fn upload(
    server: &TestServer,
    token: Option<&str>,
    call: &Value,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    server
        .send_raw(
            Method::POST,
            token,
            &format!("/api/calls/{call}/photos"),
            content_type,
            body,
        )
        .await
}

/// GET of an image: status, content type, cache control, bytes.
async fn fetch_image(
    server: &TestServer,
    token: &str,
    path: &str,
) -> (u16, String, String, Vec<u8>) {
    let r = server
        .http
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (status, kind, cache) = (
        r.status().as_u16(),
        header("content-type"),
        header("cache-control"),
    );
    (status, kind, cache, r.bytes().await.expect("body").to_vec())
}

/// Timeline events of a kind, read as `token`.
async fn events(server: &TestServer, token: &str, call: &Value, kind: &str) -> Vec<Value> {
    let (status, detail) = server.get(Some(token), &format!("/api/calls/{call}")).await;
    assert_eq!(status, 200, "{detail}");
    detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

/// Audit entries with an action, newest first.
async fn audit(server: &TestServer, action: &str) -> Vec<Value> {
    let clinician = server.login("clinician1").await;
    let (status, entries) = server
        .get(Some(&clinician), &format!("/api/audit?action={action}"))
        .await;
    assert_eq!(status, 200, "{entries}");
    entries.as_array().expect("array").clone()
}

const SHORT: Duration = Duration::from_millis(800);

#[tokio::test]
async fn a_carer_sends_a_photo_in_an_answered_call_and_only_the_calls_people_see_it_at_once() {
    let server = TestServer::start().await;
    let (call, carer, nurse) = answered(&server).await;
    let mut ws_nurse = LiveClient::connect(&server, &nurse).await;
    let mut ws_tablet = LiveClient::connect(&server, &carer).await;
    let mut ws_other_nurse = LiveClient::connect(&server, &server.login("nurse2").await).await;
    let mut ws_other_home = LiveClient::connect(&server, &server.login("carer2").await).await;

    let image = jpeg(1920, 1080, 2000);
    let (status, photo) = upload(&server, Some(&carer), &call, "image/jpeg", image.clone()).await;
    assert_eq!(status, 201, "{photo}");
    assert_eq!(photo["content_type"], "image/jpeg");
    assert_eq!(photo["bytes"], image.len());
    assert_eq!(
        (photo["width"].clone(), photo["height"].clone()),
        (json!(1920), json!(1080))
    );
    assert_eq!(photo["taken_by"]["name"], "Amy Carter");
    assert!(photo["taken_at"].is_string());

    for ws in [&mut ws_nurse, &mut ws_tablet] {
        let message = ws
            .wait_for("call.photo", Duration::from_secs(5), |m| {
                m["call_id"] == call
            })
            .await
            .expect("the call's people get call.photo");
        assert_eq!(
            message["photo"], photo,
            "the message carries the stored photo"
        );
    }
    for ws in [&mut ws_other_nurse, &mut ws_other_home] {
        assert!(
            ws.wait_for("call.photo", SHORT, |_| true).await.is_none(),
            "a nurse not holding the call and another home never get its photo"
        );
    }

    // A PNG (as some browsers' takePhoto give) is accepted too; a charset-style parameter on
    // the type is ignored.
    let (status, second) = upload(
        &server,
        Some(&carer),
        &call,
        "image/png; q=1",
        png(640, 480),
    )
    .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["content_type"], "image/png");
    assert_eq!(second["width"], 640);

    // The timeline shows each photo by id, with who sent it.
    let added = events(&server, &nurse, &call, "photo_added").await;
    assert_eq!(added.len(), 2);
    assert_eq!(added[0]["detail"]["photo"], photo["id"]);
    assert_eq!(added[0]["actor"]["name"], "Amy Carter");
    assert_eq!(audit(&server, "call.photo_add").await.len(), 2);
}

#[tokio::test]
async fn a_photo_larger_than_the_json_limit_is_accepted_up_to_the_photo_limit() {
    let server = TestServer::start().await;
    let (call, carer, _) = answered(&server).await;
    // 3 MiB: far above server.max_body_bytes (64 KiB), well under media.photo_max_bytes (8 MiB).
    let image = jpeg(4032, 3024, 3 * 1024 * 1024);
    let (status, photo) = upload(&server, Some(&carer), &call, "image/jpeg", image.clone()).await;
    assert_eq!(status, 201, "{photo}");
    assert_eq!(photo["bytes"], image.len());
}

#[tokio::test]
async fn bad_photos_and_wrong_senders_are_refused_with_a_clear_status_and_change_nothing() {
    let server = TestServer::start_with(vec![("CAREHUB__MEDIA__PHOTO_MAX_BYTES", "65536")]).await;
    let (call, carer, nurse) = answered(&server).await;
    let good = jpeg(100, 100, 100);

    // (what, who, declared type, body, status, error code)
    let over = jpeg(100, 100, 70_000);
    let refusals = [
        (
            "no sign-in",
            None,
            "image/jpeg",
            &good,
            401,
            "unauthenticated",
        ),
        (
            "the holding nurse",
            Some(&nurse),
            "image/jpeg",
            &good,
            403,
            "forbidden",
        ),
        (
            "a GIF",
            Some(&carer),
            "image/gif",
            &b"GIF89a...".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "JSON",
            Some(&carer),
            "application/json",
            &b"{}".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "PNG bytes labelled JPEG",
            Some(&carer),
            "image/jpeg",
            &png(10, 10),
            415,
            "unsupported_media_type",
        ),
        (
            "JPEG bytes labelled PNG",
            Some(&carer),
            "image/png",
            &good,
            415,
            "unsupported_media_type",
        ),
        (
            "text labelled JPEG",
            Some(&carer),
            "image/jpeg",
            &b"hello".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "an empty body",
            Some(&carer),
            "image/jpeg",
            &Vec::new(),
            400,
            "empty_body",
        ),
        (
            "over the limit",
            Some(&carer),
            "image/jpeg",
            &over,
            413,
            "payload_too_large",
        ),
    ];
    for (what, token, kind, body, status, code) in refusals {
        let (got, error) = upload(
            &server,
            token.map(String::as_str),
            &call,
            kind,
            body.clone(),
        )
        .await;
        assert_eq!(got, status, "{what}: {error}");
        assert_eq!(error["error"]["code"], code, "{what}: {error}");
    }
    let clinician = server.login("clinician1").await;
    let (status, _) = upload(&server, Some(&clinician), &call, "image/jpeg", good.clone()).await;
    assert_eq!(status, 403, "clinicians do not send photos");

    // Another home's carer gets the same 404 as for a call that does not exist.
    let other_home = server.login("carer2").await;
    let (status, _) = upload(
        &server,
        Some(&other_home),
        &call,
        "image/jpeg",
        good.clone(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = upload(
        &server,
        Some(&carer),
        &json!(999_999),
        "image/jpeg",
        good.clone(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, error) = upload(
        &server,
        Some(&carer),
        &json!("abc"),
        "image/jpeg",
        good.clone(),
    )
    .await;
    assert_eq!(
        (status, error["error"]["code"].clone()),
        (400, json!("invalid_path"))
    );

    // No nurse with the call: waiting in the queue, then in wrap-up.
    let waiting = create(&server, &carer, resident(&server, "Harold").await, p4()).await;
    let (status, error) = upload(
        &server,
        Some(&carer),
        &waiting["id"],
        "image/jpeg",
        good.clone(),
    )
    .await;
    assert_eq!(status, 409, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("while a nurse is with the call")
    );
    assert_eq!(action(&server, &nurse, &call, "end").await.0, 200);
    let (status, _) = upload(&server, Some(&carer), &call, "image/jpeg", good).await;
    assert_eq!(status, 409, "a call in wrap-up takes no photos");

    let (status, list) = server
        .get(Some(&nurse), &format!("/api/calls/{call}/photos"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["photos"], json!([]), "nothing refused was stored");
    assert_eq!(list["max_bytes"], 65536);
    assert!(
        events(&server, &nurse, &call, "photo_added")
            .await
            .is_empty()
    );
    assert!(audit(&server, "call.photo_add").await.is_empty());
}

#[tokio::test]
async fn photos_are_read_like_the_call_record_and_every_image_read_is_audited() {
    let server = TestServer::start().await;
    let (call, carer, nurse) = answered(&server).await;
    let image = png(800, 600);
    let (status, photo) = upload(&server, Some(&carer), &call, "image/png", image.clone()).await;
    assert_eq!(status, 201);
    let id = &photo["id"];
    let path = format!("/api/calls/{call}/photos/{id}");

    // The list carries no image and is not cached.
    let r = server
        .http
        .get(server.url(&format!("/api/calls/{call}/photos")))
        .bearer_auth(&nurse)
        .send()
        .await
        .expect("list");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let list: Value = r.json().await.expect("json");
    assert_eq!(list["photos"], json!([photo]));
    assert!(
        audit(&server, "call.photo_read").await.is_empty(),
        "listing reads no image"
    );

    // The call closes; its photos stay with the record.
    assert_eq!(action(&server, &nurse, &call, "end").await.0, 200);
    let (status, _) = server
        .post_json(
            Some(&nurse),
            &format!("/api/calls/{call}/outcome"),
            &json!({"outcome": "ADV", "plan": "Fluids and re-observe at 4pm"}),
        )
        .await;
    assert_eq!(status, 200);

    let clinician = server.login("clinician1").await;
    for (who, token) in [
        ("nurse", &nurse),
        ("clinician", &clinician),
        ("own carer", &carer),
    ] {
        let (status, kind, cache, bytes) = fetch_image(&server, token, &path).await;
        assert_eq!(status, 200, "{who}");
        assert_eq!(kind, "image/png", "{who}");
        assert_eq!(cache, "no-store", "{who}");
        assert_eq!(bytes, image, "{who} gets the image exactly as sent");
    }
    let reads = audit(&server, "call.photo_read").await;
    assert_eq!(reads.len(), 3, "every fetch is an audit entry");
    let mut readers: Vec<&str> = reads.iter().filter_map(|e| e["actor"].as_str()).collect();
    readers.sort_unstable();
    assert_eq!(readers, ["carer1", "clinician1", "nurse1"]);
    assert!(
        reads
            .iter()
            .all(|e| e["detail"] == format!("photo={id}") && e["target_id"] == call)
    );

    // Another home's carer: the same 404 as no call, for the list and the image; admins: 403.
    let other_home = server.login("carer2").await;
    assert_eq!(server.get(Some(&other_home), &path).await.0, 404);
    assert_eq!(
        server
            .get(Some(&other_home), &format!("/api/calls/{call}/photos"))
            .await
            .0,
        404
    );
    let admin = server.login("admin").await;
    assert_eq!(server.get(Some(&admin), &path).await.0, 403);
    assert_eq!(server.get(None, &path).await.0, 401);
    // A photo id under the wrong call, or no such photo.
    let (other_call, _, _) = answered(&server).await;
    assert_eq!(
        server
            .get(
                Some(&nurse),
                &format!("/api/calls/{other_call}/photos/{id}")
            )
            .await
            .0,
        404
    );
    assert_eq!(
        server
            .get(Some(&nurse), &format!("/api/calls/{call}/photos/999999"))
            .await
            .0,
        404
    );
    assert_eq!(
        audit(&server, "call.photo_read").await.len(),
        3,
        "refused reads read nothing"
    );
}

#[tokio::test]
async fn the_holding_nurse_records_once_that_the_call_went_on_by_phone() {
    let server =
        TestServer::start_with(vec![("CAREHUB__MEDIA__PHONE_OFFER_AFTER_SECONDS", "7")]).await;
    let (call, carer, nurse) = answered(&server).await;
    let path = format!("/api/calls/{call}/phone");
    let (_, homes) = server.get(Some(&nurse), "/api/care-homes").await;
    let oakfield = homes
        .as_array()
        .expect("homes")
        .iter()
        .find(|h| h["name"] == "Oakfield House")
        .cloned()
        .expect("Oakfield House");

    let (status, phone) = server.get(Some(&nurse), &path).await;
    assert_eq!(status, 200, "{phone}");
    assert_eq!(phone["phone"], oakfield["phone"]);
    assert_eq!(phone["care_home"]["name"], "Oakfield House");
    assert_eq!(phone["offer_after_seconds"], 7);
    assert_eq!(phone["continued_by_phone"], Value::Null);

    let mut ws_tablet = LiveClient::connect(&server, &carer).await;
    let nurse2 = server.login("nurse2").await;
    assert_eq!(
        server.post_json(Some(&carer), &path, &json!({})).await.0,
        403
    );
    assert_eq!(
        server.post_json(Some(&nurse2), &path, &json!({})).await.0,
        409,
        "only the holder"
    );
    assert_eq!(server.post_json(None, &path, &json!({})).await.0, 401);

    let (status, recorded) = server.post_json(Some(&nurse), &path, &json!({})).await;
    assert_eq!(status, 200, "{recorded}");
    let by_phone = &recorded["continued_by_phone"];
    assert_eq!(by_phone["by"]["name"], "Nurse Priya Shah", "{recorded}");
    assert_eq!(by_phone["phone"], oakfield["phone"]);
    let changed = ws_tablet
        .wait_for("call.changed", Duration::from_secs(5), |m| {
            m["kind"] == "continued_by_phone"
        })
        .await
        .expect("the home hears that the call went on by phone");
    assert_eq!(changed["call"]["id"], call);

    let (status, again) = server.post_json(Some(&nurse), &path, &json!({})).await;
    assert_eq!(status, 409, "{again}");
    assert!(
        again["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("already")
    );

    // The call ends; the record keeps exactly one such event, audited once.
    assert_eq!(action(&server, &nurse, &call, "end").await.0, 200);
    let (status, _) = server
        .post_json(
            Some(&nurse),
            &format!("/api/calls/{call}/outcome"),
            &json!({"outcome": "ADV", "plan": "Advice given by phone"}),
        )
        .await;
    assert_eq!(status, 200);
    let phoned = events(
        &server,
        &server.login("clinician1").await,
        &call,
        "continued_by_phone",
    )
    .await;
    assert_eq!(phoned.len(), 1);
    assert_eq!(phoned[0]["detail"]["phone"], oakfield["phone"]);
    assert_eq!(phoned[0]["role"], "hub_nurse");
    assert_eq!(audit(&server, "call.continued_by_phone").await.len(), 1);
    let (_, after) = server.get(Some(&nurse), &path).await;
    assert_eq!(after["continued_by_phone"]["at"], by_phone["at"]);
    assert_eq!(
        server.post_json(Some(&nurse), &path, &json!({})).await.0,
        409,
        "a closed call"
    );

    // A waiting call has no holder to record it.
    let waiting = create(&server, &carer, resident(&server, "Harold").await, p4()).await;
    let waiting_path = format!("/api/calls/{}/phone", waiting["id"]);
    assert_eq!(
        server
            .post_json(Some(&nurse), &waiting_path, &json!({}))
            .await
            .0,
        409
    );
    let other_home = server.login("carer2").await;
    assert_eq!(server.get(Some(&other_home), &path).await.0, 404);
    assert_eq!(
        server
            .post_json(Some(&nurse), "/api/calls/999999/phone", &json!({}))
            .await
            .0,
        404
    );
}
