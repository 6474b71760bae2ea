//! The supervisor's rates (办理指标) over the 台账's cases: 受理率, 按时办结率, 超期件数 and
//! 平均办理用时, in all and by item, partner and clerk. The screen and the printed 台账 take
//! them from here, for the same cases (`LedgerFilter`), so the two never disagree. The counting
//! itself is `tongban_core::rates`.

use chrono::NaiveDate;
use tongban_core::rates::{self, CaseFacts, Decision, Group, RateReport};
use tongban_core::region;
use tongban_store::{LedgerEntry, Store, StoreError};

use crate::printing::LedgerRequest;
use crate::{AppError, Desk, LedgerQuery};

impl Desk {
    /// The rates of the cases `query`'s 台账 lists; open cases are overdue as of today.
    pub fn supervision_rates(&self, query: &LedgerQuery) -> Result<RateReport, AppError> {
        self.require_reader()?;
        let filter = query.request().filter()?;
        self.with_store(|store| {
            let entries = store.ledger_entries(&filter)?;
            ledger_rates(store, &entries, crate::today())
        })
    }
}

impl LedgerQuery {
    /// The query as the printing path takes it.
    pub(crate) fn request(&self) -> LedgerRequest {
        LedgerRequest {
            from: self.from.clone(),
            to: self.to.clone(),
            clerk: self.clerk.clone(),
            partner: self.partner.clone(),
        }
    }
}

