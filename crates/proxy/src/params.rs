//! RPC request parameters: the query string, plus an `application/x-www-form-urlencoded` body
//! for POST (some SDKs send parameters there). Query parameters come first, so when a name
//! appears in both, the query's value wins. The V3 signature style sends `Action` and
//! `Version` as `x-acs-action` / `x-acs-version` headers instead: those are honoured too.

use axum::http::{header, HeaderMap, Method};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct RpcRequest {
    /// All parameters in arrival order (query, then body).
    pub params: Vec<(String, String)>,
    pub headers: HeaderMap,
}

impl RpcRequest {
    pub fn from_parts(
        method: &Method,
        headers: HeaderMap,
        query: Option<&str>,
        body: &[u8],
    ) -> RpcRequest {
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
        RpcRequest { params, headers }
    }

    /// The first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn param_or_header(&self, name: &str, header: &str) -> Option<&str> {
        self.get(name)
            .or_else(|| self.headers.get(header).and_then(|v| v.to_str().ok()))
            .filter(|v| !v.is_empty())
    }

    /// `Action`, or the `x-acs-action` header.
    pub fn action(&self) -> Option<&str> {
        self.param_or_header("Action", "x-acs-action")
    }

    /// `Version`, or the `x-acs-version` header.
    pub fn version(&self) -> Option<&str> {
        self.param_or_header("Version", "x-acs-version")
    }

    /// `LookupAttribute.N.Key` / `.Value` pairs in N order (N = 1, 2, ...; gaps allowed).
    /// A Key without a Value gets an empty value (which the condition rules reject); a Value
    /// without a Key, or a malformed name, is an error message.
    pub fn lookup_attributes(&self) -> Result<Vec<(String, String)>, String> {
        let mut by_n: BTreeMap<u32, (Option<&str>, Option<&str>)> = BTreeMap::new();
        for (k, v) in &self.params {
            let Some(rest) = k.strip_prefix("LookupAttribute.") else {
                continue;
            };
            let parsed = rest.split_once('.').and_then(|(n, field)| {
                let num: u32 = n.parse().ok()?;
                // Canonical decimal only: no "01", "+1" or "0".
                (num >= 1 && num.to_string() == n).then_some((num, field))
            });
            match parsed {
                Some((n, "Key")) => {
                    by_n.entry(n).or_default().0.get_or_insert(v);
                }
                Some((n, "Value")) => {
                    by_n.entry(n).or_default().1.get_or_insert(v);
                }
                _ => {
                    return Err(format!(
                        "'{k}' is not a valid parameter name: use LookupAttribute.N.Key and LookupAttribute.N.Value with N = 1, 2, ..."
                    ))
                }
            }
        }
        by_n.into_iter()
            .map(|(n, (k, v))| match k {
                Some(k) => Ok((k.to_string(), v.unwrap_or("").to_string())),
                None => Err(format!(
                    "LookupAttribute.{n}.Value is given without LookupAttribute.{n}.Key"
                )),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &str) -> RpcRequest {
        RpcRequest::from_parts(&Method::GET, HeaderMap::new(), Some(q), b"")
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
        let r = RpcRequest::from_parts(
            &Method::POST,
            h,
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
