//! Engine benchmark (run by `tests/bench.sh`, which keeps the output in `tests/bench-results.md`).
//!
//! In one run, on one SQLite file in WAL mode as the local runtime uses it:
//! - ingest throughput: request bodies of 500 events parsed, validated and applied exactly once;
//! - campaign stats latency, uncached (the view itself, four store reads), at a campaign with
//!   10,000 contacts and at one with 1,000,000 call events;
//! - the same numbers computed by plain GROUP BY scans over the raw events table of the same
//!   file, which the rollups exist to avoid. Both answers are checked to agree;
//! - seed 000's campaign metrics, uncached (three store reads), at a campaign with 1,000,000
//!   `ad.delivery` events, against the same GROUP BY in DuckDB over the same raw events loaded
//!   into an in-memory table (`duckdb_baseline.py`, with DuckDB from PyPI: `tests/bench.sh`
//!   installs it and sets `DUCKDB_PYTHON`). A view's DuckDB baseline is a table and a query of
//!   [`duckdb_spec`]; the answers are checked to agree;
//! - seed 001's admin comprehensive page, uncached (eight store reads), in a call-centre
//!   workspace of about 1,000,000 events (2,000 users with subscriptions and payments, 50
//!   agents, 20,000 customers, 5,000 callbacks, the rest `call.completed` over 60 days), with
//!   its own ingest throughput, against DuckDB computing a stated subset of the page's numbers
//!   from the raw events (one table per event type, a query set timed as one run: see
//!   `engine/comprehensive.rs`); every covered field is checked to agree.
//!
//! While developing, `BENCH_ONLY=comprehensive` runs seed 001's section alone and `BENCH_SCALE`
//! (a factor, default 1) shrinks its workspace; `tests/bench.sh` sets neither.

#[path = "engine/comprehensive.rs"]
mod comprehensive;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use domain::WorkspaceId;
use domain::events::{EventLimits, validate_event};
use domain::ingest::apply_events;
use domain::ports::RollupStore;
use domain::rollup::Rules;
use domain::time::RequestedRange;
use domain::views::ads::Scope;
use domain::views::ads::delivery::Delivery;
use domain::views::ads::metrics::campaign_metrics;
use domain::views::surveys::campaign_stats::{StatsOptions, campaign_stats};
use embedded::{Db, SqliteStore};
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

const BATCH: usize = 500;
const ZONE: &str = "Europe/Paris";
const OUTCOMES: &[(&str, f64, f64, f64)] = &[
    // (outcome, share, shortest s, longest s)
    ("completed", 0.38, 180.0, 390.0),
    ("refused", 0.10, 12.0, 60.0),
    ("no_answer", 0.32, 20.0, 40.0),
    ("busy", 0.09, 2.0, 6.0),
    ("failed", 0.05, 0.0, 3.0),
    ("voicemail", 0.06, 25.0, 45.0),
];

fn now() -> Timestamp {
    "2025-03-31T12:00:00Z".parse().expect("timestamp")
}

