//! Reports: a campaign's (over a range of local days) and a user's portfolio's, each a summary
//! sentence generated from the computed numbers, the metrics, and recommendations.
//!
//! - A campaign's recommendations are the insights' rules over the report's range: the budget
//!   adjustment's sentence (when it has a basis), then each optimisation opportunity. A
//!   `comprehensive` report adds the creatives, the audiences and the days; a `summary` one is
//!   the summary, the metrics and the recommendations.
//! - A portfolio's recommendations judge each campaign's ROAS against its own target over the
//!   range (with at least 100 clicks): at 1.2× or more, scale it; under 0.8×, optimise it; and a
//!   campaign scheduled in the range (no dates, or dates overlapping it) without any delivery is
//!   named for a check. Its verdict compares the portfolio's ROAS with the spend-weighted mean
//!   of its campaigns' targets.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::delivery::{Delivery, Metrics};
use super::insights::{self, Analysis, Candidate, TOLERANCE};
use super::metrics::Overview;
use super::{Campaign, DaySpan, MIN_CLICKS, Scope, TargetSource, load_portfolio};
use crate::WorkspaceId;
use crate::ports::RollupStore;
use crate::time::{DateRange, RequestedRange};
use crate::views::{ViewError, ViewMeta, Viewed, round_to};

/// A campaign at this multiple of its target ROAS is worth scaling; under the second, optimising.
pub const SCALE_AT: f64 = 1.2;
pub const OPTIMIZE_BELOW: f64 = 0.8;

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReportType {
    /// The summary, metrics and recommendations, with the creatives, audiences and days.
    #[default]
    Comprehensive,
    /// The summary, metrics and recommendations only.
    Summary,
}

/// How a ROAS compares with its target, in words.
fn verdict(roas: f64, target: f64) -> &'static str {
    match roas {
        r if r >= target => "performing well",
        r if r >= (1.0 - TOLERANCE) * target => "performing close to target",
        _ => "underperforming",
    }
}

fn money(value: Option<f64>) -> String {
    value.map_or_else(|| "none".to_owned(), |value| format!("{value:.2}"))
}

fn percent(ctr: Option<f64>) -> String {
    ctr.map_or_else(|| "none".to_owned(), |ctr| format!("{:.2}%", ctr * 100.0))
}

/// The campaign's summary sentence.
pub fn campaign_summary(campaign: &Campaign, delivery: &Delivery, window: DateRange) -> String {
    let metrics = delivery.metrics();
    let (name, (target, _)) = (campaign.label(), campaign.target_roas());
    let period = format!("from {} to {}", window.start, window.end);
    if delivery.events == 0 {
        return format!("Campaign {name} had no delivery {period}.");
    }
    let judged = match metrics.roas {
        None => format!("Campaign {name} delivered without spend"),
        Some(roas) if metrics.clicks < MIN_CLICKS => format!(
            "Campaign {name} has too few clicks to judge ({} of {MIN_CLICKS}), with ROAS of {roas} against a target of {target}",
            metrics.clicks
        ),
        Some(roas) => {
            format!("Campaign {name} {} with ROAS of {roas} against a target of {target}", verdict(roas, target))
        }
    };
    format!(
        "{judged}: {} spent, {} conversions (CPA {}), CTR {}, {period}.",
        money(Some(metrics.spend)),
        metrics.conversions,
        money(metrics.cpa),
        percent(metrics.ctr)
    )
}

/// One local day's metrics.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayMetrics {
    pub date: Date,
    #[serde(flatten)]
    pub metrics: Metrics,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignReport {
    pub summary: String,
    pub metrics: Metrics,
    pub recommendations: Vec<String>,
    pub date_range: DaySpan,
    /// `comprehensive` only: every creative and audience over the range (best first, as in the
    /// insights' evidence), and each day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creatives: Option<Vec<Candidate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audiences: Option<Vec<Candidate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily: Option<Vec<DayMetrics>>,
}

