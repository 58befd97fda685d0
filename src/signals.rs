//! SIGTERM and SIGINT before `execve`: stop, leave nothing half-written,
//! exit 128 + the signal's number (143, 130), as a shell reports a command
//! killed by it.
//!
//! In a container kafka-init is often PID 1, and the kernel drops a signal
//! sent to PID 1 from inside its namespace when its disposition is the
//! default: without a handler, a pod deleted during the ZooKeeper wait or a
//! long ownership walk would ignore SIGTERM and exec Kafka anyway. The
//! handler exits at once (`_exit`): every step before exec may be cut short
//! without harm (the walk re-owns the data dir itself last, so an
//! interrupted walk is redone on the next start; the ZooKeeper wait only
//! reads), except writing a file, which runs inside a [`Critical`] section:
//! a signal there waits for the section's end. A signal that comes after
//! the handler's last look is Kafka's: `execve` puts every handled signal
//! back to its default, with no moment in between where it would be lost.

use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering::SeqCst};

use nix::libc;
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

/// The signals that stop kafka-init.
const STOPPING: [Signal; 2] = [Signal::SIGTERM, Signal::SIGINT];

/// Critical sections running now (see [`Critical`]).
static CRITICAL: AtomicUsize = AtomicUsize::new(0);

/// A stopping signal received during a critical section, 0 when none.
static PENDING: AtomicI32 = AtomicI32::new(0);

/// Installs the handler for SIGTERM and SIGINT. A signal the parent
/// ignores stays ignored (that was the parent's choice, as `nohup`'s).
pub fn install() -> nix::Result<()> {
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for sig in STOPPING {
        // SAFETY: the handler only uses atomics, write(2) and _exit(2),
        // which are async-signal-safe.
        let old = unsafe { sigaction(sig, &action) }?;
        if old.handler() == SigHandler::SigIgn {
            // SAFETY: as above; putting back what was there.
            unsafe { sigaction(sig, &old) }?;
        }
    }
    Ok(())
}

/// The exit code for a stop by `sig`.
pub fn exit_code(sig: i32) -> i32 {
    128 + sig
}

extern "C" fn on_signal(sig: libc::c_int) {
    // Noted first, then the count looked at: a section that ends between
    // the two sees the note and exits itself (both sides SeqCst).
    PENDING.store(sig, SeqCst);
    if CRITICAL.load(SeqCst) == 0 {
        stop(sig);
    }
}

/// Writes why, and exits 128 + `sig`; async-signal-safe.
fn stop(sig: libc::c_int) -> ! {
    let message: &[u8] = if sig == libc::SIGINT {
        b"kafka-init: SIGINT received: stopped before exec, nothing exec'd (exit 130)\n"
    } else {
        b"kafka-init: SIGTERM received: stopped before exec, nothing exec'd (exit 143)\n"
    };
    // SAFETY: write(2) and _exit(2) are async-signal-safe; the buffer is static.
    unsafe {
        libc::write(2, message.as_ptr().cast(), message.len());
        libc::_exit(exit_code(sig));
    }
}

/// A section that a stopping signal does not cut: writing a file and
/// renaming it into place. A signal received in it stops kafka-init when
/// the last such section ends.
#[must_use = "the section lasts as long as the guard"]
pub struct Critical(());

impl Critical {
    /// Enters a critical section.
    pub fn enter() -> Critical {
        CRITICAL.fetch_add(1, SeqCst);
        Critical(())
    }
}

impl Drop for Critical {
    fn drop(&mut self) {
        if CRITICAL.fetch_sub(1, SeqCst) == 1 {
            let sig = PENDING.load(SeqCst);
            if sig != 0 {
                stop(sig);
            }
        }
    }
}
