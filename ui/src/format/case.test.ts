import { describe, expect, it } from "vitest";
import { formatDue, noticeDueText, overdueText, statusTagType, syncLabel } from "./case";
import type { CaseStatus } from "../bindings/CaseStatus";

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
