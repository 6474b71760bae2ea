//! A region's catalog of items (事项清单): what it decides for partner windows, and exactly what
//! each item needs. The receiving clerk checks an applicant's papers against it (一单告知), so
//! every desk must hold the same version; a case records the version it was taken in under.
//!
//! Pure: files are read and written by `tongban-catalog`, fetched by `tongban-sync`, kept by
//! `tongban-store`. Here are the model, its checks ([`Catalog::problems`]), what changed between
//! two versions ([`changes`]) and the materials an intake asks for ([`Catalog::offer`]),
//! including a 一件事 bundle's merged list.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::applicant::{Agent, Applicant};
use crate::case::{ELicense, IntakeForm, ItemRef, Material, MaterialForm, ResultDelivery, Transfer};
use crate::guide::{Applicants, DayUnit, Deferral, Fee, ItemKind, LegalLimit, Promise};
use crate::validate::{FieldError, ValidationError};

/// One region's published catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Catalog {
    /// The publishing (handling) region, a GB/T 2260 code.
    pub region: String,
    /// Chosen by the publisher, e.g. `2026-11`. One version never changes content.
    pub version: String,
    /// 发布说明.
    #[serde(default)]
    pub note: String,
    pub items: Vec<CatalogItem>,
    /// 一件事: several items taken in as one case.
    #[serde(default)]
    pub bundles: Vec<Bundle>,
    /// 联络人 (即时响应机制): whom a partner window calls about the region's items.
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

/// 办理模式.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HandlingMode {
    /// 全程网办: the window only helps the applicant apply online.
    FullyOnline,
    /// 异地代收代办: the window takes the case in and sends it on (what a catalog that leaves
    /// it empty means).
    #[default]
    ProxyReceipt,
    /// 多地联办: regions each do their part.
    MultiSite,
}

impl HandlingMode {
    pub const ALL: [HandlingMode; 3] = [HandlingMode::FullyOnline, HandlingMode::ProxyReceipt, HandlingMode::MultiSite];

    pub fn label(self) -> &'static str {
        match self {
            HandlingMode::FullyOnline => "全程网办",
            HandlingMode::ProxyReceipt => "异地代收代办",
            HandlingMode::MultiSite => "多地联办",
        }
    }

    pub fn from_label(s: &str) -> Option<HandlingMode> {
        HandlingMode::ALL.into_iter().find(|m| m.label() == s.trim())
    }
}

/// How the result may reach the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOption {
    /// 窗口领取.
    AtWindow,
    /// 邮寄送达.
    Mail,
    /// 网上获取 (电子证照 or a downloadable result).
    Online,
    /// 无需送达: the guide hands nothing over (the registration is the result).
    NotNeeded,
}

impl DeliveryOption {
    pub const ALL: [DeliveryOption; 4] =
        [DeliveryOption::AtWindow, DeliveryOption::Mail, DeliveryOption::Online, DeliveryOption::NotNeeded];

    pub fn label(self) -> &'static str {
        match self {
            DeliveryOption::AtWindow => "窗口领取",
            DeliveryOption::Mail => "邮寄送达",
            DeliveryOption::Online => "网上获取",
            DeliveryOption::NotNeeded => "无需送达",
        }
    }

    pub fn from_label(s: &str) -> Option<DeliveryOption> {
        DeliveryOption::ALL.into_iter().find(|m| m.label() == s.trim())
    }
}

impl MaterialForm {
    pub const ALL: [MaterialForm; 4] =
        [MaterialForm::Original, MaterialForm::Copy, MaterialForm::OriginalAndCopy, MaterialForm::Electronic];

    pub fn from_label(s: &str) -> Option<MaterialForm> {
        MaterialForm::ALL.into_iter().find(|m| m.label() == s.trim())
    }
}

/// One item (事项) a region decides. `Default` is an empty item, for building one field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CatalogItem {
    /// 事项编码, opaque (kept exactly as the region writes it).
    pub code: String,
    /// 实施编码, opaque; may be empty.
    #[serde(default)]
    pub implementation_code: String,
    pub name: String,
    /// 领域: 社保, 医保, 公积金, 户籍, 市场主体登记, …
    pub domain: String,
    /// 办理部门 (实施主体): the authority the item belongs to.
    pub department: String,
    /// 受理机构 when the guide names one apart from the deciding authority (the hall's window
    /// that receives, e.g. `丰台区政务服务中心公安窗口`). Empty: the department receives.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub accepted_by: String,
    /// 决定机构 when the guide names one apart from the 实施主体 (a 区公安分局 decides what a
    /// 派出所 receives). Empty: the department decides ([`CatalogItem::decider`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub decided_by: String,
    pub mode: HandlingMode,
    /// 事项类型; `None` in catalogs written before it was asked (then no law is assumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ItemKind>,
    /// 设定依据, in the guide's words: the laws and articles the item rests on.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub basis: String,
    /// 受理条件, in the guide's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub conditions: String,
    /// 服务对象: who may apply.
    #[serde(default, skip_serializing_if = "Applicants::is_both")]
    pub applicants: Applicants,
    /// 法定时限; `None` when the law sets none (as most 公共服务 guides say: 「无」).
    #[serde(default)]
    pub legal_days: Option<u32>,
    #[serde(default, skip_serializing_if = "DayUnit::is_working")]
    pub legal_unit: DayUnit,
    /// 「20（情况特别复杂的可延长至50）」.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_extension: Option<Extension>,
    /// 承诺时限 at the window; 0 is 即办 (当场办结). Never more than the legal limit.
    pub promised_days: u32,
    #[serde(default, skip_serializing_if = "DayUnit::is_working")]
    pub promised_unit: DayUnit,
    /// 「现场即时；网上5」: the promise for an online application, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_online_days: Option<u32>,
    /// 收费 as the guide states it; a catalog of before stored it as words, which still read
    /// ([`guide::deserialize_fee`](crate::guide::deserialize_fee)).
    #[serde(default, deserialize_with = "crate::guide::deserialize_fee")]
    pub fee: Fee,
    /// 收费依据, in the guide's words (「《…通知》（发改价格规〔2016〕2559号）」).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fee_basis: String,
    /// 结果送达方式.
    pub delivery: Vec<DeliveryOption>,
    pub materials: Vec<CatalogMaterial>,
}

