//! The window's commands. Each is a few lines: take the desk, call it, return its answer or its
//! `AppError` ({code, message}, shown to the clerk as is). Database work runs on a blocking
//! thread so the window never waits on SQLite.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::State;
use tongban_desk::RateReport;
use tongban_desk::{
    AccountView, DeskSetupForm, LoginInfo, NewAccount, RegionChoice, RoleOption, SessionView, SetupDefaults,
};
use tongban_desk::{
    AfterPrint, AppError, CaseForm, CasePage, CaseQuery, CatalogIntake, Desk, DeskInfo, FieldCheck, FieldKind, IdKind,
    ItemChoice, ItemDetails, LedgerQuery, PartnerForm, PartnerView, PrintOutcome, ReturningApplicant, StatusOption,
    SupervisionReport, SyncOverview, TakenIn,
};
use tongban_desk::{
    AuditPage, AuditQuery, BackupResult, BackupSettings, BackupView, LedgerExport, OfflineNotice, RecoveryKeyView,
};
use tongban_desk::{CaseDetail, CaseStatus, Completed, Completion, DeliveryRecord, Party, ScanView, ScannerFolder};
use tongban_desk::{Decided, DecisionChoices, DecisionDraft, DecisionNews, InboxPage, InboxQuery, QuarantineRow};

/// The desk the window works on, or why it could not be opened.
pub enum DeskState {
    Open(Arc<Desk>),
    Failed(AppError),
}

impl DeskState {
    pub fn open(path: Result<PathBuf, AppError>) -> DeskState {
        match path.and_then(|p| {
            Desk::open_window(&p)
                .map_err(|e| AppError::new(&e.code, format!("无法打开受理台数据库 {}：{}", p.display(), e.message)))
        }) {
            Ok(desk) => DeskState::Open(Arc::new(desk)),
            Err(e) => DeskState::Failed(e),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Desk) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let desk = match self {
            DeskState::Open(desk) => Arc::clone(desk),
            DeskState::Failed(e) => return Err(e.clone()),
        };
        tauri::async_runtime::spawn_blocking(move || f(&desk))
            .await
            .map_err(|e| AppError::new("internal", format!("内部错误：{e}")))?
    }
}

#[tauri::command]
pub async fn desk_info(desk: State<'_, DeskState>) -> Result<DeskInfo, AppError> {
    desk.run(|d| d.info()).await
}

#[tauri::command]
pub async fn list_cases(desk: State<'_, DeskState>, query: CaseQuery) -> Result<CasePage, AppError> {
    desk.run(move |d| d.list_cases(&query)).await
}

#[tauri::command]
pub fn case_statuses() -> Vec<StatusOption> {
    Desk::case_statuses()
}

#[tauri::command]
pub async fn print_case_form(
    desk: State<'_, DeskState>,
    form: CaseForm,
    number: String,
    then: AfterPrint,
) -> Result<PrintOutcome, AppError> {
    desk.run(move |d| d.print_case_form(form, &number, then)).await
}

#[tauri::command]
pub async fn print_ledger(
    desk: State<'_, DeskState>,
    query: LedgerQuery,
    then: AfterPrint,
) -> Result<PrintOutcome, AppError> {
    desk.run(move |d| d.print_ledger(&query, then)).await
}

/// The ledger of the chosen days as an .xlsx in the user's documents folder.
#[tauri::command]
pub async fn export_ledger_xlsx(desk: State<'_, DeskState>, query: LedgerQuery) -> Result<LedgerExport, AppError> {
    desk.run(move |d| d.export_ledger_xlsx(&query, None)).await
}

#[tauri::command]
pub async fn item_choices(desk: State<'_, DeskState>) -> Result<Vec<ItemChoice>, AppError> {
    desk.run(|d| d.item_choices()).await
}

#[tauri::command]
pub async fn item_details(desk: State<'_, DeskState>, partner: String, code: String) -> Result<ItemDetails, AppError> {
    desk.run(move |d| d.item_details(&partner, &code)).await
}

#[tauri::command]
pub fn check_field(kind: FieldKind, id_kind: Option<IdKind>, value: String) -> FieldCheck {
    Desk::check_field(kind, id_kind, &value, tongban_desk::today())
}

