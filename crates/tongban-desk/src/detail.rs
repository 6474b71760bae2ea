//! One case as the window's detail view shows it, and what the clerk does with it there:
//! 补正收件 (the applicant came back with materials), 结果已送达, scans, opening a kept PDF.
//! Which actions a status allows is asked of core's state machine, never re-encoded here or in
//! the window.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use tongban_core::applicant::{mask_id_number, Applicant};
use tongban_core::case::{
    check_side, Author, CaseEvent, CaseState, CaseStatus, EventBody, EventKind, ItemRef, Material, ResultDelivery, Side,
};
use tongban_core::region;
use tongban_store::{AuditKind, CaseSummary, FormKind, Seal, SealCheck, Store};

use crate::api::*;
use crate::printing::{self, beijing};
use crate::session::Permission;
use crate::{AppError, Desk};

/// The largest scan accepted: a multi-page A4 scan at 300 dpi stays well below it.
pub const MAX_SCAN_BYTES: usize = 20 * 1024 * 1024;

impl Desk {
    /// Everything about the case numbered `number`, with the actions its status allows.
    pub fn case_detail(&self, number: &str) -> Result<CaseDetail, AppError> {
        self.require_reader()?;
        let mut store = self.locked()?;
        let summary = store.case_by_number(number)?;
        let events = store.events_of(summary.id)?;
        let state = CaseState::fold(events.iter().filter(|e| e.set_aside.is_none()).map(|e| &e.event.body))
            .map_err(|e| AppError::new("invalid_transition", e.to_string()))?;
        let names: HashMap<String, String> = store.users()?.into_iter().map(|u| (u.login, u.display_name)).collect();
        let name_of = |login: &str| names.get(login).cloned().unwrap_or_else(|| login.to_string());
        // Another desk's users are named by their events; a login is looked up only among this
        // desk's own users, who made this desk's events.
        let this_desk = store.require_desk()?.id;
        let author_name = |author: &Author| {
            if !author.name.trim().is_empty() {
                author.name.clone()
            } else if author.desk == this_desk {
                name_of(&author.user)
            } else {
                author.user.clone()
            }
        };
        let today = Utc::now().with_timezone(&tongban_store::china_time()).date_naive();

        let mut history = Vec::new();
        let mut before: Vec<Material> = Vec::new();
        for stored in &events {
            let event = &stored.event;
            history.push(HistoryEntry {
                at: time_text(event.at),
                by: author_name(&event.author),
                side_label: event.body.kind().owner().label().to_string(),
                region_name: region::display_name(&event.author.region),
                what: event.body.kind().label().to_string(),
                details: event_details(&event.body, &before),
                pending_sync: stored.in_outbox,
                set_aside: stored.set_aside.as_ref().map(|a| format!("{}：{}", a.kind.label(), a.reason)),
                seal: stored.seal.as_ref().map(|seal| seal_view(&store, event, seal)).transpose()?,
            });
            if stored.set_aside.is_none() && !event.body.materials().is_empty() {
                before = event.body.materials().to_vec();
            }
        }
        // A calendar import that moved a clock is part of the case's story, in time order.
        let mut moved = store.clock_changes(summary.id)?.into_iter().peekable();
        if moved.peek().is_some() {
            let mut dated: Vec<(chrono::DateTime<Utc>, HistoryEntry)> =
                events.iter().map(|e| e.event.at).zip(history).collect();
            let desk_region = store.require_desk()?.region;
            for (at, text) in moved {
                dated.push((
                    at,
                    HistoryEntry {
                        at: time_text(at),
                        by: "系统".into(),
                        side_label: tongban_core::case::Side::Receiving.label().to_string(),
                        region_name: region::display_name(&desk_region),
                        what: "期限调整".into(),
                        details: vec![text],
                        pending_sync: false,
                        set_aside: None,
                        seal: None,
                    },
                ));
            }
            dated.sort_by_key(|(at, _)| *at);
            history = dated.into_iter().map(|(_, h)| h).collect();
        }

        let mut materials = Vec::new();
        let standings = tongban_core::case::standings(&state.materials);
        for (i, (m, standing)) in state.materials.iter().zip(standings).enumerate() {
            materials.push(material_view(&store, i, m, standing)?);
        }

        let prints = store
            .prints_of(summary.id)?
            .into_iter()
            .filter_map(|p| {
                let form = case_form(p.form)?;
                Some(PrintView {
                    id: p.id,
                    form,
                    form_label: p.form.label().to_string(),
                    at: time_text(p.printed_at),
                    by: name_of(&p.user),
                    reprint: p.reprint,
                })
            })
            .collect();

        let mut actions = actions(&store, &summary, &state)?;
        // Only what the logged-in user's role may do is offered.
        actions.retain(|a| match a.kind {
            CaseActionKind::Complete | CaseActionKind::Deliver => self.permit(Permission::TakeIn).is_ok(),
            CaseActionKind::Decide => self.permit(Permission::Decide).is_ok(),
            CaseActionKind::PrintReceipt | CaseActionKind::PrintNotice => true,
        });
        let intake = &state.intake;
        let form = &intake.form;
        let transfer = &form.transfer;
        let transfer_label = match (transfer.network, transfer.mail) {
            (true, true) => "网络流转、邮寄纸质材料",
            (true, false) => "网络流转",
            (false, _) => "邮寄纸质材料",
        };
        // The 受理条件 are not carried by the case: read from the catalog version it names.
        let catalog = match &form.item.catalog_version {
            Some(version) => store.catalog_version(&form.handling_region, version)?,
            None => None,
        };
        let detail = CaseDetail {
            id: summary.id.to_string(),
            number: summary.number.clone(),
            status: state.status,
            status_label: state.status.label().to_string(),
            item: item_line(&form.item, catalog.as_ref()),
            bundle_items: form.bundle_items.iter().map(|i| item_line(i, catalog.as_ref())).collect(),
            catalog_version: form.item.catalog_version.clone(),
            receiving_region_name: region::display_name(&intake.receiving_region),
            receiving_region: intake.receiving_region.clone(),
            handling_region_name: region::display_name(&form.handling_region),
            handling_region: form.handling_region.clone(),
            window: intake.window.clone(),
            applicant: applicant_view(&form.applicant),
            agent: form.agent.as_ref().map(|a| PartyView {
                kind_label: a.role.label().to_string(),
                name: a.name.clone(),
                id_label: a.id_kind.label().to_string(),
                id_masked: mask_id_number(&a.id_number),
                phone: a.phone.clone(),
                address: String::new(),
                legal_representative: String::new(),
                contact_name: String::new(),
            }),
            transfer_label: transfer_label.to_string(),
            transfer_waybill: transfer.waybill.clone(),
            delivery_label: match &form.delivery {
                ResultDelivery::AtWindow => "窗口领取".to_string(),
                ResultDelivery::Mail { recipient, phone, address } => {
                    format!("邮寄送达：{recipient} {phone} {address}")
                }
                other => other.option().label().to_string(),
            },
            result_waybill: state.result_waybill.clone(),
            received_at: time_text(summary.received_at),
            clerk_name: if summary.clerk_name.is_empty() {
                name_of(&summary.clerk)
            } else {
                summary.clerk_name.clone()
            },
            deadline: summary.deadline.map(|d| d.date.to_string()),
            deadline_estimated: summary.deadline.is_some_and(|d| d.estimated),
            clock_note: crate::clock_note(summary.deadline, state.status),
            promised_days: form.item.promised_days,
            overdue_days: crate::overdue_days(store.calendar(), summary.deadline.map(|d| d.date), state.status, today),
            notice_due: crate::due_date(store.calendar(), summary.notice_due, state.status, today),
            supplement_due: crate::due_date(store.calendar(), summary.supplement_due, state.status, today),
            owed_due: crate::due_date(store.calendar(), summary.owed_due, state.status, today),
            promise_label: form.item.promise_label(),
            pending_sync: summary.pending_sync,
            sync_label: if summary.pending_sync { "待同步" } else { "已同步" }.to_string(),
            note: form.note.clone(),
            materials,
            history,
            prints,
            actions,
        };
        self.audit(&mut store, AuditKind::CaseView, Some(summary.id), "详情")?;
        Ok(detail)
    }

