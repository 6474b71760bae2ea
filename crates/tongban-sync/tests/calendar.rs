//! Working-day calendars from the hub: a year the desk lacks is installed; a year the desk holds
//! officially with other content is never overwritten; a hub serving a year that does not match
//! its own hash, or an answer past the size cap, is not believed. The cases flow meanwhile.

mod support;

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use tokio_util::sync::CancellationToken;
use tongban_hub::{Hub, Role};

use tongban_sync::{sync_once, RoundReport, SyncEngine, SyncError};
use tongban_wire::calendar::{CalendarYearUpload, MAX_YEAR_DOCUMENT};

use support::*;

/// A year no shipped calendar will reach, so these tests hold whatever years the app ships.
const YEAR: i32 = 2099;

fn arrangement_of(year: i32, national_day_ends: u32) -> String {
    format!(
        "# 测试用通知\nyear {year}\nholiday {year}-01-01 元旦\nholiday {year}-10-01 {year}-10-{national_day_ends:02} 国庆节\n"
    )
}

fn arrangement(national_day_ends: u32) -> String {
    arrangement_of(YEAR, national_day_ends)
}

fn publish_year(files: &HubFiles, year: i32, text: &str) {
    let hub = Hub::open(&files.db, None).unwrap();
    let admin = hub.issue_credential(None, Role::Admin, None, "丰台区政数局", Utc::now()).unwrap().credential;
    hub.publish_calendar_year(&admin, year, &CalendarYearUpload { text: text.into() }, Utc::now()).unwrap();
}

fn publish(files: &HubFiles, text: &str) {
    publish_year(files, YEAR, text);
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(YEAR, month, d).unwrap()
}

