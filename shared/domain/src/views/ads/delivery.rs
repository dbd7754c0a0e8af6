//! Ad delivery summed exactly (money in integer micros), and the metrics an ads analyst reads
//! from it, each defined once:
//! - roas = revenue / spend; cpa = spend / conversions; ctr = clicks / impressions;
//!   cpm = spend / impressions × 1000; conversion_rate = conversions / clicks;
//! - a zero denominator gives `None` (JSON `null`), never NaN, infinity or 0;
//! - roas, ctr and conversion_rate are rounded to 4 decimals, money (spend, revenue, cpa, cpm) to
//!   cents, each from the exact integer sums, half away from zero.

use serde::Serialize;

use crate::rollup::cells::Value as CellValue;
use crate::rollup::series::campaign_ads;
use crate::views::count;
use crate::views::read::Reading;

/// Money in millionths of the currency unit.
pub type Micros = CellValue;

pub const MICROS_PER_UNIT: Micros = 1_000_000;

/// Sums of `ad.delivery` events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// `ad.delivery` events counted.
    pub events: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: i64,
    pub spend: Micros,
    pub revenue: Micros,
}

/// `n / d` rounded half away from zero; `d` > 0.
fn div_round(n: i128, d: i128) -> i128 {
    let half = d / 2;
    if n >= 0 { (n + half) / d } else { (n - half) / d }
}

/// Micros as currency units, rounded to cents.
pub fn cents(micros: Micros) -> f64 {
    div_round(micros, MICROS_PER_UNIT / 100) as f64 / 100.0
}

/// `part / whole` rounded to 4 decimals, `None` when `whole` is 0.
fn ratio4(part: i128, whole: i128) -> Option<f64> {
    (whole > 0).then(|| div_round(part.saturating_mul(10_000), whole) as f64 / 10_000.0)
}

/// Money `micros / count` in currency units rounded to cents, `None` when `count` is 0.
fn money_per(micros: Micros, count: i128) -> Option<f64> {
    (count > 0).then(|| div_round(micros, count.saturating_mul(MICROS_PER_UNIT / 100)) as f64 / 100.0)
}

impl Delivery {
    /// What one rollup item of `campaign_ads` (any of its series) holds.
    pub fn read(cells: Reading) -> Delivery {
        let units = |quantity| count(cells.total(quantity).raw);
        Delivery {
            events: cells.count(),
            impressions: units(campaign_ads::IMPRESSIONS),
            clicks: units(campaign_ads::CLICKS),
            conversions: units(campaign_ads::CONVERSIONS),
            spend: cells.total(campaign_ads::SPEND).raw,
            revenue: cells.total(campaign_ads::REVENUE).raw,
        }
    }

    pub fn add(&mut self, other: &Delivery) {
        self.events = self.events.saturating_add(other.events);
        self.impressions = self.impressions.saturating_add(other.impressions);
        self.clicks = self.clicks.saturating_add(other.clicks);
        self.conversions = self.conversions.saturating_add(other.conversions);
        self.spend = self.spend.saturating_add(other.spend);
        self.revenue = self.revenue.saturating_add(other.revenue);
    }

