//! A deterministic, realistic ActionTrail dataset for the demo backend and for tests.
//!
//! [`generate`] turns a [`DemoConfig`] into events sorted **oldest first** (ascending time; events
//! in the same second keep their generation order). Each event is a compact JSON object string in
//! the shape of an ActionTrail management event, plus its time in epoch milliseconds (always a
//! whole second, equal to its `eventTime`, and inside `[start_ms, end_ms)`). The same config gives
//! byte-identical output.
//!
//! The data is meant to look like a real account: ~25 services with their real event names and
//! resource types, console sign-ins, service events, every identity type, a population of about
//! 45 principals (some with non-ASCII names) of very different activity, a daily cycle, bursts
//! (a Terraform run, a scanner, an attacker with a leaked key), about 5% failed calls. A small,
//! deterministic fraction of events (about two a day, see [`is_hostile_index`]) carries hostile or
//! odd values on purpose: HTML/script, a 24,000-character string, 60-level nesting, U+202E,
//! zero-width characters, emoji, a 250-item array, numbers as strings, nulls, empty objects. They
//! are still valid JSON objects with the usual top-level fields.
//!
//! Pure and IO-free. Randomness comes from a hand-written SplitMix64 (core must stay free of
//! dependencies beyond serde/chrono: it is compiled to wasm too, and a PRNG is 10 lines).
//! The JSON is written by hand rather than through `serde_json::Value`: it keeps the field order
//! of real events and makes 100,000 events take a fraction of a second.

use std::fmt::Write as _;
use trailview_core::time::format_api_time;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    pub seed: u64,
    /// Number of events.
    pub count: usize,
    /// Exclusive end of the time range (epoch ms). The proxy uses its start time.
    pub end_ms: i64,
    /// Length of the range in days, ending at `end_ms` (0 is read as 1).
    pub span_days: u32,
}

/// `end_ms` of [`DemoConfig::default`]: 2025-01-01T00:00:00Z, so that the default is pure.
pub const DEFAULT_END_MS: i64 = 1_735_689_600_000;

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            seed: 42,
            count: 60_000,
            end_ms: DEFAULT_END_MS,
            span_days: 30,
        }
    }
}

impl DemoConfig {
    /// Inclusive start of the time range (epoch ms).
    pub fn start_ms(&self) -> i64 {
        self.end_ms - i64::from(self.span_days.max(1)) * DAY_MS
    }
}

/// One generated event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEvent {
    /// `eventTime` in epoch milliseconds (a whole second).
    pub time_ms: i64,
    /// The event as a compact JSON object.
    pub json: Box<str>,
}

const DAY_MS: i64 = 86_400_000;

/// Generate `cfg.count` events, sorted by time, oldest first.
pub fn generate(cfg: &DemoConfig) -> Vec<DemoEvent> {
    let world = World::new(cfg.seed);
    let slots = timeline(cfg, &world);
    let stride = hostile_stride(cfg);
    let mut out = Vec::with_capacity(slots.len());
    let mut buf = String::with_capacity(4096);
    for (i, slot) in slots.iter().enumerate() {
        buf.clear();
        let mut rng = Rng::new(mix(cfg.seed ^ 0xD1B5_4A32_D192_ED03, i as u64));
        let hostile =
            is_hostile_index(i, stride).then(|| HOSTILE_KINDS[(i / stride) % HOSTILE_KINDS.len()]);
        write_event(&mut buf, &world, &mut rng, slot, hostile);
        out.push(DemoEvent {
            time_ms: slot.time_ms,
            json: buf.as_str().into(),
        });
    }
    out
}

/// Every how many events one is hostile: about two a day, and at most one in 1,000.
pub fn hostile_stride(cfg: &DemoConfig) -> usize {
    let per_day = cfg.count / cfg.span_days.max(1) as usize;
    (per_day / 2).clamp(1, 1000)
}

/// Whether the event at sorted position `index` carries a hostile value.
pub fn is_hostile_index(index: usize, stride: usize) -> bool {
    stride > 1 && index % stride == stride / 2
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// SplitMix64: tiny, fast, good enough for demo data, and stable across platforms.
#[derive(Clone)]
struct Rng(u64);

fn mix(a: u64, b: u64) -> u64 {
    let mut r = Rng(a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    r.next_u64()
}

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    fn pick<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.below(s.len())]
    }
    fn one(&mut self, s: &[&'static str]) -> &'static str {
        s[self.below(s.len())]
    }
    /// Skewed towards the start of the slice: a few hot items, a long tail.
    fn pick_hot<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.hot_index(s.len())]
    }
    fn hot_index(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }
    /// Index chosen with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = ((u128::from(self.next_u64()) * u128::from(total.max(1))) >> 64) as u64;
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }
    fn push_chars(&mut self, out: &mut String, alphabet: &[u8], n: usize) {
        for _ in 0..n {
            out.push(alphabet[self.below(alphabet.len())] as char);
        }
    }
    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_chars(&mut s, alphabet, n);
        s
    }
    /// `8-4-4-4-12` uppercase hex, like Alibaba request and event ids.
    fn uuid_upper(&mut self) -> String {
        let mut s = String::with_capacity(36);
        for (i, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
            if i > 0 {
                s.push('-');
            }
            self.push_chars(&mut s, HEX_UPPER, n);
        }
        s
    }
    fn uuid_lower(&mut self) -> String {
        self.uuid_upper().to_ascii_lowercase()
    }
    fn digits(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        s.push((b'1' + self.below(9) as u8) as char);
        self.push_chars(&mut s, DIGITS, n - 1);
        s
    }
}

const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8] = b"0123456789abcdef";
const DIGITS: &[u8] = b"0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// ---------------------------------------------------------------------------------------------
// Services, events and resources

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Res {
    None,
    EcsInstance,
    SecurityGroup,
    Disk,
    Snapshot,
    Image,
    Bucket,
    RamUser,
    RamPolicy,
    RamRole,
    Trail,
    DbInstance,
    LoadBalancer,
    Vpc,
    VSwitch,
    Eip,
    KmsKey,
    Secret,
    SlsProject,
    LogStore,
    CdnDomain,
    AlarmRule,
    Cluster,
    Function,
    Topic,
    RedisInstance,
    PolarCluster,
    WafDomain,
    DnsDomain,
    ScalingGroup,
    FileSystem,
    ResourceGroup,
    FwPolicy,
}

const RES_COUNT: usize = Res::FwPolicy as usize + 1;

impl Res {
    /// (request parameter name, resource type)
    fn meta(self) -> (&'static str, &'static str) {
        match self {
            Res::None => ("", ""),
            Res::EcsInstance => ("InstanceId", "ACS::ECS::Instance"),
            Res::SecurityGroup => ("SecurityGroupId", "ACS::ECS::SecurityGroup"),
            Res::Disk => ("DiskId", "ACS::ECS::Disk"),
            Res::Snapshot => ("SnapshotId", "ACS::ECS::Snapshot"),
            Res::Image => ("ImageId", "ACS::ECS::Image"),
            Res::Bucket => ("BucketName", "ACS::OSS::Bucket"),
            Res::RamUser => ("UserName", "ACS::RAM::User"),
            Res::RamPolicy => ("PolicyName", "ACS::RAM::Policy"),
            Res::RamRole => ("RoleName", "ACS::RAM::Role"),
            Res::Trail => ("Name", "ACS::ActionTrail::Trail"),
            Res::DbInstance => ("DBInstanceId", "ACS::RDS::DBInstance"),
            Res::LoadBalancer => ("LoadBalancerId", "ACS::SLB::LoadBalancer"),
            Res::Vpc => ("VpcId", "ACS::VPC::VPC"),
            Res::VSwitch => ("VSwitchId", "ACS::VPC::VSwitch"),
            Res::Eip => ("AllocationId", "ACS::VPC::EIP"),
            Res::KmsKey => ("KeyId", "ACS::KMS::Key"),
            Res::Secret => ("SecretName", "ACS::KMS::Secret"),
            Res::SlsProject => ("ProjectName", "ACS::SLS::Project"),
            Res::LogStore => ("LogstoreName", "ACS::SLS::LogStore"),
            Res::CdnDomain => ("DomainName", "ACS::CDN::Domain"),
            Res::AlarmRule => ("RuleId", "ACS::CMS::AlarmRule"),
            Res::Cluster => ("ClusterId", "ACS::CS::Cluster"),
            Res::Function => ("FunctionName", "ACS::FC::Function"),
            Res::Topic => ("Topic", "ACS::ONS::Topic"),
            Res::RedisInstance => ("InstanceId", "ACS::KVSTORE::Instance"),
            Res::PolarCluster => ("DBClusterId", "ACS::POLARDB::DBCluster"),
            Res::WafDomain => ("Domain", "ACS::WAF::Domain"),
            Res::DnsDomain => ("DomainName", "ACS::DNS::Domain"),
            Res::ScalingGroup => ("ScalingGroupId", "ACS::ESS::ScalingGroup"),
            Res::FileSystem => ("FileSystemId", "ACS::NAS::FileSystem"),
            Res::ResourceGroup => ("ResourceGroupId", "ACS::ResourceManager::ResourceGroup"),
            Res::FwPolicy => ("AclUuid", "ACS::CloudFirewall::ControlPolicy"),
        }
    }
}

struct Ev {
    name: &'static str,
    res: Res,
    /// Relative frequency inside its service.
    w: u32,
}

const fn ev(name: &'static str, res: Res, w: u32) -> Ev {
    Ev { name, res, w }
}

struct Service {
    /// `serviceName` as ActionTrail writes it.
    name: &'static str,
    /// Host prefix: `eventSource` is `<host>.<region>.aliyuncs.com` (or `<host>.aliyuncs.com` if global).
    host: &'static str,
    api_version: &'static str,
    global: bool,
    /// Relative frequency of the service overall.
    w: u32,
    events: &'static [Ev],
}

use Res as R;

