// The intake's item: every partner's choices (loaded once), and the chosen item's details, loaded
// each time the form's item changes (the latest answer only). A new item's details shape the form:
// its material rows, the applicant kind it allows, the delivery ways it offers.
import { ref, watch } from "vue";
import { toBackendError, type Backend } from "../backend";
import type { ItemChoice } from "../bindings/ItemChoice";
import type { ItemDetails } from "../bindings/ItemDetails";
import { latestOnly } from "../debounce";
import { deliveryChoices, keptApplicantKind, keptDelivery, materialRows, type IntakeForm } from "./form";

export function useItem(
  backend: Backend,
  form: IntakeForm,
  on: { changed: () => void; failed: (message: string) => void },
) {
  const choices = ref<ItemChoice[]>([]);
  const choicesLoading = ref(false);
  const details = ref<ItemDetails | null>(null);
  const detailsLoading = ref(false);

  async function loadChoices() {
    if (choices.value.length > 0 || choicesLoading.value) return;
    choicesLoading.value = true;
    try {
      choices.value = await backend.itemChoices();
    } catch (e) {
      on.failed(toBackendError(e).message);
    } finally {
      choicesLoading.value = false;
    }
  }

  const latestDetails = latestOnly();
  async function loadDetails() {
    const ticket = latestDetails.begin();
    details.value = null;
    if (!form.item) return;
    detailsLoading.value = true;
    try {
      const d = await backend.itemDetails(form.partner, form.item);
      if (!ticket.isLatest()) return;
      details.value = d;
      form.materials = materialRows(d.offer.materials, form.materials);
      // A company-only item starts on 企业 (and a personal one on 个人): the other is refused.
      form.kind = keptApplicantKind(form.kind, d);
      form.delivery.kind = keptDelivery(form.delivery.kind, deliveryChoices(d.delivery));
    } catch (e) {
      if (ticket.isLatest()) on.failed(toBackendError(e).message);
    } finally {
      if (ticket.isLatest()) detailsLoading.value = false;
    }
  }

  watch([() => form.partner, () => form.item], () => {
    on.changed();
    void loadDetails();
  });

  return { choices, choicesLoading, details, detailsLoading, loadChoices };
}