#[tauri::command]
pub async fn take_in(desk: State<'_, DeskState>, draft: CatalogIntake) -> Result<TakenIn, AppError> {
    desk.run(move |d| d.take_in(&draft)).await
}

#[tauri::command]
pub async fn sync_overview(desk: State<'_, DeskState>) -> Result<SyncOverview, AppError> {
    desk.run(|d| d.sync_overview()).await
}

/// Starts a round with every hub now (the engine's tasks run it; the status bar shows it).
#[tauri::command]
pub async fn sync_now(desk: State<'_, DeskState>) -> Result<(), AppError> {
    desk.run(|d| d.sync_now()).await
}

#[tauri::command]
pub async fn acknowledge_catalog_news(desk: State<'_, DeskState>, up_to: i64) -> Result<(), AppError> {
    desk.run(move |d| d.acknowledge_catalog_news(up_to)).await
}

#[tauri::command]
pub async fn supervision(desk: State<'_, DeskState>, query: LedgerQuery) -> Result<SupervisionReport, AppError> {
    desk.run(move |d| d.supervision(&query)).await
}

#[tauri::command]
pub async fn supervision_rates(desk: State<'_, DeskState>, query: LedgerQuery) -> Result<RateReport, AppError> {
    desk.run(move |d| d.supervision_rates(&query)).await
}

#[tauri::command]
pub async fn partners(desk: State<'_, DeskState>) -> Result<Vec<PartnerView>, AppError> {
    desk.run(|d| d.partners()).await
}

/// An admin lets intakes for a partner go on for a day past the offline limit, with a reason.
#[tauri::command]
pub async fn lift_offline_limit(
    desk: State<'_, DeskState>,
    region: String,
    reason: String,
) -> Result<OfflineNotice, AppError> {
    desk.run(move |d| d.lift_offline_limit(&region, &reason)).await
}

#[tauri::command]
pub async fn save_partner(desk: State<'_, DeskState>, form: PartnerForm) -> Result<Vec<PartnerView>, AppError> {
    desk.run(move |d| d.save_partner(&form)).await
}

#[tauri::command]
pub async fn returning_applicant(
    desk: State<'_, DeskState>,
    id_number: String,
) -> Result<Option<ReturningApplicant>, AppError> {
    desk.run(move |d| d.returning_applicant(&id_number)).await
}

#[tauri::command]
pub async fn case_detail(desk: State<'_, DeskState>, number: String) -> Result<CaseDetail, AppError> {
    desk.run(move |d| d.case_detail(&number)).await
}

#[tauri::command]
pub async fn reveal_id_number(desk: State<'_, DeskState>, number: String, party: Party) -> Result<String, AppError> {
    desk.run(move |d| d.reveal_id_number(&number, party)).await
}

#[tauri::command]
pub async fn complete_case(
    desk: State<'_, DeskState>,
    number: String,
    completion: Completion,
) -> Result<Completed, AppError> {
    desk.run(move |d| d.complete_case(&number, &completion)).await
}

#[tauri::command]
pub async fn record_delivery(
    desk: State<'_, DeskState>,
    number: String,
    record: DeliveryRecord,
) -> Result<CaseStatus, AppError> {
    desk.run(move |d| d.record_delivery(&number, &record)).await
}

/// A scan from the window's file picker: the bytes are the request body (not a JSON array of
/// numbers), the file name is URI-encoded in the `file-name` header.
#[tauri::command]
pub async fn attach_scan(desk: State<'_, DeskState>, request: tauri::ipc::Request<'_>) -> Result<ScanView, AppError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::new("invalid_input", "扫描件须以文件内容发送"));
    };
    let name = request
        .headers()
        .get("file-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| percent_encoding::percent_decode_str(v).decode_utf8_lossy().to_string())
        .unwrap_or_default();
    let bytes = bytes.clone();
    desk.run(move |d| d.attach_scan(&name, &bytes)).await
}

#[tauri::command]
pub async fn open_scan(desk: State<'_, DeskState>, sha256: String) -> Result<String, AppError> {
    desk.run(move |d| d.open_scan(&sha256)).await
}

