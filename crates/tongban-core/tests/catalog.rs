//! The catalog model: its checks, a bundle's merged materials, intakes built from it, and what
//! changed between two versions.

use tongban_core::applicant::{Applicant, IdKind, Person};
use tongban_core::case::{ELicense, MaterialForm, ResultDelivery, Transfer};
use tongban_core::catalog::*;

fn material(name: &str, form: MaterialForm, copies: u32) -> CatalogMaterial {
    CatalogMaterial {
        name: name.into(),
        form,
        copies,
        condition: String::new(),
        standard: String::new(),
        e_license: None,
        ..Default::default()
    }
}

fn item(code: &str, name: &str, department: &str, materials: Vec<CatalogMaterial>) -> CatalogItem {
    CatalogItem {
        code: code.into(),
        implementation_code: String::new(),
        name: name.into(),
        domain: "社保".into(),
        department: department.into(),
        mode: HandlingMode::ProxyReceipt,
        legal_days: Some(20),
        promised_days: 10,
        fee: tongban_core::guide::Fee::Free,
        delivery: vec![DeliveryOption::AtWindow],
        materials,
        ..Default::default()
    }
}

/// 丰台区: three retirement items sharing the ID card and the household register, and a bundle.
fn catalog() -> Catalog {
    let id_card = || CatalogMaterial {
        standard: "在有效期内".into(),
        e_license: Some("居民身份证".into()),
        ..material("居民身份证", MaterialForm::Original, 1)
    };
    Catalog {
        region: "110106".into(),
        version: "2026-11".into(),
        note: String::new(),
        items: vec![
            item(
                "R1",
                "职工正常退休申请",
                "丰台区人力资源和社会保障局",
                vec![
                    id_card(),
                    material("居民户口簿", MaterialForm::Copy, 1),
                    CatalogMaterial {
                        condition: "委托他人办理的".into(),
                        ..material("授权委托书", MaterialForm::Original, 1)
                    },
                ],
            ),
            item(
                "R2",
                "基本养老金申领",
                "丰台区社会保险事业管理中心",
                vec![
                    CatalogMaterial { standard: "本人签字".into(), ..id_card() },
                    material("居民户口簿", MaterialForm::Original, 2),
                    material("社会保障卡", MaterialForm::Copy, 1),
                ],
            ),
            item(
                "R3",
                "退休人员医保待遇核定",
                "丰台区医疗保障局",
                vec![
                    material("居民户口簿", MaterialForm::Electronic, 1),
                    material("医保登记表", MaterialForm::Original, 1),
                ],
            ),
        ],
        bundles: vec![Bundle {
            code: "B-RETIRE".into(),
            name: "退休一件事".into(),
            lead_department: "丰台区人力资源和社会保障局".into(),
            promised_days: 15,
            items: vec!["R1".into(), "R2".into(), "R3".into()],
        }],
        contacts: vec![
            Contact {
                item: None,
                name: "周红".into(),
                unit: "丰台区政务服务中心".into(),
                phone: "010-63800000".into(),
                hours: String::new(),
            },
            Contact {
                item: Some("R2".into()),
                name: "赵敏".into(),
                unit: String::new(),
                phone: "13911112222".into(),
                hours: String::new(),
            },
        ],
    }
}

fn draft(item: &str, materials: Vec<Provided>) -> CatalogIntake {
    CatalogIntake {
        partner: "110106".into(),
        item: item.into(),
        applicant: Applicant::Person(Person {
            name: "王建国".into(),
            id_kind: IdKind::ResidentId,
            id_number: "11010519491231002X".into(),
            phone: "13800138000".into(),
            address: String::new(),
        }),
        agent: None,
        materials,
        transfer: Transfer { network: true, mail: false, waybill: None },
        delivery: ResultDelivery::AtWindow,
        note: String::new(),
    }
}

fn provided(name: &str) -> Provided {
    Provided { name: name.into(), ..Provided::default() }
}

fn brought(name: &str) -> Provided {
    Provided { received: true, ..provided(name) }
}

