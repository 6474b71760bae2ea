//! Sync as operators live it, with real processes: the `tongban` binary on desk databases and the
//! `tongban-hub` binary on loopback, killed with SIGKILL at the worst moments.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{init_desk, ok, partner_add, stderr, stdout, tongban, HELPER_DESK};
use tongban_core::case::CaseStatus;
use tongban_store::{CaseFilter, Store};
use tongban_tests::free_port;
use tongban_tests::hub::{hub_admin, hub_database, HubProcess, FENGTAI, XINYE};

fn status_of(db: &Path, number: &str) -> String {
    let shown = ok(tongban(db, &["case", "show", number]));
    shown.lines().find_map(|l| l.strip_prefix("状态：")).unwrap_or_default().to_string()
}

#[test]
fn a_helper_takes_cases_in_offline_the_hub_comes_up_later_and_the_partners_decisions_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let (hub_db, partner_token, back_office_token) = hub_database(dir.path(), HELPER_DESK, "H1");
    let port = free_port();

    // In a village, no network: three cases for 丰台区.
    let helper = dir.path().join("helper.db");
    init_desk(&helper, XINYE, "H1", "helper");
    partner_add(&helper, FENGTAI, "北京市丰台区", port, &partner_token);
    let numbers: Vec<String> = (0..3)
        .map(|i| {
            let file = dir.path().join(format!("case{i}.json"));
            std::fs::write(&file, serde_json::to_string(&tongban_desk::demo::sample_form(i)).unwrap()).unwrap();
            ok(tongban(&helper, &["case", "new", "--json", file.to_str().unwrap()]))
        })
        .collect();
    let offline = tongban(&helper, &["sync", "--once"]);
    assert!(!offline.status.success());
    assert!(
        stdout(&offline)
            .contains(&format!("北京市丰台区（110106）：同步失败：无法连接通办中心 http://127.0.0.1:{port}")),
        "{}",
        stdout(&offline)
    );
    assert!(stderr(&offline).contains("1 个通办中心同步失败，未同步的事件仍在本机"), "{}", stderr(&offline));
    let listed = ok(tongban(&helper, &["partner", "list"]));
    assert!(
        listed.contains("110106\t北京市丰台区\t合作地区") && listed.contains("\t3\t0\t—\t无法连接通办中心"),
        "{listed}"
    );

    // Back in town, the hub is up: the cases arrive, once, however often the helper syncs.
    let hub = HubProcess::start(&hub_db, port);
    assert_eq!(ok(tongban(&helper, &["sync", "--once"])), "北京市丰台区（110106）：推送 3 个事件，收到 0 个事件");
    assert_eq!(ok(tongban(&helper, &["sync", "--once"])), "北京市丰台区（110106）：已是最新");
    assert_eq!(hub_counts(&hub_db), (3, 3, 3));
    // The hub's sealing key was pinned at the first contact: the fingerprint its operator reads out
    // (`tongban-hub key`) is the one the helper's partner list shows.
    let key = hub_admin(&["key", "--db", hub_db.to_str().unwrap()]);
    let fingerprint = key.lines().find_map(|l| l.strip_prefix("指纹：")).expect("a fingerprint line").to_string();
    assert!(ok(tongban(&helper, &["partner", "list"])).ends_with(&format!("\t{fingerprint}")), "{key}");
    assert!(numbers.iter().all(|n| status_of(&helper, n) == "已推送"));

    // 丰台区's back office pulls its inbox from its own hub and decides through its outbox.
    let back_office = dir.path().join("back-office.db");
    init_desk(&back_office, FENGTAI, "S1", "back_office");
    let added = partner_add(&back_office, FENGTAI, "北京市丰台区", port, &back_office_token);
    assert!(added.starts_with("已配置本地区通办中心"), "{added}");
    assert_eq!(ok(tongban(&back_office, &["sync", "--once"])), "北京市丰台区（110106）：推送 0 个事件，收到 3 个事件");
    assert_eq!(
        ok(tongban(&back_office, &["case", "decide", &numbers[0], "受理"])),
        format!("办件 {} 现为已受理，将在下次同步时送达受理地", numbers[0])
    );
    let no_list = tongban(&back_office, &["case", "decide", &numbers[1], "需补正"]);
    assert!(!no_list.status.success());
    assert!(stderr(&no_list).contains("需补正须列出申请人还须提交的材料"), "{}", stderr(&no_list));
    ok(tongban(
        &back_office,
        &["case", "decide", &numbers[1], "supplement", "--item", "异地就医备案登记表（本人签字）"],
    ));
    // Only the handling region decides.
    let not_ours = tongban(&helper, &["case", "decide", &numbers[2], "accept"]);
    assert!(
        stderr(&not_ours).contains("由北京市丰台区办理，本受理台属于河南省南阳市新野县，不能作出办理决定"),
        "{}",
        stderr(&not_ours)
    );
    assert_eq!(ok(tongban(&back_office, &["sync", "--once"])), "北京市丰台区（110106）：推送 2 个事件，收到 0 个事件");

    // The helper sees both.
    assert_eq!(ok(tongban(&helper, &["sync", "--once"])), "北京市丰台区（110106）：推送 0 个事件，收到 2 个事件");
    assert_eq!(status_of(&helper, &numbers[0]), "已受理");
    assert_eq!(status_of(&helper, &numbers[1]), "需补正");
    assert_eq!(status_of(&helper, &numbers[2]), "已推送");
    assert!(ok(tongban(&helper, &["case", "show", &numbers[1]])).contains("要求补正：异地就医备案登记表（本人签字）"));
    assert_eq!(hub_counts(&hub_db), (3, 5, 5));
    drop(hub);
}

