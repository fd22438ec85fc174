//! The storage APIs' wire types the trail-file source speaks: a ListObjectsV2 query and its
//! XML answer, and the XML error body. OSS and S3 share these shapes (OSS modelled its API on
//! S3's), so one set of types serves both clouds, the app, the proxy's allowlist and the demo
//! buckets.
//!
//! The XML is read by the small reader at the end of this file, not by an XML crate: the app's
//! wasm bundle has little size budget left, and these two fixed, shallow documents need only
//! elements, text, the five named entities and numeric character references (`&#..;`,
//! `&#x..;`). A general XML crate (quick-xml plus its serde glue) would bring far more code
//! than this reader for no gain here. Attributes (`xmlns`) are skipped, comments, the XML
//! declaration and `<!DOCTYPE>` are skipped, and CDATA sections are read as text.

use std::fmt;

/// The most keys one ListObjectsV2 page holds (S3's documented cap; OSS's too).
pub const MAX_KEYS_CAP: u32 = 1000;

/// The query of a ListObjectsV2 call (`GET /{bucket}?list-type=2&...`), the same for OSS and
/// S3. Empty values read as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListObjectsRequest {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub continuation_token: Option<String>,
    pub start_after: Option<String>,
    pub max_keys: Option<u32>,
}

/// Why a query is not a ListObjectsV2 query this app sends (the proxy answers 403 before
/// signing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryRefused {
    /// No `list-type=2`: a ListObjects (V1) call, or a `list-type` of another value.
    NotListV2,
    /// A parameter or sub-resource other than ListObjectsV2's own (`acl`, `policy`, `uploads`,
    /// `versions`, `fetch-owner`, ...).
    Parameter(String),
    /// The same parameter twice.
    Duplicate(String),
    /// A value that does not parse (`max-keys=abc`) or is not text (bad percent-encoding).
    BadValue(String),
}

impl fmt::Display for QueryRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryRefused::NotListV2 => f.write_str("only ListObjectsV2 (list-type=2) is allowed"),
            QueryRefused::Parameter(p) => write!(f, "query parameter not allowed: {p}"),
            QueryRefused::Duplicate(p) => write!(f, "query parameter given twice: {p}"),
            QueryRefused::BadValue(p) => write!(f, "bad value for query parameter {p}"),
        }
    }
}

impl std::error::Error for QueryRefused {}

impl ListObjectsRequest {
    /// `list-type=2` and the set parameters, each value percent-encoded as SigV4 and OSS V4
    /// canonicalise them (only `A-Z a-z 0-9 - _ . ~` left as they are), so the string can be
    /// signed as sent.
    pub fn to_query(&self) -> String {
        let mut q = String::from("list-type=2");
        let mut put = |name: &str, value: &str| {
            q.push('&');
            q.push_str(name);
            q.push('=');
            crate::percent::encode_into(&mut q, value, crate::percent::Slash::Encode);
        };
        if let Some(t) = &self.continuation_token {
            put("continuation-token", t);
        }
        if let Some(d) = &self.delimiter {
            put("delimiter", d);
        }
        if let Some(n) = self.max_keys {
            put("max-keys", &n.to_string());
        }
        put("prefix", &self.prefix);
        if let Some(s) = &self.start_after {
            put("start-after", s);
        }
        q
    }

