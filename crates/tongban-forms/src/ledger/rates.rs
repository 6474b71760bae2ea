//! The 台账's rates section (办理指标), after the totals: each rate's definition as counted,
//! then one table — all cases, then by item, by partner, by clerk — whose rows continue on the
//! next page with the header repeated, like the ledger's own rows.

use tongban_core::rates::{RateLine, RateReport};

use super::{Writer, BODY_BOTTOM, INNER, LEFT, SIZE, WIDTH};
use crate::font::FormFont;
use crate::layout::{lay_row, line_height, wrap, Align, Area, Col, Row, Style};
use crate::FormError;

const WIDTHS: [f32; 6] = [93.0, 20.0, 40.0, 40.0, 36.0, 44.0];
const TITLES: [&str; 6] = [
    "统计分组",
    "收件（件）",
    "受理率（已受理/已作出受理决定）",
    "按时办结率（按时办结/已办结）",
    "超期件数（件）",
    "平均办理用时（工作日）",
];
const DEF_SIZE: f32 = 7.5;

fn cols() -> [Col; 6] {
    std::array::from_fn(|i| Col {
        width: WIDTHS[i],
        align: if i == 0 { Align::Left } else { Align::Centre },
        shade: false,
        one_line: false,
    })
}

/// A rate with the counts behind it, "80.0%（4/5）", or "—" when nothing was counted.
fn with_counts(rate: &str, n: u32, d: u32) -> String {
    if d == 0 {
        rate.to_string()
    } else {
        format!("{rate}（{n}/{d}）")
    }
}

fn lay_line(font: &FormFont, line: &RateLine, field: &str) -> Result<Row, FormError> {
    font.check(field, &line.label)?;
    let texts = [
        line.label.clone(),
        line.cases.to_string(),
        with_counts(&line.acceptance_rate, line.accepted, line.decided),
        with_counts(&line.on_time_rate, line.on_time, line.concluded),
        line.overdue.to_string(),
        line.average_days.clone(),
    ];
    let cells: [(&str, &str); 6] = std::array::from_fn(|k| (texts[k].as_str(), field));
    let row = lay_row(font, &cols(), &cells, SIZE, 6.0)?;
    if row.height > 40.0 {
        return Err(FormError::TooLong { field: field.to_string() });
    }
    Ok(row)
}

/// One table row: a line of rates, or a group's heading across the table.
enum Item {
    Line(Row),
    Heading(Row),
}

pub(super) fn draw(w: &mut Writer<'_, '_>, font: &FormFont, rates: &RateReport) -> Result<(), FormError> {
    // The definitions, each as one paragraph across the page.
    let defs: Vec<Vec<String>> =
        rates.definitions.iter().map(|d| wrap(font, &format!("{}：{}", d.name, d.text), DEF_SIZE, WIDTH)).collect();
    let mut notes = Vec::new();
    if rates.all.undated > 0 {
        notes.push(format!(
            "另有 {} 件已办结的办件没有可计算的承诺办结日期，未计入按时办结率、超期件数和平均办理用时。",
            rates.all.undated
        ));
    }
    let notes: Vec<Vec<String>> = notes.iter().map(|n| wrap(font, n, DEF_SIZE, WIDTH)).collect();
    let lh = line_height(DEF_SIZE);
    let defs_h: f32 = defs.iter().chain(&notes).map(|l| l.len() as f32 * lh + 0.6).sum();

    let head = lay_row(font, &WIDTHS.map(Col::head), &TITLES.map(|t| (t, t)), SIZE + 0.5, 6.5)?;
    let mut items = vec![Item::Line(lay_line(font, &rates.all, "办理指标")?)];
    let groups: [(&str, &str, &[RateLine]); 3] = [
        ("按事项", "事项名称", rates.by_item.as_slice()),
        ("按办理地", "办理地", rates.by_partner.as_slice()),
        ("按受理人", "受理人", rates.by_clerk.as_slice()),
    ];
    for (title, field, lines) in groups {
        if lines.is_empty() {
            continue;
        }
        let heading = lay_row(font, &[Col::label(WIDTH)], &[(title, title)], SIZE + 0.5, 5.5)?;
        items.push(Item::Heading(heading));
        for line in lines {
            items.push(Item::Line(lay_line(font, line, field)?));
        }
    }

    // The title, the definitions, the header and the first row stay together.
    let first_h = match &items[0] {
        Item::Line(r) | Item::Heading(r) => r.height,
    };
    if w.y + 12.0 + defs_h + head.height + first_h > BODY_BOTTOM {
        w.continued_page()?;
    }
    w.y += 9.0;
    w.c.title_at(LEFT, w.y, 11.0, Align::Left, "办理指标");
    w.y += 3.0;
    for lines in defs.iter().chain(&notes) {
        let h = lines.len() as f32 * lh;
        w.c.lines_in(Area::new(LEFT, w.y, WIDTH, h), DEF_SIZE, Style::new(DEF_SIZE).top(), lines);
        w.y += h + 0.6;
    }
    w.y += 1.0;
    let head_cols = WIDTHS.map(Col::head);
    w.c.draw_row(LEFT, w.y, &head_cols, &head, INNER);
    w.y += head.height;
    let cols = cols();
    let across = [Col::label(WIDTH)];
    for item in &items {
        let (row, row_cols): (&Row, &[Col]) = match item {
            Item::Line(r) => (r, &cols),
            Item::Heading(r) => (r, &across),
        };
        if w.y + row.height > BODY_BOTTOM {
            w.continued_page()?;
            w.c.draw_row(LEFT, w.y, &head_cols, &head, INNER);
            w.y += head.height;
        }
        w.c.draw_row(LEFT, w.y, row_cols, row, INNER);
        w.y += row.height;
    }
    Ok(())
}
