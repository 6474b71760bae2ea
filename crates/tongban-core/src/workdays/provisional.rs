//! A year's days off derived from the statutory rules, for years the State Council has not (yet)
//! published a notice for.
//!
//! 《全国年节及纪念日放假办法》 as amended in 2024 (国务院令第795号), article 2: 元旦 1 day
//! (1月1日); 春节 4 days (农历除夕、正月初一至初三); 清明节 1 day (the day of the 清明 solar
//! term); 劳动节 2 days (5月1日、2日); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月十五);
//! 国庆节 3 days (10月1日至3日). Article 6: a holiday that falls on a Saturday or Sunday is made
//! up (补休) on a working day — here the first weekday after the holiday that is not itself off.
//! 调休 (swapping a weekend for a weekday to join days up) is decided only by each year's notice,
//! so a provisional year has none: its dates are 预估 until the notice is imported.
//!
//! The lunar dates come from ICU4X's Chinese calendar (`icu_calendar`). ICU4X keeps its solar
//! terms private, so the 清明 day comes from `tyme4rs` (6tail's Tyme, the port of the 寿星万年历
//! algorithms most Chinese calendar software uses); a test checks that the two libraries agree
//! on every 春节 of the supported years. Both count in Beijing time.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use icu_calendar::types::Month;
use icu_calendar::{Date, Iso};

/// One statutory holiday of a year: its name and its days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Festival {
    pub name: &'static str,
    pub days: Vec<NaiveDate>,
}

/// The statutory holidays of `year` in date order (before 补休). Only for years in
/// [`super::SUPPORTED_YEARS`] (the calendar checks before it asks): the lunar tables answer for
/// those, and the fixed dates exist in them.
pub(crate) fn festivals(year: i32) -> Vec<Festival> {
    let ymd = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).expect("fixed dates exist");
    let new_year = lunar(year, 1, 1);
    let mut out = vec![
        Festival { name: "元旦", days: vec![ymd(1, 1)] },
        // 除夕 is the day before 正月初一 (the last day of 腊月, whether it has 29 or 30 days).
        Festival { name: "春节", days: (-1..=2).map(|k| new_year + Duration::days(k)).collect() },
        Festival { name: "清明节", days: vec![qingming(year)] },
        Festival { name: "劳动节", days: vec![ymd(5, 1), ymd(5, 2)] },
        Festival { name: "端午节", days: vec![lunar(year, 5, 5)] },
        Festival { name: "中秋节", days: vec![lunar(year, 8, 15)] },
        Festival { name: "国庆节", days: vec![ymd(10, 1), ymd(10, 2), ymd(10, 3)] },
    ];
    out.sort_by_key(|f| f.days[0]);
    out
}

/// Every day off of `year` with its label: the festivals' days, then one 补休 day for each of
/// their days that falls on a weekend (article 6), on the first weekday after the festival that
/// is not already off. A day two festivals share (中秋 on 国庆) is one day off.
pub(crate) fn days_off(year: i32) -> BTreeMap<NaiveDate, &'static str> {
    let festivals = festivals(year);
    let mut off: BTreeMap<NaiveDate, &'static str> = BTreeMap::new();
    for f in &festivals {
        for d in &f.days {
            off.entry(*d).or_insert(f.name);
        }
    }
    for f in &festivals {
        let weekend_days = f.days.iter().filter(|d| is_weekend(**d)).count();
        let mut d = *f.days.last().expect("a festival has days");
        for _ in 0..weekend_days {
            loop {
                d = d.succ_opt().expect("inside a supported year");
                if !is_weekend(d) && !off.contains_key(&d) {
                    break;
                }
            }
            off.insert(d, makeup_label(f.name));
        }
    }
    off
}

