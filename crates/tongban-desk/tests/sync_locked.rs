//! A locked window keeps syncing: the data key stays in memory while the screen is locked, so a
//! case taken in before the clerk stepped away reaches the partner's hub (a real `tongban-hub`
//! process on loopback) without anyone unlocking.

use std::time::{Duration, Instant};

use chrono::Utc;
use tongban_desk::demo::{DEMO_CLERK, DEMO_PASSWORD};
use tongban_desk::Desk;
use tongban_tests::free_port;
use tongban_tests::hub::{hub_database, HubProcess, FENGTAI};

fn events_on_hub(hub_db: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(hub_db).unwrap();
    conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_locked_window_keeps_syncing_and_stays_locked() {
    let dir = tempfile::tempdir().unwrap();
    let (hub_db, partner, _) = hub_database(dir.path(), "新野县跨省通办专窗", "A1");
    let hub = HubProcess::start(&hub_db, free_port());
    let db = dir.path().join("desk.db");
    let number: String;
    // The demo desk, no cases yet.
    tongban_desk::demo::seed(&db, 0).unwrap();
    {
        let mut store = tongban_desk::demo::open(&db).unwrap();
        let setup = tongban_store::HubSetup {
            region: FENGTAI.into(),
            name: "北京市丰台区".into(),
            url: hub.url(),
            credential: partner,
        };
        store.add_hub(&setup, Utc::now()).unwrap();
        // Taken in before the clerk stepped away (as the e2e stories do, from the demo's sample).
        let mut form = tongban_desk::demo::sample_form(0);
        form.handling_region = FENGTAI.into();
        form.materials.iter_mut().for_each(|m| m.received = true);
        number = store.create_case(&form, DEMO_CLERK, Utc::now()).unwrap().1.to_string();
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let desk = Desk::open_window(&db).unwrap();
    desk.log_in(DEMO_CLERK, DEMO_PASSWORD).unwrap();
    assert_eq!(events_on_hub(&hub_db), 0);

    // The clerk locks the screen and walks away; the window's engine runs on.
    assert!(desk.lock().unwrap().locked);
    {
        let _entered = runtime.enter();
        desk.start_sync().unwrap();
    }
    desk.sync_now().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while events_on_hub(&hub_db) == 0 {
        let state = desk.sync_changes().map(|s| format!("{:?}", *s.borrow())).unwrap_or_default();
        assert!(Instant::now() < deadline, "the locked window never pushed its case: {state}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Still locked: nothing shown, nothing written by anyone until the password is given.
    assert!(desk.session().unwrap().locked);
    assert_eq!(desk.list_cases(&Default::default()).unwrap_err().code, "session_locked");
    desk.unlock(DEMO_PASSWORD).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = desk.list_cases(&tongban_desk::CaseQuery { page: 1, page_size: 20, ..Default::default() }).unwrap();
        let row = page.rows.iter().find(|r| r.number == number).expect("the case is listed");
        // The hub's word was settled while locked: the case no longer waits to be synced.
        if !row.pending_sync {
            break;
        }
        assert!(Instant::now() < deadline, "the case still waits to be synced: {:?}", row.status);
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(runtime);
}
