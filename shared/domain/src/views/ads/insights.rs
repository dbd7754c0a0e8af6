//! A campaign's insights over a range of local days (by default the last 30, today included),
//! each from a stated rule with its numbers:
//!
//! - `top_performing_creative`, `best_audience_segment`: the creative (audience) with the highest
//!   ROAS among those with at least [`MIN_CLICKS`] clicks and some spend in the range (ties: more
//!   revenue, then the name); `null` when none qualifies.
//! - `recommended_budget_adjustment`, to the daily budget: ROAS more than 10% below its target
//!   decreases it by the shortfall, more than 10% above increases it by the excess (5% steps, at
//!   most −50% / +20% a step), judged only over [`MIN_CLICKS`] clicks; with ROAS within 10% of
//!   target (or too few clicks) the spend pace decides: a projection that exhausts the remaining
//!   budget before the end date by over 10% decreases it so the budget lasts (1 − 1/pace ratio),
//!   one that would leave over 10% unspent increases it (1/pace ratio − 1); otherwise
//!   `Maintain`. `null` when neither ROAS nor pace gives a basis.
//! - `optimization_opportunities`: one line per rule that fires (see [`Rule`]).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use super::delivery::{Delivery, Metrics, cents};
use super::trends::{self, Metric, Trend};
use super::{
    Campaign, DaySpan, Days, Loaded, MIN_CLICKS, Member, PACE_DAYS, Pace, PerformanceData, Scope, TargetSource,
    days_of, load_campaign, members_over, read_days,
};
use crate::WorkspaceId;
use crate::ports::RollupStore;
use crate::rollup::series::{campaign_ads, series_key};
use crate::time::{DateRange, RequestedRange, local_today};
use crate::views::{ViewError, ViewMeta, round_to};

/// ROAS within this share of its target is on target.
pub const TOLERANCE: f64 = 0.10;
pub const MAX_INCREASE_PERCENT: i64 = 20;
pub const MAX_DECREASE_PERCENT: i64 = 50;
/// A creative under this share of the best creative's ROAS is weak.
pub const WEAK_CREATIVE_SHARE: f64 = 0.5;
/// Fewer creatives than this delivering calls for new variations.
pub const FEW_CREATIVES: usize = 3;
/// An audience at this multiple of the target ROAS is worth expanding; under the second, it is
/// weak.
pub const EXPAND_AUDIENCE_AT: f64 = 1.2;
pub const WEAK_AUDIENCE_BELOW: f64 = 0.8;

/// Everything the insights and the campaign report are computed from.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub campaign: Campaign,
    pub today: Date,
    pub window: DateRange,
    /// Each day of the window.
    pub days: Vec<(Date, Delivery)>,
    /// The window's sum.
    pub delivery: Delivery,
    pub creatives: Vec<(String, Delivery)>,
    pub audiences: Vec<(String, Delivery)>,
    pub pace: Pace,
}

impl Analysis {
    /// `stored` must hold the window, the pace window and today.
    pub fn new(
        loaded: &Loaded,
        today: Date,
        window: DateRange,
        stored: &Days,
        creatives: Vec<(String, Delivery)>,
        audiences: Vec<(String, Delivery)>,
    ) -> Analysis {
        let days = days_of(stored, window);
        Analysis {
            campaign: loaded.campaign.clone(),
            today,
            window,
            delivery: Delivery::sum(days.iter().map(|(_, d)| d)),
            days,
            creatives,
            audiences,
            pace: Pace::of(&loaded.campaign, &loaded.total, stored, today),
        }
    }
}