    /// The whole 证件号码 of the applicant or agent, for the clerk who must read it out or check
    /// it against the card.
    pub fn reveal_id_number(&self, number: &str, party: Party) -> Result<String, AppError> {
        self.require_reader()?;
        let mut store = self.locked()?;
        let case = store.case_by_number(number)?.id;
        let state = store.case_state(case)?;
        let (id_number, whose) = match party {
            Party::Applicant => (state.intake.form.applicant.id_number().to_string(), "申请人"),
            Party::Agent => (
                state
                    .intake
                    .form
                    .agent
                    .map(|a| a.id_number)
                    .ok_or_else(|| AppError::new("invalid_input", format!("办件 {number} 没有代办人")))?,
                "代办人",
            ),
        };
        self.audit(&mut store, AuditKind::IdReveal, Some(case), format!("{whose}的证件号码"))?;
        Ok(id_number)
    }

    /// 补正收件: records the materials the applicant brought (and their scans) as the receiving
    /// side's event — 补齐材料 for a case 待补正, 告知补正 and 提交补正材料 for a partner's 需补正
    /// — all or nothing, then prints the 收件登记表 (or a new 一次性告知书 if something required
    /// is still missing). A failed print leaves the materials recorded and says why.
    pub fn complete_case(&self, number: &str, completion: &Completion) -> Result<Completed, AppError> {
        self.permit(Permission::TakeIn)?;
        let (status, missing) = {
            let mut store = self.locked()?;
            let summary = store.case_by_number(number)?;
            let state = store.case_state(summary.id)?;
            let desk = store.require_desk()?;
            check_receiving(&desk.region, &summary, EventKind::Completed)?;
            let refused = || {
                AppError::new(
                    "invalid_transition",
                    format!(
                        "办件 {} 状态为「{}」，没有待补正的材料，不能补正收件",
                        summary.number,
                        state.status.label()
                    ),
                )
            };
            // The status is checked before the ticks, so the clerk hears the real reason first.
            let owes = tongban_core::case::owed(&state.materials).next().is_some();
            completion_steps(state.status, state.materials.clone(), owes).ok_or_else(refused)?;
            let materials = ticked(&store, &state.materials, &completion.materials)?;
            let steps = completion_steps(state.status, materials.clone(), owes).ok_or_else(refused)?;
            let author = store.author(&self.actor(None)?)?;
            let now = Utc::now();
            let events: Vec<CaseEvent> = steps
                .into_iter()
                .map(|body| CaseEvent {
                    id: uuid::Uuid::now_v7(),
                    case_id: summary.id,
                    at: now,
                    author: author.clone(),
                    body,
                })
                .collect();
            store.append_batch(&events, true)?;
            let missing: Vec<String> = tongban_core::case::missing(&materials).map(|m| m.name.clone()).collect();
            (store.case_by_number(number)?.status, missing)
        };
        let form = if status == CaseStatus::AwaitingMaterials { CaseForm::Notice } else { CaseForm::Receipt };
        let (print, print_error) = match self.print_case_form(form, number, completion.then.unwrap_or(AfterPrint::Open))
        {
            Ok(outcome) => (Some(outcome), None),
            Err(e) => (None, Some(e.message)),
        };
        Ok(Completed { status, status_label: status.label().to_string(), missing, form, print, print_error })
    }

