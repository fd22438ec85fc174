//! The storage routes (OSS, S3): `GET|HEAD /api/aliyun/oss/{bucket}?list-type=2&...`
//! (ListObjectsV2), `GET|HEAD /api/aliyun/oss/{bucket}/{key}` (GetObject / HeadObject), and the
//! same under `/api/aws/s3`: path-style, the storage APIs' own wire format.
//!
//! [`StorageRequest::parse`] reads a request off the route and applies the checks every mode
//! shares: only GET and HEAD, a bucket name, a listing query of ListObjectsV2's own parameters
//! (core's [`ListObjectsRequest::from_query`]), no query at all on an object (so no `?acl`,
//! `?tagging`, `?versionId`...), and a key of a plain form (core's
//! [`check_key_form`]: no `..`, no backslash, nothing still percent-encoded after one decoding;
//! an encoded separator `%2F` / `%5C` is refused before decoding). The upstream then checks the
//! configured bucket and prefix ([`crate::allowlist::check_storage`]) before it signs; [`StorageRefusal`] says why one is refused.

use axum::http::Method;
use percent_encoding::percent_decode_str;
use trailview_core::catalogue::{self, Api, Operation};
use trailview_core::trail_files::keys::check_key_form;
use trailview_core::trail_files::{KeyRefused, KeyUse, ListObjectsRequest, QueryRefused};

/// Why a storage request is refused (403 `AccessDenied`, before signing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageRefusal {
    /// Not GET or HEAD.
    Method(String),
    /// No bucket in the path (ListBuckets).
    NoBucket,
    /// Not a bucket name.
    BucketName(String),
    /// Not the configured bucket.
    Bucket(String),
    /// A bucket query that is not ListObjectsV2's (a sub-resource such as `acl`, `policy`,
    /// `uploads`, or ListObjects V1).
    Query(QueryRefused),
    /// A query on an object (a sub-resource such as `acl`, `tagging`, `versionId`).
    ObjectQuery(String),
    /// The object key.
    Key(KeyRefused),
    /// The listing's `prefix`.
    Prefix(KeyRefused),
}

impl StorageRefusal {
    pub fn message(&self, api: Api) -> String {
        let why = match self {
            StorageRefusal::Method(m) => {
                format!("the method {m} (only GET of a listing, GET and HEAD of an object are)")
            }
            StorageRefusal::NoBucket => "a request without a bucket (ListBuckets)".into(),
            StorageRefusal::BucketName(b) => format!("'{b}', which is not a bucket name"),
            StorageRefusal::Bucket(b) => format!("the bucket '{b}' (not the configured one)"),
            StorageRefusal::Query(q) => format!("this bucket request: {q}"),
            StorageRefusal::ObjectQuery(q) => {
                format!("an object request with a query or sub-resource ('{q}')")
            }
            StorageRefusal::Key(k) => format!("this key: {k}"),
            StorageRefusal::Prefix(k) => format!("this listing prefix: {k}"),
        };
        let allowed: Vec<&str> = api.forwarded().map(|o| o.name).collect();
        format!(
            "trailview-proxy does not forward {why}. {} is read-only through the proxy: only {} on the configured bucket, under its prefix.",
            api.name(),
            allowed.join(", ")
        )
    }
}

/// GET or HEAD: the only methods the storage routes take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageMethod {
    Get,
    Head,
}

impl StorageMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            StorageMethod::Get => "GET",
            StorageMethod::Head => "HEAD",
        }
    }
}

/// What a storage request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageCall {
    /// ListObjectsV2 on the bucket.
    List(ListObjectsRequest),
    /// GetObject or HeadObject of the key.
    Object,
}

/// One storage request, checked for form (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageRequest {
    pub api: Api,
    pub method: StorageMethod,
    pub bucket: String,
    /// The object key, percent-decoded once; `""` for a listing.
    pub key: String,
    /// The raw query string, without `?` (`""` when none).
    pub query: String,
    pub call: StorageCall,
}

