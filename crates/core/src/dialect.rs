//! How each cloud frames an error on the wire, and what the app makes of it: the one place that
//! reads an error body (Alibaba RPC's `{Code, Message, RequestId, HostId, Recommend}`, AWS JSON
//! 1.1's `{__type, message}` with `x-amzn-RequestId`, the storage APIs' XML `<Error>` through
//! [`crate::trail_files::StorageError`]) and writes one (the proxy and the demo answer in the
//! same shapes the clouds do). Which dialect an operation speaks is in [`crate::catalogue`].

use crate::event::lenient_string;
use crate::lenient::{self, LenientError, Parsed};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// An error the cloud answered, in either Alibaba's or AWS's shape.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceError {
    pub http_status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub host_id: Option<String>,
    pub recommend: Option<String>,
    /// How long the server asked to wait before a retry, in seconds: its `x-acs-retry-after`
    /// or `Retry-After` header ([`retry_after_secs`]), read by the app's HTTP client.
    #[serde(default)]
    pub retry_after_secs: Option<u32>,
}

impl ServiceError {
    /// Throttling, by code (gateways disagree on the status) or by status 429.
    pub fn is_throttling(&self) -> bool {
        const CODES: &[&str] = &[
            "Throttling",
            "Throttling.User",
            "Throttling.Api",
            "Throttling.Concurrent",
            "ThrottlingException",
            "ThrottledException",
            "RequestThrottledException",
            "TooManyRequestsException",
            "RequestLimitExceeded",
            "RequestThrottled",
            "SlowDown",
            // SLS: a project's read quota or QPS.
            "ReadQuotaExceed",
            "QpsLimitExceeded",
        ];
        self.http_status == 429 || CODES.contains(&self.code.as_str())
    }

    /// Worth retrying with backoff: throttling and server-side failures. Never a semantic
    /// `LimitExceededException` (CreateExportTask's "one active task") nor any other 4xx.
    pub fn is_retryable(&self) -> bool {
        self.is_throttling()
            || matches!(self.http_status, 500 | 502 | 503 | 504)
            || matches!(
                self.code.as_str(),
                "ServiceUnavailable" | "ServiceUnavailableException" | "InternalError"
            )
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} (HTTP {}): {}",
            self.code, self.http_status, self.message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " [RequestId {id}]")?;
        }
        Ok(())
    }
}

/// Why a call produced no usable answer. (Large, but errors are rare and never on a hot path.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The service answered with an error body.
    Service(ServiceError),
    /// The answer could not be read. `excerpt` is the start of the body, for display as text.
    Malformed {
        http_status: u16,
        detail: String,
        excerpt: String,
    },
    /// No answer: DNS, connection, CORS, offline, timeout.
    Network(String),
    /// The browser refused to send the request (the page's Content-Security-Policy): retrying
    /// cannot help. Says which URL and why.
    Refused(String),
}

impl ApiError {
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Service(e) => e.is_retryable(),
            ApiError::Malformed { http_status, .. } => matches!(http_status, 502..=504),
            ApiError::Network(_) => true,
            ApiError::Refused(_) => false,
        }
    }
    pub fn is_throttling(&self) -> bool {
        matches!(self, ApiError::Service(e) if e.is_throttling())
    }

    /// How long the server asked to wait before a retry, in seconds (only a service's error
    /// answer carries it).
    pub fn retry_after_secs(&self) -> Option<u32> {
        match self {
            ApiError::Service(e) => e.retry_after_secs,
            _ => None,
        }
    }

    /// This error with the wait the answer's headers asked for ([`retry_after_secs`]); kept
    /// by a service's error answer only (any other error is not the server's word).
    pub fn with_retry_after(self, secs: Option<u32>) -> ApiError {
        match self {
            ApiError::Service(e) if secs.is_some() => ApiError::Service(ServiceError {
                retry_after_secs: secs,
                ..e
            }),
            other => other,
        }
    }
}

