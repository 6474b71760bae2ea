// The one place where the window talks to the Rust side. Components receive a `Backend`
// (see `provideBackend`/`useBackend`), so unit tests can hand them a fake.
import { inject, type InjectionKey } from "vue";
import type { AppError } from "./bindings/AppError";
import type { CasePage } from "./bindings/CasePage";
import type { CaseQuery } from "./bindings/CaseQuery";
import type { DeskInfo } from "./bindings/DeskInfo";
import type { StatusOption } from "./bindings/StatusOption";
import type { AfterPrint } from "./bindings/AfterPrint";
import type { CaseForm } from "./bindings/CaseForm";
import type { LedgerQuery } from "./bindings/LedgerQuery";
import type { PrintOutcome } from "./bindings/PrintOutcome";
import type { LedgerExport } from "./bindings/LedgerExport";
import type { OfflineNotice } from "./bindings/OfflineNotice";
import type { SyncOverview } from "./bindings/SyncOverview";
import type { ItemChoice } from "./bindings/ItemChoice";
import type { ItemDetails } from "./bindings/ItemDetails";
import type { FieldKind } from "./bindings/FieldKind";
import type { IdKind } from "./bindings/IdKind";
import type { FieldCheck } from "./bindings/FieldCheck";
import type { CatalogIntake } from "./bindings/CatalogIntake";
import type { TakenIn } from "./bindings/TakenIn";
import type { SupervisionReport } from "./bindings/SupervisionReport";
import type { RateReport } from "./bindings/RateReport";
import type { PartnerView } from "./bindings/PartnerView";
import type { PartnerForm } from "./bindings/PartnerForm";
import type { ReturningApplicant } from "./bindings/ReturningApplicant";
import type { CaseDetail } from "./bindings/CaseDetail";
import type { Party } from "./bindings/Party";
import type { Completion } from "./bindings/Completion";
import type { Completed } from "./bindings/Completed";
import type { DeliveryRecord } from "./bindings/DeliveryRecord";
import type { CaseStatus } from "./bindings/CaseStatus";
import type { ScanView } from "./bindings/ScanView";
import type { ScannerFolder } from "./bindings/ScannerFolder";
import type { SessionView } from "./bindings/SessionView";
import type { LoginInfo } from "./bindings/LoginInfo";
import type { AccountView } from "./bindings/AccountView";
import type { RoleOption } from "./bindings/RoleOption";
import type { NewAccount } from "./bindings/NewAccount";
import type { DeskSetupForm } from "./bindings/DeskSetupForm";
import type { SetupDefaults } from "./bindings/SetupDefaults";
import type { BackupView } from "./bindings/BackupView";
import type { BackupSettings } from "./bindings/BackupSettings";
import type { BackupStep } from "./bindings/BackupStep";
import type { BackupResult } from "./bindings/BackupResult";
import type { RegionChoice } from "./bindings/RegionChoice";
import type { InboxQuery } from "./bindings/InboxQuery";
import type { InboxPage } from "./bindings/InboxPage";
import type { DecisionChoices } from "./bindings/DecisionChoices";
import type { DecisionDraft } from "./bindings/DecisionDraft";
import type { Decided } from "./bindings/Decided";
import type { DecisionNews } from "./bindings/DecisionNews";
import type { QuarantineRow } from "./bindings/QuarantineRow";
import type { RecoveryKeyView } from "./bindings/RecoveryKeyView";
import type { AuditQuery } from "./bindings/AuditQuery";
import type { AuditPage } from "./bindings/AuditPage";

