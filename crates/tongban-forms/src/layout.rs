//! Drawing forms: a page in millimetres with the origin at the top left (as a designer measures
//! a paper form), text measured with the font's own advance widths, wrapped at the cell's width
//! (with the Chinese line-breaking rules: no closing punctuation at the start of a line, no
//! opening one at its end, numbers and Latin words kept whole) and shrunk when a fixed box is too
//! small. Text that still does not fit is an error naming the field, never cut off silently.

use std::collections::BTreeMap;

use printpdf::{
    Codepoint, Color, FontId, Greyscale, Line, LineDashPattern, LinePoint, Mm, Op, PaintMode, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix, TextRenderingMode, WindingOrder,
};

use crate::font::FormFont;
use crate::FormError;

/// Points per millimetre.
const PT_PER_MM: f32 = 72.0 / 25.4;

/// Line height as a multiple of the font size.
pub(crate) const LEADING: f32 = 1.3;

/// Where the ideographic em box's centre lies above the baseline, in em (Noto CJK's em box runs
/// from 0.12 em below the baseline to 0.88 em above it).
const EM_CENTRE: f32 = 0.38;

pub(crate) fn mm_to_pt(mm: f32) -> f32 {
    mm * PT_PER_MM
}

pub(crate) fn pt_to_mm(pt: f32) -> f32 {
    pt / PT_PER_MM
}

/// Line height in mm for a font size in pt.
pub(crate) fn line_height(size: f32) -> f32 {
    pt_to_mm(size * LEADING)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Centre,
    Right,
}

/// A box on the page, in mm from the top left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Area {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Area {
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Area {
        Area { x, y, w, h }
    }

    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }

    /// The area shrunk by `dx` on the left and right and `dy` at the top and bottom.
    pub fn inset(&self, dx: f32, dy: f32) -> Area {
        Area { x: self.x + dx, y: self.y + dy, w: (self.w - 2.0 * dx).max(0.0), h: (self.h - 2.0 * dy).max(0.0) }
    }
}

/// How a text is set in a box.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub size: f32,
    /// The smallest size the text may shrink to before it counts as too long.
    pub min_size: f32,
    pub align: Align,
    /// Centre the lines vertically (else they start at the top).
    pub middle: bool,
}

impl Style {
    pub const fn new(size: f32) -> Style {
        Style { size, min_size: size, align: Align::Left, middle: true }
    }

    pub const fn shrink_to(mut self, min_size: f32) -> Style {
        self.min_size = min_size;
        self
    }

    pub const fn centred(mut self) -> Style {
        self.align = Align::Centre;
        self
    }

    pub const fn top(mut self) -> Style {
        self.middle = false;
        self
    }
}

/// Characters that must not begin a line (行首禁则).
fn no_line_start(c: char) -> bool {
    "，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}".contains(c)
}

/// Characters that must not end a line (行尾禁则).
fn no_line_end(c: char) -> bool {
    "（《「『【〔〈“‘([{".contains(c)
}

/// Characters kept together in one unbreakable run: numbers, Latin words, waybills, codes.
fn joins(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_./:@#*+".contains(c)
}

