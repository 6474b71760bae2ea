//! The demo desk: 新野县 (411329) taking in cases for 北京市丰台区 (110106) and two other
//! partners. The README's run command, the end-to-end test and the benchmarks all start from it,
//! so what a newcomer sees is what the tests check.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use tongban_core::applicant::{Agent, AgentRole, Applicant, Enterprise, IdKind, Person};
use tongban_core::case::{
    Author, CaseEvent, CaseId, EventBody, IntakeForm, ItemRef, Material, MaterialForm, ResultDelivery, Transfer,
};
use tongban_core::guide::ItemKind;
use tongban_core::validate;
use tongban_store::{DeskSetup, Store, StoreError, User};

use crate::AppError;

pub const DEMO_REGION: &str = "411329";
pub const DEMO_CLERK: &str = "zhangmin";
/// The demo desk's users all have this password; the login screen shows it on the demo desk only.
pub const DEMO_PASSWORD: &str = "tongban2026";

/// A case the demo created, for tests to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededCase {
    pub number: String,
    pub applicant_name: String,
}

/// Whether the sample cases come with the partner's decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerHistory {
    /// Some cases already accepted, in progress or concluded by 丰台区, as if synced long ago: a
    /// queue with every status, for a desk without a partner's hub (the stories, the screenshots).
    Invented,
    /// Only what this desk did: every case waits for the partner, whose real back office (the
    /// demo hub's) decides it. What `./dev run` seeds, so the desk never shows a decision the
    /// partner did not make.
    None,
}

/// Opens (or creates) the database at `path`, sets up the demo desk if it has none, and adds
/// `cases` sample cases spread over the last days, some already decided by the partner.
pub fn seed(path: &Path, cases: usize) -> Result<Vec<SeededCase>, AppError> {
    seed_with(path, cases, PartnerHistory::Invented)
}

/// [`seed`], with or without the partner's decisions.
pub fn seed_with(path: &Path, cases: usize, history: PartnerHistory) -> Result<Vec<SeededCase>, AppError> {
    let mut store = open(path)?;
    install_sample_catalog(&mut store)?;
    let now = Utc::now();
    let mut seeded = Vec::with_capacity(cases);
    for i in 0..cases {
        let at = now - Duration::minutes(((cases - i) * 37) as i64);
        let form = sample_form(i);
        let (id, number) = store.create_case(&form, DEMO_CLERK, at)?;
        if history == PartnerHistory::Invented {
            advance(&mut store, id, i, at)?;
        }
        seeded.push(SeededCase { number: number.to_string(), applicant_name: form.applicant.name().to_string() });
    }
    Ok(seeded)
}

/// 丰台区's sample 事项清单 (the JSON the shipped `fengtai-110106.xlsx` is made from).
pub const SAMPLE_CATALOG: &str = include_str!("../../tongban-catalog/sample/fengtai-110106.json");

/// Gives the desk the sample catalog of 丰台区, unless it already holds one for that region.
pub fn install_sample_catalog(store: &mut Store) -> Result<(), StoreError> {
    let catalog: tongban_core::catalog::Catalog = serde_json::from_str(SAMPLE_CATALOG)?;
    if store.current_catalog(&catalog.region)?.is_none() {
        store.install_catalog(&catalog, tongban_store::CatalogSource::File, None, Utc::now())?;
    }
    Ok(())
}

/// The demo desk's users besides its clerk: one for each other role the window shows.
pub const DEMO_USERS: [(&str, &str, &str); 3] =
    [("liqiang", "李强", "supervisor"), ("wangfang", "王芳", "admin"), ("chenjing", "陈静", "helper")];

/// The demo desk's setup: 新野县's 跨省通办专窗, its clerk first.
pub fn demo_setup() -> DeskSetup {
    DeskSetup {
        region: DEMO_REGION.into(),
        hall: "新野县政务服务中心".into(),
        window_name: "跨省通办专窗".into(),
        desk_code: "A1".into(),
        first_user: User { login: DEMO_CLERK.into(), display_name: "张敏".into(), role: "clerk".into() },
    }
}

