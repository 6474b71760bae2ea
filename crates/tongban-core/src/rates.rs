//! The supervisor's rates (办理指标) over the cases of a 台账: 受理率, 按时办结率, 超期件数 and
//! 平均办理用时, in all and by item, partner (办理地) and clerk. Pure: the facts of each case,
//! the day to judge "already past its deadline" by, and the calendar are passed in. The screen
//! and the printed 台账 show the same numbers and print [`definitions`] beside them.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::workdays::WorkCalendar;

/// A code and the name it shows as (an item, a partner region, a clerk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: String,
    pub label: String,
}

/// The handling region's answer to a complete case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// 已受理 (whatever came after it, unless it ended in 不予受理).
    Accepted,
    /// 不予受理, even after an earlier 受理 and a 补正.
    Refused,
}

/// What the rates need to know of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub item: Group,
    pub partner: Group,
    pub clerk: Group,
    pub decision: Option<Decision>,
    /// The day (Beijing) of its 办结, if it was concluded.
    pub concluded_on: Option<NaiveDate>,
    /// 承诺办结 date as stored: the promise counted from the day the case was complete, moved on
    /// by every 补正 pause. `None` while 待补正 (the clock has not started).
    pub deadline: Option<NaiveDate>,
    /// The item's promise, in working days.
    pub promised_days: u32,
}

/// The rates of one group of cases (or of all of them), counts and the texts shown and printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RateLine {
    /// The item code, region code or login; empty for the line of all cases.
    pub key: String,
    pub label: String,
    /// Cases of the period in this group.
    pub cases: u32,
    /// 已受理 + 不予受理.
    pub decided: u32,
    pub accepted: u32,
    /// 办结 with a 承诺办结 date to judge it by.
    pub concluded: u32,
    /// 办结 on or before the 承诺办结 date.
    pub on_time: u32,
    /// 办结 after the 承诺办结 date.
    pub concluded_late: u32,
    /// Not concluded nor refused, and the 承诺办结 date is before the day judged by.
    pub open_overdue: u32,
    /// 超期件数: `concluded_late + open_overdue`.
    pub overdue: u32,
    /// Working days from complete to 办结, summed over `concluded` cases.
    pub working_days: u32,
    /// 办结 without a 承诺办结 date (or one the calendar cannot count to): left out of
    /// 按时办结率, 超期 and 平均办理用时, and said so.
    pub undated: u32,
    /// "83.3%" or "—".
    pub acceptance_rate: String,
    pub on_time_rate: String,
    /// "4.5" (working days) or "—".
    pub average_days: String,
}

/// One rate's name and how it is counted, as printed beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RateDefinition {
    pub name: String,
    pub text: String,
}

/// The rates of a 台账's cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RateReport {
    /// `YYYY-MM-DD`: open cases are overdue when their deadline is before this day.
    pub as_of: String,
    pub all: RateLine,
    /// Most cases first; equal counts by code.
    pub by_item: Vec<RateLine>,
    pub by_partner: Vec<RateLine>,
    pub by_clerk: Vec<RateLine>,
    pub definitions: Vec<RateDefinition>,
}

/// How each rate is counted, in the words printed beside it (`as_of` is the day 超期 is judged by).
pub fn definitions(as_of: NaiveDate) -> Vec<RateDefinition> {
    let d = |name: &str, text: String| RateDefinition { name: name.into(), text };
    vec![
        d("受理率", "统计范围内的收件中，办理地已受理（含受理后的各环节）的件数 ÷ 办理地已作出受理决定（已受理＋不予受理）的件数；尚无受理决定时为“—”。".into()),
        d("按时办结率", "统计范围内已办结的办件中，在承诺办结日期当日或之前办结的件数 ÷ 已办结件数；尚无办结时为“—”。".into()),
        d(
            "超期件数",
            format!(
                "统计范围内，晚于承诺办结日期办结的件数＋截至{}年{}月{}日已过承诺办结日期仍未办结（且未不予受理）的件数。",
                as_of.year(),
                as_of.month(),
                as_of.day()
            ),
        ),
        d("平均办理用时", "统计范围内已办结的办件，自材料齐全之日至办结之日的工作日数的平均值，申请人补正期间不计入（按承诺时限减去办结日至承诺办结日期尚余的工作日数计算，逾期办结时余数为负）；单位：工作日；尚无办结时为“—”。".into()),
    ]
}

