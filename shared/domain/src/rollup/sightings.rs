//! Exact distinct counts by first sighting: the first time a subject (a user, a minute) is seen in
//! a bucket (a UTC hour, a local day) of a group (an agent), one is added to that bucket's `count`, and
//! never again, whatever the order and repetition of the events. The sighting is a marker entity
//! written in the same transaction as the event, on the condition that it is absent: a concurrent
//! writer that set it first makes the commit stale, and the retry finds the marker.
//!
//! Markers hold no data, so a sighting costs one small item the first time only. The local days,
//! weeks and months of a workspace's active users come from [`super::activity`] instead, whose
//! per-user record also places each user in a signup cohort.

use jiff::tz::TimeZone;
use serde_json::Map;

use super::cells::CellKey;
use super::entities::{EntityKey, EntityRecord, Version};
use super::series::{key_part, series_key};
use crate::events::ValidEvent;
use crate::time::{Bucket, Grain};

/// The entity kind of sighting markers.
pub const MARKER_KIND: &str = "seen";

/// What a distinct count counts.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    /// The values of a data field (users).
    Field(&'static str),
    /// The UTC minutes events fall in (minutes with traffic).
    Minute,
}

/// One distinct count: of subjects, per bucket of each grain, per group.
#[derive(Debug)]
pub struct DistinctDef {
    /// The series that holds the counts: `{name}|{group…}`, field `count`, one bucket per grain.
    pub name: &'static str,
    /// Event types whose events are sightings.
    pub sources: &'static [&'static str],
    /// What is counted; an event without a value for it is no sighting.
    pub subject: Subject,
    /// Which events are sightings; all of the sources when `None`.
    pub when: Option<fn(&ValidEvent) -> bool>,
    /// Data fields that group the count; an event missing one is no sighting.
    pub group_by: &'static [&'static str],
    /// Hours, days and ISO weeks (weeks are written directly, never folded). Distinct counts do
    /// not add up, so a def with days has no months: the rollups function folds the months of a
    /// day series from its days, which would make them subject-days, a sum no view reads as
    /// distinct subjects. Exact months are a def of their own with [`Grain::Month`] alone: its
    /// series has no days, so nothing folds over it.
    pub grains: &'static [Grain],
}

/// The field a distinct count is kept in.
pub const COUNT: &str = "count";

/// One sighting an event makes: its marker and the cell it counts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    pub marker: EntityKey,
    pub cell: CellKey,
}

impl DistinctDef {
    /// The sightings `event` makes, one per grain; none if it lacks the subject or a group field.
    pub fn sightings(&self, event: &ValidEvent, tz: &TimeZone) -> Vec<Sighting> {
        if !self.sources.contains(&event.type_name()) || self.when.is_some_and(|when| !when(event)) {
            return Vec::new();
        }
        let subject = match self.subject {
            Subject::Field(name) => event.str(name).map(str::to_owned),
            Subject::Minute => Some(event.occurred_at.as_second().div_euclid(60).to_string()),
        };
        let Some(subject) = subject else { return Vec::new() };
        let group: Option<Vec<&str>> = self.group_by.iter().map(|field| event.str(field)).collect();
        let Some(group) = group else { return Vec::new() };
        let series = series_key(self.name, &group);
        self.grains
            .iter()
            .map(|grain| {
                let bucket = Bucket::of(*grain, event.occurred_at, tz);
                let mut ids = vec![key_part(&series), bucket.key()];
                ids.push(key_part(&subject));
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                Sighting { marker: EntityKey::new(MARKER_KIND, &ids), cell: CellKey::new(series.clone(), bucket) }
            })
            .collect()
    }
}

/// A sighting's marker: the same whichever event made it first, so that the stored state does
/// not depend on the order events arrived in.
pub fn marker() -> EntityRecord {
    let at = jiff::Timestamp::UNIX_EPOCH;
    EntityRecord {
        version: Version { at, event_id: MARKER_KIND.to_owned() },
        first_seen: at,
        state: None,
        data: Map::new(),
    }
}

/// Seed 002: distinct users per UTC hour in the workspace (the `users` trend at hourly
/// granularity), and per agent per UTC hour, local day, ISO week and local month
/// (`agents/usage`'s `unique_users` at each granularity).
pub mod users {
    use super::*;

    const ACTIVITY: &[&str] = &["user.session", "agent.execution", "api.request"];

