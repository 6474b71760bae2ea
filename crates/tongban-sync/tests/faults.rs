//! The network at its worst: a proxy that drops, resets, cuts and delays connections, a hub that
//! answers garbage or hangs, a hub that rejects events. Every case still arrives exactly once,
//! and nothing the hub refuses is lost.

mod support;

use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tongban_core::case::{CaseEvent, CaseStatus, EventBody};
use tongban_store::{CaseFilter, Direction, Store};
use tongban_sync::{sync_once, SyncEngine, SyncSettings};

use support::*;

/// Cases for the proxy story: `TONGBAN_FAULT_CASES` (10000 for the issue's "done when").
fn fault_cases() -> usize {
    std::env::var("TONGBAN_FAULT_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(400)
}

fn cases_in(store: &Store, status: CaseStatus) -> u64 {
    let filter = CaseFilter { status: Some(status), ..Default::default() };
    store.list_cases(&filter, 1, 1).unwrap().total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_with_scans_reach_the_hub_exactly_once_through_a_proxy_that_drops_resets_cuts_and_delays() {
    let n = fault_cases();
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let proxy = FaultyProxy::start(hub.addr, Faults::NASTY).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut store, FENGTAI, &proxy.url(), &files.partner_token);
    let started = Instant::now();
    take_in_cases(&mut store, n, 2048);
    // A few large scans go up in chunks, so cut connections interrupt uploads halfway.
    let large: Vec<_> = (0..3)
        .map(|i| {
            store.put_blob(&scan_bytes(1_000_000 + i, 300 * 1024), "image/jpeg", "户口簿.jpg", Utc::now()).unwrap()
        })
        .collect();
    for blob in &large {
        store.create_case(&intake_form("户主", Some(blob.sha256.clone())), "wang", Utc::now()).unwrap();
    }
    let total = n as u64 + 3;
    let took_in = started.elapsed();
    let db = store.path().to_path_buf();
    drop(store);

    let started = Instant::now();
    let failures = sync_until_clean(&db, &fast_settings(), 2000).await;
    let synced = started.elapsed();

    let (cases, events, distinct, blobs) = files.counts();
    assert_eq!((cases, events, distinct, blobs), (total, total, total, total), "hub: cases, events, ids, scans");
    let store = support::reopen(&db);
    assert_eq!(store.outbox_len().unwrap(), 0);
    assert!(store.quarantined().unwrap().is_empty());
    assert_eq!(cases_in(&store, CaseStatus::Pushed), total, "every case is marked 已推送 once");
    assert!(!failures.is_empty(), "the proxy was expected to break some rounds");
    let _ = writeln!(
        std::io::stderr(),
        "{total} cases with scans: taken in {took_in:.1?}, synced through the faulty proxy in {synced:.1?} \
         ({} failed rounds, e.g. {:?})",
        failures.len(),
        failures.first()
    );
}

/// What a broken hub sends after reading a request (the health check and the desk's confirmation
/// are answered properly, so the desk gets as far as pushing).
#[derive(Clone, Copy, Debug)]
enum Misbehaviour {
    /// Confirms the desk as another desk code than the one it presented.
    ConfirmsAnotherDesk,
    NotJson,
    PushAnswersOtherEvents,
    HtmlErrorPage,
    ClosesMidBody,
    Hangs,
}

async fn broken_hub(misbehaviour: Misbehaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                loop {
                    let Some(request_line) = read_request(&mut socket).await else { return };
                    let json = |body: String| {
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        )
                    };
                    let confirmed = |code: &str| {
                        json(format!(
                            r#"{{"region":"{XINYE}","desk_code":"{code}","role":"helper","role_label":"帮办代办","scope_label":"仅本受理台收件的办件","desk":"新野县帮办员","confirmed_at":"2026-03-02T00:00:00Z"}}"#
                        ))
                    };
                    let reply = if request_line.starts_with("GET /health") {
                        json(format!(r#"{{"status":"ok","region":"{FENGTAI}","version":"0"}}"#))
                    } else if request_line.starts_with("PUT /v1/desk") {
                        match misbehaviour {
                            Misbehaviour::ConfirmsAnotherDesk => confirmed("A1"),
                            _ => confirmed("H1"),
                        }
                    } else {
                        match misbehaviour {
                            Misbehaviour::ConfirmsAnotherDesk => unreachable!("the round ends at the confirmation"),
                            Misbehaviour::NotJson => "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello".to_string(),
                            Misbehaviour::PushAnswersOtherEvents => {
                                let body = r#"{"outcomes":[{"outcome":"accepted","id":"0191e6a4-0000-7000-8000-000000000001","seq":1}]}"#;
                                format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}", body.len())
                            }
                            Misbehaviour::HtmlErrorPage => {
                                let body = "<html><body>502 Bad Gateway</body></html>";
                                format!("HTTP/1.1 502 Bad Gateway\r\ncontent-length: {}\r\n\r\n{body}", body.len())
                            }
                            Misbehaviour::ClosesMidBody => {
                                let _ = socket
                                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 400\r\n\r\n{\"outcomes\":[")
                                    .await;
                                return;
                            }
                            Misbehaviour::Hangs => {
                                tokio::time::sleep(Duration::from_secs(3600)).await;
                                return;
                            }
                        }
                    };
                    if socket.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// Reads one HTTP request (head and body); its request line, or `None` when the client is gone.
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let n = socket.read(&mut buf).await.ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = socket.read(&mut buf).await.ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&buf[..n]);
    }
    head.lines().next().map(str::to_string)
}

