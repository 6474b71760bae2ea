//! The event ledger: every event the hub admitted, numbered in arrival order, and a projection
//! of each case (regions, status, what the inbox lists) updated in the same transaction.
//!
//! Admission is one function ([`admit`]) whatever the path (a desk's push or a back-office
//! decision), so both are refused for the same reasons with the same messages.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;
use tongban_core::admission::{check_author, check_intake, check_number, check_renumbering, Renumbering};
use tongban_core::case::{check_side, CaseEvent, CaseId, CaseNumber, CaseStatus, EventBody, EventKind, Side};
use tongban_core::validate::ValidationError;
use tongban_wire::decisions::{DecisionRequest, DecisionResponse, InboxCase, InboxPage, InboxQuery};
use tongban_wire::events::{
    reconciliation_window, HeldEvent, PullResponse, PushOutcome, ReconciliationPage, SequencedEvent,
};

use crate::credentials::{confirmed_desk, desk_code_of, Credential, Role};
use crate::db::Conn;
use crate::scope::Scope;
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

/// Step 3: whose a case is, and numbers nobody can take. `desk_code` is the receiving desk's code
/// (from the case's number): a window's pull is the events of its own cases, found by the copy
/// in `events.receiving_desk`. `case_numbers` holds each 办件编号 once; a hub that admitted the
/// same number twice before this step keeps the first there (the later one can be moved with a
/// 更正编号 by the desk that took it in).
pub(crate) const SCHEMA_V3: &str = "
ALTER TABLE cases ADD COLUMN desk_code TEXT NOT NULL DEFAULT '';
UPDATE cases SET desk_code = CASE WHEN instr(substr(number, 17), '-') > 0
    THEN substr(number, 17, instr(substr(number, 17), '-') - 1) ELSE '' END;
CREATE INDEX cases_by_receiving_desk ON cases (receiving_region, desk_code);
ALTER TABLE events ADD COLUMN receiving_desk TEXT NOT NULL DEFAULT '';
UPDATE events SET receiving_desk = coalesce((SELECT c.desk_code FROM cases c WHERE c.case_id = events.case_id), '');
CREATE INDEX events_by_receiving_desk ON events (receiving_region, receiving_desk, seq);
CREATE TABLE case_numbers (
    number  TEXT PRIMARY KEY,
    case_id TEXT NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO case_numbers (number, case_id) SELECT number, case_id FROM cases ORDER BY first_seq;
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
    /// The case's number now (a 更正编号 changes it).
    number: String,
    /// The receiving desk's code: whose case it is.
    desk_code: String,
}

