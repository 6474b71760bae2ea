//! Taking a case in from the window: the item picker over the partners' catalogs, an item's
//! terms, materials and liaisons, checks of what the clerk types (the same checks the store makes
//! on saving, so the window never disagrees with it), and the intake itself.

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tongban_core::applicant::{Applicant, IdKind};
use tongban_core::case::{CaseId, CaseNumber, CaseStatus, IntakeForm};
use tongban_core::catalog::{CatalogIntake, Contact, DeliveryOption, Offer};
use tongban_core::code::DeskCode;
use tongban_core::{guide, region, validate};
use ts_rs::TS;

use crate::{AppError, Desk};

/// One line of the intake's item picker: an item or a 一件事 of a partner's current catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ItemChoice {
    /// The handling region (办理地).
    pub partner: String,
    pub partner_name: String,
    pub code: String,
    pub name: String,
    /// 领域; `一件事` for a bundle.
    pub domain: String,
    pub department: String,
    pub bundle: bool,
    pub promised_days: u32,
    pub catalog_version: String,
}

/// What the intake form shows for a chosen item: the materials to check, the terms, the liaisons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ItemDetails {
    pub partner: String,
    pub partner_name: String,
    pub offer: Offer,
    /// 办理模式, e.g. 异地代收代办; for a bundle, its items' modes.
    pub mode: String,
    /// 承诺时限 as the receipt prints it: 「当场办结」, 「15个工作日」, with the online promise
    /// when the guide gives another (「；网上办理5个工作日」).
    pub promise: String,
    /// 法定时限 in the guide's terms: 「20个工作日（情况特别复杂的可延长至50个工作日）」,
    /// 「无法定时限」; a bundle's items' each, by name.
    pub legal: String,
    /// 事项类型 (a bundle's items' types, distinct); empty when the catalog does not say.
    pub kind: String,
    /// Who may apply: persons (自然人) and/or organisations (法人); every item of a bundle must
    /// admit them.
    pub persons_may_apply: bool,
    pub organizations_may_apply: bool,
    /// 服务对象 in words, e.g. 「法人」.
    pub applicants: String,
    /// 受理条件 and 设定依据 as the catalog words them (a bundle's, each under its item's name).
    pub conditions: String,
    pub basis: String,
    /// 受理机构, when the guide names one apart from the department.
    pub accepted_by: String,
    /// 决定机构, when the guide names one apart from the department (a bundle's, each under its
    /// item's name).
    pub decided_by: String,
    /// 收费 in the guide's words as read: 「不收费」, 「工本费20元」, 「按面积收取：住宅每件80元；非住宅
    /// 每件550元」 (a bundle's, each under its item's name when they differ).
    pub fee: String,
    /// Whether any item of the case charges a fee (the window marks it).
    pub charged: bool,
    /// 收费依据 as the guide cites it.
    pub fee_basis: String,
    /// The delivery options every item of the case offers.
    pub delivery: Vec<DeliveryOption>,
    /// The offline guardrail for this partner, once past its warning: a refusal says the intake
    /// will not be saved, and why.
    pub offline: Option<crate::OfflineNotice>,
    /// 联络人: the item's own (a bundle's items' own) first, then the region's.
    pub contacts: Vec<Contact>,
}

/// What the clerk is typing, for [`Desk::check_field`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// 证件号码 of the given 证件类型.
    IdNumber,
    /// 统一社会信用代码.
    CreditCode,
    /// 手机或固定电话.
    Phone,
    /// 运单号: an UPU S10 number's check digit; another format is a warning.
    Waybill,
}

/// The verdict on one typed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldCheck {
    /// The value as it will be saved (trimmed, half-width, upper-case check letters); empty when
    /// the value is wrong.
    pub normalized: String,
    /// What is wrong, in Chinese; `None` when the value is right.
    pub message: Option<String>,
    /// What a right value tells, e.g. `1949年12月31日出生，女` for a 居民身份证.
    pub note: Option<String>,
    /// What the clerk should look at again although the value is right (it is saved as is),
    /// e.g. an address code missing from the region list.
    pub warning: Option<String>,
}

/// An applicant this desk has taken a case in for before: what they gave last time, for the
/// clerk to fill in at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReturningApplicant {
    pub applicant: Applicant,
    /// Their latest case here.
    pub last_number: String,
    pub last_item_name: String,
    /// RFC 3339.
    pub last_received_at: String,
}

