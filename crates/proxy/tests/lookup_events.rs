//! LookupEvents through the router: paging, defaults, parameters, every error code.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use std::collections::HashSet;
use std::time::Duration;
use trailview_core::time::{format_api_time, parse_rfc3339_ms};

const START: &str = "2024-05-20T00:00:00Z";
const END: &str = "2024-05-30T00:00:00Z";

fn ms(s: &str) -> i64 {
    parse_rfc3339_ms(s).unwrap()
}

#[tokio::test]
async fn paging_returns_every_match_once_in_order() {
    let app = test_app();
    let cases: &[&[(&str, &str)]] = &[
        &[],
        &[
            ("LookupAttribute.1.Key", "ServiceName"),
            ("LookupAttribute.1.Value", "Ecs"),
        ],
        &[
            ("LookupAttribute.1.Key", "ServiceName"),
            ("LookupAttribute.1.Value", "Ecs"),
            ("LookupAttribute.2.Key", "EventRW"),
            ("LookupAttribute.2.Value", "Write"),
        ],
        &[
            ("LookupAttribute.1.Key", "EventName"),
            ("LookupAttribute.1.Value", "ConsoleSignin"),
        ],
        &[
            ("LookupAttribute.1.Key", "User"),
            ("LookupAttribute.1.Value", "张伟"),
        ],
        &[
            ("LookupAttribute.1.Key", "ServiceName"),
            ("LookupAttribute.1.Value", "NoSuchService"),
        ],
    ];
    for conds in cases {
        let pairs: Vec<(&str, &str)> = conds.chunks(2).map(|c| (c[0].1, c[1].1)).collect();
        for (dir, backward) in [("BACKWARD", true), ("FORWARD", false)] {
            let want = expected(&pairs, ms(START), ms(END), backward);
            let sizes: &[usize] = if want.len() > 400 {
                &[50, 7]
            } else {
                &[50, 7, 1]
            };
            for &max in sizes {
                let mut params = vec![("StartTime", START), ("EndTime", END), ("Direction", dir)];
                params.extend_from_slice(conds);
                let (got, pages) = collect_all(&app, &params, max).await;
                let unique: HashSet<&String> = got.iter().collect();
                assert_eq!(
                    unique.len(),
                    got.len(),
                    "duplicates for {conds:?} {dir} {max}"
                );
                assert_eq!(got, want, "{conds:?} {dir} MaxResults={max}");
                // Every page but the last is full; the last one is not empty unless all are.
                let (last, full) = pages.split_last().unwrap();
                assert!(full.iter().all(|&n| n == max), "{pages:?}");
                assert!(*last > 0 || pages.len() == 1);
            }
        }
    }
    // The unconditioned case really pages through a lot.
    assert!(expected(&[], ms(START), ms(END), true).len() > 1000);
}

#[tokio::test]
async fn paging_is_stable_among_events_of_the_same_second() {
    // A dense dataset: many events share a second.
    let store = std::sync::Arc::new(trailview_demo::DemoEvents::generate(
        &trailview_demo::DemoConfig {
            seed: 9,
            count: 4000,
            end_ms: END_MS,
            span_days: 1,
        },
    ));
    let ties = store
        .events()
        .windows(2)
        .filter(|w| w[0].time_ms == w[1].time_ms)
        .count();
    assert!(ties > 50, "only {ties} ties");
    let app = app_with(store.clone(), 0, "/nonexistent".into());
    let start = format_api_time(END_MS - DAY_MS);
    let end = format_api_time(END_MS);
    for dir in ["BACKWARD", "FORWARD"] {
        let (got, _) = collect_all(
            &app,
            &[("StartTime", &start), ("EndTime", &end), ("Direction", dir)],
            3,
        )
        .await;
        let mut want: Vec<String> = store
            .events()
            .iter()
            .map(|e| e.record.event_id.clone().unwrap())
            .collect();
        if dir == "BACKWARD" {
            want.reverse();
        }
        assert_eq!(got, want);
    }
}

