//! The ingest contract (spec/EVENTS.md): parsing and validating events into [`ValidEvent`]s.

pub mod catalog;
mod json;
pub mod schema;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use catalog::{CATALOG, schema};
pub use json::parse_event_json;
pub use schema::{EventSchema, FieldError, Kind, TIMESTAMP_RULE, is_valid_id, parse_timestamp};

/// Limits on single events; batch limits live with the route.
#[derive(Debug, Clone, Copy)]
pub struct EventLimits {
    /// How far ahead of the server clock `occurred_at` may be.
    pub max_future: SignedDuration,
    /// How old an event may be and still be applied; older buckets are no longer served.
    pub retention: SignedDuration,
    /// Serialized size of one event, so each fits one storage item.
    pub max_event_bytes: usize,
}

impl Default for EventLimits {
    fn default() -> Self {
        EventLimits {
            max_future: SignedDuration::from_mins(5),
            retention: SignedDuration::from_hours(24 * 400),
            max_event_bytes: 64 * 1024,
        }
    }
}

/// An event that passed validation, ready to be planned and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEvent {
    pub id: String,
    pub schema: &'static EventSchema,
    pub occurred_at: Timestamp,
    /// `data` normalised by the schema (integer ids as strings); unknown fields kept.
    pub data: Map<String, Value>,
    /// The event as received, as stored (unknown fields included).
    pub body: String,
    /// Hex SHA-256 of type, instant and data: two deliveries of one id differ iff this differs.
    pub hash: String,
}

impl ValidEvent {
    pub fn type_name(&self) -> &'static str {
        self.schema.name
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.data.get(field).and_then(Value::as_str)
    }

    pub fn number(&self, field: &str) -> Option<f64> {
        self.data.get(field).and_then(Value::as_f64)
    }

    pub fn bool(&self, field: &str) -> Option<bool> {
        self.data.get(field).and_then(Value::as_bool)
    }
}

/// Validates one event of a request body. `now` is the server clock.
pub fn validate_event(raw: Value, now: Timestamp, limits: &EventLimits) -> Result<ValidEvent, FieldError> {
    let body = raw.to_string();
    let Value::Object(mut event) = raw else {
        return Err(FieldError::new("event", "must be an object"));
    };
    if body.len() > limits.max_event_bytes {
        return Err(FieldError::new("event", format!("is larger than {} bytes", limits.max_event_bytes)));
    }
    let id = match event.get("id") {
        Some(Value::String(id)) if is_valid_event_id(id) => id.clone(),
        None | Some(Value::Null) => return Err(FieldError::new("id", "is required")),
        Some(_) => {
            return Err(FieldError::new("id", "must be 1 to 128 characters of letters, digits and . _ : -"));
        }
    };
    let schema = match event.get("type") {
        Some(Value::String(name)) => {
            catalog::schema(name).ok_or_else(|| FieldError::new("type", format!("unknown event type '{name}'")))?
        }
        None | Some(Value::Null) => return Err(FieldError::new("type", "is required")),
        Some(_) => return Err(FieldError::new("type", "must be a string")),
    };
    let occurred_at = match event.get("occurred_at") {
        Some(Value::String(text)) => {
            parse_timestamp(text).ok_or_else(|| FieldError::new("occurred_at", TIMESTAMP_RULE))?
        }
        None | Some(Value::Null) => return Err(FieldError::new("occurred_at", "is required")),
        Some(_) => return Err(FieldError::new("occurred_at", "must be a string")),
    };
    if occurred_at > now + limits.max_future {
        return Err(FieldError::new("occurred_at", "is more than 5 minutes in the future"));
    }
    if occurred_at < now - limits.retention {
        return Err(FieldError::new(
            "occurred_at",
            format!("is older than the retention window of {} days", limits.retention.as_hours() / 24),
        ));
    }
    let data = match event.remove("data") {
        Some(Value::Object(data)) => schema.validate(data)?,
        None | Some(Value::Null) => return Err(FieldError::new("data", "is required")),
        Some(_) => return Err(FieldError::new("data", "must be an object")),
    };
    let hash = content_hash(schema.name, occurred_at, &data)?;
    Ok(ValidEvent { id, schema, occurred_at, data, body, hash })
}

