//! The demo buckets: ActionTrail's delivery to OSS (`trailview-demo-actiontrail`) and
//! CloudTrail's to S3 (`trailview-demo-cloudtrail`), answered in the storage APIs' own wire
//! format (ListObjectsV2, GetObject, HeadObject) over files generated on request.
//!
//! Nothing is written to disk and nothing is generated up front: [`DemoBuckets::new`] builds
//! only a table of per-file event counts (see `layout`); a listing generates just the files
//! it returns (an entry's size needs the file's bytes, and ActionTrail's names carry the size
//! and MD5 too), and common prefixes (regions, years, months, days) generate nothing; a
//! download generates one file. The last [`CACHED_BYTES`] of files per bucket are kept, so
//! listing a range and then downloading it generates each file once.
//!
//! - ActionTrail: one account, five regions, files
//!   `AliyunLogs/Actiontrail/<Region>/<YYYY>/<MM>/<DD>/Actiontrail_<Region>_<YYYYMMDDHHMMSS>_1002_<EventCount>_<FileSize>_<md5>.gz`,
//!   each the gzip of a JSON array of events in LookupEvents' shape. `FileSize` is the size of
//!   the object (the gzip bytes), which is what the documented example shows (4 events in
//!   1146 bytes: far too small for 4 uncompressed events), and `md5` is the MD5 of those
//!   bytes (lower-case hex; the object's ETag is the same digest upper-case, as OSS writes it).
//! - CloudTrail: two accounts, four regions, files
//!   `AWSLogs/<acct>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`,
//!   each the gzip of `{"Records":[...]}` (see `cloudtrail`); ETag the lower-case MD5.
//!
//! Each bucket holds the given number of events over the five-minute windows of the 30 days
//! ending at `end_ms`, one file per window, account and region (none for a window without
//! events), written 1–4 minutes after the window ends (the name time, the date folder and
//! Last-Modified). The same arguments give the same bytes.

mod cloudtrail;
mod layout;
pub mod md5;
mod objects;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use layout::{utc, Item, Layout, Marker, Shape, Unit};
use objects::{build, Cache, Object};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use trailview_core::catalogue::Cloud;
use trailview_core::trail_files::{
    parse_key, write_list_objects, ListObjectsPage, ListObjectsRequest, ObjectEntry, StorageError,
};

use crate::generate::EventMaker;

pub const OSS_BUCKET: &str = "trailview-demo-actiontrail";
pub const S3_BUCKET: &str = "trailview-demo-cloudtrail";
pub const DEFAULT_BUCKET_EVENTS: usize = 1_000_000;
/// Bytes of generated files kept per bucket: about half the default bucket, so that listing a
/// range and then downloading it generates each file once.
pub const CACHED_BYTES: usize = 128 << 20;

static OSS_SHAPE: Shape = Shape {
    cloud: Cloud::Aliyun,
    bucket: OSS_BUCKET,
    seed: 0xA11_7A11,
    accounts: &[("", 1)],
    regions: &[
        ("ap-southeast-1", 6),
        ("cn-beijing", 12),
        ("cn-hangzhou", 40),
        ("cn-shanghai", 20),
        ("cn-shenzhen", 8),
    ],
    utc_offset_h: 8,
};

static S3_SHAPE: Shape = Shape {
    cloud: Cloud::Aws,
    bucket: S3_BUCKET,
    seed: 0xC10D_7A11,
    accounts: &[("111122223333", 3), ("444455556666", 1)],
    regions: &[
        ("ap-northeast-1", 5),
        ("eu-west-1", 10),
        ("us-east-1", 40),
        ("us-west-2", 20),
    ],
    utc_offset_h: -5,
};

/// The S3 bucket's world for CloudTrail LookupEvents ([`crate::cloudtrail_lookup`]): its event
/// maker, and the CloudTrail record of event `key` at `time_ms` in the account and region its
/// weights pick for `key` (`hostile` as in the trail files).
pub(crate) struct S3World {
    maker: EventMaker,
}

impl S3World {
    pub(crate) fn new() -> S3World {
        S3World {
            maker: EventMaker::new(S3_SHAPE.seed),
        }
    }

