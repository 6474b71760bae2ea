//! The window as a newcomer found it (issue 20), in the real app under Xvfb (see
//! `tongban_tests::window`), one story each, one at a time:
//! - a print on a machine with no PDF viewer says so, in Chinese, and the next print is no 补打;
//! - a partner's decision arriving while the queue is open changes the case's row by itself;
//! - a whole intake by Enter alone through every kind of control leaves every choice as it was;
//! - the back office looking for a case taken in incomplete (待补正) is told why it is not there.
//!
//! Screenshots go to `target/e2e/`. Skipped unless `TONGBAN_E2E=1`.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use tongban_desk::demo::{DEMO_CLERK, DEMO_PASSWORD};
use tongban_tests::hub::{hub_database, HubProcess, FENGTAI, XINYE};
use tongban_tests::window::{self, ctrl, key, press, save_screenshot, text_of, wait_js, wait_js_within, Harness};
use tongban_tests::{built_binary, free_port};

/// One window at a time: two apps under two displays on a 2-core machine make every wait flaky.
static ONE_WINDOW: Mutex<()> = Mutex::new(());

/// Whether the story runs (`TONGBAN_E2E=1`), holding the one window while it does.
fn begin(name: &str) -> Option<std::sync::MutexGuard<'static, ()>> {
    window::enabled(name).then(|| ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner()))
}

/// Runs a story's window part within `limit`, failing with what the window showed.
fn story(name: &str, limit: Duration, run: impl AsyncFnOnce() -> Result<(), String>) {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(window::within(limit, run())).unwrap_or_else(|e| panic!("{name}: {e}"));
    eprintln!("{name}: passed in {:.1} s", started.elapsed().as_secs_f64());
}

fn js_err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Copies a story's screenshot into `docs/screenshots/` for the README.
fn publish(shot: &str, as_name: &str) {
    let docs = tongban_tests::workspace_root().join("docs/screenshots").join(as_name);
    std::fs::copy(window::screenshot_dir().join(shot), &docs)
        .unwrap_or_else(|e| panic!("{shot} → {}: {e}", docs.display()));
}

/// The password of the hub stories' desks.
const PASSWORD: &str = "e2e-password-2026";

fn desk(path: &Path, region: &str, code: &str, user: (&str, &str, &str), url: &str, credential: &str) {
    let (login, name, role) = user;
    let mut store = tongban_store::Store::create(path).unwrap();
    let setup = tongban_store::DeskSetup {
        region: region.into(),
        hall: "政务服务中心".into(),
        window_name: "跨省通办窗口".into(),
        desk_code: code.into(),
        first_user: tongban_store::User { login: login.into(), display_name: name.into(), role: role.into() },
    };
    store.init_desk_with(&setup, Some(PASSWORD), &[], Utc::now()).unwrap();
    let hub = tongban_store::HubSetup {
        region: FENGTAI.into(),
        name: "北京市丰台区".into(),
        url: url.into(),
        credential: credential.into(),
    };
    store.add_hub(&hub, Utc::now()).unwrap();
}

