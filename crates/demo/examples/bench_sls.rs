//! Writes the demo's SLS GetLogs answers to an SQL query over `count` events for
//! `cargo xtask bench`: `bench_sls <count> <out-dir>` runs core's paging plan
//! (`engines::sls::SlsRun`: `LIMIT offset,10000` a call) for `* | SELECT *` over the demo
//! logstore, with the same events as `bench_data` (same generator, seed and span), and writes
//! each answer's body as `page-N.json` and `manifest.json` (`{"count","rows","query","pages":
//! [{"file","progress","count"}]}`) last.

use trailview_core::engines::sls::{GetLogsPage, GetLogsSpec, Order, SlsRun};
use trailview_core::paging::Step;
use trailview_demo::engines::sls::{DemoSls, LOGSTORE, PROJECT};
use trailview_demo::generate::{generate, DemoConfig};
use trailview_demo::DemoEvents;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .expect("usage: bench_sls <count> <out-dir>");
    let out = args.next().expect("usage: bench_sls <count> <out-dir>");
    // As bench_data: about 33,000 events a day.
    let span_days = (count / 33_000).clamp(1, 365) as u32;
    let config = DemoConfig {
        seed: 7,
        count,
        span_days,
        ..DemoConfig::default()
    };
    let events = generate(&config);
    let store = DemoEvents::from_events(config, events);
    let (first, last) = store.time_span().expect("events");
    let now_ms = last + 1_000;
    let query = format!("* | SELECT * LIMIT {count}");
    let mut run = SlsRun::new(
        GetLogsSpec {
            project: PROJECT.into(),
            logstore: LOGSTORE.into(),
            from: first.div_euclid(1000),
            to: last.div_euclid(1000) + 1,
            query: query.clone(),
            order: Order::OldestFirst,
        },
        count as u64,
    )
    .expect("an SQL plan");
    let sls = DemoSls::default();
    std::fs::create_dir_all(&out).expect("create output dir");
    let mut pages = Vec::new();
    let mut rows = 0usize;
    let mut bytes = 0usize;
    while let Step::Fetch(req) = run.step() {
        let answer = sls
            .get_logs(&store, now_ms, PROJECT, LOGSTORE, &req.params)
            .unwrap_or_else(|e| panic!("GetLogs refused: {e:?}"));
        let count = answer.count.to_string();
        let page = GetLogsPage::read(
            200,
            Some(answer.progress.as_str()),
            Some(&count),
            None,
            &answer.body,
        )
        .expect("the answer reads");
        run.accept(&page);
        let file = format!("page-{}.json", pages.len());
        std::fs::write(format!("{out}/{file}"), &answer.body).expect("write");
        rows += page.rows.events.len();
        bytes += answer.body.len();
        pages.push(serde_json::json!({
            "file": file,
            "progress": answer.progress.as_str(),
            "count": answer.count,
        }));
    }
    std::fs::write(
        format!("{out}/manifest.json"),
        serde_json::json!({ "count": count, "rows": rows, "bytes": bytes, "query": query, "pages": pages })
            .to_string(),
    )
    .expect("write manifest");
    println!(
        "{rows} SLS rows in {} GetLogs answers, {:.1} MB -> {out}",
        pages.len(),
        bytes as f64 / 1e6
    );
}
