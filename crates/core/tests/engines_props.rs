//! The engines' paging plans, for any range: SLS SQL pages cover the asked rows exactly in
//! LIMIT pages of at most 10,000; Insights' time slices cover the range exactly, disjoint.

use proptest::prelude::*;
use trailview_core::engines::insights::time_slices;
use trailview_core::engines::sls::{
    GetLogsPage, GetLogsSpec, Order, SlsRun, SQL_MAX_ROWS, SQL_PAGE,
};
use trailview_core::paging::{RunEnd, Step};

fn full_page(n: u64) -> GetLogsPage {
    let rows = vec![r#"{"n":"1"}"#; n as usize].join(",");
    GetLogsPage::read(200, Some("Complete"), None, None, &format!("[{rows}]")).unwrap()
}

proptest! {
    #[test]
    fn sql_pages_cover_the_asked_rows(offset in 0u64..50_000, count in prop_oneof![Just(0u64), 0u64..60_000], cap in 1u64..80_000) {
        let spec = GetLogsSpec {
            project: "proj".into(),
            logstore: "logs".into(),
            from: 0,
            to: 10,
            query: format!("* | select * limit {offset},{count}"),
            order: Order::OldestFirst,
        };
        let mut run = SlsRun::new(spec, cap).unwrap();
        let mut next = offset;
        let mut calls = 0;
        while let Step::Fetch(r) = run.step() {
            let q = r.param("query").unwrap().to_string();
            let limit = q.rsplit("LIMIT ").next().unwrap();
            let (o, c) = limit.split_once(',').unwrap();
            let (o, c): (u64, u64) = (o.parse().unwrap(), c.parse().unwrap());
            prop_assert_eq!(o, next);
            prop_assert!((1..=SQL_PAGE).contains(&c) && o + c <= SQL_MAX_ROWS);
            next += c;
            run.accept(&full_page(c));
            calls += 1;
            prop_assert!(calls < 100);
        }
        let want = count.min(cap);
        prop_assert_eq!(next - offset, want);
        let end = if cap < count { RunEnd::Capped } else { RunEnd::Complete };
        prop_assert_eq!(run.step(), Step::Stop(if want == 0 { RunEnd::Complete } else { end }));
    }

    #[test]
    fn time_slices_cover_the_range(start in -1_000_000i64..1_000_000, len in 0i64..200_000, matched in 0u64..5_000_000, per in 1u32..=10_000) {
        let end = start + len;
        let s = time_slices(start, end, matched, per);
        prop_assert!(!s.is_empty());
        prop_assert_eq!(s[0].0, start);
        prop_assert_eq!(s[s.len() - 1].1, end);
        for w in s.windows(2) {
            prop_assert_eq!(w[0].1 + 1, w[1].0);
        }
        for (a, b) in &s {
            prop_assert!(a <= b);
        }
        // Enough slices for the matches at four fifths of `per` each, unless a second each.
        let secs = (len + 1) as u64;
        prop_assert!(s.len() as u64 == secs || s.len() as u64 * (per as u64 * 4).div_ceil(5) >= matched);
    }
}
