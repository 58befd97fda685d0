//! Real directories for the filesystem tests: a scratch tree under /tmp
//! (the root filesystem here, so a bind mount of one of its directories
//! stays on the same device), and what a test reads back from it (owners,
//! a snapshot of the whole tree).

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch directory `/tmp/kafka-init-<test binary>-<test>-<pid>`,
/// removed after unmounting what a test mounted in it when dropped.
pub struct Scratch {
    pub root: PathBuf,
    mounts: Vec<PathBuf>,
}

impl Scratch {
    /// A fresh, empty scratch directory for `test`.
    pub fn new(test: &str) -> Scratch {
        let root = PathBuf::from(format!(
            "/tmp/kafka-init-{}-{test}-{}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Scratch {
            root,
            mounts: Vec::new(),
        }
    }

    /// A scratch directory for a test that needs root because it `does`
    /// (chown, mknod, mount): no silent skip, a green run must have done it
    /// for real.
    pub fn as_root(test: &str, does: &str) -> Scratch {
        assert!(
            nix::unistd::Uid::effective().is_root(),
            "{test}: {does}, so it runs as root (scripts/test)"
        );
        Scratch::new(test)
    }

    /// `rel` below the scratch directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// A directory (parents created) with this owner and mode.
    pub fn dir(&self, rel: &str, owner: (u32, u32), mode: u32) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(&p).unwrap();
        set(&p, owner, mode);
        p
    }

    /// A 0644 file with this owner and content.
    pub fn file(&self, rel: &str, owner: (u32, u32), content: &[u8]) -> PathBuf {
        let p = self.path(rel);
        std::fs::write(&p, content).unwrap();
        set(&p, owner, 0o644);
        p
    }

    /// A symbolic link at `rel` to `target`.
    pub fn symlink(&self, target: &Path, rel: &str) -> PathBuf {
        let p = self.path(rel);
        std::os::unix::fs::symlink(target, &p).unwrap();
        p
    }

    /// `mount <args> <rel>`, unmounted when the scratch directory is dropped.
    pub fn mount(&mut self, args: &[&str], rel: &str) -> PathBuf {
        let p = self.path(rel);
        let status = Command::new("mount").args(args).arg(&p).status().unwrap();
        assert!(status.success(), "mount {args:?} {}", p.display());
        self.mounts.push(p.clone());
        p
    }

    /// A small tmpfs on a new directory `rel`.
    pub fn mount_tmpfs(&mut self, rel: &str) -> PathBuf {
        std::fs::create_dir_all(self.path(rel)).unwrap();
        self.mount(&["-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs"], rel)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for m in self.mounts.iter().rev() {
            let _ = Command::new("umount").arg(m).status();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Gives `p` this owner (the link itself for a symlink) and mode (not for a
/// symlink, whose mode Linux ignores and `chmod` would follow).
pub fn set(p: &Path, (uid, gid): (u32, u32), mode: u32) {
    std::os::unix::fs::lchown(p, Some(uid), Some(gid)).unwrap();
    if !std::fs::symlink_metadata(p).unwrap().is_symlink() {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

/// The owner of `p` itself (a symlink not followed).
pub fn owner(p: &Path) -> (u32, u32) {
    let m = std::fs::symlink_metadata(p).unwrap();
    (m.uid(), m.gid())
}

/// Every entry below `root`, symlinks not followed, mounts entered, mapped
/// by `read` from its path and metadata.
fn walk<T>(root: &Path, read: impl Fn(&Path, &std::fs::Metadata) -> T) -> BTreeMap<PathBuf, T> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(p) = todo.pop() {
        let m = std::fs::symlink_metadata(&p).unwrap();
        if m.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                todo.push(e.unwrap().path());
            }
        }
        out.insert(p.clone(), read(&p, &m));
    }
    out
}

/// (uid, gid, mode) of every entry below `root`, symlinks not followed.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u32, u32, u32)> {
    walk(root, |_, m| (m.uid(), m.gid(), m.mode()))
}

/// Owner, mode, link count and content (regular files) or target
/// (symlinks) of every entry below `root`, symlinks not followed, mounts
/// entered: byte for byte and owner for owner.
pub fn snapshot_with_content(root: &Path) -> BTreeMap<PathBuf, (u32, u32, u32, u64, Vec<u8>)> {
    walk(root, |p, m| {
        let t = m.file_type();
        let content = if t.is_file() {
            std::fs::read(p).unwrap()
        } else if t.is_symlink() {
            std::fs::read_link(p)
                .unwrap()
                .into_os_string()
                .into_encoded_bytes()
        } else {
            Vec::new()
        };
        (m.uid(), m.gid(), m.mode(), m.nlink(), content)
    })
}
