use chrono::{Datelike, NaiveDate, Weekday};
use proptest::prelude::*;

use tongban_core::workdays::{CalendarError, Deadline, WorkCalendar, YearSource};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cal() -> WorkCalendar {
    WorkCalendar::shipped()
}

fn parse_err(text: &str) -> String {
    WorkCalendar::parse(text).unwrap_err().to_string()
}

#[test]
fn shipped_years() {
    assert_eq!(cal().years().collect::<Vec<_>>(), vec![2025, 2026]);
    assert!(cal().covers(d("2025-01-01")));
    assert!(cal().covers(d("2026-12-31")));
    assert!(!cal().covers(d("2027-01-01")));
    assert!(!cal().covers(d("2024-12-31")));
}

#[test]
fn spring_festival_2026() {
    let c = cal();
    assert_eq!(d("2026-02-13").weekday(), Weekday::Fri);
    assert!(c.is_working_day(d("2026-02-14"))); // Saturday, 调休上班
    assert_eq!(c.add_working_days(d("2026-02-13"), 1).unwrap(), d("2026-02-14"));
    assert_eq!(c.add_working_days(d("2026-02-13"), 2).unwrap(), d("2026-02-24"));
    for day in 15..=23 {
        let x = NaiveDate::from_ymd_opt(2026, 2, day).unwrap();
        assert!(!c.is_working_day(x), "{x}");
        assert_eq!(c.label(x), Some("春节"));
    }
    assert!(c.is_working_day(d("2026-02-28")));
    assert_eq!(c.label(d("2026-02-28")), Some("春节调休上班"));
    // 2026-02-13 .. 2026-02-28: 14, 24, 25, 26, 27, 28
    assert_eq!(c.working_days_between(d("2026-02-13"), d("2026-02-28")).unwrap(), 6);
    assert_eq!(c.working_days_between(d("2026-02-28"), d("2026-02-13")).unwrap(), -6);
}

#[test]
fn national_day_2025() {
    let c = cal();
    assert_eq!(c.add_working_days(d("2025-09-30"), 1).unwrap(), d("2025-10-09"));
    assert_eq!(d("2025-09-28").weekday(), Weekday::Sun);
    assert!(c.is_working_day(d("2025-09-28")));
    assert_eq!(d("2025-10-11").weekday(), Weekday::Sat);
    assert!(c.is_working_day(d("2025-10-11")));
    assert!(!c.is_working_day(d("2025-10-12")));
    for day in 1..=8 {
        assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2025, 10, day).unwrap()));
    }
    // 9-26 (Fri) + 1 -> 9-28 (working Sunday); + 2 -> 9-29
    assert_eq!(c.add_working_days(d("2025-09-26"), 1).unwrap(), d("2025-09-28"));
    assert_eq!(c.add_working_days(d("2025-09-26"), 2).unwrap(), d("2025-09-29"));
}

#[test]
fn plain_weeks_and_zero() {
    let c = cal();
    // 2025-03-07 is a Friday
    assert_eq!(c.add_working_days(d("2025-03-07"), 1).unwrap(), d("2025-03-10"));
    assert_eq!(c.add_working_days(d("2025-03-07"), 5).unwrap(), d("2025-03-14"));
    assert_eq!(c.add_working_days(d("2025-03-08"), 0).unwrap(), d("2025-03-08"));
    assert_eq!(c.add_working_days(d("2030-03-08"), 0).unwrap(), d("2030-03-08"));
    assert_eq!(c.working_days_between(d("2025-03-07"), d("2025-03-07")).unwrap(), 0);
    assert!(!c.is_working_day(d("2025-03-08")));
}

