//! Every event type of spec/EVENTS.md. Types whose dashboards come later are validated and stored
//! now, so later views are derived from what is already stored instead of a re-ingest.
//!
//! Every number has a realistic range (README, "The event contract"): a value outside it is a
//! unit mistake or an attack, and is rejected with the field named. The ranges also bound what
//! one event adds to a rollup (see [`crate::rollup::cells`]).

use super::schema::{EventSchema, Field, Kind};

const NAME: Kind = Kind::Text(200);
const PHONE: Kind = Kind::Text(40);
const SCORE: Kind = Kind::Number { min: 0.0, max: 100.0 };
const PROBABILITY: Kind = Kind::Number { min: 0.0, max: 1.0 };
const SATISFACTION: Kind = Kind::Number { min: 1.0, max: 5.0 };
const PERCENT: Kind = Kind::Number { min: 0.0, max: 100.0 };
/// A duration of one call, session or step: at most a day.
const DURATION_S: Kind = Kind::Number { min: 0.0, max: 86_400.0 };
const DURATION_MS: Kind = Kind::Number { min: 0.0, max: 86_400_000.0 };
/// Money flowing in one event (spend, revenue, a payment, a price): at most 1,000,000 in the
/// currency's unit, 10^12 micros.
const MONEY: Kind = Kind::Number { min: 0.0, max: 1e6 };
/// A budget or a property deal: at most 10^9 in the currency's unit.
const LARGE_MONEY: Kind = Kind::Number { min: 0.0, max: 1e9 };
/// Impressions, clicks, conversions, seats: at most 10^9 per event.
const COUNT: Kind = Kind::Integer { min: 0, max: 1_000_000_000 };
const CREDITS: Kind = Kind::Number { min: 0.0, max: 1e9 };
const DAYS: Kind = Kind::Integer { min: 0, max: 3_650 };
const STEPS: Kind = Kind::Integer { min: 0, max: 10_000 };

pub const CONTACT_STATES: [&str; 6] = ["pending", "in_progress", "completed", "refused", "not_reached", "excluded"];
/// Call outcomes that dashboards name; others are valid tokens and count as `other`.
pub const CALL_OUTCOMES: &[&str] =
    &["completed", "refused", "no_answer", "busy", "failed", "converted", "interested", "not_interested"];

