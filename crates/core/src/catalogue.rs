//! The one catalogue of the cloud operations trailview knows. For each: which API (and so which
//! cloud, wire dialect, version and proxy route), read or write, its rate limit (documented, or
//! the app's assumption where the documents give none), whether the app calls it, and its
//! response type. The app's client, the demo's dispatch, the proxy's allowlist and its rate
//! limits are all derived from this table: adding a source means adding entries here.

use crate::dialect::Dialect;
use serde::de::DeserializeOwned;

pub use crate::cloud::Cloud;

/// A cloud API as the proxy exposes it: one route, one dialect, one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// Alibaba Cloud ActionTrail, RPC `2020-07-06`.
    ActionTrail,
    /// Alibaba Cloud CDN, RPC `2018-05-10`.
    Cdn,
    /// Amazon CloudWatch Logs, JSON 1.1 with `X-Amz-Target: Logs_20140328.<Operation>`.
    CloudWatchLogs,
    /// AWS CloudTrail, JSON 1.1 with
    /// `X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>`.
    CloudTrail,
    /// Alibaba Cloud OSS, REST with XML bodies, path-style through the proxy:
    /// `{base}/aliyun/oss/{bucket}?list-type=2&...` and `{base}/aliyun/oss/{bucket}/{key}`.
    Oss,
    /// Amazon S3, REST with XML bodies, path-style through the proxy:
    /// `{base}/aws/s3/{bucket}?list-type=2&...` and `{base}/aws/s3/{bucket}/{key}`.
    S3,
    /// Alibaba Cloud Simple Log Service, REST with JSON bodies and its own LOG signature:
    /// `{base}/aliyun/sls/{project}/logstores/{logstore}?type=log&...` (GetLogs) and
    /// `{base}/aliyun/sls/{project}/logstores` (ListLogStores). `x-log-apiversion: 0.6.0`.
    Sls,
}

impl Api {
    pub const ALL: [Api; 7] = [
        Api::ActionTrail,
        Api::Cdn,
        Api::CloudWatchLogs,
        Api::CloudTrail,
        Api::Oss,
        Api::S3,
        Api::Sls,
    ];

    pub fn cloud(self) -> Cloud {
        match self {
            Api::ActionTrail | Api::Cdn | Api::Oss | Api::Sls => Cloud::Aliyun,
            Api::CloudWatchLogs | Api::CloudTrail | Api::S3 => Cloud::Aws,
        }
    }

    pub fn dialect(self) -> Dialect {
        match self {
            Api::ActionTrail | Api::Cdn => Dialect::AlibabaRpc,
            Api::CloudWatchLogs | Api::CloudTrail => Dialect::AwsJson,
            Api::Oss | Api::S3 => Dialect::RestXml,
            Api::Sls => Dialect::SlsJson,
        }
    }

