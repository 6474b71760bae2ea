import { describe, expect, it, vi } from "vitest";
import { BackendError, createTauriBackend, toBackendError } from "./backend";
import { emptyFilter, buildQuery } from "./queue/query";

describe("toBackendError", () => {
  it("keeps the code and Chinese message of a command error", () => {
    const e = toBackendError({ code: "desk_not_initialized", message: "本机尚未设置受理台" });
    expect(e).toBeInstanceOf(BackendError);
    expect(e.code).toBe("desk_not_initialized");
    expect(e.message).toBe("本机尚未设置受理台");
  });
  it("keeps the field at fault when there is one", () => {
    const e = toBackendError({ code: "invalid_field", message: "证件号码校验位不正确", field: "applicant.id_number" });
    expect(e.field).toBe("applicant.id_number");
    expect(toBackendError({ code: "x", message: "y" }).field).toBeUndefined();
  });
  it("wraps Tauri's plain-string rejections", () => {
    const e = toBackendError("command list_cases not found");
    expect(e.code).toBe("internal");
    expect(e.message).toBe("command list_cases not found");
  });
  it("gives a Chinese message when there is nothing to show", () => {
    expect(toBackendError(undefined).message).toMatch(/通信失败/);
    expect(toBackendError({}).message).toMatch(/通信失败/);
  });
});

describe("createTauriBackend", () => {
  it("calls the commands by name, with the query under `query`", async () => {
    const invoke = vi.fn().mockResolvedValue({ rows: [], total: 0 });
    const b = createTauriBackend(invoke as never);
    const q = buildQuery(emptyFilter(), 2, 20);
    await b.listCases(q);
    expect(invoke).toHaveBeenCalledWith("list_cases", { query: q });
    invoke.mockResolvedValue([]);
    await b.caseStatuses();
    expect(invoke).toHaveBeenLastCalledWith("case_statuses", undefined);
  });
  it("calls the intake commands with their argument names", async () => {
    const invoke = vi.fn().mockResolvedValue({});
    const b = createTauriBackend(invoke as never);
    await b.itemChoices();
    expect(invoke).toHaveBeenLastCalledWith("item_choices", undefined);
    await b.itemDetails("110106", "X1");
    expect(invoke).toHaveBeenLastCalledWith("item_details", { partner: "110106", code: "X1" });
    await b.checkField("id_number", "resident_id", "11");
    expect(invoke).toHaveBeenLastCalledWith("check_field", { kind: "id_number", idKind: "resident_id", value: "11" });
    const draft = { partner: "110106", item: "X1" } as never;
    await b.takeIn(draft);
    expect(invoke).toHaveBeenLastCalledWith("take_in", { draft });
  });
  it("turns rejections into BackendError", async () => {
    const invoke = vi.fn().mockRejectedValue({ code: "db_error", message: "数据库已损坏" });
    const b = createTauriBackend(invoke as never);
    await expect(b.deskInfo()).rejects.toMatchObject({ code: "db_error", message: "数据库已损坏" });
  });
});

describe("the case detail commands", () => {
  it("send a scan as the raw body with its name encoded in a header, the rest by argument name", async () => {
    const invoke = vi.fn().mockResolvedValue({});
    const b = createTauriBackend(invoke as never);
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46]);
    await b.attachScan("身份证 正面.pdf", bytes);
    expect(invoke).toHaveBeenLastCalledWith("attach_scan", bytes, {
      headers: { "file-name": "%E8%BA%AB%E4%BB%BD%E8%AF%81%20%E6%AD%A3%E9%9D%A2.pdf" },
    });
    await b.completeCase("N1", { materials: [], then: "open" });
    expect(invoke).toHaveBeenLastCalledWith("complete_case", { number: "N1", completion: { materials: [], then: "open" } });
    await b.openPrint("N1", 4);
    expect(invoke).toHaveBeenLastCalledWith("open_print", { number: "N1", printId: 4 });
    await b.revealIdNumber("N1", "agent");
    expect(invoke).toHaveBeenLastCalledWith("reveal_id_number", { number: "N1", party: "agent" });
  });
});
