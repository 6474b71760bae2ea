//! Deadlines across the year's turn, as a clerk meets them on 2026-12-20 (the dates are passed
//! in; nothing sleeps): 2027 has no State Council notice yet, so its dates are 预估, printed so;
//! the notice arrives, every 预估 date is recomputed and the case's history says so. And the
//! 5-working-day 告知 clock: a case owing its 一次性告知书 shows in the overdue lists until the
//! notice is printed.

use chrono::{DateTime, NaiveDate, Utc};
use tongban_core::case::IntakeForm;
use tongban_core::workdays::Deadline;
use tongban_desk::demo;
use tongban_desk::printing::{print_case_form, Printed};
use tongban_store::{CaseFilter, FormKind, Store};
use tongban_tests::pdf_text_without_whitespace;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A sample intake with a 20-working-day promise, complete or with one material missing.
fn form(complete: bool) -> IntakeForm {
    let mut form = demo::sample_form(0);
    form.item.promised_days = 20;
    for m in &mut form.materials {
        m.received = true;
    }
    if !complete {
        form.materials[1].received = false;
    }
    form
}

fn desk() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = demo::open(&dir.path().join("desk.db")).unwrap();
    (dir, store)
}

/// Prints a case's form at `now` and returns the PDF's text without whitespace.
fn print(store: &mut Store, dir: &std::path::Path, form: FormKind, number: &str, now: &str) -> (Printed, String) {
    let out = dir.join(format!("{}-{now}.pdf", form.label()).replace(':', ""));
    let printed = print_case_form(store, form, number, demo::DEMO_CLERK, t(now), &mut |_, pdf| {
        std::fs::write(&out, pdf).map_err(|e| tongban_desk::AppError::new(tongban_desk::DeskCode::Io, e.to_string()))
    })
    .unwrap();
    (printed, pdf_text_without_whitespace(&out))
}

