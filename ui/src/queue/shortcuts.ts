/** The parts of a KeyboardEvent the queue's shortcuts look at. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The focused element's tag, e.g. "INPUT"; and whether it is contenteditable. */
  targetTag?: string;
  targetEditable?: boolean;
}

export type QueueShortcut = "focus-search" | null;

/**
 * Window-wide shortcuts: Ctrl+F (⌘F) anywhere, and "/" when the clerk is not typing in a field,
 * move the focus to the search box. (Esc in the search box is handled by the box itself.)
 */
export function queueShortcut(e: KeyLike): QueueShortcut {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "f" || e.key === "F")) return "focus-search";
  if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey) {
    const typing = e.targetEditable === true || ["INPUT", "TEXTAREA", "SELECT"].includes(e.targetTag ?? "");
    return typing ? null : "focus-search";
  }
  return null;
}

export function keyLike(e: KeyboardEvent): KeyLike {
  const t = e.target as HTMLElement | null;
  return {
    key: e.key,
    ctrlKey: e.ctrlKey,
    metaKey: e.metaKey,
    altKey: e.altKey,
    targetTag: t?.tagName,
    targetEditable: t?.isContentEditable === true,
  };
}
