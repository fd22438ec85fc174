//! Every error the proxy and the demo answer, in the dialect of the route it answers on: the
//! shapes are core's ([`trailview_core::dialect`]: Alibaba RPC `{RequestId, HostId, Code,
//! Message, Recommend}`, AWS JSON 1.1 `{__type, message}` with `x-amzn-RequestId`; the storage
//! APIs' `<Error>` XML, [`StorageError`], with `x-oss-request-id` / `x-amz-request-id`); this
//! module turns them into responses and picks the dialect for errors the proxy itself answers.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use trailview_core::catalogue::Cloud;
pub use trailview_core::dialect::{
    AlibabaError, AwsError, Dialect, ErrorResponse, SlsError, Source,
};
pub use trailview_core::trail_files::StorageError;

/// A new request id: an uppercase UUID (`8-4-4-4-12` hex), like Alibaba's.
pub fn request_id() -> String {
    trailview_core::dialect::request_id(|| fastrand::u8(..16))
}

/// The operation a response answered, for the request log.
#[derive(Debug, Clone)]
pub struct Operation(pub String);

/// The error code a response carries, for the request log.
#[derive(Debug, Clone)]
pub struct ErrorCode(pub String);

/// An error answer, as a response (its code noted for the request log).
pub trait Respond {
    fn respond(self) -> Response;
}

impl Respond for ErrorResponse {
    fn respond(self) -> Response {
        let status =
            StatusCode::from_u16(self.http_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, self.body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.dialect.content_type()),
        );
        for (name, value) in self.headers {
            // `from_bytes` lowercases the clouds' spelling (`x-amzn-RequestId`).
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                h.insert(n, v);
            }
        }
        // Alibaba's gateway says how long to wait in `x-acs-retry-after`; the standard header
        // says the same to clients that know only that one.
        if !h.contains_key(header::RETRY_AFTER) {
            if let Some(v) = h.get("x-acs-retry-after").cloned() {
                h.insert(header::RETRY_AFTER, v);
            }
        }
        resp.extensions_mut().insert(ErrorCode(self.code));
        resp
    }
}

impl Respond for AlibabaError {
    fn respond(self) -> Response {
        self.write(&request_id()).respond()
    }
}

impl Respond for AwsError {
    fn respond(self) -> Response {
        self.write(&request_id()).respond()
    }
}

/// An error the proxy itself answers (refused, not configured, upstream down) in `dialect`.
pub fn proxy_error(
    dialect: Dialect,
    status: StatusCode,
    code: &'static str,
    message: &str,
) -> Response {
    match dialect {
        Dialect::AlibabaRpc => AlibabaError::new(status.as_u16(), code, message)
            .from(Source::Proxy)
            .respond(),
        Dialect::AwsJson => AwsError::new(status.as_u16(), code, message).respond(),
        Dialect::RestXml => storage_error(None, status, code, message),
        Dialect::SlsJson => SlsError::new(status.as_u16(), code, message)
            .write(&sls_request_id())
            .respond(),
    }
}

/// A request id in SLS's shape (24 uppercase hex digits).
pub fn sls_request_id() -> String {
    trailview_core::dialect::sls_request_id(|| fastrand::u8(..16))
}

/// A storage API's error as OSS and S3 write it (`<Error>` XML from core's
/// [`StorageError::to_xml`], `HostId` `trailview-proxy`), with the request id also in `cloud`'s
/// header (`x-oss-request-id` / `x-amz-request-id`) when the cloud is known.
pub fn storage_error(
    cloud: Option<Cloud>,
    status: StatusCode,
    code: &str,
    message: &str,
) -> Response {
    let id = request_id();
    let body = StorageError {
        code: code.to_string(),
        message: message.to_string(),
        request_id: id.clone(),
        host_id: Some("trailview-proxy".into()),
    }
    .to_xml();
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(Dialect::RestXml.content_type()),
    );
    if let Some(name) = cloud.and_then(|c| Dialect::RestXml.request_id_header(c)) {
        if let Ok(v) = HeaderValue::from_str(&id) {
            h.insert(HeaderName::from_static(name), v);
        }
    }
    resp.extensions_mut().insert(ErrorCode(code.to_string()));
    resp
}

