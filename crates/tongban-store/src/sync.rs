//! What the sync engine keeps on the desk: where each hub's pull stands, the last success and
//! error to show, the scans known to be on each hub, and the quarantine.
//!
//! **Routing rule.** An event goes to the hub of its case's *handling* region (办理地), because
//! that hub is the only one that admits the case (design §3, hub rule 4): a clerk's intake for
//! 丰台区 goes to 丰台区's hub, and a back-office decision on a case this region handles goes to
//! this region's own hub. A case received and handled in the same region never crosses a hub.
//! Events whose handling region has no configured hub wait in the outbox until one is added.
//!
//! **Quarantine.** An event a hub rejected is kept with the hub's code and Chinese reason and is
//! not sent again until someone releases it; the later events of the same case wait behind it
//! (the hub would judge them against a state that never happened), and every other case flows on.
//! An event a hub sent that does not fit this desk's copy of the case is quarantined the same way,
//! inbound, so one bad event never stops the cursor.
//!
//! **Transactions.** Acknowledging a pushed batch (outbox marks, quarantine, 已推送) is one
//! transaction; applying a pulled page and advancing the cursor past it is one transaction, so
//! a crash at any moment neither skips nor applies twice.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use tongban_core::case::{check_side, Author, CaseEvent, CaseId, CaseNumber, CaseStatus, EventBody, EventKind, Side};
use tongban_core::code::{AppCode, DeskCode, HubCode};
use uuid::Uuid;

use crate::desk::parse_time;
use crate::events::{append_in, append_numbered_in, outbox_entries, OutboxEntry};
use crate::seals;
use crate::setaside::SetAsideKind;
use crate::{cases, Appended, Result, Store, StoreError};

pub(crate) const SCHEMA_V3: &str = "
CREATE TABLE hub_sync (
    region          TEXT PRIMARY KEY REFERENCES hubs (region) ON DELETE CASCADE,
    pull_cursor     INTEGER NOT NULL DEFAULT 0,  -- the hub's seq of the last event applied here
    last_success_at TEXT,
    last_error      TEXT,                        -- Chinese, for the window; cleared by a success
    last_error_at   TEXT
);
CREATE TABLE hub_blobs (                         -- scans a hub confirmed it holds, not uploaded again
    region TEXT NOT NULL REFERENCES hubs (region) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (region, sha256)
);
CREATE TABLE quarantine (
    event_id   TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
    hub_region TEXT NOT NULL,
    code       TEXT NOT NULL,                    -- the hub's error code, or this desk's for inbound
    message    TEXT NOT NULL,                    -- Chinese, as shown to the clerk
    event      TEXT NOT NULL,                    -- the event as JSON (inbound ones are nowhere else)
    hub_seq    INTEGER,                          -- inbound: the hub's sequence number
    at         TEXT NOT NULL
);
CREATE INDEX quarantine_by_case ON quarantine (case_id, direction);
";

/// Which way a quarantined event was going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Made here; the hub rejected it.
    Outgoing,
    /// Sent by the hub; it does not fit this desk's copy of the case.
    Incoming,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Outgoing => "outgoing",
            Direction::Incoming => "incoming",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Direction::Outgoing => "推送被拒",
            Direction::Incoming => "无法接收",
        }
    }
}

/// An event held back, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarantinedEvent {
    pub event: CaseEvent,
    pub direction: Direction,
    pub hub_region: String,
    pub code: String,
    pub message: String,
    pub at: DateTime<Utc>,
}

/// What a hub said about one pushed event, as far as the desk is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The hub holds the event (new or a duplicate): it leaves the outbox.
    Stored,
    /// The hub will never take it as it is: quarantined with the hub's code and reason.
    Rejected { code: String, message: String },
    /// The hub is missing a scan it refers to: the desk's record that the hub holds the event's
    /// scans is wrong, so it is forgotten and they are uploaded again before the next push.
    ScansMissing,
    /// Another desk's decision on the case was admitted first: this one is set aside as 已被取代
    /// with the hub's explanation, and the winning history comes with the pull.
    Superseded { message: String },
}

/// What settling a push did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settled {
    pub acknowledged: usize,
    pub quarantined: usize,
    /// Cases this desk took in that reached their handling region: marked 已推送.
    pub marked_pushed: usize,
    /// Decisions another desk's decision superseded (with the events made on top of them).
    pub superseded: usize,
}

/// One event of a pulled page: the hub's sequence number, the event, and the hub's seal on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    pub seq: u64,
    pub event: CaseEvent,
    pub signature: Option<String>,
}

impl Pulled {
    /// An event as a hub without a key sends it.
    pub fn unsealed(seq: u64, event: CaseEvent) -> Pulled {
        Pulled { seq, event, signature: None }
    }
}

/// What applying a pulled page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub new: usize,
    /// Events the desk already had (its own, echoed back, or a page pulled again).
    pub already_present: usize,
    pub quarantined: usize,
    /// Events of cases this desk does not take part in, sent by a hub that should not have: a
    /// window's credential reads only its own intakes. Not stored anywhere.
    pub out_of_scope: usize,
    /// An event whose seal failed: the page was applied up to it and the cursor left before it.
    pub broken_seal: Option<Uuid>,
}

/// One batch of the outbox for a hub, and where the next batch starts.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxPage {
    pub entries: Vec<OutboxEntry>,
    /// The outbox position of the batch's last event in queue order (a 更正编号 carried along with
    /// its intake may lie beyond it, and is not skipped over): the next batch reads after it.
    pub next_after: i64,
}

/// A hub's sync progress as stored, with the counts the window shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubSyncState {
    pub region: String,
    pub pull_cursor: u64,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// Events routed to this hub and free to go.
    pub pending: u64,
    /// Events quarantined against this hub, both directions.
    pub quarantined: u64,
}

/// The outbox events routed to hub `?1` and not held back by a quarantined event of their case.
// The outbox's own index drives the query, in sequence order, so a batch reads only as far as its
// limit; joined from `cases` instead, SQLite read every outbox event of the partner and sorted
// them once per batch, quadratic in a long queue (a helper's laptop back from a month offline).
const ROUTED_OUTBOX: &str = "
    FROM events e INDEXED BY events_in_outbox CROSS JOIN cases c ON c.id = e.case_id
    WHERE e.outbox = 1 AND c.handling_region = ?1 AND c.receiving_region <> c.handling_region
      AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.case_id = e.case_id AND q.direction = 'outgoing')";

