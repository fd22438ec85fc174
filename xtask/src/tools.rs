//! Installs what the demo and the tests need, skipping whatever is already there in the
//! right version.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::util::{self, note, probe, run, step, warn, Env, Failure, Result};
use crate::versions;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
const NODE_MIN: (u32, u32) = (20, 10);

/// Tools found or installed, by absolute path.
#[derive(Default)]
pub struct Tools {
    pub trunk: Option<PathBuf>,
    pub chromium: Option<PathBuf>,
    pub chromedriver: Option<PathBuf>,
    /// The `redis-server` the proxy's shared-limiter tests start (`REDIS_SERVER` for them).
    pub redis_server: Option<PathBuf>,
}

pub fn ensure_wasm_target(env: &Env) -> Result<()> {
    let sysroot = util::probe(env, Path::new("rustc"), &["--print", "sysroot"]);
    if let Some(sysroot) = &sysroot {
        if Path::new(sysroot)
            .join("lib/rustlib")
            .join(WASM_TARGET)
            .join("lib")
            .is_dir()
        {
            note(format!("rust target {WASM_TARGET}: installed"));
            return Ok(());
        }
    }
    step(format!(
        "installing the rust target {WASM_TARGET} (rustup target add)"
    ));
    let mut cmd = env.command("rustup");
    cmd.args(["target", "add", WASM_TARGET]);
    run(
        cmd,
        &format!(
            "install rustup (https://rustup.rs) or add the target to your toolchain by hand: \
             `rustup target add {WASM_TARGET}`"
        ),
    )
}

/// Version reported by `program --version`, via `parse`.
fn version_of(env: &Env, program: &Path, parse: fn(&str) -> Option<String>) -> Option<String> {
    probe(env, program, &["--version"]).and_then(|out| parse(&out))
}

/// First of `cargo_bin/name` and `name` on PATH that reports version `want`.
fn find_with_version(
    env: &Env,
    name: &str,
    want: &str,
    parse: fn(&str) -> Option<String>,
) -> (Option<PathBuf>, Vec<String>) {
    let mut seen = Vec::new();
    let candidates = [Some(util::cargo_bin_dir().join(name)), env.which(name)];
    for path in candidates.into_iter().flatten() {
        if !util::is_executable(&path) {
            continue;
        }
        match version_of(env, &path, parse) {
            Some(v) if v == want => return (Some(path), seen),
            Some(v) => seen.push(format!("{} is {v}", path.display())),
            None => seen.push(format!("{} did not report a version", path.display())),
        }
    }
    (None, seen)
}

/// Another `cargo install <krate>` running on this machine (e.g. started by hand)?
/// Waits for it instead of compiling the same thing twice on a small machine.
fn wait_for_other_cargo_install(krate: &str) {
    let me = std::process::id().to_string();
    let mut announced = false;
    loop {
        let other = std::fs::read_dir("/proc").ok().and_then(|dir| {
            dir.flatten().find_map(|e| {
                let pid = e.file_name().to_string_lossy().into_owned();
                if pid == me || !pid.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                let raw = std::fs::read(e.path().join("cmdline")).ok()?;
                let args: Vec<String> = raw
                    .split(|b| *b == 0)
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                let is_cargo = args
                    .first()
                    .is_some_and(|a| Path::new(a).file_name().is_some_and(|n| n == "cargo"));
                let installs =
                    args.iter().any(|a| a == "install") && args.iter().any(|a| a == krate);
                (is_cargo && installs).then_some(pid)
            })
        });
        match other {
            Some(pid) => {
                if !announced {
                    note(format!(
                        "another `cargo install {krate}` is running (pid {pid}); waiting for it to finish"
                    ));
                    announced = true;
                }
                std::thread::sleep(Duration::from_secs(5));
            }
            None => return,
        }
    }
}

