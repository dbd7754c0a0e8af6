//! Declarative series: which events feed which rollup, keyed by what, bucketed how, measuring
//! what. A new dashboard adds rows here, not engine code.

use serde_json::Value;

use super::cells::Value as CellValue;
use crate::events::ValidEvent;
use crate::events::catalog::CALL_OUTCOMES;
use crate::time::Grain;

/// Counts of events per value of a field: `<field>.<value>`; values outside `values` count as
/// `other`.
#[derive(Debug, Clone, Copy)]
pub struct CountBy {
    pub field: &'static str,
    pub values: &'static [&'static str],
}

/// A number of the event, stored in units of 1/`scale` (1000 for milli-units, 1,000,000 for
/// micros) so that sums are exact integers.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    pub field: &'static str,
    pub scale: i64,
}

/// One measured quantity of a series. Each produces one or more named fields in a cell; views
/// read them back through the same values (`views::read::Reading`), never by spelling names.
#[derive(Debug, Clone, Copy)]
pub enum Measure {
    /// `count`: number of events.
    Count,
    CountBy(CountBy),
    /// `has.<field>`: events in which the field is present (the divisor of a mean over the
    /// events that carry it, such as a satisfaction rating).
    Counted(&'static str),
    /// `sum.<field>`.
    Sum(Quantity),
    /// `min.<field>` and `max.<field>`: extremes.
    MinMax(Quantity),
    /// `<field>.2xx` (`1xx` to `5xx`): events per class of an HTTP status code.
    StatusClass(&'static str),
    /// `max.at`: the newest `occurred_at` seen, in Unix milliseconds (the view's watermark). Kept
    /// on the all-time bucket only: every newer event moves it, so on hours and days it would
    /// cost a write per batch per bucket for a number no view reads there. Never prefixed: the
    /// sources of one series share it.
    Latest,
}

impl Measure {
    /// The event field a measure reads, if any.
    pub fn source_field(&self) -> Option<&'static str> {
        match self {
            Measure::CountBy(CountBy { field, .. }) | Measure::Sum(Quantity { field, .. }) => Some(field),
            Measure::MinMax(Quantity { field, .. }) | Measure::Counted(field) => Some(field),
            Measure::StatusClass(field) => Some(field),
            Measure::Count | Measure::Latest => None,
        }
    }
}

/// Field names, shared by the engine and the stores.
pub mod field {
    pub const COUNT: &str = "count";
    pub const LATEST: &str = "max.at";
    pub fn count_by(field: &str, value: &str) -> String {
        format!("{field}.{value}")
    }
    pub fn counted(field: &str) -> String {
        format!("has.{field}")
    }
    pub fn sum(field: &str) -> String {
        format!("sum.{field}")
    }
    pub fn min(field: &str) -> String {
        format!("min.{field}")
    }
    pub fn max(field: &str) -> String {
        format!("max.{field}")
    }
    pub fn state(value: &str) -> String {
        format!("state.{value}")
    }
    /// The class of an HTTP status (`5` for 5xx).
    pub fn status_class(field: &str, class: u8) -> String {
        format!("{field}.{class}xx")
    }

    /// `name` under a series' `prefix`, after the `min.`/`max.` that says how it merges
    /// ([`crate::rollup::Op::of`]): `calls.count`, `min.calls.duration_s`. The watermark is
    /// never prefixed.
    pub fn prefixed(prefix: &str, name: &str) -> String {
        if prefix.is_empty() || name == LATEST {
            return name.to_owned();
        }
        match name.split_at_checked(4) {
            Some((op @ ("min." | "max."), rest)) => format!("{op}{prefix}{rest}"),
            _ => format!("{prefix}{name}"),
        }
    }
}

/// A rollup fed by one event type.
#[derive(Debug)]
pub struct SeriesDef {
    pub name: &'static str,
    /// The event type that feeds it.
    pub source: &'static str,
    /// Data fields that key the series (`campaign_id`); an event missing one does not feed it.
    pub key: &'static [&'static str],
    /// Data fields an event must carry to feed it, besides the key.
    pub requires: &'static [&'static str],
    pub grains: &'static [Grain],
    pub measures: &'static [Measure],
    /// Put before every field name (see [`field::prefixed`]), so that several sources share one
    /// series, and one range read answers for all of them: `calls.` and `agent_calls.` in a
    /// workspace's activity.
    pub prefix: &'static str,
}

