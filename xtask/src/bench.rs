//! `cargo xtask bench [--sizes 10000,100000,1000000] [--runs N] [--suites trailview,fields,histogram,link,export,sls,js,perspective,files,files-js]`
//!
//! Builds the app as deployed (`trunk build --release`, wasm-opt included), writes the demo
//! generator's events as LookupEvents pages of 50 (`crates/demo/examples/bench_data.rs`, cached
//! under target/bench/data/<size>/), for the sls suite the demo's SLS GetLogs answers to an
//! SQL query over the same events (`crates/demo/examples/bench_sls.rs`, cached under
//! target/bench/data/<size>/sls/) and, for the files suites, the ActionTrail demo bucket's
//! objects (`crates/demo/examples/bench_files.rs`, cached under target/bench/files/<size>/),
//! serves dist/, bench/, the data and the objects (at the proxy's GetObject path,
//! `/api/aliyun/oss/<bucket>/<key>`) with a small std HTTP server, and runs bench/run.mjs (playwright-core + headless Chromium). The driver prints the
//! table and writes target/bench/results.json and results.md. A benchmark, not a test: numbers
//! never fail it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::tools::{self, Tools};
use crate::util::{human, note, run, step, Env, Failure, Result};

#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    pub sizes: Vec<usize>,
    pub runs: usize,
    pub suites: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sizes: vec![10_000, 100_000, 1_000_000],
            runs: 5,
            suites: SUITES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// Every suite, in the order they run per size.
const SUITES: [&str; 10] = [
    "trailview",
    "fields",
    "histogram",
    "link",
    "export",
    "sls",
    "js",
    "perspective",
    "files",
    "files-js",
];

/// The suites that read the demo bucket's files.
const FILE_SUITES: [&str; 2] = ["files", "files-js"];

pub fn parse(rest: &[String]) -> std::result::Result<Options, String> {
    let mut o = Options::default();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let (key, value) = match arg.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (
                arg.clone(),
                it.next().cloned().ok_or(format!("{arg} needs a value"))?,
            ),
        };
        match key.as_str() {
            "--sizes" => {
                o.sizes = value
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .replace('_', "")
                            .parse::<usize>()
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or(format!("--sizes: not a positive number: {s}"))
                    })
                    .collect::<std::result::Result<_, _>>()?
            }
            "--runs" => {
                o.runs = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(format!("--runs: not a positive number: {value}"))?
            }
            "--suites" => {
                o.suites = value.split(',').map(str::to_string).collect();
                if let Some(bad) = o.suites.iter().find(|s| !SUITES.contains(&s.as_str())) {
                    return Err(format!(
                        "--suites: unknown suite {bad:?} ({})",
                        SUITES.join(", ")
                    ));
                }
            }
            _ => return Err(format!("unknown argument to bench: {arg}")),
        }
    }
    Ok(o)
}

pub fn bench(env: &mut Env, o: &Options) -> Result<()> {
    let started = Instant::now();
    let mut tools = Tools::default();
    step("checking tools (installing what is missing)");
    tools::ensure_wasm_target(env)?;
    tools::ensure_trunk(env, &mut tools)?;
    tools::ensure_wasm_bindgen(env)?;
    tools::ensure_node(env)?;
    tools::ensure_wasm_opt(env)?;
    tools::ensure_chromium(env, &mut tools)?;
    bench_deps(env)?;
    // The shipped build, for the bundle size users download; the bench's own, for its hooks.
    super::build_app(env, &tools, super::Build::Shipped)?;
    super::build_app(env, &tools, super::Build::Bench)?;
    let data = env.target_dir().join("bench/data");
    let files = env.target_dir().join("bench/files");
    let page_suites = o.suites.iter().any(|s| !FILE_SUITES.contains(&s.as_str()));
    let file_suites = o.suites.iter().any(|s| FILE_SUITES.contains(&s.as_str()));
    let sls_suite = o.suites.iter().any(|s| s == "sls");
    const SLS_MAX_ROWS: usize = 100_000;
    for &n in &o.sizes {
        if page_suites {
            ensure_data(env, &data, n)?;
        }
        // The SLS row is 100,000 rows; the demo's answers at 1M would be ~1.2 GB of
        // text, kept in the page, so the sls suite skips larger sizes.
        if sls_suite && n <= SLS_MAX_ROWS {
            ensure_example_output(
                env,
                "bench_sls",
                "as the demo's SLS answers to an SQL query",
                &data.join(n.to_string()).join("sls"),
                n,
            )?;
        }
        if file_suites {
            ensure_files(env, &files, n)?;
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Failure::new(format!("cannot bind a local port: {e}"), ""))?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let roots = Roots {
        dist: super::app_dist(env, super::Build::Bench),
        bench: env.root.join("bench"),
        data,
        files,
        sizes: o.sizes.clone(),
    };
    std::thread::spawn(move || serve(listener, roots));
    step(format!(
        "running the benchmark in headless Chromium (sizes {:?}, {} runs per operation)",
        o.sizes, o.runs
    ));
    let out = env.target_dir().join("bench");
    let mut cmd = env.command("node");
    cmd.arg(env.root.join("bench/run.mjs"))
        .env("BENCH_URL", format!("http://127.0.0.1:{port}"))
        .env(
            "BENCH_SIZES",
            o.sizes
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
        .env("BENCH_RUNS", o.runs.to_string())
        .env("BENCH_SUITES", o.suites.join(","))
        .env("BENCH_OUT", &out)
        .env("BENCH_DIST", super::app_dist(env, super::Build::Shipped));
    if let Some(chromium) = &tools.chromium {
        cmd.env("CHROMIUM_PATH", chromium);
    }
    run(cmd, "the benchmark driver failed; see its output above")?;
    note(format!(
        "wrote {} and results.md ({})",
        out.join("results.json").display(),
        human(started.elapsed())
    ));
    Ok(())
}

/// bench/'s npm packages (playwright-core, Perspective), reinstalled when the lock changes.
fn bench_deps(env: &Env) -> Result<()> {
    let dir = env.root.join("bench");
    let lock = crate::util::read(&dir.join("package-lock.json"))?;
    let stamp = dir.join("node_modules/.xtask-installed-lock");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str()) {
        note("bench npm packages: up to date");
        return Ok(());
    }
    step("installing the benchmark's npm packages (npm ci in bench/)");
    let mut cmd = env.command("npm");
    cmd.args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir);
    run(cmd, "npm ci in bench/ failed; needs the npm registry")?;
    std::fs::write(&stamp, lock)
        .map_err(|e| Failure::new(format!("writing {}: {e}", stamp.display()), ""))
}

