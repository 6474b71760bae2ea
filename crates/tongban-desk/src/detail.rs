//! One case as the window's detail view shows it, and what the clerk does with it there:
//! 补正收件 (the applicant came back with materials) and 结果已送达.
//! Which actions a status allows is asked of core's state machine, never re-encoded here or in
//! the window.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tongban_core::applicant::{mask_id_number, Applicant};
use tongban_core::case::{Author, CaseEvent, CaseState, CaseStatus, EventBody, ItemRef, Material, ResultDelivery};
use tongban_core::code::{DeskCode, HubCode};
use tongban_core::paper::{Direction, Package, PackedMaterial};
use tongban_core::region;
use tongban_store::{AuditKind, CaseSummary, FormKind, Seal, SealCheck, Store};

use crate::api::*;
use crate::completion::awaits_applicant;
use crate::printing::{self, beijing};
use crate::session::Permission;
use crate::{AppError, Desk};

impl Desk {
    /// Everything about the case numbered `number`, with the actions its status allows.
    pub fn case_detail(&self, number: &str) -> Result<CaseDetail, AppError> {
        self.require_reader()?;
        let mut store = self.locked()?;
        let summary = store.case_by_number(number)?;
        let events = store.events_of(summary.id)?;
        let state = CaseState::fold(events.iter().filter(|e| e.set_aside.is_none()).map(|e| &e.event.body))
            .map_err(|e| AppError::new(HubCode::InvalidTransition, e.to_string()))?;
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
        let today = Utc::now().with_timezone(&tongban_core::time::china_time()).date_naive();

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

        let kept: Vec<CaseEvent> = events.iter().filter(|e| e.set_aside.is_none()).map(|e| e.event.clone()).collect();
        let packages = tongban_core::paper::packages(&kept);
        let (package_views, originals) = crate::paper::views(&packages, &state.materials, author_name);
        let mut materials = Vec::new();
        let standings = tongban_core::case::standings(&state.materials);
        for (i, (m, standing)) in state.materials.iter().zip(standings).enumerate() {
            materials.push(material_view(&store, i, m, standing)?);
        }

        let prints = store
            .prints_of(summary.id)?
            .into_iter()
            .filter(|p| p.form.is_of_a_case())
            .map(|p| PrintView {
                id: p.id,
                form: p.form,
                form_label: p.form.label().to_string(),
                at: time_text(p.printed_at),
                by: name_of(&p.user),
                reprint: p.reprint,
            })
            .collect();

        let mut actions = actions(&store, &summary, &state, &packages)?;
        // Only what the logged-in user's role may do is offered.
        actions.retain(|a| match a.kind {
            CaseActionKind::Complete
            | CaseActionKind::Deliver
            | CaseActionKind::MailOriginals
            | CaseActionKind::SignResult => self.permit(Permission::TakeIn).is_ok(),
            CaseActionKind::Decide | CaseActionKind::SignOriginals => self.permit(Permission::Decide).is_ok(),
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
            notice_rule: form.notice_rule().to_string(),
            supplement_due: crate::due_date(store.calendar(), summary.supplement_due, state.status, today),
            owed_due: crate::due_date(store.calendar(), summary.owed_due, state.status, today),
            promise_label: form.item.promise_label(),
            pending_sync: summary.pending_sync,
            sync_label: if summary.pending_sync { "待同步" } else { "已同步" }.to_string(),
            note: form.note.clone(),
            materials,
            packages: package_views,
            originals,
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
                    .ok_or_else(|| AppError::new(DeskCode::InvalidInput, format!("办件 {number} 没有代办人")))?,
                "代办人",
            ),
        };
        self.audit(&mut store, AuditKind::IdReveal, Some(case), format!("{whose}的证件号码"))?;
        Ok(id_number)
    }
}

fn actions(
    store: &Store,
    case: &CaseSummary,
    state: &CaseState,
    packages: &[Package],
) -> Result<Vec<CaseAction>, AppError> {
    let desk = store.require_desk()?;
    let action =
        |kind, label: &str, shortcut: &str| CaseAction { kind, label: label.into(), shortcut: shortcut.into() };
    if desk.region != case.receiving_region {
        // A partner's case on its handling region's desk: the back office decides and signs
        // for the originals, nothing else.
        let mut out = Vec::new();
        if desk.region == case.handling_region {
            if !crate::backoffice::decision_options(state.status).is_empty() {
                out.push(action(CaseActionKind::Decide, "办理决定", "Ctrl+D"));
            }
            if tongban_core::paper::unsigned_originals(packages).next().is_some() {
                out.push(action(CaseActionKind::SignOriginals, "签收原件", "F8"));
            }
        }
        return Ok(out);
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
    // 寄递 after the forms. Paper to mail, on a case whose 流转方式 includes mail: any received material with paper,
    // whatever was mailed before (a second package for what the applicant brought later, or for
    // what went missing). `tongban case mail` records a package on any case.
    let by_mail = state.intake.form.transfer.mail;
    if by_mail && !state.status.is_final() && state.materials.iter().any(|m| PackedMaterial::of(m).is_some()) {
        out.push(action(CaseActionKind::MailOriginals, "寄出原件", "F8"));
    }
    // 签收结果 while the result is on its way (once handed over, a late 签收 is the CLI's).
    let result_due = state.status == CaseStatus::ResultMailed;
    if result_due && packages.iter().any(|p| p.direction == Direction::Result && p.signed.is_none()) {
        out.push(action(CaseActionKind::SignResult, "签收结果", "F9"));
    }
    Ok(out)
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
    let listed = catalog.and_then(|c| c.item(&item.code));
    // A case taken in before the fee was carried: the catalog version it names says it.
    let fee = item.fee_label().or_else(|| {
        listed
            .map(|l| ItemRef { fee: Some(l.fee.clone()), fee_basis: l.fee_basis.clone(), ..item.clone() })?
            .fee_label()
    });
    ItemLine {
        code: item.code.clone(),
        name: item.name.clone(),
        department: item.department.clone(),
        promised_days: item.promised_days,
        promise_label: item.promise_label(),
        kind_label: item.kind.map(|k| k.label().to_string()).unwrap_or_default(),
        basis: item.basis.clone(),
        conditions: listed.map(|i| i.conditions.clone()).unwrap_or_default(),
        decided_by: item.decider().to_string(),
        fee: fee.unwrap_or_default(),
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

pub(crate) fn time_text(t: DateTime<Utc>) -> String {
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
        body if body.kind().is_paper() => out = tongban_core::paper::event_lines(body),
        _ => {}
    }
    out
}
