// A Backend for component tests: the methods a test gives, and every other one rejecting with a
// BackendError that names it (so a test notices a call it did not expect, and new commands need
// no change to old tests).
import { BackendError, type Backend } from "../backend";
import type { SyncOverview } from "../bindings/SyncOverview";

export function stubBackend(methods: Partial<Backend>): Backend {
  return new Proxy(methods, {
    get(target, name) {
      const given = (target as Record<string | symbol, unknown>)[name];
      if (given !== undefined || typeof name !== "string") return given;
      return async () => {
        throw new BackendError("internal", `测试未提供 ${name}`);
      };
    },
  }) as Backend;
}

/** A status bar with nothing to show: no hubs, no news. */
export function quietSyncOverview(): SyncOverview {
  return {
    running: false,
    hubs: [],
    unrouted: 0,
    catalog_news: [],
    notices_overdue: 0,
    notices_due_today: 0,
    clock_warning: null,
    offline: [],
    reconciliation_news: [],
    data_version: 0,
  };
}
