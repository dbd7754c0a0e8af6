//! Seed 001's demo: a call-centre SaaS workspace. Its customers (users) sign up over four months,
//! subscribe to plans, pay monthly (a few payments fail and are retried), own AI agents in every
//! state of training and their own customers; calls run for 60 days with realistic outcomes and
//! ratings; callbacks are scheduled, done, missed. `u_user` (the banner's user token) is one such
//! customer with a ready agent, `u_agent` a human agent with a queue and assigned callbacks, so
//! each role's page has something to show. A live feed keeps calls coming.

use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};
use web::Ports;

use super::{Events, ingest};

pub const WORKSPACE: &str = "ws_callcentre";
pub const TIME_ZONE: &str = "America/New_York";
const USERS: usize = 150;
const CUSTOMERS_PER_USER: usize = 10;
const CALL_DAYS: i64 = 60;

const PLANS: &[(&str, f64)] = &[("Starter Plan", 29.0), ("Pro Plan", 99.0), ("Business Plan", 249.0)];
const FIRST_NAMES: &[&str] = &["Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mason"];
const LAST_NAMES: &[&str] =
    &["Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Moore", "Clark", "Lewis"];
/// Outcomes of an AI sales call and how often they happen, with a duration range in seconds.
const OUTCOMES: &[(&str, f64, f64, f64)] = &[
    ("converted", 0.10, 240.0, 600.0),
    ("interested", 0.18, 150.0, 420.0),
    ("not_interested", 0.27, 40.0, 180.0),
    ("completed", 0.10, 90.0, 300.0),
    ("no_answer", 0.22, 20.0, 40.0),
    ("busy", 0.08, 2.0, 8.0),
    ("failed", 0.05, 0.0, 4.0),
];

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

fn user_id(n: usize) -> String {
    if n == 0 { "u_user".to_owned() } else { format!("u{n:04}") }
}

fn phone(rng: &mut StdRng) -> String {
    format!("+1555{:07}", rng.random_range(0..10_000_000))
}

fn pick_outcome(rng: &mut StdRng) -> (&'static str, f64) {
    let mut roll: f64 = rng.random();
    for (outcome, share, low, high) in OUTCOMES {
        if roll < *share {
            return (outcome, low + (high - low) * rng.random::<f64>());
        }
        roll -= share;
    }
    ("completed", 120.0)
}

/// A completed call of `user` handled by `agent`, ending at `at`.
fn call(events: &mut Events, rng: &mut StdRng, id: String, at: Timestamp, user: &str, agent: &str) {
    let (outcome, duration) = pick_outcome(rng);
    let mut data = json!({
        "call_id": id, "user_id": user, "agent_id": agent, "customer_id": format!("{user}-k{}", rng.random_range(0..CUSTOMERS_PER_USER)),
        "phone_number": phone(rng), "call_type": if rng.random::<f64>() < 0.7 { "outbound" } else { "inbound" },
        "outcome": outcome, "duration_s": (duration * 10.0).round() / 10.0,
    });
    let reached = !matches!(outcome, "no_answer" | "busy" | "failed");
    if reached && rng.random::<f64>() < 0.6 {
        let rating = match outcome {
            "converted" | "interested" => rng.random_range(4..=5),
            "not_interested" => rng.random_range(2..=4),
            _ => rng.random_range(3..=5),
        };
        data["satisfaction"] = Value::from(rating);
    }
    if outcome == "converted" {
        data["customer_response"] = Value::from("Agreed to a demo and asked for the pricing sheet.");
    }
    events.push(format!("cc-{id}"), "call.completed", at, data);
}

