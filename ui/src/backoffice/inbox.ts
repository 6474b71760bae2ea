// The inbox's query and keyboard moves, apart from the component.
import type { CaseStatus } from "../bindings/CaseStatus";
import type { InboxQuery } from "../bindings/InboxQuery";
import type { InboxRow } from "../bindings/InboxRow";

/** The status filter's first choice: the cases waiting for this region's first decision. */
export const AWAITING = "awaiting";

/** The status filter's 全部状态 (a value of its own: an empty one would show the placeholder). */
export const ALL_STATUSES = "all";

/** The desk's query for the filter as the window holds it (`ALL_STATUSES` or "" = every status). */
export function inboxQuery(text: string, status: string, page: number, pageSize: number): InboxQuery {
  const typed = text.trim();
  return {
    text: typed === "" ? null : typed,
    awaiting: status === AWAITING,
    status: status === AWAITING || status === "" || status === ALL_STATUSES ? null : (status as CaseStatus),
    page,
    page_size: pageSize,
  };
}

/** The row `step` rows from `current` (first row when none), staying within the list. */
export function moveSelection(rows: readonly InboxRow[], current: InboxRow | null, step: number): InboxRow | null {
  if (rows.length === 0) return null;
  const at = current ? rows.findIndex((r) => r.case.id === current.case.id) : -1;
  if (at < 0) return rows[0] ?? null;
  return rows[Math.min(rows.length - 1, Math.max(0, at + step))] ?? null;
}
