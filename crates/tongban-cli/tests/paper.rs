//! Paper both ways (寄递) as the two halls live it, with real processes: 新野县's window mails a
//! case's originals to 丰台区 (a wrong S10 check digit refused, a waybill typed for two cases
//! warned of), 丰台区's back office signs for the package with one original missing, and after a
//! sync the window sees where each original is; the result comes back by post and the window
//! signs for it. The day's 对账 on either side lists exactly what the other has not got yet.

mod common;

use std::path::Path;

use common::{init_desk, ok, partner_add, stderr, stdout, tongban, tongban_admin, HELPER_DESK};
use tongban_tests::free_port;
use tongban_tests::hub::{hub_database, HubProcess, FENGTAI, XINYE};

/// The `原件去向：` lines of `tongban case show`: (material, where it is).
fn whereabouts(db: &Path, number: &str) -> Vec<(String, String)> {
    let shown = ok(tongban(db, &["case", "show", number]));
    shown
        .lines()
        .skip_while(|l| *l != "原件去向：")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.trim().split_once('：').map(|(m, w)| (m.to_string(), w.to_string())))
        .collect()
}

fn refused(o: std::process::Output) -> String {
    assert!(!o.status.success(), "expected a refusal, got: {}", stdout(&o));
    stderr(&o)
}

