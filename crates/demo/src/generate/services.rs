//! The catalogue of services: their event names and weights, resource types, regions and user agents.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Res {
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

pub(super) const RES_COUNT: usize = Res::FwPolicy as usize + 1;

impl Res {
    /// (request parameter name, resource type)
    pub(super) fn meta(self) -> (&'static str, &'static str) {
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

pub(super) struct Ev {
    pub(super) name: &'static str,
    pub(super) res: Res,
    /// Relative frequency inside its service.
    pub(super) w: u32,
}

pub(super) const fn ev(name: &'static str, res: Res, w: u32) -> Ev {
    Ev { name, res, w }
}

pub(super) struct Service {
    /// `serviceName` as ActionTrail writes it.
    pub(super) name: &'static str,
    /// Host prefix: `eventSource` is `<host>.<region>.aliyuncs.com` (or `<host>.aliyuncs.com` if global).
    pub(super) host: &'static str,
    pub(super) api_version: &'static str,
    pub(super) global: bool,
    /// Relative frequency of the service overall.
    pub(super) w: u32,
    pub(super) events: &'static [Ev],
}

use Res as R;

pub(super) static SERVICES: &[Service] = &[
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

pub(super) fn service(name: &str) -> usize {
    SERVICES
        .iter()
        .position(|s| s.name == name)
        .expect("known service")
}

/// `Read` for event names that only look (Describe/Get/List/Lookup/Query...), else `Write`.
pub(super) fn rw_of(name: &str) -> &'static str {
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

pub(super) const REGIONS: &[&str] = &[
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
pub(super) const REGION_WEIGHTS: &[u32] = &[40, 20, 12, 8, 3, 5, 6, 2, 2, 1, 1];

pub(super) const UA_SDK: &[&str] = &[
    "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
    "AlibabaCloud (Mac OS X; x86_64) Java/1.8.0_252-b09 Core/4.4.6 HTTPClient/ApacheHttpClient",
    "AlibabaCloud (linux; amd64) Go/go1.21.5 Core/1.62.671 TeaDSL/1",
    "AlibabaCloud (Windows 10; AMD64) Python/3.9.13 Core/2.13.36 python-requests/2.31.0",
    "AlibabaCloud (Linux; x86_64) Node.js/v18.19.0 Core/1.7.0 TeaDSL/2",
];
pub(super) const UA_CLI: &[&str] = &[
    "AlibabaCloud (darwin; arm64) Go/go1.21.3 Core/1.62.600 TeaDSL/1 Aliyun-CLI/3.0.190",
    "AlibabaCloud (linux; amd64) Go/go1.20.4 Core/1.62.340 TeaDSL/1 Aliyun-CLI/3.0.174",
];
pub(super) const UA_TERRAFORM: &[&str] = &[
    "HashiCorp Terraform/1.6.6 (+https://www.terraform.io) Terraform Plugin SDK/2.10.1 terraform-provider-alicloud/1.214.1",
    "HashiCorp Terraform/1.5.7 (+https://www.terraform.io) Terraform Plugin SDK/2.10.1 terraform-provider-alicloud/1.209.0",
];
pub(super) const UA_BROWSER: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
];

/// The services' weights, in [`SERVICES`] order.
pub(super) fn service_weights() -> &'static [u32] {
    static W: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    W.get_or_init(|| SERVICES.iter().map(|s| s.w).collect())
}
