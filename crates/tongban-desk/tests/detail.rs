//! The case detail view and its actions, on a real desk database: what a case shows, 补正收件 in
//! part and in full, answering a partner's 需补正, 结果已送达, scans; and every refusal changes
//! nothing.

use chrono::Utc;
use tongban_core::applicant::Applicant;
use tongban_core::case::{Author, CaseEvent, CaseStatus, EventBody, Transfer};
use tongban_core::catalog::{CatalogIntake, Provided};
use tongban_desk::demo::{DEMO_CLERK, DEMO_PASSWORD};
use tongban_desk::{
    AfterPrint, CaseActionKind, Completion, DeliveryRecord, DeliveryWay, Desk, FormKind, MaterialTick, Party,
};
use tongban_fixtures::{catalog_draft, zhou_guilan};
use tongban_store::Store;

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];

struct Fixture {
    dir: tempfile::TempDir,
    desk: Desk,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        tongban_desk::demo::seed(&db, 0).unwrap();
        let desk = Desk::open_as(&db, DEMO_CLERK, DEMO_PASSWORD).unwrap();
        Fixture { dir, desk }
    }

    /// Takes in 企业职工基本养老保险关系转移接续 with only the 居民身份证, or complete.
    fn take_in(&self, complete: bool) -> String {
        self.desk.take_in(&Fixture::draft(complete)).unwrap().number
    }

    fn draft(complete: bool) -> CatalogIntake {
        let names = ["居民身份证", "基本养老保险参保缴费凭证", "基本养老保险关系转移接续申请表"];
        let materials = names
            .iter()
            .enumerate()
            .map(|(i, n)| Provided {
                name: n.to_string(),
                received: complete || i == 0,
                original_verified: complete || i == 0,
                ..Provided::default()
            })
            .collect();
        let mut draft = catalog_draft("110106", "110106-SB-001", zhou_guilan(), materials);
        if let Applicant::Person(person) = &mut draft.applicant {
            person.address = "河南省南阳市新野县汉华路1号".into();
        }
        draft.transfer = Transfer { network: true, mail: true, waybill: Some("1179000000017".into()) };
        draft
    }

    /// A second connection, as the sync engine would have, for the partner's decisions.
    fn store(&self) -> Store {
        tongban_desk::demo::open(&self.dir.path().join("desk.db")).unwrap()
    }

    fn partner_decides(&self, number: &str, bodies: Vec<EventBody>) {
        let mut store = self.store();
        let case = store.case_by_number(number).unwrap().id;
        let author = Author {
            user: "fengtai".into(),
            desk: "fengtai-desk".into(),
            region: "110106".into(),
            name: String::new(),
        };
        for body in bodies {
            let event =
                CaseEvent { id: uuid::Uuid::now_v7(), case_id: case, at: Utc::now(), author: author.clone(), body };
            store.append_remote(&event).unwrap();
        }
    }

    fn event_count(&self, number: &str) -> usize {
        let store = self.store();
        store.events_of(store.case_by_number(number).unwrap().id).unwrap().len()
    }
}

fn tick(position: u32) -> MaterialTick {
    MaterialTick { position, received: true, original_verified: true, scans: vec![] }
}

fn completion(ticks: Vec<MaterialTick>) -> Completion {
    Completion { materials: ticks, then: Some(AfterPrint::Save) }
}

fn kinds(detail: &tongban_desk::CaseDetail) -> Vec<CaseActionKind> {
    detail.actions.iter().map(|a| a.kind).collect()
}

