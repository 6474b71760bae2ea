//! Catalogs as the regions live them, with real processes: 丰台区's admin imports its 事项清单 and
//! publishes it to its hub; 新野县's window syncs it, takes cases in against it, and when 丰台区
//! changes a material, the next intake asks for the new one while earlier cases keep their list.

mod common;

use std::path::Path;

use common::{init_desk, ok, partner_add, stderr, stdout, tongban, HELPER_DESK};
use serde_json::json;
use tongban_core::case::MaterialForm;
use tongban_core::catalog::{Catalog, CatalogItem, CatalogMaterial, DeliveryOption, HandlingMode};
use tongban_tests::hub::{hub_admin, hub_database, HubProcess, FENGTAI, XINYE};
use tongban_tests::{free_port, pdf_text_without_whitespace};

const TRANSFER_ITEM: &str = "000122033000-TX-01";

fn material(name: &str, form: MaterialForm, standard: &str) -> CatalogMaterial {
    CatalogMaterial {
        name: name.into(),
        form,
        copies: 1,
        condition: String::new(),
        standard: standard.into(),
        e_license: None,
        ..Default::default()
    }
}

/// 丰台区's catalog, version 2026-10: one item, pension transfer.
fn fengtai_catalog() -> Catalog {
    Catalog {
        region: FENGTAI.into(),
        version: "2026-10".into(),
        note: String::new(),
        items: vec![CatalogItem {
            code: TRANSFER_ITEM.into(),
            implementation_code: "11110106MB0000000X000122033000".into(),
            name: "企业职工基本养老保险关系转移接续申请".into(),
            domain: "社保".into(),
            department: "北京市丰台区社会保险事业管理中心".into(),
            mode: HandlingMode::ProxyReceipt,
            legal_days: Some(45),
            promised_days: 15,
            fee: tongban_core::guide::Fee::Free,
            delivery: vec![DeliveryOption::AtWindow, DeliveryOption::Mail],
            materials: vec![
                material("居民身份证", MaterialForm::Original, "在有效期内"),
                CatalogMaterial {
                    condition: "委托他人办理的".into(),
                    ..material("授权委托书", MaterialForm::Original, "委托人签名")
                },
            ],
            ..Default::default()
        }],
        bundles: vec![],
        contacts: vec![tongban_core::catalog::Contact {
            item: Some(TRANSFER_ITEM.into()),
            name: "赵敏".into(),
            unit: "丰台区社保中心转移科".into(),
            phone: "010-63801234".into(),
            hours: "工作日 9:00-17:00".into(),
        }],
    }
}

fn write_json(path: &Path, value: &impl serde::Serialize) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// An intake of the transfer item for `name`, with only the ID card brought.
fn draft(dir: &Path, name: &str, id_number: &str) -> String {
    let file = dir.join(format!("{name}.json"));
    write_json(
        &file,
        &json!({
            "partner": FENGTAI,
            "item": TRANSFER_ITEM,
            "applicant": { "kind": "person", "name": name, "id_kind": "resident_id",
                           "id_number": id_number, "phone": "13937700001" },
            "materials": [ { "name": "居民身份证", "received": true, "original_verified": true } ],
            "transfer": { "network": true, "mail": false },
            "delivery": { "kind": "at_window" }
        }),
    );
    file.to_str().unwrap().to_string()
}

fn materials_of(db: &Path, number: &str) -> Vec<String> {
    let shown = ok(tongban(db, &["case", "show", number]));
    let list = shown.split("材料：\n").nth(1).unwrap().split("事件：").next().unwrap();
    list.lines().map(|l| l.trim().to_string()).collect()
}

