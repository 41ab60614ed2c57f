//! The media load generator behind `loadgen`: simulated participants (str0m peers sending
//! marked VP8- and Opus-shaped media) in real CareHub calls, and the measurements the
//! benchmark report is built from. A library as well as a binary so the end-to-end tests can
//! run the smoke scenario in-process against a test server.

pub mod carehub;
pub mod cli;
pub mod janus;
pub mod measure;
pub mod payload;
pub mod peer;
pub mod scenario;
pub mod stats;
