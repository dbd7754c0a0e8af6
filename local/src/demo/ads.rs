//! Seed 000's demo: an ad account. The user `u_user` of the demo workspace owns five ad
//! campaigns with creatives, audiences, budgets and targets, delivering over the 60 local days
//! before the demo is seeded and today so far; `u_manager` owns one more, so that the portfolio
//! filter shows. Two things are planted: on the last complete day, the retargeting campaign's
//! conversion tracking breaks (its ROAS collapses: the anomaly alert), and the summer launch
//! spends its last three days at over twice its earlier pace against a budget that cannot last
//! to its end date (the budget alert). The newsletter campaign's conversion rate climbs over
//! the 60 days (a rising ROAS trend); the brand campaign misses its targets (CPA and ROAS alerts).
//!
//! Mixes are those of paid social: CTR of 0.7% to 3%, conversion rates of 1% to 6%, CPM of 6 to
//! 12; revenue is conversions' expected value with a little noise, so ratios vary by a few
//! percent from day to day, weekends a fifth lighter.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use rand::RngExt;
use rand::rngs::StdRng;
use serde_json::json;

use super::{DEMO_TIME_ZONE, Events};

/// Local days of delivery before today.
const DAYS: i64 = 60;
/// Local hours of the day's two delivery slots.
const SLOTS: [i8; 2] = [10, 18];

#[derive(Clone, Copy, PartialEq)]
enum Plant {
    None,
    /// Revenue and conversions fall to an eighth on the last complete day.
    TrackingOutage,
    /// Over twice the impressions on the last three complete days, and a budget 70% of what that
    /// pace needs to the end date.
    BudgetRush,
    /// Conversion rates climb by 125% from the first day to the last.
    RisingConversions,
}

struct AdCampaign {
    id: &'static str,
    name: &'static str,
    owner: &'static str,
    target_roas: Option<f64>,
    target_cpa: Option<f64>,
    /// (name, click-through rate)
    creatives: &'static [(&'static str, f64)],
    /// (name, conversion rate per click)
    audiences: &'static [(&'static str, f64)],
    daily_impressions: f64,
    cpm: f64,
    order_value: f64,
    /// Days from today to the end date; `None`: open-ended, no budget.
    ends_in: Option<i64>,
    /// The budget as a multiple of what the last three days' pace spends to the end date, on top
    /// of everything spent before today.
    budget_headroom: f64,
    plant: Plant,
}

const CAMPAIGNS: &[AdCampaign] = &[
    AdCampaign {
        id: "cmp_ads_spring_sale",
        name: "Spring Sale",
        owner: "u_user",
        target_roas: Some(2.5),
        target_cpa: Some(20.0),
        creatives: &[("Hero banner", 0.022), ("Carousel", 0.016), ("Video 15s", 0.012)],
        audiences: &[("Returning customers", 0.05), ("Lookalike 1%", 0.03), ("Broad 25-44", 0.015)],
        daily_impressions: 60_000.0,
        cpm: 9.0,
        order_value: 48.0,
        ends_in: Some(30),
        budget_headroom: 1.05,
        plant: Plant::None,
    },
    AdCampaign {
        id: "cmp_ads_brand_awareness",
        name: "Brand awareness",
        owner: "u_user",
        target_roas: Some(1.5),
        target_cpa: Some(25.0),
        creatives: &[("Logo sting", 0.009), ("Manifesto", 0.007), ("Founder story", 0.008)],
        audiences: &[("Interest: design", 0.012), ("Broad 18-65", 0.008)],
        daily_impressions: 120_000.0,
        cpm: 6.0,
        order_value: 35.0,
        ends_in: Some(45),
        budget_headroom: 1.5,
        plant: Plant::None,
    },
    AdCampaign {
        id: "cmp_ads_retargeting",
        name: "Retargeting",
        owner: "u_user",
        target_roas: Some(3.0),
        target_cpa: Some(15.0),
        creatives: &[("Dynamic product ad", 0.03), ("Cart reminder", 0.025), ("Free shipping", 0.027)],
        audiences: &[("Cart abandoners", 0.06), ("Product viewers", 0.04)],
        daily_impressions: 30_000.0,
        cpm: 12.0,
        order_value: 35.0,
        ends_in: Some(60),
        budget_headroom: 2.0,
        plant: Plant::TrackingOutage,
    },
    AdCampaign {
        id: "cmp_ads_summer_launch",
        name: "Summer launch",
        owner: "u_user",
        target_roas: Some(1.7),
        target_cpa: None,
        creatives: &[("Teaser", 0.02), ("Lifestyle", 0.015), ("Product close-up", 0.01)],
        audiences: &[("Early adopters", 0.035), ("Lookalike 3%", 0.025)],
        daily_impressions: 50_000.0,
        cpm: 10.0,
        order_value: 40.0,
        ends_in: Some(20),
        budget_headroom: 0.7,
        plant: Plant::BudgetRush,
    },
    AdCampaign {
        id: "cmp_ads_newsletter",
        name: "Newsletter sign-ups",
        owner: "u_user",
        target_roas: None,
        target_cpa: None,
        creatives: &[("Lead form", 0.018), ("Quiz", 0.014)],
        audiences: &[("Blog readers", 0.02), ("Lookalike subscribers", 0.015)],
        daily_impressions: 25_000.0,
        cpm: 7.0,
        order_value: 25.0,
        ends_in: None,
        budget_headroom: 0.0,
        plant: Plant::RisingConversions,
    },
    AdCampaign {
        id: "cmp_ads_partner",
        name: "Partner co-marketing",
        owner: "u_manager",
        target_roas: Some(2.0),
        target_cpa: None,
        creatives: &[("Co-branded banner", 0.015), ("Partner video", 0.012)],
        audiences: &[("Partner customers", 0.03), ("Shared interests", 0.02)],
        daily_impressions: 40_000.0,
        cpm: 8.0,
        order_value: 50.0,
        ends_in: Some(40),
        budget_headroom: 1.2,
        plant: Plant::None,
    },
];

