//! A loopback stand-in for Alibaba Cloud and AWS: it checks every signature with its own,
//! independent implementation (no code shared with `trailview_proxy::sign`) and answers like
//! the cloud. Every request that reaches it is recorded, so tests can prove one never did.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub const ALI_ID: &str = "LTAI5tTestAccessKeyId";
pub const ALI_SECRET: &str = "ALI-SECRET-do-not-leak-3f9a";
pub const ALI_TOKEN: &str = "ALI-STS-TOKEN-do-not-leak-77c1";
pub const AWS_ID: &str = "AKIDTESTEXAMPLE";
pub const AWS_SECRET: &str = "AWS-SECRET-do-not-leak-b2e4";
pub const AWS_TOKEN: &str = "AWS-SESSION-TOKEN-do-not-leak-9d0e";

#[derive(Debug, Clone)]
pub struct Seen {
    /// "v3", "v1" or "aws".
    pub scheme: &'static str,
    pub action: String,
    pub params: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// When the request arrived (for the sliding-window checks of the rate limits).
    pub at: std::time::Instant,
}

#[derive(Clone, Default)]
pub struct Fake {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Expect STS tokens on every request.
    pub expect_tokens: bool,
}

impl Fake {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Start the fake cloud on an ephemeral loopback port.
pub async fn start(expect_tokens: bool) -> (SocketAddr, Fake) {
    let fake = Fake {
        seen: Arc::default(),
        expect_tokens,
    };
    let app = Router::new().fallback(handle).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, fake)
}

/// The fake cloud on its own thread and runtime, as a cloud is: its arrival times are not
/// delayed by the load the test itself generates.
pub fn start_on_own_thread(expect_tokens: bool) -> (SocketAddr, Fake) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let started = start(expect_tokens).await;
            tx.send(started).unwrap();
            std::future::pending::<()>().await
        })
    });
    rx.recv().unwrap()
}

/// A port nothing listens on.
pub async fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap();
    drop(l);
    a
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn canonical(params: &[(String, String)]) -> String {
    let mut v: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    v.sort();
    v.join("&")
}

