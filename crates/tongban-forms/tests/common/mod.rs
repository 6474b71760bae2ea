//! Sample data for the form tests and the benchmark, and reading PDFs back with poppler.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use tongban_core::case::{
    CaseId, CaseNumber, CaseState, CaseStatus, DeskCode, ELicense, EventBody, Intake, IntakeForm, Material,
    MaterialForm, ResultDelivery,
};
use tongban_core::catalog::{Catalog, CatalogIntake, Provided};
use tongban_core::hall::HallTexts;
use tongban_core::listing::{CaseSummary, LedgerEntry};
use tongban_fixtures::sample_form;
use tongban_forms::PrintMark;

/// A 承诺办结 date for a case whose promise runs (none while it waits for materials), and a
/// 补正 date, as the desk computes them: here plain dates after [`day`], not 预估.
#[allow(dead_code)]
pub fn deadline_of(case: &tongban_core::case::CaseState) -> Option<tongban_core::workdays::Deadline> {
    tongban_core::clocks::no_deadline_note(case.status).is_none().then(|| due(21))
}

#[allow(dead_code)]
pub fn due(days: i64) -> tongban_core::workdays::Deadline {
    tongban_core::workdays::Deadline { date: day() + Duration::days(days), estimated: false }
}

pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

pub fn at(h: u32, m: u32) -> NaiveDateTime {
    day().and_hms_opt(h, m, 0).unwrap()
}

pub fn hall() -> HallTexts {
    let mut h = HallTexts::defaults("新野县政务服务中心");
    h.address = "河南省南阳市新野县书院路18号政务服务中心一楼".into();
    h.phone = "0377-66012345".into();
    h
}

pub fn number(seq: u32) -> CaseNumber {
    CaseNumber::compose("411329", day(), &DeskCode::parse("A1").unwrap(), seq)
}

/// A case as its intake folds, from the demo's sample form `i`.
pub fn case_from(form: IntakeForm, seq: u32) -> CaseState {
    let intake = Intake {
        number: number(seq),
        receiving_region: "411329".into(),
        window: "新野县政务服务中心跨省通办专窗".into(),
        received_on: day(),
        form,
    };
    CaseState::start(&EventBody::Received { intake }).unwrap()
}

pub fn case(i: usize) -> CaseState {
    case_from(sample_form(i), i as u32 + 1)
}

/// Material `k` of a long list: a real material name, numbered so each is unique.
pub fn material(k: usize, received: bool) -> Material {
    const NAMES: [&str; 8] =
        ["居民身份证", "居民户口簿", "结婚证", "劳动合同", "参保缴费凭证", "营业执照副本", "授权委托书", "学历证书"];
    Material {
        name: format!("{}（第{k}项）", NAMES[k % NAMES.len()]),
        form: if k.is_multiple_of(3) { MaterialForm::Copy } else { MaterialForm::Original },
        copies: 1 + (k % 2) as u32,
        originals: 1,
        choice: String::new(),
        deferral: None,
        required: true,
        standard: "加盖出具单位公章，在有效期内".into(),
        received,
        original_verified: received && !k.is_multiple_of(3),
        scans: vec![],
        note: if k.is_multiple_of(7) {
            "复印件须由申请人签字确认与原件一致".into()
        } else {
            String::new()
        },
        condition: String::new(),
        items: vec![],
        e_license: None,
    }
}

/// A case with `n` materials.
pub fn case_with_materials(n: usize) -> CaseState {
    let mut form = sample_form(0);
    form.materials = (1..=n).map(|k| material(k, true)).collect();
    case_from(form, 99)
}

pub fn mark() -> PrintMark {
    PrintMark::first(at(10, 31))
}

/// The 收件登记表 of `case` taken in by 张敏, nothing owed on trust, first printed at 10:31.
pub fn receipt_of<'a>(
    case: &'a CaseState,
    deadline: Option<tongban_core::workdays::Deadline>,
    hall: &'a HallTexts,
) -> tongban_forms::Receipt<'a> {
    tongban_forms::Receipt { case, deadline, owed_due: None, clerk: "张敏", hall, mark: mark() }
}

