import { describe, expect, it } from "vitest";
import {
  beijingDate,
  dateShortcuts,
  formatDeadline,
  formatDue,
  noticeDueText,
  formatReceivedAt,
  overdueText,
  statusTagType,
  syncLabel,
} from "./format";
import type { CaseStatus } from "../bindings/CaseStatus";

describe("formatReceivedAt", () => {
  it("shows Beijing wall-clock time whatever offset the instant carries", () => {
    expect(formatReceivedAt("2025-03-12T09:41:07+08:00")).toBe("2025-03-12 09:41");
    expect(formatReceivedAt("2025-03-12T01:41:07Z")).toBe("2025-03-12 09:41");
    expect(formatReceivedAt("2025-03-12T01:41:07.123456+00:00")).toBe("2025-03-12 09:41");
  });
  it("rolls over to the next Beijing day late in the UTC evening", () => {
    expect(formatReceivedAt("2024-12-31T16:05:00Z")).toBe("2025-01-01 00:05");
  });
  it("shows an unparsable value unchanged", () => {
    expect(formatReceivedAt("昨天")).toBe("昨天");
  });
});

describe("formatDue", () => {
  it("marks a date counted through a year without a holiday notice as 预估", () => {
    expect(formatDue("2027-01-18", true)).toBe("2027-01-18（预估）");
    expect(formatDue("2026-12-18", false)).toBe("2026-12-18");
  });
  it("says why there is no date, never a bare dash when it knows", () => {
    expect(formatDue(null, false, "材料补齐之日起计算")).toBe("材料补齐之日起计算");
    expect(formatDue(null, false)).toBe("—");
  });
  it("words the 告知期限 of a case owing a notice", () => {
    expect(noticeDueText({ date: "2026-12-10", estimated: false, overdue_days: 0 })).toBe("告知期限 2026-12-10");
    expect(noticeDueText({ date: "2026-12-10", estimated: false, overdue_days: 2 })).toBe("告知逾期2个工作日");
  });
});

describe("formatDeadline", () => {
  it("keeps a plain date, dashes a missing one", () => {
    expect(formatDeadline("2025-04-30")).toBe("2025-04-30");
    expect(formatDeadline(null)).toBe("—");
    expect(formatDeadline("")).toBe("—");
  });
  it("reduces an instant to its Beijing date", () => {
    expect(formatDeadline("2025-04-30T17:00:00Z")).toBe("2025-05-01");
  });
});

describe("overdueText", () => {
  it("names working days when overdue", () => {
    expect(overdueText(1)).toBe("超期1个工作日");
    expect(overdueText(12)).toBe("超期12个工作日");
  });
  it("is empty when on time", () => {
    expect(overdueText(0)).toBe("");
    expect(overdueText(-3)).toBe("");
  });
});

describe("syncLabel", () => {
  it("labels both states in Chinese", () => {
    expect(syncLabel(true)).toBe("待同步");
    expect(syncLabel(false)).toBe("已同步");
  });
});

describe("statusTagType", () => {
  it("colours every status", () => {
    const all: CaseStatus[] = [
      "awaiting_materials", "received", "pushed", "supplementing", "supplemented", "delivered",
      "accepted", "refused", "supplement_requested", "processing", "concluded", "result_mailed",
    ];
    for (const s of all) expect(["primary", "success", "info", "warning", "danger"]).toContain(statusTagType(s));
    expect(statusTagType("refused")).toBe("danger");
    expect(statusTagType("awaiting_materials")).toBe("warning");
    expect(statusTagType("supplement_requested")).toBe("warning");
    expect(statusTagType("concluded")).toBe("success");
  });
});

describe("dates in Beijing", () => {
  it("beijingDate uses UTC+8", () => {
    expect(beijingDate(new Date("2025-06-30T15:59:59Z"))).toBe("2025-06-30");
    expect(beijingDate(new Date("2025-06-30T16:00:00Z"))).toBe("2025-07-01");
  });
  it("shortcuts give inclusive ranges ending today", () => {
    const now = () => new Date("2025-03-12T02:00:00Z"); // 10:00 in Beijing
    const byText = Object.fromEntries(dateShortcuts(now).map((s) => [s.text, s.value()]));
    expect(byText["今天"]).toEqual(["2025-03-12", "2025-03-12"]);
    expect(byText["最近7天"]).toEqual(["2025-03-06", "2025-03-12"]);
    expect(byText["最近30天"]).toEqual(["2025-02-11", "2025-03-12"]);
    expect(byText["本月"]).toEqual(["2025-03-01", "2025-03-12"]);
  });
});
