//! The media the simulated participants send: VP8-shaped video frames and Opus-shaped audio
//! packets that a relay can depacketise and repacketise like real ones, each carrying a
//! marker (sender, sequence number, send time) where it survives forwarding, so the receiver
//! measures loss and one-way latency from what actually arrives.

use std::time::{SystemTime, UNIX_EPOCH};

/// Marker magic: "CHLG".
const MAGIC: [u8; 4] = *b"CHLG";
/// Marker length: magic, sender, sequence number, send time in microseconds.
const MARKER_LEN: usize = 4 + 4 + 4 + 8;
/// A VP8 keyframe's uncompressed header: frame tag (3 bytes), start code, 640x480.
const KEYFRAME_HEADER: [u8; 10] = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01];
/// An interframe's frame tag (P bit set, shown).
const INTERFRAME_HEADER: [u8; 3] = [0x11, 0x02, 0x00];

/// Video frames per second.
pub const VIDEO_FPS: u32 = 30;
/// Bytes of an interframe: four packets at str0m's default 1150-byte datagrams, about
/// 0.93 Mbit/s and 120 packets/s with the keyframes.
pub const INTERFRAME_BYTES: usize = 3800;
/// Bytes of a keyframe (13 packets).
pub const KEYFRAME_BYTES: usize = 14_000;
/// A keyframe every this many frames (3 seconds), and whenever the relay asks.
pub const KEYFRAME_EVERY: u32 = 90;
/// Audio packets per second (20 ms Opus frames).
pub const AUDIO_PPS: u32 = 50;
/// Bytes of an audio packet (about 40 kbit/s Opus).
pub const AUDIO_BYTES: usize = 100;

/// Microseconds since the Unix epoch: every process on the machine shares this clock, so a
/// send time written by one and read by another gives the one-way latency.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// What a received media unit says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    /// The sending participant's index in the load generator.
    pub sender: u32,
    /// Per sender and kind, from 0.
    pub seq: u32,
    /// Send time, microseconds since the Unix epoch.
    pub sent_us: u64,
}

fn put_marker(out: &mut Vec<u8>, m: Marker) {
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&m.sender.to_be_bytes());
    out.extend_from_slice(&m.seq.to_be_bytes());
    out.extend_from_slice(&m.sent_us.to_be_bytes());
}

fn read_marker(bytes: &[u8]) -> Option<Marker> {
    let b = bytes.get(..MARKER_LEN)?;
    if b[..4] != MAGIC {
        return None;
    }
    let u32_at = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let mut t = [0u8; 8];
    t.copy_from_slice(&b[12..20]);
    Some(Marker {
        sender: u32_at(4),
        seq: u32_at(8),
        sent_us: u64::from_be_bytes(t),
    })
}

/// A VP8 frame (the bitstream a VP8 depacketiser reassembles, without payload descriptors):
/// a valid frame tag, for keyframes the start code and dimensions, then the marker and filler.
pub fn video_frame(keyframe: bool, m: Marker) -> Vec<u8> {
    let size = if keyframe {
        KEYFRAME_BYTES
    } else {
        INTERFRAME_BYTES
    };
    let mut out = Vec::with_capacity(size);
    if keyframe {
        out.extend_from_slice(&KEYFRAME_HEADER);
    } else {
        out.extend_from_slice(&INTERFRAME_HEADER);
    }
    put_marker(&mut out, m);
    out.resize(size, 0x5a);
    out
}

/// Reads a video frame: (keyframe, marker).
pub fn read_video(frame: &[u8]) -> Option<(bool, Marker)> {
    let keyframe = frame.first()? & 0x01 == 0;
    let offset = if keyframe {
        KEYFRAME_HEADER.len()
    } else {
        INTERFRAME_HEADER.len()
    };
    Some((keyframe, read_marker(frame.get(offset..)?)?))
}

/// An Opus-shaped packet: a TOC byte (CELT fullband 20 ms, one frame), the marker, filler.
pub fn audio_packet(m: Marker) -> Vec<u8> {
    let mut out = Vec::with_capacity(AUDIO_BYTES);
    out.push(0xfc);
    put_marker(&mut out, m);
    out.resize(AUDIO_BYTES, 0xa5);
    out
}

/// Reads an audio packet's marker.
pub fn read_audio(packet: &[u8]) -> Option<Marker> {
    read_marker(packet.get(1..)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_survive_a_round_trip_in_each_shape() {
        let m = Marker {
            sender: 7,
            seq: 123_456,
            sent_us: 1_700_000_000_000_001,
        };
        let key = video_frame(true, m);
        assert_eq!(key.len(), KEYFRAME_BYTES);
        assert_eq!(read_video(&key), Some((true, m)));
        let inter = video_frame(false, m);
        assert_eq!(inter.len(), INTERFRAME_BYTES);
        assert_eq!(read_video(&inter), Some((false, m)));
        assert_eq!(read_audio(&audio_packet(m)), Some(m));
        assert_eq!(read_audio(&[0xfc, 1, 2, 3]), None);
        assert_eq!(read_video(&[0x11, 0, 0, b'C', b'H']), None);
    }
}