/// One generated event, kept small so that the benchmark's own data does not dominate memory;
/// it becomes JSON just before its batch is ingested.
#[derive(Clone, Copy)]
enum Generated {
    Load { contact: u32 },
    Call { call: u32, contact: u32, outcome: &'static str, duration_ds: u32 },
    Final { contact: u32, state: &'static str },
}

/// A campaign's events: `contacts` contacts loaded as pending, `calls` calls spread over 30 days,
/// each contact ending in the state its last call left it in. Chronological, as producers send.
fn campaign_events(contacts: usize, calls: usize, rng: &mut StdRng) -> Vec<(i64, Generated)> {
    let start = (now() - SignedDuration::from_hours(24 * 30)).as_second();
    let mut events = Vec::with_capacity(contacts * 2 + calls);
    let mut last_call: Vec<Option<(i64, &'static str)>> = vec![None; contacts];
    for contact in 0..contacts {
        events.push((start + contact as i64 % 3600, Generated::Load { contact: contact as u32 }));
    }
    for call in 0..calls {
        let contact = rng.random_range(0..contacts);
        let at = start + 3600 + rng.random_range(0..(30 * 86_400 - 7200));
        let roll: f64 = rng.random();
        let mut cumulative = 0.0;
        let &(outcome, _, low, high) = OUTCOMES
            .iter()
            .find(|(_, share, _, _)| {
                cumulative += share;
                roll < cumulative
            })
            .unwrap_or(&OUTCOMES[0]);
        let duration_ds = ((low + (high - low) * rng.random::<f64>()) * 10.0).round() as u32;
        events.push((at, Generated::Call { call: call as u32, contact: contact as u32, outcome, duration_ds }));
        if last_call[contact].is_none_or(|(previous, _)| previous < at) {
            last_call[contact] = Some((at, outcome));
        }
    }
    for (contact, last) in last_call.iter().enumerate() {
        let Some((at, outcome)) = last else { continue };
        let state = match *outcome {
            "completed" => "completed",
            "refused" => "refused",
            "no_answer" | "busy" | "failed" => "not_reached",
            _ => "in_progress",
        };
        events.push((at + 1, Generated::Final { contact: contact as u32, state }));
    }
    events.sort_by_key(|(at, _)| *at);
    events
}

/// A request body of generated events, as a producer would send it.
fn body(campaign: &str, events: &[(i64, Generated)]) -> String {
    let events: Vec<Value> = events
        .iter()
        .map(|&(at, event)| {
            let at = Timestamp::from_second(at).expect("ts").to_string();
            match event {
                Generated::Load { contact } => json!({"id": format!("{campaign}-p{contact}-load"),
                    "type": "contact.state_changed", "occurred_at": at,
                    "data": {"campaign_id": campaign, "contact_id": format!("p{contact}"), "state": "pending"}}),
                Generated::Call { call, contact, outcome, duration_ds } => json!({"id": format!("{campaign}-k{call}"),
                    "type": "call.completed", "occurred_at": at,
                    "data": {"call_id": format!("k{call}"), "campaign_id": campaign, "contact_id": format!("p{contact}"),
                             "call_type": "outbound", "outcome": outcome, "duration_s": f64::from(duration_ds) / 10.0}}),
                Generated::Final { contact, state } => json!({"id": format!("{campaign}-p{contact}-final"),
                    "type": "contact.state_changed", "occurred_at": at,
                    "data": {"campaign_id": campaign, "contact_id": format!("p{contact}"), "state": state}}),
            }
        })
        .collect();
    json!({ "events": events }).to_string()
}

/// What the ingest route does with a body, minus HTTP and auth.
async fn ingest_body(store: &dyn RollupStore, ws: &WorkspaceId, body: &str) -> usize {
    let mut request: Value = serde_json::from_str(body).expect("json");
    let Some(Value::Array(events)) = request.get_mut("events").map(Value::take) else { panic!("events") };
    let limits = EventLimits::default();
    let valid: Vec<_> = events.into_iter().map(|raw| validate_event(raw, now(), &limits).expect("valid")).collect();
    apply_events(store, &Rules::standard(), ws, &valid).await.expect("apply").len()
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

struct Latency {
    p50: Duration,
    p99: Duration,
    runs: usize,
}

fn latency(mut samples: Vec<Duration>) -> Latency {
    Latency { p50: percentile(&mut samples, 0.5), p99: percentile(&mut samples, 0.99), runs: samples.len() }
}

/// The stats numbers by scanning raw events: outcome counts and durations, latest state per
/// contact, calls per UTC hour of the last 24 h and per local day of the last 30 days (summed
/// here, to be compared with the view's series).
struct RawStats {
    outcomes: BTreeMap<String, i64>,
    total_duration_ms: i64,
    min_ms: i64,
    max_ms: i64,
    states: BTreeMap<String, i64>,
    hours: i64,
    days: i64,
}

fn raw_scan(conn: &Connection, ws: &str, campaign: &str) -> RawStats {
    let mut outcomes = BTreeMap::new();
    let (mut total_duration_ms, mut min_ms, mut max_ms) = (0, i64::MAX, i64::MIN);
    let mut stmt = conn
        .prepare_cached(
            "SELECT json_extract(body, '$.data.outcome') AS outcome, count(*),
                    sum(round(json_extract(body, '$.data.duration_s') * 1000)),
                    min(round(json_extract(body, '$.data.duration_s') * 1000)),
                    max(round(json_extract(body, '$.data.duration_s') * 1000))
             FROM events WHERE ws = ?1 AND type = 'call.completed' AND json_extract(body, '$.data.campaign_id') = ?2
             GROUP BY outcome",
        )
        .expect("prepare");
    let rows = stmt
        .query_map(params![ws, campaign], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, f64>(2)?,
                row.get::<_, f64>(3)?,
                row.get::<_, f64>(4)?,
            ))
        })
        .expect("query");
    for row in rows {
        let (outcome, count, sum, min, max) = row.expect("row");
        outcomes.insert(outcome, count);
        total_duration_ms += sum as i64;
        min_ms = min_ms.min(min as i64);
        max_ms = max_ms.max(max as i64);
    }
    let mut states = BTreeMap::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT state, count(*) FROM (
                 SELECT json_extract(body, '$.data.state') AS state,
                        row_number() OVER (PARTITION BY json_extract(body, '$.data.contact_id')
                                           ORDER BY occurred_at DESC, id DESC) AS newest
                 FROM events WHERE ws = ?1 AND type = 'contact.state_changed'
                                   AND json_extract(body, '$.data.campaign_id') = ?2)
             WHERE newest = 1 GROUP BY state",
        )
        .expect("prepare");
    for row in stmt.query_map(params![ws, campaign], |row| Ok((row.get(0)?, row.get(1)?))).expect("query") {
        let (state, count): (String, i64) = row.expect("row");
        states.insert(state, count);
    }
    let hour_start = (now().as_second().div_euclid(3600) - 23) * 3600 * 1_000_000;
    let hours: i64 = conn
        .prepare_cached(
            "SELECT sum(calls) FROM (SELECT occurred_at / 3600000000 AS hour, count(*) AS calls FROM events
             WHERE ws = ?1 AND type = 'call.completed' AND json_extract(body, '$.data.campaign_id') = ?2
                   AND occurred_at >= ?3 GROUP BY hour)",
        )
        .and_then(|mut stmt| stmt.query_row(params![ws, campaign, hour_start], |row| row.get(0)))
        .expect("hours");
    // SQLite has no IANA zones: the baseline groups by the zone's offset at `now` (no DST),
    // which only flatters it; the window starts at the same local midnight as the view's.
    let days: i64 = conn
        .prepare_cached(
            "SELECT sum(calls) FROM (SELECT date(occurred_at / 1000000 + 7200, 'unixepoch') AS day, count(*) AS calls FROM events
             WHERE ws = ?1 AND type = 'call.completed' AND json_extract(body, '$.data.campaign_id') = ?2
                   AND occurred_at >= ?3 GROUP BY day)",
        )
        .and_then(|mut stmt| {
            let tz = jiff::tz::TimeZone::get(ZONE).expect("zone");
            let first_day = domain::time::add_days(domain::time::local_today(now(), &tz), -29);
            let since = domain::time::start_of_local_day(first_day, &tz).expect("midnight").as_microsecond();
            stmt.query_row(params![ws, campaign, since], |row| row.get(0))
        })
        .expect("days");
    RawStats { outcomes, total_duration_ms, min_ms, max_ms, states, hours, days }
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

