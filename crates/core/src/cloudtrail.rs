//! AWS CloudTrail LookupEvents beside ActionTrail's: the query bar's conditions mapped to
//! CloudTrail's one `LookupAttributes` entry (the rest applied to the loaded records), the
//! [`Pager`] (epoch-second `StartTime` / `EndTime`, 50 a page, `NextToken`; newest first, the
//! only order CloudTrail has), and each answer's `CloudTrailEvent` strings as the records the
//! store indexes ([`crate::event::EventRecord`] reads CloudTrail records already).

use crate::catalogue;
use crate::cloud::Clouds;
use crate::columns::ColumnId;
use crate::dialect::ApiError;
use crate::engine::Sort;
use crate::event::EventRecord;
use crate::fetch_policy::Direction;
use crate::lookup::{Condition, LookupKey};
use crate::numbers::thousands;
use crate::paging::{Cursor, PagedRun, Pager, Request, Retry, RunEnd, Step};
use crate::schema::Column;
use crate::table_query::SortOrder;
use crate::time::format_api_time;
use crate::wire::{CloudTrailEvent, CloudTrailLookupEventsResponse, CloudTrailResource};
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// The documented maximum (and default) page size.
pub const MAX_RESULTS: u32 = 50;

/// CloudTrail's `AttributeKey`s, as documented for LookupEvents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeKey {
    EventId,
    EventName,
    ReadOnly,
    Username,
    ResourceType,
    ResourceName,
    EventSource,
    AccessKeyId,
}

impl AttributeKey {
    pub const ALL: [AttributeKey; 8] = [
        AttributeKey::EventId,
        AttributeKey::EventName,
        AttributeKey::ReadOnly,
        AttributeKey::Username,
        AttributeKey::ResourceType,
        AttributeKey::ResourceName,
        AttributeKey::EventSource,
        AttributeKey::AccessKeyId,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttributeKey::EventId => "EventId",
            AttributeKey::EventName => "EventName",
            AttributeKey::ReadOnly => "ReadOnly",
            AttributeKey::Username => "Username",
            AttributeKey::ResourceType => "ResourceType",
            AttributeKey::ResourceName => "ResourceName",
            AttributeKey::EventSource => "EventSource",
            AttributeKey::AccessKeyId => "AccessKeyId",
        }
    }

    /// Exact, as CloudTrail matches its enum.
    pub fn parse(s: &str) -> Option<AttributeKey> {
        AttributeKey::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The CloudTrail attribute a query-bar condition is sent as, if it has one: ServiceName,
/// SensitiveAction, SourceIpAddress, EventType, RoleName and PrincipalId have none (and EventRW
/// only for `Read` / `Write`, sent as `ReadOnly` `true` / `false`).
pub fn attribute_of(c: &Condition) -> Option<(AttributeKey, String)> {
    let key = match c.key {
        LookupKey::EventId => AttributeKey::EventId,
        LookupKey::EventName => AttributeKey::EventName,
        LookupKey::User => AttributeKey::Username,
        LookupKey::ResourceType => AttributeKey::ResourceType,
        LookupKey::ResourceName => AttributeKey::ResourceName,
        LookupKey::EventAccessKeyId => AttributeKey::AccessKeyId,
        LookupKey::EventRw => {
            let v = match c.value.as_str() {
                "Read" => "true",
                "Write" => "false",
                _ => return None,
            };
            return Some((AttributeKey::ReadOnly, v.to_string()));
        }
        LookupKey::ServiceName
        | LookupKey::SensitiveAction
        | LookupKey::SourceIpAddress
        | LookupKey::EventType
        | LookupKey::RoleName
        | LookupKey::PrincipalId => return None,
    };
    Some((key, c.value.clone()))
}

/// Does a loaded CloudTrail record meet `c`? Exact and case-sensitive like the services, on
/// the table's columns where CloudTrail spells the field differently (Service is
/// `eventSource` without `.amazonaws.com`, R/W is `readOnly` as Read / Write, User is the
/// identity's name or its ARN's last part). Resource type and name are the summary's
/// `Resources` (the record's `resources[]` spells them `type` and `ARN`).
pub fn record_matches(c: &Condition, e: &EventRecord, resources: &[CloudTrailResource]) -> bool {
    let v = Some(c.value.as_str());
    match c.key {
        LookupKey::ServiceName => e.service() == v,
        LookupKey::EventRw => e.rw() == v,
        LookupKey::User => e.user() == v,
        LookupKey::ResourceType => resources.iter().any(|r| r.resource_type.as_deref() == v),
        LookupKey::ResourceName => resources.iter().any(|r| r.resource_name.as_deref() == v),
        _ => c.key.matches(&c.value, e),
    }
}

/// One CloudTrail LookupEvents query: the range, the one attribute sent and the conditions
/// the app applies to the records that arrive.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudTrailQuery {
    pub start_ms: i64,
    pub end_ms: i64,
    pub attribute: Option<(AttributeKey, String)>,
    /// Conditions CloudTrail cannot take (no attribute, or a second one): applied here.
    pub client_side: Vec<Condition>,
}