#[test]
fn counts_across_holidays() {
    let c = cal();
    // 2025-09-30 .. 2025-10-12: 10-09, 10-10, 10-11 (working Saturday)
    assert_eq!(c.working_days_between(d("2025-09-30"), d("2025-10-12")).unwrap(), 3);
    // 2025-09-27 (Sat) .. 2025-10-11: 9-28, 9-29, 9-30, 10-9, 10-10, 10-11
    assert_eq!(c.working_days_between(d("2025-09-27"), d("2025-10-11")).unwrap(), 6);
    // Whole years (d > from, so 12-31 of the year before is not itself counted or checked).
    // 2025: 261 weekdays - 18 holiday weekdays + 5 make-up days = 248.
    assert_eq!(c.working_days_between(d("2024-12-31"), d("2025-12-31")).unwrap(), 248);
    // 2026: 261 weekdays - 19 holiday weekdays + 6 make-up days = 248.
    assert_eq!(c.working_days_between(d("2025-12-31"), d("2026-12-31")).unwrap(), 248);
    assert_eq!(c.working_days_between(d("2024-12-31"), d("2026-12-31")).unwrap(), 496);
    // across both holiday seasons and the year boundary
    let across = c.working_days_between(d("2025-09-01"), d("2026-03-01")).unwrap();
    let manual = c.working_days_between(d("2025-09-01"), d("2025-12-31")).unwrap()
        + c.working_days_between(d("2025-12-31"), d("2026-03-01")).unwrap();
    assert_eq!(across, manual);
    assert_eq!(c.add_working_days(d("2025-09-01"), across as u32).unwrap(), d("2026-02-28"));
}

#[test]
fn deadline_and_overdue() {
    let c = cal();
    // received Friday before 春节 2026, 5 working days: 2-14, 2-24, 2-25, 2-26, 2-27
    let deadline = c.deadline(d("2026-02-13"), 5).unwrap();
    assert_eq!(deadline, Deadline { date: d("2026-02-27"), estimated: false });
    let dl = deadline.date;
    assert_eq!(c.overdue_by(dl, d("2026-02-27")).unwrap(), 0);
    assert_eq!(c.overdue_by(dl, d("2026-02-20")).unwrap(), 0);
    assert_eq!(c.overdue_by(dl, d("2026-02-28")).unwrap(), 1); // working Saturday
    assert_eq!(c.overdue_by(dl, d("2026-03-01")).unwrap(), 1);
    assert_eq!(c.overdue_by(dl, d("2026-03-02")).unwrap(), 2);
    // Friday deadline, weekend after it: not yet a working day late
    assert_eq!(c.overdue_by(d("2025-03-07"), d("2025-03-09")).unwrap(), 0);
}

#[test]
fn a_year_without_a_notice_is_counted_by_the_statutory_rules_and_marked() {
    let c = cal();
    assert_eq!(c.source(2026), YearSource::Official);
    assert_eq!(c.source(2027), YearSource::Provisional);
    // 2026-12-30 (Wed) + 1 = 12-31 is still official.
    assert_eq!(c.deadline(d("2026-12-30"), 1).unwrap(), Deadline { date: d("2026-12-31"), estimated: false });
    // + 2 reaches 2027: 元旦 (Friday 1月1日) is off by the rules, so 1月4日 (Monday), 预估.
    assert_eq!(c.deadline(d("2026-12-30"), 2).unwrap(), Deadline { date: d("2027-01-04"), estimated: true });
    // The case: received 2026-12-20 (Sunday), 20 working days.
    let dl = c.deadline(d("2026-12-20"), 20).unwrap();
    assert_eq!(dl, Deadline { date: d("2027-01-18"), estimated: true });
    // Counting across 春节 2027 by the rules: 2月5日 (除夕) to 8日 off, 9日 and 10日 补休.
    assert_eq!(c.add_working_days(d("2027-02-04"), 1).unwrap(), d("2027-02-11"));
    assert_eq!(c.label(d("2027-02-09")), Some("春节补休"));
    assert_eq!(c.working_days_between(d("2026-12-01"), d("2027-01-05")).unwrap(), 24);
    assert!(c.is_estimated(d("2026-12-31"), d("2027-01-04")));
    assert!(!c.is_estimated(d("2026-12-30"), d("2026-12-31")));
    // Importing 2027 makes it official: the same count is no longer 预估, and the notice's 调休
    // replaces the rules.
    let mut c2 = c.clone();
    c2.merge(
        WorkCalendar::parse("year 2027\nholiday 2027-01-01 2027-01-03 元旦\nworkday 2027-01-09 元旦调休上班\n")
            .unwrap(),
    );
    assert_eq!(c2.deadline(d("2026-12-30"), 2).unwrap(), Deadline { date: d("2027-01-04"), estimated: false });
    assert_eq!(c2.years().collect::<Vec<_>>(), vec![2025, 2026, 2027]);
    assert!(c2.is_working_day(d("2027-01-09")));
    assert!(!c.is_working_day(d("2027-01-09")));
    // Only far outside any deadline is a count refused, with what to do.
    let e = c.add_working_days(d("2099-12-30"), 5).unwrap_err();
    assert_eq!(e, CalendarError::OutOfRange { year: 2100 });
    assert_eq!(e.to_string(), "2100年超出可计算的年份范围（1901年至2099年），无法计算工作日，请核对日期");
    assert_eq!(c.deadline(d("1900-03-01"), 1), Err(CalendarError::OutOfRange { year: 1900 }));
}

