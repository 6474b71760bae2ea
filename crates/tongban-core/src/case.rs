//! A case (办件): its identity, what was taken in, and the events that move it.
//!
//! The status of a case is never stored as a fact of its own: it is the fold of the case's
//! events ([`CaseStatus::apply`]). Each event kind is owned by one side (the receiving desk or
//! the handling region), so two sides never race for the same transition.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::applicant::{Agent, Applicant};
use crate::validate::{self, FieldError, FieldWarning, ValidationError};

/// The global id of a case: a UUID v7 made on the desk, so a case exists before any network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct CaseId(pub Uuid);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A desk's short code, unique within its region (assigned when the desk is set up).
/// 1 to 4 characters of A–Z and 0–9, so the 办件编号 stays short enough to read over the phone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeskCode(String);

impl DeskCode {
    pub fn parse(s: &str) -> Result<DeskCode, ValidationError> {
        let s = s.trim().to_ascii_uppercase();
        if s.is_empty() || s.chars().count() > 4 {
            return Err(ValidationError::new("窗口代码应为1至4位字母或数字"));
        }
        if let Some(c) = s.chars().find(|c| !c.is_ascii_uppercase() && !c.is_ascii_digit()) {
            return Err(ValidationError::new(format!("窗口代码中的「{c}」无效，只能使用字母A-Z和数字0-9")));
        }
        Ok(DeskCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 办件编号: `{受理地区划}-{yyyymmdd}-{窗口代码}-{序号}`, e.g. `411329-20261123-A1-0007`.
/// Unique without coordination because the region and desk code are unique and the sequence is
/// per desk and day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct CaseNumber(String);

impl CaseNumber {
    pub fn compose(region: &str, date: NaiveDate, desk: &DeskCode, seq: u32) -> CaseNumber {
        CaseNumber(format!("{region}-{}-{}-{seq:04}", date.format("%Y%m%d"), desk.as_str()))
    }

    pub fn parse(s: &str) -> Result<CaseNumber, ValidationError> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('-').collect();
        let bad = || ValidationError::new(format!("办件编号「{s}」格式不正确，应如 411329-20261123-A1-0007"));
        let [region, date, desk, seq] = parts.as_slice() else {
            return Err(bad());
        };
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(region, 6) || !digits(date, 8) || NaiveDate::parse_from_str(date, "%Y%m%d").is_err() {
            return Err(bad());
        }
        if DeskCode::parse(desk).map(|d| d.0 != *desk).unwrap_or(true) {
            return Err(bad());
        }
        if seq.len() < 4 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        Ok(CaseNumber(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The sequence part, for finding the next free number of a day.
    pub fn sequence(&self) -> u32 {
        self.0.rsplit('-').next().and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    /// The receiving region's code (the first part).
    pub fn region(&self) -> &str {
        self.part(0)
    }

    /// The day the case was received, as written in the number (`yyyymmdd`).
    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(self.part(1), "%Y%m%d").ok()
    }

    /// The desk code of the desk that gave the number (the third part).
    pub fn desk_code(&self) -> &str {
        self.part(2)
    }

    /// Part `i` of the four, or "" for a number that was never [parsed](CaseNumber::parse)
    /// (one read from the wire is only a string until it is checked).
    fn part(&self, i: usize) -> &str {
        self.0.split('-').nth(i).unwrap_or("")
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The two sides of 收办分离.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// 受理地: the window where the applicant stands.
    Receiving,
    /// 办理地: the partner region that decides.
    Handling,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Receiving => "受理地",
            Side::Handling => "办理地",
        }
    }
}

/// 材料形式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Original,
    Copy,
    Electronic,
    /// 原件及复印件: the original is checked (and may be handed back), the copies kept.
    OriginalAndCopy,
}

impl MaterialForm {
    pub fn label(self) -> &'static str {
        match self {
            MaterialForm::Original => "原件",
            MaterialForm::Copy => "复印件",
            MaterialForm::Electronic => "电子件",
            MaterialForm::OriginalAndCopy => "原件及复印件",
        }
    }
}

/// One material of a case: what the catalog asks for and what the clerk found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    pub name: String,
    pub form: MaterialForm,
    /// 份数 asked for (of the copies, for 原件及复印件).
    pub copies: u32,
    /// 原件及复印件: how many originals.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub originals: u32,
    /// 任选其一: materials of the case sharing this label are alternatives (see [`missing`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub choice: String,
    /// 容缺受理: missing at the intake, it is owed (容缺) rather than missing, and due within
    /// this period of the day of receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferral: Option<crate::guide::Deferral>,
    pub required: bool,
    /// The standard the material must meet (from the catalog), quoted on the 一次性告知书.
    #[serde(default)]
    pub standard: String,
    pub received: bool,
    #[serde(default)]
    pub original_verified: bool,
    /// SHA-256 of each attached scan.
    #[serde(default)]
    pub scans: Vec<String>,
    #[serde(default)]
    pub note: String,
    /// When the catalog asks for it only in some cases (条件材料): that condition, and `required`
    /// says whether it applied to this applicant.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    /// In a 一件事 case, the codes of the items that ask for this material (asked once for all).
    /// Empty for a single-item case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// 免证办: an electronic certificate that stands in for the paper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_license: Option<ELicense>,
}

/// An electronic certificate (电子证照) cited instead of paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ELicense {
    /// 证照类型, e.g. 居民户口簿.
    pub kind: String,
    /// 证照编号.
    pub number: String,
    /// 签发机关.
    pub issuer: String,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Material {
    /// Required and not (yet) received, whether missing or owed.
    fn is_lacking(&self) -> bool {
        self.required && !self.received
    }

    /// 份数 as printed: 「2」, or 「原件1份、复印件2份」.
    pub fn counts_text(&self) -> String {
        crate::guide::counts_text(self.originals, self.copies, self.form == MaterialForm::OriginalAndCopy)
    }
}

/// Whether `m`'s 任选其一 group is satisfied by another material of the list.
fn satisfied_by_alternative(m: &Material, all: &[Material]) -> bool {
    !m.choice.is_empty() && all.iter().any(|o| o.choice == m.choice && o.received)
}

/// The materials missing in the sense of 一次性告知: required, not received, not satisfied by
/// an alternative of their 任选其一 group, and not 容缺 (those are [`owed`]). A group none of
/// whose materials came lists each of them (the notice says any one will do).
pub fn missing(materials: &[Material]) -> impl Iterator<Item = &Material> {
    materials.iter().filter(|m| m.is_lacking() && m.deferral.is_none() && !satisfied_by_alternative(m, materials))
}

/// The 容缺 materials taken in on trust: required, not received, allowed to follow.
pub fn owed(materials: &[Material]) -> impl Iterator<Item = &Material> {
    materials.iter().filter(|m| m.is_lacking() && m.deferral.is_some() && !satisfied_by_alternative(m, materials))
}

/// Where one material of a case stands, by the same rules as [`missing`] and [`owed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Received,
    /// Required and lacking: the 一次性告知书 lists it.
    Missing,
    /// 容缺: taken in on trust, to follow.
    Owed,
    /// Not received, but another material of its 任选其一 group was.
    ByAlternative,
    /// Not received and not required (a condition that did not apply).
    NotRequired,
}

