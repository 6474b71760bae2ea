//! The event ledger: every event the hub admitted, numbered in arrival order, and a projection
//! of each case (regions, status, what the inbox lists) updated in the same transaction.
//!
//! Admission is one function ([`admit`]) whatever the path (a desk's push or a back-office
//! decision), so both are refused for the same reasons with the same messages.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use tongban_core::case::{check_side, CaseEvent, CaseId, CaseNumber, CaseStatus, EventBody, Side};
use tongban_wire::decisions::{DecisionRequest, DecisionResponse, InboxCase, InboxPage, InboxQuery};
use tongban_wire::events::{PullResponse, PushOutcome, SequencedEvent};
use tongban_wire::ErrorBody;

use crate::credentials::Credential;
use crate::{blobs, region_label, Hub, HubError, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE events (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,  -- the hub's order; the pull cursor
    id               TEXT NOT NULL UNIQUE,               -- the event's UUID; pushes are idempotent by it
    case_id          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    receiving_region TEXT NOT NULL,                      -- copied from the case so a pull filters without a join
    handling_region  TEXT NOT NULL,
    body             TEXT NOT NULL,                      -- the whole CaseEvent as JSON
    stored_at        TEXT NOT NULL,
    credential_id    INTEGER NOT NULL                    -- who delivered it, for the audit
);
CREATE INDEX events_by_case ON events (case_id, seq);
CREATE INDEX events_by_receiving_region ON events (receiving_region, seq);
CREATE INDEX events_by_handling_region ON events (handling_region, seq);
CREATE TABLE cases (
    case_id          TEXT PRIMARY KEY,
    first_seq        INTEGER NOT NULL UNIQUE,            -- inbox order and paging cursor
    number           TEXT NOT NULL,
    receiving_region TEXT NOT NULL,
    handling_region  TEXT NOT NULL,
    status           TEXT NOT NULL,
    applicant_name   TEXT NOT NULL,
    item_code        TEXT NOT NULL,
    item_name        TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX cases_by_handling_region ON cases (handling_region, first_seq);
";

/// Page sizes for the inbox, the same bounds as a pull.
pub const INBOX_LIMIT_DEFAULT: u32 = 200;
pub const INBOX_LIMIT_MAX: u32 = 1000;

/// What admitting one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admitted {
    New(u64),
    /// The same event was already here: nothing changed.
    Duplicate(u64),
}

/// The case facts admission needs.
struct CaseRow {
    status: CaseStatus,
    receiving_region: String,
    handling_region: String,
}

fn case_row(tx: &Transaction<'_>, case: CaseId) -> Result<Option<CaseRow>> {
    let row: Option<(String, String, String)> = tx
        .query_row(
            "SELECT status, receiving_region, handling_region FROM cases WHERE case_id = ?1",
            [case.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    row.map(|(status, receiving_region, handling_region)| -> Result<CaseRow> {
        let status = CaseStatus::parse(&status).ok_or_else(|| corrupt(0, format!("未知状态「{status}」")))?;
        Ok(CaseRow { status, receiving_region, handling_region })
    })
    .transpose()
}

/// A stored value this build cannot read back: only a damaged or foreign file has one.
fn corrupt(column: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, what.into())
}

fn stored_event(tx: &Transaction<'_>, id: uuid::Uuid) -> Result<Option<(u64, CaseEvent)>> {
    let row: Option<(u64, String)> = tx
        .query_row("SELECT seq, body FROM events WHERE id = ?1", [id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(seq, body)| Ok((seq, serde_json::from_str(&body)?))).transpose()
}

/// Checks one event against the credential, the case and the state machine, and stores it.
/// Everything is checked before anything is written, so a refused event changes nothing.
pub(crate) fn admit(
    tx: &Transaction<'_>,
    hub_region: &str,
    caller: &Credential,
    event: &CaseEvent,
    now: DateTime<Utc>,
) -> Result<Admitted> {
    let kind = event.body.kind();
    if kind.is_local() {
        return Err(HubError::LocalEvent(kind));
    }
    if event.author.region != caller.region {
        return Err(HubError::WrongRegion {
            author: region_label(&event.author.region),
            credential: region_label(&caller.region),
        });
    }
    if let Some((seq, stored)) = stored_event(tx, event.id)? {
        return if &stored == event { Ok(Admitted::Duplicate(seq)) } else { Err(HubError::EventConflict(event.id)) };
    }
    let case = case_row(tx, event.case_id)?;
    let (receiving_region, handling_region) = match (&case, &event.body) {
        (Some(case), _) => (case.receiving_region.clone(), case.handling_region.clone()),
        (None, EventBody::Received { intake }) => {
            (intake.receiving_region.clone(), intake.form.handling_region.clone())
        }
        // Not an intake and no case: the state machine says why ("办件尚不存在，不能…").
        (None, body) => return Err(CaseStatus::apply(None, body).unwrap_err().into()),
    };
    if handling_region != hub_region {
        return Err(HubError::NotParty(format!(
            "办件的办理地为 {}，不是本通办中心所在地区 {}",
            region_label(&handling_region),
            region_label(hub_region)
        )));
    }
    if receiving_region == handling_region {
        return Err(HubError::NotParty("受理地与办理地相同的办件不经通办中心流转".into()));
    }
    let side = if caller.region == receiving_region {
        Side::Receiving
    } else if caller.region == handling_region {
        Side::Handling
    } else {
        return Err(HubError::NotParty(format!(
            "凭据所属地区 {} 既不是该办件的受理地也不是办理地",
            region_label(&caller.region)
        )));
    };
    check_side(kind, side)?;
    let status = CaseStatus::apply(case.as_ref().map(|c| c.status), &event.body)?;
    if let Some(missing) = event.body.missing_content() {
        return Err(HubError::InvalidEvent(missing.to_string()));
    }
    let scans: Vec<&str> = event.body.scans().collect();
    for sha in &scans {
        if !tongban_wire::is_sha256_hex(sha) {
            return Err(HubError::InvalidEvent(format!("扫描件编号「{sha}」不是有效的 SHA-256")));
        }
        if !blobs::is_stored(tx, sha)? {
            return Err(HubError::MissingBlob(sha.to_string()));
        }
    }

    let case_id = event.case_id.to_string();
    let seq: u64 = tx.query_row(
        "INSERT INTO events (id, case_id, kind, receiving_region, handling_region, body, stored_at, credential_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING seq",
        params![
            event.id.to_string(),
            case_id,
            kind.as_str(),
            receiving_region,
            handling_region,
            serde_json::to_string(event)?,
            now,
            caller.id
        ],
        |r| r.get(0),
    )?;
    match &event.body {
        EventBody::Received { intake } => {
            tx.execute(
                "INSERT INTO cases (case_id, first_seq, number, receiving_region, handling_region, status,
                                    applicant_name, item_code, item_name, received_on, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    case_id,
                    seq,
                    intake.number.as_str(),
                    receiving_region,
                    handling_region,
                    status.as_str(),
                    intake.form.applicant.name(),
                    intake.form.item.code,
                    intake.form.item.name,
                    intake.received_on,
                    now
                ],
            )?;
        }
        _ => {
            tx.execute(
                "UPDATE cases SET status = ?2, updated_at = ?3 WHERE case_id = ?1",
                params![case_id, status.as_str(), now],
            )?;
        }
    }
    blobs::record_references(tx, &scans, event.case_id)?;
    Ok(Admitted::New(seq))
}

/// The part of a caller's view a region is allowed: cases it receives or handles.
const VISIBLE_TO_REGION: &str = "(receiving_region = ?1 OR handling_region = ?1)";

impl Hub {
    /// Admits a batch in order, in one transaction (one fsync for the batch). Each event gets its
    /// own outcome; a rejected event does not stop the rest, and later events of its case are
    /// judged without it.
    pub fn push(&self, caller: &Credential, events: &[CaseEvent], now: DateTime<Utc>) -> Result<Vec<PushOutcome>> {
        let mut conn = self.conn();
        let tx = Transaction::new(&mut conn, TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(events.len());
        for event in events {
            let id = event.id;
            outcomes.push(match admit(&tx, &self.region, caller, event, now) {
                Ok(Admitted::New(seq)) => PushOutcome::Accepted { id, seq },
                Ok(Admitted::Duplicate(seq)) => PushOutcome::Duplicate { id, seq },
                Err(e) if e.code() != tongban_wire::ErrorCode::Internal => {
                    tracing::info!(event = %id, code = e.code().as_str(), "event rejected: {e}");
                    PushOutcome::rejected(id, ErrorBody::new(e.code(), e.to_string()))
                }
                Err(e) => return Err(e),
            });
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// The events after `since` that `caller`'s region may see, at most `limit`.
    pub fn pull(&self, caller: &Credential, since: u64, limit: u32) -> Result<PullResponse> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT seq, body FROM events WHERE seq > ?2 AND {VISIBLE_TO_REGION} ORDER BY seq LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![caller.region, sql_seq(since), limit + 1], |r| {
            Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (seq, body) = row?;
            events.push(SequencedEvent { seq, event: serde_json::from_str(&body)? });
        }
        let has_more = events.len() > limit as usize;
        events.truncate(limit as usize);
        let next_cursor = events.last().map_or(since, |e| e.seq);
        Ok(PullResponse { events, next_cursor, has_more })
    }

    /// The cases addressed to the hub's region, oldest first.
    pub fn inbox(&self, query: &InboxQuery) -> Result<InboxPage> {
        let limit = query.limit.unwrap_or(INBOX_LIMIT_DEFAULT) as usize;
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT case_id, number, status, applicant_name, item_code, item_name, receiving_region, received_on,
                    updated_at, first_seq
             FROM cases WHERE handling_region = ?1 AND first_seq > ?2 AND (?3 IS NULL OR status = ?3)
             ORDER BY first_seq LIMIT ?4",
        )?;
        let params =
            params![self.region, sql_seq(query.after.unwrap_or(0)), query.status.map(CaseStatus::as_str), limit + 1];
        let mut page = stmt
            .query_map(params, |r| {
                let case_id: String = r.get(0)?;
                let number: String = r.get(1)?;
                let status: String = r.get(2)?;
                let status = CaseStatus::parse(&status).ok_or_else(|| corrupt(2, format!("未知状态「{status}」")))?;
                let inbox_case = InboxCase {
                    case_id: CaseId(case_id.parse().map_err(|_| corrupt(0, format!("办件标识「{case_id}」已损坏")))?),
                    number: CaseNumber::parse(&number).map_err(|e| corrupt(1, e.to_string()))?,
                    status,
                    status_label: status.label().to_string(),
                    applicant_name: r.get(3)?,
                    item_code: r.get(4)?,
                    item_name: r.get(5)?,
                    receiving_region: r.get(6)?,
                    received_on: r.get(7)?,
                    updated_at: r.get(8)?,
                };
                Ok((r.get::<_, u64>(9)?, inbox_case))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let has_more = page.len() > limit;
        page.truncate(limit);
        let next_after = if has_more { page.last().map(|(seq, _)| *seq) } else { None };
        Ok(InboxPage { cases: page.into_iter().map(|(_, c)| c).collect(), next_after })
    }

    /// Records a back-office decision as the handling side's event, authored by the credential's
    /// desk and region and dated by the hub. A retry with the same `event_id` and the same decision
    /// answers with the event already made (its original time); a different decision under that
    /// id is a conflict.
    pub fn decide(
        &self,
        caller: &Credential,
        case_id: CaseId,
        request: DecisionRequest,
        now: DateTime<Utc>,
    ) -> Result<DecisionResponse> {
        let user = request.user.trim();
        if user.is_empty() {
            return Err(HubError::InvalidEvent("请填写作出决定的审批人员（user）".into()));
        }
        let mut event = CaseEvent {
            id: request.event_id,
            case_id,
            at: now,
            author: tongban_core::case::Author {
                user: user.to_string(),
                desk: caller.desk.clone(),
                region: caller.region.clone(),
            },
            body: request.decision.into_event_body(),
        };
        let mut conn = self.conn();
        let tx = Transaction::new(&mut conn, TransactionBehavior::Immediate)?;
        if let Some((seq, stored)) = stored_event(&tx, event.id)? {
            // The hub dated the first attempt; a retry is the same decision if all else matches.
            event.at = stored.at;
            return if stored == event {
                Ok(DecisionResponse { seq, duplicate: true, event: stored })
            } else {
                Err(HubError::EventConflict(event.id))
            };
        }
        if case_row(&tx, case_id)?.is_none() {
            return Err(HubError::UnknownCase(case_id));
        }
        let Admitted::New(seq) = admit(&tx, &self.region, caller, &event, now)? else {
            unreachable!("the event id was looked up in this transaction")
        };
        tx.commit()?;
        Ok(DecisionResponse { seq, duplicate: false, event })
    }
}

/// A cursor from a request as SQLite's signed integer: a cursor past every sequence number any
/// hub will reach (2^63 and up) means "nothing after it", not an error.
fn sql_seq(cursor: u64) -> i64 {
    i64::try_from(cursor).unwrap_or(i64::MAX)
}
