// The detail view's keys come from the desk with each action ("F4", "Ctrl+Shift+P"), so the
// window only matches them against what was pressed and never decides itself what a status allows.
import type { CaseAction } from "../bindings/CaseAction";
import type { KeyLike } from "../keys";

/** Whether `e` is the key combination written as `shortcut` (e.g. "Ctrl+Shift+P", "F4"). */
export function matchesShortcut(shortcut: string, e: KeyLike): boolean {
  const parts = shortcut.split("+").map((p) => p.trim());
  const key = parts.pop() ?? "";
  const wants = new Set(parts.map((p) => p.toLowerCase()));
  if ((e.ctrlKey || e.metaKey) !== wants.has("ctrl")) return false;
  if (e.altKey !== wants.has("alt")) return false;
  if ((e.shiftKey ?? false) !== wants.has("shift")) return false;
  return e.key.toLowerCase() === key.toLowerCase();
}

/** The action of `actions` whose shortcut `e` is, if any. */
export function actionFor(actions: readonly CaseAction[], e: KeyLike): CaseAction | null {
  return actions.find((a) => a.shortcut !== "" && matchesShortcut(a.shortcut, e)) ?? null;
}
