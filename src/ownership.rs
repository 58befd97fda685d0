//! Making a data dir owned by the broker's user: the one filesystem walk of
//! kafka-init (I/O).
//!
//! Kubernetes' `fsGroup` chowns every file of a volume on every mount, which
//! makes pods with large volumes sit in ContainerCreating for minutes, and it
//! is not applied at all to NFS and some CSI drivers. This copies kubelet's
//! `fsGroupChangePolicy: OnRootMismatch` instead: when the dir itself already
//! has the right owner, nothing below it is visited; otherwise the walk
//! changes what differs and re-owns the dir itself last, so a walk that is
//! interrupted is redone on the next start.
//!
//! The walk works on directory file descriptors (`openat`, `fstatat`,
//! `fchownat` with `AT_SYMLINK_NOFOLLOW`): it never follows a symlink (a link
//! is re-owned itself, its target never), never leaves the dir's filesystem
//! (a mount point below is neither descended nor chowned), and does not
//! build a path per entry; paths are only assembled for error messages.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use anyhow::{anyhow, Context, Result};
use nix::dir::{Dir, OwningIter};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::{fchmod, fstat, fstatat, FileStat, Mode, SFlag};
use nix::sys::statfs::{statfs, FUSE_SUPER_MAGIC, NFS_SUPER_MAGIC};
use nix::unistd::{fchown, fchownat, Gid, Uid};

/// What a call of [`ensure_owned`] looked at and changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WalkReport {
    /// Entries stat'ed, the dir itself included.
    pub checked: u64,
    /// Entries whose owner (or, for directories, mode) was changed.
    pub changed: u64,
    /// True when the dir already had the right owner and nothing below it was visited.
    pub fast_path: bool,
}

/// The mode of directories kafka-init creates: the broker's user and group
/// may use them, others may not, and nothing is world-writable.
pub const NEW_DIR_MODE: u32 = 0o750;

/// Why kafka-init refuses to take ownership of `dir`, if it does; checked
/// before anything is changed. Pure.
///
/// `/` would hand the whole filesystem to the broker's user; a relative path
/// depends on the working directory, which nobody chose; `..` makes the path
/// mean something else than it reads.
pub fn refusal(dir: &Path) -> Option<&'static str> {
    if !dir.is_absolute() {
        return Some("is a relative path; a data dir must be absolute, e.g. /bitnami/kafka/data");
    }
    if dir.components().any(|c| c == Component::ParentDir) {
        return Some("contains a `..` component; write the path without it");
    }
    if dir
        .components()
        .all(|c| c == Component::RootDir || c == Component::CurDir)
    {
        return Some("is the root directory; kafka-init will not chown / to the broker's user");
    }
    None
}

