//! The case projection: one row per case and its current materials, rewritten by every event in
//! the event's own transaction. It exists for listing and searching; the events stay the truth.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, params_from_iter, types::Value, OptionalExtension, Transaction};
use serde::Serialize;
use tongban_core::case::{CaseEvent, CaseId, CaseStatus, EventBody, EventKind, Material};
use tongban_core::clocks::{self, ClockInput, Clocks, Step};
use tongban_core::guide::{DayUnit, Deferral};
use tongban_core::workdays::{Deadline, WorkCalendar};

use crate::{CaseSummary, Result, Store, StoreError};
use tongban_core::time::china_time;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE cases (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,     -- 办件编号
    status           TEXT NOT NULL,
    item_code        TEXT NOT NULL,
    item_name        TEXT NOT NULL,
    receiving_region TEXT NOT NULL,
    handling_region  TEXT NOT NULL,
    applicant_name   TEXT NOT NULL,
    applicant_id     TEXT NOT NULL,            -- 证件号码 or 统一社会信用代码
    applicant_id_rev TEXT NOT NULL,            -- reversed, so the last digits can be searched by index
    clerk            TEXT NOT NULL,            -- login of the user who took the case in
    received_at      TEXT NOT NULL,            -- RFC 3339, UTC
    received_on      TEXT NOT NULL,            -- YYYY-MM-DD, Beijing time
    deadline         TEXT,                     -- 承诺办结 date; NULL while 待补正 (the clock has not started)
    updated_at       TEXT NOT NULL,
    last_seq         INTEGER NOT NULL
);
CREATE INDEX cases_by_received ON cases (received_at);
CREATE INDEX cases_by_day ON cases (received_on);
CREATE INDEX cases_by_status ON cases (status, received_at);
CREATE INDEX cases_by_partner ON cases (handling_region, received_at);
CREATE INDEX cases_by_item ON cases (item_code, received_at);
CREATE INDEX cases_by_clerk ON cases (clerk, received_at);
-- Status rides along so a search narrowed by status is answered from the index alone.
CREATE INDEX cases_by_name ON cases (applicant_name, status);
CREATE INDEX cases_by_id ON cases (applicant_id, status);
CREATE INDEX cases_by_id_rev ON cases (applicant_id_rev, status);
CREATE TABLE materials (
    case_id           TEXT NOT NULL REFERENCES cases (id),
    position          INTEGER NOT NULL,
    name              TEXT NOT NULL,
    form              TEXT NOT NULL,
    copies            INTEGER NOT NULL,
    required          INTEGER NOT NULL,
    received          INTEGER NOT NULL,
    original_verified INTEGER NOT NULL,
    scans             TEXT NOT NULL,           -- JSON array of SHA-256
    note              TEXT NOT NULL,
    PRIMARY KEY (case_id, position)
);
";

/// What the guides say beyond working days (`tongban_core::guide`): a promise counted in calendar
/// days, and the 容缺 materials a case owes with the day they are due.
pub(crate) const SCHEMA_GUIDE_TERMS: &str = "
-- 计日方式 of the promise (tongban_core::guide::DayUnit): 'working_days' or 'calendar_days'.
ALTER TABLE cases ADD COLUMN promised_unit TEXT NOT NULL DEFAULT 'working_days';
-- 容缺: the shortest period of the materials still owed, JSON {days, unit}; NULL when none.
ALTER TABLE cases ADD COLUMN owed TEXT;
-- 容缺补齐期限: the owed materials are due by this day.
ALTER TABLE cases ADD COLUMN owed_due TEXT;
ALTER TABLE cases ADD COLUMN owed_due_estimated INTEGER NOT NULL DEFAULT 0;
CREATE INDEX cases_by_owed_due ON cases (owed_due) WHERE owed_due IS NOT NULL;
";

