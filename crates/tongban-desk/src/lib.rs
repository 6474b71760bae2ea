//! What the desk's window does, without the window: every Tauri command is a few lines that
//! call one method here. The types that cross into TypeScript live in [`api`] and are exported
//! to `ui/src/bindings/` by a test that fails when the committed files drift.

pub mod api;
mod backoffice;
pub mod commands;
mod completion;
mod decisions;
pub mod demo;
mod detail;
mod intake;
mod paper;
mod partners;
pub mod printing;
mod quarantine;
pub mod reconciliation;
mod records;
mod renumber;
mod scans;
mod security;
mod session;
mod setup;
mod supervision;
mod supervision_rates;
pub mod unattended;
pub mod viewer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicI64;
use std::sync::Mutex;

use chrono::{NaiveDate, Utc};
use tongban_core::applicant::mask_id_number;
// The window's shell names statuses in its answers (结果已送达 returns the new one).
pub use tongban_core::case::CaseStatus;
pub use tongban_core::rates::{RateDefinition, RateLine, RateReport};
use tongban_core::region;
use tongban_core::workdays::Deadline;
use tongban_store::{CaseFilter, DeskSetup, Store, StoreError};

use printing::Printed;
use tokio_util::sync::CancellationToken;
pub use tongban_sync::SyncEngine;
use tongban_sync::SyncSettings;

pub use api::*;
pub use intake::{waybill_warnings, FieldCheck, FieldKind, ItemChoice, ItemDetails, ReturningApplicant, TakenIn};
pub use paper::{Mailing, MailingDraft, OriginalView, OriginalsSigning, PackageView, PaperRecorded};
pub use reconciliation::{ReconciliationLineView, ReconciliationView};
pub use records::{CaseRecord, ChainCheck, DeskIdentities, HubStates};
pub use scans::MAX_SCAN_BYTES;
pub use security::{recover_admin, recovery_sheet};
pub use session::Permission;
pub use tongban_core::paper::{Direction, PackedMaterial};
// What the intake commands take, re-exported so the window's shell needs no other crate.
pub use tongban_core::applicant::IdKind;
pub use tongban_core::catalog::CatalogIntake;
// The codes an AppError carries, so the shell and the CLI name them without another crate.
pub use tongban_core::code::{AppCode, DeskCode, HubCode};
// The printed forms, which the window's and the CLI's print commands name.
pub use tongban_core::printed::FormKind;

/// The one error that reaches the window: a stable code to branch on and a Chinese message to
/// show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: AppCode,
    pub message: String,
    /// The form field at fault (`applicant.id_number`, `materials[2].name`, …), so the window
    /// can show the message next to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl AppError {
    pub fn new(code: impl Into<AppCode>, message: impl Into<String>) -> AppError {
        AppError { code: code.into(), message: message.into(), field: None }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        let field = match &e {
            StoreError::Invalid(f) => Some(f.field.clone()),
            _ => None,
        };
        AppError { field, ..AppError::new(e.code(), e.to_string()) }
    }
}

impl From<tongban_sync::SyncError> for AppError {
    fn from(e: tongban_sync::SyncError) -> AppError {
        match e {
            tongban_sync::SyncError::Store(e) => e.into(),
            e => AppError::new(e.code(), e.to_string()),
        }
    }
}

/// A desk: its database behind a lock (the window calls from several threads), open once
/// someone logged in, and its sync engine once started.
pub struct Desk {
    path: PathBuf,
    /// `None` until the first login (or the first-run set-up) opened it with the data key.
    store: Mutex<Option<Store>>,
    /// Who is logged in (see [`session`]).
    acting: Mutex<session::Acting>,
    sync: Mutex<Option<RunningSync>>,
    /// The newest event when the database was opened: partners' decisions after it are news
    /// (those the first sync round pulls included).
    opened_at_seq: AtomicI64,
}

/// The engine and what it takes to stop it and start it again (when the hubs change).
struct RunningSync {
    engine: SyncEngine,
    shutdown: CancellationToken,
    runtime: tokio::runtime::Handle,
}

