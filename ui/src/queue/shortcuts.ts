import type { KeyLike } from "../keys";

export type QueueShortcut = "focus-search" | "print-receipt" | "print-notice" | "print-ledger" | "new-intake" | null;

/**
 * Window-wide shortcuts: Ctrl+F (⌘F) anywhere, and "/" when the clerk is not typing in a field,
 * move the focus to the search box. (Esc in the search box is handled by the box itself.)
 * Ctrl+P prints the selected case's 收件登记表, Ctrl+Shift+P its 一次性告知书, Ctrl+Shift+L the 台账
 * (Ctrl+L locks the window, see session/shortcuts.ts).
 * F2 opens 新收件.
 */
export function queueShortcut(e: KeyLike): QueueShortcut {
  if (e.key === "F2" && !e.ctrlKey && !e.metaKey && !e.altKey) return "new-intake";
  const ctrl = (e.ctrlKey || e.metaKey) && !e.altKey;
  if (ctrl && (e.key === "f" || e.key === "F")) return "focus-search";
  if (ctrl && e.key === "P") return "print-notice";
  if (ctrl && e.key === "p") return e.shiftKey ? "print-notice" : "print-receipt";
  if (ctrl && e.shiftKey && (e.key === "l" || e.key === "L")) return "print-ledger";
  if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey) {
    const typing = e.targetEditable === true || ["INPUT", "TEXTAREA", "SELECT"].includes(e.targetTag ?? "");
    return typing ? null : "focus-search";
  }
  return null;
}