pub const CATALOG: &[EventSchema] = &[
    // Entities: the newest occurred_at wins.
    EventSchema {
        name: "workspace.upserted",
        fields: &[
            Field::req("name", NAME),
            Field::opt("plan", Kind::Text(100)),
            Field::opt("seats", COUNT),
            Field::opt("seats_used", COUNT),
            Field::opt("credits_total", CREDITS),
            Field::opt("credits_reset_date", Kind::Date),
            Field::opt("timezone", Kind::TimeZone),
        ],
    },
    EventSchema {
        name: "user.upserted",
        fields: &[
            Field::req("user_id", Kind::Id),
            Field::opt("email", Kind::Text(320)),
            Field::opt("full_name", NAME),
            Field::opt("user_name", NAME),
            Field::opt("phone", PHONE),
            Field::opt("role", Kind::Token),
            Field::opt("signed_up_at", Kind::Timestamp),
            Field::opt("status", Kind::Token),
            // Seed 001's profile shows them; beyond spec/EVENTS.md's list.
            Field::opt("avatar", Kind::Text(500)),
            Field::opt("is_verified", Kind::Bool),
        ],
    },
    EventSchema {
        name: "agent.upserted",
        fields: &[
            Field::req("agent_id", Kind::Id),
            Field::opt("name", NAME),
            Field::opt("kind", Kind::OneOf(&["ai", "human"])),
            Field::opt("owner_user_id", Kind::Id),
            Field::opt("status", Kind::OneOf(&["active", "training", "learning", "paused"])),
            Field::opt("training_level", PERCENT),
            Field::opt("personality_type", Kind::Text(100)),
            Field::opt("working_hours", Kind::Object),
        ],
    },
    EventSchema {
        name: "campaign.upserted",
        fields: &[
            Field::req("campaign_id", Kind::Id),
            Field::opt("name", NAME),
            Field::opt("kind", Kind::OneOf(&["ads", "survey"])),
            Field::opt("owner_user_id", Kind::Id),
            Field::opt("budget", LARGE_MONEY),
            Field::opt("target_cpa", MONEY),
            // Revenue per unit of spend.
            Field::opt("target_roas", Kind::Number { min: 0.0, max: 1_000.0 }),
            Field::opt("starts_on", Kind::Date),
            Field::opt("ends_on", Kind::Date),
            Field::opt("status", Kind::Token),
        ],
    },
    EventSchema {
        name: "customer.upserted",
        fields: &[
            Field::req("customer_id", Kind::Id),
            Field::opt("owner_user_id", Kind::Id),
            Field::opt("name", NAME),
            Field::opt("phone", PHONE),
            Field::opt("temperature", Kind::OneOf(&["hot", "warm", "cold"])),
            Field::opt("converted", Kind::Bool),
            Field::opt("do_not_call", Kind::Bool),
        ],
    },
    EventSchema {
        name: "lead.upserted",
        fields: &[
            Field::req("lead_id", Kind::Id),
            Field::opt("name", NAME),
            Field::opt("email", Kind::Text(320)),
            Field::opt("source", Kind::Token),
            Field::opt("segment", Kind::Token),
            Field::opt("budget", LARGE_MONEY),
            Field::opt("timeline_days", DAYS),
            Field::opt("agent_id", Kind::Id),
            Field::opt("attributes", Kind::Object),
        ],
    },
    EventSchema {
        name: "subscription.upserted",
        fields: &[
            Field::req("subscription_id", Kind::Id),
            Field::req("user_id", Kind::Id),
            Field::opt("plan_name", Kind::Text(100)),
            Field::opt("plan_price", MONEY),
            Field::opt("interval", Kind::OneOf(&["month", "year"])),
            Field::opt("status", Kind::OneOf(&["active", "inactive", "cancelled", "past_due"])),
            Field::opt("current_period_start", Kind::Timestamp),
            Field::opt("current_period_end", Kind::Timestamp),
            Field::opt("cancel_at_period_end", Kind::Bool),
            Field::opt("features", Kind::Array),
            Field::opt("limits", Kind::Object),
        ],
    },
    EventSchema {
        name: "model.upserted",
        fields: &[
            Field::req("model_id", Kind::Id),
            Field::opt("name", NAME),
            Field::opt("status", Kind::Token),
            Field::opt("version", Kind::Text(50)),
        ],
    },
    // Facts: each adds to rollups.
    EventSchema {
        name: "ad.delivery",
        fields: &[
            Field::req("campaign_id", Kind::Id),
            Field::opt("creative", NAME),
            Field::opt("audience", NAME),
            Field::req("impressions", COUNT),
            Field::req("clicks", COUNT),
            Field::req("spend", MONEY),
            Field::req("conversions", COUNT),
            Field::req("revenue", MONEY),
        ],
    },
    EventSchema {
        name: "user.session",
        fields: &[
            Field::req("user_id", Kind::Id),
            Field::opt("duration_s", DURATION_S),
            Field::opt("kind", Kind::OneOf(&["login", "session"])),
        ],
    },
    EventSchema {
        name: "payment.recorded",
        fields: &[
            Field::req("payment_id", Kind::Id),
            Field::req("user_id", Kind::Id),
            Field::req("amount", MONEY),
            Field::opt("currency", Kind::Text(3)),
            Field::req("status", Kind::OneOf(&["paid", "pending", "failed", "refunded"])),
            Field::opt("description", Kind::Text(500)),
        ],
    },
    EventSchema {
        name: "call.completed",
        fields: &[
            Field::req("call_id", Kind::Id),
            Field::opt("agent_id", Kind::Id),
            Field::opt("user_id", Kind::Id),
            Field::opt("campaign_id", Kind::Id),
            Field::opt("contact_id", Kind::Id),
            Field::opt("customer_id", Kind::Id),
            Field::opt("phone_number", PHONE),
            Field::req("call_type", Kind::OneOf(&["inbound", "outbound"])),
            Field::req("outcome", Kind::Token),
            Field::req("duration_s", DURATION_S),
            Field::opt("customer_response", Kind::Text(2000)),
            Field::opt("satisfaction", SATISFACTION),
        ],
    },
    EventSchema {
        name: "call.status",
        fields: &[
            Field::req("call_id", Kind::Id),
            Field::req("status", Kind::OneOf(&["queued", "active", "ended"])),
            Field::opt("agent_id", Kind::Id),
            Field::opt("user_id", Kind::Id),
        ],
    },
    EventSchema {
        name: "callback.upserted",
        fields: &[
            Field::req("callback_id", Kind::Id),
            Field::opt("owner_user_id", Kind::Id),
            Field::opt("agent_id", Kind::Id),
            Field::opt("customer_id", Kind::Id),
            Field::opt("customer_name", NAME),
            Field::opt("customer_phone", PHONE),
            Field::req("scheduled_at", Kind::Timestamp),
            Field::req("status", Kind::OneOf(&["scheduled", "completed", "cancelled"])),
            Field::opt("priority_level", Kind::Token),
            Field::opt("reason", Kind::Text(500)),
        ],
    },
    EventSchema {
        name: "contact.state_changed",
        fields: &[
            Field::req("campaign_id", Kind::Id),
            Field::req("contact_id", Kind::Id),
            Field::req("state", Kind::OneOf(&CONTACT_STATES)),
        ],
    },
    EventSchema {
        name: "agent.execution",
        fields: &[
            Field::req("agent_id", Kind::Id),
            Field::opt("user_id", Kind::Id),
            Field::req("success", Kind::Bool),
            Field::req("duration_ms", DURATION_MS),
            Field::opt("credits", CREDITS),
            Field::opt("error_code", Kind::Text(100)),
            Field::opt("satisfaction", SATISFACTION),
            Field::opt("feature", Kind::Token),
        ],
    },
    EventSchema {
        name: "api.request",
        fields: &[
            Field::opt("route", NAME),
            Field::req("status", Kind::Integer { min: 100, max: 599 }),
            Field::req("latency_ms", DURATION_MS),
            Field::opt("user_id", Kind::Id),
        ],
    },
    EventSchema {
        name: "lead.stage_changed",
        fields: &[
            Field::req("lead_id", Kind::Id),
            Field::req("stage", Kind::OneOf(&["created", "contacted", "showing", "offer", "closed", "lost"])),
        ],
    },
    EventSchema {
        name: "lead.engagement",
        fields: &[
            Field::req("lead_id", Kind::Id),
            Field::req("kind", Kind::OneOf(&["email_sent", "email_open", "response", "meeting_booked", "showing"])),
        ],
    },
    EventSchema {
        name: "lead.scored",
        fields: &[
            Field::req("lead_id", Kind::Id),
            Field::req("score", SCORE),
            Field::opt("probability", PROBABILITY),
            Field::opt("model_id", Kind::Id),
        ],
    },
    EventSchema {
        name: "ml.prediction",
        fields: &[
            Field::req("model_id", Kind::Id),
            Field::req("latency_ms", DURATION_MS),
            Field::opt("lead_id", Kind::Id),
            Field::opt("score", SCORE),
            Field::opt("error", Kind::Text(500)),
        ],
    },
    EventSchema {
        name: "ml.outcome",
        fields: &[Field::req("model_id", Kind::Id), Field::req("lead_id", Kind::Id), Field::req("label", Kind::Bool)],
    },
    EventSchema {
        name: "workflow.run",
        fields: &[
            Field::req("run_id", Kind::Id),
            Field::req("workflow_id", Kind::Id),
            Field::opt("name", NAME),
            Field::req("type", Kind::Token),
            Field::req("status", Kind::OneOf(&["active", "paused", "completed", "failed"])),
            Field::opt("current_step", STEPS),
            Field::opt("total_steps", STEPS),
            Field::opt("step_name", NAME),
            Field::opt("started_at", Kind::Timestamp),
            Field::opt("completed_at", Kind::Timestamp),
            Field::opt("lead_id", Kind::Id),
            Field::opt("next_action", Kind::Object),
        ],
    },
    EventSchema {
        name: "workflow.step",
        fields: &[
            Field::req("run_id", Kind::Id),
            Field::req("step", NAME),
            Field::req("duration_s", DURATION_S),
            Field::opt("status", Kind::Token),
        ],
    },
    EventSchema {
        name: "deal.closed",
        fields: &[Field::req("lead_id", Kind::Id), Field::req("amount", LARGE_MONEY), Field::opt("agent_id", Kind::Id)],
    },
];

/// The schema of a type name, if the catalog has it.
pub fn schema(type_name: &str) -> Option<&'static EventSchema> {
    CATALOG.iter().find(|schema| schema.name == type_name)
}
