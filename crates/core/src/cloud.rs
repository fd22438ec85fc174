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

/// The clouds a query reads: Alibaba Cloud (ActionTrail LookupEvents), AWS (CloudTrail
/// LookupEvents), or both, each fetched at its own rate and merged into one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Clouds {
    pub aliyun: bool,
    pub aws: bool,
}

impl Default for Clouds {
    /// Alibaba Cloud only (what a query read before AWS was offered).
    fn default() -> Self {
        Clouds {
            aliyun: true,
            aws: false,
        }
    }
}

impl Clouds {
    pub fn includes(self, cloud: Cloud) -> bool {
        match cloud {
            Cloud::Aliyun => self.aliyun,
            Cloud::Aws => self.aws,
        }
    }

    /// At least one cloud is chosen.
    pub fn any(self) -> bool {
        self.aliyun || self.aws
    }
}