/// An extension of the legal limit the law allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Extension {
    /// The limit once extended, in the legal limit's unit.
    pub to_days: u32,
    /// When, in the guide's words (「情况特别复杂」); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub when: String,
}

impl Default for CatalogMaterial {
    /// An empty 原件, one copy: for building one field by field.
    fn default() -> Self {
        CatalogMaterial {
            name: String::new(),
            form: MaterialForm::Original,
            copies: 1,
            originals: 1,
            choice: String::new(),
            deferral: None,
            condition: String::new(),
            standard: String::new(),
            e_license: None,
        }
    }
}

impl CatalogItem {
    /// 决定机构: the one the guide names, else the 办理部门.
    pub fn decider(&self) -> &str {
        crate::guide::decider(&self.department, &self.decided_by)
    }

    /// The legal limit as [`guide`](crate::guide) reads and writes it.
    pub fn legal_limit(&self) -> Option<LegalLimit> {
        self.legal_days.map(|days| LegalLimit {
            days,
            unit: self.legal_unit,
            extended_to: self.legal_extension.as_ref().map(|e| e.to_days),
            extension_when: self.legal_extension.as_ref().map(|e| e.when.clone()).unwrap_or_default(),
        })
    }

    pub fn set_legal_limit(&mut self, limit: Option<LegalLimit>) {
        self.legal_days = limit.as_ref().map(|l| l.days);
        self.legal_unit = limit.as_ref().map_or(DayUnit::WorkingDays, |l| l.unit);
        self.legal_extension =
            limit.and_then(|l| l.extended_to.map(|to_days| Extension { to_days, when: l.extension_when }));
    }

    pub fn promise(&self) -> Promise {
        Promise { days: self.promised_days, unit: self.promised_unit, online_days: self.promised_online_days }
    }

    pub fn set_promise(&mut self, p: Promise) {
        self.promised_days = p.days;
        self.promised_unit = p.unit;
        self.promised_online_days = p.online_days;
    }
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// One material an item asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CatalogMaterial {
    pub name: String,
    pub form: MaterialForm,
    /// 份数: of the copies for 原件及复印件 (the originals are counted apart), else of the form.
    pub copies: u32,
    /// 原件及复印件: how many originals (「原件1份、复印件2份」).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub originals: u32,
    /// 任选其一: the materials of an item sharing this label are alternatives; any one of them
    /// satisfies the group (「身份证明」: 居民身份证 或 户口簿 或 …). Empty: not in a group.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub choice: String,
    /// 容缺受理: it may follow after the intake, within this period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferral: Option<Deferral>,
    /// Empty: always required. Otherwise required only when this holds (条件材料), e.g.
    /// `委托他人办理的`.
    #[serde(default)]
    pub condition: String,
    /// 材料标准: what it must show, quoted on the 一次性告知书.
    #[serde(default)]
    pub standard: String,
    /// The 电子证照 type that may replace the paper (免证办), e.g. `居民户口簿`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_license: Option<String>,
}

/// 一件事: items taken in as one case with one form and one list of materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bundle {
    /// Its own code, distinct from every item code.
    pub code: String,
    pub name: String,
    /// 牵头部门.
    pub lead_department: String,
    /// 承诺时限 of the whole, working days.
    pub promised_days: u32,
    /// The codes of its items, in order; at least two.
    pub items: Vec<String>,
}

/// A liaison (联络人) of the publishing region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Contact {
    /// The item this contact answers for; `None` for the region as a whole.
    #[serde(default)]
    pub item: Option<String>,
    pub name: String,
    /// 单位或岗位, e.g. `丰台区人社局社保科`.
    #[serde(default)]
    pub unit: String,
    pub phone: String,
    /// 联系时间, e.g. `工作日 9:00-17:00`.
    #[serde(default)]
    pub hours: String,
}

/// Where in a catalog a problem is: a file reader maps it back to its sheet, row and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Locus {
    Catalog,
    Item { item: usize },
    Material { item: usize, material: usize },
    Bundle { bundle: usize },
    Contact { contact: usize },
}

/// One thing wrong with a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogProblem {
    pub locus: Locus,
    /// The field: `code`, `name`, `promised_days`, `items`, …
    pub field: &'static str,
    /// In Chinese, naming the value.
    pub message: String,
}