/// Makes `dir` (created with its missing parents when absent) and everything
/// below it on the same filesystem owned by `uid:gid`, skipping the walk
/// when `dir` itself is already right. See the module doc for the rules.
pub fn ensure_owned(dir: &Path, uid: u32, gid: u32) -> Result<WalkReport> {
    if let Some(why) = refusal(dir) {
        return Err(anyhow!("refusing to chown {}: it {why}", dir.display()));
    }
    let (uid, gid) = (Uid::from_raw(uid), Gid::from_raw(gid));
    create_missing(dir, uid, gid)?;

    let root = Dir::open(
        dir,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .with_context(|| format!("open {}", dir.display()))?;
    let st = fstat(root.as_raw_fd()).with_context(|| format!("stat {}", dir.display()))?;
    if owned_by(&st, uid, gid) && has_owner_rwx(&st) {
        return Ok(WalkReport {
            checked: 1,
            changed: 0,
            fast_path: true,
        });
    }

    let root_fd = root.as_raw_fd();
    let mut walker = Walker {
        uid,
        gid,
        dev: st.st_dev,
        root: dir,
        squashing: may_squash_root(dir),
        names: Vec::new(),
        report: WalkReport {
            checked: 1,
            ..WalkReport::default()
        },
    };
    // The walk consumes a second descriptor of the dir so `root` stays
    // usable for the final chown.
    let walk_dir = Dir::openat(
        Some(root_fd),
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .with_context(|| format!("open {}", dir.display()))?;
    let subdirs = walker.scan(walk_dir.into_iter())?;
    walker.walk_subdirs(root_fd, subdirs)?;

    // Last, so that an interrupted walk leaves the dir mismatched and the
    // next start walks again (kubelet's OnRootMismatch does the same).
    let mut changed = false;
    if !has_owner_rwx(&st) {
        fchmod(root_fd, with_owner_rwx(&st))
            .with_context(|| format!("chmod u+rwx {}", dir.display()))?;
        changed = true;
    }
    if !owned_by(&st, uid, gid) {
        fchown(root_fd, Some(uid), Some(gid))
            .map_err(|e| walker.chown_error(e, dir.to_path_buf()))?;
        changed = true;
    }
    walker.report.changed += u64::from(changed);
    Ok(walker.report)
}

/// The walk's state: the target owner, the filesystem it stays on, and the
/// names of the directories between the root and the current one (only used
/// to build paths for messages).
struct Walker<'a> {
    uid: Uid,
    gid: Gid,
    dev: u64,
    root: &'a Path,
    squashing: bool,
    names: Vec<OsString>,
    report: WalkReport,
}

/// The most threads a walk uses. chown is bound by the filesystem's
/// metadata updates, which scale with a few CPUs, not with many.
const MAX_THREADS: usize = 8;

impl Walker<'_> {
    /// A walker with the same target and no progress, for another thread.
    fn fresh(&self) -> Self {
        Walker {
            names: Vec::new(),
            report: WalkReport::default(),
            ..*self
        }
    }

    /// Visits the entries of the data dir itself and returns its
    /// subdirectories (the partitions) with their inode numbers, to be
    /// walked by [`Walker::walk_subdirs`].
    fn scan(&mut self, mut top: OwningIter) -> Result<Vec<(CString, u64)>> {
        let mut subdirs = Vec::new();
        while let Some(entry) = top.next() {
            let entry = entry.with_context(|| format!("read directory {}", self.root.display()))?;
            let name = entry.file_name();
            if matches!(name.to_bytes(), b"." | b"..") {
                continue;
            }
            if let Some(sub) = self.visit(top.as_raw_fd(), name)? {
                let st = fstat(sub.as_raw_fd()).map_err(|e| self.call_error(e, "stat", name))?;
                subdirs.push((name.to_owned(), st.st_ino));
            }
        }
        Ok(subdirs)
    }

    /// Walks the data dir's subdirectories, several at a time: one thread
    /// per CPU (up to [`MAX_THREADS`]) makes a large all-wrong volume as fast
    /// to fix as the disk allows, where a single thread waits on each
    /// metadata update in turn.
    fn walk_subdirs(&mut self, root_fd: RawFd, subdirs: Vec<(CString, u64)>) -> Result<()> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS)
            .min(subdirs.len());
        if threads <= 1 {
            for (name, ino) in &subdirs {
                self.walk_subdir(root_fd, name, *ino)?;
            }
            return Ok(());
        }
        let queue = Mutex::new(subdirs.into_iter());
        let failed = AtomicBool::new(false);
        let this = &*self;
        let results: Vec<Result<WalkReport>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut w = this.fresh();
                        while !failed.load(Ordering::Relaxed) {
                            // A poisoned lock only means another worker panicked; the queue is intact.
                            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                            let Some((name, ino)) = next else { break };
                            if let Err(e) = w.walk_subdir(root_fd, &name, ino) {
                                failed.store(true, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                        Ok(w.report)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow!("a walk thread panicked")))
                })
                .collect()
        });
        for r in results {
            let r = r?;
            self.report.checked += r.checked;
            self.report.changed += r.changed;
        }
        Ok(())
    }

    /// Walks one subdirectory of the data dir that [`Walker::scan`] found,
    /// if it is still that directory.
    fn walk_subdir(&mut self, root_fd: RawFd, name: &CStr, ino: u64) -> Result<()> {
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let sub = match Dir::openat(Some(root_fd), name, flags, Mode::empty()) {
            Ok(d) => d,
            Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP) => return Ok(()),
            Err(e) => return Err(self.call_error(e, "open", name)),
        };
        let st = fstat(sub.as_raw_fd()).map_err(|e| self.call_error(e, "stat", name))?;
        if (st.st_dev, st.st_ino) != (self.dev, ino) {
            tracing::warn!(path = %self.path(name).display(), "changed during the walk; left alone");
            return Ok(());
        }
        self.names
            .push(OsStr::from_bytes(name.to_bytes()).to_os_string());
        self.walk(sub.into_iter())
    }

    /// Depth-first over `top`, whose path below the root is `names`, one open
    /// descriptor per level (Kafka's data dirs are two levels deep); an
    /// explicit stack so depth cannot overflow the thread's stack.
    fn walk(&mut self, top: OwningIter) -> Result<()> {
        let mut stack = vec![top];
        while let Some(dir) = stack.last_mut() {
            let entry = match dir.next() {
                None => {
                    stack.pop();
                    self.names.pop();
                    continue;
                }
                Some(Err(e)) => {
                    return Err(e)
                        .with_context(|| format!("read directory {}", self.here().display()))
                }
                Some(Ok(entry)) => entry,
            };
            let name = entry.file_name();
            if matches!(name.to_bytes(), b"." | b"..") {
                continue;
            }
            let dirfd = dir.as_raw_fd();
            if let Some(sub) = self.visit(dirfd, name)? {
                self.names
                    .push(OsStr::from_bytes(name.to_bytes()).to_os_string());
                stack.push(sub);
            }
        }
        Ok(())
    }

    /// Checks and fixes one entry; returns the directory to descend into.
    fn visit(&mut self, dirfd: RawFd, name: &CStr) -> Result<Option<OwningIter>> {
        let st = match fstatat(Some(dirfd), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            // Removed since readdir saw it: nothing left to own.
            Err(Errno::ENOENT) => return Ok(None),
            Err(e) => return Err(self.call_error(e, "stat", name)),
        };
        self.report.checked += 1;
        if st.st_dev != self.dev {
            // A mount point: another filesystem, with its own owner's intent.
            tracing::debug!(path = %self.path(name).display(), "mount point left alone");
            return Ok(None);
        }
        let mut changed = false;
        if !owned_by(&st, self.uid, self.gid) {
            match fchownat(
                Some(dirfd),
                name,
                Some(self.uid),
                Some(self.gid),
                AtFlags::AT_SYMLINK_NOFOLLOW,
            ) {
                Ok(()) => changed = true,
                Err(Errno::ENOENT) => return Ok(None),
                Err(e) => return Err(self.chown_error(e, self.path(name))),
            }
        }
        let sub = if is_dir(&st) {
            self.open_subdir(dirfd, name, &st)?
        } else {
            None
        };
        if let Some(sub) = &sub {
            if !has_owner_rwx(&st) {
                // The broker must be able to create and remove partition files.
                fchmod(sub.as_raw_fd(), with_owner_rwx(&st))
                    .with_context(|| format!("chmod u+rwx {}", self.path(name).display()))?;
                changed = true;
            }
        }
        self.report.changed += u64::from(changed);
        Ok(sub)
    }

    /// Opens a subdirectory without following a symlink, and only when it is
    /// still the directory that was stat'ed (not swapped, not a mount point).
    fn open_subdir(&self, dirfd: RawFd, name: &CStr, st: &FileStat) -> Result<Option<OwningIter>> {
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let sub = match Dir::openat(Some(dirfd), name, flags, Mode::empty()) {
            Ok(d) => d,
            Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP) => return Ok(None),
            Err(e) => return Err(self.call_error(e, "open", name)),
        };
        let now = fstat(sub.as_raw_fd()).map_err(|e| self.call_error(e, "stat", name))?;
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino) {
            tracing::warn!(path = %self.path(name).display(), "changed during the walk; left alone");
            return Ok(None);
        }
        Ok(Some(sub.into_iter()))
    }

    /// The directory being read.
    fn here(&self) -> PathBuf {
        let mut p = self.root.to_path_buf();
        p.extend(&self.names);
        p
    }

    fn path(&self, name: &CStr) -> PathBuf {
        self.here().join(OsStr::from_bytes(name.to_bytes()))
    }

    fn call_error(&self, e: Errno, call: &str, name: &CStr) -> anyhow::Error {
        let path = self.path(name);
        if self.squashing && matches!(e, Errno::EACCES | Errno::EPERM) {
            return anyhow!(
                "{call} {}: {e}. {}",
                path.display(),
                root_squash_advice(self.uid, self.gid)
            );
        }
        anyhow!("{call} {}: {e}", path.display())
    }

    fn chown_error(&self, e: Errno, path: PathBuf) -> anyhow::Error {
        let (uid, gid) = (self.uid, self.gid);
        if self.squashing && matches!(e, Errno::EPERM | Errno::EACCES) {
            return anyhow!(
                "chown {} to {uid}:{gid}: {e}. {}",
                path.display(),
                root_squash_advice(uid, gid)
            );
        }
        anyhow!("chown {} to {uid}:{gid}: {e}", path.display())
    }
}

