//! 对账 as the desk holds it: the events of the cases it shares with one partner, dated in a
//! period, and the originals' packages mailed and not signed for. The hub's side comes over the
//! network (`tongban_sync::reconcile`); each side answers from its own records.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};
use tongban_core::case::{CaseEvent, CaseId, EventKind};
use uuid::Uuid;

use crate::{Result, Store, StoreError};

/// Step 14: the last 对账 with each partner, whoever ran it (the engine's daily one, the window,
/// `tongban partner reconcile`): what it found is news in the status bar until a 对账 is clean.
pub(crate) const SCHEMA_V14: &str = "
CREATE TABLE reconciliations (
    hub_region   TEXT PRIMARY KEY,
    checked_at   TEXT NOT NULL,
    from_day     TEXT NOT NULL,
    to_day       TEXT NOT NULL,
    matched      INTEGER NOT NULL,
    troubles     INTEGER NOT NULL,   -- differences a sync does not explain (see tongban_sync::reconcile)
    packages     INTEGER NOT NULL,   -- packages of originals unsigned past the days allowed
    package_days INTEGER NOT NULL
);
-- The packages of originals mailed in a period (an event's `at` is RFC 3339 text: it orders as time).
CREATE INDEX events_originals_mailed ON events (at, case_id) WHERE kind = 'originals_mailed';
";

/// What the last 对账 with one partner found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciliationRecord {
    pub hub_region: String,
    pub checked_at: DateTime<Utc>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub matched: u64,
    /// Differences a sync does not explain: sent and not at the hub, a case the hub has that
    /// this desk lacks after a full pull.
    pub troubles: u64,
    /// Packages of originals unsigned `package_days` after mailing.
    pub packages: u64,
    pub package_days: i64,
}

impl ReconciliationRecord {
    /// Something a person should look at.
    pub fn is_news(&self) -> bool {
        self.troubles > 0 || self.packages > 0
    }
}

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

    /// The 寄递 events (packages mailed and signed for) of the cases shared with `partner` that had
    /// originals mailed in `[start, end)`, in order, for the packages still unsigned. Found by the
    /// paper events' own index, however long the desk's history.
    pub fn paper_events(
        &self,
        partner: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<(String, CaseEvent)>> {
        let bound = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S").to_string();
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.number, e.body FROM events e JOIN cases c ON c.id = e.case_id
             WHERE c.handling_region = ?1 AND e.set_aside IS NULL
               AND e.kind IN ('originals_mailed', 'originals_signed', 'result_mailed', 'result_signed')
               AND e.case_id IN (SELECT case_id FROM events INDEXED BY events_originals_mailed
                                  WHERE kind = 'originals_mailed' AND at >= ?2 AND at < ?3)
             ORDER BY e.case_id, e.seq",
        )?;
        let rows = stmt.query_map(params![partner, bound(start), bound(end)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (number, body) = row?;
            out.push((number, serde_json::from_str(&body)?));
        }
        Ok(out)
    }

    /// Keeps `found` as the last 对账 with its partner (replacing the one before).
    pub fn record_reconciliation(&self, found: &ReconciliationRecord) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO reconciliations
                 (hub_region, checked_at, from_day, to_day, matched, troubles, packages, package_days)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                found.hub_region,
                found.checked_at.to_rfc3339(),
                found.from.to_string(),
                found.to.to_string(),
                found.matched as i64,
                found.troubles as i64,
                found.packages as i64,
                found.package_days
            ],
        )?;
        Ok(())
    }

    /// The last 对账 with `partner`, if any.
    pub fn last_reconciliation(&self, partner: &str) -> Result<Option<ReconciliationRecord>> {
        Ok(self.reconciliations(Some(partner))?.pop())
    }

    /// The last 对账 with each partner that found something to look at, partners in order.
    pub fn reconciliation_news(&self) -> Result<Vec<ReconciliationRecord>> {
        Ok(self.reconciliations(None)?.into_iter().filter(ReconciliationRecord::is_news).collect())
    }

    /// The last 对账 with `partner`, or with every partner.
    fn reconciliations(&self, partner: Option<&str>) -> Result<Vec<ReconciliationRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT hub_region, checked_at, from_day, to_day, matched, troubles, packages, package_days
             FROM reconciliations WHERE ?1 IS NULL OR hub_region = ?1 ORDER BY hub_region",
        )?;
        let rows = stmt.query_map([partner], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?),
                (r.get::<_, i64>(4)?, r.get::<_, i64>(5)?, r.get::<_, i64>(6)?, r.get::<_, i64>(7)?),
            ))
        })?;
        let day =
            |d: &str| d.parse::<NaiveDate>().map_err(|_| StoreError::Corrupt(format!("对账记录的日期「{d}」无法读取")));
        let mut out = Vec::new();
        for row in rows {
            let ((hub_region, checked_at, from, to), (matched, troubles, packages, package_days)) = row?;
            out.push(ReconciliationRecord {
                hub_region,
                checked_at: crate::desk::parse_time(&checked_at)?,
                from: day(&from)?,
                to: day(&to)?,
                matched: matched.max(0) as u64,
                troubles: troubles.max(0) as u64,
                packages: packages.max(0) as u64,
                package_days,
            });
        }
        Ok(out)
    }

    /// The 办件编号 of case `id`, when this desk holds it.
    pub fn number_of(&self, id: CaseId) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT number FROM cases WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?)
    }
}
