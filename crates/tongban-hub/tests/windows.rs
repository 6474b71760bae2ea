#![cfg(windows)]

//! The hub on Windows: a region that runs its hub on a Windows server keeps it under a Chinese
//! folder name and serves on loopback. Runs on Windows, and under Wine in CI (`./dev test`:
//! `cargo test --target x86_64-pc-windows-gnu … --test windows`, which also builds the Windows
//! `tongban-hub.exe` the CLI's Wine stories start).

use tongban_hub::{Hub, HubConfig, HubError};

#[tokio::test]
async fn a_hub_under_a_chinese_folder_serves_and_keeps_its_region() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("丰台区 通办中心").join("汇聚库.db");
    assert_eq!(Hub::open(&db, Some("110106")).unwrap().region(), "110106");
    // Opened again for another region, it refuses and stays what it was.
    assert!(matches!(Hub::open(&db, Some("411329")), Err(HubError::RegionMismatch { .. })));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = HubConfig { db: db.clone(), ..HubConfig::default() };
    let served = tokio::spawn(tongban_hub::serve(listener, config, async {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::new();
    let health = http.get(format!("{url}{}", tongban_wire::paths::HEALTH)).send().await.unwrap();
    assert!(health.status().is_success(), "{}", health.status());
    // Without a credential: refused, with a message in Chinese that arrives intact.
    let refused = http.get(format!("{url}{}", tongban_wire::paths::CALENDAR)).send().await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = refused.json().await.unwrap();
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{body}");

    stop.send(()).unwrap();
    served.await.unwrap().unwrap();
    assert_eq!(Hub::open(&db, None).unwrap().region(), "110106");
}