/// Opens the demo desk at `path` as its clerk, making it (with its users, all with
/// [`DEMO_PASSWORD`]) if there is none. Another desk at `path` is refused by the password.
pub fn open(path: &Path) -> Result<Store, AppError> {
    let mut store = if tongban_store::FileKind::of(path)? == tongban_store::FileKind::Missing {
        let texts = [("hall.address", "新野县行政服务中心一楼跨省通办专窗"), ("hall.phone", "0377-66012345")];
        crate::create_desk(path, &demo_setup(), DEMO_PASSWORD, &texts)?
    } else {
        Store::unlock(path, DEMO_CLERK, DEMO_PASSWORD, Utc::now())?
    };
    ensure_desk(&mut store)?;
    Ok(store)
}

/// Gives the demo desk its users, unless the database holds another desk.
pub fn ensure_desk(store: &mut Store) -> Result<(), StoreError> {
    let desk = store.require_desk()?;
    let first = store.first_user()?.map(|u| u.login);
    let is_demo = store.window_prefs()?.demo || (desk.region == DEMO_REGION && first.as_deref() == Some(DEMO_CLERK));
    if is_demo {
        ensure_demo_users(store)?;
    }
    Ok(())
}

/// Gives the demo desk its users, sets every demo user's password to [`DEMO_PASSWORD`] when
/// they have none, and marks the desk as the demo (the login screen then shows the accounts).
fn ensure_demo_users(store: &mut Store) -> Result<(), StoreError> {
    let now = Utc::now();
    let accounts = store.accounts()?;
    for (login, name, role) in DEMO_USERS {
        if !accounts.iter().any(|a| a.user.login == login) {
            let user = User { login: login.into(), display_name: name.into(), role: role.into() };
            store.add_user(&user, Some(DEMO_PASSWORD), now)?;
        }
    }
    for account in accounts.iter().filter(|a| !a.has_password) {
        store.set_password(&account.user.login, DEMO_PASSWORD)?;
    }
    store.set_setting("desk.demo", "1", DEMO_CLERK, now)?;
    store.publish_demo_accounts(true)?;
    // The demo's recovery key guards nothing: it is not offered for the safe.
    store.mark_recovery_issued(DEMO_CLERK, now)?;
    Ok(())
}

/// Moves some sample cases along as the partner would, so the queue shows every kind of status.
fn advance(store: &mut Store, case: CaseId, i: usize, at: DateTime<Utc>) -> Result<(), StoreError> {
    let partner = Author {
        user: "fengtai-shebao".into(),
        desk: "demo-partner-desk".into(),
        region: "110106".into(),
        name: "赵敏".into(),
    };
    let bodies: Vec<EventBody> = match i % 6 {
        1 => vec![EventBody::Accepted],
        2 => vec![EventBody::Accepted, EventBody::Processing],
        3 => vec![EventBody::SupplementRequested {
            items: vec!["参保缴费凭证需加盖社保经办机构业务章".into()],
            note: "请于5个工作日内补正".into(),
        }],
        4 => vec![
            EventBody::Accepted,
            EventBody::Concluded { approved: true, note: "准予办理".into() },
            EventBody::ResultMailed { waybill: format!("1178{:09}", 300_000 + i) },
        ],
        _ => vec![],
    };
    if bodies.is_empty() || store.case_state(case)?.status != tongban_core::case::CaseStatus::Received {
        return Ok(());
    }
    // The partner can only have decided a case the hub received: mark the intake as synced.
    let intake = store.events_of(case)?.remove(0).event;
    store.mark_acknowledged(&[intake.id])?;
    store.append_local(&CaseEvent {
        id: uuid::Uuid::now_v7(),
        case_id: case,
        at: at + Duration::minutes(1),
        author: intake.author,
        body: EventBody::Pushed,
    })?;
    for (k, body) in bodies.into_iter().enumerate() {
        let event = CaseEvent {
            id: uuid::Uuid::now_v7(),
            case_id: case,
            at: at + Duration::minutes(5 * (k as i64 + 1)),
            author: partner.clone(),
            body,
        };
        store.append_remote(&event)?;
    }
    Ok(())
}

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "欧阳",
];
const GIVEN: [&str; 30] = [
    "建国", "芳", "伟", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "喆", "堃", "珺", "昇", "玉兰", "桂英", "志强", "海燕", "子涵", "浩然",
];
/// Home counties of the sample applicants (address codes of their ID numbers).
const HOMES: [&str; 6] = ["411329", "411302", "410105", "411303", "411381", "411323"];