    /// Parse a raw query string (without `?`). Refuses anything but ListObjectsV2's own
    /// parameters, each at most once, with `list-type=2`.
    pub fn from_query(q: &str) -> Result<Self, QueryRefused> {
        let mut req = ListObjectsRequest::default();
        let mut seen: Vec<String> = Vec::new();
        let mut list_type = false;
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = percent_decode(raw_name)
                .ok_or_else(|| QueryRefused::BadValue(raw_name.to_string()))?;
            let value =
                percent_decode(raw_value).ok_or_else(|| QueryRefused::BadValue(name.clone()))?;
            if seen.contains(&name) {
                return Err(QueryRefused::Duplicate(name));
            }
            let some = |v: String| (!v.is_empty()).then_some(v);
            match name.as_str() {
                "list-type" => {
                    if value != "2" {
                        return Err(QueryRefused::NotListV2);
                    }
                    list_type = true;
                }
                "prefix" => req.prefix = value,
                "delimiter" => req.delimiter = some(value),
                "continuation-token" => req.continuation_token = some(value),
                "start-after" => req.start_after = some(value),
                "max-keys" => {
                    req.max_keys = if value.is_empty() {
                        None
                    } else {
                        Some(
                            value
                                .parse::<u32>()
                                .map_err(|_| QueryRefused::BadValue(name.clone()))?,
                        )
                    }
                }
                _ => return Err(QueryRefused::Parameter(name)),
            }
            seen.push(name);
        }
        if !list_type {
            return Err(QueryRefused::NotListV2);
        }
        Ok(req)
    }

    /// The page size a server uses for this request: `max-keys` capped at
    /// [`MAX_KEYS_CAP`], and the cap when not given.
    pub fn page_size(&self) -> u32 {
        self.max_keys.unwrap_or(MAX_KEYS_CAP).min(MAX_KEYS_CAP)
    }
}

/// One page of a ListObjectsV2 answer (`<ListBucketResult>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListObjectsPage {
    pub name: String,
    pub prefix: String,
    pub delimiter: Option<String>,
    pub max_keys: u32,
    pub key_count: u32,
    pub is_truncated: bool,
    pub continuation_token: Option<String>,
    pub next_continuation_token: Option<String>,
    pub contents: Vec<ObjectEntry>,
    pub common_prefixes: Vec<String>,
}

/// One object of a listing (`<Contents>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectEntry {
    pub key: String,
    pub size: u64,
    /// As the wire has it, e.g. `2024-06-01T08:43:07.000Z`.
    pub last_modified: String,
    /// As the wire has it, quotes included (`"5b3c…"`), like the `ETag` header.
    pub etag: String,
}

/// Why a listing body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListError {
    /// Not well-formed XML (as far as this reader checks): where and why.
    NotXml(String),
    /// The storage service's error body in place of a listing.
    Storage(StorageError),
    /// XML, but not a `<ListBucketResult>`, or a field that does not parse: what.
    NotAListing(String),
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListError::NotXml(m) => write!(f, "listing is not XML: {m}"),
            ListError::Storage(e) => write!(f, "storage error {}: {}", e.code, e.message),
            ListError::NotAListing(m) => write!(f, "not a bucket listing: {m}"),
        }
    }
}

impl std::error::Error for ListError {}

/// Read a ListObjectsV2 answer (OSS's or S3's; extra elements such as `StorageClass`, `Owner`
/// or `Type` are ignored).
pub fn parse_list_objects(xml: &str) -> Result<ListObjectsPage, ListError> {
    let root = parse_xml(xml).map_err(ListError::NotXml)?;
    if root.name == "Error" {
        return match StorageError::from_element(&root) {
            Some(e) => Err(ListError::Storage(e)),
            None => Err(ListError::NotAListing("an <Error> without a <Code>".into())),
        };
    }
    if root.name != "ListBucketResult" {
        return Err(ListError::NotAListing(format!(
            "root element <{}>",
            root.name
        )));
    }
    let number = |name: &str| -> Result<Option<u64>, ListError> {
        match root.text_of(name) {
            None => Ok(None),
            Some(t) => t
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| ListError::NotAListing(format!("<{name}> is not a number: {t}"))),
        }
    };
    // `encoding-type=url` answers carry keys and prefixes percent-encoded (the app does not ask
    // for it; the official examples do).
    let url_encoded = root.text_of("EncodingType").map(str::trim) == Some("url");
    let name_text = |t: &str| -> Result<String, ListError> {
        if url_encoded {
            percent_decode(t)
                .ok_or_else(|| ListError::NotAListing(format!("bad URL encoding: {t}")))
        } else {
            Ok(t.to_string())
        }
    };
    let mut contents = Vec::new();
    for c in root.children.iter().filter(|c| c.name == "Contents") {
        let key = c
            .text_of("Key")
            .ok_or_else(|| ListError::NotAListing("<Contents> without <Key>".into()))?;
        let key = name_text(key)?;
        let size = match c.text_of("Size") {
            None => 0,
            Some(t) => t
                .trim()
                .parse::<u64>()
                .map_err(|_| ListError::NotAListing(format!("<Size> is not a number: {t}")))?,
        };
        contents.push(ObjectEntry {
            key,
            size,
            last_modified: c.text_of("LastModified").unwrap_or("").trim().to_string(),
            etag: c.text_of("ETag").unwrap_or("").trim().to_string(),
        });
    }
    let common_prefixes = root
        .children
        .iter()
        .filter(|c| c.name == "CommonPrefixes")
        .flat_map(|c| c.children.iter().filter(|p| p.name == "Prefix"))
        .map(|p| name_text(&p.text))
        .collect::<Result<Vec<String>, ListError>>()?;
    let is_truncated = match root.text_of("IsTruncated").map(str::trim) {
        None | Some("false") => false,
        Some("true") => true,
        Some(t) => {
            return Err(ListError::NotAListing(format!(
                "<IsTruncated> is not true or false: {t}"
            )))
        }
    };
    let opt = |name: &str| {
        root.text_of(name)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let delimiter = opt("Delimiter").map(|d| name_text(&d)).transpose()?;
    let key_count = number("KeyCount")?
        .map(|n| n as u32)
        .unwrap_or((contents.len() + common_prefixes.len()) as u32);
    Ok(ListObjectsPage {
        name: root.text_of("Name").unwrap_or("").to_string(),
        prefix: name_text(root.text_of("Prefix").unwrap_or(""))?,
        delimiter,
        max_keys: number("MaxKeys")?.unwrap_or(0) as u32,
        key_count,
        is_truncated,
        continuation_token: opt("ContinuationToken"),
        next_continuation_token: opt("NextContinuationToken"),
        contents,
        common_prefixes,
    })
}