impl CloudTrailQuery {
    /// The query for the query bar's range and conditions: the first condition CloudTrail has
    /// an attribute for is sent, every other one is applied to the records.
    pub fn plan(start_ms: i64, end_ms: i64, conditions: &[Condition]) -> CloudTrailQuery {
        let mut attribute = None;
        let mut client_side = Vec::new();
        for c in conditions {
            match (attribute.is_none(), attribute_of(c)) {
                (true, Some(a)) => attribute = Some(a),
                _ => client_side.push(c.clone()),
            }
        }
        CloudTrailQuery {
            start_ms,
            end_ms,
            attribute,
            client_side,
        }
    }

    /// The request body for one page. The same query gives the same body, as `NextToken`
    /// requires.
    pub fn body(&self, next_token: Option<&str>) -> Value {
        let mut b = json!({
            "StartTime": epoch_seconds(self.start_ms),
            "EndTime": epoch_seconds(self.end_ms),
            "MaxResults": MAX_RESULTS,
        });
        if let Some((k, v)) = &self.attribute {
            b["LookupAttributes"] = json!([{ "AttributeKey": k.as_str(), "AttributeValue": v }]);
        }
        if let Some(t) = next_token {
            b["NextToken"] = json!(t);
        }
        b
    }

    /// Whether a record that arrived meets the conditions CloudTrail could not apply.
    pub fn keeps(&self, e: &EventRecord, resources: &[CloudTrailResource]) -> bool {
        self.client_side
            .iter()
            .all(|c| record_matches(c, e, resources))
    }

    /// The page's records, in the order they came, each its `CloudTrailEvent` (or, when that
    /// is missing or not a JSON object, a record made of the summary fields), with the
    /// conditions CloudTrail could not apply applied. Also returns how many were left out.
    pub fn records(&self, page: &CloudTrailLookupEventsResponse) -> (Vec<Box<RawValue>>, usize) {
        let mut out = Vec::with_capacity(page.events.len());
        let mut dropped = 0;
        for e in &page.events {
            let raw = record(e);
            let keep = self.client_side.is_empty()
                || EventRecord::parse(raw.get()).is_ok_and(|r| self.keeps(&r, &e.resources));
            if keep {
                out.push(raw);
            } else {
                dropped += 1;
            }
        }
        (out, dropped)
    }

    /// The pages to read for at most `cap` events (50 a page).
    pub fn pages_for(cap: usize) -> usize {
        cap.div_ceil(MAX_RESULTS as usize).max(1)
    }
}

/// Milliseconds as CloudTrail's epoch seconds: whole seconds as an integer, else fractional.
fn epoch_seconds(ms: i64) -> Value {
    if ms.rem_euclid(1000) == 0 {
        json!(ms.div_euclid(1000))
    } else {
        json!(ms as f64 / 1000.0)
    }
}

