// The intake form's logic, apart from the component: its state, the draft sent to `take_in`,
// which materials are still missing, where a backend error belongs, and the kept draft.
import type { AgentRole } from "../bindings/AgentRole";
import type { Applicant } from "../bindings/Applicant";
import type { CatalogIntake } from "../bindings/CatalogIntake";
import type { DeliveryOption } from "../bindings/DeliveryOption";
import type { FieldCheck } from "../bindings/FieldCheck";
import type { IdKind } from "../bindings/IdKind";
import type { ItemChoice } from "../bindings/ItemChoice";
import type { ItemRef } from "../bindings/ItemRef";
import type { OfferedMaterial } from "../bindings/OfferedMaterial";
import type { Provided } from "../bindings/Provided";
import type { ScanView } from "../bindings/ScanView";
import { attachScan } from "../scans/scanner";

// The labels are the Rust side's (and so the printed forms'), generated into bindings/labels.ts.
import { DELIVERY_LABELS, ID_KINDS } from "../bindings/labels";
export { AGENT_ROLES, DELIVERY_LABELS, ID_KINDS, MATERIAL_FORM_LABELS as FORM_LABELS } from "../bindings/labels";

export function idKindLabel(kind: IdKind): string {
  return ID_KINDS.find((k) => k.value === kind)?.label ?? kind;
}

/** What the clerk found of one offered material (by its catalog name). */
export interface MaterialState {
  name: string;
  received: boolean;
  verified: boolean;
  /** For a conditional material: its condition holds (so it is required). */
  applies: boolean;
  eLicense: boolean;
  licenseNumber: string;
  licenseIssuer: string;
  /** Scans the desk keeps already; the case cites them when saved. */
  scans: ScanView[];
}

export interface IntakeForm {
  partner: string;
  item: string;
  kind: "person" | "enterprise";
  person: { name: string; id_kind: IdKind; id_number: string; phone: string; address: string };
  enterprise: {
    name: string;
    credit_code: string;
    legal_representative: string;
    contact_name: string;
    contact_phone: string;
    address: string;
  };
  hasAgent: boolean;
  agent: { role: AgentRole; name: string; id_kind: IdKind; id_number: string; phone: string };
  materials: MaterialState[];
  transfer: { network: boolean; mail: boolean; waybill: string };
  delivery: { kind: DeliveryOption; recipient: string; phone: string; address: string };
  note: string;
}

export function emptyMaterial(name: string): MaterialState {
  return {
    name,
    received: false,
    verified: false,
    applies: false,
    eLicense: false,
    licenseNumber: "",
    licenseIssuer: "",
    scans: [],
  };
}

export function emptyForm(): IntakeForm {
  return {
    partner: "",
    item: "",
    kind: "person",
    person: { name: "", id_kind: "resident_id", id_number: "", phone: "", address: "" },
    enterprise: { name: "", credit_code: "", legal_representative: "", contact_name: "", contact_phone: "", address: "" },
    hasAgent: false,
    agent: { role: "helper", name: "", id_kind: "resident_id", id_number: "", phone: "" },
    materials: [],
    transfer: { network: true, mail: false, waybill: "" },
    delivery: { kind: "at_window", recipient: "", phone: "", address: "" },
    note: "",
  };
}

/** A fresh form for the next applicant of the same item. */
export function resetForNext(form: IntakeForm): IntakeForm {
  const next = emptyForm();
  next.partner = form.partner;
  next.item = form.item;
  next.materials = form.materials.map((m) => emptyMaterial(m.name));
  return next;
}

/** One state per offered material, keeping what was found of the ones already there (a restored draft). */
export function materialRows(offered: readonly OfferedMaterial[], previous: readonly MaterialState[]): MaterialState[] {
  return offered.map((m) => {
    const had = previous.find((p) => p.name === m.name);
    return had ? { ...had } : emptyMaterial(m.name);
  });
}

export function isRequired(m: OfferedMaterial, s: MaterialState | undefined): boolean {
  return m.condition === "" || s?.applies === true;
}

/** Received on paper, or replaced by an 电子证照. */
export function isReceived(s: MaterialState | undefined): boolean {
  return s !== undefined && (s.received || s.eLicense);
}

/** Required and not received, nor replaced by another material of its 任选其一 group. */
function lacking(offered: readonly OfferedMaterial[], rows: readonly MaterialState[], i: number): boolean {
  const m = offered[i];
  if (m === undefined || !isRequired(m, rows[i]) || isReceived(rows[i])) return false;
  const group = m.choice ?? "";
  return group === "" || !offered.some((o, j) => (o.choice ?? "") === group && isReceived(rows[j]));
}

