//! The fields of an event that are indexed and searched, and the event table's columns: the
//! names the engine, the search language and the views share.

use crate::event::EventRecord;

/// Indexed fields of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    EventName,
    Service,
    User,
    Ip,
    Rw,
    Region,
    ErrorCode,
    EventType,
    IdentityType,
    UserAgent,
    ResourceType,
    ResourceName,
    AccessKeyId,
    ErrorMessage,
    EventSource,
    PrincipalId,
}

pub const FIELDS: [Field; 16] = [
    Field::EventName,
    Field::Service,
    Field::User,
    Field::Ip,
    Field::Rw,
    Field::Region,
    Field::ErrorCode,
    Field::EventType,
    Field::IdentityType,
    Field::UserAgent,
    Field::ResourceType,
    Field::ResourceName,
    Field::AccessKeyId,
    Field::ErrorMessage,
    Field::EventSource,
    Field::PrincipalId,
];

impl Field {
    pub(crate) fn idx(self) -> usize {
        self as usize
    }
    /// The JSON path of the field in an event.
    pub fn path(self) -> &'static str {
        match self {
            Field::EventName => "eventName",
            Field::Service => "serviceName",
            Field::User => "userIdentity.userName",
            Field::Ip => "sourceIpAddress",
            Field::Rw => "eventRW",
            Field::Region => "acsRegion",
            Field::ErrorCode => "errorCode",
            Field::EventType => "eventType",
            Field::IdentityType => "userIdentity.type",
            Field::UserAgent => "userAgent",
            Field::ResourceType => "resourceType",
            Field::ResourceName => "resourceName",
            Field::AccessKeyId => "userIdentity.accessKeyId",
            Field::ErrorMessage => "errorMessage",
            Field::EventSource => "eventSource",
            Field::PrincipalId => "userIdentity.principalId",
        }
    }
    /// Short names usable as `name:value` in the search box.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::EventName => &["event", "eventname", "name"],
            Field::Service => &["service", "servicename"],
            Field::User => &["user", "username"],
            Field::Ip => &["ip", "sourceip", "sourceipaddress"],
            Field::Rw => &["rw", "eventrw"],
            Field::Region => &["region", "acsregion"],
            Field::ErrorCode => &["result", "error", "errorcode"],
            Field::EventType => &["type", "eventtype"],
            Field::IdentityType => &["identity", "identitytype"],
            Field::UserAgent => &["ua", "useragent", "agent"],
            Field::ResourceType => &["resourcetype"],
            Field::ResourceName => &["resource", "resourcename"],
            Field::AccessKeyId => &["ak", "accesskey", "accesskeyid"],
            Field::ErrorMessage => &["message", "errormessage"],
            Field::EventSource => &["source", "eventsource"],
            Field::PrincipalId => &["principal", "principalid"],
        }
    }
    pub fn from_alias(s: &str) -> Option<Field> {
        let s = s.to_ascii_lowercase();
        FIELDS
            .into_iter()
            .find(|f| f.aliases().contains(&s.as_str()))
    }
    pub(crate) fn from_path(p: &str) -> Option<Field> {
        FIELDS.into_iter().find(|f| f.path() == p)
    }
    /// The field's value in a parsed event.
    pub(crate) fn of(self, e: &EventRecord) -> Option<&str> {
        let id = e.user_identity.as_ref();
        match self {
            Field::EventName => e.event_name.as_deref(),
            Field::Service => e.service_name.as_deref(),
            Field::User => e.user_name(),
            Field::Ip => e.source_ip_address.as_deref(),
            Field::Rw => e.event_rw.as_deref(),
            Field::Region => e.acs_region.as_deref(),
            Field::ErrorCode => e.error_code.as_deref(),
            Field::EventType => e.event_type.as_deref(),
            Field::IdentityType => e.identity_type(),
            Field::UserAgent => e.user_agent.as_deref(),
            Field::ResourceType => e.resource_type.as_deref(),
            Field::ResourceName => e.resource_name.as_deref(),
            Field::AccessKeyId => id.and_then(|i| i.access_key_id.as_deref()),
            Field::ErrorMessage => e.error_message.as_deref(),
            Field::EventSource => e.event_source.as_deref(),
            Field::PrincipalId => id.and_then(|i| i.principal_id.as_deref()),
        }
    }
}

/// The table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Time,
    Event,
    Service,
    User,
    Ip,
    Rw,
    Region,
    Result,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::Time,
        Column::Event,
        Column::Service,
        Column::User,
        Column::Ip,
        Column::Rw,
        Column::Region,
        Column::Result,
    ];
    /// Stable identifier (used in the DOM as `data-col`).
    pub fn key(self) -> &'static str {
        match self {
            Column::Time => "time",
            Column::Event => "event",
            Column::Service => "service",
            Column::User => "user",
            Column::Ip => "ip",
            Column::Rw => "rw",
            Column::Region => "region",
            Column::Result => "result",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Column::Time => "Time",
            Column::Event => "Event",
            Column::Service => "Service",
            Column::User => "User",
            Column::Ip => "Source IP",
            Column::Rw => "R/W",
            Column::Region => "Region",
            Column::Result => "Result",
        }
    }
    pub fn field(self) -> Option<Field> {
        match self {
            Column::Time => None,
            Column::Event => Some(Field::EventName),
            Column::Service => Some(Field::Service),
            Column::User => Some(Field::User),
            Column::Ip => Some(Field::Ip),
            Column::Rw => Some(Field::Rw),
            Column::Region => Some(Field::Region),
            Column::Result => Some(Field::ErrorCode),
        }
    }
    pub fn from_key(k: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == k)
    }
}
