//! Checks of what a clerk types, each failure a Chinese sentence saying what is wrong and,
//! where there is one, what would be right (e.g. the check digit the number should end with).
//!
//! The core has no clock: checks that depend on the date (a birth date after today) take
//! `today`, the caller's date in Beijing. Some findings are not errors but notes for the clerk
//! ([`ValidationWarning`]): the value is kept, the window shows the note.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Serialize;

use crate::applicant::IdKind;
use crate::region;

/// What is wrong with one value, in Chinese, without naming the field (the caller knows it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    pub message: String,
}

impl ValidationError {
    pub fn new(message: impl Into<String>) -> Self {
        ValidationError { message: message.into() }
    }

    /// Names the field: `field` is the machine path (`applicant.id_number`), `label` the Chinese
    /// name shown to the clerk (`申请人证件号码`).
    pub fn at(self, field: &str, label: &str) -> FieldError {
        FieldError { field: field.to_string(), label: label.to_string(), message: self.message }
    }
}

/// A problem with one named field of a form or a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{label}：{message}")]
pub struct FieldError {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// Something worth a second look that does not make the value wrong (e.g. an address code
/// missing from this build's region list: old codes stay on real IDs). The value is accepted;
/// the window shows the note beside the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationWarning {
    pub message: String,
}

impl ValidationWarning {
    /// Names the field, as [`ValidationError::at`] does.
    pub fn at(self, field: &str, label: &str) -> FieldWarning {
        FieldWarning { field: field.to_string(), label: label.to_string(), message: self.message }
    }
}

/// A note about one named field of a form; never blocks saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldWarning {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// A non-empty text after trimming.
pub fn required_text(field: &str, label: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ValidationError::new("不能为空").at(field, label));
    }
    Ok(v.to_string())
}

/// What a valid 居民身份证号码 tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentId {
    /// 18 characters, check character upper-case.
    pub number: String,
    /// The 6-digit address code (may be an abolished one; those stay valid).
    pub region: String,
    pub birth_date: NaiveDate,
    pub male: bool,
}

impl ResidentId {
    /// What the clerk should look at again although the number is valid.
    pub fn warning(&self) -> Option<ValidationWarning> {
        region_code_warning(&self.region)
    }
}

/// The note for an address code that this build's region list (GB/T 2260 as shipped in
/// `data/regions.tsv`) does not hold: abolished and renamed counties' codes stay on the IDs
/// issued under them for life, so this is never an error.
pub fn region_code_warning(code: &str) -> Option<ValidationWarning> {
    (!region::is_valid_code(code)).then(|| ValidationWarning {
        message: format!("行政区划代码 {code} 不在现行代码表中，请核对"),
    })
}

// ---------------------------------------------------------------------------------------------
// Normalisation shared by every checker.

/// Trims and turns full-width forms (０-９, Ａ-Ｚ, ａ-ｚ, ＋, －, （…) into ASCII: Chinese IMEs
/// produce them and they look the same as the half-width ones on screen.
fn normalize(s: &str) -> String {
    s.chars().map(half_width).collect::<String>().trim().to_string()
}

fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn err(message: impl Into<String>) -> ValidationError {
    ValidationError::new(message)
}

fn digit(c: char) -> u32 {
    c.to_digit(10).unwrap_or(0)
}

fn digits_value(chars: &[char]) -> u32 {
    chars.iter().fold(0, |acc, &c| acc * 10 + digit(c))
}

fn text(chars: &[char]) -> String {
    chars.iter().collect()
}

/// Province-level codes of the mainland (GB/T 2260 first two digits).
fn is_mainland_province(code: u32) -> bool {
    matches!(code, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65)
}

// ---------------------------------------------------------------------------------------------
// GB 11643 numbers: 居民身份证, 港澳台居民居住证, 外国人永久居留身份证 (2023).