#[tokio::test]
async fn a_hub_that_answers_garbage_hangs_or_closes_mid_body_costs_a_retry_and_nothing_else() {
    let cases = [
        (Misbehaviour::ConfirmsAnotherDesk, "通办中心确认的受理台（地区 411329，窗口代码 A1）不是本受理台"),
        (Misbehaviour::NotJson, "通办中心 http://127.0.0.1:"),
        (Misbehaviour::PushAnswersOtherEvents, "推送结果与所推送的事件不对应"),
        (Misbehaviour::HtmlErrorPage, "HTTP 502 Bad Gateway，没有错误说明"),
        (Misbehaviour::ClosesMidBody, "的连接中断"),
        (Misbehaviour::Hangs, "秒没有回复"),
    ];
    for (misbehaviour, expected) in cases {
        let url = broken_hub(misbehaviour).await;
        let dir = tempfile::tempdir().unwrap();
        let mut store = desk(dir.path(), "helper", XINYE, "H1");
        add_hub(&mut store, FENGTAI, &url, "token");
        take_in_cases(&mut store, 3, 0);
        let db = store.path().to_path_buf();
        drop(store);
        let settings = tongban_sync::SyncSettings { request_timeout: Duration::from_secs(1), ..fast_settings() };
        let results = sync_once(support::reopen(&db), &settings).await.unwrap();
        let error = results[0].1.as_ref().expect_err("a broken hub is an error").to_string();
        assert!(error.contains(expected), "{misbehaviour:?}: {error}");
        let store = support::reopen(&db);
        assert_eq!(store.outbox_len().unwrap(), 3, "{misbehaviour:?}: nothing leaves the outbox");
        assert_eq!(cases_in(&store, CaseStatus::Received), 3);
        let state = store.sync_state(FENGTAI).unwrap();
        assert_eq!(state.last_error.as_deref(), Some(error.as_str()), "the window shows the error");
        assert_eq!(state.pull_cursor, 0);
    }
}

#[tokio::test]
async fn a_hub_of_another_region_at_the_configured_address_gets_nothing() {
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    // The clerk typed 丰台区's address for 玄武区.
    let setup = tongban_store::HubSetup {
        region: "320102".into(),
        name: "南京市玄武区".into(),
        url: hub.url(),
        credential: files.partner_token.clone(),
    };
    store.add_hub(&setup, Utc::now()).unwrap();
    let mut form = intake_form("李娜", None);
    form.handling_region = "320102".into();
    store.create_case(&form, "wang", Utc::now()).unwrap();
    let results = sync_once(store, &fast_settings()).await.unwrap();
    let error = results[0].1.as_ref().unwrap_err().to_string();
    assert_eq!(error, format!("{} 是地区 110106 的通办中心，不是所配置的地区 320102；请检查通办中心地址", hub.url()));
    assert_eq!(files.counts().1, 0);
}

