//! What the sync stories share: desks on real database files, a hub served in-process on
//! loopback, and a TCP proxy that misbehaves between them.
#![allow(dead_code)] // each story uses its own part

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tongban_core::applicant::Applicant;
use tongban_core::case::{CaseId, IntakeForm};
use tongban_hub::{Hub, Role};
use tongban_store::{DeskSetup, HubSetup, Store, User};
use tongban_sync::SyncSettings;

/// 新野县: where the helper takes cases in.
pub const XINYE: &str = "411329";
/// 北京市丰台区: the partner that handles them, and runs the hub.
pub const FENGTAI: &str = "110106";

/// Settings for loopback: short timeouts and waits so a fault costs milliseconds, not minutes.
pub fn fast_settings() -> SyncSettings {
    SyncSettings {
        interval: Duration::from_millis(200),
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(300),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(3),
        push_batch: 200,
        pull_limit: 500,
        chunk_size: 64 * 1024,
        ..SyncSettings::default()
    }
}

/// A 丰台区 hub database with credentials for 新野县's helper laptop (H1) and window (A1), and one
/// for 丰台区's back office (S1).
pub struct HubFiles {
    pub dir: TempDir,
    pub db: PathBuf,
    /// 新野县's helper desk H1.
    pub partner_token: String,
    /// 新野县's window desk A1.
    pub window_token: String,
    pub back_office_token: String,
}

impl HubFiles {
    pub fn create() -> HubFiles {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("hub.db");
        let hub = Hub::open(&db, Some(FENGTAI)).unwrap();
        let now = Utc::now();
        let issue = |region, role, code, desk| hub.issue_credential(region, role, Some(code), desk, now).unwrap().token;
        let partner_token = issue(Some(XINYE), Role::Helper, "H1", "新野县帮办代办员");
        let window_token = issue(Some(XINYE), Role::Window, "A1", "新野县跨省通办专窗");
        let back_office_token = issue(None, Role::BackOffice, "S1", "丰台区行政审批局");
        HubFiles { dir, db, partner_token, window_token, back_office_token }
    }

    /// A helper credential (H1) for `region`, issued while the hub may be serving.
    pub fn issue_partner(&self, region: &str) -> String {
        let hub = Hub::open(&self.db, None).unwrap();
        hub.issue_credential(Some(region), Role::Helper, Some("H1"), "合作地区帮办", Utc::now()).unwrap().token
    }

    /// Publishes `catalog` on the hub, as 丰台区's admin would (`PUT /v1/catalog`).
    pub fn publish(&self, catalog: &tongban_core::catalog::Catalog) {
        let hub = Hub::open(&self.db, None).unwrap();
        let admin = hub.issue_credential(None, Role::Admin, None, "丰台区管理员", Utc::now()).unwrap();
        let content = serde_json::value::RawValue::from_string(serde_json::to_string(catalog).unwrap()).unwrap();
        let upload = tongban_wire::catalog::CatalogUpload { version: catalog.version.clone(), content };
        hub.publish_catalog(&admin.credential, upload, Utc::now()).unwrap();
    }

    /// Counts straight from the hub's database: (cases, events, distinct event ids, blobs).
    pub fn counts(&self) -> (u64, u64, u64, u64) {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, u64>(0)).unwrap();
        (
            one("SELECT count(*) FROM cases"),
            one("SELECT count(*) FROM events"),
            one("SELECT count(DISTINCT id) FROM events"),
            one("SELECT count(*) FROM blobs"),
        )
    }
}

/// A service of this test on a loopback port, stopped when dropped.
pub struct Served {
    pub addr: SocketAddr,
    stop: CancellationToken,
}