/// What to tell someone whose NFS export refuses root's chown.
fn root_squash_advice(uid: Uid, gid: Gid) -> String {
    format!(
        "The server of this mount refused root: an NFS export with root_squash maps root to nobody, so even root cannot chown. \
         Fix the ownership on the export itself (on the NFS server: chown -R {uid}:{gid} <export dir>), \
         or run the broker as the uid:gid that owns the export (KAFKA_INIT_RUN_AS=<uid>:<gid> plus the pod's securityContext.runAsUser/runAsGroup)"
    )
}

/// Creates `dir` and its missing parents, each owned by `uid:gid` with
/// [`NEW_DIR_MODE`] (exactly: the umask is not allowed to change it).
fn create_missing(dir: &Path, uid: Uid, gid: Gid) -> Result<()> {
    let mut missing = Vec::new();
    let mut p = dir;
    loop {
        match p.symlink_metadata() {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(p);
                match p.parent() {
                    Some(parent) => p = parent,
                    None => break,
                }
            }
            Err(e) => return Err(e).with_context(|| format!("stat {}", p.display())),
        }
    }
    for p in missing.into_iter().rev() {
        match std::fs::DirBuilder::new().mode(NEW_DIR_MODE).create(p) {
            Ok(()) => {}
            // Another process made it first: it is not ours to re-own here;
            // the walk below decides about it.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("mkdir {}", p.display())),
        }
        std::os::unix::fs::lchown(p, Some(uid.as_raw()), Some(gid.as_raw()))
            .with_context(|| format!("chown {} to {uid}:{gid}", p.display()))?;
        std::fs::set_permissions(
            p,
            std::os::unix::fs::PermissionsExt::from_mode(NEW_DIR_MODE),
        )
        .with_context(|| format!("chmod {:o} {}", NEW_DIR_MODE, p.display()))?;
        tracing::debug!(dir = %p.display(), "created");
    }
    Ok(())
}

