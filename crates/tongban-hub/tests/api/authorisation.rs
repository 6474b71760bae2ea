//! Who may do what: every kind of caller against every endpoint, on a hub where 朝阳区 (the
//! partner) has pushed one case with one scan, addressed to 新野县 (the hub's region).

use reqwest::Method;
use tongban_core::case::{CaseEvent, EventBody};
use tongban_wire::decisions::InboxPage;
use tongban_wire::events::{PullResponse, PushOutcome};

use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Partner,
    OtherPartner,
    BackOffice,
    Admin,
    Anonymous,
    Revoked,
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

const ENDPOINTS: [&str; 11] = [
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
];

#[rustfmt::skip]
const MATRIX: [(Caller, [Expect; 11]); 6] = [
    //                 push                 pull         inbox        decide       status       read scan    upload       catalog      publish      health       openapi
    (Caller::Partner,      [Push("wrong_side"), Sees(true),  Status(403), Status(403), Status(200), Status(200), Status(201), Status(200), Status(403), Status(200), Status(200)]),
    (Caller::OtherPartner, [Push("not_party"),  Sees(false), Status(403), Status(403), Status(200), Status(404), Status(201), Status(200), Status(403), Status(200), Status(200)]),
    (Caller::BackOffice,   [Push("accepted"),   Sees(true),  Sees(true),  Status(201), Status(200), Status(200), Status(201), Status(200), Status(403), Status(200), Status(200)]),
    (Caller::Admin,        [Status(403),        Status(403), Status(403), Status(403), Status(403), Status(403), Status(403), Status(200), Status(201), Status(200), Status(200)]),
    (Caller::Anonymous,    [Status(401),        Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(200), Status(200)]),
    (Caller::Revoked,      [Status(401),        Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(401), Status(200), Status(200)]),
];

/// What a caller got from one endpoint, in the terms of [`Expect`].
async fn observe(api: &Api, region: &str, endpoint: usize, case: &CaseEvent, scan_sha: &str) -> Expect {
    let sees = |events: Vec<tongban_core::case::CaseId>| Sees(events.contains(&case.case_id));
    let response = match endpoint {
        0 => api
            .request(Method::POST, "/v1/events")
            .json(&serde_json::json!({ "events": [event(case.case_id, region, EventBody::Accepted)] })),
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
        _ => api.request(Method::GET, "/v1/openapi.json"),
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

        let (api, region) = match caller {
            Caller::Partner => (hub.api(&hub.partner), PARTNER),
            Caller::OtherPartner => (hub.api(&hub.other), OTHER),
            Caller::BackOffice => (hub.api(&hub.back_office), HUB),
            Caller::Admin => (hub.api(&hub.admin), HUB),
            // Without a valid credential the body's claims do not matter; they name 朝阳区.
            Caller::Anonymous => (hub.anonymous(), PARTNER),
            Caller::Revoked => (hub.api(&hub.revoked), PARTNER),
        };
        for (endpoint, want) in expected.into_iter().enumerate() {
            let got = observe(&api, region, endpoint, &case, &sha256(scan)).await;
            if got != want {
                mismatches.push(format!("{caller:?} × {}: expected {want:?}, got {got:?}", ENDPOINTS[endpoint]));
            }
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}