/** The names of required materials not received (as the desk counts them: an alternative of a
 *  任选其一 group stands in, and a 容缺 material is owed, not missing). */
export function missingMaterials(offered: readonly OfferedMaterial[], rows: readonly MaterialState[]): string[] {
  return offered.filter((m, i) => lacking(offered, rows, i) && !m.deferral).map((m) => m.name);
}

/** The names of 容缺 materials not received: taken in on trust, to follow. */
export function owedMaterials(offered: readonly OfferedMaterial[], rows: readonly MaterialState[]): string[] {
  return offered.filter((m, i) => lacking(offered, rows, i) && !!m.deferral).map((m) => m.name);
}

/** Whether the original of a material of this form is checked at the window. */
export function hasOriginal(form: OfferedMaterial["form"]): boolean {
  return form === "original" || form === "original_and_copy";
}

/** 份数 as the guide words it: 「2」, or 「原件1份、复印件2份」. */
export function countsText(m: Pick<OfferedMaterial, "form" | "copies" | "originals">): string {
  return m.form === "original_and_copy" ? `原件${m.originals ?? 1}份、复印件${m.copies}份` : String(m.copies);
}

/** 「10个工作日内补齐」, 「10日内补齐」. */
export function deferralText(d: { days: number; unit?: string | null }): string {
  return d.unit === "calendar_days" ? `${d.days}日内补齐` : `${d.days}个工作日内补齐`;
}

/** The applicant kind to start with for an item: 企业 when only organisations may apply. */
export function keptApplicantKind(
  kind: "person" | "enterprise",
  may: { persons_may_apply: boolean; organizations_may_apply: boolean },
): "person" | "enterprise" {
  if (kind === "person" && !may.persons_may_apply && may.organizations_may_apply) return "enterprise";
  if (kind === "enterprise" && !may.organizations_may_apply && may.persons_may_apply) return "person";
  return kind;
}

function touched(s: MaterialState): boolean {
  return s.received || s.verified || s.applies || s.eLicense || s.scans.length > 0;
}

/** The `take_in` draft from the form; `offered` are the chosen item's materials. */
export function buildDraft(form: IntakeForm, offered: readonly OfferedMaterial[]): CatalogIntake {
  const t = (s: string) => s.trim();
  const materials: Provided[] = [];
  offered.forEach((m, i) => {
    const s = form.materials[i];
    if (!s || s.name !== m.name || !touched(s)) return;
    materials.push({
      name: m.name,
      received: s.received,
      original_verified: s.received && hasOriginal(m.form) && s.verified,
      applies: m.condition === "" ? null : s.applies,
      e_license:
        m.e_license && s.eLicense ? { kind: "", number: t(s.licenseNumber), issuer: t(s.licenseIssuer) } : null,
      scans: s.scans.map((scan) => scan.sha256),
      note: "",
    });
  });
  const p = form.person;
  const e = form.enterprise;
  const a = form.agent;
  const d = form.delivery;
  return {
    partner: form.partner,
    item: form.item,
    applicant:
      form.kind === "person"
        ? { kind: "person", name: t(p.name), id_kind: p.id_kind, id_number: t(p.id_number), phone: t(p.phone), address: t(p.address) }
        : {
            kind: "enterprise",
            name: t(e.name),
            credit_code: t(e.credit_code),
            legal_representative: t(e.legal_representative),
            contact_name: t(e.contact_name),
            contact_phone: t(e.contact_phone),
            address: t(e.address),
          },
    agent: form.hasAgent
      ? { role: a.role, name: t(a.name), id_kind: a.id_kind, id_number: t(a.id_number), phone: t(a.phone) }
      : null,
    materials,
    transfer: {
      network: form.transfer.network,
      mail: form.transfer.mail,
      waybill: form.transfer.mail && t(form.transfer.waybill) ? t(form.transfer.waybill) : null,
    },
    delivery:
      d.kind === "mail" ? { kind: "mail", recipient: t(d.recipient), phone: t(d.phone), address: t(d.address) } : { kind: d.kind },
    note: t(form.note),
  };
}

/** The ways of handing the result over that the item's guide offers, in the catalog's order;
 * 窗口领取 when it names none (a window can always hand a result over). */
export function deliveryChoices(offered: readonly DeliveryOption[] | undefined): DeliveryOption[] {
  const order = Object.keys(DELIVERY_LABELS) as DeliveryOption[];
  const choices = order.filter((k) => offered?.includes(k));
  return choices.length ? choices : ["at_window"];
}

