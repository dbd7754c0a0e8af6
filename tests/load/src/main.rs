//! The load test's driver, run by `tests/load.sh` against a local runtime it started: reads the mix
//! (`tests/load/mix.txt`), keeps the lines whose route the server documents, sends the setup lines
//! once, warms up, then has goose run the mix for the given time and writes the results.

mod mix;
mod report;

use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use goose::config::GooseConfiguration;
use goose::prelude::*;
use reqwest::header::CONTENT_TYPE;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

use crate::mix::{Line, Method, Plan, Templates};

#[derive(Parser)]
struct Args {
    /// The server's address, such as http://127.0.0.1:3000.
    #[arg(long)]
    base: String,
    #[arg(long)]
    mix: PathBuf,
    /// The server's process id: its memory and CPU time are read from /proc.
    #[arg(long)]
    pid: u32,
    #[arg(long, default_value_t = 60)]
    seconds: usize,
    #[arg(long, default_value_t = 10)]
    warmup: usize,
    /// Users at once, each with its own connection, sending its next request as soon as the last
    /// one is answered.
    #[arg(long, default_value_t = 32)]
    users: usize,
    /// Where the results go (markdown).
    #[arg(long)]
    out: PathBuf,
    /// Said in the results: what was measured (a commit, a build).
    #[arg(long, default_value = "")]
    context: String,
    /// Said in the results: the machine's load average before the test started the server.
    #[arg(long, default_value = "unknown")]
    load_before: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("load: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let mix = mix::parse(&std::fs::read_to_string(&args.mix)?)?;
    let client = reqwest::Client::new();
    let openapi: Value =
        client.get(format!("{}/openapi.json", args.base)).send().await?.error_for_status()?.json().await?;
    let plan = mix::plan(mix.lines, |line| mix::documented(&openapi, line))?;
    let sender = Arc::new(Sender { templates: Templates::new(mix.lists), tokens: tokens(&plan)? });

    for (n, line) in plan.setup.iter().enumerate() {
        let method = match line.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let path = sender.templates.expand(&line.path, n);
        let response = sender.prepare(client.request(method, format!("{}{path}", args.base)), line, n).send().await?;
        let status = response.status();
        check(status, &response.text().await?).map_err(|reason| format!("setup {}: {reason}", line.label()))?;
    }
    eprintln!("load: warming up for {} s", args.warmup);
    attack(&args, &plan, &sender, args.warmup, false).await?;
    let before = report::Sample::take(args.pid)?;
    eprintln!("load: running the mix for {} s with {} users", args.seconds, args.users);
    let pid = args.pid;
    // Whether memory levels off or keeps growing: two samples cannot tell.
    let (record, samples) = std::sync::mpsc::channel();
    let sampler = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(report::RSS_EVERY));
        loop {
            every.tick().await;
            if let Ok(kib) = report::rss_kib(pid) {
                let _ = record.send(kib);
            }
        }
    });
    let metrics = attack(&args, &plan, &sender, args.seconds, true).await?;
    sampler.abort();
    let after = report::Sample::take(args.pid)?;
    let run = report::Run {
        context: &args.context,
        mix: &args.mix.to_string_lossy(),
        load_before: &args.load_before,
        users: args.users,
        warmup: args.warmup,
        before,
        after,
        rss_series: samples.try_iter().collect(),
    };
    std::fs::write(&args.out, report::markdown(&plan, &metrics, &run))?;
    eprintln!("load: wrote {}", args.out.display());
    Ok(())
}

/// Each role's token, from `LOAD_TOKEN_<role>` (a mix line's `role@workspace` from
/// `LOAD_TOKEN_<role>_AT_<workspace>`: the demo workspace's roles need no suffix).
fn tokens(plan: &Plan) -> Result<BTreeMap<String, String>, String> {
    let roles = plan.setup.iter().chain(plan.run.iter().map(|planned| &planned.line)).map(|line| &line.role);
    roles
        .map(|role| {
            let variable = format!("LOAD_TOKEN_{}", role.replace('@', "_AT_"));
            let token = std::env::var(&variable).map_err(|_| format!("{variable} is not set"))?;
            Ok((role.clone(), token))
        })
        .collect()
}

struct Sender {
    templates: Templates,
    tokens: BTreeMap<String, String>,
}

