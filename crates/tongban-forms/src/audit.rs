//! The 审计日志 as printed for a supervisor (A4 landscape): one row per entry, the header on
//! every page, 第 x 页 共 y 页, who printed it and a line to sign.

use crate::layout::{lay_row, Align, Canvas, Col, Row};
use crate::{AuditLog, FormError, FormFont};

const PAGE_W: f32 = 297.0;
const PAGE_H: f32 = 210.0;
const LEFT: f32 = 12.0;
const WIDTH: f32 = PAGE_W - 2.0 * LEFT;
const TOP: f32 = 30.0;
const BODY_BOTTOM: f32 = PAGE_H - 22.0;
const SIZE: f32 = 8.5;
const TITLES: [&str; 7] = ["序号", "时间", "人员", "类别", "办件编号", "内容", "链哈希（前 16 位）"];

fn cols(head: bool) -> Vec<Col> {
    let widths = [16.0, 34.0, 30.0, 28.0, 50.0, WIDTH - 16.0 - 34.0 - 30.0 - 28.0 - 50.0 - 38.0, 38.0];
    widths.iter().map(|&w| if head { Col::head(w) } else { Col::value(w) }).collect()
}

pub(crate) fn render(font: &FormFont, input: &AuditLog<'_>) -> Result<Vec<u8>, FormError> {
    font.check("打印人", input.printed_by)?;
    font.check("服务中心名称", input.hall)?;
    let head = lay_row(font, &cols(true), &TITLES.map(|t| (t, t)), SIZE + 0.5, 7.0)?;
    let body_cols = cols(false);
    let rows: Vec<Row> = input
        .rows
        .iter()
        .map(|r| {
            let cells = [
                (r.seq.as_str(), "序号"),
                (r.at.as_str(), "时间"),
                (r.person.as_str(), "人员"),
                (r.kind.as_str(), "类别"),
                (r.case_number.as_str(), "办件编号"),
                (r.detail.as_str(), "内容"),
                (r.hash.as_str(), "链哈希"),
            ];
            for (text, field) in cells {
                font.check(field, text)?;
            }
            lay_row(font, &body_cols, &cells, SIZE, 6.0)
        })
        .collect::<Result<_, _>>()?;
    let mut c = Canvas::new(font, "审计日志");
    let new_page = |c: &mut Canvas<'_>| {
        c.add_page(PAGE_W, PAGE_H);
        c.title_at(PAGE_W / 2.0, 15.0, 15.0, Align::Centre, &format!("{}　审计日志", input.hall));
        c.text_at(LEFT, 23.0, 9.0, Align::Left, input.scope);
        c.text_at(LEFT + WIDTH, 23.0, 9.0, Align::Right, &format!("共 {} 条", input.rows.len()));
    };
    new_page(&mut c);
    let mut y = c.paged_table(
        (LEFT, TOP, BODY_BOTTOM),
        (&cols(true), &head),
        (&body_cols, &rows),
        ("所选范围内没有审计记录", 10.0),
        16.0,
        &new_page,
    );
    y += 10.0;
    c.text_at(
        LEFT,
        y,
        10.0,
        Align::Left,
        &format!("打印人：{}　　打印时间：{}", input.printed_by, input.printed_at.format("%Y-%m-%d %H:%M")),
    );
    c.text_at(LEFT + 170.0, y, 10.0, Align::Left, "审核人签字：");
    c.hline(LEFT + 193.0, LEFT + WIDTH, y + 1.2, 0.4);
    let pages = c.page_count();
    c.stamp_footers(0..pages, PAGE_W, (LEFT, LEFT + WIDTH), (PAGE_H - 12.0, PAGE_H - 8.0), (input.verdict, ""));
    c.finish()
}