/** The delivery to keep when the item changes: the chosen one if the new item offers it, else
 * its first. */
export function keptDelivery(current: DeliveryOption, choices: readonly DeliveryOption[]): DeliveryOption {
  return choices.includes(current) ? current : (choices[0] ?? "at_window");
}

/** A scan kept for material `i` (see {@link attachScan}). */
export function addScan(form: IntakeForm, i: number, scan: ScanView): void {
  const m = form.materials[i];
  if (m) attachScan(m, scan);
}

/** Whether the clerk typed or ticked anything besides choosing the item. */
export function isDirty(form: IntakeForm): boolean {
  const fresh = resetForNext(form);
  return JSON.stringify(fresh) !== JSON.stringify(form);
}

/** The picker's value for a choice: items of different partners may share a code. */
export function choiceKey(c: Pick<ItemChoice, "partner" | "code">): string {
  return `${c.partner}|${c.code}`;
}

/** Type-ahead: every word must occur in the name, code, domain, department or partner name. */
export function matchChoice(c: ItemChoice, query: string): boolean {
  const hay = [c.name, c.code, c.domain, c.department, c.partner_name].join(" ").toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== "")
    .every((w) => hay.includes(w));
}

const CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳";

export function ordinal(n: number): string {
  return n >= 1 && n <= CIRCLED.length ? CIRCLED[n - 1]! : `(${n})`;
}

/** A bundle material's items as ordinals of the bundle's items, e.g. `①③`. */
export function itemOrdinals(codes: readonly string[], bundleItems: readonly ItemRef[]): string {
  return codes
    .map((c) => bundleItems.findIndex((b) => b.code === c))
    .filter((i) => i >= 0)
    .sort((x, y) => x - y)
    .map((i) => ordinal(i + 1))
    .join("");
}

/** The checked fields whose soft notes (warnings) are shown, by form key, with the name the note gives them. */
export const WARNED_FIELDS: Readonly<Record<string, string>> = {
  "applicant.id_number": "申请人证件号码",
  "agent.id_number": "代办人证件号码",
};

/** A soft note for the clerk: the value is right and is saved as typed, but worth a second look. */
export interface SoftNote {
  key: string;
  text: string;
}

/**
 * The soft notes of the checked fields under `section` ("applicant" or "agent"), e.g.
 * 「申请人证件号码：行政区划代码 119999 不在现行代码表中，请核对」. A field that has an error shows the
 * error instead: a note about a wrong value would only distract.
 */
export function softNotes(
  section: "applicant" | "agent",
  checks: Readonly<Record<string, FieldCheck | null | undefined>>,
  errorOf: (key: string) => string,
): SoftNote[] {
  return Object.entries(WARNED_FIELDS)
    .filter(([key]) => key.startsWith(`${section}.`))
    .flatMap(([key, label]) => {
      const warning = checks[key]?.warning;
      return warning && !errorOf(key) ? [{ key, text: `${label}：${warning}` }] : [];
    });
}

/** Where a backend error belongs: the error key of a form item and the id of its input. */
export interface FieldTarget {
  key: string;
  inputId: string;
  section: "item" | "applicant" | "agent" | "materials" | "transfer" | "delivery" | "note";
}

const PERSON_IDS: Record<string, string> = {
  name: "intake-name",
  id_kind: "intake-id-kind",
  id_number: "intake-id-number",
  phone: "intake-phone",
  address: "intake-address",
};
const ENTERPRISE_IDS: Record<string, string> = {
  name: "intake-ent-name",
  credit_code: "intake-credit-code",
  legal_representative: "intake-legal-rep",
  contact_name: "intake-contact-name",
  contact_phone: "intake-contact-phone",
  address: "intake-ent-address",
};
const AGENT_IDS: Record<string, string> = {
  role: "intake-agent-role",
  name: "intake-agent-name",
  id_kind: "intake-agent-id-kind",
  id_number: "intake-agent-id-number",
  phone: "intake-agent-phone",
};
const DELIVERY_IDS: Record<string, string> = {
  kind: "intake-delivery-window",
  recipient: "intake-mail-recipient",
  phone: "intake-mail-phone",
  address: "intake-mail-address",
};