static SERVICES: &[Service] = &[
    Service {
        name: "Ecs",
        host: "ecs",
        api_version: "2014-05-26",
        global: false,
        w: 30,
        events: &[
            ev("DescribeInstances", R::EcsInstance, 40),
            ev("DescribeInstanceAttribute", R::EcsInstance, 8),
            ev("DescribeInstanceStatus", R::EcsInstance, 10),
            ev("RunInstances", R::EcsInstance, 4),
            ev("StartInstance", R::EcsInstance, 4),
            ev("StopInstance", R::EcsInstance, 4),
            ev("RebootInstance", R::EcsInstance, 3),
            ev("DeleteInstance", R::EcsInstance, 2),
            ev("ModifyInstanceAttribute", R::EcsInstance, 2),
            ev("DescribeSecurityGroups", R::SecurityGroup, 10),
            ev("DescribeSecurityGroupAttribute", R::SecurityGroup, 6),
            ev("CreateSecurityGroup", R::SecurityGroup, 1),
            ev("AuthorizeSecurityGroup", R::SecurityGroup, 3),
            ev("RevokeSecurityGroup", R::SecurityGroup, 1),
            ev("ModifySecurityGroupRule", R::SecurityGroup, 2),
            ev("DescribeDisks", R::Disk, 8),
            ev("CreateSnapshot", R::Snapshot, 3),
            ev("DescribeSnapshots", R::Snapshot, 4),
            ev("DescribeImages", R::Image, 6),
            ev("CreateImage", R::Image, 1),
            ev("DescribeRegions", R::None, 4),
        ],
    },
    Service {
        name: "Oss",
        host: "oss",
        api_version: "2019-05-17",
        global: false,
        w: 18,
        events: &[
            ev("GetObject", R::Bucket, 30),
            ev("PutObject", R::Bucket, 20),
            ev("DeleteObject", R::Bucket, 4),
            ev("ListObjects", R::Bucket, 8),
            ev("GetBucketInfo", R::Bucket, 5),
            ev("ListBuckets", R::None, 4),
            ev("PutBucket", R::Bucket, 1),
            ev("DeleteBucket", R::Bucket, 1),
            ev("PutBucketAcl", R::Bucket, 1),
            ev("GetBucketAcl", R::Bucket, 2),
            ev("PutBucketPolicy", R::Bucket, 1),
            ev("PutBucketLifecycle", R::Bucket, 1),
        ],
    },
    Service {
        name: "Ram",
        host: "ram",
        api_version: "2015-05-01",
        global: true,
        w: 7,
        events: &[
            ev("GetUser", R::RamUser, 10),
            ev("ListUsers", R::None, 10),
            ev("ListAccessKeys", R::RamUser, 6),
            ev("ListPoliciesForUser", R::RamUser, 6),
            ev("CreateUser", R::RamUser, 2),
            ev("DeleteUser", R::RamUser, 1),
            ev("CreateAccessKey", R::RamUser, 2),
            ev("UpdateAccessKey", R::RamUser, 1),
            ev("DeleteAccessKey", R::RamUser, 1),
            ev("AttachPolicyToUser", R::RamUser, 2),
            ev("DetachPolicyFromUser", R::RamUser, 1),
            ev("AttachPolicyToRole", R::RamRole, 1),
            ev("CreatePolicy", R::RamPolicy, 1),
            ev("CreatePolicyVersion", R::RamPolicy, 1),
            ev("SetDefaultPolicyVersion", R::RamPolicy, 1),
            ev("GetPolicy", R::RamPolicy, 4),
            ev("ListRoles", R::None, 4),
            ev("GetRole", R::RamRole, 4),
            ev("CreateRole", R::RamRole, 1),
        ],
    },
    Service {
        name: "Sts",
        host: "sts",
        api_version: "2015-04-01",
        global: true,
        w: 5,
        events: &[
            ev("AssumeRole", R::RamRole, 10),
            ev("GetCallerIdentity", R::None, 4),
        ],
    },
    Service {
        name: "Actiontrail",
        host: "actiontrail",
        api_version: "2020-07-06",
        global: false,
        w: 4,
        events: &[
            ev("LookupEvents", R::None, 20),
            ev("DescribeTrails", R::Trail, 5),
            ev("GetTrailStatus", R::Trail, 5),
            ev("CreateTrail", R::Trail, 1),
            ev("UpdateTrail", R::Trail, 1),
            ev("StartLogging", R::Trail, 1),
            ev("StopLogging", R::Trail, 1),
            ev("DeleteTrail", R::Trail, 1),
            ev("CreateDeliveryHistoryJob", R::Trail, 1),
        ],
    },
    Service {
        name: "Rds",
        host: "rds",
        api_version: "2014-08-15",
        global: false,
        w: 6,
        events: &[
            ev("DescribeDBInstances", R::DbInstance, 20),
            ev("DescribeDBInstanceAttribute", R::DbInstance, 8),
            ev("DescribeSlowLogs", R::DbInstance, 4),
            ev("CreateDBInstance", R::DbInstance, 1),
            ev("DeleteDBInstance", R::DbInstance, 1),
            ev("ModifySecurityIps", R::DbInstance, 2),
            ev("CreateAccount", R::DbInstance, 1),
            ev("RestartDBInstance", R::DbInstance, 1),
            ev("CreateBackup", R::DbInstance, 3),
        ],
    },
    Service {
        name: "Slb",
        host: "slb",
        api_version: "2014-05-15",
        global: false,
        w: 4,
        events: &[
            ev("DescribeLoadBalancers", R::LoadBalancer, 12),
            ev("DescribeHealthStatus", R::LoadBalancer, 8),
            ev("CreateLoadBalancer", R::LoadBalancer, 1),
            ev("AddBackendServers", R::LoadBalancer, 2),
            ev("RemoveBackendServers", R::LoadBalancer, 2),
            ev("SetLoadBalancerStatus", R::LoadBalancer, 1),
        ],
    },
    Service {
        name: "Vpc",
        host: "vpc",
        api_version: "2016-04-28",
        global: false,
        w: 5,
        events: &[
            ev("DescribeVpcs", R::Vpc, 10),
            ev("DescribeVSwitches", R::VSwitch, 10),
            ev("DescribeEipAddresses", R::Eip, 6),
            ev("CreateVpc", R::Vpc, 1),
            ev("CreateVSwitch", R::VSwitch, 1),
            ev("AllocateEipAddress", R::Eip, 1),
            ev("AssociateEipAddress", R::Eip, 1),
            ev("ReleaseEipAddress", R::Eip, 1),
        ],
    },
    Service {
        name: "Kms",
        host: "kms",
        api_version: "2016-01-20",
        global: false,
        w: 5,
        events: &[
            ev("Decrypt", R::KmsKey, 20),
            ev("Encrypt", R::KmsKey, 8),
            ev("GenerateDataKey", R::KmsKey, 6),
            ev("GetSecretValue", R::Secret, 12),
            ev("DescribeKey", R::KmsKey, 3),
            ev("ListKeys", R::None, 2),
            ev("CreateKey", R::KmsKey, 1),
            ev("ScheduleKeyDeletion", R::KmsKey, 1),
            ev("CreateSecret", R::Secret, 1),
            ev("PutSecretValue", R::Secret, 1),
        ],
    },
    Service {
        name: "Sls",
        host: "log",
        api_version: "2020-12-30",
        global: false,
        w: 6,
        events: &[
            ev("GetLogs", R::LogStore, 20),
            ev("ListLogStores", R::SlsProject, 6),
            ev("GetProject", R::SlsProject, 4),
            ev("CreateProject", R::SlsProject, 1),
            ev("DeleteProject", R::SlsProject, 1),
            ev("CreateLogStore", R::LogStore, 1),
            ev("UpdateLogStore", R::LogStore, 1),
            ev("CreateIndex", R::LogStore, 1),
        ],
    },
    Service {
        name: "Cdn",
        host: "cdn",
        api_version: "2018-05-10",
        global: true,
        w: 3,
        events: &[
            ev("DescribeUserDomains", R::None, 8),
            ev("DescribeCdnDomainDetail", R::CdnDomain, 6),
            ev("RefreshObjectCaches", R::CdnDomain, 6),
            ev("PushObjectCache", R::CdnDomain, 2),
            ev("AddCdnDomain", R::CdnDomain, 1),
            ev("DeleteCdnDomain", R::CdnDomain, 1),
            ev("BatchSetCdnDomainConfig", R::CdnDomain, 1),
            ev("DescribeCdnDeliverList", R::None, 1),
        ],
    },
    Service {
        name: "Cms",
        host: "metrics",
        api_version: "2019-01-01",
        global: false,
        w: 6,
        events: &[
            ev("DescribeMetricList", R::None, 30),
            ev("DescribeMetricLast", R::None, 10),
            ev("DescribeMetricRuleList", R::AlarmRule, 6),
            ev("DescribeAlertHistoryList", R::AlarmRule, 3),
            ev("PutResourceMetricRule", R::AlarmRule, 1),
            ev("DeleteMetricRules", R::AlarmRule, 1),
        ],
    },
    Service {
        name: "CS",
        host: "cs",
        api_version: "2015-12-15",
        global: false,
        w: 4,
        events: &[
            ev("DescribeClustersV1", R::Cluster, 10),
            ev("DescribeClusterDetail", R::Cluster, 6),
            ev("DescribeClusterNodes", R::Cluster, 6),
            ev("DescribeClusterUserKubeconfig", R::Cluster, 3),
            ev("CreateCluster", R::Cluster, 1),
            ev("ScaleOutCluster", R::Cluster, 1),
            ev("UpgradeCluster", R::Cluster, 1),
            ev("DeleteCluster", R::Cluster, 1),
        ],
    },
    Service {
        name: "Fc",
        host: "fc",
        api_version: "2023-03-30",
        global: false,
        w: 3,
        events: &[
            ev("ListFunctions", R::None, 8),
            ev("GetFunction", R::Function, 6),
            ev("InvokeFunction", R::Function, 6),
            ev("CreateFunction", R::Function, 1),
            ev("UpdateFunction", R::Function, 3),
            ev("DeleteFunction", R::Function, 1),
        ],
    },
    Service {
        name: "Ons",
        host: "ons",
        api_version: "2019-02-14",
        global: false,
        w: 2,
        events: &[
            ev("OnsInstanceInServiceList", R::None, 6),
            ev("OnsTopicList", R::Topic, 6),
            ev("OnsTopicCreate", R::Topic, 1),
            ev("OnsTopicDelete", R::Topic, 1),
            ev("OnsGroupCreate", R::Topic, 1),
        ],
    },
    Service {
        name: "R-kvstore",
        host: "r-kvstore",
        api_version: "2015-01-01",
        global: false,
        w: 3,
        events: &[
            ev("DescribeInstances", R::RedisInstance, 10),
            ev("DescribeInstanceAttribute", R::RedisInstance, 5),
            ev("CreateInstance", R::RedisInstance, 1),
            ev("ModifyInstanceSpec", R::RedisInstance, 1),
            ev("FlushInstance", R::RedisInstance, 1),
            ev("ModifySecurityIps", R::RedisInstance, 1),
            ev("DeleteInstance", R::RedisInstance, 1),
        ],
    },
    Service {
        name: "Polardb",
        host: "polardb",
        api_version: "2017-08-01",
        global: false,
        w: 2,
        events: &[
            ev("DescribeDBClusters", R::PolarCluster, 10),
            ev("DescribeDBClusterAttribute", R::PolarCluster, 5),
            ev("CreateDBCluster", R::PolarCluster, 1),
            ev("ModifyDBClusterAccessWhitelist", R::PolarCluster, 1),
            ev("DeleteDBCluster", R::PolarCluster, 1),
        ],
    },
    Service {
        name: "Waf",
        host: "wafopenapi",
        api_version: "2021-10-01",
        global: false,
        w: 2,
        events: &[
            ev("DescribeDomains", R::WafDomain, 8),
            ev("DescribeDefenseRules", R::WafDomain, 6),
            ev("CreateDomain", R::WafDomain, 1),
            ev("CreateDefenseRule", R::WafDomain, 1),
            ev("ModifyDefenseRule", R::WafDomain, 2),
        ],
    },
    Service {
        name: "Alidns",
        host: "alidns",
        api_version: "2015-01-09",
        global: true,
        w: 2,
        events: &[
            ev("DescribeDomains", R::None, 6),
            ev("DescribeDomainRecords", R::DnsDomain, 10),
            ev("AddDomainRecord", R::DnsDomain, 2),
            ev("UpdateDomainRecord", R::DnsDomain, 2),
            ev("DeleteDomainRecord", R::DnsDomain, 1),
        ],
    },
    Service {
        name: "Ess",
        host: "ess",
        api_version: "2014-08-28",
        global: false,
        w: 2,
        events: &[
            ev("DescribeScalingGroups", R::ScalingGroup, 8),
            ev("DescribeScalingActivities", R::ScalingGroup, 6),
            ev("ExecuteScalingRule", R::ScalingGroup, 2),
            ev("ModifyScalingGroup", R::ScalingGroup, 1),
            ev("CreateScalingGroup", R::ScalingGroup, 1),
            ev("RemoveInstances", R::ScalingGroup, 1),
        ],
    },
    Service {
        name: "Nas",
        host: "nas",
        api_version: "2017-06-26",
        global: false,
        w: 1,
        events: &[
            ev("DescribeFileSystems", R::FileSystem, 8),
            ev("DescribeMountTargets", R::FileSystem, 4),
            ev("CreateFileSystem", R::FileSystem, 1),
            ev("CreateMountTarget", R::FileSystem, 1),
            ev("DeleteFileSystem", R::FileSystem, 1),
        ],
    },
    Service {
        name: "ResourceManager",
        host: "resourcemanager",
        api_version: "2020-03-31",
        global: true,
        w: 1,
        events: &[
            ev("ListResourceGroups", R::ResourceGroup, 8),
            ev("ListAccounts", R::None, 3),
            ev("CreateResourceGroup", R::ResourceGroup, 1),
            ev("MoveResources", R::ResourceGroup, 1),
        ],
    },
    Service {
        name: "Cloudfw",
        host: "cloudfw",
        api_version: "2017-12-07",
        global: false,
        w: 1,
        events: &[
            ev("DescribeControlPolicy", R::FwPolicy, 8),
            ev("DescribeAssetList", R::None, 4),
            ev("AddControlPolicy", R::FwPolicy, 1),
            ev("ModifyControlPolicy", R::FwPolicy, 1),
            ev("DeleteControlPolicy", R::FwPolicy, 1),
        ],
    },
    Service {
        name: "BssOpenApi",
        host: "business",
        api_version: "2017-12-14",
        global: true,
        w: 1,
        events: &[
            ev("QueryAccountBalance", R::None, 8),
            ev("QueryBill", R::None, 4),
            ev("QueryInstanceBill", R::None, 3),
            ev("DescribeInstanceBill", R::None, 3),
            ev("RenewInstance", R::EcsInstance, 1),
        ],
    },
];

fn service(name: &str) -> usize {
    SERVICES
        .iter()
        .position(|s| s.name == name)
        .expect("known service")
}

/// `Read` for event names that only look (Describe/Get/List/Lookup/Query...), else `Write`.
fn rw_of(name: &str) -> &'static str {
    const READ_PREFIXES: [&str; 6] = ["Describe", "Get", "List", "Lookup", "Query", "Check"];
    const READ_NAMES: [&str; 5] = [
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "OnsTopicList",
        "OnsInstanceInServiceList",
    ];
    if READ_PREFIXES.iter().any(|p| name.starts_with(p)) || READ_NAMES.contains(&name) {
        "Read"
    } else {
        "Write"
    }
}

const REGIONS: &[&str] = &[
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "cn-zhangjiakou",
    "cn-hongkong",
    "ap-southeast-1",
    "ap-northeast-1",
    "eu-central-1",
    "us-west-1",
    "us-east-1",
];
const REGION_WEIGHTS: &[u32] = &[40, 20, 12, 8, 3, 5, 6, 2, 2, 1, 1];

