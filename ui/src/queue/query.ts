import type { CaseQuery } from "../bindings/CaseQuery";
import type { CaseStatus } from "../bindings/CaseStatus";
import type { NoticeFilter } from "../bindings/NoticeFilter";

/** The status filter's choices beyond one status: the cases that owe a 一次性告知书 (告知期限,
 * 行政许可法 §32), all of them or those past due. */
export const NOTICE_CHOICES: { value: `notice:${NoticeFilter}`; label: string }[] = [
  { value: "notice:owed", label: "待告知" },
  { value: "notice:overdue", label: "告知逾期" },
];

/** What the clerk set in the filter bar. */
export interface QueueFilter {
  text: string;
  /** "" = 全部状态; a status; or the cases owing a notice. */
  status: CaseStatus | "" | `notice:${NoticeFilter}`;
  /** ["YYYY-MM-DD", "YYYY-MM-DD"] from the date range picker, or null. */
  dates: [string, string] | null | undefined;
}

export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 50;
export const SEARCH_DEBOUNCE_MS = 150;

export function emptyFilter(): QueueFilter {
  return { text: "", status: "", dates: null };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Normalises the search text: trims (including the full-width space 　) and collapses runs of spaces. */
export function normalizeText(text: string): string | null {
  const t = text.replace(/[\s\u3000]+/g, " ").trim();
  return t.length > 0 ? t : null;
}

/** Builds the `list_cases` argument from the filter bar and the pager. `page` is 1-based. */
export function buildQuery(filter: QueueFilter, page: number, pageSize: number): CaseQuery {
  let from: string | null = null;
  let to: string | null = null;
  if (filter.dates && DATE.test(filter.dates[0]) && DATE.test(filter.dates[1])) {
    [from, to] = filter.dates[0] <= filter.dates[1] ? filter.dates : [filter.dates[1], filter.dates[0]];
  }
  const notice = filter.status.startsWith("notice:") ? (filter.status.slice("notice:".length) as NoticeFilter) : null;
  return {
    text: normalizeText(filter.text),
    status: filter.status === "" || notice !== null ? null : (filter.status as CaseStatus),
    from,
    to,
    item_code: null,
    partner: null,
    clerk: null,
    notice,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    page_size: pageSize > 0 ? Math.min(Math.trunc(pageSize), 500) : DEFAULT_PAGE_SIZE,
  };
}

/** The last page that still has rows, so a pager never points past the end after the total shrinks. */
export function clampPage(page: number, total: number, pageSize: number): number {
  const last = Math.max(1, Math.ceil(total / pageSize));
  return Math.min(Math.max(1, page), last);
}