/** Maps a backend `field` (`applicant.id_number`, `materials[2].name`, …) to the form; `null` if unknown. */
export function fieldTarget(field: string, kind: IntakeForm["kind"]): FieldTarget | null {
  if (field === "item" || field === "partner") return { key: "item", inputId: "intake-item", section: "item" };
  if (field === "note") return { key: "note", inputId: "intake-note", section: "note" };
  const m = /^materials\[(\d+)\]/.exec(field);
  if (m) return { key: `materials[${m[1]}]`, inputId: `intake-material-${m[1]}`, section: "materials" };
  const [head, rest = ""] = field.split(/\.(.*)/s) as [string, string?];
  if (head === "applicant") {
    let sub = rest;
    if (kind === "person") {
      if (sub === "contact_phone") sub = "phone";
      const id = PERSON_IDS[sub];
      return id ? { key: `applicant.${sub}`, inputId: id, section: "applicant" } : null;
    }
    if (sub === "phone") sub = "contact_phone";
    const id = ENTERPRISE_IDS[sub];
    return id ? { key: `applicant.${sub}`, inputId: id, section: "applicant" } : null;
  }
  if (head === "agent") {
    const id = AGENT_IDS[rest] ?? AGENT_IDS.name!;
    return { key: `agent.${AGENT_IDS[rest] ? rest : "name"}`, inputId: id, section: "agent" };
  }
  if (head === "delivery") {
    const id = DELIVERY_IDS[rest] ?? DELIVERY_IDS.kind!;
    return { key: `delivery.${DELIVERY_IDS[rest] ? rest : "kind"}`, inputId: id, section: "delivery" };
  }
  if (head === "transfer") return { key: "transfer.waybill", inputId: "intake-waybill", section: "transfer" };
  return null;
}

export const DRAFT_KEY = "tongban.intake.draft";

type Store = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** Who kept a draft and when (ISO time), shown when it is restored. */
export interface DraftMark {
  by: string;
  at: string;
}

export function saveDraft(store: Store, form: IntakeForm, by = "", at: Date = new Date()): void {
  try {
    store.setItem(DRAFT_KEY, JSON.stringify({ v: 1, form, by, at: at.toISOString() }));
  } catch {
    // A full or unavailable storage must not break the intake.
  }
}

/** The kept draft, filled out with defaults for anything missing; `null` if none or unreadable. */
export function loadDraft(store: Store): IntakeForm | null {
  try {
    const raw = store.getItem(DRAFT_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as { v?: number; form?: Partial<IntakeForm> };
    if (parsed.v !== 1 || !parsed.form || typeof parsed.form !== "object") return null;
    const f = parsed.form;
    const base = emptyForm();
    return {
      ...base,
      ...f,
      person: { ...base.person, ...f.person },
      enterprise: { ...base.enterprise, ...f.enterprise },
      agent: { ...base.agent, ...f.agent },
      materials: Array.isArray(f.materials) ? f.materials.map((m) => ({ ...emptyMaterial(m.name), ...m })) : [],
      transfer: { ...base.transfer, ...f.transfer },
      delivery: { ...base.delivery, ...f.delivery },
    };
  } catch {
    return null;
  }
}

/** Who kept the draft and when; `null` if there is none (or it predates the mark). */
export function draftMark(store: Store): DraftMark | null {
  try {
    const raw = store.getItem(DRAFT_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as { by?: unknown; at?: unknown };
    return {
      by: typeof parsed.by === "string" ? parsed.by : "",
      at: typeof parsed.at === "string" ? parsed.at : "",
    };
  } catch {
    return null;
  }
}

export function clearDraft(store: Store): void {
  try {
    store.removeItem(DRAFT_KEY);
  } catch {
    // ignore
  }
}

/** Fills the applicant's part of the form with what they gave last time (the clerk asked for it). */
export function fillApplicant(form: IntakeForm, last: Applicant): void {
  if (last.kind === "person") {
    form.kind = "person";
    form.person = {
      name: last.name,
      id_kind: last.id_kind,
      id_number: last.id_number,
      phone: last.phone,
      address: last.address,
    };
  } else {
    form.kind = "enterprise";
    form.enterprise = {
      name: last.name,
      credit_code: last.credit_code,
      legal_representative: last.legal_representative,
      contact_name: last.contact_name,
      contact_phone: last.contact_phone,
      address: last.address,
    };
  }
}

/** Whether the form's applicant already reads as `last` (nothing to offer then). */
export function sameApplicant(form: IntakeForm, last: Applicant): boolean {
  if (last.kind === "person") {
    const p = form.person;
    return form.kind === "person" && p.name === last.name && p.phone === last.phone && p.address === last.address;
  }
  const e = form.enterprise;
  return (
    form.kind === "enterprise" &&
    e.name === last.name &&
    e.legal_representative === last.legal_representative &&
    e.contact_name === last.contact_name &&
    e.contact_phone === last.contact_phone &&
    e.address === last.address
  );
}
