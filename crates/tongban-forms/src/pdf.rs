//! The PDF around the pages printpdf writes: the form font embedded as a subset of the glyphs
//! used, and every stream deflated.
//!
//! printpdf 0.12 can embed a font itself, but only from its own parsed copy of the font file
//! (16 MB copied and parsed per process), and at every save it subsets through a whole OpenType
//! file, parses that subset again and decodes each glyph's outline from it to learn its width:
//! measured, that was two thirds of a receipt's time. Here the subset is made from the `CFF `
//! table read in place ([`FormFont::subset`]), the widths come from `hmtx`, and the objects are
//! the ones printpdf writes for a CID-keyed CFF font (Type0, Identity-H, `/FontFile3`
//! `/CIDFontType0C`, `/ToUnicode`), so every viewer shows and copies the forms as before.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::Write;

use lopdf::{Dictionary, Document, Object, Stream, StringFormat};

use crate::font::FormFont;
use crate::FormError;

/// The font's name in the pages' resources (what `Tf` names).
pub(crate) const FONT_RESOURCE: &str = "NotoSansCJKsc";

/// The deflate level of every stream. Level 6 (zlib's default) against the 9 printpdf uses:
/// measured on a receipt, 1.3 ms less for 0.4 KB more (see docs/benchmarks.md).
const DEFLATE_LEVEL: u32 = 6;

/// Embeds the subset of `font` that `used` (glyph → the character drawn with it) needs,
/// deflates every stream and writes the file.
pub(crate) fn finish(mut doc: Document, font: &FormFont, used: &BTreeMap<u16, char>) -> Result<Vec<u8>, FormError> {
    if !used.is_empty() {
        let font_dict = embed_font(&mut doc, font, used).map_err(FormError::Pdf)?;
        let font_ref = Object::Reference(doc.add_object(font_dict));
        // Every page shares printpdf's one font resource dictionary.
        let mut resources = Vec::new();
        for page in doc.get_pages().into_values() {
            if let Ok(Object::Reference(r)) = doc.get_dictionary(page).and_then(|p| p.get(b"Resources")) {
                if let Ok(Object::Reference(fonts)) = doc.get_dictionary(*r).and_then(|d| d.get(b"Font")) {
                    resources.push(*fonts);
                }
            }
        }
        resources.dedup();
        for fonts in resources {
            doc.get_dictionary_mut(fonts)
                .map_err(|e| FormError::Pdf(e.to_string()))?
                .set(FONT_RESOURCE, font_ref.clone());
        }
    }
    deflate(&mut doc, DEFLATE_LEVEL);
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| FormError::Pdf(e.to_string()))?;
    Ok(out)
}

/// The Type0 font dictionary of the subset, its program, widths, ToUnicode map and descriptor
/// added to `doc`.
fn embed_font(doc: &mut Document, font: &FormFont, used: &BTreeMap<u16, char>) -> Result<Dictionary, String> {
    let glyphs: Vec<u16> = used.keys().copied().collect();
    let subset = font.subset(&glyphs)?;
    // Content codes are CIDs, looked up in the full font's charset while drawing; the subset
    // keeps every glyph's CID, and nothing may show if it did not.
    if let Some(&(gid, cid)) = subset.cids.iter().find(|&&(gid, cid)| cid != font.cid(gid)) {
        return Err(format!("子集中字形 {gid} 的 CID 为 {cid}，与原字体的 {} 不同", font.cid(gid)));
    }
    // (CID, glyph), ascending by CID: `/W` runs and ToUnicode ranges need it.
    let mut coded: Vec<(u16, u16)> = subset.cids.iter().map(|&(gid, cid)| (cid, gid)).collect();
    coded.sort_unstable();

    let face = format!("{}+{}", subset_tag(&glyphs), font.metrics.name);
    let to_unicode = printpdf::ToUnicodeCMap {
        mappings: coded.iter().map(|&(cid, gid)| (u32::from(cid), vec![used[&gid] as u32])).collect(),
    }
    .to_cmap_string(FONT_RESOURCE);
    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), to_unicode.into_bytes()));
    let program = doc.add_object(Stream::new(
        Dictionary::from_iter(vec![("Subtype", Object::Name(b"CIDFontType0C".to_vec()))]),
        subset.program,
    ));
    let m = &font.metrics;
    // Upright, non-symbolic (PDF 32000-1, table 123).
    let flags = 1 << 5 | if m.italic_angle != 0 { 1 << 6 } else { 0 };
    let descriptor = doc.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"FontDescriptor".to_vec())),
        ("FontName", Object::Name(face.clone().into_bytes())),
        ("Ascent", m.ascent.into()),
        ("Descent", m.descent.into()),
        ("CapHeight", m.cap_height.into()),
        ("ItalicAngle", m.italic_angle.into()),
        ("Flags", flags.into()),
        ("StemV", m.stem_v.into()),
        ("FontBBox", Object::Array(m.bbox.iter().map(|&v| v.into()).collect())),
        ("FontFile3", Object::Reference(program)),
    ]));
    let literal = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    let cid_font = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("BaseFont", Object::Name(face.clone().into_bytes())),
        ("Subtype", Object::Name(b"CIDFontType0".to_vec())),
        (
            "CIDSystemInfo",
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Registry", literal("Adobe")),
                ("Ordering", literal("Identity")),
                ("Supplement", 0.into()),
            ])),
        ),
        ("W", Object::Array(widths(font, &coded))),
        ("DW", 1000.into()),
        ("FontDescriptor", Object::Reference(descriptor)),
    ]);
    Ok(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type0".to_vec())),
        ("BaseFont", Object::Name(face.into_bytes())),
        ("Encoding", Object::Name(b"Identity-H".to_vec())),
        ("ToUnicode", Object::Reference(to_unicode)),
        ("DescendantFonts", Object::Array(vec![Object::Dictionary(cid_font)])),
    ]))
}

