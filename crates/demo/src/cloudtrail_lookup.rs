//! AWS CloudTrail LookupEvents over AWS JSON 1.1 (`POST /`, `X-Amz-Target:
//! com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`), over the demo S3
//! bucket's world of CloudTrail records (its accounts, regions and event maker: see
//! [`crate::buckets`]).
//!
//! * The events: `count` records over the demo's range (a quarter of the ActionTrail events,
//!   at least one), made once on the first call; newest first, as CloudTrail answers.
//! * `StartTime` / `EndTime`: epoch seconds (numbers; fractional allowed), default the last 90
//!   days to now; `StartTime > EndTime` is `400 InvalidTimeRangeException`.
//! * `MaxResults` 1..=50 (default 50), else `400 InvalidMaxResultsException`.
//! * `LookupAttributes`: at most one `{AttributeKey, AttributeValue}`; a second one, an unknown
//!   key or an empty value is `400 InvalidLookupAttributesException`. Matching is exact.
//! * `NextToken`: `<position>.<fingerprint of the other parameters>`, base64url; a token of
//!   another query or a tampered one is `400 InvalidNextTokenException`. Present only when
//!   more events match.
//! * Two calls a second for all callers (when rate-limited): `400 ThrottlingException` "Rate
//!   exceeded". A body that is not a JSON object is `400 SerializationException`; another
//!   operation `400 UnknownOperationException`.

use crate::aws_json::{parse_body, AwsErr, PageToken};
use crate::buckets::S3World;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use trailview_core::catalogue::{self, Api};
use trailview_core::cloudtrail::AttributeKey;
use trailview_core::dialect::AwsError;
use trailview_core::event::EventRecord;

/// How far back LookupEvents reaches (and its default start): 90 days.
pub const LOOKBACK_MS: i64 = 90 * 24 * 3_600_000;
/// One in this many records carries one of the generator's odd values.
const HOSTILE_ONE_IN: u64 = 2000;

/// One record and the summary fields LookupEvents answers and matches on.
struct Item {
    time_ms: i64,
    id: String,
    name: String,
    read_only: bool,
    access_key_id: Option<String>,
    source: String,
    username: Option<String>,
    resources: Vec<(String, String)>,
    record: Box<str>,
}

impl Item {
    fn of(time_ms: i64, record: String) -> Item {
        let r = EventRecord::parse(&record).unwrap_or_default();
        let resources = serde_json::from_str::<Value>(&record)
            .ok()
            .and_then(|v| v.get("resources").and_then(Value::as_array).cloned())
            .unwrap_or_default()
            .iter()
            .map(|x| {
                let s = |k| x.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                let arn = s("ARN");
                let name = arn.rsplit(['/', ':']).next().unwrap_or("").to_string();
                (s("type"), name)
            })
            .collect();
        Item {
            time_ms,
            id: r.event_id.clone().unwrap_or_default(),
            name: r.event_name.clone().unwrap_or_default(),
            read_only: r.rw() == Some("Read"),
            access_key_id: r
                .user_identity
                .as_ref()
                .and_then(|i| i.access_key_id.clone()),
            source: r.event_source.clone().unwrap_or_default(),
            username: r.user().map(str::to_string),
            resources,
            record: record.into(),
        }
    }

    fn matches(&self, key: AttributeKey, value: &str) -> bool {
        match key {
            AttributeKey::EventId => self.id == value,
            AttributeKey::EventName => self.name == value,
            AttributeKey::ReadOnly => value == if self.read_only { "true" } else { "false" },
            AttributeKey::Username => self.username.as_deref() == Some(value),
            AttributeKey::ResourceType => self.resources.iter().any(|(t, _)| t == value),
            AttributeKey::ResourceName => self.resources.iter().any(|(_, n)| n == value),
            AttributeKey::EventSource => self.source == value,
            AttributeKey::AccessKeyId => self.access_key_id.as_deref() == Some(value),
        }
    }