    /// The name users see (in messages).
    pub fn name(self) -> &'static str {
        match self {
            Api::ActionTrail => "ActionTrail",
            Api::Cdn => "CDN",
            Api::CloudWatchLogs => "CloudWatch Logs",
            Api::CloudTrail => "CloudTrail",
            Api::Oss => "OSS",
            Api::S3 => "S3",
            Api::Sls => "SLS",
        }
    }

    /// The path under the proxy base (`{base}/{route}`).
    pub fn route(self) -> &'static str {
        match self {
            Api::ActionTrail => "aliyun/actiontrail",
            Api::Cdn => "aliyun/cdn",
            Api::CloudWatchLogs => "aws/logs",
            Api::CloudTrail => "aws/cloudtrail",
            Api::Oss => "aliyun/oss",
            Api::S3 => "aws/s3",
            Api::Sls => "aliyun/sls",
        }
    }

    pub fn from_route(route: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|a| a.route() == route)
    }

    /// The RPC `Version` parameter (Alibaba), or the JSON 1.1 target prefix's version (AWS).
    /// The REST storage APIs send no version: S3's is its API's date (`2006-03-01`), OSS
    /// publishes none (`""`).
    pub fn version(self) -> &'static str {
        match self {
            Api::ActionTrail => "2020-07-06",
            Api::Cdn => "2018-05-10",
            Api::CloudWatchLogs => "20140328",
            Api::CloudTrail => "20131101",
            Api::S3 => "2006-03-01",
            Api::Oss => "",
            // SLS's `x-log-apiversion` header.
            Api::Sls => "0.6.0",
        }
    }

    /// The `X-Amz-Target` prefix (botocore's `targetPrefix`; AWS JSON 1.1 only).
    fn target_prefix(self) -> Option<&'static str> {
        match self {
            Api::CloudWatchLogs => Some("Logs_20140328"),
            Api::CloudTrail => Some("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"),
            Api::ActionTrail | Api::Cdn | Api::Oss | Api::S3 | Api::Sls => None,
        }
    }

    /// The `X-Amz-Target` header for `operation` (AWS JSON 1.1 only).
    pub fn target(self, operation: &str) -> Option<String> {
        Some(format!("{}.{operation}", self.target_prefix()?))
    }

    /// The operation named by an `X-Amz-Target` value, if it is this API's prefix.
    pub fn operation_of_target(self, target: &str) -> Option<&str> {
        target
            .strip_prefix(self.target_prefix()?)?
            .strip_prefix('.')
    }

    /// The SigV4 signing name (botocore's `signingName`; the AWS JSON 1.1 APIs only).
    pub fn signing_name(self) -> Option<&'static str> {
        match self {
            Api::CloudWatchLogs => Some("logs"),
            Api::CloudTrail => Some("cloudtrail"),
            Api::ActionTrail | Api::Cdn | Api::Oss | Api::S3 | Api::Sls => None,
        }
    }

    /// Every operation of this API in the catalogue.
    pub fn operations(self) -> impl Iterator<Item = &'static Operation> {
        OPERATIONS.iter().filter(move |o| o.api == self)
    }

    /// The operations of this API the app calls: what the proxy forwards.
    pub fn forwarded(self) -> impl Iterator<Item = &'static Operation> {
        self.operations().filter(|o| o.caller == Caller::App)
    }
}

/// Whether an operation changes the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Where a rate limit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Calls per second per account, as the API's documents state it.
    Documented(u32),
    /// Calls per second the app assumes where the documents give no figure (throttling is
    /// retried with backoff either way).
    Assumed(u32),
}

impl Limit {
    pub fn per_second(self) -> u32 {
        match self {
            Limit::Documented(n) | Limit::Assumed(n) => n,
        }
    }
}

/// Who calls an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The app: the proxy forwards it (a write only when not read-only).
    App,
    /// Only the demo backend implements it (to seed or exercise the demo); never forwarded.
    DemoOnly,
}

/// One operation of one API.
#[derive(Debug, PartialEq, Eq)]
pub struct Operation {
    pub api: Api,
    pub name: &'static str,
    pub access: Access,
    pub limit: Limit,
    pub caller: Caller,
}

impl Operation {
    /// The shortest interval between two calls the app keeps: the limit with a 10% margin.
    pub fn min_interval_ms(&self) -> f64 {
        1100.0 / self.limit.per_second().max(1) as f64
    }

    pub fn writes(&self) -> bool {
        self.access == Access::Write
    }

    /// The proxy's `[rate_limits]` key: the operation's name, or `<API>.<name>` for an AWS
    /// operation with a documented limit whose name an Alibaba Cloud operation also has
    /// (CloudTrail's `CloudTrail.LookupEvents` beside ActionTrail's `LookupEvents`: two clouds'
    /// accounts, two limits). It depends on the operations' identities, not on their order in
    /// [`OPERATIONS`].
    pub fn rate_key(&self) -> String {
        self.rate_key_among(OPERATIONS.iter())
    }

    fn rate_key_among<'a>(&self, mut ops: impl Iterator<Item = &'a Operation>) -> String {
        let shared = self.api.cloud() == Cloud::Aws
            && matches!(self.limit, Limit::Documented(_))
            && ops.any(|o| o.name == self.name && o.api.cloud() == Cloud::Aliyun);
        if shared {
            format!("{}.{}", self.api.name(), self.name)
        } else {
            self.name.to_string()
        }
    }
}

