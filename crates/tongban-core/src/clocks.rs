//! The clocks the law sets on a case, computed from its history — stated once here, used by the
//! desk's queue, detail, forms, ledger and supervision alike:
//!
//! - **告知期限** (行政许可法 §32(四)): when materials are missing, the 一次性告知书 must be given
//!   within [`NOTICE_WORKING_DAYS`] working days — counted from the day of receipt for a case
//!   taken in incomplete (待补正), and from the day the handling region's 需补正 arrived for a
//!   partner's request. Past it, the case counts as accepted. Giving the notice stops the clock.
//! - **补正期限**: the day the applicant was told to bring the materials by: the hall's
//!   `supplement_days` working days after the notice was first given.
//! - **承诺时限 across 补正** (补正期间不计入): the promise runs from the day the case is complete
//!   (receipt, or the day the last missing material came); while the handling region waits for
//!   the applicant (from its 需补正 to the applicant's 已补正), the clock stops, and the working
//!   days it stood still are added to the deadline.
//!
//! Every date is counted on the [`WorkCalendar`], so it is marked 预估 when it went through a year
//! without a State Council notice.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::case::{CaseStatus, EventKind};
use crate::guide::{DayUnit, Deferral};
use crate::workdays::{CalendarError, Deadline, WorkCalendar};

/// 行政许可法 §32(四): 当场或者在五日内一次告知.
pub const NOTICE_WORKING_DAYS: u32 = 5;

/// One event of a case as the clocks see it: its kind, its day (Beijing time) and the status it
/// led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub kind: EventKind,
    pub on: NaiveDate,
    pub status: CaseStatus,
}

/// What the clocks of a case are computed from.
#[derive(Debug, Clone, Copy)]
pub struct ClockInput<'a> {
    /// 承诺时限 of the item (0: 即办, due the day the case is complete).
    pub promised_days: u32,
    pub promised_unit: DayUnit,
    /// The case's events in order, the intake first.
    pub steps: &'a [Step],
    /// The days a 一次性告知书 was given (first prints, not 补打), in order.
    pub notices: &'a [NaiveDate],
    /// The working days an applicant is given to bring missing materials (the hall's setting).
    pub supplement_days: u32,
    /// The shortest period of the 容缺 materials still owed, counted from the day of receipt.
    pub owed: Option<Deferral>,
}

/// Where the promise (承诺办结) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Promise {
    /// Taken in with materials missing: the promise runs from the day the case is complete.
    NotStarted,
    /// Running (or, for a closed case, ran) until this day.
    Due(Deadline),
    /// The handling region waits for the applicant's 补正 since `since`; `remaining` working days
    /// of the promise are left when the materials come.
    Paused { since: NaiveDate, remaining: i64 },
}

impl Promise {
    pub fn deadline(&self) -> Option<Deadline> {
        match self {
            Promise::Due(d) => Some(*d),
            _ => None,
        }
    }
}

/// Why a case in `status` has no 承诺办结 date: its promise has not started (材料不齐) or stands
/// still while the handling region waits for the applicant's 补正. `None` for any other status,
/// where a missing date would be a fault, never something to print over.
pub fn no_deadline_note(status: CaseStatus) -> Option<&'static str> {
    match status {
        CaseStatus::AwaitingMaterials => Some("材料补齐之日起计算"),
        CaseStatus::SupplementRequested | CaseStatus::Supplementing => Some("补正期间暂停计时"),
        _ => None,
    }
}

/// A 承诺办结 date as the 台账, the queue and the CLI write it: the date, 「（预估）」 when counted
/// through a year without a holiday notice, or why there is none yet.
pub fn deadline_text(deadline: Option<Deadline>, status: CaseStatus) -> String {
    match deadline {
        Some(d) if d.estimated => format!("{}（预估）", d.date.format("%Y-%m-%d")),
        Some(d) => d.date.format("%Y-%m-%d").to_string(),
        // Table cells are narrow: the short form of `no_deadline_note`.
        None => match status {
            CaseStatus::AwaitingMaterials => "补齐后起算".to_string(),
            CaseStatus::SupplementRequested | CaseStatus::Supplementing => "补正暂停".to_string(),
            _ => "—".to_string(),
        },
    }
}