#[test]
fn originals_go_by_post_the_partner_signs_short_of_one_and_the_result_comes_back_signed_for() {
    let dir = tempfile::tempdir().unwrap();
    let (hub_db, partner_token, back_office_token) = hub_database(dir.path(), HELPER_DESK, "H1");
    let port = free_port();
    let hub = HubProcess::start(&hub_db, port);

    let window = dir.path().join("window.db");
    init_desk(&window, XINYE, "H1", "clerk");
    partner_add(&window, FENGTAI, "北京市丰台区", port, &partner_token);
    let numbers: Vec<String> = (0..2)
        .map(|i| {
            let mut form = tongban_desk::demo::sample_form(i);
            form.materials.iter_mut().for_each(|m| m.received = true);
            let file = dir.path().join(format!("case{i}.json"));
            std::fs::write(&file, serde_json::to_string(&form).unwrap()).unwrap();
            ok(tongban(&window, &["case", "new", "--json", file.to_str().unwrap()]))
        })
        .collect();
    let (first, second) = (&numbers[0], &numbers[1]);
    let at_hall = whereabouts(&window, first);
    assert!(!at_hall.is_empty() && at_hall.iter().all(|(_, w)| w == "在受理窗口（未寄出）"), "{at_hall:?}");

    // A waybill whose S10 check digit is wrong is refused, and nothing is recorded.
    let wrong = refused(tongban(&window, &["case", "mail", first, "--waybill", "EA123456784CN"]));
    assert!(wrong.contains("第11位应为「5」而不是「4」"), "{wrong}");
    assert_eq!(whereabouts(&window, first), at_hall);
    let not_ours =
        refused(tongban(&window, &["case", "mail", first, "--waybill", "EA123456785CN", "--material", "结婚登记表"]));
    assert!(not_ours.contains(&format!("「结婚登记表」不是办件 {first} 的材料")), "{not_ours}");

    // Without --material, every paper material goes in the package.
    let mailed = ok(tongban(&window, &["case", "mail", first, "--waybill", "ea 1234 5678 5cn"]));
    assert!(mailed.starts_with(&format!("办件 {first} 已登记寄出原件（EMS 运单号 EA123456785CN，内装：")), "{mailed}");
    let in_transit = whereabouts(&window, first);
    assert!(in_transit.iter().all(|(_, w)| w.starts_with("寄往办理地途中（运单 EA123456785CN，")), "{in_transit:?}");
    let twice = refused(tongban(&window, &["case", "mail", first, "--waybill", "EA123456785CN"]));
    assert!(twice.contains("运单号 EA123456785CN 已登记在本件的包裹上"), "{twice}");
    // The same waybill for another case is recorded, with a warning; so is a format the desk
    // cannot check. What went in a package is not offered again.
    let (lost, _) = &in_transit[0];
    let shared = ok(tongban(&window, &["case", "mail", second, "--waybill", "EA123456785CN"]));
    assert!(shared.contains(&format!("注意：运单号「EA123456785CN」也登记在办件 {first} 上")), "{shared}");
    let nothing_left = refused(tongban(&window, &["case", "mail", second, "--waybill", "SF1234567890"]));
    assert!(nothing_left.contains("寄出原件须列出包裹内的材料及份数"), "{nothing_left}");
    let (again, _) = &whereabouts(&window, second)[0];
    let copy = format!("{again}:0:1");
    let unknown_format = ok(tongban(
        &window,
        &["case", "mail", second, "--waybill", "SF1234567890", "--carrier", "顺丰速运", "--material", &copy],
    ));
    assert!(unknown_format.contains("注意：运单号「SF1234567890」不是本机能核对的格式"), "{unknown_format}");

    ok(tongban(&window, &["sync", "--once"]));

    // 丰台区's back office.
    let office = dir.path().join("office.db");
    init_desk(&office, FENGTAI, "S1", "back_office");
    partner_add(&office, FENGTAI, "北京市丰台区", port, &back_office_token);
    ok(tongban(&office, &["sync", "--once"]));
    // Only the handling region signs for the originals: not the window's clerk, nor its admin
    // (who may decide).
    let clerk = refused(tongban(&window, &["case", "sign-originals", first, "--waybill", "EA123456785CN"]));
    assert!(clerk.contains("没有作出办理决定的权限"), "{clerk}");
    let admin = refused(tongban_admin(&window, &["case", "sign-originals", first, "--waybill", "EA123456785CN"]));
    assert!(admin.contains("由北京市丰台区办理，本受理台属于河南省南阳市新野县，不能「签收原件」"), "{admin}");
    let unknown = refused(tongban(&office, &["case", "sign-originals", first, "--waybill", "EA876543216CN"]));
    assert!(unknown.contains("没有待签收的运单「EA876543216CN」；待签收：EA123456785CN"), "{unknown}");
    let not_packed = refused(tongban(
        &office,
        &["case", "sign-originals", first, "--waybill", "EA123456785CN", "--missing", "结婚登记表"],
    ));
    assert!(not_packed.contains("「结婚登记表」不在运单 EA123456785CN 的包裹清单中"), "{not_packed}");
    let signed = ok(tongban(
        &office,
        &["case", "sign-originals", first, "--waybill", "EA123456785CN", "--missing", lost, "--note", "包裹内未见"],
    ));
    assert!(signed.contains(&format!("已签收，到件缺：{lost}")), "{signed}");
    ok(tongban(&office, &["sync", "--once"]));

    // The window sees it after its next round: the one original missing, the rest arrived.
    ok(tongban(&window, &["sync", "--once"]));
    let now = whereabouts(&window, first);
    for (material, place) in &now {
        if material == lost {
            assert!(
                place.starts_with("到件缺失：办理地") && place.ends_with("签收运单 EA123456785CN 时未见"),
                "{place}"
            );
        } else {
            assert!(place.starts_with("办理地已签收（运单 EA123456785CN，"), "{material}: {place}");
        }
    }
    let shown = ok(tongban(&window, &["case", "show", first]));
    assert!(shown.contains(&format!("签收原件：运单号 EA123456785CN；到件缺：{lost}；包裹内未见")), "{shown}");

    // The result comes back by post; the window signs for it.
    let early = refused(tongban(&window, &["case", "sign-result", first]));
    assert!(early.contains("没有待签收的结果包裹"), "{early}");
    for decision in [&["accept"][..], &["approve"], &["mail", "--waybill", "EA876543216CN"]] {
        let mut args = vec!["case", "decide", first.as_str()];
        args.extend_from_slice(decision);
        ok(tongban(&office, &args));
    }
    ok(tongban(&office, &["sync", "--once"]));
    ok(tongban(&window, &["sync", "--once"]));
    let result = ok(tongban(&window, &["case", "sign-result", first, "--note", "窗口已收"]));
    assert_eq!(result, format!("办件 {first} 的办理结果（运单 EA876543216CN）已签收，可通知申请人领取或送达"));
    assert!(ok(tongban(&window, &["case", "show", first])).contains("签收结果：运单号 EA876543216CN；窗口已收"));

    // 对账 for the day, both sides from their own records: the one thing the hub lacks is the
    // 签收结果 not pushed yet, and nothing else (the second case's packages are not overdue).
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive().to_string();
    let sheet = dir.path().join("对账单.xlsx");
    let reconciled = ok(tongban(
        &window,
        &["partner", "reconcile", "--region", FENGTAI, "--from", &today, "--out", sheet.to_str().unwrap()],
    ));
    let lines: Vec<&str> = reconciled.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(lines.len(), 1, "{reconciled}");
    assert!(
        lines[0].starts_with(&format!("  仅本机有\t{first}\t签收结果\t"))
            && lines[0].ends_with("待推送：下次同步时送出"),
        "{reconciled}"
    );
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&sheet).unwrap();
    let rows = calamine::Reader::worksheet_range(&mut book, "对账单").unwrap();
    let cells: Vec<String> = rows.rows().skip(4).map(|r| format!("{}|{}|{}", r[0], r[1], r[2])).collect();
    assert_eq!(cells, [format!("仅本机有|{first}|签收结果")]);
    // The same 对账单 on paper, for both sides to sign.
    let paper = dir.path().join("对账单.pdf");
    ok(tongban(
        &window,
        &["partner", "reconcile", "--region", FENGTAI, "--from", &today, "--out", paper.to_str().unwrap()],
    ));
    let text = tongban_tests::pdf_text(&paper);
    for expected in [
        "对账单",
        "北京市丰台区",
        "双方都有",
        "下列 1 项不一致或待处理",
        first.as_str(),
        "签收结果",
        "待推送",
        "对方核对人签字",
        "王晓丽",
        "第 1 页",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    let refused_format =
        refused(tongban(&window, &["partner", "reconcile", "--region", FENGTAI, "--from", &today, "--out", "x.docx"]));
    assert!(refused_format.contains(".docx") && refused_format.contains(".pdf"), "{refused_format}");
    // Waiting to be pushed is no news: nothing for the status bar.
    assert!(common::open_store(&window).reconciliation_news().unwrap().is_empty());
    ok(tongban(&window, &["sync", "--once"]));
    let clean = ok(tongban(&window, &["partner", "reconcile", "--region", FENGTAI, "--from", &today]));
    assert!(clean.starts_with(&format!("对账 {today} 至 {today}：双方一致")), "{clean}");
    // Packages overdue at once: the second case's two, unsigned — news until a 对账 is clean.
    let overdue =
        ok(tongban(&window, &["partner", "reconcile", "--region", FENGTAI, "--from", &today, "--package-days", "0"]));
    let unsigned: Vec<&str> = overdue.lines().filter(|l| l.starts_with("  原件未签收")).collect();
    assert_eq!(unsigned.len(), 2, "{overdue}");
    assert!(unsigned.iter().all(|l| l.contains(second.as_str())), "{overdue}");
    let news = common::open_store(&window).reconciliation_news().unwrap();
    assert_eq!(
        news.iter().map(|n| (n.hub_region.as_str(), n.troubles, n.packages)).collect::<Vec<_>>(),
        [(FENGTAI, 0, 2)]
    );
    ok(tongban(&window, &["partner", "reconcile", "--region", FENGTAI, "--from", &today]));
    assert!(common::open_store(&window).reconciliation_news().unwrap().is_empty(), "a clean 对账 ends the news");
    // The back office reconciles the same day from its side: the hub holds the window's 签收结果,
    // which its own pull has not brought yet; after a sync both sides agree.
    let office_side = ok(tongban(&office, &["partner", "reconcile", "--region", FENGTAI, "--from", &today]));
    assert!(office_side.contains(&format!("  仅通办中心有\t{first}\t签收结果\t")), "{office_side}");
    assert!(office_side.trim_end().ends_with("本机尚未拉取：下次同步时收到"), "{office_side}");
    ok(tongban(&office, &["sync", "--once"]));
    let office_side = ok(tongban(&office, &["partner", "reconcile", "--region", FENGTAI, "--from", &today]));
    assert!(office_side.contains("双方一致"), "{office_side}");
    drop(hub);
}
