//! The one catalogue of the cloud operations trailview knows. For each: which API (and so which
//! cloud, wire dialect, version and proxy route), read or write, its rate limit (documented, or
//! the app's assumption where the documents give none), whether the app calls it, and its
//! response type. The app's client, the demo's dispatch, the proxy's allowlist and its rate
//! limits are all derived from this table: adding a source means adding entries here.

use crate::dialect::Dialect;
use serde::de::DeserializeOwned;

/// Which cloud an API, a trail file or an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cloud {
    /// Alibaba Cloud (ActionTrail, CDN, OSS, SLS).
    Aliyun,
    /// AWS (CloudTrail, CloudWatch Logs, S3).
    Aws,
}

impl Cloud {
    /// The name shown in the Cloud column and searched by `cloud:`.
    pub fn label(self) -> &'static str {
        match self {
            Cloud::Aliyun => "Alibaba Cloud",
            Cloud::Aws => "AWS",
        }
    }
}

/// A cloud API as the proxy exposes it: one route, one dialect, one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// Alibaba Cloud ActionTrail, RPC `2020-07-06`.
    ActionTrail,
    /// Alibaba Cloud CDN, RPC `2018-05-10`.
    Cdn,
    /// Amazon CloudWatch Logs, JSON 1.1 with `X-Amz-Target: Logs_20140328.<Operation>`.
    CloudWatchLogs,
}

impl Api {
    pub const ALL: [Api; 3] = [Api::ActionTrail, Api::Cdn, Api::CloudWatchLogs];

    pub fn cloud(self) -> Cloud {
        match self {
            Api::ActionTrail | Api::Cdn => Cloud::Aliyun,
            Api::CloudWatchLogs => Cloud::Aws,
        }
    }

    pub fn dialect(self) -> Dialect {
        match self.cloud() {
            Cloud::Aliyun => Dialect::AlibabaRpc,
            Cloud::Aws => Dialect::AwsJson,
        }
    }

    /// The name users see (in messages).
    pub fn name(self) -> &'static str {
        match self {
            Api::ActionTrail => "ActionTrail",
            Api::Cdn => "CDN",
            Api::CloudWatchLogs => "CloudWatch Logs",
        }
    }

    /// The path under the proxy base (`{base}/{route}`).
    pub fn route(self) -> &'static str {
        match self {
            Api::ActionTrail => "aliyun/actiontrail",
            Api::Cdn => "aliyun/cdn",
            Api::CloudWatchLogs => "aws/logs",
        }
    }

    pub fn from_route(route: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|a| a.route() == route)
    }

    /// The RPC `Version` parameter (Alibaba), or the JSON 1.1 target prefix's version (AWS).
    pub fn version(self) -> &'static str {
        match self {
            Api::ActionTrail => "2020-07-06",
            Api::Cdn => "2018-05-10",
            Api::CloudWatchLogs => "20140328",
        }
    }

    /// The `X-Amz-Target` header for `operation` (AWS JSON 1.1 only).
    pub fn target(self, operation: &str) -> Option<String> {
        match self {
            Api::CloudWatchLogs => Some(format!("Logs_{}.{operation}", self.version())),
            Api::ActionTrail | Api::Cdn => None,
        }
    }

    /// The operation named by an `X-Amz-Target` value, if it is this API's prefix.
    pub fn operation_of_target(self, target: &str) -> Option<&str> {
        match self {
            Api::CloudWatchLogs => target
                .strip_prefix("Logs_")?
                .strip_prefix(self.version())?
                .strip_prefix('.'),
            Api::ActionTrail | Api::Cdn => None,
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
pub const CREATE_EXPORT_TASK: Operation = Operation {
    api: Api::CloudWatchLogs,
    name: "CreateExportTask",
    access: Access::Write,
    limit: Limit::Assumed(5),
    caller: Caller::DemoOnly,
};

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
        assert_eq!(Api::from_route("aliyun/oss"), None);
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
        assert_eq!(names(Api::CloudWatchLogs), ["DescribeExportTasks"]);
        // The only write the app makes.
        let writes: Vec<_> = OPERATIONS
            .iter()
            .filter(|o| o.caller == Caller::App && o.writes())
            .map(|o| o.name)
            .collect();
        assert_eq!(writes, ["CreateDeliveryHistoryJob"]);
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
        assert_eq!(LOOKUP_EVENTS.min_interval_ms(), 550.0);
        assert_eq!(DESCRIBE_EXPORT_TASKS.min_interval_ms(), 220.0);
        assert!(DESCRIBE_CDN_DELIVER_LIST.min_interval_ms() > 1000.0 / 3.0);
    }
}
