//! Project commands (std only, so this compiles in seconds):
//!
//! * `cargo xtask demo [--port N]`: install what is missing, build the app and the proxy,
//!   serve the demo at http://127.0.0.1:N.
//! * `cargo xtask test [--only native|wasm|e2e] [-- <node --test args>]`: install what the
//!   tests need, then run the native, wasm (browser) and end-to-end stages.
//! * `cargo xtask setup`: only install the tools.
//! * `cargo xtask bench [--sizes …] [--runs N]`: the in-browser benchmark (`bench.rs`).

mod bench;
mod server;
mod tools;
mod util;
mod versions;

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tools::Tools;
use util::{human, note, run, step, Env, Failure, Result};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  demo [--port N]        install what is missing, build the app (trunk build --release) and the
                         proxy, then serve the demo at http://127.0.0.1:N (default 8080)
  test [--only STAGE]    install what the tests need, then run the stages in order:
       [-- ARGS...]        native  cargo test -p trailview-core -p trailview-demo -p trailview-proxy
                                   -p trailview-fuzz-targets (fuzz corpus replay) -p xtask
                                   (the proxy's shared rate-limit tests start redis-server)
                           wasm    cargo test --target wasm32-unknown-unknown -p trailview (Chromium)
                           e2e     build app + proxy, start the demo, node --test tests/e2e
                         ARGS after -- go to `node --test` (e.g. --test-name-pattern=sort)
  bench [--sizes 10000,100000,1000000] [--runs N] [--suites trailview,fields,histogram,link,export,sls,js,perspective,files,files-js]
                         build the app (release), load N demo events through the app's ingest
                         path in headless Chromium, time filter/sort/pages/tree beside plain JS
                         and Perspective; prints a table, writes target/bench/results.{json,md}
  setup                  only install the tools (Trunk, wasm-bindgen-cli, wasm-opt, Chromium,
                         redis-server, npm deps)
  help                   this text
";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Native,
    Wasm,
    E2e,
}

impl Stage {
    const ALL: [Stage; 3] = [Stage::Native, Stage::Wasm, Stage::E2e];

    fn name(self) -> &'static str {
        match self {
            Stage::Native => "native",
            Stage::Wasm => "wasm",
            Stage::E2e => "e2e",
        }
    }

    fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.name() == s)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Cmd {
    Demo {
        port: u16,
    },
    Test {
        stages: Vec<Stage>,
        node_args: Vec<String>,
    },
    Setup,
    Bench(bench::Options),
    Help,
}

