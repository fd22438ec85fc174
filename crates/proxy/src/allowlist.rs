//! The operations the proxy forwards: the catalogue's operations the app calls
//! ([`Api::forwarded`]). Anything else is refused with 403 before it is signed or sent; write
//! operations ([`Access::Write`]) also when `read_only` is set.
//!
//! The storage APIs (OSS, S3) are read-only whatever the configuration: only GET and HEAD of
//! ListObjectsV2, GetObject and HeadObject ([`crate::storage::StorageRequest::parse`] refuses
//! anything else), on the configured bucket, under its prefix ([`check_storage`]).

use crate::config::BucketConfig;
use crate::storage::{StorageCall, StorageRefusal, StorageRequest};
use trailview_core::catalogue::{Access, Api};
use trailview_core::trail_files::{check_key, KeyUse};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotAllowed,
    ReadOnly,
}

impl Refusal {
    pub fn message(&self, api: Api, op: &str) -> String {
        let allowed: Vec<&str> = api.forwarded().map(|o| o.name).collect();
        match self {
            Refusal::NotAllowed => format!(
                "trailview-proxy does not forward {} {op}: only {} are allowed.",
                api.name(),
                allowed.join(", ")
            ),
            Refusal::ReadOnly => format!(
                "trailview-proxy is read-only: {} {op} changes the account and is not forwarded.",
                api.name()
            ),
        }
    }
}

/// Whether the proxy signs and forwards a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    Forwarded,
    /// `read_only = true`: writes are refused.
    Refused,
}

/// Whether `op` may be forwarded to `api`. Names are exact (case-sensitive), as the clouds'.
pub fn check(api: Api, op: &str, writes: Writes) -> Result<(), Refusal> {
    match api.forwarded().find(|o| o.name == op) {
        None => Err(Refusal::NotAllowed),
        Some(o) if o.access == Access::Write && writes == Writes::Refused => Err(Refusal::ReadOnly),
        Some(_) => Ok(()),
    }
}

/// May `req` (already of a valid form) be forwarded to the bucket `cfg`? Its bucket must be the
/// configured one, and its key, or its listing's prefix, under the configured prefix (core's
/// [`check_key`]).
pub fn check_storage(req: &StorageRequest, cfg: &BucketConfig) -> Result<(), StorageRefusal> {
    if req.bucket != cfg.bucket {
        return Err(StorageRefusal::Bucket(req.bucket.clone()));
    }
    match &req.call {
        StorageCall::List(list) => {
            check_key(&cfg.prefix, &list.prefix, KeyUse::ListPrefix).map_err(StorageRefusal::Prefix)
        }
        StorageCall::Object => {
            check_key(&cfg.prefix, &req.key, KeyUse::Object).map_err(StorageRefusal::Key)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailview_core::catalogue::{Caller, OPERATIONS};
    use trailview_core::trail_files::KeyRefused;

    fn bucket(prefix: &str) -> BucketConfig {
        BucketConfig {
            endpoint: crate::config::Endpoint {
                base: "https://trail.s3.us-east-1.amazonaws.com".into(),
                host: "trail.s3.us-east-1.amazonaws.com".into(),
                region: "us-east-1".into(),
            },
            addressing: crate::config::Addressing::VirtualHosted,
            bucket: "trail".into(),
            prefix: prefix.into(),
        }
    }

    fn req(path: &str, query: Option<&str>) -> StorageRequest {
        StorageRequest::parse(Api::S3, &axum::http::Method::GET, path, query).unwrap()
    }

    #[test]
    fn storage_bucket_and_prefix() {
        let cfg = bucket("logs/");
        assert_eq!(
            check_storage(&req("/api/aws/s3/trail/logs/AWSLogs/x.json.gz", None), &cfg),
            Ok(())
        );
        assert_eq!(
            check_storage(&req("/api/aws/s3/other/logs/x", None), &cfg),
            Err(StorageRefusal::Bucket("other".into()))
        );
        assert_eq!(
            check_storage(&req("/api/aws/s3/trail/logs2/x", None), &cfg),
            Err(StorageRefusal::Key(KeyRefused::OutsidePrefix))
        );
        assert_eq!(
            check_storage(&req("/api/aws/s3/trail/x", None), &cfg),
            Err(StorageRefusal::Key(KeyRefused::OutsidePrefix))
        );
        let list = |p: &str| {
            req(
                "/api/aws/s3/trail",
                Some(&format!("list-type=2&prefix={p}")),
            )
        };
        assert_eq!(check_storage(&list("logs%2F"), &cfg), Ok(()));
        assert_eq!(check_storage(&list("logs%2FAWSLogs%2F"), &cfg), Ok(()));
        for outside in ["", "log", "logs2%2F", "AWSLogs%2F"] {
            assert_eq!(
                check_storage(&list(outside), &cfg),
                Err(StorageRefusal::Prefix(KeyRefused::OutsidePrefix)),
                "{outside}"
            );
        }
        // No prefix: the whole bucket.
        assert_eq!(check_storage(&list(""), &bucket("")), Ok(()));
        assert!(StorageRefusal::Method("PUT".into())
            .message(Api::S3)
            .contains("ListObjectsV2, GetObject, HeadObject"));
    }

    #[test]
    fn allow_and_refuse() {
        let ro = Writes::Refused;
        let rw = Writes::Forwarded;
        assert!(check(Api::ActionTrail, "LookupEvents", ro).is_ok());
        assert!(check(Api::ActionTrail, "CreateDeliveryHistoryJob", rw).is_ok());
        assert_eq!(
            check(Api::ActionTrail, "CreateDeliveryHistoryJob", ro),
            Err(Refusal::ReadOnly)
        );
        for bad in [
            "DeleteDeliveryHistoryJob",
            "CreateTrail",
            "lookupevents",
            "",
            "LookupEvents ",
        ] {
            assert_eq!(
                check(Api::ActionTrail, bad, rw),
                Err(Refusal::NotAllowed),
                "{bad}"
            );
        }
        // Operations are per API.
        assert!(check(Api::Cdn, "LookupEvents", rw).is_err());
        assert!(check(Api::Cdn, "DescribeCdnDeliverList", ro).is_ok());
        assert!(check(Api::CloudWatchLogs, "DescribeExportTasks", ro).is_ok());
        // The app never creates export tasks: only the demo implements it.
        assert_eq!(
            check(Api::CloudWatchLogs, "CreateExportTask", rw),
            Err(Refusal::NotAllowed)
        );
        assert!(check(Api::CloudWatchLogs, "DeleteLogGroup", rw).is_err());
        assert!(Refusal::NotAllowed
            .message(Api::Cdn, "X")
            .contains("DescribeCdnDeliverList"));
    }

    /// Every operation the app calls is forwarded (reads also when read-only); nothing only
    /// the demo implements is.
    #[test]
    fn forwards_exactly_what_the_app_calls() {
        for op in OPERATIONS {
            let forwarded = check(op.api, op.name, Writes::Forwarded);
            let read_only = check(op.api, op.name, Writes::Refused);
            match (op.caller, op.access) {
                (Caller::App, Access::Read) => {
                    assert_eq!(forwarded, Ok(()), "{}", op.name);
                    assert_eq!(read_only, Ok(()), "{}", op.name);
                }
                (Caller::App, Access::Write) => {
                    assert_eq!(forwarded, Ok(()), "{}", op.name);
                    assert_eq!(read_only, Err(Refusal::ReadOnly), "{}", op.name);
                }
                (Caller::DemoOnly, _) => {
                    assert_eq!(forwarded, Err(Refusal::NotAllowed), "{}", op.name)
                }
            }
        }
    }
}
