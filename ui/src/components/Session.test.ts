import { afterEach, describe, expect, it } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import App from "../App.vue";
import SetupScreen from "./SetupScreen.vue";
import UsersDialog from "./UsersDialog.vue";
import { BACKEND, BackendError, type Backend } from "../backend";
import type { DeskSetupForm } from "../bindings/DeskSetupForm";

import { fakeSession, sessionOf, TEST_PASSWORD } from "../session/testing";
import { fakeDetailCalls, waitingCase } from "../detail/fixture";
import { quietSyncOverview, stubBackend } from "../testing/stub-backend";

const INFO = {
  region_code: "411329",
  region_name: "河南省南阳市新野县",
  window: "新野县政务服务中心跨省通办专窗",
  desk_code: "A1",
  db_path: "/tmp/desk.db",
  case_count: 0,
};

/** The desk side the session screens do not touch: an empty queue. */
function deskBackend(session: ReturnType<typeof fakeSession>, overrides: Partial<Backend> = {}): Backend {
  return stubBackend({
    deskInfo: async () => INFO,
    caseStatuses: async () => [],
    listCases: async () => ({ rows: [], total: 0 }),
    printCaseForm: async () => {
      throw new BackendError("internal", "no prints here");
    },
    printLedger: async () => {
      throw new BackendError("internal", "no prints here");
    },
    itemChoices: async () => [],
    itemDetails: async () => {
      throw new BackendError("unknown_item", "没有这个事项");
    },
    checkField: async (_k, _i, value) => ({ normalized: value, message: null, note: null, warning: null }),
    takeIn: async () => {
      throw new BackendError("internal", "no intake here");
    },
    syncOverview: async () => quietSyncOverview(),
    syncNow: async () => {},
    acknowledgeCatalogNews: async () => {},
    ...session.part,
    ...overrides,
  });
}

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  document.body.innerHTML = "";
});

async function mountWith(component: unknown, backend: Backend, props: Record<string, unknown> = {}) {
  wrapper = mount(component as never, {
    props: props as never,
    global: { provide: { [BACKEND as symbol]: backend } },
    attachTo: document.body,
  });
  await flushPromises();
  return wrapper;
}

/** Element Plus shows a form item's error after a short debounce. */
const errorsShown = () => new Promise((r) => setTimeout(r, 150));

async function typeInto(w: VueWrapper, selector: string, value: string) {
  await w.find(selector).setValue(value);
}

const queueShown = (w: VueWrapper) => {
  const q = w.find(".case-queue-table");
  return q.exists() && (q.element.closest(".tb-fill") as HTMLElement | null)?.style.display !== "none";
};

describe("logging in", () => {
  it("refuses a wrong password with the message, then opens the queue and names the user", async () => {
    const session = fakeSession(null);
    const w = await mountWith(App, deskBackend(session));
    expect(w.find("[data-testid=login-screen]").exists()).toBe(true);
    expect(document.activeElement?.id).toBe("login-name");
    expect(w.find("[data-testid=login-demo]").exists()).toBe(false);

    await typeInto(w, "#login-name", "zhangmin");
    await w.find("#login-name").trigger("keydown", { key: "Enter" });
    expect(document.activeElement?.id).toBe("login-password");
    await typeInto(w, "#login-password", "wrong-password");
    await w.find("#login-password").trigger("keydown", { key: "Enter" });
    await flushPromises();
    expect(w.find("[data-testid=login-error]").text()).toBe("用户名或密码错误");
    expect(queueShown(w)).toBe(false);
    expect(document.activeElement?.id).toBe("login-password");

    await typeInto(w, "#login-password", TEST_PASSWORD);
    await w.find("[data-testid=login-submit]").trigger("click");
    await flushPromises();
    expect(queueShown(w)).toBe(true);
    expect(w.find("[data-testid=session-user]").text()).toContain("张敏");
    expect(w.find("[data-testid=session-user]").text()).toContain("窗口受理");
    expect(w.find("[data-testid=open-users]").exists()).toBe(false);
  });

  it("shows the demo accounts and password only when the desk says it is the demo", async () => {
    const session = fakeSession(null);
    const demo = {
      password: "tongban2026",
      accounts: [{ login: "zhangmin", display_name: "张敏", role: "clerk", role_label: "窗口受理", disabled: false, has_password: true }],
    };
    const w = await mountWith(App, deskBackend(session, { loginInfo: async () => ({ idle_lock_minutes: 10, demo }) }));
    const hint = w.find("[data-testid=login-demo]").text();
    expect(hint).toContain("演示账号");
    expect(hint).toContain("zhangmin");
    expect(hint).toContain("tongban2026");
  });
});

