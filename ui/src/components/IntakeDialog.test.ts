import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import IntakeDialog from "./IntakeDialog.vue";
import { BACKEND, BackendError, type Backend } from "../backend";
import { fakeDetailCalls, waitingCase } from "../detail/fixture";
import { fakeSession, sessionOf } from "../session/testing";
import type { CatalogIntake } from "../bindings/CatalogIntake";
import type { ItemChoice } from "../bindings/ItemChoice";
import type { ItemDetails } from "../bindings/ItemDetails";
import type { TakenIn } from "../bindings/TakenIn";
import { DRAFT_KEY } from "../intake/form";
import { quietSyncOverview, stubBackend } from "../testing/stub-backend";

const PENSION: ItemChoice = {
  partner: "110106",
  partner_name: "北京市丰台区",
  code: "PENSION-01",
  name: "养老保险关系转移接续",
  domain: "社会保障",
  department: "丰台区人社局",
  bundle: false,
  promised_days: 15,
  catalog_version: "2025.1",
};
const BIRTH: ItemChoice = {
  partner: "320106",
  partner_name: "南京市鼓楼区",
  code: "BUNDLE-BIRTH",
  name: "新生儿出生一件事",
  domain: "一件事",
  department: "鼓楼区卫健委",
  bundle: true,
  promised_days: 5,
  catalog_version: "2025.2",
};

/** What a guide says of an item anyone may apply for, with no conditions or basis given. */
const OPEN_TO_ALL = {
  kind: "公共服务",
  persons_may_apply: true,
  organizations_may_apply: true,
  applicants: "自然人、法人",
  conditions: "",
  basis: "",
  accepted_by: "",
  decided_by: "",
  fee_basis: "",
  charged: false,
};

const PENSION_DETAILS: ItemDetails = {
  partner: "110106",
  partner_name: "北京市丰台区",
  offer: {
    item: { code: "PENSION-01", name: "养老保险关系转移接续", department: "丰台区人社局", promised_days: 15, catalog_version: "2025.1" },
    bundle_items: [],
    materials: [
      { items: [], name: "居民身份证", form: "original", copies: 1, condition: "", standard: "在有效期内" },
      { items: [], name: "授权委托书", form: "original", copies: 1, condition: "委托他人办理的", standard: "本人签字" },
      { items: [], name: "居民户口簿", form: "copy", copies: 1, condition: "", standard: "首页及本人页", e_license: "居民户口簿" },
    ],
  },
  mode: "异地代收代办",
  promise: "15个工作日",
  legal: "45个工作日",
  ...OPEN_TO_ALL,
  fee: "不收费",
  delivery: ["at_window", "mail"],
  offline: null,
  contacts: [{ item: "PENSION-01", name: "赵丽", unit: "丰台区人社局社保科", phone: "010-63801234", hours: "工作日 9:00-17:00" }],
};

const BIRTH_DETAILS: ItemDetails = {
  partner: "320106",
  partner_name: "南京市鼓楼区",
  offer: {
    item: { code: "BUNDLE-BIRTH", name: "新生儿出生一件事", department: "鼓楼区卫健委", promised_days: 5, catalog_version: "2025.2" },
    bundle_items: [
      { code: "B1", name: "出生医学证明", department: "鼓楼区卫健委", promised_days: 5, catalog_version: null },
      { code: "B2", name: "户口登记", department: "鼓楼公安分局", promised_days: 5, catalog_version: null },
    ],
    materials: [{ items: ["B1", "B2"], name: "父母身份证", form: "original", copies: 1, condition: "", standard: "" }],
  },
  mode: "全程网办",
  promise: "5个工作日",
  legal: "20个工作日",
  ...OPEN_TO_ALL,
  fee: "不收费",
  delivery: ["at_window"],
  offline: null,
  contacts: [],
};

