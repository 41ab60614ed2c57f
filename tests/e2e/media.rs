//! Video through the relay, with real WebRTC peers from another stack (webrtc-rs): tablet and
//! nurse see and hear each other, a clinician joins mid-call, outsiders cannot join, and when
//! the consultation ends every leg, task and gauge goes back to zero.

use std::sync::Arc;
use std::time::Duration;

use carehub_e2e::peer::TestPeer;
use carehub_e2e::{LiveClient, TestServer};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::calls::{action, create, p4, resident};

const WAIT: Duration = Duration::from_secs(10);

/// A participant in a call's video: a test peer driven by its own live channel.
pub struct Participant {
    pub peer: Arc<TestPeer>,
    stop: Option<oneshot::Sender<()>>,
    commands: tokio::sync::mpsc::Sender<Command>,
    task: tokio::task::JoinHandle<Vec<Value>>,
}

/// What the test asks a participant's driver to do.
enum Command {
    RestartIce,
    State { muted: bool, camera_off: bool },
}

impl Participant {
    /// Signs in over the live channel, joins the call's video and starts sending.
    pub async fn join(
        server: &TestServer,
        token: &str,
        call_id: &Value,
        name: &str,
    ) -> Participant {
        Self::join_with(server, token, call_id, name, None).await
    }

    /// Joins with ICE servers (relay-only when given).
    pub async fn join_with(
        server: &TestServer,
        token: &str,
        call_id: &Value,
        name: &str,
        turn: Option<rtc::peer_connection::transport::RTCIceServer>,
    ) -> Participant {
        let mut ws = LiveClient::connect(server, token).await;
        let peer = Arc::new(TestPeer::new(name, turn).await.expect("peer"));
        let offer = peer.offer().await.expect("offer");
        ws.send(&json!({"type": "media.join", "call_id": call_id, "sdp": offer}))
            .await;
        let reply = ws
            .wait_for("media.answer", WAIT, |m| m["call_id"] == *call_id)
            .await
            .unwrap_or_else(|| panic!("{name}: no media.answer"));
        peer.accept_answer(reply["sdp"].as_str().expect("sdp"))
            .await
            .expect("answer applies");
        peer.start_sending();
        let (stop, mut stopped) = oneshot::channel::<()>();
        let (commands, mut pending) = tokio::sync::mpsc::channel::<Command>(4);
        let driven = Arc::clone(&peer);
        let call = call_id.clone();
        // Answers the relay's renegotiation offers, makes ICE-restart offers on request, and
        // keeps every message for the test.
        let task = tokio::spawn(async move {
            let mut seen = Vec::new();
            loop {
                if stopped.try_recv().is_ok() {
                    break;
                }
                match pending.try_recv() {
                    Ok(Command::RestartIce) => {
                        let offer = driven.restart_offer().await.expect("restart offer");
                        ws.send(&json!({"type": "media.offer", "call_id": call, "sdp": offer}))
                            .await;
                    }
                    Ok(Command::State { muted, camera_off }) => {
                        ws.send(&json!({"type": "media.state", "call_id": call, "muted": muted, "camera_off": camera_off})).await;
                    }
                    Err(_) => {}
                }
                let Some(m) = ws.next(Duration::from_millis(100)).await else {
                    continue;
                };
                if m["type"] == "media.offer" {
                    let answer = driven
                        .answer(m["sdp"].as_str().expect("sdp"))
                        .await
                        .expect("renegotiation answer");
                    ws.send(&json!({"type": "media.answer", "call_id": call, "sdp": answer}))
                        .await;
                } else if m["type"] == "media.answer" {
                    driven
                        .accept_answer(m["sdp"].as_str().expect("sdp"))
                        .await
                        .expect("restart answer applies");
                }
                seen.push(m);
            }
            ws.close().await;
            seen
        });
        Participant {
            peer,
            stop: Some(stop),
            commands,
            task,
        }
    }

    /// Asks the participant to restart ICE (a new offer with new credentials).
    pub async fn restart_ice(&self) {
        let _ = self.commands.send(Command::RestartIce).await;
    }

