//! The 台账 as an Excel workbook for the supervisor: the same rows as the printed ledger, typed
//! (收件时间 and 承诺办结 as Excel dates, 序号 and counts as numbers), the header row frozen, the ID
//! masked exactly as on paper, columns as wide as their Chinese text; a second sheet with the
//! counts by status, item, partner and clerk, and a third with the rates (办理指标).
//!
//! The workbook is a working copy, not the signed record: it carries no signature line and says
//! so under its title (the caller does not record it as a print; see ARCHITECTURE.md).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use tongban_core::applicant::mask_id_number;
use tongban_core::case::CaseStatus;
use tongban_core::rates::{RateLine, RateReport};
use tongban_core::region;

use crate::{FormError, Ledger};

/// The ledger sheet's columns. The PDF's 承诺办结 text ("2026-03-10（预估）", "补齐后起算") is
/// split into a date and its note, so the date column sorts and filters as dates.
pub const COLUMNS: [&str; 12] = {
    let t = crate::ledger::TITLES;
    [t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], "时限说明", t[10]]
};

/// The row of the column titles on the ledger sheet (0-based); the rows above are the title,
/// the hall and the period. Everything above and including it stays in view when scrolling.
pub const HEADER_ROW: u32 = 3;

/// Sheet names.
pub const LEDGER_SHEET: &str = "台账";
pub const COUNTS_SHEET: &str = "统计";
pub const RATES_SHEET: &str = "办理指标";

/// One block of the 统计 sheet, e.g. 按事项: a name and a count per line, most first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountSection {
    pub title: String,
    pub rows: Vec<(String, u64)>,
}

/// Excel's limit on one cell's text.
const MAX_CELL: usize = 32_767;
/// Excel's rows per sheet, less the rows above the table.
const MAX_ROWS: usize = 1_048_576 - HEADER_ROW as usize - 1;
const MAX_WIDTH: f64 = 60.0;

pub(crate) fn xl(e: XlsxError) -> FormError {
    FormError::Excel(e.to_string())
}

/// How wide `text` is in Excel's character units: a CJK or full-width character takes two.
pub fn display_width(text: &str) -> f64 {
    text.lines().map(|line| line.chars().map(|c| if is_wide(c) { 2.0 } else { 1.0 }).sum::<f64>()).fold(0.0, f64::max)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

pub(crate) fn excel_datetime(t: NaiveDateTime) -> Result<ExcelDateTime, FormError> {
    excel_date(t.date())?.and_hms(t.hour() as u16, t.minute() as u8, t.second()).map_err(xl)
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, FormError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(xl)
}

/// Column widths that grow to their widest cell.
pub(crate) struct Widths(Vec<f64>);

impl Widths {
    pub(crate) fn new(titles: &[&str]) -> Widths {
        Widths(titles.iter().map(|t| display_width(t)).collect())
    }

    pub(crate) fn fit(&mut self, col: usize, text: &str) {
        self.0[col] = self.0[col].max(display_width(text));
    }

    pub(crate) fn apply(&self, ws: &mut Worksheet) -> Result<(), FormError> {
        for (c, w) in self.0.iter().enumerate() {
            // A little air either side, as Excel's own autofit leaves.
            ws.set_column_width(c as u16, (w + 2.0).min(MAX_WIDTH)).map_err(xl)?;
        }
        Ok(())
    }
}

pub(crate) struct Formats {
    pub(crate) title: Format,
    pub(crate) note: Format,
    pub(crate) head: Format,
    pub(crate) text: Format,
    pub(crate) centre: Format,
    pub(crate) number: Format,
    pub(crate) datetime: Format,
    pub(crate) date: Format,
    pub(crate) percent: Format,
    pub(crate) decimal: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center),
            note: Format::new().set_font_size(10),
            head: cell.clone().set_bold().set_align(FormatAlign::Center).set_background_color(0xEDEFF2),
            text: cell.clone().set_text_wrap(),
            centre: cell.clone().set_align(FormatAlign::Center),
            number: cell.clone().set_align(FormatAlign::Center).set_num_format("0"),
            datetime: cell.clone().set_align(FormatAlign::Center).set_num_format("yyyy-mm-dd hh:mm"),
            date: cell.clone().set_align(FormatAlign::Center).set_num_format("yyyy-mm-dd"),
            percent: cell.clone().set_align(FormatAlign::Center).set_num_format("0.0%"),
            decimal: cell.set_align(FormatAlign::Center).set_num_format("0.0"),
        }
    }
}