/// LookupEvents pages of `n` demo events under `data/<n>/` (generated once, natively).
fn ensure_data(env: &Env, data: &Path, n: usize) -> Result<()> {
    ensure_example_output(
        env,
        "bench_data",
        "as LookupEvents pages",
        &data.join(n.to_string()),
        n,
    )
}

/// The output of the demo's `example` for `n` events in `dir`, made once: it writes
/// `manifest.json` last.
fn ensure_example_output(env: &Env, example: &str, what: &str, dir: &Path, n: usize) -> Result<()> {
    if dir.join("manifest.json").is_file() {
        return Ok(());
    }
    step(format!("writing {n} demo events {what}"));
    let _ = std::fs::remove_dir_all(dir);
    let mut cmd = env.cargo();
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "trailview-demo",
        "--example",
        example,
        "--",
        &n.to_string(),
    ])
    .arg(dir);
    run(cmd, &format!("the bench data generator {example} failed"))
}

/// The ActionTrail demo bucket's objects for `n` events under `files/<n>/<key>`, with
/// `manifest.json` (generated once, natively).
fn ensure_files(env: &Env, files: &Path, n: usize) -> Result<()> {
    ensure_example_output(
        env,
        "bench_files",
        "as the ActionTrail demo bucket's files",
        &files.join(n.to_string()),
        n,
    )
}

/// The proxy's GetObject path of the demo OSS bucket (the app's proxy base is `/api`).
const OBJECT_PATH: &str = "/api/aliyun/oss/trailview-demo-actiontrail/";

struct Roots {
    dist: PathBuf,
    bench: PathBuf,
    data: PathBuf,
    /// `<size>/<key>` and `<size>/manifest.json`.
    files: PathBuf,
    /// The sizes whose files are served: an object is looked up under each (a key names its
    /// size and MD5, so one key is one content).
    sizes: Vec<usize>,
}

fn serve(listener: TcpListener, roots: Roots) {
    let roots = std::sync::Arc::new(roots);
    for stream in listener.incoming().flatten() {
        let roots = roots.clone();
        std::thread::spawn(move || {
            let _ = handle(stream, &roots);
        });
    }
}

/// The file for a request path, `None` when outside the roots.
fn resolve(roots: &Roots, url_path: &str) -> Option<PathBuf> {
    let p = url_path.split(['?', '#']).next().unwrap_or("/");
    if p.split('/').any(|seg| seg == ".." || seg.starts_with('.')) {
        return None;
    }
    if let Some(key) = p.strip_prefix(OBJECT_PATH) {
        let key = percent_decode(key)?;
        if key
            .split('/')
            .any(|seg| seg == ".." || seg.starts_with('.'))
        {
            return None;
        }
        return roots
            .sizes
            .iter()
            .map(|n| roots.files.join(n.to_string()).join(&key))
            .find(|f| f.is_file());
    }
    let (root, rest) = if let Some(r) = p.strip_prefix("/bench/") {
        (&roots.bench, r)
    } else if let Some(r) = p.strip_prefix("/data/") {
        (&roots.data, r)
    } else if let Some(r) = p.strip_prefix("/files/") {
        (&roots.files, r)
    } else {
        (&roots.dist, p.trim_start_matches('/'))
    };
    let file = root.join(if rest.is_empty() { "index.html" } else { rest });
    Some(if file.is_file() || root != &roots.dist {
        file
    } else {
        roots.dist.join("index.html")
    })
}