    pub(crate) fn write_record(&self, out: &mut String, key: u64, time_ms: i64, hostile: bool) {
        let pick = |items: &[(&'static str, u64)], salt: u64| {
            let total: u64 = items.iter().map(|(_, w)| w).sum();
            let mut at = layout::hash(key, salt) % total.max(1);
            for (name, w) in items {
                if at < *w {
                    return *name;
                }
                at -= w;
            }
            items[0].0
        };
        let account = pick(S3_SHAPE.accounts, 1);
        let region = pick(S3_SHAPE.regions, 2);
        let mut event = String::with_capacity(2048);
        self.maker.write(&mut event, key, time_ms, None, hostile);
        cloudtrail::write_record(out, &event, account, region, key);
    }
}

/// A storage request, as the proxy parsed it.
pub struct BucketRequest<'a> {
    pub cloud: Cloud,
    pub method: BucketMethod,
    pub bucket: &'a str,
    /// Percent-decoded; `""` is the bucket itself (a listing).
    pub key: &'a str,
    /// The raw query string, without `?`.
    pub query: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketMethod {
    Get,
    Head,
}

/// An HTTP answer: status, headers (names lower-case) and body (empty for HEAD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketAnswer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

struct Bucket {
    layout: Layout,
    maker: EventMaker,
    cache: Cache,
}

/// Both demo buckets. Send + Sync; building one computes only the per-file event counts.
pub struct DemoBuckets {
    oss: Bucket,
    s3: Bucket,
    requests: AtomicU64,
}

impl DemoBuckets {
    /// `events` per bucket, spread over the 30 days that end at `end_ms`.
    pub fn new(events: usize, end_ms: i64) -> DemoBuckets {
        DemoBuckets::with_cache(events, end_ms, CACHED_BYTES)
    }

    /// [`DemoBuckets::new`] keeping up to `cache_bytes` of generated files per bucket (the
    /// benchmark keeps whole buckets: about 280 MB per million events).
    pub fn with_cache(events: usize, end_ms: i64, cache_bytes: usize) -> DemoBuckets {
        let bucket = |shape: &'static Shape| Bucket {
            layout: Layout::new(shape, events, end_ms),
            maker: EventMaker::new(shape.seed),
            cache: Cache::new(cache_bytes),
        };
        DemoBuckets {
            oss: bucket(&OSS_SHAPE),
            s3: bucket(&S3_SHAPE),
            requests: AtomicU64::new(0),
        }
    }

    /// Generate every file of both buckets now, into the cache (which keeps them all only if
    /// it is large enough: see [`DemoBuckets::with_cache`]). For the benchmark, so that its
    /// timings measure the app rather than the generator (about 20k–40k events a second
    /// per core in a release build).
    pub fn generate_all(&self) {
        for bucket in [&self.oss, &self.s3] {
            let l = &bucket.layout;
            for a in 0..l.shape.accounts.len() {
                for r in 0..l.shape.regions.len() {
                    for (day_path, lo, hi) in l.days(a, r) {
                        for w in lo..hi {
                            let u = Unit { a, r, w };
                            if l.count(u) > 0 {
                                bucket.object_of(&day_path, u);
                            }
                        }
                    }
                }
            }
        }
    }

    pub fn answer(&self, req: &BucketRequest<'_>) -> BucketAnswer {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let request_id = request_id(req.cloud, n);
        let bucket = match (req.cloud, req.bucket) {
            (Cloud::Aliyun, OSS_BUCKET) => &self.oss,
            (Cloud::Aws, S3_BUCKET) => &self.s3,
            _ => {
                return error(
                    req,
                    &request_id,
                    404,
                    "NoSuchBucket",
                    "The specified bucket does not exist.",
                )
            }
        };
        let mut answer = if req.key.is_empty() {
            bucket.list(req, &request_id)
        } else {
            bucket.object(req, &request_id)
        };
        if req.method == BucketMethod::Head {
            answer.body.clear();
        }
        answer
    }
}

fn request_id(cloud: Cloud, n: u64) -> String {
    let h = layout::hash(0x0E0E_5EED, n);
    match cloud {
        // OSS: 24 upper-case hex digits.
        Cloud::Aliyun => format!("{:016X}{:08X}", h, n as u32),
        // S3: 16 upper-case letters and digits.
        Cloud::Aws => format!("{:016X}", h),
    }
}

