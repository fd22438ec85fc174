//! `LookupEvents` over the demo store, following the API document:
//!
//! * `StartTime` / `EndTime`: RFC 3339 (`YYYY-MM-DDThh:mm:ssZ`; offsets and fractions are
//!   accepted too). Defaults: start = now - 7 days, end = now. The range is **half-open**:
//!   `StartTime <= eventTime < EndTime`, so adjacent windows never return an event twice. A value
//!   that does not parse (including an empty one) is `InvalidParameterStartTime` /
//!   `InvalidParameterEndTime`; `EndTime <= StartTime` is `InvalidParameterCombination`.
//! * `MaxResults`: an integer 0..=50, default 20; **0 means the default (20)**. Anything else is
//!   `400 InvalidParameter` ("Specified parameter MaxResults is not valid. ...").
//! * `Direction`: `BACKWARD` (default, newest first) or `FORWARD` (oldest first), exactly;
//!   anything else is `400 InvalidQueryParameter`.
//! * `LookupAttribute.N.Key/Value`: the core rules ([`effective_conditions`]); an unknown key,
//!   an empty value or an unsupported pair is `400 InvalidQueryParameter` saying why.
//! * `NextToken`: opaque to clients; base64url (no padding) of a small JSON object
//!   `{"v":1,"q":"<fingerprint>","s":start_ms,"e":end_ms,"p":position}`. The fingerprint hashes
//!   the dataset, the StartTime and EndTime *as given* (parsed; absent stays absent), the
//!   Direction and the effective conditions. `MaxResults` is not part of it: the page size may
//!   change between pages. The token carries the effective range of the first call, so paging a
//!   query that relies on the "now" defaults stays on one window. The position is the last
//!   returned event's place in the store's total order (time, index): stable among events of the
//!   same second. A token that does not decode, or that belongs to other parameters, is
//!   `400 InvalidNextToken`. An empty `NextToken` is read as absent.
//!   The response has `NextToken` only when at least one more matching event exists.

use crate::events::{Fnv, View};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use trailview_core::dialect::AlibabaError;
use trailview_core::lookup::{
    effective_conditions, matches_all, Condition, LookupError, LookupKey,
};
use trailview_core::time::{format_api_time, parse_rfc3339_ms};

use trailview_core::dialect::RpcParams;

pub const DEFAULT_MAX_RESULTS: usize = 20;
pub const MAX_MAX_RESULTS: usize = 50;
pub const DEFAULT_SPAN_MS: i64 = 7 * 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanDirection {
    Backward,
    Forward,
}

impl ScanDirection {
    fn as_str(self) -> &'static str {
        match self {
            ScanDirection::Backward => "BACKWARD",
            ScanDirection::Forward => "FORWARD",
        }
    }
}