#[test]
fn a_waiting_case_shows_its_parts_masked_and_offers_completion_and_the_notice() {
    let f = Fixture::new();
    let number = f.take_in(false);
    let d = f.desk.case_detail(&number).unwrap();
    assert_eq!((d.status, d.status_label.as_str()), (CaseStatus::AwaitingMaterials, "待补正"));
    assert_eq!(d.item.name, "企业职工基本养老保险关系转移接续");
    assert_eq!(d.handling_region_name, "北京市丰台区");
    assert!(d.catalog_version.is_some());
    assert_eq!(d.applicant.id_masked, "110105********0056");
    assert_eq!(d.applicant.id_label, "居民身份证");
    assert_eq!(f.desk.reveal_id_number(&number, Party::Applicant).unwrap(), "110105195607120056");
    assert_eq!(f.desk.reveal_id_number(&number, Party::Agent).unwrap_err().code, "invalid_input");
    assert_eq!(d.transfer_label, "网络流转、邮寄纸质材料");
    assert_eq!(d.transfer_waybill.as_deref(), Some("1179000000017"));
    assert_eq!(d.delivery_label, "窗口领取");
    assert_eq!(d.deadline, None, "the clock has not started");
    assert!(d.pending_sync && d.sync_label == "待同步");
    let missing: Vec<&str> = d.materials.iter().filter(|m| m.missing).map(|m| m.name.as_str()).collect();
    assert_eq!(missing, ["基本养老保险参保缴费凭证", "基本养老保险关系转移接续申请表"]);
    assert_eq!(d.history.len(), 1);
    let intake = &d.history[0];
    assert_eq!((intake.what.as_str(), intake.by.as_str(), intake.side_label.as_str()), ("收件", "张敏", "受理地"));
    assert_eq!(intake.region_name, "河南省南阳市新野县");
    assert!(intake.details.iter().any(|l| l == "缺：基本养老保险参保缴费凭证、基本养老保险关系转移接续申请表"));
    // The intake's 流转方式 includes mail: 寄出原件 is offered after the forms.
    assert_eq!(
        kinds(&d),
        [
            CaseActionKind::Complete,
            CaseActionKind::PrintReceipt,
            CaseActionKind::PrintNotice,
            CaseActionKind::MailOriginals
        ]
    );
    assert_eq!(d.actions[2].label, "打印一次性告知书");
    assert!(d.prints.is_empty());
}

#[test]
fn completing_in_part_prints_a_new_notice_and_in_full_the_receipt_and_starts_the_clock() {
    let f = Fixture::new();
    let number = f.take_in(false);
    f.desk.print_case_form(FormKind::Notice, &number, AfterPrint::Save).unwrap();
    let first_receipt = f.desk.print_case_form(FormKind::Receipt, &number, AfterPrint::Save).unwrap();

    let part = f.desk.complete_case(&number, &completion(vec![tick(1)])).unwrap();
    assert_eq!(part.status, CaseStatus::AwaitingMaterials);
    assert_eq!(part.missing, ["基本养老保险关系转移接续申请表"]);
    assert_eq!(part.form, FormKind::Notice);
    let notice = part.print.expect("a new notice");
    assert!(!notice.reprint, "it asks for less than the first one: a new notice, not a 补打");
    assert_eq!(part.print_error, None);
    let d = f.desk.case_detail(&number).unwrap();
    assert_eq!(d.deadline, None);
    assert_eq!(d.history[1].what, "补齐材料");
    assert!(d.history[1].details.contains(&"本次收到：基本养老保险参保缴费凭证".to_string()));
    assert!(d.history[1].details.contains(&"仍缺：基本养老保险关系转移接续申请表".to_string()));

    let full = f.desk.complete_case(&number, &completion(vec![tick(2)])).unwrap();
    assert_eq!((full.status, full.missing.len(), full.form), (CaseStatus::Received, 0, FormKind::Receipt));
    let receipt = full.print.expect("the receipt");
    assert!(!receipt.reprint, "it lists the materials as they are now: a new receipt, not a 补打");
    assert_ne!(receipt.path, first_receipt.path, "the first receipt's file is kept");
    let d = f.desk.case_detail(&number).unwrap();
    assert_eq!(d.status_label, "已收件");
    assert!(d.deadline.is_some(), "the promised time runs from today");
    assert!(d.materials.iter().all(|m| !m.missing && m.received == m.required), "conditional ones not needed");
    assert_eq!(d.history.iter().map(|h| h.what.as_str()).collect::<Vec<_>>(), ["收件", "补齐材料", "补齐材料"]);
    assert_eq!(d.prints.len(), 4);
    assert_eq!(d.prints[3].form_label, "收件登记表");
    assert!(!d.prints[3].reprint);
    assert_eq!(kinds(&d), [CaseActionKind::PrintReceipt, CaseActionKind::MailOriginals]);
    assert_eq!(d.actions[0].label, "补打收件登记表", "the receipt after 补齐材料 went out");

    // Nothing is left to supplement: refused in Chinese, nothing appended.
    let events = f.event_count(&number);
    let e = f.desk.complete_case(&number, &completion(vec![tick(0)])).unwrap_err();
    assert_eq!(e.code, "invalid_transition");
    assert!(e.message.contains("已收件") && e.message.contains("不能补正收件"), "{}", e.message);
    assert_eq!(f.event_count(&number), events);
}

