import type { CaseStatus } from "../bindings/CaseStatus";

// Every desk is in China: times are shown in Beijing time (UTC+8, no daylight saving),
// whatever time zone the office PC happens to be set to.
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (n: number) => String(n).padStart(2, "0");

function beijingParts(d: Date) {
  const b = new Date(d.getTime() + BEIJING_OFFSET_MS);
  return {
    y: b.getUTCFullYear(),
    m: b.getUTCMonth() + 1,
    d: b.getUTCDate(),
    hh: b.getUTCHours(),
    mm: b.getUTCMinutes(),
  };
}

/** "YYYY-MM-DD" of an instant, in Beijing time. */
export function beijingDate(d: Date): string {
  const p = beijingParts(d);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/** RFC 3339 instant → "YYYY-MM-DD HH:mm" in Beijing time; anything unparsable is shown as given. */
export function formatReceivedAt(rfc3339: string): string {
  const t = Date.parse(rfc3339);
  if (Number.isNaN(t)) return rfc3339;
  const p = beijingParts(new Date(t));
  return `${p.y}-${pad(p.m)}-${pad(p.d)} ${pad(p.hh)}:${pad(p.mm)}`;
}

/** Promised completion date: a plain date is shown as is, an instant as its Beijing date, none as "—". */
export function formatDeadline(deadline: string | null): string {
  if (deadline === null || deadline === "") return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(deadline)) return deadline;
  const t = Date.parse(deadline);
  return Number.isNaN(t) ? deadline : beijingDate(new Date(t));
}

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

export function syncLabel(pendingSync: boolean): string {
  return pendingSync ? "待同步" : "已同步";
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

/** Date range shortcuts of the filter bar, in Beijing dates. */
export function dateShortcuts(now: () => Date = () => new Date()) {
  const day = 24 * 60 * 60 * 1000;
  const range = (from: Date, to: Date): [string, string] => [beijingDate(from), beijingDate(to)];
  return [
    { text: "今天", value: () => range(now(), now()) },
    { text: "最近7天", value: () => range(new Date(now().getTime() - 6 * day), now()) },
    { text: "最近30天", value: () => range(new Date(now().getTime() - 29 * day), now()) },
    {
      text: "本月",
      value: (): [string, string] => {
        const today = beijingDate(now());
        return [`${today.slice(0, 8)}01`, today];
      },
    },
  ];
}
