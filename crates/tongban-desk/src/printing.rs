//! Printing a form: gather what it shows from the store, decide whether it is a 补打, render
//! the PDF, hand it to the caller (a file for the CLI, the viewer or printer for the window),
//! and only then record the print with the PDF kept beside the case. The CLI and the window
//! both print through here, so a form looks and is recorded the same whichever printed it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use tongban_core::case::{CaseEvent, CaseId, CaseStatus, EventBody};
use tongban_core::code::DeskCode;
use tongban_core::region;
use tongban_core::workdays::Deadline;
use tongban_forms::{FormError, Ledger, Notice, PrintMark, Receipt};
use tongban_store::{FormKind, HallTexts, LedgerFilter, NewPrint, PrintRecord, Store};

use crate::AppError;

impl From<FormError> for AppError {
    fn from(e: FormError) -> AppError {
        AppError::new(e.code(), e.to_string())
    }
}

/// A form that was printed and recorded.
#[derive(Debug, Clone)]
pub struct Printed {
    pub form: FormKind,
    pub pdf: Vec<u8>,
    /// The name to save the PDF under, e.g. `收件登记表-411329-20260302-A1-0013.pdf`; a 补打
    /// carries its time so it never overwrites the first print (which may be open in a viewer).
    pub file_name: String,
    pub record: PrintRecord,
    /// The case's 办件编号, or the ledger's scope ("2026年3月2日　受理人：张敏").
    pub subject: String,
    /// How many cases a ledger lists (1 for a case's form).
    pub case_count: usize,
    /// For a notice: the last day to bring the materials.
    pub supplement_by: Option<Deadline>,
}

impl Printed {
    /// One Chinese line saying what was printed, with where it was written if `place` is given
    /// (the CLI names its `--out`; the window keeps its toast short).
    pub fn summary(&self, place: Option<&Path>) -> String {
        let reprint = if self.record.reprint { "（补打）" } else { "" };
        let place = place.map(|p| format!("：{}", p.display())).unwrap_or_default();
        match self.form {
            FormKind::Receipt => {
                format!("已生成收件登记表{reprint}{place}（办件 {}，存档联和申请人联）", self.subject)
            }
            FormKind::Notice => format!(
                "已生成一次性告知书{reprint}{place}（办件 {}，请于 {} 前补正）",
                self.subject,
                self.supplement_by
                    .map(|d| format!("{}{}", d.date, if d.estimated { "，预估" } else { "" }))
                    .unwrap_or_default()
            ),
            FormKind::Ledger => {
                format!("已生成每日台账{reprint}{place}（{}，共 {} 件）", self.subject, self.case_count)
            }
        }
    }
}

/// Which cases a ledger lists, as a clerk gives them: dates as text (`YYYY-MM-DD`), clerk by
/// login, partner by region code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerRequest {
    pub from: String,
    /// Defaults to `from`.
    pub to: Option<String>,
    pub clerk: Option<String>,
    pub partner: Option<String>,
}

impl LedgerRequest {
    /// The request checked: dates parsed, `to` defaulted and not before `from`, the partner a
    /// region code. The printed ledger and the supervisor's screen list the same cases.
    pub fn filter(&self) -> Result<LedgerFilter, AppError> {
        let from = parse_day("起始日期", &self.from)?;
        let to = match self.to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => parse_day("截止日期", t)?,
            None => from,
        };
        if to < from {
            return Err(FormError::BadRange { from, to }.into());
        }
        let partner = non_empty(&self.partner);
        if let Some(code) = partner.filter(|c| !region::is_valid_code(c)) {
            return Err(AppError::new(
                DeskCode::InvalidInput,
                format!("办理地「{code}」不是有效的行政区划代码（6位数字）"),
            ));
        }
        Ok(LedgerFilter {
            from,
            to,
            clerk: non_empty(&self.clerk).map(str::to_string),
            partner: partner.map(str::to_string),
        })
    }
}

/// Where a printed form goes before it is recorded. An error here records nothing, so the
/// next print is not marked 补打 for a form nobody received.
pub type Deliver<'a> = &'a mut dyn FnMut(&str, &[u8]) -> Result<(), AppError>;

impl crate::Desk {
    /// Prints a case's form as the acting user and hands the PDF to `deliver` (the CLI's
    /// `--out`); recorded once `deliver` succeeded, as every print is.
    pub fn print_case_form_to(&self, form: FormKind, number: &str, deliver: Deliver<'_>) -> Result<Printed, AppError> {
        let user = self.actor(None)?;
        print_case_form(&mut *self.locked()?, form, number, &user, Utc::now(), deliver)
    }

