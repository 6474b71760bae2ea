//! The long-running engine: one task per hub, so a partner whose hub is down never delays the
//! others, and a state per hub that the window watches.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tongban_store::{HubEntry, HubSyncState, Store};

use crate::round::{self, DeskDb, HubLink, RoundReport};
use crate::{SyncError, SyncSettings};

/// What the window shows for one hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubStatus {
    pub region: String,
    pub name: String,
    pub url: String,
    /// The desk's own region's hub (its back office's inbox), not a partner's.
    pub own_region: bool,
    /// The hub answered in the last round (even if only to refuse).
    pub online: bool,
    /// A round is running now.
    pub syncing: bool,
    /// Events waiting for this hub.
    pub pending: u64,
    /// Events held in quarantine against this hub.
    pub quarantined: u64,
    pub last_success_at: Option<DateTime<Utc>>,
    /// In Chinese; `None` after a success.
    pub last_error: Option<String>,
}

impl HubStatus {
    fn new(entry: &HubEntry, state: HubSyncState) -> HubStatus {
        HubStatus {
            region: entry.region.clone(),
            name: entry.name.clone(),
            url: entry.url.clone(),
            own_region: entry.own_region,
            online: false,
            syncing: false,
            pending: state.pending,
            quarantined: state.quarantined,
            last_success_at: state.last_success_at,
            last_error: state.last_error,
        }
    }
}

/// The running engine. Dropping it does not stop the tasks: cancel the token given to
/// [`SyncEngine::start`], then await [`SyncEngine::stopped`].
pub struct SyncEngine {
    tasks: Vec<JoinHandle<()>>,
    sync_now: Vec<mpsc::Sender<()>>,
    status: watch::Receiver<Vec<HubStatus>>,
}

impl SyncEngine {
    /// Starts one task per hub configured in `store` (call inside a tokio runtime). Hubs added
    /// later are picked up by starting the engine again.
    pub fn start(store: Store, settings: SyncSettings, shutdown: CancellationToken) -> Result<SyncEngine, SyncError> {
        let hubs = store.hubs()?;
        let mut initial = Vec::with_capacity(hubs.len());
        for entry in &hubs {
            initial.push(HubStatus::new(entry, store.sync_state(&entry.region)?));
        }
        let (publish, status) = watch::channel(initial);
        let db = DeskDb::new(store);
        let mut tasks = Vec::new();
        let mut sync_now = Vec::new();
        for (index, entry) in hubs.into_iter().enumerate() {
            let link = HubLink::new(entry, &settings)?;
            let (now_tx, now_rx) = mpsc::channel(1);
            sync_now.push(now_tx);
            let task = HubTask { db: db.clone(), link, settings: settings.clone(), index, publish: publish.clone() };
            tasks.push(tokio::spawn(task.run(now_rx, shutdown.clone())));
        }
        Ok(SyncEngine { tasks, sync_now, status })
    }

    /// The "sync now" button: every hub starts a round at once (or right after the one running).
    pub fn sync_now(&self) {
        for hub in &self.sync_now {
            // A full channel already holds a request that has not been served: one is enough.
            let _ = hub.try_send(());
        }
    }

    /// Every hub's state, updated as rounds start and end.
    pub fn status(&self) -> watch::Receiver<Vec<HubStatus>> {
        self.status.clone()
    }

    /// Waits for every task to end (after the shutdown token was cancelled).
    pub async fn stopped(self) {
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!("sync task ended abnormally: {e}");
            }
        }
    }
}

/// One round with every configured hub, one after the other; for `tongban sync --once`.
pub async fn sync_once(
    store: Store,
    settings: &SyncSettings,
) -> Result<Vec<(HubEntry, Result<RoundReport, SyncError>)>, SyncError> {
    let hubs = store.hubs()?;
    let db = DeskDb::new(store);
    let mut results = Vec::with_capacity(hubs.len());
    for entry in hubs {
        let link = HubLink::new(entry, settings)?;
        let outcome = round_recorded(&db, &link, settings).await;
        results.push((link.entry, outcome));
    }
    Ok(results)
}

/// A round whose outcome is written down for the window: the last success, or the error.
async fn round_recorded(db: &DeskDb, link: &HubLink, settings: &SyncSettings) -> Result<RoundReport, SyncError> {
    let outcome = round::run(db, link, settings).await;
    let region = link.entry.region.clone();
    match &outcome {
        Ok(report) => {
            if *report != RoundReport::default() {
                tracing::info!(hub = %region, ?report, "sync round");
            }
            db.run(move |s| s.record_sync_success(&region, Utc::now())).await?;
        }
        Err(e) => {
            tracing::warn!(hub = %region, code = e.code().as_str(), "sync round failed: {e}");
            let message = e.to_string();
            db.run(move |s| s.record_sync_failure(&region, &message, Utc::now())).await?;
        }
    }
    outcome
}

struct HubTask {
    db: DeskDb,
    link: HubLink,
    settings: SyncSettings,
    /// This hub's place in the published list.
    index: usize,
    publish: watch::Sender<Vec<HubStatus>>,
}

