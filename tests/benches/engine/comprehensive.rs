//! Seed 001's scenario: one call-centre workspace of about 1,000,000 events (users who join over
//! 120 days, their subscriptions and monthly payments, agents, customers, callbacks, and the bulk:
//! calls over 60 days), and the admin page read uncached from it, against DuckDB computing the
//! same page numbers from the raw events.
//!
//! `BENCH_SCALE` (a factor, default 1) shrinks the workspace for a quicker run while developing.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use domain::WorkspaceId;
use domain::events::catalog::CALL_OUTCOMES;
use domain::views::call_centre::admin::{AdminComprehensive, admin_page};
use domain::views::call_centre::{Calendar, SUCCESSFUL_OUTCOMES};
use embedded::SqliteStore;
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

use super::{
    BATCH, Latency, ZONE, create_workspace, decimal_micros, duckdb_latency, duckdb_version, ingest_body, latency,
    latest, ms, run_duckdb, scaled,
};

const WS: &str = "ws-callcentre";
/// The admin whose page is read.
const ADMIN: &str = "u_admin";
const TARGET_EVENTS: usize = 1_000_000;
const USERS: usize = 2_000;
const AGENTS: usize = 50;
const CUSTOMERS: usize = 20_000;
const CALLBACKS: usize = 5_000;
const CALL_DAYS: i64 = 60;
const JOIN_DAYS: i64 = 120;
const VIEW_RUNS: usize = 2000;
const DUCKDB_RUNS: usize = 100;
/// The fields of the page the DuckDB baseline computes too, each checked to agree.
pub const COVERED: &[&str] = &[
    "summary_stats (total_users, active_users, new_users_today/this_week/this_month)",
    "call_statistics (total_calls, calls_today/this_week/this_month, successful_calls, converted_calls, calls_by_outcome)",
    "subscription_metrics (total, active, inactive, cancelled, past_due, subscription_by_plans)",
    "billing_revenue (total_revenue, revenue_today/this_week/this_month, pending_payments, failed_payments)",
    "customer_management (total_customers, hot/warm/cold leads, converted_customers, do_not_call_list)",
    "callback_management.overdue_callbacks",
    "recent_activities.recent_calls (the newest 10: id, outcome, completed_at, duration)",
];

const PLANS: &[(&str, f64)] = &[("Starter Plan", 29.0), ("Pro Plan", 99.0), ("Business Plan", 249.0)];
/// Outcomes of a call and how often they happen, with a duration range in seconds; `voicemail`
/// is outside the catalog's outcomes, so the page counts it as `other`.
const OUTCOMES: &[(&str, f64, f64, f64)] = &[
    ("converted", 0.10, 240.0, 600.0),
    ("interested", 0.18, 150.0, 420.0),
    ("not_interested", 0.25, 40.0, 180.0),
    ("completed", 0.10, 90.0, 300.0),
    ("no_answer", 0.22, 20.0, 40.0),
    ("busy", 0.08, 2.0, 8.0),
    ("failed", 0.05, 0.0, 4.0),
    ("voicemail", 0.02, 25.0, 45.0),
];

/// The instant the page is read at: Thursday 27 March 2025, 16:00 in Paris, so that this week
/// (from Monday) and this month are longer than today. Every event is at or before it.
fn page_now() -> Timestamp {
    "2025-03-27T15:00:00Z".parse().expect("timestamp")
}

/// The workspace's size: the full one times `BENCH_SCALE`.
struct Size {
    users: usize,
    customers: usize,
    callbacks: usize,
    events: usize,
}

impl Size {
    fn from_env() -> Size {
        Size {
            users: scaled(USERS),
            customers: scaled(CUSTOMERS),
            callbacks: scaled(CALLBACKS),
            events: scaled(TARGET_EVENTS),
        }
    }
}

/// A completed call, kept small until its batch becomes JSON (most of the events are calls).
#[derive(Clone, Copy)]
struct GeneratedCall {
    n: u32,
    user: u32,
    agent: u32,
    customer: u32,
    outcome: u8,
    inbound: bool,
    duration_ds: u32,
    /// 0 when not rated.
    satisfaction: u8,
}

