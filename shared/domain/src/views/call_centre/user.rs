//! The page of one customer of the SaaS (`user_comprehensive`): only the caller's own data, shown
//! whole: their profile, subscription, AI agent, calls, customers, callbacks and billing.
//!
//! Ten store reads: nine at once (the workspace and the user; the user's present gauges and
//! all-time activity; the activity's days; their first agent, latest subscription, newest calls,
//! upcoming callbacks, overdue callbacks (a count), newest payments), then the agent's calls.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    Alert, AlertLevel, Calendar, CallCounts, Days, Freshness, QuickAction, RecentCall, UpcomingCallback,
    days_for_any_zone, money, percent, user_key,
};
use crate::WorkspaceId;
use crate::ports::RollupStore;
use crate::rollup::gauges::{self, GaugeDef, InstantOf};
use crate::rollup::indexes::{call_centre as lists, parse_instant_key};
use crate::rollup::series::{activity, calls, series_key};
use crate::rollup::{CellKey, Cells, Direction, IndexEntry, SortRange};
use crate::time::Bucket;
use crate::views::read::{self, GaugeReading, Reading};
use crate::views::{ViewError, ViewMeta, Viewed, load_with_workspace, round_to};

/// How many recent calls, upcoming callbacks and payments the page lists.
pub const LISTED: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserComprehensive {
    /// `user_comprehensive`.
    pub dashboard_type: &'static str,
    pub user_profile: UserProfile,
    /// The user's latest subscription; `null` without one.
    pub subscription_info: Option<SubscriptionInfo>,
    /// The first (by id) AI agent the user owns; `null` without one.
    pub ai_agent_info: Option<AgentInfo>,
    pub call_statistics: UserCallStatistics,
    pub customer_management: UserCustomers,
    pub callback_management: UserCallbacks,
    pub billing_info: BillingInfo,
    pub quick_actions: Vec<QuickAction>,
    pub alerts: Vec<Alert>,
    pub summary: Summary,
    pub generated_at: Timestamp,
    pub data_freshness: Freshness,
}

/// From the user's latest `user.upserted` (fields it never sent are `null`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserProfile {
    pub id: String,
    pub email: Option<String>,
    pub full_name: Option<String>,
    pub user_name: Option<String>,
    pub phone: Option<String>,
    pub avatar: Option<String>,
    pub is_verified: Option<bool>,
    /// `signed_up_at`, else the user's first event.
    pub date_joined: Option<Timestamp>,
    pub account_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionInfo {
    pub id: String,
    pub plan_name: Option<String>,
    pub plan_price: Option<f64>,
    pub status: Option<String>,
    /// Whole days from now to the period's end (rounded up), 0 once it has passed.
    pub days_remaining: Option<i64>,
    pub current_period_start: Option<Timestamp>,
    pub current_period_end: Option<Timestamp>,
    pub cancel_at_period_end: Option<bool>,
    pub features: Value,
    pub limits: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentInfo {
    pub id: String,
    pub name: Option<String>,
    pub status: Option<String>,
    pub training_level: Option<f64>,
    pub personality_type: Option<String>,
    /// Active and trained at least 70 %.
    pub is_ready_for_calls: bool,
    pub performance: AgentInfoPerformance,
    pub working_hours: Value,
}

/// Over the calls the agent handled, all time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentInfoPerformance {
    pub calls_handled: i64,
    pub successful_conversions: i64,
    /// Conversions / calls handled, in percent; `null` without calls.
    pub conversion_rate: Option<f64>,
    /// The mean rating (1-5) of rated calls; `null` without ratings.
    pub customer_satisfaction: Option<f64>,
}

/// The calls whose `user_id` is the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserCallStatistics {
    #[serde(flatten)]
    pub counts: CallCounts,
    /// Successful / all calls, in percent; `null` without calls.
    pub success_rate: Option<f64>,
    /// The newest, not masked: they are the user's own.
    pub recent_calls: Vec<RecentCall>,
}