/// A validated LookupEvents request.
#[derive(Debug, Clone)]
pub struct Query {
    pub start_ms: i64,
    pub end_ms: i64,
    pub max_results: usize,
    pub direction: ScanDirection,
    pub conditions: Vec<Condition>,
    /// Continue after this store position (from the NextToken).
    pub after: Option<usize>,
    fingerprint: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Token {
    v: u8,
    q: String,
    s: i64,
    e: i64,
    p: usize,
}

fn error(code: &'static str, message: &str) -> AlibabaError {
    AlibabaError::new(400, code, message)
}

fn invalid_token(why: &str) -> AlibabaError {
    error(
        "InvalidNextToken",
        &format!("The specified NextToken is invalid. {why}"),
    )
}

fn lookup_error_message(e: &LookupError) -> String {
    match e {
        LookupError::UnknownKey(_) => {
            let keys: Vec<&str> = LookupKey::ALL.iter().map(|k| k.as_str()).collect();
            format!("{e}; valid keys are {}.", keys.join(", "))
        }
        _ => format!("{e}."),
    }
}

fn parse_time(
    raw: Option<&str>,
    code: &'static str,
    name: &str,
) -> Result<Option<i64>, AlibabaError> {
    match raw {
        None => Ok(None),
        Some(s) => parse_rfc3339_ms(s).map(Some).ok_or_else(|| {
            error(
                code,
                &format!("The specified {name} is invalid. Use UTC in the form YYYY-MM-DDThh:mm:ssZ, e.g. 2020-10-08T11:00:00Z."),
            )
        }),
    }
}

/// Validate the request (everything but the rate limit) against the store.
pub fn parse_query(req: &RpcParams, store: &View<'_>, now_ms: i64) -> Result<Query, AlibabaError> {
    let start_given = parse_time(
        req.get("StartTime"),
        "InvalidParameterStartTime",
        "StartTime",
    )?;
    let end_given = parse_time(req.get("EndTime"), "InvalidParameterEndTime", "EndTime")?;
    let mut start_ms = start_given.unwrap_or(now_ms - DEFAULT_SPAN_MS);
    let mut end_ms = end_given.unwrap_or(now_ms);
    if end_ms <= start_ms {
        return Err(error(
            "InvalidParameterCombination",
            "The end time must be later than the start time.",
        ));
    }

    let max_results = match req.get("MaxResults") {
        None => DEFAULT_MAX_RESULTS,
        Some(s) => match s.parse::<usize>() {
            Ok(0) if s.bytes().all(|b| b.is_ascii_digit()) => DEFAULT_MAX_RESULTS,
            Ok(n) if n <= MAX_MAX_RESULTS && s.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => {
                return Err(AlibabaError::invalid_parameter(
                    "MaxResults",
                    "It must be an integer from 0 to 50 (0 means the default, 20).",
                ))
            }
        },
    };

    let direction = match req.get("Direction") {
        None | Some("BACKWARD") => ScanDirection::Backward,
        Some("FORWARD") => ScanDirection::Forward,
        Some(other) => {
            return Err(AlibabaError::invalid_query(&format!(
                "Direction must be BACKWARD or FORWARD, not '{other}'."
            )))
        }
    };

    let given = req
        .lookup_attributes()
        .map_err(|why| AlibabaError::invalid_query(&format!("{why}.")))?;
    let (conditions, _notes) = effective_conditions(&given)
        .map_err(|e| AlibabaError::invalid_query(&lookup_error_message(&e)))?;

    let mut h = Fnv::new();
    h.write(&store.dataset_id().to_le_bytes());
    for t in [start_given, end_given] {
        match t {
            Some(ms) => h.field(&ms.to_le_bytes()),
            None => h.field(b"default"),
        }
    }
    h.field(direction.as_str().as_bytes());
    for c in &conditions {
        h.field(c.key.as_str().as_bytes());
        h.field(c.value.as_bytes());
    }
    let fingerprint = format!("{:016x}", h.finish());

    let mut after = None;
    if let Some(raw) = req.get("NextToken").filter(|t| !t.is_empty()) {
        let token = decode_token(raw)
            .ok_or_else(|| invalid_token("It is not a token this service issued."))?;
        if token.q != fingerprint {
            return Err(invalid_token(
                "It belongs to a different query: StartTime, EndTime, Direction and LookupAttribute \
                 must be the same as in the request that returned it.",
            ));
        }
        if token.s >= token.e || token.p >= store.len() {
            return Err(invalid_token("It is not a token this service issued."));
        }
        start_ms = token.s;
        end_ms = token.e;
        after = Some(token.p);
    }

    Ok(Query {
        start_ms,
        end_ms,
        max_results,
        direction,
        conditions,
        after,
        fingerprint,
    })
}

fn decode_token(raw: &str) -> Option<Token> {
    // Accept standard base64 too, in case a client re-encoded it.
    let norm: String = raw
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let bytes = URL_SAFE_NO_PAD.decode(norm).ok()?;
    let t: Token = serde_json::from_slice(&bytes).ok()?;
    (t.v == 1).then_some(t)
}

fn encode_token(q: &Query, pos: usize) -> String {
    let t = Token {
        v: 1,
        q: q.fingerprint.clone(),
        s: q.start_ms,
        e: q.end_ms,
        p: pos,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&t).expect("token serializes"))
}

