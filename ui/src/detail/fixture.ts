// A case as the desk describes it, for the window's unit tests (the detail view and the queue
// that opens it), and a fake of the backend's case-detail calls that records what was asked.
import { BackendError, type Backend } from "../backend";
import type { CaseDetail } from "../bindings/CaseDetail";
import type { Completion } from "../bindings/Completion";
import type { DeliveryRecord } from "../bindings/DeliveryRecord";

export function waitingCase(number: string): CaseDetail {
  return {
    id: "case-1",
    number,
    status: "awaiting_materials",
    status_label: "待补正",
    item: {
      code: "110106-SB-001",
      name: "企业职工基本养老保险关系转移接续",
      department: "丰台区社保中心",
      promised_days: 15,
      promise_label: "15个工作日",
      kind_label: "公共服务",
      basis: "《中华人民共和国社会保险法》第十九条",
      conditions: "",
      decided_by: "丰台区社保中心",
      fee: "不收费",
    },
    bundle_items: [],
    catalog_version: "2026-11",
    receiving_region: "411329",
    receiving_region_name: "河南省南阳市新野县",
    handling_region: "110106",
    handling_region_name: "北京市丰台区",
    window: "新野县政务服务中心跨省通办窗口",
    applicant: {
      kind_label: "自然人",
      name: "周桂兰",
      id_label: "居民身份证",
      id_masked: "110105********0056",
      phone: "13937700002",
      address: "",
      legal_representative: "",
      contact_name: "",
    },
    agent: null,
    transfer_label: "网络流转",
    transfer_waybill: null,
    delivery_label: "窗口领取",
    result_waybill: null,
    received_at: "2026-11-24 09:12",
    clerk_name: "张敏",
    deadline: null,
    deadline_estimated: false,
    clock_note: "材料补齐之日起计算",
    notice_due: null,
    notice_rule: "材料不齐须在5个工作日内一次性告知",
    supplement_due: null,
    owed_due: null,
    promise_label: "15个工作日",
    promised_days: 15,
    overdue_days: 0,
    pending_sync: true,
    sync_label: "待同步",
    note: "",
    materials: [
      material(0, "居民身份证", true),
      material(1, "基本养老保险参保缴费凭证", false),
    ],
    packages: [],
    originals: [],
    history: [
      {
        at: "2026-11-24 09:12",
        by: "张敏",
        side_label: "受理地",
        region_name: "河南省南阳市新野县",
        what: "收件",
        details: ["材料 2 项，已收 1 项", "缺：基本养老保险参保缴费凭证"],
        pending_sync: true,
      },
    ],
    prints: [{ id: 4, form: "notice", form_label: "一次性告知书", at: "2026-11-24 09:13", by: "张敏", reprint: false }],
    actions: [
      { kind: "complete", label: "补正收件", shortcut: "F4" },
      { kind: "print_receipt", label: "打印收件登记表", shortcut: "Ctrl+P" },
      { kind: "print_notice", label: "补打一次性告知书", shortcut: "Ctrl+Shift+P" },
    ],
  };
}

function material(position: number, name: string, received: boolean) {
  return {
    position,
    name,
    form_label: "原件",
    copies: 1,
    required: true,
    received,
    original_verified: received,
    missing: !received,
    owed: false,
    counts: "1",
    choice: "",
    deferral: "",
    condition: "",
    standard: "",
    note: "",
    e_license: null,
    scans: [],
  };
}

const SCANNER_FILES = [{ name: "扫描0001.pdf", size: 2048, modified: "2026-11-24 09:20" }];

/** The detail calls of a fake backend: each answers from `detail` and records what it was given. */
export function fakeDetailCalls(detail: CaseDetail) {
  const completions: Completion[] = [];
  const deliveries: DeliveryRecord[] = [];
  const opened: string[] = [];
  let scannerFolder: string | null = null;
  const calls: Pick<
    Backend,
    | "caseDetail"
    | "revealIdNumber"
    | "completeCase"
    | "recordDelivery"
    | "attachScan"
    | "openScan"
    | "openPrint"
    | "scannerFolder"
    | "setScannerFolder"
    | "attachScannerFile"
  > = {
    caseDetail: async (number) => ({ ...detail, number }),
    revealIdNumber: async () => "110105195607120056",
    completeCase: async (_number, completion) => {
      completions.push(completion);
      return {
        status: "received",
        status_label: "已收件",
        missing: [],
        form: "receipt",
        print: null,
        print_error: "打印机未就绪",
      };
    },
    recordDelivery: async (_number, record) => {
      if (record.way === "mail" && !record.waybill) throw new BackendError("invalid_input", "邮寄送达须填写运单号", "waybill");
      deliveries.push(record);
      return "delivered";
    },
    attachScan: async (fileName, bytes) => ({ sha256: "ab".repeat(32), file_name: fileName, size: bytes.length, media_type: "image/png" }),
    openScan: async (sha) => {
      opened.push(sha);
      return `/d/desk.scans/${sha}`;
    },
    scannerFolder: async () => ({ folder: scannerFolder, files: scannerFolder ? SCANNER_FILES : [] }),
    setScannerFolder: async (folder) => {
      scannerFolder = folder || null;
      return { folder: scannerFolder, files: scannerFolder ? SCANNER_FILES : [] };
    },
    attachScannerFile: async (name) => ({ sha256: "cd".repeat(32), file_name: name, size: 2048, media_type: "application/pdf" }),
    openPrint: async (_number, id) => {
      opened.push(`print ${id}`);
      return `/d/desk.prints/${id}.pdf`;
    },
  };
  return { calls, completions, deliveries, opened };
}
