//! Publishing working-day calendars: a year, once held, never changes content; only the admin
//! publishes; every refusal is a Chinese `{code, message}` and changes nothing.

use reqwest::Method;
use tongban_wire::calendar::{CalendarIndex, CalendarYearDocument, MAX_YEAR_DOCUMENT, MAX_YEAR_TEXT};
use tongban_wire::ErrorCode;

use crate::support::*;

const Y2027: &str = "# 国务院办公厅关于2027年部分节假日安排的通知\n\
                     year 2027\n\
                     holiday 2027-01-01 元旦\n\
                     holiday 2027-10-01 2027-10-07 国庆节\n\
                     workday 2027-10-09 国庆节调休上班\n";

fn upload(text: &str) -> serde_json::Value {
    serde_json::json!({ "text": text })
}

async fn index(api: &Api) -> CalendarIndex {
    let response = api.request(Method::GET, "/v1/calendar").send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_published_year_is_served_to_every_credential_and_never_changes() {
    let hub = TestHub::start().await;
    let admin = hub.api(&hub.admin);
    let desk = hub.api(&hub.partner);
    assert!(index(&desk).await.years.is_empty(), "nothing published yet");

    let put = |body: serde_json::Value| admin.request(Method::PUT, "/v1/calendar/2027").json(&body).send();
    let created = put(upload(Y2027)).await.unwrap();
    assert_eq!(created.status(), 201);
    let published: CalendarYearDocument = created.json().await.unwrap();
    assert_eq!(published.year, 2027);
    assert!(
        published.text.starts_with("# 国务院办公厅关于2027年部分节假日安排的通知\nyear 2027\n"),
        "{}",
        published.text
    );

    // The same arrangement, typed differently: the same year, nothing changes.
    let retyped = "year 2027 # 重新录入\nworkday 2027-10-09 国庆节调休上班\n\n\
                   holiday   2027-10-01   2027-10-07   国庆节\nholiday 2027-1-1 元旦\n";
    let again = put(upload(retyped)).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<CalendarYearDocument>().await.unwrap(), published);

    // Another arrangement for a year held: refused, and the held one stays.
    let changed = Y2027.replace("2027-10-09", "2027-10-10");
    let (status, error) = error_of(put(upload(&changed)).await.unwrap()).await;
    assert_eq!((status, error.code), (409, ErrorCode::CalendarYearExists), "{}", error.message);
    assert!(error.message.contains("2027年的节假日安排已发布且内容不同"), "{}", error.message);

    for token in [&hub.partner, &hub.back_office, &hub.admin] {
        let api = hub.api(token);
        let listed = index(&api).await;
        assert_eq!(listed.years.len(), 1);
        assert_eq!((listed.years[0].year, &listed.years[0].sha256), (2027, &published.sha256));
        let year = api.request(Method::GET, "/v1/calendar/2027").send().await.unwrap();
        let served = year.json::<CalendarYearDocument>().await.unwrap();
        assert_eq!(served, published);
        // Sealed by the hub, over its region, the year and the content's hash.
        let seal = served.signature.expect("sealed");
        let key = hub.open_again().signer().public();
        let document = tongban_core::seal::Document::CalendarYear { year: 2027 };
        key.verify_document(HUB, document, &served.sha256, &seal).unwrap();
        assert!(key.verify_document(HUB, document, &"0".repeat(64), &seal).is_err());
    }

    // The index answers 304 to its ETag until a year is added.
    let first = desk.request(Method::GET, "/v1/calendar").send().await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let same = desk.request(Method::GET, "/v1/calendar").header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(same.status(), 304);
    let y2028 = "year 2028\nholiday 2028-01-01 元旦\n";
    let added = admin.request(Method::PUT, "/v1/calendar/2028").json(&upload(y2028)).send().await.unwrap();
    assert_eq!(added.status(), 201);
    let moved = desk.request(Method::GET, "/v1/calendar").header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(moved.status(), 200);
    assert_eq!(
        moved.json::<CalendarIndex>().await.unwrap().years.iter().map(|y| y.year).collect::<Vec<_>>(),
        [2027, 2028]
    );
}