enum Generated {
    /// Any other event, whole: there are few of them.
    Record(Box<Value>),
    Call(GeneratedCall),
}

fn user_id(n: usize) -> String {
    if n == 0 { ADMIN.to_owned() } else { format!("u{n:05}") }
}

fn at(seconds: i64) -> String {
    Timestamp::from_second(seconds).expect("ts").to_string()
}

fn record(events: &mut Vec<(i64, Generated)>, seconds: i64, id: String, kind: &str, data: Value) {
    let event = json!({"id": id, "type": kind, "occurred_at": at(seconds), "data": data});
    events.push((seconds, Generated::Record(Box::new(event))));
}

fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// Every event of the workspace but its settings, chronological as producers send them.
fn workspace_events(size: &Size, rng: &mut StdRng) -> Vec<(i64, Generated)> {
    const DAY: i64 = 86_400;
    const HOUR: i64 = 3_600;
    let now = page_now().as_second();
    let mut events = Vec::with_capacity(size.events);

    for n in 0..size.users {
        let id = user_id(n);
        // Sign-ups accelerate: ages skewed towards zero, so that some join today.
        let joined = now - ((1.0 - rng.random::<f64>().sqrt()) * (JOIN_DAYS * DAY) as f64) as i64;
        let status = if chance(rng, 0.92) { "active" } else { "inactive" };
        // One user in ten has no `signed_up_at`: they joined when first seen.
        let signed_up_at = (!chance(rng, 0.1)).then(|| at(joined));
        let user = |status: &str| {
            json!({"user_id": id, "email": format!("user{n}@example.com"), "full_name": format!("User {n}"),
                   "role": if n == 0 { "admin" } else { "user" }, "status": status, "signed_up_at": signed_up_at})
        };
        record(&mut events, joined, format!("user-{id}-0"), "user.upserted", user("active"));
        if status != "active" || chance(rng, 0.05) {
            // A later change of status: the page counts the newest record.
            let changed = (joined + rng.random_range(1..=(now - joined).max(1))).min(now);
            record(&mut events, changed, format!("user-{id}-1"), "user.upserted", user(status));
        }
        if n != 0 && chance(rng, 0.15) {
            continue; // never subscribed
        }
        subscribe(&mut events, rng, &id, joined, now);
    }

    for n in 0..AGENTS {
        let (status, level) = match rng.random::<f64>() {
            r if r < 0.70 => ("active", rng.random_range(70.0..99.0f64)),
            r if r < 0.82 => ("training", rng.random_range(20.0..69.0)),
            r if r < 0.90 => ("learning", rng.random_range(40.0..80.0)),
            _ => ("paused", rng.random_range(50.0..95.0)),
        };
        let owner = user_id(1 + n % (size.users - 1));
        record(
            &mut events,
            now - JOIN_DAYS * DAY,
            format!("agent-a{n:02}"),
            "agent.upserted",
            json!({"agent_id": format!("a{n:02}"), "name": format!("Agent {n}"), "kind": "ai", "owner_user_id": owner,
                   "status": status, "training_level": level.round()}),
        );
    }

    for n in 0..size.customers {
        let first_seen = now - rng.random_range(60..90 * DAY);
        let customer = |temperature: &str, converted: bool| {
            json!({"customer_id": format!("k{n:05}"), "owner_user_id": user_id(spread(n, size.users)),
                   "name": format!("Customer {n}"), "temperature": temperature, "converted": converted,
                   "do_not_call": n % 97 == 0})
        };
        let temperature = ["hot", "warm", "cold", "cold"][n % 4];
        record(
            &mut events,
            first_seen,
            format!("customer-k{n:05}-0"),
            "customer.upserted",
            customer(temperature, false),
        );
        if chance(rng, 0.1) {
            // Warmed up, and sometimes converted, later.
            let changed = first_seen + rng.random_range(1..=(now - first_seen));
            record(
                &mut events,
                changed,
                format!("customer-k{n:05}-1"),
                "customer.upserted",
                customer("hot", chance(rng, 0.5)),
            );
        }
    }

    for n in 0..size.callbacks {
        let due = now + rng.random_range(-96 * HOUR..120 * HOUR);
        let created = due.min(now) - rng.random_range(HOUR..72 * HOUR);
        let callback = |status: &str| {
            json!({"callback_id": format!("cb{n}"), "owner_user_id": user_id(spread(n, size.users)),
                   "agent_id": format!("a{:02}", n % AGENTS), "customer_id": format!("k{:05}", n % size.customers),
                   "customer_name": format!("Customer {n}"), "customer_phone": format!("+1555{n:07}"),
                   "scheduled_at": at(due), "status": status, "priority_level": (["high", "medium", "low"][n % 3]),
                   "reason": "Follow up on pricing"})
        };
        record(&mut events, created, format!("callback-cb{n}-0"), "callback.upserted", callback("scheduled"));
        // Most callbacks due in the past were done; some are cancelled; the rest are overdue.
        let outcome = match (due < now, rng.random::<f64>()) {
            (true, r) if r < 0.7 => Some("completed"),
            (_, r) if r < 0.08 => Some("cancelled"),
            _ => None,
        };
        if let Some(status) = outcome {
            let changed = (due.min(now) + rng.random_range(0..HOUR)).clamp(created + 1, now);
            record(&mut events, changed, format!("callback-cb{n}-1"), "callback.upserted", callback(status));
        }
    }

    for (n, status) in ["queued", "queued", "active", "active", "queued"].into_iter().enumerate() {
        record(
            &mut events,
            now - 60 * (n as i64 + 1),
            format!("status-live{n}"),
            "call.status",
            json!({"call_id": format!("live{n}"), "status": status, "agent_id": format!("a{n:02}"), "user_id": user_id(n + 1)}),
        );
    }

    // The rest are calls, over the last 60 days up to now.
    let calls = size.events.saturating_sub(events.len() + 1);
    for n in 0..calls {
        let ended = now - rng.random_range(0..CALL_DAYS * DAY);
        let mut roll: f64 = rng.random();
        let outcome = OUTCOMES
            .iter()
            .position(|(_, share, _, _)| {
                roll -= share;
                roll < 0.0
            })
            .unwrap_or(0);
        let (_, _, low, high) = OUTCOMES[outcome];
        let reached = !matches!(OUTCOMES[outcome].0, "no_answer" | "busy" | "failed" | "voicemail");
        let call = GeneratedCall {
            n: n as u32,
            user: rng.random_range(0..size.users) as u32,
            agent: rng.random_range(0..AGENTS) as u32,
            customer: rng.random_range(0..size.customers) as u32,
            outcome: outcome as u8,
            inbound: chance(rng, 0.3),
            duration_ds: ((low + (high - low) * rng.random::<f64>()) * 10.0).round() as u32,
            satisfaction: if reached && chance(rng, 0.6) { rng.random_range(1..=5) } else { 0 },
        };
        events.push((ended, Generated::Call(call)));
    }
    events.sort_by_key(|(at, _)| *at);
    events
}

