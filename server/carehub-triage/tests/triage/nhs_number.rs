//! NHS number validation against every example in docs/clinical-rules.md §9.

use carehub_triage::{NhsNumber, NhsNumberError};

#[test]
fn valid_examples_parse_with_or_without_separators() {
    for (input, digits, formatted) in [
        ("943 476 5919", "9434765919", "943 476 5919"),
        ("999 000 0018", "9990000018", "999 000 0018"),
        ("999 000 0026", "9990000026", "999 000 0026"),
        ("9434765919", "9434765919", "943 476 5919"),
        ("943-476-5919", "9434765919", "943 476 5919"),
        (" 999-000 0018 ", "9990000018", "999 000 0018"),
    ] {
        let number = NhsNumber::parse(input).expect(input);
        assert_eq!(number.as_str(), digits);
        assert_eq!(number.formatted(), formatted);
        assert_eq!(input.parse::<NhsNumber>(), Ok(number));
    }
}

#[test]
fn invalid_examples_are_rejected_with_the_reason() {
    for (input, error) in [
        ("943 476 5918", NhsNumberError::BadCheckDigit),
        ("999 000 0000", NhsNumberError::BadCheckDigit),
        ("123 456 7890", NhsNumberError::BadCheckDigit),
        ("943 476 591", NhsNumberError::WrongLength),
        ("943 476 59190", NhsNumberError::WrongLength),
        ("", NhsNumberError::WrongLength),
        ("  - ", NhsNumberError::WrongLength),
        ("000 000 0000", NhsNumberError::RepeatedDigit),
        ("4444444444", NhsNumberError::RepeatedDigit),
        ("943 476 591O", NhsNumberError::NotDigits),
        ("943.476.5919", NhsNumberError::NotDigits),
        ("９４３４７６５９１９", NhsNumberError::NotDigits),
    ] {
        assert_eq!(NhsNumber::parse(input), Err(error), "{input:?}");
    }
}

#[test]
fn a_check_digit_of_ten_is_never_valid() {
    // 123 456 7890: weighted sum 1*10+2*9+...+9*2 = 210, 210 mod 11 = 1, check 10.
    for last in 0..=9 {
        let input = format!("123456789{last}");
        assert_eq!(NhsNumber::parse(&input), Err(NhsNumberError::BadCheckDigit));
    }
}

#[test]
fn a_remainder_of_zero_means_check_digit_zero() {
    // 1*10 + 6*2 = 22, a multiple of 11: 11 - 0 = 11, which becomes 0.
    let number = NhsNumber::parse("100 000 0060").expect("check digit 0");
    assert_eq!(number.as_str(), "1000000060");
    assert_eq!(
        NhsNumber::parse("100 000 0061"),
        Err(NhsNumberError::BadCheckDigit)
    );
}

#[test]
fn errors_read_as_sentences() {
    for error in [
        NhsNumberError::WrongLength,
        NhsNumberError::NotDigits,
        NhsNumberError::RepeatedDigit,
        NhsNumberError::BadCheckDigit,
    ] {
        let text = error.to_string();
        assert!(text.ends_with('.'), "{text}");
        assert!(text.starts_with(|c: char| c.is_ascii_uppercase()), "{text}");
    }
}
