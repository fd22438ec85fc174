//! Command-line arguments, parsed by hand (a handful of flags does not need a parser crate).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use trailview_demo::buckets::DEFAULT_BUCKET_EVENTS;
use trailview_demo::Live;

pub const USAGE: &str = "\
trailview-proxy: serves the trailview web app and its cloud API routes.

USAGE:
    trailview-proxy --config trailview.toml [--listen ADDR:PORT] [--static-dir DIR]
    trailview-proxy --demo [OPTIONS]

With --config the proxy signs the app's requests with the configured Alibaba Cloud / AWS
credentials (from the environment or the file, never from the browser) and forwards the
allowed operations (see trailview.example.toml, which documents every key). With --demo it
serves a generated dataset instead. One of the two is required.

OPTIONS:
    --config FILE          the signing proxy's configuration (TOML)
    --demo                 serve a generated ActionTrail dataset instead of a real cloud
    --listen ADDR          address to listen on (default 127.0.0.1:8080; overrides the file)
    --port N               same as --listen 127.0.0.1:N
    --static-dir DIR       the built web app (default: dist; overrides the file)
    --seed N               dataset seed (default 42)
    --events N             dataset size (default 60000; at most 2000000)
    --days N               dataset span in days, ending now (default 30)
    --no-live              a fixed dataset: no new events arrive while it runs (by default one
                           or two arrive every 5 s, for Follow)
    --rate-limit N         LookupEvents calls per second, all callers together
                           (default 2, as the real API; 0 = unlimited)
    --bucket-events N      events in each demo bucket of trail files (OSS
                           trailview-demo-actiontrail, S3 trailview-demo-cloudtrail), over the
                           30 days ending now, generated on request (default 1000000; at most
                           100000000)
    --print-csp DIR        print the Content-Security-Policy for the app in DIR (the hash of
                           index.html's inline loader script; connect-src with config.json's
                           proxyBase origin), for a CDN serving the app, and exit
    -h, --help             this text
    -V, --version          the version

Flags take their value as the next argument or after '=' (--port=9000).
Logging: RUST_LOG (default: info).
";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub demo: bool,
    pub listen: SocketAddr,
    pub static_dir: PathBuf,
    pub seed: u64,
    pub events: usize,
    pub days: u32,
    pub rate_limit: u32,
    /// `--no-live`: `Live::Off`.
    pub live: Live,
    /// `--bucket-events N`: events in each demo bucket.
    pub bucket_events: usize,
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// Whether --listen/--port and --static-dir were given (they override the config file).
    pub listen_given: bool,
    pub static_dir_given: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            demo: false,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            static_dir: PathBuf::from("dist"),
            seed: 42,
            events: 60_000,
            days: 30,
            rate_limit: 2,
            live: Live::On,
            bucket_events: DEFAULT_BUCKET_EVENTS,
            config: None,
            listen_given: false,
            static_dir_given: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Run(Args),
    Help,
    Version,
    /// `--print-csp DIR`: the Content-Security-Policy for `DIR/index.html` (for a CDN).
    PrintCsp(PathBuf),
}

pub const MAX_EVENTS: usize = 2_000_000;
/// The most `--bucket-events` (files are generated on request, so a bucket costs little until
/// it is read).
pub const MAX_BUCKET_EVENTS: usize = 100_000_000;

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag}: not a valid number: '{v}'"))
}

