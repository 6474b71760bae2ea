//! Pushing events: idempotence, the state machine, sides and regions; pulling by cursor.

use tongban_core::case::{CaseId, EventBody};
use tongban_hub::Limits;
use tongban_wire::events::PushOutcome;
use tongban_wire::ErrorCode;

use crate::support::*;

fn rejection(outcome: &PushOutcome) -> (ErrorCode, &str) {
    match outcome {
        PushOutcome::Rejected { code, message, .. } => (*code, message.as_str()),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn a_retried_push_is_a_duplicate_and_a_changed_payload_under_the_same_id_is_a_conflict() {
    let hub = TestHub::start().await;
    let desk = hub.api(&hub.partner);
    let case = intake(PARTNER, 1, vec![]);
    let first = desk.push(std::slice::from_ref(&case)).await;
    assert!(matches!(first[0], PushOutcome::Accepted { .. }));
    let again = desk.push(std::slice::from_ref(&case)).await;
    assert_eq!(again[0], PushOutcome::Duplicate { id: case.id, seq: seq_of(&first[0]) });

    let mut changed = case.clone();
    changed.author.name = "李四".into();
    let outcome = desk.push(&[changed]).await;
    assert_eq!(
        rejection(&outcome[0]),
        (ErrorCode::EventConflict, format!("事件 {} 已存在且内容不同，拒绝覆盖", case.id).as_str())
    );
    assert_eq!(desk.pull(0, 10).await.events.len(), 1, "the conflicting push stored nothing");
}

#[tokio::test]
async fn each_event_is_checked_against_the_case_state_the_side_and_the_credential_region() {
    let hub = TestHub::start().await;
    let desk = hub.api(&hub.partner);
    let case = intake(PARTNER, 1, vec![]);
    let id = case.case_id;
    let elsewhere = {
        let mut e = intake(PARTNER, 2, vec![]);
        let EventBody::Received { intake } = &mut e.body else { unreachable!() };
        intake.form.handling_region = "320102".into();
        e
    };
    let mut claimed_elsewhere = event(id, OTHER, EventBody::Delivered { note: String::new() });
    claimed_elsewhere.author.region = OTHER.into();
    let outcomes = desk
        .push(&[
            event(id, PARTNER, EventBody::Completed { materials: vec![] }),
            case,
            event(id, PARTNER, EventBody::Delivered { note: String::new() }),
            event(id, PARTNER, EventBody::Accepted),
            event(id, PARTNER, EventBody::Pushed),
            claimed_elsewhere,
            elsewhere,
            event(CaseId(uuid::Uuid::now_v7()), PARTNER, EventBody::Processing),
        ])
        .await;
    assert_eq!(rejection(&outcomes[0]), (ErrorCode::InvalidTransition, "办件尚不存在，不能「补齐材料」"));
    assert!(matches!(outcomes[1], PushOutcome::Accepted { .. }), "a rejection does not block the rest");
    assert_eq!(rejection(&outcomes[2]), (ErrorCode::InvalidTransition, "办件状态为「已收件」，不能「送达结果」"));
    assert_eq!(
        rejection(&outcomes[3]),
        (
            ErrorCode::NotHandlingRegion,
            "凭据所属地区 110105（北京市朝阳区） 不办理该办件（办理地为 411329（河南省南阳市新野县）），不能「受理」"
        )
    );
    assert_eq!(rejection(&outcomes[4]), (ErrorCode::LocalEvent, "「推送办理地」只在受理台本地记录，不推送到通办中心"));
    assert_eq!(
        rejection(&outcomes[5]),
        (
            ErrorCode::WrongRegion,
            "事件作者所属地区「320102（江苏省南京市玄武区）」与凭据所属地区「110105（北京市朝阳区）」不符"
        )
    );
    assert_eq!(
        rejection(&outcomes[6]),
        (
            ErrorCode::NotParty,
            "办件的办理地为 320102（江苏省南京市玄武区），不是本通办中心所在地区 411329（河南省南阳市新野县）"
        )
    );
    assert_eq!(rejection(&outcomes[7]), (ErrorCode::InvalidTransition, "办件尚不存在，不能「开始办理」"));
}

#[tokio::test]
async fn an_event_referring_to_a_scan_waits_until_the_scan_is_uploaded() {
    let hub = TestHub::start().await;
    let desk = hub.api(&hub.partner);
    let scan = b"scan of an ID card".as_slice();
    let case = intake(PARTNER, 1, vec![sha256(scan)]);
    let outcome = desk.push(std::slice::from_ref(&case)).await;
    let (code, message) = rejection(&outcome[0]);
    assert_eq!(code, ErrorCode::MissingBlob);
    assert!(message.starts_with(&format!("扫描件 {} 尚未上传", sha256(scan))), "{message}");
    assert_eq!(desk.put_blob(scan).await.0, 201);
    assert!(matches!(desk.push(&[case]).await[0], PushOutcome::Accepted { .. }));
}

#[tokio::test]
async fn a_batch_over_the_limit_is_refused_whole() {
    let hub = TestHub::with_limits(Limits { max_push_batch: 3, ..Limits::default() }).await;
    let events: Vec<_> = (1..=4).map(|i| intake(PARTNER, i, vec![])).collect();
    let response = hub
        .api(&hub.partner)
        .request(reqwest::Method::POST, "/v1/events")
        .json(&serde_json::json!({ "events": events }))
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(response).await;
    assert_eq!((status, body.code), (413, ErrorCode::BatchTooLarge));
    assert_eq!(body.message, "一次最多推送 3 个事件，本次为 4 个：请分批推送");
    assert!(hub.api(&hub.partner).pull(0, 10).await.events.is_empty());
}

#[tokio::test]
async fn a_pull_pages_by_cursor_through_exactly_the_cases_the_region_may_see() {
    let hub = TestHub::start().await;
    let partner = hub.api(&hub.partner);
    let ours: Vec<_> = (1..=5).map(|i| intake(PARTNER, i, vec![])).collect();
    partner.push(&ours).await;
    hub.api(&hub.other).push(&[intake(OTHER, 1, vec![])]).await;

    let mut since = 0;
    let mut pages = Vec::new();
    loop {
        let page = partner.pull(since, 2).await;
        pages.push((page.events.len(), page.has_more));
        since = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pages, [(2, true), (2, true), (1, false)]);
    let empty = partner.pull(since, 2).await;
    assert!(empty.events.is_empty() && !empty.has_more && empty.next_cursor == since);

    let seen: Vec<_> = partner.pull(0, 100).await.events.into_iter().map(|e| e.event.id).collect();
    assert_eq!(seen, ours.iter().map(|e| e.id).collect::<Vec<_>>(), "in push order, and none of 玄武区's");
    assert_eq!(
        hub.api(&hub.back_office).pull(0, 100).await.events.len(),
        6,
        "the back office sees every case it handles"
    );
}

#[tokio::test]
async fn a_reconciliation_lists_what_the_credential_may_see_in_the_period_and_bounds_the_period() {
    use tongban_wire::events::ReconciliationPage;
    let hub = TestHub::start().await;
    let partner = hub.api(&hub.partner);
    let ours: Vec<_> = (1..=3).map(|i| intake(PARTNER, i, vec![])).collect();
    partner.push(&ours).await;
    hub.api(&hub.other).push(&[intake(OTHER, 1, vec![])]).await;
    // The events are dated 2026-03-02 09:30 UTC, 17:30 in Beijing.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let get = |api: &Api, query: String| {
        let request = api.request(reqwest::Method::GET, &format!("/v1/reconciliation?{query}"));
        async move { request.send().await.unwrap() }
    };
    let page = |response: reqwest::Response| async move {
        assert_eq!(response.status(), 200);
        response.json::<ReconciliationPage>().await.unwrap()
    };

    // Paged by cursor, only the desk's own cases (none of 玄武区's), in the hub's order.
    let first = page(get(&partner, format!("from={day}&to={day}&limit=2")).await).await;
    assert_eq!((first.events.len(), first.has_more), (2, true));
    let rest = page(get(&partner, format!("from={day}&to={day}&since={}", first.next_cursor)).await).await;
    let ids: Vec<_> = first.events.iter().chain(&rest.events).map(|e| e.id).collect();
    assert_eq!(ids, ours.iter().map(|e| e.id).collect::<Vec<_>>());
    assert!(!rest.has_more);
    // Another day holds nothing; the back office sees every case it handles.
    let before = day - chrono::Duration::days(1);
    assert!(page(get(&partner, format!("from={before}&to={before}")).await).await.events.is_empty());
    assert_eq!(page(get(&hub.api(&hub.back_office), format!("from={day}&to={day}")).await).await.events.len(), 4);

    // A period backwards or longer than a year, a bad limit, an admin: refused, with why.
    let (status, body) = error_of(get(&partner, format!("from={day}&to={before}")).await).await;
    assert_eq!(status, 422);
    assert!(body.message.contains("截止日期不得早于起始日期"), "{}", body.message);
    let long = day - chrono::Duration::days(400);
    assert_eq!(error_of(get(&partner, format!("from={long}&to={day}")).await).await.0, 422);
    // The last day dates hold: its end is past what dates hold; refused, not a 500.
    let edge = (chrono::NaiveDate::MAX - chrono::Duration::days(1), chrono::NaiveDate::MAX);
    let (status, body) =
        error_of(get(&partner, format!("from={}&to={}", edge.0, edge.1).replace('+', "%2B")).await).await;
    assert_eq!((status, body.message.contains("无效")), (422, true), "{}", body.message);
    assert_eq!(error_of(get(&partner, format!("from={day}&to={day}&limit=0")).await).await.0, 400);
    assert_eq!(error_of(get(&partner, "from=2026-13-01&to=2026-12-01".into()).await).await.0, 400);
    assert_eq!(error_of(get(&hub.api(&hub.admin), format!("from={day}&to={day}")).await).await.0, 403);
}
