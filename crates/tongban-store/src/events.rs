//! Case events: the source of truth, append-only, with the outbox mark for sync.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use tongban_core::case::{
    Author, CaseEvent, CaseId, CaseNumber, CaseState, CaseStatus, EventBody, EventKind, Intake, IntakeForm, Side,
};
use tongban_core::time::china_time;
use uuid::Uuid;

use crate::audit::{self, AuditKind};
use crate::{cases, Result, Store, StoreError};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- local order of arrival
    id         TEXT NOT NULL UNIQUE,               -- the event's UUID; pushes are idempotent by it
    case_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    at         TEXT NOT NULL,
    author     TEXT NOT NULL,                      -- login of the user who made it
    body       TEXT NOT NULL,                      -- the whole CaseEvent as JSON
    local      INTEGER NOT NULL,                   -- 1 = made on this desk
    outbox     INTEGER NOT NULL                    -- 1 = waiting for a hub's acknowledgement
);
CREATE INDEX events_by_case ON events (case_id, seq);
CREATE INDEX events_in_outbox ON events (seq) WHERE outbox = 1;
CREATE TABLE case_numbers (
    prefix TEXT PRIMARY KEY,                       -- region-date-desk
    last   INTEGER NOT NULL
);
";

/// What appending an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// The event is new and changed the case.
    New(CaseStatus),
    /// The same event (same id, same content) was already here: nothing changed.
    AlreadyPresent,
}

/// An event as kept on the desk.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub seq: i64,
    pub event: CaseEvent,
    pub local: bool,
    pub in_outbox: bool,
    /// Kept for the audit but left out of the case's status: another desk's decision won at the
    /// hub, or an admin discarded it.
    pub set_aside: Option<crate::SetAside>,
    /// The seal of the hub it was pulled from, when that hub's key is pinned here.
    pub seal: Option<crate::Seal>,
}

/// An event waiting for a hub.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub seq: i64,
    pub event: CaseEvent,
}

impl Store {
    /// Takes a new case in: validates the form, assigns the 办件编号 and appends the intake event,
    /// all in one transaction. When this returns, the case is on disk.
    pub fn create_case(&mut self, form: &IntakeForm, user: &str, at: DateTime<Utc>) -> Result<(CaseId, CaseNumber)> {
        let received_on = at.with_timezone(&china_time()).date_naive();
        let mut form = form.validated(received_on)?;
        // A waybill typed at the window: an S10 number with a wrong check digit is refused here
        // (every intake path), another format is kept as typed (the window warns as it is typed).
        if let Some(typed) = form.transfer.waybill.as_deref().filter(|w| !w.trim().is_empty()) {
            let checked = tongban_core::waybill::check(typed).map_err(|e| e.at("transfer.waybill", "运单号"))?;
            form.transfer.waybill = Some(checked.number);
        }
        // The offline guardrail: every intake passes here, the window's, the CLI's, an import's.
        self.check_offline(&form.handling_region, at)?;
        let desk = self.require_desk()?;
        // A desk told that another desk holds its code takes nothing more in under it.
        crate::identity::check_code_is_ours(&self.conn, &desk)?;
        let author = self.author(user)?;
        let tx = crate::write(&mut self.conn)?;
        let prefix = CaseNumber::compose(&desk.region, received_on, &desk.desk_code, 0);
        let prefix = prefix.as_str().rsplit_once('-').map(|(p, _)| p.to_string()).unwrap_or_default();
        let seq: u32 = tx.query_row(
            "INSERT INTO case_numbers (prefix, last) VALUES (?1, 1)
             ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last",
            [&prefix],
            |r| r.get(0),
        )?;
        let number = CaseNumber::compose(&desk.region, received_on, &desk.desk_code, seq);
        let event = CaseEvent {
            id: Uuid::now_v7(),
            case_id: CaseId(Uuid::now_v7()),
            at,
            author,
            body: EventBody::Received {
                intake: Intake {
                    number: number.clone(),
                    receiving_region: desk.region.clone(),
                    window: desk.window_label(),
                    received_on,
                    form,
                },
            },
        };
        let case_id = event.case_id;
        append_in(&tx, &event, true, &self.calendar)?;
        tx.commit()?;
        Ok((case_id, number))
    }

    /// Appends one event made on this desk (it goes to the outbox unless it is desk-local).
    pub fn append_local(&mut self, event: &CaseEvent) -> Result<Appended> {
        self.append(event, true)
    }