/// The `n`th customer's or callback's owner: spread over the users without a random draw.
fn spread(n: usize, users: usize) -> usize {
    (n * 7919) % users
}

/// A subscription from `joined` with monthly payments up to now: some fail and are retried,
/// some are refunded, some are pending; the subscription's latest record may leave it active,
/// cancelled, past due or inactive.
fn subscribe(events: &mut Vec<(i64, Generated)>, rng: &mut StdRng, user: &str, joined: i64, now: i64) {
    const DAY: i64 = 86_400;
    let (plan, price) = PLANS[rng.random_range(0..PLANS.len())];
    let subscription = format!("sub-{user}");
    let started = (joined + 3_600).min(now);
    let status = match rng.random::<f64>() {
        r if r < 0.08 => "cancelled",
        r if r < 0.12 => "past_due",
        r if r < 0.16 => "inactive",
        _ => "active",
    };
    let record_of = |status: &str| {
        json!({"subscription_id": subscription, "user_id": user, "plan_name": plan, "plan_price": price,
               "interval": "month", "status": status, "cancel_at_period_end": false})
    };
    record(events, started, format!("{subscription}-0"), "subscription.upserted", record_of("active"));
    if status != "active" && started < now {
        let changed = started + rng.random_range(1..=(now - started));
        record(events, changed, format!("{subscription}-1"), "subscription.upserted", record_of(status));
    }
    for month in 0.. {
        let paid_at = started + month * 30 * DAY + 60;
        if paid_at > now {
            break;
        }
        let payment = format!("pay-{user}-{month}");
        let payment_of = |status: &str| {
            json!({"payment_id": payment, "user_id": user, "amount": price, "currency": "USD", "status": status,
                   "description": format!("{plan} - Monthly")})
        };
        let first = if chance(rng, 0.06) { "failed" } else { "paid" };
        record(events, paid_at, format!("{payment}-0"), "payment.recorded", payment_of(first));
        // A failure is mostly retried and paid two days later; a payment is sometimes refunded.
        let later = match first {
            "failed" if chance(rng, 0.7) => Some("paid"),
            "paid" if chance(rng, 0.02) => Some("refunded"),
            _ => None,
        };
        if let Some(status) = later.filter(|_| paid_at + 2 * DAY <= now) {
            record(events, paid_at + 2 * DAY, format!("{payment}-1"), "payment.recorded", payment_of(status));
        }
    }
    if status == "active" && chance(rng, 0.2) {
        let payment = format!("pay-{user}-next");
        record(
            events,
            now - rng.random_range(60..48 * 3_600),
            format!("{payment}-0"),
            "payment.recorded",
            json!({"payment_id": payment, "user_id": user, "amount": price, "currency": "USD", "status": "pending"}),
        );
    }
}

