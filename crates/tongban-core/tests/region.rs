use std::collections::HashSet;

use tongban_core::region::{self, Region, RegionLevel};

fn codes(v: &[Region]) -> Vec<&'static str> {
    v.iter().map(|r| r.code).collect()
}

#[test]
fn lookup_known_codes() {
    let cases = [
        ("411329", "新野县", RegionLevel::County),
        ("411300", "南阳市", RegionLevel::City),
        ("410000", "河南省", RegionLevel::Province),
        ("110106", "丰台区", RegionLevel::County),
        ("110000", "北京市", RegionLevel::Province),
        ("330800", "衢州市", RegionLevel::City),
        ("320000", "江苏省", RegionLevel::Province),
    ];
    for (code, name, level) in cases {
        let r = region::lookup(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!(r, Region { code: r.code, name, level }, "{code}");
        assert_eq!(r.code, code);
        assert!(region::is_valid_code(code));
    }
}

#[test]
fn invalid_codes() {
    for c in ["", "41132", "4113290", "41132x", "４１１３２９", "999999", "110100", " 411329"] {
        assert!(!region::is_valid_code(c), "{c:?}");
        assert_eq!(region::lookup(c), None, "{c:?}");
        assert_eq!(region::full_name(c), None, "{c:?}");
        assert_eq!(region::parent(c), None, "{c:?}");
    }
}

#[test]
fn parents() {
    assert_eq!(region::parent("411329").unwrap().code, "411300");
    assert_eq!(region::parent("411300").unwrap().code, "410000");
    assert_eq!(region::parent("410000"), None);
    // municipalities: no 110100 市辖区 level
    assert_eq!(region::parent("110106").unwrap().code, "110000");
    // 省直辖县级行政区划: 济源市 hangs under 河南省
    assert_eq!(region::parent("419001").unwrap().code, "410000");
}

#[test]
fn full_names() {
    assert_eq!(region::full_name("411329").as_deref(), Some("河南省南阳市新野县"));
    assert_eq!(region::full_name("411300").as_deref(), Some("河南省南阳市"));
    assert_eq!(region::full_name("410000").as_deref(), Some("河南省"));
    assert_eq!(region::full_name("110106").as_deref(), Some("北京市丰台区"));
    assert_eq!(region::full_name("330800").as_deref(), Some("浙江省衢州市"));
    assert_eq!(region::full_name("419001").as_deref(), Some("河南省济源市"));
}

#[test]
fn search_by_name_prefix() {
    let r = region::search("新野", 10);
    assert_eq!(codes(&r), vec!["411329"]);

    let r = region::search("河南省南阳", 100);
    let c = codes(&r);
    assert_eq!(c[0], "411300");
    assert!(c.contains(&"411329"));
    assert!(c.iter().all(|c| c.starts_with("4113")), "{c:?}");
    assert!(!c.contains(&"410000"));

    // the limit holds
    assert_eq!(region::search("河南省南阳", 3).len(), 3);
    assert!(region::search("新野", 0).is_empty());
    assert!(region::search("不存在的地方", 10).is_empty());
}

#[test]
fn search_provinces_first_then_by_code() {
    // "河南" matches the province by name and everything under it by full name.
    let r = region::search("河南", 5);
    assert_eq!(codes(&r), vec!["410000", "410100", "410102", "410103", "410104"]);
    // An empty prefix lists the provinces first.
    let r = region::search("", 40);
    assert!(r.iter().take(34).all(|r| r.level == RegionLevel::Province));
    let r = region::search("新", 50);
    assert_eq!(r[0].code, "650000"); // 新疆维吾尔自治区
    assert!(r[1..].iter().all(|r| r.level != RegionLevel::Province));
    assert!(r[1..].windows(2).all(|w| w[0].code < w[1].code));
}

#[test]
fn search_by_code_prefix() {
    let r = region::search("4113", 100);
    let c = codes(&r);
    assert_eq!(c[0], "411300");
    assert!(c.contains(&"411329"));
    assert!(c.iter().all(|c| c.starts_with("4113")));
    assert!(c.windows(2).all(|w| w[0] < w[1]));
    let r = region::search("41", 3);
    assert_eq!(codes(&r), vec!["410000", "410100", "410102"]);
    assert_eq!(codes(&region::search("411329", 10)), vec!["411329"]);
}

#[test]
fn every_code_is_six_digits_unique_and_sorted() {
    let all: Vec<Region> = region::all().collect();
    assert!(all.len() > 3000, "{}", all.len());
    let mut seen = HashSet::new();
    for r in &all {
        assert!(r.code.len() == 6 && r.code.bytes().all(|b| b.is_ascii_digit()), "{r:?}");
        assert!(seen.insert(r.code), "duplicate {}", r.code);
        assert!(!r.name.is_empty() && r.name != "市辖区", "{r:?}");
        assert_eq!(region::lookup(r.code).as_ref(), Some(r));
        // every full name starts with its province's name
        let full = region::full_name(r.code).unwrap();
        let prov = region::lookup(&format!("{}0000", &r.code[..2])).unwrap();
        assert!(full.starts_with(prov.name), "{full}");
        assert!(!full.contains("市辖区") && !full.contains("直辖县级"), "{full}");
    }
    assert!(all.windows(2).all(|w| w[0].code < w[1].code));
}

#[test]
fn levels_serialize_snake_case() {
    let r = region::lookup("411329").unwrap();
    assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"code":"411329","name":"新野县","level":"county"}"#);
}

#[test]
fn short_names_keep_only_the_parent() {
    use tongban_core::region::short_name;
    assert_eq!(short_name("320102").as_deref(), Some("南京市玄武区"));
    assert_eq!(short_name("110106").as_deref(), Some("北京市丰台区"));
    assert_eq!(short_name("411329").as_deref(), Some("南阳市新野县"));
    assert_eq!(short_name("410000").as_deref(), Some("河南省"));
    assert_eq!(short_name("999999"), None);
}

#[test]
fn display_name_is_the_full_name_or_the_code_itself() {
    assert_eq!(region::display_name("411329"), "河南省南阳市新野县");
    assert_eq!(region::display_name("110106"), "北京市丰台区");
    // A code this build's list does not know (a newer one) still shows, never as blank.
    assert_eq!(region::display_name("419999"), "419999");
}