    /// Appends an event that came from a hub (never goes to the outbox).
    pub fn append_remote(&mut self, event: &CaseEvent) -> Result<Appended> {
        self.append(event, false)
    }

    fn append(&mut self, event: &CaseEvent, local: bool) -> Result<Appended> {
        let tx = crate::write(&mut self.conn)?;
        let outcome = append_in(&tx, event, local, &self.calendar)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Appends many events in one transaction: all of them or, if one is refused, none.
    /// This is how a pull from a hub is applied, and how large imports stay fast.
    pub fn append_batch(&mut self, events: &[CaseEvent], local: bool) -> Result<Vec<Appended>> {
        let tx = crate::write(&mut self.conn)?;
        let outcomes = events.iter().map(|e| append_in(&tx, e, local, &self.calendar)).collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(outcomes)
    }

    /// All events of a case in the order they arrived, those set aside included.
    pub fn events_of(&self, case: CaseId) -> Result<Vec<StoredEvent>> {
        events_in(&self.conn, case)
    }

    /// The latest time this desk itself recorded (its own events and prints): a machine clock
    /// earlier than this has run backwards.
    pub fn latest_local_time(&self) -> Result<Option<DateTime<Utc>>> {
        let latest: Option<String> = self.conn.query_row(
            "SELECT max(t) FROM (SELECT max(at) AS t FROM events WHERE local = 1
                                 UNION ALL SELECT max(printed_at) FROM prints)",
            [],
            |r| r.get(0),
        )?;
        latest.map(|t| crate::desk::parse_time(&t)).transpose()
    }

    /// The state the case's events fold into (those set aside left out).
    pub fn case_state(&self, case: CaseId) -> Result<CaseState> {
        let events = self.events_of(case)?;
        if events.is_empty() {
            return Err(StoreError::UnknownCase(case.to_string()));
        }
        Ok(CaseState::fold(events.iter().filter(|e| e.set_aside.is_none()).map(|e| &e.event.body))?)
    }

    /// The author of an event made here by `login`: the user, their display name, this desk.
    pub fn author(&self, login: &str) -> Result<Author> {
        let desk = self.require_desk()?;
        let user = self.user(login)?;
        Ok(Author { user: user.login, desk: desk.id, region: desk.region, name: user.display_name })
    }

    /// The oldest events waiting for a hub, at most `limit`.
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT seq, body FROM events WHERE outbox = 1 ORDER BY seq LIMIT ?1")?;
        outbox_entries(&mut stmt, [limit as i64])
    }

    pub fn outbox_len(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM events WHERE outbox = 1", [], |r| r.get(0))?)
    }

    /// Marks events as acknowledged by a hub. Unknown ids are ignored (acknowledging twice is fine).
    pub fn mark_acknowledged(&mut self, ids: &[Uuid]) -> Result<()> {
        let tx = crate::write(&mut self.conn)?;
        {
            let mut stmt = tx.prepare_cached("UPDATE events SET outbox = 0 WHERE id = ?1")?;
            for id in ids {
                stmt.execute([id.to_string()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// A handling region's decision that reached this desk from a hub, on a case it took in.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivedDecision {
    /// The local order of arrival: the cursor to ask again from.
    pub seq: i64,
    /// 办件编号.
    pub number: String,
    pub applicant_name: String,
    pub event: CaseEvent,
    /// This desk's decision the arrived one took the place of (the hub admitted it first).
    pub superseded: Option<EventKind>,
}

impl Store {
    /// The partners' decisions on cases this desk's region took in that arrived (by a pull, or
    /// released from the quarantine) after `after`, oldest first, at most `limit`; and on a case
    /// this region handles, the decision of another of its desks that took the place of one made
    /// here (已被取代), so the approver hears what happened.
    pub fn decisions_arrived_after(&self, after: i64, limit: usize) -> Result<Vec<ArrivedDecision>> {
        let desk = self.require_desk()?;
        let names = |kinds: &mut dyn Iterator<Item = EventKind>| {
            kinds.map(|k| format!("'{}'", k.as_str())).collect::<Vec<_>>().join(", ")
        };
        // News is every handling-side event (a 签收原件 too); what took a decision's place is
        // another decision.
        let kinds = names(&mut EventKind::ALL.into_iter().filter(|k| k.owner() == Side::Handling));
        let decisions = names(&mut EventKind::ALL.into_iter().filter(|k| k.is_decision()));
        // Events made here are local; a partner's decision can only come from a hub. The one that
        // won over this desk's is the first that arrived after this desk's was set aside.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT e.seq, e.body, c.number, c.applicant_name, (
                 SELECT x.kind FROM events x WHERE x.case_id = e.case_id AND x.local = 1 AND x.set_aside = 'superseded'
                   AND x.kind IN ({decisions}) AND x.seq < e.seq AND NOT EXISTS (SELECT 1 FROM events y
                       WHERE y.case_id = e.case_id AND y.local = 0 AND y.kind IN ({decisions}) AND y.seq > x.seq AND y.seq < e.seq)
                 ORDER BY x.seq LIMIT 1)
             FROM events e JOIN cases c ON c.id = e.case_id
             WHERE e.seq > ?1 AND e.local = 0 AND e.kind IN ({kinds})
             ORDER BY e.seq"
        ))?;
        let rows = stmt.query_map(params![after], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, body, number, applicant_name, superseded) = row?;
            let event: CaseEvent = serde_json::from_str(&body)?;
            let superseded = superseded.and_then(|k| EventKind::ALL.into_iter().find(|kind| kind.as_str() == k));
            let partners = event.author.region != desk.region;
            if !partners && superseded.is_none() {
                continue;
            }
            out.push(ArrivedDecision { seq, number, applicant_name, event, superseded });
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }

    /// The local order number of the newest event (0 on an empty desk): a cursor from which
    /// only what arrives later is reported.
    pub fn last_event_seq(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))?)
    }
}

