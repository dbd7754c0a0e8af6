//! Seed 000: advertising campaigns, one at a time and as a user's portfolio. Every number comes
//! from `ad.delivery` events (the `campaign_ads` series, per campaign and per creative and
//! audience) and the campaign's latest `campaign.upserted` (owner, budget, targets, dates).
//!
//! - [`delivery`]: exact sums and the metrics (roas, cpa, ctr, cpm, ...), defined once.
//! - [`stats`]: Mann-Kendall with Sen's slope, robust z-scores, the normal tail.
//! - [`metrics`]: a campaign's metrics over a range, and a user's portfolio overview.
//! - [`trends`]: a trend per metric by the Mann-Kendall test.
//! - [`insights`]: best creative and audience, the budget adjustment and the opportunities, each
//!   with its evidence; [`alerts`]: the four alerts with theirs.
//! - [`reports`]: a campaign's and a portfolio's report (summary sentence, metrics,
//!   recommendations from the insights' rules).
//!
//! Each module keeps its computation pure and apart from the store reads of this module.

pub mod alerts;
pub mod delivery;
pub mod insights;
pub mod metrics;
pub mod reports;
pub mod stats;
pub mod trends;

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use self::delivery::{Delivery, Micros};
use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::indexes::ads::{AUDIENCES, CAMPAIGNS_OF_OWNER, CREATIVES};
use crate::rollup::series::{MICRO, campaign_ads, scaled, series_key};
use crate::rollup::{CellKey, Direction, EntityKey, EntityRecord, SortRange};
use crate::time::{Bucket, DateRange, RequestedRange, add_days};
use crate::views::read::{self, Reading};
use crate::views::{ViewError, load_with_workspace, round_to};

/// The least clicks over which a ROAS is judged (a creative's, an audience's, a campaign's).
pub const MIN_CLICKS: i64 = 100;
/// The target ROAS of a campaign whose `campaign.upserted` sets none: break-even, revenue equal
/// to spend.
pub const DEFAULT_TARGET_ROAS: f64 = 1.0;
/// The spend pace is the mean daily spend over this many complete local days (yesterday back).
pub const PACE_DAYS: i64 = 3;
/// The most creatives, audiences and campaigns of a portfolio a view reads.
pub const MAX_MEMBERS: usize = 100;
pub const MAX_PORTFOLIO_CAMPAIGNS: usize = 1_000;
/// The days a range with no start covers (insights' default: the last 30 local days).
pub const DEFAULT_DAYS: i64 = 30;
/// Concurrent range reads of one request (creatives, audiences, a portfolio's campaigns).
const CONCURRENT_READS: usize = 8;

/// Which campaigns a caller may see: any of the workspace's, or only those a user owns (another
/// user's campaign is then not found, so its existence does not leak).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    Workspace,
    OwnedBy(&'a str),
}

impl Scope<'_> {
    fn admits(&self, campaign: Option<&EntityRecord>) -> bool {
        match self {
            Scope::Workspace => true,
            Scope::OwnedBy(user) => campaign.and_then(|c| c.str("owner_user_id")) == Some(*user),
        }
    }

    /// Names the scope in cache keys.
    pub fn variant(&self) -> String {
        match self {
            Scope::Workspace => "all".to_owned(),
            Scope::OwnedBy(user) => format!("owner={user}"),
        }
    }
}

/// A range of local days as the answers echo it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DaySpan {
    pub start: Date,
    pub end: Date,
}

impl From<DateRange> for DaySpan {
    fn from(range: DateRange) -> DaySpan {
        DaySpan { start: range.start, end: range.end }
    }
}

/// Metrics a client sends with `insights` and `alerts` (its own view of the campaign): read and
/// checked, echoed as `client_view` in the evidence, never used over the stored numbers.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PerformanceData {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>, minimum = 0, maximum = 1_000_000_000))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roas: Option<ClientNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>, minimum = 0, maximum = 1_000_000_000))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpa: Option<ClientNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>, minimum = 0, maximum = 1_000_000_000))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctr: Option<ClientNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>, minimum = 0, maximum = 1_000_000_000))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpm: Option<ClientNumber>,
}

