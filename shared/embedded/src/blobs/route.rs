//! The download route of the folder's links. It answers refusals in the API's error envelope
//! (`web::ApiError`'s shape, written out here because adapters do not depend on the HTTP glue).

use std::path::PathBuf;

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use percent_encoding::utf8_percent_encode;
use serde::Deserialize;
use serde_json::json;

use super::{BlobFolder, COMPONENT, key};

/// What a link carries besides its key (see [`BlobFolder`]'s `link`).
#[derive(Deserialize)]
struct LinkQuery {
    filename: String,
    /// Unix seconds.
    expires: i64,
    signature: String,
}

pub(super) fn routes(folder: BlobFolder) -> Router {
    Router::new().route("/blobs/{*key}", get(download)).with_state(folder)
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let error = json!({"code": code, "message": message, "status": status.as_u16(), "details": {}});
    (status, axum::Json(json!({"success": false, "error": error}))).into_response()
}

fn forbidden(message: &str) -> Response {
    refuse(StatusCode::FORBIDDEN, "FORBIDDEN", message)
}

fn not_found() -> Response {
    refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "no such blob")
}

async fn download(
    State(folder): State<BlobFolder>,
    key: Result<Path<String>, PathRejection>,
    link: Result<Query<LinkQuery>, QueryRejection>,
) -> Response {
    let (Ok(Path(key)), Ok(Query(link))) = (key, link) else {
        return forbidden("not a download link");
    };
    if !folder.signer.verify(&key, &link.filename, link.expires, &link.signature) {
        return forbidden("the link's signature does not match");
    }
    if folder.clock.now().as_second() >= link.expires {
        return forbidden("the link has expired");
    }
    // Signed keys passed this check when linked; checked again so that nothing outside the
    // folder is ever opened, whatever a future signer accepts.
    let Ok(relative) = key::relative_path(&key) else {
        return not_found();
    };
    let (file, type_file) = (folder.file(&relative), folder.content_type_file(&relative));
    match tokio::task::spawn_blocking(move || read_blob(file, type_file)).await {
        Ok(Ok(Some((bytes, content_type)))) => {
            let headers =
                [(header::CONTENT_TYPE, content_type), (header::CONTENT_DISPOSITION, attachment(&link.filename))];
            (headers, bytes).into_response()
        }
        Ok(Ok(None)) => not_found(),
        Ok(Err(error)) => {
            tracing::error!(%error, key, "blob not readable");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal error")
        }
        Err(join) => {
            tracing::error!(error = %join, key, "blob task failed");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal error")
        }
    }
}

/// The bytes and content type of a blob, `None` if there is none. A file without a recorded
/// type (put there by hand) is served as opaque bytes.
fn read_blob(file: PathBuf, type_file: PathBuf) -> std::io::Result<Option<(Vec<u8>, HeaderValue)>> {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    let content_type = std::fs::read_to_string(type_file)
        .ok()
        .and_then(|text| HeaderValue::from_str(&text).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(Some((bytes, content_type)))
}

/// `attachment; filename="..."` (RFC 6266). A name a quoted ASCII string cannot carry gets an
/// ASCII stand-in there and travels exactly in `filename*`.
fn attachment(filename: &str) -> HeaderValue {
    let plain: String = filename
        .chars()
        .map(|c| if c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\') { c } else { '_' })
        .collect();
    let mut value = format!("attachment; filename=\"{plain}\"");
    if plain != filename {
        value.push_str(&format!("; filename*=UTF-8''{}", utf8_percent_encode(filename, COMPONENT)));
    }
    // Only visible ASCII and spaces were written; should that ever change, a bare attachment.
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_is_quoted_as_is() {
        assert_eq!(attachment("campaign stats.csv"), "attachment; filename=\"campaign stats.csv\"");
    }

    #[test]
    fn other_names_get_a_stand_in_and_travel_exactly_in_filename_star() {
        assert_eq!(
            attachment("résumé \"q4\".csv"),
            "attachment; filename=\"r_sum_ _q4_.csv\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22q4%22.csv"
        );
        assert_eq!(attachment("a\r\nb.csv"), "attachment; filename=\"a__b.csv\"; filename*=UTF-8''a%0D%0Ab.csv");
    }
}