/// Write a ListObjectsV2 answer as S3 and OSS do (elements in S3's order).
pub fn write_list_objects(page: &ListObjectsPage) -> String {
    let mut x = String::with_capacity(256 + page.contents.len() * 256);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>");
    element(&mut x, "Name", &page.name);
    element(&mut x, "Prefix", &page.prefix);
    if let Some(d) = &page.delimiter {
        element(&mut x, "Delimiter", d);
    }
    element(&mut x, "MaxKeys", &page.max_keys.to_string());
    element(&mut x, "KeyCount", &page.key_count.to_string());
    element(
        &mut x,
        "IsTruncated",
        if page.is_truncated { "true" } else { "false" },
    );
    if let Some(t) = &page.continuation_token {
        element(&mut x, "ContinuationToken", t);
    }
    if let Some(t) = &page.next_continuation_token {
        element(&mut x, "NextContinuationToken", t);
    }
    for c in &page.contents {
        x.push_str("<Contents>");
        element(&mut x, "Key", &c.key);
        element(&mut x, "LastModified", &c.last_modified);
        element(&mut x, "ETag", &c.etag);
        element(&mut x, "Size", &c.size.to_string());
        x.push_str("</Contents>");
    }
    for p in &page.common_prefixes {
        x.push_str("<CommonPrefixes>");
        element(&mut x, "Prefix", p);
        x.push_str("</CommonPrefixes>");
    }
    x.push_str("</ListBucketResult>");
    x
}

/// The `<Error><Code/><Message/><RequestId/>...</Error>` body both OSS and S3 answer with.
/// Other elements (S3's `Resource`, OSS's `EC` and `RecommendDoc`) are read past.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorageError {
    pub code: String,
    pub message: String,
    pub request_id: String,
    pub host_id: Option<String>,
}

impl StorageError {
    pub fn to_xml(&self) -> String {
        let mut x = String::with_capacity(256);
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
        element(&mut x, "Code", &self.code);
        element(&mut x, "Message", &self.message);
        element(&mut x, "RequestId", &self.request_id);
        if let Some(h) = &self.host_id {
            element(&mut x, "HostId", h);
        }
        x.push_str("</Error>");
        x
    }

    /// The error in an `<Error>` body; `None` when the text is not one (not XML, another root,
    /// or no `<Code>`).
    pub fn parse(xml: &str) -> Option<StorageError> {
        StorageError::from_element(&parse_xml(xml).ok()?)
    }