/// The open database, while the desk's lock is held.
pub struct StoreGuard<'a>(std::sync::MutexGuard<'a, Option<Store>>);

impl std::ops::Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.0.as_ref().expect("a StoreGuard is made only for an open store")
    }
}

impl std::ops::DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.0.as_mut().expect("a StoreGuard is made only for an open store")
    }
}

/// Makes a new encrypted desk database at `path` with its first user (and their key slot), or
/// refuses if a desk is there. A database left without a desk by a set-up cut short (created,
/// never given a user) is an empty shell nobody can open, and is made anew.
pub fn create_desk(path: &Path, setup: &DeskSetup, password: &str, texts: &[(&str, &str)]) -> Result<Store, AppError> {
    tongban_store::check_password_rules(password)?;
    let shell = tongban_store::FileKind::of(path)? == tongban_store::FileKind::Encrypted
        && tongban_store::Vault::load(path).ok().flatten().is_some_and(|v| v.desk().is_none() && !v.any_slot());
    if shell {
        for leftover in [path.to_path_buf(), tongban_store::keys_path(path)] {
            let _ = std::fs::remove_file(leftover);
        }
    }
    let mut store = Store::create(path)?;
    if let Err(e) = store.init_desk_with(setup, Some(password), texts, Utc::now()) {
        // A refused set-up leaves nothing behind.
        drop(store);
        for leftover in [path.to_path_buf(), tongban_store::keys_path(path)] {
            let _ = std::fs::remove_file(&leftover);
        }
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        return Err(e.into());
    }
    Ok(store)
}

impl Desk {
    fn closed(path: &Path) -> Desk {
        Desk {
            path: path.to_path_buf(),
            store: Mutex::new(None),
            acting: Mutex::new(None),
            sync: Mutex::new(None),
            opened_at_seq: AtomicI64::new(0),
        }
    }

    /// Where a desk keeps its database when none is given: the platform's local data folder
    /// (`%LOCALAPPDATA%\tongban-desk` on Windows, `~/.local/share/tongban-desk` on Linux). Local,
    /// not the roaming `%APPDATA%`: a government domain often redirects or roams that folder to a
    /// server, and SQLite on a network share can be corrupted.
    pub fn default_db_path() -> Option<PathBuf> {
        dirs::data_local_dir().map(|d| d.join("tongban-desk").join("desk.db"))
    }

    /// Where the window puts the PDFs and scans it hands to the system's viewer: a folder of its
    /// own in the temporary folder, never beside the database (the kept copies there are
    /// encrypted; these are plain, for the viewer only, and are deleted after a while, see
    /// [`viewer::ViewFolder`]).
    pub fn prints_dir(&self) -> PathBuf {
        viewer::ViewFolder::for_desk(&self.path).path().to_path_buf()
    }

