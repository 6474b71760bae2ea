//! One round with one hub: identity check, scans, push, pull, then the scans of pulled cases.
//!
//! The order is the protocol's: a scan goes up before the event that refers to it (the hub
//! refuses the event otherwise), and the push comes before the pull so that what the hub sends
//! back is judged against this desk's newest events.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use tongban_core::case::CaseEvent;
use tongban_core::seal::Document;
use tongban_store::{DeskConfirmed, HubEntry, OutboxEntry, Pulled, Store, StoreError, Verdict};
use tongban_wire::audit::AuditHeadReport;
use tongban_wire::desks::DeskClaim;
use tongban_wire::events::PushOutcome;
use tongban_wire::ErrorCode;

use crate::client::{is_batch_too_large, HubClient};
use crate::{SyncError, SyncSettings};

/// What one round moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Events the hub now holds that were in the outbox.
    pub pushed: usize,
    /// Events the hub rejected (or whose scan this desk cannot read), now quarantined.
    pub quarantined: usize,
    pub scans_uploaded: usize,
    /// Scans of partners' cases brought from the hub, so the back office can look at them offline.
    pub scans_fetched: usize,
    /// Events pulled that were new here.
    pub pulled: usize,
    /// Events pulled that do not fit this desk's copy of their case, quarantined inbound.
    pub pulled_quarantined: usize,
    /// The catalog version fetched this round, when the hub had a newer one.
    pub catalog_updated: Option<String>,
    /// This desk's decisions another desk's decision superseded at the hub (已被取代).
    pub superseded: usize,
    /// Events of cases outside this desk's scope that the hub sent anyway: not stored.
    pub out_of_scope: usize,
    /// The years of working-day calendar installed from the hub this round.
    pub calendar_installed: Vec<i32>,
    /// The hub had more events than one round pulls ([`PULL_PAGES_PER_ROUND`] pages): the next
    /// round goes on from where this one stopped.
    pub more_to_pull: bool,
}

/// How many pages one round pulls at most, so a hub answering `has_more` without end cannot keep
/// a round (or `sync --once`) running: the rest comes with the next rounds.
pub const PULL_PAGES_PER_ROUND: usize = 20;

/// How many pulled events one round quarantines before it stops pulling: a hub sending events
/// that do not fit by the thousand fills the quarantine by at most a page per round, and the
/// round fails with the reason (so the next one waits the backoff).
pub const PULLED_QUARANTINE_PER_ROUND: usize = 100;

/// The desk database, shared by the hub tasks; every call runs off the async threads.
#[derive(Clone)]
pub(crate) struct DeskDb(Arc<Mutex<Store>>);