/// One item's CloudTrail record: its `CloudTrailEvent` when that is a JSON object, else one
/// made of the summary (so an event is never lost for a bad string).
pub fn record(e: &CloudTrailEvent) -> Box<RawValue> {
    if let Some(s) = e.cloud_trail_event.as_deref() {
        let trimmed = s.trim();
        if trimmed.starts_with('{') {
            if let Ok(raw) = RawValue::from_string(trimmed.to_string()) {
                return raw;
            }
        }
    }
    let mut r = serde_json::Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            r.insert(k.to_string(), v);
        }
    };
    put("eventID", e.event_id.clone().map(Value::from));
    put("eventName", e.event_name.clone().map(Value::from));
    put(
        "eventTime",
        e.event_time
            .map(|s| Value::from(format_api_time((s * 1000.0).round() as i64))),
    );
    put("eventSource", e.event_source.clone().map(Value::from));
    put(
        "readOnly",
        e.read_only.as_deref().map(|v| Value::from(v == "true")),
    );
    let mut id = serde_json::Map::new();
    if let Some(u) = &e.username {
        id.insert("userName".into(), Value::from(u.clone()));
    }
    if let Some(k) = &e.access_key_id {
        id.insert("accessKeyId".into(), Value::from(k.clone()));
    }
    if !id.is_empty() {
        r.insert("userIdentity".into(), Value::Object(id));
    }
    if !e.resources.is_empty() {
        let res: Vec<Value> = e
            .resources
            .iter()
            .map(|x| json!({ "type": x.resource_type, "ARN": x.resource_name }))
            .collect();
        r.insert("resources".into(), Value::Array(res));
    }
    let text = Value::Object(r).to_string();
    RawValue::from_string(text).unwrap_or_else(|_| RawValue::from_string("{}".into()).unwrap())
}

impl Pager for CloudTrailQuery {
    type Call = catalogue::CloudTrailLookupEvents;
    fn request(&self, at: Option<&Cursor>) -> Request {
        let token = match at {
            Some(Cursor::Token(t)) => Some(t.as_str()),
            Some(Cursor::Page(_)) | None => None,
        };
        Request::Json(self.body(token))
    }
    fn next(&self, response: &CloudTrailLookupEventsResponse, _page: usize) -> Option<Cursor> {
        Cursor::token(response.next())
    }
}

/// One CloudTrail fetch as it runs: paging by NextToken (the runtime's [`PagedRun`], its retry
/// policy), the cap on events (a page the cap cuts is cut: CloudTrail's part of a fetch has no
/// "Load older"), and what it has loaded and left out. Pure: the app's driver carries it out.
#[derive(Debug, Clone)]
pub struct CloudTrailRun {
    run: PagedRun<CloudTrailQuery>,
    pub cap: usize,
    pub events: usize,
    pub pages: usize,
    /// Records the conditions CloudTrail could not take left out.
    pub dropped: usize,
    /// Whether the cap cut records off a page (there were more than it loaded).
    cut: bool,
}

/// How many times the cap's pages a run reads when the app applies conditions CloudTrail could
/// not take (each page may keep few records): past that it stops, and says so, rather than
/// read 90 days at 2 calls a second.
pub const FILTERED_PAGES_FACTOR: usize = 10;

impl CloudTrailRun {
    pub fn new(query: CloudTrailQuery, cap: usize) -> CloudTrailRun {
        let cap = cap.max(1);
        let max_pages = if query.client_side.is_empty() {
            usize::MAX
        } else {
            CloudTrailQuery::pages_for(cap).saturating_mul(FILTERED_PAGES_FACTOR)
        };
        CloudTrailRun {
            run: PagedRun::new(query).with_max_pages(max_pages),
            cap,
            events: 0,
            pages: 0,
            dropped: 0,
            cut: false,
        }
    }

    pub fn query(&self) -> &CloudTrailQuery {
        &self.run.pager
    }

    /// The next thing to do: the cap on events first, then paging.
    pub fn step(&self) -> Step {
        if let Some(end) = self.run.stopped() {
            return Step::Stop(end);
        }
        if self.events >= self.cap {
            return Step::Stop(if self.run.has_next() || self.cut {
                RunEnd::Capped
            } else {
                RunEnd::Complete
            });
        }
        self.run.step()
    }

