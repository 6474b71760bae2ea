//! The one font every form is printed in: Noto Sans CJK SC Regular (SIL OFL 1.1), shipped inside
//! the binary (`fonts/NotoSansCJKsc-Regular.otf`, see `fonts/README.md`), so a Windows PC prints
//! exactly what a Linux one does and nothing depends on the fonts a machine happens to have.
//!
//! The font is read where it lies in the binary, never copied: what the layout needs (the
//! character map, the advance widths, the metrics) is read from its tables once per process
//! ([`FormFont::shared`], a millisecond or two), and each PDF embeds only the glyphs it uses, as a
//! subset of the `CFF ` table made by allsorts ([`FormFont::subset`]).

use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::binary::write::{WriteBinary, WriteBuffer};
use allsorts::cff::CFF;
use allsorts::tables::cmap::Cmap;
use allsorts::tables::NameTable;

use crate::FormError;

/// The font file, embedded at compile time.
pub const FONT_BYTES: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Regular.otf");

/// The font's family name as PDF readers report it.
pub const FONT_NAME: &str = "Noto Sans CJK SC";

/// The parsed form font and what the layout needs from it: views into the font's bytes.
pub struct FormFont {
    bytes: &'static [u8],
    /// Character to glyph, searchable in O(log n). The parser's own lookup scans the ~40,000
    /// groups of the CJK font's format-12 `cmap` one by one: measured, it took 85% of the time of
    /// a ledger. Text is therefore handed to printpdf as glyph ids looked up here.
    charmap: CharMap,
    /// The `hmtx` table: advance widths.
    hmtx: &'static [u8],
    num_h_metrics: usize,
    num_glyphs: u16,
    units_per_em: f32,
    /// The `CFF ` table, parsed once: its charset gives each glyph's CID.
    cff: CFF<'static>,
    /// What the PDF's font descriptor says of the font.
    pub(crate) metrics: PdfMetrics,
}

/// The font's metrics as a PDF font descriptor gives them, in 1/1000 em.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PdfMetrics {
    /// The PostScript name (`NotoSansCJKsc-Regular`).
    pub name: String,
    pub ascent: i64,
    pub descent: i64,
    pub cap_height: i64,
    pub italic_angle: i64,
    pub stem_v: i64,
    pub bbox: [i64; 4],
}

impl std::fmt::Debug for FormFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormFont").field("name", &FONT_NAME).field("units_per_em", &self.units_per_em).finish()
    }
}

/// A subset of the font for one PDF: the `CFF ` table to embed (CID-keyed, as `/FontFile3`
/// `/CIDFontType0C`) and, for each glyph kept, its CID (the code the content stream shows it by).
pub(crate) struct Subset {
    pub program: Vec<u8>,
    /// (original glyph, CID) for every glyph asked for, in the order asked.
    pub cids: Vec<(u16, u16)>,
}

