//! How each cloud frames an error on the wire, and what the app makes of it: the one place that
//! reads an error body (Alibaba RPC's `{Code, Message, RequestId, HostId, Recommend}`, AWS JSON
//! 1.1's `{__type, message}` with `x-amzn-RequestId`) and writes one (the proxy and the demo
//! answer in the same shapes the clouds do). Which dialect an operation speaks is in
//! [`crate::catalogue`].

use crate::event::lenient_string;
use crate::lenient::{self, Parsed};
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
}

/// Read a response: a 2xx body as `T` (leniently), anything else as the cloud's error body.
/// `request_id_header` is AWS's `x-amzn-RequestId` (Alibaba puts it in the body).
#[allow(clippy::result_large_err)]
pub fn read_response<T: DeserializeOwned>(
    dialect: Dialect,
    http_status: u16,
    request_id_header: Option<&str>,
    body: &str,
) -> Result<(T, Parsed), ApiError> {
    if (200..300).contains(&http_status) {
        return lenient::from_str::<T>(body).map_err(|e| ApiError::Malformed {
            http_status,
            detail: e.to_string(),
            excerpt: excerpt(body),
        });
    }
    let service = match dialect {
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
                    })
                })
        }
        Dialect::AwsJson => lenient::from_str::<AwsErrorBody>(body)
            .ok()
            .and_then(|(b, _)| {
                // botocore strips a `namespace#` prefix and a `:suffix` from `__type`.
                let raw = nonempty(b.kind)?;
                let code = raw.rsplit('#').next().unwrap_or(&raw);
                let code = code.split(':').next().unwrap_or(code).to_string();
                Some(ServiceError {
                    http_status,
                    code,
                    message: b.message.unwrap_or_default(),
                    request_id: request_id_header.map(String::from),
                    host_id: None,
                    recommend: None,
                })
            }),
    };
    Err(match service {
        Some(s) => ApiError::Service(s),
        None => ApiError::Malformed {
            http_status,
            detail: format!("HTTP {http_status} without a recognisable error body"),
            excerpt: excerpt(body),
        },
    })
}