/// A tool installed with `cargo install`, whose `bin --version` prints `<name> <version>`.
struct CargoTool<'a> {
    label: &'a str,
    krate: &'a str,
    bin: &'a str,
    version: &'a str,
    locked: bool,
    eta: &'a str,
}

/// `cargo install krate --version version` unless a binary `bin` with that version exists.
fn ensure_cargo_tool(env: &mut Env, tool: CargoTool<'_>) -> Result<PathBuf> {
    let CargoTool {
        label,
        krate,
        bin,
        version,
        locked,
        eta,
    } = tool;
    let parse = versions::second_word;
    let (found, _) = find_with_version(env, bin, version, parse);
    let found = match found {
        Some(p) => Some(p),
        None => {
            wait_for_other_cargo_install(krate);
            find_with_version(env, bin, version, parse).0
        }
    };
    if let Some(path) = found {
        note(format!("{label} {version}: {}", path.display()));
        env.prepend_path(path.parent().unwrap_or(Path::new("/")));
        return Ok(path);
    }
    let (_, seen) = find_with_version(env, bin, version, parse);
    for s in &seen {
        note(format!("found {s}, need {version}"));
    }
    step(format!("installing {label} {version} ({eta}, once)"));
    let started = Instant::now();
    let mut cmd = env.cargo();
    cmd.args(["install", krate, "--version", version, "--force"]);
    if locked {
        cmd.arg("--locked");
    }
    let manual = util::display(&cmd);
    run(
        cmd,
        &format!(
            "this needs crates.io and a C linker; rerun `{manual}` by hand to see the whole error"
        ),
    )?;
    note(format!(
        "installed {label} in {}",
        util::human(started.elapsed())
    ));
    match find_with_version(env, bin, version, parse) {
        (Some(path), _) => {
            env.prepend_path(path.parent().unwrap_or(Path::new("/")));
            Ok(path)
        }
        (None, seen) => Err(Failure::new(
            format!(
                "installed {krate} {version} but cannot find `{bin}` reporting that version ({})",
                seen.join("; ")
            ),
            format!("make sure {} is on PATH", util::cargo_bin_dir().display()),
        )),
    }
}

pub fn ensure_trunk(env: &mut Env, tools: &mut Tools) -> Result<()> {
    let path = ensure_cargo_tool(
        env,
        CargoTool {
            label: "Trunk",
            krate: "trunk",
            bin: "trunk",
            version: TRUNK_VERSION,
            locked: true,
            eta: "takes 7-16 minutes",
        },
    )?;
    tools.trunk = Some(path);
    Ok(())
}

/// wasm-bindgen-cli in exactly Cargo.lock's wasm-bindgen version (trunk runs offline and the
/// test runner must match the library).
pub fn ensure_wasm_bindgen(env: &mut Env) -> Result<()> {
    let version =
        versions::locked_version(&util::read(&env.root.join("Cargo.lock"))?, "wasm-bindgen")
            .map_err(|e| {
                Failure::new(
                    e,
                    "run `cargo generate-lockfile` / `cargo update -p wasm-bindgen`",
                )
            })?;
    let trunk_toml = util::read(&env.root.join("Trunk.toml"))?;
    if let Some(pin) = versions::toml_string(&trunk_toml, "tools", "wasm_bindgen") {
        if pin != version {
            return Err(Failure::new(
                format!("Trunk.toml pins wasm_bindgen = \"{pin}\" but Cargo.lock has wasm-bindgen {version}"),
                format!("set `wasm_bindgen = \"{version}\"` under [tools] in Trunk.toml (trunk is offline and would refuse to build)"),
            ));
        }
    }
    // Without --locked: one of wasm-bindgen-cli's locked dependencies is gone from crates.io.
    let path = ensure_cargo_tool(
        env,
        CargoTool {
            label: "wasm-bindgen-cli",
            krate: "wasm-bindgen-cli",
            bin: "wasm-bindgen",
            version: &version,
            locked: false,
            eta: "matches Cargo.lock; takes about 3 minutes",
        },
    )?;
    let runner = path.with_file_name("wasm-bindgen-test-runner");
    match version_of(env, &runner, versions::second_word) {
        Some(v) if v == version => Ok(()),
        other => Err(Failure::new(
            format!(
                "{} reports {:?}, expected {version}",
                runner.display(),
                other.unwrap_or_else(|| "nothing".into())
            ),
            format!("reinstall: `cargo install wasm-bindgen-cli --version {version} --force`"),
        )),
    }
}

