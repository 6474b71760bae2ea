//! The `tongban` command as an operator uses it: real binary, real database file.

mod common;

use std::path::Path;

use common::{stderr, stdout, tongban_admin};

fn init(db: &Path) {
    common::init_desk_with(db, "411329", "b2", "zhang", "张敏", "clerk");
    let o = tongban(db, &["settings", "show"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Runs `tongban` as the clerk 张敏.
fn tongban(db: &Path, args: &[&str]) -> std::process::Output {
    common::tongban_as(db, "zhang", args)
}

fn intake_json(id_number: &str) -> String {
    let mut form = serde_json::to_value(tongban_desk::demo::sample_form(0)).unwrap();
    form["applicant"]["id_number"] = id_number.into();
    form["applicant"]["name"] = "欧阳喆".into();
    form.to_string()
}

fn case_count(db: &Path) -> u64 {
    let o = tongban(db, &["case", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["total"].as_u64().unwrap()
}

#[test]
fn a_clerk_sets_up_the_desk_takes_a_case_in_and_finds_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    init(&db);
    let file = dir.path().join("case.json");
    std::fs::write(&file, intake_json("11010519491231002x")).unwrap();
    let o = tongban(&db, &["case", "new", "--json", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let number = stdout(&o);
    assert!(number.starts_with("411329-") && number.ends_with("-B2-0001"), "{number}");

    let list = tongban(&db, &["case", "list", "--search", "欧阳"]);
    let text = stdout(&list);
    assert!(text.contains(&number) && text.contains("110105********002X"), "{text}");
    assert!(text.ends_with("共 1 件，第 1 页"), "{text}");

    let show = tongban(&db, &["case", "show", &number]);
    let text = stdout(&show);
    for expected in ["状态：已收件", "欧阳喆", "11010519491231002X", "北京市丰台区", "收件　张敏@411329（待同步）"]
    {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
}

#[test]
fn a_case_with_a_bad_field_names_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    init(&db);
    let file = dir.path().join("case.json");
    std::fs::write(&file, intake_json("110105194912310021")).unwrap();
    let o = tongban(&db, &["case", "new", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "错误：申请人证件号码：校验码错误：第18位为「1」，按GB 11643应为「X」");
    assert_eq!(case_count(&db), 0);

    std::fs::write(&file, "{\n  \"item\": 3\n").unwrap();
    let o = tongban(&db, &["case", "new", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("错误：收件文件第2行"), "{}", stderr(&o));
    assert_eq!(case_count(&db), 0);
}

#[test]
fn a_case_cannot_be_taken_in_before_the_desk_is_set_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let file = dir.path().join("case.json");
    std::fs::write(&file, intake_json("11010519491231002X")).unwrap();
    let o = tongban(&db, &["case", "new", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).ends_with("desk.db」，请先运行 tongban init"), "{}", stderr(&o));
}

#[test]
fn check_exits_zero_for_valid_values_and_one_with_the_reason_otherwise() {
    let db = Path::new("/nonexistent/unused.db");
    let ok = tongban(db, &["check", "id", "11010519491231002X"]);
    assert_eq!((ok.status.code(), stdout(&ok)), (Some(0), "有效：11010519491231002X".to_string()));
    let bad = tongban(db, &["check", "id", "11010519491231002"]);
    assert_eq!((bad.status.code(), stderr(&bad)), (Some(1), "错误：应为18位，实际为17位".to_string()));
    let uscc = tongban(db, &["check", "uscc", "91350100M000100Y44"]);
    assert_eq!(uscc.status.code(), Some(1));
    assert!(stderr(&uscc).contains("按GB 32100应为「3」"), "{}", stderr(&uscc));
    let phone = tongban(db, &["check", "phone", "0377-66012345"]);
    assert_eq!(phone.status.code(), Some(0), "{}", stderr(&phone));
    let category = tongban(db, &["check", "uscc", "9A350100M000100Y43"]);
    assert_eq!(category.status.code(), Some(1));
    assert!(stderr(&category).contains("第2位「A」不是有效的机构类别代码"), "{}", stderr(&category));
}

#[test]
fn check_id_is_made_as_of_today_or_the_day_given_and_notes_an_unknown_address_code() {
    let db = Path::new("/nonexistent/unused.db");
    // 110105 2026-12-07: refused the day before, accepted on the day.
    let n = "110105202612070017";
    let before = tongban(db, &["check", "id", n, "--today", "2026-12-06"]);
    assert_eq!(
        (before.status.code(), stderr(&before)),
        (Some(1), "错误：出生日期晚于今天：2026年12月07日出生，今天是2026年12月6日，请核对".to_string())
    );
    let on_the_day = tongban(db, &["check", "id", n, "--today", "2026-12-07"]);
    assert_eq!((on_the_day.status.code(), stdout(&on_the_day)), (Some(0), format!("有效：{n}")));
    // Without --today the clock of the machine (Beijing) decides: far in the future is refused.
    let far = tongban(db, &["check", "id", "110105209912310010"]);
    assert!(stderr(&far).starts_with("错误：出生日期晚于今天"), "{}", stderr(&far));
    let old = tongban(db, &["check", "id", "119999198001010018"]);
    assert_eq!(
        (old.status.code(), stdout(&old)),
        (Some(0), "有效：119999198001010018\n注意：行政区划代码 119999 不在现行代码表中，请核对".to_string())
    );
    let bad_day = tongban(db, &["check", "id", n, "--today", "2026-13-01"]);
    assert_eq!(bad_day.status.code(), Some(1));
}

#[test]
fn workdays_answer_in_dates_across_the_spring_festival_and_estimate_years_without_a_notice() {
    let db = Path::new("/nonexistent/unused.db");
    let add = tongban(db, &["workdays", "add", "2026-02-13", "2"]);
    assert_eq!(stdout(&add), "2026-02-24");
    let between = tongban(db, &["workdays", "between", "2025-09-26", "2025-10-13"]);
    // 9-28 (Sun, make-up), 9-29, 9-30, 10-9, 10-10, 10-11 (Sat, make-up), 10-13.
    assert_eq!(stdout(&between), "7");
    // 2027 has no notice shipped: counted by the statutory rules, and said to be an estimate.
    let estimated = tongban(db, &["workdays", "add", "2027-03-01", "1"]);
    assert_eq!(stdout(&estimated), "2027-03-02（预估：经过尚无节假日安排通知的年份）");
    let years = stdout(&tongban(db, &["workdays", "years"]));
    assert!(years.contains("2026年　国务院办公厅通知"), "{years}");
    assert!(years.contains("如2027年）　预估"), "{years}");
    let shown = stdout(&tongban(db, &["workdays", "show", "2027"]));
    assert!(shown.starts_with("# 预估：") && shown.contains("holiday 2027-02-05 2027-02-08 春节"), "{shown}");
    let far = tongban(db, &["workdays", "add", "2099-12-30", "5"]);
    assert_eq!(far.status.code(), Some(1));
    assert!(stderr(&far).contains("2100年超出可计算的年份范围"), "{}", stderr(&far));
    let bad = tongban(db, &["workdays", "add", "2026-02-30", "1"]);
    assert_eq!(stderr(&bad), "错误：日期「2026-02-30」无效，应为 YYYY-MM-DD 格式的日期");
}

#[test]
fn a_later_year_is_imported_into_the_desk_and_then_counted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let file = dir.path().join("2027.txt");
    std::fs::write(&file, "year 2027\nholiday 2027-01-01 2027-01-03 元旦\n").unwrap();
    init(&db);
    let clerk = tongban(&db, &["workdays", "import", file.to_str().unwrap()]);
    assert!(stderr(&clerk).contains("没有管理本受理台的权限"), "{}", stderr(&clerk));
    let o = tongban_admin(&db, &["workdays", "import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 2026-12-31 (Thu) + 1 working day skips 元旦 and the weekend, no longer an estimate.
    assert_eq!(stdout(&tongban(&db, &["workdays", "add", "2026-12-31", "1"])), "2027-01-04");
    assert!(stdout(&tongban(&db, &["workdays", "years"])).contains("2027年　国务院办公厅通知"));
    // A notice never changes: another arrangement for 2027 is refused, naming the line.
    std::fs::write(&file, "# 更正\nyear 2027\nholiday 2027-01-01 元旦\n").unwrap();
    let changed = tongban_admin(&db, &["workdays", "import", file.to_str().unwrap()]);
    assert_eq!(changed.status.code(), Some(1));
    assert!(stderr(&changed).contains("第2行：2027年的节假日安排已按国务院办公厅通知导入"), "{}", stderr(&changed));
}

#[test]
fn the_demo_desk_has_sample_cases_in_every_kind_of_status() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let tongban = |db: &Path, args: &[&str]| {
        let password = format!("{}\n", tongban_desk::demo::DEMO_PASSWORD);
        common::tongban_with_input(db, tongban_desk::demo::DEMO_CLERK, args, &password)
    };
    let o = tongban(&db, &["demo", "--cases", "30"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let count = |db: &Path| {
        let o = tongban(db, &["case", "list", "--json"]);
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["total"].as_u64().unwrap()
    };
    assert_eq!(count(&db), 30);
    // Running it again keeps the desk as it is.
    tongban(&db, &["demo"]);
    assert_eq!(count(&db), 30);
    for status in ["待补正", "已收件", "已受理", "办理中", "需补正", "结果已寄出"] {
        let o = tongban(&db, &["case", "list", "--status", status, "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["total"].as_u64().unwrap() > 0, "no demo case is {status}");
    }
    // The demo desk holds 丰台区's sample catalog, so intakes against it work at once.
    let listed = tongban(&db, &["catalog", "list"]);
    assert!(stdout(&listed).contains("110106\t北京市丰台区\t2026-11\t28\t2\t文件导入"), "{}", stdout(&listed));
}

#[test]
fn a_demo_for_a_real_partner_hub_invents_no_partner_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    // The demo desk's clerk, with the demo password.
    let password = format!("{}\n", tongban_desk::demo::DEMO_PASSWORD);
    let o = common::tongban_with_input(
        &db,
        tongban_desk::demo::DEMO_CLERK,
        &["demo", "--cases", "30", "--without-partner-decisions"],
        &password,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let store = tongban_desk::demo::open(&db).unwrap();
    assert_eq!(store.case_count().unwrap(), 30);
    let page = store.list_cases(&tongban_store::CaseFilter::default(), 0, 100).unwrap();
    assert_eq!(page.rows.len(), 30);
    for case in &page.rows {
        let events = store.events_of(case.id).unwrap();
        assert!(events.iter().all(|e| e.local), "{}: only this desk's own events", case.number);
        assert!(
            events.iter().all(|e| e.in_outbox || e.event.body.kind().is_local()),
            "{}: all still to push",
            case.number
        );
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    init(&db);
    // Simulate a newer program having migrated this file (it is encrypted: with its key).
    let key =
        tongban_store::Store::unlock(&db, "zhang", common::PASSWORD, chrono::Utc::now()).unwrap().data_key().clone();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = {}; PRAGMA user_version = 42;", key.sqlcipher_key_pragma())).unwrap();
    drop(conn);
    let o = tongban(&db, &["case", "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("数据库版本为 42"), "{}", stderr(&o));
}

#[test]
fn a_waybill_already_on_another_case_or_of_an_unknown_form_is_warned_and_the_case_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    init(&db);
    let with_waybill = |waybill: &str| {
        let mut form: serde_json::Value = serde_json::from_str(&intake_json("11010519491231002x")).unwrap();
        form["transfer"]["mail"] = true.into();
        form["transfer"]["waybill"] = waybill.into();
        let file = dir.path().join(format!("{waybill}.json"));
        std::fs::write(&file, form.to_string()).unwrap();
        tongban(&db, &["case", "new", "--json", file.to_str().unwrap()])
    };
    let first = with_waybill("EA123456785CN");
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stderr(&first), "", "a valid S10 number on no other case is no news");
    let second = with_waybill("EA123456785CN");
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stdout(&second).ends_with("-B2-0002"), "stdout stays the number: {}", stdout(&second));
    assert!(
        stderr(&second).starts_with("注意：运单号「EA123456785CN」也登记在办件 ")
            && stderr(&second).contains(&stdout(&first)),
        "{}",
        stderr(&second)
    );
    // A wrong check digit is refused; a format the desk does not know is a warning.
    let wrong = with_waybill("EA123456784CN");
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    let unknown = with_waybill("SF1234567890123");
    assert!(unknown.status.success(), "{}", stderr(&unknown));
    assert!(stderr(&unknown).starts_with("注意："), "{}", stderr(&unknown));
    assert_eq!(case_count(&db), 3);
}

/// Adds `login` (`name`) in `role` as the admin, with the test password.
fn add_user(db: &Path, login: &str, name: &str, role: &str) {
    let input = format!("{0}\n{0}\n", common::PASSWORD);
    let o = common::tongban_with_input(db, "admin", &["user", "add", login, "--name", name, "--role", role], &input);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_supervisor_may_not_take_a_case_in_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    init(&db);
    add_user(&db, "du", "杜督查", "supervisor");
    let file = dir.path().join("case.json");
    std::fs::write(&file, intake_json("11010519491231002X")).unwrap();
    let o = common::tongban_as(&db, "du", &["case", "new", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("错误：杜督查（") && stderr(&o).ends_with("没有收件的权限"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "no number: {}", stdout(&o));
    assert_eq!(case_count(&db), 0);
}

#[test]
fn a_disabled_user_may_not_take_a_case_in_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    init(&db);
    add_user(&db, "li", "李强", "clerk");
    let file = dir.path().join("case.json");
    std::fs::write(&file, intake_json("11010519491231002X")).unwrap();
    let o = tongban_admin(&db, &["user", "disable", "li"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = common::tongban_as(&db, "li", &["case", "new", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "错误：用户「li」已停用，不能登录；如有疑问请联系管理员");
    assert!(stdout(&o).is_empty(), "no number: {}", stdout(&o));
    assert_eq!(case_count(&db), 0);
}

#[test]
fn a_case_citing_a_scan_the_desk_does_not_hold_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    init(&db);
    let unknown = "ab".repeat(32);
    let file = dir.path().join("case.json");

    // A whole intake form, as an import gives it.
    let mut form: serde_json::Value = serde_json::from_str(&intake_json("11010519491231002X")).unwrap();
    let material = form["materials"][0]["name"].as_str().unwrap().to_string();
    form["materials"][0]["scans"] = serde_json::json!([unknown]);
    std::fs::write(&file, form.to_string()).unwrap();
    let o = tongban(&db, &["case", "new", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), format!("错误：材料「{material}」的扫描件尚未保存到本机，请重新附加"));
    assert!(stdout(&o).is_empty(), "no number: {}", stdout(&o));
    assert_eq!(case_count(&db), 0);

    // An intake against the partner's catalog.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tongban-catalog/sample/fengtai-110106.xlsx");
    let o = tongban_admin(&db, &["catalog", "import", sample.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let draft = serde_json::json!({
        "partner": "110106",
        "item": "110106-SB-001",
        "applicant": { "kind": "person", "name": "欧阳喆", "id_kind": "resident_id",
                       "id_number": "11010519491231002X", "phone": "13937700001" },
        "materials": [ { "name": "居民身份证", "received": true, "scans": [unknown] } ],
        "transfer": { "network": true, "mail": false },
        "delivery": { "kind": "at_window" }
    });
    std::fs::write(&file, draft.to_string()).unwrap();
    let o = tongban(&db, &["case", "new", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "错误：材料「居民身份证」的扫描件尚未保存到本机，请重新附加");
    assert_eq!(case_count(&db), 0);

    // The same draft without the scan is taken in: the refusal was the scan's.
    let mut draft = draft;
    draft["materials"][0]["scans"] = serde_json::json!([]);
    std::fs::write(&file, draft.to_string()).unwrap();
    let o = tongban(&db, &["case", "new", "--json", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(case_count(&db), 1);
}
