//! Fuzz target: DescribeConfigs, whole, streamed and one byte per read.
//! Run: `cargo +nightly fuzz run describe_configs` (see scripts/fuzz.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::describe_configs(data));
