// Scans as the window takes them: a file the clerk picks, or the newest files of the scanner's
// output folder (listed by the desk, which reads only what it would accept). The same pieces
// serve the intake dialog and 补正收件 in the case detail.
import { onBeforeUnmount, ref, watch } from "vue";
import { toBackendError, type Backend } from "../backend";
import type { ScannerFolder } from "../bindings/ScannerFolder";
import type { ScanView } from "../bindings/ScanView";

/** How often the scanner folder is listed again while a checklist is open: a page just scanned
 * shows up within moments, without the clerk asking. */
export const SCANNER_POLL_MS = 3000;

/** "1.2 MB", "35 KB" for a scan's size. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** A scan kept for a material being checked (at intake or 补正收件): cited once, and a
 * scanned material is one the applicant handed over. */
export function attachScan(material: { received: boolean; scans: ScanView[] }, scan: ScanView): void {
  if (!material.scans.some((s) => s.sha256 === scan.sha256)) material.scans.push(scan);
  material.received = true;
}

/** A chosen file's bytes (FileReader: older webviews lack `Blob.arrayBuffer`). */
export function readBytes(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(new Error(`无法读取文件「${file.name}」`));
    reader.readAsArrayBuffer(file);
  });
}

/**
 * The scanner folder and its newest files, listed again every {@link SCANNER_POLL_MS} while
 * `active()` holds. A listing that fails says why in `error` (and clears once one succeeds).
 */
export function useScannerFolder(backend: Backend, active: () => boolean, pollMs = SCANNER_POLL_MS) {
  const scanner = ref<ScannerFolder>({ folder: null, files: [] });
  const error = ref("");
  let timer: ReturnType<typeof setInterval> | undefined;

  async function load() {
    try {
      scanner.value = await backend.scannerFolder();
      error.value = "";
    } catch (e) {
      error.value = toBackendError(e).message;
    }
  }

  function stop() {
    clearInterval(timer);
    timer = undefined;
  }

  watch(
    active,
    (on) => {
      stop();
      if (!on) return;
      void load();
      timer = setInterval(() => {
        // Nothing to list until a folder is set; setting one lists it at once.
        if (scanner.value.folder) void load();
      }, pollMs);
    },
    { immediate: true },
  );
  onBeforeUnmount(stop);

  return { scanner, error, load };
}
