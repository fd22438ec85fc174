//! The two clouds trailview reads: a leaf every other module may name.

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
