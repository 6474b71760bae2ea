//! The 每日台账, read back with poppler: pagination of 2,000 cases with the header on every page
//! and 第 x 页 共 y 页, masked ID numbers, totals by status, the empty day, the filters.

mod common;

use chrono::NaiveDate;
use common::*;
use tongban_core::applicant::mask_id_number;
use tongban_core::case::CaseStatus;
use tongban_core::listing::LedgerEntry;
use tongban_forms::{FormError, Ledger, PrintMark};

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

/// Rates of `groups` items, one concluded-on-time and one open-overdue case each.
fn many_rates(groups: usize) -> tongban_core::rates::RateReport {
    use tongban_core::rates::{CaseFacts, Decision, Group};
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let facts: Vec<CaseFacts> = (0..groups)
        .flat_map(|i| {
            let item = Group {
                key: format!("I{i:03}"), label: format!("第{i}号事项（测试用的一个相当长的事项名称）")
            };
            let one = CaseFacts {
                item,
                partner: Group { key: "110106".into(), label: "北京市丰台区".into() },
                clerk: Group { key: "zhangmin".into(), label: "张敏".into() },
                decision: Some(Decision::Accepted),
                concluded_on: Some(d("2026-03-04")),
                deadline: Some(d("2026-03-09")),
                promised_days: 5,
            };
            let open = CaseFacts { concluded_on: None, ..one.clone() };
            [one, open]
        })
        .collect();
    tongban_core::rates::rates(&facts, d("2026-12-06"), &tongban_core::workdays::WorkCalendar::shipped())
}

#[test]
fn the_rates_follow_the_totals_with_their_definitions_and_continue_on_the_next_page() {
    let hall = hall();
    let entries = entries(30);
    let rates = many_rates(60);
    let pdf = tongban_forms::ledger_with_rates(&day_ledger(&entries, &hall), &rates).unwrap();
    let path = write("ledger", "rates.pdf", &pdf);
    assert_font_embedded_subset_unicode(&path);
    let pages: Vec<String> = raw_pages(&path).iter().map(|p| squeeze(p)).collect();
    let n = pages.len();
    assert!(n >= 3, "{n} pages");
    let all = pages.concat();
    // After the totals, before the signature.
    let totals = all.find(&totals_line(&entries)).expect("totals");
    let section = all.find("办理指标").expect("the rates section");
    let signature = all.find("审核人（科长签字）：").expect("signature");
    assert!(totals < section && section < signature);
    for d in &rates.definitions {
        assert!(all.contains(&squeeze(&format!("{}：{}", d.name, d.text))), "definition of {}", d.name);
    }
    let head = "统计分组收件（件）受理率（已受理/已作出受理决定）按时办结率（按时办结/已办结）超期件数（件）平均办理用时（工作日）";
    // All 120 cases: every one accepted, 60 concluded on time in 2 working days, 60 open and overdue.
    assert!(all.contains(&format!("{head}全部120100.0%（120/120）100.0%（60/60）602.0")), "{all}");
    assert!(all.contains("按事项") && all.contains("按办理地") && all.contains("按受理人"));
    assert!(all.contains("第59号事项（测试用的一个相当长的事项名称）2100.0%（2/2）100.0%（1/1）12.0"));
    // The rows that go on to the next page take the header with them, and every page its number.
    let with_head = pages.iter().filter(|p| p.contains(head)).count();
    assert!(with_head >= 2, "the rates header on {with_head} pages");
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("第{}页共{n}页", i + 1)), "page number on page {}", i + 1);
    }
    let last = png(&path, n);
    assert!(std::fs::metadata(&last).unwrap().len() > 1000);
}

#[test]
fn no_case_decided_prints_dashes_not_zero_percent() {
    let hall = hall();
    let rates = tongban_core::rates::rates(
        &[],
        "2026-12-06".parse().unwrap(),
        &tongban_core::workdays::WorkCalendar::shipped(),
    );
    let pdf = tongban_forms::ledger_with_rates(&day_ledger(&[], &hall), &rates).unwrap();
    let path = write("ledger", "rates-empty.pdf", &pdf);
    let text = squeeze(&raw_text(&path));
    assert!(text.contains("平均办理用时（工作日）全部0——0—"), "{text}");
}