/// The bytes of a key or bucket segment that, still encoded, would become a separator once
/// decoded: refused before decoding (the app encodes each key segment and keeps its `/`).
fn encoded_separator(raw: &str) -> bool {
    let lower = raw.to_ascii_lowercase();
    lower.contains("%2f") || lower.contains("%5c")
}

impl StorageRequest {
    /// Read a request to `api`'s route: `path` is the whole URI path (`/api/aws/s3/...`).
    pub fn parse(
        api: Api,
        method: &Method,
        path: &str,
        query: Option<&str>,
    ) -> Result<StorageRequest, StorageRefusal> {
        let method = match *method {
            Method::GET => StorageMethod::Get,
            Method::HEAD => StorageMethod::Head,
            ref other => return Err(StorageRefusal::Method(other.to_string())),
        };
        let route = format!("/api/{}", api.route());
        let rest = path
            .strip_prefix(&route)
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or("");
        let (raw_bucket, raw_key) = match rest.split_once('/') {
            Some((b, k)) => (b, k),
            None => (rest, ""),
        };
        if raw_bucket.is_empty() {
            return Err(StorageRefusal::NoBucket);
        }
        if !crate::config::valid_bucket_name(raw_bucket) {
            return Err(StorageRefusal::BucketName(raw_bucket.to_string()));
        }
        let query = query.unwrap_or("").to_string();
        if raw_key.is_empty() {
            // HEAD on a bucket is HeadBucket, not a listing.
            if method == StorageMethod::Head {
                return Err(StorageRefusal::Method("HEAD on a bucket".into()));
            }
            let list = ListObjectsRequest::from_query(&query).map_err(StorageRefusal::Query)?;
            check_key_form(&list.prefix, KeyUse::ListPrefix).map_err(StorageRefusal::Prefix)?;
            return Ok(StorageRequest {
                api,
                method,
                bucket: raw_bucket.to_string(),
                key: String::new(),
                query,
                call: StorageCall::List(list),
            });
        }
        if !query.is_empty() {
            return Err(StorageRefusal::ObjectQuery(query));
        }
        if encoded_separator(raw_key) {
            return Err(StorageRefusal::Key(
                trailview_core::trail_files::KeyRefused::Encoded,
            ));
        }
        let key = percent_decode_str(raw_key)
            .decode_utf8()
            .map_err(|_| StorageRefusal::Key(trailview_core::trail_files::KeyRefused::Encoded))?
            .into_owned();
        check_key_form(&key, KeyUse::Object).map_err(StorageRefusal::Key)?;
        Ok(StorageRequest {
            api,
            method,
            bucket: raw_bucket.to_string(),
            key,
            query,
            call: StorageCall::Object,
        })
    }

    /// The catalogue's operation this request is.
    pub fn operation(&self) -> &'static Operation {
        let name = match (&self.call, self.method) {
            (StorageCall::List(_), _) => "ListObjectsV2",
            (StorageCall::Object, StorageMethod::Get) => "GetObject",
            (StorageCall::Object, StorageMethod::Head) => "HeadObject",
        };
        catalogue::find(self.api, name).expect("the storage APIs' operations are in the catalogue")
    }
}

