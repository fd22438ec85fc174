//! Paths into a JSON document (`userIdentity.userName`, `items[3]`, `requestParameters["a.b"]`),
//! used by the JSON tree (copy path, filter for this value) and by path filters over the store.

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
    /// whole document: one pass over the bytes skips other members (strings, nesting) without
    /// parsing them; only the value found is parsed. With duplicate keys the last one wins, as
    /// in a parsed `Value`. `None` if absent or not JSON.
    ///
    /// Hand-written because it runs for every loaded event when a tree filter names a path
    /// that is not an indexed column: serde_json's `RawValue` + `IgnoredAny` route parsed each
    /// event about three times over (~3 µs an event natively, ~8 µs in wasm).
    pub fn extract(&self, json: &str) -> Option<String> {
        self.extract_bytes(json.as_bytes())
    }

    /// [`JsonPath::extract`] on JSON bytes (not valid UTF-8 where it matters: `None`).
    pub fn extract_bytes(&self, b: &[u8]) -> Option<String> {
        let mut range = (0, b.len());
        for seg in &self.0 {
            range = find_in(b, range.0, seg)?;
        }
        let v: Value = serde_json::from_slice(&b[range.0..range.1]).ok()?;
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

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Past the string starting at `b[i] == '"'`.
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Past the value starting at `b[i]` (no whitespace before it), without validating it.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// Whether the JSON string `raw` (with its quotes) is `want`.
fn key_is(raw: &[u8], want: &str) -> bool {
    let inner = &raw[1..raw.len() - 1];
    if !inner.contains(&b'\\') {
        return inner == want.as_bytes();
    }
    serde_json::from_slice::<String>(raw).is_ok_and(|k| k == want)
}

/// The byte range of `seg`'s value inside the value that starts at `start` (after whitespace).
fn find_in(b: &[u8], start: usize, seg: &Segment) -> Option<(usize, usize)> {
    let mut i = skip_ws(b, start);
    match (b.get(i)?, seg) {
        (b'{', Segment::Key(want)) => {
            let mut found = None;
            i = skip_ws(b, i + 1);
            if b.get(i) == Some(&b'}') {
                return None;
            }
            loop {
                if b.get(i) != Some(&b'"') {
                    return None;
                }
                let key_end = skip_string(b, i)?;
                let key = &b[i..key_end];
                i = skip_ws(b, key_end);
                if b.get(i) != Some(&b':') {
                    return None;
                }
                let v_start = skip_ws(b, i + 1);
                let v_end = skip_value(b, v_start)?;
                if key_is(key, want) {
                    found = Some((v_start, v_end)); // the last duplicate wins
                }
                i = skip_ws(b, v_end);
                match b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    b'}' => return found,
                    _ => return None,
                }
            }
        }
        (b'[', Segment::Index(want)) => {
            i = skip_ws(b, i + 1);
            if b.get(i) == Some(&b']') {
                return None;
            }
            let mut n = 0;
            loop {
                let v_end = skip_value(b, i)?;
                if n == *want {
                    return Some((i, v_end));
                }
                n += 1;
                i = skip_ws(b, v_end);
                match b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    _ => return None,
                }
            }
        }
        _ => None,
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
            (JsonPath::root().key("a").key("b.c").index(2), None),
            (JsonPath::root().index(0), None),
        ] {
            assert_eq!(p.lookup(&doc).cloned(), want, "{p}");
            assert_eq!(p.extract(&text), want.as_ref().map(canonical), "{p}");
            assert_eq!(
                p.extract(&doc.to_string()),
                want.as_ref().map(canonical),
                "{p} compact"
            );
        }
    }

    #[test]
    fn extract_skips_tricky_members_and_takes_the_last_duplicate() {
        let text = r#" { "s": "a \"}]{[ b", "n": [ {"x": "]"}, [1, [2]] ], "k\u0041y": 1,
            "e": {}, "z": [], "d": 1, "d": {"v": [true, null, -1.5e3]} } "#;
        let p = |s: &str| JsonPath::parse(s).unwrap();
        assert_eq!(p("s").extract(text).as_deref(), Some(r#""a \"}]{[ b""#));
        assert_eq!(p("n[0].x").extract(text).as_deref(), Some(r#""]""#));
        assert_eq!(p("n[1][1][0]").extract(text).as_deref(), Some("2"));
        assert_eq!(p("kAy").extract(text).as_deref(), Some("1"), "escaped key");
        assert_eq!(p("e").extract(text).as_deref(), Some("{}"));
        assert_eq!(p("e.x").extract(text), None);
        assert_eq!(p("z[0]").extract(text), None);
        assert_eq!(p("d.v[2]").extract(text).as_deref(), Some("-1500.0"));
        let parsed: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            p("d").lookup(&parsed).map(canonical),
            p("d").extract(text),
            "same duplicate rule as a parsed document"
        );
        // Not JSON, or cut short: absent, never a panic. (Only the way to the value is read: a
        // document broken after it still yields it, e.g. `[1,` at [0].)
        for bad in [
            "",
            "{",
            r#"{"a""#,
            r#"{"a":"#,
            r#"{"a":1"#,
            r#"{"a" 1}"#,
            "[1,",
            r#"{"a":"x}"#,
            "nul",
            "[",
            "[nul]",
        ] {
            assert_eq!(p("a").extract(bad), None, "{bad:?}");
            assert_eq!(p("[1]").extract(bad), None, "{bad:?}");
        }
        assert_eq!(
            p("[0]").extract("[nul]"),
            None,
            "the value itself is parsed"
        );
        assert_eq!(
            JsonPath::root().extract(" [1, 2] ").as_deref(),
            Some("[1,2]")
        );
    }
}
