//! Writes LookupEvents response pages (50 events each, from the demo generator) for
//! `cargo xtask bench`: `bench_data <count> <out-dir>` writes `chunk-N.ndjson` files of 1,000
//! pages (one response body per line) and `manifest.json` (`{"count":…,"chunks":…}`) last.

use std::io::Write;
use trailview_demo::generate::{generate, DemoConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .expect("usage: bench_data <count> <out-dir>");
    let out = args.next().expect("usage: bench_data <count> <out-dir>");
    // About 33,000 events a day, like a busy account, so the times are dense but realistic.
    let span_days = (count / 33_000).clamp(1, 365) as u32;
    let events = generate(&DemoConfig {
        seed: 7,
        count,
        span_days,
        ..DemoConfig::default()
    });
    std::fs::create_dir_all(&out).expect("create output dir");
    let pages = events.len().div_ceil(50);
    let mut bytes = 0usize;
    let mut chunks = 0usize;
    let mut w: Option<std::io::BufWriter<std::fs::File>> = None;
    // Newest first, like LookupEvents.
    for (i, chunk) in events.rchunks(50).enumerate() {
        if i % 1000 == 0 {
            if let Some(mut w) = w.take() {
                w.flush().expect("flush");
            }
            let f = std::fs::File::create(format!("{out}/chunk-{chunks}.ndjson")).expect("create");
            w = Some(std::io::BufWriter::new(f));
            chunks += 1;
        }
        let mut line = String::with_capacity(70_000);
        line.push_str("{\"RequestId\":\"BENCH-");
        line.push_str(&i.to_string());
        line.push_str("\",\"Events\":[");
        for (k, e) in chunk.iter().rev().enumerate() {
            if k > 0 {
                line.push(',');
            }
            line.push_str(&e.json);
            bytes += e.json.len();
        }
        line.push_str("],\"NextToken\":\"");
        if i + 1 < pages {
            line.push_str(&(i + 1).to_string());
        }
        line.push_str("\"}\n");
        w.as_mut()
            .expect("open")
            .write_all(line.as_bytes())
            .expect("write");
    }
    if let Some(mut w) = w.take() {
        w.flush().expect("flush");
    }
    std::fs::write(
        format!("{out}/manifest.json"),
        format!("{{\"count\":{count},\"pages\":{pages},\"chunks\":{chunks},\"bytes\":{bytes}}}"),
    )
    .expect("write manifest");
    let largest = events.iter().map(|e| e.json.len()).max().unwrap_or(0);
    println!(
        "{count} events, {pages} pages, {:.1} MB of event JSON (mean {} B, largest {} B) -> {out}",
        bytes as f64 / 1e6,
        bytes / count.max(1),
        largest
    );
}