#[test]
fn dates_into_a_year_without_a_notice_are_printed_as_estimates_and_recomputed_when_it_comes() {
    let (dir, mut store) = desk();
    let received = t("2026-12-20T02:00:00Z");
    let (complete, complete_no) = store.create_case(&form(true), demo::DEMO_CLERK, received).unwrap();
    let (waiting, waiting_no) = store.create_case(&form(false), demo::DEMO_CLERK, received).unwrap();

    // 2026-12-20 (Sunday) + 20 working days: 2027-01-18 by the statutory rules (元旦 off), 预估.
    let summary = store.case_by_number(complete_no.as_str()).unwrap();
    assert_eq!(summary.deadline, Some(Deadline { date: d("2027-01-18"), estimated: true }));
    let (_, receipt) = print(&mut store, dir.path(), FormKind::Receipt, complete_no.as_str(), "2026-12-20T02:05:00Z");
    assert!(receipt.contains("2027年1月18日前办结（承诺时限20个工作日）（按预估节假日安排计算）"), "{receipt}");
    assert!(!receipt.contains("目前材料不齐"), "a complete case never reads as waiting");

    // The incomplete case: no promise yet, a notice owed within 5 working days of receipt.
    let summary = store.case_by_number(waiting_no.as_str()).unwrap();
    assert_eq!(summary.deadline, None);
    assert_eq!(summary.notice_due, Some(Deadline { date: d("2026-12-25"), estimated: false }));
    // Given the next day: the applicant has 10 working days, to 2027-01-05 (预估).
    let (printed, notice) =
        print(&mut store, dir.path(), FormKind::Notice, waiting_no.as_str(), "2026-12-21T01:00:00Z");
    assert_eq!(printed.supplement_by, Some(Deadline { date: d("2027-01-05"), estimated: true }));
    assert!(notice.contains("请于2027年1月5日前（自告知之日起10个工作日内，按预估节假日安排计算）"), "{notice}");
    let summary = store.case_by_number(waiting_no.as_str()).unwrap();
    assert_eq!(summary.notice_due, None, "the notice was given");
    assert_eq!(summary.supplement_due, Some(Deadline { date: d("2027-01-05"), estimated: true }));

    // The notice for 2027 arrives (a test arrangement that keeps 1月4日 off as well, so the
    // dates move): both cases are recomputed in one import, and their history says so.
    let notice_2027 = "# 测试用安排\nyear 2027\nholiday 2027-01-01 2027-01-04 元旦\n";
    let imported = store.import_calendar(notice_2027, t("2026-12-22T08:00:00Z")).unwrap();
    assert_eq!((imported.years, imported.recomputed), (vec![2027], 2));
    let summary = store.case_by_number(complete_no.as_str()).unwrap();
    assert_eq!(summary.deadline, Some(Deadline { date: d("2027-01-19"), estimated: false }));
    assert_eq!(
        store.clock_changes(complete).unwrap().into_iter().map(|(_, text)| text).collect::<Vec<_>>(),
        vec!["承诺办结日期由 2027-01-18 调整为 2027-01-19（导入2027年节假日安排）"]
    );
    let summary = store.case_by_number(waiting_no.as_str()).unwrap();
    assert_eq!(summary.supplement_due, Some(Deadline { date: d("2027-01-06"), estimated: false }));
    assert_eq!(
        store.clock_changes(waiting).unwrap().into_iter().map(|(_, text)| text).collect::<Vec<_>>(),
        vec!["补正期限由 2027-01-05 调整为 2027-01-06（导入2027年节假日安排）"]
    );

    // What was printed stays as printed; the next print has the new date, no longer 预估.
    let (again, receipt) =
        print(&mut store, dir.path(), FormKind::Receipt, complete_no.as_str(), "2026-12-22T09:00:00Z");
    assert!(again.record.reprint);
    assert!(receipt.contains("2027年1月19日前办结（承诺时限20个工作日）"), "{receipt}");
    assert!(!receipt.contains("预估"), "{receipt}");
    let first = &store.prints_of(complete).unwrap()[0];
    // The kept copy is encrypted: read back through the store, as the window shows it again.
    let kept = dir.path().join("kept.pdf");
    std::fs::write(&kept, store.read_blob(&first.pdf_sha256).unwrap()).unwrap();
    assert!(pdf_text_without_whitespace(&kept).contains("2027年1月18日前办结"), "the first receipt is kept as printed");

    // Importing the same arrangement again changes nothing; a different one for 2027 is refused.
    assert_eq!(store.import_calendar(notice_2027, t("2026-12-23T08:00:00Z")).unwrap().recomputed, 0);
    let e = store.import_calendar("year 2027\nholiday 2027-01-01 元旦\n", t("2026-12-23T08:00:00Z")).unwrap_err();
    assert!(e.to_string().contains("第1行：2027年的节假日安排已按国务院办公厅通知导入"), "{e}");
    assert_eq!(store.case_by_number(complete_no.as_str()).unwrap().deadline.unwrap().date, d("2027-01-19"));
}

#[test]
fn a_notice_not_given_by_the_fifth_working_day_is_overdue_until_it_is_printed() {
    let (dir, mut store) = desk();
    let (_, number) = store.create_case(&form(false), demo::DEMO_CLERK, t("2026-03-02T02:00:00Z")).unwrap();
    let due = store.case_by_number(number.as_str()).unwrap().notice_due.unwrap();
    assert_eq!(due, Deadline { date: d("2026-03-09"), estimated: false });
    let overdue = |store: &Store, today: &str| {
        let yesterday = d(today).pred_opt().unwrap();
        let listed = store
            .list_cases(&CaseFilter { notice_due_by: Some(yesterday), ..CaseFilter::default() }, 1, 50)
            .unwrap()
            .rows
            .into_iter()
            .map(|c| c.number)
            .collect::<Vec<_>>();
        let supervisor = store.notices_due(yesterday, 50).unwrap().into_iter().map(|c| c.number).collect::<Vec<_>>();
        assert_eq!(listed, supervisor, "the queue's filter and the supervisor's list agree");
        listed
    };
    assert!(overdue(&store, "2026-03-09").is_empty(), "due today is not yet overdue");
    assert_eq!(overdue(&store, "2026-03-10"), vec![number.to_string()]);
    assert_eq!(store.notices_owed_count(d("2026-03-09")).unwrap(), 1);
    print(&mut store, dir.path(), FormKind::Notice, number.as_str(), "2026-03-10T03:00:00Z");
    assert!(overdue(&store, "2026-03-10").is_empty(), "printing the notice clears it");
    assert_eq!(store.notices_owed_count(d("2026-12-31")).unwrap(), 0);
}