/// A case just taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TakenIn {
    pub number: String,
    pub status: CaseStatus,
    pub status_label: String,
    /// The required materials not received: the 一次性告知书 lists them.
    pub missing: Vec<String>,
    /// The 容缺 materials taken in on trust, to follow by `owed_due`.
    pub owed: Vec<String>,
    pub owed_due: Option<String>,
    /// What the clerk should look at again, saved as is (a waybill of another case, a waybill
    /// format the desk cannot check).
    pub warnings: Vec<String>,
}

impl Desk {
    /// Every item and 一件事 of every partner's current catalog, partner by partner.
    pub fn item_choices(&self) -> Result<Vec<ItemChoice>, AppError> {
        let held = self.with_store(|store| store.current_catalogs())?;
        let mut out = Vec::new();
        for catalog in held.into_iter().map(|h| h.catalog) {
            let partner_name = region::display_name(&catalog.region);
            let choice = |code: &str, name: &str, domain: &str, department: &str, bundle, promised_days| ItemChoice {
                partner: catalog.region.clone(),
                partner_name: partner_name.clone(),
                code: code.to_string(),
                name: name.to_string(),
                domain: domain.to_string(),
                department: department.to_string(),
                bundle,
                promised_days,
                catalog_version: catalog.version.clone(),
            };
            for b in &catalog.bundles {
                out.push(choice(&b.code, &b.name, "一件事", &b.lead_department, true, b.promised_days));
            }
            for i in &catalog.items {
                out.push(choice(&i.code, &i.name, &i.domain, &i.department, false, i.promised_days));
            }
        }
        Ok(out)
    }

    /// The terms, materials and liaisons of one item (or 一件事) of a partner's current catalog.
    pub fn item_details(&self, partner: &str, code: &str) -> Result<ItemDetails, AppError> {
        let partner = partner.trim();
        let held = self
            .with_store(|store| store.current_catalog(partner))?
            .ok_or_else(|| AppError::from(tongban_store::StoreError::NoCatalog(partner.to_string())))?;
        let catalog = held.catalog;
        let partner_name = region::display_name(partner);
        let offline = self
            .with_store(|store| store.partner_offline(partner, Utc::now()))?
            .filter(|p| p.verdict.level != tongban_core::offline::OfflineLevel::Fresh)
            .map(crate::OfflineNotice::from);
        let offer = catalog.offer(code.trim()).ok_or_else(|| {
            AppError::new(
                DeskCode::UnknownItem,
                format!("{partner_name}的事项清单（版本 {}）中没有「{}」", catalog.version, code.trim()),
            )
        })?;
        let codes: Vec<&str> = offer.item_codes().collect();
        let items: Vec<_> = codes.iter().filter_map(|c| catalog.item(c)).collect();
        let mut modes: Vec<&str> = items.iter().map(|i| i.mode.label()).collect();
        modes.dedup();
        let mut fees: Vec<String> = items.iter().map(|i| guide::fee_text(&i.fee)).collect();
        fees.dedup();
        let delivery =
            DeliveryOption::ALL.into_iter().filter(|d| items.iter().all(|i| i.delivery.contains(d))).collect();
        let mut contacts: Vec<Contact> = Vec::new();
        for c in codes.iter().flat_map(|c| catalog.contacts_for(c)) {
            if !contacts.contains(c) {
                contacts.push(c.clone());
            }
        }
        Ok(ItemDetails {
            partner: partner.to_string(),
            partner_name,
            mode: modes.join("、"),
            promise: {
                let item = &offer.item;
                let online = items.first().and_then(|i| i.promised_online_days).filter(|_| items.len() == 1);
                match online {
                    Some(n) => format!(
                        "{}；网上办理{}",
                        item.promise_label(),
                        if n == 0 { "即时办结".to_string() } else { item.promised_unit.days(n) }
                    ),
                    None => item.promise_label(),
                }
            },
            legal: per_item(&items, |i| match i.legal_limit() {
                None => "无法定时限".to_string(),
                Some(l) if l.days == 0 => "即办".to_string(),
                Some(l) => guide::legal_text(Some(&l)),
            }),
            kind: {
                let mut kinds: Vec<&str> = items.iter().filter_map(|i| i.kind.map(|k| k.label())).collect();
                kinds.dedup();
                kinds.join("、")
            },
            persons_may_apply: items.iter().all(|i| i.applicants.admits(true)),
            organizations_may_apply: items.iter().all(|i| i.applicants.admits(false)),
            applicants: {
                let person = items.iter().all(|i| i.applicants.admits(true));
                let org = items.iter().all(|i| i.applicants.admits(false));
                match (person, org) {
                    (true, true) => "自然人、法人",
                    (true, false) => "自然人",
                    (false, true) => "法人",
                    (false, false) => "（一件事所含事项的服务对象互不相容）",
                }
                .to_string()
            },
            conditions: per_item(&items, |i| i.conditions.trim().to_string()),
            basis: per_item(&items, |i| i.basis.trim().to_string()),
            accepted_by: per_item(&items, |i| i.accepted_by.trim().to_string()),
            decided_by: per_item(&items, |i| i.decided_by.trim().to_string()),
            fee: if fees.len() <= 1 {
                fees.pop().unwrap_or_else(|| guide::fee_text(&guide::Fee::Free))
            } else {
                per_item(&items, |i| guide::fee_text(&i.fee))
            },
            charged: items.iter().any(|i| !i.fee.is_free()),
            fee_basis: per_item(&items, |i| i.fee_basis.trim().to_string()),
            delivery,
            contacts,
            offer,
            offline,
        })
    }

