// The one place where the window talks to the Rust side. Components receive a `Backend`
// (see `provideBackend`/`useBackend`), so unit tests can hand them a fake.
import { inject, type InjectionKey } from "vue";
import type { AppCode } from "./bindings/AppCode";
import type { AppError } from "./bindings/AppError";
import type { BackupResult } from "./bindings/BackupResult";
import type { BackupStep } from "./bindings/BackupStep";
import type { DeskInfo } from "./bindings/DeskInfo";
import type { DeskSetupForm } from "./bindings/DeskSetupForm";
import type { ScanView } from "./bindings/ScanView";
import type { SyncOverview } from "./bindings/SyncOverview";
import { commands, type Commands } from "./bindings/commands";

/**
 * Everything the window asks of the desk: the commands of the table in
 * crates/tongban-desk/src/commands.rs (generated into ./bindings/commands.ts), and below, what
 * the shell does by hand: bytes, progress and events.
 */
export interface Backend extends Commands {
  /** Calls `handler` with the overview each time the sync engine's state changes (pushed by the
   * desk, never polled); resolves to the function that stops it. */
  onSyncState(handler: (overview: SyncOverview) => void): Promise<() => void>;
  /** Keeps a scanned file (PDF/JPEG/PNG/TIFF) for a material; answers its SHA-256, name and size. */
  attachScan(fileName: string, bytes: Uint8Array): Promise<ScanView>;
  /** Sets the desk up on first run; the login screen comes next. */
  setUpDesk(form: DeskSetupForm): Promise<DeskInfo>;
  /** Backs up now to `folder` (or the daily backup's); `onStep` follows the progress. */
  backUpNow(folder: string | null, onStep: (step: BackupStep) => void): Promise<BackupResult>;
}

/** Error codes the window reacts to specially. */
export const DESK_NOT_INITIALIZED = "desk_not_initialized" satisfies AppCode;
/** A command that needs a session was called with nobody logged in. */
export const NOT_LOGGED_IN = "not_logged_in" satisfies AppCode;
/** The window is locked: only unlock works. */
export const SESSION_LOCKED = "session_locked" satisfies AppCode;

/** A rejected command, always carrying the backend's code and its Chinese message. */
export class BackendError extends Error implements AppError {
  /** One of the desk's or the hubs' codes (generated from the Rust enums); "internal" for a
   * rejection of Tauri's own. */
  readonly code: AppCode;
  /** The form field at fault (`applicant.id_number`, `materials[2].name`, …), if any. */
  readonly field?: string;
  constructor(code: AppCode, message: string, field?: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
    if (field !== undefined) this.field = field;
  }
}

/**
 * Turns whatever `invoke` rejected with into a `BackendError`.
 * Our commands reject with a serialised `AppError` ({code, message, field?}), whose code is one of
 * the union (a hub's code the desk does not know arrives as "other"); Tauri itself rejects with a
 * plain string (unknown command, bad arguments, IPC failure), which becomes "internal".
 */
export function toBackendError(raw: unknown): BackendError {
  if (raw instanceof BackendError) return raw;
  if (raw && typeof raw === "object") {
    const o = raw as Record<string, unknown>;
    if (typeof o.code === "string" && typeof o.message === "string") {
      return new BackendError(o.code as AppCode, o.message, typeof o.field === "string" && o.field ? o.field : undefined);
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

/** The real backend: the Tauri commands of src-tauri/src/commands.rs. */
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
    ...commands(call),
    onSyncState: (handler) =>
      listen
        ? listen<SyncOverview>(SYNC_STATE_EVENT, (e) => handler(e.payload))
        : Promise.reject(new BackendError("internal", "没有事件通道")),
    // The bytes go as the raw request body; a header carries only ASCII, hence the encoded name.
    attachScan: (fileName, bytes) =>
      call<ScanView>("attach_scan", bytes, { headers: { "file-name": encodeURIComponent(fileName) } }),
    setUpDesk: (form) => call<DeskInfo>("set_up_desk", { form }),
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