/// Cases for the kill stories: `TONGBAN_FAULT_CASES` (10000 for the "done when"; the
/// default keeps CI short).
fn fault_cases() -> usize {
    std::env::var("TONGBAN_FAULT_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(300)
}

/// A helper desk with `n` cases for 丰台区, each with its own scan, configured for the hub at `port`.
fn desk_with_cases(dir: &Path, n: usize, port: u16, token: &str) -> PathBuf {
    let db = dir.join("helper.db");
    init_desk(&db, XINYE, "H1", "helper");
    partner_add(&db, FENGTAI, "北京市丰台区", port, token);
    let mut store = Store::open(&db).unwrap();
    for i in 0..n {
        let scan = format!("第{i}件的身份证扫描件").repeat(200);
        let sha = store.put_blob(scan.as_bytes(), "image/jpeg", "身份证.jpg", Utc::now()).unwrap().sha256;
        let mut form = tongban_desk::demo::sample_form(0);
        form.materials[0].scans = vec![sha];
        store.create_case(&form, "wang", Utc::now()).unwrap();
    }
    db
}

/// A 丰台区 hub database and a helper desk with `n` cases with scans, configured for a free port.
fn hub_and_desk_with_cases(n: usize) -> (tempfile::TempDir, PathBuf, PathBuf, u16) {
    let dir = tempfile::tempdir().unwrap();
    let (hub_db, partner_token, _) = hub_database(dir.path(), HELPER_DESK, "H1");
    let port = free_port();
    let desk = desk_with_cases(dir.path(), n, port, &partner_token);
    (dir, hub_db, desk, port)
}

/// Every case is on the hub once, the outbox is empty and every case is 已推送 on the desk.
fn assert_all_delivered_once(desk: &Path, hub_db: &Path, n: u64) {
    assert_eq!(hub_counts(hub_db), (n, n, n), "hub: cases, events, distinct ids");
    let store = Store::open(desk).unwrap();
    assert_eq!(store.outbox_len().unwrap(), 0);
    assert!(store.quarantined().unwrap().is_empty());
    let pushed = CaseFilter { status: Some(CaseStatus::Pushed), ..Default::default() };
    assert_eq!(store.list_cases(&pushed, 1, 1).unwrap().total, n);
    for case in store.list_cases(&CaseFilter::default(), 1, 10_000).unwrap().rows {
        assert_eq!(store.events_of(case.id).unwrap().len(), 2, "收件 and 已推送, nothing twice");
    }
}

/// `tongban sync` with `args` on the desk database, in the background.
fn spawn_sync(desk: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tongban"))
        .arg("--db")
        .arg(desk)
        .arg("sync")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// (cases, events, distinct event ids) straight from the hub's database.
fn hub_counts(db: &Path) -> (u64, u64, u64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, u64>(0)).unwrap();
    (
        one("SELECT count(*) FROM cases"),
        one("SELECT count(*) FROM events"),
        one("SELECT count(DISTINCT id) FROM events"),
    )
}

/// Scans plus events the hub holds: it grows with every upload and every accepted push.
fn hub_progress(db: &Path) -> u64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT (SELECT count(*) FROM blobs) + (SELECT count(*) FROM events)", [], |r| r.get(0)).unwrap()
}

