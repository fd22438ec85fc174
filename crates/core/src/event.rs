//! The event record of either cloud (an ActionTrail event or a CloudTrail record), parsed
//! tolerantly.
//!
//! Both clouds map onto the same columns: where CloudTrail spells a field differently the
//! record reads both spellings (`eventID`, `requestID`, `sourceIPAddress`; the ActionTrail
//! spelling wins when a record has both) or keeps the
//! CloudTrail field beside the ActionTrail one and the column picks whichever is present
//! (`awsRegion`, `readOnly`, `recipientAccountId`, `userIdentity.arn` / `invokedBy`).
//!
//! Every field is optional and every scalar field accepts a string, a number or a boolean
//! (the docs show `eventVersion` both as `"1"` and `1`). A field of an unexpected shape (an
//! object where a string was expected) is read as absent rather than failing the whole event:
//! an audit viewer must never drop an event because one field is odd. Free-form parts
//! (`requestParameters`, `responseElements`, `additionalEventData`, ...) are not parsed here:
//! the raw JSON of the whole event is kept beside the record for the JSON tree.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Deserialize any JSON scalar as a string; objects and arrays become `None` (and are skipped).
pub fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON scalar")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// Deserialize a nested struct, reading anything that is not an object as its default.
fn lenient_struct<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    // An `untagged` fallback keeps a wrongly typed nested value from failing the event.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Ok(T),
        Other(IgnoredAny),
    }
    Ok(match Option::<Either<T>>::deserialize(d)? {
        Some(Either::Ok(t)) => Some(t),
        _ => None,
    })
}

macro_rules! lenient_fields {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* $field:ident : $rename:literal,)* } ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
        pub struct $name {
            $(
                $(#[$fm])*
                #[serde(rename = $rename, default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
                pub $field: Option<String>,
            )*
        }
    };
}

lenient_fields! {
    /// `userIdentity` of an event.
    pub struct UserIdentity {
        /// ActionTrail: `root-account`, `ram-user`, `assumed-role`, `system`, ...;
        /// CloudTrail: `Root`, `IAMUser`, `AssumedRole`, `FederatedUser`, `AWSService`,
        /// `AWSAccount`, ...
        kind: "type",
        principal_id: "principalId",
        account_id: "accountId",
        access_key_id: "accessKeyId",
        user_name: "userName",
        /// CloudTrail: the principal's ARN.
        arn: "arn",
        /// CloudTrail: the AWS service that made the call (`AWSService`, and calls made on a
        /// principal's behalf).
        invoked_by: "invokedBy",
    }
}

/// The cloud an event comes from.
pub use crate::cloud::Cloud;