/// Each material's [`Standing`], in order.
pub fn standings(materials: &[Material]) -> Vec<Standing> {
    materials
        .iter()
        .map(|m| match (m.received, m.is_lacking()) {
            (true, _) => Standing::Received,
            (false, false) => Standing::NotRequired,
            _ if satisfied_by_alternative(m, materials) => Standing::ByAlternative,
            _ if m.deferral.is_some() => Standing::Owed,
            _ => Standing::Missing,
        })
        .collect()
}

/// 流转方式: data over the network, paper by mail, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transfer {
    pub network: bool,
    pub mail: bool,
    /// EMS waybill of the paper originals, once known.
    #[serde(default)]
    pub waybill: Option<String>,
}

/// How the result reaches the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResultDelivery {
    /// 窗口领取.
    AtWindow,
    /// 邮寄送达.
    Mail { recipient: String, phone: String, address: String },
    /// 网上获取: an 电子证照 or a result the applicant downloads.
    Online,
    /// 无需送达: nothing is handed over (a registration whose record is the result).
    NotNeeded,
}

impl ResultDelivery {
    /// The catalog's option this delivery is.
    pub fn option(&self) -> crate::catalog::DeliveryOption {
        use crate::catalog::DeliveryOption;
        match self {
            ResultDelivery::AtWindow => DeliveryOption::AtWindow,
            ResultDelivery::Mail { .. } => DeliveryOption::Mail,
            ResultDelivery::Online => DeliveryOption::Online,
            ResultDelivery::NotNeeded => DeliveryOption::NotNeeded,
        }
    }
}

