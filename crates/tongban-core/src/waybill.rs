//! Waybill numbers (运单号) as a clerk types them: the UPU S10 form that EMS and the world's posts
//! use (two letters, eight digits, a check digit, the country: EA123456785CN) is checked, and one
//! with a wrong check digit is refused, naming the right form; a number in a format the desk does
//! not know (SF Express 顺丰's 12–15 digits, a courier's own) is kept with a warning, never refused.

use serde::Serialize;

use crate::validate::ValidationError;

/// What the check found in a number it accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waybill {
    /// Trimmed, half-width, upper case, inner spaces removed.
    pub number: String,
    /// The format recognised, e.g. `UPU S10（EMS 等邮政）`; `None` when unknown.
    pub format: Option<&'static str>,
    /// What the clerk should look at again (an unknown format), in Chinese.
    pub warning: Option<String>,
}

const S10_WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];

/// The S10 check digit of eight serial digits: 11 − (weighted sum mod 11), 10 → 0, 11 → 5.
pub fn s10_check_digit(serial: &[u8; 8]) -> u8 {
    let sum: u32 = serial.iter().zip(S10_WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c as u8,
    }
}

fn normalize(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            // Full-width ASCII as an IME types it.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Checks a typed waybill number. Empty is refused (the caller asks only when a number is due).
pub fn check(raw: &str) -> Result<Waybill, ValidationError> {
    let number = normalize(raw);
    if number.is_empty() {
        return Err(ValidationError::new("请填写运单号"));
    }
    if number.chars().count() > 40 || !number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ValidationError::new(format!("「{}」不是运单号：运单号只含字母、数字（至多40位）", raw.trim())));
    }
    let b = number.as_bytes();
    let s10_shape = b.len() == 13
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..11].iter().all(u8::is_ascii_digit)
        && b[11..].iter().all(u8::is_ascii_uppercase);
    if s10_shape {
        let serial: [u8; 8] = std::array::from_fn(|i| b[2 + i] - b'0');
        let given = b[10] - b'0';
        let right = s10_check_digit(&serial);
        if given != right {
            return Err(ValidationError::new(format!(
                "运单号「{number}」的校验位有误：按 UPU S10 规则（2位字母＋8位序号＋1位校验位＋2位国家代码，如 EA123456785CN），第11位应为「{right}」而不是「{given}」，请核对面单"
            )));
        }
        return Ok(Waybill { number, format: Some("UPU S10（EMS 等邮政）"), warning: None });
    }
    let warning =
        format!("运单号「{number}」不是本机能核对的格式（如 EMS 的 EA123456785CN），已按原样记录，请与面单核对");
    Ok(Waybill { number, format: None, warning: Some(warning) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_upu_example_and_its_check_digit_rules() {
        assert_eq!(s10_check_digit(&[1, 2, 3, 4, 5, 6, 7, 8]), 5);
        let ok = check(" ea 123456785 cn ").unwrap();
        assert_eq!((ok.number.as_str(), ok.warning), ("EA123456785CN", None));
        let e = check("EA123456784CN").unwrap_err();
        assert!(
            e.message.contains("第11位应为「5」而不是「4」") && e.message.contains("EA123456785CN"),
            "{}",
            e.message
        );
        // Full-width, as an IME types it.
        assert_eq!(check("ＥＡ１２３４５６７８５ＣＮ").unwrap().number, "EA123456785CN");
        // 10 → 0 and 11 → 5.
        assert_eq!(s10_check_digit(&[0, 0, 0, 0, 0, 0, 0, 1]), 4);
        assert_eq!(s10_check_digit(&[0, 0, 0, 0, 0, 0, 0, 0]), 5, "sum 0: 11 → 5");
        assert_eq!(s10_check_digit(&[0, 0, 0, 0, 0, 0, 1, 0]), 2);
        let ten = (0..100_000_000u32)
            .step_by(7919)
            .map(|n| std::array::from_fn(|i| (n / 10u32.pow(7 - i as u32) % 10) as u8))
            .find(|s: &[u8; 8]| s.iter().zip(S10_WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum::<u32>() % 11 == 1)
            .unwrap();
        assert_eq!(s10_check_digit(&ten), 0, "sum ≡ 1: 10 → 0");
    }

    #[test]
    fn an_unknown_format_is_warned_never_refused() {
        let sf = check("SF1234567890123").unwrap();
        assert!(sf.warning.unwrap().contains("不是本机能核对的格式"));
        assert!(check("123456789012").unwrap().warning.is_some(), "顺丰 12 digits");
        assert!(check("运单").is_err(), "not a number at all");
        assert!(check("").is_err());
    }

    proptest! {
        #[test]
        fn every_s10_number_with_its_digit_passes_and_every_other_digit_is_refused(
            prefix in "[A-Z]{2}", serial in proptest::array::uniform8(0u8..10), country in "[A-Z]{2}", wrong in 0u8..10,
        ) {
            let right = s10_check_digit(&serial);
            let digits: String = serial.iter().map(|d| char::from(b'0' + d)).collect();
            let good = format!("{prefix}{digits}{right}{country}");
            prop_assert_eq!(check(&good.to_lowercase()).unwrap().number, good);
            let bad = format!("{prefix}{digits}{wrong}{country}");
            prop_assert_eq!(check(&bad).is_ok(), wrong == right);
        }

        #[test]
        fn any_digits_only_number_is_kept_with_a_warning(n in "[0-9]{12,15}") {
            let w = check(&n).unwrap();
            prop_assert_eq!(w.number, n);
            prop_assert!(w.warning.is_some());
        }

        #[test]
        fn the_check_never_panics(s in "\\PC{0,50}") {
            let _ = check(&s);
        }
    }
}
