import { afterEach, describe, expect, it } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import { defineComponent, h, ref } from "vue";
import CaseDetail from "./CaseDetail.vue";
import { BACKEND, BackendError, type Backend } from "../backend";
import type { CaseDetail as Detail } from "../bindings/CaseDetail";
import { fakeDetailCalls, waitingCase } from "../detail/fixture";
import { actionFor, matchesShortcut } from "../detail/shortcuts";

const NUMBER = "411329-20261124-A1-0001";

function fake(detail: Detail = waitingCase(NUMBER), overrides: Partial<Backend> = {}) {
  const d = fakeDetailCalls(detail);
  const prints: string[] = [];
  const backend = {
    ...d.calls,
    printCaseForm: async (form: string, number: string, then: string) => {
      prints.push(`${form} ${number} ${then}`);
      return { path: "/d/x.pdf", delivered: true, reprint: false, message: "已生成", warning: null };
    },
    ...overrides,
  } as unknown as Backend;
  return { backend, prints, ...d };
}

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  document.body.innerHTML = "";
});

async function open(backend: Backend) {
  const visible = ref(false);
  const Host = defineComponent(() => () =>
    h(CaseDetail, {
      number: NUMBER,
      modelValue: visible.value,
      "onUpdate:modelValue": (v: boolean) => (visible.value = v),
    }),
  );
  wrapper = mount(Host, { global: { provide: { [BACKEND as symbol]: backend } }, attachTo: document.body });
  visible.value = true;
  await flushPromises();
  await flushPromises();
  return { visible };
}

const q = (sel: string) => document.querySelector<HTMLElement>(sel);
const press = (key: string, extra: KeyboardEventInit = {}) =>
  window.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, ...extra }));

