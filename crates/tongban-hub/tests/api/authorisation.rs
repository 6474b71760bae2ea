//! Who may do what: every kind of caller against every endpoint, on a hub where 朝阳区 (the
//! partner) has pushed one case with one scan, addressed to 新野县 (the hub's region).

use reqwest::Method;
use tongban_core::case::{CaseEvent, EventBody};
use tongban_wire::decisions::InboxPage;
use tongban_wire::events::{PullResponse, PushOutcome};

use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// 朝阳区's window A1, which took the case in.
    Partner,
    /// 朝阳区's window A2: same region, another desk.
    Partner2,
    /// 朝阳区's helper laptop H1.
    Helper,
    /// 朝阳区's supervisor D1: reads the region's cases, writes nothing.
    Supervisor,
    OtherPartner,
    BackOffice,
    Admin,
    Anonymous,
    Revoked,
    /// 朝阳区's window A9, issued but not confirmed yet.
    Unconfirmed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Exactly this status.
    Status(u16),
    /// 200, and whether the partner's case is in the answer.
    Sees(bool),
    /// 200 from a push, with this outcome (`accepted`) or rejection code.
    Push(&'static str),
}

use Expect::{Push, Sees, Status};

const ENDPOINTS: [&str; 12] = [
    "push 受理 on the case",
    "pull events",
    "inbox",
    "decide 需补正 on the case (valid before and after 受理)",
    "blob status",
    "read the case's scan",
    "upload a scan",
    "read catalog",
    "publish catalog",
    "health",
    "openapi",
    "confirm the desk",
];

#[rustfmt::skip]
const MATRIX: [(Caller, [Expect; 12]); 10] = [
    //                 push                           pull         inbox        decide       status       read scan    upload       catalog      publish      health       openapi      confirm
    (Caller::Partner,      [Push("not_handling_region"), Sees(true),  Status(403), Status(403), Status(200), Status(200), Status(201), Status(200), Status(403), Status(200), Status(200), Status(200)]),
    (Caller::Partner2,     [Push("not_handling_region"), Sees(false), Status(403), Status(403), Status(200), Status(404), Status(201), Status(200), Status(403), Status(200), Status(200), Status(200)]),
    (Caller::Helper,       [Push("not_handling_region"), Sees(false), Status(403), Status(403), Status(200), Status(404), Status(201), Status(200), Status(403), Status(200), Status(200), Status(200)]),
    (Caller::Supervisor,   [Status(403),                 Sees(true),  Status(403), Status(403), Status(403), Status(200), Status(403), Status(200), Status(403), Status(200), Status(200), Status(200)]),
    (Caller::OtherPartner, [Push("not_party"),           Sees(false), Status(403), Status(403), Status(200), Status(404), Status(201), Status(200), Status(403), Status(200), Status(200), Status(200)]),
    (Caller::BackOffice,   [Push("accepted"),            Sees(true),  Sees(true),  Status(201), Status(200), Status(200), Status(201), Status(200), Status(403), Status(200), Status(200), Status(200)]),
    (Caller::Admin,        [Status(403),                 Status(403), Status(403), Status(403), Status(403), Status(403), Status(403), Status(200), Status(201), Status(200), Status(200), Status(403)]),
    (Caller::Anonymous,    [Status(401),                 Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(200), Status(200), Status(401)]),
    (Caller::Revoked,      [Status(401),                 Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(200), Status(200), Status(401)]),
    (Caller::Unconfirmed,  [Status(409),                 Sees(false), Status(403), Status(403), Status(200), Status(404), Status(201), Status(200), Status(403), Status(200), Status(200), Status(200)]),
];

