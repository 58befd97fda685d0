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
//! Something else may change the tree while the walk is at it (a second
//! prepare, a process writing into the volume): an entry listed and then
//! gone may have been renamed to a name the listing had passed, with all it
//! holds. The walk notes every such change; the tree is then walked again,
//! up to [`WALKS`] times in all, and when it still changes, the dir itself
//! is not re-owned (so the next start walks again) and [`ensure_owned`]
//! fails with [`Unsettled`], listing what changed. Nothing is ever removed
//! or rewritten to make the tree hold still.
//!
//! The dir is opened one path component at a time from `/`, each with
//! `O_NOFOLLOW` (a symbolic link anywhere on the way is refused, never
//! followed), and everything below is reached from that descriptor
//! ([`walk`]): no path is looked up again, so a link swapped in during the
//! walk cannot redirect it. What the walk re-owns: directories, regular files
//! with one link, and symbolic links themselves. What it leaves alone: the
//! targets of links, other mounts (bind mounts of the same filesystem
//! included: told apart by mount id), regular files with more than one hard
//! link (re-owning one name would re-own the others, wherever they are),
//! device nodes, FIFOs and sockets (Kafka creates none of these).

mod sys;
mod walk;

use std::ffi::{CStr, CString, OsStr};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use nix::errno::Errno;
use nix::sys::stat::SFlag;
use nix::sys::statfs::{fstatfs, statfs, FUSE_SUPER_MAGIC, NFS_SUPER_MAGIC};
use nix::unistd::{Gid, Uid};

use self::walk::{Sample, Target};

/// Walks of one dir at most while its tree keeps changing under them: a
/// second walk finds what a rename hid from the first; a tree that still
/// changes after that is being written by someone else.
pub const WALKS: u32 = 3;

/// The tree below a dir kept changing during [`WALKS`] walks: the dir was
/// left with its wrong owner, so the next start walks it again.
#[derive(Debug)]
pub struct Unsettled {
    /// The dir.
    pub dir: PathBuf,
    /// What changed during the last walk.
    pub changed: Sample,
}

impl std::fmt::Display for Unsettled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} changed while its ownership was walked, {WALKS} times in a row ({} entries in the last walk: {}); \
             the dir itself keeps its owner, so the next start walks it again. \
             Find what writes into the volume while the pod starts (another pod mounting it, a second prepare) and stop it",
            self.dir.display(),
            self.changed.count,
            self.changed.paths()
        )
    }
}

impl std::error::Error for Unsettled {}

/// What a call of [`ensure_owned`] looked at and changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WalkReport {
    /// Entries looked at, the dir itself included.
    pub checked: u64,
    /// Entries whose owner (or, for directories, mode) was changed.
    pub changed: u64,
    /// True when the dir already had the right owner and nothing below it was visited.
    pub fast_path: bool,
    /// Mounts below the dir, left alone (each logged as a warning).
    pub mounts: u64,
    /// Hard-linked files, device nodes, FIFOs and sockets, left alone (logged as warnings).
    pub left_alone: u64,
    /// The dir's mode before world write (o+w) was taken from it, when it had it.
    pub world_write_removed: Option<u32>,
}

/// The mode of directories kafka-init creates: the broker's user and group
/// may use them, others may not, and nothing is world-writable.
pub const NEW_DIR_MODE: u32 = 0o750;

/// Directories of the system that no broker's user may own. A dir that is
/// one of these (not below one) is refused: the broker's data belongs in a
/// directory of its own, usually a volume's mount.
const SYSTEM_DIRS: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/opt",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/tmp",
    "/usr",
    "/usr/bin",
    "/usr/include",
    "/usr/lib",
    "/usr/lib64",
    "/usr/libexec",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/lib",
    "/usr/local/sbin",
    "/usr/sbin",
    "/usr/share",
    "/var",
    "/var/cache",
    "/var/lib",
    "/var/log",
    "/var/run",
    "/var/spool",
    "/var/tmp",
];

/// Filesystems of the kernel, where nothing is the broker's: refused with
/// everything below them.
const KERNEL_TREES: &[&str] = &["/dev", "/proc", "/sys"];