/// Every event of the workspace but its settings, as of `now`.
pub fn events(now: Timestamp) -> Events {
    let mut rng = StdRng::seed_from_u64(20_261_204);
    let mut events = Events::default();
    let origin = now - days(120);
    events.push(
        "cc-user-admin".into(),
        "user.upserted",
        origin,
        json!({"user_id": "u_admin", "email": "admin@callcentre.example", "full_name": "Alex Admin", "role": "admin", "status": "active",
               "signed_up_at": origin.to_string()}),
    );
    events.push(
        "cc-agent-human".into(),
        "agent.upserted",
        origin,
        json!({"agent_id": "u_agent", "name": "Sam Carter", "kind": "human", "status": "active", "training_level": 92,
               "personality_type": "friendly", "working_hours": {"start": "08:00", "end": "16:00"}}),
    );
    for n in 0..USERS {
        let id = user_id(n);
        // Sign-ups accelerate: more of them in recent weeks (ages skewed towards zero).
        let age = (1.0 - rng.random::<f64>().sqrt()) * 120.0 * 86_400.0;
        let joined = if n == 0 { now - days(45) } else { now - SignedDuration::from_secs(age as i64) };
        let (first, last) =
            (FIRST_NAMES[n % FIRST_NAMES.len()], LAST_NAMES[(n / FIRST_NAMES.len()) % LAST_NAMES.len()]);
        let status = if rng.random::<f64>() < 0.93 { "active" } else { "inactive" };
        let full_name = if n == 0 { "Olivia Bennett".to_owned() } else { format!("{first} {last}") };
        events.push(
            format!("cc-user-{id}"),
            "user.upserted",
            joined,
            json!({"user_id": id, "email": format!("{}.{}@example.com", first.to_lowercase(), n), "full_name": full_name,
                   "user_name": format!("{}{n}", first.to_lowercase()), "phone": phone(&mut rng), "status": status,
                   "signed_up_at": joined.to_string(), "is_verified": n % 5 != 3}),
        );
        if n != 0 && rng.random::<f64>() < 0.2 {
            continue; // a user who never subscribed
        }
        subscribe(&mut events, &mut rng, &id, n, joined, now);
        own_agent_and_customers(&mut events, &mut rng, &id, n, joined, now);
    }
    queue_and_live_calls(&mut events, now);
    events
}

/// A subscription from `joined`, billed monthly up to now; some are cancelled, some end with
/// their period, some fall past due.
fn subscribe(events: &mut Events, rng: &mut StdRng, user: &str, n: usize, joined: Timestamp, now: Timestamp) {
    let (plan, price) = if n == 0 { PLANS[1] } else { PLANS[rng.random_range(0..PLANS.len())] };
    let subscription = format!("sub-{user}");
    let roll: f64 = if n == 0 { 0.5 } else { rng.random() };
    let status = match roll {
        r if r < 0.08 => "cancelled",
        r if r < 0.12 => "past_due",
        r if r < 0.16 => "inactive",
        _ => "active",
    };
    // Monthly periods from the sign-up day, each paid when it starts; the current one is the
    // last started.
    let mut period_start = joined;
    for month in 0.. {
        let start = joined + days(30 * month);
        if start > now {
            break;
        }
        period_start = start;
        let (failed, payment, paid_at) =
            (n != 0 && rng.random::<f64>() < 0.06, format!("pay-{user}-{month}"), start + hours(1));
        if paid_at > now {
            break;
        }
        let record = |status: &str| {
            json!({"payment_id": payment, "user_id": user, "amount": price, "currency": "USD",
                                            "status": status, "description": format!("{plan} - Monthly")})
        };
        if failed {
            events.push(format!("cc-{payment}-failed"), "payment.recorded", paid_at, record("failed"));
            // Most failures are retried and paid two days later; the rest stay failed.
            if rng.random::<f64>() < 0.7 && paid_at + days(2) < now {
                events.push(format!("cc-{payment}-paid"), "payment.recorded", paid_at + days(2), record("paid"));
            }
        } else {
            events.push(format!("cc-{payment}-paid"), "payment.recorded", paid_at, record("paid"));
        }
    }
    let period_end = period_start + days(30);
    if status == "active" && rng.random::<f64>() < 0.2 {
        // A payment in flight for the coming period.
        let payment = format!("pay-{user}-next");
        events.push(
            format!("cc-{payment}-pending"),
            "payment.recorded",
            now - hours(rng.random_range(1..48)),
            json!({"payment_id": payment, "user_id": user, "amount": price, "currency": "USD", "status": "pending",
                   "description": format!("{plan} - Monthly")}),
        );
    }
    let cancel_at_period_end = status == "active" && n != 0 && rng.random::<f64>() < 0.1;
    events.push(
        format!("cc-{subscription}"),
        "subscription.upserted",
        joined,
        json!({"subscription_id": subscription, "user_id": user, "plan_name": plan, "plan_price": price, "interval": "month",
               "status": "active", "current_period_start": joined.to_string(), "current_period_end": (joined + days(30)).to_string(),
               "cancel_at_period_end": false, "features": ["AI Agent", "Analytics", "Call Recording"],
               "limits": {"call_limit": 1000, "agent_limit": 1, "max_minutes": 5000}}),
    );
    if period_start > joined {
        events.push(
            format!("cc-{subscription}-renewed"),
            "subscription.upserted",
            period_start.max(joined + hours(1)),
            json!({"subscription_id": subscription, "user_id": user, "plan_name": plan, "plan_price": price, "interval": "month",
                   "status": status, "current_period_start": period_start.to_string(), "current_period_end": period_end.to_string(),
                   "cancel_at_period_end": cancel_at_period_end, "features": ["AI Agent", "Analytics", "Call Recording"],
                   "limits": {"call_limit": 1000, "agent_limit": 1, "max_minutes": 5000}}),
        );
    }
}

