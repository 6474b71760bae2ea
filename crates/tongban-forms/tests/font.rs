//! The shipped font: what it covers, and that it is the unmodified Noto Sans CJK SC.

use tongban_forms::font::{FormFont, FONT_BYTES};

#[test]
fn the_font_covers_rare_name_characters_and_reports_what_it_lacks() {
    let font = FormFont::shared();
    // 喆 堃 珺 昇 (CJK Unified), 䶮 (Extension A), 𠮷 (Extension B, outside the BMP), and the
    // characters of every form's fixed text.
    for c in "喆堃珺昇䶮𠮷欧阳赟镕玥犇淼鑫龑曌頔彧堇翀".chars() {
        assert!(font.covers(c), "{c} U+{:04X}", c as u32);
    }
    for c in "０１２３ＡＢ，。、；：？！（）「」《》“”—…·＋＿０１２ABCxyz0123456789-*/".chars()
    {
        assert!(font.covers(c), "{c} U+{:04X}", c as u32);
    }
    // Private Use Area characters (often what a government ID system uses for a rare character
    // it has no code point for) and control characters never print.
    for c in ['\u{E000}', '\u{F8FF}', '\u{F0000}', '\u{0007}'] {
        assert!(!font.covers(c), "U+{:04X}", c as u32);
    }
    assert_eq!(font.first_missing("欧阳喆\n𠮷野"), None, "a line break is layout, not a character");
    let err = font.check("申请人姓名", "张\u{E000}三").unwrap_err();
    assert_eq!(err.to_string(), "申请人姓名中的「\u{E000}」（U+E000）是打印字体中没有的字，无法打印；请核对该字，必要时改用规范汉字或在备注中说明");
    assert!(tongban_forms::check_printable("申请人姓名", "欧阳喆").is_ok());
}

#[test]
fn the_fast_character_lookup_agrees_with_the_font_parser() {
    let font = FormFont::shared();
    let sample = (0x20u32..0x3_0000).step_by(41).chain("喆堃珺昇䶮𠮷欧阳，。（）".chars().map(|c| c as u32));
    let mut checked = 0;
    for c in sample.filter_map(char::from_u32).filter(|c| !c.is_control()) {
        assert_eq!(font.glyph(c), font.parser_glyph(c), "{c} U+{:04X}", c as u32);
        checked += 1;
    }
    assert!(checked > 4000);
}

#[test]
fn the_font_is_the_full_unmodified_noto_sans_cjk_sc() {
    // A single OTF face (not a collection), as extracted from the Debian TTC: family name intact,
    // all 65,535 glyphs (a trimmed copy would have fewer and must be renamed under the OFL).
    assert_eq!(&FONT_BYTES[..4], b"OTTO", "CFF-flavoured OpenType");
    let num_glyphs = u16::from_be_bytes(maxp(FONT_BYTES)[4..6].try_into().unwrap());
    assert_eq!(num_glyphs, 65535);
    // The family name, as the `name` table holds it for Windows (UTF-16BE).
    let family: Vec<u8> = "Noto Sans CJK SC".encode_utf16().flat_map(u16::to_be_bytes).collect();
    assert!(FONT_BYTES.windows(family.len()).any(|w| w == family), "family name intact");
}

/// The `maxp` table of an sfnt.
fn maxp(font: &[u8]) -> &[u8] {
    let n = u16::from_be_bytes([font[4], font[5]]) as usize;
    for i in 0..n {
        let rec = &font[12 + 16 * i..28 + 16 * i];
        if &rec[..4] == b"maxp" {
            let off = u32::from_be_bytes(rec[8..12].try_into().unwrap()) as usize;
            return &font[off..off + 6];
        }
    }
    panic!("no maxp table")
}
