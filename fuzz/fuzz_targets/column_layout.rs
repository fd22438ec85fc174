#![no_main]
// Body: trailview_fuzz_targets::column_layout (crates/fuzz-targets), replayed on stable by its tests/replay.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| trailview_fuzz_targets::column_layout(data));