pub fn ensure_node(env: &Env) -> Result<()> {
    let hint = format!(
        "install Node.js {}.{} or newer with npm (e.g. from nodejs.org or NodeSource) so `node` and `npm` are on PATH",
        NODE_MIN.0, NODE_MIN.1
    );
    let node = env
        .which("node")
        .ok_or_else(|| Failure::new("`node` is not on PATH", hint.clone()))?;
    let out = probe(env, &node, &["--version"]).unwrap_or_default();
    match versions::node_version(&out) {
        Some(v) if v >= NODE_MIN => {}
        _ => {
            return Err(Failure::new(
                format!("{} reports version {out:?}", node.display()),
                hint,
            ))
        }
    }
    if env.which("npm").is_none() {
        return Err(Failure::new("`npm` is not on PATH", hint));
    }
    note(format!("node {out}: {}", node.display()));
    Ok(())
}

fn npm_ci(env: &Env, dir: &Path, why: &str) -> Result<()> {
    let mut cmd = env.command("npm");
    cmd.args(["ci", "--no-audit", "--no-fund"]).current_dir(dir);
    run(
        cmd,
        &format!(
            "{why}; needs the npm registry. Try by hand: `cd {} && npm ci`",
            dir.display()
        ),
    )
}

/// binaryen's wasm-opt from npm (xtask/wasm-opt), put first on PATH for trunk.
pub fn ensure_wasm_opt(env: &mut Env) -> Result<()> {
    let dir = env.root.join("xtask/wasm-opt");
    let package = util::read(&dir.join("package.json"))?;
    let want = versions::npm_dependency(&package, "binaryen")
        .and_then(|v| v.split('.').next().map(str::to_string))
        .ok_or_else(|| {
            Failure::new(
                "xtask/wasm-opt/package.json lacks a binaryen dependency",
                "",
            )
        })?;
    let trunk_toml = util::read(&env.root.join("Trunk.toml"))?;
    if let Some(pin) = versions::toml_string(&trunk_toml, "tools", "wasm_opt") {
        if pin != format!("version_{want}") {
            return Err(Failure::new(
                format!("Trunk.toml pins wasm_opt = \"{pin}\" but xtask/wasm-opt installs binaryen {want}"),
                format!("set `wasm_opt = \"version_{want}\"` under [tools] in Trunk.toml"),
            ));
        }
    }
    let bin_dir = dir.join("node_modules/.bin");
    let bin = bin_dir.join("wasm-opt");
    if version_of(env, &bin, versions::wasm_opt_version).as_deref() != Some(want.as_str()) {
        step(format!(
            "installing wasm-opt (npm binaryen@{want} into xtask/wasm-opt)"
        ));
        npm_ci(env, &dir, "installing binaryen's wasm-opt failed")?;
    }
    match version_of(env, &bin, versions::wasm_opt_version) {
        Some(v) if v == want => {
            note(format!("wasm-opt version_{v}: {}", bin.display()));
            env.prepend_path(&bin_dir);
            Ok(())
        }
        other => Err(Failure::new(
            format!(
                "{} reports version {other:?}, expected {want}",
                bin.display()
            ),
            "delete xtask/wasm-opt/node_modules and rerun",
        )),
    }
}

