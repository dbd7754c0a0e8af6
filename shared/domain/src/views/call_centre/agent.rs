//! The page of a call-centre agent (`agent_comprehensive`): their call queue, their own
//! performance, the callbacks assigned to them. An agent's profile is the `agent.upserted` whose
//! `agent_id` is the caller's user id; a caller without one has no page (404).
//!
//! Six store reads, all at once: the workspace and the agent; the agent's all-time calls, live
//! calls and assigned callbacks (one batch); the days of their calls; the oldest calls waiting
//! for them; their next callbacks; their overdue callbacks (a count).

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::user::{AgentInfoPerformance, handled_calls};
use super::{Alert, AlertLevel, Calendar, Days, Freshness, QuickAction, UpcomingCallback, days_for_any_zone, percent};
use crate::WorkspaceId;
use crate::ports::RollupStore;
use crate::rollup::gauges;
use crate::rollup::indexes::{call_centre as lists, parse_instant_key};
use crate::rollup::series::{calls, series_key};
use crate::rollup::{CellKey, Direction, EntityKey, IndexEntry, SortRange};
use crate::time::Bucket;
use crate::views::read::{self, GaugeReading, Reading};
use crate::views::{ViewError, ViewMeta, Viewed, load_with_workspace, round_to};

/// How many waiting calls and upcoming callbacks the page lists.
pub const LISTED: usize = 10;
/// A call waiting longer than this raises the long-wait alert.
pub const LONG_WAIT_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentComprehensive {
    /// `agent_comprehensive`.
    pub dashboard_type: &'static str,
    pub agent_profile: AgentProfile,
    pub call_queue: CallQueue,
    pub performance: AgentOwnPerformance,
    pub callbacks: AssignedCallbacks,
    pub quick_actions: Vec<QuickAction>,
    pub alerts: Vec<Alert>,
    pub generated_at: Timestamp,
    pub data_freshness: Freshness,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentProfile {
    pub id: String,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub training_level: Option<f64>,
    pub personality_type: Option<String>,
    /// Active and trained at least 70 %.
    pub is_ready_for_calls: bool,
    pub working_hours: Value,
}

/// Calls whose latest `call.status` names this agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallQueue {
    pub queued_calls: i64,
    pub active_calls: i64,
    /// The longest-waiting first.
    pub waiting: Vec<WaitingCall>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingCall {
    pub call_id: String,
    pub user_id: Option<String>,
    /// When the call was queued (its latest status).
    pub queued_since: Option<Timestamp>,
    pub waiting_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentOwnPerformance {
    #[serde(flatten)]
    pub all_time: AgentInfoPerformance,
    pub calls_today: i64,
    pub calls_this_week: i64,
    pub calls_this_month: i64,
    pub conversions_today: i64,
    /// Conversions / calls today, in percent; `null` without calls today.
    pub conversion_rate_today: Option<f64>,
    /// The mean duration of the calls handled, in seconds; `null` without calls.
    pub avg_call_duration_seconds: Option<f64>,
}

/// Callbacks whose latest record assigns them to this agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignedCallbacks {
    pub assigned_callbacks: i64,
    pub scheduled_callbacks: i64,
    pub completed_callbacks: i64,
    /// Still scheduled and due before now.
    pub overdue_callbacks: i64,
    /// The next scheduled ones, soonest first; customers' numbers masked.
    pub upcoming_callbacks: Vec<UpcomingCallback>,
}

/// The agent page of the caller `agent_id`, or `None` when no agent has that id.
pub async fn agent_page(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    agent_id: &str,
    now: Timestamp,
) -> Result<Option<Viewed<AgentComprehensive>>, ViewError> {
    let me = EntityKey::new("agent", &[agent_id]);
    let calls_series = series_key(calls::BY_AGENT.name, &[agent_id]);
    let total = CellKey::new(calls_series.clone(), Bucket::Total);
    let live = CellKey::new(series_key(gauges::live_calls::BY_AGENT.series, &[agent_id]), Bucket::Current);
    let assigned = CellKey::new(series_key(gauges::callbacks::ASSIGNED_STATUS.series, &[agent_id]), Bucket::Current);
    let callbacks_list = lists::OPEN_CALLBACKS_OF_AGENT.key(&[agent_id]);
    let cell_keys = [total.clone(), live.clone(), assigned.clone()];
    let queue_list = lists::QUEUE_OF_AGENT.key(&[agent_id]);
    let (all, from_now, before_now) =
        (SortRange::all(), SortRange::instants(Some(now), None), SortRange::instants(None, Some(now)));
    let ((tz, entities), cells, days, queue, upcoming, overdue) = tokio::try_join!(
        load_with_workspace(store, ws, std::slice::from_ref(&me)),
        store.read_cells(ws, &cell_keys),
        read::daily(store, ws, &calls_series, days_for_any_zone(now)),
        store.read_index(ws, &queue_list, &all, Direction::Ascending, LISTED),
        store.read_index(ws, &callbacks_list, &from_now, Direction::Ascending, LISTED),
        store.count_index(ws, &callbacks_list, &before_now),
    )?;
    let Some(agent) = entities.get(&me) else {
        return Ok(None);
    };
    let calendar = Calendar::new(now, &tz);
    let days = Days(days);
    let handled = Reading::of_series(&calls::BY_AGENT, cells.get(&total));
    let count_of = |day: &crate::rollup::Cells| Reading::of_series(&calls::BY_AGENT, Some(day)).count();
    let [calls_today, calls_this_week, calls_this_month] = days.spans(&calendar, count_of);
    let conversions_today = days.sum(calendar.today, calendar.today, |day| {
        Reading::of_series(&calls::BY_AGENT, Some(day)).count_of(calls::OUTCOME, "converted")
    });
    let performance = AgentOwnPerformance {
        avg_call_duration_seconds: handled
            .total(calls::DURATION)
            .per(handled.count())
            .map(|mean| round_to(mean.units(), 1)),
        all_time: handled_calls(handled),
        calls_today,
        calls_this_week,
        calls_this_month,
        conversions_today,
        conversion_rate_today: percent(conversions_today, calls_today),
    };
    let live_calls = GaugeReading::of(&gauges::live_calls::BY_AGENT, cells.get(&live));
    let call_queue = CallQueue {
        queued_calls: live_calls.count("queued"),
        active_calls: live_calls.count("active"),
        waiting: queue.iter().map(|entry| waiting_call(entry, now)).collect(),
    };
    let assigned_gauge = GaugeReading::of(&gauges::callbacks::ASSIGNED_STATUS, cells.get(&assigned));
    let callbacks = AssignedCallbacks {
        assigned_callbacks: assigned_gauge.total(),
        scheduled_callbacks: assigned_gauge.count("scheduled"),
        completed_callbacks: assigned_gauge.count("completed"),
        overdue_callbacks: i64::try_from(overdue).unwrap_or(i64::MAX),
        upcoming_callbacks: upcoming.iter().map(|entry| UpcomingCallback::from_entry(entry, true)).collect(),
    };
    let level = agent.number("training_level");
    let agent_profile = AgentProfile {
        id: agent_id.to_owned(),
        name: agent.str("name").map(str::to_owned),
        kind: agent.str("kind").map(str::to_owned),
        status: agent.state.clone(),
        training_level: level,
        personality_type: agent.str("personality_type").map(str::to_owned),
        is_ready_for_calls: gauges::agents::is_ready(agent.state.as_deref(), level),
        working_hours: agent.data.get("working_hours").cloned().unwrap_or(Value::Null),
    };
    let quick_actions = vec![
        QuickAction {
            id: "answer_queue",
            title: "Answer Queue",
            description: "Take the longest-waiting call",
            icon: "phone-incoming",
            count: Some(call_queue.queued_calls),
            enabled: call_queue.queued_calls > 0 && agent_profile.is_ready_for_calls,
            url: "/api/agents/queue/next/",
            color: "success",
        },
        QuickAction {
            id: "my_performance",
            title: "Performance",
            description: "Your calls and conversions",
            icon: "bar-chart",
            count: Some(performance.calls_today),
            enabled: true,
            url: "/api/agents/performance/",
            color: "info",
        },
        QuickAction {
            id: "call_history",
            title: "Call History",
            description: "Calls you handled",
            icon: "list",
            count: Some(performance.all_time.calls_handled),
            enabled: true,
            url: "/api/agents/calls/",
            color: "primary",
        },
    ];
    let alerts = alerts(&call_queue, &callbacks, &agent_profile);
    let watermark = [&total, &live, &assigned].iter().filter_map(|key| Reading::of(cells.get(*key)).latest()).max();
    let body = AgentComprehensive {
        dashboard_type: "agent_comprehensive",
        agent_profile,
        call_queue,
        performance,
        callbacks,
        quick_actions,
        alerts,
        generated_at: now,
        data_freshness: Freshness::of(watermark, now),
    };
    Ok(Some(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, watermark) }))
}