impl Catalog {
    /// Every problem, in file order (empty when the catalog is sound). Checks what no single
    /// cell can show: codes unique across items and bundles, bundles naming real items,
    /// promised within legal limits, a material named once per item.
    pub fn problems(&self) -> Vec<CatalogProblem> {
        let mut out = Vec::new();
        let mut push = |locus, field, message: String| out.push(CatalogProblem { locus, field, message });
        if !crate::region::is_valid_code(&self.region) {
            push(Locus::Catalog, "region", format!("「{}」不是有效的行政区划代码（6位数字）", self.region));
        }
        if self.version.trim().is_empty() {
            push(Locus::Catalog, "version", "版本不能为空".to_string());
        }
        let mut codes: HashMap<&str, usize> = HashMap::new();
        for (i, item) in self.items.iter().enumerate() {
            let at = Locus::Item { item: i };
            for (field, label, value) in [
                ("code", "事项编码", &item.code),
                ("name", "事项名称", &item.name),
                ("domain", "领域", &item.domain),
                ("department", "办理部门", &item.department),
            ] {
                if value.trim().is_empty() {
                    push(at, field, format!("{label}不能为空"));
                }
            }
            if !item.code.trim().is_empty() {
                if let Some(first) = codes.insert(item.code.trim(), i) {
                    push(at, "code", format!("事项编码「{}」与第{}个事项重复", item.code, first + 1));
                }
            }
            // Compared only in one unit: 20 working days and 30 calendar days do not order.
            if let Some(legal) = item.legal_days.filter(|_| item.legal_unit == item.promised_unit) {
                let limit = item.legal_extension.as_ref().map_or(legal, |e| e.to_days.max(legal));
                if item.promised_days > limit {
                    push(
                        at,
                        "promised_days",
                        format!(
                            "承诺时限（{}）超过法定时限（{}）",
                            item.promised_unit.days(item.promised_days),
                            item.legal_unit.days(limit)
                        ),
                    );
                }
            }
            if let Some(ext) = &item.legal_extension {
                if item.legal_days.is_none_or(|d| ext.to_days <= d) {
                    push(at, "legal_days", "延长后的法定时限应长于法定时限".to_string());
                }
            }
            if item.promised_online_days.is_some_and(|online| online > item.promised_days.max(1) * 10 + 60) {
                push(at, "promised_days", "网上办理的承诺时限不合常理，请核对".to_string());
            }
            if let Some(m) = item.fee.problem() {
                push(at, "fee", m);
            }
            if item.delivery.is_empty() {
                push(at, "delivery", "至少应有一种结果送达方式".to_string());
            }
            if item.materials.is_empty() {
                push(at, "materials", format!("事项「{}」没有申请材料", item.name));
            }
            let mut names: HashMap<&str, usize> = HashMap::new();
            for (j, m) in item.materials.iter().enumerate() {
                let at = Locus::Material { item: i, material: j };
                if m.name.trim().is_empty() {
                    push(at, "name", "材料名称不能为空".to_string());
                } else if let Some(first) = names.insert(m.name.trim(), j) {
                    push(at, "name", format!("材料「{}」在本事项中与第{}项材料重复", m.name, first + 1));
                }
                if m.copies == 0 || (m.form == MaterialForm::OriginalAndCopy && m.originals == 0) {
                    push(at, "copies", "份数应至少为1".to_string());
                }
                if m.deferral.is_some_and(|d| d.days == 0) {
                    push(at, "deferral", "容缺材料的补齐期限应至少为1天".to_string());
                }
                if !m.choice.trim().is_empty() {
                    let group: Vec<&CatalogMaterial> =
                        item.materials.iter().filter(|o| o.choice.trim() == m.choice.trim()).collect();
                    if group.len() < 2 {
                        push(
                            at,
                            "choice",
                            format!("任选其一「{}」只有「{}」一项材料：应至少有两项可选", m.choice.trim(), m.name),
                        );
                    } else if group[0].name == m.name && group.iter().any(|o| o.condition.trim() != m.condition.trim())
                    {
                        push(at, "choice", format!("任选其一「{}」中各材料的必要性和适用条件应相同", m.choice.trim()));
                    }
                }
                if m.e_license.as_deref().is_some_and(|k| k.trim().is_empty()) {
                    push(at, "e_license", "电子证照类型不能为空".to_string());
                }
            }
        }
        for (i, bundle) in self.bundles.iter().enumerate() {
            let at = Locus::Bundle { bundle: i };
            for (field, label, value) in [
                ("code", "一件事编码", &bundle.code),
                ("name", "一件事名称", &bundle.name),
                ("lead_department", "牵头部门", &bundle.lead_department),
            ] {
                if value.trim().is_empty() {
                    push(at, field, format!("{label}不能为空"));
                }
            }
            if codes.contains_key(bundle.code.trim()) {
                push(at, "code", format!("一件事编码「{}」与事项编码重复", bundle.code));
            }
            if self.bundles[..i].iter().any(|b| b.code.trim() == bundle.code.trim()) {
                push(at, "code", format!("一件事编码「{}」重复", bundle.code));
            }
            if bundle.promised_days == 0 {
                push(at, "promised_days", "承诺时限应至少为1个工作日".to_string());
            }
            let distinct: HashSet<&str> = bundle.items.iter().map(|c| c.trim()).collect();
            if distinct.len() < 2 {
                push(at, "items", "一件事应包含至少两个不同的事项".to_string());
            }
            if distinct.len() != bundle.items.len() {
                push(at, "items", "一件事中有重复的事项编码".to_string());
            }
            for code in &bundle.items {
                if !codes.contains_key(code.trim()) {
                    push(at, "items", format!("事项编码「{code}」不在本目录中"));
                }
            }
        }
        for (i, contact) in self.contacts.iter().enumerate() {
            let at = Locus::Contact { contact: i };
            if contact.name.trim().is_empty() {
                push(at, "name", "联络人姓名不能为空".to_string());
            }
            if let Err(e) = crate::validate::phone(&contact.phone) {
                push(at, "phone", e.message);
            }
            if let Some(code) = &contact.item {
                if !codes.contains_key(code.trim()) {
                    push(at, "item", format!("事项编码「{code}」不在本目录中"));
                }
            }
        }
        out
    }

