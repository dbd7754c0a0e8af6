//! `POST /api/v1/events` (spec/EVENTS.md): up to 500 events and 1 MiB per request; each event is
//! validated on its own (a bad one is rejected with its index and field, the rest go on) and
//! applied exactly once; the answer is 202 with accepted, duplicate and rejected counts.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::StatusCode;
use axum::{Json, Router};
use domain::events::{EventLimits, parse_event_json, validate_event};
use domain::ingest::{Outcome, apply_events};
use domain::ports::{Clock, RollupStore};
use domain::rollup::Rules;
use serde::{Deserialize, Serialize};
use serde_json::error::Category;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use web::extract::BodyBytes;
use web::{ApiError, Authenticator, Caller, Ports, Role, Route};

pub const MAX_EVENTS: usize = 500;
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The ports this function uses.
#[derive(Clone, FromRef)]
pub struct IngestState {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub clock: Arc<dyn Clock>,
}

impl From<&Ports> for IngestState {
    fn from(ports: &Ports) -> Self {
        IngestState { auth: ports.auth.clone(), store: ports.store.clone(), clock: ports.clock.clone() }
    }
}

/// The routes this function serves (`infra/template.yaml` must route exactly these to it).
pub fn route_table() -> Vec<Route<IngestState>> {
    vec![
        Route::post("/api/v1/events", ingest_events)
            .roles(&[Role::Service, Role::Admin])
            .doc(
                "Push events",
                "Up to 500 events and 1 MiB (after gzip is undone) per request, into the caller's workspace. \
                 Each event is validated on its own against its type's schema (spec/EVENTS.md): a bad one is \
                 listed under `rejected` with its index, field and reason, and the rest go on. Each event is \
                 applied exactly once: an id already stored is a duplicate (a `conflict` too if its content \
                 differs) and is not applied again, so retrying a batch is always safe.",
            )
            .body::<EventBatch>()
            .example(example_batch)
            .returns::<IngestResponse>(202, "What happened to each event."),
    ]
}

pub fn router(state: IngestState) -> Router {
    web::router(route_table(), state).layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// A request's body, as documented (the handler reads each event on its own).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventBatch {
    /// 1 to 500 events. Each is validated on its own: one that is not a valid event (not even an
    /// object, say) is listed under `rejected` with its index, and the rest are applied.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub events: Vec<EventInput>,
}

/// An event as a producer sends it (spec/EVENTS.md).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventInput {
    /// The producer's unique id: 1 to 128 characters of letters, digits and `. _ : -`.
    pub id: String,
    /// One of the 25 event types, `call.completed` say.
    #[serde(rename = "type")]
    pub kind: String,
    /// Strict RFC 3339 with an offset, at most 5 minutes ahead and 400 days old.
    pub occurred_at: String,
    /// The type's fields.
    pub data: Value,
}

fn example_batch() -> Value {
    json!({"events": [
        {"id": "evt-000123", "type": "call.completed", "occurred_at": "2025-01-15T10:00:00Z",
         "data": {"call_id": "c1", "campaign_id": "cmp_spring", "call_type": "outbound", "outcome": "completed", "duration_s": 330}},
        {"id": "evt-000124", "type": "contact.state_changed", "occurred_at": "2025-01-15T10:05:30Z",
         "data": {"campaign_id": "cmp_spring", "contact_id": "p1", "state": "completed"}}
    ]})
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rejection {
    pub index: usize,
    pub code: &'static str,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    State(state): State<IngestState>,
    caller: Caller,
    BodyBytes(body): BodyBytes,
) -> Result<(StatusCode, Json<IngestResponse>), ApiError> {
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

    let now = state.clock.now();
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

    let outcomes = apply_events(state.store.as_ref(), &Rules::standard(), &caller.workspace, &valid).await?;
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