    fn from_element(root: &Element) -> Option<StorageError> {
        if root.name != "Error" {
            return None;
        }
        let code = root.text_of("Code")?.trim();
        if code.is_empty() {
            return None;
        }
        Some(StorageError {
            code: code.to_string(),
            message: root.text_of("Message").unwrap_or("").trim().to_string(),
            request_id: root.text_of("RequestId").unwrap_or("").trim().to_string(),
            host_id: root
                .text_of("HostId")
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_string),
        })
    }
}

// --- writing -------------------------------------------------------------------------------

fn element(x: &mut String, name: &str, text: &str) {
    x.push('<');
    x.push_str(name);
    x.push('>');
    escape_into(x, text);
    x.push_str("</");
    x.push_str(name);
    x.push('>');
}

fn escape_into(x: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => x.push_str("&amp;"),
            '<' => x.push_str("&lt;"),
            '>' => x.push_str("&gt;"),
            '"' => x.push_str("&quot;"),
            '\'' => x.push_str("&apos;"),
            // Control characters are not allowed raw in XML 1.0 text; S3 escapes them too.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                x.push_str(&format!("&#x{:X};", c as u32))
            }
            c => x.push(c),
        }
    }
}

// --- query encoding ------------------------------------------------------------------------

/// Query components are decoded by the one decoder beside the encoder.
use crate::percent::decode as percent_decode;

// --- the XML reader ------------------------------------------------------------------------

/// An element: its name (prefix kept, attributes dropped), its text (entities decoded; the
/// text directly inside it, concatenated) and its child elements.
#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    /// The text of the first child named `name`.
    fn text_of(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.text.as_str())
    }
}

/// Nesting deeper than this is refused (the shapes read here are three levels deep).
const MAX_DEPTH: usize = 32;

/// Parse a document into its root element.
fn parse_xml(xml: &str) -> Result<Element, String> {
    let s = xml.strip_prefix('\u{FEFF}').unwrap_or(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if !rest.starts_with('<') {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            match stack.last_mut() {
                Some(top) => decode_into(&mut top.text, text)?,
                None if text.trim().is_empty() => {}
                None => return Err(format!("text outside the root element at byte {i}")),
            }
            i += end;
            continue;
        }
        if let Some(r) = rest.strip_prefix("<?") {
            i += 2 + r.find("?>").ok_or("unclosed <?")? + 2;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            i += 4 + r.find("-->").ok_or("unclosed comment")? + 3;
        } else if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let end = r.find("]]>").ok_or("unclosed CDATA")?;
            let top = stack.last_mut().ok_or("CDATA outside the root element")?;
            top.text.push_str(&r[..end]);
            i += 9 + end + 3;
        } else if let Some(r) = rest.strip_prefix("<!") {
            i += 2 + r.find('>').ok_or("unclosed <!")? + 1;
        } else if let Some(r) = rest.strip_prefix("</") {
            let end = r.find('>').ok_or("unclosed end tag")?;
            let name = r[..end].trim();
            let el = stack
                .pop()
                .ok_or_else(|| format!("</{name}> without a start tag"))?;
            if el.name != name {
                return Err(format!("</{name}> closes <{}>", el.name));
            }
            match stack.last_mut() {
                Some(parent) => parent.children.push(el),
                None => root = Some(el),
            }
            i += 2 + end + 1;
        } else {
            let end = rest.find('>').ok_or("unclosed start tag")?;
            let inner = &rest[1..end];
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(x) => (x, true),
                None => (inner, false),
            };
            let name = inner.split_ascii_whitespace().next().unwrap_or("");
            if name.is_empty() {
                return Err(format!("a tag without a name at byte {i}"));
            }
            if root.is_some() {
                return Err("a second root element".into());
            }
            let el = Element {
                name: name.to_string(),
                ..Element::default()
            };
            if empty {
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            } else {
                if stack.len() >= MAX_DEPTH {
                    return Err("nested too deep".into());
                }
                stack.push(el);
            }
            i += end + 1;
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{}> is not closed", open.name));
    }
    root.ok_or_else(|| "no element".to_string())
}

/// Append `text` with its entity and character references decoded.
fn decode_into(out: &mut String, text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .filter(|&n| n <= 10)
            .ok_or("an & without a reference")?;
        let name = &after[..semi];
        let ch = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("unknown reference &{name};"))?
            }
        };
        out.push(ch);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}
