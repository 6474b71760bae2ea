//! What one side checks before it takes an event the other side made: the hub before it admits a
//! desk's push, a desk before it applies what a hub sent. One set of rules on both sides, so a
//! hostile or broken peer meets the same refusals wherever it pushes (design §6, "distrust").
//!
//! The status rules are [`CaseStatus::apply`](crate::case::CaseStatus::apply); the materials
//! against a catalog are [`Catalog::check_intake`](crate::catalog::Catalog::check_intake). Here
//! are the intake's own fields and number, the author, and a 更正编号.

use crate::case::{Author, CaseNumber, Intake};
use crate::validate::{self, FieldError, ValidationError};

/// The longest display name an event may carry (a person's name, with room for 少数民族 names).
pub const MAX_NAME_CHARS: usize = 50;
/// The longest login or desk id an author may name.
const MAX_ID_CHARS: usize = 64;

/// Checks an intake as a desk made it: every field the clerk typed passes the validators the
/// intake form uses (ID number, credit code, phones, required texts), and its 办件编号 is well
/// formed, of the receiving region and of the day it was received.
pub fn check_intake(intake: &Intake) -> Result<(), FieldError> {
    // Dated checks (a birth date not after the day) hold as of the day the case was received.
    intake.form.validated(intake.received_on)?;
    if !crate::region::is_valid_code(&intake.receiving_region) {
        return Err(ValidationError::new(format!("「{}」不是有效的行政区划代码", intake.receiving_region))
            .at("receiving_region", "受理地"));
    }
    let number = check_number(&intake.number)?;
    if number.region() != intake.receiving_region {
        return Err(ValidationError::new(format!(
            "办件编号「{number}」的地区代码不是受理地 {}",
            intake.receiving_region
        ))
        .at("number", "办件编号"));
    }
    if number.date() != Some(intake.received_on) {
        return Err(ValidationError::new(format!("办件编号「{number}」的日期不是受理日期 {}", intake.received_on))
            .at("number", "办件编号"));
    }
    validate::required_text("window", "受理窗口", &intake.window)?;
    Ok(())
}

/// A number from the wire, checked: a `CaseNumber` read from JSON is only a string until then.
pub fn check_number(number: &CaseNumber) -> Result<CaseNumber, FieldError> {
    let parsed = CaseNumber::parse(number.as_str()).map_err(|e| e.at("number", "办件编号"))?;
    if parsed.as_str() != number.as_str() {
        return Err(ValidationError::new(format!("办件编号「{number}」前后不能有空格")).at("number", "办件编号"));
    }
    Ok(parsed)
}

/// Checks who an event says made it: a login and a desk, and a display name of reasonable length
/// without control characters (empty in events made before names travelled with them).
pub fn check_author(author: &Author) -> Result<(), FieldError> {
    let plain = |field: &str, label: &str, value: &str, max: usize| -> Result<(), FieldError> {
        if value.chars().count() > max {
            return Err(ValidationError::new(format!("不能超过 {max} 个字符")).at(field, label));
        }
        if value.chars().any(char::is_control) {
            return Err(ValidationError::new("不能含有控制字符").at(field, label));
        }
        Ok(())
    };
    validate::required_text("author.user", "经办人", &author.user)?;
    validate::required_text("author.desk", "受理台", &author.desk)?;
    plain("author.user", "经办人", &author.user, MAX_ID_CHARS)?;
    plain("author.desk", "受理台", &author.desk, MAX_ID_CHARS)?;
    plain("author.name", "经办人姓名", &author.name, MAX_NAME_CHARS)?;
    Ok(())
}

/// What a 更正编号 does to a case whose number is now `current` and whose intake was taken in
/// under `original`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renumbering {
    /// The case moves from `current` to the new number.
    Moves(CaseNumber),
    /// The case already carries the new number: it was admitted under it together with this
    /// event (an intake never admitted before is renumbered in the same push), nothing changes.
    AlreadyApplied,
}

/// Checks a 更正编号 of a case received in `receiving_region`: `from` is its number now (or, when
/// `to` already is, its intake's), `to` is a well-formed number of the same region and day.
/// Whose desk code `to` must carry, and that nobody holds it, is the caller's to check.
pub fn check_renumbering(
    current: &CaseNumber,
    original: &CaseNumber,
    from: &CaseNumber,
    to: &CaseNumber,
    receiving_region: &str,
) -> Result<Renumbering, FieldError> {
    let to = check_number(to).map_err(|e| FieldError { field: "to".into(), label: "新办件编号".into(), ..e })?;
    if to.region() != receiving_region {
        return Err(ValidationError::new(format!("新办件编号「{to}」的地区代码不是受理地 {receiving_region}"))
            .at("to", "新办件编号"));
    }
    if to.date() != from.date() {
        return Err(
            ValidationError::new(format!("新办件编号「{to}」的日期与原编号「{from}」不同")).at("to", "新办件编号")
        );
    }
    if from == current {
        if &to == current {
            return Err(ValidationError::new("新编号与原编号相同").at("to", "新办件编号"));
        }
        return Ok(Renumbering::Moves(to));
    }
    if &to == current && from == original {
        return Ok(Renumbering::AlreadyApplied);
    }
    Err(ValidationError::new(format!("原编号「{from}」不是该办件现在的编号「{current}」")).at("from", "原办件编号"))
}
