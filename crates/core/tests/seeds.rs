//! The API documents' sample responses, verbatim (crates/core/tests/fixtures, cut from
//! shared/seeds without edits), read through the same path the app uses.

use trailview_core::dialect::*;
use trailview_core::event::EventRecord;
use trailview_core::lenient::Parsed;
use trailview_core::wire::*;

const LOOKUP: &str = include_str!("fixtures/lookup_events_seed.json");
const LIST_JOBS: &str = include_str!("fixtures/list_delivery_history_jobs_seed.json");
const CREATE_JOB: &str = include_str!("fixtures/create_delivery_history_job_seed.json");
const CDN: &str = include_str!("fixtures/describe_cdn_deliver_list_seed.json");
const EXPORTS: &str = include_str!("fixtures/describe_export_tasks_seed.json");

#[test]
fn lookup_events_sample_with_missing_and_trailing_commas() {
    let (r, how) =
        read_response::<LookupEventsResponse>(Dialect::AlibabaRpc, 200, None, LOOKUP).unwrap();
    assert_eq!(how, Parsed::Repaired, "the sample is not strict JSON");
    assert_eq!(
        r.request_id.as_deref(),
        Some("FD79665A-CE8B-49D4-82E6-5EE2E0E791DD")
    );
    assert_eq!(r.start_time.as_deref(), Some("2020-07-15T14:00:00Z"));
    assert_eq!(r.end_time.as_deref(), Some("2020-07-22T14:00:00Z"));
    assert!(r.next().unwrap().starts_with("eyJhY2NvdW50Ijoi"));
    assert_eq!(r.events.len(), 1);
    let e = EventRecord::parse(r.events[0].get()).unwrap();
    assert_eq!(
        e.event_version.as_deref(),
        Some("1"),
        "eventVersion is the number 1 here"
    );
    assert_eq!(e.event_name.as_deref(), Some("LookupEvents"));
    assert_eq!(e.identity_type(), Some("root-account"));
    assert_eq!(
        e.time_ms(),
        trailview_core::time::parse_rfc3339_ms("2020-10-10T08:31:47Z")
    );
    // The raw event keeps its free-form parts for the tree.
    let v: serde_json::Value = serde_json::from_str(r.events[0].get()).unwrap();
    assert_eq!(
        v["requestParameters"]["LookupAttribute.1.Key"],
        "ServiceName"
    );
}

#[test]
fn list_delivery_history_jobs_sample() {
    let (r, how) =
        read_response::<ListDeliveryHistoryJobsResponse>(Dialect::AlibabaRpc, 200, None, LIST_JOBS)
            .unwrap();
    assert_eq!(how, Parsed::Strict);
    assert_eq!(
        (r.total_count, r.page_number, r.page_size),
        (Some(1), Some(1), Some(20))
    );
    let j = &r.jobs[0];
    assert_eq!(j.job_id, Some(16602));
    assert_eq!(j.trail_name.as_deref(), Some("trail-name"));
    assert_eq!(job_status_name(j.job_status), "Complete");
    assert_eq!(j.start_time.as_deref(), Some("2021-01-26T03:17:04Z"));
}

#[test]
fn create_delivery_history_job_sample() {
    let (r, _) = read_response::<CreateDeliveryHistoryJobResponse>(
        Dialect::AlibabaRpc,
        200,
        None,
        CREATE_JOB,
    )
    .unwrap();
    assert_eq!(r.job_id, Some(16602));
    assert_eq!(
        r.request_id.as_deref(),
        Some("9D356A34-D5A9-41CD-9915-837B7F9D8722")
    );
}

#[test]
fn cdn_deliver_list_sample_fragment_content() {
    let (r, how) =
        read_response::<CdnDeliverListResponse>(Dialect::AlibabaRpc, 200, None, CDN).unwrap();
    assert_eq!(how, Parsed::Repaired, "the sample body has no braces");
    assert_eq!(r.request_id.as_deref(), Some("12345"));
    let tasks = r.tasks().unwrap();
    assert_eq!(tasks.len(), 1);
    let t = &tasks[0];
    assert_eq!(t.deliver_id, Some(1));
    assert_eq!(t.crontab.as_deref(), Some("0 0 0 * * ?"));
    assert_eq!(t.frequency.as_deref(), Some("d"));
    assert_eq!(t.reports.len(), 2);
    assert_eq!(t.reports[0].conditions[0].value.len(), 2);
    assert_eq!(t.reports[1].report_id, Some(2));
    assert_eq!(
        t.deliver
            .as_ref()
            .unwrap()
            .email
            .as_ref()
            .unwrap()
            .subject
            .as_deref(),
        Some("subject")
    );
}

