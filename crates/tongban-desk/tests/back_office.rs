#![cfg(unix)]

//! 收办分离 between two real desk databases, the hub's part played by handing each side's
//! outbox to the other as a pulled page: 新野县's window takes a case in for 丰台区; 丰台区's back
//! office finds it in its inbox, is offered only what the status allows, decides 需补正 (a field
//! left out is named and changes nothing); back at 新野县 the decision is news since a cursor
//! (one notification's text), the 一次性告知书 lists what was asked and the case becomes 补正中.
//! An event that does not fit is held in the quarantine with what to do.

use std::path::{Path, PathBuf};

use chrono::Utc;
use tongban_core::case::{CaseStatus, EventKind, IntakeForm};
use tongban_desk::demo::sample_form;
use tongban_desk::{AfterPrint, DecisionDraft, Desk, FormKind, InboxQuery};
use tongban_store::{DeskSetup, HubSetup, Pulled, Store, User};

const XINYE: &str = "411329";
const FENGTAI: &str = "110106";

const PASSWORD: &str = "测试密码2026";

/// Who logs in to each of the two desks.
fn login(path: &Path) -> &'static str {
    if path.ends_with("fengtai.db") {
        "zhaomin"
    } else {
        "zhangmin"
    }
}

fn store(path: &Path) -> Store {
    Store::unlock(path, login(path), PASSWORD, Utc::now()).unwrap()
}

fn desk(path: &Path) -> Desk {
    Desk::open_as(path, login(path), PASSWORD).unwrap()
}

fn desk_db(path: &Path, region: &str, code: &str, login: &str, role: &str) {
    let setup = DeskSetup {
        region: region.into(),
        hall: "政务服务中心".into(),
        window_name: "跨省通办窗口".into(),
        desk_code: code.into(),
        first_user: User { login: login.into(), display_name: "赵敏".into(), role: role.into() },
    };
    let mut store = tongban_desk::create_desk(path, &setup, PASSWORD, &[]).unwrap();
    let hub = HubSetup {
        region: FENGTAI.into(),
        name: "北京市丰台区".into(),
        url: "http://127.0.0.1:9".into(),
        credential: "token".into(),
    };
    store.add_hub(&hub, Utc::now()).unwrap();
}

/// What `from` has for 丰台区's hub arrives at `to` as the hub's next page.
fn carry(from: &Path, to: &Path, seq: &mut u64) {
    let from = store(from);
    let mut to = store(to);
    let page: Vec<_> = from
        .outbox_for_hub(FENGTAI, 100)
        .unwrap()
        .into_iter()
        .map(|e| {
            *seq += 1;
            Pulled::unsealed(*seq, e.event)
        })
        .collect();
    to.apply_pulled(FENGTAI, &page, *seq, Utc::now()).unwrap();
}

fn pdf_text(path: &str) -> String {
    let out = std::process::Command::new("pdftotext").args(["-raw", "-enc", "UTF-8", path, "-"]).output().unwrap();
    assert!(out.status.success(), "pdftotext {path}");
    String::from_utf8(out.stdout).unwrap()
}

/// 新野县's window desk and 丰台区's back-office desk, and the number of a case the window took in
/// for 丰台区 (form `i` of the demo, complete), not yet sent.
fn two_desks(dir: &Path, i: usize) -> (PathBuf, PathBuf, IntakeForm, String) {
    let (window_db, office_db) = (dir.join("xinye.db"), dir.join("fengtai.db"));
    desk_db(&window_db, XINYE, "A1", "zhangmin", "clerk");
    desk_db(&office_db, FENGTAI, "S1", "zhaomin", "back_office");
    let mut form = sample_form(i);
    form.handling_region = FENGTAI.into();
    form.materials.iter_mut().for_each(|m| m.received = true);
    let (_, number) = store(&window_db).create_case(&form, "zhangmin", Utc::now()).unwrap();
    (window_db, office_db, form, number.to_string())
}

fn awaiting() -> InboxQuery {
    InboxQuery { awaiting: true, page: 1, page_size: 50, ..InboxQuery::default() }
}

