// How a case's deadlines, status and sync state are worded and coloured, wherever a case is shown
// (the queue, the detail, the back office, supervision).
import type { CaseStatus } from "../bindings/CaseStatus";
import { formatDeadline } from "./beijing";

/** A clock's day with its 预估 mark: "2027-01-18（预估）" when it was counted through a year without a
 * State Council holiday notice (it will be recomputed when the notice is imported). */
export function formatDue(date: string | null, estimated: boolean, note: string | null = null): string {
  if (date === null || date === "") return note ?? "—";
  return estimated ? `${formatDeadline(date)}（预估）` : formatDeadline(date);
}

/** The 告知期限 line of a case owing a 一次性告知书: "告知期限 2026-12-10" or "告知逾期2个工作日". */
export function noticeDueText(due: { date: string; estimated: boolean; overdue_days: number }): string {
  return due.overdue_days > 0
    ? `告知逾期${Math.trunc(due.overdue_days)}个工作日`
    : `告知期限 ${formatDue(due.date, due.estimated)}`;
}

/** "超期3个工作日", or "" when the case is not overdue. */
export function overdueText(overdueDays: number): string {
  return overdueDays > 0 ? `超期${Math.trunc(overdueDays)}个工作日` : "";
}

export type TagType = "primary" | "success" | "info" | "warning" | "danger";

/** Tag colour of a status: waiting on the applicant = warning, refused = danger, finished = success. */
export function statusTagType(status: CaseStatus): TagType {
  switch (status) {
    case "awaiting_materials":
    case "supplement_requested":
    case "supplementing":
      return "warning";
    case "refused":
      return "danger";
    case "concluded":
    case "result_mailed":
    case "delivered":
      return "success";
    case "received":
      return "info";
    case "pushed":
    case "supplemented":
    case "accepted":
    case "processing":
      return "primary";
  }
}

/** A case's or an event's 同步 state: whether the hub has it yet. */
export function syncLabel(pendingSync: boolean): string {
  return pendingSync ? "待同步" : "已同步";
}
