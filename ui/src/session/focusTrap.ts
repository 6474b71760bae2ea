/** What Tab can reach inside `root`, in document order. */
function tabbable(root: HTMLElement): HTMLElement[] {
  return Array.from(
    root.querySelectorAll<HTMLElement>("input:not([disabled]):not([type=hidden]), button:not([disabled]), [tabindex]"),
  ).filter((el) => el.tabIndex >= 0);
}

/**
 * Keeps Tab and Shift+Tab inside `root`, wrapping at either end: what lies underneath (a
 * half-filled intake under the lock screen) must not be reached by keyboard.
 */
export function keepTabInside(e: KeyboardEvent, root: HTMLElement | null): void {
  if (e.key !== "Tab" || !root) return;
  const all = tabbable(root);
  const first = all[0];
  const last = all[all.length - 1];
  if (!first || !last) return;
  const at = document.activeElement;
  const leaving = e.shiftKey ? at === first || !root.contains(at) : at === last || !root.contains(at);
  if (leaving) {
    e.preventDefault();
    (e.shiftKey ? last : first).focus();
  }
}