describe("the case detail view", () => {
  it("shows the case's parts, the missing material, history and prints, masked until revealed", async () => {
    const { backend } = fake();
    await open(backend);
    const text = q("[data-testid=case-detail]")!.textContent!;
    expect(text).toContain(NUMBER);
    expect(text).toContain("北京市丰台区");
    expect(text).toContain("材料补齐之日起计算");
    expect(q("[data-testid=detail-status]")!.textContent).toBe("待补正");
    expect(q("[data-testid=applicant-id]")!.textContent).toBe("110105********0056");
    q("[data-testid=reveal-applicant]")!.click();
    await flushPromises();
    expect(q("[data-testid=applicant-id]")!.textContent).toBe("110105195607120056");
    const materials = q(".tb-detail-materials")!.textContent!;
    expect(materials).toContain("缺");
    expect(q("[data-testid=action-complete]")!.textContent).toContain("补正收件 F4");
    expect(q("[data-testid=action-print_notice]")!.textContent).toContain("补打一次性告知书");
    expect(q("[data-testid=action-deliver]")).toBeNull();
    expect(document.activeElement).toBe(q("[data-testid=action-complete]"));
  });

  it("shows the item's fee and, when another authority decides, the 决定机构", async () => {
    const detail = waitingCase(NUMBER);
    detail.item = {
      ...detail.item,
      department: "北京市公安局丰台分局新村派出所",
      decided_by: "北京市公安局丰台分局",
      fee: "换领、补领居民身份证工本费20元（收费依据：发改价格〔2003〕2322号）",
    };
    await open(fake(detail).backend);
    expect(q("[data-testid=detail-decided-by]")!.textContent).toContain("决定机构：北京市公安局丰台分局");
    expect(q("[data-testid=detail-fee]")!.textContent).toContain("工本费20元（收费依据：发改价格〔2003〕2322号）");
    wrapper?.unmount();
    document.body.innerHTML = "";
    // The department decides: no line of its own.
    await open(fake().backend);
    expect(q("[data-testid=detail-decided-by]")).toBeNull();
    expect(q("[data-testid=detail-fee]")!.textContent).toContain("收费：不收费");
  });

  it("completes by keyboard: F4 ticks, a scan is attached, Ctrl+Enter records; a failed print offers retry", async () => {
    const { backend, completions, prints } = fake();
    await open(backend);
    press("F4");
    await flushPromises();
    expect(q("[data-testid=completion-bar]")).not.toBeNull();
    expect(q("[data-testid=tick-received-0]"), "a received material is not ticked again").toBeNull();
    q("[data-testid=tick-received-1] input")!.click();
    const input = q("[data-testid=scan-file-1]") as HTMLInputElement;
    q("[data-testid=attach-scan-1]")!.click();
    const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "缴费凭证.png", { type: "image/png" });
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    input.dispatchEvent(new Event("change"));
    await new Promise((r) => setTimeout(r, 20)); // reading the file is asynchronous
    await flushPromises();
    expect(q("[data-testid=completion-error]")?.textContent ?? null).toBeNull();
    expect(q(".tb-new-scan")!.textContent).toContain("缴费凭证.png");
    press("Enter", { ctrlKey: true });
    await flushPromises();
    expect(completions).toEqual([
      {
        materials: [
          { position: 0, received: false, original_verified: false, scans: [] },
          { position: 1, received: true, original_verified: false, scans: ["ab".repeat(32)] },
        ],
        then: "open",
      },
    ]);
    expect(q("[data-testid=print-failure]")!.textContent).toContain("打印失败：打印机未就绪");
    q("[data-testid=print-retry]")!.click();
    await flushPromises();
    expect(prints).toEqual([`receipt ${NUMBER} open`]);
    expect(q("[data-testid=print-failure]")).toBeNull();
  });

  it("shows a refused completion next to the checklist and keeps the ticks", async () => {
    const { backend } = fake(waitingCase(NUMBER), {
      completeCase: async () => {
        throw new BackendError("invalid_input", "没有勾选申请人本次提交的材料，也没有附加扫描件");
      },
    });
    await open(backend);
    q("[data-testid=action-complete]")!.click();
    await flushPromises();
    q("[data-testid=completion-confirm]")!.click();
    await flushPromises();
    expect(q("[data-testid=completion-error]")!.textContent).toBe("没有勾选申请人本次提交的材料，也没有附加扫描件");
    expect(q("[data-testid=completion-bar]")).not.toBeNull();
    press("Escape");
    await flushPromises();
    expect(q("[data-testid=completion-bar]")).toBeNull();
  });

  it("records 结果已送达 by mail with its waybill, and says so when the waybill is missing", async () => {
    const concluded: Detail = {
      ...waitingCase(NUMBER),
      status: "result_mailed",
      status_label: "结果已寄出",
      actions: [
        { kind: "deliver", label: "结果已送达", shortcut: "F7" },
        { kind: "print_receipt", label: "补打收件登记表", shortcut: "Ctrl+P" },
      ],
    };
    const { backend, deliveries } = fake(concluded);
    await open(backend);
    press("F7");
    await flushPromises();
    const mail = Array.from(document.querySelectorAll<HTMLInputElement>("[data-testid=delivery-form] input[type=radio]"));
    mail[1]!.click();
    await flushPromises();
    q("[data-testid=delivery-confirm]")!.click();
    await flushPromises();
    expect(q("[data-testid=delivery-error]")!.textContent).toBe("邮寄送达须填写运单号");
    const waybill = q("input[data-testid=delivery-waybill]") as HTMLInputElement;
    waybill.value = "1180000000123";
    waybill.dispatchEvent(new Event("input"));
    waybill.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await flushPromises();
    expect(deliveries).toEqual([{ way: "mail", waybill: "1180000000123", note: null }]);
    expect(q("[data-testid=delivery-form]")).toBeNull();
  });

  it("Ctrl+P prints the receipt, and Esc closes the view", async () => {
    const { backend, prints } = fake();
    const { visible } = await open(backend);
    press("p", { ctrlKey: true });
    await flushPromises();
    expect(prints).toEqual([`receipt ${NUMBER} open`]);
    press("Escape");
    await flushPromises();
    expect(visible.value).toBe(false);
  });
  it("mails the originals by keyboard (F8), warns of what the desk only warns of, and lists where each original is", async () => {
    const mailed: { number: string; mailing: unknown }[] = [];
    const detail: Detail = {
      ...waitingCase(NUMBER),
      actions: [{ kind: "mail_originals", label: "寄出原件", shortcut: "F8" }],
      originals: [{ name: "居民身份证", whereabouts: "在受理窗口（未寄出）", trouble: false }],
    };
    const { backend } = fake(detail, {
      mailingDraft: async () => ({
        contents: [{ name: "居民身份证", originals: 1, copies: 0 }, { name: "照片", originals: 0, copies: 2 }],
        carriers: ["EMS", "顺丰速运"],
      }),
      mailOriginals: async (number, mailing) => {
        if (!mailing.waybill) throw new BackendError("invalid_input", "请填写运单号", "waybill");
        mailed.push({ number, mailing });
        return { message: `办件 ${number} 已登记寄出原件`, warnings: ["运单号「SF1」不是本机能核对的格式"] };
      },
    });
    await open(backend);
    press("F8");
    await flushPromises();
    expect(q("[data-testid=paper-form]")!.textContent).toContain("寄出原件");
    expect(q("[data-testid=detail-paper]")!.textContent).toContain("在受理窗口（未寄出）");
    q("[data-testid=paper-confirm]")!.click();
    await flushPromises();
    expect(q("[data-testid=paper-error]")!.textContent).toBe("请填写运单号");
    // The photo's copies stay at the window this time.
    (q("[data-testid=paper-packed-1] input") as HTMLInputElement).click();
    const waybill = q("input[data-testid=paper-waybill]") as HTMLInputElement;
    waybill.value = "SF1";
    waybill.dispatchEvent(new Event("input"));
    waybill.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true }));
    await flushPromises();
    expect(mailed).toEqual([
      {
        number: NUMBER,
        mailing: { waybill: "SF1", carrier: "EMS", note: "", contents: [{ name: "居民身份证", originals: 1, copies: 0 }] },
      },
    ]);
    expect(q("[data-testid=paper-form]")).toBeNull();
    expect(document.body.textContent).toContain("不是本机能核对的格式");
  });
});