#[test]
fn a_partner_case_is_decided_in_the_back_office_and_the_decision_reaches_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let (window_db, office_db, form, number) = two_desks(dir.path(), 0);
    // A case 丰台区's own window took in is not the back office's inbox.
    let mut own = sample_form(1);
    own.handling_region = FENGTAI.into();
    store(&office_db).create_case(&own, "zhaomin", Utc::now()).unwrap();
    let mut hub_seq = 0;
    carry(&window_db, &office_db, &mut hub_seq);

    let window = desk(&window_db);
    let news_from = window.decisions_since(None).unwrap();
    assert!(news_from.decisions.is_empty() && news_from.title.is_empty());

    let office = desk(&office_db);
    let inbox = office.inbox(&awaiting()).unwrap();
    assert_eq!((inbox.total, inbox.awaiting), (1, 1));
    let row = &inbox.rows[0];
    assert_eq!((row.case.number.as_str(), row.case.status), (number.as_str(), CaseStatus::Received));
    assert_eq!((row.receiving_region.as_str(), row.awaiting_decision), (XINYE, true));
    assert!(row.receiving_region_name.ends_with("新野县"), "{}", row.receiving_region_name);
    assert_eq!(row.case.applicant_name, form.applicant.name());
    let by_name = InboxQuery { text: Some(form.applicant.name().into()), ..awaiting() };
    assert_eq!(office.inbox(&by_name).unwrap().total, 1);
    let nobody = InboxQuery { text: Some("欧阳不存在".into()), ..awaiting() };
    assert_eq!(office.inbox(&nobody).unwrap().total, 0);
    let accepted = InboxQuery { status: Some(CaseStatus::Accepted), awaiting: false, ..awaiting() };
    assert_eq!(office.inbox(&accepted).unwrap().total, 0);

    let choices = office.decision_choices(&number).unwrap();
    let offered: Vec<(EventKind, &str)> = choices.options.iter().map(|o| (o.kind, o.label.as_str())).collect();
    assert_eq!(
        offered,
        [(EventKind::Accepted, "已受理"), (EventKind::Refused, "不予受理"), (EventKind::SupplementRequested, "需补正")]
    );
    assert_eq!(choices.materials, form.materials.iter().map(|m| m.name.clone()).collect::<Vec<_>>());

    // Fields left out are named, in Chinese, and nothing is recorded.
    let ask = |materials: Vec<String>, other: &str| DecisionDraft {
        kind: Some(EventKind::SupplementRequested),
        materials,
        other: other.into(),
        ..DecisionDraft::default()
    };
    let err = office.record_decision(&number, &ask(vec![], " \n ")).unwrap_err();
    assert_eq!((err.code.as_str(), err.field.as_deref()), ("invalid_input", Some("materials")));
    assert_eq!(err.message, "需补正须列出申请人还须提交的材料");
    let refuse = DecisionDraft { kind: Some(EventKind::Refused), reason: "  ".into(), ..DecisionDraft::default() };
    assert_eq!(office.record_decision(&number, &refuse).unwrap_err().field.as_deref(), Some("reason"));
    let none = office.record_decision(&number, &DecisionDraft::default()).unwrap_err();
    assert_eq!((none.field.as_deref(), none.message.as_str()), (Some("kind"), "请选择办理决定"));
    let mail =
        DecisionDraft { kind: Some(EventKind::ResultMailed), waybill: "11-78".into(), ..DecisionDraft::default() };
    let err = office.record_decision(&number, &mail).unwrap_err();
    assert_eq!(
        (err.field.as_deref(), err.message.as_str()),
        (Some("waybill"), "运单号中的「-」无效，运单号只含字母和数字")
    );
    let mail = DecisionDraft { waybill: "1178".into(), ..mail };
    let err = office.record_decision(&number, &mail).unwrap_err();
    assert_eq!(
        (err.code.as_str(), err.message.as_str()),
        ("invalid_transition", "办件状态为「已收件」，不能「寄出结果」")
    );
    assert_eq!(office.inbox(&awaiting()).unwrap().rows[0].case.status, CaseStatus::Received);

    let first = choices.materials[0].clone();
    let decided =
        office.record_decision(&number, &ask(vec![first.clone()], "户籍所在地派出所出具的户籍证明\n")).unwrap();
    assert_eq!((decided.status, decided.status_label.as_str()), (CaseStatus::SupplementRequested, "需补正"));
    assert!(office.decision_choices(&number).unwrap().options.is_empty(), "the window side moves next");
    assert_eq!(office.inbox(&awaiting()).unwrap().awaiting, 0);

    carry(&office_db, &window_db, &mut hub_seq);
    let news = window.decisions_since(Some(news_from.cursor)).unwrap();
    let [arrived] = news.decisions.as_slice() else { panic!("{news:?}") };
    assert_eq!((arrived.number.as_str(), arrived.label.as_str()), (number.as_str(), "需补正"));
    assert_eq!(arrived.detail, format!("需补正：{first}、户籍所在地派出所出具的户籍证明"));
    assert_eq!(news.title, "收到 1 项办理地决定");
    assert!(news.body.contains(&number) && news.body.contains("需补正"), "{}", news.body);
    assert!(window.decisions_since(Some(news.cursor)).unwrap().decisions.is_empty(), "reported once");

    // The 一次性告知书 lists what 丰台区 asked for; printing it tells the applicant: 补正中.
    let printed = window.print_case_form(FormKind::Notice, &number, AfterPrint::Save).unwrap();
    let text = pdf_text(&printed.path);
    assert!(text.contains("户籍所在地派出所出具的户籍证明") && text.contains("需补正"), "{text}");
    let status = |desk: &Desk| desk.list_cases(&Default::default()).unwrap().rows[0].status;
    assert_eq!(status(&window), CaseStatus::Supplementing);
    let again = window.print_case_form(FormKind::Notice, &number, AfterPrint::Save).unwrap();
    assert!(again.reprint);
    assert_eq!(status(&window), CaseStatus::Supplementing);
}