fn hmac256(key: &[u8], msg: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn h(headers: &HeaderMap, n: &str) -> String {
    headers
        .get(n)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn ali_error(status: StatusCode, code: &str, msg: &str) -> Response {
    let body =
        serde_json::json!({"RequestId":"FAKE-ERR-1","HostId":"fake","Code":code,"Message":msg});
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn aws_err(status: StatusCode, kind: &str, msg: &str) -> Response {
    let body = serde_json::json!({"__type": kind, "message": msg});
    (
        status,
        [
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amzn-RequestId", "aws-err-1"),
            ("X-Amzn-ErrorType", kind),
        ],
        body.to_string(),
    )
        .into_response()
}

fn sls_error(status: StatusCode, code: &str, msg: &str) -> Response {
    let body = serde_json::json!({"errorCode": code, "errorMessage": msg});
    (
        status,
        [
            ("content-type", "application/json"),
            ("x-log-requestid", "FAKESLSERR000000000000001"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// SLS's LOG V1 signature, checked independently: the string to sign rebuilt from the request
/// as received (VERB, Content-MD5, Content-Type, Date, the x-log-/x-acs- headers sorted, the
/// path and the decoded query sorted), HMAC-SHA1 with the secret, base64.
fn sls(
    f: &Fake,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    params: &[(String, String)],
    credential: &str,
) -> Response {
    use sha1::Sha1;
    let Some((id, sig)) = credential.split_once(':') else {
        return sls_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "bad Authorization",
        );
    };
    if id != ALI_ID {
        return sls_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "unknown AccessKeyId",
        );
    }
    for (name, want) in [
        ("x-log-apiversion", "0.6.0"),
        ("x-log-signaturemethod", "hmac-sha1"),
    ] {
        if h(headers, name) != want {
            return sls_error(
                StatusCode::BAD_REQUEST,
                "ParameterInvalid",
                &format!("{name} must be {want}"),
            );
        }
    }
    if h(headers, "date").is_empty() {
        return sls_error(StatusCode::BAD_REQUEST, "ParameterInvalid", "no Date");
    }
    if f.expect_tokens && h(headers, "x-acs-security-token") != ALI_TOKEN {
        return sls_error(StatusCode::UNAUTHORIZED, "Unauthorized", "no STS token");
    }
    let mut signed: Vec<String> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                v.to_str().unwrap_or("").trim().to_string(),
            )
        })
        .filter(|(k, _)| k.starts_with("x-log-") || k.starts_with("x-acs-"))
        .map(|(k, v)| format!("{k}:{v}\n"))
        .collect();
    signed.sort();
    let mut query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    query.sort();
    let resource = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let sts = format!(
        "{method}\n{}\n{}\n{}\n{}{resource}",
        h(headers, "content-md5"),
        h(headers, "content-type"),
        h(headers, "date"),
        signed.concat()
    );
    let mut m = Hmac::<Sha1>::new_from_slice(ALI_SECRET.as_bytes()).unwrap();
    m.update(sts.as_bytes());
    let want = base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes());
    if sig != want {
        return sls_error(
            StatusCode::UNAUTHORIZED,
            "SignatureNotMatch",
            &format!("signature {sig} not match, string to sign: {sts}"),
        );
    }
    let host = h(headers, "host");
    let project = host.split('.').next().unwrap_or("").to_string();
    f.seen.lock().unwrap().push(Seen {
        at: std::time::Instant::now(),
        scheme: "sls",
        action: format!("{method} {project} {path}"),
        params: params.to_vec(),
        headers: headers.clone(),
        body: Vec::new(),
    });
    if path == "/logstores" {
        return (
            StatusCode::OK,
            [
                ("content-type", "application/json"),
                ("x-log-requestid", "FAKESLS000000000000000001"),
            ],
            r#"{"count":1,"total":1,"logstores":["actiontrail_fake"]}"#,
        )
            .into_response();
    }
    if path == "/logstores/missing" {
        return sls_error(
            StatusCode::NOT_FOUND,
            "LogStoreNotExist",
            "logstore missing does not exist",
        );
    }
    (
        StatusCode::OK,
        [
            ("content-type", "application/json"),
            ("x-log-requestid", "FAKESLS000000000000000002"),
            ("x-log-progress", "Incomplete"),
            ("x-log-count", "1"),
        ],
        r#"[{"__time__":"1700000000","__source__":"","event":"{\"eventId\":\"fake-1\",\"eventName\":\"DeleteBucket\"}"}]"#,
    )
        .into_response()
}

async fn handle(
    State(f): State<Fake>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let params: Vec<(String, String)> = q
        .as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let auth = h(&headers, "authorization");
    let host = h(&headers, "host");
    if let Some(rest) = auth.strip_prefix("LOG ") {
        return sls(&f, &method, uri.path(), &headers, &params, rest);
    }
    if method != Method::POST {
        return ali_error(
            StatusCode::BAD_REQUEST,
            "UnsupportedHTTPMethod",
            "POST only in this fake",
        );
    }
    if let Some(rest) = auth.strip_prefix("ACS3-HMAC-SHA256 ") {
        // --- Alibaba V3 ---
        let fields: Vec<(&str, &str)> = rest
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let get = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| *v)
                .unwrap_or("")
        };
        let signed: Vec<&str> = get("SignedHeaders").split(';').collect();
        for must in [
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
        ] {
            if !signed.contains(&must) {
                return ali_error(
                    StatusCode::BAD_REQUEST,
                    "IncompleteSignature",
                    &format!("{must} not signed"),
                );
            }
        }
        for (name, _) in headers.iter() {
            if name.as_str().starts_with("x-acs-") && !signed.contains(&name.as_str()) {
                return ali_error(
                    StatusCode::BAD_REQUEST,
                    "IncompleteSignature",
                    &format!("{name} not signed"),
                );
            }
        }
        if hex::encode(Sha256::digest(&body)) != h(&headers, "x-acs-content-sha256") {
            return ali_error(StatusCode::BAD_REQUEST, "InvalidPayloadHash", "hash");
        }
        let date = chrono::DateTime::parse_from_rfc3339(&h(&headers, "x-acs-date"));
        if !date.is_ok_and(|d| (chrono::Utc::now() - d.to_utc()).num_seconds().abs() < 900) {
            return ali_error(StatusCode::BAD_REQUEST, "InvalidTimeStamp.Expired", "time");
        }
        if f.expect_tokens
            && (h(&headers, "x-acs-security-token") != ALI_TOKEN
                || h(&headers, "x-acs-accesskey-id") != ALI_ID)
        {
            return ali_error(
                StatusCode::BAD_REQUEST,
                "InvalidSecurityToken.Missing",
                "token",
            );
        }
        let mut ch = String::new();
        for n in &signed {
            ch.push_str(&format!("{n}:{}\n", h(&headers, n).trim()));
        }
        let creq = format!(
            "POST\n/\n{}\n{ch}\n{}\n{}",
            canonical(&params),
            signed.join(";"),
            h(&headers, "x-acs-content-sha256")
        );
        let sts = format!(
            "ACS3-HMAC-SHA256\n{}",
            hex::encode(Sha256::digest(creq.as_bytes()))
        );
        let want = hex::encode(hmac256(ALI_SECRET.as_bytes(), &sts));
        if get("Credential") != ALI_ID {
            return ali_error(
                StatusCode::NOT_FOUND,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            );
        }
        if get("Signature") != want {
            return ali_error(
                StatusCode::BAD_REQUEST,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            );
        }
        let action = h(&headers, "x-acs-action");
        f.seen.lock().unwrap().push(Seen {
            at: std::time::Instant::now(),
            scheme: "v3",
            action: action.clone(),
            params: params.clone(),
            headers: headers.clone(),
            body: body.to_vec(),
        });
        return answer_aliyun(&action, &h(&headers, "x-acs-version"), &params, &host).await;
    }
    if let Some(rest) = auth.strip_prefix("AWS4-HMAC-SHA256 ") {
        // --- AWS SigV4 ---
        let fields: Vec<(&str, &str)> = rest
            .split(", ")
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let get = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| *v)
                .unwrap_or("")
        };
        let cred: Vec<&str> = get("Credential").split('/').collect();
        let signed: Vec<&str> = get("SignedHeaders").split(';').collect();
        for must in ["content-type", "host", "x-amz-date", "x-amz-target"] {
            if !signed.contains(&must) {
                return aws_err(
                    StatusCode::BAD_REQUEST,
                    "IncompleteSignatureException",
                    must,
                );
            }
        }
        if f.expect_tokens
            && (h(&headers, "x-amz-security-token") != AWS_TOKEN
                || !signed.contains(&"x-amz-security-token"))
        {
            return aws_err(
                StatusCode::BAD_REQUEST,
                "UnrecognizedClientException",
                "token",
            );
        }
        // The service the target belongs to, as botocore signs it.
        let target = h(&headers, "x-amz-target");
        let service = if target.starts_with("com.amazonaws.cloudtrail.") {
            "cloudtrail"
        } else {
            "logs"
        };
        if cred.len() != 5 || cred[0] != AWS_ID || cred[3] != service || cred[4] != "aws4_request" {
            return aws_err(
                StatusCode::BAD_REQUEST,
                "UnrecognizedClientException",
                "credential scope",
            );
        }
        let amz_date = h(&headers, "x-amz-date");
        let mut ch = String::new();
        for n in &signed {
            ch.push_str(&format!("{n}:{}\n", h(&headers, n).trim()));
        }
        let creq = format!(
            "POST\n/\n\n{ch}\n{}\n{}",
            signed.join(";"),
            hex::encode(Sha256::digest(&body))
        );
        let scope = format!("{}/{}/{service}/aws4_request", cred[1], cred[2]);
        let sts = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex::encode(Sha256::digest(creq.as_bytes()))
        );
        let mut key = hmac256(format!("AWS4{AWS_SECRET}").as_bytes(), cred[1]);
        for part in [cred[2], service, "aws4_request"] {
            key = hmac256(&key, part);
        }
        if get("Signature") != hex::encode(hmac256(&key, &sts)) {
            return aws_err(
                StatusCode::BAD_REQUEST,
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.",
            );
        }
        f.seen.lock().unwrap().push(Seen {
            at: std::time::Instant::now(),
            scheme: "aws",
            action: target.clone(),
            params: params.clone(),
            headers: headers.clone(),
            body: body.to_vec(),
        });
        return match target.as_str() {
            "Logs_20140328.DescribeExportTasks" if body.windows(8).any(|w| w == b"\"taskId\"") => {
                aws_err(
                    StatusCode::BAD_REQUEST,
                    "ResourceNotFoundException",
                    "The specified export task does not exist.",
                )
            }
            "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
                if body.windows(11).any(|w| w == b"throttle-me") =>
            {
                aws_err(StatusCode::BAD_REQUEST, "ThrottlingException", "Rate exceeded")
            }
            "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents" => (
                StatusCode::OK,
                [
                    ("content-type", "application/x-amz-json-1.1"),
                    ("x-amzn-RequestId", "ct-req-1"),
                ],
                r#"{"Events":[{"EventId":"e-1","EventName":"ConsoleLogin","EventTime":1.7e9,"CloudTrailEvent":"{\"eventID\":\"e-1\",\"awsRegion\":\"us-east-1\"}"}],"NextToken":"ct-next"}"#,
            )
                .into_response(),
            "Logs_20140328.DescribeExportTasks" => (
                StatusCode::OK,
                [
                    ("content-type", "application/x-amz-json-1.1"),
                    ("x-amzn-RequestId", "aws-req-1"),
                ],
                r#"{"exportTasks":[{"taskId":"t-1","status":{"code":"COMPLETED"}}]}"#,
            )
                .into_response(),
            _ => aws_err(
                StatusCode::BAD_REQUEST,
                "UnknownOperationException",
                "unknown",
            ),
        };
    }
    // --- Alibaba V1 ---
    let Some(sig) = params
        .iter()
        .find(|(k, _)| k == "Signature")
        .map(|(_, v)| v.clone())
    else {
        return ali_error(StatusCode::BAD_REQUEST, "MissingSignature", "no signature");
    };
    let rest: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    let get = |k: &str| {
        rest.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let sts = format!("POST&%2F&{}", enc(&canonical(&rest)));
    let mut m = Hmac::<sha1::Sha1>::new_from_slice(format!("{ALI_SECRET}&").as_bytes()).unwrap();
    m.update(sts.as_bytes());
    let want = base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes());
    if get("AccessKeyId") != ALI_ID
        || get("SignatureMethod") != "HMAC-SHA1"
        || get("SignatureVersion") != "1.0"
        || get("SignatureNonce").is_empty()
    {
        return ali_error(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            "common parameters",
        );
    }
    if f.expect_tokens && get("SecurityToken") != ALI_TOKEN {
        return ali_error(
            StatusCode::BAD_REQUEST,
            "InvalidSecurityToken.Missing",
            "token",
        );
    }
    if sig != want {
        return ali_error(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        );
    }
    let action = get("Action");
    f.seen.lock().unwrap().push(Seen {
        at: std::time::Instant::now(),
        scheme: "v1",
        action: action.clone(),
        params: params.clone(),
        headers: headers.clone(),
        body: body.to_vec(),
    });
    answer_aliyun(&action, &get("Version"), &params, &host).await
}

