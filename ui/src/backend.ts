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
import type { SyncOverview } from "./bindings/SyncOverview";
import type { ItemChoice } from "./bindings/ItemChoice";
import type { ItemDetails } from "./bindings/ItemDetails";
import type { FieldKind } from "./bindings/FieldKind";
import type { IdKind } from "./bindings/IdKind";
import type { FieldCheck } from "./bindings/FieldCheck";
import type { CatalogIntake } from "./bindings/CatalogIntake";
import type { TakenIn } from "./bindings/TakenIn";
import type { SupervisionReport } from "./bindings/SupervisionReport";
import type { PartnerView } from "./bindings/PartnerView";
import type { PartnerForm } from "./bindings/PartnerForm";
import type { InboxQuery } from "./bindings/InboxQuery";
import type { InboxPage } from "./bindings/InboxPage";
import type { DecisionChoices } from "./bindings/DecisionChoices";
import type { DecisionDraft } from "./bindings/DecisionDraft";
import type { Decided } from "./bindings/Decided";
import type { DecisionNews } from "./bindings/DecisionNews";
import type { QuarantineRow } from "./bindings/QuarantineRow";

export interface Backend {
  deskInfo(): Promise<DeskInfo>;
  listCases(query: CaseQuery): Promise<CasePage>;
  caseStatuses(): Promise<StatusOption[]>;
  /** Prints a case's form (by 办件编号): saved, recorded, then opened or sent to the printer. */
  printCaseForm(form: CaseForm, number: string, then: AfterPrint): Promise<PrintOutcome>;
  printLedger(query: LedgerQuery, then: AfterPrint): Promise<PrintOutcome>;
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
  /** Marks the catalog changes up to this id as read. */
  acknowledgeCatalogNews(upTo: number): Promise<void>;
  /** The supervisor's view: the ledger of some days on screen, its counts, the overdue list. */
  supervision(query: LedgerQuery): Promise<SupervisionReport>;
  /** Every partner: hub, catalog, sync state. */
  partners(): Promise<PartnerView[]>;
  /** Adds or changes a partner's hub (sync restarts with it); answers the partners as now. */
  savePartner(form: PartnerForm): Promise<PartnerView[]>;
  /** The full name of a region code, or why it is not one. */
  regionName(code: string): Promise<string>;
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
}

/** Error codes the window reacts to specially. */
export const DESK_NOT_INITIALIZED = "desk_not_initialized";

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

type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;

/** The real backend: Tauri commands defined in src-tauri/src/commands.rs. */
export function createTauriBackend(invoke: Invoke): Backend {
  const call = async <T>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
    try {
      return await invoke<T>(cmd, args);
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
    itemChoices: () => call<ItemChoice[]>("item_choices"),
    itemDetails: (partner, code) => call<ItemDetails>("item_details", { partner, code }),
    // Tauri turns the camelCase `idKind` into the command's `id_kind`.
    checkField: (kind, idKind, value) => call<FieldCheck>("check_field", { kind, idKind, value }),
    takeIn: (draft) => call<TakenIn>("take_in", { draft }),
    syncOverview: () => call<SyncOverview>("sync_overview"),
    syncNow: () => call<void>("sync_now"),
    acknowledgeCatalogNews: (upTo) => call<void>("acknowledge_catalog_news", { upTo }),
    supervision: (query) => call<SupervisionReport>("supervision", { query }),
    partners: () => call<PartnerView[]>("partners"),
    savePartner: (form) => call<PartnerView[]>("save_partner", { form }),
    regionName: (code) => call<string>("region_name", { code }),
    inbox: (query) => call<InboxPage>("inbox", { query }),
    decisionChoices: (number) => call<DecisionChoices>("decision_choices", { number }),
    recordDecision: (number, draft) => call<Decided>("record_decision", { number, draft }),
    decisionsSince: (after) => call<DecisionNews>("decisions_since", { after }),
    quarantine: () => call<QuarantineRow[]>("quarantine"),
    resubmitQuarantined: (eventId) => call<void>("resubmit_quarantined", { eventId }),
  };
}

export const BACKEND: InjectionKey<Backend> = Symbol("backend");

export function useBackend(): Backend {
  const b = inject(BACKEND);
  if (!b) throw new Error("backend not provided");
  return b;
}