#[tokio::test]
async fn a_credential_for_another_region_is_refused_before_anything_moves_and_every_case_stays() {
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    // 丰台区 issued the helper a credential for 玄武区 by mistake.
    let wrong_token = files.issue_partner("320102");
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut store, FENGTAI, &hub.url(), &wrong_token);
    take_in_cases(&mut store, 3, 1024);
    let db = store.path().to_path_buf();
    drop(store);

    let results = sync_once(reopen(&db), &fast_settings()).await.unwrap();
    let error = results[0].1.as_ref().unwrap_err();
    assert_eq!(error.code(), "wrong_region");
    assert!(error.to_string().contains("与凭据所属地区「320102"), "{error}");
    assert!(error.to_string().ends_with("本机的办件都已保留，未同步的事件仍在本机"), "{error}");
    assert_eq!(files.counts().1, 0, "nothing was pushed");
    let store = reopen(&db);
    assert_eq!((store.outbox_len().unwrap(), store.quarantined().unwrap().len()), (3, 0));
    assert_eq!(store.hub_desk(FENGTAI).unwrap().unwrap().problem_code.as_deref(), Some("wrong_region"));

    // The right credential arrives: everything goes, and the desk knows what the hub holds it to.
    let mut store = store;
    add_hub(&mut store, FENGTAI, &hub.url(), &files.partner_token);
    sync_once(store, &fast_settings()).await.unwrap()[0].1.as_ref().unwrap();
    assert_eq!(files.counts().0, 3);
    let store = reopen(&db);
    let identity = store.hub_desk(FENGTAI).unwrap().unwrap();
    assert_eq!((identity.role.as_deref(), identity.problem), (Some("helper"), None));
}