/// The rates of `cases`, judging open cases overdue as of `as_of`.
pub fn rates(cases: &[CaseFacts], as_of: NaiveDate, calendar: &WorkCalendar) -> RateReport {
    let mut all = Tally::default();
    let mut by_item = Groups::default();
    let mut by_partner = Groups::default();
    let mut by_clerk = Groups::default();
    for case in cases {
        let one = Tally::of(case, as_of, calendar);
        all.add(&one);
        by_item.add(&case.item, &one);
        by_partner.add(&case.partner, &one);
        by_clerk.add(&case.clerk, &one);
    }
    RateReport {
        as_of: as_of.to_string(),
        all: all.line(String::new(), "全部".into()),
        by_item: by_item.lines(),
        by_partner: by_partner.lines(),
        by_clerk: by_clerk.lines(),
        definitions: definitions(as_of),
    }
}

/// `n ÷ d` as a percentage with one decimal, or "—" when nothing was counted.
pub fn percent(n: u32, d: u32) -> String {
    if d == 0 {
        "—".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    cases: u32,
    decided: u32,
    accepted: u32,
    concluded: u32,
    on_time: u32,
    concluded_late: u32,
    open_overdue: u32,
    working_days: u32,
    undated: u32,
}

impl Tally {
    fn of(case: &CaseFacts, as_of: NaiveDate, calendar: &WorkCalendar) -> Tally {
        let mut t = Tally { cases: 1, ..Tally::default() };
        match case.decision {
            Some(Decision::Accepted) => {
                t.decided = 1;
                t.accepted = 1;
            }
            Some(Decision::Refused) => t.decided = 1,
            None => {}
        }
        match (case.concluded_on, case.deadline) {
            (Some(concluded), Some(deadline)) => match calendar.working_days_between(concluded, deadline) {
                Ok(left) => {
                    t.concluded = 1;
                    if concluded <= deadline {
                        t.on_time = 1;
                    } else {
                        t.concluded_late = 1;
                    }
                    // A 办结 dated before the case was complete (a partner's wrong clock) counts as 0.
                    t.working_days = (i64::from(case.promised_days) - left).clamp(0, i64::from(u32::MAX)) as u32;
                }
                Err(_) => t.undated = 1,
            },
            (Some(_), None) => t.undated = 1,
            (None, Some(deadline)) => {
                if case.decision != Some(Decision::Refused) && deadline < as_of {
                    t.open_overdue = 1;
                }
            }
            (None, None) => {}
        }
        t
    }

    fn add(&mut self, o: &Tally) {
        self.cases += o.cases;
        self.decided += o.decided;
        self.accepted += o.accepted;
        self.concluded += o.concluded;
        self.on_time += o.on_time;
        self.concluded_late += o.concluded_late;
        self.open_overdue += o.open_overdue;
        self.working_days += o.working_days;
        self.undated += o.undated;
    }

    fn line(&self, key: String, label: String) -> RateLine {
        RateLine {
            key,
            label,
            cases: self.cases,
            decided: self.decided,
            accepted: self.accepted,
            concluded: self.concluded,
            on_time: self.on_time,
            concluded_late: self.concluded_late,
            open_overdue: self.open_overdue,
            overdue: self.concluded_late + self.open_overdue,
            working_days: self.working_days,
            undated: self.undated,
            acceptance_rate: percent(self.accepted, self.decided),
            on_time_rate: percent(self.on_time, self.concluded),
            average_days: if self.concluded == 0 {
                "—".into()
            } else {
                format!("{:.1}", self.working_days as f64 / self.concluded as f64)
            },
        }
    }
}

/// Tallies by a code, remembering the code's name the first time it is seen.
#[derive(Default)]
struct Groups(BTreeMap<String, (String, Tally)>);

impl Groups {
    fn add(&mut self, group: &Group, one: &Tally) {
        self.0.entry(group.key.clone()).or_insert_with(|| (group.label.clone(), Tally::default())).1.add(one);
    }

    /// Most cases first; equal counts by code, so the order is the same every time.
    fn lines(self) -> Vec<RateLine> {
        let mut out: Vec<RateLine> = self.0.into_iter().map(|(key, (label, t))| t.line(key, label)).collect();
        out.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.key.cmp(&b.key)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn group(k: &str) -> Group {
        Group { key: k.into(), label: format!("{k}名") }
    }

    fn case(item: &str, decision: Option<Decision>, concluded: Option<&str>, deadline: Option<&str>) -> CaseFacts {
        CaseFacts {
            item: group(item),
            partner: group("110106"),
            clerk: group("zhang"),
            decision,
            concluded_on: concluded.map(day),
            deadline: deadline.map(day),
            promised_days: 5,
        }
    }

    #[test]
    fn each_rate_counts_as_its_definition_says() {
        use Decision::*;
        let cal = WorkCalendar::shipped();
        // 2026-03-02 is a Monday; promise 5 working days; deadlines as stored.
        let cases = [
            // Concluded on the Wednesday before a Monday deadline: 5 − 3 = 2 working days.
            case("a", Some(Accepted), Some("2026-03-04"), Some("2026-03-09")),
            // Concluded on the deadline: 5 − 0 = 5.
            case("a", Some(Accepted), Some("2026-03-09"), Some("2026-03-09")),
            // Concluded two working days late (Wednesday after a Monday deadline): 5 + 2 = 7.
            case("b", Some(Accepted), Some("2026-03-11"), Some("2026-03-09")),
            // Open, past its deadline as of 03-20: overdue.
            case("b", Some(Accepted), None, Some("2026-03-09")),
            // Refused: decided, never overdue.
            case("b", Some(Refused), None, Some("2026-03-09")),
            // Not decided yet, deadline still ahead.
            case("c", None, None, Some("2026-03-30")),
            // 待补正: no clock yet.
            case("c", None, None, None),
        ];
        let r = rates(&cases, day("2026-03-20"), &cal);
        let all = &r.all;
        assert_eq!((all.cases, all.decided, all.accepted), (7, 5, 4));
        assert_eq!((all.concluded, all.on_time, all.concluded_late, all.open_overdue, all.overdue), (3, 2, 1, 1, 2));
        assert_eq!(all.working_days, 2 + 5 + 7);
        assert_eq!(
            (all.acceptance_rate.as_str(), all.on_time_rate.as_str(), all.average_days.as_str()),
            ("80.0%", "66.7%", "4.7")
        );
        assert_eq!(
            r.by_item.iter().map(|l| (l.key.as_str(), l.cases)).collect::<Vec<_>>(),
            [("b", 3), ("a", 2), ("c", 2)]
        );
        let c = &r.by_item[2];
        assert_eq!((c.acceptance_rate.as_str(), c.on_time_rate.as_str(), c.average_days.as_str()), ("—", "—", "—"));
        assert_eq!(r.by_partner.len(), 1);
        assert_eq!(r.by_partner[0].working_days, all.working_days);
        assert_eq!(r.definitions.len(), 4);
        assert!(r.definitions[2].text.contains("截至2026年3月20日"), "{}", r.definitions[2].text);
    }

    #[test]
    fn a_conclusion_the_calendar_cannot_date_is_counted_apart_never_dropped_silently() {
        let cal = WorkCalendar::shipped();
        let cases = [
            case("a", Some(Decision::Accepted), Some("2026-03-04"), None),
            case("a", Some(Decision::Accepted), Some("2100-03-04"), Some("2100-03-09")),
        ];
        let r = rates(&cases, day("2026-03-20"), &cal);
        assert_eq!((r.all.concluded, r.all.undated, r.all.on_time_rate.as_str()), (0, 2, "—"));
    }

    #[test]
    fn percent_rounds_to_one_decimal_and_says_dash_for_nothing() {
        assert_eq!(percent(0, 0), "—");
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(3, 3), "100.0%");
    }
}