/// The customers the caller owns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserCustomers {
    pub total_customers: i64,
    pub hot_leads: i64,
    pub warm_leads: i64,
    pub cold_leads: i64,
    pub converted_customers: i64,
    pub new_customers_today: i64,
    /// Converted / all customers, in percent; `null` without customers.
    pub conversion_rate: Option<f64>,
}

/// The callbacks the caller owns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserCallbacks {
    pub total_callbacks: i64,
    pub scheduled_callbacks: i64,
    pub completed_callbacks: i64,
    /// Still scheduled and due before now.
    pub overdue_callbacks: i64,
    /// Due today (local), whatever their status.
    pub callbacks_today: i64,
    /// The next scheduled ones, soonest first.
    pub upcoming_callbacks: Vec<UpcomingCallback>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillingInfo {
    /// The end of the current period of an active subscription that renews; else `null`.
    pub next_billing_date: Option<Timestamp>,
    /// That subscription's price.
    pub next_amount: Option<f64>,
    /// The user's payments whose latest status is `paid`.
    pub total_spent: f64,
    pub recent_payments: Vec<Payment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payment {
    pub id: String,
    pub amount: Option<f64>,
    pub status: Option<String>,
    /// The payment's latest record.
    pub created_at: Option<Timestamp>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub account_status: Option<String>,
    pub agent_ready: bool,
    pub calls_today: i64,
    /// Callbacks still scheduled.
    pub pending_callbacks: i64,
    /// The call success rate (as `call_statistics.success_rate`).
    pub conversion_rate: Option<f64>,
}

fn text(data: &Map<String, Value>, field: &str) -> Option<String> {
    data.get(field).and_then(Value::as_str).map(str::to_owned)
}

fn instant(data: &Map<String, Value>, field: &str) -> Option<Timestamp> {
    data.get(field).and_then(Value::as_str).and_then(crate::events::parse_timestamp)
}

/// The user page of `user_id` in `ws`.
pub async fn user_page(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    user_id: &str,
    now: Timestamp,
) -> Result<Viewed<UserComprehensive>, ViewError> {
    let me = user_key(user_id);
    let owned = |gauge: &GaugeDef| CellKey::new(series_key(gauge.series, &[user_id]), Bucket::Current);
    let total = CellKey::new(series_key(activity::USER, &[user_id]), Bucket::Total);
    let cell_keys = [
        owned(&gauges::customers::OWNED_TEMPERATURE),
        owned(&gauges::callbacks::OWNED_STATUS),
        owned(&gauges::payments::OWNED_STATUS),
        total.clone(),
    ];
    let activity_series = series_key(activity::USER, &[user_id]);
    let [agents_list, subscriptions_list, calls_list, open_callbacks, payments_list] = [
        &lists::AGENTS_OF_OWNER,
        &lists::SUBSCRIPTIONS_OF_USER,
        &lists::CALLS_OF_USER,
        &lists::OPEN_CALLBACKS_OF_OWNER,
        &lists::PAYMENTS_OF_USER,
    ]
    .map(|list| list.key(&[user_id]));
    let (all, from_now, before_now) =
        (SortRange::all(), SortRange::instants(Some(now), None), SortRange::instants(None, Some(now)));
    let ((tz, entities), cells, days, agents, subscriptions, recent_calls, upcoming, overdue, payments) = tokio::try_join!(
        load_with_workspace(store, ws, std::slice::from_ref(&me)),
        store.read_cells(ws, &cell_keys),
        read::daily(store, ws, &activity_series, days_for_any_zone(now)),
        store.read_index(ws, &agents_list, &all, Direction::Ascending, 1),
        read::newest(store, ws, &subscriptions_list, 1),
        read::newest(store, ws, &calls_list, LISTED),
        store.read_index(ws, &open_callbacks, &from_now, Direction::Ascending, LISTED),
        store.count_index(ws, &open_callbacks, &before_now),
        read::newest(store, ws, &payments_list, LISTED),
    )?;
    let agent = match agents.first() {
        Some(entry) => Some((entry, agent_performance(store, ws, &entry.id).await?)),
        None => None,
    };
    let calendar = Calendar::new(now, &tz);
    let days = Days(days);
    let gauge = |def: &'static GaugeDef| GaugeReading::of(def, cells.get(&owned(def)));
    let profile = entities.get(&me);

    let counts = CallCounts::of(cells.get(&total), &days, &calendar);
    let call_statistics = UserCallStatistics {
        success_rate: percent(counts.successful_calls, counts.total_calls),
        counts,
        recent_calls: recent_calls.iter().map(|entry| RecentCall::from_entry(entry, false)).collect(),
    };

    let temperature = gauge(&gauges::customers::OWNED_TEMPERATURE);
    let converted =
        GaugeReading::of(&gauges::customers::OWNED_CONVERTED, cells.get(&owned(&gauges::customers::OWNED_CONVERTED)));
    let added = |day: &Cells| GaugeReading::of(&gauges::customers::OWNED_ADDED, Some(day)).count("all");
    let customer_management = UserCustomers {
        total_customers: temperature.total(),
        hot_leads: temperature.count("hot"),
        warm_leads: temperature.count("warm"),
        cold_leads: temperature.count("cold"),
        converted_customers: converted.count("true"),
        new_customers_today: days.sum(calendar.today, calendar.today, added),
        conversion_rate: percent(converted.count("true"), temperature.total()),
    };

    let callbacks = gauge(&gauges::callbacks::OWNED_STATUS);
    let due_today = days
        .sum(calendar.today, calendar.today, |day| GaugeReading::of(&gauges::callbacks::OWNED_DUE, Some(day)).total());
    let callback_management = UserCallbacks {
        total_callbacks: callbacks.total(),
        scheduled_callbacks: callbacks.count("scheduled"),
        completed_callbacks: callbacks.count("completed"),
        overdue_callbacks: i64::try_from(overdue).unwrap_or(i64::MAX),
        callbacks_today: due_today,
        upcoming_callbacks: upcoming.iter().map(|entry| UpcomingCallback::from_entry(entry, false)).collect(),
    };

    let subscription_info = subscriptions.first().map(|entry| subscription_info(entry, now));
    let renewing = subscription_info
        .as_ref()
        .filter(|s| s.status.as_deref() == Some("active") && s.cancel_at_period_end != Some(true));
    let billing_info = BillingInfo {
        next_billing_date: renewing.and_then(|s| s.current_period_end),
        next_amount: renewing.and_then(|s| s.plan_price),
        total_spent: money(gauge(&gauges::payments::OWNED_STATUS).sum("paid", gauges::payments::AMOUNT)),
        recent_payments: payments.iter().map(payment).collect(),
    };
    let failed_payments = gauge(&gauges::payments::OWNED_STATUS).count("failed");

    let ai_agent_info = agent.map(|(entry, performance)| agent_info(entry, performance));
    let agent_ready = ai_agent_info.as_ref().is_some_and(|agent| agent.is_ready_for_calls);
    let quick_actions = quick_actions(agent_ready, &customer_management, &callback_management);
    let alerts = alerts(&callback_management, subscription_info.as_ref(), ai_agent_info.as_ref(), failed_payments);
    let account_status = profile.and_then(|user| user.str("status")).map(str::to_owned);
    let summary = Summary {
        account_status: account_status.clone(),
        agent_ready,
        calls_today: call_statistics.counts.calls_today,
        pending_callbacks: callback_management.scheduled_callbacks,
        conversion_rate: call_statistics.success_rate,
    };
    let watermark = Reading::of(cells.get(&total))
        .latest()
        .into_iter()
        .chain(cell_keys[..3].iter().filter_map(|key| Reading::of(cells.get(key)).latest()))
        .max();
    let body = UserComprehensive {
        dashboard_type: "user_comprehensive",
        user_profile: UserProfile {
            id: user_id.to_owned(),
            email: profile.and_then(|user| user.str("email")).map(str::to_owned),
            full_name: profile.and_then(|user| user.str("full_name")).map(str::to_owned),
            user_name: profile.and_then(|user| user.str("user_name")).map(str::to_owned),
            phone: profile.and_then(|user| user.str("phone")).map(str::to_owned),
            avatar: profile.and_then(|user| user.str("avatar")).map(str::to_owned),
            is_verified: profile.and_then(|user| user.bool("is_verified")),
            date_joined: profile.and_then(|user| InstantOf::FieldOrFirstSeen("signed_up_at").of(user)),
            account_status,
        },
        subscription_info,
        ai_agent_info,
        call_statistics,
        customer_management,
        callback_management,
        billing_info,
        quick_actions,
        alerts,
        summary,
        generated_at: now,
        data_freshness: Freshness::of(watermark, now),
    };
    Ok(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, watermark) })
}