/// Why kafka-init refuses to take ownership of `dir`, if it does; checked
/// before anything is changed. Pure.
///
/// `/` and the system's directories would hand the system to the broker's
/// user; a relative path depends on the working directory, which nobody
/// chose; `..` makes the path mean something else than it reads.
pub fn refusal(dir: &Path) -> Option<&'static str> {
    if !dir.is_absolute() {
        return Some("is a relative path; a data dir must be absolute, e.g. /bitnami/kafka/data");
    }
    if dir.components().any(|c| c == Component::ParentDir) {
        return Some("contains a `..` component; write the path without it");
    }
    let normal: Vec<&OsStr> = dir
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect();
    if normal.is_empty() {
        return Some("is the root directory; kafka-init will not chown / to the broker's user");
    }
    let clean = PathBuf::from("/").join(normal.iter().collect::<PathBuf>());
    if SYSTEM_DIRS.iter().any(|s| clean == Path::new(s)) {
        return Some("is a system directory; kafka-init will not chown it to the broker's user");
    }
    if KERNEL_TREES.iter().any(|k| clean.starts_with(k)) {
        return Some("is on a kernel filesystem (/dev, /proc, /sys); kafka-init will not chown it to the broker's user");
    }
    None
}

/// What is at a dir's path that the walk can use, looked at one component
/// at a time from `/` without following a symbolic link (`lstat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A directory, reached through directories only.
    Dir,
    /// Not there from some component on; [`ensure_owned`] creates it.
    Missing,
}

/// What is at a dir's path that the walk refuses.
#[derive(Debug)]
pub enum PathTrouble {
    /// A component (the dir itself or a parent) is a symbolic link.
    Symlink {
        /// The component that is a link.
        link: PathBuf,
        /// What it points to, as stored in the link.
        target: PathBuf,
    },
    /// A component (the dir itself or a parent) is not a directory.
    NotDir(PathBuf),
    /// A component could not be looked at.
    Unreadable(PathBuf, std::io::Error),
}

/// Looks at every component of the absolute path `dir`, as the preflight's
/// read-only view of what [`ensure_owned`] will meet.
pub fn find(dir: &Path) -> Result<Found, PathTrouble> {
    let mut at = PathBuf::from("/");
    for c in dir.components() {
        let Component::Normal(name) = c else { continue };
        at.push(name);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&at).unwrap_or_default();
                return Err(PathTrouble::Symlink { link: at, target });
            }
            Ok(m) if !m.is_dir() => return Err(PathTrouble::NotDir(at)),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
            Err(e) => return Err(PathTrouble::Unreadable(at, e)),
        }
    }
    Ok(Found::Dir)
}

/// Makes `dir` (created with its missing parents when absent) and everything
/// below it on the same mount owned by `uid:gid`, skipping the walk when
/// `dir` itself is already right. See the module doc for the rules.
pub fn ensure_owned(dir: &Path, uid: u32, gid: u32) -> Result<WalkReport> {
    Ok(own(dir, uid, gid, false)?.report)
}

/// What [`survey`] found: the dir's owner and mode as they are, and what
/// [`ensure_owned`] would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Survey {
    /// The dir's owner, uid and gid; None when it does not exist yet.
    pub owner: Option<(u32, u32)>,
    /// The dir's permission bits (0 when it does not exist).
    pub mode: u32,
    /// What [`ensure_owned`] would look at and change (`changed` counts
    /// the entries it would chown or chmod); nothing was changed.
    pub report: WalkReport,
}

/// Whether a server decides root's chowns on the mount holding `dir` (or
/// its nearest existing parent): NFS, and FUSE (network filesystems in user
/// space, and tests/slowfs, the tests' NFS stand-in). Either may squash root.
pub fn may_squash_root(dir: &Path) -> bool {
    let existing = dir.ancestors().find(|p| p.exists()).unwrap_or(dir);
    statfs(existing).is_ok_and(|s| {
        let t = s.filesystem_type();
        t == NFS_SUPER_MAGIC || t == FUSE_SUPER_MAGIC
    })
}

/// The walk of [`ensure_owned`] with every change left out: the same
/// decisions, counted (`prepare --check`). A missing dir counts as one
/// change (it would be created).
pub fn survey(dir: &Path, uid: u32, gid: u32) -> Result<Survey> {
    own(dir, uid, gid, true)
}

