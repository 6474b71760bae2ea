//! China's working-day calendar: statutory holidays (法定节假日, with their 调休 rest days) and the
//! make-up working weekends (调休上班), from the State Council's yearly notice
//! (国务院办公厅关于某年部分节假日安排的通知). Deadlines of 承诺时限 are counted in these working
//! days; a plain Monday-to-Friday count is wrong around every holiday.
//!
//! The data is a small line format, shipped for 2025 and 2026 (`data/holidays/*.txt`, embedded)
//! and importable at run time for later years:
//!
//! ```text
//! # 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）
//! year 2026
//! holiday 2026-01-01 2026-01-03 元旦
//! workday 2026-01-04 元旦调休上班
//! ```
//!
//! - `#` starts a comment (to the end of the line). The comment lines right before a `year` line
//!   are kept as that year's header (the notice's title) and written back by [`WorkCalendar::to_text`].
//! - `year YYYY` starts a year's block; a text may hold several blocks. Every date of a block must
//!   lie in its year.
//! - `holiday START [END] [label]`: days off, START..=END (END defaults to START).
//! - `workday DATE [label]`: a Saturday or Sunday that is a working day (调休上班).
//!
//! A year with no notice (yet) is never a silent weekday count and never a gap: its arrangement
//! is derived from the statutory rules ([`provisional`]) and every date counted through it is
//! marked **预估** ([`Deadline::estimated`]) until the notice is imported, when the dates are
//! recomputed. Counting fails only outside [`SUPPORTED_YEARS`], where the lunar dates the rules
//! need are not reliable.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

pub mod provisional;

/// The years a calendar can count in: official data, or the statutory rules with lunar dates
/// from ICU4X's Chinese calendar (whose tables are exact for these years).
pub const SUPPORTED_YEARS: RangeInclusive<i32> = 1901..=2099;

const SHIPPED: [&str; 2] = [include_str!("../data/holidays/2025.txt"), include_str!("../data/holidays/2026.txt")];

/// Why a calendar text could not be read, or a count could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A line of an imported text is wrong; `line` counts from 1.
    #[error("第{line}行：{message}")]
    Parse { line: usize, message: String },
    /// The text declares no year at all.
    #[error("文本中没有 year 行，未导入任何年份的节假日安排")]
    Empty,
    /// A count reached a year outside [`SUPPORTED_YEARS`].
    #[error("{year}年超出可计算的年份范围（1901年至2099年），无法计算工作日，请核对日期")]
    OutOfRange { year: i32 },
    /// An import would change a year that is already official: a notice never changes.
    #[error(
        "第{line}行：{year}年的节假日安排已按国务院办公厅通知导入，内容不同的安排不能覆盖（如确有更正，请核对来源）"
    )]
    OfficialYearChanged { year: i32, line: usize },
}

/// Where a year's arrangement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearSource {
    /// The State Council's notice, shipped or imported.
    Official,
    /// Derived from the statutory rules ([`provisional`]): no 调休, which only a notice sets.
    Provisional,
}

impl YearSource {
    pub fn label(self) -> &'static str {
        match self {
            YearSource::Official => "国务院办公厅通知",
            YearSource::Provisional => "预估（按《全国年节及纪念日放假办法》推算，未含调休）",
        }
    }
}

/// A date counted in working days, and whether the count went through a provisional year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub date: NaiveDate,
    /// Some day counted lies in a year without an official notice: the date is 预估 and will be
    /// recomputed when the notice is imported.
    pub estimated: bool,
}

/// Statutory holidays and make-up working days, by year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    /// Days off (法定节假日 and 调休 rest days), with their label ("春节").
    holidays: BTreeMap<NaiveDate, String>,
    /// Saturdays and Sundays that are working days, with their label ("春节调休上班").
    workdays: BTreeMap<NaiveDate, String>,
    /// Years with official data; a year present with no dates means "Monday to Friday, no
    /// exceptions". Every other year is provisional.
    years: BTreeSet<i32>,
    /// Comment lines before each `year` line (the notice's title), without the `#`.
    headers: BTreeMap<i32, Vec<String>>,
}

fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first whitespace-separated word and the rest (trimmed).
fn first_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

/// `YYYY-MM-DD` (month and day may have one digit).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let mut it = s.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
        || ![y, m, d].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn looks_like_date(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit()) && s.contains('-')
}

