//! One import reaches every desk, with real processes: 丰台区's back office imports the next
//! year's holiday arrangement and publishes it to its hub; 新野县's window, syncing with that hub,
//! installs it and counts its working days by it. A second, different arrangement of that year is
//! refused at the hub, and a desk that already holds another official version of the year refuses
//! the hub's, keeps its own, and says why in the hub's status.

mod common;

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use common::{init_desk, ok, partner_add, stderr, stdout, tongban, tongban_admin, HELPER_DESK};
use tongban_core::workdays::WorkCalendar;
use tongban_tests::free_port;
use tongban_tests::hub::{hub_admin, hub_database, issue_credential, HubProcess, FENGTAI, XINYE};

/// The first year after the shipped ones (2027 while the app ships 2025 and 2026).
fn next_year() -> i32 {
    WorkCalendar::shipped().years().max().unwrap() + 1
}

/// An arrangement of `year` as its notice would have it.
fn arrangement(year: i32) -> String {
    format!(
        "# 国务院办公厅关于{year}年部分节假日安排的通知\nyear {year}\nholiday {year}-01-01 元旦\n\
         holiday {year}-10-01 {year}-10-07 国庆节\n"
    )
}

/// Another version of the same year: one more day off, on the first weekday of November.
fn another_version(year: i32) -> String {
    let mut day = NaiveDate::from_ymd_opt(year, 11, 1).unwrap();
    while day.weekday().number_from_monday() > 5 {
        day = day.succ_opt().unwrap();
    }
    format!("{}holiday {day} 另一版本\n", arrangement(year))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// The working days from September 30th to the end of `year` by `text`, as a desk should count them.
fn autumn_working_days(text: &str, year: i32) -> String {
    let calendar = WorkCalendar::parse(text).unwrap();
    let from = NaiveDate::from_ymd_opt(year, 9, 30).unwrap();
    calendar.working_days_between(from, NaiveDate::from_ymd_opt(year, 12, 31).unwrap()).unwrap().to_string()
}

#[test]
fn an_arrangement_imported_once_reaches_every_desk_and_an_official_year_never_changes() {
    let year = next_year();
    let y = year.to_string();
    let official = arrangement(year);
    let other = another_version(year);
    let counted = autumn_working_days(&official, year);
    assert_ne!(counted, autumn_working_days(&other, year), "the two versions count differently");

    let dir = tempfile::tempdir().unwrap();
    let (hub_db, partner_token, back_office_token) = hub_database(dir.path(), HELPER_DESK, "A1");
    let admin_token = hub_admin(&[
        "credential",
        "issue",
        "--db",
        hub_db.to_str().unwrap(),
        "--role",
        "admin",
        "--desk",
        "丰台区政数局",
    ]);
    let port = free_port();
    let _hub = HubProcess::start(&hub_db, port);
    let url = format!("http://127.0.0.1:{port}");

    // 丰台区's back office imports the notice and publishes it to its own hub.
    let fengtai = dir.path().join("fengtai.db");
    init_desk(&fengtai, FENGTAI, "S1", "back_office");
    partner_add(&fengtai, FENGTAI, "北京市丰台区", port, &back_office_token);
    let file = write(dir.path(), "official.txt", &official);
    assert!(ok(tongban_admin(&fengtai, &["workdays", "import", &file])).contains(&format!("{y}年")));
    let no_credential = tongban_admin(&fengtai, &["workdays", "publish"]);
    assert!(!no_credential.status.success());
    assert!(stderr(&no_credential).contains("管理员凭据"), "{}", stderr(&no_credential));
    let published = ok(tongban_admin(&fengtai, &["workdays", "publish", "--credential", &admin_token]));
    assert!(published.starts_with(&format!("已发布{y}年的节假日安排到 {url}（校验值 ")), "{published}");
    assert_eq!(
        ok(tongban_admin(&fengtai, &["workdays", "publish", &y, "--credential", &admin_token])),
        format!("{y}年的节假日安排已在 {url}，内容相同，未作改动")
    );
    let not_held = tongban_admin(&fengtai, &["workdays", "publish", "2098", "--credential", &admin_token]);
    assert!(stderr(&not_held).contains("本机没有2098年的正式节假日安排"), "{}", stderr(&not_held));
    let not_admin = tongban_admin(&fengtai, &["workdays", "publish", "--credential", &back_office_token]);
    assert!(stderr(&not_admin).contains("无权发布节假日安排"), "{}", stderr(&not_admin));

    // Another desk of 丰台区 with another version of the year: the hub keeps the first.
    let second = dir.path().join("fengtai2.db");
    init_desk(&second, FENGTAI, "S2", "admin");
    ok(tongban(&second, &["workdays", "import", &write(dir.path(), "other.txt", &other)]));
    let refused = tongban(&second, &["workdays", "publish", "--hub", &url, "--credential", &admin_token]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains(&format!("{y}年的节假日安排已发布且内容不同；一年的安排一经发布不再更改")),
        "{}",
        stderr(&refused)
    );

    // 新野县's window syncs with 丰台区's hub and counts by the published year.
    let xinye = dir.path().join("xinye.db");
    init_desk(&xinye, XINYE, "A1", "clerk");
    partner_add(&xinye, FENGTAI, "北京市丰台区", port, &partner_token);
    assert_eq!(ok(tongban(&xinye, &["sync", "--once"])), format!("北京市丰台区（110106）：安装{y}年的节假日安排"));
    let autumn = [format!("{y}-09-30"), format!("{y}-12-31")];
    let between = ["workdays", "between", &autumn[0], &autumn[1]];
    assert_eq!(ok(tongban(&xinye, &between)), counted);
    assert_eq!(ok(tongban(&xinye, &["sync", "--once"])), "北京市丰台区（110106）：已是最新");

    // A 新野县 desk that already holds the other version officially keeps it and says why.
    let helper = dir.path().join("helper.db");
    init_desk(&helper, XINYE, "B1", "helper");
    ok(tongban_admin(&helper, &["workdays", "import", &write(dir.path(), "other2.txt", &other)]));
    // A credential is one desk's: the helper's laptop has its own.
    let helper_token = issue_credential(&hub_db, "helper", Some(XINYE), "B1", "新野县帮办代办");
    partner_add(&helper, FENGTAI, "北京市丰台区", port, &helper_token);
    let sync = tongban(&helper, &["sync", "--once"]);
    assert!(!sync.status.success());
    let reason = format!("{y}年与本机已有的正式安排内容不同，本机保留原安排");
    assert!(stdout(&sync).contains(&reason), "{}", stdout(&sync));
    let partners = ok(tongban(&helper, &["partner", "list"]));
    assert!(partners.contains(&format!("提供的节假日安排未安装：{reason}")), "{partners}");
    assert_eq!(ok(tongban(&helper, &between)), autumn_working_days(&other, year), "its own version stays");
}