function fakeBackend(overrides: Partial<Backend> = {}) {
  const drafts: CatalogIntake[] = [];
  const prints: string[] = [];
  const backend = stubBackend({
    deskInfo: async () => {
      throw new Error("unused");
    },
    listCases: async () => ({ rows: [], total: 0 }),
    caseStatuses: async () => [],
    printCaseForm: async (form, number, then) => {
      prints.push(`${form} ${number} ${then}`);
      return { path: `/d/${form}.pdf`, delivered: true, reprint: false, message: `已生成 ${form}`, warning: null };
    },
    printLedger: async () => {
      throw new Error("unused");
    },
    itemChoices: async () => [PENSION, BIRTH],
    itemDetails: async (partner, code) => {
      if (partner === "110106" && code === "PENSION-01") return PENSION_DETAILS;
      if (partner === "320106" && code === "BUNDLE-BIRTH") return BIRTH_DETAILS;
      throw new BackendError("not_found", "目录中没有该事项");
    },
    checkField: async (kind, _idKind, value) => {
      if (kind === "id_number" && value.length !== 18)
        return { normalized: "", message: "居民身份证号码应为18位，现为" + value.length + "位", note: null, warning: null };
      // As the desk answers for an address code missing from the shipped region list.
      if (kind === "id_number" && value.startsWith("119999"))
        return {
          normalized: value.toUpperCase(),
          message: null,
          note: "1980年1月1日出生，男",
          warning: "行政区划代码 119999 不在现行代码表中，请核对",
        };
      if (kind === "id_number")
        return { normalized: value.toUpperCase(), message: null, note: "1949年12月31日出生，女", warning: null };
      return { normalized: value, message: null, note: null, warning: null };
    },
    takeIn: async (draft) => {
      drafts.push(draft);
      const missing = draft.materials.some((m) => m.name === "居民户口簿") ? [] : ["居民户口簿"];
      const taken: TakenIn = {
        number: "411323-20250312-0007",
        status: missing.length ? "awaiting_materials" : "received",
        status_label: missing.length ? "待补正" : "已收件",
        missing,
        owed: [],
        owed_due: null,
        warnings: draft.transfer.waybill === "EA123456785CN" ? ["运单号「EA123456785CN」也登记在办件 411323-20250312-0003 上，同一运单通常只寄一件的材料，请核对面单"] : [],
      };
      return taken;
    },
    syncOverview: async () => quietSyncOverview(),
    syncNow: async () => {},
    acknowledgeCatalogNews: async () => {},
    ...fakeDetailCalls(waitingCase("411323-20250312-0003")).calls,
    ...fakeSession(sessionOf("zhangmin")).part,
    ...overrides,
  });
  return { backend, drafts, prints };
}

let wrapper: VueWrapper | null = null;
beforeEach(() => localStorage.clear());
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  document.body.innerHTML = "";
  localStorage.clear();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel);

async function mountDialog(backend: Backend) {
  const w = mount(IntakeDialog, {
    props: {
      modelValue: true,
      "onUpdate:modelValue": (v: boolean) => void w.setProps({ modelValue: v }),
    },
    global: { provide: { [BACKEND as symbol]: backend } },
    attachTo: document.body,
  });
  wrapper = w;
  await flushPromises();
  return w;
}

async function pickItem(name: string) {
  const option = Array.from(document.querySelectorAll<HTMLElement>(".tb-item-option")).find((o) =>
    o.textContent?.includes(name),
  );
  expect(option, `option ${name}`).toBeTruthy();
  option!.click();
  await flushPromises();
}

async function type(id: string, value: string) {
  const input = $<HTMLInputElement>(`#${id}`)!;
  expect(input, id).toBeTruthy();
  input.value = value;
  input.dispatchEvent(new Event("input"));
  await flushPromises();
}

async function tick(id: string) {
  $<HTMLInputElement>(`#${id}`)!.click();
  await flushPromises();
}

async function fillApplicant() {
  await type("intake-name", "张三");
  await type("intake-id-number", "11010519491231002x");
  await type("intake-phone", "13800138000");
}

