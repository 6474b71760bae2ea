//! The handling region's back office in the window: its inbox of the cases partner windows took
//! in, the decision form, and the partners' decisions as they reach a receiving desk.

use tongban_core::case::{CaseStatus, EventBody, EventKind, Side};
use tongban_core::code::DeskCode;
use tongban_core::region;
use tongban_store::CaseFilter;
use tongban_wire::decisions::Decision;

use crate::{
    AppError, ArrivedDecisionView, CaseRows, Decided, DecisionChoices, DecisionDraft, DecisionNews, DecisionOption,
    Desk, InboxPage, InboxQuery, InboxRow,
};

/// At most this many decisions are reported per call; the cursor brings the rest next time.
const NEWS_LIMIT: usize = 200;
/// A notification names this many cases one by one; beyond, it counts them by decision.
const NEWS_NAMED: usize = 3;

impl Desk {
    /// The cases this desk's region handles that another region's window took in, newest first.
    pub fn inbox(&self, query: &InboxQuery) -> Result<InboxPage, AppError> {
        self.require_reader()?;
        self.with_store(|store| {
            let desk = store.require_desk()?;
            let awaiting: Vec<CaseStatus> = CaseStatus::ALL.into_iter().filter(|s| s.awaits_decision()).collect();
            let base = CaseFilter {
                partner: Some(desk.region.clone()),
                received_outside: Some(desk.region.clone()),
                ..CaseFilter::default()
            };
            let filter = CaseFilter {
                text: query.text.clone(),
                status: query.status,
                any_status: if query.awaiting { awaiting.clone() } else { Vec::new() },
                ..base.clone()
            };
            let page = store.list_cases(&filter, query.page, query.page_size)?;
            // Only the count is wanted: the smallest page.
            let waiting = store.list_cases(&CaseFilter { any_status: awaiting, ..base.clone() }, 1, 1)?.total;
            let hint = if query.awaiting {
                let mut elsewhere = Vec::new();
                for status in CaseStatus::ALL.into_iter().filter(|s| !s.awaits_decision()) {
                    let others = CaseFilter { text: query.text.clone(), status: Some(status), ..base.clone() };
                    let n = store.list_cases(&others, 1, 1)?.total;
                    if n > 0 {
                        elsewhere.push((status, n));
                    }
                }
                inbox_hint(&elsewhere, page.total == 0 && query.text.as_deref().is_some_and(|t| !t.trim().is_empty()))
            } else {
                None
            };
            let context = CaseRows::new(store)?;
            let rows = page
                .rows
                .into_iter()
                .map(|c| InboxRow {
                    receiving_region_name: region::short_name(&c.receiving_region)
                        .unwrap_or_else(|| region::display_name(&c.receiving_region)),
                    receiving_region: c.receiving_region.clone(),
                    awaiting_decision: c.status.awaits_decision(),
                    case: context.row(c),
                })
                .collect();
            Ok(InboxPage { rows, total: page.total, awaiting: waiting, hint })
        })
    }

    /// What the decision form of case `number` offers: the decisions its status allows this
    /// region now (from core's state machine), and its materials for 需补正.
    pub fn decision_choices(&self, number: &str) -> Result<DecisionChoices, AppError> {
        self.require_reader()?;
        self.with_store(|store| {
            let desk = store.require_desk()?;
            let case = store.case_by_number(number)?;
            let ours = case.handling_region == desk.region;
            let options = if ours { decision_options(case.status) } else { Vec::new() };
            let materials = store.materials_of(case.id)?.into_iter().map(|m| m.name).collect();
            let why_none = options.is_empty().then(|| {
                if ours {
                    nothing_to_decide(case.status)
                } else {
                    format!("该办件由{}办理，本地区不作决定", region::display_name(&case.handling_region))
                }
            });
            Ok(DecisionChoices {
                number: case.number,
                status: case.status,
                status_label: case.status.label().into(),
                options,
                materials,
                why_none,
            })
        })
    }

    /// Records the decision the window's form holds on case `number`, as the acting user. A
    /// field left out is named in the error and nothing is recorded.
    pub fn record_decision(&self, number: &str, draft: &DecisionDraft) -> Result<Decided, AppError> {
        let decision = decision_of(draft)?;
        let status = self.decide(number, decision, None)?;
        let number = number.trim().to_string();
        let warnings = match draft.kind {
            Some(EventKind::ResultMailed) => {
                let waybill = tongban_core::waybill::check(&draft.waybill).map(|w| w.number).unwrap_or_default();
                self.with_store(|store| Ok(crate::intake::waybill_warnings(store, &waybill, &number)))??
            }
            _ => Vec::new(),
        };
        let warned = warnings.iter().map(|w| format!("；注意：{w}")).collect::<String>();
        Ok(Decided {
            message: format!("办件 {number} 已记录为「{}」，将在下次同步时送达受理地{warned}", status.label()),
            number,
            status,
            status_label: status.label().into(),
        })
    }

