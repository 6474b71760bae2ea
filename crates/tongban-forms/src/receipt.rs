//! 收件登记表 (A4 portrait): the proof the applicant takes home that the hall has their papers,
//! and the hall's archive copy. Two copies in one PDF, each starting on a new page.

use tongban_core::applicant::Applicant;
use tongban_core::case::{CaseStatus, ELicense, IntakeForm, Material, MaterialForm, ResultDelivery, Transfer};
use tongban_core::region;

use crate::copies::{self, FormCopy};
use crate::font::FormFont;
use crate::layout::{lay_row, Align, Area, Canvas, Col, Row, Style};
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
/// A 一件事 case's materials: the same with 所属事项 (the ordinals of the bundle's items).
const BUNDLE_MATERIAL_COLS: [Col; 7] = [
    Col::centred(10.0),
    Col::value(48.0),
    Col::centred(16.0),
    Col::centred(10.0),
    Col::centred(18.0),
    Col::centred(20.0),
    Col::value(52.0),
];
const BUNDLE_MATERIAL_HEAD: [Col; 7] = [
    Col::head(10.0),
    Col::head(48.0),
    Col::head(16.0),
    Col::head(10.0),
    Col::head(18.0),
    Col::head(20.0),
    Col::head(52.0),
];
const BUNDLE_MATERIAL_TITLES: [&str; 7] = ["序号", "材料名称", "形式", "份数", "原件核验", "所属事项", "备注"];
/// The items of a 一件事: 序号, 事项名称, 事项编码, 办理部门, 承诺时限.
const ITEM_COLS: [Col; 5] =
    [Col::centred(12.0), Col::value(55.0), Col::centred(30.0), Col::value(55.0), Col::centred(22.0)];
const ITEM_HEAD: [Col; 5] = [Col::head(12.0), Col::head(55.0), Col::head(30.0), Col::head(55.0), Col::head(22.0)];
const ITEM_TITLES: [&str; 5] = ["序号", "事项名称", "事项编码", "办理部门", "承诺时限"];
/// A title row across the table.
const TITLE: [Col; 1] = [Col::head(WIDTH)];
const WHOLE: [Col; 1] = [Col::centred(WIDTH)];

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

/// The original-verification cell: only originals handed in on paper are verified.
fn verified(m: &Material) -> &'static str {
    if m.e_license.is_some() {
        return "—";
    }
    let original = matches!(m.form, MaterialForm::Original | MaterialForm::OriginalAndCopy);
    match (original, m.received, m.original_verified) {
        (true, true, true) => "已核验",
        (true, true, false) => "未核验",
        _ => "—",
    }
}

/// The 形式 cell: the form asked for, or 电子证照 when a certificate stands in for the paper.
fn form_label(m: &Material) -> &'static str {
    if m.e_license.is_some() {
        "电子证照"
    } else {
        m.form.label()
    }
}

/// 电子证照：居民户口簿，编号 …，签发机关 (the parts given).
fn e_license_text(e: &ELicense) -> String {
    let mut out = format!("电子证照：{}", e.kind.trim());
    if !e.number.trim().is_empty() {
        out.push_str(&format!("，编号 {}", e.number.trim()));
    }
    if !e.issuer.trim().is_empty() {
        out.push_str(&format!("，{}", e.issuer.trim()));
    }
    out
}

/// The 备注 cell: the condition of a 条件材料, what is missing (or that the condition did not
/// apply), the certificate cited, the clerk's note.
fn material_note(m: &Material, all: &[Material]) -> String {
    let condition = m.condition.trim();
    let mut parts: Vec<String> = Vec::new();
    if !condition.is_empty() {
        parts.push(format!("条件：{condition}"));
    }
    let alternative = (!m.choice.is_empty())
        .then(|| all.iter().find(|o| o.choice == m.choice && o.received && !std::ptr::eq(*o, m)))
        .flatten();
    if !m.choice.is_empty() {
        parts.push(format!("{}任选其一", m.choice));
    }
    match (m.received, m.required) {
        (true, _) => {}
        (false, true) if alternative.is_some() => {
            parts.push(format!("已以「{}」提交", alternative.map_or("", |a| a.name.as_str())))
        }
        (false, true) if m.deferral.is_some() => {
            parts.push(format!("容缺受理，{}", m.deferral.map(|d| d.text()).unwrap_or_default()))
        }
        (false, true) => parts.push("未提交，须补正".into()),
        (false, false) if !condition.is_empty() => parts.push("不适用".into()),
        (false, false) => parts.push("未提交（非必需）".into()),
    }
    if let Some(e) = &m.e_license {
        parts.push(e_license_text(e));
    }
    if !m.note.trim().is_empty() {
        parts.push(m.note.trim().to_string());
    }
    parts.join("；")
}