impl WorkCalendar {
    /// The years shipped with the app (2025 and 2026), from the State Council notices.
    pub fn shipped() -> WorkCalendar {
        static CAL: OnceLock<WorkCalendar> = OnceLock::new();
        CAL.get_or_init(|| {
            let mut cal = WorkCalendar::default();
            for text in SHIPPED {
                cal.merge(WorkCalendar::parse(text).expect("shipped holiday data parses"));
            }
            cal
        })
        .clone()
    }

    /// Reads the line format (see the module docs). Errors name the line, in Chinese:
    /// `第3行：日期「2026-02-30」无效`.
    pub fn parse(text: &str) -> Result<WorkCalendar, CalendarError> {
        let mut cal = WorkCalendar::default();
        let mut current: Option<i32> = None;
        let mut pending_comments: Vec<String> = Vec::new();
        let mut year_lines: BTreeMap<i32, usize> = BTreeMap::new();
        // date -> (line, is_holiday)
        let mut seen: BTreeMap<NaiveDate, (usize, bool)> = BTreeMap::new();

        for (idx, raw) in text.lines().enumerate() {
            let line = idx + 1;
            let err = |message: String| CalendarError::Parse { line, message };
            let t = raw.trim_start_matches('\u{feff}').trim();
            if t.is_empty() {
                continue;
            }
            if let Some(c) = t.strip_prefix('#') {
                pending_comments.push(c.trim().to_string());
                continue;
            }
            let content = match t.find('#') {
                Some(i) => t[..i].trim(),
                None => t,
            };
            let (kw, rest) = first_word(content);
            match kw {
                "year" => {
                    let (y, extra) = first_word(rest);
                    if y.is_empty() {
                        return Err(err("year 行缺少年份".into()));
                    }
                    if !extra.is_empty() {
                        return Err(err(format!("year 行只能写一个年份，多了「{extra}」")));
                    }
                    let year: i32 = match y.parse() {
                        Ok(v) if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => v,
                        _ => return Err(err(format!("年份「{y}」无效"))),
                    };
                    if let Some(prev) = year_lines.get(&year) {
                        return Err(err(format!("{year}年已在第{prev}行声明过")));
                    }
                    year_lines.insert(year, line);
                    cal.years.insert(year);
                    if !pending_comments.is_empty() {
                        cal.headers.insert(year, std::mem::take(&mut pending_comments));
                    }
                    current = Some(year);
                }
                "holiday" | "workday" => {
                    let holiday = kw == "holiday";
                    let Some(year) = current else {
                        return Err(err("须先用 year 行声明年份，再列日期".into()));
                    };
                    let (first, rest) = first_word(rest);
                    if first.is_empty() {
                        return Err(err(format!("{kw} 行缺少日期")));
                    }
                    let start = parse_date(first).ok_or_else(|| err(format!("日期「{first}」无效")))?;
                    let (end, label) = if holiday {
                        let (second, after) = first_word(rest);
                        if looks_like_date(second) {
                            let end = parse_date(second).ok_or_else(|| err(format!("日期「{second}」无效")))?;
                            (end, after)
                        } else {
                            (start, rest)
                        }
                    } else {
                        (start, rest)
                    };
                    if holiday {
                        if start > end {
                            return Err(err(format!("放假起始日「{start}」晚于结束日「{end}」")));
                        }
                        for d in [start, end] {
                            if d.year() != year {
                                return Err(err(format!("放假日期「{d}」不在声明的{year}年内")));
                            }
                        }
                    } else {
                        if start.year() != year {
                            return Err(err(format!("调休上班日「{start}」不在声明的{year}年内")));
                        }
                        if !is_weekend(start) {
                            return Err(err(format!(
                                "调休上班日「{start}」是{}，只能是星期六或星期日",
                                weekday_zh(start.weekday())
                            )));
                        }
                    }
                    let mut d = start;
                    loop {
                        if let Some(&(prev, prev_holiday)) = seen.get(&d) {
                            let what = if prev_holiday { "放假日" } else { "调休上班日" };
                            let clash = if prev_holiday == holiday {
                                String::new()
                            } else if holiday {
                                "，不能同时是放假日".to_string()
                            } else {
                                "，不能同时是调休上班日".to_string()
                            };
                            return Err(err(format!("「{d}」已在第{prev}行列为{what}{clash}")));
                        }
                        seen.insert(d, (line, holiday));
                        let map = if holiday { &mut cal.holidays } else { &mut cal.workdays };
                        map.insert(d, label.to_string());
                        if d >= end {
                            break;
                        }
                        d = d.succ_opt().expect("date inside a 4-digit year");
                    }
                }
                other => {
                    return Err(err(format!("无法识别「{other}」，每行应以 year、holiday 或 workday 开头")));
                }
            }
            pending_comments.clear();
        }
        if cal.years.is_empty() {
            return Err(CalendarError::Empty);
        }
        Ok(cal)
    }