/// The wait an answer asks for before a retry, in seconds, from its headers: Alibaba's
/// `x-acs-retry-after` and the standard `Retry-After` (RFC 9110 10.2.3), each as
/// delta-seconds; the longer when both are given. A `Retry-After` given as an HTTP-date is
/// ignored (no cloud API or proxy here sends one, and core has no clock to subtract it from),
/// as is anything else that is not a non-negative whole number.
pub fn retry_after_secs(acs: Option<&str>, standard: Option<&str>) -> Option<u32> {
    let delta = |v: Option<&str>| -> Option<u32> {
        let v = v?.trim();
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // All digits: only an overflow fails, and a huge wait is the longest one.
        Some(v.parse::<u32>().unwrap_or(u32::MAX))
    };
    match (delta(acs), delta(standard)) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ApiError::Service(e) => e.fmt(f),
            ApiError::Malformed {
                http_status,
                detail,
                ..
            } => {
                write!(f, "Malformed response (HTTP {http_status}): {detail}")
            }
            ApiError::Network(m) => write!(f, "Network error: {m}"),
            ApiError::Refused(m) => write!(f, "Not sent: {m}"),
        }
    }
}

fn excerpt(body: &str) -> String {
    const MAX: usize = 600;
    match body.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &body[..i]),
        None => body.to_string(),
    }
}

#[derive(Deserialize)]
struct AliyunErrorBody {
    #[serde(
        rename = "RequestId",
        alias = "requestId",
        default,
        deserialize_with = "lenient_string"
    )]
    request_id: Option<String>,
    #[serde(rename = "HostId", default, deserialize_with = "lenient_string")]
    host_id: Option<String>,
    #[serde(
        rename = "Code",
        alias = "code",
        default,
        deserialize_with = "lenient_string"
    )]
    code: Option<String>,
    #[serde(
        rename = "Message",
        alias = "message",
        default,
        deserialize_with = "lenient_string"
    )]
    message: Option<String>,
    #[serde(rename = "Recommend", default, deserialize_with = "lenient_string")]
    recommend: Option<String>,
}

#[derive(Deserialize)]
struct SlsErrorBody {
    #[serde(rename = "errorCode", default, deserialize_with = "lenient_string")]
    code: Option<String>,
    #[serde(rename = "errorMessage", default, deserialize_with = "lenient_string")]
    message: Option<String>,
}

#[derive(Deserialize)]
struct AwsErrorBody {
    #[serde(
        rename = "__type",
        alias = "code",
        default,
        deserialize_with = "lenient_string"
    )]
    kind: Option<String>,
    #[serde(alias = "Message", default, deserialize_with = "lenient_string")]
    message: Option<String>,
}

/// Which cloud's conventions a response follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Alibaba Cloud RPC (ActionTrail, CDN): error `{Code, Message, RequestId, HostId, Recommend}`.
    AlibabaRpc,
    /// AWS JSON 1.1 (CloudWatch Logs): error `{__type, message}`, `x-amzn-RequestId` header.
    AwsJson,
    /// The storage APIs' REST with XML bodies (OSS, S3): error `<Error><Code/><Message/>
    /// <RequestId/><HostId/></Error>` ([`crate::trail_files::StorageError`]), request id in
    /// `x-oss-request-id` / `x-amz-request-id`. Successful bodies are XML listings or object
    /// bytes, read by [`crate::trail_files`], not by [`read_response`].
    RestXml,
    /// Alibaba Cloud SLS: JSON bodies, error `{"errorCode","errorMessage"}` with the request id
    /// in `x-log-requestid`.
    SlsJson,
}

impl Dialect {
    /// The response header that carries the request id, for the storage APIs of `cloud`
    /// (`None` where the id is in the body or the dialect has one header for both clouds).
    pub fn request_id_header(self, cloud: crate::cloud::Cloud) -> Option<&'static str> {
        use crate::cloud::Cloud;
        match (self, cloud) {
            (Dialect::AwsJson, _) => Some("x-amzn-RequestId"),
            (Dialect::RestXml, Cloud::Aliyun) => Some("x-oss-request-id"),
            (Dialect::RestXml, Cloud::Aws) => Some("x-amz-request-id"),
            (Dialect::SlsJson, _) => Some("x-log-requestid"),
            (Dialect::AlibabaRpc, _) => None,
        }
    }
}

/// A storage API's error answer (`<Error>` XML, OSS's or S3's) as an [`ApiError`]; the body's
/// `RequestId`, or else `request_id_header`.
pub fn storage_error(http_status: u16, request_id_header: Option<&str>, body: &str) -> ApiError {
    match crate::trail_files::StorageError::parse(body) {
        Some(e) => ApiError::Service(ServiceError {
            http_status,
            code: e.code,
            message: e.message,
            request_id: nonempty(Some(e.request_id)).or(request_id_header.map(String::from)),
            host_id: nonempty(e.host_id),
            recommend: None,
            retry_after_secs: None,
        }),
        None => ApiError::Malformed {
            http_status,
            detail: format!("HTTP {http_status} without a recognisable error body"),
            excerpt: excerpt(body),
        },
    }
}

