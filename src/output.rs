//! Writing kafka-init's own output: `plan`'s answer and `--help` on stdout,
//! problems and usage errors on stderr.
//!
//! A write that fails (a closed pipe as in `plan | head -c1`, a full disk,
//! a closed descriptor) is ignored, so the exit code stays the one the run
//! earned (0, 64 or 78). `print!` and `eprint!` would panic instead, and
//! with `panic = "abort"` that is a SIGABRT (exit 134). The Rust runtime
//! ignores SIGPIPE, so a closed pipe is an `EPIPE` error here, not a signal.

use std::io::Write;

/// Writes `text` to stdout and flushes it; errors are ignored.
pub fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes `text` to stderr; errors are ignored (there is nowhere left to report them).
pub fn stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
