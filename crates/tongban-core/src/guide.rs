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

/// 收费, as the guide states it: free, one or more charges, or the guide's words when no amount
/// can be read from them (「按国家规定标准收取」). Money is counted in 分, never as a float.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fee {
    /// 不收费 / 免费; also what an empty 收费 cell has always meant.
    #[default]
    Free,
    /// 「工本费20元」, 「每件10元」, 「按面积收取：住宅每件80元，非住宅每件550元」.
    Charges {
        /// What the guide says before the charges (「按面积收取」); may be empty.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        how: String,
        charges: Vec<Charge>,
    },
    /// The guide's words, kept as they are: no amount could be read from them.
    Text { text: String },
}

/// One charge of a fee.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Charge {
    /// 「工本费」, 「住宅」; may be empty (「每件10元」).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// In 分 (1元 = 100分).
    pub amount_fen: u64,
    /// 「每件」, 「每本」; empty for a charge once per case.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// The guide's words in brackets after it (「首次申领免费」); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// 决定机构: the one a guide names apart from the 办理部门, else the 办理部门 (it decides).
pub fn decider<'a>(department: &'a str, decided_by: &'a str) -> &'a str {
    if decided_by.trim().is_empty() {
        department
    } else {
        decided_by
    }
}

/// The most a single charge may be: 一亿元, far above any 行政事业性收费.
const MAX_FEN: u64 = 100_000_000 * 100;

/// 「20」「20.5」: 元 with at most two decimals, in 分.
fn yuan_to_fen(s: &str) -> Option<u64> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) || (s.contains('.') && frac.is_empty()) {
        return None;
    }
    let whole = if whole.chars().all(|c| c.is_ascii_digit()) && !whole.is_empty() {
        whole.parse::<u64>().ok()?
    } else if frac.is_empty() {
        u64::from(number(whole)?)
    } else {
        return None;
    };
    let frac: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// 2000 → 「20」, 2050 → 「20.5」, 2005 → 「20.05」.
pub fn yuan_text(fen: u64) -> String {
    match fen % 100 {
        0 => format!("{}", fen / 100),
        f if f % 10 == 0 => format!("{}.{}", fen / 100, f / 10),
        f => format!("{}.{f:02}", fen / 100),
    }
}

/// Words a guide uses for no fee.
const FREE: &[&str] = &[
    "不收费",
    "免费",
    "免费办理",
    "免收",
    "免收费用",
    "不收取费用",
    "不收取任何费用",
    "无",
    "否",
    "无收费",
    "无收费项目",
    "0",
    "0元",
];

/// Splits at `seps` outside brackets.
fn split_outside_brackets<'a>(s: &'a str, seps: &[char]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth -= 1,
            c if depth <= 0 && seps.contains(&c) => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// The charges of a fee cell: split at ，；。 and new lines; at 、 only where that leaves one
/// amount a part (「换领、补领居民身份证工本费20元」 is one charge, 「住宅80元、非住宅550元」 two).
fn fee_parts(s: &str) -> Vec<&str> {
    split_outside_brackets(s, &['，', ',', '；', ';', '\n', '。'])
        .into_iter()
        .flat_map(
            |part| {
                if part.matches('元').count() > 1 {
                    split_outside_brackets(part, &['、'])
                } else {
                    vec![part]
                }
            },
        )
        .collect()
}

/// One charge: `Ok(None)` when the part has no 元 to read (the fee is then kept as text).
fn parse_charge(part: &str, whole: &str) -> Result<Option<Charge>, String> {
    let example = "应写作「工本费20元」「每件10元」或「住宅每件80元」";
    // 「工本费20元（首次申领免费）」.
    let (body, note) = match part.strip_suffix(['）', ')']).and_then(|p| p.rfind(['（', '(']).map(|i| (p, i))) {
        Some((p, i)) => {
            let open = p[i..].chars().next().map_or(1, char::len_utf8);
            (p[..i].trim(), p[i + open..].trim().to_string())
        }
        None => (part, String::new()),
    };
    if body.matches('元').count() != 1 {
        return Ok(None);
    }
    let (before, after) = body.split_once('元').unwrap_or((body, ""));
    let after = after.trim();
    let mut unit = match after {
        "" => String::new(),
        a if a.starts_with(['/', '／']) => format!("每{}", a.trim_start_matches(['/', '／']).trim()),
        a if a.starts_with('每') && a.chars().count() <= 4 => a.to_string(),
        _ => return Ok(None),
    };
    let digits_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.' || "零一二两三四五六七八九十百".contains(*c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    let (prefix, amount) = (before[..digits_start].trim(), before[digits_start..].trim());
    if prefix.ends_with(['-', '－']) {
        return Err(format!("「{whole}」中的金额「-{amount}元」是负数：收费金额应为正数，{example}"));
    }
    if amount.is_empty() {
        return Err(format!("「{whole}」中的「{part}」没有写金额：{example}"));
    }
    let fen = yuan_to_fen(amount).ok_or_else(|| {
        format!("「{whole}」中的金额「{amount}元」看不懂：金额写到分为止（最多两位小数，如「20.50元」），{example}")
    })?;
    if fen > MAX_FEN {
        return Err(format!("「{whole}」中的金额「{amount}元」过大，请核对"));
    }
    // 「住宅每件」「工本费每本」: the unit before the amount.
    let mut name = prefix;
    if unit.is_empty() {
        if let Some(i) = prefix.rfind('每') {
            if prefix[i..].chars().count() <= 3 {
                unit = prefix[i..].to_string();
                name = prefix[..i].trim();
            }
        }
    }
    let name = ["收费标准为", "收费标准", "标准为", "为", "：", ":"]
        .iter()
        .fold(name, |n, suffix| n.strip_suffix(suffix).unwrap_or(n))
        .trim()
        .to_string();
    Ok(Some(Charge { name, amount_fen: fen, unit, note }))
}

