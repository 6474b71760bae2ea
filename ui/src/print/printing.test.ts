import { describe, expect, it } from "vitest";
import { outcomeMessage } from "./printing";

describe("printing", () => {
  it("warns when the PDF was kept but not shown or printed", () => {
    const saved = { path: "/d/desk.prints/a.pdf", reprint: false, message: "已生成收件登记表", warning: null };
    expect(outcomeMessage(saved)).toEqual({ type: "success", message: "已生成收件登记表" });
    expect(outcomeMessage({ ...saved, warning: "PDF 已保存到「/d/a.pdf」，但无法打开查看器" })).toEqual({
      type: "warning",
      message: "PDF 已保存到「/d/a.pdf」，但无法打开查看器",
    });
  });
});
