//! Property tests of a saved session: a store written in chunks at any points and read back is
//! the same store (rows, columns, packed text, ids), also when more events are added after a
//! restore; and a fetch whose NextToken is refused, continued from the loaded events' time
//! bound, ends with every event of the range once, none skipped.

use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeSet;
use trailview_core::engine::EventStore;
use trailview_core::fetch_policy::{Direction, EventsRun, LookupQuery};
use trailview_core::paging::{Request, Step};
use trailview_core::schema::ALL_FIELDS;
use trailview_core::session::{bounded_query, SnapshotReader, SnapshotWriter};
use trailview_core::wire::LookupEventsResponse;

/// An event: id (some repeated, some absent), a few field values, a time in seconds with ms.
fn event() -> impl Strategy<Value = String> {
    (
        prop::option::weighted(0.9, 0u32..400),
        0u8..5,
        "[a-zA-Zé王 ]{0,12}",
        0i64..200_000,
        prop::bool::weighted(0.05),
    )
        .prop_map(|(id, name, user, t, odd)| {
            if odd {
                return format!("[{t}]");
            }
            let mut v = json!({
                "eventName": format!("Op{name}"),
                "serviceName": (["Ecs", "Oss", "Ram"][name as usize % 3]),
                "userIdentity": {"userName": user},
                "eventTime": chrono::DateTime::from_timestamp_millis(1_700_000_000_000 + t)
                    .unwrap()
                    .to_rfc3339(),
                "requestId": format!("Req-{t}"),
            });
            if let Some(id) = id {
                v["eventId"] = json!(format!("ID-{id}"));
            }
            v.to_string()
        })
}