/// The 收费 cell: empty or 「不收费」「免费」 (free); 「工本费20元」, 「每件10元」, several charges
/// separated by 、，；, after what says how (「按面积收取：住宅每件80元，非住宅每件550元」). Wording
/// with no amount to read (「按国家规定标准收取」) is kept as [`Fee::Text`]: the caller warns.
/// An amount that cannot be right (negative, 「元」 without a number, more than two decimals)
/// is a problem, in Chinese.
pub fn parse_fee(text: &str) -> Result<Fee, String> {
    let s = plain(text);
    let s = s.strip_prefix("收费标准：").or_else(|| s.strip_prefix("收费标准:")).unwrap_or(&s);
    if s.is_empty() || FREE.contains(&s) {
        return Ok(Fee::Free);
    }
    let whole = text.trim();
    let (how, rest) = match s.split_once(['：', ':']) {
        Some((how, rest)) if !how.contains('元') => (how.trim().to_string(), rest),
        _ => (String::new(), s),
    };
    let mut how = how;
    let mut charges: Vec<Charge> = Vec::new();
    for part in fee_parts(rest) {
        match parse_charge(part, whole)? {
            Some(c) => charges.push(c),
            // Words without an amount: before the first charge they say how (「按照规定，工本费
            // 20元」), after one they qualify it (「工本费20元，首次申领免费」).
            None if !part.contains('元') => match charges.last_mut() {
                None => {
                    if !how.is_empty() {
                        how.push('，');
                    }
                    how.push_str(part);
                }
                Some(last) => {
                    if !last.note.is_empty() {
                        last.note.push('，');
                    }
                    last.note.push_str(part);
                }
            },
            None => return Ok(Fee::Text { text: whole.to_string() }),
        }
    }
    if charges.is_empty() || how.contains(['：', ':']) {
        return Ok(Fee::Text { text: whole.to_string() });
    }
    Ok(Fee::Charges { how, charges })
}

/// How [`parse_fee`] reads it back: 「不收费」, 「工本费20元」, 「按面积收取：住宅每件80元；非住宅每件550元」.
pub fn fee_text(fee: &Fee) -> String {
    match fee {
        Fee::Free => "不收费".to_string(),
        Fee::Text { text } => text.clone(),
        Fee::Charges { how, charges } => {
            let list = charges.iter().map(charge_text).collect::<Vec<_>>().join("；");
            if how.is_empty() {
                list
            } else {
                format!("{how}：{list}")
            }
        }
    }
}

/// 「住宅每件80元」, 「工本费20元（首次申领免费）」.
pub fn charge_text(c: &Charge) -> String {
    let note = if c.note.is_empty() { String::new() } else { format!("（{}）", c.note) };
    format!("{}{}{}元{note}", c.name, c.unit, yuan_text(c.amount_fen))
}

impl Fee {
    pub fn is_free(&self) -> bool {
        *self == Fee::Free
    }

    /// What a problem of the model says, if any: no charges, an empty text.
    pub fn problem(&self) -> Option<String> {
        match self {
            Fee::Free => None,
            Fee::Charges { charges, .. } if charges.is_empty() => {
                Some("收费项目不能为空：不收费的请写「不收费」".to_string())
            }
            Fee::Charges { charges, .. } => charges
                .iter()
                .find(|c| c.amount_fen > MAX_FEN)
                .map(|c| format!("收费金额「{}元」过大，请核对", yuan_text(c.amount_fen))),
            Fee::Text { text } if text.trim().is_empty() => Some("收费不能为空：不收费的请写「不收费」".to_string()),
            Fee::Text { .. } => None,
        }
    }
}

