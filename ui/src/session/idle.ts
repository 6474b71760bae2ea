/** What counts as the clerk being at the desk: any key, click, move, wheel or touch. */
export const ACTIVITY_EVENTS = ["keydown", "mousedown", "mousemove", "wheel", "touchstart"] as const;

/**
 * Calls `onIdle` once after `minutes` without activity on `target`; any activity starts the wait
 * again. `stop()` removes the listeners and the timer.
 */
export function watchIdle(target: EventTarget, minutes: number, onIdle: () => void): { stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const restart = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(onIdle, minutes * 60_000);
  };
  for (const name of ACTIVITY_EVENTS) target.addEventListener(name, restart, { passive: true, capture: true });
  restart();
  return {
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      for (const name of ACTIVITY_EVENTS) target.removeEventListener(name, restart, { capture: true });
    },
  };
}

/** Ctrl+L (⌘L) locks the window, wherever the focus is. */
export function isLockShortcut(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey?: boolean }) {
  return (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (e.key === "l" || e.key === "L");
}

/**
 * Moves the focus to the next field of `form` when Enter is pressed in one, or calls `submit`
 * in the last. Selects and text areas keep their own Enter. A rarely used field after the
 * keyboard path is marked `data-enter-submits`: Enter there submits, and the path's last field
 * submits without visiting it.
 */
export function enterAdvances(e: KeyboardEvent, form: HTMLElement | null, submit: () => void) {
  const t = e.target;
  if (!form || !(t instanceof HTMLInputElement) || t.closest(".el-select") || e.isComposing) return;
  if (t.dataset.enterSubmits !== undefined) {
    e.preventDefault();
    submit();
    return;
  }
  const fields = Array.from(
    form.querySelectorAll<HTMLInputElement>("input:not([disabled]):not([type=hidden]):not([data-enter-submits])"),
  );
  const i = fields.indexOf(t);
  if (i < 0) return;
  e.preventDefault();
  const next = fields[i + 1];
  if (next) next.focus();
  else submit();
}