const UA_SDK: &[&str] = &[
    "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
    "AlibabaCloud (Mac OS X; x86_64) Java/1.8.0_252-b09 Core/4.4.6 HTTPClient/ApacheHttpClient",
    "AlibabaCloud (linux; amd64) Go/go1.21.5 Core/1.62.671 TeaDSL/1",
    "AlibabaCloud (Windows 10; AMD64) Python/3.9.13 Core/2.13.36 python-requests/2.31.0",
    "AlibabaCloud (Linux; x86_64) Node.js/v18.19.0 Core/1.7.0 TeaDSL/2",
];
const UA_CLI: &[&str] = &[
    "AlibabaCloud (darwin; arm64) Go/go1.21.3 Core/1.62.600 TeaDSL/1 Aliyun-CLI/3.0.190",
    "AlibabaCloud (linux; amd64) Go/go1.20.4 Core/1.62.340 TeaDSL/1 Aliyun-CLI/3.0.174",
];
const UA_TERRAFORM: &[&str] = &[
    "HashiCorp Terraform/1.6.6 (+https://www.terraform.io) Terraform Plugin SDK/2.10.1 terraform-provider-alicloud/1.214.1",
    "HashiCorp Terraform/1.5.7 (+https://www.terraform.io) Terraform Plugin SDK/2.10.1 terraform-provider-alicloud/1.209.0",
];
const UA_BROWSER: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
];

// ---------------------------------------------------------------------------------------------
// The population

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Root,
    RamUser,
    AssumedRole,
    System,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Root => "root-account",
            Kind::RamUser => "ram-user",
            Kind::AssumedRole => "assumed-role",
            Kind::System => "system",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tool {
    Sdk,
    Cli,
    Terraform,
    Console,
}

struct Principal {
    kind: Kind,
    /// `userName`: RAM user name, `root`, `{role}:{session}` or a service role name.
    user_name: String,
    /// `principalId`: 18 digits, `{roleId}:{session}`, or the account id for root.
    principal_id: String,
    /// Console login (`loginAccount`).
    login: String,
    /// Long-term keys (`LTAI...`); empty for roles and services.
    access_keys: Vec<String>,
    /// For assumed roles: the role name (STS keys are derived per hour from it).
    role: Option<usize>,
    ips: Vec<String>,
    /// Tools used, with weights.
    tools: Vec<(Tool, u32)>,
    sdk_ua: &'static str,
    /// Preferred services (indices into SERVICES); empty = all by their weight.
    services: Vec<usize>,
    regions: Vec<&'static str>,
    /// Activity weight.
    weight: u32,
    /// Active around the clock (scripts) rather than in working hours.
    around_the_clock: bool,
    mfa: bool,
    /// Extra failure probability (attacker).
    fail_rate: f64,
    /// Only reads.
    read_only: bool,
    /// Service principal (`ess.aliyuncs.com`) for system identities.
    service_principal: &'static str,
}

struct World {
    seed: u64,
    account_id: String,
    principals: Vec<Principal>,
    weights: Vec<u32>,
    pools: Vec<Vec<String>>,
    /// Index of the attacker principal (used only in attack bursts).
    attacker: usize,
    /// Bursty principals: (index, burst kind).
    bursty: Vec<usize>,
    trail_bucket: String,
}

/// (name, login, non-ASCII or not is implied). Human RAM users; the order gives activity rank.
const HUMANS: &[(&str, &str)] = &[
    ("alice", "alice"),
    ("张伟", "zhang.wei"),
    ("bob", "bob"),
    ("王芳", "wang.fang"),
    ("carol.ops", "carol.ops"),
    ("李娜", "li.na"),
    ("José", "jose"),
    ("dave", "dave"),
    ("Ünsal", "unsal"),
    ("刘洋", "liu.yang"),
    ("田中太郎", "tanaka.taro"),
    ("Ólafur", "olafur"),
    ("erin.sre", "erin.sre"),
    ("陈静", "chen.jing"),
    ("frank", "frank"),
    ("Zoë", "zoe"),
    ("grace.dev", "grace.dev"),
    ("Søren", "soren"),
    ("heidi", "heidi"),
    ("Małgorzata", "malgorzata"),
    ("ivan.qa", "ivan.qa"),
    ("김민준", "kim.minjun"),
    ("judy.finance", "judy.finance"),
    ("François", "francois"),
    ("intern.zhao", "intern.zhao"),
    ("auditor", "auditor"),
];

/// Scripts and pipelines with RAM users: (name, tool, services, around the clock, weight).
const BOTS: &[(&str, Tool, &[&str], bool, u32)] = &[
    (
        "monitoring-bot",
        Tool::Sdk,
        &["Cms", "Ecs", "Rds", "Slb"],
        true,
        260,
    ),
    (
        "terraform-ci",
        Tool::Terraform,
        &["Ecs", "Vpc", "Slb", "Rds", "Ram", "Oss", "CS"],
        false,
        120,
    ),
    ("log-shipper", Tool::Sdk, &["Sls", "Oss"], true, 160),
    (
        "backup-svc",
        Tool::Sdk,
        &["Ecs", "Rds", "Oss", "Nas"],
        true,
        70,
    ),
    ("security-scanner", Tool::Sdk, &[], true, 90),
    (
        "billing-exporter",
        Tool::Cli,
        &["BssOpenApi", "ResourceManager"],
        true,
        15,
    ),
    (
        "app-backend",
        Tool::Sdk,
        &["Oss", "Kms", "Ons", "R-kvstore", "Fc"],
        true,
        220,
    ),
];

/// Roles and who takes them: (role, sessions, tool, services, weight).
type RoleSpec = (
    &'static str,
    &'static [&'static str],
    Tool,
    &'static [&'static str],
    u32,
);

const ROLES: &[RoleSpec] = &[
    (
        "ops-admin",
        &["alice", "zhang.wei", "carol.ops"],
        Tool::Cli,
        &["Ecs", "Vpc", "Slb", "Rds", "Ram"],
        60,
    ),
    (
        "custom-role-for-actiontrail",
        &["u1"],
        Tool::Sdk,
        &["Actiontrail"],
        25,
    ),
    (
        "ReadOnlyAuditor",
        &["auditor-2024"],
        Tool::Sdk,
        &["Actiontrail", "Ram", "Ecs", "Oss"],
        20,
    ),
    (
        "AliyunECSInstanceForDeployRole",
        &["i-bp1deploy0runner01a"],
        Tool::Sdk,
        &["Oss", "Kms", "Ecs"],
        70,
    ),
    (
        "k8s-node-role",
        &["ack-worker-7c9f", "ack-worker-2b1e"],
        Tool::Sdk,
        &["Ecs", "Slb", "CS", "Nas"],
        90,
    ),
    (
        "data-pipeline-role",
        &["spark-etl"],
        Tool::Sdk,
        &["Oss", "Sls", "Kms"],
        60,
    ),
    (
        "terraform-deployer",
        &["tf-run"],
        Tool::Terraform,
        &["Ecs", "Vpc", "Rds", "Polardb", "Waf", "Alidns"],
        30,
    ),
];

/// Alibaba Cloud services acting on the account: (service role, service principal, weight).
const SYSTEMS: &[(&str, &str, u32)] = &[
    (
        "AliyunServiceRoleForActionTrail",
        "actiontrail.aliyuncs.com",
        40,
    ),
    ("AliyunServiceRoleForAutoScaling", "ess.aliyuncs.com", 25),
    (
        "AliyunServiceRoleForContainerService",
        "cs.aliyuncs.com",
        20,
    ),
    ("AliyunServiceRoleForCloudMonitor", "cms.aliyuncs.com", 15),
    (
        "AliyunServiceRoleForKMSSecretsManager",
        "kms.aliyuncs.com",
        8,
    ),
];

/// What each service principal does: (system index, service, event name).
const SYSTEM_EVENTS: &[(usize, &str, &str)] = &[
    (0, "Oss", "PutObject"),
    (0, "Oss", "GetBucketInfo"),
    (0, "Sls", "PostLogStoreLogs"),
    (1, "Ecs", "RunInstances"),
    (1, "Ecs", "DeleteInstance"),
    (1, "Ess", "RemoveInstances"),
    (1, "Slb", "AddBackendServers"),
    (2, "Ecs", "DescribeInstances"),
    (2, "CS", "DescribeClusterNodes"),
    (2, "Slb", "RemoveBackendServers"),
    (3, "Cms", "DescribeMetricList"),
    (3, "Ecs", "DescribeInstanceStatus"),
    (4, "Kms", "RotateSecret"),
];

fn event_by_name(svc: usize, name: &str) -> &'static Ev {
    static EXTRA: [Ev; 2] = [
        ev("PostLogStoreLogs", R::LogStore, 1),
        ev("RotateSecret", R::Secret, 1),
    ];
    SERVICES[svc]
        .events
        .iter()
        .chain(EXTRA.iter())
        .find(|e| e.name == name)
        .expect("known event")
}

/// An IPv4 address starting with `prefix` (whole octets, ending with a dot).
fn ipv4(rng: &mut Rng, prefix: &str) -> String {
    let mut s = prefix.to_string();
    for i in prefix.matches('.').count()..4 {
        if i < 3 {
            let _ = write!(s, "{}.", rng.below(256));
        } else {
            let _ = write!(s, "{}", 1 + rng.below(254));
        }
    }
    s
}

/// A full 8-group IPv6 address starting with the groups in `prefix`.
fn ipv6(rng: &mut Rng, prefix: &str) -> String {
    let mut s = prefix.to_string();
    for _ in prefix.split(':').count()..8 {
        let _ = write!(s, ":{:x}", rng.below(0x10000));
    }
    s
}

impl World {
    fn new(seed: u64) -> World {
        let mut rng = Rng::new(mix(seed, 0x0005_EED0_FA11));
        let account_id = rng.digits(16);
        let office = [
            ipv4(&mut rng, "47.96."),
            ipv4(&mut rng, "116.62."),
            ipv4(&mut rng, "203.0.113."),
        ];
        let ci_ips = [ipv4(&mut rng, "8.136."), ipv4(&mut rng, "39.100.")];
        let vpc_ips = [ipv4(&mut rng, "192.168."), ipv4(&mut rng, "172.16.")];
        let mut principals = Vec::new();
        let all_regions = |rng: &mut Rng, n: usize| -> Vec<&'static str> {
            let mut v: Vec<&'static str> = vec!["cn-hangzhou"];
            for _ in 0..n {
                v.push(REGIONS[rng.weighted(REGION_WEIGHTS)]);
            }
            v
        };
        let ak = |rng: &mut Rng| format!("LTAI5t{}", rng.chars(ALNUM, 18));

        // Root: rare, console, MFA.
        principals.push(Principal {
            kind: Kind::Root,
            user_name: "root".into(),
            principal_id: account_id.clone(),
            login: format!(
                "admin@{}.example.com",
                rng.chars(b"abcdefghijklmnopqrstuvwxyz", 6)
            ),
            access_keys: vec![ak(&mut rng)],
            role: None,
            ips: vec![office[0].clone(), ipv6(&mut rng, "240e:3b7")],
            tools: vec![(Tool::Console, 8), (Tool::Cli, 2)],
            sdk_ua: UA_SDK[0],
            services: vec![],
            regions: vec!["cn-hangzhou"],
            weight: 12,
            around_the_clock: false,
            mfa: true,
            fail_rate: 0.0,
            read_only: false,
            service_principal: "",
        });

        // Humans: Zipf-like activity, a few very active.
        for (rank, &(name, login)) in HUMANS.iter().enumerate() {
            let mut ips = vec![office[rng.below(office.len())].clone()];
            if rng.chance(0.6) {
                let home = if rng.chance(0.5) {
                    let prefix = *rng.pick(&[
                        "2408:8207:24a0",
                        "240e:3b7:3270",
                        "2409:8a1e:6b11",
                        "2001:db8:85a3",
                    ]);
                    ipv6(&mut rng, prefix)
                } else {
                    let prefix = *rng.pick(&["112.10.", "183.157.", "58.100.", "198.51.100."]);
                    ipv4(&mut rng, prefix)
                };
                ips.push(home);
            }
            if rng.chance(0.3) {
                ips.push(ipv4(&mut rng, "101.37."));
            }
            let mut services = vec![service("Ecs")];
            for _ in 0..2 + rng.below(5) {
                let s = rng.weighted(service_weights());
                if !services.contains(&s) {
                    services.push(s);
                }
            }
            let auditor = login == "auditor" || login == "judy.finance";
            if auditor {
                services = vec![
                    service("Actiontrail"),
                    service("Ram"),
                    service("BssOpenApi"),
                ];
            }
            let console = 2 + rng.below(5) as u32;
            principals.push(Principal {
                kind: Kind::RamUser,
                user_name: name.into(),
                principal_id: rng.digits(18),
                login: login.into(),
                access_keys: (0..1 + rng.below(2)).map(|_| ak(&mut rng)).collect(),
                role: None,
                ips,
                tools: vec![
                    (Tool::Console, console),
                    (Tool::Cli, 1 + rng.below(4) as u32),
                    (Tool::Sdk, rng.below(3) as u32),
                    (Tool::Terraform, if rng.chance(0.3) { 2 } else { 0 }),
                ],
                sdk_ua: rng.one(UA_SDK),
                services,
                regions: all_regions(&mut rng, 2),
                weight: (500.0 / (rank as f64 + 1.0).powf(1.1)) as u32 + 5,
                around_the_clock: false,
                mfa: rng.chance(0.7),
                fail_rate: if login.starts_with("intern") {
                    0.12
                } else {
                    0.0
                },
                read_only: auditor,
                service_principal: "",
            });
        }