/// Read a response: a 2xx body as `T` (leniently), anything else as the cloud's error body.
/// `request_id_header` is AWS's `x-amzn-RequestId` (Alibaba puts it in the body), or the
/// storage APIs' request id header ([`Dialect::request_id_header`]).
#[allow(clippy::result_large_err)]
pub fn read_response<T: DeserializeOwned>(
    dialect: Dialect,
    http_status: u16,
    request_id_header: Option<&str>,
    body: &str,
) -> Result<(T, Parsed), ApiError> {
    if (200..300).contains(&http_status) {
        return lenient::from_str::<T>(body).map_err(|e| unreadable(http_status, &e, body));
    }
    Err(error_answer(dialect, http_status, request_id_header, body))
}

/// A 2xx body that is not the response it should be.
fn unreadable(http_status: u16, e: &LenientError, body: &str) -> ApiError {
    ApiError::Malformed {
        http_status,
        detail: e.to_string(),
        excerpt: excerpt(body),
    }
}

/// A non-2xx answer as the cloud's error (one copy for every response type).
fn error_answer(
    dialect: Dialect,
    http_status: u16,
    request_id_header: Option<&str>,
    body: &str,
) -> ApiError {
    let service = match dialect {
        Dialect::RestXml => return storage_error(http_status, request_id_header, body),
        Dialect::AlibabaRpc => {
            lenient::from_str::<AliyunErrorBody>(body)
                .ok()
                .and_then(|(b, _)| {
                    let code = nonempty(b.code)?;
                    Some(ServiceError {
                        http_status,
                        code,
                        message: b.message.unwrap_or_default(),
                        request_id: nonempty(b.request_id).or(request_id_header.map(String::from)),
                        host_id: nonempty(b.host_id),
                        recommend: nonempty(b.recommend),
                        retry_after_secs: None,
                    })
                })
        }
        Dialect::SlsJson => lenient::from_str::<SlsErrorBody>(body)
            .ok()
            .and_then(|(b, _)| {
                Some(ServiceError {
                    http_status,
                    code: nonempty(b.code)?,
                    message: b.message.unwrap_or_default(),
                    request_id: request_id_header.map(String::from),
                    host_id: None,
                    recommend: None,
                    retry_after_secs: None,
                })
            }),
        Dialect::AwsJson => lenient::from_str::<AwsErrorBody>(body)
            .ok()
            .and_then(|(b, _)| {
                // botocore strips a `namespace#` prefix and a `:suffix` from `__type`.
                let raw = nonempty(b.kind)?;
                let code = raw.rsplit('#').next().unwrap_or(&raw);
                let code = code.split(':').next().unwrap_or(code);
                // Nothing left (`ns#`, `:suffix`): the code as sent, never an empty one.
                let code = if code.trim().is_empty() {
                    raw.clone()
                } else {
                    code.to_string()
                };
                Some(ServiceError {
                    http_status,
                    code,
                    message: b.message.unwrap_or_default(),
                    request_id: request_id_header.map(String::from),
                    host_id: None,
                    recommend: None,
                    retry_after_secs: None,
                })
            }),
    };
    match service {
        Some(s) => ApiError::Service(s),
        None => ApiError::Malformed {
            http_status,
            detail: format!("HTTP {http_status} without a recognisable error body"),
            excerpt: excerpt(body),
        },
    }
}

impl Dialect {
    /// The `Content-Type` of a body in this dialect.
    pub fn content_type(self) -> &'static str {
        match self {
            Dialect::AlibabaRpc | Dialect::SlsJson => "application/json",
            Dialect::AwsJson => "application/x-amz-json-1.1",
            Dialect::RestXml => "application/xml",
        }
    }
}

/// An error answer as a cloud writes it: status, the dialect's headers and body. The proxy and
/// the demo send these; `code` is also what their request log shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    pub http_status: u16,
    pub dialect: Dialect,
    pub code: String,
    /// Headers besides `Content-Type` (request id, error type, retry-after).
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// Who writes an error: the cloud (as the demo plays it), or the proxy itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The cloud's host: `HostId` is the API's host and `Recommend` links the product's
    /// troubleshooting page.
    Cloud {
        host: &'static str,
        product: &'static str,
    },
    /// trailview-proxy: `HostId` `trailview-proxy`, no `Recommend`.
    Proxy,
}

