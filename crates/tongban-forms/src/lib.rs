//! The forms a window prints, as PDF bytes (and the 台账 also as an .xlsx): the 收件登记表 and the 一次性告知书 (each in two
//! copies, 存档联 and 申请人联: the `copies` module), and the 每日台账. Pure: the data comes in,
//! the bytes go out; the caller keeps the PDF (the store's `Store::record_print`) and
//! hands it to the viewer or printer.
//!
//! - One font, shipped inside the binary and embedded as a subset ([`font`]).
//! - Every field is checked against the font before anything is drawn: a character the font
//!   lacks is an error naming the field and the character ([`FormError::MissingGlyph`]), never
//!   a box on paper.
//! - Text wraps inside its cell, table rows grow, fixed boxes shrink their text; text that still
//!   does not fit is an error naming the field ([`FormError::TooLong`]), never cut off.
//! - Tables continue on further pages with their header row repeated; every page says
//!   第 x 页 共 y 页.

mod audit;
mod copies;
pub mod font;
mod layout;
mod ledger;
mod ledger_xlsx;
mod notice;
mod pdf;
mod receipt;
mod reconciliation;
mod reconciliation_xlsx;
mod recovery;

use chrono::{NaiveDate, NaiveDateTime};
use tongban_core::case::CaseState;
use tongban_core::code::{AppCode, DeskCode};
use tongban_core::hall::HallTexts;
use tongban_core::listing::LedgerEntry;
use tongban_core::workdays::Deadline;

pub use font::FormFont;
pub use ledger_xlsx::{CountSection, COLUMNS as LEDGER_XLSX_COLUMNS, HEADER_ROW as LEDGER_XLSX_HEADER_ROW};
pub use reconciliation_xlsx::{ReconciliationLine, ReconciliationSheet};

/// Why a form could not be made. Messages are Chinese: they reach the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// A character the print font has no glyph for (it would print as an empty box).
    #[error("{field}中的「{ch}」（U+{:04X}）是打印字体中没有的字，无法打印；请核对该字，必要时改用规范汉字或在备注中说明", *.ch as u32)]
    MissingGlyph { field: String, ch: char },
    /// Text too long for its box even at the smallest size allowed.
    #[error("{field}过长，无法在表格中完整打印，请精简后再打印")]
    TooLong { field: String },
    /// The 一次性告知书 has nothing to tell.
    #[error("办件{number}的材料齐全，没有需要补正的内容，无需出具一次性告知书")]
    NothingToNotify { number: String },
    /// A ledger's dates are the wrong way round.
    #[error("台账的截止日期 {to} 早于起始日期 {from}")]
    BadRange { from: NaiveDate, to: NaiveDate },
    #[error("二维码生成失败：{0}")]
    Qr(String),
    /// A case whose promise runs has no 承诺办结 date: printing would leave the applicant's
    /// legal promise blank.
    #[error("办件{number}的承诺办结日期未能计算，登记表不能打印；请检查节假日安排（tongban workdays）后重试")]
    NoDeadline { number: String },
    /// The Excel writer failed (a limit of the format).
    #[error("无法写成 Excel 工作簿：{0}")]
    Excel(String),
    /// The PDF could not be written (the font subset failed: a fault of the shipped font).
    #[error("无法生成 PDF：{0}")]
    Pdf(String),
}

impl FormError {
    /// A stable code for the window.
    pub fn code(&self) -> AppCode {
        AppCode::Desk(match self {
            FormError::MissingGlyph { .. } => DeskCode::MissingGlyph,
            FormError::TooLong { .. } => DeskCode::TextTooLong,
            FormError::NothingToNotify { .. } => DeskCode::NothingToNotify,
            FormError::BadRange { .. } => DeskCode::BadRange,
            FormError::Qr(_) => DeskCode::Qr,
            FormError::NoDeadline { .. } => DeskCode::NoDeadline,
            FormError::Excel(_) => DeskCode::Excel,
            FormError::Pdf(_) => DeskCode::Pdf,
        })
    }
}