/// The longest key part kept readable; longer ones are replaced by a digest ([`key_part`]).
const MAX_KEY_PART: usize = 128;

/// A value as one part of a storage key: ids as they are (they never hold `|`, `#` or `%`);
/// anything else with every byte outside `[A-Za-z0-9._:@-]` written `%XX`, and a result over 128
/// bytes replaced by `~` and a SHA-256 prefix, so that a long or exotic name (an ad creative,
/// a plan) can neither break a key apart nor outgrow a store's key limit.
pub fn key_part(value: &str) -> String {
    use std::fmt::Write;
    let mut part = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b':' | b'@' | b'-') {
            part.push(char::from(byte));
        } else {
            let _ = write!(part, "%{byte:02X}");
        }
    }
    if part.len() <= MAX_KEY_PART {
        return part;
    }
    let digest = <sha2::Sha256 as sha2::Digest>::digest(value.as_bytes());
    format!("~{}", hex::encode(&digest[..16]))
}

/// Joins a series name and its key values: `campaign_calls|c1`. Each value goes through
/// [`key_part`], which leaves ids unchanged.
pub fn series_key(name: &str, key_values: &[&str]) -> String {
    let mut key = name.to_owned();
    for value in key_values {
        key.push('|');
        key.push_str(&key_part(value));
    }
    key
}

/// A field is present when it holds anything but `null`.
fn present(event: &ValidEvent, name: &str) -> bool {
    event.data.get(name).is_some_and(|value| !value.is_null())
}

impl SeriesDef {
    /// The series key this event feeds, if it carries every key and required field.
    pub fn key_of(&self, event: &ValidEvent) -> Option<String> {
        if !self.requires.iter().all(|name| present(event, name)) {
            return None;
        }
        let values: Option<Vec<&str>> = self.key.iter().map(|field| event.str(field)).collect();
        values.map(|values| series_key(self.name, &values))
    }

    /// A field name of this series: `base` under its prefix.
    pub fn field_name(&self, base: &str) -> String {
        field::prefixed(self.prefix, base)
    }

    /// The fields this event adds to every bucket it lands in.
    pub fn contributions(&self, event: &ValidEvent) -> Vec<(String, CellValue)> {
        let mut fields = Vec::with_capacity(self.measures.len() + 1);
        let mut add = |name: String, value: CellValue| fields.push((self.field_name(&name), value));
        for measure in self.measures {
            match *measure {
                Measure::Count => add(field::COUNT.to_owned(), 1),
                Measure::CountBy(CountBy { field: name, values }) => {
                    let value = match event.data.get(name) {
                        Some(Value::String(text)) => text.as_str(),
                        Some(Value::Bool(true)) => "true",
                        Some(Value::Bool(false)) => "false",
                        _ => continue,
                    };
                    let value = if values.contains(&value) { value } else { "other" };
                    add(field::count_by(name, value), 1);
                }
                Measure::Counted(name) => {
                    if present(event, name) {
                        add(field::counted(name), 1);
                    }
                }
                Measure::Sum(Quantity { field: name, scale }) => {
                    if let Some(number) = event.number(name) {
                        add(field::sum(name), scaled(number, scale));
                    }
                }
                Measure::MinMax(Quantity { field: name, scale }) => {
                    if let Some(number) = event.number(name) {
                        add(field::min(name), scaled(number, scale));
                        add(field::max(name), scaled(number, scale));
                    }
                }
                Measure::StatusClass(name) => {
                    // The catalog bounds statuses to 100..=599.
                    if let Some(status) = event.number(name) {
                        add(field::status_class(name, (status / 100.0) as u8), 1);
                    }
                }
                Measure::Latest => add(field::LATEST.to_owned(), CellValue::from(event.occurred_at.as_millisecond())),
            }
        }
        fields
    }
}

/// Whether a field is kept at `grain` (see [`Measure::Latest`]).
pub fn kept_at(field_name: &str, grain: Grain) -> bool {
    field_name != field::LATEST || grain == Grain::Total
}