    pub fn item(&self, code: &str) -> Option<&CatalogItem> {
        self.items.iter().find(|i| i.code == code)
    }

    pub fn bundle(&self, code: &str) -> Option<&Bundle> {
        self.bundles.iter().find(|b| b.code == code)
    }

    /// The liaisons for an item: its own first, then the region's.
    pub fn contacts_for(&self, item: &str) -> Vec<&Contact> {
        let own = self.contacts.iter().filter(|c| c.item.as_deref() == Some(item));
        own.chain(self.contacts.iter().filter(|c| c.item.is_none())).collect()
    }

    /// What an intake for `code` (an item or a bundle) asks for, or `None` when this catalog has
    /// no such code. A bundle's materials are merged: one named alike by several items is asked
    /// once, in the strictest form (原件 over 复印件 over 电子件), the most copies, required if
    /// any item requires it unconditionally.
    pub fn offer(&self, code: &str) -> Option<Offer> {
        let item_ref = |item: &CatalogItem| ItemRef {
            code: item.code.clone(),
            name: item.name.clone(),
            department: item.department.clone(),
            promised_days: item.promised_days,
            promised_unit: item.promised_unit,
            catalog_version: Some(self.version.clone()),
            kind: item.kind,
            basis: item.basis.clone(),
            decided_by: item.decided_by.trim().to_string(),
            fee: Some(item.fee.clone()),
            fee_basis: item.fee_basis.trim().to_string(),
        };
        if let Some(item) = self.item(code) {
            let materials =
                item.materials.iter().map(|m| OfferedMaterial { material: m.clone(), items: Vec::new() }).collect();
            return Some(Offer { item: item_ref(item), bundle_items: Vec::new(), materials });
        }
        let bundle = self.bundle(code)?;
        let items: Vec<&CatalogItem> = bundle.items.iter().filter_map(|c| self.item(c)).collect();
        let mut merged: Vec<OfferedMaterial> = Vec::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for item in &items {
            for m in &item.materials {
                let key = m.name.trim().to_string();
                match by_name.get(&key) {
                    None => {
                        by_name.insert(key, merged.len());
                        merged.push(OfferedMaterial { material: m.clone(), items: vec![item.code.clone()] });
                    }
                    Some(&k) => merge_into(&mut merged[k], m, &item.code),
                }
            }
        }
        Some(Offer {
            item: ItemRef {
                code: bundle.code.clone(),
                name: bundle.name.clone(),
                department: bundle.lead_department.clone(),
                promised_days: bundle.promised_days,
                promised_unit: DayUnit::WorkingDays,
                catalog_version: Some(self.version.clone()),
                // A bundle's items each have their own type; the notice cites each one's.
                kind: None,
                basis: String::new(),
                decided_by: String::new(),
                // Each item of a 一件事 states its own fee.
                fee: None,
                fee_basis: String::new(),
            },
            bundle_items: items.into_iter().map(item_ref).collect(),
            materials: merged,
        })
    }
}

/// An intake as the clerk fills it in against the catalog: the item (or bundle) by code, and for
/// each material only what was found. The catalog supplies names, forms, copies and standards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CatalogIntake {
    /// 办理地: the region whose catalog the item is in (GB/T 2260).
    pub partner: String,
    /// 事项编码 or 一件事编码.
    pub item: String,
    pub applicant: Applicant,
    #[serde(default)]
    pub agent: Option<Agent>,
    /// Materials not listed count as not received (and, if conditional, as not applying).
    #[serde(default)]
    pub materials: Vec<Provided>,
    pub transfer: Transfer,
    pub delivery: ResultDelivery,
    #[serde(default)]
    pub note: String,
}

/// What the clerk found of one material.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Provided {
    /// The material's name as in the catalog.
    pub name: String,
    #[serde(default)]
    pub received: bool,
    #[serde(default)]
    pub original_verified: bool,
    /// For a conditional material: whether its condition holds for this applicant.
    #[serde(default)]
    pub applies: Option<bool>,
    /// 免证办: the certificate cited instead of paper (its type may be left empty: the catalog's).
    #[serde(default)]
    pub e_license: Option<ELicense>,
    #[serde(default)]
    pub scans: Vec<String>,
    #[serde(default)]
    pub note: String,
}

