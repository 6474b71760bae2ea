//! The supervisor's and the partners' views in the real window (see `tongban_tests::window`):
//! Alt+3 shows today's 台账 with its counts and a case overdue since last month; Alt+4 lists the
//! configured partner with its catalog, and a new partner is added by keyboard only (Ctrl+N,
//! the region picked by its name as on the first-run screen, then through the fields). Skipped
//! unless `TONGBAN_E2E=1`.

use std::time::{Duration, Instant};

use chrono::Utc;
use fantoccini::key::Key;
use fantoccini::Client;
use tongban_tests::free_port;
use tongban_tests::window::{self, ctrl, key, press, save_screenshot, text_of, wait_js, Harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_and_partners() {
    if !window::enabled("e2e_supervision") {
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("desk.db");
    let seeded = tongban_desk::demo::seed(&db, 8).expect("seed the demo desk");
    let mut store = tongban_desk::demo::open(&db).unwrap();
    // A case taken in five weeks ago and never decided: overdue by now.
    let (_, late) = store
        .create_case(&tongban_desk::demo::sample_form(0), "zhangmin", Utc::now() - chrono::Duration::days(35))
        .expect("a case from last month");
    let hub = tongban_store::HubSetup {
        region: "110106".into(),
        name: "北京市丰台区".into(),
        url: format!("http://127.0.0.1:{}", free_port()),
        credential: "token-0123456789".into(),
    };
    store.add_hub(&hub, Utc::now()).expect("configure the hub");
    drop(store);
    let today: Vec<_> = seeded.iter().filter(|c| c.number.contains(&beijing_today())).collect();

    let harness = Harness::start(dir.path());
    let client = window::within(Duration::from_secs(120), async {
        let client = harness.open(&db).await?;
        // The admin: supervises, and may add partners.
        window::log_in(&client, "wangfang", tongban_desk::demo::DEMO_PASSWORD).await?;
        supervision(&client, today.len(), late.as_str()).await?;
        partners(&client).await?;
        Ok(client)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    client.close().await.expect("end the WebDriver session (closes the app)");
    drop(harness);
    // The partner added in the window is in the database, as typed.
    let hubs = tongban_desk::demo::open(&db).unwrap().hubs().unwrap();
    let added = hubs.iter().find(|h| h.region == "330802").expect("the partner added in the window");
    assert_eq!(added.name, "浙江省衢州市柯城区");
    assert_eq!(added.url, "https://tongban.kecheng.example");
    assert_eq!(added.credential, "kc-secret-2026");
    eprintln!("e2e_supervision: passed in {:.1} s", started.elapsed().as_secs_f64());
}

fn beijing_today() -> String {
    Utc::now().with_timezone(&tongban_core::time::china_time()).format("%Y%m%d").to_string()
}

async fn supervision(client: &Client, today: usize, late: &str) -> Result<(), String> {
    wait_js(client, "return !!document.querySelector('[data-testid=nav-supervision]')", "the views' tabs").await?;
    press(client, &format!("{}3{}", char::from(Key::Alt), char::from(Key::Null)), "Alt+3").await?;
    wait_js(
        client,
        "const s = document.querySelector('[data-testid=supervision-stats]'); return !!s && s.textContent.includes('收件')",
        "the supervisor's counts",
    )
    .await?;
    let stats = text_of(client, "[data-testid=supervision-stats]").await?;
    assert!(stats.contains(&format!("收件{today} 件")), "today's {today} cases are counted: {stats}");
    let overdue = text_of(client, "[data-testid=supervision-overdue-count]").await?;
    assert!(overdue.contains('1'), "the case from last month is overdue: {overdue}");
    save_screenshot(client, "supervision.png").await?;
    // The overdue tab lists it, in red, with how many working days it is late.
    window::click(client, "[data-testid=supervision-overdue-tab]").await?;
    wait_js(
        client,
        &format!(
            "const t = document.querySelector('.supervision-overdue'); return !!t && t.textContent.includes('{late}') && t.textContent.includes('超期')"
        ),
        "the overdue case in the overdue tab",
    )
    .await?;
    save_screenshot(client, "supervision-overdue.png").await?;
    Ok(())
}

async fn partners(client: &Client) -> Result<(), String> {
    press(client, &format!("{}4{}", char::from(Key::Alt), char::from(Key::Null)), "Alt+4").await?;
    wait_js(
        client,
        "const t = document.querySelector('.partners-table'); return !!t && t.textContent.includes('tok…6789') && t.textContent.includes('28 个事项')",
        "丰台区 with its hub and its catalog",
    )
    .await?;
    wait_js(
        client,
        "const c = document.querySelector('[data-testid=partner-catalog]'); return !!c && c.textContent.includes('退休一件事')",
        "丰台区's catalog items",
    )
    .await?;
    save_screenshot(client, "partners.png").await?;

    // Ctrl+N, then the keyboard only: the region is picked by name (Down, Enter) and fills 名称.
    press(client, &ctrl('n'), "Ctrl+N").await?;
    wait_js(
        client,
        "return document.activeElement && document.activeElement.closest('#partner-region, [data-testid=partner-region]') !== null",
        "the region focused",
    )
    .await?;
    press(client, "柯城", "the region's name").await?;
    wait_js(
        client,
        "return [...document.querySelectorAll('.el-select-dropdown__item')].some(o => o.textContent.includes('浙江省衢州市柯城区（330802）'))",
        "柯城区 offered with its full name and code",
    )
    .await?;
    press(client, &key(Key::Down), "Down").await?;
    press(client, &key(Key::Enter), "Enter on 柯城区").await?;
    wait_js(
        client,
        "const n = document.querySelector('[data-testid=partner-region-name]'); return !!n && n.textContent.includes('浙江省衢州市柯城区') && document.activeElement.id === 'partner-name'",
        "the region named and the focus on 名称",
    )
    .await?;
    press(client, &key(Key::Tab), "Tab").await?;
    press(client, "https://tongban.kecheng.example", "the hub's address").await?;
    press(client, &key(Key::Tab), "Tab").await?;
    press(client, &format!("kc-secret-2026{}", key(Key::Enter)), "the credential and Enter").await?;
    wait_js(
        client,
        "const t = document.querySelector('.partners-table'); return !!t && t.textContent.includes('https://tongban.kecheng.example')",
        "the new partner in the table",
    )
    .await?;
    save_screenshot(client, "partners-added.png").await?;
    Ok(())
}
