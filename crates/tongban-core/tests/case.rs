//! The life of a case (design.md §4), as data: the table of every allowed transition, the
//! owner of every event kind, folds of whole stories, the JSON wire names and the 办件编号.
//!
//! The tables below are written out by hand from design.md §4 and the doc comments of
//! `tongban_core::case`; they are not computed from the code under test.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use tongban_core::applicant::{Applicant, IdKind, Person};
use tongban_core::case::{
    check_side, Author, CaseEvent, CaseId, CaseNumber, CaseState, CaseStatus, DeskCode, EventBody, EventKind,
    FoldError, Intake, IntakeForm, ItemRef, Material, MaterialForm, ResultDelivery, Side, Transfer, TransitionError,
};
use tongban_core::paper::PackedMaterial;
use uuid::Uuid;

use CaseStatus as S;
use EventKind as E;

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/// Every allowed transition: (status before, or `None` before the first event) —event→ status
/// after. Anything not listed here is refused.
///
/// `Received` is listed with a complete intake; an incomplete one leads to 待补正 instead
/// (checked on its own below).
#[rustfmt::skip]
const ALLOWED: &[(Option<CaseStatus>, EventKind, CaseStatus)] = &[
    // 受理地: the intake. 收件 opens the case; a missing material means 待补正 until 补齐材料.
    (None,                         E::Received,            S::Received),            // (无) —收件→ 已收件
    (Some(S::AwaitingMaterials),   E::Completed,           S::Received),            // 待补正 —补齐材料→ 已收件
    // 受理地: the hub acknowledged the case. Desk-local; only a complete, undecided case.
    (Some(S::Received),            E::Pushed,              S::Pushed),              // 已收件 —推送办理地→ 已推送
    // 办理地: deciding on a complete case it holds. The hub never sees 已推送 (desk-local), so
    // the decision is allowed from 已收件 too; 已补正 is a complete case again after a 补正 loop.
    (Some(S::Received),            E::Accepted,            S::Accepted),            // 已收件 —受理→ 已受理
    (Some(S::Pushed),              E::Accepted,            S::Accepted),            // 已推送 —受理→ 已受理
    (Some(S::Supplemented),        E::Accepted,            S::Accepted),            // 已补正 —受理→ 已受理
    (Some(S::Received),            E::Refused,             S::Refused),             // 已收件 —不予受理→ 不予受理
    (Some(S::Pushed),              E::Refused,             S::Refused),             // 已推送 —不予受理→ 不予受理
    (Some(S::Supplemented),        E::Refused,             S::Refused),             // 已补正 —不予受理→ 不予受理
    // 办理地: 需补正, before the decision (again after a 补正) or while handling an accepted case.
    (Some(S::Received),            E::SupplementRequested, S::SupplementRequested), // 已收件 —要求补正→ 需补正
    (Some(S::Pushed),              E::SupplementRequested, S::SupplementRequested), // 已推送 —要求补正→ 需补正
    (Some(S::Supplemented),        E::SupplementRequested, S::SupplementRequested), // 已补正 —要求补正→ 需补正
    (Some(S::Accepted),            E::SupplementRequested, S::SupplementRequested), // 已受理 —要求补正→ 需补正
    (Some(S::Processing),          E::SupplementRequested, S::SupplementRequested), // 办理中 —要求补正→ 需补正
    // 受理地: the 补正 loop, 需补正 → 补正中 → 已补正.
    (Some(S::SupplementRequested), E::SupplementNotified,  S::Supplementing),       // 需补正 —告知补正→ 补正中
    (Some(S::Supplementing),       E::Supplemented,        S::Supplemented),        // 补正中 —提交补正材料→ 已补正
    // Not allowed: 需补正 —提交补正材料→ 已补正. The desk records 告知补正 (the 一次性告知) first.
    // 办理地: handling and the result.
    (Some(S::Accepted),            E::Processing,          S::Processing),          // 已受理 —开始办理→ 办理中
    (Some(S::Processing),          E::Concluded,           S::Concluded),           // 办理中 —办结→ 办结
    // 即办件: concluded on acceptance, without 办理中.
    (Some(S::Accepted),            E::Concluded,           S::Concluded),           // 已受理 —办结→ 办结
    (Some(S::Concluded),           E::ResultMailed,        S::ResultMailed),        // 办结 —寄出结果→ 结果已寄出
    // 受理地: the result (or the refusal) reaches the applicant: 已送达, final.
    (Some(S::Concluded),           E::Delivered,           S::Delivered),           // 办结 —送达结果→ 已送达
    (Some(S::ResultMailed),        E::Delivered,           S::Delivered),           // 结果已寄出 —送达结果→ 已送达
    (Some(S::Refused),             E::Delivered,           S::Delivered),           // 不予受理 —送达结果→ 已送达
    // 受理地: 更正编号 moves the case to a corrected 办件编号 and changes nothing else, in any status.
    (Some(S::AwaitingMaterials),   E::Renumbered,          S::AwaitingMaterials),
    (Some(S::Received),            E::Renumbered,          S::Received),
    (Some(S::Pushed),              E::Renumbered,          S::Pushed),
    (Some(S::Supplementing),       E::Renumbered,          S::Supplementing),
    (Some(S::Supplemented),        E::Renumbered,          S::Supplemented),
    (Some(S::Delivered),           E::Renumbered,          S::Delivered),
    (Some(S::Accepted),            E::Renumbered,          S::Accepted),
    (Some(S::Refused),             E::Renumbered,          S::Refused),
    (Some(S::SupplementRequested), E::Renumbered,          S::SupplementRequested),
    (Some(S::Processing),          E::Renumbered,          S::Processing),
    (Some(S::Concluded),           E::Renumbered,          S::Concluded),
    (Some(S::ResultMailed),        E::Renumbered,          S::ResultMailed),
    // 受理地: a 容缺 material brought after the intake; the case goes on as it was. A case
    // still 待补正 records it with the rest (补齐材料).
    (Some(S::Received),            E::OwedReceived,        S::Received),
    (Some(S::Pushed),              E::OwedReceived,        S::Pushed),
    (Some(S::Supplementing),       E::OwedReceived,        S::Supplementing),
    (Some(S::Supplemented),        E::OwedReceived,        S::Supplemented),
    (Some(S::Accepted),            E::OwedReceived,        S::Accepted),
    (Some(S::Refused),             E::OwedReceived,        S::Refused),
    (Some(S::SupplementRequested), E::OwedReceived,        S::SupplementRequested),
    (Some(S::Processing),          E::OwedReceived,        S::Processing),
    (Some(S::Concluded),           E::OwedReceived,        S::Concluded),
    (Some(S::ResultMailed),        E::OwedReceived,        S::ResultMailed),
    // 寄递: paper travels beside the case. Originals are mailed and signed for in any status;
    // the mailed result is signed for once mailed (or after it was handed over).
    (Some(S::AwaitingMaterials),   E::OriginalsMailed,     S::AwaitingMaterials),
    (Some(S::Received),            E::OriginalsMailed,     S::Received),
    (Some(S::Pushed),              E::OriginalsMailed,     S::Pushed),
    (Some(S::Supplementing),       E::OriginalsMailed,     S::Supplementing),
    (Some(S::Supplemented),        E::OriginalsMailed,     S::Supplemented),
    (Some(S::Delivered),           E::OriginalsMailed,     S::Delivered),
    (Some(S::Accepted),            E::OriginalsMailed,     S::Accepted),
    (Some(S::Refused),             E::OriginalsMailed,     S::Refused),
    (Some(S::SupplementRequested), E::OriginalsMailed,     S::SupplementRequested),
    (Some(S::Processing),          E::OriginalsMailed,     S::Processing),
    (Some(S::Concluded),           E::OriginalsMailed,     S::Concluded),
    (Some(S::ResultMailed),        E::OriginalsMailed,     S::ResultMailed),
    (Some(S::AwaitingMaterials),   E::OriginalsSigned,     S::AwaitingMaterials),
    (Some(S::Received),            E::OriginalsSigned,     S::Received),
    (Some(S::Pushed),              E::OriginalsSigned,     S::Pushed),
    (Some(S::Supplementing),       E::OriginalsSigned,     S::Supplementing),
    (Some(S::Supplemented),        E::OriginalsSigned,     S::Supplemented),
    (Some(S::Delivered),           E::OriginalsSigned,     S::Delivered),
    (Some(S::Accepted),            E::OriginalsSigned,     S::Accepted),
    (Some(S::Refused),             E::OriginalsSigned,     S::Refused),
    (Some(S::SupplementRequested), E::OriginalsSigned,     S::SupplementRequested),
    (Some(S::Processing),          E::OriginalsSigned,     S::Processing),
    (Some(S::Concluded),           E::OriginalsSigned,     S::Concluded),
    (Some(S::ResultMailed),        E::OriginalsSigned,     S::ResultMailed),
    (Some(S::ResultMailed),        E::ResultSigned,        S::ResultMailed),
    (Some(S::Delivered),           E::ResultSigned,        S::Delivered),
];

