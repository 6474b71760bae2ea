//! What a published 办事指南 says about an item, in the guide's own words: its time limits
//! (即办, 「60日」, 「20（情况特别复杂的可延长至50）」, 「现场即时；网上5」, no legal limit), its
//! type (行政许可, 公共服务, …), who may apply, a material's counts (「原件1份、复印件1份」) and
//! 容缺受理. The catalog files read and write these cells through here, so the wording accepted
//! and the wording written back are one definition.

use serde::{Deserialize, Serialize};

/// How a time limit is counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    /// 工作日: the State Council's calendar (the default: a bare number means working days).
    #[default]
    WorkingDays,
    /// 日 / 天 / 自然日: calendar days; a period ending on a holiday ends on the next working
    /// day (民法典 §203).
    CalendarDays,
}

impl DayUnit {
    pub fn is_working(&self) -> bool {
        *self == DayUnit::WorkingDays
    }

    /// `20个工作日`, `60日`.
    pub fn days(self, n: u32) -> String {
        match self {
            DayUnit::WorkingDays => format!("{n}个工作日"),
            DayUnit::CalendarDays => format!("{n}日"),
        }
    }
}

/// 事项类型 (政务服务事项基本目录): it decides which law the 一次性告知书 cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 行政许可: 行政许可法 applies (§32 for 一次性告知).
    License,
    /// 行政确认.
    Confirmation,
    /// 行政给付.
    Benefit,
    /// 行政征收.
    Levy,
    /// 行政奖励.
    Award,
    /// 行政裁决.
    Ruling,
    /// 其他行政权力.
    OtherPower,
    /// 公共服务.
    PublicService,
}

impl ItemKind {
    pub const ALL: [ItemKind; 8] = [
        ItemKind::License,
        ItemKind::Confirmation,
        ItemKind::Benefit,
        ItemKind::Levy,
        ItemKind::Award,
        ItemKind::Ruling,
        ItemKind::OtherPower,
        ItemKind::PublicService,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ItemKind::License => "行政许可",
            ItemKind::Confirmation => "行政确认",
            ItemKind::Benefit => "行政给付",
            ItemKind::Levy => "行政征收",
            ItemKind::Award => "行政奖励",
            ItemKind::Ruling => "行政裁决",
            ItemKind::OtherPower => "其他行政权力",
            ItemKind::PublicService => "公共服务",
        }
    }

    /// The guide's wording: the label, also with 「事项」 or 「类」 after it (「公共服务事项」).
    pub fn from_label(s: &str) -> Option<ItemKind> {
        let s = s.trim();
        let s = s.strip_suffix("事项").or_else(|| s.strip_suffix('类')).unwrap_or(s);
        ItemKind::ALL.into_iter().find(|k| k.label() == s)
    }

    pub fn labels() -> String {
        ItemKind::ALL.iter().map(|k| format!("「{}」", k.label())).collect::<Vec<_>>().join("")
    }
}

/// 服务对象: who may apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Applicants {
    /// 自然人 only.
    Persons,
    /// 法人 (and other organisations) only.
    Organizations,
    /// Both; also what a catalog that does not say means.
    #[default]
    Both,
}

impl Applicants {
    pub fn label(self) -> &'static str {
        match self {
            Applicants::Persons => "自然人",
            Applicants::Organizations => "法人",
            Applicants::Both => "自然人、法人",
        }
    }

    pub fn is_both(&self) -> bool {
        *self == Applicants::Both
    }

    /// 「自然人」「个人」, 「法人」「企业」「法人和其他组织」, or both in one cell
    /// (「自然人,法人」「个人、企业」「自然人和法人」).
    pub fn from_label(s: &str) -> Option<Applicants> {
        let mut persons = false;
        let mut organizations = false;
        for part in s.split(['、', ',', '，', ';', '；', '/', '／', '和', '及', ' ']).map(str::trim) {
            match part {
                "" => {}
                "自然人" | "个人" | "公民" => persons = true,
                "法人" | "企业" | "企业法人" | "其他组织" | "非法人组织" | "法人或其他组织" | "单位" => {
                    organizations = true
                }
                _ => return None,
            }
        }
        match (persons, organizations) {
            (true, true) => Some(Applicants::Both),
            (true, false) => Some(Applicants::Persons),
            (false, true) => Some(Applicants::Organizations),
            (false, false) => None,
        }
    }

    /// Whether an applicant (a person when `person`, else an enterprise or organisation) may apply.
    pub fn admits(self, person: bool) -> bool {
        match self {
            Applicants::Both => true,
            Applicants::Persons => person,
            Applicants::Organizations => !person,
        }
    }
}