/// A Chinese name; the same `i` always gives the same name, and names vary enough that a
/// million of them spread over thousands of distinct values.
pub fn sample_name(i: usize) -> String {
    let surname = SURNAMES[i % SURNAMES.len()];
    let given = GIVEN[(i * 7 + i / SURNAMES.len()) % GIVEN.len()];
    let extra = (i / (SURNAMES.len() * GIVEN.len())) % 8;
    let second = ["", "", "文", "子", "志", "欣", "晓", "雨"][extra];
    format!("{surname}{second}{given}")
}

/// A valid 居民身份证号码 for sample applicant `i`.
pub fn sample_id_number(i: usize) -> String {
    let home = HOMES[i % HOMES.len()];
    let year = 1950 + (i * 7) % 55;
    let month = 1 + (i * 5) % 12;
    let day = 1 + (i * 11) % 28;
    let seq = (i * 13) % 1000;
    let first17 = format!("{home}{year:04}{month:02}{day:02}{seq:03}");
    let check = validate::resident_id_check_digit(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn material(name: &str, form: MaterialForm, standard: &str, received: bool) -> Material {
    Material {
        name: name.into(),
        form,
        copies: 1,
        originals: 1,
        choice: String::new(),
        deferral: None,
        required: true,
        standard: standard.into(),
        received,
        original_verified: received && form == MaterialForm::Original,
        scans: vec![],
        note: String::new(),
        condition: String::new(),
        items: vec![],
        e_license: None,
    }
}

/// A sample intake: one of five real 跨省通办 items, a person or (every seventh) an enterprise,
/// every fifth through a 帮办代办 helper, every eighth missing a material.
pub fn sample_form(i: usize) -> IntakeForm {
    let missing = i % 8 == 5;
    let (item, handling_region, materials) = match i % 5 {
        0 => (
            ItemRef {
                code: "110106-SB-0001".into(),
                name: "企业职工基本养老保险关系转移接续申请".into(),
                department: "北京市丰台区社会保险事业管理中心".into(),
                promised_days: 15,
                promised_unit: Default::default(),
                kind: Some(ItemKind::PublicService),
                basis: "《中华人民共和国社会保险法》第十九条".into(),
                catalog_version: None,
            },
            "110106",
            vec![
                material("居民身份证", MaterialForm::Original, "在有效期内，正反面清晰", true),
                material("基本养老保险参保缴费凭证", MaterialForm::Original, "加盖转出地社保经办机构业务章", !missing),
            ],
        ),
        1 => (
            ItemRef {
                code: "110106-YB-0003".into(),
                name: "异地长期居住人员备案".into(),
                department: "北京市丰台区医疗保障局".into(),
                promised_days: 5,
                promised_unit: Default::default(),
                kind: Some(ItemKind::PublicService),
                basis: "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）".into(),
                catalog_version: None,
            },
            "110106",
            vec![
                material("居民身份证", MaterialForm::Original, "在有效期内", true),
                material("异地就医备案登记表", MaterialForm::Original, "本人签字", !missing),
            ],
        ),
        2 => (
            ItemRef {
                code: "110106-GJJ-0002".into(),
                name: "住房公积金异地转移接续".into(),
                department: "北京住房公积金管理中心丰台管理部".into(),
                promised_days: 10,
                promised_unit: Default::default(),
                kind: Some(ItemKind::PublicService),
                basis: "《住房公积金管理条例》".into(),
                catalog_version: None,
            },
            "110106",
            vec![
                material("居民身份证", MaterialForm::Original, "在有效期内", true),
                material("住房公积金异地转移接续申请表", MaterialForm::Original, "信息完整、本人签字", !missing),
                material("新就业地劳动合同", MaterialForm::Copy, "加盖单位公章", true),
            ],
        ),
        3 => (
            ItemRef {
                code: "330802-HJ-0011".into(),
                name: "户口迁入（投靠）".into(),
                department: "衢州市公安局柯城分局".into(),
                promised_days: 20,
                promised_unit: Default::default(),
                kind: Some(ItemKind::License),
                basis: "《中华人民共和国户口登记条例》第十三条".into(),
                catalog_version: None,
            },
            "330802",
            vec![
                material("居民户口簿", MaterialForm::Original, "迁出地户口簿首页及本人页", true),
                material("亲属关系证明", MaterialForm::Copy, "结婚证或出生医学证明", !missing),
            ],
        ),
        _ => (
            ItemRef {
                code: "320102-SC-0007".into(),
                name: "营业执照变更登记".into(),
                department: "南京市玄武区市场监督管理局".into(),
                promised_days: 3,
                promised_unit: Default::default(),
                kind: Some(ItemKind::License),
                basis: "《中华人民共和国市场主体登记管理条例》第二十四条".into(),
                catalog_version: None,
            },
            "320102",
            vec![
                material("变更登记申请书", MaterialForm::Original, "法定代表人签字", true),
                material("营业执照正副本", MaterialForm::Original, "原件交回", !missing),
            ],
        ),
    };
    let name = sample_name(i);
    let phone = format!("1{}{:09}", 3 + i % 7, (i * 7919) % 1_000_000_000);
    // Who applies fits the item: a person for 户口迁入 and 异地就医备案, a company for 营业执照变更,
    // either for the rest (a company every seventh case).
    let enterprise = match i % 5 {
        1 | 3 => false,
        4 => true,
        _ => i % 7 == 6,
    };
    let applicant = if enterprise {
        Applicant::Enterprise(Enterprise {
            name: format!("新野县{}纺织有限公司", ["华丰", "宏达", "瑞祥", "鑫源"][i % 4]),
            credit_code: sample_credit_code(i),
            legal_representative: name.clone(),
            contact_name: name.clone(),
            contact_phone: phone.clone(),
            address: "河南省南阳市新野县产业集聚区".into(),
        })
    } else {
        Applicant::Person(Person {
            name,
            id_kind: IdKind::ResidentId,
            id_number: sample_id_number(i),
            phone: phone.clone(),
            address: format!("河南省南阳市新野县汉华街道{}号", 1 + i % 300),
        })
    };
    let agent = (i % 5 == 2).then(|| Agent {
        role: AgentRole::Helper,
        name: "刘晓燕".into(),
        id_kind: IdKind::ResidentId,
        id_number: sample_id_number(i + 100_003),
        phone: "13937712345".into(),
    });
    IntakeForm {
        item,
        handling_region: handling_region.into(),
        applicant,
        agent,
        materials,
        transfer: Transfer {
            network: true,
            mail: i.is_multiple_of(3),
            waybill: i.is_multiple_of(3).then(|| format!("1179{:09}", i)),
        },
        delivery: if i.is_multiple_of(4) {
            ResultDelivery::Mail {
                recipient: sample_name(i), phone, address: "河南省南阳市新野县书院路18号".into()
            }
        } else {
            ResultDelivery::AtWindow
        },
        note: String::new(),
        bundle_items: vec![],
    }
}

/// A valid 统一社会信用代码 for sample enterprise `i`.
pub fn sample_credit_code(i: usize) -> String {
    let first17 = format!("91{DEMO_REGION}MA{:07}", 4_000_000 + (i * 37) % 6_000_000);
    let check = validate::uscc_check_char(&first17).expect("17 characters of the alphabet");
    format!("{first17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_numbers_are_valid() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        for i in 0..500 {
            validate::resident_id(&sample_id_number(i), today).unwrap();
            validate::uscc(&sample_credit_code(i)).unwrap();
            sample_form(i).validated(today).unwrap();
        }
    }

    #[test]
    fn seeding_twice_adds_cases_to_the_same_desk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let first = seed(&path, 12).unwrap();
        let second = seed(&path, 3).unwrap();
        assert_eq!(first.len() + second.len(), 15);
        let store = open(&path).unwrap();
        assert_eq!(store.case_count().unwrap(), 15);
    }
}