pub const LOOKUP_EVENTS: Operation = Operation {
    api: Api::ActionTrail,
    name: "LookupEvents",
    access: Access::Read,
    limit: Limit::Documented(2),
    caller: Caller::App,
};
// ActionTrail documents no limit for its delivery-history job APIs: they get LookupEvents' 2/s.
pub const LIST_DELIVERY_HISTORY_JOBS: Operation = Operation {
    api: Api::ActionTrail,
    name: "ListDeliveryHistoryJobs",
    access: Access::Read,
    limit: Limit::Assumed(2),
    caller: Caller::App,
};
pub const GET_DELIVERY_HISTORY_JOB: Operation = Operation {
    api: Api::ActionTrail,
    name: "GetDeliveryHistoryJob",
    access: Access::Read,
    limit: Limit::Assumed(2),
    caller: Caller::App,
};
pub const CREATE_DELIVERY_HISTORY_JOB: Operation = Operation {
    api: Api::ActionTrail,
    name: "CreateDeliveryHistoryJob",
    access: Access::Write,
    limit: Limit::Assumed(2),
    caller: Caller::App,
};
pub const DELETE_DELIVERY_HISTORY_JOB: Operation = Operation {
    api: Api::ActionTrail,
    name: "DeleteDeliveryHistoryJob",
    access: Access::Write,
    limit: Limit::Assumed(2),
    caller: Caller::DemoOnly,
};
pub const DESCRIBE_CDN_DELIVER_LIST: Operation = Operation {
    api: Api::Cdn,
    name: "DescribeCdnDeliverList",
    access: Access::Read,
    limit: Limit::Documented(3),
    caller: Caller::App,
};
pub const DESCRIBE_EXPORT_TASKS: Operation = Operation {
    api: Api::CloudWatchLogs,
    name: "DescribeExportTasks",
    access: Access::Read,
    limit: Limit::Assumed(5),
    caller: Caller::App,
};
/// CloudTrail's LookupEvents: "limited to two per second, per account, per Region".
pub const CLOUDTRAIL_LOOKUP_EVENTS: Operation = Operation {
    api: Api::CloudTrail,
    name: "LookupEvents",
    access: Access::Read,
    limit: Limit::Documented(2),
    caller: Caller::App,
};
pub const CREATE_EXPORT_TASK: Operation = Operation {
    api: Api::CloudWatchLogs,
    name: "CreateExportTask",
    access: Access::Write,
    limit: Limit::Assumed(5),
    caller: Caller::DemoOnly,
};
// CloudWatch Logs Insights. The quotas page gives no per-second figure the reference
// confirms (only the concurrency of 30 or 100 queries): the app assumes 5 calls a second and
// polls far less often (`engines::insights::POLL_MS`). `LimitExceededException` (too
// many concurrent queries) is never retried automatically ([`crate::dialect::ServiceError::is_retryable`]).
pub const START_QUERY: Operation = Operation {
    api: Api::CloudWatchLogs,
    name: "StartQuery",
    access: Access::Read,
    limit: Limit::Assumed(5),
    caller: Caller::App,
};
pub const GET_QUERY_RESULTS: Operation = Operation {
    api: Api::CloudWatchLogs,
    name: "GetQueryResults",
    access: Access::Read,
    limit: Limit::Assumed(5),
    caller: Caller::App,
};
/// Stops the app's own query (no account data changes: it reads as a read).
pub const STOP_QUERY: Operation = Operation {
    api: Api::CloudWatchLogs,
    name: "StopQuery",
    access: Access::Read,
    limit: Limit::Assumed(5),
    caller: Caller::App,
};

// SLS documents concurrency (100 concurrent search statements per project), not calls a
// second: the app assumes 10 a second for GetLogs (a 10,000-row SQL page or a 100-row search
// page each) and 2 for the logstore picker's ListLogStores.
pub const SLS_GET_LOGS: Operation = Operation {
    api: Api::Sls,
    name: "GetLogs",
    access: Access::Read,
    limit: Limit::Assumed(10),
    caller: Caller::App,
};
pub const SLS_LIST_LOG_STORES: Operation = Operation {
    api: Api::Sls,
    name: "ListLogStores",
    access: Access::Read,
    limit: Limit::Assumed(2),
    caller: Caller::App,
};