impl DeskDb {
    pub(crate) fn new(store: Store) -> DeskDb {
        DeskDb(Arc::new(Mutex::new(store)))
    }

    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, SyncError> {
        let store = self.0.clone();
        tokio::task::spawn_blocking(move || {
            // SQLite rolls back what a panicking call left open, so a poisoned lock is safe to reuse.
            let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut store)
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?
        .map_err(SyncError::from)
    }
}

/// A hub and the client that talks to it.
pub(crate) struct HubLink {
    pub entry: HubEntry,
    pub client: HubClient,
    /// The ETag of the hub's calendar index once every year in it is installed here (or was
    /// already): the next rounds ask only whether it changed.
    calendar_etag: Mutex<Option<String>>,
}

impl HubLink {
    pub(crate) fn new(entry: HubEntry, settings: &SyncSettings) -> Result<HubLink, SyncError> {
        let client = HubClient::for_hub(&entry, settings)?;
        Ok(HubLink { entry, client, calendar_etag: Mutex::new(None) })
    }
}

pub(crate) async fn run(db: &DeskDb, hub: &HubLink, settings: &SyncSettings) -> Result<RoundReport, SyncError> {
    let health = hub.client.health().await?;
    if health.region != hub.entry.region {
        return Err(SyncError::WrongHub {
            url: hub.entry.url.clone(),
            expected: hub.entry.region.clone(),
            found: health.region,
        });
    }
    pin_signing_key(db, hub, health.signing_key).await?;
    confirm_identity(db, hub).await?;
    let mut report = RoundReport::default();
    let started = std::time::Instant::now();
    push_outbox(db, hub, settings, &mut report).await?;
    let pushed = started.elapsed();
    pull(db, hub, settings, &mut report).await?;
    let pulled = started.elapsed() - pushed;
    // After the cases, so a large scan never holds them up.
    report.scans_fetched = fetch_scans(db, hub).await?;
    // Last, so a calendar or a catalog the desk cannot use never holds up the cases (nor each other).
    let calendar = fetch_calendar(db, hub, &mut report).await;
    let catalog = fetch_catalog(db, hub).await;
    // After everything this round wrote, so the hub keeps the newest head (and a calendar or a
    // catalog the desk cannot use does not keep the chain from being checked).
    let reporting = std::time::Instant::now();
    let audit = report_audit_head(db, hub).await;
    // Where a round's time went (the growth bench prints it).
    tracing::debug!(
        hub = %hub.entry.region,
        pushed = report.pushed,
        push_ms = pushed.as_millis() as u64,
        pull_ms = pulled.as_millis() as u64,
        audit_ms = reporting.elapsed().as_millis() as u64,
        "round phases"
    );
    report.catalog_updated = catalog?;
    calendar?;
    audit?;
    Ok(report)
}

/// Sends the desk's audit chain head (and what its own check found) to the hub, and checks that
/// the chain still holds the head the hub kept before: a chain cut short or rewritten since the
/// last round does not. The hub's confirmation is remembered, so `tongban audit verify` can tell
/// a truncated chain offline too.
async fn report_audit_head(db: &DeskDb, hub: &HubLink) -> Result<(), SyncError> {
    let (desk_id, head, broken) = db
        .run(|s| {
            let desk = s.require_desk()?;
            let broken = s.verify_audit_as_you_go(Utc::now())?;
            Ok((desk.id, s.audit_head()?, broken.map(|b| b.to_string())))
        })
        .await?;
    let report = AuditHeadReport { desk_id, seq: head.seq as u64, hash: head.hash.clone(), broken: broken.clone() };
    let answer = match hub.client.report_audit_head(&report).await {
        // A hub from before audit heads keeps none: the desk's own check still ran.
        Err(SyncError::Refused { code: ErrorCode::NotFound, .. }) if broken.is_none() => return Ok(()),
        answer => answer?,
    };
    if let Some(broken) = broken {
        return Err(SyncError::AuditBroken(broken));
    }
    let when = |at: chrono::DateTime<Utc>| at.with_timezone(&tongban_core::time::china_time()).format("%Y-%m-%d %H:%M");
    // A desk restored from an older backup lost the tail the hub saw before the restore: the
    // restore is in its chain, the hub keeps the refused report for its operator, and the rounds
    // go on; once the chain is longer than the hub's head, the hub keeps the new one.
    let gap_at = if !answer.accepted { Some(answer.kept.at) } else { answer.previous.as_ref().map(|p| p.at) };
    if let Some(at) = gap_at {
        if db.run(move |s| s.audit_gap_from_restore(at)).await? {
            let held = match (&answer.previous, answer.accepted) {
                (Some(p), true) => {
                    let seq = p.seq as i64;
                    db.run(move |s| s.audit_hash_at(seq)).await?.as_deref() == Some(p.hash.as_str())
                }
                _ => false,
            };
            if !held {
                if answer.accepted {
                    let region = hub.entry.region.clone();
                    db.run(move |s| {
                        let kept =
                            tongban_store::AuditHead { seq: answer.kept.seq as i64, hash: answer.kept.hash.clone() };
                        s.set_audit_anchor(&region, &kept, answer.kept.at)
                    })
                    .await?;
                }
                return Ok(());
            }
        }
    }
    if !answer.accepted {
        return Err(SyncError::AuditBroken(format!(
            "通办中心于 {} 保存的审计链头为第 {} 条，本机审计链现只到第 {} 条或已被改写（末尾的记录被删除或改动）",
            when(answer.kept.at),
            answer.kept.seq,
            head.seq
        )));
    }
    if let Some(previous) = answer.previous.clone() {
        let seq = previous.seq as i64;
        let held = db.run(move |s| s.audit_hash_at(seq)).await?;
        if held.as_deref() != Some(previous.hash.as_str()) {
            return Err(SyncError::AuditBroken(format!(
                "本机审计链第 {} 条与通办中心于 {} 保存的不符：审计链被截断或改写",
                previous.seq,
                when(previous.at)
            )));
        }
    }
    let region = hub.entry.region.clone();
    db.run(move |s| {
        let kept = tongban_store::AuditHead { seq: answer.kept.seq as i64, hash: answer.kept.hash.clone() };
        s.set_audit_anchor(&region, &kept, answer.kept.at)
    })
    .await
}

/// Pins the key the hub seals its events with the first time it presents one, and ends the round
/// before anything moves when it presents another, or none after it had one: whoever answers may
/// not be the partner's hub. The pulled events' seals are checked by the store against the key
/// pinned there.
async fn pin_signing_key(db: &DeskDb, hub: &HubLink, presented: Option<String>) -> Result<(), SyncError> {
    let region = hub.entry.region.clone();
    let Some(presented) = presented else {
        return match db.run(move |s| s.pinned_key(&region)).await? {
            Some(pinned) => {
                Err(SyncError::SigningKeyMissing { url: hub.entry.url.clone(), fingerprint: pinned.fingerprint })
            }
            // A hub from before seals: its events are taken unsealed, and 合作地区 says so.
            None => Ok(()),
        };
    };
    if let Err(e) = tongban_core::seal::HubKey::parse(&presented) {
        return Err(SyncError::Garbled { url: hub.entry.url.clone(), what: e.to_string() });
    }
    match db.run(move |s| s.pin_hub_key(&region, &presented, Utc::now())).await {
        Ok(_) => Ok(()),
        Err(SyncError::Store(e @ StoreError::SigningKeyChanged { .. })) => {
            Err(SyncError::SigningKeyChanged(e.to_string()))
        }
        Err(e) => Err(e),
    }
}

/// Says which desk this is and keeps what the hub answers: the scope it holds the desk to, or why
/// it refused. A refusal ends the round before anything moves; every case stays on the desk. A hub
/// from before desk identities (no `/v1/desk`) is synced with as before.
async fn confirm_identity(db: &DeskDb, hub: &HubLink) -> Result<(), SyncError> {
    let desk = db.run(|s| s.require_desk()).await?;
    let claim = DeskClaim {
        desk_id: desk.id.clone(),
        region: desk.region.clone(),
        desk_code: desk.desk_code.as_str().to_string(),
        name: desk.window_label(),
    };
    let region = hub.entry.region.clone();
    match hub.client.confirm_desk(&claim).await {
        Ok(confirmed) => {
            let confirmed = DeskConfirmed {
                desk_code: confirmed.desk_code,
                role: confirmed.role,
                role_label: confirmed.role_label,
                scope_label: confirmed.scope_label,
                confirmed_at: confirmed.confirmed_at,
            };
            db.run(move |s| s.record_desk_confirmed(&region, &confirmed)).await
        }
        Err(SyncError::Refused { code: ErrorCode::NotFound, .. }) => Ok(()),
        Err(SyncError::Refused { code, message, .. }) if is_identity_problem(code) => {
            let (c, m) = (code.as_str().to_string(), message.clone());
            db.run(move |s| s.record_desk_refused(&region, &c, &m, Utc::now())).await?;
            tracing::warn!(hub = %hub.entry.region, code = code.as_str(), "the hub refused this desk: {message}");
            Err(SyncError::Identity { code, message })
        }
        Err(e) => Err(e),
    }
}

/// Answers of `PUT /v1/desk` that say the desk may not work with the hub as it is.
fn is_identity_problem(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Unauthorized
            | ErrorCode::CredentialRevoked
            | ErrorCode::CredentialOutdated
            | ErrorCode::DeskCodeMismatch
            | ErrorCode::DeskCodeTaken
            | ErrorCode::WrongRegion
            | ErrorCode::Forbidden
    )
}