/// [`ensure_owned`], or with `dry_run` [`survey`].
fn own(dir: &Path, uid: u32, gid: u32, dry_run: bool) -> Result<Survey> {
    if let Some(why) = refusal(dir) {
        return Err(anyhow!("refusing to chown {}: it {why}", dir.display()));
    }
    let (uid, gid) = (Uid::from_raw(uid), Gid::from_raw(gid));
    let Some(root) = open_or_create(dir, uid, gid, !dry_run)? else {
        return Ok(Survey {
            owner: None,
            mode: 0,
            report: WalkReport {
                changed: 1,
                ..WalkReport::default()
            },
        });
    };
    let st = sys::stat_fd(root.as_fd()).with_context(|| format!("stat {}", dir.display()))?;
    // A server decides root's chowns on NFS, and on FUSE (network
    // filesystems in user space, and tests/slowfs, the tests' NFS
    // stand-in): either may squash root.
    let squashing = fstatfs(root.as_fd()).is_ok_and(|s| {
        let t = s.filesystem_type();
        t == NFS_SUPER_MAGIC || t == FUSE_SUPER_MAGIC
    });
    let survey = |report| Survey {
        owner: Some((st.uid, st.gid)),
        mode: st.mode & 0o7777,
        report,
    };
    let owned = st.uid == uid.as_raw() && st.gid == gid.as_raw();
    // A world-writable volume (the seed's `chmod 777` exports) lets any
    // process of any pod that mounts it rewrite the broker's log; the
    // broker's user owns it now, so nobody else needs to write. Group write
    // stays: images built for "any uid, group 0" rely on it.
    let world_write_removed = (st.mode & 0o002 != 0).then_some(st.mode & 0o7777);
    let mode = with_owner_rwx(st.mode & !0o002);
    if owned && has_owner_rwx(st.mode) {
        if world_write_removed.is_some() && !dry_run {
            sys::chmod_fd(root.as_fd(), mode)
                .with_context(|| format!("chmod o-w {}", dir.display()))?;
        }
        return Ok(survey(WalkReport {
            checked: 1,
            changed: u64::from(world_write_removed.is_some()),
            fast_path: true,
            world_write_removed,
            ..WalkReport::default()
        }));
    }
    let target = Target {
        uid,
        gid,
        mount: st.mount,
        squashing,
        dry_run,
    };
    let mut totals = walk::Counts::default();
    for round in 1..=WALKS {
        // A descriptor of its own for each walk: a dup would share the
        // listing's offset, and the second walk would list nothing.
        let walk_fd = sys::open_dir(root.as_fd(), c".")
            .map_err(|e| anyhow!("open {} again: {e}", dir.display()))?;
        let counts = walk::run(walk_fd, dir, &target)?;
        totals.checked += counts.checked;
        totals.changed += counts.changed;
        (totals.mounts, totals.left_alone) = (counts.mounts, counts.left_alone);
        if counts.unsettled.count == 0 {
            break;
        }
        if round == WALKS {
            return Err(Unsettled {
                dir: dir.to_path_buf(),
                changed: counts.unsettled,
            }
            .into());
        }
        tracing::warn!(dir = %dir.display(), count = counts.unsettled.count, paths = %counts.unsettled.paths(), round, "entries changed during the ownership walk (renamed, removed or added by something else): walking again");
    }
    let counts = totals;

    // Last, so that an interrupted walk leaves the dir mismatched and the
    // next start walks again (kubelet's OnRootMismatch does the same).
    let mut changed = false;
    if mode != st.mode & 0o7777 {
        if !dry_run {
            sys::chmod_fd(root.as_fd(), mode)
                .with_context(|| format!("chmod u+rwx,o-w {}", dir.display()))?;
        }
        changed = true;
    }
    if !owned {
        if !dry_run {
            sys::chown_fd(root.as_fd(), uid, gid).map_err(|e| chown_error(e, dir, &target))?;
        }
        changed = true;
    }
    Ok(survey(WalkReport {
        checked: 1 + counts.checked,
        changed: counts.changed + u64::from(changed),
        fast_path: false,
        mounts: counts.mounts,
        left_alone: counts.left_alone,
        world_write_removed,
    }))
}

/// What a trial chown in a data dir showed ([`try_chown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChownTrial {
    /// A scratch file was created, chowned to the broker's user and removed.
    Allowed,
    /// The dir does not exist yet: nothing to try in.
    NoDir,
    /// Root could not create a file in the dir (a server that maps root to
    /// nobody refuses it unless the dir is writable by others).
    CannotCreate(Errno),
    /// The file was created, and its chown refused (root_squash).
    Refused(Errno),
}

/// The scratch file's name: hidden, and no partition name, so a broker that
/// ever saw it would not load it.
const SCRATCH: &CStr = c".kafka-init-check";

