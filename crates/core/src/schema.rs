//! The fields of an event that are indexed and searched, and the event table's columns: the
//! names the engine, the search language and the views share.

use crate::event::{Cloud, EventRecord};

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
    /// `Alibaba Cloud` or `AWS` ([`Cloud::label`]); derived, not at a JSON path.
    Cloud,
    /// The account id ([`EventRecord::account`]).
    Account,
}

/// The fields free text searches, and those a JSON path names exactly (a tree filter on their
/// path compares the column).
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

/// Every indexed field: [`FIELDS`] and those only a `name:value` term, a column or a facet
/// reaches (their values are derived from several paths, so free text and tree filters leave
/// them out).
pub const ALL_FIELDS: [Field; 18] = {
    let mut all = [Field::Cloud; 18];
    let mut i = 0;
    while i < FIELDS.len() {
        all[i] = FIELDS[i];
        i += 1;
    }
    all[FIELDS.len()] = Field::Cloud;
    all[FIELDS.len() + 1] = Field::Account;
    all
};

impl Field {
    pub(crate) fn idx(self) -> usize {
        self as usize
    }
    /// The JSON path of the field in an ActionTrail event (for `Cloud`, which is at no path, a
    /// name no event has).
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
            Field::Cloud => "(cloud)",
            Field::Account => "recipientAccountId",
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
            Field::Cloud => &["cloud"],
            Field::Account => &["account", "accountid"],
        }
    }
    pub fn from_alias(s: &str) -> Option<Field> {
        let s = s.to_ascii_lowercase();
        ALL_FIELDS
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
            Field::Service => e.service(),
            Field::User => e.user(),
            Field::Ip => e.source_ip_address.as_deref(),
            Field::Rw => e.rw(),
            Field::Region => e.region(),
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
            Field::Cloud => e.cloud().map(Cloud::label),
            Field::Account => e.account(),
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
    /// The event's cloud (`Alibaba Cloud` / `AWS`): trail files of both clouds share the table.
    Cloud,
    /// The account id.
    Account,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Time,
        Column::Event,
        Column::Service,
        Column::User,
        Column::Ip,
        Column::Rw,
        Column::Region,
        Column::Result,
        Column::Cloud,
        Column::Account,
    ];
    /// Every column ([`Column::ALL`]; the table shows them all).
    pub const EVERY: [Column; 10] = Column::ALL;
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
            Column::Cloud => "cloud",
            Column::Account => "account",
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
            Column::Cloud => "Cloud",
            Column::Account => "Account",
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
            Column::Cloud => Some(Field::Cloud),
            Column::Account => Some(Field::Account),
        }
    }
    pub fn from_key(k: &str) -> Option<Column> {
        Column::EVERY.into_iter().find(|c| c.key() == k)
    }
}
