//! Printing from the command line: real binary, real database, PDFs read back with poppler
//! (`pdftotext`, `pdffonts` from poppler-utils).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{ok, stderr};
use tongban_tests::pdf_text_without_whitespace;

fn pdffonts(pdf: &Path) -> String {
    let o = Command::new("pdffonts").arg(pdf).output().expect("pdffonts (poppler-utils)");
    String::from_utf8(o.stdout).unwrap()
}

struct Desk {
    _dir: tempfile::TempDir,
    db: PathBuf,
    dir: PathBuf,
}

impl Desk {
    fn new() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        common::init_hall_desk(&db, "411329", "新野县政务服务中心", "跨省通办专窗", "A1", ("zhang", "张敏", "clerk"));
        let path = dir.path().to_path_buf();
        Desk { _dir: dir, db, dir: path }
    }

    /// Runs `tongban` as the clerk 张敏 (settings as the admin).
    fn run(&self, args: &[&str]) -> Output {
        match args.first() {
            Some(&"settings") if args.get(1) == Some(&"set") => common::tongban_admin(&self.db, args),
            _ => common::tongban_as(&self.db, "zhang", args),
        }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Takes in demo sample `i` under `name`; returns the 办件编号.
    fn case(&self, i: usize, name: &str) -> String {
        let mut form = serde_json::to_value(tongban_desk::demo::sample_form(i)).unwrap();
        form["applicant"]["name"] = name.into();
        let file = self.dir.join(format!("case-{i}.json"));
        std::fs::write(&file, form.to_string()).unwrap();
        ok(self.run(&["case", "new", "--json", file.to_str().unwrap()]))
    }
}

fn today() -> String {
    chrono::Utc::now().with_timezone(&tongban_core::time::china_time()).format("%Y-%m-%d").to_string()
}