struct Scenario {
    label: &'static str,
    ws: &'static str,
    campaign: &'static str,
    contacts: usize,
    calls: usize,
    view_runs: usize,
    raw_runs: usize,
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let db = Db::open(&path).expect("database");
    let store = SqliteStore::new(db);
    let scenarios = [
        Scenario {
            label: "10,000 contacts",
            ws: "ws-small",
            campaign: "small",
            contacts: 10_000,
            calls: 18_000,
            view_runs: 2000,
            raw_runs: 50,
        },
        Scenario {
            label: "1,000,000 call events",
            ws: "ws-large",
            campaign: "large",
            contacts: 100_000,
            calls: 1_000_000,
            view_runs: 2000,
            raw_runs: 10,
        },
    ];
    // `BENCH_ONLY=comprehensive` runs seed 001's section alone (a quicker run while developing).
    let only_comprehensive = std::env::var("BENCH_ONLY").is_ok_and(|only| only == "comprehensive");
    let scenarios = if only_comprehensive { &scenarios[..0] } else { &scenarios[..] };
    let mut rng = StdRng::seed_from_u64(7);
    let mut report = String::new();
    let mut ingest_events = 0usize;
    let mut ingest_time = Duration::ZERO;
    let mut rows = Vec::new();

    for scenario in scenarios {
        let ws = WorkspaceId::parse(scenario.ws).expect("id");
        let settings =
            json!({"events": [{"id": "settings", "type": "workspace.upserted", "occurred_at": "2025-01-01T00:00:00Z",
                                          "data": {"name": "Bench", "timezone": ZONE}}]})
            .to_string();
        ingest_body(&store, &ws, &settings).await;
        let events = campaign_events(scenario.contacts, scenario.calls, &mut rng);
        let mut spent = Duration::ZERO;
        for batch in events.chunks(BATCH) {
            let body = body(scenario.campaign, batch);
            let started = Instant::now();
            ingest_events += ingest_body(&store, &ws, &body).await;
            spent += started.elapsed();
        }
        ingest_time += spent;
        eprintln!("{}: ingested in {:.1} s", scenario.label, spent.as_secs_f64());

        let options =
            StatsOptions { include_time_series: true, days: RequestedRange::Dates { start: None, end: None } };
        let mut samples = Vec::with_capacity(scenario.view_runs);
        let mut stats = None;
        for _ in 0..scenario.view_runs {
            let started = Instant::now();
            stats = campaign_stats(&store, &ws, scenario.campaign, &options, now()).await.expect("stats");
            samples.push(started.elapsed());
        }
        let view = latency(samples);
        let stats = stats.expect("the campaign exists").body;

        let conn = Connection::open(&path).expect("raw connection");
        let mut samples = Vec::with_capacity(scenario.raw_runs);
        let mut raw = None;
        for _ in 0..scenario.raw_runs {
            let started = Instant::now();
            raw = Some(raw_scan(&conn, scenario.ws, scenario.campaign));
            samples.push(started.elapsed());
        }
        let scan = latency(samples);
        let raw = raw.expect("ran");

        // Both ways must give the same numbers, or the comparison means nothing.
        let outcome = |name: &str| raw.outcomes.get(name).copied().unwrap_or(0);
        assert_eq!(stats.calls.total_attempts, raw.outcomes.values().sum::<i64>());
        assert_eq!(stats.calls.completed, outcome("completed"));
        assert_eq!(stats.calls.no_answer, outcome("no_answer"));
        assert_eq!(stats.calls.other, outcome("voicemail"));
        assert_eq!((stats.duration.total_seconds * 1000.0).round() as i64, raw.total_duration_ms);
        assert_eq!(stats.duration.min_seconds.map(|s| (s * 1000.0).round() as i64), Some(raw.min_ms));
        assert_eq!(stats.duration.max_seconds.map(|s| (s * 1000.0).round() as i64), Some(raw.max_ms));
        let state = |name: &str| raw.states.get(name).copied().unwrap_or(0);
        assert_eq!(stats.contacts.total, raw.states.values().sum::<i64>());
        assert_eq!((stats.contacts.completed, stats.contacts.not_reached), (state("completed"), state("not_reached")));
        let series = stats.time_series.as_ref().expect("series");
        assert_eq!(series.hourly.iter().map(|h| h.calls.total_attempts).sum::<i64>(), raw.hours);
        assert_eq!(series.daily.iter().map(|d| d.calls.total_attempts).sum::<i64>(), raw.days);

        rows.push((scenario, stats.calls.total_attempts, stats.contacts.total, view, scan));
    }

