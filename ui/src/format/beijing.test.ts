import { describe, expect, it } from "vitest";
import { beijingDate, dateShortcuts, formatDeadline, formatReceivedAt } from "./beijing";

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