/// npm dependencies of tests/e2e (playwright-core), reinstalled when package-lock.json changes.
pub fn ensure_e2e_deps(env: &Env) -> Result<()> {
    let dir = env.root.join("tests/e2e");
    let lock = util::read(&dir.join("package-lock.json"))?;
    let stamp = dir.join("node_modules/.xtask-installed-lock");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str())
        && dir
            .join("node_modules/playwright-core/package.json")
            .is_file()
    {
        note("tests/e2e npm packages: up to date");
        return Ok(());
    }
    step("installing the end-to-end test packages (npm ci in tests/e2e)");
    npm_ci(env, &dir, "installing tests/e2e's npm packages failed")?;
    std::fs::write(&stamp, lock)
        .map_err(|e| Failure::new(format!("writing {}: {e}", stamp.display()), ""))?;
    Ok(())
}

fn chromium_candidates(env: &Env) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM_PATH").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser"]
        .iter()
        .find_map(|n| env.which(n))
}

fn chromedriver_candidate(env: &Env) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMEDRIVER").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    env.which("chromedriver")
}

/// What [`apt_install`] installs, and what to say when it cannot.
struct AptPackages<'a> {
    /// "Chromium/chromedriver": what is missing, for the messages.
    what: &'a str,
    packages: &'a [&'a str],
    /// The command to run by hand (or the variables to set instead).
    manual: &'a str,
    /// What to do on a system without apt-get.
    elsewhere: &'a str,
}

/// `apt-get update && apt-get install -y <packages>`, as root or through passwordless sudo;
/// otherwise an error with the command to run by hand.
fn apt_install(env: &Env, p: AptPackages<'_>) -> Result<()> {
    let AptPackages {
        what,
        packages,
        manual,
        elsewhere,
    } = p;
    let is_root = probe(env, Path::new("id"), &["-u"]).as_deref() == Some("0");
    let sudo = if is_root {
        false
    } else if env.which("sudo").is_some()
        && env
            .command("sudo")
            .args(["-n", "true"])
            .status()
            .is_ok_and(|s| s.success())
    {
        true
    } else {
        return Err(Failure::new(
            format!("{what} missing and installing needs root"),
            format!("run: {manual}"),
        ));
    };
    if env.which("apt-get").is_none() {
        return Err(Failure::new(
            format!("{what} missing and this is not an apt-based system"),
            elsewhere,
        ));
    }
    let apt = |args: &[&str]| {
        let mut cmd = env.command(if sudo { "sudo" } else { "apt-get" });
        if sudo {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(
        apt(&["update"]),
        &format!("apt-get update failed; run: {manual}"),
    )?;
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    run(
        apt(&install),
        &format!("apt-get install failed; run: {manual}"),
    )
}

/// Chromium and chromedriver (Debian: apt-get install chromium chromium-driver).
pub fn ensure_chromium(env: &Env, tools: &mut Tools) -> Result<()> {
    let manual = "sudo apt-get update && sudo apt-get install -y chromium chromium-driver \
                  (or point CHROMIUM_PATH and CHROMEDRIVER at a matching Chromium and chromedriver)";
    let (mut chromium, mut driver) = (chromium_candidates(env), chromedriver_candidate(env));
    if chromium.is_none() || driver.is_none() {
        step("installing Chromium and chromedriver (apt-get, takes 1-3 minutes, once)");
        apt_install(
            env,
            AptPackages {
                what: "Chromium/chromedriver are",
                packages: &["chromium", "chromium-driver"],
                manual,
                elsewhere: "install Chromium and a chromedriver of the same major version, then set CHROMIUM_PATH and CHROMEDRIVER",
            },
        )?;
        chromium = chromium_candidates(env);
        driver = chromedriver_candidate(env);
    }
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        return Err(Failure::new(
            "Chromium or chromedriver still missing after installing",
            format!("run: {manual}"),
        ));
    };
    let c = probe(env, &chromium, &["--version"]).unwrap_or_default();
    let d = probe(env, &driver, &["--version"]).unwrap_or_default();
    let (cm, dm) = (versions::browser_major(&c), versions::browser_major(&d));
    if cm.is_none() {
        return Err(Failure::new(
            format!(
                "{} does not run (`--version` printed {c:?})",
                chromium.display()
            ),
            format!("reinstall: {manual}"),
        ));
    }
    if dm.is_none() {
        return Err(Failure::new(
            format!(
                "{} does not run (`--version` printed {d:?})",
                driver.display()
            ),
            format!("reinstall: {manual}"),
        ));
    }
    if cm != dm {
        warn(format!(
            "Chromium {} and chromedriver {} differ in major version; wasm browser tests may fail",
            cm.unwrap_or(0),
            dm.unwrap_or(0)
        ));
    }
    note(format!(
        "chromium {}: {}",
        cm.unwrap_or(0),
        chromium.display()
    ));
    note(format!(
        "chromedriver {}: {}",
        dm.unwrap_or(0),
        driver.display()
    ));
    tools.chromium = Some(chromium);
    tools.chromedriver = Some(driver);
    Ok(())
}

/// The oldest Redis the proxy's limiter script is written for (`redis.replicate_commands`, so
/// that it may read the server's `TIME` before it writes, appeared in 3.2).
const REDIS_MIN: (u32, u32) = (3, 2);

/// `REDIS_SERVER`, else `redis-server` on PATH.
fn redis_candidate(env: &Env) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("REDIS_SERVER").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    env.which("redis-server")
}

