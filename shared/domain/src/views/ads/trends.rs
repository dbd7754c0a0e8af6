//! Whether a campaign's ROAS, CPA, CTR and spend rise or fall, by a test rather than a glance:
//! the Mann-Kendall test on the daily values of the last `days` complete local days (today,
//! still filling, is left out), two-sided at α = 0.05 with the normal approximation and the tie
//! correction; Sen's slope says by how much per day.
//!
//! - The daily value of roas is revenue / spend, of cpa spend / conversions, of ctr clicks /
//!   impressions: a day without a denominator has no value and is left out. Spend counts every
//!   day from the window's first day with any delivery (days before the campaign delivered are
//!   not zeros of it).
//! - Fewer than [`MIN_DAYS`] values: `insufficient_data`. Else p < α: `increasing` (S > 0) or
//!   `decreasing` (S < 0); otherwise `stable`.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use super::delivery::Delivery;
use super::stats::{mann_kendall, sens_slope};
use super::{DaySpan, Scope, days_of, load_campaign, read_days};
use crate::WorkspaceId;
use crate::ports::RollupStore;
use crate::rollup::series::{campaign_ads, series_key};
use crate::time::{DateRange, add_days, local_today};
use crate::views::{ViewError, ViewMeta, Viewed, round_to};

/// The significance level of every trend test.
pub const ALPHA: f64 = 0.05;
/// The least daily values a trend is judged from.
pub const MIN_DAYS: usize = 7;
/// The most days a trend covers, and the default.
pub const MAX_DAYS: u16 = 365;
pub const DEFAULT_DAYS: u16 = 30;
pub const METHOD: &str = "mann_kendall";

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Increasing,
    Decreasing,
    Stable,
    InsufficientData,
}

/// The evidence of one trend.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendTest {
    /// `mann_kendall` (two-sided, normal approximation with tie correction; Sen's slope).
    pub method: &'static str,
    pub alpha: f64,
    /// Daily values tested.
    pub n: usize,
    /// The Mann-Kendall S; `null` with fewer than 7 values, as are `z`, `p_value` and `slope`.
    pub s: Option<i64>,
    /// 4 decimals.
    pub z: Option<f64>,
    /// Two-sided, 6 significant digits.
    pub p_value: Option<f64>,
    /// Sen's slope: the median change per day, in the metric's unit (currency units for cpa and
    /// spend), 6 significant digits.
    pub slope: Option<f64>,
}

/// `value` to 6 significant digits: p-values and slopes span many orders of magnitude.
fn significant(value: f64) -> f64 {
    format!("{value:.5e}").parse().unwrap_or(value)
}

/// The trend of `points` ((day index, value) in time order) and its evidence.
pub fn trend_of(points: &[(f64, f64)]) -> (Trend, TrendTest) {
    let mut test =
        TrendTest { method: METHOD, alpha: ALPHA, n: points.len(), s: None, z: None, p_value: None, slope: None };
    if points.len() < MIN_DAYS {
        return (Trend::InsufficientData, test);
    }
    let values: Vec<f64> = points.iter().map(|(_, value)| *value).collect();
    let mk = mann_kendall(&values);
    test.s = Some(mk.s);
    test.z = Some(round_to(mk.z, 4));
    test.p_value = Some(significant(mk.p_value));
    test.slope = sens_slope(points).map(significant);
    let trend = match mk.s.signum() {
        1 if mk.p_value < ALPHA => Trend::Increasing,
        -1 if mk.p_value < ALPHA => Trend::Decreasing,
        _ => Trend::Stable,
    };
    (trend, test)
}

/// A metric tested for a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Roas,
    Cpa,
    Ctr,
    Spend,
}

/// The daily values of `metric` as (day index, value) points.
pub fn points(days: &[(Date, Delivery)], metric: Metric) -> Vec<(f64, f64)> {
    let first_delivery = days.iter().position(|(_, delivery)| delivery.events > 0).unwrap_or(days.len());
    days.iter()
        .enumerate()
        .filter_map(|(index, (_, delivery))| {
            let value = match metric {
                Metric::Roas => delivery.roas(),
                Metric::Cpa => delivery.cpa(),
                Metric::Ctr => delivery.ctr(),
                Metric::Spend => (index >= first_delivery).then(|| delivery.spend_units()),
            };
            value.map(|value| (index as f64, value))
        })
        .collect()
}

