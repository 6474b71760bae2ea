//! The engine's own 对账: after a round that pulled everything, once a day, the desk compares its
//! side with the hub's and keeps what no sync explains as news for the status bar. The fault is
//! real: the partner's hub restored from a backup older than the desk's last push, so an event
//! the hub once acknowledged is gone from it.

mod support;

use std::time::Duration;

use support::{add_hub, desk, fast_settings, reopen, take_in_cases, HubFiles, ServedHub, FENGTAI, XINYE};
use tokio_util::sync::CancellationToken;
use tongban_sync::{sync_once, DailyReconciliation, SyncEngine, SyncSettings};

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_restored_from_an_older_backup_is_news_after_the_engines_daily_reconciliation() {
    let files = HubFiles::create();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("helper.db");
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    let hub = ServedHub::start(&files).await;
    add_hub(&mut store, FENGTAI, &hub.url(), &files.partner_token);
    take_in_cases(&mut store, 2, 0);
    drop(store);
    for (_, outcome) in sync_once(reopen(&db), &fast_settings()).await.unwrap() {
        outcome.unwrap();
    }
    // The hub's operator backs it up (a consistent copy while it serves) …
    let backup = files.dir.path().join("hub-backup.db");
    rusqlite::Connection::open(&files.db).unwrap().execute("VACUUM INTO ?1", [backup.to_str().unwrap()]).unwrap();
    // … the desk pushes one more case, which the hub acknowledges …
    take_in_cases(&mut reopen(&db), 1, 2);
    for (_, outcome) in sync_once(reopen(&db), &fast_settings()).await.unwrap() {
        outcome.unwrap();
    }
    assert_eq!(files.counts().0, 3);
    // … and after a disk fault the hub comes back from that backup, without it.
    drop(hub);
    tokio::time::sleep(Duration::from_millis(300)).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", files.db.display()));
    }
    std::fs::copy(&backup, &files.db).unwrap();
    let hub = ServedHub::start(&files).await;
    add_hub(&mut reopen(&db), FENGTAI, &hub.url(), &files.partner_token);
    assert_eq!(files.counts().0, 2);
    assert!(reopen(&db).reconciliation_news().unwrap().is_empty());

    // The engine's first round pulls all there is, then reconciles the last 14 days.
    let shutdown = CancellationToken::new();
    let settings = SyncSettings {
        interval: Duration::from_secs(3600),
        daily_reconciliation: DailyReconciliation { every: Some(Duration::from_secs(3600)), days: 14, package_days: 7 },
        ..fast_settings()
    };
    let engine = SyncEngine::start(reopen(&db), settings, shutdown.clone()).unwrap();
    let mut status = engine.status();
    tokio::time::timeout(
        Duration::from_secs(20),
        status.wait_for(|all| all[0].last_success_at.is_some() && !all[0].syncing),
    )
    .await
    .expect("a round ends")
    .unwrap();
    let news = reopen(&db).reconciliation_news().unwrap();
    let [found] = news.as_slice() else { panic!("one partner's news: {news:?}") };
    assert_eq!((found.hub_region.as_str(), found.troubles, found.packages), (FENGTAI, 1, 0), "{found:?}");
    assert_eq!(found.matched, 2, "the two cases the backup kept match");
    assert_eq!((found.to - found.from).num_days(), 13);

    // Within the day, rounds do not reconcile again.
    let checked_at = found.checked_at;
    engine.sync_now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    tokio::time::timeout(Duration::from_secs(20), status.wait_for(|all| !all[0].syncing)).await.unwrap().unwrap();
    assert_eq!(reopen(&db).last_reconciliation(FENGTAI).unwrap().unwrap().checked_at, checked_at);
    shutdown.cancel();
    engine.stopped().await;

    // What the 对账 lists: the one case's intake, as sent and missing at the hub.
    let store = reopen(&db);
    let today = tongban_core::time::beijing_date(chrono::Utc::now());
    let found =
        tongban_sync::reconcile::reconcile(&store, FENGTAI, today, today, 7, chrono::Utc::now(), &fast_settings())
            .await
            .unwrap();
    let [missing] = found.compared.only_here.as_slice() else { panic!("{:?}", found.compared) };
    assert!(missing.trouble && missing.note.starts_with("本机记为已送出，通办中心却没有"), "{missing:?}");
    assert!(found.compared.only_at_hub.is_empty());
    assert_eq!(store.reconciliation_news().unwrap().len(), 1, "a manual 对账 keeps the news as it found it");
}

#[tokio::test(flavor = "multi_thread")]
async fn events_waiting_to_be_pushed_are_listed_but_are_not_news() {
    let files = HubFiles::create();
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    let hub = ServedHub::start(&files).await;
    add_hub(&mut store, FENGTAI, &hub.url(), &files.partner_token);
    take_in_cases(&mut store, 1, 0);
    let today = tongban_core::time::beijing_date(chrono::Utc::now());
    let found =
        tongban_sync::reconcile::reconcile(&store, FENGTAI, today, today, 7, chrono::Utc::now(), &fast_settings())
            .await
            .unwrap();
    let [waiting] = found.compared.only_here.as_slice() else { panic!("{:?}", found.compared) };
    assert!(!waiting.trouble && waiting.note.starts_with("待推送"), "{waiting:?}");
    assert!(store.reconciliation_news().unwrap().is_empty());
    let kept = store.last_reconciliation(FENGTAI).unwrap().unwrap();
    assert_eq!((kept.matched, kept.troubles, kept.packages), (0, 0, 0));
}