        for &(name, tool, svcs, clock, weight) in BOTS {
            let ip = if name == "app-backend" || name == "backup-svc" {
                vpc_ips[rng.below(2)].clone()
            } else {
                ci_ips[rng.below(2)].clone()
            };
            principals.push(Principal {
                kind: Kind::RamUser,
                user_name: name.into(),
                principal_id: rng.digits(18),
                login: name.into(),
                access_keys: vec![ak(&mut rng)],
                role: None,
                ips: vec![ip],
                tools: vec![(tool, 1)],
                sdk_ua: rng.one(UA_SDK),
                services: svcs.iter().map(|s| service(s)).collect(),
                regions: all_regions(&mut rng, 1),
                weight,
                around_the_clock: clock,
                mfa: false,
                fail_rate: 0.0,
                read_only: name == "security-scanner" || name == "monitoring-bot",
                service_principal: "",
            });
        }

        for (ri, &(role, sessions, tool, svcs, weight)) in ROLES.iter().enumerate() {
            let role_id = format!("3{}", rng.digits(18));
            for &session in sessions {
                let ip = if role.starts_with("k8s")
                    || role.starts_with("AliyunECS")
                    || role.starts_with("data")
                {
                    vpc_ips[rng.below(2)].clone()
                } else if role == "ops-admin" {
                    office[rng.below(office.len())].clone()
                } else {
                    ci_ips[rng.below(2)].clone()
                };
                principals.push(Principal {
                    kind: Kind::AssumedRole,
                    user_name: format!("{role}:{session}"),
                    principal_id: format!("{role_id}:{session}"),
                    login: String::new(),
                    access_keys: vec![],
                    role: Some(ri),
                    ips: vec![ip],
                    tools: vec![(tool, 1)],
                    sdk_ua: rng.one(UA_SDK),
                    services: svcs.iter().map(|s| service(s)).collect(),
                    regions: all_regions(&mut rng, 1),
                    weight: weight / sessions.len() as u32,
                    around_the_clock: !role.starts_with("ops") && !role.starts_with("ReadOnly"),
                    mfa: role == "ops-admin",
                    fail_rate: 0.0,
                    read_only: role == "ReadOnlyAuditor",
                    service_principal: "",
                });
            }
        }

        for &(role, sp, weight) in SYSTEMS {
            principals.push(Principal {
                kind: Kind::System,
                user_name: role.into(),
                principal_id: sp.into(),
                login: String::new(),
                access_keys: Vec::new(),
                role: None,
                ips: vec![ipv4(&mut rng, "100.68."), ipv4(&mut rng, "100.104.")],
                tools: vec![(Tool::Sdk, 1)],
                sdk_ua: "",
                services: vec![],
                regions: all_regions(&mut rng, 1),
                weight,
                around_the_clock: true,
                mfa: false,
                fail_rate: 0.0,
                read_only: false,
                service_principal: sp,
            });
        }

        // The attacker uses a leaked key of a human user, from a far-away address.
        let victim = principals
            .iter()
            .position(|p| p.user_name == "dave")
            .expect("dave");
        let attacker = principals.len();
        principals.push(Principal {
            kind: Kind::RamUser,
            user_name: principals[victim].user_name.clone(),
            principal_id: principals[victim].principal_id.clone(),
            login: principals[victim].login.clone(),
            access_keys: vec![principals[victim].access_keys[0].clone()],
            role: None,
            ips: vec![ipv4(&mut rng, "185.220.101."), ipv6(&mut rng, "2a0b:f4c2")],
            tools: vec![(Tool::Sdk, 1)],
            sdk_ua: "python-requests/2.31.0",
            services: vec![
                service("Ram"),
                service("Ecs"),
                service("Oss"),
                service("Sts"),
                service("Actiontrail"),
            ],
            regions: vec!["cn-hangzhou", "ap-southeast-1"],
            weight: 0,
            around_the_clock: true,
            mfa: false,
            fail_rate: 0.65,
            read_only: false,
            service_principal: "",
        });