/// Tries, in `dir`, the one operation `prepare` cannot do without: a chown
/// by root. Creates a scratch file (exclusively, never following a link),
/// chowns it to `uid:gid`, and removes it. This is how an NFS export's
/// root_squash shows itself before any real file is touched.
pub fn try_chown(dir: &Path, uid: u32, gid: u32) -> Result<ChownTrial> {
    let (uid, gid) = (Uid::from_raw(uid), Gid::from_raw(gid));
    let Some(fd) = open_or_create(dir, uid, gid, false)? else {
        return Ok(ChownTrial::NoDir);
    };
    let file = match sys::create_file(fd.as_fd(), SCRATCH) {
        Ok(file) => file,
        Err(e) => return Ok(ChownTrial::CannotCreate(e)),
    };
    let chowned = sys::chown_fd(file.as_fd(), uid, gid);
    drop(file);
    sys::remove_file(fd.as_fd(), SCRATCH).with_context(|| {
        format!(
            "remove the scratch file {}",
            dir.join(".kafka-init-check").display()
        )
    })?;
    Ok(match chowned {
        Ok(()) => ChownTrial::Allowed,
        Err(e) => ChownTrial::Refused(e),
    })
}

/// Opens `dir` for reading, one component at a time from `/`, never
/// following a symbolic link; with `create`, each missing component is
/// created owned by `uid:gid` with [`NEW_DIR_MODE`] (exactly: the umask does
/// not change it); without, a missing component gives None.
fn open_or_create(dir: &Path, uid: Uid, gid: Gid, create: bool) -> Result<Option<OwnedFd>> {
    let names: Vec<&OsStr> = dir
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect();
    let mut fd = sys::open_root().context("open /")?;
    let mut at = PathBuf::from("/");
    for (i, name) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        let cname = CString::new(name.as_bytes())
            .with_context(|| format!("{} holds a NUL byte", dir.display()))?;
        at.push(name);
        let open = if last {
            sys::open_dir
        } else {
            sys::open_passage
        };
        fd = match open(fd.as_fd(), &cname) {
            Ok(next) => next,
            Err(Errno::ENOENT) if !create => return Ok(None),
            Err(Errno::ENOENT) => make(fd.as_fd(), &cname, &at, uid, gid)?,
            Err(Errno::ELOOP | Errno::ENOTDIR) => {
                let what = match sys::stat_at(fd.as_fd(), &cname) {
                    Ok(st) if st.kind() == SFlag::S_IFLNK => "a symbolic link",
                    _ => "not a directory",
                };
                return Err(anyhow!(
                    "refusing to chown {}: {} is {what} (kafka-init never follows a link)",
                    dir.display(),
                    at.display()
                ));
            }
            Err(e) => return Err(anyhow!("open {}: {e}", at.display())),
        };
    }
    Ok(Some(fd))
}

/// Creates the directory `name` in `parent` for the broker and opens it.
fn make(
    parent: std::os::fd::BorrowedFd,
    name: &CString,
    at: &Path,
    uid: Uid,
    gid: Gid,
) -> Result<OwnedFd> {
    match sys::make_dir(parent, name, NEW_DIR_MODE) {
        Ok(()) => {}
        // Another process made it first: not ours to re-own here; the walk
        // below (or the dir's own check) decides about it.
        Err(Errno::EEXIST) => {
            return sys::open_dir(parent, name).map_err(|e| anyhow!("open {}: {e}", at.display()))
        }
        Err(e) => return Err(anyhow!("mkdir {}: {e}", at.display())),
    }
    let fd = sys::open_dir(parent, name).map_err(|e| anyhow!("open {}: {e}", at.display()))?;
    sys::chown_fd(fd.as_fd(), uid, gid)
        .map_err(|e| anyhow!("chown {} to {uid}:{gid}: {e}", at.display()))?;
    sys::chmod_fd(fd.as_fd(), NEW_DIR_MODE)
        .map_err(|e| anyhow!("chmod {NEW_DIR_MODE:o} {}: {e}", at.display()))?;
    tracing::debug!(dir = %at.display(), "created");
    Ok(fd)
}

/// A failed chown, with the root_squash advice where it applies.
fn chown_error(e: Errno, path: &Path, target: &Target) -> anyhow::Error {
    let (uid, gid) = (target.uid, target.gid);
    if target.squashing && matches!(e, Errno::EPERM | Errno::EACCES) {
        return anyhow!(
            "chown {} to {uid}:{gid}: {e}. {}",
            path.display(),
            root_squash_advice(uid, gid)
        );
    }
    anyhow!("chown {} to {uid}:{gid}: {e}", path.display())
}

