// An inbox line for the back office's tests.
import type { InboxRow } from "../bindings/InboxRow";

export function inboxRow(n: number, name: string, overdueDays = 0): InboxRow {
  return {
    case: {
      id: `id-${n}`,
      number: `411329-20261124-A1-000${n}`,
      status: "pushed",
      status_label: "已推送",
      applicant_name: name,
      applicant_id_masked: "411329********002X",
      item_name: "企业职工基本养老保险关系转移接续申请",
      handling_region: "110106",
      handling_region_name: "北京市丰台区",
      received_at: "2026-11-24T01:00:00Z",
      deadline: "2026-12-08",
      deadline_estimated: false,
      clock_note: null,
      overdue_days: overdueDays,
      notice_due: null,
      supplement_due: null,
      clerk: "zhangmin",
      clerk_name: "zhangmin",
      pending_sync: false,
      awaits_applicant: false,
    },
    receiving_region: "411329",
    receiving_region_name: "南阳市新野县",
    awaiting_decision: true,
  };
}
