//! Paths into a JSON document (`userIdentity.userName`, `items[3]`, `requestParameters["a.b"]`),
//! used by the JSON tree (copy path, filter for this value) and by path filters over the store.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPath(pub Vec<Segment>);

fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

impl JsonPath {
    pub fn root() -> Self {
        JsonPath(Vec::new())
    }
    pub fn key(&self, k: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Segment::Key(k.to_string()));
        JsonPath(v)
    }
    pub fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Segment::Index(i));
        JsonPath(v)
    }

    /// The value at this path.
    pub fn lookup<'a>(&self, mut v: &'a Value) -> Option<&'a Value> {
        for s in &self.0 {
            v = match s {
                Segment::Key(k) => v.as_object()?.get(k)?,
                Segment::Index(i) => v.as_array()?.get(*i)?,
            };
        }
        Some(v)
    }

    /// The value at this path in JSON text, as compact canonical JSON, without building the
    /// whole document (other members are skipped unparsed). `None` if absent or not JSON.
    pub fn extract(&self, json: &str) -> Option<String> {
        let mut cur: &RawValue = serde_json::from_str(json).ok()?;
        for s in &self.0 {
            let mut de = serde_json::Deserializer::from_str(cur.get());
            cur = de.deserialize_any(Find(s)).ok()??;
        }
        let v: Value = serde_json::from_str(cur.get()).ok()?;
        Some(canonical(&v))
    }

    /// Parse the display form back (`a.b[3]["x.y"]`).
    pub fn parse(s: &str) -> Option<JsonPath> {
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'.' => i += 1,
                b'[' if b.get(i + 1) == Some(&b'"') => {
                    // A JSON string key: find its end by parsing.
                    let rest = &s[i + 1..];
                    let mut de = serde_json::Deserializer::from_str(rest).into_iter::<String>();
                    let k = de.next()?.ok()?;
                    let used = de.byte_offset();
                    i += 1 + used;
                    if b.get(i) != Some(&b']') {
                        return None;
                    }
                    i += 1;
                    out.push(Segment::Key(k));
                }
                b'[' => {
                    let end = s[i..].find(']')? + i;
                    out.push(Segment::Index(s[i + 1..end].parse().ok()?));
                    i = end + 1;
                }
                _ => {
                    let end = s[i..].find(['.', '[']).map_or(s.len(), |e| e + i);
                    out.push(Segment::Key(s[i..end].to_string()));
                    i = end;
                }
            }
        }
        Some(JsonPath(out))
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for (n, s) in self.0.iter().enumerate() {
            match s {
                Segment::Key(k) if is_plain_key(k) => {
                    if n > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => write!(f, "[{}]", Value::String(k.clone()))?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// Compact JSON of a value: the form path filters compare.
pub fn canonical(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

struct Find<'s>(&'s Segment);

impl<'de> Visitor<'de> for Find<'_> {
    type Value = Option<&'de RawValue>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object or array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match self.0 {
                Segment::Key(want) if found.is_none() && *k == **want => {
                    found = Some(map.next_value::<&'de RawValue>()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut i = 0;
        loop {
            if matches!(self.0, Segment::Index(want) if *want == i) {
                match seq.next_element::<&'de RawValue>()? {
                    Some(v) => found = Some(v),
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            i += 1;
        }
        Ok(found)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn display_and_parse_roundtrip() {
        let p = JsonPath::root()
            .key("requestParameters")
            .key("LookupAttribute.1.Key")
            .key("x")
            .index(3);
        let s = p.to_string();
        assert_eq!(s, r#"requestParameters["LookupAttribute.1.Key"].x[3]"#);
        assert_eq!(JsonPath::parse(&s), Some(p));
        assert_eq!(JsonPath::parse("a.b[2]").unwrap().to_string(), "a.b[2]");
        let odd = JsonPath::root().key("we\"ird]").key("中文");
        assert_eq!(JsonPath::parse(&odd.to_string()), Some(odd));
    }

    #[test]
    fn lookup_and_extract_agree() {
        let doc = json!({"a":{"b.c":[1,{"d":"x"}],"e":null},"f":"\u{202e}"});
        let text = serde_json::to_string_pretty(&doc).unwrap();
        for (p, want) in [
            (
                JsonPath::root().key("a").key("b.c").index(1).key("d"),
                Some(json!("x")),
            ),
            (JsonPath::root().key("a").key("e"), Some(json!(null))),
            (
                JsonPath::root().key("a").key("b.c").index(0),
                Some(json!(1)),
            ),
            (JsonPath::root().key("f"), Some(json!("\u{202e}"))),
            (JsonPath::root().key("a").key("zz"), None),
            (JsonPath::root().key("f").key("x"), None),
        ] {
            assert_eq!(p.lookup(&doc).cloned(), want, "{p}");
            assert_eq!(p.extract(&text), want.as_ref().map(canonical), "{p}");
        }
    }
}
