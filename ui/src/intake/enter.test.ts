import { afterEach, describe, expect, it } from "vitest";
import { enterAdvances } from "./enter";

afterEach(() => {
  document.body.innerHTML = "";
});

/** A body like the intake's: fields in several sections, as the section components render them. */
function body(): HTMLElement {
  const root = document.createElement("div");
  root.innerHTML = `
    <section>
      <div class="el-select"><input id="picker" type="text" aria-expanded="false" />
        <div class="el-select__placeholder"><span>养老保险关系转移接续</span></div></div>
    </section>
    <section>
      <div role="radiogroup"><input id="person" type="radio" checked /><input id="enterprise" type="radio" /></div>
      <input id="name" type="text" />
      <button id="button">按钮</button>
      <span data-enter-skip><input id="folder" type="text" /></span>
      <input id="off" type="text" disabled />
    </section>
    <section>
      <input id="tick" type="checkbox" />
      <textarea id="note"></textarea>
      <div class="el-select"><input id="empty-picker" type="text" aria-expanded="false" />
        <div class="el-select__placeholder is-transparent"><span>请选择</span></div></div>
    </section>`;
  document.body.appendChild(root);
  return root;
}

function enter(root: HTMLElement, id: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const target = document.getElementById(id)!;
  target.focus();
  const e = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true, ...init });
  target.addEventListener("keydown", (ev) => enterAdvances(ev as KeyboardEvent, root), { once: true });
  target.dispatchEvent(e);
  return e;
}

describe("Enter's walk over the intake's fields", () => {
  it("moves from a field to the next across sections, past buttons, skipped and disabled fields", () => {
    const root = body();
    expect(enter(root, "name").defaultPrevented).toBe(true);
    expect(document.activeElement?.id).toBe("tick");
    enter(root, "tick");
    expect(document.activeElement?.id).toBe("note");
  });

  it("lands on a radio group once, at its chosen radio", () => {
    const root = body();
    enter(root, "picker");
    expect(document.activeElement?.id).toBe("person");
    enter(root, "person");
    expect(document.activeElement?.id).toBe("name");
  });

  it("leaves Enter to an empty picker (it opens its list), a skipped field and a modified Enter", () => {
    const root = body();
    expect(enter(root, "empty-picker").defaultPrevented).toBe(false);
    expect(document.activeElement?.id).toBe("empty-picker");
    expect(enter(root, "folder").defaultPrevented).toBe(false);
    expect(document.activeElement?.id).toBe("folder");
    expect(enter(root, "name", { shiftKey: true }).defaultPrevented).toBe(false);
    expect(document.activeElement?.id).toBe("name");
  });

  it("lets an open picker confirm its choice, then moves on once it has closed", async () => {
    const root = body();
    const picker = document.getElementById("picker")!;
    picker.setAttribute("aria-expanded", "true");
    expect(enter(root, "picker").defaultPrevented).toBe(false);
    picker.setAttribute("aria-expanded", "false");
    await new Promise((r) => setTimeout(r, 0));
    expect(document.activeElement?.id).toBe("person");
  });
});