async fn answer_aliyun(
    action: &str,
    version: &str,
    params: &[(String, String)],
    _host: &str,
) -> Response {
    let json = |status: StatusCode, id: &str, body: serde_json::Value| {
        (
            status,
            [
                ("content-type", "application/json;charset=utf-8"),
                ("x-acs-request-id", id),
            ],
            body.to_string(),
        )
            .into_response()
    };
    match (action, version) {
        ("LookupEvents", "2020-07-06") => {
            let attrs: Vec<serde_json::Value> = params
                .iter()
                .filter(|(k, _)| k.starts_with("LookupAttribute."))
                .map(|(k, v)| serde_json::json!([k, v]))
                .collect();
            json(
                StatusCode::OK,
                "AT-REQ-1",
                serde_json::json!({"RequestId":"AT-REQ-1","Events":[{"eventName":"ConsoleSignin","echo":attrs}],"NextToken":"next-1"}),
            )
        }
        ("ListDeliveryHistoryJobs", "2020-07-06") => json(
            StatusCode::FORBIDDEN,
            "AT-REQ-403",
            serde_json::json!({"RequestId":"AT-REQ-403","HostId":"actiontrail.cn-hangzhou.aliyuncs.com","Code":"Forbidden.RAM","Message":"User not authorized to operate on the specified resource."}),
        ),
        ("GetDeliveryHistoryJob", "2020-07-06") => {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            json(
                StatusCode::OK,
                "AT-SLOW",
                serde_json::json!({"RequestId":"AT-SLOW"}),
            )
        }
        ("CreateDeliveryHistoryJob", "2020-07-06") => json(
            StatusCode::OK,
            "AT-REQ-C",
            serde_json::json!({"RequestId":"AT-REQ-C","JobId":16602}),
        ),
        ("DescribeCdnDeliverList", "2018-05-10") => json(
            StatusCode::OK,
            "CDN-REQ-1",
            serde_json::json!({"RequestId":"CDN-REQ-1","Content":"{\"data\":[]}"}),
        ),
        _ => ali_error(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Driving the proxy under test (shared by upstream.rs, security.rs and redaction.rs).

/// The proxy token tests configure with `bearer_token_env = "TRAILVIEW_PROXY_TOKEN"`.
pub const PROXY_TOKEN: &str = "tv-proxy-token-0123456789abcdef";

/// The environment a test proxy reads: the fake cloud's credentials, the STS tokens only when
/// `tokens`, and the proxy token.
pub fn test_env(tokens: bool) -> impl Fn(&str) -> Option<String> {
    move |k| {
        let v = match k {
            "ALIBABA_CLOUD_ACCESS_KEY_ID" => ALI_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => ALI_SECRET,
            "ALIBABA_CLOUD_SECURITY_TOKEN" if tokens => ALI_TOKEN,
            "AWS_ACCESS_KEY_ID" => AWS_ID,
            "AWS_SECRET_ACCESS_KEY" => AWS_SECRET,
            "AWS_SESSION_TOKEN" if tokens => AWS_TOKEN,
            "TRAILVIEW_PROXY_TOKEN" => PROXY_TOKEN,
            _ => return None,
        };
        Some(v.to_string())
    }
}

/// A `--config` with all three upstreams pointing at the fake cloud, plus `extra` TOML.
pub fn proxy_config(
    addr: SocketAddr,
    extra: &str,
    tokens: bool,
) -> trailview_proxy::config::Config {
    let text = format!(
        "{extra}\n[aliyun.actiontrail]\nendpoint = \"http://{addr}\"\n[aliyun.cdn]\nendpoint = \"http://{addr}\"\n[aws.logs]\nregion = \"us-east-1\"\nendpoint = \"http://{addr}\"\n[aws.cloudtrail]\nregion = \"us-east-1\"\nendpoint = \"http://{addr}\"\n"
    );
    trailview_proxy::config::Config::from_toml(&text, None, &test_env(tokens)).unwrap()
}

/// The whole proxy app for [`proxy_config`].
pub fn proxy_app(addr: SocketAddr, extra: &str, tokens: bool) -> Router {
    let mode = trailview_proxy::Mode::configured(&proxy_config(addr, extra, tokens)).unwrap();
    trailview_proxy::app(mode)
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, n: &str) -> Option<&str> {
        self.headers.get(n).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Send one request through the router (no socket).
pub async fn send(app: &Router, req: axum::http::Request<axum::body::Body>) -> Reply {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}