    /// 结果已送达: the result reached the applicant, at the window or by mail (with its waybill).
    pub fn record_delivery(&self, number: &str, record: &DeliveryRecord) -> Result<CaseStatus, AppError> {
        self.permit(Permission::TakeIn)?;
        let mut store = self.locked()?;
        let summary = store.case_by_number(number)?;
        let desk = store.require_desk()?;
        check_receiving(&desk.region, &summary, EventKind::Delivered)?;
        let extra = record.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let how = match record.way {
            DeliveryWay::AtWindow => "窗口领取".to_string(),
            DeliveryWay::Mail => {
                let waybill = record.waybill.as_deref().map(str::trim).filter(|w| !w.is_empty()).ok_or_else(|| {
                    AppError {
                        field: Some("waybill".into()), ..AppError::new("invalid_input", "邮寄送达须填写运单号")
                    }
                })?;
                format!("邮寄送达，运单号 {waybill}")
            }
        };
        let note = match extra {
            Some(extra) => format!("{how}；{extra}"),
            None => how,
        };
        let event = CaseEvent {
            id: uuid::Uuid::now_v7(),
            case_id: summary.id,
            at: Utc::now(),
            author: store.author(&self.actor(None)?)?,
            body: EventBody::Delivered { note },
        };
        store.append_local(&event)?;
        Ok(store.case_by_number(number)?.status)
    }

