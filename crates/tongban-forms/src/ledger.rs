//! 每日台账 (A4 landscape): one row per case of a day or a range, the header row on every page,
//! 第 x 页 共 y 页, totals by status, the supervisor's signature. ID numbers are masked.

use tongban_core::applicant::mask_id_number;
use tongban_core::case::CaseStatus;
use tongban_core::listing::LedgerEntry;
use tongban_core::region;

use crate::font::FormFont;
use crate::layout::{lay_row, Align, Area, Canvas, Col, Row, Style};
use crate::{date_zh, reprint_line, FormError, Ledger};

mod rates;

const PAGE_W: f32 = 297.0;
const PAGE_H: f32 = 210.0;
const LEFT: f32 = 12.0;
const WIDTH: f32 = PAGE_W - 2.0 * LEFT;
const BODY_BOTTOM: f32 = 195.0;
const SIZE: f32 = 7.5;
const ROW_H: f32 = 6.0;
const INNER: f32 = 0.4;
const OUTER: f32 = 0.9;

const WIDTHS: [f32; 11] = [9.0, 36.0, 17.0, 20.0, 30.0, 51.0, 27.0, 36.0, 17.0, 17.0, 13.0];
pub(crate) const TITLES: [&str; 11] = [
    "序号",
    "办件编号",
    "收件时间",
    "申请人",
    "证件号码",
    "事项名称",
    "办理地",
    "流转方式/运单号",
    "状态",
    "承诺办结",
    "受理人",
];
const ALIGNS: [Align; 11] = [
    Align::Centre,
    Align::Left,
    Align::Centre,
    Align::Left,
    Align::Left,
    Align::Left,
    Align::Left,
    Align::Left,
    Align::Centre,
    Align::Centre,
    Align::Centre,
];

fn cols() -> [Col; 11] {
    std::array::from_fn(|i| Col { width: WIDTHS[i], align: ALIGNS[i], shade: false, one_line: false })
}

fn head_cols() -> [Col; 11] {
    WIDTHS.map(Col::head)
}

/// What the ledger covers, as printed under the title (and kept as the print's scope).
pub(crate) fn scope_text(input: &Ledger<'_>) -> String {
    let mut s = if input.from == input.to {
        date_zh(input.from)
    } else {
        format!("{}至{}", date_zh(input.from), date_zh(input.to))
    };
    if let Some(clerk) = input.clerk {
        s.push_str(&format!("　受理人：{clerk}"));
    }
    if let Some(code) = input.partner {
        s.push_str(&format!("　办理地：{}", region::display_name(code)));
    }
    s
}

/// 材料流转 in a few characters: 网络＋邮寄 and the waybills (also what the supervisor's screen shows).
pub fn transfer_short(e: &LedgerEntry) -> String {
    let t = &e.transfer;
    let mut s = match (t.network, t.mail) {
        (true, true) => "网络＋邮寄".to_string(),
        (true, false) => "网络".to_string(),
        (false, true) => "邮寄".to_string(),
        (false, false) => "—".to_string(),
    };
    if let Some(w) = t.waybill.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        s.push(' ');
        s.push_str(w);
    }
    if let Some(w) = e.result_waybill.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        s.push_str(&format!("；结果 {w}"));
    }
    s
}

fn lay_entry(font: &FormFont, i: usize, e: &LedgerEntry, one_day: bool, cols: &[Col; 11]) -> Result<Row, FormError> {
    let c = &e.case;
    // Every text is checked; the error names the case and the column.
    let named = |what: &str| format!("办件{}的{what}", c.number);
    for (what, text) in [("申请人", c.applicant_name.as_str()), ("事项名称", &c.item_name), ("受理人", &e.clerk_name)]
    {
        if let Some(ch) = font.first_missing(text) {
            return Err(FormError::MissingGlyph { field: named(what), ch });
        }
    }
    let local = c.received_at.with_timezone(&tongban_core::time::china_time());
    let time = if one_day { local.format("%H:%M").to_string() } else { local.format("%m-%d %H:%M").to_string() };
    let partner = region::display_name(&c.handling_region);
    let texts = [
        (i + 1).to_string(),
        c.number.clone(),
        time,
        c.applicant_name.clone(),
        mask_id_number(&c.applicant_id),
        c.item_name.clone(),
        partner,
        transfer_short(e),
        c.status.label().to_string(),
        tongban_core::clocks::deadline_text(c.deadline, c.status),
        e.clerk_name.clone(),
    ];
    for (what, text) in TITLES.iter().zip(&texts) {
        if let Some(ch) = font.first_missing(text) {
            return Err(FormError::MissingGlyph { field: named(what), ch });
        }
    }
    let label = named("内容");
    let cells: [(&str, &str); 11] = std::array::from_fn(|k| (texts[k].as_str(), label.as_str()));
    let row = lay_row(font, cols, &cells, SIZE, ROW_H)?;
    if row.height > 60.0 {
        return Err(FormError::TooLong { field: named("申请人或事项名称") });
    }
    Ok(row)
}

