// What the intake's fields say: the backend's complaint on save, by form key (`applicant.id_number`,
// `materials[2]`, …), and the check of each checked field as it is typed (debounced, the latest
// answer only), with the soft notes of the applicant and the agent. A complaint goes once the
// clerk changes its field.
import { computed, onBeforeUnmount, reactive, watch } from "vue";
import type { Backend } from "../backend";
import type { FieldCheck } from "../bindings/FieldCheck";
import type { FieldKind } from "../bindings/FieldKind";
import type { IdKind } from "../bindings/IdKind";
import { debounce, latestOnly, type Debounced } from "../debounce";
import { softNotes, type IntakeForm } from "./form";

/** How long after the last keystroke a field is checked. */
const CHECK_DEBOUNCE_MS = 250;

interface Checked {
  key: string;
  kind: FieldKind;
  idKind: () => IdKind | null;
  value: () => string;
}

export function useFieldMessages(backend: Backend, form: IntakeForm) {
  /** Errors the backend gave on save, by form key. */
  const serverErrors = reactive<Record<string, string>>({});
  /** The latest check of each checked field, by form key. */
  const checks = reactive<Record<string, FieldCheck | null>>({});

  const CHECKED: Checked[] = [
    { key: "applicant.id_number", kind: "id_number", idKind: () => form.person.id_kind, value: () => form.person.id_number },
    { key: "applicant.phone", kind: "phone", idKind: () => null, value: () => form.person.phone },
    { key: "applicant.credit_code", kind: "credit_code", idKind: () => null, value: () => form.enterprise.credit_code },
    { key: "applicant.contact_phone", kind: "phone", idKind: () => null, value: () => form.enterprise.contact_phone },
    { key: "agent.id_number", kind: "id_number", idKind: () => form.agent.id_kind, value: () => form.agent.id_number },
    { key: "agent.phone", kind: "phone", idKind: () => null, value: () => form.agent.phone },
    { key: "delivery.phone", kind: "phone", idKind: () => null, value: () => form.delivery.phone },
    // An EMS (UPU S10) number's check digit; another format is only a soft note.
    { key: "transfer.waybill", kind: "waybill", idKind: () => null, value: () => (form.transfer.mail ? form.transfer.waybill : "") },
  ];
  const checkers: Debounced<[]>[] = [];

  for (const c of CHECKED) {
    const latest = latestOnly();
    const run = debounce(async () => {
      const value = c.value().trim();
      const ticket = latest.begin();
      if (value === "") {
        checks[c.key] = null;
        return;
      }
      try {
        const verdict = await backend.checkField(c.kind, c.idKind(), value);
        if (ticket.isLatest()) checks[c.key] = verdict;
      } catch {
        // A failed check is not the clerk's fault: the save will say what is wrong.
        if (ticket.isLatest()) checks[c.key] = null;
      }
    }, CHECK_DEBOUNCE_MS);
    checkers.push(run);
    watch([c.value, c.idKind], () => {
      delete serverErrors[c.key];
      if (c.value().trim() === "") {
        run.cancel();
        checks[c.key] = null;
      } else run();
    });
  }

  // Other fields: the backend's complaint goes once the clerk changes the field.
  watch(
    () => JSON.stringify([form.person.name, form.person.address, form.enterprise, form.agent.name, form.delivery, form.transfer]),
    (now, before) => {
      const a = JSON.parse(before) as unknown[];
      const b = JSON.parse(now) as unknown[];
      if (a[0] !== b[0]) delete serverErrors["applicant.name"];
      if (JSON.stringify(a[2]) !== JSON.stringify(b[2])) {
        for (const k of ["name", "legal_representative", "contact_name", "address"]) delete serverErrors[`applicant.${k}`];
      }
      if (a[3] !== b[3]) delete serverErrors["agent.name"];
      if (JSON.stringify(a[4]) !== JSON.stringify(b[4])) {
        for (const k of ["kind", "recipient", "address"]) delete serverErrors[`delivery.${k}`];
      }
      if (JSON.stringify(a[5]) !== JSON.stringify(b[5])) delete serverErrors["transfer.waybill"];
    },
  );

  function errorOf(key: string): string {
    return serverErrors[key] || checks[key]?.message || "";
  }
  function noteOf(key: string): string {
    return errorOf(key) ? "" : (checks[key]?.note ?? "");
  }
  const applicantNotes = computed(() => (form.kind === "person" ? softNotes("applicant", checks, errorOf) : []));
  const agentNotes = computed(() => (form.hasAgent ? softNotes("agent", checks, errorOf) : []));

  /** Forgets the backend's complaints (before a new save). */
  function clearServerErrors() {
    for (const k of Object.keys(serverErrors)) delete serverErrors[k];
  }
  /** Forgets everything: the complaints, the checks and any check still to run (the form was cleared). */
  function clear() {
    clearServerErrors();
    for (const c of checkers) c.cancel();
    for (const k of Object.keys(checks)) delete checks[k];
  }

  onBeforeUnmount(() => {
    for (const c of checkers) c.cancel();
  });

  return { serverErrors, checks, errorOf, noteOf, applicantNotes, agentNotes, clearServerErrors, clear };
}
