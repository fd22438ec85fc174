//! RPC request parameters: the query string, plus an `application/x-www-form-urlencoded` body
//! for POST (some SDKs send parameters there). Query parameters come first, so when a name
//! appears in both, the query's value wins. The V3 signature style sends `Action` and
//! `Version` as `x-acs-action` / `x-acs-version` headers instead: those are honoured too.

use axum::http::{header, HeaderMap, Method};

pub use trailview_core::dialect::RpcParams;

/// The parameters of an RPC call as it arrived.
pub fn rpc_params(
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> RpcParams {
    let mut params: Vec<(String, String)> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .starts_with("application/x-www-form-urlencoded")
        });
    if method == Method::POST && form && !body.is_empty() {
        params.extend(form_urlencoded::parse(body).into_owned());
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    RpcParams {
        params,
        action_header: header("x-acs-action"),
        version_header: header("x-acs-version"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &str) -> RpcParams {
        rpc_params(&Method::GET, &HeaderMap::new(), Some(q), b"")
    }

    #[test]
    fn lookup_attributes_in_n_order() {
        let r = req("LookupAttribute.2.Key=EventName&LookupAttribute.2.Value=b&LookupAttribute.1.Value=Ecs&LookupAttribute.1.Key=ServiceName&LookupAttribute.10.Key=User&LookupAttribute.10.Value=z");
        assert_eq!(
            r.lookup_attributes().unwrap(),
            vec![
                ("ServiceName".into(), "Ecs".into()),
                ("EventName".into(), "b".into()),
                ("User".into(), "z".into())
            ]
        );
        assert_eq!(
            req("LookupAttribute.1.Key=User")
                .lookup_attributes()
                .unwrap(),
            vec![("User".into(), String::new())]
        );
        assert!(req("LookupAttribute.1.Value=x")
            .lookup_attributes()
            .is_err());
        assert!(req("LookupAttribute.0.Key=User&LookupAttribute.0.Value=x")
            .lookup_attributes()
            .is_err());
        assert!(req("LookupAttribute.01.Key=User")
            .lookup_attributes()
            .is_err());
        assert!(req("LookupAttribute.1.Name=User")
            .lookup_attributes()
            .is_err());
        assert!(req("LookupAttribute.x.Key=User")
            .lookup_attributes()
            .is_err());
    }

    #[test]
    fn form_body_merges_after_query_and_headers_give_action() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        h.insert("x-acs-action", "LookupEvents".parse().unwrap());
        let r = rpc_params(
            &Method::POST,
            &h,
            Some("MaxResults=5"),
            b"MaxResults=9&Direction=FORWARD&x=a+b%20c",
        );
        assert_eq!(r.get("MaxResults"), Some("5"));
        assert_eq!(r.get("Direction"), Some("FORWARD"));
        assert_eq!(r.get("x"), Some("a b c"));
        assert_eq!(r.action(), Some("LookupEvents"));
        assert_eq!(r.version(), None);
    }
}
