//! A small store of odd and ordinary events shared by the engine's unit tests.

use super::filter::Filter;
use super::sort::Sort;
use super::store::EventStore;
use serde_json::json;

pub(super) fn ev(name: &str, svc: &str, user: &str, ip: &str, t: &str, err: &str) -> String {
    json!({"eventId": format!("ID-{name}-{t}"), "eventName": name, "serviceName": svc,
           "userIdentity": {"userName": user, "type": "ram-user"}, "sourceIpAddress": ip,
           "eventTime": t, "errorCode": err, "eventRW": "Read", "acsRegion": "cn-hangzhou",
           "requestParameters": {"RegionId": "cn-hangzhou", "Size": 3}})
    .to_string()
}

pub(super) fn store() -> EventStore {
    let mut s = EventStore::new();
    s.push(&ev(
        "DeleteInstance",
        "Ecs",
        "alice",
        "10.0.0.2",
        "2024-01-01T00:00:02Z",
        "",
    ));
    s.push(&ev(
        "GetObject",
        "Oss",
        "Bob",
        "10.0.0.10",
        "2024-01-01T00:00:01Z",
        "NoSuchBucket",
    ));
    s.push(&ev(
        "RunInstances",
        "Ecs",
        "王芳",
        "2001:db8::1",
        "2024-01-01T00:00:03Z",
        "",
    ));
    s.push(&ev(
        "AssumeRole",
        "Sts",
        "alice",
        "9.9.9.9",
        "bad time",
        "Forbidden.RAM",
    ));
    s.push("[1,2,3]");
    s
}

pub(super) fn run(s: &mut EventStore, f: Filter, sort: Option<Sort>) -> Vec<u32> {
    let cf = s.compile(&f);
    let order = s.order(sort.as_ref());
    s.filter(&order, &cf)
}

pub(super) fn text(s: &mut EventStore, q: &str) -> Vec<u32> {
    run(
        s,
        Filter {
            text: q.into(),
            ..Default::default()
        },
        None,
    )
}