fn makeup_label(festival: &str) -> &'static str {
    match festival {
        "元旦" => "元旦补休",
        "春节" => "春节补休",
        "清明节" => "清明节补休",
        "劳动节" => "劳动节补休",
        "端午节" => "端午节补休",
        "中秋节" => "中秋节补休",
        _ => "国庆节补休",
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The Gregorian date of a (non-leap) lunar month and day in the Chinese year that begins in
/// `year`.
fn lunar(year: i32, month: u8, day: u8) -> NaiveDate {
    let date = Date::try_new_chinese_traditional(year, Month::new(month), day)
        .expect("every Chinese year has months 1, 5 and 8 with these days")
        .to_calendar(Iso);
    NaiveDate::from_ymd_opt(
        date.year().extended_year(),
        u32::from(date.month().ordinal),
        u32::from(date.day_of_month().0),
    )
    .expect("ICU gives a valid ISO date")
}

/// The day of the 清明 solar term (4, 5 or 6 April).
fn qingming(year: i32) -> NaiveDate {
    let term = tyme4rs::tyme::solar::SolarTerm::new(year as isize, "清明").expect("清明 is a solar term");
    let day = term.get_solar_day();
    NaiveDate::from_ymd_opt(day.get_year() as i32, day.get_month() as u32, day.get_day() as u32)
        .expect("Tyme gives a valid date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn lunar_festivals_match_the_published_notices() {
        // From the State Council's notices (and the almanac) for years already published.
        let cases = [
            (2025, "2025-01-28", "2025-04-04", "2025-05-31", "2025-10-06"),
            (2026, "2026-02-16", "2026-04-05", "2026-06-19", "2026-09-25"),
            (2024, "2024-02-09", "2024-04-04", "2024-06-10", "2024-09-17"),
            (2023, "2023-01-21", "2023-04-05", "2023-06-22", "2023-09-29"),
        ];
        for (year, chuxi, qm, duanwu, zhongqiu) in cases {
            let f = festivals(year);
            let days = |name: &str| f.iter().find(|x| x.name == name).unwrap().days.clone();
            assert_eq!(days("春节")[0], d(chuxi), "{year} 除夕");
            assert_eq!(days("清明节"), vec![d(qm)], "{year} 清明");
            assert_eq!(days("端午节"), vec![d(duanwu)], "{year} 端午");
            assert_eq!(days("中秋节"), vec![d(zhongqiu)], "{year} 中秋");
        }
    }

    #[test]
    fn year_2027_by_the_rules() {
        // 2027: 春节 (初一) is 2月6日, so 除夕 2月5日 (Fri) to 初三 2月8日 (Mon); 清明 4月5日;
        // 端午 6月9日; 中秋 9月15日.
        let off = days_off(2027);
        let chunjie: Vec<_> = off.iter().filter(|(_, l)| **l == "春节").map(|(d, _)| *d).collect();
        assert_eq!(chunjie, vec![d("2027-02-05"), d("2027-02-06"), d("2027-02-07"), d("2027-02-08")]);
        // 2月6日 and 7日 are Saturday and Sunday: made up on 2月9日 and 10日.
        assert_eq!(off.get(&d("2027-02-09")), Some(&"春节补休"));
        assert_eq!(off.get(&d("2027-02-10")), Some(&"春节补休"));
        assert_eq!(off.get(&d("2027-04-05")), Some(&"清明节"));
        assert_eq!(off.get(&d("2027-06-09")), Some(&"端午节"));
        assert_eq!(off.get(&d("2027-09-15")), Some(&"中秋节"));
        // 5月1日 and 2日 are Saturday and Sunday: 5月3日 and 4日 off.
        assert_eq!(off.get(&d("2027-05-03")), Some(&"劳动节补休"));
        assert_eq!(off.get(&d("2027-05-04")), Some(&"劳动节补休"));
        // 10月2日, 3日 are Saturday and Sunday: 10月4日, 5日 off.
        assert_eq!(off.get(&d("2027-10-04")), Some(&"国庆节补休"));
        assert_eq!(off.get(&d("2027-10-05")), Some(&"国庆节补休"));
        assert_eq!(off.get(&d("2027-01-01")), Some(&"元旦"));
    }

    #[test]
    fn icu_and_tyme_agree_on_every_spring_festival() {
        // Two independent implementations of the Chinese calendar. They differ on 1954 only,
        // where ICU4X has the historical date (1954-02-03); every year a deadline can reach agrees.
        for year in super::super::SUPPORTED_YEARS.filter(|y| *y != 1954) {
            let tyme = tyme4rs::tyme::lunar::LunarDay::from_ymd(year as isize, 1, 1).get_solar_day();
            let tyme = NaiveDate::from_ymd_opt(tyme.get_year() as i32, tyme.get_month() as u32, tyme.get_day() as u32);
            assert_eq!(Some(lunar(year, 1, 1)), tyme, "{year}");
        }
    }

    #[test]
    fn every_supported_year_has_its_festivals_in_season() {
        for year in super::super::SUPPORTED_YEARS {
            let f = festivals(year);
            let day = |name: &str| f.iter().find(|x| x.name == name).unwrap().days[0];
            let chuxi = day("春节");
            assert!(
                (d(&format!("{year}-01-20"))..=d(&format!("{year}-02-19"))).contains(&chuxi),
                "{year} 除夕 {chuxi}"
            );
            let qm = day("清明节");
            assert!((4..=6).contains(&qm.day()) && qm.month() == 4, "{year} 清明 {qm}");
            let zq = day("中秋节");
            assert!((d(&format!("{year}-09-07"))..=d(&format!("{year}-10-08"))).contains(&zq), "{year} 中秋 {zq}");
        }
    }
}