/// How many scans one round brings at most: the rest come with the next rounds.
const SCANS_PER_ROUND: usize = 50;

/// Brings the scans cited by cases this hub's region handles that the desk does not keep (a
/// back office receives partners' cases with their scans' hashes only). A scan the hub will not
/// give is skipped and asked for again next round; a broken connection ends the round.
async fn fetch_scans(db: &DeskDb, hub: &HubLink) -> Result<usize, SyncError> {
    let r = hub.entry.region.clone();
    let missing = db.run(move |s| s.scans_missing(&r, SCANS_PER_ROUND)).await?;
    let mut fetched = 0;
    for scan in missing {
        let bytes = match hub.client.get_blob(&scan.sha256).await {
            Ok(bytes) => bytes,
            // Told to slow down: the rest wait for the next round (after its backoff).
            Err(e @ SyncError::Refused { code: ErrorCode::RateLimited, .. }) => return Err(e),
            Err(SyncError::Refused { code, message, .. }) => {
                tracing::warn!(hub = %hub.entry.region, sha256 = %scan.sha256, ?code, %message, "the hub did not give a scan");
                continue;
            }
            Err(e) => return Err(e),
        };
        let media_type = tongban_core::scan::media_type(&bytes).unwrap_or("application/octet-stream");
        let file_name = format!("{}.{}", scan.material, tongban_core::scan::extension(media_type));
        db.run(move |s| s.put_blob(&bytes, media_type, &file_name, Utc::now())).await?;
        fetched += 1;
    }
    Ok(fetched)
}

