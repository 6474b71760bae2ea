import { afterEach, describe, expect, it } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import App from "../App.vue";
import { BACKEND, BackendError, type Backend } from "../backend";
import type { LedgerQuery } from "../bindings/LedgerQuery";
import type { PartnerForm } from "../bindings/PartnerForm";
import type { PartnerView } from "../bindings/PartnerView";
import type { OfflineNotice } from "../bindings/OfflineNotice";
import type { SupervisionReport } from "../bindings/SupervisionReport";
import { quietSyncOverview, stubBackend } from "../testing/stub-backend";
import { fakeSession, sessionOf } from "../session/testing";

const REPORT: SupervisionReport = {
  from: "2026-11-24",
  to: "2026-11-24",
  total: 2,
  open: 2,
  rows: [
    {
      number: "411329-20261124-A1-0001",
      received_at: "2026-11-24T01:00:00Z",
      applicant_name: "王建国",
      applicant_id_masked: "411329********0008",
      item_name: "企业职工基本养老保险关系转移接续",
      handling_region_name: "北京市丰台区",
      status: "received",
      status_label: "已收件",
      clerk_name: "张敏",
      transfer: "网络＋邮寄",
      deadline: "2026-12-15",
      deadline_estimated: false,
      pending_sync: true,
    },
  ],
  by_status: [
    { key: "awaiting_materials", label: "待补正", count: 0 },
    { key: "received", label: "已收件", count: 2 },
  ],
  by_item: [{ key: "T1", label: "企业职工基本养老保险关系转移接续", count: 2 }],
  by_partner: [{ key: "110106", label: "北京市丰台区", count: 2 }],
  by_clerk: [{ key: "zhangmin", label: "张敏", count: 2 }],
  overdue: [
    {
      id: "c1",
      number: "411329-20261101-A1-0003",
      status: "accepted",
      status_label: "已受理",
      applicant_name: "李强",
      applicant_id_masked: "411302********0135",
      item_name: "户口迁入",
      handling_region: "330802",
      handling_region_name: "衢州市柯城区",
      received_at: "2026-11-01T01:00:00Z",
      deadline: "2026-11-10",
      deadline_estimated: false,
      clock_note: null,
      overdue_days: 9,
      notice_due: null,
      supplement_due: null,
      clerk: "zhangmin",
      clerk_name: "张敏",
      pending_sync: false,
      awaits_applicant: false,
    },
  ],
  overdue_more: false,
  notices_due: [],
  notices_due_more: false,
};

const REFUSED: OfflineNotice = {
  region: "110106",
  name: "北京市丰台区",
  level: "refuse",
  since: "2026-11-01T02:00:00Z",
  synced_ever: true,
  days: 20,
  message: "与北京市丰台区通办中心已20天未同步（最后一次同步成功是2026-11-01 10:00），超过14天的离线上限，暂停为北京市丰台区收件。",
};

const FENGTAI: PartnerView = {
  region: "110106",
  region_name: "北京市丰台区",
  name: "北京市丰台区",
  hub_configured: true,
  url: "http://127.0.0.1:8731",
  credential_hint: "tok…6789",
  own_region: false,
  online: false,
  pending: 4,
  quarantined: 1,
  last_success_at: null,
  last_error: "无法连接通办中心：对方拒绝连接",
  added_at: "2026-11-24T01:00:00Z",
  catalog: {
    version: "2026-11",
    note: "",
    items: 28,
    bundles: 2,
    contacts: 7,
    source: "通办中心",
    received_at: "2026-11-24T01:00:00Z",
  },
  identity: "窗口受理台（窗口代码 A1）：仅本受理台收件的办件",
  identity_problem: null,
  unencrypted: false,
  own_ca: false,
  signing_key_fingerprint: "3F2A 9C1E 0B7D 4A55 E1C2 7788 90AB CDEF",
  signing_key_by_admin: false,
  offline: null,
};

/** 丰台区's catalog imported from a file before its hub is known. */
const FENGTAI_CATALOG_ONLY: PartnerView = {
  ...FENGTAI,
  identity: null,
  hub_configured: false,
  url: "",
  credential_hint: "",
  pending: 0,
  quarantined: 0,
  last_error: null,
};

