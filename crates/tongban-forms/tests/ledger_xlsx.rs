//! The 台账 as an .xlsx, read back with calamine: the same rows as the PDF (read back with
//! poppler), typed cells, the masked ID, the header row frozen, columns as wide as their text.

mod common;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use common::*;
use tongban_core::applicant::mask_id_number;
use tongban_core::listing::LedgerEntry;
use tongban_forms::{CountSection, LEDGER_XLSX_COLUMNS, LEDGER_XLSX_HEADER_ROW};

fn sheet(xlsx: &[u8], name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx.to_vec())).unwrap();
    wb.worksheet_range(name).unwrap()
}

/// The raw XML of a part of the workbook.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx.to_vec())).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("a text cell, not {other:?}"),
    }
}

/// Cases of several kinds: deadlines plain, 预估 and none (材料不齐, 补正暂停).
fn mixed(n: usize) -> Vec<LedgerEntry> {
    let mut entries = entries(n);
    for (i, e) in entries.iter_mut().enumerate() {
        if i % 7 == 3 {
            if let Some(d) = e.case.deadline.as_mut() {
                d.estimated = true;
            }
        }
        if i % 11 == 5 {
            e.case.status = tongban_core::case::CaseStatus::SupplementRequested;
            e.case.deadline = None;
        }
    }
    // A name that looks like a formula stays text.
    entries[1].case.applicant_name = "=HYPERLINK(\"x\")".into();
    entries
}