impl FormFont {
    /// The process-wide font, read on first use.
    pub fn shared() -> &'static FormFont {
        static FONT: OnceLock<FormFont> = OnceLock::new();
        FONT.get_or_init(|| FormFont::parse(FONT_BYTES).expect("the shipped font parses"))
    }

    /// Reads a font file (a single face, CID-keyed CFF outlines: an OTF like the shipped one),
    /// without copying it.
    pub fn parse(bytes: &'static [u8]) -> Option<FormFont> {
        let u16_at = |t: &[u8], o: usize| t.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
        let i16_at = |t: &[u8], o: usize| u16_at(t, o).map(|v| i64::from(v as i16));
        let head = table(bytes, b"head")?;
        let hhea = table(bytes, b"hhea")?;
        let maxp = table(bytes, b"maxp")?;
        let units = u16_at(head, 18)?.max(1);
        let scale = |v: i64| (v as f32 * 1000.0 / f32::from(units)).round() as i64;
        let num_glyphs = u16_at(maxp, 4)?;
        let num_h_metrics = usize::from(u16_at(hhea, 34)?);
        let hmtx = table(bytes, b"hmtx")?;
        if num_h_metrics == 0 || hmtx.len() < 4 * num_h_metrics {
            return None;
        }
        let cff = ReadScope::new(table(bytes, b"CFF ")?).read::<CFF<'static>>().ok()?;
        if cff.fonts.len() != 1 || !cff.fonts[0].is_cid_keyed() {
            return None;
        }
        let name = ReadScope::new(table(bytes, b"name")?)
            .read::<NameTable<'_>>()
            .ok()?
            .string_for_id(NameTable::POSTSCRIPT_NAME)?;
        let ascent = scale(i16_at(hhea, 4)?);
        let os2 = table(bytes, b"OS/2");
        // sCapHeight exists from OS/2 version 2 on; the ascent stands in without it.
        let cap_height =
            os2.filter(|t| u16_at(t, 0).is_some_and(|v| v >= 2)).and_then(|t| i16_at(t, 88)).map_or(ascent, scale);
        // Stem width estimated from the weight class, as PDF producers do (~88 at 400).
        let weight = os2.and_then(|t| u16_at(t, 4)).unwrap_or(0);
        let stem_v = if weight == 0 { 80 } else { 50 + (f32::from(weight) / 65.0).powi(2).round() as i64 };
        let (rise, run) = (i16_at(hhea, 18)?, i16_at(hhea, 20)?);
        let italic_angle = if rise == 0 { 0 } else { (-(run as f32).atan2(rise as f32).to_degrees()).round() as i64 };
        let metrics = PdfMetrics {
            name,
            ascent,
            descent: scale(i16_at(hhea, 6)?),
            cap_height,
            italic_angle,
            stem_v,
            bbox: [
                scale(i16_at(head, 36)?),
                scale(i16_at(head, 38)?),
                scale(i16_at(head, 40)?),
                scale(i16_at(head, 42)?),
            ],
        };
        Some(FormFont {
            bytes,
            charmap: CharMap::parse(bytes)?,
            hmtx,
            num_h_metrics,
            num_glyphs,
            units_per_em: f32::from(units),
            cff,
            metrics,
        })
    }

    /// The glyph of `c`, if the font has one (`None` for control characters).
    pub fn glyph(&self, c: char) -> Option<u16> {
        if c.is_control() {
            return None;
        }
        self.charmap.get(c as u32).filter(|&g| g != 0 && g < self.num_glyphs)
    }

    /// The glyph allsorts' own `cmap` parser finds for `c` (slow; for checking
    /// [`FormFont::glyph`]).
    pub fn parser_glyph(&self, c: char) -> Option<u16> {
        let cmap = ReadScope::new(table(self.bytes, b"cmap")?).read::<Cmap<'_>>().ok()?;
        let (_, subtable) = allsorts::font::read_cmap_subtable(&cmap).ok()??;
        subtable.map_glyph(c as u32).ok()?.filter(|&g| g != 0)
    }

    /// Whether the font has a glyph for `c`. Control characters never print.
    pub fn covers(&self, c: char) -> bool {
        self.glyph(c).is_some()
    }

    /// The first character of `text` the font cannot print, if any.
    /// Line breaks are layout, not characters, and are not counted.
    pub fn first_missing(&self, text: &str) -> Option<char> {
        text.chars().find(|&c| c != '\n' && c != '\r' && !self.covers(c))
    }

    /// Checks that every character of `text` can be printed; the error names the field (its
    /// Chinese label, e.g. 申请人姓名) and the character.
    pub fn check(&self, field: &str, text: &str) -> Result<(), FormError> {
        match self.first_missing(text) {
            None => Ok(()),
            Some(ch) => Err(FormError::MissingGlyph { field: field.to_string(), ch }),
        }
    }

    /// The advance of glyph `gid` in font units (`hmtx`: glyphs past the last metric share its
    /// advance).
    pub(crate) fn advance(&self, gid: u16) -> u16 {
        let i = usize::from(gid).min(self.num_h_metrics - 1);
        u16::from_be_bytes([self.hmtx[4 * i], self.hmtx[4 * i + 1]])
    }

    /// The advance of glyph `gid` in 1/1000 em, as the PDF's `/W` array gives it (and as a
    /// viewer moves the pen by).
    pub(crate) fn pdf_width(&self, gid: u16) -> i64 {
        (f32::from(self.advance(gid)) * 1000.0 / self.units_per_em) as i64
    }

    /// The advance of `c` in em.
    pub(crate) fn advance_em(&self, c: char) -> f32 {
        match self.glyph(c) {
            Some(g) => f32::from(self.advance(g)) / self.units_per_em,
            None => 1.0,
        }
    }

    /// The width of `text` in points at `size` points.
    pub fn width_pt(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance_em(c)).sum::<f32>() * size
    }

    /// The CID of glyph `gid` (its code in a PDF's content stream: the font is CID-keyed, and
    /// viewers resolve codes through the embedded font's charset, which the subset keeps).
    pub(crate) fn cid(&self, gid: u16) -> u16 {
        self.cff.fonts[0].charset.id_for_glyph(gid).unwrap_or(0)
    }

    /// The `CFF ` table cut down to `.notdef` and `glyphs` (original glyph ids, ascending, no
    /// duplicates, without 0), with the CIDs the subset gives them.
    pub(crate) fn subset(&self, glyphs: &[u16]) -> Result<Subset, String> {
        let ids: Vec<u16> = std::iter::once(0).chain(glyphs.iter().copied()).collect();
        // Read again (a fraction of a millisecond): allsorts ties a subset to the lifetime of
        // the table it is cut from, which a borrowed `self` cannot lend for `'static`.
        let table = ReadScope::new(table(self.bytes, b"CFF ").ok_or("no CFF table")?)
            .read::<CFF<'_>>()
            .map_err(|e| e.to_string())?;
        let cff: CFF<'_> = table.subset(&ids, true).map_err(|e| e.to_string())?.into();
        let charset = &cff.fonts.first().ok_or("subset has no font")?.charset;
        let cids =
            glyphs.iter().enumerate().map(|(i, &gid)| (gid, charset.id_for_glyph(i as u16 + 1).unwrap_or(0))).collect();
        let mut out = WriteBuffer::new();
        CFF::write(&mut out, &cff).map_err(|e| e.to_string())?;
        Ok(Subset { program: out.into_inner(), cids })
    }
}