/// All events of a case in the order they arrived, those set aside included.
pub(crate) fn events_in(conn: &rusqlite::Connection, case: CaseId) -> Result<Vec<StoredEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, body, local, outbox, set_aside, set_aside_reason, set_aside_at, set_aside_by,
                seal_region, seal_key, seal
         FROM events WHERE case_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([case.to_string()], |r| {
        Ok((
            (r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, bool>(3)?),
            (r.get::<_, Option<String>>(4)?, r.get::<_, Option<String>>(5)?, r.get::<_, Option<String>>(6)?),
            r.get::<_, Option<String>>(7)?,
            (r.get::<_, Option<String>>(8)?, r.get::<_, Option<String>>(9)?, r.get::<_, Option<String>>(10)?),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let ((seq, body, local, in_outbox), aside, by, seal) = row?;
        let set_aside = crate::setaside::read(aside, by)?;
        let seal = match seal {
            (Some(region), Some(key), Some(signature)) => Some(crate::Seal { region, key, signature }),
            _ => None,
        };
        out.push(StoredEvent { seq, event: serde_json::from_str(&body)?, local, in_outbox, set_aside, seal });
    }
    Ok(out)
}

/// Reads `(seq, body)` rows of the events table as outbox entries.
pub(crate) fn outbox_entries(
    stmt: &mut rusqlite::Statement<'_>,
    params: impl rusqlite::Params,
) -> Result<Vec<OutboxEntry>> {
    let rows = stmt.query_map(params, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, body) = row?;
        out.push(OutboxEntry { seq, event: serde_json::from_str(&body)? });
    }
    Ok(out)
}

/// Appends inside an open transaction: idempotent by event id, refused if the event does not
/// fit the case's status, projection updated alongside.
pub(crate) fn append_in(
    tx: &Transaction<'_>,
    event: &CaseEvent,
    local: bool,
    calendar: &tongban_core::workdays::WorkCalendar,
) -> Result<Appended> {
    append_numbered_in(tx, event, local, calendar, None)
}

/// [`append_in`], with an intake projected under `number` instead of its own: an intake that
/// arrives together with its 更正编号, whose first number may be another case's here.
pub(crate) fn append_numbered_in(
    tx: &Transaction<'_>,
    event: &CaseEvent,
    local: bool,
    calendar: &tongban_core::workdays::WorkCalendar,
    number: Option<&CaseNumber>,
) -> Result<Appended> {
    let id = event.id.to_string();
    let existing: Option<String> =
        tx.prepare_cached("SELECT body FROM events WHERE id = ?1")?.query_row([&id], |r| r.get(0)).optional()?;
    if let Some(body) = existing {
        let stored: CaseEvent = serde_json::from_str(&body)?;
        return if &stored == event { Ok(Appended::AlreadyPresent) } else { Err(StoreError::Conflict(event.id)) };
    }
    let current = cases::status_of(tx, event.case_id)?;
    let status = CaseStatus::apply(current, &event.body)?;
    let renumbered = crate::identity::number_after(tx, event, number)?;
    let kind = event.body.kind();
    let (case_id, at, body) = (event.case_id.to_string(), event.at.to_rfc3339(), serde_json::to_string(event)?);
    tx.prepare_cached(
        "INSERT INTO events (id, case_id, kind, at, author, body, local, outbox) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![id, case_id, kind.as_str(), at, event.author.user, body, local, local && !kind.is_local()])?;
    let seq = tx.last_insert_rowid();
    // The event joins the audit chain in its own transaction: it is never written outside it.
    let digest = audit::event_digest(&id, &case_id, kind.as_str(), &at, &event.author.user, &body, local);
    let detail = audit::event_detail(kind.as_str(), local);
    audit::append_in(
        tx,
        Utc::now(),
        &event.author.user,
        AuditKind::Event,
        Some(&case_id),
        &detail,
        Some(&id),
        Some(&digest),
    )?;
    match (&event.body, &renumbered) {
        (EventBody::Received { intake }, Some(number)) if &intake.number != number => {
            let mut projected = event.clone();
            if let EventBody::Received { intake } = &mut projected.body {
                intake.number = number.clone();
            }
            cases::project(tx, &projected, status, seq, calendar)?;
        }
        _ => cases::project(tx, event, status, seq, calendar)?,
    }
    crate::identity::project_identity(tx, event, renumbered.as_ref())?;
    Ok(Appended::New(status))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::test_support::temp_store;
    use crate::{DeskSetup, User};
    use tongban_core::applicant::{Applicant, IdKind, Person};
    use tongban_core::case::*;

    pub(crate) fn setup(store: &mut Store) {
        store
            .init_desk(
                &DeskSetup {
                    region: "411329".into(),
                    hall: "新野县政务服务中心".into(),
                    window_name: "跨省通办窗口".into(),
                    desk_code: "A1".into(),
                    first_user: User { login: "zhang".into(), display_name: "张敏".into(), role: "clerk".into() },
                },
                Utc::now(),
            )
            .unwrap();
    }

    pub(crate) fn form(missing: bool) -> IntakeForm {
        IntakeForm {
            item: ItemRef {
                code: "11110106000000000000001".into(),
                name: "基本养老保险关系转移接续申请".into(),
                department: "丰台区社会保险事业管理中心".into(),
                promised_days: 15,
                promised_unit: Default::default(),
                kind: None,
                basis: String::new(),
                catalog_version: None,
                decided_by: String::new(),
                fee: None,
                fee_basis: String::new(),
            },
            handling_region: "110106".into(),
            applicant: Applicant::Person(Person {
                name: "李建国".into(),
                id_kind: IdKind::ResidentId,
                id_number: "11010519491231002X".into(),
                phone: "13800138000".into(),
                address: "河南省南阳市新野县汉华路1号".into(),
            }),
            agent: None,
            materials: vec![Material {
                name: "居民身份证".into(),
                form: MaterialForm::Original,
                copies: 1,
                originals: 1,
                choice: String::new(),
                deferral: None,
                required: true,
                standard: "在有效期内".into(),
                received: !missing,
                original_verified: !missing,
                scans: vec![],
                note: String::new(),
                condition: String::new(),
                items: vec![],
                e_license: None,
            }],
            transfer: Transfer { network: true, mail: false, waybill: None },
            delivery: ResultDelivery::AtWindow,
            note: String::new(),
            bundle_items: vec![],
        }
    }

    fn author() -> Author {
        Author { user: "beijing".into(), desk: "hub-desk".into(), region: "110106".into(), name: String::new() }
    }

    #[test]
    fn a_new_case_gets_a_number_and_waits_in_the_outbox() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        let at = DateTime::parse_from_rfc3339("2026-02-13T01:30:00Z").unwrap().with_timezone(&Utc);
        let (id, number) = store.create_case(&form(false), "zhang", at).unwrap();
        assert_eq!(number.as_str(), "411329-20260213-A1-0001");
        let (_, second) = store.create_case(&form(true), "zhang", at).unwrap();
        assert_eq!(second.as_str(), "411329-20260213-A1-0002");
        assert_eq!(store.case_state(id).unwrap().status, CaseStatus::Received);
        assert_eq!(store.outbox_len().unwrap(), 2);
    }

    #[test]
    fn the_same_event_twice_is_stored_once_and_a_changed_copy_is_refused() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        let (id, _) = store.create_case(&form(false), "zhang", Utc::now()).unwrap();
        let accepted =
            CaseEvent { id: Uuid::now_v7(), case_id: id, at: Utc::now(), author: author(), body: EventBody::Accepted };
        assert_eq!(store.append_remote(&accepted).unwrap(), Appended::New(CaseStatus::Accepted));
        assert_eq!(store.append_remote(&accepted).unwrap(), Appended::AlreadyPresent);
        let mut changed = accepted.clone();
        changed.body = EventBody::Refused { reason: "不属于受理范围".into() };
        assert!(matches!(store.append_remote(&changed), Err(StoreError::Conflict(_))));
        assert_eq!(store.events_of(id).unwrap().len(), 2);
        // Remote events never go to the outbox.
        assert_eq!(store.outbox_len().unwrap(), 1);
    }

    #[test]
    fn an_event_that_does_not_fit_changes_nothing() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        let (id, _) = store.create_case(&form(true), "zhang", Utc::now()).unwrap();
        let concluded = CaseEvent {
            id: Uuid::now_v7(),
            case_id: id,
            at: Utc::now(),
            author: author(),
            body: EventBody::Concluded { approved: true, note: String::new() },
        };
        let err = store.append_remote(&concluded).unwrap_err();
        assert_eq!(err.to_string(), "办件状态为「待补正」，不能「办结」");
        assert_eq!(store.events_of(id).unwrap().len(), 1);
        assert_eq!(store.case_state(id).unwrap().status, CaseStatus::AwaitingMaterials);
    }

    #[test]
    fn acknowledged_events_leave_the_outbox_and_local_only_events_never_enter_it() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        let (id, _) = store.create_case(&form(false), "zhang", Utc::now()).unwrap();
        let out = store.outbox(10).unwrap();
        store.mark_acknowledged(&[out[0].event.id]).unwrap();
        let pushed = CaseEvent {
            id: Uuid::now_v7(),
            case_id: id,
            at: Utc::now(),
            author: out[0].event.author.clone(),
            body: EventBody::Pushed,
        };
        store.append_local(&pushed).unwrap();
        assert_eq!(store.outbox_len().unwrap(), 0);
        assert_eq!(store.case_state(id).unwrap().status, CaseStatus::Pushed);
    }

    #[test]
    fn a_batch_with_one_refused_event_writes_none_of_them() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        let (id, _) = store.create_case(&form(false), "zhang", Utc::now()).unwrap();
        let ev = |body| CaseEvent { id: Uuid::now_v7(), case_id: id, at: Utc::now(), author: author(), body };
        let batch = [ev(EventBody::Accepted), ev(EventBody::ResultMailed { waybill: "1178".into() })];
        assert_eq!(store.append_batch(&batch, false).unwrap_err().code(), "invalid_transition");
        assert_eq!(store.events_of(id).unwrap().len(), 1);
        assert_eq!(store.append_batch(&batch[..1], false).unwrap(), vec![Appended::New(CaseStatus::Accepted)]);
    }

    #[test]
    fn a_bad_field_names_the_field_and_writes_nothing() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        let mut bad = form(false);
        if let Applicant::Person(p) = &mut bad.applicant {
            p.id_number = "110105194912310021".into();
        }
        let err = store.create_case(&bad, "zhang", Utc::now()).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().starts_with("申请人证件号码："), "{err}");
        assert_eq!(store.outbox_len().unwrap(), 0);
    }

    #[test]
    fn an_agent_born_after_the_day_of_intake_in_beijing_is_refused() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        let mut form = form(false);
        let first17 = "41132920260214001";
        let number = format!("{first17}{}", tongban_core::validate::resident_id_check_digit(first17).unwrap());
        form.agent = Some(tongban_core::applicant::Agent {
            role: tongban_core::applicant::AgentRole::Proxy,
            name: "王芳".into(),
            id_kind: IdKind::ResidentId,
            id_number: number,
            phone: "13800138000".into(),
        });
        // 2026-02-13 23:30 in Beijing: the 14th is still tomorrow.
        let before = DateTime::parse_from_rfc3339("2026-02-13T15:30:00Z").unwrap().with_timezone(&Utc);
        let err = store.create_case(&form, "zhang", before).unwrap_err();
        assert!(err.to_string().starts_with("代办人证件号码：出生日期晚于今天"), "{err}");
        assert_eq!(store.outbox_len().unwrap(), 0);
        // 2026-02-14 00:30 in Beijing, still the 13th in UTC: the day has come.
        let after = DateTime::parse_from_rfc3339("2026-02-13T16:30:00Z").unwrap().with_timezone(&Utc);
        store.create_case(&form, "zhang", after).unwrap();
    }
}
