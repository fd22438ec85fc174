//! Wire types for the five APIs trailview reads, and their error bodies.
//!
//! Tolerant by design: every field is optional, numbers may arrive as strings, unknown fields
//! are ignored, and bodies that are not quite JSON (as in the API documents' own samples) go
//! through [`crate::lenient`]. Events stay raw JSON ([`RawValue`]) until the store indexes them.

use crate::event::lenient_string;
use crate::lenient;
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

/// Deserialize a list; `null` or a value of another type is an empty list (an item of the
/// wrong shape still fails, as a field of the wrong shape would inside it).
pub fn lenient_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::fmt;
    use std::marker::PhantomData;
    struct List<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for List<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Vec::new())
        }
        fn visit_unit<E>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_str<E>(self, _: &str) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(List(PhantomData))
}

/// Deserialize a number, or a string holding one, as `i64`; anything else is `None`.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

// ---------------------------------------------------------------------------------------------
// ActionTrail LookupEvents

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LookupEventsResponse {
    #[serde(rename = "RequestId", default, deserialize_with = "lenient_string")]
    pub request_id: Option<String>,
    #[serde(rename = "StartTime", default, deserialize_with = "lenient_string")]
    pub start_time: Option<String>,
    #[serde(rename = "EndTime", default, deserialize_with = "lenient_string")]
    pub end_time: Option<String>,
    #[serde(rename = "NextToken", default, deserialize_with = "lenient_string")]
    pub next_token: Option<String>,
    /// Each event's JSON text, untouched.
    #[serde(rename = "Events", default)]
    pub events: Vec<Box<RawValue>>,
}

impl LookupEventsResponse {
    /// The token for the next page; `None` when absent or empty (no more pages).
    pub fn next(&self) -> Option<&str> {
        self.next_token.as_deref().filter(|t| !t.is_empty())
    }
}

// ---------------------------------------------------------------------------------------------
// CloudTrail LookupEvents (AWS JSON 1.1)

/// Deserialize a number, or a string holding one, as `f64` (CloudTrail's epoch-second times,
/// fractional); anything else is `None`.
pub fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
        _ => None,
    })
}

/// One of CloudTrail LookupEvents' `Resources`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct CloudTrailResource {
    #[serde(rename = "ResourceType", default, deserialize_with = "lenient_string")]
    pub resource_type: Option<String>,
    #[serde(rename = "ResourceName", default, deserialize_with = "lenient_string")]
    pub resource_name: Option<String>,
}

/// One item of CloudTrail LookupEvents' `Events`: a summary, and the record itself as a JSON
/// string (`CloudTrailEvent`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CloudTrailEvent {
    #[serde(rename = "EventId", default, deserialize_with = "lenient_string")]
    pub event_id: Option<String>,
    #[serde(rename = "EventName", default, deserialize_with = "lenient_string")]
    pub event_name: Option<String>,
    #[serde(rename = "ReadOnly", default, deserialize_with = "lenient_string")]
    pub read_only: Option<String>,
    #[serde(rename = "AccessKeyId", default, deserialize_with = "lenient_string")]
    pub access_key_id: Option<String>,
    /// Epoch seconds, fractional.
    #[serde(rename = "EventTime", default, deserialize_with = "lenient_f64")]
    pub event_time: Option<f64>,
    #[serde(rename = "EventSource", default, deserialize_with = "lenient_string")]
    pub event_source: Option<String>,
    #[serde(rename = "Username", default, deserialize_with = "lenient_string")]
    pub username: Option<String>,
    #[serde(rename = "Resources", default, deserialize_with = "lenient_list")]
    pub resources: Vec<CloudTrailResource>,
    /// The CloudTrail record, as a JSON string.
    #[serde(
        rename = "CloudTrailEvent",
        default,
        deserialize_with = "lenient_string"
    )]
    pub cloud_trail_event: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CloudTrailLookupEventsResponse {
    #[serde(rename = "Events", default, deserialize_with = "lenient_list")]
    pub events: Vec<CloudTrailEvent>,
    #[serde(rename = "NextToken", default, deserialize_with = "lenient_string")]
    pub next_token: Option<String>,
}

impl CloudTrailLookupEventsResponse {
    /// The token for the next page; `None` when absent or empty (no more pages).
    pub fn next(&self) -> Option<&str> {
        self.next_token.as_deref().filter(|t| !t.is_empty())
    }
}