/// The fields of an event that trailview indexes. Everything else stays in the raw JSON.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EventRecord {
    /// `eventId` (ActionTrail), else `eventID` (CloudTrail).
    #[serde(rename = "eventId", default, deserialize_with = "lenient_string")]
    pub event_id: Option<String>,
    #[serde(rename = "eventVersion", default, deserialize_with = "lenient_string")]
    pub event_version: Option<String>,
    #[serde(rename = "eventSource", default, deserialize_with = "lenient_string")]
    pub event_source: Option<String>,
    #[serde(rename = "eventType", default, deserialize_with = "lenient_string")]
    pub event_type: Option<String>,
    #[serde(rename = "eventName", default, deserialize_with = "lenient_string")]
    pub event_name: Option<String>,
    #[serde(rename = "eventTime", default, deserialize_with = "lenient_string")]
    pub event_time: Option<String>,
    #[serde(rename = "eventRW", default, deserialize_with = "lenient_string")]
    pub event_rw: Option<String>,
    #[serde(rename = "acsRegion", default, deserialize_with = "lenient_string")]
    pub acs_region: Option<String>,
    #[serde(rename = "serviceName", default, deserialize_with = "lenient_string")]
    pub service_name: Option<String>,
    /// `requestId` (ActionTrail), else `requestID` (CloudTrail).
    #[serde(rename = "requestId", default, deserialize_with = "lenient_string")]
    pub request_id: Option<String>,
    /// `sourceIpAddress` (ActionTrail), else `sourceIPAddress` (CloudTrail).
    #[serde(
        rename = "sourceIpAddress",
        default,
        deserialize_with = "lenient_string"
    )]
    pub source_ip_address: Option<String>,
    #[serde(rename = "userAgent", default, deserialize_with = "lenient_string")]
    pub user_agent: Option<String>,
    #[serde(rename = "errorCode", default, deserialize_with = "lenient_string")]
    pub error_code: Option<String>,
    #[serde(rename = "errorMessage", default, deserialize_with = "lenient_string")]
    pub error_message: Option<String>,
    #[serde(rename = "resourceType", default, deserialize_with = "lenient_string")]
    pub resource_type: Option<String>,
    #[serde(rename = "resourceName", default, deserialize_with = "lenient_string")]
    pub resource_name: Option<String>,
    #[serde(rename = "apiVersion", default, deserialize_with = "lenient_string")]
    pub api_version: Option<String>,
    #[serde(rename = "isGlobal", default, deserialize_with = "lenient_string")]
    pub is_global: Option<String>,
    #[serde(rename = "userIdentity", default, deserialize_with = "lenient_struct")]
    pub user_identity: Option<UserIdentity>,
    /// CloudTrail's region (ActionTrail's is `acsRegion`).
    #[serde(rename = "awsRegion", default, deserialize_with = "lenient_string")]
    pub aws_region: Option<String>,
    /// CloudTrail's `readOnly` (`true` / `false`; ActionTrail has `eventRW`).
    #[serde(rename = "readOnly", default, deserialize_with = "lenient_string")]
    pub read_only: Option<String>,
    /// The account whose trail recorded the event.
    #[serde(
        rename = "recipientAccountId",
        default,
        deserialize_with = "lenient_string"
    )]
    pub recipient_account_id: Option<String>,
    /// The CloudTrail spellings, read as fields of their own (serde aliases would fail a
    /// record that carries both spellings with "duplicate field") and folded into the
    /// ActionTrail fields by [`EventRecord::parse`], where the ActionTrail spelling wins.
    #[serde(rename = "eventID", default, deserialize_with = "lenient_string")]
    cloudtrail_event_id: Option<String>,
    #[serde(rename = "requestID", default, deserialize_with = "lenient_string")]
    cloudtrail_request_id: Option<String>,
    #[serde(
        rename = "sourceIPAddress",
        default,
        deserialize_with = "lenient_string"
    )]
    cloudtrail_source_ip_address: Option<String>,
}

/// How [`EventRecord::parse_read`] read an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRead {
    /// A JSON object whose fields were read (an odd field reads as absent).
    Fields,
    /// Not a JSON object, or an object serde could not read as an event: the record is
    /// empty and the event has no columns.
    Fallback,
}

impl EventRecord {
    /// Parse one event from its JSON text. Never fails on an odd field; fails only when the
    /// text is not JSON at all. A JSON value that is not an object yields an empty record.
    pub fn parse(json: &str) -> Result<EventRecord, serde_json::Error> {
        Self::parse_read(json).map(|(r, _)| r)
    }

    /// [`EventRecord::parse`], also saying whether the fields were read or the record fell
    /// back to empty ([`RecordRead::Fallback`]).
    pub fn parse_read(json: &str) -> Result<(EventRecord, RecordRead), serde_json::Error> {
        if !json.trim_start().starts_with('{') {
            // serde would read a struct from an array positionally: not what an event is.
            serde_json::from_str::<IgnoredAny>(json)?;
            return Ok((EventRecord::default(), RecordRead::Fallback));
        }
        match serde_json::from_str::<EventRecord>(json) {
            Ok(mut r) => {
                r.event_id = r.event_id.or(r.cloudtrail_event_id.take());
                r.request_id = r.request_id.or(r.cloudtrail_request_id.take());
                r.source_ip_address = r
                    .source_ip_address
                    .or(r.cloudtrail_source_ip_address.take());
                Ok((r, RecordRead::Fields))
            }
            Err(e) if e.is_data() => {
                serde_json::from_str::<IgnoredAny>(json)?;
                Ok((EventRecord::default(), RecordRead::Fallback))
            }
            Err(e) => Err(e),
        }
    }

