//! Paper both ways at the desk (寄递): the receiving desk mails the originals (寄出原件) and signs
//! for the mailed result (签收结果); the handling region's back office signs for the originals
//! (签收原件), naming what the package lacked. Each is an event that syncs like any other, so the
//! other side sees it after its next round; a case's detail shows the packages and where each
//! original is ([`tongban_core::paper`] reads both from the events).

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tongban_core::case::{CaseEvent, CaseState, EventBody, EventKind, Material};
use tongban_core::code::{DeskCode, HubCode};
use tongban_core::paper::{self, Direction, Package, PackedMaterial};
use tongban_core::region;
use tongban_store::{CaseSummary, Store, StoreError};
use ts_rs::TS;

use crate::session::Permission;
use crate::{AppError, Desk};

/// The carriers the window offers (any other may be typed).
pub const CARRIERS: [&str; 4] = ["EMS", "顺丰速运", "京东物流", "中通快递"];

/// 寄出原件 as the window's form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct Mailing {
    pub waybill: String,
    pub carrier: String,
    /// What went in the package; a line with no originals and no copies is left out.
    pub contents: Vec<PackedMaterial>,
    pub note: String,
}

/// What 寄出原件 starts from: the paper of every received material as the case took it in,
/// less what went in an earlier package, and the carriers to pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MailingDraft {
    pub contents: Vec<PackedMaterial>,
    pub carriers: Vec<String>,
}

/// 签收原件 as the back office's form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct OriginalsSigning {
    /// The package signed for (one of the case's originals packages not signed yet).
    pub waybill: String,
    /// Names of the package's materials that were not in it.
    pub missing: Vec<String>,
    pub note: String,
}

/// What a 寄递 command recorded, as the window says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PaperRecorded {
    pub message: String,
    /// Never blocking: a waybill in a format the desk does not know, or typed for another case.
    pub warnings: Vec<String>,
}

/// A package as a case's detail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PackageView {
    pub direction: Direction,
    /// 原件寄往办理地 / 结果寄回.
    pub direction_label: String,
    pub waybill: String,
    pub carrier: String,
    /// Each material with its counts, e.g. 户口簿 原件1份.
    pub contents: Vec<String>,
    /// The names of the materials in it (what a 签收 may name as missing).
    pub materials: Vec<String>,
    pub note: String,
    pub mailed_at: String,
    pub mailed_by: String,
    /// 未签收, 已签收, or 已签收，缺：…
    pub state_label: String,
    pub signed: bool,
    pub signed_at: Option<String>,
    pub signed_by: Option<String>,
    pub signed_note: String,
    /// What the package lacked on arrival.
    pub missing: Vec<String>,
}

/// Where one original is, as a case's detail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OriginalView {
    pub name: String,
    /// 在本窗口（未寄出）, 寄往办理地途中（EMS EA123456785CN）, 办理地已签收, 到件缺失.
    pub whereabouts: String,
    /// Missing on arrival: someone must look for it.
    pub trouble: bool,
}

impl Desk {
    /// What 寄出原件 offers for case `number`.
    pub fn mailing_draft(&self, number: &str) -> Result<MailingDraft, AppError> {
        self.permit(Permission::TakeIn)?;
        let store = self.locked()?;
        let (case, materials, packages) = paper_of(&store, number)?;
        check_side(&store, &case, EventKind::OriginalsMailed)?;
        let sent_before =
            |m: &Material| packages.iter().any(|p| p.direction == Direction::Originals && packs(p, &m.name));
        let contents = materials.iter().filter(|m| !sent_before(m)).filter_map(PackedMaterial::of).collect();
        Ok(MailingDraft { contents, carriers: CARRIERS.iter().map(|c| c.to_string()).collect() })
    }