/// Whether the machine's clock can be believed for dating a case: a laptop whose CMOS battery
/// died shows 2001, a mistyped date shows 2035, and a case dated so would carry a false
/// receipt date and false deadlines. `latest_recorded` is the latest time this desk already
/// wrote (a clock may not run backwards past it); `official_years` are the calendar's. Returns
/// the Chinese warning, or `None` when the clock is plausible.
pub fn machine_clock_warning(
    now: DateTime<Utc>,
    latest_recorded: Option<DateTime<Utc>>,
    calendar: &WorkCalendar,
) -> Option<String> {
    let today = now.with_timezone(&crate::time::china_time()).date_naive();
    let first_year = calendar.years().next().unwrap_or(today.year());
    let last_year = calendar.years().last().unwrap_or(today.year());
    if today.year() < first_year {
        return Some(format!(
            "本机时钟显示{today}，早于{first_year}年，显然有误（可能主板电池失效），请校准系统日期和时间后再收件"
        ));
    }
    if let Some(latest) = latest_recorded {
        // A few minutes of drift between two syncs of the system clock is normal.
        if now + Duration::minutes(10) < latest {
            let latest = latest.with_timezone(&crate::time::china_time()).format("%Y-%m-%d %H:%M");
            return Some(format!(
                "本机时钟显示{}，早于本受理台已记录的最晚时间{latest}，请校准系统日期和时间后再收件",
                now.with_timezone(&crate::time::china_time()).format("%Y-%m-%d %H:%M")
            ));
        }
    }
    let known_year = latest_recorded.map_or(last_year, |l| l.year().max(last_year));
    if today.year() > known_year + 1 {
        return Some(format!(
            "本机时钟显示{today}，远晚于本受理台已知的日期（{known_year}年），请核对系统日期和时间后再收件"
        ));
    }
    None
}

/// A case's clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Clocks {
    pub promise: Promise,
    /// 告知期限: materials are missing and no notice was given since; it is due by this day.
    pub notice_due: Option<Deadline>,
    /// 补正期限: the notice was given; the applicant was told to bring the materials by this day.
    pub supplement_due: Option<Deadline>,
    /// 容缺补齐期限: the materials taken on trust are owed by this day.
    pub owed_due: Option<Deadline>,
}

/// The last day of a period of `days` in `unit` after `start`. Calendar days end on the next
/// working day when the last falls on a rest day (民法典 §203).
pub fn due(calendar: &WorkCalendar, unit: DayUnit, start: NaiveDate, days: u32) -> Result<Deadline, CalendarError> {
    match unit {
        DayUnit::WorkingDays => calendar.deadline(start, days),
        DayUnit::CalendarDays => {
            let mut date = start + Duration::days(i64::from(days));
            // Checks the range (a date past the supported years fails, never loops).
            calendar.working_days_between(start, date)?;
            while days > 0 && !calendar.is_working_day(date) {
                date = calendar.add_working_days(date, 1)?;
            }
            Ok(Deadline { date, estimated: calendar.is_estimated(start, date) })
        }
    }
}

/// The days of `unit` `d` with `from < d <= to`.
fn span(calendar: &WorkCalendar, unit: DayUnit, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
    match unit {
        DayUnit::WorkingDays => calendar.working_days_between(from, to),
        DayUnit::CalendarDays => Ok((to - from).num_days()),
    }
}

