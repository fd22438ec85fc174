//! `--config trailview.toml`: the signing proxy's configuration (see `trailview.example.toml`,
//! which documents every key). [`FileConfig`] is the file as written; [`Config::resolve`] merges
//! it with the environment (credentials, `AWS_REGION`) and `--listen`, applies defaults and
//! checks everything that can be checked before starting, with messages that say what to do.

use crate::sign::aws::AwsCredentials;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use trailview_core::catalogue::{Caller, Limit, OPERATIONS};

/// A secret string: never printed by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub static_dir: Option<PathBuf>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub auth: AuthFile,
    #[serde(default)]
    pub cors: CorsFile,
    #[serde(default)]
    pub limits: LimitsFile,
    /// Operation name → calls per second for all users together (0 = unlimited).
    #[serde(default)]
    pub rate_limits: BTreeMap<String, u32>,
    pub aliyun: Option<AliyunFile>,
    pub aws: Option<AwsFile>,
    /// Count the rate limits in this Redis, shared by every replica (else in each process).
    pub redis: Option<RedisFile>,
}

/// `[redis]`: the shared rate limiter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisFile {
    /// `redis://[:password@]host[:port][/db]` or `redis+unix:///path/to/redis.sock`.
    pub url: Option<Secret>,
    /// [`RedisConfig::timeout`], in milliseconds.
    pub timeout_ms: Option<u64>,
    /// [`RedisConfig::key_prefix`].
    pub key_prefix: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    #[serde(default)]
    pub bearer_tokens: Vec<Secret>,
    /// Name of an environment variable holding one more token.
    pub bearer_token_env: Option<String>,
    /// A header an authenticating reverse proxy sets (e.g. `X-Forwarded-User`).
    pub identity_header: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsFile {
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    pub max_body_bytes: Option<usize>,
    pub max_header_bytes: Option<usize>,
    pub max_query_bytes: Option<usize>,
    pub upstream_timeout_secs: Option<u64>,
    pub connect_timeout_secs: Option<u64>,
    /// [`ServeLimits::header_timeout`], in seconds.
    pub header_timeout_secs: Option<u64>,
    /// [`ServeLimits::idle_timeout`], in seconds.
    pub idle_timeout_secs: Option<u64>,
    /// [`ServeLimits::max_connections`].
    pub max_connections: Option<usize>,
    /// [`ServeLimits::drain_timeout`], in seconds.
    pub drain_timeout_secs: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum AliyunSignature {
    /// ACS3-HMAC-SHA256.
    V3,
    /// RPC HMAC-SHA1.
    V1,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliyunFile {
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<Secret>,
    pub security_token: Option<Secret>,
    pub signature: Option<AliyunSignature>,
    pub actiontrail: Option<EndpointFile>,
    pub cdn: Option<EndpointFile>,
    pub oss: Option<OssFile>,
    pub sls: Option<SlsFile>,
}

/// `[aliyun.sls]`: the SLS region (and optional endpoint) and the projects GetLogs and
/// ListLogStores may read.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlsFile {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    #[serde(default)]
    pub projects: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsFile {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
    pub session_token: Option<Secret>,
    pub logs: Option<EndpointFile>,
    pub cloudtrail: Option<EndpointFile>,
    pub s3: Option<BucketFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointFile {
    pub region: Option<String>,
    pub endpoint: Option<String>,
}

/// `[aws.s3]`: the one bucket the proxy reads trail files from.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketFile {
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
}

/// `[aliyun.oss]`: a bucket, plus the OSS signature version.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OssFile {
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub signature: Option<OssSignatureFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum OssSignatureFile {
    /// OSS4-HMAC-SHA256.
    V4,
    /// `Authorization: OSS <id>:<HMAC-SHA1>`.
    V1,
}

// ---------------------------------------------------------------------------------------------
// Resolved

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVersion {
    V3,
    V1,
}

#[derive(Debug, Clone)]
pub struct AliyunCredentials {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
}

/// Where one service is: `scheme://authority` (no path), the `Host` to sign, and the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub base: String,
    pub host: String,
    pub region: String,
}

impl Endpoint {
    fn parse(url: &str, region: String) -> Result<Endpoint, String> {
        let uri: http::Uri = url
            .parse()
            .map_err(|_| format!("endpoint '{url}' is not a URL like https://host[:port]"))?;
        let scheme = uri.scheme_str().unwrap_or("");
        if scheme != "https" && scheme != "http" {
            return Err(format!(
                "endpoint '{url}': the scheme must be https or http"
            ));
        }
        let host = uri
            .authority()
            .ok_or_else(|| format!("endpoint '{url}' has no host"))?
            .as_str()
            .to_string();
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(format!(
                "endpoint '{url}': give only scheme, host and port (no path)"
            ));
        }
        Ok(Endpoint {
            base: format!("{scheme}://{host}"),
            host,
            region,
        })
    }
}

/// `[aliyun.sls]` resolved. A project's host is `<project>.<endpoint host>` (default endpoint
/// `https://<region>.log.aliyuncs.com`); an endpoint on an IP address or `localhost` (a test
/// double) is connected to as it is, with that `Host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlsConfig {
    pub endpoint: Endpoint,
    pub projects: Vec<String>,
}