impl Catalog {
    /// The intake form for `draft`, materials as this catalog asks for them. Not yet
    /// [validated](IntakeForm::validated): the applicant's fields are checked there.
    pub fn intake_form(&self, draft: &CatalogIntake) -> Result<IntakeForm, FieldError> {
        let region = crate::region::display_name(&self.region);
        if draft.partner.trim() != self.region {
            return Err(ValidationError::new(format!(
                "办理地「{}」与事项清单所属的{region}（{}）不一致",
                draft.partner.trim(),
                self.region
            ))
            .at("partner", "办理地"));
        }
        let offer = self.offer(draft.item.trim()).ok_or_else(|| {
            ValidationError::new(format!("「{}」不在{region}的事项清单（版本 {}）中", draft.item.trim(), self.version))
                .at("item", "事项编码")
        })?;
        let person = matches!(draft.applicant, Applicant::Person(_));
        if let Some(item) = offer.item_codes().filter_map(|c| self.item(c)).find(|i| !i.applicants.admits(person)) {
            let (who, instead) = if person { ("个人", "法人") } else { ("法人（企业）", "个人") };
            return Err(ValidationError::new(format!(
                "事项「{}」的服务对象为{}，{who}不能申请；请核对申请人类型（应为{instead}）或事项",
                item.name,
                item.applicants.label()
            ))
            .at("applicant.kind", "申请人类型"));
        }
        let chosen = draft.delivery.option();
        // 窗口领取 is what a window can always do, also for an item whose guide names no way.
        if chosen != DeliveryOption::AtWindow {
            if let Some(item) = offer.item_codes().filter_map(|c| self.item(c)).find(|i| !i.delivery.contains(&chosen))
            {
                let offered: Vec<&str> = item.delivery.iter().map(|d| d.label()).collect();
                return Err(ValidationError::new(format!(
                    "事项「{}」不提供{}（办事指南所列：{}）",
                    item.name,
                    chosen.label(),
                    if offered.is_empty() { "窗口领取".to_string() } else { offered.join("、") }
                ))
                .at("delivery", "结果送达方式"));
            }
        }
        let mut seen: HashSet<&str> = HashSet::new();
        for (i, p) in draft.materials.iter().enumerate() {
            let at = |msg: String| ValidationError::new(msg).at(&format!("materials[{i}].name"), "材料名称");
            if !offer.materials.iter().any(|m| m.material.name == p.name.trim()) {
                return Err(at(format!("「{}」不是「{}」的申请材料", p.name.trim(), offer.item.name)));
            }
            if !seen.insert(p.name.trim()) {
                return Err(at(format!("材料「{}」填写了两次", p.name.trim())));
            }
        }
        let mut materials = Vec::with_capacity(offer.materials.len());
        for offered in offer.materials {
            let m = offered.material;
            let provided = draft.materials.iter().find(|p| p.name.trim() == m.name).cloned().unwrap_or_default();
            let field = |f: &str| format!("materials[{}].{f}", materials.len());
            let required = if m.condition.is_empty() {
                if provided.applies == Some(false) {
                    return Err(ValidationError::new(format!("材料「{}」为必需材料，不能标为不适用", m.name))
                        .at(&field("applies"), "是否适用"));
                }
                true
            } else {
                provided.applies == Some(true)
            };
            let e_license = match (provided.e_license, &m.e_license) {
                (None, _) => None,
                (Some(_), None) => {
                    return Err(ValidationError::new(format!("材料「{}」不能以电子证照代替", m.name))
                        .at(&field("e_license"), "电子证照"));
                }
                (Some(mut cited), Some(kind)) => {
                    if cited.kind.trim().is_empty() {
                        cited.kind = kind.clone();
                    } else if cited.kind.trim() != kind {
                        return Err(ValidationError::new(format!(
                            "材料「{}」可用的电子证照为「{kind}」，不是「{}」",
                            m.name,
                            cited.kind.trim()
                        ))
                        .at(&field("e_license"), "电子证照"));
                    }
                    Some(cited)
                }
            };
            materials.push(Material {
                // A cited licence or a scan means the applicant handed the material over.
                received: provided.received || e_license.is_some() || !provided.scans.is_empty(),
                original_verified: provided.original_verified,
                scans: provided.scans,
                note: provided.note,
                name: m.name,
                form: m.form,
                copies: m.copies,
                originals: m.originals,
                choice: m.choice,
                deferral: m.deferral,
                required,
                standard: m.standard,
                condition: m.condition,
                items: offered.items,
                e_license,
            });
        }
        Ok(IntakeForm {
            item: offer.item,
            handling_region: self.region.clone(),
            applicant: draft.applicant.clone(),
            agent: draft.agent.clone(),
            materials,
            transfer: draft.transfer.clone(),
            delivery: draft.delivery.clone(),
            note: draft.note.clone(),
            bundle_items: offer.bundle_items,
        })
    }
}

