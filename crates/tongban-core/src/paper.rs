//! Paper both ways (寄递). Under 收办分离 the applicant's originals go from the receiving hall to
//! the handling region by post, and the result may come back the same way. Each package is an
//! event on the case (寄出原件 / 结果已寄出), and so is the other side's 签收 (签收原件, with what
//! was missing on arrival / 签收结果): both sides read the same packages from the same events, and
//! from them where each original is.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Author, CaseEvent, EventBody, Material, MaterialForm};

/// One material's paper in a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackedMaterial {
    /// The material's name as the case lists it.
    pub name: String,
    /// 原件份数.
    #[serde(default)]
    pub originals: u32,
    /// 复印件份数.
    #[serde(default)]
    pub copies: u32,
}

impl PackedMaterial {
    /// What of a received material travels on paper, as the case took it in: its originals
    /// and copies; `None` for an electronic one or one not received.
    pub fn of(m: &Material) -> Option<PackedMaterial> {
        if !m.received || m.e_license.is_some() {
            return None;
        }
        let (originals, copies) = match m.form {
            MaterialForm::Original => (m.copies.max(1), 0),
            MaterialForm::Copy => (0, m.copies.max(1)),
            MaterialForm::OriginalAndCopy => (m.originals.max(1), m.copies),
            MaterialForm::Electronic => return None,
        };
        Some(PackedMaterial { name: m.name.clone(), originals, copies })
    }

    /// 「原件1份、复印件2份」, 「原件1份」, 「复印件2份」.
    pub fn counts_text(&self) -> String {
        match (self.originals, self.copies) {
            (0, c) => format!("复印件{c}份"),
            (o, 0) => format!("原件{o}份"),
            (o, c) => format!("原件{o}份、复印件{c}份"),
        }
    }
}

/// Which way a package travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The applicant's paper, from the receiving hall to the handling region.
    Originals,
    /// The result, from the handling region back.
    Result,
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::Originals => "原件寄往办理地",
            Direction::Result => "结果寄回",
        }
    }
}

/// A package as the case's events tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub direction: Direction,
    pub waybill: String,
    pub carrier: String,
    /// Empty for a result (the decision's documents).
    pub contents: Vec<PackedMaterial>,
    pub note: String,
    pub mailed_at: DateTime<Utc>,
    pub mailed_by: Author,
    pub signed: Option<Signing>,
}

/// The other side's 签收 of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    pub at: DateTime<Utc>,
    pub by: Author,
    /// What the package lacked on arrival (names of its materials).
    pub missing: Vec<String>,
    pub note: String,
}

impl Package {
    /// Signed for with everything in it.
    pub fn arrived_whole(&self) -> bool {
        self.signed.as_ref().is_some_and(|s| s.missing.is_empty())
    }
}

/// The case's packages, in the order they were mailed. A 签收 goes to the latest unsigned package
/// of its direction with its waybill; one that names no such package is left out (a desk checks
/// that before it records one; see [`unsigned_originals`]).
pub fn packages(events: &[CaseEvent]) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::new();
    for event in events {
        let mailed = |direction, waybill: &str, carrier: &str, contents: &[PackedMaterial], note: &str| Package {
            direction,
            waybill: waybill.to_string(),
            carrier: carrier.to_string(),
            contents: contents.to_vec(),
            note: note.to_string(),
            mailed_at: event.at,
            mailed_by: event.author.clone(),
            signed: None,
        };
        let (direction, waybill, missing, note) = match &event.body {
            EventBody::OriginalsMailed { waybill, carrier, contents, note } => {
                out.push(mailed(Direction::Originals, waybill, carrier, contents, note));
                continue;
            }
            EventBody::ResultMailed { waybill } => {
                out.push(mailed(Direction::Result, waybill, "", &[], ""));
                continue;
            }
            EventBody::OriginalsSigned { waybill, missing, note } => (Direction::Originals, waybill, missing, note),
            EventBody::ResultSigned { waybill, note } => (Direction::Result, waybill, &Vec::new(), note),
            _ => continue,
        };
        let same =
            |p: &&mut Package| p.direction == direction && p.signed.is_none() && same_waybill(&p.waybill, waybill);
        if let Some(package) = out.iter_mut().rev().find(same) {
            package.signed =
                Some(Signing { at: event.at, by: event.author.clone(), missing: missing.clone(), note: note.clone() });
        }
    }
    out
}

/// The originals packages not signed for yet: what the handling region can sign.
pub fn unsigned_originals(packages: &[Package]) -> impl Iterator<Item = &Package> {
    packages.iter().filter(|p| p.direction == Direction::Originals && p.signed.is_none())
}

