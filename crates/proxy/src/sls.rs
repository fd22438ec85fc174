//! The SLS routes: `GET /api/aliyun/sls/{project}/logstores/{logstore}?type=log&...` (GetLogs)
//! and `GET /api/aliyun/sls/{project}/logstores` (ListLogStores), SLS's own wire format
//! (query parameters in, JSON and `x-log-*` headers out, errors `{"errorCode","errorMessage"}`
//! with `x-log-requestid`).
//!
//! [`SlsCall::parse`] reads a request off the route and applies the checks every mode shares:
//! only GET, a project and logstore of SLS's name forms, the operation's own query parameters
//! (each at most once) and nothing else. The upstream then checks the project against
//! `[aliyun.sls] projects` before it signs; [`SlsRefusal`] says why one is refused (403).

use axum::http::Method;
use trailview_core::catalogue::{self, Api, Operation};

/// GetLogs' query parameters (the v1 API's, as the SDK sends them).
const GET_LOGS_PARAMS: &[&str] = &[
    "type", "from", "to", "line", "offset", "reverse", "query", "topic", "powerSql",
];
/// ListLogStores' query parameters.
const LIST_PARAMS: &[&str] = &["offset", "size", "logstoreName"];

/// Why an SLS request is refused (403, before signing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlsRefusal {
    /// Not GET.
    Method(String),
    /// A path that is neither GetLogs' nor ListLogStores'.
    Path(String),
    /// Not a project name.
    ProjectName(String),
    /// Not a logstore name.
    LogstoreName(String),
    /// A parameter the operation does not take, or one given twice.
    Param(String),
    /// A query that is not `application/x-www-form-urlencoded` UTF-8.
    Query,
    /// Not one of `[aliyun.sls] projects`.
    Project(String),
}

impl SlsRefusal {
    pub fn message(&self) -> String {
        let why = match self {
            SlsRefusal::Method(m) => format!("the method {m} (only GET is)"),
            SlsRefusal::Path(p) => format!("the path '{p}' (only GetLogs and ListLogStores are)"),
            SlsRefusal::ProjectName(p) => format!("'{p}', which is not a project name"),
            SlsRefusal::LogstoreName(l) => format!("'{l}', which is not a logstore name"),
            SlsRefusal::Param(p) => format!("the parameter '{p}'"),
            SlsRefusal::Query => "a query string that cannot be read".into(),
            SlsRefusal::Project(p) => format!("the project '{p}' (not a configured one)"),
        };
        let allowed: Vec<&str> = Api::Sls.forwarded().map(|o| o.name).collect();
        format!(
            "trailview-proxy does not forward {why}. SLS is read-only through the proxy: only {} on the configured projects.",
            allowed.join(", ")
        )
    }
}

/// A checked SLS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlsCall {
    pub project: String,
    /// `Some`: GetLogs of this logstore; `None`: ListLogStores.
    pub logstore: Option<String>,
    /// The query parameters, decoded, in arrival order.
    pub params: Vec<(String, String)>,
}

/// SLS's project names: 3 to 63 lowercase letters, digits and hyphens, starting and ending
/// with a letter or digit.
pub fn valid_project(name: &str) -> bool {
    valid_name(name, b"-")
}

/// SLS's logstore names: 3 to 63 lowercase letters, digits, hyphens and underscores, starting
/// and ending with a letter or digit.
pub fn valid_logstore(name: &str) -> bool {
    valid_name(name, b"-_")
}

fn valid_name(name: &str, extra: &[u8]) -> bool {
    let b = name.as_bytes();
    let plain = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (3..=63).contains(&b.len())
        && b.iter().all(|c| plain(c) || extra.contains(c))
        && b.first().is_some_and(plain)
        && b.last().is_some_and(plain)
}

