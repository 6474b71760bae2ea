import { describe, expect, it } from "vitest";
import type { ItemChoice } from "../bindings/ItemChoice";
import type { OfferedMaterial } from "../bindings/OfferedMaterial";
import type { ScanView } from "../bindings/ScanView";
import {
  addScan,
  buildDraft,
  clearDraft,
  deliveryChoices,
  draftMark,
  DRAFT_KEY,
  emptyForm,
  emptyMaterial,
  fieldTarget,
  idKindLabel,
  ID_KINDS,
  isDirty,
  itemOrdinals,
  keptDelivery,
  loadDraft,
  matchChoice,
  materialRows,
  missingMaterials,
  owedMaterials,
  countsText,
  keptApplicantKind,
  resetForNext,
  saveDraft,
  softNotes,
} from "./form";
import type { FieldCheck } from "../bindings/FieldCheck";

const mat = (name: string, extra: Partial<OfferedMaterial> = {}): OfferedMaterial => ({
  items: [],
  name,
  form: "original",
  copies: 1,
  condition: "",
  standard: "",
  ...extra,
});
const OFFERED = [
  mat("居民身份证"),
  mat("授权委托书", { condition: "委托他人办理的" }),
  mat("居民户口簿", { form: "copy", e_license: "居民户口簿" }),
];