fn assert_same(a: &EventStore, b: &EventStore) {
    assert_eq!(a.len(), b.len());
    assert_eq!(a.json_bytes(), b.json_bytes());
    assert_eq!(a.packed_bytes(), b.packed_bytes());
    for r in 0..a.len() as u32 {
        assert_eq!(a.raw(r), b.raw(r));
        assert_eq!(a.packed_row(r), b.packed_row(r));
        assert_eq!(a.event_id(r), b.event_id(r));
        for f in ALL_FIELDS {
            assert_eq!(a.field(r, f), b.field(r, f));
        }
        assert_eq!(
            a.row_of_event_id(a.event_id(r)),
            b.row_of_event_id(b.event_id(r))
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Chunks written at random points (as pages arrive) restore the store; events added to the
    /// restored store (a resumed fetch) and saved on pack and restore like the original.
    #[test]
    fn snapshots_round_trip(
        evs in prop::collection::vec(event(), 0..300),
        cuts in prop::collection::vec(0usize..300, 0..8),
        split in 0usize..300,
        slice in 1usize..50,
    ) {
        let split = split.min(evs.len());
        let mut cuts = cuts;
        cuts.sort();
        let mut original = EventStore::new();
        let mut w = SnapshotWriter::new();
        let mut chunks = Vec::new();
        for (i, e) in evs[..split].iter().enumerate() {
            original.push(e);
            if cuts.contains(&i) {
                chunks.extend(w.chunk(&original));
            }
        }
        chunks.extend(w.chunk(&original));
        let mut restored = EventStore::new();
        let mut reader = SnapshotReader::new();
        for c in &chunks {
            let mut ci = reader.open(c.clone()).unwrap();
            while !ci.finished() {
                let r = ci.ingest(&mut restored, slice).unwrap();
                prop_assert_eq!(r.duplicates, 0);
            }
        }
        assert_same(&restored, &original);
        // Resume: the rest goes into both; the restored one's writer continues its chunks.
        let mut w2 = w.clone();
        for e in &evs[split..] {
            original.push(e);
            restored.push(e);
        }
        for r in 0..original.len() as u32 {
            prop_assert_eq!(original.raw(r), restored.raw(r));
        }
        if let Some(c) = w2.chunk(&restored) {
            chunks.push(c);
        }
        let mut again = EventStore::new();
        let mut reader = SnapshotReader::new();
        for c in &chunks {
            let mut ci = reader.open(c.clone()).unwrap();
            ci.ingest(&mut again, usize::MAX).unwrap();
        }
        prop_assert_eq!(again.len(), restored.len());
        for r in 0..again.len() as u32 {
            prop_assert_eq!(again.raw(r), restored.raw(r));
        }
    }

    /// A fetch cut after any page, its NextToken refused, continued with `bounded_query` from
    /// the loaded times: the store ends with exactly the range's events, each once.
    #[test]
    fn a_refused_token_continues_without_gap_or_duplicate(
        // Times to the end second included, many in the range's last seconds.
        times in prop::collection::vec(prop_oneof![0i64..61_000, 59_000i64..61_000], 1..200),
        page in 1usize..20,
        pages_read in 0usize..20,
        forward in any::<bool>(),
    ) {
        let direction = if forward { Direction::Forward } else { Direction::Backward };
        // Events with unique ids, in the cloud's order for the direction (time, then id).
        let mut all: Vec<(i64, usize)> = times.iter().enumerate().map(|(i, t)| (*t, i)).collect();
        all.sort();
        if direction == Direction::Backward {
            all.reverse();
        }
        let q = LookupQuery { start_ms: 0, end_ms: 60_000, direction, conditions: vec![] };
        let json = |(t, i): (i64, usize)| {
            json!({"eventId": format!("e{i}"), "eventTime":
                chrono::DateTime::from_timestamp_millis(t).unwrap().to_rfc3339()}).to_string()
        };
        // The cloud: the query's events (`StartTime <= t <= EndTime`, both to the second as
        // sent: the end second is included, as CloudTrail and ActionTrail do) from position
        // `from`, a page of `page`.
        let answer = |q: &LookupQuery, from: usize| -> LookupEventsResponse {
            let sec = |t: i64| t.div_euclid(1000) * 1000;
            let matching: Vec<_> = all.iter().copied()
                .filter(|(t, _)| sec(q.start_ms) <= *t && *t < sec(q.end_ms) + 1000).collect();
            let end = (from + page).min(matching.len());
            let events = matching[from..end].iter()
                .map(|e| serde_json::value::RawValue::from_string(json(*e)).unwrap()).collect();
            LookupEventsResponse {
                events,
                next_token: (end < matching.len()).then(|| end.to_string()),
                ..Default::default()
            }
        };
        let mut store = EventStore::new();
        let mut run = EventsRun::new(q.clone(), usize::MAX);
        let read = |run: &mut EventsRun, store: &mut EventStore, limit: usize| {
            for _ in 0..limit {
                let Step::Fetch(Request::Query(params)) = run.step() else { return };
                let from = params.iter().find(|(k, _)| k == "NextToken")
                    .map_or(0, |(_, v)| v.parse::<usize>().unwrap());
                let resp = answer(run.paging_query(), from);
                let take = run.accept_page(resp, 0.0);
                let (_, times) = store.ingest_page_times(&take);
                run.note_times(times);
            }
        };
        read(&mut run, &mut store, pages_read);
        if run.reads_token() {
            // The cloud refuses the saved token: read on from the time bound (`None`: the
            // loaded events reach the range's end, nothing is left).
            if let Some(b) = bounded_query(run.paging_query(), run.loaded_span()) {
                run.restart_paging(b);
                read(&mut run, &mut store, usize::MAX);
            }
        } else {
            read(&mut run, &mut store, usize::MAX);
        }
        let want: BTreeSet<String> = all.iter().map(|(_, i)| format!("e{i}")).collect();
        let got: BTreeSet<String> =
            (0..store.len() as u32).map(|r| store.event_id(r).to_string()).collect();
        prop_assert_eq!(store.len(), got.len(), "no duplicate");
        prop_assert_eq!(got, want, "no gap");
    }

    /// A run's saved position continues it as the original would, also when the cloud refused
    /// its NextToken and paging restarted from a time bound before the run was stopped.
    #[test]
    fn a_saved_position_continues_the_run(
        pages in 0usize..5,
        held in 0usize..3,
        refused in any::<bool>(),
    ) {
        let q = LookupQuery { start_ms: 0, end_ms: 10_000_000, direction: Direction::Backward,
            conditions: vec![] };
        let cap = pages * 3 + 3 - held.min(2);
        let mut run = EventsRun::new(q.clone(), cap);
        for p in 0..pages {
            let events = (0..3).map(|i| serde_json::value::RawValue::from_string(
                format!(r#"{{"eventId":"{p}-{i}"}}"#)).unwrap()).collect();
            if !matches!(run.step(), Step::Fetch(_)) { break; }
            run.accept_page(LookupEventsResponse { events, next_token: Some(format!("t{p}")),
                ..Default::default() }, 1.0);
        }
        let restarted = refused && run.reads_token();
        if restarted {
            // The token refused: paging restarts from a bound, then Cancel.
            let bound = LookupQuery { end_ms: 5_000_000, ..q.clone() };
            run.restart_paging(bound);
        }
        run.cancel();
        let pos = run.position();
        let back = EventsRun::at(q, run.cap, run.batch, pos.clone());
        prop_assert_eq!(back.position(), pos);
        prop_assert_eq!(back.step(), run.step());
        prop_assert_eq!(back.can_load_more(), run.can_load_more());
        if restarted {
            prop_assert!(back.can_load_more(), "Resume is offered after the round trip");
            prop_assert_eq!(back.progress.pages, run.progress.pages);
        }
    }
}