/// The seed of this part's own generator (so that the other parts are generated as they always
/// were).
pub const SEED: u64 = 20_251_201;

/// `value` × (1 ± `spread`), uniformly.
fn jitter(rng: &mut StdRng, value: f64, spread: f64) -> f64 {
    value * (1.0 + spread * (2.0 * rng.random::<f64>() - 1.0))
}

/// A whole number whose expected value is `value`.
fn whole(rng: &mut StdRng, value: f64) -> i64 {
    let floor = value.floor();
    floor as i64 + i64::from(rng.random::<f64>() < value - floor)
}

/// A whole number around `value` (± `spread`).
fn about(rng: &mut StdRng, value: f64, spread: f64) -> i64 {
    let value = jitter(rng, value, spread);
    whole(rng, value)
}

fn cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn day_at(day: Date, hour: i8, minute: i8, tz: &TimeZone) -> Option<Timestamp> {
    day.at(hour, minute, 0, 0).to_zoned(tz.clone()).ok().map(|zoned| zoned.timestamp())
}

/// One campaign's deliveries (oldest first) and its upsert, with the budget that its plant calls
/// for given what it spent.
fn campaign_events(events: &mut Events, campaign: &AdCampaign, now: Timestamp, tz: &TimeZone, rng: &mut StdRng) {
    let today = now.to_zoned(tz.clone()).date();
    let mut spent_before_today = 0.0;
    let mut last_three_days = 0.0;
    for days_ago in (0..=DAYS).rev() {
        let day = today.checked_sub(days_ago.days()).unwrap_or(today);
        let weekend = day.weekday().to_monday_one_offset() >= 6;
        let rush = campaign.plant == Plant::BudgetRush && (1..=3).contains(&days_ago);
        let volume = campaign.daily_impressions * if weekend { 0.8 } else { 1.0 } * if rush { 2.3 } else { 1.0 };
        let outage = campaign.plant == Plant::TrackingOutage && days_ago == 1;
        let climb = match campaign.plant {
            Plant::RisingConversions => 1.0 + 1.25 * (DAYS - days_ago) as f64 / DAYS as f64,
            _ => 1.0,
        };
        let cells = campaign.creatives.len() * campaign.audiences.len() * SLOTS.len();
        for (slot, hour) in SLOTS.iter().enumerate() {
            let Some(at) = day_at(day, *hour, rng.random_range(0..60), tz).filter(|at| *at <= now) else { continue };
            for (c, (creative, ctr)) in campaign.creatives.iter().enumerate() {
                for (a, (audience, conversion_rate)) in campaign.audiences.iter().enumerate() {
                    let impressions = about(rng, volume / cells as f64, 0.2);
                    let clicks = about(rng, impressions as f64 * ctr, 0.05);
                    let expected = clicks as f64 * conversion_rate * climb * if outage { 0.125 } else { 1.0 };
                    let conversions = whole(rng, expected);
                    let spend = cents(jitter(rng, impressions as f64 * campaign.cpm / 1000.0, 0.03));
                    let revenue = cents(jitter(rng, expected * campaign.order_value, 0.08));
                    if days_ago > 0 {
                        spent_before_today += spend;
                    }
                    if (1..=3).contains(&days_ago) {
                        last_three_days += spend;
                    }
                    events.push(
                        format!("demo-ads-{}-{days_ago}-{slot}-{c}{a}", campaign.id),
                        "ad.delivery",
                        at,
                        json!({
                            "campaign_id": campaign.id, "creative": creative, "audience": audience,
                            "impressions": impressions, "clicks": clicks, "spend": spend,
                            "conversions": conversions, "revenue": revenue,
                        }),
                    );
                }
            }
        }
    }
    let starts_on = today.checked_sub(DAYS.days()).unwrap_or(today);
    let mut data = json!({
        "campaign_id": campaign.id, "name": campaign.name, "kind": "ads", "status": "active",
        "owner_user_id": campaign.owner, "starts_on": starts_on.to_string(),
    });
    if let Some(target) = campaign.target_roas {
        data["target_roas"] = json!(target);
    }
    if let Some(target) = campaign.target_cpa {
        data["target_cpa"] = json!(target);
    }
    if let Some(ends_in) = campaign.ends_in {
        let ends_on = today.checked_add(ends_in.days()).unwrap_or(today);
        let paced_to_end = last_three_days / 3.0 * (ends_in + 1) as f64;
        data["ends_on"] = json!(ends_on.to_string());
        data["budget"] = json!(cents(spent_before_today + campaign.budget_headroom * paced_to_end).ceil());
    }
    let created = day_at(starts_on, 8, 0, tz).unwrap_or(now) - SignedDuration::from_hours(24);
    events.push(format!("demo-ads-{}", campaign.id), "campaign.upserted", created, data);
}

/// The demo workspace's ad campaigns.
pub fn events(now: Timestamp, rng: &mut StdRng) -> Events {
    let tz = TimeZone::get(DEMO_TIME_ZONE).expect("bundled zone");
    let mut events = Events::default();
    for campaign in CAMPAIGNS {
        campaign_events(&mut events, campaign, now, &tz, rng);
    }
    events
}
