//! Fixtures: small catalogs built in code and workbooks written cell by cell with
//! rust_xlsxwriter (merges included), the way partner offices lay them out.
#![allow(dead_code)]

use rust_xlsxwriter::{Format, Workbook};
use tongban_catalog::{CatalogFileError, FileProblem};
use tongban_core::case::MaterialForm;
use tongban_core::catalog::{Bundle, Catalog, CatalogItem, CatalogMaterial, Contact, DeliveryOption, HandlingMode};

/// One cell of a fixture.
#[derive(Debug, Clone)]
pub enum C {
    S(String),
    N(f64),
    /// A formula and its cached result.
    F(String, f64),
    /// A date cell (yyyy, mm, dd).
    D(u16, u8, u8),
    E,
}

impl From<&str> for C {
    fn from(s: &str) -> C {
        if s.is_empty() {
            C::E
        } else {
            C::S(s.to_string())
        }
    }
}

impl From<f64> for C {
    fn from(n: f64) -> C {
        C::N(n)
    }
}

impl From<i32> for C {
    fn from(n: i32) -> C {
        C::N(n as f64)
    }
}

#[macro_export]
macro_rules! row {
    ($($x:expr),* $(,)?) => { vec![$($crate::common::C::from($x)),*] };
}

/// A sheet: name, rows from row 1, merges `(first_row, first_col, last_row, last_col)` from 0.
pub struct SheetSpec {
    pub name: String,
    pub rows: Vec<Vec<C>>,
    pub merges: Vec<(u32, u16, u32, u16)>,
}

pub fn sheet(name: &str, rows: Vec<Vec<C>>) -> SheetSpec {
    SheetSpec { name: name.to_string(), rows, merges: Vec::new() }
}

impl SheetSpec {
    pub fn merge(mut self, first_row: u32, first_col: u16, last_row: u32, last_col: u16) -> SheetSpec {
        self.merges.push((first_row, first_col, last_row, last_col));
        self
    }
}