#[tauri::command]
pub async fn open_print(desk: State<'_, DeskState>, number: String, print_id: i64) -> Result<String, AppError> {
    desk.run(move |d| d.open_print(&number, print_id)).await
}

#[tauri::command]
pub async fn scanner_folder(desk: State<'_, DeskState>) -> Result<ScannerFolder, AppError> {
    desk.run(|d| d.scanner_folder()).await
}

#[tauri::command]
pub async fn set_scanner_folder(desk: State<'_, DeskState>, folder: String) -> Result<ScannerFolder, AppError> {
    desk.run(move |d| d.set_scanner_folder(&folder)).await
}

#[tauri::command]
pub async fn attach_scanner_file(desk: State<'_, DeskState>, name: String) -> Result<ScanView, AppError> {
    desk.run(move |d| d.attach_scanner_file(&name)).await
}

#[tauri::command]
pub async fn login_info(desk: State<'_, DeskState>) -> Result<LoginInfo, AppError> {
    desk.run(|d| d.login_info()).await
}

#[tauri::command]
pub async fn log_in(desk: State<'_, DeskState>, login: String, password: String) -> Result<SessionView, AppError> {
    // The first login opens the database: the desk starts syncing then (and goes on while the
    // window is locked or another user logs in).
    desk.run(move |d| {
        let session = d.log_in(&login, &password)?;
        if !d.sync_running() {
            crate::start_sync(d);
        }
        Ok(session)
    })
    .await
}

#[tauri::command]
pub async fn recovery_key(desk: State<'_, DeskState>) -> Result<Option<RecoveryKeyView>, AppError> {
    desk.run(|d| d.recovery_key()).await
}

#[tauri::command]
pub async fn print_recovery_sheet(desk: State<'_, DeskState>) -> Result<PrintOutcome, AppError> {
    desk.run(|d| d.print_recovery_sheet()).await
}

#[tauri::command]
pub async fn confirm_recovery_kept(desk: State<'_, DeskState>) -> Result<(), AppError> {
    desk.run(|d| d.confirm_recovery_kept()).await
}

#[tauri::command]
pub async fn recover_admin(
    desk: State<'_, DeskState>,
    recovery_key: String,
    login: String,
    password: String,
    password_again: String,
) -> Result<(), AppError> {
    desk.run(move |d| d.recover_admin(&recovery_key, &login, &password, &password_again)).await
}

#[tauri::command]
pub async fn audit_log(desk: State<'_, DeskState>, query: AuditQuery) -> Result<AuditPage, AppError> {
    desk.run(move |d| d.audit_log(&query)).await
}

#[tauri::command]
pub async fn print_audit_log(
    desk: State<'_, DeskState>,
    query: AuditQuery,
    then: AfterPrint,
) -> Result<PrintOutcome, AppError> {
    desk.run(move |d| d.print_audit_log(&query, then)).await
}

#[tauri::command]
pub async fn export_audit_log(desk: State<'_, DeskState>, query: AuditQuery) -> Result<String, AppError> {
    desk.run(move |d| d.export_audit_log(&query, None)).await
}