#[tokio::test]
async fn rejected_and_unreadable_events_are_quarantined_with_their_reason_and_arrive_once_released() {
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut store, FENGTAI, &hub.url(), &files.partner_token);
    // The first and third name a catalog version 丰台区 has not published on its hub yet.
    let ids: Vec<_> = (0..3)
        .map(|i| {
            let bytes = scan_bytes(i, 1024);
            let scan = store.put_blob(&bytes, "image/jpeg", &format!("身份证{i}.jpg"), Utc::now()).unwrap().sha256;
            let mut form = intake_form(&format!("申请人{i}"), Some(scan));
            if i != 1 {
                form.item.catalog_version = Some("2026-11".into());
            }
            store.create_case(&form, "wang", Utc::now()).unwrap().0
        })
        .collect();
    // The scan of the second case is lost from this laptop.
    let lost = store.case_state(ids[1]).unwrap().materials[0].scans[0].clone();
    std::fs::remove_file(store.blob_path(&lost)).unwrap();
    let db = store.path().to_path_buf();
    drop(store);

    let results = sync_once(support::reopen(&db), &fast_settings()).await.unwrap();
    let report = results[0].1.as_ref().expect("rejections are not a failed round");
    assert_eq!((report.pushed, report.quarantined), (0, 3));
    let store = support::reopen(&db);
    let held = store.quarantined().unwrap();
    let reason =
        |case| held.iter().find(|q| q.event.case_id == case).map(|q| (q.code.clone(), q.message.clone())).unwrap();
    assert_eq!(reason(ids[1]).0, "scan_unreadable");
    assert!(reason(ids[1]).1.starts_with(&format!("扫描件 {lost} 在本机缺失或已损坏")), "{:?}", reason(ids[1]));
    assert_eq!(reason(ids[0]).0, "catalog_mismatch");
    assert!(reason(ids[0]).1.contains("本通办中心没有发布过事项清单版本「2026-11」"), "{:?}", reason(ids[0]));
    assert!(held.iter().all(|q| q.direction == Direction::Outgoing));
    assert_eq!(store.sync_state(FENGTAI).unwrap().quarantined, 3);

    // 丰台区 publishes the version; the two rejected intakes are released and go through.
    files.publish(&catalog_for(&intake_form("", None), "2026-11"));
    let mut store = store;
    for case in [ids[0], ids[2]] {
        let id = held.iter().find(|q| q.event.case_id == case).unwrap().event.id;
        store.release_quarantined(id, Utc::now()).unwrap();
    }
    sync_once(store, &fast_settings()).await.unwrap()[0].1.as_ref().unwrap();
    assert_eq!(files.counts().0, 2);
    // The scan is found again (scanned anew: same bytes, same hash); the last case follows.
    let mut store = support::reopen(&db);
    store.put_blob(&scan_bytes(1, 1024), "image/jpeg", "身份证1.jpg", Utc::now()).unwrap();
    let id = store.quarantined().unwrap()[0].event.id;
    store.release_quarantined(id, Utc::now()).unwrap();
    sync_once(store, &fast_settings()).await.unwrap()[0].1.as_ref().unwrap();
    assert_eq!(files.counts(), (3, 3, 3, 3));
    let store = support::reopen(&db);
    assert_eq!((store.outbox_len().unwrap(), store.quarantined().unwrap().len()), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_shows_each_hubs_state_syncs_on_request_and_stops_on_shutdown() {
    let files = HubFiles::create();
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    // The hub is not running yet: its address refuses connections.
    let parked = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = parked.local_addr().unwrap();
    drop(parked);
    add_hub(&mut store, FENGTAI, &format!("http://{addr}"), &files.partner_token);
    take_in_cases(&mut store, 5, 512);
    let shutdown = CancellationToken::new();
    let settings = tongban_sync::SyncSettings { interval: Duration::from_secs(3600), ..fast_settings() };
    let engine = SyncEngine::start(store, settings, shutdown.clone()).unwrap();
    let mut status = engine.status();
    let offline = status.wait_for(|all| all[0].last_error.is_some()).await.unwrap().clone();
    assert!(!offline[0].online);
    assert_eq!(offline[0].pending, 5);
    assert!(offline[0].last_error.as_ref().unwrap().starts_with(&format!("无法连接通办中心 http://{addr}")));

    // The hub comes up at that address; backoff (at most 300 ms here) brings the desk back.
    let listener = TcpListener::bind(addr).await.unwrap();
    let config = tongban_hub::HubConfig { db: files.db.clone(), ..Default::default() };
    let hub_stop = CancellationToken::new();
    let stopped = hub_stop.clone();
    tokio::spawn(async move { tongban_hub::serve(listener, config, async move { stopped.cancelled().await }).await });
    let online =
        tokio::time::timeout(Duration::from_secs(10), status.wait_for(|all| all[0].pending == 0 && all[0].online))
            .await
            .expect("the desk syncs once the hub is up")
            .unwrap()
            .clone();
    assert_eq!(online[0].last_error, None);
    assert!(online[0].last_success_at.is_some());
    assert_eq!(files.counts().0, 5);

    // New intake while the engine waits an hour for its next tick: "sync now" sends it at once.
    let mut second = support::reopen(&dir.path().join("helper.db"));
    take_in_cases(&mut second, 2, 0);
    let before = Instant::now();
    engine.sync_now();
    tokio::time::timeout(Duration::from_secs(10), async {
        while files.counts().0 < 7 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("sync now runs a round at once");
    assert!(before.elapsed() < Duration::from_secs(5));

    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(2), engine.stopped()).await.expect("stops promptly on shutdown");
    hub_stop.cancel();
}

/// Batches of two: the first is stored whole and settled while the second goes out; the second
/// has a refusal and is settled before the third is read, so the refused case's next event waits
/// behind its quarantined intake instead of going out after it.
#[tokio::test]
async fn a_case_refused_in_one_batch_sends_nothing_more_in_the_next_while_every_other_case_flows_on() {
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut store, FENGTAI, &hub.url(), &files.partner_token);
    let take_in = |store: &mut Store, name: &str, refused: bool| {
        let mut form = intake_form(name, None);
        if refused {
            // A catalog version 丰台区 has not published, and a material still to come.
            form.item.catalog_version = Some("2026-11".into());
            form.materials[0].received = false;
            form.materials[0].original_verified = false;
        }
        store.create_case(&form, "wang", Utc::now()).unwrap().0
    };
    let (a, c) = (take_in(&mut store, "甲", false), take_in(&mut store, "丙", false));
    let (b, d) = (take_in(&mut store, "乙", true), take_in(&mut store, "丁", false));
    let author = store.outbox(1).unwrap()[0].event.author.clone();
    let completed = CaseEvent {
        id: uuid::Uuid::now_v7(),
        case_id: b,
        at: Utc::now(),
        author,
        body: EventBody::Completed { materials: intake_form("乙", None).materials },
    };
    store.append_local(&completed).unwrap();
    let e = take_in(&mut store, "戊", false);
    let db = store.path().to_path_buf();
    drop(store);

    let settings = SyncSettings { push_batch: 2, ..fast_settings() };
    let results = sync_once(reopen(&db), &settings).await.unwrap();
    let report = results[0].1.as_ref().expect("a refusal is not a failed round");
    assert_eq!((report.pushed, report.quarantined), (4, 1));
    assert_eq!(files.counts().0, 4, "甲 丙 丁 戊 at the hub");
    let store = reopen(&db);
    for case in [a, c, d, e] {
        assert_eq!(store.case_state(case).unwrap().status, CaseStatus::Pushed);
    }
    let held = store.quarantined().unwrap();
    assert_eq!(held.iter().map(|q| q.event.case_id).collect::<Vec<_>>(), [b]);
    let waiting: Vec<_> = store.outbox(10).unwrap().into_iter().map(|o| o.event.id).collect();
    assert!(waiting.contains(&completed.id), "补齐 waits behind its quarantined intake");
    assert_eq!(store.sync_state(FENGTAI).unwrap().pending, 0, "nothing of 乙 is free to go");
}