    /// Starts syncing with every configured hub (call inside a tokio runtime), on a connection of
    /// its own to this desk's database, until the process ends. Stopping is never required for
    /// safety: every write of a round is one transaction and every push idempotent.
    pub fn start_sync(&self) -> Result<(), AppError> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| AppError::new(HubCode::Internal, "内部错误：同步须在异步运行时中启动"))?;
        let mut sync = self.sync.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = sync.take() {
            old.shutdown.cancel();
        }
        let store = {
            let open = self.locked()?;
            Store::open(open.path(), open.data_key())?
        };
        let shutdown = CancellationToken::new();
        let engine = {
            let _entered = runtime.enter();
            SyncEngine::start(store, SyncSettings::default(), shutdown.clone())
                .map_err(|e| AppError::new(e.code(), e.to_string()))?
        };
        *sync = Some(RunningSync { engine, shutdown, runtime });
        Ok(())
    }

    /// Whether the sync engine runs (it starts at the first login, when the database opens).
    pub fn sync_running(&self) -> bool {
        self.sync.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Starts the engine again if it runs, so it works with the hubs as now configured (a round
    /// under way is cut short; what it wrote is whole, what it did not is done by the next).
    fn restart_sync(&self) -> Result<(), AppError> {
        let runtime = self.sync.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|r| r.runtime.clone());
        match runtime {
            Some(runtime) => {
                let _entered = runtime.enter();
                self.start_sync()
            }
            None => Ok(()),
        }
    }

    /// The 同步 button: a round with every hub now.
    pub fn sync_now(&self) -> Result<(), AppError> {
        match self.sync.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            Some(running) => {
                running.engine.sync_now();
                Ok(())
            }
            None => {
                Err(AppError::new(DeskCode::SyncNotRunning, "同步没有运行：受理台数据库未能打开或尚未配置通办中心"))
            }
        }
    }

    /// Each hub as the running engine reports it; `None` when the engine does not run.
    pub(crate) fn engine_hubs(&self) -> Option<Vec<HubSyncView>> {
        let sync = self.sync.lock().unwrap_or_else(|p| p.into_inner());
        sync.as_ref().map(|r| r.engine.status().borrow().iter().map(HubSyncView::from).collect())
    }

    /// The running engine's state to wait on (it changes as each hub's round starts and ends);
    /// `None` while no engine runs. The receiver ends when the engine is replaced (the hubs
    /// changed): ask again.
    pub fn sync_changes(&self) -> Option<tokio::sync::watch::Receiver<Vec<tongban_sync::HubStatus>>> {
        self.sync.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|r| r.engine.status())
    }

    /// The status bar's view: each hub as the running engine reports it (or, without an engine,
    /// as configured and offline), what waits for no hub, and unread catalog changes.
    pub fn sync_overview(&self) -> Result<SyncOverview, AppError> {
        let reported = self.engine_hubs();
        let store = self.locked()?;
        let running = reported.is_some();
        let hubs = match reported {
            Some(hubs) => hubs,
            None => {
                let mut hubs = Vec::new();
                for hub in store.hubs()? {
                    let state = store.sync_state(&hub.region)?;
                    hubs.push(HubSyncView {
                        region: hub.region,
                        name: hub.name,
                        own_region: hub.own_region,
                        online: false,
                        syncing: false,
                        pending: state.pending,
                        quarantined: state.quarantined,
                        last_success_at: state.last_success_at.map(|t| t.to_rfc3339()),
                        last_error: state.last_error,
                    });
                }
                hubs
            }
        };
        // A desk's own region's catalog is its own back office's work (imported and published
        // here), not news from a partner.
        let own_region = store.require_desk().ok().map(|d| d.region);
        let catalog_news = store
            .catalog_updates(true)?
            .into_iter()
            .filter(|u| own_region.as_deref() != Some(u.region.as_str()))
            .map(|u| CatalogNews {
                id: u.id,
                region_name: region::display_name(&u.region),
                lines: if u.from_version.is_some() {
                    u.changes.lines()
                } else {
                    vec![format!("收到事项清单，共 {} 个事项", u.changes.added.len())]
                },
                from_version: u.from_version,
                to_version: u.to_version,
                at: u.at.to_rfc3339(),
            })
            .collect();
        let today = today();
        let notices_overdue = store.notices_owed_count(today.pred_opt().unwrap_or(NaiveDate::MIN))?;
        let notices_due_today = store.notices_owed_count(today)? - notices_overdue;
        Ok(SyncOverview {
            running,
            hubs,
            unrouted: store.unrouted_outbox_len()?,
            catalog_news,
            notices_overdue,
            notices_due_today,
            clock_warning: clock_warning(&store, Utc::now())?,
            offline: {
                let mut offline: Vec<OfflineNotice> =
                    store.partners_offline(Utc::now())?.into_iter().map(OfflineNotice::from).collect();
                offline.sort_by_key(|o| std::cmp::Reverse(o.days));
                offline
            },
            // A partner no longer configured has no news.
            reconciliation_news: store
                .reconciliation_news()?
                .iter()
                .filter_map(|r| {
                    let hub = store.hub(&r.hub_region).ok()?;
                    Some(crate::reconciliation::ReconciliationNews::of(r, &hub.name))
                })
                .collect(),
            data_version: store.last_event_seq()?,
        })
    }

    /// Marks the catalog changes up to `up_to` (a [`CatalogNews::id`]) as read.
    pub fn acknowledge_catalog_news(&self, up_to: i64) -> Result<(), AppError> {
        self.locked()?.acknowledge_catalog_updates(up_to, Utc::now())?;
        Ok(())
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> Result<T, AppError> {
        Ok(f(&mut *self.locked()?)?)
    }

    /// The open database; `not_logged_in` before anyone opened it.
    pub fn locked(&self) -> Result<StoreGuard<'_>, AppError> {
        // A panic while holding the lock cannot leave the database half-written (SQLite rolls
        // back), so a poisoned lock is safe to reuse.
        let guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            return Err(session::not_logged_in());
        }
        Ok(StoreGuard(guard))
    }

    /// The desk's region and window (before a login, as the login screen shows them).
    pub fn info(&self) -> Result<DeskInfo, AppError> {
        let Ok(store) = self.locked() else {
            return self.info_before_login();
        };
        let desk = store.require_desk()?;
        Ok(DeskInfo {
            region_name: region::display_name(&desk.region),
            region_code: desk.region.clone(),
            window: desk.window_label(),
            desk_code: desk.desk_code.as_str().to_string(),
            db_path: store.path().display().to_string(),
            case_count: store.case_count()?,
        })
    }

    pub fn case_statuses() -> Vec<StatusOption> {
        CaseStatus::ALL.into_iter().map(|s| StatusOption { value: s, label: s.label().to_string() }).collect()
    }

    pub fn list_cases(&self, query: &CaseQuery) -> Result<CasePage, AppError> {
        self.require_reader()?;
        let filter = case_filter(query)?;
        self.with_store(|store| {
            let page = store.list_cases(&filter, query.page, query.page_size)?;
            let rows = CaseRows::new(store)?;
            let rows = page.rows.into_iter().map(|c| rows.row(c)).collect();
            Ok(CasePage { rows, total: page.total })
        })
    }
}