#[test]
fn a_sound_catalog_has_no_problems_and_each_problem_is_placed() {
    assert_eq!(catalog().problems(), vec![]);
    let mut bad = catalog();
    bad.region = "999999".into();
    bad.items.push(bad.items[0].clone());
    bad.items[2].promised_days = 25;
    bad.items[2].materials[1].copies = 0;
    bad.bundles[0].items[2] = "R9".into();
    bad.contacts[1].phone = "12345".into();
    let problems = bad.problems();
    let placed: Vec<(Locus, &str)> = problems.iter().map(|p| (p.locus, p.field)).collect();
    assert_eq!(
        placed,
        vec![
            (Locus::Catalog, "region"),
            (Locus::Item { item: 2 }, "promised_days"),
            (Locus::Material { item: 2, material: 1 }, "copies"),
            (Locus::Item { item: 3 }, "code"),
            (Locus::Bundle { bundle: 0 }, "items"),
            (Locus::Contact { contact: 1 }, "phone"),
        ]
    );
    assert_eq!(problems[1].message, "承诺时限（25个工作日）超过法定时限（20个工作日）");
    assert_eq!(problems[3].message, "事项编码「R1」与第1个事项重复");
    assert_eq!(problems[4].message, "事项编码「R9」不在本目录中");
}

#[test]
fn a_bundle_asks_each_shared_material_once_in_its_strictest_form() {
    let offer = catalog().offer("B-RETIRE").unwrap();
    assert_eq!(offer.item.name, "退休一件事");
    assert_eq!(offer.item.department, "丰台区人力资源和社会保障局");
    assert_eq!(offer.item.catalog_version.as_deref(), Some("2026-11"));
    let departments: Vec<&str> = offer.bundle_items.iter().map(|i| i.department.as_str()).collect();
    assert_eq!(departments, ["丰台区人力资源和社会保障局", "丰台区社会保险事业管理中心", "丰台区医疗保障局"]);
    let names: Vec<&str> = offer.materials.iter().map(|m| m.material.name.as_str()).collect();
    assert_eq!(names, ["居民身份证", "居民户口簿", "授权委托书", "社会保障卡", "医保登记表"]);
    let register = &offer.materials[1];
    assert_eq!((register.material.form, register.material.copies), (MaterialForm::Original, 2));
    assert_eq!(register.items, ["R1", "R2", "R3"]);
    let id_card = &offer.materials[0].material;
    assert_eq!(id_card.standard, "在有效期内；本人签字");
    assert_eq!(id_card.e_license.as_deref(), Some("居民身份证"), "both items accept the same certificate");
    assert_eq!(offer.materials[2].material.condition, "委托他人办理的");
    assert!(catalog().offer("R9").is_none());
}

#[test]
fn an_intake_takes_the_catalogs_materials_and_what_the_clerk_found() {
    let c = catalog();
    let license =
        ELicense { kind: String::new(), number: "110105194912310029".into(), issuer: "北京市公安局".into() };
    let form = c
        .intake_form(&draft(
            "B-RETIRE",
            vec![
                Provided { e_license: Some(license), ..provided("居民身份证") },
                brought("社会保障卡"),
                Provided { applies: Some(false), ..provided("授权委托书") },
            ],
        ))
        .unwrap();
    assert_eq!(form.handling_region, "110106");
    assert_eq!(form.bundle_items.len(), 3);
    let id_card = &form.materials[0];
    assert!(id_card.received, "a cited certificate is the material");
    assert_eq!(id_card.e_license.as_ref().unwrap().kind, "居民身份证", "the type comes from the catalog");
    let proxy = &form.materials[2];
    assert!(!proxy.required && !proxy.received, "the condition did not apply");
    let missing: Vec<&str> = form.missing_materials().map(|m| m.name.as_str()).collect();
    assert_eq!(missing, ["居民户口簿", "医保登记表"]);
    assert!(form.validated(chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()).is_ok());
}

