//! Temperature as whole tenths of a degree, so NEWS2 thresholds compare integers, never floats.
//!
//! docs/clinical-rules.md §2.1 asks for rounding to one decimal place half-up *in decimal*: parsing
//! the text digit by digit means 35.05 rounds to 35.1 (a float would hold 35.04999… and round
//! down).

use std::fmt;

use super::ObservationError;

/// A temperature in tenths of a degree Celsius (381 means 38.1 °C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TempTenths(pub i32);

/// The field name used in every temperature error, matching the API field.
const FIELD: &str = "temperature_c";

/// Reads decimal text such as `"38.05"` or `"37"` and rounds it to tenths, half away from zero.
///
/// Accepts optional surrounding whitespace, an optional sign, at least one digit, then
/// optionally a decimal point and more digits ("38." is read as 38.0). Rejects exponents,
/// `NaN`, empty text and anything else. Plausibility (25.0-45.0 °C) is checked later, by
/// [`super::Observations::validate`].
pub fn parse_temperature(text: &str) -> Result<TempTenths, ObservationError> {
    let text = text.trim();
    let (negative, unsigned) = match (text.strip_prefix('-'), text.strip_prefix('+')) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(not_a_number());
    }
    let magnitude = round_to_tenths(whole, fraction).ok_or_else(out_of_range)?;
    Ok(TempTenths(if negative { -magnitude } else { magnitude }))
}

/// Whole and fraction digits to rounded tenths; `None` when the number is far too large.
fn round_to_tenths(whole: &str, fraction: &str) -> Option<i32> {
    let mut tenths: i32 = 0;
    for b in whole.bytes() {
        tenths = tenths.checked_mul(10)?.checked_add(digit(b))?;
    }
    let mut rest = fraction.bytes();
    let first = rest.next().map_or(0, digit);
    let round_up = rest.next().is_some_and(|b| digit(b) >= 5);
    tenths = tenths.checked_mul(10)?.checked_add(first)?;
    if round_up {
        tenths = tenths.checked_add(1)?;
    }
    Some(tenths)
}

fn digit(b: u8) -> i32 {
    i32::from(b.wrapping_sub(b'0'))
}

fn not_a_number() -> ObservationError {
    ObservationError::new(
        FIELD,
        "temperature must be a number in degrees Celsius, such as 37.5",
    )
}

/// The plausibility message, shared with validation so staff see one wording.
pub(super) fn out_of_range() -> ObservationError {
    ObservationError::new(
        FIELD,
        "temperature must be from 25.0 to 45.0 degrees Celsius",
    )
}

impl TempTenths {
    /// The lowest temperature accepted as a real reading (25.0 °C).
    pub const MIN_PLAUSIBLE: TempTenths = TempTenths(250);
    /// The highest temperature accepted as a real reading (45.0 °C).
    pub const MAX_PLAUSIBLE: TempTenths = TempTenths(450);
}

/// Shows one decimal place, as staff entered it and as the record should read ("38.1").
impl fmt::Display for TempTenths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        write!(f, "{sign}{}.{}", magnitude / 10, magnitude % 10)
    }
}
