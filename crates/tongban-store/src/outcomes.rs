//! What the supervisor's rates need of each case beyond its 台账 line: whether the handling
//! region accepted or refused it, the day it was concluded, and the item's promise. Read from
//! the events, which are the truth (the projection keeps only the latest status).

use std::collections::HashMap;

use chrono::NaiveDate;
use tongban_core::case::CaseId;
use tongban_core::time::china_time;

use crate::{Result, Store, StoreError};

/// The decisions and 办结 of one case, from its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseOutcome {
    /// A 受理 was recorded (later steps may follow).
    pub accepted: bool,
    /// A 不予受理 was recorded.
    pub refused: bool,
    /// The day (Beijing time) of its 办结, by the time the handling region recorded.
    pub concluded_on: Option<NaiveDate>,
    /// The item's promised time, in working days, as taken in.
    pub promised_days: u32,
}

impl Store {
    /// The outcomes of `cases` (one query; cases not found are left out).
    pub fn case_outcomes(&self, cases: &[CaseId]) -> Result<HashMap<CaseId, CaseOutcome>> {
        let ids = serde_json::to_string(&cases.iter().map(|c| c.to_string()).collect::<Vec<_>>())?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.case_id,
                EXISTS (SELECT 1 FROM events e WHERE e.case_id = r.case_id AND e.kind = 'accepted'),
                EXISTS (SELECT 1 FROM events e WHERE e.case_id = r.case_id AND e.kind = 'refused'),
                (SELECT e.at FROM events e WHERE e.case_id = r.case_id AND e.kind = 'concluded' ORDER BY e.seq LIMIT 1),
                json_extract(r.body, '$.intake.item.promised_days')
             FROM json_each(?1) j
             JOIN events r ON r.case_id = j.value AND r.kind = 'received'",
        )?;
        let rows = stmt.query_map([ids], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, u32>(4)?,
            ))
        })?;
        let mut out = HashMap::with_capacity(cases.len());
        for row in rows {
            let (id, accepted, refused, concluded_at, promised_days) = row?;
            let bad = || StoreError::Json(serde::de::Error::custom(format!("办件标识「{id}」无效")));
            let concluded_on = concluded_at
                .map(|t| crate::desk::parse_time(&t).map(|t| t.with_timezone(&china_time()).date_naive()))
                .transpose()?;
            out.insert(
                CaseId(id.parse().map_err(|_| bad())?),
                CaseOutcome { accepted, refused, concluded_on, promised_days },
            );
        }
        Ok(out)
    }
}
