//! The desk as an identity at its hubs, and the numbers it gives.
//!
//! Every sync round begins by confirming the desk's region and desk code with the hub (the hub
//! binds the credential to the first desk that confirms it). What each hub said is kept in
//! `hub_desks`: the role and scope it holds the desk to, or why it refused. A desk told that
//! another desk holds its code takes nothing more in under that code until an admin gives it the
//! right one ([`Store::set_desk_code`]); the cases it took in meanwhile are never lost: an admin
//! moves each to the corrected code with a 更正编号 event ([`Store::renumber_case`]), which keeps
//! the case's id and status, and its receipt can be printed again with the new number.
//!
//! Numbers are unique on the desk too: an intake or 更正编号 whose number another case holds is
//! refused with its own code before the database's constraint would be.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use tongban_core::admission::{check_renumbering, Renumbering};
use tongban_core::case::{CaseEvent, CaseId, CaseNumber, DeskCode, EventBody};
use uuid::Uuid;

use crate::desk::parse_time;
use crate::{DeskIdentity, Result, Store, StoreError};

/// Step 7, with [`crate::setaside::SCHEMA_V7`]: what each hub holds the desk to be, and the clerk's
/// name on each case (from the intake's author, so a partner's cases show 张敏, not a login).
pub(crate) const SCHEMA_V7: &str = "
CREATE TABLE hub_desks (
    region       TEXT PRIMARY KEY REFERENCES hubs (region) ON DELETE CASCADE,
    desk_code    TEXT NOT NULL,     -- the code this desk presented
    role         TEXT,              -- window | helper | back_office | supervisor, once confirmed
    role_label   TEXT,
    scope_label  TEXT,              -- what the hub lets this desk read, in Chinese
    confirmed_at TEXT,
    problem_code TEXT,              -- the hub's code when it refused (desk_code_taken, …)
    problem      TEXT,              -- its Chinese message
    problem_at   TEXT
);
ALTER TABLE cases ADD COLUMN clerk_name TEXT NOT NULL DEFAULT '';
UPDATE cases SET clerk_name = coalesce((SELECT json_extract(e.body, '$.author.name') FROM events e
    WHERE e.case_id = cases.id AND e.kind = 'received' ORDER BY e.seq LIMIT 1), '');
";

/// What a hub holds this desk to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubDesk {
    pub region: String,
    pub desk_code: String,
    /// `window`, `helper`, `back_office` or `supervisor`; `None` until confirmed.
    pub role: Option<String>,
    pub role_label: Option<String>,
    pub scope_label: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Why the hub refused the desk, last time it did (cleared by a confirmation).
    pub problem_code: Option<String>,
    pub problem: Option<String>,
}

impl HubDesk {
    /// The hub reads only this desk's own intakes (a window's or a helper's credential).
    pub fn reads_own_intakes_only(&self) -> bool {
        matches!(self.role.as_deref(), Some("window" | "helper"))
    }
}

/// What a hub confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskConfirmed {
    pub desk_code: String,
    pub role: String,
    pub role_label: String,
    pub scope_label: String,
    pub confirmed_at: DateTime<Utc>,
}

/// The code a hub gives when another desk confirmed the credential (the desk code) first.
pub const DESK_CODE_TAKEN: &str = "desk_code_taken";

