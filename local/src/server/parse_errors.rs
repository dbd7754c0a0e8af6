//! hyper answers some requests itself, before any route sees them: a malformed head (400), a
//! request target over 64 KiB (414, a limit hyper fixes), a head over the size limit (431). It
//! writes those as a bare head with `content-length: 0` and closes the connection. This wrapper
//! of the connection gives them the error envelope every other error carries. It can tell them
//! apart: every error response of the app has a JSON body, so a bodiless error head is hyper's.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub struct EnvelopedParseErrors<IO> {
    inner: IO,
    /// A rewritten response being written: its bytes, how many are written, and the length of
    /// the original it stands for (what the caller is told was written, once all of it is).
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<IO> EnvelopedParseErrors<IO> {
    pub fn new(inner: IO) -> Self {
        EnvelopedParseErrors { inner, pending: None }
    }
}

/// The response to write instead of `head`, if `head` is a bodiless error head.
fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let status_line = text.strip_prefix("HTTP/1.1 ")?;
    let status = StatusCode::from_bytes(status_line.get(..3)?.as_bytes()).ok()?;
    let headers = text.strip_suffix("\r\n\r\n")?.split("\r\n").skip(1).collect::<Vec<_>>();
    let bodiless = headers.iter().any(|header| header.eq_ignore_ascii_case("content-length: 0"));
    if !(status.is_client_error() || status.is_server_error()) || !bodiless || text.contains("\r\n\r\n\r\n") {
        return None;
    }
    let body = web::error_envelope(status, status.canonical_reason().unwrap_or("error").to_lowercase()).to_string();
    let mut response = format!("HTTP/1.1 {}\r\n", status_line.split("\r\n").next()?);
    for header in headers.iter().filter(|header| !header.to_ascii_lowercase().starts_with("content-length:")) {
        response.push_str(header);
        response.push_str("\r\n");
    }
    response.push_str(&format!("content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()));
    Some(response.into_bytes())
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for EnvelopedParseErrors<IO> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            match rewrite(buf) {
                Some(replacement) => this.pending = Some((replacement, 0, buf.len())),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        while let Some((bytes, written, original)) = &mut this.pending {
            *written += ready!(Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]))?;
            if *written == bytes.len() {
                let original = *original;
                this.pending = None;
                return Poll::Ready(Ok(original));
            }
        }
        Poll::Ready(Ok(0))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for EnvelopedParseErrors<IO> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn a_bodiless_error_head_gets_the_envelope_and_its_length() {
        let head = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let rewritten = String::from_utf8(rewrite(head).expect("rewritten")).expect("utf-8");
        let (head, body) = rewritten.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ndate: x\r\n"), "{head}");
        assert!(head.ends_with(&format!("content-length: {}", body.len())), "{head}");
        let envelope: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(envelope["error"]["code"], "URI_TOO_LONG");
        assert_eq!(envelope["error"]["status"], 414);
    }

    #[test]
    fn responses_with_bodies_and_successes_pass_untouched() {
        for head in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 12\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}",
            b"{\"partial\": \"body bytes\"}",
        ] {
            assert!(rewrite(head).is_none(), "{}", String::from_utf8_lossy(head));
        }
    }
}