pub(crate) fn text(ws: &mut Worksheet, row: u32, col: u16, value: &str, format: &Format) -> Result<(), FormError> {
    if value.chars().count() > MAX_CELL {
        return Err(FormError::TooLong { field: format!("第{}行第{}列", row + 1, col + 1) });
    }
    // A string cell, never a formula: a name starting with '=' stays text.
    ws.write_string_with_format(row, col, value, format).map_err(xl)?;
    Ok(())
}

/// The ledger of `input` (the same cases, in the same order, as the printed one), its counts and
/// its rates, as an .xlsx.
pub(crate) fn render(
    input: &Ledger<'_>,
    counts: &[CountSection],
    rates: Option<&RateReport>,
) -> Result<Vec<u8>, FormError> {
    if input.to < input.from {
        return Err(FormError::BadRange { from: input.from, to: input.to });
    }
    if input.entries.len() > MAX_ROWS {
        return Err(FormError::TooLong {
            field: format!("台账（共 {} 件，超过 Excel 工作表的行数上限）", input.entries.len()),
        });
    }
    let f = Formats::new();
    let scope = crate::ledger::scope_text(input);
    let title = "跨省通办每日收件台账";
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{title} {scope}"))
            .set_author(input.printed_by)
            .set_company(&input.hall.hall_name),
    );

    {
        let ws = wb.add_worksheet().set_name(LEDGER_SHEET).map_err(xl)?;
        let last_col = (COLUMNS.len() - 1) as u16;
        ws.merge_range(0, 0, 0, last_col, title, &f.title).map_err(xl)?;
        ws.set_row_height(0, 26).map_err(xl)?;
        let exported = input.mark.printed_at.format("%Y-%m-%d %H:%M");
        text(
            ws,
            1,
            0,
            &format!("{}　统计范围：{scope}　共 {} 件", input.hall.hall_name, input.entries.len()),
            &f.note,
        )?;
        text(
            ws,
            2,
            0,
            &format!(
                "导出时间：{exported}　制表人：{}　证件号码已隐去部分位数；本表为电子副本，经审核签字的纸质台账为准",
                input.printed_by
            ),
            &f.note,
        )?;
        let mut widths = Widths::new(&COLUMNS);
        for (c, t) in COLUMNS.iter().enumerate() {
            text(ws, HEADER_ROW, c as u16, t, &f.head)?;
        }
        for (i, e) in input.entries.iter().enumerate() {
            let r = HEADER_ROW + 1 + i as u32;
            let c = &e.case;
            let received = c.received_at.with_timezone(&tongban_core::time::china_time()).naive_local();
            ws.write_number_with_format(r, 0, (i + 1) as f64, &f.number).map_err(xl)?;
            widths.fit(0, &(i + 1).to_string());
            let masked = mask_id_number(&c.applicant_id);
            let partner = region::display_name(&c.handling_region);
            let transfer = crate::ledger::transfer_short(e);
            let cells: [(u16, &str, &Format); 6] = [
                (1, &c.number, &f.text),
                (3, &c.applicant_name, &f.text),
                (4, &masked, &f.text),
                (5, &c.item_name, &f.text),
                (6, &partner, &f.text),
                (7, &transfer, &f.text),
            ];
            for (col, value, format) in cells {
                text(ws, r, col, value, format)?;
                widths.fit(col as usize, value);
            }
            ws.write_datetime_with_format(r, 2, excel_datetime(received)?, &f.datetime).map_err(xl)?;
            widths.fit(2, "2026-03-02 08:30");
            text(ws, r, 8, c.status.label(), &f.centre)?;
            widths.fit(8, c.status.label());
            let note = match c.deadline {
                Some(d) => {
                    ws.write_date_with_format(r, 9, excel_date(d.date)?, &f.date).map_err(xl)?;
                    if d.estimated {
                        "预估".to_string()
                    } else {
                        String::new()
                    }
                }
                None => {
                    ws.write_blank(r, 9, &f.date).map_err(xl)?;
                    tongban_core::clocks::deadline_text(None, c.status)
                }
            };
            widths.fit(9, "2026-03-02");
            text(ws, r, 10, &note, &f.centre)?;
            widths.fit(10, &note);
            text(ws, r, 11, &e.clerk_name, &f.centre)?;
            widths.fit(11, &e.clerk_name);
        }
        widths.apply(ws)?;
        // Title, hall and period scroll away with nothing; the column titles stay.
        ws.set_freeze_panes(HEADER_ROW + 1, 0).map_err(xl)?;
        if !input.entries.is_empty() {
            ws.autofilter(HEADER_ROW, 0, HEADER_ROW + input.entries.len() as u32, last_col).map_err(xl)?;
        }
        ws.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(HEADER_ROW, HEADER_ROW).map_err(xl)?;
    }

    {
        let ws = wb.add_worksheet().set_name(COUNTS_SHEET).map_err(xl)?;
        ws.merge_range(0, 0, 0, 1, "台账统计", &f.title).map_err(xl)?;
        text(ws, 1, 0, &format!("统计范围：{scope}"), &f.note)?;
        let mut widths = Widths::new(&["名称", "件数"]);
        let mut r = 3;
        let mut sections = vec![CountSection { title: "按状态".into(), rows: status_counts(input) }];
        sections.extend(counts.iter().cloned());
        for s in &sections {
            text(ws, r, 0, &s.title, &f.head)?;
            text(ws, r, 1, "件数", &f.head)?;
            widths.fit(0, &s.title);
            r += 1;
            for (name, n) in &s.rows {
                text(ws, r, 0, name, &f.text)?;
                widths.fit(0, name);
                ws.write_number_with_format(r, 1, *n as f64, &f.number).map_err(xl)?;
                r += 1;
            }
            r += 1;
        }
        text(ws, r, 0, "合计", &f.head)?;
        ws.write_number_with_format(r, 1, input.entries.len() as f64, &f.number).map_err(xl)?;
        widths.apply(ws)?;
    }

    if let Some(rates) = rates {
        let ws = wb.add_worksheet().set_name(RATES_SHEET).map_err(xl)?;
        const HEAD: [&str; 11] = [
            "分组",
            "名称",
            "收件",
            "受理决定",
            "已受理",
            "受理率",
            "已办结",
            "按时办结",
            "按时办结率",
            "超期件数",
            "平均办理用时（工作日）",
        ];
        ws.merge_range(0, 0, 0, (HEAD.len() - 1) as u16, "办理指标", &f.title).map_err(xl)?;
        text(ws, 1, 0, &format!("统计范围：{scope}　超期截至 {}", rates.as_of), &f.note)?;
        let mut widths = Widths::new(&HEAD);
        for (c, t) in HEAD.iter().enumerate() {
            text(ws, 3, c as u16, t, &f.head)?;
        }
        ws.set_freeze_panes(4, 0).map_err(xl)?;
        let groups = std::iter::once(("全部", &rates.all))
            .chain(rates.by_item.iter().map(|l| ("按事项", l)))
            .chain(rates.by_partner.iter().map(|l| ("按办理地", l)))
            .chain(rates.by_clerk.iter().map(|l| ("按受理人", l)));
        let mut r = 4;
        for (group, line) in groups {
            rate_row(ws, r, group, line, &f, &mut widths)?;
            r += 1;
        }
        r += 1;
        widths.apply(ws)?;
        let wide = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        for d in &rates.definitions {
            text(ws, r, 0, &d.name, &f.note)?;
            ws.merge_range(r, 1, r, (HEAD.len() - 1) as u16, "", &wide).map_err(xl)?;
            text(ws, r, 1, &d.text, &wide)?;
            ws.set_row_height(r, 30).map_err(xl)?;
            r += 1;
        }
    }

    wb.save_to_buffer().map_err(xl)
}