impl Served {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The hub served in-process.
pub struct ServedHub;

impl ServedHub {
    pub async fn start(files: &HubFiles) -> Served {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = CancellationToken::new();
        let config = tongban_hub::HubConfig { db: files.db.clone(), ..Default::default() };
        let stopped = stop.clone();
        tokio::spawn(async move {
            tongban_hub::serve(listener, config, async move { stopped.cancelled().await }).await.unwrap()
        });
        Served { addr, stop }
    }
}

/// The test desks' user's password.
pub const PASSWORD: &str = "测试密码2026";

/// The desk database at `path`, opened as its user logs in (a second connection, as the sync
/// engine has).
pub fn reopen(path: &Path) -> Store {
    Store::unlock(path, "wang", PASSWORD, Utc::now()).unwrap()
}

/// A desk set up in `region` on a fresh database in `dir`.
pub fn desk(dir: &Path, name: &str, region: &str, desk_code: &str) -> Store {
    let mut store = Store::create(&dir.join(format!("{name}.db"))).unwrap();
    store
        .init_desk_with(
            &DeskSetup {
                region: region.into(),
                hall: "政务服务中心".into(),
                window_name: "跨省通办窗口".into(),
                desk_code: desk_code.into(),
                first_user: User { login: "wang".into(), display_name: "王晓丽".into(), role: "helper".into() },
            },
            Some(PASSWORD),
            &[],
            Utc::now(),
        )
        .unwrap();
    store
}

pub fn add_hub(store: &mut Store, region: &str, url: &str, token: &str) {
    let setup =
        HubSetup {
            region: region.into(), name: "北京市丰台区".into(), url: url.into(), credential: token.into()
        };
    store.add_hub(&setup, Utc::now()).unwrap();
}

/// A complete intake for 丰台区 (the demo's first sample) by `applicant`, with a scan of the ID
/// card attached, or none.
pub fn intake_form(applicant: &str, scan: Option<String>) -> IntakeForm {
    let mut form = tongban_fixtures::sample_form(0);
    assert_eq!(form.handling_region, FENGTAI, "the demo's first sample is for 丰台区");
    if let Applicant::Person(person) = &mut form.applicant {
        person.name = applicant.to_string();
    }
    form.materials[0].scans = scan.into_iter().collect();
    form
}

/// A 丰台区 catalog at `version` whose one item is what `form` takes in, with its materials.
pub fn catalog_for(form: &IntakeForm, version: &str) -> tongban_core::catalog::Catalog {
    use tongban_core::catalog::{Catalog, CatalogItem, CatalogMaterial, DeliveryOption, HandlingMode};
    Catalog {
        region: FENGTAI.into(),
        version: version.into(),
        note: String::new(),
        items: vec![CatalogItem {
            code: form.item.code.clone(),
            implementation_code: String::new(),
            name: form.item.name.clone(),
            domain: "社保".into(),
            department: form.item.department.clone(),
            mode: HandlingMode::ProxyReceipt,
            legal_days: Some(form.item.promised_days),
            accepted_by: String::new(),
            decided_by: String::new(),
            fee_basis: String::new(),
            kind: form.item.kind,
            basis: form.item.basis.clone(),
            conditions: String::new(),
            applicants: Default::default(),
            legal_unit: Default::default(),
            legal_extension: None,
            promised_unit: Default::default(),
            promised_online_days: None,
            promised_days: form.item.promised_days,
            fee: Default::default(),
            delivery: vec![DeliveryOption::AtWindow],
            materials: form
                .materials
                .iter()
                .map(|m| CatalogMaterial {
                    name: m.name.clone(),
                    form: m.form,
                    copies: m.copies,
                    condition: m.condition.clone(),
                    standard: m.standard.clone(),
                    e_license: None,
                    ..Default::default()
                })
                .collect(),
        }],
        bundles: vec![],
        contacts: vec![],
    }
}

/// Takes in `count` cases, each with its own scan of `scan_size` bytes (0: no scan).
pub fn take_in_cases(store: &mut Store, count: usize, scan_size: usize) -> Vec<CaseId> {
    (0..count)
        .map(|i| {
            let scan = (scan_size > 0).then(|| {
                let bytes = scan_bytes(i, scan_size);
                store.put_blob(&bytes, "image/jpeg", &format!("身份证{i}.jpg"), Utc::now()).unwrap().sha256
            });
            store.create_case(&intake_form(&format!("申请人{i}"), scan), "wang", Utc::now()).unwrap().0
        })
        .collect()
}

/// Bytes that differ per case, so every scan is its own blob.
pub fn scan_bytes(seed: usize, size: usize) -> Vec<u8> {
    let mut state = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// How often the proxy does each bad thing to a new connection, in percent.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// Close at once, before reading anything.
    pub drop: u32,
    /// Send a TCP reset.
    pub reset: u32,
    /// Accept and never answer (the desk's request timeout ends it).
    pub hang: u32,
    /// Wait up to 400 ms before connecting through.
    pub delay: u32,
    /// Pass under 96 KiB, then close mid-request or mid-answer.
    pub cut: u32,
    /// Every other connection is still cut somewhere within this many bytes, so a kept-alive
    /// connection breaks mid-sync too, not only when it is opened.
    pub lifetime_bytes: u32,
}

impl Faults {
    pub const NASTY: Faults = Faults { drop: 8, reset: 8, hang: 2, delay: 10, cut: 12, lifetime_bytes: 1024 * 1024 };