impl Store {
    /// The oldest events waiting for the hub of `region`, at most `limit`, in the order they were
    /// made (the hub judges each against the ones before it).
    ///
    /// An intake in the batch travels with the 更正编号 of its case that waits behind it: the hub
    /// admits an intake taken in under a code another desk holds only together with its move to
    /// this desk's code.
    pub fn outbox_for_hub(&self, region: &str, limit: usize) -> Result<Vec<OutboxEntry>> {
        Ok(self.outbox_page(region, 0, limit)?.entries)
    }

    /// [`Store::outbox_for_hub`] from after the outbox position `after` (keyset pagination): a
    /// round reads its queue once, batch after batch, each from where the last one ended, so a
    /// queue of 100,000 events costs a round 100,000 index steps, not 500 batches of re-reading
    /// what earlier batches left behind (events of other hubs, of quarantined cases).
    pub fn outbox_page(&self, region: &str, after: i64, limit: usize) -> Result<OutboxPage> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT e.seq, e.body {ROUTED_OUTBOX} AND e.seq > ?3 ORDER BY e.seq LIMIT ?2"))?;
        let mut batch = outbox_entries(&mut stmt, params![region, limit as i64, after])?;
        let next_after = batch.last().map_or(after, |e| e.seq);
        let intakes: Vec<(CaseId, i64)> = batch
            .iter()
            .filter(|e| e.event.body.kind() == EventKind::Received)
            .map(|e| (e.event.case_id, e.seq))
            .collect();
        let mut renumbered = self.conn.prepare_cached(
            "SELECT seq, body FROM events WHERE case_id = ?1 AND kind = 'renumbered' AND outbox = 1 AND seq > ?2
             ORDER BY seq",
        )?;
        for (case, seq) in intakes {
            for entry in outbox_entries(&mut renumbered, params![case.to_string(), seq])? {
                if !batch.iter().any(|e| e.seq == entry.seq) {
                    batch.push(entry);
                }
            }
        }
        Ok(OutboxPage { entries: batch, next_after })
    }

    /// Outbox events no configured hub will take: their handling region has no hub yet.
    pub fn unrouted_outbox_len(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id
             WHERE e.outbox = 1 AND c.receiving_region <> c.handling_region
               AND NOT EXISTS (SELECT 1 FROM hubs h WHERE h.region = c.handling_region)",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn sync_state(&self, region: &str) -> Result<HubSyncState> {
        // (pull_cursor, last_success_at, last_error, last_error_at)
        type Row = (u64, Option<String>, Option<String>, Option<String>);
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT pull_cursor, last_success_at, last_error, last_error_at FROM hub_sync WHERE region = ?1",
                [region],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (pull_cursor, success, last_error, error_at) = row.unwrap_or_default();
        let pending = self.conn.query_row(&format!("SELECT count(*) {ROUTED_OUTBOX}"), [region], |r| r.get(0))?;
        let quarantined =
            self.conn.query_row("SELECT count(*) FROM quarantine WHERE hub_region = ?1", [region], |r| r.get(0))?;
        Ok(HubSyncState {
            region: region.to_string(),
            pull_cursor,
            last_success_at: success.as_deref().map(parse_time).transpose()?,
            last_error,
            last_error_at: error_at.as_deref().map(parse_time).transpose()?,
            pending,
            quarantined,
        })
    }

    /// A round with the hub completed: the error shown before is cleared.
    pub fn record_sync_success(&mut self, region: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO hub_sync (region, last_success_at) VALUES (?1, ?2)
             ON CONFLICT (region) DO UPDATE SET last_success_at = ?2, last_error = NULL, last_error_at = NULL",
            params![region, at.to_rfc3339()],
        )?;
        Ok(())
    }

    /// A round failed; `message` (Chinese) is what the window shows until the next success.
    pub fn record_sync_failure(&mut self, region: &str, message: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO hub_sync (region, last_error, last_error_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (region) DO UPDATE SET last_error = ?2, last_error_at = ?3",
            params![region, message, at.to_rfc3339()],
        )?;
        Ok(())
    }

    /// Of `scans`, those the hub of `region` is known to hold.
    pub fn scans_on_hub(&self, region: &str, scans: &[&str]) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM hub_blobs WHERE region = ?1 AND sha256 = ?2")?;
        let mut held = HashSet::new();
        for sha in scans {
            if stmt.exists(params![region, sha])? {
                held.insert(sha.to_string());
            }
        }
        Ok(held)
    }

    /// The hub of `region` confirmed it holds the scan.
    pub fn record_scan_on_hub(&mut self, region: &str, sha256: &str) -> Result<()> {
        self.conn
            .execute("INSERT OR IGNORE INTO hub_blobs (region, sha256) VALUES (?1, ?2)", params![region, sha256])?;
        Ok(())
    }

    /// Records the hub's verdicts on a pushed batch, in one transaction: stored events leave the
    /// outbox, rejected ones are quarantined, and a case this desk took in whose intake the hub
    /// now holds in full is marked 已推送 (a desk-local event, never sent).
    pub fn settle_push(
        &mut self,
        region: &str,
        verdicts: &[(CaseEvent, Verdict)],
        now: DateTime<Utc>,
    ) -> Result<Settled> {
        let desk = self.require_desk()?;
        let tx = crate::write(&mut self.conn)?;
        let mut settled = Settled::default();
        let mut reached = Vec::new();
        for (event, verdict) in verdicts {
            match verdict {
                Verdict::Stored => {
                    let changed = tx
                        .prepare_cached("UPDATE events SET outbox = 0 WHERE id = ?1 AND outbox = 1")?
                        .execute([event.id.to_string()])?;
                    settled.acknowledged += changed;
                    if !reached.contains(&event.case_id) {
                        reached.push(event.case_id);
                    }
                }
                Verdict::Rejected { code, message } => {
                    settled.quarantined +=
                        quarantine(&tx, event, Direction::Outgoing, &Held::outgoing(region), code, message, now)?;
                }
                Verdict::ScansMissing => {
                    let mut stmt = tx.prepare_cached("DELETE FROM hub_blobs WHERE region = ?1 AND sha256 = ?2")?;
                    for sha in event.body.scans() {
                        stmt.execute(params![region, sha])?;
                    }
                }
                Verdict::Superseded { message } => {
                    settled.superseded += crate::setaside::set_aside_in(
                        &tx,
                        event.id,
                        SetAsideKind::Superseded,
                        message,
                        None,
                        now,
                        &self.calendar,
                    )?;
                }
            }
        }
        for case in reached {
            if mark_pushed(&tx, case, &desk.region, &desk.id, now, &self.calendar)? {
                settled.marked_pushed += 1;
            }
        }
        tx.commit()?;
        Ok(settled)
    }

    /// Applies one page pulled from the hub of `region` and moves its cursor to `next_cursor`, in
    /// one transaction. Each event is checked as the hub checks what it admits (who sent it; an
    /// intake's fields, number and materials against the catalog version it names, when this desk
    /// holds it); one that fails, or does not fit this desk's copy of its case, is quarantined
    /// (inbound) instead of stopping the page. A hub that reads only this desk's own intakes
    /// (a window's credential) has no business sending others': those are not stored at all. Only
    /// a failure of the database itself aborts the page, leaving the cursor where it was.
    pub fn apply_pulled(
        &mut self,
        region: &str,
        page: &[Pulled],
        next_cursor: u64,
        now: DateTime<Utc>,
    ) -> Result<Applied> {
        let pulling = Pulling::of(self, region)?;
        let tx = crate::write(&mut self.conn)?;
        let mut applied = Applied::default();
        let mut held_back: HashSet<CaseId> = HashSet::new();
        let mut catalogs = HeldVersions::default();
        // How far the page was taken: all of it, unless a seal failed.
        let mut cursor = Some(next_cursor);
        let mut last_taken = None;
        for (i, Pulled { seq, event, signature }) in page.iter().enumerate() {
            if !pulling.in_scope(&tx, event)? {
                applied.out_of_scope += 1;
                last_taken = Some(*seq);
                continue;
            }
            let renumbered = renumbered_later(event, page[i + 1..].iter().map(|p| &p.event));
            let signature = signature.as_deref();
            match take_pulled(&tx, event, signature, region, renumbered.as_ref(), &mut catalogs, &self.calendar)? {
                Ok(Appended::New(_)) => {
                    applied.new += 1;
                    pulling.note_own_number(&tx, event)?;
                }
                Ok(Appended::AlreadyPresent) => applied.already_present += 1,
                Err((code, message)) if seals::is_seal_refusal(code.as_str()) => {
                    // Not what the hub said: changed on the way, or someone else's. Kept for the
                    // admin to see, and the page stops before it, so the next round asks the hub
                    // for it again (its true copy, same id, replaces this one).
                    let held = Held { region, seq: Some(*seq), signature };
                    applied.quarantined +=
                        quarantine(&tx, event, Direction::Incoming, &held, code.as_str(), &message, now)?;
                    applied.broken_seal = Some(event.id);
                    cursor = last_taken;
                    break;
                }
                Err((code, message)) => {
                    let held = Held { region, seq: Some(*seq), signature };
                    applied.quarantined +=
                        quarantine(&tx, event, Direction::Incoming, &held, code.as_str(), &message, now)?;
                    held_back.insert(event.case_id);
                }
            }
            last_taken = Some(*seq);
        }
        // An event held back may be followed by what makes it fit, in this page or a later one
        // (an intake and its 更正编号 split by a page): the case's held events are tried again.
        for case in held_back {
            retry_incoming(&tx, case, &self.calendar)?;
        }
        if let Some(cursor) = cursor {
            tx.execute(
                "INSERT INTO hub_sync (region, pull_cursor) VALUES (?1, ?2)
                 ON CONFLICT (region) DO UPDATE SET pull_cursor = max(pull_cursor, ?2)",
                params![region, cursor],
            )?;
        }
        tx.commit()?;
        Ok(applied)
    }

    /// Every quarantined event, oldest first.
    pub fn quarantined(&self) -> Result<Vec<QuarantinedEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT event, direction, hub_region, code, message, at FROM quarantine ORDER BY at, event_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (event, direction, hub_region, code, message, at) = row?;
            let direction = if direction == "incoming" { Direction::Incoming } else { Direction::Outgoing };
            out.push(QuarantinedEvent {
                event: serde_json::from_str(&event)?,
                direction,
                hub_region,
                code,
                message,
                at: parse_time(&at)?,
            });
        }
        Ok(out)
    }

    /// Takes an event out of quarantine once its cause is dealt with (a partner agreement signed,
    /// a credential fixed, the conflicting local event resolved). An outgoing event goes back to
    /// the outbox, with the events of its case behind it; an incoming one is applied now, and stays
    /// quarantined with the new reason if it still does not fit.
    pub fn release_quarantined(&mut self, event_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let tx = crate::write(&mut self.conn)?;
        let row: Option<(String, String, String, Option<String>)> = tx
            .query_row(
                "SELECT direction, event, hub_region, seal FROM quarantine WHERE event_id = ?1",
                [event_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((direction, event, hub_region, signature)) = row else {
            return Err(StoreError::NotQuarantined(event_id));
        };
        if direction == Direction::Incoming.as_str() {
            let event: CaseEvent = serde_json::from_str(&event)?;
            let mut catalogs = HeldVersions::default();
            let signature = signature.as_deref();
            if let Err((code, message)) =
                take_pulled(&tx, &event, signature, &hub_region, None, &mut catalogs, &self.calendar)?
            {
                drop(tx);
                // Keep the newest reason so the clerk sees why it still does not fit.
                self.conn.execute(
                    "UPDATE quarantine SET code = ?2, message = ?3, at = ?4 WHERE event_id = ?1",
                    params![event_id.to_string(), code.as_str(), message, now.to_rfc3339()],
                )?;
                return Err(StoreError::StillRefused { code, message });
            }
        }
        tx.execute("DELETE FROM quarantine WHERE event_id = ?1", [event_id.to_string()])?;
        tx.commit()?;
        Ok(())
    }
}

/// Who is pulling: this desk, and whether it may hold the hub's region's inbox.
struct Pulling {
    desk: crate::DeskIdentity,
    hub_region: String,
    /// A back office (or supervisor) of the hub's own region: it holds every case its region
    /// handles. Never for a partner's hub, whatever the hub says, nor for a window or helper.
    reads_inbox: bool,
    /// A supervisor (督查): it also holds the cases its own region received, at any hub.
    supervises: bool,
    /// A desk restored from a backup: when. Its own intakes made before then that it does not
    /// hold were taken in after the backup, and come back from the hubs.
    restored_at: Option<DateTime<Utc>>,
}

impl Pulling {
    fn of(store: &Store, hub_region: &str) -> Result<Pulling> {
        let desk = store.require_desk()?;
        let hub_desk = store.hub_desk(hub_region)?;
        let window = hub_desk.as_ref().is_some_and(|d| d.reads_own_intakes_only());
        let supervises = hub_desk.as_ref().is_some_and(|d| d.role.as_deref() == Some("supervisor"));
        let reads_inbox = desk.region == hub_region && !window;
        let restored_at = crate::backup::restored_from_in(&store.conn)?.map(|r| r.restored_at);
        Ok(Pulling { desk, hub_region: hub_region.to_string(), reads_inbox, supervises, restored_at })
    }

    /// Whether a pulled event belongs on this desk, judged by the desk itself and not on the hub's
    /// word. An event of a case it holds (or holds in quarantine) does. An intake of a case it does
    /// not hold does when it is its region's inbox (a back office, for a case its region handles),
    /// or, for a supervisor the hub confirmed, a case its own region received,
    /// or when it is this desk's own from before a reinstall: its region's number with its desk
    /// code, received before this desk was set up, by another desk id. An intake naming this very
    /// desk as author that the desk does not hold is forged (a desk never loses its own intakes;
    /// a reinstalled desk has a new id). Anything else (say, any event of an unknown case) is out
    /// of scope: counted, never stored nor quarantined.
    fn in_scope(&self, tx: &Transaction<'_>, event: &CaseEvent) -> Result<bool> {
        if cases::status_of(tx, event.case_id)?.is_some() || held_in_quarantine(tx, event.case_id)? {
            return Ok(true);
        }
        let EventBody::Received { intake } = &event.body else { return Ok(false) };
        let own_number =
            intake.number.region() == self.desk.region && intake.number.desk_code() == self.desk.desk_code.as_str();
        if event.author.desk == self.desk.id {
            // Its own intake from after the backup a restored desk came from (lost with the old
            // disk, held by the hub); any other is forged.
            return Ok(own_number && self.restored_at.is_some_and(|t| event.at <= t));
        }
        if self.supervises && intake.receiving_region == self.desk.region {
            return Ok(true);
        }
        if self.reads_inbox {
            return Ok(intake.form.handling_region == self.hub_region);
        }
        Ok(own_number && intake.received_on <= self.desk.created_at.date_naive())
    }

    /// A pulled intake under this desk's own numbers (taken back after a restore or a reinstall)
    /// moves the day's counter past it, so the next intake never takes its number again.
    fn note_own_number(&self, tx: &Transaction<'_>, event: &CaseEvent) -> Result<()> {
        let EventBody::Received { intake } = &event.body else { return Ok(()) };
        let number = &intake.number;
        if number.region() != self.desk.region || number.desk_code() != self.desk.desk_code.as_str() {
            return Ok(());
        }
        let Some((prefix, _)) = number.as_str().rsplit_once('-') else { return Ok(()) };
        tx.prepare_cached(
            "INSERT INTO case_numbers (prefix, last) VALUES (?1, ?2)
             ON CONFLICT (prefix) DO UPDATE SET last = max(last, excluded.last)",
        )?
        .execute(params![prefix, number.sequence()])?;
        Ok(())
    }
}

/// Whether events of `case` wait in the quarantine (a pulled intake held back, say): the case's
/// later events are kept with them.
fn held_in_quarantine(tx: &Transaction<'_>, case: CaseId) -> Result<bool> {
    let held: Option<i64> = tx
        .query_row("SELECT 1 FROM quarantine WHERE case_id = ?1 LIMIT 1", [case.to_string()], |r| r.get(0))
        .optional()?;
    Ok(held.is_some())
}

/// For a pulled intake followed (in `later`) by a 更正编号 of its own number: the number the
/// case ends with.
fn renumbered_later<'a>(event: &CaseEvent, later: impl Iterator<Item = &'a CaseEvent>) -> Option<CaseNumber> {
    let EventBody::Received { intake } = &event.body else { return None };
    later.filter(|e| e.case_id == event.case_id).find_map(|e| match &e.body {
        EventBody::Renumbered { from, to, .. } if from == &intake.number => Some(to.clone()),
        _ => None,
    })
}