describe("locking", () => {
  it("Ctrl+L hides the queue under the lock screen; keys do not reach it; the password unlocks", async () => {
    const session = fakeSession(sessionOf("zhangmin"));
    const w = await mountWith(App, deskBackend(session));
    expect(queueShown(w)).toBe(true);
    (document.querySelector("#queue-search") as HTMLElement).focus();

    window.dispatchEvent(new KeyboardEvent("keydown", { key: "l", ctrlKey: true }));
    await flushPromises();
    expect(w.find("[data-testid=lock-screen]").exists()).toBe(true);
    expect(queueShown(w)).toBe(false);
    expect(w.find(".case-queue-table").exists(), "the queue stays underneath, as it was").toBe(true);
    expect(document.activeElement?.id).toBe("unlock-password");

    window.dispatchEvent(new KeyboardEvent("keydown", { key: "F2" }));
    await flushPromises();
    expect(document.querySelector("[data-testid=intake-dialog]")).toBeNull();

    // Tab goes round the lock screen: from its last button back to its first field, and back.
    const lockScreen = document.querySelector<HTMLElement>("[data-testid=lock-screen]")!;
    const unlockButton = document.querySelector<HTMLElement>("[data-testid=unlock-submit]")!;
    unlockButton.focus();
    const tab = (shiftKey = false) => {
      const e = new KeyboardEvent("keydown", { key: "Tab", shiftKey, bubbles: true, cancelable: true });
      document.activeElement!.dispatchEvent(e);
      return e.defaultPrevented;
    };
    expect(tab(), "wrapped, not left to the browser").toBe(true);
    expect(lockScreen.contains(document.activeElement)).toBe(true);
    expect(document.activeElement?.id).toBe("unlock-password");
    expect(tab(true)).toBe(true);
    expect(document.activeElement).toBe(unlockButton);
    (document.querySelector("#unlock-password") as HTMLElement).focus();

    await typeInto(w, "#unlock-password", "wrong-password");
    await w.find("#unlock-password").trigger("keydown", { key: "Enter" });
    await flushPromises();
    expect(w.find("[data-testid=unlock-error]").text()).toBe("用户名或密码错误");
    expect(w.find("[data-testid=lock-screen]").exists()).toBe(true);

    await typeInto(w, "#unlock-password", TEST_PASSWORD);
    await w.find("#unlock-password").trigger("keydown", { key: "Enter" });
    await flushPromises();
    await new Promise((r) => setTimeout(r, 5));
    expect(w.find("[data-testid=lock-screen]").exists()).toBe(false);
    expect(queueShown(w)).toBe(true);
    expect(document.activeElement?.id, "the focus goes back where it was").toBe("queue-search");
  });

  it("切换用户 on the lock screen logs out and shows the login screen", async () => {
    const session = fakeSession(sessionOf("zhangmin"));
    const w = await mountWith(App, deskBackend(session));
    await w.find("[data-testid=lock]").trigger("click");
    await flushPromises();
    await w.find("[data-testid=switch-user]").trigger("click");
    await flushPromises();
    expect(session.current()).toBeNull();
    expect(session.calls).toContain("logOut");
    expect(w.find("[data-testid=login-screen]").exists()).toBe(true);
    expect(w.find("[data-testid=lock-screen]").exists()).toBe(false);
  });
});

describe("the first-run setup", () => {
  async function fill(w: VueWrapper, form: Partial<DeskSetupForm>) {
    for (const [k, v] of Object.entries(form)) await typeInto(w, `#setup-${k.replaceAll("_", "-")}`, v as string);
  }

  it("checks the passwords next to their fields before asking the backend", async () => {
    const session = fakeSession(null);
    const sent: DeskSetupForm[] = [];
    const backend = deskBackend(session, {
      setUpDesk: async (f) => {
        sent.push(f);
        return INFO;
      },
    });
    const w = await mountWith(SetupScreen, backend);
    await fill(w, { hall: "新野县政务服务中心", admin_name: "王芳", password: "12345678", password_again: "12345679" });
    await w.find("[data-testid=setup-submit]").trigger("click");
    await flushPromises();
    await errorsShown();
    expect(w.text()).toContain("请选择受理地区划");
    expect(w.text()).toContain("两次输入的密码不一致");
    expect(sent).toHaveLength(0);
  });

  it("picks the region by type-ahead, suggests the hall, and shows a backend error next to its field", async () => {
    const session = fakeSession(null);
    const sent: DeskSetupForm[] = [];
    let refuse = true;
    const backend = deskBackend(session, {
      setUpDesk: async (f) => {
        sent.push(f);
        if (refuse) throw new BackendError("invalid_input", "窗口代码：「AB-1」无效，应为1至4位字母或数字", "desk_code");
        return INFO;
      },
    });
    const w = await mountWith(SetupScreen, backend);
    await typeInto(w, "#setup-region", "新野");
    await new Promise((r) => setTimeout(r, 400));
    await flushPromises();
    const option = Array.from(document.querySelectorAll(".el-select-dropdown__item")).find((o) =>
      o.textContent?.includes("河南省南阳市新野县"),
    ) as HTMLElement | undefined;
    expect(option, "the full name is offered").toBeDefined();
    option!.click();
    await flushPromises();
    expect((w.find("#setup-hall").element as HTMLInputElement).value).toBe("新野县政务服务中心");
    expect(document.activeElement?.id, "the pick moves on to the hall").toBe("setup-hall");

    await fill(w, { desk_code: "AB-1", admin_name: "王芳", password: "管理员密码2026", password_again: "管理员密码2026" });
    await w.find("[data-testid=setup-submit]").trigger("click");
    await flushPromises();
    await errorsShown();
    expect(sent[0]).toMatchObject({ region: "411329", hall: "新野县政务服务中心", desk_code: "AB-1", admin_login: "admin" });
    expect(w.text()).toContain("「AB-1」无效，应为1至4位字母或数字");
    expect(document.activeElement?.id).toBe("setup-desk-code");

    refuse = false;
    await fill(w, { desk_code: "A1" });
    await w.find("[data-testid=setup-submit]").trigger("click");
    await flushPromises();
    expect(w.emitted("done")).toHaveLength(1);
  });
});