        let weights = principals.iter().map(|p| p.weight).collect();
        let bursty = principals
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                matches!(
                    p.user_name.as_str(),
                    "terraform-ci" | "security-scanner" | "alice" | "张伟" | "bob"
                ) || p.user_name.starts_with("terraform-deployer")
            })
            .map(|(i, _)| i)
            .collect();

        let mut pools: Vec<Vec<String>> = vec![Vec::new(); RES_COUNT];
        let gen_ids = |rng: &mut Rng, prefix: &str, n: usize, len: usize| -> Vec<String> {
            (0..n)
                .map(|_| format!("{prefix}{}", rng.chars(LOWER_ALNUM, len)))
                .collect()
        };
        let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        pools[R::EcsInstance as usize] = gen_ids(&mut rng, "i-bp1", 60, 17);
        pools[R::SecurityGroup as usize] = gen_ids(&mut rng, "sg-bp1", 14, 17);
        pools[R::Disk as usize] = gen_ids(&mut rng, "d-bp1", 40, 17);
        pools[R::Snapshot as usize] = gen_ids(&mut rng, "s-bp1", 30, 17);
        pools[R::Image as usize] = gen_ids(&mut rng, "m-bp1", 10, 17);
        let trail_bucket = format!("actiontrail-logs-{account_id}");
        pools[R::Bucket as usize] = vec![
            "prod-assets".into(),
            trail_bucket.clone(),
            "app-uploads-prod".into(),
            format!("backup-{}", &account_id[..6]),
            "data-lake-raw".into(),
            "static-site-www".into(),
            "ml-models".into(),
            "tmp-share".into(),
            "terraform-state".into(),
            "logs-archive".into(),
        ];
        pools[R::RamUser as usize] = HUMANS
            .iter()
            .map(|h| h.0.to_string())
            .chain(BOTS.iter().map(|b| b.0.to_string()))
            .collect();
        pools[R::RamPolicy as usize] = strs(&[
            "AliyunECSFullAccess",
            "AliyunOSSReadOnlyAccess",
            "ReadOnlyAccess",
            "custom-deploy-policy",
            "AdministratorAccess",
            "AliyunRAMFullAccess",
            "AliyunActionTrailFullAccess",
            "billing-readonly",
        ]);
        pools[R::RamRole as usize] = ROLES.iter().map(|r| r.0.to_string()).collect();
        pools[R::Trail as usize] = strs(&["default-trail", "org-audit-trail", "security-trail"]);
        pools[R::DbInstance as usize] = gen_ids(&mut rng, "rm-bp1", 8, 17);
        pools[R::LoadBalancer as usize] = gen_ids(&mut rng, "lb-bp1", 6, 17);
        pools[R::Vpc as usize] = gen_ids(&mut rng, "vpc-bp1", 4, 17);
        pools[R::VSwitch as usize] = gen_ids(&mut rng, "vsw-bp1", 12, 17);
        pools[R::Eip as usize] = gen_ids(&mut rng, "eip-bp1", 8, 17);
        pools[R::KmsKey as usize] = (0..6)
            .map(|_| format!("key-hzz{}", rng.chars(LOWER_ALNUM, 17)))
            .collect();
        pools[R::Secret as usize] = strs(&[
            "prod/db/password",
            "api-token-payments",
            "oss-ak-backup",
            "redis-auth",
            "jwt-signing-key",
        ]);
        pools[R::SlsProject as usize] = vec![
            format!("k8s-log-c{}", rng.chars(HEX_LOWER, 10)),
            "actiontrail-audit".into(),
            "app-logs-prod".into(),
            "nginx-access".into(),
        ];
        pools[R::LogStore as usize] = strs(&[
            "actiontrail_default-trail",
            "access-log",
            "app-error",
            "audit",
            "k8s-events",
        ]);
        pools[R::CdnDomain as usize] = strs(&[
            "static.example.com",
            "img.example.cn",
            "download.example.com",
            "cdn.example.org",
        ]);
        pools[R::AlarmRule as usize] = strs(&[
            "cpu-high-prod",
            "disk-usage-90",
            "slb-5xx-rate",
            "rds-connections",
            "memory-high",
        ]);
        pools[R::Cluster as usize] = (0..4)
            .map(|_| format!("c{}", rng.chars(HEX_LOWER, 32)))
            .collect();
        pools[R::Function as usize] = strs(&[
            "image-resize",
            "order-webhook",
            "log-forwarder",
            "thumbnail",
            "cron-cleanup",
        ]);
        pools[R::Topic as usize] = strs(&[
            "order-created",
            "payment-events",
            "inventory-sync",
            "audit-stream",
        ]);
        pools[R::RedisInstance as usize] = gen_ids(&mut rng, "r-bp1", 5, 17);
        pools[R::PolarCluster as usize] = gen_ids(&mut rng, "pc-bp1", 3, 17);
        pools[R::WafDomain as usize] =
            strs(&["www.example.com", "api.example.com", "shop.example.cn"]);
        pools[R::DnsDomain as usize] = strs(&["example.com", "example.cn", "shop-example.net"]);
        pools[R::ScalingGroup as usize] = gen_ids(&mut rng, "asg-bp1", 4, 17);
        pools[R::FileSystem as usize] = (0..4).map(|_| rng.chars(HEX_LOWER, 10)).collect();
        pools[R::ResourceGroup as usize] = gen_ids(&mut rng, "rg-acfm", 5, 11);
        pools[R::FwPolicy as usize] = (0..6).map(|_| rng.uuid_lower()).collect();

        World {
            seed,
            account_id,
            principals,
            weights,
            pools,
            attacker,
            bursty,
            trail_bucket,
        }
    }

    fn pool(&self, r: Res) -> &[String] {
        &self.pools[r as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// The timeline: when events happen and who acts

struct Slot {
    time_ms: i64,
    principal: u32,
    /// 0 = ordinary, otherwise the burst's kind.
    burst: BurstKind,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BurstKind {
    None,
    /// A scripted run: many calls by one principal in a few minutes.
    Run,
    /// A leaked key being tried from an unknown address: mostly failures.
    Attack,
}

/// Activity by hour of the day in China Standard Time (UTC+8), in percent of the peak.
const HOURLY: [u32; 24] = [
    8, 5, 4, 3, 3, 4, 8, 20, 55, 85, 100, 95, 60, 75, 100, 100, 95, 80, 50, 35, 30, 25, 18, 12,
];

fn timeline(cfg: &DemoConfig, world: &World) -> Vec<Slot> {
    let mut rng = Rng::new(mix(cfg.seed, 0x71AE_11AE));
    let start = cfg.start_ms();
    let span = (cfg.end_ms - start).max(1);
    let days = cfg.span_days.max(1) as usize;
    let mut slots: Vec<Slot> = Vec::with_capacity(cfg.count);

    // Bursts: about one scripted run a day and an attack every ten days, together ~10% of events.
    let runs = days;
    let attacks = days.div_ceil(10);
    let run_share = cfg.count / 12;
    let attack_size = (cfg.count / 1500).max(3);
    let mut burst_budget = run_share + attack_size * attacks;
    if burst_budget > cfg.count / 2 {
        burst_budget = cfg.count / 2;
    }
    let mut bursts: Vec<(i64, i64, u32, BurstKind, usize)> = Vec::new();
    for b in 0..runs + attacks {
        let attack = b >= runs;
        let len_ms = if attack {
            60_000 * (5 + rng.below(20)) as i64
        } else {
            60_000 * (2 + rng.below(25)) as i64
        };
        let at = if attack {
            start + rng.below(span as usize) as i64
        } else {
            working_time(&mut rng, start, span)
        };
        let who = if attack {
            world.attacker
        } else {
            *rng.pick(&world.bursty)
        };
        let size = if attack {
            attack_size
        } else {
            (run_share / runs.max(1)).max(1) * (1 + rng.below(3)) / 2 + 1
        };
        bursts.push((
            at,
            len_ms,
            who as u32,
            if attack {
                BurstKind::Attack
            } else {
                BurstKind::Run
            },
            size,
        ));
    }
    for &(at, len_ms, who, kind, size) in &bursts {
        for _ in 0..size {
            if slots.len() >= burst_budget {
                break;
            }
            let t = (at + rng.below(len_ms as usize) as i64).clamp(start, cfg.end_ms - 1);
            slots.push(Slot {
                time_ms: t,
                principal: who,
                burst: kind,
            });
        }
    }

    while slots.len() < cfg.count {
        let p = rng.weighted(&world.weights);
        let t = if world.principals[p].around_the_clock {
            // Scripts: steady, with a mild daily swell.
            if rng.chance(0.7) {
                start + rng.below(span as usize) as i64
            } else {
                working_time(&mut rng, start, span)
            }
        } else {
            working_time(&mut rng, start, span)
        };
        slots.push(Slot {
            time_ms: t,
            principal: p as u32,
            burst: BurstKind::None,
        });
    }
    slots.truncate(cfg.count);
    for s in &mut slots {
        // `eventTime` has whole seconds: keep `time_ms` equal to it, and never at or past the end.
        s.time_ms = s.time_ms.div_euclid(1000) * 1000;
        if s.time_ms >= cfg.end_ms {
            s.time_ms = (cfg.end_ms - 1).div_euclid(1000) * 1000;
        }
        if s.time_ms < start {
            s.time_ms = start.div_euclid(1000) * 1000 + 1000;
        }
    }
    // Deterministic: ties keep their slot order (stable sort).
    slots.sort_by_key(|s| s.time_ms);
    slots
}

/// A time in the range, drawn by the daily cycle (working hours, quieter weekends).
fn working_time(rng: &mut Rng, start: i64, span: i64) -> i64 {
    for _ in 0..64 {
        let t = start + rng.below(span as usize) as i64;
        let local = t.div_euclid(1000) + 8 * 3600;
        let hour = (local.div_euclid(3600) % 24) as usize;
        // 1970-01-01 was a Thursday: day 0 -> weekday 3 (Mon = 0).
        let weekday = (local.div_euclid(86_400) + 3) % 7;
        let mut p = f64::from(HOURLY[hour]) / 100.0;
        if weekday >= 5 {
            p *= 0.3;
        }
        if rng.chance(p) {
            return t;
        }
    }
    start + rng.below(span as usize) as i64
}

// ---------------------------------------------------------------------------------------------
// Hostile values

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Hostile {
    Script,
    ImgOnerror,
    SvgBreakout,
    LongString,
    DeepNesting,
    RtlOverride,
    ZeroWidth,
    Emoji,
    BigArray,
    NumbersAsStrings,
    Nulls,
    EmptyObjects,
}

const HOSTILE_KINDS: [Hostile; 12] = [
    Hostile::Script,
    Hostile::LongString,
    Hostile::RtlOverride,
    Hostile::BigArray,
    Hostile::ImgOnerror,
    Hostile::DeepNesting,
    Hostile::ZeroWidth,
    Hostile::NumbersAsStrings,
    Hostile::SvgBreakout,
    Hostile::Emoji,
    Hostile::Nulls,
    Hostile::EmptyObjects,
];

// ---------------------------------------------------------------------------------------------
// A minimal JSON writer (keeps field order, no intermediate values).

fn esc(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match rep {
            Some(r) => out.push_str(r),
            None => {
                let _ = write!(out, "\\u{:04x}", b);
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

fn obj(out: &mut String, f: impl FnOnce(&mut Obj)) {
    out.push('{');
    let mut o = Obj { out, first: true };
    f(&mut o);
    o.out.push('}');
}

impl Obj<'_> {
    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        esc(self.out, k);
        self.out.push(':');
    }
    fn s(&mut self, k: &str, v: &str) {
        self.key(k);
        esc(self.out, v);
    }
    fn raw(&mut self, k: &str, v: &str) {
        self.key(k);
        self.out.push_str(v);
    }
    fn n(&mut self, k: &str, v: i64) {
        self.key(k);
        let _ = write!(self.out, "{v}");
    }
    fn b(&mut self, k: &str, v: bool) {
        self.raw(k, if v { "true" } else { "false" });
    }
    fn o(&mut self, k: &str, f: impl FnOnce(&mut Obj)) {
        self.key(k);
        obj(self.out, f);
    }
    fn arr<S: AsRef<str>>(&mut self, k: &str, items: impl IntoIterator<Item = S>) {
        self.key(k);
        self.out.push('[');
        for (i, it) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            esc(self.out, it.as_ref());
        }
        self.out.push(']');
    }
}

// ---------------------------------------------------------------------------------------------
// One event

#[derive(Clone, Copy, PartialEq, Eq)]
enum EventType {
    ApiCall,
    ConsoleOperation,
    ConsoleSignin,
    ConsoleSignout,
    AliyunServiceEvent,
}

impl EventType {
    fn as_str(self) -> &'static str {
        match self {
            EventType::ApiCall => "ApiCall",
            EventType::ConsoleOperation => "ConsoleOperation",
            EventType::ConsoleSignin => "ConsoleSignin",
            EventType::ConsoleSignout => "ConsoleSignout",
            EventType::AliyunServiceEvent => "AliyunServiceEvent",
        }
    }
}

/// Everything decided about one event before it is written.
struct Plan<'w> {
    world: &'w World,
    p: &'w Principal,
    time_ms: i64,
    etype: EventType,
    svc: &'static Service,
    ev: &'static Ev,
    region: &'static str,
    ip: String,
    ua: String,
    access_key: Option<String>,
    request_id: String,
    /// Resource names (several for RunInstances).
    resources: Vec<String>,
    error: Option<(&'static str, String)>,
    hostile: Option<Hostile>,
}

fn choose_event(rng: &mut Rng, svc: &'static Service, read_only: bool) -> &'static Ev {
    let weights: Vec<u32> = svc
        .events
        .iter()
        .map(|e| {
            if read_only && rw_of(e.name) == "Write" {
                0
            } else {
                e.w
            }
        })
        .collect();
    if weights.iter().all(|&w| w == 0) {
        return &svc.events[0];
    }
    &svc.events[rng.weighted(&weights)]
}

fn service_weights() -> &'static [u32] {
    static W: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    W.get_or_init(|| SERVICES.iter().map(|s| s.w).collect())
}

fn plan<'w>(world: &'w World, rng: &mut Rng, slot: &Slot, hostile: Option<Hostile>) -> Plan<'w> {
    let p = &world.principals[slot.principal as usize];
    let tool_weights: Vec<u32> = p.tools.iter().map(|t| t.1).collect();
    let tool = p.tools[rng.weighted(&tool_weights)].0;

    // Event type and what is called.
    let (etype, svc, ev) = if p.kind == Kind::System {
        let mine: Vec<&(usize, &str, &str)> = SYSTEM_EVENTS
            .iter()
            .filter(|e| SYSTEMS[e.0].1 == p.service_principal)
            .collect();
        let &&(_, s, e) = rng.pick(&mine);
        let si = service(s);
        let et = if rng.chance(0.8) {
            EventType::AliyunServiceEvent
        } else {
            EventType::ApiCall
        };
        (et, &SERVICES[si], event_by_name(si, e))
    } else if tool == Tool::Console && hostile.is_none() && rng.chance(0.16) {
        let signin = rng.chance(0.7);
        let et = if signin {
            EventType::ConsoleSignin
        } else {
            EventType::ConsoleSignout
        };
        (
            et,
            &CONSOLE_SERVICE,
            if signin {
                &CONSOLE_EVENTS[0]
            } else {
                &CONSOLE_EVENTS[1]
            },
        )
    } else {
        let si = if p.services.is_empty() {
            rng.weighted(service_weights())
        } else if rng.chance(0.9) {
            *rng.pick_hot(&p.services)
        } else {
            rng.weighted(service_weights())
        };
        let mut svc = &SERVICES[si];
        let mut ev = choose_event(rng, svc, p.read_only);
        if slot.burst == BurstKind::Attack {
            // Leaked key: reconnaissance and privilege escalation.
            ev = *rng.pick(&[
                event_by_name(service("Ram"), "ListUsers"),
                event_by_name(service("Ram"), "CreateUser"),
                event_by_name(service("Ram"), "CreateAccessKey"),
                event_by_name(service("Ram"), "AttachPolicyToUser"),
                event_by_name(service("Ecs"), "DescribeInstances"),
                event_by_name(service("Ecs"), "RunInstances"),
                event_by_name(service("Oss"), "ListBuckets"),
                event_by_name(service("Sts"), "GetCallerIdentity"),
                event_by_name(service("Actiontrail"), "StopLogging"),
            ]);
            svc = SERVICES
                .iter()
                .find(|s| s.events.iter().any(|e| std::ptr::eq(e, ev)))
                .unwrap_or(svc);
        }
        let et = if tool == Tool::Console {
            EventType::ConsoleOperation
        } else {
            EventType::ApiCall
        };
        (et, svc, ev)
    };

    let region: &'static str =
        if svc.global || etype == EventType::ConsoleSignin || etype == EventType::ConsoleSignout {
            "cn-hangzhou"
        } else if rng.chance(0.85) {
            p.regions[rng.hot_index(p.regions.len())]
        } else {
            REGIONS[rng.weighted(REGION_WEIGHTS)]
        };

    let ip = if p.kind == Kind::System {
        rng.pick(&p.ips).clone()
    } else if rng.chance(0.03) && tool != Tool::Console {
        // Calls from inside Alibaba Cloud (e.g. from Cloud Shell) show internal addresses.
        ipv4(rng, "100.104.")
    } else {
        rng.pick_hot(&p.ips).clone()
    };

    let ua = match (p.kind, etype, tool) {
        (Kind::System, _, _) => {
            if rng.chance(0.5) {
                "ActionTrail".to_string()
            } else {
                p.service_principal.to_string()
            }
        }
        (_, EventType::ConsoleSignin | EventType::ConsoleSignout, _) => {
            rng.pick(UA_BROWSER).to_string()
        }
        (_, EventType::ConsoleOperation, _) => {
            if rng.chance(0.4) {
                "AliyunConsole".to_string()
            } else {
                rng.pick(UA_BROWSER).to_string()
            }
        }
        (_, _, Tool::Cli) => UA_CLI[p.principal_id.len() % UA_CLI.len()].to_string(),
        (_, _, Tool::Terraform) => UA_TERRAFORM[p.user_name.len() % UA_TERRAFORM.len()].to_string(),
        _ => p.sdk_ua.to_string(),
    };

    let access_key = match (p.kind, etype) {
        (_, EventType::ConsoleSignin | EventType::ConsoleSignout | EventType::ConsoleOperation) => {
            None
        }
        (Kind::AssumedRole, _) => Some(sts_key(world, p, slot.time_ms)),
        (Kind::Root | Kind::RamUser, _) => Some(rng.pick_hot(&p.access_keys).clone()),
        (Kind::System, _) => None,
    };

    let resources = pick_resources(world, rng, p, ev);

    let mut error = None;
    let base_fail = match slot.burst {
        BurstKind::Attack => p.fail_rate,
        _ => 0.042 + p.fail_rate,
    };
    if p.kind != Kind::System && etype != EventType::ConsoleSignout && rng.chance(base_fail) {
        error = Some(error_for(
            rng,
            svc,
            ev,
            &resources,
            slot.burst == BurstKind::Attack,
        ));
    }

    Plan {
        world,
        p,
        time_ms: slot.time_ms,
        etype,
        svc,
        ev,
        region,
        ip,
        ua,
        access_key,
        request_id: rng.uuid_upper(),
        resources,
        error,
        hostile,
    }
}

/// STS keys change every hour per role session.
fn sts_key(world: &World, p: &Principal, time_ms: i64) -> String {
    let hour = time_ms.div_euclid(3_600_000) as u64;
    let mut r = Rng::new(mix(
        world.seed ^ hour,
        p.principal_id.len() as u64 * 7919 + p.role.unwrap_or(0) as u64,
    ));
    for b in p.user_name.bytes() {
        r.0 = r.0.rotate_left(5) ^ u64::from(b);
    }
    format!("STS.NU{}", r.chars(ALNUM, 25))
}

static CONSOLE_SERVICE: Service = Service {
    name: "AasSub",
    host: "signin",
    api_version: "",
    global: true,
    w: 0,
    events: &CONSOLE_EVENTS,
};
static CONSOLE_EVENTS: [Ev; 2] = [
    ev("ConsoleSignin", R::None, 1),
    ev("ConsoleSignout", R::None, 1),
];

fn pick_resources(world: &World, rng: &mut Rng, p: &Principal, ev: &Ev) -> Vec<String> {
    if ev.res == Res::None {
        return Vec::new();
    }
    if ev.name == "RunInstances" {
        let n = if rng.chance(0.7) { 1 } else { 2 + rng.below(3) };
        return (0..n)
            .map(|_| format!("i-bp1{}", rng.chars(LOWER_ALNUM, 17)))
            .collect();
    }
    if ev.name == "CreateUser" {
        return vec![format!(
            "{}{}",
            rng.pick(&["svc-", "tmp-", "dev.", "contractor."]),
            rng.chars(b"abcdefghijklmnopqrstuvwxyz", 5)
        )];
    }
    if p.kind == Kind::System && ev.res == Res::Bucket {
        return vec![world.trail_bucket.clone()];
    }
    if matches!(
        ev.name,
        "DescribeInstances" | "DescribeDBInstances" | "DescribeSecurityGroups"
    ) && rng.chance(0.5)
    {
        // A list call without a filter names no resource.
        return Vec::new();
    }
    let pool = world.pool(ev.res);
    if pool.is_empty() {
        return Vec::new();
    }
    let mut v = vec![rng.pick_hot(pool).clone()];
    if ev.name == "DescribeInstanceStatus" && rng.chance(0.3) {
        for _ in 0..1 + rng.below(3) {
            let r = rng.pick(pool).clone();
            if !v.contains(&r) {
                v.push(r);
            }
        }
    }
    v
}

