//! Files compiled into the binary (`include_bytes!`), served by path with a strict
//! Content-Security-Policy: the docs page's and the dashboard page's. Nothing they load comes from
//! elsewhere, so both pages work offline.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use web::ApiError;

/// An embedded file: the path it is served under (relative to its page's folder), its content
/// type, its bytes.
pub type Asset = (&'static str, &'static str, &'static [u8]);

/// Scripts, styles and API calls from this server only; `data:` images are Swagger UI's icons.
/// No inline script or style, no CDN.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; frame-ancestors 'none'; \
     form-action 'self'";

/// The asset at `path` among `assets`, or a 404 in the envelope naming it.
pub fn respond(assets: &[Asset], path: &str, cache_control: &'static str) -> Response {
    let Some((_, content_type, bytes)) = assets.iter().find(|(file, _, _)| *file == path) else {
        return ApiError::not_found(format!("no asset {path}")).into_response();
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