impl SlsCall {
    /// Read a call off `path` (the whole request path, `/api/aliyun/sls/...`) and `query`.
    pub fn parse(method: &Method, path: &str, query: Option<&str>) -> Result<SlsCall, SlsRefusal> {
        if method != Method::GET {
            return Err(SlsRefusal::Method(method.to_string()));
        }
        let route = format!("/api/{}/", Api::Sls.route());
        let rest = path
            .strip_prefix(&route)
            .ok_or_else(|| SlsRefusal::Path(path.to_string()))?;
        let parts: Vec<&str> = rest.split('/').collect();
        let (project, logstore) = match parts.as_slice() {
            [p, "logstores"] => (*p, None),
            [p, "logstores", l] => (*p, Some(*l)),
            _ => return Err(SlsRefusal::Path(path.to_string())),
        };
        if !valid_project(project) {
            return Err(SlsRefusal::ProjectName(project.to_string()));
        }
        if let Some(l) = logstore.filter(|l| !valid_logstore(l)) {
            return Err(SlsRefusal::LogstoreName(l.to_string()));
        }
        let allowed = if logstore.is_some() {
            GET_LOGS_PARAMS
        } else {
            LIST_PARAMS
        };
        let mut params: Vec<(String, String)> = Vec::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| trailview_core::percent::decode(s).ok_or(SlsRefusal::Query);
            let (k, v) = (decode(k)?, decode(v)?);
            if !allowed.contains(&k.as_str()) || params.iter().any(|(x, _)| *x == k) {
                return Err(SlsRefusal::Param(k));
            }
            params.push((k, v));
        }
        // GetLogs is `type=log`; the same path with `type=histogram` is GetHistograms, which is
        // not forwarded.
        if logstore.is_some() && !params.iter().any(|(k, v)| k == "type" && v == "log") {
            let t = params
                .iter()
                .find(|(k, _)| k == "type")
                .map(|(_, v)| v.clone());
            return Err(SlsRefusal::Param(match t {
                Some(t) => format!("type={t}"),
                None => "type, missing (GetLogs is type=log)".into(),
            }));
        }
        Ok(SlsCall {
            project: project.to_string(),
            logstore: logstore.map(String::from),
            params,
        })
    }

    pub fn operation(&self) -> &'static Operation {
        match self.logstore {
            Some(_) => &catalogue::SLS_GET_LOGS,
            None => &catalogue::SLS_LIST_LOG_STORES,
        }
    }

    /// The path on the SLS host: `/logstores[/{logstore}]`.
    pub fn upstream_path(&self) -> String {
        match &self.logstore {
            Some(l) => format!("/logstores/{l}"),
            None => "/logstores".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(method: Method, path: &str, query: Option<&str>) -> Result<SlsCall, SlsRefusal> {
        SlsCall::parse(&method, path, query)
    }

    #[test]
    fn reads_get_logs_and_list_log_stores() {
        let c = parse(
            Method::GET,
            "/api/aliyun/sls/trailview-demo/logstores/actiontrail_demo-trail",
            Some("type=log&from=1&to=2&query=%2A%20%7C%20select%20count%28%2A%29&line=100"),
        )
        .unwrap();
        assert_eq!(c.operation().name, "GetLogs");
        assert_eq!(c.upstream_path(), "/logstores/actiontrail_demo-trail");
        assert_eq!(c.params[3], ("query".into(), "* | select count(*)".into()));
        let l = parse(
            Method::GET,
            "/api/aliyun/sls/trailview-demo/logstores",
            None,
        )
        .unwrap();
        assert_eq!(l.operation().name, "ListLogStores");
        assert_eq!(l.upstream_path(), "/logstores");
    }

    #[test]
    fn refuses_anything_else() {
        let p = "/api/aliyun/sls/proj/logstores/store";
        for (m, path, q, want) in [
            (Method::POST, p, None, SlsRefusal::Method("POST".into())),
            (Method::DELETE, p, None, SlsRefusal::Method("DELETE".into())),
            (
                Method::GET,
                "/api/aliyun/sls/proj",
                None,
                SlsRefusal::Path("/api/aliyun/sls/proj".into()),
            ),
            (
                Method::GET,
                "/api/aliyun/sls/proj/logstores/store/shards/0",
                None,
                SlsRefusal::Path("/api/aliyun/sls/proj/logstores/store/shards/0".into()),
            ),
            (
                Method::GET,
                "/api/aliyun/sls/Proj/logstores",
                None,
                SlsRefusal::ProjectName("Proj".into()),
            ),
            (
                Method::GET,
                "/api/aliyun/sls/p/logstores",
                None,
                SlsRefusal::ProjectName("p".into()),
            ),
            (
                Method::GET,
                "/api/aliyun/sls/proj/logstores/..",
                None,
                SlsRefusal::LogstoreName("..".into()),
            ),
            (
                Method::GET,
                p,
                Some("type=log&action=split"),
                SlsRefusal::Param("action".into()),
            ),
            (
                Method::GET,
                p,
                Some("query=a&query=b"),
                SlsRefusal::Param("query".into()),
            ),
            (
                Method::GET,
                "/api/aliyun/sls/proj/logstores",
                Some("query=a"),
                SlsRefusal::Param("query".into()),
            ),
            (Method::GET, p, Some("query=%ZZ"), SlsRefusal::Query),
        ] {
            assert_eq!(parse(m, path, q), Err(want), "{path} {q:?}");
        }
    }

    #[test]
    fn names() {
        assert!(valid_project("trailview-demo"));
        assert!(!valid_project("trailview_demo"));
        assert!(valid_logstore("actiontrail_demo-trail"));
        assert!(!valid_logstore("_x_"));
        assert!(!valid_logstore(&"a".repeat(64)));
    }
}