/// The storage API a path is under (`/api/aliyun/oss...`, `/api/aws/s3...`), if any.
pub fn storage_route(path: &str) -> Option<Cloud> {
    let under = |route: &str| {
        path.strip_prefix(route)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if under("/api/aliyun/oss") {
        Some(Cloud::Aliyun)
    } else if under("/api/aws/s3") {
        Some(Cloud::Aws)
    } else {
        None
    }
}

/// An error shaped for the route: the storage APIs' XML on `/api/aliyun/oss` and `/api/aws/s3`
/// (`code` becomes the storage code for the status), AWS JSON on `/api/aws/*` (`code` becomes
/// the AWS kind for the status), Alibaba's body elsewhere under `/api`, plain text for pages.
pub fn route_error(path: &str, status: StatusCode, code: &'static str, message: &str) -> Response {
    if let Some(cloud) = storage_route(path) {
        let code = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "AccessDenied",
            StatusCode::URI_TOO_LONG
            | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            | StatusCode::PAYLOAD_TOO_LARGE => "InvalidRequest",
            _ => code,
        };
        storage_error(Some(cloud), status, code, message)
    } else if path == "/api/aliyun/sls" || path.starts_with("/api/aliyun/sls/") {
        let code = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "Unauthorized",
            StatusCode::PAYLOAD_TOO_LARGE => "PostBodyTooLarge",
            _ => code,
        };
        proxy_error(Dialect::SlsJson, status, code, message)
    } else if path.starts_with("/api/aws") {
        let kind = match status {
            StatusCode::UNAUTHORIZED => "MissingAuthenticationTokenException",
            StatusCode::FORBIDDEN => "AccessDeniedException",
            StatusCode::SERVICE_UNAVAILABLE => "ServiceUnavailableException",
            _ => "ValidationException",
        };
        proxy_error(Dialect::AwsJson, status, kind, message)
    } else if path == "/api" || path.starts_with("/api/") {
        proxy_error(Dialect::AlibabaRpc, status, code, message)
    } else {
        (status, format!("{message}\n")).into_response()
    }
}

/// A success in `dialect`: the body with its content type (and, for AWS, `x-amzn-RequestId`).
pub fn success(dialect: Dialect, body: String) -> Response {
    let mut resp = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(dialect.content_type()),
        )],
        body,
    )
        .into_response();
    if dialect == Dialect::AwsJson {
        if let Ok(v) = HeaderValue::from_str(&request_id().to_ascii_lowercase()) {
            resp.headers_mut().insert("x-amzn-requestid", v);
        }
    }
    resp
}

/// A JSON success response.
pub fn json_response(body: String) -> Response {
    success(Dialect::AlibabaRpc, body)
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

    #[test]
    fn errors_carry_their_dialect_headers() {
        let r = AlibabaError::throttled(2).respond();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.headers()["x-acs-retry-after"], "2");
        assert_eq!(r.headers()["retry-after"], "2");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(
            r.extensions().get::<ErrorCode>().unwrap().0,
            "Throttling.User"
        );
        let r = route_error("/api/aws/logs", StatusCode::FORBIDDEN, "X", "no");
        assert_eq!(r.headers()["x-amzn-errortype"], "AccessDeniedException");
        assert_eq!(r.headers()["content-type"], "application/x-amz-json-1.1");
    }

    #[test]
    fn storage_routes_answer_storage_xml() {
        let r = route_error(
            "/api/aws/s3/bucket/key",
            StatusCode::UNAUTHORIZED,
            "Proxy.Unauthenticated",
            "no <token> & no entry",
        );
        assert_eq!(r.headers()["content-type"], "application/xml");
        assert!(r.headers().contains_key("x-amz-request-id"));
        assert_eq!(r.extensions().get::<ErrorCode>().unwrap().0, "AccessDenied");
        let r = route_error(
            "/api/aliyun/oss",
            StatusCode::URI_TOO_LONG,
            "Proxy.QueryTooLong",
            "long",
        );
        assert!(r.headers().contains_key("x-oss-request-id"));
        assert_eq!(storage_route("/api/aliyun/ossx"), None);
        assert_eq!(storage_route("/api/aws/s3/b"), Some(Cloud::Aws));
        assert_eq!(storage_route("/api/aws/logs"), None);
    }
}
