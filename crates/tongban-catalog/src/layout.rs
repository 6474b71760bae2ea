//! The tables of a catalog file (事项清单, 一件事, 联络人): their columns and how rows become
//! items, materials, bundles and contacts. Shared by the .xlsx and .csv readers; every problem
//! of every row is collected, and each model element remembers the row it came from so the
//! core's own checks can be shown at their cell.

use std::collections::{HashMap, HashSet};

use tongban_core::case::MaterialForm;
use tongban_core::catalog::{
    Bundle, Catalog, CatalogItem, CatalogMaterial, CatalogProblem, Contact, DeliveryOption, HandlingMode, Locus,
};
use tongban_core::guide::{self, Applicants, DayUnit, Deferral, Fee, ItemKind, Promise};

use crate::cell::Value;
use crate::error::FileProblem;
use crate::table::{ColSpec, Kind, Row, Table};

pub(crate) const META_SHEET: &str = "说明";
pub(crate) const ITEMS_SHEET: &str = "事项清单";
pub(crate) const BUNDLES_SHEET: &str = "一件事";
pub(crate) const CONTACTS_SHEET: &str = "联络人";

const fn col(
    header: &'static str,
    label: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    kind: Kind,
    field: &'static str,
) -> ColSpec {
    ColSpec { header, label, aliases, required, kind, field }
}

/// The 事项清单 columns, in the order written: the item's, then the material's.
pub(crate) const ITEM_SPECS: &[ColSpec] = &[
    col("事项编码*", "事项编码", &[], true, Kind::Item, "code"),
    col("实施编码", "实施编码", &[], false, Kind::Item, "implementation_code"),
    col("事项名称*", "事项名称", &[], true, Kind::Item, "name"),
    col("领域*", "领域", &[], true, Kind::Item, "domain"),
    col(
        "办理部门*",
        "办理部门",
        &["实施部门", "办理机构", "实施主体", "实施机构", "决定机构"],
        true,
        Kind::Item,
        "department",
    ),
    col("受理机构", "受理机构", &["受理部门", "受理窗口"], false, Kind::Item, "accepted_by"),
    col("决定机构", "决定机构", &["决定部门", "审批机构"], false, Kind::Item, "decided_by"),
    col("办理模式*", "办理模式", &[], true, Kind::Item, "mode"),
    col("事项类型", "事项类型", &["事项类别"], false, Kind::Item, "kind"),
    col("服务对象", "服务对象", &["申请主体", "办理对象"], false, Kind::Item, "applicants"),
    col(
        "法定时限",
        "法定时限",
        &["法定时限（工作日）*", "法定时限（工作日）", "法定办结时限（工作日）", "法定办结时限", "法定期限"],
        false,
        Kind::Item,
        "legal_days",
    ),
    col(
        "承诺时限*",
        "承诺时限",
        &["承诺时限（工作日）*", "承诺时限（工作日）", "承诺办结时限（工作日）", "承诺办结时限", "承诺期限"],
        true,
        Kind::Item,
        "promised_days",
    ),
    col("收费", "收费", &["收费标准", "是否收费", "收费项目"], false, Kind::Item, "fee"),
    col("收费依据", "收费依据", &["收费标准依据", "收费文件依据"], false, Kind::Item, "fee_basis"),
    col("送达方式*", "送达方式", &["结果送达方式"], true, Kind::Item, "delivery"),
    col("受理条件", "受理条件", &["申请条件"], false, Kind::Item, "conditions"),
    col("设定依据", "设定依据", &["法律依据", "实施依据"], false, Kind::Item, "basis"),
    col("材料名称*", "材料名称", &[], true, Kind::Material, "name"),
    col("材料形式*", "材料形式", &[], true, Kind::Material, "form"),
    col("份数*", "份数", &["材料份数"], true, Kind::Material, "copies"),
    col("必要性*", "必要性", &["是否必要", "材料必要性"], true, Kind::Material, "necessity"),
    col("适用条件", "适用条件", &[], false, Kind::Material, "condition"),
    col("任选其一", "任选其一", &["可替代材料组", "选择组"], false, Kind::Material, "choice"),
    col("容缺受理", "容缺受理", &["是否容缺", "容缺"], false, Kind::Material, "deferral"),
    col("材料标准", "材料标准", &["材料要求"], false, Kind::Material, "standard"),
    col("可用电子证照", "可用电子证照", &["电子证照"], false, Kind::Material, "e_license"),
];