/// The item as it was when the case was taken in (the catalog may change later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemRef {
    /// 事项编码 / 实施编码, opaque.
    pub code: String,
    pub name: String,
    /// 办理部门 of the handling region.
    pub department: String,
    /// 承诺时限 (at the window): 0 is 即办.
    pub promised_days: u32,
    #[serde(default, skip_serializing_if = "crate::guide::DayUnit::is_working")]
    pub promised_unit: crate::guide::DayUnit,
    #[serde(default)]
    pub catalog_version: Option<String>,
    /// 事项类型, when the catalog says: the 一次性告知书 cites the law that fits it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::guide::ItemKind>,
    /// 设定依据, as the catalog words it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub basis: String,
    /// 决定机构 when the catalog names one apart from the department (empty: the department
    /// decides).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub decided_by: String,
    /// 收费 as the catalog stated it; `None` for a case taken in before fees were carried (its
    /// forms then say nothing of a fee) and for a 一件事 as a whole (each item has its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<crate::guide::Fee>,
    /// 收费依据, as the catalog words it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fee_basis: String,
}

impl ItemRef {
    /// 决定机构: the catalog's, else the department.
    pub fn decider(&self) -> &str {
        crate::guide::decider(&self.department, &self.decided_by)
    }

    /// 收费 as the forms print it, 「不收费」 or 「工本费20元（收费依据：…）」; `None` when the case
    /// does not say.
    pub fn fee_label(&self) -> Option<String> {
        let fee = crate::guide::fee_text(self.fee.as_ref()?);
        Some(if self.fee_basis.trim().is_empty() {
            fee
        } else {
            format!("{fee}（收费依据：{}）", self.fee_basis.trim())
        })
    }

    /// 「当场办结」 or 「20个工作日」.
    pub fn promise_label(&self) -> String {
        crate::guide::promise_label(self.promised_days, self.promised_unit)
    }
}

/// What the clerk fills in for an intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeForm {
    pub item: ItemRef,
    /// 办理地, a GB/T 2260 code.
    pub handling_region: String,
    pub applicant: Applicant,
    #[serde(default)]
    pub agent: Option<Agent>,
    pub materials: Vec<Material>,
    pub transfer: Transfer,
    pub delivery: ResultDelivery,
    #[serde(default)]
    pub note: String,
    /// A 一件事 case: the items it bundles, each with its own handling department. `item` is
    /// then the bundle itself (its code, name, lead department and promise). Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundle_items: Vec<ItemRef>,
}

/// Everything the window takes in: the form plus what the desk assigns. The body of the
/// first event of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Intake {
    pub number: CaseNumber,
    /// 受理地, a GB/T 2260 code.
    pub receiving_region: String,
    /// Hall and window name as printed on the receipt.
    pub window: String,
    pub received_on: NaiveDate,
    #[serde(flatten)]
    pub form: IntakeForm,
}

impl IntakeForm {
    /// The items the case is decided as: itself, or each item of a 一件事.
    pub fn decided_items(&self) -> Vec<&ItemRef> {
        if self.bundle_items.is_empty() {
            vec![&self.item]
        } else {
            self.bundle_items.iter().collect()
        }
    }

    /// The rule beside a case's 告知期限: every case gets its 一次性告知 within 5 working days,
    /// but only a 行政许可's silence counts as acceptance (行政许可法 §32); a 公共服务 or 行政确认
    /// is not a licence, and its notice cites its own 设定依据.
    pub fn notice_rule(&self) -> &'static str {
        if self.decided_items().iter().any(|i| i.kind == Some(crate::guide::ItemKind::License)) {
            "材料不齐须在5个工作日内一次性告知（行政许可法第三十二条），逾期视为受理"
        } else {
            "材料不齐须在5个工作日内一次性告知"
        }
    }

    pub fn missing_materials(&self) -> impl Iterator<Item = &Material> {
        missing(&self.materials)
    }

    pub fn owed_materials(&self) -> impl Iterator<Item = &Material> {
        owed(&self.materials)
    }

    pub fn is_complete(&self) -> bool {
        self.missing_materials().next().is_none()
    }
}

/// The author of an event: which user at which desk of which region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Author {
    pub user: String,
    /// The desk's id (a UUID made when the desk was set up).
    pub desk: String,
    pub region: String,
    /// The user's display name (张敏), so other desks show people, not logins. Empty in events
    /// made before names travelled with them; left out of the JSON when empty, so those events
    /// keep their exact form.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl Author {
    /// Who made the event, as people read it: the display name, else the login.
    pub fn display(&self) -> &str {
        if self.name.trim().is_empty() {
            &self.user
        } else {
            &self.name
        }
    }
}

