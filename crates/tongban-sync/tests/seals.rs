//! Decisions sealed by the deciding region's hub, checked by the desk: a real hub served
//! in-process, and between it and the desk a man in the middle (an HTTP proxy on loopback) that
//! forwards everything and, when told, changes what the hub sends: a 受理 turned into 不予受理 on
//! the way, a decision signed with its own key, seals stripped, and its own key presented as the
//! hub's. None of it is applied; the true decision arrives once the path is clean again.

mod support;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::Utc;
use tokio::net::TcpListener;
use tongban_core::case::{CaseId, CaseStatus, EventBody};
use tongban_core::seal::HubSigner;
use tongban_hub::{Authenticated, Hub};
use tongban_store::{SealCheck, Store};
use tongban_sync::{sync_once, RoundReport, SyncError};
use tongban_wire::decisions::{Decision, DecisionRequest};
use tongban_wire::desks::DeskClaim;
use tongban_wire::events::PullResponse;
use tongban_wire::Health;
use uuid::Uuid;

use support::*;

/// What the man in the middle does to the hub's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// Forwards everything unchanged.
    Clean,
    /// Turns every 受理 into 不予受理, keeping the hub's seal.
    Tamper,
    /// Turns every 受理 into 不予受理 and seals it with its own key.
    Resign,
    /// Sends the events without their seals.
    Strip,
    /// Presents its own key as the hub's and seals what it changed with it.
    Impersonate,
    /// Presents no key at all, as a hub from before seals did, and strips the seals.
    NoKey,
    /// Changes the catalog served (another 承诺时限) and gives it the matching SHA-256.
    TamperCatalog,
}

struct Middle {
    upstream: String,
    path: Mutex<Path>,
    own_key: HubSigner,
    http: reqwest::Client,
}

