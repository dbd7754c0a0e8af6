//! The exactly-once property, for any store: a generated stream of distinct events is delivered
//! with duplicates, reordering, late events, retries after failures before and after a commit,
//! small transaction limits and folds at random points; what the store ends with must equal a
//! recomputation from the distinct events ([`crate::reference`]).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::WorkspaceId;
use domain::events::{EventLimits, ValidEvent, validate_event};
use domain::fold::fold_due_months;
use domain::ingest::{Outcome, apply_events};
use domain::ports::{CommitError, DueFold, RollupStore, StoreError};
use domain::rollup::{CellKey, Cells, CommitPlan, Direction, EntityKey, EntityRecord, IndexEntry, Rules, SortRange};
use domain::time::Bucket;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::builders;
use crate::reference::{
    CellMap, IndexMap, expected_cells, expected_entities, expected_index, normalised, normalised_index,
};

pub const ZONE: &str = "America/New_York";

pub fn now() -> Timestamp {
    "2025-03-12T15:00:00Z".parse().expect("timestamp")
}

/// One distinct event of a generated stream. Small id spaces make entities change often: owners
/// move, states change, late events arrive older than what is known.
#[derive(Debug, Clone)]
pub enum Spec {
    Call {
        campaign: u8,
        outcome: u8,
        duration_ds: u16,
    },
    Contact {
        campaign: u8,
        contact: u8,
        state: u8,
    },
    Ad {
        campaign: u8,
        spend_cents: u32,
        clicks: u16,
    },
    Campaign {
        campaign: u8,
        name: u8,
    },
    /// A call-centre call of a user, handled by an agent, maybe rated.
    Handled {
        user: u8,
        agent: u8,
        outcome: u8,
        rating: u8,
    },
    Customer {
        customer: u8,
        owner: u8,
        temperature: u8,
    },
    Callback {
        callback: u8,
        owner: u8,
        status: u8,
        due_hours: u8,
    },
    Subscription {
        subscription: u8,
        plan: u8,
        status: u8,
    },
    Payment {
        payment: u8,
        user: u8,
        status: u8,
        amount_cents: u32,
    },
    User {
        user: u8,
        status: u8,
        joined_days_ago: u8,
    },
    Creative {
        campaign: u8,
        creative: u8,
    },
    /// Seed 002: a user's session (a login or a timed session).
    Session {
        user: u8,
        login: bool,
        duration_s: u16,
    },
    /// Seed 002: an agent run, by a user or anonymous (user 3), maybe rated and tagged.
    Execution {
        user: u8,
        agent: u8,
        success: bool,
        credits: u8,
        rating: u8,
    },
    /// Seed 002: an API request, by a user or anonymous (user 3), with a status class.
    Request {
        user: u8,
        status: u8,
        latency_ms: u16,
    },
}

const OUTCOMES: &[&str] = &["completed", "refused", "no_answer", "busy", "failed", "voicemail"];
const STATES: &[&str] = &["pending", "in_progress", "completed", "refused", "not_reached", "excluded"];

