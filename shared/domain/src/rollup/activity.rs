//! Each user's active days, and what they make exact: the workspace's daily, weekly (ISO) and
//! monthly active users in its own zone, signup cohorts with N-day retention, and activation.
//!
//! One record per user holds the set of local days the user was active on (a session, an agent
//! execution or an API request), the days they ran an agent, and their signup day. What the
//! record counts is a pure function of it ([`counted`]); when an event changes the record, the
//! planner adds what the new record counts and subtracts what the old one did, on the condition
//! that the stored record is still the old one. A set does not care about order or repetition,
//! so a late or duplicated event, or a signup that arrives after the user's first sessions,
//! ends with the same counts as any other order; nothing is ever rescanned.
//!
//! Days are local dates in the zone the workspace had when each event was applied. A record
//! keeps at most [`MAX_DAYS`] days back from its newest, the retention window of events, so it
//! stays a small item whatever the user does.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use super::cells::{CellKey, Value as CellValue};
use super::entities::{EntityKey, EntityRecord, Version};
use crate::events::ValidEvent;
use crate::time::{Bucket, add_days};

/// The entity kind of activity records.
pub const KIND: &str = "user_days";
/// Event types that make their user active on their local day.
pub const ACTIVE_SOURCES: &[&str] = &["user.session", "agent.execution", "api.request"];
/// The event type that sets a user's signup (`signed_up_at`, else the upsert's own instant).
pub const SIGNUP_SOURCE: &str = "user.upserted";
/// Days kept back from a record's newest day: the retention window of events.
pub const MAX_DAYS: i64 = 400;
/// Daily cohorts count retention on the signup day and each of the next 30 days.
pub const COHORT_DAYS: i64 = 30;
/// Weekly cohorts count retention in the signup week and each of the next 12.
pub const COHORT_WEEKS: i64 = 12;
/// A user is activated by an agent execution within this many days of signing up (the signup
/// day is day 0, so days 0 to 6).
pub const ACTIVATION_DAYS: i64 = 7;

/// Distinct active users: ISO weeks and months here (never folded: this series has no days),
/// days in [`DAILY`] (whose months fold into user-days, a sum no view reads as users).
pub const SERIES: &str = "active_users";
pub const DAILY: &str = "active_users_daily";
/// Cohorts by signup day and by signup week: fields [`field::USERS`], [`field::ACTIVATED`] and
/// [`field::retained`]`(k)`, the users active on day (week) k after signing up.
pub const COHORTS_DAILY: &str = "cohorts_daily";
pub const COHORTS_WEEKLY: &str = "cohorts_weekly";

/// Field names of the cells this module writes.
pub mod field {
    /// Active users in an active-users bucket, or users in a cohort.
    pub const USERS: &str = "users";
    /// Users of a cohort who ran an agent within the activation window.
    pub const ACTIVATED: &str = "activated";
    /// Users of a cohort active on day (or in week) `k` after signing up.
    pub fn retained(k: i64) -> String {
        format!("retained.{k}")
    }
}

const DAYS: &str = "days";
const EXECUTION_DAYS: &str = "execution_days";
const SIGNUP: &str = "signup";

/// The record of the user an event concerns, if it concerns one.
pub fn key_of(event: &ValidEvent) -> Option<EntityKey> {
    let relevant = ACTIVE_SOURCES.contains(&event.type_name()) || event.type_name() == SIGNUP_SOURCE;
    let user = event.str("user_id").filter(|_| relevant)?;
    Some(EntityKey::new(KIND, &[user]))
}

/// A user's activity, as a record holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserDays {
    pub days: BTreeSet<Date>,
    pub execution_days: BTreeSet<Date>,
    /// The earliest signup any of the user's upserts gave.
    pub signup: Option<Date>,
}

impl UserDays {
    pub fn of(record: &EntityRecord) -> UserDays {
        let dates = |name: &str| -> BTreeSet<Date> {
            let values = record.data.get(name).and_then(Value::as_array);
            values.into_iter().flatten().filter_map(|value| value.as_str()?.parse().ok()).collect()
        };
        UserDays {
            days: dates(DAYS),
            execution_days: dates(EXECUTION_DAYS),
            signup: record.str(SIGNUP).and_then(|text| text.parse().ok()),
        }
    }

    pub fn data(&self) -> Map<String, Value> {
        let dates = |set: &BTreeSet<Date>| Value::from(set.iter().map(|day| day.to_string()).collect::<Vec<_>>());
        let mut data = Map::new();
        data.insert(DAYS.into(), dates(&self.days));
        data.insert(EXECUTION_DAYS.into(), dates(&self.execution_days));
        if let Some(signup) = self.signup {
            data.insert(SIGNUP.into(), signup.to_string().into());
        }
        data
    }