impl CampaignReport {
    pub fn of(analysis: &Analysis, report_type: ReportType) -> CampaignReport {
        let insights = insights::Insights::of(analysis, None);
        let evidence = insights.evidence;
        let budget = evidence.recommended_budget_adjustment;
        let recommendations = budget
            .percent
            .map(|_| budget.reason)
            .into_iter()
            .chain(evidence.optimization_opportunities.into_iter().map(|o| o.text))
            .collect();
        let comprehensive = report_type == ReportType::Comprehensive;
        CampaignReport {
            summary: campaign_summary(&analysis.campaign, &analysis.delivery, analysis.window),
            metrics: analysis.delivery.metrics(),
            recommendations,
            date_range: analysis.window.into(),
            creatives: comprehensive.then_some(evidence.top_performing_creative.candidates),
            audiences: comprehensive.then_some(evidence.best_audience_segment.candidates),
            daily: comprehensive.then(|| {
                analysis.days.iter().map(|(date, d)| DayMetrics { date: *date, metrics: d.metrics() }).collect()
            }),
        }
    }
}

/// `POST /api/v1/dashboard/campaign_report`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignReportView {
    pub campaign_id: String,
    pub report_type: ReportType,
    pub report: CampaignReport,
}

/// The report of `campaign_id` over `range` (the insights' reads), or `None` when `scope`
/// finds no such campaign.
pub async fn campaign_report(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    campaign_id: &str,
    scope: Scope<'_>,
    range: RequestedRange,
    report_type: ReportType,
    now: Timestamp,
) -> Result<Option<Viewed<CampaignReportView>>, ViewError> {
    let Some((analysis, meta)) = insights::analyse(store, ws, campaign_id, scope, range, now).await? else {
        return Ok(None);
    };
    let report = CampaignReport::of(&analysis, report_type);
    Ok(Some(Viewed { body: CampaignReportView { campaign_id: campaign_id.to_owned(), report_type, report }, meta }))
}

/// A campaign of a portfolio report.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignLine {
    pub campaign_id: String,
    pub campaign_name: Option<String>,
    pub status: Option<String>,
    pub metrics: Metrics,
    pub target_roas: f64,
    pub target_source: TargetSource,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PortfolioRule {
    /// ROAS at 1.2× its target or more, over 100 clicks or more.
    ScaleCampaign,
    /// ROAS under 0.8× its target, over 100 clicks or more.
    OptimizeCampaign,
    /// Scheduled in the range, no delivery.
    IdleCampaign,
}

/// A recommendation and its numbers.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub rule: PortfolioRule,
    pub text: String,
    pub campaign_id: String,
    /// The campaign's ROAS and its target (both `null` for an idle campaign).
    pub observed: Option<f64>,
    pub reference: Option<f64>,
}

fn scheduled_in(campaign: &Campaign, range: DateRange) -> bool {
    campaign.starts_on.is_none_or(|start| start <= range.end) && campaign.ends_on.is_none_or(|end| end >= range.start)
}

/// The portfolio rules over each campaign, in the portfolio's order.
pub fn findings(campaigns: &[(Campaign, Delivery)], range: DateRange) -> Vec<Finding> {
    let mut found = Vec::new();
    for (campaign, delivery) in campaigns {
        let (target, _) = campaign.target_roas();
        let name = campaign.label();
        let finding = |rule, text, observed, reference| Finding {
            rule,
            text,
            campaign_id: campaign.id.clone(),
            observed,
            reference,
        };
        match delivery.metrics().roas {
            _ if delivery.events == 0 && scheduled_in(campaign, range) => found.push(finding(
                PortfolioRule::IdleCampaign,
                format!(
                    "Check campaign {name}: no delivery from {} to {} (status, budget, targeting)",
                    range.start, range.end
                ),
                None,
                None,
            )),
            Some(roas) if delivery.clicks >= MIN_CLICKS && roas >= SCALE_AT * target => found.push(finding(
                PortfolioRule::ScaleCampaign,
                format!(
                    "Scale campaign {name}: ROAS {roas:.2} is {:.0}% above its target of {target:.2}",
                    (roas / target - 1.0) * 100.0
                ),
                Some(roas),
                Some(target),
            )),
            Some(roas) if delivery.clicks >= MIN_CLICKS && roas < OPTIMIZE_BELOW * target => found.push(finding(
                PortfolioRule::OptimizeCampaign,
                format!(
                    "Optimize campaign {name}: ROAS {roas:.2} is {:.0}% below its target of {target:.2}",
                    (1.0 - roas / target) * 100.0
                ),
                Some(roas),
                Some(target),
            )),
            _ => {}
        }
    }
    found
}

