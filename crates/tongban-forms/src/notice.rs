//! 一次性告知书 (A4 portrait): everything that is missing or does not conform, at once, with what
//! each material must be, the legal basis, the deadline, where to bring it, and the signatures.
//! Two copies like the receipt: the hall keeps the 存档联 the applicant signed for, the applicant
//! takes the 申请人联.

use tongban_core::applicant::mask_id_number;
use tongban_core::case::{self, CaseState, CaseStatus, IntakeForm, Material};
use tongban_core::guide::ItemKind;
use tongban_core::region;

use crate::copies::{self, FormCopy};
use crate::font::FormFont;
use crate::layout::{lay_row, line_height, pt_to_mm, wrap, Align, Area, Canvas, Col, Row, Style};
use crate::receipt::{BODY_BOTTOM, LEFT, PAGE_H, PAGE_W, WIDTH};
use crate::{date_zh, reprint_line, FormError, Notice, NoticeItem};

/// 《中华人民共和国行政许可法》第三十二条第一款第（四）项.
pub const LEGAL_BASIS: &str =
    "《中华人民共和国行政许可法》第三十二条第一款第（四）项：申请材料不齐全或者不符合法定形式的，\
应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理。";

/// The law the notice cites, by the items' 事项类型: 行政许可法 §32 for a 行政许可, otherwise
/// the item's own 设定依据 (a 公共服务 or 行政确认 is not a licence); nothing when the catalog
/// names neither.
pub(crate) fn basis_clause(form: &IntakeForm) -> String {
    let items = form.decided_items();
    let licence = items.iter().any(|i| i.kind == Some(ItemKind::License));
    let own: Vec<&str> = items
        .iter()
        .filter(|i| i.kind != Some(ItemKind::License) && !i.basis.trim().is_empty())
        .map(|i| i.basis.trim())
        .collect();
    match (licence, own.is_empty()) {
        (true, true) => "依据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，".to_string(),
        (true, false) => {
            format!("依据《中华人民共和国行政许可法》第三十二条第一款第（四）项及{}的规定，", own.join("、"))
        }
        (false, false) => format!("依据{}的规定，按照一次性告知的要求，", own.join("、")),
        (false, true) => "按照一次性告知的要求，".to_string(),
    }
}

/// The 法律依据 line at the foot: §32's words for a 行政许可, the 设定依据 for the rest.
pub(crate) fn basis_note(form: &IntakeForm) -> String {
    let items = form.decided_items();
    let mut parts: Vec<String> = Vec::new();
    if items.iter().any(|i| i.kind == Some(ItemKind::License)) {
        parts.push(LEGAL_BASIS.to_string());
    }
    for i in items.iter().filter(|i| i.kind != Some(ItemKind::License) && !i.basis.trim().is_empty()) {
        let kind = i.kind.map_or(String::new(), |k| format!("（{}）", k.label()));
        parts.push(format!("「{}」{kind}的设定依据：{}", i.name, i.basis.trim()));
    }
    if parts.is_empty() {
        parts.push("本事项的事项清单未载明设定依据，请向办理地核实。".to_string());
    }
    parts.join("；")
}

const SIZE: f32 = 11.0;
const TABLE_SIZE: f32 = 10.0;
const ROW_H: f32 = 8.0;
const INNER: f32 = 0.5;
const OUTER: f32 = 1.0;

/// 序号, 材料名称, 问题, 应当符合的要求.
const COLS: [Col; 4] = [Col::centred(12.0), Col::value(52.0), Col::centred(26.0), Col::value(84.0)];
const HEAD: [Col; 4] = [Col::head(12.0), Col::head(52.0), Col::head(26.0), Col::head(84.0)];
const TITLES: [&str; 4] = ["序号", "材料名称", "问题", "应当符合的要求"];
/// A 一件事 case's: the same with 所需事项 (the names of the bundle's items that need it).
const BUNDLE_COLS: [Col; 5] =
    [Col::centred(12.0), Col::value(40.0), Col::centred(16.0), Col::value(56.0), Col::value(50.0)];
const BUNDLE_HEAD: [Col; 5] = [Col::head(12.0), Col::head(40.0), Col::head(16.0), Col::head(56.0), Col::head(50.0)];
const BUNDLE_TITLES: [&str; 5] = ["序号", "材料名称", "问题", "所需事项", "应当符合的要求"];