/// The `/W` array: `first [w1 w2 …]` for each run of consecutive CIDs, in 1/1000 em.
fn widths(font: &FormFont, coded: &[(u16, u16)]) -> Vec<Object> {
    let mut out = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut first = 0u16;
    for (i, &(cid, gid)) in coded.iter().enumerate() {
        if i > 0 && cid != coded[i - 1].0 + 1 {
            out.push(i64::from(first).into());
            out.push(Object::Array(std::mem::take(&mut run)));
        }
        if run.is_empty() {
            first = cid;
        }
        run.push(font.pdf_width(gid).into());
    }
    if !run.is_empty() {
        out.push(i64::from(first).into());
        out.push(Object::Array(run));
    }
    out
}

/// The six capital letters that mark a subset (`ABCDEF+Name`, PDF 32000-1 9.6.4), from the
/// glyphs it holds: the same glyphs, the same tag.
fn subset_tag(glyphs: &[u16]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    glyphs.hash(&mut hasher);
    let mut h = hasher.finish();
    (0..6)
        .map(|_| {
            let c = char::from(b'A' + (h % 26) as u8);
            h /= 26;
            c
        })
        .collect()
}

/// Deflates every stream that may be compressed and is not yet, where that makes it smaller (as
/// lopdf's `Document::compress` does, at `level` instead of its fixed 9).
fn deflate(doc: &mut Document, level: u32) {
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(
            Vec::with_capacity(stream.content.len() / 2),
            flate2::Compression::new(level),
        );
        let Ok(compressed) = encoder.write_all(&stream.content).and_then(|()| encoder.finish()) else { continue };
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            stream.set_content(compressed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subset_keeps_every_glyphs_cid_and_only_the_glyphs_asked_for() {
        let font = FormFont::shared();
        // Rare name characters (Extensions A and B), punctuation, digits, and glyphs from all
        // over the font (each of its font dicts).
        let mut glyphs: Vec<u16> =
            "欧阳喆𠮷野堃王珺昇李䶮，。（）0123456789ABC".chars().filter_map(|c| font.glyph(c)).collect();
        glyphs.extend((1..65535).step_by(257));
        glyphs.sort_unstable();
        glyphs.dedup();
        let subset = font.subset(&glyphs).unwrap();
        assert_eq!(subset.cids.len(), glyphs.len());
        for &(gid, cid) in &subset.cids {
            assert_eq!(cid, font.cid(gid), "glyph {gid}");
        }
        let cff = allsorts::binary::read::ReadScope::new(&subset.program).read::<allsorts::cff::CFF<'_>>().unwrap();
        assert!(cff.fonts[0].is_cid_keyed());
        assert_eq!(cff.fonts[0].char_strings_index.len(), glyphs.len() + 1, ".notdef and the glyphs");
    }

    #[test]
    fn widths_run_over_consecutive_cids() {
        let font = FormFont::shared();
        let (a, b, c) = (font.glyph('0').unwrap(), font.glyph('1').unwrap(), font.glyph('中').unwrap());
        let coded = [(font.cid(a), a), (font.cid(a) + 1, b), (font.cid(c), c)];
        assert_eq!(font.cid(b), font.cid(a) + 1, "the digits are consecutive CIDs");
        let w = widths(font, &coded);
        let int = |o: &Object| o.as_i64().unwrap();
        assert_eq!(int(&w[0]), i64::from(font.cid(a)));
        assert_eq!(
            w[1].as_array().unwrap().iter().map(int).collect::<Vec<_>>(),
            [font.pdf_width(a), font.pdf_width(b)]
        );
        assert_eq!(int(&w[2]), i64::from(font.cid(c)));
        assert_eq!(w[3].as_array().unwrap().iter().map(int).collect::<Vec<_>>(), [1000]);
    }

    #[test]
    fn the_subset_tag_is_six_capitals_and_follows_the_glyphs() {
        let tag = subset_tag(&[3, 5, 8]);
        assert!(tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()), "{tag}");
        assert_eq!(tag, subset_tag(&[3, 5, 8]));
        assert_ne!(tag, subset_tag(&[3, 5, 9]));
    }
}