impl Catalog {
    /// Whether `form`, taken in under this catalog version, asks for exactly what the catalog
    /// asks: the item (or bundle) exists with the same name, department and promise, the
    /// materials are the catalog's in its order (names, forms, copies, standards, conditions),
    /// an unconditional material is required, and a 电子证照 stands in only where the catalog
    /// allows that certificate. The first difference is returned, naming the field; the hub runs
    /// this on every intake naming a catalog version, and a desk on every intake it pulls.
    pub fn check_intake(&self, form: &IntakeForm) -> Result<(), FieldError> {
        let version = format!("{}的事项清单（版本 {}）", crate::region::display_name(&self.region), self.version);
        let differs = |field: &str, label: &str, message: String| Err(ValidationError::new(message).at(field, label));
        if form.handling_region != self.region {
            return differs(
                "handling_region",
                "办理地",
                format!("办理地「{}」不是{version}的地区", form.handling_region),
            );
        }
        if form.item.catalog_version.as_deref() != Some(self.version.as_str()) {
            let named = form.item.catalog_version.as_deref().unwrap_or("（未注明）");
            return differs("item.catalog_version", "事项清单版本", format!("办件注明的版本「{named}」不是{version}"));
        }
        let Some(offer) = self.offer(&form.item.code) else {
            return differs("item.code", "事项编码", format!("「{}」不在{version}中", form.item.code));
        };
        let item_fields = |field: &str, given: &ItemRef, listed: &ItemRef| -> Result<(), FieldError> {
            for (f, label, a, b) in [
                ("name", "事项名称", &given.name, &listed.name),
                ("department", "办理部门", &given.department, &listed.department),
            ] {
                if a != b {
                    return differs(&format!("{field}.{f}"), label, format!("「{a}」与{version}中的「{b}」不符"));
                }
            }
            if (given.promised_days, given.promised_unit) != (listed.promised_days, listed.promised_unit) {
                let message = format!("「{}」与{version}中的「{}」不符", given.promise_label(), listed.promise_label());
                return differs(&format!("{field}.promised_days"), "承诺时限", message);
            }
            if (given.kind, &given.basis) != (listed.kind, &listed.basis) {
                return differs(&format!("{field}.kind"), "事项类型", format!("事项类型或设定依据与{version}不符"));
            }
            // A case from a desk of before carries neither (its forms then say nothing of them):
            // only what a case states is held against the catalog.
            if !given.decided_by.is_empty() && given.decided_by != listed.decided_by {
                let message = format!("「{}」与{version}中的「{}」不符", given.decided_by, listed.decided_by);
                return differs(&format!("{field}.decided_by"), "决定机构", message);
            }
            if given.fee.is_some() && (&given.fee, &given.fee_basis) != (&listed.fee, &listed.fee_basis) {
                let words = |f: &Option<Fee>| f.as_ref().map_or("（未注明）".to_string(), crate::guide::fee_text);
                let message =
                    format!("「{}」与{version}中的「{}」不符（或收费依据不同）", words(&given.fee), words(&listed.fee));
                return differs(&format!("{field}.fee"), "收费", message);
            }
            Ok(())
        };
        item_fields("item", &form.item, &offer.item)?;
        let given_items: Vec<&str> = form.bundle_items.iter().map(|i| i.code.as_str()).collect();
        let listed_items: Vec<&str> = offer.bundle_items.iter().map(|i| i.code.as_str()).collect();
        if given_items != listed_items {
            let message = format!("一件事所含事项与{version}中的「{}」不符", offer.item.name);
            return differs("bundle_items", "一件事事项", message);
        }
        for (i, (given, listed)) in form.bundle_items.iter().zip(&offer.bundle_items).enumerate() {
            item_fields(&format!("bundle_items[{i}]"), given, listed)?;
        }
        if form.materials.len() != offer.materials.len() {
            let message = format!(
                "办件列有 {} 项材料，{version}中「{}」为 {} 项",
                form.materials.len(),
                offer.item.name,
                offer.materials.len()
            );
            return differs("materials", "申请材料", message);
        }
        for (i, (m, listed)) in form.materials.iter().zip(&offer.materials).enumerate() {
            let field = |f: &str| format!("materials[{i}].{f}");
            let label = format!("第{}项材料", i + 1);
            let c = &listed.material;
            if m.name != c.name {
                return differs(&field("name"), &label, format!("「{}」不是{version}中的「{}」", m.name, c.name));
            }
            let mismatch = if m.form != c.form {
                Some(("form", format!("形式应为{}", c.form.label())))
            } else if (m.copies, m.originals) != (c.copies, c.originals) {
                let c = crate::guide::counts_text(c.originals, c.copies, c.form == MaterialForm::OriginalAndCopy);
                Some(("copies", format!("份数应为 {c}")))
            } else if m.choice != c.choice {
                Some(("choice", "任选其一的分组与事项清单不符".to_string()))
            } else if m.deferral != c.deferral {
                Some(("deferral", "容缺受理与事项清单不符".to_string()))
            } else if m.standard != c.standard {
                Some(("standard", "材料标准与事项清单不符".to_string()))
            } else if m.condition != c.condition {
                Some(("condition", "适用条件与事项清单不符".to_string()))
            } else if m.items != listed.items {
                Some(("items", "所对应的事项与事项清单不符".to_string()))
            } else if c.condition.is_empty() && !m.required {
                Some(("required", "为必需材料，不能标为不适用".to_string()))
            } else {
                match (&m.e_license, &c.e_license) {
                    (Some(_), None) => Some(("e_license", "不能以电子证照代替".to_string())),
                    (Some(cited), Some(kind)) if &cited.kind != kind => {
                        Some(("e_license", format!("可用的电子证照为「{kind}」，不是「{}」", cited.kind)))
                    }
                    _ => None,
                }
            };
            if let Some((f, what)) = mismatch {
                return differs(&field(f), &label, format!("「{}」{what}（{version}）", m.name));
            }
        }
        Ok(())
    }
}