/// ActionTrail's default-region host and product, the demo's default [`Source`].
pub const ACTIONTRAIL: Source = Source::Cloud {
    host: "actiontrail.cn-hangzhou.aliyuncs.com",
    product: "Actiontrail",
};
pub const CDN: Source = Source::Cloud {
    host: "cdn.aliyuncs.com",
    product: "Cdn",
};

/// The code of trailview-proxy's 403 to a write when it runs with `read_only = true` (Alibaba
/// RPC routes; AWS routes answer `AccessDeniedException`).
pub const READ_ONLY_CODE: &str = "Forbidden.ReadOnly";

/// An Alibaba Cloud RPC error: `{RequestId, HostId, Code, Message, Recommend}` as the POP
/// gateway writes it, with `x-acs-retry-after` when throttled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlibabaError {
    pub http_status: u16,
    pub code: std::borrow::Cow<'static, str>,
    pub message: String,
    pub source: Source,
    /// Seconds for `x-acs-retry-after` (throttling only).
    pub retry_after: Option<u64>,
}

impl AlibabaError {
    pub fn new(
        http_status: u16,
        code: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        AlibabaError {
            http_status,
            code: code.into(),
            message: message.into(),
            source: ACTIONTRAIL,
            retry_after: None,
        }
    }

    pub fn from(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// `400 MissingParameter`, with the gateway's wording.
    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            400,
            "MissingParameter",
            format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied."),
        )
    }

    /// `400 InvalidVersion`.
    pub fn invalid_version() -> Self {
        Self::new(
            400,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        )
    }

    /// `404 InvalidAction.NotFound`: an operation outside the catalogue.
    pub fn action_not_found() -> Self {
        Self::new(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    }

    /// `400 Throttling.User` with `x-acs-retry-after`.
    pub fn throttled(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        );
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    /// `400 InvalidParameter` naming the parameter, plus why.
    pub fn invalid_parameter(name: &str, why: &str) -> Self {
        Self::new(
            400,
            "InvalidParameter",
            format!("Specified parameter {name} is not valid. {why}"),
        )
    }

    /// `400 InvalidQueryParameter` (LookupEvents' own code), plus why.
    pub fn invalid_query(why: &str) -> Self {
        Self::new(
            400,
            "InvalidQueryParameter",
            format!("The specified query parameter is invalid. {why}"),
        )
    }

    /// The response, with `request_id` (an uppercase UUID, see [`request_id`]).
    pub fn write(&self, request_id: &str) -> ErrorResponse {
        let (host_id, recommend) = match self.source {
            Source::Cloud { host, product } => (
                host,
                Some(format!(
                    "https://api.aliyun.com/troubleshoot?q={}&product={product}&requestId={request_id}",
                    self.code
                )),
            ),
            Source::Proxy => ("trailview-proxy", None),
        };
        let body = AlibabaErrorBody {
            request_id,
            host_id,
            code: &self.code,
            message: &self.message,
            recommend: recommend.as_deref(),
        };
        ErrorResponse {
            http_status: self.http_status,
            dialect: Dialect::AlibabaRpc,
            code: self.code.to_string(),
            headers: self
                .retry_after
                .map(|secs| ("x-acs-retry-after", secs.to_string()))
                .into_iter()
                .collect(),
            body: serde_json::to_string(&body).expect("strings serialise"),
        }
    }
}

/// The body of an Alibaba gateway error, its keys in the gateway's order (`RequestId`,
/// `HostId`, `Code`, `Message`, `Recommend`); the proxy's own errors have no `Recommend`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AlibabaErrorBody<'a> {
    request_id: &'a str,
    host_id: &'a str,
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommend: Option<&'a str>,
}

