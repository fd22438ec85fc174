//! A generated ActionTrail event rewritten as a CloudTrail record (the S3 demo bucket's
//! records): CloudTrail's field names and order, `eventSource` as `<service>.amazonaws.com`,
//! `readOnly`, `resources[]`, and a `userIdentity` of every CloudTrail type: `Root`,
//! `IAMUser`, `AssumedRole`, `FederatedUser` (some RAM users' calls), `AWSAccount` (some role
//! calls, from another account) and `AWSService`. The request and response bodies are the
//! generated ones as they are. Odd values the generator put in on purpose stay odd.

use super::layout::hash;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// A JSON object's members, unparsed (the event is read once, its bodies copied as they are).
type Members<'a> = HashMap<String, &'a RawValue>;

fn members(json: &str) -> Members<'_> {
    serde_json::from_str(json).unwrap_or_default()
}

/// ActionTrail `serviceName` → (CloudTrail `eventSource` host, resource namespace).
fn aws_service(service: &str) -> (&'static str, &'static str) {
    match service {
        "Ecs" => ("ec2", "EC2"),
        "Vpc" => ("ec2", "EC2"),
        "Oss" => ("s3", "S3"),
        "Ram" => ("iam", "IAM"),
        "Sts" => ("sts", "STS"),
        "Actiontrail" => ("cloudtrail", "CloudTrail"),
        "Rds" | "Polardb" => ("rds", "RDS"),
        "Slb" => ("elasticloadbalancing", "ElasticLoadBalancingV2"),
        "Kms" => ("kms", "KMS"),
        "Sls" => ("logs", "Logs"),
        "Cdn" => ("cloudfront", "CloudFront"),
        "Cms" => ("monitoring", "CloudWatch"),
        "CS" => ("eks", "EKS"),
        "Fc" => ("lambda", "Lambda"),
        "Ons" => ("sqs", "SQS"),
        "R-kvstore" => ("elasticache", "ElastiCache"),
        "Waf" => ("wafv2", "WAFv2"),
        "Alidns" => ("route53", "Route53"),
        "Ess" => ("autoscaling", "AutoScaling"),
        "Nas" => ("elasticfilesystem", "EFS"),
        "ResourceManager" => ("organizations", "Organizations"),
        "Cloudfw" => ("network-firewall", "NetworkFirewall"),
        "BssOpenApi" => ("ce", "CE"),
        _ => ("sts", "STS"),
    }
}

/// An AWS-style id: `prefix` and 16 upper-case letters and digits, from `seed`.
fn aws_id(prefix: &str, seed: u64) -> String {
    const AZ09: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut h = seed;
    let mut s = String::from(prefix);
    for i in 0..16 {
        if i == 12 {
            h = hash(h, 12);
        }
        s.push(AZ09[(h % 32) as usize] as char);
        h /= 32;
    }
    s
}

fn str_hash(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// A compact JSON object written field by field (keeps CloudTrail's field order).
struct Out<'a> {
    buf: &'a mut String,
    first: bool,
}

