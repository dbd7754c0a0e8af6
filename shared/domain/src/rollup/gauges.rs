//! Gauges: entities counted by what they are now. Each entity counts once in each of its gauges,
//! as one state (`active`, `hot`, `ready`), in one cell: the present (`Bucket::Current`), or
//! the local day of one of its instants (the day a user joined, a callback is due, a payment
//! last changed), so that "new today" or "due this week" are a range read of days like any fact.
//! When a record changes, its unit moves from the old cell and state to the new, exactly once
//! (entity writes are version-checked), so a gauge is always the count of the newest records,
//! whatever order their events arrived in.
//!
//! States come from closed vocabularies only (an entity's own state field is one of a closed
//! set where it is counted, a field's value outside its list counts as `other`, a rule answers
//! from its own constants): a gauge's cell holds a bounded number of fields, so no producer can
//! make it outgrow a store's item. Open-valued groupings (ad creatives, plans) are tallies
//! ([`super::indexes`]).

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::cells::{CellKey, Value as CellValue};
use super::entities::EntityRecord;
use super::series::{Quantity, activity, contact_states, scaled, series_key};
use crate::events::ValidEvent;
use crate::time::{Bucket, Grain};

/// What an entity counts as.
#[derive(Debug, Clone, Copy)]
pub enum StateOf {
    /// The entity's own state field; an entity without one is not counted.
    State,
    /// A field's value if it is one of `values`, `other` for any other value, `none` without one.
    OneOf(&'static str, &'static [&'static str]),
    /// A boolean field: `true`, `false`, or `none`.
    Flag(&'static str),
    /// Every entity, as `all`.
    All,
    /// A named rule; `None` leaves the entity out.
    Rule(fn(&EntityRecord) -> Option<&'static str>),
}

impl StateOf {
    pub fn of(&self, record: &EntityRecord) -> Option<&'static str> {
        match *self {
            StateOf::State => None,
            StateOf::OneOf(name, values) => Some(match record.str(name) {
                Some(value) => values.iter().find(|known| **known == value).copied().unwrap_or("other"),
                None => "none",
            }),
            StateOf::Flag(name) => Some(match record.bool(name) {
                Some(true) => "true",
                Some(false) => "false",
                None => "none",
            }),
            StateOf::All => Some("all"),
            StateOf::Rule(rule) => rule(record),
        }
    }
}

/// An instant of an entity's record.
#[derive(Debug, Clone, Copy)]
pub enum InstantOf {
    /// Its oldest event's.
    FirstSeen,
    /// Its newest event's: when it last changed.
    LastChange,
    /// A timestamp field; without it the record has no such instant.
    Field(&'static str),
    /// A timestamp field, else the first-seen instant.
    FieldOrFirstSeen(&'static str),
}

impl InstantOf {
    pub fn of(&self, record: &EntityRecord) -> Option<Timestamp> {
        match *self {
            InstantOf::FirstSeen => Some(record.first_seen),
            InstantOf::LastChange => Some(record.version.at),
            InstantOf::Field(name) => record.instant(name),
            InstantOf::FieldOrFirstSeen(name) => Some(record.instant(name).unwrap_or(record.first_seen)),
        }
    }
}

/// Where a gauge counts.
#[derive(Debug, Clone, Copy)]
pub enum GaugeAt {
    /// One cell for the present.
    Now,
    /// The cell of the local day of an instant; entities without it are not counted.
    Day(InstantOf),
    /// The cell of the UTC hour of an instant.
    Hour(InstantOf),
}

/// One gauge of an entity type.
#[derive(Debug)]
pub struct GaugeDef {
    pub series: &'static str,
    /// Data fields that group the gauge; an entity missing one is not counted.
    pub group_by: &'static [&'static str],
    pub counts: StateOf,
    pub at: GaugeAt,
    /// Field names are `{prefix}{state}` (`state.pending`, `payments.paid`), so that gauges and
    /// facts share a series under distinct prefixes.
    pub prefix: &'static str,
    /// Quantities summed per state beside the count: `{prefix}{state}:{field}` (the amount of
    /// paid payments).
    pub sums: &'static [Quantity],
}

/// The fields one entity adds to one gauge cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaugeUnit {
    pub cell: CellKey,
    pub fields: Vec<(String, CellValue)>,
}

impl GaugeDef {
    pub fn count_field(&self, state: &str) -> String {
        format!("{}{state}", self.prefix)
    }

    pub fn sum_field(&self, state: &str, quantity: Quantity) -> String {
        format!("{}{state}:{}", self.prefix, quantity.field)
    }

    fn group<'r>(&self, get: impl Fn(&str) -> Option<&'r str>) -> Option<String> {
        let values: Option<Vec<&str>> = self.group_by.iter().map(|name| get(name)).collect();
        values.map(|values| series_key(self.series, &values))
    }

    /// What `record` adds to this gauge, in `tz`'s days; `None` if it is not counted.
    pub fn unit(&self, record: &EntityRecord, tz: &TimeZone) -> Option<GaugeUnit> {
        let state = match self.counts {
            StateOf::State => record.state.as_deref()?,
            ref other => other.of(record)?,
        };
        let series = self.group(|name| record.str(name))?;
        let bucket = match self.at {
            GaugeAt::Now => Bucket::Current,
            GaugeAt::Day(instant) => Bucket::of(Grain::Day, instant.of(record)?, tz),
            GaugeAt::Hour(instant) => Bucket::of(Grain::Hour, instant.of(record)?, tz),
        };
        let mut fields = vec![(self.count_field(state), 1)];
        for quantity in self.sums {
            if let Some(number) = record.number(quantity.field) {
                fields.push((self.sum_field(state, *quantity), scaled(number, quantity.scale)));
            }
        }
        Some(GaugeUnit { cell: CellKey::new(series, bucket), fields })
    }

    /// The cell whose watermark (`max.at`) an event of the gauge's entity moves: a present gauge
    /// in the group the event names. Every event moves it, newest or not, so that it is the
    /// newest instant of any event counted there whatever the arrival order.
    pub fn watermark_cell(&self, event: &ValidEvent) -> Option<CellKey> {
        match self.at {
            GaugeAt::Now => self.group(|name| event.str(name)).map(|series| CellKey::new(series, Bucket::Current)),
            GaugeAt::Day(_) | GaugeAt::Hour(_) => None,
        }
    }
}

const fn now(
    series: &'static str,
    group_by: &'static [&'static str],
    prefix: &'static str,
    counts: StateOf,
) -> GaugeDef {
    GaugeDef { series, group_by, counts, at: GaugeAt::Now, prefix, sums: &[] }
}

const fn daily(
    series: &'static str,
    group_by: &'static [&'static str],
    prefix: &'static str,
    counts: StateOf,
    instant: InstantOf,
) -> GaugeDef {
    GaugeDef { series, group_by, counts, at: GaugeAt::Day(instant), prefix, sums: &[] }
}