    /// Tells the others the microphone and camera state.
    pub async fn set_state(&self, muted: bool, camera_off: bool) {
        let _ = self
            .commands
            .send(Command::State { muted, camera_off })
            .await;
    }

    /// Leaves (closing the live channel and the peer) and returns the messages it saw.
    pub async fn leave(mut self) -> Vec<Value> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let seen = self.task.await.unwrap_or_default();
        self.peer.close().await;
        seen
    }
}

/// User id from a sign-in.
async fn user_id(server: &TestServer, token: &str) -> i64 {
    server.get(Some(token), "/api/auth/me").await.1["id"]
        .as_i64()
        .expect("id")
}

/// Waits until `pred` holds, polling every 100 ms, up to `limit`.
async fn eventually(limit: Duration, mut pred: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if pred() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    pred()
}

/// A gauge or counter from `/metrics`.
pub async fn metric(server: &TestServer, name: &str) -> f64 {
    let text = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|l| {
            l.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(' '))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("metric {name} missing"))
}

/// A call claimed and in consultation with nurse1; returns (call id, tokens).
async fn consultation(server: &TestServer) -> (Value, String, String) {
    let carer = server.login("carer1").await;
    let nurse = server.login("nurse1").await;
    let call = create(server, &carer, resident(server, "Margaret").await, p4()).await;
    assert_eq!(action(server, &nurse, &call["id"], "claim").await.0, 200);
    assert_eq!(action(server, &nurse, &call["id"], "start").await.0, 200);
    (call["id"].clone(), carer, nurse)
}

fn well_received(peer: &TestPeer, stream: &str, min_video: u64) -> bool {
    let (audio, video) = peer.from(stream);
    audio.packets >= 50 && video.packets >= min_video
}

#[tokio::test]
async fn tablet_and_nurse_see_and_hear_each_other_through_the_relay() {
    let server = TestServer::start().await;
    let (call, carer, nurse) = consultation(&server).await;
    let (carer_id, nurse_id) = (
        user_id(&server, &carer).await,
        user_id(&server, &nurse).await,
    );
    let tablet = Participant::join(&server, &carer, &call, "tablet").await;
    let hub = Participant::join(&server, &nurse, &call, "nurse").await;
    let (from_nurse, from_tablet) = (
        format!("participant-{nurse_id}"),
        format!("participant-{carer_id}"),
    );
    assert!(
        eventually(Duration::from_secs(15), || well_received(
            &tablet.peer,
            &from_nurse,
            60
        ) && well_received(
            &hub.peer,
            &from_tablet,
            60
        ))
        .await,
        "media flows both ways: tablet got {:?}, nurse got {:?}",
        tablet.peer.from(&from_nurse),
        hub.peer.from(&from_tablet)
    );
    // Several seconds of steady media, then measure loss on each path.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for (who, peer, stream) in [
        ("tablet", &tablet.peer, &from_nurse),
        ("nurse", &hub.peer, &from_tablet),
    ] {
        let (audio, video) = peer.from(stream);
        assert!(
            audio.loss() < 0.01 && video.loss() < 0.01,
            "{who}: audio {audio:?} video {video:?}"
        );
        assert!(video.keyframes >= 1, "{who} got a keyframe: {video:?}");
    }
    assert_eq!(metric(&server, "carehub_media_peer_connections").await, 2.0);
    assert!(metric(&server, "carehub_media_frames_forwarded_total").await > 200.0);
    let (_, detail) = server
        .get(Some(&nurse), &format!("/api/calls/{call}"))
        .await;
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.iter().filter(|k| **k == "participant_joined").count() == 2,
        "{kinds:?}"
    );
    tablet.leave().await;
    hub.leave().await;
}