    pub const HOURLY: DistinctDef = DistinctDef {
        name: "users_seen",
        sources: ACTIVITY,
        subject: Subject::Field("user_id"),
        when: None,
        group_by: &[],
        grains: &[Grain::Hour],
    };
    pub const OF_AGENT: DistinctDef = DistinctDef {
        name: "agent_users_seen",
        sources: &["agent.execution"],
        subject: Subject::Field("user_id"),
        when: None,
        group_by: &["agent_id"],
        grains: &[Grain::Hour, Grain::Day, Grain::Week],
    };
    /// The months of [`OF_AGENT`], in a series of their own (see [`DistinctDef::grains`]).
    pub const OF_AGENT_MONTHLY: DistinctDef =
        DistinctDef { name: "agent_users_seen_monthly", grains: &[Grain::Month], ..OF_AGENT };
}

/// Seed 002's uptime: the UTC minutes with API traffic, and those in which a request failed with
/// a 5xx, per hour and per local day. Uptime is the share of minutes with traffic and no 5xx.
pub mod minutes {
    use super::*;

    pub const WITH_TRAFFIC: DistinctDef = DistinctDef {
        name: "request_minutes",
        sources: &["api.request"],
        subject: Subject::Minute,
        when: None,
        group_by: &[],
        grains: &[Grain::Hour, Grain::Day],
    };
    pub const FAILING: DistinctDef =
        DistinctDef { name: "failing_minutes", when: Some(is_server_error), ..WITH_TRAFFIC };

    pub fn is_server_error(request: &ValidEvent) -> bool {
        request.number(crate::rollup::series::requests::STATUS).is_some_and(|status| status >= 500.0)
    }
}

/// Every distinct count the product maintains.
pub const DISTINCTS: &[DistinctDef] =
    &[users::HOURLY, users::OF_AGENT, users::OF_AGENT_MONTHLY, minutes::WITH_TRAFFIC, minutes::FAILING];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EventLimits, validate_event};
    use serde_json::json;

    #[test]
    fn distinct_counts_are_kept_in_series_of_their_own_and_no_def_has_both_days_and_months() {
        // The months of a day series are folded from its days: distinct counts would add up there.
        for def in DISTINCTS {
            let has = |grain| def.grains.contains(&grain);
            assert!(!(has(Grain::Day) && has(Grain::Month)), "{}: months would be folded from days", def.name);
            assert!(crate::rollup::series::SERIES.iter().all(|series| series.name != def.name), "{}", def.name);
        }
        let mut names: Vec<&str> = DISTINCTS.iter().map(|def| def.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DISTINCTS.len(), "each def has a series of its own");
    }

    #[test]
    fn every_distinct_count_reads_fields_its_sources_declare() {
        for def in DISTINCTS {
            for source in def.sources {
                let schema = crate::events::schema(source).expect("source");
                let subject = match def.subject {
                    Subject::Field(name) => Some(name),
                    Subject::Minute => None,
                };
                for field in def.group_by.iter().copied().chain(subject) {
                    assert!(schema.field(field).is_some(), "{}: {source} has no {field}", def.name);
                }
            }
        }
    }

    #[test]
    fn an_execution_is_one_sighting_per_grain_and_none_without_a_user() {
        let now = "2025-01-16T00:00:00Z".parse().expect("ts");
        let event = |data| {
            let raw =
                json!({"id": "e1", "type": "agent.execution", "occurred_at": "2025-01-15T10:20:00Z", "data": data});
            validate_event(raw, now, &EventLimits::default()).expect("valid")
        };
        let seen = users::OF_AGENT.sightings(
            &event(json!({"agent_id": "a1", "user_id": "u1", "success": true, "duration_ms": 5})),
            &TimeZone::UTC,
        );
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].marker.as_str(), "seen|agent_users_seen%7Ca1|h2025-01-15T10|u1");
        assert_eq!(seen[1].cell, CellKey::new("agent_users_seen|a1", Bucket::Day(jiff::civil::date(2025, 1, 15))));
        assert_eq!(seen[2].cell, CellKey::new("agent_users_seen|a1", Bucket::Week(jiff::civil::date(2025, 1, 13))));
        let execution = event(json!({"agent_id": "a1", "user_id": "u1", "success": true, "duration_ms": 5}));
        let monthly = users::OF_AGENT_MONTHLY.sightings(&execution, &TimeZone::UTC);
        assert_eq!(monthly.len(), 1);
        assert_eq!(monthly[0].marker.as_str(), "seen|agent_users_seen_monthly%7Ca1|m2025-01|u1");
        assert_eq!(
            monthly[0].cell,
            CellKey::new("agent_users_seen_monthly|a1", Bucket::Month { year: 2025, month: 1 })
        );
        let anonymous = event(json!({"agent_id": "a1", "success": true, "duration_ms": 5}));
        assert!(users::OF_AGENT.sightings(&anonymous, &TimeZone::UTC).is_empty());
    }
}
