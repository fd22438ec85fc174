//! `trailview-proxy`: see `--help` and the crate docs (src/lib.rs).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use trailview_core::demo_data::{self, DemoConfig};
use trailview_core::time::format_api_time;
use trailview_proxy::cli::{self, Command};
use trailview_proxy::demo::store::EventStore;
use trailview_proxy::demo::{Clock, DemoBackend};
use trailview_proxy::{app, AppState, Backend};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let args = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Run(a)) => a,
        Ok(Command::Help) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("trailview-proxy {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("trailview-proxy: {e}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    if !args.demo {
        eprintln!(
            "trailview-proxy: only the demo backend is available yet; start it with --demo \
             (signing and forwarding to Alibaba Cloud and AWS come in a later version).\n\
             Try: trailview-proxy --demo --static-dir dist"
        );
        return ExitCode::from(2);
    }

    // Bind first: a taken port fails at once, before the dataset is generated.
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "trailview-proxy: cannot listen on {}: {e}\nPick another address with --listen or --port.",
                args.listen
            );
            return ExitCode::from(1);
        }
    };
    let started = Instant::now();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let config = DemoConfig {
        seed: args.seed,
        count: args.events,
        end_ms: now_ms,
        span_days: args.days,
    };
    let events = demo_data::generate(&config);
    let generated = started.elapsed();
    let store = Arc::new(EventStore::from_events(config, events));
    let indexed = started.elapsed() - generated;
    match store.time_span() {
        Some((first, last)) => println!(
            "trailview-proxy: demo dataset: {} events between {} and {} (seed {}, {} days); generated in {} ms, indexed in {} ms{}",
            store.len(),
            format_api_time(first),
            format_api_time(last),
            args.seed,
            args.days,
            generated.as_millis(),
            indexed.as_millis(),
            resident_mb().map(|mb| format!(", {mb} MB resident")).unwrap_or_default()
        ),
        None => println!("trailview-proxy: demo dataset: no events (--events 0)"),
    }

    let addr = listener.local_addr().unwrap_or(args.listen);
    let app_note = if args.static_dir.join("index.html").is_file() {
        String::new()
    } else {
        " (not built yet: run `cargo xtask demo`)".into()
    };
    let limit = if args.rate_limit == 0 {
        "unlimited".to_string()
    } else {
        format!("{}/s", args.rate_limit)
    };
    println!(
        "trailview-proxy: serving http://{addr}/  (app from {}{app_note}; API under /api, LookupEvents {limit}; health at /healthz)",
        args.static_dir.display()
    );

    let backend = Backend::Demo(Arc::new(DemoBackend::new(
        store,
        args.rate_limit,
        Clock::System,
    )));
    let state = AppState {
        backend,
        static_dir: args.static_dir,
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        println!("trailview-proxy: shutting down");
    };
    if let Err(e) = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("trailview-proxy: server error: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// Resident memory in MB (Linux), for the startup line.
fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
