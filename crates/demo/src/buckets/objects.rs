//! One demo file's bytes, generated on request: its events (from the demo generator), the
//! document of its cloud, gzip, and what its key and listing entry need (size, MD5). A bounded
//! cache keeps the most recent files, so a listing followed by downloads of the same files
//! generates each once.

use super::cloudtrail::write_record;
use super::layout::{hash, Layout, Unit, WINDOW_MS};
use super::md5::{hex, md5};
use crate::generate::EventMaker;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::collections::{HashMap, VecDeque};
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use trailview_core::catalogue::Cloud;

/// One generated file.
#[derive(Debug)]
pub(super) struct Object {
    pub key: String,
    /// The gzip bytes GetObject serves.
    pub body: Vec<u8>,
    pub md5: [u8; 16],
    /// Last-Modified (the name time).
    pub modified_ms: i64,
}

/// About one event in this many carries one of the generator's odd values (HTML, a very long
/// string, deep nesting, ...), as the LookupEvents demo does.
const HOSTILE_ONE_IN: u64 = 2000;

/// Generate the file of unit `u` (whose day folder is `day_path`).
pub(super) fn build(layout: &Layout, maker: &EventMaker, day_path: &str, u: Unit) -> Object {
    let shape = layout.shape;
    let n = layout.count(u);
    let file_seed = hash(shape.seed ^ 0xF11E, u.id(shape, layout.windows));
    // Whole-second times, uniform in the window and inside the 30 days, oldest first.
    let lo = layout.window_start(u.w).max(layout.start_ms);
    let hi = (layout.window_start(u.w) + WINDOW_MS).min(layout.end_ms);
    let (lo_s, hi_s) = (
        lo.div_euclid(1000) + i64::from(lo % 1000 != 0),
        hi.div_euclid(1000),
    );
    let span = (hi_s - lo_s).max(1) as u64;
    let mut times: Vec<i64> = (0..n)
        .map(|j| (lo_s + (hash(file_seed, j) % span) as i64) * 1000)
        .collect();
    times.sort_unstable();

    let (region, _) = shape.regions[u.r];
    let mut text = String::with_capacity(n as usize * 1200 + 16);
    let mut event = String::with_capacity(4096);
    text.push_str(match shape.cloud {
        Cloud::Aliyun => "[",
        Cloud::Aws => "{\"Records\":[",
    });
    for (j, &t) in times.iter().enumerate() {
        let key = hash(file_seed ^ 0xE7E7, j as u64);
        let hostile = key.is_multiple_of(HOSTILE_ONE_IN);
        if j > 0 {
            text.push(',');
        }
        match shape.cloud {
            Cloud::Aliyun => maker.write(&mut text, key, t, Some(region), hostile),
            Cloud::Aws => {
                event.clear();
                maker.write(&mut event, key, t, None, hostile);
                write_record(&mut text, &event, shape.accounts[u.a].0, region, key);
            }
        }
    }
    text.push_str(match shape.cloud {
        Cloud::Aliyun => "]",
        Cloud::Aws => "]}",
    });
    // The fastest level: the files are made on request, and level 6 makes a listing about
    // 1.6 times slower for files a third smaller.
    let mut gz = GzEncoder::new(Vec::with_capacity(text.len() / 4), Compression::fast());
    gz.write_all(text.as_bytes()).expect("gzip into memory");
    let body = gz.finish().expect("gzip into memory");
    let digest = md5(&body);
    let (stub, complete) = layout.stub(day_path, u);
    let key = if complete {
        stub
    } else {
        format!("{stub}{}_{}.gz", body.len(), hex(&digest))
    };
    Object {
        key,
        body,
        md5: digest,
        modified_ms: layout.name_ms(u),
    }
}

/// The objects by unit, the order they came in, and their bytes in all.
type Entries = (HashMap<Unit, Arc<Object>>, VecDeque<Unit>, usize);

/// The most recent objects of one bucket, up to a number of bytes (first in, first out).
pub(super) struct Cache {
    max_bytes: usize,
    inner: Mutex<Entries>,
}

impl Cache {
    pub fn new(max_bytes: usize) -> Cache {
        Cache {
            max_bytes,
            inner: Mutex::new((HashMap::new(), VecDeque::new(), 0)),
        }
    }

    /// The cached object, or `make`'s (generated outside the lock, then kept).
    pub fn get_or(&self, u: Unit, make: impl FnOnce() -> Object) -> Arc<Object> {
        if let Some(o) = self.lock().0.get(&u) {
            return o.clone();
        }
        let o = Arc::new(make());
        let mut g = self.lock();
        let (map, order, bytes) = &mut *g;
        if map.insert(u, o.clone()).is_none() {
            order.push_back(u);
            *bytes += o.body.len();
            while *bytes > self.max_bytes && order.len() > 1 {
                if let Some(old) = order.pop_front().and_then(|old| map.remove(&old)) {
                    *bytes -= old.body.len();
                }
            }
        }
        o
    }

    /// The number of objects kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().0.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}
