// The intake's keyboard rule for Enter, over the dialog's body (whichever section component a
// field is in): the fields are found in the DOM, in the order the clerk sees them.

const ENTER_STOPS = "input:not([disabled]):not([type=hidden]), textarea:not([disabled])";

/**
 * Where Enter may land: the fields (never a button, which Enter would press; Tab reaches those),
 * a radio group once, at its chosen radio.
 */
function enterStops(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(ENTER_STOPS)).filter(
    (el) =>
      el.tabIndex >= 0 &&
      !el.closest("[aria-hidden=true], [data-enter-skip]") &&
      !(el instanceof HTMLInputElement && el.type === "radio" && !el.checked && radioGroupHasChoice(el)),
  );
}
function radioGroupHasChoice(radio: HTMLInputElement): boolean {
  const group = radio.closest("[role=radiogroup]");
  return !!group && group.querySelector("input[type=radio]:checked") !== null;
}

function focusNext(root: HTMLElement, from: HTMLElement) {
  // Enter walks the fields; buttons (the scan buttons open a file dialog) are reached by Tab.
  const all = enterStops(root);
  const at = all.indexOf(from);
  const next = all[at + 1];
  if (at >= 0 && next) {
    next.focus();
    if (next instanceof HTMLInputElement && (next.type === "text" || next.type === "tel")) next.select();
  }
}

/**
 * The intake's one rule for Enter (README, 「键盘」): it advances from a text field, a radio,
 * a checkbox or the switch to the next field, and never changes a choice by itself; in a picker
 * (事项, 证件类型, …) whose list is open, it confirms the highlighted choice, then advances. A
 * picker whose list is closed and holds a choice is left as it is. Runs in the capture phase,
 * before Element Plus's own handlers (the switch toggles on Enter, a closed select reopens).
 * Buttons keep Enter (it presses them), so do fields off Enter's path (`data-enter-skip`: the
 * scanner folder, where Enter sets it); the 备注 box keeps it for a new line.
 */
export function enterAdvances(e: KeyboardEvent, root: HTMLElement): void {
  if (e.key !== "Enter" || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || e.isComposing) return;
  const t = e.target as HTMLElement | null;
  // A control off Enter's path keeps Enter for itself (the scanner folder: Enter sets it).
  if (!(t instanceof HTMLInputElement) || t.closest("[data-enter-skip]")) return;
  const select = t.closest<HTMLElement>(".el-select");
  if (select) {
    if (t.getAttribute("aria-expanded") === "true") {
      // The select confirms its highlighted option; the next field follows once it has closed.
      setTimeout(() => {
        if (t.getAttribute("aria-expanded") !== "true" && pickerHolds(select)) focusNext(root, t);
      }, 0);
      return;
    }
    if (!pickerHolds(select)) return; // an empty picker: Enter opens its list
  }
  e.preventDefault();
  e.stopPropagation();
  focusNext(root, t);
}

/** Whether a picker shows a chosen value (Element Plus hides its placeholder then). */
function pickerHolds(select: HTMLElement): boolean {
  const placeholder = select.querySelector(".el-select__placeholder");
  return !!placeholder && !placeholder.classList.contains("is-transparent") && (placeholder.textContent ?? "").trim() !== "";
}