    let ads = if only_comprehensive { None } else { Some(ads_scenario(&store, &path, &mut rng).await) };
    let call_centre = comprehensive::scenario(&store, &path).await;

    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let rate = ingest_events as f64 / ingest_time.as_secs_f64();
    report.push_str(&format!(
        "# Engine benchmark\n\nRun {} at commit `{commit}` on {cores} cores ({cpu}), release build, one SQLite file in WAL mode.\n\
         Produced by `tests/bench.sh` (`cargo bench -p tests --bench engine`). Timings from one run on a shared\n\
         machine: compare the ratios, which were measured side by side, more than the absolute values.\n\n",
        Timestamp::now().round(jiff::Unit::Second).unwrap_or(Timestamp::now())
    ));
    if !rows.is_empty() {
        report_surveys(&mut report, ingest_events, rate, &rows);
    }
    if let Some(ads) = &ads {
        report.push_str(&ads.report());
    }
    report.push_str(&call_centre.report());
    println!("{report}");
}

/// The ingest and campaign-stats sections (seed 003).
fn report_surveys(
    report: &mut String,
    ingest_events: usize,
    rate: f64,
    rows: &[(&Scenario, i64, i64, Latency, Latency)],
) {
    report.push_str("## Ingest\n\n| measure | value | target |\n|---|---|---|\n");
    report.push_str(&format!(
        "| events ingested (bodies of {BATCH}: parse, validate, apply exactly once) | {ingest_events} | |\n\
         | throughput | {rate:.0} events/s | ≥ 20,000 events/s: {} |\n| peak resident memory of the whole run | {} | |\n\n",
        if rate >= 20_000.0 { "met" } else { "NOT met" },
        peak_rss_mib().map(|mib| format!("{mib:.0} MiB")).unwrap_or_else(|| "n/a".into()),
    ));
    report.push_str(
        "## Campaign stats, uncached\n\nThe view (four store reads: entities, totals + gauge, 24 hours, 30 days) against the \
         same numbers from GROUP BY scans of the raw events table.\n\n\
         | campaign | call events | contacts | view p50 | view p99 | raw scan p50 | raw scan p99 | raw / view (p50) | runs (view / raw) |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for (scenario, calls, contacts, view, scan) in rows {
        report.push_str(&format!(
            "| {} | {calls} | {contacts} | {:.3} ms | {:.3} ms | {:.1} ms | {:.1} ms | {:.0}× | {} / {} |\n",
            scenario.label,
            ms(view.p50),
            ms(view.p99),
            ms(scan.p50),
            ms(scan.p99),
            scan.p50.as_secs_f64() / view.p50.as_secs_f64(),
            view.runs,
            scan.runs
        ));
    }
    let (_, _, _, view, scan) = rows.last().expect("the large scenario");
    let speedup = scan.p50.as_secs_f64() / view.p50.as_secs_f64();
    report.push_str(&format!(
        "\nTargets at 1,000,000 call events: view p99 under 5 ms: {} ({:.3} ms); at least 100× faster than the raw scan: {} ({speedup:.0}×).\n",
        if ms(view.p99) < 5.0 { "met" } else { "NOT met" },
        ms(view.p99),
        if speedup >= 100.0 { "met" } else { "NOT met" },
    ));
}

