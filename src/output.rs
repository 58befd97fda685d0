//! Writing kafka-init's own output: `plan`'s, `explain`'s, `audit`'s and
//! `migration status`'s answers and `--help` on stdout, problems and usage
//! errors on stderr. Every write of the program goes through here (the log
//! through its own writer, see `logging`); `print!` and `eprint!` are not
//! used, because they panic on a failed write, and with `panic = "abort"`
//! that is a SIGABRT (exit 134).
//!
//! A failed write to stdout (a full disk, a closed pipe as in
//! `plan | head -c1`, a closed descriptor) is an error the command returns:
//! the answer was lost, so the run exits 1 with a message on stderr (unless
//! it had already earned another failure, which it keeps). A failed write
//! to stderr is ignored: there is nowhere left to report it. The Rust
//! runtime ignores SIGPIPE, so a closed pipe is an `EPIPE` error here, not
//! a signal.

use std::io::Write;

use anyhow::{Context, Result};

/// Writes `text` to stdout and flushes it; `what` names the output for the
/// error ("the plan").
pub fn stdout(text: &str, what: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .with_context(|| format!("write {what} to stdout (the output is incomplete)"))
}

/// Writes `text` to stderr; errors are ignored (there is nowhere left to report them).
pub fn stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
