//! Events kept for the audit but left out of a case's status.
//!
//! Two ways an event made here is set aside:
//! - **已被取代** (superseded): two back-office desks decided the same case offline, and the hub
//!   admitted the other desk's decision first. The first decision the hub admits wins; this desk's
//!   loses, stays in the case's history with the hub's explanation, and leaves the outbox (nothing
//!   stays 待同步). The winning history comes with the next pull.
//! - **已放弃** (discarded): an admin gives up an event a hub refused, with a reason recorded.
//!
//! Either way the local events of the case made after it that no hub holds yet go with it (they
//! were made on top of it), the case is folded again without them, and the events a hub sent that
//! were waiting in the quarantine for this case are tried again. A quarantined event a hub sent
//! can be discarded too; it was never applied, and is kept with the reason in `discarded`.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use tongban_core::case::{CaseId, CaseState, CaseStatus, EventBody};
use tongban_core::workdays::WorkCalendar;
use uuid::Uuid;

use crate::desk::parse_time;
use crate::{cases, Result, Store, StoreError};

/// Step 7, with [`crate::identity::SCHEMA_V7`].
pub(crate) const SCHEMA_V7: &str = "
ALTER TABLE events ADD COLUMN set_aside TEXT;         -- NULL, or superseded / discarded
ALTER TABLE events ADD COLUMN set_aside_reason TEXT;  -- Chinese: the hub's word, or the admin's reason
ALTER TABLE events ADD COLUMN set_aside_at TEXT;
ALTER TABLE events ADD COLUMN set_aside_by TEXT;      -- the admin's login, for a discard
CREATE TABLE discarded (                              -- quarantined events an admin gave up, and why
    event_id       TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL,
    direction      TEXT NOT NULL,
    hub_region     TEXT NOT NULL,
    code           TEXT NOT NULL,
    message        TEXT NOT NULL,
    event          TEXT NOT NULL,
    hub_seq        INTEGER,
    quarantined_at TEXT NOT NULL,
    reason         TEXT NOT NULL,
    by_user        TEXT NOT NULL,
    at             TEXT NOT NULL
);
";

/// Why an event is left out of its case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SetAsideKind {
    /// 已被取代: another desk's decision was admitted by the hub first.
    Superseded,
    /// 已放弃: an admin gave it up.
    Discarded,
}

impl SetAsideKind {
    fn as_str(self) -> &'static str {
        match self {
            SetAsideKind::Superseded => "superseded",
            SetAsideKind::Discarded => "discarded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SetAsideKind::Superseded => "已被取代",
            SetAsideKind::Discarded => "已放弃",
        }
    }
}

/// An event set aside, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetAside {
    pub kind: SetAsideKind,
    /// In Chinese: the hub's explanation, or the admin's reason.
    pub reason: String,
    pub at: DateTime<Utc>,
    /// The admin who discarded it.
    pub by: Option<String>,
}

/// The set-aside columns of an event row, read back.
pub(crate) fn read(
    (kind, reason, at): (Option<String>, Option<String>, Option<String>),
    by: Option<String>,
) -> Result<Option<SetAside>> {
    let Some(kind) = kind else { return Ok(None) };
    let kind = if kind == "discarded" { SetAsideKind::Discarded } else { SetAsideKind::Superseded };
    let at = match at {
        Some(at) => parse_time(&at)?,
        None => DateTime::<Utc>::MIN_UTC,
    };
    Ok(Some(SetAside { kind, reason: reason.unwrap_or_default(), at, by }))
}

