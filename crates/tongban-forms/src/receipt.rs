//! 收件登记表 (A4 portrait): the proof the applicant takes home that the hall has their papers,
//! and the hall's archive copy. Two copies in one PDF, each starting on a new page.

use tongban_core::applicant::Applicant;
use tongban_core::case::{Material, MaterialForm, ResultDelivery, Transfer};
use tongban_core::region;

use crate::font::FormFont;
use crate::layout::{Align, Area, Canvas, Col, Style};
use crate::{date_zh, reprint_line, FormError, Receipt};

pub(crate) const PAGE_W: f32 = 210.0;
pub(crate) const PAGE_H: f32 = 297.0;
pub(crate) const LEFT: f32 = 18.0;
pub(crate) const WIDTH: f32 = PAGE_W - 2.0 * LEFT;
/// The lowest y the body may reach; the footer lives below.
pub(crate) const BODY_BOTTOM: f32 = 276.0;

const SIZE: f32 = 10.0;
const ROW_H: f32 = 8.5;
const MATERIAL_SIZE: f32 = 9.0;
const MATERIAL_ROW_H: f32 = 7.0;
const OUTER: f32 = 1.0;
const INNER: f32 = 0.5;

/// Label, value, label, value: 174 mm.
const PAIR: [Col; 4] = [Col::label(25.0), Col::value(62.0), Col::label(25.0), Col::value(62.0)];
/// Label, value across the row.
const SPAN: [Col; 2] = [Col::label(25.0), Col::value(149.0)];
/// 序号, 材料名称, 形式, 份数, 原件核验, 备注.
const MATERIAL_COLS: [Col; 6] = [
    Col::centred(12.0),
    Col::value(68.0),
    Col::centred(18.0),
    Col::centred(13.0),
    Col::centred(20.0),
    Col::value(43.0),
];
const MATERIAL_HEAD: [Col; 6] =
    [Col::head(12.0), Col::head(68.0), Col::head(18.0), Col::head(13.0), Col::head(20.0), Col::head(43.0)];
const MATERIAL_TITLES: [&str; 6] = ["序号", "材料名称", "形式", "份数", "原件核验", "备注"];

/// The two copies: what the page says, and the word for 第一联 / 第二联.
const COPIES: [(&str, &str); 2] = [("存档联", "第一联"), ("申请人联", "第二联")];

pub(crate) fn transfer_text(t: &Transfer) -> String {
    let mode = match (t.network, t.mail) {
        (true, true) => "网络流转＋邮寄",
        (true, false) => "网络流转",
        (false, true) => "邮寄",
        (false, false) => "—",
    };
    match (&t.waybill, t.mail) {
        (Some(w), true) if !w.trim().is_empty() => format!("{mode}（运单号 {}）", w.trim()),
        (_, true) => format!("{mode}（运单号待填）"),
        _ => mode.to_string(),
    }
}

/// The original-verification cell: only originals are verified.
fn verified(m: &Material) -> &'static str {
    match (m.form, m.received, m.original_verified) {
        (MaterialForm::Original, true, true) => "已核验",
        (MaterialForm::Original, true, false) => "未核验",
        (MaterialForm::Original, false, _) => "—",
        _ => "—",
    }
}

fn material_note(m: &Material) -> String {
    let status = match (m.received, m.required) {
        (true, _) => "",
        (false, true) => "未提交，须补正",
        (false, false) => "未提交（非必需）",
    };
    match (status.is_empty(), m.note.trim().is_empty()) {
        (true, _) => m.note.trim().to_string(),
        (false, true) => status.to_string(),
        (false, false) => format!("{status}；{}", m.note.trim()),
    }
}