/// A number from a client: 0 to 10^9.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, PartialOrd)]
#[serde(try_from = "f64", into = "f64")]
pub struct ClientNumber(f64);

impl TryFrom<f64> for ClientNumber {
    type Error = &'static str;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        if (0.0..=1e9).contains(&value) {
            Ok(ClientNumber(value))
        } else {
            Err("must be a number from 0 to 1000000000")
        }
    }
}

impl From<ClientNumber> for f64 {
    fn from(ClientNumber(value): ClientNumber) -> f64 {
        value
    }
}

/// Where a target came from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// The campaign's `campaign.upserted`.
    Campaign,
    /// The product's default (see the README).
    Default,
}

/// A campaign as its latest `campaign.upserted` describes it (every field `None` without one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Campaign {
    pub id: String,
    pub name: Option<String>,
    pub owner: Option<String>,
    pub status: Option<String>,
    pub budget: Option<Micros>,
    pub target_cpa: Option<Micros>,
    pub target_roas: Option<f64>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
}

impl Campaign {
    fn of(id: &str, record: Option<&EntityRecord>) -> Campaign {
        let text = |field| record.and_then(|r| r.str(field)).map(str::to_owned);
        let micros = |field| record.and_then(|r| r.number(field)).map(|value| scaled(value, MICRO));
        let date = |field| record.and_then(|r| r.str(field)).and_then(|text| text.parse().ok());
        Campaign {
            id: id.to_owned(),
            name: text("name"),
            owner: text("owner_user_id"),
            status: text("status"),
            budget: micros("budget"),
            target_cpa: micros("target_cpa"),
            target_roas: record.and_then(|r| r.number("target_roas")),
            starts_on: date("starts_on"),
            ends_on: date("ends_on"),
        }
    }

    /// The campaign's target ROAS, else [`DEFAULT_TARGET_ROAS`].
    pub fn target_roas(&self) -> (f64, TargetSource) {
        match self.target_roas {
            Some(target) => (target, TargetSource::Campaign),
            None => (DEFAULT_TARGET_ROAS, TargetSource::Default),
        }
    }

    /// The campaign's target CPA in micros, else the break-even CPA at its target ROAS over
    /// `window` (revenue per conversion / target ROAS: the CPA at which the window's ROAS would
    /// just meet its target), `None` without conversions or with a zero target.
    pub fn target_cpa(&self, window: &Delivery) -> (Option<Micros>, TargetSource) {
        if let Some(target) = self.target_cpa {
            return (Some(target), TargetSource::Campaign);
        }
        let (roas, _) = self.target_roas();
        let break_even = (window.conversions > 0 && roas > 0.0)
            .then(|| (window.revenue as f64 / window.conversions as f64 / roas).round() as Micros);
        (break_even, TargetSource::Default)
    }

    /// `'Spring Sale'`, or the id when it has no name.
    pub fn label(&self) -> String {
        format!("'{}'", self.name.as_deref().unwrap_or(&self.id))
    }
}

/// A campaign the caller may see, with its workspace's zone and its all-time delivery.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub campaign: Campaign,
    pub tz: TimeZone,
    pub total: Delivery,
    /// The newest `ad.delivery` included.
    pub watermark: Option<Timestamp>,
}

