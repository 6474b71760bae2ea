//! A 一件事 case (three items from a catalog, materials merged by `Catalog::intake_form`) on the
//! 收件登记表 and the 一次性告知书; 电子证照 and 条件材料 on both kinds of case. Tables are read
//! back cell by cell ([`rows`]); text that flows, with `pdftotext -raw` and `-layout`.

mod common;

use std::path::Path;

use common::*;
use tongban_core::case::CaseState;
use tongban_forms::{FormError, Notice};

fn receipt(case: &CaseState) -> Result<Vec<u8>, FormError> {
    let hall = hall();
    tongban_forms::receipt(&receipt_of(case, deadline_of(case), &hall))
}

fn notice(case: &CaseState) -> Result<Vec<u8>, FormError> {
    let hall = hall();
    tongban_forms::notice(&Notice {
        case,
        issued_on: day(),
        supplement_by: due(14),
        clerk: "张敏",
        hall: &hall,
        mark: mark(),
    })
}

/// The receipt's rows (see [`rows`]) of each copy, 存档联 then 申请人联, told apart by the copy
/// mark on every page.
fn copies(path: &Path) -> [Vec<Vec<String>>; 2] {
    let pages = rows(path);
    let marked = |page: &Vec<Vec<String>>, mark: &str| page.iter().flatten().any(|cell| cell.contains(mark));
    let copy = |mark: &str| pages.iter().filter(|p| marked(p, mark)).flatten().cloned().collect::<Vec<_>>();
    let (archive, applicant) = (copy("存档联"), copy("申请人联"));
    assert_eq!(archive.len() + applicant.len(), pages.iter().map(Vec::len).sum::<usize>(), "a copy mark on every page");
    [archive, applicant]
}

/// The rows of a materials table: those starting with a number and a material's name.
fn material_rows<'a>(rows: &'a [Vec<String>], names: &[String]) -> Vec<&'a Vec<String>> {
    rows.iter().filter(|r| r.len() > 2 && r[0].parse::<usize>().is_ok() && names.contains(&r[1])).collect()
}

#[test]
fn a_bundle_receipt_lists_its_items_and_each_shared_material_once_per_copy() {
    let case = bundle_case();
    let form = &case.intake.form;
    assert_eq!(form.bundle_items.len(), 3);
    // The merge is the catalog's: a material several items ask for is asked once, for them all.
    let items_of = |name: &str| form.materials.iter().find(|m| m.name == name).unwrap().items.clone();
    assert_eq!(items_of("居民身份证"), ["110106-SB-0101", "110106-YB-0102"]);
    assert_eq!(items_of("居民户口簿"), ["110106-SB-0101", "110106-YB-0102", "110106-GJJ-0103"]);
    assert_eq!(items_of("职工退休审批表"), ["110106-SB-0101", "110106-GJJ-0103"]);
    let names: Vec<String> = form.materials.iter().map(|m| m.name.clone()).collect();
    assert_eq!(names.len(), 7, "10 materials asked by the items, 7 different");

    let pdf = receipt(&case).unwrap();
    let path = write("bundle", "receipt.pdf", &pdf);
    assert!(pdf.len() < 100 * 1024, "{} bytes", pdf.len());
    assert_font_embedded_subset_unicode(&path);

    // -layout: each item of the bundle on one line of its table, on both copies.
    let layout: Vec<String> = text_pages(&path).concat().lines().map(squeeze).collect();
    for (i, item) in form.bundle_items.iter().enumerate() {
        let row = format!("{}{}{}{}{}个工作日", i + 1, item.name, item.code, item.department, item.promised_days);
        assert_eq!(layout.iter().filter(|l| **l == row).count(), 2, "{row} once per copy:\n{}", layout.join("\n"));
    }

    for (copy, rows) in ["存档联", "申请人联"].iter().zip(copies(&path)) {
        for cells in [
            &["一件事名称", "退休一件事（一件事，含3个事项）"][..],
            &["一件事编码", "110106-YJS-0001", "办理地", "北京市丰台区"],
            &["牵头部门", "北京市丰台区人力资源和社会保障局"],
            &["本件一件事包含的事项（共3项，由各办理部门分别办理）"],
            &["序号", "事项名称", "事项编码", "办理部门", "承诺时限"],
            &["申请材料清单（多个事项共用的材料只收一份；“所属事项”为上表中的事项序号）"],
            &["序号", "材料名称", "形式", "份数", "原件核验", "所属事项", "备注"],
            &["1", "居民身份证", "原件", "1", "已核验", "1、2", ""],
            &[
                "2",
                "居民户口簿",
                "电子证照",
                "1",
                "—",
                "1、2、3",
                "电子证照：居民户口簿，编号 110106202603020017，北京市公安局丰台分局",
            ],
            &["3", "职工退休审批表", "原件", "1", "—", "1、3", "未提交，须补正"],
            &["4", "授权委托书", "原件", "1", "—", "1", "条件：委托他人办理的；不适用"],
            &["5", "医疗保险缴费年限证明", "原件", "1", "—", "2", "未提交，须补正"],
            &["6", "异地安置备案表", "原件", "1", "—", "2", "条件：退休后在外省异地安置的；未提交，须补正"],
            &["7", "本人银行储蓄卡", "复印件", "1", "—", "3", ""],
            &["承诺办结", "材料补齐之日起20个工作日内办结（目前材料不齐，待补正）"],
        ] {
            assert!(has_row(&rows, cells), "{copy}: no row {cells:?} in\n{rows:#?}");
        }
        for (i, item) in form.bundle_items.iter().enumerate() {
            let (n, days) = ((i + 1).to_string(), format!("{}个工作日", item.promised_days));
            let cells = [&n, &item.name, &item.code, &item.department, &days].map(String::as_str);
            assert!(has_row(&rows, &cells), "{copy}: item {cells:?}");
        }
        // Each material, shared or not, is one row of the copy.
        let listed: Vec<&String> = material_rows(&rows, &names).into_iter().map(|r| &r[1]).collect();
        assert_eq!(listed, names.iter().collect::<Vec<_>>(), "{copy}: each material once, in order");
        let text = rows.concat().concat();
        assert!(!text.contains("未核验"), "{copy}: an 电子证照 is not an unverified original");
        assert_eq!(text.matches("职工退休审批表").count(), 1, "{copy}");
    }
}