/// Seed 003: contacts of a campaign by state.
pub mod contacts {
    use super::*;

    pub const STATES: GaugeDef = now(contact_states::NAME, &["campaign_id"], "state.", StateOf::State);
}

/// Seed 001: a workspace's users.
pub mod users {
    use super::*;

    pub const STATUSES: &[&str] = &["active", "inactive", "suspended", "invited"];
    /// Users by account status (`users_now`).
    pub const STATUS: GaugeDef = now("users_now", &[], "status.", StateOf::OneOf("status", STATUSES));
    /// Users by the local day they joined (`signed_up_at`, else their first event), in the
    /// workspace's activity.
    pub const JOINED: GaugeDef =
        daily(activity::WORKSPACE, &[], "users_joined.", StateOf::All, InstantOf::FieldOrFirstSeen("signed_up_at"));
}

/// Seed 001: subscriptions of a workspace's users.
pub mod subscriptions {
    use super::*;

    pub const STATUSES: &[&str] = &["active", "inactive", "cancelled", "past_due"];
    pub const STATUS: GaugeDef = now("subscriptions_now", &[], "status.", StateOf::State);
    /// Subscriptions by the local day they were first seen.
    pub const STARTED: GaugeDef =
        daily(activity::WORKSPACE, &[], "subscriptions_started.", StateOf::All, InstantOf::FirstSeen);
    pub const PRICE: Quantity = Quantity { field: "plan_price", scale: super::super::series::MICRO };
    /// Seed 002's MRR now: active subscriptions by billing interval (`mrr.month`, `mrr.year`),
    /// with their prices (`mrr.month:plan_price`).
    pub const MRR: GaugeDef = GaugeDef {
        series: "subscriptions_now",
        group_by: &[],
        counts: StateOf::Rule(active_interval),
        at: GaugeAt::Now,
        prefix: "mrr.",
        sums: &[PRICE],
    };
    /// Every subscription on the local day it was first seen, by interval, with its price; with
    /// [`LAPSED`] it gives the MRR as of any past day: a subscription counts from its first
    /// sighting until its latest record, if that is not active.
    pub const BEGUN: GaugeDef = GaugeDef {
        series: activity::WORKSPACE,
        group_by: &[],
        counts: StateOf::Rule(interval),
        at: GaugeAt::Day(InstantOf::FirstSeen),
        prefix: "subscriptions_begun.",
        sums: &[PRICE],
    };
    /// Subscriptions whose latest record is not active, on its local day, by status and interval
    /// (`cancelled_month`): churn is the `cancelled_*` of a range.
    pub const LAPSED: GaugeDef = GaugeDef {
        series: activity::WORKSPACE,
        group_by: &[],
        counts: StateOf::Rule(lapsed),
        at: GaugeAt::Day(InstantOf::LastChange),
        prefix: "subscriptions_lapsed.",
        sums: &[PRICE],
    };

