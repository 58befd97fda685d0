//! Fuzz target: meta.properties parsing, against a Java-compatible reader.
//! Run: `cargo +nightly fuzz run meta_properties` (see docs/internals/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::meta_properties(data));