/// `number` in units of 1/`scale`, rounded to the nearest. The catalog bounds `number`, so this
/// is exact to the unit and far inside the range (a cast from `f64` saturates in any case).
pub fn scaled(number: f64, scale: i64) -> CellValue {
    (number * scale as f64).round() as CellValue
}

pub const MILLI: i64 = 1_000;
pub const MICRO: i64 = 1_000_000;

const LIVE: &[Grain] = &[Grain::Hour, Grain::Day, Grain::Total];
/// Days (which fold into months) and all time: what day-by-day dashboards read.
const DAYS: &[Grain] = &[Grain::Day, Grain::Total];

/// A series of one source with no prefix and no required fields.
const fn plain(
    name: &'static str,
    source: &'static str,
    key: &'static [&'static str],
    grains: &'static [Grain],
    measures: &'static [Measure],
) -> SeriesDef {
    SeriesDef { name, source, key, requires: &[], grains, measures, prefix: "" }
}

/// Seed 003: call attempts of a campaign by outcome, with durations.
pub mod campaign_calls {
    use super::*;

    pub const NAME: &str = "campaign_calls";
    pub const OUTCOME: CountBy = CountBy { field: "outcome", values: CALL_OUTCOMES };
    pub const DURATION: Quantity = Quantity { field: "duration_s", scale: MILLI };
    pub const SERIES: SeriesDef = plain(
        NAME,
        "call.completed",
        &["campaign_id"],
        LIVE,
        &[
            Measure::Count,
            Measure::CountBy(OUTCOME),
            Measure::Sum(DURATION),
            Measure::MinMax(DURATION),
            Measure::Latest,
        ],
    );
}

/// Seed 000: ad delivery of a campaign, and of each of its creatives and audiences.
pub mod campaign_ads {
    use super::*;

    pub const NAME: &str = "campaign_ads";
    pub const IMPRESSIONS: Quantity = Quantity { field: "impressions", scale: 1 };
    pub const CLICKS: Quantity = Quantity { field: "clicks", scale: 1 };
    pub const SPEND: Quantity = Quantity { field: "spend", scale: MICRO };
    pub const CONVERSIONS: Quantity = Quantity { field: "conversions", scale: 1 };
    pub const REVENUE: Quantity = Quantity { field: "revenue", scale: MICRO };
    const DELIVERY: &[Measure] = &[
        Measure::Count,
        Measure::Sum(IMPRESSIONS),
        Measure::Sum(CLICKS),
        Measure::Sum(SPEND),
        Measure::Sum(CONVERSIONS),
        Measure::Sum(REVENUE),
        Measure::Latest,
    ];
    pub const SERIES: SeriesDef = plain(NAME, "ad.delivery", &["campaign_id"], LIVE, DELIVERY);

    /// Delivery of one creative of a campaign (`campaign_creative|<campaign>|<creative>`); the
    /// creatives of a campaign are listed by `indexes::campaign_creatives`.
    pub const CREATIVE: SeriesDef =
        plain("campaign_creative", "ad.delivery", &["campaign_id", "creative"], DAYS, DELIVERY);
    /// Delivery to one audience of a campaign; listed by `indexes::campaign_audiences`.
    pub const AUDIENCE: SeriesDef =
        plain("campaign_audience", "ad.delivery", &["campaign_id", "audience"], DAYS, DELIVERY);
}

/// Seed 001: calls of a call centre, per workspace, per user (whose calls they are) and per
/// agent (who handled them).
pub mod calls {
    use super::*;

    pub const CALL_TYPE: CountBy = CountBy { field: "call_type", values: &["inbound", "outbound"] };
    pub const OUTCOME: CountBy = CountBy { field: "outcome", values: CALL_OUTCOMES };
    pub const DURATION: Quantity = Quantity { field: "duration_s", scale: MILLI };
    pub const SATISFACTION: Quantity = Quantity { field: "satisfaction", scale: MILLI };
    /// Under this prefix in an activity series.
    pub const PREFIX: &str = "calls.";
    /// Calls that name the agent who handled them, under this prefix in the workspace's activity.
    pub const AGENT_PREFIX: &str = "agent_calls.";
    const MEASURES: &[Measure] = &[
        Measure::Count,
        Measure::CountBy(CALL_TYPE),
        Measure::CountBy(OUTCOME),
        Measure::Sum(DURATION),
        Measure::Latest,
    ];
    const HANDLED: &[Measure] = &[
        Measure::Count,
        Measure::CountBy(OUTCOME),
        Measure::Sum(DURATION),
        Measure::Sum(SATISFACTION),
        Measure::Counted(SATISFACTION.field),
        Measure::Latest,
    ];