/// The portfolio's summary sentence.
pub fn portfolio_summary(user_id: &str, campaigns: &[(Campaign, Delivery)], range: DateRange) -> String {
    let overview = Overview::of(campaigns);
    let period = format!("from {} to {}", range.start, range.end);
    let count = |n: usize| format!("{n} campaign{}", if n == 1 { "" } else { "s" });
    if campaigns.is_empty() {
        return format!("The portfolio of {user_id} holds no ad campaigns.");
    }
    let Some(roas) = overview.average_roas else {
        return format!("Portfolio of {} had no spend {period}.", count(campaigns.len()));
    };
    // The targets weighed by each campaign's spend: what the portfolio's ROAS should reach.
    let spent: Vec<(f64, f64)> = campaigns
        .iter()
        .filter(|(_, d)| d.spend > 0)
        .map(|(campaign, d)| (campaign.target_roas().0, d.spend_units()))
        .collect();
    let total: f64 = spent.iter().map(|(_, spend)| spend).sum();
    let target = round_to(spent.iter().map(|(target, spend)| target * spend).sum::<f64>() / total, 4);
    format!(
        "Portfolio {} with average ROAS of {roas} against a spend-weighted target of {target}: {} spent across {}, {} conversions (average CPA {}), {period}.",
        verdict(roas, target),
        money(Some(overview.total_spend)),
        count(overview.campaigns_with_delivery),
        overview.total_conversions,
        money(overview.average_cpa)
    )
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioReport {
    pub summary: String,
    pub metrics: Overview,
    pub recommendations: Vec<String>,
    pub date_range: DaySpan,
    /// Each campaign of the portfolio, by id.
    pub campaigns: Vec<CampaignLine>,
    /// The rule and numbers behind each recommendation.
    pub evidence: Vec<Finding>,
}

impl PortfolioReport {
    pub fn of(user_id: &str, campaigns: &[(Campaign, Delivery)], range: DateRange) -> PortfolioReport {
        let evidence = findings(campaigns, range);
        PortfolioReport {
            summary: portfolio_summary(user_id, campaigns, range),
            metrics: Overview::of(campaigns),
            recommendations: evidence.iter().map(|f| f.text.clone()).collect(),
            date_range: range.into(),
            campaigns: campaigns
                .iter()
                .map(|(campaign, d)| {
                    let (target_roas, target_source) = campaign.target_roas();
                    CampaignLine {
                        campaign_id: campaign.id.clone(),
                        campaign_name: campaign.name.clone(),
                        status: campaign.status.clone(),
                        metrics: d.metrics(),
                        target_roas,
                        target_source,
                    }
                })
                .collect(),
            evidence,
        }
    }
}

/// `POST /api/v1/dashboard/portfolio_report`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioReportView {
    pub user_id: String,
    pub report: PortfolioReport,
}

