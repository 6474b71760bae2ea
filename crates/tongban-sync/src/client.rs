//! One hub's `/v1` API as the desk calls it. Every answer is checked before it is believed: a
//! body that is not the expected JSON, a page whose cursor is not its last event's number or a
//! push answer that does not match the request is [`SyncError::Garbled`], and the round is
//! retried later.
//!
//! No answer is read whole on the hub's word: each body is streamed with a running count against
//! a cap for its endpoint (an error body's is small whatever the endpoint), and refused the moment
//! it passes it, so a hostile or broken hub sending a 1 GiB answer costs the desk at most the cap.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use sha2::Digest;
use tongban_core::case::CaseEvent;
use tongban_wire::audit::{AuditHeadAnswer, AuditHeadReport, MAX_AUDIT_ANSWER};
use tongban_wire::blobs::{BlobStatus, MAX_FETCHED_SCAN, UPLOAD_LENGTH, UPLOAD_OFFSET};
use tongban_wire::calendar::{
    index_etag, year_text, CalendarIndex, CalendarYearDocument, CalendarYearUpload, MAX_INDEX_DOCUMENT,
    MAX_YEAR_DOCUMENT,
};
use tongban_wire::catalog::{CatalogDocument, CatalogUpload, MAX_CATALOG_DOCUMENT};
use tongban_wire::desks::{DeskClaim, DeskConfirmation};
use tongban_wire::events::{max_pull_page, PullResponse, PushOutcome, PushRequest, PushResponse, ReconciliationPage};
use tongban_wire::{paths, ErrorBody, ErrorCode, Health};

use tongban_store::{is_loopback_url, HubEntry, HubTransport};

use crate::{SyncError, SyncSettings};

/// The most read of `/health` (three short strings).
pub const MAX_HEALTH_BODY: usize = 4 * 1024;
/// The most read of an error answer (a code and a sentence), whatever the endpoint.
pub const MAX_ERROR_BODY: usize = 64 * 1024;
/// The most read of a small JSON answer: a desk confirmation, a scan's upload status.
pub const MAX_SMALL_BODY: usize = 64 * 1024;
/// Per pushed event, what its outcome in a push answer may take (an id, a code, a sentence).
const MAX_OUTCOME_BODY: usize = 8 * 1024;

/// A hub at `base` (no trailing slash), called with this desk's credential.
#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base: String,
    credential: String,
    request_timeout: Duration,
}

impl HubClient {
    /// A client for a hub reached over https (or plain http on this machine), trusting the
    /// system's certificate authorities.
    pub fn new(base: &str, credential: &str, settings: &SyncSettings) -> Result<HubClient, SyncError> {
        HubClient::with_transport(base, credential, &HubTransport::default(), settings)
    }

    /// The client for a configured hub: its own CA trusted besides the system's, plain http off
    /// this machine only where an admin allowed it.
    pub fn for_hub(entry: &HubEntry, settings: &SyncSettings) -> Result<HubClient, SyncError> {
        HubClient::with_transport(&entry.url, &entry.credential, &entry.transport, settings)
    }

