//! The operations the proxy forwards: exactly what the app calls, per upstream. Anything else is
//! refused with 403 before it is signed or sent; write operations also when `read_only` is set.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    ActionTrail,
    Cdn,
    Logs,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::ActionTrail => "ActionTrail",
            Service::Cdn => "CDN",
            Service::Logs => "CloudWatch Logs",
        }
    }
}

/// `(operation, writes)` per service.
pub fn operations(service: Service) -> &'static [(&'static str, bool)] {
    match service {
        Service::ActionTrail => &[
            ("LookupEvents", false),
            ("ListDeliveryHistoryJobs", false),
            ("GetDeliveryHistoryJob", false),
            ("CreateDeliveryHistoryJob", true),
        ],
        Service::Cdn => &[("DescribeCdnDeliverList", false)],
        Service::Logs => &[("DescribeExportTasks", false), ("CreateExportTask", true)],
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotAllowed,
    ReadOnly,
}

impl Refusal {
    pub fn message(&self, service: Service, op: &str) -> String {
        let allowed: Vec<&str> = operations(service).iter().map(|(o, _)| *o).collect();
        match self {
            Refusal::NotAllowed => format!(
                "trailview-proxy does not forward {} {op}: only {} are allowed.",
                service.name(),
                allowed.join(", ")
            ),
            Refusal::ReadOnly => format!(
                "trailview-proxy is read-only: {} {op} changes the account and is not forwarded.",
                service.name()
            ),
        }
    }
}

/// Whether `op` may be forwarded to `service`. Names are exact (case-sensitive), as the clouds'.
pub fn check(service: Service, op: &str, read_only: bool) -> Result<(), Refusal> {
    match operations(service).iter().find(|(o, _)| *o == op) {
        None => Err(Refusal::NotAllowed),
        Some((_, true)) if read_only => Err(Refusal::ReadOnly),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_and_refuse() {
        assert!(check(Service::ActionTrail, "LookupEvents", true).is_ok());
        assert!(check(Service::ActionTrail, "CreateDeliveryHistoryJob", false).is_ok());
        assert_eq!(
            check(Service::ActionTrail, "CreateDeliveryHistoryJob", true),
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
                check(Service::ActionTrail, bad, false),
                Err(Refusal::NotAllowed),
                "{bad}"
            );
        }
        // Operations are per service.
        assert!(check(Service::Cdn, "LookupEvents", false).is_err());
        assert!(check(Service::Cdn, "DescribeCdnDeliverList", true).is_ok());
        assert!(check(Service::Logs, "DescribeExportTasks", true).is_ok());
        assert_eq!(
            check(Service::Logs, "CreateExportTask", true),
            Err(Refusal::ReadOnly)
        );
        assert!(check(Service::Logs, "DeleteLogGroup", false).is_err());
        assert!(Refusal::NotAllowed
            .message(Service::Cdn, "X")
            .contains("DescribeCdnDeliverList"));
    }
}
