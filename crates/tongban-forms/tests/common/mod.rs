//! Sample data for the form tests and the benchmark, and reading PDFs back with poppler.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use tongban_core::case::{
    CaseId, CaseNumber, CaseState, CaseStatus, DeskCode, EventBody, Intake, IntakeForm, Material, MaterialForm,
};
use tongban_desk::demo::sample_form;
use tongban_forms::PrintMark;
use tongban_store::{CaseSummary, HallTexts, LedgerEntry};

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

/// `n` ledger rows of one day, one every 20 s from 08:30, from the demo's sample forms.
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
                    deadline: (status != CaseStatus::AwaitingMaterials).then(|| day() + Duration::days(21)),
                    pending_sync: false,
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
