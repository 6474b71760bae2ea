// Runs on Linux and drives the Windows build under Wine; `cargo test --target
// x86_64-pc-windows-gnu --test windows` (./dev test's Windows tests) compiles it to nothing.
#![cfg(unix)]

//! The clerks' platform: the Windows build of `tongban` (x86_64-pc-windows-gnu) under Wine, on
//! Windows paths — `%LOCALAPPDATA%`, drive letters, backslashes, folders and files with Chinese names —
//! with Windows file semantics (a PDF open in a viewer cannot be replaced) and Chinese console
//! output, syncing with a Linux `tongban-hub` on loopback. PDFs are read back with poppler.
//! Skipped unless `TONGBAN_WINE=1` (`./dev test` builds the Windows side and sets it).

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::{ok, stderr, stdout};
use tongban_tests::hub::{hub_database, HubProcess, FENGTAI, XINYE};
use tongban_tests::wine::{self, HeldOpen};
use tongban_tests::{free_port, pdf_text_without_whitespace};

/// The password of every desk's first user in these stories.
const PASSWORD: &str = "wine-story-2026";

/// A desk of the Windows build: its database at a Windows path (or, with `db: None`, where the
/// desk puts it by itself: `%LOCALAPPDATA%\tongban-desk\desk.db`).
struct WindowsDesk {
    db: Option<String>,
}

impl WindowsDesk {
    /// `tongban init` for 新野县's window `code`, first user 张敏 (the first user is always an
    /// admin, who may take cases in too); removes what an earlier run left at that place first.
    fn init(db: Option<&str>, code: &str) -> WindowsDesk {
        let desk = WindowsDesk { db: db.map(String::from) };
        let file = desk.unix_db();
        let _ = std::fs::remove_dir_all(file.parent().unwrap());
        let said = ok(desk.run_with_stdin(
            &[
                "init",
                "--region",
                XINYE,
                "--hall",
                "新野县政务服务中心",
                "--window",
                "跨省通办专窗",
                "--desk-code",
                code,
                "--login",
                "zhangmin",
                "--name",
                "张敏",
                "--role",
                "admin",
            ],
            PASSWORD,
        ));
        assert!(said.contains("河南省南阳市新野县"), "the console shows Chinese: {said}");
        assert!(file.is_file(), "the database is at {}", file.display());
        desk
    }

    /// Runs `tongban.exe` on this desk as its user: the one place that says how a command logs
    /// in, so the stories follow when the CLI asks for more.
    fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, PASSWORD)
    }

    fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("tongban.exe runs under Wine");
        // A Windows script ends its lines with CRLF.
        // A command that reads no password (`check id`) may end before taking it: that is fine.
        let _ = child.stdin.take().unwrap().write_all(format!("{input}\r\n").as_bytes());
        child.wait_with_output().unwrap()
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut c = wine::command(&wine::windows_binary("tongban"));
        if let Some(db) = &self.db {
            c.args(["--db", db]);
        }
        c.args(["--user", "zhangmin", "--password-stdin"])
            .args(args)
            .env_remove("TONGBAN_DB")
            .env_remove("TONGBAN_USER");
        c
    }

    /// Where the database lies on this machine.
    fn unix_db(&self) -> PathBuf {
        match &self.db {
            Some(db) => wine::unix_path(db),
            None => wine::unix_path(&format!(r"{}\tongban-desk\desk.db", local_appdata())),
        }
    }

    /// Takes demo sample `i` in for `name` from a JSON file at the Windows path `json`; the 办件编号.
    fn take_in(&self, i: usize, name: &str, json: &str) -> String {
        let mut form = serde_json::to_value(tongban_desk::demo::sample_form(i)).unwrap();
        form["applicant"]["name"] = name.into();
        let file = wine::unix_path(json);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, form.to_string()).unwrap();
        ok(self.run(&["case", "new", "--json", json]))
    }

    fn print(&self, form: &str, number: &str, out: &str) -> Output {
        std::fs::create_dir_all(wine::unix_path(out).parent().unwrap()).unwrap();
        self.run(&["print", form, number, "--out", out])
    }
}

