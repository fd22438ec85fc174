//! A loopback stand-in for OSS and S3 (path-style, `/{bucket}/{key}`): it checks every
//! signature with its own implementation written from the published algorithms (OSS
//! OSS4-HMAC-SHA256 and V1, AWS SigV4 for S3), sharing no code with `trailview_proxy::sign`,
//! and answers like the stores. Every request that reaches it is recorded, so a test can prove
//! one never did.
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub const ALI_ID: &str = "LTAI5tStorageKeyId";
pub const ALI_SECRET: &str = "OSS-SECRET-do-not-leak-5e1f";
pub const ALI_TOKEN: &str = "OSS-STS-TOKEN-do-not-leak-0a2b";
pub const AWS_ID: &str = "AKIDSTORAGEEXAMPLE";
pub const AWS_SECRET: &str = "S3-SECRET-do-not-leak-c7d8";
pub const AWS_TOKEN: &str = "S3-SESSION-TOKEN-do-not-leak-4f4f";

pub const OSS_REGION: &str = "cn-hangzhou";
pub const S3_REGION: &str = "us-east-1";

/// The size of the object `big.gz`: larger than the proxy's 32 MB limit on API answers.
pub const BIG: usize = 40 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Seen {
    /// "oss4", "oss1" or "s3".
    pub scheme: &'static str,
    pub method: String,
    /// The path as received (still percent-encoded).
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
}

#[derive(Clone, Default)]
pub struct FakeStorage {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Every request must carry the STS token.
    pub expect_tokens: bool,
}

impl FakeStorage {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

pub async fn start(expect_tokens: bool) -> (SocketAddr, FakeStorage) {
    let fake = FakeStorage {
        seen: Arc::default(),
        expect_tokens,
    };
    let app = Router::new().fallback(handle).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, fake)
}

/// The environment a test proxy reads (the fake's credentials).
pub fn test_env(tokens: bool) -> impl Fn(&str) -> Option<String> {
    move |k| {
        let v = match k {
            "ALIBABA_CLOUD_ACCESS_KEY_ID" => ALI_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => ALI_SECRET,
            "ALIBABA_CLOUD_SECURITY_TOKEN" if tokens => ALI_TOKEN,
            "AWS_ACCESS_KEY_ID" => AWS_ID,
            "AWS_SECRET_ACCESS_KEY" => AWS_SECRET,
            "AWS_SESSION_TOKEN" if tokens => AWS_TOKEN,
            _ => return None,
        };
        Some(v.to_string())
    }
}