pub fn spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        4 => (0..2u8, 0..6u8, 0..6000u16).prop_map(|(campaign, outcome, duration_ds)| Spec::Call { campaign, outcome, duration_ds }),
        4 => (0..2u8, 0..4u8, 0..6u8).prop_map(|(campaign, contact, state)| Spec::Contact { campaign, contact, state }),
        1 => (0..2u8, 0..100_000u32, 0..500u16).prop_map(|(campaign, spend_cents, clicks)| Spec::Ad { campaign, spend_cents, clicks }),
        1 => (0..2u8, 0..3u8).prop_map(|(campaign, name)| Spec::Campaign { campaign, name }),
        2 => (0..3u8, 0..2u8, 0..6u8, 0..6u8).prop_map(|(user, agent, outcome, rating)| Spec::Handled { user, agent, outcome, rating }),
        2 => (0..3u8, 0..2u8, 0..4u8).prop_map(|(customer, owner, temperature)| Spec::Customer { customer, owner, temperature }),
        2 => (0..3u8, 0..2u8, 0..3u8, 0..96u8).prop_map(|(callback, owner, status, due_hours)| Spec::Callback { callback, owner, status, due_hours }),
        1 => (0..2u8, 0..2u8, 0..4u8).prop_map(|(subscription, plan, status)| Spec::Subscription { subscription, plan, status }),
        1 => (0..3u8, 0..2u8, 0..4u8, 0..50_000u32).prop_map(|(payment, user, status, amount_cents)| Spec::Payment { payment, user, status, amount_cents }),
        1 => (0..3u8, 0..3u8, 0..40u8).prop_map(|(user, status, joined_days_ago)| Spec::User { user, status, joined_days_ago }),
        1 => (0..2u8, 0..3u8).prop_map(|(campaign, creative)| Spec::Creative { campaign, creative }),
        3 => (0..3u8, any::<bool>(), 0..4000u16).prop_map(|(user, login, duration_s)| Spec::Session { user, login, duration_s }),
        3 => (0..4u8, 0..2u8, any::<bool>(), 0..60u8, 0..6u8)
            .prop_map(|(user, agent, success, credits, rating)| Spec::Execution { user, agent, success, credits, rating }),
        2 => (0..4u8, 0..4u8, 0..2000u16).prop_map(|(user, status, latency_ms)| Spec::Request { user, status, latency_ms }),
    ]
}

/// The event JSON of a spec; `variant` changes the content but not the id (a conflict).
pub fn event_json(index: usize, spec: &Spec, minutes_ago: u32, variant: bool) -> Value {
    let id = format!("e{index}");
    let at = (now() - SignedDuration::from_mins(i64::from(minutes_ago))).to_string();
    let campaign = |n: u8| format!("c{n}");
    let mut event = match spec {
        Spec::Call { campaign: c, outcome, duration_ds } => {
            builders::call(&id, &at, &campaign(*c), OUTCOMES[*outcome as usize], f64::from(*duration_ds) / 10.0)
        }
        Spec::Contact { campaign: c, contact, state } => {
            builders::contact(&id, &at, &campaign(*c), &format!("p{contact}"), STATES[*state as usize])
        }
        Spec::Ad { campaign: c, spend_cents, clicks } => {
            builders::ad_delivery(&id, &at, &campaign(*c), f64::from(*spend_cents) / 100.0, i64::from(*clicks))
        }
        Spec::Campaign { campaign: c, name } => {
            let mut event = builders::campaign(&id, &at, &campaign(*c), &format!("Campaign {name}"));
            event["data"]["owner_user_id"] = Value::from(format!("u{}", name % 2));
            event
        }
        Spec::Handled { user, agent, outcome, rating } => {
            let mut event = builders::call(&id, &at, "c0", OUTCOMES[*outcome as usize], 60.0);
            let data = &mut event["data"];
            data.as_object_mut().map(|data| data.remove("campaign_id"));
            data["user_id"] = Value::from(format!("u{user}"));
            data["agent_id"] = Value::from(format!("a{agent}"));
            if *rating > 0 {
                data["satisfaction"] = Value::from(f64::from(*rating).min(5.0));
            }
            event
        }
        Spec::Customer { customer, owner, temperature } => builders::event(
            &id,
            "customer.upserted",
            &at,
            json!({"customer_id": format!("k{customer}"), "owner_user_id": format!("u{owner}"),
                   "temperature": (["hot", "warm", "cold"].get(*temperature as usize)), "do_not_call": (*temperature == 2)}),
        ),
        Spec::Callback { callback, owner, status, due_hours } => builders::event(
            &id,
            "callback.upserted",
            &at,
            json!({"callback_id": format!("cb{callback}"), "owner_user_id": format!("u{owner}"), "agent_id": "a0",
                   "scheduled_at": (now() + SignedDuration::from_hours(i64::from(*due_hours) - 48)).to_string(),
                   "status": (["scheduled", "completed", "cancelled"][*status as usize])}),
        ),
        Spec::Subscription { subscription, plan, status } => builders::event(
            &id,
            "subscription.upserted",
            &at,
            json!({"subscription_id": format!("s{subscription}"), "user_id": "u0",
                   "plan_name": (["Pro", "Team | Plus"][*plan as usize]), "plan_price": ([99, 249][*plan as usize]),
                   "status": (["active", "inactive", "cancelled", "past_due"][*status as usize]),
                   "current_period_end": (now() + SignedDuration::from_hours(72)).to_string(), "cancel_at_period_end": (*plan == 1)}),
        ),
        Spec::Payment { payment, user, status, amount_cents } => builders::event(
            &id,
            "payment.recorded",
            &at,
            json!({"payment_id": format!("pay{payment}"), "user_id": format!("u{user}"), "amount": f64::from(*amount_cents) / 100.0,
                   "status": (["paid", "pending", "failed", "refunded"][*status as usize])}),
        ),
        Spec::User { user, status, joined_days_ago } => builders::event(
            &id,
            "user.upserted",
            &at,
            json!({"user_id": format!("u{user}"), "status": (["active", "inactive", "banned"][*status as usize]),
                   "signed_up_at": (now() - SignedDuration::from_hours(24 * i64::from(*joined_days_ago))).to_string()}),
        ),
        Spec::Creative { campaign: c, creative } => {
            let mut event = builders::ad_delivery(&id, &at, &campaign(*c), 1.25, 3);
            event["data"]["creative"] = Value::from(["Banner A", "Video | B", "Carrousel é"][*creative as usize]);
            event["data"]["audience"] = Value::from(format!("Audience {}", creative % 2));
            event
        }
        Spec::Session { user, login, duration_s } => builders::event(
            &id,
            "user.session",
            &at,
            json!({"user_id": format!("u{user}"), "kind": (if *login { "login" } else { "session" }),
                   "duration_s": (!*login).then_some(*duration_s)}),
        ),
        Spec::Execution { user, agent, success, credits, rating } => builders::event(
            &id,
            "agent.execution",
            &at,
            json!({"agent_id": format!("a{agent}"), "user_id": (*user < 3).then(|| format!("u{user}")), "success": success,
                   "duration_ms": u32::from(*credits) * 40, "credits": credits, "satisfaction": (*rating > 0).then(|| rating.min(&5)),
                   "feature": (["draft", "search"][*agent as usize])}),
        ),
        Spec::Request { user, status, latency_ms } => builders::event(
            &id,
            "api.request",
            &at,
            json!({"route": (["/v1/run", "/v1/search"][*user as usize % 2]), "status": ([200, 404, 500, 503][*status as usize]),
                   "latency_ms": latency_ms, "user_id": (*user < 3).then(|| format!("u{user}"))}),
        ),
    };
    // Optional fields left out are absent, not null.
    if let Some(data) = event["data"].as_object_mut() {
        data.retain(|_, value| !value.is_null());
    }
    if variant {
        event["data"]["note"] = Value::from("a different body under the same id");
    }
    event
}