fn error_for(
    rng: &mut Rng,
    svc: &Service,
    ev: &Ev,
    res: &[String],
    attack: bool,
) -> (&'static str, String) {
    let forbidden = (
        "Forbidden.RAM",
        "User not authorized to operate on the specified resource, or this API doesn't support RAM.".to_string(),
    );
    if attack {
        return if rng.chance(0.8) {
            forbidden
        } else {
            (
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.".to_string(),
            )
        };
    }
    let r0 = res.first().cloned().unwrap_or_default();
    let specific: Option<(&'static str, String)> = match (svc.name, ev.name) {
        ("AasSub", _) => {
            return if rng.chance(0.7) {
                ("InvalidPassword", "The password is incorrect.".into())
            } else {
                (
                    "InvalidMFACode",
                    "The MFA code is incorrect or expired.".into(),
                )
            }
        }
        ("Ecs", "StartInstance" | "StopInstance" | "RebootInstance" | "DeleteInstance") => Some((
            "IncorrectInstanceStatus",
            "The current status of the resource does not support this operation.".into(),
        )),
        ("Ecs", "RunInstances") => Some(if rng.chance(0.5) {
            (
                "OperationDenied.NoStock",
                "The requested resource is sold out in the specified zone; try other types of resources or other regions and zones.".into(),
            )
        } else {
            (
                "InvalidParameter",
                "The specified parameter \"InstanceType\" is not valid.".into(),
            )
        }),
        ("Ecs", "AuthorizeSecurityGroup" | "ModifySecurityGroupRule" | "RevokeSecurityGroup") => {
            Some((
                "InvalidSecurityGroupId.NotFound",
                "The specified SecurityGroupId does not exist.".into(),
            ))
        }
        ("Oss", "DeleteBucket") => Some((
            "BucketNotEmpty",
            "The bucket you tried to delete is not empty.".into(),
        )),
        ("Oss", _) => Some(if rng.chance(0.5) {
            (
                "NoSuchBucket",
                "The specified bucket does not exist.".into(),
            )
        } else {
            (
                "AccessDenied",
                "You have no right to access this object because of bucket acl.".into(),
            )
        }),
        ("Ram", "CreateUser") => Some((
            "EntityAlreadyExists.User",
            format!("The user already exists: {r0}"),
        )),
        ("Ram", "CreateAccessKey") => Some((
            "LimitExceeded.User.AccessKey",
            "The count of access keys for a user exceeds the limit: 2.".into(),
        )),
        ("Ram", _) if !r0.is_empty() => Some((
            "EntityNotExist.User",
            format!("The user does not exist: {r0}"),
        )),
        ("Rds", _) => Some((
            "InvalidDBInstanceId.NotFound",
            "Specified instance does not exist or not support.".into(),
        )),
        ("Kms", _) => Some((
            "Forbidden.KeyNotFound",
            "The specified Key is not found.".into(),
        )),
        ("Sts", "AssumeRole") => Some((
            "NoPermission",
            "You are not authorized to do this action. You should be authorized by RAM.".into(),
        )),
        _ => None,
    };
    let roll = rng.below(10);
    match (specific, roll) {
        (Some(s), 0..=5) => s,
        (_, 6..=7) => forbidden,
        (_, 8) => (
            "Throttling.User",
            "Request was denied due to user flow control.".into(),
        ),
        (_, _) if rng.chance(0.5) => (
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.".into(),
        ),
        _ => (
            "InvalidParameter",
            "The specified parameter is not valid.".into(),
        ),
    }
}

fn event_source(p: &Plan) -> String {
    match p.etype {
        EventType::ConsoleSignin | EventType::ConsoleSignout => "signin.aliyun.com".into(),
        _ if p.svc.global => format!("{}.aliyuncs.com", p.svc.host),
        _ => format!("{}.{}.aliyuncs.com", p.svc.host, p.region),
    }
}

fn write_event(
    out: &mut String,
    world: &World,
    rng: &mut Rng,
    slot: &Slot,
    hostile: Option<Hostile>,
) {
    let p = plan(world, rng, slot, hostile);
    let h = p.hostile;
    let source = event_source(&p);
    let event_id = rng.uuid_upper();
    let time = format_api_time(p.time_ms);
    let console_sign = matches!(
        p.etype,
        EventType::ConsoleSignin | EventType::ConsoleSignout
    );
    obj(out, |o| {
        o.s("eventId", &event_id);
        if rng.chance(0.07) {
            o.n("eventVersion", 1);
        } else {
            o.s("eventVersion", "1");
        }
        o.s("eventSource", &source);
        o.s("eventType", p.etype.as_str());
        o.s("eventName", p.ev.name);
        o.s("eventTime", &time);
        o.s(
            "eventRW",
            if console_sign {
                "Write"
            } else {
                rw_of(p.ev.name)
            },
        );
        o.s("eventCategory", "Management");
        o.s("acsRegion", p.region);
        o.s("serviceName", p.svc.name);
        if p.etype == EventType::ApiCall {
            o.s("apiVersion", p.svc.api_version);
        }
        o.s("requestId", &p.request_id);
        o.s("sourceIpAddress", &p.ip);
        match h {
            Some(Hostile::Nulls) => o.raw("userAgent", "null"),
            Some(Hostile::Script) => o.s("userAgent", "<script>alert(1)</script>"),
            _ => o.s("userAgent", &p.ua),
        }
        o.o("userIdentity", |u| write_identity(u, &p, rng));
        if !console_sign {
            match h {
                Some(Hostile::EmptyObjects) => o.raw("requestParameters", "{}"),
                _ => o.o("requestParameters", |r| write_request(r, &p, rng)),
            }
            match (&p.error, h) {
                (_, Some(Hostile::Nulls)) => o.raw("responseElements", "null"),
                (_, Some(Hostile::EmptyObjects)) => o.raw("responseElements", "{}"),
                (Some(_), _) => {}
                (None, _) => o.o("responseElements", |r| write_response(r, &p, rng)),
            }
        }
        match (p.etype, h) {
            (_, Some(Hostile::EmptyObjects)) => o.raw("additionalEventData", "{}"),
            (EventType::ConsoleSignin | EventType::ConsoleSignout, _) => {
                o.o("additionalEventData", |a| {
                    let login = if p.p.kind == Kind::Root {
                        p.p.login.clone()
                    } else {
                        format!("{}@{}.onaliyun.com", p.p.login, p.world.account_id)
                    };
                    a.s("loginAccount", &login);
                    if p.etype == EventType::ConsoleSignin {
                        a.s("isMFAChecked", if p.p.mfa { "true" } else { "false" });
                        if p.p.mfa {
                            a.s("MFAUsed", if p.error.is_none() { "true" } else { "false" });
                        }
                        a.s("callbackUrl", "https://home.console.aliyun.com/");
                    }
                })
            }
            _ => o.o("additionalEventData", |a| a.s("Scheme", "https")),
        }
        match (&p.error, h) {
            (_, Some(Hostile::Nulls)) => {
                o.raw("errorCode", "null");
                o.raw("errorMessage", "null");
            }
            (Some((code, msg)), Some(Hostile::ImgOnerror)) => {
                o.s("errorCode", code);
                o.s(
                    "errorMessage",
                    &format!("{msg} <img src=x onerror=alert(1)>"),
                );
            }
            (Some((code, msg)), _) => {
                o.s("errorCode", code);
                o.s("errorMessage", msg);
            }
            (None, _) => {
                o.s("errorCode", "");
                o.s("errorMessage", "");
            }
        }
        let (_, rtype) = p.ev.res.meta();
        if !p.resources.is_empty() {
            let (rtype, rname) = resource_fields(&p, rtype);
            o.s("resourceType", &rtype);
            match h {
                Some(Hostile::Nulls) => o.raw("resourceName", "null"),
                Some(Hostile::RtlOverride) => o.s("resourceName", "invoice-2024\u{202E}fdp.exe"),
                Some(Hostile::Emoji) => o.s("resourceName", &format!("🚀{rname}🔥")),
                Some(Hostile::Script) => {
                    o.s("resourceName", &format!("{rname}<script>alert(1)</script>"))
                }
                _ => o.s("resourceName", &rname),
            }
        } else if h == Some(Hostile::RtlOverride) {
            o.s("resourceType", "ACS::OSS::Bucket");
            o.s("resourceName", "invoice-2024\u{202E}fdp.exe");
        }
        if let Some(refs) = referenced(&p) {
            o.o("referencedResources", |r| {
                for (t, names) in refs {
                    r.arr(t, names);
                }
            });
        }
        o.b("isGlobal", p.svc.global);
        o.s("recipientAccountId", &p.world.account_id);
        if p.ip.starts_with("192.168.") || p.ip.starts_with("172.16.") {
            o.s("vpcId", &p.world.pool(Res::Vpc)[0]);
        }
    });
}

fn resource_fields(p: &Plan, rtype: &str) -> (String, String) {
    let names = p.resources.join(";");
    match p.ev.name {
        "AttachPolicyToUser" | "DetachPolicyFromUser" => (
            "ACS::RAM::Policy;ACS::RAM::User".into(),
            format!("{};{names}", policy_of(p)),
        ),
        _ => (rtype.to_string(), names),
    }
}

fn policy_of<'w>(p: &Plan<'w>) -> &'w str {
    let pool = p.world.pool(Res::RamPolicy);
    let h = p.request_id.bytes().fold(0usize, |h, b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    // Mostly the first few (narrow) policies; now and then AdministratorAccess and friends.
    &pool[(h % pool.len()).min(h / 7 % pool.len())]
}

fn referenced(p: &Plan) -> Option<Vec<(&'static str, Vec<String>)>> {
    match p.ev.name {
        "RunInstances" if p.error.is_none() => Some(vec![
            ("ACS::ECS::Instance", p.resources.clone()),
            (
                "ACS::ECS::SecurityGroup",
                vec![p.world.pool(Res::SecurityGroup)[0].clone()],
            ),
            (
                "ACS::VPC::VSwitch",
                vec![p.world.pool(Res::VSwitch)[0].clone()],
            ),
        ]),
        "StartInstance"
        | "StopInstance"
        | "RebootInstance"
        | "DeleteInstance"
        | "AddBackendServers"
        | "RemoveBackendServers" => {
            let r = if p.ev.res == Res::EcsInstance {
                p.resources.clone()
            } else {
                vec![
                    p.world.pool(Res::EcsInstance)[p.request_id.as_bytes()[1] as usize % 8].clone(),
                ]
            };
            Some(vec![("ACS::ECS::Instance", r)])
        }
        "AuthorizeSecurityGroup" | "ModifySecurityGroupRule" | "RevokeSecurityGroup" => {
            Some(vec![("ACS::ECS::SecurityGroup", p.resources.clone())])
        }
        _ => None,
    }
}

fn write_identity(u: &mut Obj, p: &Plan, rng: &mut Rng) {
    let who = p.p;
    u.s("type", who.kind.as_str());
    u.s("principalId", &who.principal_id);
    u.s("accountId", &p.world.account_id);
    if let Some(k) = &p.access_key {
        u.s("accessKeyId", k);
    }
    let name: String = match p.hostile {
        Some(Hostile::RtlOverride) => "admin\u{202E}gpj.exe".into(),
        Some(Hostile::ZeroWidth) if who.kind == Kind::RamUser => {
            let mut s = who.user_name.clone();
            let at = s.char_indices().nth(1).map_or(s.len(), |(i, _)| i);
            s.insert_str(at, "\u{200B}\u{200D}");
            s
        }
        Some(Hostile::SvgBreakout) => format!("{}\"><svg onload=alert(1)>", who.user_name),
        _ => who.user_name.clone(),
    };
    u.s("userName", &name);
    if who.kind != Kind::System {
        let created = p.time_ms - (rng.below(3600) as i64) * 1000;
        u.o("sessionContext", |s| {
            s.o("attributes", |a| {
                a.s("creationDate", &format_api_time(created));
                a.s(
                    "mfaAuthenticated",
                    if who.mfa && p.access_key.is_none() {
                        "true"
                    } else {
                        "false"
                    },
                );
            })
        });
    }
}