/// How many years of calendar one round installs at most: the rest come with the next rounds.
const CALENDAR_YEARS_PER_ROUND: usize = 10;

/// Installs the years of working-day calendar the hub publishes that this desk holds no official
/// year for, through the store's own import (which checks them again). A year the hub serves
/// with other content than the desk's official one is never installed over it: the round fails
/// with the reason, for the hub's status, after installing the other years.
async fn fetch_calendar(db: &DeskDb, hub: &HubLink, report: &mut RoundReport) -> Result<(), SyncError> {
    let known = hub.calendar_etag.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let Some((index, etag)) = hub.client.calendar_index(known.as_deref()).await? else {
        return Ok(());
    };
    let held = db.run(|s| s.official_calendar_years()).await?;
    let mut refused = Vec::new();
    let mut wanted = Vec::new();
    for entry in &index.years {
        match held.iter().find(|h| h.year == entry.year) {
            None => wanted.push(entry),
            Some(own) => {
                let own = tongban_wire::calendar::year_text(&own.text).map(|t| t.sha256).ok();
                if own.as_deref() != Some(entry.sha256.as_str()) {
                    refused.push(format!("{}年与本机已有的正式安排内容不同，本机保留原安排", entry.year));
                }
            }
        }
    }
    let complete = wanted.len() <= CALENDAR_YEARS_PER_ROUND;
    for entry in wanted.into_iter().take(CALENDAR_YEARS_PER_ROUND) {
        let document = hub.client.calendar_year(entry.year).await?;
        if document.sha256 != entry.sha256 {
            return Err(SyncError::Garbled {
                url: hub.entry.url.clone(),
                what: format!("{}年的节假日安排与目录中的校验值不符", entry.year),
            });
        }
        let sealed = Document::CalendarYear { year: document.year };
        let what = format!("{}年的节假日安排", document.year);
        check_document_seal(db, hub, sealed, &document.sha256, document.signature.as_deref(), what).await?;
        let year = entry.year;
        match db.run(move |s| s.import_calendar(&document.text, Utc::now())).await {
            Ok(_) => {
                tracing::info!(hub = %hub.entry.region, year, "calendar year installed");
                report.calendar_installed.push(year);
            }
            Err(SyncError::Store(e @ (StoreError::Sqlite(_) | StoreError::Io(_)))) => return Err(e.into()),
            // The store's own refusal (e.g. a year made official here meanwhile): its reason.
            Err(SyncError::Store(e)) => refused.push(format!("{year}年：{e}")),
            Err(e) => return Err(e),
        }
    }
    if !refused.is_empty() {
        return Err(SyncError::CalendarRefused { url: hub.entry.url.clone(), reasons: refused.join("；") });
    }
    if complete {
        *hub.calendar_etag.lock().unwrap_or_else(|p| p.into_inner()) = Some(etag);
    }
    Ok(())
}

