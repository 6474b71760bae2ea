// The offline guardrail in the status bar: one short note per partner past its warning; the
// full message (since when, what to do) is the note's tooltip and the intake dialog's alert.
import type { OfflineNotice } from "../bindings/OfflineNotice";

/** A few words for the status bar. */
export function offlineShort(o: OfflineNotice): string {
  switch (o.level) {
    case "refuse":
      return `${o.name} ${o.days} 天未同步，已暂停收件`;
    case "lifted":
      return `${o.name} ${o.days} 天未同步（已临时解除限制）`;
    default:
      return `${o.name} ${o.days} 天未同步`;
  }
}

/** Whether the note is an error (red) rather than a warning. */
export function offlineIsError(o: OfflineNotice): boolean {
  return o.level === "refuse";
}