fn owned_by(st: &FileStat, uid: Uid, gid: Gid) -> bool {
    st.st_uid == uid.as_raw() && st.st_gid == gid.as_raw()
}

fn is_dir(st: &FileStat) -> bool {
    SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFDIR
}

fn has_owner_rwx(st: &FileStat) -> bool {
    st.st_mode & 0o700 == 0o700
}

/// The entry's permission bits plus owner rwx; nothing else is added, so
/// nothing becomes group- or world-writable that was not.
fn with_owner_rwx(st: &FileStat) -> Mode {
    Mode::from_bits_truncate((st.st_mode & 0o7777) | 0o700)
}

/// Whether a server decides root's chowns on `dir`'s filesystem, and may
/// squash root: NFS, or FUSE (network filesystems in user space, and the NFS
/// stand-in of the tests, tests/slowfs).
fn may_squash_root(dir: &Path) -> bool {
    statfs(dir).is_ok_and(|s| {
        let t = s.filesystem_type();
        t == NFS_SUPER_MAGIC || t == FUSE_SUPER_MAGIC
    })
}

/// An NFS mount, as far as the data dir's warning needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NfsMount {
    /// The `vers=` mount option (e.g. `4.1`), when mountinfo shows it.
    pub version: Option<String>,
}

/// Whether `dir` is on NFS (statfs `NFS_SUPER_MAGIC`), with the mount's
/// version from `/proc/self/mountinfo`. `None` when not NFS or not there.
pub fn nfs_mount(dir: &Path) -> Option<NfsMount> {
    let st = statfs(dir).ok()?;
    if st.filesystem_type() != NFS_SUPER_MAGIC {
        return None;
    }
    let dev = nix::sys::stat::stat(dir).ok()?.st_dev;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    Some(NfsMount {
        version: nfs_version(
            &mountinfo,
            nix::sys::stat::major(dev),
            nix::sys::stat::minor(dev),
        ),
    })
}