fn case_row(tx: &Conn<'_>, case: CaseId) -> Result<Option<CaseRow>> {
    let row: Option<(String, String, String, String, String)> = tx.query_opt(
        "SELECT status, receiving_region, handling_region, number, desk_code FROM cases WHERE case_id = ?1",
        params![case.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    row.map(|(status, receiving_region, handling_region, number, desk_code)| -> Result<CaseRow> {
        let status = CaseStatus::parse(&status).ok_or_else(|| corrupt(0, format!("未知状态「{status}」")))?;
        Ok(CaseRow { status, receiving_region, handling_region, number, desk_code })
    })
    .transpose()
}

/// The case's intake as admitted (its first event).
fn intake_event(tx: &Conn<'_>, case: CaseId) -> Result<CaseEvent> {
    let body: String = tx.query_row(
        "SELECT body FROM events WHERE case_id = ?1 AND kind = 'received' ORDER BY seq LIMIT 1",
        params![case.to_string()],
        |r| r.get(0),
    )?;
    Ok(serde_json::from_str(&body)?)
}

/// Whether `number` is free, or already the number of `case`.
fn number_is_free(tx: &Conn<'_>, number: &str, case: CaseId) -> Result<bool> {
    let holder: Option<String> =
        tx.query_opt("SELECT case_id FROM case_numbers WHERE number = ?1", params![number], |r| r.get(0))?;
    Ok(holder.is_none_or(|h| h == case.to_string()))
}

/// Why a decision that does not fit the case was not taken, when the reason is another desk's
/// decision admitted first: the first decision the hub admits wins, and the desk that lost is told
/// whose it was. `None` when no other desk decided (the event just does not fit).
fn superseded_by(tx: &Conn<'_>, event: &CaseEvent, case: &CaseRow) -> Result<Option<HubError>> {
    if !event.body.kind().is_decision() {
        return Ok(None);
    }
    // A 签收原件 is the handling side's but decides nothing: it never wins over a decision.
    let handling: Vec<String> =
        EventKind::ALL.into_iter().filter(|k| k.is_decision()).map(|k| format!("'{}'", k.as_str())).collect();
    let latest: Option<String> = tx.query_opt(
        &format!(
            "SELECT body FROM events WHERE case_id = ?1 AND kind IN ({}) ORDER BY seq DESC LIMIT 1",
            handling.join(", ")
        ),
        params![event.case_id.to_string()],
        |r| r.get(0),
    )?;
    let Some(latest) = latest else { return Ok(None) };
    let winner: CaseEvent = serde_json::from_str(&latest)?;
    if winner.author.desk == event.author.desk {
        return Ok(None);
    }
    Ok(Some(HubError::Superseded(format!(
        "办件 {} 已由{}的{}于 {} 作出「{}」，先到通办中心的决定为准：本决定「{}」未被采纳，办件现为「{}」",
        case.number,
        tongban_core::region::display_name(&winner.author.region),
        winner.author.display(),
        winner.at.with_timezone(&tongban_core::time::china_time()).format("%Y-%m-%d %H:%M"),
        winner.body.kind().label(),
        event.body.kind().label(),
        case.status.label()
    ))))
}

/// A stored value this build cannot read back: only a damaged or foreign file has one.
fn corrupt(column: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, what.into())
}

fn stored_event(tx: &Conn<'_>, id: uuid::Uuid) -> Result<Option<(u64, CaseEvent)>> {
    let row: Option<(u64, String)> =
        tx.query_opt("SELECT seq, body FROM events WHERE id = ?1", params![id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    row.map(|(seq, body)| Ok((seq, serde_json::from_str(&body)?))).transpose()
}

/// Checks one event against the credential, the case and the state machine, and stores it.
/// Everything is checked before anything is written, so a refused event changes nothing.
/// `renumbered_to` is, for an intake pushed together with its 更正编号, the number it is admitted
/// under (see [`Hub::push`]).
pub(crate) fn admit(
    tx: &Conn<'_>,
    hub: &Hub,
    caller: &Credential,
    event: &CaseEvent,
    now: DateTime<Utc>,
    renumbered_to: Option<&CaseNumber>,
) -> Result<Admitted> {
    let hub_region = hub.region();
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
    let desk_id = confirmed_desk(caller)?;
    let desk_code = desk_code_of(caller)?;
    if event.author.desk != desk_id {
        return Err(HubError::WrongDesk { author: event.author.desk.clone(), credential: caller.who() });
    }
    check_author(&event.author).map_err(HubError::InvalidAuthor)?;
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
    if kind.owner() == Side::Handling && side != Side::Handling {
        return Err(HubError::NotHandlingRegion(format!(
            "凭据所属地区 {} 不办理该办件（办理地为 {}），不能「{}」",
            region_label(&caller.region),
            region_label(&handling_region),
            kind.label()
        )));
    }
    check_side(kind, side)?;
    // Who of the side may write: the handling region's back office decides; only the desk that
    // took a case in writes its receiving side's events.
    match side {
        Side::Handling if caller.role != Role::BackOffice => {
            return Err(HubError::Forbidden(format!("「{}」凭据不能作出办理决定", caller.role.label())))
        }
        Side::Receiving if !Role::RECEIVING.contains(&caller.role) => {
            return Err(HubError::Forbidden(format!("「{}」凭据不能为办件记录事件", caller.role.label())))
        }
        _ => {}
    }
    if let (Some(case), Side::Receiving) = (&case, side) {
        // A 更正编号 moves the desk's own case to its corrected code: the desk is known by the
        // intake it made even when its number carries the code it had to give up.
        let owns = case.desk_code == desk_code
            || (kind == EventKind::Renumbered && intake_event(tx, event.case_id)?.author.desk == desk_id);
        if !owns {
            return Err(HubError::NotOwnCase(format!(
                "办件 {} 由窗口代码 {} 的受理台收件，本凭据（{}）不能为其记录事件",
                case.number,
                case.desk_code,
                caller.who()
            )));
        }
    }
    let status = match CaseStatus::apply(case.as_ref().map(|c| c.status), &event.body) {
        Ok(status) => status,
        Err(e) => {
            let lost = match &case {
                Some(case) => superseded_by(tx, event, case)?,
                None => None,
            };
            return Err(lost.unwrap_or(e.into()));
        }
    };
    if let Some(missing) = event.body.missing_content() {
        return Err(HubError::InvalidEvent(missing.to_string()));
    }
    // The number the case carries once this event is in, when the event sets it.
    let mut number = None;
    match &event.body {
        EventBody::Received { intake } => {
            let given = renumbered_to.unwrap_or(&intake.number);
            check_number(given).map_err(HubError::InvalidIntake)?;
            if given.region() != caller.region || given.desk_code() != desk_code {
                return Err(HubError::NumberNotOwn { number: given.to_string(), credential: caller.who() });
            }
            check_intake(intake).map_err(HubError::InvalidIntake)?;
            if !number_is_free(tx, given.as_str(), event.case_id)? {
                return Err(HubError::NumberTaken(given.to_string()));
            }
            if let Some(version) = &intake.form.item.catalog_version {
                let catalog = hub.catalogs.get(tx, version)?.ok_or_else(|| {
                    HubError::CatalogMismatch(
                        ValidationError::new(format!(
                            "本通办中心没有发布过事项清单版本「{version}」：请同步取得本地区现行的事项清单后重新收件"
                        ))
                        .at("item.catalog_version", "事项清单版本"),
                    )
                })?;
                catalog.check_intake(&intake.form).map_err(HubError::CatalogMismatch)?;
            }
            number = Some(given.clone());
        }
        EventBody::Renumbered { from, to, .. } => {
            let case = case.as_ref().expect("only an intake opens a case");
            let current = CaseNumber::parse(&case.number).map_err(|e| HubError::InvalidEvent(e.to_string()))?;
            let EventBody::Received { intake } = intake_event(tx, event.case_id)?.body else {
                unreachable!("the intake event is a Received")
            };
            let outcome = check_renumbering(&current, &intake.number, from, to, &receiving_region)
                .map_err(HubError::InvalidRenumbering)?;
            if to.desk_code() != desk_code {
                return Err(HubError::NumberNotOwn { number: to.to_string(), credential: caller.who() });
            }
            if let Renumbering::Moves(to) = outcome {
                if !number_is_free(tx, to.as_str(), event.case_id)? {
                    return Err(HubError::NumberTaken(to.to_string()));
                }
                number = Some(to);
            }
        }
        _ => {}
    }
    let scans: Vec<&str> = event.body.scans().collect();
    for sha in &scans {
        if !tongban_wire::is_sha256_hex(sha) {
            return Err(HubError::InvalidEvent(format!("扫描件编号「{sha}」不是有效的 SHA-256")));
        }
        // Citing needs the bytes, not the name: a hash learned elsewhere cites nothing.
        if !blobs::may_cite(tx, sha, &blobs::Holder::of(caller), event.case_id)? {
            return Err(HubError::MissingBlob(sha.to_string()));
        }
    }

    let case_id = event.case_id.to_string();
    let owner = match (&number, &case) {
        (Some(number), _) => number.desk_code().to_string(),
        (None, Some(case)) => case.desk_code.clone(),
        (None, None) => unreachable!("an intake sets the number"),
    };
    let seq: u64 = tx.query_row(
        "INSERT INTO events (id, case_id, kind, receiving_region, handling_region, body, stored_at, credential_id,
                             receiving_desk)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING seq",
        params![
            event.id.to_string(),
            case_id,
            kind.as_str(),
            receiving_region,
            handling_region,
            serde_json::to_string(event)?,
            now,
            caller.id,
            owner
        ],
        |r| r.get(0),
    )?;
    match (&event.body, &number) {
        (EventBody::Received { intake }, Some(number)) => {
            tx.execute(
                "INSERT INTO cases (case_id, first_seq, number, receiving_region, handling_region, status,
                                    applicant_name, item_code, item_name, received_on, updated_at, desk_code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    case_id,
                    seq,
                    number.as_str(),
                    receiving_region,
                    handling_region,
                    status.as_str(),
                    intake.form.applicant.name(),
                    intake.form.item.code,
                    intake.form.item.name,
                    intake.received_on,
                    now,
                    owner
                ],
            )?;
            tx.execute(
                "INSERT INTO case_numbers (number, case_id) VALUES (?1, ?2)",
                params![number.as_str(), case_id],
            )?;
        }
        (_, Some(number)) => {
            // A 更正编号: the case, its number and the copy its events carry for pulls move together.
            tx.execute("DELETE FROM case_numbers WHERE case_id = ?1", params![case_id])?;
            tx.execute(
                "INSERT INTO case_numbers (number, case_id) VALUES (?1, ?2)",
                params![number.as_str(), case_id],
            )?;
            tx.execute(
                "UPDATE cases SET number = ?2, desk_code = ?3, status = ?4, updated_at = ?5 WHERE case_id = ?1",
                params![case_id, number.as_str(), owner, status.as_str(), now],
            )?;
            tx.execute("UPDATE events SET receiving_desk = ?2 WHERE case_id = ?1", params![case_id, owner])?;
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

impl Hub {
    /// Admits a batch in order, in one transaction (one fsync for the batch). Each event gets its
    /// own outcome; a rejected event does not stop the rest, and later events of its case are
    /// judged without it.
    ///
    /// An intake that comes with a 更正编号 of its own number later in the batch (a desk that took
    /// it in under a code another desk holds, and moved it before it ever reached a hub) is
    /// admitted under the corrected number, with the 更正编号 right after it: both or neither.
    pub fn push(&self, caller: &Credential, events: &[CaseEvent], now: DateTime<Utc>) -> Result<Vec<PushOutcome>> {
        self.db.write(|tx| self.push_in(tx, caller, events, now))
    }

    fn push_in(
        &self,
        tx: &Conn<'_>,
        caller: &Credential,
        events: &[CaseEvent],
        now: DateTime<Utc>,
    ) -> Result<Vec<PushOutcome>> {
        let mut outcomes: Vec<Option<PushOutcome>> = vec![None; events.len()];
        let renumbering = renumberings_in(events);
        // Cases whose decision in this batch lost to another desk's: what the desk made on top of
        // it loses too, so the desk sets all of it aside and takes the winning history instead.
        let mut lost: HashMap<CaseId, String> = HashMap::new();
        for (i, event) in events.iter().enumerate() {
            if outcomes[i].is_some() {
                continue;
            }
            let id = event.id;
            if let Some(why) = lost.get(&event.case_id) {
                let message = format!("所依据的「{why}」未被采纳，本事件随之作废");
                outcomes[i] = Some(PushOutcome::rejected(id, HubError::Superseded(message).body()));
                continue;
            }
            let Some(&j) = renumbering.get(&i) else {
                let judged = outcome(id, admit(tx, self, caller, event, now, None))?;
                if matches!(judged, PushOutcome::Rejected { code: tongban_wire::ErrorCode::Superseded, .. }) {
                    lost.insert(event.case_id, event.body.kind().label().to_string());
                }
                outcomes[i] = Some(judged);
                continue;
            };
            let EventBody::Renumbered { to, .. } = &events[j].body else { unreachable!("found as a 更正编号") };
            tx.execute_batch("SAVEPOINT renumbered_intake")?;
            let both = admit(tx, self, caller, event, now, Some(to))
                .and_then(|first| Ok((first, admit(tx, self, caller, &events[j], now, None)?)));
            match both {
                Ok((first, second)) => {
                    tx.execute_batch("RELEASE renumbered_intake")?;
                    outcomes[i] = Some(outcome(id, Ok(first))?);
                    outcomes[j] = Some(outcome(events[j].id, Ok(second))?);
                }
                Err(e) => {
                    tx.execute_batch("ROLLBACK TO renumbered_intake; RELEASE renumbered_intake")?;
                    let body = e.body();
                    outcomes[i] = Some(outcome(id, Err(e))?);
                    if body.code != tongban_wire::ErrorCode::Internal {
                        outcomes[j] = Some(PushOutcome::rejected(events[j].id, body));
                    }
                }
            }
        }
        Ok(outcomes.into_iter().map(|o| o.expect("every event was judged")).collect())
    }

    /// The events after `since` that `caller` may see (its [scope](crate::scope)), at most `limit`.
    pub fn pull(&self, caller: &Credential, since: u64, limit: u32) -> Result<PullResponse> {
        let scope = Scope::of(caller)?;
        let sql = format!(
            "SELECT seq, body FROM events WHERE seq > ?1 AND {} ORDER BY seq LIMIT ?2",
            scope.events_condition(3)
        );
        let (since_arg, limit_arg) = (sql_seq(since), limit + 1);
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&since_arg, &limit_arg];
        args.extend(scope.params());
        let rows: Vec<(u64, String)> =
            self.db.read(|c| c.query_map(&sql, &args, |r| Ok((r.get::<u64>(0)?, r.get::<String>(1)?))))?;
        // Decoded and sealed after the one connection is free again (~25 µs an event to seal):
        // other desks' pushes do not wait for a page's signatures.
        let mut events = Vec::with_capacity(rows.len());
        for (seq, body) in rows {
            let event = serde_json::from_str(&body)?;
            // Sealed as served, not stored: Ed25519 is deterministic, so this is the seal the
            // event had from its admission, and events from before the hub had a key get one too.
            let signature = Some(self.signer.seal(&self.region, &event));
            events.push(SequencedEvent { seq, event, signature });
        }
        let has_more = events.len() > limit as usize;
        events.truncate(limit as usize);
        let next_cursor = events.last().map_or(since, |e| e.seq);
        Ok(PullResponse { events, next_cursor, has_more })
    }

    /// 对账: the events in the caller's scope dated `from` to `to` (Beijing days, both included),
    /// after the cursor `since`, without their content. The period is bounded (366 days) and the
    /// page too; the scope is the pull's, so a desk compares exactly what it may read.
    pub fn reconciliation(
        &self,
        caller: &Credential,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        since: u64,
        limit: u32,
    ) -> Result<ReconciliationPage> {
        let scope = Scope::of(caller)?;
        let (start, end) = reconciliation_window(from, to).map_err(HubError::InvalidRequest)?;
        // Events carry their time as RFC 3339 in UTC; the first 19 characters compare as text.
        let bound = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S").to_string();
        let (start, end) = (bound(start), bound(end));
        let (since_arg, limit_arg) = (sql_seq(since), limit + 1);
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&since_arg, &limit_arg, &start, &end];
        args.extend(scope.params());
        let mut events: Vec<HeldEvent> = self.db.read(|conn| {
            // The event's own time, from its JSON: each database has its own way to read a field.
            let at = if conn.is_postgres() { "(body::jsonb ->> 'at')" } else { "json_extract(body, '$.at')" };
            let sql = format!(
                "SELECT seq, id, case_id, kind, {at} FROM events
             WHERE seq > ?1 AND {} AND substr({at}, 1, 19) >= ?3 AND substr({at}, 1, 19) < ?4
             ORDER BY seq LIMIT ?2",
                scope.events_condition(5)
            );
            conn.query_map(&sql, &args, |r| {
                let (id, case_id, kind, at): (String, String, String, String) =
                    (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                Ok(HeldEvent {
                    seq: r.get(0)?,
                    id: id.parse().map_err(|_| corrupt(1, format!("事件标识「{id}」已损坏")))?,
                    case_id: CaseId(case_id.parse().map_err(|_| corrupt(2, format!("办件标识「{case_id}」已损坏")))?),
                    kind: EventKind::ALL
                        .into_iter()
                        .find(|k| k.as_str() == kind)
                        .ok_or_else(|| corrupt(3, format!("未知事件类型「{kind}」")))?,
                    at: chrono::DateTime::parse_from_rfc3339(&at)
                        .map_err(|_| corrupt(4, format!("事件时间「{at}」已损坏")))?
                        .with_timezone(&Utc),
                })
            })
        })?;
        let has_more = events.len() > limit as usize;
        events.truncate(limit as usize);
        let next_cursor = events.last().map_or(since, |e| e.seq);
        Ok(ReconciliationPage { events, next_cursor, has_more })
    }

    /// The cases addressed to the hub's region, oldest first.
    pub fn inbox(&self, query: &InboxQuery) -> Result<InboxPage> {
        let limit = query.limit.unwrap_or(INBOX_LIMIT_DEFAULT) as usize;
        let params =
            params![self.region, sql_seq(query.after.unwrap_or(0)), query.status.map(CaseStatus::as_str), limit + 1];
        let mut page =
            self.db.read(|conn| {
                conn.query_map(
                "SELECT case_id, number, status, applicant_name, item_code, item_name, receiving_region, received_on,
                        updated_at, first_seq
                 FROM cases WHERE handling_region = ?1 AND first_seq > ?2 AND (CAST(?3 AS TEXT) IS NULL OR status = ?3)
                 ORDER BY first_seq LIMIT ?4",
                params,
                |r| {
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
                Ok((r.get::<u64>(9)?, inbox_case))
            })
            })?;
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
                desk: confirmed_desk(caller)?.to_string(),
                region: caller.region.clone(),
                name: request.user_name.trim().to_string(),
            },
            body: request.decision.into_event_body(),
        };
        self.db.write(|tx| {
            if let Some((seq, stored)) = stored_event(tx, event.id)? {
                // The hub dated the first attempt; a retry is the same decision if all else matches.
                event.at = stored.at;
                return if stored == event {
                    Ok(DecisionResponse { seq, duplicate: true, event: stored })
                } else {
                    Err(HubError::EventConflict(event.id))
                };
            }
            if case_row(tx, case_id)?.is_none() {
                return Err(HubError::UnknownCase(case_id));
            }
            let Admitted::New(seq) = admit(tx, self, caller, &event, now, None)? else {
                unreachable!("the event id was looked up in this transaction")
            };
            Ok(DecisionResponse { seq, duplicate: false, event })
        })
    }
}

/// One event's outcome; only a failure of the hub itself ends the whole push.
fn outcome(id: uuid::Uuid, admitted: Result<Admitted>) -> Result<PushOutcome> {
    match admitted {
        Ok(Admitted::New(seq)) => Ok(PushOutcome::Accepted { id, seq }),
        Ok(Admitted::Duplicate(seq)) => Ok(PushOutcome::Duplicate { id, seq }),
        Err(e) if e.code() != tongban_wire::ErrorCode::Internal => {
            tracing::info!(event = %id, code = e.code().as_str(), "event rejected: {e}");
            Ok(PushOutcome::rejected(id, e.body()))
        }
        Err(e) => Err(e),
    }
}

/// For each intake in `events` followed later in the batch by a 更正编号 of its own number: the
/// position of that 更正编号.
fn renumberings_in(events: &[CaseEvent]) -> HashMap<usize, usize> {
    let mut found = HashMap::new();
    for (j, event) in events.iter().enumerate() {
        let EventBody::Renumbered { from, .. } = &event.body else { continue };
        let intake = events[..j].iter().position(|e| {
            e.case_id == event.case_id && matches!(&e.body, EventBody::Received { intake } if &intake.number == from)
        });
        if let Some(i) = intake {
            found.entry(i).or_insert(j);
        }
    }
    found
}

/// A cursor from a request as SQLite's signed integer: a cursor past every sequence number any
/// hub will reach (2^63 and up) means "nothing after it", not an error.
fn sql_seq(cursor: u64) -> i64 {
    i64::try_from(cursor).unwrap_or(i64::MAX)
}
