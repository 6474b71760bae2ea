//! Desks as identities, numbers nobody can take, who sees what, intakes checked like the desk
//! checks them, and two approvers deciding one case: every refusal of issue 13, against a real hub.

use chrono::Utc;
use reqwest::Method;
use tongban_core::applicant::Applicant;
use tongban_core::case::{CaseEvent, CaseId, CaseNumber, DeskCode, EventBody};
use tongban_hub::{Hub, HubError, Role};
use tongban_wire::decisions::{Decision, DecisionRequest, InboxPage};
use tongban_wire::events::PushOutcome;
use tongban_wire::ErrorCode;
use uuid::Uuid;

use crate::support::*;

fn rejection(outcome: &PushOutcome) -> (ErrorCode, String, Option<String>) {
    match outcome {
        PushOutcome::Rejected { code, message, field, .. } => (*code, message.clone(), field.clone()),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn accepted(outcome: &PushOutcome) -> bool {
    matches!(outcome, PushOutcome::Accepted { .. })
}

/// `event` with its intake's number set to `number` (and the case a new one).
fn numbered(mut event: CaseEvent, number: &str) -> CaseEvent {
    let EventBody::Received { intake } = &mut event.body else { unreachable!("an intake") };
    intake.number = CaseNumber::parse(number).unwrap();
    event
}

fn number_of(event: &CaseEvent) -> CaseNumber {
    let EventBody::Received { intake } = &event.body else { unreachable!("an intake") };
    intake.number.clone()
}

/// 朝阳区's desk `code`'s `seq`-th number on the day `intake()` uses.
fn partner_number(code: &str, seq: u32) -> CaseNumber {
    CaseNumber::compose(
        PARTNER,
        chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        &DeskCode::parse(code).unwrap(),
        seq,
    )
}

#[tokio::test]
async fn a_credential_is_one_desk_and_a_second_desk_under_its_code_is_refused() {
    let database = TestDatabase::new();
    let hub = Hub::open_with(&database.db, Some(&database.blob_dir), Some(HUB)).unwrap();
    let now = Utc::now();
    let first = hub.issue_credential(Some(PARTNER), Role::Window, Some("a1"), "朝阳区1号窗", now).unwrap();
    assert_eq!(first.credential.desk_code.as_deref(), Some("A1"));
    // The hall's admin cannot issue the code twice, whatever the role.
    let err = hub.issue_credential(Some(PARTNER), Role::Helper, Some("A1"), "朝阳区帮办员", now).unwrap_err();
    assert!(matches!(err, HubError::DeskCodeIssued(_)), "{err}");
    assert!(err.to_string().starts_with("地区 110105（北京市朝阳区） 的窗口代码 A1 已有有效凭据 #1"), "{err}");
    // The same code in another region is another desk.
    hub.issue_credential(Some(OTHER), Role::Window, Some("A1"), "玄武区1号窗", now).unwrap();
    for (region, role, code, expected) in [
        (PARTNER, Role::Window, None, "须指明受理台的窗口代码"),
        (PARTNER, Role::Supervisor, Some("甲"), "窗口代码「甲」无效"),
        (HUB, Role::Admin, Some("A1"), "不需要窗口代码"),
    ] {
        let err = hub.issue_credential(Some(region), role, code, "x", now).map(|_| ()).unwrap_err();
        assert!(err.to_string().contains(expected), "{role:?}: {err}");
    }
    // Revoked, the code can be issued again (a lost laptop's desk gets a new token).
    hub.revoke_credential(first.credential.id, now).unwrap();
    hub.issue_credential(Some(PARTNER), Role::Window, Some("A1"), "朝阳区1号窗（新）", now).unwrap();
}

#[tokio::test]
async fn a_desk_confirms_its_code_and_a_copied_token_or_another_code_is_told_in_chinese() {
    let hub = TestHub::start().await;
    let desk = hub.api(&hub.partner);
    let confirmed = desk.confirm(PARTNER, "A1").await;
    assert_eq!((confirmed.role.as_str(), confirmed.scope_label.as_str()), ("window", "仅本受理台收件的办件"));
    // Confirming again from the same desk changes nothing.
    assert_eq!(desk.confirm(PARTNER, "A1").await.confirmed_at, confirmed.confirmed_at);

    // A second desk set up with code A1, given a copy of the first's token.
    let (status, body) = error_of(desk.claim(PARTNER, "A1", "another-desk-uuid").await).await;
    assert_eq!((status, body.code), (409, ErrorCode::DeskCodeTaken));
    assert!(body.message.starts_with("窗口代码 A1 已由另一台受理台于"), "{}", body.message);
    assert!(body.message.contains("本受理台不能再以窗口代码 A1 收件或同步"), "{}", body.message);
    // A desk whose code is not the credential's.
    let (status, body) = error_of(desk.claim(PARTNER, "A2", &desk_id(PARTNER, "A1")).await).await;
    assert_eq!((status, body.code), (409, ErrorCode::DeskCodeMismatch));
    assert!(
        body.message
            .starts_with("本受理台的窗口代码为 A2，而凭据是签发给朝阳区政务服务中心1号窗（110105，窗口代码 A1）的"),
        "{}",
        body.message
    );
    let (status, body) = error_of(desk.claim(OTHER, "A1", &desk_id(PARTNER, "A1")).await).await;
    assert_eq!((status, body.code), (403, ErrorCode::WrongRegion));

    // The copied desk can push nothing under the first desk's identity.
    let mut stolen = intake(PARTNER, 1, vec![]);
    stolen.author.desk = "another-desk-uuid".into();
    let (code, message, _) = rejection(&desk.push(&[stolen]).await[0]);
    assert_eq!(code, ErrorCode::WrongDesk);
    assert!(message.starts_with("事件记录的受理台「another-desk-uuid」不是本凭据确认的受理台"), "{message}");

    // A desk that never confirmed cannot push at all.
    let (status, body) = error_of(
        hub.api(&hub.unconfirmed)
            .request(Method::POST, "/v1/events")
            .json(&serde_json::json!({ "events": [] }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body.code), (409, ErrorCode::DeskUnconfirmed));
}

#[tokio::test]
async fn a_revoked_credential_is_told_so_and_an_outdated_one_is_told_to_be_reissued() {
    let hub = TestHub::start().await;
    let (status, body) = error_of(hub.api(&hub.revoked).request(Method::GET, "/v1/events").send().await.unwrap()).await;
    assert_eq!((status, body.code), (401, ErrorCode::CredentialRevoked));
    assert!(body.message.contains("被通办中心吊销：请向通办中心管理员申领新的凭据"), "{}", body.message);
    let (status, body) = error_of(hub.api("tbh_00").request(Method::GET, "/v1/events").send().await.unwrap()).await;
    assert_eq!((status, body.code, body.message.as_str()), (401, ErrorCode::Unauthorized, "访问凭据无效"));

    // A desk credential from before desk codes (as a hub upgraded from step 1 holds it).
    hub.execute_sql("UPDATE credentials SET desk_code = NULL, desk_id = NULL WHERE desk = '朝阳区政务服务中心2号窗'");
    let legacy = hub.api(&hub.partner2);
    for request in [
        legacy.request(Method::GET, "/v1/events"),
        legacy.request(Method::POST, "/v1/events").json(&serde_json::json!({ "events": [] })),
    ] {
        let (status, body) = error_of(request.send().await.unwrap()).await;
        assert_eq!((status, body.code), (403, ErrorCode::CredentialOutdated));
        assert!(body.message.contains("签发时未指定窗口代码"), "{}", body.message);
    }
    let (status, body) = error_of(legacy.claim(PARTNER, "A2", &desk_id(PARTNER, "A2")).await).await;
    assert_eq!((status, body.code), (403, ErrorCode::CredentialOutdated));
}

#[tokio::test]
async fn numbers_cannot_be_squatted_taken_twice_or_of_another_region() {
    let hub = TestHub::start().await;
    let a1 = hub.api(&hub.partner);
    let a2 = hub.api(&hub.partner2);

    // Window 2 pushes an intake under window 1's next number, as itself.
    let squat = by_desk(numbered(intake(PARTNER, 1, vec![]), partner_number("A1", 1).as_str()), "A2");
    let (code, message, _) = rejection(&a2.push(&[squat]).await[0]);
    assert_eq!(code, ErrorCode::NumberNotOwn);
    assert_eq!(
        message,
        "办件编号「110105-20260302-A1-0001」不属于本凭据的受理台（朝阳区政务服务中心2号窗（110105，窗口代码 A2））：受理台只能使用本窗口代码的编号"
    );
    // … or naming window 1 as its author.
    let (code, _, _) = rejection(&a2.push(&[intake(PARTNER, 1, vec![])]).await[0]);
    assert_eq!(code, ErrorCode::WrongDesk);
    // Another region's number.
    let foreign = numbered(intake(PARTNER, 1, vec![]), "320102-20260302-A1-0001");
    let (code, _, _) = rejection(&a1.push(&[foreign]).await[0]);
    assert_eq!(code, ErrorCode::NumberNotOwn);

    // The real case arrives and is the only one under its number; a second case cannot take it.
    let real = intake(PARTNER, 1, vec![]);
    assert!(accepted(&a1.push(std::slice::from_ref(&real)).await[0]));
    let twin = intake(PARTNER, 1, vec![]);
    let (code, message, _) = rejection(&a1.push(&[twin]).await[0]);
    assert_eq!(
        (code, message.as_str()),
        (ErrorCode::NumberTaken, "办件编号「110105-20260302-A1-0001」已被另一办件使用")
    );
    let inbox: InboxPage =
        hub.api(&hub.back_office).request(Method::GET, "/v1/inbox").send().await.unwrap().json().await.unwrap();
    assert_eq!(inbox.cases.iter().map(|c| c.case_id).collect::<Vec<_>>(), [real.case_id], "nothing else stored");
}

#[tokio::test]
async fn an_intake_that_fails_the_desks_validators_is_refused_with_the_field_and_nothing_is_stored() {
    let hub = TestHub::start().await;
    let desk = hub.api(&hub.partner);
    let with = |change: &dyn Fn(&mut tongban_core::case::Intake)| {
        let mut e = intake(PARTNER, 1, vec![]);
        let EventBody::Received { intake } = &mut e.body else { unreachable!() };
        change(intake);
        e
    };
    let with_person = |change: &dyn Fn(&mut tongban_core::applicant::Person)| {
        with(&|i: &mut tongban_core::case::Intake| {
            let Applicant::Person(p) = &mut i.form.applicant else { unreachable!() };
            change(p)
        })
    };
    let cases: Vec<(CaseEvent, &str, &str)> = vec![
        (with_person(&|p| p.name = String::new()), "intake.applicant.name", "申请人姓名：不能为空"),
        (with_person(&|p| p.id_number = "123".into()), "intake.applicant.id_number", "申请人证件号码："),
        (with_person(&|p| p.phone = "not a phone".into()), "intake.applicant.phone", "申请人联系电话："),
        (with(&|i| i.form.item.name = " ".into()), "intake.item.name", "事项名称：不能为空"),
        (with(&|i| i.form.materials[0].name = String::new()), "intake.materials[0].name", "第1项材料名称：不能为空"),
        (with(&|i| i.window = String::new()), "intake.window", "受理窗口：不能为空"),
        (
            with(&|i| i.received_on = chrono::NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()),
            "intake.number",
            "办件编号：办件编号「110105-20260302-A1-0001」的日期不是受理日期 2026-03-03",
        ),
    ];
    for (event, field, message) in cases {
        let (code, got, got_field) = rejection(&desk.push(&[event]).await[0]);
        assert_eq!((code, got_field.as_deref()), (ErrorCode::InvalidIntake, Some(field)), "{got}");
        assert!(got.starts_with(&format!("收件信息不符合要求：{message}")), "{got}");
    }
    let mut nameless = intake(PARTNER, 1, vec![]);
    nameless.author.name = "名".repeat(51);
    let (code, message, field) = rejection(&desk.push(&[nameless]).await[0]);
    assert_eq!((code, field.as_deref()), (ErrorCode::InvalidEvent, Some("author.name")), "{message}");
    assert!(hub.api(&hub.back_office).pull(0, 100).await.events.is_empty(), "nothing stored");
}

#[tokio::test]
async fn an_intake_is_checked_against_the_catalog_version_it_names() {
    let hub = TestHub::start().await;
    let published =
        hub.api(&hub.admin).request(Method::PUT, "/v1/catalog").json(&catalog_upload(HUB, "2026-03")).send().await;
    assert_eq!(published.unwrap().status(), 201);
    let desk = hub.api(&hub.partner);
    // The catalog's one item (code A1) asks for the 居民身份证, 原件, one copy.
    let against = |seq: u32, version: &str, change: &dyn Fn(&mut tongban_core::case::IntakeForm)| {
        let mut e = intake(PARTNER, seq, vec![]);
        let EventBody::Received { intake } = &mut e.body else { unreachable!() };
        intake.form.item.code = "A1".into();
        intake.form.item.department = "人力资源和社会保障局".into();
        intake.form.item.catalog_version = Some(version.into());
        change(&mut intake.form);
        e
    };
    let refusals = [
        (against(1, "2025-01", &|_| {}), "intake.item.catalog_version", "本通办中心没有发布过事项清单版本「2025-01」"),
        (against(1, "2026-03", &|f| f.item.code = "B9".into()), "intake.item.code", "「B9」不在"),
        (against(1, "2026-03", &|f| f.materials[0].copies = 2), "intake.materials[0].copies", "份数应为 1"),
        (
            against(1, "2026-03", &|f| f.materials[0].name = "户口簿".into()),
            "intake.materials[0].name",
            "「户口簿」不是",
        ),
        (against(1, "2026-03", &|f| f.materials.push(f.materials[0].clone())), "intake.materials", "办件列有 2 项材料"),
        (against(1, "2026-03", &|f| f.item.promised_days = 3), "intake.item.promised_days", "承诺时限：「3个工作日」"),
    ];
    for (event, field, message) in refusals {
        let (code, got, got_field) = rejection(&desk.push(&[event]).await[0]);
        assert_eq!((code, got_field.as_deref()), (ErrorCode::CatalogMismatch, Some(field)), "{got}");
        assert!(got.contains(message), "{got}");
    }
    assert!(accepted(&desk.push(&[against(1, "2026-03", &|_| {})]).await[0]), "as the catalog asks: admitted");
}

#[tokio::test]
async fn only_the_handling_regions_back_office_decides_and_only_the_taking_desk_writes_the_rest() {
    let hub = TestHub::start().await;
    let a1 = hub.api(&hub.partner);
    let case = intake(PARTNER, 1, vec![]);
    a1.push(std::slice::from_ref(&case)).await;
    let id = case.case_id;

    let (code, _, _) = rejection(&a1.push(&[event(id, PARTNER, EventBody::Refused { reason: "x".into() })]).await[0]);
    assert_eq!(code, ErrorCode::NotHandlingRegion);
    let completed = by_desk(event(id, PARTNER, EventBody::Delivered { note: String::new() }), "A2");
    let (code, message, _) = rejection(&hub.api(&hub.partner2).push(&[completed]).await[0]);
    assert_eq!(code, ErrorCode::NotOwnCase);
    assert!(message.starts_with("办件 110105-20260302-A1-0001 由窗口代码 A1 的受理台收件"), "{message}");
    // A supervisor reads; it writes nothing.
    let supervisor = hub.api(&hub.supervisor);
    let response = supervisor
        .request(Method::POST, "/v1/events")
        .json(&serde_json::json!({ "events": [by_desk(event(id, PARTNER, EventBody::Delivered { note: String::new() }), "D1")] }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(response).await.1.code, ErrorCode::Forbidden);
    assert_eq!(supervisor.pull(0, 10).await.events.len(), 1);
}

#[tokio::test]
async fn each_desk_pulls_only_its_scope_and_reads_only_the_scans_of_cases_it_may_see() {
    let hub = TestHub::start().await;
    let (a1, a2, helper) = (hub.api(&hub.partner), hub.api(&hub.partner2), hub.api(&hub.helper));
    let scan = b"ID card of window 1's applicant".as_slice();
    a1.put_blob(scan).await;
    a1.push(&[intake(PARTNER, 1, vec![sha256(scan)]), intake(PARTNER, 2, vec![])]).await;
    let a2_case = by_desk(numbered(intake(PARTNER, 1, vec![]), partner_number("A2", 1).as_str()), "A2");
    assert!(accepted(&a2.push(&[a2_case]).await[0]));
    let helper_case = by_desk(numbered(intake(PARTNER, 1, vec![]), partner_number("H1", 1).as_str()), "H1");
    assert!(accepted(&helper.push(&[helper_case]).await[0]));
    hub.api(&hub.other).push(&[intake(OTHER, 1, vec![])]).await;

    let count = |events: Vec<tongban_wire::events::SequencedEvent>| {
        let mut codes: Vec<String> = events
            .iter()
            .filter_map(|e| match &e.event.body {
                EventBody::Received { intake } => {
                    Some(format!("{}-{}", intake.number.region(), intake.number.desk_code()))
                }
                _ => None,
            })
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(count(a1.pull(0, 100).await.events), ["110105-A1", "110105-A1"]);
    assert_eq!(count(a2.pull(0, 100).await.events), ["110105-A2"]);
    assert_eq!(
        count(helper.pull(0, 100).await.events),
        ["110105-H1"],
        "a helper's laptop holds its own applicants only"
    );
    assert_eq!(
        count(hub.api(&hub.supervisor).pull(0, 100).await.events),
        ["110105-A1", "110105-A1", "110105-A2", "110105-H1"],
        "the supervisor reads the hall's cases"
    );
    assert_eq!(count(hub.api(&hub.back_office).pull(0, 100).await.events).len(), 5, "the inbox is every case");

    let read = |api: Api| async move {
        api.request(Method::GET, &format!("/v1/blobs/{}", sha256(b"ID card of window 1's applicant")))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(read(hub.api(&hub.partner)).await, 200);
    assert_eq!(read(hub.api(&hub.partner2)).await, 404, "window 2 cannot read window 1's scans");
    assert_eq!(read(hub.api(&hub.helper)).await, 404);
    assert_eq!(read(hub.api(&hub.supervisor)).await, 200);
    assert_eq!(read(hub.api(&hub.back_office)).await, 200);
}

#[tokio::test]
async fn the_first_decision_the_hub_admits_wins_and_the_other_approver_is_told_whose_it_was() {
    let hub = TestHub::start().await;
    let case = intake(PARTNER, 1, vec![]);
    hub.api(&hub.partner).push(std::slice::from_ref(&case)).await;
    let (s1, s2) = (hub.api(&hub.back_office), hub.api(&hub.back_office2));
    let id = case.case_id;

    // Both decided offline; S1's sync comes first.
    let mut accept = event(id, HUB, EventBody::Accepted);
    accept.author.name = "赵敏".into();
    assert!(accepted(&s1.push(&[accept]).await[0]));
    let refuse = by_desk(event(id, HUB, EventBody::Refused { reason: "材料不符".into() }), "S2");
    let notified = by_desk(event(id, HUB, EventBody::Processing), "S2");
    let outcomes = s2.push(&[refuse, notified]).await;
    let (code, message, _) = rejection(&outcomes[0]);
    assert_eq!(code, ErrorCode::Superseded);
    assert!(
        message
            .starts_with("办件 110105-20260302-A1-0001 已由河南省南阳市新野县的赵敏于 2026-03-02 17:30 作出「受理」"),
        "{message}"
    );
    assert!(message.ends_with("本决定「不予受理」未被采纳，办件现为「已受理」"), "{message}");
    let (code, message, _) = rejection(&outcomes[1]);
    assert_eq!((code, message.as_str()), (ErrorCode::Superseded, "所依据的「不予受理」未被采纳，本事件随之作废"));

    // The decision endpoint says the same.
    let request = DecisionRequest {
        event_id: Uuid::now_v7(),
        user: "qianli".into(),
        user_name: "钱立".into(),
        decision: Decision::Refuse { reason: "材料不符".into() },
    };
    let response = s2.request(Method::POST, &format!("/v1/cases/{id}/decisions")).json(&request).send().await;
    let (status, body) = error_of(response.unwrap()).await;
    assert_eq!((status, body.code), (409, ErrorCode::Superseded));
    // The same desk deciding against its own earlier decision is just out of turn.
    let again = event(id, HUB, EventBody::Refused { reason: "x".into() });
    assert_eq!(rejection(&s1.push(&[again]).await[0]).0, ErrorCode::InvalidTransition);
    // The receiving window sees one decision.
    let decisions: Vec<_> = hub.api(&hub.partner).pull(0, 100).await.events.into_iter().skip(1).collect();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].event.body, EventBody::Accepted);
}

#[tokio::test]
async fn an_intake_taken_in_under_another_desks_code_is_moved_with_its_renumbering_and_never_alone() {
    let hub = TestHub::start().await;
    let a1 = hub.api(&hub.partner);
    // Window A1's own case 0001, and a case this desk took in offline as "A7" (another's code).
    assert!(accepted(&a1.push(&[intake(PARTNER, 1, vec![])]).await[0]));
    let stray = numbered(intake(PARTNER, 1, vec![]), partner_number("A7", 1).as_str());
    let (code, _, _) = rejection(&a1.push(std::slice::from_ref(&stray)).await[0]);
    assert_eq!(code, ErrorCode::NumberNotOwn, "alone, the intake is refused");

    let renumber = |from: CaseNumber, to: CaseNumber| {
        event(stray.case_id, PARTNER, EventBody::Renumbered { from, to, reason: "窗口代码更正".into() })
    };
    // Moved onto a number another case holds: both refused, nothing stored.
    let onto_taken = renumber(number_of(&stray), partner_number("A1", 1));
    let outcomes = a1.push(&[stray.clone(), onto_taken]).await;
    assert_eq!(
        (rejection(&outcomes[0]).0, rejection(&outcomes[1]).0),
        (ErrorCode::NumberTaken, ErrorCode::NumberTaken)
    );
    // Moved onto another desk's code: refused.
    let onto_other = renumber(number_of(&stray), partner_number("A2", 1));
    assert_eq!(rejection(&a1.push(&[stray.clone(), onto_other]).await[0]).0, ErrorCode::NumberNotOwn);

    // With a Completed of another case between them, in one push: admitted under A1-0002.
    let other = intake(PARTNER, 3, vec![]);
    let moved = renumber(number_of(&stray), partner_number("A1", 2));
    let outcomes = a1.push(&[stray.clone(), other, moved.clone()]).await;
    assert!(outcomes.iter().all(accepted), "{outcomes:?}");
    let (PushOutcome::Accepted { seq: first, .. }, PushOutcome::Accepted { seq: second, .. }) =
        (&outcomes[0], &outcomes[2])
    else {
        unreachable!()
    };
    assert_eq!(*second, first + 1, "the intake and its renumbering are never apart in a pull");
    let inbox: InboxPage =
        hub.api(&hub.back_office).request(Method::GET, "/v1/inbox").send().await.unwrap().json().await.unwrap();
    let numbers: Vec<_> = inbox.cases.iter().map(|c| c.number.to_string()).collect();
    assert!(numbers.contains(&"110105-20260302-A1-0002".to_string()), "{numbers:?}");
    assert!(!numbers.iter().any(|n| n.contains("-A7-")), "{numbers:?}");
    // A retry of the same push is a duplicate, both events.
    let again = a1.push(&[stray, moved]).await;
    assert!(again.iter().all(|o| matches!(o, PushOutcome::Duplicate { .. })), "{again:?}");

    // Renumbering a case again later: from its number now, onto a free number of the desk's code.
    let later = event(
        inbox.cases.iter().find(|c| c.number.as_str().ends_with("A1-0002")).unwrap().case_id,
        PARTNER,
        EventBody::Renumbered {
            from: partner_number("A1", 2), to: partner_number("A1", 9), reason: "再次更正".into()
        },
    );
    assert!(accepted(&a1.push(&[later]).await[0]));
    let stale = event(
        CaseId(Uuid::now_v7()),
        PARTNER,
        EventBody::Renumbered { from: partner_number("A1", 2), to: partner_number("A1", 8), reason: "x".into() },
    );
    assert_eq!(rejection(&a1.push(&[stale]).await[0]).0, ErrorCode::InvalidTransition, "no such case");
}

#[tokio::test]
async fn a_hub_from_before_desk_codes_keeps_its_cases_and_the_first_of_two_equal_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.db");
    {
        // Step 1, as the hub that admitted one number twice wrote it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE hub (singleton INTEGER PRIMARY KEY, region TEXT NOT NULL, created_at TEXT NOT NULL);
             INSERT INTO hub VALUES (1, '411329', '2026-01-01T00:00:00Z');
             CREATE TABLE credentials (id INTEGER PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
                 role TEXT NOT NULL, desk TEXT NOT NULL, issued_at TEXT NOT NULL, revoked_at TEXT);
             INSERT INTO credentials VALUES (1, 'x', '110105', 'partner', '1号窗', '2026-01-01T00:00:00Z', NULL);
             CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL,
                 kind TEXT NOT NULL, receiving_region TEXT NOT NULL, handling_region TEXT NOT NULL, body TEXT NOT NULL,
                 stored_at TEXT NOT NULL, credential_id INTEGER NOT NULL);
             CREATE INDEX events_by_case ON events (case_id, seq);
             CREATE INDEX events_by_receiving_region ON events (receiving_region, seq);
             CREATE INDEX events_by_handling_region ON events (handling_region, seq);
             CREATE TABLE cases (case_id TEXT PRIMARY KEY, first_seq INTEGER NOT NULL UNIQUE, number TEXT NOT NULL,
                 receiving_region TEXT NOT NULL, handling_region TEXT NOT NULL, status TEXT NOT NULL,
                 applicant_name TEXT NOT NULL, item_code TEXT NOT NULL, item_name TEXT NOT NULL,
                 received_on TEXT NOT NULL, updated_at TEXT NOT NULL);
             CREATE INDEX cases_by_handling_region ON cases (handling_region, first_seq);
             INSERT INTO events VALUES (1, 'e1', 'c1', 'received', '110105', '411329', '{}', '2026-01-01T00:00:00Z', 1);
             INSERT INTO events VALUES (2, 'e2', 'c2', 'received', '110105', '411329', '{}', '2026-01-01T00:00:00Z', 1);
             INSERT INTO cases VALUES ('c1', 1, '110105-20260101-A1-0001', '110105', '411329', 'received', '甲', 'x', 'x', '2026-01-01', '2026-01-01');
             INSERT INTO cases VALUES ('c2', 2, '110105-20260101-A1-0001', '110105', '411329', 'received', '乙', 'x', 'x', '2026-01-01', '2026-01-01');
             CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, uploader_region TEXT NOT NULL, stored_at TEXT NOT NULL);
             CREATE TABLE blob_uploads (sha256 TEXT PRIMARY KEY, length INTEGER NOT NULL, received INTEGER NOT NULL,
                 uploader_region TEXT NOT NULL, updated_at TEXT NOT NULL);
             CREATE TABLE blob_refs (sha256 TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (sha256, case_id)) WITHOUT ROWID;
             CREATE TABLE catalog_versions (seq INTEGER PRIMARY KEY AUTOINCREMENT, version TEXT NOT NULL UNIQUE,
                 sha256 TEXT NOT NULL, content TEXT NOT NULL, published_at TEXT NOT NULL, credential_id INTEGER NOT NULL);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let hub = Hub::open(&path, None).unwrap();
    let credentials = hub.credentials().unwrap();
    assert_eq!((credentials[0].role, credentials[0].desk_code.as_deref()), (Role::Window, None));
    drop(hub);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let held: String = conn
        .query_row("SELECT case_id FROM case_numbers WHERE number = '110105-20260101-A1-0001'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(held, "c1", "the first case keeps the number");
    let codes: Vec<String> = conn
        .prepare("SELECT receiving_desk FROM events ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(codes, ["A1", "A1"]);
}
