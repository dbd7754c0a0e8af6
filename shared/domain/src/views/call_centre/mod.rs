//! Seed 001: a call-centre SaaS's comprehensive dashboard, one call per page, by role: the
//! workspace's admins and managers ([`admin`]), a customer of the SaaS with their AI agent
//! ([`user`]), a call-centre agent ([`agent`]). Every number is read from gauges, the days of an
//! activity series and bounded lists (`rollup::gauges`, `rollup::indexes`), never from calls.
//!
//! Definitions shared by the pages, stated once:
//! - **Today, this week, this month** are local to the workspace's zone: today; the ISO week
//!   (Monday first) up to today; the calendar month up to today.
//! - **Successful calls** ended `converted`, `interested` or `completed`: someone was reached
//!   and the call went somewhere. **Converted calls** ended `converted`.
//! - **Trends** compare the last 7 local days (today included) with the 7 before: `up` when the
//!   recent sum is more than 10 % above the earlier one (or above zero after zero), `down` when
//!   more than 10 % below, `flat` otherwise.
//! - **Masking**: a customer's phone number or email shown to a role that does not own the
//!   customer keeps its first two and last three characters (`+1******890`), an email its first
//!   letter and domain (`j***@example.com`). A user's own records are shown whole.
//! - **Freshness**: `real_time` when the newest event included is at most 5 minutes old, `recent`
//!   within an hour, `stale` beyond, `no_data` without any event.

pub mod admin;
pub mod agent;
pub mod user;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::rollup::Cells;
use crate::rollup::indexes::parse_instant_key;
use crate::rollup::series::calls;
use crate::time::{DateRange, add_days, local_today};
use crate::views::read::{Amount, Reading};
use crate::views::round_to;

/// One page, whichever the caller's role is: the answer of `GET /api/dashboard/comprehensive/`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Page {
    Admin(Box<admin::AdminComprehensive>),
    User(Box<user::UserComprehensive>),
    Agent(Box<agent::AgentComprehensive>),
}

/// The local calendar a page counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub today: Date,
    /// Monday of the ISO week of today.
    pub week_start: Date,
    pub month_start: Date,
}

impl Calendar {
    pub fn new(now: Timestamp, tz: &jiff::tz::TimeZone) -> Calendar {
        let today = local_today(now, tz);
        let week_start = add_days(today, -i64::from(today.weekday().to_monday_zero_offset()));
        Calendar { today, week_start, month_start: today.first_of_month() }
    }

    /// The last 7 days (today included) and the 7 before them, for trends.
    fn fortnight(&self) -> (DateRange, DateRange) {
        let recent = DateRange::last_days(self.today, 7);
        (recent, DateRange::last_days(add_days(recent.start, -1), 7))
    }
}

/// The days a page reads before it knows the workspace's zone (read at the same time): from 32
/// days before today in UTC to 8 days after, so that in any zone (UTC−12 to UTC+14) they hold
/// its month so far, its last 14 days and its next 7.
pub fn days_for_any_zone(now: Timestamp) -> DateRange {
    let utc_today = local_today(now, &jiff::tz::TimeZone::UTC);
    DateRange { start: add_days(utc_today, -32), end: add_days(utc_today, 8) }
}

/// Daily cells of an activity series, summed over the spans a page shows.
pub struct Days(pub Vec<(Date, Cells)>);

impl Days {
    /// `measure` summed over the days from `from` to `to`, inclusive.
    pub fn sum<T: std::iter::Sum<T>>(&self, from: Date, to: Date, measure: impl Fn(&Cells) -> T) -> T {
        self.0.iter().filter(|(day, _)| (from..=to).contains(day)).map(|(_, cells)| measure(cells)).sum()
    }

    /// Today, this week and this month of `measure`.
    pub fn spans<T: std::iter::Sum<T>>(&self, calendar: &Calendar, measure: impl Fn(&Cells) -> T) -> [T; 3] {
        [calendar.today, calendar.week_start, calendar.month_start].map(|from| self.sum(from, calendar.today, &measure))
    }

    /// A growth block: today, this week, this month, and the trend over the last fortnight.
    pub fn growth(&self, calendar: &Calendar, measure: impl Fn(&Cells) -> f64) -> Growth {
        let [today, week, month] = self.spans(calendar, &measure);
        let (recent, earlier) = calendar.fortnight();
        let last_7_days = self.sum(recent.start, recent.end, &measure);
        let previous_7_days = self.sum(earlier.start, earlier.end, &measure);
        Growth {
            today: round_to(today, 2),
            week: round_to(week, 2),
            month: round_to(month, 2),
            trend: Trend::between(last_7_days, previous_7_days),
            last_7_days: round_to(last_7_days, 2),
            previous_7_days: round_to(previous_7_days, 2),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CallCentreTrend))]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    Up,
    Down,
    Flat,
}