#[tokio::test]
async fn a_clinician_joins_mid_call_and_everyone_receives_everyone() {
    let server = TestServer::start().await;
    let (call, carer, nurse) = consultation(&server).await;
    let clinician = server.login("clinician1").await;
    let ids = [
        user_id(&server, &carer).await,
        user_id(&server, &nurse).await,
        user_id(&server, &clinician).await,
    ];
    let streams: Vec<String> = ids.iter().map(|id| format!("participant-{id}")).collect();
    let tablet = Participant::join(&server, &carer, &call, "tablet").await;
    let hub = Participant::join(&server, &nurse, &call, "nurse").await;
    assert!(eventually(WAIT, || well_received(&hub.peer, &streams[0], 20)).await);

    // Not yet invited: refused.
    let mut uninvited = LiveClient::connect(&server, &clinician).await;
    uninvited
        .send(&json!({"type": "media.join", "call_id": call, "sdp": "v=0"}))
        .await;
    assert_eq!(uninvited.expect("error").await["code"], "not_in_call");
    uninvited.close().await;

    let (status, body) = server
        .post_json(
            Some(&nurse),
            &format!("/api/calls/{call}/invite"),
            &json!({"clinician_id": ids[2]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["invited"][0]["id"], ids[2]);
    let keyframes_before = metric(&server, "carehub_media_keyframe_requests_total").await;
    let doctor = Participant::join(&server, &clinician, &call, "clinician").await;
    assert!(
        eventually(Duration::from_secs(15), || {
            well_received(&doctor.peer, &streams[0], 30)
                && well_received(&doctor.peer, &streams[1], 30)
                && well_received(&tablet.peer, &streams[2], 30)
                && well_received(&hub.peer, &streams[2], 30)
        })
        .await,
        "clinician got {:?} / {:?}; tablet got {:?}; nurse got {:?}",
        doctor.peer.from(&streams[0]),
        doctor.peer.from(&streams[1]),
        tablet.peer.from(&streams[2]),
        hub.peer.from(&streams[2])
    );
    assert!(
        metric(&server, "carehub_media_keyframe_requests_total").await > keyframes_before,
        "a keyframe is requested upstream when someone joins"
    );
    assert_eq!(metric(&server, "carehub_media_peer_connections").await, 3.0);
    doctor.leave().await;
    tablet.leave().await;
    hub.leave().await;
}

#[tokio::test]
async fn only_the_calls_own_people_may_join_its_video() {
    let server = TestServer::start().await;
    let (call, _carer, _nurse) = consultation(&server).await;
    for user in ["carer2", "nurse2", "clinician1", "admin"] {
        let token = server.login(user).await;
        let mut ws = LiveClient::connect(&server, &token).await;
        ws.send(&json!({"type": "media.join", "call_id": call, "sdp": "v=0"}))
            .await;
        let err = ws.expect("error").await;
        assert_eq!(err["code"], "not_in_call", "{user}: {err}");
        assert_eq!(err["in_reply_to"], "media.join");
        ws.close().await;
    }
    // Nor can anyone join a call that is still waiting.
    let carer = server.login("carer1").await;
    let waiting = create(&server, &carer, resident(&server, "Harold").await, p4()).await;
    let mut ws = LiveClient::connect(&server, &carer).await;
    ws.send(&json!({"type": "media.join", "call_id": waiting["id"], "sdp": "v=0"}))
        .await;
    assert_eq!(ws.expect("error").await["code"], "not_in_call");
    assert_eq!(metric(&server, "carehub_media_peer_connections").await, 0.0);
}

#[tokio::test]
async fn leaving_and_rejoining_works_and_ending_the_call_returns_everything_to_zero() {
    let server = TestServer::start().await;
    let (call, carer, nurse) = consultation(&server).await;
    let nurse_id = user_id(&server, &nurse).await;
    let from_nurse = format!("participant-{nurse_id}");
    let hub = Participant::join(&server, &nurse, &call, "nurse").await;
    let tablet = Participant::join(&server, &carer, &call, "tablet").await;
    assert!(eventually(WAIT, || well_received(&tablet.peer, &from_nurse, 20)).await);
    tablet.leave().await;
    let rejoined = Participant::join(&server, &carer, &call, "tablet again").await;
    assert!(
        eventually(Duration::from_secs(15), || well_received(
            &rejoined.peer,
            &from_nurse,
            20
        ))
        .await,
        "rejoined tablet receives again: {:?}",
        rejoined.peer.from(&from_nurse)
    );
    assert_eq!(action(&server, &nurse, &call, "end").await.0, 200);
    let mut zero = false;
    for _ in 0..50 {
        let rooms = metric(&server, "carehub_media_rooms").await;
        let legs = metric(&server, "carehub_media_peer_connections").await;
        let tasks = metric(&server, "carehub_media_room_tasks").await;
        if rooms == 0.0 && legs == 0.0 && tasks == 0.0 {
            zero = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        zero,
        "rooms, peer connections and tasks return to zero after the call ends"
    );
    let seen = rejoined.leave().await;
    assert!(
        seen.iter()
            .any(|m| m["type"] == "media.ended" && m["call_id"] == call),
        "the tablet is told the video ended"
    );
    hub.leave().await;
}

#[tokio::test]
async fn malformed_signalling_gets_typed_errors_and_other_calls_keep_going() {
    let server = TestServer::start().await;
    let (call, carer, nurse) = consultation(&server).await;
    let nurse_id = user_id(&server, &nurse).await;
    let from_nurse = format!("participant-{nurse_id}");
    let hub = Participant::join(&server, &nurse, &call, "nurse").await;
    let tablet = Participant::join(&server, &carer, &call, "tablet").await;
    assert!(eventually(WAIT, || well_received(&tablet.peer, &from_nurse, 20)).await);

    // A second call, whose nurse throws rubbish at the relay.
    let carer2 = server.login("carer2").await;
    let nurse2 = server.login("nurse2").await;
    let (_, theirs) = server.get(Some(&carer2), "/api/residents").await;
    let other = create(
        &server,
        &carer2,
        theirs[0]["id"].as_i64().expect("id"),
        p4(),
    )
    .await;
    action(&server, &nurse2, &other["id"], "claim").await;
    let mut ws = LiveClient::connect(&server, &nurse2).await;
    let id = &other["id"];
    let cases = [
        (
            json!({"type": "media.join", "call_id": id, "sdp": "this is not sdp"}),
            "media_bad_sdp",
        ),
        (
            json!({"type": "media.join", "call_id": id, "sdp": "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video"}),
            "media_bad_sdp",
        ),
        (
            json!({"type": "media.join", "call_id": id, "sdp": "x".repeat(40_000)}),
            "media_bad_sdp",
        ),
        (
            json!({"type": "media.answer", "call_id": id, "sdp": "v=0"}),
            "media_not_joined",
        ),
        (
            json!({"type": "media.candidate", "call_id": id, "candidate": "candidate:garbage"}),
            "media_not_joined",
        ),
        (
            json!({"type": "media.join", "call_id": 999_999, "sdp": "v=0"}),
            "not_in_call",
        ),
        (
            json!({"type": "media.join", "call_id": "seven", "sdp": "v=0"}),
            "invalid_message",
        ),
        (
            json!({"type": "media.dance", "call_id": id}),
            "invalid_message",
        ),
    ];
    for (message, code) in cases {
        ws.send(&message).await;
        let err = ws.expect("error").await;
        assert_eq!(err["code"], code, "{message}: {err}");
        assert!(
            !err["message"].as_str().unwrap_or_default().contains("0x"),
            "no internals: {err}"
        );
    }
    // Joined, then malformed candidates and answers on a real leg.
    let peer = TestPeer::new("nurse2", None).await.expect("peer");
    ws.send(
        &json!({"type": "media.join", "call_id": id, "sdp": peer.offer().await.expect("offer")}),
    )
    .await;
    let joined = ws
        .wait_for("media.answer", WAIT, |_| true)
        .await
        .expect("joined");
    // A well-formed answer when the relay has asked nothing.
    let stray_answer = joined["sdp"].clone();
    for (message, code) in [
        (
            json!({"type": "media.candidate", "call_id": id, "candidate": "candidate:1 1 udp nonsense"}),
            "media_bad_candidate",
        ),
        (
            json!({"type": "media.answer", "call_id": id, "sdp": stray_answer}),
            "media_no_pending_offer",
        ),
        (
            json!({"type": "media.answer", "call_id": id, "sdp": "v=0"}),
            "media_bad_sdp",
        ),
        (
            json!({"type": "media.offer", "call_id": id, "sdp": "garbage"}),
            "media_bad_sdp",
        ),
    ] {
        ws.send(&message).await;
        let err = ws.wait_for("error", WAIT, |_| true).await.expect("error");
        assert_eq!(err["code"], code, "{message}: {err}");
    }
    ws.send(&json!({"type": "media.candidate", "call_id": id, "candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host"})).await;
    ws.send(&json!({"type": "ping", "id": 1})).await;
    assert_eq!(
        ws.wait_for("pong", WAIT, |_| true)
            .await
            .expect("still usable")["id"],
        1
    );
    peer.close().await;

    // The first call carried on throughout.
    let before = tablet.peer.from(&from_nurse).1.packets;
    assert!(
        eventually(WAIT, || tablet.peer.from(&from_nurse).1.packets
            > before + 30)
        .await,
        "the other call keeps flowing"
    );
    hub.leave().await;
    tablet.leave().await;
}

#[tokio::test]
async fn ice_restart_keeps_the_media_flowing_and_quality_is_recorded() {
    let server =
        TestServer::start_with(vec![("CAREHUB__MEDIA__QUALITY_INTERVAL_SECONDS", "1")]).await;
    let (call, carer, nurse) = consultation(&server).await;
    let (carer_id, nurse_id) = (
        user_id(&server, &carer).await,
        user_id(&server, &nurse).await,
    );
    let from_tablet = format!("participant-{carer_id}");
    let from_nurse = format!("participant-{nurse_id}");
    let hub = Participant::join(&server, &nurse, &call, "nurse").await;
    let tablet = Participant::join(&server, &carer, &call, "tablet").await;
    assert!(eventually(WAIT, || well_received(&hub.peer, &from_tablet, 20)).await);
    tablet.set_state(true, true).await;
    tablet.restart_ice().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = hub.peer.from(&from_tablet).1.packets;
    assert!(
        eventually(WAIT, || hub.peer.from(&from_tablet).1.packets > before + 60).await,
        "media keeps flowing after the tablet restarts ICE"
    );
    assert!(eventually(WAIT, || tablet.peer.from(&from_nurse).1.packets > 60).await);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, detail) = server
        .get(Some(&nurse), &format!("/api/calls/{call}"))
        .await;
    let samples = detail["quality"].as_array().expect("quality");
    for id in [carer_id, nurse_id] {
        assert!(
            samples
                .iter()
                .any(|q| q["user_id"] == id && q["rx_kbps"].as_u64() > Some(0)),
            "samples for {id}: {samples:?}"
        );
    }
    let seen = hub.leave().await;
    assert!(
        seen.iter().any(|m| m["type"] == "media.quality"),
        "the nurse sees connection quality live"
    );
    assert!(seen.iter().any(|m| m["type"] == "media.participants"
        && m["participants"].as_array().is_some_and(|p| p.len() == 2)));
    assert!(
        seen.iter().any(|m| m["type"] == "media.participants"
            && m["participants"].as_array().is_some_and(|ps| ps
                .iter()
                .any(|p| p["user_id"] == carer_id
                    && p["muted"] == true
                    && p["camera_off"] == true))),
        "the nurse sees the tablet's microphone muted and camera off"
    );
    tablet.leave().await;
}

#[tokio::test]
async fn a_peer_limited_to_turn_relays_reaches_the_call_through_coturn() {
    let port = carehub_e2e::free_port();
    let secret = "a-test-turn-secret-for-coturn";
    let mut turn = std::process::Command::new("turnserver")
        .args([
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            "--use-auth-secret",
            "--realm=carehub.test",
            "--fingerprint",
            "--simple-log",
            "--log-file=stdout",
        ])
        .arg(format!("--listening-port={port}"))
        .arg(format!("--static-auth-secret={secret}"))
        .arg(format!("--min-port={}", 40000 + port % 1000 * 10))
        .arg(format!("--max-port={}", 40009 + port % 1000 * 10))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("coturn's turnserver is installed (tests/run-all.sh installs it from apt)");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let urls = format!("[\"turn:127.0.0.1:{port}?transport=udp\"]");
    let server = TestServer::start_with(vec![
        ("CAREHUB__MEDIA__TURN_SECRET", secret),
        ("CAREHUB__MEDIA__TURN_URLS", &urls),
    ])
    .await;
    let (call, carer, nurse) = consultation(&server).await;
    let (status, ice) = server.get(Some(&carer), "/api/media/ice-servers").await;
    assert_eq!(status, 200, "{ice}");
    let entry = &ice["ice_servers"][0];
    let server_entry = rtc::peer_connection::transport::RTCIceServer {
        urls: vec![entry["urls"][0].as_str().expect("url").to_owned()],
        username: entry["username"].as_str().expect("username").to_owned(),
        credential: entry["credential"].as_str().expect("credential").to_owned(),
    };
    let nurse_id = user_id(&server, &nurse).await;
    let carer_id = user_id(&server, &carer).await;
    let hub = Participant::join(&server, &nurse, &call, "nurse").await;
    let tablet = Participant::join_with(
        &server,
        &carer,
        &call,
        "relay-only tablet",
        Some(server_entry),
    )
    .await;
    let ok = eventually(Duration::from_secs(20), || {
        well_received(&tablet.peer, &format!("participant-{nurse_id}"), 30)
            && well_received(&hub.peer, &format!("participant-{carer_id}"), 30)
    })
    .await;
    let _ = turn.kill();
    let _ = turn.wait();
    assert!(
        ok,
        "media flows through TURN: tablet got {:?}",
        tablet.peer.from(&format!("participant-{nurse_id}"))
    );
    tablet.leave().await;
    hub.leave().await;
}

/// One join-and-leave cycle for the nurse and then the tablet: fresh peer, offer, answer, leave.
async fn cycle(ws_nurse: &mut LiveClient, ws_tablet: &mut LiveClient, call: &Value, n: usize) {
    for (ws, name) in [(ws_nurse, "nurse"), (ws_tablet, "tablet")] {
        let peer = TestPeer::new(name, None).await.expect("peer");
        ws.send(&json!({"type": "media.join", "call_id": call, "sdp": peer.offer().await.expect("offer")})).await;
        let answer = ws
            .wait_for("media.answer", WAIT, |_| true)
            .await
            .unwrap_or_else(|| panic!("cycle {n}: no answer"));
        peer.accept_answer(answer["sdp"].as_str().expect("sdp"))
            .await
            .expect("answer");
        ws.send(&json!({"type": "media.leave", "call_id": call}))
            .await;
        peer.close().await;
        // Drain whatever the relay said meanwhile (offers to a leg that has gone).
        while ws.next(Duration::from_millis(5)).await.is_some() {}
    }
}

/// Resident memory of this process (the server runs in it), from /proc.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmRSS:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn memory_stays_flat_across_200_join_and_leave_cycles() {
    let server = TestServer::start().await;
    let (call, carer, nurse) = consultation(&server).await;
    let mut ws_tablet = LiveClient::connect(&server, &carer).await;
    let mut ws_nurse = LiveClient::connect(&server, &nurse).await;
    for n in 0..20 {
        cycle(&mut ws_nurse, &mut ws_tablet, &call, n).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let warm = rss_kib();
    for n in 20..200 {
        cycle(&mut ws_nurse, &mut ws_tablet, &call, n).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib();
    assert_eq!(
        metric(&server, "carehub_media_peer_connections").await,
        0.0,
        "no leg is left behind"
    );
    assert_eq!(
        metric(&server, "carehub_media_routes").await,
        0.0,
        "no route is left behind"
    );
    let growth = after.saturating_sub(warm);
    eprintln!(
        "resident memory after 20 cycles {warm} KiB, after 200 cycles {after} KiB, growth {growth} KiB"
    );
    assert!(
        growth < 16 * 1024,
        "resident memory grew {growth} KiB over 180 cycles ({warm} -> {after} KiB)"
    );
}
