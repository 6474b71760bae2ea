//! Validators of identity numbers, 统一社会信用代码 and phones: literal vectors, the exact
//! messages clerks see, and property tests that every single-character typo is caught.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use tongban_core::applicant::IdKind;
use tongban_core::validate::{
    id_document, id_document_warning, landline, mobile, phone, resident_id, resident_id_check_digit, uscc,
    uscc_categories, uscc_check_char,
};

// Independent reference implementations, written from the standards' text rather than shared
// with the code under test.

fn ref_gb11643_check(first17: &str) -> char {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    // Weight i is 2^(17-i) mod 11; check them against the table before trusting it.
    for (i, w) in weights.iter().enumerate() {
        assert_eq!(*w, (1u32 << (17 - i)) % 11);
    }
    let sum: u32 = first17.chars().zip(weights).map(|(c, w)| c.to_digit(10).expect("digit") * w).sum();
    // The check value a satisfies (sum + a) ≡ 1 (mod 11); 10 is written X.
    let a = (12 - sum % 11) % 11;
    if a == 10 {
        'X'
    } else {
        char::from_digit(a, 10).expect("digit")
    }
}

const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn ref_uscc_check(first17: &str) -> char {
    let alphabet: Vec<char> = USCC_ALPHABET.chars().collect();
    // Weights are 3^i mod 31.
    let mut w = 1u32;
    let mut sum = 0u32;
    for c in first17.chars() {
        let v = alphabet.iter().position(|&a| a == c).expect("uscc char") as u32;
        sum += v * w;
        w = w * 3 % 31;
    }
    alphabet[((31 - sum % 31) % 31) as usize]
}

/// GB 32100-2015 表1 as the standard prints it: each 登记管理部门代码 with the 机构类别代码 it
/// assigns (typed here from the standard, not read from the table the code ships).
const REF_USCC_CATEGORIES: [(char, &str); 12] = [
    ('1', "1239"),
    ('2', "19"),
    ('3', "123459"),
    ('4', "19"),
    ('5', "1239"),
    ('6', "129"),
    ('7', "129"),
    ('8', "19"),
    ('9', "123"),
    ('A', "19"),
    ('N', "1239"),
    ('Y', "1"),
];

/// The fixed day these tests check as of (the core has no clock).
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
}

fn message<T: std::fmt::Debug>(r: Result<T, tongban_core::validate::ValidationError>) -> String {
    r.expect_err("should be rejected").message
}

// ---------------------------------------------------------------------------------------------
// Literal vectors.

