import { describe, expect, it } from "vitest";
import { AWAITING, inboxQuery, moveSelection } from "./inbox";
import type { InboxRow } from "../bindings/InboxRow";

function row(id: string): InboxRow {
  return {
    case: {
      id,
      number: `411329-20261124-A1-000${id}`,
      status: "pushed",
      status_label: "已推送",
      applicant_name: "李建国",
      applicant_id_masked: "411329********002X",
      item_name: "企业职工基本养老保险关系转移接续申请",
      handling_region: "110106",
      handling_region_name: "北京市丰台区",
      received_at: "2026-11-24T01:00:00Z",
      deadline: "2026-12-08",
      overdue_days: 0,
      clerk: "zhangmin",
      clerk_name: "zhangmin",
      pending_sync: false,
    },
    receiving_region: "411329",
    receiving_region_name: "南阳市新野县",
    awaiting_decision: true,
  };
}

describe("the inbox query", () => {
  it("asks for 待受理, every status, or one status", () => {
    expect(inboxQuery("  李 ", AWAITING, 2, 50)).toEqual({ text: "李", awaiting: true, status: null, page: 2, page_size: 50 });
    expect(inboxQuery("", "", 1, 50)).toMatchObject({ text: null, awaiting: false, status: null });
    expect(inboxQuery("", "accepted", 1, 50)).toMatchObject({ awaiting: false, status: "accepted" });
  });
});

describe("moving through the inbox by keyboard", () => {
  const rows = [row("1"), row("2"), row("3")];
  it("moves one row and stops at either end", () => {
    expect(moveSelection(rows, rows[0]!, 1)?.case.id).toBe("2");
    expect(moveSelection(rows, rows[2]!, 1)?.case.id).toBe("3");
    expect(moveSelection(rows, rows[0]!, -1)?.case.id).toBe("1");
  });
  it("starts at the first row, and has nothing to select in an empty list", () => {
    expect(moveSelection(rows, null, 1)?.case.id).toBe("1");
    expect(moveSelection([], null, 1)).toBeNull();
  });
});