/// The table `tag` of a single-face sfnt.
fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let u32_at = |o: usize| font.get(o..o + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let tables = usize::from(u16::from_be_bytes(font.get(4..6)?.try_into().ok()?));
    (0..tables).find_map(|i| {
        let rec = 12 + 16 * i;
        if font.get(rec..rec + 4)? != tag {
            return None;
        }
        let (offset, len) = (u32_at(rec + 8)?, u32_at(rec + 12)?);
        font.get(offset..offset.checked_add(len)?)
    })
}

/// The font's Unicode `cmap` (format 12, else format 4) as sorted ranges.
struct CharMap {
    /// (first code, last code, glyph of the first code), sorted, not overlapping.
    ranges: Vec<(u32, u32, u32)>,
}

impl CharMap {
    fn get(&self, c: u32) -> Option<u16> {
        let i = self.ranges.partition_point(|r| r.1 < c);
        let &(start, end, gid) = self.ranges.get(i)?;
        (start <= c && c <= end).then(|| u16::try_from(gid + (c - start)).ok()).flatten()
    }

    /// Reads the `cmap` table of an sfnt; `None` if it has neither a format-12 nor a format-4
    /// Unicode subtable.
    fn parse(font: &[u8]) -> Option<CharMap> {
        let font = table(font, b"cmap")?;
        let u16_at = |o: usize| font.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
        let u32_at = |o: usize| font.get(o..o + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        let cmap = 0;
        let mut format4 = None;
        let mut format12 = None;
        for i in 0..usize::from(u16_at(cmap + 2)?) {
            let rec = cmap + 4 + 8 * i;
            let (platform, encoding) = (u16_at(rec)?, u16_at(rec + 2)?);
            let sub = cmap + u32_at(rec + 4)? as usize;
            match (platform, encoding, u16_at(sub)?) {
                (3, 10, 12) | (0, 4, 12) | (0, 6, 12) => format12 = Some(sub),
                (3, 1, 4) | (0, 3, 4) => format4 = Some(sub),
                _ => {}
            }
        }
        let mut ranges = Vec::new();
        if let Some(sub) = format12 {
            for g in 0..u32_at(sub + 12)? as usize {
                let o = sub + 16 + 12 * g;
                ranges.push((u32_at(o)?, u32_at(o + 4)?, u32_at(o + 8)?));
            }
        } else {
            let sub = format4?;
            let segs = usize::from(u16_at(sub + 6)? / 2);
            let (ends, starts, deltas, offsets) =
                (sub + 14, sub + 16 + 2 * segs, sub + 16 + 4 * segs, sub + 16 + 6 * segs);
            for s in 0..segs {
                let (end, start) = (u16_at(ends + 2 * s)?, u16_at(starts + 2 * s)?);
                let (delta, offset) = (u16_at(deltas + 2 * s)?, u16_at(offsets + 2 * s)?);
                for c in start..=end {
                    if c == 0xFFFF {
                        break;
                    }
                    let gid = if offset == 0 {
                        c.wrapping_add(delta)
                    } else {
                        let at = offsets + 2 * s + usize::from(offset) + 2 * usize::from(c - start);
                        match u16_at(at)? {
                            0 => 0,
                            g => g.wrapping_add(delta),
                        }
                    };
                    if gid != 0 {
                        ranges.push((u32::from(c), u32::from(c), u32::from(gid)));
                    }
                }
            }
        }
        ranges.sort_unstable();
        Some(CharMap { ranges })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_read_from_hmtx_agree_with_allsorts() {
        use allsorts::tables::{HheaTable, MaxpTable};
        let font = FormFont::shared();
        let maxp = ReadScope::new(table(FONT_BYTES, b"maxp").unwrap()).read::<MaxpTable>().unwrap();
        let hhea = ReadScope::new(table(FONT_BYTES, b"hhea").unwrap()).read::<HheaTable>().unwrap();
        let hmtx = table(FONT_BYTES, b"hmtx").unwrap();
        for gid in (0..65535).step_by(7).chain([65534]) {
            let expected = allsorts::glyph_info::advance(&maxp, &hhea, hmtx, gid).unwrap();
            assert_eq!(font.advance(gid), expected, "glyph {gid}");
        }
    }

    #[test]
    fn the_descriptor_metrics_are_the_fonts() {
        let m = &FormFont::shared().metrics;
        assert_eq!(m.name, "NotoSansCJKsc-Regular");
        // Noto Sans CJK SC: hhea 1160/-288, head's box, upright, weight 400.
        assert_eq!((m.ascent, m.descent, m.italic_angle, m.stem_v), (1160, -288, 0, 88));
        assert_eq!(m.bbox, [-1002, -1048, 2928, 1808]);
        assert!(0 < m.cap_height && m.cap_height < m.ascent, "{}", m.cap_height);
    }
}
