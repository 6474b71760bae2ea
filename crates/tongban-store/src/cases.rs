//! The case projection: one row per case and its current materials, rewritten by every event in
//! the event's own transaction. It exists for listing and searching; the events stay the truth.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, params_from_iter, types::Value, OptionalExtension, Transaction};
use serde::Serialize;
use tongban_core::case::{CaseEvent, CaseId, CaseStatus, EventBody, Material};
use tongban_core::workdays::WorkCalendar;

use crate::events::china_time;
use crate::{Result, Store, StoreError};

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
CREATE INDEX cases_by_name ON cases (applicant_name);
CREATE INDEX cases_by_id ON cases (applicant_id);
CREATE INDEX cases_by_id_rev ON cases (applicant_id_rev);
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

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub number: String,
    pub status: CaseStatus,
    pub item_code: String,
    pub item_name: String,
    pub receiving_region: String,
    pub handling_region: String,
    pub applicant_name: String,
    pub applicant_id: String,
    pub clerk: String,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    /// Some event of the case still waits for a hub.
    pub pending_sync: bool,
}

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

impl CaseFilter {
    fn where_clause(&self) -> (String, Vec<Value>) {
        let mut terms: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let arg = |v: String, args: &mut Vec<Value>| {
            args.push(Value::Text(v));
            format!("?{}", args.len())
        };
        if let Some(text) = self.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let upper = text.to_uppercase();
            let name = format!(
                "(applicant_name >= {} AND applicant_name < {})",
                arg(text.to_string(), &mut args),
                arg(prefix_end(text), &mut args)
            );
            if !text.is_ascii() {
                terms.push(name);
            } else {
                let mut any = vec![name];
                for col in ["number", "applicant_id"] {
                    any.push(format!(
                        "({col} >= {} AND {col} < {})",
                        arg(upper.clone(), &mut args),
                        arg(prefix_end(&upper), &mut args)
                    ));
                }
                // The last digits of an ID are what applicants read out most often.
                if upper.len() >= 4 {
                    let rev: String = upper.chars().rev().collect();
                    any.push(format!(
                        "(applicant_id_rev >= {} AND applicant_id_rev < {})",
                        arg(rev.clone(), &mut args),
                        arg(prefix_end(&rev), &mut args)
                    ));
                }
                terms.push(format!("({})", any.join(" OR ")));
            }
        }
        if let Some(status) = self.status {
            terms.push(format!("status = {}", arg(status.as_str().to_string(), &mut args)));
        }
        if let Some(from) = self.from {
            terms.push(format!("received_on >= {}", arg(from.to_string(), &mut args)));
        }
        if let Some(to) = self.to {
            terms.push(format!("received_on <= {}", arg(to.to_string(), &mut args)));
        }
        for (col, value) in [("item_code", &self.item_code), ("handling_region", &self.partner), ("clerk", &self.clerk)] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                terms.push(format!("{col} = {}", arg(v.to_string(), &mut args)));
            }
        }
        let clause = if terms.is_empty() { String::new() } else { format!("WHERE {}", terms.join(" AND ")) };
        (clause, args)
    }
}

const SUMMARY_COLUMNS: &str = "id, number, status, item_code, item_name, receiving_region, handling_region,
    applicant_name, applicant_id, clerk, received_at, received_on, deadline,
    EXISTS (SELECT 1 FROM events e WHERE e.case_id = cases.id AND e.outbox = 1)";

impl Store {
    /// Cases matching `filter`, newest first; `page` counts from 1.
    pub fn list_cases(&self, filter: &CaseFilter, page: u32, page_size: u32) -> Result<Page<CaseSummary>> {
        let (clause, args) = filter.where_clause();
        let total: u64 =
            self.conn.query_row(&format!("SELECT count(*) FROM cases {clause}"), params_from_iter(args.iter()), |r| r.get(0))?;
        let page_size = page_size.clamp(1, 1000);
        let offset = (page.max(1) - 1) as i64 * page_size as i64;
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases {clause} ORDER BY received_at DESC LIMIT {page_size} OFFSET {offset}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), read_summary)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(Page { rows: out, total })
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
}

