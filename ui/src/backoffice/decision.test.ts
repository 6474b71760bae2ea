import { describe, expect, it } from "vitest";
import { emptyDraft, fieldsOf, isTyping, optionForKey } from "./decision";
import type { DecisionOption } from "../bindings/DecisionOption";

const OFFERED: DecisionOption[] = [
  { kind: "accepted", label: "已受理" },
  { kind: "refused", label: "不予受理" },
  { kind: "supplement_requested", label: "需补正" },
];

describe("the decision form", () => {
  it("starts empty, with no decision chosen", () => {
    expect(emptyDraft()).toEqual({ kind: null, reason: "", materials: [], other: "", approved: null, note: "", waybill: "" });
  });

  it("shows the fields each decision needs and no others", () => {
    expect(fieldsOf("refused")).toMatchObject({ reason: true, materials: false, waybill: false, approved: false });
    expect(fieldsOf("supplement_requested")).toMatchObject({ materials: true, note: true, reason: false });
    expect(fieldsOf("concluded")).toMatchObject({ approved: true, note: true, noteLabel: "办理结果说明" });
    expect(fieldsOf("result_mailed")).toMatchObject({ waybill: true, note: false });
    expect(fieldsOf("accepted")).toMatchObject({ reason: false, materials: false, approved: false, note: false, waybill: false });
  });

  it("picks the offered decisions by digit, counting from 1", () => {
    expect(optionForKey(OFFERED, "1")).toBe("accepted");
    expect(optionForKey(OFFERED, "3")).toBe("supplement_requested");
    expect(optionForKey(OFFERED, "4")).toBeNull();
    expect(optionForKey(OFFERED, "0")).toBeNull();
    expect(optionForKey(OFFERED, "a")).toBeNull();
  });

  it("treats digits typed into a text field as text", () => {
    expect(isTyping("TEXTAREA", null)).toBe(true);
    expect(isTyping("INPUT", "text")).toBe(true);
    expect(isTyping("INPUT", null)).toBe(true);
    expect(isTyping("INPUT", "checkbox")).toBe(false);
    expect(isTyping("INPUT", "radio")).toBe(false);
    expect(isTyping("DIV", null)).toBe(false);
  });
});
