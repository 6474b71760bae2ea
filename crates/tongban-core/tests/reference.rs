//! Our validators against two independent ones, python-stdnum (cn.ric, cn.uscc) and
//! id-validator, on 6,000 numbers whose verdicts `data/gen-reference.py` wrote into
//! `data/reference.tsv` (no Python at test time). Every number on which we disagree with a
//! reference must disagree for a reason we chose and name here; anything else fails.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use tongban_core::region;
use tongban_core::validate::{resident_id, resident_id_check_digit, uscc, uscc_categories, uscc_check_char};

const REFERENCE: &str = include_str!("data/reference.tsv");

struct Row<'a> {
    kind: &'a str,
    number: &'a str,
    stdnum: &'a str,
    id_validator: &'a str,
}

/// The day the verdicts were made (id-validator reads the clock; stdnum ignores the date).
fn generated_on() -> NaiveDate {
    let line = REFERENCE.lines().next().expect("header");
    let date = line.strip_prefix("# generated ").and_then(|r| r.get(..10)).expect("generated date");
    NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date")
}

fn rows() -> Vec<Row<'static>> {
    REFERENCE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            Row { kind: f[0], number: f[1], stdnum: f[2], id_validator: f[3] }
        })
        .collect()
}

/// Why we and a reference part ways on a 居民身份证 number.
fn resident_id_reason(number: &str, today: NaiveDate, ours: &Result<(), String>, reference_ok: bool) -> &'static str {
    match (ours, reference_ok) {
        (Err(m), true) if m.starts_with("出生日期晚于今天") => "ours refuses a birth date after today",
        (Err(m), true) if m.contains("早于1900年") => "ours refuses a birth date before 1900",
        (Err(m), true) if m.contains("不存在") => "ours refuses a date that does not exist",
        (Err(m), true) if m.contains("省级行政区划代码") || m.contains("港澳台") => {
            "ours refuses a province code outside the mainland"
        }
        (Ok(()), false) => {
            // We keep numbers whatever county code they carry (old codes stay on real IDs);
            // a code missing from our list only gets a note.
            let id = resident_id(number, today).expect("ours accepted it");
            let note = id.warning().is_some();
            assert_eq!(note, !region::is_valid_code(&number[..6]), "{number}");
            if note {
                "ours accepts an address code it does not know, with a note"
            } else {
                "ours accepts an address code the reference does not place in that year"
            }
        }
        _ => "UNEXPLAINED",
    }
}

#[test]
fn resident_ids_agree_with_stdnum_and_id_validator_but_for_named_reasons() {
    let today = generated_on();
    let mut reasons: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut agree = 0;
    for row in rows().iter().filter(|r| r.kind == "id") {
        let n = row.number;
        let ours = resident_id(n, today).map(|_| ()).map_err(|e| e.message);
        // A wrong check character or format is wrong for everyone.
        if matches!(row.stdnum, "InvalidChecksum" | "InvalidFormat" | "InvalidLength") {
            assert!(ours.is_err(), "{n}: stdnum says {}, ours accepted", row.stdnum);
            assert_ne!(resident_id_check_digit(&n[..17]), n.chars().last(), "{n}");
        }
        for (name, reference_ok) in [("stdnum", row.stdnum == "ok"), ("id-validator", row.id_validator == "ok")] {
            if ours.is_ok() == reference_ok {
                agree += 1;
                continue;
            }
            let reason = resident_id_reason(n, today, &ours, reference_ok);
            assert_ne!(reason, "UNEXPLAINED", "{n}: ours {ours:?}, {name} {reference_ok}");
            *reasons.entry((name, reason)).or_default() += 1;
        }
    }
    println!("agreements: {agree}");
    for ((name, reason), count) in &reasons {
        println!("{name}: {reason}: {count}");
    }
    // The sample exercises each rule the issue names.
    for reason in
        ["ours refuses a birth date after today", "ours accepts an address code it does not know, with a note"]
    {
        assert!(reasons.get(&("stdnum", reason)).copied().unwrap_or(0) > 10, "{reason}: {reasons:?}");
    }
    assert!(agree > 5000, "{agree}");
}

#[test]
fn usccs_agree_with_stdnum_but_for_gb_32100s_table() {
    let in_table = |d: char, c: char| uscc_categories().iter().any(|r| r.department == d && r.category == c);
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows().iter().filter(|r| r.kind == "uscc") {
        let n = row.number;
        let ours = uscc(n);
        let chars: Vec<char> = n.chars().collect();
        let check_right = uscc_check_char(&n[..17]) == Some(chars[17]);
        let region_digits = chars[2..8].iter().all(char::is_ascii_digit);
        let reason = match (row.stdnum, &ours) {
            ("ok", Ok(_)) | ("InvalidChecksum", Err(_)) => continue,
            ("ok", Err(e)) => {
                // stdnum checks no category: 9A…, 52…, 0…
                assert!(!in_table(chars[0], chars[1]), "{n}: {e}");
                assert!(e.message.starts_with("第1位") || e.message.starts_with("第2位"), "{n}: {e}");
                "ours refuses a first or second character GB 32100's table does not have"
            }
            // stdnum wants digits in the first 8 places: it refuses A…, N…, Y… which are real.
            ("InvalidFormat", Ok(_)) => {
                assert!(check_right && region_digits && in_table(chars[0], chars[1]), "{n}");
                assert!(!chars[0].is_ascii_digit() || !chars[1].is_ascii_digit(), "{n}");
                "ours accepts a registration authority written as a letter (A, N, Y)"
            }
            ("InvalidFormat", Err(e)) => {
                assert!(!check_right || !region_digits || !in_table(chars[0], chars[1]), "{n}: {e}");
                continue;
            }
            (theirs, ours) => panic!("{n}: stdnum {theirs}, ours {ours:?}"),
        };
        *reasons.entry(reason).or_default() += 1;
    }
    println!("{reasons:#?}");
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons.values().all(|&c| c > 10), "{reasons:?}");
}
