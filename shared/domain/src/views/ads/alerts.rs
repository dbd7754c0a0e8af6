//! A campaign's four alerts, each a boolean with its evidence (threshold, value, method):
//!
//! - `high_cpa_alert`: CPA over the last [`RECENT_DAYS`] complete local days above the target
//!   CPA (the campaign's, else the break-even CPA at its target ROAS), or, with no conversion,
//!   spend above the target CPA already.
//! - `low_roas_alert`: ROAS over the same days below the target ROAS (the campaign's, else 1.0).
//! - `budget_exhaustion_alert`: the projected spend at the last 3 days' pace exceeds the
//!   remaining budget before the end date ([`super::Pace`]).
//! - `performance_anomaly_alert`: the last complete day's ROAS or CTR has a robust z-score
//!   (median and MAD of the [`BASELINE_DAYS`] days before it) beyond ±3.5; days without a
//!   denominator are left out of the baseline, which needs at least [`MIN_BASELINE_DAYS`] values.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use super::delivery::{Delivery, Micros, cents};
use super::stats::robust_z;
use super::{Campaign, DaySpan, Days, Pace, PerformanceData, Scope, TargetSource, days_of, load_campaign, read_days};
use crate::WorkspaceId;
use crate::ports::RollupStore;
use crate::rollup::series::{campaign_ads, series_key};
use crate::time::{DateRange, add_days, local_today};
use crate::views::{ViewError, ViewMeta, Viewed, round_to};

/// CPA and ROAS are judged over this many complete local days.
pub const RECENT_DAYS: i64 = 7;
pub const BASELINE_DAYS: i64 = 14;
pub const MIN_BASELINE_DAYS: usize = 7;
pub const ANOMALY_THRESHOLD: f64 = 3.5;

/// The days [`Alerts::of`] needs: the baseline before yesterday through today.
pub fn days_needed(today: Date) -> DateRange {
    DateRange { start: add_days(today, -(BASELINE_DAYS + 1)), end: today }
}

fn recent(today: Date) -> DateRange {
    DateRange::last_days(add_days(today, -1), RECENT_DAYS)
}

/// A metric against a target.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThresholdCheck {
    pub method: &'static str,
    /// The target; `null` when there is none to compare with.
    pub threshold: Option<f64>,
    pub threshold_source: TargetSource,
    /// The metric over the window; `null` without its denominator.
    pub value: Option<f64>,
    pub window: DaySpan,
    pub spend: f64,
    pub revenue: f64,
    pub conversions: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetCheck {
    pub method: &'static str,
    /// The remaining budget.
    pub threshold: Option<f64>,
    /// The projected spend to the end date.
    pub value: Option<f64>,
    pub pace: Pace,
}