/// The rows of the case's details: (label, value) pairs, two to a row, or one across the row.
enum Line {
    Pair(&'static str, String, &'static str, String),
    Span(&'static str, String),
}

fn detail_lines(input: &Receipt<'_>) -> Vec<Line> {
    let intake = &input.case.intake;
    let form = &intake.form;
    let mut out = vec![
        Line::Span("事项名称", form.item.name.clone()),
        Line::Pair("事项编码", form.item.code.clone(), "办理地", region::display_name(&form.handling_region)),
        Line::Span("办理部门", form.item.department.clone()),
        Line::Pair("受理地", region::display_name(&intake.receiving_region), "受理窗口", intake.window.clone()),
    ];
    match &form.applicant {
        Applicant::Person(p) => {
            out.push(Line::Pair("申请人", p.name.clone(), "联系电话", p.phone.clone()));
            out.push(Line::Pair("证件类型", p.id_kind.label().to_string(), "证件号码", p.id_number.clone()));
            if !p.address.trim().is_empty() {
                out.push(Line::Span("联系地址", p.address.clone()));
            }
        }
        Applicant::Enterprise(e) => {
            out.push(Line::Span("申请单位", e.name.clone()));
            out.push(Line::Pair(
                "统一社会信用代码",
                e.credit_code.clone(),
                "法定代表人",
                e.legal_representative.clone(),
            ));
            out.push(Line::Pair("联系人", e.contact_name.clone(), "联系电话", e.contact_phone.clone()));
            if !e.address.trim().is_empty() {
                out.push(Line::Span("单位地址", e.address.clone()));
            }
        }
    }
    if let Some(a) = &form.agent {
        out.push(Line::Pair("代办人", format!("{}（{}）", a.name, a.role.label()), "代办人电话", a.phone.clone()));
        out.push(Line::Pair("代办人证件", a.id_kind.label().to_string(), "证件号码", a.id_number.clone()));
    }
    out
}

fn tail_lines(input: &Receipt<'_>) -> Vec<Line> {
    let intake = &input.case.intake;
    let form = &intake.form;
    let promised = form.item.promised_days;
    let deadline = match input.deadline {
        Some(d) => format!("{}前办结（承诺时限{promised}个工作日）", date_zh(d)),
        None => format!("材料补齐之日起{promised}个工作日内办结（目前材料不齐，待补正）"),
    };
    let delivery = match &form.delivery {
        ResultDelivery::AtWindow => format!("窗口领取（{}）", intake.window),
        ResultDelivery::Mail { recipient, phone, address } => format!("邮寄送达：{recipient}，{phone}，{address}"),
    };
    let mut out = vec![
        Line::Span("流转方式", transfer_text(&form.transfer)),
        Line::Span("承诺办结", deadline),
        Line::Span("结果送达", delivery),
    ];
    if !form.note.trim().is_empty() {
        out.push(Line::Span("备注", form.note.trim().to_string()));
    }
    out.push(Line::Span("告知事项", input.hall.receipt_notice.clone()));
    out
}

/// Checks every field against the font, naming the field, before anything is drawn.
fn check_fields(font: &FormFont, input: &Receipt<'_>) -> Result<(), FormError> {
    let intake = &input.case.intake;
    let form = &intake.form;
    let mut fields: Vec<(String, &str)> = vec![
        ("事项名称".into(), &form.item.name),
        ("事项编码".into(), &form.item.code),
        ("办理部门".into(), &form.item.department),
        ("受理窗口".into(), &intake.window),
        ("备注".into(), &form.note),
        ("受理人".into(), input.clerk),
        ("服务中心名称".into(), &input.hall.hall_name),
        ("收件登记表告知语".into(), &input.hall.receipt_notice),
        ("服务中心地址".into(), &input.hall.address),
        ("咨询电话".into(), &input.hall.phone),
        ("办公时间".into(), &input.hall.office_hours),
    ];
    match &form.applicant {
        Applicant::Person(p) => {
            fields.push(("申请人姓名".into(), &p.name));
            fields.push(("申请人证件号码".into(), &p.id_number));
            fields.push(("申请人联系电话".into(), &p.phone));
            fields.push(("申请人联系地址".into(), &p.address));
        }
        Applicant::Enterprise(e) => {
            fields.push(("申请单位名称".into(), &e.name));
            fields.push(("统一社会信用代码".into(), &e.credit_code));
            fields.push(("法定代表人".into(), &e.legal_representative));
            fields.push(("联系人".into(), &e.contact_name));
            fields.push(("联系电话".into(), &e.contact_phone));
            fields.push(("单位地址".into(), &e.address));
        }
    }
    if let Some(a) = &form.agent {
        fields.push(("代办人姓名".into(), &a.name));
        fields.push(("代办人证件号码".into(), &a.id_number));
        fields.push(("代办人电话".into(), &a.phone));
    }
    if let ResultDelivery::Mail { recipient, phone, address } = &form.delivery {
        fields.push(("结果收件人".into(), recipient));
        fields.push(("收件人电话".into(), phone));
        fields.push(("邮寄地址".into(), address));
    }
    if let Some(w) = &form.transfer.waybill {
        fields.push(("运单号".into(), w));
    }
    for (i, m) in input.case.materials.iter().enumerate() {
        fields.push((format!("第{}项材料名称", i + 1), &m.name));
        fields.push((format!("第{}项材料备注", i + 1), &m.note));
    }
    for (label, text) in fields {
        font.check(&label, text)?;
    }
    Ok(())
}

/// Lays out one bordered row of details.
fn detail_row(font: &FormFont, line: &Line) -> Result<(&'static [Col], crate::layout::Row), FormError> {
    Ok(match line {
        Line::Pair(l1, v1, l2, v2) => {
            (&PAIR[..], crate::layout::lay_row(font, &PAIR, &[(l1, l1), (v1, l1), (l2, l2), (v2, l2)], SIZE, ROW_H)?)
        }
        Line::Span(l, v) => (&SPAN[..], crate::layout::lay_row(font, &SPAN, &[(l, l), (v, l)], SIZE, ROW_H)?),
    })
}

/// The signature block: clerk and applicant lines with dates, and the seal area.
const SIGN_H: f32 = 36.0;

fn draw_signatures(c: &mut Canvas<'_>, y: f32, input: &Receipt<'_>) {
    let has_agent = input.case.intake.form.agent.is_some();
    let size = 10.0;
    let base = y + 9.0;
    c.text_at(LEFT, base, size, Align::Left, &format!("受理人：{}", input.clerk));
    c.text_at(LEFT, base + 9.0, size, Align::Left, "受理人签字：");
    c.hline(LEFT + 22.0, LEFT + 58.0, base + 10.2, 0.4);
    c.text_at(LEFT, base + 18.0, size, Align::Left, "日期：　　　　年　　月　　日");

    let x2 = LEFT + 68.0;
    let who = if has_agent { "申请人（代办人）签字：" } else { "申请人签字：" };
    c.text_at(x2, base + 9.0, size, Align::Left, who);
    let w = crate::layout::pt_to_mm(c.font.width_pt(who, size));
    let end = LEFT + WIDTH - 44.0;
    c.hline(x2 + w, end.max(x2 + w + 20.0), base + 10.2, 0.4);
    c.text_at(x2, base + 18.0, size, Align::Left, "日期：　　　　年　　月　　日");

    let seal = Area::new(LEFT + WIDTH - 40.0, y + 2.0, 40.0, SIGN_H - 4.0);
    c.dashed_frame(seal, 0.5);
    c.text_at(seal.x + seal.w / 2.0, seal.bottom() - 3.0, 8.0, Align::Centre, "（受理窗口盖章）");
}

/// The top of a copy's first page: hall, title, number, QR, copy mark. Returns the y below.
fn draw_head(c: &mut Canvas<'_>, input: &Receipt<'_>, copy: (&str, &str)) -> Result<f32, FormError> {
    let number = input.case.intake.number.as_str();
    if let Some(line) = reprint_line(&input.mark) {
        c.text_at(LEFT, 13.0, 8.5, Align::Left, &line);
    }
    c.qr(PAGE_W - LEFT - 23.0, 9.0, 23.0, number)?;
    c.text_at(PAGE_W - LEFT - 11.5, 33.5, 6.5, Align::Centre, "扫码核对办件编号");
    c.text_in(
        Area::new(LEFT + 26.0, 15.0, WIDTH - 52.0, 7.0),
        Style::new(12.0).shrink_to(9.0).centred(),
        "服务中心名称",
        &input.hall.hall_name,
    )?;
    c.title_at(PAGE_W / 2.0, 31.0, 20.0, Align::Centre, "跨省通办收件登记表");

    let y = 37.0;
    c.text_at(LEFT, y + 5.0, 10.5, Align::Left, &format!("办件编号：{number}"));
    c.text_at(
        LEFT + 84.0,
        y + 5.0,
        10.5,
        Align::Left,
        &format!("收件日期：{}", date_zh(input.case.intake.received_on)),
    );
    copy_mark(c, y, copy);
    Ok(y + 9.0)
}

fn copy_mark(c: &mut Canvas<'_>, y: f32, (name, ordinal): (&str, &str)) {
    let area = Area::new(PAGE_W - LEFT - 30.0, y, 30.0, 7.0);
    c.frame(area, 0.8);
    c.text_at(area.x + area.w / 2.0, y + 5.0, 10.0, Align::Centre, &format!("{ordinal}　{name}"));
}

/// The top of a continuation page. Returns the y below.
fn draw_continued_head(c: &mut Canvas<'_>, input: &Receipt<'_>, copy: (&str, &str)) -> f32 {
    c.title_at(PAGE_W / 2.0, 20.0, 14.0, Align::Centre, "跨省通办收件登记表（续）");
    let y = 26.0;
    c.text_at(LEFT, y + 5.0, 10.5, Align::Left, &format!("办件编号：{}", input.case.intake.number.as_str()));
    copy_mark(c, y, copy);
    y + 10.0
}

fn draw_footer(
    c: &mut Canvas<'_>,
    input: &Receipt<'_>,
    copy: &str,
    page: usize,
    pages: usize,
) -> Result<(), FormError> {
    crate::layout::contact_footer(c, input.hall, LEFT, WIDTH, BODY_BOTTOM + 2.5)?;
    let y = PAGE_H - 8.0;
    c.text_at(LEFT, y, 7.5, Align::Left, &format!("打印时间：{}", input.mark.printed_at.format("%Y-%m-%d %H:%M")));
    c.text_at(PAGE_W / 2.0, y, 8.5, Align::Centre, &format!("{copy}　第 {page} 页　共 {pages} 页"));
    if input.mark.is_reprint() {
        c.text_at(LEFT + WIDTH, y, 8.5, Align::Right, "补打");
    }
    Ok(())
}

pub(crate) fn render(font: &FormFont, input: &Receipt<'_>) -> Result<Vec<u8>, FormError> {
    check_fields(font, input)?;
    let details = detail_lines(input).iter().map(|l| detail_row(font, l)).collect::<Result<Vec<_>, _>>()?;
    let tail = tail_lines(input).iter().map(|l| detail_row(font, l)).collect::<Result<Vec<_>, _>>()?;
    let head =
        crate::layout::lay_row(font, &MATERIAL_HEAD, &MATERIAL_TITLES.map(|t| (t, t)), MATERIAL_SIZE, MATERIAL_ROW_H)?;
    let mut materials = Vec::with_capacity(input.case.materials.len());
    for (i, m) in input.case.materials.iter().enumerate() {
        let (n, copies, note) = ((i + 1).to_string(), m.copies.to_string(), material_note(m));
        let label = format!("第{}项材料", i + 1);
        let row = crate::layout::lay_row(
            font,
            &MATERIAL_COLS,
            &[
                (&n, &label),
                (&m.name, &label),
                (m.form.label(), &label),
                (&copies, &label),
                (verified(m), &label),
                (&note, &label),
            ],
            MATERIAL_SIZE,
            MATERIAL_ROW_H,
        )?;
        if row.height > BODY_BOTTOM - 60.0 {
            return Err(FormError::TooLong { field: format!("{label}的名称或备注") });
        }
        materials.push(row);
    }
    let tail_h: f32 = tail.iter().map(|(_, r)| r.height).sum::<f32>() + 2.0 + SIGN_H;
    if tail_h > BODY_BOTTOM - 40.0 {
        return Err(FormError::TooLong { field: "告知事项或备注".into() });
    }

    let mut c = Canvas::new(font, &format!("跨省通办收件登记表 {}", input.case.intake.number.as_str()));
    for copy in COPIES {
        let first_page = c.page_count();
        c.add_page(PAGE_W, PAGE_H);
        let mut y = draw_head(&mut c, input, copy)?;
        let top = y;
        for (cols, row) in &details {
            c.draw_row(LEFT, y, cols, row, INNER);
            y += row.height;
        }
        // Materials: a title row, the header, the rows; a new page (header repeated) when full.
        let title =
            crate::layout::lay_row(font, &[Col::head(WIDTH)], &[("申请材料清单", "申请材料清单")], SIZE, ROW_H)?;
        c.draw_row(LEFT, y, &[Col::head(WIDTH)], &title, INNER);
        y += title.height;
        c.draw_row(LEFT, y, &MATERIAL_HEAD, &head, INNER);
        y += head.height;
        let mut block_top = top;
        if materials.is_empty() {
            let none = crate::layout::lay_row(
                font,
                &[Col::centred(WIDTH)],
                &[("（未登记材料）", "材料")],
                MATERIAL_SIZE,
                MATERIAL_ROW_H,
            )?;
            c.draw_row(LEFT, y, &[Col::centred(WIDTH)], &none, INNER);
            y += none.height;
        }
        for row in &materials {
            if y + row.height > BODY_BOTTOM {
                c.frame(Area::new(LEFT, block_top, WIDTH, y - block_top), OUTER);
                c.add_page(PAGE_W, PAGE_H);
                y = draw_continued_head(&mut c, input, copy);
                block_top = y;
                c.draw_row(LEFT, y, &MATERIAL_HEAD, &head, INNER);
                y += head.height;
            }
            c.draw_row(LEFT, y, &MATERIAL_COLS, row, INNER);
            y += row.height;
        }
        // The rest stays together: transfer, deadline, delivery, notice, signatures, seal.
        if y + tail_h > BODY_BOTTOM {
            c.frame(Area::new(LEFT, block_top, WIDTH, y - block_top), OUTER);
            c.add_page(PAGE_W, PAGE_H);
            y = draw_continued_head(&mut c, input, copy);
            block_top = y;
        }
        for (cols, row) in &tail {
            c.draw_row(LEFT, y, cols, row, INNER);
            y += row.height;
        }
        c.frame(Area::new(LEFT, block_top, WIDTH, y - block_top), OUTER);
        draw_signatures(&mut c, y + 2.0, input);

        let pages = c.page_count() - first_page;
        for p in 0..pages {
            c.go_to_page(first_page + p);
            draw_footer(&mut c, input, copy.0, p + 1, pages)?;
        }
        c.go_to_page(c.page_count() - 1);
    }
    c.finish()
}