#[test]
fn a_changed_material_reaches_the_next_intake_and_earlier_cases_keep_their_list() {
    let dir = tempfile::tempdir().unwrap();
    let (hub_db, partner_token, _) = hub_database(dir.path(), HELPER_DESK, "A1");
    let admin_token = hub_admin(&[
        "credential",
        "issue",
        "--db",
        hub_db.to_str().unwrap(),
        "--role",
        "admin",
        "--desk",
        "丰台区政数局",
    ]);
    let port = free_port();
    let _hub = HubProcess::start(&hub_db, port);

    // 丰台区's admin desk: import version 2026-10 and publish it.
    let fengtai = dir.path().join("fengtai.db");
    init_desk(&fengtai, FENGTAI, "S1", "admin");
    let v1 = dir.path().join("v1.json");
    write_json(&v1, &fengtai_catalog());
    let imported = ok(tongban(&fengtai, &["catalog", "import", v1.to_str().unwrap()]));
    assert!(imported.contains("已导入北京市丰台区（110106）事项清单 版本 2026-10：事项 1 个"), "{imported}");
    let url = format!("http://127.0.0.1:{port}");
    let published = ok(tongban(&fengtai, &["catalog", "publish", "--hub", &url, "--credential", &admin_token]));
    assert!(published.contains("版本 2026-10"), "{published}");

    // 新野县's window syncs and sees it, liaison included.
    let xinye = dir.path().join("xinye.db");
    init_desk(&xinye, XINYE, "A1", "clerk");
    partner_add(&xinye, FENGTAI, "北京市丰台区", port, &partner_token);
    assert_eq!(
        ok(tongban(&xinye, &["sync", "--once"])),
        "北京市丰台区（110106）：事项清单更新为版本 2026-10（tongban catalog changes 查看变更）"
    );
    assert_eq!(ok(tongban(&xinye, &["sync", "--once"])), "北京市丰台区（110106）：已是最新", "304: nothing new");
    let item = ok(tongban(&xinye, &["catalog", "show", FENGTAI, TRANSFER_ITEM]));
    assert!(item.contains("1. 居民身份证（原件，1份）"), "{item}");
    assert!(item.contains("2. 授权委托书（原件，1份）　条件：委托他人办理的"), "{item}");
    assert!(item.contains("联络人（本事项）：赵敏 丰台区社保中心转移科 010-63801234 工作日 9:00-17:00"), "{item}");

    // A case under 2026-10: complete with the ID card alone (the proxy letter does not apply).
    let first = ok(tongban(&xinye, &["case", "new", "--json", &draft(dir.path(), "王建国", "11010519491231002X")]));
    let shown = ok(tongban(&xinye, &["case", "show", &first]));
    assert!(shown.contains("状态：已收件"), "{shown}");
    assert!(shown.contains(&format!("（{TRANSFER_ITEM}），事项清单版本 2026-10")), "{shown}");
    let first_list = materials_of(&xinye, &first);
    assert_eq!(first_list.len(), 2, "{first_list:?}");

    // 丰台区 adds a material and publishes 2026-11.
    let mut changed = fengtai_catalog();
    changed.version = "2026-11".into();
    changed.items[0].materials.push(material("参保缴费凭证", MaterialForm::Copy, "加盖社保经办机构业务章"));
    let v2 = dir.path().join("v2.json");
    write_json(&v2, &changed);
    let imported = ok(tongban(&fengtai, &["catalog", "import", v2.to_str().unwrap()]));
    assert!(
        imported.contains("与原版本 2026-10 相比：\n  变更事项：企业职工基本养老保险关系转移接续申请"),
        "{imported}"
    );
    assert!(imported.contains("新增材料「参保缴费凭证」"), "{imported}");
    ok(tongban(&fengtai, &["catalog", "publish", "--hub", &url, "--credential", &admin_token]));

    // 新野县 syncs: told what changed.
    assert!(ok(tongban(&xinye, &["sync", "--once"])).contains("事项清单更新为版本 2026-11"));
    let changes = ok(tongban(&xinye, &["catalog", "changes", "--unread", "--ack"]));
    assert!(changes.contains("北京市丰台区（110106）事项清单 2026-10 → 2026-11　［未读］"), "{changes}");
    assert!(
        changes
            .contains("变更事项：企业职工基本养老保险关系转移接续申请（000122033000-TX-01）：新增材料「参保缴费凭证」"),
        "{changes}"
    );
    assert!(changes.contains("已标记 2 条为已读"), "{changes}");
    assert_eq!(ok(tongban(&xinye, &["catalog", "changes", "--unread"])), "没有变更记录");

    // The next intake asks for the new material: without it, the case waits for it.
    let second = ok(tongban(&xinye, &["case", "new", "--json", &draft(dir.path(), "李秀英", "110105195607120048")]));
    let shown = ok(tongban(&xinye, &["case", "show", &second]));
    assert!(shown.contains("状态：待补正"), "{shown}");
    assert!(shown.contains("事项清单版本 2026-11"), "{shown}");
    assert!(shown.contains("3. 参保缴费凭证（复印件，1份）缺"), "{shown}");
    let notice = dir.path().join("notice.pdf");
    ok(tongban(&xinye, &["print", "notice", &second, "--out", notice.to_str().unwrap()]));
    let text = pdf_text_without_whitespace(&notice);
    assert!(text.contains("参保缴费凭证") && text.contains("加盖社保经办机构业务章"), "{text}");

    // The earlier case keeps the list it was taken in under.
    assert_eq!(materials_of(&xinye, &first), first_list);
    assert!(ok(tongban(&xinye, &["case", "show", &first])).contains("事项清单版本 2026-10"));
}