impl Trend {
    /// More than 10 % above the earlier sum is up, more than 10 % below is down (see the module).
    pub fn between(recent: f64, earlier: f64) -> Trend {
        if earlier == 0.0 {
            return if recent > 0.0 { Trend::Up } else { Trend::Flat };
        }
        match recent / earlier {
            ratio if ratio > 1.1 => Trend::Up,
            ratio if ratio < 0.9 => Trend::Down,
            _ => Trend::Flat,
        }
    }
}

/// A number today, this week and this month, with its trend and the sums it was judged on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Growth {
    pub today: f64,
    pub week: f64,
    pub month: f64,
    /// The last 7 local days against the 7 before: more than 10 % higher is `up`, lower `down`.
    pub trend: Trend,
    pub last_7_days: f64,
    pub previous_7_days: f64,
}

/// How current the numbers are, from the newest event included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    RealTime,
    Recent,
    Stale,
    NoData,
}

impl Freshness {
    pub fn of(watermark: Option<Timestamp>, now: Timestamp) -> Freshness {
        match watermark.map(|at| now.duration_since(at)) {
            None => Freshness::NoData,
            Some(age) if age <= SignedDuration::from_mins(5) => Freshness::RealTime,
            Some(age) if age <= SignedDuration::from_hours(1) => Freshness::Recent,
            Some(_) => Freshness::Stale,
        }
    }
}

/// `+1234567890` as `+1******890`: the first two and last three characters kept.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 5 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 5;
    chars[..2].iter().chain(std::iter::repeat_n(&'*', hidden)).chain(&chars[chars.len() - 3..]).collect()
}

/// `jane@example.com` as `j***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => mask_phone(email),
    }
}

/// A duration in seconds as `HH:MM:SS`.
pub fn hms(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as i64;
    format!("{:02}:{:02}:{:02}", total / 3600, total % 3600 / 60, total % 60)
}

/// Money in its currency, rounded to cents.
pub fn money(amount: Amount) -> f64 {
    round_to(amount.raw as f64 / amount.scale as f64, 2)
}

/// `part / whole` as a percentage with one decimal; `None` when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round_to(100.0 * part as f64 / whole as f64, 1))
}

/// The outcomes a successful call ends with (see the module).
pub const SUCCESSFUL_OUTCOMES: &[&str] = &["converted", "interested", "completed"];

/// A count by value, as the seed lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallTypeCount {
    pub call_type: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeCount {
    pub outcome: String,
    pub count: i64,
}

/// Calls in all and per span, with how many succeeded and converted: what every page counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CallCentreCallCounts))]
pub struct CallCounts {
    pub total_calls: i64,
    pub calls_today: i64,
    pub calls_this_week: i64,
    pub calls_this_month: i64,
    /// Ended converted, interested or completed.
    pub successful_calls: i64,
    pub converted_calls: i64,
}

impl CallCounts {
    /// From an activity series' all-time cell and its days.
    pub fn of(all_time: Option<&Cells>, days: &Days, calendar: &Calendar) -> CallCounts {
        let all = CallTally::of(all_time);
        let [calls_today, calls_this_week, calls_this_month] =
            days.spans(calendar, |day| CallTally::of(Some(day)).total());
        CallCounts {
            total_calls: all.total(),
            calls_today,
            calls_this_week,
            calls_this_month,
            successful_calls: all.successful(),
            converted_calls: all.converted(),
        }
    }
}

/// Calls counted in one cell of an activity series (`calls.` prefix).
#[derive(Debug, Clone, Copy)]
pub struct CallTally<'a>(pub Reading<'a>);

impl<'a> CallTally<'a> {
    pub fn of(cells: Option<&'a Cells>) -> CallTally<'a> {
        CallTally(Reading::of_series(&calls::WORKSPACE, cells))
    }

    pub fn total(&self) -> i64 {
        self.0.count()
    }

    pub fn successful(&self) -> i64 {
        SUCCESSFUL_OUTCOMES.iter().map(|outcome| self.0.count_of(calls::OUTCOME, outcome)).sum()
    }

    pub fn converted(&self) -> i64 {
        self.0.count_of(calls::OUTCOME, "converted")
    }

    pub fn by_type(&self) -> Vec<CallTypeCount> {
        calls::CALL_TYPE
            .values
            .iter()
            .map(|call_type| CallTypeCount {
                call_type: (*call_type).to_owned(),
                count: self.0.count_of(calls::CALL_TYPE, call_type),
            })
            .filter(|entry| entry.count > 0)
            .collect()
    }

    /// Every outcome with a call, the named ones first, the rest as `other`.
    pub fn by_outcome(&self) -> Vec<OutcomeCount> {
        calls::OUTCOME
            .values
            .iter()
            .chain(&["other"])
            .map(|outcome| OutcomeCount {
                outcome: (*outcome).to_owned(),
                count: self.0.count_of(calls::OUTCOME, outcome),
            })
            .filter(|entry| entry.count > 0)
            .collect()
    }
}

/// A completed call as a page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentCall {
    /// The call's id.
    pub id: String,
    /// Masked unless the caller owns the call's customer.
    pub phone_number: Option<String>,
    pub call_type: Option<String>,
    pub outcome: Option<String>,
    /// `HH:MM:SS`.
    pub duration: String,
    pub duration_seconds: f64,
    /// When it started: its completion less its duration.
    pub initiated_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub customer_response: Option<String>,
    pub user_id: Option<String>,
    pub agent_id: Option<String>,
}