/// The clocks the law sets (`tongban_core::clocks`), kept with each case so the queue, the
/// overdue lists and the 台账 can filter and sort on them; rewritten with the case by every event,
/// by a notice given, and when a calendar year is imported (only cases with a 预估 date can change).
pub(crate) const SCHEMA_V6: &str = "
ALTER TABLE cases ADD COLUMN promised_days INTEGER NOT NULL DEFAULT 0;
-- The case's events as the clocks see them: [[kind, YYYY-MM-DD (Beijing), status after], ...].
ALTER TABLE cases ADD COLUMN clock_steps TEXT NOT NULL DEFAULT '[]';
ALTER TABLE cases ADD COLUMN deadline_estimated INTEGER NOT NULL DEFAULT 0;
-- 告知期限: a 一次性告知书 is owed by this day (NULL when none is owed).
ALTER TABLE cases ADD COLUMN notice_due TEXT;
ALTER TABLE cases ADD COLUMN notice_due_estimated INTEGER NOT NULL DEFAULT 0;
-- 补正期限: the applicant was told to bring the materials by this day (NULL when not waiting).
ALTER TABLE cases ADD COLUMN supplement_due TEXT;
ALTER TABLE cases ADD COLUMN supplement_due_estimated INTEGER NOT NULL DEFAULT 0;
CREATE INDEX cases_by_notice_due ON cases (notice_due) WHERE notice_due IS NOT NULL;
CREATE INDEX cases_by_deadline ON cases (deadline) WHERE deadline IS NOT NULL;
-- A clock a calendar import moved, for the case's history.
CREATE TABLE clock_changes (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL REFERENCES cases (id),
    at      TEXT NOT NULL,                     -- RFC 3339, UTC
    text    TEXT NOT NULL                      -- 承诺办结日期由 2027-01-25 调整为 2027-01-27（导入2027年节假日安排）
);
CREATE INDEX clock_changes_by_case ON clock_changes (case_id, id);
";

/// Which cases to list. Every field narrows; `text` searches applicant name (prefix),
/// 证件号码 (prefix or last digits) and 办件编号 (prefix).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub text: Option<String>,
    pub status: Option<CaseStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub item_code: Option<String>,
    pub partner: Option<String>,
    pub clerk: Option<String>,
    /// Only cases in one of these statuses (narrows together with `status`).
    pub any_status: Vec<CaseStatus>,
    /// Only cases taken in by another region than this one: a back office's inbox leaves out
    /// the cases its own region's windows received.
    pub received_outside: Option<String>,
    /// Only cases that owe a 一次性告知书 due on or before this day (告知 due or overdue).
    pub notice_due_by: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// How many rows match in all pages.
    pub total: u64,
}

/// The end of a prefix range: every string starting with `prefix` sorts below it, so a
/// `col >= prefix AND col < end` test walks the index (LIKE would not, on a binary collation).
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Which index a query should be driven by. SQLite has no statistics here (no ANALYZE), so the
/// choice is made explicit: a unary `+` on a column keeps its term from driving the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drive {
    /// Look the text up in its index; test the other terms on the rows found. Right when the
    /// text matches few cases, and for counting (the composite indexes make it index-only).
    ByText,
    /// Walk cases newest first and stop after one page; test the text on each row. Right when
    /// the text matches many cases (a single surname), where fetching and sorting them all is slow.
    ByTime,
}

/// Above this many matches, walking the time index beats fetching and sorting the matches
/// (about 4 µs per match against 0.3 µs per row walked, measured on a million cases).
const WALK_ABOVE: u64 = 2_000;

impl CaseFilter {
    fn text(&self) -> Option<&str> {
        self.text.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }

    fn where_clause(&self, drive: Drive) -> (String, Vec<Value>) {
        let mut terms: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let arg = |v: String, args: &mut Vec<Value>| {
            args.push(Value::Text(v));
            format!("?{}", args.len())
        };
        let (text_col, other_col) = match drive {
            Drive::ByText => ("", "+"),
            Drive::ByTime => ("+", ""),
        };
        let prefix = |col: &str, value: &str, args: &mut Vec<Value>| {
            format!(
                "({text_col}{col} >= {} AND {text_col}{col} < {})",
                arg(value.to_string(), args),
                arg(prefix_end(value), args)
            )
        };
        if let Some(text) = self.text() {
            // The shape of the text says what it is: a 办件编号 has dashes, a name has Chinese
            // characters; anything else is a name in Latin letters or an ID number.
            if text.contains('-') {
                terms.push(prefix("number", &text.to_uppercase(), &mut args));
            } else if !text.is_ascii() {
                terms.push(prefix("applicant_name", text, &mut args));
            } else {
                let upper = text.to_uppercase();
                let mut any =
                    vec![prefix("applicant_name", text, &mut args), prefix("applicant_id", &upper, &mut args)];
                // The last digits of an ID are what applicants read out most often.
                if upper.len() >= 4 {
                    let rev: String = upper.chars().rev().collect();
                    any.push(prefix("applicant_id_rev", &rev, &mut args));
                }
                terms.push(format!("({})", any.join(" OR ")));
            }
        }
        // Without text the other terms drive the query as usual.
        let other_col = if self.text().is_some() { other_col } else { "" };
        if let Some(status) = self.status {
            terms.push(format!("{other_col}status = {}", arg(status.as_str().to_string(), &mut args)));
        }
        if let Some(from) = self.from {
            terms.push(format!("{other_col}received_on >= {}", arg(from.to_string(), &mut args)));
        }
        if let Some(to) = self.to {
            terms.push(format!("{other_col}received_on <= {}", arg(to.to_string(), &mut args)));
        }
        for (col, value) in [("item_code", &self.item_code), ("handling_region", &self.partner), ("clerk", &self.clerk)]
        {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                terms.push(format!("{other_col}{col} = {}", arg(v.to_string(), &mut args)));
            }
        }
        if !self.any_status.is_empty() {
            let any: Vec<String> = self.any_status.iter().map(|s| arg(s.as_str().to_string(), &mut args)).collect();
            terms.push(format!("{other_col}status IN ({})", any.join(", ")));
        }
        if let Some(region) = self.received_outside.as_deref().filter(|v| !v.is_empty()) {
            terms.push(format!("receiving_region <> {}", arg(region.to_string(), &mut args)));
        }
        if let Some(day) = self.notice_due_by {
            terms.push(format!("{other_col}notice_due <= {}", arg(day.to_string(), &mut args)));
        }
        let clause = if terms.is_empty() { String::new() } else { format!("WHERE {}", terms.join(" AND ")) };
        (clause, args)
    }
}