/// The ledger of `day()`, unfiltered, printed by the section chief.
pub fn day_ledger<'a>(entries: &'a [LedgerEntry], hall: &'a HallTexts) -> tongban_forms::Ledger<'a> {
    tongban_forms::Ledger {
        from: day(),
        to: day(),
        clerk: None,
        partner: None,
        entries,
        printed_by: "王科长",
        hall,
        mark: mark(),
    }
}

pub fn entries(n: usize) -> Vec<LedgerEntry> {
    let statuses = [
        CaseStatus::Received,
        CaseStatus::AwaitingMaterials,
        CaseStatus::Pushed,
        CaseStatus::Accepted,
        CaseStatus::ResultMailed,
    ];
    (0..n)
        .map(|i| {
            let form = sample_form(i);
            let received_at: DateTime<Utc> =
                day().and_hms_opt(0, 30, 0).unwrap().and_utc() + Duration::seconds(20 * i as i64);
            let status = if form.is_complete() { statuses[i % statuses.len()] } else { CaseStatus::AwaitingMaterials };
            LedgerEntry {
                case: CaseSummary {
                    id: CaseId(uuid_like(i)),
                    number: number(i as u32 + 1).to_string(),
                    status,
                    item_code: form.item.code.clone(),
                    item_name: form.item.name.clone(),
                    receiving_region: "411329".into(),
                    handling_region: form.handling_region.clone(),
                    applicant_name: form.applicant.name().to_string(),
                    applicant_id: form.applicant.id_number().to_string(),
                    clerk: "zhangmin".into(),
                    received_at,
                    received_on: day(),
                    deadline: (status != CaseStatus::AwaitingMaterials).then(|| due(21)),
                    notice_due: None,
                    supplement_due: None,
                    owed_due: None,
                    pending_sync: false,
                    clerk_name: "张敏".into(),
                },
                clerk_name: "张敏".into(),
                transfer: form.transfer.clone(),
                result_waybill: (status == CaseStatus::ResultMailed).then(|| format!("1178{:09}", i)),
            }
        })
        .collect()
}

fn uuid_like(i: usize) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + i as u128)
}

/// Where a test keeps its PDFs (and PNGs): `target/forms-test/NAME`.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/forms-test").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write(name: &str, file: &str, pdf: &[u8]) -> PathBuf {
    let path = out_dir(name).join(file);
    std::fs::write(&path, pdf).unwrap();
    path
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| panic!("{cmd} runs (poppler-utils): {e}"));
    assert!(out.status.success(), "{cmd} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `pdftotext -layout`, one string per page.
pub fn text_pages(pdf: &Path) -> Vec<String> {
    let text = run("pdftotext", &["-layout", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// `pdftotext -raw`, one string per page: each cell's lines in order (wrapped values stay
/// together, which `-layout` interleaves with the neighbouring cells).
pub fn raw_pages(pdf: &Path) -> Vec<String> {
    let mut pages: Vec<String> = raw_text(pdf).split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// `pdftotext -raw` of the whole document: the text in drawing order, for values that may wrap.
pub fn raw_text(pdf: &Path) -> String {
    run("pdftotext", &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"])
}

/// The `pdffonts` rows below its header.
pub fn fonts(pdf: &Path) -> Vec<String> {
    run("pdffonts", &[pdf.to_str().unwrap()]).lines().skip(2).map(str::to_string).collect()
}

/// Asserts the single font is Noto Sans CJK SC, embedded, subset, with a ToUnicode map.
pub fn assert_font_embedded_subset_unicode(pdf: &Path) {
    let rows = fonts(pdf);
    assert_eq!(rows.len(), 1, "one font: {rows:?}");
    let cols: Vec<&str> = rows[0].split_whitespace().collect();
    // name type encoding emb sub uni object ID
    let n = cols.len();
    assert!(rows[0].contains("NotoSansCJKsc-Regular"), "{rows:?}");
    assert!(cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+', "subset prefix ABCDEF+: {rows:?}");
    assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "emb sub uni: {rows:?}");
}

/// Whitespace removed, so text that wrapped or was spaced by -layout can be searched.
pub fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Renders page `page` (from 1) at 80 dpi to a PNG next to the PDF; returns its path.
pub fn png(pdf: &Path, page: usize) -> PathBuf {
    let stem = pdf.with_extension("");
    let prefix = format!("{}-p{page}", stem.display());
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-singlefile",
            pdf.to_str().unwrap(),
            &prefix,
        ],
    );
    PathBuf::from(format!("{prefix}.png"))
}

/// The QR codes on page `page` (from 1), read back from a 150 dpi greyscale rendering.
pub fn qr_codes(pdf: &Path, page: usize) -> Vec<String> {
    let stem = pdf.with_extension("");
    let prefix = format!("{}-qr{page}", stem.display());
    let p = page.to_string();
    run("pdftoppm", &["-png", "-gray", "-r", "150", "-f", &p, "-l", &p, "-singlefile", pdf.to_str().unwrap(), &prefix]);
    let file = std::fs::File::open(format!("{prefix}.png")).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let step = info.color_type.samples(); // pdftoppm may write grey as RGB
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * info.line_size + x * step]);
    img.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, text)| text)).collect()
}