/// 法定办结时限 when the law sets one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LegalLimit {
    pub days: u32,
    #[serde(default, skip_serializing_if = "DayUnit::is_working")]
    pub unit: DayUnit,
    /// 「可延长至50」: the limit after an approved extension, in the same unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_to: Option<u32>,
    /// When it may be extended, in the guide's words (「情况特别复杂的」); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub extension_when: String,
}

/// 承诺办结时限: what the hall promises at its window, and online when that differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Promise {
    /// 0: 即办 (当场办结).
    pub days: u32,
    pub unit: DayUnit,
    /// 「网上5」: the promise for an online application, when the guide gives another one.
    pub online_days: Option<u32>,
}

/// 容缺受理: the material may follow after acceptance, within this period of the intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deferral {
    pub days: u32,
    #[serde(default, skip_serializing_if = "DayUnit::is_working")]
    pub unit: DayUnit,
}

impl Deferral {
    /// What a guide that says only 「可容缺」 means: the period most local 容缺受理 rules give.
    pub const DEFAULT_DAYS: u32 = 5;

    /// 「5个工作日内补齐」.
    pub fn text(&self) -> String {
        format!("{}内补齐", self.unit.days(self.days))
    }
}

/// Words a guide uses for 即办 (0 days).
const AT_ONCE: &[&str] = &[
    "即办",
    "即办件",
    "当场办结",
    "当场",
    "即来即办",
    "即时办结",
    "即时",
    "现场即时",
    "立即办结",
    "当即办结",
    "当场办理",
];
/// How a guide names the window and the online channel of a promise.
const CHANNELS: [(&str, &[&str]); 2] =
    [("现场", &["现场", "窗口", "线下", "大厅"]), ("网上", &["网上", "网办", "线上", "在线", "全程网办"])];
/// Words for "the law sets no limit".
const NO_LIMIT: &[&str] =
    &["无", "无法定时限", "无法定办结时限", "法律法规未规定", "未规定", "—", "-", "/", "／", "无规定"];

/// 「二十」「六十」「5」: a number written with digits or with Chinese numerals up to 999.
fn number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok().filter(|n| *n <= 9999);
    }
    let digit = |c: char| {
        "零一二三四五六七八九".chars().position(|d| d == c).map(|p| p as u32).or(if c == '两' {
            Some(2)
        } else {
            None
        })
    };
    let mut total = 0u32;
    let mut current: Option<u32> = None;
    for c in s.chars() {
        match c {
            '十' => {
                total += current.unwrap_or(1) * 10;
                current = None;
            }
            '百' => {
                total += current?.max(1) * 100;
                current = None;
            }
            _ => current = Some(digit(c)?),
        }
    }
    Some(total + current.unwrap_or(0))
}

/// A leading number and what follows it: 「20个工作日」→ (20, "个工作日").
fn leading_number(s: &str) -> Option<(u32, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || "零一二两三四五六七八九十百".contains(*c)))
        .map_or(s.len(), |(i, _)| i);
    Some((number(&s[..end])?, &s[end..]))
}

/// 「20」「20个工作日」「二十个工作日」「60日」「60天」「60个自然日」, or `None` for anything else.
fn days(s: &str) -> Option<(u32, DayUnit)> {
    let s = s.trim().trim_start_matches(['共', '在']).trim();
    let (n, rest) = leading_number(s)?;
    let rest = rest.trim().trim_end_matches(['。', '.', '内']).trim();
    let unit = match rest {
        "" | "个工作日" | "工作日" | "个工作日内" => DayUnit::WorkingDays,
        "日" | "天" | "个自然日" | "自然日" | "日历日" | "个日历日" => DayUnit::CalendarDays,
        _ => return None,
    };
    Some((n, unit))
}

fn plain(s: &str) -> String {
    s.trim().trim_end_matches(['。', '.']).replace([' ', '\u{3000}'], "")
}

/// 「-3」: a number below zero, said as such.
fn negative(s: &str) -> Option<String> {
    s.starts_with(['-', '－']).then(|| format!("应为正整数，实际为「{s}」"))
}