/// Which side enters each kind of event (design.md §4: 受理地 / 办理地).
const OWNERS: [(EventKind, Side, &str); 17] = [
    (E::Received, Side::Receiving, "收件"),
    (E::Completed, Side::Receiving, "补齐材料"),
    (E::Pushed, Side::Receiving, "推送办理地"),
    (E::SupplementNotified, Side::Receiving, "告知补正"),
    (E::Supplemented, Side::Receiving, "提交补正材料"),
    (E::Delivered, Side::Receiving, "送达结果"),
    (E::Renumbered, Side::Receiving, "更正编号"),
    (E::OwedReceived, Side::Receiving, "补交容缺材料"),
    (E::Accepted, Side::Handling, "受理"),
    (E::Refused, Side::Handling, "不予受理"),
    (E::SupplementRequested, Side::Handling, "要求补正"),
    (E::Processing, Side::Handling, "开始办理"),
    (E::Concluded, Side::Handling, "办结"),
    (E::ResultMailed, Side::Handling, "寄出结果"),
    (E::OriginalsMailed, Side::Receiving, "寄出原件"),
    (E::OriginalsSigned, Side::Handling, "签收原件"),
    (E::ResultSigned, Side::Receiving, "签收结果"),
];

/// Status labels and the side that sets each status (design.md §4).
const STATUSES: [(CaseStatus, Side, &str, &str); 12] = [
    (S::AwaitingMaterials, Side::Receiving, "待补正", "awaiting_materials"),
    (S::Received, Side::Receiving, "已收件", "received"),
    (S::Pushed, Side::Receiving, "已推送", "pushed"),
    (S::Supplementing, Side::Receiving, "补正中", "supplementing"),
    (S::Supplemented, Side::Receiving, "已补正", "supplemented"),
    (S::Delivered, Side::Receiving, "已送达", "delivered"),
    (S::Accepted, Side::Handling, "已受理", "accepted"),
    (S::Refused, Side::Handling, "不予受理", "refused"),
    (S::SupplementRequested, Side::Handling, "需补正", "supplement_requested"),
    (S::Processing, Side::Handling, "办理中", "processing"),
    (S::Concluded, Side::Handling, "办结", "concluded"),
    (S::ResultMailed, Side::Handling, "结果已寄出", "result_mailed"),
];

