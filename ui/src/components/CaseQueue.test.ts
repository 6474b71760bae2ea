import { afterEach, describe, expect, it, vi } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import App from "../App.vue";
import { BACKEND, BackendError, type Backend } from "../backend";
import { fakeDetailCalls, waitingCase } from "../detail/fixture";
import { fakeSession, sessionOf } from "../session/testing";
import type { CaseQuery } from "../bindings/CaseQuery";
import type { CaseRow } from "../bindings/CaseRow";
import type { LedgerQuery } from "../bindings/LedgerQuery";
import { quietSyncOverview, stubBackend } from "../testing/stub-backend";

const row = (n: number, name: string, extra: Partial<CaseRow> = {}): CaseRow => ({
  id: `id-${n}`,
  number: `411323-20250312-000${n}`,
  status: "received",
  status_label: "已收件",
  applicant_name: name,
  applicant_id_masked: "411323********123X",
  item_name: "养老保险关系转移接续",
  handling_region: "320106",
  handling_region_name: "南京市鼓楼区",
  received_at: "2025-03-12T01:41:00Z",
  deadline: "2025-03-20",
  deadline_estimated: false,
  clock_note: null,
  overdue_days: 0,
  notice_due: null,
  supplement_due: null,
  clerk: "liumin",
  clerk_name: "刘敏",
  pending_sync: true,
  awaits_applicant: false,
  ...extra,
});

const ZHANG = row(1, "张三");
const LI = row(2, "李四", { overdue_days: 3, pending_sync: false });
const WANG = row(3, "王芳", { status: "awaiting_materials", status_label: "待补正", deadline: null, awaits_applicant: true });
const ROWS = [ZHANG, LI, WANG];

function fakeBackend(overrides: Partial<Backend> = {}) {
  const calls: CaseQuery[] = [];
  const prints: string[] = [];
  const ledgers: LedgerQuery[] = [];
  const backend = stubBackend({
    deskInfo: async () => ({
      region_code: "411323",
      region_name: "河南省南阳市新野县",
      window: "跨省通办1号窗口",
      desk_code: "D01",
      db_path: "/tmp/desk.db",
      case_count: 3,
    }),
    caseStatuses: async () => [
      { value: "received", label: "已收件" },
      { value: "refused", label: "不予受理" },
    ],
    listCases: async (q) => {
      calls.push(q);
      const rows = q.text ? ROWS.filter((r) => r.applicant_name.includes(q.text!)) : ROWS;
      return { rows, total: rows.length };
    },
    printCaseForm: async (form, number, then) => {
      prints.push(`${form} ${number} ${then}`);
      return { path: `/d/desk.prints/${form}-${number}.pdf`, delivered: true, reprint: false, message: `已生成 ${form} ${number}`, warning: null };
    },
    printLedger: async (query) => {
      ledgers.push(query);
      return { path: "/d/desk.prints/ledger.pdf", delivered: true, reprint: false, message: "已生成每日台账", warning: null };
    },
    itemChoices: async () => [],
    itemDetails: async () => {
      throw new BackendError("not_found", "没有这个事项");
    },
    checkField: async (_kind, _idKind, value) => ({ normalized: value, message: null, note: null, warning: null }),
    takeIn: async () => {
      throw new BackendError("internal", "未实现");
    },
    syncOverview: async () => quietSyncOverview(),
    syncNow: async () => {},
    acknowledgeCatalogNews: async () => {},
    ...fakeDetailCalls(waitingCase("411323-20250312-0003")).calls,
    ...fakeSession(sessionOf("zhangmin")).part,
    decisionsSince: async () => ({ cursor: 0, decisions: [], title: "", body: "" }),
    ...overrides,
  });
  return { backend, calls, prints, ledgers };
}

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  document.body.innerHTML = "";
});

