//! The forms that are one long table (the 对账单 and the 审计日志), read back with poppler: every
//! line, the header on every page of a long one, the font embedded, and the lines to sign.

mod common;

use common::*;
use tongban_forms::{AuditLog, AuditRow, ReconciliationLine, ReconciliationSheet};

fn sheet(lines: usize) -> ReconciliationSheet {
    let kinds = [
        ("仅本机有", "签收结果", "待推送：下次同步时送出"),
        ("仅本机有", "收件", "本机记为已送出，通办中心却没有：请联系通办中心核查"),
        ("仅通办中心有", "签收原件", "本机尚未拉取：下次同步时收到"),
        ("原件未签收", "运单 EA123456785CN", "寄出 9 天仍未签收（超过 7 天即列出），请查询物流或联系办理地"),
    ];
    ReconciliationSheet {
        parties: "河南省南阳市新野县政务服务中心 与 北京市丰台区".into(),
        period: "2026年12月1日至2026年12月7日".into(),
        matched: 1234,
        lines: (0..lines)
            .map(|i| {
                let (section, what, note) = kinds[i % kinds.len()];
                ReconciliationLine {
                    section: section.into(),
                    number: number(i as u32 + 1).as_str().to_string(),
                    what: what.into(),
                    at: at(9, (i % 60) as u32),
                    note: note.into(),
                }
            })
            .collect(),
        made_at: "2026-12-07 10:30".into(),
        made_by: "王晓丽".into(),
    }
}

#[test]
fn the_paper_sheet_lists_every_line_with_the_header_on_each_page_and_both_signatures() {
    let pdf = tongban_forms::reconciliation_pdf(&sheet(4)).unwrap();
    let path = write("paged", "对账单.pdf", &pdf);
    assert_font_embedded_subset_unicode(&path);
    let pages = text_pages(&path);
    assert_eq!(pages.len(), 1);
    let text = squeeze(&pages[0]);
    for expected in [
        "对账单",
        "新野县政务服务中心与北京市丰台区",
        "对账期间：2026年12月1日至2026年12月7日",
        "双方都有1234个事件；下列4项不一致或待处理；制表2026-12-0710:30",
        "本机记为已送出，通办中心却没有",
        "运单EA123456785CN",
        "本方对账人：王晓丽",
        "对方核对人签字",
        "第1页共1页",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    png(&path, 1);

    let long = tongban_forms::reconciliation_pdf(&sheet(120)).unwrap();
    let path = write("paged", "对账单-长.pdf", &long);
    let pages = text_pages(&path);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        let page = squeeze(page);
        assert!(page.contains("办件编号") && page.contains("事件或运单"), "the header on page {}", i + 1);
        assert!(page.contains(&format!("第{}页共{}页", i + 1, pages.len())), "page {}", i + 1);
    }
    let all = squeeze(&pages.concat());
    for i in 0..120u32 {
        assert!(all.contains(number(i + 1).as_str()), "line {} printed", i + 1);
    }
    assert!(squeeze(pages.last().unwrap()).contains("对方核对人签字"));
}

#[test]
fn a_clean_reconciliation_says_so_on_paper() {
    let pdf = tongban_forms::reconciliation_pdf(&sheet(0)).unwrap();
    let path = write("paged", "对账单-一致.pdf", &pdf);
    let text = squeeze(&text_pages(&path).concat());
    assert!(text.contains("双方一致：共1234个事件，两边都有"), "{text}");
    assert!(text.contains("双方记录一致，没有不符或待处理的项目"), "{text}");
}

#[test]
fn a_name_the_font_cannot_show_is_refused_naming_the_field() {
    let mut bad = sheet(1);
    bad.made_by = "王\u{10FFFD}".into();
    let err = tongban_forms::reconciliation_pdf(&bad).unwrap_err();
    assert!(err.to_string().contains("对账人"), "{err}");
}

#[test]
fn the_audit_log_pages_its_rows_under_the_header_and_ends_with_the_signature() {
    let rows: Vec<AuditRow> = (1..=90)
        .map(|i| AuditRow {
            seq: i.to_string(),
            at: "2026-12-07 10:30:00".into(),
            person: "王芳（wangfang）".into(),
            kind: "打印".into(),
            case_number: number(i).as_str().to_string(),
            detail: format!("打印收件登记表（第 {i} 次）"),
            hash: "0123456789abcdef".into(),
        })
        .collect();
    let log = |rows: &[AuditRow]| {
        tongban_forms::audit_log(&AuditLog {
            hall: "新野县政务服务中心",
            scope: "2026年12月7日",
            rows,
            printed_by: "李强",
            printed_at: at(11, 0),
            verdict: "审计链完整",
        })
        .unwrap()
    };
    let path = write("paged", "审计日志.pdf", &log(&rows));
    let pages = text_pages(&path);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        let page = squeeze(page);
        assert!(
            page.contains("链哈希") && page.contains(&format!("第{}页共{}页", i + 1, pages.len())),
            "page {}",
            i + 1
        );
    }
    let all = squeeze(&pages.concat());
    assert!((1..=90).all(|i| all.contains(&format!("打印收件登记表（第{i}次）"))));
    assert!(squeeze(pages.last().unwrap()).contains("审核人签字"));
    let empty = write("paged", "审计日志-空.pdf", &log(&[]));
    assert!(squeeze(&text_pages(&empty).concat()).contains("所选范围内没有审计记录"));
}
