//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) and the minimized inputs of
//! past findings (`fuzz/regressions/<target>/`) through the targets' bodies, on stable: a
//! target that panics on any of them fails here, in `cargo xtask test`'s native stage.

use std::path::{Path, PathBuf};
use trailview_fuzz_targets::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `dir` (none if it does not exist), sorted for a stable order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs every input of `kind` (`corpus` or `regressions`) through its target; returns how many.
fn replay(kind: &str) -> usize {
    let mut n = 0;
    for (name, target) in TARGETS {
        for path in files(&fuzz_dir().join(kind).join(name)) {
            let data = std::fs::read(&path).expect("readable input");
            let run = std::panic::catch_unwind(|| target(&data));
            assert!(run.is_ok(), "{name} fails on {}", path.display());
            n += 1;
        }
    }
    n
}

#[test]
fn corpus_replays() {
    let n = replay("corpus");
    // Every target has a corpus: an empty or missing folder would make this test pass vacuously.
    for (name, _) in TARGETS {
        assert!(
            !files(&fuzz_dir().join("corpus").join(name)).is_empty(),
            "no corpus for {name}"
        );
    }
    assert!(n >= TARGETS.len());
}

#[test]
fn regressions_replay() {
    let n = replay("regressions");
    // Every finding so far left its inputs here (README, "Fuzzing"): none read means the folder
    // moved or emptied, and this test would pass without replaying anything.
    let kept: usize = TARGETS
        .iter()
        .map(|(name, _)| files(&fuzz_dir().join("regressions").join(name)).len())
        .sum();
    assert!(
        kept >= 3,
        "the regression inputs of past findings are missing"
    );
    assert_eq!(n, kept);
}

/// Every target has its cargo-fuzz binary, and every corpus folder its target.
#[test]
fn targets_match_the_fuzz_crate() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for (name, _) in TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "{name} is not a bin of fuzz/Cargo.toml"
        );
        assert!(fuzz_dir().join(format!("fuzz_targets/{name}.rs")).is_file());
    }
    for kind in ["corpus", "regressions"] {
        let Ok(dirs) = std::fs::read_dir(fuzz_dir().join(kind)) else {
            continue;
        };
        for d in dirs {
            let name = d.expect("a directory entry").file_name();
            let name = name.to_string_lossy();
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "{kind}/{name} has no target"
            );
        }
    }
}