/// 北京市丰台区's catalog with a 退休一件事 of three items: 居民身份证 asked by items 1 and 2,
/// 居民户口簿 (which an 电子证照 may replace) by all three, 职工退休审批表 by items 1 and 3, a
/// 条件材料 of item 1 (授权委托书, 委托他人办理的) and one of item 2 (异地安置备案表).
pub fn retirement_catalog() -> Catalog {
    use tongban_core::catalog::{Bundle, CatalogItem, CatalogMaterial, DeliveryOption, HandlingMode};
    let m = |name: &str, form: MaterialForm, standard: &str| CatalogMaterial {
        name: name.into(),
        form,
        copies: 1,
        condition: String::new(),
        standard: standard.into(),
        e_license: None,
        ..Default::default()
    };
    let id_card = || m("居民身份证", MaterialForm::Original, "在有效期内，正反面清晰");
    let hukou = || CatalogMaterial {
        e_license: Some("居民户口簿".into()),
        ..m("居民户口簿", MaterialForm::Copy, "户主页及本人页")
    };
    let approval = || m("职工退休审批表", MaterialForm::Original, "加盖人社部门退休审批专用章");
    let item = |code: &str, name: &str, department: &str, days: u32, materials: Vec<CatalogMaterial>| CatalogItem {
        code: code.into(),
        implementation_code: String::new(),
        name: name.into(),
        domain: "社保".into(),
        department: department.into(),
        mode: HandlingMode::ProxyReceipt,
        legal_days: Some(30),
        promised_days: days,
        fee: tongban_core::guide::Fee::Free,
        delivery: vec![DeliveryOption::AtWindow, DeliveryOption::Mail],
        materials,
        ..Default::default()
    };
    Catalog {
        region: "110106".into(),
        version: "2026-03".into(),
        note: String::new(),
        items: vec![
            item(
                "110106-SB-0101",
                "企业职工基本养老保险待遇申领",
                "北京市丰台区社会保险事业管理中心",
                20,
                vec![
                    id_card(),
                    hukou(),
                    approval(),
                    CatalogMaterial {
                        condition: "委托他人办理的".into(),
                        ..m("授权委托书", MaterialForm::Original, "委托人签字并注明委托事项")
                    },
                ],
            ),
            item(
                "110106-YB-0102",
                "职工基本医疗保险退休人员待遇核定",
                "北京市丰台区医疗保障局",
                15,
                vec![
                    id_card(),
                    hukou(),
                    m("医疗保险缴费年限证明", MaterialForm::Original, "加盖医保经办机构业务章"),
                    CatalogMaterial {
                        condition: "退休后在外省异地安置的".into(),
                        ..m("异地安置备案表", MaterialForm::Original, "本人签字，注明安置地")
                    },
                ],
            ),
            item(
                "110106-GJJ-0103",
                "住房公积金退休提取",
                "北京住房公积金管理中心丰台管理部",
                5,
                vec![hukou(), approval(), m("本人银行储蓄卡", MaterialForm::Copy, "一类账户，本人名下")],
            ),
        ],
        bundles: vec![Bundle {
            code: "110106-YJS-0001".into(),
            name: "退休一件事".into(),
            lead_department: "北京市丰台区人力资源和社会保障局".into(),
            promised_days: 20,
            items: vec!["110106-SB-0101".into(), "110106-YB-0102".into(), "110106-GJJ-0103".into()],
        }],
        contacts: vec![],
    }
}