#[test]
fn provisional_text_reads_back_and_says_it_is_an_estimate() {
    let text = WorkCalendar::provisional_text(2027);
    assert!(text.starts_with("# 预估："), "{text}");
    assert!(text.contains("holiday 2027-02-05 2027-02-08 春节"), "{text}");
    assert!(text.contains("holiday 2027-02-09 2027-02-10 春节补休"), "{text}");
    let parsed = WorkCalendar::parse(&text).unwrap();
    for day in 0..365 {
        let x = d("2027-01-01") + chrono::Duration::days(day);
        assert_eq!(parsed.is_working_day(x), cal().is_working_day(x), "{x}");
    }
    assert_eq!(WorkCalendar::provisional_text(2100), "");
}

#[test]
fn an_official_year_never_changes_content() {
    let c = cal();
    // The same arrangement again (comments and order aside) merges.
    let same = format!("# 重新导入\n{}", c.to_text(2026));
    c.check_may_merge(&WorkCalendar::parse(&same).unwrap(), &same).unwrap();
    let changed = "# 国务院办公厅通知\nyear 2027\nholiday 2027-01-01 元旦\n\nyear 2026\nholiday 2026-01-01 元旦\n";
    let e = c.check_may_merge(&WorkCalendar::parse(changed).unwrap(), changed).unwrap_err();
    assert_eq!(e, CalendarError::OfficialYearChanged { year: 2026, line: 5 });
    assert!(e.to_string().starts_with("第5行：2026年的节假日安排已按国务院办公厅通知导入"), "{e}");
}