    /// `month` or `year` (a subscription without an interval is billed monthly).
    pub fn interval(subscription: &EntityRecord) -> Option<&'static str> {
        Some(if subscription.str("interval") == Some("year") { "year" } else { "month" })
    }

    fn active_interval(subscription: &EntityRecord) -> Option<&'static str> {
        (subscription.state.as_deref() == Some("active")).then(|| interval(subscription)).flatten()
    }

    /// `{status}_{interval}` of a subscription that is not active.
    pub fn lapsed(subscription: &EntityRecord) -> Option<&'static str> {
        let yearly = interval(subscription) == Some("year");
        Some(match (subscription.state.as_deref()?, yearly) {
            ("active", _) => return None,
            ("cancelled", false) => "cancelled_month",
            ("cancelled", true) => "cancelled_year",
            ("past_due", false) => "past_due_month",
            ("past_due", true) => "past_due_year",
            (_, false) => "inactive_month",
            (_, true) => "inactive_year",
        })
    }

    /// Active subscriptions set to end with their period (`cancel_at_period_end`), by the local
    /// day that period ends: what will lapse, day by day.
    pub const ENDING: GaugeDef = daily(
        activity::WORKSPACE,
        &[],
        "subscriptions_ending.",
        StateOf::Rule(ending),
        InstantOf::Field("current_period_end"),
    );

    /// `all` for an active subscription that ends with its period; others are not counted.
    pub fn ending(subscription: &EntityRecord) -> Option<&'static str> {
        let active = subscription.state.as_deref() == Some("active");
        (active && subscription.bool("cancel_at_period_end") == Some(true)).then_some("all")
    }
}

/// Seed 001: payments by their latest status, with their amounts. Revenue is the amount of
/// payments whose latest record is `paid`, on the local day of that record: a payment retried
/// after a failure counts once, on the day it was paid, and one refunded later leaves it.
pub mod payments {
    use super::*;

    pub const AMOUNT: Quantity = Quantity { field: "amount", scale: super::super::series::MICRO };
    pub const STATUS: GaugeDef = GaugeDef {
        series: "payments_now",
        group_by: &[],
        counts: StateOf::State,
        at: GaugeAt::Now,
        prefix: "status.",
        sums: &[AMOUNT],
    };
    /// Per day of the latest record, in the workspace's activity.
    pub const BY_DAY: GaugeDef = GaugeDef {
        series: activity::WORKSPACE,
        group_by: &[],
        counts: StateOf::State,
        at: GaugeAt::Day(InstantOf::LastChange),
        prefix: "payments.",
        sums: &[AMOUNT],
    };
    /// Per UTC hour of the latest record (seed 002's hourly revenue trend).
    pub const BY_HOUR: GaugeDef = GaugeDef { at: GaugeAt::Hour(InstantOf::LastChange), ..BY_DAY };
    /// A user's own payments (what they spent).
    pub const OWNED_STATUS: GaugeDef = GaugeDef {
        series: "payments_now",
        group_by: &["user_id"],
        counts: StateOf::State,
        at: GaugeAt::Now,
        prefix: "status.",
        sums: &[AMOUNT],
    };
}

