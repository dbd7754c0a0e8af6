//! `cargo run --release -p local`: every route on http://127.0.0.1:3000 over SQLite in `./data`,
//! with demo data and a live feed, the rollups schedule in-process, ready-to-paste tokens, the
//! dashboard page at `/` and the API's documentation at `/docs`. `local --openapi` prints the
//! OpenAPI document and exits.
//!
//! Environment (all optional here): `PORT` (3000), `HOST` (127.0.0.1), `DATA_DIR` (./data),
//! `PUBLIC_BASE_URL` (this server's own address, for download links), `JWT_SECRET`, `JWT_ISSUER`,
//! `JWT_AUDIENCE` (development defaults below, so any client can mint its own tokens with the
//! same values), `DEMO=0` or `--no-demo` (no demo data, no live feed), `ROLLUP_INTERVAL_SECS`
//! (60), `LOG_FORMAT=json`, `RUST_LOG`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use local::demo::{self, DEMO_WORKSPACE, EXAMPLE_CAMPAIGN, OTHER_WORKSPACE};
use local::dev_token;
use tower_http::cors::CorsLayer;
use web::Role;
use web::auth::mint_hs256;
use wiring::host::HostConfig;

/// Development-only defaults; anything set in the environment wins.
const DEV_DEFAULTS: &[(&str, &str)] = &[
    ("JWT_SECRET", dev_token::DEVELOPMENT_SECRET),
    ("JWT_ISSUER", "analytics-local"),
    ("JWT_AUDIENCE", "analytics-api"),
    ("DATA_DIR", "data"),
];

fn env_or_default(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .or_else(|| DEV_DEFAULTS.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned()))
}

fn env_number(name: &str, default: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Ok(text) => text.parse().map_err(|_| format!("{name} must be a whole number, got {text:?}")),
        Err(_) => Ok(default),
    }
}

const HELP: &str = "usage: local [--no-demo | --openapi]
Serves every API route on one port over SQLite. See README.md for the environment variables.
--openapi prints the OpenAPI document and exits.";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{HELP}");
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|arg| arg == "--openapi") {
        println!("{:#}", local::docs::openapi_json());
        return ExitCode::SUCCESS;
    }
    if let Some(unknown) = args.iter().find(|arg| *arg != "--no-demo") {
        eprintln!("unknown argument {unknown:?}\n{HELP}");
        return ExitCode::FAILURE;
    }
    let demo_off = args.iter().any(|arg| arg == "--no-demo")
        || std::env::var("DEMO").is_ok_and(|value| matches!(value.as_str(), "0" | "false" | "off" | "no"));
    wiring::telemetry::init();
    match run(!demo_off).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Where clients reach `address`: a wildcard address is reached on loopback from this machine.
fn own_base_url(address: SocketAddr) -> String {
    let ip = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, address.port()))
}

async fn run(with_demo: bool) -> Result<(), Box<dyn std::error::Error>> {
    let port = env_number("PORT", 3000)?;
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let rollup_interval = Duration::from_secs(env_number("ROLLUP_INTERVAL_SECS", 60)?.max(1));
    let listener = tokio::net::TcpListener::bind((host.as_str(), port as u16))
        .await
        .map_err(|error| format!("cannot listen on {host}:{port}: {error}"))?;
    let address = listener.local_addr()?;
    // Download links point back at this server unless PUBLIC_BASE_URL says otherwise (a proxy).
    let own_base = own_base_url(address);
    let lookup = |name: &str| match name {
        "PUBLIC_BASE_URL" => std::env::var(name).ok().filter(|url| !url.trim().is_empty()).or(Some(own_base.clone())),
        _ => env_or_default(name),
    };
    let config = HostConfig::from_lookup(&lookup)?;
    let runtime = config.runtime(&lookup).await?;
    let ports = runtime.ports;

    if with_demo {
        let started = std::time::Instant::now();
        println!("Preparing demo data...");
        let report = demo::seed(&ports).await?;
        if report.already_seeded {
            println!("Demo data already present in {}.", env_or_default("DATA_DIR").unwrap_or_default());
        } else {
            println!("Ingested {} demo events in {:.1} s.", report.events, started.elapsed().as_secs_f64());
        }
        tokio::spawn(demo::run_live_feed(ports.clone(), report.open_contacts, Duration::from_secs(3)));
        tokio::spawn(demo::call_centre::run_live_feed(ports.clone(), Duration::from_secs(5)));
    }
    tokio::spawn(local::run_rollups_schedule(ports.clone(), rollup_interval));

    print_banner(&config, address, with_demo);
    let host_routes = runtime.routes.merge(dev_token::routes(&config.auth.config, address.ip()));
    // Browsers on a dev server (another port) may call this API directly.
    let app = local::app(&ports, host_routes).layer(CorsLayer::permissive());
    local::server::serve(listener, app, local::server::ServerLimits::default(), shutdown()).await;
    Ok(())
}

