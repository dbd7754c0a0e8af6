//! Demo data for the local runtime: workspaces whose numbers all come from events, generated with
//! a fixed seed and ingested through the same validation and exactly-once path as a producer's.
//! Each dashboard family brings its part (a module here); a part is ingested once, so a data
//! folder seeded by an older build gains the parts it lacks on its next start.

pub mod ads;
pub mod agents;
pub mod call_centre;
pub mod surveys;

use domain::WorkspaceId;
use domain::events::{EventLimits, validate_event};
use domain::ingest::apply_events;
use domain::ports::StoreError;
use domain::rollup::Rules;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use web::Ports;

pub use surveys::{EXAMPLE_CAMPAIGN, OpenContact, run_live_feed};

pub const DEMO_WORKSPACE: &str = "ws_demo";
pub const OTHER_WORKSPACE: &str = "ws_other";
const DEMO_TIME_ZONE: &str = "Europe/Paris";
const BATCH: usize = 500;

/// Event JSON with ids that are unique and stable for a given seed.
#[derive(Debug, Default)]
pub struct Events {
    list: Vec<(Timestamp, Value)>,
}

impl Events {
    pub fn push(&mut self, id: String, kind: &str, at: Timestamp, data: Value) {
        self.list.push((at, json!({"id": id, "type": kind, "occurred_at": at.to_string(), "data": data})));
    }

    /// How many events of type `kind` there are.
    pub fn count(&self, kind: &str) -> usize {
        self.list.iter().filter(|(_, event)| event["type"] == kind).count()
    }

    fn ids(&self) -> impl Iterator<Item = &str> {
        self.list.iter().filter_map(|(_, event)| event["id"].as_str())
    }
}

#[derive(Debug, Default)]
pub struct SeedReport {
    /// Events ingested now (none when every part was there already).
    pub events: usize,
    pub already_seeded: bool,
    /// The survey contacts still open, for the live feed; empty unless the surveys were seeded now.
    pub open_contacts: Vec<OpenContact>,
}

/// Validates and applies `events` in time order, in batches as a producer would send them.
pub async fn ingest(ports: &Ports, ws: &WorkspaceId, events: Events, now: Timestamp) -> Result<usize, StoreError> {
    let mut list = events.list;
    list.sort_by_key(|(at, _)| *at);
    let limits = EventLimits::default();
    let valid: Vec<_> = list
        .into_iter()
        .map(|(_, raw)| {
            validate_event(raw, now, &limits).unwrap_or_else(|error| panic!("demo event invalid: {error:?}"))
        })
        .collect();
    for batch in valid.chunks(BATCH) {
        apply_events(ports.store.as_ref(), &Rules::standard(), ws, batch).await?;
    }
    Ok(valid.len())
}

/// What a workspace pays for: its plan, its seats and, where it buys them, its credits.
#[derive(Debug, Clone)]
struct Plan {
    name: &'static str,
    seats: u64,
    seats_used: u64,
    credits: Option<Credits>,
}

/// A workspace's credits per period and the day they next reset.
#[derive(Debug, Clone)]
struct Credits {
    total: f64,
    reset_on: Date,
}

/// The plan of the demo's first workspaces, which sell no credits.
const GROWTH: Plan = Plan { name: "growth", seats: 25, seats_used: 12, credits: None };

/// A workspace's settings, its time zone above all: they go first, so that every later event is
/// bucketed in that zone.
fn workspace_settings(id: &str, name: &str, tz: &str, plan: &Plan, at: Timestamp) -> Events {
    let mut data =
        json!({"name": name, "timezone": tz, "plan": plan.name, "seats": plan.seats, "seats_used": plan.seats_used});
    if let Some(credits) = &plan.credits {
        data["credits_total"] = json!(credits.total);
        data["credits_reset_date"] = json!(credits.reset_on.to_string());
    }
    let mut events = Events::default();
    events.push(format!("{id}-settings"), "workspace.upserted", at, data);
    events
}

/// Ingests `events` into `ws` unless both its first and last events are stored already (ids are
/// stable, so a part cut short is completed on the next start: what it stored is skipped).
async fn seed_part(ports: &Ports, ws: &WorkspaceId, events: Events, now: Timestamp) -> Result<usize, StoreError> {
    let mut ends: Vec<String> = events.ids().take(1).chain(events.ids().last()).map(str::to_owned).collect();
    // A part of one event (a workspace's settings) has it at both ends; it is found once.
    ends.dedup();
    if !ends.is_empty() && ports.store.find_events(ws, &ends).await?.len() == ends.len() {
        return Ok(0);
    }
    ingest(ports, ws, events, now).await
}

/// Seeds every demo workspace with whatever parts it lacks.
pub async fn seed(ports: &Ports) -> Result<SeedReport, StoreError> {
    let demo = WorkspaceId::parse(DEMO_WORKSPACE).expect("valid id");
    let other = WorkspaceId::parse(OTHER_WORKSPACE).expect("valid id");
    let now = ports.clock.now();
    let mut rng = StdRng::seed_from_u64(20_251_122);
    let settings_at = now - SignedDuration::from_hours(24 * 40);

    let mut count = 0;
    let other_settings = workspace_settings("other", "Other Corp", "America/New_York", &GROWTH, settings_at);
    count += seed_part(ports, &other, other_settings, now).await?;
    count += seed_part(ports, &other, surveys::other_workspace_events(now, &mut rng), now).await?;
    let demo_settings = workspace_settings("demo", "Acme Research", DEMO_TIME_ZONE, &GROWTH, settings_at);
    count += seed_part(ports, &demo, demo_settings, now).await?;
    let (survey_events, open) = surveys::events(now, &mut rng);
    let surveys_seeded = seed_part(ports, &demo, survey_events, now).await?;
    count += surveys_seeded;
    let open_contacts = if surveys_seeded > 0 { open } else { Vec::new() };
    count += seed_part(ports, &demo, ads::events(now, &mut StdRng::seed_from_u64(ads::SEED)), now).await?;

    let calls = WorkspaceId::parse(call_centre::WORKSPACE).expect("valid id");
    let settings = workspace_settings(
        "callcentre",
        "Acme Call Centre",
        call_centre::TIME_ZONE,
        &GROWTH,
        now - SignedDuration::from_hours(24 * 130),
    );
    count += seed_part(ports, &calls, settings, now).await?;
    count += seed_part(ports, &calls, call_centre::events(now), now).await?;
    count += agents::seed(ports, now).await?;
    Ok(SeedReport { events: count, already_seeded: count == 0, open_contacts })
}
