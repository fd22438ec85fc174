//! One trail file's bytes → its raw records, or a named error.
//!
//! Accepted documents (after an optional UTF-8 byte-order mark and whitespace):
//! - a JSON array of events (ActionTrail's delivered files);
//! - `{"Records":[...]}` (CloudTrail's delivered files);
//! - `{"Events":[...]}` (a saved LookupEvents answer; CloudTrail's items are unwrapped from
//!   their `CloudTrailEvent` string);
//! - events one per line (NDJSON), or one event object alone.
//!
//! Records are kept as raw JSON ([`RawValue`]), as LookupEvents' events are, so the store
//! ingests both the same way. A record with missing or oddly typed fields is kept as it is (the
//! store shows what it has); a document none of whose records looks like an event is "of
//! another shape".

use serde::de::{self, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::fmt;

/// Limits on one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes of JSON text a file may hold (decompressed); a larger file is refused.
    pub max_bytes: usize,
    /// The most records to keep from the file; past it the rest are left out and
    /// [`Batch::capped`] says so.
    pub max_records: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 256 << 20,
            max_records: usize::MAX,
        }
    }
}

/// The form a document had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `[...]`
    Array,
    /// `{"Records":[...]}`
    Records,
    /// `{"Events":[...]}`
    Events,
    /// One JSON value per line (or concatenated).
    Lines,
    /// A single event object.
    Single,
}

/// The records of one file.
#[derive(Debug, Clone)]
pub struct Batch {
    pub records: Vec<Box<RawValue>>,
    pub shape: Shape,
    /// The file had more records than [`Limits::max_records`]; those past it are not here.
    pub capped: bool,
}

/// Why a file gave no records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// No bytes, or only whitespace (after decompression).
    Empty,
    /// Larger than [`Limits::max_bytes`] (compressed or decompressed).
    TooLarge { limit: usize },
    /// Gzip data that cannot be decompressed: bad header, bad deflate data, bad checksum, or
    /// bytes after the last member that are not another member.
    CorruptGzip(String),
    /// Gzip data that stops before its end.
    TruncatedGzip,
    /// Gzip data, and this build has no gzip decoder (the caller decompresses first).
    GzipUnsupported,
    /// An HTML page (an error page or a login page in place of the file), with its title.
    Html { title: Option<String> },
    /// A storage service's XML error (`<Error><Code>AccessDenied</Code>…`) in place of the file.
    StorageError {
        code: String,
        message: Option<String>,
    },
    /// Not JSON (or JSON that ends early): where and why.
    NotJson(String),
    /// JSON, but not events: what it is.
    OtherShape(String),
}

#[cfg(feature = "gzip")]
impl From<super::gzip::GzipError> for FileError {
    fn from(e: super::gzip::GzipError) -> FileError {
        use super::gzip::GzipError;
        match e {
            GzipError::Corrupt(m) => FileError::CorruptGzip(m),
            GzipError::Truncated => FileError::TruncatedGzip,
            GzipError::TooLarge { limit } => FileError::TooLarge { limit },
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Empty => f.write_str("empty file"),
            FileError::TooLarge { limit } => write!(
                f,
                "too large: more than {} MB of JSON (the limit for one file)",
                limit >> 20
            ),
            FileError::CorruptGzip(m) => write!(f, "corrupt gzip: {m}"),
            FileError::TruncatedGzip => f.write_str("truncated gzip: the file stops early"),
            FileError::GzipUnsupported => f.write_str("gzip data, not decompressed"),
            FileError::Html { title: Some(t) } => write!(f, "an HTML page, not events: {t}"),
            FileError::Html { title: None } => f.write_str("an HTML page, not events"),
            FileError::StorageError {
                code,
                message: Some(m),
            } => write!(f, "storage error {code}: {m}"),
            FileError::StorageError {
                code,
                message: None,
            } => write!(f, "storage error {code}"),
            FileError::NotJson(m) => write!(f, "not JSON: {m}"),
            FileError::OtherShape(m) => write!(f, "not trail events: {m}"),
        }
    }
}

impl std::error::Error for FileError {}

