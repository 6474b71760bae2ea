//! A locked window keeps syncing: the data key stays in memory while the screen is locked, so a
//! case taken in before the clerk stepped away reaches the partner's hub (a real `tongban-hub`
//! process on loopback) without anyone unlocking.

use std::time::{Duration, Instant};

use chrono::Utc;
use tongban_core::applicant::{Applicant, IdKind, Person};
use tongban_core::case::{ResultDelivery, Transfer};
use tongban_core::catalog::{CatalogIntake, Provided};
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
    {
        let mut store = tongban_desk::demo::open(&db).unwrap();
        let setup = tongban_store::HubSetup {
            region: FENGTAI.into(),
            name: "北京市丰台区".into(),
            url: hub.url(),
            credential: partner,
        };
        store.add_hub(&setup, Utc::now()).unwrap();
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let desk = Desk::open_window(&db).unwrap();
    desk.log_in(DEMO_CLERK, DEMO_PASSWORD).unwrap();
    let item = desk.item_choices().unwrap().into_iter().find(|c| !c.bundle).unwrap();
    let taken = desk
        .take_in(&CatalogIntake {
            partner: FENGTAI.into(),
            item: item.code,
            applicant: Applicant::Person(Person {
                name: "周桂兰".into(),
                id_kind: IdKind::ResidentId,
                id_number: "110105195607120056".into(),
                phone: "13937700002".into(),
                address: String::new(),
            }),
            agent: None,
            materials: vec![Provided { name: "居民身份证".into(), received: true, ..Provided::default() }],
            transfer: Transfer { network: true, mail: false, waybill: None },
            delivery: ResultDelivery::AtWindow,
            note: String::new(),
        })
        .unwrap();
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
        assert!(Instant::now() < deadline, "the locked window never pushed its case");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Still locked: nothing shown, nothing written by anyone until the password is given.
    assert!(desk.session().unwrap().locked);
    assert_eq!(desk.list_cases(&Default::default()).unwrap_err().code, "session_locked");
    desk.unlock(DEMO_PASSWORD).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = desk.list_cases(&tongban_desk::CaseQuery { page: 1, page_size: 20, ..Default::default() }).unwrap();
        let row = page.rows.iter().find(|r| r.number == taken.number).expect("the case is listed");
        // The hub's word was settled while locked: the case no longer waits to be synced.
        if !row.pending_sync {
            break;
        }
        assert!(Instant::now() < deadline, "the case still waits to be synced: {:?}", row.status);
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(runtime);
}
