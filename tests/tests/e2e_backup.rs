//! 备份 in the real window (Xvfb + tauri-driver + WebKitWebDriver, see `tongban_tests::window`):
//! the demo desk's admin sees in the header that the desk has never been backed up, opens 备份,
//! types the stick's folder and presses Enter; the progress bar runs, the result names the backup,
//! the header's warning goes, and the folder holds a backup that checks out with the desk's key.
//! The screenshot `backup.png` goes to `target/e2e/` (copied to docs/screenshots). Skipped unless
//! `TONGBAN_E2E=1`.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use tongban_desk::demo::DEMO_PASSWORD;
use tongban_tests::window::{self, click, key, press, save_screenshot, text_of, type_into, wait_js, Harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_backs_the_desk_up_to_a_stick() {
    if !window::enabled("e2e_backup") {
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = dir.path().join("desk.db");
    tongban_desk::demo::seed(&demo, 12).expect("seed the demo desk");
    let stick = dir.path().join("U盘").join("通办备份");

    let harness = Harness::start(dir.path());
    window::within(Duration::from_secs(150), async {
        let client = harness.open(&demo).await?;
        window::log_in(&client, "wangfang", DEMO_PASSWORD).await?;
        wait_js(
            &client,
            "const b = document.querySelector('[data-testid=open-backup]'); return !!b && b.textContent.includes('⚠')",
            "the header's warning: never backed up",
        )
        .await?;
        click(&client, "[data-testid=open-backup]").await?;
        wait_js(&client, "return document.activeElement && document.activeElement.id === 'backup-target'", "the folder field focused").await?;
        let last = text_of(&client, "[data-testid=backup-last]").await?;
        assert!(last.contains("还没有备份"), "{last:?}");
        type_into(&client, "#backup-target", stick.to_str().unwrap()).await?;
        press(&client, &key(Key::Enter), "Enter: back up").await?;
        wait_js(&client, "return !!document.querySelector('[data-testid=backup-result]')", "the backup's result").await?;
        let result = text_of(&client, "[data-testid=backup-result]").await?;
        assert!(result.contains("已备份到") && result.contains("12 件办件") && result.contains("已校验"), "{result:?}");
        wait_js(
            &client,
            "const b = document.querySelector('[data-testid=open-backup]'); return !!b && !b.textContent.includes('⚠')",
            "the header's warning gone",
        )
        .await?;
        let last = text_of(&client, "[data-testid=backup-last]").await?;
        assert!(last.contains("最近一次备份"), "{last:?}");
        // The settings: the daily backup to the same folder.
        type_into(&client, "#backup-folder", stick.to_str().unwrap()).await?;
        click(&client, "[data-testid=backup-save]").await?;
        wait_js(
            &client,
            "return [...document.querySelectorAll('[data-testid=backup-dialog] [role=status]')].some(e => e.textContent.includes('每天自动备份'))",
            "the settings saved",
        )
        .await?;
        // The webview paints well after the DOM settles here (a busy machine): a first shot asks
        // for a frame, the second is the one kept.
        tokio::time::sleep(Duration::from_secs(2)).await;
        save_screenshot(&client, "backup.png").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        save_screenshot(&client, "backup.png").await?;
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    drop(harness);

    let backups: Vec<_> = std::fs::read_dir(&stick).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let store = tongban_store::Store::unlock(&demo, "wangfang", DEMO_PASSWORD, chrono::Utc::now()).unwrap();
    let manifest = tongban_store::verify_backup(&backups[0], store.data_key(), |_| {}).unwrap();
    assert_eq!(manifest.cases, 12);
    assert_eq!(store.backup_prefs().unwrap().folder, stick.to_str().unwrap());
    eprintln!("e2e_backup: passed in {:.1} s", started.elapsed().as_secs_f64());
}

/// A new PC: the window opens on no desk, the clerk's admin picks 从备份恢复 on the first-run
/// screen, types the backup's folder and her login and password as of the backup, presses
/// Enter; after the backup is checked the login screen comes, and the restored desk's queue holds
/// its cases. The screenshot `restore.png` is the filled-in restore screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_pc_restores_the_desk_from_the_stick_on_the_first_run_screen() {
    if !window::enabled("e2e_backup") {
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old").join("desk.db");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    tongban_desk::demo::seed(&old, 7).expect("seed the demo desk");
    let stick = dir.path().join("stick");
    let backup = {
        let mut store = tongban_store::Store::unlock(&old, "wangfang", DEMO_PASSWORD, chrono::Utc::now()).unwrap();
        store.back_up(&stick, 3, chrono::Utc::now(), |_| {}).unwrap().path
    };
    let new_pc = dir.path().join("new").join("desk.db");
    std::fs::create_dir_all(new_pc.parent().unwrap()).unwrap();

    let harness = Harness::start(dir.path());
    window::within(Duration::from_secs(150), async {
        let client = harness.open(&new_pc).await?;
        wait_js(&client, "return !!document.querySelector('[data-testid=setup-screen]')", "the first-run screen")
            .await?;
        click(&client, "[data-testid=setup-restore]").await?;
        wait_js(
            &client,
            "return document.activeElement && document.activeElement.id === 'restore-from'",
            "the folder field focused",
        )
        .await?;
        type_into(&client, "#restore-from", backup.to_str().unwrap()).await?;
        type_into(&client, "#restore-login", "wangfang").await?;
        type_into(&client, "#restore-password", "wrong-password").await?;
        press(&client, &key(Key::Enter), "Enter: restore").await?;
        wait_js(&client, "return !!document.querySelector('[data-testid=restore-error]')", "the refusal").await?;
        let refused = text_of(&client, "[data-testid=restore-error]").await?;
        assert!(refused.contains("密码"), "{refused:?}");
        assert!(!new_pc.exists(), "a refused restore writes nothing");
        let field = client.find(fantoccini::Locator::Css("#restore-password")).await.map_err(|e| e.to_string())?;
        window::clear_field(&field, "#restore-password").await?;
        type_into(&client, "#restore-password", DEMO_PASSWORD).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        save_screenshot(&client, "restore.png").await?;
        press(&client, &key(Key::Enter), "Enter: restore").await?;
        window::log_in(&client, "zhangmin", DEMO_PASSWORD).await?;
        let rows = window::wait_queue_rows(&client, |rows| rows.len() >= 7, "the restored cases").await?;
        assert_eq!(rows.len(), 7, "{rows:?}");
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    drop(harness);
    eprintln!("e2e_backup (restore): passed in {:.1} s", started.elapsed().as_secs_f64());
}

/// What the status bar tells an admin without being asked: the desk was never backed up (a click
/// opens 备份), and the last 对账 with 丰台区 found what no sync explains (a click opens that 对账
/// on the days it compared). The 对账 is recorded as the engine's daily one records it. The
/// screenshot `status-news.png` is the status bar with both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_bar_tells_an_admin_of_an_old_backup_and_of_a_partners_reconciliation() {
    if !window::enabled("e2e_backup") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = dir.path().join("desk.db");
    tongban_desk::demo::seed(&demo, 3).expect("seed the demo desk");
    {
        let mut store = tongban_store::Store::unlock(&demo, "wangfang", DEMO_PASSWORD, chrono::Utc::now()).unwrap();
        // 丰台区's hub, not reachable from this test (the status bar shows it offline).
        let hub = tongban_store::HubSetup {
            region: "110106".into(),
            name: "北京市丰台区".into(),
            url: "http://127.0.0.1:9".into(),
            credential: "token".into(),
        };
        store.add_hub(&hub, chrono::Utc::now()).unwrap();
        let to = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        store
            .record_reconciliation(&tongban_store::ReconciliationRecord {
                hub_region: "110106".into(),
                checked_at: chrono::Utc::now(),
                from: to - chrono::Days::new(13),
                to,
                matched: 41,
                troubles: 1,
                packages: 2,
                package_days: 7,
            })
            .unwrap();
    }
    let harness = Harness::start(dir.path());
    window::within(Duration::from_secs(150), async {
        let client = harness.open(&demo).await?;
        window::log_in(&client, "wangfang", DEMO_PASSWORD).await?;
        wait_js(&client, "return !!document.querySelector('[data-testid=sync-backup-warning]')", "the backup warning").await?;
        let news = text_of(&client, "[data-testid=sync-reconcile-110106]").await?;
        assert!(news.ends_with("对账不符 3 项"), "{news:?}");
        tokio::time::sleep(Duration::from_secs(1)).await;
        save_screenshot(&client, "status-news.png").await?;
        click(&client, "[data-testid=sync-reconcile-110106]").await?;
        wait_js(
            &client,
            "const d = document.querySelector('[data-testid=reconcile-dialog]'); if (!d) return false; \
             const v = [...d.querySelectorAll('input')].map(i => i.value); return v.includes('2026-11-24') && v.includes('2026-12-07')",
            "the 对账 open on the days it compared",
        )
        .await?;
        press(&client, &key(Key::Escape), "Esc: close the 对账").await?;
        // A link in the status bar: clicked as the page does (WebDriver finds it not interactable).
        client
            .execute("document.querySelector('[data-testid=sync-backup-warning]').click()", vec![])
            .await
            .map_err(|e| format!("clicking the backup warning: {e}"))?;
        wait_js(&client, "return !!document.querySelector('#backup-target')", "备份 opened from the status bar").await?;
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}