/// The cases a [`CaseQuery`] asks for, as the store filters them.
pub(crate) fn case_filter(query: &CaseQuery) -> Result<CaseFilter, AppError> {
    Ok(CaseFilter {
        text: query.text.clone(),
        status: query.status,
        from: parse_date("from", "起始日期", query.from.as_deref())?,
        to: parse_date("to", "截止日期", query.to.as_deref())?,
        item_code: query.item_code.clone(),
        partner: query.partner.clone(),
        clerk: query.clerk.clone(),
        notice_due_by: query.notice.map(|n| match n {
            // Every owed notice: dates compare as text, so the latest a date column holds.
            NoticeFilter::Owed => NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date"),
            NoticeFilter::Overdue => today().pred_opt().unwrap_or(NaiveDate::MIN),
        }),
        ..CaseFilter::default()
    })
}

impl Desk {
    /// Prints a case's form as the acting user, saves it in [`Desk::prints_dir`] and hands it on.
    pub fn print_case_form(&self, form: FormKind, number: &str, then: AfterPrint) -> Result<PrintOutcome, AppError> {
        self.print(form, then, |store, user, deliver| {
            printing::print_case_form(store, form, number, user, Utc::now(), deliver)
        })
    }

    /// Opens the PDF kept for one print of the case's forms, exactly as it was handed out.
    pub fn open_print(&self, number: &str, print_id: i64) -> Result<String, AppError> {
        self.require_reader()?;
        let (name, bytes) = {
            let store = self.locked()?;
            let summary = store.case_by_number(number)?;
            let print = store.prints_of(summary.id)?.into_iter().find(|p| p.id == print_id).ok_or_else(|| {
                AppError::new(
                    DeskCode::UnknownPrint,
                    format!("办件 {} 没有编号为 {print_id} 的打印记录", summary.number),
                )
            })?;
            let name = store
                .blob_info(&print.pdf_sha256)?
                .map(|b| b.file_name)
                .unwrap_or_else(|| format!("{}-{}.pdf", print.form.label(), summary.number));
            let bytes = store.read_blob(&print.pdf_sha256)?;
            let mut store = store;
            self.audit(
                &mut store,
                tongban_store::AuditKind::Print,
                Some(summary.id),
                format!("查看存档的{}", print.form.label()),
            )?;
            (name, bytes)
        };
        crate::viewer::open_copy(self.prints_dir(), &name, &bytes)
    }