/// Applies one event a hub sent, after the checks the hub runs on what it admits, in a savepoint:
/// `Ok(Err((code, message)))` when it is refused (nothing of it stays), `Err` only when the
/// database itself fails.
///
/// First of all its seal: once this desk pinned the hub's key, an event without a seal by it is
/// never applied, whichever path it comes by (a page, a retry, a release from quarantine). An
/// event this desk already holds as it is stays as it is, whatever seal a copy of it came with.
fn take_pulled(
    tx: &Transaction<'_>,
    event: &CaseEvent,
    signature: Option<&str>,
    hub_region: &str,
    renumbered: Option<&CaseNumber>,
    catalogs: &mut HeldVersions,
    calendar: &tongban_core::workdays::WorkCalendar,
) -> Result<std::result::Result<Appended, (AppCode, String)>> {
    // Held here as it is (this desk's own events, pulled back after their push): nothing is taken
    // from the hub, so neither its seal nor its content needs judging again. A copy that differs
    // goes through every check below.
    if holds_as_it_is(tx, event)? {
        return Ok(Ok(Appended::AlreadyPresent));
    }
    if let Err(refused) = seals::check(tx, hub_region, event, signature)? {
        return Ok(Err(refused));
    }
    if let Some(problem) = party_problem(tx, event, hub_region)? {
        return Ok(Err((HubCode::NotParty.into(), problem)));
    }
    if let Some(problem) = content_problem(tx, event, hub_region, catalogs)? {
        return Ok(Err(problem));
    }
    tx.execute_batch("SAVEPOINT pulled_event")?;
    match append_numbered_in(tx, event, false, calendar, renumbered) {
        Ok(outcome) => {
            if matches!(outcome, Appended::New(_)) {
                seals::record(tx, hub_region, event, signature)?;
            }
            tx.execute_batch("RELEASE pulled_event")?;
            Ok(Ok(outcome))
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO pulled_event; RELEASE pulled_event")?;
            Ok(Err((refusal_code(&e)?, e.to_string())))
        }
    }
}