fn request_id_header(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aliyun => "x-oss-request-id",
        Cloud::Aws => "x-amz-request-id",
    }
}

fn error(
    req: &BucketRequest<'_>,
    request_id: &str,
    status: u16,
    code: &str,
    message: &str,
) -> BucketAnswer {
    let host_id = match req.cloud {
        Cloud::Aliyun => format!("{}.oss-cn-hangzhou.aliyuncs.com", req.bucket),
        Cloud::Aws => {
            URL_SAFE_NO_PAD.encode(layout::hash(0x4057, request_id.len() as u64).to_be_bytes())
        }
    };
    let body = StorageError {
        code: code.into(),
        message: message.into(),
        request_id: request_id.into(),
        host_id: Some(host_id),
    }
    .to_xml()
    .into_bytes();
    BucketAnswer {
        status,
        headers: vec![
            ("content-type", "application/xml".into()),
            ("content-length", body.len().to_string()),
            (request_id_header(req.cloud), request_id.into()),
        ],
        body,
    }
}

/// `Sat, 01 Jun 2024 08:43:07 GMT`
fn http_date(ms: i64) -> String {
    utc(ms).format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `2024-06-01T08:43:07.000Z`
fn iso_date(ms: i64) -> String {
    utc(ms).format("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}

fn encode_token(m: &Marker) -> String {
    let (tag, text) = match m {
        Marker::After(k) => ('k', k),
        Marker::Beyond(p) => ('p', p),
    };
    URL_SAFE_NO_PAD.encode(format!("{tag}{text}"))
}

fn decode_token(t: &str) -> Option<Marker> {
    let bytes = URL_SAFE_NO_PAD.decode(t).ok()?;
    let s = String::from_utf8(bytes).ok()?;
    let mut chars = s.chars();
    match chars.next()? {
        'k' => Some(Marker::After(chars.as_str().to_string())),
        'p' => Some(Marker::Beyond(chars.as_str().to_string())),
        _ => None,
    }
}

impl Bucket {
    fn cloud(&self) -> Cloud {
        self.layout.shape.cloud
    }

    fn object_of(&self, day_path: &str, u: Unit) -> Arc<Object> {
        self.cache
            .get_or(u, || build(&self.layout, &self.maker, day_path, u))
    }

    /// The day folder path of a unit (its key up to the file name).
    fn day_path(&self, u: Unit) -> String {
        let t = utc(self.layout.name_ms(u));
        use chrono::Datelike as _;
        format!(
            "{}{:04}/{:02}/{:02}/",
            self.layout.region_path(u.a, u.r),
            t.year(),
            t.month(),
            t.day()
        )
    }

    fn etag(&self, o: &Object) -> String {
        let hex = md5::hex(&o.md5);
        match self.cloud() {
            Cloud::Aliyun => format!("\"{}\"", hex.to_ascii_uppercase()),
            Cloud::Aws => format!("\"{hex}\""),
        }
    }

    fn list(&self, req: &BucketRequest<'_>, request_id: &str) -> BucketAnswer {
        let bad = |m: &str| error(req, request_id, 400, "InvalidArgument", m);
        let q = match ListObjectsRequest::from_query(req.query) {
            Ok(q) => q,
            Err(e) => return bad(&e.to_string()),
        };
        let slash = match q.delimiter.as_deref() {
            None => false,
            Some("/") => true,
            Some(_) => return bad("The demo bucket lists with the delimiter \"/\" only."),
        };
        let marker = match (&q.continuation_token, &q.start_after) {
            (Some(t), _) => match decode_token(t) {
                Some(m) => Some(m),
                None => return bad("The continuation token provided is incorrect."),
            },
            (None, Some(s)) => Some(Marker::After(s.clone())),
            (None, None) => None,
        };
        let max = q.page_size();
        let full_key = |u: Unit| self.object_of(&self.day_path(u), u).key.clone();
        // max-keys=0 asks for nothing (and gets no token to go on with).
        let (items, truncated) = if max == 0 {
            (Vec::new(), false)
        } else {
            self.layout
                .list(&q.prefix, slash, marker, max as usize, &full_key)
        };
        let mut contents = Vec::new();
        let mut common_prefixes = Vec::new();
        let mut last = None;
        for item in items {
            match item {
                Item::File(u) => {
                    let o = self.object_of(&self.day_path(u), u);
                    last = Some(Marker::After(o.key.clone()));
                    contents.push(ObjectEntry {
                        key: o.key.clone(),
                        size: o.body.len() as u64,
                        last_modified: iso_date(o.modified_ms),
                        etag: self.etag(&o),
                    });
                }
                Item::Prefix(p) => {
                    last = Some(Marker::Beyond(p.clone()));
                    common_prefixes.push(p);
                }
            }
        }
        let page = ListObjectsPage {
            name: self.layout.shape.bucket.to_string(),
            prefix: q.prefix.clone(),
            delimiter: q.delimiter.clone(),
            max_keys: max,
            key_count: (contents.len() + common_prefixes.len()) as u32,
            is_truncated: truncated,
            continuation_token: q.continuation_token.clone(),
            next_continuation_token: if truncated {
                last.as_ref().map(encode_token)
            } else {
                None
            },
            contents,
            common_prefixes,
        };
        let body = write_list_objects(&page).into_bytes();
        BucketAnswer {
            status: 200,
            headers: vec![
                ("content-type", "application/xml".into()),
                ("content-length", body.len().to_string()),
                (request_id_header(req.cloud), request_id.into()),
            ],
            body,
        }
    }

    /// The unit a key names, if it is one of this bucket's files (the caller still compares
    /// the whole key with the generated file's).
    fn unit_of(&self, key: &str) -> Option<Unit> {
        let obj = parse_key(key).ok()?;
        let shape = self.layout.shape;
        let f = &obj.folder;
        if !f.prefix.is_empty() || f.group.is_some() || f.cloud != shape.cloud {
            return None;
        }
        let a = match shape.cloud {
            Cloud::Aliyun => (f.account.is_none()).then_some(0)?,
            Cloud::Aws => shape
                .accounts
                .iter()
                .position(|(id, _)| Some(*id) == f.account.as_deref())?,
        };
        let r = shape.regions.iter().position(|(id, _)| *id == f.region)?;
        let w = self.layout.window_of_name(obj.time_ms)?;
        let u = Unit { a, r, w };
        (self.layout.count(u) > 0).then_some(u)
    }

    fn object(&self, req: &BucketRequest<'_>, request_id: &str) -> BucketAnswer {
        if !req.query.is_empty() {
            return error(
                req,
                request_id,
                400,
                "InvalidArgument",
                "The demo bucket serves objects without query parameters.",
            );
        }
        let found = self.unit_of(req.key).and_then(|u| {
            let o = self.object_of(&self.day_path(u), u);
            (o.key == req.key).then_some(o)
        });
        let Some(o) = found else {
            return error(
                req,
                request_id,
                404,
                "NoSuchKey",
                "The specified key does not exist.",
            );
        };
        let mut headers = vec![
            (
                "content-type",
                match self.cloud() {
                    Cloud::Aliyun => "application/octet-stream",
                    Cloud::Aws => "application/x-gzip",
                }
                .to_string(),
            ),
            ("content-length", o.body.len().to_string()),
            ("etag", self.etag(&o)),
            ("last-modified", http_date(o.modified_ms)),
            (request_id_header(req.cloud), request_id.into()),
        ];
        if self.cloud() == Cloud::Aliyun {
            headers.push(("x-oss-object-type", "Normal".into()));
        }
        BucketAnswer {
            status: 200,
            headers,
            body: o.body.clone(),
        }
    }
}

#[cfg(test)]
mod tests;

/// Append the CloudTrail record the S3 demo bucket holds for the ActionTrail event `event`
/// (compact JSON), in `account`'s `region`; `key` draws the choices the event leaves open.
/// The Insights demo's log group holds the same records.
pub fn write_cloudtrail_record(
    out: &mut String,
    event: &str,
    account: &str,
    region: &str,
    key: u64,
) {
    cloudtrail::write_record(out, event, account, region, key);
}