/// One page: store positions in response order, and the position to continue after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanPage {
    pub positions: Vec<usize>,
    pub next_after: Option<usize>,
}

/// Find the page: binary-search the time range, then scan it in the query's direction.
pub fn run(store: &View<'_>, q: &Query) -> ScanPage {
    let mut range = store.range(q.start_ms, q.end_ms);
    match (q.direction, q.after) {
        (ScanDirection::Backward, Some(p)) => range.end = range.end.min(p),
        (ScanDirection::Forward, Some(p)) => range.start = range.start.max(p + 1),
        (_, None) => {}
    }
    if range.start >= range.end {
        return ScanPage {
            positions: Vec::new(),
            next_after: None,
        };
    }
    let matches = |i: &usize| matches_all(&q.conditions, &store.get(*i).record);
    let mut iter: Box<dyn Iterator<Item = usize>> = match q.direction {
        ScanDirection::Backward => Box::new(range.rev().filter(matches)),
        ScanDirection::Forward => Box::new(range.filter(matches)),
    };
    let positions: Vec<usize> = iter.by_ref().take(q.max_results).collect();
    let more = positions.len() == q.max_results && iter.next().is_some();
    ScanPage {
        next_after: if more {
            positions.last().copied()
        } else {
            None
        },
        positions,
    }
}

/// The JSON body: `{"RequestId","StartTime","EndTime","NextToken"?,"Events":[...]}` with the
/// events' stored JSON written out verbatim.
pub fn body(store: &View<'_>, q: &Query, page: &ScanPage, request_id: &str) -> String {
    let events_len: usize = page
        .positions
        .iter()
        .map(|&p| store.get(p).raw.len() + 1)
        .sum();
    let mut s = String::with_capacity(200 + events_len);
    s.push_str("{\"RequestId\":\"");
    s.push_str(request_id);
    s.push_str("\",\"StartTime\":\"");
    s.push_str(&format_api_time(q.start_ms));
    s.push_str("\",\"EndTime\":\"");
    s.push_str(&format_api_time(q.end_ms));
    s.push('"');
    if let Some(p) = page.next_after {
        s.push_str(",\"NextToken\":\"");
        s.push_str(&encode_token(q, p));
        s.push('"');
    }
    s.push_str(",\"Events\":[");
    for (i, &p) in page.positions.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&store.get(p).raw);
    }
    s.push_str("]}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::DemoConfig;
    use crate::DemoEvents;

    fn store() -> DemoEvents {
        DemoEvents::generate(&DemoConfig {
            seed: 5,
            count: 800,
            end_ms: 1_700_000_000_000,
            span_days: 3,
        })
    }

    fn req(q: &str) -> RpcParams {
        crate::params_of(q)
    }

    #[test]
    fn token_roundtrip_and_tamper() {
        let st = store();
        let q = parse_query(&req("Direction=FORWARD"), &st.view(0), 1_700_000_000_000).unwrap();
        let t = encode_token(&q, 17);
        assert!(!t.contains(['+', '/', '=']));
        let d = decode_token(&t).unwrap();
        assert_eq!((d.p, d.s, d.e), (17, q.start_ms, q.end_ms));
        assert!(decode_token("bm90IGpzb24").is_none());
        assert!(decode_token("!!!").is_none());
    }

    #[test]
    fn body_is_valid_json_with_raw_events() {
        let st = store();
        let st = st.view(0);
        let q = parse_query(&req("MaxResults=3"), &st, 1_700_000_000_000).unwrap();
        let page = run(&st, &q);
        assert_eq!(page.positions.len(), 3);
        let b = body(&st, &q, &page, "ID");
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        assert_eq!(v["Events"].as_array().unwrap().len(), 3);
        assert!(v["NextToken"].is_string());
        assert!(b.contains(&*st.get(page.positions[0]).raw));
    }
}
