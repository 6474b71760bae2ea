//! `tongban workdays publish`: a region admin sends the years of holiday arrangement imported on
//! this desk to the region's hub, from which every desk syncing with it installs them.

use tongban_store::Store;
use tongban_sync::client::HubClient;
use tongban_sync::SyncSettings;
use tongban_wire::calendar::CalendarYearUpload;

use crate::catalog::publication_target;
use crate::Failure;

/// Publishes `years` (every imported year when empty) to the hub of this desk's region, or `hub`.
pub fn run(store: &Store, years: &[i32], hub: Option<&str>, credential: Option<&str>) -> Result<(), Failure> {
    let held = store.official_calendar_years()?;
    let chosen: Vec<_> = if years.is_empty() {
        let imported: Vec<_> = held.into_iter().filter(|y| y.imported).collect();
        if imported.is_empty() {
            return Err(Failure(
                "本机没有导入过节假日安排，无可发布：请先用 tongban workdays import 导入国务院办公厅的通知".into(),
            ));
        }
        imported
    } else {
        let mut chosen = Vec::with_capacity(years.len());
        for &year in years {
            let found = held.iter().find(|y| y.year == year).cloned();
            chosen.push(found.ok_or_else(|| {
                Failure(format!("本机没有{year}年的正式节假日安排，请先用 tongban workdays import 导入"))
            })?);
        }
        chosen
    };
    let region = store.require_desk()?.region;
    let (url, credential) = publication_target(store, &region, hub, credential)?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure(format!("无法启动网络连接：{e}")))?;
    let client = HubClient::new(&url, &credential, &SyncSettings::default()).map_err(|e| Failure(e.to_string()))?;
    let mut failed = Vec::new();
    for year in chosen {
        let upload = CalendarYearUpload { text: year.text };
        match runtime.block_on(client.publish_calendar_year(year.year, &upload)) {
            Ok((true, document)) => {
                let short = document.sha256.get(..12).unwrap_or(&document.sha256);
                say!("已发布{}年的节假日安排到 {url}（校验值 {short}）", year.year)
            }
            Ok((false, _)) => say!("{}年的节假日安排已在 {url}，内容相同，未作改动", year.year),
            Err(e) => {
                eprintln!("{}年：{e}", year.year);
                failed.push(format!("{}年", year.year));
            }
        }
    }
    if !failed.is_empty() {
        return Err(Failure(format!("{} 的节假日安排未能发布", failed.join("、"))));
    }
    Ok(())
}
