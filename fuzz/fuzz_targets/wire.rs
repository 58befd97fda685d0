//! Fuzz target: the ApiVersions and Metadata decoders, whole and streamed, and the probe's verdict.
//! Run: `cargo +nightly fuzz run wire` (see docs/internals/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::wire(data));