/// The 所属事项 cell of a 一件事 case: the ordinals of the bundle's items asking for `m`
/// (`1、3`), an item code the bundle does not list as itself.
fn item_ordinals(form: &IntakeForm, m: &Material) -> String {
    m.items
        .iter()
        .map(|code| match form.bundle_items.iter().position(|i| i.code == *code) {
            Some(k) => (k + 1).to_string(),
            None => code.clone(),
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The rows of the case's details: (label, value) pairs, two to a row, or one across the row.
enum Line {
    Pair(&'static str, String, &'static str, String),
    Span(&'static str, String),
}

/// The item: its name, code, region and department; for a 一件事 the bundle's (its items are
/// listed in a table of their own below).
fn item_lines(form: &IntakeForm) -> Vec<Line> {
    let region = region::display_name(&form.handling_region);
    if form.bundle_items.is_empty() {
        let mut out = vec![
            Line::Span("事项名称", form.item.name.clone()),
            Line::Pair("事项编码", form.item.code.clone(), "办理地", region),
            Line::Span("办理部门", form.item.department.clone()),
        ];
        // The authority that decides, when the guide names another than the 实施主体.
        if form.item.decider() != form.item.department {
            out.push(Line::Span("决定机构", form.item.decider().to_string()));
        }
        out
    } else {
        vec![
            Line::Span("一件事名称", format!("{}（一件事，含{}个事项）", form.item.name, form.bundle_items.len())),
            Line::Pair("一件事编码", form.item.code.clone(), "办理地", region),
            Line::Span("牵头部门", form.item.department.clone()),
        ]
    }
}

/// Where the case was taken in, the applicant and the agent.
fn party_lines(input: &Receipt<'_>) -> Vec<Line> {
    let intake = &input.case.intake;
    let form = &intake.form;
    let mut out =
        vec![Line::Pair("受理地", region::display_name(&intake.receiving_region), "受理窗口", intake.window.clone())];
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

fn tail_lines(input: &Receipt<'_>) -> Result<Vec<Line>, FormError> {
    let intake = &input.case.intake;
    let form = &intake.form;
    let promised = form.item.promised_days;
    let unit = form.item.promised_unit;
    let promise = unit.days(promised);
    let deadline = match (input.deadline, input.case.status) {
        // 即办: the case is concluded at the window the day it is complete.
        (Some(d), _) if promised == 0 => format!("当场办结（{}）", date_zh(d.date)),
        (None, CaseStatus::AwaitingMaterials) if promised == 0 => {
            "材料补齐后当场办结（目前材料不齐，待补正）".to_string()
        }
        (Some(d), _) => {
            let estimated = if d.estimated { crate::ESTIMATED_NOTE } else { "" };
            format!("{}前办结（承诺时限{promise}）{estimated}", date_zh(d.date))
        }
        (None, CaseStatus::AwaitingMaterials) => {
            format!("材料补齐之日起{promise}内办结（目前材料不齐，待补正）")
        }
        (None, CaseStatus::SupplementRequested | CaseStatus::Supplementing) => {
            format!("补正期间暂停计时，补正材料齐全后继续计算（承诺时限{promise}）")
        }
        // The promise runs (or ran): a blank here would hide it from the applicant.
        (None, _) => return Err(FormError::NoDeadline { number: intake.number.to_string() }),
    };
    let delivery = match &form.delivery {
        ResultDelivery::AtWindow => format!("窗口领取（{}）", intake.window),
        ResultDelivery::Mail { recipient, phone, address } => format!("邮寄送达：{recipient}，{phone}，{address}"),
        ResultDelivery::Online => "网上获取（电子证照或网上下载）".to_string(),
        ResultDelivery::NotNeeded => "无需送达".to_string(),
    };
    let mut out = vec![
        Line::Span("流转方式", transfer_text(&form.transfer)),
        Line::Span("承诺办结", deadline),
        Line::Span("结果送达", delivery),
    ];
    if let Some(fee) = fee_line(form) {
        out.push(Line::Span("收费", fee));
    }
    let owed: Vec<&str> = tongban_core::case::owed(&input.case.materials).map(|m| m.name.as_str()).collect();
    if !owed.is_empty() {
        // Taken in on trust (容缺受理): the applicant signs for the day they must be brought.
        let by = match input.owed_due {
            Some(d) => format!("{}前", date_zh(d.date)),
            None => "容缺期限内".to_string(),
        };
        out.push(Line::Span("容缺受理", format!("{}，须于{by}补齐，逾期未补齐的按材料不齐处理", owed.join("、"))));
    }
    if !form.note.trim().is_empty() {
        out.push(Line::Span("备注", form.note.trim().to_string()));
    }
    out.push(Line::Span("告知事项", input.hall.receipt_notice.clone()));
    Ok(out)
}

/// 收费 as the receipt prints it, with its 收费依据: the item's; a 一件事's once when its items'
/// are the same, else each by its number in the bundle's table (「事项2：工本费20元」); `None`
/// for a case that does not say (taken in before fees were carried).
fn fee_line(form: &IntakeForm) -> Option<String> {
    if form.bundle_items.is_empty() {
        return form.item.fee_label();
    }
    let labels: Vec<Option<String>> = form.bundle_items.iter().map(|i| i.fee_label()).collect();
    if labels.iter().all(|l| *l == labels[0]) {
        return labels.into_iter().next().flatten();
    }
    let each: Vec<String> =
        labels.iter().enumerate().filter_map(|(k, l)| Some(format!("事项{}：{}", k + 1, l.as_ref()?))).collect();
    (!each.is_empty()).then(|| each.join("；"))
}

/// Checks every field against the font, naming the field, before anything is drawn.
fn check_fields(font: &FormFont, input: &Receipt<'_>) -> Result<(), FormError> {
    let intake = &input.case.intake;
    let form = &intake.form;
    let fee = fee_line(form).unwrap_or_default();
    let [name, code, department] = if form.bundle_items.is_empty() {
        ["事项名称", "事项编码", "办理部门"]
    } else {
        ["一件事名称", "一件事编码", "牵头部门"]
    };
    let mut fields: Vec<(String, &str)> = vec![
        (name.into(), &form.item.name),
        (code.into(), &form.item.code),
        (department.into(), &form.item.department),
        ("受理窗口".into(), &intake.window),
        ("备注".into(), &form.note),
        ("受理人".into(), input.clerk),
        ("服务中心名称".into(), &input.hall.hall_name),
        ("收件登记表告知语".into(), &input.hall.receipt_notice),
        ("服务中心地址".into(), &input.hall.address),
        ("咨询电话".into(), &input.hall.phone),
        ("办公时间".into(), &input.hall.office_hours),
        ("决定机构".into(), &form.item.decided_by),
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
    for (i, item) in form.bundle_items.iter().enumerate() {
        fields.push((format!("一件事第{}个事项的名称", i + 1), &item.name));
        fields.push((format!("一件事第{}个事项的编码", i + 1), &item.code));
        fields.push((format!("一件事第{}个事项的办理部门", i + 1), &item.department));
    }
    for (i, m) in input.case.materials.iter().enumerate() {
        fields.push((format!("第{}项材料名称", i + 1), &m.name));
        fields.push((format!("第{}项材料的适用条件", i + 1), &m.condition));
        fields.push((format!("第{}项材料备注", i + 1), &m.note));
        if let Some(e) = &m.e_license {
            fields.push((format!("第{}项材料的电子证照类型", i + 1), &e.kind));
            fields.push((format!("第{}项材料的电子证照编号", i + 1), &e.number));
            fields.push((format!("第{}项材料的电子证照签发机关", i + 1), &e.issuer));
        }
        for (k, code) in m.items.iter().enumerate() {
            fields.push((format!("第{}项材料的第{}个所属事项编码", i + 1, k + 1), code));
        }
    }
    // Last: a 一件事's line names its items, whose own places are named above.
    fields.push(("收费".into(), &fee));
    for (label, text) in fields {
        font.check(&label, text)?;
    }
    Ok(())
}

/// A measured row and the columns it is drawn in.
type Laid = (&'static [Col], Row);

/// Lays out one bordered row of details.
fn detail_row(font: &FormFont, line: &Line) -> Result<Laid, FormError> {
    Ok(match line {
        Line::Pair(l1, v1, l2, v2) => {
            (&PAIR[..], lay_row(font, &PAIR, &[(l1, l1), (v1, l1), (l2, l2), (v2, l2)], SIZE, ROW_H)?)
        }
        Line::Span(l, v) => (&SPAN[..], lay_row(font, &SPAN, &[(l, l), (v, l)], SIZE, ROW_H)?),
    })
}

/// A table inside the form: a title row across it, a header row (repeated on each page the
/// table reaches) and its rows.
struct Table {
    title: Row,
    head: Laid,
    rows: Vec<Laid>,
}

/// The table of a 一件事's items.
fn items_table(font: &FormFont, form: &IntakeForm) -> Result<Table, FormError> {
    let title = format!("本件一件事包含的事项（共{}项，由各办理部门分别办理）", form.bundle_items.len());
    let mut rows = Vec::with_capacity(form.bundle_items.len());
    for (i, item) in form.bundle_items.iter().enumerate() {
        let (n, days) = ((i + 1).to_string(), item.promise_label());
        let label = format!("一件事第{}个事项", i + 1);
        let cells = [n.as_str(), item.name.as_str(), item.code.as_str(), item.department.as_str(), days.as_str()]
            .map(|t| (t, label.as_str()));
        rows.push((&ITEM_COLS[..], lay_row(font, &ITEM_COLS, &cells, MATERIAL_SIZE, MATERIAL_ROW_H)?));
    }
    Ok(Table {
        title: lay_row(font, &TITLE, &[(&title, "事项清单标题")], SIZE, ROW_H)?,
        head: (&ITEM_HEAD[..], lay_row(font, &ITEM_HEAD, &ITEM_TITLES.map(|t| (t, t)), MATERIAL_SIZE, MATERIAL_ROW_H)?),
        rows,
    })
}

/// The table of materials; a 一件事 case's says which items each material serves.
fn materials_table(font: &FormFont, input: &Receipt<'_>) -> Result<Table, FormError> {
    let form = &input.case.intake.form;
    let bundle = !form.bundle_items.is_empty();
    let (cols, head): (&'static [Col], Laid) = if bundle {
        let titles = BUNDLE_MATERIAL_TITLES.map(|t| (t, t));
        (
            &BUNDLE_MATERIAL_COLS,
            (&BUNDLE_MATERIAL_HEAD, lay_row(font, &BUNDLE_MATERIAL_HEAD, &titles, MATERIAL_SIZE, MATERIAL_ROW_H)?),
        )
    } else {
        let titles = MATERIAL_TITLES.map(|t| (t, t));
        (&MATERIAL_COLS, (&MATERIAL_HEAD, lay_row(font, &MATERIAL_HEAD, &titles, MATERIAL_SIZE, MATERIAL_ROW_H)?))
    };
    let title = if bundle {
        "申请材料清单（多个事项共用的材料只收一份；“所属事项”为上表中的事项序号）"
    } else {
        "申请材料清单"
    };
    let mut rows = Vec::with_capacity(input.case.materials.len());
    for (i, m) in input.case.materials.iter().enumerate() {
        let (n, copies, note, items) =
            ((i + 1).to_string(), m.counts_text(), material_note(m, &input.case.materials), item_ordinals(form, m));
        let label = format!("第{}项材料", i + 1);
        let mut cells = vec![n.as_str(), m.name.as_str(), form_label(m), copies.as_str(), verified(m)];
        if bundle {
            cells.push(items.as_str());
        }
        cells.push(note.as_str());
        let cells: Vec<(&str, &str)> = cells.into_iter().map(|t| (t, label.as_str())).collect();
        let row = lay_row(font, cols, &cells, MATERIAL_SIZE, MATERIAL_ROW_H)?;
        if row.height > BODY_BOTTOM - 60.0 {
            return Err(FormError::TooLong { field: format!("{label}的名称或备注") });
        }
        rows.push((cols, row));
    }
    if rows.is_empty() {
        rows.push((&WHOLE[..], lay_row(font, &WHOLE, &[("（未登记材料）", "材料")], MATERIAL_SIZE, MATERIAL_ROW_H)?));
    }
    Ok(Table { title: lay_row(font, &TITLE, &[(title, "材料清单标题")], SIZE, ROW_H)?, head, rows })
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
fn draw_head(c: &mut Canvas<'_>, input: &Receipt<'_>, copy: FormCopy) -> Result<f32, FormError> {
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
    copies::draw_mark(c, PAGE_W - LEFT, y, copy);
    Ok(y + 9.0)
}

/// The top of a continuation page. Returns the y below.
fn draw_continued_head(c: &mut Canvas<'_>, input: &Receipt<'_>, copy: FormCopy) -> f32 {
    c.title_at(PAGE_W / 2.0, 20.0, 14.0, Align::Centre, "跨省通办收件登记表（续）");
    let y = 26.0;
    c.text_at(LEFT, y + 5.0, 10.5, Align::Left, &format!("办件编号：{}", input.case.intake.number.as_str()));
    copies::draw_mark(c, PAGE_W - LEFT, y, copy);
    y + 10.0
}

fn draw_footer(
    c: &mut Canvas<'_>,
    input: &Receipt<'_>,
    copy: FormCopy,
    page: usize,
    pages: usize,
) -> Result<(), FormError> {
    crate::layout::contact_footer(c, input.hall, LEFT, WIDTH, BODY_BOTTOM + 2.5)?;
    let y = PAGE_H - 8.0;
    c.text_at(LEFT, y, 7.5, Align::Left, &format!("打印时间：{}", input.mark.printed_at.format("%Y-%m-%d %H:%M")));
    c.text_at(PAGE_W / 2.0, y, 8.5, Align::Centre, &copies::page_label(copy, page, pages));
    if input.mark.is_reprint() {
        c.text_at(LEFT + WIDTH, y, 8.5, Align::Right, "补打");
    }
    Ok(())
}

/// One copy being drawn: where the body has reached and where the current bordered block began
/// (framed when the page or the copy ends).
struct Sheet<'a, 'c, 'f> {
    c: &'c mut Canvas<'f>,
    input: &'a Receipt<'a>,
    copy: FormCopy,
    y: f32,
    block_top: f32,
}

impl Sheet<'_, '_, '_> {
    fn close_block(&mut self) {
        if self.y > self.block_top {
            self.c.frame(Area::new(LEFT, self.block_top, WIDTH, self.y - self.block_top), OUTER);
        }
    }

    /// Frames what this page holds and goes on on a continuation page.
    fn next_page(&mut self) {
        self.close_block();
        self.c.add_page(PAGE_W, PAGE_H);
        self.y = draw_continued_head(self.c, self.input, self.copy);
        self.block_top = self.y;
    }

    fn fits(&self, h: f32) -> bool {
        self.y + h <= BODY_BOTTOM
    }

    fn draw(&mut self, cols: &[Col], row: &Row) {
        self.c.draw_row(LEFT, self.y, cols, row, INNER);
        self.y += row.height;
    }

    /// Rows one after the other, going on to a new page when one does not fit.
    fn rows(&mut self, rows: &[Laid]) {
        for (cols, row) in rows {
            if !self.fits(row.height) {
                self.next_page();
            }
            self.draw(cols, row);
        }
    }

    /// A table: its title and header never end a page without the first row under them, and
    /// the header is repeated on each page the rows go on to.
    fn table(&mut self, t: &Table) {
        let first = t.rows.first().map_or(0.0, |(_, r)| r.height);
        if !self.fits(t.title.height + t.head.1.height + first) {
            self.next_page();
        }
        self.draw(&TITLE, &t.title);
        self.draw(t.head.0, &t.head.1);
        for (cols, row) in &t.rows {
            if !self.fits(row.height) {
                self.next_page();
                self.draw(t.head.0, &t.head.1);
            }
            self.draw(cols, row);
        }
    }
}

pub(crate) fn render(font: &FormFont, input: &Receipt<'_>) -> Result<Vec<u8>, FormError> {
    check_fields(font, input)?;
    let form = &input.case.intake.form;
    let lay = |lines: Vec<Line>| lines.iter().map(|l| detail_row(font, l)).collect::<Result<Vec<_>, _>>();
    let item = lay(item_lines(form))?;
    let items = if form.bundle_items.is_empty() { None } else { Some(items_table(font, form)?) };
    let party = lay(party_lines(input))?;
    let materials = materials_table(font, input)?;
    let tail = lay(tail_lines(input)?)?;
    let tail_h: f32 = tail.iter().map(|(_, r)| r.height).sum::<f32>() + 2.0 + SIGN_H;
    if tail_h > BODY_BOTTOM - 40.0 {
        return Err(FormError::TooLong { field: "告知事项或备注".into() });
    }

    let mut c = Canvas::new(font, &format!("跨省通办收件登记表 {}", input.case.intake.number.as_str()));
    let draw = |c: &mut Canvas<'_>, copy: FormCopy| -> Result<(), FormError> {
        c.add_page(PAGE_W, PAGE_H);
        let y = draw_head(c, input, copy)?;
        let mut sheet = Sheet { c, input, copy, y, block_top: y };
        sheet.rows(&item);
        if let Some(items) = &items {
            sheet.table(items);
        }
        sheet.rows(&party);
        sheet.table(&materials);
        // The rest stays together: transfer, deadline, delivery, notice, signatures, seal.
        if !sheet.fits(tail_h) {
            sheet.next_page();
        }
        sheet.rows(&tail);
        sheet.close_block();
        draw_signatures(sheet.c, sheet.y + 2.0, input);
        Ok(())
    };
    copies::draw_copies(&mut c, draw, |c, copy, page, pages| draw_footer(c, input, copy, page, pages))?;
    c.finish()
}
