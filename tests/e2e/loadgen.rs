//! The load generator's smoke mode against a test server: a few real three-party calls for a
//! few seconds on loopback. It checks correctness only (every participant hears the other two,
//! loss and latency are measured), never speed: the figures belong to the benchmark
//! (bench/run.sh), not to a timed test.

use carehub_e2e::TestServer;
use carehub_loadgen::scenario::{self, Options};

#[tokio::test]
async fn smoke_calls_carry_marked_media_and_loss_is_measured() {
    let server = TestServer::start().await;
    let opts = Options {
        url: format!("http://{}", server.addr),
        calls: vec![2],
        seconds: 2.0,
        ..Options::default()
    };
    let results = scenario::capacity(&opts)
        .await
        .expect("load generator runs");
    scenario::check_smoke(&results).expect("smoke checks");
    let w = &results.windows[0];
    assert_eq!(w.calls, 2);
    // Six participants each sent audio and video, and each heard two others.
    assert!(w.sent_units_per_s > 6.0 * 60.0, "{w:?}");
    assert!(w.audio_latency.p50.is_some() && w.video_latency.p50.is_some());
    let setup = results.setup.expect("set-up measured");
    assert_eq!(setup.failed, 0, "{setup:?}");
    assert!(setup.p50_ms.is_some());
}
