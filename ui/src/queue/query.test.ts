import { describe, expect, it } from "vitest";
import { buildQuery, clampPage, emptyFilter, normalizeText } from "./query";

describe("normalizeText", () => {
  it("trims ASCII and full-width spaces and collapses inner runs", () => {
    expect(normalizeText("  张三  ")).toBe("张三");
    expect(normalizeText("\u3000李\u3000\u3000四\u3000")).toBe("李 四");
    expect(normalizeText("4113 \t 2319")).toBe("4113 2319");
  });
  it("treats blank text as no text", () => {
    expect(normalizeText("")).toBeNull();
    expect(normalizeText(" \u3000 \t")).toBeNull();
  });
});

describe("buildQuery", () => {
  it("an empty filter asks for everything, page 1", () => {
    expect(buildQuery(emptyFilter(), 1, 50)).toEqual({
      text: null,
      status: null,
      from: null,
      to: null,
      item_code: null,
      partner: null,
      clerk: null,
      notice: null,
      page: 1,
      page_size: 50,
    });
  });

  it("asks for the cases owing a 一次性告知书 instead of a status", () => {
    expect(buildQuery({ text: "", status: "notice:overdue", dates: null }, 1, 50)).toMatchObject({
      status: null,
      notice: "overdue",
    });
    expect(buildQuery({ text: "", status: "notice:owed", dates: null }, 1, 50)).toMatchObject({ notice: "owed" });
    expect(buildQuery({ text: "", status: "pushed", dates: null }, 1, 50)).toMatchObject({ notice: null });
  });

  it("carries text, status and the date range", () => {
    const q = buildQuery({ text: " 王芳 ", status: "pushed", dates: ["2025-03-01", "2025-03-31"] }, 3, 20);
    expect(q).toMatchObject({ text: "王芳", status: "pushed", from: "2025-03-01", to: "2025-03-31", page: 3, page_size: 20 });
  });

  it("orders a reversed date range and ignores malformed dates", () => {
    expect(buildQuery({ text: "", status: "", dates: ["2025-04-02", "2025-04-01"] }, 1, 50)).toMatchObject({
      from: "2025-04-01",
      to: "2025-04-02",
    });
    expect(buildQuery({ text: "", status: "", dates: ["2025/04/01", "2025-04-02"] }, 1, 50)).toMatchObject({
      from: null,
      to: null,
    });
    expect(buildQuery({ text: "", status: "", dates: undefined }, 1, 50)).toMatchObject({ from: null, to: null });
  });

  it("never sends a page below 1 or an absurd page size", () => {
    expect(buildQuery(emptyFilter(), 0, 50).page).toBe(1);
    expect(buildQuery(emptyFilter(), -2, 50).page).toBe(1);
    expect(buildQuery(emptyFilter(), 1.5, 50).page).toBe(1);
    expect(buildQuery(emptyFilter(), 1, 0).page_size).toBe(50);
    expect(buildQuery(emptyFilter(), 1, 100000).page_size).toBe(500);
  });
});

describe("clampPage", () => {
  it("keeps the page inside 1..last", () => {
    expect(clampPage(5, 101, 50)).toBe(3);
    expect(clampPage(2, 100, 50)).toBe(2);
    expect(clampPage(3, 0, 50)).toBe(1);
    expect(clampPage(0, 10, 50)).toBe(1);
  });
});
