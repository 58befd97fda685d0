//! `prepare --install-to DIR`: copies the running kafka-init into a volume
//! shared with the Kafka container (I/O).
//!
//! The stock Kafka images do not contain kafka-init. An initContainer that
//! runs the kafka-init image can copy it into an `emptyDir`, and the Kafka
//! container then runs `DIR/kafka-init exec`. The copy is atomic (a
//! temporary file, fsync, rename), so a container restarted mid-copy never
//! finds a truncated binary, and a copy over a running one does not fail
//! with "text file busy".

use std::fs::{File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The name of the copy inside the target dir.
pub const BINARY_NAME: &str = "kafka-init";

/// The running binary, as the kernel knows it (immune to `argv[0]` and `PATH`).
const SELF_EXE: &str = "/proc/self/exe";

/// Copies the running binary to `dir/kafka-init`; returns that path.
pub fn install_self(dir: &Path) -> Result<PathBuf> {
    install(Path::new(SELF_EXE), dir)
}

/// Copies `source` to `dir/kafka-init` atomically, mode 0755.
pub fn install(source: &Path, dir: &Path) -> Result<PathBuf> {
    let target = dir.join(BINARY_NAME);
    let tmp = dir.join(format!(".{BINARY_NAME}.tmp-{}", std::process::id()));
    let result = copy_then_rename(source, &tmp, &target, dir);
    if result.is_err() {
        // Best effort: a leftover temporary file is only litter.
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| target)
}

fn copy_then_rename(source: &Path, tmp: &Path, target: &Path, dir: &Path) -> Result<()> {
    let mut from = File::open(source).with_context(|| format!("open {}", source.display()))?;
    // Not create_new: in a container the pid is often the same on every
    // start, and an emptyDir outlives a crashed copy. O_NOFOLLOW so a
    // planted symlink cannot redirect the write.
    let mut to = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o700)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_CLOEXEC)
        .open(tmp)
        .with_context(|| format!("create {}", tmp.display()))?;
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

    #[test]
    fn copies_a_file_atomically_with_mode_0755_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("kafka-init-install-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
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
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
