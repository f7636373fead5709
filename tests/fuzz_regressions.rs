//! Replays every input the fuzzers ever crashed on (`tests/fuzz-regressions/<target>/`, saved by
//! scripts/fuzz.sh) through the function its fuzz target calls: each must now run clean.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::time::{Duration, Instant};
use x402_vara_wasm::fuzzing::TARGETS;

/// libFuzzer's timeout in scripts/fuzz.sh: an input slower than this is a finding too.
const TIMEOUT: Duration = Duration::from_secs(5);

#[test]
fn every_saved_fuzz_input_runs_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut replayed = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let Some((_, run)) = TARGETS.iter().find(|(t, _)| *t == name) else {
            if cfg!(feature = "keypair") {
                panic!("tests/fuzz-regressions/{name} is not a fuzz target");
            }
            continue;
        };
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let start = Instant::now();
            if std::panic::catch_unwind(|| run(&data)).is_err() {
                panic!("{} still fails", path.display());
            }
            assert!(start.elapsed() < TIMEOUT, "{} takes {:?}", path.display(), start.elapsed());
            replayed += 1;
        }
    }
    eprintln!("{replayed} fuzz regression inputs replayed");
}

#[test]
fn every_target_runs_on_empty_and_junk_input() {
    for (name, run) in TARGETS {
        for data in [&b""[..], b"{", b"\0", &[0xff; 64]] {
            if std::panic::catch_unwind(|| run(data)).is_err() {
                panic!("{name} fails on {data:?}");
            }
        }
    }
}
