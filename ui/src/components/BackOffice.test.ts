import { afterEach, describe, expect, it } from "vitest";
import { ref } from "vue";
import { SYNC_LIVE } from "../sync/live";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import BackOffice from "./BackOffice.vue";
import QuarantineDialog from "./QuarantineDialog.vue";
import { BACKEND, BackendError, type Backend } from "../backend";
import type { DecisionDraft } from "../bindings/DecisionDraft";
import type { InboxQuery } from "../bindings/InboxQuery";
import { inboxRow } from "../backoffice/fixture";
import { fakeDetailCalls, waitingCase } from "../detail/fixture";
import type { QuarantineRow } from "../bindings/QuarantineRow";

const ROWS = [inboxRow(1, "李建国"), inboxRow(2, "王芳", 2)];

function fakeBackend() {
  const queries: InboxQuery[] = [];
  const decisions: { number: string; draft: DecisionDraft }[] = [];
  const backend = {
    inbox: async (q: InboxQuery) => {
      queries.push(q);
      return { rows: ROWS, total: ROWS.length, awaiting: 2, hint: null };
    },
    caseStatuses: async () => [{ value: "accepted", label: "已受理" }],
    decisionChoices: async (number: string) => ({
      number,
      status: "pushed",
      status_label: "已推送",
      options: [
        { kind: "accepted", label: "已受理" },
        { kind: "refused", label: "不予受理" },
        { kind: "supplement_requested", label: "需补正" },
      ],
      materials: ["居民身份证", "参保缴费凭证"],
      why_none: null,
    }),
    recordDecision: async (number: string, draft: DecisionDraft) => {
      decisions.push({ number, draft });
      if (draft.kind === null) throw new BackendError("invalid_input", "请选择办理决定", "kind");
      if (draft.kind === "supplement_requested" && draft.materials.length === 0 && draft.other.trim() === "") {
        throw new BackendError("invalid_input", "需补正须列出申请人还须提交的材料", "materials");
      }
      return { number, status: draft.kind, status_label: "需补正", message: `办件 ${number} 已记录为「需补正」` };
    },
    ...fakeDetailCalls({
      ...waitingCase(ROWS[0]!.case.number),
      actions: [{ kind: "decide", label: "办理决定", shortcut: "Ctrl+D" }],
    }).calls,
  } as unknown as Backend;
  return { backend, queries, decisions };
}

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  document.body.innerHTML = "";
});

async function mountWith(component: object, backend: Backend, props: Record<string, unknown> = {}) {
  wrapper = mount(component, { props, global: { provide: { [BACKEND as symbol]: backend } }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

function key(target: Element | Window, k: string, extra: KeyboardEventInit = {}) {
  target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, ...extra }));
}

