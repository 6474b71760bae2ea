import { afterEach, describe, expect, it } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import { defineComponent, h, ref } from "vue";
import ReconcileDialog from "./ReconcileDialog.vue";
import { BACKEND, BackendError, type Backend } from "../backend";

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  document.body.innerHTML = "";
});

const q = (sel: string) => document.querySelector<HTMLElement>(sel);

function open(backend: Partial<Backend>) {
  const visible = ref(true);
  const Host = defineComponent(() => () =>
    h(ReconcileDialog, {
      region: "110106",
      name: "北京市丰台区",
      modelValue: visible.value,
      "onUpdate:modelValue": (v: boolean) => (visible.value = v),
    }),
  );
  wrapper = mount(Host, { global: { provide: { [BACKEND as symbol]: backend } }, attachTo: document.body });
}

describe("对账 with a partner", () => {
  it("asks for today by default and lists what only one side holds", async () => {
    const asked: unknown[] = [];
    open({
      reconcile: async (partner, from, to, days) => {
        asked.push([partner, from, to, days]);
        return {
          summary: `${from} 至 ${to}：双方都有 9 个事件；1 项不一致或待处理`,
          matched: 9,
          clean: false,
          lines: [
            { section: "仅本机有", number: "411329-20261207-A1-0001", what: "签收结果", at: "2026-12-07 15:05", note: "待推送：下次同步时送出" },
          ],
        };
      },
    });
    await flushPromises();
    q("[data-testid=reconcile-run]")!.click();
    await flushPromises();
    expect(asked).toHaveLength(1);
    const [partner, from, to, days] = asked[0] as [string, string, string, number];
    expect([partner, days, from === to, /^\d{4}-\d\d-\d\d$/.test(from)]).toEqual(["110106", 7, true, true]);
    expect(q("[data-testid=reconcile-summary]")!.textContent).toContain("1 项不一致或待处理");
    expect(q("[data-testid=reconcile-lines]")!.textContent).toContain("待推送：下次同步时送出");
  });

  it("says why when the hub cannot be reached, and shows no stale result", async () => {
    open({
      reconcile: async () => {
        throw new BackendError("hub_unreachable", "无法连接通办中心 https://hub.invalid");
      },
    });
    await flushPromises();
    q("[data-testid=reconcile-run]")!.click();
    await flushPromises();
    expect(q("[data-testid=reconcile-error]")!.textContent).toContain("无法连接通办中心");
    expect(q("[data-testid=reconcile-lines]")).toBeNull();
  });

  it("prints the 对账单 for the period shown, and says when the viewer failed", async () => {
    const printed: unknown[] = [];
    let viewerFails = false;
    open({
      printReconciliation: async (partner, from, to, days) => {
        printed.push([partner, from, to, days]);
        return {
          path: "/tmp/对账单-110106.pdf",
          delivered: !viewerFails,
          reprint: false,
          message: "对账单已生成（双方一致），请打印后双方签字",
          warning: viewerFails ? "无法打开 PDF 查看器：未安装" : null,
        };
      },
    });
    await flushPromises();
    q("[data-testid=reconcile-print]")!.click();
    await flushPromises();
    const [partner, from, to, days] = printed[0] as [string, string, string, number];
    expect([partner, days, from === to]).toEqual(["110106", 7, true]);
    expect(q("[data-testid=reconcile-error]")).toBeNull();
    viewerFails = true;
    q("[data-testid=reconcile-print]")!.click();
    await flushPromises();
    expect(q("[data-testid=reconcile-error]")!.textContent).toContain("无法打开 PDF 查看器");
  });
});