/// The all-time calls an agent handled.
async fn agent_performance(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    agent_id: &str,
) -> Result<AgentInfoPerformance, crate::ports::StoreError> {
    let key = CellKey::new(series_key(calls::BY_AGENT.name, &[agent_id]), Bucket::Total);
    let cells = store.read_cells(ws, std::slice::from_ref(&key)).await?;
    Ok(handled_calls(Reading::of_series(&calls::BY_AGENT, cells.get(&key))))
}

/// Calls handled, conversions, their rate and the mean rating, from an agent's calls.
pub(super) fn handled_calls(calls_handled: Reading) -> AgentInfoPerformance {
    let (handled, converted) = (calls_handled.count(), calls_handled.count_of(calls::OUTCOME, "converted"));
    let rated = calls_handled.counted(calls::SATISFACTION.field);
    AgentInfoPerformance {
        calls_handled: handled,
        successful_conversions: converted,
        conversion_rate: percent(converted, handled),
        customer_satisfaction: calls_handled
            .total(calls::SATISFACTION)
            .per(rated)
            .map(|mean| round_to(mean.units(), 2)),
    }
}

fn agent_info(entry: &IndexEntry, performance: AgentInfoPerformance) -> AgentInfo {
    let data = &entry.data;
    let (status, level) = (text(data, "status"), data.get("training_level").and_then(Value::as_f64));
    AgentInfo {
        id: text(data, "agent_id").unwrap_or_else(|| entry.id.clone()),
        name: text(data, "name"),
        is_ready_for_calls: gauges::agents::is_ready(status.as_deref(), level),
        status,
        training_level: level,
        personality_type: text(data, "personality_type"),
        performance,
        working_hours: data.get("working_hours").cloned().unwrap_or(Value::Null),
    }
}