const GB11643_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const GB11643_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The MOD 11-2 check character of GB 11643 for the first 17 digits; `None` unless the input
/// is exactly 17 ASCII digits.
pub fn resident_id_check_digit(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(GB11643_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(GB11643_CHECK[(sum % 11) as usize])
}

/// Length and characters of an 18-character GB 11643 number; returns the characters with the
/// check character upper-cased.
fn gb11643_chars(s: &str) -> Result<Vec<char>, ValidationError> {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() != 18 {
        return Err(err(format!("应为18位，实际为{}位", chars.len())));
    }
    for (i, &c) in chars.iter().enumerate() {
        let pos = i + 1;
        if pos < 18 && !c.is_ascii_digit() {
            return Err(err(format!("第{pos}位「{c}」不是数字")));
        }
        if pos == 18 && !(c.is_ascii_digit() || c == 'X' || c == 'x') {
            return Err(err(format!("第18位「{c}」应为数字或X")));
        }
    }
    chars[17] = chars[17].to_ascii_uppercase();
    Ok(chars)
}

/// The birth date in digits 7-14 (yyyymmdd), a real date from 1900 on and not after `today`.
fn gb11643_birth_date(chars: &[char], today: NaiveDate) -> Result<NaiveDate, ValidationError> {
    let (y, m, d) = (&chars[6..10], &chars[10..12], &chars[12..14]);
    let shown = format!("出生日期{}年{}月{}日", text(y), text(m), text(d));
    let date = NaiveDate::from_ymd_opt(digits_value(y) as i32, digits_value(m), digits_value(d))
        .ok_or_else(|| err(format!("{shown}不存在")))?;
    match digits_value(y) {
        ..1900 => Err(err(format!("{shown}早于1900年，请核对"))),
        2101.. => Err(err(format!("{shown}晚于2100年，请核对"))),
        _ if date > today => Err(err(format!(
            "出生日期晚于今天：{}年{}月{}日出生，今天是{}，请核对",
            text(y),
            text(m),
            text(d),
            today.format("%Y年%-m月%-d日")
        ))),
        _ => Ok(date),
    }
}

fn gb11643_check(chars: &[char]) -> Result<(), ValidationError> {
    let want = resident_id_check_digit(&text(&chars[..17])).ok_or_else(|| err("前17位应全部为数字"))?;
    let got = chars[17];
    if got != want {
        return Err(err(format!("校验码错误：第18位为「{got}」，按GB 11643应为「{want}」")));
    }
    Ok(())
}

/// 居民身份证号码 (GB 11643-1999) as of `today` (Beijing). Address codes are checked only for a
/// real province prefix: numbers issued under since-abolished county codes stay valid for life
/// (see [`ResidentId::warning`]).
pub fn resident_id(s: &str, today: NaiveDate) -> Result<ResidentId, ValidationError> {
    let s = normalize(s);
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    if s.chars().count() == 15 && s.chars().all(|c| c.is_ascii_digit()) {
        return Err(err("15位第一代身份证号码已不再受理，请使用18位号码"));
    }
    let chars = gb11643_chars(&s)?;
    let province = digits_value(&chars[..2]);
    if matches!(province, 71 | 81 | 82 | 83) {
        return Err(err(format!(
            "地址码「{}」属于港澳台地区，港澳台居民居住证请选择证件类型「港澳台居民居住证」",
            text(&chars[..6])
        )));
    }
    if !is_mainland_province(province) {
        return Err(err(format!("第1-2位「{}」不是有效的省级行政区划代码", text(&chars[..2]))));
    }
    let birth_date = gb11643_birth_date(&chars, today)?;
    gb11643_check(&chars)?;
    Ok(ResidentId { number: text(&chars), region: text(&chars[..6]), birth_date, male: digit(chars[16]) % 2 == 1 })
}

/// 港澳台居民居住证: a GB 11643 number whose address code is 810000, 820000 or 830000.
fn hmt_residence_permit(s: &str, today: NaiveDate) -> Result<String, ValidationError> {
    let s = normalize(s);
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    let chars = gb11643_chars(&s)?;
    let code = text(&chars[..6]);
    if !matches!(code.as_str(), "810000" | "820000" | "830000") {
        return Err(err(format!(
            "第1-6位地址码为「{code}」，港澳台居民居住证应为810000（香港）、820000（澳门）或830000（台湾）"
        )));
    }
    gb11643_birth_date(&chars, today)?;
    gb11643_check(&chars)?;
    Ok(text(&chars))
}

/// 外国人永久居留身份证, 2023 form: 9, province (2), nationality (3), birth yyyymmdd (8),
/// sequence (3), MOD 11-2 check character.
fn foreign_permanent_2023(s: &str, today: NaiveDate) -> Result<String, ValidationError> {
    let s = normalize(s);
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    let n = s.chars().count();
    if n == 15 && s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(err("应为18位，实际为15位（15位的是2017版，请选择证件类型「外国人永久居留身份证（2017版）」）"));
    }
    let chars = gb11643_chars(&s)?;
    if chars[0] != '9' {
        return Err(err(format!("第1位「{}」应为9（2023版外国人永久居留身份证以9开头）", chars[0])));
    }
    if !is_mainland_province(digits_value(&chars[1..3])) {
        return Err(err(format!("第2-3位「{}」不是有效的省级行政区划代码", text(&chars[1..3]))));
    }
    gb11643_birth_date(&chars, today)?;
    gb11643_check(&chars)?;
    Ok(text(&chars))
}