/// `tongban sync --once` on `db`, logged in as its user `login`.
fn sync_once(db: &Path, login: &str) {
    use std::io::Write;
    let mut child = Command::new(built_binary("tongban"))
        .arg("--db")
        .arg(db)
        .args(["--user", login, "--password-stdin", "sync", "--once"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "tongban sync --once: {}", String::from_utf8_lossy(&out.stderr));
}

/// A case for 丰台区 taken in at 新野县's window (all materials brought, or the first missing).
fn take_in_for_fengtai(db: &Path, complete: bool) -> (String, String) {
    let mut form = tongban_desk::demo::sample_form(0);
    form.handling_region = FENGTAI.into();
    for (i, m) in form.materials.iter_mut().enumerate() {
        m.received = complete || i > 0;
    }
    let mut store = tongban_store::Store::unlock(db, "zhangmin", PASSWORD, Utc::now()).unwrap();
    let (_, number) = store.create_case(&form, "zhangmin", Utc::now()).unwrap();
    let summary = store.case_by_number(&number.to_string()).unwrap();
    (summary.number, summary.applicant_name)
}

/// The status cell of the queue's row for `number` (empty when the row is not shown).
async fn queue_status(client: &Client, number: &str) -> Result<String, String> {
    let script = format!(
        "for (const r of document.querySelectorAll('{}')) {{ \
           if (r.querySelector('.col-number .cell').textContent.trim() === '{number}') \
             return r.querySelector('.col-status .cell').textContent.trim(); }} return '';",
        window::QUEUE_ROWS
    );
    let v = client.execute(&script, vec![]).await.map_err(js_err)?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

#[test]
fn a_print_with_no_viewer_says_so_and_the_next_is_no_reprint() {
    let Some(_one) = begin("e2e_newcomer print") else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("desk.db");
    let seeded = tongban_desk::demo::seed(&db, 3).expect("seed the demo desk");
    let target = seeded
        .iter()
        .find(|c| seeded.iter().filter(|o| o.applicant_name.contains(&c.applicant_name)).count() == 1)
        .expect("a distinctive applicant")
        .clone();
    let prints_of = |number: &str| {
        let store = tongban_store::Store::unlock(&db, DEMO_CLERK, DEMO_PASSWORD, Utc::now()).unwrap();
        store.prints_of(store.case_by_number(number).unwrap().id).unwrap().len()
    };
    assert_eq!(prints_of(&target.number), 0, "nothing printed yet");
    let harness = Harness::start_without_viewer(dir.path());
    story("e2e_newcomer print", Duration::from_secs(120), async || {
        let client = harness.open(&db).await?;
        window::log_in(&client, DEMO_CLERK, DEMO_PASSWORD).await?;
        let search = client.find(Locator::Css("#queue-search")).await.map_err(js_err)?;
        search.send_keys(&target.applicant_name).await.map_err(js_err)?;
        window::wait_queue_rows(&client, |rows| rows.len() == 1, "the one case").await?;
        search.send_keys(&ctrl('p')).await.map_err(js_err)?;
        wait_js(
            &client,
            "const m = document.querySelector('.el-message--warning'); return !!m && m.textContent.includes('收件登记表未打印')",
            "the warning that the receipt did not print",
        )
        .await?;
        let told = text_of(&client, ".el-message--warning").await?;
        save_screenshot(&client, "print-no-viewer.png").await?;
        for said in ["找不到设置的 PDF 查看器", "请安装 PDF 阅读器", "不算已打印"] {
            assert!(told.contains(said), "the clerk is told {said:?}: {told}");
        }
        // No launcher's English, no path of the PDF (the viewer the administrator set is named).
        assert!(
            !told.contains("Launcher") && !told.contains(".prints") && !told.contains("tongban-desk-view"),
            "{told}"
        );
        let success = client.execute("return !!document.querySelector('.el-message--success')", vec![]).await;
        assert_eq!(success.map_err(js_err)?, json!(false), "no success toast beside the warning");
        // Nothing went out, so nothing was recorded and the case offers 打印, not 补打.
        assert_eq!(prints_of(&target.number), 0, "a print the viewer never showed is not recorded");
        search.send_keys(&key(Key::Down)).await.map_err(js_err)?;
        press(&client, &key(Key::Enter), "Enter on the selected case").await?;
        wait_js(
            &client,
            "const a = document.querySelector('[data-testid=action-print_receipt]'); return !!a && a.textContent.includes('打印收件登记表')",
            "the case's detail offering 打印收件登记表",
        )
        .await?;
        let action = text_of(&client, "[data-testid=action-print_receipt]").await?;
        assert!(!action.contains("补打"), "no 补打 after a print that never went out: {action}");
        client.close().await.map_err(js_err)
    });
}

#[test]
fn a_decision_arriving_while_the_queue_is_open_changes_the_row_by_itself() {
    let Some(_one) = begin("e2e_newcomer live queue") else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (hub_db, partner, office) = hub_database(dir.path(), "新野县跨省通办专窗", "A1");
    let hub = HubProcess::start(&hub_db, free_port());
    let url = hub.url();
    let (window_db, office_db) = (dir.path().join("xinye.db"), dir.path().join("fengtai.db"));
    desk(&window_db, XINYE, "A1", ("zhangmin", "张敏", "clerk"), &url, &partner);
    desk(&office_db, FENGTAI, "S1", ("zhaomin", "赵敏", "back_office"), &url, &office);
    let (number, _) = take_in_for_fengtai(&window_db, true);
    sync_once(&window_db, "zhangmin");
    sync_once(&office_db, "zhaomin");
    let harness = Harness::start(dir.path());
    story("e2e_newcomer live queue", Duration::from_secs(240), async || {
        let client = harness.open(&window_db).await?;
        window::log_in(&client, "zhangmin", PASSWORD).await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = queue_status(&client, &number).await?;
            if status.contains("已推送") {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("the case's row never showed 已推送; it shows {status:?}"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // 丰台区 accepts the case and syncs; the window is not touched from here on.
        let office_desk = tongban_desk::Desk::open_as(&office_db, "zhaomin", PASSWORD).map_err(|e| e.message)?;
        let accepted = tongban_desk::DecisionDraft {
            kind: Some(tongban_core::case::EventKind::Accepted),
            ..tongban_desk::DecisionDraft::default()
        };
        office_desk.record_decision(&number, &accepted).map_err(|e| e.message)?;
        drop(office_desk);
        sync_once(&office_db, "zhaomin");
        let decided_at = Instant::now();
        // The window's engine pulls it on its next round (every 60 s); the row follows the push.
        let row_changed = format!(
            "for (const r of document.querySelectorAll('{}')) {{ \
               if (r.querySelector('.col-number .cell').textContent.trim() === '{number}') \
                 return r.querySelector('.col-status .cell').textContent.includes('已受理'); }} return false;",
            window::QUEUE_ROWS
        );
        wait_js_within(&client, &row_changed, "the row changing to 已受理 by itself", Duration::from_secs(100)).await?;
        eprintln!(
            "e2e_newcomer: the row changed {:.1} s after the decision was pushed",
            decided_at.elapsed().as_secs_f64()
        );
        wait_js(
            &client,
            "const b = document.querySelector('[data-testid=decision-news]'); return !!b && b.textContent.includes('（1）')",
            "the decision's news in the status bar",
        )
        .await?;
        // Every count agrees with the list under it: the header's 本机办件 and the rows.
        let header = text_of(&client, ".tb-header .tb-meta").await?;
        let rows = client.find_all(Locator::Css(window::QUEUE_ROWS)).await.map_err(js_err)?.len();
        assert!(header.contains(&format!("本机办件 {rows} 件")), "header {header:?} vs {rows} rows");
        save_screenshot(&client, "queue-live-decision.png").await?;
        client.close().await.map_err(js_err)
    });
    drop(hub);
}

/// What the focused element is, for the Enter walk.
async fn focused(client: &Client) -> Result<Value, String> {
    client
        .execute(
            "const e = document.activeElement; if (!e) return null; \
             return {id: e.id || '', tag: e.tagName, type: e.getAttribute('type') || '', \
                     select: !!e.closest('.el-select'), value: 'value' in e ? e.value : ''};",
            vec![],
        )
        .await
        .map_err(js_err)
}

#[test]
fn a_whole_intake_by_enter_alone_keeps_every_choice() {
    let Some(_one) = begin("e2e_newcomer Enter") else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("desk.db");
    tongban_desk::demo::seed(&db, 0).expect("a demo desk with the sample catalog");
    let harness = Harness::start(dir.path());
    story("e2e_newcomer Enter", Duration::from_secs(150), async || {
        let client = harness.open(&db).await?;
        window::log_in(&client, DEMO_CLERK, DEMO_PASSWORD).await?;
        press(&client, &key(Key::F2), "F2").await?;
        wait_js(
            &client,
            "return !!document.activeElement && !!document.activeElement.closest('.tb-item-select')",
            "the intake with the item picker focused",
        )
        .await?;
        press(&client, "异地就医登记备案", "typing the item").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        // Enter confirms the highlighted item and moves on.
        press(&client, &key(Key::Enter), "Enter on the picker").await?;
        wait_js(&client, "return !!document.querySelector('[data-testid=intake-materials]')", "the item's materials")
            .await?;
        let typed = [
            ("intake-name", "欧阳娜娜"),
            ("intake-id-number", "110105195607120056"),
            ("intake-phone", "13937700002"),
            ("intake-address", "北京市丰台区丰台路1号"),
        ];
        let mut walk = Vec::new();
        for _ in 0..60 {
            let at = focused(&client).await?;
            let id = at["id"].as_str().unwrap_or_default().to_string();
            if let Some((_, value)) = typed.iter().find(|(field, _)| *field == id) {
                if at["value"].as_str().unwrap_or_default().is_empty() {
                    press(&client, value, &id).await?;
                }
            }
            walk.push(at);
            if id == "intake-note" || at_tag(walk.last()) == "TEXTAREA" {
                break;
            }
            press(&client, &key(Key::Enter), &format!("Enter in {id}")).await?;
            tokio::time::sleep(Duration::from_millis(120)).await;
        }
        let kinds: Vec<String> = walk
            .iter()
            .map(|w| format!("{}:{}:{}", w["tag"].as_str().unwrap_or(""), w["type"].as_str().unwrap_or(""), w["id"]))
            .collect();
        eprintln!("e2e_newcomer: Enter walked {}", kinds.join(" → "));
        let visited = |pred: &dyn Fn(&Value) -> bool| walk.iter().any(pred);
        assert!(visited(&|w| w["type"] == "radio"), "Enter passed a radio: {kinds:?}");
        assert!(visited(&|w| w["id"] == "intake-id-kind"), "Enter passed the 证件类型 dropdown: {kinds:?}");
        assert!(visited(&|w| w["id"] == "intake-has-agent"), "Enter passed the 代办人 switch: {kinds:?}");
        assert!(visited(&|w| w["id"] == "intake-material-0"), "Enter passed a material's checkbox: {kinds:?}");
        assert!(visited(&|w| w["id"] == "intake-note"), "Enter reached 备注: {kinds:?}");
        for (field, value) in typed {
            let v = client
                .execute(&format!("return document.getElementById('{field}').value"), vec![])
                .await
                .map_err(js_err)?;
            assert_eq!(v, json!(value), "{field} holds what was typed");
        }
        // Every choice is as it was: the item, 个人, 居民身份证, no 代办人, no material ticked.
        let state = client
            .execute(
                "const label = (sel) => (document.querySelector(sel + ' .el-select__placeholder') || {}).textContent || ''; \
                 return { item: label('.tb-item-select'), \
                          kind: (document.querySelector('[data-testid=intake-kind] input:checked') || {}).value, \
                          idKind: label('.el-select:has(#intake-id-kind)'), \
                          agent: document.getElementById('intake-has-agent').checked, \
                          agentFields: !!document.querySelector('[data-testid=intake-agent]'), \
                          ticked: document.querySelectorAll('[data-testid=intake-materials] input[type=checkbox]:checked').length };",
                vec![],
            )
            .await
            .map_err(js_err)?;
        assert!(state["item"].as_str().unwrap_or("").contains("异地就医登记备案"), "the item stays: {state}");
        assert_eq!(state["kind"], json!("person"), "个人 stays: {state}");
        assert!(state["idKind"].as_str().unwrap_or("").contains("居民身份证"), "证件类型 stays: {state}");
        assert_eq!(state["agent"], json!(false), "the 代办人 switch stays off: {state}");
        assert_eq!(state["agentFields"], json!(false), "no 代办人 fields appear: {state}");
        assert_eq!(state["ticked"], json!(0), "Enter ticks no material: {state}");
        save_screenshot(&client, "intake-enter.png").await?;
        let (result, _) = window::save_intake(&client).await?;
        assert!(result.contains("待补正") && result.contains("收件登记表已在查看器中打开"), "{result}");
        client.close().await.map_err(js_err)
    });
    publish("intake-enter.png", "intake-keyboard.png");
}

fn at_tag(v: Option<&Value>) -> &str {
    v.and_then(|v| v["tag"].as_str()).unwrap_or_default()
}

#[test]
fn the_back_office_looking_for_an_incomplete_case_is_told_why() {
    let Some(_one) = begin("e2e_newcomer back office") else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (hub_db, partner, office) = hub_database(dir.path(), "新野县跨省通办专窗", "A1");
    let hub = HubProcess::start(&hub_db, free_port());
    let url = hub.url();
    let (window_db, office_db) = (dir.path().join("xinye.db"), dir.path().join("fengtai.db"));
    desk(&window_db, XINYE, "A1", ("zhangmin", "张敏", "clerk"), &url, &partner);
    desk(&office_db, FENGTAI, "S1", ("zhaomin", "赵敏", "back_office"), &url, &office);
    let (number, applicant) = take_in_for_fengtai(&window_db, false);
    sync_once(&window_db, "zhangmin");
    sync_once(&office_db, "zhaomin");
    let status = tongban_store::Store::unlock(&office_db, "zhaomin", PASSWORD, Utc::now())
        .unwrap()
        .case_by_number(&number)
        .map(|c| c.status);
    assert_eq!(status.ok(), Some(tongban_core::case::CaseStatus::AwaitingMaterials), "the office holds it, 待补正");
    let harness = Harness::start(dir.path());
    story("e2e_newcomer back office", Duration::from_secs(120), async || {
        let client = harness.open(&office_db).await?;
        window::log_in(&client, "zhaomin", PASSWORD).await?;
        wait_js(&client, "return !!document.querySelector('[data-testid=nav-inbox]')", "the views' tabs").await?;
        press(&client, &format!("{}2{}", char::from(Key::Alt), char::from(Key::Null)), "Alt+2").await?;
        wait_js(&client, "return document.activeElement && document.activeElement.id === 'inbox-search'", "the search")
            .await?;
        press(&client, &applicant, "the applicant's name").await?;
        wait_js(
            &client,
            "const h = document.querySelector('[data-testid=inbox-hint]'); return !!h && h.textContent.includes('待补正') \
             && document.querySelectorAll('.inbox-table .el-table__body tr.el-table__row').length === 0",
            "the inbox saying why the searched case is not waiting",
        )
        .await?;
        let hint = text_of(&client, "[data-testid=inbox-hint]").await?;
        assert!(hint.contains("受理窗口还在等申请人补齐材料") && hint.contains("补正收件后才进入待受理"), "{hint}");
        save_screenshot(&client, "inbox-hint.png").await?;
        window::click(&client, "[data-testid=inbox-show-all]").await?;
        wait_js(
            &client,
            &format!(
                "const c = document.querySelector('.inbox-table .el-table__body tr:first-child td:first-child'); \
                 return !!c && c.textContent.includes('{number}')"
            ),
            "the case under 全部状态",
        )
        .await?;
        let filter = text_of(&client, "[data-testid=inbox-status] .el-select__placeholder").await?;
        assert!(filter.contains("全部状态"), "the filter names what it shows, not 请选择: {filter:?}");
        // Enter on the case (the inbox selects the first row): the decision dialog says why there
        // is nothing to decide yet.
        window::type_into(&client, "#inbox-search", &key(Key::Enter)).await?;
        wait_js(
            &client,
            "const n = document.querySelector('[data-testid=decision-none]'); return !!n && n.textContent.includes('窗口补正收件')",
            "the decision dialog explaining the 待补正 case",
        )
        .await?;
        save_screenshot(&client, "inbox-incomplete-case.png").await?;
        client.close().await.map_err(js_err)
    });
    publish("inbox-hint.png", "back-office-incomplete.png");
    drop(hub);
}
