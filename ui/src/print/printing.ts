// How a print's outcome is told to the clerk (which cases have a 一次性告知书 to give is the
// desk's to say: `CaseRow.awaits_applicant`).
import type { PrintOutcome } from "../bindings/PrintOutcome";

/** How to tell the clerk: success, or a warning when the PDF was kept but the viewer or printer failed. */
export function outcomeMessage(outcome: PrintOutcome): { type: "success" | "warning"; message: string } {
  if (outcome.warning) return { type: "warning", message: outcome.warning };
  return { type: "success", message: outcome.message };
}
