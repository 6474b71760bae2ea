import { describe, expect, it } from "vitest";
import { canPrintNotice, outcomeMessage } from "./printing";

describe("printing", () => {
  it("offers the notice only while something is to be supplemented", () => {
    expect(canPrintNotice("awaiting_materials")).toBe(true);
    expect(canPrintNotice("supplement_requested")).toBe(true);
    expect(canPrintNotice("supplementing")).toBe(true);
    expect(canPrintNotice("received")).toBe(false);
    expect(canPrintNotice("concluded")).toBe(false);
  });
  it("warns when the PDF was kept but not shown or printed", () => {
    const saved = { path: "/d/desk.prints/a.pdf", reprint: false, message: "已生成收件登记表", warning: null };
    expect(outcomeMessage(saved)).toEqual({ type: "success", message: "已生成收件登记表" });
    expect(outcomeMessage({ ...saved, warning: "PDF 已保存到「/d/a.pdf」，但无法打开查看器" })).toEqual({
      type: "warning",
      message: "PDF 已保存到「/d/a.pdf」，但无法打开查看器",
    });
  });
});
