//! The 对账单 on paper (A4 landscape): the two parties and the period, the summary, one row per
//! difference or unsigned package with the header on every page, 第 x 页 共 y 页, and a line for
//! each side to sign, as a 对账单 between two offices is kept.

use crate::layout::{lay_row, Align, Canvas, Col, Row};
use crate::reconciliation_xlsx::COLUMNS;
use crate::{FormError, FormFont, ReconciliationSheet};

const PAGE_W: f32 = 297.0;
const PAGE_H: f32 = 210.0;
const LEFT: f32 = 12.0;
const WIDTH: f32 = PAGE_W - 2.0 * LEFT;
const TOP: f32 = 36.0;
const BODY_BOTTOM: f32 = PAGE_H - 22.0;
const SIZE: f32 = 9.0;

fn cols(head: bool) -> Vec<Col> {
    let widths = [12.0, 26.0, 56.0, 40.0, 32.0, WIDTH - 12.0 - 26.0 - 56.0 - 40.0 - 32.0];
    widths.iter().map(|&w| if head { Col::head(w) } else { Col::value(w) }).collect()
}

pub(crate) fn render(font: &FormFont, sheet: &ReconciliationSheet) -> Result<Vec<u8>, FormError> {
    font.check("对账双方", &sheet.parties)?;
    font.check("对账人", &sheet.made_by)?;
    let titles = ["序号", COLUMNS[0], COLUMNS[1], COLUMNS[2], COLUMNS[3], COLUMNS[4]];
    let head = lay_row(font, &cols(true), &titles.map(|t| (t, t)), SIZE + 0.5, 7.0)?;
    let body_cols = cols(false);
    let rows: Vec<Row> = sheet
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let (seq, at) = ((i + 1).to_string(), line.at.format("%Y-%m-%d %H:%M").to_string());
            let cells = [
                (seq.as_str(), "序号"),
                (line.section.as_str(), "类别"),
                (line.number.as_str(), "办件编号"),
                (line.what.as_str(), "事件或运单"),
                (at.as_str(), "时间"),
                (line.note.as_str(), "说明"),
            ];
            for (text, field) in cells {
                font.check(field, text)?;
            }
            lay_row(font, &body_cols, &cells, SIZE, 6.5)
        })
        .collect::<Result<_, _>>()?;
    let mut c = Canvas::new(font, "对账单");
    let new_page = |c: &mut Canvas<'_>| {
        c.add_page(PAGE_W, PAGE_H);
        c.title_at(PAGE_W / 2.0, 15.0, 16.0, Align::Centre, "对账单");
        c.text_at(LEFT, 23.0, 10.0, Align::Left, &format!("{}　　对账期间：{}", sheet.parties, sheet.period));
        c.text_at(LEFT, 29.5, 9.5, Align::Left, &sheet.summary());
    };
    new_page(&mut c);
    let mut y = c.paged_table(
        (LEFT, TOP, BODY_BOTTOM),
        (&cols(true), &head),
        (&body_cols, &rows),
        ("双方记录一致，没有不符或待处理的项目", 10.5),
        22.0,
        &new_page,
    );
    y += 12.0;
    c.text_at(LEFT, y, 10.0, Align::Left, &format!("本方对账人：{}", sheet.made_by));
    c.text_at(LEFT + 70.0, y, 10.0, Align::Left, "签字：");
    c.hline(LEFT + 82.0, LEFT + 125.0, y + 1.2, 0.4);
    c.text_at(LEFT + 140.0, y, 10.0, Align::Left, "对方核对人签字：");
    c.hline(LEFT + 170.0, LEFT + WIDTH, y + 1.2, 0.4);
    c.text_at(LEFT + 140.0, y + 9.0, 10.0, Align::Left, "日期：");
    c.hline(LEFT + 152.0, LEFT + 200.0, y + 10.2, 0.4);
    let pages = c.page_count();
    let note = format!("制表 {}", sheet.made_at);
    c.stamp_footers(0..pages, PAGE_W, (LEFT, LEFT + WIDTH), (PAGE_H - 12.0, PAGE_H - 8.0), (&note, ""));
    c.finish()
}