#[test]
fn a_completion_that_brings_nothing_or_names_what_is_not_there_changes_nothing() {
    let f = Fixture::new();
    let number = f.take_in(false);
    let nothing = f.desk.complete_case(&number, &completion(vec![])).unwrap_err();
    assert_eq!(nothing.message, "没有勾选申请人本次提交的材料，也没有附加扫描件");
    let beyond = f.desk.complete_case(&number, &completion(vec![tick(9)])).unwrap_err();
    assert_eq!(beyond.message, "办件没有第 10 项材料（共 5 项，含条件材料）");
    let unknown_scan = MaterialTick { scans: vec!["ab".repeat(32)], ..tick(1) };
    let e = f.desk.complete_case(&number, &completion(vec![unknown_scan])).unwrap_err();
    assert_eq!(e.code, "missing_blob");
    assert!(e.message.contains("基本养老保险参保缴费凭证"));
    let e = f.desk.complete_case("411329-20990101-A1-0001", &completion(vec![tick(1)])).unwrap_err();
    assert_eq!(e.code, "unknown_case");
    assert_eq!(f.event_count(&number), 1);
    assert_eq!(f.desk.case_detail(&number).unwrap().status, CaseStatus::AwaitingMaterials);
}

#[test]
fn a_partners_supplement_request_is_answered_with_the_scans_and_both_events_go_out() {
    let f = Fixture::new();
    let number = f.take_in(true);
    f.partner_decides(
        &number,
        vec![
            EventBody::Accepted,
            EventBody::SupplementRequested {
                items: vec!["参保缴费凭证须加盖业务章".into()], note: String::new()
            },
        ],
    );
    let d = f.desk.case_detail(&number).unwrap();
    assert_eq!(d.status_label, "需补正");
    assert_eq!(d.history[2].side_label, "办理地");
    assert_eq!(d.history[2].region_name, "北京市丰台区");
    assert_eq!(d.history[2].by, "fengtai", "a user this desk does not know is shown by login");
    assert_eq!(d.history[2].details, ["须补正：参保缴费凭证须加盖业务章"]);
    assert!(kinds(&d).contains(&CaseActionKind::Complete));

    let scan = f.desk.attach_scan("C:\\扫描\\缴费凭证.png", PNG).unwrap();
    assert_eq!((scan.file_name.as_str(), scan.media_type.as_str()), ("缴费凭证.png", "image/png"));
    let ticks =
        vec![MaterialTick { position: 1, received: true, original_verified: false, scans: vec![scan.sha256.clone()] }];
    let done = f.desk.complete_case(&number, &completion(ticks)).unwrap();
    assert_eq!((done.status, done.form), (CaseStatus::Supplemented, FormKind::Receipt));

    let d = f.desk.case_detail(&number).unwrap();
    let whats: Vec<&str> = d.history.iter().map(|h| h.what.as_str()).collect();
    assert_eq!(whats, ["收件", "受理", "要求补正", "告知补正", "提交补正材料"]);
    assert!(d.history[4].details.contains(&"附扫描件 1 份".to_string()));
    assert_eq!(d.materials[1].scans, std::slice::from_ref(&scan));
    // Both go to the partner's hub; the scan is uploaded before the event that refers to it.
    let store = f.store();
    let outbox: Vec<_> = store.outbox(10).unwrap().into_iter().map(|e| e.event.body).collect();
    assert!(matches!(outbox[outbox.len() - 2], EventBody::SupplementNotified));
    assert_eq!(outbox[outbox.len() - 1].scans().collect::<Vec<_>>(), [scan.sha256.as_str()]);
}