#[test]
fn an_event_that_does_not_fit_waits_in_the_quarantine_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let (window_db, office_db, _, number) = two_desks(dir.path(), 2);
    let mut hub_seq = 0;
    carry(&window_db, &office_db, &mut hub_seq);
    let office = desk(&office_db);
    let accept = DecisionDraft { kind: Some(EventKind::Accepted), ..DecisionDraft::default() };
    office.record_decision(&number, &accept).unwrap();
    let conclude = DecisionDraft { kind: Some(EventKind::Concluded), ..DecisionDraft::default() };
    assert_eq!(office.record_decision(&number, &conclude).unwrap_err().field.as_deref(), Some("approved"));
    let conclude = DecisionDraft { approved: Some(true), note: "准予".into(), ..conclude };
    office.record_decision(&number, &conclude).unwrap();
    // The window misses 受理 (its page is lost) and gets 办结 alone: it does not fit there.
    let outbox = store(&office_db).outbox_for_hub(FENGTAI, 10).unwrap();
    let concluded = outbox[1].event.clone();
    store(&window_db).apply_pulled(FENGTAI, &[Pulled::unsealed(9, concluded.clone())], 9, Utc::now()).unwrap();

    let window = desk(&window_db);
    let [held] = window.quarantine().unwrap().try_into().unwrap_or_else(|q| panic!("{q:?}"));
    assert_eq!(held.number.as_deref(), Some(number.as_str()));
    assert_eq!((held.event_label.as_str(), held.direction_label.as_str(), held.outgoing), ("办结", "无法接收", false));
    assert_eq!((held.hub_name.as_str(), held.code.as_str()), ("北京市丰台区", "invalid_transition"));
    assert_eq!(held.message, "办件状态为「已收件」，不能「办结」");
    assert!(held.advice.contains("先同步"), "{}", held.advice);

    let err = window.resubmit_quarantined(&held.event_id).unwrap_err();
    assert_eq!(err.code, "invalid_transition");
    assert!(err.message.starts_with("仍无法接收："), "{}", err.message);
    assert_eq!(window.quarantine().unwrap().len(), 1, "still held");
    assert_eq!(window.resubmit_quarantined("not-an-id").unwrap_err().code, "invalid_input");

    // Once 受理 arrived, 重新提交 applies it and the notification counts it.
    let cursor = window.decisions_since(None).unwrap().cursor;
    store(&window_db).apply_pulled(FENGTAI, &[Pulled::unsealed(10, outbox[0].event.clone())], 10, Utc::now()).unwrap();
    window.resubmit_quarantined(&held.event_id).unwrap();
    assert!(window.quarantine().unwrap().is_empty());
    let news = window.decisions_since(Some(cursor)).unwrap();
    let labels: Vec<&str> = news.decisions.iter().map(|d| d.label.as_str()).collect();
    assert_eq!(labels, ["已受理", "办结"]);
    assert_eq!(news.decisions[1].detail, "准予：准予");
    assert_eq!(news.title, "收到 2 项办理地决定");
}