impl SlsConfig {
    /// The URL base to connect to and the `Host` to sign for `project`.
    pub fn target(&self, project: &str) -> (String, String) {
        let host = format!("{project}.{}", self.endpoint.host);
        let name = self
            .endpoint
            .host
            .rsplit_once(':')
            .map_or(self.endpoint.host.as_str(), |(h, _)| h);
        let direct = name == "localhost"
            || name.parse::<std::net::IpAddr>().is_ok()
            || name.starts_with('[');
        let base = if direct {
            self.endpoint.base.clone()
        } else {
            let scheme = self.endpoint.base.split("://").next().unwrap_or("https");
            format!("{scheme}://{host}")
        };
        (base, host)
    }
}

/// How OSS requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OssSignature {
    /// OSS4-HMAC-SHA256 (the default).
    V4,
    /// OSS V1, HMAC-SHA1.
    V1,
}

/// How the bucket is named in the URL the proxy calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    /// `https://{bucket}.{service host}/{key}`: the clouds' own endpoints (OSS serves only
    /// this form; S3 buckets created since 2020 too).
    VirtualHosted,
    /// `{endpoint}/{bucket}/{key}`: an endpoint given without the bucket in its host (a
    /// private or compatible endpoint such as MinIO, or a test double).
    Path,
}

/// The one bucket a storage API reads: where, and under which prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketConfig {
    /// The endpoint called: the bucket's host when virtual-hosted.
    pub endpoint: Endpoint,
    pub addressing: Addressing,
    pub bucket: String,
    /// Every key forwarded is under this folder: `""` (the whole bucket) or ending in `/`.
    pub prefix: String,
}

impl BucketConfig {
    /// `[aliyun.oss]` / `[aws.s3]` resolved: `default_host(region)` is the service host
    /// (`oss-cn-hangzhou.aliyuncs.com`) the bucket's virtual host is under.
    fn resolve(
        section: &str,
        bucket: Option<String>,
        prefix: Option<String>,
        region: String,
        endpoint: Option<String>,
        default_host: &str,
    ) -> Result<BucketConfig, String> {
        let bucket = non_empty(bucket)
            .ok_or_else(|| format!("{section} needs bucket = \"<bucket name>\""))?;
        if !valid_bucket_name(&bucket) {
            return Err(format!(
                "{section} bucket '{bucket}' is not a bucket name (3 to 63 letters, digits, '.', '-' or '_', starting and ending with a letter or digit)"
            ));
        }
        let prefix = match non_empty(prefix) {
            None => String::new(),
            Some(p) => {
                let p = p.trim_matches('/').to_string();
                trailview_core::trail_files::keys::check_key_form(
                    &p,
                    trailview_core::trail_files::KeyUse::Object,
                )
                .map_err(|e| format!("{section} prefix '{p}': {e}"))?;
                format!("{p}/")
            }
        };
        let (url, addressing) = match non_empty(endpoint) {
            // A bucket name with a dot would be a host the store's wildcard certificate does
            // not cover (`a.b.s3.….amazonaws.com`): such a bucket is addressed by path.
            None if bucket.contains('.') => (format!("https://{default_host}"), Addressing::Path),
            None => (
                format!("https://{bucket}.{default_host}"),
                Addressing::VirtualHosted,
            ),
            Some(url) => {
                let host = url
                    .split_once("://")
                    .map_or(url.as_str(), |(_, rest)| rest)
                    .to_ascii_lowercase();
                let addressing = if host.starts_with(&format!("{}.", bucket.to_ascii_lowercase())) {
                    Addressing::VirtualHosted
                } else {
                    Addressing::Path
                };
                (url, addressing)
            }
        };
        let endpoint = Endpoint::parse(&url, region).map_err(|e| format!("{section} {e}"))?;
        Ok(BucketConfig {
            endpoint,
            addressing,
            bucket,
            prefix,
        })
    }
}

/// 3 to 63 of `a-z A-Z 0-9 . - _`, starting and ending with a letter or digit (OSS and current
/// S3 names are lowercase; legacy S3 names may have capitals and `_`).
pub fn valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
}

/// `[redis]` resolved: where the shared rate limits are counted.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// The URL as given (it may hold a password: never logged).
    pub url: Secret,
    /// Where, for logs and answers: `host:port/db` (or the socket's path), no password.
    pub display: String,
    /// A call to Redis (connecting included) that takes longer fails, and the call it was
    /// admitting is answered 503: a hung Redis does not hang requests.
    pub timeout: Duration,
    /// Prepended to every key (`{prefix}{operation}`, per operation as the clouds count per
    /// account), to share one Redis between deployments that must not share limits (another
    /// account).
    pub key_prefix: String,
}

/// 500 ms for a call to Redis: far above a healthy Redis on the same network (well under a
/// millisecond), and within the app's patience for a call that then fails.
pub const DEFAULT_REDIS_TIMEOUT_MS: u64 = 500;
pub const DEFAULT_REDIS_KEY_PREFIX: &str = "trailview:rate:";