/// Brings the region's catalog if the hub has another than the one held; the store keeps every
/// version and notes what changed for the clerks.
async fn fetch_catalog(db: &DeskDb, hub: &HubLink) -> Result<Option<String>, SyncError> {
    let region = hub.entry.region.clone();
    let r = region.clone();
    let held = db.run(move |s| Ok(s.current_catalog(&r)?.and_then(|c| c.hub_etag))).await?;
    let Some(document) = hub.client.catalog(held.as_deref()).await? else {
        return Ok(None);
    };
    let garbled = |what: String| SyncError::Garbled { url: hub.entry.url.clone(), what };
    let catalog: tongban_core::catalog::Catalog =
        serde_json::from_str(document.content.get()).map_err(|e| garbled(format!("事项清单不符合格式：{e}")))?;
    if catalog.region != region || catalog.version != document.version {
        return Err(garbled(format!(
            "事项清单（地区 {}，版本 {}）与通办中心（地区 {region}，版本 {}）不符",
            catalog.region, catalog.version, document.version
        )));
    }
    let sealed = Document::Catalog { version: &document.version };
    let what = format!("事项清单（版本 {}）", document.version);
    check_document_seal(db, hub, sealed, &document.sha256, document.signature.as_deref(), what).await?;
    let etag = document.sha256;
    let installed = db
        .run(move |s| s.install_catalog(&catalog, tongban_store::CatalogSource::Hub, Some(&etag), Utc::now()))
        .await?;
    if installed.changes.is_some() {
        tracing::info!(hub = %region, version = %installed.version, "new catalog");
    }
    Ok(installed.changes.map(|_| installed.version))
}

/// Under a pinned key, a document the hub serves (its content already checked against `sha256`)
/// is believed only with the hub's seal over it: a catalog or a calendar year changed on the path
/// would change what every later intake asks for, or every deadline.
async fn check_document_seal(
    db: &DeskDb,
    hub: &HubLink,
    document: Document<'_>,
    sha256: &str,
    signature: Option<&str>,
    what: String,
) -> Result<(), SyncError> {
    let region = hub.entry.region.clone();
    let Some(pinned) = db.run(move |s| s.pinned_key(&region)).await? else { return Ok(()) };
    let key = tongban_core::seal::HubKey::parse(&pinned.key).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let holds =
        signature.is_some_and(|signature| key.verify_document(&hub.entry.region, document, sha256, signature).is_ok());
    if holds {
        Ok(())
    } else {
        Err(SyncError::DocumentSealBroken { url: hub.entry.url.clone(), what })
    }
}

async fn push_outbox(
    db: &DeskDb,
    hub: &HubLink,
    settings: &SyncSettings,
    report: &mut RoundReport,
) -> Result<(), SyncError> {
    let mut stored = None;
    let pushed = push_batches(db, hub, settings, report, &mut stored).await;
    // However the push ended, what the hub already holds leaves the outbox.
    if let Some(verdicts) = stored {
        count_settled(report, &settle(db, &hub.entry.region, verdicts).await?);
    }
    pushed
}