    /// Keeps a scan (PDF, JPEG, PNG or TIFF, checked by its first bytes) in the desk's blobs; the
    /// case refers to it by SHA-256 once 补正收件 records it, and sync uploads it before that event.
    pub fn attach_scan(&self, file_name: &str, bytes: &[u8]) -> Result<ScanView, AppError> {
        self.permit(Permission::TakeIn)?;
        // The window sends a bare name, a scanner folder a path of either platform: keep the last part.
        let name =
            file_name.trim().rsplit(['/', '\\']).next().filter(|n| !n.is_empty()).unwrap_or("扫描件").to_string();
        let invalid =
            |message: String| AppError { field: Some("scan".into()), ..AppError::new("invalid_input", message) };
        if bytes.is_empty() {
            return Err(invalid(format!("扫描件「{name}」是空文件")));
        }
        if bytes.len() > MAX_SCAN_BYTES {
            let mb = bytes.len() as f64 / (1024.0 * 1024.0);
            return Err(invalid(format!(
                "扫描件「{name}」有 {mb:.1} MB，超过 {} MB 的上限，请降低扫描分辨率或分成几份",
                MAX_SCAN_BYTES / (1024 * 1024)
            )));
        }
        let media_type = tongban_core::scan::media_type(bytes)
            .ok_or_else(|| invalid(format!("扫描件「{name}」不是 PDF、JPEG、PNG 或 TIFF 文件")))?;
        let info = self.locked()?.put_blob(bytes, media_type, &name, Utc::now())?;
        Ok(ScanView { sha256: info.sha256, file_name: name, size: info.size, media_type: info.media_type })
    }

    /// Opens a kept scan in the system viewer (a plain copy in the viewer's folder, see
    /// [`Desk::prints_dir`]).
    pub fn open_scan(&self, sha256: &str) -> Result<String, AppError> {
        self.require_reader()?;
        let (name, bytes) = {
            let mut store = self.locked()?;
            let info = store.blob_info(sha256)?.ok_or_else(|| {
                AppError::new("missing_blob", format!("本机没有扫描件 {}", sha256.get(..12).unwrap_or(sha256)))
            })?;
            let name = format!("{}-{}", sha256.get(..8).unwrap_or(sha256), info.file_name);
            let bytes = store.read_blob(sha256)?;
            let case = store.case_citing_scan(sha256)?;
            self.audit(&mut store, AuditKind::ScanOpen, case, info.file_name.clone())?;
            (name, bytes)
        };
        open_copy(self.prints_dir(), &name, &bytes)
    }

    /// Opens the PDF kept for one print of the case's forms, exactly as it was handed out.
    pub fn open_print(&self, number: &str, print_id: i64) -> Result<String, AppError> {
        self.require_reader()?;
        let (name, bytes) = {
            let store = self.locked()?;
            let summary = store.case_by_number(number)?;
            let print = store.prints_of(summary.id)?.into_iter().find(|p| p.id == print_id).ok_or_else(|| {
                AppError::new("unknown_print", format!("办件 {} 没有编号为 {print_id} 的打印记录", summary.number))
            })?;
            let name = store
                .blob_info(&print.pdf_sha256)?
                .map(|b| b.file_name)
                .unwrap_or_else(|| format!("{}-{}.pdf", print.form.label(), summary.number));
            let bytes = store.read_blob(&print.pdf_sha256)?;
            let mut store = store;
            self.audit(&mut store, AuditKind::Print, Some(summary.id), format!("查看存档的{}", print.form.label()))?;
            (name, bytes)
        };
        open_copy(self.prints_dir(), &name, &bytes)
    }
}