async fn shutdown() {
    if tokio::signal::ctrl_c().await.is_ok() {
        println!("Shutting down.");
    }
}

fn print_banner(config: &HostConfig, address: SocketAddr, with_demo: bool) {
    let base = format!("http://{address}");
    println!("\nAnalytics API listening on {base}");
    println!("API documentation: {base}/docs (OpenAPI document: {base}/openapi.json)");
    let auth = &config.auth.config;
    let dev_tokens = dev_token::available(auth, address.ip());
    let sign_in = if dev_tokens { "signs in by itself: POST /dev/token" } else { "takes a pasted token" };
    println!("Dashboard: {base}/ ({sign_in})");
    let Some(secret) = &auth.hs256_secret else {
        println!("(No JWT_SECRET: tokens must come from the configured JWKS issuer.)");
        return;
    };
    let now = jiff::Timestamp::now();
    let token = |ws: &str, user: &str, role: Role| {
        mint_hs256(secret, &dev_token::claims(auth, ws, user, role, now))
            .unwrap_or_else(|error| format!("<could not sign: {error}>"))
    };
    // A role's token names the user `u_{role}`, as /dev/token's do.
    let section = |ws: &str, about: &str, roles: &[Role]| {
        println!("\nTokens for workspace {ws} ({about}):");
        for role in roles {
            println!("  {:<8} {}", role.as_str(), token(ws, &format!("u_{}", role.as_str()), *role));
        }
    };
    section(DEMO_WORKSPACE, "HS256, valid 7 days", &Role::ALL);
    println!("  viewer of {OTHER_WORKSPACE}: {}", token(OTHER_WORKSPACE, "u_other", Role::Viewer));
    let calls = demo::call_centre::WORKSPACE;
    section(
        calls,
        "seed 001's call centre; GET /api/dashboard/comprehensive/",
        &[Role::Admin, Role::Manager, Role::User, Role::Agent],
    );
    let (agents, labs) = (demo::agents::WORKSPACE, demo::agents::LABS_WORKSPACE);
    section(
        agents,
        &format!("seed 002's AI-agent workspace; its admin also administers {labs}, to compare them"),
        &[Role::Admin, Role::Manager, Role::Viewer, Role::User],
    );
    section(labs, "seed 002's second workspace", &[Role::Admin, Role::Viewer]);
    let viewer = token(DEMO_WORKSPACE, "u_viewer", Role::Viewer);
    let service = token(DEMO_WORKSPACE, "u_service", Role::Service);
    let campaign = if with_demo { EXAMPLE_CAMPAIGN } else { "<campaign_id>" };
    println!("\nTry:");
    println!("  curl -s {base}/api/campaigns/{campaign}/stats -H 'Authorization: Bearer {viewer}'");
    println!(
        "  curl -s -X POST {base}/api/v1/events -H 'Authorization: Bearer {service}' -H 'Content-Type: application/json' \\\n    -d '{{\"events\":[{{\"id\":\"evt-readme-1\",\"type\":\"call.completed\",\"occurred_at\":\"{}\",\"data\":{{\"call_id\":\"c-readme-1\",\"campaign_id\":\"{campaign}\",\"call_type\":\"outbound\",\"outcome\":\"completed\",\"duration_s\":240}}}}]}}'",
        now.round(jiff::Unit::Second).unwrap_or(now)
    );
    println!(
        "\nMint your own tokens with JWT_SECRET, iss={}, aud={}, and claims sub, ws, role, exp.\n",
        auth.issuer, auth.audience
    );
}