    pub fn user_name(&self) -> Option<&str> {
        self.user_identity.as_ref()?.user_name.as_deref()
    }

    pub fn identity_type(&self) -> Option<&str> {
        self.user_identity.as_ref()?.kind.as_deref()
    }

    /// The role name of an assumed role: ActionTrail's `assumed-role` (`userName` is
    /// `{roleName}:{sessionName}`) or CloudTrail's `AssumedRole` (the ARN ends
    /// `assumed-role/{roleName}/{sessionName}`).
    pub fn role_name(&self) -> Option<&str> {
        let id = self.user_identity.as_ref()?;
        match id.kind.as_deref() {
            Some("assumed-role") => {
                let name = id.user_name.as_deref()?;
                Some(name.split_once(':').map_or(name, |(r, _)| r))
            }
            Some("AssumedRole") => {
                let rs = arn_resource(id.arn.as_deref()?, "assumed-role/")?;
                Some(rs.split_once('/').map_or(rs, |(r, _)| r))
            }
            _ => None,
        }
    }

    /// Which cloud the event comes from: AWS when it has a CloudTrail-only field (`awsRegion`,
    /// an `eventSource` under `amazonaws.com`, an `arn:aws` identity), or `readOnly` with
    /// `recipientAccountId` and none of ActionTrail's own fields (`acsRegion`, `eventRW`,
    /// `serviceName`); else Alibaba Cloud. `readOnly` alone is too weak a sign: an ActionTrail
    /// record may carry a stray one. `None` for a record with no field at all (not an event).
    pub fn cloud(&self) -> Option<Cloud> {
        let arn_aws = || {
            self.user_identity
                .as_ref()
                .and_then(|i| i.arn.as_deref())
                .is_some_and(|a| a.starts_with("arn:aws"))
        };
        let actiontrail =
            self.acs_region.is_some() || self.event_rw.is_some() || self.service_name.is_some();
        if self.aws_region.is_some()
            || (self.read_only.is_some() && self.recipient_account_id.is_some() && !actiontrail)
            || self
                .event_source
                .as_deref()
                .is_some_and(|s| s.ends_with(".amazonaws.com"))
            || arn_aws()
        {
            Some(Cloud::Aws)
        } else if *self == EventRecord::default() {
            None
        } else {
            Some(Cloud::Aliyun)
        }
    }

    /// The Service column: ActionTrail's `serviceName`; for CloudTrail, `eventSource` without
    /// `.amazonaws.com` (`ec2.amazonaws.com` → `ec2`).
    pub fn service(&self) -> Option<&str> {
        if self.service_name.is_some() {
            return self.service_name.as_deref();
        }
        let src = self.event_source.as_deref()?;
        src.strip_suffix(".amazonaws.com")
    }

    /// The Region column: `acsRegion` or `awsRegion`.
    pub fn region(&self) -> Option<&str> {
        self.acs_region.as_deref().or(self.aws_region.as_deref())
    }

    /// The R/W column: `eventRW`, or CloudTrail's `readOnly` as `Read` / `Write`.
    pub fn rw(&self) -> Option<&str> {
        if self.event_rw.is_some() {
            return self.event_rw.as_deref();
        }
        match self.read_only.as_deref()? {
            r if r.eq_ignore_ascii_case("true") => Some("Read"),
            r if r.eq_ignore_ascii_case("false") => Some("Write"),
            _ => None,
        }
    }