/// Seed 000's scenario: one ad campaign's deliveries.
const ADS_WS: &str = "ws-ads";
const ADS_CAMPAIGN: &str = "ads-large";
const AD_EVENTS: usize = 1_000_000;
const AD_DAYS: i64 = 60;
const CREATIVES: [&str; 5] = ["Hero banner", "Carousel", "Video 15s", "Story", "Static"];
const AUDIENCES: [&str; 4] = ["Returning", "Lookalike 1%", "Broad 25-44", "Interest: design"];

/// One generated delivery, kept small until its batch becomes JSON.
#[derive(Clone, Copy)]
struct GeneratedAd {
    n: u32,
    creative: u8,
    audience: u8,
    impressions: u32,
    clicks: u32,
    conversions: u32,
    spend_cents: u32,
    revenue_cents: u32,
}

/// `count` deliveries spread over the last 60 days, chronological.
fn ad_events(count: usize, rng: &mut StdRng) -> Vec<(i64, GeneratedAd)> {
    let start = (now() - SignedDuration::from_hours(24 * AD_DAYS)).as_second();
    let mut events: Vec<(i64, GeneratedAd)> = (0..count)
        .map(|n| {
            let impressions = rng.random_range(200..2_000u32);
            let clicks = impressions * rng.random_range(5..40u32) / 1_000;
            let conversions = clicks * rng.random_range(0..80u32) / 1_000;
            let spend_cents = impressions * rng.random_range(600..1_200u32) / 1_000;
            let revenue_cents = conversions * rng.random_range(2_000..8_000u32);
            let at = start + rng.random_range(0..AD_DAYS * 86_400 - 3_600);
            let (creative, audience) = (rng.random_range(0..5u8), rng.random_range(0..4u8));
            (
                at,
                GeneratedAd {
                    n: n as u32,
                    creative,
                    audience,
                    impressions,
                    clicks,
                    conversions,
                    spend_cents,
                    revenue_cents,
                },
            )
        })
        .collect();
    events.sort_by_key(|(at, _)| *at);
    events
}

