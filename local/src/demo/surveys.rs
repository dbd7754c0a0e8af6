//! Seed 003's demo: survey campaigns in the demo workspace (and a few in another tenant's), and
//! the live feed that keeps calling contacts so the dashboards move.
//!
//! The mixes are those of an outbound survey: about a third of attempts unanswered, a tenth busy
//! or failed, completed interviews of three to six minutes, up to three attempts per contact
//! during local calling hours (09:00-20:00, lighter on weekends).

use std::collections::VecDeque;

use domain::WorkspaceId;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::json;
use web::Ports;

use super::{DEMO_TIME_ZONE, DEMO_WORKSPACE, Events, ingest};

const MAX_ATTEMPTS: u32 = 3;

struct DemoCampaign {
    id: &'static str,
    name: &'static str,
    contacts: usize,
    started_days_ago: i64,
}

const CAMPAIGNS: &[DemoCampaign] = &[
    DemoCampaign { id: "cmp_csat_q4", name: "Customer satisfaction Q4", contacts: 10_000, started_days_ago: 30 },
    DemoCampaign { id: "cmp_nps_followup", name: "NPS follow-up", contacts: 2_500, started_days_ago: 21 },
    DemoCampaign { id: "cmp_product_feedback", name: "Product feedback", contacts: 1_200, started_days_ago: 9 },
];
const AGENTS: &[(&str, &str)] =
    &[("agent_ava", "Ava"), ("agent_leo", "Leo"), ("agent_mia", "Mia"), ("agent_noah", "Noah"), ("agent_zoe", "Zoe")];

/// The campaign the README's examples use.
pub const EXAMPLE_CAMPAIGN: &str = "cmp_csat_q4";

/// A contact still being worked, which the live feed calls next.
#[derive(Debug, Clone)]
pub struct OpenContact {
    campaign: &'static str,
    contact: String,
    attempts: u32,
}

fn outcome_and_duration(rng: &mut StdRng) -> (&'static str, f64) {
    let roll: f64 = rng.random();
    let (outcome, low, high) = match roll {
        r if r < 0.38 => ("completed", 180.0, 390.0),
        r if r < 0.48 => ("refused", 12.0, 60.0),
        r if r < 0.80 => ("no_answer", 20.0, 40.0),
        r if r < 0.89 => ("busy", 2.0, 6.0),
        r if r < 0.94 => ("failed", 0.0, 3.0),
        _ => ("voicemail", 25.0, 45.0),
    };
    // Two uniform draws averaged: a hump in the middle of the range, as real durations have.
    let duration = low + (high - low) * (rng.random::<f64>() + rng.random::<f64>()) / 2.0;
    (outcome, (duration * 10.0).round() / 10.0)
}

/// The next calling slot (09:00-20:00 local, weekends thinned) at or after `after`.
fn calling_slot(rng: &mut StdRng, after: Timestamp, tz: &TimeZone) -> Timestamp {
    let mut day = after.to_zoned(tz.clone()).date();
    loop {
        let weekend = day.weekday().to_monday_one_offset() >= 6;
        if !weekend || rng.random::<f64>() < 0.3 {
            let slot = day
                .at(rng.random_range(9..20), rng.random_range(0..60), rng.random_range(0..60), 0)
                .to_zoned(tz.clone())
                .map(|zoned| zoned.timestamp());
            if let Ok(slot) = slot
                && slot >= after
            {
                return slot;
            }
        }
        day = day.tomorrow().unwrap_or(day);
    }
}

/// One attempt on a contact, ending at `ended`: the call, and the state it leaves the contact
/// in. Returns whether the contact is still open.
fn attempt(
    events: &mut Events,
    rng: &mut StdRng,
    contact: &mut OpenContact,
    ended: Timestamp,
    id_prefix: &str,
) -> bool {
    contact.attempts += 1;
    let (outcome, duration) = outcome_and_duration(rng);
    let agent = AGENTS[rng.random_range(0..AGENTS.len())].0;
    let call_id = format!("{id_prefix}-call{}", contact.attempts);
    events.push(
        format!("{call_id}-done"),
        "call.completed",
        ended,
        json!({
            "call_id": call_id, "campaign_id": contact.campaign, "contact_id": contact.contact,
            "agent_id": agent, "call_type": "outbound", "outcome": outcome, "duration_s": duration,
        }),
    );
    let state = match outcome {
        "completed" => "completed",
        "refused" => "refused",
        _ if contact.attempts >= MAX_ATTEMPTS => "not_reached",
        _ => "in_progress",
    };
    events.push(
        format!("{id_prefix}-state{}", contact.attempts),
        "contact.state_changed",
        ended,
        json!({
            "campaign_id": contact.campaign, "contact_id": contact.contact, "state": state,
        }),
    );
    state == "in_progress"
}

