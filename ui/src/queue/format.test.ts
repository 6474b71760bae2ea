import { describe, expect, it } from "vitest";
import { syncLabel } from "./format";

describe("syncLabel", () => {
  it("labels both states in Chinese", () => {
    expect(syncLabel(true)).toBe("待同步");
    expect(syncLabel(false)).toBe("已同步");
  });
});
