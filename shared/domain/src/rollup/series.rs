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
    /// `sum.<field>`.
    Sum(Quantity),
    /// `min.<field>` and `max.<field>`: extremes.
    MinMax(Quantity),
    /// `max.at`: the newest `occurred_at` seen, in Unix milliseconds (the view's watermark). Kept
    /// on the all-time bucket only: every newer event moves it, so on hours and days it would
    /// cost a write per batch per bucket for a number no view reads there.
    Latest,
}

impl Measure {
    /// The event field a measure reads, if any.
    pub fn source_field(&self) -> Option<&'static str> {
        match self {
            Measure::CountBy(CountBy { field, .. }) | Measure::Sum(Quantity { field, .. }) => Some(field),
            Measure::MinMax(Quantity { field, .. }) => Some(field),
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
}

/// A rollup fed by one event type.
#[derive(Debug)]
pub struct SeriesDef {
    pub name: &'static str,
    /// The event type that feeds it.
    pub source: &'static str,
    /// Data fields that key the series (`campaign_id`); an event missing one does not feed it.
    pub key: &'static [&'static str],
    pub grains: &'static [Grain],
    pub measures: &'static [Measure],
}

/// Joins a series name and its key values: `campaign_calls|c1`. Ids cannot contain `|`.
pub fn series_key(name: &str, key_values: &[&str]) -> String {
    let mut key = name.to_owned();
    for value in key_values {
        key.push('|');
        key.push_str(value);
    }
    key
}

impl SeriesDef {
    /// The series key this event feeds, if it carries every key field.
    pub fn key_of(&self, event: &ValidEvent) -> Option<String> {
        let values: Option<Vec<&str>> = self.key.iter().map(|field| event.str(field)).collect();
        values.map(|values| series_key(self.name, &values))
    }

    /// The fields this event adds to every bucket it lands in.
    pub fn contributions(&self, event: &ValidEvent) -> Vec<(String, CellValue)> {
        let mut fields = Vec::with_capacity(self.measures.len() + 1);
        for measure in self.measures {
            match *measure {
                Measure::Count => fields.push((field::COUNT.to_owned(), 1)),
                Measure::CountBy(CountBy { field: name, values }) => {
                    let value = match event.data.get(name) {
                        Some(Value::String(text)) => text.as_str(),
                        Some(Value::Bool(true)) => "true",
                        Some(Value::Bool(false)) => "false",
                        _ => continue,
                    };
                    let value = if values.contains(&value) { value } else { "other" };
                    fields.push((field::count_by(name, value), 1));
                }
                Measure::Sum(Quantity { field: name, scale }) => {
                    if let Some(number) = event.number(name) {
                        fields.push((field::sum(name), scaled(number, scale)));
                    }
                }
                Measure::MinMax(Quantity { field: name, scale }) => {
                    if let Some(number) = event.number(name) {
                        fields.push((field::min(name), scaled(number, scale)));
                        fields.push((field::max(name), scaled(number, scale)));
                    }
                }
                Measure::Latest => {
                    fields.push((field::LATEST.to_owned(), CellValue::from(event.occurred_at.as_millisecond())))
                }
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

/// Seed 003: call attempts of a campaign by outcome, with durations.
pub mod campaign_calls {
    use super::*;

    pub const NAME: &str = "campaign_calls";
    pub const OUTCOME: CountBy = CountBy { field: "outcome", values: CALL_OUTCOMES };
    pub const DURATION: Quantity = Quantity { field: "duration_s", scale: MILLI };
    pub const SERIES: SeriesDef = SeriesDef {
        name: NAME,
        source: "call.completed",
        key: &["campaign_id"],
        grains: LIVE,
        measures: &[
            Measure::Count,
            Measure::CountBy(OUTCOME),
            Measure::Sum(DURATION),
            Measure::MinMax(DURATION),
            Measure::Latest,
        ],
    };
}

/// Seed 000: ad delivery of a campaign.
pub mod campaign_ads {
    use super::*;

    pub const NAME: &str = "campaign_ads";
    pub const IMPRESSIONS: Quantity = Quantity { field: "impressions", scale: 1 };
    pub const CLICKS: Quantity = Quantity { field: "clicks", scale: 1 };
    pub const SPEND: Quantity = Quantity { field: "spend", scale: MICRO };
    pub const CONVERSIONS: Quantity = Quantity { field: "conversions", scale: 1 };
    pub const REVENUE: Quantity = Quantity { field: "revenue", scale: MICRO };
    pub const SERIES: SeriesDef = SeriesDef {
        name: NAME,
        source: "ad.delivery",
        key: &["campaign_id"],
        grains: LIVE,
        measures: &[
            Measure::Count,
            Measure::Sum(IMPRESSIONS),
            Measure::Sum(CLICKS),
            Measure::Sum(SPEND),
            Measure::Sum(CONVERSIONS),
            Measure::Sum(REVENUE),
            Measure::Latest,
        ],
    };
}

/// Seed 003: contacts of a campaign by their current state (a gauge, see `entities`).
pub mod contact_states {
    pub const NAME: &str = "contact_states";
}

/// Every series the product maintains.
pub const SERIES: &[SeriesDef] = &[campaign_calls::SERIES, campaign_ads::SERIES];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EventLimits, Kind, validate_event};
    use crate::rollup::cells::MAX_CONTRIBUTION;
    use serde_json::json;

    #[test]
    fn every_series_reads_fields_its_source_type_declares() {
        for series in SERIES {
            let schema = crate::events::schema(series.source).unwrap_or_else(|| panic!("{}", series.name));
            let mut fields: Vec<&str> = series.key.to_vec();
            fields.extend(series.measures.iter().filter_map(Measure::source_field));
            for field in fields {
                assert!(schema.field(field).is_some(), "{}: {} has no field {field}", series.name, schema.name);
            }
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
                    Measure::Count | Measure::CountBy(_) => 1.0,
                    // Unix milliseconds until the year 10000.
                    Measure::Latest => 253_402_300_800_000.0,
                };
                assert!(largest <= MAX_CONTRIBUTION as f64, "{}: {measure:?} may add {largest}", series.name);
            }
        }
    }

    #[test]
    fn a_call_contributes_its_outcome_duration_and_instant() {
        let now = "2025-01-15T12:00:00Z".parse().expect("ts");
        let event = validate_event(
            json!({"id": "e1", "type": "call.completed", "occurred_at": "2025-01-15T10:00:00Z",
                   "data": {"call_id": "c", "campaign_id": "cmp", "call_type": "outbound", "outcome": "voicemail", "duration_s": 12.5}}),
            now,
            &EventLimits::default(),
        )
        .expect("valid");
        let series = &SERIES[0];
        assert_eq!(series.key_of(&event).as_deref(), Some("campaign_calls|cmp"));
        let fields = series.contributions(&event);
        assert!(fields.contains(&("outcome.other".to_owned(), 1)));
        assert!(fields.contains(&("sum.duration_s".to_owned(), 12_500)));
        assert!(fields.contains(&("min.duration_s".to_owned(), 12_500)));
        assert!(fields.contains(&("max.at".to_owned(), 1_736_935_200_000)));
    }
}