export interface Backend {
  deskInfo(): Promise<DeskInfo>;
  listCases(query: CaseQuery): Promise<CasePage>;
  caseStatuses(): Promise<StatusOption[]>;
  /** Prints a case's form (by 办件编号): saved, recorded, then opened or sent to the printer. */
  printCaseForm(form: CaseForm, number: string, then: AfterPrint): Promise<PrintOutcome>;
  printLedger(query: LedgerQuery, then: AfterPrint): Promise<PrintOutcome>;
  /** The ledger as an .xlsx in the documents folder: a copy for Excel, not recorded as a print. */
  exportLedgerXlsx(query: LedgerQuery): Promise<LedgerExport>;
  /** Every item and 一件事 of every partner's current catalog, for the intake's picker. */
  itemChoices(): Promise<ItemChoice[]>;
  /** The materials, terms and liaisons of one item (or 一件事) of a partner's catalog. */
  itemDetails(partner: string, code: string): Promise<ItemDetails>;
  /** Checks one typed value (证件号码, 统一社会信用代码, 电话) as the clerk types. */
  checkField(kind: FieldKind, idKind: IdKind | null, value: string): Promise<FieldCheck>;
  /** Takes an intake in: saves the case and says what is missing. */
  takeIn(draft: CatalogIntake): Promise<TakenIn>;
  /** Every hub's sync state, what waits for no hub, unread catalog changes (for the status bar). */
  syncOverview(): Promise<SyncOverview>;
  /** Starts a round with every hub now. */
  syncNow(): Promise<void>;
  /** Calls `handler` with the overview each time the sync engine's state changes (pushed by the
   * desk, never polled); resolves to the function that stops it. */
  onSyncState(handler: (overview: SyncOverview) => void): Promise<() => void>;
  /** Marks the catalog changes up to this id as read. */
  acknowledgeCatalogNews(upTo: number): Promise<void>;
  /** The supervisor's view: the ledger of some days on screen, its counts, the overdue list. */
  supervision(query: LedgerQuery): Promise<SupervisionReport>;
  /** 受理率, 按时办结率, 超期件数, 平均办理用时 of the same cases, in all and by item, partner, clerk. */
  supervisionRates(query: LedgerQuery): Promise<RateReport>;
  /** Every partner: hub, catalog, sync state. */
  partners(): Promise<PartnerView[]>;
  /** Adds or changes a partner's hub (sync restarts with it); answers the partners as now. */
  savePartner(form: PartnerForm): Promise<PartnerView[]>;
  /** An admin lets intakes for a partner go on for a day past the offline limit, with a reason. */
  liftOfflineLimit(region: string, reason: string): Promise<OfflineNotice>;
  /** An applicant this desk took a case in for before (by 证件号码 or 信用代码), as last given. */
  returningApplicant(idNumber: string): Promise<ReturningApplicant | null>;
  /** One case with its materials, history, prints and the actions its status allows. */
  caseDetail(number: string): Promise<CaseDetail>;
  /** The whole 证件号码 of the case's applicant or agent. */
  revealIdNumber(number: string, party: Party): Promise<string>;
  /** 补正收件: records the materials brought now and prints the receipt (or a new notice). */
  completeCase(number: string, completion: Completion): Promise<Completed>;
  /** 结果已送达; answers the case's new status. */
  recordDelivery(number: string, record: DeliveryRecord): Promise<CaseStatus>;
  /** Keeps a scanned file (PDF/JPEG/PNG/TIFF) for a material; answers its SHA-256, name and size. */
  attachScan(fileName: string, bytes: Uint8Array): Promise<ScanView>;
  /** Opens a kept scan in the system viewer. */
  openScan(sha256: string): Promise<string>;
  /** Opens the PDF kept for one print of a case's form. */
  openPrint(number: string, printId: number): Promise<string>;
  /** The scanner's output folder and its newest scans. */
  scannerFolder(): Promise<ScannerFolder>;
  /** Names the scanner's output folder (empty forgets it). */
  setScannerFolder(folder: string): Promise<ScannerFolder>;
  /** Keeps one file of the scanner's folder as a scan. */
  attachScannerFile(name: string): Promise<ScanView>;
  /** The login screen's facts: the idle lock, and the demo desk's accounts. */
  loginInfo(): Promise<LoginInfo>;
  /** Logs in; wrong password and unknown login both reject with 用户名或密码错误. */
  logIn(login: string, password: string): Promise<SessionView>;
  /** Ends the session (切换用户). */
  logOut(): Promise<void>;
  lock(): Promise<SessionView>;
  /** Unlocks with the logged-in user's password. */
  unlock(password: string): Promise<SessionView>;
  /** Who is logged in, or null. */
  session(): Promise<SessionView | null>;
  changePassword(current: string, password: string, passwordAgain: string): Promise<void>;
  roles(): Promise<RoleOption[]>;
  /** Every user (admin only). */
  accounts(): Promise<AccountView[]>;
  addAccount(account: NewAccount): Promise<AccountView[]>;
  resetPassword(login: string, password: string, passwordAgain: string): Promise<void>;
  disableAccount(login: string): Promise<AccountView[]>;
  /** Regions whose code or name starts with the query, with full names (the region pickers). */
  regions(query: string): Promise<RegionChoice[]>;
  setupDefaults(): Promise<SetupDefaults>;
  /** Sets the desk up on first run; the login screen comes next. */
  setUpDesk(form: DeskSetupForm): Promise<DeskInfo>;
  /** The back office's inbox: cases this region handles that partner windows took in. */
  inbox(query: InboxQuery): Promise<InboxPage>;
  /** The decisions a case's status allows now, and its materials (for 需补正). */
  decisionChoices(number: string): Promise<DecisionChoices>;
  /** Records a decision; a field left out comes back as a BackendError with `field`. */
  recordDecision(number: string, draft: DecisionDraft): Promise<Decided>;
  /** Partners' decisions that arrived after `after` (null: none, just the cursor to start from). */
  decisionsSince(after: number | null): Promise<DecisionNews>;
  /** Events the sync holds back, with the reason and what to do. */
  quarantine(): Promise<QuarantineRow[]>;
  /** 重新提交 a quarantined event once its cause is fixed. */
  resubmitQuarantined(eventId: string): Promise<void>;
  /** The recovery key while it is still to be handed out (after set-up, or to an admin); else null. */
  recoveryKey(): Promise<RecoveryKeyView | null>;
  /** Prints the recovery sheet and opens it in the viewer. */
  printRecoverySheet(): Promise<PrintOutcome>;
  /** The recovery key is kept in the safe: it is never shown again. */
  confirmRecoveryKept(): Promise<void>;
  /** 忘记管理员密码: the recovery key gives an admin a new password. */
  recoverAdmin(recoveryKey: string, login: string, password: string, passwordAgain: string): Promise<void>;
  /** The audit log (supervisors): newest first, filtered. */
  auditLog(query: AuditQuery): Promise<AuditPage>;
  printAuditLog(query: AuditQuery, then: AfterPrint): Promise<PrintOutcome>;
  /** Exports the filtered audit log as CSV into the documents folder; answers the file's path. */
  exportAuditLog(query: AuditQuery): Promise<string>;
  /** 放弃 a quarantined event (admins only), with the reason kept with it. */
  discardQuarantined(eventId: string, reason: string): Promise<void>;
  /** The 备份 dialog (admins): the last backup, the daily backup's settings, the warning. */
  backupView(): Promise<BackupView>;
  saveBackupSettings(settings: BackupSettings): Promise<BackupView>;
  /** Backs up now to `folder` (or the daily backup's); `onStep` follows the progress. */
  backUpNow(folder: string | null, onStep: (step: BackupStep) => void): Promise<BackupResult>;
}