fn read_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<CaseSummary>> {
    let id: String = r.get(0)?;
    let status: String = r.get(2)?;
    let received_at: String = r.get(10)?;
    let received_on: String = r.get(11)?;
    let deadline: Option<String> = r.get(12)?;
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
            deadline: deadline.map(|d| d.parse().map_err(|_| bad("日期", &d))).transpose()?,
            pending_sync: r.get(13)?,
        })
    };
    Ok(build())
}

pub(crate) fn status_of(tx: &Transaction<'_>, case: CaseId) -> Result<Option<CaseStatus>> {
    let status: Option<String> =
        tx.query_row("SELECT status FROM cases WHERE id = ?1", [case.to_string()], |r| r.get(0)).optional()?;
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
            // The promised time runs from the day the case is complete.
            let deadline = (status == CaseStatus::Received)
                .then(|| calendar.deadline(intake.received_on, form.item.promised_days).ok())
                .flatten();
            let applicant_id = form.applicant.id_number().to_string();
            tx.execute(
                "INSERT INTO cases (id, number, status, item_code, item_name, receiving_region, handling_region,
                    applicant_name, applicant_id, applicant_id_rev, clerk, received_at, received_on, deadline,
                    updated_at, last_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?12, ?15)",
                params![
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
                    deadline.map(|d| d.to_string()),
                    seq,
                ],
            )?;
            write_materials(tx, &case_id, &form.materials)?;
        }
        body => {
            tx.execute(
                "UPDATE cases SET status = ?2, updated_at = ?3, last_seq = ?4 WHERE id = ?1",
                params![case_id, status.as_str(), at, seq],
            )?;
            if let EventBody::Completed { materials } | EventBody::Supplemented { materials } = body {
                tx.execute("DELETE FROM materials WHERE case_id = ?1", [&case_id])?;
                write_materials(tx, &case_id, materials)?;
            }
            if let EventBody::Completed { .. } = body {
                let promised: u32 = tx.query_row(
                    "SELECT json_extract(body, '$.intake.item.promised_days') FROM events
                     WHERE case_id = ?1 AND kind = 'received'",
                    [&case_id],
                    |r| r.get(0),
                )?;
                let deadline = calendar.deadline(today, promised).ok();
                tx.execute(
                    "UPDATE cases SET deadline = ?2 WHERE id = ?1",
                    params![case_id, deadline.map(|d| d.to_string())],
                )?;
            }
        }
    }
    Ok(())
}

fn write_materials(tx: &Transaction<'_>, case_id: &str, materials: &[Material]) -> Result<()> {
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
        let (_, first) = store.create_case(&crate::events::tests::form(false), "zhang", at("2026-03-02T02:00:00Z")).unwrap();
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
        assert_eq!(find("411329"), vec![second.to_string(), first.to_string()], "newest first");
        assert!(find("赵").is_empty());
    }

    #[test]
    fn filters_narrow_and_pages_split() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        for i in 0..7 {
            let missing = i % 2 == 0;
            store
                .create_case(&crate::events::tests::form(missing), "zhang", at(&format!("2026-03-0{}T02:00:00Z", i + 1)))
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
        let (_, number) = store.create_case(&crate::events::tests::form(false), "zhang", at("2026-02-13T02:00:00Z")).unwrap();
        let row = store.case_by_number(number.as_str()).unwrap();
        let expected = store.calendar().deadline(NaiveDate::from_ymd_opt(2026, 2, 13).unwrap(), 15).unwrap();
        assert_eq!(row.deadline, Some(expected));
        let (_, waiting) = store.create_case(&crate::events::tests::form(true), "zhang", at("2026-02-13T02:00:00Z")).unwrap();
        assert_eq!(store.case_by_number(waiting.as_str()).unwrap().deadline, None);
    }
}
