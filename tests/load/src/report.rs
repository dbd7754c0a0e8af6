//! The results (`tests/load-results.md`): how the run was made, the targets and whether they were
//! met, then requests, latencies and errors by class and by line of the mix.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Instant;

use goose::metrics::{GooseMetrics, GooseRequestMetricAggregate, GooseRequestMetricTimingData};

use crate::mix::{CYCLE, Line, Plan};

/// The targets.
const MAX_RSS_GROWTH: f64 = 0.20;
const MAX_UNCACHED_P99_US: u64 = 20_000;
const UNCACHED: &str = "read_uncached";
/// Linux counts CPU time in /proc in ticks of 1/100 s (USER_HZ) on every architecture it runs on here.
const TICKS_PER_SECOND: f64 = 100.0;

/// The name goose reports a line's requests under.
pub fn name(line: &Line) -> String {
    format!("{} {}", line.class, line.label())
}

/// The server's memory and CPU time, this process's CPU time and the machine's load, at one moment.
pub struct Sample {
    rss_kib: u64,
    server_ticks: u64,
    own_ticks: u64,
    load: String,
    at: Instant,
}

fn read(path: String) -> Result<String, String> {
    std::fs::read_to_string(&path).map_err(|error| format!("{path}: {error}"))
}

/// The process's resident memory (VmRSS), in KiB.
pub fn rss_kib(pid: u32) -> Result<u64, String> {
    let status = read(format!("/proc/{pid}/status"))?;
    let rss = status.lines().find_map(|line| line.strip_prefix("VmRSS:"));
    rss.and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in the server's status".into())
}

impl Sample {
    pub fn take(pid: u32) -> Result<Sample, String> {
        let ticks = |stat: String| -> Result<u64, String> {
            // utime and stime, the 14th and 15th fields: the 12th and 13th after the command's ")".
            let (_, fields) = stat.rsplit_once(") ").ok_or("unreadable stat")?;
            let fields: Vec<u64> = fields.split_whitespace().skip(11).take(2).filter_map(|f| f.parse().ok()).collect();
            Ok(fields.iter().sum())
        };
        let load = read("/proc/loadavg".into())?.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        Ok(Sample {
            rss_kib: rss_kib(pid)?,
            server_ticks: ticks(read(format!("/proc/{pid}/stat"))?)?,
            own_ticks: ticks(read("/proc/self/stat".into())?)?,
            load,
            at: Instant::now(),
        })
    }
}

pub struct Run<'a> {
    pub context: &'a str,
    pub mix: &'a str,
    pub load_before: &'a str,
    pub users: usize,
    pub warmup: usize,
    /// After the setup and the warm-up, and at the end.
    pub before: Sample,
    pub after: Sample,
    /// The server's RSS in KiB every [`RSS_EVERY`] seconds of the run.
    pub rss_series: Vec<u64>,
}

pub const RSS_EVERY: u64 = 10;

/// Requests of one line or class: counts by status, failures, times.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, usize>,
    failures: usize,
    times: GooseRequestMetricTimingData,
}

impl Tally {
    fn add(&mut self, aggregate: &GooseRequestMetricAggregate) {
        for (status, count) in &aggregate.status_code_counts {
            *self.statuses.entry(*status).or_default() += count;
        }
        self.failures += aggregate.fail_count;
        let (ours, theirs) = (&mut self.times, &aggregate.raw_data);
        if theirs.counter == 0 {
            return;
        }
        for (&bucket, &count) in theirs.times_us.iter() {
            let before = ours.times_us.get(&bucket).copied().unwrap_or(0);
            ours.times_us.insert(bucket, before + count);
        }
        ours.minimum_time_us =
            if ours.counter == 0 { theirs.minimum_time_us } else { ours.minimum_time_us.min(theirs.minimum_time_us) };
        ours.maximum_time_us = ours.maximum_time_us.max(theirs.maximum_time_us);
        ours.total_time_us += theirs.total_time_us;
        ours.counter += theirs.counter;
    }

    fn requests(&self) -> usize {
        self.times.counter
    }

    /// Answers that are not 2xx (0: no answer), then 2xx answers that failed the check.
    fn errors(&self) -> String {
        let mut errors: Vec<String> = (self.statuses.iter())
            .filter(|(status, _)| !(200..300).contains(*status))
            .map(|(status, count)| {
                format!("{count} × {}", if *status == 0 { "no answer".into() } else { status.to_string() })
            })
            .collect();
        let bad_statuses: usize =
            self.statuses.iter().filter(|(status, _)| !(200..300).contains(*status)).map(|(_, count)| count).sum();
        if self.failures > bad_statuses {
            errors.push(format!("{} × 2xx failing the check", self.failures - bad_statuses));
        }
        if errors.is_empty() { "0".into() } else { errors.join(", ") }
    }

    fn percentile(&self, percent: f32) -> u64 {
        self.times.percentile_us(percent)
    }
}

fn ms(us: u64) -> String {
    let ms = us as f64 / 1000.0;
    if ms < 10.0 { format!("{ms:.2} ms") } else { format!("{ms:.1} ms") }
}

fn met(yes: bool) -> &'static str {
    if yes { "**met**" } else { "**not met**" }
}