/// The producer's event id: 1..=128 chars of `[A-Za-z0-9._:-]` (spec/EVENTS.md).
pub fn is_valid_event_id(id: &str) -> bool {
    (1..=schema::MAX_ID_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// serde_json maps are ordered by key, so equal data serialises to equal bytes.
fn content_hash(type_name: &str, occurred_at: Timestamp, data: &Map<String, Value>) -> Result<String, FieldError> {
    let data = serde_json::to_vec(data).map_err(|error| FieldError::new("data", error.to_string()))?;
    let mut digest = Sha256::new();
    digest.update(type_name.as_bytes());
    digest.update(b"\n");
    digest.update(occurred_at.to_string().as_bytes());
    digest.update(b"\n");
    digest.update(data);
    Ok(hex::encode(digest.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> Timestamp {
        "2025-01-15T12:00:00Z".parse().expect("timestamp")
    }

    fn call(data: Value) -> Value {
        json!({"id": "evt-1", "type": "call.completed", "occurred_at": "2025-01-15T10:00:00Z", "data": data})
    }

    fn valid_call_data() -> Value {
        json!({"call_id": "c1", "call_type": "outbound", "outcome": "completed", "duration_s": 330, "extra": "kept"})
    }

    #[test]
    fn a_valid_event_keeps_unknown_fields_in_its_stored_body() {
        let event = validate_event(call(valid_call_data()), now(), &EventLimits::default()).expect("valid");
        assert_eq!(event.type_name(), "call.completed");
        assert_eq!(event.number("duration_s"), Some(330.0));
        assert!(event.body.contains("\"extra\":\"kept\""));
    }

    #[test]
    fn each_kind_of_bad_field_names_the_field() {
        let limits = EventLimits::default();
        let cases = [
            (call(json!({"call_type": "outbound", "outcome": "completed", "duration_s": 1})), "data.call_id"),
            (
                call(json!({"call_id": "c1", "call_type": "sideways", "outcome": "completed", "duration_s": 1})),
                "data.call_type",
            ),
            (
                call(json!({"call_id": "c1", "call_type": "outbound", "outcome": "completed", "duration_s": "long"})),
                "data.duration_s",
            ),
            (
                call(json!({"call_id": "c1", "call_type": "outbound", "outcome": "completed", "duration_s": -1})),
                "data.duration_s",
            ),
            (
                json!({"id": "evt-1", "type": "call.exploded", "occurred_at": "2025-01-15T10:00:00Z", "data": {}}),
                "type",
            ),
            (
                json!({"id": "bad id!", "type": "call.completed", "occurred_at": "2025-01-15T10:00:00Z", "data": {}}),
                "id",
            ),
            (
                json!({"id": "evt-1", "type": "call.completed", "occurred_at": "2025-01-15 10:00", "data": {}}),
                "occurred_at",
            ),
            (
                json!({"id": "evt-1", "type": "call.completed", "occurred_at": "2025-01-15T12:06:00Z", "data": {}}),
                "occurred_at",
            ),
            (
                json!({"id": "evt-1", "type": "call.completed", "occurred_at": "2023-01-15T12:00:00Z", "data": {}}),
                "occurred_at",
            ),
            (
                json!({"id": "evt-1", "type": "call.completed", "occurred_at": "2025-01-15T10:00:00Z", "data": []}),
                "data",
            ),
            (json!("not an object"), "event"),
        ];
        for (raw, field) in cases {
            let error = validate_event(raw.clone(), now(), &limits).expect_err(&raw.to_string());
            assert_eq!(error.field, field, "{raw}: {}", error.message);
        }
    }

    #[test]
    fn occurred_at_must_be_strict_rfc_3339() {
        let at = |text: &str| {
            let raw = json!({"id": "e", "type": "call.completed", "occurred_at": text, "data": valid_call_data()});
            validate_event(raw, now(), &EventLimits::default()).map(|event| event.occurred_at.to_string())
        };
        for accepted in ["2025-01-15T10:00:00Z", "2025-01-15t10:00:00.123456789z", "2025-01-15T11:30:00+01:30"] {
            assert!(at(accepted).is_ok(), "{accepted}");
        }
        assert_eq!(at("2025-01-15T09:00:00-01:00"), Ok("2025-01-15T10:00:00Z".to_owned()));
        for refused in [
            "2025-01-15T10:00:00+25:00",
            "2025-01-15T10:00:00+24:00",
            "2025-01-15T10:59:60Z",
            "2025-01-15T10:00:00Z[Europe/Paris]",
            "2025-01-15T10:00:00+01:00[Europe/Paris]",
            "2025-02-30T10:00:00Z",
            "2025-01-15T10:00Z",
            "2025-01-15 10:00:00Z",
            "2025-01-15T10:00:00",
            "2025-01-15T10:00:00.Z",
            "2025-01-15T10:00:00.1234567890Z",
            "+2025-01-15T10:00:00Z",
        ] {
            assert_eq!(at(refused).map_err(|e| e.field), Err("occurred_at".to_owned()), "{refused}");
        }
    }

    #[test]
    fn numbers_outside_their_realistic_range_are_refused_naming_the_field() {
        let limits = EventLimits::default();
        let cases = [
            (
                "call.completed",
                json!({"call_id": "c", "call_type": "inbound", "outcome": "busy", "duration_s": 1e16}),
                "data.duration_s",
            ),
            (
                "call.completed",
                json!({"call_id": "c", "call_type": "inbound", "outcome": "busy", "duration_s": 86_400.5}),
                "data.duration_s",
            ),
            (
                "ad.delivery",
                json!({"campaign_id": "a", "impressions": 1, "clicks": 1, "spend": 1e12, "conversions": 0, "revenue": 0}),
                "data.spend",
            ),
            (
                "ad.delivery",
                json!({"campaign_id": "a", "impressions": 10_000_000_000u64, "clicks": 1, "spend": 1, "conversions": 0, "revenue": 0}),
                "data.impressions",
            ),
            (
                "ad.delivery",
                json!({"campaign_id": "a", "impressions": u64::MAX, "clicks": 1, "spend": 1, "conversions": 0, "revenue": 0}),
                "data.impressions",
            ),
            (
                "ad.delivery",
                json!({"campaign_id": "a", "impressions": 1.5, "clicks": 1, "spend": 1, "conversions": 0, "revenue": 0}),
                "data.impressions",
            ),
            ("agent.execution", json!({"agent_id": "a", "success": true, "duration_ms": -1}), "data.duration_ms"),
            ("deal.closed", json!({"lead_id": "l", "amount": 2e9}), "data.amount"),
        ];
        for (kind, data, field) in cases {
            let raw = json!({"id": "e", "type": kind, "occurred_at": "2025-01-15T10:00:00Z", "data": data});
            let error = validate_event(raw, now(), &limits).expect_err(field);
            assert_eq!(error.field, field, "{}", error.message);
            assert!(error.message.contains("between"), "{}", error.message);
        }
    }

    #[test]
    fn integer_ids_are_normalised_to_strings() {
        let raw = json!({"id": "e", "type": "lead.scored", "occurred_at": "2025-01-15T10:00:00Z",
                         "data": {"lead_id": 123, "score": 89.5}});
        let event = validate_event(raw, now(), &EventLimits::default()).expect("valid");
        assert_eq!(event.str("lead_id"), Some("123"));
    }

    #[test]
    fn the_hash_ignores_how_the_instant_is_spelled_but_not_what_the_data_says() {
        let limits = EventLimits::default();
        let a = validate_event(call(valid_call_data()), now(), &limits).expect("valid");
        let mut same_instant = call(valid_call_data());
        same_instant["occurred_at"] = json!("2025-01-15T11:00:00+01:00");
        let b = validate_event(same_instant, now(), &limits).expect("valid");
        let mut other = call(valid_call_data());
        other["data"]["duration_s"] = json!(331);
        let c = validate_event(other, now(), &limits).expect("valid");
        assert_eq!(a.hash, b.hash);
        assert_ne!(a.hash, c.hash);
    }

    #[test]
    fn every_type_of_the_contract_is_in_the_catalog() {
        let documented = [
            "workspace.upserted",
            "user.upserted",
            "agent.upserted",
            "campaign.upserted",
            "customer.upserted",
            "lead.upserted",
            "subscription.upserted",
            "model.upserted",
            "ad.delivery",
            "user.session",
            "payment.recorded",
            "call.completed",
            "call.status",
            "callback.upserted",
            "contact.state_changed",
            "agent.execution",
            "api.request",
            "lead.stage_changed",
            "lead.engagement",
            "lead.scored",
            "ml.prediction",
            "ml.outcome",
            "workflow.run",
            "workflow.step",
            "deal.closed",
        ];
        for name in documented {
            assert!(schema(name).is_some(), "{name} missing");
        }
        assert_eq!(CATALOG.len(), documented.len());
    }
}