impl Sender {
    /// The `n`th request of `line`: its role's token and its body.
    fn prepare(&self, builder: RequestBuilder, line: &Line, n: usize) -> RequestBuilder {
        let builder = builder.bearer_auth(&self.tokens[&line.role]);
        match &line.body {
            Some(body) => builder.header(CONTENT_TYPE, "application/json").body(self.templates.expand(body, n)),
            None => builder,
        }
    }
}

/// A success is a 2xx answer; an ingest answer must also have applied every event it was sent
/// (they are all new and valid).
fn check(status: StatusCode, body: &str) -> Result<(), String> {
    // Errors are counted by message: a body's start tells them apart without making each unique.
    let excerpt: String = body.chars().take(200).collect();
    if !status.is_success() {
        return Err(format!("{status}: {excerpt}"));
    }
    let answer: Value =
        serde_json::from_str(body).map_err(|error| format!("{status} with a body that is not JSON: {error}"))?;
    let rejected = answer["rejected"].as_array().map_or(0, Vec::len);
    let duplicates = answer["duplicates"].as_u64().unwrap_or(0);
    if rejected > 0 || duplicates > 0 {
        return Err(format!("{status} but {rejected} events rejected and {duplicates} duplicates: {excerpt}"));
    }
    Ok(())
}

/// One goose run of the plan: every user loops over the same cycle of requests.
async fn attack(
    args: &Args,
    plan: &Plan,
    sender: &Arc<Sender>,
    seconds: usize,
    print: bool,
) -> Result<GooseMetrics, Box<dyn Error>> {
    let mut scenario = scenario!("mix");
    for planned in &plan.run {
        scenario = scenario.register_transaction(transaction(&planned.line, sender).set_weight(planned.slots)?);
    }
    let metrics = GooseAttack::initialize_with_config(GooseConfiguration::default())?
        .register_scenario(scenario)
        .set_default(GooseDefault::Host, args.base.as_str())?
        .set_default(GooseDefault::Users, args.users)?
        // Every user starts within the first second; the metrics start once they all have.
        .set_default(GooseDefault::IncreaseRate, args.users.to_string().as_str())?
        .set_default(GooseDefault::RunTime, seconds)?
        .set_default(GooseDefault::Timeout, "10")?
        .set_default(GooseDefault::NoGzip, true)?
        .set_default(GooseDefault::NoTelnet, true)?
        // The results are by request; goose's tables of transactions and scenarios would only repeat them.
        .set_default(GooseDefault::NoTransactionMetrics, true)?
        .set_default(GooseDefault::NoScenarioMetrics, true)?
        .set_default(GooseDefault::NoPrintMetrics, !print)?
        .set_default(GooseDefault::Quiet, 1)?
        .execute()
        .await?;
    Ok(metrics)
}

fn transaction(line: &Line, sender: &Arc<Sender>) -> Transaction {
    let (line, sender, count) = (Arc::new(line.clone()), sender.clone(), Arc::new(AtomicUsize::new(0)));
    let name: Arc<str> = report::name(&line).into();
    let method = match line.method {
        Method::Get => GooseMethod::Get,
        Method::Post => GooseMethod::Post,
    };
    let transaction_name = name.clone();
    let function: TransactionFunction = Arc::new(move |user| {
        let (line, sender, count, name) = (line.clone(), sender.clone(), count.clone(), name.clone());
        Box::pin(async move {
            let n = count.fetch_add(1, Ordering::Relaxed);
            let builder = user.get_request_builder(&method, &sender.templates.expand(&line.path, n))?;
            let request = GooseRequest::builder().name(&*name).set_request_builder(sender.prepare(builder, &line, n));
            let mut goose = user.request(request.build()).await?;
            // A failure to connect or send is already counted (status 0). The body is read whole, so
            // that the connection is kept for the next request.
            let Ok(response) = goose.response else { return Ok(()) };
            let status = response.status();
            let verdict = match response.text().await {
                Ok(body) => check(status, &body),
                Err(error) => Err(format!("{status} whose body could not be read: {error}")),
            };
            match verdict {
                Ok(()) => Ok(()),
                Err(reason) => user.set_failure(&reason, &mut goose.request, None, None),
            }
        })
    });
    Transaction::new(function).set_name(&transaction_name)
}