/// The wire names of event kinds (database `events.kind`, JSON `"type"`).
const KIND_NAMES: [(EventKind, &str); 17] = [
    (E::Received, "received"),
    (E::Completed, "completed"),
    (E::Pushed, "pushed"),
    (E::Accepted, "accepted"),
    (E::Refused, "refused"),
    (E::SupplementRequested, "supplement_requested"),
    (E::SupplementNotified, "supplement_notified"),
    (E::Supplemented, "supplemented"),
    (E::Processing, "processing"),
    (E::Concluded, "concluded"),
    (E::ResultMailed, "result_mailed"),
    (E::Delivered, "delivered"),
    (E::Renumbered, "renumbered"),
    (E::OwedReceived, "owed_received"),
    (E::OriginalsMailed, "originals_mailed"),
    (E::OriginalsSigned, "originals_signed"),
    (E::ResultSigned, "result_signed"),
];

// ---------------------------------------------------------------------------------------------
// Sample data
// ---------------------------------------------------------------------------------------------

fn material(name: &str, required: bool, received: bool) -> Material {
    Material {
        name: name.into(),
        form: MaterialForm::Original,
        copies: 1,
        originals: 1,
        choice: String::new(),
        deferral: None,
        required,
        standard: "在有效期内".into(),
        received,
        original_verified: received,
        scans: vec![],
        note: String::new(),
        condition: String::new(),
        items: vec![],
        e_license: None,
    }
}

fn form(complete: bool) -> IntakeForm {
    IntakeForm {
        item: ItemRef {
            code: "110106-SB-0001".into(),
            name: "企业职工基本养老保险关系转移接续申请".into(),
            department: "北京市丰台区社会保险事业管理中心".into(),
            promised_days: 15,
            promised_unit: Default::default(),
            kind: None,
            basis: String::new(),
            catalog_version: Some("2026-01".into()),
            decided_by: String::new(),
            fee: None,
            fee_basis: String::new(),
        },
        handling_region: "110106".into(),
        applicant: Applicant::Person(Person {
            name: "王建国".into(),
            id_kind: IdKind::ResidentId,
            id_number: "11010519491231002X".into(),
            phone: "13800138000".into(),
            address: "河南省南阳市新野县汉华路1号".into(),
        }),
        agent: None,
        materials: vec![
            material("居民身份证", true, true),
            material("基本养老保险参保缴费凭证", true, complete),
            // A conditional material that is not there never makes an intake incomplete.
            material("委托书", false, false),
        ],
        transfer: Transfer { network: true, mail: true, waybill: Some("1179000000001".into()) },
        delivery: ResultDelivery::Mail {
            recipient: "王建国".into(),
            phone: "13800138000".into(),
            address: "河南省南阳市新野县书院路18号".into(),
        },
        note: String::new(),
        bundle_items: vec![],
    }
}

fn intake(complete: bool) -> Intake {
    Intake {
        number: CaseNumber::parse("411329-20261123-A1-0007").unwrap(),
        receiving_region: "411329".into(),
        window: "新野县政务服务中心跨省通办专窗".into(),
        received_on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        form: form(complete),
    }
}

fn all_received() -> Vec<Material> {
    vec![material("居民身份证", true, true), material("基本养老保险参保缴费凭证", true, true)]
}

/// A representative body of each kind (`Received` with a complete intake).
fn body(kind: EventKind) -> EventBody {
    match kind {
        E::Received => EventBody::Received { intake: intake(true) },
        E::Completed => EventBody::Completed { materials: all_received() },
        E::Pushed => EventBody::Pushed,
        E::Accepted => EventBody::Accepted,
        E::Refused => EventBody::Refused { reason: "不属于本机关职责范围".into() },
        E::SupplementRequested => EventBody::SupplementRequested {
            items: vec!["参保缴费凭证需加盖社保经办机构业务章".into()],
            note: "请于5个工作日内补正".into(),
        },
        E::SupplementNotified => EventBody::SupplementNotified,
        E::Supplemented => {
            let mut m = all_received();
            m[1].note = "已加盖业务章".into();
            EventBody::Supplemented { materials: m }
        }
        E::Processing => EventBody::Processing,
        E::Concluded => EventBody::Concluded { approved: true, note: "准予办理".into() },
        E::ResultMailed => EventBody::ResultMailed { waybill: "1178300000004".into() },
        E::Delivered => EventBody::Delivered { note: "申请人签收".into() },
        E::Renumbered => EventBody::Renumbered {
            from: CaseNumber::parse("411329-20261123-A1-0007").unwrap(),
            to: CaseNumber::parse("411329-20261123-A3-0001").unwrap(),
            reason: "窗口代码 A1 已由另一台受理台使用".into(),
        },
        E::OwedReceived => EventBody::OwedReceived { materials: all_received() },
        E::OriginalsMailed => EventBody::OriginalsMailed {
            waybill: "EA123456785CN".into(),
            carrier: "EMS".into(),
            contents: vec![PackedMaterial { name: "居民身份证".into(), originals: 1, copies: 1 }],
            note: String::new(),
        },
        E::OriginalsSigned => {
            EventBody::OriginalsSigned { waybill: "EA123456785CN".into(), missing: vec![], note: String::new() }
        }
        E::ResultSigned => EventBody::ResultSigned { waybill: "1178300000004".into(), note: String::new() },
    }
}