/// Waybills as typed: case and spaces do not matter.
pub fn same_waybill(a: &str, b: &str) -> bool {
    let plain = |s: &str| s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect::<String>();
    plain(a) == plain(b)
}

/// What a 寄递 event says, line by line, as a case's history (window and CLI) shows it; empty
/// for any other event.
pub fn event_lines(body: &EventBody) -> Vec<String> {
    let mut out = match body {
        EventBody::OriginalsMailed { waybill, carrier, contents, .. } => {
            let lines = contents.iter().map(|c| format!("{} {}", c.name, c.counts_text())).collect::<Vec<_>>();
            let by = if carrier.is_empty() { String::new() } else { format!("{carrier} ") };
            vec![format!("{by}运单号 {waybill}"), format!("内装：{}", lines.join("；"))]
        }
        EventBody::OriginalsSigned { waybill, missing, .. } => vec![
            format!("运单号 {waybill}"),
            if missing.is_empty() {
                "材料齐全".to_string()
            } else {
                format!("到件缺：{}", missing.join("、"))
            },
        ],
        EventBody::ResultSigned { waybill, .. } => vec![format!("运单号 {waybill}")],
        _ => return Vec::new(),
    };
    if let EventBody::OriginalsMailed { note, .. }
    | EventBody::OriginalsSigned { note, .. }
    | EventBody::ResultSigned { note, .. } = body
    {
        if !note.trim().is_empty() {
            out.push(note.trim().to_string());
        }
    }
    out
}

/// Where an original is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whereabouts {
    /// Not mailed: at the receiving hall.
    AtHall,
    /// Mailed in `waybill`, not signed for yet.
    InTransit { waybill: String, mailed_at: DateTime<Utc> },
    /// Signed for by the handling region.
    Arrived { waybill: String, signed_at: DateTime<Utc> },
    /// The package was signed for without it.
    MissingOnArrival { waybill: String, signed_at: DateTime<Utc> },
}

impl Whereabouts {
    /// 在受理窗口（未寄出）, 寄往办理地途中（运单 …，2026-12-06 寄出）, 办理地已签收（运单 …，…）,
    /// 到件缺失：…; days in Beijing time.
    pub fn text(&self) -> String {
        let day = |t: &DateTime<Utc>| t.with_timezone(&crate::time::china_time()).format("%Y-%m-%d").to_string();
        match self {
            Whereabouts::AtHall => "在受理窗口（未寄出）".to_string(),
            Whereabouts::InTransit { waybill, mailed_at } => {
                format!("寄往办理地途中（运单 {waybill}，{} 寄出）", day(mailed_at))
            }
            Whereabouts::Arrived { waybill, signed_at } => {
                format!("办理地已签收（运单 {waybill}，{}）", day(signed_at))
            }
            Whereabouts::MissingOnArrival { waybill, signed_at } => {
                format!("到件缺失：办理地 {} 签收运单 {waybill} 时未见", day(signed_at))
            }
        }
    }

    /// Missing on arrival: someone must look for it.
    pub fn is_trouble(&self) -> bool {
        matches!(self, Whereabouts::MissingOnArrival { .. })
    }
}

