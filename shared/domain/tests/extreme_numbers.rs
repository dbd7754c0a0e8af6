//! Extreme numbers through the validator and the planner: whatever a producer sends in a measured
//! field (±0, subnormals, 1e308, the edges of i64 and u64, values just past a bound), the
//! validator accepts exactly the in-range values and the planner's sums of any number of them are
//! exact: no panic, no overflow, no saturation.

use domain::events::{EventLimits, Kind, ValidEvent, schema, validate_event};
use domain::rollup::series::{Measure, SERIES, SeriesDef, field, scaled};
use domain::rollup::{CellKey, EntitySnapshot, Rules};
use domain::time::Bucket;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use proptest::prelude::*;
use serde_json::{Value, json};

fn now() -> Timestamp {
    "2025-01-15T12:00:00Z".parse().expect("timestamp")
}

/// A JSON number a hostile or broken producer might send.
fn extreme_number() -> impl Strategy<Value = Value> {
    let specials = [
        0.0,
        -0.0,
        f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        1e308,
        -1e308,
        f64::MAX,
        9.2e15,
        1e16,
        86_400.0,
        86_400.000_001,
        1e6,
        1e6 + 0.01,
        1e9,
        1e9 + 1.0,
        0.5,
        999_999.999_999,
    ];
    prop_oneof![
        proptest::sample::select(specials.to_vec()).prop_map(Value::from),
        proptest::sample::select(vec![i64::MAX, i64::MIN, 0, 1, -1, 1_000_000_000, 1_000_000_001])
            .prop_map(Value::from),
        proptest::sample::select(vec![u64::MAX, 9_223_372_036_854_775_808]).prop_map(Value::from),
        (0.0..2e9f64).prop_map(Value::from),
        (0u64..2_000_000_000).prop_map(Value::from),
    ]
}

/// An event of `series`' source type whose measured fields hold `numbers` (cycled), with valid
/// values for the rest of its required fields.
fn event_json(series: &SeriesDef, index: usize, numbers: &[Value]) -> Value {
    let schema = schema(series.source).expect("source type");
    let mut data = serde_json::Map::new();
    for field in schema.fields.iter().filter(|field| field.required) {
        let value = match field.kind {
            Kind::OneOf(values) => json!(values[0]),
            Kind::Token => json!("completed"),
            Kind::Number { min, .. } => json!(min),
            Kind::Integer { min, .. } => json!(min),
            Kind::Bool => json!(true),
            _ => json!("x1"),
        };
        data.insert(field.name.to_owned(), value);
    }
    for key in series.key.iter().chain(series.requires) {
        data.insert((*key).to_owned(), json!("k1"));
    }
    for (position, name) in measured_fields(series).into_iter().enumerate() {
        data.insert(name.to_owned(), numbers[(index + position) % numbers.len()].clone());
    }
    json!({"id": format!("e{index}"), "type": series.source, "occurred_at": "2025-01-15T10:00:00Z", "data": data})
}

fn measured_fields(series: &SeriesDef) -> Vec<&'static str> {
    series
        .measures
        .iter()
        .filter_map(|measure| match *measure {
            Measure::Sum(q) | Measure::MinMax(q) => Some(q.field),
            _ => None,
        })
        .collect()
}

fn in_range(kind: Kind, value: &Value) -> bool {
    match kind {
        Kind::Number { min, max } => value.as_f64().is_some_and(|n| (min..=max).contains(&n)),
        Kind::Integer { min, max } => value.as_i64().is_some_and(|n| (min..=max).contains(&n)),
        _ => unreachable!("measured fields are numbers"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn only_in_range_numbers_pass_and_their_sums_are_exact(
        series_index in 0..SERIES.len(),
        numbers in proptest::collection::vec(extreme_number(), 1..8),
        copies in 1usize..600,
    ) {
        let series = &SERIES[series_index];
        let schema = schema(series.source).expect("source type");
        let mut accepted: Vec<ValidEvent> = Vec::new();
        for index in 0..copies {
            let raw = event_json(series, index, &numbers);
            let expected_ok = measured_fields(series)
                .iter()
                .all(|name| in_range(schema.field(name).expect("field").kind, &raw["data"][*name]));
            match validate_event(raw.clone(), now(), &EventLimits::default()) {
                Ok(event) => {
                    prop_assert!(expected_ok, "accepted out of range: {raw}");
                    accepted.push(event);
                }
                Err(error) => {
                    prop_assert!(!expected_ok, "refused in range: {raw}: {error:?}");
                    prop_assert!(error.field.starts_with("data."), "{error:?}");
                }
            }
        }
        let (plan, _) = Rules::standard().plan(&accepted, &EntitySnapshot::default(), &TimeZone::UTC);
        if accepted.is_empty() {
            prop_assert!(plan.cells.is_empty());
            return Ok(());
        }
        let key = series.key_of(&accepted[0]).expect("keyed");
        let total = plan.cells.get(&CellKey::new(key, Bucket::Total)).expect("total cell");
        prop_assert_eq!(total[&series.field_name(field::COUNT)], accepted.len() as i128);
        for measure in series.measures {
            let (name, scale) = match *measure {
                Measure::Sum(q) | Measure::MinMax(q) => (q.field, q.scale),
                _ => continue,
            };
            let values: Vec<i128> =
                accepted.iter().map(|event| scaled(event.number(name).expect("number"), scale)).collect();
            // An independent exact sum: each value is at most 10^15, so no i128 sum of these wraps.
            let exact: i128 = values.iter().sum();
            prop_assert!(values.iter().all(|v| v.abs() <= domain::rollup::cells::MAX_CONTRIBUTION));
            match measure {
                // A sum that nets to zero is no write at all.
                Measure::Sum(_) => {
                    prop_assert_eq!(total.get(&series.field_name(&field::sum(name))).copied().unwrap_or(0), exact)
                }
                _ => {
                    prop_assert_eq!(total[&series.field_name(&field::min(name))], *values.iter().min().expect("values"));
                    prop_assert_eq!(total[&series.field_name(&field::max(name))], *values.iter().max().expect("values"));
                }
            }
        }
    }
}

#[test]
fn a_batch_of_maximal_events_sums_exactly() {
    let spend_max = match schema("ad.delivery").and_then(|s| s.field("spend")).map(|f| f.kind) {
        Some(Kind::Number { max, .. }) => max,
        other => panic!("spend is a number: {other:?}"),
    };
    let events: Vec<ValidEvent> = (0..500)
        .map(|i| {
            let raw = json!({"id": format!("e{i}"), "type": "ad.delivery", "occurred_at": "2025-01-15T10:00:00Z",
                "data": {"campaign_id": "c", "impressions": 1_000_000_000, "clicks": 0, "spend": spend_max,
                         "conversions": 0, "revenue": spend_max}});
            validate_event(raw, now(), &EventLimits::default()).expect("the maximum is in range")
        })
        .collect();
    let (plan, _) = Rules::standard().plan(&events, &EntitySnapshot::default(), &TimeZone::UTC);
    let total = plan.cells.get(&CellKey::new("campaign_ads|c", Bucket::Total)).expect("total");
    assert_eq!(total["sum.spend"], 500 * 1_000_000_000_000);
    assert_eq!(total["sum.impressions"], 500 * 1_000_000_000);
}