#[test]
fn cdn_content_as_object_and_as_string_and_garbage() {
    let obj = r#"{"RequestId":"1","Content":{"data":[{"deliverId":"7","status":"disable","crontab":"0 0 */2 * * ?"}]}}"#;
    let (r, _) =
        read_response::<CdnDeliverListResponse>(Dialect::AlibabaRpc, 200, None, obj).unwrap();
    assert_eq!(r.tasks().unwrap()[0].deliver_id, Some(7));
    let s = r#"{"RequestId":"1","Content":"{\"data\":[{\"deliverId\":8}]}"}"#;
    let (r, _) =
        read_response::<CdnDeliverListResponse>(Dialect::AlibabaRpc, 200, None, s).unwrap();
    assert_eq!(r.tasks().unwrap()[0].deliver_id, Some(8));
    let bad = r#"{"RequestId":"1","Content":"<<not json>>"}"#;
    let (r, _) =
        read_response::<CdnDeliverListResponse>(Dialect::AlibabaRpc, 200, None, bad).unwrap();
    let e = r.tasks().unwrap_err();
    assert_eq!(e.raw, "<<not json>>");
    let shape = r#"{"RequestId":"1","Content":{"data":"not a list"}}"#;
    let (r, _) =
        read_response::<CdnDeliverListResponse>(Dialect::AlibabaRpc, 200, None, shape).unwrap();
    let e = r.tasks().unwrap_err();
    assert!(
        e.detail.starts_with("Content: invalid type: string"),
        "{}",
        e.detail
    );
    assert_eq!(e.raw, r#"{"data":"not a list"}"#);
}

#[test]
fn describe_export_tasks_sample_keeps_unknown_status() {
    let (r, _) =
        read_response::<DescribeExportTasksResponse>(Dialect::AwsJson, 200, None, EXPORTS).unwrap();
    assert_eq!(r.export_tasks.len(), 2);
    let t = &r.export_tasks[0];
    assert_eq!(t.status.as_ref().unwrap().code.as_deref(), Some("COMPLETE"));
    assert!(!EXPORT_STATUS_CODES.contains(&"COMPLETE"));
    assert_eq!(t.from, Some(1437584472382));
    assert_eq!(
        t.execution_info.as_ref().unwrap().completion_time,
        Some(1437584472986)
    );
    assert_eq!(r.next_token, None);
}

#[test]
fn aliyun_error_body() {
    let body = r#"{"RequestId":"540CFF28-1","HostId":"actiontrail.cn-hangzhou.aliyuncs.com","Code":"Throttling.User","Message":"Request was denied due to user flow control.","Recommend":"https://api.aliyun.com/troubleshoot?q=Throttling.User"}"#;
    let e =
        read_response::<LookupEventsResponse>(Dialect::AlibabaRpc, 400, None, body).unwrap_err();
    let ApiError::Service(s) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(s.code, "Throttling.User");
    assert_eq!(s.request_id.as_deref(), Some("540CFF28-1"));
    assert!(s.is_throttling() && e.is_retryable());
    let e = read_response::<LookupEventsResponse>(
        Dialect::AlibabaRpc,
        400,
        None,
        r#"{"RequestId":"x","Code":"InvalidParameterStartTime","Message":"The specified StartTime is invalid."}"#,
    )
    .unwrap_err();
    assert!(!e.is_retryable());
}

#[test]
fn aws_error_body_and_non_json_errors() {
    let e = read_response::<DescribeExportTasksResponse>(
        Dialect::AwsJson,
        400,
        Some("req-1"),
        r#"{"__type":"com.amazonaws.logs#LimitExceededException:http://x","message":"one active task"}"#,
    )
    .unwrap_err();
    let ApiError::Service(s) = &e else { panic!() };
    assert_eq!(s.code, "LimitExceededException");
    assert_eq!(s.request_id.as_deref(), Some("req-1"));
    assert!(
        !e.is_retryable(),
        "LimitExceededException here is semantic, not throttling"
    );
    let e = read_response::<DescribeExportTasksResponse>(
        Dialect::AwsJson,
        502,
        None,
        "<html>Bad Gateway</html>",
    )
    .unwrap_err();
    assert!(matches!(
        e,
        ApiError::Malformed {
            http_status: 502,
            ..
        }
    ));
    assert!(e.is_retryable());
    let e =
        read_response::<LookupEventsResponse>(Dialect::AlibabaRpc, 200, None, "not json at all")
            .unwrap_err();
    let ApiError::Malformed { excerpt, .. } = e else {
        panic!()
    };
    assert_eq!(excerpt, "not json at all");
}

#[test]
fn get_delivery_history_job_reads_the_job_and_its_regions() {
    use trailview_core::wire::{GetDeliveryHistoryJobResponse, RegionStatus};
    let body = r#"{"RequestId":"r-1","JobId":5,"TrailName":"t","JobStatus":"1","Status":[{"Region":"cn-hangzhou","Status":1},{"Region":"cn-beijing","Status":"2"}]}"#;
    let (j, _) =
        read_response::<GetDeliveryHistoryJobResponse>(Dialect::AlibabaRpc, 200, None, body)
            .unwrap();
    assert_eq!((j.job_id, j.job_status), (Some(5), Some(1)));
    assert_eq!(
        j.regions,
        vec![
            RegionStatus {
                region: Some("cn-hangzhou".into()),
                status: Some(1)
            },
            RegionStatus {
                region: Some("cn-beijing".into()),
                status: Some(2)
            },
        ]
    );
    // The job as shown in the detail pane: its fields and the regions, not the RequestId.
    let raw = serde_json::to_value(&j).unwrap();
    assert_eq!(raw["Status"][1]["Region"], "cn-beijing");
    assert!(raw.get("RequestId").is_none());
    // A Status that is not a list (null, a string, an object) is no regions, not a failed page.
    for status in ["null", "\"2\"", "{\"Region\":\"x\"}", "3"] {
        let body =
            format!(r#"{{"DeliveryHistoryJobs":[{{"JobId":1,"Status":{status}}},{{"JobId":2}}]}}"#);
        let (list, _) =
            read_response::<ListDeliveryHistoryJobsResponse>(Dialect::AlibabaRpc, 200, None, &body)
                .unwrap();
        assert_eq!(list.jobs.len(), 2, "{status}");
        assert!(list.jobs[0].regions.is_empty(), "{status}");
    }
    // A listed job has no Status: none is shown.
    let listed = serde_json::to_value(trailview_core::wire::DeliveryHistoryJob::default()).unwrap();
    assert!(listed.get("Status").is_none());
}