    pub const WORKSPACE: SeriesDef = SeriesDef {
        name: activity::WORKSPACE,
        source: "call.completed",
        key: &[],
        requires: &[],
        grains: DAYS,
        measures: MEASURES,
        prefix: PREFIX,
    };
    /// Handled by an agent: the workspace's agent performance, all time.
    pub const WORKSPACE_HANDLED: SeriesDef = SeriesDef {
        name: activity::WORKSPACE,
        source: "call.completed",
        key: &[],
        requires: &["agent_id"],
        grains: &[Grain::Total],
        measures: HANDLED,
        prefix: AGENT_PREFIX,
    };
    pub const BY_USER: SeriesDef = SeriesDef {
        name: activity::USER,
        source: "call.completed",
        key: &["user_id"],
        requires: &[],
        grains: DAYS,
        measures: MEASURES,
        prefix: PREFIX,
    };
    pub const BY_AGENT: SeriesDef = plain("agent_calls", "call.completed", &["agent_id"], DAYS, HANDLED);
}

/// Seed 002: AI agents' executions, per workspace, per agent and per user (who ran them), and per
/// feature tag.
pub mod executions {
    use super::*;

    pub const SUCCESS: CountBy = CountBy { field: "success", values: &["true", "false"] };
    pub const DURATION: Quantity = Quantity { field: "duration_ms", scale: 1 };
    pub const CREDITS: Quantity = Quantity { field: "credits", scale: MILLI };
    pub const SATISFACTION: Quantity = Quantity { field: "satisfaction", scale: MILLI };
    /// Under this prefix in an activity series.
    pub const PREFIX: &str = "executions.";
    const MEASURES: &[Measure] = &[
        Measure::Count,
        Measure::CountBy(SUCCESS),
        Measure::Sum(DURATION),
        Measure::Sum(CREDITS),
        Measure::Sum(SATISFACTION),
        Measure::Counted(SATISFACTION.field),
        Measure::Latest,
    ];
    const HOURS_AND_DAYS: &[Grain] = &[Grain::Hour, Grain::Day, Grain::Total];

    pub const WORKSPACE: SeriesDef = SeriesDef {
        name: activity::WORKSPACE,
        source: "agent.execution",
        key: &[],
        requires: &[],
        grains: HOURS_AND_DAYS,
        measures: MEASURES,
        prefix: PREFIX,
    };
    pub const BY_AGENT: SeriesDef =
        plain("agent_executions", "agent.execution", &["agent_id"], HOURS_AND_DAYS, MEASURES);
    pub const BY_USER: SeriesDef = SeriesDef {
        name: activity::USER,
        source: "agent.execution",
        key: &["user_id"],
        requires: &[],
        grains: DAYS,
        measures: MEASURES,
        prefix: PREFIX,
    };
    /// Executions tagged with a feature (`feature_executions|<feature>`); the features are listed
    /// by `indexes::workspace_analytics::FEATURES`.
    pub const BY_FEATURE: SeriesDef = plain("feature_executions", "agent.execution", &["feature"], DAYS, MEASURES);
}

/// Seed 002: users' sessions, per workspace and per user.
pub mod sessions {
    use super::*;

    pub const KIND: CountBy = CountBy { field: "kind", values: &["login", "session"] };
    pub const DURATION: Quantity = Quantity { field: "duration_s", scale: MILLI };
    pub const PREFIX: &str = "sessions.";
    const MEASURES: &[Measure] = &[
        Measure::Count,
        Measure::CountBy(KIND),
        Measure::Sum(DURATION),
        Measure::Counted(DURATION.field),
        Measure::Latest,
    ];

    pub const WORKSPACE: SeriesDef = SeriesDef {
        name: activity::WORKSPACE,
        source: "user.session",
        key: &[],
        requires: &[],
        grains: DAYS,
        measures: MEASURES,
        prefix: PREFIX,
    };
    pub const BY_USER: SeriesDef = SeriesDef { key: &["user_id"], name: activity::USER, ..WORKSPACE };
}