fn subscription_info(entry: &IndexEntry, now: Timestamp) -> SubscriptionInfo {
    let data = &entry.data;
    let end = instant(data, "current_period_end");
    let days_remaining = end.map(|end| {
        let seconds = end.as_second() - now.as_second();
        if seconds <= 0 { 0 } else { (seconds + 86_399) / 86_400 }
    });
    SubscriptionInfo {
        id: text(data, "subscription_id").unwrap_or_else(|| entry.id.clone()),
        plan_name: text(data, "plan_name"),
        plan_price: data.get("plan_price").and_then(Value::as_f64),
        status: text(data, "status"),
        days_remaining,
        current_period_start: instant(data, "current_period_start"),
        current_period_end: end,
        cancel_at_period_end: data.get("cancel_at_period_end").and_then(Value::as_bool),
        features: data.get("features").cloned().unwrap_or(Value::Array(Vec::new())),
        limits: data.get("limits").cloned().unwrap_or(Value::Object(Map::new())),
    }
}

fn payment(entry: &IndexEntry) -> Payment {
    let data = &entry.data;
    Payment {
        id: text(data, "payment_id").unwrap_or_else(|| entry.id.clone()),
        amount: data.get("amount").and_then(Value::as_f64),
        status: text(data, "status"),
        created_at: parse_instant_key(&entry.sort),
        description: text(data, "description"),
    }
}