#[tauri::command]
pub async fn log_out(desk: State<'_, DeskState>) -> Result<(), AppError> {
    desk.run(|d| {
        d.log_out();
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn lock(desk: State<'_, DeskState>) -> Result<SessionView, AppError> {
    desk.run(|d| d.lock()).await
}

#[tauri::command]
pub async fn unlock(desk: State<'_, DeskState>, password: String) -> Result<SessionView, AppError> {
    desk.run(move |d| d.unlock(&password)).await
}

#[tauri::command]
pub async fn session(desk: State<'_, DeskState>) -> Result<Option<SessionView>, AppError> {
    desk.run(|d| Ok(d.session())).await
}

#[tauri::command]
pub async fn change_password(
    desk: State<'_, DeskState>,
    current: String,
    password: String,
    password_again: String,
) -> Result<(), AppError> {
    desk.run(move |d| d.change_password(&current, &password, &password_again)).await
}

#[tauri::command]
pub fn roles() -> Vec<RoleOption> {
    Desk::roles()
}

#[tauri::command]
pub async fn accounts(desk: State<'_, DeskState>) -> Result<Vec<AccountView>, AppError> {
    desk.run(|d| d.accounts()).await
}

#[tauri::command]
pub async fn add_account(desk: State<'_, DeskState>, account: NewAccount) -> Result<Vec<AccountView>, AppError> {
    desk.run(move |d| d.add_account(&account)).await
}

#[tauri::command]
pub async fn reset_password(
    desk: State<'_, DeskState>,
    login: String,
    password: String,
    password_again: String,
) -> Result<(), AppError> {
    desk.run(move |d| d.reset_password(&login, &password, &password_again)).await
}

#[tauri::command]
pub async fn disable_account(desk: State<'_, DeskState>, login: String) -> Result<Vec<AccountView>, AppError> {
    desk.run(move |d| d.disable_account(&login)).await
}

#[tauri::command]
pub fn regions(query: String) -> Vec<RegionChoice> {
    Desk::regions(&query)
}

#[tauri::command]
pub fn setup_defaults() -> SetupDefaults {
    Desk::setup_defaults()
}

#[tauri::command]
pub async fn set_up_desk(
    app: tauri::AppHandle,
    desk: State<'_, DeskState>,
    form: DeskSetupForm,
) -> Result<DeskInfo, AppError> {
    // The window opened on a desk not set up: once it is, it is named as at start (it syncs
    // once someone logs in).
    desk.run(move |d| {
        let info = d.set_up(&form)?;
        crate::name_window(&app, d);
        Ok(info)
    })
    .await
}

#[tauri::command]
pub async fn inbox(desk: State<'_, DeskState>, query: InboxQuery) -> Result<InboxPage, AppError> {
    desk.run(move |d| d.inbox(&query)).await
}

#[tauri::command]
pub async fn decision_choices(desk: State<'_, DeskState>, number: String) -> Result<DecisionChoices, AppError> {
    desk.run(move |d| d.decision_choices(&number)).await
}

#[tauri::command]
pub async fn record_decision(
    desk: State<'_, DeskState>,
    number: String,
    draft: DecisionDraft,
) -> Result<Decided, AppError> {
    desk.run(move |d| d.record_decision(&number, &draft)).await
}

#[tauri::command]
pub async fn decisions_since(desk: State<'_, DeskState>, after: Option<i64>) -> Result<DecisionNews, AppError> {
    desk.run(move |d| d.decisions_since(after)).await
}

#[tauri::command]
pub async fn quarantine(desk: State<'_, DeskState>) -> Result<Vec<QuarantineRow>, AppError> {
    desk.run(|d| d.quarantine()).await
}

#[tauri::command]
pub async fn resubmit_quarantined(desk: State<'_, DeskState>, event_id: String) -> Result<(), AppError> {
    desk.run(move |d| d.resubmit_quarantined(&event_id)).await
}

#[tauri::command]
pub async fn discard_quarantined(desk: State<'_, DeskState>, event_id: String, reason: String) -> Result<(), AppError> {
    desk.run(move |d| d.discard_quarantined(&event_id, &reason)).await
}

/// The event a running backup reports its progress with (a `BackupStep`).
pub const BACKUP_PROGRESS_EVENT: &str = "backup-progress";

#[tauri::command]
pub async fn backup_view(desk: State<'_, DeskState>) -> Result<BackupView, AppError> {
    desk.run(|d| d.backup_view()).await
}

#[tauri::command]
pub async fn save_backup_settings(
    desk: State<'_, DeskState>,
    settings: BackupSettings,
) -> Result<BackupView, AppError> {
    desk.run(move |d| d.save_backup_settings(&settings)).await
}

#[tauri::command]
pub async fn back_up_now(
    app: tauri::AppHandle,
    desk: State<'_, DeskState>,
    folder: Option<String>,
) -> Result<BackupResult, AppError> {
    use tauri::Emitter;
    desk.run(move |d| {
        d.back_up_now(folder.as_deref(), |step| {
            let _ = app.emit(BACKUP_PROGRESS_EVENT, &step);
        })
    })
    .await
}
