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

export interface Backend {
  deskInfo(): Promise<DeskInfo>;
  listCases(query: CaseQuery): Promise<CasePage>;
  caseStatuses(): Promise<StatusOption[]>;
  /** Prints a case's form (by 办件编号): saved, recorded, then opened or sent to the printer. */
  printCaseForm(form: CaseForm, number: string, then: AfterPrint): Promise<PrintOutcome>;
  printLedger(query: LedgerQuery, then: AfterPrint): Promise<PrintOutcome>;
}

/** Error codes the window reacts to specially. */
export const DESK_NOT_INITIALIZED = "desk_not_initialized";

/** A rejected command, always carrying the backend's code and its Chinese message. */
export class BackendError extends Error implements AppError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

/**
 * Turns whatever `invoke` rejected with into a `BackendError`.
 * Our commands reject with a serialised `AppError` ({code, message}); Tauri itself rejects with a
 * plain string (unknown command, bad arguments, IPC failure).
 */
export function toBackendError(raw: unknown): BackendError {
  if (raw instanceof BackendError) return raw;
  if (raw && typeof raw === "object") {
    const o = raw as Record<string, unknown>;
    if (typeof o.code === "string" && typeof o.message === "string") {
      return new BackendError(o.code, o.message);
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
  };
}

export const BACKEND: InjectionKey<Backend> = Symbol("backend");

export function useBackend(): Backend {
  const b = inject(BACKEND);
  if (!b) throw new Error("backend not provided");
  return b;
}
