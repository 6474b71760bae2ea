// The sync engine's state as the desk pushes it (the shell's `sync-state` event, one per change
// of the engine's watch channel), shared by every view: the status bar shows it, and a view whose
// list is older than `dataVersion` reads it again. Nothing here polls.
import { inject, ref, type InjectionKey, type Ref } from "vue";
import type { Backend } from "../backend";
import type { SyncOverview } from "../bindings/SyncOverview";

export interface SyncLive {
  /** The newest overview (null until the first answer). */
  overview: Ref<SyncOverview | null>;
  /** The desk's data version in that overview: grows whenever its cases change. */
  dataVersion: Ref<number>;
  /** Why the overview could not be read, if it could not. */
  failure: Ref<string>;
  /** Reads the overview now (after the window's own change, e.g. a catalog marked read). */
  refresh(): Promise<void>;
  stop(): void;
}

export const SYNC_LIVE: InjectionKey<SyncLive> = Symbol("sync-live");

/** Starts following the desk: one read now, then every pushed state. */
export function followSync(backend: Backend): SyncLive {
  const overview = ref<SyncOverview | null>(null);
  const dataVersion = ref(0);
  const failure = ref("");
  let stopped = false;
  let unlisten: (() => void) | null = null;
  const take = (o: SyncOverview) => {
    overview.value = o;
    if (o.data_version !== dataVersion.value) dataVersion.value = o.data_version;
    failure.value = "";
  };
  const refresh = async () => {
    try {
      take(await backend.syncOverview());
    } catch (e) {
      failure.value = e instanceof Error ? e.message : String(e);
    }
  };
  Promise.resolve()
    .then(() => backend.onSyncState(take))
    .then((off) => (stopped ? off() : (unlisten = off)))
    .catch(() => {
      // No pushed state (a test's backend): the first read is all there is.
    });
  void refresh();
  return {
    overview,
    dataVersion,
    failure,
    refresh,
    stop() {
      stopped = true;
      unlisten?.();
    },
  };
}

/** The window's shared sync state, or null outside the logged-in window (component tests). */
export function useSyncLive(): SyncLive | null {
  return inject(SYNC_LIVE, null);
}
