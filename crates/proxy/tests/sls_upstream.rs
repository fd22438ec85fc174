//! SLS and Insights through the signing upstream to the loopback fake cloud, which checks the
//! LOG V1 signature with its own implementation: forwarded on configured projects only, every
//! refusal before signing (the fake sees nothing), the answer's `x-log-*` headers passed back.

mod fake_cloud;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use fake_cloud::*;

fn sls_extra(addr: std::net::SocketAddr) -> String {
    format!("[aliyun.sls]\nregion = \"cn-hangzhou\"\nendpoint = \"http://{addr}\"\nprojects = [\"trail-proj\"]\n")
}

async fn get(app: &axum::Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn get_logs_is_signed_and_forwarded_to_the_project_host() {
    for tokens in [false, true] {
        let (addr, fake) = start(tokens).await;
        let app = proxy_app(addr, &sls_extra(addr), tokens);
        let r = get(
            &app,
            "/api/aliyun/sls/trail-proj/logstores/actiontrail_t?type=log&from=1700000000&to=1700003600&line=100&offset=0&reverse=true&query=%22event.eventName%22%3A%20Delete%2A%20%7C%20select%20count(*)%20as%20n",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.header("x-log-progress"), Some("Incomplete"));
        assert_eq!(r.header("x-log-count"), Some("1"));
        assert_eq!(
            r.header("x-log-requestid"),
            Some("FAKESLS000000000000000002")
        );
        let seen = fake.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].scheme, "sls");
        assert_eq!(seen[0].action, "GET trail-proj /logstores/actiontrail_t");
        assert_eq!(
            seen[0].headers.get("host").unwrap().to_str().unwrap(),
            format!("trail-proj.{addr}")
        );
        assert!(seen[0].params.contains(&(
            "query".into(),
            "\"event.eventName\": Delete* | select count(*) as n".into()
        )));
        assert_eq!(seen[0].headers.contains_key("x-acs-security-token"), tokens);
        // ListLogStores too; an SLS error comes back as SLS wrote it.
        let r = get(
            &app,
            "/api/aliyun/sls/trail-proj/logstores?offset=0&size=500",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["logstores"][0], "actiontrail_fake");
        let r = get(
            &app,
            "/api/aliyun/sls/trail-proj/logstores/missing?type=log&from=0&to=1",
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["errorCode"], "LogStoreNotExist");
        assert_eq!(
            r.header("x-log-requestid"),
            Some("FAKESLSERR000000000000001")
        );
        assert!(!r.body.contains(ALI_SECRET));
        assert_eq!(fake.seen().len(), 3);
    }
}

#[tokio::test]
async fn refusals_never_reach_the_cloud() {
    let (addr, fake) = start(false).await;
    let app = proxy_app(addr, &sls_extra(addr), false);
    for (method, uri) in [
        (
            "GET",
            "/api/aliyun/sls/other-proj/logstores/actiontrail_t?type=log&from=0&to=1",
        ),
        ("GET", "/api/aliyun/sls/other-proj/logstores"),
        ("POST", "/api/aliyun/sls/trail-proj/logstores/actiontrail_t"),
        ("PUT", "/api/aliyun/sls/trail-proj/logstores/actiontrail_t"),
        (
            "DELETE",
            "/api/aliyun/sls/trail-proj/logstores/actiontrail_t",
        ),
        (
            "GET",
            "/api/aliyun/sls/trail-proj/logstores/actiontrail_t/shards/0?type=logs",
        ),
        (
            "GET",
            "/api/aliyun/sls/trail-proj/logstores/actiontrail_t/index",
        ),
        (
            "GET",
            "/api/aliyun/sls/trail-proj/logstores/actiontrail_t?type=log&extra=1",
        ),
        ("GET", "/api/aliyun/sls/trail-proj"),
        ("GET", "/api/aliyun/sls/trail-proj/machinegroups"),
        // GetHistograms on GetLogs' path, and GetLogs without its type.
        (
            "GET",
            "/api/aliyun/sls/trail-proj/logstores/actiontrail_t?type=histogram&from=0&to=1",
        ),
        (
            "GET",
            "/api/aliyun/sls/trail-proj/logstores/actiontrail_t?from=0&to=1",
        ),
    ] {
        let r = send(
            &app,
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {uri}: {}",
            r.body
        );
        assert_eq!(r.json()["errorCode"], "Unauthorized", "{uri}");
        assert!(r.header("x-log-requestid").is_some());
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn insights_operations_are_forwarded_and_query_definitions_are_not() {
    let (addr, fake) = start(false).await;
    let app = proxy_app(addr, "", false);
    let logs = |target: &'static str| {
        let app = app.clone();
        async move {
            send(
                &app,
                Request::post("/api/aws/logs")
                    .header("content-type", "application/x-amz-json-1.1")
                    .header("x-amz-target", target)
                    .body(Body::from(r#"{"queryId":"q"}"#))
                    .unwrap(),
            )
            .await
        }
    };
    for refused in [
        "Logs_20140328.DeleteQueryDefinition",
        "Logs_20140328.PutQueryDefinition",
        "Logs_20140328.DeleteLogGroup",
    ] {
        let r = logs(refused).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{refused}");
        assert_eq!(r.json()["__type"], "AccessDeniedException");
    }
    assert!(fake.seen().is_empty());
    for forwarded in [
        "Logs_20140328.StartQuery",
        "Logs_20140328.GetQueryResults",
        "Logs_20140328.StopQuery",
    ] {
        logs(forwarded).await;
    }
    let seen: Vec<String> = fake.seen().into_iter().map(|s| s.action).collect();
    assert_eq!(
        seen,
        [
            "Logs_20140328.StartQuery",
            "Logs_20140328.GetQueryResults",
            "Logs_20140328.StopQuery"
        ]
    );
    // No [aliyun.sls]: not configured, in SLS's shape.
    let r = get(&app, "/api/aliyun/sls/trail-proj/logstores").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["errorCode"], "Proxy.UpstreamNotConfigured");
}