/// The names of the bundle's items that ask for `m`, each with its ordinal in the bundle.
fn item_names(form: &IntakeForm, m: &Material) -> Vec<String> {
    m.items
        .iter()
        .map(|code| match form.bundle_items.iter().position(|i| i.code == *code) {
            Some(k) => format!("{}.{}", k + 1, form.bundle_items[k].name),
            None => code.clone(),
        })
        .collect()
}

pub(crate) fn items(case: &CaseState) -> Vec<NoticeItem> {
    let form = &case.intake.form;
    let missing: Vec<&Material> = case::missing(&case.materials).collect();
    let mut out: Vec<NoticeItem> = Vec::new();
    for m in &missing {
        if m.choice.is_empty() {
            out.push(NoticeItem {
                name: m.name.clone(),
                problem: "未提交".into(),
                requirement: requirement(m),
                items: item_names(form, m),
            });
            continue;
        }
        // 任选其一: the group once, each choice with its own requirement.
        if out.iter().any(|i| i.name.starts_with(&format!("{}（任选其一", m.choice))) {
            continue;
        }
        let group: Vec<&&Material> = missing.iter().filter(|o| o.choice == m.choice).collect();
        let names: Vec<&str> = group.iter().map(|o| o.name.as_str()).collect();
        let requirements: Vec<String> = group.iter().map(|o| format!("{}：{}", o.name, requirement(o))).collect();
        out.push(NoticeItem {
            name: format!("{}（任选其一：{}）", m.choice, names.join("或")),
            problem: "未提交".into(),
            requirement: format!("以下材料提交其中一项即可。{}", requirements.join("；")),
            items: item_names(form, m),
        });
    }
    if matches!(case.status, CaseStatus::SupplementRequested | CaseStatus::Supplementing) {
        for item in &case.supplement_items {
            // The handling region names what it needs in its own words; quote the catalog's
            // standard when the words name one of the case's materials.
            let material = case.materials.iter().find(|m| !m.name.is_empty() && item.contains(m.name.as_str()));
            out.push(NoticeItem {
                name: material.map(|m| m.name.clone()).unwrap_or_else(|| item.clone()),
                problem: "需补正".into(),
                requirement: match material {
                    Some(m) => format!("办理地意见：{item}。{}", requirement(m)),
                    None => format!("办理地意见：{item}"),
                },
                items: material.map(|m| item_names(form, m)).unwrap_or_default(),
            });
        }
    }
    out
}

/// What the material must be: for a 条件材料 the case it is asked in, then the catalog's
/// standard, form and copies.
fn requirement(m: &Material) -> String {
    let standard = m.standard.trim();
    let form = if m.form == tongban_core::case::MaterialForm::OriginalAndCopy {
        m.counts_text()
    } else {
        format!("{}{}份", m.form.label(), m.copies)
    };
    let what = if standard.is_empty() { form } else { format!("{standard}（{form}）") };
    match m.condition.trim() {
        "" => what,
        condition => format!("适用情形：{condition}。{what}"),
    }
}

/// The handling region's note with the 需补正 this notice tells, if it left one: the applicant
/// reads it with the list of what to bring.
fn office_note(case: &CaseState) -> Option<&str> {
    let asked = matches!(case.status, CaseStatus::SupplementRequested | CaseStatus::Supplementing);
    Some(case.supplement_note.as_str()).filter(|n| asked && !n.is_empty())
}