/// Does `bytes` start with the gzip magic `1f 8b`?
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// A file's bytes, gzip or not (by its magic bytes, not its name), to its records. Without the
/// `gzip` feature, gzip data is [`FileError::GzipUnsupported`].
pub fn read_file(bytes: &[u8], limits: &Limits) -> Result<Batch, FileError> {
    if bytes.len() > limits.max_bytes {
        return Err(FileError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    if is_gzip(bytes) {
        #[cfg(feature = "gzip")]
        {
            let mut text = super::gzip::gunzip(bytes, limits.max_bytes).map_err(FileError::from)?;
            // Gzip inside gzip: a file compressed again in transit (Content-Encoding: gzip
            // stored as the object's bytes).
            if is_gzip(&text) {
                text = super::gzip::gunzip(&text, limits.max_bytes).map_err(FileError::from)?;
            }
            return parse_document(&text, limits);
        }
        #[cfg(not(feature = "gzip"))]
        return Err(FileError::GzipUnsupported);
    }
    parse_document(bytes, limits)
}

/// Keys whose presence makes a JSON object an event (either cloud's spelling).
const EVENT_KEYS: [&str; 5] = [
    "\"eventName\"",
    "\"eventTime\"",
    "\"eventId\"",
    "\"eventID\"",
    "\"eventSource\"",
];

fn looks_like_event(raw: &RawValue) -> bool {
    let t = raw.get();
    t.starts_with('{') && EVENT_KEYS.iter().any(|k| t.contains(k))
}

/// JSON text (not compressed) to its records.
pub fn parse_document(bytes: &[u8], limits: &Limits) -> Result<Batch, FileError> {
    if bytes.len() > limits.max_bytes {
        return Err(FileError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(FileError::Empty);
    };
    let text = &text[start..];
    let batch = match text[0] {
        b'<' => return Err(markup(text)),
        b'[' => {
            let mut de = serde_json::Deserializer::from_slice(text);
            let (records, capped) = de
                .deserialize_seq(Capped(limits.max_records))
                .and_then(|v| de.end().map(|_| v))
                .map_err(json_error)?;
            Batch {
                records,
                shape: Shape::Array,
                capped,
            }
        }
        b'{' => object_document(text, limits)?,
        _ => {
            return Err(match serde_json::from_slice::<IgnoredAny>(text) {
                Ok(_) => FileError::OtherShape(format!("a lone JSON {}", scalar_kind(text[0]))),
                Err(e) => json_error(e),
            })
        }
    };
    if !batch.records.is_empty() && !batch.records.iter().any(|r| looks_like_event(r)) {
        return Err(FileError::OtherShape(format!(
            "{} records, none with eventName, eventTime, eventId or eventSource",
            batch.records.len()
        )));
    }
    Ok(batch)
}

fn scalar_kind(b: u8) -> &'static str {
    match b {
        b'"' => "string",
        b't' | b'f' => "boolean",
        b'n' => "null",
        _ => "number",
    }
}

fn json_error(e: serde_json::Error) -> FileError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => FileError::OtherShape(e.to_string()),
        Category::Eof => FileError::NotJson(format!("it ends early ({e})")),
        Category::Syntax | Category::Io => FileError::NotJson(e.to_string()),
    }
}

/// A document starting with `{`: a `Records` / `Events` wrapper, one event, or one per line.
fn object_document(text: &[u8], limits: &Limits) -> Result<Batch, FileError> {
    let mut de = serde_json::Deserializer::from_slice(text);
    match de.deserialize_map(WrapperVisitor(limits.max_records)) {
        Ok(w) if de.end().is_ok() => match w {
            Wrapper::Records(records, capped) => Ok(Batch {
                records,
                shape: Shape::Records,
                capped,
            }),
            Wrapper::Events(records, capped) => Ok(Batch {
                records: records.into_iter().map(unwrap_cloudtrail_event).collect(),
                shape: Shape::Events,
                capped,
            }),
            Wrapper::Other(keys) => {
                let raw = serde_json::from_slice::<Box<RawValue>>(text).map_err(json_error)?;
                if looks_like_event(&raw) {
                    Ok(Batch {
                        records: vec![raw],
                        shape: Shape::Single,
                        capped: false,
                    })
                } else {
                    Err(FileError::OtherShape(describe_keys(&keys)))
                }
            }
        },
        // More after the first value: one value per line.
        Ok(_) => lines(text, limits),
        Err(e) => Err(json_error(e)),
    }
}

