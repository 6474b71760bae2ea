//! The 对账单 as an Excel workbook: for one partner and a period, how many events both sides
//! hold, then each difference (only on this desk, only at the partner's hub) and each package of
//! originals unsigned too long, one typed row each (times as Excel dates), the header frozen.

use rust_xlsxwriter::{DocProperties, Workbook};

use crate::ledger_xlsx::{excel_datetime, text, xl, Formats, Widths};
use crate::FormError;

/// One line of the 对账单.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciliationLine {
    /// 仅本机有, 仅通办中心有, 原件未签收.
    pub section: String,
    pub number: String,
    /// The event (收件, 签收原件 …) or the package's waybill.
    pub what: String,
    /// Beijing time.
    pub at: chrono::NaiveDateTime,
    pub note: String,
}

/// What the 对账单 says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciliationSheet {
    /// 新野县政务服务中心 与 北京市丰台区通办中心.
    pub parties: String,
    /// 2026年12月1日至2026年12月7日.
    pub period: String,
    pub matched: usize,
    pub lines: Vec<ReconciliationLine>,
    /// 2026-12-07 09:30 (Beijing), when it was made.
    pub made_at: String,
    /// Who made it (the printed sheet's 对账人).
    pub made_by: String,
}

impl ReconciliationSheet {
    /// The sentence under the title, the same on paper and in Excel.
    pub fn summary(&self) -> String {
        if self.lines.is_empty() {
            format!("双方一致：共 {} 个事件，两边都有；制表 {}", self.matched, self.made_at)
        } else {
            format!(
                "双方都有 {} 个事件；下列 {} 项不一致或待处理；制表 {}",
                self.matched,
                self.lines.len(),
                self.made_at
            )
        }
    }
}

pub(crate) const COLUMNS: [&str; 5] = ["类别", "办件编号", "事件或运单", "时间", "说明"];
const HEADER_ROW: u32 = 3;

pub(crate) fn render(sheet: &ReconciliationSheet) -> Result<Vec<u8>, FormError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    book.set_properties(&DocProperties::new().set_title("对账单"));
    let ws = book.add_worksheet().set_name("对账单").map_err(xl)?;
    ws.merge_range(0, 0, 0, COLUMNS.len() as u16 - 1, "对账单", &f.title).map_err(xl)?;
    text(ws, 1, 0, &format!("{}　{}", sheet.parties, sheet.period), &f.note)?;
    text(ws, 2, 0, &sheet.summary(), &f.note)?;
    let mut widths = Widths::new(&COLUMNS);
    for (c, title) in COLUMNS.iter().enumerate() {
        text(ws, HEADER_ROW, c as u16, title, &f.head)?;
    }
    for (i, line) in sheet.lines.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        for (c, value) in [(0, &line.section), (1, &line.number), (2, &line.what), (4, &line.note)] {
            text(ws, row, c, value, &f.text)?;
            widths.fit(c as usize, value);
        }
        ws.write_datetime_with_format(row, 3, excel_datetime(line.at)?, &f.datetime).map_err(xl)?;
        widths.fit(3, "2026-12-07 09:30");
    }
    widths.apply(ws)?;
    ws.set_freeze_panes(HEADER_ROW + 1, 0).map_err(xl)?;
    book.save_to_buffer().map_err(xl)
}