/// Waits until the hub holds more than `before`, i.e. a sync is under way, then `extra` longer.
fn wait_for_progress(db: &Path, before: u64, extra: Duration) -> u64 {
    let started = Instant::now();
    loop {
        let now = hub_progress(db);
        if now > before {
            std::thread::sleep(extra);
            return now;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no sync progress on the hub");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_hub_killed_and_restarted_again_and_again_mid_sync_still_ends_with_every_case_once() {
    let n = fault_cases();
    let (_dir, hub_db, desk, port) = hub_and_desk_with_cases(n);
    let mut hub = HubProcess::start(&hub_db, port);
    let mut killed_at = Vec::new();
    let started = Instant::now();
    loop {
        let mut sync = spawn_sync(&desk, &["--once"]);
        if killed_at.len() < 6 {
            // Shot from under the desk once the sync is visibly under way, at a different point each time.
            let before = hub_progress(&hub_db);
            wait_for_progress(&hub_db, before, Duration::from_millis(25 * killed_at.len() as u64));
            hub.kill();
            killed_at.push(hub_progress(&hub_db));
            hub = HubProcess::start(&hub_db, port);
        }
        if sync.wait().unwrap().success() && killed_at.len() >= 6 {
            break;
        }
        let patience = Duration::from_secs(120) + Duration::from_millis(50 * n as u64);
        assert!(started.elapsed() < patience, "sync did not come through; kills at {killed_at:?}");
    }
    let everything = 2 * n as u64; // a scan and an event per case
    assert!(killed_at.iter().any(|&p| p > 0 && p < everything), "kills landed mid-sync: {killed_at:?}");
    assert_all_delivered_once(&desk, &hub_db, n as u64);
}

#[test]
fn a_desk_killed_mid_sync_picks_up_where_it_was_after_restart() {
    let n = fault_cases();
    let (_dir, hub_db, desk, port) = hub_and_desk_with_cases(n);
    let _hub = HubProcess::start(&hub_db, port);
    let mut killed_at = Vec::new();
    for round in 0..4u64 {
        // `tongban sync` (the long-running engine) is killed with SIGKILL partway.
        let mut sync = spawn_sync(&desk, &[]);
        let before = hub_progress(&hub_db);
        wait_for_progress(&hub_db, before, Duration::from_millis(20 * round));
        sync.kill().unwrap();
        sync.wait().unwrap();
        killed_at.push(hub_progress(&hub_db));
        Store::open(&desk).expect("the desk database opens after the kill");
    }
    let everything = 2 * n as u64;
    assert!(killed_at.iter().any(|&p| p < everything), "kills landed mid-sync: {killed_at:?}");
    let out = tongban(&desk, &["sync", "--once"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_all_delivered_once(&desk, &hub_db, n as u64);
}