async function mountApp(backend: Backend) {
  wrapper = mount(App, { global: { provide: { [BACKEND as symbol]: backend } }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

const cellTexts = (w: VueWrapper, col: string) =>
  w.findAll(`.el-table__body td.${col} .cell`).map((c) => c.text());

describe("the case queue window", () => {
  it("shows the desk's region and window and the queue", async () => {
    const { backend, calls } = fakeBackend();
    const w = await mountApp(backend);
    expect(w.find("[data-testid=desk-name]").text()).toContain("河南省南阳市新野县");
    expect(w.find("[data-testid=desk-name]").text()).toContain("跨省通办1号窗口");
    expect(cellTexts(w, "col-applicant")).toEqual(["张三", "李四", "王芳"]);
    expect(cellTexts(w, "col-deadline")[1]).toBe("2025-03-20超期3个工作日");
    expect(cellTexts(w, "col-sync")).toEqual(["待同步", "已同步", "待同步"]);
    expect(cellTexts(w, "col-print")).toEqual(["登记表", "登记表", "登记表告知书"]);
    expect(cellTexts(w, "col-received")[0]).toBe("2025-03-12 09:41");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ text: null, page: 1, page_size: 50 });
    expect(document.activeElement?.id).toBe("queue-search");
  });

  it("searches once while typing, and Esc clears the search", async () => {
    const { backend, calls } = fakeBackend();
    const w = await mountApp(backend);
    const input = w.find("#queue-search");
    vi.useFakeTimers();
    try {
      for (const t of ["李", "李四"]) {
        await input.setValue(t);
        vi.advanceTimersByTime(50);
      }
      expect(calls).toHaveLength(1);
      vi.advanceTimersByTime(150);
    } finally {
      vi.useRealTimers();
    }
    await flushPromises();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.text).toBe("李四");
    expect(cellTexts(w, "col-applicant")).toEqual(["李四"]);

    await input.trigger("keydown", { key: "Escape" });
    await flushPromises();
    expect((input.element as HTMLInputElement).value).toBe("");
    expect(calls).toHaveLength(3);
    expect(calls[2]?.text).toBeNull();
    expect(cellTexts(w, "col-applicant")).toHaveLength(3);
  });

  it("offers the first-run setup for an uninitialised desk instead of the table", async () => {
    const { backend } = fakeBackend({
      deskInfo: async () => {
        throw new BackendError("desk_not_initialized", "本机尚未设置受理台，请先初始化。");
      },
    });
    const w = await mountApp(backend);
    expect(w.find("[data-testid=setup-screen]").exists()).toBe(true);
    expect(w.text()).toContain("设置本受理台");
    expect(w.find(".case-queue-table").exists()).toBe(false);
  });

  it("shows any other failure to open the desk with the backend's message", async () => {
    const { backend } = fakeBackend({
      deskInfo: async () => {
        throw { code: "desk_open_failed", message: "无法打开数据库：/tmp/x.db" };
      },
    });
    const w = await mountApp(backend);
    expect(w.find("[data-testid=desk-failed]").text()).toContain("无法打开数据库：/tmp/x.db");
  });

  it("reports a failed query with the backend's Chinese message", async () => {
    const { backend } = fakeBackend({
      listCases: async () => {
        throw new BackendError("database", "查询办件失败：数据库被占用");
      },
    });
    await mountApp(backend);
    await flushPromises();
    expect(document.body.textContent).toContain("查询办件失败：数据库被占用");
  });

  it("prints a row's receipt or notice into the viewer and says so", async () => {
    const { backend, prints } = fakeBackend();
    const w = await mountApp(backend);
    await w.find(`[data-testid="print-receipt-${ZHANG.number}"]`).trigger("click");
    await flushPromises();
    expect(prints).toEqual([`receipt ${ZHANG.number} open`]);
    expect(document.body.textContent).toContain(`已生成 receipt ${ZHANG.number}`);
    expect(w.find(`[data-testid="print-notice-${ZHANG.number}"]`).exists()).toBe(false);
    await w.find(`[data-testid="print-notice-${WANG.number}"]`).trigger("click");
    await flushPromises();
    expect(prints[1]).toBe(`notice ${WANG.number} open`);
  });

  it("warns, not fails, when the viewer did not open, and never says printed", async () => {
    const { backend } = fakeBackend({
      printCaseForm: async () => ({
        path: "/d/a.pdf",
        delivered: false,
        reprint: false,
        message: "收件登记表未打印：未能打开",
        warning: "收件登记表未打印：无法打开查看器：没有默认程序",
      }),
    });
    const w = await mountApp(backend);
    await w.find(`[data-testid="print-receipt-${LI.number}"]`).trigger("click");
    await flushPromises();
    expect(document.body.querySelector(".el-message--warning")?.textContent).toContain("无法打开查看器：没有默认程序");
  });

  it("Ctrl+P prints the selected row; Ctrl+Shift+P refuses a case with nothing to supplement", async () => {
    const { backend, prints } = fakeBackend();
    const w = await mountApp(backend);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "p", ctrlKey: true }));
    await flushPromises();
    expect(prints).toEqual([]);
    expect(document.body.textContent).toContain("请先在队列中点选一个办件");

    await w.findAll(".el-table__body tr").at(1)!.trigger("click");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "p", ctrlKey: true }));
    await flushPromises();
    expect(prints).toEqual([`receipt ${LI.number} open`]);
    // Row 2 is complete: no notice to give.
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "P", ctrlKey: true, shiftKey: true }));
    await flushPromises();
    expect(prints).toHaveLength(1);
    expect(document.body.textContent).toContain("没有需要补正的材料");
  });

  it("F2 and the toolbar button open 新收件; closing it refreshes the queue", async () => {
    const { backend, calls } = fakeBackend();
    const w = await mountApp(backend);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "F2" }));
    await flushPromises();
    const dialog = document.querySelector("[data-testid=intake-dialog]");
    expect(dialog?.textContent).toContain("新收件");
    expect(document.activeElement?.id).toBe("intake-item");
    document.querySelector<HTMLButtonElement>("[data-testid=intake-cancel]")!.click();
    await flushPromises();
    await new Promise((r) => setTimeout(r, 400));
    await flushPromises();
    expect(calls.length).toBe(2);
    expect(w.find("[data-testid=new-intake]").text()).toBe("新收件 (F2)");
  });

  it("prints today's ledger from the dialog", async () => {
    const { backend, ledgers } = fakeBackend();
    const w = await mountApp(backend);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "L", ctrlKey: true, shiftKey: true }));
    await flushPromises();
    const open = document.querySelector<HTMLButtonElement>("[data-testid=ledger-open]");
    expect(open).not.toBeNull();
    open!.click();
    await flushPromises();
    expect(ledgers).toHaveLength(1);
    expect(ledgers[0]!.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ledgers[0]!.to).toBe(ledgers[0]!.from);
    expect(document.body.textContent).toContain("已生成每日台账");
    expect(w.find(".case-queue-table").exists()).toBe(true);
  });
});