/// The `days` complete local days before `today`.
pub fn window(today: Date, days: u16) -> DateRange {
    DateRange::last_days(add_days(today, -1), i64::from(days))
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendsEvidence {
    /// The complete local days tested.
    pub window: DaySpan,
    pub roas_trend: TrendTest,
    pub cpa_trend: TrendTest,
    pub ctr_trend: TrendTest,
    pub spend_trend: TrendTest,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trends {
    pub roas_trend: Trend,
    pub cpa_trend: Trend,
    pub ctr_trend: Trend,
    pub spend_trend: Trend,
    pub evidence: TrendsEvidence,
}

impl Trends {
    pub fn of(days: &[(Date, Delivery)], window: DateRange) -> Trends {
        let (roas_trend, roas) = trend_of(&points(days, Metric::Roas));
        let (cpa_trend, cpa) = trend_of(&points(days, Metric::Cpa));
        let (ctr_trend, ctr) = trend_of(&points(days, Metric::Ctr));
        let (spend_trend, spend) = trend_of(&points(days, Metric::Spend));
        Trends {
            roas_trend,
            cpa_trend,
            ctr_trend,
            spend_trend,
            evidence: TrendsEvidence {
                window: window.into(),
                roas_trend: roas,
                cpa_trend: cpa,
                ctr_trend: ctr,
                spend_trend: spend,
            },
        }
    }
}

/// `POST /api/v1/dashboard/performance_trends`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceTrends {
    pub campaign_id: String,
    pub trends: Trends,
}

/// The trends of `campaign_id` over the last `days` complete local days (three reads), or
/// `None` when `scope` finds no such campaign.
pub async fn performance_trends(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    campaign_id: &str,
    scope: Scope<'_>,
    days: u16,
    now: Timestamp,
) -> Result<Option<Viewed<PerformanceTrends>>, ViewError> {
    let Some(loaded) = load_campaign(store, ws, campaign_id, scope).await? else { return Ok(None) };
    let window = window(local_today(now, &loaded.tz), days);
    let stored = read_days(store, ws, &series_key(campaign_ads::NAME, &[campaign_id]), &[window]).await?;
    let body = PerformanceTrends {
        campaign_id: campaign_id.to_owned(),
        trends: Trends::of(&days_of(&stored, window), window),
    };
    Ok(Some(Viewed { body, meta: ViewMeta::from_rollups(now, &loaded.tz, loaded.watermark) }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn day(spend: i128, revenue: i128, clicks: i64, impressions: i64, conversions: i64) -> Delivery {
        Delivery { events: 1, spend, revenue, clicks, impressions, conversions }
    }

    fn series(deliveries: Vec<Delivery>) -> Vec<(Date, Delivery)> {
        let start = date(2025, 3, 1);
        deliveries.into_iter().enumerate().map(|(i, d)| (add_days(start, i as i64), d)).collect()
    }

    #[test]
    fn a_strictly_increasing_series_is_increasing_and_a_constant_one_stable() {
        // Spend and revenue rise every day; CTR stays at exactly 5%; CPA falls.
        let days = series((1..=10).map(|i| day(i * 10_000_000, i * i * 10_000_000, 50, 1_000, i as i64)).collect());
        let window = DateRange { start: date(2025, 3, 1), end: date(2025, 3, 10) };
        let trends = Trends::of(&days, window);
        assert_eq!(trends.spend_trend, Trend::Increasing);
        assert_eq!(trends.roas_trend, Trend::Increasing, "ROAS = i");
        assert_eq!(trends.ctr_trend, Trend::Stable);
        assert_eq!(trends.cpa_trend, Trend::Stable, "CPA = 10 every day: constant");
        let spend = &trends.evidence.spend_trend;
        assert_eq!((spend.n, spend.s, spend.slope), (10, Some(45), Some(10.0)));
        assert!(spend.p_value.is_some_and(|p| p < ALPHA));
        let ctr = &trends.evidence.ctr_trend;
        assert_eq!((ctr.s, ctr.z, ctr.p_value, ctr.slope), (Some(0), Some(0.0), Some(1.0), Some(0.0)));
    }

    #[test]
    fn a_falling_series_is_decreasing_and_noise_is_stable() {
        let falling = series((0..8).map(|i| day(100_000_000 - i * 5_000_000, 100_000_000, 10, 100, 1)).collect());
        let (trend, _) = trend_of(&points(&falling, Metric::Spend));
        assert_eq!(trend, Trend::Decreasing);
        let noise = [2.0, 4.0, 3.0, 5.0, 4.0, 6.0, 5.0, 3.0, 4.0, 5.0];
        let points: Vec<(f64, f64)> = noise.iter().enumerate().map(|(i, v)| (i as f64, *v)).collect();
        let (trend, test) = trend_of(&points);
        assert_eq!(trend, Trend::Stable, "p = 0.2288");
        assert_eq!(test.p_value, Some(0.228_757));
    }

    #[test]
    fn days_without_a_denominator_are_left_out_and_too_few_values_are_insufficient() {
        // Six days of spend after two empty ones; the ROAS of a day without spend is no value.
        let mut deliveries = vec![Delivery::default(), Delivery::default()];
        deliveries.extend((1..=6).map(|i| day(i * 1_000_000, 2_000_000, 1, 10, 1)));
        deliveries.push(day(0, 0, 0, 0, 0));
        let days = series(deliveries);
        let spend = points(&days, Metric::Spend);
        assert_eq!(spend.first(), Some(&(2.0, 1.0)), "from the first day with delivery");
        assert_eq!(spend.len(), 7, "the last day's zero spend counts");
        assert_eq!(points(&days, Metric::Roas).len(), 6);
        let (trend, test) = trend_of(&points(&days, Metric::Roas));
        assert_eq!((trend, test.n, test.p_value), (Trend::InsufficientData, 6, None));
    }

    #[test]
    fn the_window_is_the_complete_days_before_today() {
        let window = window(date(2025, 3, 10), 7);
        assert_eq!((window.start, window.end), (date(2025, 3, 3), date(2025, 3, 9)));
    }
}