/** Error codes the window reacts to specially. */
export const DESK_NOT_INITIALIZED = "desk_not_initialized";
/** A command that needs a session was called with nobody logged in. */
export const NOT_LOGGED_IN = "not_logged_in";
/** The window is locked: only unlock works. */
export const SESSION_LOCKED = "session_locked";

/** A rejected command, always carrying the backend's code and its Chinese message. */
export class BackendError extends Error implements AppError {
  readonly code: string;
  /** The form field at fault (`applicant.id_number`, `materials[2].name`, …), if any. */
  readonly field?: string;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
    if (field !== undefined) this.field = field;
  }
}

/**
 * Turns whatever `invoke` rejected with into a `BackendError`.
 * Our commands reject with a serialised `AppError` ({code, message, field?}); Tauri itself rejects with a
 * plain string (unknown command, bad arguments, IPC failure).
 */
export function toBackendError(raw: unknown): BackendError {
  if (raw instanceof BackendError) return raw;
  if (raw && typeof raw === "object") {
    const o = raw as Record<string, unknown>;
    if (typeof o.code === "string" && typeof o.message === "string") {
      return new BackendError(o.code, o.message, typeof o.field === "string" && o.field ? o.field : undefined);
    }
    if (raw instanceof Error) return new BackendError("internal", raw.message);
  }
  if (typeof raw === "string" && raw.length > 0) return new BackendError("internal", raw);
  return new BackendError("internal", "与本机服务通信失败，请重新打开通办收件台。");
}

