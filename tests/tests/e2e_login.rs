//! Accounts in the real window (Xvfb + tauri-driver + WebKitWebDriver, see
//! `tongban_tests::window`): a new desk's first-run setup, filled by keyboard, ends on the login
//! screen; on the demo desk a wrong password is refused with the message and no queue, the right
//! one shows the queue with the user named in the header; Ctrl+L locks (the queue hidden) and the
//! password unlocks. The new desk's admin finds the sync running without a restart and changes
//! their own password. Screenshots of the setup, login and lock screens go to `target/e2e/`.
//! Skipped unless `TONGBAN_E2E=1`.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::Client;
use tongban_desk::demo::{DEMO_CLERK, DEMO_PASSWORD};
use tongban_tests::window::{
    self, ctrl, key, press, save_screenshot, submit_login, text_of, type_into, wait_js, Harness,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_lock_and_first_run() {
    if !window::enabled("e2e_login") {
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = dir.path().join("desk.db");
    tongban_desk::demo::seed(&demo, 6).expect("seed the demo desk");
    let fresh = dir.path().join("new.db");

    let harness = Harness::start(dir.path());
    window::within(Duration::from_secs(150), async {
        let client = harness.open(&demo).await?;
        log_in_and_lock(&client).await?;
        client.close().await.map_err(|e| format!("closing the window: {e}"))?;

        let client = harness.open(&fresh).await?;
        first_run(&client).await?;
        client.close().await.map_err(|e| format!("closing the window: {e}"))?;
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    drop(harness);
    assert!(
        tongban_store::Store::unlock(&fresh, "admin", NEW_PASSWORD, chrono::Utc::now()).is_ok(),
        "the first admin logs in with the password they changed to"
    );
    eprintln!("e2e_login: passed in {:.1} s", started.elapsed().as_secs_f64());
}

/// What the new desk's admin changes their password to.
const NEW_PASSWORD: &str = "新的密码-2026";

const QUEUE_VISIBLE: &str =
    "const t = document.querySelector('.case-queue-table'); return !!t && t.offsetParent !== null";

async fn log_in_and_lock(client: &Client) -> Result<(), String> {
    wait_js(client, "return !!document.querySelector('[data-testid=login-demo]')", "the demo accounts").await?;
    let focused =
        client.active_element().await.map_err(|e| e.to_string())?.attr("id").await.map_err(|e| e.to_string())?;
    assert_eq!(focused.as_deref(), Some("login-name"), "the focus starts in the login field");
    let hint = text_of(client, "[data-testid=login-demo]").await?;
    assert!(hint.contains(DEMO_CLERK) && hint.contains(DEMO_PASSWORD), "{hint:?}");
    save_screenshot(client, "login.png").await?;

    submit_login(client, DEMO_CLERK, "wrong-password").await?;
    wait_js(client, "return !!document.querySelector('[data-testid=login-error]')", "the refusal").await?;
    assert_eq!(text_of(client, "[data-testid=login-error]").await?.trim(), "用户名或密码错误");
    let queue: bool = client
        .execute("return !!document.querySelector('.case-queue-table')", vec![])
        .await
        .map_err(|e| e.to_string())?
        .as_bool()
        .unwrap_or(true);
    assert!(!queue, "no queue behind a refused login");
    save_screenshot(client, "login-refused.png").await?;

    window::log_in(client, DEMO_CLERK, DEMO_PASSWORD).await?;
    let user = text_of(client, "[data-testid=session-user]").await?;
    assert!(user.contains("张敏") && user.contains("窗口受理"), "the header names the user: {user:?}");
    save_screenshot(client, "logged-in.png").await?;

    press(client, &ctrl('l'), "Ctrl+L").await?;
    wait_js(client, "return !!document.querySelector('#unlock-password')", "the lock screen").await?;
    wait_js(client, &format!("return !(() => {{ {QUEUE_VISIBLE} }})()"), "the queue hidden while locked").await?;
    let who = text_of(client, "[data-testid=lock-user]").await?;
    assert!(who.contains("张敏"), "{who:?}");
    save_screenshot(client, "lock.png").await?;

    type_into(client, "#unlock-password", "wrong-password").await?;
    press(client, &key(Key::Enter), "Enter").await?;
    wait_js(
        client,
        "const e = document.querySelector('[data-testid=unlock-error]'); return !!e && e.textContent.includes('用户名或密码错误')",
        "the wrong password refused on the lock screen",
    )
    .await?;
    type_into(client, "#unlock-password", DEMO_PASSWORD).await?;
    press(client, &key(Key::Enter), "Enter").await?;
    wait_js(
        client,
        &format!("return !document.querySelector('[data-testid=lock-screen]') && (() => {{ {QUEUE_VISIBLE} }})()"),
        "the queue again after unlocking",
    )
    .await?;
    Ok(())
}

async fn first_run(client: &Client) -> Result<(), String> {
    wait_js(client, "return document.activeElement && document.activeElement.closest('#setup-region, [data-testid=setup-region]') !== null", "the setup screen, focus in the region").await?;
    press(client, "新野", "the region").await?;
    wait_js(
        client,
        "return [...document.querySelectorAll('.el-select-dropdown__item')].some(o => o.textContent.includes('河南省南阳市新野县'))",
        "新野县 offered with its full name",
    )
    .await?;
    press(client, &key(Key::Down), "Down").await?;
    press(client, &key(Key::Enter), "Enter on 新野县").await?;
    wait_js(client, "return document.activeElement && document.activeElement.id === 'setup-hall' && document.activeElement.value === '新野县政务服务中心'", "the hall suggested and focused").await?;
    // Enter moves from field to field; the window name and code keep their defaults.
    for (what, typed) in [
        ("the hall", ""),
        ("the window", ""),
        ("the code", ""),
        ("the address", "新野县书院路1号"),
        ("the phone", "0377-66012345"),
        ("the hours", ""),
        ("the login", ""),
        ("the name", "王管理"),
        ("the password", "管理员密码2026"),
    ] {
        if !typed.is_empty() {
            press(client, typed, what).await?;
        }
        press(client, &key(Key::Enter), what).await?;
    }
    press(client, "管理员密码2025", "the password again, mistyped").await?;
    press(client, &key(Key::Enter), "Enter").await?;
    wait_js(client, "return document.body.innerText.includes('两次输入的密码不一致')", "the mismatch beside the field")
        .await?;
    save_screenshot(client, "setup.png").await?;
    let again = client.find(fantoccini::Locator::Css("#setup-password-again")).await.map_err(|e| e.to_string())?;
    window::clear_field(&again, "the password again").await?;
    again.send_keys("管理员密码2026").await.map_err(|e| e.to_string())?;
    again.send_keys(&key(Key::Enter)).await.map_err(|e| e.to_string())?;
    // The recovery key, shown once: 11 groups, to print for the safe; 完成 only once confirmed.
    wait_js(
        client,
        "const d = document.querySelector('[data-testid=recovery-key-groups]'); return !!d && d.querySelectorAll('li').length === 11",
        "the recovery key after setup",
    )
    .await?;
    save_screenshot(client, "recovery-key.png").await?;
    let done_disabled = client
        .execute("return document.querySelector('[data-testid=recovery-key-done]').disabled", vec![])
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(done_disabled.as_bool(), Some(true), "完成 waits for the confirmation");
    window::click(client, "[data-testid=recovery-key-kept]").await?;
    window::click(client, "[data-testid=recovery-key-done]").await?;
    wait_js(client, "return !document.querySelector('[data-testid=recovery-key-groups]')", "the recovery key gone")
        .await?;
    wait_js(client, "return !!document.querySelector('#login-name')", "the login screen after setup").await?;
    window::log_in(client, "admin", "管理员密码2026").await?;
    let user = text_of(client, "[data-testid=session-user]").await?;
    assert!(user.contains("王管理") && user.contains("用户管理"), "{user:?}");

    // The desk set up in this window syncs at once (not only after a restart): its engine answers.
    let answer = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             window.__TAURI_INTERNALS__.invoke('sync_now').then(() => done('running'), e => done(e.code || String(e)))",
            vec![],
        )
        .await
        .map_err(|e| format!("asking the desk to sync: {e}"))?;
    assert_eq!(answer.as_str(), Some("running"), "the sync engine runs after the first-run setup");

    // 修改密码 from the header, by keyboard: the current password, the new one twice.
    window::click(client, "[data-testid=open-password]").await?;
    wait_js(
        client,
        "return document.activeElement && document.activeElement.id === 'password-current'",
        "the password dialog",
    )
    .await?;
    for (what, typed) in
        [("the current password", "管理员密码2026"), ("the new password", NEW_PASSWORD), ("again", NEW_PASSWORD)]
    {
        press(client, typed, what).await?;
        press(client, &key(Key::Enter), what).await?;
    }
    wait_js(client, "return document.body.innerText.includes('密码已修改')", "the password changed").await?;
    Ok(())
}