/// The rates of a 台账's `entries`, judging open cases overdue as of `as_of` (Beijing date).
pub(crate) fn ledger_rates(store: &Store, entries: &[LedgerEntry], as_of: NaiveDate) -> Result<RateReport, StoreError> {
    let ids: Vec<_> = entries.iter().map(|e| e.case.id).collect();
    let outcomes = store.case_outcomes(&ids)?;
    let facts: Vec<CaseFacts> = entries
        .iter()
        .map(|e| {
            let c = &e.case;
            let outcome = outcomes.get(&c.id);
            let decision = outcome.and_then(|o| {
                if o.refused {
                    Some(Decision::Refused)
                } else if o.accepted {
                    Some(Decision::Accepted)
                } else {
                    None
                }
            });
            CaseFacts {
                item: Group { key: c.item_code.clone(), label: c.item_name.clone() },
                partner: Group { key: c.handling_region.clone(), label: region::display_name(&c.handling_region) },
                clerk: Group { key: c.clerk.clone(), label: e.clerk_name.clone() },
                decision,
                concluded_on: outcome.and_then(|o| o.concluded_on),
                deadline: c.deadline.map(|d| d.date),
                promised_days: outcome.map_or(0, |o| o.promised_days),
            }
        })
        .collect();
    Ok(rates::rates(&facts, as_of, store.calendar()))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};
    use tongban_core::case::{Author, CaseEvent, CaseId, EventBody};
    use tongban_core::rates::RateLine;

    use super::*;
    use crate::demo;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// A fixture desk: cases made with the store directly, every time passed in.
    struct Fixture {
        store: Store,
        _dir: tempfile::TempDir,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let store = demo::open(&dir.path().join("desk.db")).unwrap();
            Fixture { store, _dir: dir }
        }

        /// Takes in sample `i` (its item, partner and promise) at `when` (UTC), by `clerk`.
        fn intake(&mut self, i: usize, clerk: &str, when: &str) -> CaseId {
            let (id, _) = self.store.create_case(&demo::sample_form(i), clerk, at(when)).unwrap();
            id
        }

        /// The handling region's events, in order, at the given times; the intake is first marked
        /// as synced (the partner can only decide a case its hub received).
        fn partner(&mut self, case: CaseId, events: &[(&str, EventBody)]) {
            let intake = self.store.events_of(case).unwrap().remove(0).event;
            if self.store.case_state(case).unwrap().status == tongban_core::case::CaseStatus::Received {
                self.store.mark_acknowledged(&[intake.id]).unwrap();
                self.store
                    .append_local(&CaseEvent {
                        id: uuid::Uuid::now_v7(),
                        case_id: case,
                        at: intake.at + Duration::minutes(1),
                        author: intake.author.clone(),
                        body: EventBody::Pushed,
                    })
                    .unwrap();
            }
            let fengtai =
                Author {
                    user: "fengtai".into(), name: "丰台审批".into(), desk: "ft".into(), region: "110106".into()
                };
            for (when, body) in events {
                let author = if body.kind().owner() == tongban_core::case::Side::Receiving {
                    intake.author.clone()
                } else {
                    fengtai.clone()
                };
                let event =
                    CaseEvent { id: uuid::Uuid::now_v7(), case_id: case, at: at(when), author, body: body.clone() };
                if author_is_local(&event) {
                    self.store.append_local(&event).unwrap();
                } else {
                    self.store.append_remote(&event).unwrap();
                }
            }
        }
    }

    fn author_is_local(e: &CaseEvent) -> bool {
        e.author.region == demo::DEMO_REGION
    }

    fn concluded() -> EventBody {
        EventBody::Concluded { approved: true, note: "准予办理".into() }
    }

    fn line<'a>(lines: &'a [RateLine], key: &str) -> &'a RateLine {
        lines.iter().find(|l| l.key == key).unwrap_or_else(|| panic!("a line for {key}"))
    }

    fn counts(l: &RateLine) -> [u32; 8] {
        [l.cases, l.decided, l.accepted, l.concluded, l.on_time, l.concluded_late, l.open_overdue, l.working_days]
    }

    /// Seven cases taken in on Monday 2026-03-02 (Beijing), counted by hand.
    ///
    /// Sample items (`demo::sample_form`): i % 5 == 0 养老保险转移 (15 working days), 1 异地就医备案
    /// (5), 2 公积金转移 (10); all handled by 丰台区 (110106).
    fn fixture() -> Fixture {
        let mut f = Fixture::new();
        f.store
            .add_user(
                &tongban_store::User { login: "wang".into(), display_name: "王磊".into(), role: "clerk".into() },
                None,
                Utc::now(),
            )
            .unwrap();
        let z = demo::DEMO_CLERK;
        // A: 异地就医 (5 days, deadline Mon 03-09), accepted, concluded Wed 03-04: on time, 2 days.
        let a = f.intake(1, z, "2026-03-02T01:00:00Z");
        f.partner(a, &[("2026-03-02T06:00:00Z", EventBody::Accepted), ("2026-03-04T03:00:00Z", concluded())]);
        // B: 异地就医 (5 days, deadline 03-09), concluded Wed 03-11 at 09:00 Beijing: 2 days late, 7 days.
        let b = f.intake(6, z, "2026-03-02T01:10:00Z");
        f.partner(
            b,
            &[
                ("2026-03-02T06:00:00Z", EventBody::Accepted),
                ("2026-03-05T06:00:00Z", EventBody::Processing),
                ("2026-03-11T01:00:00Z", concluded()),
            ],
        );
        // C: 公积金 (10 days, deadline Mon 03-16), accepted, still open as of today: overdue.
        let c = f.intake(2, z, "2026-03-02T01:20:00Z");
        f.partner(c, &[("2026-03-03T02:00:00Z", EventBody::Accepted)]);
        // D: 养老保险 (15 days, deadline Mon 03-23), refused: decided, never overdue.
        let d = f.intake(0, "wang", "2026-03-02T01:30:00Z");
        f.partner(d, &[("2026-03-03T02:00:00Z", EventBody::Refused { reason: "不属于本地受理范围".into() })]);
        // E: 公积金 (10 days from 03-02), 补正 asked Tue 03-03, brought Thu 03-05, then accepted and
        // concluded Fri 03-13. The pause stood the clock still for 2 working days (补正期间不计入),
        // so the deadline is 03-18 and the time 10 − working_days(03-13 → 03-18) = 10 − 3 = 7.
        let e = f.intake(7, "wang", "2026-03-02T01:40:00Z");
        f.partner(
            e,
            &[
                (
                    "2026-03-03T02:00:00Z",
                    EventBody::SupplementRequested { items: vec!["户口簿".into()], note: String::new() },
                ),
                ("2026-03-03T03:00:00Z", EventBody::SupplementNotified),
                ("2026-03-05T02:00:00Z", EventBody::Supplemented { materials: demo::sample_form(7).materials }),
                ("2026-03-05T06:00:00Z", EventBody::Accepted),
                ("2026-03-13T06:00:00Z", concluded()),
            ],
        );
        // G: 养老保险, 待补正 (sample 5 misses a material): no clock, not decided, not overdue.
        let g = f.intake(5, z, "2026-03-02T01:50:00Z");
        assert_eq!(f.store.case_by_number(&number(&f, g)).unwrap().deadline, None);
        // H: 养老保险 (15 days, deadline Mon 03-23), not decided yet: open, overdue as of today.
        f.intake(10, "wang", "2026-03-02T02:00:00Z");
        // Another day's case: not in the 台账 of 03-02, so not in its rates.
        f.intake(1, z, "2026-03-03T02:00:00Z");
        f
    }

    fn number(f: &Fixture, id: CaseId) -> String {
        f.store.case_state(id).unwrap().intake.number.as_str().to_string()
    }

    #[test]
    fn supervision_rates_match_a_hand_count() {
        let f = fixture();
        let day: NaiveDate = "2026-03-02".parse().unwrap();
        let filter = tongban_store::LedgerFilter { from: day, to: day, clerk: None, partner: None };
        let entries = f.store.ledger_entries(&filter).unwrap();
        assert_eq!(entries.len(), 7);
        let r = ledger_rates(&f.store, &entries, "2026-12-06".parse().unwrap()).unwrap();

        // 受理率: decided = A B C D(refused) E = 5, accepted = A B C E = 4 → 80.0%.
        // 按时办结率: concluded = A B E = 3, on time = A E = 2 → 66.7%.
        // 超期件数: B (late) + C and the undecided 养老保险 case H (open, past the deadline) = 3.
        // 平均办理用时: A 2 + B 7 + E 7 = 16 over 3 → 5.3 working days (E's 补正, 03-03 to 03-05,
        // stood its clock still for 2 working days: 补正期间不计入).
        assert_eq!(counts(&r.all), [7, 5, 4, 3, 2, 1, 2, 16], "{:?}", r.all);
        assert_eq!(r.all.overdue, 3);
        assert_eq!(
            (r.all.acceptance_rate.as_str(), r.all.on_time_rate.as_str(), r.all.average_days.as_str()),
            ("80.0%", "66.7%", "5.3")
        );
        // By item: 异地就医 A B; 公积金 C E; 养老保险 D, G (待补正), H.
        assert_eq!(counts(line(&r.by_item, "110106-YB-0003")), [2, 2, 2, 2, 1, 1, 0, 9]);
        assert_eq!(line(&r.by_item, "110106-YB-0003").on_time_rate, "50.0%");
        assert_eq!(counts(line(&r.by_item, "110106-GJJ-0002")), [2, 2, 2, 1, 1, 0, 1, 7]);
        assert_eq!(line(&r.by_item, "110106-GJJ-0002").average_days, "7.0");
        let pension = line(&r.by_item, "110106-SB-0001");
        assert_eq!(counts(pension), [3, 1, 0, 0, 0, 0, 1, 0]);
        assert_eq!((pension.acceptance_rate.as_str(), pension.on_time_rate.as_str()), ("0.0%", "—"));
        // By clerk: 张敏 A B C G; 王磊 D E H.
        assert_eq!(counts(line(&r.by_clerk, demo::DEMO_CLERK)), [4, 3, 3, 2, 1, 1, 1, 9]);
        assert_eq!(line(&r.by_clerk, "wang").label, "王磊");
        assert_eq!(counts(line(&r.by_clerk, "wang")), [3, 2, 1, 1, 1, 0, 1, 7]);
        assert_eq!(line(&r.by_clerk, "wang").acceptance_rate, "50.0%");
        // By partner: all seven are 丰台区's.
        assert_eq!(r.by_partner.len(), 1);
        assert_eq!(r.by_partner[0].label, region::display_name("110106"));
        assert_eq!(counts(&r.by_partner[0]), counts(&r.all));
        // As of the day after E's deadline but before H's, H is not yet overdue.
        let early = ledger_rates(&f.store, &entries, "2026-03-20".parse().unwrap()).unwrap();
        assert_eq!((early.all.open_overdue, early.all.overdue), (1, 2));
    }

    #[test]
    fn supervision_rates_follow_the_ledger_filters() {
        let f = fixture();
        let day: NaiveDate = "2026-03-02".parse().unwrap();
        let filter = tongban_store::LedgerFilter { from: day, to: day, clerk: Some("wang".into()), partner: None };
        let entries = f.store.ledger_entries(&filter).unwrap();
        let r = ledger_rates(&f.store, &entries, "2026-12-06".parse().unwrap()).unwrap();
        assert_eq!(counts(&r.all), [3, 2, 1, 1, 1, 0, 1, 7]);
        assert_eq!(r.by_clerk.len(), 1);
        let two_days = tongban_store::LedgerFilter { to: day.succ_opt().unwrap(), clerk: None, ..filter };
        let entries = f.store.ledger_entries(&two_days).unwrap();
        assert_eq!(ledger_rates(&f.store, &entries, "2026-12-06".parse().unwrap()).unwrap().all.cases, 8);
    }

    #[test]
    #[cfg_attr(windows, ignore = "reads the PDF back with poppler (pdftotext), not runnable under Wine")]
    fn supervision_printed_ledger_shows_the_rates_and_their_definitions() {
        let mut f = fixture();
        let request = LedgerRequest { from: "2026-03-02".into(), ..Default::default() };
        let mut pdf = Vec::new();
        let now = at("2026-12-06T02:00:00Z");
        crate::printing::print_ledger(&mut f.store, &request, demo::DEMO_CLERK, now, &mut |_, bytes| {
            pdf = bytes.to_vec();
            Ok(())
        })
        .unwrap();
        let path = f._dir.path().join("ledger.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let text = tongban_tests::pdf_text_without_whitespace(&path);
        assert!(text.contains("办理指标"), "{text}");
        // The line of all cases: 收件 受理率 按时办结率 超期件数 平均办理用时, with the counts behind each rate.
        assert!(text.contains("全部780.0%（4/5）66.7%（2/3）35.3"), "{text}");
        assert!(text.contains("企业职工基本养老保险关系转移接续申请30.0%（0/1）—1—"), "{text}");
        assert!(text.contains("王磊350.0%（1/2）100.0%（1/1）17.0"), "{text}");
        for d in rates::definitions("2026-12-06".parse().unwrap()) {
            let words: String = d.text.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(text.contains(&format!("{}：{words}", d.name)), "definition of {} in {text}", d.name);
        }
        assert!(text.contains("截至2026年12月6日"));
    }
}
