import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defineComponent, h, nextTick, ref } from "vue";
import { flushPromises, mount } from "@vue/test-utils";
import { BackendError } from "../backend";
import { stubBackend } from "../testing/stub-backend";
import { formatSize, useScannerFolder } from "./scanner";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("the scanner folder", () => {
  it("is listed while active, again every few seconds once set, and not at all when inactive", async () => {
    let listings = 0;
    let folder: string | null = null;
    const backend = stubBackend({
      scannerFolder: async () => {
        listings += 1;
        if (listings === 3) throw new BackendError("scanner_folder", "无法读取扫描仪文件夹「D:\\扫描」");
        return { folder, files: [] };
      },
    });
    const active = ref(false);
    let state: ReturnType<typeof useScannerFolder> | null = null;
    const wrapper = mount(
      defineComponent({
        setup() {
          state = useScannerFolder(backend, () => active.value, 1000);
          return () => h("div");
        },
      }),
    );
    await flushPromises();
    expect(listings, "nothing while inactive").toBe(0);
    active.value = true;
    await nextTick();
    await flushPromises();
    expect(listings, "listed at once when active").toBe(1);
    vi.advanceTimersByTime(3000);
    await flushPromises();
    expect(listings, "no folder set: not listed again").toBe(1);
    folder = "D:\\扫描";
    state!.scanner.value = { folder, files: [] };
    vi.advanceTimersByTime(1000);
    await flushPromises();
    expect(listings).toBe(2);
    vi.advanceTimersByTime(1000);
    await flushPromises();
    expect(state!.error.value).toContain("无法读取扫描仪文件夹");
    vi.advanceTimersByTime(1000);
    await flushPromises();
    expect(state!.error.value, "a listing that works again clears the error").toBe("");
    active.value = false;
    await nextTick();
    vi.advanceTimersByTime(5000);
    await flushPromises();
    expect(listings, "stopped when inactive").toBe(4);
    wrapper.unmount();
  });

  it("sizes read as the clerk says them", () => {
    expect([formatSize(900), formatSize(35 * 1024), formatSize(1.5 * 1024 * 1024)]).toEqual(["900 B", "35 KB", "1.5 MB"]);
  });
});