fn check_fields(font: &FormFont, input: &Notice<'_>, items: &[NoticeItem]) -> Result<(), FormError> {
    let form = &input.case.intake.form;
    let hall = input.hall;
    let applicant_label = match form.applicant {
        tongban_core::applicant::Applicant::Person(_) => "申请人姓名",
        tongban_core::applicant::Applicant::Enterprise(_) => "申请单位名称",
    };
    let bundle = !form.bundle_items.is_empty();
    let fields: [(&str, &str); 11] = [
        (applicant_label, form.applicant.name()),
        (if bundle { "一件事名称" } else { "事项名称" }, &form.item.name),
        (if bundle { "一件事编码" } else { "事项编码" }, &form.item.code),
        (if bundle { "牵头部门" } else { "办理部门" }, &form.item.department),
        ("受理窗口", &input.case.intake.window),
        ("受理人", input.clerk),
        ("服务中心名称", &hall.hall_name),
        ("服务中心地址", &hall.address),
        ("咨询电话", &hall.phone),
        ("办公时间", &hall.office_hours),
        ("一次性告知书结束语", &hall.notice_closing),
    ];
    for (label, text) in fields {
        font.check(label, text)?;
    }
    font.check("决定机构", &form.item.decided_by)?;
    if let Some(note) = office_note(input.case) {
        font.check("办理地说明", note)?;
    }
    font.check("设定依据", &basis_note(form))?;
    if let Some(a) = &form.agent {
        font.check("代办人姓名", &a.name)?;
        font.check("代办人证件号码", &a.id_number)?;
        font.check("代办人电话", &a.phone)?;
    }
    for (i, item) in form.bundle_items.iter().enumerate() {
        font.check(&format!("一件事第{}个事项的名称", i + 1), &item.name)?;
    }
    for (i, item) in items.iter().enumerate() {
        font.check(&format!("第{}项补正材料名称", i + 1), &item.name)?;
        font.check(&format!("第{}项补正材料的要求", i + 1), &item.requirement)?;
        for name in &item.items {
            font.check(&format!("第{}项补正材料的所需事项", i + 1), name)?;
        }
    }
    Ok(())
}

/// A paragraph already wrapped.
struct Para {
    size: f32,
    lines: Vec<String>,
}

impl Para {
    fn new(font: &FormFont, text: &str, size: f32) -> Para {
        Para { size, lines: wrap(font, text, size, WIDTH) }
    }
}

/// One copy being drawn, and how far down its current page it has got.
struct Writer<'a, 'c, 'f> {
    c: &'c mut Canvas<'f>,
    input: &'a Notice<'a>,
    copy: FormCopy,
    y: f32,
}

impl Writer<'_, '_, '_> {
    /// Starts a continuation page if `h` mm do not fit below `y`.
    fn ensure(&mut self, h: f32) -> bool {
        if self.y + h <= BODY_BOTTOM {
            return false;
        }
        self.new_page();
        true
    }

    fn new_page(&mut self) {
        self.c.add_page(PAGE_W, PAGE_H);
        self.c.title_at(PAGE_W / 2.0, 20.0, 14.0, Align::Centre, "一次性告知书（续）");
        self.c.text_at(LEFT, 28.0, 9.5, Align::Left, &format!("编号：{}", self.input.case.intake.number));
        copies::draw_mark(self.c, LEFT + WIDTH, 23.0, self.copy);
        self.y = 33.0;
    }

    /// A paragraph, continuing on the next page line by line if it has to.
    fn para(&mut self, p: &Para, gap_after: f32) {
        let lh = line_height(p.size);
        for line in &p.lines {
            self.ensure(lh);
            self.c.lines_in(
                Area::new(LEFT, self.y, WIDTH, lh),
                p.size,
                Style::new(p.size).top(),
                std::slice::from_ref(line),
            );
            self.y += lh;
        }
        self.y += gap_after;
    }
}