fn ad_body(events: &[(i64, GeneratedAd)]) -> String {
    let events: Vec<Value> = events
        .iter()
        .map(|&(at, ad)| {
            json!({"id": format!("ad-{}", ad.n), "type": "ad.delivery",
                   "occurred_at": Timestamp::from_second(at).expect("ts").to_string(),
                   "data": {"campaign_id": ADS_CAMPAIGN, "creative": CREATIVES[usize::from(ad.creative)],
                            "audience": AUDIENCES[usize::from(ad.audience)], "impressions": ad.impressions,
                            "clicks": ad.clicks, "conversions": ad.conversions,
                            "spend": f64::from(ad.spend_cents) / 100.0, "revenue": f64::from(ad.revenue_cents) / 100.0}})
        })
        .collect();
    json!({ "events": events }).to_string()
}

/// What the DuckDB baseline loads and times (see `duckdb_baseline.py`): one table per event type
/// a view reads and one query per view, each answering what the view answers.
fn duckdb_spec(sqlite: &std::path::Path, from_us: i64, to_us: i64) -> Value {
    json!({
        "sqlite": sqlite,
        "tables": [{
            "name": "ad_delivery", "ws": ADS_WS, "type": "ad.delivery",
            "columns": [["campaign_id", "VARCHAR"], ["creative", "VARCHAR"], ["audience", "VARCHAR"],
                        ["impressions", "BIGINT"], ["clicks", "BIGINT"], ["conversions", "BIGINT"],
                        ["spend", "DECIMAL(18,6)"], ["revenue", "DECIMAL(18,6)"]],
        }],
        "queries": [{
            "name": "campaign_metrics", "runs": 200,
            "sql": "SELECT campaign_id, count(*), sum(impressions), sum(clicks), sum(conversions), sum(spend), sum(revenue)
                    FROM ad_delivery WHERE campaign_id = ? AND occurred_at >= ? AND occurred_at < ? GROUP BY campaign_id",
            "params": [ADS_CAMPAIGN, from_us, to_us],
        }],
    })
}

/// Runs the DuckDB baseline with `DUCKDB_PYTHON`; `None` (and why) when it cannot run.
fn run_duckdb(spec: &Value) -> Result<Value, String> {
    let python = std::env::var("DUCKDB_PYTHON").map_err(|_| "DUCKDB_PYTHON is unset: run tests/bench.sh".to_owned())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let spec_path = dir.path().join("spec.json");
    std::fs::write(&spec_path, spec.to_string()).map_err(|e| e.to_string())?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/duckdb_baseline.py");
    let output = std::process::Command::new(python).arg(script).arg(&spec_path).output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("the DuckDB baseline failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("the DuckDB report is not JSON: {e}"))
}

/// A DuckDB decimal's text (`12.340000`) in micros.
fn decimal_micros(text: &str) -> i128 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let fraction = format!("{fraction:0<6}");
    whole.parse::<i128>().expect("whole part") * 1_000_000 + fraction[..6].parse::<i128>().expect("fraction")
}

struct AdsResults {
    events: usize,
    ingest: Duration,
    view: Latency,
    duckdb: Result<(Latency, String, Value), String>,
}