describe("the back office inbox", () => {
  it("lists 待受理 first with receiving region, applicant, item and deadline", async () => {
    const { backend, queries } = fakeBackend();
    const w = await mountWith(BackOffice, backend);
    expect(queries[0]).toMatchObject({ awaiting: true, status: null, text: null, page: 1 });
    expect(w.find("[data-testid=inbox-awaiting]").text()).toBe("待受理 2 件");
    const text = w.find(".el-table__body").text();
    for (const s of ["411329-20261124-A1-0001", "南阳市新野县", "李建国", "王芳", "待受理·已推送", "超期2个工作日"]) {
      expect(text).toContain(s);
    }
    expect(document.activeElement?.id).toBe("inbox-search");
  });

  it("decides 需补正 by keyboard: Enter, 3, tick a material, Ctrl+Enter; an empty list is named at its field", async () => {
    const { backend, decisions } = fakeBackend();
    await mountWith(BackOffice, backend);
    key(document.body, "ArrowDown");
    key(document.body, "Enter");
    await flushPromises();
    const dialog = document.querySelector("[data-testid=decision-dialog]")!;
    expect(dialog.textContent).toContain("411329-20261124-A1-0002");
    expect(dialog.textContent).toContain("已受理");
    // Nothing is chosen for the clerk: Ctrl+Enter at once records nothing.
    expect(dialog.querySelector(".tb-kinds input:checked")).toBeNull();
    key(dialog.querySelector(".tb-kinds input")!, "Enter", { ctrlKey: true });
    await flushPromises();
    await new Promise((r) => setTimeout(r, 50));
    expect(decisions.filter((d) => d.draft.kind !== null)).toHaveLength(0);
    expect(dialog.querySelector("[data-testid=error-kind]")?.textContent).toBe("请选择办理决定");
    // 3 picks 需补正; its fields appear.
    key(dialog.querySelector(".tb-kinds input")!, "3");
    await flushPromises();
    expect(dialog.querySelector("[data-testid=decision-materials]")).not.toBeNull();
    // Recording with nothing listed names the field, and records nothing.
    key(dialog.querySelector("[data-field=other] textarea")!, "Enter", { ctrlKey: true });
    await flushPromises();
    await new Promise((r) => setTimeout(r, 50));
    const materials = dialog.querySelector("[data-field=materials]")!;
    expect(materials.classList.contains("is-error")).toBe(true);
    expect(materials.textContent).toContain("需补正须列出申请人还须提交的材料");
    const box = dialog.querySelectorAll<HTMLInputElement>("[data-testid=decision-materials] input")[1]!;
    box.click();
    await flushPromises();
    const other = dialog.querySelector<HTMLTextAreaElement>("[data-field=other] textarea")!;
    other.value = "户籍证明";
    other.dispatchEvent(new Event("input"));
    key(other, "Enter", { ctrlKey: true });
    await flushPromises();
    expect(decisions.at(-1)).toEqual({
      number: "411329-20261124-A1-0002",
      draft: {
        kind: "supplement_requested",
        reason: "",
        materials: ["参保缴费凭证"],
        other: "户籍证明",
        approved: null,
        note: "",
        waybill: "",
      },
    });
    expect(decisions).toHaveLength(3); // the refused empty choice, the refused empty list, the decision
  });

  it("Space shows the selected case's materials and history; its 办理决定 (Ctrl+D) opens the decision", async () => {
    const { backend, decisions } = fakeBackend();
    const w = await mountWith(BackOffice, backend);
    key(w.find(".inbox-table").element, "ArrowDown");
    key(w.find(".inbox-table").element, " ");
    await flushPromises();
    expect(document.querySelector("[data-testid=detail-status]")?.textContent).toBe("待补正");
    expect(document.querySelector(".tb-detail-materials")?.textContent).toContain("居民身份证");
    expect(document.querySelector("[data-testid=action-complete]"), "no receiving-side actions here").toBeNull();
    // Enter in the detail is not a decision.
    key(window, "Enter");
    await flushPromises();
    expect(decisions).toEqual([]);
    expect(document.querySelector("[data-testid=decision-dialog]"), "the decision is not opened").toBeNull();
    // Ctrl+D (办理决定) hands the case to the decision dialog.
    expect(document.querySelector("[data-testid=action-decide]")?.textContent).toContain("办理决定");
    key(window, "d", { ctrlKey: true });
    await flushPromises();
    const dialog = document.querySelector<HTMLElement>("[data-testid=decision-dialog]");
    expect(dialog?.textContent).toContain("3 需补正");
  });

  it("reads the list again when the sync changed the desk's data, and only then", async () => {
    const { backend, queries } = fakeBackend();
    const live = { overview: ref(null), dataVersion: ref(7), failure: ref(""), refresh: async () => {}, stop() {} };
    wrapper = mount(BackOffice, {
      global: { provide: { [BACKEND as symbol]: backend, [SYNC_LIVE as symbol]: live } },
      attachTo: document.body,
    });
    await flushPromises();
    const first = queries.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(queries.length, "no polling").toBe(first);
    live.dataVersion.value = 8;
    await flushPromises();
    expect(queries.length).toBe(first + 1);
  });

  it("searches and filters by status", async () => {
    const { backend, queries } = fakeBackend();
    const w = await mountWith(BackOffice, backend);
    await w.find("#inbox-search").setValue("王");
    await new Promise((r) => setTimeout(r, 250));
    await flushPromises();
    expect(queries.at(-1)).toMatchObject({ text: "王", awaiting: true });
  });
});