impl Store {
    /// The hub of `region` confirmed this desk.
    pub fn record_desk_confirmed(&mut self, region: &str, confirmed: &DeskConfirmed) -> Result<()> {
        self.conn.execute(
            "INSERT INTO hub_desks (region, desk_code, role, role_label, scope_label, confirmed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (region) DO UPDATE SET desk_code = ?2, role = ?3, role_label = ?4, scope_label = ?5,
                 confirmed_at = ?6, problem_code = NULL, problem = NULL, problem_at = NULL",
            params![
                region,
                confirmed.desk_code,
                confirmed.role,
                confirmed.role_label,
                confirmed.scope_label,
                confirmed.confirmed_at.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    /// The hub of `region` refused this desk: `code` and the Chinese `message` are the hub's.
    pub fn record_desk_refused(&mut self, region: &str, code: &str, message: &str, now: DateTime<Utc>) -> Result<()> {
        let desk = self.require_desk()?;
        self.conn.execute(
            "INSERT INTO hub_desks (region, desk_code, problem_code, problem, problem_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (region) DO UPDATE SET desk_code = ?2, problem_code = ?3, problem = ?4, problem_at = ?5",
            params![region, desk.desk_code.as_str(), code, message, now.to_rfc3339()],
        )?;
        Ok(())
    }

    /// What the hub of `region` holds this desk to be, once it said.
    pub fn hub_desk(&self, region: &str) -> Result<Option<HubDesk>> {
        let row = self
            .conn
            .query_row(
                "SELECT region, desk_code, role, role_label, scope_label, confirmed_at, problem_code, problem
                 FROM hub_desks WHERE region = ?1",
                [region],
                |r| {
                    Ok((
                        (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                        (r.get::<_, Option<String>>(2)?, r.get(3)?, r.get(4)?),
                        r.get::<_, Option<String>>(5)?,
                        (r.get(6)?, r.get(7)?),
                    ))
                },
            )
            .optional()?;
        let Some(((region, desk_code), (role, role_label, scope_label), confirmed_at, (problem_code, problem))) = row
        else {
            return Ok(None);
        };
        Ok(Some(HubDesk {
            region,
            desk_code,
            role,
            role_label,
            scope_label,
            confirmed_at: confirmed_at.as_deref().map(parse_time).transpose()?,
            problem_code,
            problem,
        }))
    }

    /// Gives this desk another desk code (an admin's fix after a hub said another desk holds
    /// this one). New cases get numbers under it; the cases taken in before keep theirs until
    /// they are moved with [`Store::renumber_case`].
    pub fn set_desk_code(&mut self, code: &str) -> Result<DeskIdentity> {
        let desk = self.require_desk()?;
        let code = DeskCode::parse(code).map_err(|e| e.at("desk_code", "窗口代码"))?;
        if code == desk.desk_code {
            return Err(tongban_core::validate::ValidationError::new(format!(
                "本受理台的窗口代码已是 {}",
                code.as_str()
            ))
            .at("desk_code", "窗口代码")
            .into());
        }
        self.conn.execute("UPDATE desk SET desk_code = ?1", [code.as_str()])?;
        self.require_desk()
    }

    /// The cases this desk took in under another code than its own (after [`Store::set_desk_code`]),
    /// oldest first: those an admin moves with [`Store::renumber_case`].
    pub fn cases_under_other_codes(&self) -> Result<Vec<String>> {
        let desk = self.require_desk()?;
        let mut stmt = self.conn.prepare(
            "SELECT c.number FROM cases c JOIN events e ON e.case_id = c.id AND e.kind = 'received'
             WHERE c.receiving_region = ?1 AND json_extract(e.body, '$.author.desk') = ?2
               AND c.number NOT LIKE ?3
             ORDER BY c.received_at",
        )?;
        let own = format!("{}-________-{}-%", desk.region, desk.desk_code.as_str());
        let rows = stmt.query_map(params![desk.region, desk.id, own], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// 更正编号: moves a case this desk took in under another code to the next number of its own
    /// code, same region and day, as an event (`user` an admin's login). The case keeps its id and
    /// status; the event goes to the case's hub like any other, and a receipt printed after it
    /// carries the new number.
    pub fn renumber_case(&mut self, number: &str, user: &str, reason: &str, now: DateTime<Utc>) -> Result<CaseNumber> {
        let desk = self.require_desk()?;
        let author = self.author(user)?;
        let summary = self.case_by_number(number)?;
        let state = self.case_state(summary.id)?;
        let current = state.intake.number.clone();
        let refuse = |why: String| Err(StoreError::NotRenumberable(format!("办件 {current} {why}")));
        let intake = crate::events::events_in(&self.conn, summary.id)?.into_iter().next();
        if summary.receiving_region != desk.region || intake.is_none_or(|e| e.event.author.desk != desk.id) {
            return refuse("不是本受理台收件的，只能由收件的受理台更正编号".into());
        }
        if current.desk_code() == desk.desk_code.as_str() {
            return refuse(format!("已是本受理台窗口代码 {} 的编号", desk.desk_code.as_str()));
        }
        let reason = reason.trim();
        let reason = if reason.is_empty() {
            format!(
                "窗口代码 {} 已由另一台受理台使用，改用本受理台的窗口代码 {}",
                current.desk_code(),
                desk.desk_code.as_str()
            )
        } else {
            reason.to_string()
        };
        let day = state.intake.received_on;
        let tx = crate::write(&mut self.conn)?;
        let prefix = CaseNumber::compose(&desk.region, day, &desk.desk_code, 0);
        let prefix = prefix.as_str().rsplit_once('-').map(|(p, _)| p.to_string()).unwrap_or_default();
        let seq: u32 = tx.query_row(
            "INSERT INTO case_numbers (prefix, last) VALUES (?1, 1)
             ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last",
            [&prefix],
            |r| r.get(0),
        )?;
        let to = CaseNumber::compose(&desk.region, day, &desk.desk_code, seq);
        let event = CaseEvent {
            id: Uuid::now_v7(),
            case_id: summary.id,
            at: now,
            author,
            body: EventBody::Renumbered { from: current, to: to.clone(), reason },
        };
        crate::events::append_in(&tx, &event, true, &self.calendar)?;
        tx.commit()?;
        Ok(to)
    }
}

/// Refuses to take a case in under a desk code a hub said another desk holds.
pub(crate) fn check_code_is_ours(conn: &rusqlite::Connection, desk: &DeskIdentity) -> Result<()> {
    let problem: Option<String> = conn
        .query_row(
            "SELECT problem FROM hub_desks WHERE desk_code = ?1 AND problem_code = ?2 LIMIT 1",
            params![desk.desk_code.as_str(), DESK_CODE_TAKEN],
            |r| r.get(0),
        )
        .optional()?;
    match problem {
        Some(problem) => Err(StoreError::DeskCodeTaken(problem)),
        None => Ok(()),
    }
}

/// The number a case carries once `event` is in, when the event sets it (an intake, or a 更正编号
/// that moves it), checked: well formed, and held by no other case here. `number` overrides an
/// intake's own (it arrived with its 更正编号).
pub(crate) fn number_after(
    tx: &Transaction<'_>,
    event: &CaseEvent,
    number: Option<&CaseNumber>,
) -> Result<Option<CaseNumber>> {
    let to = match &event.body {
        EventBody::Received { intake } => number.unwrap_or(&intake.number).clone(),
        EventBody::Renumbered { from, to, .. } => {
            let (current, receiving_region): (String, String) = tx
                .prepare_cached("SELECT number, receiving_region FROM cases WHERE id = ?1")?
                .query_row([event.case_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .ok_or_else(|| StoreError::UnknownCase(event.case_id.to_string()))?;
            let current = CaseNumber::parse(&current).map_err(|e| e.at("number", "办件编号"))?;
            let original = match crate::events::events_in(tx, event.case_id)?.into_iter().next().map(|e| e.event.body) {
                Some(EventBody::Received { intake }) => intake.number,
                _ => current.clone(),
            };
            match check_renumbering(&current, &original, from, to, &receiving_region)? {
                Renumbering::Moves(to) => to,
                Renumbering::AlreadyApplied => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    if let Some(holder) = holder_of(tx, to.as_str())? {
        if holder != event.case_id {
            return Err(StoreError::NumberTaken(to.to_string()));
        }
    }
    Ok(Some(to))
}

fn holder_of(tx: &Transaction<'_>, number: &str) -> Result<Option<CaseId>> {
    let id: Option<String> =
        tx.prepare_cached("SELECT id FROM cases WHERE number = ?1")?.query_row([number], |r| r.get(0)).optional()?;
    Ok(id.and_then(|id| id.parse().ok()).map(CaseId))
}

/// The projection's part that the case's identity owns: the clerk's name from the intake's
/// author, and a 更正编号's new number.
pub(crate) fn project_identity(tx: &Transaction<'_>, event: &CaseEvent, number: Option<&CaseNumber>) -> Result<()> {
    match (&event.body, number) {
        (EventBody::Received { .. }, _) => {
            tx.prepare_cached("UPDATE cases SET clerk_name = ?2 WHERE id = ?1")?
                .execute(params![event.case_id.to_string(), event.author.name.trim()])?;
        }
        (EventBody::Renumbered { .. }, Some(to)) => {
            tx.prepare_cached("UPDATE cases SET number = ?2 WHERE id = ?1")?
                .execute(params![event.case_id.to_string(), to.as_str()])?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::tests::{form, setup};
    use crate::setaside::tests::{back_office, partner_intake, FENGTAI};
    use crate::test_support::temp_store;
    use crate::{HubSetup, Pulled, User};
    use tongban_core::case::CaseStatus;

    /// 新野县's window A1 (user zhang, admin wang) with 丰台区's hub.
    fn window() -> (tempfile::TempDir, Store) {
        let (dir, mut store) = temp_store();
        setup(&mut store);
        let admin = User { login: "wang".into(), display_name: "王芳".into(), role: "admin".into() };
        store.add_user(&admin, None, Utc::now()).unwrap();
        let hub = HubSetup {
            region: FENGTAI.into(),
            name: "北京市丰台区".into(),
            url: "http://127.0.0.1:1".into(),
            credential: "t".into(),
        };
        store.add_hub(&hub, Utc::now()).unwrap();
        (dir, store)
    }

    fn for_fengtai() -> tongban_core::case::IntakeForm {
        let mut f = form(false);
        f.handling_region = FENGTAI.into();
        f
    }

    #[test]
    fn a_desk_told_its_code_is_anothers_takes_nothing_in_until_an_admin_moves_it_and_its_cases() {
        let (_d, mut store) = window();
        let (case, number) = store.create_case(&for_fengtai(), "zhang", Utc::now()).unwrap();
        let taken = "窗口代码 A1 已由另一台受理台于 2026-03-02 09:00 在通办中心确认使用";
        store.record_desk_refused(FENGTAI, DESK_CODE_TAKEN, taken, Utc::now()).unwrap();
        let err = store.create_case(&for_fengtai(), "zhang", Utc::now()).unwrap_err();
        assert_eq!((err.code().as_str(), err.to_string()), ("desk_code_taken", format!("不能收件：{taken}")));
        assert_eq!(store.hub_desk(FENGTAI).unwrap().unwrap().problem.as_deref(), Some(taken));

        assert_eq!(store.set_desk_code("a1").unwrap_err().code(), "invalid_input", "the same code");
        store.set_desk_code("A3").unwrap();
        assert_eq!(store.cases_under_other_codes().unwrap(), [number.to_string()]);
        let (_, fresh) = store.create_case(&for_fengtai(), "zhang", Utc::now()).unwrap();
        assert!(fresh.as_str().contains("-A3-0001"), "{fresh}");

        let moved = store.renumber_case(number.as_str(), "wang", "", Utc::now()).unwrap();
        assert!(moved.as_str().ends_with("-A3-0002"), "{moved}");
        assert_eq!(moved.date(), number.date());
        let summary = store.case_by_number(moved.as_str()).unwrap();
        assert_eq!((summary.id, summary.status), (case, CaseStatus::Received));
        assert_eq!(store.case_by_number(number.as_str()).unwrap_err().code(), "unknown_case");
        assert_eq!(store.case_state(case).unwrap().intake.number, moved);
        let last = store.events_of(case).unwrap().pop().unwrap();
        assert!(last.in_outbox, "the move goes to the hub like any event");
        let EventBody::Renumbered { reason, .. } = last.event.body else { panic!("a 更正编号") };
        assert_eq!(reason, "窗口代码 A1 已由另一台受理台使用，改用本受理台的窗口代码 A3");
        assert!(store.cases_under_other_codes().unwrap().is_empty());
        let again = store.renumber_case(moved.as_str(), "wang", "", Utc::now()).unwrap_err();
        assert_eq!(again.code(), "not_renumberable");
        // The intake and its move travel in one push.
        let batch = store.outbox_for_hub(FENGTAI, 1).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch[1].event.id, last.event.id);
    }

    #[test]
    fn a_confirmation_clears_the_refusal_and_a_new_credential_forgets_it() {
        let (_d, mut store) = window();
        store.record_desk_refused(FENGTAI, DESK_CODE_TAKEN, "x", Utc::now()).unwrap();
        let confirmed = DeskConfirmed {
            desk_code: "A1".into(),
            role: "window".into(),
            role_label: "窗口受理台".into(),
            scope_label: "仅本受理台收件的办件".into(),
            confirmed_at: Utc::now(),
        };
        store.record_desk_confirmed(FENGTAI, &confirmed).unwrap();
        let desk = store.hub_desk(FENGTAI).unwrap().unwrap();
        assert!(desk.problem.is_none() && desk.reads_own_intakes_only());
        store.create_case(&for_fengtai(), "zhang", Utc::now()).unwrap();
        let changed = HubSetup {
            region: FENGTAI.into(),
            name: "北京市丰台区".into(),
            url: "http://127.0.0.1:1".into(),
            credential: "t2".into(),
        };
        store.add_hub(&changed, Utc::now()).unwrap();
        assert!(store.hub_desk(FENGTAI).unwrap().is_none());
    }

    #[test]
    fn an_intake_that_arrives_with_its_renumbering_never_takes_the_number_another_case_holds() {
        for split in [false, true] {
            let (_d, mut store) = back_office();
            let first = partner_intake(1);
            store.apply_pulled(FENGTAI, &[Pulled::unsealed(1, first.clone())], 1, Utc::now()).unwrap();
            // Another 新野县 desk took a case in under A1-0001 too, and moved it to A3-0001.
            let mut stray = partner_intake(1);
            stray.author.desk = "rogue".into();
            let from = match &stray.body {
                EventBody::Received { intake } => intake.number.clone(),
                _ => unreachable!(),
            };
            let to = CaseNumber::parse("411329-20260302-A3-0001").unwrap();
            let renumbered = CaseEvent {
                id: uuid::Uuid::now_v7(),
                case_id: stray.case_id,
                at: Utc::now(),
                author: stray.author.clone(),
                body: EventBody::Renumbered { from, to: to.clone(), reason: "窗口代码更正".into() },
            };
            if split {
                // Split by a page: the intake waits, then fits with what follows it.
                let a = store.apply_pulled(FENGTAI, &[Pulled::unsealed(2, stray.clone())], 2, Utc::now()).unwrap();
                assert_eq!(a.quarantined, 1);
                assert_eq!(store.quarantined().unwrap()[0].code, "number_taken");
                store.apply_pulled(FENGTAI, &[Pulled::unsealed(3, renumbered)], 3, Utc::now()).unwrap();
            } else {
                store
                    .apply_pulled(
                        FENGTAI,
                        &[Pulled::unsealed(2, stray.clone()), Pulled::unsealed(3, renumbered)],
                        3,
                        Utc::now(),
                    )
                    .unwrap();
            }
            assert!(store.quarantined().unwrap().is_empty(), "split: {split}");
            assert_eq!(store.case_by_number(to.as_str()).unwrap().id, stray.case_id);
            assert_eq!(store.case_by_number("411329-20260302-A1-0001").unwrap().id, first.case_id);
            assert_eq!(store.case_state(stray.case_id).unwrap().intake.number, to);
        }
    }

    #[test]
    fn a_window_stores_nothing_of_cases_it_did_not_take_in() {
        let (_d, mut store) = window();
        let confirmed = DeskConfirmed {
            desk_code: "A1".into(),
            role: "window".into(),
            role_label: "窗口受理台".into(),
            scope_label: "仅本受理台收件的办件".into(),
            confirmed_at: Utc::now(),
        };
        store.record_desk_confirmed(FENGTAI, &confirmed).unwrap();
        let mut others = partner_intake(1);
        if let EventBody::Received { intake } = &mut others.body {
            intake.number = CaseNumber::parse("411329-20260302-A2-0001").unwrap();
        }
        let decision = crate::setaside::tests::s1(others.case_id, EventBody::Accepted);
        let applied = store
            .apply_pulled(FENGTAI, &[Pulled::unsealed(1, others), Pulled::unsealed(2, decision)], 2, Utc::now())
            .unwrap();
        assert_eq!((applied.new, applied.out_of_scope, applied.quarantined), (0, 2, 0));
        assert_eq!(store.case_count().unwrap(), 0);
        assert!(store.quarantined().unwrap().is_empty());
        assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, 2);
    }

    #[test]
    fn a_supervisor_holds_what_its_region_received_and_nothing_of_another_region() {
        let (_d, mut store) = window();
        let confirmed = DeskConfirmed {
            desk_code: "A1".into(),
            role: "supervisor".into(),
            role_label: "督查（只读）".into(),
            scope_label: "本地区的全部办件（只读）".into(),
            confirmed_at: Utc::now(),
        };
        store.record_desk_confirmed(FENGTAI, &confirmed).unwrap();
        // Another 新野县 desk's intake: the supervisor's region received it.
        let mut ours = partner_intake(1);
        if let EventBody::Received { intake } = &mut ours.body {
            intake.number = CaseNumber::parse("411329-20260302-A2-0001").unwrap();
        }
        // Another region's: not this supervisor's, whatever the hub says.
        let mut theirs = partner_intake(2);
        if let EventBody::Received { intake } = &mut theirs.body {
            intake.number = CaseNumber::parse("310101-20260302-A1-0002").unwrap();
            intake.receiving_region = "310101".into();
        }
        theirs.author.region = "310101".into();
        let applied = store
            .apply_pulled(FENGTAI, &[Pulled::unsealed(1, ours), Pulled::unsealed(2, theirs)], 2, Utc::now())
            .unwrap();
        assert_eq!((applied.new, applied.out_of_scope, applied.quarantined), (1, 1, 0));
        assert_eq!(store.case_count().unwrap(), 1);
    }
}