    /// A page arrived: the records to load (up to the cap).
    pub fn accept_page(&mut self, page: &CloudTrailLookupEventsResponse) -> Vec<Box<RawValue>> {
        self.run.accept_page(page);
        let (mut records, dropped) = self.query().records(page);
        let room = self.cap.saturating_sub(self.events);
        self.cut |= records.len() > room;
        records.truncate(room);
        self.events += records.len();
        self.pages += 1;
        self.dropped += dropped;
        records
    }

    /// A call failed: retry with backoff (throttling, 5xx, network) or give up.
    pub fn on_error(&mut self, e: &ApiError, salt: u64) -> Retry {
        self.run.on_error(e, salt)
    }

    pub fn cancel(&mut self) {
        self.run.cancel();
    }

    /// Whether calls are still to be made.
    pub fn running(&self) -> bool {
        matches!(self.step(), Step::Fetch(_))
    }

    /// The status line: where the run is, what it loaded, and what the conditions CloudTrail
    /// could not take left out.
    pub fn summary(&self) -> String {
        let what = match self.step() {
            Step::Fetch(_) => "Fetching",
            Step::Stop(RunEnd::Complete) => "Done",
            Step::Stop(RunEnd::Capped) if self.events < self.cap => {
                "Stopped after reading the most pages a filtered fetch reads (narrow the query so \
                 CloudTrail filters more)"
            }
            Step::Stop(RunEnd::Capped) => "Stopped at the cap (more events match)",
            Step::Stop(RunEnd::Cancelled) => "Cancelled",
            Step::Stop(RunEnd::Failed) => "Stopped by an error",
        };
        let plural = |n: usize, one: &str, many: &str| {
            format!("{} {}", thousands(n), if n == 1 { one } else { many })
        };
        let mut s = format!(
            "{what}: {} · {}",
            plural(self.events, "event", "events"),
            plural(self.pages, "page", "pages")
        );
        let retries = self.run.retries();
        if retries > 0 {
            s.push_str(&format!(
                " · {}",
                plural(retries as usize, "retry", "retries")
            ));
        }
        let q = self.query();
        if !q.client_side.is_empty() {
            let keys: Vec<&str> = q.client_side.iter().map(|c| c.key.as_str()).collect();
            s.push_str(&format!(
                " · {} left out by {} (applied here: CloudTrail takes {})",
                thousands(self.dropped),
                keys.join(", "),
                q.attribute
                    .as_ref()
                    .map_or("no such condition".to_string(), |(k, _)| format!(
                        "one condition, {}",
                        k.as_str()
                    ))
            ));
        }
        s
    }
}

/// Under the query bar when AWS is read oldest first.
pub const ORDER_NOTE: &str = "AWS: CloudTrail reads newest first only: with oldest first, the table is sorted oldest first, but Max events keeps AWS's newest events.";

/// The sort a fetch that reads AWS sets, if any (a sort the user chose stays): by time, in the
/// order the query asks, when both clouds are read (so that their rows interleave) or when AWS
/// is read oldest first (CloudTrail answers newest first only).
pub fn sort_on_fetch(clouds: Clouds, direction: Direction, sort: Option<&Sort>) -> Option<Sort> {
    let needed = clouds.aws && (clouds.aliyun || direction == Direction::Forward);
    (needed && sort.is_none()).then_some(Sort {
        column: ColumnId::Builtin(Column::Time),
        order: match direction {
            Direction::Backward => SortOrder::Descending,
            Direction::Forward => SortOrder::Ascending,
        },
    })
}