pub fn valid(raw: Value) -> ValidEvent {
    validate_event(raw, now(), &EventLimits::default()).expect("generated events are valid")
}

#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// The commit fails before writing anything.
    Before,
    /// The commit is written, then the process dies before the answer (no ack).
    After,
}

/// A store that fails some commits and accepts only small transactions.
pub struct Faulty {
    pub inner: Arc<dyn RollupStore>,
    pub faults: Mutex<VecDeque<Option<Fault>>>,
    pub max_items: usize,
}

#[async_trait]
impl RollupStore for Faulty {
    fn max_items_per_commit(&self) -> usize {
        self.max_items
    }
    async fn find_events(&self, ws: &WorkspaceId, ids: &[String]) -> Result<HashMap<String, String>, StoreError> {
        self.inner.find_events(ws, ids).await
    }
    async fn load_entities(
        &self,
        ws: &WorkspaceId,
        keys: &[EntityKey],
    ) -> Result<HashMap<EntityKey, EntityRecord>, StoreError> {
        self.inner.load_entities(ws, keys).await
    }
    async fn commit(&self, ws: &WorkspaceId, plan: &CommitPlan) -> Result<(), CommitError> {
        assert!(
            plan.item_count() <= self.max_items,
            "a plan of {} items exceeds {}",
            plan.item_count(),
            self.max_items
        );
        let fault = self.faults.lock().expect("lock").pop_front().flatten();
        let crashed = || CommitError::Store(StoreError::Unavailable("simulated crash".into()));
        match fault {
            Some(Fault::Before) => Err(crashed()),
            Some(Fault::After) => {
                self.inner.commit(ws, plan).await?;
                Err(crashed())
            }
            None => self.inner.commit(ws, plan).await,
        }
    }
    async fn read_cells(&self, ws: &WorkspaceId, keys: &[CellKey]) -> Result<HashMap<CellKey, Cells>, StoreError> {
        self.inner.read_cells(ws, keys).await
    }
    async fn read_range(
        &self,
        ws: &WorkspaceId,
        series: &str,
        from: Bucket,
        to: Bucket,
    ) -> Result<Vec<(Bucket, Cells)>, StoreError> {
        self.inner.read_range(ws, series, from, to).await
    }
    async fn read_index(
        &self,
        ws: &WorkspaceId,
        index: &str,
        range: &SortRange,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.inner.read_index(ws, index, range, direction, limit).await
    }
    async fn count_index(&self, ws: &WorkspaceId, index: &str, range: &SortRange) -> Result<u64, StoreError> {
        self.inner.count_index(ws, index, range).await
    }
    async fn scan_index(&self, ws: &WorkspaceId) -> Result<Vec<(String, IndexEntry)>, StoreError> {
        self.inner.scan_index(ws).await
    }
    async fn due_folds(&self, limit: usize) -> Result<Vec<DueFold>, StoreError> {
        self.inner.due_folds(limit).await
    }
    async fn complete_fold(&self, fold: &DueFold, cells: &Cells) -> Result<bool, StoreError> {
        self.inner.complete_fold(fold, cells).await
    }
    async fn abandon_fold(&self, fold: &DueFold) -> Result<bool, StoreError> {
        self.inner.abandon_fold(fold).await
    }
    async fn scan_cells(&self, ws: &WorkspaceId) -> Result<Vec<(CellKey, Cells)>, StoreError> {
        self.inner.scan_cells(ws).await
    }
}

