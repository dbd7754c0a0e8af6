//! The [`Blobs`] contract. Link security (tampering, expiry) is checked separately because one
//! emulator (moto) does not verify signatures; the embedded adapter and s3s-fs do.

use std::sync::Arc;
use std::time::Duration;

use domain::ports::Blobs;
use jiff::SignedDuration;
use reqwest::StatusCode;

async fn fetch(url: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let response = reqwest::get(url).await.expect("GET the link");
    let status = response.status();
    let disposition =
        response.headers().get("content-disposition").and_then(|value| value.to_str().ok()).map(str::to_owned);
    (status, disposition, response.bytes().await.expect("body").to_vec())
}

pub async fn a_link_downloads_the_blob_as_a_named_attachment(blobs: Arc<dyn Blobs>) {
    let bytes = b"id,calls\nc1,7\n".to_vec();
    blobs.put("exports/job-1.csv", bytes.clone(), "text/csv").await.expect("put");
    let url = blobs.link("exports/job-1.csv", "campaign-stats.csv", SignedDuration::from_mins(5)).await.expect("link");
    let (status, disposition, body) = fetch(&url).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    assert_eq!(body, bytes);
    let disposition = disposition.expect("a Content-Disposition header");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("campaign-stats.csv"), "{disposition}");
}

pub async fn put_replaces_a_blob(blobs: Arc<dyn Blobs>) {
    blobs.put("exports/job-2.json", b"[1]".to_vec(), "application/json").await.expect("put");
    blobs.put("exports/job-2.json", b"[1,2]".to_vec(), "application/json").await.expect("put again");
    let url = blobs.link("exports/job-2.json", "data.json", SignedDuration::from_mins(5)).await.expect("link");
    assert_eq!(fetch(&url).await.2, b"[1,2]".to_vec());
}

pub async fn a_tampered_link_is_refused(blobs: Arc<dyn Blobs>) {
    blobs.put("exports/job-3.csv", b"secret,1\n".to_vec(), "text/csv").await.expect("put");
    let url = blobs.link("exports/job-3.csv", "a.csv", SignedDuration::from_mins(5)).await.expect("link");
    // Point the signed link at another blob, and alter its signature.
    let other = url.replacen("job-3", "job-4", 1);
    blobs.put("exports/job-4.csv", b"other,2\n".to_vec(), "text/csv").await.expect("put");
    assert!(fetch(&other).await.0.is_client_error(), "a link re-pointed at another blob must be refused");
    let last = url.chars().last().expect("non-empty");
    let altered = format!("{}{}", &url[..url.len() - 1], if last == '0' { '1' } else { '0' });
    assert!(fetch(&altered).await.0.is_client_error(), "an altered signature must be refused");
}

pub async fn an_expired_link_is_refused(blobs: Arc<dyn Blobs>) {
    blobs.put("exports/job-5.csv", b"x\n".to_vec(), "text/csv").await.expect("put");
    let url = blobs.link("exports/job-5.csv", "x.csv", SignedDuration::from_secs(1)).await.expect("link");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(fetch(&url).await.0.is_client_error(), "an expired link must be refused");
}

#[macro_export]
macro_rules! blob_contract_tests {
    ($make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_link_downloads_the_blob_as_a_named_attachment() {
            $crate::contracts::blobs::a_link_downloads_the_blob_as_a_named_attachment($make.await).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn put_replaces_a_blob() {
            $crate::contracts::blobs::put_replaces_a_blob($make.await).await;
        }
    };
}

#[macro_export]
macro_rules! blob_link_security_tests {
    ($make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_tampered_link_is_refused() {
            $crate::contracts::blobs::a_tampered_link_is_refused($make.await).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_expired_link_is_refused() {
            $crate::contracts::blobs::an_expired_link_is_refused($make.await).await;
        }
    };
}