#[test]
fn a_receipt_is_printed_kept_and_a_second_print_is_marked_as_a_reprint() {
    let desk = Desk::new();
    ok(desk.run(&["settings", "set", "hall.phone", "0377-66012345"]));
    let number = desk.case(0, "欧阳喆");
    let out = desk.out("receipt.pdf");
    let said = ok(desk.run(&["print", "receipt", &number, "--out", out.to_str().unwrap()]));
    assert!(said.starts_with("已生成收件登记表：") && said.contains(&number), "{said}");
    let text = pdf_text_without_whitespace(&out);
    for expected in [
        number.as_str(),
        "欧阳喆",
        "跨省通办收件登记表",
        "存档联",
        "申请人联",
        "受理人：张敏",
        "咨询电话：0377-66012345",
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    assert!(!text.contains("补打"));
    let fonts = pdffonts(&out);
    assert!(fonts.contains("NotoSansCJKsc-Regular") && fonts.contains("yes yes yes"), "{fonts}");

    let again = desk.out("again.pdf");
    let said = ok(desk.run(&["print", "receipt", &number, "--out", again.to_str().unwrap()]));
    assert!(said.starts_with("已生成收件登记表（补打）："), "{said}");
    assert!(pdf_text_without_whitespace(&again).contains("补打"), "the reprint says so");

    let show = ok(desk.run(&["case", "show", &number]));
    assert!(show.contains("打印："), "{show}");
    assert_eq!(show.matches("收件登记表").count(), 2, "{show}");
    assert_eq!(show.matches("收件登记表（补打）").count(), 1, "{show}");
}

#[test]
fn a_notice_lists_what_is_missing_and_a_complete_case_has_none() {
    let desk = Desk::new();
    // Sample 5 misses a material; sample 0 is complete.
    let waiting = desk.case(5, "𠮷野");
    let complete = desk.case(0, "王芳");
    let out = desk.out("notice.pdf");
    let said = ok(desk.run(&["print", "notice", &waiting, "--out", out.to_str().unwrap()]));
    assert!(said.starts_with("已生成一次性告知书：") && said.contains("前补正"), "{said}");
    let text = pdf_text_without_whitespace(&out);
    for expected in [
        "一次性告知书",
        "𠮷野：",
        "基本养老保险参保缴费凭证",
        "未提交",
        "加盖转出地社保经办机构业务章",
        // Sample 5 is a 公共服务: its notice cites its own 设定依据.
        "依据《中华人民共和国社会保险法》第十九条的规定",
        "申请人签收",
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }

    let none = desk.out("none.pdf");
    let o = desk.run(&["print", "notice", &complete, "--out", none.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), format!("错误：办件{complete}的材料齐全，没有需要补正的内容，无需出具一次性告知书"));
    assert!(!none.exists(), "no file for a refused print");
    assert!(!ok(desk.run(&["case", "show", &complete])).contains("打印："), "a refused print is not recorded");
}

#[test]
fn a_name_the_font_lacks_is_refused_with_the_field_and_the_character() {
    let desk = Desk::new();
    let number = desk.case(0, "张\u{E000}");
    let out = desk.out("receipt.pdf");
    let o = desk.run(&["print", "receipt", &number, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("错误：申请人姓名中的「\u{E000}」（U+E000）是打印字体中没有的字，无法打印"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn the_days_ledger_lists_the_cases_with_masked_ids_and_an_empty_day_says_so() {
    let desk = Desk::new();
    let a = desk.case(0, "李建国");
    let b = desk.case(3, "王珺");
    let out = desk.out("ledger.pdf");
    let said = ok(desk.run(&["ledger", "--date", &today(), "--out", out.to_str().unwrap()]));
    assert!(said.starts_with("已生成每日台账：") && said.ends_with("共 2 件）"), "{said}");
    let text = pdf_text_without_whitespace(&out);
    for expected in
        [a.as_str(), b.as_str(), "李建国", "王珺", "跨省通办每日收件台账", "第1页共1页", "审核人（科长签字）", "2件"]
    {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    let id = tongban_desk::demo::sample_id_number(0);
    assert!(!text.contains(&id), "full ID must not print");
    assert!(text.contains(&tongban_core::applicant::mask_id_number(&id)));

    let partner = ok(desk.run(&["ledger", "--date", &today(), "--partner", "330802", "--out", out.to_str().unwrap()]));
    assert!(partner.ends_with("共 1 件）") && partner.contains("办理地：浙江省衢州市柯城区"), "{partner}");

    let empty = desk.out("empty.pdf");
    let said =
        ok(desk.run(&["ledger", "--date", "2026-01-05", "--to", "2026-01-09", "--out", empty.to_str().unwrap()]));
    assert!(said.ends_with("共 0 件）"), "{said}");
    assert!(pdf_text_without_whitespace(&empty).contains("本期无收件记录（2026年1月5日至2026年1月9日，共0件）"));

    let again =
        ok(desk.run(&["ledger", "--date", "2026-01-05", "--to", "2026-01-09", "--out", empty.to_str().unwrap()]));
    assert!(again.starts_with("已生成每日台账（补打）："), "{again}");

    let o = desk.run(&["ledger", "--date", &today(), "--partner", "999999", "--out", out.to_str().unwrap()]);
    assert_eq!(stderr(&o), "错误：办理地「999999」不是有效的行政区划代码（6位数字）");
    let o = desk.run(&["ledger", "--date", &today(), "--clerk", "nobody", "--out", out.to_str().unwrap()]);
    assert_eq!(stderr(&o), "错误：找不到用户「nobody」");
    let o = desk.run(&["ledger", "--date", "2026-03-09", "--to", "2026-03-02", "--out", out.to_str().unwrap()]);
    assert_eq!(stderr(&o), "错误：台账的截止日期 2026-03-02 早于起始日期 2026-03-09");
}

#[test]
fn the_ledger_goes_to_excel_by_its_extension_and_an_unknown_one_is_refused() {
    use calamine::{Data, Reader, Xlsx};
    let desk = Desk::new();
    let a = desk.case(0, "李建国");
    desk.case(3, "王珺");
    let xlsx = desk.out("台账.XLSX");
    let said = ok(desk.run(&["ledger", "--date", &today(), "--out", xlsx.to_str().unwrap()]));
    assert!(said.starts_with("已导出每日台账 Excel：") && said.contains("共 2 件；电子副本，不计为打印"), "{said}");
    let mut wb: Xlsx<_> = calamine::open_workbook(&xlsx).expect("an .xlsx, not a PDF");
    let sheet = wb.worksheet_range("台账").unwrap();
    let rows: Vec<_> = sheet.rows().skip(4).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], Data::String(a.clone()));
    let id = tongban_desk::demo::sample_id_number(0);
    assert_eq!(rows[0][4], Data::String(tongban_core::applicant::mask_id_number(&id)));

    // An Excel copy is not a print: the first PDF after it is not a 补打.
    let pdf = desk.out("ledger.pdf");
    let printed = ok(desk.run(&["ledger", "--date", &today(), "--out", pdf.to_str().unwrap()]));
    assert!(printed.starts_with("已生成每日台账："), "{printed}");

    // An extension the desk does not know: refused, nothing written, nothing recorded.
    for name in ["ledger.docx", "ledger"] {
        let other = desk.out(name);
        let o = desk.run(&["ledger", "--date", &today(), "--out", other.to_str().unwrap()]);
        let e = stderr(&o);
        assert!(e.starts_with(&format!("错误：输出文件「{}」", other.display())), "{e}");
        assert!(e.contains(".pdf（PDF，打印用）或 .xlsx（Excel 工作簿）结尾") && e.ends_with("未生成任何文件"), "{e}");
        assert!(!other.exists());
    }
    let again = ok(desk.run(&["ledger", "--date", &today(), "--out", pdf.to_str().unwrap()]));
    assert!(again.starts_with("已生成每日台账（补打）："), "only the one PDF was recorded: {again}");
    // A case's form is a PDF only.
    let o = desk.run(&["print", "receipt", &a, "--out", desk.out("r.xlsx").to_str().unwrap()]);
    assert!(stderr(&o).contains("扩展名 .xlsx 不是可输出的格式；请以 .pdf（PDF，打印用）结尾"), "{}", stderr(&o));
    assert!(!desk.out("r.xlsx").exists());
}

#[test]
fn case_new_obeys_the_offline_guardrail_and_an_admin_lifts_it_for_a_day() {
    use chrono::{Duration, Utc};
    let desk = Desk::new();
    let region = tongban_desk::demo::sample_form(0).handling_region;
    {
        // The partner's hub set up a month ago and last reached 20 days ago.
        let mut store =
            tongban_store::Store::unlock(&desk.db, "zhang", common::PASSWORD, Utc::now()).expect("the desk opens");
        let hub = tongban_store::HubSetup {
            region: region.clone(),
            name: "合作地区".into(),
            url: "http://127.0.0.1:9".into(),
            credential: "token".into(),
        };
        store.add_hub(&hub, Utc::now() - Duration::days(30)).unwrap();
        store.record_sync_success(&region, Utc::now() - Duration::days(20)).unwrap();
    }
    let mut form = serde_json::to_value(tongban_desk::demo::sample_form(0)).unwrap();
    form["applicant"]["name"] = "李建国".into();
    let file = desk.out("case.json");
    std::fs::write(&file, form.to_string()).unwrap();
    let o = desk.run(&["case", "new", "--json", file.to_str().unwrap()]);
    let e = stderr(&o);
    assert!(e.starts_with("错误：不能收件：与") && e.contains("已20天未同步") && e.contains("管理员"), "{e}");
    let listed = ok(desk.run(&["partner", "list"]));
    assert!(listed.contains("已20天未同步"), "{listed}");
    // A clerk may not lift it; the admin may, with a reason.
    let o = desk.run(&["partner", "lift-offline", "--region", &region, "--reason", "网络故障已报修"]);
    assert!(stderr(&o).contains("权限"), "{}", stderr(&o));
    let said = ok(common::tongban_admin(
        &desk.db,
        &["partner", "lift-offline", "--region", &region, "--reason", "网络故障已报修"],
    ));
    assert!(said.contains("已解除限制至") && said.contains("网络故障已报修"), "{said}");
    let number = ok(desk.run(&["case", "new", "--json", file.to_str().unwrap()]));
    assert!(number.starts_with("411329-"), "{number}");
}

#[test]
fn settings_are_shown_set_checked_and_reset() {
    let desk = Desk::new();
    let show = ok(desk.run(&["settings", "show"]));
    assert!(show.contains("hall.name\t服务中心名称\t新野县政务服务中心（默认）"), "{show}");
    assert!(show.contains("hall.phone\t咨询电话\t（未设置，打印为空白）（默认）"), "{show}");

    let said = ok(desk.run(&["settings", "set", "notice.supplement_days", "15"]));
    assert_eq!(said, "已设置补正期限（工作日）（notice.supplement_days）：15");
    let o = desk.run(&["settings", "set", "notice.supplement_days", "0"]);
    assert_eq!(stderr(&o), "错误：补正期限（工作日）：「0」无效，应为1至60之间的整数（工作日）");
    let o = desk.run(&["settings", "set", "hall.address", "书院路\u{E000}号"]);
    assert!(stderr(&o).starts_with("错误：服务中心地址中的「\u{E000}」（U+E000）"), "{}", stderr(&o));
    let o = desk.run(&["settings", "set", "hall.fax", "1"]);
    assert!(stderr(&o).starts_with("错误：设置项：没有设置项「hall.fax」"), "{}", stderr(&o));

    let json: serde_json::Value = serde_json::from_str(&ok(desk.run(&["settings", "show", "--json"]))).unwrap();
    let days = json.as_array().unwrap().iter().find(|s| s["key"] == "notice.supplement_days").unwrap();
    assert_eq!((days["value"].as_str(), days["is_default"].as_bool()), (Some("15"), Some(false)));

    let said = ok(desk.run(&["settings", "set", "notice.supplement_days", ""]));
    assert_eq!(said, "已恢复默认：补正期限（工作日）（notice.supplement_days）＝10");
}