/// Splits a paragraph into the pieces a line may break between.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if joins(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(&text[s..i]);
        }
        out.push(&text[i..i + c.len_utf8()]);
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// The text wrapped into lines no wider than `width` mm at `size` pt. `\n` starts a new line.
/// A run of digits or letters wider than a whole line is broken between characters.
pub(crate) fn wrap(font: &FormFont, text: &str, size: f32, width: f32) -> Vec<String> {
    let max = mm_to_pt(width);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.trim_end_matches('\r');
        let mut line = String::new();
        let mut line_w = 0.0f32;
        // Token boundaries within the current line, to move the last piece down (禁则).
        let mut marks: Vec<(usize, f32)> = Vec::new();
        for tok in tokens(paragraph) {
            let w = font.width_pt(tok, size);
            if line_w + w <= max + 0.01 || line.is_empty() && w <= max + 0.01 {
                marks.push((line.len(), line_w));
                line.push_str(tok);
                line_w += w;
                continue;
            }
            if tok == " " {
                // A space at a break disappears.
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
                marks.clear();
                continue;
            }
            if w > max + 0.01 {
                // A run longer than a line: fill the current line, then break it by characters.
                for c in tok.chars() {
                    let cw = font.advance_em(c) * size;
                    if line_w + cw > max + 0.01 && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                        marks.clear();
                    }
                    marks.push((line.len(), line_w));
                    line.push(c);
                    line_w += cw;
                }
                continue;
            }
            // Break before `tok`. If it may not start a line, or the line would end on an opening
            // mark, carry the line's last piece down with it.
            let first = tok.chars().next().unwrap_or(' ');
            let last = line.chars().last().unwrap_or(' ');
            let mut carry = String::new();
            if (no_line_start(first) || no_line_end(last)) && marks.len() > 1 {
                let (at, _) = marks[marks.len() - 1];
                carry = line.split_off(at);
            }
            lines.push(std::mem::take(&mut line).trim_end().to_string());
            marks.clear();
            line_w = 0.0;
            for piece in [carry.as_str(), tok] {
                if !piece.is_empty() {
                    marks.push((line.len(), line_w));
                    line.push_str(piece);
                    line_w += font.width_pt(piece, size);
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// The largest size from `style.size` down to `style.min_size` (in 0.5 pt steps) at which `text`
/// wraps into `area`, with its lines; `None` if it does not fit even at the smallest size.
pub(crate) fn fit(font: &FormFont, text: &str, area: Area, style: Style) -> Option<(f32, Vec<String>)> {
    let mut size = style.size;
    loop {
        let lines = wrap(font, text, size, area.w);
        if lines.len() as f32 * line_height(size) <= area.h + 0.01 {
            return Some((size, lines));
        }
        if size <= style.min_size {
            return None;
        }
        size = (size - 0.5).max(style.min_size);
    }
}

/// One page being drawn: its graphics and its text, kept apart so the text lands on top.
pub(crate) struct Page {
    pub width: f32,
    pub height: f32,
    gfx: Vec<Op>,
    text: Vec<Op>,
    text_size: f32,
    line_weight: f32,
    dashed: bool,
    fill_grey: f32,
    /// The text shown last on this page, while more on its baseline may join it.
    run: Option<GlyphRun>,
}

/// Text on one baseline written as one `TJ` (one `Tm`, then the glyphs with kerns that put each
/// piece where it belongs): PDFium-based viewers select and copy text by these runs; shown one
/// `Tm` per piece, a selection crams the line into its first glyph.
#[derive(Debug, Clone, Copy)]
struct GlyphRun {
    /// The run's `Tm` translation, pt.
    x: f32,
    y: f32,
    /// Where the viewer's pen stands after the run so far, in 1/1000 em from `x`.
    pen: f64,
    /// The index of the run's `ShowText` in the page's text.
    op: usize,
}

impl Page {
    /// A text-state op (font, rendering mode, outline): it ends the current run.
    fn text_state(&mut self, op: Op) {
        self.text.push(op);
        self.run = None;
    }
}

/// The document being drawn: the font, the glyphs used so far, the pages so far.
pub(crate) struct Canvas<'f> {
    pub font: &'f FormFont,
    doc: PdfDocument,
    font_id: FontId,
    /// Every glyph drawn, with the character it was drawn for (the PDF's `/ToUnicode`).
    used: BTreeMap<u16, char>,
    pub pages: Vec<Page>,
    current: usize,
    /// The first character drawn that the font lacks, if a form forgot to check a field first.
    unchecked_missing: Option<(char, String)>,
    /// The last QR code made (its data, width and modules): each copy of a form draws the same.
    qr: Option<(String, usize, Vec<qrcode::Color>)>,
}

impl<'f> Canvas<'f> {
    pub fn new(font: &'f FormFont, title: &str) -> Canvas<'f> {
        let mut doc = PdfDocument::new(title);
        doc.metadata.info.producer = "通办收件台 tongban-forms".into();
        doc.metadata.info.creator = "通办收件台".into();
        // The font is not handed to printpdf (which would copy and parse it whole for every
        // document): pages name it by this resource, and `pdf::finish` embeds it.
        let font_id = FontId(crate::pdf::FONT_RESOURCE.to_string());
        Canvas {
            font,
            doc,
            font_id,
            used: BTreeMap::new(),
            pages: Vec::new(),
            current: 0,
            unchecked_missing: None,
            qr: None,
        }
    }

    /// Starts a new page (sizes in mm) and makes it the current one.
    pub fn add_page(&mut self, width: f32, height: f32) {
        self.pages.push(Page {
            width,
            height,
            gfx: Vec::new(),
            text: Vec::new(),
            text_size: 0.0,
            line_weight: -1.0,
            dashed: false,
            fill_grey: -1.0,
            run: None,
        });
        self.current = self.pages.len() - 1;
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn page(&mut self) -> &mut Page {
        &mut self.pages[self.current]
    }

    /// Writes one line of text with its baseline at `y`, starting at `x` (or centred on / ending
    /// at `x` for the other alignments).
    pub fn text_at(&mut self, x: f32, baseline: f32, size: f32, align: Align, text: &str) {
        if text.is_empty() {
            return;
        }
        if self.unchecked_missing.is_none() {
            if let Some(c) = self.font.first_missing(text) {
                self.unchecked_missing = Some((c, text.to_string()));
            }
        }
        let width = pt_to_mm(self.font.width_pt(text, size));
        let x = match align {
            Align::Left => x,
            Align::Centre => x - width / 2.0,
            Align::Right => x - width,
        };
        // Each character as its glyph's CID (the code the embedded CID-keyed font shows it by),
        // the glyph noted with its character for the ToUnicode map, so that copy and search
        // give back exactly the characters printed.
        let mut advance = 0.0f64;
        let mut glyphs = Vec::with_capacity(text.len() / 2);
        for c in text.chars() {
            let gid = self.font.glyph(c).unwrap_or(0);
            if gid != 0 {
                self.used.entry(gid).or_insert(c);
            }
            advance += self.font.pdf_width(gid) as f64;
            glyphs.push(Codepoint { gid: self.font.cid(gid), offset: 0.0, cid: None });
        }
        let font_id = self.font_id.clone();
        let page = self.page();
        if page.text_size != size {
            page.text_state(Op::SetFont { font: PdfFontHandle::External(font_id), size: Pt(size) });
            page.text_size = size;
        }
        let (x, y) = (mm_to_pt(x), mm_to_pt(page.height - baseline));
        let last = page.text.len().checked_sub(1);
        let joins = page.run.filter(|run| run.y == y && Some(run.op) == last);
        match (joins, page.text.last_mut()) {
            // The same baseline right after the run: one kern moves the pen from where the
            // run's last glyph left it to `x` (a TJ number moves it back by n/1000 em).
            (Some(mut run), Some(Op::ShowText { items })) => {
                let kern = (run.pen - (x as f64 - run.x as f64) * 1000.0 / size as f64) as f32;
                if kern != 0.0 {
                    items.push(TextItem::Offset(kern));
                    run.pen -= kern as f64;
                }
                items.push(TextItem::GlyphIds(glyphs));
                run.pen += advance;
                page.run = Some(run);
            }
            _ => {
                page.text.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x), Pt(y)) });
                page.text.push(Op::ShowText { items: vec![TextItem::GlyphIds(glyphs)] });
                page.run = Some(GlyphRun { x, y, pen: advance, op: page.text.len() - 1 });
            }
        }
    }

    /// Like [`Canvas::text_at`], in a heavier weight (the glyphs are also outlined), for titles.
    pub fn title_at(&mut self, x: f32, baseline: f32, size: f32, align: Align, text: &str) {
        let page = self.page();
        page.text_state(Op::SetTextRenderingMode { mode: TextRenderingMode::FillStroke });
        page.text_state(Op::SetOutlineThickness { pt: Pt(size * 0.03) });
        self.text_at(x, baseline, size, align, text);
        let page = self.page();
        page.text_state(Op::SetTextRenderingMode { mode: TextRenderingMode::Fill });
    }

    /// Writes already wrapped lines into `area`.
    pub fn lines_in(&mut self, area: Area, size: f32, style: Style, lines: &[String]) {
        let lh = line_height(size);
        let block = lh * lines.len() as f32;
        let top = if style.middle { area.y + (area.h - block) / 2.0 } else { area.y };
        for (i, line) in lines.iter().enumerate() {
            let centre = top + lh * (i as f32 + 0.5);
            let baseline = centre + pt_to_mm(size * EM_CENTRE);
            let x = match style.align {
                Align::Left => area.x,
                Align::Centre => area.x + area.w / 2.0,
                Align::Right => area.right(),
            };
            self.text_at(x, baseline, size, style.align, line);
        }
    }

    /// Sets `text` inside `area`: wrapped, shrunk down to `style.min_size` if needed. If it does
    /// not fit even then, the error names `field`.
    pub fn text_in(&mut self, area: Area, style: Style, field: &str, text: &str) -> Result<(), FormError> {
        let (size, lines) =
            fit(self.font, text, area, style).ok_or_else(|| FormError::TooLong { field: field.to_string() })?;
        self.lines_in(area, size, style, &lines);
        Ok(())
    }

    fn set_stroke(&mut self, weight: f32, dashed: bool) {
        let page = self.page();
        if page.line_weight != weight {
            page.gfx.push(Op::SetOutlineThickness { pt: Pt(weight) });
            page.line_weight = weight;
        }
        if page.dashed != dashed {
            let dash = if dashed { LineDashPattern::new(0.0, &[2.0, 2.0]) } else { LineDashPattern::solid() };
            page.gfx.push(Op::SetLineDashPattern { dash });
            page.dashed = dashed;
        }
    }

    fn point(&mut self, x: f32, y: f32) -> LinePoint {
        let h = self.page().height;
        LinePoint { p: Point::new(Mm(x), Mm(h - y)), bezier: false }
    }

    /// A straight line from (x1, y1) to (x2, y2), `weight` in pt.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, weight: f32) {
        self.set_stroke(weight, false);
        let points = vec![self.point(x1, y1), self.point(x2, y2)];
        self.page().gfx.push(Op::DrawLine { line: Line { points, is_closed: false } });
    }

    /// A dashed line (cut lines, the seal area).
    pub fn dashed_line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, weight: f32) {
        self.set_stroke(weight, true);
        let points = vec![self.point(x1, y1), self.point(x2, y2)];
        self.page().gfx.push(Op::DrawLine { line: Line { points, is_closed: false } });
        self.set_stroke(weight, false);
    }

    pub fn hline(&mut self, x1: f32, x2: f32, y: f32, weight: f32) {
        self.line(x1, y, x2, y, weight);
    }

    pub fn vline(&mut self, x: f32, y1: f32, y2: f32, weight: f32) {
        self.line(x, y1, x, y2, weight);
    }

    /// The outline of `area`.
    pub fn frame(&mut self, area: Area, weight: f32) {
        self.set_stroke(weight, false);
        let h = self.page().height;
        self.page().gfx.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(mm_to_pt(area.x)),
                y: Pt(mm_to_pt(h - area.bottom())),
                width: Pt(mm_to_pt(area.w)),
                height: Pt(mm_to_pt(area.h)),
                mode: Some(PaintMode::Stroke),
                winding_order: None,
            },
        });
    }

    /// A dashed outline (the seal area).
    pub fn dashed_frame(&mut self, area: Area, weight: f32) {
        self.dashed_line(area.x, area.y, area.right(), area.y, weight);
        self.dashed_line(area.right(), area.y, area.right(), area.bottom(), weight);
        self.dashed_line(area.right(), area.bottom(), area.x, area.bottom(), weight);
        self.dashed_line(area.x, area.bottom(), area.x, area.y, weight);
    }

    /// Fills `area` with grey (`0` black, `1` white).
    pub fn fill(&mut self, area: Area, grey: f32) {
        let page = self.page();
        if page.fill_grey != grey {
            page.gfx.push(Op::SetFillColor { col: Color::Greyscale(Greyscale { percent: grey, icc_profile: None }) });
            page.fill_grey = grey;
        }
        let h = page.height;
        page.gfx.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(mm_to_pt(area.x)),
                y: Pt(mm_to_pt(h - area.bottom())),
                width: Pt(mm_to_pt(area.w)),
                height: Pt(mm_to_pt(area.h)),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    /// A QR code of `data`, `size` mm square with its top left at (x, y), drawn as vector
    /// squares (sharp on any printer, a few hundred bytes), with the quiet zone left white.
    pub fn qr(&mut self, x: f32, y: f32, size: f32, data: &str) -> Result<(), FormError> {
        // Choosing the mask tries all eight: a good part of a receipt's time, made once.
        let (n, colors) = match self.qr.take() {
            Some((made, n, colors)) if made == data => (n, colors),
            _ => {
                let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
                    .map_err(|e| FormError::Qr(e.to_string()))?;
                (code.width(), code.to_colors())
            }
        };
        let quiet = 2usize;
        let module = size / (n + 2 * quiet) as f32;
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] != qrcode::Color::Dark {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                // Overlap by a hair so that viewers do not show seams between modules.
                let area = Area::new(
                    x + module * (quiet + start) as f32,
                    y + module * (quiet + row) as f32,
                    module * (col - start) as f32 + 0.02,
                    module + 0.02,
                );
                self.fill(area, 0.0);
            }
        }
        self.qr = Some((data.to_string(), n, colors));
        Ok(())
    }

    /// The PDF bytes: every page, the font embedded as a subset of the glyphs used.
    pub fn finish(mut self) -> Result<Vec<u8>, FormError> {
        if let Some((ch, text)) = self.unchecked_missing.take() {
            return Err(FormError::MissingGlyph { field: format!("「{text}」"), ch });
        }
        let pages: Vec<PdfPage> = std::mem::take(&mut self.pages)
            .into_iter()
            .map(|p| {
                let mut ops = p.gfx;
                ops.reserve(p.text.len() + 3);
                // Text is black whatever grey the last shading left as the fill colour.
                ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale { percent: 0.0, icc_profile: None }) });
                ops.push(Op::StartTextSection);
                ops.extend(p.text);
                ops.push(Op::EndTextSection);
                PdfPage::new(Mm(p.width), Mm(p.height), ops)
            })
            .collect();
        // printpdf writes the pages; the font and the compression are ours (`pdf`).
        let options = PdfSaveOptions { optimize: false, subset_fonts: false, secure: true, image_optimization: None };
        let mut warnings = Vec::new();
        let doc = printpdf::serialize::to_lopdf_doc(self.doc.with_pages(pages), &options, &mut warnings);
        crate::pdf::finish(doc, self.font, &self.used)
    }
}

