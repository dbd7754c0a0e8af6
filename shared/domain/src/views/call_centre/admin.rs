//! The page of a workspace's admins and managers (`admin_comprehensive`): everyone's users,
//! subscriptions, revenue, calls, agents, customers and callbacks.
//!
//! Eight store reads, all issued at once: the workspace and the caller's user; the present
//! gauges and the all-time activity (one batch); the activity's days around today; the newest
//! users, subscription changes and calls; the scheduled callbacks due before now (a count); the
//! plans of active subscriptions (a tally).

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::{
    Alert, AlertLevel, Calendar, CallCounts, CallTally, CallTypeCount, Days, Freshness, Growth, OutcomeCount,
    QuickAction, RecentCall, days_for_any_zone, money, percent, user_key,
};
use crate::WorkspaceId;
use crate::ports::RollupStore;
use crate::rollup::gauges::{self, GaugeDef};
use crate::rollup::indexes::call_centre as lists;
use crate::rollup::series::{activity, calls};
use crate::rollup::{CellKey, Cells, IndexEntry, SortRange, series_key};
use crate::time::{Bucket, add_days};
use crate::views::read::{self, GaugeReading, Reading};
use crate::views::{ViewError, ViewMeta, Viewed, load_with_workspace, round_to};

/// How many of each kind of recent activity the page lists.
pub const RECENT: usize = 10;
/// At most this many plans are listed.
const PLANS: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminComprehensive {
    /// `admin_comprehensive`.
    pub dashboard_type: &'static str,
    pub user_info: UserInfo,
    pub summary_stats: SummaryStats,
    pub subscription_metrics: SubscriptionMetrics,
    pub billing_revenue: BillingRevenue,
    pub call_statistics: CallStatistics,
    pub ai_agent_metrics: AgentMetrics,
    pub customer_management: CustomerManagement,
    pub callback_management: CallbackManagement,
    pub quick_actions: Vec<QuickAction>,
    pub recent_activities: RecentActivities,
    pub alerts: Vec<Alert>,
    pub performance_trends: PerformanceTrends,
    pub generated_at: Timestamp,
    pub data_freshness: Freshness,
}

/// The caller, from their `user.upserted` if there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: String,
    pub email: Option<String>,
    /// The token's role.
    pub role: String,
    pub full_name: Option<String>,
}

/// Users by their account status; new users by the local day they joined (`signed_up_at`, else
/// their first event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryStats {
    pub total_users: i64,
    /// Users whose status is `active`.
    pub active_users: i64,
    pub new_users_today: i64,
    pub new_users_this_week: i64,
    pub new_users_this_month: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionMetrics {
    pub total_subscriptions: i64,
    pub active_subscriptions: i64,
    pub inactive_subscriptions: i64,
    pub cancelled_subscriptions: i64,
    pub past_due_subscriptions: i64,
    /// First seen today.
    pub new_subscriptions_today: i64,
    /// Active subscriptions per plan (name and price), most first.
    pub subscription_by_plans: Vec<PlanCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanCount {
    #[serde(rename = "plan__name")]
    pub plan_name: Option<String>,
    /// The price with two decimals, as text (`"99.00"`).
    #[serde(rename = "plan__price")]
    pub plan_price: Option<String>,
    pub count: i64,
}

/// Revenue is the amount of payments whose latest record is `paid`, on the local day of that
/// record; pending and failed count payments whose latest status is that.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillingRevenue {
    pub total_revenue: f64,
    pub revenue_today: f64,
    pub revenue_this_week: f64,
    pub revenue_this_month: f64,
    pub pending_payments: i64,
    pub failed_payments: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallStatistics {
    #[serde(flatten)]
    pub counts: CallCounts,
    /// Calls whose latest `call.status` is `active` / `queued`.
    pub active_calls: i64,
    pub queued_calls: i64,
    pub calls_by_type: Vec<CallTypeCount>,
    pub calls_by_outcome: Vec<OutcomeCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentMetrics {
    pub total_agents: i64,
    pub active_agents: i64,
    pub training_agents: i64,
    pub learning_agents: i64,
    pub paused_agents: i64,
    /// Active and trained at least 70 %.
    pub agents_ready_for_calls: i64,
    pub performance: AgentPerformance,
}

/// Over every call that names the agent who handled it, all time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentPerformance {
    pub total_calls_handled: i64,
    pub total_conversions: i64,
    /// Conversions / calls handled, in percent (pooled over agents); `null` without calls.
    pub avg_conversion_rate: Option<f64>,
    /// The mean rating (1-5) of rated calls; `null` without ratings.
    pub avg_customer_satisfaction: Option<f64>,
}

/// Customers by their latest `customer.upserted`; new ones by the local day first seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerManagement {
    pub total_customers: i64,
    pub hot_leads: i64,
    pub warm_leads: i64,
    pub cold_leads: i64,
    pub converted_customers: i64,
    pub do_not_call_list: i64,
    pub new_customers_today: i64,
    pub new_customers_this_week: i64,
}