/// Whether this desk holds `event` already, with this very content.
fn holds_as_it_is(tx: &Transaction<'_>, event: &CaseEvent) -> Result<bool> {
    let body: Option<String> = tx
        .prepare_cached("SELECT body FROM events WHERE id = ?1")?
        .query_row([event.id.to_string()], |r| r.get(0))
        .optional()?;
    Ok(match body {
        // The very text this desk wrote (the same build serialises an event the same way), else
        // the same event written by another build.
        Some(body) => body == serde_json::to_string(event)? || serde_json::from_str::<CaseEvent>(&body)? == *event,
        None => false,
    })
}

/// What is wrong with a pulled event's content, by the rules the hub admits by: the author, the
/// side that owns the kind, and for an intake its fields and number and (when this desk holds the
/// version it names) its item and materials against the catalog.
fn content_problem(
    tx: &Transaction<'_>,
    event: &CaseEvent,
    hub_region: &str,
    catalogs: &mut HeldVersions,
) -> Result<Option<(AppCode, String)>> {
    let refused = |code: HubCode, message: String| Ok(Some((code.into(), message)));
    if let Err(e) = tongban_core::admission::check_author(&event.author) {
        return refused(HubCode::InvalidEvent, format!("事件的作者信息不符合要求：{e}"));
    }
    // The handling region is the hub's (checked before); the receiving region is the other one.
    let side = if event.author.region == hub_region { Side::Handling } else { Side::Receiving };
    if let Err(e) = check_side(event.body.kind(), side) {
        return refused(HubCode::WrongSide, e.to_string());
    }
    let EventBody::Received { intake } = &event.body else { return Ok(None) };
    if let Err(e) = tongban_core::admission::check_intake(intake) {
        return refused(HubCode::InvalidIntake, format!("收件信息不符合要求：{e}"));
    }
    if intake.receiving_region != event.author.region {
        return refused(
            HubCode::NotParty,
            format!("收件人所属地区「{}」不是受理地「{}」", event.author.region, intake.receiving_region),
        );
    }
    let Some(version) = &intake.form.item.catalog_version else { return Ok(None) };
    let Some(catalog) = catalogs.get(tx, &intake.form.handling_region, version)? else { return Ok(None) };
    if let Err(e) = catalog.check_intake(&intake.form) {
        return refused(HubCode::CatalogMismatch, format!("收件的事项或材料与事项清单不符：{e}"));
    }
    Ok(None)
}

