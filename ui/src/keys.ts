// What the window's shortcuts look at of a key press (the queue's, the views' Alt+digit, a case's
// actions): plain data, so the rules that read it are tested without a DOM event.

/** The parts of a KeyboardEvent the shortcuts look at. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
  /** The focused element's tag, e.g. "INPUT"; and whether it is contenteditable. */
  targetTag?: string;
  targetEditable?: boolean;
}

/** What a key press says to the shortcuts, with the focused element's tag. */
export function keyLike(e: KeyboardEvent): KeyLike {
  const t = e.target as HTMLElement | null;
  return {
    key: e.key,
    ctrlKey: e.ctrlKey,
    metaKey: e.metaKey,
    altKey: e.altKey,
    shiftKey: e.shiftKey,
    targetTag: t?.tagName,
    targetEditable: t?.isContentEditable === true,
  };
}