/// `%LOCALAPPDATA%` as the Windows side sees it (`C:\users\<name>\AppData\Local`).
fn local_appdata() -> String {
    let out = wine::command(std::path::Path::new("cmd")).args(["/c", "echo", "%LOCALAPPDATA%"]).output().unwrap();
    let dir = stdout(&out);
    assert!(dir.starts_with(r"C:\users\") && dir.ends_with(r"\AppData\Local"), "LOCALAPPDATA is {dir}");
    dir
}

fn today() -> String {
    chrono::Utc::now().with_timezone(&tongban_core::time::china_time()).format("%Y-%m-%d").to_string()
}

#[test]
fn a_clerk_sets_the_desk_up_in_local_appdata_takes_a_case_in_and_reads_it_in_chinese() {
    if !wine::enabled("a_clerk_sets_the_desk_up_in_local_appdata…") {
        return;
    }
    // No --db, no TONGBAN_DB: the desk lives in %LOCALAPPDATA%\tongban-desk\desk.db.
    let desk = WindowsDesk::init(None, "W1");
    let number = desk.take_in(0, "欧阳喆", r"C:\收件材料\欧阳喆 的申请.json");
    assert!(number.starts_with("411329-") && number.ends_with("-W1-0001"), "{number}");

    let listed = ok(desk.run(&["case", "list", "--search", "欧阳"]));
    assert!(listed.contains(&number) && listed.contains("欧阳喆"), "{listed}");
    let shown = ok(desk.run(&["case", "show", &number]));
    assert!(shown.contains("状态：已收件") && shown.contains("企业职工基本养老保险关系转移接续申请"), "{shown}");

    // A wrong check digit: exit 1 and the reason in Chinese on stderr, from the Windows build too.
    let checked = desk.run(&["check", "id", "110105194912310021"]);
    assert_eq!(checked.status.code(), Some(1));
    assert!(stderr(&checked).contains("校验码"), "{}", stderr(&checked));
    assert_eq!(desk.run(&["check", "id", "11010519491231002X"]).status.code(), Some(0));
}

#[test]
fn forms_printed_on_drive_d_under_chinese_folder_names_read_back() {
    if !wine::enabled("forms_printed_on_drive_d…") {
        return;
    }
    let desk = WindowsDesk::init(Some(r"D:\新野县政务服务中心\跨省通办专窗\受理台.db"), "W2");
    let complete = desk.take_in(0, "王芳", r"D:\新野县政务服务中心\跨省通办专窗\收件\王芳.json");
    // Sample 5 misses a material: it waits for the applicant, with a notice to give.
    let waiting = desk.take_in(5, "𠮷野", r"D:\新野县政务服务中心\跨省通办专窗\收件\𠮷野.json");
    let prints = r"D:\新野县政务服务中心\打印";

    let receipt = format!(r"{prints}\收件登记表-{complete}.pdf");
    let said = ok(desk.print("receipt", &complete, &receipt));
    assert!(said.starts_with("已生成收件登记表") && said.contains(&complete), "{said}");
    let text = pdf_text_without_whitespace(&wine::unix_path(&receipt));
    for expected in [complete.as_str(), "王芳", "跨省通办收件登记表", "存档联", "申请人联", "受理人：张敏"]
    {
        assert!(text.contains(expected), "missing {expected} in the receipt: {text}");
    }

    let notice = format!(r"{prints}\一次性告知书-{waiting}.pdf");
    let said = ok(desk.print("notice", &waiting, &notice));
    assert!(said.starts_with("已生成一次性告知书") && said.contains("前补正"), "{said}");
    let text = pdf_text_without_whitespace(&wine::unix_path(&notice));
    for expected in ["一次性告知书", "𠮷野：", "基本养老保险参保缴费凭证", "《中华人民共和国社会保险法》第十九条"]
    {
        assert!(text.contains(expected), "missing {expected} in the notice: {text}");
    }

    let ledger = format!(r"{prints}\每日台账.pdf");
    std::fs::create_dir_all(wine::unix_path(prints)).unwrap();
    let said = ok(desk.run(&["ledger", "--date", &today(), "--out", &ledger]));
    assert!(said.starts_with("已生成每日台账") && said.contains("共 2 件"), "{said}");
    let text = pdf_text_without_whitespace(&wine::unix_path(&ledger));
    for expected in ["跨省通办每日收件台账", complete.as_str(), waiting.as_str(), "王芳", "𠮷野", "第1页共1页"]
    {
        assert!(text.contains(expected), "missing {expected} in the ledger: {text}");
    }
    // The database kept its Chinese name on disk (not a mangled one), its WAL beside it.
    let db = wine::unix_path(r"D:\新野县政务服务中心\跨省通办专窗\受理台.db");
    assert!(db.is_file(), "{}", db.display());
}

#[test]
fn a_print_over_a_pdf_open_in_the_viewer_fails_clearly_and_changes_nothing() {
    if !wine::enabled("a_print_over_a_pdf_open_in_the_viewer…") {
        return;
    }
    let desk = WindowsDesk::init(Some(r"C:\通办\查看器\desk.db"), "W3");
    let number = desk.take_in(0, "李娜", r"C:\通办\查看器\李娜.json");
    let out = r"C:\通办\查看器\打印\收件登记表.pdf";
    ok(desk.print("receipt", &number, out));
    let first = std::fs::read(wine::unix_path(out)).unwrap();

    // The clerk still has it open in the PDF reader and prints again to the same file.
    let viewer = HeldOpen::file(out);
    let refused = desk.print("receipt", &number, out);
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("正被其他程序打开") && stderr(&refused).contains("收件登记表.pdf"),
        "says why, naming the file: {}",
        stderr(&refused)
    );
    assert_eq!(std::fs::read(wine::unix_path(out)).unwrap(), first, "the open PDF is untouched");
    let leftovers: Vec<_> = std::fs::read_dir(wine::unix_path(r"C:\通办\查看器\打印"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "收件登记表.pdf")
        .collect();
    assert!(leftovers.is_empty(), "no temporary file stays: {leftovers:?}");
    let shown = ok(desk.run(&["case", "show", &number]));
    assert!(!shown.contains("补打"), "a print that was not delivered is not recorded: {shown}");

    // Closed in the reader: the same command works, and it is the 补打.
    drop(viewer);
    let said = ok(desk.print("receipt", &number, out));
    assert!(said.starts_with("已生成收件登记表（补打）"), "{said}");
    assert!(pdf_text_without_whitespace(&wine::unix_path(out)).contains("补打"));
}

#[test]
fn a_windows_desk_syncs_with_a_linux_hub_and_the_decision_comes_back() {
    if !wine::enabled("a_windows_desk_syncs_with_a_linux_hub…") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (hub_db, partner_token, back_office_token) = hub_database(dir.path(), "新野县跨省通办专窗", "W4");
    let hub = HubProcess::start(&hub_db, free_port());

    let desk = WindowsDesk::init(Some(r"C:\通办\同步\新野县.db"), "W4");
    let added = ok(desk.run(&[
        "partner",
        "add",
        "--region",
        FENGTAI,
        "--name",
        "北京市丰台区",
        "--hub",
        &hub.url(),
        "--credential",
        &partner_token,
    ]));
    assert!(added.contains("北京市丰台区"), "{added}");
    let numbers: Vec<String> =
        (0..2).map(|i| desk.take_in(i, "赵子龙", &format!(r"C:\通办\同步\收件\{i}.json"))).collect();
    assert_eq!(ok(desk.run(&["sync", "--once"])), "北京市丰台区（110106）：推送 2 个事件，收到 0 个事件");

    // 丰台区's back office (the Linux build) pulls them and accepts the first.
    let office = dir.path().join("fengtai.db");
    common::init_desk(&office, FENGTAI, "S1", "back_office");
    common::partner_add(&office, FENGTAI, "北京市丰台区", hub_port(&hub), &back_office_token);
    assert_eq!(
        ok(common::tongban(&office, &["sync", "--once"])),
        "北京市丰台区（110106）：推送 0 个事件，收到 2 个事件"
    );
    ok(common::tongban(&office, &["case", "decide", &numbers[0], "受理"]));
    ok(common::tongban(&office, &["sync", "--once"]));

    // Back on the Windows desk.
    assert_eq!(ok(desk.run(&["sync", "--once"])), "北京市丰台区（110106）：推送 0 个事件，收到 1 个事件");
    let shown = ok(desk.run(&["case", "show", &numbers[0]]));
    assert!(shown.contains("状态：已受理"), "{shown}");
    let listed = ok(desk.run(&["partner", "list"]));
    assert!(listed.contains("110106\t北京市丰台区"), "{listed}");
}

#[test]
fn the_windows_hub_sets_itself_up_under_a_chinese_path() {
    if !wine::enabled("the_windows_hub_sets_itself_up…") {
        return;
    }
    let db = r"C:\通办中心\丰台区\hub.db";
    let _ = std::fs::remove_dir_all(wine::unix_path(r"C:\通办中心"));
    std::fs::create_dir_all(wine::unix_path(r"C:\通办中心\丰台区")).unwrap();
    let hub = |args: &[&str]| wine::command(&wine::windows_binary("tongban-hub")).args(args).output().unwrap();
    ok(hub(&["init", "--db", db, "--region", FENGTAI]));
    let token = ok(hub(&[
        "credential",
        "issue",
        "--db",
        db,
        "--role",
        "window",
        "--region",
        XINYE,
        "--desk-code",
        "A1",
        "--desk",
        "新野县跨省通办专窗",
    ]));
    assert!(token.len() >= 32 && !token.contains(char::is_whitespace), "a credential: {token}");
    assert!(wine::unix_path(db).is_file());
}

fn hub_port(hub: &HubProcess) -> u16 {
    hub.url().rsplit(':').next().unwrap().parse().unwrap()
}
