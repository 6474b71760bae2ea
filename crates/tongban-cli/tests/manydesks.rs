//! Many desks, one region (issue 13), as a region lives it: one 丰台区 hub and five desks as real
//! processes on loopback — two windows of 新野县, a helper's laptop, two 丰台区 approvers — and the
//! desks that must not be: a second desk set up with window 1's code and a copy of its token, and
//! one set up with window 1's code under window 2's token.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::Utc;
use common::{ok, stderr, stdout};
use tongban_core::case::{CaseEvent, CaseStatus, EventBody};
use tongban_store::{CaseFilter, Store};
use tongban_sync::client::HubClient;
use tongban_sync::SyncSettings;
use tongban_tests::hub::{hub_admin, hub_binary, issue_credential, HubProcess, FENGTAI, XINYE};
use tongban_tests::{free_port, pdf_text};
use tongban_wire::desks::DeskClaim;
use tongban_wire::events::PushOutcome;
use tongban_wire::ErrorCode;

/// Who works at each desk of the story (by its file's name); each command logs in as them.
fn login_of(db: &Path) -> &'static str {
    match db.file_stem().and_then(|s| s.to_str()) {
        Some("w1") => "zhangmin",
        Some("w2") => "lihua",
        Some("helper") => "chenjing",
        Some("s1") => "zhaomin",
        Some("s2") => "qianli",
        Some("rogue") => "zhaogang",
        Some("squatter") => "wangwu",
        other => panic!("no user for {other:?}"),
    }
}

/// `tongban` on `db`, logged in as the desk's user.
fn tongban(db: &Path, args: &[&str]) -> std::process::Output {
    common::tongban_as(db, login_of(db), args)
}

/// The desk's database, opened as its user logs in.
fn open(db: &Path) -> Store {
    Store::unlock(db, login_of(db), common::PASSWORD, Utc::now()).unwrap()
}

/// Sets a desk up: `tongban init` with its admin, then the desk's user (`user add`).
fn init(db: &Path, region: &str, code: &str, (login, name, role): (&str, &str, &str)) {
    let window = format!("{code}号窗口");
    ok(common::tongban_admin(
        db,
        &[
            "init",
            "--region",
            region,
            "--hall",
            "政务服务中心",
            "--window",
            &window,
            "--desk-code",
            code,
            "--login",
            "admin",
            "--name",
            "管理员",
        ],
    ));
    let input = format!("{0}\n{0}\n", common::PASSWORD);
    ok(common::tongban_with_input(db, "admin", &["user", "add", login, "--name", name, "--role", role], &input));
}

fn partner_add(db: &Path, url: &str, token: &str) -> String {
    ok(common::tongban_admin(
        db,
        &["partner", "add", "--region", FENGTAI, "--name", "北京市丰台区", "--hub", url, "--credential", token],
    ))
}

/// Takes the demo's `i`-th sample case in for 丰台区; its 办件编号.
fn take_in(db: &Path, i: usize) -> String {
    let file = db.with_extension(format!("case{i}.json"));
    let mut form = tongban_desk::demo::sample_form(i);
    form.handling_region = FENGTAI.into();
    form.materials.iter_mut().for_each(|m| m.received = true);
    std::fs::write(&file, serde_json::to_string(&form).unwrap()).unwrap();
    ok(tongban(db, &["case", "new", "--json", file.to_str().unwrap()]))
}

/// `tongban sync --once` that must succeed: its report.
fn sync(db: &Path) -> String {
    ok(tongban(db, &["sync", "--once"]))
}

/// `tongban sync --once` that must fail: what it printed, both streams.
fn sync_refused(db: &Path) -> String {
    let out = tongban(db, &["sync", "--once"]);
    assert!(!out.status.success(), "{}", stdout(&out));
    format!("{}\n{}", stdout(&out), stderr(&out))
}

/// Every 办件编号 the desk's database holds, sorted.
fn numbers(db: &Path) -> Vec<String> {
    let store = open(db);
    let mut all: Vec<String> =
        store.list_cases(&CaseFilter::default(), 1, 1000).unwrap().rows.into_iter().map(|c| c.number).collect();
    all.sort();
    all
}

fn status_of(db: &Path, number: &str) -> CaseStatus {
    open(db).case_by_number(number).unwrap().status
}

/// (cases, events, distinct event ids, distinct numbers) straight from the hub's database.
fn hub_counts(db: &Path) -> (u64, u64, u64, u64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, u64>(0)).unwrap();
    (
        one("SELECT count(*) FROM cases"),
        one("SELECT count(*) FROM events"),
        one("SELECT count(DISTINCT id) FROM events"),
        one("SELECT count(DISTINCT number) FROM cases"),
    )
}

