//! Lenient JSON: strict parsing first, then a bounded repair for the malformed shapes that real
//! API documents and responses contain.
//!
//! Seen in the API documents this project is built from (`shared/seeds/`):
//! - LookupEvents' sample response misses a comma after `"RequestId": "…"` and has a trailing
//!   comma before the final `}`;
//! - DescribeCdnDeliverList's `Content` is a fragment `"data": [...]}}` with no opening brace,
//!   extra closing braces, and markdown escapes (`\[`, `\*`) left in.
//!
//! No maintained crate repairs exactly this (json5 parsers reject unbalanced braces), so this is
//! hand-written: a tokenizer that keeps strings intact, then a pass with a container stack that
//! inserts missing commas, drops trailing commas, wraps a bare `"key": value` sequence in braces,
//! drops stray closers and closes what is left open. Strict JSON never reaches the repair path.

use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenientError {
    /// What the strict parser said about the original text.
    pub strict: String,
    /// What it said after the repair, if a repair was tried.
    pub repaired: Option<String>,
}

impl std::fmt::Display for LenientError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}", self.strict)
    }
}

/// Whether a value came out of strict parsing or needed repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    Strict,
    Repaired,
}

/// Parse `text` as `T`, repairing it if strict parsing fails on syntax.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<(T, Parsed), LenientError> {
    match serde_json::from_str::<T>(text) {
        Ok(v) => Ok((v, Parsed::Strict)),
        // Well-formed JSON of the wrong shape is not "repaired": that would only hide it.
        Err(e) if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() => {
            Err(LenientError {
                strict: e.to_string(),
                repaired: None,
            })
        }
        Err(e) => {
            let fixed = repair(text);
            serde_json::from_str::<T>(&fixed)
                .map(|v| (v, Parsed::Repaired))
                .map_err(|e2| LenientError {
                    strict: e.to_string(),
                    repaired: Some(e2.to_string()),
                })
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open(char),
    Close(char),
    Colon,
    Comma,
    /// A string (already re-escaped as valid JSON, quotes included), number or literal.
    Scalar(String, bool),
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '{' | '[' => out.push(Tok::Open(c)),
            '}' | ']' => out.push(Tok::Close(c)),
            ':' => out.push(Tok::Colon),
            ',' => out.push(Tok::Comma),
            '"' => {
                let mut s = String::from('"');
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        let n = chars[i + 1];
                        if matches!(n, '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u') {
                            s.push('\\');
                            s.push(n);
                        } else {
                            // An invalid escape such as a markdown `\*`: keep the character.
                            s.push(n);
                        }
                        i += 2;
                        continue;
                    }
                    match chars[i] {
                        '\n' => s.push_str("\\n"),
                        '\r' => s.push_str("\\r"),
                        '\t' => s.push_str("\\t"),
                        ch if (ch as u32) < 0x20 => s.push_str(&format!("\\u{:04x}", ch as u32)),
                        ch => s.push(ch),
                    }
                    i += 1;
                }
                s.push('"');
                out.push(Tok::Scalar(s, true));
            }
            c if c.is_whitespace() || c == '\\' => {}
            _ => {
                let start = i;
                while i < chars.len()
                    && !matches!(chars[i], '{' | '}' | '[' | ']' | ':' | ',' | '"' | '\\')
                    && !chars[i].is_whitespace()
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                out.push(Tok::Scalar(word, false));
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Repair malformed JSON text as described in the module docs. The output is not guaranteed
/// to be valid JSON (a bare word stays a bare word), but the shapes above come out valid.
pub fn repair(text: &str) -> String {
    let mut toks = tokenize(text);
    // A bare `"key": ...` sequence: wrap it in an object.
    if matches!(toks.first(), Some(Tok::Scalar(_, true))) && matches!(toks.get(1), Some(Tok::Colon))
    {
        toks.insert(0, Tok::Open('{'));
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut stack: Vec<char> = Vec::new();
    // Did the last emitted token end a value (so a following value needs a comma)?
    let mut after_value = false;
    let mut pending_comma = false;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let next_is_comma = matches!(toks.get(i + 1), Some(Tok::Comma));
        match t {
            Tok::Comma => {
                if after_value {
                    pending_comma = true;
                }
            }
            Tok::Colon => {
                out.push(':');
                after_value = false;
                pending_comma = false;
            }
            Tok::Open(c) => {
                if after_value && !stack.is_empty() {
                    out.push(',');
                }
                pending_comma = false;
                out.push(*c);
                stack.push(*c);
                after_value = false;
            }
            Tok::Close(c) => {
                pending_comma = false; // a trailing comma is dropped
                let want = if *c == '}' { '{' } else { '[' };
                match stack.last() {
                    Some(top) if *top == want => {
                        stack.pop();
                        out.push(*c);
                        after_value = true;
                    }
                    Some(_) if !next_is_comma && stack.contains(&want) => {
                        // Close what is open above the matching container, then it.
                        while let Some(top) = stack.pop() {
                            out.push(if top == '{' { '}' } else { ']' });
                            if top == want {
                                break;
                            }
                        }
                        after_value = true;
                    }
                    _ => {} // a stray closer: drop it
                }
            }
            Tok::Scalar(s, _) => {
                if after_value || pending_comma {
                    out.push(',');
                }
                pending_comma = false;
                out.push_str(s);
                after_value = true;
            }
        }
        if stack.is_empty() && after_value && !out.is_empty() && i + 1 < toks.len() {
            // The top-level value is complete; anything after it is trailing garbage.
            if toks[i + 1..]
                .iter()
                .all(|t| matches!(t, Tok::Close(_) | Tok::Comma))
            {
                break;
            }
        }
        i += 1;
    }
    while let Some(top) = stack.pop() {
        out.push(if top == '{' { '}' } else { ']' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn strict_is_untouched() {
        let (v, how) = from_str::<Value>(r#"{"a":[1,2]}"#).unwrap();
        assert_eq!(v, json!({"a":[1,2]}));
        assert_eq!(how, Parsed::Strict);
    }

    #[test]
    fn missing_and_trailing_commas() {
        let (v, how) = from_str::<Value>("{\n\"a\": \"x\"\n\"b\": 1,\n\"c\": [1,2,],\n}").unwrap();
        assert_eq!(v, json!({"a":"x","b":1,"c":[1,2]}));
        assert_eq!(how, Parsed::Repaired);
    }

    #[test]
    fn bare_fragment_with_extra_braces_and_markdown_escapes() {
        let text = r#""data": \[{"id": 1,"cron": "0 0 0 \* \* ?","reports": \[{"reportId": 1,"conditions": \[{"op": "in","value": \["a","b"]}} },{"reportId": 2}],"deliver": {"email": {"to": \["x"]}}}]}"#;
        let (v, _) = from_str::<Value>(text).unwrap();
        assert_eq!(
            v,
            json!({"data":[{"id":1,"cron":"0 0 0 * * ?",
                "reports":[{"reportId":1,"conditions":[{"op":"in","value":["a","b"]}]},{"reportId":2}],
                "deliver":{"email":{"to":["x"]}}}]})
        );
    }

    #[test]
    fn hopeless_text_is_an_error_with_both_messages() {
        let e = from_str::<Value>("<html>502 Bad Gateway</html>").unwrap_err();
        assert!(e.repaired.is_some());
        // Type errors are not "repaired".
        let e = from_str::<Vec<u32>>(r#"{"a":1}"#).unwrap_err();
        assert!(e.repaired.is_none());
    }

    #[test]
    fn unicode_and_escapes_survive() {
        let (v, _) =
            from_str::<Value>("{\"名\": \"\\u202e王芳\\\"\" \"b\": \"line\nbreak\"}").unwrap();
        assert_eq!(v["名"], json!("\u{202e}王芳\""));
        assert_eq!(v["b"], json!("line\nbreak"));
    }
}
