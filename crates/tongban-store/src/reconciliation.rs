//! 对账 as the desk holds it: the events of the cases it shares with one partner, dated in a
//! period, and the originals' packages mailed and not signed for. The hub's side comes over the
//! network (`tongban_sync::reconcile`); each side answers from its own records.

use chrono::{DateTime, Utc};
use rusqlite::params;
use tongban_core::case::{CaseEvent, CaseId, EventKind};
use uuid::Uuid;

use crate::{Result, Store, StoreError};

/// One event of a shared case as this desk holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldHere {
    pub id: Uuid,
    pub case_id: CaseId,
    pub number: String,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    /// Made on this desk.
    pub local: bool,
    /// Made here and not acknowledged by the hub yet (or held in the quarantine).
    pub waiting: bool,
    /// Left out of the case: a decision another desk's won over at the hub, or one an admin
    /// gave up. The hub never took it.
    pub set_aside: bool,
}

impl Store {
    /// The events dated in `[start, end)` of the cases this desk shares with `partner`'s hub:
    /// those it took in for `partner`, or, on the partner's own desk (its back office), those it
    /// handles; 已推送 marks (never sent) left out.
    pub fn reconciliation_events(
        &self,
        partner: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<HeldHere>> {
        let bound = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S").to_string();
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.case_id, c.number, e.kind, e.at, e.local, e.outbox, e.set_aside IS NOT NULL
             FROM events e JOIN cases c ON c.id = e.case_id
             WHERE c.handling_region = ?1 AND e.kind <> 'pushed'
               AND substr(e.at, 1, 19) >= ?2 AND substr(e.at, 1, 19) < ?3
             ORDER BY e.at, e.seq",
        )?;
        let rows = stmt.query_map(params![partner, bound(start), bound(end)], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?),
                (r.get::<_, String>(4)?, r.get::<_, bool>(5)?, r.get::<_, bool>(6)?, r.get::<_, bool>(7)?),
            ))
        })?;
        let bad = |what: &str, value: &str| StoreError::Corrupt(format!("事件的{what}「{value}」无法读取"));
        let mut out = Vec::new();
        for row in rows {
            let ((id, case_id, number, kind), (at, local, waiting, set_aside)) = row?;
            out.push(HeldHere {
                id: id.parse().map_err(|_| bad("标识", &id))?,
                case_id: CaseId(case_id.parse().map_err(|_| bad("办件标识", &case_id))?),
                number,
                kind: EventKind::ALL.into_iter().find(|k| k.as_str() == kind).ok_or_else(|| bad("类型", &kind))?,
                at: DateTime::parse_from_rfc3339(&at).map_err(|_| bad("时间", &at))?.with_timezone(&Utc),
                local,
                waiting,
                set_aside,
            });
        }
        Ok(out)
    }

    /// The 寄递 events (packages mailed and signed for) of the cases shared with `partner`, in
    /// order, for the packages still unsigned.
    pub fn paper_events(&self, partner: &str) -> Result<Vec<(String, CaseEvent)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.number, e.body FROM events e JOIN cases c ON c.id = e.case_id
             WHERE c.handling_region = ?1 AND e.set_aside IS NULL
               AND e.kind IN ('originals_mailed', 'originals_signed', 'result_mailed', 'result_signed')
             ORDER BY e.case_id, e.seq",
        )?;
        let rows = stmt.query_map([partner], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (number, body) = row?;
            out.push((number, serde_json::from_str(&body)?));
        }
        Ok(out)
    }

    /// The 办件编号 of case `id`, when this desk holds it.
    pub fn number_of(&self, id: CaseId) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT number FROM cases WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?)
    }
}