/// Where each original of the case is: every received material with paper originals, in the
/// case's order, with the last originals package it went in.
pub fn originals_whereabouts<'a>(materials: &'a [Material], packages: &[Package]) -> Vec<(&'a Material, Whereabouts)> {
    materials
        .iter()
        .filter(|m| PackedMaterial::of(m).is_some_and(|p| p.originals > 0))
        .map(|m| {
            let last = packages.iter().rev().find(|p| {
                p.direction == Direction::Originals && p.contents.iter().any(|c| c.name == m.name && c.originals > 0)
            });
            let whereabouts = match last {
                None => Whereabouts::AtHall,
                Some(p) => match &p.signed {
                    None => Whereabouts::InTransit { waybill: p.waybill.clone(), mailed_at: p.mailed_at },
                    Some(s) if s.missing.iter().any(|n| n == &m.name) => {
                        Whereabouts::MissingOnArrival { waybill: p.waybill.clone(), signed_at: s.at }
                    }
                    Some(s) => Whereabouts::Arrived { waybill: p.waybill.clone(), signed_at: s.at },
                },
            };
            (m, whereabouts)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{CaseId, Side};
    use chrono::TimeZone;
    use uuid::Uuid;

    fn material(name: &str, form: MaterialForm) -> Material {
        Material {
            name: name.into(),
            form,
            copies: 1,
            originals: 1,
            choice: String::new(),
            deferral: None,
            required: true,
            standard: String::new(),
            received: true,
            original_verified: true,
            scans: Vec::new(),
            note: String::new(),
            condition: String::new(),
            items: Vec::new(),
            e_license: None,
        }
    }

    fn event(day: u32, side: Side, body: EventBody) -> CaseEvent {
        let region = if side == Side::Receiving { "411329" } else { "110106" };
        CaseEvent {
            id: Uuid::now_v7(),
            case_id: CaseId(Uuid::nil()),
            at: Utc.with_ymd_and_hms(2026, 12, day, 2, 0, 0).unwrap(),
            author: Author { user: "u".into(), desk: "d".into(), region: region.into(), name: String::new() },
            body,
        }
    }

    fn packed(name: &str, originals: u32, copies: u32) -> PackedMaterial {
        PackedMaterial { name: name.into(), originals, copies }
    }

    #[test]
    fn what_travels_on_paper_follows_the_form_taken_in() {
        let mut both = material("结婚证", MaterialForm::OriginalAndCopy);
        both.copies = 2;
        assert_eq!(PackedMaterial::of(&both), Some(packed("结婚证", 1, 2)));
        assert_eq!(PackedMaterial::of(&material("户口簿", MaterialForm::Original)), Some(packed("户口簿", 1, 0)));
        assert_eq!(PackedMaterial::of(&material("照片", MaterialForm::Copy)), Some(packed("照片", 0, 1)));
        assert_eq!(PackedMaterial::of(&material("申请表", MaterialForm::Electronic)), None);
        let mut not_brought = material("户口簿", MaterialForm::Original);
        not_brought.received = false;
        assert_eq!(PackedMaterial::of(&not_brought), None);
        assert_eq!(packed("结婚证", 1, 2).counts_text(), "原件1份、复印件2份");
        assert_eq!(packed("照片", 0, 2).counts_text(), "复印件2份");
    }

    #[test]
    fn a_signing_closes_the_package_it_names_and_says_where_each_original_is() {
        let materials = vec![
            material("户口簿", MaterialForm::Original),
            material("结婚证", MaterialForm::OriginalAndCopy),
            material("照片", MaterialForm::Copy),
            material("身份证", MaterialForm::Original),
        ];
        let mailed = |waybill: &str, contents| EventBody::OriginalsMailed {
            waybill: waybill.into(),
            carrier: "EMS".into(),
            contents,
            note: String::new(),
        };
        let events = vec![
            event(1, Side::Receiving, mailed("EA123456785CN", vec![packed("户口簿", 1, 0), packed("结婚证", 1, 1)])),
            event(2, Side::Receiving, mailed("EB000000000CN", vec![packed("照片", 0, 1)])),
            event(
                4,
                Side::Handling,
                EventBody::OriginalsSigned {
                    waybill: "ea 123456785 cn".into(),
                    missing: vec!["结婚证".into()],
                    note: "结婚证原件未见".into(),
                },
            ),
            event(5, Side::Handling, EventBody::ResultMailed { waybill: "1178000000099".into() }),
        ];
        let listed = packages(&events);
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[0].signed.as_ref().map(|s| s.missing.clone()), Some(vec!["结婚证".to_string()]));
        assert!(!listed[0].arrived_whole());
        assert_eq!(listed[2].direction, Direction::Result);
        let unsigned: Vec<&str> = unsigned_originals(&listed).map(|p| p.waybill.as_str()).collect();
        assert_eq!(unsigned, ["EB000000000CN"]);

        let whereabouts = originals_whereabouts(&materials, &listed);
        let at = |name: &str| whereabouts.iter().find(|(m, _)| m.name == name).map(|(_, w)| w.clone());
        assert!(matches!(at("户口簿"), Some(Whereabouts::Arrived { .. })));
        assert!(matches!(at("结婚证"), Some(Whereabouts::MissingOnArrival { .. })));
        assert_eq!(at("照片"), None, "copies only: no original to follow");
        assert_eq!(at("身份证"), Some(Whereabouts::AtHall));
        assert_eq!(at("结婚证").unwrap().text(), "到件缺失：办理地 2026-12-04 签收运单 EA123456785CN 时未见");
        assert!(at("结婚证").unwrap().is_trouble());
        assert_eq!(
            event_lines(&events[0].body),
            ["EMS 运单号 EA123456785CN", "内装：户口簿 原件1份；结婚证 原件1份、复印件1份"]
        );
        assert_eq!(event_lines(&events[2].body), ["运单号 ea 123456785 cn", "到件缺：结婚证", "结婚证原件未见"]);

        let mut signed_result = events.clone();
        signed_result.push(event(
            7,
            Side::Receiving,
            EventBody::ResultSigned { waybill: "1178000000099".into(), note: String::new() },
        ));
        assert!(packages(&signed_result)[2].arrived_whole());
    }
}