/// The user's AI agent, customers, calls over the last 60 days and callbacks.
fn own_agent_and_customers(
    events: &mut Events,
    rng: &mut StdRng,
    user: &str,
    n: usize,
    joined: Timestamp,
    now: Timestamp,
) {
    let agent = format!("agent-{user}");
    let (status, level): (&str, f64) = match (n, rng.random::<f64>()) {
        (0, _) => ("active", 85.0),
        (_, r) if r < 0.70 => ("active", rng.random_range(70.0..99.0)),
        (_, r) if r < 0.82 => ("training", rng.random_range(20.0..69.0)),
        (_, r) if r < 0.90 => ("learning", rng.random_range(40.0..80.0)),
        _ => ("paused", rng.random_range(50.0..95.0)),
    };
    events.push(
        format!("cc-{agent}"),
        "agent.upserted",
        (joined + hours(2)).min(now),
        json!({"agent_id": agent, "name": if n == 0 { "My Sales Agent".to_owned() } else { format!("Agent {n}") }, "kind": "ai",
               "owner_user_id": user, "status": status, "training_level": level.round(),
               "personality_type": (["professional", "friendly", "concise"][n % 3]), "working_hours": {"start": "09:00", "end": "17:00"}}),
    );
    for k in 0..CUSTOMERS_PER_USER {
        let customer = format!("{user}-k{k}");
        let roll: f64 = rng.random();
        let temperature = if roll < 0.1 {
            "hot"
        } else if roll < 0.35 {
            "warm"
        } else {
            "cold"
        };
        let added = hours(3 + k as i64 * 24).min(now.duration_since(joined) - hours(1)).max(SignedDuration::ZERO);
        events.push(
            format!("cc-customer-{customer}"),
            "customer.upserted",
            joined + added,
            json!({"customer_id": customer, "owner_user_id": user, "name": format!("Customer {k} of {user}"), "phone": phone(rng),
                   "temperature": temperature, "converted": roll < 0.06, "do_not_call": rng.random::<f64>() < 0.01}),
        );
    }
    if status == "active" || n == 0 {
        let daily = if n == 0 { 3.0 } else { rng.random_range(0.2..1.2) };
        for day in 0..CALL_DAYS {
            let start = now - days(day + 1);
            if start < joined {
                break;
            }
            let count = (daily + rng.random::<f64>()).floor() as i64;
            for c in 0..count {
                let at = start + SignedDuration::from_secs(rng.random_range(0..86_400));
                call(
                    events,
                    rng,
                    format!("{user}-d{day}-{c}"),
                    at.min(now - SignedDuration::from_mins(1)),
                    user,
                    &agent,
                );
            }
        }
    }
    for cb in 0..rng.random_range(2..8) {
        let callback = format!("cb-{user}-{cb}");
        let due = now + hours(rng.random_range(-96..120));
        let status = match (due < now, rng.random::<f64>()) {
            (true, r) if r < 0.75 => "completed",
            (_, r) if r < 0.08 => "cancelled",
            _ => "scheduled",
        };
        let assigned = if cb % 3 == 0 { "u_agent".to_owned() } else { agent.clone() };
        events.push(
            format!("cc-{callback}"),
            "callback.upserted",
            now - days(5) + hours(cb),
            json!({"callback_id": callback, "owner_user_id": user, "agent_id": assigned, "customer_id": format!("{user}-k{cb}"),
                   "customer_name": format!("Customer {cb} of {user}"), "customer_phone": phone(rng), "scheduled_at": due.to_string(),
                   "status": status, "priority_level": (["high", "medium", "low"][cb as usize % 3]),
                   "reason": "Follow up on pricing inquiry"}),
        );
    }
}

