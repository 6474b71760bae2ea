//! A hub that lies: a hostile test server on loopback (axum) answering 1 GiB bodies streamed
//! lazily, a cursor far past its page, `has_more` without end, and intakes the desk never took in.
//! The desk reads at most its cap of each answer, keeps its cursor, stops after a bounded number
//! of pages, and stores nothing of what is not its own.

mod support;

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use chrono::Utc;
use tokio::net::TcpListener;
use tongban_core::case::{Author, CaseEvent, CaseId, CaseNumber, EventBody};
use tongban_store::{DeskSetup, Store, User};
use tongban_sync::{sync_once, RoundReport, SyncError, SyncSettings};
use tongban_wire::events::{PullQuery, PullResponse, SequencedEvent};
use uuid::Uuid;

use support::*;

const GIB: u64 = 1024 * 1024 * 1024;
static SPACES: [u8; 64 * 1024] = [b' '; 64 * 1024];

/// What the hostile hub does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attack {
    /// `/health` answers 1 GiB (no length announced).
    HugeHealth,
    /// `/health` announces 1 GiB in its Content-Length.
    AnnouncedHealth,
    /// A pull page of 1 GiB: `{"events":[` and then spaces.
    HugePage,
    /// The catalog is 1 GiB.
    HugeCatalog,
    /// The calendar index is 1 GiB.
    HugeCalendar,
    /// A pull answers 500 with a 1 GiB error body.
    HugeError,
    /// A page of intakes whose cursor is i64::MAX.
    HugeCursor,
    /// Full pages with `has_more: true`, without end.
    Endless,
    /// Pages of intakes and decisions of cases the desk never took in, then the end.
    Foreign,
    /// A 对账 answered one event a page, with `has_more`, without end.
    Dribble,
}

/// The hostile hub's state: the attack, the events it sends, and how many body bytes it produced.
struct Hostile {
    attack: Attack,
    region: String,
    role: String,
    /// Events a page is made of, cycled with rising sequence numbers.
    events: Vec<CaseEvent>,
    streamed: AtomicU64,
    pages: AtomicU64,
}

/// A body of `len` bytes, made as it is read: `head`, then spaces.
fn lazy_body(state: &Arc<Hostile>, head: &'static str, len: u64) -> Body {
    let state = state.clone();
    let stream = futures_util::stream::unfold(0u64, move |sent| {
        let state = state.clone();
        async move {
            if sent >= len {
                return None;
            }
            let chunk = if sent == 0 { Bytes::from_static(head.as_bytes()) } else { Bytes::from_static(&SPACES) };
            state.streamed.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            Some((Ok::<_, Infallible>(chunk.clone()), sent + chunk.len() as u64))
        }
    });
    Body::from_stream(stream)
}

fn json(value: &impl serde::Serialize) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], serde_json::to_vec(value).unwrap()).into_response()
}

async fn health(State(s): State<Arc<Hostile>>) -> Response {
    match s.attack {
        Attack::HugeHealth => lazy_body(&s, "{\"status\":\"ok\",", GIB).into_response(),
        Attack::AnnouncedHealth => {
            ([(header::CONTENT_LENGTH, GIB.to_string())], lazy_body(&s, "{", GIB)).into_response()
        }
        _ => json(&serde_json::json!({"status": "ok", "region": s.region, "version": "敌意"})),
    }
}

async fn desk(State(s): State<Arc<Hostile>>, body: String) -> Response {
    let claim: tongban_wire::desks::DeskClaim = serde_json::from_str(&body).unwrap();
    json(&tongban_wire::desks::DeskConfirmation {
        region: claim.region,
        desk_code: claim.desk_code,
        role: s.role.clone(),
        role_label: "受理台".into(),
        scope_label: "全部".into(),
        desk: "敌意".into(),
        confirmed_at: Utc::now(),
    })
}

