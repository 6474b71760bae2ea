//! Scans: resumable upload across a cut connection, hash verification, limits.

use std::time::Duration;

use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tongban_hub::Limits;
use tongban_wire::blobs::BlobStatus;
use tongban_wire::events::PushOutcome;
use tongban_wire::ErrorCode;

use crate::support::*;

fn rejection(outcome: &PushOutcome) -> (ErrorCode, String) {
    match outcome {
        PushOutcome::Rejected { code, message, .. } => (*code, message.clone()),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

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

#[tokio::test]
async fn a_scan_belongs_to_the_desks_that_uploaded_it_not_to_whoever_knows_its_hash() {
    let hub = TestHub::start().await;
    let x = hub.api(&hub.partner); // 朝阳区's window A1
    let y = hub.api(&hub.other); // 玄武区's window A1, another partner
    let id_card = scan(50_000);
    let (code, sha) = x.put_blob(&id_card).await;
    assert_eq!(code, 201);

    // Asking about it tells Y exactly what asking about a scan nobody uploaded does.
    let never = sha256(b"a scan nobody ever uploaded");
    let (theirs, absent) = (status(&y, &sha).await, status(&y, &never).await);
    assert_eq!((theirs.received, theirs.length, theirs.complete), (absent.received, absent.length, absent.complete));
    assert_eq!(y.request(Method::GET, &format!("/v1/blobs/{sha}")).send().await.unwrap().status(), 404);

    // Citing it in Y's own intake is refused as a scan not uploaded; nothing is stored, so Y can
    // never read it through a case of its own.
    let forged = intake(OTHER, 1, vec![sha.clone()]);
    let outcome = y.push(std::slice::from_ref(&forged)).await;
    assert_eq!(rejection(&outcome[0]).0, ErrorCode::MissingBlob);
    assert_eq!(y.pull(0, 100).await.events.len(), 0);
    assert_eq!(y.request(Method::GET, &format!("/v1/blobs/{sha}")).send().await.unwrap().status(), 404);

    // Other bytes under X's scan's name fail for Y alone; X's scan is untouched.
    let (code, body) = error_of(patch(&y, &sha, 0, 9, b"forgery!!").await).await;
    assert_eq!((code, body.code), (422, ErrorCode::HashMismatch));
    let fetched = x.request(Method::GET, &format!("/v1/blobs/{sha}")).send().await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), id_card.as_slice());

    // A desk that has the very bytes may upload them too, and then cite them.
    assert_eq!(y.put_blob(&id_card).await.0, 201, "Y proved it holds the bytes");
    assert!(matches!(y.push(&[forged]).await[0], PushOutcome::Accepted { .. }));
}