/// Today in Beijing, as the ledger takes it.
fn today() -> String {
    Utc::now().with_timezone(&tongban_core::time::china_time()).format("%Y-%m-%d").to_string()
}

#[test]
fn five_desks_one_hub_each_its_scope_numbers_nobody_takes_and_the_first_decision_wins() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| -> PathBuf { dir.path().join(name) };
    let hub_db = at("hub.db");
    hub_admin(&["init", "--db", hub_db.to_str().unwrap(), "--region", FENGTAI]);

    // 丰台区's admin issues one credential per desk. A second live credential for 新野县's A1 is
    // refused at set-up.
    let w1_token = issue_credential(&hub_db, "window", Some(XINYE), "A1", "新野县1号窗");
    let twice = Command::new(hub_binary())
        .args(["credential", "issue", "--db", hub_db.to_str().unwrap(), "--role", "window", "--region", XINYE])
        .args(["--desk-code", "A1", "--desk", "新野县2号窗"])
        .output()
        .unwrap();
    assert!(!twice.status.success());
    assert!(
        String::from_utf8_lossy(&twice.stderr)
            .contains("地区 411329（河南省南阳市新野县） 的窗口代码 A1 已有有效凭据 #1"),
        "{}",
        String::from_utf8_lossy(&twice.stderr)
    );
    let w2_token = issue_credential(&hub_db, "window", Some(XINYE), "A2", "新野县2号窗");
    let helper_token = issue_credential(&hub_db, "helper", Some(XINYE), "H1", "新野县帮办员陈静");
    let s1_token = issue_credential(&hub_db, "back_office", None, "S1", "丰台区审批局1");
    let s2_token = issue_credential(&hub_db, "back_office", None, "S2", "丰台区审批局2");
    let hub = HubProcess::start(&hub_db, free_port());
    let url = hub.url();

    let (w1, w2, helper, s1, s2) = (at("w1.db"), at("w2.db"), at("helper.db"), at("s1.db"), at("s2.db"));
    init(&w1, XINYE, "A1", ("zhangmin", "张敏", "clerk"));
    init(&w2, XINYE, "A2", ("lihua", "李华", "clerk"));
    init(&helper, XINYE, "H1", ("chenjing", "陈静", "helper"));
    init(&s1, FENGTAI, "S1", ("zhaomin", "赵敏", "back_office"));
    init(&s2, FENGTAI, "S2", ("qianli", "钱立", "back_office"));
    for (db, token) in
        [(&w1, &w1_token), (&w2, &w2_token), (&helper, &helper_token), (&s1, &s1_token), (&s2, &s2_token)]
    {
        partner_add(db, &url, token);
    }

    // The windows and the helper take cases in and sync.
    let w1_cases: Vec<String> = (0..3).map(|i| take_in(&w1, i)).collect();
    let w2_cases: Vec<String> = (0..2).map(|i| take_in(&w2, i)).collect();
    let helper_cases: Vec<String> = (0..2).map(|i| take_in(&helper, i)).collect();
    assert!(w1_cases[0].ends_with("-A1-0001") && w2_cases[0].ends_with("-A2-0001"), "{w1_cases:?} {w2_cases:?}");
    for db in [&w1, &w2, &helper] {
        assert!(sync(db).starts_with("北京市丰台区（110106）：推送"), "every desk confirms and pushes");
    }
    let desk_shown = ok(tongban(&w1, &["desk", "show"]));
    assert!(
        desk_shown.contains("北京市丰台区（110106）：窗口受理台，窗口代码 A1，可见范围：仅本受理台收件的办件"),
        "{desk_shown}"
    );

    // A third desk set up with window 1's code and a copy of its token, offline: one case in.
    let rogue = at("rogue.db");
    init(&rogue, XINYE, "A1", ("zhaogang", "赵刚", "admin"));
    partner_add(&rogue, &url, &w1_token);
    let rogue_case = take_in(&rogue, 4);
    assert_eq!(rogue_case, w1_cases[0], "the same number as window 1's first case");
    let refused = sync_refused(&rogue);
    assert!(refused.contains("窗口代码 A1 已由另一台受理台于"), "{refused}");
    assert!(refused.contains("本机的办件都已保留，未同步的事件仍在本机"), "{refused}");
    let blocked = tongban(&rogue, &["case", "new", "--json", rogue.with_extension("case4.json").to_str().unwrap()]);
    assert!(!blocked.status.success());
    assert!(stderr(&blocked).starts_with("错误：不能收件：窗口代码 A1 已由另一台受理台于"), "{}", stderr(&blocked));
    assert_eq!(numbers(&rogue), std::slice::from_ref(&rogue_case), "the case taken in before stays");

    // A desk set up with window 1's code under window 2's token: its code is not the credential's.
    let squatter = at("squatter.db");
    init(&squatter, XINYE, "A1", ("wangwu", "王五", "clerk"));
    partner_add(&squatter, &url, &w2_token);
    take_in(&squatter, 0);
    let refused = sync_refused(&squatter);
    assert!(
        refused.contains("本受理台的窗口代码为 A1，而凭据是签发给新野县2号窗（411329，窗口代码 A2）的"),
        "{refused}"
    );
    // A partner system pushing with window 2's credential under window 1's next number.
    let w2_desk = open(&w2).require_desk().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let squat = runtime.block_on(async {
        let client = HubClient::new(&url, &w2_token, &SyncSettings::default()).unwrap();
        let claim = DeskClaim {
            desk_id: w2_desk.id.clone(),
            region: XINYE.into(),
            desk_code: "A2".into(),
            name: String::new(),
        };
        client.confirm_desk(&claim).await.unwrap();
        let mut event: CaseEvent = {
            let store = open(&w1);
            let id = store.case_by_number(&w1_cases[0]).unwrap().id;
            store.events_of(id).unwrap().remove(0).event
        };
        event.id = uuid::Uuid::now_v7();
        event.case_id = tongban_core::case::CaseId(uuid::Uuid::now_v7());
        event.author.desk = w2_desk.id.clone();
        if let EventBody::Received { intake } = &mut event.body {
            intake.number = tongban_core::case::CaseNumber::parse(&w1_cases[0].replace("-0001", "-0004")).unwrap();
        }
        client.push(&[event]).await.unwrap().remove(0)
    });
    assert!(matches!(squat, PushOutcome::Rejected { code: ErrorCode::NumberNotOwn, .. }), "{squat:?}");

    // The approvers pull their inbox: each desk holds exactly its scope.
    sync(&s1);
    sync(&s2);
    assert_eq!(numbers(&w1), w1_cases, "window 1: its own cases only");
    assert_eq!(numbers(&w2), w2_cases, "window 2: its own cases only");
    assert_eq!(numbers(&helper), helper_cases, "the helper's laptop: its own applicants only");
    let inbox: Vec<String> = [&w1_cases, &w2_cases, &helper_cases].into_iter().flatten().cloned().collect();
    let mut inbox_sorted = inbox.clone();
    inbox_sorted.sort();
    assert_eq!(numbers(&s1), inbox_sorted, "the back office: the region's inbox");
    assert_eq!(numbers(&s2), inbox_sorted);

    // Both approvers decide window 1's first case offline, differently; S2 also accepts another.
    let contested = &w1_cases[0];
    ok(tongban(&s1, &["case", "decide", contested, "受理"]));
    ok(tongban(&s2, &["case", "decide", contested, "不予受理", "--reason", "材料不全"]));
    ok(tongban(&s2, &["case", "decide", &w2_cases[0], "受理"]));
    sync(&s1);
    let lost = sync(&s2);
    assert!(lost.contains("1 个本机的决定已被取代"), "{lost}");
    assert_eq!(status_of(&s2, contested), CaseStatus::Accepted, "S2 converges on the hub's decision");
    let shown = ok(tongban(&s2, &["case", "show", contested]));
    assert!(shown.contains("不予受理：材料不全　钱立@110106（已被取代：办件"), "{shown}");
    assert!(shown.contains("受理　赵敏@110106"), "{shown}");
    assert!(!shown.contains("待同步"), "{shown}");
    assert!(ok(tongban(&s2, &["quarantine", "list"])).ends_with("共 0 个"));
    let s2_store = open(&s2);
    assert_eq!(s2_store.outbox_len().unwrap(), 0, "nothing stays 待同步");
    drop(s2_store);
    // The approver is told, by a notification naming who decided first.
    let news = tongban_desk::Desk::open_as(&s2, "qianli", common::PASSWORD).unwrap().decisions_since(Some(0)).unwrap();
    let told = news.decisions.iter().find(|d| &d.number == contested).expect("the winning decision is news");
    assert_eq!((told.superseded.as_deref(), told.by.as_str()), (Some("不予受理"), "赵敏"));
    assert_eq!(news.title, "1 项本机的决定未被采纳");
    assert!(news.body.contains("本机的「不予受理」未被采纳，以赵敏先作出的「已受理」为准"), "{}", news.body);

    // The windows get the one decision each of their cases had.
    sync(&s1);
    for db in [&w1, &w2] {
        sync(db);
    }
    assert_eq!(status_of(&w1, contested), CaseStatus::Accepted);
    assert_eq!(status_of(&w2, &w2_cases[0]), CaseStatus::Accepted);
    assert_eq!(status_of(&s1, &w2_cases[0]), CaseStatus::Accepted);
    let w1_store = open(&w1);
    let events = w1_store.events_of(w1_store.case_by_number(contested).unwrap().id).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.event.body.kind().label()).collect();
    assert_eq!(kinds, ["收件", "推送办理地", "受理"], "exactly once, and only the hub's decision");
    drop(w1_store);

    // People by name on the partner's side: the history and the 台账 say 张敏, not zhangmin.
    let shown = ok(tongban(&s1, &["case", "show", &w1_cases[1]]));
    assert!(shown.contains("收件　张敏@411329"), "{shown}");
    let ledger = at("s1-ledger.pdf");
    ok(tongban(&s1, &["ledger", "--date", &today(), "--out", ledger.to_str().unwrap()]));
    let text = pdf_text(&ledger);
    for name in ["张敏", "李华", "陈静"] {
        assert!(text.contains(name), "{name} in the ledger:\n{text}");
    }
    for login in ["zhangmin", "lihua", "chenjing"] {
        assert!(!text.contains(login), "{login} in the ledger:\n{text}");
    }

    // The admin fixes the rogue desk: a code of its own (registered at the hub), its case moved to
    // it with a 更正编号, the receipt printed again with the new number.
    let a3_token = issue_credential(&hub_db, "window", Some(XINYE), "A3", "新野县3号窗");
    let fixed = ok(common::tongban_admin(&rogue, &["desk", "code", "A3"]));
    assert!(fixed.contains("窗口代码已由 A1 改为 A3") && fixed.contains("tongban case renumber --all"), "{fixed}");
    let log = ok(common::tongban_admin(&rogue, &["audit", "list", "--kind", "settings"]));
    assert!(log.contains("受理台窗口代码 A1 改为 A3"), "the change of the desk code is in the audit log:\n{log}");
    partner_add(&rogue, &url, &a3_token);
    let moved = ok(common::tongban_admin(&rogue, &["case", "renumber", "--all"]));
    let renumbered = rogue_case.replace("-A1-", "-A3-");
    assert_eq!(moved, format!("{rogue_case} → {renumbered}（收件登记表可用 tongban print receipt {renumbered} 补打）"));
    let receipt = at("rogue-receipt.pdf");
    ok(tongban(&rogue, &["print", "receipt", &renumbered, "--out", receipt.to_str().unwrap()]));
    assert!(tongban_tests::pdf_text_without_whitespace(&receipt).contains(&renumbered));
    assert!(sync(&rogue).starts_with("北京市丰台区（110106）：推送 2 个事件"), "the intake with its 更正编号");
    take_in(&rogue, 1);
    sync(&rogue);
    sync(&s1);
    let shown = ok(tongban(&s1, &["case", "show", &renumbered]));
    assert!(shown.contains(&format!("更正编号：{rogue_case} → {renumbered}")), "{shown}");
    assert_eq!(status_of(&s1, contested), CaseStatus::Accepted, "window 1's case keeps its number on S1");
    assert_eq!(numbers(&s1).len(), 9);
    assert_eq!(numbers(&w1), w1_cases, "window 1 holds none of the rogue's");

    // Every case once on the hub, every number once.
    assert_eq!(hub_counts(&hub_db), (9, 12, 12, 9), "9 intakes, 2 decisions, 1 更正编号");

    // The helper's credential is revoked while the laptop is out; its next round says so.
    let listing = hub_admin(&["credential", "list", "--db", hub_db.to_str().unwrap()]);
    let helper_id = listing.lines().find(|l| l.contains("\tH1\t")).unwrap().split('\t').next().unwrap().to_string();
    hub_admin(&["credential", "revoke", "--db", hub_db.to_str().unwrap(), "--id", &helper_id]);
    take_in(&helper, 3);
    let refused = sync_refused(&helper);
    assert!(
        refused.contains("已于") && refused.contains("被通办中心吊销：请向通办中心管理员申领新的凭据"),
        "{refused}"
    );
    assert!(refused.contains("本机的办件都已保留"), "{refused}");
    assert_eq!(numbers(&helper).len(), 3, "every case stays");
    assert_eq!(open(&helper).outbox_len().unwrap(), 1);
    drop(hub);
}