function backend(extra: Partial<Backend> = {}, partner: PartnerView = FENGTAI) {
  const ledgers: LedgerQuery[] = [];
  const lifts: [string, string][] = [];
  const saved: PartnerForm[] = [];
  const searched: string[] = [];
  const b = stubBackend({
    ...fakeSession(sessionOf("wangfang", "admin")).part,
    deskInfo: async () => ({
      region_code: "411329",
      region_name: "河南省南阳市新野县",
      window: "跨省通办窗口",
      desk_code: "A1",
      db_path: "/tmp/desk.db",
      case_count: 2,
    }),
    caseStatuses: async () => [],
    listCases: async () => ({ rows: [], total: 0 }),
    syncOverview: async () => quietSyncOverview(),
    supervision: async (q) => {
      ledgers.push(q);
      return REPORT;
    },
    printLedger: async (q) => {
      ledgers.push(q);
      return { path: "/d/台账.pdf", delivered: true, reprint: false, message: "已生成每日台账", warning: null };
    },
    exportLedgerXlsx: async (q) => {
      ledgers.push(q);
      return { path: "/home/k/文档/每日台账.xlsx", message: "已导出每日台账 Excel：/home/k/文档/每日台账.xlsx（共 2 件；电子副本，不计为打印）" };
    },
    liftOfflineLimit: async (region, reason) => {
      lifts.push([region, reason]);
      return { ...REFUSED, level: "lifted" as const, message: `王芳已解除限制（理由：${reason}）` };
    },
    partners: async () => [partner],
    itemChoices: async () => [
      {
        partner: "110106",
        partner_name: "北京市丰台区",
        code: "110106-YJS-001",
        name: "退休一件事",
        domain: "一件事",
        department: "区人力社保局",
        bundle: true,
        promised_days: 15,
        catalog_version: "2026-11",
      },
    ],
    regions: async (query) => {
      searched.push(query);
      return "柯城".startsWith(query) || query === "330802" ? [{ code: "330802", name: "浙江省衢州市柯城区" }] : [];
    },
    savePartner: async (form) => {
      saved.push(form);
      if (!form.url.startsWith("http")) {
        throw new BackendError("invalid_input", `「${form.url}」不是 http 或 https 地址`, "url");
      }
      return [FENGTAI];
    },
    ...extra,
  });
  return { backend: b, ledgers, saved, searched, lifts };
}

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  document.body.innerHTML = "";
});