/// The 户口簿 cited as an 电子证照 (its type left to the catalog).
pub fn hukou_licence() -> ELicense {
    ELicense {
        kind: String::new(), number: "110106202603020017".into(), issuer: "北京市公安局丰台分局".into()
    }
}

/// An intake for `code` of [`retirement_catalog`] by applicant 0 in person: 居民身份证 shown and
/// verified, 户口簿 as an 电子证照, 银行储蓄卡 copied, 异地安置备案表 applying but not brought,
/// 授权委托书 not applying; the rest (职工退休审批表, 医疗保险缴费年限证明) missing.
pub fn retirement_form(code: &str) -> IntakeForm {
    let mut form = sample_form(0);
    form.agent = None;
    let catalog = retirement_catalog();
    let draft = CatalogIntake {
        partner: catalog.region.clone(),
        item: code.into(),
        applicant: form.applicant,
        agent: None,
        materials: vec![
            Provided { name: "居民身份证".into(), received: true, original_verified: true, ..Provided::default() },
            Provided { name: "居民户口簿".into(), e_license: Some(hukou_licence()), ..Provided::default() },
            Provided { name: "授权委托书".into(), applies: Some(false), ..Provided::default() },
            Provided { name: "异地安置备案表".into(), applies: Some(true), ..Provided::default() },
            Provided { name: "本人银行储蓄卡".into(), received: true, ..Provided::default() },
        ]
        .into_iter()
        .filter(|p| code != "110106-SB-0101" || ["居民身份证", "居民户口簿", "授权委托书"].contains(&p.name.as_str()))
        .collect(),
        transfer: form.transfer,
        delivery: ResultDelivery::AtWindow,
        note: String::new(),
    };
    catalog.intake_form(&draft).expect("the draft fits the catalog")
}

/// The 退休一件事 case, taken in as number 31.
pub fn bundle_case() -> CaseState {
    case_from(retirement_form("110106-YJS-0001"), 31)
}

/// The text of each page as rows of cells, read with `pdftotext -bbox-layout`: poppler gives
/// each cell's text as one block, and the forms centre every cell of a table row on the row's
/// middle, so blocks sharing a vertical centre are a row (sorted left to right). A cell's lines
/// are joined with whitespace removed; a paragraph is a row of one cell.
pub fn rows(pdf: &Path) -> Vec<Vec<Vec<String>>> {
    let xml = run("pdftotext", &["-bbox-layout", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    let attr = |tag: &str, name: &str| -> f32 {
        let at = tag.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("{name} in {tag}")) + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    let unescape = |s: &str| {
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
    };
    let mut pages = Vec::new();
    // (vertical centre, left, text) of each block of the page being read.
    let mut blocks: Vec<(f32, f32, String)> = Vec::new();
    let mut block: Option<(f32, f32, String)> = None;
    for line in xml.lines().map(str::trim) {
        if line.starts_with("<page") {
            blocks.clear();
        } else if line.starts_with("<block") {
            block = Some(((attr(line, "yMin") + attr(line, "yMax")) / 2.0, attr(line, "xMin"), String::new()));
        } else if line.starts_with("<word") {
            let text = &line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()];
            block.as_mut().expect("a word inside a block").2.push_str(&squeeze(&unescape(text)));
        } else if line.starts_with("</block") {
            blocks.extend(block.take());
        } else if line.starts_with("</page") {
            blocks.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut page: Vec<(f32, Vec<(f32, String)>)> = Vec::new();
            for (centre, left, text) in blocks.drain(..) {
                match page.last_mut() {
                    Some((c, cells)) if (centre - *c).abs() < 1.5 => cells.push((left, text)),
                    _ => page.push((centre, vec![(left, text)])),
                }
            }
            pages.push(
                page.into_iter()
                    .map(|(_, mut cells)| {
                        cells.sort_by(|a, b| a.0.total_cmp(&b.0));
                        cells.into_iter().map(|(_, t)| t).collect()
                    })
                    .collect(),
            );
        }
    }
    pages
}

/// Whether `rows` (of a page or more, from [`rows`]) hold a row of exactly these cells (an empty
/// cell prints nothing, so empty strings are left out).
pub fn has_row(rows: &[Vec<String>], cells: &[&str]) -> bool {
    let cells: Vec<String> = cells.iter().map(|c| squeeze(c)).filter(|c| !c.is_empty()).collect();
    rows.contains(&cells)
}