#[test]
fn the_result_is_delivered_only_once_it_came_back_and_a_mailed_one_needs_its_waybill() {
    let f = Fixture::new();
    let number = f.take_in(true);
    let at_window = DeliveryRecord { way: DeliveryWay::AtWindow, waybill: None, note: None };
    let e = f.desk.record_delivery(&number, &at_window).unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), ("invalid_transition", "办件状态为「已收件」，不能「送达结果」"));
    assert!(!kinds(&f.desk.case_detail(&number).unwrap()).contains(&CaseActionKind::Deliver));

    f.partner_decides(
        &number,
        vec![
            EventBody::Accepted,
            EventBody::Concluded { approved: true, note: String::new() },
            EventBody::ResultMailed { waybill: "1178000000099".into() },
        ],
    );
    let d = f.desk.case_detail(&number).unwrap();
    assert_eq!(d.result_waybill.as_deref(), Some("1178000000099"));
    // The mailed result can be signed for at the window (签收结果) before it is handed over.
    assert_eq!(
        kinds(&d),
        [
            CaseActionKind::Deliver,
            CaseActionKind::PrintReceipt,
            CaseActionKind::MailOriginals,
            CaseActionKind::SignResult
        ]
    );

    let mailed = DeliveryRecord { way: DeliveryWay::Mail, waybill: Some("  ".into()), note: None };
    let e = f.desk.record_delivery(&number, &mailed).unwrap_err();
    assert_eq!((e.field.as_deref(), e.message.as_str()), (Some("waybill"), "邮寄送达须填写运单号"));
    assert_eq!(f.event_count(&number), 4);

    let mailed =
        DeliveryRecord {
            way: DeliveryWay::Mail, waybill: Some("1180000000123".into()), note: Some("本人签收".into())
        };
    assert_eq!(f.desk.record_delivery(&number, &mailed).unwrap(), CaseStatus::Delivered);
    let d = f.desk.case_detail(&number).unwrap();
    let last = d.history.last().unwrap();
    assert_eq!((last.what.as_str(), last.side_label.as_str()), ("送达结果", "受理地"));
    assert_eq!(last.details, ["邮寄送达，运单号 1180000000123；本人签收"]);
    assert!(last.pending_sync);
    assert_eq!(d.overdue_days, 0);
    assert_eq!(kinds(&d), [CaseActionKind::PrintReceipt]);
}

#[test]
fn a_back_office_desk_sees_a_partners_case_without_the_receiving_sides_actions() {
    let f = Fixture::new();
    let number = f.take_in(false);
    let complete = f.take_in(true);
    let back_office = tempfile::tempdir().unwrap();
    let db = back_office.path().join("fengtai.db");
    // An admin, who may both take in and decide: the side of the case decides what is offered.
    let mut store = tongban_desk::create_desk(
        &db,
        &tongban_store::DeskSetup {
            region: "110106".into(),
            hall: "丰台区政务服务中心".into(),
            window_name: "跨省通办后台".into(),
            desk_code: "B1".into(),
            first_user: tongban_store::User {
                login: "fengtai".into(),
                display_name: "刘洋".into(),
                role: "admin".into(),
            },
        },
        DEMO_PASSWORD,
        &[],
    )
    .unwrap();
    let source = f.store();
    for n in [&number, &complete] {
        let events: Vec<CaseEvent> =
            source.events_of(source.case_by_number(n).unwrap().id).unwrap().into_iter().map(|e| e.event).collect();
        store.append_batch(&events, false).unwrap();
    }
    drop(store);
    let other = Desk::open_as(&db, "fengtai", DEMO_PASSWORD).unwrap();
    let d = other.case_detail(&number).unwrap();
    assert!(d.actions.is_empty(), "nothing to decide while 待补正: {:?}", d.actions);
    // A complete case is the back office's to decide, from its detail too.
    assert_eq!(kinds(&other.case_detail(&complete).unwrap()), [CaseActionKind::Decide]);
    let e = other.complete_case(&number, &completion(vec![tick(1)])).unwrap_err();
    assert_eq!(e.code, "wrong_side");
    assert!(e.message.starts_with("「补齐材料」只能由受理地录入"), "{}", e.message);
}

