//! LookupEvents' server-side conditions (`LookupAttribute.N.Key` / `.Value`) and their rules.
//!
//! From the ActionTrail FAQ: one or two conditions, exact and case-sensitive, ANDed. Same key
//! twice: only the second applies. More than two: only the first two are used. Only some pairs
//! of keys may be combined (see [`pair_allowed`]). The app checks these before sending; the demo
//! backend applies the same rules, so both share this module.

use crate::event::EventRecord;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LookupKey {
    ServiceName,
    EventName,
    User,
    EventId,
    ResourceType,
    ResourceName,
    EventRw,
    EventAccessKeyId,
    SensitiveAction,
    SourceIpAddress,
    EventType,
    RoleName,
    PrincipalId,
}

impl LookupKey {
    pub const ALL: [LookupKey; 13] = [
        LookupKey::ServiceName,
        LookupKey::EventName,
        LookupKey::User,
        LookupKey::EventId,
        LookupKey::ResourceType,
        LookupKey::ResourceName,
        LookupKey::EventRw,
        LookupKey::EventAccessKeyId,
        LookupKey::SensitiveAction,
        LookupKey::SourceIpAddress,
        LookupKey::EventType,
        LookupKey::RoleName,
        LookupKey::PrincipalId,
    ];

    /// The wire name, as sent in `LookupAttribute.N.Key`.
    pub fn as_str(self) -> &'static str {
        match self {
            LookupKey::ServiceName => "ServiceName",
            LookupKey::EventName => "EventName",
            LookupKey::User => "User",
            LookupKey::EventId => "EventId",
            LookupKey::ResourceType => "ResourceType",
            LookupKey::ResourceName => "ResourceName",
            LookupKey::EventRw => "EventRW",
            LookupKey::EventAccessKeyId => "EventAccessKeyId",
            LookupKey::SensitiveAction => "SensitiveAction",
            LookupKey::SourceIpAddress => "SourceIpAddress",
            LookupKey::EventType => "EventType",
            LookupKey::RoleName => "RoleName",
            LookupKey::PrincipalId => "PrincipalId",
        }
    }

    pub fn parse(s: &str) -> Option<LookupKey> {
        LookupKey::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// An example value, for placeholders.
    pub fn example(self) -> &'static str {
        match self {
            LookupKey::ServiceName => "Ecs",
            LookupKey::EventName => "ConsoleSignin",
            LookupKey::User => "Alice",
            LookupKey::EventId => "B702AFA3-FD4B-40E3-88E4-C0752FAA0000",
            LookupKey::ResourceType => "ACS::ECS::Instance",
            LookupKey::ResourceName => "i-bp14664y88udkt450000",
            LookupKey::EventRw => "Read or Write",
            LookupKey::EventAccessKeyId => "LTAI...",
            LookupKey::SensitiveAction => "true",
            LookupKey::SourceIpAddress => "203.0.113.7",
            LookupKey::EventType => "ConsoleOperation",
            LookupKey::RoleName => "AliyunServiceRoleForActionTrail",
            LookupKey::PrincipalId => "28815334868278****",
        }
    }

    /// Does `value` match this key on `event`? Exact and case-sensitive, as the service does.
    /// `ResourceType`/`ResourceName` may hold several names separated by `;` or `,`: any one matches.
    /// `SensitiveAction=true` matches events whose name is in [`SENSITIVE_ACTIONS`].
    pub fn matches(self, value: &str, e: &EventRecord) -> bool {
        let eq = |f: Option<&str>| f == Some(value);
        let any =
            |f: Option<&str>| f.is_some_and(|s| s.split([';', ',']).any(|p| p.trim() == value));
        let id = e.user_identity.as_ref();
        match self {
            LookupKey::ServiceName => eq(e.service_name.as_deref()),
            LookupKey::EventName => eq(e.event_name.as_deref()),
            LookupKey::User => eq(e.user_name()),
            LookupKey::EventId => eq(e.event_id.as_deref()),
            LookupKey::ResourceType => any(e.resource_type.as_deref()),
            LookupKey::ResourceName => any(e.resource_name.as_deref()),
            LookupKey::EventRw => eq(e.event_rw.as_deref()),
            LookupKey::EventAccessKeyId => eq(id.and_then(|i| i.access_key_id.as_deref())),
            LookupKey::SensitiveAction => {
                let sensitive = e
                    .event_name
                    .as_deref()
                    .is_some_and(|n| SENSITIVE_ACTIONS.contains(&n));
                match value {
                    "true" => sensitive,
                    "false" => !sensitive,
                    _ => false,
                }
            }
            LookupKey::SourceIpAddress => eq(e.source_ip_address.as_deref()),
            LookupKey::EventType => eq(e.event_type.as_deref()),
            LookupKey::RoleName => eq(e.role_name()),
            LookupKey::PrincipalId => eq(id.and_then(|i| i.principal_id.as_deref())),
        }
    }
}