#[test]
fn the_xlsx_holds_the_same_rows_as_the_pdf() {
    let hall = hall();
    let entries = mixed(120);
    let input = day_ledger(&entries, &hall);
    let pdf = tongban_forms::ledger(&input).unwrap();
    let path = write("ledger-xlsx", "same.pdf", &pdf);
    let pdf_rows: Vec<Vec<String>> = rows(&path).into_iter().flatten().collect();
    let xlsx = tongban_forms::ledger_xlsx(&input, &[], None).unwrap();
    std::fs::write(out_dir("ledger-xlsx").join("same.xlsx"), &xlsx).unwrap();

    let range = sheet(&xlsx, "台账");
    let header = LEDGER_XLSX_HEADER_ROW as usize;
    let titles: Vec<String> = range.rows().nth(header).unwrap().iter().map(text).collect();
    assert_eq!(titles, LEDGER_XLSX_COLUMNS);
    let title = text(&range.rows().next().unwrap()[0]);
    assert_eq!(title, "跨省通办每日收件台账");
    let period = text(&range.rows().nth(1).unwrap()[0]);
    assert!(
        period.contains("新野县政务服务中心")
            && period.contains("统计范围：2026年3月2日")
            && period.contains("共 120 件"),
        "{period}"
    );

    let data: Vec<&[Data]> = range.rows().skip(header + 1).collect();
    assert_eq!(data.len(), entries.len(), "one row per case, nothing more");
    for (i, (row, e)) in data.iter().zip(&entries).enumerate() {
        // Typed: 序号 a number, 收件时间 a date-time, 承诺办结 a date (or empty with its note).
        assert_eq!(row[0], Data::Float((i + 1) as f64), "序号 as a number");
        let received = match &row[2] {
            Data::DateTime(d) => d.as_datetime().unwrap(),
            other => panic!("收件时间 as a date, not {other:?}"),
        };
        let note = text(&row[10]);
        let deadline = match &row[9] {
            Data::DateTime(d) => {
                let day = d.as_datetime().unwrap().date().format("%Y-%m-%d").to_string();
                if note == "预估" {
                    format!("{day}（预估）")
                } else {
                    day
                }
            }
            Data::Empty => note.clone(),
            other => panic!("承诺办结 as a date, not {other:?}"),
        };
        assert_eq!(deadline, tongban_core::clocks::deadline_text(e.case.deadline, e.case.status));
        assert_eq!(text(&row[4]), mask_id_number(&e.case.applicant_id), "masked as on paper");
        // The PDF's row, cell by cell, as the xlsx gives it.
        let cells = [
            (i + 1).to_string(),
            text(&row[1]),
            received.format("%H:%M").to_string(),
            text(&row[3]),
            text(&row[4]),
            text(&row[5]),
            text(&row[6]),
            text(&row[7]),
            text(&row[8]),
            deadline,
            text(&row[11]),
        ];
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        assert!(has_row(&pdf_rows, &cells), "the PDF has no row {cells:?}");
    }
    // No ID number in full anywhere in the workbook.
    let strings = part(&xlsx, "xl/sharedStrings.xml");
    for e in &entries {
        assert!(!strings.contains(&e.case.applicant_id), "{} in full", e.case.applicant_id);
    }
    // The formula-looking name is a string cell, and no cell is a formula.
    assert_eq!(text(&data[1][3]), "=HYPERLINK(\"x\")");
    let xml = part(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(!xml.contains("<f>"), "no formulas");
    // Frozen below the column titles; the titles repeat on printed pages.
    assert!(xml.contains(&format!("ySplit=\"{}\"", header + 1)) && xml.contains("state=\"frozen\""), "{xml:.2000}");
    // Columns as wide as their widest Chinese text (two units a character).
    let longest_item = entries.iter().map(|e| e.case.item_name.chars().count()).max().unwrap();
    // `<col min="a" max="b" width="w"/>`: neighbours of one width share an element.
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let mut widths = Vec::new();
    for tag in xml.split("<col ").skip(1).map(|t| t.split("/>").next().unwrap()) {
        for _ in attr(tag, "min") as usize..=attr(tag, "max") as usize {
            widths.push(attr(tag, "width"));
        }
    }
    assert_eq!(widths.len(), LEDGER_XLSX_COLUMNS.len(), "{widths:?}");
    assert!(
        widths[5] >= (2 * longest_item) as f64 || widths[5] >= 60.0,
        "事项名称 {} for {longest_item} characters",
        widths[5]
    );
    assert!(widths[4] >= 18.0, "证件号码 {}", widths[4]);
}

#[test]
fn the_counts_and_rates_sheets_hold_numbers() {
    let hall = hall();
    let entries = entries(30);
    let input = day_ledger(&entries, &hall);
    let counts = vec![CountSection {
        title: "按事项".into(),
        rows: vec![("退休一件事".into(), 20), ("户口迁移".into(), 10)],
    }];
    let rates = tongban_core::rates::rates(
        &[],
        "2026-12-06".parse().unwrap(),
        &tongban_core::workdays::WorkCalendar::shipped(),
    );
    let xlsx = tongban_forms::ledger_xlsx(&input, &counts, Some(&rates)).unwrap();
    let range = sheet(&xlsx, "统计");
    let rows: Vec<&[Data]> = range.rows().collect();
    let find = |name: &str| rows.iter().find(|r| r[0] == Data::String(name.into())).map(|r| r[1].clone());
    assert_eq!(find("退休一件事"), Some(Data::Float(20.0)));
    assert_eq!(find("合计"), Some(Data::Float(30.0)));
    let received = entries.iter().filter(|e| e.case.status == tongban_core::case::CaseStatus::Received).count();
    assert_eq!(find("已收件"), Some(Data::Float(received as f64)));
    let rates_sheet = sheet(&xlsx, "办理指标");
    let all = rates_sheet.rows().find(|r| r[0] == Data::String("全部".into())).unwrap();
    assert_eq!(all[2], Data::Float(0.0));
    assert_eq!(all[5], Data::String("—".into()), "no rate without cases, as on paper");
}

#[test]
fn an_empty_day_and_a_backwards_range() {
    let hall = hall();
    let input = day_ledger(&[], &hall);
    let xlsx = tongban_forms::ledger_xlsx(&input, &[], None).unwrap();
    let range = sheet(&xlsx, "台账");
    assert_eq!(range.rows().count(), LEDGER_XLSX_HEADER_ROW as usize + 1, "the header and nothing else");
    let backwards = tongban_forms::Ledger { from: input.to.succ_opt().unwrap(), ..input };
    assert_eq!(tongban_forms::ledger_xlsx(&backwards, &[], None).unwrap_err().code(), "bad_range");
}

#[test]
fn two_thousand_cases_fill_two_thousand_rows() {
    let hall = hall();
    let entries = entries(2000);
    let input = day_ledger(&entries, &hall);
    let t = std::time::Instant::now();
    let xlsx = tongban_forms::ledger_xlsx(&input, &[], None).unwrap();
    eprintln!("ledger.xlsx: 2000 cases in {:?}, {} KB", t.elapsed(), xlsx.len() / 1024);
    let range = sheet(&xlsx, "台账");
    assert_eq!(range.rows().count(), LEDGER_XLSX_HEADER_ROW as usize + 1 + 2000);
}