/// One metric of the last complete day against its baseline.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnomalyTest {
    /// The day's value (6 decimals); `null` without a denominator that day.
    pub value: Option<f64>,
    /// Baseline days with a value.
    pub baseline_days: usize,
    pub median: Option<f64>,
    pub mad: Option<f64>,
    /// The robust z-score, 4 decimals; `null` when it cannot be computed (too short a baseline,
    /// no value) or is infinite (a value off a constant baseline, which counts as anomalous).
    pub z: Option<f64>,
    pub anomalous: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnomalyCheck {
    pub method: &'static str,
    /// |z| beyond which a day is anomalous.
    pub threshold: f64,
    /// The larger |z| of ROAS and CTR.
    pub value: Option<f64>,
    /// The last complete local day.
    pub day: Date,
    pub baseline: DaySpan,
    pub roas: AnomalyTest,
    pub ctr: AnomalyTest,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertsEvidence {
    pub high_cpa_alert: ThresholdCheck,
    pub low_roas_alert: ThresholdCheck,
    pub budget_exhaustion_alert: BudgetCheck,
    pub performance_anomaly_alert: AnomalyCheck,
    /// The `performance_data` the client sent, as it sent it: never used over the stored numbers.
    pub client_view: Option<PerformanceData>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alerts {
    pub high_cpa_alert: bool,
    pub low_roas_alert: bool,
    pub budget_exhaustion_alert: bool,
    pub performance_anomaly_alert: bool,
    pub evidence: AlertsEvidence,
}

fn anomaly_test(day: &Delivery, baseline: &[(Date, Delivery)], metric: fn(&Delivery) -> Option<f64>) -> AnomalyTest {
    let values: Vec<f64> = baseline.iter().filter_map(|(_, d)| metric(d)).collect();
    let value = metric(day);
    let scored = value
        .filter(|_| values.len() >= MIN_BASELINE_DAYS)
        .and_then(|value| robust_z(value, &values, ANOMALY_THRESHOLD));
    AnomalyTest {
        value: value.map(|v| round_to(v, 6)),
        baseline_days: values.len(),
        median: scored.map(|s| round_to(s.median, 6)),
        mad: scored.map(|s| round_to(s.mad, 6)),
        z: scored.and_then(|s| s.z).map(|z| round_to(z, 4)),
        anomalous: scored.is_some_and(|s| s.beyond),
    }
}

impl Alerts {
    /// `days` must hold [`days_needed`]`(today)`; `total` is the campaign's all-time delivery.
    pub fn of(
        campaign: &Campaign,
        total: &Delivery,
        days: &Days,
        today: Date,
        client_view: Option<PerformanceData>,
    ) -> Alerts {
        let window = recent(today);
        let delivery = Delivery::sum(days_of(days, window).iter().map(|(_, d)| d));
        let metrics = delivery.metrics();
        let check = |method, threshold, threshold_source, value| ThresholdCheck {
            method,
            threshold,
            threshold_source,
            value,
            window: window.into(),
            spend: metrics.spend,
            revenue: metrics.revenue,
            conversions: metrics.conversions,
        };

        let (target_cpa, cpa_source) = campaign.target_cpa(&delivery);
        // spend / conversions > target in exact integers; with no conversion, spend > target.
        let high_cpa = target_cpa.is_some_and(|target: Micros| {
            delivery.spend > target.saturating_mul(Micros::from(delivery.conversions.max(1)))
        });
        let cpa_check = check(
            "cpa = spend / conversions over the last 7 complete local days; alert when cpa > the target cpa, or when the spend exceeds the target cpa with no conversion",
            target_cpa.map(cents),
            cpa_source,
            metrics.cpa,
        );

        let (target_roas, roas_source) = campaign.target_roas();
        let low_roas = delivery.roas().is_some_and(|roas| roas < target_roas);
        let roas_check = check(
            "roas = revenue / spend over the last 7 complete local days; alert when roas < the target roas (no spend: no alert)",
            Some(target_roas),
            roas_source,
            metrics.roas,
        );

        let pace = Pace::of(campaign, total, days, today);
        let budget_check = BudgetCheck {
            method: "projected spend = mean daily spend of the last 3 complete local days × local days from today to ends_on; alert when it exceeds budget − spend before today",
            threshold: pace.remaining_budget,
            value: pace.projected_spend,
            pace,
        };

        let day = add_days(today, -1);
        let baseline_range = DateRange { start: add_days(day, -BASELINE_DAYS), end: add_days(day, -1) };
        let baseline = days_of(days, baseline_range);
        let last = days.get(&day).copied().unwrap_or_default();
        let roas = anomaly_test(&last, &baseline, Delivery::roas);
        let ctr = anomaly_test(&last, &baseline, Delivery::ctr);
        let largest = [roas.z, ctr.z].into_iter().flatten().map(f64::abs).max_by(f64::total_cmp);
        let anomaly_check = AnomalyCheck {
            method: "robust z = 0.6745 × (value − median) / MAD over the 14 days before the last complete local day (days without a denominator left out, at least 7 needed; MAD 0: 1.2533 × mean absolute deviation); alert when |z| > 3.5 for roas or ctr",
            threshold: ANOMALY_THRESHOLD,
            value: largest,
            day,
            baseline: baseline_range.into(),
            roas,
            ctr,
        };

        Alerts {
            high_cpa_alert: high_cpa,
            low_roas_alert: low_roas,
            budget_exhaustion_alert: budget_check.pace.exhausts_budget,
            performance_anomaly_alert: anomaly_check.roas.anomalous || anomaly_check.ctr.anomalous,
            evidence: AlertsEvidence {
                high_cpa_alert: cpa_check,
                low_roas_alert: roas_check,
                budget_exhaustion_alert: budget_check,
                performance_anomaly_alert: anomaly_check,
                client_view,
            },
        }
    }
}

/// `POST /api/v1/dashboard/alerts`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignAlerts {
    pub campaign_id: String,
    pub alerts: Alerts,
}

/// The alerts of `campaign_id` now (three reads: the entities, the all-time cell, the last 16
/// days), or `None` when `scope` finds no such campaign.
pub async fn alerts(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    campaign_id: &str,
    scope: Scope<'_>,
    client_view: Option<PerformanceData>,
    now: Timestamp,
) -> Result<Option<Viewed<CampaignAlerts>>, ViewError> {
    let Some(loaded) = load_campaign(store, ws, campaign_id, scope).await? else { return Ok(None) };
    let today = local_today(now, &loaded.tz);
    let series = series_key(campaign_ads::NAME, &[campaign_id]);
    let days = read_days(store, ws, &series, &[days_needed(today)]).await?;
    let alerts = Alerts::of(&loaded.campaign, &loaded.total, &days, today, client_view);
    let body = CampaignAlerts { campaign_id: campaign_id.to_owned(), alerts };
    Ok(Some(Viewed { body, meta: ViewMeta::from_rollups(now, &loaded.tz, loaded.watermark) }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const UNIT: i128 = 1_000_000;
    const TODAY: Date = date(2025, 3, 20);

    /// A day of 1,000 impressions and `clicks` clicks, `spend` spent, `revenue` earned,
    /// `conversions` conversions.
    fn day(clicks: i64, spend: i128, revenue: i128, conversions: i64) -> Delivery {
        Delivery { events: 4, impressions: 1_000, clicks, conversions, spend: spend * UNIT, revenue: revenue * UNIT }
    }

    /// The 16 days up to today, each `normal`, with `last` on yesterday.
    fn days(normal: Delivery, last: Delivery) -> Days {
        let mut days: Days = days_needed(TODAY).days().into_iter().map(|d| (d, normal)).collect();
        days.insert(add_days(TODAY, -1), last);
        days
    }

    fn campaign() -> Campaign {
        Campaign { id: "c".into(), target_roas: Some(2.0), target_cpa: Some(10 * UNIT), ..Campaign::default() }
    }

    #[test]
    fn cpa_and_roas_against_their_targets_over_the_last_seven_days() {
        // 100 spent, 250 earned, 10 conversions a day: CPA 10 (not above 10), ROAS 2.5.
        let fine = days(day(50, 100, 250, 10), day(50, 100, 250, 10));
        let alerts = Alerts::of(&campaign(), &Delivery::default(), &fine, TODAY, None);
        assert!(!alerts.high_cpa_alert && !alerts.low_roas_alert);
        let cpa = &alerts.evidence.high_cpa_alert;
        assert_eq!((cpa.threshold, cpa.value, cpa.spend, cpa.conversions), (Some(10.0), Some(10.0), 700.0, 70));
        assert_eq!((cpa.window.start, cpa.window.end), (date(2025, 3, 13), date(2025, 3, 19)));

        // 9 conversions and 190 earned a day: CPA 11.11 > 10, ROAS 1.9 < 2.
        let poor = days(day(50, 100, 190, 9), day(50, 100, 190, 9));
        let alerts = Alerts::of(&campaign(), &Delivery::default(), &poor, TODAY, None);
        assert!(alerts.high_cpa_alert && alerts.low_roas_alert);
        assert_eq!(alerts.evidence.high_cpa_alert.value, Some(11.11));
        assert_eq!(alerts.evidence.low_roas_alert.value, Some(1.9));
    }

    #[test]
    fn zero_denominators_give_null_values_and_alert_only_on_spend_without_conversions() {
        let silent = days(Delivery::default(), Delivery::default());
        let alerts = Alerts::of(&campaign(), &Delivery::default(), &silent, TODAY, None);
        assert!(!alerts.high_cpa_alert && !alerts.low_roas_alert && !alerts.performance_anomaly_alert);
        assert_eq!((alerts.evidence.high_cpa_alert.value, alerts.evidence.low_roas_alert.value), (None, None));
        // 20 spent a day, no conversion, no revenue: 140 is over one target CPA, ROAS is 0.
        let wasted = days(day(5, 20, 0, 0), day(5, 20, 0, 0));
        let alerts = Alerts::of(&campaign(), &Delivery::default(), &wasted, TODAY, None);
        assert!(alerts.high_cpa_alert && alerts.low_roas_alert);
        assert_eq!(alerts.evidence.high_cpa_alert.value, None);
        // With the default target (break-even CPA), no conversion means no target to compare.
        let untargeted = Campaign { id: "c".into(), ..Campaign::default() };
        let alerts = Alerts::of(&untargeted, &Delivery::default(), &wasted, TODAY, None);
        assert_eq!((alerts.high_cpa_alert, alerts.evidence.high_cpa_alert.threshold), (false, None));
        assert_eq!(alerts.evidence.low_roas_alert.threshold_source, TargetSource::Default);
    }

    /// Baseline ROAS alternating 2.4 and 2.6 (median 2.5, MAD 0.1), CTR 5%.
    fn wavy(last: Delivery) -> Days {
        let mut days = days(day(50, 100, 250, 10), last);
        for (i, d) in days_needed(TODAY).days().into_iter().enumerate().take(15) {
            days.insert(d, day(50, 100, if i % 2 == 0 { 240 } else { 260 }, 10));
        }
        days.insert(add_days(TODAY, -1), last);
        days
    }

    #[test]
    fn an_anomalous_last_day_fires_and_an_ordinary_one_does_not() {
        // ROAS 2.0: z = 0.6745 × (2.0 − 2.5) / 0.1 = −3.37, inside 3.5.
        let ordinary = Alerts::of(&campaign(), &Delivery::default(), &wavy(day(50, 100, 200, 10)), TODAY, None);
        let test = &ordinary.evidence.performance_anomaly_alert;
        assert_eq!((test.roas.median, test.roas.mad, test.roas.z), (Some(2.5), Some(0.1), Some(-3.3725)));
        assert!(!ordinary.performance_anomaly_alert);
        // ROAS 1.9: z = −4.05.
        let anomalous = Alerts::of(&campaign(), &Delivery::default(), &wavy(day(50, 100, 190, 10)), TODAY, None);
        assert!(anomalous.performance_anomaly_alert);
        assert_eq!(anomalous.evidence.performance_anomaly_alert.value, Some(4.047));
        assert_eq!(anomalous.evidence.performance_anomaly_alert.day, date(2025, 3, 19));
        // CTR off a constant baseline (every day 5%) is infinitely far: anomalous, z null.
        let clicky = Alerts::of(&campaign(), &Delivery::default(), &wavy(day(80, 100, 250, 10)), TODAY, None);
        let ctr = &clicky.evidence.performance_anomaly_alert.ctr;
        assert_eq!((ctr.z, ctr.anomalous, ctr.baseline_days), (None, true, 14));
        assert!(clicky.performance_anomaly_alert);
    }

    #[test]
    fn a_short_baseline_cannot_be_anomalous() {
        let mut sparse = wavy(day(50, 100, 10, 1));
        for d in days_needed(TODAY).days().into_iter().take(8) {
            sparse.insert(d, Delivery::default());
        }
        let alerts = Alerts::of(&campaign(), &Delivery::default(), &sparse, TODAY, None);
        let roas = &alerts.evidence.performance_anomaly_alert.roas;
        assert_eq!((roas.baseline_days, roas.z, roas.anomalous), (6, None, false));
        assert!(!alerts.performance_anomaly_alert);
    }

    #[test]
    fn the_budget_alert_follows_the_pace() {
        let campaign = Campaign { budget: Some(2_000 * UNIT), ends_on: Some(date(2025, 3, 29)), ..campaign() };
        let spent = |units: i128| Delivery { spend: units * UNIT, ..Delivery::default() };
        let daily = days(day(50, 100, 250, 10), day(50, 100, 250, 10));
        // 1,500 spent before today: 500 remain; 10 days left at 100 = 1,000.
        let alerts = Alerts::of(&campaign, &spent(1_600), &daily, TODAY, None);
        assert!(alerts.budget_exhaustion_alert);
        let check = &alerts.evidence.budget_exhaustion_alert;
        assert_eq!((check.threshold, check.value), (Some(500.0), Some(1_000.0)));
        // 900 spent before today: 1,100 remain, more than the 1,000 projected.
        assert!(!Alerts::of(&campaign, &spent(1_000), &daily, TODAY, None).budget_exhaustion_alert);
    }
}