/// Callbacks by their latest status; overdue: still scheduled and due before now; today and this
/// week: due on those local days, whatever their status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackManagement {
    pub total_callbacks: i64,
    pub scheduled_callbacks: i64,
    pub completed_callbacks: i64,
    pub cancelled_callbacks: i64,
    pub overdue_callbacks: i64,
    pub callbacks_today: i64,
    pub callbacks_this_week: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentActivities {
    /// The users who joined last, newest first.
    pub new_users: Vec<NewUser>,
    /// The subscriptions that changed last, newest first.
    pub new_subscriptions: Vec<SubscriptionChange>,
    /// The calls that ended last, newest first; customers' numbers masked.
    pub recent_calls: Vec<RecentCall>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    pub id: String,
    pub email: Option<String>,
    pub full_name: Option<String>,
    pub user_name: Option<String>,
    pub status: Option<String>,
    pub date_joined: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionChange {
    pub id: String,
    pub user_id: Option<String>,
    pub plan_name: Option<String>,
    pub plan_price: Option<f64>,
    pub status: Option<String>,
    pub changed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CallCentrePerformanceTrends))]
pub struct PerformanceTrends {
    /// Users joined.
    pub user_growth: Growth,
    /// Revenue (paid payments).
    pub revenue_growth: Growth,
}

/// The present gauges the page reads, all at once.
const PRESENT: &[&str] =
    &["users_now", "subscriptions_now", "payments_now", "live_calls", "agents_now", "customers_now", "callbacks_now"];