    /// Adds `other`'s years; a year `other` has replaces that year here entirely.
    pub fn merge(&mut self, other: WorkCalendar) {
        let replaced = |d: &NaiveDate| other.years.contains(&d.year());
        self.holidays.retain(|d, _| !replaced(d));
        self.workdays.retain(|d, _| !replaced(d));
        for y in &other.years {
            self.headers.remove(y);
        }
        self.years.extend(other.years.iter().copied());
        self.holidays.extend(other.holidays);
        self.workdays.extend(other.workdays);
        self.headers.extend(other.headers);
    }

    /// The years with official data, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Where `year`'s arrangement comes from.
    pub fn source(&self, year: i32) -> YearSource {
        if self.years.contains(&year) {
            YearSource::Official
        } else {
            YearSource::Provisional
        }
    }

    /// Whether `d` is a working day: a listed 调休上班 day is; else a listed holiday is not; else
    /// Monday to Friday are. A year without official data uses its provisional arrangement
    /// (outside [`SUPPORTED_YEARS`], the plain weekday rule; the counting methods refuse those).
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.years.contains(&d.year()) {
            if self.workdays.contains_key(&d) {
                return true;
            }
            if self.holidays.contains_key(&d) {
                return false;
            }
            return !is_weekend(d);
        }
        match provisional_year(d.year()) {
            Some(year) => !year.holidays.contains_key(&d) && !is_weekend(d),
            None => !is_weekend(d),
        }
    }

    /// Whether the calendar has official data for `d`'s year.
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.years.contains(&d.year())
    }

    /// The label of a listed day ("春节", "春节调休上班", a provisional year's "春节补休"), if it
    /// is listed.
    pub fn label(&self, d: NaiveDate) -> Option<&str> {
        if self.years.contains(&d.year()) {
            return self.workdays.get(&d).or_else(|| self.holidays.get(&d)).map(String::as_str);
        }
        provisional_year(d.year()).and_then(|y| y.holidays.get(&d).copied())
    }

    fn check_supported(d: NaiveDate) -> Result<(), CalendarError> {
        if SUPPORTED_YEARS.contains(&d.year()) {
            Ok(())
        } else {
            Err(CalendarError::OutOfRange { year: d.year() })
        }
    }

    /// Whether a count over the days `from < d <= to` went through a provisional year.
    pub fn is_estimated(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
        let first = if lo < hi { lo.succ_opt().map_or(hi.year(), |d| d.year()) } else { hi.year() };
        (first..=hi.year()).any(|y| !self.years.contains(&y))
    }

    /// The `n`-th working day after `start` (`start` itself is not counted; `n = 0` gives
    /// `start`). Fails only outside [`SUPPORTED_YEARS`].
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        Self::check_supported(start)?;
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().ok_or(CalendarError::OutOfRange { year: d.year().saturating_add(1) })?;
            Self::check_supported(d)?;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// The number of working days `d` with `from < d <= to`; negative (the count of
    /// `to < d <= from`) when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        let (lo, hi, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        Self::check_supported(lo)?;
        Self::check_supported(hi)?;
        let mut count = 0i64;
        let mut d = lo;
        while d < hi {
            d = d.succ_opt().expect("d < hi, so it has a successor");
            if self.is_working_day(d) {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    /// The deadline of something due `limit_days` working days after `from` (the day of receipt,
    /// of a notice, …): the `limit_days`-th working day after it, marked 预估 when the count went
    /// through a provisional year.
    pub fn deadline(&self, from: NaiveDate, limit_days: u32) -> Result<Deadline, CalendarError> {
        let date = self.add_working_days(from, limit_days)?;
        Ok(Deadline { date, estimated: self.is_estimated(from, date) })
    }

    /// How many working days `today` is past `deadline` (working days `d` with
    /// `deadline < d <= today`); 0 when not overdue. A weekend right after a Friday deadline is
    /// 0; the Monday after is 1.
    pub fn overdue_by(&self, deadline: NaiveDate, today: NaiveDate) -> Result<i64, CalendarError> {
        if today <= deadline {
            return Ok(0);
        }
        self.working_days_between(deadline, today)
    }

    /// Checks that laying `other` over this calendar changes no official year's content (a
    /// notice never changes); `text` is what `other` was parsed from, to name the `year` line.
    /// Re-importing the same arrangement is fine.
    pub fn check_may_merge(&self, other: &WorkCalendar, text: &str) -> Result<(), CalendarError> {
        for year in other.years() {
            if self.years.contains(&year) && body_of(&self.to_text(year)) != body_of(&other.to_text(year)) {
                let line = text
                    .lines()
                    .position(|l| {
                        let (kw, rest) = first_word(l.trim_start_matches('\u{feff}'));
                        kw == "year" && first_word(rest).0 == year.to_string()
                    })
                    .map_or(1, |i| i + 1);
                return Err(CalendarError::OfficialYearChanged { year, line });
            }
        }
        Ok(())
    }

    /// One year in the line format, readable by [`WorkCalendar::parse`] (header comments, the
    /// `year` line, then holidays as ranges and make-up days in date order). Empty when the
    /// calendar has no official data for `year` (see [`WorkCalendar::provisional_text`]).
    pub fn to_text(&self, year: i32) -> String {
        if !self.years.contains(&year) {
            return String::new();
        }
        let mut out = String::new();
        for h in self.headers.get(&year).into_iter().flatten() {
            if h.is_empty() {
                out.push_str("#\n");
            } else {
                out.push_str(&format!("# {h}\n"));
            }
        }
        out.push_str(&format!("year {year}\n"));

        let in_year = |d: &&NaiveDate| d.year() == year;
        let mut lines: Vec<(NaiveDate, String)> = Vec::new();
        let mut run: Option<(NaiveDate, NaiveDate, &str)> = None;
        let close = |run: (NaiveDate, NaiveDate, &str), lines: &mut Vec<(NaiveDate, String)>| {
            let (s, e, label) = run;
            let line = format!("holiday {s} {e} {label}");
            lines.push((s, line.trim_end().to_string()));
        };
        for (d, label) in self.holidays.iter().filter(|(d, _)| in_year(d)) {
            run = match run {
                Some((s, e, l)) if l == label.as_str() && e.succ_opt() == Some(*d) => Some((s, *d, l)),
                Some(r) => {
                    close(r, &mut lines);
                    Some((*d, *d, label.as_str()))
                }
                None => Some((*d, *d, label.as_str())),
            };
        }
        if let Some(r) = run {
            close(r, &mut lines);
        }
        for (d, label) in self.workdays.iter().filter(|(d, _)| in_year(d)) {
            let line = format!("workday {d} {label}");
            lines.push((*d, line.trim_end().to_string()));
        }
        lines.sort();
        for (_, l) in lines {
            out.push_str(&l);
            out.push('\n');
        }
        out
    }
}

/// A year's lines without its comments: what "the same arrangement" compares.
fn body_of(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

/// A provisional year's days off, by date, with their label.
struct ProvisionalYear {
    holidays: BTreeMap<NaiveDate, &'static str>,
}

/// The provisional arrangement of `year`, derived once and kept (the rules and the lunar dates
/// never change); `None` outside [`SUPPORTED_YEARS`].
fn provisional_year(year: i32) -> Option<Arc<ProvisionalYear>> {
    static YEARS: OnceLock<Mutex<BTreeMap<i32, Arc<ProvisionalYear>>>> = OnceLock::new();
    if !SUPPORTED_YEARS.contains(&year) {
        return None;
    }
    let mut years = YEARS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    Some(
        years
            .entry(year)
            .or_insert_with(|| {
                Arc::new(ProvisionalYear { holidays: provisional::days_off(year).into_iter().collect() })
            })
            .clone(),
    )
}

impl WorkCalendar {
    /// `year`'s provisional arrangement in the line format, with a header saying it is 预估 —
    /// what `tongban workdays show` prints for a year without a notice. Empty outside
    /// [`SUPPORTED_YEARS`].
    pub fn provisional_text(year: i32) -> String {
        let Some(days) = provisional_year(year) else { return String::new() };
        let mut cal = WorkCalendar::default();
        cal.years.insert(year);
        cal.headers.insert(
            year,
            vec![format!("预估：按《全国年节及纪念日放假办法》（2024年修订）推算的{year}年安排，未含调休，以国务院办公厅通知为准")],
        );
        cal.holidays.extend(days.holidays.iter().map(|(d, l)| (*d, l.to_string())));
        cal.to_text(year)
    }
}