/// Seed 002: API requests (uptime, response time, error rate), per workspace, per user and per
/// route (`endpoint_requests|<route>`, listed by `indexes::workspace_analytics::ENDPOINTS`).
pub mod requests {
    use super::*;

    pub const STATUS: &str = "status";
    pub const LATENCY: Quantity = Quantity { field: "latency_ms", scale: 1 };
    pub const PREFIX: &str = "requests.";
    const MEASURES: &[Measure] =
        &[Measure::Count, Measure::StatusClass(STATUS), Measure::Sum(LATENCY), Measure::Latest];

    pub const WORKSPACE: SeriesDef = SeriesDef {
        name: activity::WORKSPACE,
        source: "api.request",
        key: &[],
        requires: &[],
        grains: &[Grain::Hour, Grain::Day, Grain::Total],
        measures: MEASURES,
        prefix: PREFIX,
    };
    pub const BY_USER: SeriesDef = SeriesDef { key: &["user_id"], name: activity::USER, grains: DAYS, ..WORKSPACE };
    pub const BY_ROUTE: SeriesDef = plain("endpoint_requests", "api.request", &["route"], DAYS, MEASURES);
}

/// Series that several sources share, each under its own prefix, so that a dashboard reads a
/// workspace's (or a user's) days with one range read: calls, executions, sessions, requests,
/// and the dated gauges of `gauges` (users joined, customers added, callbacks due, payments,
/// subscriptions begun and lapsed). Their shared `max.at` is the newest event of any of them: a
/// user's last activity.
pub mod activity {
    pub const WORKSPACE: &str = "workspace_activity";
    /// Keyed by the user whose calls, customers and callbacks they are.
    pub const USER: &str = "user_activity";
}

/// Seed 003: contacts of a campaign by their current state (a gauge, see `gauges`).
pub mod contact_states {
    pub const NAME: &str = "contact_states";
}