fn h(headers: &HeaderMap, n: &str) -> String {
    headers
        .get(n)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn hmac256(key: &[u8], msg: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// RFC 3986 encoding of every byte but the unreserved ones (and `/` when asked).
fn enc(s: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .expect("utf-8 path")
        .into_owned()
}

fn params(q: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn xml_error(status: StatusCode, id_header: &'static str, code: &str, msg: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{msg}</Message><RequestId>FAKE-ERR</RequestId><HostId>fake</HostId></Error>"
    );
    (
        status,
        [("content-type", "application/xml"), (id_header, "FAKE-ERR")],
        body,
    )
        .into_response()
}

/// A signature check failed: the store's error code and message.
struct Denied(String, String);

fn fields(rest: &str) -> Vec<(String, String)> {
    rest.split(',')
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn field(f: &[(String, String)], k: &str) -> String {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// OSS V4, from "Recommend to use signature version 4": canonical URI `/bucket/key`
/// (URI-encoded, `/` kept), the query sorted with a value-less parameter as its name alone, the
/// `x-oss-*` headers, the additional-headers line, and the payload hash header.
fn verify_oss4(
    f: &FakeStorage,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    rest: &str,
) -> Result<(), Denied> {
    let deny = |code: &str, msg: &str| Err(Denied(code.to_string(), msg.to_string()));
    let fl = fields(rest);
    let cred: Vec<String> = field(&fl, "Credential")
        .split('/')
        .map(String::from)
        .collect();
    if cred.len() != 5
        || cred[0] != ALI_ID
        || cred[2] != OSS_REGION
        || cred[3] != "oss"
        || cred[4] != "aliyun_v4_request"
    {
        return deny("InvalidAccessKeyId", "credential scope");
    }
    if h(headers, "x-oss-content-sha256") != "UNSIGNED-PAYLOAD" {
        return deny("InvalidArgument", "x-oss-content-sha256");
    }
    let datetime = h(headers, "x-oss-date");
    let t = chrono::NaiveDateTime::parse_from_str(&datetime, "%Y%m%dT%H%M%SZ");
    if !t.is_ok_and(|t| (chrono::Utc::now().naive_utc() - t).num_seconds().abs() < 900)
        || !datetime.starts_with(&cred[1])
    {
        return deny("RequestTimeTooSkewed", "x-oss-date");
    }
    if f.expect_tokens && h(headers, "x-oss-security-token") != ALI_TOKEN {
        return deny("InvalidSecurityToken", "token");
    }
    let uri = enc(&decode(path), true);
    let mut q: Vec<(String, String)> = params(query)
        .into_iter()
        .map(|(k, v)| (enc(&k, false), enc(&v, false)))
        .collect();
    q.sort();
    let cq = q
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut oss: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("x-oss-"))
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                v.to_str().unwrap().trim().to_string(),
            )
        })
        .collect();
    oss.sort();
    let ch: String = oss.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let creq = format!("{method}\n{uri}\n{cq}\n{ch}\n\nUNSIGNED-PAYLOAD");
    let scope = format!("{}/{}/oss/aliyun_v4_request", cred[1], cred[2]);
    let sts = format!(
        "OSS4-HMAC-SHA256\n{datetime}\n{scope}\n{}",
        hex::encode(Sha256::digest(creq.as_bytes()))
    );
    let mut key = hmac256(format!("aliyun_v4{ALI_SECRET}").as_bytes(), &cred[1]);
    for part in [cred[2].as_str(), "oss", "aliyun_v4_request"] {
        key = hmac256(&key, part);
    }
    if field(&fl, "Signature") != hex::encode(hmac256(&key, &sts)) {
        return deny(
            "SignatureDoesNotMatch",
            &format!("The request signature we calculated does not match the signature you provided. <CanonicalRequest>{creq}</CanonicalRequest>"),
        );
    }
    Ok(())
}

/// OSS V1, from "Include signatures in the Authorization header": HMAC-SHA1 over `VERB`,
/// `Content-MD5`, `Content-Type`, `Date`, the `x-oss-*` headers and the canonical resource
/// (`/bucket/key` decoded, plus the sub-resources).
fn verify_oss1(
    f: &FakeStorage,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    rest: &str,
) -> Result<(), Denied> {
    let deny = |code: &str, msg: &str| Err(Denied(code.to_string(), msg.to_string()));
    let Some((id, sig)) = rest.split_once(':') else {
        return deny("InvalidArgument", "authorization");
    };
    if id != ALI_ID {
        return deny("InvalidAccessKeyId", "id");
    }
    let date = h(headers, "date");
    let t = chrono::DateTime::parse_from_rfc2822(&date);
    if !t.is_ok_and(|t| (chrono::Utc::now() - t.to_utc()).num_seconds().abs() < 900) {
        return deny("RequestTimeTooSkewed", "date");
    }
    if f.expect_tokens && h(headers, "x-oss-security-token") != ALI_TOKEN {
        return deny("InvalidSecurityToken", "token");
    }
    const SUB: &[&str] = &[
        "acl",
        "uploads",
        "location",
        "cors",
        "logging",
        "website",
        "referer",
        "lifecycle",
        "delete",
        "append",
        "tagging",
        "objectMeta",
        "uploadId",
        "partNumber",
        "security-token",
        "position",
        "img",
        "style",
        "styleName",
        "replication",
        "replicationProgress",
        "replicationLocation",
        "cname",
        "bucketInfo",
        "comp",
        "qos",
        "live",
        "status",
        "vod",
        "startTime",
        "endTime",
        "symlink",
        "x-oss-process",
        "response-content-type",
        "response-content-language",
        "response-expires",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "udf",
        "udfName",
        "udfImage",
        "udfId",
        "udfImageDesc",
        "udfApplication",
        "udfApplicationLog",
        "restore",
        "callback",
        "callback-var",
        "policy",
        "versions",
        "versioning",
        "versionId",
        "continuation-token",
    ];
    let mut sub: Vec<(String, String)> = params(query)
        .into_iter()
        .filter(|(k, _)| SUB.contains(&k.as_str()))
        .collect();
    sub.sort();
    let mut resource = decode(path);
    if !sub.is_empty() {
        resource.push('?');
        resource.push_str(
            &sub.iter()
                .map(|(k, v)| {
                    if v.is_empty() {
                        k.clone()
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect::<Vec<_>>()
                .join("&"),
        );
    }
    let mut oss: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("x-oss-"))
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                v.to_str().unwrap().trim().to_string(),
            )
        })
        .collect();
    oss.sort();
    let ch: String = oss.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let sts = format!(
        "{method}\n{}\n{}\n{date}\n{ch}{resource}",
        h(headers, "content-md5"),
        h(headers, "content-type")
    );
    let mut m = Hmac::<sha1::Sha1>::new_from_slice(ALI_SECRET.as_bytes()).unwrap();
    m.update(sts.as_bytes());
    if sig != base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes()) {
        return deny(
            "SignatureDoesNotMatch",
            &format!("The request signature we calculated does not match the signature you provided. <StringToSign>{sts}</StringToSign>"),
        );
    }
    Ok(())
}