    fn json(&self) -> Value {
        let resources: Vec<Value> = self
            .resources
            .iter()
            .map(|(t, n)| json!({"ResourceType": t, "ResourceName": n}))
            .collect();
        let mut e = json!({
            "EventId": self.id,
            "EventName": self.name,
            "ReadOnly": if self.read_only { "true" } else { "false" },
            "EventTime": self.time_ms as f64 / 1000.0,
            "EventSource": self.source,
            "Resources": resources,
            "CloudTrailEvent": &*self.record,
        });
        if let Some(k) = &self.access_key_id {
            e["AccessKeyId"] = json!(k);
        }
        if let Some(u) = &self.username {
            e["Username"] = json!(u);
        }
        e
    }
}

/// The demo's CloudTrail events, made on the first call.
pub struct CloudTrailEvents {
    count: usize,
    start_ms: i64,
    end_ms: i64,
    items: OnceLock<Vec<Item>>,
}

fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl CloudTrailEvents {
    /// `count` events spread over `[start_ms, end_ms)`.
    pub fn new(count: usize, start_ms: i64, end_ms: i64) -> CloudTrailEvents {
        CloudTrailEvents {
            count: count.max(1),
            start_ms,
            end_ms: end_ms.max(start_ms + 1000),
            items: OnceLock::new(),
        }
    }

    /// Sorted by time, oldest first.
    fn items(&self) -> &[Item] {
        self.items.get_or_init(|| {
            let world = S3World::new();
            let span = ((self.end_ms - self.start_ms) / 1000).max(1) as u64;
            let mut times: Vec<(i64, u64)> = (0..self.count as u64)
                .map(|i| {
                    let key = mix(0xC7_1E55, i);
                    (self.start_ms + (key % span) as i64 * 1000, key)
                })
                .collect();
            times.sort_unstable();
            let mut buf = String::with_capacity(4096);
            times
                .into_iter()
                .map(|(t, key)| {
                    buf.clear();
                    world.write_record(&mut buf, key, t, key.is_multiple_of(HOSTILE_ONE_IN));
                    Item::of(t, buf.clone())
                })
                .collect()
        })
    }

    pub fn len(&self) -> usize {
        self.items().len()
    }

    pub fn is_empty(&self) -> bool {
        self.items().is_empty()
    }

    /// Dispatch by `X-Amz-Target`.
    pub fn call(&self, target: &str, body: &[u8], now_ms: i64) -> Result<String, AwsError> {
        let op = Api::CloudTrail
            .operation_of_target(target)
            .and_then(|name| catalogue::find(Api::CloudTrail, name));
        let result = match op {
            _ if target.is_empty() => Err((
                400,
                "UnknownOperationException",
                "Missing X-Amz-Target header.".to_string(),
            )),
            Some(op) if op == &catalogue::CLOUDTRAIL_LOOKUP_EVENTS => {
                parse_body(body).and_then(|input| self.lookup(&input, now_ms))
            }
            _ => Err((
                400,
                "UnknownOperationException",
                format!("The demo backend does not implement {target}."),
            )),
        };
        result.map_err(|(status, kind, msg)| AwsError::new(status, kind, msg))
    }

    /// LookupEvents.
    pub fn lookup(&self, input: &Map<String, Value>, now_ms: i64) -> Result<String, AwsErr> {
        let time = |name: &str, default: i64| -> Result<i64, AwsErr> {
            match input.get(name) {
                None | Some(Value::Null) => Ok(default),
                Some(Value::Number(n)) => n
                    .as_f64()
                    .filter(|f| f.is_finite())
                    .map(|f| (f * 1000.0).round() as i64)
                    .ok_or_else(|| ser(name)),
                Some(_) => Err(ser(name)),
            }
        };
        let end = time("EndTime", now_ms)?;
        let start = time("StartTime", now_ms - LOOKBACK_MS)?;
        if start > end {
            return Err((
                400,
                "InvalidTimeRangeException",
                "Start time must be less than or equal to end time.".into(),
            ));
        }
        let max = match input.get("MaxResults") {
            None | Some(Value::Null) => 50,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(m @ 1..=50) => m as usize,
                _ => {
                    return Err((
                        400,
                        "InvalidMaxResultsException",
                        "MaxResults must be between 1 and 50.".into(),
                    ))
                }
            },
            Some(_) => return Err(ser("MaxResults")),
        };
        let attribute = attribute(input.get("LookupAttributes"))?;
        let (start_b, end_b) = (start.to_le_bytes(), end.to_le_bytes());
        let token = PageToken::of(&match &attribute {
            Some((k, v)) => vec![&start_b[..], &end_b, k.as_str().as_bytes(), v.as_bytes()],
            None => vec![&start_b[..], &end_b],
        });
        let items = self.items();
        let hi_of = |t: i64| items.partition_point(|e| e.time_ms <= t);
        let lo = items.partition_point(|e| e.time_ms < start);
        let mut hi = hi_of(end);
        match input.get("NextToken") {
            None | Some(Value::Null) => {}
            Some(Value::String(t)) => {
                hi = token.read(t).filter(|p| *p <= hi).ok_or_else(|| {
                    (
                        400,
                        "InvalidNextTokenException",
                        "Invalid NextToken: it does not belong to this query.".to_string(),
                    )
                })?;
            }
            Some(_) => return Err(ser("NextToken")),
        }
        // Newest first: scan down from `hi`.
        let mut events = Vec::new();
        let mut at = hi;
        while at > lo && events.len() < max {
            at -= 1;
            let e = &items[at];
            if attribute.as_ref().is_none_or(|(k, v)| e.matches(*k, v)) {
                events.push(e.json());
            }
        }
        // More only if another matching event lies below.
        let more = (lo..at).rev().any(|i| {
            attribute
                .as_ref()
                .is_none_or(|(k, v)| items[i].matches(*k, v))
        });
        let mut out = json!({ "Events": events });
        if more {
            out["NextToken"] = json!(token.write(at));
        }
        Ok(out.to_string())
    }
}

