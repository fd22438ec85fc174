//! The operations the proxy forwards: the catalogue's operations the app calls
//! ([`Api::forwarded`]). Anything else is refused with 403 before it is signed or sent; write
//! operations ([`Access::Write`]) also when `read_only` is set.

use trailview_core::catalogue::{Access, Api};

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

#[cfg(test)]
mod tests {
    use super::*;
    use trailview_core::catalogue::{Caller, OPERATIONS};

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