    fn fate(&self, random: &mut XorShift) -> Fate {
        let roll = random.below(100);
        let cut_at = |limit: u32, random: &mut XorShift| Fate::Cut {
            after: random.below(limit.max(1)) as usize,
            in_request: random.below(2) == 0,
        };
        let bounds = [self.drop, self.reset, self.hang, self.delay, self.cut];
        let mut below = 0;
        for (kind, share) in bounds.into_iter().enumerate() {
            below += share;
            if roll < below {
                return match kind {
                    0 => Fate::Drop,
                    1 => Fate::Reset,
                    2 => Fate::Hang,
                    3 => Fate::Delay(Duration::from_millis(random.below(400) as u64), self.lifetime_bytes),
                    _ => cut_at(96 * 1024, random),
                };
            }
        }
        cut_at(self.lifetime_bytes, random)
    }
}

/// What the proxy does to one connection.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Drop,
    Reset,
    Hang,
    /// Wait, then pass with a lifetime of up to this many bytes.
    Delay(Duration, u32),
    /// Pass `after` bytes one way, then close both.
    Cut {
        after: usize,
        in_request: bool,
    },
}

/// A TCP proxy on loopback that forwards to `upstream`, misbehaving as `faults` says. A seed
/// makes a failing run repeatable (`TONGBAN_PROXY_SEED`).
pub struct FaultyProxy;

impl FaultyProxy {
    pub async fn start(upstream: SocketAddr, faults: Faults) -> Served {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seed = std::env::var("TONGBAN_PROXY_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| Utc::now().timestamp_nanos_opt().unwrap_or(1) as u64 | 1);
        eprintln!("faulty proxy seed {seed} (TONGBAN_PROXY_SEED to repeat)");
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        tokio::spawn(async move {
            let mut random = XorShift(seed);
            // The first connection is always cut in its answer, so every run, whatever the seed,
            // breaks at least one round.
            let mut first = true;
            loop {
                let (client, _) = tokio::select! {
                    _ = stopped.cancelled() => return,
                    accepted = listener.accept() => match accepted { Ok(a) => a, Err(_) => continue },
                };
                let mut fate = if std::mem::take(&mut first) {
                    Fate::Cut { after: 10, in_request: false }
                } else {
                    faults.fate(&mut random)
                };
                if let Fate::Delay(wait, lifetime) = fate {
                    fate = Fate::Cut { after: random.below(lifetime.max(1)) as usize, in_request: false };
                    tokio::spawn(forward_later(client, upstream, wait, fate, stopped.clone()));
                    continue;
                }
                tokio::spawn(forward_later(client, upstream, Duration::ZERO, fate, stopped.clone()));
            }
        });
        Served { addr, stop }
    }
}

async fn forward_later(client: TcpStream, upstream: SocketAddr, wait: Duration, fate: Fate, stop: CancellationToken) {
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = async {
            tokio::time::sleep(wait).await;
            serve_connection(client, upstream, fate).await
        } => {}
    }
}

async fn serve_connection(client: TcpStream, upstream: SocketAddr, fate: Fate) {
    let (after, in_request) = match fate {
        Fate::Drop => return, // the client sees its connection closed
        Fate::Reset => {
            let _ = client.set_zero_linger(); // closing now sends RST
            return;
        }
        Fate::Hang => {
            let mut client = client;
            let mut sink = vec![0u8; 16 * 1024];
            while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {}
            return;
        }
        Fate::Cut { after, in_request } => (after, in_request),
        Fate::Delay(..) => unreachable!("a delay is turned into a cut when accepted"),
    };
    let Ok(server) = TcpStream::connect(upstream).await else { return };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let (up, down) = if in_request { (Some(after), None) } else { (None, Some(after)) };
    // Whichever direction ends first ends the connection: both halves are dropped together.
    tokio::select! {
        _ = pipe(client_read, server_write, up) => {}
        _ = pipe(server_read, client_write, down) => {}
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    budget: Option<usize>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut passed = 0usize;
    loop {
        let n = match from.read(&mut buf).await {
            // HTTP never half-closes: one side done means the connection is done.
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                return;
            }
            Ok(n) => n,
        };
        if let Some(limit) = budget {
            if passed + n > limit {
                let _ = to.write_all(&buf[..limit - passed]).await;
                return;
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
        passed += n;
    }
}

struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as u32
    }
}

/// Runs `sync_once` until a round with every hub succeeds, at most `rounds` times; the rounds
/// that failed, with their messages.
pub async fn sync_until_clean(db: &Path, settings: &SyncSettings, rounds: usize) -> Vec<String> {
    let mut failures = Vec::new();
    for _ in 0..rounds {
        let results = tongban_sync::sync_once(reopen(db), settings).await.unwrap();
        let errors: Vec<String> = results.iter().filter_map(|(_, r)| r.as_ref().err().map(|e| e.to_string())).collect();
        if errors.is_empty() {
            return failures;
        }
        failures.extend(errors);
    }
    panic!(
        "sync did not come through in {rounds} rounds; last errors: {:?}",
        &failures[failures.len().saturating_sub(5)..]
    );
}