describe("the quarantine", () => {
  const HELD: QuarantineRow = {
    event_id: "0191e6a4-0000-7000-8000-000000000001",
    number: "411329-20261124-A1-0003",
    event_label: "收件",
    direction_label: "推送被拒",
    outgoing: true,
    hub_name: "北京市丰台区",
    code: "not_party",
    message: "该地区尚未签订通办协议",
    advice: "本地区与该通办中心的地区尚无通办协议……再重新提交",
    at: "2026-11-24T01:00:00Z",
    discardable: false,
  };

  it("shows the hub's reason and what to do, and 重新提交 releases the event", async () => {
    let held = [HELD];
    const released: string[] = [];
    const backend = {
      quarantine: async () => held,
      resubmitQuarantined: async (id: string) => {
        released.push(id);
        held = [];
      },
    } as unknown as Backend;
    await mountWith(QuarantineDialog, backend, { modelValue: true });
    const dialog = document.querySelector("[data-testid=quarantine-dialog]")!;
    expect(dialog.textContent).toContain("该地区尚未签订通办协议");
    expect(dialog.textContent).toContain("再重新提交");
    expect(dialog.textContent).toContain("推送被拒");
    dialog.querySelector<HTMLButtonElement>(`[data-testid=resubmit-${HELD.event_id}]`)!.click();
    await flushPromises();
    expect(released).toEqual([HELD.event_id]);
    expect(dialog.textContent).toContain("隔离区没有事件");
  });

  it("lets an admin give up a refused decision with a reason, and never an intake", async () => {
    const decision: QuarantineRow = {
      ...HELD,
      event_id: "0191e6a4-0000-7000-8000-000000000002",
      event_label: "不予受理",
      code: "invalid_transition",
      message: "办件状态为「已受理」，不能「不予受理」",
      discardable: true,
    };
    let held = [HELD, decision];
    const discarded: [string, string][] = [];
    const backend = {
      quarantine: async () => held,
      discardQuarantined: async (id: string, reason: string) => {
        discarded.push([id, reason]);
        held = [HELD];
      },
    } as unknown as Backend;
    await mountWith(QuarantineDialog, backend, { modelValue: true, canDiscard: true });
    const dialog = document.querySelector("[data-testid=quarantine-dialog]")!;
    expect(dialog.querySelector(`[data-testid=discard-${HELD.event_id}]`)).toBeNull();
    dialog.querySelector<HTMLButtonElement>(`[data-testid=discard-${decision.event_id}]`)!.click();
    await flushPromises();
    dialog.querySelector<HTMLButtonElement>("[data-testid=discard-confirm]")!.click();
    await flushPromises();
    expect(dialog.querySelector("[data-testid=discard-error]")!.textContent).toContain("请写明放弃的原因");
    expect(discarded).toEqual([]);
    const field = dialog.querySelector("[data-testid=discard-reason]")!;
    const input = (field.tagName === "INPUT" ? field : field.querySelector("input")!) as HTMLInputElement;
    input.value = "与办理地核实：以对方受理为准";
    input.dispatchEvent(new Event("input"));
    await flushPromises();
    dialog.querySelector<HTMLButtonElement>("[data-testid=discard-confirm]")!.click();
    await flushPromises();
    expect(discarded).toEqual([[decision.event_id, "与办理地核实：以对方受理为准"]]);
    expect(dialog.querySelector("[data-testid=discard-form]")).toBeNull();
  });

  it("offers 放弃 to admins only", async () => {
    const backend = { quarantine: async () => [{ ...HELD, discardable: true }] } as unknown as Backend;
    await mountWith(QuarantineDialog, backend, { modelValue: true });
    expect(document.querySelector(`[data-testid=discard-${HELD.event_id}]`)).toBeNull();
  });
});
