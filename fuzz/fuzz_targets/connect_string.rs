//! Fuzz target: ZooKeeper connect strings and the migration phase parser.
//! Run: `cargo +nightly fuzz run connect_string` (see scripts/fuzz.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::connect_and_phase(data));