fn froms() -> Vec<Option<CaseStatus>> {
    std::iter::once(None).chain(CaseStatus::ALL.into_iter().map(Some)).collect()
}

fn from_label(from: Option<CaseStatus>) -> &'static str {
    from.map(CaseStatus::label).unwrap_or("(无)")
}

// ---------------------------------------------------------------------------------------------
// The transition table
// ---------------------------------------------------------------------------------------------

#[test]
fn the_table_has_no_duplicate_rows_and_the_enumerations_are_complete() {
    let mut seen = HashMap::new();
    for &(from, kind, to) in ALLOWED {
        assert!(seen.insert((from, kind), to).is_none(), "duplicate row {from:?} {kind:?}");
    }
    // 13 "from" values × 17 kinds: every one of them is checked below.
    assert_eq!(froms().len(), 13);
    assert_eq!(EventKind::ALL.len(), 17);
    for (i, a) in EventKind::ALL.iter().enumerate() {
        assert!(!EventKind::ALL[..i].contains(a), "EventKind::ALL repeats {a:?}");
        assert_eq!(body(*a).kind(), *a, "the sample body of {a:?} has another kind");
    }
    for (i, a) in CaseStatus::ALL.iter().enumerate() {
        assert!(!CaseStatus::ALL[..i].contains(a), "CaseStatus::ALL repeats {a:?}");
    }
}

#[test]
fn every_status_and_event_pair_is_allowed_exactly_when_the_table_says_so() {
    let table: HashMap<(Option<CaseStatus>, EventKind), CaseStatus> =
        ALLOWED.iter().map(|&(from, kind, to)| ((from, kind), to)).collect();
    let mut allowed = 0;
    let mut refused = 0;
    for from in froms() {
        for kind in EventKind::ALL {
            let event = body(kind);
            let got = CaseStatus::apply(from, &event);
            match table.get(&(from, kind)) {
                Some(&to) => {
                    assert_eq!(got, Ok(to), "{} —{}→ should give {}", from_label(from), kind.label(), to.label());
                    allowed += 1;
                }
                None => {
                    let err = got.expect_err(&format!("{} —{}→ should be refused", from_label(from), kind.label()));
                    assert_eq!(err, TransitionError { event: kind, from });
                    let expected = match from {
                        None => format!("办件尚不存在，不能「{}」", kind.label()),
                        Some(s) => format!("办件状态为「{}」，不能「{}」", s.label(), kind.label()),
                    };
                    assert_eq!(err.to_string(), expected);
                    refused += 1;
                }
            }
        }
    }
    assert_eq!(allowed, ALLOWED.len());
    assert_eq!(allowed + refused, 13 * 17);
}

#[test]
fn the_events_offered_in_a_status_are_those_the_table_allows_for_that_side() {
    for from in CaseStatus::ALL {
        for side in [Side::Receiving, Side::Handling] {
            // 更正编号 is an admin's correction, never offered as a step.
            let expected: Vec<EventKind> = ALLOWED
                .iter()
                // Neither is a step offered by status (see `next_events`).
                .filter(|&&(f, kind, _)| {
                    f == Some(from)
                        && kind.owner() == side
                        && !matches!(kind, E::Renumbered | E::OwedReceived)
                        && !kind.is_paper()
                })
                .map(|&(_, kind, _)| kind)
                .collect();
            let mut offered = from.next_events(side);
            offered.sort_by_key(|k| EventKind::ALL.iter().position(|a| a == k));
            assert_eq!(offered, expected, "{} for {}", from.label(), side.label());
        }
        assert_eq!(from.awaits_decision(), from.next_events(Side::Handling).contains(&EventKind::Accepted));
    }
    assert_eq!(
        CaseStatus::Pushed.next_events(Side::Handling),
        [EventKind::Accepted, EventKind::Refused, EventKind::SupplementRequested]
    );
    assert_eq!(CaseStatus::Concluded.next_events(Side::Handling), [EventKind::ResultMailed]);
}

#[test]
fn refusals_read_in_plain_chinese() {
    let err = CaseStatus::apply(Some(S::AwaitingMaterials), &body(E::Concluded)).unwrap_err();
    assert_eq!(err.to_string(), "办件状态为「待补正」，不能「办结」");
    let err = CaseStatus::apply(None, &body(E::Accepted)).unwrap_err();
    assert_eq!(err.to_string(), "办件尚不存在，不能「受理」");
    let err = CaseStatus::apply(Some(S::Delivered), &body(E::Received)).unwrap_err();
    assert_eq!(err.to_string(), "办件状态为「已送达」，不能「收件」");
}

#[test]
fn an_intake_with_a_required_material_missing_waits_for_materials() {
    let incomplete = EventBody::Received { intake: intake(false) };
    assert_eq!(CaseStatus::apply(None, &incomplete), Ok(S::AwaitingMaterials));
    // An intake is never a second event, complete or not.
    for from in CaseStatus::ALL {
        assert_eq!(
            CaseStatus::apply(Some(from), &incomplete),
            Err(TransitionError { event: E::Received, from: Some(from) })
        );
    }
    // Only a missing *required* material counts.
    let mut optional_missing = intake(true);
    optional_missing.form.materials.retain(|m| !m.required || m.received);
    optional_missing.form.materials.push(material("授权委托书", false, false));
    assert_eq!(CaseStatus::apply(None, &EventBody::Received { intake: optional_missing }), Ok(S::Received));
    let mut no_materials = intake(true);
    no_materials.form.materials.clear();
    assert_eq!(CaseStatus::apply(None, &EventBody::Received { intake: no_materials }), Ok(S::Received));
}