impl RedisConfig {
    /// A `[redis] url` checked (scheme, host, database) before starting.
    pub fn parse(url: &str, timeout: Duration, key_prefix: String) -> Result<RedisConfig, String> {
        let scheme = url.split_once("://").map_or("", |(s, _)| s);
        match scheme {
            "redis" | "redis+unix" | "unix" | "valkey" | "valkey+unix" => {}
            "rediss" | "valkeys" => {
                return Err(
                    "[redis] url: TLS (rediss://) is not built in; reach Redis over a \
                            private network or a local TLS tunnel (stunnel, spiped) and give \
                            its redis:// address"
                        .into(),
                )
            }
            _ => {
                return Err(
                    "[redis] url must look like redis://[:password@]host[:port][/db] or \
                     redis+unix:///path/to/redis.sock"
                        .into(),
                )
            }
        }
        let info = redis::IntoConnectionInfo::into_connection_info(url).map_err(|e| {
            format!(
                "[redis] url is not a Redis URL: {}",
                e.detail().unwrap_or("")
            )
        })?;
        let display = format!("{}/{}", info.addr(), info.redis_settings().db());
        Ok(RedisConfig {
            url: Secret(url.to_string()),
            display,
            timeout,
            key_prefix,
        })
    }

    fn from_file(f: RedisFile) -> Result<RedisConfig, String> {
        let url = f
            .url
            .filter(|u| !u.0.trim().is_empty())
            .ok_or("[redis] needs url = \"redis://host:6379\" (or remove [redis] to count the rate limits in each process)")?;
        let timeout = match f.timeout_ms {
            Some(0) => return Err("[redis] timeout_ms must be at least 1".into()),
            v => Duration::from_millis(v.unwrap_or(DEFAULT_REDIS_TIMEOUT_MS)),
        };
        RedisConfig::parse(
            url.0.trim(),
            timeout,
            f.key_prefix
                .unwrap_or_else(|| DEFAULT_REDIS_KEY_PREFIX.to_string()),
        )
    }
}

#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    pub actiontrail: Option<Endpoint>,
    pub cdn: Option<Endpoint>,
    pub logs: Option<Endpoint>,
    /// `[aws.cloudtrail]`: CloudTrail's endpoint (LookupEvents).
    pub cloudtrail: Option<Endpoint>,
    /// `[aliyun.oss]`: the bucket ListObjectsV2 / GetObject / HeadObject read on OSS.
    pub oss: Option<BucketConfig>,
    pub oss_signature: OssSignature,
    /// `[aliyun.sls]`: GetLogs and ListLogStores on the configured projects.
    pub sls: Option<SlsConfig>,
    /// `[aws.s3]`: the bucket they read on S3.
    pub s3: Option<BucketConfig>,
    pub aliyun: Option<AliyunCredentials>,
    pub aws: Option<AwsCredentials>,
    pub signature: SignatureVersion,
    pub read_only: bool,
    pub rate_limits: BTreeMap<String, u32>,
    /// `[redis]`: the rate limits are counted there, shared by every replica; `None`: in
    /// each process.
    pub redis: Option<RedisConfig>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct SecurityConfig {
    pub bearer_tokens: Vec<Secret>,
    pub identity_header: Option<http::HeaderName>,
    pub cors_origins: Vec<http::HeaderValue>,
    pub max_body_bytes: usize,
    pub max_header_bytes: usize,
    pub max_query_bytes: usize,
}

impl SecurityConfig {
    pub fn auth_configured(&self) -> bool {
        !self.bearer_tokens.is_empty() || self.identity_header.is_some()
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            bearer_tokens: Vec::new(),
            identity_header: None,
            cors_origins: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY,
            max_header_bytes: DEFAULT_MAX_HEADER,
            max_query_bytes: DEFAULT_MAX_QUERY,
        }
    }
}

/// How connections are served ([`crate::serve`]), in every mode (`[limits]` with `--config`;
/// the defaults with `--demo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// A request's head must arrive within this of its first byte (or of the connection
    /// opening); else the connection is closed.
    pub header_timeout: Duration,
    /// A kept-alive connection with no new request for this long is closed.
    pub idle_timeout: Duration,
    /// Open connections at most (see [`crate::serve`] for what happens at the cap).
    pub max_connections: usize,
    /// On SIGTERM or Ctrl-C, how long requests in flight may take to finish.
    pub drain_timeout: Duration,
}

/// 10 s for a request head (API clients send theirs at once; a slow-header client cannot hold
/// a connection longer).
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// 75 s keep-alive, as nginx: above the 60 s idle timeout of common load balancers, so the
/// balancer, not the proxy, closes an idle connection first.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 75;
/// 1024 connections, as nginx's `worker_connections` (the fd limit must leave room: the
/// proxy warns at start when it does not).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// 20 s to drain: inside Kubernetes' default 30 s grace period.
pub const DEFAULT_DRAIN_TIMEOUT_SECS: u64 = 20;

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            idle_timeout: Duration::from_secs(DEFAULT_IDLE_TIMEOUT_SECS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            drain_timeout: Duration::from_secs(DEFAULT_DRAIN_TIMEOUT_SECS),
        }
    }
}