pub fn markdown(plan: &Plan, metrics: &GooseMetrics, run: &Run) -> String {
    let seconds = metrics.duration.max(1) as f64;
    // A line's requests may be under more than one key (goose keys them by method and name).
    let add_line = |tally: &mut Tally, line: &Line| {
        let name = name(line);
        metrics.requests.values().filter(|aggregate| aggregate.path == name).for_each(|aggregate| tally.add(aggregate));
    };
    let mut classes: BTreeMap<&str, Tally> = BTreeMap::new();
    for planned in &plan.run {
        add_line(classes.entry(planned.line.class.as_str()).or_default(), &planned.line);
    }
    let total: usize = classes.values().map(Tally::requests).sum();
    let failures: usize = classes.values().map(|tally| tally.failures).sum();
    let (before, after) = (&run.before, &run.after);
    let growth = after.rss_kib as f64 / before.rss_kib as f64 - 1.0;
    let uncached_p99 = classes.get(UNCACHED).map(|tally| tally.percentile(0.99));
    let wall = after.at.duration_since(before.at).as_secs_f64();
    let cpu = |ticks: u64| ticks as f64 / TICKS_PER_SECOND;

    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Load test results\n");
    let _ = writeln!(
        w,
        "Written by `tests/load.sh` ({}, mix `{}`): the release local runtime over SQLite with its demo data, on \
         127.0.0.1, driven by goose 0.19 with {} users, each on its own keep-alive connection sending its \
         next request as soon as the last is answered (a closed loop: at most {} requests in flight), \
         for {} s after the setup lines and a {} s warm-up. Each user repeats the same cycle of {} \
         requests, so the mix is fixed by request counts, not by time. Times are to the response head \
         (the server sends a body only once it is whole), in goose's buckets of at most 0.78 %.\n",
        run.context, run.mix, run.users, run.users, metrics.duration, run.warmup, CYCLE
    );
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let _ = writeln!(
        w,
        "Load average (1, 5, 15 min) before the test started the server: {} (other work on the machine); \
         at the end of the run: {} (this test included). The driver shares the machine's {cores} cores with \
         the server: in these {wall:.0} s the server used {:.1} CPU-seconds, the driver {:.1}.\n",
        run.load_before,
        after.load,
        cpu(after.server_ticks - before.server_ticks),
        cpu(after.own_ticks - before.own_ticks)
    );

    let _ = writeln!(w, "## Targets\n\n| target | measured | |\n|---|---|---|");
    let _ = writeln!(w, "| no errors | {failures} of {total} requests | {} |", met(failures == 0));
    let _ = writeln!(
        w,
        "| server RSS grows under 20 % | {:.1} MiB after the warm-up, {:.1} MiB at the end: {:+.1} % | {} |",
        before.rss_kib as f64 / 1024.0,
        after.rss_kib as f64 / 1024.0,
        growth * 100.0,
        met(growth < MAX_RSS_GROWTH)
    );
    let series: Vec<String> = run.rss_series.iter().map(|kib| format!("{:.1}", *kib as f64 / 1024.0)).collect();
    match uncached_p99 {
        Some(p99) => {
            let _ = writeln!(w, "| uncached-read p99 under 20 ms | {} | {} |", ms(p99), met(p99 < MAX_UNCACHED_P99_US));
        }
        None => {
            let _ = writeln!(w, "| uncached-read p99 under 20 ms | no `{UNCACHED}` line ran | **not met** |");
        }
    }
    let _ = writeln!(w, "\nThe server's RSS every {RSS_EVERY} s of the run, in MiB: {}.", series.join(", "));

    let _ = writeln!(
        w,
        "\n## By class\n\n{total} requests in {} s: {:.0} requests/s.\n\n\
         | class | requests | share | requests/s | p50 | p99 | max | errors |\n|---|---:|---:|---:|---:|---:|---:|---|",
        metrics.duration,
        total as f64 / seconds
    );
    for (class, tally) in &classes {
        let _ = writeln!(
            w,
            "| {class} | {} | {:.1} % | {:.0} | {} | {} | {} | {} |",
            tally.requests(),
            tally.requests() as f64 * 100.0 / total.max(1) as f64,
            tally.requests() as f64 / seconds,
            ms(tally.percentile(0.5)),
            ms(tally.percentile(0.99)),
            ms(tally.times.maximum_time_us),
            tally.errors()
        );
    }

    let _ = writeln!(
        w,
        "\n## By line of the mix\n\n`slots`: the line's requests in each cycle of {CYCLE}.\n\n\
         | class | request (role) | slots | requests | p50 | p99 | max | errors |\n|---|---|---:|---:|---:|---:|---:|---|"
    );
    for planned in &plan.run {
        let mut tally = Tally::default();
        add_line(&mut tally, &planned.line);
        let _ = writeln!(
            w,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} |",
            planned.line.class,
            planned.line.label(),
            planned.slots,
            tally.requests(),
            ms(tally.percentile(0.5)),
            ms(tally.percentile(0.99)),
            ms(tally.times.maximum_time_us),
            tally.errors()
        );
    }

    if !metrics.errors.is_empty() {
        let _ = writeln!(w, "\n## Errors\n\n| request | error | times |\n|---|---|---:|");
        let mut errors: Vec<_> = metrics.errors.values().collect();
        errors.sort_by_key(|error| std::cmp::Reverse(error.occurrences));
        for error in errors.iter().take(20) {
            let message: String = error.error.chars().take(300).collect();
            let _ = writeln!(w, "| {} | `{}` | {} |", error.name, message.replace('|', "\\|"), error.occurrences);
        }
    }

    let _ = writeln!(w, "\n## Not sent\n");
    if plan.setup.is_empty() && plan.skipped.is_empty() {
        let _ = writeln!(w, "Every line of the mix was sent.");
    }
    for line in &plan.setup {
        let _ = writeln!(w, "- `{}`: a setup line, sent once before the warm-up.", line.label());
    }
    for line in &plan.skipped {
        let _ = writeln!(
            w,
            "- {} `{}`: skipped, its route is not in the server's `/openapi.json` (not built yet); its weight \
             went to the reads.",
            line.class,
            line.label()
        );
    }
    out
}
