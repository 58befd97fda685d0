//! Fuzz target: environment → plan::derive → every renderer; server.properties reads back as the Plan.
//! Run: `cargo +nightly fuzz run plan_render` (see docs/internals/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::plan_and_render(data));
