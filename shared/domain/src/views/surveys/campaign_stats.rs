//! Seed 003: a voice survey campaign's dashboard stats.
//!
//! Reads (four store calls): the campaign and workspace entities; the campaign's all-time call
//! cell and its contact-state gauge; its hourly cells for the last 24 h; its daily cells for the
//! requested days. Rates are defined here, once:
//! - `completion_rate`, `refusal_rate`, `not_reached_rate`: contacts in that state / all contacts;
//! - `answer_rate`: attempts someone picked up (not `no_answer`, `busy` or `failed`) / attempts.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::WorkspaceId;
use crate::events::catalog::CONTACT_STATES;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::gauges;
use crate::rollup::series::{campaign_calls, contact_states};
use crate::rollup::{CellKey, EntityKey, series_key};
use crate::time::{Bucket, RequestedRange, last_hours};
use crate::views::read::{self, GaugeReading, Reading};
use crate::views::{ViewError, ViewMeta, Viewed, load_with_workspace, ratio};

/// How many days the daily series covers unless the caller picks a range.
pub const DEFAULT_DAYS: i64 = 30;
const HOURS: i64 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsOptions {
    pub include_time_series: bool,
    /// Days of the daily series (by default the last [`DEFAULT_DAYS`] local days).
    pub days: RequestedRange,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignStats {
    pub campaign_id: String,
    /// From the latest `campaign.upserted`; `null` without one.
    pub campaign_name: Option<String>,
    pub contacts: ContactCounts,
    pub calls: CallCounts,
    pub rates: Rates,
    pub duration: DurationStats,
    /// Left out when `include_time_series=false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_series: Option<TimeSeries>,
}

/// Contacts of the campaign by current state (the newest `contact.state_changed` of each).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactCounts {
    pub total: i64,
    pub pending: i64,
    pub in_progress: i64,
    pub completed: i64,
    pub refused: i64,
    pub not_reached: i64,
    pub excluded: i64,
}

/// Call attempts by outcome; `other` holds outcomes a survey does not name (converted, ...).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallCounts {
    pub total_attempts: i64,
    pub completed: i64,
    pub refused: i64,
    pub no_answer: i64,
    pub busy: i64,
    pub failed: i64,
    pub other: i64,
}

/// Each 0..1, rounded to 4 decimals; 0 when there is nothing to divide by.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rates {
    /// Completed contacts / all contacts.
    pub completion_rate: f64,
    /// Refused contacts / all contacts.
    pub refusal_rate: f64,
    /// Not reached contacts / all contacts.
    pub not_reached_rate: f64,
    /// Attempts someone picked up (not no_answer, busy or failed) / all attempts.
    pub answer_rate: f64,
}