describe("detail shortcuts", () => {
  it("match the keys the desk names, modifiers exactly", () => {
    const k = (key: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) => ({
      key,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      shiftKey: false,
      ...mods,
    });
    expect(matchesShortcut("F4", k("F4"))).toBe(true);
    expect(matchesShortcut("F4", k("F4", { ctrlKey: true }))).toBe(false);
    expect(matchesShortcut("Ctrl+Shift+P", k("P", { ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(matchesShortcut("Ctrl+P", k("P", { ctrlKey: true, shiftKey: true }))).toBe(false);
    const actions = waitingCase(NUMBER).actions;
    expect(actionFor(actions, k("p", { ctrlKey: true }))?.kind).toBe("print_receipt");
    expect(actionFor(actions, k("F7"))).toBeNull();
  });
});

describe("the scanner folder in 补正收件", () => {
  it("is set once, then its newest scan is picked for a material", async () => {
    const { backend, completions } = fake();
    await open(backend);
    press("F4");
    await flushPromises();
    const input = q("input[data-testid=scanner-folder-input]") as HTMLInputElement;
    input.value = "D:\\扫描";
    input.dispatchEvent(new Event("input"));
    q("[data-testid=scanner-folder-set]")!.click();
    await flushPromises();
    expect(q("[data-testid=scanner-folder]")!.textContent).toContain("D:\\扫描");
    const pick = q("[data-testid=scanner-pick-1]") as HTMLSelectElement;
    expect(pick.textContent, "the folder's newest scan is offered").toContain("扫描0001.pdf（2 KB，2026-11-24 09:20）");
    pick.value = "扫描0001.pdf";
    pick.dispatchEvent(new Event("change"));
    await flushPromises();
    expect(q(".tb-new-scan")!.textContent).toContain("扫描0001.pdf");
    press("Enter", { ctrlKey: true });
    await flushPromises();
    expect(completions[0]!.materials[1]).toEqual({ position: 1, received: true, original_verified: false, scans: ["cd".repeat(32)] });
  });
});