#[test]
fn parse_errors_exact_messages() {
    let cases: &[(&str, &str)] = &[
        ("# x\nyear 2026\nholiday 2026-02-30 2026-03-01 春节\n", "第3行：日期「2026-02-30」无效"),
        ("year 2026\nworkday 2026-13-01\n", "第2行：日期「2026-13-01」无效"),
        ("year 2026\nholiday 2026-02-01 2026-2-31 x\n", "第2行：日期「2026-2-31」无效"),
        ("year 2026\nholiday 2026/02/01\n", "第2行：日期「2026/02/01」无效"),
        ("holiday 2026-01-01 2026-01-03 元旦\n", "第1行：须先用 year 行声明年份，再列日期"),
        ("\n# c\nworkday 2026-01-04\n", "第3行：须先用 year 行声明年份，再列日期"),
        ("year 2026\nworkday 2026-01-05 x\n", "第2行：调休上班日「2026-01-05」是星期一，只能是星期六或星期日"),
        ("year 2026\nholiday 2026-01-03 2026-01-01 元旦\n", "第2行：放假起始日「2026-01-03」晚于结束日「2026-01-01」"),
        ("year 2026\nholiday 2025-12-31 2026-01-01 元旦\n", "第2行：放假日期「2025-12-31」不在声明的2026年内"),
        ("year 2026\nholiday 2026-12-31 2027-01-01 元旦\n", "第2行：放假日期「2027-01-01」不在声明的2026年内"),
        ("year 2026\nworkday 2025-12-28\n", "第2行：调休上班日「2025-12-28」不在声明的2026年内"),
        (
            "year 2026\nholiday 2026-02-14 2026-02-15 春节\nworkday 2026-02-14 春节调休上班\n",
            "第3行：「2026-02-14」已在第2行列为放假日，不能同时是调休上班日",
        ),
        (
            "year 2026\nworkday 2026-02-14\n\nholiday 2026-02-13 2026-02-15 春节\n",
            "第4行：「2026-02-14」已在第2行列为调休上班日，不能同时是放假日",
        ),
        (
            "year 2026\nholiday 2026-02-15 2026-02-20\nholiday 2026-02-20 2026-02-23\n",
            "第3行：「2026-02-20」已在第2行列为放假日",
        ),
        ("year 2026\nholidays 2026-01-01\n", "第2行：无法识别「holidays」，每行应以 year、holiday 或 workday 开头"),
        ("year\n", "第1行：year 行缺少年份"),
        ("year 二〇二六\n", "第1行：年份「二〇二六」无效"),
        ("year 26\n", "第1行：年份「26」无效"),
        ("year 2026 2027\n", "第1行：year 行只能写一个年份，多了「2027」"),
        ("year 2026\nyear 2026\n", "第2行：2026年已在第1行声明过"),
        ("year 2026\nholiday\n", "第2行：holiday 行缺少日期"),
        ("year 2026\nworkday   # nothing\n", "第2行：workday 行缺少日期"),
        ("", "文本中没有 year 行，未导入任何年份的节假日安排"),
        ("# only a comment\n\n", "文本中没有 year 行，未导入任何年份的节假日安排"),
    ];
    for (text, msg) in cases {
        assert_eq!(&parse_err(text), msg, "text: {text:?}");
    }
    assert_eq!(
        WorkCalendar::parse("year 2026\nworkday 2026-01-05\n").unwrap_err(),
        CalendarError::Parse {
            line: 2, message: "调休上班日「2026-01-05」是星期一，只能是星期六或星期日".into()
        }
    );
}

#[test]
fn parse_accepts_variants() {
    // single-day holiday, no label, inline comments, BOM, CRLF, full-width space, several years
    let text = "\u{feff}# 通知\r\nyear 2027\r\nholiday 2027-01-01\u{3000}元旦 # 一天\r\n\
                holiday 2027-02-10\nworkday 2027-02-06   春节 调休上班\nyear 2028\n";
    let c = WorkCalendar::parse(text).unwrap();
    assert_eq!(c.years().collect::<Vec<_>>(), vec![2027, 2028]);
    assert!(!c.is_working_day(d("2027-01-01")));
    assert_eq!(c.label(d("2027-01-01")), Some("元旦"));
    assert!(!c.is_working_day(d("2027-02-10")));
    assert_eq!(c.label(d("2027-02-10")), Some(""));
    assert!(c.is_working_day(d("2027-02-06")));
    assert_eq!(c.label(d("2027-02-06")), Some("春节 调休上班"));
    // 2028 declared with no exceptions: plain weekdays, but covered
    assert!(c.covers(d("2028-05-01")));
    assert_eq!(c.to_text(2028), "year 2028\n");
    assert_eq!(
        c.to_text(2027),
        "# 通知\nyear 2027\nholiday 2027-01-01 2027-01-01 元旦\nworkday 2027-02-06 春节 调休上班\nholiday 2027-02-10 2027-02-10\n"
    );
    assert_eq!(c.to_text(2030), "");
}

#[test]
fn to_text_reproduces_shipped_files() {
    let c = cal();
    assert_eq!(c.to_text(2025), include_str!("../data/holidays/2025.txt"));
    assert_eq!(c.to_text(2026), include_str!("../data/holidays/2026.txt"));
}