/// Reads what [`Analysis`] needs for `campaign_id` over `range` (default: the last 30 local
/// days): the campaign (two reads), its days with the pace window (one range read, two when
/// they are apart), its creatives and audiences (a tally each and a range read per member).
pub async fn analyse(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    campaign_id: &str,
    scope: Scope<'_>,
    range: RequestedRange,
    now: Timestamp,
) -> Result<Option<(Analysis, ViewMeta)>, ViewError> {
    let Some(loaded) = load_campaign(store, ws, campaign_id, scope).await? else { return Ok(None) };
    let window = range.resolve(&loaded.tz, now, super::DEFAULT_DAYS)?.days;
    let today = local_today(now, &loaded.tz);
    let pace_days = DateRange { start: Pace::window(today).start, end: today };
    let series = series_key(campaign_ads::NAME, &[campaign_id]);
    let stored = read_days(store, ws, &series, &[window, pace_days]).await?;
    let creatives = members_over(store, ws, campaign_id, Member::Creative, window).await?;
    let audiences = members_over(store, ws, campaign_id, Member::Audience, window).await?;
    let meta = ViewMeta::from_rollups(now, &loaded.tz, loaded.watermark);
    Ok(Some((Analysis::new(&loaded, today, window, &stored, creatives, audiences), meta)))
}

/// A creative or audience considered.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Candidate {
    pub name: String,
    pub metrics: Metrics,
    /// At least 100 clicks and some spend in the range.
    pub qualifies: bool,
}

/// How the best creative or audience was chosen, with every candidate (best first).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BestEvidence {
    pub rule: &'static str,
    /// `roas`.
    pub metric: &'static str,
    pub min_clicks: i64,
    pub chosen: Option<String>,
    pub candidates: Vec<Candidate>,
}

fn qualifies(delivery: &Delivery) -> bool {
    delivery.clicks >= MIN_CLICKS && delivery.roas().is_some()
}

/// The best of `members` by ROAS (see the module's rule), and the evidence.
pub fn best(members: &[(String, Delivery)]) -> (Option<String>, BestEvidence) {
    let mut ranked: Vec<&(String, Delivery)> = members.iter().collect();
    ranked.sort_by(|(a_name, a), (b_name, b)| {
        qualifies(b)
            .cmp(&qualifies(a))
            .then(b.roas().unwrap_or(-1.0).total_cmp(&a.roas().unwrap_or(-1.0)))
            .then(b.revenue.cmp(&a.revenue))
            .then(a_name.cmp(b_name))
    });
    let chosen = ranked.first().filter(|(_, d)| qualifies(d)).map(|(name, _)| name.clone());
    let candidates = ranked
        .iter()
        .map(|(name, d)| Candidate { name: name.clone(), metrics: d.metrics(), qualifies: qualifies(d) })
        .collect();
    let evidence = BestEvidence {
        rule: "highest ROAS among members with at least 100 clicks and some spend in the range; ties: more revenue, then the name",
        metric: "roas",
        min_clicks: MIN_CLICKS,
        chosen: chosen.clone(),
        candidates,
    };
    (chosen, evidence)
}

/// Which rule decided the budget adjustment.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BudgetRule {
    RoasBelowTarget,
    RoasAboveTarget,
    OverPace,
    UnderPace,
    OnTarget,
    NoBasis,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetEvidence {
    pub rule: BudgetRule,
    /// The change to the daily budget in percent (negative: decrease); `null` without a basis.
    pub percent: Option<i64>,
    /// The rule's sentence with its numbers (a report's recommendation).
    pub reason: String,
    pub roas: Option<f64>,
    pub target_roas: f64,
    pub target_source: TargetSource,
    pub clicks: i64,
    pub min_clicks: i64,
    pub pace: Pace,
}

/// `x` percent in 5% steps, at least 5 and at most `cap`.
fn step(x: f64, cap: i64) -> i64 {
    ((x / 5.0).round() as i64 * 5).clamp(5, cap)
}

fn percent_text(percent: i64) -> String {
    match percent {
        0 => "Maintain".to_owned(),
        up if up > 0 => format!("Increase by {up}%"),
        down => format!("Decrease by {}%", -down),
    }
}

