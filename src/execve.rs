//! The exec edge: replace this process with another program. No shell, no
//! fork: the program gets kafka-init's PID, so SIGTERM reaches the JVM.

use std::ffi::CString;

use anyhow::{bail, Context, Result};

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).with_context(|| format!("{s:?} contains a NUL byte"))
}

/// Finds `program` on `PATH` (from `env`) unless it holds a '/'.
fn resolve(program: &str, env: &[(String, String)]) -> String {
    if program.contains('/') {
        return program.to_string();
    }
    let path = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map_or("/usr/local/bin:/usr/bin:/bin", |(_, v)| v.as_str());
    path.split(':')
        .map(|d| format!("{d}/{program}"))
        .find(|p| std::path::Path::new(p).is_file())
        .unwrap_or_else(|| program.to_string())
}

/// Replaces the process with `argv` and `env`; returns only on failure.
pub fn exec(argv: &[String], env: &[(String, String)]) -> Result<std::convert::Infallible> {
    let Some(program) = argv.first() else {
        bail!("no command to exec")
    };
    let path = resolve(program, env);
    let c_path = cstring(&path)?;
    let c_argv = argv
        .iter()
        .map(|a| cstring(a))
        .collect::<Result<Vec<_>>>()?;
    let c_env = env
        .iter()
        .map(|(k, v)| cstring(&format!("{k}={v}")))
        .collect::<Result<Vec<_>>>()?;
    let err = nix::unistd::execve(&c_path, &c_argv, &c_env).unwrap_err();
    Err(err).with_context(|| {
        format!(
            "execve {path} (the command to start Kafka; check the image and the command after --)"
        )
    })
}