#[test]
fn materials_brought_in_part_keep_the_case_waiting_and_the_rest_completes_it() {
    let mut part = intake(false).form.materials;
    part.push(material("户口簿", true, false));
    let first = part.iter().position(|m| m.required && !m.received).unwrap();
    part[first].received = true;
    assert!(tongban_core::case::missing(&part).next().is_some());
    let partly = EventBody::Completed { materials: part.clone() };
    assert_eq!(CaseStatus::apply(Some(S::AwaitingMaterials), &partly), Ok(S::AwaitingMaterials));
    for m in &mut part {
        m.received = true;
    }
    let story =
        [EventBody::Received { intake: intake(false) }, partly, EventBody::Completed { materials: part.clone() }];
    let state = CaseState::fold(&story).unwrap();
    assert_eq!(state.status, S::Received);
    assert_eq!(state.materials, part);
}

#[test]
fn only_a_delivered_case_is_final_and_nothing_leaves_it() {
    for s in CaseStatus::ALL {
        assert_eq!(s.is_final(), s == S::Delivered, "{s:?}");
    }
    // What may still be recorded on it (a 更正编号, a late 签收 of paper) keeps it 已送达.
    assert!(!ALLOWED.iter().any(|(from, _, to)| *from == Some(S::Delivered) && *to != S::Delivered));
}

#[test]
fn every_allowed_event_leads_into_a_status_of_its_own_side() {
    // "Statuses, each set by exactly one side": the event that sets a status is of that side.
    // (更正编号 sets none: it keeps the status it finds.)
    // A 更正编号, a 补交容缺材料 and 寄递 leave the status as it was.
    let keeps = |kind: &EventKind| matches!(kind, E::Renumbered | E::OwedReceived) || kind.is_paper();
    for &(from, kind, to) in ALLOWED.iter().filter(|(_, kind, _)| !keeps(kind)) {
        assert_eq!(kind.owner(), to.owner(), "{} —{}→ {}", from_label(from), kind.label(), to.label());
    }
    assert_eq!(E::Received.owner(), S::AwaitingMaterials.owner());
}

// ---------------------------------------------------------------------------------------------
// Owner sides
// ---------------------------------------------------------------------------------------------

#[test]
fn every_event_kind_has_its_owner_side_and_label() {
    for (kind, side, label) in OWNERS {
        assert_eq!(kind.owner(), side, "{kind:?}");
        assert_eq!(kind.label(), label, "{kind:?}");
    }
    let listed: Vec<EventKind> = OWNERS.iter().map(|o| o.0).collect();
    for kind in EventKind::ALL {
        assert!(listed.contains(&kind), "{kind:?} has no owner in the table");
    }
}

#[test]
fn check_side_accepts_the_owner_and_refuses_the_other_side_in_chinese() {
    for (kind, owner, label) in OWNERS {
        let other = match owner {
            Side::Receiving => Side::Handling,
            Side::Handling => Side::Receiving,
        };
        assert_eq!(check_side(kind, owner), Ok(()));
        let err = check_side(kind, other).unwrap_err();
        assert_eq!(err.event, kind);
        assert_eq!(err.author, other);
        assert_eq!(err.to_string(), format!("「{label}」只能由{}录入，不能由{}录入", owner.label(), other.label()));
    }
    assert_eq!(
        check_side(E::Accepted, Side::Receiving).unwrap_err().to_string(),
        "「受理」只能由办理地录入，不能由受理地录入"
    );
    assert_eq!(
        check_side(E::Received, Side::Handling).unwrap_err().to_string(),
        "「收件」只能由受理地录入，不能由办理地录入"
    );
    assert_eq!(Side::Receiving.label(), "受理地");
    assert_eq!(Side::Handling.label(), "办理地");
}

#[test]
fn pushed_is_the_only_event_that_stays_on_the_desk() {
    for kind in EventKind::ALL {
        assert_eq!(kind.is_local(), kind == E::Pushed, "{kind:?}");
    }
}

#[test]
fn every_status_has_its_side_label_and_parses_back() {
    for (status, side, label, name) in STATUSES {
        assert_eq!(status.owner(), side, "{status:?}");
        assert_eq!(status.label(), label);
        assert_eq!(status.to_string(), label);
        assert_eq!(status.as_str(), name);
        assert_eq!(CaseStatus::parse(label), Some(status));
        assert_eq!(CaseStatus::parse(name), Some(status));
        assert_eq!(CaseStatus::parse(&format!("  {label} ")), Some(status));
    }
    assert_eq!(CaseStatus::parse("已撤回"), None);
    assert_eq!(CaseStatus::parse(""), None);
    assert_eq!(CaseStatus::parse("RECEIVED"), None);
}

// ---------------------------------------------------------------------------------------------
// Folding whole stories
// ---------------------------------------------------------------------------------------------