class MemStore {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

describe("id kinds", () => {
  it("labels every kind in Chinese", () => {
    expect(ID_KINDS).toHaveLength(7);
    expect(idKindLabel("resident_id")).toBe("居民身份证");
    expect(idKindLabel("foreign_permanent2023")).toBe("外国人永久居留身份证（2023版）");
    expect(idKindLabel("taiwan_permit")).toBe("台湾居民来往大陆通行证");
  });
});

describe("delivery", () => {
  it("offers what the guide lists, in the catalog's order, and 窗口领取 when it lists nothing", () => {
    expect(deliveryChoices(["online", "at_window"])).toEqual(["at_window", "online"]);
    expect(deliveryChoices(["not_needed"])).toEqual(["not_needed"]);
    expect(deliveryChoices([])).toEqual(["at_window"]);
    expect(deliveryChoices(undefined)).toEqual(["at_window"]);
  });

  it("keeps the chosen way when the next item offers it, else takes its first", () => {
    expect(keptDelivery("mail", ["at_window", "mail"])).toBe("mail");
    expect(keptDelivery("mail", ["online"])).toBe("online");
  });

  it("sends 网上获取 and 无需送达 as their own kinds, without address fields", () => {
    const form = emptyForm();
    form.delivery = { kind: "online", recipient: "x", phone: "1", address: "y" };
    expect(buildDraft(form, []).delivery).toEqual({ kind: "online" });
  });
});

describe("missing materials", () => {
  it("counts required and not received; conditions only when they apply; e-licences count as received", () => {
    const rows = materialRows(OFFERED, []);
    expect(missingMaterials(OFFERED, rows)).toEqual(["居民身份证", "居民户口簿"]);
    rows[1]!.applies = true;
    expect(missingMaterials(OFFERED, rows)).toEqual(["居民身份证", "授权委托书", "居民户口簿"]);
    rows[0]!.received = true;
    rows[2]!.eLicense = true;
    expect(missingMaterials(OFFERED, rows)).toEqual(["授权委托书"]);
  });
  it("keeps what was found of materials by name", () => {
    const before = [{ ...emptyMaterial("居民户口簿"), received: true }];
    const rows = materialRows(OFFERED, before);
    expect(rows.map((r) => r.received)).toEqual([false, false, true]);
  });
});

describe("what the guides allow", () => {
  const GUIDE = [
    mat("居民身份证", { choice: "身份证明" }),
    mat("居民户口簿", { choice: "身份证明" }),
    mat("结婚证", { form: "original_and_copy", originals: 1, copies: 2 }),
    mat("住房证明", { form: "copy", deferral: { days: 10 } }),
  ];
  it("an alternatives group is satisfied by any one of its materials, by the second as well", () => {
    const rows = materialRows(GUIDE, []);
    expect(missingMaterials(GUIDE, rows)).toEqual(["居民身份证", "居民户口簿", "结婚证"]);
    rows[1]!.received = true;
    expect(missingMaterials(GUIDE, rows)).toEqual(["结婚证"]);
  });
  it("a 容缺 material missing is owed, not missing", () => {
    const rows = materialRows(GUIDE, []);
    rows[0]!.received = true;
    rows[2]!.received = true;
    expect(missingMaterials(GUIDE, rows)).toEqual([]);
    expect(owedMaterials(GUIDE, rows)).toEqual(["住房证明"]);
    rows[3]!.received = true;
    expect(owedMaterials(GUIDE, rows)).toEqual([]);
  });
  it("counts read as the guide words them", () => {
    expect(countsText(GUIDE[2]!)).toBe("原件1份、复印件2份");
    expect(countsText(GUIDE[3]!)).toBe("1");
  });
  it("a company-only item starts on 企业, a personal one on 个人, an open one keeps the choice", () => {
    const only = (persons: boolean, organizations: boolean) => ({
      persons_may_apply: persons,
      organizations_may_apply: organizations,
    });
    expect(keptApplicantKind("person", only(false, true))).toBe("enterprise");
    expect(keptApplicantKind("enterprise", only(true, false))).toBe("person");
    expect(keptApplicantKind("enterprise", only(true, true))).toBe("enterprise");
  });
});

describe("buildDraft", () => {
  it("sends the touched materials only, with applies for conditional ones and the e-licence", () => {
    const f = emptyForm();
    f.partner = "110106";
    f.item = "P1";
    f.person = { name: " 张三 ", id_kind: "resident_id", id_number: "11010519491231002X", phone: "13800138000", address: "" };
    f.materials = materialRows(OFFERED, []);
    f.materials[0]!.received = true;
    f.materials[0]!.verified = true;
    f.materials[1]!.applies = true;
    f.materials[2]!.eLicense = true;
    f.materials[2]!.licenseNumber = " 1101 ";
    f.materials[2]!.licenseIssuer = "公安局";
    f.transfer.mail = true;
    f.transfer.waybill = "EMS123";
    f.delivery = { kind: "mail", recipient: "张三", phone: "13800138000", address: "北京" };
    const d = buildDraft(f, OFFERED);
    expect(d.applicant).toEqual({ kind: "person", name: "张三", id_kind: "resident_id", id_number: "11010519491231002X", phone: "13800138000", address: "" });
    expect(d.materials).toEqual([
      { name: "居民身份证", received: true, original_verified: true, applies: null, e_license: null, scans: [], note: "" },
      { name: "授权委托书", received: false, original_verified: false, applies: true, e_license: null, scans: [], note: "" },
      { name: "居民户口簿", received: false, original_verified: false, applies: null, e_license: { kind: "", number: "1101", issuer: "公安局" }, scans: [], note: "" },
    ]);
    expect(d.transfer).toEqual({ network: true, mail: true, waybill: "EMS123" });
    expect(d.delivery).toEqual({ kind: "mail", recipient: "张三", phone: "13800138000", address: "北京" });
    expect(d.agent).toBeNull();
  });
  it("builds an enterprise applicant and an agent; never verifies a copy", () => {
    const f = emptyForm();
    f.kind = "enterprise";
    f.enterprise.name = "新野县某某公司";
    f.enterprise.credit_code = "91411329MA40000000";
    f.hasAgent = true;
    f.agent.name = "王五";
    f.agent.role = "proxy";
    f.materials = materialRows(OFFERED, []);
    f.materials[2]!.received = true;
    f.materials[2]!.verified = true;
    const d = buildDraft(f, OFFERED);
    expect(d.applicant).toMatchObject({ kind: "enterprise", name: "新野县某某公司", credit_code: "91411329MA40000000" });
    expect(d.agent).toMatchObject({ role: "proxy", name: "王五", id_kind: "resident_id" });
    expect(d.materials[0]).toMatchObject({ name: "居民户口簿", received: true, original_verified: false });
    expect(d.delivery).toEqual({ kind: "at_window" });
    expect(d.transfer.waybill).toBeNull();
  });
});

describe("dirty and reset", () => {
  it("choosing the item alone is not typing; reset keeps the item", () => {
    const f = emptyForm();
    f.partner = "110106";
    f.item = "P1";
    f.materials = materialRows(OFFERED, []);
    expect(isDirty(f)).toBe(false);
    f.person.name = "张";
    expect(isDirty(f)).toBe(true);
    const next = resetForNext(f);
    expect(next.item).toBe("P1");
    expect(next.person.name).toBe("");
    expect(next.materials).toHaveLength(3);
  });
});

describe("matchChoice", () => {
  const c: ItemChoice = {
    partner: "110106",
    partner_name: "北京市丰台区",
    code: "PENSION-01",
    name: "养老保险关系转移接续",
    domain: "社会保障",
    department: "丰台区人社局",
    bundle: false,
    promised_days: 15,
    catalog_version: "1",
  };
  it("matches every word against name, code, domain, department and partner", () => {
    expect(matchChoice(c, "养老")).toBe(true);
    expect(matchChoice(c, "pension")).toBe(true);
    expect(matchChoice(c, "社会保障 丰台")).toBe(true);
    expect(matchChoice(c, "人社局")).toBe(true);
    expect(matchChoice(c, "养老 南京")).toBe(false);
  });
});

describe("itemOrdinals", () => {
  it("names a bundle material's items by their place in the bundle", () => {
    const items = ["A", "B", "C"].map((code) => ({ code, name: code, department: "", promised_days: 1, catalog_version: null }));
    expect(itemOrdinals(["C", "A"], items)).toBe("①③");
    expect(itemOrdinals(["X"], items)).toBe("");
  });
});

describe("fieldTarget", () => {
  it("maps backend fields to the form", () => {
    expect(fieldTarget("applicant.id_number", "person")).toEqual({ key: "applicant.id_number", inputId: "intake-id-number", section: "applicant" });
    expect(fieldTarget("applicant.phone", "person")?.inputId).toBe("intake-phone");
    expect(fieldTarget("applicant.phone", "enterprise")?.inputId).toBe("intake-contact-phone");
    expect(fieldTarget("applicant.credit_code", "enterprise")?.inputId).toBe("intake-credit-code");
    expect(fieldTarget("applicant.name", "enterprise")?.inputId).toBe("intake-ent-name");
    expect(fieldTarget("agent.id_number", "person")).toMatchObject({ inputId: "intake-agent-id-number", section: "agent" });
    expect(fieldTarget("agent.whatever", "person")?.inputId).toBe("intake-agent-name");
    expect(fieldTarget("delivery.address", "person")?.inputId).toBe("intake-mail-address");
    expect(fieldTarget("materials[2].name", "person")).toEqual({ key: "materials[2]", inputId: "intake-material-2", section: "materials" });
    expect(fieldTarget("item", "person")?.inputId).toBe("intake-item");
    expect(fieldTarget("applicant.nonsense", "person")).toBeNull();
    expect(fieldTarget("something", "person")).toBeNull();
  });
});

const SCAN: ScanView = { sha256: "ab".repeat(32), file_name: "身份证.jpg", size: 1200, media_type: "image/jpeg" };

describe("scans in the checklist", () => {
  it("a scan marks its material received, is cited once, and makes the form dirty", () => {
    const f = emptyForm();
    f.item = "P1";
    f.materials = [emptyMaterial("身份证"), emptyMaterial("户口簿")];
    expect(isDirty(f)).toBe(false);
    addScan(f, 1, SCAN);
    addScan(f, 1, SCAN);
    expect(f.materials[1]).toMatchObject({ received: true, scans: [SCAN] });
    expect(isDirty(f)).toBe(true);
    const draft = buildDraft(f, [mat("身份证"), mat("户口簿", { form: "copy" })]);
    expect(draft.materials).toEqual([
      { name: "户口簿", received: true, original_verified: false, applies: null, e_license: null, scans: [SCAN.sha256], note: "" },
    ]);
    expect(resetForNext(f).materials[1]!.scans).toEqual([]);
    addScan(f, 7, SCAN); // no such row: nothing happens
    expect(f.materials).toHaveLength(2);
  });
});

describe("the kept draft", () => {
  it("saves, restores with defaults filled in, and clears", () => {
    const store = new MemStore();
    expect(loadDraft(store)).toBeNull();
    const f = emptyForm();
    f.item = "P1";
    f.person.name = "李四";
    saveDraft(store, f, "张敏", new Date("2026-11-24T01:13:00Z"));
    expect(loadDraft(store)).toEqual(f);
    // Restored drafts are marked with who kept them and when.
    expect(draftMark(store)).toEqual({ by: "张敏", at: "2026-11-24T01:13:00.000Z" });
    // An older or partial draft still loads.
    store.setItem(DRAFT_KEY, JSON.stringify({ v: 1, form: { item: "P2", person: { name: "王" } } }));
    const partial = loadDraft(store)!;
    expect(partial.item).toBe("P2");
    expect(partial.person.id_kind).toBe("resident_id");
    expect(partial.transfer.network).toBe(true);
    // A draft kept before scans existed gets none; one kept after keeps its scans.
    store.setItem(DRAFT_KEY, JSON.stringify({ v: 1, form: { item: "P2", materials: [{ name: "身份证", received: true }] } }));
    expect(loadDraft(store)!.materials[0]).toEqual({ ...emptyMaterial("身份证"), received: true, scans: [] });
    const scanned = emptyForm();
    addScan(Object.assign(scanned, { materials: [emptyMaterial("身份证")] }), 0, SCAN);
    saveDraft(store, scanned);
    expect(loadDraft(store)!.materials[0]!.scans).toEqual([SCAN]);
    store.setItem(DRAFT_KEY, "{not json");
    expect(loadDraft(store)).toBeNull();
    clearDraft(store);
    expect(store.getItem(DRAFT_KEY)).toBeNull();
  });
});

describe("soft notes", () => {
  const REGION = "行政区划代码 119999 不在现行代码表中，请核对";
  const ok = (warning: string | null): FieldCheck => ({ normalized: "X", message: null, note: null, warning });
  const noError = () => "";

  it("names the field and keeps applicant and agent apart", () => {
    const checks = { "applicant.id_number": ok(REGION), "agent.id_number": ok(REGION), "applicant.phone": ok(null) };
    expect(softNotes("applicant", checks, noError)).toEqual([
      { key: "applicant.id_number", text: `申请人证件号码：${REGION}` },
    ]);
    expect(softNotes("agent", checks, noError)).toEqual([{ key: "agent.id_number", text: `代办人证件号码：${REGION}` }]);
  });

  it("shows nothing for a field without a warning, not yet checked, or with an error", () => {
    expect(softNotes("applicant", { "applicant.id_number": ok(null) }, noError)).toEqual([]);
    expect(softNotes("applicant", { "applicant.id_number": null }, noError)).toEqual([]);
    expect(softNotes("applicant", {}, noError)).toEqual([]);
    const withError = (key: string) => (key === "applicant.id_number" ? "校验码错误" : "");
    expect(softNotes("applicant", { "applicant.id_number": ok(REGION) }, withError)).toEqual([]);
  });
});