impl HubTask {
    async fn run(self, mut sync_now: mpsc::Receiver<()>, shutdown: CancellationToken) {
        let mut backoff = Backoff::new(self.settings.backoff_base, self.settings.backoff_max);
        loop {
            self.publish.send_modify(|all| all[self.index].syncing = true);
            // Stopping mid-round is safe: the hub takes everything idempotently, and each store
            // write is one transaction that either happened or did not.
            let outcome = tokio::select! {
                _ = shutdown.cancelled() => break,
                outcome = round_recorded(&self.db, &self.link, &self.settings) => outcome,
            };
            // After a round that brought everything, and before the state is published: what
            // the day's 对账 finds shows with the round's outcome.
            if matches!(&outcome, Ok(report) if !report.more_to_pull) {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    checked = reconcile_when_due(&self.db, &self.link, &self.settings) => {
                        if let Err(e) = checked {
                            tracing::warn!(hub = %self.link.entry.region, "对账 failed: {e}");
                        }
                    }
                }
            }
            let online = match &outcome {
                Ok(_) => Some(true),
                Err(SyncError::Store(_)) => None,
                Err(SyncError::Unreachable { .. } | SyncError::TimedOut { .. } | SyncError::Interrupted { .. }) => {
                    Some(false)
                }
                // It answered, if only with something this desk refuses to believe.
                Err(_) => Some(true),
            };
            let wait = match outcome {
                // A round pulls a bounded number of pages: the next goes on soon, not after the
                // interval (nor at once, so an endless hub cannot keep the desk busy).
                Ok(report) if report.more_to_pull => {
                    backoff.reset();
                    self.settings.backoff_base
                }
                Ok(_) => {
                    backoff.reset();
                    self.settings.interval
                }
                Err(_) => backoff.next(),
            };
            self.publish_state(online).await;
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(wait) => {}
                Some(()) = sync_now.recv() => backoff.reset(),
            }
        }
        self.publish.send_modify(|all| all[self.index].syncing = false);
    }

    async fn publish_state(&self, online: Option<bool>) {
        let region = self.link.entry.region.clone();
        let state = self.db.run(move |s| s.sync_state(&region)).await;
        self.publish.send_modify(|all| {
            let status = &mut all[self.index];
            status.syncing = false;
            if let Some(online) = online {
                status.online = online;
            }
            match state {
                Ok(state) => *status = HubStatus { online: status.online, ..HubStatus::new(&self.link.entry, state) },
                Err(e) => status.last_error = Some(e.to_string()),
            }
        });
    }
}

/// The engine's own 对账 with the hub, when the last one (by anyone) is older than the settings
/// say: the days back to today, this desk's side read first. What it finds is kept for the
/// status bar; a hub without the 对账 endpoint, or one that fails it, only costs a log line.
async fn reconcile_when_due(db: &DeskDb, link: &HubLink, settings: &SyncSettings) -> Result<(), SyncError> {
    let plan = settings.daily_reconciliation;
    let Some(every) = plan.every else { return Ok(()) };
    let now = Utc::now();
    let region = link.entry.region.clone();
    let r = region.clone();
    let last = db.run(move |s| s.last_reconciliation(&r)).await?;
    if !reconciliation_due(last.map(|l| l.checked_at), now, every) {
        return Ok(());
    }
    let to = tongban_core::time::beijing_date(now);
    let from = to - chrono::Days::new(u64::from(plan.days.max(1) - 1));
    let r = region.clone();
    let here = db.run(move |s| crate::reconcile::read_here(s, &r, from, to)).await?;
    let theirs =
        crate::reconcile::read_at_hub(&link.client, &link.entry.url, (from, to), crate::reconcile::MAX_HELD_EVENTS)
            .await?;
    db.run(move |s| crate::reconcile::conclude(s, &region, from, to, &here, &theirs, plan.package_days, now)).await?;
    Ok(())
}

/// Whether the last 对账, at `last`, is `every` away from `now`. Either way: a clock set back a
/// little does not make every round reconcile, and one recorded under a clock far ahead (then
/// set right) does not hold the next off for years.
fn reconciliation_due(last: Option<DateTime<Utc>>, now: DateTime<Utc>, every: Duration) -> bool {
    let Some(last) = last else { return true };
    (now - last).abs().to_std().is_ok_and(|apart| apart >= every)
}

/// Exponential backoff with "equal jitter": each wait is between half and all of the doubled
/// delay, so desks that lost the same hub at the same moment do not all return at once.
struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    fn new(base: Duration, max: Duration) -> Backoff {
        Backoff { base, max, failures: 0 }
    }

    fn next(&mut self) -> Duration {
        let ceiling = self.base.saturating_mul(1 << self.failures.min(16)).min(self.max);
        self.failures = self.failures.saturating_add(1);
        let half = ceiling / 2;
        let spread = half.as_millis().max(1) as u64;
        // Jitter only needs to differ between desks; without entropy the plain delay still works.
        let jitter = getrandom::u64().unwrap_or(0) % spread;
        half + Duration::from_millis(jitter)
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reconciliation_is_due_a_day_after_the_last_whichever_way_the_clock_moved() {
        let day = Duration::from_secs(24 * 3600);
        let at = |h: i64| DateTime::<Utc>::from_timestamp(1_765_000_000 + h * 3600, 0).unwrap();
        assert!(reconciliation_due(None, at(0), day));
        assert!(!reconciliation_due(Some(at(0)), at(23), day));
        assert!(reconciliation_due(Some(at(0)), at(24), day));
        assert!(!reconciliation_due(Some(at(0)), at(-3), day), "a clock set back a little: not every round");
        assert!(reconciliation_due(Some(at(24 * 365 * 4)), at(0), day), "one recorded under a clock years ahead");
    }

    #[test]
    fn backoff_doubles_up_to_its_ceiling_with_jitter_and_starts_over_after_a_success() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let waits: Vec<Duration> = (0..8).map(|_| backoff.next()).collect();
        for (i, wait) in waits.iter().enumerate() {
            let ceiling = Duration::from_millis(100 * (1 << i)).min(Duration::from_secs(1));
            assert!(*wait >= ceiling / 2 && *wait <= ceiling, "wait {i} was {wait:?}, ceiling {ceiling:?}");
        }
        assert!(waits[7] >= Duration::from_millis(500), "capped at the maximum, never past it");
        backoff.reset();
        assert!(backoff.next() <= Duration::from_millis(100));
    }
}