/// SigV4 for S3, from the S3 API reference: canonical URI the path with each segment
/// URI-encoded once, sorted canonical query (`k=` for an empty value), the signed headers,
/// and the payload hash `UNSIGNED-PAYLOAD` (also sent as `x-amz-content-sha256`).
fn verify_s3(
    f: &FakeStorage,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    rest: &str,
) -> Result<(), Denied> {
    let deny = |code: &str, msg: &str| Err(Denied(code.to_string(), msg.to_string()));
    let fl = fields(rest);
    let cred: Vec<String> = field(&fl, "Credential")
        .split('/')
        .map(String::from)
        .collect();
    let signed: Vec<String> = field(&fl, "SignedHeaders")
        .split(';')
        .map(String::from)
        .collect();
    if cred.len() != 5
        || cred[0] != AWS_ID
        || cred[2] != S3_REGION
        || cred[3] != "s3"
        || cred[4] != "aws4_request"
    {
        return deny("InvalidAccessKeyId", "credential scope");
    }
    for must in ["host", "x-amz-content-sha256", "x-amz-date"] {
        if !signed.iter().any(|s| s == must) {
            return deny("AccessDenied", &format!("{must} not signed"));
        }
    }
    if h(headers, "x-amz-content-sha256") != "UNSIGNED-PAYLOAD" {
        return deny("InvalidArgument", "x-amz-content-sha256");
    }
    if f.expect_tokens
        && (h(headers, "x-amz-security-token") != AWS_TOKEN
            || !signed.iter().any(|s| s == "x-amz-security-token"))
    {
        return deny("InvalidToken", "token");
    }
    let amz_date = h(headers, "x-amz-date");
    let t = chrono::NaiveDateTime::parse_from_str(&amz_date, "%Y%m%dT%H%M%SZ");
    if !t.is_ok_and(|t| (chrono::Utc::now().naive_utc() - t).num_seconds().abs() < 900) {
        return deny("RequestTimeTooSkewed", "x-amz-date");
    }
    let uri = enc(&decode(path), true);
    let mut q: Vec<(String, String)> = params(query)
        .into_iter()
        .map(|(k, v)| (enc(&k, false), enc(&v, false)))
        .collect();
    q.sort();
    let cq = q
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let ch: String = signed
        .iter()
        .map(|n| format!("{n}:{}\n", h(headers, n).trim()))
        .collect();
    let creq = format!(
        "{method}\n{uri}\n{cq}\n{ch}\n{}\nUNSIGNED-PAYLOAD",
        signed.join(";")
    );
    let scope = format!("{}/{}/s3/aws4_request", cred[1], cred[2]);
    let sts = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(creq.as_bytes()))
    );
    let mut key = hmac256(format!("AWS4{AWS_SECRET}").as_bytes(), &cred[1]);
    for part in [cred[2].as_str(), "s3", "aws4_request"] {
        key = hmac256(&key, part);
    }
    if field(&fl, "Signature") != hex::encode(hmac256(&key, &sts)) {
        return deny(
            "SignatureDoesNotMatch",
            &format!("The request signature we calculated does not match the signature you provided. <CanonicalRequest>{creq}</CanonicalRequest>"),
        );
    }
    Ok(())
}