#[test]
fn decisions_pulled_after_the_desk_opened_are_news_at_the_first_look_and_older_ones_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let (window_db, office_db, _, number) = two_desks(dir.path(), 0);
    let mut hub_seq = 0;
    carry(&window_db, &office_db, &mut hub_seq);
    let office = desk(&office_db);
    let accept = DecisionDraft { kind: Some(EventKind::Accepted), ..DecisionDraft::default() };
    office.record_decision(&number, &accept).unwrap();
    // 受理 reaches the window before it opens: the queue shows it, no notification does.
    carry(&office_db, &window_db, &mut hub_seq);
    let window = desk(&window_db);
    let first = window.decisions_since(None).unwrap();
    assert!(first.decisions.is_empty(), "{first:?}");

    // The next decision is pulled by the window's first round, before the shell first looks:
    // it is news.
    let next = office.decision_choices(&number).unwrap().options[0].clone();
    let draft = DecisionDraft {
        kind: Some(next.kind),
        approved: Some(true),
        other: "户籍证明".into(),
        ..DecisionDraft::default()
    };
    office.record_decision(&number, &draft).unwrap();
    carry(&office_db, &window_db, &mut hub_seq);
    let news = window.decisions_since(None).unwrap();
    let labels: Vec<&str> = news.decisions.iter().map(|d| d.label.as_str()).collect();
    assert_eq!(labels, [next.label.as_str()]);
    assert!(window.decisions_since(Some(news.cursor)).unwrap().decisions.is_empty(), "reported once");
}

/// A decision sealed by 丰台区's hub shows 「已验证」 in the window's case history, checked again
/// each time it is shown: a decision rewritten in the database afterwards (sqlite3 by someone
/// with the file) shows that its seal no longer holds.
#[test]
fn a_sealed_decision_shows_verified_and_one_changed_in_the_database_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let (window_db, office_db, _, number) = two_desks(dir.path(), 1);
    let mut hub_seq = 0;
    carry(&window_db, &office_db, &mut hub_seq);
    let office = desk(&office_db);
    let refuse =
        DecisionDraft {
            kind: Some(EventKind::Refused), reason: "不属于本地管辖".into(), ..DecisionDraft::default()
        };
    office.record_decision(&number, &refuse).unwrap();
    let decision = store(&office_db).outbox_for_hub(FENGTAI, 10).unwrap().remove(0).event;

    let hub = tongban_core::seal::HubSigner::from_seed(&[5; 32]);
    let mut store = store(&window_db);
    store.pin_hub_key(FENGTAI, &hub.public().to_hex(), Utc::now()).unwrap();
    let sealed = Pulled { seq: 7, signature: Some(hub.seal(FENGTAI, &decision)), event: decision.clone() };
    store.apply_pulled(FENGTAI, &[sealed], 7, Utc::now()).unwrap();
    drop(store);

    let window = desk(&window_db);
    let detail = window.case_detail(&number).unwrap();
    let refused = detail.history.iter().find(|h| h.what == "不予受理").expect("applied");
    let seal = refused.seal.as_ref().expect("sealed");
    assert!(seal.verified);
    assert_eq!(seal.text, "已验证：北京市丰台区通办中心签发");
    assert!(detail.history.iter().filter(|h| h.what == "收件").all(|h| h.seal.is_none()), "its own intake");

    // Someone with the file turns the reason around.
    let key = Store::unlock(&window_db, login(&window_db), PASSWORD, Utc::now()).unwrap().data_key().clone();
    let conn = rusqlite::Connection::open(&window_db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = {};", key.sqlcipher_key_pragma())).unwrap();
    let body: String =
        conn.query_row("SELECT body FROM events WHERE id = ?1", [decision.id.to_string()], |r| r.get(0)).unwrap();
    let changed = body.replace("不属于本地管辖", "申请人自愿撤回");
    assert_ne!(changed, body);
    conn.execute("UPDATE events SET body = ?2 WHERE id = ?1", (decision.id.to_string(), changed)).unwrap();
    let detail = window.case_detail(&number).unwrap();
    let seal = detail.history.iter().find(|h| h.what == "不予受理").unwrap().seal.clone().unwrap();
    assert!(!seal.verified);
    assert!(seal.text.starts_with("签名不符：本机记录与北京市丰台区通办中心签发的内容不同"), "{}", seal.text);
}