fn body(events: &[(i64, Generated)]) -> String {
    let events: Vec<Value> = events
        .iter()
        .map(|(seconds, event)| match event {
            Generated::Record(event) => (**event).clone(),
            Generated::Call(call) => {
                let (outcome, ..) = OUTCOMES[usize::from(call.outcome)];
                let mut data = json!({"call_id": format!("c{}", call.n), "user_id": user_id(call.user as usize),
                    "agent_id": format!("a{:02}", call.agent), "customer_id": format!("k{:05}", call.customer),
                    "phone_number": format!("+1555{:07}", call.customer), "outcome": outcome,
                    "call_type": if call.inbound { "inbound" } else { "outbound" },
                    "duration_s": f64::from(call.duration_ds) / 10.0});
                if call.satisfaction > 0 {
                    data["satisfaction"] = Value::from(call.satisfaction);
                }
                json!({"id": format!("call-{}", call.n), "type": "call.completed", "occurred_at": at(*seconds), "data": data})
            }
        })
        .collect();
    json!({ "events": events }).to_string()
}

/// Local day boundaries of the page, in Unix microseconds: what the baseline's SQL counts
/// between (DuckDB has no zone here; the view's calendar is the workspace's).
struct Bounds {
    today: i64,
    week: i64,
    month: i64,
    tomorrow: i64,
    now: i64,
}

impl Bounds {
    fn of(now: Timestamp) -> Bounds {
        let tz = jiff::tz::TimeZone::get(ZONE).expect("zone");
        let calendar = Calendar::new(now, &tz);
        let start = |day| domain::time::start_of_local_day(day, &tz).expect("midnight").as_microsecond();
        Bounds {
            today: start(calendar.today),
            week: start(calendar.week_start),
            month: start(calendar.month_start),
            tomorrow: start(domain::time::add_days(calendar.today, 1)),
            now: now.as_microsecond(),
        }
    }
}

/// `'a', 'b'`: a list of names for SQL's `IN`.
fn sql_list(names: &[&str]) -> String {
    names.iter().map(|name| format!("'{name}'")).collect::<Vec<_>>().join(", ")
}