/// The 法定时限 cell: `Ok(None)` when the law sets none (an empty cell, 「无」). On a problem,
/// the Chinese message says what would be understood.
pub fn parse_legal(text: &str) -> Result<Option<LegalLimit>, String> {
    let s = plain(text);
    if s.is_empty() || NO_LIMIT.contains(&s.as_str()) {
        return Ok(None);
    }
    if let Some(m) = negative(&s) {
        return Err(m);
    }
    if AT_ONCE.contains(&s.as_str()) {
        return Ok(Some(LegalLimit {
            days: 0,
            unit: DayUnit::WorkingDays,
            extended_to: None,
            extension_when: String::new(),
        }));
    }
    let refuse = || {
        format!(
            "「{}」看不懂：应写作「20」「20个工作日」「60日」「即办」「无」，或「20（情况特别复杂的可延长至50）」",
            text.trim()
        )
    };
    // 「20（情况特别复杂的可延长至50）」, 「20个工作日，经批准可延长10个工作日」.
    let (base, extension) = match s.find(['（', '(', '，', ',', '；', ';']) {
        Some(i) => {
            let sep = s[i..].chars().next().map_or(1, char::len_utf8);
            (&s[..i], Some(s[i + sep..].trim_end_matches(['）', ')'])))
        }
        None => (s.as_str(), None),
    };
    let (days, unit) = self::days(base).ok_or_else(refuse)?;
    let mut limit = LegalLimit { days, unit, extended_to: None, extension_when: String::new() };
    if let Some(ext) = extension {
        let Some(at) = ext.find("延长") else { return Err(refuse()) };
        let when = ext[..at].trim_end_matches(['可', '的', '经']).trim();
        let after = ext[at + "延长".len()..].trim();
        let (to, n) = match after.strip_prefix('至').or_else(|| after.strip_prefix("到")) {
            Some(rest) => (true, rest),
            None => (false, after),
        };
        let (n, ext_unit) = self::days(n).ok_or_else(refuse)?;
        // A bare number after the base takes the base's unit.
        let ext_unit = if after.trim().chars().all(|c| c.is_ascii_digit() || "零一二两三四五六七八九十百至".contains(c))
        {
            unit
        } else {
            ext_unit
        };
        if ext_unit != unit {
            return Err(format!("「{}」的延长期限与法定时限的计日方式不同（工作日与日），请统一", text.trim()));
        }
        let extended = if to { n } else { days + n };
        if extended <= days {
            return Err(format!("「{}」延长后的时限（{extended}）应长于法定时限（{days}）", text.trim()));
        }
        limit.extended_to = Some(extended);
        limit.extension_when = when.trim_start_matches(['经', '如']).to_string();
    }
    Ok(Some(limit))
}

/// How [`parse_legal`] reads it back; `None` is 「无」.
pub fn legal_text(limit: Option<&LegalLimit>) -> String {
    let Some(l) = limit else { return "无".to_string() };
    if l.days == 0 {
        return "即办".to_string();
    }
    let base = l.unit.days(l.days);
    match l.extended_to {
        Some(to) if l.extension_when.is_empty() => format!("{base}（可延长至{}）", l.unit.days(to)),
        Some(to) => format!("{base}（{}的可延长至{}）", l.extension_when, l.unit.days(to)),
        None => base,
    }
}

/// The 承诺时限 cell: 「即办」「当场办结」 (0), 「15」「15个工作日」「30日」, or one per channel
/// (「现场即时；网上5」「窗口5个工作日，网上3个工作日」: the window's is the promise, the other
/// the online one).
pub fn parse_promised(text: &str) -> Result<Promise, String> {
    let s = plain(text);
    let refuse = || {
        format!(
            "「{}」看不懂：应写作「15」「15个工作日」「30日」「即办」，或分渠道写作「现场即时；网上5」",
            text.trim()
        )
    };
    let one = |part: &str| -> Option<(u32, DayUnit)> {
        if AT_ONCE.contains(&part) {
            Some((0, DayUnit::WorkingDays))
        } else {
            days(part)
        }
    };
    if s.is_empty() {
        return Err("承诺时限不能为空：即办件请写「即办」".to_string());
    }
    if let Some(m) = negative(&s) {
        return Err(m);
    }
    let parts: Vec<&str> = s.split(['；', ';', '，', ',', '、']).map(str::trim).filter(|p| !p.is_empty()).collect();
    let channel = |p: &str| CHANNELS.iter().any(|(_, words)| words.iter().any(|w| p.starts_with(w)));
    if parts.len() == 1 && !channel(parts[0]) {
        let (days, unit) = one(parts[0]).ok_or_else(refuse)?;
        return Ok(Promise { days, unit, online_days: None });
    }
    let mut window: Option<(u32, DayUnit)> = None;
    let mut online: Option<(u32, DayUnit)> = None;
    for part in &parts {
        let (slot, rest) = if let Some(r) = CHANNELS[0].1.iter().find_map(|p| part.strip_prefix(p)) {
            (&mut window, r)
        } else if let Some(r) = CHANNELS[1].1.iter().find_map(|p| part.strip_prefix(p)) {
            (&mut online, r)
        } else {
            return Err(refuse());
        };
        let rest = rest.trim_start_matches(['：', ':']);
        let rest = rest.strip_prefix("办理").or_else(|| rest.strip_prefix("申请")).unwrap_or(rest);
        let rest = rest.trim_start_matches(['：', ':']).trim();
        if slot.is_some() {
            return Err(refuse());
        }
        *slot = Some(if rest.is_empty() { (0, DayUnit::WorkingDays) } else { one(rest).ok_or_else(refuse)? });
    }
    let (days, mut unit) = window.ok_or_else(|| format!("「{}」没有写现场（窗口）办理的承诺时限", text.trim()))?;
    let online_days = match online {
        // 「现场即时；网上5」: a 即办 side has no unit of its own.
        Some((n, u)) if days == 0 => {
            unit = u;
            Some(n)
        }
        Some((n, u)) if u == unit || n == 0 => Some(n),
        Some(_) => return Err(format!("「{}」中现场与网上的计日方式不同（工作日与日），请统一", text.trim())),
        None => None,
    };
    Ok(Promise { days, unit, online_days })
}