// ---------------------------------------------------------------------------------------------
// ActionTrail delivery history jobs

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct DeliveryHistoryJob {
    #[serde(rename = "JobId", default, deserialize_with = "lenient_i64")]
    pub job_id: Option<i64>,
    #[serde(rename = "TrailName", default, deserialize_with = "lenient_string")]
    pub trail_name: Option<String>,
    #[serde(rename = "HomeRegion", default, deserialize_with = "lenient_string")]
    pub home_region: Option<String>,
    #[serde(rename = "JobStatus", default, deserialize_with = "lenient_i64")]
    pub job_status: Option<i64>,
    #[serde(rename = "CreatedTime", default, deserialize_with = "lenient_string")]
    pub created_time: Option<String>,
    #[serde(rename = "UpdatedTime", default, deserialize_with = "lenient_string")]
    pub updated_time: Option<String>,
    #[serde(rename = "StartTime", default, deserialize_with = "lenient_string")]
    pub start_time: Option<String>,
    #[serde(rename = "EndTime", default, deserialize_with = "lenient_string")]
    pub end_time: Option<String>,
    /// GetDeliveryHistoryJob's `Status`: the delivery in each region (ListDeliveryHistoryJobs
    /// has none).
    #[serde(
        rename = "Status",
        default,
        deserialize_with = "lenient_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub regions: Vec<RegionStatus>,
}

