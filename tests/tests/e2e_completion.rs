//! An intake with a required material missing, completed later, in the real window (Xvfb +
//! tauri-driver + WebKitWebDriver, see `tongban_tests::window`), by keyboard: F2, the item and
//! the applicant typed, the scanner's output folder named and its scan of the 居民身份证 attached
//! (which ticks it), Ctrl+S → the 一次性告知书 is printed and lists
//! what is missing → the queue shows 待补正 → ↓ Enter opens the case → F4 补正收件, the missing
//! materials ticked with Space, Ctrl+Enter → a new 收件登记表 is printed and lists them → the
//! case is 已收件 and its history shows both events → Esc gives the focus back to its row.
//! Screenshots go to `target/e2e/`. Skipped unless `TONGBAN_E2E=1`.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use tongban_tests::window::{
    self, key, save_screenshot, text_of, type_into, wait_files, wait_js, wait_queue_rows, Harness,
};

const SEARCH: &str = "#queue-search";
const ITEM: &str = "企业职工基本养老保险关系转移接续";
const MISSING: [&str; 2] = ["基本养老保险参保缴费凭证", "基本养老保险关系转移接续申请表"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_waiting_for_materials_is_completed_from_its_detail_view() {
    if !window::enabled("e2e_completion") {
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("desk.db");
    tongban_desk::demo::seed(&db, 3).expect("seed the demo desk");

    // The scanner's output folder, with one scan in it (a JPEG, as a flatbed scanner saves).
    let scans = dir.path().join("扫描");
    std::fs::create_dir(&scans).expect("the scanner folder");
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00];
    jpeg.resize(4096, 0x20);
    std::fs::write(scans.join("扫描0001.jpg"), &jpeg).expect("a scan");

    let harness = Harness::start(dir.path());
    let (client, number) = window::within(Duration::from_secs(150), async {
        let client = harness.open(&db).await?;
        window::log_in(&client, tongban_desk::demo::DEMO_CLERK, tongban_desk::demo::DEMO_PASSWORD).await?;
        wait_queue_rows(&client, |rows| rows.len() == 3, "the 3 seeded cases").await?;
        let number = take_in_with_a_material_missing(&client, &db, &scans).await?;
        complete_from_the_detail_view(&client, &harness, &number).await?;
        Ok((client, number))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    client.close().await.expect("end the WebDriver session (closes the app)");
    drop(harness);

    // Events are the truth: the intake and the completion, nothing else, both waiting for the hub.
    let store = tongban_desk::demo::open(&db).expect("open the desk");
    let case = store.case_by_number(&number).expect("the case");
    assert_eq!(case.status, tongban_core::case::CaseStatus::Received);
    let kinds: Vec<&str> = store.events_of(case.id).unwrap().iter().map(|e| e.event.body.kind().as_str()).collect();
    assert_eq!(kinds, ["received", "completed"]);
    let kept = &store.case_state(case.id).unwrap().materials[0].scans;
    assert_eq!(kept.len(), 1, "the 居民身份证 cites its scan");
    assert_eq!(store.read_blob(&kept[0]).unwrap(), jpeg, "the scan is kept as it was");
    assert!(case.deadline.is_some(), "the promised time runs from the completion");
    eprintln!("e2e_completion: passed in {:.1} s", started.elapsed().as_secs_f64());
}

/// F2, the item and applicant typed, only the 居民身份证 handed over (scanned from the scanner's
/// folder), Ctrl+S: 待补正 with the notice.
async fn take_in_with_a_material_missing(client: &Client, db: &Path, scans: &Path) -> Result<String, String> {
    let search = client.find(Locator::Css(SEARCH)).await.map_err(|e| e.to_string())?;
    search.send_keys(&key(Key::F2)).await.map_err(|e| format!("pressing F2: {e}"))?;
    wait_js(
        client,
        "return !!document.querySelector('[data-testid=intake-dialog]') && !!document.activeElement && !!document.activeElement.closest('.tb-item-select')",
        "F2 opens the intake with the item picker focused",
    )
    .await?;
    window::press(client, ITEM, "the item's name").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    window::press(client, &key(Key::Enter), "Enter on the item").await?;
    wait_js(
        client,
        &format!(
            "const r = document.querySelector('[data-testid=intake-material-row-2]'); return !!r && r.textContent.includes('{}')",
            MISSING[1]
        ),
        "the item's materials checklist",
    )
    .await?;
    window::type_applicant(client, "周桂兰", "110105195607120056", "13937700002", "1956年7月12日出生").await?;
    // The scanner folder is named once, beside the checklist; its newest scans are then offered
    // on every material's row.
    type_into(client, "input[data-testid=scanner-folder-input]", &scans.display().to_string()).await?;
    window::press(client, &key(Key::Enter), "Enter on the scanner folder").await?;
    wait_js(
        client,
        "const s = document.querySelector('[data-testid=scanner-pick-0]'); return !!s && s.textContent.includes('扫描0001.jpg')",
        "the folder's scan offered on the 居民身份证's row",
    )
    .await?;
    client
        .find(Locator::Css("[data-testid=scanner-pick-0]"))
        .await
        .map_err(|e| e.to_string())?
        .select_by_value("扫描0001.jpg")
        .await
        .map_err(|e| format!("picking the scan: {e}"))?;
    wait_js(
        client,
        "const c = document.querySelector('[data-testid=intake-scans-0] .tb-scan'); const t = document.querySelector('#intake-material-0'); \
         return !!c && c.textContent.includes('扫描0001.jpg') && !!t && t.checked",
        "the scan attached to the 居民身份证, which is ticked as handed over",
    )
    .await?;
    save_screenshot(client, "intake-scan.png").await?;
    let (result, number) = window::save_intake(client).await?;
    assert!(result.contains("待补正"), "two materials are missing: {result}");
    let notice =
        tongban_desk::viewer::ViewFolder::for_desk(db).path().to_path_buf().join(format!("一次性告知书-{number}.pdf"));
    wait_files(client, &[&notice], "the intake prints the 一次性告知书").await?;
    // Long names wrap in the table: compare without the line breaks.
    let text = tongban_tests::pdf_text_without_whitespace(&notice);
    assert!(text.contains(&number) && text.contains("周桂兰"), "the notice: {text}");
    for missing in MISSING {
        assert!(text.contains(missing), "the notice lists {missing}: {text}");
    }

    // Esc closes the intake (confirming if it asks: the item stays chosen for the next applicant).
    window::press(client, &key(Key::Escape), "Esc in the intake").await?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    if let Ok(confirm) = client.find(Locator::Css(".el-message-box .el-button--primary")).await {
        confirm.click().await.map_err(|e| format!("confirming the close: {e}"))?;
    }
    wait_js(
        client,
        "const d = document.querySelector('[data-testid=intake-dialog]'); return !d || d.offsetParent === null",
        "the intake closed",
    )
    .await?;
    let rows = wait_queue_rows(client, |rows| rows.len() == 4, "the new case in the queue").await?;
    assert!(rows.iter().any(|(n, name)| *n == number && name == "周桂兰"), "{rows:?}");
    wait_js(client, &status_in_queue(&number, "待补正"), "the queue shows the case 待补正").await?;
    Ok(number)
}

/// The case opened with ↓ Enter, F4, the missing ones ticked with Space, Ctrl+Enter: the receipt.
async fn complete_from_the_detail_view(client: &Client, harness: &Harness, number: &str) -> Result<(), String> {
    type_into(client, SEARCH, number).await?;
    wait_queue_rows(client, |rows| rows.len() == 1, "only the new case").await?;
    window::press(client, &key(Key::Down), "↓ from the search box").await?;
    window::press(client, &key(Key::Enter), "Enter on the selected row").await?;
    wait_js(
        client,
        "const s = document.querySelector('[data-testid=detail-status]'); const a = document.activeElement; \
         return !!s && s.textContent.includes('待补正') && !!a && a.dataset.testid === 'action-complete'",
        "the detail view of the waiting case, 补正收件 focused",
    )
    .await?;
    let facts = text_of(client, ".tb-detail-facts").await?;
    assert!(facts.contains("北京市丰台区") && facts.contains("110105********0056"), "masked ID: {facts}");
    save_screenshot(client, "case-detail-waiting.png").await?;

    let _ = std::fs::remove_file(harness.viewer_log());
    window::press(client, &key(Key::F4), "F4").await?;
    wait_js(client, "return !!document.querySelector('[data-testid=completion-bar]')", "the completion checklist")
        .await?;
    for position in [1, 2] {
        type_into(client, &format!("#detail-received-{position}"), " ").await?;
        type_into(client, &format!("#detail-verified-{position}"), " ").await?;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    save_screenshot(client, "case-detail-completing.png").await?;
    let ctrl_enter = format!("{}{}{}", char::from(Key::Control), char::from(Key::Enter), char::from(Key::Null));
    window::press(client, &ctrl_enter, "Ctrl+Enter").await?;

    wait_files(client, &[harness.viewer_log()], "the receipt printed after 补正收件 opens in the viewer").await?;
    let opened = std::fs::read_to_string(harness.viewer_log()).map_err(|e| e.to_string())?;
    let receipt = Path::new(opened.trim());
    let name = receipt.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    assert!(name.starts_with(&format!("收件登记表-{number}-")), "a receipt of its own: {name}");
    let text = tongban_tests::pdf_text_without_whitespace(receipt);
    assert!(text.contains(number) && text.contains("周桂兰"), "the receipt: {text}");
    for brought in MISSING {
        assert!(text.contains(brought), "the receipt lists {brought}: {text}");
    }
    assert!(!text.contains("补打"), "a new receipt, not a 补打: {text}");

    wait_js(
        client,
        "const s = document.querySelector('[data-testid=detail-status]'); return !!s && s.textContent.includes('已收件')",
        "the case is 已收件",
    )
    .await?;
    window::click(client, "#tab-history").await?;
    wait_js(
        client,
        "const h = document.querySelector('[data-testid=detail-history]'); if (!h) return false; \
         const whats = [...h.querySelectorAll('tbody td.col-what')].map(c => c.textContent.trim()); \
         return whats.join(',') === '收件,补齐材料'",
        "the history with the intake and the completion",
    )
    .await?;
    let history = text_of(client, "[data-testid=detail-history]").await?;
    assert!(history.contains(&format!("本次收到：{}、{}", MISSING[0], MISSING[1])), "{history}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    save_screenshot(client, "case-detail.png").await?;

    window::press(client, &key(Key::Escape), "Esc in the detail view").await?;
    wait_js(
        client,
        &format!(
            "const a = document.activeElement; return !!a && a.tagName === 'TR' && a.textContent.includes('{number}')"
        ),
        "Esc closes the detail and the focus is back on the case's row",
    )
    .await?;
    wait_js(client, &status_in_queue(number, "已收件"), "the queue shows the case 已收件").await?;
    Ok(())
}

/// A script: the queue row of `number` shows `status`.
fn status_in_queue(number: &str, status: &str) -> String {
    format!(
        "return [...document.querySelectorAll('.case-queue-table .el-table__body tr')].some(r => \
         r.textContent.includes('{number}') && r.querySelector('td.col-status').textContent.includes('{status}'))"
    )
}