/// How many of the scanner folder's newest files the window lists.
const SCANNER_LISTED: usize = 12;

impl Desk {
    /// The scanner's output folder and its newest scans.
    pub fn scanner_folder(&self) -> Result<ScannerFolder, AppError> {
        let Some(folder) = self.locked()?.scanner_folder()? else {
            return Ok(ScannerFolder { folder: None, files: Vec::new() });
        };
        let entries = std::fs::read_dir(&folder).map_err(|e| {
            AppError::new("scanner_folder", format!("无法读取扫描仪文件夹「{folder}」：{e}，请检查设置"))
        })?;
        // Newest first by the folder's own listing; only those are opened to read their first
        // bytes (the window asks every few seconds, and a scanner folder keeps months of files).
        let mut candidates = Vec::new();
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() || meta.len() == 0 || meta.len() > MAX_SCAN_BYTES as u64 {
                continue;
            }
            let modified: DateTime<Utc> = meta.modified().map(DateTime::from).unwrap_or_else(|_| Utc::now());
            candidates.push((modified, entry.file_name().to_string_lossy().to_string(), meta.len(), entry.path()));
        }
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        // Only what attach_scan would take: the first bytes decide, not the extension.
        let files = candidates
            .into_iter()
            .filter(|(.., path)| {
                let mut head = [0u8; 8];
                let read = std::fs::File::open(path).and_then(|mut f| std::io::Read::read(&mut f, &mut head));
                read.is_ok_and(|n| tongban_core::scan::media_type(&head[..n]).is_some())
            })
            .take(SCANNER_LISTED)
            .map(|(at, name, size, _)| ScannerFile { name, size, modified: time_text(at) })
            .collect();
        Ok(ScannerFolder { folder: Some(folder), files })
    }

    /// Names the scanner's output folder (it must exist); empty forgets it.
    pub fn set_scanner_folder(&self, folder: &str) -> Result<ScannerFolder, AppError> {
        self.permit(Permission::TakeIn)?;
        let folder = folder.trim();
        if !folder.is_empty() && !std::path::Path::new(folder).is_dir() {
            return Err(AppError {
                field: Some("scanner_folder".into()),
                ..AppError::new("invalid_input", format!("扫描仪文件夹「{folder}」不存在或不是文件夹"))
            });
        }
        {
            let mut store = self.locked()?;
            let user = self.actor(None)?;
            store.set_scanner_folder(folder, &user, Utc::now())?;
        }
        self.scanner_folder()
    }

    /// Keeps one file of the scanner's folder as a scan, checked as [`Desk::attach_scan`] checks.
    pub fn attach_scanner_file(&self, name: &str) -> Result<ScanView, AppError> {
        self.permit(Permission::TakeIn)?;
        let folder = self
            .locked()?
            .scanner_folder()?
            .ok_or_else(|| AppError::new("scanner_folder", "还没有设置扫描仪文件夹"))?;
        // Only a plain name of a file in that folder, never a path that leads elsewhere.
        if name.is_empty() || name.contains(['/', '\\']) || name == ".." {
            return Err(AppError::new("invalid_input", format!("「{name}」不是扫描仪文件夹中的文件名")));
        }
        let path = std::path::Path::new(&folder).join(name);
        let bytes = std::fs::read(&path)
            .map_err(|e| AppError::new("scanner_folder", format!("无法读取扫描件「{}」：{e}", path.display())))?;
        self.attach_scan(name, &bytes)
    }
}

/// Writes `bytes` into `dir` as `name` and hands the file to the viewer; returns its path.
fn open_copy(dir: PathBuf, name: &str, bytes: &[u8]) -> Result<String, AppError> {
    let path = printing::save_pdf(&dir, name, bytes)?;
    crate::viewer::open_pdf(&path)?;
    Ok(path.display().to_string())
}