/// The clocks after `input.steps`. Fails only when a date falls outside the calendar's
/// supported years (then no clock can be trusted and the caller must say so).
pub fn compute(calendar: &WorkCalendar, input: &ClockInput<'_>) -> Result<Clocks, CalendarError> {
    let mut started: Option<NaiveDate> = None;
    let mut paused_days: i64 = 0;
    let mut pause_since: Option<NaiveDate> = None;
    // Materials missing since this day, and the day the notice for them was given.
    let mut waiting_since: Option<NaiveDate> = None;
    let mut noticed_on: Option<NaiveDate> = None;

    for step in input.steps {
        match step.status {
            CaseStatus::AwaitingMaterials if waiting_since.is_none() => {
                waiting_since = Some(step.on);
                noticed_on = None;
            }
            CaseStatus::Received if matches!(step.kind, EventKind::Received | EventKind::Completed) => {
                started = Some(step.on);
                waiting_since = None;
            }
            CaseStatus::SupplementRequested => {
                pause_since.get_or_insert(step.on);
                waiting_since = Some(step.on);
                noticed_on = None;
            }
            CaseStatus::Supplementing => {
                noticed_on.get_or_insert(step.on);
            }
            CaseStatus::Supplemented => {
                if let Some(since) = pause_since.take() {
                    paused_days += span(calendar, input.promised_unit, since, step.on)?;
                }
                waiting_since = None;
            }
            _ => {}
        }
    }
    if let (Some(since), None) = (waiting_since, noticed_on) {
        noticed_on = input.notices.iter().copied().find(|n| *n >= since);
    }

    let promise = match (started, pause_since) {
        (None, _) => Promise::NotStarted,
        (Some(start), Some(since)) => {
            let used = span(calendar, input.promised_unit, start, since)?;
            Promise::Paused { since, remaining: i64::from(input.promised_days) + paused_days - used }
        }
        (Some(start), None) => {
            let days = u32::try_from(i64::from(input.promised_days) + paused_days).unwrap_or(u32::MAX);
            Promise::Due(due(calendar, input.promised_unit, start, days)?)
        }
    };
    let (notice_due, supplement_due) = match (waiting_since, noticed_on) {
        (Some(since), None) => (Some(calendar.deadline(since, NOTICE_WORKING_DAYS)?), None),
        (Some(_), Some(given)) => (None, Some(calendar.deadline(given, input.supplement_days)?)),
        (None, _) => (None, None),
    };
    let owed_due = match (input.owed, input.steps.first()) {
        (Some(owed), Some(intake)) => Some(due(calendar, owed.unit, intake.on, owed.days)?),
        _ => None,
    };
    Ok(Clocks { promise, notice_due, supplement_due, owed_due })
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus as S;
    use EventKind as K;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn step(kind: EventKind, on: &str, status: CaseStatus) -> Step {
        Step { kind, on: d(on), status }
    }

    fn clocks(steps: &[Step], notices: &[&str]) -> Clocks {
        let notices: Vec<NaiveDate> = notices.iter().map(|n| d(n)).collect();
        let input = ClockInput {
            promised_days: 10,
            promised_unit: DayUnit::WorkingDays,
            steps,
            notices: &notices,
            supplement_days: 10,
            owed: None,
        };
        compute(&WorkCalendar::shipped(), &input).unwrap()
    }

    fn due(date: &str) -> Deadline {
        Deadline { date: d(date), estimated: false }
    }

    fn clocks_with(steps: &[Step], promised_days: u32, promised_unit: DayUnit, owed: Option<Deferral>) -> Clocks {
        let input = ClockInput { promised_days, promised_unit, steps, notices: &[], supplement_days: 10, owed };
        compute(&WorkCalendar::shipped(), &input).unwrap()
    }

    #[test]
    fn calendar_days_count_every_day_and_end_on_a_working_day() {
        let on = |day: &str| [step(K::Received, day, S::Received)];
        // Monday 2 March + 10 days: Thursday 12 March.
        let c = clocks_with(&on("2026-03-02"), 10, DayUnit::CalendarDays, None);
        assert_eq!(c.promise, Promise::Due(due("2026-03-12")));
        // Wednesday 4 March + 10 days is a Saturday: the period ends on Monday (民法典 §203).
        let c = clocks_with(&on("2026-03-04"), 10, DayUnit::CalendarDays, None);
        assert_eq!(c.promise, Promise::Due(due("2026-03-16")));
        // 即办: due the day it is complete.
        let c = clocks_with(&on("2026-03-02"), 0, DayUnit::WorkingDays, None);
        assert_eq!(c.promise, Promise::Due(due("2026-03-02")));
    }

    #[test]
    fn a_pause_in_calendar_days_moves_the_deadline_by_calendar_days() {
        let steps = [
            step(K::Received, "2026-03-02", S::Received),
            step(K::SupplementRequested, "2026-03-05", S::SupplementRequested),
            step(K::SupplementNotified, "2026-03-05", S::Supplementing),
            // Nine days later (a weekend in between counts).
            step(K::Supplemented, "2026-03-14", S::Supplemented),
        ];
        let c = clocks_with(&steps, 20, DayUnit::CalendarDays, None);
        // 2 March + 20 + 9 days = 31 March, a Tuesday.
        assert_eq!(c.promise, Promise::Due(due("2026-03-31")));
    }

    #[test]
    fn owed_materials_are_due_from_the_day_of_receipt() {
        let steps = [step(K::Received, "2026-03-02", S::Received)];
        let owed = Deferral { days: 5, unit: DayUnit::WorkingDays };
        assert_eq!(clocks_with(&steps, 10, DayUnit::WorkingDays, Some(owed)).owed_due, Some(due("2026-03-09")));
        assert_eq!(clocks_with(&steps, 10, DayUnit::WorkingDays, None).owed_due, None);
    }

    #[test]
    fn a_complete_intake_runs_the_promise_from_receipt() {
        let c = clocks(&[step(K::Received, "2026-03-02", S::Received)], &[]);
        assert_eq!(c.promise, Promise::Due(due("2026-03-16")));
        assert_eq!((c.notice_due, c.supplement_due), (None, None));
    }

    #[test]
    fn an_incomplete_intake_owes_a_notice_within_five_working_days_until_it_is_given() {
        let steps = [step(K::Received, "2026-03-02", S::AwaitingMaterials)];
        let c = clocks(&steps, &[]);
        assert_eq!(c.promise, Promise::NotStarted);
        assert_eq!(c.notice_due, Some(due("2026-03-09")));
        assert_eq!(c.supplement_due, None);
        // The notice printed on day 3: the 告知 clock stops, the 补正 clock runs from it.
        let c = clocks(&steps, &["2026-03-04"]);
        assert_eq!(c.notice_due, None);
        assert_eq!(c.supplement_due, Some(due("2026-03-18")));
        // A notice printed before the materials went missing does not count.
        assert_eq!(clocks(&steps, &["2026-02-27"]).notice_due, Some(due("2026-03-09")));
    }

    #[test]
    fn the_promise_starts_when_the_last_material_comes() {
        let steps = [
            step(K::Received, "2026-03-02", S::AwaitingMaterials),
            step(K::Completed, "2026-03-05", S::AwaitingMaterials),
            step(K::Completed, "2026-03-10", S::Received),
        ];
        let c = clocks(&steps, &["2026-03-02"]);
        assert_eq!(c.promise, Promise::Due(due("2026-03-24")));
        assert_eq!((c.notice_due, c.supplement_due), (None, None));
    }

    #[test]
    fn the_time_waiting_for_the_applicant_does_not_count_against_the_promise() {
        let mut steps = vec![
            step(K::Received, "2026-03-02", S::Received),
            step(K::Pushed, "2026-03-02", S::Pushed),
            // 需补正 on day 3 of 10: 7 remain.
            step(K::SupplementRequested, "2026-03-05", S::SupplementRequested),
        ];
        let c = clocks(&steps, &[]);
        assert_eq!(c.promise, Promise::Paused { since: d("2026-03-05"), remaining: 7 });
        // The partner's request owes the applicant a notice within 5 working days of its arrival.
        assert_eq!(c.notice_due, Some(due("2026-03-12")));
        steps.push(step(K::SupplementNotified, "2026-03-06", S::Supplementing));
        let c = clocks(&steps, &[]);
        assert_eq!((c.notice_due, c.supplement_due), (None, Some(due("2026-03-20"))));
        // The applicant brings it 6 working days after the request: the deadline moves by 6.
        steps.push(step(K::Supplemented, "2026-03-13", S::Supplemented));
        let c = clocks(&steps, &[]);
        assert_eq!(c.promise, Promise::Due(due("2026-03-24")));
        assert_eq!((c.notice_due, c.supplement_due), (None, None));
        // Closed: the deadline stays (for 按时办结), no clock runs.
        steps.push(step(K::Accepted, "2026-03-16", S::Accepted));
        steps.push(step(K::Concluded, "2026-03-20", S::Concluded));
        assert_eq!(clocks(&steps, &[]).promise, Promise::Due(due("2026-03-24")));
    }

    #[test]
    fn a_clock_that_cannot_be_true_is_named() {
        let cal = WorkCalendar::shipped();
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(machine_clock_warning(t("2026-12-06T02:00:00Z"), Some(t("2026-12-05T09:00:00Z")), &cal), None);
        let dead_battery = machine_clock_warning(t("2001-01-01T00:00:00Z"), None, &cal).unwrap();
        assert!(dead_battery.contains("2001-01-01") && dead_battery.contains("校准"), "{dead_battery}");
        let backwards =
            machine_clock_warning(t("2026-11-01T02:00:00Z"), Some(t("2026-12-05T09:00:00Z")), &cal).unwrap();
        assert!(backwards.contains("2026-12-05 17:00"), "{backwards}");
        assert!(machine_clock_warning(t("2035-03-01T02:00:00Z"), Some(t("2026-12-05T09:00:00Z")), &cal).is_some());
        // A desk used in 2028 whose calendar stops at 2026 is believed: it wrote in 2028 before.
        assert_eq!(machine_clock_warning(t("2028-03-01T02:00:00Z"), Some(t("2028-02-27T09:00:00Z")), &cal), None);
    }

    #[test]
    fn dates_through_a_year_without_a_notice_are_estimates() {
        let c = clocks(&[step(K::Received, "2026-12-20", S::AwaitingMaterials)], &["2026-12-21"]);
        assert_eq!(c.supplement_due, Some(Deadline { date: d("2027-01-05"), estimated: true }));
    }
}
