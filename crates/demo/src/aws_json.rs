//! What the demo's AWS JSON 1.1 services share: an error as (HTTP status, `__type`, message),
//! the request body read as a JSON object, and a NextToken for a list paged by position.

use crate::events::Fnv;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

/// An error before it is written: (HTTP status, `__type`, message).
pub type AwsErr = (u16, &'static str, String);

/// The request body as a JSON object (an empty body is `{}`); anything else is
/// `400 SerializationException`.
pub fn parse_body(body: &[u8]) -> Result<Map<String, Value>, AwsErr> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err((
            400,
            "SerializationException",
            "The request body is not a JSON object.".into(),
        )),
    }
}

/// A NextToken: a position in a list, bound to the query that listed it (a fingerprint of
/// the query's other parameters), as `<position>.<fingerprint>` in base64url. A token of
/// another query, or one that does not read back, is refused ([`PageToken::read`] is `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageToken {
    query: u64,
}

impl PageToken {
    /// The tokens of the query whose parameters are `fields` (each hashed as a field, so that
    /// ("ab", "c") and ("a", "bc") differ).
    pub fn of(fields: &[&[u8]]) -> PageToken {
        let mut h = Fnv::new();
        for f in fields {
            h.field(f);
        }
        PageToken { query: h.finish() }
    }

    pub fn write(self, position: usize) -> String {
        URL_SAFE_NO_PAD.encode(format!("{position}.{:x}", self.query))
    }

    /// The position a token of this query holds.
    pub fn read(self, token: &str) -> Option<usize> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
        let (position, query) = text.split_once('.')?;
        (u64::from_str_radix(query, 16).ok()? == self.query)
            .then(|| position.parse().ok())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_back_only_for_its_query() {
        let q = PageToken::of(&[b"ab", b"c"]);
        assert_eq!(q.read(&q.write(42)), Some(42));
        assert_eq!(q.read(&q.write(usize::MAX)), Some(usize::MAX));
        assert_ne!(q, PageToken::of(&[b"a", b"bc"]));
        assert_eq!(PageToken::of(&[b"a", b"bc"]).read(&q.write(42)), None);
        for bad in ["", "bm9wZQ", "!!", &URL_SAFE_NO_PAD.encode("x.0")] {
            assert_eq!(q.read(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_body_is_an_object() {
        assert!(parse_body(b"  ").unwrap().is_empty());
        assert_eq!(parse_body(br#"{"a":1}"#).unwrap()["a"], 1);
        assert_eq!(parse_body(b"[1]").unwrap_err().1, "SerializationException");
    }
}
