//! Malformed, oversized and misdirected requests: a 4xx with a JSON `{code, message}` each.

use reqwest::Method;
use tongban_hub::Limits;
use tongban_wire::ErrorCode;

use crate::support::*;

#[tokio::test]
async fn every_malformed_request_gets_a_json_error_and_changes_nothing() {
    let hub = TestHub::with_limits(Limits { max_json_body: 4096, ..Limits::default() }).await;
    let desk = hub.api(&hub.partner);
    let sha = sha256(b"x");
    let json = |body: &str| {
        desk.request(Method::POST, "/v1/events").header("content-type", "application/json").body(body.to_string())
    };
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, ErrorCode)> = vec![
        ("broken JSON", json("{\"events\": ["), 400, ErrorCode::BadRequest),
        ("wrong shape", json("{\"events\": [{\"id\": 1}]}"), 422, ErrorCode::InvalidBody),
        (
            "not JSON",
            desk.request(Method::POST, "/v1/events").header("content-type", "text/plain").body("{}"),
            415,
            ErrorCode::UnsupportedMediaType,
        ),
        (
            "oversized",
            json(&format!("{{\"events\": [], \"pad\": \"{}\"}}", "x".repeat(5000))),
            413,
            ErrorCode::PayloadTooLarge,
        ),
        ("unknown route", desk.request(Method::GET, "/v1/nothing"), 404, ErrorCode::NotFound),
        ("wrong method", desk.request(Method::DELETE, "/v1/events"), 405, ErrorCode::MethodNotAllowed),
        ("bad hash", desk.request(Method::GET, "/v1/blobs/ABC/status"), 400, ErrorCode::BadRequest),
        (
            "bad case id",
            hub.api(&hub.back_office)
                .request(Method::POST, "/v1/cases/not-a-uuid/decisions")
                .json(&serde_json::json!({})),
            400,
            ErrorCode::BadRequest,
        ),
        ("bad cursor", desk.request(Method::GET, "/v1/events?since=minus"), 400, ErrorCode::BadRequest),
        ("limit zero", desk.request(Method::GET, "/v1/events?limit=0"), 400, ErrorCode::BadRequest),
        (
            "no offset header",
            desk.request(Method::PATCH, &format!("/v1/blobs/{sha}")).body("x"),
            400,
            ErrorCode::BadRequest,
        ),
        ("no credential", hub.anonymous().request(Method::GET, "/v1/events"), 401, ErrorCode::Unauthorized),
        (
            "not a bearer",
            hub.anonymous().request(Method::GET, "/v1/events").header("authorization", "Basic abc"),
            401,
            ErrorCode::Unauthorized,
        ),
        ("unknown token", hub.api("tbh_nope").request(Method::GET, "/v1/events"), 401, ErrorCode::Unauthorized),
    ];
    for (what, request, status, code) in cases {
        let (got_status, body) = error_of(request.send().await.unwrap()).await;
        assert_eq!((got_status, body.code), (status, code), "{what}: {}", body.message);
        assert!(
            body.message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{what}: message in Chinese: {}",
            body.message
        );
    }
    assert!(desk.pull(0, 10).await.events.is_empty());
    let unauthorised = hub.anonymous().request(Method::GET, "/v1/inbox").send().await.unwrap();
    assert_eq!(unauthorised.headers()["www-authenticate"], "Bearer");
}

/// Found by schemathesis: a cursor of 2^63 or more did not fit SQLite's integer and was a 500.
#[tokio::test]
async fn a_cursor_past_every_sequence_number_is_an_empty_page_not_a_server_error() {
    let hub = TestHub::start().await;
    for (credential, path) in [
        (&hub.partner, format!("/v1/events?since={}", u64::MAX)),
        (&hub.back_office, format!("/v1/events?since={}", 1u64 << 63)),
        (&hub.back_office, format!("/v1/inbox?after={}", u64::MAX)),
    ] {
        let response = hub.api(credential).request(Method::GET, &path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let page: serde_json::Value = response.json().await.unwrap();
        let empty = page.get("events").or_else(|| page.get("cases")).and_then(|v| v.as_array()).map(Vec::len);
        assert_eq!(empty, Some(0), "{path}: {page}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_of_the_wire_crate() {
    let hub = TestHub::start().await;
    let doc: serde_json::Value =
        hub.anonymous().request(Method::GET, "/v1/openapi.json").send().await.unwrap().json().await.unwrap();
    use tongban_wire::paths::*;
    for path in [HEALTH, EVENTS, INBOX, DECISIONS, BLOB, BLOB_STATUS, CATALOG, CALENDAR, CALENDAR_YEAR, AUDIT_HEAD] {
        assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    for schema in [
        "PushRequest",
        "PushOutcome",
        "CaseEvent",
        "EventBody",
        "DecisionRequest",
        "BlobStatus",
        "ErrorBody",
        "AuditHeadReport",
        "CalendarIndex",
        "CalendarYearDocument",
        "CalendarYearUpload",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema} missing");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    // The error codes by their stable names, as the hub sends them (the enum lives in the core).
    let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(doc["components"]["schemas"]["ErrorCode"]["enum"], serde_json::json!(names));
}
