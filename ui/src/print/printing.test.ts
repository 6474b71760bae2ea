import { describe, expect, it } from "vitest";
import { formsSummary, outcomeMessage, printForms } from "./printing";
import type { Backend } from "../backend";
import { BackendError } from "../backend";
import type { PrintOutcome } from "../bindings/PrintOutcome";

const opened: PrintOutcome = {
  path: "/d/desk.prints/a.pdf",
  delivered: true,
  reprint: false,
  message: "已生成收件登记表，已在查看器中打开",
  warning: null,
};
const noViewer: PrintOutcome = {
  path: "/d/desk.prints/b.pdf",
  delivered: false,
  reprint: false,
  message: "一次性告知书未打印：未能打开",
  warning: "一次性告知书未打印：本机没有能打开 PDF 的程序。请安装 PDF 阅读器后再试。这次不算已打印",
};

describe("printing", () => {
  it("tells a form that did not go out as a warning, never as printed", () => {
    expect(outcomeMessage(opened)).toEqual({ type: "success", message: opened.message });
    expect(outcomeMessage(noViewer)).toEqual({ type: "warning", message: noViewer.warning });
  });

  it("tries every form and says for each what happened", async () => {
    const asked: string[] = [];
    const backend = {
      printCaseForm: async (form: string) => {
        asked.push(form);
        if (form === "notice") return noViewer;
        throw new BackendError("write_failed", "无法保存");
      },
    } as unknown as Backend;
    const prints = await printForms(backend, "411329-20260302-A1-0001", ["notice", "receipt"], "open");
    expect(asked).toEqual(["notice", "receipt"]);
    const { allOut, lines } = formsSummary(prints, "open");
    expect(allOut).toBe(false);
    expect(lines).toEqual([noViewer.warning, "收件登记表未打印：无法保存"]);
    const ok = formsSummary([{ form: "receipt", outcome: { ...opened, reprint: true }, error: null }], "open");
    expect(ok).toEqual({ allOut: true, lines: ["收件登记表（补打）已在查看器中打开"] });
  });
});