/// Pushes the routed outbox batch after batch. The queue is read once, in order: each batch
/// starts after the last one, so a long queue costs each batch its own events only; a batch not
/// settled whole (split, scans to send again, quarantined first) is read again from the same place.
///
/// A batch the hub stored whole is settled on the desk while the next one goes to the hub (its
/// durable commit beside the hub's), so a long queue drains at the pace of the slower of the two
/// commits, not of both in turn. Nothing in it can hold the next batch back: no event was refused,
/// so no case waits behind a quarantined one. `stored` holds it until it is settled.
async fn push_batches(
    db: &DeskDb,
    hub: &HubLink,
    settings: &SyncSettings,
    report: &mut RoundReport,
    stored: &mut Option<Vec<(CaseEvent, Verdict)>>,
) -> Result<(), SyncError> {
    let region = hub.entry.region.clone();
    let mut batch_size = settings.push_batch.max(1);
    let mut after = 0;
    loop {
        let (r, size) = (region.clone(), batch_size);
        let page = db.run(move |s| s.outbox_page(&r, after, size)).await?;
        if page.entries.is_empty() {
            return Ok(());
        }
        // A 更正编号 carried along with its intake in the batch being settled may be read again.
        let in_flight: HashSet<_> = stored.iter().flatten().map(|(event, _)| event.id).collect();
        let batch: Vec<OutboxEntry> = page.entries.into_iter().filter(|e| !in_flight.contains(&e.event.id)).collect();
        if batch.is_empty() {
            after = page.next_after;
            continue;
        }
        let unreadable = upload_scans(db, hub, settings, &batch, report).await?;
        if !unreadable.is_empty() {
            if let Some(verdicts) = stored.take() {
                count_settled(report, &settle(db, &region, verdicts).await?);
            }
            // Quarantine first, then take the batch again: the later events of those cases must
            // now wait behind them instead of going out in this batch.
            let verdicts: Vec<_> = batch
                .into_iter()
                .filter_map(|entry| {
                    let sha = entry.event.body.scans().find(|sha| unreadable.contains(*sha))?.to_string();
                    let message = format!("扫描件 {sha} 在本机缺失或已损坏，无法上传；请重新扫描后放回隔离区的事件");
                    Some((entry.event, Verdict::Rejected { code: "scan_unreadable".into(), message }))
                })
                .collect();
            report.quarantined += settle(db, &region, verdicts).await?.quarantined;
            continue;
        }
        let events: Vec<CaseEvent> = batch.into_iter().map(|e| e.event).collect();
        let settling = stored.take().map(|verdicts| {
            let (db, region) = (db.clone(), region.clone());
            tokio::spawn(async move { settle(&db, &region, verdicts).await })
        });
        let pushed = hub.client.push(&events).await;
        if let Some(settling) = settling {
            let settled = settling.await.map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))??;
            count_settled(report, &settled);
        }
        let outcomes = match pushed {
            Ok(outcomes) => outcomes,
            Err(e) if is_batch_too_large(&e) && batch_size > 1 => {
                batch_size = (batch_size / 2).max(1);
                tracing::info!(hub = %region, batch_size, "hub refused the batch size; splitting");
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut scans_missing = 0;
        let verdicts: Vec<_> = events
            .into_iter()
            .zip(outcomes)
            .map(|(event, outcome)| {
                let verdict = match outcome {
                    PushOutcome::Accepted { .. } | PushOutcome::Duplicate { .. } => Verdict::Stored,
                    PushOutcome::Rejected { code: ErrorCode::MissingBlob, .. } => {
                        scans_missing += 1;
                        Verdict::ScansMissing
                    }
                    PushOutcome::Rejected { code: ErrorCode::Superseded, message, .. } => {
                        tracing::info!(hub = %region, event = %event.id, "decision superseded: {message}");
                        Verdict::Superseded { message }
                    }
                    PushOutcome::Rejected { code, message, .. } => {
                        tracing::warn!(hub = %region, event = %event.id, code = code.as_str(), "event rejected: {message}");
                        Verdict::Rejected { code: code.as_str().to_string(), message }
                    }
                };
                (event, verdict)
            })
            .collect();
        if verdicts.iter().all(|(_, verdict)| *verdict == Verdict::Stored) {
            *stored = Some(verdicts);
            after = page.next_after;
            continue;
        }
        let settled = settle(db, &region, verdicts).await?;
        count_settled(report, &settled);
        if settled.acknowledged + settled.quarantined + settled.superseded == 0 && scans_missing > 0 {
            // The hub lost scans it had confirmed: they are forgotten and go up again next round.
            return Err(SyncError::ScansNotArriving { count: scans_missing });
        }
        if scans_missing == 0 {
            after = page.next_after;
        }
    }
}

fn count_settled(report: &mut RoundReport, settled: &tongban_store::Settled) {
    report.pushed += settled.acknowledged;
    report.quarantined += settled.quarantined;
    report.superseded += settled.superseded;
}

async fn settle(
    db: &DeskDb,
    region: &str,
    verdicts: Vec<(CaseEvent, Verdict)>,
) -> Result<tongban_store::Settled, SyncError> {
    let region = region.to_string();
    db.run(move |s| s.settle_push(&region, &verdicts, Utc::now())).await
}

/// Uploads the scans the batch refers to that the hub is not known to hold. Returns the scans this
/// desk cannot read (missing or damaged file); every other failure ends the round.
async fn upload_scans(
    db: &DeskDb,
    hub: &HubLink,
    settings: &SyncSettings,
    batch: &[OutboxEntry],
    report: &mut RoundReport,
) -> Result<HashSet<String>, SyncError> {
    let referenced: BTreeSet<String> = batch.iter().flat_map(|e| e.event.body.scans().map(str::to_string)).collect();
    if referenced.is_empty() {
        return Ok(HashSet::new());
    }
    let region = hub.entry.region.clone();
    let wanted: Vec<String> = referenced.iter().cloned().collect();
    let held = db.run(move |s| s.scans_on_hub(&region, &wanted.iter().map(String::as_str).collect::<Vec<_>>())).await?;
    let mut unreadable = HashSet::new();
    for sha in referenced.into_iter().filter(|sha| !held.contains(sha)) {
        let key = sha.clone();
        let bytes = match db.run(move |s| s.read_blob(&key)).await {
            Ok(bytes) => bytes,
            Err(SyncError::Store(StoreError::MissingBlob(_))) => {
                tracing::warn!(scan = %sha, "scan missing or damaged on this desk; its events are quarantined");
                unreadable.insert(sha);
                continue;
            }
            Err(e) => return Err(e),
        };
        upload(&hub.client, &sha, bytes, settings.chunk_size).await?;
        let (region, key) = (hub.entry.region.clone(), sha.clone());
        db.run(move |s| s.record_scan_on_hub(&region, &key)).await?;
        report.scans_uploaded += 1;
    }
    Ok(unreadable)
}

