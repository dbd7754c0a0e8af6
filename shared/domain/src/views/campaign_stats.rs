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

use super::{CacheStatus, Meta, Source, count, ratio, timestamp_from_millis, unscaled};
use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::entities::workspace_time_zone;
use crate::rollup::series::{MILLI, field, names};
use crate::rollup::{CellKey, Cells, EntityKey, series_key};
use crate::time::{Bucket, DateRange, last_hours, local_today};

/// How many days the daily series covers unless the caller picks a range.
pub const DEFAULT_DAYS: i64 = 30;
const HOURS: i64 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsOptions {
    pub include_time_series: bool,
    /// Days of the daily series; the last [`DEFAULT_DAYS`] local days when `None`.
    pub days: Option<DateRange>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CampaignStats {
    pub campaign_id: String,
    pub campaign_name: Option<String>,
    pub contacts: ContactCounts,
    pub calls: CallCounts,
    pub rates: Rates,
    pub duration: DurationStats,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_series: Option<TimeSeries>,
    pub meta: Meta,
}

/// Contacts of the campaign by current state.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
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
pub struct CallCounts {
    pub total_attempts: i64,
    pub completed: i64,
    pub refused: i64,
    pub no_answer: i64,
    pub busy: i64,
    pub failed: i64,
    pub other: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rates {
    pub completion_rate: f64,
    pub refusal_rate: f64,
    pub not_reached_rate: f64,
    pub answer_rate: f64,
}

/// Call durations in seconds; `null` while there are no calls.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DurationStats {
    pub average_seconds: Option<f64>,
    pub min_seconds: Option<f64>,
    pub max_seconds: Option<f64>,
    pub total_seconds: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimeSeries {
    /// The last 24 UTC hours, oldest first, the current (partial) hour last; gaps are zeros.
    pub hourly: Vec<HourPoint>,
    /// Each local day of the range, oldest first; gaps are zeros.
    pub daily: Vec<DayPoint>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HourPoint {
    pub hour: Timestamp,
    #[serde(flatten)]
    pub calls: CallCounts,
    pub total_duration_seconds: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DayPoint {
    pub date: Date,
    #[serde(flatten)]
    pub calls: CallCounts,
    pub total_duration_seconds: f64,
}

impl ContactCounts {
    fn from_gauge(cells: Option<&Cells>) -> ContactCounts {
        let get = |state: &str| count(cells.and_then(|c| c.get(&field::state(state))).copied().unwrap_or(0));
        let mut counts = ContactCounts {
            total: 0,
            pending: get("pending"),
            in_progress: get("in_progress"),
            completed: get("completed"),
            refused: get("refused"),
            not_reached: get("not_reached"),
            excluded: get("excluded"),
        };
        counts.total = counts.pending
            + counts.in_progress
            + counts.completed
            + counts.refused
            + counts.not_reached
            + counts.excluded;
        counts
    }
}

impl CallCounts {
    fn from_cells(cells: Option<&Cells>) -> CallCounts {
        let get = |name: &str| count(cells.and_then(|c| c.get(name)).copied().unwrap_or(0));
        let outcome = |value: &str| get(&field::count_by("outcome", value));
        let mut counts = CallCounts {
            total_attempts: get(field::COUNT),
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

fn total_duration_seconds(cells: Option<&Cells>) -> f64 {
    unscaled(cells.and_then(|c| c.get(&field::sum("duration_s"))).copied().unwrap_or(0), MILLI)
}

impl DurationStats {
    fn from_cells(cells: Option<&Cells>, attempts: i64) -> DurationStats {
        let get = |name: String| cells.and_then(|c| c.get(&name)).copied();
        let total = get(field::sum("duration_s")).unwrap_or(0);
        let seconds = |millis: Option<i128>| millis.filter(|_| attempts > 0).map(|ms| unscaled(ms, MILLI));
        DurationStats {
            average_seconds: (attempts > 0).then(|| unscaled(total / i128::from(attempts), MILLI)),
            min_seconds: seconds(get(field::min("duration_s"))),
            max_seconds: seconds(get(field::max("duration_s"))),
            total_seconds: unscaled(total, MILLI),
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
) -> Result<Option<CampaignStats>, StoreError> {
    let campaign_key = EntityKey::new("campaign", &[campaign_id]);
    let entities = store.load_entities(ws, &[campaign_key.clone(), EntityKey::workspace()]).await?;
    let tz = workspace_time_zone(entities.get(&EntityKey::workspace()));
    let campaign = entities.get(&campaign_key);

    let calls_series = series_key(names::CAMPAIGN_CALLS, &[campaign_id]);
    let total_key = CellKey::new(calls_series.clone(), Bucket::Total);
    let gauge_key = CellKey::new(series_key(names::CONTACT_STATES, &[campaign_id]), Bucket::Current);
    let cells = store.read_cells(ws, &[total_key.clone(), gauge_key.clone()]).await?;
    if campaign.is_none() && cells.is_empty() {
        return Ok(None);
    }
    let totals = cells.get(&total_key);
    let gauge = cells.get(&gauge_key);

    let contacts = ContactCounts::from_gauge(gauge);
    let calls = CallCounts::from_cells(totals);
    let rates = Rates {
        completion_rate: ratio(contacts.completed, contacts.total),
        refusal_rate: ratio(contacts.refused, contacts.total),
        not_reached_rate: ratio(contacts.not_reached, contacts.total),
        answer_rate: ratio(calls.answered(), calls.total_attempts),
    };
    let duration = DurationStats::from_cells(totals, calls.total_attempts);

    let time_series = if options.include_time_series {
        let hours = last_hours(now, HOURS);
        let (first_hour, last_hour) = (hours[0], hours[hours.len() - 1]);
        let hourly_cells = store.read_range(ws, &calls_series, first_hour, last_hour).await?;
        let days = options.days.unwrap_or_else(|| DateRange::last_days(local_today(now, &tz), DEFAULT_DAYS));
        let daily_cells = store.read_range(ws, &calls_series, Bucket::Day(days.start), Bucket::Day(days.end)).await?;
        Some(TimeSeries {
            hourly: gap_fill(&hours, &hourly_cells)
                .map(|(bucket, cells)| HourPoint {
                    hour: bucket.hour_start().expect("hour bucket"),
                    calls: CallCounts::from_cells(cells),
                    total_duration_seconds: total_duration_seconds(cells),
                })
                .collect(),
            daily: gap_fill(&days.days().into_iter().map(Bucket::Day).collect::<Vec<_>>(), &daily_cells)
                .map(|(bucket, cells)| DayPoint {
                    date: match bucket {
                        Bucket::Day(date) => date,
                        _ => unreachable!("daily buckets"),
                    },
                    calls: CallCounts::from_cells(cells),
                    total_duration_seconds: total_duration_seconds(cells),
                })
                .collect(),
        })
    } else {
        None
    };

    let watermark = [totals, gauge]
        .into_iter()
        .flatten()
        .filter_map(|cells| cells.get(field::LATEST).copied())
        .max()
        .and_then(timestamp_from_millis);
    Ok(Some(CampaignStats {
        campaign_id: campaign_id.to_owned(),
        campaign_name: campaign.and_then(|c| c.str("name")).map(str::to_owned),
        contacts,
        calls,
        rates,
        duration,
        time_series,
        meta: Meta {
            generated_at: now,
            timezone: tz.iana_name().unwrap_or("UTC").to_owned(),
            watermark,
            cache: CacheStatus::Miss,
            source: Source::Rollup,
        },
    }))
}

/// Whether `ws` knows the campaign: by an upsert, a call or a contact event.
pub async fn campaign_exists(store: &dyn RollupStore, ws: &WorkspaceId, campaign_id: &str) -> Result<bool, StoreError> {
    let key = EntityKey::new("campaign", &[campaign_id]);
    if !store.load_entities(ws, std::slice::from_ref(&key)).await?.is_empty() {
        return Ok(true);
    }
    let cells = [
        CellKey::new(series_key(names::CAMPAIGN_CALLS, &[campaign_id]), Bucket::Total),
        CellKey::new(series_key(names::CONTACT_STATES, &[campaign_id]), Bucket::Current),
    ];
    Ok(!store.read_cells(ws, &cells).await?.is_empty())
}

/// Pairs every wanted bucket with its stored cells, if any (`stored` is ordered).
fn gap_fill<'a>(
    wanted: &'a [Bucket],
    stored: &'a [(Bucket, Cells)],
) -> impl Iterator<Item = (Bucket, Option<&'a Cells>)> + 'a {
    let mut stored = stored.iter().peekable();
    wanted.iter().map(move |bucket| {
        while stored.next_if(|(at, _)| at < bucket).is_some() {}
        let cells = stored.next_if(|(at, _)| at == bucket).map(|(_, cells)| cells);
        (*bucket, cells)
    })
}