/// The layout's version, stated in the 说明 sheet. 1: the first (法定/承诺时限 in working days,
/// every column after 收费 and 可用电子证照 as today's minus the new ones); 2: the guides' own
/// wording (即办, 「60日」, no legal limit, 原件及复印件, 任选其一, 容缺, 事项类型, 服务对象,
/// 受理机构, 受理条件, 设定依据); 3: 决定机构 a column of its own (before, 「决定机构」 was read as
/// 办理部门, as it still is in a file without a 办理部门 column) and the fee structured (收费 read as
/// 「不收费」/「工本费20元」/…, 收费依据). Files of versions 1 and 2 read unchanged: every new column
/// is optional.
pub const LAYOUT_VERSION: u32 = 3;

pub(crate) mod ic {
    pub const CODE: usize = 0;
    pub const IMPL: usize = 1;
    pub const NAME: usize = 2;
    pub const DOMAIN: usize = 3;
    pub const DEPT: usize = 4;
    pub const ACCEPTED_BY: usize = 5;
    pub const DECIDED_BY: usize = 6;
    pub const MODE: usize = 7;
    pub const KIND: usize = 8;
    pub const APPLICANTS: usize = 9;
    pub const LEGAL: usize = 10;
    pub const PROMISED: usize = 11;
    pub const FEE: usize = 12;
    pub const FEE_BASIS: usize = 13;
    pub const DELIVERY: usize = 14;
    pub const CONDITIONS: usize = 15;
    pub const BASIS: usize = 16;
    pub const M_NAME: usize = 17;
    pub const M_FORM: usize = 18;
    pub const COPIES: usize = 19;
    pub const NECESSITY: usize = 20;
    pub const CONDITION: usize = 21;
    pub const CHOICE: usize = 22;
    pub const DEFERRAL: usize = 23;
    pub const STANDARD: usize = 24;
    pub const E_LICENSE: usize = 25;
    /// The item's columns (the rest are the material's).
    pub const ITEM: std::ops::Range<usize> = 0..17;
    pub const MATERIAL: std::ops::Range<usize> = 17..26;
}

pub(crate) const BUNDLE_SPECS: &[ColSpec] = &[
    col("一件事编码*", "一件事编码", &[], true, Kind::Bundle, "code"),
    col("一件事名称*", "一件事名称", &[], true, Kind::Bundle, "name"),
    col("牵头部门*", "牵头部门", &[], true, Kind::Bundle, "lead_department"),
    col("承诺时限（工作日）*", "承诺时限", &["承诺时限"], true, Kind::Bundle, "promised_days"),
    col("包含事项编码*", "包含事项编码", &["包含事项"], true, Kind::Bundle, "items"),
];

pub(crate) mod bc {
    pub const CODE: usize = 0;
    pub const NAME: usize = 1;
    pub const LEAD: usize = 2;
    pub const PROMISED: usize = 3;
    pub const ITEMS: usize = 4;
}

pub(crate) const CONTACT_SPECS: &[ColSpec] = &[
    col("事项编码", "事项编码", &[], false, Kind::Contact, "item"),
    col("姓名*", "姓名", &["联络人", "联系人"], true, Kind::Contact, "name"),
    col("单位", "单位", &["单位或岗位", "所在单位", "岗位"], false, Kind::Contact, "unit"),
    col("电话*", "电话", &["联系电话"], true, Kind::Contact, "phone"),
    col("联系时间", "联系时间", &["工作时间"], false, Kind::Contact, "hours"),
];

