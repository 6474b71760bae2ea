import { afterEach, describe, expect, it, vi } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import SyncBar from "./SyncBar.vue";
import { BACKEND, BackendError, type Backend } from "../backend";
import type { SyncOverview } from "../bindings/SyncOverview";
import { stubBackend } from "../testing/stub-backend";

const ONLINE: SyncOverview = {
  running: true,
  hubs: [
    {
      region: "110106",
      name: "北京市丰台区",
      own_region: false,
      online: true,
      syncing: false,
      pending: 2,
      quarantined: 1,
      last_success_at: "2026-11-24T01:02:00Z",
      last_error: null,
    },
    {
      region: "330802",
      name: "衢州市柯城区",
      own_region: false,
      online: false,
      syncing: false,
      pending: 5,
      quarantined: 0,
      last_success_at: null,
      last_error: "无法连接通办中心 https://kecheng.example：连接被拒绝",
    },
  ],
  unrouted: 3,
  notices_overdue: 2,
  notices_due_today: 1,
  clock_warning: null,
  offline: [],
  reconciliation_news: [],
  data_version: 0,
  catalog_news: [
    {
      id: 7,
      region_name: "北京市丰台区",
      from_version: "2026-10",
      to_version: "2026-11",
      lines: ["变更事项：企业职工基本养老保险关系转移接续申请（T1）：新增材料「参保缴费凭证」"],
      at: "2026-11-24T01:00:00Z",
    },
  ],
};

function fakeBackend(overview: SyncOverview) {
  const acks: number[] = [];
  let syncs = 0;
  const backend = stubBackend({
    syncOverview: async () => overview,
    decisionsSince: async () => ({ cursor: 0, decisions: [], title: "", body: "" }),
    syncNow: async () => {
      syncs += 1;
    },
    acknowledgeCatalogNews: async (upTo: number) => {
      acks.push(upTo);
      overview = { ...overview, catalog_news: [] };
    },
  });
  return { backend, acks, syncs: () => syncs };
}

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  document.body.innerHTML = "";
  vi.useRealTimers();
});