/// The campaign `id` of `ws` as `scope` sees it (two reads: the campaign and workspace entities,
/// the campaign's all-time cell), or `None` when it does not exist there (neither a
/// `campaign.upserted` nor an `ad.delivery`) or is not the caller's to see.
pub async fn load_campaign(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    id: &str,
    scope: Scope<'_>,
) -> Result<Option<Loaded>, StoreError> {
    let key = EntityKey::new("campaign", &[id]);
    let (tz, entities) = load_with_workspace(store, ws, std::slice::from_ref(&key)).await?;
    let record = entities.get(&key);
    if !scope.admits(record) {
        return Ok(None);
    }
    let total_key = CellKey::new(series_key(campaign_ads::NAME, &[id]), Bucket::Total);
    let cells = store.read_cells(ws, std::slice::from_ref(&total_key)).await?;
    let total = cells.get(&total_key);
    if record.is_none() && total.is_none() {
        return Ok(None);
    }
    let reading = Reading::of(total);
    Ok(Some(Loaded {
        campaign: Campaign::of(id, record),
        tz,
        total: Delivery::read(reading),
        watermark: reading.latest(),
    }))
}

/// Delivery per local day.
pub type Days = BTreeMap<Date, Delivery>;

/// The deliveries of `series` on every day of `ranges` (gap-filled), one range read per run of
/// overlapping or adjacent ranges.
pub async fn read_days(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    series: &str,
    ranges: &[DateRange],
) -> Result<Days, StoreError> {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|range| range.start);
    let mut spans: Vec<DateRange> = Vec::new();
    for range in sorted {
        match spans.last_mut() {
            Some(span) if range.start <= add_days(span.end, 1) => span.end = span.end.max(range.end),
            _ => spans.push(range),
        }
    }
    let mut days = Days::new();
    for span in spans {
        for (day, cells) in read::daily(store, ws, series, span).await? {
            days.insert(day, Delivery::read(Reading::of(Some(&cells))));
        }
    }
    Ok(days)
}

/// The days of `range` from `days` (zeros where absent), in order.
pub fn days_of(days: &Days, range: DateRange) -> Vec<(Date, Delivery)> {
    range.days().into_iter().map(|day| (day, days.get(&day).copied().unwrap_or_default())).collect()
}

/// Runs `reads` a few at a time, keeping their order.
async fn concurrently<T, F>(reads: impl IntoIterator<Item = F>) -> Result<Vec<T>, StoreError>
where
    F: Future<Output = Result<T, StoreError>>,
{
    use futures_util::{StreamExt, TryStreamExt};
    futures_util::stream::iter(reads).buffered(CONCURRENT_READS).try_collect().await
}

/// The creatives (or audiences) of a campaign that delivered, by name, with their delivery
/// over `range`: one read of the tally, one range read per member.
pub async fn members_over(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    campaign: &str,
    kind: Member,
    range: DateRange,
) -> Result<Vec<(String, Delivery)>, StoreError> {
    let (tally, series, field) = match kind {
        Member::Creative => (&CREATIVES, &campaign_ads::CREATIVE, "creative"),
        Member::Audience => (&AUDIENCES, &campaign_ads::AUDIENCE, "audience"),
    };
    let entries = read::members(store, ws, &tally.key(&[campaign]), MAX_MEMBERS).await?;
    let names: Vec<String> =
        entries.iter().filter_map(|entry| entry.data.get(field)?.as_str().map(str::to_owned)).collect();
    // Built eagerly: a lazy iterator's closure in the future would not be `Send` for every lifetime.
    let reads: Vec<_> = names
        .into_iter()
        .map(|name| {
            let key = series_key(series.name, &[campaign, &name]);
            async move {
                let days = read_days(store, ws, &key, &[range]).await?;
                Ok((name, Delivery::sum(days.values())))
            }
        })
        .collect();
    concurrently(reads).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    Creative,
    Audience,
}

/// A user's ad campaigns, each with its delivery over a range of local days.
pub struct Portfolio {
    pub tz: TimeZone,
    pub range: DateRange,
    pub campaigns: Vec<(Campaign, Delivery)>,
}