fn describe_keys(keys: &[String]) -> String {
    if keys.is_empty() {
        return "an empty JSON object".to_string();
    }
    let shown: Vec<&str> = keys.iter().take(5).map(String::as_str).collect();
    let more = if keys.len() > 5 { ", …" } else { "" };
    format!(
        "a JSON object with keys {}{more}, no Records or Events",
        shown.join(", ")
    )
}

/// NDJSON (or concatenated JSON values).
fn lines(text: &[u8], limits: &Limits) -> Result<Batch, FileError> {
    let mut records = Vec::new();
    let mut capped = false;
    for v in serde_json::Deserializer::from_slice(text).into_iter::<Box<RawValue>>() {
        if records.len() == limits.max_records {
            capped = true;
            break;
        }
        records.push(v.map_err(json_error)?);
    }
    Ok(Batch {
        records,
        shape: Shape::Lines,
        capped,
    })
}

/// A CloudTrail LookupEvents item (`{"EventId":…,"CloudTrailEvent":"<the record as a JSON
/// string>"}`) → the record; any other item as it is.
fn unwrap_cloudtrail_event(item: Box<RawValue>) -> Box<RawValue> {
    #[derive(Deserialize)]
    struct Item {
        #[serde(rename = "CloudTrailEvent")]
        event: String,
    }
    if !item.get().contains("\"CloudTrailEvent\"") {
        return item;
    }
    serde_json::from_str::<Item>(item.get())
        .ok()
        .and_then(|i| RawValue::from_string(i.event).ok())
        .unwrap_or(item)
}

/// An HTML page or a storage service's XML error.
fn markup(text: &[u8]) -> FileError {
    let head = String::from_utf8_lossy(&text[..text.len().min(64 << 10)]);
    let tag = |name: &str| -> Option<String> {
        let lower = head.to_ascii_lowercase();
        let open = format!("<{}>", name.to_ascii_lowercase());
        let close = format!("</{}>", name.to_ascii_lowercase());
        let a = lower.find(&open)? + open.len();
        let b = a + lower[a..].find(&close)?;
        let v = head[a..b].trim();
        (!v.is_empty()).then(|| v.chars().take(200).collect())
    };
    if head.contains("<Error>") {
        if let Some(e) = super::listing::StorageError::parse(&head) {
            let cut = |s: String| -> String { s.chars().take(200).collect() };
            return FileError::StorageError {
                code: cut(e.code),
                message: (!e.message.is_empty()).then(|| cut(e.message)),
            };
        }
    }
    FileError::Html {
        title: tag("title"),
    }
}

/// A sequence of raw values, keeping the first `.0` (the rest are read and dropped).
struct Capped(usize);

impl<'de> Visitor<'de> for Capped {
    type Value = (Vec<Box<RawValue>>, bool);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while out.len() < self.0 {
            match seq.next_element::<Box<RawValue>>()? {
                Some(v) => out.push(v),
                None => return Ok((out, false)),
            }
        }
        let mut capped = false;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            capped = true;
        }
        Ok((out, capped))
    }
}

impl<'de> de::DeserializeSeed<'de> for Capped {
    type Value = (Vec<Box<RawValue>>, bool);
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

enum Wrapper {
    Records(Vec<Box<RawValue>>, bool),
    Events(Vec<Box<RawValue>>, bool),
    /// Neither key: the object's keys.
    Other(Vec<String>),
}

struct WrapperVisitor(usize);

impl<'de> Visitor<'de> for WrapperVisitor {
    type Value = Wrapper;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut keys = Vec::new();
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match (&*k, &found) {
                ("Records", None) => {
                    let (r, c) = map.next_value_seed(Capped(self.0))?;
                    found = Some(Wrapper::Records(r, c));
                }
                ("Events", None) => {
                    let (r, c) = map.next_value_seed(Capped(self.0))?;
                    found = Some(Wrapper::Events(r, c));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    if keys.len() < 16 {
                        keys.push(k.into_owned());
                    }
                }
            }
        }
        Ok(found.unwrap_or(Wrapper::Other(keys)))
    }
}