/// The path of `key` in `bucket` as sent upstream: each byte outside `A-Z a-z 0-9 - _ . ~ /`
/// percent-encoded (what SigV4 and OSS V4 canonicalise, so the path is signed as sent).
pub fn encode_key(key: &str) -> String {
    trailview_core::percent::encode(key, trailview_core::percent::Slash::Keep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailview_core::trail_files::KeyRefused;

    fn parse(
        method: Method,
        path: &str,
        query: Option<&str>,
    ) -> Result<StorageRequest, StorageRefusal> {
        StorageRequest::parse(Api::S3, &method, path, query)
    }

    #[test]
    fn listings_and_objects() {
        let r = parse(
            Method::GET,
            "/api/aws/s3/trail-bucket",
            Some("list-type=2&prefix=AWSLogs%2F&delimiter=%2F"),
        )
        .unwrap();
        assert_eq!(r.operation().name, "ListObjectsV2");
        let StorageCall::List(list) = &r.call else {
            panic!()
        };
        assert_eq!(list.prefix, "AWSLogs/");
        let r = parse(
            Method::HEAD,
            "/api/aws/s3/trail-bucket/AWSLogs/a%20b.json.gz",
            None,
        )
        .unwrap();
        assert_eq!(r.key, "AWSLogs/a b.json.gz");
        assert_eq!(r.operation().name, "HeadObject");
        assert_eq!(
            parse(Method::GET, "/api/aws/s3/trail-bucket/k", Some(""))
                .unwrap()
                .operation()
                .name,
            "GetObject"
        );
        assert_eq!(
            encode_key("AWSLogs/a b/张+.gz"),
            "AWSLogs/a%20b/%E5%BC%A0%2B.gz"
        );
    }

    /// The requests the routes take are exactly the storage operations the catalogue says the
    /// app calls.
    #[test]
    fn routes_take_exactly_the_catalogues_operations() {
        for api in [Api::Oss, Api::S3] {
            let base = format!("/api/{}/trail-bucket", api.route());
            let mut taken: Vec<&str> = Vec::new();
            for method in [
                Method::GET,
                Method::HEAD,
                Method::PUT,
                Method::POST,
                Method::DELETE,
            ] {
                for (path, query) in [(base.clone(), "list-type=2"), (format!("{base}/k"), "")] {
                    if let Ok(r) = StorageRequest::parse(api, &method, &path, Some(query)) {
                        taken.push(r.operation().name);
                    }
                }
            }
            taken.sort();
            let mut forwarded: Vec<&str> = api.forwarded().map(|o| o.name).collect();
            forwarded.sort();
            assert_eq!(taken, forwarded, "{api:?}");
        }
    }

    #[test]
    fn refusals() {
        let b = "/api/aws/s3/trail-bucket";
        let cases: Vec<(Method, String, Option<&str>)> = vec![
            (Method::PUT, format!("{b}/k"), None),
            (Method::DELETE, format!("{b}/k"), None),
            (Method::POST, b.to_string(), Some("delete")),
            (Method::GET, "/api/aws/s3".into(), None),
            (Method::GET, "/api/aws/s3/".into(), None),
            (Method::GET, "/api/aws/s3/..".into(), Some("list-type=2")),
            (
                Method::GET,
                "/api/aws/s3/b%2e%2e".into(),
                Some("list-type=2"),
            ),
            (Method::HEAD, b.to_string(), Some("list-type=2")),
            (Method::GET, b.to_string(), Some("acl")),
            (Method::GET, b.to_string(), Some("policy")),
            (Method::GET, b.to_string(), Some("uploads")),
            (Method::GET, b.to_string(), None),
            (
                Method::GET,
                b.to_string(),
                Some("list-type=2&prefix=..%2Fx"),
            ),
            (Method::GET, format!("{b}/k"), Some("acl")),
            (Method::GET, format!("{b}/k"), Some("versionId=1")),
            (Method::GET, format!("{b}/AWSLogs/../x"), None),
            (Method::GET, format!("{b}/AWSLogs/%2e%2e/x"), None),
            (Method::GET, format!("{b}/AWSLogs%2f..%2fx"), None),
            (Method::GET, format!("{b}/AWSLogs%2F..%2Fx"), None),
            (Method::GET, format!("{b}/AWSLogs\\..\\x"), None),
            (Method::GET, format!("{b}/AWSLogs%5c..%5cx"), None),
            (Method::GET, format!("{b}/AWSLogs/%252e%252e/x"), None),
            (Method::GET, format!("{b}/a/%3Facl"), None),
            (Method::GET, format!("{b}/a//b"), None),
            (Method::GET, format!("{b}/a/%ff"), None),
        ];
        for (m, path, q) in cases {
            assert!(parse(m.clone(), &path, q).is_err(), "{m} {path} {q:?}");
        }
        assert_eq!(
            parse(Method::GET, &format!("{b}/x/%2e%2e/y"), None),
            Err(StorageRefusal::Key(KeyRefused::DotSegment))
        );
    }
}