/// 外国人永久居留身份证, 2017 form: nationality (3 letters), region (4), birth yymmdd (6),
/// sequence (2). There is no published check character to verify.
fn foreign_permanent_2017(s: &str) -> Result<String, ValidationError> {
    let s = normalize(s).to_ascii_uppercase();
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() != 15 {
        if chars.len() == 18 && chars[0] == '9' {
            return Err(err(
                "应为15位，实际为18位（以9开头的18位号码是2023版，请选择证件类型「外国人永久居留身份证（2023版）」）",
            ));
        }
        return Err(err(format!("应为15位，实际为{}位", chars.len())));
    }
    for (i, &c) in chars.iter().enumerate() {
        let pos = i + 1;
        if pos <= 3 && !c.is_ascii_uppercase() {
            return Err(err(format!("第{pos}位「{c}」应为字母（第1-3位为国籍代码）")));
        }
        if pos > 3 && !c.is_ascii_digit() {
            return Err(err(format!("第{pos}位「{c}」不是数字")));
        }
    }
    let (y, m, d) = (&chars[7..9], &chars[9..11], &chars[11..13]);
    let (yy, mm, dd) = (digits_value(y) as i32, digits_value(m), digits_value(d));
    // Two-digit year: the century is unknown, so 29 February stands if either century allows it.
    let exists =
        NaiveDate::from_ymd_opt(1900 + yy, mm, dd).is_some() || NaiveDate::from_ymd_opt(2000 + yy, mm, dd).is_some();
    if !exists {
        return Err(err(format!("出生日期{}年{}月{}日不存在", text(y), text(m), text(d))));
    }
    Ok(s)
}

fn passport(s: &str) -> Result<String, ValidationError> {
    let s = normalize(s).to_ascii_uppercase();
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_alphanumeric()) {
        return Err(err(format!("第{}位「{c}」不是字母或数字", i + 1)));
    }
    let n = s.len();
    if !(5..=17).contains(&n) {
        return Err(err(format!("应为5至17位字母或数字，实际为{n}位")));
    }
    Ok(s)
}

/// 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) then 8 digits; older cards have 10.
fn hk_macao_permit(s: &str) -> Result<String, ValidationError> {
    let s = normalize(s).to_ascii_uppercase();
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    let chars: Vec<char> = s.chars().collect();
    if !matches!(chars[0], 'H' | 'M') || !matches!(chars.len(), 9 | 11) {
        return Err(err("应为H或M开头加8位数字"));
    }
    if let Some((i, c)) = chars.iter().enumerate().skip(1).find(|(_, c)| !c.is_ascii_digit()) {
        return Err(err(format!("第{}位「{c}」不是数字", i + 1)));
    }
    Ok(s)
}

