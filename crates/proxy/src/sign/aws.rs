//! AWS Signature Version 4 through the official `aws-sigv4` crate (no hand-written crypto).
//!
//! The request handed in must already carry every header to sign (`host`, `content-type`,
//! `x-amz-target`); signing adds `x-amz-date`, `authorization` and, with a session token,
//! `x-amz-security-token`. No `x-amz-content-sha256` (JSON 1.1 services do not want it), except
//! for S3 ([`sign_s3_request`]), which signs `UNSIGNED-PAYLOAD`.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use std::time::SystemTime;

/// Static credentials (from the environment or the config file).
#[derive(Clone)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret or the token.
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Sign `req` in place for `service` in `region` at `time`.
pub fn sign_request(
    req: &mut http::Request<Vec<u8>>,
    creds: &AwsCredentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), String> {
    let body = req.body().clone();
    sign_with(
        req,
        creds,
        region,
        service,
        time,
        SigningSettings::default(),
        SignableBody::Bytes(&body),
    )
}

/// Sign an S3 request (GET or HEAD, no body) in place, as S3 wants it: `x-amz-content-sha256:
/// UNSIGNED-PAYLOAD` signed too, the path used as sent (already percent-encoded once, not
/// normalised: S3 keys may hold `//` or `.`).
pub fn sign_s3_request<B>(
    req: &mut http::Request<B>,
    creds: &AwsCredentials,
    region: &str,
    time: SystemTime,
) -> Result<(), String> {
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    sign_with(
        req,
        creds,
        region,
        "s3",
        time,
        settings,
        SignableBody::UnsignedPayload,
    )
}

fn sign_with<B>(
    req: &mut http::Request<B>,
    creds: &AwsCredentials,
    region: &str,
    service: &str,
    time: SystemTime,
    settings: SigningSettings,
    body: SignableBody<'_>,
) -> Result<(), String> {
    let identity = Credentials::new(
        &creds.access_key_id,
        &creds.secret_access_key,
        creds.session_token.clone(),
        None,
        "trailview-proxy",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| format!("AWS signing parameters: {e}"))?
        .into();
    let uri = req.uri().to_string();
    let headers: Vec<(&str, &str)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
        .collect();
    let signable = SignableRequest::new(req.method().as_str(), uri, headers.into_iter(), body)
        .map_err(|e| format!("AWS signing: {e}"))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| format!("AWS signing: {e}"))?
        .into_parts();
    instructions.apply_to_request_http1x(req);
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Vectors from the AWS SigV4 test suite that `aws-sigv4` ships
    //! (`aws-sigv4-1.6.4/aws-signing-test-suite/v4/<case>/header-signature.txt`):
    //! credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service
    //! `service`, 2015-08-30T12:36:00Z.
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn creds(token: Option<&str>) -> AwsCredentials {
        AwsCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(String::from),
        }
    }

    fn suite_time() -> SystemTime {
        // 2015-08-30T12:36:00Z
        UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    fn signed(method: &str, token: Option<&str>) -> http::Request<Vec<u8>> {
        let mut req = http::Request::builder()
            .method(method)
            .uri("https://example.amazonaws.com/")
            .header("host", "example.amazonaws.com")
            .body(Vec::new())
            .unwrap();
        sign_request(
            &mut req,
            &creds(token),
            "us-east-1",
            "service",
            suite_time(),
        )
        .unwrap();
        req
    }

    fn auth(req: &http::Request<Vec<u8>>) -> &str {
        req.headers()["authorization"].to_str().unwrap()
    }

    #[test]
    fn get_vanilla() {
        let r = signed("GET", None);
        assert_eq!(auth(&r), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        assert_eq!(r.headers()["x-amz-date"], "20150830T123600Z");
    }

    #[test]
    fn post_vanilla() {
        let r = signed("POST", None);
        assert!(auth(&r).ends_with(
            "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ));
    }

    #[test]
    fn get_vanilla_with_session_token() {
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
        let r = signed("GET", Some(token));
        assert_eq!(auth(&r), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
        assert_eq!(r.headers()["x-amz-security-token"], token);
    }

    #[test]
    fn json11_signs_content_type_host_and_target() {
        let mut req = http::Request::builder()
            .method("POST")
            .uri("https://logs.us-east-1.amazonaws.com/")
            .header("host", "logs.us-east-1.amazonaws.com")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "Logs_20140328.DescribeExportTasks")
            .body(br#"{"limit":10}"#.to_vec())
            .unwrap();
        sign_request(&mut req, &creds(None), "us-east-1", "logs", suite_time()).unwrap();
        assert!(auth(&req).contains(
            "Credential=AKIDEXAMPLE/20150830/us-east-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        ));
        assert!(!req.headers().contains_key("x-amz-content-sha256"));
    }

    #[test]
    fn s3_signs_the_unsigned_payload_header() {
        let mut req = http::Request::builder()
            .method("GET")
            .uri("https://b.s3.us-east-1.amazonaws.com/AWSLogs/a%20b.json.gz")
            .header("host", "b.s3.us-east-1.amazonaws.com")
            .body(())
            .unwrap();
        sign_s3_request(&mut req, &creds(None), "us-east-1", suite_time()).unwrap();
        assert_eq!(req.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
        assert!(auth_of(&req).contains(
            "Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
        ));
    }

    fn auth_of<B>(req: &http::Request<B>) -> &str {
        req.headers()["authorization"].to_str().unwrap()
    }

    #[test]
    fn debug_redacts() {
        let s = format!("{:?}", creds(Some("tok")));
        assert!(!s.contains("wJalr") && !s.contains("tok\""));
    }
}