    /// 寄出原件: records the package the receiving desk mailed to the handling region. A waybill
    /// in the UPU S10 form with a wrong check digit is refused; one in a format the desk does not
    /// know, or already typed for another case, is recorded with a warning.
    pub fn mail_originals(&self, number: &str, mailing: &Mailing) -> Result<PaperRecorded, AppError> {
        self.permit(Permission::TakeIn)?;
        let mut store = self.locked()?;
        let (case, materials, packages) = paper_of(&store, number)?;
        check_side(&store, &case, EventKind::OriginalsMailed)?;
        let waybill = checked_waybill(&mailing.waybill)?;
        if packages.iter().any(|p| paper::same_waybill(&p.waybill, &waybill)) {
            return Err(at("waybill", format!("运单号 {waybill} 已登记在本件的包裹上，请核对面单")));
        }
        let mut contents: Vec<PackedMaterial> = Vec::new();
        for (i, line) in mailing.contents.iter().enumerate() {
            let name = line.name.trim();
            if line.originals + line.copies == 0 {
                continue;
            }
            if !materials.iter().any(|m| m.name == name) {
                return Err(at(&format!("contents[{i}].name"), format!("「{name}」不是办件 {number} 的材料")));
            }
            if contents.iter().any(|c| c.name == name) {
                return Err(at(&format!("contents[{i}].name"), format!("「{name}」在包裹清单中列了两次")));
            }
            contents.push(PackedMaterial { name: name.to_string(), originals: line.originals, copies: line.copies });
        }
        let body = EventBody::OriginalsMailed {
            waybill: waybill.clone(),
            carrier: mailing.carrier.trim().to_string(),
            contents,
            note: mailing.note.trim().to_string(),
        };
        if let Some(missing) = body.missing_content() {
            return Err(at("contents", missing.to_string()));
        }
        let warnings = crate::waybill_warnings(&store, &waybill, &case.number)?;
        let summary = paper::event_lines(&body).join("，");
        self.append(&mut store, &case, body)?;
        Ok(PaperRecorded {
            message: format!(
                "办件 {} 已登记寄出原件（{summary}），将在下次同步时告知{}",
                case.number,
                region::display_name(&case.handling_region)
            ),
            warnings,
        })
    }

    /// 签收原件: the handling region's back office received the package `waybill` of case `number`,
    /// with `missing` not in it.
    pub fn sign_originals(&self, number: &str, signing: &OriginalsSigning) -> Result<PaperRecorded, AppError> {
        self.permit(Permission::Decide)?;
        let mut store = self.locked()?;
        let (case, _, packages) = paper_of(&store, number)?;
        check_side(&store, &case, EventKind::OriginalsSigned)?;
        let open: Vec<&Package> = paper::unsigned_originals(&packages).collect();
        let package = open.iter().find(|p| paper::same_waybill(&p.waybill, &signing.waybill)).ok_or_else(|| {
            let waiting = open.iter().map(|p| p.waybill.as_str()).collect::<Vec<_>>().join("、");
            let message = if waiting.is_empty() {
                format!("办件 {number} 没有待签收的原件包裹")
            } else {
                format!("办件 {number} 没有待签收的运单「{}」；待签收：{waiting}", signing.waybill.trim())
            };
            at("waybill", message)
        })?;
        let mut missing: Vec<String> = Vec::new();
        for (i, name) in signing.missing.iter().map(|n| n.trim()).enumerate() {
            if !package.contents.iter().any(|c| c.name == name) {
                return Err(at(
                    &format!("missing[{i}]"),
                    format!("「{name}」不在运单 {} 的包裹清单中", package.waybill),
                ));
            }
            if !missing.iter().any(|m| m == name) {
                missing.push(name.to_string());
            }
        }
        let waybill = package.waybill.clone();
        let message = if missing.is_empty() {
            format!("办件 {} 的原件包裹（运单 {waybill}）已签收，材料齐全", case.number)
        } else {
            format!("办件 {} 的原件包裹（运单 {waybill}）已签收，到件缺：{}", case.number, missing.join("、"))
        };
        let body = EventBody::OriginalsSigned { waybill, missing, note: signing.note.trim().to_string() };
        self.append(&mut store, &case, body)?;
        Ok(PaperRecorded { message: format!("{message}；将在下次同步时告知受理地"), warnings: Vec::new() })
    }

    /// 签收结果: the receiving desk received the result the handling region mailed.
    pub fn sign_result(&self, number: &str, note: &str) -> Result<PaperRecorded, AppError> {
        self.permit(Permission::TakeIn)?;
        let mut store = self.locked()?;
        let (case, _, packages) = paper_of(&store, number)?;
        check_side(&store, &case, EventKind::ResultSigned)?;
        let package =
            packages.iter().rev().find(|p| p.direction == Direction::Result && p.signed.is_none()).ok_or_else(
                || AppError::new(HubCode::InvalidTransition, format!("办件 {number} 没有待签收的结果包裹")),
            )?;
        let waybill = package.waybill.clone();
        let body = EventBody::ResultSigned { waybill: waybill.clone(), note: note.trim().to_string() };
        self.append(&mut store, &case, body)?;
        Ok(PaperRecorded {
            message: format!("办件 {} 的办理结果（运单 {waybill}）已签收，可通知申请人领取或送达", case.number),
            warnings: Vec::new(),
        })
    }