/// What happened to a case. Every variant is owned by exactly one [`Side`].
// The intake is large and the rest small, but events live briefly (one per append or fold step),
// so boxing would only add noise to every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// 收件: the intake; 待补正 if a required material is missing, otherwise 已收件.
    Received { intake: Intake },
    /// The applicant brought materials the 一次性告知书 listed (the whole list as it is now):
    /// 待补正 → 已收件, or still 待补正 if something required is still missing.
    Completed { materials: Vec<Material> },
    /// The handling region's hub acknowledged the case: 已收件 → 已推送. Kept on the desk only:
    /// the hub knows it has the case, and pushing this would race the partner's decision.
    Pushed,
    /// 已受理.
    Accepted,
    /// 不予受理, with the reason given to the applicant.
    Refused { reason: String },
    /// 需补正: the handling region lists what it still needs.
    SupplementRequested { items: Vec<String>, note: String },
    /// 补正中: the receiving desk told the applicant what to bring.
    SupplementNotified,
    /// 已补正: the applicant brought it; the materials as they are now.
    Supplemented { materials: Vec<Material> },
    /// 办理中.
    Processing,
    /// 办结, 准予 or 不予.
    Concluded { approved: bool, note: String },
    /// 结果已寄出, with the waybill.
    ResultMailed { waybill: String },
    /// 已送达: the result reached the applicant.
    Delivered { note: String },
    /// 更正编号: the receiving desk moved the case to a corrected 办件编号 (its desk code was
    /// another desk's). The case keeps its id and its status; only the number changes.
    Renumbered { from: CaseNumber, to: CaseNumber, reason: String },
    /// 补交容缺材料: the applicant brought a material taken in on trust (容缺受理); the
    /// materials as they are now. The status does not change: the case went on without it.
    OwedReceived { materials: Vec<Material> },
    /// 寄出原件: the receiving desk mailed paper (originals, copies) to the handling region in
    /// one package. Paper travels beside the case: no 寄递 event changes its status.
    OriginalsMailed {
        waybill: String,
        /// 承运: EMS, 顺丰 … (empty: not said).
        #[serde(default)]
        carrier: String,
        contents: Vec<crate::paper::PackedMaterial>,
        #[serde(default)]
        note: String,
    },
    /// 签收原件: the handling region received the package `waybill`; what it lacked on arrival.
    OriginalsSigned {
        waybill: String,
        /// Names of the package's materials that were not in it.
        #[serde(default)]
        missing: Vec<String>,
        #[serde(default)]
        note: String,
    },
    /// 签收结果: the receiving desk received the result the handling region mailed (`waybill`).
    ResultSigned {
        waybill: String,
        #[serde(default)]
        note: String,
    },
}

/// The kind of an event without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Received,
    Completed,
    Pushed,
    Accepted,
    Refused,
    SupplementRequested,
    SupplementNotified,
    Supplemented,
    Processing,
    Concluded,
    ResultMailed,
    Delivered,
    Renumbered,
    OwedReceived,
    OriginalsMailed,
    OriginalsSigned,
    ResultSigned,
}

impl EventKind {
    pub const ALL: [EventKind; 17] = [
        EventKind::Received,
        EventKind::Completed,
        EventKind::Pushed,
        EventKind::Accepted,
        EventKind::Refused,
        EventKind::SupplementRequested,
        EventKind::SupplementNotified,
        EventKind::Supplemented,
        EventKind::Processing,
        EventKind::Concluded,
        EventKind::ResultMailed,
        EventKind::Delivered,
        EventKind::Renumbered,
        EventKind::OwedReceived,
        EventKind::OriginalsMailed,
        EventKind::OriginalsSigned,
        EventKind::ResultSigned,
    ];

    pub fn owner(self) -> Side {
        use EventKind::*;
        match self {
            Received | Completed | Pushed | SupplementNotified | Supplemented | Delivered | Renumbered
            | OwedReceived | OriginalsMailed | ResultSigned => Side::Receiving,
            Accepted | Refused | SupplementRequested | Processing | Concluded | ResultMailed | OriginalsSigned => {
                Side::Handling
            }
        }
    }

    /// 寄递: a package of paper sent or signed for. None changes the case's status.
    pub fn is_paper(self) -> bool {
        matches!(self, EventKind::OriginalsMailed | EventKind::OriginalsSigned | EventKind::ResultSigned)
    }

    /// A handling region's decision on the case (受理, 办结 …): the first a hub admits wins. A
    /// 签收原件 is the handling side's too, but no decision.
    pub fn is_decision(self) -> bool {
        self.owner() == Side::Handling && !self.is_paper()
    }

    /// Events that stay on the desk that made them and are never sent to a hub.
    pub fn is_local(self) -> bool {
        self == EventKind::Pushed
    }

