import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { enterAdvances, isLockShortcut, watchIdle } from "./idle";

describe("the idle lock", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("fires after the minutes without activity, and activity starts the wait again", () => {
    const target = new EventTarget();
    const onIdle = vi.fn();
    const w = watchIdle(target, 10, onIdle);
    vi.advanceTimersByTime(9 * 60_000);
    target.dispatchEvent(new Event("mousemove"));
    vi.advanceTimersByTime(9 * 60_000);
    expect(onIdle).not.toHaveBeenCalled();
    target.dispatchEvent(new Event("keydown"));
    vi.advanceTimersByTime(10 * 60_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    w.stop();
  });

  it("stops watching when stopped", () => {
    const target = new EventTarget();
    const onIdle = vi.fn();
    watchIdle(target, 1, onIdle).stop();
    vi.advanceTimersByTime(5 * 60_000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});

describe("keys", () => {
  it("Ctrl+L locks; Ctrl+Shift+L (the ledger) and plain L do not", () => {
    const k = { ctrlKey: false, metaKey: false, altKey: false };
    expect(isLockShortcut({ ...k, key: "l", ctrlKey: true })).toBe(true);
    expect(isLockShortcut({ ...k, key: "L", metaKey: true })).toBe(true);
    expect(isLockShortcut({ ...k, key: "L", ctrlKey: true, shiftKey: true })).toBe(false);
    expect(isLockShortcut({ ...k, key: "l" })).toBe(false);
  });

  it("Enter moves to the next field and submits from the last", () => {
    const form = document.createElement("form");
    form.innerHTML = '<input id="a"><input id="b">';
    document.body.append(form);
    const submit = vi.fn();
    const [a, b] = Array.from(form.querySelectorAll("input"));
    a!.dispatchEvent(new Event("focus"));
    const enterOn = (el: HTMLElement) => {
      const e = new KeyboardEvent("keydown", { key: "Enter", bubbles: true });
      Object.defineProperty(e, "target", { value: el });
      enterAdvances(e, form, submit);
    };
    enterOn(a!);
    expect(document.activeElement).toBe(b);
    expect(submit).not.toHaveBeenCalled();
    enterOn(b!);
    expect(submit).toHaveBeenCalledTimes(1);
    form.remove();
  });

  it("an optional field after the path is skipped by it, and Enter there submits too", () => {
    const form = document.createElement("form");
    form.innerHTML = '<input id="a"><input id="b"><input id="key" data-enter-submits>';
    document.body.append(form);
    const submit = vi.fn();
    const enterOn = (el: HTMLElement) => {
      const e = new KeyboardEvent("keydown", { key: "Enter", bubbles: true });
      Object.defineProperty(e, "target", { value: el });
      enterAdvances(e, form, submit);
    };
    enterOn(form.querySelector("#b")!);
    expect(submit, "the path's last field submits").toHaveBeenCalledTimes(1);
    enterOn(form.querySelector("#key")!);
    expect(submit).toHaveBeenCalledTimes(2);
    form.remove();
  });
});