async function mountApp(b: Backend) {
  wrapper = mount(App, { global: { provide: { [BACKEND as symbol]: b } }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function typeInto(selector: string, value: string) {
  const input = document.querySelector<HTMLInputElement>(selector)!;
  input.value = value;
  input.dispatchEvent(new Event("input"));
}

async function altKey(digit: string) {
  window.dispatchEvent(new KeyboardEvent("keydown", { key: digit, altKey: true }));
  await flushPromises();
}

describe("the supervisor's view", () => {
  it("opens with Alt+3 on today's ledger, counts and overdue list", async () => {
    const { backend: b, ledgers } = backend();
    const w = await mountApp(b);
    await altKey("3");
    expect(w.find("[data-testid=supervision-view]").exists()).toBe(true);
    expect(ledgers[0]?.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ledgers[0]?.to).toBe(ledgers[0]?.from);
    const stats = w.find("[data-testid=supervision-stats]").text();
    expect(stats).toContain("2 件");
    expect(stats).toContain("已收件 2");
    expect(stats).not.toContain("待补正 0");
    expect(w.find("[data-testid=supervision-overdue-count]").text()).toContain("1");
    expect(w.find(".supervision-ledger").text()).toContain("王建国");
    expect(w.find("[data-testid=supervision-overdue-tab]").text()).toContain("逾期1");
  });

  it("prints the days on screen", async () => {
    const { backend: b, ledgers } = backend();
    const w = await mountApp(b);
    await altKey("3");
    await w.find("[data-testid=supervision-print]").trigger("click");
    await flushPromises();
    expect(ledgers).toHaveLength(2);
    expect(ledgers[1]).toEqual(ledgers[0]);
  });

  it("exports the days on screen to Excel, which is not a print", async () => {
    const { backend: b, ledgers } = backend();
    const w = await mountApp(b);
    await altKey("3");
    const button = w.find("[data-testid=supervision-xlsx]");
    expect(button.text()).toBe("导出Excel");
    await button.trigger("click");
    await flushPromises();
    expect(ledgers).toHaveLength(2);
    expect(ledgers[1]).toEqual(ledgers[0]);
    expect(document.body.textContent).toContain("已导出每日台账 Excel");
  });

  it("says why the report cannot be shown", async () => {
    const { backend: b } = backend({
      supervision: async () => {
        throw new BackendError("invalid_input", "起始日期「x」无效");
      },
    });
    const w = await mountApp(b);
    await altKey("3");
    expect(w.find("[data-testid=supervision-error]").text()).toBe("起始日期「x」无效");
  });
});

describe("the partners view", () => {
  it("lists each partner with its hub, sync and catalog, and the catalog's items", async () => {
    const { backend: b } = backend();
    const w = await mountApp(b);
    await altKey("4");
    const table = w.find(".partners-table").text();
    expect(table).toContain("http://127.0.0.1:8731");
    expect(table).toContain("tok…6789");
    expect(table).toContain("待推送 4");
    expect(table).toContain("隔离 1");
    expect(table).toContain("28 个事项");
    expect(w.find("[data-testid=partner-sync-110106]").text()).toContain("对方拒绝连接");
    expect(w.find("[data-testid=partner-catalog]").text()).toContain("退休一件事");
  });

  it("shows a partner refused for being offline too long, and an admin lifts it for a day with a reason", async () => {
    const { backend: b, lifts } = backend({}, { ...FENGTAI, offline: REFUSED });
    const w = await mountApp(b);
    await altKey("4");
    expect(w.find("[data-testid=partner-offline-110106]").text()).toContain("暂停为北京市丰台区收件");
    await w.find("[data-testid=partner-lift-110106]").trigger("click");
    await flushPromises();
    await sleep(50);
    const input = document.querySelector<HTMLInputElement>(".el-message-box input")!;
    input.value = "网络故障已报修，预计明日恢复";
    input.dispatchEvent(new Event("input"));
    await flushPromises();
    document.querySelector<HTMLButtonElement>(".el-message-box .el-button--primary")!.click();
    await flushPromises();
    await sleep(50);
    expect(lifts).toEqual([["110106", "网络故障已报修，预计明日恢复"]]);
  });

  it("adds a partner: the region is picked by name, fills 名称; a bad address is shown at its field", async () => {
    const { backend: b, saved, searched } = backend();
    await mountApp(b);
    await altKey("4");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "n", ctrlKey: true }));
    await flushPromises();
    await sleep(20);
    expect(document.activeElement?.id).toBe("partner-region");
    const dialog = () => document.querySelector("[data-testid=partner-dialog]")!;
    typeInto("#partner-region", "柯城");
    await sleep(400); // the remote search waits for typing to pause
    await flushPromises();
    expect(searched).toContain("柯城");
    const option = Array.from(document.querySelectorAll<HTMLElement>(".el-select-dropdown__item")).find((o) =>
      o.textContent?.includes("浙江省衢州市柯城区（330802）"),
    );
    expect(option, "the full name is offered with its code").toBeDefined();
    option!.click();
    await flushPromises();
    expect(dialog().querySelector("[data-testid=partner-region-name]")?.textContent).toBe("浙江省衢州市柯城区");
    expect(document.querySelector<HTMLInputElement>("#partner-name")!.value).toBe("浙江省衢州市柯城区");
    expect(document.activeElement?.id).toBe("partner-name");
    // Enter moves on through the text fields.
    document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(document.activeElement?.id).toBe("partner-url");
    typeInto("#partner-url", "ftp://hub");
    (document.querySelector("[data-testid=partner-save]") as HTMLElement).click();
    await flushPromises();
    await sleep(150); // el-form-item shows its error 100 ms late
    expect(saved[0]).toEqual({
      region: "330802",
      name: "浙江省衢州市柯城区",
      url: "ftp://hub",
      credential: null,
      allow_plain_http: false,
      ca_cert: null,
      signing_key: null,
    });
    const item = document.querySelector("#partner-url")!.closest(".el-form-item")!;
    expect(item.querySelector(".el-form-item__error")?.textContent).toContain("「ftp://hub」不是 http 或 https 地址");
  });

  it("keeps a typed 名称 when the region is picked", async () => {
    const { backend: b } = backend();
    const w = await mountApp(b);
    await altKey("4");
    await w.find("[data-testid=partner-add]").trigger("click");
    await flushPromises();
    typeInto("#partner-name", "柯城区");
    typeInto("#partner-region", "330802");
    await sleep(400);
    await flushPromises();
    document.querySelector<HTMLElement>(".el-select-dropdown__item")!.click();
    await flushPromises();
    expect(document.querySelector<HTMLInputElement>("#partner-name")!.value).toBe("柯城区");
  });

  it("edits a partner: its region is fixed, the credential kept when the field is left empty", async () => {
    const { backend: b, saved, searched } = backend();
    const w = await mountApp(b);
    await altKey("4");
    await w.find("[data-testid=partner-edit-110106]").trigger("click");
    await flushPromises();
    await sleep(20);
    expect(document.activeElement?.id).toBe("partner-name");
    expect(document.querySelector("#partner-region"), "no region to pick").toBeNull();
    const fixed = document.querySelector("[data-testid=partner-region-fixed]")!.textContent!;
    expect(fixed).toContain("110106");
    expect(fixed).toContain("北京市丰台区");
    // Enter in the last field saves.
    document
      .querySelector("#partner-credential")!
      .dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await flushPromises();
    expect(saved).toEqual([
      {
        region: "110106",
        name: "北京市丰台区",
        url: "http://127.0.0.1:8731",
        credential: null,
        allow_plain_http: false,
        ca_cert: null,
        signing_key: null,
      },
    ]);
    expect(searched).toEqual([]);
  });

  it("warns of a hub reached unencrypted, and asks an admin's word for http off this machine", async () => {
    const lan: PartnerView = { ...FENGTAI, url: "http://10.1.2.3:8730", unencrypted: true, own_ca: true };
    const { backend: b, saved } = backend({ partners: async () => [lan] });
    const w = await mountApp(b);
    await altKey("4");
    expect(w.find("[data-testid=partner-unencrypted-110106]").text()).toContain("未加密（http）");
    expect(w.find(".partners-table").text()).toContain("专用CA证书");
    await w.find("[data-testid=partner-edit-110106]").trigger("click");
    await flushPromises();
    await sleep(20);
    const allow = document.querySelector<HTMLInputElement>("[data-testid=partner-allow-http] input");
    expect(allow, "the http permission is offered for a LAN address").not.toBeNull();
    expect(allow!.checked, "kept as the admin set it").toBe(true);
    typeInto("#partner-url", "https://hub.fengtai.example");
    await flushPromises();
    expect(document.querySelector("[data-testid=partner-allow-http]"), "none for https").toBeNull();
    (document.querySelector("[data-testid=partner-save]") as HTMLElement).click();
    await flushPromises();
    expect(saved[0]?.ca_cert, "an empty CA box keeps the CA set").toBeNull();
  });

  it("shows the pinned key's fingerprint and sends a key typed from the partner's letter", async () => {
    const { backend: b, saved } = backend();
    const w = await mountApp(b);
    await altKey("4");
    const shown = w.find("[data-testid=partner-key-110106]").text();
    expect(shown).toContain("3F2A 9C1E 0B7D 4A55 E1C2 7788 90AB CDEF");
    expect(shown).toContain("首次连接时记录");
    await w.find("[data-testid=partner-edit-110106]").trigger("click");
    await flushPromises();
    await sleep(20);
    const box = document.querySelector<HTMLInputElement>("#partner-signing-key")!;
    expect(box.placeholder, "what is pinned, to compare").toContain("3F2A 9C1E");
    typeInto("#partner-signing-key", "ab".repeat(32));
    (document.querySelector("[data-testid=partner-save]") as HTMLElement).click();
    await flushPromises();
    expect(saved[0]?.signing_key).toBe("ab".repeat(32));
  });

  it("configures the hub of a partner known by its catalog only: its region is fixed too", async () => {
    const { backend: b } = backend({ partners: async () => [FENGTAI_CATALOG_ONLY] });
    const w = await mountApp(b);
    await altKey("4");
    await w.find("[data-testid=partner-edit-110106]").trigger("click");
    await flushPromises();
    await sleep(20);
    expect(w.find("[data-testid=partner-edit-110106]").text()).toBe("配置");
    expect(document.activeElement?.id).toBe("partner-name");
    expect(document.querySelector("#partner-region")).toBeNull();
    expect(document.querySelector("[data-testid=partner-region-fixed]")!.textContent).toContain("110106");
    expect(document.querySelector("#partner-credential")!.closest(".el-form-item")!.classList).toContain("is-required");
  });
});

describe("what a role sees", () => {
  it("a clerk has no 督查台账 tab and cannot add or edit partners", async () => {
    const { backend: b } = backend(fakeSession(sessionOf("zhangmin", "clerk")).part);
    const w = await mountApp(b);
    expect(w.find("[data-testid=nav-supervision]").exists()).toBe(false);
    await altKey("3");
    expect(w.find("[data-testid=supervision-view]").exists()).toBe(false);
    await altKey("4");
    expect(w.find("[data-testid=partners-view]").exists()).toBe(true);
    expect(w.find("[data-testid=partner-add]").exists()).toBe(false);
    expect(w.find("[data-testid=partner-edit-110106]").exists()).toBe(false);
  });
});