async fn round(db: &std::path::Path) -> Result<RoundReport, SyncError> {
    let mut results = sync_once(reopen(db), &fast_settings()).await.unwrap();
    results.remove(0).1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_the_desk_lacks_is_installed_once_from_the_hub() {
    let files = HubFiles::create();
    publish(&files, &arrangement(7));
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut window = desk(dir.path(), "window", XINYE, "A1");
    add_hub(&mut window, FENGTAI, &hub.url(), &files.window_token);
    let db = window.path().to_path_buf();
    drop(window);

    let report = round(&db).await.expect("the round succeeds");
    assert_eq!(report.calendar_installed, [YEAR]);
    let window = reopen(&db);
    assert!(window.calendar().covers(day(10, 1)));
    assert!(!window.calendar().is_working_day(day(10, 7)), "the hub's National Day holiday");
    let held = window.official_calendar_years().unwrap();
    assert!(held.iter().any(|y| y.year == YEAR && y.imported));
    drop(window);

    assert_eq!(round(&db).await.unwrap(), RoundReport::default(), "held: nothing to install again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_serving_another_version_of_an_official_year_is_refused_and_the_cases_still_flow() {
    let files = HubFiles::create();
    publish(&files, &arrangement(8));
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut window = desk(dir.path(), "window", XINYE, "A1");
    add_hub(&mut window, FENGTAI, &hub.url(), &files.window_token);
    window.import_calendar(&arrangement(7), Utc::now()).unwrap();
    take_in_cases(&mut window, 2, 0);
    let db = window.path().to_path_buf();
    drop(window);

    let err = round(&db).await.expect_err("the desk refuses the hub's year");
    assert_eq!(err.code(), "calendar_refused");
    let message = err.to_string();
    assert!(message.contains(&format!("{YEAR}年与本机已有的正式安排内容不同，本机保留原安排")), "{message}");
    assert_eq!(files.counts().0, 2, "the cases reached the hub before the calendar was looked at");

    let window = reopen(&db);
    assert!(window.calendar().is_working_day(day(10, 8)), "the desk's own year stays");
    let state = window.sync_state(FENGTAI).unwrap();
    assert_eq!(state.last_error.as_deref(), Some(message.as_str()), "the reason is in the hub's status");
    assert_eq!(state.pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_that_does_not_match_its_hash_or_is_too_large_is_not_installed() {
    let files = HubFiles::create();
    publish(&files, &arrangement(7));
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut window = desk(dir.path(), "window", XINYE, "A1");
    add_hub(&mut window, FENGTAI, &hub.url(), &files.window_token);
    let db = window.path().to_path_buf();
    drop(window);

    // The hub's file altered behind its back: the text no longer matches the hash it lists.
    let tamper = |text: String| {
        let conn = rusqlite::Connection::open(&files.db).unwrap();
        conn.execute("UPDATE calendar_years SET text = ?1 WHERE year = ?2", rusqlite::params![text, YEAR]).unwrap();
    };
    tamper(arrangement(9));
    let err = round(&db).await.expect_err("not believed");
    assert_eq!(err.code(), "hub_garbled");
    assert!(err.to_string().contains(&format!("{YEAR}年的节假日安排与其校验值不符")), "{err}");

    tamper(format!("{}{}", arrangement(7), "# 填充\n".repeat(MAX_YEAR_DOCUMENT / 8)));
    let err = round(&db).await.expect_err("not read past the cap");
    assert!(err.to_string().contains(&format!("节假日安排超过 {} KiB 的上限", MAX_YEAR_DOCUMENT / 1024)), "{err}");

    let window = reopen(&db);
    assert!(window.official_calendar_years().unwrap().iter().all(|y| y.year != YEAR), "nothing installed");
}

/// A plain SQL connection to the desk's database (with its key), behind the store's back.
fn behind_the_engine(db: &std::path::Path) -> rusqlite::Connection {
    let key = reopen(db).data_key().clone();
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = {};", key.sqlcipher_key_pragma())).unwrap();
    conn
}

/// The years of calendar a desk's table holds, read behind the store's back.
fn years_in(db: &std::path::Path) -> Vec<i32> {
    let conn = behind_the_engine(db);
    let mut stmt = conn.prepare("SELECT year FROM calendar_years ORDER BY year").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_reads_the_index_again_only_when_it_changed() {
    let files = HubFiles::create();
    publish(&files, &arrangement(7));
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut window = desk(dir.path(), "window", XINYE, "A1");
    add_hub(&mut window, FENGTAI, &hub.url(), &files.window_token);
    let db = window.path().to_path_buf();
    let shutdown = CancellationToken::new();
    let settings = tongban_sync::SyncSettings { interval: Duration::from_secs(3600), ..fast_settings() };
    let engine = SyncEngine::start(window, settings, shutdown.clone()).unwrap();
    let mut status = engine.status();
    let first = tokio::time::timeout(Duration::from_secs(10), status.wait_for(|all| all[0].last_success_at.is_some()))
        .await
        .expect("the first round")
        .unwrap()
        .clone();
    assert_eq!(first[0].last_error, None);
    assert_eq!(years_in(&db), [YEAR]);
    let next_round = || {
        let before = status.borrow()[0].last_success_at;
        engine.sync_now();
        let mut status = status.clone();
        async move {
            let wait = status.wait_for(|all| all[0].last_success_at != before && !all[0].syncing);
            tokio::time::timeout(Duration::from_secs(10), wait).await.expect("a round").unwrap().clone()
        }
    };

    // Taken out of the desk's table behind the engine's back: an unchanged index (304) is not
    // read again, so nothing is fetched.
    behind_the_engine(&db).execute("DELETE FROM calendar_years", []).unwrap();
    next_round().await;
    assert!(years_in(&db).is_empty(), "the index was not read again");

    // A year added at the hub changes the index: it is read, and every year missing is installed.
    publish_year(&files, YEAR - 1, &arrangement_of(YEAR - 1, 7));
    let after = next_round().await;
    assert_eq!(after[0].last_error, None);
    assert_eq!(years_in(&db), [YEAR - 1, YEAR]);

    shutdown.cancel();
    engine.stopped().await;
}