#[test]
fn literal_resident_ids_pass() {
    for n in ["11010519491231002X", "110101199003074477", "110101199003077774"] {
        assert_eq!(ref_gb11643_check(&n[..17]), n.chars().last().unwrap(), "{n}");
        assert_eq!(resident_id_check_digit(&n[..17]), n.chars().last(), "{n}");
        assert_eq!(resident_id(n, today()).map(|r| r.number), Ok(n.to_string()));
    }
    let id = resident_id("11010519491231002X", today()).unwrap();
    assert_eq!(id.region, "110105");
    assert_eq!(id.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
    assert!(!id.male); // digit 17 is 2
    assert!(resident_id("110101199003074477", today()).unwrap().male); // digit 17 is 7
}

#[test]
fn gb11643_example_born_1880_has_right_check_digit_but_is_before_1900() {
    // 440524188001010014 is the standard's own example; its check digit is right, but the rule
    // of this desk is births from 1900 on.
    assert_eq!(ref_gb11643_check("44052418800101001"), '4');
    assert_eq!(resident_id_check_digit("44052418800101001"), Some('4'));
    assert_eq!(message(resident_id("440524188001010014", today())), "出生日期1880年01月01日早于1900年，请核对");
}

#[test]
fn normalisation_of_resident_id() {
    assert_eq!(resident_id(" 11010519491231002x ", today()).unwrap().number, "11010519491231002X");
    assert_eq!(resident_id("１１０１０５１９４９１２３１００２Ｘ", today()).unwrap().number, "11010519491231002X");
    assert_eq!(resident_id("１１０１０５１９４９１２３１００２ｘ", today()).unwrap().number, "11010519491231002X");
}

#[test]
fn check_digit_function_rejects_non_digits() {
    assert_eq!(resident_id_check_digit("1101051949123100"), None);
    assert_eq!(resident_id_check_digit("110105194912310021"), None);
    assert_eq!(resident_id_check_digit("1101051949123100X"), None);
    assert_eq!(resident_id_check_digit("１１０１０５１９４９１２３１００２"), None);
    assert_eq!(uscc_check_char("91350100M000100Y"), None);
    assert_eq!(uscc_check_char("91350100M000100I4"), None);
}

#[test]
fn literal_usccs_pass() {
    for n in ["91350100M000100Y43", "91110108551385082Q", "91440300708461136T"] {
        assert_eq!(ref_uscc_check(&n[..17]), n.chars().last().unwrap(), "{n}");
        assert_eq!(uscc_check_char(&n[..17]), n.chars().last(), "{n}");
        assert_eq!(uscc(n), Ok(n.to_string()));
    }
    assert_eq!(uscc(" 91110108551385082q ").unwrap(), "91110108551385082Q");
    assert_eq!(uscc("91350100m000100y43").unwrap(), "91350100M000100Y43");
    assert_eq!(uscc("９１３５０１００Ｍ０００１００Ｙ４３").unwrap(), "91350100M000100Y43");
}

// ---------------------------------------------------------------------------------------------
// Exact messages.

#[test]
fn resident_id_messages() {
    assert_eq!(message(resident_id("", today())), "不能为空");
    assert_eq!(message(resident_id("   ", today())), "不能为空");
    assert_eq!(message(resident_id("1101051949123100", today())), "应为18位，实际为16位");
    assert_eq!(message(resident_id("11010519491231002X1", today())), "应为18位，实际为19位");
    assert_eq!(message(resident_id("110105491231002", today())), "15位第一代身份证号码已不再受理，请使用18位号码");
    assert_eq!(message(resident_id("11010519491231O02X", today())), "第15位「O」不是数字");
    assert_eq!(message(resident_id("11010519491231002Y", today())), "第18位「Y」应为数字或X");
    assert_eq!(message(resident_id("11010519990230002X", today())), "出生日期1999年02月30日不存在");
    assert_eq!(message(resident_id("11010519001301002X", today())), "出生日期1900年13月01日不存在");
    assert_eq!(message(resident_id("110105210101010022", today())), "出生日期2101年01月01日晚于2100年，请核对");
    assert_eq!(message(resident_id("110105194912310021", today())), "校验码错误：第18位为「1」，按GB 11643应为「X」");
    assert_eq!(message(resident_id("990105194912310021", today())), "第1-2位「99」不是有效的省级行政区划代码");
    assert_eq!(message(resident_id("160105194912310021", today())), "第1-2位「16」不是有效的省级行政区划代码");
    assert_eq!(
        message(resident_id("810000199408230021", today())),
        "地址码「810000」属于港澳台地区，港澳台居民居住证请选择证件类型「港澳台居民居住证」"
    );
}

#[test]
fn leap_days() {
    let with_check = |body: &str| format!("{body}{}", ref_gb11643_check(body));
    assert!(resident_id(&with_check("11010520000229001"), today()).is_ok());
    assert!(resident_id(&with_check("11010519960229001"), today()).is_ok());
    assert_eq!(message(resident_id(&with_check("11010519000229001"), today())), "出生日期1900年02月29日不存在");
    assert_eq!(message(resident_id(&with_check("11010519990229001"), today())), "出生日期1999年02月29日不存在");
    assert_eq!(message(resident_id(&with_check("11010519990431001"), today())), "出生日期1999年04月31日不存在");
    assert_eq!(message(resident_id(&with_check("11010519990100001"), today())), "出生日期1999年01月00日不存在");
}

#[test]
fn abolished_county_codes_stay_valid() {
    // 110103 崇文区 and 110104 宣武区 were abolished in 2010; numbers issued there stay valid.
    for region in ["110103", "110104", "320000", "650000"] {
        let body = format!("{region}19800101123");
        let n = format!("{body}{}", ref_gb11643_check(&body));
        assert_eq!(resident_id(&n, today()).unwrap().region, region);
    }
}

#[test]
fn uscc_messages() {
    assert_eq!(message(uscc("")), "不能为空");
    assert_eq!(message(uscc("91350100M000100Y4")), "应为18位，实际为17位");
    assert_eq!(message(uscc("91350100M000100I43")), "第16位「I」不在统一社会信用代码字符集中（不使用I、O、Z、S、V）");
    assert_eq!(message(uscc("91350100m0001o0Y43")), "第14位「o」不在统一社会信用代码字符集中（不使用I、O、Z、S、V）");
    assert_eq!(message(uscc("01350100M000100Y43")), "第1位「0」不是有效的登记管理部门代码");
    assert_eq!(message(uscc("B1350100M000100Y43")), "第1位「B」不是有效的登记管理部门代码");
    assert_eq!(message(uscc("9135010AM000100Y43")), "第8位「A」不是数字（第3-8位为登记管理机关行政区划码）");
    assert_eq!(message(uscc("91350100M000100Y44")), "校验码错误：第18位为「4」，按GB 32100应为「3」");
    assert_eq!(message(uscc("91110108551385082r")), "校验码错误：第18位为「R」，按GB 32100应为「Q」");
}

#[test]
fn uscc_second_character_is_a_category_of_its_registration_authority() {
    // Every pair of first and second characters, against the standard's table.
    for dept in USCC_ALPHABET.chars() {
        for kind in USCC_ALPHABET.chars() {
            let body = format!("{dept}{kind}110108551385082");
            let n = format!("{body}{}", ref_uscc_check(&body));
            let allowed = REF_USCC_CATEGORIES.iter().any(|(d, cats)| *d == dept && cats.contains(kind));
            assert_eq!(uscc(&n).is_ok(), allowed, "{n}: {:?}", uscc(&n));
        }
    }
    assert_eq!(
        message(uscc("9A350100M000100Y43")),
        "第2位「A」不是有效的机构类别代码：登记管理部门代码9（工商）下只有1（企业）、2（个体工商户）、3（农民专业合作社）"
    );
    assert_eq!(
        message(uscc("y2110108551385082Q")),
        "第2位「2」不是有效的机构类别代码：登记管理部门代码Y（其他）下只有1（不再具体划分机构类别）"
    );
    // The shipped table holds exactly the standard's pairs.
    let shipped: Vec<(char, char)> = uscc_categories().iter().map(|r| (r.department, r.category)).collect();
    let reference: Vec<(char, char)> =
        REF_USCC_CATEGORIES.iter().flat_map(|(d, cats)| cats.chars().map(move |c| (*d, c))).collect();
    assert_eq!(shipped, reference);
    assert!(uscc_categories().iter().all(|r| !r.department_name.is_empty() && !r.category_name.is_empty()));
}

#[test]
fn a_birth_date_after_today_is_refused_and_today_is_allowed() {
    let with_check = |body: &str| format!("{body}{}", ref_gb11643_check(body));
    assert_eq!(
        message(resident_id(&with_check("11010520261207001"), today())),
        "出生日期晚于今天：2026年12月07日出生，今天是2026年12月6日，请核对"
    );
    assert_eq!(
        message(resident_id(&with_check("11010520990101001"), today())),
        "出生日期晚于今天：2099年01月01日出生，今天是2026年12月6日，请核对"
    );
    assert!(resident_id(&with_check("11010520261206001"), today()).is_ok());
    // The same number is fine once its day has come.
    let later = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    assert!(resident_id(&with_check("11010520261207001"), later).is_ok());
    // The other GB 11643 numbers carry a birth date too.
    let future_hmt = with_check("81000020270101002");
    assert!(message(id_document(IdKind::HmtResidencePermit, &future_hmt, today())).starts_with("出生日期晚于今天"));
    let future_foreign = with_check("93115620270101001");
    assert!(
        message(id_document(IdKind::ForeignPermanent2023, &future_foreign, today())).starts_with("出生日期晚于今天")
    );
}

#[test]
fn an_address_code_missing_from_the_region_list_is_a_warning_not_an_error() {
    let with_check = |body: &str| format!("{body}{}", ref_gb11643_check(body));
    let old = with_check("11999919800101001");
    let id = resident_id(&old, today()).expect("old codes stay valid");
    assert_eq!(id.warning().map(|w| w.message).as_deref(), Some("行政区划代码 119999 不在现行代码表中，请核对"));
    assert_eq!(
        id_document_warning(IdKind::ResidentId, &old, today()).map(|w| w.message),
        id.warning().map(|w| w.message)
    );
    // 110105 朝阳区 is in the list; an invalid number has no warning (its error says more).
    assert_eq!(resident_id("11010519491231002X", today()).unwrap().warning(), None);
    assert_eq!(id_document_warning(IdKind::ResidentId, &old[..17], today()), None);
    assert_eq!(id_document_warning(IdKind::Passport, "E12345678", today()), None);
}

#[test]
fn uscc_accepts_every_registration_authority_of_the_set() {
    for first in "123456789ANY".chars() {
        let body = format!("{first}1110108551385082");
        let n = format!("{body}{}", ref_uscc_check(&body));
        assert_eq!(uscc(&n), Ok(n.clone()));
    }
}

// ---------------------------------------------------------------------------------------------
// Phones.

#[test]
fn mobiles() {
    assert_eq!(mobile("13812345678").unwrap(), "13812345678");
    assert_eq!(mobile(" 138 1234 5678 ").unwrap(), "13812345678");
    assert_eq!(mobile("138-1234-5678").unwrap(), "13812345678");
    assert_eq!(mobile("+8613812345678").unwrap(), "13812345678");
    assert_eq!(mobile("+86 138 1234 5678").unwrap(), "13812345678");
    assert_eq!(mobile("+86-13812345678").unwrap(), "13812345678");
    assert_eq!(mobile("86 13812345678").unwrap(), "13812345678");
    assert_eq!(mobile("0086 13812345678").unwrap(), "13812345678");
    assert_eq!(mobile("１３８１２３４５６７８").unwrap(), "13812345678");
    assert_eq!(mobile("19912345678").unwrap(), "19912345678");

    assert_eq!(message(mobile("")), "不能为空");
    assert_eq!(message(mobile("1381234567")), "手机号码应为11位数字，实际为10位");
    assert_eq!(message(mobile("+86 138123456789")), "手机号码应为11位数字，实际为12位");
    assert_eq!(message(mobile("12812345678")), "手机号码应以13-19开头");
    assert_eq!(message(mobile("23812345678")), "手机号码应以13-19开头");
    assert_eq!(message(mobile("1381234567a")), "手机号码含有非数字字符「a」");
}

#[test]
fn landlines() {
    assert_eq!(landline("0377-66012345").unwrap(), "0377-66012345");
    assert_eq!(landline("0377 6601234").unwrap(), "0377-6601234");
    assert_eq!(landline("037766012345").unwrap(), "0377-66012345");
    assert_eq!(landline("010-65528888").unwrap(), "010-65528888");
    assert_eq!(landline("01065528888").unwrap(), "010-65528888");
    assert_eq!(landline("021 6552 8888").unwrap(), "021-65528888");
    assert_eq!(landline("(0377)66012345").unwrap(), "0377-66012345");
    assert_eq!(landline("（０３７７）６６０１２３４５").unwrap(), "0377-66012345");
    assert_eq!(landline("+86 377 66012345").unwrap(), "0377-66012345");
    assert_eq!(landline("0377-66012345-123").unwrap(), "0377-66012345-123");
    assert_eq!(landline("0377-66012345转123").unwrap(), "0377-66012345-123");
    assert_eq!(landline("0377 66012345 转 8001").unwrap(), "0377-66012345-8001");

    assert_eq!(message(landline("")), "不能为空");
    assert_eq!(message(landline("66012345")), "固定电话应包含区号，如 0377-66012345");
    assert_eq!(message(landline("0377")), "固定电话缺少本地号码，如 0377-66012345");
    assert_eq!(message(landline("037-66012345")), "区号「037」不完整：010、020-029为3位，其他区号为4位");
    assert_eq!(message(landline("0377-660123")), "本地号码应为7-8位，实际为6位");
    assert_eq!(message(landline("0377-660123456")), "本地号码应为7-8位，实际为9位");
    assert_eq!(message(landline("0377-06601234")), "本地号码「06601234」不能以0或1开头");
    assert_eq!(message(landline("0377-66012345-1234567")), "分机号「1234567」应为1-6位数字");
    assert_eq!(message(landline("0377-66012345转")), "「转」后缺少分机号");
    assert_eq!(
        message(landline("0377-66012345-12-34")),
        "分机号只能有一个，如 0377-66012345-123 或 0377-66012345转123"
    );
    assert_eq!(message(landline("0377-6601234a")), "固定电话含有非数字字符「a」");
}

#[test]
fn phone_accepts_either_and_explains_both() {
    assert_eq!(phone("+86 138 1234 5678").unwrap(), "13812345678");
    assert_eq!(phone("0377-66012345转123").unwrap(), "0377-66012345-123");
    assert_eq!(phone("010 65528888").unwrap(), "010-65528888");

    const BOTH: &str = "应为11位手机号码（如 13812345678）或带区号的固定电话（如 0377-66012345）";
    assert_eq!(message(phone("")), "不能为空");
    assert_eq!(message(phone("abc")), BOTH);
    assert_eq!(message(phone("66012345")), BOTH);
    assert_eq!(message(phone("1381234567")), format!("{BOTH}；手机号码应为11位数字，实际为10位"));
    assert_eq!(message(phone("0377-660123")), format!("{BOTH}；本地号码应为7-8位，实际为6位"));
}

// ---------------------------------------------------------------------------------------------
// Dispatch by 证件类型: one valid and one invalid number for every kind.

#[test]
fn id_document_dispatch() {
    let hmt = "810000199408230021";
    let fp2023_body = "91105619900101001";
    let fp2023 = format!("{fp2023_body}{}", ref_gb11643_check(fp2023_body));
    let cases: [(IdKind, &str, &str, &str, &str); 7] = [
        (
            IdKind::ResidentId,
            "11010519491231002x",
            "11010519491231002X",
            "110105194912310021",
            "校验码错误：第18位为「1」，按GB 11643应为「X」",
        ),
        (
            IdKind::HmtResidencePermit,
            hmt,
            hmt,
            "11010519491231002X",
            "第1-6位地址码为「110105」，港澳台居民居住证应为810000（香港）、820000（澳门）或830000（台湾）",
        ),
        (
            IdKind::ForeignPermanent2017,
            "usa310085061201",
            "USA310085061201",
            "USA310085023001",
            "出生日期85年02月30日不存在",
        ),
        (
            IdKind::ForeignPermanent2023,
            &fp2023,
            &fp2023,
            "81105619900101001X",
            "第1位「8」应为9（2023版外国人永久居留身份证以9开头）",
        ),
        (IdKind::Passport, " e12345678 ", "E12345678", "E1234-5678", "第6位「-」不是字母或数字"),
        (IdKind::HkMacaoPermit, "h12345678", "H12345678", "K12345678", "应为H或M开头加8位数字"),
        (IdKind::TaiwanPermit, "12345678", "12345678", "1234567", "应为8位数字（旧版为10位），实际为7位"),
    ];
    for kind in IdKind::ALL {
        let (_, valid, canonical, invalid, msg) =
            cases.iter().find(|c| c.0 == kind).unwrap_or_else(|| panic!("no case for {kind:?}"));
        assert_eq!(id_document(kind, valid, today()).as_deref(), Ok(*canonical), "{kind:?}");
        assert_eq!(message(id_document(kind, invalid, today())), *msg, "{kind:?}");
        assert_eq!(message(id_document(kind, "  ", today())), "不能为空", "{kind:?}");
    }
}

#[test]
fn other_document_messages() {
    use IdKind::*;
    let m = |k, s| message(id_document(k, s, today()));
    // 港澳台居民居住证 shares the date and check-digit rules.
    assert_eq!(m(HmtResidencePermit, "820000199902300021"), "出生日期1999年02月30日不存在");
    assert_eq!(m(HmtResidencePermit, "830000199201300023"), "校验码错误：第18位为「3」，按GB 11643应为「2」");
    assert!(id_document(HmtResidencePermit, "830000199201300022", today()).is_ok());
    // 2017 form.
    assert_eq!(m(ForeignPermanent2017, "USA31008506120"), "应为15位，实际为14位");
    assert_eq!(m(ForeignPermanent2017, "U5A310085061201"), "第2位「5」应为字母（第1-3位为国籍代码）");
    assert_eq!(m(ForeignPermanent2017, "USA3100850612O1"), "第14位「O」不是数字");
    assert_eq!(m(ForeignPermanent2017, "USA310085133101"), "出生日期85年13月31日不存在");
    assert!(id_document(ForeignPermanent2017, "USA310000022901", today()).is_ok()); // 2000-02-29
    assert_eq!(
        m(ForeignPermanent2017, "911056199001010011"),
        "应为15位，实际为18位（以9开头的18位号码是2023版，请选择证件类型「外国人永久居留身份证（2023版）」）"
    );
    // 2023 form.
    assert_eq!(m(ForeignPermanent2023, "99905619900101001X"), "第2-3位「99」不是有效的省级行政区划代码");
    assert_eq!(m(ForeignPermanent2023, "91105619900230001X"), "出生日期1990年02月30日不存在");
    assert_eq!(
        m(ForeignPermanent2023, "USA310085061201"),
        "应为18位，实际为15位（15位的是2017版，请选择证件类型「外国人永久居留身份证（2017版）」）"
    );
    // Passports, 通行证.
    assert_eq!(m(Passport, "E123"), "应为5至17位字母或数字，实际为4位");
    assert_eq!(m(Passport, "E12345678901234567"), "应为5至17位字母或数字，实际为18位");
    assert_eq!(id_document(HkMacaoPermit, "M1234567890", today()).as_deref(), Ok("M1234567890"));
    assert_eq!(m(HkMacaoPermit, "H1234567"), "应为H或M开头加8位数字");
    assert_eq!(m(HkMacaoPermit, "H1234567A"), "第9位「A」不是数字");
    assert_eq!(id_document(TaiwanPermit, "1234567890", today()).as_deref(), Ok("1234567890"));
    assert_eq!(m(TaiwanPermit, "1234567A"), "第8位「A」不是数字");
}

// ---------------------------------------------------------------------------------------------
// Properties.

const PROVINCES: [u32; 31] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65,
];