fn str_of(entry: &IndexEntry, field: &str) -> Option<String> {
    entry.data.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// The admin page of `ws` for the caller `caller` (their user id and role).
pub async fn admin_page(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    caller: (&str, &str),
    now: Timestamp,
) -> Result<Viewed<AdminComprehensive>, ViewError> {
    let (caller_id, caller_role) = caller;
    let me = user_key(caller_id);
    let total = CellKey::new(activity::WORKSPACE, Bucket::Total);
    let mut cell_keys: Vec<CellKey> = PRESENT.iter().map(|name| CellKey::new(*name, Bucket::Current)).collect();
    cell_keys.push(total.clone());
    let (users_list, subscriptions_list, calls_list) =
        (lists::USERS_BY_JOIN.key(&[]), lists::SUBSCRIPTIONS_BY_CHANGE.key(&[]), lists::CALLS.key(&[]));
    let (open_callbacks, due_before_now, plans_tally) =
        (lists::OPEN_CALLBACKS.key(&[]), SortRange::instants(None, Some(now)), lists::PLANS.key(&[]));
    let ((tz, entities), cells, days, new_users, changed_subscriptions, recent_calls, overdue_callbacks, plans) = tokio::try_join!(
        load_with_workspace(store, ws, std::slice::from_ref(&me)),
        store.read_cells(ws, &cell_keys),
        read::daily(store, ws, activity::WORKSPACE, days_for_any_zone(now)),
        read::newest(store, ws, &users_list, RECENT),
        read::newest(store, ws, &subscriptions_list, RECENT),
        read::newest(store, ws, &calls_list, RECENT),
        store.count_index(ws, &open_callbacks, &due_before_now),
        read::members(store, ws, &plans_tally, PLANS),
    )?;
    let calendar = Calendar::new(now, &tz);
    let days = Days(days);
    let present = |gauge: &'static GaugeDef| {
        GaugeReading::of(gauge, cells.get(&CellKey::new(series_key(gauge.series, &[]), Bucket::Current)))
    };
    let all_time = cells.get(&total);
    let dated = |gauge: &'static GaugeDef, state: &'static str| {
        move |day: &Cells| GaugeReading::of(gauge, Some(day)).count(state)
    };

    let users = present(&gauges::users::STATUS);
    let [new_users_today, new_users_this_week, new_users_this_month] =
        days.spans(&calendar, dated(&gauges::users::JOINED, "all"));
    let summary_stats = SummaryStats {
        total_users: users.total(),
        active_users: users.count("active"),
        new_users_today,
        new_users_this_week,
        new_users_this_month,
    };

    let subscriptions = present(&gauges::subscriptions::STATUS);
    let mut subscription_by_plans: Vec<PlanCount> = plans.iter().map(plan_count).collect();
    subscription_by_plans.sort_by_key(|plan| std::cmp::Reverse(plan.count));
    let subscription_metrics = SubscriptionMetrics {
        total_subscriptions: subscriptions.total(),
        active_subscriptions: subscriptions.count("active"),
        inactive_subscriptions: subscriptions.count("inactive"),
        cancelled_subscriptions: subscriptions.count("cancelled"),
        past_due_subscriptions: subscriptions.count("past_due"),
        new_subscriptions_today: days.sum(
            calendar.today,
            calendar.today,
            dated(&gauges::subscriptions::STARTED, "all"),
        ),
        subscription_by_plans,
    };
    let ending_soon =
        days.sum(calendar.today, add_days(calendar.today, 6), dated(&gauges::subscriptions::ENDING, "all"));

    let payments = present(&gauges::payments::STATUS);
    let revenue = |day: &Cells| {
        money(GaugeReading::of(&gauges::payments::BY_DAY, Some(day)).sum("paid", gauges::payments::AMOUNT))
    };
    let [revenue_today, revenue_this_week, revenue_this_month] = days.spans(&calendar, revenue);
    let billing_revenue = BillingRevenue {
        total_revenue: money(payments.sum("paid", gauges::payments::AMOUNT)),
        revenue_today: round_to(revenue_today, 2),
        revenue_this_week: round_to(revenue_this_week, 2),
        revenue_this_month: round_to(revenue_this_month, 2),
        pending_payments: payments.count("pending"),
        failed_payments: payments.count("failed"),
    };

    let all_calls = CallTally::of(all_time);
    let live = present(&gauges::live_calls::STATUS);
    let call_statistics = CallStatistics {
        counts: CallCounts::of(all_time, &days, &calendar),
        active_calls: live.count("active"),
        queued_calls: live.count("queued"),
        calls_by_type: all_calls.by_type(),
        calls_by_outcome: all_calls.by_outcome(),
    };

    let agents = present(&gauges::agents::STATUS);
    let handled = Reading::of_series(&calls::WORKSPACE_HANDLED, all_time);
    let (calls_handled, conversions) = (handled.count(), handled.count_of(calls::OUTCOME, "converted"));
    let rated = handled.counted(calls::SATISFACTION.field);
    let low_training = present(&gauges::agents::TRAINING).count("low");
    let ai_agent_metrics = AgentMetrics {
        total_agents: agents.total(),
        active_agents: agents.count("active"),
        training_agents: agents.count("training"),
        learning_agents: agents.count("learning"),
        paused_agents: agents.count("paused"),
        agents_ready_for_calls: present(&gauges::agents::READINESS).count("ready"),
        performance: AgentPerformance {
            total_calls_handled: calls_handled,
            total_conversions: conversions,
            avg_conversion_rate: percent(conversions, calls_handled),
            avg_customer_satisfaction: handled
                .total(calls::SATISFACTION)
                .per(rated)
                .map(|mean| round_to(mean.units(), 2)),
        },
    };

    let temperature = present(&gauges::customers::TEMPERATURE);
    let [new_customers_today, new_customers_this_week, _] =
        days.spans(&calendar, dated(&gauges::customers::ADDED, "all"));
    let customer_management = CustomerManagement {
        total_customers: temperature.total(),
        hot_leads: temperature.count("hot"),
        warm_leads: temperature.count("warm"),
        cold_leads: temperature.count("cold"),
        converted_customers: present(&gauges::customers::CONVERTED).count("true"),
        do_not_call_list: present(&gauges::customers::DO_NOT_CALL).count("true"),
        new_customers_today,
        new_customers_this_week,
    };

    let callbacks = present(&gauges::callbacks::STATUS);
    let due = |day: &Cells| GaugeReading::of(&gauges::callbacks::DUE, Some(day)).total();
    let overdue_callbacks = i64::try_from(overdue_callbacks).unwrap_or(i64::MAX);
    let callback_management = CallbackManagement {
        total_callbacks: callbacks.total(),
        scheduled_callbacks: callbacks.count("scheduled"),
        completed_callbacks: callbacks.count("completed"),
        cancelled_callbacks: callbacks.count("cancelled"),
        overdue_callbacks,
        callbacks_today: days.sum(calendar.today, calendar.today, due),
        callbacks_this_week: days.sum(calendar.week_start, add_days(calendar.week_start, 6), due),
    };

    let quick_actions = quick_actions(
        &summary_stats,
        &subscription_metrics,
        &billing_revenue,
        &call_statistics,
        &ai_agent_metrics,
        &callback_management,
    );
    let alerts = alerts(&billing_revenue, &callback_management, ending_soon, low_training, &ai_agent_metrics);
    let performance_trends = PerformanceTrends {
        user_growth: days.growth(&calendar, |day| dated(&gauges::users::JOINED, "all")(day) as f64),
        revenue_growth: days.growth(&calendar, revenue),
    };
    let caller_record = entities.get(&me);
    let watermark = PRESENT
        .iter()
        .filter_map(|name| Reading::of(cells.get(&CellKey::new(*name, Bucket::Current))).latest())
        .chain(Reading::of(all_time).latest())
        .max();
    let body = AdminComprehensive {
        dashboard_type: "admin_comprehensive",
        user_info: UserInfo {
            id: caller_id.to_owned(),
            email: caller_record.and_then(|user| user.str("email")).map(str::to_owned),
            role: caller_role.to_owned(),
            full_name: caller_record.and_then(|user| user.str("full_name")).map(str::to_owned),
        },
        summary_stats,
        subscription_metrics,
        billing_revenue,
        call_statistics,
        ai_agent_metrics,
        customer_management,
        callback_management,
        quick_actions,
        recent_activities: RecentActivities {
            new_users: new_users.iter().map(new_user).collect(),
            new_subscriptions: changed_subscriptions.iter().map(subscription_change).collect(),
            recent_calls: recent_calls.iter().map(|entry| RecentCall::from_entry(entry, true)).collect(),
        },
        alerts,
        performance_trends,
        generated_at: now,
        data_freshness: Freshness::of(watermark, now),
    };
    Ok(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, watermark) })
}