type Invoke = <T>(
  cmd: string,
  args?: Record<string, unknown> | Uint8Array,
  options?: { headers: Record<string, string> },
) => Promise<T>;

/** Tauri's event listener (`listen` from @tauri-apps/api/event). */
type Listen = <T>(event: string, handler: (e: { payload: T }) => void) => Promise<() => void>;

/** The event the shell pushes the sync engine's state with (src-tauri/src/lib.rs). */
export const SYNC_STATE_EVENT = "sync-state";

/** The event a running backup reports its progress with (src-tauri/src/commands.rs). */
export const BACKUP_PROGRESS_EVENT = "backup-progress";

/** The real backend: Tauri commands defined in src-tauri/src/commands.rs. */
export function createTauriBackend(invoke: Invoke, listen?: Listen): Backend {
  const call = async <T>(
    cmd: string,
    args?: Record<string, unknown> | Uint8Array,
    options?: { headers: Record<string, string> },
  ): Promise<T> => {
    try {
      return await (options ? invoke<T>(cmd, args, options) : invoke<T>(cmd, args));
    } catch (e) {
      throw toBackendError(e);
    }
  };
  return {
    deskInfo: () => call<DeskInfo>("desk_info"),
    listCases: (query) => call<CasePage>("list_cases", { query }),
    caseStatuses: () => call<StatusOption[]>("case_statuses"),
    printCaseForm: (form, number, then) => call<PrintOutcome>("print_case_form", { form, number, then }),
    printLedger: (query, then) => call<PrintOutcome>("print_ledger", { query, then }),
    exportLedgerXlsx: (query) => call<LedgerExport>("export_ledger_xlsx", { query }),
    itemChoices: () => call<ItemChoice[]>("item_choices"),
    itemDetails: (partner, code) => call<ItemDetails>("item_details", { partner, code }),
    // Tauri turns the camelCase `idKind` into the command's `id_kind`.
    checkField: (kind, idKind, value) => call<FieldCheck>("check_field", { kind, idKind, value }),
    takeIn: (draft) => call<TakenIn>("take_in", { draft }),
    syncOverview: () => call<SyncOverview>("sync_overview"),
    syncNow: () => call<void>("sync_now"),
    onSyncState: (handler) =>
      listen
        ? listen<SyncOverview>(SYNC_STATE_EVENT, (e) => handler(e.payload))
        : Promise.reject(new BackendError("internal", "没有事件通道")),
    acknowledgeCatalogNews: (upTo) => call<void>("acknowledge_catalog_news", { upTo }),
    supervision: (query) => call<SupervisionReport>("supervision", { query }),
    supervisionRates: (query) => call<RateReport>("supervision_rates", { query }),
    partners: () => call<PartnerView[]>("partners"),
    savePartner: (form) => call<PartnerView[]>("save_partner", { form }),
    liftOfflineLimit: (region, reason) => call<OfflineNotice>("lift_offline_limit", { region, reason }),
    returningApplicant: (idNumber) => call<ReturningApplicant | null>("returning_applicant", { idNumber }),
    caseDetail: (number) => call<CaseDetail>("case_detail", { number }),
    revealIdNumber: (number, party) => call<string>("reveal_id_number", { number, party }),
    completeCase: (number, completion) => call<Completed>("complete_case", { number, completion }),
    recordDelivery: (number, record) => call<CaseStatus>("record_delivery", { number, record }),
    // The bytes go as the raw request body; a header carries only ASCII, hence the encoded name.
    attachScan: (fileName, bytes) =>
      call<ScanView>("attach_scan", bytes, { headers: { "file-name": encodeURIComponent(fileName) } }),
    openScan: (sha256) => call<string>("open_scan", { sha256 }),
    openPrint: (number, printId) => call<string>("open_print", { number, printId }),
    scannerFolder: () => call<ScannerFolder>("scanner_folder"),
    setScannerFolder: (folder) => call<ScannerFolder>("set_scanner_folder", { folder }),
    attachScannerFile: (name) => call<ScanView>("attach_scanner_file", { name }),
    loginInfo: () => call<LoginInfo>("login_info"),
    logIn: (login, password) => call<SessionView>("log_in", { login, password }),
    logOut: () => call<void>("log_out"),
    lock: () => call<SessionView>("lock"),
    unlock: (password) => call<SessionView>("unlock", { password }),
    session: () => call<SessionView | null>("session"),
    changePassword: (current, password, passwordAgain) =>
      call<void>("change_password", { current, password, passwordAgain }),
    roles: () => call<RoleOption[]>("roles"),
    accounts: () => call<AccountView[]>("accounts"),
    addAccount: (account) => call<AccountView[]>("add_account", { account }),
    resetPassword: (login, password, passwordAgain) => call<void>("reset_password", { login, password, passwordAgain }),
    disableAccount: (login) => call<AccountView[]>("disable_account", { login }),
    regions: (query) => call<RegionChoice[]>("regions", { query }),
    setupDefaults: () => call<SetupDefaults>("setup_defaults"),
    setUpDesk: (form) => call<DeskInfo>("set_up_desk", { form }),
    inbox: (query) => call<InboxPage>("inbox", { query }),
    decisionChoices: (number) => call<DecisionChoices>("decision_choices", { number }),
    recordDecision: (number, draft) => call<Decided>("record_decision", { number, draft }),
    decisionsSince: (after) => call<DecisionNews>("decisions_since", { after }),
    quarantine: () => call<QuarantineRow[]>("quarantine"),
    resubmitQuarantined: (eventId) => call<void>("resubmit_quarantined", { eventId }),
    recoveryKey: () => call<RecoveryKeyView | null>("recovery_key"),
    printRecoverySheet: () => call<PrintOutcome>("print_recovery_sheet"),
    confirmRecoveryKept: () => call<void>("confirm_recovery_kept"),
    recoverAdmin: (recoveryKey, login, password, passwordAgain) =>
      call<void>("recover_admin", { recoveryKey, login, password, passwordAgain }),
    auditLog: (query) => call<AuditPage>("audit_log", { query }),
    printAuditLog: (query, then) => call<PrintOutcome>("print_audit_log", { query, then }),
    exportAuditLog: (query) => call<string>("export_audit_log", { query }),
    discardQuarantined: (eventId, reason) => call<void>("discard_quarantined", { eventId, reason }),
    backupView: () => call<BackupView>("backup_view"),
    saveBackupSettings: (settings) => call<BackupView>("save_backup_settings", { settings }),
    backUpNow: async (folder, onStep) => {
      const unlisten = listen ? await listen<BackupStep>(BACKUP_PROGRESS_EVENT, (e) => onStep(e.payload)) : null;
      try {
        return await call<BackupResult>("back_up_now", { folder });
      } finally {
        unlisten?.();
      }
    },
  };
}

export const BACKEND: InjectionKey<Backend> = Symbol("backend");

export function useBackend(): Backend {
  const b = inject(BACKEND);
  if (!b) throw new Error("backend not provided");
  return b;
}