/// The hall's address, phone and office hours in two small lines under a rule at `y`.
pub(crate) fn contact_footer(
    c: &mut Canvas<'_>,
    hall: &tongban_core::hall::HallTexts,
    x: f32,
    width: f32,
    y: f32,
) -> Result<(), FormError> {
    let blank = |s: &str| {
        if s.trim().is_empty() {
            "　　　　　　　　　　".to_string()
        } else {
            s.trim().to_string()
        }
    };
    c.hline(x, x + width, y, 0.3);
    let first = format!("{}　地址：{}　咨询电话：{}", hall.hall_name.trim(), blank(&hall.address), blank(&hall.phone));
    let style = Style::new(7.5).shrink_to(5.5).top();
    c.text_in(Area::new(x, y + 0.6, width, line_height(7.5)), style, "服务中心名称、地址和咨询电话", &first)?;
    let second = format!("办公时间：{}", hall.office_hours.trim());
    c.text_in(Area::new(x, y + 0.6 + line_height(7.5), width, line_height(7.5)), style, "办公时间", &second)
}

/// One column of a bordered grid row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    pub width: f32,
    pub align: Align,
    /// Shaded background (labels, header cells).
    pub shade: bool,
    /// Kept on one line, shrinking down to 75% of the size (labels); otherwise it wraps and the
    /// row grows.
    pub one_line: bool,
}