pub(crate) mod cc {
    pub const ITEM: usize = 0;
    pub const NAME: usize = 1;
    pub const UNIT: usize = 2;
    pub const PHONE: usize = 3;
    pub const HOURS: usize = 4;
}

/// Separators between several values in one cell (送达方式, 包含事项编码).
pub(crate) fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(['、', ',', '，', ';', '；', '\n', '\r']).map(str::trim).filter(|p| !p.is_empty())
}

pub(crate) const NECESSARY: &str = "必需";
pub(crate) const CONDITIONAL: &str = "条件";

/// Where the catalog's own fields (地区代码, 版本) came from.
#[derive(Debug, Default)]
pub(crate) struct MetaSource {
    pub sheet: Option<String>,
    pub region_row: Option<usize>,
    pub version_row: Option<usize>,
    /// `B列（内容）` in a workbook.
    pub column: Option<String>,
}

#[derive(Debug)]
pub(crate) struct ItemRows {
    pub row: usize,
    pub materials: Vec<usize>,
}

/// Problems and warnings as they are found, and which fields already have a problem of their
/// own (the core's checks of the same field are then not repeated).
#[derive(Debug, Default)]
pub(crate) struct Reading {
    pub problems: Vec<FileProblem>,
    pub warnings: Vec<String>,
    tainted: HashSet<(Locus, &'static str)>,
    missing: HashSet<(Kind, &'static str)>,
    /// The items could not be read as a whole (no sheet, no 事项编码 column): a bundle's or a
    /// contact's item is then not looked for.
    pub items_unreliable: bool,
    pub meta: MetaSource,
    pub items: Option<Table>,
    pub item_rows: Vec<ItemRows>,
    pub bundles: Option<Table>,
    pub bundle_rows: Vec<usize>,
    pub contacts: Option<Table>,
    pub contact_rows: Vec<usize>,
}

impl Reading {
    /// A problem of `field` at `locus`.
    pub fn flag(&mut self, problem: FileProblem, locus: Locus, field: &'static str) {
        self.problems.push(problem);
        self.tainted.insert((locus, field));
    }

    pub fn taint(&mut self, locus: Locus, field: &'static str) {
        self.tainted.insert((locus, field));
    }

    pub fn note_missing(&mut self, table: &Table) {
        for &i in &table.missing {
            self.missing.insert((table.specs[i].kind, table.specs[i].field));
        }
    }

    fn suppressed(&self, p: &CatalogProblem) -> bool {
        let kind = match p.locus {
            Locus::Catalog => None,
            Locus::Item { .. } => Some(Kind::Item),
            Locus::Material { .. } => Some(Kind::Material),
            Locus::Bundle { .. } => Some(Kind::Bundle),
            Locus::Contact { .. } => Some(Kind::Contact),
        };
        let gone = |field: &'static str| {
            self.tainted.contains(&(p.locus, field)) || kind.is_some_and(|k| self.missing.contains(&(k, field)))
        };
        gone(p.field)
            || (p.field == "promised_days" && kind == Some(Kind::Item) && gone("legal_days"))
            || (p.field == "copies" && self.tainted.contains(&(p.locus, "name")))
            || (self.items_unreliable
                && matches!((kind, p.field), (Some(Kind::Bundle), "items") | (Some(Kind::Contact), "item")))
    }

    /// The core's problems of `catalog` (read from this workbook or CSV) at their cells.
    pub fn add_core_problems(&mut self, catalog: &Catalog) {
        for p in catalog.problems() {
            if self.suppressed(&p) {
                continue;
            }
            let located = self.locate(&p);
            self.problems.push(located);
        }
    }

    fn locate(&self, p: &CatalogProblem) -> FileProblem {
        let at = |table: &Option<Table>, row: Option<usize>, kind: Kind, field: &str| {
            let message = p.message.clone();
            match table {
                Some(t) => {
                    let spec = t.spec_for(kind, field).or(match (kind, field) {
                        (Kind::Item, "materials") => Some(ic::M_NAME),
                        _ => None,
                    });
                    let mut problem = FileProblem::new(message).in_sheet(t.sheet.as_deref());
                    problem.row = row;
                    problem.column = spec.and_then(|s| t.column(s));
                    problem
                }
                None => FileProblem::new(message),
            }
        };
        match p.locus {
            Locus::Catalog => {
                let mut problem = FileProblem::new(p.message.clone()).in_sheet(self.meta.sheet.as_deref());
                problem.row = if p.field == "region" { self.meta.region_row } else { self.meta.version_row };
                problem.column = self.meta.column.clone();
                problem
            }
            Locus::Item { item } => at(&self.items, self.item_rows.get(item).map(|r| r.row), Kind::Item, p.field),
            Locus::Material { item, material } => {
                let row = self.item_rows.get(item).and_then(|r| r.materials.get(material)).copied();
                at(&self.items, row, Kind::Material, p.field)
            }
            Locus::Bundle { bundle } => at(&self.bundles, self.bundle_rows.get(bundle).copied(), Kind::Bundle, p.field),
            Locus::Contact { contact } => {
                at(&self.contacts, self.contact_rows.get(contact).copied(), Kind::Contact, p.field)
            }
        }
    }

    /// Sorts the problems by sheet (in the order of the format) and row, keeping the order
    /// within a row.
    pub fn sort_problems(&mut self) {
        let rank = |s: &Option<String>| match s.as_deref() {
            None => 0,
            Some(META_SHEET) => 1,
            Some(ITEMS_SHEET) => 2,
            Some(BUNDLES_SHEET) => 3,
            Some(CONTACTS_SHEET) => 4,
            Some(_) => 5,
        };
        self.problems.sort_by_key(|p| (rank(&p.sheet), p.row.unwrap_or(0)));
    }

    /// A text cell of `row`. A missing required value is a problem (once the column exists).
    fn text(&mut self, t: &Table, row: &Row, spec: usize, locus: Locus) -> String {
        let s = &t.specs[spec];
        match row.get(spec).text() {
            Ok(text) => {
                if text.is_empty() && s.required && t.cols[spec].is_some() {
                    self.flag(t.problem(row.number, spec, format!("{}不能为空", s.label)), locus, s.field);
                }
                text
            }
            Err(m) => {
                self.flag(t.problem(row.number, spec, format!("{}{m}", s.label)), locus, s.field);
                String::new()
            }
        }
    }

    fn count(&mut self, t: &Table, row: &Row, spec: usize, locus: Locus) -> u32 {
        let s = &t.specs[spec];
        if t.cols[spec].is_none() {
            return 0;
        }
        match row.get(spec).count(s.label) {
            Ok(n) => n,
            Err(m) => {
                self.flag(t.problem(row.number, spec, m), locus, s.field);
                0
            }
        }
    }

    /// Reads the 事项清单 table: one row per material, an item's columns merged, left blank or
    /// repeated on its further rows.
    pub fn read_items(&mut self, t: Table) -> Vec<CatalogItem> {
        self.note_missing(&t);
        let mut items: Vec<CatalogItem> = Vec::new();
        if t.cols[ic::CODE].is_none() {
            // Without codes no row can be told to belong to an item.
            self.items_unreliable = true;
            self.items = Some(t);
            return items;
        }
        let mut first_row_of: HashMap<String, usize> = HashMap::new();
        let mut first: Vec<String> = Vec::new();
        for row in &t.rows {
            let code = row.get(ic::CODE).text().unwrap_or_else(|_| row.get(ic::CODE).shown());
            let new_item = match items.last() {
                None => true,
                Some(current) => !code.is_empty() && code != current.code,
            };
            if new_item {
                let locus = Locus::Item { item: items.len() };
                if !code.is_empty() {
                    if let Some(&at) = first_row_of.get(&code) {
                        self.flag(
                            t.problem(
                                row.number,
                                ic::CODE,
                                format!(
                                    "事项编码「{code}」已在第{at}行用过：同一事项的各项材料应写在相邻的行，不同事项的编码不能相同"
                                ),
                            ),
                            locus,
                            "code",
                        );
                    } else {
                        first_row_of.insert(code.clone(), row.number);
                    }
                }
                let item = self.read_item(&t, row, locus);
                first = ic::ITEM.map(|s| comparable(s, row.get(s))).collect();
                items.push(item);
                self.item_rows.push(ItemRows { row: row.number, materials: Vec::new() });
            } else {
                let first_row = self.item_rows.last().map_or(0, |r| r.row);
                for s in ic::ITEM {
                    let here = comparable(s, row.get(s));
                    if !here.is_empty() && here != first[s] {
                        let label = t.specs[s].label;
                        self.problems.push(t.problem(
                            row.number,
                            s,
                            format!(
                                "{label}「{here}」与本事项第{first_row}行的「{}」不一致：同一事项的各行，事项的各列应相同（或留空、或合并单元格）",
                                first[s]
                            ),
                        ));
                    }
                }
            }
            let i = items.len() - 1;
            if ic::MATERIAL.into_iter().all(|s| row.get(s).is_blank()) {
                if !new_item {
                    self.problems.push(t.problem(row.number, ic::M_NAME, "此行没有材料：材料的各列都是空的"));
                }
                continue;
            }
            let locus = Locus::Material { item: i, material: items[i].materials.len() };
            let material = self.read_material(&t, row, locus);
            items[i].materials.push(material);
            self.item_rows[i].materials.push(row.number);
        }
        self.items = Some(t);
        items
    }

    fn read_item(&mut self, t: &Table, row: &Row, locus: Locus) -> CatalogItem {
        let code = self.text(t, row, ic::CODE, locus);
        let implementation_code = self.text(t, row, ic::IMPL, locus);
        let name = self.text(t, row, ic::NAME, locus);
        let domain = self.text(t, row, ic::DOMAIN, locus);
        let department = self.text(t, row, ic::DEPT, locus);
        let mode_text = self.text(t, row, ic::MODE, locus);
        let mode = if mode_text.is_empty() {
            HandlingMode::ProxyReceipt
        } else {
            HandlingMode::from_label(&mode_text).unwrap_or_else(|| {
                let p = t.problem(
                    row.number,
                    ic::MODE,
                    format!("办理模式应为「全程网办」「异地代收代办」「多地联办」之一，实际为「{mode_text}」"),
                );
                self.flag(p, locus, "mode");
                HandlingMode::ProxyReceipt
            })
        };
        let accepted_by = self.text(t, row, ic::ACCEPTED_BY, locus);
        let decided_by = self.text(t, row, ic::DECIDED_BY, locus);
        let kind_text = self.text(t, row, ic::KIND, locus);
        let kind = if kind_text.is_empty() {
            None
        } else {
            let kind = ItemKind::from_label(&kind_text);
            if kind.is_none() {
                let p = t.problem(
                    row.number,
                    ic::KIND,
                    format!("事项类型「{kind_text}」不认识：应为{}之一", ItemKind::labels()),
                );
                self.flag(p, locus, "kind");
            }
            kind
        };
        let applicants_text = self.text(t, row, ic::APPLICANTS, locus);
        let applicants = if applicants_text.is_empty() {
            Applicants::Both
        } else {
            Applicants::from_label(&applicants_text).unwrap_or_else(|| {
                let p = t.problem(
                    row.number,
                    ic::APPLICANTS,
                    format!("服务对象「{applicants_text}」不认识：应为「自然人」「法人」或「自然人、法人」"),
                );
                self.flag(p, locus, "applicants");
                Applicants::Both
            })
        };
        let legal_text = self.text(t, row, ic::LEGAL, locus);
        let legal = guide::parse_legal(&legal_text).unwrap_or_else(|m| {
            self.flag(t.problem(row.number, ic::LEGAL, format!("法定时限{m}")), locus, "legal_days");
            None
        });
        let promised_text = self.text(t, row, ic::PROMISED, locus);
        let promise = if promised_text.is_empty() {
            // Already a problem (a required cell), when the column is there.
            Promise { days: 0, unit: DayUnit::WorkingDays, online_days: None }
        } else {
            guide::parse_promised(&promised_text).unwrap_or_else(|m| {
                self.flag(t.problem(row.number, ic::PROMISED, format!("承诺时限{m}")), locus, "promised_days");
                Promise { days: 0, unit: DayUnit::WorkingDays, online_days: None }
            })
        };
        if promised_text.is_empty() {
            self.taint(locus, "promised_days");
        }
        let fee_text = self.text(t, row, ic::FEE, locus);
        let fee = match guide::parse_fee(&fee_text) {
            Ok(fee) => {
                if matches!(fee, Fee::Text { .. }) {
                    // Kept as the guide words it: the desk shows and prints these words.
                    let p = t.problem(
                        row.number,
                        ic::FEE,
                        format!(
                            "收费「{fee_text}」中没有可逐项读出的金额，已按原文保存（可逐项读出的写法如「不收费」「工本费20元」「每件10元」）"
                        ),
                    );
                    self.warnings.push(p.to_string());
                }
                fee
            }
            Err(m) => {
                self.flag(t.problem(row.number, ic::FEE, format!("收费{m}")), locus, "fee");
                Fee::Free
            }
        };
        let fee_basis = self.text(t, row, ic::FEE_BASIS, locus);
        let conditions = self.text(t, row, ic::CONDITIONS, locus);
        let basis = self.text(t, row, ic::BASIS, locus);
        let delivery_text = self.text(t, row, ic::DELIVERY, locus);
        let mut delivery = Vec::new();
        let mut unknown = Vec::new();
        for part in split_list(&delivery_text) {
            match DeliveryOption::from_label(part) {
                Some(d) => delivery.push(d),
                None => unknown.push(format!("「{part}」")),
            }
        }
        if !unknown.is_empty() {
            let p = t.problem(
                row.number,
                ic::DELIVERY,
                format!(
                    "送达方式{}不认识：应为「窗口领取」「邮寄送达」「网上获取」「无需送达」中的一种或几种，用「、」分开",
                    unknown.join("")
                ),
            );
            self.flag(p, locus, "delivery");
        } else if delivery_text.is_empty() {
            self.taint(locus, "delivery");
        }
        let mut item = CatalogItem {
            code,
            implementation_code,
            name,
            domain,
            department,
            accepted_by,
            decided_by,
            mode,
            kind,
            basis,
            conditions,
            applicants,
            legal_days: None,
            legal_unit: DayUnit::WorkingDays,
            legal_extension: None,
            promised_days: 0,
            promised_unit: DayUnit::WorkingDays,
            promised_online_days: None,
            fee,
            fee_basis,
            delivery,
            materials: Vec::new(),
        };
        item.set_legal_limit(legal);
        item.set_promise(promise);
        item
    }

    fn read_material(&mut self, t: &Table, row: &Row, locus: Locus) -> CatalogMaterial {
        let name = self.text(t, row, ic::M_NAME, locus);
        let form_text = self.text(t, row, ic::M_FORM, locus);
        let form = if form_text.is_empty() {
            MaterialForm::Original
        } else {
            MaterialForm::from_label(&form_text).unwrap_or_else(|| {
                let p = t.problem(
                    row.number,
                    ic::M_FORM,
                    format!("材料形式应为「原件」「复印件」「原件及复印件」「电子件」之一，实际为「{form_text}」"),
                );
                self.flag(p, locus, "form");
                MaterialForm::Original
            })
        };
        let copies_text = row.get(ic::COPIES).text().unwrap_or_default();
        let both = form == MaterialForm::OriginalAndCopy;
        let (originals, copies) = if both || copies_text.contains("原件") || copies_text.contains("复印件") {
            if copies_text.is_empty() {
                self.count(t, row, ic::COPIES, locus);
                (1, 0)
            } else {
                guide::parse_counts(&copies_text, both).unwrap_or_else(|m| {
                    self.flag(t.problem(row.number, ic::COPIES, format!("份数{m}")), locus, "copies");
                    (1, 1)
                })
            }
        } else {
            // 「2份」 is 2; anything else is read as a plain count, with its own messages.
            let bare =
                copies_text.strip_suffix('份').filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            match bare {
                Some(n) => (1, n.parse().unwrap_or(0)),
                None => (1, self.count(t, row, ic::COPIES, locus)),
            }
        };
        let mut necessity = self.text(t, row, ic::NECESSITY, locus);
        // 「容缺」 as the necessity: required, and it may follow (the default period).
        let deferrable_by_necessity = necessity == "容缺" || necessity == "容缺受理";
        if deferrable_by_necessity {
            necessity = NECESSARY.to_string();
        }
        let choice = self.text(t, row, ic::CHOICE, locus);
        let deferral_text = self.text(t, row, ic::DEFERRAL, locus);
        let deferral = guide::parse_deferral(&deferral_text)
            .unwrap_or_else(|m| {
                self.flag(t.problem(row.number, ic::DEFERRAL, format!("容缺受理{m}")), locus, "deferral");
                None
            })
            .or(deferrable_by_necessity
                .then_some(Deferral { days: Deferral::DEFAULT_DAYS, unit: DayUnit::WorkingDays }));
        let condition = self.text(t, row, ic::CONDITION, locus);
        let condition_at = if t.cols[ic::CONDITION].is_some() { ic::CONDITION } else { ic::NECESSITY };
        let necessary = matches!(necessity.as_str(), NECESSARY | "必须" | "必要");
        match necessity.as_str() {
            "" => {}
            NECESSARY | "必须" | "必要" => {
                if !condition.is_empty() {
                    let p = t.problem(
                        row.number,
                        ic::CONDITION,
                        format!(
                            "必要性为「必需」时适用条件应留空，实际为「{condition}」；只在某些情况下才要的材料，必要性请填「条件」"
                        ),
                    );
                    self.flag(p, locus, "condition");
                }
            }
            CONDITIONAL | "条件必需" | "条件材料" => {
                if condition.is_empty() {
                    let p =
                        t.problem(row.number, condition_at, "必要性为「条件」时应写明适用条件，如「委托他人办理的」");
                    self.flag(p, locus, "condition");
                }
            }
            other => {
                let p = t.problem(
                    row.number,
                    ic::NECESSITY,
                    format!("必要性应为「必需」「条件」或「容缺」，实际为「{other}」（可替代的材料请在「任选其一」列写同一组名）"),
                );
                self.flag(p, locus, "necessity");
            }
        }
        let standard = self.text(t, row, ic::STANDARD, locus);
        let e_license = self.text(t, row, ic::E_LICENSE, locus);
        CatalogMaterial {
            name,
            form,
            copies,
            originals,
            choice,
            deferral,
            condition: if necessary { String::new() } else { condition },
            standard,
            e_license: (!e_license.is_empty()).then_some(e_license),
        }
    }

    /// Reads the 一件事 table: one row per bundle.
    pub fn read_bundles(&mut self, t: Table) -> Vec<Bundle> {
        self.note_missing(&t);
        let mut bundles = Vec::new();
        for row in &t.rows {
            let locus = Locus::Bundle { bundle: bundles.len() };
            let items_text = self.text(&t, row, bc::ITEMS, locus);
            bundles.push(Bundle {
                code: self.text(&t, row, bc::CODE, locus),
                name: self.text(&t, row, bc::NAME, locus),
                lead_department: self.text(&t, row, bc::LEAD, locus),
                promised_days: self.count(&t, row, bc::PROMISED, locus),
                items: split_list(&items_text).map(str::to_string).collect(),
            });
            self.bundle_rows.push(row.number);
        }
        self.bundles = Some(t);
        bundles
    }

    /// Reads the 联络人 table: one row per contact, 事项编码 blank for the whole region.
    pub fn read_contacts(&mut self, t: Table) -> Vec<Contact> {
        self.note_missing(&t);
        let mut contacts = Vec::new();
        for row in &t.rows {
            let locus = Locus::Contact { contact: contacts.len() };
            let item = self.text(&t, row, cc::ITEM, locus);
            contacts.push(Contact {
                item: (!item.is_empty()).then_some(item),
                name: self.text(&t, row, cc::NAME, locus),
                unit: self.text(&t, row, cc::UNIT, locus),
                phone: self.text(&t, row, cc::PHONE, locus),
                hours: self.text(&t, row, cc::HOURS, locus),
            });
            self.contact_rows.push(row.number);
        }
        self.contacts = Some(t);
        contacts
    }
}

/// An item cell as compared between an item's rows.
fn comparable(spec: usize, v: &Value) -> String {
    let text = v.text().unwrap_or_else(|_| v.shown());
    if spec == ic::DELIVERY {
        split_list(&text).collect::<Vec<_>>().join("、")
    } else {
        text
    }
}

/// The item's cells of an export row, in [`ITEM_SPECS`] order (material cells after).
pub(crate) enum Out<'a> {
    Text(&'a str),
    Owned(String),
    Number(u32),
}

impl Out<'_> {
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Out::Text(s) => (*s).into(),
            Out::Owned(s) => s.as_str().into(),
            Out::Number(n) => n.to_string().into(),
        }
    }
}