/// The demo workspace's survey campaigns, and the contacts still open at `now`.
pub fn events(now: Timestamp, rng: &mut StdRng) -> (Events, Vec<OpenContact>) {
    let tz = TimeZone::get(DEMO_TIME_ZONE).expect("bundled zone");
    let mut events = Events::default();
    let mut open = Vec::new();
    let origin = now - SignedDuration::from_hours(24 * 31);
    for (id, name) in AGENTS {
        events.push(
            format!("demo-{id}"),
            "agent.upserted",
            origin,
            json!({"agent_id": id, "name": name, "kind": "ai", "status": "active"}),
        );
    }
    for campaign in CAMPAIGNS {
        let start = now - SignedDuration::from_hours(24 * campaign.started_days_ago);
        events.push(
            format!("demo-{}", campaign.id),
            "campaign.upserted",
            start,
            json!({
                "campaign_id": campaign.id, "name": campaign.name, "kind": "survey", "status": "running",
                "owner_user_id": "u_manager",
            }),
        );
        for n in 0..campaign.contacts {
            let mut contact =
                OpenContact { campaign: campaign.id, contact: format!("{}-p{n:05}", campaign.id), attempts: 0 };
            let prefix = format!("demo-{}", contact.contact);
            let loaded = start + SignedDuration::from_secs(rng.random_range(0..6 * 3600));
            events.push(
                format!("{prefix}-load"),
                "contact.state_changed",
                loaded,
                json!({
                    "campaign_id": campaign.id, "contact_id": contact.contact, "state": "pending",
                }),
            );
            if rng.random::<f64>() < 0.02 {
                let at = loaded + SignedDuration::from_mins(1);
                events.push(
                    format!("{prefix}-exclude"),
                    "contact.state_changed",
                    at,
                    json!({
                        "campaign_id": campaign.id, "contact_id": contact.contact, "state": "excluded",
                    }),
                );
                continue;
            }
            // Contacts are spread over the campaign's life: later ones are still waiting.
            let spread = (campaign.started_days_ago as f64 * 1.2 * rng.random::<f64>() * 86_400.0) as i64;
            let mut at = calling_slot(rng, loaded + SignedDuration::from_secs(spread), &tz);
            let mut still_open = true;
            while at < now && still_open {
                still_open = attempt(&mut events, rng, &mut contact, at, &prefix);
                let retry_after = SignedDuration::from_hours(rng.random_range(20..70));
                at = calling_slot(rng, at + retry_after, &tz);
            }
            if still_open {
                open.push(contact);
            }
        }
    }
    (events, open)
}

/// Another tenant's survey: what tenancy tests and demos must never see from the demo workspace.
pub fn other_workspace_events(now: Timestamp, rng: &mut StdRng) -> Events {
    let mut events = Events::default();
    let start = now - SignedDuration::from_hours(24 * 5);
    events.push(
        "other-cmp".into(),
        "campaign.upserted",
        start,
        json!({
            "campaign_id": "cmp_other_pulse", "name": "Pulse survey (another tenant)", "kind": "survey",
        }),
    );
    for n in 0..40 {
        let mut contact = OpenContact { campaign: "cmp_other_pulse", contact: format!("other-p{n:03}"), attempts: 0 };
        let prefix = format!("other-{}", contact.contact);
        events.push(
            format!("{prefix}-load"),
            "contact.state_changed",
            start,
            json!({
                "campaign_id": "cmp_other_pulse", "contact_id": contact.contact, "state": "pending",
            }),
        );
        let at = start + SignedDuration::from_hours(rng.random_range(1..100));
        attempt(&mut events, rng, &mut contact, at, &prefix);
    }
    events
}

/// Keeps the demo workspace live: every `interval`, new contacts arrive and open ones are called.
pub async fn run_live_feed(ports: Ports, mut open: Vec<OpenContact>, interval: std::time::Duration) {
    let demo = WorkspaceId::parse(DEMO_WORKSPACE).expect("valid id");
    let started = ports.clock.now().as_millisecond();
    let mut rng = StdRng::seed_from_u64(started as u64);
    let mut queue: VecDeque<OpenContact> = open.drain(..).collect();
    let mut ticks = tokio::time::interval(interval);
    let mut tick = 0u64;
    loop {
        ticks.tick().await;
        tick += 1;
        let now = ports.clock.now();
        let mut events = Events::default();
        if rng.random::<f64>() < 0.5 {
            let campaign = CAMPAIGNS[rng.random_range(0..CAMPAIGNS.len())].id;
            let contact = OpenContact { campaign, contact: format!("{campaign}-live{started}-{tick}"), attempts: 0 };
            events.push(
                format!("live-{started}-{tick}-load"),
                "contact.state_changed",
                now,
                json!({
                    "campaign_id": campaign, "contact_id": contact.contact, "state": "pending",
                }),
            );
            queue.push_back(contact);
        }
        for call in 0..rng.random_range(1..4) {
            let Some(mut contact) = queue.pop_front() else {
                break;
            };
            let prefix = format!("live-{started}-{tick}-{call}");
            let ended = now - SignedDuration::from_secs(rng.random_range(0..30));
            if attempt(&mut events, &mut rng, &mut contact, ended, &prefix) {
                queue.push_back(contact);
            }
        }
        match ingest(&ports, &demo, events, now).await {
            Ok(count) => tracing::debug!(count, "live demo events ingested"),
            Err(error) => tracing::warn!(%error, "live demo events failed; next tick goes on"),
        }
    }
}