/// 台湾居民来往大陆通行证: 8 digits; older cards have 10.
fn taiwan_permit(s: &str) -> Result<String, ValidationError> {
    let s = normalize(s);
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(err(format!("第{}位「{c}」不是数字", i + 1)));
    }
    let n = s.len();
    if !matches!(n, 8 | 10) {
        return Err(err(format!("应为8位数字（旧版为10位），实际为{n}位")));
    }
    Ok(s)
}

/// Checks a 证件号码 by its 证件类型 as of `today` (Beijing) and returns it in canonical form
/// (trimmed, half-width, letters upper-case).
pub fn id_document(kind: IdKind, s: &str, today: NaiveDate) -> Result<String, ValidationError> {
    match kind {
        IdKind::ResidentId => resident_id(s, today).map(|id| id.number),
        IdKind::HmtResidencePermit => hmt_residence_permit(s, today),
        IdKind::ForeignPermanent2017 => foreign_permanent_2017(s),
        IdKind::ForeignPermanent2023 => foreign_permanent_2023(s, today),
        IdKind::Passport => passport(s),
        IdKind::HkMacaoPermit => hk_macao_permit(s),
        IdKind::TaiwanPermit => taiwan_permit(s),
    }
}

/// The note for a valid 证件号码, if any: a 居民身份证's address code missing from the region
/// list. `None` for a number that does not validate (its error says more).
pub fn id_document_warning(kind: IdKind, s: &str, today: NaiveDate) -> Option<ValidationWarning> {
    match kind {
        IdKind::ResidentId => resident_id(s, today).ok()?.warning(),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// 统一社会信用代码 (GB 32100-2015).

const USCC_CATEGORIES_TSV: &str = include_str!("../data/uscc-categories.tsv");

/// One row of GB 32100's table of 登记管理部门代码 (first character) and the 机构类别代码
/// (second character) each may assign, shipped as `data/uscc-categories.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsccCategory {
    pub department: char,
    pub department_name: &'static str,
    pub category: char,
    pub category_name: &'static str,
}

/// The whole table, in file order. The file is part of the build; a malformed line is a bug
/// caught by the tests, so it panics naming the line.
pub fn uscc_categories() -> &'static [UsccCategory] {
    static TABLE: OnceLock<Vec<UsccCategory>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let one_char = |s: &str, n: usize| -> char {
            let mut cs = s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) if uscc_value(c).is_some() => c,
                _ => panic!("uscc-categories.tsv line {n}: {s:?} is not one character of the code's alphabet"),
            }
        };
        USCC_CATEGORIES_TSV
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|(i, line)| {
                let f: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
                assert!(f.len() == 4, "uscc-categories.tsv line {}: expected 4 fields", i + 1);
                UsccCategory {
                    department: one_char(f[0], i + 1),
                    department_name: f[1],
                    category: one_char(f[2], i + 1),
                    category_name: f[3],
                }
            })
            .collect()
    })
}

/// Checks characters 1 and 2 against GB 32100's table.
fn uscc_department_and_category(typed: &[char], code: &[char]) -> Result<(), ValidationError> {
    let rows: Vec<&UsccCategory> = uscc_categories().iter().filter(|r| r.department == code[0]).collect();
    let Some(first) = rows.first() else {
        return Err(err(format!("第1位「{}」不是有效的登记管理部门代码", typed[0])));
    };
    if !rows.iter().any(|r| r.category == code[1]) {
        let allowed: Vec<String> = rows.iter().map(|r| format!("{}（{}）", r.category, r.category_name)).collect();
        return Err(err(format!(
            "第2位「{}」不是有效的机构类别代码：登记管理部门代码{}（{}）下只有{}",
            typed[1],
            first.department,
            first.department_name,
            allowed.join("、")
        )));
    }
    Ok(())
}