async fn forward(State(m): State<Arc<Middle>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let url = format!("{}{}", m.upstream, uri.path_and_query().map_or("/", |p| p.as_str()));
    let mut request = m.http.request(method, &url).body(body);
    for name in ["authorization", "content-type", "if-none-match"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    let answer = request.send().await.unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let bytes = answer.bytes().await.unwrap();
    let path = *m.path.lock().unwrap();
    let body = match (uri.path(), status.is_success()) {
        ("/health", true) if path == Path::Impersonate => {
            let mut health: Health = serde_json::from_slice(&bytes).unwrap();
            health.signing_key = Some(m.own_key.public().to_hex());
            serde_json::to_vec(&health).unwrap()
        }
        ("/health", true) if path == Path::NoKey => {
            let mut health: Health = serde_json::from_slice(&bytes).unwrap();
            health.signing_key = None;
            serde_json::to_vec(&health).unwrap()
        }
        ("/v1/catalog", true) if path == Path::TamperCatalog => {
            let mut document: tongban_wire::catalog::CatalogDocument = serde_json::from_slice(&bytes).unwrap();
            let mut catalog: serde_json::Value = serde_json::from_str(document.content.get()).unwrap();
            catalog["items"][0]["promised_days"] = serde_json::json!(1);
            let content = serde_json::to_string(&catalog).unwrap();
            use sha2::Digest;
            document.sha256 = hex::encode(sha2::Sha256::digest(content.as_bytes()));
            document.content = serde_json::value::RawValue::from_string(content).unwrap();
            serde_json::to_vec(&document).unwrap()
        }
        ("/v1/events", true) => match serde_json::from_slice::<PullResponse>(&bytes) {
            Ok(mut page) => {
                for sequenced in &mut page.events {
                    if matches!(path, Path::Strip | Path::NoKey) {
                        sequenced.signature = None;
                    }
                    if matches!(sequenced.event.body, EventBody::Accepted)
                        && matches!(path, Path::Tamper | Path::Resign | Path::Impersonate)
                    {
                        sequenced.event.body =
                            EventBody::Refused { reason: "材料不符合要求（途中伪造）".into() };
                        if matches!(path, Path::Resign | Path::Impersonate) {
                            sequenced.signature = Some(m.own_key.seal(FENGTAI, &sequenced.event));
                        }
                    }
                }
                serde_json::to_vec(&page).unwrap()
            }
            // A push's answer: passed on as it is.
            Err(_) => bytes.to_vec(),
        },
        _ => bytes.to_vec(),
    };
    (status, [("content-type", "application/json")], body).into_response()
}

async fn middle(upstream: String) -> (String, Arc<Middle>) {
    let state = Arc::new(Middle {
        upstream,
        path: Mutex::new(Path::Clean),
        own_key: HubSigner::from_seed(&[0x66; 32]),
        http: reqwest::Client::new(),
    });
    let app = Router::new().fallback(forward).with_state(state.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

/// 丰台区's back office accepts `case` at the hub (as a partner system would post it).
fn accept(files: &HubFiles, case: CaseId) {
    let hub = Hub::open(&files.db, None).unwrap();
    let live = |hub: &Hub| match hub.authenticate(&files.back_office_token).unwrap() {
        Authenticated::Live(c) => c,
        other => panic!("{other:?}"),
    };
    let claim = DeskClaim {
        desk_id: "fengtai-back-office".into(),
        region: FENGTAI.into(),
        desk_code: "S1".into(),
        name: "丰台区行政审批局".into(),
    };
    hub.confirm_desk(&live(&hub), &claim, Utc::now()).unwrap();
    let request = DecisionRequest {
        event_id: Uuid::now_v7(),
        user: "zhao".into(),
        user_name: "赵敏".into(),
        decision: Decision::Accept,
    };
    hub.decide(&live(&hub), case, request, Utc::now()).unwrap();
}

async fn round(db: &std::path::Path) -> Result<RoundReport, SyncError> {
    let store = Store::open(db).unwrap();
    sync_once(store, &fast_settings()).await.unwrap().remove(0).1
}

fn status(db: &std::path::Path, case: CaseId) -> CaseStatus {
    Store::open(db).unwrap().case_state(case).unwrap().status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_changed_on_the_way_or_sealed_by_another_key_is_held_never_applied() {
    let files = HubFiles::create();
    let hub_key = Hub::open(&files.db, None).unwrap().signer().public();
    let served = ServedHub::start(&files).await;
    let (url, middle) = middle(served.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut desk = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut desk, FENGTAI, &url, &files.partner_token);
    let cases = take_in_cases(&mut desk, 4, 0);
    let db = desk.path().to_path_buf();
    drop(desk);

    // The first contact pins the hub's key.
    round(&db).await.unwrap();
    let pinned = Store::open(&db).unwrap().pinned_key(FENGTAI).unwrap().expect("pinned on first contact");
    assert_eq!(pinned.key, hub_key.to_hex());
    assert_eq!(pinned.fingerprint, hub_key.fingerprint());
    assert!(!pinned.by_admin);

    for (case, path, code) in [
        (cases[0], Path::Tamper, "bad_signature"),
        (cases[1], Path::Resign, "bad_signature"),
        (cases[2], Path::Strip, "unsigned"),
    ] {
        accept(&files, case);
        *middle.path.lock().unwrap() = path;
        let cursor = Store::open(&db).unwrap().sync_state(FENGTAI).unwrap().pull_cursor;
        let error = round(&db).await.expect_err("a broken seal ends the round");
        assert_eq!(error.code(), "seal_broken", "{path:?}: {error}");
        assert!(error.to_string().contains("签名不符"), "{error}");
        assert_eq!(status(&db, case), CaseStatus::Pushed, "{path:?}: not applied");
        let store = Store::open(&db).unwrap();
        let held = store.quarantined().unwrap();
        let forged = held.iter().find(|q| q.event.case_id == case).expect("held for the admin to see");
        assert_eq!(forged.code, code, "{path:?}");
        assert!(matches!(forged.event.body, EventBody::Refused { .. } | EventBody::Accepted));
        assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, cursor, "{path:?}: asked for again next round");
        drop(store);
        // Released by a clerk, it is checked again and still refused.
        let mut store = Store::open(&db).unwrap();
        let refused = store.release_quarantined(forged.event.id, Utc::now()).unwrap_err();
        assert_eq!(refused.code(), code, "{refused}");
        // The path clean again, the true decision arrives and replaces what was held.
        *middle.path.lock().unwrap() = Path::Clean;
        drop(store);
        round(&db).await.unwrap();
        assert_eq!(status(&db, case), CaseStatus::Accepted, "{path:?}");
        assert!(Store::open(&db).unwrap().quarantined().unwrap().is_empty(), "{path:?}");
    }

    // A man in the middle presenting its own key as the hub's is refused before anything moves.
    accept(&files, cases[3]);
    *middle.path.lock().unwrap() = Path::Impersonate;
    let error = round(&db).await.expect_err("another key");
    assert_eq!(error.code(), "signing_key_changed", "{error}");
    assert!(error.to_string().contains(&hub_key.fingerprint()), "{error}");
    assert_eq!(status(&db, cases[3]), CaseStatus::Pushed);
    assert!(Store::open(&db).unwrap().quarantined().unwrap().is_empty());
    assert_eq!(Store::open(&db).unwrap().pinned_key(FENGTAI).unwrap().unwrap().key, hub_key.to_hex(), "kept");

    *middle.path.lock().unwrap() = Path::Clean;
    round(&db).await.unwrap();
    assert_eq!(status(&db, cases[3]), CaseStatus::Accepted);

    // Every decision applied carries the hub's seal, checked again offline from the database.
    let store = Store::open(&db).unwrap();
    for case in &cases {
        let events = store.events_of(*case).unwrap();
        let accepted = events.iter().find(|e| matches!(e.event.body, EventBody::Accepted)).unwrap();
        let seal = accepted.seal.as_ref().expect("sealed");
        assert_eq!(store.seal_check(&accepted.event, seal).unwrap(), SealCheck::Verified { region: FENGTAI.into() });
        assert!(events.iter().filter(|e| e.local).all(|e| e.seal.is_none()), "this desk's own are not sealed here");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_changed_on_the_way_is_not_installed() {
    let files = HubFiles::create();
    let form = intake_form("王建国", None);
    files.publish(&catalog_for(&form, "2026-11"));
    let served = ServedHub::start(&files).await;
    let (url, middle) = middle(served.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut desk = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut desk, FENGTAI, &url, &files.partner_token);
    let db = desk.path().to_path_buf();
    drop(desk);
    round(&db).await.unwrap();
    let held = |db: &std::path::Path| Store::open(db).unwrap().current_catalog(FENGTAI).unwrap().unwrap().catalog;
    assert_eq!(held(&db).version, "2026-11");

    files.publish(&catalog_for(&form, "2026-12"));
    *middle.path.lock().unwrap() = Path::TamperCatalog;
    let error = round(&db).await.expect_err("a changed catalog");
    assert_eq!(error.code(), "seal_broken", "{error}");
    assert!(error.to_string().contains("事项清单（版本 2026-12）签名不符"), "{error}");
    assert_eq!(held(&db).version, "2026-11", "the catalog held stays");

    *middle.path.lock().unwrap() = Path::Clean;
    round(&db).await.unwrap();
    let catalog = held(&db);
    assert_eq!((catalog.version.as_str(), catalog.items[0].promised_days), ("2026-12", form.item.promised_days));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_an_admin_entered_is_held_to_and_a_hub_without_one_is_refused() {
    let files = HubFiles::create();
    let hub_key = Hub::open(&files.db, None).unwrap().signer().public();
    let served = ServedHub::start(&files).await;
    let (url, middle) = middle(served.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut desk = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut desk, FENGTAI, &url, &files.partner_token);
    // The key from the partner's letter, before the first contact: the impostor is refused at once.
    desk.trust_hub_key(FENGTAI, &hub_key.to_hex(), Utc::now()).unwrap();
    let case = take_in_cases(&mut desk, 1, 0)[0];
    let db = desk.path().to_path_buf();
    drop(desk);
    *middle.path.lock().unwrap() = Path::Impersonate;
    let error = round(&db).await.expect_err("not the key entered");
    assert_eq!(error.code(), "signing_key_changed");
    assert_eq!(Store::open(&db).unwrap().sync_state(FENGTAI).unwrap().pending, 1, "the case waits on this desk");
    // Nor does a hub that hides its key get anywhere.
    *middle.path.lock().unwrap() = Path::NoKey;
    let error = round(&db).await.expect_err("no key presented");
    assert_eq!(error.code(), "signing_key_missing");
    assert!(error.to_string().contains(&hub_key.fingerprint()), "{error}");
    assert_eq!(Store::open(&db).unwrap().sync_state(FENGTAI).unwrap().pending, 1);

    *middle.path.lock().unwrap() = Path::Clean;
    round(&db).await.unwrap();
    accept(&files, case);
    round(&db).await.unwrap();
    assert_eq!(status(&db, case), CaseStatus::Accepted);
    assert!(Store::open(&db).unwrap().pinned_key(FENGTAI).unwrap().unwrap().by_admin);

    // An admin who trusts another key (the partner changed it) pulls everything again under it:
    // applying again is a no-op, and every seal must hold for the new key.
    let other = HubSigner::from_seed(&[9; 32]).public();
    let mut store = Store::open(&db).unwrap();
    store.trust_hub_key(FENGTAI, &other.to_hex(), Utc::now()).unwrap();
    assert_eq!(store.sync_state(FENGTAI).unwrap().pull_cursor, 0);
    drop(store);
    let error = round(&db).await.expect_err("the hub presents its own key, not the one trusted");
    assert_eq!(error.code(), "signing_key_changed");
    assert_eq!(status(&db, case), CaseStatus::Accepted, "nothing taken back");
}
