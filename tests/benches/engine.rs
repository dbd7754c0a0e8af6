//! Engine benchmark (run by `tests/bench.sh`, which keeps the output in `tests/bench-results.md`).
//!
//! In one run, on one SQLite file in WAL mode as the local runtime uses it:
//! - ingest throughput: request bodies of 500 events parsed, validated and applied exactly once;
//! - seed 003's campaign stats, uncached (the view itself, four store reads), at campaigns of
//!   18,000, 1,000,000 and 10,000,000 call events, against DuckDB and against SQLite with typed
//!   columns and an index computing the same numbers from the raw events (`engine/campaign_stats.rs`);
//!   every answer is checked to agree with the view's;
//! - seed 000's campaign metrics, uncached (three store reads), at a campaign with 1,000,000
//!   `ad.delivery` events, against the same GROUP BY in DuckDB over the same raw events loaded
//!   into a typed table (`duckdb_baseline.py`, with DuckDB from PyPI: `tests/bench.sh` installs
//!   it and sets `DUCKDB_PYTHON`). A view's DuckDB baseline is a table and a query of
//!   [`duckdb_spec`]; the answers are checked to agree;
//! - seed 001's admin comprehensive page, uncached (eight store reads), in a call-centre
//!   workspace of about 1,000,000 events (2,000 users with subscriptions and payments, 50
//!   agents, 20,000 customers, 5,000 callbacks, the rest `call.completed` over 60 days), with
//!   its own ingest throughput, against DuckDB computing a stated subset of the page's numbers
//!   from the raw events (one table per event type, a query set timed as one run: see
//!   `engine/comprehensive.rs`); every covered field is checked to agree;
//! - seed 002's executive summary and users' activity (its exact DAU/WAU/MAU), uncached, in an
//!   AI-agent workspace in New York of about 1,000,000 and 10,000,000 events over 90 days, with
//!   their ingest throughput, against DuckDB and indexed SQLite computing the same numbers from
//!   the raw events (`engine/workspace_analytics.rs`); every number is checked to agree.
//!
//! `BENCH_ONLY` runs one section (`campaign_stats`, `campaign_metrics`, `comprehensive` or
//! `workspace_analytics`; `tests/bench.sh` then records only that section), `BENCH_SCALE` (a
//! factor, default 1) shrinks the workspaces of seeds 003, 001 and 002 while developing, and
//! `BENCH_WA_LARGE` sets the events of seed 002's larger workspace (default 10,000,000).

#[path = "engine/campaign_stats.rs"]
mod campaign_stats;
#[path = "engine/comprehensive.rs"]
mod comprehensive;
#[path = "engine/workspace_analytics.rs"]
mod workspace_analytics;

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
use embedded::{Db, SqliteStore};
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