/// Every series the product maintains.
pub const SERIES: &[SeriesDef] = &[
    campaign_calls::SERIES,
    campaign_ads::SERIES,
    campaign_ads::CREATIVE,
    campaign_ads::AUDIENCE,
    calls::WORKSPACE,
    calls::WORKSPACE_HANDLED,
    calls::BY_USER,
    calls::BY_AGENT,
    executions::WORKSPACE,
    executions::BY_AGENT,
    executions::BY_USER,
    executions::BY_FEATURE,
    sessions::WORKSPACE,
    sessions::BY_USER,
    requests::WORKSPACE,
    requests::BY_USER,
    requests::BY_ROUTE,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EventLimits, Kind, validate_event};
    use crate::rollup::Op;
    use crate::rollup::cells::MAX_CONTRIBUTION;
    use serde_json::json;

    #[test]
    fn every_series_reads_fields_its_source_type_declares() {
        for series in SERIES {
            let schema = crate::events::schema(series.source).unwrap_or_else(|| panic!("{}", series.name));
            let mut fields: Vec<&str> = series.key.to_vec();
            fields.extend(series.requires);
            fields.extend(series.measures.iter().filter_map(Measure::source_field));
            for field in fields {
                assert!(schema.field(field).is_some(), "{}: {} has no field {field}", series.name, schema.name);
            }
        }
    }

    #[test]
    fn sources_sharing_a_series_never_write_the_same_field() {
        for (i, a) in SERIES.iter().enumerate() {
            for b in SERIES.iter().skip(i + 1).filter(|b| b.name == a.name) {
                assert_ne!(a.prefix, b.prefix, "{} is fed twice under one prefix", a.name);
                assert!(
                    !a.prefix.is_empty() && !b.prefix.is_empty(),
                    "{}: a shared series prefixes every source",
                    a.name
                );
            }
        }
        for series in SERIES.iter().filter(|series| !series.prefix.is_empty()) {
            assert_eq!(Op::of(&series.field_name("count")), Op::Add, "{}", series.name);
            assert!(series.prefix.ends_with('.'), "{}", series.name);
        }
    }

    /// The largest magnitude a field of `schema` may hold, if it is a number.
    fn bound(schema: &crate::events::EventSchema, name: &str) -> f64 {
        match schema.field(name).map(|field| field.kind) {
            Some(Kind::Number { min, max }) => min.abs().max(max.abs()),
            Some(Kind::Integer { min, max }) => (min.unsigned_abs().max(max.unsigned_abs())) as f64,
            other => panic!("{}.{name} is not a number: {other:?}", schema.name),
        }
    }

    #[test]
    fn no_event_contributes_more_than_the_bound_that_keeps_sums_exact() {
        for series in SERIES {
            let schema = crate::events::schema(series.source).expect("source type");
            for measure in series.measures {
                let largest = match *measure {
                    Measure::Sum(q) | Measure::MinMax(q) => bound(schema, q.field) * q.scale as f64,
                    Measure::Count | Measure::CountBy(_) | Measure::Counted(_) | Measure::StatusClass(_) => 1.0,
                    // Unix milliseconds until the year 10000.
                    Measure::Latest => 253_402_300_800_000.0,
                };
                assert!(largest <= MAX_CONTRIBUTION as f64, "{}: {measure:?} may add {largest}", series.name);
            }
        }
    }

    fn call(data: serde_json::Value) -> ValidEvent {
        let now = "2025-01-15T12:00:00Z".parse().expect("ts");
        let event = json!({"id": "e1", "type": "call.completed", "occurred_at": "2025-01-15T10:00:00Z", "data": data});
        validate_event(event, now, &EventLimits::default()).expect("valid")
    }

    #[test]
    fn a_call_contributes_its_outcome_duration_and_instant() {
        let event = call(
            json!({"call_id": "c", "campaign_id": "cmp", "call_type": "outbound", "outcome": "voicemail", "duration_s": 12.5}),
        );
        let series = &campaign_calls::SERIES;
        assert_eq!(series.key_of(&event).as_deref(), Some("campaign_calls|cmp"));
        let fields = series.contributions(&event);
        assert!(fields.contains(&("outcome.other".to_owned(), 1)));
        assert!(fields.contains(&("sum.duration_s".to_owned(), 12_500)));
        assert!(fields.contains(&("min.duration_s".to_owned(), 12_500)));
        assert!(fields.contains(&("max.at".to_owned(), 1_736_935_200_000)));
    }

    #[test]
    fn a_prefixed_source_writes_under_its_prefix_and_a_required_field_gates_it() {
        let unrated = call(json!({"call_id": "c", "call_type": "inbound", "outcome": "converted", "duration_s": 60}));
        assert_eq!(calls::WORKSPACE.key_of(&unrated).as_deref(), Some("workspace_activity"));
        assert_eq!(calls::WORKSPACE_HANDLED.key_of(&unrated), None, "no agent_id");
        let fields = calls::WORKSPACE.contributions(&unrated);
        assert!(fields.contains(&("calls.count".to_owned(), 1)));
        assert!(fields.contains(&("calls.call_type.inbound".to_owned(), 1)));
        assert!(fields.contains(&("max.at".to_owned(), 1_736_935_200_000)), "the watermark is shared");

        let rated = call(json!({"call_id": "c", "agent_id": "a1", "call_type": "inbound", "outcome": "converted",
                                 "duration_s": 60, "satisfaction": 4.5}));
        let fields = calls::WORKSPACE_HANDLED.contributions(&rated);
        assert!(fields.contains(&("agent_calls.has.satisfaction".to_owned(), 1)));
        assert!(fields.contains(&("agent_calls.sum.satisfaction".to_owned(), 4_500)));
        assert_eq!(field::prefixed("calls.", "min.duration_s"), "min.calls.duration_s");
    }

    #[test]
    fn key_parts_keep_ids_and_make_any_name_safe_and_short() {
        assert_eq!(key_part("cmp_csat-q4.2:x@y"), "cmp_csat-q4.2:x@y");
        assert_eq!(key_part("Summer | Sale #2"), "Summer%20%7C%20Sale%20%232");
        assert_eq!(key_part("Café"), "Caf%C3%A9");
        let long = key_part(&"é".repeat(200));
        assert!(long.starts_with('~') && long.len() == 33, "{long}");
        assert_ne!(long, key_part(&"é".repeat(201)));
        assert_eq!(series_key("campaign_creative", &["c1", "Banner A"]), "campaign_creative|c1|Banner%20A");
    }
}
