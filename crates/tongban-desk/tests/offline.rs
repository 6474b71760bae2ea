//! The offline guardrail as the window meets it: a partner not synced for days is warned of, then
//! refused new intakes; an admin lifts it for a day with a reason the audit log keeps; a clock set
//! back does not lift it.

use chrono::{Duration, Utc};
use tongban_core::catalog::CatalogIntake;
use tongban_core::offline::OfflineLevel;
use tongban_desk::demo::{self, DEMO_CLERK, DEMO_PASSWORD};
use tongban_desk::Desk;
use tongban_fixtures::{catalog_draft, zhou_guilan};
use tongban_store::{AuditFilter, AuditKind, HubSetup, NewAuditEntry};

const PARTNER: &str = "110106";

/// The demo desk with 丰台's hub set up 30 days ago and last reached `synced_days_ago` days ago.
fn desk_synced(synced_days_ago: i64) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    demo::seed(&db, 0).unwrap();
    let mut store = demo::open(&db).unwrap();
    let now = Utc::now();
    let hub = HubSetup {
        region: PARTNER.into(),
        name: "北京市丰台区".into(),
        url: "http://127.0.0.1:9".into(),
        credential: "token".into(),
    };
    store.add_hub(&hub, now - Duration::days(30)).unwrap();
    store.record_sync_success(PARTNER, now - Duration::days(synced_days_ago)).unwrap();
    (dir, db)
}

/// An intake of 丰台's 退休一件事, materials to come.
fn draft() -> CatalogIntake {
    catalog_draft(PARTNER, "110106-YJS-001", zhou_guilan(), vec![])
}

fn clerk(db: &std::path::Path) -> Desk {
    Desk::open_as(db, DEMO_CLERK, DEMO_PASSWORD).unwrap()
}

fn cases(desk: &Desk) -> u64 {
    desk.info().unwrap().case_count
}

#[test]
fn a_partner_unsynced_past_the_warning_is_warned_of_and_intakes_go_on() {
    let (_dir, db) = desk_synced(5);
    let desk = clerk(&db);
    let item = desk.item_choices().unwrap().into_iter().find(|c| c.bundle).unwrap();
    let details = desk.item_details(PARTNER, &item.code).unwrap();
    let offline = details.offline.expect("a warning in the intake dialog");
    assert_eq!((offline.level, offline.days), (OfflineLevel::Warn, 5));
    assert!(offline.message.contains("已5天未同步（最后一次同步成功是"), "{}", offline.message);
    let bar = desk.sync_overview().unwrap();
    assert_eq!(bar.offline.len(), 1, "the status bar says it too");
    assert!(desk.take_in(&draft()).is_ok(), "a warning never refuses");
}

#[test]
fn a_desk_unsynced_past_the_limit_refuses_a_new_intake_for_that_partner_and_changes_nothing() {
    let (_dir, db) = desk_synced(15);
    let desk = clerk(&db);
    let before = cases(&desk);
    let e = desk.take_in(&draft()).unwrap_err();
    assert_eq!(e.code, "offline_too_long");
    assert!(e.message.starts_with("不能收件：与北京市丰台区通办中心已15天未同步（最后一次同步成功是"), "{}", e.message);
    assert!(e.message.contains("超过14天的离线上限") && e.message.contains("F5") && e.message.contains("管理员"));
    assert_eq!(cases(&desk), before, "nothing saved");
    let bar = desk.sync_overview().unwrap();
    assert_eq!(bar.offline[0].level, OfflineLevel::Refuse);
    // 合作地区 shows it on 丰台's row.
    let partners = desk.partners().unwrap();
    let row = partners.iter().find(|p| p.region == PARTNER).unwrap();
    assert_eq!(row.offline.as_ref().unwrap().level, OfflineLevel::Refuse);

    // The hall's own limit: raised to 30 days, the same desk only warns.
    let mut store = demo::open(&db).unwrap();
    store.set_setting("sync.refuse_days", "30", DEMO_CLERK, Utc::now()).unwrap();
    let e = store.set_setting("sync.warn_days", "30", DEMO_CLERK, Utc::now()).unwrap_err();
    assert!(e.to_string().contains("离线提醒天数（30）须小于停止收件天数（30）"), "{e}");
    let e = store.set_setting("sync.refuse_days", "0", DEMO_CLERK, Utc::now()).unwrap_err();
    assert!(e.to_string().contains("应为1至365之间的整数（天）"), "{e}");
    drop(store);
    assert!(desk.take_in(&draft()).is_ok());
}

#[test]
fn an_admin_lifts_the_refusal_for_a_day_with_a_reason_and_the_lift_is_audited() {
    let (_dir, db) = desk_synced(20);
    let desk = clerk(&db);
    assert_eq!(desk.take_in(&draft()).unwrap_err().code, "offline_too_long");
    // A clerk may not lift it.
    assert_eq!(desk.lift_offline_limit(PARTNER, "网络故障已报修").unwrap_err().code, "not_permitted");
    drop(desk);

    let admin = Desk::open_as(&db, "wangfang", DEMO_PASSWORD).unwrap();
    let e = admin.lift_offline_limit(PARTNER, " 急 ").unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(e.message.contains("请写明解除限制的理由"), "{}", e.message);
    assert_eq!(admin.lift_offline_limit("330802", "网络故障已报修").unwrap_err().code, "unknown_hub");
    let lifted = admin.lift_offline_limit(PARTNER, "网络故障已报修，预计明日恢复").unwrap();
    assert_eq!(lifted.level, OfflineLevel::Lifted);
    assert!(lifted.message.contains("王芳已解除限制至") && lifted.message.contains("网络故障已报修，预计明日恢复"));
    // Lifted already: a second lift is refused, not stacked.
    assert_eq!(admin.lift_offline_limit(PARTNER, "再解除一次试试").unwrap_err().code, "invalid_input");
    drop(admin);

    let desk = clerk(&db);
    let taken = desk.take_in(&draft()).expect("intakes go on for the day");
    assert!(!taken.number.is_empty());
    let store = demo::open(&db).unwrap();
    let filter = AuditFilter { kind: Some(AuditKind::Settings), ..Default::default() };
    let entries = store.audit_entries(&filter, 1, 50).unwrap().rows;
    let lift = entries.iter().find(|e| e.detail.starts_with("解除离线限制")).expect("the lift in the audit log");
    assert_eq!(lift.user, "wangfang");
    assert!(
        lift.detail.contains("北京市丰台区（110106）已20天未同步")
            && lift.detail.contains("理由：网络故障已报修，预计明日恢复")
    );
    assert!(store.verify_audit(0).unwrap().is_none(), "the chain holds with the lift in it");
}

#[test]
fn a_clock_set_back_does_not_lift_the_guardrail() {
    // Reached a day ago by this clock; but the desk already recorded a login 20 days after that
    // sync: the clock was set back since. The guardrail counts from the later time.
    let (_dir, db) = desk_synced(1);
    let mut store = demo::open(&db).unwrap();
    let later = Utc::now() + Duration::days(19);
    let entry = NewAuditEntry { kind: AuditKind::Login, user: DEMO_CLERK, case_id: None, detail: "登录".into() };
    store.record(&entry, later).unwrap();
    drop(store);
    let desk = clerk(&db);
    let e = desk.take_in(&draft()).unwrap_err();
    assert_eq!(e.code, "offline_too_long", "{}", e.message);
    assert!(e.message.contains("已20天未同步"), "{}", e.message);
}
