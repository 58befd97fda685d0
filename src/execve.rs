//! The exec edge: replace this process with another program. No shell, no
//! fork: the program gets kafka-init's PID, so SIGTERM reaches the JVM.
//!
//! The program starts as a shell would start it: found on `PATH` only (never
//! in the working directory), with exit 127 when it is not found and 126
//! when it cannot be executed, with default signal dispositions and an
//! empty signal mask.

use std::ffi::{CString, OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use nix::errno::Errno;
use nix::sys::signal::{self, SigHandler, SigSet, SigmaskHow, Signal};
use nix::unistd::AccessFlags;

/// `PATH` when the environment has none: the shells' and `execvp`'s default
/// minus the working directory.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Signals whose disposition kafka-init changes: the Rust runtime ignores
/// SIGPIPE at start-up, and `execve` keeps ignored signals ignored, so
/// without a reset every pipeline in Kafka's entrypoint would run with
/// SIGPIPE ignored. (Handlers are reset by `execve` itself.)
const CHANGED_SIGNALS: &[Signal] = &[Signal::SIGPIPE];

/// The command could not be started; carries the shell's exit code for it.
#[derive(Debug)]
pub struct NotStarted {
    /// 127: not found; 126: found but not executable.
    pub code: u8,
    message: String,
}

impl fmt::Display for NotStarted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NotStarted {}

fn not_found(program: &str, path: &OsStr) -> NotStarted {
    NotStarted {
        code: 127,
        message: format!(
            "{program}: command not found on PATH ({}); give the command after -- as an absolute path, or set PATH to include its directory (the working directory is never searched)",
            path.to_string_lossy()
        ),
    }
}

fn not_executable(path: &Path, why: &str) -> NotStarted {
    NotStarted {
        code: 126,
        message: format!(
            "{}: cannot be executed ({why}); make it an executable file (chmod +x, a #! line for a script) or check the command after --",
            path.display()
        ),
    }
}

/// Where `program` is: taken as a path when it holds a '/', else the first
/// executable file named so in a `PATH` directory. Empty and relative
/// `PATH` entries, which a shell reads as the working directory, are
/// skipped.
fn resolve(program: &str, path: &OsStr) -> Result<PathBuf, NotStarted> {
    if program.contains('/') {
        return Ok(PathBuf::from(program));
    }
    if program.is_empty() {
        return Err(not_found(program, path));
    }
    let mut not_runnable = None;
    let dirs = path.as_bytes().split(|&b| b == b':');
    for dir in dirs.filter(|d| d.starts_with(b"/")) {
        let candidate = Path::new(OsStr::from_bytes(dir)).join(program);
        // Follows symlinks, as exec does: /usr/bin/java is usually one.
        match std::fs::metadata(&candidate) {
            Ok(m) if m.is_file() => {}
            _ => continue,
        }
        if nix::unistd::access(&candidate, AccessFlags::X_OK).is_ok() {
            return Ok(candidate);
        }
        // A shell keeps looking, then reports the first one it could not run.
        not_runnable.get_or_insert(candidate);
    }
    match not_runnable {
        Some(p) => Err(not_executable(&p, "permission denied")),
        None => Err(not_found(program, path)),
    }
}

/// The C string of `parts` joined, allocated once with room for the NUL.
fn cstring(parts: &[&[u8]]) -> Result<CString> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut bytes = Vec::with_capacity(len + 1);
    parts.iter().for_each(|p| bytes.extend_from_slice(p));
    CString::new(bytes).map_err(|e| {
        let text = String::from_utf8_lossy(&e.into_vec()).into_owned();
        anyhow::anyhow!("{text:?} contains a NUL byte")
    })
}

/// What [`reset_signals`] changed, to put back if execve fails.
struct SignalState {
    handlers: Vec<(Signal, SigHandler)>,
    mask: SigSet,
}