/// How many columns [`SUMMARY_COLUMNS`] has: a query adding its own reads them from here on.
pub(crate) const SUMMARY_COLUMN_COUNT: usize = 22;

pub(crate) const SUMMARY_COLUMNS: &str = "id, number, status, item_code, item_name, receiving_region, handling_region,
    applicant_name, applicant_id, clerk, received_at, received_on, deadline,
    EXISTS (SELECT 1 FROM events e WHERE e.case_id = cases.id AND e.outbox = 1),
    deadline_estimated, notice_due, notice_due_estimated, supplement_due, supplement_due_estimated, clerk_name,
    owed_due, owed_due_estimated";

impl Store {
    /// Cases matching `filter`, newest first; `page` counts from 1.
    pub fn list_cases(&self, filter: &CaseFilter, page: u32, page_size: u32) -> Result<Page<CaseSummary>> {
        let (sql, args) = count_sql(filter);
        let total: u64 = self.conn.query_row(&sql, params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(Page { rows: self.page_of(filter, drive_for(total), page, page_size)?, total })
    }

    fn page_of(&self, filter: &CaseFilter, drive: Drive, page: u32, page_size: u32) -> Result<Vec<CaseSummary>> {
        let (sql, args) = page_sql(filter, drive, page, page_size);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), read_summary)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// SQLite's plan for the two statements `list_cases` runs on this filter (the count, then the
    /// page), indented like the sqlite3 shell. For benchmarks and for diagnosing a slow search.
    pub fn explain_list(&self, filter: &CaseFilter, page: u32, page_size: u32) -> Result<Vec<String>> {
        let (count, args) = count_sql(filter);
        let total: u64 = self.conn.query_row(&count, params_from_iter(args.iter()), |r| r.get(0))?;
        let (page, page_args) = page_sql(filter, drive_for(total), page, page_size);
        let mut out = Vec::new();
        for (sql, args) in [(count, args), (page, page_args)] {
            out.push(format!("-- {}", sql.split_whitespace().collect::<Vec<_>>().join(" ")));
            let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(3)?))
            })?;
            let mut levels: Vec<(i64, usize)> = Vec::new();
            for row in rows {
                let (id, parent, detail) = row?;
                let level = levels.iter().find(|(i, _)| *i == parent).map(|(_, l)| l + 1).unwrap_or(0);
                levels.push((id, level));
                out.push(format!("{}{detail}", "  ".repeat(level)));
            }
        }
        Ok(out)
    }

    /// The case with this 办件编号.
    pub fn case_by_number(&self, number: &str) -> Result<CaseSummary> {
        self.conn
            .query_row(&format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE number = ?1"), [number.trim()], read_summary)
            .optional()?
            .ok_or_else(|| StoreError::UnknownCase(number.to_string()))?
    }

    /// The current materials of a case, in catalog order.
    pub fn materials_of(&self, case: CaseId) -> Result<Vec<Material>> {
        let state = self.case_state(case)?;
        Ok(state.materials)
    }

    pub fn case_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?)
    }

    /// Open cases whose 承诺办结 date is before `today`, the longest overdue first (at most
    /// `limit`). Closed cases are never overdue, however late they closed.
    pub fn overdue_cases(&self, today: NaiveDate, limit: u32) -> Result<Vec<CaseSummary>> {
        let open: Vec<String> =
            CaseStatus::ALL.iter().filter(|s| !s.is_final()).map(|s| format!("'{}'", s.as_str())).collect();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases WHERE deadline < ?1 AND status IN ({}) \
             ORDER BY deadline, received_at LIMIT ?2",
            open.join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![today.to_string(), limit], read_summary)?;
        rows.map(|r| r?).collect()
    }
}

fn drive_for(total: u64) -> Drive {
    if total > WALK_ABOVE {
        Drive::ByTime
    } else {
        Drive::ByText
    }
}

