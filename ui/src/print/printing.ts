// What the window needs to know about printing, apart from the components: which cases have a
// 一次性告知书 to give, and how a print's outcome is told to the clerk.
import type { CaseStatus } from "../bindings/CaseStatus";
import type { PrintOutcome } from "../bindings/PrintOutcome";

/** Statuses in which something is to be supplemented, so a 一次性告知书 can be printed. */
export const NOTICE_STATUSES: readonly CaseStatus[] = ["awaiting_materials", "supplement_requested", "supplementing"];

export function canPrintNotice(status: CaseStatus): boolean {
  return NOTICE_STATUSES.includes(status);
}

/** How to tell the clerk: success, or a warning when the PDF was kept but the viewer or printer failed. */
export function outcomeMessage(outcome: PrintOutcome): { type: "success" | "warning"; message: string } {
  if (outcome.warning) return { type: "warning", message: outcome.warning };
  return { type: "success", message: outcome.message };
}