fn parse_args(args: &[String]) -> std::result::Result<Cmd, String> {
    let (first, rest) = match args.split_first() {
        None => return Ok(Cmd::Help),
        Some((f, r)) => (f.as_str(), r),
    };
    match first {
        "demo" => {
            let mut port = 8080;
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                let value = if let Some(v) = arg.strip_prefix("--port=") {
                    v.to_string()
                } else if arg == "--port" {
                    it.next().cloned().ok_or("--port needs a value")?
                } else {
                    return Err(format!("unknown argument to demo: {arg}"));
                };
                port = value
                    .parse()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or(format!("--port: not a port number: {value}"))?;
            }
            Ok(Cmd::Demo { port })
        }
        "test" => {
            let mut stages = Stage::ALL.to_vec();
            let mut node_args = Vec::new();
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                let value = if let Some(v) = arg.strip_prefix("--only=") {
                    v.to_string()
                } else if arg == "--only" {
                    it.next().cloned().ok_or("--only needs a value")?
                } else if arg == "--" {
                    node_args.extend(it.by_ref().cloned());
                    break;
                } else {
                    return Err(format!("unknown argument to test: {arg}"));
                };
                stages = value
                    .split(',')
                    .map(|s| {
                        Stage::parse(s)
                            .ok_or(format!("--only: unknown stage {s:?} (native, wasm, e2e)"))
                    })
                    .collect::<std::result::Result<_, _>>()?;
                stages.sort_by_key(|s| Stage::ALL.iter().position(|a| a == s));
                stages.dedup();
            }
            Ok(Cmd::Test { stages, node_args })
        }
        "setup" if rest.is_empty() => Ok(Cmd::Setup),
        "bench" => bench::parse(rest).map(Cmd::Bench),
        "help" | "--help" | "-h" => Ok(Cmd::Help),
        other => Err(format!("unknown command: {other}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = match parse_args(&args) {
        Ok(cmd) => cmd,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut env = Env::detect();
    match cmd {
        Cmd::Help => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Cmd::Demo { port } => match demo(&mut env, port) {
            Ok(()) => ExitCode::SUCCESS,
            Err((stepname, f)) => {
                eprintln!("\nerror: {stepname} failed: {f}");
                ExitCode::FAILURE
            }
        },
        Cmd::Setup => {
            let mut tools = Tools::default();
            match install(&mut env, &mut tools, &Stage::ALL) {
                Ok(()) => {
                    step("all tools are installed");
                    ExitCode::SUCCESS
                }
                Err(f) => {
                    eprintln!("\nerror: installing tools failed: {f}");
                    ExitCode::FAILURE
                }
            }
        }
        Cmd::Test { stages, node_args } => test(&mut env, &stages, &node_args),
        Cmd::Bench(o) => match bench::bench(&mut env, &o) {
            Ok(()) => ExitCode::SUCCESS,
            Err(f) => {
                eprintln!("\nerror: bench failed: {f}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Installs the tools needed by `stages` (all of them for the demo).
fn install(env: &mut Env, tools: &mut Tools, stages: &[Stage]) -> Result<()> {
    let wasm = stages.contains(&Stage::Wasm);
    let e2e = stages.contains(&Stage::E2e);
    step("checking tools (installing what is missing)");
    if stages.contains(&Stage::Native) {
        // The proxy's shared rate-limit tests start their own redis-server.
        tools::ensure_redis(env, tools)?;
    }
    if !(wasm || e2e) {
        return Ok(());
    }
    tools::ensure_wasm_target(env)?;
    tools::ensure_wasm_bindgen(env)?;
    if e2e {
        tools::ensure_trunk(env, tools)?;
        tools::ensure_node(env)?;
        tools::ensure_wasm_opt(env)?;
        tools::ensure_e2e_deps(env)?;
    }
    tools::ensure_chromium(env, tools)?;
    Ok(())
}

/// Which build of the app: the one users get, or the benchmark's (with its hooks).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// `dist/`: what `demo` serves and `test` drives.
    Shipped,
    /// `target/bench/dist/`: the same release build plus the `bench` feature's hooks.
    Bench,
}

fn build_app(env: &Env, tools: &Tools, build: Build) -> Result<()> {
    step(match build {
        Build::Shipped => "building the app (trunk build --release)",
        Build::Bench => {
            "building the app with its bench hooks (trunk build --release --features bench)"
        }
    });
    let started = Instant::now();
    // Trunk runs cargo with --offline (Trunk.toml [build] offline = true): download the app's
    // crates first, or a fresh machine that did not run the wasm stage cannot build.
    let mut fetch = env.cargo();
    fetch.args(["fetch", "--target", tools::WASM_TARGET]);
    run(
        fetch,
        "cargo could not download the app's dependencies (is crates.io reachable?)",
    )?;
    let trunk = tools
        .trunk
        .clone()
        .unwrap_or_else(|| PathBuf::from("trunk"));
    let mut cmd = env.command(trunk);
    cmd.args(["build", "--release", "--offline", "--skip-version-check"]);
    let dist = app_dist(env, build);
    if build == Build::Bench {
        cmd.args(["--features", "bench", "--dist"]).arg(&dist);
    }
    run(
        cmd,
        "the app does not build; run `trunk build --release` to see the error \
         (compile errors are in src/; tool errors mean Trunk.toml pins and installed tools disagree)",
    )?;
    let index = dist.join("index.html");
    if !index.is_file() {
        return Err(Failure::new(
            format!("trunk finished but {} is missing", index.display()),
            "check [build] dist in Trunk.toml",
        ));
    }
    note(format!(
        "built {} in {}",
        dist.display(),
        human(started.elapsed())
    ));
    Ok(())
}

/// Where `build` of the app is written.
pub fn app_dist(env: &Env, build: Build) -> PathBuf {
    match build {
        Build::Shipped => env.root.join("dist"),
        Build::Bench => env.target_dir().join("bench/dist"),
    }
}

fn build_proxy(env: &Env) -> Result<PathBuf> {
    step("building the proxy (cargo build --release -p trailview-proxy)");
    let started = Instant::now();
    let mut cmd = env.cargo();
    cmd.args(["build", "--release", "-p", "trailview-proxy"]);
    run(
        cmd,
        "the proxy does not build; see the compiler errors above (crates/proxy)",
    )?;
    note(format!("built the proxy in {}", human(started.elapsed())));
    Ok(env.target_dir().join("release/trailview-proxy"))
}

fn proxy_command(env: &Env, bin: &PathBuf, port: u16) -> std::process::Command {
    let mut cmd = env.command(bin);
    cmd.args(["--demo", "--static-dir"])
        .arg(env.root.join("dist"))
        .args(["--port", &port.to_string()]);
    cmd
}

fn demo(env: &mut Env, port: u16) -> std::result::Result<(), (&'static str, Failure)> {
    server::check_port_free(port).map_err(|f| ("checking the port", f))?;
    let mut tools = Tools::default();
    (|| -> Result<()> {
        step("checking tools (installing what is missing)");
        tools::ensure_wasm_target(env)?;
        tools::ensure_trunk(env, &mut tools)?;
        tools::ensure_wasm_bindgen(env)?;
        tools::ensure_node(env)?;
        tools::ensure_wasm_opt(env)
    })()
    .map_err(|f| ("installing tools", f))?;
    build_app(env, &tools, Build::Shipped).map_err(|f| ("building the app", f))?;
    let bin = build_proxy(env).map_err(|f| ("building the proxy", f))?;
    server::check_port_free(port).map_err(|f| ("checking the port", f))?;
    step(format!(
        "serving the demo at http://127.0.0.1:{port} (Ctrl-C stops it)"
    ));
    let mut cmd = proxy_command(env, &bin, port);
    note(format!("$ {}", util::display(&cmd)));
    use std::os::unix::process::CommandExt;
    let err = cmd.exec(); // only returns on failure
    Err((
        "starting the proxy",
        Failure::new(format!("could not run {}: {err}", bin.display()), ""),
    ))
}

enum Outcome {
    Passed(Duration),
    Failed(Duration, String),
    NotRun(&'static str),
}

/// Runs `f` as a named stage, catching panics, printing the failure right away.
fn stage(summary: &mut Vec<(String, Outcome)>, name: &str, f: impl FnOnce() -> Result<()>) -> bool {
    step(format!("stage {name}"));
    let started = Instant::now();
    let result = std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(Failure::new(
            format!("xtask panicked: {msg}"),
            "this is a bug in xtask",
        ))
    });
    let took = started.elapsed();
    match result {
        Ok(()) => {
            step(format!("stage {name} passed ({})", human(took)));
            summary.push((name.to_string(), Outcome::Passed(took)));
            true
        }
        Err(f) => {
            eprintln!("\nerror: stage {name} failed: {f}\n");
            let first = f.what.lines().next().unwrap_or_default().to_string();
            summary.push((name.to_string(), Outcome::Failed(took, first)));
            false
        }
    }
}

fn test(env: &mut Env, stages: &[Stage], node_args: &[String]) -> ExitCode {
    let started = Instant::now();
    let mut summary = Vec::new();
    let mut tools = Tools::default();
    let mut ok = stage(&mut summary, "install", || install(env, &mut tools, stages));
    for st in Stage::ALL {
        if !stages.contains(&st) {
            summary.push((
                st.name().to_string(),
                Outcome::NotRun("not selected (--only)"),
            ));
            continue;
        }
        if !ok {
            summary.push((
                st.name().to_string(),
                Outcome::NotRun("not run: an earlier stage failed"),
            ));
            continue;
        }
        ok = match st {
            Stage::Native => stage(&mut summary, "native", || native(env, &tools)),
            Stage::Wasm => stage(&mut summary, "wasm", || wasm(env, &tools)),
            Stage::E2e => stage(&mut summary, "e2e", || e2e(env, &tools, node_args)),
        };
    }
    step(format!("summary ({})", human(started.elapsed())));
    for (name, outcome) in &summary {
        match outcome {
            Outcome::Passed(d) => note(format!("{name:<8} passed   {:>8}", human(*d))),
            Outcome::Failed(d, why) => note(format!("{name:<8} FAILED   {:>8}   {why}", human(*d))),
            Outcome::NotRun(why) => note(format!("{name:<8} skipped  {:>8}   {why}", "")),
        }
    }
    if ok {
        step("xtask test: all selected stages passed");
        ExitCode::SUCCESS
    } else {
        let failed = summary
            .iter()
            .find(|(_, o)| matches!(o, Outcome::Failed(..)))
            .map(|(n, _)| n.as_str())
            .unwrap_or("?");
        let again = if failed == "install" {
            "fix it, then check with: cargo xtask setup".to_string()
        } else {
            format!("rerun just that one: cargo xtask test --only {failed}")
        };
        step(format!("xtask test: FAILED in stage {failed} ({again})"));
        ExitCode::FAILURE
    }
}

fn native(env: &Env, tools: &Tools) -> Result<()> {
    let mut cmd = env.cargo();
    // crates/proxy/tests/shared_limits.rs starts this redis-server (and fails, never skips,
    // without one).
    if let Some(server) = &tools.redis_server {
        cmd.env("REDIS_SERVER", server);
    }
    cmd.args([
        "test",
        "--no-fail-fast",
        "-p",
        "trailview-core",
        "-p",
        "trailview-demo",
        "-p",
        "trailview-proxy",
        "-p",
        "trailview-fuzz-targets",
        "-p",
        "xtask",
    ]);
    run(cmd, "see the failing tests above")
}

fn wasm(env: &Env, tools: &Tools) -> Result<()> {
    let mut cmd = env.cargo();
    // --tests: lib, bins and tests/*.rs, without doctests (cross-compiled doctests would need
    // the wasm runner too).
    cmd.args([
        "test",
        "--no-fail-fast",
        "--target",
        tools::WASM_TARGET,
        "-p",
        "trailview",
        "--tests",
    ]);
    if let Some(driver) = &tools.chromedriver {
        cmd.env("CHROMEDRIVER", driver);
    }
    // Generous timeouts for a slow 2-core CI machine (defaults: 20 s per test run, 5 s driver start).
    cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "300")
        .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "60");
    run(
        cmd,
        "see the failing tests above; browser tests need `wasm_bindgen_test_configure!(run_in_browser);` \
         and read Chromium flags from webdriver.json",
    )
}

fn e2e(env: &Env, tools: &Tools, node_args: &[String]) -> Result<()> {
    let dir = env.root.join("tests/e2e");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| Failure::new(format!("cannot list {}: {e}", dir.display()), ""))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".test.mjs") || n.ends_with(".test.js"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Failure::new("no tests/e2e/*.test.mjs files", ""));
    }
    build_app(env, tools, Build::Shipped)?;
    let bin = build_proxy(env)?;
    let port = server::free_port()?;
    step(format!("starting the demo server on port {port}"));
    let log = env.target_dir().join("e2e/proxy.log");
    let mut cmd = proxy_command(env, &bin, port);
    // Demo jobs take 12 s instead of 2 min, so the Jobs tests see one progress to the end.
    cmd.env("TRAILVIEW_DEMO_JOB_SECONDS", "12");
    let mut server = server::ServerGuard::start(cmd, port, &log)?;
    server.wait_healthy(Duration::from_secs(60))?;
    step("running the end-to-end tests (node --test tests/e2e)");
    let url = format!("http://127.0.0.1:{port}");
    let screenshots = env.target_dir().join("screenshots");
    // Only this run's pictures (a stale *-failed.png would mislead).
    let _ = std::fs::remove_dir_all(&screenshots);
    let mut cmd = env.command("node");
    cmd.current_dir(&dir)
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(node_args)
        .args(&files)
        .env("TRAILVIEW_URL", &url)
        .env("SCREENSHOT_DIR", &screenshots)
        // The signing-mode test starts its own `trailview-proxy --config` over this build.
        .env("TRAILVIEW_PROXY_BIN", &bin)
        .env("TRAILVIEW_DIST", app_dist(env, Build::Shipped));
    if let Some(chromium) = &tools.chromium {
        cmd.env("CHROMIUM_PATH", chromium);
    }
    let result = run(
        cmd,
        &format!(
            "see the failing tests above; screenshots are in {}, the server log is {}",
            screenshots.display(),
            log.display()
        ),
    );
    if result.is_err() {
        eprintln!(
            "--- last lines of the server log ({}):\n{}",
            log.display(),
            server.log_tail(30)
        );
    }
    drop(server);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse_args(&args("")), Ok(Cmd::Help));
        assert_eq!(parse_args(&args("demo")), Ok(Cmd::Demo { port: 8080 }));
        assert_eq!(
            parse_args(&args("demo --port 9000")),
            Ok(Cmd::Demo { port: 9000 })
        );
        assert_eq!(
            parse_args(&args("demo --port=9001")),
            Ok(Cmd::Demo { port: 9001 })
        );
        assert!(parse_args(&args("demo --port x")).is_err());
        assert!(parse_args(&args("demo --port 0")).is_err());
        assert!(parse_args(&args("demo --port")).is_err());
        assert!(parse_args(&args("demo --bogus")).is_err());
        assert_eq!(
            parse_args(&args("test")),
            Ok(Cmd::Test {
                stages: Stage::ALL.to_vec(),
                node_args: vec![]
            })
        );
        assert_eq!(
            parse_args(&args("test --only e2e,native -- --test-name-pattern=sort")),
            Ok(Cmd::Test {
                stages: vec![Stage::Native, Stage::E2e],
                node_args: vec!["--test-name-pattern=sort".into()]
            })
        );
        assert_eq!(
            parse_args(&args("test --only=wasm")),
            Ok(Cmd::Test {
                stages: vec![Stage::Wasm],
                node_args: vec![]
            })
        );
        assert!(parse_args(&args("test --only web"))
            .unwrap_err()
            .contains("unknown stage"));
        assert_eq!(parse_args(&args("setup")), Ok(Cmd::Setup));
        assert!(parse_args(&args("frobnicate")).is_err());
    }
}
