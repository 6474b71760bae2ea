//! Forms printed in two copies, one PDF: the 收件登记表 and the 一次性告知书. The hall keeps the
//! 存档联 with the applicant's signature, the applicant takes the 申请人联 home. Each copy
//! starts on a new page, names itself in a framed mark on every page, and counts its own pages
//! in the footer (「存档联　第 1 页　共 2 页」), so a copy torn off on its own is still whole.

use crate::layout::{Align, Area, Canvas};
use crate::FormError;

/// One of the two copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FormCopy {
    /// 存档联 or 申请人联.
    pub name: &'static str,
    /// 第一联 or 第二联.
    pub ordinal: &'static str,
}

impl FormCopy {
    /// The copy the hall keeps (the one the applicant signs for).
    pub fn is_archive(self) -> bool {
        self == COPIES[0]
    }
}

/// 存档联 first (the clerk has it signed while the applicant waits), then 申请人联.
pub(crate) const COPIES: [FormCopy; 2] =
    [FormCopy { name: "存档联", ordinal: "第一联" }, FormCopy { name: "申请人联", ordinal: "第二联" }];

pub(crate) const MARK_W: f32 = 30.0;
pub(crate) const MARK_H: f32 = 7.0;

/// The framed 「第一联　存档联」 whose right edge is at `right` and top at `y`.
pub(crate) fn draw_mark(c: &mut Canvas<'_>, right: f32, y: f32, copy: FormCopy) {
    let area = Area::new(right - MARK_W, y, MARK_W, MARK_H);
    c.frame(area, 0.8);
    c.text_at(area.x + area.w / 2.0, y + 5.0, 10.0, Align::Centre, &format!("{}　{}", copy.ordinal, copy.name));
}

/// The footer's centre text: 「存档联　第 1 页　共 2 页」.
pub(crate) fn page_label(copy: FormCopy, page: usize, pages: usize) -> String {
    format!("{}　第 {page} 页　共 {pages} 页", copy.name)
}

/// Draws both copies into `c`: `draw` lays out one copy, starting with the page it adds; once
/// its page count is known, `footer` stamps each of its pages (`page` from 1 of `pages`).
pub(crate) fn draw_copies<'f>(
    c: &mut Canvas<'f>,
    mut draw: impl FnMut(&mut Canvas<'f>, FormCopy) -> Result<(), FormError>,
    mut footer: impl FnMut(&mut Canvas<'f>, FormCopy, usize, usize) -> Result<(), FormError>,
) -> Result<(), FormError> {
    for copy in COPIES {
        let first_page = c.page_count();
        draw(c, copy)?;
        let pages = c.page_count() - first_page;
        for p in 0..pages {
            c.go_to_page(first_page + p);
            footer(c, copy, p + 1, pages)?;
        }
        c.go_to_page(c.page_count() - 1);
    }
    Ok(())
}