fn form_strictness(f: MaterialForm) -> u8 {
    match f {
        MaterialForm::OriginalAndCopy => 3,
        MaterialForm::Original => 2,
        MaterialForm::Copy => 1,
        MaterialForm::Electronic => 0,
    }
}

fn merge_into(into: &mut OfferedMaterial, m: &CatalogMaterial, item: &str) {
    let have = &mut into.material;
    if form_strictness(m.form) > form_strictness(have.form) {
        have.form = m.form;
    }
    have.copies = have.copies.max(m.copies);
    have.originals = have.originals.max(m.originals);
    // Taken on trust only if every item allows it, and then within the shortest period.
    have.deferral = match (have.deferral, m.deferral) {
        (Some(a), Some(b)) if a.unit == b.unit => Some(if a.days <= b.days { a } else { b }),
        _ => None,
    };
    // Alternatives of one item are not alternatives of another.
    if have.choice != m.choice {
        have.choice.clear();
    }
    // Unconditional wins; two different conditions are both stated.
    if m.condition.trim().is_empty() {
        have.condition.clear();
    } else if !have.condition.is_empty() && !have.condition.contains(m.condition.trim()) {
        have.condition = format!("{}；{}", have.condition, m.condition.trim());
    }
    if !m.standard.trim().is_empty() && !have.standard.contains(m.standard.trim()) {
        have.standard = if have.standard.is_empty() {
            m.standard.clone()
        } else {
            format!("{}；{}", have.standard, m.standard.trim())
        };
    }
    // Paper can be replaced only if every item asking for it accepts the same certificate.
    if have.e_license != m.e_license {
        have.e_license = None;
    }
    into.items.push(item.to_string());
}

/// What an intake asks for: the item (or the bundle as one item), a bundle's items, the materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Offer {
    pub item: ItemRef,
    pub bundle_items: Vec<ItemRef>,
    pub materials: Vec<OfferedMaterial>,
}