/// The events 补正收件 appends in `status`: core's state machine is asked which of the receiving
/// side's ways of recording returned materials fits (补齐材料; 提交补正材料, after 告知补正 if
/// the partner's 需补正 was not yet told).
/// The events recording what the applicant brought: 补齐材料, 提交补正材料 (after 告知补正), or,
/// in any other status of a case that `owes` 容缺 materials, 补交容缺材料.
pub(crate) fn completion_steps(status: CaseStatus, materials: Vec<Material>, owes: bool) -> Option<Vec<EventBody>> {
    let candidates = [
        vec![EventBody::Completed { materials: materials.clone() }],
        vec![EventBody::Supplemented { materials: materials.clone() }],
        vec![EventBody::SupplementNotified, EventBody::Supplemented { materials: materials.clone() }],
    ];
    let fits = |steps: &Vec<EventBody>| steps.iter().try_fold(status, |s, e| CaseStatus::apply(Some(s), e)).is_ok();
    candidates.into_iter().find(fits).or_else(|| {
        let owed = vec![EventBody::OwedReceived { materials }];
        (owes && fits(&owed)).then_some(owed)
    })
}

/// Whether the applicant has materials to bring in this status (补正收件 fits it).
pub(crate) fn awaits_applicant(status: CaseStatus) -> bool {
    completion_steps(status, Vec::new(), false).is_some()
}

/// Refuses an event of the receiving side on a desk that is not the case's receiving region.
fn check_receiving(desk_region: &str, case: &CaseSummary, kind: EventKind) -> Result<(), AppError> {
    let side = if desk_region == case.receiving_region { Side::Receiving } else { Side::Handling };
    check_side(kind, side).map_err(|e| {
        AppError::new(
            "wrong_side",
            format!("{e}：办件 {} 由{}受理", case.number, region::display_name(&case.receiving_region)),
        )
    })
}

/// The case's materials with the clerk's ticks applied: what was received stays received,
/// scans are added once each, and every scan must already be kept here.
fn ticked(store: &Store, current: &[Material], ticks: &[MaterialTick]) -> Result<Vec<Material>, AppError> {
    let mut out = current.to_vec();
    for tick in ticks {
        let m = out.get_mut(tick.position as usize).ok_or_else(|| {
            AppError::new(
                "invalid_input",
                format!("办件没有第 {} 项材料（共 {} 项，含条件材料）", tick.position + 1, current.len()),
            )
        })?;
        m.received |= tick.received || !tick.scans.is_empty();
        m.original_verified |= tick.original_verified;
        require_kept_scans(store, &m.name, &tick.scans)?;
        for sha in &tick.scans {
            if !m.scans.contains(sha) {
                m.scans.push(sha.clone());
            }
        }
    }
    if out == current {
        return Err(AppError::new("invalid_input", "没有勾选申请人本次提交的材料，也没有附加扫描件"));
    }
    Ok(out)
}

/// A case may only cite scans this desk keeps: the sync uploads them before the events.
pub(crate) fn require_kept_scans(store: &Store, material: &str, scans: &[String]) -> Result<(), AppError> {
    for sha in scans {
        if store.blob_info(sha)?.is_none() {
            return Err(AppError::new("missing_blob", format!("材料「{material}」的扫描件尚未保存到本机，请重新附加")));
        }
    }
    Ok(())
}

fn actions(store: &Store, case: &CaseSummary, state: &CaseState) -> Result<Vec<CaseAction>, AppError> {
    let desk = store.require_desk()?;
    let action =
        |kind, label: &str, shortcut: &str| CaseAction { kind, label: label.into(), shortcut: shortcut.into() };
    if desk.region != case.receiving_region {
        // A partner's case on its handling region's desk: the back office decides, nothing else.
        let decides =
            desk.region == case.handling_region && !crate::backoffice::decision_options(state.status).is_empty();
        return Ok(if decides { vec![action(CaseActionKind::Decide, "办理决定", "Ctrl+D")] } else { Vec::new() });
    }
    let mut out = Vec::new();
    let awaits_applicant = awaits_applicant(state.status);
    if awaits_applicant {
        out.push(action(CaseActionKind::Complete, "补正收件", "F4"));
    } else if tongban_core::case::owed(&state.materials).next().is_some() {
        out.push(action(CaseActionKind::Complete, "补交容缺材料", "F4"));
    }
    if CaseStatus::apply(Some(state.status), &EventBody::Delivered { note: String::new() }).is_ok() {
        out.push(action(CaseActionKind::Deliver, "结果已送达", "F7"));
    }
    let again = |form: FormKind| -> Result<&str, AppError> {
        let scope = printing::form_scope(store, form, case.id)?;
        Ok(if store.first_print(form, Some(case.id), &scope)?.is_some() { "补打" } else { "打印" })
    };
    let verb = again(FormKind::Receipt)?;
    out.push(action(CaseActionKind::PrintReceipt, &format!("{verb}收件登记表"), "Ctrl+P"));
    if awaits_applicant {
        let verb = again(FormKind::Notice)?;
        out.push(action(CaseActionKind::PrintNotice, &format!("{verb}一次性告知书"), "Ctrl+Shift+P"));
    }
    Ok(out)
}

