//! UK local time from unix milliseconds, without a time-zone database or dependency.
//!
//! The service figures (docs/clinical-rules.md §8.2) count calls per day and hour and the share out
//! of hours, all in the care homes' local time. Europe/London is GMT, or BST (UTC+1) from 01:00 UTC
//! on the last Sunday of March to 01:00 UTC on the last Sunday of October (the rule since 1996;
//! earlier dates use it too, which is fine for a service that started long after).

const MS_PER_SECOND: i64 = 1000;
const SECONDS_PER_DAY: i64 = 86_400;
const SECONDS_PER_HOUR: i64 = 3_600;

/// A wall-clock reading in the UK, for grouping figures by local day and hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalTime {
    /// Calendar year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u8,
    /// Day of the month, 1-31.
    pub day: u8,
    /// Hour, 0-23.
    pub hour: u8,
    /// Minute, 0-59.
    pub minute: u8,
    /// Day of the week, 0 = Monday to 6 = Sunday.
    pub weekday: u8,
}

/// The UK local date and time at `unix_ms`; total over every `i64`.
pub fn uk_local(unix_ms: i64) -> LocalTime {
    let utc = unix_ms.div_euclid(MS_PER_SECOND);
    let offset = if bst_at(utc) { SECONDS_PER_HOUR } else { 0 };
    // Cannot overflow: `utc` is at most i64::MAX / 1000.
    let local = utc + offset;
    let days = local.div_euclid(SECONDS_PER_DAY);
    let second_of_day = local.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    LocalTime {
        year,
        month,
        day,
        hour: small(second_of_day / SECONDS_PER_HOUR),
        minute: small(second_of_day % SECONDS_PER_HOUR / 60),
        weekday: weekday(days),
    }
}

/// Whether UK clocks are on British Summer Time (UTC+1) at `unix_ms`.
pub fn is_british_summer_time(unix_ms: i64) -> bool {
    bst_at(unix_ms.div_euclid(MS_PER_SECOND))
}

/// Out of hours (docs/clinical-rules.md §8.2): 18:00 to 08:00 local time, and all of Saturday and
/// Sunday.
///
/// 18:00 itself is out of hours and 08:00 itself is in hours.
pub fn is_out_of_hours(unix_ms: i64) -> bool {
    let t = uk_local(unix_ms);
    t.weekday >= 5 || t.hour >= 18 || t.hour < 8
}

/// BST runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
/// October; both edges are instants in UTC, so the year is read in UTC too.
fn bst_at(utc_seconds: i64) -> bool {
    let (year, _, _) = civil_from_days(utc_seconds.div_euclid(SECONDS_PER_DAY));
    let start = last_sunday(year, 3) * SECONDS_PER_DAY + SECONDS_PER_HOUR;
    let end = last_sunday(year, 10) * SECONDS_PER_DAY + SECONDS_PER_HOUR;
    (start..end).contains(&utc_seconds)
}

/// Days since 1970-01-01 of the last Sunday of a 31-day month.
fn last_sunday(year: i32, month_with_31_days: u8) -> i64 {
    let last = days_from_civil(year, month_with_31_days, 31);
    last - i64::from(weekday(last) + 1) % 7
}

/// 0 = Monday; 1970-01-01 was a Thursday.
fn weekday(days: i64) -> u8 {
    small((days + 3).rem_euclid(7))
}

/// Narrows a value the caller has already bounded (hour, minute, weekday, day, month).
fn small(value: i64) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let year = i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX });
    (year, small(month), small(day))
}

/// Day count since 1970-01-01 of a proleptic Gregorian date (inverse of [`civil_from_days`]).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip_across_centuries_and_leap_days() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    #[test]
    fn last_sundays_match_the_calendar() {
        assert_eq!(civil_from_days(last_sunday(2024, 3)), (2024, 3, 31));
        assert_eq!(civil_from_days(last_sunday(2024, 10)), (2024, 10, 27));
        assert_eq!(civil_from_days(last_sunday(2025, 3)), (2025, 3, 30));
        assert_eq!(civil_from_days(last_sunday(2025, 10)), (2025, 10, 26));
    }
}
