//! The 每日台账, read back with poppler: pagination of 2,000 cases with the header on every page
//! and 第 x 页 共 y 页, masked ID numbers, totals by status, the empty day, the filters.

mod common;

use chrono::NaiveDate;
use common::*;
use tongban_core::applicant::mask_id_number;
use tongban_core::case::CaseStatus;
use tongban_forms::{FormError, Ledger, PrintMark};
use tongban_store::LedgerEntry;

const HEADER: &str = "序号办件编号收件时间申请人证件号码事项名称办理地流转方式/运单号状态承诺办结受理人";

fn totals_line(entries: &[LedgerEntry]) -> String {
    let mut s = format!("{}件", entries.len());
    for status in CaseStatus::ALL {
        s.push_str(&entries.iter().filter(|e| e.case.status == status).count().to_string());
    }
    s
}

fn check_ledger(name: &str, entries: &[LedgerEntry]) -> Vec<String> {
    let hall = hall();
    let t = std::time::Instant::now();
    let pdf = tongban_forms::ledger(&day_ledger(entries, &hall)).unwrap();
    eprintln!("{name}: {} cases in {:?}, {} KB", entries.len(), t.elapsed(), pdf.len() / 1024);
    let path = write("ledger", &format!("{name}.pdf"), &pdf);
    assert_font_embedded_subset_unicode(&path);
    let pages: Vec<String> = raw_pages(&path).iter().map(|p| squeeze(p)).collect();
    let n = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(HEADER), "header row on page {}:\n{page}", i + 1);
        assert!(page.contains(&format!("第{}页共{n}页", i + 1)), "page number on page {}", i + 1);
        assert!(page.contains("统计范围：2026年3月2日"), "scope on page {}", i + 1);
    }
    assert!(pages[0].contains("新野县政务服务中心") && pages[0].contains("跨省通办每日收件台账"));
    assert!(pages[0].contains(&format!("共{}件", entries.len())));
    let all = pages.concat();
    // Every case once, in order, with its masked ID after its number (linear: 2,000 rows).
    assert_eq!(all.matches("411329-20260302-A1-").count(), entries.len(), "each case number once");
    let mut at = 0;
    for (i, e) in entries.iter().enumerate() {
        let c = &e.case;
        let row = format!("{}{}", i + 1, c.number);
        at += all[at..].find(&row).unwrap_or_else(|| panic!("row {row} in order"));
        let masked = mask_id_number(&c.applicant_id);
        let next = all[at + row.len()..].find("411329-20260302-A1-").map_or(all.len(), |k| at + row.len() + k);
        assert!(all[at..next].contains(&masked), "masked ID {masked} in the row of {}", c.number);
    }
    // No ID number in full: a full 居民身份证号码 or credit code is 18 letters and digits in a
    // row; the longest unbroken run on a ledger is a 13-digit waybill.
    let longest = raw_text(&path).split(|ch: char| !ch.is_ascii_alphanumeric()).map(str::len).max().unwrap_or(0);
    assert!(longest < 15, "a run of {longest} letters and digits: an unmasked ID?");
    let last = &pages[n - 1];
    assert!(
        last.contains("合计待补正已收件已推送补正中已补正已送达已受理不予受理需补正办理中办结结果已寄出"),
        "{last}"
    );
    assert!(last.contains(&totals_line(entries)), "totals {} in\n{last}", totals_line(entries));
    assert!(last.contains("制表人：王科长") && last.contains("审核人（科长签字）：") && last.contains("日期：年月日"));
    pages
}

#[test]
fn two_thousand_cases_paginate_with_the_header_and_page_numbers_on_every_page() {
    let entries = entries(2000);
    let pages = check_ledger("2000", &entries);
    assert!(pages.len() > 40, "{} pages", pages.len());
    assert!(pages[1].contains("跨省通办每日收件台账（续）"));
}

#[test]
fn a_hundred_cases_with_waybills_and_statuses() {
    let entries = entries(100);
    let pages = check_ledger("100", &entries);
    let all = pages.concat();
    // Sample 3: mailed papers with a waybill; sample 4: the result mailed back.
    assert!(all.contains("网络＋邮寄1179000000003"), "{all}");
    assert!(all.contains("结果1178000000004"));
    assert!(all.contains("08:30"));
}

#[test]
fn a_day_without_cases_prints_an_empty_ledger_that_says_so() {
    let pages = check_ledger("empty", &[]);
    assert_eq!(pages.len(), 1);
    assert!(pages[0].contains("本期无收件记录（2026年3月2日，共0件）"), "{}", pages[0]);
    assert!(pages[0].contains("0件000000000000"));
}

#[test]
fn a_range_for_one_clerk_and_partner_says_so_and_dates_each_row() {
    let hall = hall();
    let entries = entries(5);
    let input = Ledger {
        from: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 3, 7).unwrap(),
        clerk: Some("张敏"),
        partner: Some("110106"),
        entries: &entries,
        printed_by: "王科长",
        hall: &hall,
        mark: PrintMark { printed_at: at(18, 0), first_printed_at: Some(at(17, 30)) },
    };
    assert_eq!(tongban_forms::ledger_scope(&input), "2026年3月1日至2026年3月7日　受理人：张敏　办理地：北京市丰台区");
    let pdf = tongban_forms::ledger(&input).unwrap();
    let path = write("ledger", "range.pdf", &pdf);
    let page = squeeze(&raw_pages(&path)[0]);
    assert!(page.contains("统计范围：2026年3月1日至2026年3月7日受理人：张敏办理地：北京市丰台区"), "{page}");
    assert!(page.contains("03-0208:30"), "the date with the time in a range");
    assert!(page.contains("补打2026-03-0218:00（首次打印于2026-03-0217:30）"), "{page}");

    let backwards = Ledger { from: input.to, to: input.from, ..input.clone() };
    assert_eq!(tongban_forms::ledger(&backwards).unwrap_err().code(), "bad_range");
}

#[test]
fn a_name_the_font_lacks_names_the_case() {
    let hall = hall();
    let mut entries = entries(3);
    entries[1].case.applicant_name = "张\u{E000}".into();
    let err = tongban_forms::ledger(&day_ledger(&entries, &hall)).unwrap_err();
    assert_eq!(
        err,
        FormError::MissingGlyph { field: format!("办件{}的申请人", entries[1].case.number), ch: '\u{E000}' }
    );
}
