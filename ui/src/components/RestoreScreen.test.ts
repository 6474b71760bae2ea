import { afterEach, describe, expect, it } from "vitest";
import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import RestoreScreen from "./RestoreScreen.vue";
import { BACKEND, BackendError } from "../backend";
import type { RestoreForm } from "../bindings/RestoreForm";
import { stubBackend } from "../testing/stub-backend";

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  document.body.innerHTML = "";
});

function mountScreen(restoreDesk: (form: RestoreForm) => Promise<{ message: string }>) {
  wrapper = mount(RestoreScreen, {
    global: { provide: { [BACKEND as symbol]: stubBackend({ restoreDesk }) } },
    attachTo: document.body,
  });
  return wrapper;
}

async function type(w: VueWrapper, testid: string, value: string) {
  // Element Plus puts the attributes on the <input> itself.
  await w.get(`[data-testid=${testid}]`).setValue(value);
}

describe("从备份恢复 on a new PC", () => {
  it("says what is missing before asking the backend, then restores with the admin's password", async () => {
    const asked: RestoreForm[] = [];
    const w = mountScreen(async (form) => {
      asked.push(form);
      return { message: "已恢复受理台到「desk.db」：…" };
    });
    await w.get("[data-testid=restore-submit]").trigger("click");
    await flushPromises();
    expect(asked).toEqual([]);
    // The folder, the login and the password are marked (their messages fade in).
    expect(w.findAll(".el-form-item.is-error").map((f) => f.get("label").text())).toEqual([
      "备份文件夹",
      "管理员登录名（备份时的）",
      "密码（备份时的）",
    ]);

    await type(w, "restore-from", "E:\\通办备份\\tongban-backup-411329-A1-20261123-180000");
    await type(w, "restore-login", "wangfang");
    await type(w, "restore-password", "管理员密码2026");
    await w.get("[data-testid=restore-submit]").trigger("click");
    await flushPromises();
    expect(asked).toEqual([
      { from: "E:\\通办备份\\tongban-backup-411329-A1-20261123-180000", login: "wangfang", password: "管理员密码2026", recovery_key: "" },
    ]);
    expect(w.emitted("done")).toEqual([["已恢复受理台到「desk.db」：…"]]);
  });

  it("restores with the recovery key instead, and shows the backend's refusal", async () => {
    const asked: RestoreForm[] = [];
    const w = mountScreen(async (form) => {
      asked.push(form);
      throw new BackendError("backup_invalid", "恢复密钥不对：无法打开此备份");
    });
    await type(w, "restore-from", "F:\\备份");
    (w.get("[data-testid=restore-by-key]").element.querySelector("input") as HTMLInputElement).click();
    await flushPromises();
    await type(w, "restore-recovery-key", "ABCD-EFGH-IJKL");
    await w.get("[data-testid=restore-submit]").trigger("click");
    await flushPromises();
    expect(asked).toEqual([{ from: "F:\\备份", login: "", password: "", recovery_key: "ABCD-EFGH-IJKL" }]);
    expect(w.get("[data-testid=restore-error]").text()).toBe("恢复密钥不对：无法打开此备份");
    expect(w.emitted("done")).toBeUndefined();
  });
});