async fn events(State(s): State<Arc<Hostile>>, Query(q): Query<PullQuery>) -> Response {
    s.pages.fetch_add(1, Ordering::Relaxed);
    let limit = q.limit.unwrap_or(200) as u64;
    let page = |count: u64, has_more: bool, next_cursor: Option<u64>| {
        let events: Vec<_> = (0..count)
            .map(|i| {
                let mut event = s.events[((q.since + i) % s.events.len() as u64) as usize].clone();
                // Every event its own, as a hub's would be.
                event.id = Uuid::now_v7();
                if matches!(event.body, EventBody::Received { .. }) {
                    event.case_id = CaseId(Uuid::now_v7());
                }
                SequencedEvent { seq: q.since + i + 1, event, signature: None }
            })
            .collect();
        let next_cursor = next_cursor.unwrap_or(q.since + count);
        json(&PullResponse { events, next_cursor, has_more })
    };
    match s.attack {
        Attack::HugePage => lazy_body(&s, "{\"events\":[", GIB).into_response(),
        Attack::HugeError => {
            (StatusCode::INTERNAL_SERVER_ERROR, lazy_body(&s, "{\"code\":\"internal\",\"message\":\"", GIB))
                .into_response()
        }
        Attack::HugeCursor => page(s.events.len() as u64, false, Some(i64::MAX as u64)),
        Attack::Endless => page(limit, true, None),
        Attack::Foreign if q.since < 3 * limit => page(limit, true, None),
        _ => page(0, false, None),
    }
}

/// `GET /v1/reconciliation`: full pages without end (`Endless`), or an event a page with "more"
/// (`Dribble`); nothing otherwise.
async fn reconciliation(
    State(s): State<Arc<Hostile>>,
    Query(q): Query<tongban_wire::events::ReconciliationQuery>,
) -> Response {
    s.pages.fetch_add(1, Ordering::Relaxed);
    let limit = q.limit.unwrap_or(2000) as u64;
    let count = match s.attack {
        Attack::Endless => limit,
        Attack::Dribble => 1,
        _ => 0,
    };
    let events = (1..=count)
        .map(|i| tongban_wire::events::HeldEvent {
            seq: q.since + i,
            id: Uuid::now_v7(),
            case_id: CaseId(Uuid::now_v7()),
            kind: tongban_core::case::EventKind::Accepted,
            at: Utc::now(),
        })
        .collect();
    json(&tongban_wire::events::ReconciliationPage { events, next_cursor: q.since + count, has_more: count > 0 })
}

async fn catalog(State(s): State<Arc<Hostile>>) -> Response {
    match s.attack {
        Attack::HugeCatalog => lazy_body(&s, "{\"version\":\"1\",", GIB).into_response(),
        _ => (StatusCode::NOT_FOUND, json(&tongban_wire::ErrorBody::new(tongban_wire::ErrorCode::NoCatalog, "无")))
            .into_response(),
    }
}

async fn calendar(State(s): State<Arc<Hostile>>) -> Response {
    match s.attack {
        Attack::HugeCalendar => lazy_body(&s, "{\"years\":[", GIB).into_response(),
        _ => (StatusCode::NOT_FOUND, json(&tongban_wire::ErrorBody::new(tongban_wire::ErrorCode::NotFound, "无")))
            .into_response(),
    }
}