    /// Drops days more than [`MAX_DAYS`] before the newest.
    pub fn trim(&mut self) {
        let Some(newest) = self.days.last().copied() else { return };
        let oldest = add_days(newest, -(MAX_DAYS - 1));
        self.days.retain(|day| *day >= oldest);
        self.execution_days.retain(|day| *day >= oldest);
    }
}

/// `current` with `event` applied, or `None` when it changes nothing.
pub fn apply(current: Option<&EntityRecord>, event: &ValidEvent, tz: &TimeZone) -> Option<EntityRecord> {
    let mut days = current.map(UserDays::of).unwrap_or_default();
    let before = days.clone();
    let local = |at: jiff::Timestamp| at.to_zoned(tz.clone()).date();
    if event.type_name() == SIGNUP_SOURCE {
        let at = event.data.get("signed_up_at").and_then(Value::as_str).and_then(crate::events::parse_timestamp);
        let signup = local(at.unwrap_or(event.occurred_at));
        days.signup = Some(days.signup.map_or(signup, |known| known.min(signup)));
    } else {
        let day = local(event.occurred_at);
        if days.days.last().is_some_and(|newest| day < add_days(*newest, -(MAX_DAYS - 1))) {
            return None;
        }
        days.days.insert(day);
        if event.type_name() == "agent.execution" {
            days.execution_days.insert(day);
        }
        days.trim();
    }
    if days == before {
        return None;
    }
    Some(record(&days))
}

/// The record holding `days`. Its version is a digest of its content, so the stored record is the
/// same whatever order the events arrived in, and every change (a set that grows, a signup that
/// moves earlier) changes the version that a concurrent writer's condition checks.
pub fn record(days: &UserDays) -> EntityRecord {
    let data = days.data();
    let digest = <sha2::Sha256 as sha2::Digest>::digest(Value::Object(data.clone()).to_string().as_bytes());
    let at = jiff::Timestamp::UNIX_EPOCH;
    EntityRecord { version: Version { at, event_id: hex::encode(&digest[..16]) }, first_seen: at, state: None, data }
}

/// Everything a record counts: each (cell, field) it adds one to. The definition; [`moved`]
/// computes the same difference without going through every day.
pub fn counted(days: &UserDays) -> BTreeSet<(CellKey, String)> {
    let mut counts = cohort_counts(days);
    for day in &days.days {
        counts.extend(active_cells(*day).map(|cell| (cell, field::USERS.to_owned())));
    }
    counts
}

/// The active-users cells a day counts in: its own, its ISO week's and its month's.
fn active_cells(day: Date) -> impl Iterator<Item = CellKey> {
    [
        CellKey::new(DAILY, Bucket::Day(day)),
        CellKey::new(SERIES, Bucket::week_of(day)),
        CellKey::new(SERIES, Bucket::month_of(day)),
    ]
    .into_iter()
}

/// Whether any of `days` falls in the active-users cell `cell`.
fn active_in(days: &BTreeSet<Date>, cell: &CellKey) -> bool {
    let (first, last) = match cell.bucket {
        Bucket::Day(day) => (day, day),
        Bucket::Week(monday) => (monday, add_days(monday, 6)),
        ref month => match month.month_days() {
            Some(bounds) => bounds,
            None => return false,
        },
    };
    days.range(first..=last).next().is_some()
}

/// What a record counts in its signup cohorts: a few dozen items at most, from the days within
/// the cohort windows.
fn cohort_counts(days: &UserDays) -> BTreeSet<(CellKey, String)> {
    let mut counts = BTreeSet::new();
    let Some(signup) = days.signup else { return counts };
    let daily = CellKey::new(COHORTS_DAILY, Bucket::Day(signup));
    let weekly = CellKey::new(COHORTS_WEEKLY, Bucket::week_of(signup));
    counts.insert((daily.clone(), field::USERS.to_owned()));
    counts.insert((weekly.clone(), field::USERS.to_owned()));
    let Bucket::Week(signup_week) = Bucket::week_of(signup) else { unreachable!("week_of gives a week") };
    let last_counted = add_days(signup_week, 7 * (COHORT_WEEKS + 1) - 1).max(add_days(signup, COHORT_DAYS));
    for day in days.days.range(signup..=last_counted) {
        let after = days_between(signup, *day);
        if after <= COHORT_DAYS {
            counts.insert((daily.clone(), field::retained(after)));
        }
        let weeks = days_between(signup_week, *day) / 7;
        if weeks <= COHORT_WEEKS {
            counts.insert((weekly.clone(), field::retained(weeks)));
        }
    }
    if days.execution_days.range(signup..add_days(signup, ACTIVATION_DAYS)).next().is_some() {
        counts.insert((daily, field::ACTIVATED.to_owned()));
        counts.insert((weekly, field::ACTIVATED.to_owned()));
    }
    counts
}