    fn append(&self, store: &mut Store, case: &CaseSummary, body: EventBody) -> Result<(), AppError> {
        let event = CaseEvent {
            id: uuid::Uuid::now_v7(),
            case_id: case.id,
            at: Utc::now(),
            author: store.author(&self.actor(None)?)?,
            body,
        };
        store.append_local(&event)?;
        Ok(())
    }
}

/// A case's packages and where each original is, for its detail view; `name_of` names an author.
pub(crate) fn views(
    packages: &[Package],
    materials: &[Material],
    name_of: impl Fn(&tongban_core::case::Author) -> String,
) -> (Vec<PackageView>, Vec<OriginalView>) {
    let packages_shown = packages
        .iter()
        .map(|p| {
            let signed = p.signed.as_ref();
            let state_label = match signed {
                None => "未签收".to_string(),
                Some(s) if s.missing.is_empty() => "已签收".to_string(),
                Some(s) => format!("已签收，缺：{}", s.missing.join("、")),
            };
            PackageView {
                direction: p.direction,
                direction_label: p.direction.label().to_string(),
                waybill: p.waybill.clone(),
                carrier: p.carrier.clone(),
                contents: p.contents.iter().map(|c| format!("{} {}", c.name, c.counts_text())).collect(),
                materials: p.contents.iter().map(|c| c.name.clone()).collect(),
                note: p.note.clone(),
                mailed_at: crate::detail::time_text(p.mailed_at),
                mailed_by: name_of(&p.mailed_by),
                state_label,
                signed: signed.is_some(),
                signed_at: signed.map(|s| crate::detail::time_text(s.at)),
                signed_by: signed.map(|s| name_of(&s.by)),
                signed_note: signed.map(|s| s.note.clone()).unwrap_or_default(),
                missing: signed.map(|s| s.missing.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let originals = paper::originals_whereabouts(materials, packages)
        .into_iter()
        .map(|(m, w)| OriginalView { name: m.name.clone(), whereabouts: w.text(), trouble: w.is_trouble() })
        .collect();
    (packages_shown, originals)
}

fn packs(p: &Package, name: &str) -> bool {
    p.contents.iter().any(|c| c.name == name)
}

/// The case, its materials as they are now, and its packages.
fn paper_of(store: &Store, number: &str) -> Result<(CaseSummary, Vec<Material>, Vec<Package>), AppError> {
    let case = store.case_by_number(number)?;
    // One read of the case's events: its materials are folded from the same ones.
    let events: Vec<CaseEvent> =
        store.events_of(case.id)?.into_iter().filter(|e| e.set_aside.is_none()).map(|e| e.event).collect();
    let state = CaseState::fold(events.iter().map(|e| &e.body))
        .map_err(|e| AppError::new(HubCode::InvalidTransition, e.to_string()))?;
    Ok((case, state.materials, paper::packages(&events)))
}

/// The side this desk is on for `case` must own `kind`: the receiving desk mails the originals
/// and signs for the result, the handling region's desk signs for the originals.
fn check_side(store: &Store, case: &CaseSummary, kind: EventKind) -> Result<(), AppError> {
    let desk = store.require_desk()?;
    let handles = desk.region == case.handling_region;
    if kind.owner() == tongban_core::case::Side::Handling && !handles {
        return Err(AppError::new(
            HubCode::NotHandlingRegion,
            format!(
                "办件 {} 由{}办理，本受理台属于{}，不能「{}」",
                case.number,
                region::display_name(&case.handling_region),
                region::display_name(&desk.region),
                kind.label()
            ),
        ));
    }
    crate::completion::check_receiving(&desk.region, case, kind)
}

/// A waybill as typed, checked: the UPU S10 form's check digit, letters and digits only.
fn checked_waybill(typed: &str) -> Result<String, AppError> {
    let checked =
        tongban_core::waybill::check(typed).map_err(|e| AppError::from(StoreError::from(e.at("waybill", "运单号"))))?;
    Ok(checked.number)
}

fn at(field: &str, message: String) -> AppError {
    AppError { field: Some(field.to_string()), ..AppError::new(DeskCode::InvalidInput, message) }
}