    /// Prints the 每日台账 of `request` as the acting user and hands the PDF to `deliver`.
    pub fn print_ledger_to(&self, request: &LedgerRequest, deliver: Deliver<'_>) -> Result<Printed, AppError> {
        let user = self.actor(None)?;
        print_ledger(&mut *self.locked()?, request, &user, Utc::now(), deliver)
    }

    /// Exports the 台账 of `request` as an .xlsx as the acting user and hands it to `deliver`
    /// (audited as an export once delivered, not recorded as a print).
    pub fn export_ledger_xlsx_to(
        &self,
        request: &LedgerRequest,
        deliver: Deliver<'_>,
    ) -> Result<ExportedLedger, AppError> {
        self.require_reader()?;
        let user = self.actor(None)?;
        export_ledger_xlsx(&mut *self.locked()?, request, &user, Utc::now(), deliver)
    }
}

/// Prints a case's 收件登记表 or 一次性告知书. `case` is the 办件编号.
pub fn print_case_form(
    store: &mut Store,
    form: FormKind,
    case: &str,
    user: &str,
    now: DateTime<Utc>,
    deliver: Deliver<'_>,
) -> Result<Printed, AppError> {
    if !form.is_of_a_case() {
        return Err(AppError::new(DeskCode::InvalidInput, "每日台账不属于单个办件，请用台账打印"));
    }
    store.user(user)?;
    let summary = store.case_by_number(case.trim())?;
    let state = store.case_state(summary.id)?;
    let hall = store.hall_texts()?;
    let scope = form_scope(store, form, summary.id)?;
    let first = store.first_print(form, Some(summary.id), &scope)?;
    let mark = mark(now, first.as_ref());
    let (pdf, supplement_by) = if form == FormKind::Receipt {
        let clerk = display_name(store, &summary.clerk);
        (
            tongban_forms::receipt(&Receipt {
                case: &state,
                deadline: summary.deadline,
                owed_due: summary.owed_due,
                clerk: &clerk,
                hall: &hall,
                mark,
            })?,
            None,
        )
    } else {
        // A 补打 repeats the notice as it was given: same date, same deadline, same clerk.
        let issued_on = beijing(first.as_ref().map_or(now, |p| p.printed_at)).date();
        let supplement_by = store
            .calendar()
            .deadline(issued_on, hall.supplement_days)
            .map_err(|e| AppError::new(DeskCode::Calendar, e.to_string()))?;
        let clerk = display_name(store, first.as_ref().map_or(user, |p| p.user.as_str()));
        let notice = Notice { case: &state, issued_on, supplement_by, clerk: &clerk, hall: &hall, mark };
        (tongban_forms::notice(&notice)?, Some(supplement_by))
    };
    let reprint_at = first.as_ref().map(|_| now);
    let file_name = match (reprint_at, scope.is_empty()) {
        // A later form of the same case (after a 补正) gets a name of its own, so the first one,
        // perhaps still open in a viewer, is not replaced.
        (None, false) => format!("{}-{}-{}.pdf", form.label(), summary.number, beijing(now).format("%Y%m%d%H%M%S")),
        _ => file_name(form.label(), &summary.number, reprint_at),
    };
    deliver(&file_name, &pdf)?;
    let record = store.record_print(&NewPrint {
        case_id: Some(summary.id),
        form,
        scope: &scope,
        user,
        at: now,
        reprint: reprint_at.is_some(),
        pdf: &pdf,
        file_name: &file_name,
    })?;
    // The notice is how the applicant learns what the handling region asked for: printed at the
    // window that took the case in, the case is 补正中 (告知补正) from now on.
    let desk = store.require_desk()?;
    if form == FormKind::Notice
        && state.status == CaseStatus::SupplementRequested
        && desk.region == summary.receiving_region
    {
        let told = CaseEvent {
            id: uuid::Uuid::now_v7(),
            case_id: summary.id,
            at: now,
            author: store.author(user)?,
            body: EventBody::SupplementNotified,
        };
        store.append_local(&told)?;
    }
    Ok(Printed { form, pdf, file_name, record, subject: summary.number, case_count: 1, supplement_by })
}

/// Prints the 每日台账 for a day or a range, optionally of one clerk or one partner region.
pub fn print_ledger(
    store: &mut Store,
    request: &LedgerRequest,
    user: &str,
    now: DateTime<Utc>,
    deliver: Deliver<'_>,
) -> Result<Printed, AppError> {
    let data = LedgerData::gather(store, request, user, now)?;
    let (from, to) = (data.filter.from, data.filter.to);
    let entries = &data.entries;
    let rates = &data.rates;
    let mut input = data.input(now);
    let scope = tongban_forms::ledger_scope(&input);
    let first = store.first_print(FormKind::Ledger, None, &scope)?;
    input.mark = mark(now, first.as_ref());
    let pdf = tongban_forms::ledger_with_rates(&input, rates)?;
    let days = if to == from { from.to_string() } else { format!("{from}至{to}") };
    let file_name = file_name(FormKind::Ledger.label(), &days, first.as_ref().map(|_| now));
    deliver(&file_name, &pdf)?;
    let record = store.record_print(&NewPrint {
        case_id: None,
        form: FormKind::Ledger,
        scope: &scope,
        user,
        at: now,
        reprint: first.is_some(),
        pdf: &pdf,
        file_name: &file_name,
    })?;
    Ok(Printed {
        form: FormKind::Ledger,
        pdf,
        file_name,
        record,
        subject: scope,
        case_count: entries.len(),
        supplement_by: None,
    })
}

