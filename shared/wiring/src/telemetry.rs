//! Structured logs: JSON lines when `LOG_FORMAT=json` (what CloudWatch wants), else text;
//! `RUST_LOG` filters by target and level (`info` by default; `warn,ingest=debug`, say). The
//! filter is `Targets`, not `EnvFilter`: no regular expressions, whose engine would add a quarter
//! of a megabyte to every Lambda.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub fn init() {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) => directives.parse::<Targets>().unwrap_or_else(|error| {
            eprintln!("RUST_LOG={directives:?} is not understood ({error}); logging at info");
            Targets::new().with_default(LevelFilter::INFO)
        }),
        Err(_) => Targets::new().with_default(LevelFilter::INFO),
    };
    let json = std::env::var("LOG_FORMAT").is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry.with(tracing_subscriber::fmt::layer().json().flatten_event(true)).try_init()
    } else {
        registry.with(tracing_subscriber::fmt::layer()).try_init()
    };
    if let Err(error) = result {
        eprintln!("logging was already initialised: {error}");
    }
}