/// The 31 characters of GB 32100, in value order (no I, O, Z, S, V).
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c.to_ascii_uppercase()).map(|i| i as u32)
}

/// The GB 32100 check character for the first 17 characters (case-insensitive); `None` unless
/// the input is exactly 17 characters of the code's alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let values: Vec<u32> = first17.chars().map(uscc_value).collect::<Option<_>>()?;
    if values.len() != 17 {
        return None;
    }
    let sum: u32 = values.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    USCC_ALPHABET.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// 统一社会信用代码; returns it upper-case.
pub fn uscc(s: &str) -> Result<String, ValidationError> {
    let s = normalize(s);
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    let typed: Vec<char> = s.chars().collect();
    if typed.len() != 18 {
        return Err(err(format!("应为18位，实际为{}位", typed.len())));
    }
    // Messages quote the character as typed; checks use the upper-case one.
    for (i, &c) in typed.iter().enumerate() {
        if uscc_value(c).is_none() {
            return Err(err(format!("第{}位「{c}」不在统一社会信用代码字符集中（不使用I、O、Z、S、V）", i + 1)));
        }
    }
    let code = s.to_ascii_uppercase();
    let chars: Vec<char> = code.chars().collect();
    uscc_department_and_category(&typed, &chars)?;
    if let Some((i, c)) = typed.iter().enumerate().take(8).skip(2).find(|(_, c)| !c.is_ascii_digit()) {
        return Err(err(format!("第{}位「{c}」不是数字（第3-8位为登记管理机关行政区划码）", i + 1)));
    }
    let want = uscc_check_char(&code[..17]).ok_or_else(|| err("前17位含有无效字符"))?;
    let got = chars[17];
    if got != want {
        return Err(err(format!("校验码错误：第18位为「{got}」，按GB 32100应为「{want}」")));
    }
    Ok(code)
}

// ---------------------------------------------------------------------------------------------
// Phones.

/// Drops the country prefix (+86, 0086, 86) of a number whose separators were removed.
fn strip_country_code(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix("+86").or_else(|| s.strip_prefix("0086")) {
        return rest;
    }
    // A bare 86 is a prefix only when a mobile number follows: no mobile number starts with 86.
    match s.strip_prefix("86") {
        Some(rest) if rest.starts_with('1') && s.len() > 11 => rest,
        _ => s,
    }
}

/// 手机号码; returns the 11 digits.
pub fn mobile(s: &str) -> Result<String, ValidationError> {
    let s = normalize(s);
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    let compact: String = s.chars().filter(|&c| c != '-' && !c.is_whitespace()).collect();
    let digits = strip_country_code(&compact);
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(err(format!("手机号码含有非数字字符「{c}」")));
    }
    if digits.len() != 11 {
        return Err(err(format!("手机号码应为11位数字，实际为{}位", digits.len())));
    }
    let b = digits.as_bytes();
    if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
        return Err(err("手机号码应以13-19开头"));
    }
    Ok(digits.to_string())
}