#[test]
fn an_intake_that_does_not_fit_the_catalog_says_where() {
    let c = catalog();
    let err = |d: CatalogIntake| c.intake_form(&d).unwrap_err();
    let e = err(draft("R7", vec![]));
    assert_eq!((e.field.as_str(), e.message.as_str()), ("item", "「R7」不在北京市丰台区的事项清单（版本 2026-11）中"));
    let e = err(draft("R1", vec![brought("结婚证")]));
    assert_eq!(
        (e.field.as_str(), e.message.as_str()),
        ("materials[0].name", "「结婚证」不是「职工正常退休申请」的申请材料")
    );
    let e = err(draft("R1", vec![brought("居民户口簿"), brought("居民户口簿")]));
    assert_eq!(e.message, "材料「居民户口簿」填写了两次");
    let e = err(draft("R1", vec![Provided { applies: Some(false), ..provided("居民身份证") }]));
    assert_eq!(e.message, "材料「居民身份证」为必需材料，不能标为不适用");
    let cited = ELicense { kind: "营业执照".into(), number: "1".into(), issuer: "x".into() };
    let e = err(draft("R1", vec![Provided { e_license: Some(cited.clone()), ..provided("居民身份证") }]));
    assert_eq!(e.message, "材料「居民身份证」可用的电子证照为「居民身份证」，不是「营业执照」");
    let e = err(draft("R1", vec![Provided { e_license: Some(cited), ..provided("居民户口簿") }]));
    assert_eq!(e.message, "材料「居民户口簿」不能以电子证照代替");
    let mut mailed = draft("R1", vec![]);
    mailed.delivery =
        ResultDelivery::Mail {
            recipient: "王建国".into(), phone: "13800138000".into(), address: "新野县".into()
        };
    assert_eq!(err(mailed).message, "事项「职工正常退休申请」不提供邮寄送达（办事指南所列：窗口领取）");
    // 网上获取 and 无需送达, as guides say, only for an item that offers them.
    for (way, label) in [(ResultDelivery::Online, "网上获取"), (ResultDelivery::NotNeeded, "无需送达")] {
        let mut chosen = draft("R1", vec![]);
        chosen.delivery = way.clone();
        assert!(err(chosen).message.starts_with(&format!("事项「职工正常退休申请」不提供{label}")));
        let mut offering = catalog();
        offering.items[0].delivery.push(way.option());
        let mut chosen = draft("R1", vec![brought("居民身份证"), brought("居民户口簿")]);
        chosen.delivery = way.clone();
        let form = offering.intake_form(&chosen).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(form.delivery, way);
        let json = serde_json::to_string(&form.delivery).unwrap();
        assert_eq!(serde_json::from_str::<ResultDelivery>(&json).unwrap(), way, "{json}");
    }
    let mut elsewhere = draft("R1", vec![]);
    elsewhere.partner = "110105".into();
    assert_eq!(err(elsewhere).field, "partner");
}

#[test]
fn the_changes_between_versions_read_as_sentences() {
    let old = catalog();
    let mut new = catalog();
    new.version = "2026-12".into();
    new.items[0].materials.push(material("结婚证", MaterialForm::Copy, 1));
    new.items[0].materials[1].copies = 2;
    new.items[1].promised_days = 8;
    new.items.remove(2);
    new.items.push(item(
        "R4",
        "养老保险待遇资格认证",
        "丰台区社会保险事业管理中心",
        vec![material("居民身份证", MaterialForm::Original, 1)],
    ));
    new.bundles[0].items = vec!["R1".into(), "R2".into()];
    let changes = changes(&old, &new);
    assert_eq!(
        changes.lines(),
        [
            "新增事项：养老保险待遇资格认证（R4）",
            "取消事项：退休人员医保待遇核定（R3）",
            "变更事项：职工正常退休申请（R1）：材料「居民户口簿」：份数 1 → 2",
            "变更事项：职工正常退休申请（R1）：新增材料「结婚证」",
            "变更事项：基本养老金申领（R2）：承诺时限：10个工作日 → 8个工作日",
            "变更一件事：退休一件事（B-RETIRE）",
        ]
    );
    assert!(tongban_core::catalog::changes(&old, &old).is_empty());
}