/// `%XX` sequences decoded; `None` when not UTF-8 or malformed.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "ndjson" => "application/x-ndjson",
        _ => "application/octet-stream",
    }
}

/// Answers the requests of one connection, kept open between them (HTTP/1.1 keep-alive, as
/// the proxy does): a connection per request would charge both suites a TCP handshake and a
/// thread per object, which a deployed proxy does not.
fn handle(stream: TcpStream, roots: &Roots) -> std::io::Result<()> {
    // A connection the browser keeps idle is dropped after a while.
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    // An answer goes out when flushed: with Nagle's algorithm a kept-open connection would hold
    // an answer's last segment until the client's delayed ACK (tens of ms per object).
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        // An HTTP/1.0 request closes its connection after the answer; so does one whose body
        // is not read past (chunked, or a length that does not parse).
        let mut close = line.trim_end().ends_with("HTTP/1.0");
        let mut body = 0u64;
        let mut header = String::new();
        while reader.read_line(&mut header)? > 2 {
            let h = header.to_ascii_lowercase();
            if let Some((name, value)) = h.split_once(':') {
                let value = value.trim();
                match name.trim() {
                    "connection" => close |= value.split(',').any(|v| v.trim() == "close"),
                    "content-length" => match value.parse() {
                        Ok(n) => body = n,
                        Err(_) => close = true,
                    },
                    "transfer-encoding" => close = true,
                    _ => {}
                }
            }
            header.clear();
        }
        // A request's body (none is expected) is read past, so the next request starts clean.
        std::io::copy(&mut (&mut reader).take(body), &mut std::io::sink())?;
        let head_only = line.starts_with("HEAD ");
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        match resolve(roots, &path).and_then(|f| std::fs::File::open(&f).ok().map(|h| (f, h))) {
            Some((file, mut h)) => {
                let len = h.metadata()?.len();
                write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {len}\r\nCache-Control: no-store\r\n\r\n",
                    content_type(&file)
                )?;
                if !head_only {
                    std::io::copy(&mut h, &mut out)?;
                }
            }
            None => write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?,
        }
        out.flush()?;
        if close {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_options() {
        assert_eq!(parse(&[]).unwrap(), Options::default());
        let o = parse(&args("--sizes 10000,1_000 --runs=3 --suites js")).unwrap();
        assert_eq!(o.sizes, vec![10_000, 1_000]);
        assert_eq!(o.runs, 3);
        assert_eq!(o.suites, vec!["js".to_string()]);
        assert!(parse(&args("--sizes 0")).is_err());
        assert!(parse(&args("--runs")).is_err());
        assert!(parse(&args("--suites nope")).is_err());
        assert_eq!(
            parse(&args("--suites files,files-js")).unwrap().suites,
            vec!["files".to_string(), "files-js".to_string()]
        );
        assert!(parse(&args("--what 1")).is_err());
    }

    #[test]
    fn resolves_paths_inside_roots_only() {
        let roots = Roots {
            dist: PathBuf::from("/d"),
            bench: PathBuf::from("/b"),
            data: PathBuf::from("/x"),
            files: PathBuf::from("/f"),
            sizes: vec![10],
        };
        assert_eq!(
            resolve(&roots, "/bench/page.js"),
            Some(PathBuf::from("/b/page.js"))
        );
        assert_eq!(
            resolve(&roots, "/data/10/chunk-0.ndjson?x=1"),
            Some(PathBuf::from("/x/10/chunk-0.ndjson"))
        );
        assert_eq!(resolve(&roots, "/"), Some(PathBuf::from("/d/index.html")));
        assert_eq!(resolve(&roots, "/bench/../etc/passwd"), None);
        assert_eq!(resolve(&roots, "/.git/config"), None);
        assert_eq!(
            resolve(&roots, "/files/10/manifest.json"),
            Some(PathBuf::from("/f/10/manifest.json"))
        );
        // Objects exist only when generated; the key is decoded and kept inside.
        assert_eq!(
            resolve(&roots, &format!("{OBJECT_PATH}AliyunLogs/x.gz")),
            None
        );
        assert_eq!(resolve(&roots, &format!("{OBJECT_PATH}a/%2E%2E/b")), None);
        assert_eq!(percent_decode("a%2Fb%20c").as_deref(), Some("a/b c"));
        assert_eq!(percent_decode("a%2"), None);
    }
}
