//! Alibaba Cloud RPC error bodies, exactly as the POP gateway writes them:
//! `{"RequestId","HostId","Code","Message","Recommend"}` with the matching HTTP status.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::borrow::Cow;

/// The host every ActionTrail error names, as the service does for the default region.
pub const ACTIONTRAIL_HOST: &str = "actiontrail.cn-hangzhou.aliyuncs.com";
pub const ACTIONTRAIL_PRODUCT: &str = "Actiontrail";
pub const CDN_HOST: &str = "cdn.aliyuncs.com";
pub const CDN_PRODUCT: &str = "Cdn";

/// A new request id: an uppercase UUID (`8-4-4-4-12` hex), like Alibaba's.
pub fn request_id() -> String {
    let mut s = String::with_capacity(36);
    for (i, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if i > 0 {
            s.push('-');
        }
        for _ in 0..n {
            s.push(b"0123456789ABCDEF"[fastrand::usize(..16)] as char);
        }
    }
    s
}

/// The operation a response answered (and its error code, if any), for the request log.
#[derive(Debug, Clone)]
pub struct Operation(pub String);

#[derive(Debug, Clone)]
pub struct ErrorCode(pub String);

/// An error the way an Alibaba Cloud RPC API answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliyunError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
    pub host: &'static str,
    pub product: &'static str,
    /// Seconds for the `x-acs-retry-after` header (throttling only).
    pub retry_after: Option<u64>,
}

impl AliyunError {
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        AliyunError {
            status,
            code: code.into(),
            message: message.into(),
            host: ACTIONTRAIL_HOST,
            product: ACTIONTRAIL_PRODUCT,
            retry_after: None,
        }
    }

    pub fn for_host(mut self, host: &'static str, product: &'static str) -> Self {
        self.host = host;
        self.product = product;
        self
    }

    /// `400 MissingParameter`, with the gateway's wording.
    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied."),
        )
    }

    /// `400 InvalidVersion`.
    pub fn invalid_version() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        )
    }

    /// `404 InvalidAction.NotFound`.
    pub fn action_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    }

    /// `400 Throttling.User` with `x-acs-retry-after`.
    pub fn throttled(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "Throttling.User",
            "Request was denied due to user flow control.",
        );
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    /// `400 InvalidParameter` naming the parameter, plus why.
    pub fn invalid_parameter(name: &str, why: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "InvalidParameter",
            format!("Specified parameter {name} is not valid. {why}"),
        )
    }

    /// `400 InvalidQueryParameter` (LookupEvents' own code), plus why.
    pub fn invalid_query(why: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "InvalidQueryParameter",
            format!("The specified query parameter is invalid. {why}"),
        )
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "RequestId")]
    request_id: &'a str,
    #[serde(rename = "HostId")]
    host_id: &'a str,
    #[serde(rename = "Code")]
    code: &'a str,
    #[serde(rename = "Message")]
    message: &'a str,
    #[serde(rename = "Recommend")]
    recommend: &'a str,
}

impl IntoResponse for AliyunError {
    fn into_response(self) -> Response {
        let id = request_id();
        let recommend = format!(
            "https://api.aliyun.com/troubleshoot?q={}&product={}&requestId={id}",
            self.code, self.product
        );
        let body = serde_json::to_string(&Body {
            request_id: &id,
            host_id: self.host,
            code: &self.code,
            message: &self.message,
            recommend: &recommend,
        })
        .expect("strings serialize");
        let mut resp = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert("x-acs-retry-after", HeaderValue::from(secs));
        }
        resp.extensions_mut()
            .insert(ErrorCode(self.code.into_owned()));
        resp
    }
}

/// A JSON success response.
pub fn json_response(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_alibabas() {
        let id = request_id();
        assert_eq!(id.len(), 36);
        assert!(id
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase()));
        assert_eq!(
            id.split('-').map(str::len).collect::<Vec<_>>(),
            vec![8, 4, 4, 4, 12]
        );
    }
}