#[test]
fn an_intake_made_from_the_catalog_passes_its_check_and_each_change_is_named() {
    let catalog = catalog();
    for code in ["R1", "B-RETIRE"] {
        let mut with_license = brought("居民身份证");
        with_license.e_license =
            Some(ELicense { kind: String::new(), number: "X1".into(), issuer: "公安局".into() });
        let form = catalog.intake_form(&draft(code, vec![with_license, provided("居民户口簿")])).unwrap();
        assert_eq!(catalog.check_intake(&form), Ok(()), "{code}");
    }
    let form = catalog.intake_form(&draft("R1", vec![brought("居民身份证")])).unwrap();
    let field_of = |change: &dyn Fn(&mut tongban_core::case::IntakeForm)| {
        let mut changed = form.clone();
        change(&mut changed);
        catalog.check_intake(&changed).unwrap_err()
    };
    type Change<'a> = &'a dyn Fn(&mut tongban_core::case::IntakeForm);
    let cases: [(Change, &str); 13] = [
        (&|f| f.item.catalog_version = Some("2026-10".into()), "item.catalog_version"),
        (&|f| f.item.decided_by = "别的机关".into(), "item.decided_by"),
        (&|f| f.item.fee = tongban_core::guide::parse_fee("工本费20元").ok(), "item.fee"),
        (&|f| f.item.fee_basis = "某号文件".into(), "item.fee"),
        (&|f| f.item.catalog_version = None, "item.catalog_version"),
        (&|f| f.item.code = "R9".into(), "item.code"),
        (&|f| f.item.department = "别的部门".into(), "item.department"),
        (&|f| f.materials[1].form = MaterialForm::Original, "materials[1].form"),
        (&|f| f.materials[1].copies = 3, "materials[1].copies"),
        (&|f| f.materials[0].required = false, "materials[0].required"),
        (&|f| f.materials.truncate(2), "materials"),
        (
            &|f| {
                f.materials[1].e_license =
                    Some(ELicense { kind: "居民户口簿".into(), number: "1".into(), issuer: "x".into() })
            },
            "materials[1].e_license",
        ),
        (&|f| f.handling_region = "110105".into(), "handling_region"),
    ];
    for (change, field) in cases {
        let err = field_of(change);
        assert_eq!(err.field, field, "{err}");
    }
    assert_eq!(
        field_of(&|f| f.materials[1].copies = 3).to_string(),
        "第2项材料：「居民户口簿」份数应为 1（北京市丰台区的事项清单（版本 2026-11））"
    );
}

#[test]
fn fees_and_deciders_travel_with_the_case_and_their_changes_read_as_words() {
    use tongban_core::guide::{parse_fee, Fee};
    let mut old = catalog();
    old.items[0].fee = parse_fee("工本费20元").unwrap();
    old.items[0].fee_basis = "发改价格〔2003〕2322号".into();
    // The intake carries the item's fee and the authority that decides.
    let form = old.intake_form(&draft("R1", vec![brought("居民身份证")])).unwrap();
    assert_eq!(form.item.fee, Some(parse_fee("工本费20元").unwrap()));
    assert_eq!(form.item.fee_label().as_deref(), Some("工本费20元（收费依据：发改价格〔2003〕2322号）"));
    assert_eq!(form.item.decider(), "丰台区人力资源和社会保障局");
    // A 一件事 as a whole states no fee; each item its own.
    let bundle = old.intake_form(&draft("B-RETIRE", vec![brought("居民身份证")])).unwrap();
    assert_eq!(bundle.item.fee, None);
    assert_eq!(bundle.bundle_items[0].fee, Some(parse_fee("工本费20元").unwrap()));
    assert_eq!(bundle.bundle_items[1].fee, Some(Fee::Free));

    let mut new = old.clone();
    new.version = "2026-12".into();
    new.items[0].fee = parse_fee("工本费25元").unwrap();
    new.items[0].decided_by = "北京市丰台区人民政府".into();
    new.items[1].fee = Fee::Text { text: "按国家规定标准收取".into() };
    let lines = tongban_core::catalog::changes(&old, &new).lines();
    assert!(
        lines.contains(&"变更事项：职工正常退休申请（R1）：收费：工本费20元 → 工本费25元".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.ends_with("决定机构：丰台区人力资源和社会保障局 → 北京市丰台区人民政府")),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.ends_with("收费：不收费 → 按国家规定标准收取")), "{lines:#?}");
    // A case taken in under the old version no longer fits the new one's fee.
    let mut under_new = form.clone();
    under_new.item.catalog_version = Some("2026-12".into());
    assert_eq!(new.check_intake(&under_new).unwrap_err().field, "item.fee");
    // One from a desk of before, carrying neither, still fits.
    under_new.item.fee = None;
    under_new.item.fee_basis.clear();
    assert_eq!(new.check_intake(&under_new), Ok(()));
}

#[test]
fn a_fee_the_model_cannot_hold_is_a_problem_of_the_catalog() {
    use tongban_core::guide::Fee;
    let mut c = catalog();
    c.items[1].fee = Fee::Charges { how: String::new(), charges: vec![] };
    c.items[2].fee = Fee::Text { text: " ".into() };
    let problems = c.problems();
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems.iter().all(|p| p.field == "fee" && p.message.contains("不收费的请写「不收费」")));
    assert_eq!(problems[0].locus, Locus::Item { item: 1 });
}