    pub fn label(self) -> &'static str {
        use EventKind::*;
        match self {
            Received => "收件",
            Completed => "补齐材料",
            Pushed => "推送办理地",
            Accepted => "受理",
            Refused => "不予受理",
            SupplementRequested => "要求补正",
            SupplementNotified => "告知补正",
            Supplemented => "提交补正材料",
            Processing => "开始办理",
            Concluded => "办结",
            ResultMailed => "寄出结果",
            Delivered => "送达结果",
            Renumbered => "更正编号",
            OwedReceived => "补交容缺材料",
            OriginalsMailed => "寄出原件",
            OriginalsSigned => "签收原件",
            ResultSigned => "签收结果",
        }
    }

    /// The stable name used in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        use EventKind::*;
        match self {
            Received => "received",
            Completed => "completed",
            Pushed => "pushed",
            Accepted => "accepted",
            Refused => "refused",
            SupplementRequested => "supplement_requested",
            SupplementNotified => "supplement_notified",
            Supplemented => "supplemented",
            Processing => "processing",
            Concluded => "concluded",
            ResultMailed => "result_mailed",
            Delivered => "delivered",
            Renumbered => "renumbered",
            OwedReceived => "owed_received",
            OriginalsMailed => "originals_mailed",
            OriginalsSigned => "originals_signed",
            ResultSigned => "result_signed",
        }
    }
}

impl EventBody {
    pub fn kind(&self) -> EventKind {
        match self {
            EventBody::Received { .. } => EventKind::Received,
            EventBody::Completed { .. } => EventKind::Completed,
            EventBody::Pushed => EventKind::Pushed,
            EventBody::Accepted => EventKind::Accepted,
            EventBody::Refused { .. } => EventKind::Refused,
            EventBody::SupplementRequested { .. } => EventKind::SupplementRequested,
            EventBody::SupplementNotified => EventKind::SupplementNotified,
            EventBody::Supplemented { .. } => EventKind::Supplemented,
            EventBody::Processing => EventKind::Processing,
            EventBody::Concluded { .. } => EventKind::Concluded,
            EventBody::ResultMailed { .. } => EventKind::ResultMailed,
            EventBody::Delivered { .. } => EventKind::Delivered,
            EventBody::Renumbered { .. } => EventKind::Renumbered,
            EventBody::OwedReceived { .. } => EventKind::OwedReceived,
            EventBody::OriginalsMailed { .. } => EventKind::OriginalsMailed,
            EventBody::OriginalsSigned { .. } => EventKind::OriginalsSigned,
            EventBody::ResultSigned { .. } => EventKind::ResultSigned,
        }
    }

    /// The materials this event records (the intake's, or the whole list after 补齐/补正).
    pub fn materials(&self) -> &[Material] {
        match self {
            EventBody::Received { intake } => &intake.form.materials,
            EventBody::Completed { materials }
            | EventBody::Supplemented { materials }
            | EventBody::OwedReceived { materials } => materials,
            _ => &[],
        }
    }

    /// The SHA-256 of every scan the event refers to: they must reach a hub before the event does.
    pub fn scans(&self) -> impl Iterator<Item = &str> {
        self.materials().iter().flat_map(|m| m.scans.iter().map(String::as_str))
    }

    /// What a decision lacks that the other side cannot do without (the state machine does not
    /// look at content): the reason for 不予受理, the list for 需补正, the waybill for 寄出.
    pub fn missing_content(&self) -> Option<&'static str> {
        match self {
            EventBody::Refused { reason } if reason.trim().is_empty() => Some("不予受理须写明理由"),
            EventBody::SupplementRequested { items, .. } if items.iter().all(|i| i.trim().is_empty()) => {
                Some("需补正须列出申请人还须提交的材料")
            }
            EventBody::ResultMailed { waybill } if waybill.trim().is_empty() => Some("结果已寄出须填写运单号"),
            EventBody::Renumbered { reason, .. } if reason.trim().is_empty() => Some("更正编号须写明原因"),
            EventBody::OriginalsMailed { waybill, .. } if waybill.trim().is_empty() => Some("寄出原件须填写运单号"),
            EventBody::OriginalsMailed { contents, .. } if !contents.iter().any(|c| c.originals + c.copies > 0) => {
                Some("寄出原件须列出包裹内的材料及份数")
            }
            EventBody::OriginalsSigned { waybill, .. } if waybill.trim().is_empty() => Some("签收原件须写明运单号"),
            EventBody::ResultSigned { waybill, .. } if waybill.trim().is_empty() => Some("签收结果须写明运单号"),
            _ => None,
        }
    }
}

/// One event of one case. Events are append-only; the id makes pushing them idempotent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: Uuid,
    pub case_id: CaseId,
    pub at: DateTime<Utc>,
    pub author: Author,
    #[serde(flatten)]
    pub body: EventBody,
}