fn quick_actions(agent_ready: bool, customers: &UserCustomers, callbacks: &UserCallbacks) -> Vec<QuickAction> {
    vec![
        QuickAction {
            id: "start_call",
            title: "Start Call",
            description: "Make an AI-powered call",
            icon: "phone",
            count: None,
            enabled: agent_ready,
            url: "/api/agents/ai/start-call/",
            color: "success",
        },
        QuickAction {
            id: "view_customers",
            title: "Customer Profiles",
            description: "Manage your customers",
            icon: "users",
            count: Some(customers.total_customers),
            enabled: true,
            url: "/api/agents/ai/customers/",
            color: "info",
        },
        QuickAction {
            id: "view_callbacks",
            title: "Callbacks",
            description: "Your scheduled callbacks",
            icon: "clock",
            count: Some(callbacks.scheduled_callbacks),
            enabled: true,
            url: "/api/agents/ai/callbacks/",
            color: "warning",
        },
    ]
}

fn alerts(
    callbacks: &UserCallbacks,
    subscription: Option<&SubscriptionInfo>,
    agent: Option<&AgentInfo>,
    failed_payments: i64,
) -> Vec<Alert> {
    let mut alerts = Vec::new();
    if callbacks.overdue_callbacks > 0 {
        let n = callbacks.overdue_callbacks;
        alerts.push(Alert {
            level: AlertLevel::Warning,
            title: "Overdue Callbacks",
            message: format!("You have {n} overdue callback{}", if n == 1 { "" } else { "s" }),
            count: n,
            action_text: "View Callbacks",
            action_url: "/api/agents/ai/callbacks/?overdue=true",
            rule: "your callbacks still scheduled and due before now > 0",
        });
    }
    if failed_payments > 0 {
        alerts.push(Alert {
            level: AlertLevel::Error,
            title: "Payment Failed",
            message: format!("{failed_payments} of your payments failed. Update your payment method."),
            count: failed_payments,
            action_text: "Update Billing",
            action_url: "/api/subscriptions/billing/?status=failed",
            rule: "your payments whose latest status is failed > 0",
        });
    }
    if let Some(subscription) = subscription {
        let ends_within_a_week = subscription.days_remaining.is_some_and(|days| days <= 7);
        if subscription.status.as_deref() == Some("past_due") {
            alerts.push(Alert {
                level: AlertLevel::Error,
                title: "Subscription Past Due",
                message: "Your subscription is past due.".to_owned(),
                count: 1,
                action_text: "Pay Now",
                action_url: "/api/subscriptions/billing/",
                rule: "your latest subscription's status is past_due",
            });
        } else if subscription.status.as_deref() == Some("active")
            && subscription.cancel_at_period_end == Some(true)
            && ends_within_a_week
        {
            let days = subscription.days_remaining.unwrap_or(0);
            alerts.push(Alert {
                level: AlertLevel::Warning,
                title: "Subscription Expiring",
                message: format!("Your subscription ends in {days} day{}.", if days == 1 { "" } else { "s" }),
                count: days,
                action_text: "Renew",
                action_url: "/api/subscriptions/",
                rule: "your active subscription ends with its period within 7 days",
            });
        }
    }
    match agent {
        None => alerts.push(Alert {
            level: AlertLevel::Info,
            title: "Set Up Your AI Agent",
            message: "You have no AI agent yet.".to_owned(),
            count: 0,
            action_text: "Create Agent",
            action_url: "/api/agents/ai/create/",
            rule: "agents you own = 0",
        }),
        Some(agent) if agent.training_level.is_some_and(|level| level < gauges::agents::LOW_TRAINING_LEVEL) => {
            let level = agent.training_level.unwrap_or(0.0);
            alerts.push(Alert {
                level: AlertLevel::Warning,
                title: "Low Training",
                message: format!("Your agent is trained {level} %; it is ready for calls from 70 %."),
                count: level.round() as i64,
                action_text: "Train Agent",
                action_url: "/api/agents/ai/training/",
                rule: "your agent's training level < 50 %",
            });
        }
        Some(_) => {}
    }
    alerts
}
