//! NHS numbers, validated once at the edge so a mistyped number never reaches a resident's record.
//!
//! Rules from docs/clinical-rules.md §9: ten digits once spaces and hyphens are stripped; weights
//! 10 down to 2 on the first nine digits; the check digit is 11 minus the weighted sum mod 11 (11
//! becomes 0, 10 is never valid); and a number of one repeated digit is rejected even when its
//! check digit happens to fit (0000000000 does).

use std::fmt;
use std::str::FromStr;

/// A valid NHS number; holding one is proof the check digit was verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NhsNumber(String);

/// Why a string is not an NHS number, so the form can tell staff what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NhsNumberError {
    /// Not ten digits once spaces and hyphens are removed.
    WrongLength,
    /// Contains something other than digits, spaces and hyphens.
    NotDigits,
    /// All ten digits are the same, which is never issued.
    RepeatedDigit,
    /// The last digit does not match the others: most often a typing slip.
    BadCheckDigit,
}

impl NhsNumber {
    /// Parses what a person typed or an import supplied, accepting spaces and hyphens.
    pub fn parse(input: &str) -> Result<NhsNumber, NhsNumberError> {
        let digits: String = input.chars().filter(|c| *c != ' ' && *c != '-').collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(NhsNumberError::NotDigits);
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let [first9 @ .., last] = values.as_slice() else {
            return Err(NhsNumberError::WrongLength);
        };
        if values.len() != 10 {
            return Err(NhsNumberError::WrongLength);
        }
        if values.iter().all(|v| Some(v) == values.first()) {
            return Err(NhsNumberError::RepeatedDigit);
        }
        if check_digit(first9) != Some(*last) {
            return Err(NhsNumberError::BadCheckDigit);
        }
        Ok(NhsNumber(digits))
    }

    /// The ten digits with no separators, as stored and exported (FHIR identifier value).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 3-3-4 grouping people read aloud and expect to see on screen.
    pub fn formatted(&self) -> String {
        let (a, rest) = self.0.split_at(3);
        let (b, c) = rest.split_at(3);
        format!("{a} {b} {c}")
    }
}

/// The modulus 11 check digit for the first nine digits, or `None` when no digit can be valid.
fn check_digit(first9: &[u32]) -> Option<u32> {
    let sum: u32 = first9.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        check => Some(check),
    }
}

impl FromStr for NhsNumber {
    type Err = NhsNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NhsNumber::parse(s)
    }
}

impl fmt::Display for NhsNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NhsNumberError::WrongLength => "An NHS number must have 10 digits.",
            NhsNumberError::NotDigits => {
                "An NHS number may contain only digits, spaces and hyphens."
            }
            NhsNumberError::RepeatedDigit => "An NHS number cannot be one digit repeated.",
            NhsNumberError::BadCheckDigit => {
                "This is not a valid NHS number: please check each digit."
            }
        })
    }
}

impl std::error::Error for NhsNumberError {}
