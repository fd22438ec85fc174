//! Alibaba Cloud RPC request signing (see `cloud-apis.md` §6.1 and §6.2).
//!
//! Hand-written on RustCrypto (`hmac`, `sha1`, `sha2`) rather than taken from a crate: there is no
//! official Rust SDK, the community crates implement only V1 (or only OSS), and both algorithms are
//! short enough to check line by line against the published examples in the tests below.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use trailview_core::percent::{self, Slash};

/// Percent-encode one key or value the way both signature versions require: RFC 3986
/// unreserved characters stay, everything else is `%XX` (uppercase), UTF-8 first; so a space is
/// `%20` (never `+`), `*` is `%2A`, `~` stays.
pub fn percent_encode(s: &str) -> String {
    percent::encode(s, Slash::Encode)
}

/// `enc(k)=enc(v)` pairs sorted by the encoded key (then value, so repeats are deterministic),
/// joined with `&`. Keys with empty values give `k=`.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut enc: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    enc.sort();
    let mut out = String::new();
    for (i, (k, v)) in enc.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// V1 string to sign: `METHOD&%2F&enc(canonical query)`.
pub fn v1_string_to_sign(method: &str, params: &[(String, String)]) -> String {
    format!(
        "{method}&{}&{}",
        percent_encode("/"),
        percent_encode(&canonical_query(params))
    )
}

/// V1 (HMAC-SHA1) signature over every parameter except `Signature`: base64 of
/// HMAC-SHA1 keyed with `secret + "&"` (the trailing `&` is part of the key).
pub fn v1_signature(method: &str, params: &[(String, String)], secret: &str) -> String {
    let sts = v1_string_to_sign(method, params);
    super::hmac_sha1_base64(format!("{secret}&").as_bytes(), &sts)
}

/// `hex(sha256(bytes))`, the V3 payload hash (`x-acs-content-sha256`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What V3 signs. Header names are lower-cased and sorted here; values are trimmed.
pub struct V3Input<'a> {
    pub method: &'a str,
    /// The query parameters (not yet encoded).
    pub query: &'a [(String, String)],
    /// Every header to sign (at least host, x-acs-*, content-type if present).
    pub headers: &'a [(String, String)],
    /// `hex(sha256(body))`.
    pub payload_hash: &'a str,
}

/// The V3 canonical request and the signed-headers list.
pub fn v3_canonical_request(input: &V3Input<'_>) -> (String, String) {
    let mut headers: Vec<(String, &str)> = input
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    let signed = signed.join(";");
    let canonical = format!(
        "{}\n/\n{}\n{}\n{}\n{}",
        input.method,
        canonical_query(input.query),
        canonical_headers,
        signed,
        input.payload_hash
    );
    (canonical, signed)
}

/// V3 signature: `hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(sha256(canonical))))`.
/// Returns `(signature, signed headers, hashed canonical request)`.
pub fn v3_sign(input: &V3Input<'_>, secret: &str) -> (String, String, String) {
    let (canonical, signed) = v3_canonical_request(input);
    let hashed = sha256_hex(canonical.as_bytes());
    let sts = format!("ACS3-HMAC-SHA256\n{hashed}");
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(sts.as_bytes());
    (hex::encode(mac.finalize().into_bytes()), signed, hashed)
}

/// The `Authorization` header value for V3.
pub fn v3_authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    format!(
        "ACS3-HMAC-SHA256 Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // cloud-apis.md §6.1 vector 1 (the ECS DescribeRegions doc example).
    #[test]
    fn v1_vector_1_describe_regions() {
        let params = p(&[
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]);
        assert_eq!(
            v1_string_to_sign("GET", &params),
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(
            v1_signature("GET", &params, "testsecret"),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    // §6.1 vector 2 (SMS doc example: UTF-8 and a JSON value), parameters given unsorted.
    #[test]
    fn v1_vector_2_send_sms_utf8() {
        let params = p(&[
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ]);
        assert_eq!(
            v1_signature("GET", &params, "testSecret"),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
    }

    fn v3_doc(date: &str, nonce: &str) -> (String, String, String) {
        let query = p(&[
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
            ("RegionId", "cn-shanghai"),
        ]);
        let empty = sha256_hex(b"");
        let headers = p(&[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", date),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-content-sha256", &empty),
        ]);
        v3_sign(
            &V3Input {
                method: "POST",
                query: &query,
                headers: &headers,
                payload_hash: &empty,
            },
            "YourAccessKeySecret",
        )
    }

    // §6.2 vector A.
    #[test]
    fn v3_vector_a() {
        let (sig, signed, hashed) =
            v3_doc("2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d");
        assert_eq!(
            hashed,
            "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            sig,
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
        assert_eq!(
            signed,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
        );
        assert_eq!(
            v3_authorization("YourAccessKeyId", &signed, &sig),
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    // §6.2 vector B.
    #[test]
    fn v3_vector_b() {
        let (sig, _, _) = v3_doc("2023-10-26T09:01:01Z", "d410180a5abf7fe235dd9b74aca91fc0");
        assert_eq!(
            sig,
            "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
        );
    }

    #[test]
    fn v3_empty_payload_hash() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn percent_encoding_set() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode("a b"), "a%20b");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("+/=:&?#%"), "%2B%2F%3D%3A%26%3F%23%25");
        assert_eq!(
            percent_encode("2024-05-01T00:00:00Z"),
            "2024-05-01T00%3A00%3A00Z"
        );
        // Non-ASCII: UTF-8 bytes, uppercase hex.
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("阿里"), "%E9%98%BF%E9%87%8C");
        assert_eq!(percent_encode("😀"), "%F0%9F%98%80");
    }

    #[test]
    fn canonical_query_sorting_and_repeats() {
        // Byte order of the encoded keys: uppercase before lowercase, "1" < "10" < "2".
        let q = p(&[
            ("b", "2"),
            ("LookupAttribute.2.Value", "Write"),
            ("LookupAttribute.10.Key", "User"),
            ("LookupAttribute.1.Value", "ConsoleSignin"),
            ("LookupAttribute.2.Key", "EventRW"),
            ("LookupAttribute.1.Key", "EventName"),
            ("a", ""),
            ("Z", "x y"),
        ]);
        assert_eq!(
            canonical_query(&q),
            "LookupAttribute.1.Key=EventName&LookupAttribute.1.Value=ConsoleSignin&LookupAttribute.10.Key=User&LookupAttribute.2.Key=EventRW&LookupAttribute.2.Value=Write&Z=x%20y&a=&b=2"
        );
        assert_eq!(canonical_query(&[]), "");
        // A non-ASCII value is encoded before sorting; the key order is unaffected.
        let q = p(&[("User", "张三"), ("Action", "LookupEvents")]);
        assert_eq!(
            canonical_query(&q),
            "Action=LookupEvents&User=%E5%BC%A0%E4%B8%89"
        );
    }

    #[test]
    fn v3_header_names_lowercased_sorted_values_trimmed() {
        let headers = p(&[("X-Acs-Action", "  LookupEvents "), ("Host", "h")]);
        let (canonical, signed) = v3_canonical_request(&V3Input {
            method: "GET",
            query: &p(&[("k", "v w")]),
            headers: &headers,
            payload_hash: "ph",
        });
        assert_eq!(signed, "host;x-acs-action");
        assert_eq!(
            canonical,
            "GET\n/\nk=v%20w\nhost:h\nx-acs-action:LookupEvents\n\nhost;x-acs-action\nph"
        );
    }
}
