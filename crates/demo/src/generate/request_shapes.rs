//! Request shapes: one planned event written as ActionTrail JSON: identity, request parameters and response elements per event name.

use super::hostile::{Hostile, FORMULA_HYPERLINK, FORMULA_SUM};
use super::json::{obj, Obj};
use super::plan::{plan, EventType, Plan};
use super::rng::{Rng, ALNUM, LOWER_ALNUM};
use super::services::{rw_of, Res};
use super::timeline::{Slot, DAY_MS};
use super::world::{ipv4, Kind, World};
use std::fmt::Write as _;
use trailview_core::time::format_api_time;

pub(super) fn event_source(p: &Plan) -> String {
    match p.etype {
        EventType::ConsoleSignin | EventType::ConsoleSignout => "signin.aliyun.com".into(),
        _ if p.svc.global => format!("{}.aliyuncs.com", p.svc.host),
        _ => format!("{}.{}.aliyuncs.com", p.svc.host, p.region),
    }
}

pub(super) fn write_event(
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
            Some(Hostile::Formula) => o.s("userAgent", FORMULA_HYPERLINK),
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
                Some(Hostile::Formula) => o.s("resourceName", FORMULA_SUM),
                Some(Hostile::Script) => {
                    o.s("resourceName", &format!("{rname}<script>alert(1)</script>"))
                }
                _ => o.s("resourceName", &rname),
            }
        } else if h == Some(Hostile::RtlOverride) {
            o.s("resourceType", "ACS::OSS::Bucket");
            o.s("resourceName", "invoice-2024\u{202E}fdp.exe");
        } else if h == Some(Hostile::Formula) {
            o.s("resourceType", "ACS::OSS::Bucket");
            o.s("resourceName", FORMULA_SUM);
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

pub(super) fn resource_fields(p: &Plan, rtype: &str) -> (String, String) {
    let names = p.resources.join(";");
    match p.ev.name {
        "AttachPolicyToUser" | "DetachPolicyFromUser" => (
            "ACS::RAM::Policy;ACS::RAM::User".into(),
            format!("{};{names}", policy_of(p)),
        ),
        _ => (rtype.to_string(), names),
    }
}

pub(super) fn policy_of<'w>(p: &Plan<'w>) -> &'w str {
    let pool = p.world.pool(Res::RamPolicy);
    let h = p.request_id.bytes().fold(0usize, |h, b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    // Mostly the first few (narrow) policies; now and then AdministratorAccess and friends.
    &pool[(h % pool.len()).min(h / 7 % pool.len())]
}

pub(super) fn referenced(p: &Plan) -> Option<Vec<(&'static str, Vec<String>)>> {
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

pub(super) fn write_identity(u: &mut Obj, p: &Plan, rng: &mut Rng) {
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
        Some(Hostile::Formula) => FORMULA_HYPERLINK.into(),
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

pub(super) fn common_request(r: &mut Obj, p: &Plan) {
    let host = event_source(p);
    if !p.svc.global {
        r.s("RegionId", p.region);
    }
    r.s("AcsHost", &host);
    r.s("HostId", &host);
    r.s("RequestId", &p.request_id);
    r.s("AcsProduct", p.svc.name);
}

pub(super) const INSTANCE_TYPES: &[&str] = &[
    "ecs.g7.large",
    "ecs.c7.xlarge",
    "ecs.g6.2xlarge",
    "ecs.t6-c1m2.large",
    "ecs.gn7i-c8g1.2xlarge",
    "ecs.r7.4xlarge",
];
pub(super) const IMAGES: &[&str] = &[
    "aliyun_3_x64_20G_alibase_20240528.vhd",
    "ubuntu_22_04_x64_20G_alibase_20240130.vhd",
    "centos_7_9_x64_20G_alibase_20231220.vhd",
    "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240220.vhd",
];
pub(super) const OBJECTS: &[&str] = &[
    "reports/2024/06/summary.csv",
    "uploads/用户头像/avatar-1024.png",
    "backups/db-prod-2024-06-01.sql.gz",
    "logs/app/2024-06-01/app.log",
    "static/js/main.3f9a1c.js",
    "models/resnet50/v3/model.onnx",
    "exports/订单导出 2024年6月.xlsx",
    "tmp/a b c/file (1).txt",
];

pub(super) fn write_request(r: &mut Obj, p: &Plan, rng: &mut Rng) {
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
        Some(Hostile::EmptyObjects)
        | Some(Hostile::RtlOverride)
        | Some(Hostile::Formula)
        | None => {}
    }
}

pub(super) fn write_response(r: &mut Obj, p: &Plan, rng: &mut Rng) {
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