/// The tables and the query set of the admin page's baseline (see `duckdb_baseline.py`).
fn duckdb_spec(sqlite: &Path, bounds: &Bounds) -> Value {
    let table = |name: &str, kind: &str, columns: Value| json!({"name": name, "ws": WS, "type": kind, "event_id": true, "columns": columns});
    let spans = "count(*) FILTER (WHERE {t} >= $1 AND {t} < $4), count(*) FILTER (WHERE {t} >= $2 AND {t} < $4), \
                 count(*) FILTER (WHERE {t} >= $3 AND {t} < $4)";
    let days = [bounds.today, bounds.week, bounds.month, bounds.tomorrow];
    let revenue = |from: &str| {
        format!(
            "coalesce(sum(amount) FILTER (WHERE status = 'paid' AND occurred_at >= {from} AND occurred_at < $4), 0)"
        )
    };
    let queries = json!([
        {"name": "users", "params": days,
         "sql": format!("SELECT count(*), count(*) FILTER (WHERE status = 'active'), {}
                 FROM (SELECT status, coalesce(epoch_us(signed_up_at), min(occurred_at) OVER (PARTITION BY user_id)) AS joined
                       FROM cc_users QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY occurred_at DESC, event_id DESC) = 1)",
                 spans.replace("{t}", "joined"))},
        {"name": "calls", "params": days,
         "sql": format!("SELECT count(*), {}, count(*) FILTER (WHERE outcome IN ({})), count(*) FILTER (WHERE outcome = 'converted')
                 FROM cc_calls", spans.replace("{t}", "occurred_at"), sql_list(SUCCESSFUL_OUTCOMES))},
        {"name": "calls_by_outcome", "params": [],
         "sql": format!("SELECT CASE WHEN outcome IN ({}) THEN outcome ELSE 'other' END AS named, count(*)
                 FROM cc_calls GROUP BY named", sql_list(CALL_OUTCOMES))},
        {"name": "subscriptions_by_status", "params": [],
         "sql": format!("SELECT status, count(*) FROM ({}) GROUP BY status", latest("cc_subscriptions", "subscription_id"))},
        {"name": "active_subscriptions_by_plan", "params": [],
         "sql": format!("SELECT plan_name, plan_price, count(*) FROM ({}) WHERE status = 'active' GROUP BY ALL",
                 latest("cc_subscriptions", "subscription_id"))},
        {"name": "payments", "params": days,
         "sql": format!("SELECT coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0), {}, {}, {},
                        count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'failed')
                 FROM ({})", revenue("$1"), revenue("$2"), revenue("$3"), latest("cc_payments", "payment_id"))},
        {"name": "customers", "params": [],
         "sql": format!("SELECT count(*), count(*) FILTER (WHERE temperature = 'hot'), count(*) FILTER (WHERE temperature = 'warm'),
                        count(*) FILTER (WHERE temperature = 'cold'), count(*) FILTER (WHERE converted),
                        count(*) FILTER (WHERE do_not_call)
                 FROM ({})", latest("cc_customers", "customer_id"))},
        {"name": "overdue_callbacks", "params": [bounds.now],
         "sql": format!("SELECT count(*) FROM ({}) WHERE status = 'scheduled' AND epoch_us(scheduled_at) < $1",
                 latest("cc_callbacks", "callback_id"))},
        {"name": "newest_calls", "params": [],
         "sql": "SELECT call_id, outcome, occurred_at, duration_s FROM cc_calls ORDER BY occurred_at DESC, event_id DESC LIMIT 10"},
    ]);
    json!({
        "sqlite": sqlite,
        "tables": [
            table("cc_users", "user.upserted", json!([["user_id", "VARCHAR"], ["status", "VARCHAR"], ["signed_up_at", "TIMESTAMP"]])),
            table("cc_subscriptions", "subscription.upserted", json!([["subscription_id", "VARCHAR"], ["plan_name", "VARCHAR"],
                ["plan_price", "DECIMAL(18,6)"], ["status", "VARCHAR"]])),
            table("cc_payments", "payment.recorded", json!([["payment_id", "VARCHAR"], ["amount", "DECIMAL(18,6)"], ["status", "VARCHAR"]])),
            table("cc_customers", "customer.upserted", json!([["customer_id", "VARCHAR"], ["temperature", "VARCHAR"],
                ["converted", "BOOLEAN"], ["do_not_call", "BOOLEAN"]])),
            table("cc_callbacks", "callback.upserted", json!([["callback_id", "VARCHAR"], ["scheduled_at", "TIMESTAMP"], ["status", "VARCHAR"]])),
            table("cc_calls", "call.completed", json!([["call_id", "VARCHAR"], ["outcome", "VARCHAR"], ["duration_s", "DECIMAL(18,6)"]])),
        ],
        "sets": [{"name": "admin_page", "runs": DUCKDB_RUNS, "queries": queries}],
    })
}

/// Money of the page (rounded to cents) in cents.
fn cents(money: f64) -> i128 {
    (money * 100.0).round() as i128
}

/// Checks every field the baseline covers against the page; panics on the first disagreement,
/// since a comparison of different numbers means nothing.
fn check_agreement(page: &AdminComprehensive, rows: &Value) {
    let query = |name: &str| -> Vec<Vec<Option<String>>> {
        rows[name]
            .as_array()
            .unwrap_or_else(|| panic!("DuckDB answered no rows for {name}"))
            .iter()
            .map(|row| row.as_array().expect("a row").iter().map(|v| v.as_str().map(str::to_owned)).collect())
            .collect()
    };
    let only_row = |name: &str| query(name).into_iter().next().unwrap_or_else(|| panic!("{name}: no row"));
    let int = |value: &Option<String>| value.as_deref().expect("a count").parse::<i64>().expect("an integer");
    let counts = |name: &str| only_row(name).iter().map(int).collect::<Vec<_>>();
    let tally = |name: &str| -> BTreeMap<String, i64> {
        query(name).iter().map(|row| (row[0].clone().expect("a name"), int(&row[1]))).collect()
    };

    let users = &page.summary_stats;
    assert_eq!(
        counts("users"),
        [
            users.total_users,
            users.active_users,
            users.new_users_today,
            users.new_users_this_week,
            users.new_users_this_month
        ],
        "users: DuckDB and the view disagree"
    );

    let calls = &page.call_statistics.counts;
    assert_eq!(
        counts("calls"),
        [
            calls.total_calls,
            calls.calls_today,
            calls.calls_this_week,
            calls.calls_this_month,
            calls.successful_calls,
            calls.converted_calls
        ],
        "calls: DuckDB and the view disagree"
    );
    let by_outcome: BTreeMap<String, i64> =
        page.call_statistics.calls_by_outcome.iter().map(|o| (o.outcome.clone(), o.count)).collect();
    assert_eq!(tally("calls_by_outcome"), by_outcome, "calls by outcome: DuckDB and the view disagree");

    let subscriptions = &page.subscription_metrics;
    let by_status = tally("subscriptions_by_status");
    let status = |name: &str| by_status.get(name).copied().unwrap_or(0);
    assert_eq!(
        [
            by_status.values().sum::<i64>(),
            status("active"),
            status("inactive"),
            status("cancelled"),
            status("past_due")
        ],
        [
            subscriptions.total_subscriptions,
            subscriptions.active_subscriptions,
            subscriptions.inactive_subscriptions,
            subscriptions.cancelled_subscriptions,
            subscriptions.past_due_subscriptions
        ],
        "subscriptions: DuckDB and the view disagree"
    );
    let by_plan: BTreeMap<(String, String), i64> = query("active_subscriptions_by_plan")
        .iter()
        .map(|row| {
            let price = decimal_micros(row[1].as_deref().expect("a price"));
            let price = format!("{}.{:02}", price / 1_000_000, price % 1_000_000 / 10_000);
            ((row[0].clone().expect("a plan"), price), int(&row[2]))
        })
        .collect();
    let page_plans: BTreeMap<(String, String), i64> = subscriptions
        .subscription_by_plans
        .iter()
        .map(|plan| {
            ((plan.plan_name.clone().unwrap_or_default(), plan.plan_price.clone().unwrap_or_default()), plan.count)
        })
        .collect();
    assert_eq!(by_plan, page_plans, "active subscriptions by plan: DuckDB and the view disagree");

    let billing = &page.billing_revenue;
    let payments = only_row("payments");
    let money_cents = |i: usize| decimal_micros(payments[i].as_deref().expect("a sum")) / 10_000;
    assert_eq!(
        (money_cents(0), money_cents(1), money_cents(2), money_cents(3), int(&payments[4]), int(&payments[5])),
        (
            cents(billing.total_revenue),
            cents(billing.revenue_today),
            cents(billing.revenue_this_week),
            cents(billing.revenue_this_month),
            billing.pending_payments,
            billing.failed_payments
        ),
        "billing: DuckDB and the view disagree"
    );

    let customers = &page.customer_management;
    assert_eq!(
        counts("customers"),
        [
            customers.total_customers,
            customers.hot_leads,
            customers.warm_leads,
            customers.cold_leads,
            customers.converted_customers,
            customers.do_not_call_list
        ],
        "customers: DuckDB and the view disagree"
    );

    assert_eq!(
        counts("overdue_callbacks"),
        [page.callback_management.overdue_callbacks],
        "overdue callbacks: DuckDB and the view disagree"
    );

    let newest: Vec<(String, Option<String>, i64, i128)> = query("newest_calls")
        .iter()
        .map(|row| {
            (
                row[0].clone().expect("a call id"),
                row[1].clone(),
                int(&row[2]),
                decimal_micros(row[3].as_deref().expect("a duration")),
            )
        })
        .collect();
    let page_newest: Vec<(String, Option<String>, i64, i128)> = page
        .recent_activities
        .recent_calls
        .iter()
        .map(|call| {
            (
                call.id.clone(),
                call.outcome.clone(),
                call.completed_at.map(|at| at.as_microsecond()).unwrap_or_default(),
                (call.duration_seconds * 1_000_000.0).round() as i128,
            )
        })
        .collect();
    assert_eq!(newest, page_newest, "the newest calls: DuckDB and the view disagree");
}

pub struct ComprehensiveResults {
    events: usize,
    calls: i64,
    users: i64,
    customers: i64,
    callbacks: i64,
    /// Some of the covered numbers as the page gave them, to show what was compared.
    compared: String,
    ingest: Duration,
    view: Latency,
    duckdb: Result<(Latency, String, Value), String>,
}

impl ComprehensiveResults {
    pub fn report(&self) -> String {
        let rate = self.events as f64 / self.ingest.as_secs_f64();
        let mut out = format!(
            "\n## Comprehensive dashboard (seed 001), admin page, uncached\n\n{} events of one call-centre workspace \
             ({} users, most of them subscribed and paying monthly, {AGENTS} agents, {} customers, {} callbacks, {} \
             `call.completed` over {CALL_DAYS} days), ingested at {rate:.0} events/s. The admin page (`admin_page`, \
             eight store reads issued at once) against DuckDB computing the same numbers from the raw events loaded \
             into typed tables of a database file, in arrival order: one run executes and fetches a set of {} queries (timed from Python). \
             Fields the baseline covers, each checked to agree with the page:\n\n",
            self.events,
            self.users,
            self.customers,
            self.callbacks,
            self.calls,
            query_count(),
        );
        for field in COVERED {
            out.push_str(&format!("- {field}\n"));
        }
        out.push_str(
            "\nNot covered (the page has them, the baseline does not compute them): agents and their performance, \
             live calls, callbacks by status and day, new subscriptions and customers by day, subscriptions \
             expiring, trends, the newest users and subscription changes, quick actions and alerts.\n\n",
        );
        match &self.duckdb {
            Ok((duck, version, tables)) => {
                let loaded: Vec<String> = tables
                    .as_object()
                    .map(|tables| tables.iter().map(|(name, table)| format!("{name} {} rows", table["rows"])).collect())
                    .unwrap_or_default();
                let load_s: f64 = tables
                    .as_object()
                    .map(|tables| tables.values().filter_map(|t| t["load_s"].as_f64()).sum())
                    .unwrap_or(0.0);
                out.push_str(&format!(
                    "| events | ingest | view p50 | view p99 | DuckDB {version} p50 | DuckDB p99 | DuckDB / view (p50) | runs (view / DuckDB) |\n\
                     |---|---|---|---|---|---|---|---|\n\
                     | {} | {rate:.0} events/s | {:.3} ms | {:.3} ms | {:.2} ms | {:.2} ms | {:.0}× | {} / {} |\n\n\
                     DuckDB loaded {} in {load_s:.1} s (not timed against the view). Both computed, among the rest: {}.\n",
                    self.events,
                    ms(self.view.p50),
                    ms(self.view.p99),
                    ms(duck.p50),
                    ms(duck.p99),
                    duck.p50.as_secs_f64() / self.view.p50.as_secs_f64(),
                    self.view.runs,
                    duck.runs,
                    loaded.join(", "),
                    self.compared,
                ));
            }
            Err(why) => out.push_str(&format!(
                "| events | ingest | view p50 | view p99 | runs |\n|---|---|---|---|---|\n\
                 | {} | {rate:.0} events/s | {:.3} ms | {:.3} ms | {} |\n\nDuckDB baseline not run: {why}.\n",
                self.events,
                ms(self.view.p50),
                ms(self.view.p99),
                self.view.runs
            )),
        }
        out.push_str(&format!(
            "\nTarget at about 1,000,000 events: admin page p99 under 10 ms: {} ({:.3} ms).\n",
            if ms(self.view.p99) < 10.0 { "met" } else { "NOT met" },
            ms(self.view.p99)
        ));
        out
    }
}

fn compared_numbers(page: &AdminComprehensive) -> String {
    let (users, calls) = (&page.summary_stats, &page.call_statistics.counts);
    let (billing, subscriptions) = (&page.billing_revenue, &page.subscription_metrics);
    format!(
        "{} users ({} active; new {} today, {} this week, {} this month), {} calls ({} today, {} this week, \
         {} this month; {} successful), {} active subscriptions on {} plans, revenue {:.2} today and {:.2} this \
         month, {} overdue callbacks",
        users.total_users,
        users.active_users,
        users.new_users_today,
        users.new_users_this_week,
        users.new_users_this_month,
        calls.total_calls,
        calls.calls_today,
        calls.calls_this_week,
        calls.calls_this_month,
        calls.successful_calls,
        subscriptions.active_subscriptions,
        subscriptions.subscription_by_plans.len(),
        billing.revenue_today,
        billing.revenue_this_month,
        page.callback_management.overdue_callbacks,
    )
}

fn query_count() -> usize {
    let bounds = Bounds { today: 0, week: 0, month: 0, tomorrow: 0, now: 0 };
    duckdb_spec(Path::new(""), &bounds)["sets"][0]["queries"].as_array().map_or(0, Vec::len)
}

pub async fn scenario(store: &SqliteStore, path: &Path) -> ComprehensiveResults {
    let ws = WorkspaceId::parse(WS).expect("id");
    create_workspace(store, &ws, "Bench call centre").await;
    let size = Size::from_env();
    let mut rng = StdRng::seed_from_u64(1);
    let events = workspace_events(&size, &mut rng);
    let mut ingested = 1;
    let mut ingest = Duration::ZERO;
    for batch in events.chunks(BATCH) {
        let body = body(batch);
        let started = Instant::now();
        ingested += ingest_body(store, &ws, &body).await;
        ingest += started.elapsed();
    }
    drop(events);
    eprintln!("{ingested} call-centre events: ingested in {:.1} s", ingest.as_secs_f64());

    let now = page_now();
    let mut samples = Vec::with_capacity(VIEW_RUNS);
    let mut page = None;
    for _ in 0..VIEW_RUNS {
        let started = Instant::now();
        page = Some(admin_page(store, &ws, (ADMIN, "admin"), now).await.expect("admin page"));
        samples.push(started.elapsed());
    }
    let page = page.expect("ran").body;

    let duckdb = run_duckdb(&duckdb_spec(path, &Bounds::of(now))).map(|report| {
        let set = &report["sets"]["admin_page"];
        check_agreement(&page, &set["rows"]);
        (duckdb_latency(set), duckdb_version(&report), report["tables"].clone())
    });
    if let Err(why) = &duckdb {
        eprintln!("DuckDB baseline not run: {why}");
    }
    let compared = compared_numbers(&page);
    ComprehensiveResults {
        compared,
        events: ingested,
        calls: page.call_statistics.counts.total_calls,
        users: page.summary_stats.total_users,
        customers: page.customer_management.total_customers,
        callbacks: page.callback_management.total_callbacks,
        ingest,
        view: latency(samples),
        duckdb,
    }
}