    /// Prints the 每日台账 as the acting user, saves it and hands it on.
    pub fn print_ledger(&self, query: &LedgerQuery, then: AfterPrint) -> Result<PrintOutcome, AppError> {
        let request = query.request();
        self.print(FormKind::Ledger, then, |store, user, deliver| {
            printing::print_ledger(store, &request, user, Utc::now(), deliver)
        })
    }

    /// Renders, saves and hands the form on (viewer or printer), and records it only if all of
    /// that worked: a form the viewer never showed did not go out, so it is not recorded and the
    /// next print of it is not a 补打. Such a failure is not an error of the call: the outcome
    /// says `delivered: false`, why, and what to do (the PDF stays saved for whoever fixes it).
    fn print(
        &self,
        form: FormKind,
        then: AfterPrint,
        make: impl FnOnce(&mut Store, &str, printing::Deliver<'_>) -> Result<Printed, AppError>,
    ) -> Result<PrintOutcome, AppError> {
        let dir = self.prints_dir();
        let mut saved = None;
        let mut handing_on_failed = None;
        let printed = {
            let user = self.actor(None)?;
            let mut store = self.locked()?;
            make(&mut store, &user, &mut |name, pdf| {
                let path = printing::save_pdf(&dir, name, pdf)?;
                saved = Some(path.clone());
                // Inside the delivery, so a failure records nothing. Opening a viewer only
                // starts it, and `lp` only queues the job: neither holds the desk for long.
                hand_on(then, &path).inspect_err(|e| handing_on_failed = Some(e.clone()))
            })
        };
        let printed = match (printed, handing_on_failed) {
            (Ok(printed), _) => printed,
            (Err(_), Some(failure)) => {
                let path = saved.map(|p| p.display().to_string()).unwrap_or_default();
                return Ok(not_delivered(form, then, path, &failure));
            }
            (Err(e), None) => return Err(e),
        };
        let path = saved.ok_or_else(|| AppError::new(HubCode::Internal, "内部错误：PDF 未保存"))?;
        let done = match then {
            AfterPrint::Open => "，已在查看器中打开",
            AfterPrint::Printer => "，已送打印机",
            AfterPrint::Save => "，已保存",
        };
        Ok(PrintOutcome {
            path: path.display().to_string(),
            delivered: true,
            reprint: printed.record.reprint,
            message: printed.summary(None) + done,
            warning: None,
        })
    }
}

/// Hands a saved PDF to the viewer or the printer, as the clerk asked.
fn hand_on(then: AfterPrint, path: &Path) -> Result<(), AppError> {
    match then {
        AfterPrint::Open => viewer::open_pdf(path),
        AfterPrint::Printer => viewer::send_to_printer(path, None),
        AfterPrint::Save => Ok(()),
    }
}

/// What the clerk is told when a form was made but the viewer or printer failed.
fn not_delivered(form: FormKind, then: AfterPrint, path: String, failure: &AppError) -> PrintOutcome {
    let verb = if then == AfterPrint::Printer { "送打印机" } else { "打开" };
    let label = form.label();
    PrintOutcome {
        path,
        delivered: false,
        reprint: false,
        message: format!("{label}未打印：未能{verb}"),
        warning: Some(format!("{label}未打印：{}。这次不算已打印，修好后在办件中再打印即可", failure.message)),
    }
}

/// Turns stored cases into the queue's rows: clerks named, overdue counted as of today.
pub(crate) struct CaseRows<'a> {
    names: HashMap<String, String>,
    calendar: &'a tongban_core::workdays::WorkCalendar,
    today: NaiveDate,
}