impl Col {
    pub const fn value(width: f32) -> Col {
        Col { width, align: Align::Left, shade: false, one_line: false }
    }

    pub const fn centred(width: f32) -> Col {
        Col { width, align: Align::Centre, shade: false, one_line: false }
    }

    pub const fn label(width: f32) -> Col {
        Col { width, align: Align::Centre, shade: true, one_line: true }
    }

    pub const fn head(width: f32) -> Col {
        Col { width, align: Align::Centre, shade: true, one_line: false }
    }
}

/// A grid row measured and wrapped, ready to draw.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub height: f32,
    cells: Vec<(f32, Vec<String>)>,
}

/// Cell padding, mm.
pub(crate) const PAD_X: f32 = 1.5;
pub(crate) const PAD_Y: f32 = 1.1;

/// The grey of labels and header cells.
pub(crate) const SHADE: f32 = 0.9;

/// Measures a row: each `(text, field)` in its column, at `size` pt, at least `min_h` mm high.
/// A one-line cell that does not fit even shrunk is [`FormError::TooLong`] naming its field.
pub(crate) fn lay_row(
    font: &FormFont,
    cols: &[Col],
    cells: &[(&str, &str)],
    size: f32,
    min_h: f32,
) -> Result<Row, FormError> {
    debug_assert_eq!(cols.len(), cells.len());
    let mut out = Vec::with_capacity(cols.len());
    let mut lines_h: f32 = 0.0;
    for (col, (text, field)) in cols.iter().zip(cells) {
        let inner = (col.width - 2.0 * PAD_X).max(1.0);
        let (sz, lines) = if col.one_line {
            let area = Area::new(0.0, 0.0, inner, line_height(size));
            let style = Style::new(size).shrink_to(size * 0.75);
            fit(font, text, area, style).ok_or_else(|| FormError::TooLong { field: field.to_string() })?
        } else {
            (size, wrap(font, text, size, inner))
        };
        lines_h = lines_h.max(line_height(sz) * lines.len() as f32);
        out.push((sz, lines));
    }
    Ok(Row { height: (lines_h + 2.0 * PAD_Y).max(min_h), cells: out })
}