/// `(major, minor)` of `redis-server --version`'s `Redis server v=7.0.15 sha=…`.
fn redis_version(out: &str) -> Option<(u32, u32)> {
    let v = out.split_whitespace().find_map(|w| w.strip_prefix("v="))?;
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// redis-server for the proxy's shared rate-limit tests (Debian: apt-get install
/// redis-server). The tests start their own server on a free loopback port; the package's
/// system service is not used.
pub fn ensure_redis(env: &Env, tools: &mut Tools) -> Result<()> {
    let manual = "sudo apt-get update && sudo apt-get install -y redis-server \
                  (or point REDIS_SERVER at a redis-server binary, 3.2 or newer)";
    let mut server = redis_candidate(env);
    if server.is_none() {
        step("installing redis-server (apt-get, takes under a minute, once)");
        apt_install(
            env,
            AptPackages {
                what: "redis-server is",
                packages: &["redis-server"],
                manual,
                elsewhere: "install Redis 3.2 or newer (redis.io/downloads), then set REDIS_SERVER to its redis-server",
            },
        )?;
        server = redis_candidate(env);
    }
    let Some(server) = server else {
        return Err(Failure::new(
            "redis-server still missing after installing",
            format!("run: {manual}"),
        ));
    };
    let out = probe(env, &server, &["--version"]).unwrap_or_default();
    match redis_version(&out) {
        Some(v) if v >= REDIS_MIN => {
            note(format!(
                "redis-server {}.{}: {}",
                v.0,
                v.1,
                server.display()
            ));
            tools.redis_server = Some(server);
            Ok(())
        }
        Some(v) => Err(Failure::new(
            format!(
                "{} is Redis {}.{}; the proxy's limiter needs {}.{} or newer",
                server.display(),
                v.0,
                v.1,
                REDIS_MIN.0,
                REDIS_MIN.1
            ),
            format!("run: {manual}"),
        )),
        None => Err(Failure::new(
            format!(
                "{} does not run (`--version` printed {out:?})",
                server.display()
            ),
            format!("reinstall: {manual}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_redis_versions() {
        assert_eq!(
            redis_version(
                "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1"
            ),
            Some((7, 0))
        );
        assert_eq!(redis_version("Redis server v=3.2.12 sha=0"), Some((3, 2)));
        assert_eq!(redis_version("something else"), None);
        assert_eq!(redis_version("Redis server v=x.y"), None);
    }
}