/// The budget adjustment of the module's rule.
pub fn budget_adjustment(delivery: &Delivery, campaign: &Campaign, pace: &Pace) -> (Option<String>, BudgetEvidence) {
    let (target, target_source) = campaign.target_roas();
    let roas = delivery.roas().filter(|_| delivery.clicks >= MIN_CLICKS);
    let ratio = roas.filter(|_| target > 0.0).map(|roas| roas / target);
    let paced = pace.pace_ratio.filter(|_| pace.daily_spend > 0.0 && pace.days_left.is_some_and(|d| d > 0));
    let shown = |value: f64| format!("{value:.2}");
    let pace_text = || {
        format!(
            "at the last {PACE_DAYS} days' pace of {} a day, the projected spend of {} to the end date {} against a remaining budget of {}",
            shown(pace.daily_spend),
            pace.projected_spend.map_or("?".to_owned(), shown),
            pace.ends_on.map_or("?".to_owned(), |d| d.to_string()),
            pace.remaining_budget.map_or("?".to_owned(), shown),
        )
    };
    let (rule, percent, reason) = match (ratio, paced) {
        (Some(r), _) if r < 1.0 - TOLERANCE => {
            let percent = -step((1.0 - r) * 100.0, MAX_DECREASE_PERCENT);
            let why = format!(
                "ROAS {} is {:.0}% below the target of {}",
                shown(r * target),
                (1.0 - r) * 100.0,
                shown(target)
            );
            (BudgetRule::RoasBelowTarget, Some(percent), why)
        }
        (Some(r), _) if r > 1.0 + TOLERANCE => {
            let percent = step((r - 1.0) * 100.0, MAX_INCREASE_PERCENT);
            let why = format!(
                "ROAS {} is {:.0}% above the target of {}",
                shown(r * target),
                (r - 1.0) * 100.0,
                shown(target)
            );
            (BudgetRule::RoasAboveTarget, Some(percent), why)
        }
        (_, Some(p)) if p > 1.0 + TOLERANCE => {
            let percent = -step((1.0 - 1.0 / p) * 100.0, MAX_DECREASE_PERCENT);
            (BudgetRule::OverPace, Some(percent), format!("{} would exhaust it early", pace_text()))
        }
        (_, Some(p)) if p < 1.0 - TOLERANCE => {
            let percent = step((1.0 / p - 1.0) * 100.0, MAX_INCREASE_PERCENT);
            (
                BudgetRule::UnderPace,
                Some(percent),
                format!("{} would leave {:.0}% of it unspent", pace_text(), (1.0 - p) * 100.0),
            )
        }
        (None, None) => {
            let why = format!(
                "no basis: fewer than {MIN_CLICKS} clicks in the range to judge ROAS, and no spend pace against a budget and end date"
            );
            (BudgetRule::NoBasis, None, why)
        }
        (ratio, paced) => {
            let why = match (ratio, paced) {
                (Some(_), Some(_)) => "ROAS within 10% of its target and spend on pace",
                (Some(_), None) => "ROAS within 10% of its target",
                _ => "spend on pace (too few clicks to judge ROAS)",
            };
            (BudgetRule::OnTarget, Some(0), why.to_owned())
        }
    };
    let text = percent.map(percent_text);
    let reason = match percent {
        Some(0) => format!("Maintain the daily budget: {reason}"),
        Some(p) => {
            format!("{} the daily budget by {}%: {reason}", if p > 0 { "Increase" } else { "Decrease" }, p.abs())
        }
        None => format!("No budget adjustment: {reason}"),
    };
    let evidence = BudgetEvidence {
        rule,
        percent,
        reason,
        roas: delivery.metrics().roas,
        target_roas: target,
        target_source,
        clicks: delivery.clicks,
        min_clicks: MIN_CLICKS,
        pace: pace.clone(),
    };
    (text, evidence)
}