/// The catalog versions this desk holds, each read and parsed once per page of pulled events.
#[derive(Default)]
pub(crate) struct HeldVersions(
    std::collections::HashMap<(String, String), Option<std::rc::Rc<tongban_core::catalog::Catalog>>>,
);

impl HeldVersions {
    fn get(
        &mut self,
        tx: &Transaction<'_>,
        region: &str,
        version: &str,
    ) -> Result<Option<std::rc::Rc<tongban_core::catalog::Catalog>>> {
        let key = (region.to_string(), version.to_string());
        if let Some(held) = self.0.get(&key) {
            return Ok(held.clone());
        }
        let content: Option<String> = tx
            .query_row(
                "SELECT content FROM catalogs WHERE region = ?1 AND version = ?2",
                params![region, version],
                |r| r.get(0),
            )
            .optional()?;
        let held = content.map(|c| serde_json::from_str(&c)).transpose()?.map(std::rc::Rc::new);
        self.0.insert(key, held.clone());
        Ok(held)
    }
}

/// Tries again, in the hub's order, the events a hub sent for `case` that wait in the quarantine:
/// those that fit now are applied and leave it. Run when something changed what the case's events
/// are judged against (a decision of this desk set aside, the rest of a split intake arrived).
pub(crate) fn retry_incoming(
    tx: &Transaction<'_>,
    case: CaseId,
    calendar: &tongban_core::workdays::WorkCalendar,
) -> Result<usize> {
    let held: Vec<(String, String, Option<String>)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT event, hub_region, seal FROM quarantine WHERE case_id = ?1 AND direction = 'incoming'
             ORDER BY hub_seq, at",
        )?;
        let rows = stmt.query_map([case.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut waiting: Vec<(CaseEvent, String, Option<String>)> =
        held.into_iter().map(|(e, r, s)| Ok((serde_json::from_str(&e)?, r, s))).collect::<Result<_>>()?;
    let mut taken = 0;
    let mut catalogs = HeldVersions::default();
    // Until a pass takes nothing: one taken may be what the one before it waited for.
    loop {
        let mut left = Vec::new();
        for (i, (event, hub_region, signature)) in waiting.iter().enumerate() {
            let renumbered = renumbered_later(event, waiting[i + 1..].iter().map(|(e, _, _)| e));
            let signature = signature.as_deref();
            match take_pulled(tx, event, signature, hub_region, renumbered.as_ref(), &mut catalogs, calendar)? {
                Ok(_) => {
                    tx.execute("DELETE FROM quarantine WHERE event_id = ?1", [event.id.to_string()])?;
                    taken += 1;
                }
                Err((code, message)) => {
                    tx.execute(
                        "UPDATE quarantine SET code = ?2, message = ?3 WHERE event_id = ?1 AND message <> ?3",
                        params![event.id.to_string(), code.as_str(), message],
                    )?;
                    left.push((event.clone(), hub_region.clone(), signature.map(str::to_string)));
                }
            }
        }
        if left.len() == waiting.len() {
            break;
        }
        waiting = left;
    }
    Ok(taken)
}

/// What is wrong, if anything, with who sent a pulled event: every case on a hub is handled by
/// the hub's region, and only its two regions write its events. The hub checks this on the way in;
/// the desk checks again so a misconfigured or hostile hub cannot plant events.
fn party_problem(tx: &Transaction<'_>, event: &CaseEvent, hub_region: &str) -> Result<Option<String>> {
    let (receiving, handling) = match &event.body {
        EventBody::Received { intake } => (intake.receiving_region.clone(), intake.form.handling_region.clone()),
        _ => {
            let regions: Option<(String, String)> = tx
                .query_row(
                    "SELECT receiving_region, handling_region FROM cases WHERE id = ?1",
                    [event.case_id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            // An unknown case: appending says why ("办件尚不存在").
            let Some(regions) = regions else { return Ok(None) };
            regions
        }
    };
    if handling != hub_region {
        return Ok(Some(format!("办件的办理地「{handling}」不是该通办中心的地区「{hub_region}」")));
    }
    if event.author.region != receiving && event.author.region != handling {
        return Ok(Some(format!("事件作者所属地区「{}」既不是该办件的受理地也不是办理地", event.author.region)));
    }
    Ok(None)
}

/// Why a pulled event was refused, as a stable code; `Err` for failures of the database itself,
/// which must abort the page rather than quarantine a good event.
fn refusal_code(e: &StoreError) -> Result<AppCode> {
    match e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Ok(DeskCode::Constraint.into())
        }
        StoreError::Sqlite(_) | StoreError::Io(_) | StoreError::NotInitialized => {
            Err(StoreError::Io(std::io::Error::other(e.to_string())))
        }
        other => Ok(other.code()),
    }
}

#[allow(clippy::too_many_arguments)]
/// Where a quarantined event is held for: its hub, and for one pulled from it, the hub's
/// sequence number and seal.
pub(crate) struct Held<'a> {
    pub region: &'a str,
    pub seq: Option<u64>,
    pub signature: Option<&'a str>,
}

