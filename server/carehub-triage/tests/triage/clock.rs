//! UK local time: the BST edges, known dates, and the out-of-hours definition of
//! docs/clinical-rules.md §8.2.

use carehub_triage::{LocalTime, is_british_summer_time, is_out_of_hours, uk_local};
use proptest::prelude::*;

const fn local(year: i32, month: u8, day: u8, hour: u8, minute: u8, weekday: u8) -> LocalTime {
    LocalTime {
        year,
        month,
        day,
        hour,
        minute,
        weekday,
    }
}

fn ms(unix_seconds: i64) -> i64 {
    unix_seconds * 1000
}

#[test]
fn clocks_go_forward_at_one_utc_on_the_last_sunday_of_march() {
    // 2024-03-31 00:59:59 UTC is 00:59 GMT; one second later it is 02:00 BST.
    assert_eq!(uk_local(ms(1_711_846_799)), local(2024, 3, 31, 0, 59, 6));
    assert_eq!(uk_local(ms(1_711_846_800)), local(2024, 3, 31, 2, 0, 6));
    assert!(!is_british_summer_time(ms(1_711_846_800) - 1));
    assert!(is_british_summer_time(ms(1_711_846_800)));
    // 2025-03-30 01:00 UTC.
    assert!(!is_british_summer_time(ms(1_743_296_400) - 1));
    assert_eq!(uk_local(ms(1_743_296_400)), local(2025, 3, 30, 2, 0, 6));
}

#[test]
fn clocks_go_back_at_one_utc_on_the_last_sunday_of_october() {
    // 2024-10-27 00:59:59 UTC is 01:59 BST; one second later it is 01:00 GMT.
    assert_eq!(uk_local(ms(1_729_990_799)), local(2024, 10, 27, 1, 59, 6));
    assert_eq!(uk_local(ms(1_729_990_800)), local(2024, 10, 27, 1, 0, 6));
    assert!(is_british_summer_time(ms(1_729_990_800) - 1));
    assert!(!is_british_summer_time(ms(1_729_990_800)));
    // 2025-10-26 01:00 UTC.
    assert!(is_british_summer_time(ms(1_761_440_400) - 1));
    assert_eq!(uk_local(ms(1_761_440_400)), local(2025, 10, 26, 1, 0, 6));
}

#[test]
fn known_dates() {
    // 2000-02-29 12:00 UTC, a Tuesday in winter.
    assert_eq!(uk_local(ms(951_825_600)), local(2000, 2, 29, 12, 0, 1));
    // 2024-07-04 17:30 UTC is 18:30 BST on a Thursday.
    assert_eq!(uk_local(ms(1_720_114_200)), local(2024, 7, 4, 18, 30, 3));
    // 2024-12-31 23:30 UTC is still new year's eve in GMT.
    assert_eq!(uk_local(ms(1_735_687_800)), local(2024, 12, 31, 23, 30, 1));
    // Before 1970: negative milliseconds round down, not towards zero.
    assert_eq!(uk_local(-1), local(1969, 12, 31, 23, 59, 2));
}

#[test]
fn out_of_hours_is_evenings_nights_and_weekends() {
    let cases = [
        (1_705_305_540, true),  // Monday 2024-01-15 07:59 GMT
        (1_705_305_600, false), // Monday 08:00
        (1_705_341_540, false), // Monday 17:59
        (1_705_341_600, true),  // Monday 18:00
        (1_705_082_340, false), // Friday 2024-01-12 17:59
        (1_705_082_400, true),  // Friday 18:00
        (1_705_147_200, true),  // Saturday 2024-01-13 12:00
        (1_720_076_340, true),  // Thursday 2024-07-04 06:59 UTC = 07:59 BST
        (1_720_076_400, false), // 07:00 UTC = 08:00 BST
        (1_720_114_200, true),  // 17:30 UTC = 18:30 BST
    ];
    for (seconds, expected) in cases {
        assert_eq!(is_out_of_hours(ms(seconds)), expected, "{seconds}");
    }
}

proptest! {
    #[test]
    fn every_instant_has_a_valid_local_time(unix_ms in any::<i64>()) {
        let t = uk_local(unix_ms);
        prop_assert!((1..=12).contains(&t.month));
        prop_assert!((1..=31).contains(&t.day));
        prop_assert!(t.hour < 24 && t.minute < 60 && t.weekday < 7);
        let _ = is_out_of_hours(unix_ms);
    }

    #[test]
    fn local_time_is_utc_or_one_hour_ahead(unix_ms in -4_000_000_000_000i64..8_000_000_000_000) {
        let utc_minute = unix_ms.div_euclid(60_000).rem_euclid(24 * 60);
        let t = uk_local(unix_ms);
        let local_minute = i64::from(t.hour) * 60 + i64::from(t.minute);
        let offset = (local_minute - utc_minute).rem_euclid(24 * 60);
        let expected = if is_british_summer_time(unix_ms) { 60 } else { 0 };
        prop_assert_eq!(offset, expected);
    }
}

#[test]
fn the_extremes_do_not_panic() {
    for unix_ms in [i64::MIN, i64::MIN + 1, i64::MAX - 1, i64::MAX] {
        let _ = uk_local(unix_ms);
        let _ = is_out_of_hours(unix_ms);
    }
}