/// The rules of the optimisation opportunities, in the order they are listed.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A qualifying creative with under half the best creative's ROAS.
    WeakCreative,
    /// Fewer than 3 creatives delivered in the range.
    FewCreatives,
    /// The best audience at 1.2× the target ROAS or more.
    ExpandAudience,
    /// A qualifying audience under 0.8× the target ROAS.
    WeakAudience,
    /// The range's CPA (over 100 clicks or more) above the target CPA.
    HighCpa,
    /// Daily CTR over the range's complete days decreasing (Mann-Kendall, α = 0.05).
    CtrDecreasing,
    /// The spend pace exhausts the remaining budget before the end date.
    BudgetRunsOut,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Opportunity {
    pub rule: Rule,
    /// As listed in `optimization_opportunities`.
    pub text: String,
    /// The creative or audience it is about.
    pub subject: Option<String>,
    /// The number the rule looked at (a ROAS, a CPA, a count, a p-value, a projected spend) and
    /// what it compared it with (a ROAS, a target, 3, α, the remaining budget).
    pub observed: Option<f64>,
    pub reference: Option<f64>,
}

fn opportunity(
    rule: Rule,
    text: String,
    subject: Option<&str>,
    observed: Option<f64>,
    reference: Option<f64>,
) -> Opportunity {
    Opportunity { rule, text, subject: subject.map(str::to_owned), observed, reference }
}