describe("opening a case from the queue", () => {
  it("opens the selected row's detail with Enter, and Esc gives the focus back to the row", async () => {
    const asked: string[] = [];
    const detail = fakeDetailCalls(waitingCase("x"));
    const { backend } = fakeBackend({
      caseDetail: async (number) => {
        asked.push(number);
        return detail.calls.caseDetail(number);
      },
    });
    const w = await mountApp(backend);
    await w.findAll(".el-table__body tr")[2]!.trigger("click");
    const table = w.find("[data-testid=queue-table]");
    await table.trigger("keydown", { key: "ArrowUp" });
    await table.trigger("keydown", { key: "Enter" });
    await flushPromises();
    expect(asked).toEqual([LI.number]);
    const dialog = document.querySelector("[data-testid=case-detail]");
    expect(dialog?.textContent).toContain("企业职工基本养老保险关系转移接续");

    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    await flushPromises();
    await new Promise((r) => setTimeout(r, 350)); // the dialog's closing transition
    await flushPromises();
    const focused = document.activeElement as HTMLElement | null;
    expect(focused?.tagName).toBe("TR");
    expect(focused?.textContent).toContain("李四");
  });

  it("opens a row's detail on a double click", async () => {
    const asked: string[] = [];
    const { backend } = fakeBackend({
      caseDetail: async (number) => {
        asked.push(number);
        return waitingCase(number);
      },
    });
    const w = await mountApp(backend);
    await w.findAll(".el-table__body tr")[0]!.trigger("dblclick");
    await flushPromises();
    expect(asked).toEqual([ZHANG.number]);
  });
});