#[derive(Debug, Clone)]
pub struct Delivery {
    /// Distinct events: what and how long ago.
    pub events: Vec<(Spec, u32)>,
    /// Index into `events` of every delivery, in arrival order (duplicates included).
    pub arrivals: Vec<usize>,
    pub batch_sizes: Vec<usize>,
    pub faults: Vec<Option<Fault>>,
    /// Items a transaction takes beyond the fewest any one event needs; `usize::MAX`: no limit.
    pub max_items: usize,
    pub fold_after_batch: Vec<bool>,
    /// Events delivered again, after all else, with different content.
    pub conflicts: Vec<usize>,
}

/// `max_events` distinct events at most (the DynamoDB run uses fewer than SQLite).
pub fn delivery(max_events: usize) -> impl Strategy<Value = Delivery> {
    // Up to 40 days back: late events land in old hours, days and already folded months.
    let events = prop::collection::vec((spec(), 0..(40 * 24 * 60u32)), 1..max_events);
    events
        .prop_flat_map(|events| {
            let n = events.len();
            let copies = prop::collection::vec(1..=3usize, n);
            let arrivals = copies
                .prop_map(|copies| {
                    copies.iter().enumerate().flat_map(|(i, &c)| std::iter::repeat_n(i, c)).collect::<Vec<_>>()
                })
                .prop_shuffle();
            (
                Just(events),
                arrivals,
                prop::collection::vec(1..30usize, 1..20),
                prop::collection::vec(
                    prop_oneof![6 => Just(None), 1 => Just(Some(Fault::Before)), 2 => Just(Some(Fault::After))],
                    0..40,
                ),
                prop_oneof![Just(usize::MAX), Just(0usize), Just(16usize)],
                prop::collection::vec(any::<bool>(), 1..20),
                prop::collection::vec(0..n, 0..4),
            )
        })
        .prop_map(|(events, arrivals, batch_sizes, faults, max_items, fold_after_batch, conflicts)| Delivery {
            events,
            arrivals,
            batch_sizes,
            faults,
            max_items,
            fold_after_batch,
            conflicts,
        })
}