impl ServeLimits {
    fn from_file(l: &LimitsFile) -> Result<ServeLimits, String> {
        let secs = |v: Option<u64>, default: u64, key: &str| match v {
            Some(0) => Err(format!("[limits] {key} must be at least 1")),
            v => Ok(Duration::from_secs(v.unwrap_or(default))),
        };
        Ok(ServeLimits {
            header_timeout: secs(
                l.header_timeout_secs,
                DEFAULT_HEADER_TIMEOUT_SECS,
                "header_timeout_secs",
            )?,
            idle_timeout: secs(
                l.idle_timeout_secs,
                DEFAULT_IDLE_TIMEOUT_SECS,
                "idle_timeout_secs",
            )?,
            max_connections: match l.max_connections {
                Some(0) => return Err("[limits] max_connections must be at least 1".into()),
                v => v.unwrap_or(DEFAULT_MAX_CONNECTIONS),
            },
            drain_timeout: secs(
                l.drain_timeout_secs,
                DEFAULT_DRAIN_TIMEOUT_SECS,
                "drain_timeout_secs",
            )?,
        })
    }
}

pub const DEFAULT_MAX_BODY: usize = 16 * 1024;
pub const DEFAULT_MAX_HEADER: usize = 16 * 1024;
pub const DEFAULT_MAX_QUERY: usize = 4 * 1024;