// The storage APIs' limits are per bucket or per key prefix, not per account: S3 documents
// 5,500 GET/HEAD requests per second per partitioned prefix, OSS 10,000 requests per second
// per bucket. The app assumes far less (a listing walks a few folders; downloads run a few at
// a time), and a throttled call (`SlowDown`, 503) is retried with backoff either way.
const STORAGE_LIST_LIMIT: Limit = Limit::Assumed(100);
const STORAGE_OBJECT_LIMIT: Limit = Limit::Assumed(1000);

macro_rules! storage_operations {
    ($($konst:ident => $api:ident, $name:literal, $limit:ident;)*) => {$(
        #[doc = concat!("`", $name, "` on ", stringify!($api), " (read, called by the app).")]
        pub const $konst: Operation = Operation {
            api: Api::$api,
            name: $name,
            access: Access::Read,
            limit: $limit,
            caller: Caller::App,
        };
    )*};
}

storage_operations! {
    OSS_LIST_OBJECTS_V2 => Oss, "ListObjectsV2", STORAGE_LIST_LIMIT;
    OSS_GET_OBJECT => Oss, "GetObject", STORAGE_OBJECT_LIMIT;
    OSS_HEAD_OBJECT => Oss, "HeadObject", STORAGE_OBJECT_LIMIT;
    S3_LIST_OBJECTS_V2 => S3, "ListObjectsV2", STORAGE_LIST_LIMIT;
    S3_GET_OBJECT => S3, "GetObject", STORAGE_OBJECT_LIMIT;
    S3_HEAD_OBJECT => S3, "HeadObject", STORAGE_OBJECT_LIMIT;
}

/// Every operation trailview knows.
pub const OPERATIONS: &[Operation] = &[
    LOOKUP_EVENTS,
    LIST_DELIVERY_HISTORY_JOBS,
    GET_DELIVERY_HISTORY_JOB,
    CREATE_DELIVERY_HISTORY_JOB,
    DELETE_DELIVERY_HISTORY_JOB,
    DESCRIBE_CDN_DELIVER_LIST,
    DESCRIBE_EXPORT_TASKS,
    CREATE_EXPORT_TASK,
    START_QUERY,
    GET_QUERY_RESULTS,
    STOP_QUERY,
    SLS_GET_LOGS,
    SLS_LIST_LOG_STORES,
    CLOUDTRAIL_LOOKUP_EVENTS,
    OSS_LIST_OBJECTS_V2,
    OSS_GET_OBJECT,
    OSS_HEAD_OBJECT,
    S3_LIST_OBJECTS_V2,
    S3_GET_OBJECT,
    S3_HEAD_OBJECT,
];

/// The operation `name` of `api` (exact, case-sensitive, as the clouds match names).
pub fn find(api: Api, name: &str) -> Option<&'static Operation> {
    api.operations().find(|o| o.name == name)
}

/// An operation the app calls, with the type its answer is read as.
pub trait Call {
    const OPERATION: &'static Operation;
    type Response: DeserializeOwned;
}

macro_rules! calls {
    ($($ty:ident => $op:ident, $resp:ty;)*) => {$(
        #[doc = concat!("`", stringify!($ty), "`.")]
        pub struct $ty;
        impl Call for $ty {
            const OPERATION: &'static Operation = &$op;
            type Response = $resp;
        }
    )*};
}

