import { describe, expect, it } from "vitest";
import { AWAITING, inboxQuery, moveSelection } from "./inbox";
import { inboxRow } from "./fixture";

describe("the inbox query", () => {
  it("asks for 待受理, every status, or one status", () => {
    expect(inboxQuery("  李 ", AWAITING, 2, 50)).toEqual({ text: "李", awaiting: true, status: null, page: 2, page_size: 50 });
    expect(inboxQuery("", "", 1, 50)).toMatchObject({ text: null, awaiting: false, status: null });
    expect(inboxQuery("", "accepted", 1, 50)).toMatchObject({ awaiting: false, status: "accepted" });
  });
});

describe("moving through the inbox by keyboard", () => {
  const rows = [inboxRow(1, "李建国"), inboxRow(2, "王芳"), inboxRow(3, "张敏")];
  it("moves one row and stops at either end", () => {
    expect(moveSelection(rows, rows[0]!, 1)?.case.id).toBe("id-2");
    expect(moveSelection(rows, rows[2]!, 1)?.case.id).toBe("id-3");
    expect(moveSelection(rows, rows[0]!, -1)?.case.id).toBe("id-1");
  });
  it("starts at the first row, and has nothing to select in an empty list", () => {
    expect(moveSelection(rows, null, 1)?.case.id).toBe("id-1");
    expect(moveSelection([], null, 1)).toBeNull();
  });
});