/// What changing a record from `before` to `now` adds to each cell field: the new counts minus
/// the old ([`counted`]), from the days that changed (an event adds one) and the cohorts.
pub fn moved(before: Option<&EntityRecord>, now: &EntityRecord) -> BTreeMap<(CellKey, String), CellValue> {
    let old = before.map(UserDays::of).unwrap_or_default();
    let new = UserDays::of(now);
    let mut deltas = BTreeMap::new();
    let changed: BTreeSet<CellKey> =
        old.days.symmetric_difference(&new.days).flat_map(|day| active_cells(*day)).collect();
    for cell in changed {
        match (active_in(&old.days, &cell), active_in(&new.days, &cell)) {
            (false, true) => deltas.insert((cell, field::USERS.to_owned()), 1),
            (true, false) => deltas.insert((cell, field::USERS.to_owned()), -1),
            _ => None,
        };
    }
    let (old_cohorts, new_cohorts) = (cohort_counts(&old), cohort_counts(&new));
    for item in new_cohorts.difference(&old_cohorts) {
        deltas.insert(item.clone(), 1);
    }
    for item in old_cohorts.difference(&new_cohorts) {
        deltas.insert(item.clone(), -1);
    }
    deltas
}

/// The most items one event's change to a record writes: the record; a new day's day, week and
/// month and its two cohort cells, or a moved signup's two cohort cells left and two joined;
/// and the months due of the day-bucketed cells among them (at most two).
pub const MOST_ITEMS: usize = 1 + 5 + 2;

