//! What the guide stories share: a catalog workbook as a region's admin fills it in from the
//! published 办事指南, and the demo desk holding it.

use tongban_desk::Desk;

/// A workbook of region 110106: 说明 (`version`, 格式版本 `layout`) and 事项清单 (`header`, then
/// one row per material; an empty cell is left empty).
pub fn workbook<const N: usize>(header: &[&str; N], rows: &[[&str; N]], version: &str, layout: &str) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let meta = wb.add_worksheet().set_name("说明").unwrap();
    for (r, (k, v)) in
        [("项目", "内容"), ("地区代码", "110106"), ("版本", version), ("格式版本", layout)].iter().enumerate()
    {
        meta.write_string(r as u32, 0, *k).unwrap();
        meta.write_string(r as u32, 1, *v).unwrap();
    }
    let items = wb.add_worksheet().set_name("事项清单").unwrap();
    for (c, h) in header.iter().enumerate() {
        items.write_string(0, c as u16, *h).unwrap();
    }
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                items.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The demo desk, its clerk logged in, holding the catalog of `workbook` (imported as it is).
pub fn desk_holding(workbook: &[u8]) -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    tongban_desk::demo::seed(&db, 0).unwrap();
    let desk = Desk::open_as(&db, tongban_desk::demo::DEMO_CLERK, tongban_desk::demo::DEMO_PASSWORD).unwrap();
    let imported = tongban_catalog::read_bytes(workbook, tongban_catalog::Format::Xlsx, &Default::default())
        .unwrap_or_else(|e| panic!("the guides' wording imports as it is: {e}"));
    desk.locked()
        .unwrap()
        .install_catalog(&imported.catalog, tongban_store::CatalogSource::File, None, chrono::Utc::now())
        .unwrap();
    (dir, desk)
}