#[test]
fn a_bundle_notice_lists_the_union_of_missing_materials_once_with_the_items_needing_each() {
    let case = bundle_case();
    let items = tongban_forms::notice_items(&case);
    let names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["职工退休审批表", "医疗保险缴费年限证明", "异地安置备案表"]);
    assert_eq!(items[0].items, ["1.企业职工基本养老保险待遇申领", "3.住房公积金退休提取"]);
    assert_eq!(items[2].items, ["2.职工基本医疗保险退休人员待遇核定"]);

    let pdf = notice(&case).unwrap();
    let path = write("bundle", "notice.pdf", &pdf);
    assert_font_embedded_subset_unicode(&path);
    let pages = rows(&path);
    assert_eq!(pages.len(), 2, "one page per copy, 存档联 and 申请人联");
    for cells in [
        &["序号", "材料名称", "问题", "所需事项", "应当符合的要求"][..],
        &[
            "1",
            "职工退休审批表",
            "未提交",
            "1.企业职工基本养老保险待遇申领 3.住房公积金退休提取",
            "加盖人社部门退休审批专用章（原件1份）",
        ],
        &[
            "2",
            "医疗保险缴费年限证明",
            "未提交",
            "2.职工基本医疗保险退休人员待遇核定",
            "加盖医保经办机构业务章（原件1份）",
        ],
        &[
            "3",
            "异地安置备案表",
            "未提交",
            "2.职工基本医疗保险退休人员待遇核定",
            "适用情形：退休后在外省异地安置的。本人签字，注明安置地（原件1份）",
        ],
    ] {
        assert!(has_row(&pages[0], cells), "no row {cells:?} in\n{:#?}", pages[0]);
    }
    let raw = squeeze(&raw_text(&path));
    for e in [
        "（跨省通办 · 一件事 · 申请材料补正）",
        "申请办理的「退休一件事」（一件事编码：110106-YJS-0001，包括企业职工基本养老保险待遇申领、\
         职工基本医疗保险退休人员待遇核定、住房公积金退休提取共3个事项；",
        "办理地：北京市丰台区；牵头部门：北京市丰台区人力资源和社会保障局）",
        "一次性告知如下（多个事项共用的材料只需提交一份）：",
        "第1页共1页",
    ] {
        assert!(raw.contains(&squeeze(e)), "missing {e}\n--- text ---\n{raw}");
    }
    let layout = squeeze(&text_pages(&path).concat());
    for name in names {
        assert_eq!(layout.matches(name).count(), 2, "{name} listed once in each copy");
    }
    // What was brought, cited as an 电子证照, or does not apply is not listed.
    for absent in ["居民身份证", "居民户口簿", "本人银行储蓄卡", "授权委托书"] {
        assert!(!layout.contains(absent), "{absent} is not missing\n{layout}");
    }
}