#[test]
fn roundtrip_parse_to_text() {
    let c = cal();
    let mut back = WorkCalendar::parse(&c.to_text(2025)).unwrap();
    back.merge(WorkCalendar::parse(&c.to_text(2026)).unwrap());
    assert_eq!(back, c);
    let both = format!("{}{}", c.to_text(2025), c.to_text(2026));
    assert_eq!(WorkCalendar::parse(&both).unwrap(), c);
}

#[test]
fn merge_replaces_a_year_entirely() {
    let mut c = cal();
    // a (fictional) corrected 2026 with only 元旦
    c.merge(WorkCalendar::parse("# 更正\nyear 2026\nholiday 2026-01-01 2026-01-01 元旦\n").unwrap());
    assert!(c.is_working_day(d("2026-01-02")));
    assert!(!c.is_working_day(d("2026-01-04"))); // no longer a make-up Sunday
    assert!(c.is_working_day(d("2026-02-16"))); // 春节 gone
    assert!(!c.is_working_day(d("2025-10-01"))); // 2025 untouched
    assert_eq!(c.to_text(2026), "# 更正\nyear 2026\nholiday 2026-01-01 2026-01-01 元旦\n");
    assert_eq!(c.to_text(2025), cal().to_text(2025));
}

#[test]
fn shipped_data_is_consistent() {
    let c = cal();
    let mut workdays = 0;
    let mut holidays = 0;
    for y in [2025, 2026] {
        let mut x = NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        while x.year() == y {
            match c.label(x) {
                Some(l) if c.is_working_day(x) => {
                    workdays += 1;
                    assert!(matches!(x.weekday(), Weekday::Sat | Weekday::Sun), "{x} {l}");
                    assert!(l.contains("上班"), "{x} {l}");
                }
                Some(l) => {
                    holidays += 1;
                    assert_eq!(x.year(), y, "{l}");
                    assert!(!l.is_empty());
                }
                None => assert_eq!(c.is_working_day(x), !matches!(x.weekday(), Weekday::Sat | Weekday::Sun)),
            }
            x = x.succ_opt().unwrap();
        }
    }
    // 2025: 1+8+3+5+3+8 = 28 days off, 5 make-up days; 2026: 3+9+3+5+3+3+7 = 33 off, 6 make-up days
    assert_eq!(holidays, 28 + 33);
    assert_eq!(workdays, 5 + 6);
    // every 'workday' line of the shipped files is a weekend, every holiday in the file's year
    for (y, text) in
        [(2025, include_str!("../data/holidays/2025.txt")), (2026, include_str!("../data/holidays/2026.txt"))]
    {
        for line in text.lines() {
            let w: Vec<&str> = line.split_whitespace().collect();
            match w.first() {
                Some(&"workday") => {
                    let x = d(w[1]);
                    assert!(matches!(x.weekday(), Weekday::Sat | Weekday::Sun), "{line}");
                    assert_eq!(x.year(), y);
                }
                Some(&"holiday") => {
                    assert_eq!(d(w[1]).year(), y, "{line}");
                    assert_eq!(d(w[2]).year(), y, "{line}");
                }
                _ => {}
            }
        }
    }
}

proptest! {
    #[test]
    fn between_inverts_add(offset in 0i64..730, n in 0u32..40) {
        let c = cal();
        let start = d("2025-01-01") + chrono::Duration::days(offset);
        match c.add_working_days(start, n) {
            Ok(end) => {
                prop_assert!(end >= start);
                prop_assert_eq!(c.working_days_between(start, end).unwrap(), i64::from(n));
                prop_assert_eq!(c.working_days_between(end, start).unwrap(), -i64::from(n));
                if n > 0 {
                    prop_assert!(c.is_working_day(end));
                }
            }
            Err(e) => prop_assert!(false, "every supported year counts: {e}"),
        }
    }
}