#[test]
fn a_deferred_material_follows_an_accepted_case_and_the_back_office_sees_it_come() {
    let dir = tempfile::tempdir().unwrap();
    let (window_db, office_db) = (dir.path().join("xinye.db"), dir.path().join("fengtai.db"));
    desk_db(&window_db, XINYE, "A1", "zhangmin", "clerk");
    desk_db(&office_db, FENGTAI, "S1", "zhaomin", "back_office");
    // The second material may follow (容缺受理, 5 working days): the case is complete without it.
    let mut form = sample_form(0);
    form.handling_region = FENGTAI.into();
    form.materials.iter_mut().for_each(|m| m.received = true);
    form.materials[1].received = false;
    form.materials[1].deferral =
        Some(tongban_core::guide::Deferral { days: 5, unit: tongban_core::guide::DayUnit::WorkingDays });
    let owed_name = form.materials[1].name.clone();
    let (_, number) = store(&window_db).create_case(&form, "zhangmin", Utc::now()).unwrap();
    let number = number.to_string();
    let mut hub_seq = 0;
    carry(&window_db, &office_db, &mut hub_seq);

    let office = desk(&office_db);
    let seen = office.case_detail(&number).unwrap();
    assert_eq!(seen.status, CaseStatus::Received, "a 容缺 material does not hold the case back");
    assert!(seen.materials.iter().any(|m| m.name == owed_name && m.owed), "the back office sees what is owed");
    let accept = DecisionDraft { kind: Some(EventKind::Accepted), ..DecisionDraft::default() };
    assert_eq!(office.record_decision(&number, &accept).unwrap().status, CaseStatus::Accepted);
    carry(&office_db, &window_db, &mut hub_seq);

    let window = desk(&window_db);
    let before = window.case_detail(&number).unwrap();
    assert_eq!(before.status, CaseStatus::Accepted);
    assert!(before.owed_due.is_some());
    let position = before.materials.iter().position(|m| m.name == owed_name).unwrap() as u32;
    let tick = tongban_desk::MaterialTick { position, received: true, original_verified: true, scans: Vec::new() };
    let done = window
        .complete_case(&number, &tongban_desk::Completion { materials: vec![tick], then: Some(AfterPrint::Save) })
        .unwrap();
    assert_eq!(done.status, CaseStatus::Accepted, "brought later, the case goes on as the partner left it");
    carry(&window_db, &office_db, &mut hub_seq);

    let after = office.case_detail(&number).unwrap();
    assert_eq!(after.status, CaseStatus::Accepted);
    assert_eq!(after.owed_due, None);
    assert!(after.materials.iter().all(|m| m.received), "{:?}", after.materials);
    assert!(after.history.iter().any(|h| h.what == "补交容缺材料"), "{:?}", after.history);
}