pub(crate) fn item_cells(item: &CatalogItem) -> Vec<Out<'_>> {
    vec![
        Out::Text(&item.code),
        Out::Text(&item.implementation_code),
        Out::Text(&item.name),
        Out::Text(&item.domain),
        Out::Text(&item.department),
        Out::Text(&item.accepted_by),
        Out::Text(&item.decided_by),
        Out::Text(item.mode.label()),
        Out::Text(item.kind.map_or("", ItemKind::label)),
        Out::Text(if item.applicants.is_both() { "" } else { item.applicants.label() }),
        // A plain number stays a number cell (working days), as layout 1 wrote it.
        match item.legal_limit() {
            Some(l) if l.unit.is_working() && l.extended_to.is_none() && l.days > 0 => Out::Number(l.days),
            l => Out::Owned(guide::legal_text(l.as_ref())),
        },
        match item.promise() {
            p if p.unit.is_working() && p.online_days.is_none() && p.days > 0 => Out::Number(p.days),
            p => Out::Owned(guide::promised_text(&p)),
        },
        Out::Owned(guide::fee_text(&item.fee)),
        Out::Text(&item.fee_basis),
        Out::Owned(item.delivery.iter().map(|d| d.label()).collect::<Vec<_>>().join("、")),
        Out::Text(&item.conditions),
        Out::Text(&item.basis),
    ]
}

pub(crate) fn material_cells(m: &CatalogMaterial) -> Vec<Out<'_>> {
    vec![
        Out::Text(&m.name),
        Out::Text(m.form.label()),
        if m.form == MaterialForm::OriginalAndCopy {
            Out::Owned(guide::counts_text(m.originals, m.copies, true))
        } else {
            Out::Number(m.copies)
        },
        Out::Text(if m.condition.trim().is_empty() { NECESSARY } else { CONDITIONAL }),
        Out::Text(&m.condition),
        Out::Text(&m.choice),
        Out::Owned(guide::deferral_text(m.deferral.as_ref())),
        Out::Text(&m.standard),
        Out::Text(m.e_license.as_deref().unwrap_or("")),
    ]
}

/// What a table format cannot hold: a bundle item code containing a list separator.
pub(crate) fn check_bundle_codes(catalog: &Catalog) -> Result<(), String> {
    for b in &catalog.bundles {
        for code in &b.items {
            if split_list(code).count() != 1 || split_list(code).next() != Some(code.as_str()) {
                return Err(format!(
                    "一件事「{}」包含的事项编码「{code}」含有分隔符（、，；或换行）或首尾空格，无法写进表格",
                    b.name
                ));
            }
        }
    }
    Ok(())
}