fn count_sql(filter: &CaseFilter) -> (String, Vec<Value>) {
    let (clause, args) = filter.where_clause(Drive::ByText);
    (format!("SELECT count(*) FROM cases {clause}"), args)
}

fn page_sql(filter: &CaseFilter, drive: Drive, page: u32, page_size: u32) -> (String, Vec<Value>) {
    let (clause, args) = filter.where_clause(drive);
    let page_size = page_size.clamp(1, 1000);
    let offset = (page.max(1) - 1) as i64 * page_size as i64;
    // rowid breaks ties between cases saved in the same instant, so pages never overlap; the
    // time index holds (received_at, rowid) in order, so walking it needs no sort.
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM cases {clause} ORDER BY received_at DESC, rowid DESC LIMIT {page_size} OFFSET {offset}"
    );
    (sql, args)
}

pub(crate) fn read_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<CaseSummary>> {
    let id: String = r.get(0)?;
    let status: String = r.get(2)?;
    let received_at: String = r.get(10)?;
    let received_on: String = r.get(11)?;
    let build = || -> Result<CaseSummary> {
        let bad = |what: &str, v: &str| StoreError::Json(serde::de::Error::custom(format!("{what}「{v}」无效")));
        Ok(CaseSummary {
            id: CaseId(id.parse().map_err(|_| bad("办件标识", &id))?),
            number: r.get(1)?,
            status: CaseStatus::parse(&status).ok_or_else(|| bad("状态", &status))?,
            item_code: r.get(3)?,
            item_name: r.get(4)?,
            receiving_region: r.get(5)?,
            handling_region: r.get(6)?,
            applicant_name: r.get(7)?,
            applicant_id: r.get(8)?,
            clerk: r.get(9)?,
            received_at: crate::desk::parse_time(&received_at)?,
            received_on: received_on.parse().map_err(|_| bad("日期", &received_on))?,
            deadline: read_deadline(r, 12, 14)?,
            notice_due: read_deadline(r, 15, 16)?,
            supplement_due: read_deadline(r, 17, 18)?,
            owed_due: read_deadline(r, 20, 21)?,
            pending_sync: r.get(13)?,
            clerk_name: r.get(19)?,
        })
    };
    Ok(build())
}

/// A date column and its 预估 mark.
pub(crate) fn read_deadline(r: &rusqlite::Row<'_>, date: usize, estimated: usize) -> Result<Option<Deadline>> {
    let Some(text) = r.get::<_, Option<String>>(date)? else { return Ok(None) };
    let date = text.parse().map_err(|_| StoreError::Json(serde::de::Error::custom(format!("日期「{text}」无效"))))?;
    Ok(Some(Deadline { date, estimated: r.get(estimated)? }))
}

pub(crate) fn status_of(tx: &Transaction<'_>, case: CaseId) -> Result<Option<CaseStatus>> {
    let status: Option<String> = tx
        .prepare_cached("SELECT status FROM cases WHERE id = ?1")?
        .query_row([case.to_string()], |r| r.get(0))
        .optional()?;
    Ok(status.and_then(|s| CaseStatus::parse(&s)))
}

/// Brings the projection up to date with one event that was just appended.
pub(crate) fn project(
    tx: &Transaction<'_>,
    event: &CaseEvent,
    status: CaseStatus,
    seq: i64,
    calendar: &WorkCalendar,
) -> Result<()> {
    let case_id = event.case_id.to_string();
    let at = event.at.to_rfc3339();
    let today = event.at.with_timezone(&china_time()).date_naive();
    match &event.body {
        EventBody::Received { intake } => {
            let form = &intake.form;
            let applicant_id = form.applicant.id_number().to_string();
            tx.prepare_cached(
                "INSERT INTO cases (id, number, status, item_code, item_name, receiving_region, handling_region,
                    applicant_name, applicant_id, applicant_id_rev, clerk, received_at, received_on,
                    updated_at, last_seq, promised_days, promised_unit)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, ?14, ?15, ?16)",
            )?
            .execute(params![
                case_id,
                intake.number.as_str(),
                status.as_str(),
                form.item.code,
                form.item.name,
                intake.receiving_region,
                form.handling_region,
                form.applicant.name(),
                applicant_id,
                applicant_id.chars().rev().collect::<String>(),
                event.author.user,
                at,
                intake.received_on.to_string(),
                seq,
                form.item.promised_days,
                unit_name(form.item.promised_unit),
            ])?;
            write_materials(tx, &case_id, &form.materials)?;
            write_owed(tx, &case_id, &form.materials)?;
            // The promise and the 告知 clock run from the day of receipt.
            add_clock_step(tx, &case_id, EventKind::Received, intake.received_on, status)?;
        }
        body => {
            tx.prepare_cached("UPDATE cases SET status = ?2, updated_at = ?3, last_seq = ?4 WHERE id = ?1")?
                .execute(params![case_id, status.as_str(), at, seq])?;
            if let EventBody::Completed { materials }
            | EventBody::Supplemented { materials }
            | EventBody::OwedReceived { materials } = body
            {
                tx.prepare_cached("DELETE FROM materials WHERE case_id = ?1")?.execute([&case_id])?;
                write_materials(tx, &case_id, materials)?;
                write_owed(tx, &case_id, materials)?;
            }
            add_clock_step(tx, &case_id, body.kind(), today, status)?;
        }
    }
    refresh_clocks(tx, event.case_id, calendar, None)
}

