//! A hub started in-process on port 0 with one credential per kind of caller, and builders for
//! the events desks send.

use chrono::{NaiveDate, TimeZone, Utc};
use reqwest::{Method, RequestBuilder, Response};
use sha2::{Digest, Sha256};
use tongban_core::applicant::{Applicant, IdKind, Person};
use tongban_core::case::{
    Author, CaseEvent, CaseId, CaseNumber, DeskCode, EventBody, Intake, IntakeForm, ItemRef, Material, MaterialForm,
    ResultDelivery, Transfer,
};
use tongban_hub::{Hub, Limits, Role};
use tongban_wire::desks::DeskClaim;
use tongban_wire::events::{PullResponse, PushOutcome, PushRequest, PushResponse};
use tongban_wire::ErrorBody;
use uuid::Uuid;

pub use crate::cluster::TestDatabase;

/// 新野县: the hub's region, which handles the cases.
pub const HUB: &str = "411329";
/// 北京市朝阳区: a partner region taking cases in for 新野县.
pub const PARTNER: &str = "110105";
/// 南京市玄武区: another partner, which must not see 朝阳区's cases.
pub const OTHER: &str = "320102";

/// The id a test desk confirmed its credential with, and names as author: one per region and
/// desk code.
pub fn desk_id(region: &str, code: &str) -> String {
    format!("desk-{region}-{code}")
}