/// 固定电话; returns "区号-本地号码" plus "-分机号" if there is one.
pub fn landline(s: &str) -> Result<String, ValidationError> {
    let s = normalize(s);
    if s.is_empty() {
        return Err(err("不能为空"));
    }
    let (main, ext_after_zhuan) = match s.split_once('转') {
        Some((m, e)) => (m, Some(e.trim())),
        None => (s.as_str(), None),
    };
    // Parentheses around the area code, "(0377)66012345", are read as a separator.
    let main: String = main.chars().map(|c| if matches!(c, '(' | ')') { ' ' } else { c }).collect();
    let main = main.trim();
    let (main, international) = match main.strip_prefix("+86").or_else(|| main.strip_prefix("0086")) {
        Some(rest) => (rest, true),
        None => (main, false),
    };
    if let Some(c) = main.chars().find(|&c| !(c.is_ascii_digit() || c == '-' || c.is_whitespace())) {
        return Err(err(format!("固定电话含有非数字字符「{c}」")));
    }
    let mut groups: Vec<String> =
        main.split(|c: char| c == '-' || c.is_whitespace()).filter(|g| !g.is_empty()).map(String::from).collect();
    if groups.is_empty() {
        return Err(err("固定电话应包含区号，如 0377-66012345"));
    }
    // From abroad the trunk 0 of the area code is dropped: +86 377 66012345.
    if international && !groups[0].starts_with('0') {
        groups[0].insert(0, '0');
    }
    let first = groups.remove(0);
    if !first.starts_with('0') || first.starts_with("00") {
        return Err(err("固定电话应包含区号，如 0377-66012345"));
    }
    // 010 and 020-029 are three digits, every other area code four.
    let area_len = if first.starts_with("010") || first.starts_with("02") { 3 } else { 4 };
    let mut rest = groups;
    if first.len() > area_len {
        rest.insert(0, first[area_len..].to_string());
    } else if first.len() < area_len {
        return Err(err(format!("区号「{first}」不完整：010、020-029为3位，其他区号为4位")));
    }
    let area = &first[..area_len];
    if rest.is_empty() {
        return Err(err("固定电话缺少本地号码，如 0377-66012345"));
    }
    // A local number written in two groups ("010-6552 8888") is joined until it is 7 digits.
    let mut local = String::new();
    let mut rest = rest.into_iter();
    for g in rest.by_ref() {
        local.push_str(&g);
        if local.len() >= 7 {
            break;
        }
    }
    let ext_groups: Vec<String> = rest.collect();
    if local.len() < 7 || local.len() > 8 {
        return Err(err(format!("本地号码应为7-8位，实际为{}位", local.len())));
    }
    if local.starts_with(['0', '1']) {
        return Err(err(format!("本地号码「{local}」不能以0或1开头")));
    }
    let ext = match (ext_after_zhuan, ext_groups.as_slice()) {
        (Some(_), [_, ..]) | (None, [_, _, ..]) => {
            return Err(err("分机号只能有一个，如 0377-66012345-123 或 0377-66012345转123"));
        }
        (Some(e), []) => Some(e.to_string()),
        (None, [e]) => Some(e.clone()),
        (None, []) => None,
    };
    match ext {
        Some(e) if e.is_empty() => Err(err("「转」后缺少分机号")),
        Some(e) if e.len() > 6 || !e.chars().all(|c| c.is_ascii_digit()) => {
            Err(err(format!("分机号「{e}」应为1-6位数字")))
        }
        Some(e) => Ok(format!("{area}-{local}-{e}")),
        None => Ok(format!("{area}-{local}")),
    }
}

/// 联系电话: a mobile or a landline number, in the canonical form of either.
pub fn phone(s: &str) -> Result<String, ValidationError> {
    let norm = normalize(s);
    if norm.is_empty() {
        return Err(err("不能为空"));
    }
    let mobile_err = match mobile(&norm) {
        Ok(m) => return Ok(m),
        Err(e) => e,
    };
    let landline_err = match landline(&norm) {
        Ok(l) => return Ok(l),
        Err(e) => e,
    };
    const BOTH: &str = "应为11位手机号码（如 13812345678）或带区号的固定电话（如 0377-66012345）";
    // Name the specific fault when it is clear which of the two was meant.
    let compact: String = norm.chars().filter(|&c| c != '-' && !c.is_whitespace()).collect();
    let digits = strip_country_code(&compact);
    let detail = if digits.starts_with('1') {
        Some(mobile_err)
    } else if digits.starts_with('0') || digits.starts_with('(') || norm.contains('转') {
        Some(landline_err)
    } else {
        None
    };
    Err(match detail {
        Some(d) => err(format!("{BOTH}；{}", d.message)),
        None => err(BOTH),
    })
}
