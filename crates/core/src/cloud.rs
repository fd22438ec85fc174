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

    /// Its name in `config.json` and links: `aliyun` or `aws`.
    pub fn key(self) -> &'static str {
        match self {
            Cloud::Aliyun => "aliyun",
            Cloud::Aws => "aws",
        }
    }

    /// A [`Cloud::key`] read back; anything else is `None`.
    pub fn from_key(key: &str) -> Option<Cloud> {
        [Cloud::Aliyun, Cloud::Aws]
            .into_iter()
            .find(|c| c.key() == key)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_as_its_cloud() {
        for c in [Cloud::Aliyun, Cloud::Aws] {
            assert_eq!(Cloud::from_key(c.key()), Some(c));
        }
        assert_eq!(Cloud::from_key("AWS"), None);
        assert_eq!(Cloud::from_key(""), None);
    }
}