    /// Checks one typed value with the store's own checks, as of `today` (Beijing; the window
    /// passes [`crate::today`], the store checks again with the day the case is taken in).
    pub fn check_field(kind: FieldKind, id_kind: Option<IdKind>, value: &str, today: NaiveDate) -> FieldCheck {
        let verdict = match kind {
            FieldKind::IdNumber => match id_kind.unwrap_or(IdKind::ResidentId) {
                IdKind::ResidentId => validate::resident_id(value, today).map(|id| {
                    let note = format!(
                        "{}出生，{}",
                        id.birth_date.format("%Y年%-m月%-d日"),
                        if id.male { "男" } else { "女" }
                    );
                    let warning = id.warning();
                    (id.number, Some(note), warning)
                }),
                other => validate::id_document(other, value, today).map(|n| (n, None, None)),
            },
            FieldKind::CreditCode => validate::uscc(value).map(|n| (n, None, None)),
            FieldKind::Phone => validate::phone(value).map(|n| (n, None, None)),
            FieldKind::Waybill => tongban_core::waybill::check(value).map(|w| {
                let warning = w.warning.map(|message| validate::ValidationWarning { message });
                (w.number, w.format.map(str::to_string), warning)
            }),
        };
        match verdict {
            Ok((normalized, note, warning)) => {
                FieldCheck { normalized, message: None, note, warning: warning.map(|w| w.message) }
            }
            Err(e) => FieldCheck { normalized: String::new(), message: Some(e.message), note: None, warning: None },
        }
    }

    /// The applicant with this 证件号码 or 统一社会信用代码 as given in their latest case on this
    /// desk, if any (the index on the number answers it; case does not matter).
    pub fn returning_applicant(&self, id_number: &str) -> Result<Option<ReturningApplicant>, AppError> {
        self.permit(crate::session::Permission::TakeIn)?;
        let id = id_number.trim().to_uppercase();
        if id.len() < 6 {
            return Ok(None);
        }
        self.with_store(|store| {
            let filter = tongban_store::CaseFilter { text: Some(id.clone()), ..Default::default() };
            // Newest first; a longer number sharing the prefix is someone else.
            let page = store.list_cases(&filter, 1, 20)?;
            let Some(latest) = page.rows.into_iter().find(|c| c.applicant_id == id) else {
                return Ok(None);
            };
            let state = store.case_state(latest.id)?;
            Ok(Some(ReturningApplicant {
                applicant: state.intake.form.applicant,
                last_number: latest.number,
                last_item_name: latest.item_name,
                last_received_at: latest.received_at.to_rfc3339(),
            }))
        })
    }

    /// Takes a case in against the partner's current catalog, as the acting user.
    pub fn take_in(&self, draft: &CatalogIntake) -> Result<TakenIn, AppError> {
        let scans = draft.materials.iter().map(|m| (m.name.as_str(), m.scans.as_slice()));
        self.take_in_with(scans, |store, user, now| store.create_case_from_catalog(draft, user, now))
    }