#[tokio::test]
async fn range_is_start_inclusive_end_exclusive() {
    let st = store();
    let t = st.get(st.len() / 2).time_ms;
    let at_t: Vec<String> = st
        .events()
        .iter()
        .filter(|e| e.time_ms == t)
        .map(|e| e.record.event_id.clone().unwrap())
        .collect();
    let app = test_app();
    let (ts, t1) = (format_api_time(t), format_api_time(t + 1000));
    let (got, _) = collect_all(
        &app,
        &[
            ("StartTime", &ts),
            ("EndTime", &t1),
            ("Direction", "FORWARD"),
        ],
        50,
    )
    .await;
    assert_eq!(got, at_t, "StartTime is inclusive");
    let before = format_api_time(t - 1000);
    let (got, _) = collect_all(&app, &[("StartTime", &before), ("EndTime", &ts)], 50).await;
    assert!(
        got.iter().all(|id| !at_t.contains(id)),
        "EndTime is exclusive"
    );
}

#[tokio::test]
async fn defaults_are_the_last_seven_days_newest_first_20() {
    let app = test_app();
    let r = lookup(&app, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["StartTime"], format_api_time(END_MS - 7 * DAY_MS));
    assert_eq!(v["EndTime"], format_api_time(END_MS));
    assert_eq!(v["RequestId"].as_str().unwrap().len(), 36);
    let events = v["Events"].as_array().unwrap();
    assert_eq!(events.len(), 20);
    let want = expected(&[], END_MS - 7 * DAY_MS, END_MS, true);
    let got: Vec<&str> = events
        .iter()
        .map(|e| e["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        want[..20].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(v["NextToken"].is_string());
    // Events are the stored JSON, byte for byte.
    let body = r.text();
    let st = store();
    let newest = st
        .events()
        .iter()
        .rev()
        .find(|e| e.time_ms < END_MS)
        .unwrap();
    assert!(body.contains(&*newest.raw));

    // Paging a defaulted query: the whole 7 days.
    let (all, _) = collect_all(&app, &[], 50).await;
    assert_eq!(all, want);

    // MaxResults 0 means the default.
    let v = lookup(&app, &[("MaxResults", "0")]).await.json();
    assert_eq!(v["Events"].as_array().unwrap().len(), 20);
    // Only EndTime given: start is still now - 7 days.
    let v = lookup(&app, &[("EndTime", "2024-05-31T00:00:00Z")])
        .await
        .json();
    assert_eq!(v["StartTime"], format_api_time(END_MS - 7 * DAY_MS));
    assert_eq!(v["EndTime"], "2024-05-31T00:00:00Z");
}

#[tokio::test]
async fn get_post_query_and_form_body_all_work() {
    let app = test_app();
    let params = [
        ("StartTime", START),
        ("EndTime", END),
        ("MaxResults", "5"),
        ("Direction", "FORWARD"),
    ];
    let via_post = lookup(&app, &params).await.json();
    let q = query(&[&[("Action", "LookupEvents")][..], &params[..]].concat());
    let via_get = get(&app, &format!("/api/aliyun/actiontrail?{q}"))
        .await
        .json();
    let form = send(
        &app,
        Request::post("/api/aliyun/actiontrail?Action=LookupEvents")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(query(&params)))
            .unwrap(),
    )
    .await
    .json();
    // V3 style: Action and Version in headers.
    let v3 = send(
        &app,
        Request::post(format!("/api/aliyun/actiontrail?{}", query(&params)))
            .header("x-acs-action", "LookupEvents")
            .header("x-acs-version", "2020-07-06")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .json();
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["Events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["eventId"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&via_post).len(), 5);
    assert_eq!(
        ids(&via_post),
        expected(&[], ms(START), ms(END), false)[..5].to_vec()
    );
    for other in [&via_get, &form, &v3] {
        assert_eq!(ids(other), ids(&via_post));
        assert_eq!(other["StartTime"], START);
        assert_eq!(other["EndTime"], END);
    }
    // Version given and right; common parameters of the SDKs are ignored.
    let r = lookup(
        &app,
        &[
            ("Version", "2020-07-06"),
            ("Format", "JSON"),
            ("SignatureType", ""),
            ("RegionId", "cn-hangzhou"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn next_token_rules() {
    let app = test_app();
    let base = [("StartTime", START), ("EndTime", END)];
    let first = lookup(&app, &[&base[..], &[("MaxResults", "10")]].concat())
        .await
        .json();
    let token = first["NextToken"].as_str().unwrap().to_string();

    // MaxResults may change between pages.
    let r = lookup(
        &app,
        &[&base[..], &[("MaxResults", "3"), ("NextToken", &token)]].concat(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let want = expected(&[], ms(START), ms(END), true);
    let got: Vec<String> = r.json()["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want[10..13].to_vec());

    // An empty NextToken is the first page.
    let r = lookup(
        &app,
        &[&base[..], &[("MaxResults", "10"), ("NextToken", "")]].concat(),
    )
    .await;
    assert_eq!(r.json()["Events"], first["Events"]);

    // Changed parameters: another range, direction, or condition.
    let changed: Vec<Vec<(&str, &str)>> = vec![
        vec![("StartTime", "2024-05-21T00:00:00Z"), ("EndTime", END)],
        vec![("StartTime", START), ("EndTime", "2024-05-29T00:00:00Z")],
        vec![("EndTime", END)],
        vec![
            ("StartTime", START),
            ("EndTime", END),
            ("Direction", "FORWARD"),
        ],
        vec![
            ("StartTime", START),
            ("EndTime", END),
            ("LookupAttribute.1.Key", "ServiceName"),
            ("LookupAttribute.1.Value", "Ecs"),
        ],
    ];
    for params in changed {
        let r = lookup(&app, &[&params[..], &[("NextToken", &token)]].concat()).await;
        let v = assert_alibaba_error(&r, 400, "InvalidNextToken");
        assert!(
            v["Message"].as_str().unwrap().contains("different query"),
            "{v}"
        );
    }
    // Garbage.
    for bad in ["garbage", "eyJ2IjoxfQ", "!!!!", &token[..token.len() - 4]] {
        let r = lookup(&app, &[&base[..], &[("NextToken", bad)]].concat()).await;
        assert_alibaba_error(&r, 400, "InvalidNextToken");
    }
    // The same time written differently is the same query.
    let r = lookup(
        &app,
        &[
            ("StartTime", "2024-05-20T08:00:00+08:00"),
            ("EndTime", END),
            ("NextToken", &token),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn every_error_code() {
    let app = test_app();
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("StartTime", "yesterday")],
            400,
            "InvalidParameterStartTime",
        ),
        (vec![("StartTime", "")], 400, "InvalidParameterStartTime"),
        (
            vec![("StartTime", "2024-13-01T00:00:00Z")],
            400,
            "InvalidParameterStartTime",
        ),
        (
            vec![("EndTime", "2024-05-01 00:00:00")],
            400,
            "InvalidParameterEndTime",
        ),
        (
            vec![("StartTime", END), ("EndTime", START)],
            400,
            "InvalidParameterCombination",
        ),
        (
            vec![("StartTime", START), ("EndTime", START)],
            400,
            "InvalidParameterCombination",
        ),
        (
            vec![("EndTime", "2020-01-01T00:00:00Z")],
            400,
            "InvalidParameterCombination",
        ),
        (vec![("MaxResults", "51")], 400, "InvalidParameter"),
        (vec![("MaxResults", "-1")], 400, "InvalidParameter"),
        (vec![("MaxResults", "ten")], 400, "InvalidParameter"),
        (vec![("MaxResults", "")], 400, "InvalidParameter"),
        (vec![("MaxResults", "+5")], 400, "InvalidParameter"),
        (
            vec![("Direction", "backward")],
            400,
            "InvalidQueryParameter",
        ),
        (
            vec![("Direction", "SIDEWAYS")],
            400,
            "InvalidQueryParameter",
        ),
        (
            vec![
                ("LookupAttribute.1.Key", "Colour"),
                ("LookupAttribute.1.Value", "red"),
            ],
            400,
            "InvalidQueryParameter",
        ),
        (
            vec![
                ("LookupAttribute.1.Key", "EventName"),
                ("LookupAttribute.1.Value", "RunInstances"),
                ("LookupAttribute.2.Key", "User"),
                ("LookupAttribute.2.Value", "alice"),
            ],
            400,
            "InvalidQueryParameter",
        ),
        (
            vec![("LookupAttribute.1.Key", "User")],
            400,
            "InvalidQueryParameter",
        ),
        (
            vec![("LookupAttribute.1.Value", "alice")],
            400,
            "InvalidQueryParameter",
        ),
        (
            vec![("LookupAttribute.one.Key", "User")],
            400,
            "InvalidQueryParameter",
        ),
        (vec![("Version", "2017-12-04")], 400, "InvalidVersion"),
    ];
    for (params, status, code) in cases {
        let r = lookup(&app, &params).await;
        let v = assert_alibaba_error(&r, status, code);
        let msg = v["Message"].as_str().unwrap();
        match code {
            "InvalidParameterStartTime" => assert!(
                msg.starts_with("The specified StartTime is invalid."),
                "{msg}"
            ),
            "InvalidParameterEndTime" => assert!(
                msg.starts_with("The specified EndTime is invalid."),
                "{msg}"
            ),
            "InvalidParameterCombination" => {
                assert_eq!(msg, "The end time must be later than the start time.")
            }
            "InvalidParameter" => assert!(msg.contains("MaxResults"), "{msg}"),
            "InvalidQueryParameter" => assert!(
                msg.starts_with("The specified query parameter is invalid."),
                "{msg}"
            ),
            _ => {}
        }
    }
    // The messages say why.
    let r = lookup(
        &app,
        &[
            ("LookupAttribute.1.Key", "Colour"),
            ("LookupAttribute.1.Value", "red"),
        ],
    )
    .await;
    assert!(r.json()["Message"]
        .as_str()
        .unwrap()
        .contains("'Colour' is not a LookupAttribute key"));
    let r = lookup(
        &app,
        &[
            ("LookupAttribute.1.Key", "EventName"),
            ("LookupAttribute.1.Value", "x"),
            ("LookupAttribute.2.Key", "User"),
            ("LookupAttribute.2.Value", "y"),
        ],
    )
    .await;
    assert!(r.json()["Message"]
        .as_str()
        .unwrap()
        .contains("cannot be combined"));
    let r = lookup(&app, &[("Direction", "up")]).await;
    assert!(r.json()["Message"]
        .as_str()
        .unwrap()
        .contains("BACKWARD or FORWARD"));

    // Action problems.
    let r = get(&app, "/api/aliyun/actiontrail?Action=NoSuchThing").await;
    let v = assert_alibaba_error(&r, 404, "InvalidAction.NotFound");
    assert_eq!(
        v["Message"],
        "Specified api is not found, please check your url and method."
    );
    assert_eq!(v["HostId"], "actiontrail.cn-hangzhou.aliyuncs.com");
    let r = get(&app, "/api/aliyun/actiontrail?MaxResults=5").await;
    let v = assert_alibaba_error(&r, 400, "MissingParameter");
    assert!(v["Message"].as_str().unwrap().contains("\"Action\""));
}

#[tokio::test(start_paused = true)]
async fn throttling_beyond_two_calls_per_second() {
    let app = app_with(store(), 2, "/nonexistent".into());
    assert_eq!(
        lookup(&app, &[("MaxResults", "1")]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        lookup(&app, &[("MaxResults", "1")]).await.status,
        StatusCode::OK
    );
    let r = lookup(&app, &[("MaxResults", "1")]).await;
    let v = assert_alibaba_error(&r, 400, "Throttling.User");
    assert_eq!(v["Message"], "Request was denied due to user flow control.");
    assert_eq!(r.header("x-acs-retry-after"), Some("1"));
    // Invalid calls count too (the gateway throttles before the API validates).
    tokio::time::advance(Duration::from_millis(500)).await;
    assert_eq!(lookup(&app, &[]).await.status, StatusCode::BAD_REQUEST);
    tokio::time::advance(Duration::from_millis(500)).await;
    assert_eq!(lookup(&app, &[]).await.status, StatusCode::OK);
    assert_eq!(lookup(&app, &[]).await.status, StatusCode::OK);
    assert_eq!(lookup(&app, &[]).await.status, StatusCode::BAD_REQUEST);
    // Other actions are not limited.
    tokio::time::advance(Duration::from_secs(1)).await;
    for _ in 0..5 {
        assert_eq!(
            get(&app, "/api/aliyun/actiontrail?Action=Nope")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}