/// The status a case's events fold into. Each is set by exactly one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 待补正: the 一次性告知书 was given; waiting for the applicant.
    AwaitingMaterials,
    /// 已收件.
    Received,
    /// 已推送.
    Pushed,
    /// 补正中.
    Supplementing,
    /// 已补正.
    Supplemented,
    /// 已送达.
    Delivered,
    /// 已受理.
    Accepted,
    /// 不予受理.
    Refused,
    /// 需补正.
    SupplementRequested,
    /// 办理中.
    Processing,
    /// 办结.
    Concluded,
    /// 结果已寄出.
    ResultMailed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 12] = [
        CaseStatus::AwaitingMaterials,
        CaseStatus::Received,
        CaseStatus::Pushed,
        CaseStatus::Supplementing,
        CaseStatus::Supplemented,
        CaseStatus::Delivered,
        CaseStatus::Accepted,
        CaseStatus::Refused,
        CaseStatus::SupplementRequested,
        CaseStatus::Processing,
        CaseStatus::Concluded,
        CaseStatus::ResultMailed,
    ];

    pub fn label(self) -> &'static str {
        use CaseStatus::*;
        match self {
            AwaitingMaterials => "待补正",
            Received => "已收件",
            Pushed => "已推送",
            Supplementing => "补正中",
            Supplemented => "已补正",
            Delivered => "已送达",
            Accepted => "已受理",
            Refused => "不予受理",
            SupplementRequested => "需补正",
            Processing => "办理中",
            Concluded => "办结",
            ResultMailed => "结果已寄出",
        }
    }

    /// How many of `statuses` are in each status, in the order of [`CaseStatus::ALL`].
    pub fn tally(statuses: impl IntoIterator<Item = CaseStatus>) -> [usize; CaseStatus::ALL.len()] {
        let mut counts = [0; CaseStatus::ALL.len()];
        for status in statuses {
            if let Some(k) = CaseStatus::ALL.iter().position(|s| *s == status) {
                counts[k] += 1;
            }
        }
        counts
    }

    /// The stable name used in the database, the CLI and on the wire.
    pub fn as_str(self) -> &'static str {
        use CaseStatus::*;
        match self {
            AwaitingMaterials => "awaiting_materials",
            Received => "received",
            Pushed => "pushed",
            Supplementing => "supplementing",
            Supplemented => "supplemented",
            Delivered => "delivered",
            Accepted => "accepted",
            Refused => "refused",
            SupplementRequested => "supplement_requested",
            Processing => "processing",
            Concluded => "concluded",
            ResultMailed => "result_mailed",
        }
    }

    /// Parses the stable name or the Chinese label.
    pub fn parse(s: &str) -> Option<CaseStatus> {
        let s = s.trim();
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s || c.label() == s)
    }

    /// The side whose events lead into this status.
    pub fn owner(self) -> Side {
        use CaseStatus::*;
        match self {
            AwaitingMaterials | Received | Pushed | Supplementing | Supplemented | Delivered => Side::Receiving,
            Accepted | Refused | SupplementRequested | Processing | Concluded | ResultMailed => Side::Handling,
        }
    }

    /// No further event is expected (the case is closed for the 台账's open count).
    pub fn is_final(self) -> bool {
        self == CaseStatus::Delivered
    }

    /// The status after `event`, or why the event does not fit. `current` is `None` before the
    /// first event. The desk and the hub both call this, so both refuse the same things.
    pub fn apply(current: Option<CaseStatus>, event: &EventBody) -> Result<CaseStatus, TransitionError> {
        let refused = TransitionError { event: event.kind(), from: current };
        match (current, event) {
            (None, EventBody::Received { intake }) => {
                Ok(if intake.form.is_complete() { CaseStatus::Received } else { CaseStatus::AwaitingMaterials })
            }
            (None, _) => Err(refused),
            // The applicant may bring only part of what the notice listed: the case then waits on.
            (Some(CaseStatus::AwaitingMaterials), EventBody::Completed { materials })
                if missing(materials).next().is_some() =>
            {
                Ok(CaseStatus::AwaitingMaterials)
            }
            (Some(from), _) => from.after(event.kind()).ok_or(refused),
        }
    }

    /// The status an event of `kind` leads to from this one, or `None` when it does not fit.
    /// Only the intake's outcome depends on its content, and it never follows a status.
    pub fn after(self, kind: EventKind) -> Option<CaseStatus> {
        use CaseStatus as S;
        use EventKind as K;
        // Statuses in which the handling region holds a complete case it has not decided on.
        let awaiting_decision = matches!(self, S::Received | S::Pushed | S::Supplemented);
        match (self, kind) {
            (_, K::Received) => None,
            (S::AwaitingMaterials, K::Completed) => Some(S::Received),
            (S::Received, K::Pushed) => Some(S::Pushed),
            (_, K::Accepted) if awaiting_decision => Some(S::Accepted),
            (_, K::Refused) if awaiting_decision => Some(S::Refused),
            (_, K::SupplementRequested) if awaiting_decision || matches!(self, S::Accepted | S::Processing) => {
                Some(S::SupplementRequested)
            }
            (S::SupplementRequested, K::SupplementNotified) => Some(S::Supplementing),
            // The desk must have told the applicant (告知补正, the 一次性告知) before materials come back.
            (S::Supplementing, K::Supplemented) => Some(S::Supplemented),
            (S::Accepted, K::Processing) => Some(S::Processing),
            // 即办件 are concluded on acceptance, without 办理中.
            (S::Accepted | S::Processing, K::Concluded) => Some(S::Concluded),
            (S::Concluded, K::ResultMailed) => Some(S::ResultMailed),
            (S::Concluded | S::ResultMailed | S::Refused, K::Delivered) => Some(S::Delivered),
            // A corrected number changes nothing else about the case.
            (status, K::Renumbered) => Some(status),
            // A 容缺 material may come at any time after the intake; a case still waiting for
            // missing materials records it with them (补齐材料).
            (status, K::OwedReceived) if status != S::AwaitingMaterials && !status.is_final() => Some(status),
            // Paper travels beside the case: originals may be mailed and signed for whatever the
            // network did meanwhile (a case decided before its package arrives still gets it).
            (status, K::OriginalsMailed | K::OriginalsSigned) => Some(status),
            (S::ResultMailed | S::Delivered, K::ResultSigned) => Some(self),
            _ => None,
        }
    }

    /// The events `side` may record on a case in this status, in life-cycle order: what the
    /// window offers (the back office's decisions, the receiving desk's next steps).
    /// 更正编号 is an admin's correction, 补交容缺材料 depends on what the case owes and 寄递 on
    /// the packages: none is a step of the life cycle offered by status.
    pub fn next_events(self, side: Side) -> Vec<EventKind> {
        EventKind::ALL
            .into_iter()
            .filter(|k| {
                k.owner() == side
                    && !matches!(k, EventKind::Renumbered | EventKind::OwedReceived)
                    && !k.is_paper()
                    && self.after(*k).is_some()
            })
            .collect()
    }

    /// The handling region has the case and has not decided on it yet (待受理).
    pub fn awaits_decision(self) -> bool {
        self.after(EventKind::Accepted).is_some()
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An event that does not fit the case's current status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct TransitionError {
    pub event: EventKind,
    pub from: Option<CaseStatus>,
}