/// Gives the next program what a shell would: default dispositions for the
/// signals kafka-init changed, and no blocked signals.
fn reset_signals() -> Result<SignalState> {
    let mut handlers = Vec::with_capacity(CHANGED_SIGNALS.len());
    for &sig in CHANGED_SIGNALS {
        // SAFETY: SIG_DFL installs no handler, so no code of ours can run
        // in signal context; the previous handler is only put back.
        let previous = unsafe { signal::signal(sig, SigHandler::SigDfl) }
            .with_context(|| format!("restore the default action of {sig}"))?;
        handlers.push((sig, previous));
    }
    let mut mask = SigSet::empty();
    signal::sigprocmask(
        SigmaskHow::SIG_SETMASK,
        Some(&SigSet::empty()),
        Some(&mut mask),
    )
    .context("clear the signal mask")?;
    Ok(SignalState { handlers, mask })
}

/// Puts back what [`reset_signals`] changed, so that a failed execve is
/// reported as before: with SIGPIPE ignored, a closed stderr cannot kill us.
fn restore_signals(state: SignalState) {
    for (sig, handler) in state.handlers {
        // SAFETY: puts back the disposition this process had (SIG_IGN or
        // SIG_DFL: kafka-init installs no handlers).
        let _ = unsafe { signal::signal(sig, handler) };
    }
    let _ = signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&state.mask), None);
}

/// Replaces the process with `argv` and `env` (names and values as bytes,
/// passed on unchanged); returns only on failure. A command that is not
/// found or not executable is a [`NotStarted`].
pub fn exec(argv: &[String], env: &[(OsString, OsString)]) -> Result<std::convert::Infallible> {
    let Some(program) = argv.first() else {
        bail!("no command to exec")
    };
    let search = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map_or(OsStr::new(DEFAULT_PATH), |(_, v)| v.as_os_str());
    let path = resolve(program, search)?;
    let c_path = cstring(&[path.as_os_str().as_bytes()])?;
    let c_argv = argv
        .iter()
        .map(|a| cstring(&[a.as_bytes()]))
        .collect::<Result<Vec<_>>>()?;
    let c_env = env
        .iter()
        .map(|(k, v)| cstring(&[k.as_bytes(), b"=", v.as_bytes()]))
        .collect::<Result<Vec<_>>>()?;
    let signals = reset_signals()?;
    let err = match nix::unistd::execve(&c_path, &c_argv, &c_env) {
        Err(e) => e,
        Ok(never) => match never {},
    };
    restore_signals(signals);
    // A shell's codes: 127 for a path that does not exist, 126 for the rest
    // (not executable, not a binary or script the kernel can run).
    let started = match err {
        Errno::ENOENT if program.contains('/') => NotStarted {
            code: 127,
            message: format!("{program}: no such file; check the command after -- and the image"),
        },
        Errno::ENOENT => not_found(program, search),
        e => not_executable(&path, e.desc()),
    };
    Err(started).with_context(|| {
        format!(
            "execve {} (the command to start Kafka; check the image and the command after --)",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_command_on_path_and_never_in_the_working_directory() {
        let sh = std::fs::canonicalize("/bin/sh").unwrap();
        let dir = sh.parent().unwrap().to_str().unwrap().to_string();
        let cases: &[(&str, &str, Result<&str, u8>)] = &[
            ("sh", "/nonexistent:/bin", Ok("/bin/sh")),
            ("/bin/sh", "", Ok("/bin/sh")),
            ("./sh", "/bin", Ok("./sh")),
            ("sh", "", Err(127)),
            ("sh", ":.:bin", Err(127)),
            ("no-such-command-kafka-init", "/bin:/usr/bin", Err(127)),
            ("", "/bin", Err(127)),
        ];
        for (program, path, want) in cases {
            let got = resolve(program, OsStr::new(path)).map_err(|e| e.code);
            let want = want.map(PathBuf::from);
            assert_eq!(got, want, "resolve({program:?}, {path:?})");
        }
        let dir = OsStr::new(&dir);
        assert_eq!(resolve("sh", dir).unwrap(), Path::new(dir).join("sh"));
    }
}