fn plan_count(member: &IndexEntry) -> PlanCount {
    let price = member.data.get("plan_price").and_then(Value::as_f64);
    PlanCount {
        plan_name: member.data.get("plan_name").and_then(Value::as_str).map(str::to_owned),
        plan_price: price.map(|price| format!("{price:.2}")),
        count: member.count,
    }
}

fn new_user(entry: &IndexEntry) -> NewUser {
    NewUser {
        id: str_of(entry, "user_id").unwrap_or_else(|| entry.id.clone()),
        email: str_of(entry, "email"),
        full_name: str_of(entry, "full_name"),
        user_name: str_of(entry, "user_name"),
        status: str_of(entry, "status"),
        date_joined: crate::rollup::indexes::parse_instant_key(&entry.sort),
    }
}

fn subscription_change(entry: &IndexEntry) -> SubscriptionChange {
    SubscriptionChange {
        id: str_of(entry, "subscription_id").unwrap_or_else(|| entry.id.clone()),
        user_id: str_of(entry, "user_id"),
        plan_name: str_of(entry, "plan_name"),
        plan_price: entry.data.get("plan_price").and_then(Value::as_f64),
        status: str_of(entry, "status"),
        changed_at: crate::rollup::indexes::parse_instant_key(&entry.sort),
    }
}