/// Seed 001: calls in progress (`call.status`), per workspace and per agent.
pub mod live_calls {
    use super::*;

    pub const STATUS: GaugeDef = now("live_calls", &[], "status.", StateOf::State);
    pub const BY_AGENT: GaugeDef = now("live_calls", &["agent_id"], "status.", StateOf::State);
}

/// Seed 001: a workspace's agents.
pub mod agents {
    use super::*;

    /// An agent is ready for calls when it is active and trained at least this far (percent).
    pub const READY_TRAINING_LEVEL: f64 = 70.0;
    /// An agent trained less than this (percent) is flagged by the low-training alert.
    pub const LOW_TRAINING_LEVEL: f64 = 50.0;

    pub const STATUS: GaugeDef = now("agents_now", &[], "status.", StateOf::State);
    pub const READINESS: GaugeDef = now("agents_now", &[], "readiness.", StateOf::Rule(readiness));
    pub const TRAINING: GaugeDef = now("agents_now", &[], "training.", StateOf::Rule(training));

    /// Whether an agent of this status and training level is ready for calls: active and trained
    /// at least [`READY_TRAINING_LEVEL`].
    pub fn is_ready(status: Option<&str>, training_level: Option<f64>) -> bool {
        status == Some("active") && training_level.is_some_and(|level| level >= READY_TRAINING_LEVEL)
    }

    /// `ready` ([`is_ready`]) or `not_ready`.
    pub fn readiness(agent: &EntityRecord) -> Option<&'static str> {
        Some(if is_ready(agent.state.as_deref(), agent.number("training_level")) { "ready" } else { "not_ready" })
    }

    /// `low` below [`LOW_TRAINING_LEVEL`], `trained` from it, `unknown` without a level.
    pub fn training(agent: &EntityRecord) -> Option<&'static str> {
        Some(match agent.number("training_level") {
            Some(level) if level < LOW_TRAINING_LEVEL => "low",
            Some(_) => "trained",
            None => "unknown",
        })
    }
}

/// Seed 001: customers (leads of a call centre), per workspace and per owning user.
pub mod customers {
    use super::*;

    pub const TEMPERATURES: &[&str] = &["hot", "warm", "cold"];
    const TEMPERATURE_OF: StateOf = StateOf::OneOf("temperature", TEMPERATURES);

    pub const TEMPERATURE: GaugeDef = now("customers_now", &[], "temperature.", TEMPERATURE_OF);
    pub const CONVERTED: GaugeDef = now("customers_now", &[], "converted.", StateOf::Flag("converted"));
    pub const DO_NOT_CALL: GaugeDef = now("customers_now", &[], "do_not_call.", StateOf::Flag("do_not_call"));
    /// By the local day they were first seen, in the workspace's activity.
    pub const ADDED: GaugeDef = daily(activity::WORKSPACE, &[], "customers_added.", StateOf::All, InstantOf::FirstSeen);

    const OWNER: &[&str] = &["owner_user_id"];
    pub const OWNED_TEMPERATURE: GaugeDef = now("customers_now", OWNER, "temperature.", TEMPERATURE_OF);
    pub const OWNED_CONVERTED: GaugeDef = now("customers_now", OWNER, "converted.", StateOf::Flag("converted"));
    pub const OWNED_DO_NOT_CALL: GaugeDef = now("customers_now", OWNER, "do_not_call.", StateOf::Flag("do_not_call"));
    pub const OWNED_ADDED: GaugeDef =
        daily(activity::USER, OWNER, "customers_added.", StateOf::All, InstantOf::FirstSeen);
}

/// Seed 001: callbacks, by status and by the local day they are due, per workspace, per owning
/// user and per assigned agent.
pub mod callbacks {
    use super::*;

    const DUE_AT: InstantOf = InstantOf::Field("scheduled_at");

    pub const STATUS: GaugeDef = now("callbacks_now", &[], "status.", StateOf::State);
    pub const DUE: GaugeDef = daily(activity::WORKSPACE, &[], "callbacks_due.", StateOf::State, DUE_AT);
    pub const OWNED_STATUS: GaugeDef = now("callbacks_now", &["owner_user_id"], "status.", StateOf::State);
    pub const OWNED_DUE: GaugeDef = daily(activity::USER, &["owner_user_id"], "callbacks_due.", StateOf::State, DUE_AT);
    pub const ASSIGNED_STATUS: GaugeDef = now("callbacks_assigned", &["agent_id"], "status.", StateOf::State);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Kind;
    use crate::rollup::Op;
    use crate::rollup::entities::ENTITIES;
    use crate::rollup::series::SERIES;