/// Sets aside the event `id` made here and the later events of its case that no hub holds yet,
/// folds the case again without them and tries the events the hub sent that waited for this.
/// Returns how many events were set aside (0 if it already was).
pub(crate) fn set_aside_in(
    tx: &Transaction<'_>,
    id: Uuid,
    kind: SetAsideKind,
    reason: &str,
    by: Option<&str>,
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> Result<usize> {
    let row: Option<(i64, String, String)> = tx
        .query_row("SELECT seq, case_id, kind FROM events WHERE id = ?1 AND local = 1", [id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((seq, case_id, event_kind)) = row else { return Ok(0) };
    if event_kind == "received" {
        return Err(StoreError::NotDiscardable(
            "收件事件不能放弃：办件会因此消失。请按原因更正（如更正编号）后重新提交".into(),
        ));
    }
    let at = now.to_rfc3339();
    let mut changed = tx.execute(
        "UPDATE events SET set_aside = ?2, set_aside_reason = ?3, set_aside_at = ?4, set_aside_by = ?5, outbox = 0
         WHERE id = ?1 AND set_aside IS NULL",
        params![id.to_string(), kind.as_str(), reason, at, by],
    )?;
    if changed == 0 {
        return Ok(0);
    }
    let follower_reason = format!("所依据的事件{}：{reason}", kind.label());
    changed += tx.execute(
        "UPDATE events SET set_aside = ?3, set_aside_reason = ?4, set_aside_at = ?5, set_aside_by = ?6, outbox = 0
         WHERE case_id = ?1 AND seq > ?2 AND local = 1 AND outbox = 1 AND set_aside IS NULL",
        params![case_id, seq, kind.as_str(), follower_reason, at, by],
    )?;
    // What was set aside no longer waits in the quarantine to go out.
    tx.execute(
        "DELETE FROM quarantine WHERE direction = 'outgoing' AND event_id IN
            (SELECT id FROM events WHERE case_id = ?1 AND set_aside IS NOT NULL)",
        [&case_id],
    )?;
    let case = CaseId(case_id.parse().map_err(|_| StoreError::UnknownCase(case_id.clone()))?);
    refold(tx, case, now, calendar)?;
    crate::sync::retry_incoming(tx, case, calendar)?;
    Ok(changed)
}

/// Rewrites the projection of `case` from its events that are not set aside, in their order.
/// The intake is projected under the case's final number (a 更正编号 that followed it already
/// counted), so no number is held twice on the way. An event a hub sent that fitted only on top
/// of what was set aside goes back to the quarantine, to be tried again in the hub's order.
pub(crate) fn refold(tx: &Transaction<'_>, case: CaseId, now: DateTime<Utc>, calendar: &WorkCalendar) -> Result<()> {
    let mut status: Option<CaseStatus> = None;
    let mut kept = Vec::new();
    for stored in crate::events::events_in(tx, case)?.into_iter().filter(|e| e.set_aside.is_none()) {
        match CaseStatus::apply(status, &stored.event.body) {
            Ok(next) => {
                status = Some(next);
                kept.push((stored, next));
            }
            Err(e) if !stored.local => {
                let hub_region: String =
                    tx.query_row("SELECT handling_region FROM cases WHERE id = ?1", [case.to_string()], |r| r.get(0))?;
                tx.execute("DELETE FROM events WHERE id = ?1", [stored.event.id.to_string()])?;
                let why = format!("{e}（本机的决定被取代或放弃后重新核对）");
                // With its seal, so taking it again later checks it as when it was pulled.
                let held = crate::sync::Held {
                    region: &hub_region,
                    seq: None,
                    signature: stored.seal.as_ref().map(|s| s.signature.as_str()),
                };
                crate::sync::quarantine(
                    tx,
                    &stored.event,
                    crate::Direction::Incoming,
                    &held,
                    "invalid_transition",
                    &why,
                    now,
                )?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let state = CaseState::fold(kept.iter().map(|(e, _)| &e.event.body))?;
    // The prints of the case point at its row: checked at commit, when the row is back.
    tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
    tx.execute("DELETE FROM materials WHERE case_id = ?1", [case.to_string()])?;
    tx.execute("DELETE FROM cases WHERE id = ?1", [case.to_string()])?;
    for (stored, next) in &kept {
        let mut event = stored.event.clone();
        if let EventBody::Received { intake } = &mut event.body {
            intake.number = state.intake.number.clone();
        }
        cases::project(tx, &event, *next, stored.seq, calendar)?;
        if matches!(event.body, EventBody::Received { .. }) {
            crate::identity::project_identity(tx, &event, None)?;
        }
    }
    Ok(())
}

impl Store {
    /// An admin gives up a quarantined event, with `reason` (recorded with `admin` and the time).
    /// An event made here is set aside (kept in the case's history, out of its status), with the
    /// later events of its case no hub holds yet; one a hub sent is kept only in `discarded`.
    /// An intake cannot be given up: the case would vanish.
    pub fn discard_quarantined(&mut self, event_id: Uuid, reason: &str, admin: &str, now: DateTime<Utc>) -> Result<()> {
        let user = self.user(admin)?;
        if user.role != "admin" {
            return Err(StoreError::AdminOnly(format!(
                "放弃隔离区中的事件须由管理员操作，「{}」是{}",
                user.display_name,
                crate::role_label(&user.role)
            )));
        }
        let reason = tongban_core::validate::required_text("reason", "放弃的原因", reason)?;
        let tx = crate::write(&mut self.conn)?;
        let moved = tx.execute(
            "INSERT INTO discarded (event_id, case_id, direction, hub_region, code, message, event, hub_seq,
                                    quarantined_at, reason, by_user, at)
             SELECT event_id, case_id, direction, hub_region, code, message, event, hub_seq, at, ?2, ?3, ?4
             FROM quarantine WHERE event_id = ?1",
            params![event_id.to_string(), reason, user.login, now.to_rfc3339()],
        )?;
        if moved == 0 {
            return Err(StoreError::NotQuarantined(event_id));
        }
        let direction: String =
            tx.query_row("SELECT direction FROM quarantine WHERE event_id = ?1", [event_id.to_string()], |r| r.get(0))?;
        tx.execute("DELETE FROM quarantine WHERE event_id = ?1", [event_id.to_string()])?;
        if direction == "outgoing" {
            set_aside_in(&tx, event_id, SetAsideKind::Discarded, &reason, Some(&user.login), now, &self.calendar)?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::events::tests::form;
    use crate::test_support::temp_store;
    use crate::{DeskSetup, HubSetup, Pulled, User, Verdict};
    use tongban_core::case::{Author, CaseEvent, CaseNumber, Intake};

    pub(crate) const FENGTAI: &str = "110106";
    pub(crate) const XINYE: &str = "411329";

    /// 丰台区's back-office desk S2 (user qianli, and admin wangfang), with its own region's hub.
    pub(crate) fn back_office() -> (tempfile::TempDir, Store) {
        let (dir, mut store) = temp_store();
        let first_user = User { login: "qianli".into(), display_name: "钱立".into(), role: "back_office".into() };
        let setup = DeskSetup {
            region: FENGTAI.into(),
            hall: "丰台区政务服务中心".into(),
            window_name: "后台".into(),
            desk_code: "S2".into(),
            first_user,
        };
        store.init_desk(&setup, Utc::now()).unwrap();
        let admin = User { login: "wangfang".into(), display_name: "王芳".into(), role: "admin".into() };
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

    /// 新野县 window A1's intake `n` for 丰台区, as its hub sends it.
    pub(crate) fn partner_intake(n: u32) -> CaseEvent {
        let received_on = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let number = CaseNumber::parse(&format!("{XINYE}-20260302-A1-{n:04}")).unwrap();
        let mut f = form(false);
        f.handling_region = FENGTAI.into();
        let intake = Intake { number, receiving_region: XINYE.into(), window: "1号窗".into(), received_on, form: f };
        CaseEvent {
            id: Uuid::now_v7(),
            case_id: CaseId(Uuid::now_v7()),
            at: Utc::now(),
            author: Author { user: "zhangmin".into(), desk: "w1".into(), region: XINYE.into(), name: "张敏".into() },
            body: EventBody::Received { intake },
        }
    }

    /// Back-office desk S1's event on `case`, as its hub sends it.
    pub(crate) fn s1(case: CaseId, body: EventBody) -> CaseEvent {
        let author =
            Author { user: "zhaomin".into(), desk: "s1".into(), region: FENGTAI.into(), name: "赵敏".into() };
        CaseEvent { id: Uuid::now_v7(), case_id: case, at: Utc::now(), author, body }
    }

    fn decide(store: &mut Store, case: CaseId, body: EventBody) -> CaseEvent {
        let event = CaseEvent {
            id: Uuid::now_v7(),
            case_id: case,
            at: Utc::now(),
            author: store.author("qianli").unwrap(),
            body,
        };
        store.append_local(&event).unwrap();
        event
    }

    #[test]
    fn a_decision_another_desk_made_first_is_set_aside_and_the_winner_then_fits() {
        let (_d, mut store) = back_office();
        let intake = partner_intake(1);
        let case = intake.case_id;
        store.apply_pulled(FENGTAI, &[Pulled::unsealed(1, intake)], 1, Utc::now()).unwrap();
        let mine = decide(&mut store, case, EventBody::Refused { reason: "材料不全".into() });
        let later = decide(&mut store, case, EventBody::Delivered { note: String::new() });
        // (a Delivered is the receiving side's; here it only stands for "made on top of it")
        let _ = later;
        assert_eq!(store.case_state(case).unwrap().status, CaseStatus::Delivered);
        let lost = "办件 … 已由北京市丰台区的赵敏于 … 作出「受理」".to_string();
        let settled = store
            .settle_push(FENGTAI, &[(mine.clone(), Verdict::Superseded { message: lost.clone() })], Utc::now())
            .unwrap();
        assert_eq!(settled.superseded, 2, "the decision and what was made on top of it");
        assert_eq!(store.outbox_len().unwrap(), 0, "nothing stays 待同步");
        assert_eq!(store.case_state(case).unwrap().status, CaseStatus::Received);
        let winner = s1(case, EventBody::Accepted);
        store.apply_pulled(FENGTAI, &[Pulled::unsealed(2, winner)], 2, Utc::now()).unwrap();
        assert_eq!(store.case_state(case).unwrap().status, CaseStatus::Accepted);
        assert_eq!(store.case_by_number(&format!("{XINYE}-20260302-A1-0001")).unwrap().status, CaseStatus::Accepted);
        let events = store.events_of(case).unwrap();
        let aside: Vec<_> = events.iter().filter_map(|e| e.set_aside.as_ref()).collect();
        assert_eq!(aside.len(), 2);
        assert_eq!((aside[0].kind, aside[0].reason.as_str()), (SetAsideKind::Superseded, lost.as_str()));
        assert!(aside[1].reason.starts_with("所依据的事件已被取代："), "{}", aside[1].reason);
        assert!(store.quarantined().unwrap().is_empty());
        // The approver hears of it: the winner arrived, in place of this desk's 不予受理.
        let news = store.decisions_arrived_after(0, 10).unwrap();
        assert_eq!(news.len(), 1);
        assert_eq!(news[0].superseded, Some(tongban_core::case::EventKind::Refused));
    }

    #[test]
    fn a_quarantined_decision_an_admin_discards_lets_the_hubs_history_in() {
        let (_d, mut store) = back_office();
        let intake = partner_intake(1);
        let case = intake.case_id;
        store.apply_pulled(FENGTAI, &[Pulled::unsealed(1, intake)], 1, Utc::now()).unwrap();
        let mine = decide(&mut store, case, EventBody::Accepted);
        // Refused by an older hub (no `superseded` yet), and S1's history arrives and does not fit.
        let rejected = Verdict::Rejected {
            code: "invalid_transition".into(),
            message: "办件状态为「不予受理」".into(),
        };
        store.settle_push(FENGTAI, &[(mine.clone(), rejected)], Utc::now()).unwrap();
        let refused = s1(case, EventBody::Refused { reason: "不属于本地管辖".into() });
        store.apply_pulled(FENGTAI, &[Pulled::unsealed(2, refused)], 2, Utc::now()).unwrap();
        assert_eq!(store.quarantined().unwrap().len(), 2);

        let err = store.discard_quarantined(mine.id, "以赵敏的决定为准", "qianli", Utc::now()).unwrap_err();
        assert_eq!(err.code(), "admin_only");
        let err = store.discard_quarantined(mine.id, " ", "wangfang", Utc::now()).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        store.discard_quarantined(mine.id, "以赵敏的决定为准", "wangfang", Utc::now()).unwrap();
        assert!(store.quarantined().unwrap().is_empty(), "the hub's event fits now and is applied");
        assert_eq!(store.case_state(case).unwrap().status, CaseStatus::Refused);
        let aside = store.events_of(case).unwrap().into_iter().find(|e| e.event.id == mine.id).unwrap().set_aside;
        let aside = aside.unwrap();
        assert_eq!((aside.kind, aside.by.as_deref()), (SetAsideKind::Discarded, Some("wangfang")));
        let (reason, by): (String, String) = store
            .conn
            .query_row("SELECT reason, by_user FROM discarded WHERE event_id = ?1", [mine.id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((reason.as_str(), by.as_str()), ("以赵敏的决定为准", "wangfang"));
        assert_eq!(
            store.discard_quarantined(mine.id, "x", "wangfang", Utc::now()).unwrap_err().code(),
            "not_quarantined"
        );
    }

    #[test]
    fn an_intake_cannot_be_given_up_and_one_a_hub_sent_is_kept_aside_with_the_reason() {
        let (_d, mut store) = back_office();
        let mut bad = partner_intake(1);
        if let EventBody::Received { intake } = &mut bad.body {
            if let tongban_core::applicant::Applicant::Person(p) = &mut intake.form.applicant {
                p.id_number = "123".into();
            }
        }
        store.apply_pulled(FENGTAI, &[Pulled::unsealed(1, bad.clone())], 1, Utc::now()).unwrap();
        let held = store.quarantined().unwrap();
        assert_eq!((held[0].code.as_str(), held[0].direction), ("invalid_intake", crate::Direction::Incoming));
        assert!(held[0].message.starts_with("收件信息不符合要求：申请人证件号码："), "{}", held[0].message);
        store.discard_quarantined(bad.id, "证件号码无效，已请受理地重新收件", "wangfang", Utc::now()).unwrap();
        assert!(store.quarantined().unwrap().is_empty());
        assert_eq!(store.case_count().unwrap(), 0);

        // A window's own intake the hub refused stays: it cannot be given up.
        let (_d, mut window) = temp_store();
        crate::events::tests::setup(&mut window);
        window.user("zhang").unwrap();
        let admin = User { login: "admin".into(), display_name: "王芳".into(), role: "admin".into() };
        window.add_user(&admin, None, Utc::now()).unwrap();
        let mut f = form(false);
        f.handling_region = FENGTAI.into();
        let (case, _) = window.create_case(&f, "zhang", Utc::now()).unwrap();
        let intake = window.outbox(1).unwrap().remove(0).event;
        let verdict = Verdict::Rejected { code: "invalid_intake".into(), message: "…".into() };
        window.settle_push(FENGTAI, &[(intake.clone(), verdict)], Utc::now()).unwrap();
        let err = window.discard_quarantined(intake.id, "x", "admin", Utc::now()).unwrap_err();
        assert_eq!(err.code(), "not_discardable");
        assert_eq!(window.quarantined().unwrap().len(), 1);
        assert!(window.case_state(case).is_ok());
    }
}