fn quick_actions(
    users: &SummaryStats,
    subscriptions: &SubscriptionMetrics,
    billing: &BillingRevenue,
    calls: &CallStatistics,
    agents: &AgentMetrics,
    callbacks: &CallbackManagement,
) -> Vec<QuickAction> {
    let action = |id, title, description, icon, count: i64, url, color| QuickAction {
        id,
        title,
        description,
        icon,
        count: Some(count),
        enabled: true,
        url,
        color,
    };
    vec![
        action(
            "view_all_users",
            "View All Users",
            "Manage system users",
            "users",
            users.total_users,
            "/api/dashboard/admin/users/",
            "primary",
        ),
        action(
            "manage_subscriptions",
            "Manage Subscriptions",
            "View and manage subscriptions",
            "credit-card",
            subscriptions.active_subscriptions,
            "/api/dashboard/admin/subscriptions/",
            "success",
        ),
        action(
            "monitor_calls",
            "Monitor Calls",
            "Calls in progress and waiting",
            "phone",
            calls.active_calls + calls.queued_calls,
            "/api/dashboard/admin/calls/",
            "info",
        ),
        action(
            "billing_management",
            "Billing Management",
            "Pending and failed payments",
            "dollar-sign",
            billing.pending_payments + billing.failed_payments,
            "/api/dashboard/admin/billing/",
            "warning",
        ),
        action(
            "manage_agents",
            "Manage AI Agents",
            "Agents and their training",
            "cpu",
            agents.total_agents,
            "/api/dashboard/admin/agents/",
            "secondary",
        ),
        action(
            "review_callbacks",
            "Review Callbacks",
            "Overdue callbacks",
            "clock",
            callbacks.overdue_callbacks,
            "/api/dashboard/admin/callbacks/?overdue=true",
            "danger",
        ),
    ]
}

fn alerts(
    billing: &BillingRevenue,
    callbacks: &CallbackManagement,
    ending_soon: i64,
    low_training: i64,
    agents: &AgentMetrics,
) -> Vec<Alert> {
    let plural = |n: i64, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    let mut alerts = Vec::new();
    if billing.failed_payments > 0 {
        alerts.push(Alert {
            level: AlertLevel::Error,
            title: "Failed Payments",
            message: format!(
                "{} failed. Immediate attention required.",
                plural(billing.failed_payments, "payment", "payments")
            ),
            count: billing.failed_payments,
            action_text: "View Failed Payments",
            action_url: "/api/subscriptions/billing/?status=failed",
            rule: "payments whose latest status is failed > 0",
        });
    }
    if callbacks.overdue_callbacks > 0 {
        alerts.push(Alert {
            level: AlertLevel::Error,
            title: "Overdue Callbacks",
            message: format!("{} past due.", plural(callbacks.overdue_callbacks, "callback is", "callbacks are")),
            count: callbacks.overdue_callbacks,
            action_text: "View Callbacks",
            action_url: "/api/agents/ai/callbacks/?overdue=true",
            rule: "callbacks still scheduled and due before now > 0",
        });
    }
    if ending_soon > 0 {
        alerts.push(Alert {
            level: AlertLevel::Warning,
            title: "Subscriptions Expiring",
            message: format!("{} within 7 days.", plural(ending_soon, "subscription ends", "subscriptions end")),
            count: ending_soon,
            action_text: "View Subscriptions",
            action_url: "/api/dashboard/admin/subscriptions/?expiring=7d",
            rule: "active subscriptions set to end with their period, ending in the next 7 local days > 0",
        });
    }
    if low_training > 0 {
        alerts.push(Alert {
            level: AlertLevel::Warning,
            title: "Low Agent Training",
            message: format!("{} trained below 50 %.", plural(low_training, "agent is", "agents are")),
            count: low_training,
            action_text: "Train Agents",
            action_url: "/api/dashboard/admin/agents/?training=low",
            rule: "agents with a training level under 50 % > 0",
        });
    }
    if agents.total_agents == 0 {
        alerts.push(Alert {
            level: AlertLevel::Info,
            title: "Set Up AI Agents",
            message: "No AI agent is set up yet.".to_owned(),
            count: 0,
            action_text: "Create Agent",
            action_url: "/api/agents/ai/create/",
            rule: "agents = 0",
        });
    }
    alerts
}