pub struct Observed {
    pub cells: CellMap,
    pub expected_cells: CellMap,
    pub index: IndexMap,
    pub expected_index: IndexMap,
    pub entities: HashMap<EntityKey, EntityRecord>,
    pub expected_entities: HashMap<EntityKey, EntityRecord>,
    pub stored_hashes: HashMap<String, String>,
    pub expected_hashes: HashMap<String, String>,
    pub conflict_outcomes: Vec<Outcome>,
}

pub async fn fold_everything(store: &dyn RollupStore) {
    loop {
        let report = fold_due_months(store, 1000).await.expect("fold");
        if report.folded + report.deferred == 0 {
            break;
        }
    }
}

pub async fn deliver(inner: Arc<dyn RollupStore>, plan: Delivery) -> Observed {
    let ws = WorkspaceId::parse("ws-prop").expect("id");
    let rules = Rules::standard();
    // Small transactions: the fewest that can take any one event, or a few more; never more
    // than the store itself accepts (DynamoDB: 100).
    let fewest = rules.most_items_per_event();
    let store = Faulty {
        inner: inner.clone(),
        faults: Mutex::new(plan.faults.iter().copied().collect()),
        max_items: fewest.saturating_add(plan.max_items).min(inner.max_items_per_commit()),
    };
    let settings = valid(builders::workspace("settings", "2025-01-01T00:00:00Z", ZONE));
    apply_events(inner.as_ref(), &rules, &ws, &[settings]).await.expect("settings");

    let originals: Vec<ValidEvent> =
        plan.events.iter().enumerate().map(|(i, (spec, ago))| valid(event_json(i, spec, *ago, false))).collect();
    let mut stream: VecDeque<ValidEvent> = plan.arrivals.iter().map(|&i| originals[i].clone()).collect();
    let mut batches: VecDeque<Vec<ValidEvent>> = VecDeque::new();
    let mut sizes = plan.batch_sizes.iter().cycle();
    while !stream.is_empty() {
        let size = (*sizes.next().expect("cycle")).min(stream.len());
        batches.push_back(stream.drain(..size).collect());
    }

    let mut folds = plan.fold_after_batch.iter().cycle();
    while let Some(batch) = batches.pop_front() {
        match apply_events(&store, &rules, &ws, &batch).await {
            Ok(outcomes) => assert!(outcomes.iter().all(|o| *o != Outcome::Conflict), "no conflicts among originals"),
            Err(_) => batches.push_back(batch), // no ack: the producer sends it again later
        }
        if *folds.next().expect("cycle") {
            fold_everything(&store).await;
        }
    }

    let mut conflict_outcomes = Vec::new();
    for &index in &plan.conflicts {
        let (spec, ago) = &plan.events[index];
        let variant = valid(event_json(index, spec, *ago, true));
        let outcomes = apply_events(inner.as_ref(), &rules, &ws, &[variant]).await.expect("apply");
        conflict_outcomes.extend(outcomes);
    }
    fold_everything(inner.as_ref()).await;

    let tz = TimeZone::get(ZONE).expect("zone");
    let mut expected_entities = expected_entities(&originals, &tz);
    let settings_key = EntityKey::workspace();
    let keys: Vec<EntityKey> = expected_entities.keys().cloned().collect();
    let entities = inner.load_entities(&ws, &keys).await.expect("entities");
    expected_entities.remove(&settings_key);
    let ids: Vec<String> = originals.iter().map(|e| e.id.clone()).collect();
    Observed {
        cells: normalised(inner.scan_cells(&ws).await.expect("scan")),
        expected_cells: normalised(expected_cells(&originals, &tz)),
        index: normalised_index(inner.scan_index(&ws).await.expect("scan index")),
        expected_index: expected_index(&originals),
        entities,
        expected_entities,
        stored_hashes: inner.find_events(&ws, &ids).await.expect("find"),
        expected_hashes: originals.iter().map(|e| (e.id.clone(), e.hash.clone())).collect(),
        conflict_outcomes,
    }
}
