//! `trailview-proxy`: see `--help` and the crate docs (src/lib.rs).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use trailview_core::time::format_api_time;
use trailview_demo::buckets::{DemoBuckets, OSS_BUCKET, S3_BUCKET};
use trailview_demo::generate::{self, DemoConfig};
use trailview_demo::{Clock, DemoBackend};
use trailview_demo::{DemoEvents, Live};
use trailview_proxy::cli::{self, Command};
use trailview_proxy::config::{Config, ServeLimits};
use trailview_proxy::serve::{Drained, SHED_AT_ONCE};
use trailview_proxy::upstream::limits::Counter;
use trailview_proxy::{app, Mode};

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
        Ok(Command::PrintCsp(dir)) => {
            let index = dir.join("index.html");
            return match std::fs::read_to_string(&index) {
                Ok(html) => {
                    let config = std::fs::read_to_string(dir.join("config.json")).ok();
                    println!(
                        "{}",
                        trailview_proxy::security::csp_for_dist(&html, config.as_deref())
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("trailview-proxy: cannot read {}: {e}", index.display());
                    ExitCode::from(1)
                }
            };
        }
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
    if let Some(path) = args.config.clone() {
        return run_with_config(&path, &args).await;
    }
    if !args.demo {
        eprintln!(
            "trailview-proxy: nothing to serve: give --config trailview.toml to sign and forward \
             the app's requests to Alibaba Cloud / AWS (see trailview.example.toml), or --demo \
             for the generated demo dataset.\n\
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
    let events = generate::generate(&config);
    let generated = started.elapsed();
    let store = Arc::new(DemoEvents::from_events(config, events).with_live(args.live));
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
    match args.live {
        Live::On => println!(
            "trailview-proxy: new events keep arriving while it runs (one or two every {} s, the same for seed {} at the same time; --no-live stops them)",
            trailview_demo::generate::LIVE_BUCKET_SECS,
            args.seed
        ),
        Live::Off => println!("trailview-proxy: a fixed dataset: no new events arrive (--no-live)"),
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
        "trailview-proxy: demo buckets: {} events each over the 30 days ending now, files generated on request: /api/aliyun/oss/{OSS_BUCKET}, /api/aws/s3/{S3_BUCKET}",
        args.bucket_events
    );
    println!(
        "trailview-proxy: serving http://{addr}/  (app from {}{app_note}; API under /api, LookupEvents {limit}; health at /healthz)",
        args.static_dir.display()
    );

    let router = app(Mode::Demo {
        backend: Arc::new(DemoBackend::new(store, args.rate_limit, Clock::System)),
        buckets: Arc::new(DemoBuckets::new(args.bucket_events, now_ms)),
        static_dir: args.static_dir.clone(),
    });
    serve(listener, router, ServeLimits::default()).await
}

/// `--config`: sign and forward to the configured clouds.
async fn run_with_config(path: &std::path::Path, args: &cli::Args) -> ExitCode {
    let listen = args.listen_given.then_some(args.listen);
    let mut cfg = match Config::load(path, listen, &|k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("trailview-proxy: not starting: {e}");
            return ExitCode::from(2);
        }
    };
    if args.static_dir_given {
        cfg.static_dir = args.static_dir.clone();
    }
    let mode = match Mode::configured(&cfg) {
        Ok(mode) => mode,
        Err(e) => {
            eprintln!("trailview-proxy: not starting: {e}");
            return ExitCode::from(1);
        }
    };
    // The shared limiter: said once at start whether Redis answers. A Redis that is down
    // does not stop the proxy (replicas may start before it); the rate-limited operations are
    // answered 503 until it is back.
    let mut limits = "in this process".to_string();
    if let Mode::Upstream { upstream, .. } = &mode {
        if let Counter::Redis(redis) = upstream.rate_limits().counter() {
            limits = format!("shared in Redis at {}", redis.display());
            if let Err(e) = redis.ping().await {
                tracing::error!(redis = %redis.display(), error = %e, "Redis is unreachable: rate-limited operations are answered 503 and not forwarded until it is back");
            }
        }
    }
    let router = app(mode);
    let listener = match tokio::net::TcpListener::bind(cfg.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "trailview-proxy: cannot listen on {}: {e}\nPick another address with --listen or `listen` in the config.",
                cfg.listen
            );
            return ExitCode::from(1);
        }
    };
    let addr = listener.local_addr().unwrap_or(cfg.listen);
    let u = &cfg.upstream;
    let mut upstreams = Vec::new();
    if let Some(e) = &u.actiontrail {
        upstreams.push(format!("ActionTrail → {}", e.base));
    }
    if let Some(e) = &u.cdn {
        upstreams.push(format!("CDN → {}", e.base));
    }
    if let Some(e) = &u.logs {
        upstreams.push(format!("CloudWatch Logs → {} ({})", e.base, e.region));
    }
    if let Some(b) = &u.oss {
        upstreams.push(format!(
            "OSS bucket {} prefix '{}' → {} ({:?} signature)",
            b.bucket, b.prefix, b.endpoint.base, u.oss_signature
        ));
    }
    if let Some(b) = &u.s3 {
        upstreams.push(format!(
            "S3 bucket {} prefix '{}' → {} ({})",
            b.bucket, b.prefix, b.endpoint.base, b.endpoint.region
        ));
    }
    let s = &cfg.security;
    let auth = match (s.bearer_tokens.len(), &s.identity_header) {
        (0, None) => "none (loopback only)".to_string(),
        (n, None) => format!("{n} bearer token(s)"),
        (0, Some(h)) => format!("identity header {h}"),
        (n, Some(h)) => format!("{n} bearer token(s) or identity header {h}"),
    };
    println!(
        "trailview-proxy: serving http://{addr}/  (signing: Alibaba {:?}{}; upstreams: {}; rate limits {limits}; auth: {auth}; CORS origins: {}; app from {})",
        u.signature,
        if u.read_only { ", read-only" } else { "" },
        upstreams.join(", "),
        s.cors_origins.len(),
        cfg.static_dir.display()
    );
    serve(listener, router, cfg.serve).await
}

