import { afterEach, describe, expect, it, vi } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import App from "../App.vue";
import { BACKEND, BackendError, type Backend } from "../backend";
import type { CaseQuery } from "../bindings/CaseQuery";
import type { CaseRow } from "../bindings/CaseRow";

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
  overdue_days: 0,
  clerk: "liumin",
  clerk_name: "刘敏",
  pending_sync: true,
  ...extra,
});

const ROWS = [row(1, "张三"), row(2, "李四", { overdue_days: 3, pending_sync: false }), row(3, "王芳")];

function fakeBackend(overrides: Partial<Backend> = {}) {
  const calls: CaseQuery[] = [];
  const backend: Backend = {
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
    ...overrides,
  };
  return { backend, calls };
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

  it("explains an uninitialised desk instead of showing the table", async () => {
    const { backend } = fakeBackend({
      deskInfo: async () => {
        throw new BackendError("desk_not_initialized", "本机尚未设置受理台，请先初始化。");
      },
    });
    const w = await mountApp(backend);
    expect(w.find("[data-testid=desk-not-initialized]").exists()).toBe(true);
    expect(w.text()).toContain("本机尚未设置受理台");
    expect(w.text()).toContain("tongban init");
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
        throw new BackendError("db_error", "查询办件失败：数据库被占用");
      },
    });
    await mountApp(backend);
    await flushPromises();
    expect(document.body.textContent).toContain("查询办件失败：数据库被占用");
  });
});