#[test]
fn the_happy_path_folds_into_a_delivered_approved_case() {
    let story = [
        EventBody::Received { intake: intake(true) },
        EventBody::Pushed,
        EventBody::Accepted,
        EventBody::Processing,
        EventBody::Concluded { approved: true, note: "准予办理".into() },
        EventBody::ResultMailed { waybill: "1178300000004".into() },
        EventBody::Delivered { note: "申请人签收".into() },
    ];
    let statuses = [S::Received, S::Pushed, S::Accepted, S::Processing, S::Concluded, S::ResultMailed, S::Delivered];
    for n in 1..=story.len() {
        assert_eq!(CaseState::fold(&story[..n]).unwrap().status, statuses[n - 1], "after {n} events");
    }
    let state = CaseState::fold(&story).unwrap();
    assert_eq!(state.status, S::Delivered);
    assert_eq!(state.approved, Some(true));
    assert_eq!(state.result_waybill.as_deref(), Some("1178300000004"));
    assert_eq!(state.intake, intake(true));
    assert_eq!(state.materials, intake(true).form.materials);
    assert!(state.supplement_items.is_empty());
    assert_eq!(state.refusal_reason, None);
}

#[test]
fn a_conclusion_not_granted_is_remembered_as_such() {
    let story = [
        EventBody::Received { intake: intake(true) },
        EventBody::Accepted,
        EventBody::Concluded { approved: false, note: "不符合转移条件".into() },
        EventBody::Delivered { note: String::new() },
    ];
    let state = CaseState::fold(&story).unwrap();
    assert_eq!((state.status, state.approved, state.result_waybill), (S::Delivered, Some(false), None));
}

#[test]
fn the_supplement_loop_keeps_the_supplemented_materials_and_what_was_asked() {
    let supplemented = match body(E::Supplemented) {
        EventBody::Supplemented { materials } => materials,
        _ => unreachable!(),
    };
    let story = [
        EventBody::Received { intake: intake(true) },
        EventBody::Pushed,
        EventBody::SupplementRequested {
            items: vec!["参保缴费凭证需加盖社保经办机构业务章".into(), "补充近6个月缴费明细".into()],
            note: "请于5个工作日内补正".into(),
        },
        EventBody::SupplementNotified,
        EventBody::Supplemented { materials: supplemented.clone() },
        EventBody::Accepted,
    ];
    let state = CaseState::fold(&story).unwrap();
    assert_eq!(state.status, S::Accepted);
    assert_eq!(state.materials, supplemented);
    assert_ne!(state.materials, state.intake.form.materials, "the intake stays as taken in");
    assert_eq!(state.supplement_items, vec!["参保缴费凭证需加盖社保经办机构业务章", "补充近6个月缴费明细"]);
    assert_eq!(state.approved, None);
}

#[test]
fn completing_an_intake_replaces_the_materials_and_a_refusal_keeps_its_reason() {
    let story = [
        EventBody::Received { intake: intake(false) },
        EventBody::Completed { materials: all_received() },
        EventBody::Refused { reason: "不属于本机关职责范围".into() },
        EventBody::Delivered { note: "已当面告知".into() },
    ];
    let state = CaseState::fold(&story[..1]).unwrap();
    assert_eq!(state.status, S::AwaitingMaterials);
    assert_eq!(state.materials, intake(false).form.materials);
    let state = CaseState::fold(&story).unwrap();
    assert_eq!(state.status, S::Delivered);
    assert_eq!(state.materials, all_received());
    assert_eq!(state.refusal_reason.as_deref(), Some("不属于本机关职责范围"));
    assert_eq!(state.approved, None);
}

#[test]
fn folding_nothing_is_an_error() {
    let err = CaseState::fold(std::iter::empty()).unwrap_err();
    assert_eq!(err, FoldError::Empty);
    assert_eq!(err.to_string(), "办件没有任何事件");
}

#[test]
fn folding_stops_at_the_first_event_that_does_not_fit() {
    // Not an intake first.
    let err = CaseState::fold(&[EventBody::Accepted]).unwrap_err();
    assert_eq!(err, FoldError::Transition(TransitionError { event: E::Accepted, from: None }));
    assert_eq!(err.to_string(), "办件尚不存在，不能「受理」");
    // A bad third event; the later ones (which would fit nothing either) are never looked at.
    let story = [
        EventBody::Received { intake: intake(false) },
        EventBody::Completed { materials: all_received() },
        EventBody::Concluded { approved: true, note: String::new() },
        EventBody::Received { intake: intake(true) },
    ];
    let err = CaseState::fold(&story).unwrap_err();
    assert_eq!(err, FoldError::Transition(TransitionError { event: E::Concluded, from: Some(S::Received) }));
    assert_eq!(err.to_string(), "办件状态为「已收件」，不能「办结」");
}

#[test]
fn a_refused_event_changes_nothing_in_the_state() {
    let mut state = CaseState::fold(&[EventBody::Received { intake: intake(true) }]).unwrap();
    let before = state.clone();
    let err = state.apply(&EventBody::ResultMailed { waybill: "X".into() }).unwrap_err();
    assert_eq!(err, TransitionError { event: E::ResultMailed, from: Some(S::Received) });
    assert_eq!(state, before);
}

// ---------------------------------------------------------------------------------------------
// JSON: the wire contract
// ---------------------------------------------------------------------------------------------

fn event(body: EventBody) -> CaseEvent {
    CaseEvent {
        id: Uuid::now_v7(),
        case_id: CaseId(Uuid::now_v7()),
        at: DateTime::parse_from_rfc3339("2026-11-23T01:30:00.123Z").unwrap().with_timezone(&Utc),
        author: Author {
            user: "zhangmin".into(),
            desk: Uuid::now_v7().to_string(),
            region: "411329".into(),
            name: "张敏".into(),
        },
        body,
    }
}