fn valid_resident_id() -> impl Strategy<Value = (String, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    let last = today();
    let span = (last - first).num_days();
    (prop::sample::select(&PROVINCES[..]), 0u32..10_000, 0..=span, 0u32..1000).prop_map(
        move |(province, county, day, seq)| {
            let birth = first + chrono::Duration::days(day);
            let body = format!("{province:02}{county:04}{}{seq:03}", birth.format("%Y%m%d"));
            (format!("{body}{}", ref_gb11643_check(&body)), birth)
        },
    )
}

fn valid_uscc() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = USCC_ALPHABET.chars().collect();
    let any_char = prop::sample::select(alphabet);
    let pairs: Vec<(char, char)> =
        REF_USCC_CATEGORIES.iter().flat_map(|(d, cats)| cats.chars().map(move |c| (*d, c))).collect();
    (prop::sample::select(pairs), 0u32..1_000_000, prop::collection::vec(any_char, 9)).prop_map(
        |((dept, kind), region, org)| {
            let body = format!("{dept}{kind}{region:06}{}", org.into_iter().collect::<String>());
            format!("{body}{}", ref_uscc_check(&body))
        },
    )
}

/// Every string differing from `s` in exactly one position, using `alphabet`.
fn single_substitutions(s: &str, alphabet: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        for c in alphabet.chars().filter(|&c| c != chars[i]) {
            let mut m = chars.clone();
            m[i] = c;
            out.push(m.into_iter().collect());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_resident_ids_pass((n, birth) in valid_resident_id()) {
        let id = resident_id(&n, today()).expect("valid");
        prop_assert_eq!(&id.number, &n);
        prop_assert_eq!(id.birth_date, birth);
        prop_assert_eq!(id.male, n.as_bytes()[16] % 2 == 1);
        prop_assert_eq!(id.region, &n[..6]);
        prop_assert!(birth.year() >= 1900);
        prop_assert_eq!(resident_id(&n.to_lowercase(), today()).map(|r| r.number), Ok(n.clone()));
    }

    #[test]
    fn every_single_character_typo_in_a_resident_id_is_rejected((n, _) in valid_resident_id()) {
        let mutants = single_substitutions(&n, "0123456789X");
        prop_assert_eq!(mutants.len(), 18 * 10);
        for m in mutants {
            prop_assert!(resident_id(&m, today()).is_err(), "{} (from {}) was accepted", m, n);
        }
    }

    #[test]
    fn generated_usccs_pass(n in valid_uscc()) {
        prop_assert_eq!(uscc(&n), Ok(n.clone()));
        prop_assert_eq!(uscc(&n.to_lowercase()), Ok(n.clone()));
    }

    #[test]
    fn every_single_character_typo_in_a_uscc_is_rejected(n in valid_uscc()) {
        let mutants = single_substitutions(&n, USCC_ALPHABET);
        prop_assert_eq!(mutants.len(), 18 * 30);
        for m in mutants {
            prop_assert!(uscc(&m).is_err(), "{} (from {}) was accepted", m, n);
        }
    }
}