    /// The User column: `userIdentity.userName` when present; for a CloudTrail identity
    /// without one, by its type: `Root` → `root`, `IAMUser` → the user from the ARN,
    /// `AssumedRole` → `{role}/{session}` from the ARN, `FederatedUser` → the federated user
    /// from the ARN, `AWSService` → `invokedBy`, `AWSAccount` → `accountId` (else
    /// `principalId`); other types → the last part of the ARN, else `principalId`.
    pub fn user(&self) -> Option<&str> {
        let id = self.user_identity.as_ref()?;
        if let Some(n) = id.user_name.as_deref().filter(|n| !n.is_empty()) {
            return Some(n);
        }
        if self.cloud() != Some(Cloud::Aws) {
            return id.user_name.as_deref();
        }
        let arn = id.arn.as_deref();
        let from_arn = |kind: &str| arn.and_then(|a| arn_resource(a, kind));
        let last = || arn.and_then(|a| a.rsplit(['/', ':']).next().filter(|s| !s.is_empty()));
        let principal = || id.principal_id.as_deref();
        match id.kind.as_deref() {
            Some("Root") => Some("root"),
            Some("IAMUser") => from_arn("user/").map(|p| p.rsplit('/').next().unwrap_or(p)),
            Some("AssumedRole") => from_arn("assumed-role/"),
            Some("FederatedUser") => from_arn("federated-user/"),
            Some("AWSService") => id.invoked_by.as_deref(),
            Some("AWSAccount") => id.account_id.as_deref().or_else(principal),
            _ => last().or_else(principal),
        }
        .or(id.invoked_by.as_deref())
    }

    /// The account id: `recipientAccountId` (the account whose trail recorded the event), else
    /// `userIdentity.accountId`.
    pub fn account(&self) -> Option<&str> {
        self.recipient_account_id.as_deref().or_else(|| {
            self.user_identity
                .as_ref()
                .and_then(|i| i.account_id.as_deref())
        })
    }

    /// A call failed when it carries a non-empty `errorCode`.
    pub fn failed(&self) -> bool {
        self.error_code.as_deref().is_some_and(|c| !c.is_empty())
    }

    /// Event time as milliseconds since the Unix epoch, if it parses as RFC 3339.
    pub fn time_ms(&self) -> Option<i64> {
        crate::time::parse_rfc3339_ms(self.event_time.as_deref()?)
    }
}