#[test]
fn an_event_from_before_names_travelled_reads_with_an_empty_name_and_writes_back_the_same() {
    let ev = event(EventBody::Accepted);
    let mut json = serde_json::to_value(&ev).unwrap();
    assert_eq!(json["author"]["name"], "张敏");
    json["author"].as_object_mut().unwrap().remove("name");
    let old: CaseEvent = serde_json::from_value(json.clone()).unwrap();
    assert_eq!((old.author.name.as_str(), old.author.display()), ("", "zhangmin"));
    assert_eq!(serde_json::to_value(&old).unwrap(), json, "no name field appears");
    assert_eq!(ev.author.display(), "张敏");
}

#[test]
fn a_renumbering_moves_the_number_and_keeps_the_status() {
    let mut state = CaseState::start(&body(E::Received)).unwrap();
    state.apply(&body(E::Renumbered)).unwrap();
    assert_eq!((state.status, state.intake.number.as_str()), (S::Received, "411329-20261123-A3-0001"));
    let number = CaseNumber::parse("411329-20261123-A3-0001").unwrap();
    assert_eq!((number.region(), number.desk_code()), ("411329", "A3"));
    assert_eq!(number.date(), NaiveDate::from_ymd_opt(2026, 11, 23));
    assert_eq!(
        EventBody::Renumbered { from: number.clone(), to: number, reason: " ".into() }.missing_content(),
        Some("更正编号须写明原因")
    );
}

#[test]
fn every_event_survives_a_json_round_trip_with_its_type_on_top() {
    let mut bodies: Vec<EventBody> = EventKind::ALL.into_iter().map(body).collect();
    bodies.push(EventBody::Received { intake: intake(false) });
    bodies.push(EventBody::Concluded { approved: false, note: String::new() });
    for b in bodies {
        let kind = b.kind();
        let ev = event(b);
        let json = serde_json::to_value(&ev).unwrap();
        assert_eq!(json["type"], kind.as_str(), "{json}");
        assert_eq!(json["case_id"], ev.case_id.0.to_string());
        assert_eq!(json["id"], ev.id.to_string());
        let back: CaseEvent = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, ev);
        let text = serde_json::to_string(&ev).unwrap();
        assert_eq!(serde_json::from_str::<CaseEvent>(&text).unwrap(), ev);
    }
}

#[test]
fn the_intake_json_is_flat_and_the_number_is_a_plain_string() {
    let ev = event(body(E::Received));
    let json = serde_json::to_value(&ev).unwrap();
    let intake = &json["intake"];
    assert_eq!(intake["number"], "411329-20261123-A1-0007");
    assert_eq!(intake["received_on"], "2026-11-23");
    // The form is flattened into the intake.
    assert_eq!(intake["handling_region"], "110106");
    assert_eq!(intake["item"]["promised_days"], 15);
    assert_eq!(intake["applicant"]["kind"], "person");
    assert!(intake.get("form").is_none(), "{intake}");
    let unit = serde_json::to_value(event(EventBody::Pushed)).unwrap();
    assert_eq!(unit["type"], "pushed");
}

#[test]
fn wire_names_of_kinds_and_statuses_are_their_serde_names() {
    for (kind, name) in KIND_NAMES {
        assert_eq!(kind.as_str(), name);
        assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::Value::String(name.into()));
        assert_eq!(serde_json::from_value::<EventKind>(name.into()).unwrap(), kind);
        // The body's tag is the same name.
        assert_eq!(serde_json::to_value(body(kind)).unwrap()["type"], name);
    }
    for kind in EventKind::ALL {
        assert!(KIND_NAMES.iter().any(|(k, _)| *k == kind), "{kind:?} has no wire name in the table");
    }
    for (status, _, _, name) in STATUSES {
        assert_eq!(serde_json::to_value(status).unwrap(), serde_json::Value::String(name.into()));
        assert_eq!(serde_json::from_value::<CaseStatus>(name.into()).unwrap(), status);
    }
    for status in CaseStatus::ALL {
        assert_eq!(serde_json::to_value(status).unwrap(), serde_json::Value::String(status.as_str().into()));
    }
    for side in [(Side::Receiving, "receiving"), (Side::Handling, "handling")] {
        assert_eq!(serde_json::to_value(side.0).unwrap(), side.1);
    }
}

// ---------------------------------------------------------------------------------------------
// 办件编号 and 窗口代码
// ---------------------------------------------------------------------------------------------

fn desk_code() -> impl Strategy<Value = String> {
    "[A-Z0-9]{1,4}"
}

fn date_2000s() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2099, 12, 31).unwrap();
    (0..=(last - first).num_days()).prop_map(move |d| first + Duration::days(d))
}