/// A few calls waiting in `u_agent`'s queue and some in progress, as of now.
fn queue_and_live_calls(events: &mut Events, now: Timestamp) {
    for (n, minutes_ago, status) in
        [(1, 7, "queued"), (2, 3, "queued"), (3, 1, "queued"), (4, 2, "active"), (5, 4, "active")]
    {
        events.push(
            format!("cc-live-{n}-{status}"),
            "call.status",
            now - SignedDuration::from_mins(minutes_ago),
            json!({"call_id": format!("live-{n}"), "status": status, "agent_id": "u_agent", "user_id": user_id(n)}),
        );
    }
}

/// Keeps the workspace live: every `interval`, a call ends for some user and `u_agent`'s queue
/// moves (the oldest waiting call is answered, a new one waits).
pub async fn run_live_feed(ports: Ports, interval: std::time::Duration) {
    let ws = domain::WorkspaceId::parse(WORKSPACE).expect("valid id");
    let started = ports.clock.now().as_millisecond();
    let mut rng = StdRng::seed_from_u64(started as u64);
    let mut ticks = tokio::time::interval(interval);
    let mut tick = 0u64;
    loop {
        ticks.tick().await;
        tick += 1;
        let now = ports.clock.now();
        let mut events = Events::default();
        let user = user_id(rng.random_range(0..USERS / 10));
        call(&mut events, &mut rng, format!("live{started}-{tick}"), now, &user, &format!("agent-{user}"));
        // Every fourth tick a call joins the queue; it is answered eight ticks later and ends
        // eight after that, so a couple of calls are always waiting and a couple in progress.
        if tick.is_multiple_of(4) {
            let step = tick / 4;
            let moves = [(Some(step), "queued"), (step.checked_sub(2), "active"), (step.checked_sub(4), "ended")];
            for (call, status) in
                moves.into_iter().filter_map(|(n, status)| n.map(|n| (format!("live{started}-q{n}"), status)))
            {
                events.push(
                    format!("cc-{call}-{status}"),
                    "call.status",
                    now,
                    json!({"call_id": call, "status": status, "agent_id": "u_agent", "user_id": user}),
                );
            }
        }
        if let Err(error) = ingest(&ports, &ws, events, now).await {
            tracing::warn!(%error, "live call-centre events failed; next tick goes on");
        }
    }
}