describe("the intake dialog", () => {
  it("opens on the item picker; choosing an item shows its terms, materials and liaisons", async () => {
    const { backend } = fakeBackend();
    await mountDialog(backend);
    await sleep(400); // the dialog's opening transition
    expect(document.activeElement?.id).toBe("intake-item");
    const options = Array.from(document.querySelectorAll(".tb-item-option")).map((o) => o.textContent);
    expect(options).toHaveLength(2);
    expect(options[1]).toContain("一件事");
    expect(options[1]).toContain("南京市鼓楼区");

    await pickItem("养老保险关系转移接续");
    const facts = $("[data-testid=intake-item-details]")!.textContent!;
    expect(facts).toContain("异地代收代办");
    expect(facts).toContain("15个工作日（法定：45个工作日）");
    expect(facts).toContain("公共服务");
    expect(facts).toContain("不收费");
    const contacts = $("[data-testid=intake-contacts]")!.textContent!;
    expect(contacts).toContain("赵丽");
    expect(contacts).toContain("010-63801234");
    expect(contacts).toContain("工作日 9:00-17:00");
    const table = $("[data-testid=intake-materials]")!.textContent!;
    expect(table).toContain("居民身份证");
    expect(table).toContain("条件：委托他人办理的");
    expect(table).toContain("首页及本人页");
    // The conditional one is not required until it applies.
    expect($("[data-testid=intake-missing-count]")!.textContent).toContain("缺 2 项");
    await tick("intake-material-0");
    expect($("[data-testid=intake-missing-count]")!.textContent).toContain("缺 1 项");
    await tick("intake-material-applies-1");
    expect($("[data-testid=intake-missing-count]")!.textContent).toContain("缺 2 项");
    // An 电子证照 counts as received.
    await tick("intake-material-lic-2");
    expect($("#intake-material-lic-number-2")).not.toBeNull();
    expect($("[data-testid=intake-missing-count]")!.textContent).toContain("缺 1 项");
  });

  it("shows a charged item's fee, its basis and the authority that decides beside the item", async () => {
    const charged: ItemDetails = {
      ...PENSION_DETAILS,
      fee: "换领、补领居民身份证工本费20元",
      charged: true,
      fee_basis: "《关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
      accepted_by: "丰台区政务服务中心公安窗口",
      decided_by: "北京市公安局丰台分局",
    };
    const { backend } = fakeBackend({ itemDetails: async () => charged });
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    const fee = $("[data-testid=intake-item-fee]")!;
    expect(fee.textContent).toContain("工本费20元");
    expect(fee.querySelector(".tb-fee-charged")).not.toBeNull();
    expect($("[data-testid=intake-item-fee-basis]")!.textContent).toContain("发改价格〔2003〕2322号");
    expect($("[data-testid=intake-item-decided-by]")!.textContent).toContain("北京市公安局丰台分局");
    // A free item with no 决定机构 of its own: 不收费, unmarked, and no 决定机构 line.
    wrapper?.unmount();
    document.body.innerHTML = "";
    await mountDialog(fakeBackend().backend);
    await pickItem("养老保险关系转移接续");
    expect($("[data-testid=intake-item-fee]")!.textContent).toContain("不收费");
    expect($("[data-testid=intake-item-fee] .tb-fee-charged")).toBeNull();
    expect($("[data-testid=intake-item-decided-by]")).toBeNull();
    expect($("[data-testid=intake-item-fee-basis]")).toBeNull();
  });

  it("a bundle lists its items and which items each material serves", async () => {
    const { backend } = fakeBackend();
    await mountDialog(backend);
    await pickItem("新生儿出生一件事");
    expect($("[data-testid=intake-bundle-items]")!.textContent).toContain("②户口登记（鼓楼公安分局）");
    expect($("[data-testid=intake-material-row-0]")!.textContent).toContain("①②");
    expect($("#intake-delivery-mail")).toBeNull();
  });

  it("checks the ID number as typed and shows the Chinese message, or the note when right", async () => {
    const { backend } = fakeBackend();
    await mountDialog(backend);
    await type("intake-id-number", "1101051949");
    await sleep(300);
    await flushPromises();
    await sleep(150); // el-form-item shows its error 100 ms late
    expect($("#intake-id-number")!.closest(".el-form-item")!.querySelector(".el-form-item__error")?.textContent).toContain(
      "居民身份证号码应为18位，现为10位",
    );
    await type("intake-id-number", "11010519491231002X");
    await sleep(300);
    await flushPromises();
    expect(document.body.textContent).not.toContain("居民身份证号码应为18位");
    expect($("[data-testid=intake-id-note]")!.textContent).toBe("1949年12月31日出生，女");
  });

  it("checks a mailed waybill as typed: a wrong S10 check digit is an error, an unknown format a soft note", async () => {
    const { backend } = fakeBackend({
      checkField: async (kind, _idKind, value) => {
        if (kind !== "waybill") return { normalized: value, message: null, note: null, warning: null };
        // As the desk answers (tongban_core::waybill).
        if (value === "EA123456784CN")
          return { normalized: "", message: "运单号「EA123456784CN」的校验位有误：按 UPU S10 规则…第11位应为「5」而不是「4」", note: null, warning: null };
        if (value === "EA123456785CN")
          return { normalized: value, message: null, note: "UPU S10（EMS 等邮政）", warning: null };
        return { normalized: value, message: null, note: null, warning: `运单号「${value}」不是本机能核对的格式（如 EMS 的 EA123456785CN），已按原样记录，请与面单核对` };
      },
    });
    await mountDialog(backend);
    await tick("intake-transfer-mail");
    await type("intake-waybill", "EA123456784CN");
    await sleep(300);
    await flushPromises();
    await sleep(150);
    expect($("#intake-waybill")!.closest(".el-form-item")!.querySelector(".el-form-item__error")?.textContent).toContain(
      "第11位应为「5」而不是「4」",
    );
    await type("intake-waybill", "SF1234567890123");
    await sleep(300);
    await flushPromises();
    expect(document.body.textContent).not.toContain("校验位有误");
    expect($("[data-testid=intake-waybill-warning]")!.textContent).toContain("不是本机能核对的格式");
    await type("intake-waybill", "EA123456785CN");
    await sleep(300);
    await flushPromises();
    expect($("[data-testid=intake-waybill-warning]")).toBeNull();
  });

  it("an address code missing from the region list is a soft note that never blocks saving", async () => {
    const { backend, drafts } = fakeBackend();
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await type("intake-name", "张三");
    await type("intake-id-number", "11999919800101001x");
    await type("intake-phone", "13800138000");
    await sleep(300);
    await flushPromises();
    await sleep(150);
    const idItem = $("#intake-id-number")!.closest(".el-form-item")!;
    expect(idItem.querySelector(".el-form-item__error")).toBeNull();
    expect($("[data-testid=intake-id-note]")!.textContent).toBe("1980年1月1日出生，男");
    const notes = Array.from(document.querySelectorAll("[data-testid=intake-soft-note]")).map((n) => n.textContent!.trim());
    expect(notes).toEqual(["申请人证件号码：行政区划代码 119999 不在现行代码表中，请核对"]);

    // The agent's number gets its own note.
    await tick("intake-has-agent");
    await type("intake-agent-name", "李四");
    await type("intake-agent-id-number", "119999198001010011");
    await type("intake-agent-phone", "13900139000");
    await sleep(300);
    await flushPromises();
    const both = Array.from(document.querySelectorAll("[data-testid=intake-soft-note]")).map((n) => n.textContent!.trim());
    expect(both).toEqual([
      "申请人证件号码：行政区划代码 119999 不在现行代码表中，请核对",
      "代办人证件号码：行政区划代码 119999 不在现行代码表中，请核对",
    ]);

    await tick("intake-material-0");
    await tick("intake-material-2");
    $<HTMLButtonElement>("[data-testid=intake-save]")!.click();
    await flushPromises();
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.applicant).toMatchObject({ id_number: "11999919800101001x" });
    expect($("[data-testid=intake-result]")!.textContent).toContain("已收件");
  });

  it("takes a complete intake in with the right draft and prints the receipt", async () => {
    const { backend, drafts, prints } = fakeBackend();
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await fillApplicant();
    await tick("intake-material-0");
    await tick("intake-material-verified-0");
    await tick("intake-material-2");
    $<HTMLButtonElement>("[data-testid=intake-save]")!.click();
    await flushPromises();

    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toEqual({
      partner: "110106",
      item: "PENSION-01",
      applicant: { kind: "person", name: "张三", id_kind: "resident_id", id_number: "11010519491231002x", phone: "13800138000", address: "" },
      agent: null,
      materials: [
        { name: "居民身份证", received: true, original_verified: true, applies: null, e_license: null, scans: [], note: "" },
        { name: "居民户口簿", received: true, original_verified: false, applies: null, e_license: null, scans: [], note: "" },
      ],
      transfer: { network: true, mail: false, waybill: null },
      delivery: { kind: "at_window" },
      note: "",
    });
    expect(prints).toEqual(["receipt 411323-20250312-0007 open"]);
    expect($("[data-testid=intake-result]")!.textContent).toContain("已收件：411323-20250312-0007");
    // Ready for the next applicant of the same item.
    expect($<HTMLInputElement>("#intake-name")!.value).toBe("");
    expect($("[data-testid=intake-item-details]")).not.toBeNull();
    expect(document.activeElement?.id).toBe("intake-name");
    await sleep(400);
    expect(localStorage.getItem(DRAFT_KEY)).toBeNull();
  });

  it("Ctrl+S saves an intake with missing materials: notice first, then the receipt", async () => {
    const { backend, drafts, prints } = fakeBackend();
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await fillApplicant();
    await tick("intake-material-0");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "s", ctrlKey: true }));
    await flushPromises();
    expect(drafts).toHaveLength(1);
    expect(prints).toEqual(["notice 411323-20250312-0007 open", "receipt 411323-20250312-0007 open"]);
    expect($("[data-testid=intake-result]")!.textContent).toBe(
      "待补正：411323-20250312-0007，缺 居民户口簿。一次性告知书已在查看器中打开；收件登记表已在查看器中打开",
    );
  });

  it("offers a returning applicant's last details once their number checks out; Alt+R fills them", async () => {
    const asked: string[] = [];
    const { backend } = fakeBackend({
      returningApplicant: async (id) => {
        asked.push(id);
        return {
          applicant: {
            kind: "person",
            name: "张三",
            id_kind: "resident_id",
            id_number: "11010519491231002X",
            phone: "13800138000",
            address: "新野县城关镇书院路1号",
          },
          last_number: "411329-20261101-A1-0003",
          last_item_name: "户口迁入（投靠）",
          last_received_at: "2026-11-01T01:00:00Z",
        };
      },
    });
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await type("intake-id-number", "11010519491231002x");
    await sleep(400); // the check's debounce, then the lookup
    await flushPromises();
    expect(asked).toEqual(["11010519491231002X"]);
    const offer = $("[data-testid=intake-returning]")!.textContent!;
    expect(offer).toContain("2026-11-01 09:00");
    expect(offer).toContain("户口迁入（投靠）");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "r", altKey: true }));
    await flushPromises();
    expect($<HTMLInputElement>("#intake-name")!.value).toBe("张三");
    expect($<HTMLInputElement>("#intake-phone")!.value).toBe("13800138000");
    expect($<HTMLInputElement>("#intake-address")!.value).toBe("新野县城关镇书院路1号");
    expect(document.activeElement?.id).toBe("intake-phone");
    expect($("[data-testid=intake-returning]")).toBeNull();
  });

  it("a failed print is told as such, never as printed", async () => {
    const { backend } = fakeBackend({
      printCaseForm: async () => {
        throw new BackendError("viewer_failed", "没有可用的 PDF 查看器");
      },
    });
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await fillApplicant();
    await tick("intake-material-0");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "s", ctrlKey: true }));
    await flushPromises();
    const text = $("[data-testid=intake-result]")!.textContent!;
    expect(text).toContain("待补正：411323-20250312-0007，缺 居民户口簿");
    // Both forms were tried, each told.
    expect(text).toContain("一次性告知书未打印：没有可用的 PDF 查看器；收件登记表未打印：没有可用的 PDF 查看器");
    expect(text).toContain("Ctrl+P / Ctrl+Shift+P 再打印");
    expect(text).not.toContain("已打印");
    expect(text).not.toContain("已在查看器中打开");
  });

  it("a viewer the desk could not start is told per form, and the other form still went out", async () => {
    const { backend } = fakeBackend({
      printCaseForm: async (form: string) =>
        form === "notice"
          ? {
              path: "/d/notice.pdf",
              delivered: false,
              reprint: false,
              message: "一次性告知书未打印：未能打开",
              warning: "一次性告知书未打印：本机没有能打开 PDF 的程序。请安装 PDF 阅读器后再试。这次不算已打印",
            }
          : { path: "/d/receipt.pdf", delivered: true, reprint: false, message: "已生成收件登记表", warning: null },
    });
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await fillApplicant();
    await tick("intake-material-0");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "s", ctrlKey: true }));
    await flushPromises();
    const text = $("[data-testid=intake-result]")!.textContent!;
    expect(text).toContain("一次性告知书未打印：本机没有能打开 PDF 的程序");
    expect(text).toContain("收件登记表已在查看器中打开");
    expect(text).not.toContain("已打印一次性告知书");
  });

  it("shows a backend field error at the field, focuses it, and keeps what was typed", async () => {
    const { backend, prints } = fakeBackend({
      takeIn: async () => {
        throw { code: "invalid_field", message: "联系电话应为11位手机号码或带区号的固定电话", field: "applicant.phone" };
      },
    });
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await fillApplicant();
    $<HTMLButtonElement>("[data-testid=intake-save]")!.click();
    await flushPromises();
    expect(prints).toEqual([]);
    await sleep(150);
    const item = $("#intake-phone")!.closest(".el-form-item")!;
    expect(item.querySelector(".el-form-item__error")?.textContent).toContain("联系电话应为11位手机号码或带区号的固定电话");
    expect(document.activeElement?.id).toBe("intake-phone");
    expect($<HTMLInputElement>("#intake-name")!.value).toBe("张三");
    expect($("[data-testid=intake-result]")).toBeNull();
  });

  it("shows a non-field error as an alert", async () => {
    const { backend } = fakeBackend({
      takeIn: async () => {
        throw new BackendError("database", "保存办件失败：数据库被占用");
      },
    });
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await fillApplicant();
    $<HTMLButtonElement>("[data-testid=intake-save]")!.click();
    await flushPromises();
    expect($("[data-testid=intake-alert]")!.textContent).toContain("保存办件失败：数据库被占用");
    expect($<HTMLInputElement>("#intake-id-number")!.value).toBe("11010519491231002x");
  });

  it("warns of a partner long unsynced when its item is chosen, and shows the refusal when past the limit", async () => {
    const since = "2026-11-20T02:00:00Z";
    const warned: ItemDetails = {
      ...PENSION_DETAILS,
      offline: {
        region: "110106",
        name: "北京市丰台区",
        level: "warn",
        since,
        synced_ever: true,
        days: 5,
        message: "与北京市丰台区通办中心已5天未同步（最后一次同步成功是2026-11-20 10:00）；超过14天未同步将暂停为北京市丰台区收件，请尽快连接网络并同步",
      },
    };
    const refusal =
      "不能收件：与北京市丰台区通办中心已15天未同步（最后一次同步成功是2026-11-20 10:00），超过14天的离线上限，暂停为北京市丰台区收件。请连接网络后按 F5 同步";
    let details = warned;
    const { backend } = fakeBackend({
      itemDetails: async () => details,
      takeIn: async () => {
        throw new BackendError("offline_too_long", refusal);
      },
    });
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    const warning = $("[data-testid=intake-offline]")!;
    expect(warning.textContent).toContain("已5天未同步（最后一次同步成功是2026-11-20 10:00）");
    // Transitions are stubbed in tests: the alert is the stub's child.
    expect(warning.querySelector(".el-alert--warning")).not.toBeNull();
    wrapper!.unmount();
    document.body.innerHTML = "";

    details = { ...warned, offline: { ...warned.offline!, level: "refuse", days: 15, message: refusal.slice(5) } };
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    const refused = $("[data-testid=intake-offline]")!;
    expect(refused.textContent).toContain("暂停为北京市丰台区收件");
    expect(refused.querySelector(".el-alert--error")).not.toBeNull();
    // Saving anyway: the desk refuses, the dialog says why and keeps what was typed.
    await fillApplicant();
    $<HTMLButtonElement>("[data-testid=intake-save]")!.click();
    await flushPromises();
    expect($("[data-testid=intake-alert]")!.textContent).toContain("不能收件：与北京市丰台区通办中心已15天未同步");
    expect($<HTMLInputElement>("#intake-id-number")!.value).toBe("11010519491231002x");
  });

  it("attaches scans to a material from a file or the scanner folder; the draft cites them", async () => {
    const { backend, drafts } = fakeBackend();
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await fillApplicant();
    // No folder yet: set it where the checklist is, and its newest scan is offered on every row.
    const folder = $<HTMLInputElement>("input[data-testid=scanner-folder-input]")!;
    folder.value = "D:\\扫描";
    folder.dispatchEvent(new Event("input"));
    $<HTMLButtonElement>("[data-testid=scanner-folder-set]")!.click();
    await flushPromises();
    expect($("[data-testid=scanner-folder]")!.textContent).toContain("D:\\扫描");
    const pick = $<HTMLSelectElement>("[data-testid=scanner-pick-2]")!;
    expect(pick.textContent).toContain("扫描0001.pdf（2 KB，2026-11-24 09:20）");
    pick.value = "扫描0001.pdf";
    pick.dispatchEvent(new Event("change"));
    await flushPromises();
    expect($("[data-testid=intake-scans-2] .tb-scan")!.textContent).toContain("扫描0001.pdf");
    expect($<HTMLInputElement>("#intake-material-2")!.checked, "a scanned material was handed over").toBe(true);

    const input = $<HTMLInputElement>("[data-testid=scan-file-0]")!;
    $<HTMLButtonElement>("[data-testid=attach-scan-0]")!.click();
    const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "身份证.png", { type: "image/png" });
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    input.dispatchEvent(new Event("change"));
    await sleep(20); // reading the file is asynchronous
    await flushPromises();
    expect($("[data-testid=intake-scans-0] .tb-scan")!.textContent).toContain("身份证.png");

    $<HTMLButtonElement>("[data-testid=intake-save]")!.click();
    await flushPromises();
    expect(drafts[0]!.materials).toEqual([
      { name: "居民身份证", received: true, original_verified: false, applies: null, e_license: null, scans: ["ab".repeat(32)], note: "" },
      { name: "居民户口簿", received: true, original_verified: false, applies: null, e_license: null, scans: ["cd".repeat(32)], note: "" },
    ]);
    // The next applicant starts with no scans.
    expect(document.querySelectorAll("[data-testid=intake-materials] .tb-scan")).toHaveLength(0);
  });

  it("a refused scan is told on its material's row; a dropped scan is not cited", async () => {
    const { backend, drafts } = fakeBackend({
      attachScan: async () => {
        throw new BackendError("invalid_input", "「说明.docx」不是 PDF、JPEG、PNG 或 TIFF 文件");
      },
    });
    await backend.setScannerFolder("D:\\扫描");
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    await fillApplicant();
    const input = $<HTMLInputElement>("[data-testid=scan-file-0]")!;
    Object.defineProperty(input, "files", { value: [new File(["x"], "说明.docx")], configurable: true });
    input.dispatchEvent(new Event("change"));
    await sleep(20);
    await flushPromises();
    expect($("[data-testid=intake-material-row-0]")!.textContent).toContain("不是 PDF、JPEG、PNG 或 TIFF 文件");
    expect($<HTMLInputElement>("#intake-material-0")!.checked, "nothing was attached").toBe(false);

    const pick = $<HTMLSelectElement>("[data-testid=scanner-pick-2]")!;
    pick.value = "扫描0001.pdf";
    pick.dispatchEvent(new Event("change"));
    await flushPromises();
    $<HTMLButtonElement>("[aria-label='去掉扫描件 扫描0001.pdf']")!.click();
    await flushPromises();
    expect(document.querySelectorAll("[data-testid=intake-scans-2] .tb-scan")).toHaveLength(0);
    $<HTMLButtonElement>("[data-testid=intake-save]")!.click();
    await flushPromises();
    expect(drafts[0]!.materials, "the material stays received, without the dropped scan").toEqual([
      { name: "居民户口簿", received: true, original_verified: false, applies: null, e_license: null, scans: [], note: "" },
    ]);
  });

  it("Enter in a text box moves to the next field", async () => {
    const { backend } = fakeBackend();
    await mountDialog(backend);
    const name = $<HTMLInputElement>("#intake-name")!;
    name.focus();
    name.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await flushPromises();
    expect(document.activeElement?.id).toBe("intake-id-kind");
  });

  it("Enter never changes a choice: not a radio, not the switch, not a material's tick", async () => {
    const { backend } = fakeBackend();
    await mountDialog(backend);
    await pickItem("养老保险关系转移接续");
    const enter = (el: HTMLElement) => {
      el.focus();
      el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    };
    const person = $<HTMLInputElement>("[data-testid=intake-kind] input[value=person]")!;
    enter(person);
    await flushPromises();
    expect(person.checked).toBe(true);
    // The group counts once: the next stop is 姓名, not 企业.
    expect(document.activeElement?.id).toBe("intake-name");
    const agent = $<HTMLInputElement>("#intake-has-agent")!;
    enter(agent);
    await flushPromises();
    expect(agent.checked).toBe(false);
    expect($("[data-testid=intake-agent]")).toBeNull();
    expect(document.activeElement?.id).not.toBe("intake-has-agent");
    const received = $<HTMLInputElement>("#intake-material-0")!;
    enter(received);
    await flushPromises();
    expect(received.checked).toBe(false);
  });

  it("keeps the half-filled intake and restores it when opened again", async () => {
    const first = fakeBackend();
    await mountDialog(first.backend);
    await pickItem("养老保险关系转移接续");
    await type("intake-name", "李四");
    await tick("intake-material-0");
    await sleep(400);
    expect(localStorage.getItem(DRAFT_KEY)).toContain("李四");
    wrapper!.unmount();
    wrapper = null;
    document.body.innerHTML = "";

    const second = fakeBackend();
    await mountDialog(second.backend);
    await flushPromises();
    expect($<HTMLInputElement>("#intake-name")!.value).toBe("李四");
    expect($("[data-testid=intake-item-details]")!.textContent).toContain("异地代收代办");
    expect($<HTMLInputElement>("#intake-material-0")!.checked).toBe(true);
    expect($("[data-testid=intake-missing-count]")!.textContent).toContain("缺 1 项");
    // The restored draft is marked, and F8 drops it whole.
    expect($("[data-testid=intake-restored]")!.textContent).toContain("这是恢复的草稿");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "F8" }));
    await flushPromises();
    expect($("[data-testid=intake-restored]")).toBeNull();
    expect($<HTMLInputElement>("#intake-name")!.value).toBe("");
    expect($("[data-testid=intake-item-details]")).toBeNull();
    expect(localStorage.getItem(DRAFT_KEY)).toBeNull();
  });
});