impl Canvas<'_> {
    /// Draws a measured row with its top at `y`: shading, the text, the cell borders.
    pub fn draw_row(&mut self, x: f32, y: f32, cols: &[Col], row: &Row, weight: f32) {
        let right = self.draw_cells(x, y, cols, row);
        // Borders: the top, the bottom, every vertical.
        self.hline(x, right, y, weight);
        self.hline(x, right, y + row.height, weight);
        let mut vx = x;
        self.vline(vx, y, y + row.height, weight);
        for col in cols {
            vx += col.width;
            self.vline(vx, y, y + row.height, weight);
        }
    }

    /// A table of `rows` under `head` across pages: the header at `top` and under it the rows,
    /// each that would pass `bottom` starting a page (`new_page` draws its title) with the header
    /// again; `empty` (centred) when there are no rows. Leaves room for `after` mm below the last
    /// row, on a new page if need be, and returns where that begins.
    pub fn paged_table(
        &mut self,
        (left, top, bottom): (f32, f32, f32),
        (head_cols, head): (&[Col], &Row),
        (body_cols, rows): (&[Col], &[Row]),
        empty: (&str, f32),
        after: f32,
        new_page: &dyn Fn(&mut Canvas<'_>),
    ) -> f32 {
        let mut y = top;
        self.draw_row(left, y, head_cols, head, 0.4);
        y += head.height;
        if rows.is_empty() {
            let width: f32 = head_cols.iter().map(|c| c.width).sum();
            self.text_at(left + width / 2.0, y + 8.0, empty.1, Align::Centre, empty.0);
            y += 12.0;
        }
        for row in rows {
            if y + row.height > bottom {
                new_page(self);
                y = top;
                self.draw_row(left, y, head_cols, head, 0.4);
                y += head.height;
            }
            self.draw_row(left, y, body_cols, row, 0.25);
            y += row.height;
        }
        if y + after > bottom {
            new_page(self);
            y = top;
        }
        y
    }

    /// The shading and text of a measured row, without borders (a long table draws its
    /// verticals once per page). Returns the row's right edge.
    pub fn draw_cells(&mut self, x: f32, y: f32, cols: &[Col], row: &Row) -> f32 {
        let mut cx = x;
        for (col, (size, lines)) in cols.iter().zip(&row.cells) {
            let area = Area::new(cx, y, col.width, row.height);
            if col.shade {
                self.fill(area, SHADE);
            }
            let style = Style { size: *size, min_size: *size, align: col.align, middle: true };
            self.lines_in(area.inset(PAD_X, PAD_Y), *size, style, lines);
            cx += col.width;
        }
        cx
    }

    /// Stamps the footer on `pages` of a page `page_w` wide: a rule at `rule_y` across
    /// `left..right`; on the line at `text_y`, `note` at the left, 第 x 页 共 y 页 (counted
    /// within `pages`) in the middle and `mark` at the right. Leaves the last of them current.
    pub fn stamp_footers(
        &mut self,
        pages: std::ops::Range<usize>,
        page_w: f32,
        (left, right): (f32, f32),
        (rule_y, text_y): (f32, f32),
        (note, mark): (&str, &str),
    ) {
        let count = pages.len();
        for (i, page) in pages.enumerate() {
            self.go_to_page(page);
            let centre = format!("第 {} 页　共 {count} 页", i + 1);
            self.footer(page_w, (left, right), (rule_y, text_y), (note, &centre, mark));
        }
    }

    /// One page's footer: a rule, then `note` on the left, `centre` (the page count) in the
    /// middle and `mark` (补打) on the right.
    pub fn footer(
        &mut self,
        page_w: f32,
        (left, right): (f32, f32),
        (rule_y, text_y): (f32, f32),
        (note, centre, mark): (&str, &str, &str),
    ) {
        self.hline(left, right, rule_y, 0.3);
        self.text_at(left, text_y, 7.5, Align::Left, note);
        self.text_at(page_w / 2.0, text_y, 8.5, Align::Centre, centre);
        self.text_at(right, text_y, 7.5, Align::Right, mark);
    }

    /// Makes page `index` (from 0) the one drawn on, e.g. to write 第 x 页 共 y 页 once the
    /// page count is known.
    pub fn go_to_page(&mut self, index: usize) {
        assert!(index < self.pages.len(), "page {index} exists");
        self.current = index;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> &'static FormFont {
        FormFont::shared()
    }

    #[test]
    fn wrapping_keeps_lines_within_the_width_and_loses_no_character() {
        let text = "企业职工基本养老保险关系转移接续申请，运单号1179000000123（EMS）。";
        for width in [20.0, 35.0, 50.0, 80.0] {
            let lines = wrap(font(), text, 9.0, width);
            for l in &lines {
                assert!(pt_to_mm(font().width_pt(l, 9.0)) <= width + 0.01, "{l} wider than {width}");
            }
            assert_eq!(lines.concat(), text, "width {width}: {lines:?}");
        }
    }

    #[test]
    fn closing_punctuation_never_starts_a_line_and_numbers_stay_whole() {
        let text = "请携带居民身份证原件，于十个工作日内补正，运单号1179000000123";
        for width in 15..60 {
            let lines = wrap(font(), text, 10.0, width as f32);
            for l in lines.iter().skip(1) {
                assert!(!l.starts_with('，'), "width {width}: {lines:?}");
            }
            if width > 30 {
                assert!(lines.iter().any(|l| l.contains("1179000000123")), "width {width}: {lines:?}");
            }
        }
    }

    #[test]
    fn fitting_shrinks_then_gives_up() {
        let area = Area::new(0.0, 0.0, 30.0, 5.0);
        let style = Style::new(10.0).shrink_to(7.0);
        let (size, lines) = fit(font(), "新野县政务服务中心", area, style).unwrap();
        assert!(size < 10.0 && lines.len() == 1, "{size} {lines:?}");
        assert!(fit(font(), &"很长的文字".repeat(20), area, style).is_none());
    }
}
