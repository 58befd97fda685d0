//! Fuzz target: ZooKeeper answers, the view built from them and migration status's phase verdict.
//! Run: `cargo +nightly fuzz run zookeeper` (see scripts/fuzz.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::zookeeper(data));
