import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { debounce, latestOnly } from "./debounce";

describe("debounce", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("calls once, wait ms after the last call, with the last arguments", () => {
    const fn = vi.fn();
    const d = debounce(fn, 150);
    d("张");
    vi.advanceTimersByTime(100);
    d("张三");
    vi.advanceTimersByTime(149);
    expect(fn).not.toHaveBeenCalled();
    expect(d.pending).toBe(true);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith("张三");
    expect(d.pending).toBe(false);
  });

  it("fires again for a later burst", () => {
    const fn = vi.fn();
    const d = debounce(fn, 150);
    d(1);
    vi.advanceTimersByTime(150);
    d(2);
    vi.advanceTimersByTime(150);
    expect(fn.mock.calls).toEqual([[1], [2]]);
  });

  it("cancel drops the pending call", () => {
    const fn = vi.fn();
    const d = debounce(fn, 150);
    d("x");
    d.cancel();
    vi.advanceTimersByTime(1000);
    expect(fn).not.toHaveBeenCalled();
    expect(d.pending).toBe(false);
  });

  it("flush runs the pending call now, once, and is a no-op otherwise", () => {
    const fn = vi.fn();
    const d = debounce(fn, 150);
    d.flush();
    expect(fn).not.toHaveBeenCalled();
    d("a");
    d("b");
    d.flush();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith("b");
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe("latestOnly", () => {
  it("only the most recent request is the latest", () => {
    const l = latestOnly();
    const first = l.begin();
    expect(first.isLatest()).toBe(true);
    const second = l.begin();
    expect(first.isLatest()).toBe(false);
    expect(second.isLatest()).toBe(true);
  });

  it("drops a slow earlier answer that arrives after a later one", async () => {
    const l = latestOnly();
    const shown: string[] = [];
    const request = async (text: string, ms: number) => {
      const t = l.begin();
      await new Promise((r) => setTimeout(r, ms));
      if (t.isLatest()) shown.push(text);
    };
    await Promise.all([request("张", 30), request("张三", 5)]);
    expect(shown).toEqual(["张三"]);
  });
});