    /// Takes a case in from a whole intake form, item and materials as given (the CLI's imports,
    /// regions without a catalog), with the checks [`Desk::take_in`] makes: the role, the scans
    /// kept here, the clock.
    pub fn take_in_form(&self, form: &IntakeForm) -> Result<TakenIn, AppError> {
        let scans = form.materials.iter().map(|m| (m.name.as_str(), m.scans.as_slice()));
        self.take_in_with(scans, |store, user, now| store.create_case(form, user, now))
    }

    /// The one intake path: who may, the scans each material cites held here, a believable clock,
    /// then `create`; what the clerk is told after.
    fn take_in_with<'a>(
        &self,
        scans: impl IntoIterator<Item = (&'a str, &'a [String])>,
        create: impl FnOnce(
            &mut tongban_store::Store,
            &str,
            chrono::DateTime<Utc>,
        ) -> Result<(CaseId, CaseNumber), tongban_store::StoreError>,
    ) -> Result<TakenIn, AppError> {
        self.permit(crate::session::Permission::TakeIn)?;
        let mut store = self.locked()?;
        let user = self.actor(None)?;
        for (material, scans) in scans {
            crate::completion::require_kept_scans(&store, material, scans)?;
        }
        let now = Utc::now();
        // A case dated by a wrong clock carries a false receipt date and false deadlines.
        if let Some(warning) = crate::clock_warning(&store, now)? {
            return Err(AppError::new(DeskCode::ClockImplausible, warning));
        }
        let (id, number) = create(&mut store, &user, now)?;
        let state = store.case_state(id)?;
        let owed_due = store.case_by_number(number.as_str())?.owed_due.map(|d| d.date.to_string());
        let waybill = state.intake.form.transfer.waybill.clone().unwrap_or_default();
        let warnings = waybill_warnings(&store, &waybill, number.as_str())?;
        Ok(TakenIn {
            number: number.to_string(),
            status: state.status,
            status_label: state.status.label().to_string(),
            missing: tongban_core::case::missing(&state.materials).map(|m| m.name.clone()).collect(),
            owed: tongban_core::case::owed(&state.materials).map(|m| m.name.clone()).collect(),
            owed_due,
            warnings,
        })
    }
}

/// One item's `text`, or a bundle's items' each under its name (「1.企业设立登记：…」); the empty
/// ones left out.
fn per_item(
    items: &[&tongban_core::catalog::CatalogItem],
    text: impl Fn(&tongban_core::catalog::CatalogItem) -> String,
) -> String {
    if let [item] = items {
        return text(item);
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(k, i)| Some(text(i)).filter(|t| !t.is_empty()).map(|t| format!("{}.{}：{t}", k + 1, i.name)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a waybill just saved for case `number` should make the clerk look at again: a format the
/// desk cannot check, and other cases carrying the same number (one package, two cases?).
pub fn waybill_warnings(store: &tongban_store::Store, waybill: &str, number: &str) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    if waybill.trim().is_empty() {
        return Ok(out);
    }
    if let Ok(Some(w)) = tongban_core::waybill::check(waybill).map(|w| w.warning) {
        out.push(w);
    }
    let others: Vec<String> = store.waybill_cases(waybill)?.into_iter().filter(|n| n != number).collect();
    if !others.is_empty() {
        out.push(format!(
            "运单号「{}」也登记在办件 {} 上，同一运单通常只寄一件的材料，请核对面单",
            waybill.trim(),
            others.join("、")
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_returning_applicant_is_offered_as_last_given() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        let seeded = crate::demo::seed(&db, 6).unwrap();
        let desk = Desk::open_as(&db, crate::demo::DEMO_CLERK, crate::demo::DEMO_PASSWORD).unwrap();
        let store = crate::demo::open(&db).unwrap();
        let case = store.case_by_number(&seeded[2].number).unwrap();
        let back = desk.returning_applicant(&case.applicant_id.to_lowercase()).unwrap().expect("known");
        assert_eq!(back.last_number, case.number);
        assert_eq!(back.applicant.id_number(), case.applicant_id);
        assert_eq!(back.applicant.name(), case.applicant_name);
        // A prefix is not the applicant, nor is a number never seen.
        assert_eq!(desk.returning_applicant(&case.applicant_id[..10]).unwrap(), None);
        assert_eq!(desk.returning_applicant("110105194912310021").unwrap(), None);
        assert_eq!(desk.returning_applicant("").unwrap(), None);
    }
}
