// A returning applicant: once their ID number (or credit code) checks out, the desk says what they
// gave last time, and the intake offers it (Alt+R) while the form does not already hold it.
import { computed, ref, watch, type ComputedRef } from "vue";
import type { Backend } from "../backend";
import type { FieldCheck } from "../bindings/FieldCheck";
import type { ReturningApplicant } from "../bindings/ReturningApplicant";
import { latestOnly } from "../debounce";
import { sameApplicant, type IntakeForm } from "./form";

/** The offer to fill in, or null when there is none (or the form holds it already). */
export function useReturningApplicant(
  backend: Backend,
  form: IntakeForm,
  checks: Readonly<Record<string, FieldCheck | null>>,
): ComputedRef<ReturningApplicant | null> {
  const returning = ref<ReturningApplicant | null>(null);
  const latestReturning = latestOnly();
  watch(
    () => [checks["applicant.id_number"]?.normalized, checks["applicant.credit_code"]?.normalized, form.kind] as const,
    async ([person, enterprise, kind]) => {
      const ticket = latestReturning.begin();
      const id = kind === "person" ? person : enterprise;
      returning.value = null;
      if (!id) return;
      try {
        const found = await backend.returningApplicant(id);
        if (ticket.isLatest()) returning.value = found;
      } catch {
        // Only an offer: without it the clerk types as usual.
      }
    },
  );
  return computed(() => (returning.value && !sameApplicant(form, returning.value.applicant) ? returning.value : null));
}
