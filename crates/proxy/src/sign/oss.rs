//! Alibaba Cloud OSS request signing: OSS4-HMAC-SHA256 (V4, the default) and the V1
//! `Authorization: OSS <AccessKeyId>:<signature>` (HMAC-SHA1), for the GET and HEAD requests the
//! proxy sends (no body, no `Content-MD5`, no `Content-Type`).
//!
//! Hand-written on RustCrypto like [`super::aliyun`]: there is no official Rust SDK for OSS.
//! The algorithms follow Alibaba's documents ("Recommend to use signature version 4",
//! "Include signatures in the Authorization header" for V1); the tests check them against
//! vectors computed independently from those documents, and the proxy's end-to-end tests have
//! a loopback fake OSS verify them with its own implementation.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The payload hash V4 requests carry (`x-oss-content-sha256`): the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Percent-encode as OSS V4 canonicalises: only `A-Z a-z 0-9 - _ . ~` stay (and `/` in the
/// canonical URI), everything else is `%XX` of its UTF-8 bytes, uppercase hex.
pub use trailview_core::percent::{encode as uri_encode, Slash};

fn hmac256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// One OSS request to sign: its method, bucket, (decoded) key (`""` for the bucket), decoded
/// query parameters, and the `x-oss-*` headers it carries besides the ones signing adds.
pub struct OssRequest<'a> {
    pub method: &'a str,
    pub bucket: &'a str,
    pub key: &'a str,
    pub query: &'a [(String, String)],
}

/// V4's canonical request. The URI is `/{bucket}/{key}` whatever the addressing; parameters are
/// sorted by encoded name, a parameter without a value is its name alone; the canonical headers
/// are the `x-oss-*` ones (`headers`, lower-cased names), sorted; no additional headers.
pub fn v4_canonical_request(req: &OssRequest, headers: &[(String, String)]) -> String {
    let uri = uri_encode(&format!("/{}/{}", req.bucket, req.key), Slash::Keep);
    let mut params: Vec<(String, String)> = req
        .query
        .iter()
        .map(|(k, v)| (uri_encode(k, Slash::Encode), uri_encode(v, Slash::Encode)))
        .collect();
    params.sort();
    let query = params
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
    let mut signed: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(k, _)| k.starts_with("x-oss-"))
        .collect();
    signed.sort();
    let canonical_headers: String = signed.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    format!(
        "{}\n{uri}\n{query}\n{canonical_headers}\n\n{UNSIGNED_PAYLOAD}",
        req.method
    )
}

/// The V4 headers for `req` at `datetime` (`YYYYMMDDTHHMMSSZ`) in `region`: `x-oss-date`,
/// `x-oss-content-sha256`, `x-oss-security-token` (STS) and `authorization`.
pub fn v4_headers(
    req: &OssRequest,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
    region: &str,
    datetime: &str,
) -> Vec<(String, String)> {
    let mut headers = vec![
        (
            "x-oss-content-sha256".to_string(),
            UNSIGNED_PAYLOAD.to_string(),
        ),
        ("x-oss-date".to_string(), datetime.to_string()),
    ];
    if let Some(t) = security_token {
        headers.push(("x-oss-security-token".into(), t.to_string()));
    }
    let date = &datetime[..8.min(datetime.len())];
    let scope = format!("{date}/{region}/oss/aliyun_v4_request");
    let creq = v4_canonical_request(req, &headers);
    let sts = format!(
        "OSS4-HMAC-SHA256\n{datetime}\n{scope}\n{}",
        hex::encode(Sha256::digest(creq.as_bytes()))
    );
    let mut key = hmac256(format!("aliyun_v4{secret}").as_bytes(), date.as_bytes());
    for part in [region, "oss", "aliyun_v4_request"] {
        key = hmac256(&key, part.as_bytes());
    }
    let signature = hex::encode(hmac256(&key, sts.as_bytes()));
    headers.push((
        "authorization".into(),
        format!("OSS4-HMAC-SHA256 Credential={access_key_id}/{scope}, Signature={signature}"),
    ));
    headers
}

/// The query parameters V1 signs (its "sub-resources"): of those a ListObjectsV2 request can
/// carry, only `continuation-token`.
const V1_SUBRESOURCES: &[&str] = &["continuation-token"];

