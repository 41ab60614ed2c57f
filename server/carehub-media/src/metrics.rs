//! The relay's counters, read by the server's `/metrics`. Plain atomics: rooms and the router
//! update them without locks.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Counters and gauges of the media relay.
#[derive(Debug, Default)]
pub struct MediaMetrics {
    /// Rooms (calls) with media now.
    pub rooms: AtomicI64,
    /// Peer connections (legs) now.
    pub legs: AtomicI64,
    /// Room tasks running now (should equal `rooms`; a difference means a leak).
    pub room_tasks: AtomicI64,
    /// Routing entries (ICE ufrags and learned addresses) held by the router.
    pub routes: AtomicI64,
    /// UDP datagrams received.
    pub datagrams_in: AtomicU64,
    /// UDP datagrams sent.
    pub datagrams_out: AtomicU64,
    /// Bytes received.
    pub bytes_in: AtomicU64,
    /// Bytes sent.
    pub bytes_out: AtomicU64,
    /// Datagrams matching no leg (late, stray or hostile).
    pub datagrams_unroutable: AtomicU64,
    /// Datagrams dropped because a room could not keep up.
    pub datagrams_dropped: AtomicU64,
    /// Media frames forwarded (one per receiving leg).
    pub frames_forwarded: AtomicU64,
    /// Media bytes forwarded (one count per receiving leg).
    pub bytes_forwarded: AtomicU64,
    /// Keyframe requests sent upstream to a sender (forwarded or on join).
    pub keyframe_requests: AtomicU64,
    /// NACKs received from participants (answered from each leg's send buffer).
    pub nacks: AtomicU64,
    /// Packets reported lost on the way in, summed over quality samples.
    pub packets_lost: AtomicU64,
}

impl MediaMetrics {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn gauge(gauge: &AtomicI64, delta: i64) {
        gauge.fetch_add(delta, Ordering::Relaxed);
    }

    /// Writes the Prometheus text exposition.
    pub fn render(&self, out: &mut String) {
        let gauges = [
            (
                "carehub_media_rooms",
                "Calls with a media session.",
                &self.rooms,
            ),
            (
                "carehub_media_peer_connections",
                "Peer connections (legs).",
                &self.legs,
            ),
            (
                "carehub_media_room_tasks",
                "Room tasks running.",
                &self.room_tasks,
            ),
            (
                "carehub_media_routes",
                "Routing entries (ICE ufrags and learned addresses).",
                &self.routes,
            ),
        ];
        for (name, help, v) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
        let counters = [
            (
                "carehub_media_datagrams_in_total",
                "UDP datagrams received.",
                &self.datagrams_in,
            ),
            (
                "carehub_media_datagrams_out_total",
                "UDP datagrams sent.",
                &self.datagrams_out,
            ),
            (
                "carehub_media_bytes_in_total",
                "UDP bytes received.",
                &self.bytes_in,
            ),
            (
                "carehub_media_bytes_out_total",
                "UDP bytes sent.",
                &self.bytes_out,
            ),
            (
                "carehub_media_datagrams_unroutable_total",
                "Datagrams matching no leg.",
                &self.datagrams_unroutable,
            ),
            (
                "carehub_media_datagrams_dropped_total",
                "Datagrams dropped by a busy room.",
                &self.datagrams_dropped,
            ),
            (
                "carehub_media_frames_forwarded_total",
                "Media frames forwarded.",
                &self.frames_forwarded,
            ),
            (
                "carehub_media_bytes_forwarded_total",
                "Media bytes forwarded.",
                &self.bytes_forwarded,
            ),
            (
                "carehub_media_keyframe_requests_total",
                "Keyframe requests sent upstream.",
                &self.keyframe_requests,
            ),
            (
                "carehub_media_nacks_total",
                "NACKs received from participants.",
                &self.nacks,
            ),
            (
                "carehub_media_packets_lost_total",
                "Packets lost on the way in.",
                &self.packets_lost,
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
    }
}
