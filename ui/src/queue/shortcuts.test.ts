import { describe, expect, it } from "vitest";
import type { KeyLike } from "../keys";
import { queueShortcut } from "./shortcuts";

const key = (k: Partial<KeyLike> & { key: string }): KeyLike => ({ ctrlKey: false, metaKey: false, altKey: false, ...k });

describe("queueShortcut", () => {
  it("Ctrl+F and ⌘F focus the search box, even from a field", () => {
    expect(queueShortcut(key({ key: "f", ctrlKey: true }))).toBe("focus-search");
    expect(queueShortcut(key({ key: "F", ctrlKey: true, targetTag: "INPUT" }))).toBe("focus-search");
    expect(queueShortcut(key({ key: "f", metaKey: true }))).toBe("focus-search");
  });
  it("/ focuses the search box only when the clerk is not typing", () => {
    expect(queueShortcut(key({ key: "/", targetTag: "BODY" }))).toBe("focus-search");
    expect(queueShortcut(key({ key: "/", targetTag: "INPUT" }))).toBeNull();
    expect(queueShortcut(key({ key: "/", targetTag: "TEXTAREA" }))).toBeNull();
    expect(queueShortcut(key({ key: "/", targetTag: "DIV", targetEditable: true }))).toBeNull();
  });
  it("Ctrl+P prints the receipt, Ctrl+Shift+P the notice, Ctrl+Shift+L the ledger, also from a field", () => {
    expect(queueShortcut(key({ key: "p", ctrlKey: true }))).toBe("print-receipt");
    expect(queueShortcut(key({ key: "p", ctrlKey: true, targetTag: "INPUT" }))).toBe("print-receipt");
    expect(queueShortcut(key({ key: "P", ctrlKey: true, shiftKey: true }))).toBe("print-notice");
    expect(queueShortcut(key({ key: "p", metaKey: true, shiftKey: true }))).toBe("print-notice");
    expect(queueShortcut(key({ key: "L", ctrlKey: true, shiftKey: true }))).toBe("print-ledger");
    expect(queueShortcut(key({ key: "l", ctrlKey: true })), "Ctrl+L locks the window").toBeNull();
    expect(queueShortcut(key({ key: "p" }))).toBeNull();
    expect(queueShortcut(key({ key: "p", ctrlKey: true, altKey: true }))).toBeNull();
  });
  it("F2 opens a new intake, even while typing", () => {
    expect(queueShortcut(key({ key: "F2" }))).toBe("new-intake");
    expect(queueShortcut(key({ key: "F2", targetTag: "INPUT" }))).toBe("new-intake");
    expect(queueShortcut(key({ key: "F2", ctrlKey: true }))).toBeNull();
  });
  it("ignores other keys and chords", () => {
    expect(queueShortcut(key({ key: "f" }))).toBeNull();
    expect(queueShortcut(key({ key: "f", ctrlKey: true, altKey: true }))).toBeNull();
    expect(queueShortcut(key({ key: "/", ctrlKey: true }))).toBeNull();
    expect(queueShortcut(key({ key: "Escape" }))).toBeNull();
  });
});
