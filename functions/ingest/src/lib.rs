//! `POST /api/v1/events` (spec/EVENTS.md): up to 500 events and 1 MiB per request; each event is
//! validated on its own (a bad one is rejected with its index and field, the rest go on) and
//! applied exactly once; the answer is 202 with accepted, duplicate and rejected counts.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::{Json, Router};
use domain::events::{EventLimits, parse_event_json, validate_event};
use domain::ingest::{Outcome, apply_events};
use domain::rollup::Rules;
use serde::{Deserialize, Serialize};
use serde_json::error::Category;
use serde_json::value::RawValue;
use web::extract::BodyBytes;
use web::{ApiError, Caller, Role, Route, Services};

pub const MAX_EVENTS: usize = 500;
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route> {
    vec![Route::post("/api/v1/events", ingest_events)]
}

pub fn routes(services: Services) -> Router {
    web::router(route_table()).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)).with_state(services)
}

#[derive(Debug, Serialize)]
pub struct IngestResponse {
    pub success: bool,
    pub accepted: usize,
    /// Events whose id was already stored, conflicts included.
    pub duplicates: usize,
    pub rejected: Vec<Rejection>,
    /// Duplicates whose content differs from the stored event: acknowledged, not applied.
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Serialize)]
pub struct Rejection {
    pub index: usize,
    pub code: &'static str,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Conflict {
    pub index: usize,
    pub id: String,
    pub message: &'static str,
}

#[derive(Deserialize)]
struct Batch<'a> {
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
}

/// The events of a request body, each still as its JSON text: every event is then read on its
/// own ([`parse_event_json`]), so one with a repeated key is rejected alone.
fn parse_batch(body: &[u8]) -> Result<Vec<&RawValue>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::validation("body", "is not UTF-8 text"))?;
    match serde_json::from_str::<Batch>(text) {
        Ok(batch) => Ok(batch.events),
        Err(error) if matches!(error.classify(), Category::Syntax | Category::Eof) => {
            Err(ApiError::validation("body", format!("is not valid JSON ({error})")))
        }
        Err(_) => Err(ApiError::validation("events", "must be an array of events")),
    }
}

async fn ingest_events(
    State(services): State<Services>,
    caller: Caller,
    BodyBytes(body): BodyBytes,
) -> Result<(StatusCode, Json<IngestResponse>), ApiError> {
    caller.require(&[Role::Service, Role::Admin])?;
    let events = parse_batch(&body)?;
    if events.is_empty() {
        return Err(ApiError::validation("events", "must hold at least one event"));
    }
    if events.len() > MAX_EVENTS {
        return Err(ApiError::payload_too_large(format!(
            "at most {MAX_EVENTS} events per request; this one has {}",
            events.len()
        )));
    }

    let now = services.clock.now();
    let limits = EventLimits::default();
    let mut valid = Vec::with_capacity(events.len());
    let mut positions = Vec::with_capacity(events.len());
    let mut rejected = Vec::new();
    for (index, raw) in events.into_iter().enumerate() {
        match parse_event_json(raw.get()).and_then(|event| validate_event(event, now, &limits)) {
            Ok(event) => {
                valid.push(event);
                positions.push(index);
            }
            Err(error) => rejected.push(Rejection {
                index,
                code: "VALIDATION_FAILED",
                field: error.field,
                message: error.message,
            }),
        }
    }

    let outcomes = apply_events(services.store.as_ref(), &Rules::standard(), &caller.workspace, &valid).await?;
    let mut response = IngestResponse { success: true, accepted: 0, duplicates: 0, rejected, conflicts: Vec::new() };
    for ((outcome, event), index) in outcomes.iter().zip(&valid).zip(positions) {
        match outcome {
            Outcome::Accepted => response.accepted += 1,
            Outcome::Duplicate => response.duplicates += 1,
            Outcome::Conflict => {
                response.duplicates += 1;
                response.conflicts.push(Conflict {
                    index,
                    id: event.id.clone(),
                    message: "this id was already accepted with different content; this delivery was not applied",
                });
            }
        }
    }
    tracing::info!(
        accepted = response.accepted,
        duplicates = response.duplicates,
        rejected = response.rejected.len(),
        "events ingested"
    );
    Ok((StatusCode::ACCEPTED, Json(response)))
}