/// What a ledger shows, read from the store once for the PDF or the .xlsx.
struct LedgerData {
    filter: LedgerFilter,
    printed_by: String,
    clerk_name: Option<String>,
    entries: Vec<tongban_store::LedgerEntry>,
    rates: tongban_core::rates::RateReport,
    hall: HallTexts,
}

impl LedgerData {
    fn gather(store: &Store, request: &LedgerRequest, user: &str, now: DateTime<Utc>) -> Result<LedgerData, AppError> {
        let printed_by = store.user(user)?.display_name;
        let filter = request.filter()?;
        let clerk_name = filter.clerk.as_deref().map(|login| store.user(login).map(|u| u.display_name)).transpose()?;
        let entries = store.ledger_entries(&filter)?;
        let rates = crate::supervision_rates::ledger_rates(store, &entries, beijing(now).date())?;
        let hall = store.hall_texts()?;
        Ok(LedgerData { filter, printed_by, clerk_name, entries, rates, hall })
    }

    fn input(&self, now: DateTime<Utc>) -> Ledger<'_> {
        Ledger {
            from: self.filter.from,
            to: self.filter.to,
            clerk: self.clerk_name.as_deref(),
            partner: self.filter.partner.as_deref(),
            entries: &self.entries,
            printed_by: &self.printed_by,
            hall: &self.hall,
            mark: PrintMark::first(beijing(now)),
        }
    }
}

/// A ledger exported to Excel.
#[derive(Debug, Clone)]
pub struct ExportedLedger {
    pub xlsx: Vec<u8>,
    /// e.g. `每日台账-2026-03-02-导出20260302173000.xlsx`: each export its own file.
    pub file_name: String,
    /// The ledger's scope ("2026年3月2日　受理人：张敏").
    pub scope: String,
    pub case_count: usize,
}

impl ExportedLedger {
    /// One Chinese line saying what was exported, and where if `place` is given.
    pub fn summary(&self, place: Option<&Path>) -> String {
        let place = place.map(|p| format!("：{}", p.display())).unwrap_or_default();
        format!("已导出每日台账 Excel{place}（{}，共 {} 件；电子副本，不计为打印）", self.scope, self.case_count)
    }
}

/// Exports the 每日台账 of `request` as an .xlsx: the same cases as the printed one, with the
/// supervisor's counts and the rates. An Excel copy is not the signed record: it is not recorded
/// as a print (a later print is not a 补打) but, once `deliver` wrote it, in the audit log as an
/// export, since it carries personal data out of the desk.
pub fn export_ledger_xlsx(
    store: &mut Store,
    request: &LedgerRequest,
    user: &str,
    now: DateTime<Utc>,
    deliver: Deliver<'_>,
) -> Result<ExportedLedger, AppError> {
    let data = LedgerData::gather(store, request, user, now)?;
    let input = data.input(now);
    let counts = crate::supervision::count_sections(&data.entries);
    let xlsx = tongban_forms::ledger_xlsx(&input, &counts, Some(&data.rates))?;
    let scope = tongban_forms::ledger_scope(&input);
    let (from, to) = (data.filter.from, data.filter.to);
    let days = if to == from { from.to_string() } else { format!("{from}至{to}") };
    let file_name = format!("{}-{days}-导出{}.xlsx", FormKind::Ledger.label(), beijing(now).format("%Y%m%d%H%M%S"));
    deliver(&file_name, &xlsx)?;
    let exported = ExportedLedger { xlsx, file_name, scope, case_count: data.entries.len() };
    store.record(
        &tongban_store::NewAuditEntry {
            kind: tongban_store::AuditKind::Export,
            user,
            case_id: None,
            detail: format!(
                "每日台账（{}，共 {} 件）导出为 Excel「{}」",
                exported.scope, exported.case_count, exported.file_name
            ),
        },
        now,
    )?;
    Ok(exported)
}

/// What `--out FILE` asks for, by its extension; anything else is refused before anything is
/// made or recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Pdf,
    Xlsx,
}