struct Writer<'a, 'f> {
    c: Canvas<'f>,
    input: &'a Ledger<'a>,
    scope: String,
    y: f32,
    /// Where the table's current block on this page starts (for its verticals and frame).
    block_top: Option<f32>,
}

impl Writer<'_, '_> {
    fn first_page(&mut self, total: usize) -> Result<(), FormError> {
        self.c.add_page(PAGE_W, PAGE_H);
        let c = &mut self.c;
        if let Some(line) = reprint_line(&self.input.mark) {
            c.text_at(LEFT, 10.0, 8.0, Align::Left, &line);
        }
        c.text_in(
            Area::new(LEFT + 40.0, 9.0, WIDTH - 80.0, 6.0),
            Style::new(11.0).shrink_to(8.0).centred(),
            "服务中心名称",
            &self.input.hall.hall_name,
        )?;
        c.title_at(PAGE_W / 2.0, 22.0, 17.0, Align::Centre, "跨省通办每日收件台账");
        let y = 30.0;
        c.text_in(
            Area::new(LEFT, y - 4.0, WIDTH - 40.0, 5.0),
            Style::new(9.5).shrink_to(7.0).top(),
            "台账范围",
            &format!("统计范围：{}", self.scope),
        )?;
        c.text_at(LEFT + WIDTH, y, 9.5, Align::Right, &format!("共 {total} 件"));
        self.y = y + 3.0;
        Ok(())
    }

    fn continued_page(&mut self) -> Result<(), FormError> {
        self.c.add_page(PAGE_W, PAGE_H);
        let c = &mut self.c;
        c.title_at(PAGE_W / 2.0, 14.0, 12.0, Align::Centre, "跨省通办每日收件台账（续）");
        c.text_in(
            Area::new(LEFT, 16.0, WIDTH, 5.0),
            Style::new(8.5).shrink_to(6.5).top(),
            "台账范围",
            &format!("统计范围：{}", self.scope),
        )?;
        self.y = 22.0;
        Ok(())
    }

    fn head(&mut self, head: &Row) {
        self.block_top = Some(self.y);
        self.c.draw_cells(LEFT, self.y, &head_cols(), head);
        self.y += head.height;
        self.c.hline(LEFT, LEFT + WIDTH, self.y, INNER);
    }

    /// Closes the table block on this page: column lines and the frame.
    fn close_block(&mut self) {
        if let Some(top) = self.block_top.take() {
            let mut x = LEFT;
            for w in &WIDTHS[..WIDTHS.len() - 1] {
                x += w;
                self.c.vline(x, top, self.y, INNER);
            }
            self.c.frame(Area::new(LEFT, top, WIDTH, self.y - top), OUTER);
        }
    }
}

