//! `prepare --install-to DIR`: copies the running kafka-init into a volume
//! shared with the Kafka container (I/O).
//!
//! The stock Kafka images do not contain kafka-init. An initContainer that
//! runs the kafka-init image can copy it into an `emptyDir`, and the Kafka
//! container then runs `DIR/kafka-init exec`. The copy is atomic (a
//! temporary file, fsync, rename), so a container restarted mid-copy never
//! finds a truncated binary, and a copy over a running one does not fail
//! with "text file busy".
//!
//! The temporary file is created with `O_EXCL` under an unpredictable name:
//! whatever already sits at a name (a FIFO, a hard link to another file, a
//! symbolic link, a crashed copy's leftover) is never opened, so it can
//! neither block the copy nor be overwritten; the next name is tried. A
//! pid-based name would be predictable: in a container the pid is 1.

use std::fs::{File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::environment;

/// The name of the copy inside the target dir.
pub const BINARY_NAME: &str = "kafka-init";

/// The running binary, as the kernel knows it (immune to `argv[0]` and `PATH`).
const SELF_EXE: &str = "/proc/self/exe";

/// Names tried for the temporary file. Each try fails only when something
/// already sits at that name, so needing them all means someone is
/// planting files faster than we guess.
const ATTEMPTS: usize = 16;

/// Copies the running binary to `dir/kafka-init`; returns that path.
pub fn install_self(dir: &Path) -> Result<PathBuf> {
    install(Path::new(SELF_EXE), dir)
}

/// Copies `source` to `dir/kafka-init` atomically, mode 0755.
pub fn install(source: &Path, dir: &Path) -> Result<PathBuf> {
    install_via(
        source,
        dir,
        std::iter::repeat_with(temporary_name).take(ATTEMPTS),
    )
}

/// `.kafka-init.tmp-` and 64 random bits in hex.
fn temporary_name() -> String {
    let random = environment::random_bytes();
    let hex: String = random[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!(".{BINARY_NAME}.tmp-{hex}")
}

/// [`install`], trying the temporary names `names` in order.
fn install_via(
    source: &Path,
    dir: &Path,
    names: impl IntoIterator<Item = String>,
) -> Result<PathBuf> {
    let target = dir.join(BINARY_NAME);
    // A stop signal waits until the copy is in place or removed.
    let _critical = crate::signals::Critical::enter();
    let (tmp, file) = create_exclusive(dir, names)?;
    let result = copy_then_rename(source, file, &tmp, &target, dir);
    if result.is_err() {
        // Best effort: the file is ours (O_EXCL), and a leftover is only litter.
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| target)
}

/// Creates a new file at the first free name of `names`, mode 0700.
fn create_exclusive(
    dir: &Path,
    names: impl IntoIterator<Item = String>,
) -> Result<(PathBuf, File)> {
    let mut taken = Vec::new();
    for name in names {
        let tmp = dir.join(&name);
        // create_new is O_CREAT|O_EXCL: it fails on any existing name,
        // symbolic links included, without opening what is there.
        let opened = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o700)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(&tmp);
        match opened {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => taken.push(name),
            Err(e) => return Err(e).with_context(|| format!("create {}", tmp.display())),
        }
    }
    bail!(
        "create a temporary file in {}: every name tried was already taken ({}); check what else writes into that directory",
        dir.display(),
        taken.join(", ")
    )
}

fn copy_then_rename(
    source: &Path,
    mut to: File,
    tmp: &Path,
    target: &Path,
    dir: &Path,
) -> Result<()> {
    let mut from = File::open(source).with_context(|| format!("open {}", source.display()))?;
    io::copy(&mut from, &mut to)
        .with_context(|| format!("copy {} to {}", source.display(), tmp.display()))?;
    to.set_permissions(Permissions::from_mode(0o755))
        .with_context(|| format!("chmod 755 {}", tmp.display()))?;
    to.sync_all()
        .with_context(|| format!("fsync {}", tmp.display()))?;
    drop(to);
    std::fs::rename(tmp, target)
        .with_context(|| format!("rename {} to {}", tmp.display(), target.display()))?;
    // The rename is durable only once the directory is.
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("fsync {}", dir.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("kafka-init-install-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn copies_a_file_atomically_with_mode_0755_and_leaves_no_temporary_file() {
        let dir = scratch("atomic");
        let source = dir.join("source");
        std::fs::write(&source, b"#!/bin/sh\necho hi\n").unwrap();
        let target = install(&source, &dir).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"#!/bin/sh\necho hi\n");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o755);
        // A second install replaces the first.
        std::fs::write(&source, b"v2").unwrap();
        install(&source, &dir).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"v2");
        assert_eq!(names(&dir), ["kafka-init", "source"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temporary_names_are_not_guessable_from_one_to_the_next() {
        let a = temporary_name();
        let b = temporary_name();
        assert_ne!(a, b);
        assert!(
            a.starts_with(".kafka-init.tmp-") && a.len() == 16 + 16,
            "{a}"
        );
    }

    #[test]
    fn whatever_sits_at_a_guessed_temporary_name_is_skipped_and_left_as_it_was() {
        let dir = scratch("planted");
        let source = dir.join("source");
        std::fs::write(&source, b"the binary").unwrap();
        let victim = dir.join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        nix::unistd::mkfifo(
            &dir.join("guess-fifo"),
            nix::sys::stat::Mode::from_bits_truncate(0o600),
        )
        .unwrap();
        std::fs::hard_link(&victim, dir.join("guess-hardlink")).unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("guess-symlink")).unwrap();
        let tried = ["guess-fifo", "guess-hardlink", "guess-symlink", "free"];
        let target = install_via(&source, &dir, tried.map(String::from)).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"the binary");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        let fifo = std::fs::symlink_metadata(dir.join("guess-fifo")).unwrap();
        assert!(std::os::unix::fs::FileTypeExt::is_fifo(&fifo.file_type()));
        assert_eq!(
            names(&dir),
            [
                "guess-fifo",
                "guess-hardlink",
                "guess-symlink",
                "kafka-init",
                "source",
                "victim"
            ]
        );

        // Every name taken: an error naming them, nothing written.
        std::fs::remove_file(&target).unwrap();
        let err = install_via(&source, &dir, tried[..3].iter().map(|n| n.to_string()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("guess-fifo, guess-hardlink, guess-symlink"),
            "{err}"
        );
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!target.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