impl OutFormat {
    /// The format of `path`, if it is one of `allowed`; otherwise a Chinese message naming the file
    /// and the formats it may have.
    pub fn of(path: &Path, allowed: &[OutFormat]) -> Result<OutFormat, AppError> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let found = match ext.as_deref() {
            Some("pdf") => Some(OutFormat::Pdf),
            Some("xlsx") => Some(OutFormat::Xlsx),
            _ => None,
        };
        match found.filter(|f| allowed.contains(f)) {
            Some(f) => Ok(f),
            None => {
                let names: Vec<&str> = allowed.iter().map(|f| f.describe()).collect();
                let got = match ext {
                    Some(e) => format!("扩展名 .{e} 不是可输出的格式"),
                    None => "没有扩展名，无法判断输出格式".to_string(),
                };
                Err(AppError::new(
                    DeskCode::UnknownFormat,
                    format!("输出文件「{}」{got}；请以 {}结尾，未生成任何文件", path.display(), names.join("或 ")),
                ))
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            OutFormat::Pdf => ".pdf（PDF，打印用）",
            OutFormat::Xlsx => ".xlsx（Excel 工作簿）",
        }
    }
}

/// Changes one of the hall's printed texts (`hall.phone`, …). A text the print font cannot
/// show would fail every later print, so it is refused now, naming the setting.
pub fn set_hall_text(
    store: &mut Store,
    key: &str,
    value: &str,
    user: &str,
    now: DateTime<Utc>,
) -> Result<HallTexts, AppError> {
    let label = HallTexts::KEYS.iter().find(|(k, _)| *k == key).map_or("设置值", |(_, l)| *l);
    tongban_forms::check_printable(label, value)?;
    Ok(store.set_setting(key, value, user, now)?)
}

/// Saves `pdf` in `dir` as `file_name` for the viewer and returns where: written whole (a viewer
/// never opens half a file); the same PDF already there is reused; if the viewer still shows an
/// older one of that name (Windows will not replace an open file), the new one goes beside it
/// as `NAME (2).pdf` (`tongban_files::save_in`).
pub fn save_pdf(dir: &Path, file_name: &str, pdf: &[u8]) -> Result<PathBuf, AppError> {
    // The viewer's folder is swept of old plain copies whenever one is added.
    if let Some(view) = crate::viewer::ViewFolder::owning(dir) {
        view.sweep(crate::viewer::ViewFolder::KEEP)
            .map_err(|e| AppError::new(DeskCode::WriteFailed, format!("无法在「{}」保存 PDF：{e}", dir.display())))?;
    }
    tongban_files::save_in(dir, file_name, pdf)
        .map_err(|e| AppError::new(DeskCode::WriteFailed, format!("无法保存 PDF：{e}")))
}

/// The scope a case's form is recorded under, empty for the ones given at intake. A notice after
/// the handling region's 需补正 or after a partial 补交 asks for something else, and a receipt
/// after 补齐材料 or 提交补正材料 lists other materials: each is a new form, not a 补打 — its scope
/// is the id of the event that changed what it shows.
pub(crate) fn form_scope(store: &Store, form: FormKind, case: CaseId) -> Result<String, AppError> {
    let starts_anew = |body: &EventBody| match form {
        FormKind::Notice => matches!(body, EventBody::SupplementRequested { .. } | EventBody::Completed { .. }),
        _ => matches!(
            body,
            EventBody::Completed { .. } | EventBody::Supplemented { .. } | EventBody::OwedReceived { .. }
        ),
    };
    let events = store.events_of(case)?;
    Ok(events.iter().rev().find(|e| starts_anew(&e.event.body)).map(|e| e.event.id.to_string()).unwrap_or_default())
}

fn file_name(form: &str, subject: &str, reprint_at: Option<DateTime<Utc>>) -> String {
    match reprint_at {
        None => format!("{form}-{subject}.pdf"),
        Some(at) => format!("{form}-{subject}-补打{}.pdf", beijing(at).format("%Y%m%d%H%M%S")),
    }
}

fn mark(now: DateTime<Utc>, first: Option<&PrintRecord>) -> PrintMark {
    PrintMark { printed_at: beijing(now), first_printed_at: first.map(|p| beijing(p.printed_at)) }
}

/// Beijing wall-clock time, as printed on the forms.
pub fn beijing(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&tongban_core::time::china_time()).naive_local()
}

/// The name printed for a login (the login itself if the user is not on this desk, e.g. a
/// case synced from another desk of the hall).
fn display_name(store: &Store, login: &str) -> String {
    store.user(login).map(|u| u.display_name).unwrap_or_else(|_| login.to_string())
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn parse_day(label: &str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::new(DeskCode::InvalidInput, format!("{label}「{s}」无效，应为 YYYY-MM-DD 格式的日期")))
}
