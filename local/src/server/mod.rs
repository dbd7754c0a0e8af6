//! The local runtime's HTTP server: the app on hyper's HTTP/1.1, with the limits a listener needs
//! and `axum::serve` does not set (it gives hyper no timer, so nothing ever times out):
//! - a connection that sends no complete request head within `header_read_timeout`, whether it
//!   just connected or sits idle between keep-alive requests, is closed;
//! - at most `max_connections` are served at once; more wait in the listen backlog;
//! - hyper itself refuses a request head over `max_head_bytes` (a bare 431, the connection
//!   closed): set well above `web`'s own limits, so requests between get the error envelope.
//!
//! - the error responses hyper makes itself get the error envelope ([`parse_errors`]).
//!
//! In Lambda, API Gateway holds the connections: none of this applies there.

mod parse_errors;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use parse_errors::EnvelopedParseErrors;

#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    pub max_head_bytes: usize,
    /// How long connections may take to finish their requests once shutdown starts.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(20),
            max_connections: 512,
            max_head_bytes: 1024 * 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets connections finish what they
/// started (within the grace period) and returns.
pub async fn serve(listener: TcpListener, app: Router, limits: ServerLimits, shutdown: impl Future<Output = ()>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_head_bytes.max(8192))
        .max_header_size(limits.max_head_bytes);
    let http = Arc::new(http);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never closed
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of descriptors, say: pause rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (http, app, mut stopping) = (http.clone(), app.clone(), stopping.clone());
        tokio::spawn(async move {
            let _slot = slot; // freed when the connection ends
            let io = TokioIo::new(EnvelopedParseErrors::new(stream));
            let connection = http.serve_connection(io, TowerToHyperService::new(app)).with_upgrades();
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = async { stopping.wait_for(|stop| *stop).await.map(|_| ()) } => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every slot back means every connection has finished.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all)).await.is_err() {
        tracing::warn!("connections still open after the shutdown grace period; closing them");
    }
}