/// JobStatus names from the API document; unknown values are shown as they are.
pub fn job_status_name(status: Option<i64>) -> String {
    match status {
        Some(0) => "Initializing".into(),
        Some(1) => "Delivering".into(),
        Some(2) => "Complete".into(),
        Some(3) => "Failed".into(),
        Some(n) => format!("Unknown ({n})"),
        None => "Unknown".into(),
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ListDeliveryHistoryJobsResponse {
    #[serde(rename = "RequestId", default, deserialize_with = "lenient_string")]
    pub request_id: Option<String>,
    #[serde(rename = "TotalCount", default, deserialize_with = "lenient_i64")]
    pub total_count: Option<i64>,
    #[serde(rename = "PageNumber", default, deserialize_with = "lenient_i64")]
    pub page_number: Option<i64>,
    #[serde(rename = "PageSize", default, deserialize_with = "lenient_i64")]
    pub page_size: Option<i64>,
    #[serde(rename = "DeliveryHistoryJobs", default)]
    pub jobs: Vec<DeliveryHistoryJob>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreateDeliveryHistoryJobResponse {
    #[serde(rename = "RequestId", default, deserialize_with = "lenient_string")]
    pub request_id: Option<String>,
    #[serde(rename = "JobId", default, deserialize_with = "lenient_i64")]
    pub job_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct RegionStatus {
    #[serde(rename = "Region", default, deserialize_with = "lenient_string")]
    pub region: Option<String>,
    #[serde(rename = "Status", default, deserialize_with = "lenient_i64")]
    pub status: Option<i64>,
}

/// GetDeliveryHistoryJob answers with the job's fields at the top level, beside `RequestId`
/// (not kept) and `Status`, the delivery per region ([`DeliveryHistoryJob::regions`]). Read as
/// the job itself rather than through `#[serde(flatten)]`, whose buffering deserializer would
/// ship in the app for this one type.
pub type GetDeliveryHistoryJobResponse = DeliveryHistoryJob;

// ---------------------------------------------------------------------------------------------
// CDN DescribeCdnDeliverList

#[derive(Debug, Clone, Deserialize)]
pub struct CdnDeliverListResponse {
    #[serde(rename = "RequestId", default, deserialize_with = "lenient_string")]
    pub request_id: Option<String>,
    /// A JSON string (as documented), an object (newer SDK model), or the documented fragment.
    #[serde(rename = "Content", default)]
    pub content: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct CdnReportCondition {
    #[serde(default, deserialize_with = "lenient_string")]
    pub op: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub field: Option<String>,
    #[serde(default)]
    pub value: Vec<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct CdnReport {
    #[serde(rename = "reportId", default, deserialize_with = "lenient_i64")]
    pub report_id: Option<i64>,
    #[serde(default)]
    pub conditions: Vec<CdnReportCondition>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct CdnEmail {
    #[serde(default, deserialize_with = "lenient_string")]
    pub subject: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub copy: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct CdnDeliver {
    #[serde(default)]
    pub email: Option<CdnEmail>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct CdnDeliverTask {
    #[serde(rename = "deliverId", default, deserialize_with = "lenient_i64")]
    pub deliver_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(rename = "createTime", default, deserialize_with = "lenient_string")]
    pub create_time: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub crontab: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub frequency: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(rename = "dmList", default)]
    pub dm_list: Vec<String>,
    #[serde(default)]
    pub reports: Vec<CdnReport>,
    #[serde(default)]
    pub deliver: Option<CdnDeliver>,
    #[serde(
        rename = "timeFromFormat",
        default,
        deserialize_with = "lenient_string"
    )]
    pub time_from_format: Option<String>,
    #[serde(rename = "timeEndFormat", default, deserialize_with = "lenient_string")]
    pub time_end_format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub detail: String,
    /// The text as received, to show to the user.
    pub raw: String,
}

#[derive(Deserialize)]
struct CdnContentData {
    #[serde(default)]
    data: Vec<CdnDeliverTask>,
}

impl CdnDeliverListResponse {
    /// The tasks in `Content`, however it arrived.
    pub fn tasks(&self) -> Result<Vec<CdnDeliverTask>, ContentError> {
        let err = |detail: String| ContentError {
            detail,
            raw: self.content.to_string(),
        };
        // Read from text (an object is written back first) rather than with `from_value`, so
        // the app carries one JSON deserializer for these types, not also serde_json's Value one.
        let text = match &self.content {
            Value::Null => return Ok(Vec::new()),
            Value::String(s) if s.trim().is_empty() => return Ok(Vec::new()),
            Value::String(s) => s.clone(),
            v @ Value::Object(_) => v.to_string(),
            other => {
                return Err(err(format!(
                    "Content is {}, expected an object or a string",
                    kind(other)
                )))
            }
        };
        lenient::from_str::<CdnContentData>(&text)
            .map(|(c, _)| c.data)
            .map_err(|e| ContentError {
                // Well-formed JSON of another shape (no repair tried), or text that is not JSON.
                detail: match e.repaired {
                    None => format!("Content: {}", e.strict),
                    Some(_) => e.strict,
                },
                raw: text,
            })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs DescribeExportTasks

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ExportTaskStatus {
    #[serde(default, deserialize_with = "lenient_string")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ExportExecutionInfo {
    #[serde(rename = "creationTime", default, deserialize_with = "lenient_i64")]
    pub creation_time: Option<i64>,
    #[serde(rename = "completionTime", default, deserialize_with = "lenient_i64")]
    pub completion_time: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ExportTask {
    #[serde(rename = "taskId", default, deserialize_with = "lenient_string")]
    pub task_id: Option<String>,
    #[serde(rename = "taskName", default, deserialize_with = "lenient_string")]
    pub task_name: Option<String>,
    #[serde(rename = "logGroupName", default, deserialize_with = "lenient_string")]
    pub log_group_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub from: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub to: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub destination: Option<String>,
    #[serde(
        rename = "destinationPrefix",
        default,
        deserialize_with = "lenient_string"
    )]
    pub destination_prefix: Option<String>,
    #[serde(default)]
    pub status: Option<ExportTaskStatus>,
    #[serde(rename = "executionInfo", default)]
    pub execution_info: Option<ExportExecutionInfo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DescribeExportTasksResponse {
    #[serde(rename = "exportTasks", default)]
    pub export_tasks: Vec<ExportTask>,
    #[serde(rename = "nextToken", default, deserialize_with = "lenient_string")]
    pub next_token: Option<String>,
}

/// The status codes the API model lists. Others (the sample's `COMPLETE`) are shown as sent.
pub const EXPORT_STATUS_CODES: [&str; 6] = [
    "CANCELLED",
    "COMPLETED",
    "FAILED",
    "PENDING",
    "PENDING_CANCEL",
    "RUNNING",
];

// CloudWatch Logs Insights (`engines::insights` drives them).

/// StartQuery's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct StartQueryResponse {
    #[serde(rename = "queryId", default, deserialize_with = "lenient_string")]
    pub query_id: Option<String>,
}

/// One `{field, value}` of a result row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ResultField {
    #[serde(default, deserialize_with = "lenient_string")]
    pub field: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub value: Option<String>,
}

/// GetQueryResults' `statistics` (AWS sends doubles).
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryStatistics {
    #[serde(default)]
    pub records_matched: f64,
    #[serde(default)]
    pub records_scanned: f64,
    #[serde(default)]
    pub bytes_scanned: f64,
}

/// GetQueryResults' answer: every row found so far, the statistics and the status.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct GetQueryResultsResponse {
    #[serde(default, deserialize_with = "lenient_list")]
    pub results: Vec<Vec<ResultField>>,
    #[serde(default)]
    pub statistics: Option<QueryStatistics>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
}

/// StopQuery's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct StopQueryResponse {
    #[serde(default)]
    pub success: Option<bool>,
}

// SLS (`engines::sls`).

/// ListLogStores' answer: `{"count","total","logstores":[...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ListLogStoresResponse {
    #[serde(default)]
    pub count: u64,
    #[serde(default)]
    pub total: u64,
    #[serde(default)]
    pub logstores: Vec<String>,
}
