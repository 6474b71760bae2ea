// How a print's outcome is told to the clerk (which cases have a 一次性告知书 to give is the
// desk's to say: `CaseRow.awaits_applicant`). A print that did not go out (no viewer, no
// printer) is never told as printed: the desk records it only once it went out.
import type { Backend } from "../backend";
import { toBackendError } from "../backend";
import type { AfterPrint } from "../bindings/AfterPrint";
import type { FormKind } from "../bindings/FormKind";
import { PRINTED_FORM_LABELS } from "../bindings/labels";
import type { PrintOutcome } from "../bindings/PrintOutcome";

/** How to tell the clerk: success, or a warning when the form did not go out (and why). */
export function outcomeMessage(outcome: PrintOutcome): { type: "success" | "warning"; message: string } {
  if (!outcome.delivered || outcome.warning) return { type: "warning", message: outcome.warning ?? outcome.message };
  return { type: "success", message: outcome.message };
}

/** One form of an intake's prints: what the desk answered, or why the call failed. */
export interface FormPrint {
  form: FormKind;
  outcome: PrintOutcome | null;
  error: string | null;
}

/** Prints each form in turn; a failure of one does not keep the next from being tried. */
export async function printForms(backend: Backend, number: string, forms: FormKind[], then: AfterPrint): Promise<FormPrint[]> {
  const out: FormPrint[] = [];
  for (const form of forms) {
    try {
      out.push({ form, outcome: await backend.printCaseForm(form, number, then), error: null });
    } catch (e) {
      out.push({ form, outcome: null, error: toBackendError(e).message });
    }
  }
  return out;
}

const DONE: Record<AfterPrint, string> = { open: "已在查看器中打开", printer: "已送打印机", save: "已保存" };

/**
 * One line per form, in the order printed: 「一次性告知书已在查看器中打开」 or why it did not go
 * out. `allOut` is false as soon as one form did not.
 */
export function formsSummary(prints: FormPrint[], then: AfterPrint): { allOut: boolean; lines: string[] } {
  const lines = prints.map((p) => {
    const name = PRINTED_FORM_LABELS[p.form];
    if (p.outcome?.delivered) return `${name}${p.outcome.reprint ? "（补打）" : ""}${DONE[then]}`;
    if (p.outcome) return p.outcome.warning ?? `${name}未打印`;
    return `${name}未打印：${p.error ?? "原因不明"}`;
  });
  return { allOut: prints.every((p) => p.outcome?.delivered === true), lines };
}
