//! `tongban sync`: one round with every hub (`--once`), or the engine until Ctrl+C, printing each
//! hub's state whenever it changes.

use tokio_util::sync::CancellationToken;
use tongban_desk::printing::beijing;
use tongban_store::Store;
use tongban_sync::{sync_once, HubStatus, RoundReport, SyncEngine, SyncSettings};

use crate::Failure;

pub fn run(store: Store, once: bool) -> Result<(), Failure> {
    if store.hubs()?.is_empty() {
        return Err(Failure("尚未配置任何通办中心，请先运行 tongban partner add".into()));
    }
    // Logs go to stderr; stdout stays the report. TONGBAN_LOG=info shows every round.
    let default_level = if once { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TONGBAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure(format!("无法启动同步：{e}")))?;
    let unrouted = store.unrouted_outbox_len()?;
    let outcome = if once { runtime.block_on(run_once(store)) } else { runtime.block_on(run_until_interrupted(store)) };
    if unrouted > 0 {
        say!("另有 {unrouted} 个待同步事件的办理地尚未配置通办中心，暂不推送");
    }
    outcome
}

async fn run_once(store: Store) -> Result<(), Failure> {
    let results = sync_once(store, &SyncSettings::default()).await.map_err(|e| Failure(e.to_string()))?;
    let mut failed = 0;
    for (hub, outcome) in &results {
        match outcome {
            Ok(report) => say!("{}（{}）：{}", hub.name, hub.region, describe(report)),
            Err(e) => {
                failed += 1;
                say!("{}（{}）：同步失败：{e}", hub.name, hub.region);
            }
        }
    }
    if failed > 0 {
        return Err(Failure(format!("{failed} 个通办中心同步失败，未同步的事件仍在本机，稍后再试不会重复")));
    }
    Ok(())
}

async fn run_until_interrupted(store: Store) -> Result<(), Failure> {
    let shutdown = CancellationToken::new();
    let engine =
        SyncEngine::start(store, SyncSettings::default(), shutdown.clone()).map_err(|e| Failure(e.to_string()))?;
    let mut status = engine.status();
    say!("开始同步（Ctrl+C 停止）");
    let mut shown: Vec<String> = Vec::new();
    loop {
        // A round in progress is not news; its outcome is.
        let lines: Vec<String> =
            status.borrow_and_update().iter().filter(|hub| !hub.syncing).map(status_line).collect();
        for line in lines.iter().filter(|l| !shown.contains(l)) {
            say!("{line}");
        }
        shown = lines;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            changed = status.changed() => if changed.is_err() { break },
        }
    }
    shutdown.cancel();
    engine.stopped().await;
    say!("已停止同步");
    Ok(())
}

fn describe(report: &RoundReport) -> String {
    let catalog =
        report.catalog_updated.as_ref().map(|v| format!("事项清单更新为版本 {v}（tongban catalog changes 查看变更）"));
    let calendar = (!report.calendar_installed.is_empty()).then(|| {
        let years: Vec<String> = report.calendar_installed.iter().map(|y| format!("{y}年")).collect();
        format!("安装{}的节假日安排", years.join("、"))
    });
    let published: Vec<String> = calendar.into_iter().chain(catalog).collect();
    let events = RoundReport { catalog_updated: None, calendar_installed: Vec::new(), ..report.clone() };
    if events == RoundReport::default() {
        return if published.is_empty() { "已是最新".into() } else { published.join("，") };
    }
    let mut parts = vec![format!("推送 {} 个事件", report.pushed)];
    if report.scans_uploaded > 0 {
        parts.push(format!("上传扫描件 {} 个", report.scans_uploaded));
    }
    parts.push(format!("收到 {} 个事件", report.pulled));
    if report.scans_fetched > 0 {
        parts.push(format!("下载扫描件 {} 个", report.scans_fetched));
    }
    let quarantined = report.quarantined + report.pulled_quarantined;
    if quarantined > 0 {
        parts.push(format!("{quarantined} 个事件进入隔离区（tongban quarantine list 查看原因）"));
    }
    if report.superseded > 0 {
        parts.push(format!(
            "{} 个本机的决定已被取代：另一受理台的决定先到通办中心，以其为准（tongban case show 查看）",
            report.superseded
        ));
    }
    if report.out_of_scope > 0 {
        parts.push(format!("通办中心发来 {} 个不属于本受理台的事件，未保存", report.out_of_scope));
    }
    if report.more_to_pull {
        parts.push("通办中心还有事件，下一轮继续拉取".into());
    }
    parts.extend(published);
    parts.join("，")
}

fn status_line(hub: &HubStatus) -> String {
    let mut line =
        format!("{}（{}）：{}，待推送 {}", hub.name, hub.region, if hub.online { "在线" } else { "离线" }, hub.pending);
    if hub.quarantined > 0 {
        line += &format!("，隔离 {}", hub.quarantined);
    }
    if let Some(at) = hub.last_success_at {
        line += &format!("，上次成功 {}", beijing(at).format("%H:%M:%S"));
    }
    if let Some(error) = &hub.last_error {
        line += &format!("，错误：{error}");
    }
    line
}