#[test]
fn a_broken_catalog_file_is_refused_whole_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    init_desk(&db, XINYE, "A1", "admin");
    let good = dir.path().join("good.json");
    write_json(&good, &fengtai_catalog());
    ok(tongban(&db, &["catalog", "import", good.to_str().unwrap()]));
    let before = ok(tongban(&db, &["catalog", "list", "--json"]));

    let mut broken = fengtai_catalog();
    broken.version = "2026-11".into();
    broken.items.push(CatalogItem { name: "同一编码的另一个事项".into(), ..broken.items[0].clone() });
    broken.items[0].promised_days = 60;
    let file = dir.path().join("broken.json");
    write_json(&file, &broken);
    let refused = tongban(&db, &["catalog", "import", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(message.contains("承诺时限（60个工作日）超过法定时限（45个工作日）"), "{message}");
    assert!(message.contains(&format!("事项编码「{TRANSFER_ITEM}」与第1个事项重复")), "{message}");
    assert_eq!(ok(tongban(&db, &["catalog", "list", "--json"])), before, "nothing imported");

    // The same version with other content is a conflict, not an overwrite.
    let mut altered = fengtai_catalog();
    altered.items[0].promised_days = 10;
    write_json(&file, &altered);
    let conflict = tongban(&db, &["catalog", "import", file.to_str().unwrap()]);
    assert!(!conflict.status.success());
    assert!(stderr(&conflict).contains("版本「2026-10」已存在且内容不同"), "{}", stderr(&conflict));
    assert!(stdout(&conflict).is_empty());
    assert_eq!(ok(tongban(&db, &["catalog", "list", "--json"])), before);
}

/// The shipped sample, as a partner office would send it.
fn sample_xlsx() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tongban-catalog/sample/fengtai-110106.xlsx")
}

#[test]
fn a_bundle_of_three_items_is_one_case_with_one_receipt_and_one_notice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    init_desk(&db, XINYE, "A1", "clerk");
    let imported = ok(common::tongban_admin(&db, &["catalog", "import", sample_xlsx().to_str().unwrap()]));
    assert!(
        imported.contains("已导入北京市丰台区（110106）事项清单 版本 2026-11：事项 28 个，一件事 2 个"),
        "{imported}"
    );

    // 退休一件事: pension, medical insurance and housing fund, asked for in one list.
    let shown = ok(tongban(&db, &["catalog", "show", FENGTAI, "110106-YJS-001"]));
    assert!(shown.contains("一件事：退休一件事（110106-YJS-001）"), "{shown}");
    assert_eq!(shown.matches("社会保障卡（").count(), 1, "shared by all three items, asked once: {shown}");
    let file = dir.path().join("retire.json");
    write_json(
        &file,
        &json!({
            "partner": FENGTAI,
            "item": "110106-YJS-001",
            "applicant": { "kind": "person", "name": "周桂兰", "id_kind": "resident_id",
                           "id_number": "110105195607120056", "phone": "13937700002" },
            "materials": [
                { "name": "居民身份证", "e_license": { "kind": "", "number": "110105195607120056", "issuer": "北京市公安局丰台分局" } },
                { "name": "社会保障卡", "received": true, "original_verified": true },
                { "name": "职工档案", "applies": false }
            ],
            "transfer": { "network": true, "mail": true },
            "delivery": { "kind": "at_window" }
        }),
    );
    let number = ok(tongban(&db, &["case", "new", "--json", file.to_str().unwrap()]));
    let case = ok(tongban(&db, &["case", "show", &number]));
    assert!(case.contains("状态：待补正") && case.contains("一件事：退休一件事（110106-YJS-001）"), "{case}");
    assert!(case.contains("3. 离退休提取住房公积金（110106-GJJ-004）北京住房公积金管理中心丰台管理部"), "{case}");
    assert!(case.contains("电子证照 居民身份证 110105195607120056（北京市公安局丰台分局）"), "{case}");

    let receipt = dir.path().join("receipt.pdf");
    ok(tongban(&db, &["print", "receipt", &number, "--out", receipt.to_str().unwrap()]));
    let text = pdf_text_without_whitespace(&receipt);
    for item in ["企业职工基本养老保险待遇申领", "基本医疗保险参保信息变更", "离退休提取住房公积金", "丰台区医疗保障局"]
    {
        assert_eq!(text.matches(item).count(), 2, "{item} once on each copy: {text}");
    }
    assert_eq!(text.matches("社会保障卡").count(), 2, "one row per copy: {text}");
    assert!(text.contains("所属事项") && text.contains("电子证照"), "{text}");

    let notice = dir.path().join("notice.pdf");
    ok(tongban(&db, &["print", "notice", &number, "--out", notice.to_str().unwrap()]));
    let text = pdf_text_without_whitespace(&notice);
    for missing in ["基本养老金申领表", "参保人员信息变更表", "离退休证明"] {
        // Once on each of the two copies (存档联, 申请人联).
        assert_eq!(text.matches(missing).count(), 2, "{missing} listed once a copy: {text}");
    }
    assert!(text.contains("退休一件事"), "{text}");
    for received in ["社会保障卡", "职工档案", "提前退休审批表"] {
        assert!(!text.contains(received), "{received} is not missing: {text}");
    }
}