impl fmt::Display for LookupKey {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Event names the demo treats as sensitive actions (credential, permission and deletion calls).
pub const SENSITIVE_ACTIONS: &[&str] = &[
    "CreateAccessKey",
    "DeleteAccessKey",
    "UpdateAccessKey",
    "AttachPolicyToUser",
    "AttachPolicyToRole",
    "CreatePolicy",
    "DeletePolicy",
    "DeleteTrail",
    "StopLogging",
    "UpdateTrail",
    "DeleteInstance",
    "DeleteInstances",
    "DeleteBucket",
    "DeleteDBInstance",
    "ModifySecurityGroupRule",
    "AuthorizeSecurityGroup",
    "ConsoleSignin",
    "SetDefaultPolicyVersion",
    "DeleteUser",
    "CreateUser",
];

/// Which pairs of keys may be combined (unordered), from the FAQ.
pub fn pair_allowed(a: LookupKey, b: LookupKey) -> bool {
    use LookupKey::*;
    let ok = |x: LookupKey, y: LookupKey| match x {
        ServiceName => matches!(
            y,
            EventName
                | User
                | PrincipalId
                | RoleName
                | ResourceName
                | EventRw
                | SensitiveAction
                | EventType
        ),
        ResourceName => matches!(y, ResourceType | EventName | User | RoleName | ServiceName),
        EventType => y == EventName,
        _ => false,
    };
    ok(a, b) || ok(b, a)
}

/// One condition as it will be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub key: LookupKey,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    UnknownKey(String),
    EmptyValue(LookupKey),
    PairNotSupported(LookupKey, LookupKey),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            LookupError::UnknownKey(k) => write!(f, "'{k}' is not a LookupAttribute key"),
            LookupError::EmptyValue(k) => write!(f, "{k} needs a value"),
            LookupError::PairNotSupported(a, b) => write!(
                f,
                "{a} cannot be combined with {b}. Supported pairs: ServiceName with EventName, User, PrincipalId, \
                 RoleName, ResourceName, EventRW, SensitiveAction or EventType; ResourceName with ResourceType, \
                 EventName, User, RoleName or ServiceName; EventType with EventName"
            ),
        }
    }
}

/// A hint about how the service will treat the conditions as given (not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupNote {
    /// More than two conditions: only the first two are used.
    Truncated { given: usize },
    /// The same key twice: only the second applies.
    SameKey(LookupKey),
}

/// Apply the service's rules to the conditions in request order and return the ones that take
/// effect, with notes about anything dropped; or the error the service would answer.
pub fn effective_conditions(
    given: &[(String, String)],
) -> Result<(Vec<Condition>, Vec<LookupNote>), LookupError> {
    let mut notes = Vec::new();
    if given.len() > 2 {
        notes.push(LookupNote::Truncated { given: given.len() });
    }
    let mut out: Vec<Condition> = Vec::new();
    for (k, v) in given.iter().take(2) {
        let key = LookupKey::parse(k).ok_or_else(|| LookupError::UnknownKey(k.clone()))?;
        if v.is_empty() {
            return Err(LookupError::EmptyValue(key));
        }
        if let Some(prev) = out.iter_mut().find(|c| c.key == key) {
            notes.push(LookupNote::SameKey(key));
            prev.value = v.clone();
        } else {
            out.push(Condition {
                key,
                value: v.clone(),
            });
        }
    }
    if let [a, b] = out.as_slice() {
        if !pair_allowed(a.key, b.key) {
            return Err(LookupError::PairNotSupported(a.key, b.key));
        }
    }
    Ok((out, notes))
}

/// Does the event satisfy all effective conditions?
pub fn matches_all(conds: &[Condition], e: &EventRecord) -> bool {
    conds.iter().all(|c| c.key.matches(&c.value, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn pairing_rules() {
        use LookupKey::*;
        assert!(pair_allowed(ServiceName, EventName));
        assert!(pair_allowed(EventName, ServiceName));
        assert!(pair_allowed(ResourceName, ResourceType));
        assert!(pair_allowed(EventType, EventName));
        assert!(!pair_allowed(EventName, User));
        assert!(!pair_allowed(ResourceType, ServiceName));
        assert!(!pair_allowed(EventId, ServiceName));
        assert!(!pair_allowed(EventType, ServiceName) || pair_allowed(ServiceName, EventType));
    }

    #[test]
    fn same_key_keeps_second_and_extra_dropped() {
        let (conds, notes) = effective_conditions(&[
            c("ServiceName", "Ecs"),
            c("ServiceName", "Oss"),
            c("User", "x"),
        ])
        .unwrap();
        assert_eq!(
            conds,
            vec![Condition {
                key: LookupKey::ServiceName,
                value: "Oss".into()
            }]
        );
        assert!(notes.contains(&LookupNote::SameKey(LookupKey::ServiceName)));
        assert!(notes.contains(&LookupNote::Truncated { given: 3 }));
    }

    #[test]
    fn errors() {
        assert_eq!(
            effective_conditions(&[c("Nope", "x")]),
            Err(LookupError::UnknownKey("Nope".into()))
        );
        assert!(matches!(
            effective_conditions(&[c("EventName", "a"), c("User", "b")]),
            Err(LookupError::PairNotSupported(..))
        ));
        assert!(matches!(
            effective_conditions(&[c("User", "")]),
            Err(LookupError::EmptyValue(_))
        ));
        assert_eq!(effective_conditions(&[]).unwrap().0, vec![]);
    }

    #[test]
    fn matching_is_exact_and_case_sensitive() {
        let e = EventRecord::parse(
            r#"{"serviceName":"Ecs","eventName":"DeleteInstance","resourceName":"i-1;i-2",
                "userIdentity":{"type":"assumed-role","userName":"ops:alice","principalId":"123:alice"}}"#,
        )
        .unwrap();
        assert!(LookupKey::ServiceName.matches("Ecs", &e));
        assert!(!LookupKey::ServiceName.matches("ecs", &e));
        assert!(LookupKey::ResourceName.matches("i-2", &e));
        assert!(LookupKey::RoleName.matches("ops", &e));
        assert!(LookupKey::User.matches("ops:alice", &e));
        assert!(LookupKey::SensitiveAction.matches("true", &e));
        assert!(LookupKey::PrincipalId.matches("123:alice", &e));
    }
}
