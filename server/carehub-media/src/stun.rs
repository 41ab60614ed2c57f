//! Just enough STUN to route a datagram: the USERNAME of a binding request tells which leg (by
//! our ICE ufrag) the sender is trying to reach. Everything is bounds-checked: this parses
//! untrusted bytes from the network.

/// STUN's fixed magic cookie (RFC 5389).
const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xA4, 0x42];
/// The USERNAME attribute.
const USERNAME: u16 = 0x0006;
/// Fixed header length.
const HEADER: usize = 20;

/// Whether the datagram looks like STUN (first two bits zero and the magic cookie).
pub(crate) fn is_stun(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER && bytes[0] < 2 && bytes[4..8] == MAGIC_COOKIE
}

/// Our ufrag from a STUN request's `USERNAME` ("ours:theirs"), if present and well formed.
pub(crate) fn local_ufrag(bytes: &[u8]) -> Option<&str> {
    if !is_stun(bytes) {
        return None;
    }
    let declared = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    let end = HEADER.checked_add(declared)?.min(bytes.len());
    let mut at = HEADER;
    while at + 4 <= end {
        let kind = u16::from_be_bytes([bytes[at], bytes[at + 1]]);
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let value = bytes.get(at + 4..at + 4 + len)?;
        if kind == USERNAME {
            let username = std::str::from_utf8(value).ok()?;
            return username.split(':').next().filter(|u| !u.is_empty());
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(username: &[u8]) -> Vec<u8> {
        let padded = username.len().div_ceil(4) * 4;
        let mut m = vec![0x00, 0x01];
        m.extend_from_slice(&u16::try_from(4 + padded).unwrap_or(0).to_be_bytes());
        m.extend_from_slice(&MAGIC_COOKIE);
        m.extend_from_slice(&[7; 12]);
        m.extend_from_slice(&USERNAME.to_be_bytes());
        m.extend_from_slice(&u16::try_from(username.len()).unwrap_or(0).to_be_bytes());
        m.extend_from_slice(username);
        m.resize(HEADER + 4 + padded, 0);
        m
    }

    #[test]
    fn finds_our_ufrag() {
        assert_eq!(local_ufrag(&request(b"abcd:wxyz")), Some("abcd"));
        assert_eq!(local_ufrag(&request(b"abcde:w")), Some("abcde"));
    }

    #[test]
    fn refuses_garbage_without_panicking() {
        assert_eq!(local_ufrag(&[]), None);
        assert_eq!(local_ufrag(&[0u8; 19]), None);
        let mut truncated = request(b"abcd:wxyz");
        truncated.truncate(26);
        assert_eq!(local_ufrag(&truncated), None);
        let mut lying = request(b"abcd:wxyz");
        lying[2] = 0xFF;
        assert_eq!(
            local_ufrag(&lying),
            Some("abcd"),
            "declared length is clamped to the data"
        );
        let mut rtp = request(b"abcd:wxyz");
        rtp[0] = 0x80;
        assert_eq!(local_ufrag(&rtp), None);
        for n in 0..64u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            let _ = local_ufrag(&bytes);
        }
    }
}