impl TransitionError {
    fn message(&self) -> String {
        match self.from {
            None => format!("办件尚不存在，不能「{}」", self.event.label()),
            Some(from) => format!("办件状态为「{}」，不能「{}」", from.label(), self.event.label()),
        }
    }
}

/// An event authored by the side that does not own its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("「{}」只能由{}录入，不能由{}录入", .event.label(), .event.owner().label(), .author.label())]
pub struct WrongSide {
    pub event: EventKind,
    pub author: Side,
}

/// Checks that `author` owns `event`.
pub fn check_side(event: EventKind, author: Side) -> Result<(), WrongSide> {
    if event.owner() == author {
        Ok(())
    } else {
        Err(WrongSide { event, author })
    }
}

/// What a case's events say about it, folded in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub status: CaseStatus,
    pub intake: Intake,
    /// The materials as of the last event that changed them.
    pub materials: Vec<Material>,
    /// Set once 办结: 准予 (true) or 不予 (false).
    pub approved: Option<bool>,
    /// What the handling region asked for in its last 需补正.
    pub supplement_items: Vec<String>,
    /// The handling region's note with that 需补正 (empty: none); printed on the 一次性告知书.
    pub supplement_note: String,
    pub result_waybill: Option<String>,
    pub refusal_reason: Option<String>,
}

/// A folding error: the first event is not an intake, or an event does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("办件没有任何事件")]
    Empty,
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

impl CaseState {
    /// The state after the first event, which must be the intake.
    pub fn start(first: &EventBody) -> Result<CaseState, FoldError> {
        let status = CaseStatus::apply(None, first)?;
        let EventBody::Received { intake } = first else { unreachable!("apply(None, _) accepts only Received") };
        Ok(CaseState {
            status,
            materials: intake.form.materials.clone(),
            intake: intake.clone(),
            approved: None,
            supplement_items: Vec::new(),
            supplement_note: String::new(),
            result_waybill: None,
            refusal_reason: None,
        })
    }