/// The mark a 预估 date carries on every form.
pub const ESTIMATED_NOTE: &str = "（按预估节假日安排计算）";

/// When a form is printed, and whether it is a 补打 (the same form was printed before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintMark {
    /// Beijing time.
    pub printed_at: NaiveDateTime,
    /// When the form was first printed, if this is a reprint (Beijing time).
    pub first_printed_at: Option<NaiveDateTime>,
}

impl PrintMark {
    pub fn first(printed_at: NaiveDateTime) -> PrintMark {
        PrintMark { printed_at, first_printed_at: None }
    }

    pub fn is_reprint(&self) -> bool {
        self.first_printed_at.is_some()
    }
}

/// What the 收件登记表 prints.
#[derive(Debug, Clone)]
pub struct Receipt<'a> {
    /// The case as its events fold: the intake and the materials as they are now.
    pub case: &'a CaseState,
    /// 承诺办结日期 (working days from the day the case is complete, 补正 not counted); `None`
    /// while it has not started or stands still (`tongban_core::clocks::no_deadline_note`).
    pub deadline: Option<Deadline>,
    /// 容缺补齐期限: the materials taken in on trust are owed by this day (`None`: none owed).
    pub owed_due: Option<Deadline>,
    /// The name of the clerk who took the case in.
    pub clerk: &'a str,
    pub hall: &'a HallTexts,
    pub mark: PrintMark,
}

/// What the 一次性告知书 prints.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub case: &'a CaseState,
    /// The day the notice was first given (a reprint keeps it, and so keeps the deadline).
    pub issued_on: NaiveDate,
    /// The last day to bring the materials: `hall.supplement_days` working days after `issued_on`.
    pub supplement_by: Deadline,
    /// The name of the clerk who gives the notice.
    pub clerk: &'a str,
    pub hall: &'a HallTexts,
    pub mark: PrintMark,
}

/// What the 每日台账 prints.
#[derive(Debug, Clone)]
pub struct Ledger<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The clerk the ledger is limited to (display name), if any.
    pub clerk: Option<&'a str>,
    /// The partner region the ledger is limited to (code), if any.
    pub partner: Option<&'a str>,
    pub entries: &'a [LedgerEntry],
    /// Who prints it (制表人).
    pub printed_by: &'a str,
    pub hall: &'a HallTexts,
    pub mark: PrintMark,
}

/// What the 恢复密钥 sheet prints: the desk, and its data key in groups of five.
#[derive(Debug, Clone)]
pub struct RecoverySheet<'a> {
    pub region: &'a str,
    pub region_name: &'a str,
    pub hall: &'a str,
    pub window: &'a str,
    pub desk_code: &'a str,
    pub desk_id: &'a str,
    pub created_on: NaiveDate,
    pub key_groups: &'a [&'a str],
}

/// What the printed 审计日志 shows.
#[derive(Debug, Clone)]
pub struct AuditLog<'a> {
    pub hall: &'a str,
    /// The filter, as printed under the title.
    pub scope: &'a str,
    pub rows: &'a [AuditRow],
    pub printed_by: &'a str,
    pub printed_at: NaiveDateTime,
    /// The chain's verification, printed in every page's footer.
    pub verdict: &'a str,
}

/// One printed line of the audit log, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: String,
    pub at: String,
    pub person: String,
    pub kind: String,
    pub case_number: String,
    pub detail: String,
    pub hash: String,
}

/// The 恢复密钥 sheet (A4, one page).
pub fn recovery_sheet(input: &RecoverySheet<'_>) -> Result<Vec<u8>, FormError> {
    recovery::render(FormFont::shared(), input)
}

/// The 审计日志 (A4 landscape).
pub fn audit_log(input: &AuditLog<'_>) -> Result<Vec<u8>, FormError> {
    audit::render(FormFont::shared(), input)
}

/// The 收件登记表: 存档联 then 申请人联, each on its own page(s).
pub fn receipt(input: &Receipt<'_>) -> Result<Vec<u8>, FormError> {
    receipt::render(FormFont::shared(), input)
}