/// Serves the hostile hub on a loopback port until the test ends.
async fn serve(hostile: Hostile) -> (String, Arc<Hostile>) {
    let state = Arc::new(hostile);
    let app = Router::new()
        .route("/health", get(health))
        .route("/v1/desk", put(desk))
        .route("/v1/events", get(events))
        .route("/v1/catalog", get(catalog))
        .route("/v1/calendar", get(calendar))
        .route("/v1/reconciliation", get(reconciliation))
        // A hub that keeps no audit heads (as one from before them answers).
        .route(
            "/v1/audit/head",
            axum::routing::post(|| async {
                (StatusCode::NOT_FOUND, json(&tongban_wire::ErrorBody::new(tongban_wire::ErrorCode::NotFound, "无")))
            }),
        )
        .with_state(state.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

/// A 新野县 helper desk (H1) set up two days ago, with the hostile hub as 丰台区's.
fn helper_desk(dir: &std::path::Path, url: &str) -> Store {
    let mut store = Store::create(&dir.join("helper.db")).unwrap();
    let setup = DeskSetup {
        region: XINYE.into(),
        hall: "政务服务中心".into(),
        window_name: "跨省通办窗口".into(),
        desk_code: "H1".into(),
        first_user: User { login: "wang".into(), display_name: "王晓丽".into(), role: "helper".into() },
    };
    store.init_desk_with(&setup, Some(PASSWORD), &[], Utc::now() - chrono::Duration::days(2)).unwrap();
    add_hub(&mut store, FENGTAI, url, "token");
    store
}

/// Intakes as a hub would send them, none of which this desk took in: another desk's of its
/// region, one forged under this desk's own id and clerk, one under its desk code received after
/// it was set up, one of another region; and decisions on cases it does not hold.
fn foreign_events(desk: &Store) -> Vec<CaseEvent> {
    let dir = tempfile::tempdir().unwrap();
    let mut other = support::desk(dir.path(), "other", XINYE, "A2");
    add_hub(&mut other, FENGTAI, "http://127.0.0.1:1", "t");
    take_in_cases(&mut other, 1, 0);
    let intake = other.outbox_for_hub(FENGTAI, 1).unwrap().remove(0).event;
    let me = desk.require_desk().unwrap();
    let renumber = |event: &CaseEvent, region: &str, code: &str| {
        let mut event = event.clone();
        if let EventBody::Received { intake } = &mut event.body {
            let code = tongban_core::case::DeskCode::parse(code).unwrap();
            intake.number = CaseNumber::compose(region, intake.received_on, &code, 7);
            intake.receiving_region = region.to_string();
        }
        event.author.region = region.to_string();
        event
    };
    let another_desks = intake.clone();
    let mut forged = renumber(&intake, XINYE, "H1");
    forged.author = Author { user: "wang".into(), desk: me.id.clone(), region: XINYE.into(), name: "王晓丽".into() };
    let mut after_setup = renumber(&intake, XINYE, "H1");
    after_setup.author.desk = Uuid::now_v7().to_string();
    let other_region = renumber(&intake, "310101", "A1");
    let decision = |body| CaseEvent {
        id: Uuid::now_v7(),
        case_id: CaseId(Uuid::now_v7()),
        at: Utc::now(),
        author: Author { user: "zhao".into(), desk: "s1".into(), region: FENGTAI.into(), name: "赵敏".into() },
        body,
    };
    vec![another_desks, forged, after_setup, other_region, decision(EventBody::Accepted)]
}

fn settings() -> SyncSettings {
    SyncSettings { request_timeout: Duration::from_secs(60), ..fast_settings() }
}

/// Runs one round and checks that nothing of the hostile hub's was stored.
async fn round(store: Store) -> (Result<RoundReport, SyncError>, std::path::PathBuf) {
    let path = store.path().to_path_buf();
    let mut results = sync_once(store, &settings()).await.unwrap();
    let (_, outcome) = results.remove(0);
    (outcome, path)
}

fn assert_nothing_stored(path: &std::path::Path) {
    let store = reopen(path);
    assert_eq!(store.case_count().unwrap(), 0, "no case from the hostile hub");
    assert!(store.quarantined().unwrap().is_empty(), "nothing of it in the quarantine");
    assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, 0, "the cursor did not move");
}

/// The most this process has held resident, in MiB (Linux).
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_of_a_gibibyte_are_refused_while_they_arrive_and_nothing_is_stored() {
    let cases = [
        (Attack::HugeHealth, "健康检查超过 4 KiB 的上限"),
        (Attack::AnnouncedHealth, "健康检查超过 4 KiB 的上限"),
        (Attack::HugePage, "拉取结果超过 31 MiB 的上限"),
        (Attack::HugeError, "错误说明超过 64 KiB 的上限"),
        (Attack::HugeCatalog, "事项清单超过 16 MiB 的上限"),
        (Attack::HugeCalendar, "节假日安排目录超过 1 MiB 的上限"),
    ];
    for (attack, expected) in cases {
        let hostile = Hostile {
            attack,
            region: FENGTAI.into(),
            role: "helper".into(),
            events: vec![],
            streamed: AtomicU64::new(0),
            pages: AtomicU64::new(0),
        };
        let (url, state) = serve(hostile).await;
        let dir = tempfile::tempdir().unwrap();
        let store = helper_desk(dir.path(), &url);
        let started = Instant::now();
        let (outcome, path) = round(store).await;
        let error = outcome.expect_err("a 1 GiB answer is refused");
        assert_eq!(error.code(), "hub_garbled", "{attack:?}: {error}");
        assert!(error.to_string().contains(expected), "{attack:?}: {error}");
        let streamed = state.streamed.load(Ordering::Relaxed);
        assert!(streamed < 64 * 1024 * 1024, "{attack:?}: the desk stopped reading after {streamed} bytes");
        assert!(started.elapsed() < Duration::from_secs(30), "{attack:?}: {:?}", started.elapsed());
        assert_nothing_stored(&path);
        eprintln!("{attack:?}: refused after {} KiB in {:?}: {error}", streamed / 1024, started.elapsed());
    }
    let peak = peak_rss_mib();
    eprintln!("peak resident memory of the test process: {peak} MiB");
    assert!(peak < 200, "peak RSS {peak} MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_past_its_page_is_refused_whole_and_the_cursor_stays() {
    let dir = tempfile::tempdir().unwrap();
    let store = helper_desk(dir.path(), "http://127.0.0.1:1");
    let events = foreign_events(&store);
    drop(store);
    let hostile = Hostile {
        attack: Attack::HugeCursor,
        region: FENGTAI.into(),
        role: "helper".into(),
        events,
        streamed: AtomicU64::new(0),
        pages: AtomicU64::new(0),
    };
    let (url, _) = serve(hostile).await;
    let mut store = reopen(&dir.path().join("helper.db"));
    add_hub(&mut store, FENGTAI, &url, "token");
    let (outcome, path) = round(store).await;
    let error = outcome.expect_err("a cursor past the page is refused");
    assert!(error.to_string().contains("拉取结果的游标 9223372036854775807 不是本页最后一个事件的序号 5"), "{error}");
    assert_nothing_stored(&path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_with_more_without_end_is_pulled_a_bounded_number_of_pages_per_round() {
    let dir = tempfile::tempdir().unwrap();
    let store = helper_desk(dir.path(), "http://127.0.0.1:1");
    let events = foreign_events(&store);
    drop(store);
    let hostile = Hostile {
        attack: Attack::Endless,
        region: FENGTAI.into(),
        role: "helper".into(),
        events,
        streamed: AtomicU64::new(0),
        pages: AtomicU64::new(0),
    };
    let (url, state) = serve(hostile).await;
    let mut store = reopen(&dir.path().join("helper.db"));
    add_hub(&mut store, FENGTAI, &url, "token");
    let started = Instant::now();
    let (outcome, path) = round(store).await;
    let report = outcome.unwrap();
    let pages = state.pages.load(Ordering::Relaxed) as usize;
    assert_eq!(pages, tongban_sync::round::PULL_PAGES_PER_ROUND);
    assert!(report.more_to_pull);
    let limit = settings().pull_limit as usize;
    assert_eq!((report.pulled, report.pulled_quarantined, report.out_of_scope), (0, 0, pages * limit));
    eprintln!("endless hub: {pages} pages, {} events refused in {:?}", report.out_of_scope, started.elapsed());
    let store = reopen(&path);
    assert_eq!(store.case_count().unwrap(), 0);
    assert!(store.quarantined().unwrap().is_empty());
    // The refused events are behind the cursor: the next round goes on after them.
    assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, (pages * limit) as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intakes_the_desk_never_took_in_are_refused_and_counted_never_queued() {
    for (role, region) in [("helper", XINYE), ("window", XINYE), ("back_office", FENGTAI)] {
        let dir = tempfile::tempdir().unwrap();
        let store = if region == XINYE {
            helper_desk(dir.path(), "http://127.0.0.1:1")
        } else {
            support::desk(dir.path(), "helper", FENGTAI, "S2")
        };
        let mut events = foreign_events(&store);
        if region == FENGTAI {
            // A back office holds its region's inbox: intakes its region does not handle are not it.
            for event in &mut events {
                if let EventBody::Received { intake } = &mut event.body {
                    intake.form.handling_region = "310101".into();
                }
            }
        }
        drop(store);
        let hostile = Hostile {
            attack: Attack::Foreign,
            region: FENGTAI.into(),
            role: role.into(),
            events,
            streamed: AtomicU64::new(0),
            pages: AtomicU64::new(0),
        };
        let (url, state) = serve(hostile).await;
        let mut store = reopen(&dir.path().join("helper.db"));
        add_hub(&mut store, FENGTAI, &url, "token");
        let (outcome, path) = round(store).await;
        let report = outcome.unwrap();
        let limit = settings().pull_limit as usize;
        assert_eq!(
            (report.pulled, report.pulled_quarantined, report.out_of_scope),
            (0, 0, 3 * limit),
            "{role}: {report:?}"
        );
        assert!(!report.more_to_pull);
        assert_eq!(state.pages.load(Ordering::Relaxed), 4);
        let store = reopen(&path);
        assert_eq!(store.case_count().unwrap(), 0, "{role}");
        assert!(store.quarantined().unwrap().is_empty(), "{role}");
        assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, 3 * limit as u64);
    }
}

/// For measuring the real `tongban sync --once` binary: serves one attack until killed, printing
/// the desk database to sync. `TONGBAN_HOSTILE=HugePage cargo test -p tongban-sync --test hostile
/// -- --ignored --nocapture serve_for_measurement`, then `/usr/bin/time -v tongban --db <db> sync
/// --once` in another shell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "serves until killed; for measuring the CLI's peak memory by hand"]
async fn serve_for_measurement() {
    let attack = match std::env::var("TONGBAN_HOSTILE").as_deref() {
        Ok("HugeHealth") => Attack::HugeHealth,
        Ok("HugeError") => Attack::HugeError,
        Ok("HugeCatalog") => Attack::HugeCatalog,
        Ok("HugeCalendar") => Attack::HugeCalendar,
        Ok("Endless") => Attack::Endless,
        _ => Attack::HugePage,
    };
    let dir = tempfile::tempdir().unwrap();
    let store = helper_desk(dir.path(), "http://127.0.0.1:1");
    let events = foreign_events(&store);
    drop(store);
    let hostile = Hostile {
        attack,
        region: FENGTAI.into(),
        role: "helper".into(),
        events,
        streamed: AtomicU64::new(0),
        pages: AtomicU64::new(0),
    };
    let (url, _) = serve(hostile).await;
    let mut store = reopen(&dir.path().join("helper.db"));
    add_hub(&mut store, FENGTAI, &url, "token");
    println!("{attack:?} at {url}; desk database: {}", store.path().display());
    drop(store);
    std::future::pending::<()>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_sending_events_that_do_not_fit_by_the_thousand_fills_the_quarantine_by_a_page_at_most() {
    let dir = tempfile::tempdir().unwrap();
    let store = support::desk(dir.path(), "helper", FENGTAI, "S2");
    // Its region's inbox, so in scope for a back office, but by an author of neither region.
    let mut events = foreign_events(&store);
    let me = store.require_desk().unwrap().id;
    events.retain(|e| match &e.body {
        EventBody::Received { intake } => intake.receiving_region == XINYE && e.author.desk != me,
        _ => false,
    });
    for event in &mut events {
        event.author.region = "310101".into();
    }
    drop(store);
    let hostile = Hostile {
        attack: Attack::Endless,
        region: FENGTAI.into(),
        role: "back_office".into(),
        events,
        streamed: AtomicU64::new(0),
        pages: AtomicU64::new(0),
    };
    let (url, state) = serve(hostile).await;
    let mut store = reopen(&dir.path().join("helper.db"));
    add_hub(&mut store, FENGTAI, &url, "token");
    let (outcome, path) = round(store).await;
    let error = outcome.expect_err("the round stops");
    assert!(error.to_string().contains("与本机办件不符，已放入隔离区并停止拉取"), "{error}");
    assert_eq!(state.pages.load(Ordering::Relaxed), 1, "no page after the first");
    let store = reopen(&path);
    assert_eq!(store.case_count().unwrap(), 0);
    let limit = settings().pull_limit as usize;
    assert!(store.quarantined().unwrap().len() <= limit, "a page at most");
}

/// A 对账 with a hub that answers "more" without end: refused once the events read pass the cap
/// (full pages), or at once when a page claiming more is not full (an event a page would keep
/// the desk asking for hours under any cap on events). Nothing is recorded as the last 对账.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconciliation_that_never_ends_is_refused_with_memory_and_requests_bounded() {
    for (attack, cap, said) in [
        (Attack::Endless, 5_000, "对账结果超过 5000 个事件，请缩短对账期间"),
        (Attack::Dribble, tongban_sync::reconcile::MAX_HELD_EVENTS, "对账结果声称还有更多事件，却只有 1 个"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let hostile = Hostile {
            attack,
            region: FENGTAI.into(),
            role: "helper".into(),
            events: Vec::new(),
            streamed: AtomicU64::new(0),
            pages: AtomicU64::new(0),
        };
        let (url, state) = serve(hostile).await;
        let store = helper_desk(dir.path(), &url);
        let client = tongban_sync::client::HubClient::for_hub(&store.hub(FENGTAI).unwrap(), &settings()).unwrap();
        let today = Utc::now().date_naive();
        let refused = tongban_sync::reconcile::read_at_hub(&client, &url, (today, today), cap).await.unwrap_err();
        assert!(
            matches!(refused, SyncError::Garbled { .. }) && refused.to_string().contains(said),
            "{attack:?}: {refused}"
        );
        let pages = state.pages.load(Ordering::Relaxed);
        assert!(pages <= (cap as u64).div_ceil(2000) + 1, "{attack:?}: {pages} pages");
        if attack == Attack::Dribble {
            // The whole 对账 through the desk: refused the same way, nothing kept as its last.
            let settings = settings();
            let whole = tongban_sync::reconcile::reconcile(&store, FENGTAI, today, today, 7, Utc::now(), &settings);
            assert!(whole.await.unwrap_err().to_string().contains(said));
            assert!(store.last_reconciliation(FENGTAI).unwrap().is_none());
        }
    }
}