pub fn workbook(sheets: Vec<SheetSpec>) -> Vec<u8> {
    let mut wb = Workbook::new();
    let plain = Format::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).unwrap();
        for (first_row, first_col, last_row, last_col) in &s.merges {
            let text = match s.rows.get(*first_row as usize).and_then(|r| r.get(*first_col as usize)) {
                Some(C::S(t)) => t.clone(),
                _ => String::new(),
            };
            ws.merge_range(*first_row, *first_col, *last_row, *last_col, &text, &plain).unwrap();
        }
        for (r, cells) in s.rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                let merged_inside = s
                    .merges
                    .iter()
                    .any(|(fr, fc, lr, lc)| r >= *fr && r <= *lr && c >= *fc && c <= *lc && (r, c) != (*fr, *fc));
                if merged_inside {
                    continue;
                }
                match cell {
                    C::S(t) => {
                        ws.write_string(r, c, t).unwrap();
                    }
                    C::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    C::F(f, v) => {
                        ws.write_formula(r, c, rust_xlsxwriter::Formula::new(f.as_str()).set_result(v.to_string()))
                            .unwrap();
                    }
                    C::D(y, m, d) => {
                        let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                    C::E => {}
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

pub const HEADERS: [&str; 17] = [
    "事项编码*",
    "实施编码",
    "事项名称*",
    "领域*",
    "办理部门*",
    "办理模式*",
    "法定时限（工作日）*",
    "承诺时限（工作日）*",
    "收费",
    "送达方式*",
    "材料名称*",
    "材料形式*",
    "份数*",
    "必要性*",
    "适用条件",
    "材料标准",
    "可用电子证照",
];

pub fn header_row() -> Vec<C> {
    HEADERS.iter().map(|h| C::from(*h)).collect()
}

/// The 说明 sheet of region 110106, version 2026-11 (the code as a number cell).
pub fn meta_sheet() -> SheetSpec {
    sheet(
        "说明",
        vec![
            row!["项目", "内容"],
            row!["地区代码", 110106],
            row!["地区名称", "北京市丰台区"],
            row!["版本", "2026-11"],
            row!["发布说明", "测试用"],
        ],
    )
}

/// A full 事项清单 row: the item's ten cells then the material's seven.
pub fn full(item: [&str; 10], material: [&str; 7]) -> Vec<C> {
    item.iter().chain(material.iter()).map(|s| numeric_or_text(s)).collect()
}

/// A row with the item cells left blank.
pub fn blank_item(material: [&str; 7]) -> Vec<C> {
    std::iter::repeat_n(C::E, 10).chain(material.iter().map(|s| numeric_or_text(s))).collect()
}

fn numeric_or_text(s: &str) -> C {
    match s.parse::<f64>() {
        Ok(n) => C::N(n),
        _ => C::from(s),
    }
}

pub const PENSION: [&str; 10] = [
    "110106-SB-001",
    "",
    "企业职工基本养老保险关系转移接续",
    "社保",
    "丰台区人力资源和社会保障局",
    "异地代收代办",
    "45",
    "15",
    "不收费",
    "窗口领取、邮寄送达",
];

pub const MEDICAL: [&str; 10] =
    ["110106-YB-002", "", "异地就医登记备案", "医保", "丰台区医疗保障局", "全程网办", "5", "1", "不收费", "网上获取"];

pub const ID_CARD: [&str; 7] = ["居民身份证", "原件", "1", "必需", "", "在有效期内", "居民身份证"];
pub const FORM: [&str; 7] = ["申请表", "原件", "1", "必需", "", "本人签字", ""];
pub const PROXY: [&str; 7] = ["授权委托书", "原件", "1", "条件", "委托他人办理的", "", ""];

/// What the fixtures above read as.
pub fn expected_pension() -> CatalogItem {
    CatalogItem {
        code: "110106-SB-001".into(),
        implementation_code: String::new(),
        name: "企业职工基本养老保险关系转移接续".into(),
        domain: "社保".into(),
        department: "丰台区人力资源和社会保障局".into(),
        mode: HandlingMode::ProxyReceipt,
        legal_days: Some(45),
        promised_days: 15,
        fee: tongban_core::guide::Fee::Free,
        delivery: vec![DeliveryOption::AtWindow, DeliveryOption::Mail],
        materials: vec![id_card(), form(), proxy()],
        ..Default::default()
    }
}

pub fn expected_medical() -> CatalogItem {
    CatalogItem {
        code: "110106-YB-002".into(),
        implementation_code: String::new(),
        name: "异地就医登记备案".into(),
        domain: "医保".into(),
        department: "丰台区医疗保障局".into(),
        mode: HandlingMode::FullyOnline,
        legal_days: Some(5),
        promised_days: 1,
        fee: tongban_core::guide::Fee::Free,
        delivery: vec![DeliveryOption::Online],
        materials: vec![id_card(), form()],
        ..Default::default()
    }
}

pub fn id_card() -> CatalogMaterial {
    CatalogMaterial {
        name: "居民身份证".into(),
        form: MaterialForm::Original,
        copies: 1,
        condition: String::new(),
        standard: "在有效期内".into(),
        e_license: Some("居民身份证".into()),
        ..Default::default()
    }
}

pub fn form() -> CatalogMaterial {
    CatalogMaterial {
        name: "申请表".into(),
        form: MaterialForm::Original,
        copies: 1,
        condition: String::new(),
        standard: "本人签字".into(),
        e_license: None,
        ..Default::default()
    }
}

pub fn proxy() -> CatalogMaterial {
    CatalogMaterial {
        name: "授权委托书".into(),
        form: MaterialForm::Original,
        copies: 1,
        condition: "委托他人办理的".into(),
        standard: String::new(),
        e_license: None,
        ..Default::default()
    }
}

/// A small sound catalog with a bundle and contacts.
pub fn small_catalog() -> Catalog {
    let mut second = expected_medical();
    second.materials[1].standard = "第一行\n第二行".into();
    second.materials[1].form = MaterialForm::Electronic;
    second.materials[1].copies = 2;
    let third = CatalogItem {
        code: "110106-GJJ-004".into(),
        implementation_code: "11110106GJ00400".into(),
        name: "离退休提取住房公积金".into(),
        domain: "公积金".into(),
        department: "北京住房公积金管理中心丰台管理部".into(),
        mode: HandlingMode::MultiSite,
        legal_days: Some(5),
        promised_days: 3,
        fee: Default::default(),
        delivery: vec![DeliveryOption::Online, DeliveryOption::AtWindow],
        materials: vec![id_card()],
        ..Default::default()
    };
    Catalog {
        region: "110106".into(),
        version: "2026-11".into(),
        note: "测试用\n第二行".into(),
        items: vec![expected_pension(), second, third],
        bundles: vec![Bundle {
            code: "110106-YJS-001".into(),
            name: "退休一件事".into(),
            lead_department: "丰台区人力资源和社会保障局".into(),
            promised_days: 10,
            items: vec!["110106-SB-001".into(), "110106-GJJ-004".into()],
        }],
        contacts: vec![
            Contact {
                item: None,
                name: "王丽".into(),
                unit: "丰台区政务服务中心".into(),
                phone: "010-63812301".into(),
                hours: "工作日 9:00-17:00".into(),
            },
            Contact {
                item: Some("110106-SB-001".into()),
                name: "李明".into(),
                unit: String::new(),
                phone: "13812345678".into(),
                hours: String::new(),
            },
        ],
    }
}

/// `items` items of `materials` materials each.
pub fn big_catalog(items: usize, materials: usize) -> Catalog {
    let mut catalog = small_catalog();
    catalog.bundles.clear();
    catalog.contacts.clear();
    let template = expected_pension();
    catalog.items = (0..items)
        .map(|i| {
            let mut item = template.clone();
            item.code = format!("110106-T-{i:05}");
            item.name = format!("测试事项{i}");
            item.legal_days = Some(20 + (i % 7) as u32);
            item.materials = (0..materials)
                .map(|j| {
                    let mut m = if j % 3 == 2 { proxy() } else { id_card() };
                    m.name = format!("材料{j}（事项{i}）");
                    m.copies = 1 + (j % 3) as u32;
                    m
                })
                .collect();
            item
        })
        .collect();
    catalog
}

pub fn invalid(e: CatalogFileError) -> Vec<FileProblem> {
    match e {
        CatalogFileError::Invalid { problems } => problems,
        other => panic!("expected Invalid, got {other:?}: {other}"),
    }
}

/// The problem at this sheet, row and column letter whose message contains `text`.
pub fn find<'a>(
    problems: &'a [FileProblem],
    sheet: Option<&str>,
    row: Option<usize>,
    column: Option<&str>,
    text: &str,
) -> &'a FileProblem {
    problems
        .iter()
        .find(|p| {
            p.sheet.as_deref() == sheet
                && p.row == row
                && column.is_none_or(|c| p.column.as_deref().is_some_and(|pc| pc.starts_with(c)))
                && p.message.contains(text)
        })
        .unwrap_or_else(|| {
            let all: Vec<String> = problems.iter().map(|p| format!("  {p:?}")).collect();
            panic!("no problem at {sheet:?} {row:?} {column:?} containing 「{text}」 among:\n{}", all.join("\n"))
        })
}