/// The 收费 a catalog of before stored as a string, or the structured one: either reads.
pub fn deserialize_fee<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Fee, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Words(String),
        Structured(Fee),
    }
    Ok(match Stored::deserialize(d)? {
        // A stored catalog is never refused for its fee: what cannot be read stays words.
        Stored::Words(words) => parse_fee(&words).unwrap_or(Fee::Text { text: words.trim().to_string() }),
        Stored::Structured(fee) => fee,
    })
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

    #[test]
    fn fees_in_the_guides_words() {
        let f = |s: &str| parse_fee(s).unwrap();
        for free in ["", "不收费", "免费", "不收费。", "收费标准：不收费"] {
            assert_eq!(f(free), Fee::Free, "{free}");
        }
        let one = |name: &str, fen: u64, unit: &str| Charge {
            name: name.into(),
            amount_fen: fen,
            unit: unit.into(),
            note: String::new(),
        };
        assert_eq!(f("工本费20元"), Fee::Charges { how: String::new(), charges: vec![one("工本费", 2000, "")] });
        assert_eq!(f("每件10元"), Fee::Charges { how: String::new(), charges: vec![one("", 1000, "每件")] });
        assert_eq!(f("10元/件"), Fee::Charges { how: String::new(), charges: vec![one("", 1000, "每件")] });
        assert_eq!(
            f("按面积收取：住宅每件80元，非住宅每件550元"),
            Fee::Charges {
                how: "按面积收取".into(),
                charges: vec![one("住宅", 8000, "每件"), one("非住宅", 55000, "每件")]
            }
        );
        assert_eq!(
            f("住宅类不动产登记收费标准为每件80元"),
            Fee::Charges { how: String::new(), charges: vec![one("住宅类不动产登记", 8000, "每件")] }
        );
        assert_eq!(f("工本费12.5元"), Fee::Charges { how: String::new(), charges: vec![one("工本费", 1250, "")] });
        let noted = f("工本费20元（首次申领免费）");
        let Fee::Charges { charges, .. } = &noted else { panic!("{noted:?}") };
        assert_eq!(charges[0].note, "首次申领免费");
        // Words without an amount are kept, not refused.
        assert_eq!(f("按国家规定标准收取"), Fee::Text { text: "按国家规定标准收取".into() });
        assert_eq!(
            f("换领、补领居民身份证工本费20元"),
            Fee::Charges {
                how: String::new(), charges: vec![one("换领、补领居民身份证工本费", 2000, "")]
            }
        );
        assert_eq!(
            f("住宅80元、非住宅550元"),
            Fee::Charges { how: String::new(), charges: vec![one("住宅", 8000, ""), one("非住宅", 55000, "")] }
        );
        let Fee::Charges { how, charges } = f("按照规定，工本费20元，首次申领免费") else { panic!() };
        assert_eq!((how.as_str(), charges[0].note.as_str()), ("按照规定", "首次申领免费"));
        assert_eq!(f("是"), Fee::Text { text: "是".into() });
        assert!(matches!(f("每件80元至550元"), Fee::Text { .. }));
        // What cannot be right is refused, with a right example.
        let bad = |s: &str| parse_fee(s).unwrap_err();
        assert!(bad("工本费-20元").contains("负数"), "{}", bad("工本费-20元"));
        assert!(bad("工本费元").contains("没有写金额"));
        assert!(bad("工本费元").contains("工本费20元"));
        assert!(bad("工本费20.555元").contains("两位小数"));
        assert!(bad("工本费99999999999元").contains("过大"));
        for s in [
            "不收费",
            "工本费20元",
            "每件10元",
            "按面积收取：住宅每件80元，非住宅每件550元",
            "工本费12.05元（首次申领免费）",
            "按国家规定标准收取",
            "按照规定，工本费20元，首次申领免费",
            "换领、补领居民身份证工本费20元",
        ] {
            let once = f(s);
            assert_eq!(f(&fee_text(&once)), once, "{s}");
        }
        assert_eq!(yuan_text(55000), "550");
        assert_eq!(yuan_text(1250), "12.5");
    }

    #[test]
    fn a_fee_stored_as_words_still_reads() {
        #[derive(Deserialize)]
        struct Item {
            #[serde(default, deserialize_with = "deserialize_fee")]
            fee: Fee,
        }
        let read = |json: &str| serde_json::from_str::<Item>(json).unwrap().fee;
        assert_eq!(read(r#"{"fee": "不收费"}"#), Fee::Free);
        assert_eq!(read(r#"{"fee": ""}"#), Fee::Free);
        assert_eq!(read(r#"{}"#), Fee::Free);
        assert!(matches!(read(r#"{"fee": "住宅每件80元，非住宅每件550元"}"#), Fee::Charges { .. }));
        // Even what a file would be refused for is kept as words, never lost.
        assert_eq!(read(r#"{"fee": "工本费元"}"#), Fee::Text { text: "工本费元".into() });
        let structured = serde_json::to_string(&parse_fee("工本费20元").unwrap()).unwrap();
        assert_eq!(read(&format!(r#"{{"fee": {structured}}}"#)), parse_fee("工本费20元").unwrap());
    }
}
