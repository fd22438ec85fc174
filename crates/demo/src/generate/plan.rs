//! One event planned: its type, service, event name, principal, resources and outcome, before it is written.

use super::hostile::Hostile;
use super::rng::{mix, Rng, ALNUM, LOWER_ALNUM};
use super::services::Res as R;
use super::services::{
    ev, rw_of, service, service_weights, Ev, Res, Service, REGIONS, REGION_WEIGHTS, SERVICES,
    UA_BROWSER, UA_CLI, UA_TERRAFORM,
};
use super::timeline::{BurstKind, Slot};
use super::world::{event_by_name, ipv4, Kind, Principal, Tool, World, SYSTEMS, SYSTEM_EVENTS};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum EventType {
    ApiCall,
    ConsoleOperation,
    ConsoleSignin,
    ConsoleSignout,
    AliyunServiceEvent,
}

impl EventType {
    pub(super) fn as_str(self) -> &'static str {
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
pub(super) struct Plan<'w> {
    pub(super) world: &'w World,
    pub(super) p: &'w Principal,
    pub(super) time_ms: i64,
    pub(super) etype: EventType,
    pub(super) svc: &'static Service,
    pub(super) ev: &'static Ev,
    pub(super) region: &'static str,
    pub(super) ip: String,
    pub(super) ua: String,
    pub(super) access_key: Option<String>,
    pub(super) request_id: String,
    /// Resource names (several for RunInstances).
    pub(super) resources: Vec<String>,
    pub(super) error: Option<(&'static str, String)>,
    pub(super) hostile: Option<Hostile>,
}

pub(super) fn choose_event(rng: &mut Rng, svc: &'static Service, read_only: bool) -> &'static Ev {
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

pub(super) fn plan<'w>(
    world: &'w World,
    rng: &mut Rng,
    slot: &Slot,
    hostile: Option<Hostile>,
) -> Plan<'w> {
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

    let region: &'static str = if let Some(r) = slot.region {
        r
    } else if svc.global || etype == EventType::ConsoleSignin || etype == EventType::ConsoleSignout
    {
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
pub(super) fn sts_key(world: &World, p: &Principal, time_ms: i64) -> String {
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

pub(super) static CONSOLE_SERVICE: Service = Service {
    name: "AasSub",
    host: "signin",
    api_version: "",
    global: true,
    w: 0,
    events: &CONSOLE_EVENTS,
};
pub(super) static CONSOLE_EVENTS: [Ev; 2] = [
    ev("ConsoleSignin", R::None, 1),
    ev("ConsoleSignout", R::None, 1),
];

pub(super) fn pick_resources(world: &World, rng: &mut Rng, p: &Principal, ev: &Ev) -> Vec<String> {
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

pub(super) fn error_for(
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