    /// Applies one more event, or refuses it and changes nothing.
    pub fn apply(&mut self, event: &EventBody) -> Result<(), TransitionError> {
        self.status = CaseStatus::apply(Some(self.status), event)?;
        match event {
            EventBody::Renumbered { to, .. } => self.intake.number = to.clone(),
            EventBody::Completed { materials }
            | EventBody::Supplemented { materials }
            | EventBody::OwedReceived { materials } => {
                self.materials = materials.clone();
            }
            EventBody::Refused { reason } => self.refusal_reason = Some(reason.clone()),
            EventBody::SupplementRequested { items, note } => {
                self.supplement_items = items.clone();
                self.supplement_note = note.trim().to_string();
            }
            EventBody::Concluded { approved, .. } => self.approved = Some(*approved),
            EventBody::ResultMailed { waybill } => self.result_waybill = Some(waybill.clone()),
            _ => {}
        }
        Ok(())
    }

    /// Folds a case's events in order.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a EventBody>) -> Result<CaseState, FoldError> {
        let mut events = events.into_iter();
        let mut state = CaseState::start(events.next().ok_or(FoldError::Empty)?)?;
        for event in events {
            state.apply(event)?;
        }
        Ok(state)
    }
}

impl IntakeForm {
    /// Checks the fields a clerk types and returns the form in canonical form, or the first
    /// problem with the field named. `today` is the caller's date in Beijing: the core has no
    /// clock (a desk passes the day it takes the case in).
    pub fn validated(&self, today: NaiveDate) -> Result<IntakeForm, FieldError> {
        let mut out = self.clone();
        out.applicant = self.applicant.validated(today)?;
        out.agent = self.agent.as_ref().map(|a| a.validated(today)).transpose()?;
        out.item.code = validate::required_text("item.code", "事项编码", &self.item.code)?;
        out.item.name = validate::required_text("item.name", "事项名称", &self.item.name)?;
        if !crate::region::is_valid_code(&self.handling_region) {
            let code = &self.handling_region;
            return Err(ValidationError::new(format!("「{code}」不是有效的行政区划代码（6位数字）"))
                .at("handling_region", "办理地"));
        }
        if !self.transfer.network && !self.transfer.mail {
            return Err(ValidationError::new("请至少选择网络流转或邮寄之一").at("transfer", "流转方式"));
        }
        for (i, m) in self.materials.iter().enumerate() {
            let label = format!("第{}项材料名称", i + 1);
            out.materials[i].name = validate::required_text(&format!("materials[{i}].name"), &label, &m.name)?;
            if let Some(license) = &m.e_license {
                let field = |f: &str| format!("materials[{i}].e_license.{f}");
                let label = |l: &str| format!("第{}项材料的电子证照{l}", i + 1);
                out.materials[i].e_license = Some(ELicense {
                    kind: validate::required_text(&field("kind"), &label("类型"), &license.kind)?,
                    number: validate::required_text(&field("number"), &label("编号"), &license.number)?,
                    issuer: validate::required_text(&field("issuer"), &label("签发机关"), &license.issuer)?,
                });
                // The certificate is the material: it was received, electronically.
                out.materials[i].received = true;
            }
        }
        for (i, item) in self.bundle_items.iter().enumerate() {
            let field = |f: &str| format!("bundle_items[{i}].{f}");
            let n = i + 1;
            out.bundle_items[i].code =
                validate::required_text(&field("code"), &format!("第{n}项事项编码"), &item.code)?;
            out.bundle_items[i].name =
                validate::required_text(&field("name"), &format!("第{n}项事项名称"), &item.name)?;
        }
        if let ResultDelivery::Mail { recipient, phone, address } = &self.delivery {
            let recipient = validate::required_text("delivery.recipient", "收件人", recipient)?;
            let phone = validate::phone(phone).map_err(|e| e.at("delivery.phone", "收件人电话"))?;
            let address = validate::required_text("delivery.address", "邮寄地址", address)?;
            out.delivery = ResultDelivery::Mail { recipient, phone, address };
        }
        Ok(out)
    }

    /// Notes for the clerk that never block saving (an ID's address code missing from the
    /// region list), applicant first, then agent.
    pub fn warnings(&self, today: NaiveDate) -> Vec<FieldWarning> {
        let mut out = self.applicant.warnings(today);
        if let Some(agent) = &self.agent {
            out.extend(agent.warnings(today));
        }
        out
    }
}