async function mountBar(backend: Backend) {
  wrapper = mount(SyncBar, { props: { pollMs: 60_000 }, global: { provide: { [BACKEND as symbol]: backend } }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

describe("the sync status bar", () => {
  it("shows each hub's state, what waits, and the last error in Chinese", async () => {
    const w = await mountBar(fakeBackend(ONLINE).backend);
    const fengtai = w.find("[data-testid=sync-hub-110106]").text();
    expect(fengtai).toContain("北京市丰台区");
    expect(fengtai).toContain("在线");
    expect(fengtai).toContain("待推送 2");
    expect(fengtai).toContain("隔离 1");
    expect(fengtai).toContain("2026-11-24 09:02");
    const kecheng = w.find("[data-testid=sync-hub-330802]").text();
    expect(kecheng).toContain("离线");
    expect(kecheng).toContain("无法连接通办中心");
    expect(w.find("[data-testid=sync-unrouted]").text()).toContain("另有 3 个事件");
  });

  it("counts the notices past their 告知期限 and asks the queue to list them", async () => {
    const { backend } = fakeBackend(ONLINE);
    const bar = await mountBar(backend);
    const overdue = bar.get('[data-testid="sync-notices-overdue"]');
    expect(overdue.text()).toBe("告知逾期 2 件");
    expect(bar.get('[data-testid="sync-notices-due-today"]').text()).toBe("今日须告知 1 件");
    await overdue.trigger("click");
    expect(bar.emitted("show-notices")).toEqual([["overdue"]]);
  });

  it("warns when the machine's clock cannot be true", async () => {
    const { backend } = fakeBackend({ ...ONLINE, clock_warning: "本机时钟显示2001-01-01，早于2025年，显然有误" });
    const bar = await mountBar(backend);
    expect(bar.get('[data-testid="sync-clock-warning"]').text()).toContain("2001-01-01");
  });

  it("warns of a partner not synced for days, then says intakes for it are refused", async () => {
    const warn = {
      region: "330802",
      name: "浙江省衢州市柯城区",
      level: "warn" as const,
      since: "2026-11-20T02:00:00Z",
      synced_ever: true,
      days: 4,
      message: "与浙江省衢州市柯城区通办中心已4天未同步（最后一次同步成功是2026-11-20 10:00）；超过14天未同步将暂停为浙江省衢州市柯城区收件，请尽快连接网络并同步",
    };
    const { backend } = fakeBackend({ ...ONLINE, offline: [warn] });
    const bar = await mountBar(backend);
    const note = bar.get('[data-testid="sync-offline-330802"]');
    expect(note.text()).toBe("浙江省衢州市柯城区 4 天未同步");
    expect(note.attributes("title")).toContain("最后一次同步成功是2026-11-20 10:00");
    expect(note.classes()).toContain("tb-offline-warn");
    bar.unmount();

    const refuse = {
      ...warn,
      level: "refuse" as const,
      days: 15,
      message: "与浙江省衢州市柯城区通办中心已15天未同步（最后一次同步成功是2026-11-20 10:00），超过14天的离线上限，暂停为浙江省衢州市柯城区收件。请连接网络后按 F5 同步",
    };
    const again = await mountBar(fakeBackend({ ...ONLINE, offline: [refuse] }).backend);
    const refused = again.get('[data-testid="sync-offline-330802"]');
    expect(refused.text()).toBe("浙江省衢州市柯城区 15 天未同步，已暂停收件");
    expect(refused.classes()).toContain("tb-err");
    expect(refused.attributes("role")).toBe("alert");
  });

  it("shows a partner's 对账 news and opens its 对账 on the period that found it", async () => {
    const news = {
      region: "110106",
      name: "北京市丰台区",
      from: "2026-11-24",
      to: "2026-12-07",
      checked_at: "2026-12-07T02:00:00Z",
      short: "北京市丰台区 对账不符 1 项",
      message: "与北京市丰台区对账（2026年11月24日至2026年12月7日，12月07日 10:00 核对）：1 个事件两边记录不符",
    };
    const asked: string[][] = [];
    const fake = fakeBackend({ ...ONLINE, reconciliation_news: [news] });
    fake.backend.reconcile = async (region: string, from: string, to: string) => {
      asked.push([region, from, to]);
      return { summary: "2026-11-24 至 2026-12-07：双方都有 2 个事件；1 项不一致或待处理", matched: 2, clean: false, lines: [] };
    };
    const bar = await mountBar(fake.backend);
    const link = bar.get('[data-testid="sync-reconcile-110106"]');
    expect(link.text()).toBe("北京市丰台区 对账不符 1 项");
    expect(link.attributes("title")).toContain("1 个事件两边记录不符");
    await link.trigger("click");
    await flushPromises();
    const dialog = document.querySelector("[data-testid=reconcile-dialog]") as HTMLElement;
    expect(dialog.textContent).toContain("对账　北京市丰台区");
    (dialog.querySelector("[data-testid=reconcile-run]") as HTMLElement).click();
    await flushPromises();
    expect(asked).toEqual([["110106", "2026-11-24", "2026-12-07"]]);
  });

  it("tells an admin the backup is old, and opens 备份", async () => {
    const { backend } = fakeBackend(ONLINE);
    wrapper = mount(SyncBar, {
      props: { pollMs: 60_000, canAdminister: true, backupWarning: "上次备份是 9 天前（2026-11-28）" },
      global: { provide: { [BACKEND as symbol]: backend } },
      attachTo: document.body,
    });
    await flushPromises();
    const warning = wrapper.get('[data-testid="sync-backup-warning"]');
    expect(warning.text()).toBe("⚠ 上次备份是 9 天前（2026-11-28）");
    await warning.trigger("click");
    expect(wrapper.emitted("backup")).toEqual([[]]);
    await wrapper.setProps({ canAdminister: false });
    expect(wrapper.find('[data-testid="sync-backup-warning"]').exists()).toBe(false);
  });

  it("F5 and the button start a round now", async () => {
    const fake = fakeBackend(ONLINE);
    const w = await mountBar(fake.backend);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "F5", cancelable: true }));
    await w.find("[data-testid=sync-now]").trigger("click");
    await flushPromises();
    expect(fake.syncs()).toBe(2);
  });

  it("shows a partner's catalog change until it is marked read", async () => {
    const fake = fakeBackend(ONLINE);
    const w = await mountBar(fake.backend);
    await w.find("[data-testid=catalog-news]").trigger("click");
    await flushPromises();
    const dialog = document.querySelector("[data-testid=catalog-news-dialog]")!;
    expect(dialog.textContent).toContain("2026-10 → 2026-11");
    expect(dialog.textContent).toContain("新增材料「参保缴费凭证」");
    (document.querySelector("[data-testid=catalog-news-ack]") as HTMLElement).click();
    await flushPromises();
    expect(fake.acks).toEqual([7]);
    expect(w.find("[data-testid=catalog-news]").exists()).toBe(false);
  });

  it("says why when the desk cannot report its sync state", async () => {
    const backend = {
      syncOverview: async () => {
        throw new BackendError("database", "数据库错误：磁盘已满");
      },
      onSyncState: async () => () => {},
      decisionsSince: async () => ({ cursor: 0, decisions: [], title: "", body: "" }),
    } as unknown as Backend;
    const w = await mountBar(backend);
    expect(w.find("[data-testid=sync-failure]").text()).toBe("数据库错误：磁盘已满");
  });
});