/// An AWS JSON 1.1 error: `{"__type","message"}` with `x-amzn-RequestId`, `X-Amzn-ErrorType`
/// and, when throttled, `Retry-After`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub http_status: u16,
    pub kind: std::borrow::Cow<'static, str>,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl AwsError {
    pub fn new(
        http_status: u16,
        kind: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        AwsError {
            http_status,
            kind: kind.into(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// The response, with `request_id` (AWS writes it in lowercase).
    pub fn write(&self, request_id: &str) -> ErrorResponse {
        let body = serde_json::json!({ "__type": self.kind, "message": self.message });
        let mut headers = vec![
            ("x-amzn-RequestId", request_id.to_ascii_lowercase()),
            ("X-Amzn-ErrorType", self.kind.to_string()),
        ];
        if let Some(secs) = self.retry_after {
            headers.push(("retry-after", secs.to_string()));
        }
        ErrorResponse {
            http_status: self.http_status,
            dialect: Dialect::AwsJson,
            code: self.kind.to_string(),
            headers,
            body: body.to_string(),
        }
    }
}

/// An SLS error: `{"errorCode","errorMessage"}` with `x-log-requestid` (SLS writes its
/// request ids as 24 uppercase hex digits; any id is kept as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlsError {
    pub http_status: u16,
    pub code: std::borrow::Cow<'static, str>,
    pub message: String,
}

impl SlsError {
    pub fn new(
        http_status: u16,
        code: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        SlsError {
            http_status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// `400 ParameterInvalid` with why.
    pub fn parameter_invalid(message: impl Into<String>) -> Self {
        Self::new(400, "ParameterInvalid", message)
    }

    pub fn write(&self, request_id: &str) -> ErrorResponse {
        let body = serde_json::json!({ "errorCode": self.code, "errorMessage": self.message });
        ErrorResponse {
            http_status: self.http_status,
            dialect: Dialect::SlsJson,
            code: self.code.to_string(),
            headers: vec![("x-log-requestid", request_id.to_string())],
            body: body.to_string(),
        }
    }
}

/// A request id in Alibaba's shape (an uppercase UUID, `8-4-4-4-12` hex) from 32 random hex
/// digits the caller draws (core has no randomness).
pub fn request_id(mut hex_digit: impl FnMut() -> u8) -> String {
    let mut s = String::with_capacity(36);
    for (i, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if i > 0 {
            s.push('-');
        }
        for _ in 0..n {
            s.push(b"0123456789ABCDEF"[(hex_digit() & 15) as usize] as char);
        }
    }
    s
}

/// A request id in SLS's shape (`x-log-requestid`: 24 uppercase hex digits) from random hex
/// digits the caller draws.
pub fn sls_request_id(mut hex_digit: impl FnMut() -> u8) -> String {
    (0..24)
        .map(|_| b"0123456789ABCDEF"[(hex_digit() & 15) as usize] as char)
        .collect()
}

/// An Alibaba RPC call's parameters, in arrival order (the query, then a form body), with the
/// V3 signature style's `x-acs-action` / `x-acs-version` headers standing in for a missing
/// `Action` / `Version`. Parsing them off HTTP is the proxy's; reading them is shared by the
/// proxy's upstream and the demo.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpcParams {
    pub params: Vec<(String, String)>,
    pub action_header: Option<String>,
    pub version_header: Option<String>,
}

impl RpcParams {
    /// Parameters without headers.
    pub fn new(params: Vec<(String, String)>) -> RpcParams {
        RpcParams {
            params,
            ..RpcParams::default()
        }
    }

    /// The first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn param_or_header<'a>(&'a self, name: &str, header: &'a Option<String>) -> Option<&'a str> {
        self.get(name)
            .or(header.as_deref())
            .filter(|v| !v.is_empty())
    }

    /// `Action`, or the `x-acs-action` header.
    pub fn action(&self) -> Option<&str> {
        self.param_or_header("Action", &self.action_header)
    }

    /// `Version`, or the `x-acs-version` header.
    pub fn version(&self) -> Option<&str> {
        self.param_or_header("Version", &self.version_header)
    }

    /// `LookupAttribute.N.Key` / `.Value` pairs in N order (N = 1, 2, ...; gaps allowed).
    /// A Key without a Value gets an empty value (which the condition rules reject); a Value
    /// without a Key, or a malformed name, is an error message.
    pub fn lookup_attributes(&self) -> Result<Vec<(String, String)>, String> {
        let mut by_n: std::collections::BTreeMap<u32, (Option<&str>, Option<&str>)> =
            std::collections::BTreeMap::new();
        for (k, v) in &self.params {
            let Some(rest) = k.strip_prefix("LookupAttribute.") else {
                continue;
            };
            let parsed = rest.split_once('.').and_then(|(n, field)| {
                let num: u32 = n.parse().ok()?;
                // Canonical decimal only: no "01", "+1" or "0".
                (num >= 1 && num.to_string() == n).then_some((num, field))
            });
            match parsed {
                Some((n, "Key")) => {
                    by_n.entry(n).or_default().0.get_or_insert(v);
                }
                Some((n, "Value")) => {
                    by_n.entry(n).or_default().1.get_or_insert(v);
                }
                _ => {
                    return Err(format!(
                        "'{k}' is not a valid parameter name: use LookupAttribute.N.Key and LookupAttribute.N.Value with N = 1, 2, ..."
                    ))
                }
            }
        }
        by_n.into_iter()
            .map(|(n, (k, v))| match k {
                Some(k) => Ok((k.to_string(), v.unwrap_or("").to_string())),
                None => Err(format!(
                    "LookupAttribute.{n}.Value is given without LookupAttribute.{n}.Key"
                )),
            })
            .collect()
    }
}

#[cfg(test)]
mod writer_tests {
    use super::*;

    /// Found by fuzzing (`fuzz/regressions/wire/`): a `__type` with nothing before its
    /// `:suffix` or after its `namespace#` was read as a service error with an empty code.
    #[test]
    fn aws_error_type_that_strips_to_nothing_keeps_its_text_as_the_code() {
        for (body, code) in [
            (
                r#"{"__type":":http://internal.amazon.com/coral/x/","message":"m"}"#,
                ":http://internal.amazon.com/coral/x/",
            ),
            (
                r#"{"__type":"com.amazonaws.logs#","message":"m"}"#,
                "com.amazonaws.logs#",
            ),
            (r#"[":::"]"#, ":::"),
            (
                r#"{"__type":"com.amazonaws.logs#ThrottlingException:http://x"}"#,
                "ThrottlingException",
            ),
        ] {
            let Err(ApiError::Service(s)) =
                read_response::<serde_json::Value>(Dialect::AwsJson, 400, Some("R"), body)
            else {
                panic!("{body}")
            };
            assert_eq!(s.code, code, "{body}");
        }
    }

    #[test]
    fn storage_errors_read_from_xml() {
        let xml = crate::trail_files::StorageError {
            code: "NoSuchKey".into(),
            message: "The specified key does not exist.".into(),
            request_id: "5C3D9175B6FC201293AD".into(),
            host_id: Some("bucket.oss-cn-hangzhou.aliyuncs.com".into()),
        }
        .to_xml();
        let Err(ApiError::Service(s)) =
            read_response::<serde_json::Value>(Dialect::RestXml, 404, Some("other"), &xml)
        else {
            panic!("{xml}")
        };
        assert_eq!(
            (s.code.as_str(), s.request_id.as_deref(), s.http_status),
            ("NoSuchKey", Some("5C3D9175B6FC201293AD"), 404)
        );
        assert_eq!(
            s.host_id.as_deref(),
            Some("bucket.oss-cn-hangzhou.aliyuncs.com")
        );
        // S3 throttling is retried.
        let slow = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId></RequestId></Error>";
        let e = storage_error(503, Some("REQ-H"), slow);
        assert!(e.is_retryable() && e.is_throttling());
        let ApiError::Service(s) = e else { panic!() };
        assert_eq!(s.request_id.as_deref(), Some("REQ-H"));
        // An HTML page from something in front is not a storage error.
        assert!(matches!(
            storage_error(403, None, "<html><body>Forbidden</body></html>"),
            ApiError::Malformed {
                http_status: 403,
                ..
            }
        ));
        use crate::cloud::Cloud;
        assert_eq!(
            Dialect::RestXml.request_id_header(Cloud::Aliyun),
            Some("x-oss-request-id")
        );
        assert_eq!(
            Dialect::RestXml.request_id_header(Cloud::Aws),
            Some("x-amz-request-id")
        );
        assert_eq!(Dialect::RestXml.content_type(), "application/xml");
    }

    #[test]
    fn retry_after_is_read_from_either_header_as_seconds() {
        assert_eq!(retry_after_secs(Some("3"), None), Some(3));
        assert_eq!(retry_after_secs(None, Some(" 120 ")), Some(120));
        assert_eq!(
            retry_after_secs(Some("2"), Some("5")),
            Some(5),
            "the longer"
        );
        assert_eq!(retry_after_secs(Some("7"), Some("5")), Some(7));
        assert_eq!(retry_after_secs(Some("0"), None), Some(0));
        assert_eq!(
            retry_after_secs(Some("99999999999999999999"), None),
            Some(u32::MAX)
        );
        // An HTTP-date, a fraction, a sign, nothing: not a delay in seconds.
        for bad in [
            "Fri, 31 Dec 1999 23:59:59 GMT",
            "1.5",
            "-3",
            "+3",
            "",
            " ",
            "3s",
        ] {
            assert_eq!(retry_after_secs(None, Some(bad)), None, "{bad:?}");
        }
        // An unreadable one does not hide a readable one.
        assert_eq!(retry_after_secs(Some("abc"), Some("4")), Some(4));
        assert_eq!(retry_after_secs(None, None), None);
    }

    #[test]
    fn a_service_error_keeps_the_servers_wait() {
        let e = AlibabaError::throttled(3).write("REQ-1");
        let secs = e
            .headers
            .iter()
            .find(|(n, _)| *n == "x-acs-retry-after")
            .map(|(_, v)| v.as_str());
        let err = read_response::<serde_json::Value>(e.dialect, e.http_status, None, &e.body)
            .unwrap_err()
            .with_retry_after(retry_after_secs(secs, None));
        assert_eq!(err.retry_after_secs(), Some(3));
        assert!(err.is_throttling());
        // `None` leaves an earlier value alone; other errors never carry one.
        assert_eq!(
            err.clone().with_retry_after(None).retry_after_secs(),
            Some(3)
        );
        let m = ApiError::Malformed {
            http_status: 503,
            detail: String::new(),
            excerpt: String::new(),
        };
        assert_eq!(m.with_retry_after(Some(5)).retry_after_secs(), None);
        assert_eq!(
            ApiError::Refused("csp".into())
                .with_retry_after(Some(5))
                .retry_after_secs(),
            None
        );
    }

    #[test]
    fn alibaba_error_keys_come_in_the_gateways_order() {
        let e = AlibabaError::new(400, "InvalidParameter", "bad").write("REQ-1");
        assert_eq!(
            e.body,
            concat!(
                r#"{"RequestId":"REQ-1","HostId":"actiontrail.cn-hangzhou.aliyuncs.com","#,
                r#""Code":"InvalidParameter","Message":"bad","#,
                r#""Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidParameter&product=Actiontrail&requestId=REQ-1"}"#
            )
        );
        let p = AlibabaError::new(403, "Forbidden.ReadOnly", "no")
            .from(Source::Proxy)
            .write("R");
        assert_eq!(
            p.body,
            r#"{"RequestId":"R","HostId":"trailview-proxy","Code":"Forbidden.ReadOnly","Message":"no"}"#
        );
    }

    #[test]
    fn written_errors_read_back() {
        let e = AlibabaError::throttled(3).write("REQ-1");
        assert_eq!(e.headers, [("x-acs-retry-after", "3".to_string())]);
        let Err(ApiError::Service(s)) =
            read_response::<serde_json::Value>(e.dialect, e.http_status, None, &e.body)
        else {
            panic!("{e:?}")
        };
        assert_eq!(
            (s.code.as_str(), s.request_id.as_deref()),
            ("Throttling.User", Some("REQ-1"))
        );
        assert!(s.recommend.is_some());
        let p = AlibabaError::new(403, "Forbidden.ReadOnly", "no")
            .from(Source::Proxy)
            .write("R");
        assert!(!p.body.contains("Recommend") && p.body.contains("trailview-proxy"));
        let a = AwsError::new(400, "ThrottlingException", "Rate exceeded").write("ABC");
        let Err(ApiError::Service(s)) =
            read_response::<serde_json::Value>(a.dialect, 400, Some("abc"), &a.body)
        else {
            panic!("{a:?}")
        };
        assert_eq!(s.code, "ThrottlingException");
        assert!(a.headers.contains(&("x-amzn-RequestId", "abc".to_string())));
        let mut n = 0u8;
        let id = request_id(|| {
            n = n.wrapping_add(7);
            n
        });
        assert_eq!(
            id.split('-').map(str::len).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        let mut n = 0u8;
        let sls = sls_request_id(|| {
            n = n.wrapping_add(11);
            n
        });
        assert_eq!(sls.len(), 24);
        assert!(sls
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
        assert_eq!(&sls[..4], "B61C");
    }
}