fn ser(name: &str) -> AwsErr {
    (
        400,
        "SerializationException",
        format!("Unexpected value for '{name}'."),
    )
}

fn invalid_attributes(msg: &str) -> AwsErr {
    (400, "InvalidLookupAttributesException", msg.to_string())
}

fn attribute(v: Option<&Value>) -> Result<Option<(AttributeKey, String)>, AwsErr> {
    let list = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(l)) => l,
        Some(_) => return Err(ser("LookupAttributes")),
    };
    match list.as_slice() {
        [] => Ok(None),
        [one] => {
            let key = one
                .get("AttributeKey")
                .and_then(Value::as_str)
                .and_then(AttributeKey::parse)
                .ok_or_else(|| {
                    invalid_attributes(
                        "AttributeKey must be one of EventId, EventName, ReadOnly, Username, \
                         ResourceType, ResourceName, EventSource, AccessKeyId.",
                    )
                })?;
            let value = one
                .get("AttributeValue")
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty() && v.len() <= 2000)
                .ok_or_else(|| {
                    invalid_attributes("AttributeValue must be 1 to 2000 characters.")
                })?;
            Ok(Some((key, value.to_string())))
        }
        _ => Err(invalid_attributes(
            "You cannot specify more than one lookup attribute.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailview_core::cloud::Cloud;
    use trailview_core::wire::CloudTrailLookupEventsResponse;

    const END: i64 = 1_735_689_600_000;
    const DAY: i64 = 86_400_000;
    const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

    fn events() -> CloudTrailEvents {
        CloudTrailEvents::new(600, END - 7 * DAY, END)
    }

    fn call(ct: &CloudTrailEvents, body: Value) -> Result<CloudTrailLookupEventsResponse, String> {
        ct.call(TARGET, body.to_string().as_bytes(), END)
            .map(|b| serde_json::from_str(&b).unwrap())
            .map_err(|e| e.kind.to_string())
    }

    #[test]
    fn pages_of_fifty_newest_first_by_next_token_no_gap_no_duplicate() {
        let ct = events();
        let body = json!({"StartTime": (END - 7 * DAY) / 1000, "EndTime": END / 1000});
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut b = body.clone();
            if let Some(t) = &token {
                b["NextToken"] = json!(t);
            }
            let page = call(&ct, b).unwrap();
            assert!(page.events.len() <= 50);
            pages += 1;
            seen.extend(page.events.iter().map(|e| {
                let r = EventRecord::parse(e.cloud_trail_event.as_deref().unwrap()).unwrap();
                assert_eq!(r.cloud(), Some(Cloud::Aws));
                assert_eq!(r.event_id, e.event_id);
                (e.event_time.unwrap(), e.event_id.clone().unwrap())
            }));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(pages, 12);
        assert_eq!(seen.len(), 600);
        assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0), "newest first");
        let mut ids: Vec<_> = seen.iter().map(|s| &s.1).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 600);
    }

    #[test]
    fn one_attribute_matches_exactly() {
        let ct = events();
        let all = call(&ct, json!({"MaxResults": 50})).unwrap();
        let first = &all.events[0];
        let name = first.event_name.clone().unwrap();
        let page = call(
            &ct,
            json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}]}),
        )
        .unwrap();
        assert!(!page.events.is_empty());
        assert!(page
            .events
            .iter()
            .all(|e| e.event_name.as_deref() == Some(&name)));
        let id = first.event_id.clone().unwrap();
        let page = call(
            &ct,
            json!({"LookupAttributes": [{"AttributeKey": "EventId", "AttributeValue": id}]}),
        )
        .unwrap();
        assert_eq!(page.events.len(), 1);
        assert!(page.next_token.is_none());
        let reads = call(
            &ct,
            json!({"LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "true"}]}),
        )
        .unwrap();
        assert!(reads
            .events
            .iter()
            .all(|e| e.read_only.as_deref() == Some("true")));
    }

    #[test]
    fn errors_in_aws_shapes() {
        let ct = events();
        let err = |b: Value| call(&ct, b).unwrap_err();
        assert_eq!(
            err(json!({"StartTime": END / 1000, "EndTime": END / 1000 - 1})),
            "InvalidTimeRangeException"
        );
        assert_eq!(err(json!({"MaxResults": 51})), "InvalidMaxResultsException");
        assert_eq!(err(json!({"MaxResults": 0})), "InvalidMaxResultsException");
        let two = json!([{"AttributeKey": "EventName", "AttributeValue": "a"},
                         {"AttributeKey": "Username", "AttributeValue": "b"}]);
        assert_eq!(
            err(json!({ "LookupAttributes": two })),
            "InvalidLookupAttributesException"
        );
        assert_eq!(
            err(json!({"LookupAttributes": [{"AttributeKey": "User", "AttributeValue": "b"}]})),
            "InvalidLookupAttributesException"
        );
        assert_eq!(
            err(json!({"LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": ""}]})),
            "InvalidLookupAttributesException"
        );
        // A token of another query, or made up.
        let page = call(&ct, json!({"MaxResults": 5})).unwrap();
        let t = page.next_token.unwrap();
        assert_eq!(
            err(json!({"MaxResults": 5, "NextToken": t, "EndTime": END / 1000 - 60})),
            "InvalidNextTokenException"
        );
        assert_eq!(
            err(json!({"NextToken": "bm9wZQ"})),
            "InvalidNextTokenException"
        );
        assert_eq!(
            err(json!({"StartTime": "yesterday"})),
            "SerializationException"
        );
        let e = ct.call(TARGET, b"[1]", END).unwrap_err();
        assert_eq!(e.kind, "SerializationException");
        let e = ct
            .call(
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DeleteTrail",
                b"{}",
                END,
            )
            .unwrap_err();
        assert_eq!(e.kind, "UnknownOperationException");
        let e = ct
            .call("Logs_20140328.DescribeExportTasks", b"{}", END)
            .unwrap_err();
        assert_eq!(e.kind, "UnknownOperationException");
    }
}