/// The portfolio of `user`: every campaign they own whose kind is not `survey` (at most
/// [`MAX_PORTFOLIO_CAMPAIGNS`], by id), with its delivery over `requested` resolved in the
/// workspace's zone. One read of the owner's list, one of the entities (the workspace's with
/// them), one range read per campaign.
pub async fn load_portfolio(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    user: &str,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Portfolio, ViewError> {
    let list = CAMPAIGNS_OF_OWNER.key(&[user]);
    let entries = store.read_index(ws, &list, &SortRange::all(), Direction::Ascending, MAX_PORTFOLIO_CAMPAIGNS).await?;
    let ids: Vec<String> = entries
        .iter()
        .filter(|entry| entry.data.get("kind").and_then(|kind| kind.as_str()) != Some("survey"))
        .filter_map(|entry| entry.data.get("campaign_id")?.as_str().map(str::to_owned))
        .collect();
    let keys: Vec<EntityKey> = ids.iter().map(|id| EntityKey::new("campaign", &[id])).collect();
    let (tz, entities) = load_with_workspace(store, ws, &keys).await?;
    let range = requested.resolve(&tz, now, DEFAULT_DAYS)?.days;
    let reads: Vec<_> = ids
        .iter()
        .zip(&keys)
        .map(|(id, key)| {
            let campaign = Campaign::of(id, entities.get(key));
            let series = series_key(campaign_ads::NAME, &[id]);
            async move {
                let days = read_days(store, ws, &series, &[range]).await?;
                Ok((campaign, Delivery::sum(days.values())))
            }
        })
        .collect();
    let campaigns = concurrently(reads).await?;
    Ok(Portfolio { tz, range, campaigns })
}

/// The spend pace of a campaign against its remaining budget, the same for the budget
/// adjustment and the budget alert:
/// - pace = mean daily spend over the [`PACE_DAYS`] complete local days before today;
/// - remaining budget = budget − everything spent before today;
/// - days left = local days from today to `ends_on`, both included;
/// - projected spend = pace × days left; it exhausts the budget when it exceeds what remains
///   (for a campaign that has not ended).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pace {
    /// The complete days the pace is measured over.
    pub window: DaySpan,
    /// Mean daily spend over the window, to the cent.
    pub daily_spend: f64,
    pub budget: Option<f64>,
    /// Spent before today, to the cent.
    pub spent_before_today: f64,
    pub remaining_budget: Option<f64>,
    pub ends_on: Option<Date>,
    pub days_left: Option<i64>,
    pub projected_spend: Option<f64>,
    /// Projected spend / remaining budget, 4 decimals; `null` when either is unknown or nothing
    /// remains.
    pub pace_ratio: Option<f64>,
    pub exhausts_budget: bool,
    /// The day the remaining budget runs out at this pace, when it does before `ends_on`.
    pub runs_out_on: Option<Date>,
}

impl Pace {
    /// The complete days the pace is measured over, before `today`.
    pub fn window(today: Date) -> DateRange {
        DateRange { start: add_days(today, -PACE_DAYS), end: add_days(today, -1) }
    }