fn unit_name(unit: DayUnit) -> &'static str {
    match unit {
        DayUnit::WorkingDays => "working_days",
        DayUnit::CalendarDays => "calendar_days",
    }
}

/// The shortest period among the 容缺 materials still owed (a working day counted as 7/5 of a
/// calendar day to compare the two), kept for the clocks.
fn write_owed(tx: &Transaction<'_>, case_id: &str, materials: &[Material]) -> Result<()> {
    let weight = |d: &Deferral| if d.unit.is_working() { u64::from(d.days) * 7 } else { u64::from(d.days) * 5 };
    let shortest = tongban_core::case::owed(materials).filter_map(|m| m.deferral).min_by_key(weight);
    let json = shortest.map(|d| serde_json::to_string(&d)).transpose()?;
    tx.prepare_cached("UPDATE cases SET owed = ?2 WHERE id = ?1")?.execute(params![case_id, json])?;
    Ok(())
}

fn add_clock_step(
    tx: &Transaction<'_>,
    case_id: &str,
    kind: EventKind,
    on: NaiveDate,
    status: CaseStatus,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE cases SET clock_steps = json_insert(clock_steps, '$[#]', json_array(?2, ?3, ?4)) WHERE id = ?1",
    )?
    .execute(params![case_id, kind.as_str(), on.to_string(), status.as_str()])?;
    Ok(())
}

/// Why a case's clocks were recomputed, for its history: 「导入2027年节假日安排」.
pub(crate) struct ClockChangeReason<'a> {
    pub at: DateTime<Utc>,
    pub why: &'a str,
}

