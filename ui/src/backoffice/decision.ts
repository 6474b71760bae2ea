// The decision form's rules that need no component: which fields a decision shows, and which key
// picks which decision. What a status allows comes from the desk (core's state machine).
import type { DecisionDraft } from "../bindings/DecisionDraft";
import type { DecisionOption } from "../bindings/DecisionOption";
import type { EventKind } from "../bindings/EventKind";

export function emptyDraft(): DecisionDraft {
  return { kind: null, reason: "", materials: [], other: "", approved: null, note: "", waybill: "" };
}

export interface DecisionFields {
  reason: boolean;
  materials: boolean;
  approved: boolean;
  note: boolean;
  noteLabel: string;
  waybill: boolean;
}

/** The fields a decision asks for (the desk reads only these). */
export function fieldsOf(kind: EventKind | null): DecisionFields {
  return {
    reason: kind === "refused",
    materials: kind === "supplement_requested",
    approved: kind === "concluded",
    note: kind === "concluded" || kind === "supplement_requested",
    noteLabel: kind === "concluded" ? "办理结果说明" : "给受理窗口的说明（可不填）",
    waybill: kind === "result_mailed",
  };
}

/** The decision the digit key `key` picks (1 for the first offered), if any. */
export function optionForKey(options: readonly DecisionOption[], key: string): EventKind | null {
  if (!/^[1-9]$/.test(key)) return null;
  return options[Number(key) - 1]?.kind ?? null;
}

/** The focus is in a field that takes typed text (digits there are text, not shortcuts). */
export function isTyping(tag: string | undefined, type: string | null | undefined): boolean {
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  return tag === "INPUT" && !["checkbox", "radio", "button"].includes(type ?? "text");
}