/// How [`parse_promised`] reads it back.
pub fn promised_text(p: &Promise) -> String {
    let one = |n: u32| if n == 0 { "即办".to_string() } else { p.unit.days(n) };
    match p.online_days {
        None => one(p.days),
        Some(online) => {
            format!("现场{}；网上{}", if p.days == 0 { "即时".to_string() } else { one(p.days) }, one(online))
        }
    }
}

/// A promise as a receipt states it: 「当场办结」 or 「20个工作日」.
pub fn promise_label(days: u32, unit: DayUnit) -> String {
    if days == 0 {
        "当场办结".to_string()
    } else {
        unit.days(days)
    }
}

/// The 份数 cell: 「1」「1份」, or for 原件及复印件 「原件1份、复印件2份」 (a bare number then counts
/// both). Returns (originals, copies): for other forms `originals` is 1.
pub fn parse_counts(text: &str, original_and_copy: bool) -> Result<(u32, u32), String> {
    let s = plain(text);
    let refuse = || {
        if original_and_copy {
            format!("「{}」看不懂：应写作「1」或「原件1份、复印件1份」", text.trim())
        } else {
            format!("「{}」看不懂：应为份数，如「1」或「2份」", text.trim())
        }
    };
    let count = |p: &str| -> Option<u32> {
        let p = p.trim().trim_start_matches('各').trim_end_matches(['份', '张', '本', '套']).trim();
        number(p).filter(|n| *n > 0)
    };
    if s.is_empty() {
        return Err("不能为空".to_string());
    }
    if s.contains("原件") || s.contains("复印件") {
        let mut originals = None;
        let mut copies = None;
        for part in s.split(['、', '，', ',', '；', ';', ' ']).filter(|p| !p.is_empty()) {
            if let Some(rest) = part.strip_prefix("原件") {
                originals = Some(count(rest).ok_or_else(refuse)?);
            } else if let Some(rest) = part.strip_prefix("复印件") {
                copies = Some(count(rest).ok_or_else(refuse)?);
            } else {
                return Err(refuse());
            }
        }
        return match (original_and_copy, originals, copies) {
            (true, Some(o), Some(c)) => Ok((o, c)),
            (false, _, _) => Err(format!("「{}」分别写了原件和复印件，材料形式应为「原件及复印件」", text.trim())),
            _ => Err(refuse()),
        };
    }
    let n = count(&s).ok_or_else(refuse)?;
    Ok((if original_and_copy { n } else { 1 }, n))
}

/// How [`parse_counts`] reads it back.
pub fn counts_text(originals: u32, copies: u32, original_and_copy: bool) -> String {
    if original_and_copy {
        format!("原件{originals}份、复印件{copies}份")
    } else {
        copies.to_string()
    }
}

