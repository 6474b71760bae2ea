//! The one font every form is printed in: Noto Sans CJK SC Regular (SIL OFL 1.1), shipped inside
//! the binary (`fonts/NotoSansCJKsc-Regular.otf`, see `fonts/README.md`), so a Windows PC prints
//! exactly what a Linux one does and nothing depends on the fonts a machine happens to have.
//!
//! Parsing the 16 MB font takes tens of milliseconds, so it is parsed once per process
//! ([`FormFont::shared`]) and reused; each PDF embeds only the glyphs it uses (a subset).

use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::FormError;

/// The font file, embedded at compile time.
pub const FONT_BYTES: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Regular.otf");

/// The font's family name as PDF readers report it.
pub const FONT_NAME: &str = "Noto Sans CJK SC";

/// The parsed form font and what the layout needs from it.
pub struct FormFont {
    pub(crate) parsed: ParsedFont,
    /// Character to glyph, searchable in O(log n). The parser's own lookup scans the ~40,000
    /// groups of the CJK font's format-12 `cmap` one by one: measured, it took 85% of the time of
    /// a ledger. Text is therefore handed to printpdf as glyph ids looked up here.
    charmap: Option<CharMap>,
    units_per_em: f32,
}

impl std::fmt::Debug for FormFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormFont").field("name", &FONT_NAME).field("units_per_em", &self.units_per_em).finish()
    }
}

impl FormFont {
    /// The process-wide font, parsed on first use.
    pub fn shared() -> &'static FormFont {
        static FONT: OnceLock<FormFont> = OnceLock::new();
        FONT.get_or_init(|| FormFont::parse(FONT_BYTES).expect("the shipped font parses"))
    }

    /// Parses a font file (a single face: OTF or TTF).
    pub fn parse(bytes: &[u8]) -> Option<FormFont> {
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())?;
        let units_per_em = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        Some(FormFont { charmap: CharMap::parse(bytes), parsed, units_per_em })
    }

    /// The glyph of `c`, if the font has one (`None` for control characters).
    pub fn glyph(&self, c: char) -> Option<u16> {
        if c.is_control() {
            return None;
        }
        let gid = match &self.charmap {
            Some(map) => map.get(c as u32),
            None => self.parsed.lookup_glyph_index(c as u32),
        };
        gid.filter(|&g| g != 0)
    }

    /// The glyph the parser itself finds for `c` (slow; for checking [`FormFont::glyph`]).
    pub fn parser_glyph(&self, c: char) -> Option<u16> {
        self.parsed.lookup_glyph_index(c as u32).filter(|&g| g != 0)
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

    /// The advance of `c` in em.
    pub(crate) fn advance_em(&self, c: char) -> f32 {
        match self.glyph(c) {
            Some(g) => f32::from(self.parsed.get_horizontal_advance(g)) / self.units_per_em,
            None => 1.0,
        }
    }

    /// The width of `text` in points at `size` points.
    pub fn width_pt(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance_em(c)).sum::<f32>() * size
    }
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
    /// Unicode subtable (then the parser's lookup is used).
    fn parse(font: &[u8]) -> Option<CharMap> {
        let u16_at = |o: usize| font.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
        let u32_at = |o: usize| font.get(o..o + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        let tables = usize::from(u16_at(4)?);
        let cmap = (0..tables).find_map(|i| {
            let rec = 12 + 16 * i;
            (font.get(rec..rec + 4)? == b"cmap").then(|| u32_at(rec + 8)).flatten()
        })? as usize;
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