/// Serve until SIGTERM or Ctrl-C, then drain (a second signal stops at once).
async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    mut limits: ServeLimits,
) -> ExitCode {
    // Past the open-files limit, accept fails and no connection can take an idle one's place:
    // the cap stays under it, with room for the upstream connections and files.
    if let Some(fds) = open_files_limit() {
        let room = connection_room(fds);
        if room < limits.max_connections {
            tracing::warn!(
                open_files_limit = fds,
                max_connections = limits.max_connections,
                serving_at_most = room,
                "the open-files limit (ulimit -n) is below max_connections + {FILES_KEPT_FREE}: raise it, or lower [limits] max_connections"
            );
            limits.max_connections = room;
        }
    }
    let (signals_tx, mut signals) = tokio::sync::watch::channel(0u32);
    tokio::spawn(async move {
        loop {
            let name = stop_signal().await;
            let n = *signals_tx.borrow() + 1;
            if n == 1 {
                println!(
                    "trailview-proxy: {name}: shutting down, letting requests in flight finish (at most {} s; again to stop now)",
                    limits.drain_timeout.as_secs()
                );
            }
            if signals_tx.send(n).is_err() {
                return;
            }
        }
    });
    let mut first = signals.clone();
    let shutdown = async move {
        let _ = first.wait_for(|n| *n >= 1).await;
    };
    tokio::select! {
        drained = trailview_proxy::serve::serve(listener, router, limits, shutdown) => {
            if let Drained::Deadline { dropped } = drained {
                println!("trailview-proxy: drain deadline reached; closed {dropped} connection(s)");
            }
            ExitCode::SUCCESS
        }
        _ = signals.wait_for(|n| *n >= 2) => {
            println!("trailview-proxy: stopped without draining");
            ExitCode::from(130)
        }
    }
}

/// Open files kept for other uses than client connections: the connections answered 503 at
/// the cap (at most [`SHED_AT_ONCE`]), and upstream connections, static files and the
/// process's own.
const FILES_KEPT_FREE: usize = SHED_AT_ONCE + OTHER_FILES;
/// Upstream connections, static files being served, the process's own files.
const OTHER_FILES: usize = 192;

/// The most client connections served under an open-files limit of `fds`.
fn connection_room(fds: u64) -> usize {
    (fds as usize).saturating_sub(FILES_KEPT_FREE).max(1)
}

/// The first of Ctrl-C (SIGINT) and SIGTERM, by name.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => "interrupt",
                _ = term.recv() => "SIGTERM",
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "interrupt"
}

/// The soft limit on open files (Linux), for the start-up check against max_connections.
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Resident memory in MB (Linux), for the startup line.
fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_files_reserve_outlasts_the_shed_connections() {
        // At the cap, with every shed slot taken, upstream connections and static files still
        // have files to open.
        for fds in [1024u64, 4096, 65_536] {
            let clients = connection_room(fds);
            let left = fds as usize - clients - SHED_AT_ONCE;
            assert!(left >= 128, "{fds}: {left} files left");
        }
    }
}
