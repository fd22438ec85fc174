//! Native timings of the engine's steps on demo data: `engine_profile [count]`.
//! (The browser numbers come from `cargo xtask bench`; this splits them into steps.)

use std::time::Instant;
use trailview_core::engine::{EventStore, Filter, Sort};
use trailview_core::schema::{Column, Field};
use trailview_core::table_query::SortOrder;
use trailview_demo::generate::{generate, DemoConfig};

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let span_days = (count / 33_000).clamp(1, 365) as u32;
    let evs = generate(&DemoConfig {
        seed: 7,
        count,
        span_days,
        ..DemoConfig::default()
    });
    let t = Instant::now();
    let mut s = EventStore::new();
    for e in evs.iter().rev() {
        s.push(&e.json);
    }
    println!("ingest {count}: {:?}", t.elapsed());
    println!("packed {} of {} bytes", s.packed_bytes(), s.json_bytes());
    let t = Instant::now();
    let mut packed = 0;
    for r in 0..s.len() as u32 {
        packed += s.raw(r).len();
    }
    let raw_bytes: usize = evs.iter().map(|e| e.json.len()).sum();
    println!(
        "decode all: {:?} ({packed} of {raw_bytes} bytes)",
        t.elapsed()
    );
    drop(evs);
    let path = trailview_core::json_path::JsonPath::parse("requestParameters.RegionId").unwrap();
    let t = Instant::now();
    let mut hits = 0;
    for r in 0..s.len() as u32 {
        hits += path.extract(&s.raw(r)).is_some() as usize;
    }
    println!(
        "decode + extract {path}: {:?} ({hits} present)",
        t.elapsed()
    );
    let t = Instant::now();
    s.index_path(&path, usize::MAX);
    println!("index_path {path}: {:?}", t.elapsed());
    for term in ["alice", "deletebucket", "cn-shanghai", "forbidden", "4f"] {
        let f = Filter {
            text: term.into(),
            ..Filter::default()
        };
        let t = Instant::now();
        let cf = s.compile(&f);
        let tc = t.elapsed();
        let order = s.order(None);
        let t = Instant::now();
        let rows = s.filter(&order, &cf);
        println!(
            "filter {term:>14}: compile {tc:?} filter {:?} -> {}",
            t.elapsed(),
            rows.len()
        );
    }
    for col in [Column::Time, Column::User, Column::Event, Column::Ip] {
        for order in [SortOrder::Ascending, SortOrder::Descending] {
            let t = Instant::now();
            let o = s.order(Some(&Sort {
                column: trailview_core::columns::ColumnId::Builtin(col),
                order,
            }));
            println!("sort {col:?} {order:?}: {:?} ({})", t.elapsed(), o[0]);
        }
    }
    let all = s.order(None);
    let t = Instant::now();
    let f = s.facet(Field::Service, &all);
    println!("facet: {:?} ({})", t.elapsed(), f.len());
}