/// Recomputes a case's clocks (`tongban_core::clocks`) from its steps, the notices given and
/// the hall's 补正 days, and writes them to its row. With a `reason`, every date that moved is
/// written to the case's history too. Fails (and so refuses the write it is part of) only for a
/// date outside the calendar's years: a deadline is never silently dropped.
pub(crate) fn refresh_clocks(
    tx: &Transaction<'_>,
    case: CaseId,
    calendar: &WorkCalendar,
    reason: Option<&ClockChangeReason<'_>>,
) -> Result<()> {
    let case_id = case.to_string();
    let (promised_days, unit, owed, steps_json): (u32, String, Option<String>, String) = tx
        .prepare_cached("SELECT promised_days, promised_unit, owed, clock_steps FROM cases WHERE id = ?1")?
        .query_row([&case_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let promised_unit = if unit == "calendar_days" { DayUnit::CalendarDays } else { DayUnit::WorkingDays };
    let owed: Option<Deferral> = owed.map(|o| serde_json::from_str(&o)).transpose()?;
    let steps = parse_steps(&steps_json)?;
    let mut stmt = tx.prepare_cached(
        "SELECT printed_at FROM prints WHERE case_id = ?1 AND form = 'notice' AND reprint = 0 ORDER BY id",
    )?;
    let notices = stmt
        .query_map([&case_id], |r| r.get::<_, String>(0))?
        .map(|t| Ok(crate::desk::parse_time(&t?)?.with_timezone(&china_time()).date_naive()))
        .collect::<Result<Vec<NaiveDate>>>()?;
    let supplement_days = crate::settings::supplement_days_in(tx)?;
    let input = ClockInput { promised_days, promised_unit, steps: &steps, notices: &notices, supplement_days, owed };
    let clocks = clocks::compute(calendar, &input)?;
    if let Some(reason) = reason {
        record_changes(tx, &case_id, &clocks, reason)?;
    }
    let date = |d: Option<Deadline>| d.map(|d| d.date.to_string());
    let estimated = |d: Option<Deadline>| d.is_some_and(|d| d.estimated);
    tx.prepare_cached(
        "UPDATE cases SET deadline = ?2, deadline_estimated = ?3, notice_due = ?4, notice_due_estimated = ?5,
            supplement_due = ?6, supplement_due_estimated = ?7, owed_due = ?8, owed_due_estimated = ?9 WHERE id = ?1",
    )?
    .execute(params![
        case_id,
        date(clocks.promise.deadline()),
        estimated(clocks.promise.deadline()),
        date(clocks.notice_due),
        estimated(clocks.notice_due),
        date(clocks.supplement_due),
        estimated(clocks.supplement_due),
        date(clocks.owed_due),
        estimated(clocks.owed_due),
    ])?;
    Ok(())
}

fn record_changes(tx: &Transaction<'_>, case_id: &str, clocks: &Clocks, reason: &ClockChangeReason<'_>) -> Result<()> {
    let (deadline, notice_due, supplement_due): (Option<String>, Option<String>, Option<String>) =
        tx.query_row("SELECT deadline, notice_due, supplement_due FROM cases WHERE id = ?1", [case_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let changes = [
        ("承诺办结日期", deadline, clocks.promise.deadline()),
        ("告知期限", notice_due, clocks.notice_due),
        ("补正期限", supplement_due, clocks.supplement_due),
    ];
    for (what, old, new) in changes {
        let (Some(old), Some(new)) = (old, new) else { continue };
        let new = new.date.to_string();
        if old != new {
            tx.execute(
                "INSERT INTO clock_changes (case_id, at, text) VALUES (?1, ?2, ?3)",
                params![case_id, reason.at.to_rfc3339(), format!("{what}由 {old} 调整为 {new}（{}）", reason.why)],
            )?;
        }
    }
    Ok(())
}

fn parse_steps(json: &str) -> Result<Vec<Step>> {
    let raw: Vec<(String, NaiveDate, String)> = serde_json::from_str(json)?;
    raw.into_iter()
        .map(|(kind, on, status)| {
            let bad = |what: &str, v: &str| StoreError::Json(serde::de::Error::custom(format!("{what}「{v}」无效")));
            Ok(Step {
                kind: EventKind::ALL.into_iter().find(|k| k.as_str() == kind).ok_or_else(|| bad("事件类型", &kind))?,
                on,
                status: CaseStatus::parse(&status).ok_or_else(|| bad("状态", &status))?,
            })
        })
        .collect()
}

/// Rebuilds the clock steps of the cases that have none from their events and recomputes their
/// clocks: the cases of a database from before the clocks were kept (whose deadlines a missing
/// calendar year may have left empty). Every projected case has at least its intake's step, so
/// this finds work only once, and a crash halfway is finished on the next open.
pub(crate) fn rebuild_missing_clocks(conn: &mut rusqlite::Connection, calendar: &WorkCalendar) -> Result<()> {
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM cases WHERE clock_steps = '[]'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if ids.is_empty() {
        return Ok(());
    }
    let tx = crate::write(conn)?;
    for id in ids {
        let mut stmt = tx.prepare_cached("SELECT body FROM events WHERE case_id = ?1 ORDER BY seq")?;
        let bodies: Vec<String> = stmt.query_map([&id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut steps = Vec::new();
        let mut status = None;
        let mut promised_days = 0;
        for body in bodies {
            let event: CaseEvent = serde_json::from_str(&body)?;
            let next = CaseStatus::apply(status, &event.body)?;
            let on = match &event.body {
                EventBody::Received { intake } => {
                    promised_days = intake.form.item.promised_days;
                    intake.received_on
                }
                _ => event.at.with_timezone(&china_time()).date_naive(),
            };
            steps.push((event.body.kind().as_str(), on, next.as_str()));
            status = Some(next);
        }
        tx.execute(
            "UPDATE cases SET promised_days = ?2, clock_steps = ?3 WHERE id = ?1",
            params![id, promised_days, serde_json::to_string(&steps)?],
        )?;
        drop(stmt);
        let case = CaseId(id.parse().map_err(|_| StoreError::UnknownCase(id.clone()))?);
        refresh_clocks(&tx, case, calendar, None)?;
    }
    tx.commit()?;
    Ok(())
}

/// Recomputes the clocks of every case with a 预估 date (the only ones a calendar import can
/// move: an official year never changes) and records what moved in their history.
pub(crate) fn refresh_estimated_clocks(
    tx: &Transaction<'_>,
    calendar: &WorkCalendar,
    reason: &ClockChangeReason<'_>,
) -> Result<usize> {
    let ids: Vec<String> = tx
        .prepare(
            "SELECT id FROM cases WHERE deadline_estimated = 1 OR notice_due_estimated = 1 OR supplement_due_estimated = 1",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        let case = CaseId(id.parse().map_err(|_| StoreError::UnknownCase(id.clone()))?);
        refresh_clocks(tx, case, calendar, Some(reason))?;
    }
    Ok(ids.len())
}

/// What a calendar import moved, for the case's history: (time, text), oldest first.
pub(crate) fn clock_changes_of(conn: &rusqlite::Connection, case: CaseId) -> Result<Vec<(DateTime<Utc>, String)>> {
    let mut stmt = conn.prepare_cached("SELECT at, text FROM clock_changes WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([case.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    rows.map(|r| {
        let (at, text) = r?;
        Ok((crate::desk::parse_time(&at)?, text))
    })
    .collect()
}

impl Store {
    /// The changes calendar imports made to a case's clocks, oldest first.
    pub fn clock_changes(&self, case: CaseId) -> Result<Vec<(DateTime<Utc>, String)>> {
        clock_changes_of(&self.conn, case)
    }

    /// How many cases owe a 一次性告知书 due on or before `by` (answered from its index).
    pub fn notices_owed_count(&self, by: NaiveDate) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM cases WHERE notice_due <= ?1", [by.to_string()], |r| r.get(0))?)
    }

    /// Open cases that owe a 一次性告知书 due on or before `by` (today: overdue ones; later:
    /// those coming due), the earliest due first, at most `limit`.
    pub fn notices_due(&self, by: NaiveDate, limit: u32) -> Result<Vec<CaseSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases WHERE notice_due <= ?1 ORDER BY notice_due, received_at LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![by.to_string(), limit], read_summary)?;
        rows.map(|r| r?).collect()
    }
}

fn write_materials(tx: &Transaction<'_>, case_id: &str, materials: &[Material]) -> Result<()> {
    crate::blobs::note_wanted_scans(tx, case_id, materials)?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO materials (case_id, position, name, form, copies, required, received, original_verified, scans, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (i, m) in materials.iter().enumerate() {
        stmt.execute(params![
            case_id,
            i as i64,
            m.name,
            serde_json::to_value(m.form)?.as_str().unwrap_or_default(),
            m.copies,
            m.required,
            m.received,
            m.original_verified,
            serde_json::to_string(&m.scans)?,
            m.note,
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;
    use tongban_core::applicant::Applicant;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn search_finds_by_name_prefix_id_prefix_id_suffix_and_number() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let mut other = crate::events::tests::form(false);
        if let Applicant::Person(p) = &mut other.applicant {
            p.name = "王芳".into();
            p.id_number = "440524198001010013".into();
        }
        let (_, first) =
            store.create_case(&crate::events::tests::form(false), "zhang", at("2026-03-02T02:00:00Z")).unwrap();
        let (_, second) = store.create_case(&other, "zhang", at("2026-03-02T03:00:00Z")).unwrap();
        let find = |text: &str| -> Vec<String> {
            let filter = CaseFilter { text: Some(text.into()), ..Default::default() };
            store.list_cases(&filter, 1, 20).unwrap().rows.into_iter().map(|r| r.number).collect()
        };
        assert_eq!(find("李"), vec![first.to_string()]);
        assert_eq!(find("王芳"), vec![second.to_string()]);
        assert_eq!(find("440524"), vec![second.to_string()]);
        assert_eq!(find("002x"), vec![first.to_string()], "last digits, lower-case x");
        assert_eq!(find("411329-20260302-A1-0002"), vec![second.to_string()]);
        assert_eq!(find("411329-"), vec![second.to_string(), first.to_string()], "newest first");
        assert!(find("4113").is_empty(), "without a dash, digits are an ID number, not a 办件编号");
        assert!(find("赵").is_empty());
    }

    #[test]
    fn a_status_set_and_the_receiving_region_narrow_the_list() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let form = |missing| crate::events::tests::form(missing);
        store.create_case(&form(true), "zhang", at("2026-03-02T02:00:00Z")).unwrap();
        let (_, complete) = store.create_case(&form(false), "zhang", at("2026-03-02T03:00:00Z")).unwrap();
        let list = |filter: CaseFilter| -> Vec<String> {
            store.list_cases(&filter, 1, 20).unwrap().rows.into_iter().map(|r| r.number).collect()
        };
        let received = vec![CaseStatus::Received, CaseStatus::Pushed];
        assert_eq!(list(CaseFilter { any_status: received.clone(), ..Default::default() }), [complete.to_string()]);
        let mine = CaseFilter { received_outside: Some("411329".into()), ..Default::default() };
        assert!(list(mine).is_empty(), "both were taken in by this desk's region");
        let elsewhere =
            CaseFilter { received_outside: Some("110106".into()), any_status: received, ..Default::default() };
        assert_eq!(list(elsewhere), [complete.to_string()]);
    }

    #[test]
    fn both_query_plans_give_the_same_rows() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        for i in 0..40 {
            let mut form = crate::events::tests::form(i % 3 == 0);
            if let Applicant::Person(p) = &mut form.applicant {
                p.name = ["李建国", "李芳", "王芳"][i % 3].into();
            }
            store.create_case(&form, "zhang", at(&format!("2026-03-{:02}T02:00:00Z", 1 + i % 28))).unwrap();
        }
        let filters = [
            CaseFilter { text: Some("李".into()), ..Default::default() },
            CaseFilter { text: Some("李".into()), status: Some(CaseStatus::AwaitingMaterials), ..Default::default() },
            CaseFilter { text: Some("002X".into()), from: NaiveDate::from_ymd_opt(2026, 3, 10), ..Default::default() },
            CaseFilter { text: Some("411329-2026030".into()), ..Default::default() },
            CaseFilter { status: Some(CaseStatus::Received), ..Default::default() },
            CaseFilter {
                text: Some("李".into()),
                any_status: vec![CaseStatus::Received, CaseStatus::Pushed],
                received_outside: Some("110106".into()),
                ..Default::default()
            },
        ];
        for filter in &filters {
            for page in 1..=3 {
                let by_text = store.page_of(filter, Drive::ByText, page, 7).unwrap();
                let by_time = store.page_of(filter, Drive::ByTime, page, 7).unwrap();
                assert_eq!(by_text, by_time, "{filter:?} page {page}");
            }
            assert!(!store.page_of(filter, Drive::ByText, 1, 7).unwrap().is_empty(), "{filter:?}");
        }
    }

    #[test]
    fn filters_narrow_and_pages_split() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        for i in 0..7 {
            let missing = i % 2 == 0;
            store
                .create_case(
                    &crate::events::tests::form(missing),
                    "zhang",
                    at(&format!("2026-03-0{}T02:00:00Z", i + 1)),
                )
                .unwrap();
        }
        let awaiting = CaseFilter { status: Some(CaseStatus::AwaitingMaterials), ..Default::default() };
        assert_eq!(store.list_cases(&awaiting, 1, 50).unwrap().total, 4);
        let range = CaseFilter {
            from: NaiveDate::from_ymd_opt(2026, 3, 2),
            to: NaiveDate::from_ymd_opt(2026, 3, 4),
            ..Default::default()
        };
        assert_eq!(store.list_cases(&range, 1, 50).unwrap().total, 3);
        let page2 = store.list_cases(&CaseFilter::default(), 2, 3).unwrap();
        assert_eq!(page2.total, 7);
        assert_eq!(page2.rows.len(), 3);
        assert_eq!(page2.rows[0].received_on, NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        let partner = CaseFilter { partner: Some("330802".into()), ..Default::default() };
        assert_eq!(store.list_cases(&partner, 1, 50).unwrap().total, 0);
    }

    #[test]
    fn the_deadline_counts_working_days_from_the_day_the_case_is_complete() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        // Friday 2026-02-13, just before 春节: 15 working days skip the holiday and count 2-14 and 2-28.
        let (_, number) =
            store.create_case(&crate::events::tests::form(false), "zhang", at("2026-02-13T02:00:00Z")).unwrap();
        let row = store.case_by_number(number.as_str()).unwrap();
        let expected = store.calendar().deadline(NaiveDate::from_ymd_opt(2026, 2, 13).unwrap(), 15).unwrap();
        assert_eq!(row.deadline, Some(expected));
        let (_, waiting) =
            store.create_case(&crate::events::tests::form(true), "zhang", at("2026-02-13T02:00:00Z")).unwrap();
        assert_eq!(store.case_by_number(waiting.as_str()).unwrap().deadline, None);
    }

    #[test]
    fn overdue_lists_open_cases_past_their_deadline_longest_first() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let complete = crate::events::tests::form(false);
        let (early, _) = store.create_case(&complete, "zhang", at("2026-03-02T02:00:00Z")).unwrap();
        let (late, _) = store.create_case(&complete, "zhang", at("2026-03-09T02:00:00Z")).unwrap();
        // 待补正 has no deadline yet: the clock has not started.
        store.create_case(&crate::events::tests::form(true), "zhang", at("2026-03-02T03:00:00Z")).unwrap();
        let deadline = |id: CaseId| {
            store
                .overdue_cases(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), 10)
                .unwrap()
                .into_iter()
                .find(|c| c.id == id)
                .and_then(|c| c.deadline.map(|d| d.date))
                .unwrap()
        };
        let (d_early, d_late) = (deadline(early), deadline(late));
        assert!(d_early < d_late);
        let ids = |today: NaiveDate, limit| -> Vec<CaseId> {
            store.overdue_cases(today, limit).unwrap().into_iter().map(|c| c.id).collect()
        };
        assert!(ids(d_early, 10).is_empty(), "due today is not overdue");
        assert_eq!(ids(d_early.succ_opt().unwrap(), 10), vec![early]);
        assert_eq!(ids(d_late.succ_opt().unwrap(), 10), vec![early, late], "longest overdue first");
        assert_eq!(ids(d_late.succ_opt().unwrap(), 1), vec![early]);
    }
}
