//! The world: the population of principals (people, bots, roles, the cloud's own services), their addresses, keys and resources.

use super::rng::{mix, Rng, ALNUM, HEX_LOWER, LOWER_ALNUM};
use super::services::Res as R;
use super::services::{
    ev, service, service_weights, Ev, Res, REGIONS, REGION_WEIGHTS, RES_COUNT, SERVICES, UA_SDK,
};
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Root,
    RamUser,
    AssumedRole,
    System,
}

impl Kind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Kind::Root => "root-account",
            Kind::RamUser => "ram-user",
            Kind::AssumedRole => "assumed-role",
            Kind::System => "system",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Tool {
    Sdk,
    Cli,
    Terraform,
    Console,
}

pub(super) struct Principal {
    pub(super) kind: Kind,
    /// `userName`: RAM user name, `root`, `{role}:{session}` or a service role name.
    pub(super) user_name: String,
    /// `principalId`: 18 digits, `{roleId}:{session}`, or the account id for root.
    pub(super) principal_id: String,
    /// Console login (`loginAccount`).
    pub(super) login: String,
    /// Long-term keys (`LTAI...`); empty for roles and services.
    pub(super) access_keys: Vec<String>,
    /// For assumed roles: the role name (STS keys are derived per hour from it).
    pub(super) role: Option<usize>,
    pub(super) ips: Vec<String>,
    /// Tools used, with weights.
    pub(super) tools: Vec<(Tool, u32)>,
    pub(super) sdk_ua: &'static str,
    /// Preferred services (indices into SERVICES); empty = all by their weight.
    pub(super) services: Vec<usize>,
    pub(super) regions: Vec<&'static str>,
    /// Activity weight.
    pub(super) weight: u32,
    /// Active around the clock (scripts) rather than in working hours.
    pub(super) around_the_clock: bool,
    pub(super) mfa: bool,
    /// Extra failure probability (attacker).
    pub(super) fail_rate: f64,
    /// Only reads.
    pub(super) read_only: bool,
    /// Service principal (`ess.aliyuncs.com`) for system identities.
    pub(super) service_principal: &'static str,
}

pub(super) struct World {
    pub(super) seed: u64,
    pub(super) account_id: String,
    pub(super) principals: Vec<Principal>,
    pub(super) weights: Vec<u32>,
    pub(super) pools: Vec<Vec<String>>,
    /// Index of the attacker principal (used only in attack bursts).
    pub(super) attacker: usize,
    /// Bursty principals: (index, burst kind).
    pub(super) bursty: Vec<usize>,
    pub(super) trail_bucket: String,
}

/// (name, login, non-ASCII or not is implied). Human RAM users; the order gives activity rank.
pub(super) const HUMANS: &[(&str, &str)] = &[
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
pub(super) const BOTS: &[(&str, Tool, &[&str], bool, u32)] = &[
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
pub(super) type RoleSpec = (
    &'static str,
    &'static [&'static str],
    Tool,
    &'static [&'static str],
    u32,
);

pub(super) const ROLES: &[RoleSpec] = &[
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
pub(super) const SYSTEMS: &[(&str, &str, u32)] = &[
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
pub(super) const SYSTEM_EVENTS: &[(usize, &str, &str)] = &[
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

pub(super) fn event_by_name(svc: usize, name: &str) -> &'static Ev {
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
pub(super) fn ipv4(rng: &mut Rng, prefix: &str) -> String {
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
pub(super) fn ipv6(rng: &mut Rng, prefix: &str) -> String {
    let mut s = prefix.to_string();
    for _ in prefix.split(':').count()..8 {
        let _ = write!(s, ":{:x}", rng.below(0x10000));
    }
    s
}

impl World {
    pub(super) fn new(seed: u64) -> World {
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

    pub(super) fn pool(&self, r: Res) -> &[String] {
        &self.pools[r as usize]
    }
}
