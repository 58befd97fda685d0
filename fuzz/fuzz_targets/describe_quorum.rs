//! Fuzz target: DescribeQuorum and the controller's readiness verdict.
//! Run: `cargo +nightly fuzz run describe_quorum` (see scripts/fuzz.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::describe_quorum(data));