impl<'a> Out<'a> {
    fn new(buf: &'a mut String) -> Out<'a> {
        buf.push('{');
        Out { buf, first: true }
    }
    fn key(&mut self, k: &str) {
        if !self.first {
            self.buf.push(',');
        }
        self.first = false;
        // The keys are this file's own ASCII names: nothing to escape.
        self.buf.push('"');
        self.buf.push_str(k);
        self.buf.push_str("\":");
    }
    /// A member whose value is JSON text (absent: `null`).
    fn val(&mut self, k: &str, v: Option<&RawValue>) {
        self.key(k);
        self.buf.push_str(v.map_or("null", RawValue::get));
    }
    fn s(&mut self, k: &str, v: &str) {
        self.key(k);
        self.buf
            .push_str(&serde_json::to_string(v).unwrap_or_else(|_| "null".into()));
    }
    fn end(self) {
        self.buf.push('}');
    }
}

/// A member's value when it is a string.
fn text(m: &Members<'_>, k: &str) -> Option<String> {
    let raw = m.get(k)?.get();
    raw.starts_with('"')
        .then(|| serde_json::from_str::<String>(raw).ok())
        .flatten()
}

/// Append the CloudTrail record for the ActionTrail event `event` (compact JSON), in
/// `account`'s `region`; `key` draws the few choices the ActionTrail event does not decide.
pub(super) fn write_record(out: &mut String, event: &str, account: &str, region: &str, key: u64) {
    let e = &members(event);
    let service = text(e, "serviceName").unwrap_or_default();
    let (host, namespace) = aws_service(&service);
    let etype = text(e, "eventType").unwrap_or_else(|| "ApiCall".into());
    let etype = etype.as_str();
    let sign_in = matches!(etype, "ConsoleSignin" | "ConsoleSignout");
    let id = &e
        .get("userIdentity")
        .map(|raw| members(raw.get()))
        .unwrap_or_default();
    let kind = text(id, "type").unwrap_or_default();
    let kind = kind.as_str();
    let source = if sign_in {
        "signin.amazonaws.com".to_string()
    } else {
        format!("{host}.amazonaws.com")
    };
    let failed = text(e, "errorCode").is_some_and(|c| !c.is_empty());

    let mut o = Out::new(out);
    o.s("eventVersion", "1.09");
    o.key("userIdentity");
    write_identity(o.buf, id, kind, account, &source, key);
    o.val("eventTime", e.get("eventTime").copied());
    o.s("eventSource", &source);
    let name = text(e, "eventName").unwrap_or_default();
    o.s("eventName", if sign_in { "ConsoleLogin" } else { &name });
    o.s("awsRegion", region);
    if kind == "system" {
        o.s("sourceIPAddress", &source);
        o.s("userAgent", &source);
    } else {
        o.val("sourceIPAddress", e.get("sourceIpAddress").copied());
        o.val("userAgent", e.get("userAgent").copied());
    }
    if failed {
        o.val("errorCode", e.get("errorCode").copied());
        o.val("errorMessage", e.get("errorMessage").copied());
    }
    if sign_in {
        o.raw_null("requestParameters");
        o.key("responseElements");
        o.buf.push_str(if failed {
            r#"{"ConsoleLogin":"Failure"}"#
        } else {
            r#"{"ConsoleLogin":"Success"}"#
        });
        o.key("additionalEventData");
        o.buf.push_str(&format!(
            r#"{{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"{}"}}"#,
            if key.is_multiple_of(3) { "Yes" } else { "No" }
        ));
    } else {
        o.val("requestParameters", e.get("requestParameters").copied());
        o.val("responseElements", e.get("responseElements").copied());
    }
    if let Some(r) = text(e, "requestId") {
        o.s("requestID", &r.to_ascii_lowercase());
    }
    if let Some(r) = text(e, "eventId") {
        o.s("eventID", &r.to_ascii_lowercase());
    } else {
        o.val("eventID", e.get("eventId").copied());
    }
    o.key("readOnly");
    o.buf.push_str(
        if text(e, "eventRW").as_deref() == Some("Read") && !sign_in {
            "true"
        } else {
            "false"
        },
    );
    if let (Some(rtype), Some(rname)) = (text(e, "resourceType"), text(e, "resourceName")) {
        let last = rtype.rsplit("::").next().unwrap_or(&rtype);
        let typ = format!("AWS::{namespace}::{last}");
        let arn = format!(
            "arn:aws:{host}:{region}:{account}:{}/{}",
            last.to_ascii_lowercase(),
            rname.split(',').next().unwrap_or(&rname)
        );
        o.key("resources");
        o.buf.push('[');
        let mut r = Out::new(o.buf);
        r.s("accountId", account);
        r.s("type", &typ);
        r.s("ARN", &arn);
        r.end();
        o.buf.push(']');
    }
    o.s(
        "eventType",
        match etype {
            "ConsoleSignin" | "ConsoleSignout" => "AwsConsoleSignIn",
            "AliyunServiceEvent" => "AwsServiceEvent",
            _ => "AwsApiCall",
        },
    );
    o.key("managementEvent");
    o.buf.push_str("true");
    o.s("recipientAccountId", account);
    o.s("eventCategory", "Management");
    if etype == "ApiCall" {
        o.key("tlsDetails");
        let mut t = Out::new(o.buf);
        t.s("tlsVersion", "TLSv1.3");
        t.s("cipherSuite", "TLS_AES_128_GCM_SHA256");
        t.s(
            "clientProvidedHostHeader",
            &format!("{host}.{region}.amazonaws.com"),
        );
        t.end();
    }
    if etype == "ConsoleOperation" {
        o.s("sessionCredentialFromConsole", "true");
    }
    o.end();
}

impl Out<'_> {
    fn raw_null(&mut self, k: &str) {
        self.key(k);
        self.buf.push_str("null");
    }
}