/// The report of `user_id`'s portfolio over `range` (the overview's reads).
pub async fn portfolio_report(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    user_id: &str,
    range: RequestedRange,
    now: Timestamp,
) -> Result<Viewed<PortfolioReportView>, ViewError> {
    let portfolio = load_portfolio(store, ws, user_id, range, now).await?;
    let report = PortfolioReport::of(user_id, &portfolio.campaigns, portfolio.range);
    Ok(Viewed {
        body: PortfolioReportView { user_id: user_id.to_owned(), report },
        meta: ViewMeta::from_rollups(now, &portfolio.tz, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const UNIT: i128 = 1_000_000;

    fn range() -> DateRange {
        DateRange { start: date(2025, 10, 1), end: date(2025, 10, 31) }
    }

    fn campaign(id: &str, name: &str, target: f64) -> Campaign {
        Campaign { id: id.into(), name: Some(name.into()), target_roas: Some(target), ..Campaign::default() }
    }

    fn delivered(clicks: i64, spend: i128, revenue: i128, conversions: i64) -> Delivery {
        Delivery {
            events: 10,
            impressions: clicks * 20,
            clicks,
            conversions,
            spend: spend * UNIT,
            revenue: revenue * UNIT,
        }
    }

    #[test]
    fn a_campaign_summary_states_the_computed_numbers() {
        let spring = campaign("c1", "Spring Sale", 2.0);
        assert_eq!(
            campaign_summary(&spring, &delivered(2_000, 1_000, 2_500, 100), range()),
            "Campaign 'Spring Sale' performing well with ROAS of 2.5 against a target of 2: 1000.00 spent, 100 conversions \
             (CPA 10.00), CTR 5.00%, from 2025-10-01 to 2025-10-31."
        );
        assert!(
            campaign_summary(&spring, &delivered(2_000, 1_000, 1_900, 0), range())
                .starts_with("Campaign 'Spring Sale' performing close to target with ROAS of 1.9")
        );
        assert!(campaign_summary(&spring, &delivered(2_000, 1_000, 900, 0), range()).contains("underperforming"));
        assert!(
            campaign_summary(&spring, &delivered(40, 10, 30, 1), range())
                .contains("too few clicks to judge (40 of 100)")
        );
        assert_eq!(
            campaign_summary(&spring, &Delivery::default(), range()),
            "Campaign 'Spring Sale' had no delivery from 2025-10-01 to 2025-10-31."
        );
    }

    #[test]
    fn portfolio_rules_scale_optimise_and_check_campaigns_against_their_own_targets() {
        let campaigns = vec![
            (campaign("a", "Winner", 2.0), delivered(500, 1_000, 3_000, 100)),
            (campaign("b", "Loser", 2.0), delivered(500, 1_000, 1_000, 20)),
            (campaign("c", "Fine", 2.0), delivered(500, 1_000, 2_100, 50)),
            (campaign("d", "Asleep", 2.0), Delivery::default()),
            (Campaign { ends_on: Some(date(2025, 9, 1)), ..campaign("e", "Over", 2.0) }, Delivery::default()),
            (campaign("f", "Tiny", 2.0), delivered(20, 10, 100, 1)),
        ];
        let found = findings(&campaigns, range());
        let summary: Vec<(PortfolioRule, &str)> = found.iter().map(|f| (f.rule, f.campaign_id.as_str())).collect();
        assert_eq!(
            summary,
            vec![
                (PortfolioRule::ScaleCampaign, "a"),
                (PortfolioRule::OptimizeCampaign, "b"),
                (PortfolioRule::IdleCampaign, "d")
            ]
        );
        assert_eq!(found[0].text, "Scale campaign 'Winner': ROAS 3.00 is 50% above its target of 2.00");
        assert_eq!(found[1].text, "Optimize campaign 'Loser': ROAS 1.00 is 50% below its target of 2.00");

        let report = PortfolioReport::of("u1", &campaigns, range());
        assert_eq!(report.metrics.total_campaigns, 6);
        assert_eq!(
            report.summary,
            "Portfolio performing well with average ROAS of 2.0598 against a spend-weighted target of 2: 3010.00 spent across \
             4 campaigns, 171 conversions (average CPA 17.60), from 2025-10-01 to 2025-10-31."
        );
        assert_eq!(portfolio_summary("u1", &[], range()), "The portfolio of u1 holds no ad campaigns.");
    }
}