describe("用户管理", () => {
  it("lists users and adds one; a mismatched password is shown beside its field", async () => {
    const users = [{ login: "admin", display_name: "王芳", role: "admin", role_label: "管理员", disabled: false, has_password: true }];
    const session = fakeSession(sessionOf("admin", "admin"), users);
    const w = await mountWith(UsersDialog, deskBackend(session), { modelValue: false });
    await w.setProps({ modelValue: true });
    await flushPromises();
    expect(document.body.textContent).toContain("王芳");
    const input = (id: string) => document.querySelector<HTMLInputElement>(`#${id}`)!;
    const set = async (id: string, v: string) => {
      input(id).value = v;
      input(id).dispatchEvent(new Event("input"));
      await flushPromises();
    };
    await set("user-login", "zhangmin");
    await set("user-name", "张敏");
    await set("user-password", "password-1234");
    await set("user-password-again", "password-9999");
    document.querySelector<HTMLElement>("[data-testid=user-add]")!.click();
    await flushPromises();
    expect(document.body.textContent).toContain("两次输入的密码不一致");
    expect(users).toHaveLength(1);
    await set("user-password-again", "password-1234");
    document.querySelector<HTMLElement>("[data-testid=user-add]")!.click();
    await flushPromises();
    expect(users.map((u) => u.login)).toEqual(["admin", "zhangmin"]);
    expect(document.body.textContent).toContain("已添加用户 zhangmin（张敏）");
  });
});

describe("修改密码", () => {
  it("from the header: a wrong current password is told beside it, then the new one is set", async () => {
    const session = fakeSession(sessionOf("zhangmin"));
    const w = await mountWith(App, deskBackend(session));
    await w.find("[data-testid=open-password]").trigger("click");
    await flushPromises();
    expect(document.querySelector("[data-testid=password-dialog]")!.textContent).toContain("修改密码 — 张敏");
    await new Promise((r) => setTimeout(r, 5));
    expect(document.activeElement?.id).toBe("password-current");
    const set = async (id: string, v: string) => {
      const input = document.querySelector<HTMLInputElement>(`#${id}`)!;
      input.value = v;
      input.dispatchEvent(new Event("input"));
      await flushPromises();
    };
    await set("password-current", "wrong-password");
    await set("password-new", "new-password-2026");
    await set("password-again", "new-password-2026");
    // Enter in the last field submits.
    document.querySelector("#password-again")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await flushPromises();
    await errorsShown();
    expect(document.querySelector("[data-testid=password-dialog]")!.textContent).toContain("密码不正确");
    expect(document.activeElement?.id).toBe("password-current");
    expect(session.calls.filter((c) => c.startsWith("changePassword"))).toEqual([]);

    await set("password-current", TEST_PASSWORD);
    document.querySelector<HTMLElement>("[data-testid=password-save]")!.click();
    await flushPromises();
    expect(session.calls).toContain("changePassword new-password-2026");
    expect(document.body.textContent).toContain("密码已修改");
  });
});

describe("a partner's decision in the status bar", () => {
  it("opens its case in the detail view, from another view too", async () => {
    const number = "411329-20261124-A1-0007";
    const session = fakeSession(sessionOf("admin", "admin"));
    let looks = 0;
    const w = await mountWith(
      App,
      deskBackend(session, {
        ...fakeDetailCalls(waitingCase(number)).calls,
        partners: async () => [],
        decisionsSince: async () => {
          looks += 1;
          const decisions =
            looks === 1
              ? [
                  {
                    number,
                    applicant_name: "周桂兰",
                    region_name: "北京市丰台区",
                    kind: "supplement_requested" as const,
                    label: "需补正",
                    detail: "需补正：户籍证明",
                    at: "2026-11-24T04:00:00Z",
                    by: "赵敏",
                  },
                ]
              : [];
          return { cursor: looks, decisions, title: "", body: "" };
        },
      }),
    );
    await w.find("[data-testid=nav-partners]").trigger("click");
    await flushPromises();
    await w.find("[data-testid=decision-news]").trigger("click");
    await flushPromises();
    document.querySelector<HTMLElement>(`[data-testid=decision-news-open-${number}]`)!.click();
    await flushPromises();
    expect(w.find("[data-testid=nav-queue]").classes()).toContain("active");
    const detail = document.querySelector("[data-testid=detail-status]");
    expect(detail?.textContent).toBe("待补正");
    expect(document.body.textContent).toContain(`办件详情　${number}`);
  });
});
