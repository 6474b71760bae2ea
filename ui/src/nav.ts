// The window's views and how the clerk moves between them: a tab each, Alt+digit from anywhere.
import type { SessionView } from "./bindings/SessionView";
import type { KeyLike } from "./keys";

export type ViewKey = "queue" | "inbox" | "supervision" | "partners" | "audit";

export interface ViewEntry {
  key: ViewKey;
  label: string;
  /** Alt+digit opens the view. */
  digit: string;
}

export const VIEWS: readonly ViewEntry[] = [
  { key: "queue", label: "办件队列", digit: "1" },
  { key: "inbox", label: "后台收件箱", digit: "2" },
  { key: "supervision", label: "督查台账", digit: "3" },
  { key: "partners", label: "合作地区", digit: "4" },
  { key: "audit", label: "审计日志", digit: "5" },
];

/** The views a role may use: the queue and the partners for everyone, 后台收件箱 for the back
 * office, 督查台账 and 审计日志 for supervisors (admins have both). */
export function viewsFor(session: Pick<SessionView, "can_supervise" | "can_decide">): readonly ViewEntry[] {
  return VIEWS.filter(
    (v) =>
      (v.key !== "supervision" || session.can_supervise) &&
      (v.key !== "audit" || session.can_supervise) &&
      (v.key !== "inbox" || session.can_decide),
  );
}

/** The view Alt+digit asks for, among those shown; null for any other key. */
export function viewForKey(e: KeyLike, shown: readonly ViewEntry[]): ViewKey | null {
  if (!e.altKey || e.ctrlKey || e.metaKey) return null;
  return shown.find((v) => v.digit === e.key)?.key ?? null;
}
