//! Who a case is for and who brings it in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validate::{self, FieldError, FieldWarning};

/// 证件类型: the identity documents a window accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 居民身份证 (GB 11643).
    ResidentId,
    /// 港澳台居民居住证 (18 digits, address code 810000/820000/830000, same check digit).
    HmtResidencePermit,
    /// 外国人永久居留身份证, 2017 form (15 characters: 3 letters then 12 digits).
    ForeignPermanent2017,
    /// 外国人永久居留身份证, 2023 form (18 characters starting with 9, MOD 11-2 check).
    ForeignPermanent2023,
    /// 护照.
    Passport,
    /// 港澳居民来往内地通行证.
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证.
    TaiwanPermit,
}

impl IdKind {
    pub const ALL: [IdKind; 7] = [
        IdKind::ResidentId,
        IdKind::HmtResidencePermit,
        IdKind::ForeignPermanent2017,
        IdKind::ForeignPermanent2023,
        IdKind::Passport,
        IdKind::HkMacaoPermit,
        IdKind::TaiwanPermit,
    ];

    /// The name printed on forms and shown in the window.
    pub fn label(self) -> &'static str {
        match self {
            IdKind::ResidentId => "居民身份证",
            IdKind::HmtResidencePermit => "港澳台居民居住证",
            IdKind::ForeignPermanent2017 => "外国人永久居留身份证（2017版）",
            IdKind::ForeignPermanent2023 => "外国人永久居留身份证（2023版）",
            IdKind::Passport => "护照",
            IdKind::HkMacaoPermit => "港澳居民来往内地通行证",
            IdKind::TaiwanPermit => "台湾居民来往大陆通行证",
        }
    }

    /// Accepts the snake_case code or the Chinese label (as typed in CSV files and the CLI).
    pub fn parse(s: &str) -> Option<IdKind> {
        let s = s.trim();
        IdKind::ALL.into_iter().find(|k| {
            k.label() == s || serde_json::to_value(k).ok().and_then(|v| v.as_str().map(|c| c == s)) == Some(true)
        })
    }
}

/// A natural person (自然人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub name: String,
    pub id_kind: IdKind,
    pub id_number: String,
    pub phone: String,
    #[serde(default)]
    pub address: String,
}

/// An enterprise or other organisation (法人及其他组织).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enterprise {
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// 法定代表人.
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
    #[serde(default)]
    pub address: String,
}

/// 申请人.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Applicant {
    Person(Person),
    Enterprise(Enterprise),
}

impl Applicant {
    pub fn name(&self) -> &str {
        match self {
            Applicant::Person(p) => &p.name,
            Applicant::Enterprise(e) => &e.name,
        }
    }

    /// The number the applicant is searched by: 证件号码 or 统一社会信用代码.
    pub fn id_number(&self) -> &str {
        match self {
            Applicant::Person(p) => &p.id_number,
            Applicant::Enterprise(e) => &e.credit_code,
        }
    }

    pub fn phone(&self) -> &str {
        match self {
            Applicant::Person(p) => &p.phone,
            Applicant::Enterprise(e) => &e.contact_phone,
        }
    }

    /// Checks every field and returns the applicant in canonical form (trimmed, upper-case
    /// check characters, phone without separators). The first problem found is returned,
    /// naming the field. `today` is the caller's date in Beijing (no birth date after it).
    pub fn validated(&self, today: NaiveDate) -> Result<Applicant, FieldError> {
        match self {
            Applicant::Person(p) => {
                let name = validate::required_text("applicant.name", "申请人姓名", &p.name)?;
                let id_number = validate::id_document(p.id_kind, &p.id_number, today)
                    .map_err(|e| e.at("applicant.id_number", "申请人证件号码"))?;
                let phone = validate::phone(&p.phone).map_err(|e| e.at("applicant.phone", "申请人联系电话"))?;
                Ok(Applicant::Person(Person {
                    name,
                    id_kind: p.id_kind,
                    id_number,
                    phone,
                    address: p.address.trim().to_string(),
                }))
            }
            Applicant::Enterprise(e) => {
                let name = validate::required_text("applicant.name", "单位名称", &e.name)?;
                let credit_code = validate::uscc(&e.credit_code)
                    .map_err(|err| err.at("applicant.credit_code", "统一社会信用代码"))?;
                let legal_representative =
                    validate::required_text("applicant.legal_representative", "法定代表人", &e.legal_representative)?;
                let contact_name = validate::required_text("applicant.contact_name", "联系人", &e.contact_name)?;
                let contact_phone =
                    validate::phone(&e.contact_phone).map_err(|err| err.at("applicant.contact_phone", "联系人电话"))?;
                Ok(Applicant::Enterprise(Enterprise {
                    name,
                    credit_code,
                    legal_representative,
                    contact_name,
                    contact_phone,
                    address: e.address.trim().to_string(),
                }))
            }
        }
    }

    /// Notes for the clerk that do not block saving (see [`validate::ValidationWarning`]).
    pub fn warnings(&self, today: NaiveDate) -> Vec<FieldWarning> {
        match self {
            Applicant::Person(p) => validate::id_document_warning(p.id_kind, &p.id_number, today)
                .map(|w| w.at("applicant.id_number", "申请人证件号码"))
                .into_iter()
                .collect(),
            Applicant::Enterprise(_) => Vec::new(),
        }
    }
}

/// How an agent relates to the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgentRole {
    /// 帮办代办: a helper of the service hall brings the case in.
    Helper,
    /// 委托代理: someone the applicant authorised.
    Proxy,
}

impl AgentRole {
    pub const ALL: [AgentRole; 2] = [AgentRole::Helper, AgentRole::Proxy];

    pub fn label(self) -> &'static str {
        match self {
            AgentRole::Helper => "帮办代办",
            AgentRole::Proxy => "委托代理",
        }
    }
}

/// 代办人: the person standing at the window (or in the village) for the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    pub role: AgentRole,
    pub name: String,
    pub id_kind: IdKind,
    pub id_number: String,
    pub phone: String,
}

impl Agent {
    /// As [`Applicant::validated`].
    pub fn validated(&self, today: NaiveDate) -> Result<Agent, FieldError> {
        Ok(Agent {
            role: self.role,
            name: validate::required_text("agent.name", "代办人姓名", &self.name)?,
            id_number: validate::id_document(self.id_kind, &self.id_number, today)
                .map_err(|e| e.at("agent.id_number", "代办人证件号码"))?,
            id_kind: self.id_kind,
            phone: validate::phone(&self.phone).map_err(|e| e.at("agent.phone", "代办人联系电话"))?,
        })
    }

    /// As [`Applicant::warnings`].
    pub fn warnings(&self, today: NaiveDate) -> Vec<FieldWarning> {
        validate::id_document_warning(self.id_kind, &self.id_number, today)
            .map(|w| w.at("agent.id_number", "代办人证件号码"))
            .into_iter()
            .collect()
    }
}

/// 证件号码 as printed on ledgers and shown in lists: the first 6 and last 4 characters of an
/// 18-character number (region and check digits, enough for the clerk to match a paper), the
/// rest as `*`. Shorter numbers keep their first and last 2.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let (head, tail) = if chars.len() >= 15 {
        (6, 4)
    } else if chars.len() > 4 {
        (2, 2)
    } else {
        (0, 0)
    };
    if head + tail == 0 {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= chars.len() - tail { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::mask_id_number;

    #[test]
    fn masking_keeps_region_and_last_digits_only() {
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id_number("H12345678"), "H1*****78");
        assert_eq!(mask_id_number("1234"), "****");
    }
}