#[tokio::test]
async fn an_upload_under_way_is_the_uploaders_own_and_an_abandoned_one_is_removed() {
    let hub = TestHub::start().await;
    let x = hub.api(&hub.partner);
    let y = hub.api(&hub.other);
    let bytes = scan(200_000);
    let sha = sha256(&bytes);
    assert_eq!(patch(&x, &sha, 0, bytes.len(), &bytes[..100_000]).await.status(), 200);

    // Y cannot see, continue, restart or spoil X's half-done upload.
    let seen = status(&y, &sha).await;
    assert_eq!((seen.received, seen.length), (0, None));
    let (code, body) = error_of(patch(&y, &sha, 100_000, bytes.len(), &bytes[100_000..]).await).await;
    assert_eq!((code, body.code), (409, ErrorCode::OffsetMismatch), "{}", body.message);
    assert_eq!(error_of(patch(&y, &sha, 0, 9, b"forgery!!").await).await.1.code, ErrorCode::HashMismatch);
    let mine = status(&x, &sha).await;
    assert_eq!((mine.received, mine.length), (100_000, Some(200_000)));
    let done = patch(&x, &sha, 100_000, bytes.len(), &bytes[100_000..]).await;
    assert!(done.json::<BlobStatus>().await.unwrap().complete);

    // An upload nobody continues is forgotten after the configured age, its partial file too.
    let other = scan(90_000);
    let other_sha = sha256(&other);
    assert_eq!(patch(&y, &other_sha, 0, other.len(), &other[..30_000]).await.status(), 200);
    let opened = hub.open_again();
    let now = chrono::Utc::now();
    assert_eq!(opened.remove_abandoned_uploads(chrono::Duration::hours(24), now).unwrap(), 0, "still fresh");
    let later = now + chrono::Duration::hours(25);
    assert_eq!(opened.remove_abandoned_uploads(chrono::Duration::hours(24), later).unwrap(), 1);
    let partials = std::fs::read_dir(hub.blob_dir().join("partial")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(partials, 0, "the partial file went with it");
    let after = status(&y, &other_sha).await;
    assert_eq!((after.received, after.length), (0, None));
}

/// A request holding an upload open (its headers and part of its body sent, the rest to come), as
/// a desk on a slow line does. Dropped, the line is cut.
async fn upload_under_way(url: &str, token: &str, sha: &str, total: usize, first: &[u8]) -> tokio::net::TcpStream {
    let mut socket = tokio::net::TcpStream::connect(url.trim_start_matches("http://")).await.unwrap();
    let head = format!(
        "PATCH /v1/blobs/{sha} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {token}\r\nUpload-Offset: 0\r\n\
         Upload-Length: {total}\r\nContent-Length: {total}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(first).await.unwrap();
    socket.flush().await.unwrap();
    socket
}

/// Waits until the hub's database shows `n` uploads whose lease runs.
async fn leases_become(hub: &TestHub, n: u32) {
    for _ in 0..500 {
        let held = crate::cluster::query_sql(&hub.db, "SELECT count(*) FROM blob_partials WHERE writer IS NOT NULL");
        if held == n.to_string() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the uploads under way never came to {n}");
}

/// Two requests for one desk's upload of one scan, through two hub processes on one database and
/// one scans' folder (PostgreSQL; one process with SQLite): while the first is writing, the
/// second is refused, whatever it asks (continue, start over); once the first ends, the upload is
/// whole and right. A lease a killed process left behind lapses, and the desk goes on.
#[tokio::test]
async fn one_request_at_a_time_writes_an_upload_across_hub_processes() {
    let hub = TestHub::start().await;
    let second = Api::with_token(hub.second_process().await, &hub.partner);
    let bytes = scan(300_000);
    let sha = sha256(&bytes);

    let mut first = upload_under_way(&hub.url, &hub.partner, &sha, bytes.len(), &bytes[..100_000]).await;
    leases_become(&hub, 1).await;
    let (code, body) = error_of(patch(&second, &sha, 0, bytes.len(), &bytes).await).await;
    assert_eq!((code, body.code), (409, ErrorCode::UploadInProgress), "{}", body.message);
    assert!(body.message.contains("正在由另一请求上传"), "{}", body.message);
    let (code, body) = error_of(
        second.request(Method::PUT, &format!("/v1/blobs/{sha}")).body(b"not the scan".to_vec()).send().await.unwrap(),
    )
    .await;
    assert_eq!((code, body.code), (409, ErrorCode::UploadInProgress), "a restart may not truncate it either");
    // Another desk's upload of the same bytes is its own, and goes on meanwhile.
    let other = Api::with_token(hub.second_process().await, &hub.partner2);
    assert_eq!(other.put_blob(&bytes).await.0, 201);

    first.write_all(&bytes[100_000..]).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), first.read_buf(&mut answer)).await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 20"), "{}", String::from_utf8_lossy(&answer));
    let fetched = second.request(Method::GET, &format!("/v1/blobs/{sha}")).send().await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), bytes.as_slice());
    leases_become(&hub, 0).await;

    // A hub process killed mid-upload leaves its lease: the desk is told to wait, not let in to
    // write beside a writer that may still be alive. (The lease's minute passing is the fault
    // made here: its end is moved into the past.)
    let next = scan(120_000);
    let next_sha = sha256(&next);
    let desk = hub.api(&hub.partner);
    assert_eq!(patch(&desk, &next_sha, 0, next.len(), &next[..40_000]).await.status(), 200);
    let until = (chrono::Utc::now() + chrono::Duration::seconds(50)).format("%F %T%.f%:z");
    hub.execute_sql(&format!("UPDATE blob_partials SET writer = 'killed-process', writer_until = '{until}'"));
    let (code, body) = error_of(patch(&second, &next_sha, 40_000, next.len(), &next[40_000..]).await).await;
    assert_eq!((code, body.code), (409, ErrorCode::UploadInProgress));
    let lapsed = (chrono::Utc::now() - chrono::Duration::seconds(1)).format("%F %T%.f%:z");
    hub.execute_sql(&format!("UPDATE blob_partials SET writer_until = '{lapsed}'"));
    let resumed = patch(&second, &next_sha, 40_000, next.len(), &next[40_000..]).await;
    assert_eq!(resumed.status(), 200);
    assert!(resumed.json::<BlobStatus>().await.unwrap().complete);
    leases_become(&hub, 0).await;
}