/// The ledger; with `rates`, its rates section (办理指标) follows the totals.
pub(crate) fn render(
    font: &FormFont,
    input: &Ledger<'_>,
    rates: Option<&tongban_core::rates::RateReport>,
) -> Result<Vec<u8>, FormError> {
    if input.to < input.from {
        return Err(FormError::BadRange { from: input.from, to: input.to });
    }
    font.check("服务中心名称", &input.hall.hall_name)?;
    font.check("制表人", input.printed_by)?;
    if let Some(clerk) = input.clerk {
        font.check("受理人", clerk)?;
    }
    let one_day = input.from == input.to;
    let cols = cols();
    let rows: Vec<Row> = input
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| lay_entry(font, i, e, one_day, &cols))
        .collect::<Result<_, _>>()?;
    let head = lay_row(font, &head_cols(), &TITLES.map(|t| (t, t)), SIZE + 0.5, ROW_H + 0.5)?;

    // Totals by status: every status, so the supervisor reads the same columns every day.
    let counts = CaseStatus::tally(input.entries.iter().map(|e| e.case.status));
    let n = CaseStatus::ALL.len() + 1;
    let total_w = WIDTH / n as f32;
    let total_head_cols = vec![Col::head(total_w); n];
    let total_cols = vec![Col::centred(total_w); n];
    let mut names = vec!["合计".to_string()];
    names.extend(CaseStatus::ALL.iter().map(|s| s.label().to_string()));
    let mut values = vec![format!("{} 件", input.entries.len())];
    values.extend(counts.iter().map(|n| n.to_string()));
    fn pairs(v: &[String]) -> Vec<(&str, &str)> {
        v.iter().map(|t| (t.as_str(), "状态合计")).collect()
    }
    let totals_head = lay_row(font, &total_head_cols, &pairs(&names), SIZE + 0.5, ROW_H)?;
    let totals = lay_row(font, &total_cols, &pairs(&values), SIZE + 1.0, ROW_H + 1.0)?;
    let tail_h = 6.0 + totals_head.height + totals.height + 22.0;

    let scope = scope_text(input);
    let title = format!("跨省通办每日收件台账 {scope}");
    let mut w = Writer { c: Canvas::new(font, &title), input, scope, y: 0.0, block_top: None };
    w.first_page(input.entries.len())?;
    w.head(&head);
    if rows.is_empty() {
        // The header keeps its columns; one row across the table says there is nothing.
        let top = w.block_top.unwrap_or(w.y);
        w.close_block();
        let note = format!("本期无收件记录（{}，共 0 件）", w.scope);
        let empty = lay_row(font, &[Col::centred(WIDTH)], &[(&note, "台账范围")], SIZE + 2.0, 14.0)?;
        w.c.draw_cells(LEFT, w.y, &[Col::centred(WIDTH)], &empty);
        w.y += empty.height;
        w.c.frame(Area::new(LEFT, top, WIDTH, w.y - top), OUTER);
    }
    for row in &rows {
        if w.y + row.height > BODY_BOTTOM {
            w.close_block();
            w.continued_page()?;
            w.head(&head);
        }
        w.c.draw_cells(LEFT, w.y, &cols, row);
        w.y += row.height;
        w.c.hline(LEFT, LEFT + WIDTH, w.y, INNER);
    }
    w.close_block();

    // Totals and the supervisor's signature stay together.
    if w.y + tail_h > BODY_BOTTOM {
        w.continued_page()?;
    }
    w.y += 6.0;
    w.c.draw_row(LEFT, w.y, &total_head_cols, &totals_head, INNER);
    w.y += totals_head.height;
    w.c.draw_row(LEFT, w.y, &total_cols, &totals, INNER);
    w.y += totals.height;
    if let Some(rates) = rates {
        self::rates::draw(&mut w, font, rates)?;
        if w.y + 22.0 > BODY_BOTTOM {
            w.continued_page()?;
        }
    }
    let y = w.y + 12.0;
    let c = &mut w.c;
    c.text_at(LEFT, y, 10.0, Align::Left, &format!("制表人：{}", input.printed_by));
    c.text_at(LEFT + 80.0, y, 10.0, Align::Left, "审核人（科长签字）：");
    let lw = crate::layout::pt_to_mm(font.width_pt("审核人（科长签字）：", 10.0));
    c.hline(LEFT + 80.0 + lw, LEFT + 80.0 + lw + 45.0, y + 1.2, 0.4);
    c.text_at(LEFT + 185.0, y, 10.0, Align::Left, "日期：　　　　年　　月　　日");

    let mut c = w.c;
    let note = format!("打印时间：{}　制表人：{}", input.mark.printed_at.format("%Y-%m-%d %H:%M"), input.printed_by);
    let mark = if input.mark.is_reprint() {
        "补打　证件号码已隐去部分位数"
    } else {
        "证件号码已隐去部分位数"
    };
    c.stamp_footers(0..c.page_count(), PAGE_W, (LEFT, LEFT + WIDTH), (BODY_BOTTOM + 3.0, PAGE_H - 8.0), (&note, mark));
    c.finish()
}