/// What a caller got from one endpoint, in the terms of [`Expect`].
async fn observe(api: &Api, (region, code): (&str, &str), endpoint: usize, case: &CaseEvent, scan_sha: &str) -> Expect {
    let sees = |events: Vec<tongban_core::case::CaseId>| Sees(events.contains(&case.case_id));
    let response = match endpoint {
        0 => api
            .request(Method::POST, "/v1/events")
            .json(&serde_json::json!({ "events": [by_desk(event(case.case_id, region, EventBody::Accepted), code)] })),
        1 => api.request(Method::GET, "/v1/events"),
        2 => api.request(Method::GET, "/v1/inbox"),
        3 => api
            .request(Method::POST, &format!("/v1/cases/{}/decisions", case.case_id))
            .json(&serde_json::json!({ "event_id": uuid::Uuid::now_v7(), "user": "李审批", "decision": { "type": "request_supplement", "items": ["户口簿原件"] } })),
        4 => api.request(Method::GET, &format!("/v1/blobs/{scan_sha}/status")),
        5 => api.request(Method::GET, &format!("/v1/blobs/{scan_sha}")),
        6 => {
            let bytes = format!("a new scan from {region}").into_bytes();
            api.request(Method::PUT, &format!("/v1/blobs/{}", sha256(&bytes))).body(bytes)
        }
        7 => api.request(Method::GET, "/v1/catalog"),
        8 => api
            .request(Method::PUT, "/v1/catalog")
            .json(&catalog_upload(HUB, "2026-04")),
        9 => api.request(Method::GET, "/health"),
        10 => api.request(Method::GET, "/v1/openapi.json"),
        _ => api.request(Method::PUT, "/v1/desk").json(&tongban_wire::desks::DeskClaim {
            desk_id: desk_id(region, code),
            region: region.into(),
            desk_code: code.into(),
            name: String::new(),
        }),
    }
    .send()
    .await
    .unwrap();
    let status = response.status().as_u16();
    if status != 200 {
        return Status(status);
    }
    match endpoint {
        0 => match &response.json::<tongban_wire::events::PushResponse>().await.unwrap().outcomes[0] {
            PushOutcome::Accepted { .. } => Push("accepted"),
            PushOutcome::Duplicate { .. } => Push("duplicate"),
            PushOutcome::Rejected { code, .. } => Push(code.as_str()),
        },
        1 => sees(response.json::<PullResponse>().await.unwrap().events.into_iter().map(|e| e.event.case_id).collect()),
        2 => sees(response.json::<InboxPage>().await.unwrap().cases.into_iter().map(|c| c.case_id).collect()),
        _ => Status(status),
    }
}

#[tokio::test]
async fn every_role_and_region_against_every_endpoint() {
    let mut mismatches = Vec::new();
    for (caller, expected) in MATRIX {
        // A fresh hub per caller, so one caller's success does not change another's answer.
        let hub = TestHub::start().await;
        let partner = hub.api(&hub.partner);
        let scan = b"ID card scan".as_slice();
        assert_eq!(partner.put_blob(scan).await.0, 201);
        let case = intake(PARTNER, 1, vec![sha256(scan)]);
        seq_of(&partner.push(std::slice::from_ref(&case)).await[0]);
        let published = hub
            .api(&hub.admin)
            .request(Method::PUT, "/v1/catalog")
            .json(&catalog_upload(HUB, "2026-03"))
            .send()
            .await
            .unwrap();
        assert_eq!(published.status(), 201);

        let (api, desk) = match caller {
            Caller::Partner => (hub.api(&hub.partner), (PARTNER, "A1")),
            Caller::Partner2 => (hub.api(&hub.partner2), (PARTNER, "A2")),
            Caller::Helper => (hub.api(&hub.helper), (PARTNER, "H1")),
            Caller::Supervisor => (hub.api(&hub.supervisor), (PARTNER, "D1")),
            Caller::OtherPartner => (hub.api(&hub.other), (OTHER, "A1")),
            Caller::BackOffice => (hub.api(&hub.back_office), (HUB, "S1")),
            Caller::Admin => (hub.api(&hub.admin), (HUB, "A1")),
            // Without a valid credential the body's claims do not matter; they name 朝阳区.
            Caller::Anonymous => (hub.anonymous(), (PARTNER, "A1")),
            Caller::Revoked => (hub.api(&hub.revoked), (PARTNER, "A8")),
            Caller::Unconfirmed => (hub.api(&hub.unconfirmed), (PARTNER, "A9")),
        };
        for (endpoint, want) in expected.into_iter().enumerate() {
            let got = observe(&api, desk, endpoint, &case, &sha256(scan)).await;
            if got != want {
                mismatches.push(format!("{caller:?} × {}: expected {want:?}, got {got:?}", ENDPOINTS[endpoint]));
            }
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}