fn case_form(form: FormKind) -> Option<CaseForm> {
    match form {
        FormKind::Receipt => Some(CaseForm::Receipt),
        FormKind::Notice => Some(CaseForm::Notice),
        FormKind::Ledger => None,
    }
}

fn material_view(
    store: &Store,
    position: usize,
    m: &Material,
    standing: tongban_core::case::Standing,
) -> Result<MaterialView, AppError> {
    use tongban_core::case::Standing;
    let mut scans = Vec::new();
    for sha in &m.scans {
        // A scan synced from another desk may not be here yet: listed by hash, size unknown.
        scans.push(match store.blob_info(sha)? {
            Some(b) => ScanView { sha256: b.sha256, file_name: b.file_name, size: b.size, media_type: b.media_type },
            None => ScanView {
                sha256: sha.clone(),
                file_name: format!("扫描件 {}（尚未同步到本机）", sha.get(..8).unwrap_or(sha)),
                size: 0,
                media_type: String::new(),
            },
        });
    }
    Ok(MaterialView {
        position: position as u32,
        name: m.name.clone(),
        form_label: m.form.label().to_string(),
        copies: m.copies,
        required: m.required,
        received: m.received,
        original_verified: m.original_verified,
        missing: standing == Standing::Missing,
        owed: standing == Standing::Owed,
        counts: m.counts_text(),
        choice: m.choice.clone(),
        deferral: m.deferral.map(|d| d.text()).unwrap_or_default(),
        condition: m.condition.clone(),
        standard: m.standard.clone(),
        note: m.note.clone(),
        e_license: m.e_license.as_ref().map(|l| format!("{} {}（{}）", l.kind, l.number, l.issuer)),
        scans,
    })
}

fn applicant_view(applicant: &Applicant) -> PartyView {
    match applicant {
        Applicant::Person(p) => PartyView {
            kind_label: "自然人".into(),
            name: p.name.clone(),
            id_label: p.id_kind.label().into(),
            id_masked: mask_id_number(&p.id_number),
            phone: p.phone.clone(),
            address: p.address.clone(),
            legal_representative: String::new(),
            contact_name: String::new(),
        },
        Applicant::Enterprise(e) => PartyView {
            kind_label: "法人或其他组织".into(),
            name: e.name.clone(),
            id_label: "统一社会信用代码".into(),
            id_masked: mask_id_number(&e.credit_code),
            phone: e.contact_phone.clone(),
            address: e.address.clone(),
            legal_representative: e.legal_representative.clone(),
            contact_name: e.contact_name.clone(),
        },
    }
}

fn item_line(item: &ItemRef, catalog: Option<&tongban_core::catalog::Catalog>) -> ItemLine {
    ItemLine {
        code: item.code.clone(),
        name: item.name.clone(),
        department: item.department.clone(),
        promised_days: item.promised_days,
        promise_label: item.promise_label(),
        kind_label: item.kind.map(|k| k.label().to_string()).unwrap_or_default(),
        basis: item.basis.clone(),
        conditions: catalog.and_then(|c| c.item(&item.code)).map(|i| i.conditions.clone()).unwrap_or_default(),
    }
}