impl<'a> CaseRows<'a> {
    pub(crate) fn new(store: &'a Store) -> Result<CaseRows<'a>, StoreError> {
        Ok(CaseRows {
            names: store.users()?.into_iter().map(|u| (u.login, u.display_name)).collect(),
            calendar: store.calendar(),
            today: today(),
        })
    }

    pub(crate) fn clerk_name(&self, login: &str) -> String {
        self.names.get(login).cloned().unwrap_or_else(|| login.to_string())
    }

    pub(crate) fn due(&self, d: Option<Deadline>, status: CaseStatus) -> Option<DueDate> {
        due_date(self.calendar, d, status, self.today)
    }

    pub(crate) fn row(&self, c: tongban_store::CaseSummary) -> CaseRow {
        CaseRow {
            overdue_days: overdue_days(self.calendar, c.deadline.map(|d| d.date), c.status, self.today),
            deadline_estimated: c.deadline.is_some_and(|d| d.estimated),
            clock_note: clock_note(c.deadline, c.status),
            notice_due: self.due(c.notice_due, c.status),
            supplement_due: self.due(c.supplement_due, c.status),
            handling_region_name: region::short_name(&c.handling_region).unwrap_or_default(),
            clerk_name: if c.clerk_name.is_empty() { self.clerk_name(&c.clerk) } else { c.clerk_name.clone() },
            id: c.id.to_string(),
            number: c.number,
            status: c.status,
            status_label: c.status.label().to_string(),
            applicant_name: c.applicant_name,
            applicant_id_masked: mask_id_number(&c.applicant_id),
            item_name: c.item_name,
            handling_region: c.handling_region,
            received_at: c.received_at.to_rfc3339(),
            deadline: c.deadline.map(|d| d.date.to_string()),
            clerk: c.clerk,
            pending_sync: c.pending_sync,
            awaits_applicant: completion::awaits_applicant(c.status),
        }
    }
}

/// Today in Beijing, the day deadlines and ledgers count in and the day checks of what a clerk
/// types are made as of (no birth date after it).
pub fn today() -> NaiveDate {
    tongban_core::time::beijing_date(Utc::now())
}

/// Why a case shows no 承诺办结 date: its clock has not started (材料不齐) or stands still
/// while the handling region waits for the applicant's 补正. `None` when it has a date, or is
/// closed without one.
pub fn clock_note(deadline: Option<Deadline>, status: CaseStatus) -> Option<String> {
    deadline.is_none().then(|| tongban_core::clocks::no_deadline_note(status)).flatten().map(str::to_string)
}

/// Why the machine's clock cannot be believed for dating a case, if it cannot
/// (`tongban_core::clocks::machine_clock_warning`).
pub(crate) fn clock_warning(store: &Store, now: chrono::DateTime<Utc>) -> Result<Option<String>, StoreError> {
    Ok(tongban_core::clocks::machine_clock_warning(now, store.latest_local_time()?, store.calendar()))
}

/// A clock's day as the window shows it, with the working days past it `today`.
pub(crate) fn due_date(
    calendar: &tongban_core::workdays::WorkCalendar,
    d: Option<Deadline>,
    status: CaseStatus,
    today: NaiveDate,
) -> Option<DueDate> {
    d.map(|d| DueDate {
        date: d.date.to_string(),
        estimated: d.estimated,
        overdue_days: overdue_days(calendar, Some(d.date), status, today),
    })
}

/// Working days a case is past its deadline (0 if not, or once it is closed).
fn overdue_days(
    calendar: &tongban_core::workdays::WorkCalendar,
    deadline: Option<NaiveDate>,
    status: CaseStatus,
    today: NaiveDate,
) -> i64 {
    deadline.filter(|_| !status.is_final()).and_then(|d| calendar.overdue_by(d, today).ok()).unwrap_or(0)
}

fn parse_date(field: &str, label: &str, value: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map(Some).map_err(|_| {
            AppError::new(
                DeskCode::InvalidInput,
                format!("{label}「{v}」无效，应为 YYYY-MM-DD 格式的日期（字段 {field}）"),
            )
        }),
    }
}