    /// The partners' decisions on this region's cases that arrived after `after` (a
    /// [`DecisionNews::cursor`]), with a notification's title and body. Without a cursor, those
    /// that arrived since the desk was opened: the first sync round's are news too.
    pub fn decisions_since(&self, after: Option<i64>) -> Result<DecisionNews, AppError> {
        let after = after.unwrap_or(self.opened_at_seq.load(std::sync::atomic::Ordering::SeqCst));
        self.with_store(|store| {
            let arrived = store.decisions_arrived_after(after, NEWS_LIMIT)?;
            let cursor = arrived.last().map_or(after, |a| a.seq);
            let decisions: Vec<ArrivedDecisionView> = arrived
                .into_iter()
                .map(|a| ArrivedDecisionView {
                    region_name: region::short_name(&a.event.author.region)
                        .unwrap_or_else(|| region::display_name(&a.event.author.region)),
                    kind: a.event.body.kind(),
                    label: decision_label(a.event.body.kind()),
                    detail: decision_detail(&a.event.body),
                    at: a.event.at.to_rfc3339(),
                    by: a.event.author.display().to_string(),
                    superseded: a.superseded.map(decision_label),
                    number: a.number,
                    applicant_name: a.applicant_name,
                })
                .collect();
            let (title, body) = notification_text(&decisions);
            Ok(DecisionNews { cursor, decisions, title, body })
        })
    }
}

/// The wire decision a draft stands for, or the first field at fault (in Chinese).
fn decision_of(draft: &DecisionDraft) -> Result<Decision, AppError> {
    let at = |field: &str, message: &str| AppError {
        field: Some(field.to_string()),
        ..AppError::new(DeskCode::InvalidInput, message)
    };
    let kind = draft.kind.ok_or_else(|| at("kind", "请选择办理决定"))?;
    let note = draft.note.trim().to_string();
    let decision = match kind {
        EventKind::Accepted => Decision::Accept,
        EventKind::Refused => Decision::Refuse { reason: draft.reason.trim().to_string() },
        EventKind::SupplementRequested => {
            let mut items: Vec<String> = Vec::new();
            let typed = draft.other.lines();
            for item in draft.materials.iter().map(String::as_str).chain(typed).map(str::trim) {
                if !item.is_empty() && !items.iter().any(|i| i == item) {
                    items.push(item.to_string());
                }
            }
            Decision::RequestSupplement { items, note }
        }
        EventKind::Processing => Decision::StartProcessing,
        EventKind::Concluded => {
            let approved = draft.approved.ok_or_else(|| at("approved", "办结须选择准予或不予"))?;
            Decision::Conclude { approved, note }
        }
        EventKind::ResultMailed => {
            let waybill = draft.waybill.trim().to_ascii_uppercase();
            if let Some(c) = waybill.chars().find(|c| !c.is_ascii_alphanumeric()) {
                return Err(at("waybill", &format!("运单号中的「{c}」无效，运单号只含字母和数字")));
            }
            Decision::MailResult { waybill }
        }
        other => return Err(at("kind", &format!("「{}」由受理地录入，不是办理地的决定", other.label()))),
    };
    let body = decision.clone().into_event_body();
    if let Some(missing) = body.missing_content() {
        let field = match kind {
            EventKind::Refused => "reason",
            EventKind::SupplementRequested => "materials",
            _ => "waybill",
        };
        return Err(at(field, missing));
    }
    Ok(decision)
}

/// What a case became by a handling region's event, as the window says it.
fn decision_label(kind: EventKind) -> String {
    if kind.is_paper() {
        // 签收原件 changes no status: it is named as what it is.
        return kind.label().to_string();
    }
    // Each handling decision leads into one status whatever it follows (Processing etc.).
    CaseStatus::ALL
        .into_iter()
        .find_map(|s| s.after(kind))
        .map_or_else(|| kind.label().to_string(), |s| s.label().to_string())
}

fn decision_detail(body: &EventBody) -> String {
    match body {
        EventBody::Refused { reason } => format!("理由：{reason}"),
        EventBody::SupplementRequested { items, note } if note.trim().is_empty() => {
            format!("需补正：{}", items.join("、"))
        }
        EventBody::SupplementRequested { items, note } => format!("需补正：{}（{note}）", items.join("、")),
        EventBody::Concluded { approved, note } => {
            let verdict = if *approved { "准予" } else { "不予" };
            if note.trim().is_empty() {
                verdict.to_string()
            } else {
                format!("{verdict}：{note}")
            }
        }
        EventBody::ResultMailed { waybill } => format!("运单号 {waybill}"),
        body @ EventBody::OriginalsSigned { .. } => tongban_core::paper::event_lines(body).join("，"),
        _ => String::new(),
    }
}