/// A pulled event's seal, checked again now: the database may have been changed since.
fn seal_view(store: &Store, event: &CaseEvent, seal: &Seal) -> Result<SealView, AppError> {
    let hub = |region: &str| format!("{}通办中心", region::display_name(region));
    Ok(match store.seal_check(event, seal)? {
        SealCheck::Verified { region } => {
            SealView { verified: true, text: format!("已验证：{}签发", hub(&region)) }
        }
        SealCheck::VerifiedByEarlierKey { region } => SealView {
            verified: true,
            text: format!("已验证：{}签发（以其先前的签名公钥）", hub(&region)),
        },
        SealCheck::Broken { region, reason } => SealView {
            verified: false,
            text: format!("签名不符：本机记录与{}签发的内容不同，可能被改动过（{reason}）", hub(&region)),
        },
    })
}

fn time_text(t: DateTime<Utc>) -> String {
    beijing(t).format("%Y-%m-%d %H:%M").to_string()
}

/// What an event carries, in a line or two for the history.
fn event_details(body: &EventBody, before: &[Material]) -> Vec<String> {
    let names = |ms: &mut dyn Iterator<Item = &Material>| ms.map(|m| m.name.as_str()).collect::<Vec<_>>().join("、");
    let mut out = Vec::new();
    match body {
        EventBody::Received { intake } => {
            let ms = &intake.form.materials;
            out.push(format!("材料 {} 项，已收 {} 项", ms.len(), ms.iter().filter(|m| m.received).count()));
            let missing = names(&mut tongban_core::case::missing(ms));
            if !missing.is_empty() {
                out.push(format!("缺：{missing}"));
            }
            let owed = names(&mut tongban_core::case::owed(ms));
            if !owed.is_empty() {
                out.push(format!("容缺受理：{owed}"));
            }
            if let Some(w) = &intake.form.transfer.waybill {
                out.push(format!("材料寄递运单号：{w}"));
            }
        }
        EventBody::Completed { materials }
        | EventBody::Supplemented { materials }
        | EventBody::OwedReceived { materials } => {
            let was = |i: usize| before.get(i);
            let brought = names(
                &mut materials
                    .iter()
                    .enumerate()
                    .filter(|(i, m)| m.received && !was(*i).is_some_and(|b| b.received))
                    .map(|(_, m)| m),
            );
            if !brought.is_empty() {
                out.push(format!("本次收到：{brought}"));
            }
            let scans: usize = materials
                .iter()
                .enumerate()
                .map(|(i, m)| m.scans.len().saturating_sub(was(i).map_or(0, |b| b.scans.len())))
                .sum();
            if scans > 0 {
                out.push(format!("附扫描件 {scans} 份"));
            }
            let missing = names(&mut tongban_core::case::missing(materials));
            if !missing.is_empty() {
                out.push(format!("仍缺：{missing}"));
            }
            let owed = names(&mut tongban_core::case::owed(materials));
            if !owed.is_empty() {
                out.push(format!("仍容缺：{owed}"));
            }
        }
        EventBody::Refused { reason } => out.push(format!("理由：{reason}")),
        EventBody::SupplementRequested { items, note } => {
            out.push(format!("须补正：{}", items.join("；")));
            if !note.trim().is_empty() {
                out.push(note.clone());
            }
        }
        EventBody::Concluded { approved, note } => {
            out.push(if *approved { "准予".to_string() } else { "不予".to_string() });
            if !note.trim().is_empty() {
                out.push(note.clone());
            }
        }
        EventBody::ResultMailed { waybill } => out.push(format!("运单号：{waybill}")),
        EventBody::Delivered { note } if !note.trim().is_empty() => out.push(note.clone()),
        EventBody::Renumbered { from, to, reason } => {
            out.push(format!("原编号 {from} 改为 {to}"));
            out.push(reason.clone());
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_applicant_is_awaited_while_something_is_to_be_supplemented() {
        let awaited: Vec<CaseStatus> = CaseStatus::ALL.into_iter().filter(|s| awaits_applicant(*s)).collect();
        assert_eq!(
            awaited,
            [CaseStatus::AwaitingMaterials, CaseStatus::Supplementing, CaseStatus::SupplementRequested]
        );
    }
}