/// Every opportunity the rules find in `analysis`.
pub fn opportunities(analysis: &Analysis) -> Vec<Opportunity> {
    let mut found = Vec::new();
    let (target, _) = analysis.campaign.target_roas();
    let four = |value: f64| round_to(value, 4);
    let qualified = |members: &[(String, Delivery)]| -> Vec<(String, f64)> {
        members.iter().filter(|(_, d)| qualifies(d)).filter_map(|(name, d)| Some((name.clone(), d.roas()?))).collect()
    };

    let creatives = qualified(&analysis.creatives);
    if let Some((best_name, best_roas)) = creatives.iter().max_by(|a, b| a.1.total_cmp(&b.1)).cloned() {
        for (name, roas) in creatives.iter().filter(|(_, roas)| *roas < WEAK_CREATIVE_SHARE * best_roas) {
            let text =
                format!("Pause or rework creative '{name}': ROAS {roas:.2} against {best_roas:.2} for '{best_name}'");
            found.push(opportunity(Rule::WeakCreative, text, Some(name), Some(four(*roas)), Some(four(best_roas))));
        }
    }
    let delivering = analysis.creatives.iter().filter(|(_, d)| d.events > 0).count();
    if analysis.delivery.events > 0 && delivering < FEW_CREATIVES {
        let text = format!(
            "Test new creative variations: only {delivering} creative{} delivered from {} to {}",
            if delivering == 1 { "" } else { "s" },
            analysis.window.start,
            analysis.window.end
        );
        found.push(opportunity(Rule::FewCreatives, text, None, Some(delivering as f64), Some(FEW_CREATIVES as f64)));
    }

    let audiences = qualified(&analysis.audiences);
    if let Some((name, roas)) = audiences.iter().max_by(|a, b| a.1.total_cmp(&b.1))
        && *roas >= EXPAND_AUDIENCE_AT * target
    {
        let text = format!("Expand audience '{name}': ROAS {roas:.2} against a target of {target:.2}");
        found.push(opportunity(Rule::ExpandAudience, text, Some(name), Some(four(*roas)), Some(target)));
    }
    for (name, roas) in audiences.iter().filter(|(_, roas)| *roas < WEAK_AUDIENCE_BELOW * target) {
        let text = format!("Narrow or exclude audience '{name}': ROAS {roas:.2} against a target of {target:.2}");
        found.push(opportunity(Rule::WeakAudience, text, Some(name), Some(four(*roas)), Some(target)));
    }

    let (target_cpa, _) = analysis.campaign.target_cpa(&analysis.delivery);
    if let (Some(cpa), Some(target_cpa)) = (analysis.delivery.metrics().cpa, target_cpa.map(cents))
        && analysis.delivery.clicks >= MIN_CLICKS
        && cpa > target_cpa
    {
        let text = format!("Adjust bidding strategy: CPA {cpa:.2} is above the target of {target_cpa:.2}");
        found.push(opportunity(Rule::HighCpa, text, None, Some(cpa), Some(target_cpa)));
    }

    let complete: Vec<(Date, Delivery)> =
        analysis.days.iter().filter(|(day, _)| *day < analysis.today).copied().collect();
    let (ctr_trend, test) = trends::trend_of(&trends::points(&complete, Metric::Ctr));
    if ctr_trend == Trend::Decreasing {
        let text = format!(
            "Refresh creatives: CTR is falling by {} a day (Mann-Kendall p = {})",
            test.slope.unwrap_or_default(),
            test.p_value.unwrap_or_default()
        );
        found.push(opportunity(Rule::CtrDecreasing, text, None, test.p_value, Some(trends::ALPHA)));
    }

    let pace = &analysis.pace;
    if let (true, Some(runs_out), Some(ends_on)) = (pace.exhausts_budget, pace.runs_out_on, pace.ends_on) {
        let text = format!(
            "Raise the budget or slow delivery: at the last {PACE_DAYS} days' pace of {:.2} a day the remaining budget runs out on {runs_out}, {} days before the end date {ends_on}",
            pace.daily_spend,
            runs_out.until(ends_on).map(|span| span.get_days()).unwrap_or(0),
        );
        found.push(opportunity(Rule::BudgetRunsOut, text, None, pace.projected_spend, pace.remaining_budget));
    }
    found
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InsightsEvidence {
    /// The local days the insights are computed over.
    pub window: DaySpan,
    /// The campaign's metrics over the window.
    pub metrics: Metrics,
    pub top_performing_creative: BestEvidence,
    pub best_audience_segment: BestEvidence,
    pub recommended_budget_adjustment: BudgetEvidence,
    pub optimization_opportunities: Vec<Opportunity>,
    /// The `performance_data` the client sent, as it sent it: never used over the stored numbers.
    pub client_view: Option<PerformanceData>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Insights {
    pub top_performing_creative: Option<String>,
    pub best_audience_segment: Option<String>,
    /// `Increase by 20%`, `Decrease by 15%` or `Maintain`; `null` without a basis.
    pub recommended_budget_adjustment: Option<String>,
    pub optimization_opportunities: Vec<String>,
    pub evidence: InsightsEvidence,
}

impl Insights {
    pub fn of(analysis: &Analysis, client_view: Option<PerformanceData>) -> Insights {
        let (creative, creative_evidence) = best(&analysis.creatives);
        let (audience, audience_evidence) = best(&analysis.audiences);
        let (budget, budget_evidence) = budget_adjustment(&analysis.delivery, &analysis.campaign, &analysis.pace);
        let opportunities = opportunities(analysis);
        Insights {
            top_performing_creative: creative,
            best_audience_segment: audience,
            recommended_budget_adjustment: budget,
            optimization_opportunities: opportunities.iter().map(|o| o.text.clone()).collect(),
            evidence: InsightsEvidence {
                window: analysis.window.into(),
                metrics: analysis.delivery.metrics(),
                top_performing_creative: creative_evidence,
                best_audience_segment: audience_evidence,
                recommended_budget_adjustment: budget_evidence,
                optimization_opportunities: opportunities,
                client_view,
            },
        }
    }
}

/// `POST /api/v1/dashboard/insights`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignInsights {
    pub campaign_id: String,
    pub insights: Insights,
}

/// The insights of `campaign_id` (see [`analyse`] for its reads), or `None` when `scope` finds
/// no such campaign.
pub async fn insights(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    campaign_id: &str,
    scope: Scope<'_>,
    range: RequestedRange,
    client_view: Option<PerformanceData>,
    now: Timestamp,
) -> Result<Option<crate::views::Viewed<CampaignInsights>>, ViewError> {
    let Some((analysis, meta)) = analyse(store, ws, campaign_id, scope, range, now).await? else { return Ok(None) };
    let body = CampaignInsights { campaign_id: campaign_id.to_owned(), insights: Insights::of(&analysis, client_view) };
    Ok(Some(crate::views::Viewed { body, meta }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const UNIT: i128 = 1_000_000;

    /// `clicks` clicks, 20× as many impressions, `spend` spent and `roas` × spend earned, a
    /// conversion per 10 clicks.
    fn delivered(clicks: i64, spend: i128, roas: i128) -> Delivery {
        Delivery {
            events: 1,
            impressions: clicks * 20,
            clicks,
            conversions: clicks / 10,
            spend: spend * UNIT,
            revenue: spend * roas * UNIT,
        }
    }

    fn no_pace() -> Pace {
        Pace::of(&Campaign::default(), &Delivery::default(), &Days::new(), date(2025, 3, 10))
    }

    #[test]
    fn the_best_member_has_the_highest_roas_among_those_with_enough_clicks() {
        let members = vec![
            ("Small but shiny".to_owned(), delivered(99, 10, 9)),
            ("Banner A".to_owned(), delivered(400, 100, 3)),
            ("Banner B".to_owned(), delivered(150, 100, 2)),
        ];
        let (chosen, evidence) = best(&members);
        assert_eq!(chosen.as_deref(), Some("Banner A"), "99 clicks is under the minimum sample");
        let order: Vec<&str> = evidence.candidates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(order, vec!["Banner A", "Banner B", "Small but shiny"]);
        assert!(!evidence.candidates[2].qualifies);
        assert_eq!(best(&[("Too small".to_owned(), delivered(10, 10, 5))]).0, None, "null when nothing qualifies");
        assert_eq!(best(&[]).0, None);
    }

    #[test]
    fn roas_against_its_target_sizes_the_budget_adjustment() {
        let campaign = Campaign { target_roas: Some(2.0), ..Campaign::default() };
        // ROAS 3 = 50% above 2: +50%, capped at +20%.
        let (text, evidence) = budget_adjustment(&delivered(200, 100, 3), &campaign, &no_pace());
        assert_eq!(
            (text.as_deref(), evidence.rule, evidence.percent),
            (Some("Increase by 20%"), BudgetRule::RoasAboveTarget, Some(20))
        );
        assert!(
            evidence.reason.starts_with("Increase the daily budget by 20%: ROAS 3.00 is 50% above"),
            "{}",
            evidence.reason
        );
        // ROAS 1 = 50% below 2: −50%.
        let (text, _) = budget_adjustment(&delivered(200, 100, 1), &campaign, &no_pace());
        assert_eq!(text.as_deref(), Some("Decrease by 50%"));
        // ROAS 1.7 = 15% below: −15%.
        let low = Delivery { revenue: 170 * UNIT, ..delivered(200, 100, 0) };
        assert_eq!(budget_adjustment(&low, &campaign, &no_pace()).0.as_deref(), Some("Decrease by 15%"));
        // Within 10% without a pace: hold.
        let close = Delivery { revenue: 205 * UNIT, ..delivered(200, 100, 0) };
        let (text, evidence) = budget_adjustment(&close, &campaign, &no_pace());
        assert_eq!((text.as_deref(), evidence.rule), (Some("Maintain"), BudgetRule::OnTarget));
        // Too few clicks and no pace: no basis.
        let (text, evidence) = budget_adjustment(&delivered(50, 100, 3), &campaign, &no_pace());
        assert_eq!((text, evidence.rule, evidence.percent), (None, BudgetRule::NoBasis, None));
    }

    #[test]
    fn on_target_the_spend_pace_decides() {
        let today = date(2025, 3, 10);
        let campaign = Campaign {
            target_roas: Some(2.0),
            budget: Some(1_300 * UNIT),
            ends_on: Some(date(2025, 3, 19)),
            ..Campaign::default()
        };
        let days: Days = (7..=9).map(|d| (date(2025, 3, d), delivered(100, 100, 2))).collect();
        let total = delivered(100, 1_000, 2);
        // 300 remain; 10 days at 100 = 1,000: pace ratio 3.33, decrease by 1 − 0.3 = 70%, capped at 50%.
        let pace = Pace::of(&campaign, &total, &days, today);
        let (text, evidence) = budget_adjustment(&delivered(300, 300, 2), &campaign, &pace);
        assert_eq!((text.as_deref(), evidence.rule), (Some("Decrease by 50%"), BudgetRule::OverPace));
        // 2,000 remain for a projected 1,000: ratio 0.5, increase by 100%, capped at 20%.
        let roomy = Campaign { budget: Some(3_000 * UNIT), ..campaign.clone() };
        let pace = Pace::of(&roomy, &total, &days, today);
        let (text, evidence) = budget_adjustment(&delivered(300, 300, 2), &roomy, &pace);
        assert_eq!((text.as_deref(), evidence.rule), (Some("Increase by 20%"), BudgetRule::UnderPace));
        // Too few clicks to judge ROAS: the pace still decides.
        assert_eq!(budget_adjustment(&delivered(10, 300, 9), &roomy, &pace).1.rule, BudgetRule::UnderPace);
    }

    fn analysis(
        creatives: Vec<(String, Delivery)>,
        audiences: Vec<(String, Delivery)>,
        days: Vec<Delivery>,
    ) -> Analysis {
        let today = date(2025, 3, 31);
        let window = DateRange::last_days(today, 30);
        let stored: Days = window.days().into_iter().zip(days).collect();
        let loaded = Loaded {
            campaign: Campaign {
                id: "c".into(),
                target_roas: Some(2.0),
                target_cpa: Some(UNIT),
                ..Campaign::default()
            },
            tz: jiff::tz::TimeZone::UTC,
            total: Delivery::sum(stored.values()),
            watermark: None,
        };
        Analysis::new(&loaded, today, window, &stored, creatives, audiences)
    }

    #[test]
    fn each_opportunity_rule_fires_on_its_numbers_and_only_then() {
        let creatives = vec![("Hero".to_owned(), delivered(500, 100, 4)), ("Dull".to_owned(), delivered(300, 100, 1))];
        let audiences = vec![("Loyal".to_owned(), delivered(300, 100, 3)), ("Cold".to_owned(), delivered(200, 100, 1))];
        // CTR falls every day: 100 clicks on 1,000 + 100 × day impressions.
        let days: Vec<Delivery> = (0..30)
            .map(|i| Delivery {
                impressions: 1_000 + 100 * i,
                clicks: 100,
                conversions: 10,
                spend: 20 * UNIT,
                revenue: 40 * UNIT,
                events: 1,
            })
            .collect();
        let found = opportunities(&analysis(creatives, audiences, days));
        let rules: Vec<Rule> = found.iter().map(|o| o.rule).collect();
        assert_eq!(
            rules,
            vec![
                Rule::WeakCreative,
                Rule::FewCreatives,
                Rule::ExpandAudience,
                Rule::WeakAudience,
                Rule::HighCpa,
                Rule::CtrDecreasing
            ]
        );
        assert_eq!(found[0].text, "Pause or rework creative 'Dull': ROAS 1.00 against 4.00 for 'Hero'");
        assert_eq!(found[2].text, "Expand audience 'Loyal': ROAS 3.00 against a target of 2.00");
        assert_eq!(found[4].text, "Adjust bidding strategy: CPA 2.00 is above the target of 1.00");

        // Three balanced creatives, audiences on target, flat CTR, CPA on target: nothing fires.
        let even = |name: &str| (name.to_owned(), delivered(300, 100, 2));
        let flat: Vec<Delivery> = (0..30)
            .map(|_| Delivery {
                impressions: 2_000,
                clicks: 100,
                conversions: 20,
                spend: 20 * UNIT,
                revenue: 40 * UNIT,
                events: 1,
            })
            .collect();
        let quiet = opportunities(&analysis(vec![even("A"), even("B"), even("C")], vec![even("X")], flat));
        assert_eq!(quiet, Vec::new());
    }
}
