// For unit tests: the session part of a fake `Backend`, keeping who is logged in and whether
// the window is locked as the Rust side does, with one password for every user.
import { BackendError, type Backend } from "../backend";
import type { AccountView } from "../bindings/AccountView";
import type { SessionView } from "../bindings/SessionView";

export const TEST_PASSWORD = "password-1234";

export function sessionOf(login: string, role: "clerk" | "supervisor" | "admin" = "clerk"): SessionView {
  const labels = { clerk: "窗口受理", supervisor: "督查", admin: "管理员" };
  return {
    login,
    display_name: login === "zhangmin" ? "张敏" : login,
    role,
    role_label: labels[role],
    locked: false,
    can_take_in: role !== "supervisor",
    can_decide: role === "admin",
    can_supervise: role !== "clerk",
    can_administer: role === "admin",
  };
}

type SessionPart = Pick<
  Backend,
  | "loginInfo"
  | "logIn"
  | "logOut"
  | "lock"
  | "unlock"
  | "session"
  | "changePassword"
  | "roles"
  | "accounts"
  | "addAccount"
  | "resetPassword"
  | "disableAccount"
  | "regions"
  | "setupDefaults"
  | "setUpDesk"
>;

/** A session backend; `start` is who is logged in when the window opens (null: nobody). */
export function fakeSession(start: SessionView | null, users: AccountView[] = []) {
  let current: SessionView | null = start;
  const calls: string[] = [];
  const part: SessionPart = {
    loginInfo: async () => ({ idle_lock_minutes: 10, demo: null }),
    logIn: async (login, password) => {
      calls.push(`logIn ${login}`);
      if (password !== TEST_PASSWORD) throw new BackendError("bad_login", "用户名或密码错误");
      current = sessionOf(login, login === "admin" ? "admin" : "clerk");
      return current;
    },
    logOut: async () => {
      calls.push("logOut");
      current = null;
    },
    lock: async () => {
      calls.push("lock");
      if (!current) throw new BackendError("not_logged_in", "请先登录");
      current = { ...current, locked: true };
      return current;
    },
    unlock: async (password) => {
      calls.push("unlock");
      if (!current) throw new BackendError("not_logged_in", "请先登录");
      if (password !== TEST_PASSWORD) throw new BackendError("bad_login", "用户名或密码错误");
      current = { ...current, locked: false };
      return current;
    },
    session: async () => current,
    changePassword: async (currentPassword, password, again) => {
      if (currentPassword !== TEST_PASSWORD) throw new BackendError("bad_login", "当前密码：密码不正确", "current");
      if (password !== again) throw new BackendError("invalid_input", "确认密码：两次输入的密码不一致", "password_again");
      calls.push(`changePassword ${password}`);
    },
    roles: async () => [
      { value: "clerk", label: "窗口受理" },
      { value: "admin", label: "管理员" },
    ],
    accounts: async () => users,
    addAccount: async (a) => {
      calls.push(`addAccount ${a.login}`);
      if (a.password !== a.password_again)
        throw new BackendError("invalid_input", "确认密码：两次输入的密码不一致", "password_again");
      users.push({ login: a.login, display_name: a.display_name, role: a.role, role_label: a.role, disabled: false, has_password: true });
      return users;
    },
    resetPassword: async () => {},
    disableAccount: async (login) => users.map((u) => (u.login === login ? { ...u, disabled: true } : u)),
    regions: async (q) => (q.startsWith("新野") || q === "411329" ? [{ code: "411329", name: "河南省南阳市新野县" }] : []),
    setupDefaults: async () => ({ office_hours: "周一至周五", min_password_chars: 8 }),
    setUpDesk: async () => {
      throw new BackendError("internal", "not set up in this fake");
    },
  };
  return { part, calls, current: () => current };
}
