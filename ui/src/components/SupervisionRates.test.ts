import { afterEach, describe, expect, it } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import SupervisionRates from "./SupervisionRates.vue";
import { BACKEND, BackendError, type Backend } from "../backend";
import type { LedgerQuery } from "../bindings/LedgerQuery";
import type { RateLine } from "../bindings/RateLine";
import type { RateReport } from "../bindings/RateReport";
import { stubBackend } from "../testing/stub-backend";
import { withCounts } from "../supervision/rates";

function line(key: string, label: string, over: Partial<RateLine>): RateLine {
  return {
    key,
    label,
    cases: 0,
    decided: 0,
    accepted: 0,
    concluded: 0,
    on_time: 0,
    concluded_late: 0,
    open_overdue: 0,
    overdue: 0,
    working_days: 0,
    undated: 0,
    acceptance_rate: "—",
    on_time_rate: "—",
    average_days: "—",
    ...over,
  };
}

// The desk's hand-counted fixture (crates/tongban-desk/src/supervision_rates.rs), as the desk answers it.
const REPORT: RateReport = {
  as_of: "2026-12-06",
  all: line("", "全部", {
    cases: 7,
    decided: 5,
    accepted: 4,
    concluded: 3,
    on_time: 2,
    concluded_late: 1,
    open_overdue: 2,
    overdue: 3,
    working_days: 18,
    acceptance_rate: "80.0%",
    on_time_rate: "66.7%",
    average_days: "6.0",
  }),
  by_item: [
    line("110106-SB-0001", "企业职工基本养老保险关系转移接续申请", {
      cases: 3,
      decided: 1,
      open_overdue: 1,
      overdue: 1,
      acceptance_rate: "0.0%",
    }),
  ],
  by_partner: [line("110106", "北京市丰台区", { cases: 7, decided: 5, accepted: 4, acceptance_rate: "80.0%" })],
  by_clerk: [
    line("wang", "王磊", {
      cases: 3,
      decided: 2,
      accepted: 1,
      concluded: 1,
      on_time: 1,
      open_overdue: 1,
      overdue: 1,
      working_days: 9,
      acceptance_rate: "50.0%",
      on_time_rate: "100.0%",
      average_days: "9.0",
    }),
  ],
  definitions: [
    { name: "受理率", text: "统计范围内的收件中，办理地已受理的件数 ÷ 已作出受理决定的件数" },
    { name: "按时办结率", text: "在承诺办结日期当日或之前办结的件数 ÷ 已办结件数" },
    { name: "超期件数", text: "截至2026年12月6日……" },
    { name: "平均办理用时", text: "补正期间不计入" },
  ],
};

const QUERY: LedgerQuery = { from: "2026-03-02", to: "2026-03-02", clerk: null, partner: null };

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
});

async function mountRates(b: Backend, reload = 1) {
  wrapper = mount(SupervisionRates, {
    props: { query: QUERY, reload },
    global: { provide: { [BACKEND as symbol]: b } },
  });
  await flushPromises();
  return wrapper;
}

describe("办理指标 on the supervisor's screen", () => {
  it("shows the rates of all cases with their counts, by item, partner and clerk, and the definitions", async () => {
    const asked: LedgerQuery[] = [];
    const w = await mountRates(
      stubBackend({
        supervisionRates: async (q) => {
          asked.push(q);
          return REPORT;
        },
      }),
    );
    expect(asked).toEqual([QUERY]);
    const all = w.find("[data-testid=supervision-rates-all]").text();
    expect(all).toContain("受理率80.0%（4/5）");
    expect(all).toContain("按时办结率66.7%（2/3）");
    expect(all).toContain("超期件数3 件");
    expect(all).toContain("平均办理用时6.0 个工作日");
    const table = () => w.find(".supervision-rates-table").text();
    expect(table()).toContain("企业职工基本养老保险关系转移接续申请");
    expect(table()).toContain("0.0%（0/1）");
    await w.findAll(".el-radio-button")[2]!.find("input").setValue(true);
    await flushPromises();
    expect(table()).toContain("王磊");
    expect(table()).toContain("50.0%（1/2）");
    expect(table()).toContain("100.0%（1/1）");
    expect(table()).toContain("9.0");
    await w.findAll(".el-radio-button")[1]!.find("input").setValue(true);
    await flushPromises();
    expect(table()).toContain("北京市丰台区");
    const defs = w.find("[data-testid=supervision-rates-definitions]").text();
    for (const d of REPORT.definitions) expect(defs).toContain(d.name + d.text);
    expect(w.find("[data-testid=supervision-rates-undated]").exists()).toBe(false);
  });

  it("reloads when the screen does, and says why it cannot count", async () => {
    let calls = 0;
    const b = stubBackend({
      supervisionRates: async () => {
        calls++;
        if (calls > 1) throw new BackendError("invalid_input", "起始日期「x」无效");
        return REPORT;
      },
    });
    const w = await mountRates(b);
    await w.setProps({ reload: 2 });
    await flushPromises();
    expect(calls).toBe(2);
    expect(w.find("[data-testid=supervision-rates-error]").text()).toBe("起始日期「x」无效");
    expect(w.find("[data-testid=supervision-rates-all]").exists()).toBe(false);
  });

  it("says when concluded cases could not be dated, and shows a dash for what was never counted", async () => {
    const report = { ...REPORT, all: line("", "全部", { cases: 1, undated: 1 }) };
    const w = await mountRates(stubBackend({ supervisionRates: async () => report }));
    expect(w.find("[data-testid=supervision-rates-undated]").text()).toContain("另有 1 件");
    expect(w.find("[data-testid=supervision-rates-all]").text()).toContain("平均办理用时—");
  });
});

describe("withCounts", () => {
  it("puts the counts behind a rate, and none behind a dash", () => {
    expect(withCounts("80.0%", 4, 5)).toBe("80.0%（4/5）");
    expect(withCounts("—", 0, 0)).toBe("—");
  });
});
