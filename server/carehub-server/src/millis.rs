//! Times as the store keeps them: unix milliseconds. One place converts between them and
//! `OffsetDateTime`, so every handler rounds and saturates the same way.

use time::OffsetDateTime;

/// Unix milliseconds of a timestamp (saturating far outside any real date).
pub fn from_datetime(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The timestamp of unix milliseconds (the epoch for values no date can hold).
pub fn to_datetime(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Now, in unix milliseconds.
pub fn now() -> i64 {
    from_datetime(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_saturates() {
        let t = time::macros::datetime!(2026-11-23 11:00:00.123 UTC);
        assert_eq!(to_datetime(from_datetime(t)), t);
        assert_eq!(to_datetime(i64::MAX), OffsetDateTime::UNIX_EPOCH);
    }
}