const BATCH: usize = 500;
const ZONE: &str = "Europe/Paris";
fn now() -> Timestamp {
    "2025-03-31T12:00:00Z".parse().expect("timestamp")
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

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The sections `BENCH_ONLY` can pick, in the order they run.
const SECTIONS: [&str; 4] = ["campaign_stats", "campaign_metrics", "comprehensive", "workspace_analytics"];

/// Whether `section` runs: all do unless `BENCH_ONLY` names one.
fn runs(section: &str) -> bool {
    match std::env::var("BENCH_ONLY") {
        Ok(only) => {
            assert!(SECTIONS.contains(&only.as_str()), "BENCH_ONLY={only}: pick one of {SECTIONS:?}");
            only == section
        }
        Err(_) => true,
    }
}

/// `n` times `BENCH_SCALE` (default 1), at least 10: a smaller workspace while developing.
fn scaled(n: usize) -> usize {
    let scale: f64 = std::env::var("BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    ((n as f64 * scale).round() as usize).max(10)
}

/// Ingests the workspace's settings: its name and time zone.
async fn create_workspace(store: &dyn RollupStore, ws: &WorkspaceId, name: &str) {
    let settings = json!({"events": [{"id": "settings", "type": "workspace.upserted", "occurred_at": "2024-11-01T00:00:00Z",
                                      "data": {"name": name, "timezone": ZONE}}]});
    ingest_body(store, ws, &settings.to_string()).await;
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let db = Db::open(&path).expect("database");
    let store = SqliteStore::new(db);
    let surveys = if runs("campaign_stats") { Some(campaign_stats::scenarios(&store, &path).await) } else { None };
    let ads = if runs("campaign_metrics") { Some(ads_scenario(&store, &path).await) } else { None };
    let call_centre = if runs("comprehensive") { Some(comprehensive::scenario(&store, &path).await) } else { None };
    let agents =
        if runs("workspace_analytics") { Some(workspace_analytics::scenarios(&store, &path).await) } else { None };

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
    let mut report = String::new();
    report.push_str(&format!(
        "# Engine benchmark\n\nRun {} at commit `{commit}` on {cores} cores ({cpu}), release build, one SQLite file in WAL mode.\n\
         Produced by `tests/bench.sh` (`cargo bench -p tests --bench engine`). Timings from one run on a shared\n\
         machine: compare the ratios, which were measured side by side, more than the absolute values.\n\n",
        Timestamp::now().round(jiff::Unit::Second).unwrap_or(Timestamp::now())
    ));
    if let Some(surveys) = &surveys {
        report_ingest(&mut report, surveys.ingested, surveys.ingest);
        report.push_str(&surveys.report());
    }
    if let Some(ads) = &ads {
        report.push_str(&ads.report());
    }
    if let Some(call_centre) = &call_centre {
        report.push_str(&call_centre.report());
    }
    if let Some(agents) = &agents {
        report.push_str(&agents.report());
    }
    println!("{report}");
}

/// The ingest section: the campaign workload of seed 003.
fn report_ingest(report: &mut String, ingested: usize, spent: Duration) {
    let rate = ingested as f64 / spent.as_secs_f64();
    report.push_str("## Ingest\n\n| measure | value | target |\n|---|---|---|\n");
    report.push_str(&format!(
        "| events ingested (seed 003's campaigns, bodies of {BATCH}: parse, validate, apply exactly once) | {ingested} | |\n\
         | throughput | {rate:.0} events/s | ≥ 20,000 events/s: {} |\n| peak resident memory of the whole run | {} | |\n",
        if rate >= 20_000.0 { "met" } else { "NOT met" },
        peak_rss_mib().map(|mib| format!("{mib:.0} MiB")).unwrap_or_else(|| "n/a".into()),
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

/// A timed DuckDB query or query set's p50, p99 and runs.
fn duckdb_latency(timed: &Value) -> Latency {
    let duration = |key: &str| Duration::from_secs_f64(timed[key].as_f64().expect("ms") / 1000.0);
    Latency { p50: duration("p50_ms"), p99: duration("p99_ms"), runs: timed["runs"].as_u64().expect("runs") as usize }
}

fn duckdb_version(report: &Value) -> String {
    report["duckdb_version"].as_str().unwrap_or("?").to_owned()
}

/// The newest record of each entity of `source` (a table, maybe with a `WHERE`), as the
/// view's entities keep it.
fn latest(source: &str, id: &str) -> String {
    format!(
        "SELECT * FROM {source} QUALIFY row_number() OVER (PARTITION BY {id} ORDER BY occurred_at DESC, event_id DESC) = 1"
    )
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
             a typed table of a database file, in arrival order (timed from Python: each run is one execute and fetch). \
             Both answers are checked to agree.\n\n",
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

async fn ads_scenario(store: &SqliteStore, path: &std::path::Path) -> AdsResults {
    let ws = WorkspaceId::parse(ADS_WS).expect("id");
    create_workspace(store, &ws, "Bench ads").await;
    let events = ad_events(AD_EVENTS, &mut StdRng::seed_from_u64(7));
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
        (duckdb_latency(query), duckdb_version(&report), report["tables"].clone())
    });
    if let Err(why) = &duckdb {
        eprintln!("DuckDB baseline not run: {why}");
    }
    AdsResults { events: AD_EVENTS, ingest, view: latency(samples), duckdb }
}
