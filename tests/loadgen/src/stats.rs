//! What each simulated participant has received, per sender and kind, in a form the scenario
//! can cut into measurement windows: cumulative counters (differenced between two snapshots)
//! and latency samples and freeze gaps that are taken at the start and end of a window.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::payload::Marker;

/// One incoming stream (one sender's audio or video) as seen by one receiver.
#[derive(Debug, Clone, Copy, Default)]
pub struct StreamStats {
    /// Media units (audio packets, video frames) received.
    pub received: u64,
    /// Highest sequence number seen, plus one (0: nothing yet).
    pub next_seq: u64,
    /// Arrival of the last unit, µs since the epoch.
    pub last_arrival_us: u64,
    /// Longest gap between two arrivals since the window began, µs.
    pub max_gap_us: u64,
}

/// Everything one participant has measured.
#[derive(Debug, Default)]
pub struct LegStats {
    /// When the first media from anyone arrived, µs since the epoch.
    pub first_media_us: Option<u64>,
    /// When ICE and DTLS came up.
    pub connected_us: Option<u64>,
    /// UDP datagrams and bytes received (media, RTCP, STUN).
    pub rx_datagrams: u64,
    /// Bytes in those datagrams.
    pub rx_bytes: u64,
    /// Datagrams the socket refused to send (local congestion: the generator is the limit).
    pub tx_dropped: u64,
    /// Media units written.
    pub tx_units: u64,
    /// Keyframe requests (PLI/FIR) received from the relay.
    pub keyframe_requests: u64,
    /// Per (sender, video?).
    pub streams: HashMap<(u32, bool), StreamStats>,
    /// One-way latency samples of audio packets since the window began, µs.
    pub audio_latency_us: Vec<u32>,
    /// One-way latency samples of whole video frames (last packet in), µs.
    pub video_latency_us: Vec<u32>,
    /// Why the participant stopped, if it failed.
    pub error: Option<String>,
}

impl LegStats {
    /// Records a media unit that arrived at `now_us`.
    pub fn record(&mut self, video: bool, m: Marker, now_us: u64) {
        self.first_media_us.get_or_insert(now_us);
        let s = self.streams.entry((m.sender, video)).or_default();
        s.received += 1;
        s.next_seq = s.next_seq.max(u64::from(m.seq) + 1);
        if s.last_arrival_us != 0 {
            s.max_gap_us = s.max_gap_us.max(now_us.saturating_sub(s.last_arrival_us));
        }
        s.last_arrival_us = now_us;
        let latency = u32::try_from(now_us.saturating_sub(m.sent_us)).unwrap_or(u32::MAX);
        if video {
            self.video_latency_us.push(latency);
        } else {
            self.audio_latency_us.push(latency);
        }
    }

    /// Starts a measurement window: drops latency samples and freeze gaps so far.
    pub fn begin_window(&mut self) {
        self.audio_latency_us.clear();
        self.video_latency_us.clear();
        for s in self.streams.values_mut() {
            s.max_gap_us = 0;
        }
    }
}

/// A participant's stats, shared between its media task and the scenario.
pub type SharedStats = Arc<Mutex<LegStats>>;

/// Locks, surviving a panicked holder (the counters stay usable).
pub fn lock(s: &SharedStats) -> std::sync::MutexGuard<'_, LegStats> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

/// Percentile (0-100) of sorted samples, in milliseconds.
pub fn percentile_ms(sorted: &[u32], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    Some(f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_loss_and_percentiles_are_measured_from_markers() {
        let mut s = LegStats::default();
        let m = |seq, sent_us| Marker {
            sender: 1,
            seq,
            sent_us,
        };
        s.record(false, m(0, 1_000), 1_500);
        s.record(false, m(2, 41_000), 41_700);
        let st = s.streams[&(1, false)];
        assert_eq!((st.received, st.next_seq, st.max_gap_us), (2, 3, 40_200));
        assert_eq!(s.audio_latency_us, vec![500, 700]);
        assert_eq!(s.first_media_us, Some(1_500));
        s.begin_window();
        assert!(s.audio_latency_us.is_empty());
        assert_eq!(s.streams[&(1, false)].max_gap_us, 0);
        let sorted = [100, 200, 300, 400, 5_000];
        assert_eq!(percentile_ms(&sorted, 50.0), Some(0.3));
        assert_eq!(percentile_ms(&sorted, 100.0), Some(5.0));
        assert_eq!(percentile_ms(&[], 50.0), None);
    }
}