/// Call durations in seconds; `null` while there are no calls.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DurationStats {
    pub average_seconds: Option<f64>,
    pub min_seconds: Option<f64>,
    pub max_seconds: Option<f64>,
    pub total_seconds: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeSeries {
    /// The last 24 UTC hours, oldest first, the current (partial) hour last; gaps are zeros.
    pub hourly: Vec<HourPoint>,
    /// Each local day of the range, oldest first; gaps are zeros.
    pub daily: Vec<DayPoint>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourPoint {
    pub hour: Timestamp,
    #[serde(flatten)]
    pub calls: CallCounts,
    pub total_duration_seconds: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayPoint {
    pub date: Date,
    #[serde(flatten)]
    pub calls: CallCounts,
    pub total_duration_seconds: f64,
}

impl ContactCounts {
    fn from_gauge(gauge: GaugeReading) -> ContactCounts {
        let [pending, in_progress, completed, refused, not_reached, excluded] =
            CONTACT_STATES.map(|state| gauge.count(state));
        let total = pending + in_progress + completed + refused + not_reached + excluded;
        ContactCounts { total, pending, in_progress, completed, refused, not_reached, excluded }
    }
}

impl CallCounts {
    fn from(cells: Reading) -> CallCounts {
        let outcome = |value: &str| cells.count_of(campaign_calls::OUTCOME, value);
        let mut counts = CallCounts {
            total_attempts: cells.count(),
            completed: outcome("completed"),
            refused: outcome("refused"),
            no_answer: outcome("no_answer"),
            busy: outcome("busy"),
            failed: outcome("failed"),
            other: 0,
        };
        counts.other =
            counts.total_attempts - counts.completed - counts.refused - counts.no_answer - counts.busy - counts.failed;
        counts
    }

    fn answered(&self) -> i64 {
        self.total_attempts - self.no_answer - self.busy - self.failed
    }
}

impl DurationStats {
    fn from(cells: Reading, attempts: i64) -> DurationStats {
        let total = cells.total(campaign_calls::DURATION);
        let seconds = |amount: Option<read::Amount>| amount.filter(|_| attempts > 0).map(read::Amount::units);
        DurationStats {
            average_seconds: total.per(attempts).map(read::Amount::units),
            min_seconds: seconds(cells.min(campaign_calls::DURATION)),
            max_seconds: seconds(cells.max(campaign_calls::DURATION)),
            total_seconds: total.units(),
        }
    }
}

/// The stats of `campaign_id` in `ws`, or `None` when the workspace has no such campaign
/// (neither an upsert nor any call or contact event).
pub async fn campaign_stats(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    campaign_id: &str,
    options: &StatsOptions,
    now: Timestamp,
) -> Result<Option<Viewed<CampaignStats>>, ViewError> {
    let campaign_key = EntityKey::new("campaign", &[campaign_id]);
    let (tz, entities) = load_with_workspace(store, ws, std::slice::from_ref(&campaign_key)).await?;
    let days = options.days.resolve(&tz, now, DEFAULT_DAYS)?.days;
    let campaign = entities.get(&campaign_key);

    let calls_series = series_key(campaign_calls::NAME, &[campaign_id]);
    let total_key = CellKey::new(calls_series.clone(), Bucket::Total);
    let gauge_key = CellKey::new(series_key(contact_states::NAME, &[campaign_id]), Bucket::Current);
    let cells = store.read_cells(ws, &[total_key.clone(), gauge_key.clone()]).await?;
    if campaign.is_none() && cells.is_empty() {
        return Ok(None);
    }
    let (totals, gauge) =
        (Reading::of(cells.get(&total_key)), GaugeReading::of(&gauges::contacts::STATES, cells.get(&gauge_key)));

    let contacts = ContactCounts::from_gauge(gauge);
    let calls = CallCounts::from(totals);
    let rates = Rates {
        completion_rate: ratio(contacts.completed, contacts.total),
        refusal_rate: ratio(contacts.refused, contacts.total),
        not_reached_rate: ratio(contacts.not_reached, contacts.total),
        answer_rate: ratio(calls.answered(), calls.total_attempts),
    };
    let duration = DurationStats::from(totals, calls.total_attempts);
    let time_series = match options.include_time_series {
        true => Some(time_series(store, ws, &calls_series, now, days).await?),
        false => None,
    };
    let watermark = totals.latest().max(gauge.latest());
    let body = CampaignStats {
        campaign_id: campaign_id.to_owned(),
        campaign_name: campaign.and_then(|c| c.str("name")).map(str::to_owned),
        contacts,
        calls,
        rates,
        duration,
        time_series,
    };
    Ok(Some(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, watermark) }))
}

async fn time_series(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    series: &str,
    now: Timestamp,
    days: crate::time::DateRange,
) -> Result<TimeSeries, StoreError> {
    let hours = read::hourly(store, ws, series, &last_hours(now, HOURS)).await?;
    let days = read::daily(store, ws, series, days).await?;
    let point = |cells| (CallCounts::from(Reading::of(Some(cells))), Reading::of(Some(cells)));
    Ok(TimeSeries {
        hourly: hours
            .iter()
            .filter_map(|(bucket, cells)| {
                let (calls, reading) = point(cells);
                let total_duration_seconds = reading.total(campaign_calls::DURATION).units();
                Some(HourPoint { hour: bucket.hour_start()?, calls, total_duration_seconds })
            })
            .collect(),
        daily: days
            .iter()
            .map(|(date, cells)| {
                let (calls, reading) = point(cells);
                DayPoint { date: *date, calls, total_duration_seconds: reading.total(campaign_calls::DURATION).units() }
            })
            .collect(),
    })
}

/// Whether `ws` knows the campaign: by an upsert, a call or a contact event.
pub async fn campaign_exists(store: &dyn RollupStore, ws: &WorkspaceId, campaign_id: &str) -> Result<bool, StoreError> {
    let key = EntityKey::new("campaign", &[campaign_id]);
    if !store.load_entities(ws, std::slice::from_ref(&key)).await?.is_empty() {
        return Ok(true);
    }
    let cells = [
        CellKey::new(series_key(campaign_calls::NAME, &[campaign_id]), Bucket::Total),
        CellKey::new(series_key(contact_states::NAME, &[campaign_id]), Bucket::Current),
    ];
    Ok(!store.read_cells(ws, &cells).await?.is_empty())
}