fn common_request(r: &mut Obj, p: &Plan) {
    let host = event_source(p);
    if !p.svc.global {
        r.s("RegionId", p.region);
    }
    r.s("AcsHost", &host);
    r.s("HostId", &host);
    r.s("RequestId", &p.request_id);
    r.s("AcsProduct", p.svc.name);
}

const INSTANCE_TYPES: &[&str] = &[
    "ecs.g7.large",
    "ecs.c7.xlarge",
    "ecs.g6.2xlarge",
    "ecs.t6-c1m2.large",
    "ecs.gn7i-c8g1.2xlarge",
    "ecs.r7.4xlarge",
];
const IMAGES: &[&str] = &[
    "aliyun_3_x64_20G_alibase_20240528.vhd",
    "ubuntu_22_04_x64_20G_alibase_20240130.vhd",
    "centos_7_9_x64_20G_alibase_20231220.vhd",
    "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240220.vhd",
];
const OBJECTS: &[&str] = &[
    "reports/2024/06/summary.csv",
    "uploads/用户头像/avatar-1024.png",
    "backups/db-prod-2024-06-01.sql.gz",
    "logs/app/2024-06-01/app.log",
    "static/js/main.3f9a1c.js",
    "models/resnet50/v3/model.onnx",
    "exports/订单导出 2024年6月.xlsx",
    "tmp/a b c/file (1).txt",
];

fn write_request(r: &mut Obj, p: &Plan, rng: &mut Rng) {
    common_request(r, p);
    let (param, _) = p.ev.res.meta();
    let r0 = p.resources.first().map(String::as_str).unwrap_or("");
    let acct = &p.world.account_id;
    match p.ev.name {
        "RunInstances" => {
            r.s("ImageId", rng.one(IMAGES));
            r.s("InstanceType", rng.one(INSTANCE_TYPES));
            r.s("SecurityGroupId", &p.world.pool(Res::SecurityGroup)[0]);
            r.s("VSwitchId", &p.world.pool(Res::VSwitch)[0]);
            r.s(
                "InstanceName",
                &format!("web-{}", rng.chars(LOWER_ALNUM, 4)),
            );
            // Numbers as numbers or strings, as different SDKs send them.
            if rng.chance(0.5) {
                r.n("Amount", p.resources.len() as i64);
            } else {
                r.s("Amount", &p.resources.len().to_string());
            }
            r.s("InstanceChargeType", "PostPaid");
            r.s(
                "InternetMaxBandwidthOut",
                if rng.chance(0.5) { "0" } else { "5" },
            );
            r.s("SystemDisk.Category", "cloud_essd");
            r.s("SystemDisk.Size", "40");
            r.s("Tag.1.Key", "env");
            r.s("Tag.1.Value", rng.one(&["prod", "staging", "dev"]));
            r.s("ClientToken", &rng.uuid_lower());
        }
        "AuthorizeSecurityGroup" | "RevokeSecurityGroup" | "ModifySecurityGroupRule" => {
            r.s("SecurityGroupId", r0);
            if p.ev.name == "ModifySecurityGroupRule" {
                r.s(
                    "SecurityGroupRuleId",
                    &format!("sgr-bp1{}", rng.chars(LOWER_ALNUM, 17)),
                );
            }
            r.s("IpProtocol", "tcp");
            r.s(
                "PortRange",
                rng.one(&[
                    "22/22",
                    "443/443",
                    "3389/3389",
                    "80/80",
                    "6379/6379",
                    "-1/-1",
                ]),
            );
            let cidr = if rng.chance(0.25) {
                "0.0.0.0/0".to_string()
            } else {
                format!("{}/32", rng.pick(&p.p.ips))
            };
            r.s("SourceCidrIp", &cidr);
            r.s("Policy", "accept");
            r.s("Priority", "1");
            r.s("NicType", "intranet");
            r.s(
                "Description",
                rng.one(&[
                    "temp ssh access",
                    "office",
                    "运维临时访问",
                    "allow lb health check",
                ]),
            );
        }
        "DescribeInstances" => {
            if !p.resources.is_empty() {
                let ids: Vec<String> = p.resources.iter().map(|i| format!("\"{i}\"")).collect();
                r.s("InstanceIds", &format!("[{}]", ids.join(",")));
            }
            r.s("PageSize", "100");
            if rng.chance(0.5) {
                r.n("PageNumber", 1);
            } else {
                r.s("PageNumber", "1");
            }
        }
        "PutObject" | "GetObject" | "DeleteObject" => {
            r.s("BucketName", r0);
            r.s("ObjectName", rng.one(OBJECTS));
            if p.ev.name == "PutObject" {
                r.s("Content-Length", &(1 + rng.below(5_000_000)).to_string());
                r.s("x-oss-storage-class", "Standard");
            }
        }
        "PutBucketAcl" => {
            r.s("BucketName", r0);
            r.s(
                "x-oss-acl",
                rng.one(&["private", "public-read", "public-read-write"]),
            );
        }
        "PutBucketPolicy" => {
            r.s("BucketName", r0);
            let policy = format!(
                "{{\"Version\":\"1\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"oss:GetObject\"],\"Principal\":[\"*\"],\"Resource\":[\"acs:oss:*:{acct}:{r0}/*\"]}}]}}"
            );
            r.s("Policy", &policy);
        }
        "CreateUser" => {
            r.s("UserName", r0);
            r.s("DisplayName", r0);
            r.s("Comments", "created by onboarding script");
        }
        "CreateAccessKey" | "UpdateAccessKey" | "DeleteAccessKey" => {
            r.s("UserName", r0);
            if p.ev.name != "CreateAccessKey" {
                r.s(
                    "UserAccessKeyId",
                    &format!("LTAI5t{}", rng.chars(ALNUM, 18)),
                );
            }
            if p.ev.name == "UpdateAccessKey" {
                r.s("Status", "Inactive");
            }
        }
        "AttachPolicyToUser" | "DetachPolicyFromUser" => {
            let pol = policy_of(p);
            r.s(
                "PolicyType",
                if pol.starts_with("custom") || pol.starts_with("billing") {
                    "Custom"
                } else {
                    "System"
                },
            );
            r.s("PolicyName", pol);
            r.s("UserName", r0);
        }
        "CreatePolicy" | "CreatePolicyVersion" => {
            r.s("PolicyName", r0);
            r.s(
                "PolicyDocument",
                "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"ecs:Describe*\",\"ecs:StartInstance\",\"ecs:StopInstance\"],\"Resource\":[\"*\"]}]}",
            );
            if p.ev.name == "CreatePolicyVersion" {
                r.s("SetAsDefault", "true");
            } else {
                r.s("Description", "deploy pipeline permissions");
            }
        }
        "AssumeRole" => {
            r.s(
                "RoleArn",
                &format!("acs:ram::{acct}:role/{}", r0.to_ascii_lowercase()),
            );
            let session = if p.p.login.is_empty() {
                "session"
            } else {
                &p.p.login
            };
            r.s("RoleSessionName", session);
            r.s("DurationSeconds", "3600");
        }
        "LookupEvents" => {
            let (k, v) = *rng.pick(&[
                ("EventName", "ConsoleSignin"),
                ("ServiceName", "Ecs"),
                ("EventRW", "Write"),
                ("ResourceType", "ACS::ECS::Instance"),
                ("User", "alice"),
            ]);
            r.s("LookupAttribute.1.Key", k);
            r.s("LookupAttribute.1.Value", v);
            r.s("StartTime", &format_api_time(p.time_ms - 7 * DAY_MS));
            r.s("EndTime", &format_api_time(p.time_ms));
            r.s("MaxResults", "50");
        }
        "CreateTrail" | "UpdateTrail" => {
            r.s("Name", r0);
            r.s("OssBucketName", &p.world.trail_bucket);
            r.s(
                "SlsProjectArn",
                &format!("acs:log:cn-hangzhou:{acct}:project/actiontrail-audit"),
            );
            r.s("EventRW", rng.one(&["All", "Write"]));
            r.s("TrailRegion", "All");
        }
        "CreateDBInstance" => {
            r.s("Engine", "MySQL");
            r.s("EngineVersion", "8.0");
            r.s("DBInstanceClass", "mysql.n2.medium.2c");
            r.s("DBInstanceStorage", "100");
            r.s("SecurityIPList", "10.0.0.0/8");
            r.s("PayType", "Postpaid");
        }
        "ModifySecurityIps" => {
            r.s(param, r0);
            r.s(
                "SecurityIps",
                if rng.chance(0.2) {
                    "0.0.0.0/0"
                } else {
                    "10.0.0.0/8,192.168.0.0/16"
                },
            );
        }
        "GetLogs" => {
            r.s("ProjectName", &p.world.pool(Res::SlsProject)[1]);
            r.s("LogstoreName", r0);
            r.n("from", p.time_ms / 1000 - 900);
            r.n("to", p.time_ms / 1000);
            r.s("query", "* | select status, count(*) as c group by status");
        }
        "InvokeFunction" | "UpdateFunction" => {
            r.s("FunctionName", r0);
            r.s("Qualifier", "LATEST");
        }
        "AddDomainRecord" | "UpdateDomainRecord" => {
            r.s("DomainName", r0);
            r.s("RR", rng.one(&["www", "api", "@", "mail", "测试"]));
            r.s("Type", rng.one(&["A", "CNAME", "TXT"]));
            r.s("Value", &ipv4(rng, "47.96."));
            r.n("TTL", 600);
        }
        "RefreshObjectCaches" | "PushObjectCache" => {
            r.s("ObjectPath", &format!("https://{r0}/static/"));
            r.s("ObjectType", "Directory");
        }
        "DescribeMetricList" | "DescribeMetricLast" => {
            r.s(
                "Namespace",
                rng.one(&[
                    "acs_ecs_dashboard",
                    "acs_rds_dashboard",
                    "acs_slb_dashboard",
                ]),
            );
            r.s(
                "MetricName",
                rng.one(&["CPUUtilization", "memory_usedutilization", "DiskUsage"]),
            );
            r.s("Period", "60");
            let inst = &p.world.pool(Res::EcsInstance)[0];
            r.s("Dimensions", &format!("[{{\"instanceId\":\"{inst}\"}}]"));
        }
        "Decrypt" | "Encrypt" | "GenerateDataKey" => {
            r.s("KeyId", r0);
            if p.ev.name == "GenerateDataKey" {
                r.s("KeySpec", "AES_256");
            }
            r.s("EncryptionContext", "{\"app\":\"payments\"}");
        }
        _ => {
            if !param.is_empty() && !r0.is_empty() {
                r.s(param, r0);
            }
            if rw_of(p.ev.name) == "Read" && p.ev.name.starts_with("Describe") {
                r.s("PageSize", "50");
                r.s("PageNumber", "1");
            }
        }
    }
    match p.hostile {
        Some(Hostile::Script) => r.s("Description", "<script>alert(1)</script>"),
        Some(Hostile::ImgOnerror) => r.s("Comments", "<img src=x onerror=alert(1)>"),
        Some(Hostile::SvgBreakout) => r.s("Tag.1.Value", "\"><svg onload=alert(1)>"),
        Some(Hostile::LongString) => {
            // A base64 cloud-init UserData is legitimately this long.
            let mut s = String::with_capacity(24_100);
            while s.len() < 24_000 {
                s.push_str(
                    "IyEvYmluL2Jhc2gKZWNobyAiaGVsbG8gd29ybGQiID4+IC92YXIvbG9nL2Nsb3VkLWluaXQubG9n",
                );
            }
            r.s("UserData", &s);
        }
        Some(Hostile::DeepNesting) => {
            r.key("Filter");
            for i in 0..60 {
                r.out.push_str("{\"level");
                let _ = write!(r.out, "{i}\":");
            }
            r.out.push_str("\"bottom\"");
            for _ in 0..60 {
                r.out.push('}');
            }
        }
        Some(Hostile::ZeroWidth) => r.s("InstanceName", "web\u{200B}-prod\u{200C}\u{FEFF}-01"),
        Some(Hostile::Emoji) => r.s(
            "Description",
            "deploy 🚀 done ✅ — 👨‍👩‍👧‍👦 family emoji and 🇨🇳 flag",
        ),
        Some(Hostile::BigArray) => {
            let ids: Vec<String> = (0..250).map(|i| format!("i-bp1bulk{i:013}")).collect();
            r.arr("InstanceIds", &ids);
        }
        Some(Hostile::NumbersAsStrings) => {
            r.s("Port", "22");
            r.n("PortNumber", 22);
            r.raw("Ratio", "0.75");
            r.s("RatioString", "0.75");
            r.raw("BigId", "12345678901234567890");
            r.s("BigIdString", "12345678901234567890");
            r.raw("Negative", "-1");
            r.raw("Exp", "1.5e300");
            r.b("Enabled", true);
            r.s("EnabledString", "true");
        }
        Some(Hostile::Nulls) => {
            r.raw("ClientToken", "null");
            r.raw("Tags", "null");
        }
        Some(Hostile::EmptyObjects) | Some(Hostile::RtlOverride) | None => {}
    }
}