pub struct TestHub {
    pub url: String,
    /// Held so the database outlives the hub.
    database: TestDatabase,
    /// 朝阳区's window A1 (confirmed), the desk `intake(PARTNER, …)` and `author(PARTNER)` are.
    pub partner: String,
    /// 朝阳区's second window A2 (confirmed): must not see A1's cases.
    pub partner2: String,
    /// 朝阳区's helper laptop H1 (confirmed).
    pub helper: String,
    /// 朝阳区's supervisor D1 (confirmed): reads every 朝阳区 case, writes nothing.
    pub supervisor: String,
    /// 玄武区's window A1 (confirmed).
    pub other: String,
    /// 新野县's back office S1 (confirmed).
    pub back_office: String,
    /// 新野县's second back office S2 (confirmed).
    pub back_office2: String,
    /// 朝阳区's window A9, issued but never confirmed.
    pub unconfirmed: String,
    pub admin: String,
    pub revoked: String,
    /// The database (a SQLite file or a `postgres://` URL), for tests that look at what was stored.
    pub db: std::path::PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestHub {
    pub async fn start() -> TestHub {
        TestHub::with_limits(Limits::default()).await
    }

    pub async fn with_limits(limits: Limits) -> TestHub {
        TestHub::on(TestDatabase::new(), limits).await
    }

    /// A hub on `database`, whichever backend it is.
    pub async fn on(database: TestDatabase, limits: Limits) -> TestHub {
        let db = database.db.clone();
        let tokens = {
            let hub = Hub::open_with(&db, Some(&database.blob_dir), Some(HUB)).unwrap();
            let now = Utc::now();
            let issue = |region: &str, role, code: &str, desk: &str, confirm: bool| {
                let issued = hub.issue_credential(Some(region), role, Some(code), desk, now).unwrap();
                if confirm {
                    let claim = DeskClaim {
                        desk_id: desk_id(region, code),
                        region: region.into(),
                        desk_code: code.into(),
                        name: desk.into(),
                    };
                    hub.confirm_desk(&issued.credential, &claim, now).unwrap();
                }
                issued
            };
            let revoked = issue(PARTNER, Role::Window, "A8", "已停用窗口", true);
            hub.revoke_credential(revoked.credential.id, now).unwrap();
            [
                issue(PARTNER, Role::Window, "A1", "朝阳区政务服务中心1号窗", true).token,
                issue(PARTNER, Role::Window, "A2", "朝阳区政务服务中心2号窗", true).token,
                issue(PARTNER, Role::Helper, "H1", "朝阳区帮办代办员", true).token,
                issue(PARTNER, Role::Supervisor, "D1", "朝阳区督查科", true).token,
                issue(OTHER, Role::Window, "A1", "玄武区政务服务中心", true).token,
                issue(HUB, Role::BackOffice, "S1", "新野县行政审批局", true).token,
                issue(HUB, Role::BackOffice, "S2", "新野县行政审批局2号", true).token,
                issue(PARTNER, Role::Window, "A9", "朝阳区未确认窗口", false).token,
                hub.issue_credential(None, Role::Admin, None, "运维", now).unwrap().token,
                revoked.token,
            ]
        };
        let [partner, partner2, helper, supervisor, other, back_office, back_office2, unconfirmed, admin, revoked] =
            tokens;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let config = tongban_hub::HubConfig {
            db: db.clone(),
            blob_dir: Some(database.blob_dir.clone()),
            limits,
            ..Default::default()
        };
        tokio::spawn(async move {
            tongban_hub::serve(listener, config, async {
                let _ = stopped.await;
            })
            .await
            .unwrap()
        });
        TestHub {
            url,
            database,
            partner,
            partner2,
            helper,
            supervisor,
            other,
            back_office,
            back_office2,
            unconfirmed,
            admin,
            revoked,
            db,
            stop: Some(stop),
        }
    }

    /// The scans' folder the hub keeps.
    pub fn blob_dir(&self) -> &std::path::Path {
        &self.database.blob_dir
    }

    /// Runs `sql` on the hub's database directly (as an operator or an older version would).
    pub fn execute_sql(&self, sql: &str) {
        crate::cluster::execute_sql(&self.db, sql)
    }

    /// The address of a second hub serving the same database and scans' folder, as another
    /// process behind a load balancer does; with SQLite (one process by design), this one's.
    pub async fn second_process(&self) -> String {
        if !self.database.is_postgres {
            return self.url.clone();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let config = tongban_hub::HubConfig {
            db: self.db.clone(),
            blob_dir: Some(self.database.blob_dir.clone()),
            ..Default::default()
        };
        tokio::spawn(async move { tongban_hub::serve(listener, config, std::future::pending()).await.unwrap() });
        url
    }

    /// This hub opened again (as an admin command would), beside the one serving.
    pub fn open_again(&self) -> Hub {
        Hub::open_with(&self.db, Some(&self.database.blob_dir), None).unwrap()
    }

    pub fn api(&self, token: &str) -> Api {
        Api::with_token(self.url.clone(), token)
    }

    pub fn anonymous(&self) -> Api {
        Api { http: reqwest::Client::new(), base: self.url.clone(), token: None }
    }
}

pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    token: Option<String>,
}

impl Api {
    pub fn with_token(base: String, token: &str) -> Api {
        Api { http: reqwest::Client::new(), base, token: Some(token.to_string()) }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn push(&self, events: &[CaseEvent]) -> Vec<PushOutcome> {
        let response = self
            .request(Method::POST, "/v1/events")
            .json(&PushRequest { events: events.to_vec() })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        response.json::<PushResponse>().await.unwrap().outcomes
    }

    /// `PUT /v1/desk` as desk `code` of `region` (its id from [`desk_id`]); asserts it is confirmed.
    pub async fn confirm(&self, region: &str, code: &str) -> tongban_wire::desks::DeskConfirmation {
        let response = self.claim(region, code, &desk_id(region, code)).await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        response.json().await.unwrap()
    }

    /// `PUT /v1/desk` with these claims.
    pub async fn claim(&self, region: &str, code: &str, id: &str) -> Response {
        let claim =
            DeskClaim { desk_id: id.into(), region: region.into(), desk_code: code.into(), name: "窗口".into() };
        self.request(Method::PUT, "/v1/desk").json(&claim).send().await.unwrap()
    }

    pub async fn pull(&self, since: u64, limit: u32) -> PullResponse {
        let response =
            self.request(Method::GET, &format!("/v1/events?since={since}&limit={limit}")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn put_blob(&self, bytes: &[u8]) -> (u16, String) {
        let sha = sha256(bytes);
        let response =
            self.request(Method::PUT, &format!("/v1/blobs/{sha}")).body(bytes.to_vec()).send().await.unwrap();
        (response.status().as_u16(), sha)
    }
}

/// The status and error body of a response that must be a JSON error.
pub async fn error_of(response: Response) -> (u16, ErrorBody) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not a JSON error body ({e}): {text}"));
    (status, body)
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The author of the events the default desk of `region` makes: the back office S1 of the hub's
/// region, window A1 of a partner region.
pub fn author(region: &str) -> Author {
    let code = if region == HUB { "S1" } else { "A1" };
    Author { user: "wangxl".into(), desk: desk_id(region, code), region: region.into(), name: "王晓丽".into() }
}

/// `event` as made by desk `code` of its author's region.
pub fn by_desk(mut event: CaseEvent, code: &str) -> CaseEvent {
    event.author.desk = desk_id(&event.author.region, code);
    event
}

pub fn event(case: CaseId, region: &str, body: EventBody) -> CaseEvent {
    CaseEvent {
        id: Uuid::now_v7(),
        case_id: case,
        at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap(),
        author: author(region),
        body,
    }
}

/// A complete intake taken in at `receiving` for the hub's region, with `scans` on its one material.
pub fn intake(receiving: &str, seq: u32, scans: Vec<String>) -> CaseEvent {
    let received_on = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let form = IntakeForm {
        item: ItemRef {
            code: "11411329MB1234567X4000111".into(),
            name: "城乡居民基本养老保险关系转移".into(),
            department: "新野县人力资源和社会保障局".into(),
            promised_days: 10,
            promised_unit: Default::default(),
            kind: None,
            basis: String::new(),
            catalog_version: None,
            decided_by: String::new(),
            fee: None,
            fee_basis: String::new(),
        },
        handling_region: HUB.into(),
        applicant: Applicant::Person(Person {
            name: "张喆".into(),
            id_kind: IdKind::ResidentId,
            id_number: "11010519491231002X".into(),
            phone: "13800138000".into(),
            address: String::new(),
        }),
        agent: None,
        materials: vec![Material {
            name: "居民身份证".into(),
            form: MaterialForm::Original,
            copies: 1,
            originals: 1,
            choice: String::new(),
            deferral: None,
            required: true,
            standard: String::new(),
            received: true,
            original_verified: true,
            scans,
            note: String::new(),
            condition: String::new(),
            items: vec![],
            e_license: None,
        }],
        transfer: Transfer { network: true, mail: false, waybill: None },
        delivery: ResultDelivery::AtWindow,
        note: String::new(),
        bundle_items: vec![],
    };
    let number = CaseNumber::compose(receiving, received_on, &DeskCode::parse("A1").unwrap(), seq);
    let body = EventBody::Received {
        intake: Intake { number, receiving_region: receiving.into(), window: "1号窗".into(), received_on, form },
    };
    event(CaseId(Uuid::now_v7()), receiving, body)
}

/// An intake of `receiving`'s window desk `code`, under that desk's number `seq` (the default desk
/// is A1: [`intake`]).
pub fn intake_by(receiving: &str, code: &str, seq: u32) -> CaseEvent {
    let mut event = intake(receiving, seq, vec![]);
    event.author.desk = desk_id(receiving, code);
    if let EventBody::Received { intake } = &mut event.body {
        intake.number = CaseNumber::compose(receiving, intake.received_on, &DeskCode::parse(code).unwrap(), seq);
    }
    event
}

pub fn seq_of(outcome: &PushOutcome) -> u64 {
    match outcome {
        PushOutcome::Accepted { seq, .. } | PushOutcome::Duplicate { seq, .. } => *seq,
        PushOutcome::Rejected { code, message, .. } => panic!("rejected: {code:?} {message}"),
    }
}

/// A sound catalog of `region` at `version`, as `PUT /v1/catalog` takes it.
pub fn catalog_upload(region: &str, version: &str) -> serde_json::Value {
    serde_json::json!({
        "version": version,
        "content": {
            "region": region,
            "version": version,
            "items": [{
                "code": "A1",
                "name": "城乡居民基本养老保险关系转移",
                "domain": "社保",
                "department": "人力资源和社会保障局",
                "mode": "proxy_receipt",
                "legal_days": 20,
                "promised_days": 10,
                "delivery": ["at_window"],
                "materials": [{ "name": "居民身份证", "form": "original", "copies": 1 }]
            }]
        }
    })
}

/// One `tongban-hub serve` process on `database`, at `port` on 127.0.0.1 (0: any free one; a
/// restart at the same port answers at the same address), with no rate limit: the stories and the
/// benchmark are many clients of one address. Killed when dropped.
pub struct HubProcess {
    child: std::process::Child,
    pub port: u16,
}

impl HubProcess {
    pub fn start(database: &crate::cluster::TestDatabase, port: u16) -> HubProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tongban-hub"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--db", database.db.to_str().unwrap()])
            .args(["--blob-dir", database.blob_dir.to_str().unwrap()])
            .env("TONGBAN_HUB_REQUESTS_PER_SECOND", "1000000")
            .env("TONGBAN_HUB_REQUEST_BURST", "1000000")
            .env("TONGBAN_HUB_MAX_CONNECTIONS", "4096")
            .env("TONGBAN_HUB_MAX_CONNECTIONS_PER_PEER", "4096")
            .env("TONGBAN_HUB_LOG", "error")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let bound = line.trim().rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("{line:?}"));
        HubProcess { child, port: bound }
    }

    /// SIGKILL: no shutdown, requests cut off mid-transaction.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
