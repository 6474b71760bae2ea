//! Scans: resumable upload across a cut connection, hash verification, limits.

use std::time::Duration;

use reqwest::Method;
use tokio::io::AsyncWriteExt;
use tongban_hub::Limits;
use tongban_wire::blobs::BlobStatus;
use tongban_wire::ErrorCode;

use crate::support::*;

fn scan(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

async fn status(api: &Api, sha: &str) -> BlobStatus {
    api.request(Method::GET, &format!("/v1/blobs/{sha}/status")).send().await.unwrap().json().await.unwrap()
}

async fn patch(api: &Api, sha: &str, offset: usize, total: usize, chunk: &[u8]) -> reqwest::Response {
    api.request(Method::PATCH, &format!("/v1/blobs/{sha}"))
        .header("upload-offset", offset)
        .header("upload-length", total)
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_upload_cut_mid_body_resumes_where_the_hub_stopped_and_completes_verified() {
    let hub = TestHub::start().await;
    let desk = hub.api(&hub.partner);
    let bytes = scan(300_000);
    let sha = sha256(&bytes);

    // A desk whose network dies: it announces the whole scan and sends only 100,000 bytes.
    let mut socket = tokio::net::TcpStream::connect(hub.url.trim_start_matches("http://")).await.unwrap();
    let head = format!(
        "PATCH /v1/blobs/{sha} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {}\r\nUpload-Offset: 0\r\n\
         Upload-Length: {}\r\nContent-Length: {}\r\n\r\n",
        hub.partner,
        bytes.len(),
        bytes.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&bytes[..100_000]).await.unwrap();
    socket.flush().await.unwrap();
    drop(socket);

    let mut resumed = status(&desk, &sha).await;
    for _ in 0..100 {
        if resumed.received == 100_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        resumed = status(&desk, &sha).await;
    }
    assert_eq!((resumed.received, resumed.length, resumed.complete), (100_000, Some(300_000), false));

    let (status_code, body) = error_of(patch(&desk, &sha, 0, bytes.len(), &bytes).await).await;
    assert_eq!((status_code, body.code), (409, ErrorCode::OffsetMismatch));
    assert_eq!(body.message, "上传位置不符：通办中心已收到 100000 字节，本次从第 0 字节开始；请查询上传状态后续传");

    let middle = patch(&desk, &sha, 100_000, bytes.len(), &bytes[100_000..200_000]).await;
    assert_eq!(middle.status(), 200);
    assert!(!middle.json::<BlobStatus>().await.unwrap().complete);
    let last = patch(&desk, &sha, 200_000, bytes.len(), &bytes[200_000..]).await;
    assert_eq!(last.status(), 200);
    assert!(last.json::<BlobStatus>().await.unwrap().complete);

    let fetched = desk.request(Method::GET, &format!("/v1/blobs/{sha}")).send().await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), bytes.as_slice());
    assert_eq!(desk.put_blob(&bytes).await.0, 200, "uploading a blob the hub has is a no-op");
}

#[tokio::test]
async fn bytes_that_do_not_match_their_hash_are_discarded() {
    let hub = TestHub::start().await;
    let desk = hub.api(&hub.partner);
    let claimed = sha256(b"the real scan");
    let (status_code, body) = error_of(patch(&desk, &claimed, 0, 9, b"forgery!!").await).await;
    assert_eq!((status_code, body.code), (422, ErrorCode::HashMismatch));
    assert!(body.message.starts_with("收到的内容与 SHA-256"), "{}", body.message);
    let after = status(&desk, &claimed).await;
    assert_eq!((after.received, after.length, after.complete), (0, None, false));
    assert_eq!(desk.request(Method::GET, &format!("/v1/blobs/{claimed}")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn blob_size_has_its_own_limit_independent_of_the_json_body_limit() {
    let hub = TestHub::with_limits(Limits { max_json_body: 1024, max_blob_size: 64 * 1024, ..Limits::default() }).await;
    let desk = hub.api(&hub.partner);
    assert_eq!(desk.put_blob(&scan(32 * 1024)).await.0, 201, "a scan larger than a JSON body is fine");
    let big = scan(65 * 1024);
    let response = desk.request(Method::PUT, &format!("/v1/blobs/{}", sha256(&big))).body(big).send().await.unwrap();
    let (status_code, body) = error_of(response).await;
    assert_eq!((status_code, body.code), (413, ErrorCode::PayloadTooLarge));
    assert_eq!(body.message, "扫描件大小 66560 字节超过上限 65536 字节");
}
