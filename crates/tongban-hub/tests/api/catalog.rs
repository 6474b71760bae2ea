//! Publishing the region's catalog: what partner desks take cases in against.

use reqwest::Method;
use tongban_wire::catalog::CatalogDocument;
use tongban_wire::ErrorCode;

use crate::support::*;

#[tokio::test]
async fn a_catalog_desks_would_refuse_is_not_published() {
    let hub = TestHub::start().await;
    let admin = hub.api(&hub.admin);
    let publish = |body: serde_json::Value| admin.request(Method::PUT, "/v1/catalog").json(&body).send();

    let mut unsound = catalog_upload(HUB, "2026-05");
    unsound["content"]["items"][0]["promised_days"] = 30.into();
    unsound["content"]["items"][0]["materials"][0]["copies"] = 0.into();
    let mut mislabelled = catalog_upload(HUB, "2026-06");
    mislabelled["version"] = "2026-05".into();
    let cases = [
        (catalog_upload(PARTNER, "2026-05"), "本通办中心服务"),
        (mislabelled, "版本号「2026-05」与事项清单中的版本号「2026-06」不一致"),
        (serde_json::json!({ "version": "2026-05", "content": { "items": [] } }), "不符合格式"),
        (unsound, "承诺时限（30个工作日）超过法定时限（20个工作日）\n份数应至少为1"),
    ];
    for (body, expected) in cases {
        let (status, error) = error_of(publish(body).await.unwrap()).await;
        assert_eq!((status, error.code), (422, ErrorCode::InvalidBody), "{}", error.message);
        assert!(error.message.contains(expected), "{:?} should contain {expected:?}", error.message);
    }
    let none = hub.api(&hub.partner).request(Method::GET, "/v1/catalog").send().await.unwrap();
    assert_eq!(none.status(), 404, "nothing was published");

    let published = publish(catalog_upload(HUB, "2026-05")).await.unwrap();
    assert_eq!(published.status(), 201);
    let document: CatalogDocument = published.json().await.unwrap();
    let catalog: tongban_core::catalog::Catalog = serde_json::from_str(document.content.get()).unwrap();
    assert_eq!((catalog.region.as_str(), catalog.version.as_str()), (HUB, "2026-05"));
}

/// A catalog version published by a build of before (its fee the guide's words, as stored then)
/// and published again after the upgrade (the fee read into amounts): the same catalog, so the
/// version desks hold stands and nothing is refused. Another fee under the same version still is.
#[tokio::test]
async fn the_same_catalog_published_again_by_a_newer_build_is_the_version_already_held() {
    let hub = TestHub::start().await;
    let admin = hub.api(&hub.admin);
    let publish = |body: serde_json::Value| admin.request(Method::PUT, "/v1/catalog").json(&body).send();

    let mut before = catalog_upload(HUB, "2026-07");
    before["content"]["items"][0]["fee"] = "每件10元".into();
    let first = publish(before).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: CatalogDocument = first.json().await.unwrap();

    // What the newer build writes for the same catalog: the fee structured, in another order.
    let held: tongban_core::catalog::Catalog = serde_json::from_str(first.content.get()).unwrap();
    let mut again = catalog_upload(HUB, "2026-07");
    again["content"] = serde_json::to_value(&held).unwrap();
    assert_ne!(again["content"]["items"][0]["fee"], serde_json::Value::from("每件10元"), "the fee is written anew");
    let second = publish(again.clone()).await.unwrap();
    assert_eq!(second.status(), 200, "already published");
    let second: CatalogDocument = second.json().await.unwrap();
    assert_eq!((second.sha256.as_str(), second.published_at), (first.sha256.as_str(), first.published_at));
    assert_eq!(second.content.get(), first.content.get(), "the version desks hold is what the hub serves");

    let mut changed = again;
    changed["content"]["items"][0]["fee"] = "每件12元".into();
    let (status, error) = error_of(publish(changed).await.unwrap()).await;
    assert_eq!((status, error.code), (409, ErrorCode::CatalogVersionExists), "{}", error.message);
}