/// The 容缺受理 cell: empty or 「否」 (no); 「是」「可容缺」「容缺受理」 (the default period);
/// 「10个工作日内补齐」「可容缺，10日内补交」.
pub fn parse_deferral(text: &str) -> Result<Option<Deferral>, String> {
    let s = plain(text);
    if s.is_empty() || matches!(s.as_str(), "否" | "不可容缺" | "不容缺" | "无") {
        return Ok(None);
    }
    let rest = ["可容缺受理", "容缺受理", "可容缺", "容缺", "是"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .unwrap_or(&s)
        .trim_start_matches(['，', ',', '：', ':', '（', '('])
        .trim_end_matches(['）', ')']);
    if rest.is_empty() {
        return Ok(Some(Deferral { days: Deferral::DEFAULT_DAYS, unit: DayUnit::WorkingDays }));
    }
    let period =
        ["内补齐", "内补交", "内补正", "内提交", "内补充"].iter().find_map(|p| rest.strip_suffix(p)).unwrap_or(rest);
    match days(period) {
        Some((n, unit)) if n > 0 => Ok(Some(Deferral { days: n, unit })),
        _ => Err(format!("「{}」看不懂：应为「否」「是」或补齐期限，如「10个工作日内补齐」", text.trim())),
    }
}

/// How [`parse_deferral`] reads it back (empty: not deferrable).
pub fn deferral_text(d: Option<&Deferral>) -> String {
    d.map(Deferral::text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_limits_in_the_guides_words() {
        let l = |s: &str| parse_legal(s).unwrap();
        assert_eq!(l(""), None);
        assert_eq!(l("无"), None);
        assert_eq!(l("20").unwrap().days, 20);
        assert_eq!(l("二十个工作日").unwrap().days, 20);
        let cal = l("60日").unwrap();
        assert_eq!((cal.days, cal.unit), (60, DayUnit::CalendarDays));
        let ext = l("20（情况特别复杂的可延长至50）").unwrap();
        assert_eq!((ext.days, ext.extended_to, ext.extension_when.as_str()), (20, Some(50), "情况特别复杂"));
        let by = l("20个工作日，经本机关负责人批准可延长10个工作日").unwrap();
        assert_eq!(by.extended_to, Some(30));
        assert_eq!(l("即办").unwrap().days, 0);
        assert!(parse_legal("尽快").is_err());
        assert!(parse_legal("20（可延长至10）").is_err());
        for s in ["20", "60日", "20（情况特别复杂的可延长至50）", "无", "即办"] {
            let once = parse_legal(s).unwrap();
            assert_eq!(parse_legal(&legal_text(once.as_ref())).unwrap(), once, "{s}");
        }
    }

    #[test]
    fn promises_per_channel() {
        let p = |s: &str| parse_promised(s).unwrap();
        assert_eq!(p("即办").days, 0);
        assert_eq!(p("当场办结").days, 0);
        assert_eq!(p("15个工作日"), Promise { days: 15, unit: DayUnit::WorkingDays, online_days: None });
        assert_eq!(p("30日").unit, DayUnit::CalendarDays);
        assert_eq!(p("现场即时；网上5"), Promise { days: 0, unit: DayUnit::WorkingDays, online_days: Some(5) });
        assert_eq!(p("窗口5个工作日，网上3个工作日").online_days, Some(3));
        assert!(parse_promised("").is_err());
        assert!(parse_promised("网上5").is_err());
        for s in ["即办", "15个工作日", "30日", "现场即时；网上5", "现场5个工作日；网上3个工作日"]
        {
            let once = p(s);
            assert_eq!(p(&promised_text(&once)), once, "{s}");
        }
    }

    #[test]
    fn counts_and_deferrals() {
        assert_eq!(parse_counts("原件1份、复印件2份", true), Ok((1, 2)));
        assert_eq!(parse_counts("1", true), Ok((1, 1)));
        assert_eq!(parse_counts("2份", false), Ok((1, 2)));
        assert!(parse_counts("原件1份", true).is_err());
        assert!(parse_counts("原件1份、复印件1份", false).is_err());
        assert!(parse_counts("0", false).is_err());
        assert_eq!(parse_deferral("否"), Ok(None));
        assert_eq!(parse_deferral("可容缺").unwrap().unwrap().days, Deferral::DEFAULT_DAYS);
        let d = parse_deferral("可容缺，10日内补交").unwrap().unwrap();
        assert_eq!((d.days, d.unit), (10, DayUnit::CalendarDays));
        assert_eq!(parse_deferral(&deferral_text(Some(&d))), Ok(Some(d)));
        assert!(parse_deferral("视情况").is_err());
    }

    #[test]
    fn kinds_and_applicants() {
        assert_eq!(ItemKind::from_label("公共服务事项"), Some(ItemKind::PublicService));
        assert_eq!(ItemKind::from_label("行政许可"), Some(ItemKind::License));
        assert_eq!(Applicants::from_label("自然人"), Some(Applicants::Persons));
        assert_eq!(Applicants::from_label("企业法人"), Some(Applicants::Organizations));
        assert_eq!(Applicants::from_label("自然人,法人"), Some(Applicants::Both));
        assert_eq!(Applicants::from_label("外星人"), None);
        assert!(!Applicants::Persons.admits(false));
    }
}