/// Whole days from `from` to `to` (negative when `to` is earlier).
fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map(|span| i64::from(span.get_days())).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EventLimits, validate_event};
    use jiff::civil::date;
    use serde_json::json;

    fn event(id: &str, kind: &str, at: &str, data: Value) -> ValidEvent {
        let now = "2025-03-01T00:00:00Z".parse().expect("ts");
        validate_event(json!({"id": id, "type": kind, "occurred_at": at, "data": data}), now, &EventLimits::default())
            .expect("valid")
    }

    fn session(id: &str, at: &str) -> ValidEvent {
        event(id, "user.session", at, json!({"user_id": "u1"}))
    }

    fn apply_all(events: &[ValidEvent], tz: &TimeZone) -> Option<EntityRecord> {
        events.iter().fold(None, |record, event| apply(record.as_ref(), event, tz).or(record))
    }

    #[test]
    fn a_user_counts_once_per_day_week_and_month_and_in_the_cohort_of_their_signup() {
        let signup = event("s", "user.upserted", "2025-01-10T09:00:00Z", json!({"user_id": "u1"}));
        let events = [
            signup,
            session("a", "2025-01-10T10:00:00Z"),
            session("b", "2025-01-10T18:00:00Z"),
            session("c", "2025-01-11T10:00:00Z"),
            event(
                "x",
                "agent.execution",
                "2025-01-17T10:00:00Z",
                json!({"user_id": "u1", "agent_id": "a1", "success": true, "duration_ms": 10}),
            ),
        ];
        let record = apply_all(&events, &TimeZone::UTC).expect("record");
        let counts = counted(&UserDays::of(&record));
        let has = |series: &str, bucket: Bucket, name: &str| {
            counts.contains(&(CellKey::new(series, bucket), name.to_owned()))
        };
        assert!(has(DAILY, Bucket::Day(date(2025, 1, 10)), field::USERS));
        assert!(has(SERIES, Bucket::Week(date(2025, 1, 6)), field::USERS));
        assert!(has(SERIES, Bucket::Week(date(2025, 1, 13)), field::USERS));
        assert!(has(SERIES, Bucket::month_of(date(2025, 1, 1)), field::USERS));
        let cohort = Bucket::Day(date(2025, 1, 10));
        for retained in [0, 1, 7] {
            assert!(has(COHORTS_DAILY, cohort, &field::retained(retained)), "day {retained}");
        }
        assert!(!has(COHORTS_DAILY, cohort, &field::retained(2)));
        assert!(!has(COHORTS_DAILY, cohort, field::ACTIVATED), "the execution came on day 7, outside days 0..6");
        // Signup week (Mon 6th) is week 0; the 17th falls in week 1.
        assert!(has(COHORTS_WEEKLY, Bucket::Week(date(2025, 1, 6)), &field::retained(1)));
        assert_eq!(counts.iter().filter(|(cell, _)| cell.series == DAILY).count(), 3);
    }

    #[test]
    fn any_order_of_the_same_events_gives_the_same_record() {
        let events = [
            session("a", "2025-01-12T10:00:00Z"),
            event(
                "s",
                "user.upserted",
                "2025-01-20T09:00:00Z",
                json!({"user_id": "u1", "signed_up_at": "2025-01-11T08:00:00Z"}),
            ),
            session("b", "2025-01-11T10:00:00Z"),
        ];
        let paris = crate::time::time_zone("Europe/Paris").expect("zone");
        let forward = UserDays::of(&apply_all(&events, &paris).expect("record"));
        let reversed: Vec<ValidEvent> = events.iter().rev().cloned().collect();
        assert_eq!(forward, UserDays::of(&apply_all(&reversed, &paris).expect("record")));
        assert_eq!(forward.signup, Some(date(2025, 1, 11)));
    }

    #[test]
    fn a_signup_that_arrives_late_moves_the_users_days_into_its_cohort_and_a_repeat_changes_nothing() {
        let first = apply(None, &session("a", "2025-01-12T10:00:00Z"), &TimeZone::UTC).expect("record");
        let signup = event(
            "s",
            "user.upserted",
            "2025-01-20T09:00:00Z",
            json!({"user_id": "u1", "signed_up_at": "2025-01-11T08:00:00Z"}),
        );
        let second = apply(Some(&first), &signup, &TimeZone::UTC).expect("changed");
        let deltas = moved(Some(&first), &second);
        let cohort = CellKey::new(COHORTS_DAILY, Bucket::Day(date(2025, 1, 11)));
        assert_eq!(deltas.get(&(cohort.clone(), field::USERS.to_owned())), Some(&1));
        assert_eq!(deltas.get(&(cohort, field::retained(1))), Some(&1));
        assert!(deltas.keys().all(|(cell, _)| cell.series.starts_with("cohorts")), "active days did not move");
        assert_eq!(apply(Some(&second), &session("b", "2025-01-12T23:00:00Z"), &TimeZone::UTC), None);
    }

    #[test]
    fn moved_is_the_difference_of_what_the_records_count() {
        let mut record: Option<EntityRecord> = None;
        // Sessions over 14 weeks in a scrambled order, and a signup that arrives late and moves
        // earlier.
        let mut events: Vec<ValidEvent> = (0..98)
            .map(|i| (i * 37) % 98)
            .map(|day| {
                session(
                    &format!("d{day}"),
                    &(jiff::civil::date(2024, 11, 20).at(12, 0, 0, 0).to_zoned(TimeZone::UTC).expect("day")
                        + jiff::Span::new().days(day))
                    .timestamp()
                    .to_string(),
                )
            })
            .collect();
        events.insert(
            40,
            event(
                "s1",
                "user.upserted",
                "2025-01-01T00:00:00Z",
                json!({"user_id": "u1", "signed_up_at": "2024-12-20T08:00:00Z"}),
            ),
        );
        events.insert(
            70,
            event(
                "s2",
                "user.upserted",
                "2025-01-02T00:00:00Z",
                json!({"user_id": "u1", "signed_up_at": "2024-12-03T08:00:00Z"}),
            ),
        );
        for event in &events {
            let Some(now) = apply(record.as_ref(), event, &TimeZone::UTC) else { continue };
            let old = record.as_ref().map(|r| counted(&UserDays::of(r))).unwrap_or_default();
            let new = counted(&UserDays::of(&now));
            let mut expected = BTreeMap::new();
            expected.extend(new.difference(&old).map(|item| (item.clone(), 1)));
            expected.extend(old.difference(&new).map(|item| (item.clone(), -1)));
            assert_eq!(moved(record.as_ref(), &now), expected, "after {}", event.id);
            record = Some(now);
        }
    }

    #[test]
    fn no_change_of_a_record_writes_more_items_than_the_bound() {
        let early = event(
            "s1",
            "user.upserted",
            "2025-01-01T00:00:00Z",
            json!({"user_id": "u1", "signed_up_at": "2025-01-31T08:00:00Z"}),
        );
        let record = apply(None, &early, &TimeZone::UTC).expect("record");
        let record = apply(Some(&record), &session("a", "2025-02-01T10:00:00Z"), &TimeZone::UTC).expect("record");
        let moved_back = event(
            "s2",
            "user.upserted",
            "2025-01-02T00:00:00Z",
            json!({"user_id": "u1", "signed_up_at": "2024-12-31T08:00:00Z"}),
        );
        for event in [moved_back, session("b", "2025-03-01T00:00:00Z")] {
            let now = apply(Some(&record), &event, &TimeZone::UTC).expect("changed");
            let deltas = moved(Some(&record), &now);
            let cells: BTreeSet<&CellKey> = deltas.keys().map(|(cell, _)| cell).collect();
            let months: BTreeSet<(&str, Bucket)> = cells
                .iter()
                .filter_map(|cell| match cell.bucket {
                    Bucket::Day(day) => Some((cell.series.as_str(), Bucket::month_of(day))),
                    _ => None,
                })
                .collect();
            assert!(1 + cells.len() + months.len() <= MOST_ITEMS, "{cells:?}");
        }
    }
}