    /// `days` must hold the pace window and today.
    pub fn of(campaign: &Campaign, total: &Delivery, days: &Days, today: Date) -> Pace {
        let window = Pace::window(today);
        let paced: Micros = days_of(days, window).iter().map(|(_, d)| d.spend).sum();
        let daily: Micros = paced / Micros::from(PACE_DAYS);
        let today_spend = days.get(&today).map_or(0, |d| d.spend);
        let spent_before = total.spend - today_spend;
        let remaining = campaign.budget.map(|budget| budget - spent_before);
        let days_left =
            campaign.ends_on.map(|end| today.until(end).map(|span| i64::from(span.get_days()) + 1).unwrap_or(0).max(0));
        let projected = days_left.map(|days| daily * Micros::from(days));
        let exhausts = matches!((remaining, projected, days_left), (Some(r), Some(p), Some(d)) if d > 0 && p > r);
        let runs_out_on = exhausts.then(|| match remaining {
            Some(r) if r > 0 && daily > 0 => add_days(today, ((r + daily - 1) / daily - 1) as i64),
            _ => today,
        });
        let pace_ratio = match (projected, remaining) {
            (Some(p), Some(r)) if r > 0 => Some(round_to(p as f64 / r as f64, 4)),
            _ => None,
        };
        Pace {
            window: window.into(),
            daily_spend: delivery::cents(daily),
            budget: campaign.budget.map(delivery::cents),
            spent_before_today: delivery::cents(spent_before),
            remaining_budget: remaining.map(delivery::cents),
            ends_on: campaign.ends_on,
            days_left,
            projected_spend: projected.map(delivery::cents),
            pace_ratio,
            exhausts_budget: exhausts,
            runs_out_on,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn spend(units: i64) -> Delivery {
        Delivery { events: 1, spend: Micros::from(units) * 1_000_000, ..Delivery::default() }
    }

    fn campaign(budget: Option<i64>, ends_on: Option<Date>) -> Campaign {
        Campaign { id: "c".into(), budget: budget.map(|b| Micros::from(b) * 1_000_000), ends_on, ..Campaign::default() }
    }

    #[test]
    fn the_pace_of_the_last_three_days_projects_spend_to_the_end_date() {
        let today = date(2025, 3, 10);
        // 100 a day on the 7th, 8th and 9th; 40 so far today; 1,000 spent in all before those.
        let days: Days = [
            (date(2025, 3, 7), spend(100)),
            (date(2025, 3, 8), spend(100)),
            (date(2025, 3, 9), spend(100)),
            (today, spend(40)),
        ]
        .into_iter()
        .collect();
        let total = spend(1_340);
        // Budget 2,000: 700 remain before today; 10 days left (10th..19th) at 100 = 1,000 > 700.
        let pace = Pace::of(&campaign(Some(2_000), Some(date(2025, 3, 19))), &total, &days, today);
        assert_eq!((pace.daily_spend, pace.spent_before_today, pace.remaining_budget), (100.0, 1_300.0, Some(700.0)));
        assert_eq!((pace.days_left, pace.projected_spend, pace.pace_ratio), (Some(10), Some(1_000.0), Some(1.4286)));
        assert!(pace.exhausts_budget);
        assert_eq!(pace.runs_out_on, Some(date(2025, 3, 16)), "700 lasts 7 days: the 10th to the 16th");

        // A budget that covers the projection, an ended campaign, no end date: no exhaustion.
        let enough = Pace::of(&campaign(Some(2_400), Some(date(2025, 3, 19))), &total, &days, today);
        assert!(!enough.exhausts_budget && enough.runs_out_on.is_none());
        let ended = Pace::of(&campaign(Some(1_000), Some(date(2025, 3, 1))), &total, &days, today);
        assert_eq!((ended.days_left, ended.exhausts_budget), (Some(0), false));
        let open_ended = Pace::of(&campaign(Some(1_000), None), &total, &days, today);
        assert_eq!((open_ended.projected_spend, open_ended.exhausts_budget), (None, false));
    }

    #[test]
    fn targets_come_from_the_campaign_else_from_stated_defaults() {
        let window = Delivery { conversions: 10, revenue: 300_000_000, ..Delivery::default() };
        let mut campaign = Campaign { target_roas: Some(2.0), ..Campaign::default() };
        assert_eq!(campaign.target_roas(), (2.0, TargetSource::Campaign));
        // Break-even at ROAS 2: 30 revenue per conversion / 2 = 15 per conversion.
        assert_eq!(campaign.target_cpa(&window), (Some(15_000_000), TargetSource::Default));
        campaign.target_cpa = Some(12_000_000);
        assert_eq!(campaign.target_cpa(&window), (Some(12_000_000), TargetSource::Campaign));
        let plain = Campaign::default();
        assert_eq!(plain.target_roas(), (DEFAULT_TARGET_ROAS, TargetSource::Default));
        assert_eq!(plain.target_cpa(&Delivery::default()), (None, TargetSource::Default));
    }

    #[test]
    fn client_numbers_are_bounded() {
        assert!(ClientNumber::try_from(2.5).is_ok());
        assert!(ClientNumber::try_from(-0.1).is_err());
        assert!(ClientNumber::try_from(f64::NAN).is_err());
    }
}