/// The resource part of an ARN after `kind` (`arn:aws:sts::1:assumed-role/R/s`, `assumed-role/`
/// → `R/s`).
fn arn_resource<'a>(arn: &'a str, kind: &str) -> Option<&'a str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    resource.strip_prefix(kind).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_version_string_or_number() {
        let a = EventRecord::parse(r#"{"eventVersion":"1"}"#).unwrap();
        let b = EventRecord::parse(r#"{"eventVersion":1}"#).unwrap();
        assert_eq!(a.event_version.as_deref(), Some("1"));
        assert_eq!(b.event_version.as_deref(), Some("1"));
    }

    #[test]
    fn odd_shapes_do_not_fail_the_event() {
        let r = EventRecord::parse(
            r#"{"eventName":{"x":1},"eventTime":"2021-01-01T00:00:00Z","userIdentity":"weird","errorCode":null,"isGlobal":false}"#,
        )
        .unwrap();
        assert_eq!(r.event_name, None);
        assert_eq!(r.user_identity, None);
        assert_eq!(r.is_global.as_deref(), Some("false"));
        assert_eq!(r.time_ms(), Some(1_609_459_200_000));
        assert!(!r.failed());
        assert_eq!(EventRecord::parse("[1,2]").unwrap(), EventRecord::default());
        assert!(EventRecord::parse("{").is_err());
    }

    #[test]
    fn both_spellings_of_an_id_keep_the_record_and_actiontrail_wins() {
        let t = r#""eventName":"X","eventTime":"2024-01-01T00:00:00Z""#;
        type Get = fn(&EventRecord) -> Option<&str>;
        let pairs: [(&str, &str, Get); 3] = [
            ("eventId", "eventID", |r| r.event_id.as_deref()),
            ("requestId", "requestID", |r| r.request_id.as_deref()),
            ("sourceIpAddress", "sourceIPAddress", |r| {
                r.source_ip_address.as_deref()
            }),
        ];
        for (actiontrail, cloudtrail, get) in pairs {
            for json in [
                format!(r#"{{"{actiontrail}":"a","{cloudtrail}":"b",{t}}}"#),
                format!(r#"{{"{cloudtrail}":"b","{actiontrail}":"a",{t}}}"#),
            ] {
                let (r, read) = EventRecord::parse_read(&json).unwrap();
                assert_eq!(read, RecordRead::Fields, "{json}");
                assert_eq!(get(&r), Some("a"), "{json}");
                assert_eq!(r.event_name.as_deref(), Some("X"), "{json}");
                assert_eq!(r.time_ms(), Some(1_704_067_200_000), "{json}");
            }
            let only_cloudtrail = format!(r#"{{"{cloudtrail}":"b",{t}}}"#);
            let r = EventRecord::parse(&only_cloudtrail).unwrap();
            assert_eq!(get(&r), Some("b"), "{only_cloudtrail}");
            let only_actiontrail = format!(r#"{{"{actiontrail}":"a",{t}}}"#);
            let r = EventRecord::parse(&only_actiontrail).unwrap();
            assert_eq!(get(&r), Some("a"), "{only_actiontrail}");
        }
    }

    #[test]
    fn parse_read_says_when_the_record_fell_back() {
        let fell_back = |j: &str| EventRecord::parse_read(j).unwrap().1 == RecordRead::Fallback;
        assert!(fell_back("[1,2]"));
        assert!(fell_back("5"));
        // The same key twice is a serde data error: the record falls back to empty.
        assert!(fell_back(r#"{"eventName":"a","eventName":"b"}"#));
        assert!(!fell_back("{}"));
        assert!(!fell_back(r#"{"eventName":{"x":1}}"#));
    }

    #[test]
    fn a_stray_read_only_does_not_make_an_actiontrail_event_aws() {
        let actiontrail = EventRecord::parse(
            r#"{"eventId":"e","eventName":"DescribeInstances","acsRegion":"cn-hangzhou","eventRW":"Read","serviceName":"Ecs","readOnly":true,"recipientAccountId":"1"}"#,
        )
        .unwrap();
        assert_eq!(actiontrail.cloud(), Some(Cloud::Aliyun));
        assert_eq!(actiontrail.rw(), Some("Read"));
        let bare = EventRecord::parse(r#"{"eventName":"X","readOnly":"true"}"#).unwrap();
        assert_eq!(bare.cloud(), Some(Cloud::Aliyun));
        let cloudtrail = EventRecord::parse(
            r#"{"eventID":"e","eventName":"X","readOnly":true,"recipientAccountId":"1"}"#,
        )
        .unwrap();
        assert_eq!(cloudtrail.cloud(), Some(Cloud::Aws));
        let cloudtrail = EventRecord::parse(
            r#"{"eventName":"X","eventSource":"ec2.amazonaws.com","readOnly":true}"#,
        )
        .unwrap();
        assert_eq!(cloudtrail.cloud(), Some(Cloud::Aws));
    }

    #[test]
    fn role_name_of_assumed_role() {
        let r = EventRecord::parse(
            r#"{"userIdentity":{"type":"assumed-role","userName":"custom-role-for-actiontrail:u1"}}"#,
        )
        .unwrap();
        assert_eq!(r.role_name(), Some("custom-role-for-actiontrail"));
        assert_eq!(r.user_name(), Some("custom-role-for-actiontrail:u1"));
    }
}
