import { reactive } from "vue";
import { toBackendError } from "../backend";

/**
 * The messages shown next to a form's fields. A backend error naming a field goes next to it
 * (without the label the backend puts in front, the field shows its own); any other is `general`.
 */
export function useFieldErrors<K extends string>(fields: readonly K[]) {
  const errors = reactive({ general: "" }) as Record<K | "general", string>;
  const clear = () => {
    for (const k of [...fields, "general"] as (K | "general")[]) errors[k] = "";
  };
  clear();
  const show = (raw: unknown) => {
    const e = toBackendError(raw);
    const field = e.field as K | undefined;
    if (field && (fields as readonly string[]).includes(field)) {
      errors[field] = e.message.replace(/^[^：]{1,12}：/, "");
    } else {
      errors.general = e.message;
    }
    return e;
  };
  return { errors, clear, show };
}