proptest! {
    #[test]
    fn a_composed_number_parses_back_to_itself(
        region in "[0-9]{6}",
        date in date_2000s(),
        desk in desk_code(),
        seq in 1u32..=99_999,
    ) {
        let code = DeskCode::parse(&desk).unwrap();
        let number = CaseNumber::compose(&region, date, &code, seq);
        let text = number.as_str().to_string();
        prop_assert_eq!(CaseNumber::parse(&text), Ok(number.clone()));
        prop_assert_eq!(number.sequence(), seq);
        let parts: Vec<&str> = text.split('-').collect();
        prop_assert_eq!(parts.len(), 4);
        prop_assert_eq!(parts[0], region.as_str());
        prop_assert_eq!(parts[1], format!("{:04}{:02}{:02}", date.year(), date.month(), date.day()));
        prop_assert_eq!(parts[2], desk.as_str());
        prop_assert!(parts[3].len() >= 4);
        prop_assert_eq!(parts[3].parse::<u32>().unwrap(), seq);
        // Surrounding blanks are ignored.
        prop_assert_eq!(CaseNumber::parse(&format!(" {text}\t")), Ok(number.clone()));
        // JSON: a plain string.
        prop_assert_eq!(serde_json::to_value(&number).unwrap(), serde_json::Value::String(text));
    }

    #[test]
    fn numbers_of_one_desk_and_day_sort_by_sequence_up_to_9999(a in 1u32..=9999, b in 1u32..=9999) {
        let code = DeskCode::parse("A1").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let na = CaseNumber::compose("411329", day, &code, a);
        let nb = CaseNumber::compose("411329", day, &code, b);
        prop_assert_eq!(na.cmp(&nb), a.cmp(&b));
    }
}

#[test]
fn the_example_number_of_the_design_is_composed_and_read() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let n = CaseNumber::compose("411329", day, &DeskCode::parse("A1").unwrap(), 7);
    assert_eq!(n.as_str(), "411329-20261123-A1-0007");
    assert_eq!(n.to_string(), "411329-20261123-A1-0007");
    assert_eq!(n.sequence(), 7);
    assert_eq!(CaseNumber::parse("411329-20261123-A1-0007").unwrap().sequence(), 7);
    assert_eq!(CaseNumber::parse("411329-20261123-A1-12345").unwrap().sequence(), 12345);
}

#[test]
fn malformed_numbers_are_refused_with_the_expected_format() {
    let bad = [
        "",
        "411329-20261123-A1",            // three parts
        "411329-20261123-A1-0007-2",     // five parts
        "41132920261123A10007",          // no separators
        "411329-20260230-A1-0007",       // 30 February
        "411329-20261301-A1-0007",       // month 13
        "411329-261123-A1-0007",         // short date
        "411329-2026112a-A1-0007",       // letter in the date
        "411329-20261123-a1-0007",       // lower-case desk code
        "411329-20261123-A1B2C-0007",    // desk code of 5
        "411329-20261123--0007",         // empty desk code
        "411329-20261123-A_-0007",       // bad character in the desk code
        "411329-20261123-A1-007",        // three-digit sequence
        "411329-20261123-A1-00x7",       // letter in the sequence
        "411329-20261123-A1-",           // no sequence
        "41132-20261123-A1-0007",        // five-digit region
        "4113290-20261123-A1-0007",      // seven-digit region
        "41132X-20261123-A1-0007",       // letter in the region
        "411329 -20261123-A1-0007",      // blank inside
        "４１１３２９-20261123-A1-0007", // full-width digits
    ];
    for s in bad {
        let err = CaseNumber::parse(s).expect_err(s);
        assert_eq!(err.to_string(), format!("办件编号「{}」格式不正确，应如 411329-20261123-A1-0007", s.trim()), "{s}");
    }
}

#[test]
fn desk_codes_are_one_to_four_letters_or_digits_upper_cased() {
    assert_eq!(DeskCode::parse("A1").unwrap().as_str(), "A1");
    assert_eq!(DeskCode::parse(" b2 ").unwrap().as_str(), "B2");
    assert_eq!(DeskCode::parse("Z").unwrap().as_str(), "Z");
    assert_eq!(DeskCode::parse("9999").unwrap().as_str(), "9999");
    for s in ["", "   ", "ABCDE", "A1B2C3"] {
        assert_eq!(DeskCode::parse(s).unwrap_err().to_string(), "窗口代码应为1至4位字母或数字", "{s:?}");
    }
    assert_eq!(DeskCode::parse("A-1").unwrap_err().to_string(), "窗口代码中的「-」无效，只能使用字母A-Z和数字0-9");
    assert_eq!(DeskCode::parse("窗1").unwrap_err().to_string(), "窗口代码中的「窗」无效，只能使用字母A-Z和数字0-9");
    assert_eq!(DeskCode::parse("A 1").unwrap_err().to_string(), "窗口代码中的「 」无效，只能使用字母A-Z和数字0-9");
    assert_eq!(serde_json::to_value(DeskCode::parse("a1").unwrap()).unwrap(), "A1");
}

#[test]
fn each_material_stands_as_missing_and_owed_count_it() {
    use tongban_core::case::{missing, owed, standings, Standing as St};
    let in_group =
        |name: &str, received: bool| Material { choice: "身份证明".into(), ..material(name, true, received) };
    let deferred = Material {
        deferral: Some(tongban_core::guide::Deferral { days: 5, unit: Default::default() }),
        ..material("住房证明", true, false)
    };
    let mut list = vec![
        in_group("居民身份证", false),
        in_group("居民户口簿", true),
        deferred,
        material("结婚证", true, false),
        material("授权委托书", false, false),
    ];
    assert_eq!(standings(&list), [St::ByAlternative, St::Received, St::Owed, St::Missing, St::NotRequired]);
    let names = |it: &mut dyn Iterator<Item = &Material>| it.map(|m| m.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&mut missing(&list)), ["结婚证"]);
    assert_eq!(names(&mut owed(&list)), ["住房证明"]);
    // Neither choice of the group: both are missing, each listed.
    list[1].received = false;
    assert_eq!(standings(&list)[..2], [St::Missing, St::Missing]);
    assert_eq!(names(&mut missing(&list)), ["居民身份证", "居民户口簿", "结婚证"]);
}