fn write_response(r: &mut Obj, p: &Plan, rng: &mut Rng) {
    r.s("RequestId", &p.request_id);
    let r0 = p.resources.first().map(String::as_str).unwrap_or("");
    let acct = &p.world.account_id;
    match p.ev.name {
        "RunInstances" => {
            r.o("InstanceIdSets", |s| s.arr("InstanceIdSet", &p.resources));
            r.s("OrderId", &rng.digits(15));
            r.raw("TradePrice", "0.561");
        }
        "CreateSecurityGroup"
        | "CreateSnapshot"
        | "CreateImage"
        | "CreateVpc"
        | "CreateVSwitch"
        | "CreateDBInstance"
        | "CreateLoadBalancer"
        | "AllocateEipAddress"
        | "CreateDBCluster"
        | "CreateScalingGroup"
        | "CreateFileSystem"
        | "CreateInstance" => {
            let (param, _) = p.ev.res.meta();
            r.s(param, r0);
            match p.ev.name {
                "CreateDBInstance" => {
                    r.s("ConnectionString", &format!("{r0}.mysql.rds.aliyuncs.com"));
                    r.s("Port", "3306");
                    r.s("OrderId", &rng.digits(15));
                }
                "AllocateEipAddress" => r.s("EipAddress", &ipv4(rng, "47.98.")),
                "CreateVpc" => {
                    r.s(
                        "VRouterId",
                        &format!("vrt-bp1{}", rng.chars(LOWER_ALNUM, 17)),
                    );
                    r.s(
                        "RouteTableId",
                        &format!("vtb-bp1{}", rng.chars(LOWER_ALNUM, 17)),
                    );
                }
                _ => {}
            }
        }
        "CreateUser" => r.o("User", |u| {
            u.s("UserId", &rng.digits(18));
            u.s("UserName", r0);
            u.s("DisplayName", r0);
            u.s("CreateDate", &format_api_time(p.time_ms));
        }),
        "CreateAccessKey" => r.o("AccessKey", |a| {
            a.s("AccessKeyId", &format!("LTAI5t{}", rng.chars(ALNUM, 18)));
            a.s("Status", "Active");
            a.s("CreateDate", &format_api_time(p.time_ms));
        }),
        "AssumeRole" => {
            let role = r0.to_ascii_lowercase();
            let session = &p.p.login;
            r.o("AssumedRoleUser", |a| {
                a.s("Arn", &format!("acs:ram::{acct}:role/{role}/{session}"));
                a.s("AssumedRoleId", &format!("3{}:{session}", rng.digits(18)));
            });
            r.o("Credentials", |c| {
                c.s("AccessKeyId", &format!("STS.NU{}", rng.chars(ALNUM, 25)));
                c.s("Expiration", &format_api_time(p.time_ms + 3_600_000));
            });
        }
        "GetCallerIdentity" => {
            r.s("AccountId", acct);
            r.s("UserId", &p.p.principal_id);
            r.s(
                "IdentityType",
                if p.p.kind == Kind::AssumedRole {
                    "AssumedRoleUser"
                } else {
                    "RAMUser"
                },
            );
        }
        "CreateKey" => r.o("KeyMetadata", |k| {
            k.s("KeyId", r0);
            k.s("Arn", &format!("acs:kms:{}:{acct}:key/{r0}", p.region));
            k.s("KeyState", "Enabled");
            k.s("KeySpec", "Aliyun_AES_256");
        }),
        "CreateTrail" | "UpdateTrail" => {
            r.s("Name", r0);
            r.s("HomeRegion", p.region);
            r.s("OssBucketName", &p.world.trail_bucket);
            r.s("EventRW", "All");
        }
        "CreateDeliveryHistoryJob" => r.n("JobId", 16_000 + rng.below(1000) as i64),
        "DescribeInstances"
        | "DescribeDBInstances"
        | "DescribeSecurityGroups"
        | "DescribeDisks" => {
            r.n("TotalCount", rng.below(60) as i64);
            r.n("PageNumber", 1);
            r.n("PageSize", 100);
        }
        "QueryAccountBalance" => r.o("Data", |d| {
            d.s(
                "AvailableAmount",
                &format!("{}.{:02}", rng.below(50_000), rng.below(100)),
            );
            d.s("Currency", "CNY");
        }),
        _ => {}
    }
    if p.hostile == Some(Hostile::BigArray) {
        let ids: Vec<String> = (0..250).map(|i| format!("i-bp1bulk{i:013}")).collect();
        r.o("InstanceIdSets", |s| s.arr("InstanceIdSet", &ids));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};
    use trailview_core::event::EventRecord;

    fn cfg(count: usize) -> DemoConfig {
        DemoConfig {
            seed: 7,
            count,
            end_ms: 1_717_200_000_000,
            span_days: 30,
        }
    }

    #[test]
    fn deterministic() {
        let a = generate(&cfg(2000));
        let b = generate(&cfg(2000));
        assert_eq!(a, b);
        let c = generate(&DemoConfig {
            seed: 8,
            ..cfg(2000)
        });
        assert_ne!(a, c);
    }

    #[test]
    fn small_and_degenerate_configs() {
        assert!(generate(&DemoConfig { count: 0, ..cfg(0) }).is_empty());
        let one = generate(&DemoConfig {
            count: 1,
            span_days: 0,
            ..cfg(1)
        });
        assert_eq!(one.len(), 1);
        let c = DemoConfig {
            count: 50,
            span_days: 1,
            ..cfg(50)
        };
        for e in generate(&c) {
            assert!(e.time_ms >= c.start_ms() && e.time_ms < c.end_ms);
        }
    }

    #[test]
    fn invariants_of_5000_events() {
        let c = cfg(5000);
        let events = generate(&c);
        assert_eq!(events.len(), 5000);
        let mut services = HashSet::new();
        let mut kinds = HashSet::new();
        let mut types = HashSet::new();
        let mut rws = HashSet::new();
        let mut users: HashMap<String, usize> = HashMap::new();
        let mut failed = 0;
        let (mut v4, mut v6) = (false, false);
        let mut event_ids = HashSet::new();
        let mut num_version = 0;
        for (i, e) in events.iter().enumerate() {
            if i > 0 {
                assert!(events[i - 1].time_ms <= e.time_ms, "sorted oldest first");
            }
            assert!(
                e.time_ms >= c.start_ms() && e.time_ms < c.end_ms,
                "in range"
            );
            assert_eq!(e.time_ms % 1000, 0);
            let v: serde_json::Value = serde_json::from_str(&e.json).expect("valid JSON");
            assert!(v.is_object());
            let r = EventRecord::parse(&e.json).unwrap();
            assert_eq!(r.time_ms(), Some(e.time_ms));
            assert!(
                event_ids.insert(r.event_id.clone().unwrap()),
                "event ids unique"
            );
            let name = r.event_name.clone().unwrap();
            let rw = r.event_rw.clone().unwrap();
            if ["Describe", "Get", "List", "Lookup"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                assert_eq!(rw, "Read", "{name}");
            }
            rws.insert(rw);
            services.insert(r.service_name.clone().unwrap());
            kinds.insert(r.identity_type().unwrap().to_string());
            types.insert(r.event_type.clone().unwrap());
            if let Some(u) = r.user_name() {
                *users.entry(u.to_string()).or_default() += 1;
            }
            if r.failed() {
                failed += 1;
            } else if r.error_code.is_some() {
                assert_eq!(r.error_code.as_deref(), Some(""));
                assert_eq!(v["errorMessage"], "");
            }
            let ip = r.source_ip_address.clone().unwrap();
            v4 |= ip.parse::<std::net::Ipv4Addr>().is_ok();
            v6 |= ip.parse::<std::net::Ipv6Addr>().is_ok();
            if v["eventVersion"].is_number() {
                num_version += 1;
            }
            match r.identity_type() {
                _ if is_hostile_index(i, hostile_stride(&c)) => {}
                Some("assumed-role") => {
                    let id = &v["userIdentity"];
                    let un = id["userName"].as_str().unwrap();
                    let pid = id["principalId"].as_str().unwrap();
                    assert_eq!(
                        un.split_once(':').unwrap().1,
                        pid.split_once(':').unwrap().1
                    );
                    if let Some(k) = id["accessKeyId"].as_str() {
                        assert!(k.starts_with("STS."));
                    }
                }
                Some("system") => assert!(v["userIdentity"]["userName"]
                    .as_str()
                    .unwrap()
                    .starts_with("AliyunServiceRoleFor")),
                _ => {}
            }
            if r.event_type.as_deref() == Some("ApiCall") {
                assert!(r.api_version.is_some());
            }
            if r.event_type.as_deref() == Some("ConsoleSignin") {
                assert_eq!(r.service_name.as_deref(), Some("AasSub"));
                assert!(v["additionalEventData"]["loginAccount"].is_string());
                assert!(v["additionalEventData"]["isMFAChecked"].is_string());
            }
        }
        assert!(services.len() >= 20, "{services:?}");
        for k in ["root-account", "ram-user", "assumed-role", "system"] {
            assert!(kinds.contains(k), "{k}");
        }
        for t in [
            "ApiCall",
            "ConsoleOperation",
            "ConsoleSignin",
            "ConsoleSignout",
            "AliyunServiceEvent",
        ] {
            assert!(types.contains(t), "{t}");
        }
        assert!(rws.contains("Read") && rws.contains("Write"));
        let rate = failed as f64 / events.len() as f64;
        assert!((0.03..=0.07).contains(&rate), "failure rate {rate}");
        assert!(v4 && v6);
        assert!(num_version > 0 && num_version < events.len() / 4);
        for u in ["张伟", "王芳", "Ünsal", "José", "Ólafur", "田中太郎"] {
            assert!(users.contains_key(u), "{u}");
        }
        assert!(users.len() >= 35, "{}", users.len());
        // A few users are much more active than others.
        let mut counts: Vec<usize> = users.values().copied().collect();
        counts.sort_unstable();
        assert!(counts[counts.len() - 1] > 10 * counts[counts.len() / 2].max(1) / 2);
    }

    #[test]
    fn hostile_values_present_in_every_week() {
        let c = cfg(5000);
        let events = generate(&c);
        let all: String = events
            .iter()
            .map(|e| &*e.json)
            .collect::<Vec<_>>()
            .join("\n");
        for needle in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "\\\"><svg onload=alert(1)>",
            "\u{202E}",
            "\u{200B}",
            "🚀",
            "\"userAgent\":null",
            "\"requestParameters\":{}",
            "\"BigId\":12345678901234567890",
        ] {
            assert!(all.contains(needle), "{needle}");
        }
        assert!(events.iter().any(|e| e.json.len() > 20_000));
        let depth = |s: &str| {
            let (mut d, mut m) = (0i32, 0i32);
            for ch in s.chars() {
                match ch {
                    '{' | '[' => {
                        d += 1;
                        m = m.max(d)
                    }
                    '}' | ']' => d -= 1,
                    _ => {}
                }
            }
            m
        };
        assert!(events.iter().any(|e| depth(&e.json) > 60));
        assert!(events.iter().any(|e| {
            let v: serde_json::Value = serde_json::from_str(&e.json).unwrap();
            v["requestParameters"]["InstanceIds"]
                .as_array()
                .is_some_and(|a| a.len() == 250)
        }));
        // At least a handful in any 7-day window.
        let stride = hostile_stride(&c);
        let hostile_times: Vec<i64> = events
            .iter()
            .enumerate()
            .filter(|(i, _)| is_hostile_index(*i, stride))
            .map(|(_, e)| e.time_ms)
            .collect();
        let mut t = c.start_ms();
        while t + 7 * DAY_MS <= c.end_ms {
            let n = hostile_times
                .iter()
                .filter(|&&h| h >= t && h < t + 7 * DAY_MS)
                .count();
            assert!(n >= 5, "only {n} hostile events in the week from {t}");
            t += DAY_MS;
        }
        // With the default size, every ~1000th event.
        assert_eq!(hostile_stride(&DemoConfig::default()), 1000);
    }

    #[test]
    fn daily_cycle() {
        let events = generate(&cfg(5000));
        let mut by_hour = [0usize; 24];
        for e in &events {
            by_hour[((e.time_ms / 1000 + 8 * 3600) / 3600 % 24) as usize] += 1;
        }
        // 10:00-11:00 China time is much busier than 03:00-04:00.
        assert!(by_hour[10] > 3 * by_hour[3], "{by_hour:?}");
    }

    /// `cargo test -p trailview-core --release -- --ignored --nocapture gen_100k`
    #[test]
    #[ignore]
    fn gen_100k_timing() {
        let t = std::time::Instant::now();
        let ev = generate(&DemoConfig {
            count: 100_000,
            ..DemoConfig::default()
        });
        let bytes: usize = ev.iter().map(|e| e.json.len()).sum();
        println!(
            "100k events in {:?}, {} MB of JSON",
            t.elapsed(),
            bytes / 1_000_000
        );
    }
}
