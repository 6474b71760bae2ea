//! The status bar's view of sync: hubs as configured, what waits for no hub, and catalog changes
//! until a clerk marks them read.

use chrono::Utc;
use tongban_desk::Desk;
use tongban_store::HubSetup;

#[test]
fn hubs_unrouted_events_and_catalog_news_until_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    tongban_desk::demo::seed(&db, 40).unwrap();
    let setup = HubSetup {
        region: "110106".into(),
        name: "北京市丰台区".into(),
        url: "http://127.0.0.1:9".into(),
        credential: "token".into(),
    };
    tongban_desk::demo::open(&db).unwrap().add_hub(&setup, Utc::now()).unwrap();
    let desk = Desk::open_as(&db, tongban_desk::demo::DEMO_CLERK, tongban_desk::demo::DEMO_PASSWORD).unwrap();

    let overview = desk.sync_overview().unwrap();
    assert!(!overview.running);
    let [hub] = overview.hubs.as_slice() else { panic!("one hub: {:?}", overview.hubs) };
    assert_eq!((hub.name.as_str(), hub.online, hub.own_region), ("北京市丰台区", false, false));
    assert!(hub.pending > 0, "the demo's 丰台区 intakes wait for its hub");
    assert!(overview.unrouted > 0, "cases for 衢州 and 南京 have no hub");
    let [news] = overview.catalog_news.as_slice() else { panic!("{:?}", overview.catalog_news) };
    assert_eq!((news.region_name.as_str(), news.to_version.as_str()), ("北京市丰台区", "2026-11"));
    assert_eq!(news.lines, ["收到事项清单，共 28 个事项"]);

    desk.acknowledge_catalog_news(news.id).unwrap();
    assert!(desk.sync_overview().unwrap().catalog_news.is_empty());
}

#[test]
fn a_back_office_is_not_told_of_its_own_catalog_as_news() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("office.db");
    let mut store = tongban_store::Store::create(&db).unwrap();
    let setup = tongban_store::DeskSetup {
        region: "110106".into(),
        hall: "丰台区政务服务中心".into(),
        window_name: "跨省通办后台".into(),
        desk_code: "S1".into(),
        first_user: tongban_store::User {
            login: "zhaomin".into(),
            display_name: "赵敏".into(),
            role: "back_office".into(),
        },
    };
    store.init_desk_with(&setup, Some("a-long-password-1"), &[], Utc::now()).unwrap();
    // The sample catalog is 丰台区's own: imported here, as its back office does before publishing.
    tongban_desk::demo::install_sample_catalog(&mut store).unwrap();
    assert!(store.current_catalog("110106").unwrap().is_some());
    drop(store);
    let overview = Desk::open_as(&db, "zhaomin", "a-long-password-1").unwrap().sync_overview().unwrap();
    assert!(overview.catalog_news.is_empty(), "{:?}", overview.catalog_news);
}