async fn handle(
    State(f): State<FakeStorage>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    let auth = h(&headers, "authorization");
    let (scheme, verified, id_header) = if let Some(rest) = auth.strip_prefix("OSS4-HMAC-SHA256 ") {
        (
            "oss4",
            verify_oss4(&f, &method, &path, &query, &headers, rest),
            "x-oss-request-id",
        )
    } else if let Some(rest) = auth.strip_prefix("OSS ") {
        (
            "oss1",
            verify_oss1(&f, &method, &path, &query, &headers, rest),
            "x-oss-request-id",
        )
    } else if let Some(rest) = auth.strip_prefix("AWS4-HMAC-SHA256 ") {
        (
            "s3",
            verify_s3(&f, &method, &path, &query, &headers, rest),
            "x-amz-request-id",
        )
    } else {
        return xml_error(
            StatusCode::FORBIDDEN,
            "x-amz-request-id",
            "AccessDenied",
            "no signature",
        );
    };
    if let Err(Denied(code, msg)) = verified {
        return xml_error(StatusCode::FORBIDDEN, id_header, &code, &msg);
    }
    f.seen.lock().unwrap().push(Seen {
        scheme,
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        headers: headers.clone(),
    });
    let decoded = decode(&path);
    let (bucket, key) = decoded
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or((&decoded[1..], ""));
    if key.is_empty() {
        let p = params(&query);
        let prefix = p
            .iter()
            .find(|(k, _)| k == "prefix")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult><Name>{bucket}</Name><Prefix>{prefix}</Prefix><MaxKeys>1000</MaxKeys><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated><Contents><Key>{prefix}a.json.gz</Key><LastModified>2024-06-01T00:00:00.000Z</LastModified><ETag>\"e1\"</ETag><Size>10</Size></Contents></ListBucketResult>"
        );
        return (
            StatusCode::OK,
            [
                ("content-type", "application/xml"),
                (id_header, "FAKE-LIST-1"),
            ],
            body,
        )
            .into_response();
    }
    let name = key.rsplit('/').next().unwrap_or("");
    if name == "missing.gz" {
        return xml_error(
            StatusCode::NOT_FOUND,
            id_header,
            "NoSuchKey",
            "The specified key does not exist.",
        );
    }
    let (len, encoding) = match name {
        "big.gz" => (BIG, None),
        "encoded.json" => (20, Some("gzip")),
        _ => (1000, None),
    };
    let mut resp = Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/octet-stream")
        .header("content-length", len.to_string())
        .header("etag", "\"0123abcd\"")
        .header("last-modified", "Sat, 01 Jun 2024 00:00:00 GMT")
        .header(id_header, "FAKE-OBJ-1")
        .header("x-amz-id-2", "host-id-not-passed")
        .header("x-oss-meta-owner", "not-passed")
        .header("set-cookie", "not=passed");
    if let Some(e) = encoding {
        resp = resp.header("content-encoding", e);
    }
    if method == Method::HEAD {
        return resp.body(Body::empty()).unwrap();
    }
    if name == "stall.gz" {
        return resp.body(Body::new(Stall { sent: false })).unwrap();
    }
    // Streamed in 1 MB chunks: the proxy must pass it on without holding it whole.
    resp.body(Body::new(Chunks { left: len })).unwrap()
}

/// One frame, then nothing, ever.
struct Stall {
    sent: bool,
}

impl http_body::Body for Stall {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.sent {
            return std::task::Poll::Pending;
        }
        self.sent = true;
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(
            axum::body::Bytes::from_static(b"xx"),
        ))))
    }
}

/// `left` bytes of `x`, a megabyte a frame.
struct Chunks {
    left: usize,
}

impl http_body::Body for Chunks {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        let n = self.left.min(1 << 20);
        self.left -= n;
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(axum::body::Bytes::from(
            vec![b'x'; n],
        )))))
    }
}