fn status_counts(input: &Ledger<'_>) -> Vec<(String, u64)> {
    let counts = CaseStatus::tally(input.entries.iter().map(|e| e.case.status));
    CaseStatus::ALL.iter().zip(counts).map(|(s, n)| (s.label().to_string(), n as u64)).collect()
}

fn rate_row(
    ws: &mut Worksheet,
    r: u32,
    group: &str,
    line: &RateLine,
    f: &Formats,
    widths: &mut Widths,
) -> Result<(), FormError> {
    let label = if line.key.is_empty() { "全部办件" } else { line.label.as_str() };
    text(ws, r, 0, group, &f.centre)?;
    text(ws, r, 1, label, &f.text)?;
    widths.fit(1, label);
    let counts = [
        (2, line.cases),
        (3, line.decided),
        (4, line.accepted),
        (6, line.concluded),
        (7, line.on_time),
        (9, line.overdue),
    ];
    for (c, n) in counts {
        ws.write_number_with_format(r, c, n as f64, &f.number).map_err(xl)?;
    }
    // A rate without cases to count is empty, as the printed "—".
    let ratio = |num: u32, den: u32| (den > 0).then(|| num as f64 / den as f64);
    for (c, value, format) in [
        (5, ratio(line.accepted, line.decided), &f.percent),
        (8, ratio(line.on_time, line.concluded), &f.percent),
        (10, ratio(line.working_days, line.concluded), &f.decimal),
    ] {
        match value {
            Some(v) => ws.write_number_with_format(r, c, v, format).map_err(xl)?,
            None => ws.write_string_with_format(r, c, "—", &f.centre).map_err(xl)?,
        };
    }
    Ok(())
}
