import { describe, expect, it } from "vitest";
import { VIEWS, viewForKey, viewsFor } from "./nav";

const key = (k: string, mods: { alt?: boolean; ctrl?: boolean } = {}) => ({
  key: k,
  altKey: mods.alt ?? false,
  ctrlKey: mods.ctrl ?? false,
  metaKey: false,
});

describe("viewForKey", () => {
  it("opens a shown view with Alt+its digit", () => {
    expect(viewForKey(key("1", { alt: true }), VIEWS)).toBe("queue");
    expect(viewForKey(key("2", { alt: true }), VIEWS)).toBe("inbox");
    expect(viewForKey(key("3", { alt: true }), VIEWS)).toBe("supervision");
    expect(viewForKey(key("4", { alt: true }), VIEWS)).toBe("partners");
    expect(viewForKey(key("5", { alt: true }), VIEWS)).toBe("audit");
  });

  it("ignores digits without Alt, with Ctrl, and views not shown", () => {
    expect(viewForKey(key("1"), VIEWS)).toBeNull();
    expect(viewForKey(key("1", { alt: true, ctrl: true }), VIEWS)).toBeNull();
    expect(viewForKey(key("4", { alt: true }), VIEWS.filter((v) => v.key !== "partners"))).toBeNull();
    expect(viewForKey(key("9", { alt: true }), VIEWS)).toBeNull();
  });

  it("gives every view its own digit", () => {
    expect(new Set(VIEWS.map((v) => v.digit)).size).toBe(VIEWS.length);
  });
});

describe("viewsFor", () => {
  it("shows 督查台账 and 审计日志 to supervisors and 后台收件箱 to the back office", () => {
    const keys = (can_supervise: boolean, can_decide: boolean) =>
      viewsFor({ can_supervise, can_decide }).map((v) => v.key);
    expect(keys(true, true)).toEqual(["queue", "inbox", "supervision", "partners", "audit"]);
    expect(keys(true, false)).toEqual(["queue", "supervision", "partners", "audit"]);
    expect(keys(false, true)).toEqual(["queue", "inbox", "partners"]);
    expect(keys(false, false)).toEqual(["queue", "partners"]);
  });
});