impl<'a> Held<'a> {
    /// An event of this desk's on its way to the hub of `region`.
    pub fn outgoing(region: &'a str) -> Held<'a> {
        Held { region, seq: None, signature: None }
    }
}

pub(crate) fn quarantine(
    tx: &Transaction<'_>,
    event: &CaseEvent,
    direction: Direction,
    held: &Held<'_>,
    code: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<usize> {
    Ok(tx.execute(
        "INSERT OR IGNORE INTO quarantine (event_id, case_id, direction, hub_region, code, message, event, hub_seq, at,
                                           seal)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            event.id.to_string(),
            event.case_id.to_string(),
            direction.as_str(),
            held.region,
            code,
            message,
            serde_json::to_string(event)?,
            held.seq,
            now.to_rfc3339(),
            held.signature
        ],
    )?)
}

/// Appends 已推送 to a case this desk's region took in, once its handling region holds every
/// event of it and it is complete (已收件). True when it did.
fn mark_pushed(
    tx: &Transaction<'_>,
    case: CaseId,
    desk_region: &str,
    desk_id: &str,
    now: DateTime<Utc>,
    calendar: &tongban_core::workdays::WorkCalendar,
) -> Result<bool> {
    if cases::status_of(tx, case)? != Some(CaseStatus::Received) {
        return Ok(false);
    }
    let (receiving_region, clerk, clerk_name): (String, String, String) = tx
        .prepare_cached("SELECT receiving_region, clerk, clerk_name FROM cases WHERE id = ?1")?
        .query_row([case.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let waiting: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM events WHERE case_id = ?1 AND outbox = 1)")?
        .query_row([case.to_string()], |r| r.get(0))?;
    if receiving_region != desk_region || waiting {
        return Ok(false);
    }
    let pushed = CaseEvent {
        id: Uuid::now_v7(),
        case_id: case,
        at: now,
        // The clerk who took the case in: the push completes their intake.
        author: Author { user: clerk, desk: desk_id.to_string(), region: desk_region.to_string(), name: clerk_name },
        body: EventBody::Pushed,
    };
    debug_assert!(EventKind::Pushed.is_local());
    append_in(tx, &pushed, true, calendar)?;
    Ok(true)
}

/// Forgets what the desk knew about a hub's database (cursor, scans held) when the region's hub
/// changes address; the last success and error stay for the window.
pub(crate) fn forget_hub_progress(tx: &Transaction<'_>, region: &str) -> Result<()> {
    tx.execute("UPDATE hub_sync SET pull_cursor = 0 WHERE region = ?1", [region])?;
    tx.execute("DELETE FROM hub_blobs WHERE region = ?1", [region])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::tests::{form, setup};
    use crate::test_support::temp_store;
    use crate::HubSetup;

    const FENGTAI: &str = "110106";

    /// A 新野县 desk with 丰台区's hub configured.
    #[test]
    fn a_batch_reads_the_outbox_in_order_by_its_index_without_sorting_the_queue() {
        let (_dir, store) = fengtai_desk();
        let sql =
            format!("EXPLAIN QUERY PLAN SELECT e.seq, e.body {ROUTED_OUTBOX} AND e.seq > ?3 ORDER BY e.seq LIMIT ?2");
        let mut stmt = store.conn.prepare(&sql).unwrap();
        let plan: Vec<String> = stmt
            .query_map(params!["110106", 200, 1000], |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        // A range of the index from the last batch's end (keyset), not a scan from its start.
        assert!(plan.iter().any(|l| l.contains("SEARCH e USING INDEX events_in_outbox (seq>?)")), "{plan:?}");
        assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:?}");
    }

    fn fengtai_desk() -> (tempfile::TempDir, Store) {
        let (dir, mut store) = temp_store();
        setup(&mut store);
        with_fengtai_hub(&mut store);
        (dir, store)
    }

    fn with_fengtai_hub(store: &mut Store) {
        let hub = HubSetup {
            region: FENGTAI.into(),
            name: "北京市丰台区".into(),
            url: "http://127.0.0.1:1".into(),
            credential: "t".into(),
        };
        store.add_hub(&hub, Utc::now()).unwrap();
    }

    fn take_in(store: &mut Store, handling_region: &str) -> CaseId {
        let mut f = form(false);
        f.handling_region = handling_region.into();
        store.create_case(&f, "zhang", Utc::now()).unwrap().0
    }

    fn partner_event(case: CaseId, body: EventBody) -> CaseEvent {
        let author =
            Author {
                user: "li".into(), desk: "丰台区审批局".into(), region: FENGTAI.into(), name: "李审批".into()
            };
        CaseEvent { id: Uuid::now_v7(), case_id: case, at: Utc::now(), author, body }
    }

    fn ids(entries: &[OutboxEntry]) -> Vec<CaseId> {
        entries.iter().map(|e| e.event.case_id).collect()
    }

    #[test]
    fn an_event_goes_to_the_hub_of_its_cases_handling_region_and_waits_when_there_is_none() {
        let (_d, mut store) = fengtai_desk();
        let for_fengtai = take_in(&mut store, FENGTAI);
        let for_xuanwu = take_in(&mut store, "320102");
        let local = take_in(&mut store, "411329");
        assert_eq!(ids(&store.outbox_for_hub(FENGTAI, 10).unwrap()), [for_fengtai]);
        assert_eq!(ids(&store.outbox_for_hub("320102", 10).unwrap()), [for_xuanwu], "waits for 玄武区's hub");
        assert!(store.outbox_for_hub("411329", 10).unwrap().is_empty(), "a local case never crosses a hub");
        assert_eq!(store.unrouted_outbox_len().unwrap(), 1, "玄武区 has no hub yet");
        assert_eq!(store.sync_state(FENGTAI).unwrap().pending, 1);
        assert_eq!(store.events_of(local).unwrap().len(), 1);
    }

    #[test]
    fn a_stored_intake_leaves_the_outbox_and_the_case_becomes_pushed() {
        let (_d, mut store) = fengtai_desk();
        let case = take_in(&mut store, FENGTAI);
        let batch = store.outbox_for_hub(FENGTAI, 10).unwrap();
        let verdicts: Vec<_> = batch.iter().map(|e| (e.event.clone(), Verdict::Stored)).collect();
        let settled = store.settle_push(FENGTAI, &verdicts, Utc::now()).unwrap();
        assert_eq!(settled, Settled { acknowledged: 1, quarantined: 0, marked_pushed: 1, superseded: 0 });
        assert_eq!(store.case_state(case).unwrap().status, CaseStatus::Pushed);
        assert_eq!(store.outbox_len().unwrap(), 0, "已推送 stays on the desk");
        // Settling the same acknowledgement again (a retried round) changes nothing.
        assert_eq!(store.settle_push(FENGTAI, &verdicts, Utc::now()).unwrap(), Settled::default());
        assert_eq!(store.events_of(case).unwrap().len(), 2);
    }

    #[test]
    fn a_rejected_event_is_quarantined_holds_back_its_case_only_and_returns_when_released() {
        let (_d, mut store) = fengtai_desk();
        let mut f = form(true);
        f.handling_region = FENGTAI.into();
        let (stuck, _) = store.create_case(&f, "zhang", Utc::now()).unwrap();
        let completed = CaseEvent {
            id: Uuid::now_v7(),
            case_id: stuck,
            at: Utc::now(),
            author: store.outbox(1).unwrap()[0].event.author.clone(),
            body: EventBody::Completed { materials: form(false).materials },
        };
        store.append_local(&completed).unwrap();
        let other = take_in(&mut store, FENGTAI);
        let first = store.outbox_for_hub(FENGTAI, 1).unwrap().remove(0).event;
        let rejection =
            Verdict::Rejected { code: "not_party".into(), message: "该地区尚未签订通办协议".into() };
        let settled = store.settle_push(FENGTAI, &[(first.clone(), rejection)], Utc::now()).unwrap();
        assert_eq!(settled.quarantined, 1);
        assert_eq!(ids(&store.outbox_for_hub(FENGTAI, 10).unwrap()), [other], "the rest flows on");
        let state = store.sync_state(FENGTAI).unwrap();
        assert_eq!((state.pending, state.quarantined), (1, 1));
        let held = store.quarantined().unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!((held[0].direction, held[0].code.as_str()), (Direction::Outgoing, "not_party"));
        assert_eq!(held[0].message, "该地区尚未签订通办协议");
        assert_eq!(store.outbox_len().unwrap(), 3, "a quarantined event is still unacknowledged");

        store.release_quarantined(first.id, Utc::now()).unwrap();
        assert_eq!(ids(&store.outbox_for_hub(FENGTAI, 10).unwrap()), [stuck, stuck, other]);
        assert_eq!(store.release_quarantined(first.id, Utc::now()).unwrap_err().code(), "not_quarantined");
    }

    #[test]
    fn its_own_event_pulled_back_as_it_is_is_present_whatever_its_seal_and_a_changed_copy_is_held() {
        let (_d, mut store) = fengtai_desk();
        take_in(&mut store, FENGTAI);
        let own = store.outbox(1).unwrap().remove(0).event;
        store.settle_push(FENGTAI, &[(own.clone(), Verdict::Stored)], Utc::now()).unwrap();
        let hub = tongban_core::seal::HubSigner::from_seed(&[7; 32]);
        let other = tongban_core::seal::HubSigner::from_seed(&[8; 32]);
        store.pin_hub_key(FENGTAI, &hub.public().to_hex(), Utc::now()).unwrap();
        // Sealed by the hub, unsealed, sealed by another key: the text it holds, nothing to apply.
        let page = [
            Pulled { seq: 1, event: own.clone(), signature: Some(hub.seal(FENGTAI, &own)) },
            Pulled { seq: 2, event: own.clone(), signature: None },
            Pulled { seq: 3, event: own.clone(), signature: Some(other.seal(FENGTAI, &own)) },
        ];
        let applied = store.apply_pulled(FENGTAI, &page, 3, Utc::now()).unwrap();
        assert_eq!(applied, Applied { new: 0, already_present: 3, quarantined: 0, out_of_scope: 0, broken_seal: None });
        // Held as another build wrote it (other key order): the same event, decoded.
        let reordered = serde_json::to_string(&serde_json::to_value(&own).unwrap()).unwrap();
        store
            .conn
            .execute("UPDATE events SET body = ?2 WHERE id = ?1", params![own.id.to_string(), reordered])
            .unwrap();
        let page = [Pulled { seq: 4, event: own.clone(), signature: None }];
        assert_eq!(store.apply_pulled(FENGTAI, &page, 4, Utc::now()).unwrap().already_present, 1);
        // The same id with other content, sealed by another key: checked like any other, and held.
        let mut changed = own.clone();
        changed.at += chrono::Duration::seconds(1);
        let page = [Pulled { seq: 5, event: changed.clone(), signature: Some(other.seal(FENGTAI, &changed)) }];
        let applied = store.apply_pulled(FENGTAI, &page, 5, Utc::now()).unwrap();
        assert_eq!((applied.quarantined, applied.broken_seal), (1, Some(own.id)));
        assert_eq!(store.quarantined().unwrap()[0].code, "bad_signature");
        assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, 4, "asked for again");
    }

    #[test]
    fn a_pulled_page_is_applied_with_its_cursor_and_a_misfit_is_quarantined_without_stopping_it() {
        let (_d, mut store) = fengtai_desk();
        let case = take_in(&mut store, FENGTAI);
        let own = store.outbox(1).unwrap().remove(0).event;
        let verdicts = [(own.clone(), Verdict::Stored)];
        store.settle_push(FENGTAI, &verdicts, Utc::now()).unwrap();
        let accepted = partner_event(case, EventBody::Accepted);
        let mailed = partner_event(case, EventBody::ResultMailed { waybill: "1178".into() });
        let mut stranger = partner_event(case, EventBody::Processing);
        stranger.author.region = "320102".into();
        let processing = partner_event(case, EventBody::Processing);
        let page = [(1, own), (2, accepted), (3, mailed.clone()), (4, stranger), (5, processing)]
            .map(|(seq, event)| Pulled::unsealed(seq, event));
        let applied = store.apply_pulled(FENGTAI, &page, 5, Utc::now()).unwrap();
        assert_eq!(applied, Applied { new: 2, already_present: 1, quarantined: 2, out_of_scope: 0, broken_seal: None });
        assert_eq!(store.case_state(case).unwrap().status, CaseStatus::Processing);
        assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, 5);
        let held = store.quarantined().unwrap();
        assert_eq!(held.iter().map(|q| q.code.as_str()).collect::<Vec<_>>(), ["invalid_transition", "not_party"]);
        // Tried again at the end of the page, against the case as it then stands.
        assert_eq!(held[0].message, "办件状态为「办理中」，不能「寄出结果」");
        assert!(held.iter().all(|q| q.direction == Direction::Incoming));

        // The same page again (a crash before the desk saw the commit) applies nothing twice.
        let again = store.apply_pulled(FENGTAI, &page, 5, Utc::now()).unwrap();
        assert_eq!(again.new, 0);
        assert_eq!(store.events_of(case).unwrap().len(), 4);
        // An older cursor never moves it back.
        store.apply_pulled(FENGTAI, &[], 2, Utc::now()).unwrap();
        assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, 5);

        // Released, an inbound event that still does not fit stays with the newer reason.
        let err = store.release_quarantined(mailed.id, Utc::now()).unwrap_err();
        assert_eq!(err.code(), "invalid_transition");
        let still = store.quarantined().unwrap().into_iter().find(|q| q.event.id == mailed.id).unwrap();
        assert_eq!(still.message, "办件状态为「办理中」，不能「寄出结果」");
    }

    #[test]
    fn the_partners_decisions_that_arrived_are_listed_after_a_cursor() {
        let (_d, mut store) = fengtai_desk();
        let case = take_in(&mut store, FENGTAI);
        let own = store.outbox(1).unwrap().remove(0).event;
        store.settle_push(FENGTAI, &[(own, Verdict::Stored)], Utc::now()).unwrap();
        let before = store.last_event_seq().unwrap();
        assert!(store.decisions_arrived_after(0, 10).unwrap().is_empty(), "the intake and 已推送 are this desk's");
        let asked =
            partner_event(case, EventBody::SupplementRequested { items: vec!["户口簿".into()], note: "".into() });
        let misfit = partner_event(case, EventBody::ResultMailed { waybill: "1178".into() });
        store
            .apply_pulled(FENGTAI, &[Pulled::unsealed(7, asked.clone()), Pulled::unsealed(8, misfit)], 8, Utc::now())
            .unwrap();
        let arrived = store.decisions_arrived_after(before, 10).unwrap();
        assert_eq!(arrived.iter().map(|a| a.event.id).collect::<Vec<_>>(), [asked.id], "not the quarantined one");
        assert_eq!(arrived[0].applicant_name, "李建国");
        assert!(arrived[0].number.starts_with("411329-"));
        assert!(store.decisions_arrived_after(arrived[0].seq, 10).unwrap().is_empty());
        assert_eq!(store.last_event_seq().unwrap(), arrived[0].seq);
    }

    #[test]
    fn a_hub_missing_a_scan_makes_the_desk_forget_it_was_uploaded() {
        let (_d, mut store) = fengtai_desk();
        let scan = store.put_blob(b"scan", "image/jpeg", "a.jpg", Utc::now()).unwrap().sha256;
        let mut f = form(false);
        f.handling_region = FENGTAI.into();
        f.materials[0].scans = vec![scan.clone()];
        store.create_case(&f, "zhang", Utc::now()).unwrap();
        store.record_scan_on_hub(FENGTAI, &scan).unwrap();
        assert_eq!(store.scans_on_hub(FENGTAI, &[&scan]).unwrap().len(), 1);
        let event = store.outbox(1).unwrap().remove(0).event;
        store.settle_push(FENGTAI, &[(event, Verdict::ScansMissing)], Utc::now()).unwrap();
        assert!(store.scans_on_hub(FENGTAI, &[&scan]).unwrap().is_empty());
        assert_eq!(store.sync_state(FENGTAI).unwrap().pending, 1, "not quarantined: it goes again after the upload");
    }

    #[test]
    fn a_new_hub_address_starts_the_cursor_over() {
        let (_d, mut store) = fengtai_desk();
        store.apply_pulled(FENGTAI, &[], 42, Utc::now()).unwrap();
        store.record_sync_failure(FENGTAI, "无法连接通办中心", Utc::now()).unwrap();
        with_fengtai_hub(&mut store);
        assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, 42, "same address: nothing forgotten");
        let moved = HubSetup {
            region: FENGTAI.into(),
            name: "北京市丰台区".into(),
            url: "http://127.0.0.1:2".into(),
            credential: "t".into(),
        };
        store.add_hub(&moved, Utc::now()).unwrap();
        let state = store.sync_state(FENGTAI).unwrap();
        assert_eq!(state.pull_cursor, 0);
        assert_eq!(state.last_error.as_deref(), Some("无法连接通办中心"));
        store.record_sync_success(FENGTAI, Utc::now()).unwrap();
        assert_eq!(store.sync_state(FENGTAI).unwrap().last_error, None);
    }
}