/// How the query bar's conditions go to CloudTrail, for the note under the bar: `None` when
/// every condition is sent.
pub fn conditions_note(conditions: &[Condition]) -> Option<String> {
    let q = CloudTrailQuery::plan(0, 0, conditions);
    if q.client_side.is_empty() {
        return None;
    }
    let keys: Vec<&str> = q.client_side.iter().map(|c| c.key.as_str()).collect();
    Some(format!(
        "AWS: CloudTrail takes one condition{}; {} {} applied to the events it returns.",
        q.attribute
            .as_ref()
            .map_or(String::new(), |(k, _)| format!(" ({} is sent)", k.as_str())),
        keys.join(" and "),
        if keys.len() == 1 { "is" } else { "are" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Api, Call};
    use crate::cloud::Cloud;
    use crate::dialect::{read_response, ApiError, Dialect};
    use crate::paging::{PagedRun, Retry, RunEnd, Step};

    fn cond(key: LookupKey, value: &str) -> Condition {
        Condition {
            key,
            value: value.to_string(),
        }
    }

    const RECORD: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDA","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2026-11-20T10:00:01Z","eventSource":"ec2.amazonaws.com","eventName":"StopInstances","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","requestID":"r-1","eventID":"0a1b2c3d-0000-4000-8000-000000000001","readOnly":false,"recipientAccountId":"111122223333"}"#;

    fn page(events: Value, next: Option<&str>) -> CloudTrailLookupEventsResponse {
        let mut body = json!({ "Events": events });
        if let Some(t) = next {
            body["NextToken"] = json!(t);
        }
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn the_first_sendable_condition_is_the_attribute_the_rest_are_applied_here() {
        let q = CloudTrailQuery::plan(
            0,
            1000,
            &[
                cond(LookupKey::ServiceName, "ec2"),
                cond(LookupKey::EventName, "StopInstances"),
            ],
        );
        assert_eq!(
            q.attribute,
            Some((AttributeKey::EventName, "StopInstances".into()))
        );
        assert_eq!(q.client_side, [cond(LookupKey::ServiceName, "ec2")]);
        // Two sendable ones: CloudTrail takes one, the second is applied here.
        let q = CloudTrailQuery::plan(
            0,
            1000,
            &[
                cond(LookupKey::User, "alice"),
                cond(LookupKey::EventRw, "Write"),
            ],
        );
        assert_eq!(q.attribute, Some((AttributeKey::Username, "alice".into())));
        assert_eq!(q.client_side.len(), 1);
        // EventRW as ReadOnly.
        let rw = |v| attribute_of(&cond(LookupKey::EventRw, v));
        assert_eq!(rw("Read"), Some((AttributeKey::ReadOnly, "true".into())));
        assert_eq!(rw("Write"), Some((AttributeKey::ReadOnly, "false".into())));
        assert_eq!(rw("read"), None);
        for k in [
            LookupKey::ServiceName,
            LookupKey::SensitiveAction,
            LookupKey::SourceIpAddress,
            LookupKey::EventType,
            LookupKey::RoleName,
            LookupKey::PrincipalId,
        ] {
            assert_eq!(attribute_of(&cond(k, "x")), None, "{k}");
        }
        assert_eq!(
            attribute_of(&cond(LookupKey::EventAccessKeyId, "AKIA1")),
            Some((AttributeKey::AccessKeyId, "AKIA1".into()))
        );
        for k in AttributeKey::ALL {
            assert_eq!(AttributeKey::parse(k.as_str()), Some(k));
        }
        assert_eq!(AttributeKey::parse("eventname"), None);
    }

    #[test]
    fn body_has_epoch_seconds_one_attribute_fifty_and_the_token() {
        let q = CloudTrailQuery::plan(
            1_700_000_000_000,
            1_700_000_100_500,
            &[cond(LookupKey::EventName, "ConsoleLogin")],
        );
        let first = q.request(None);
        assert!(first.fits(Api::CloudTrail.dialect()));
        let Request::Json(b) = &first else {
            panic!("json")
        };
        assert_eq!(
            b,
            &json!({"StartTime": 1_700_000_000i64, "EndTime": 1_700_000_100.5, "MaxResults": 50,
                    "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}]})
        );
        let next = q.request(Some(&Cursor::Token("T2".into())));
        assert_eq!(next.param("NextToken").as_deref(), Some("T2"));
        assert_eq!(next.param("MaxResults").as_deref(), Some("50"));
        // The same query gives the same body, as NextToken requires.
        assert_eq!(q.request(None), first);
        let none = CloudTrailQuery::plan(0, 1000, &[]);
        assert_eq!(none.body(None).get("LookupAttributes"), None);
        assert_eq!(CloudTrailQuery::pages_for(1000), 20);
        assert_eq!(CloudTrailQuery::pages_for(1), 1);
        assert_eq!(CloudTrailQuery::pages_for(51), 2);
    }

    #[test]
    fn records_are_the_cloudtrail_event_strings_read_as_aws_events() {
        let text = json!([
            {"EventId": "0a1b2c3d-0000-4000-8000-000000000001", "EventName": "StopInstances",
             "ReadOnly": "false", "EventTime": 1_763_632_801.0, "EventSource": "ec2.amazonaws.com",
             "Username": "alice", "Resources": [{"ResourceType": "AWS::EC2::Instance", "ResourceName": "i-1"}],
             "CloudTrailEvent": RECORD},
            // No CloudTrailEvent: made of the summary.
            {"EventId": "e-2", "EventName": "ConsoleLogin", "EventTime": "1763632802.25",
             "EventSource": "signin.amazonaws.com", "Username": "bob", "ReadOnly": "false"},
            // Not JSON: the summary again, nothing lost.
            {"EventId": "e-3", "EventName": "GetObject", "CloudTrailEvent": "{not json",
             "EventSource": "s3.amazonaws.com"}
        ]);
        let p = page(text, Some("N"));
        assert_eq!(p.events[0].event_time, Some(1_763_632_801.0));
        assert_eq!(p.events[1].event_time, Some(1_763_632_802.25));
        assert_eq!(
            p.events[0].resources[0].resource_name.as_deref(),
            Some("i-1")
        );
        let q = CloudTrailQuery::plan(0, 1, &[]);
        let (recs, dropped) = q.records(&p);
        assert_eq!((recs.len(), dropped), (3, 0));
        assert_eq!(recs[0].get(), RECORD);
        let r: Vec<EventRecord> = recs
            .iter()
            .map(|r| EventRecord::parse(r.get()).unwrap())
            .collect();
        assert!(r.iter().all(|r| r.cloud() == Some(Cloud::Aws)));
        assert_eq!(
            r[0].event_id.as_deref(),
            Some("0a1b2c3d-0000-4000-8000-000000000001")
        );
        assert_eq!(r[0].user(), Some("alice"));
        assert_eq!(r[0].rw(), Some("Write"));
        assert_eq!(r[0].account(), Some("111122223333"));
        assert_eq!(r[1].event_id.as_deref(), Some("e-2"));
        assert_eq!(r[1].event_time.as_deref(), Some("2025-11-20T10:00:02Z"));
        assert_eq!(r[1].user(), Some("bob"));
        assert_eq!(r[2].service(), Some("s3"));

        // A resource condition CloudTrail was not sent (the first sendable one went): matched
        // on the summary's Resources, not on ActionTrail's fields (which would drop them all).
        for (key, value) in [
            (LookupKey::ResourceType, "AWS::EC2::Instance"),
            (LookupKey::ResourceName, "i-1"),
        ] {
            let q = CloudTrailQuery::plan(
                0,
                1,
                &[
                    cond(LookupKey::EventName, "StopInstances"),
                    cond(key, value),
                ],
            );
            assert_eq!(q.client_side.len(), 1);
            let (recs, dropped) = q.records(&p);
            assert_eq!((recs.len(), dropped), (1, 2), "{key:?}");
            assert_eq!(recs[0].get(), RECORD);
        }
    }

    #[test]
    fn a_fetch_reading_aws_sorts_by_time_where_its_rows_would_not_be_in_order() {
        let both = Clouds {
            aliyun: true,
            aws: true,
        };
        let aws = Clouds {
            aliyun: false,
            aws: true,
        };
        let time = |order| Sort {
            column: ColumnId::Builtin(Column::Time),
            order,
        };
        assert_eq!(
            sort_on_fetch(both, Direction::Backward, None),
            Some(time(SortOrder::Descending))
        );
        assert_eq!(
            sort_on_fetch(aws, Direction::Forward, None),
            Some(time(SortOrder::Ascending))
        );
        // AWS alone, newest first: in the order they arrive already.
        assert_eq!(sort_on_fetch(aws, Direction::Backward, None), None);
        assert_eq!(
            sort_on_fetch(Clouds::default(), Direction::Forward, None),
            None
        );
        let mine = time(SortOrder::Ascending);
        assert_eq!(sort_on_fetch(both, Direction::Backward, Some(&mine)), None);
    }

    #[test]
    fn conditions_cloudtrail_cannot_take_are_applied_to_the_records() {
        let other = RECORD
            .replace("ec2.amazonaws.com", "s3.amazonaws.com")
            .replace("000000000001", "000000000002");
        let p = page(
            json!([{"CloudTrailEvent": RECORD}, {"CloudTrailEvent": other}]),
            None,
        );
        let q = CloudTrailQuery::plan(0, 1, &[cond(LookupKey::ServiceName, "s3")]);
        let (recs, dropped) = q.records(&p);
        assert_eq!((recs.len(), dropped), (1, 1));
        assert!(recs[0].get().contains("000000000002"));
        let q = CloudTrailQuery::plan(
            0,
            1,
            &[
                cond(LookupKey::EventName, "StopInstances"),
                cond(LookupKey::EventRw, "Read"),
            ],
        );
        assert_eq!(q.records(&p).0.len(), 0, "both records write");
        let q = CloudTrailQuery::plan(0, 1, &[cond(LookupKey::SourceIpAddress, "203.0.113.7")]);
        assert_eq!(q.records(&p).0.len(), 2);
    }

    #[test]
    fn pages_by_next_token_until_none() {
        let q = CloudTrailQuery::plan(0, 1000, &[]);
        let mut run = PagedRun::new(q);
        let tokens = [Some("A"), Some("B"), None];
        for (i, t) in tokens.iter().enumerate() {
            let Step::Fetch(req) = run.step() else {
                panic!("page {i}")
            };
            let expected = match i {
                0 => None,
                1 => Some("A".to_string()),
                _ => Some("B".to_string()),
            };
            assert_eq!(req.param("NextToken"), expected);
            run.accept_page(&page(json!([{"CloudTrailEvent": RECORD}]), *t));
        }
        assert_eq!(run.step(), Step::Stop(RunEnd::Complete));
        // The events cap as a page cap: 60 events are two pages.
        let mut capped = PagedRun::new(CloudTrailQuery::plan(0, 1, &[]))
            .with_max_pages(CloudTrailQuery::pages_for(60));
        capped.accept_page(&page(json!([]), Some("A")));
        capped.accept_page(&page(json!([]), Some("B")));
        assert_eq!(capped.step(), Step::Stop(RunEnd::Capped));
        // A tolerant page: no Events, an empty token.
        let odd: CloudTrailLookupEventsResponse =
            serde_json::from_str(r#"{"Events":null,"NextToken":""}"#).unwrap();
        assert!(odd.events.is_empty() && odd.next().is_none());
    }

    #[test]
    fn a_run_stops_at_its_cap_and_says_what_it_left_out() {
        let rec = |i: usize| RECORD.replace("000000000001", &format!("{i:012}"));
        let page_of = |from: usize, n: usize, next: Option<&str>| {
            let events: Vec<Value> = (from..from + n)
                .map(|i| json!({"CloudTrailEvent": rec(i)}))
                .collect();
            page(Value::Array(events), next)
        };
        let mut run = CloudTrailRun::new(CloudTrailQuery::plan(0, 1, &[]), 70);
        assert!(run.running());
        assert_eq!(run.accept_page(&page_of(0, 50, Some("A"))).len(), 50);
        assert!(
            run.summary().starts_with("Fetching: 50 events · 1 page"),
            "{}",
            run.summary()
        );
        // The second page is cut at the cap; more exist.
        assert_eq!(run.accept_page(&page_of(50, 50, Some("B"))).len(), 20);
        assert_eq!(run.step(), Step::Stop(RunEnd::Capped));
        assert_eq!(run.events, 70);
        assert!(
            run.summary().starts_with("Stopped at the cap"),
            "{}",
            run.summary()
        );
        // Exactly at the cap with no more pages: complete.
        let mut run = CloudTrailRun::new(CloudTrailQuery::plan(0, 1, &[]), 50);
        run.accept_page(&page_of(0, 50, None));
        assert_eq!(run.step(), Step::Stop(RunEnd::Complete));
        assert!(run.summary().starts_with("Done: 50 events · 1 page"));
        // The last page cut at the cap: records were left out, so not "Done".
        let mut run = CloudTrailRun::new(CloudTrailQuery::plan(0, 1, &[]), 70);
        run.accept_page(&page_of(0, 50, Some("A")));
        run.accept_page(&page_of(50, 50, None));
        assert_eq!(run.step(), Step::Stop(RunEnd::Capped));
        // A filtered fetch stops after ten times the cap's pages, and says why.
        let q = CloudTrailQuery::plan(0, 1, &[cond(LookupKey::ServiceName, "none")]);
        let mut run = CloudTrailRun::new(q, 50);
        let mut pages = 0;
        while run.running() {
            run.accept_page(&page_of(pages * 50, 50, Some("more")));
            pages += 1;
            assert!(pages <= 100, "a runaway");
        }
        assert_eq!(pages, FILTERED_PAGES_FACTOR);
        assert_eq!(run.step(), Step::Stop(RunEnd::Capped));
        assert!(run.summary().contains("most pages"), "{}", run.summary());
        // Conditions applied here: counted and named.
        let q = CloudTrailQuery::plan(
            0,
            1,
            &[
                cond(LookupKey::User, "alice"),
                cond(LookupKey::ServiceName, "s3"),
            ],
        );
        let mut run = CloudTrailRun::new(q, 1000);
        assert!(run.accept_page(&page_of(0, 3, None)).is_empty());
        assert_eq!(run.dropped, 3);
        let s = run.summary();
        assert!(s.contains("3 left out by ServiceName"), "{s}");
        assert!(
            s.contains("CloudTrail takes one condition, Username"),
            "{s}"
        );
        run.cancel();
        assert!(!run.running());
        assert_eq!(
            conditions_note(&[cond(LookupKey::EventName, "a"), cond(LookupKey::ServiceName, "b")]).as_deref(),
            Some("AWS: CloudTrail takes one condition (EventName is sent); ServiceName is applied to the events it returns.")
        );
        assert_eq!(conditions_note(&[cond(LookupKey::EventName, "a")]), None);
    }

    #[test]
    fn aws_error_shapes_throttling_retries_the_rest_give_up() {
        type R = <catalogue::CloudTrailLookupEvents as Call>::Response;
        let read = |status: u16, body: &str| {
            read_response::<R>(Dialect::AwsJson, status, Some("REQ-9"), body).unwrap_err()
        };
        let throttled = read(
            400,
            r#"{"__type":"com.amazonaws.cloudtrail.v20131101#ThrottlingException","message":"Rate exceeded"}"#,
        );
        let ApiError::Service(s) = &throttled else {
            panic!("service")
        };
        assert_eq!(s.code, "ThrottlingException");
        assert_eq!(s.request_id.as_deref(), Some("REQ-9"));
        assert!(throttled.is_throttling() && throttled.is_retryable());
        let mut run = PagedRun::new(CloudTrailQuery::plan(0, 1, &[]));
        assert!(matches!(run.on_error(&throttled, 1), Retry::After { .. }));
        for code in [
            "InvalidTimeRangeException",
            "InvalidLookupAttributesException",
            "InvalidNextTokenException",
            "InvalidMaxResultsException",
            "OperationNotPermittedException",
            "UnrecognizedClientException",
        ] {
            let e = read(400, &format!(r#"{{"__type":"{code}","message":"m"}}"#));
            assert!(matches!(&e, ApiError::Service(s) if s.code == code));
            assert!(!e.is_retryable(), "{code}");
            let mut run = PagedRun::new(CloudTrailQuery::plan(0, 1, &[]));
            assert_eq!(run.on_error(&e, 1), Retry::GiveUp, "{code}");
            assert_eq!(run.step(), Step::Stop(RunEnd::Failed));
        }
        let unavailable = read(503, r#"{"__type":"ServiceUnavailableException"}"#);
        assert!(unavailable.is_retryable());
    }
}
