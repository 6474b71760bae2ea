//! The queue and the intake in the real window (Xvfb + tauri-driver + WebKitWebDriver, see
//! `tongban_tests::window`). Seeds a desk, opens the window on it, searches for one applicant by
//! typing, and checks the queue shows exactly that case; prints its receipt with Ctrl+P; then takes
//! a 一件事 in with F2, typed fields and Ctrl+S, and reads the printed notice and receipt back.
//! Screenshots go to `target/e2e/`. Skipped unless `TONGBAN_E2E=1`.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::json;
use tongban_tests::free_port;
use tongban_tests::window::{
    self, ctrl, key, save_screenshot, text_of, type_into, wait_files, wait_js, wait_queue_rows, Harness,
};

const SEARCH: &str = "#queue-search";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_search_finds_the_typed_applicant() {
    if !window::enabled("e2e_window") {
        return;
    }
    let started = Instant::now();

    // A desk with a few cases, in a folder of its own.
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("desk.db");
    let seeded = tongban_desk::demo::seed(&db, 12).expect("seed the demo desk");
    assert_eq!(seeded.len(), 12);
    // 丰台区's hub, configured but down: the window's sync must say so in the status bar.
    let hub = tongban_store::HubSetup {
        region: "110106".into(),
        name: "北京市丰台区".into(),
        url: format!("http://127.0.0.1:{}", free_port()),
        credential: "token".into(),
    };
    tongban_desk::demo::open(&db).unwrap().add_hub(&hub, chrono::Utc::now()).expect("configure the hub");
    // The case to look for: an applicant whose name no other seeded applicant's name contains.
    let target = seeded
        .iter()
        .find(|c| seeded.iter().filter(|o| o.applicant_name.contains(&c.applicant_name)).count() == 1)
        .expect("a seeded applicant with a distinctive name")
        .clone();
    eprintln!(
        "e2e_window: seeded {} cases in {}; searching for {} ({})",
        seeded.len(),
        db.display(),
        target.applicant_name,
        target.number
    );

    let harness = Harness::start(dir.path());
    let client = window::within(Duration::from_secs(120), async {
        let client = harness.open(&db).await?;
        window::log_in(&client, tongban_desk::demo::DEMO_CLERK, tongban_desk::demo::DEMO_PASSWORD).await?;
        search_and_print(&client, &harness, &db, &target).await?;
        take_in_a_bundle(&client, &db).await?;
        Ok(client)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    client.close().await.expect("end the WebDriver session (closes the app)");
    drop(harness); // SIGTERM tauri-driver (it stops WebKitWebDriver), then Xvfb
    eprintln!("e2e_window: passed in {:.1} s", started.elapsed().as_secs_f64());
}

/// The queue: all seeded cases, the hub reported down, a search by typing, Ctrl+P, Esc.
async fn search_and_print(
    client: &Client,
    harness: &Harness,
    db: &Path,
    target: &tongban_desk::demo::SeededCase,
) -> Result<(), String> {
    let t0 = Instant::now();
    let all = wait_queue_rows(client, |rows| rows.len() == 12, "all 12 seeded cases").await?;
    eprintln!("e2e_window: queue visible {:.1} s after the page mounted", t0.elapsed().as_secs_f64());
    assert_eq!(all.len(), 12, "{all:?}");
    let header = text_of(client, "[data-testid=desk-name]").await?;
    assert!(header.contains("新野县"), "header shows the desk's region: {header:?}");

    wait_js(
        client,
        "const h = document.querySelector('[data-testid=sync-hub-110106]'); return !!h && h.textContent.includes('无法连接通办中心') && h.textContent.includes('对方拒绝连接')",
        "the status bar reporting 丰台区's hub unreachable",
    )
    .await?;
    save_screenshot(client, "queue-all.png").await?;

    // The search box has the focus on load: type straight into the focused element.
    let active = client
        .execute("return document.activeElement && document.activeElement.id", vec![])
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(active, json!("queue-search"), "the search box is focused on load");
    let search = client.find(Locator::Css(SEARCH)).await.map_err(|e| format!("no search box: {e}"))?;
    search.send_keys(&target.applicant_name).await.map_err(|e| format!("typing into the search box: {e}"))?;

    let found = wait_queue_rows(client, |rows| rows.len() == 1, &format!("only {}", target.applicant_name)).await;
    save_screenshot(client, "queue.png").await?;
    let found = found?;
    assert_eq!(
        found,
        vec![(target.number.clone(), target.applicant_name.clone())],
        "the queue shows exactly the case of the typed applicant"
    );

    // Ctrl+P prints the receipt of the only row the search left: saved beside the database and
    // handed to the PDF viewer (here a script that writes down what it was asked to open).
    search.send_keys(&ctrl('p')).await.map_err(|e| format!("pressing Ctrl+P: {e}"))?;
    let receipt = tongban_desk::viewer::ViewFolder::for_desk(db)
        .path()
        .to_path_buf()
        .join(format!("收件登记表-{}.pdf", target.number));
    wait_files(client, &[&receipt, harness.viewer_log()], "Ctrl+P saves the receipt and opens it").await?;
    let text = tongban_tests::pdf_text(&receipt);
    assert!(text.contains(&target.number) && text.contains(&target.applicant_name), "the receipt's text: {text}");
    let opened = std::fs::read_to_string(harness.viewer_log()).map_err(|e| e.to_string())?;
    assert_eq!(opened.trim(), receipt.display().to_string());
    save_screenshot(client, "queue-printed.png").await?;

    // Esc clears the search and the whole queue is back.
    search.send_keys(&key(Key::Escape)).await.map_err(|e| format!("pressing Esc: {e}"))?;
    let back = wait_queue_rows(client, |rows| rows.len() == 12, "all cases again after Esc").await?;
    assert_eq!(back.len(), 12);
    let value = search.prop("value").await.map_err(|e| e.to_string())?;
    assert_eq!(value.as_deref(), Some(""), "Esc empties the search box");
    Ok(())
}

/// F2, then an intake typed in: 退休一件事 from 丰台区's catalog, an applicant, two materials
/// brought; Ctrl+S saves it as 待补正 and prints the notice and the receipt.
async fn take_in_a_bundle(client: &Client, db: &Path) -> Result<(), String> {
    let search = client.find(Locator::Css(SEARCH)).await.map_err(|e| e.to_string())?;
    search.send_keys(&key(Key::F2)).await.map_err(|e| format!("pressing F2: {e}"))?;
    let picker_focused = "return !!document.querySelector('[data-testid=intake-dialog]') && \
        !!document.activeElement && !!document.activeElement.closest('.tb-item-select')";
    wait_js(client, picker_focused, "F2 opens the intake with the item picker focused").await?;
    let picker = client.active_element().await.map_err(|e| e.to_string())?;
    picker.send_keys("退休一件事").await.map_err(|e| format!("typing the item: {e}"))?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    picker.send_keys(&key(Key::Enter)).await.map_err(|e| format!("choosing the item: {e}"))?;
    wait_js(
        client,
        "const b = document.querySelector('[data-testid=intake-bundle-items]'); return !!b && b.textContent.includes('离退休提取住房公积金')",
        "the chosen 一件事 with its three items",
    )
    .await?;
    let contacts = text_of(client, "[data-testid=intake-contacts]").await?;
    assert!(contacts.contains("010-"), "the liaisons are shown beside the item: {contacts}");

    window::type_applicant(client, "周桂兰", "110105195607120056", "13937700002", "1956年7月12日出生").await?;
    for row in ["#intake-material-0", "#intake-material-1"] {
        type_into(client, row, " ").await?; // Space ticks 已收
    }
    save_screenshot(client, "intake.png").await?;

    let (result, number) = window::save_intake(client).await?;
    assert!(result.contains("待补正"), "three materials are missing: {result}");
    let prints = tongban_desk::viewer::ViewFolder::for_desk(db).path().to_path_buf();
    let notice = prints.join(format!("一次性告知书-{number}.pdf"));
    let receipt = prints.join(format!("收件登记表-{number}.pdf"));
    wait_files(client, &[&notice, &receipt], "the intake prints the notice and the receipt").await?;
    let text = tongban_tests::pdf_text(&notice);
    for missing in ["基本养老金申领表", "参保人员信息变更表", "离退休证明"] {
        assert!(text.contains(missing), "the notice lists {missing}: {text}");
    }
    let text = tongban_tests::pdf_text(&receipt);
    assert!(text.contains("周桂兰") && text.contains("退休一件事") && text.contains(&number), "the receipt: {text}");
    save_screenshot(client, "intake-saved.png").await?;
    Ok(())
}