fn text(data: &Map<String, Value>, field: &str) -> Option<String> {
    data.get(field).and_then(Value::as_str).map(str::to_owned)
}

impl RecentCall {
    /// From an entry of `indexes::call_centre::CALLS`; `masked` hides the customer's number.
    pub fn from_entry(entry: &crate::rollup::IndexEntry, masked: bool) -> RecentCall {
        let data = &entry.data;
        let seconds = data.get("duration_s").and_then(Value::as_f64).unwrap_or(0.0);
        let completed_at = parse_instant_key(&entry.sort);
        let phone = text(data, "phone_number");
        RecentCall {
            id: text(data, "call_id").unwrap_or_else(|| entry.id.clone()),
            phone_number: if masked { phone.as_deref().map(mask_phone) } else { phone },
            call_type: text(data, "call_type"),
            outcome: text(data, "outcome"),
            duration: hms(seconds),
            duration_seconds: round_to(seconds, 3),
            initiated_at: completed_at.and_then(|at| at.checked_sub(SignedDuration::from_secs_f64(seconds)).ok()),
            completed_at,
            customer_response: text(data, "customer_response"),
            user_id: text(data, "user_id"),
            agent_id: text(data, "agent_id"),
        }
    }
}

/// A scheduled callback as a page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpcomingCallback {
    pub id: String,
    /// Masked unless the caller owns the customer.
    pub customer_phone: Option<String>,
    pub customer_name: Option<String>,
    pub scheduled_datetime: Option<Timestamp>,
    pub reason: Option<String>,
    pub priority_level: Option<String>,
}

impl UpcomingCallback {
    /// From an entry of the open-callback lists; `masked` hides the customer's number.
    pub fn from_entry(entry: &crate::rollup::IndexEntry, masked: bool) -> UpcomingCallback {
        let data = &entry.data;
        let phone = text(data, "customer_phone");
        UpcomingCallback {
            id: text(data, "callback_id").unwrap_or_else(|| entry.id.clone()),
            customer_phone: if masked { phone.as_deref().map(mask_phone) } else { phone },
            customer_name: text(data, "customer_name"),
            scheduled_datetime: parse_instant_key(&entry.sort),
            reason: text(data, "reason"),
            priority_level: text(data, "priority_level"),
        }
    }
}

/// A button of the page, with the count that goes on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuickAction {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub icon: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    pub enabled: bool,
    pub url: &'static str,
    pub color: &'static str,
}

/// How urgent an alert is, as the seed names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AlertLevel {
    Error,
    Warning,
    Info,
}

/// An alert raised by a rule on the data; `rule` says which and `count` what it counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    #[serde(rename = "type")]
    pub level: AlertLevel,
    pub title: &'static str,
    pub message: String,
    pub count: i64,
    pub action_text: &'static str,
    pub action_url: &'static str,
    /// The rule that raised it.
    pub rule: &'static str,
}

/// The `(kind, id)` of a user's entity.
pub fn user_key(user_id: &str) -> crate::rollup::EntityKey {
    crate::rollup::EntityKey::new("user", &[user_id])
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn phones_and_emails_are_masked_as_the_seed_shows() {
        assert_eq!(mask_phone("+1234567890"), "+1******890");
        assert_eq!(mask_phone("0612"), "****");
        assert_eq!(mask_email("jane.smith@example.com"), "j***@example.com");
    }

    #[test]
    fn a_trend_is_judged_by_ten_percent_either_way() {
        assert_eq!(Trend::between(111.0, 100.0), Trend::Up);
        assert_eq!(Trend::between(110.0, 100.0), Trend::Flat);
        assert_eq!(Trend::between(89.0, 100.0), Trend::Down);
        assert_eq!(Trend::between(1.0, 0.0), Trend::Up);
        assert_eq!(Trend::between(0.0, 0.0), Trend::Flat);
    }

    #[test]
    fn the_calendar_has_the_iso_week_and_the_month_of_today_in_the_zone() {
        let paris = crate::time::time_zone("Europe/Paris").expect("zone");
        // Sunday 23:30 in UTC is already Monday in Paris.
        let calendar = Calendar::new("2025-03-02T23:30:00Z".parse().expect("ts"), &paris);
        assert_eq!(
            (calendar.today, calendar.week_start, calendar.month_start),
            (date(2025, 3, 3), date(2025, 3, 3), date(2025, 3, 1))
        );
        let any = days_for_any_zone("2025-03-02T23:30:00Z".parse().expect("ts"));
        assert!(any.start <= date(2025, 2, 1) && any.end >= date(2025, 3, 9));
    }

    #[test]
    fn durations_read_as_hours_minutes_and_seconds() {
        assert_eq!(hms(330.0), "00:05:30");
        assert_eq!(hms(3_725.4), "01:02:05");
    }
}