    #[test]
    fn every_gauge_reads_fields_its_entity_declares_and_counts_a_closed_set_of_states() {
        for def in ENTITIES {
            let schema = crate::events::schema(def.source).expect("source");
            for gauge in def.gauges {
                let mut fields: Vec<&str> = gauge.group_by.to_vec();
                fields.extend(gauge.sums.iter().map(|q| q.field));
                match gauge.counts {
                    StateOf::OneOf(name, _) | StateOf::Flag(name) => fields.push(name),
                    StateOf::State => {
                        let name = def.state.expect("a State gauge's entity has a state field");
                        let kind = schema.field(name).expect("state field").kind;
                        assert!(matches!(kind, Kind::OneOf(_)), "{}: its state is not a closed set", def.kind);
                    }
                    StateOf::All | StateOf::Rule(_) => {}
                }
                if let GaugeAt::Day(InstantOf::Field(name) | InstantOf::FieldOrFirstSeen(name))
                | GaugeAt::Hour(InstantOf::Field(name) | InstantOf::FieldOrFirstSeen(name)) = gauge.at
                {
                    assert!(matches!(schema.field(name).map(|f| f.kind), Some(Kind::Timestamp)), "{name}");
                }
                for name in fields {
                    assert!(schema.field(name).is_some(), "{}: {} has no field {name}", def.kind, schema.name);
                }
                assert_eq!(Op::of(&gauge.count_field("x")), Op::Add, "{}", gauge.series);
            }
        }
    }

    #[test]
    fn gauges_sharing_a_series_never_write_the_same_field() {
        let gauges: Vec<&GaugeDef> = ENTITIES.iter().flat_map(|def| def.gauges.iter()).collect();
        for (i, a) in gauges.iter().enumerate() {
            // Gauges at different grains (a day's payments, an hour's) write different buckets.
            let same_cells = |b: &&&GaugeDef| {
                b.series == a.series
                    && b.group_by == a.group_by
                    && std::mem::discriminant(&b.at) == std::mem::discriminant(&a.at)
            };
            for b in gauges.iter().skip(i + 1).filter(same_cells) {
                assert_ne!(a.prefix, b.prefix, "{}: two gauges under one prefix", a.series);
            }
            for series in SERIES.iter().filter(|series| series.name == a.series) {
                assert!(!series.prefix.starts_with(a.prefix) && !a.prefix.starts_with(series.prefix), "{}", a.series);
            }
        }
    }

    fn agent(status: &str, level: Option<f64>) -> EntityRecord {
        let mut data = serde_json::Map::new();
        if let Some(level) = level {
            data.insert("training_level".into(), level.into());
        }
        let at = "2025-01-15T10:00:00Z".parse().expect("ts");
        EntityRecord {
            version: super::super::Version { at, event_id: "e".into() },
            first_seen: at,
            state: Some(status.into()),
            data,
        }
    }

    #[test]
    fn an_agent_is_ready_when_active_and_trained_enough_and_low_below_half() {
        assert_eq!(agents::readiness(&agent("active", Some(70.0))), Some("ready"));
        assert_eq!(agents::readiness(&agent("active", Some(69.9))), Some("not_ready"));
        assert_eq!(agents::readiness(&agent("paused", Some(95.0))), Some("not_ready"));
        assert_eq!(agents::training(&agent("active", Some(49.0))), Some("low"));
        assert_eq!(agents::training(&agent("active", None)), Some("unknown"));
    }

    #[test]
    fn a_dated_gauge_counts_in_the_local_day_of_its_instant() {
        let paris = crate::time::time_zone("Europe/Paris").expect("zone");
        let mut user = agent("active", None);
        user.data.insert("signed_up_at".into(), "2025-01-14T23:30:00Z".into());
        let unit = users::JOINED.unit(&user, &paris).expect("counted");
        assert_eq!(unit.cell, CellKey::new("workspace_activity", Bucket::Day(jiff::civil::date(2025, 1, 15))));
        assert_eq!(unit.fields, vec![("users_joined.all".to_owned(), 1)]);
    }
}