impl Offer {
    /// The catalog items the case is for: the item itself, or each item of a 一件事.
    pub fn item_codes(&self) -> impl Iterator<Item = &str> {
        let single = self.bundle_items.is_empty().then_some(self.item.code.as_str());
        single.into_iter().chain(self.bundle_items.iter().map(|i| i.code.as_str()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OfferedMaterial {
    #[serde(flatten)]
    pub material: CatalogMaterial,
    /// In a bundle, the items asking for it; empty for a single item.
    pub items: Vec<String>,
}

/// What changed from one version of a region's catalog to the next, for the clerks to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CatalogChanges {
    pub added: Vec<NamedCode>,
    pub removed: Vec<NamedCode>,
    pub altered: Vec<ItemAlteration>,
    pub bundles_added: Vec<NamedCode>,
    pub bundles_removed: Vec<NamedCode>,
    pub bundles_altered: Vec<NamedCode>,
    pub contacts_changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NamedCode {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemAlteration {
    pub code: String,
    pub name: String,
    /// Each change as a Chinese sentence, e.g. `新增材料「结婚证」`, `承诺时限：20 → 15个工作日`.
    pub details: Vec<String>,
}

impl CatalogChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.altered.is_empty()
            && self.bundles_added.is_empty()
            && self.bundles_removed.is_empty()
            && self.bundles_altered.is_empty()
            && !self.contacts_changed
    }

    /// One line per change, for a notification or the CLI.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(self.added.iter().map(|i| format!("新增事项：{}（{}）", i.name, i.code)));
        out.extend(self.removed.iter().map(|i| format!("取消事项：{}（{}）", i.name, i.code)));
        for a in &self.altered {
            out.extend(a.details.iter().map(|d| format!("变更事项：{}（{}）：{d}", a.name, a.code)));
        }
        out.extend(self.bundles_added.iter().map(|b| format!("新增一件事：{}（{}）", b.name, b.code)));
        out.extend(self.bundles_removed.iter().map(|b| format!("取消一件事：{}（{}）", b.name, b.code)));
        out.extend(self.bundles_altered.iter().map(|b| format!("变更一件事：{}（{}）", b.name, b.code)));
        if self.contacts_changed {
            out.push("联络人有变更".to_string());
        }
        out
    }
}

/// The changes from `old` to `new` (same region), items and bundles matched by code.
pub fn changes(old: &Catalog, new: &Catalog) -> CatalogChanges {
    let named = |code: &str, name: &str| NamedCode { code: code.to_string(), name: name.to_string() };
    let old_items: BTreeMap<&str, &CatalogItem> = old.items.iter().map(|i| (i.code.as_str(), i)).collect();
    let new_codes: HashSet<&str> = new.items.iter().map(|i| i.code.as_str()).collect();
    let mut out = CatalogChanges::default();
    for item in &new.items {
        match old_items.get(item.code.as_str()) {
            None => out.added.push(named(&item.code, &item.name)),
            Some(before) => {
                let details = item_details(before, item);
                if !details.is_empty() {
                    out.altered.push(ItemAlteration { code: item.code.clone(), name: item.name.clone(), details });
                }
            }
        }
    }
    out.removed =
        old.items.iter().filter(|i| !new_codes.contains(i.code.as_str())).map(|i| named(&i.code, &i.name)).collect();
    let old_bundles: HashMap<&str, &Bundle> = old.bundles.iter().map(|b| (b.code.as_str(), b)).collect();
    for b in &new.bundles {
        match old_bundles.get(b.code.as_str()) {
            None => out.bundles_added.push(named(&b.code, &b.name)),
            Some(before) if *before != b => out.bundles_altered.push(named(&b.code, &b.name)),
            Some(_) => {}
        }
    }
    out.bundles_removed = old
        .bundles
        .iter()
        .filter(|b| !new.bundles.iter().any(|n| n.code == b.code))
        .map(|b| named(&b.code, &b.name))
        .collect();
    out.contacts_changed = old.contacts != new.contacts;
    out
}

fn item_details(old: &CatalogItem, new: &CatalogItem) -> Vec<String> {
    let mut out = Vec::new();
    let mut text = |label: &str, a: &str, b: &str| {
        if a != b {
            out.push(format!("{label}：{a} → {b}"));
        }
    };
    text("事项名称", &old.name, &new.name);
    text("实施编码", &old.implementation_code, &new.implementation_code);
    text("领域", &old.domain, &new.domain);
    text("办理部门", &old.department, &new.department);
    text("办理模式", old.mode.label(), new.mode.label());
    text("收费", &crate::guide::fee_text(&old.fee), &crate::guide::fee_text(&new.fee));
    let or_none = |s: &str| if s.trim().is_empty() { "（未写）".to_string() } else { s.trim().to_string() };
    text("收费依据", &or_none(&old.fee_basis), &or_none(&new.fee_basis));
    text("决定机构", old.decider(), new.decider());
    let delivery = |i: &CatalogItem| i.delivery.iter().map(|d| d.label()).collect::<Vec<_>>().join("、");
    text("送达方式", &delivery(old), &delivery(new));
    text("受理机构", &old.accepted_by, &new.accepted_by);
    let kind = |i: &CatalogItem| i.kind.map_or("未注明", ItemKind::label);
    text("事项类型", kind(old), kind(new));
    text("服务对象", old.applicants.label(), new.applicants.label());
    let legal = |i: &CatalogItem| crate::guide::legal_text(i.legal_limit().as_ref());
    text("法定时限", &legal(old), &legal(new));
    let promised = |i: &CatalogItem| crate::guide::promised_text(&i.promise());
    text("承诺时限", &promised(old), &promised(new));
    if old.basis != new.basis {
        out.push("设定依据已修改".to_string());
    }
    if old.conditions != new.conditions {
        out.push("受理条件已修改".to_string());
    }
    let before: HashMap<&str, &CatalogMaterial> = old.materials.iter().map(|m| (m.name.as_str(), m)).collect();
    for m in &new.materials {
        match before.get(m.name.as_str()) {
            None => out.push(format!("新增材料「{}」", m.name)),
            Some(b) => {
                let mut parts = Vec::new();
                if b.form != m.form {
                    parts.push(format!("形式 {} → {}", b.form.label(), m.form.label()));
                }
                if (b.copies, b.originals) != (m.copies, m.originals) {
                    let counts = |x: &CatalogMaterial| {
                        crate::guide::counts_text(x.originals, x.copies, x.form == MaterialForm::OriginalAndCopy)
                    };
                    parts.push(format!("份数 {} → {}", counts(b), counts(m)));
                }
                if b.choice != m.choice {
                    let show = |c: &str| {
                        if c.is_empty() {
                            "不可替代".to_string()
                        } else {
                            format!("任选其一「{c}」")
                        }
                    };
                    parts.push(format!("{} → {}", show(&b.choice), show(&m.choice)));
                }
                if b.deferral != m.deferral {
                    let show = |d: &Option<Deferral>| {
                        d.map_or("不可容缺".to_string(), |d| format!("容缺（{}）", d.text()))
                    };
                    parts.push(format!("{} → {}", show(&b.deferral), show(&m.deferral)));
                }
                if b.condition != m.condition {
                    let show = |c: &str| if c.is_empty() { "必需".to_string() } else { format!("条件：{c}") };
                    parts.push(format!("{} → {}", show(&b.condition), show(&m.condition)));
                }
                if b.standard != m.standard {
                    parts.push("标准已修改".to_string());
                }
                if b.e_license != m.e_license {
                    let show = |e: &Option<String>| e.clone().unwrap_or_else(|| "无".to_string());
                    parts.push(format!("可用电子证照 {} → {}", show(&b.e_license), show(&m.e_license)));
                }
                if !parts.is_empty() {
                    out.push(format!("材料「{}」：{}", m.name, parts.join("，")));
                }
            }
        }
    }
    for m in &old.materials {
        if !new.materials.iter().any(|n| n.name == m.name) {
            out.push(format!("取消材料「{}」", m.name));
        }
    }
    out
}