#[test]
fn an_ordinary_case_from_the_catalog_keeps_its_layout_and_shows_its_licence_and_condition() {
    let case = case_from(retirement_form("110106-SB-0101"), 32);
    assert!(case.intake.form.bundle_items.is_empty() && case.materials.iter().all(|m| m.items.is_empty()));
    let pdf = receipt(&case).unwrap();
    let path = write("bundle", "single-item-receipt.pdf", &pdf);
    for (copy, rows) in ["存档联", "申请人联"].iter().zip(copies(&path)) {
        for cells in [
            &["事项名称", "企业职工基本养老保险待遇申领"][..],
            &["事项编码", "110106-SB-0101", "办理地", "北京市丰台区"],
            &["办理部门", "北京市丰台区社会保险事业管理中心"],
            &["申请材料清单"],
            &["序号", "材料名称", "形式", "份数", "原件核验", "备注"],
            &["1", "居民身份证", "原件", "1", "已核验", ""],
            &[
                "2",
                "居民户口簿",
                "电子证照",
                "1",
                "—",
                "电子证照：居民户口簿，编号 110106202603020017，北京市公安局丰台分局",
            ],
            &["3", "职工退休审批表", "原件", "1", "—", "未提交，须补正"],
            &["4", "授权委托书", "原件", "1", "—", "条件：委托他人办理的；不适用"],
        ] {
            assert!(has_row(&rows, cells), "{copy}: no row {cells:?} in\n{rows:#?}");
        }
        let text = rows.concat().concat();
        for absent in ["一件事", "所属事项", "牵头部门"] {
            assert!(!text.contains(absent), "{copy}: {absent} on an ordinary case");
        }
    }
    let pdf = notice(&case).unwrap();
    let path = write("bundle", "single-item-notice.pdf", &pdf);
    let pages = rows(&path);
    assert!(has_row(&pages[0], &["序号", "材料名称", "问题", "应当符合的要求"]), "{pages:#?}");
    assert!(
        has_row(&pages[0], &["1", "职工退休审批表", "未提交", "加盖人社部门退休审批专用章（原件1份）"]),
        "{pages:#?}"
    );
    let raw = squeeze(&raw_text(&path));
    assert!(!raw.contains("所需事项") && !raw.contains("一件事"), "{raw}");
}

#[test]
fn a_long_bundle_materials_list_repeats_its_header_with_the_items_column() {
    let mut form = retirement_form("110106-YJS-0001");
    let codes: Vec<String> = form.bundle_items.iter().map(|i| i.code.clone()).collect();
    form.materials = (1..=40)
        .map(|k| {
            let mut m = material(k, k % 2 != 0);
            m.items = codes.iter().skip(k % 3).cloned().collect();
            m
        })
        .collect();
    let names: Vec<String> = form.materials.iter().map(|m| m.name.clone()).collect();
    let case = case_from(form, 33);
    let pdf = receipt(&case).unwrap();
    let path = write("bundle", "forty.pdf", &pdf);
    let head = ["序号", "材料名称", "形式", "份数", "原件核验", "所属事项", "备注"];
    let pages = rows(&path);
    assert!(pages.len() >= 4, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        if !material_rows(page, &names).is_empty() {
            assert!(has_row(page, &head), "header on page {}", i + 1);
        }
    }
    for (copy, rows) in ["存档联", "申请人联"].iter().zip(copies(&path)) {
        let listed = material_rows(&rows, &names);
        assert_eq!(listed.len(), 40, "{copy}");
        for (k, row) in (1..=40).zip(listed) {
            assert_eq!((&row[0], &row[1]), (&k.to_string(), &names[k - 1]), "{copy}");
            assert_eq!(row[5], ["1、2、3", "2、3", "3"][k % 3], "{copy}: {row:?}");
        }
    }
    let pdf = notice(&case).unwrap();
    let path = write("bundle", "forty-notice.pdf", &pdf);
    let pages = rows(&path);
    assert!(pages.len() >= 2, "{} pages", pages.len());
    let missing: Vec<String> = names.iter().skip(1).step_by(2).cloned().collect();
    let mut listed = 0;
    for (i, page) in pages.iter().enumerate() {
        let rows = material_rows(page, &names);
        listed += rows.len();
        if !rows.is_empty() {
            assert!(
                has_row(page, &["序号", "材料名称", "问题", "所需事项", "应当符合的要求"]),
                "header on page {}",
                i + 1
            );
        }
    }
    assert_eq!(listed, 2 * missing.len(), "every missing material once in each of the two copies");
}

#[test]
fn a_bundle_item_name_the_font_cannot_print_is_reported_by_its_place() {
    let mut form = retirement_form("110106-YJS-0001");
    form.bundle_items[1].name = "职工医保\u{E000}".into();
    let case = case_from(form, 34);
    for err in [receipt(&case).unwrap_err(), notice(&case).unwrap_err()] {
        assert_eq!(err, FormError::MissingGlyph { field: "一件事第2个事项的名称".into(), ch: '\u{E000}' });
    }
    let mut form = retirement_form("110106-YJS-0001");
    form.materials[1].e_license.as_mut().unwrap().issuer = "丰台\u{E001}".into();
    let err = receipt(&case_from(form, 35)).unwrap_err();
    assert_eq!(err, FormError::MissingGlyph { field: "第2项材料的电子证照签发机关".into(), ch: '\u{E001}' });
}