/// Puts one blob on the hub: whole if small, else in chunks from wherever the hub's copy stands,
/// so an upload cut off halfway resumes instead of starting over.
pub(crate) async fn upload(
    client: &HubClient,
    sha256: &str,
    bytes: Vec<u8>,
    chunk_size: usize,
) -> Result<(), SyncError> {
    if bytes.len() <= chunk_size {
        let status = client.put_blob(sha256, bytes).await?;
        return confirm_complete(client, &status);
    }
    let length = bytes.len() as u64;
    let mut status = client.blob_status(sha256).await?;
    let mut mismatches = 0;
    while !status.complete {
        let offset = status.received.min(length);
        let end = (offset as usize + chunk_size.max(1)).min(bytes.len());
        match client.upload_chunk(sha256, offset, length, bytes[offset as usize..end].to_vec()).await {
            Ok(next) if !next.complete && next.received <= offset => {
                return Err(SyncError::Garbled {
                    url: client.base().to_string(),
                    what: format!("扫描件 {sha256} 的上传位置停在第 {} 字节", next.received),
                });
            }
            Ok(next) => status = next,
            // An earlier request of ours, cut off on the way back, moved the upload on (or the hub
            // dropped a partial): ask where it stands. A hub that keeps disagreeing is not believed.
            Err(SyncError::Refused { code: ErrorCode::OffsetMismatch, .. }) if mismatches < 3 => {
                mismatches += 1;
                status = client.blob_status(sha256).await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn confirm_complete(client: &HubClient, status: &tongban_wire::blobs::BlobStatus) -> Result<(), SyncError> {
    if status.complete {
        Ok(())
    } else {
        Err(SyncError::Garbled {
            url: client.base().to_string(),
            what: format!("扫描件 {} 整体上传后仍未完成", status.sha256),
        })
    }
}

async fn pull(db: &DeskDb, hub: &HubLink, settings: &SyncSettings, report: &mut RoundReport) -> Result<(), SyncError> {
    let region = hub.entry.region.clone();
    let r = region.clone();
    let mut cursor = db.run(move |s| s.sync_state(&r)).await?.pull_cursor;
    for _ in 0..PULL_PAGES_PER_ROUND {
        let page = hub.client.pull(cursor, settings.pull_limit).await?;
        let has_more = page.has_more;
        let next = page.next_cursor;
        if !page.events.is_empty() || next != cursor {
            let events: Vec<_> = page
                .events
                .into_iter()
                .map(|e| Pulled { seq: e.seq, event: e.event, signature: e.signature })
                .collect();
            let r = region.clone();
            let applied = db.run(move |s| s.apply_pulled(&r, &events, next, Utc::now())).await?;
            report.pulled += applied.new;
            report.pulled_quarantined += applied.quarantined;
            report.out_of_scope += applied.out_of_scope;
            if applied.quarantined > 0 {
                tracing::warn!(hub = %region, count = applied.quarantined, "pulled events that do not fit were quarantined");
            }
            if applied.out_of_scope > 0 {
                tracing::warn!(hub = %region, count = applied.out_of_scope, "pulled events outside this desk's scope were refused");
            }
            if let Some(event) = applied.broken_seal {
                return Err(SyncError::SealBroken { url: hub.entry.url.clone(), event });
            }
            if report.pulled_quarantined > PULLED_QUARANTINE_PER_ROUND {
                return Err(SyncError::Garbled {
                    url: hub.entry.url.clone(),
                    what: format!(
                        "本轮拉取的事件中有 {} 个与本机办件不符，已放入隔离区并停止拉取；请告知该通办中心的管理员",
                        report.pulled_quarantined
                    ),
                });
            }
        }
        cursor = next;
        if !has_more {
            return Ok(());
        }
    }
    report.more_to_pull = true;
    tracing::info!(hub = %region, pages = PULL_PAGES_PER_ROUND, "pulled the most one round pulls; the rest comes next round");
    Ok(())
}
