//! Sample data for the demo desk, the tests and the benchmarks: Chinese names and valid ID
//! numbers, intake forms of five real 跨省通办 items, 丰台区's sample 事项清单 and the demo desk's
//! names. Pure: core types in, nothing stored; `tongban_desk::demo` writes them to a desk.
//!
//! The same `i` always gives the same sample, so a test can name what it expects.

use tongban_core::applicant::{Agent, AgentRole, Applicant, Enterprise, IdKind, Person};
use tongban_core::case::{Author, EventBody, IntakeForm, ItemRef, Material, MaterialForm, ResultDelivery, Transfer};
use tongban_core::catalog::{CatalogIntake, Provided};
use tongban_core::guide::ItemKind;
use tongban_core::validate;

/// The demo desk's region: 新野县.
pub const DEMO_REGION: &str = "411329";
/// The demo desk's first user, its clerk.
pub const DEMO_CLERK: &str = "zhangmin";
/// The clerk's display name.
pub const DEMO_CLERK_NAME: &str = "张敏";
/// The demo desk's users all have this password; the login screen shows it on the demo desk only.
pub const DEMO_PASSWORD: &str = "tongban2026";
/// The demo desk's hall, window and desk code, as printed.
pub const DEMO_HALL: &str = "新野县政务服务中心";
pub const DEMO_WINDOW: &str = "跨省通办专窗";
pub const DEMO_DESK_CODE: &str = "A1";
/// The hall's address and phone the demo desk prints (settings keys and values).
pub const DEMO_HALL_TEXTS: [(&str, &str); 2] =
    [("hall.address", "新野县行政服务中心一楼跨省通办专窗"), ("hall.phone", "0377-66012345")];

/// The demo desk's users besides its clerk: one for each other role the window shows.
pub const DEMO_USERS: [(&str, &str, &str); 3] =
    [("liqiang", "李强", "supervisor"), ("wangfang", "王芳", "admin"), ("chenjing", "陈静", "helper")];

/// 丰台区's sample 事项清单 (the JSON the shipped `fengtai-110106.xlsx` of `tongban-catalog` is
/// made from, by its `make-sample` example).
pub const SAMPLE_CATALOG: &str = include_str!("../sample/fengtai-110106.json");

/// The partner's clerk at 丰台区 who decides the demo's cases, as the desk would receive them.
pub fn demo_partner() -> Author {
    Author {
        user: "fengtai-shebao".into(),
        desk: "demo-partner-desk".into(),
        region: "110106".into(),
        name: "赵敏".into(),
    }
}

/// What the partner decided on sample case `i` (nothing for most), in order: so the demo's
/// queue shows every kind of status.
pub fn partner_history(i: usize) -> Vec<EventBody> {
    match i % 6 {
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
    }
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
                decided_by: String::new(),
                fee: None,
                fee_basis: String::new(),
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
                decided_by: String::new(),
                fee: None,
                fee_basis: String::new(),
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
                decided_by: String::new(),
                fee: None,
                fee_basis: String::new(),
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
                decided_by: String::new(),
                fee: None,
                fee_basis: String::new(),
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
                decided_by: String::new(),
                fee: None,
                fee_basis: String::new(),
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

/// The applicant of the window's stories: 周桂兰, a person with a valid 居民身份证 and a phone,
/// no address.
pub fn zhou_guilan() -> Applicant {
    Applicant::Person(Person {
        name: "周桂兰".into(),
        id_kind: IdKind::ResidentId,
        id_number: "110105195607120056".into(),
        phone: "13937700002".into(),
        address: String::new(),
    })
}

/// An intake as the window drafts it against `partner`'s catalog: `applicant` for `item` with
/// `materials`, no agent, sent over the network, the result collected at the window, no note.
pub fn catalog_draft(partner: &str, item: &str, applicant: Applicant, materials: Vec<Provided>) -> CatalogIntake {
    CatalogIntake {
        partner: partner.into(),
        item: item.into(),
        applicant,
        agent: None,
        materials,
        transfer: Transfer { network: true, mail: false, waybill: None },
        delivery: ResultDelivery::AtWindow,
        note: String::new(),
    }
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
    fn the_sample_catalog_is_a_catalog_of_fengtai() {
        let catalog: tongban_core::catalog::Catalog = serde_json::from_str(SAMPLE_CATALOG).unwrap();
        assert_eq!(catalog.region, "110106");
        assert!(catalog.problems().is_empty(), "{:?}", catalog.problems());
    }
}