calls! {
    LookupEvents => LOOKUP_EVENTS, crate::wire::LookupEventsResponse;
    ListDeliveryHistoryJobs => LIST_DELIVERY_HISTORY_JOBS, crate::wire::ListDeliveryHistoryJobsResponse;
    GetDeliveryHistoryJob => GET_DELIVERY_HISTORY_JOB, crate::wire::GetDeliveryHistoryJobResponse;
    CreateDeliveryHistoryJob => CREATE_DELIVERY_HISTORY_JOB, crate::wire::CreateDeliveryHistoryJobResponse;
    DescribeCdnDeliverList => DESCRIBE_CDN_DELIVER_LIST, crate::wire::CdnDeliverListResponse;
    DescribeExportTasks => DESCRIBE_EXPORT_TASKS, crate::wire::DescribeExportTasksResponse;
    StartQuery => START_QUERY, crate::wire::StartQueryResponse;
    GetQueryResults => GET_QUERY_RESULTS, crate::wire::GetQueryResultsResponse;
    StopQuery => STOP_QUERY, crate::wire::StopQueryResponse;
    ListLogStores => SLS_LIST_LOG_STORES, crate::wire::ListLogStoresResponse;
    CloudTrailLookupEvents => CLOUDTRAIL_LOOKUP_EVENTS, crate::wire::CloudTrailLookupEventsResponse;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_api_and_routes_round_trip() {
        for (i, a) in OPERATIONS.iter().enumerate() {
            for b in &OPERATIONS[i + 1..] {
                assert!(a.api != b.api || a.name != b.name, "{} twice", a.name);
            }
        }
        for api in Api::ALL {
            assert_eq!(Api::from_route(api.route()), Some(api));
        }
        assert_eq!(Api::from_route("aliyun/sls"), Some(Api::Sls));
        assert_eq!(Api::from_route("aliyun/sls/"), None);
        assert_eq!(Api::from_route("aliyun/oss/"), None);
    }

    #[test]
    fn forwarded_is_what_the_app_calls() {
        let names = |api: Api| api.forwarded().map(|o| o.name).collect::<Vec<_>>();
        assert_eq!(
            names(Api::ActionTrail),
            [
                "LookupEvents",
                "ListDeliveryHistoryJobs",
                "GetDeliveryHistoryJob",
                "CreateDeliveryHistoryJob"
            ]
        );
        assert_eq!(names(Api::Cdn), ["DescribeCdnDeliverList"]);
        assert_eq!(
            names(Api::CloudWatchLogs),
            [
                "DescribeExportTasks",
                "StartQuery",
                "GetQueryResults",
                "StopQuery"
            ]
        );
        assert_eq!(names(Api::Sls), ["GetLogs", "ListLogStores"]);
        // Never a query definition or any other write of CloudWatch Logs.
        for never in [
            "DeleteQueryDefinition",
            "PutQueryDefinition",
            "CreateLogGroup",
        ] {
            assert_eq!(find(Api::CloudWatchLogs, never), None);
        }
        assert!(Api::Sls.operations().all(|o| !o.writes()));
        assert_eq!(names(Api::CloudTrail), ["LookupEvents"]);
        for storage in [Api::Oss, Api::S3] {
            assert_eq!(names(storage), ["ListObjectsV2", "GetObject", "HeadObject"]);
        }
        // The only write the app makes.
        let writes: Vec<_> = OPERATIONS
            .iter()
            .filter(|o| o.caller == Caller::App && o.writes())
            .map(|o| o.name)
            .collect();
        assert_eq!(writes, ["CreateDeliveryHistoryJob"]);
    }

    #[test]
    fn storage_apis_speak_rest_xml_and_only_read() {
        assert_eq!(Api::Oss.cloud(), Cloud::Aliyun);
        assert_eq!(Api::S3.cloud(), Cloud::Aws);
        for api in [Api::Oss, Api::S3] {
            assert_eq!(api.dialect(), Dialect::RestXml);
            assert_eq!(api.target("GetObject"), None);
            assert_eq!(api.operation_of_target("GetObject"), None);
            assert!(api
                .operations()
                .all(|o| !o.writes() && o.caller == Caller::App));
            assert!(api
                .operations()
                .all(|o| matches!(o.limit, Limit::Assumed(n) if n >= 100)));
        }
        // Names are per API: the same operation name on both storage APIs, nowhere else.
        assert_eq!(find(Api::Oss, "GetObject"), Some(&OSS_GET_OBJECT));
        assert_eq!(find(Api::S3, "GetObject"), Some(&S3_GET_OBJECT));
        assert_eq!(find(Api::ActionTrail, "GetObject"), None);
        assert_eq!(find(Api::S3, "PutObject"), None);
        assert_eq!(find(Api::Oss, "ListObjects"), None);
        // The RPC and JSON APIs keep their dialects.
        assert_eq!(Api::ActionTrail.dialect(), Dialect::AlibabaRpc);
        assert_eq!(Api::Cdn.dialect(), Dialect::AlibabaRpc);
        assert_eq!(Api::CloudWatchLogs.dialect(), Dialect::AwsJson);
        assert_eq!(Api::Sls.dialect(), Dialect::SlsJson);
        assert_eq!(Api::Sls.cloud(), Cloud::Aliyun);
        assert_eq!(Api::Sls.target("GetLogs"), None);
        assert_eq!(Api::CloudTrail.dialect(), Dialect::AwsJson);
        assert_eq!(Api::CloudTrail.cloud(), Cloud::Aws);
    }

    #[test]
    fn lookups_are_exact() {
        assert!(find(Api::ActionTrail, "LookupEvents").is_some());
        for bad in [
            "lookupevents",
            "LookupEvents ",
            "",
            "DescribeCdnDeliverList",
        ] {
            assert!(find(Api::ActionTrail, bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn targets_and_pacing() {
        let logs = Api::CloudWatchLogs;
        assert_eq!(
            logs.target("DescribeExportTasks").as_deref(),
            Some("Logs_20140328.DescribeExportTasks")
        );
        assert_eq!(
            logs.operation_of_target("Logs_20140328.DescribeExportTasks"),
            Some("DescribeExportTasks")
        );
        assert_eq!(logs.operation_of_target("Logs_20990101.X"), None);
        assert_eq!(Api::Cdn.target("X"), None);
        let ct = Api::CloudTrail;
        let target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
        assert_eq!(ct.target("LookupEvents").as_deref(), Some(target));
        assert_eq!(ct.operation_of_target(target), Some("LookupEvents"));
        // Another API's prefix names nothing here, and the other way round.
        assert_eq!(ct.operation_of_target("Logs_20140328.LookupEvents"), None);
        assert_eq!(logs.operation_of_target(target), None);
        assert_eq!(
            ct.operation_of_target(
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101LookupEvents"
            ),
            None
        );
        assert_eq!(Api::from_route("aws/cloudtrail"), Some(ct));
        assert_eq!(
            (ct.signing_name(), logs.signing_name()),
            (Some("cloudtrail"), Some("logs"))
        );
        assert_eq!(CLOUDTRAIL_LOOKUP_EVENTS.limit, Limit::Documented(2));
        assert_eq!(CLOUDTRAIL_LOOKUP_EVENTS.min_interval_ms(), 550.0);
        // Two clouds' LookupEvents, two rate limits; every other key is the name.
        assert_eq!(
            CLOUDTRAIL_LOOKUP_EVENTS.rate_key(),
            "CloudTrail.LookupEvents"
        );
        assert_eq!(LOOKUP_EVENTS.rate_key(), "LookupEvents");
        assert_eq!(S3_GET_OBJECT.rate_key(), "GetObject");
        // The same whatever the catalogue's order.
        for o in OPERATIONS {
            assert_eq!(o.rate_key_among(OPERATIONS.iter().rev()), o.rate_key());
            let mut rotated = OPERATIONS.iter().cycle().skip(OPERATIONS.len() / 2);
            assert_eq!(
                o.rate_key_among((&mut rotated).take(OPERATIONS.len())),
                o.rate_key()
            );
        }
        let keys: Vec<String> = OPERATIONS.iter().map(Operation::rate_key).collect();
        for (i, k) in keys.iter().enumerate() {
            let same = OPERATIONS.iter().zip(&keys).filter(|(_, o)| *o == k);
            let documented = same.filter(|(o, _)| matches!(o.limit, Limit::Documented(_)));
            assert!(
                documented.count() <= 1,
                "{k} ({i}) shared by two documented limits"
            );
        }
        assert_eq!(LOOKUP_EVENTS.min_interval_ms(), 550.0);
        assert_eq!(DESCRIBE_EXPORT_TASKS.min_interval_ms(), 220.0);
        assert!(DESCRIBE_CDN_DELIVER_LIST.min_interval_ms() > 1000.0 / 3.0);
    }
}