/// The `vers=` option of the mount with device `major:minor` in mountinfo
/// text (`proc(5)`: field 3 is `major:minor`; the super options follow the
/// ` - fstype source` separator). Pure.
pub fn nfs_version(mountinfo: &str, major: u64, minor: u64) -> Option<String> {
    let dev = format!("{major}:{minor}");
    mountinfo
        .lines()
        .filter(|line| line.split(' ').nth(2) == Some(dev.as_str()))
        .find_map(|line| {
            let (mount_part, super_part) = line.split_once(" - ")?;
            let options = super_part
                .split(' ')
                .nth(2)
                .into_iter()
                .chain(mount_part.split(' ').nth(5));
            options
                .flat_map(|o| o.split(','))
                .find_map(|o| o.strip_prefix("vers="))
                .map(str::to_string)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_would_hand_out_more_than_a_data_dir() {
        let cases: &[(&str, bool)] = &[
            ("/", true),
            ("//", true),
            ("/.", true),
            ("data", true),
            ("./data", true),
            ("/bitnami/../etc", true),
            ("/bitnami/kafka/data/..", true),
            ("/bitnami/kafka/data", false),
            ("/var/lib/kafka/data/", false),
            ("/var/lib/kafka/./data", false),
        ];
        for (path, refused) in cases {
            assert_eq!(
                refusal(Path::new(path)).is_some(),
                *refused,
                "refusal({path:?})"
            );
        }
    }

    #[test]
    fn finds_the_nfs_version_of_a_device_in_mountinfo() {
        let mountinfo = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
36 22 0:52 / /bitnami/kafka rw,relatime shared:2 - nfs4 10.0.0.5:/export/kafka-0 rw,vers=4.1,rsize=1048576,proto=tcp
37 22 0:53 /sub /data rw - nfs 10.0.0.5:/export rw,vers=3,hard
38 22 0:54 / /other rw - nfs 10.0.0.5:/x rw,hard
";
        let cases: &[(u64, u64, Option<&str>)] = &[
            (0, 52, Some("4.1")),
            (0, 53, Some("3")),
            (0, 54, None),
            (8, 1, None),
            (9, 9, None),
        ];
        for (major, minor, want) in cases {
            assert_eq!(
                nfs_version(mountinfo, *major, *minor).as_deref(),
                *want,
                "{major}:{minor}"
            );
        }
    }
}
