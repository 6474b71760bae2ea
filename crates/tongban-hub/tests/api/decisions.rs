//! The back office: inbox, decisions, and the partner desk seeing them.

use reqwest::Method;
use tongban_core::case::{CaseStatus, EventBody};
use tongban_wire::decisions::{Decision, DecisionRequest, DecisionResponse, InboxPage};
use tongban_wire::ErrorCode;
use uuid::Uuid;

use crate::support::*;

fn decision(decision: Decision) -> DecisionRequest {
    DecisionRequest { event_id: Uuid::now_v7(), user: "lisp".into(), user_name: "李审批".into(), decision }
}

#[tokio::test]
async fn the_back_office_accepts_one_case_asks_supplement_on_another_and_the_partner_sees_both() {
    let hub = TestHub::start().await;
    let partner = hub.api(&hub.partner);
    let office = hub.api(&hub.back_office);
    let (first, second) = (intake(PARTNER, 1, vec![]), intake(PARTNER, 2, vec![]));
    partner.push(&[first.clone(), second.clone()]).await;

    let inbox: InboxPage = office.request(Method::GET, "/v1/inbox").send().await.unwrap().json().await.unwrap();
    assert_eq!(inbox.cases.len(), 2);
    assert_eq!(inbox.cases[0].case_id, first.case_id);
    assert_eq!((inbox.cases[0].status_label.as_str(), inbox.cases[0].applicant_name.as_str()), ("已收件", "张喆"));
    assert_eq!(inbox.cases[0].item_name, "城乡居民基本养老保险关系转移");

    let post = |case: tongban_core::case::CaseId, request: &DecisionRequest| {
        office.request(Method::POST, &format!("/v1/cases/{case}/decisions")).json(request).send()
    };
    let accept = decision(Decision::Accept);
    let response = post(first.case_id, &accept).await.unwrap();
    assert_eq!(response.status(), 201);
    let made: DecisionResponse = response.json().await.unwrap();
    assert_eq!(
        (made.event.author.region.as_str(), made.event.author.desk.as_str()),
        (HUB, desk_id(HUB, "S1").as_str())
    );
    assert_eq!(made.event.author.display(), "李审批", "the receiving desk shows the approver by name");

    let retried = post(first.case_id, &accept).await.unwrap();
    assert_eq!(retried.status(), 200);
    let retried: DecisionResponse = retried.json().await.unwrap();
    assert!(retried.duplicate);
    assert_eq!((retried.seq, retried.event), (made.seq, made.event.clone()));

    let changed = DecisionRequest { decision: Decision::Refuse { reason: "不属于本地管辖".into() }, ..accept };
    assert_eq!(error_of(post(first.case_id, &changed).await.unwrap()).await.1.code, ErrorCode::EventConflict);
    let (status, body) = error_of(post(first.case_id, &decision(Decision::Accept)).await.unwrap()).await;
    assert_eq!(
        (status, body.code, body.message.as_str()),
        (409, ErrorCode::InvalidTransition, "办件状态为「已受理」，不能「受理」")
    );
    let (status, body) =
        error_of(post(second.case_id, &decision(Decision::Refuse { reason: " ".into() })).await.unwrap()).await;
    assert_eq!((status, body.message.as_str()), (422, "不予受理须写明理由"));
    let (status, body) =
        error_of(post(tongban_core::case::CaseId(Uuid::now_v7()), &decision(Decision::Accept)).await.unwrap()).await;
    assert_eq!((status, body.code), (404, ErrorCode::UnknownCase));

    let supplement =
        decision(Decision::RequestSupplement { items: vec!["户口簿原件".into()], note: String::new() });
    assert_eq!(post(second.case_id, &supplement).await.unwrap().status(), 201);

    let seen = partner.pull(0, 100).await.events;
    // Every event served carries the hub's seal, by the key /health presents, over the event and
    // the hub's region: a desk checks it offline; a changed byte or another region fails.
    let health: tongban_wire::Health =
        hub.anonymous().request(Method::GET, "/health").send().await.unwrap().json().await.unwrap();
    let key = tongban_core::seal::HubKey::parse(&health.signing_key.expect("the hub presents its key")).unwrap();
    for sequenced in &seen {
        let seal = sequenced.signature.as_deref().expect("sealed");
        key.verify(HUB, &sequenced.event, seal).unwrap();
        assert!(key.verify(PARTNER, &sequenced.event, seal).is_err(), "bound to the hub's region");
        let mut changed = sequenced.event.clone();
        changed.at += chrono::Duration::seconds(1);
        assert!(key.verify(HUB, &changed, seal).is_err());
    }
    let bodies: Vec<_> = seen.iter().map(|e| (e.event.case_id, e.event.body.clone())).collect();
    assert!(bodies.contains(&(first.case_id, EventBody::Accepted)));
    assert!(bodies.contains(&(
        second.case_id,
        EventBody::SupplementRequested { items: vec!["户口簿原件".into()], note: String::new() }
    )));

    let filtered: InboxPage = office
        .request(Method::GET, "/v1/inbox?status=supplement_requested")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        filtered.cases.iter().map(|c| (c.case_id, c.status)).collect::<Vec<_>>(),
        [(second.case_id, CaseStatus::SupplementRequested)]
    );
}

#[tokio::test]
async fn the_inbox_pages_oldest_first() {
    let hub = TestHub::start().await;
    let cases: Vec<_> = (1..=3).map(|i| intake(PARTNER, i, vec![])).collect();
    hub.api(&hub.partner).push(&cases).await;
    let office = hub.api(&hub.back_office);
    let page: InboxPage = office.request(Method::GET, "/v1/inbox?limit=2").send().await.unwrap().json().await.unwrap();
    assert_eq!(page.cases.len(), 2);
    let after = page.next_after.expect("a second page");
    let rest: InboxPage = office
        .request(Method::GET, &format!("/v1/inbox?limit=2&after={after}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest.cases.iter().map(|c| c.case_id).collect::<Vec<_>>(), [cases[2].case_id]);
    assert_eq!(rest.next_after, None);
}