/// V1's string to sign: `VERB\n\n\nDate\n` + the `x-oss-*` headers (`k:v\n`, sorted) +
/// `/{bucket}/{key}` with the sub-resources (`?k=v&...`, sorted, not encoded).
pub fn v1_string_to_sign(req: &OssRequest, date: &str, headers: &[(String, String)]) -> String {
    let mut oss: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(k, _)| k.starts_with("x-oss-"))
        .collect();
    oss.sort();
    let oss_headers: String = oss.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let mut sub: Vec<&(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| V1_SUBRESOURCES.contains(&k.as_str()))
        .collect();
    sub.sort();
    let sub = sub
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
    let resource = if sub.is_empty() {
        format!("/{}/{}", req.bucket, req.key)
    } else {
        format!("/{}/{}?{sub}", req.bucket, req.key)
    };
    format!("{}\n\n\n{date}\n{oss_headers}{resource}", req.method)
}

/// The V1 headers for `req` at `date` (RFC 1123, GMT): `date`, `x-oss-security-token` (STS) and
/// `authorization`.
pub fn v1_headers(
    req: &OssRequest,
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
    date: &str,
) -> Vec<(String, String)> {
    let mut headers = vec![("date".to_string(), date.to_string())];
    if let Some(t) = security_token {
        headers.push(("x-oss-security-token".into(), t.to_string()));
    }
    let sts = v1_string_to_sign(req, date, &headers);
    let sig = super::hmac_sha1_base64(secret.as_bytes(), &sts);
    headers.push(("authorization".into(), format!("OSS {access_key_id}:{sig}")));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn v4_canonical_request_shape() {
        let query = q(&[("prefix", ""), ("list-type", "2"), ("delimiter", "/")]);
        let req = OssRequest {
            method: "GET",
            bucket: "examplebucket",
            key: "",
            query: &query,
        };
        let headers = q(&[
            ("x-oss-date", "20231203T121212Z"),
            ("x-oss-content-sha256", UNSIGNED_PAYLOAD),
        ]);
        assert_eq!(
            v4_canonical_request(&req, &headers),
            "GET\n/examplebucket/\ndelimiter=%2F&list-type=2&prefix\n\
             x-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231203T121212Z\n\n\nUNSIGNED-PAYLOAD"
        );
        let req = OssRequest {
            method: "GET",
            bucket: "b",
            key: "AliyunLogs/a b/张.gz",
            query: &[],
        };
        assert!(v4_canonical_request(&req, &[])
            .starts_with("GET\n/b/AliyunLogs/a%20b/%E5%BC%A0.gz\n\n"));
    }

    #[test]
    fn v4_authorization_and_token() {
        let req = OssRequest {
            method: "HEAD",
            bucket: "b",
            key: "k",
            query: &[],
        };
        let h = v4_headers(
            &req,
            "AKID",
            "secret",
            Some("tok"),
            "cn-hangzhou",
            "20240601T000000Z",
        );
        let auth = &h.iter().find(|(k, _)| k == "authorization").unwrap().1;
        assert!(auth.starts_with(
            "OSS4-HMAC-SHA256 Credential=AKID/20240601/cn-hangzhou/oss/aliyun_v4_request, Signature="
        ));
        assert_eq!(auth.rsplit('=').next().unwrap().len(), 64);
        assert!(h.contains(&("x-oss-security-token".into(), "tok".into())));
        // Deterministic: the same input signs the same.
        assert_eq!(
            h,
            v4_headers(
                &req,
                "AKID",
                "secret",
                Some("tok"),
                "cn-hangzhou",
                "20240601T000000Z"
            )
        );
    }

    #[test]
    fn v1_string_to_sign_keeps_only_subresources() {
        let query = q(&[
            ("list-type", "2"),
            ("prefix", "AliyunLogs/"),
            ("continuation-token", "abc"),
        ]);
        let req = OssRequest {
            method: "GET",
            bucket: "b",
            key: "",
            query: &query,
        };
        let date = "Sat, 01 Jun 2024 00:00:00 GMT";
        let headers = q(&[("x-oss-security-token", "t")]);
        assert_eq!(
            v1_string_to_sign(&req, date, &headers),
            "GET\n\n\nSat, 01 Jun 2024 00:00:00 GMT\nx-oss-security-token:t\n/b/?continuation-token=abc"
        );
        let h = v1_headers(&req, "id", "secret", None, date);
        let auth = &h.iter().find(|(k, _)| k == "authorization").unwrap().1;
        assert!(auth.starts_with("OSS id:") && auth.ends_with('='), "{auth}");
    }
}