/// One notification for everything that arrived in a round: each case named when there are few,
/// counted by decision when there are many.
fn notification_text(decisions: &[ArrivedDecisionView]) -> (String, String) {
    if decisions.is_empty() {
        return (String::new(), String::new());
    }
    let lost = decisions.iter().filter(|d| d.superseded.is_some()).count();
    let title = if lost == decisions.len() {
        format!("{lost} 项本机的决定未被采纳")
    } else {
        format!("收到 {} 项办理地决定", decisions.len())
    };
    let line = |d: &ArrivedDecisionView| match &d.superseded {
        Some(mine) => format!(
            "{} {}：本机的「{mine}」未被采纳，以{}先作出的「{}」为准",
            d.number, d.applicant_name, d.by, d.label
        ),
        None => format!("{} {} {}：{}", d.region_name, d.number, d.applicant_name, d.label),
    };
    let body = if decisions.len() <= NEWS_NAMED {
        decisions.iter().map(line).collect::<Vec<_>>().join("\n")
    } else {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for d in decisions {
            match counts.iter_mut().find(|(l, _)| *l == d.label) {
                Some((_, n)) => *n += 1,
                None => counts.push((d.label.clone(), 1)),
            }
        }
        let counts = counts.iter().map(|(l, n)| format!("{l} {n} 件")).collect::<Vec<_>>().join("，");
        if lost > 0 {
            format!("{counts}；其中 {lost} 件本机的决定未被采纳，以先到通办中心的决定为准")
        } else {
            counts
        }
    };
    (title, body)
}

/// Why a case in `status` has nothing for the handling region to decide now.
fn nothing_to_decide(status: CaseStatus) -> String {
    match status {
        CaseStatus::AwaitingMaterials => {
            "该办件「待补正」：申请人收件时材料不齐，受理窗口已一次性告知。窗口补正收件（材料收齐）后，\
             办件才进入本地区的待受理，那时再作受理决定"
                .into()
        }
        s if s.is_final() => format!("该办件已「{}」，流程已结束，没有可作的决定", s.label()),
        s => format!(
            "该办件状态为「{}」，正等待受理窗口处理（如申请人补正、结果送达），本地区现在没有可作的决定",
            s.label()
        ),
    }
}

/// What the inbox says, on 待受理, about the partner's cases that are not listed there:
/// always the 待补正 ones (they come later, after the window's 补正收件), and, when a search
/// found nothing waiting, where the matches are.
fn inbox_hint(elsewhere: &[(CaseStatus, u64)], search_found_nothing: bool) -> Option<String> {
    let incomplete = elsewhere.iter().find(|(s, _)| *s == CaseStatus::AwaitingMaterials).map_or(0, |(_, n)| *n);
    let mut parts = Vec::new();
    if incomplete > 0 {
        parts.push(format!(
            "另有 {incomplete} 件「待补正」不在此列：受理窗口还在等申请人补齐材料，窗口补正收件后才进入待受理"
        ));
    }
    if search_found_nothing {
        let decided: Vec<String> = elsewhere
            .iter()
            .filter(|(s, _)| *s != CaseStatus::AwaitingMaterials)
            .map(|(s, n)| format!("{}{n} 件", s.label()))
            .collect();
        if !decided.is_empty() {
            parts.push(format!("符合搜索的办件已不在待受理：{}", decided.join("、")));
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("{}。选「全部状态」可查看", parts.join("；")))
}

/// The decisions the handling side may record on a case in `status`, with what each makes it.
pub(crate) fn decision_options(status: CaseStatus) -> Vec<DecisionOption> {
    status
        .next_events(Side::Handling)
        .into_iter()
        .filter_map(|kind| status.after(kind).map(|to| DecisionOption { kind, label: to.label().into() }))
        .collect()
}

#[cfg(test)]
mod hints {
    use super::*;

    #[test]
    fn the_inbox_says_why_a_case_taken_in_incomplete_is_not_waiting() {
        let hint = inbox_hint(&[(CaseStatus::AwaitingMaterials, 1)], false).expect("a hint");
        assert!(hint.starts_with("另有 1 件「待补正」不在此列：受理窗口还在等申请人补齐材料"), "{hint}");
        assert!(hint.ends_with("选「全部状态」可查看"), "{hint}");
        // A search that found nothing waiting says where the matches went.
        let found = inbox_hint(&[(CaseStatus::Accepted, 2)], true).expect("a hint");
        assert!(found.contains("符合搜索的办件已不在待受理：已受理2 件"), "{found}");
        // Decided cases are no news when the search found something, or nothing was searched.
        assert_eq!(inbox_hint(&[(CaseStatus::Accepted, 2)], false), None);
        assert_eq!(inbox_hint(&[], true), None);
    }

    #[test]
    fn a_case_with_nothing_to_decide_says_what_comes_next() {
        assert!(nothing_to_decide(CaseStatus::AwaitingMaterials).contains("窗口补正收件（材料收齐）后"));
        for status in CaseStatus::ALL.into_iter().filter(|s| decision_options(*s).is_empty()) {
            assert!(nothing_to_decide(status).contains(status.label()) || status == CaseStatus::AwaitingMaterials);
        }
    }
}