    pub fn sum<'a>(deliveries: impl IntoIterator<Item = &'a Delivery>) -> Delivery {
        let mut total = Delivery::default();
        for delivery in deliveries {
            total.add(delivery);
        }
        total
    }

    /// Unrounded, for statistics over days: revenue / spend.
    pub fn roas(&self) -> Option<f64> {
        (self.spend > 0).then(|| self.revenue as f64 / self.spend as f64)
    }

    /// Unrounded, in currency units: spend / conversions.
    pub fn cpa(&self) -> Option<f64> {
        (self.conversions > 0).then(|| self.spend as f64 / MICROS_PER_UNIT as f64 / self.conversions as f64)
    }

    /// Unrounded: clicks / impressions.
    pub fn ctr(&self) -> Option<f64> {
        (self.impressions > 0).then(|| self.clicks as f64 / self.impressions as f64)
    }

    /// Unrounded, in currency units.
    pub fn spend_units(&self) -> f64 {
        self.spend as f64 / MICROS_PER_UNIT as f64
    }

    /// The rounded metrics of these sums.
    pub fn metrics(&self) -> Metrics {
        Metrics {
            roas: ratio4(self.revenue, self.spend),
            cpa: money_per(self.spend, i128::from(self.conversions)),
            ctr: ratio4(i128::from(self.clicks), i128::from(self.impressions)),
            cpm: money_per(self.spend.saturating_mul(1000), i128::from(self.impressions)),
            spend: cents(self.spend),
            conversions: self.conversions,
            impressions: self.impressions,
            clicks: self.clicks,
            revenue: cents(self.revenue),
            conversion_rate: ratio4(i128::from(self.conversions), i128::from(self.clicks)),
        }
    }
}

/// A campaign's (or a creative's, an audience's) delivery metrics over a range of local days.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Metrics {
    /// Revenue / spend, 4 decimals; `null` without spend.
    pub roas: Option<f64>,
    /// Spend / conversions in currency units, to the cent; `null` without conversions.
    pub cpa: Option<f64>,
    /// Clicks / impressions, 4 decimals; `null` without impressions.
    pub ctr: Option<f64>,
    /// Spend per 1,000 impressions in currency units, to the cent; `null` without impressions.
    pub cpm: Option<f64>,
    /// In currency units, to the cent.
    pub spend: f64,
    pub conversions: i64,
    pub impressions: i64,
    pub clicks: i64,
    /// In currency units, to the cent.
    pub revenue: f64,
    /// Conversions / clicks, 4 decimals; `null` without clicks.
    pub conversion_rate: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(impressions: i64, clicks: i64, conversions: i64, spend: Micros, revenue: Micros) -> Delivery {
        Delivery { events: 1, impressions, clicks, conversions, spend, revenue }
    }

    #[test]
    fn metrics_are_exact_ratios_rounded_once() {
        // 1,000.00 spent on 100,000 impressions, 5,000 clicks, 67 conversions, 2,500.005 revenue.
        let metrics = delivery(100_000, 5_000, 67, 1_000_000_000, 2_500_005_000).metrics();
        assert_eq!(metrics.roas, Some(2.5), "2.500005 to 4 decimals");
        assert_eq!(metrics.cpa, Some(14.93), "1000 / 67 = 14.925373...");
        assert_eq!(metrics.ctr, Some(0.05));
        assert_eq!(metrics.cpm, Some(10.0));
        assert_eq!((metrics.spend, metrics.revenue), (1000.0, 2500.01), "half a cent rounds away from zero");
        assert_eq!(metrics.conversion_rate, Some(0.0134));
    }

    #[test]
    fn zero_denominators_are_null_never_zero_or_infinite() {
        let nothing = Delivery::default().metrics();
        assert_eq!(
            (nothing.roas, nothing.cpa, nothing.ctr, nothing.cpm, nothing.conversion_rate),
            (None, None, None, None, None)
        );
        assert_eq!((nothing.spend, nothing.revenue), (0.0, 0.0));
        let unconverted = delivery(1_000, 10, 0, 5_000_000, 0).metrics();
        assert_eq!((unconverted.roas, unconverted.cpa), (Some(0.0), None));
        let free = delivery(1_000, 10, 2, 0, 7_000_000);
        assert_eq!((free.metrics().roas, free.roas(), free.metrics().cpa), (None, None, Some(0.0)));
    }

    #[test]
    fn sums_are_exact_in_micros() {
        let parts = [delivery(1, 0, 0, 100_000, 0); 3];
        let total = Delivery::sum(&parts);
        assert_eq!((total.spend, total.events), (300_000, 3));
        assert_eq!(total.metrics().spend, 0.3, "0.1 + 0.1 + 0.1, exactly");
        assert_eq!(cents(-5_000), -0.01);
    }
}