fn waiting_call(entry: &IndexEntry, now: Timestamp) -> WaitingCall {
    let queued_since = parse_instant_key(&entry.sort);
    WaitingCall {
        call_id: entry.data.get("call_id").and_then(Value::as_str).map_or_else(|| entry.id.clone(), str::to_owned),
        user_id: entry.data.get("user_id").and_then(Value::as_str).map(str::to_owned),
        queued_since,
        waiting_seconds: queued_since.map(|at| (now.as_second() - at.as_second()).max(0)),
    }
}

fn alerts(queue: &CallQueue, callbacks: &AssignedCallbacks, profile: &AgentProfile) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let long_waits =
        queue.waiting.iter().filter(|call| call.waiting_seconds.is_some_and(|s| s > LONG_WAIT_SECONDS)).count();
    if long_waits > 0 {
        alerts.push(Alert {
            level: AlertLevel::Error,
            title: "Callers Waiting",
            message: format!("{long_waits} of your queued calls have waited over 5 minutes."),
            count: long_waits as i64,
            action_text: "Answer Queue",
            action_url: "/api/agents/queue/next/",
            rule: "queued calls (of the longest-waiting listed) waiting over 300 s > 0",
        });
    }
    if callbacks.overdue_callbacks > 0 {
        alerts.push(Alert {
            level: AlertLevel::Warning,
            title: "Overdue Callbacks",
            message: format!("You have {} overdue callbacks", callbacks.overdue_callbacks),
            count: callbacks.overdue_callbacks,
            action_text: "View Callbacks",
            action_url: "/api/agents/callbacks/?overdue=true",
            rule: "callbacks assigned to you, still scheduled and due before now > 0",
        });
    }
    if !profile.is_ready_for_calls {
        alerts.push(Alert {
            level: AlertLevel::Info,
            title: "Not Ready For Calls",
            message: format!(
                "You are {} and trained {} %; ready means active and trained at least 70 %.",
                profile.status.as_deref().unwrap_or("without a status"),
                profile.training_level.map_or_else(|| "an unknown".to_owned(), |level| level.to_string())
            ),
            count: 0,
            action_text: "View Training",
            action_url: "/api/agents/training/",
            rule: "status is not active, or training level < 70 %",
        });
    }
    alerts
}