impl AdsResults {
    fn report(&self) -> String {
        let rate = self.events as f64 / self.ingest.as_secs_f64();
        let mut out = format!(
            "\n## Campaign metrics (seed 000), uncached\n\n{} `ad.delivery` events of one campaign over 60 days (5 creatives, \
             4 audiences), ingested at {rate:.0} events/s. The view (three store reads: entities, the all-time cell, the \
             range's days) over the last 30 local days, against the same GROUP BY in DuckDB over the raw events loaded into \
             an in-memory table (timed from Python: each run is one execute and fetch). Both answers are checked to agree.\n\n",
            self.events
        );
        match &self.duckdb {
            Ok((duck, version, tables)) => {
                out.push_str(&format!(
                    "| ad.delivery events | view p50 | view p99 | DuckDB {version} p50 | DuckDB p99 | DuckDB / view (p50) | runs (view / DuckDB) |\n\
                     |---|---|---|---|---|---|---|\n| {} | {:.3} ms | {:.3} ms | {:.2} ms | {:.2} ms | {:.0}× | {} / {} |\n\n\
                     DuckDB loaded {} rows in {} s (not timed against the view).\n",
                    self.events,
                    ms(self.view.p50),
                    ms(self.view.p99),
                    ms(duck.p50),
                    ms(duck.p99),
                    duck.p50.as_secs_f64() / self.view.p50.as_secs_f64(),
                    self.view.runs,
                    duck.runs,
                    tables["ad_delivery"]["rows"],
                    tables["ad_delivery"]["load_s"],
                ));
            }
            Err(why) => out.push_str(&format!(
                "| ad.delivery events | view p50 | view p99 | runs |\n|---|---|---|---|\n| {} | {:.3} ms | {:.3} ms | {} |\n\n\
                 DuckDB baseline not run: {why}.\n",
                self.events,
                ms(self.view.p50),
                ms(self.view.p99),
                self.view.runs
            )),
        }
        out.push_str(&format!(
            "\nTarget at 1,000,000 ad.delivery events: view p99 under 5 ms: {} ({:.3} ms).\n",
            if ms(self.view.p99) < 5.0 { "met" } else { "NOT met" },
            ms(self.view.p99)
        ));
        out
    }
}

async fn ads_scenario(store: &SqliteStore, path: &std::path::Path, rng: &mut StdRng) -> AdsResults {
    let ws = WorkspaceId::parse(ADS_WS).expect("id");
    let settings =
        json!({"events": [{"id": "settings", "type": "workspace.upserted", "occurred_at": "2025-01-01T00:00:00Z",
                                      "data": {"name": "Bench ads", "timezone": ZONE}}]})
        .to_string();
    ingest_body(store, &ws, &settings).await;
    let events = ad_events(AD_EVENTS, rng);
    let mut ingest = Duration::ZERO;
    for batch in events.chunks(BATCH) {
        let body = ad_body(batch);
        let started = Instant::now();
        ingest_body(store, &ws, &body).await;
        ingest += started.elapsed();
    }
    drop(events);
    eprintln!("{AD_EVENTS} ad.delivery events: ingested in {:.1} s", ingest.as_secs_f64());

    let tz = jiff::tz::TimeZone::get(ZONE).expect("zone");
    let range = RequestedRange::Dates { start: None, end: None }.resolve(&tz, now(), 30).expect("range");
    let requested = RequestedRange::Dates { start: Some(range.days.start), end: Some(range.days.end) };
    let mut samples = Vec::with_capacity(2000);
    let mut answer = None;
    for _ in 0..2000 {
        let started = Instant::now();
        answer = campaign_metrics(store, &ws, ADS_CAMPAIGN, Scope::Workspace, requested, now()).await.expect("metrics");
        samples.push(started.elapsed());
    }
    let metrics = answer.expect("the campaign exists").body.metrics;

    let duckdb = run_duckdb(&duckdb_spec(path, range.from.as_microsecond(), range.to.as_microsecond())).map(|report| {
        let query = &report["queries"]["campaign_metrics"];
        let row: Vec<&str> = query["rows"][0].as_array().expect("one row").iter().filter_map(Value::as_str).collect();
        let int = |i: usize| row[i].parse::<i64>().expect("a count");
        let raw = Delivery {
            events: int(1),
            impressions: int(2),
            clicks: int(3),
            conversions: int(4),
            spend: decimal_micros(row[5]),
            revenue: decimal_micros(row[6]),
        };
        // Both ways must give the same numbers, or the comparison means nothing.
        assert_eq!(raw.metrics(), metrics, "DuckDB and the view disagree");
        let duration = |key: &str| Duration::from_secs_f64(query[key].as_f64().expect("ms") / 1000.0);
        let runs = query["runs"].as_u64().expect("runs") as usize;
        let version = report["duckdb_version"].as_str().unwrap_or("?").to_owned();
        (Latency { p50: duration("p50_ms"), p99: duration("p99_ms"), runs }, version, report["tables"].clone())
    });
    if let Err(why) = &duckdb {
        eprintln!("DuckDB baseline not run: {why}");
    }
    AdsResults { events: AD_EVENTS, ingest, view: latency(samples), duckdb }
}