/// The defaults for `[rate_limits]`: the catalogue's documented per-account limits of the
/// operations the proxy forwards (an assumed limit is the app's pacing, not the cloud's).
pub fn default_rate_limits() -> BTreeMap<String, u32> {
    OPERATIONS
        .iter()
        .filter(|o| o.caller == Caller::App)
        .filter_map(|o| match o.limit {
            Limit::Documented(n) => Some((o.rate_key(), n)),
            Limit::Assumed(_) => None,
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub static_dir: PathBuf,
    pub upstream: UpstreamConfig,
    pub security: SecurityConfig,
    pub serve: ServeLimits,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Read and resolve a config file; `env` looks up environment variables.
    pub fn load(
        path: &std::path::Path,
        listen_override: Option<SocketAddr>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
        Config::from_toml(&text, listen_override, env)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_toml(
        text: &str,
        listen_override: Option<SocketAddr>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, String> {
        let file: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        Config::resolve(file, listen_override, env)
    }

    pub fn resolve(
        file: FileConfig,
        listen_override: Option<SocketAddr>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, String> {
        let env = |k: &str| non_empty(env(k));
        let listen = match (listen_override, &file.listen) {
            (Some(l), _) => l,
            (None, Some(l)) => l
                .parse()
                .map_err(|_| format!("listen: not an address like 127.0.0.1:8080: '{l}'"))?,
            (None, None) => "127.0.0.1:8080".parse().expect("valid"),
        };

        // Alibaba Cloud.
        let aliyun_file = file.aliyun.unwrap_or_default();
        let at = aliyun_file
            .actiontrail
            .map(|e| {
                let region = non_empty(e.region).unwrap_or_else(|| "cn-hangzhou".into());
                let url = non_empty(e.endpoint)
                    .unwrap_or_else(|| format!("https://actiontrail.{region}.aliyuncs.com"));
                Endpoint::parse(&url, region).map_err(|e| format!("[aliyun.actiontrail] {e}"))
            })
            .transpose()?;
        let cdn = aliyun_file
            .cdn
            .map(|e| {
                let region = non_empty(e.region).unwrap_or_else(|| "cn-hangzhou".into());
                let url =
                    non_empty(e.endpoint).unwrap_or_else(|| "https://cdn.aliyuncs.com".into());
                Endpoint::parse(&url, region).map_err(|e| format!("[aliyun.cdn] {e}"))
            })
            .transpose()?;
        let oss_signature = match aliyun_file.oss.as_ref().and_then(|o| o.signature.as_ref()) {
            Some(OssSignatureFile::V1) => OssSignature::V1,
            _ => OssSignature::V4,
        };
        let oss = aliyun_file
            .oss
            .map(|o| {
                let region = non_empty(o.region).unwrap_or_else(|| "cn-hangzhou".into());
                let host = format!("oss-{region}.aliyuncs.com");
                BucketConfig::resolve(
                    "[aliyun.oss]",
                    o.bucket,
                    o.prefix,
                    region,
                    o.endpoint,
                    &host,
                )
            })
            .transpose()?;
        let sls = aliyun_file
            .sls
            .map(|f| {
                let region = non_empty(f.region).unwrap_or_else(|| "cn-hangzhou".into());
                let url = non_empty(f.endpoint)
                    .unwrap_or_else(|| format!("https://{region}.log.aliyuncs.com"));
                let endpoint =
                    Endpoint::parse(&url, region).map_err(|e| format!("[aliyun.sls] {e}"))?;
                if f.projects.is_empty() {
                    return Err(
                        "[aliyun.sls] projects: name the projects the proxy may read".to_string(),
                    );
                }
                if let Some(bad) = f.projects.iter().find(|p| !crate::sls::valid_project(p)) {
                    return Err(format!(
                        "[aliyun.sls] projects: '{bad}' is not an SLS project name"
                    ));
                }
                Ok(SlsConfig {
                    endpoint,
                    projects: f.projects,
                })
            })
            .transpose()?;
        let aliyun = if at.is_some() || cdn.is_some() || oss.is_some() || sls.is_some() {
            let id = env("ALIBABA_CLOUD_ACCESS_KEY_ID").or(non_empty(aliyun_file.access_key_id));
            let secret = env("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
                .map(Secret)
                .or(aliyun_file.access_key_secret.filter(|s| !s.0.is_empty()));
            let token = env("ALIBABA_CLOUD_SECURITY_TOKEN")
                .map(Secret)
                .or(aliyun_file.security_token.filter(|s| !s.0.is_empty()));
            match (id, secret) {
                (Some(access_key_id), Some(access_key_secret)) => Some(AliyunCredentials {
                    access_key_id,
                    access_key_secret,
                    security_token: token,
                }),
                _ => return Err(
                    "[aliyun] services are configured but there are no Alibaba Cloud credentials: \
                         set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET \
                         (and ALIBABA_CLOUD_SECURITY_TOKEN for STS), or access_key_id and \
                         access_key_secret under [aliyun]"
                        .into(),
                ),
            }
        } else {
            None
        };

        // AWS.
        let aws_file = file.aws.unwrap_or_default();
        // A JSON 1.1 service's endpoint: `https://{service}.{region}.amazonaws.com[.cn]` unless
        // `endpoint` is given.
        let aws_endpoint = |e: EndpointFile, service: &str| -> Result<Endpoint, String> {
            let region = non_empty(e.region)
                .or_else(|| env("AWS_REGION"))
                .ok_or(format!(
                    "[aws.{service}] needs a region (region = \"us-east-1\" or AWS_REGION)"
                ))?;
            let suffix = if region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            let url = non_empty(e.endpoint)
                .unwrap_or_else(|| format!("https://{service}.{region}.{suffix}"));
            Endpoint::parse(&url, region).map_err(|e| format!("[aws.{service}] {e}"))
        };
        let logs = aws_file.logs.map(|e| aws_endpoint(e, "logs")).transpose()?;
        let cloudtrail = aws_file
            .cloudtrail
            .map(|e| aws_endpoint(e, "cloudtrail"))
            .transpose()?;
        let s3 = aws_file
            .s3
            .map(|b| {
                let region = non_empty(b.region).or_else(|| env("AWS_REGION")).ok_or(
                    "[aws.s3] needs a region (region = \"us-east-1\" or AWS_REGION)".to_string(),
                )?;
                let suffix = if region.starts_with("cn-") {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                let host = format!("s3.{region}.{suffix}");
                BucketConfig::resolve("[aws.s3]", b.bucket, b.prefix, region, b.endpoint, &host)
            })
            .transpose()?;
        let aws = if logs.is_some() || cloudtrail.is_some() || s3.is_some() {
            let id = env("AWS_ACCESS_KEY_ID").or(non_empty(aws_file.access_key_id));
            let secret = env("AWS_SECRET_ACCESS_KEY")
                .map(Secret)
                .or(aws_file.secret_access_key.filter(|s| !s.0.is_empty()));
            let token = env("AWS_SESSION_TOKEN")
                .map(Secret)
                .or(aws_file.session_token.filter(|s| !s.0.is_empty()));
            match (id, secret) {
                (Some(access_key_id), Some(secret)) => Some(AwsCredentials {
                    access_key_id,
                    secret_access_key: secret.0,
                    session_token: token.map(|t| t.0),
                }),
                _ => return Err(
                    "[aws.logs], [aws.cloudtrail] or [aws.s3] is configured but there are no AWS credentials: set \
                         AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for \
                         STS), or access_key_id and secret_access_key under [aws]"
                        .into(),
                ),
            }
        } else {
            None
        };
        if at.is_none()
            && cdn.is_none()
            && logs.is_none()
            && cloudtrail.is_none()
            && oss.is_none()
            && s3.is_none()
            && sls.is_none()
        {
            return Err(
                "no upstream is configured: add [aliyun.actiontrail], [aliyun.cdn], \
                 [aliyun.oss], [aliyun.sls], [aws.logs], [aws.cloudtrail] and/or [aws.s3] (see trailview.example.toml), or run \
                 with --demo"
                    .into(),
            );
        }

        // Authentication.
        let mut tokens: Vec<Secret> = file
            .auth
            .bearer_tokens
            .into_iter()
            .filter(|t| !t.0.is_empty())
            .collect();
        if let Some(var) = file.auth.bearer_token_env {
            match env(&var) {
                Some(t) => tokens.push(Secret(t)),
                None => {
                    return Err(format!(
                    "[auth] bearer_token_env = \"{var}\" but that environment variable is not set"
                ))
                }
            }
        }
        if tokens.iter().any(|t| t.0.len() < 16) {
            return Err("[auth] bearer tokens must be at least 16 characters (use e.g. `openssl rand -hex 24`)".into());
        }
        let identity_header = file
            .auth
            .identity_header
            .map(|h| {
                http::HeaderName::from_bytes(h.trim().as_bytes())
                    .map_err(|_| format!("[auth] identity_header '{h}' is not a header name"))
            })
            .transpose()?;
        if identity_header
            .as_ref()
            .is_some_and(|h| h == http::header::AUTHORIZATION || h == http::header::COOKIE)
        {
            return Err("[auth] identity_header cannot be Authorization or Cookie".into());
        }
        let cors_origins = file
            .cors
            .allowed_origins
            .iter()
            .map(|o| {
                let ok = (o.starts_with("https://") || o.starts_with("http://"))
                    && !o.trim_end_matches('/').contains(['*', ' '])
                    && o.matches('/').count() == 2;
                if !ok {
                    return Err(format!(
                        "[cors] allowed_origins: '{o}' is not an origin like https://app.example.com (no path, no wildcard)"
                    ));
                }
                http::HeaderValue::from_str(o).map_err(|_| format!("[cors] bad origin '{o}'"))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let security = SecurityConfig {
            bearer_tokens: tokens,
            identity_header,
            cors_origins,
            max_body_bytes: file.limits.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY),
            max_header_bytes: file.limits.max_header_bytes.unwrap_or(DEFAULT_MAX_HEADER),
            max_query_bytes: file.limits.max_query_bytes.unwrap_or(DEFAULT_MAX_QUERY),
        };
        if !security.auth_configured() && !listen.ip().is_loopback() {
            return Err(format!(
                "refusing to listen on {listen} without authentication: anyone who can reach it could \
                 use the configured cloud credentials. Either listen on a loopback address \
                 (127.0.0.1 or [::1]) for a single user, or configure [auth] bearer_tokens / \
                 bearer_token_env and/or identity_header (an authenticating proxy in front)"
            ));
        }

        let serve = ServeLimits::from_file(&file.limits)?;
        let mut rate_limits = default_rate_limits();
        rate_limits.extend(file.rate_limits);
        let redis = file.redis.map(RedisConfig::from_file).transpose()?;

        Ok(Config {
            listen,
            static_dir: file.static_dir.unwrap_or_else(|| PathBuf::from("dist")),
            upstream: UpstreamConfig {
                actiontrail: at,
                cdn,
                logs,
                cloudtrail,
                oss,
                oss_signature,
                sls,
                s3,
                aliyun,
                aws,
                signature: match aliyun_file.signature {
                    Some(AliyunSignature::V1) => SignatureVersion::V1,
                    _ => SignatureVersion::V3,
                },
                read_only: file.read_only,
                rate_limits,
                redis,
                timeout: Duration::from_secs(
                    file.limits.upstream_timeout_secs.unwrap_or(30).max(1),
                ),
                connect_timeout: Duration::from_secs(
                    file.limits.connect_timeout_secs.unwrap_or(10).max(1),
                ),
            },
            security,
            serve,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    const FULL: &str = r#"
listen = "127.0.0.1:8080"
[aliyun.actiontrail]
region = "cn-shanghai"
[aliyun.cdn]
[aws.logs]
region = "us-east-1"
endpoint = "http://127.0.0.1:9002"
"#;

    #[test]
    fn example_shape_with_env_credentials() {
        let env = env_of(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIexample"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s3cr3t"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "awssecret"),
            ("AWS_SESSION_TOKEN", "tok"),
        ]);
        let c = Config::from_toml(FULL, None, &env).unwrap();
        let at = c.upstream.actiontrail.unwrap();
        assert_eq!(at.base, "https://actiontrail.cn-shanghai.aliyuncs.com");
        assert_eq!(c.upstream.cdn.unwrap().host, "cdn.aliyuncs.com");
        let logs = c.upstream.logs.unwrap();
        assert_eq!(
            (logs.base.as_str(), logs.host.as_str()),
            ("http://127.0.0.1:9002", "127.0.0.1:9002")
        );
        assert_eq!(c.upstream.aliyun.unwrap().access_key_secret.0, "s3cr3t");
        assert_eq!(
            c.upstream.aws.unwrap().session_token.as_deref(),
            Some("tok")
        );
        assert_eq!(c.upstream.signature, SignatureVersion::V3);
        assert_eq!(c.upstream.rate_limits["LookupEvents"], 2);
        assert_eq!(c.upstream.rate_limits["DescribeCdnDeliverList"], 3);
        assert!(!c.security.auth_configured());
        assert_eq!(c.serve, ServeLimits::default());
    }

    #[test]
    fn serve_limits() {
        let creds = env_of(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b"),
        ]);
        let c = Config::from_toml(
            "[limits]\nheader_timeout_secs = 3\nidle_timeout_secs = 30\nmax_connections = 50\ndrain_timeout_secs = 5\n[aliyun.actiontrail]\n",
            None,
            &creds,
        )
        .unwrap();
        assert_eq!(
            c.serve,
            ServeLimits {
                header_timeout: Duration::from_secs(3),
                idle_timeout: Duration::from_secs(30),
                max_connections: 50,
                drain_timeout: Duration::from_secs(5),
            }
        );
        for bad in [
            "max_connections = 0",
            "header_timeout_secs = 0",
            "idle_timeout_secs = 0",
            "drain_timeout_secs = 0",
            "max_connections = -1",
        ] {
            let text = format!("[limits]\n{bad}\n[aliyun.actiontrail]\n");
            assert!(Config::from_toml(&text, None, &creds).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_credentials_and_overrides() {
        let text = r#"
read_only = true
[rate_limits]
LookupEvents = 1
[aliyun]
access_key_id = "id"
access_key_secret = "filesecret"
signature = "v1"
[aliyun.actiontrail]
endpoint = "http://127.0.0.1:9001"
"#;
        let c = Config::from_toml(text, Some("[::1]:9000".parse().unwrap()), &env_of(&[])).unwrap();
        assert_eq!(c.listen, "[::1]:9000".parse().unwrap());
        assert!(c.upstream.read_only);
        assert_eq!(c.upstream.signature, SignatureVersion::V1);
        assert_eq!(c.upstream.rate_limits["LookupEvents"], 1);
        assert_eq!(c.upstream.actiontrail.unwrap().region, "cn-hangzhou");
        // The secret is not in Debug output.
        let dbg = format!("{:?}", c.upstream.aliyun);
        assert!(!dbg.contains("filesecret"), "{dbg}");
    }

    #[test]
    fn refusals_say_why() {
        let none = env_of(&[]);
        let e = Config::from_toml("[aliyun.actiontrail]\n", None, &none).unwrap_err();
        assert!(e.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{e}");
        let e = Config::from_toml("[aws.logs]\nregion='us-east-1'\n", None, &none).unwrap_err();
        assert!(e.contains("AWS_ACCESS_KEY_ID"), "{e}");
        let e = Config::from_toml("", None, &none).unwrap_err();
        assert!(e.contains("--demo"), "{e}");
        let creds = env_of(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b"),
        ]);
        let e = Config::from_toml(
            "listen='0.0.0.0:8080'\n[aliyun.actiontrail]\n",
            None,
            &creds,
        )
        .unwrap_err();
        assert!(e.contains("without authentication"), "{e}");
        // With auth, a public address is fine.
        let ok = Config::from_toml(
            "listen='0.0.0.0:8080'\n[auth]\nidentity_header='X-Forwarded-User'\n[aliyun.actiontrail]\n",
            None,
            &creds,
        );
        assert!(ok.is_ok());
        for bad in [
            "typo = 1\n[aliyun.actiontrail]\n",
            "[aliyun.actiontrail]\nendpoint='ftp://x'\n",
            "[aliyun.actiontrail]\nendpoint='http://x/path'\n",
            "[aliyun]\nsignature='v2'\n[aliyun.actiontrail]\n",
            "[auth]\nbearer_tokens=['short']\n[aliyun.actiontrail]\n",
            "[auth]\nbearer_token_env='NOPE_NOT_SET'\n[aliyun.actiontrail]\n",
            "[cors]\nallowed_origins=['*']\n[aliyun.actiontrail]\n",
            "[cors]\nallowed_origins=['https://a.example/path']\n[aliyun.actiontrail]\n",
        ] {
            assert!(Config::from_toml(bad, None, &creds).is_err(), "{bad}");
        }
    }

    #[test]
    fn buckets() {
        let env = env_of(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b"),
            ("AWS_ACCESS_KEY_ID", "c"),
            ("AWS_SECRET_ACCESS_KEY", "d"),
            ("AWS_REGION", "eu-west-1"),
        ]);
        let text = r#"
[aliyun.oss]
bucket = "trail-oss"
prefix = "/logs/"
[aws.s3]
bucket = "trail-s3"
prefix = "org/trail"
"#;
        let c = Config::from_toml(text, None, &env).unwrap();
        let oss = c.upstream.oss.unwrap();
        assert_eq!(
            oss.endpoint.base,
            "https://trail-oss.oss-cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(oss.endpoint.region, "cn-hangzhou");
        assert_eq!(oss.addressing, Addressing::VirtualHosted);
        assert_eq!(oss.prefix, "logs/");
        assert_eq!(c.upstream.oss_signature, OssSignature::V4);
        let s3 = c.upstream.s3.unwrap();
        assert_eq!(s3.endpoint.host, "trail-s3.s3.eu-west-1.amazonaws.com");
        assert_eq!(s3.prefix, "org/trail/");
        assert!(c.upstream.aliyun.is_some() && c.upstream.aws.is_some());
        // A private endpoint: path-style unless the bucket is in its host.
        let text = r#"
[aliyun.oss]
bucket = "trail-oss"
region = "cn-shanghai"
endpoint = "https://trail-oss.oss-cn-shanghai-internal.aliyuncs.com"
signature = "v1"
[aws.s3]
bucket = "trail-s3"
region = "cn-north-1"
endpoint = "http://127.0.0.1:9000"
"#;
        let c = Config::from_toml(text, None, &env).unwrap();
        let oss = c.upstream.oss.unwrap();
        assert_eq!(
            (
                oss.addressing,
                oss.prefix.as_str(),
                c.upstream.oss_signature
            ),
            (Addressing::VirtualHosted, "", OssSignature::V1)
        );
        assert_eq!(c.upstream.s3.unwrap().addressing, Addressing::Path);
        // The default host of a China region.
        let c = Config::from_toml(
            "[aws.s3]
bucket='b-1'
region='cn-north-1'
",
            None,
            &env,
        )
        .unwrap();
        assert_eq!(
            c.upstream.s3.unwrap().endpoint.host,
            "b-1.s3.cn-north-1.amazonaws.com.cn"
        );
        // A bucket with a dot in its name is addressed by path on the regional host.
        let c = Config::from_toml(
            "[aws.s3]\nbucket='trail.logs'\nregion='eu-west-1'\n",
            None,
            &env,
        )
        .unwrap();
        let s3 = c.upstream.s3.unwrap();
        assert_eq!(
            (s3.endpoint.host.as_str(), s3.addressing),
            ("s3.eu-west-1.amazonaws.com", Addressing::Path)
        );
        for bad in [
            "[aliyun.oss]
",
            "[aliyun.oss]
bucket = ''
",
            "[aliyun.oss]
bucket = 'a/b'
",
            "[aliyun.oss]
bucket = 'x'
",
            "[aliyun.oss]
bucket = 'ok-bucket'
prefix = 'a/../b'
",
            "[aliyun.oss]
bucket = 'ok-bucket'
prefix = 'a\\b'
",
            "[aliyun.oss]
bucket = 'ok-bucket'
signature = 'v3'
",
            "[aws.s3]
bucket = 'ok-bucket'
signature = 'v4'
",
            "[aws.s3]
bucket = 'ok-bucket'
read_only = false
",
            "[aws.s3]
bucket = 'ok-bucket'
endpoint = 'http://h/path'
",
        ] {
            assert!(Config::from_toml(bad, None, &env).is_err(), "{bad}");
        }
        let none = env_of(&[]);
        let e = Config::from_toml(
            "[aliyun.oss]
bucket='ok-bucket'
",
            None,
            &none,
        )
        .unwrap_err();
        assert!(e.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{e}");
        let e = Config::from_toml(
            "[aws.s3]
bucket='ok-bucket'
region='us-east-1'
",
            None,
            &none,
        )
        .unwrap_err();
        assert!(e.contains("AWS_ACCESS_KEY_ID"), "{e}");
        let e = Config::from_toml(
            "[aws.s3]
bucket='ok-bucket'
",
            None,
            &none,
        )
        .unwrap_err();
        assert!(e.contains("region"), "{e}");
        assert!(valid_bucket_name("trailview-demo-actiontrail"));
        assert!(!valid_bucket_name("-x-"));
        assert!(!valid_bucket_name("a..b"));
    }

    #[test]
    fn redis() {
        let creds = env_of(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b"),
        ]);
        let c = Config::from_toml("[aliyun.actiontrail]\n", None, &creds).unwrap();
        assert!(c.upstream.redis.is_none());
        let c = Config::from_toml(
            "[redis]\nurl = \"redis://:pa55word-secret@10.0.0.5:6380/2\"\n[aliyun.actiontrail]\n",
            None,
            &creds,
        )
        .unwrap();
        let r = c.upstream.redis.unwrap();
        assert_eq!(r.display, "10.0.0.5:6380/2");
        assert_eq!(r.timeout, Duration::from_millis(DEFAULT_REDIS_TIMEOUT_MS));
        assert_eq!(r.key_prefix, DEFAULT_REDIS_KEY_PREFIX);
        // The password is in no Debug output.
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("pa55word"), "{dbg}");
        let c = Config::from_toml(
            "[redis]\nurl = 'redis://localhost'\ntimeout_ms = 50\nkey_prefix = 'eu:'\n[aliyun.actiontrail]\n",
            None,
            &creds,
        )
        .unwrap();
        let r = c.upstream.redis.unwrap();
        assert_eq!(
            (r.display.as_str(), r.timeout, r.key_prefix.as_str()),
            ("localhost:6379/0", Duration::from_millis(50), "eu:")
        );
        for (bad, says) in [
            ("[redis]\n", "needs url"),
            ("[redis]\nurl = ''\n", "needs url"),
            ("[redis]\nurl = 'rediss://h:6380'\n", "TLS"),
            ("[redis]\nurl = 'http://h:6379'\n", "must look like"),
            ("[redis]\nurl = 'redis://h:notaport'\n", "not a Redis URL"),
            ("[redis]\nurl = 'redis://h'\ntimeout_ms = 0\n", "timeout_ms"),
            ("[redis]\nurl = 'redis://h'\ntypo = 1\n", "typo"),
        ] {
            let text = format!("{bad}[aliyun.actiontrail]\n");
            let e = Config::from_toml(&text, None, &creds).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn example_file_parses() {
        let text = include_str!("../../../trailview.example.toml");
        let env = env_of(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b"),
            ("AWS_ACCESS_KEY_ID", "c"),
            ("AWS_SECRET_ACCESS_KEY", "d"),
            ("TRAILVIEW_PROXY_TOKEN", "0123456789abcdef0123"),
        ]);
        let c = Config::from_toml(text, None, &env).unwrap();
        assert!(
            c.upstream.actiontrail.is_some()
                && c.upstream.cdn.is_some()
                && c.upstream.logs.is_some()
                && c.upstream.oss.is_some()
                && c.upstream.s3.is_some()
        );
    }
}