#[test]
fn scans_are_checked_by_their_first_bytes_and_size_and_kept_once() {
    let f = Fixture::new();
    let e = f.desk.attach_scan("空.pdf", b"").unwrap_err();
    assert_eq!((e.field.as_deref(), e.message.as_str()), (Some("scan"), "扫描件「空.pdf」是空文件"));
    let e = f.desk.attach_scan("照片.pdf", b"GIF89a....").unwrap_err();
    assert_eq!(e.message, "扫描件「照片.pdf」不是 PDF、JPEG、PNG 或 TIFF 文件");
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(tongban_desk::MAX_SCAN_BYTES + 1, b' ');
    let e = f.desk.attach_scan("大.pdf", &big).unwrap_err();
    assert_eq!(e.message, "扫描件「大.pdf」有 20.0 MB，超过 20 MB 的上限，请降低扫描分辨率或分成几份");
    for (bytes, media) in [
        (&b"%PDF-1.4 scan"[..], "application/pdf"),
        (&[0xFF, 0xD8, 0xFF, 0xE0][..], "image/jpeg"),
        (&b"II*\0tiff"[..], "image/tiff"),
        (&b"MM\0*tiff"[..], "image/tiff"),
    ] {
        assert_eq!(f.desk.attach_scan("s", bytes).unwrap().media_type, media);
    }
    let a = f.desk.attach_scan("身份证.png", PNG).unwrap();
    let b = f.desk.attach_scan("again.png", PNG).unwrap();
    assert_eq!((a.sha256.clone(), a.size), (b.sha256, PNG.len() as u64));
    assert_eq!(f.store().read_blob(&a.sha256).unwrap(), PNG);
}

#[test]
fn an_intake_cites_the_scans_kept_here_and_one_not_kept_is_refused_with_nothing_written() {
    let f = Fixture::new();
    let mut draft = Fixture::draft(false);
    draft.materials[0].scans = vec!["ab".repeat(32)];
    let e = f.desk.take_in(&draft).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("missing_blob", "材料「居民身份证」的扫描件尚未保存到本机，请重新附加")
    );
    assert_eq!(f.store().list_cases(&Default::default(), 1, 10).unwrap().total, 0, "no case written");

    let scan = f.desk.attach_scan("身份证.png", PNG).unwrap();
    draft.materials[0].scans = vec![scan.sha256.clone()];
    // A scan alone says the material was handed over.
    draft.materials[1].scans = vec![scan.sha256.clone()];
    let taken = f.desk.take_in(&draft).unwrap();
    let detail = f.desk.case_detail(&taken.number).unwrap();
    assert_eq!(detail.materials[0].scans, vec![scan.clone()]);
    assert_eq!(detail.materials[1].scans.len(), 1);
    assert!(detail.materials[1].received, "{:?}", detail.materials[1]);
}

#[test]
fn the_scanner_folder_lists_its_newest_scans_and_one_is_attached_by_name() {
    let f = Fixture::new();
    assert_eq!(f.desk.scanner_folder().unwrap().folder, None);
    let missing = f.dir.path().join("no-such-folder");
    let e = f.desk.set_scanner_folder(&missing.display().to_string()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("scanner_folder"));
    assert!(e.message.contains("不存在或不是文件夹"), "{}", e.message);

    let scans = f.dir.path().join("scans");
    std::fs::create_dir(&scans).unwrap();
    std::fs::write(scans.join("older.png"), PNG).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(scans.join("newer.pdf"), b"%PDF-1.4 scan").unwrap();
    std::fs::write(scans.join("notes.txt"), b"not a scan").unwrap();
    std::fs::write(scans.join("empty.pdf"), b"").unwrap();
    let listed = f.desk.set_scanner_folder(&scans.display().to_string()).unwrap();
    assert_eq!(listed.folder.as_deref(), Some(scans.to_str().unwrap()));
    let names: Vec<&str> = listed.files.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["newer.pdf", "older.png"], "scans only, newest first");

    let scan = f.desk.attach_scanner_file("older.png").unwrap();
    assert_eq!((scan.file_name.as_str(), scan.media_type.as_str()), ("older.png", "image/png"));
    assert_eq!(f.desk.attach_scanner_file("../desk.db").unwrap_err().code, "invalid_input");
    assert_eq!(
        f.desk.attach_scanner_file("notes.txt").unwrap_err().message,
        "扫描件「notes.txt」不是 PDF、JPEG、PNG 或 TIFF 文件"
    );
}