/// What to tell someone whose NFS export refuses root's chown.
fn root_squash_advice(uid: Uid, gid: Gid) -> String {
    format!(
        "The server of this mount refused root: an NFS export with root_squash maps root to nobody, so even root cannot chown. \
         Fix the ownership on the export itself (on the NFS server: chown -R {uid}:{gid} <export dir>), \
         or run the broker as the uid:gid that owns the export (KAFKA_INIT_RUN_AS=<uid>:<gid> plus the pod's securityContext.runAsUser/runAsGroup)"
    )
}

fn has_owner_rwx(mode: u32) -> bool {
    mode & 0o700 == 0o700
}

/// The entry's permission bits plus owner rwx; nothing else is added, so
/// nothing becomes group- or world-writable that was not.
fn with_owner_rwx(mode: u32) -> u32 {
    (mode & 0o7777) | 0o700
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

/// Where `dir` lives on its NFS server: `server:/export/path` of the mount
/// holding it, with `dir`'s path below the mount point appended, so that an
/// admin can run the fix on the server itself. None when not NFS.
pub fn nfs_export_path(dir: &Path) -> Option<String> {
    nfs_mount(dir)?;
    let dev = nix::sys::stat::stat(dir).ok()?.st_dev;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    export_path(
        &mountinfo,
        nix::sys::stat::major(dev),
        nix::sys::stat::minor(dev),
        dir,
    )
}

/// The source of the mount with device `major:minor` whose mount point
/// (field 5) is the longest prefix of `dir`, with the rest of `dir` and the
/// mount's root within the source (field 4) appended. Pure.
pub fn export_path(mountinfo: &str, major: u64, minor: u64, dir: &Path) -> Option<String> {
    let dev = format!("{major}:{minor}");
    mountinfo
        .lines()
        .filter_map(|line| {
            let (mount_part, super_part) = line.split_once(" - ")?;
            let fields: Vec<&str> = mount_part.split(' ').collect();
            if fields.get(2) != Some(&dev.as_str()) {
                return None;
            }
            let (root, point) = (Path::new(fields.get(3)?), Path::new(fields.get(4)?));
            let below = dir.strip_prefix(point).ok()?;
            let source = super_part.split(' ').nth(1)?;
            let (server, export) = source.split_once(':')?;
            let path = Path::new(export)
                .join(root.strip_prefix("/").unwrap_or(root))
                .join(below);
            Some((
                point.as_os_str().len(),
                format!("{server}:{}", path.display()),
            ))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, p)| p.trim_end_matches('/').to_string())
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
    fn finds_the_nfs_server_path_of_a_data_dir() {
        let mountinfo = "\
22 1 8:1 / / rw - ext4 /dev/sda1 rw
601 590 0:63 / /bitnami/kafka/data rw,relatime - nfs 172.16.4.60:/nfs_share/k8s/kafka/pv2 rw,vers=4.1
602 590 0:64 /sub /mnt/bind rw - nfs4 nfs1:/export/ rw,vers=4.2
603 590 0:65 / /mnt/plain rw - ext4 /dev/sdb1 rw
";
        let cases: &[(u64, &str, Option<&str>)] = &[
            (
                63,
                "/bitnami/kafka/data",
                Some("172.16.4.60:/nfs_share/k8s/kafka/pv2"),
            ),
            (
                63,
                "/bitnami/kafka/data/kafka",
                Some("172.16.4.60:/nfs_share/k8s/kafka/pv2/kafka"),
            ),
            (64, "/mnt/bind/x", Some("nfs1:/export/sub/x")),
            // A source without server:path, and a device not in the table.
            (65, "/mnt/plain", None),
            (99, "/bitnami/kafka/data", None),
        ];
        for (minor, dir, want) in cases {
            assert_eq!(
                export_path(mountinfo, 0, *minor, Path::new(dir)).as_deref(),
                *want,
                "{dir}"
            );
        }
    }

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
            ("/etc", true),
            ("/etc/", true),
            ("//usr/./", true),
            ("/usr/local", true),
            ("/var/lib", true),
            ("/tmp", true),
            ("/opt", true),
            ("/proc/1/root", true),
            ("/sys/fs/cgroup", true),
            ("/dev/shm/kafka", true),
            ("/etc/kafka", false),
            ("/opt/kafka/config", false),
            ("/tmp/kafka-logs", false),
            ("/mnt/kafka", false),
            ("/data", false),
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