/// CloudTrail's `userIdentity` for ActionTrail's identity `id` of type `kind`.
fn write_identity(
    buf: &mut String,
    id: &Members<'_>,
    kind: &str,
    account: &str,
    source: &str,
    key: u64,
) {
    let name = text(id, "userName").unwrap_or_else(|| "unknown".into());
    let name = name.as_str();
    let key_id = text(id, "accessKeyId");
    let context = id
        .get("sessionContext")
        .map(|raw| members(raw.get()))
        .unwrap_or_default();
    let attributes = context.get("attributes").copied();
    let mut u = Out::new(buf);
    match kind {
        "root-account" => {
            u.s("type", "Root");
            u.s("principalId", account);
            u.s("arn", &format!("arn:aws:iam::{account}:root"));
            u.s("accountId", account);
            if let Some(k) = key_id {
                u.s("accessKeyId", &aws_id("AKIA", str_hash(&k)));
            }
        }
        "ram-user" if key.is_multiple_of(10) => {
            u.s("type", "FederatedUser");
            u.s("principalId", &format!("{account}:{name}"));
            u.s(
                "arn",
                &format!("arn:aws:sts::{account}:federated-user/{name}"),
            );
            u.s("accountId", account);
            u.s("accessKeyId", &aws_id("ASIA", key));
            u.key("sessionContext");
            let mut s = Out::new(u.buf);
            s.key("sessionIssuer");
            let mut i = Out::new(s.buf);
            i.s("type", "IAMUser");
            i.s(
                "principalId",
                &aws_id("AIDA", str_hash("federation-broker")),
            );
            i.s(
                "arn",
                &format!("arn:aws:iam::{account}:user/federation-broker"),
            );
            i.s("accountId", account);
            i.s("userName", "federation-broker");
            i.end();
            if attributes.is_some() {
                s.val("attributes", attributes);
            }
            s.end();
        }
        "ram-user" => {
            u.s("type", "IAMUser");
            u.s("principalId", &aws_id("AIDA", str_hash(name)));
            u.s("arn", &format!("arn:aws:iam::{account}:user/{name}"));
            u.s("accountId", account);
            if let Some(k) = key_id {
                u.s("accessKeyId", &aws_id("AKIA", str_hash(&k)));
            }
            u.s("userName", name);
        }
        "assumed-role" => {
            let (role, session) = name.split_once(':').unwrap_or((name, "session"));
            let role_id = aws_id("AROA", str_hash(role));
            if key % 12 == 1 {
                // A call made with a role of another account, seen from this one.
                u.s("type", "AWSAccount");
                u.s("principalId", &format!("{role_id}:{session}"));
                u.s("accountId", "999988887777");
            } else {
                u.s("type", "AssumedRole");
                u.s("principalId", &format!("{role_id}:{session}"));
                u.s(
                    "arn",
                    &format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
                );
                u.s("accountId", account);
                u.s("accessKeyId", &aws_id("ASIA", key));
                u.key("sessionContext");
                let mut s = Out::new(u.buf);
                s.key("sessionIssuer");
                let mut i = Out::new(s.buf);
                i.s("type", "Role");
                i.s("principalId", &role_id);
                i.s("arn", &format!("arn:aws:iam::{account}:role/{role}"));
                i.s("accountId", account);
                i.s("userName", role);
                i.end();
                if attributes.is_some() {
                    s.val("attributes", attributes);
                }
                s.end();
            }
        }
        _ => {
            u.s("type", "AWSService");
            u.s("invokedBy", source);
        }
    }
    u.end();
}