/// The 一次性告知书.
pub fn notice(input: &Notice<'_>) -> Result<Vec<u8>, FormError> {
    notice::render(FormFont::shared(), input)
}

/// The 每日台账 (A4 landscape).
pub fn ledger(input: &Ledger<'_>) -> Result<Vec<u8>, FormError> {
    ledger::render(FormFont::shared(), input, None)
}

/// The 每日台账 with its rates section (办理指标: 受理率, 按时办结率, 超期件数, 平均办理用时 in
/// all and by item, partner and clerk, each rate's definition printed with it) after the totals.
pub fn ledger_with_rates(input: &Ledger<'_>, rates: &tongban_core::rates::RateReport) -> Result<Vec<u8>, FormError> {
    ledger::render(FormFont::shared(), input, Some(rates))
}

/// The 台账 as an .xlsx for the supervisor (see [`ledger_xlsx`](crate::ledger_xlsx) for what it
/// holds): the ledger's rows typed, then `counts` (by item, partner, clerk; by status is added
/// here) and the rates.
pub fn ledger_xlsx(
    input: &Ledger<'_>,
    counts: &[CountSection],
    rates: Option<&tongban_core::rates::RateReport>,
) -> Result<Vec<u8>, FormError> {
    ledger_xlsx::render(input, counts, rates)
}

/// The 对账单 with one partner as an .xlsx (see [`reconciliation_xlsx`](crate::reconciliation_xlsx)).
pub fn reconciliation_xlsx(sheet: &ReconciliationSheet) -> Result<Vec<u8>, FormError> {
    reconciliation_xlsx::render(sheet)
}

/// The 对账单 with one partner on paper (A4 landscape), with a line for each side to sign.
pub fn reconciliation_pdf(sheet: &ReconciliationSheet) -> Result<Vec<u8>, FormError> {
    reconciliation::render(FormFont::shared(), sheet)
}

/// What a ledger covers, as printed under its title ("2026年3月2日　受理人：张敏"): also the
/// scope its print is recorded under, so printing the same ledger again is a 补打.
pub fn ledger_scope(input: &Ledger<'_>) -> String {
    ledger::scope_text(input)
}

/// A ledger line's 材料流转 column: 网络＋邮寄, the originals' waybill, the result's.
pub fn ledger_transfer_text(entry: &LedgerEntry) -> String {
    ledger::transfer_short(entry)
}

/// What a case's 一次性告知书 lists: each missing required material (once, however many of a
/// 一件事's items ask for it), and each item the handling region asked to be supplemented, with
/// what it must be. Empty when nothing is to be told.
pub fn notice_items(case: &CaseState) -> Vec<NoticeItem> {
    notice::items(case)
}

/// One line of the 一次性告知书.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeItem {
    pub name: String,
    /// 未提交 (missing at intake) or 需补正 (asked for by the handling region).
    pub problem: String,
    /// What it must be (for a 条件材料 the case it is asked in, then the catalog's standard,
    /// form and copies).
    pub requirement: String,
    /// In a 一件事 case, the items that need it, each as `序号.事项名称` (序号 in the bundle).
    /// Empty for a single-item case.
    pub items: Vec<String>,
}

/// Reads the font now (its character map and tables, a millisecond or two), so the first print
/// does not wait.
pub fn preload() {
    FormFont::shared();
}

/// Checks that every character of `text` can be printed; for a form field as it is typed in
/// (the window can call this while the clerk types a name).
pub fn check_printable(field: &str, text: &str) -> Result<(), FormError> {
    FormFont::shared().check(field, text)
}

/// 2026年3月2日.
pub(crate) fn date_zh(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The 补打 line printed on a reprint, or `None`.
pub(crate) fn reprint_line(mark: &PrintMark) -> Option<String> {
    mark.first_printed_at.map(|first| {
        format!("补打 {}（首次打印于 {}）", mark.printed_at.format("%Y-%m-%d %H:%M"), first.format("%Y-%m-%d %H:%M"))
    })
}