/// Parse the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut a = Args::default();
    let (mut listen, mut port) = (None, None);
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let takes_value = matches!(
            flag.as_str(),
            "--listen"
                | "--print-csp"
                | "--config"
                | "--port"
                | "--static-dir"
                | "--seed"
                | "--events"
                | "--days"
                | "--rate-limit"
                | "--bucket-events"
        );
        let value = if takes_value {
            match inline {
                Some(v) => v,
                None => it.next().ok_or_else(|| format!("{flag} needs a value"))?,
            }
        } else if inline.is_some() {
            return Err(format!("{flag} takes no value"));
        } else {
            String::new()
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--demo" => a.demo = true,
            "--no-live" => a.live = Live::Off,
            "--print-csp" => return Ok(Command::PrintCsp(PathBuf::from(value))),
            "--config" => a.config = Some(PathBuf::from(value)),
            "--listen" => {
                listen = Some(value.parse::<SocketAddr>().map_err(|_| {
                    format!("--listen: not an address like 127.0.0.1:8080 or [::1]:8080: '{value}'")
                })?)
            }
            "--port" => {
                let p: u16 = number("--port", &value)?;
                if p == 0 {
                    return Err("--port: 0 is not a port to serve on".into());
                }
                port = Some(p);
            }
            "--static-dir" => {
                a.static_dir = PathBuf::from(value);
                a.static_dir_given = true;
            }
            "--seed" => a.seed = number("--seed", &value)?,
            "--events" => {
                a.events = number("--events", &value)?;
                if a.events > MAX_EVENTS {
                    return Err(format!("--events: at most {MAX_EVENTS}"));
                }
            }
            "--days" => {
                a.days = number("--days", &value)?;
                if !(1..=3650).contains(&a.days) {
                    return Err("--days: from 1 to 3650".into());
                }
            }
            "--rate-limit" => a.rate_limit = number("--rate-limit", &value)?,
            "--bucket-events" => {
                a.bucket_events = number("--bucket-events", &value)?;
                if a.bucket_events > MAX_BUCKET_EVENTS {
                    return Err(format!("--bucket-events: at most {MAX_BUCKET_EVENTS}"));
                }
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    match (listen, port) {
        (Some(_), Some(_)) => return Err("give --listen or --port, not both".into()),
        (Some(l), None) => a.listen = l,
        (None, Some(p)) => a.listen = SocketAddr::from((Ipv4Addr::LOCALHOST, p)),
        (None, None) => {}
    }
    a.listen_given = listen.is_some() || port.is_some();
    if a.demo && a.config.is_some() {
        return Err("give --demo or --config, not both".into());
    }
    Ok(Command::Run(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Command, String> {
        parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn flags() {
        assert_eq!(
            p("--demo"),
            Ok(Command::Run(Args {
                demo: true,
                ..Args::default()
            }))
        );
        let Ok(Command::Run(a)) =
            p("--demo --port 9000 --static-dir /x --seed 7 --events=1000 --rate-limit 0 --days 3")
        else {
            panic!()
        };
        assert_eq!(a.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!((a.seed, a.events, a.rate_limit, a.days), (7, 1000, 0, 3));
        assert_eq!(a.static_dir, PathBuf::from("/x"));
        assert_eq!(a.bucket_events, DEFAULT_BUCKET_EVENTS);
        assert_eq!(a.live, Live::On);
        let Ok(Command::Run(a)) = p("--demo --no-live") else {
            panic!()
        };
        assert_eq!(a.live, Live::Off);
        assert_eq!(
            p("--no-live=1"),
            Err("--no-live takes no value".to_string())
        );
        let Ok(Command::Run(a)) = p("--demo --bucket-events 100000") else {
            panic!()
        };
        assert_eq!(a.bucket_events, 100_000);
        assert!(USAGE.contains("--bucket-events N"));
        let Ok(Command::Run(a)) = p("--listen=[::1]:8081") else {
            panic!()
        };
        assert_eq!(a.listen, "[::1]:8081".parse().unwrap());
        assert!(!a.demo);
        assert_eq!(p("--help"), Ok(Command::Help));
        assert_eq!(
            p("--print-csp dist"),
            Ok(Command::PrintCsp(PathBuf::from("dist")))
        );
        let Ok(Command::Run(a)) = p("--config t.toml --listen 0.0.0.0:1") else {
            panic!()
        };
        assert_eq!(a.config, Some(PathBuf::from("t.toml")));
        assert!(a.listen_given && !a.static_dir_given && !a.demo);
        assert_eq!(p("-V"), Ok(Command::Version));
    }

    #[test]
    fn errors() {
        for bad in [
            "--port",
            "--port x",
            "--port 0",
            "--listen 8080",
            "--listen 127.0.0.1:1 --port 2",
            "--events -1",
            "--events 99999999",
            "--bucket-events x",
            "--bucket-events 1000000000",
            "--days 0",
            "--demo=1",
            "--demo --config x.toml",
            "--config",
            "--frobnicate",
            "demo",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }
}