    fn with_transport(
        base: &str,
        credential: &str,
        transport: &HubTransport,
        settings: &SyncSettings,
    ) -> Result<HubClient, SyncError> {
        if base.starts_with("http://") && !is_loopback_url(base) && !transport.allow_plain_http {
            return Err(SyncError::PlainHttpRefused { url: base.to_string() });
        }
        // The system's store (SChannel's on Windows, where a province's CA is often installed)
        // plus the partner's own CA when one was given.
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("tongban-desk/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &transport.ca_cert {
            let bad = |e: reqwest::Error| SyncError::BadCaCertificate { url: base.to_string(), detail: root_cause(&e) };
            for cert in reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(bad)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http =
            builder.build().map_err(|e| SyncError::Unreachable { url: base.to_string(), detail: e.to_string() })?;
        Ok(HubClient {
            http,
            base: base.to_string(),
            credential: credential.to_string(),
            request_timeout: settings.request_timeout,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET /health`: who the hub is. Unauthenticated.
    pub async fn health(&self) -> Result<Health, SyncError> {
        let request = self.http.get(format!("{}{}", self.base, paths::HEALTH));
        let (_, body) = self.send_capped(request, MAX_HEALTH_BODY, "健康检查").await?;
        self.parse(&body, "健康检查")
    }

    /// `PUT /v1/desk`: says which desk this is; the hub answers with what it holds the desk to be
    /// (its region, desk code and scope), checked to be this desk's region and code.
    pub async fn confirm_desk(&self, claim: &DeskClaim) -> Result<DeskConfirmation, SyncError> {
        let request = self.authorized(Method::PUT, paths::DESK).json(claim);
        let (_, body) = self.send_capped(request, MAX_SMALL_BODY, "受理台身份确认").await?;
        let confirmed: DeskConfirmation = self.parse(&body, "受理台身份确认")?;
        if confirmed.region != claim.region || confirmed.desk_code != claim.desk_code.trim().to_ascii_uppercase() {
            return Err(self.garbled(&format!(
                "通办中心确认的受理台（地区 {}，窗口代码 {}）不是本受理台",
                confirmed.region, confirmed.desk_code
            )));
        }
        Ok(confirmed)
    }

    /// `POST /v1/events`: one outcome per event, checked to answer exactly the events sent.
    pub async fn push(&self, events: &[CaseEvent]) -> Result<Vec<PushOutcome>, SyncError> {
        let body = serde_json::to_vec(&PushRequest { events: events.to_vec() })
            .map_err(|e| SyncError::Garbled {
                url: self.base.clone(), what: format!("无法编码推送内容：{e}")
            })?;
        let request = self
            .authorized(Method::POST, paths::EVENTS)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        let cap = (events.len() + 1) * MAX_OUTCOME_BODY;
        let (_, body) = self.send_capped(request, cap, "推送结果").await?;
        let response: PushResponse = self.parse(&body, "推送结果")?;
        let answered = response.outcomes.iter().map(PushOutcome::id);
        if response.outcomes.len() != events.len() || !answered.eq(events.iter().map(|e| e.id)) {
            return Err(self.garbled("推送结果与所推送的事件不对应"));
        }
        Ok(response.outcomes)
    }

    /// `GET /v1/events?since=&limit=`, checked: at most `limit` events, sequence numbers rise past
    /// `since`, and the next cursor is exactly the last event's number (`since` for an empty page,
    /// which cannot claim more). A cursor beyond the page would skip every event up to it forever;
    /// such a page is refused whole, nothing of it stored.
    pub async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, SyncError> {
        let path = format!("{}?since={since}&limit={limit}", paths::EVENTS);
        let (_, body) = self.send_capped(self.authorized(Method::GET, &path), max_pull_page(limit), "拉取结果").await?;
        let page: PullResponse = self.parse(&body, "拉取结果")?;
        let numbers: Vec<u64> = page.events.iter().map(|e| e.seq).collect();
        self.check_page("拉取结果", since, limit, &numbers, page.next_cursor, page.has_more)?;
        Ok(page)
    }

    /// `GET /v1/reconciliation` (对账): one page of what the hub holds of this desk's cases for
    /// the days `from` to `to`, checked as a pull page is (rising numbers, the cursor its last).
    pub async fn reconciliation(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        since: u64,
        limit: u32,
    ) -> Result<ReconciliationPage, SyncError> {
        let path = format!("{}?from={from}&to={to}&since={since}&limit={limit}", paths::RECONCILIATION);
        // An id, a case id, a kind and a time: well under 512 bytes an event.
        let cap = (limit as usize + 1) * 512;
        let (_, body) = self.send_capped(self.authorized(Method::GET, &path), cap, "对账结果").await?;
        let page: ReconciliationPage = self.parse(&body, "对账结果")?;
        let numbers: Vec<u64> = page.events.iter().map(|e| e.seq).collect();
        self.check_page("对账结果", since, limit, &numbers, page.next_cursor, page.has_more)?;
        // A hub says "more" only after a full page: one that dribbles an event a page with
        // "more" would keep the desk asking far past any cap on the events it holds.
        if page.has_more && numbers.len() < limit as usize {
            return Err(
                self.garbled(&format!("对账结果声称还有更多事件，却只有 {} 个（不足一页 {limit} 个）", numbers.len()))
            );
        }
        Ok(page)
    }

    /// A page of events by cursor (`what`: 拉取结果, 对账结果) checked: at most `limit` events,
    /// numbers rising past `since`, the next cursor exactly the last number (`since` for an empty
    /// page, which cannot claim more).
    fn check_page(
        &self,
        what: &str,
        since: u64,
        limit: u32,
        numbers: &[u64],
        next_cursor: u64,
        has_more: bool,
    ) -> Result<(), SyncError> {
        if numbers.len() > limit as usize {
            return Err(self.garbled(&format!("{what}有 {} 个事件，超过所请求的 {limit} 个", numbers.len())));
        }
        let mut previous = since;
        for &seq in numbers {
            if seq <= previous {
                return Err(self.garbled(&format!("{what}中的序号没有递增")));
            }
            previous = seq;
        }
        if next_cursor != previous {
            return Err(
                self.garbled(&format!("{what}的游标 {next_cursor} 不是本页最后一个事件的序号 {previous}，本页未保存"))
            );
        }
        if has_more && numbers.is_empty() {
            return Err(self.garbled(&format!("{what}声称还有更多事件却为空")));
        }
        Ok(())
    }

    /// `GET /v1/blobs/{sha256}/status`: where an upload can resume.
    pub async fn blob_status(&self, sha256: &str) -> Result<BlobStatus, SyncError> {
        let path = paths::fill(paths::BLOB_STATUS, sha256);
        let (_, body) = self.send_capped(self.authorized(Method::GET, &path), MAX_SMALL_BODY, "扫描件上传状态").await?;
        self.parse(&body, "扫描件上传状态")
    }

    /// `GET /v1/blobs/{sha256}`: a scan's bytes (at most [`MAX_FETCHED_SCAN`]), checked against
    /// the hash they were asked by.
    pub async fn get_blob(&self, sha256: &str) -> Result<Vec<u8>, SyncError> {
        let path = paths::fill(paths::BLOB, sha256);
        let (_, body) = self.send_capped(self.authorized(Method::GET, &path), MAX_FETCHED_SCAN, "扫描件").await?;
        if hex::encode(sha2::Sha256::digest(&body)) != sha256 {
            return Err(self.garbled("下载的扫描件与其校验值不符"));
        }
        Ok(body)
    }

    /// `PUT /v1/blobs/{sha256}`: a whole blob in one request.
    pub async fn put_blob(&self, sha256: &str, bytes: Vec<u8>) -> Result<BlobStatus, SyncError> {
        let path = paths::fill(paths::BLOB, sha256);
        let request = self
            .authorized(Method::PUT, &path)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        let (_, body) = self.send_capped(request, MAX_SMALL_BODY, "扫描件上传结果").await?;
        self.parse(&body, "扫描件上传结果")
    }

    /// `PATCH /v1/blobs/{sha256}`: the chunk that starts at `offset` of a blob of `length` bytes.
    pub async fn upload_chunk(
        &self,
        sha256: &str,
        offset: u64,
        length: u64,
        chunk: Vec<u8>,
    ) -> Result<BlobStatus, SyncError> {
        let path = paths::fill(paths::BLOB, sha256);
        let request = self
            .authorized(Method::PATCH, &path)
            .header(UPLOAD_OFFSET, offset)
            .header(UPLOAD_LENGTH, length)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(chunk);
        let (_, body) = self.send_capped(request, MAX_SMALL_BODY, "扫描件上传结果").await?;
        self.parse(&body, "扫描件上传结果")
    }

    /// `GET /v1/catalog`, conditional on the hub's hash of the copy this desk holds: `None`
    /// when that copy is current or the region has published nothing yet.
    pub async fn catalog(&self, held: Option<&str>) -> Result<Option<CatalogDocument>, SyncError> {
        let mut request = self.authorized(Method::GET, paths::CATALOG);
        if let Some(sha256) = held {
            request = request.header(reqwest::header::IF_NONE_MATCH, format!("\"{sha256}\""));
        }
        match self.send_capped(request, MAX_CATALOG_DOCUMENT, "事项清单").await {
            Ok((StatusCode::NOT_MODIFIED, _)) => Ok(None),
            Ok((_, body)) => {
                let document: CatalogDocument = self.parse(&body, "事项清单")?;
                if hex::encode(sha2::Sha256::digest(document.content.get().as_bytes())) != document.sha256 {
                    return Err(self.garbled("事项清单内容与其校验值不符"));
                }
                Ok(Some(document))
            }
            Err(SyncError::Refused { code: ErrorCode::NoCatalog, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `PUT /v1/catalog` (the region's admin credential): publishes a version.
    pub async fn publish_catalog(&self, upload: &CatalogUpload) -> Result<CatalogDocument, SyncError> {
        let request = self.authorized(Method::PUT, paths::CATALOG).json(upload);
        let (_, body) = self.send_capped(request, MAX_CATALOG_DOCUMENT, "发布结果").await?;
        self.parse(&body, "发布结果")
    }

    /// `GET /v1/calendar`, conditional on the ETag of the index this desk last installed from:
    /// `None` when nothing was published since (or the hub has no calendars at all). Checked: years rise, each hash is a SHA-256.
    /// Returns the index and its ETag (computed here, not taken from the hub's word).
    pub async fn calendar_index(&self, held: Option<&str>) -> Result<Option<(CalendarIndex, String)>, SyncError> {
        let mut request = self.authorized(Method::GET, paths::CALENDAR);
        if let Some(etag) = held {
            request = request.header(reqwest::header::IF_NONE_MATCH, format!("\"{etag}\""));
        }
        let (status, body) = match self.send_capped(request, MAX_INDEX_DOCUMENT, "节假日安排目录").await {
            // A hub older than calendars: nothing to install from it.
            Err(SyncError::Refused { code: ErrorCode::NotFound, .. }) => return Ok(None),
            answer => answer?,
        };
        if status == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        let index: CalendarIndex = self.parse(&body, "节假日安排目录")?;
        let rising = index.years.windows(2).all(|w| w[0].year < w[1].year);
        if !rising || !index.years.iter().all(|y| tongban_wire::is_sha256_hex(&y.sha256)) {
            return Err(self.garbled("节假日安排目录的年份没有递增，或校验值无效"));
        }
        let etag = index_etag(&index);
        Ok(Some((index, etag)))
    }

    /// `GET /v1/calendar/{year}`: one year, checked to be exactly that year, sound by core's
    /// parser, and of the content hash it claims.
    pub async fn calendar_year(&self, year: i32) -> Result<CalendarYearDocument, SyncError> {
        let path = paths::fill(paths::CALENDAR_YEAR, &format!("{year:04}"));
        let (_, body) = self.send_capped(self.authorized(Method::GET, &path), MAX_YEAR_DOCUMENT, "节假日安排").await?;
        let document: CalendarYearDocument = self.parse(&body, "节假日安排")?;
        let normal = year_text(&document.text).map_err(|e| self.garbled(&format!("{year}年的节假日安排：{e}")))?;
        if document.year != year || normal.year != year {
            return Err(self.garbled(&format!("请求{year}年的节假日安排，收到的是{}年的", normal.year)));
        }
        if normal.sha256 != document.sha256 {
            return Err(self.garbled(&format!("{year}年的节假日安排与其校验值不符")));
        }
        Ok(document)
    }

    /// `PUT /v1/calendar/{year}` (the region's admin credential): publishes a year. `true` when
    /// the hub did not hold it before.
    pub async fn publish_calendar_year(
        &self,
        year: i32,
        upload: &CalendarYearUpload,
    ) -> Result<(bool, CalendarYearDocument), SyncError> {
        let path = paths::fill(paths::CALENDAR_YEAR, &format!("{year:04}"));
        let request = self.authorized(Method::PUT, &path).json(upload);
        let (status, body) = self.send_capped(request, MAX_YEAR_DOCUMENT, "发布结果").await?;
        Ok((status == StatusCode::CREATED, self.parse(&body, "发布结果")?))
    }

    /// `POST /v1/audit/head`: the desk's chain head; the answer is checked to be about it.
    pub async fn report_audit_head(&self, report: &AuditHeadReport) -> Result<AuditHeadAnswer, SyncError> {
        let request = self.authorized(Method::POST, paths::AUDIT_HEAD).json(report);
        let (_, body) = self.send_capped(request, MAX_AUDIT_ANSWER, "审计链头回复").await?;
        let answer: AuditHeadAnswer = self.parse(&body, "审计链头回复")?;
        let sound = |h: &tongban_wire::audit::KeptHead| tongban_wire::is_sha256_hex(&h.hash);
        if !sound(&answer.kept) || answer.previous.as_ref().is_some_and(|p| !sound(p)) {
            return Err(self.garbled("审计链头回复中的哈希不是 SHA-256"));
        }
        if answer.accepted && (answer.kept.seq != report.seq || answer.kept.hash != report.hash) {
            return Err(self.garbled("通办中心称已保存审计链头，却回复了另一个"));
        }
        Ok(answer)
    }

    fn authorized(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.credential)
    }

    /// Sends and reads the body, at most `max` bytes of it (at most [`MAX_ERROR_BODY`] of an
    /// error answer): a larger answer is refused as its length is announced or while it arrives,
    /// never held whole in memory. A 2xx (or 304) is returned; an error status becomes
    /// [`SyncError::Refused`] with the hub's code and message, or `Garbled` if it has none.
    async fn send_capped(
        &self,
        request: RequestBuilder,
        max: usize,
        what: &str,
    ) -> Result<(StatusCode, Vec<u8>), SyncError> {
        let mut response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let accepted = status.is_success() || status == StatusCode::NOT_MODIFIED;
        let (max, what) = if accepted {
            (max, what.to_string())
        } else {
            (max.min(MAX_ERROR_BODY), format!("HTTP {} 的错误说明", status.as_u16()))
        };
        let too_large = || self.garbled(&format!("{what}超过 {} 的上限，已停止读取", human_size(max)));
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(e))? {
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        if accepted {
            return Ok((status, body));
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(error) => Err(SyncError::Refused { status: status.as_u16(), code: error.code, message: error.message }),
            // A proxy's HTML error page, or a hub that died mid-answer.
            Err(_) => Err(self.garbled(&format!("HTTP {status}，没有错误说明"))),
        }
    }

    fn parse<T: DeserializeOwned>(&self, body: &[u8], what: &str) -> Result<T, SyncError> {
        serde_json::from_slice(body).map_err(|e| self.garbled(&format!("{what}不是预期的 JSON：{e}")))
    }

    fn garbled(&self, what: &str) -> SyncError {
        SyncError::Garbled { url: self.base.clone(), what: what.to_string() }
    }

    fn transport(&self, e: reqwest::Error) -> SyncError {
        let url = self.base.clone();
        if e.is_timeout() {
            SyncError::TimedOut { url, seconds: self.request_timeout.as_secs() }
        } else if let Some(reason) = certificate_problem(&e) {
            tracing::warn!(hub = %url, error = ?e, "the hub's certificate was not accepted");
            SyncError::Certificate { url, reason }
        } else if e.is_connect() {
            SyncError::Unreachable { url, detail: root_cause(&e) }
        } else {
            SyncError::Interrupted { url, detail: root_cause(&e) }
        }
    }
}

/// What is wrong with the hub's certificate, in Chinese, when that is why `e` happened: the TLS
/// stacks (OpenSSL on Linux, SChannel on Windows) say it only in their own English words, so the
/// known phrases of both are read here.
fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut texts = Vec::new();
    let mut current = Some(e);
    while let Some(error) = current {
        texts.push(error.to_string().to_lowercase());
        current = error.source();
    }
    let said = |phrases: &[&str]| texts.iter().any(|t| phrases.iter().any(|p| t.contains(p)));
    if !said(&["certificate", "ssl", "tls", "handshake", "schannel"]) {
        return None;
    }
    Some(
        if said(&["expired", "not yet valid", "cert_date_invalid", "required validity period"]) {
            "通办中心的证书已过期或尚未生效（也请核对本机的日期和时间）"
        } else if said(&[
            "hostname mismatch",
            "ip address mismatch",
            "name does not match",
            "cn_no_match",
            "principal name",
        ]) {
            "证书上的名称与所配置的地址不符"
        } else if said(&[
            "self-signed",
            "self signed",
            "unable to get local issuer",
            "not trusted",
            "untrusted",
            "unknown ca",
            "unknown_ca",
        ]) {
            "通办中心的证书不是本机信任的机构签发的"
        } else if said(&["certificate"]) {
            "通办中心的证书未通过校验"
        } else {
            "加密握手失败（对方可能不是 https 通办中心，或协议不兼容）"
        }
        .to_string(),
    )
}

/// A byte count as the clerk reads it: 64 KiB, 16 MiB.
fn human_size(bytes: usize) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{} MiB", b / (1024 * 1024)),
        b if b >= 1024 => format!("{} KiB", b / 1024),
        b => format!("{b} 字节"),
    }
}

/// Why a connection failed, in Chinese for the clerk: the common socket errors by kind, anything
/// else as the innermost error's own text (reqwest's outer text only says "error sending request").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    use std::io::ErrorKind;
    let mut current = e;
    loop {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            let plain = match io.kind() {
                ErrorKind::ConnectionRefused => Some("对方拒绝连接（通办中心未运行，或地址、端口不对）"),
                ErrorKind::ConnectionReset => Some("连接被对方重置"),
                ErrorKind::ConnectionAborted => Some("连接被中止"),
                ErrorKind::TimedOut => Some("连接超时"),
                ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => Some("网络不通（请检查本机网络）"),
                ErrorKind::UnexpectedEof => Some("对方在回复完成前断开了连接"),
                _ => None,
            };
            if let Some(plain) = plain {
                return plain.to_string();
            }
        }
        match current.source() {
            Some(next) => current = next,
            None => break,
        }
    }
    let text = current.to_string();
    if text.contains("dns error") || text.contains("failed to lookup address") {
        return format!("找不到通办中心的主机名（{text}）");
    }
    text
}

/// The hub refused a batch for its size: split it.
pub(crate) fn is_batch_too_large(e: &SyncError) -> bool {
    matches!(e, SyncError::Refused { code: ErrorCode::BatchTooLarge | ErrorCode::PayloadTooLarge, .. })
}
