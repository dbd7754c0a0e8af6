//! A campaign's metrics over a range of local days, and a user's portfolio overview.
//!
//! The portfolio's averages are portfolio-weighted: `average_roas` is total revenue / total
//! spend and `average_cpa` total spend / total conversions over every campaign of the portfolio,
//! so a big campaign weighs as much as its money (not a mean of per-campaign ratios).

use jiff::Timestamp;
use serde::Serialize;

use super::delivery::{Delivery, Metrics};
use super::{Campaign, DaySpan, Scope, load_campaign, load_portfolio, read_days};
use crate::WorkspaceId;
use crate::ports::RollupStore;
use crate::rollup::series::{campaign_ads, series_key};
use crate::time::RequestedRange;
use crate::views::{ViewError, ViewMeta, Viewed};

/// `POST /api/v1/dashboard/campaign_metrics`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignMetrics {
    pub campaign_id: String,
    /// From the latest `campaign.upserted`; `null` without one.
    pub campaign_name: Option<String>,
    /// The local days summed, inclusive.
    pub date_range: DaySpan,
    pub metrics: Metrics,
}

/// The metrics of `campaign_id` over `range`, or `None` when `scope` finds no such campaign.
/// Three reads: the entities, the all-time cell (existence, watermark), the days.
pub async fn campaign_metrics(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    campaign_id: &str,
    scope: Scope<'_>,
    range: RequestedRange,
    now: Timestamp,
) -> Result<Option<Viewed<CampaignMetrics>>, ViewError> {
    let Some(loaded) = load_campaign(store, ws, campaign_id, scope).await? else { return Ok(None) };
    let days = range.resolve(&loaded.tz, now, super::DEFAULT_DAYS)?.days;
    let series = series_key(campaign_ads::NAME, &[campaign_id]);
    let delivery = Delivery::sum(read_days(store, ws, &series, &[days]).await?.values());
    let body = CampaignMetrics {
        campaign_id: campaign_id.to_owned(),
        campaign_name: loaded.campaign.name,
        date_range: days.into(),
        metrics: delivery.metrics(),
    };
    Ok(Some(Viewed { body, meta: ViewMeta::from_rollups(now, &loaded.tz, loaded.watermark) }))
}

/// A portfolio's totals.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overview {
    /// Every ad campaign the user owns (kind `ads` or none), delivering in the range or not.
    pub total_campaigns: usize,
    /// Spend in currency units, to the cent.
    pub total_spend: f64,
    pub total_conversions: i64,
    /// Total revenue / total spend over the portfolio, 4 decimals; `null` without spend.
    pub average_roas: Option<f64>,
    /// Total spend / total conversions over the portfolio, to the cent; `null` without
    /// conversions.
    pub average_cpa: Option<f64>,
    pub total_revenue: f64,
    pub total_impressions: i64,
    pub total_clicks: i64,
    /// Total clicks / total impressions, 4 decimals; `null` without impressions.
    pub average_ctr: Option<f64>,
    /// Campaigns with at least one `ad.delivery` in the range.
    pub campaigns_with_delivery: usize,
}

impl Overview {
    pub fn of(campaigns: &[(Campaign, Delivery)]) -> Overview {
        let total = Delivery::sum(campaigns.iter().map(|(_, delivery)| delivery));
        let metrics = total.metrics();
        Overview {
            total_campaigns: campaigns.len(),
            total_spend: metrics.spend,
            total_conversions: metrics.conversions,
            average_roas: metrics.roas,
            average_cpa: metrics.cpa,
            total_revenue: metrics.revenue,
            total_impressions: metrics.impressions,
            total_clicks: metrics.clicks,
            average_ctr: metrics.ctr,
            campaigns_with_delivery: campaigns.iter().filter(|(_, delivery)| delivery.events > 0).count(),
        }
    }
}

/// `POST /api/v1/dashboard/overview`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioOverview {
    pub user_id: String,
    pub date_range: DaySpan,
    pub overview: Overview,
}

/// The overview of `user_id`'s portfolio over `range` (who may ask is the caller's question).
pub async fn overview(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    user_id: &str,
    range: RequestedRange,
    now: Timestamp,
) -> Result<Viewed<PortfolioOverview>, ViewError> {
    let portfolio = load_portfolio(store, ws, user_id, range, now).await?;
    let body = PortfolioOverview {
        user_id: user_id.to_owned(),
        date_range: portfolio.range.into(),
        overview: Overview::of(&portfolio.campaigns),
    };
    Ok(Viewed { body, meta: ViewMeta::from_rollups(now, &portfolio.tz, None) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivered(spend: i128, revenue: i128, conversions: i64) -> (Campaign, Delivery) {
        let delivery = Delivery { events: 1, spend, revenue, conversions, ..Delivery::default() };
        (Campaign::default(), delivery)
    }

    #[test]
    fn portfolio_averages_weigh_each_campaign_by_its_money() {
        // 900 spent at ROAS 3 (2,700) and 100 at ROAS 1 (100): 2,800 / 1,000 = 2.8, where the
        // mean of the two ratios would say 2.
        let campaigns = [
            delivered(900_000_000, 2_700_000_000, 90),
            delivered(100_000_000, 100_000_000, 10),
            (Campaign::default(), Delivery::default()),
        ];
        let overview = Overview::of(&campaigns);
        assert_eq!((overview.total_campaigns, overview.campaigns_with_delivery), (3, 2));
        assert_eq!((overview.total_spend, overview.total_conversions), (1_000.0, 100));
        assert_eq!((overview.average_roas, overview.average_cpa), (Some(2.8), Some(10.0)));
        let empty = Overview::of(&[]);
        assert_eq!((empty.average_roas, empty.average_cpa, empty.average_ctr), (None, None, None));
    }
}