pub(crate) fn render(font: &FormFont, input: &Notice<'_>) -> Result<Vec<u8>, FormError> {
    let case = input.case;
    let intake = &case.intake;
    let form = &intake.form;
    let hall = input.hall;
    let items = items(case);
    if items.is_empty() {
        return Err(FormError::NothingToNotify { number: intake.number.to_string() });
    }
    check_fields(font, input, &items)?;

    let partner = region::display_name(&form.handling_region);
    let bundle = !form.bundle_items.is_empty();
    let what = if bundle {
        let names: Vec<&str> = form.bundle_items.iter().map(|i| i.name.as_str()).collect();
        format!(
            "「{}」（一件事编码：{}，包括{}共{}个事项；办件编号：{}；办理地：{}；牵头部门：{}）",
            form.item.name,
            form.item.code,
            names.join("、"),
            names.len(),
            intake.number,
            partner,
            form.item.department
        )
    } else {
        // The authority that decides is the one the law's deadlines and remedies run against.
        let decider = if form.item.decider() == form.item.department {
            String::new()
        } else {
            format!("；决定机构：{}", form.item.decider())
        };
        format!(
            "「{}」（办件编号：{}；办理地：{}；办理部门：{}{decider}）",
            form.item.name, intake.number, partner, form.item.department
        )
    };
    let colon = if bundle { "（多个事项共用的材料只需提交一份）：" } else { "：" };
    let opening = format!(
        "　　您（单位）于{}在本窗口申请办理的{what}，经审查，申请材料不齐全或者不符合法定形式。\
{}现将需要补正的全部内容一次性告知如下{colon}",
        date_zh(intake.received_on),
        basis_clause(form),
    );
    let place = if hall.address.trim().is_empty() {
        intake.window.clone()
    } else {
        format!("{}（{}）", hall.address.trim(), intake.window)
    };
    let estimated = if input.supplement_by.estimated { "，按预估节假日安排计算" } else { "" };
    let deadline = format!(
        "　　请于{}前（自告知之日起{}个工作日内{estimated}）将上述材料一次性补正齐全，送至{}。{}",
        date_zh(input.supplement_by.date),
        hall.supplement_days,
        place,
        hall.notice_closing.trim()
    );
    // Who stands at the window for the applicant, with the ID masked as on every list.
    let agent = form.agent.as_ref().map(|a| {
        let text = format!(
            "代办人：{}（{}）　证件号码：{}　联系电话：{}",
            a.name,
            a.role.label(),
            mask_id_number(&a.id_number),
            a.phone
        );
        Para::new(font, &text, 10.0)
    });
    let opening = Para::new(font, &opening, SIZE);
    let deadline = Para::new(font, &deadline, SIZE);
    let office = office_note(input.case).map(|note| Para::new(font, &format!("　　办理地说明：{note}"), SIZE));
    let blank = |s: &str| {
        if s.trim().is_empty() {
            "＿＿＿＿＿＿＿＿".to_string()
        } else {
            s.trim().to_string()
        }
    };
    let contacts = [
        Para::new(font, &format!("补正地点：{place}"), 10.0),
        Para::new(font, &format!("办公时间：{}", blank(&hall.office_hours)), 10.0),
        Para::new(font, &format!("咨询电话：{}", blank(&hall.phone)), 10.0),
    ];
    let basis_inner = WIDTH - 6.0;
    let basis_lines = wrap(font, &format!("法律依据：{}", basis_note(form)), 9.0, basis_inner);
    let basis_h = line_height(9.0) * basis_lines.len() as f32 + 4.0;

    let (cols, head_cols): (&[Col], &[Col]) = if bundle { (&BUNDLE_COLS, &BUNDLE_HEAD) } else { (&COLS, &HEAD) };
    let head = if bundle {
        lay_row(font, head_cols, &BUNDLE_TITLES.map(|t| (t, t)), TABLE_SIZE, ROW_H)?
    } else {
        lay_row(font, head_cols, &TITLES.map(|t| (t, t)), TABLE_SIZE, ROW_H)?
    };
    let rows: Vec<Row> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let n = (i + 1).to_string();
            let label = format!("第{}项补正材料", i + 1);
            let needed = if it.items.is_empty() { "—".to_string() } else { it.items.join("\n") };
            let mut cells = vec![(n.as_str(), label.as_str()), (&it.name, &label), (&it.problem, &label)];
            if bundle {
                cells.push((&needed, &label));
            }
            cells.push((&it.requirement, &label));
            lay_row(font, cols, &cells, TABLE_SIZE, ROW_H)
        })
        .collect::<Result<_, _>>()?;
    if let Some(i) = rows.iter().position(|r| r.height > BODY_BOTTOM - 60.0) {
        return Err(FormError::TooLong { field: format!("第{}项补正材料的名称或要求", i + 1) });
    }

    let mut c = Canvas::new(font, &format!("一次性告知书 {}", intake.number));
    let draw = |c: &mut Canvas<'_>, copy: FormCopy| -> Result<(), FormError> {
        c.add_page(PAGE_W, PAGE_H);
        if let Some(line) = reprint_line(&input.mark) {
            c.text_at(LEFT, 13.0, 8.5, Align::Left, &line);
        }
        c.text_at(LEFT + WIDTH, 13.0, 9.5, Align::Right, &format!("编号：{}", intake.number));
        c.text_in(
            Area::new(LEFT + 20.0, 19.0, WIDTH - 40.0, 7.0),
            Style::new(13.0).shrink_to(9.0).centred(),
            "服务中心名称",
            &hall.hall_name,
        )?;
        c.title_at(PAGE_W / 2.0, 37.0, 22.0, Align::Centre, "一次性告知书");
        copies::draw_mark(c, LEFT + WIDTH, 31.0, copy);
        let subtitle = if bundle {
            "（跨省通办 · 一件事 · 申请材料补正）"
        } else {
            "（跨省通办 · 申请材料补正）"
        };
        c.text_at(PAGE_W / 2.0, 44.0, 9.5, Align::Centre, subtitle);

        let mut w = Writer { c, input, copy, y: 50.0 };
        if let Some(agent) = &agent {
            w.para(agent, 1.5);
        }
        let addressee = Para::new(font, &format!("{}：", form.applicant.name()), SIZE);
        w.para(&addressee, 1.0);
        w.para(&opening, 3.0);

        // The table, its header repeated on each page it reaches.
        w.ensure(head.height + rows.first().map_or(0.0, |r| r.height));
        let mut top = w.y;
        w.c.draw_row(LEFT, w.y, head_cols, &head, INNER);
        w.y += head.height;
        for row in &rows {
            if w.y + row.height > BODY_BOTTOM {
                w.c.frame(Area::new(LEFT, top, WIDTH, w.y - top), OUTER);
                w.new_page();
                top = w.y;
                w.c.draw_row(LEFT, w.y, head_cols, &head, INNER);
                w.y += head.height;
            }
            w.c.draw_row(LEFT, w.y, cols, row, INNER);
            w.y += row.height;
        }
        w.c.frame(Area::new(LEFT, top, WIDTH, w.y - top), OUTER);
        w.y += 4.0;

        if let Some(office) = &office {
            w.para(office, 3.0);
        }
        w.para(&deadline, 3.0);
        for p in &contacts {
            w.para(p, 0.8);
        }
        w.y += 2.0;
        w.ensure(basis_h);
        let basis = Area::new(LEFT, w.y, WIDTH, basis_h);
        w.c.fill(basis, 0.95);
        w.c.frame(basis, 0.4);
        w.c.lines_in(basis.inset(3.0, 2.0), 9.0, Style::new(9.0).top(), &basis_lines);
        w.y += basis_h + 4.0;

        // Signatures, the seal and the date of the notice stay together.
        let sign_h = 44.0;
        w.ensure(sign_h);
        let y = w.y;
        let c = &mut w.c;
        c.text_at(LEFT, y + 8.0, 10.5, Align::Left, &format!("受理人：{}", input.clerk));
        c.text_at(LEFT, y + 17.0, 10.5, Align::Left, "受理人签字：");
        c.hline(LEFT + 23.0, LEFT + 60.0, y + 18.2, 0.4);
        c.text_at(LEFT, y + 26.0, 10.5, Align::Left, "日期：　　　　年　　月　　日");
        let x2 = LEFT + 66.0;
        if copy.is_archive() {
            // The hall keeps this copy: the applicant (or the agent) signs for the notice on it.
            let who = if form.agent.is_some() { "申请人（代办人）签收：" } else { "申请人签收：" };
            c.text_at(x2, y + 17.0, 10.5, Align::Left, who);
            let ww = pt_to_mm(c.font.width_pt(who, 10.5));
            c.hline(x2 + ww, (LEFT + WIDTH - 46.0).max(x2 + ww + 20.0), y + 18.2, 0.4);
            c.text_at(x2, y + 26.0, 10.5, Align::Left, "日期：　　　　年　　月　　日");
        } else {
            c.text_at(x2, y + 17.0, 10.5, Align::Left, "本联交申请人留存，");
            c.text_at(x2, y + 23.0, 10.5, Align::Left, "补正时请携带本告知书。");
        }
        let seal = Area::new(LEFT + WIDTH - 42.0, y, 42.0, 32.0);
        c.dashed_frame(seal, 0.5);
        c.text_at(seal.x + seal.w / 2.0, seal.bottom() - 3.0, 8.0, Align::Centre, "（受理窗口盖章）");
        c.text_at(seal.right(), seal.bottom() + 7.0, 10.5, Align::Right, &date_zh(input.issued_on));
        Ok(())
    };
    let note = format!("打印时间：{}", input.mark.printed_at.format("%Y-%m-%d %H:%M"));
    let mark = if input.mark.is_reprint() { "补打" } else { "" };
    copies::draw_copies(&mut c, draw, |c, copy, page, pages| {
        c.footer(
            PAGE_W,
            (LEFT, LEFT + WIDTH),
            (BODY_BOTTOM + 2.5, PAGE_H - 8.0),
            (&note, &copies::page_label(copy, page, pages), mark),
        );
        Ok(())
    })?;
    c.finish()
}