#[tokio::test]
async fn every_refused_publication_names_what_is_wrong_and_changes_nothing() {
    let hub = TestHub::start().await;
    let admin = hub.api(&hub.admin);
    let put = |api: &Api, year: &str, body: serde_json::Value| {
        api.request(Method::PUT, &format!("/v1/calendar/{year}")).json(&body)
    };
    let raw = |body: String| {
        admin.request(Method::PUT, "/v1/calendar/2027").header("content-type", "application/json").body(body)
    };
    // Under the body limit, over the text limit.
    let long_text = format!("{Y2027}{}", "#\n".repeat(MAX_YEAR_TEXT / 2));
    let body_limit = format!("{MAX_YEAR_DOCUMENT} 字节");
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, ErrorCode, &str)> = vec![
        ("no credential", put(&hub.anonymous(), "2027", upload(Y2027)), 401, ErrorCode::Unauthorized, "凭据"),
        (
            "partner",
            put(&hub.api(&hub.partner), "2027", upload(Y2027)),
            403,
            ErrorCode::Forbidden,
            "无权发布节假日安排",
        ),
        (
            "back office",
            put(&hub.api(&hub.back_office), "2027", upload(Y2027)),
            403,
            ErrorCode::Forbidden,
            "无权发布节假日安排",
        ),
        ("revoked", put(&hub.api(&hub.revoked), "2027", upload(Y2027)), 401, ErrorCode::CredentialRevoked, "吊销"),
        ("broken JSON", raw("{\"text\": \"year".into()), 400, ErrorCode::BadRequest, "JSON"),
        ("no text", put(&admin, "2027", serde_json::json!({ "txt": Y2027 })), 422, ErrorCode::InvalidBody, "字段"),
        (
            "a date outside its year",
            put(&admin, "2027", upload("year 2027\nholiday 2028-01-01 元旦\n")),
            422,
            ErrorCode::InvalidBody,
            "第2行：放假日期「2028-01-01」不在声明的2027年内",
        ),
        (
            "a day both holiday and workday",
            put(&admin, "2027", upload("year 2027\nholiday 2027-10-09 国庆节\nworkday 2027-10-09 调休\n")),
            422,
            ErrorCode::InvalidBody,
            "第3行",
        ),
        ("no year", put(&admin, "2027", upload("# 空\n")), 422, ErrorCode::InvalidBody, "没有 year 行"),
        (
            "two years in one body",
            put(&admin, "2027", upload(&format!("{Y2027}year 2028\nholiday 2028-01-01 元旦\n"))),
            422,
            ErrorCode::InvalidBody,
            "一次只能发布一年的节假日安排，文本中有 2027年、2028年",
        ),
        (
            "another year than the address",
            put(&admin, "2028", upload(Y2027)),
            422,
            ErrorCode::InvalidBody,
            "地址中的年份 2028 与节假日安排中的年份 2027 不一致",
        ),
        ("a year of two digits", put(&admin, "27", upload(Y2027)), 400, ErrorCode::BadRequest, "不是有效的年份"),
        ("not a year", put(&admin, "二〇二七", upload(Y2027)), 400, ErrorCode::BadRequest, "不是有效的年份"),
        (
            "oversized body",
            raw(format!("{{\"text\": \"{}\"}}", "x".repeat(MAX_YEAR_DOCUMENT + 1))),
            413,
            ErrorCode::PayloadTooLarge,
            &body_limit,
        ),
        ("oversized text", put(&admin, "2027", upload(&long_text)), 413, ErrorCode::PayloadTooLarge, "超过上限"),
    ];
    for (what, request, status, code, expected) in cases {
        let (got_status, body) = error_of(request.send().await.unwrap()).await;
        assert_eq!((got_status, body.code), (status, code), "{what}: {}", body.message);
        assert!(body.message.contains(expected), "{what}: {:?} should contain {expected:?}", body.message);
    }
    assert!(index(&admin).await.years.is_empty(), "nothing was published");

    let (status, error) = error_of(admin.request(Method::GET, "/v1/calendar/2027").send().await.unwrap()).await;
    assert_eq!((status, error.code), (404, ErrorCode::UnknownCalendarYear));
    assert_eq!(error.message, "通办中心没有2027年的节假日安排");
    let (status, error) = error_of(hub.anonymous().request(Method::GET, "/v1/calendar").send().await.unwrap()).await;
    assert_eq!((status, error.code), (401, ErrorCode::Unauthorized));
}
