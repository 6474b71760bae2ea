//! Scans travel both ways: 新野县's window uploads a case's scans with it, and 丰台区's back
//! office, pulling the case from its hub, brings the scans too, so it can look at them offline.

mod support;

use chrono::Utc;
use tongban_sync::sync_once;

use support::*;

fn jpeg(seed: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend(scan_bytes(seed, 4096));
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_office_brings_the_scans_of_the_cases_it_pulls_once() {
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();

    let mut window = desk(dir.path(), "window", XINYE, "A1");
    add_hub(&mut window, FENGTAI, &hub.url(), &files.window_token);
    let scans: Vec<Vec<u8>> = (0..3).map(jpeg).collect();
    for (i, bytes) in scans.iter().enumerate() {
        let kept = window.put_blob(bytes, "image/jpeg", &format!("扫描{i}.jpg"), Utc::now()).unwrap();
        window.create_case(&intake_form(&format!("申请人{i}"), Some(kept.sha256)), "wang", Utc::now()).unwrap();
    }
    let material = intake_form("", None).materials[0].name.clone();
    let window_db = window.path().to_path_buf();
    drop(window);
    assert!(sync_until_clean(&window_db, &fast_settings(), 3).await.is_empty());

    let mut office = desk(dir.path(), "office", FENGTAI, "S1");
    add_hub(&mut office, FENGTAI, &hub.url(), &files.back_office_token);
    let office_db = office.path().to_path_buf();
    drop(office);
    let results = sync_once(support::reopen(&office_db), &fast_settings()).await.unwrap();
    let report = results[0].1.as_ref().expect("the round succeeds");
    assert_eq!((report.pulled, report.scans_fetched), (3, 3));

    let office = support::reopen(&office_db);
    assert!(office.scans_missing(FENGTAI, 10).unwrap().is_empty());
    for bytes in &scans {
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
        assert_eq!(&office.read_blob(&sha256).unwrap(), bytes);
        let info = office.blob_info(&sha256).unwrap().unwrap();
        assert_eq!((info.media_type.as_str(), info.file_name), ("image/jpeg", format!("{material}.jpg")));
    }
    drop(office);

    let again = sync_once(support::reopen(&office_db), &fast_settings()).await.unwrap();
    assert_eq!(again[0].1.as_ref().unwrap().scans_fetched, 0, "fetched once");
}
