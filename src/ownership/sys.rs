//! The system calls of the ownership walk, each wrapped once: opening a
//! directory without following a symbolic link, `statx` with the mount id,
//! listing a directory through a descriptor, changing an owner or mode by
//! descriptor. Errors stay `Errno`s here; the walk adds the path.

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nix::dir::Type;
use nix::errno::Errno;
use nix::fcntl::{openat, AtFlags, OFlag};
use nix::libc;
use nix::sys::stat::{fchmod, fstatat, makedev, mkdirat, FileStat, Mode, SFlag};
use nix::unistd::{fchown, fchownat, Gid, Uid};

/// Which mount an entry belongs to: the mount id where the kernel reports
/// one (`statx` `STATX_MNT_ID`, Linux 5.8), which tells a bind mount of the
/// same filesystem apart; else the device, which does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountKey {
    /// `stx_mnt_id`.
    Id(u64),
    /// `st_dev`, on kernels without mount ids.
    Dev(u64),
}

/// What the walk needs to know about an entry, and nothing more.
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    /// File type and permission bits (`st_mode`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Hard links to the inode.
    pub nlink: u64,
    /// The mount it is on.
    pub mount: MountKey,
    /// Last change of the content (`st_mtime`, seconds and nanoseconds):
    /// for a directory, when an entry was last added, removed or renamed.
    pub modified: (i64, u32),
}

impl Stat {
    /// The file type bits, as an `SFlag` (`S_IFDIR`, `S_IFREG`, ...).
    pub fn kind(&self) -> SFlag {
        SFlag::from_bits_truncate(self.mode) & SFlag::S_IFMT
    }

    fn from_statx(b: &libc::statx, mount_id: impl FnOnce() -> Option<u64>) -> Stat {
        let mount = if b.stx_mask & libc::STATX_MNT_ID != 0 {
            MountKey::Id(b.stx_mnt_id)
        } else {
            mount_id().map_or_else(
                || MountKey::Dev(makedev(b.stx_dev_major.into(), b.stx_dev_minor.into())),
                MountKey::Id,
            )
        };
        Stat {
            mode: b.stx_mode.into(),
            uid: b.stx_uid,
            gid: b.stx_gid,
            nlink: b.stx_nlink.into(),
            mount,
            modified: (b.stx_mtime.tv_sec, b.stx_mtime.tv_nsec),
        }
    }

    fn from_stat(st: &FileStat, mount_id: impl FnOnce() -> Option<u64>) -> Stat {
        Stat {
            mode: st.st_mode,
            uid: st.st_uid,
            gid: st.st_gid,
            // The type of st_nlink differs between targets (u64, u32).
            #[allow(clippy::useless_conversion)]
            nlink: st.st_nlink.into(),
            mount: mount_id().map_or(MountKey::Dev(st.st_dev), MountKey::Id),
            // The types differ between targets.
            #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
            modified: (st.st_mtime.into(), st.st_mtime_nsec as u32),
        }
    }
}

/// The mount id of `name` in `dir` from `name_to_handle_at` (Linux 2.6.39),
/// where `statx` has none to give (before Linux 5.8): the same id, without
/// reading `/proc/self/mountinfo`. `None` where the filesystem makes no file
/// handles; the device is all that is left then, and a warning says so.
fn mount_id_by_handle(dir: RawFd, name: &CStr, flags: AtFlags) -> Option<u64> {
    /// `struct file_handle` with room for the largest handle (`MAX_HANDLE_SZ`).
    #[repr(C)]
    struct Handle {
        bytes: u32,
        kind: i32,
        data: [u8; 128],
    }
    let mut handle = Handle {
        bytes: 128,
        kind: 0,
        data: [0; 128],
    };
    let mut mount_id: libc::c_int = 0;
    // Links are not followed unless AT_SYMLINK_FOLLOW is given.
    let flags = flags & AtFlags::AT_EMPTY_PATH;
    // SAFETY: `name` is NUL-terminated; `handle` is a file_handle whose
    // `bytes` says how much room follows; `mount_id` is a writable int.
    let r = unsafe {
        libc::syscall(
            libc::SYS_name_to_handle_at,
            dir,
            name.as_ptr(),
            &mut handle as *mut Handle,
            &mut mount_id as *mut libc::c_int,
            flags.bits(),
        )
    };
    if Errno::result(r).is_ok() {
        return u64::try_from(mount_id).ok();
    }
    warn_no_mount_ids();
    None
}

/// Says once per process that bind mounts cannot be told apart here.
fn warn_no_mount_ids() {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!("no mount ids here (neither statx STATX_MNT_ID, Linux 5.8, nor file handles): a bind mount of the dir's own filesystem below it cannot be told apart and would be walked");
    }
}

/// Set once `statx` turned out to be missing (ENOSYS: a kernel before 4.11
/// or a seccomp filter that predates it): `fstatat` from then on.
static NO_STATX: AtomicBool = AtomicBool::new(false);

/// `statx(dirfd, name, flags)` with the fields of [`Stat`]; `fstatat` where
/// there is no `statx`. The raw system call, because not every libc the
/// binary is built against has the wrapper.
fn statx(dirfd: RawFd, name: &CStr, flags: AtFlags) -> nix::Result<Stat> {
    if !NO_STATX.load(Ordering::Relaxed) {
        let mask = libc::STATX_TYPE
            | libc::STATX_MODE
            | libc::STATX_NLINK
            | libc::STATX_UID
            | libc::STATX_GID
            | libc::STATX_MTIME
            | libc::STATX_MNT_ID;
        let mut buf = MaybeUninit::<libc::statx>::zeroed();
        // SAFETY: `name` is NUL-terminated and outlives the call; `buf` is a
        // writable statx buffer of the kernel's layout (libc's definition).
        let r = unsafe {
            libc::syscall(
                libc::SYS_statx,
                dirfd,
                name.as_ptr(),
                flags.bits() | libc::AT_STATX_SYNC_AS_STAT,
                mask,
                buf.as_mut_ptr(),
            )
        };
        match Errno::result(r) {
            // SAFETY: the kernel filled the buffer (and it was zeroed before).
            Ok(_) => {
                let by_handle = || mount_id_by_handle(dirfd, name, flags);
                return Ok(Stat::from_statx(
                    unsafe { buf.assume_init_ref() },
                    by_handle,
                ));
            }
            Err(Errno::ENOSYS) => NO_STATX.store(true, Ordering::Relaxed),
            Err(e) => return Err(e),
        }
    }
    let st = fstatat(Some(dirfd), name, flags)?;
    Ok(Stat::from_stat(&st, || {
        mount_id_by_handle(dirfd, name, flags)
    }))
}

/// The entry `name` in `dir`, a symbolic link itself rather than its target.
pub fn stat_at(dir: BorrowedFd, name: &CStr) -> nix::Result<Stat> {
    statx(dir.as_raw_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW)
}

/// The file `fd` refers to.
pub fn stat_fd(fd: BorrowedFd) -> nix::Result<Stat> {
    statx(fd.as_raw_fd(), c"", AtFlags::AT_EMPTY_PATH)
}

/// Opens the directory `name` in `dir` for reading; `ELOOP` when it is a
/// symbolic link (never followed), `ENOTDIR` when it is not a directory.
/// `name` is one component, so nothing else is resolved on the way.
pub fn open_dir(dir: BorrowedFd, name: &CStr) -> nix::Result<OwnedFd> {
    open(dir, name, OFlag::O_RDONLY)
}

/// Like [`open_dir`], for a directory that is only passed through (`O_PATH`:
/// search permission on it is enough, as for a path lookup); `ENOTDIR`
/// for a symbolic link as for anything else that is not a directory.
pub fn open_passage(dir: BorrowedFd, name: &CStr) -> nix::Result<OwnedFd> {
    open(dir, name, OFlag::O_PATH)
}

fn open(dir: BorrowedFd, name: &CStr, access: OFlag) -> nix::Result<OwnedFd> {
    let flags = access | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let fd = openat(Some(dir.as_raw_fd()), name, flags, Mode::empty())?;
    // SAFETY: openat just returned this descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Creates the regular file `name` in `dir` for writing: exclusively (an
/// existing entry, a symbolic link included, is `EEXIST`), mode 0600.
pub fn create_file(dir: BorrowedFd, name: &CStr) -> nix::Result<OwnedFd> {
    let flags =
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let fd = openat(
        Some(dir.as_raw_fd()),
        name,
        flags,
        Mode::from_bits_truncate(0o600),
    )?;
    // SAFETY: openat just returned this descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Removes the file `name` from `dir` (never a directory).
pub fn remove_file(dir: BorrowedFd, name: &CStr) -> nix::Result<()> {
    nix::unistd::unlinkat(
        Some(dir.as_raw_fd()),
        name,
        nix::unistd::UnlinkatFlags::NoRemoveDir,
    )
}

/// Opens `/`, where every path kafka-init owns starts.
pub fn open_root() -> nix::Result<OwnedFd> {
    let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let fd = nix::fcntl::open("/", flags, Mode::empty())?;
    // SAFETY: open just returned this descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `mkdirat(dir, name, mode)` (the umask still applies; callers `fchmod`).
pub fn make_dir(dir: BorrowedFd, name: &CStr, mode: u32) -> nix::Result<()> {
    mkdirat(Some(dir.as_raw_fd()), name, Mode::from_bits_truncate(mode))
}

/// Bytes read from a directory per `getdents64`: a partition directory of a
/// thousand segment files in one or two calls (musl's `readdir` reads 2 KiB).
const DENTS_BYTES: usize = 32 * 1024;

/// A directory's entries read straight from the kernel (`getdents64`) into
/// one buffer that is reused from directory to directory: the walk's hot
/// loop allocates nothing per entry, and the descriptor that is listed is
/// the one the `*at` calls use (no second descriptor, no `DIR`).
///
/// Each read's entries come in inode order, not the directory's hash order:
/// consecutive stats and chowns then touch neighbouring inodes, which share
/// inode-table blocks; on a cold cache those are read in sequence rather than
/// at random (GNU fts sorts large directories for the same reason), and on
/// a warm one they stay in the CPU's cache.
pub struct Dents {
    buf: Vec<u8>,
    len: usize,
    /// (inode, start and end of its record in `buf`), sorted.
    order: Vec<(u64, usize, usize)>,
}

/// The offsets in a `struct linux_dirent64`: d_ino (8 bytes), d_off (8),
/// d_reclen (2), d_type (1), then the NUL-terminated name, padded to 8.
const D_RECLEN: usize = 16;
const D_TYPE: usize = 18;
const D_NAME: usize = 19;

impl Dents {
    pub fn new() -> Dents {
        Dents {
            buf: vec![0; DENTS_BYTES],
            len: 0,
            order: Vec::new(),
        }
    }

    /// Reads the next entries of `dir`, from where its descriptor's offset
    /// is (each directory is listed once); false when there are no more.
    pub fn read(&mut self, dir: BorrowedFd) -> nix::Result<bool> {
        // SAFETY: the buffer is writable for its whole length, which is
        // what the kernel is told it may fill.
        let r = unsafe {
            libc::syscall(
                libc::SYS_getdents64,
                dir.as_raw_fd(),
                self.buf.as_mut_ptr(),
                self.buf.len(),
            )
        };
        self.len = usize::try_from(Errno::result(r)?)
            .unwrap_or(0)
            .min(self.buf.len());
        self.order.clear();
        let mut at = 0;
        while let Some(reclen) = self.record_len(at) {
            let ino = u64::from_ne_bytes(self.buf[at..at + 8].try_into().unwrap_or_default());
            self.order.push((ino, at, at + reclen));
            at += reclen;
        }
        self.order.sort_unstable();
        Ok(self.len > 0)
    }

    /// The length of the record at `at`, if a whole one is there.
    fn record_len(&self, at: usize) -> Option<usize> {
        let rec = self.buf.get(at..self.len)?;
        let reclen = usize::from(u16::from_ne_bytes([
            *rec.get(D_RECLEN)?,
            *rec.get(D_RECLEN + 1)?,
        ]));
        // A record shorter than its header would never end the loop.
        (reclen > D_NAME && reclen <= rec.len()).then_some(reclen)
    }

    /// The entries read last, in inode order: each name and, where the
    /// filesystem fills in `d_type`, its type; `.` and `..` left out.
    pub fn entries(&self) -> impl Iterator<Item = (&CStr, Option<Type>)> {
        self.order.iter().filter_map(|&(_, start, end)| {
            let record = &self.buf[start..end];
            let name = CStr::from_bytes_until_nul(&record[D_NAME..]).ok()?;
            let dot = matches!(name.to_bytes(), b"." | b"..");
            (!dot).then(|| (name, entry_type(record[D_TYPE])))
        })
    }
}

fn entry_type(d_type: u8) -> Option<Type> {
    Some(match d_type {
        libc::DT_FIFO => Type::Fifo,
        libc::DT_CHR => Type::CharacterDevice,
        libc::DT_DIR => Type::Directory,
        libc::DT_BLK => Type::BlockDevice,
        libc::DT_REG => Type::File,
        libc::DT_LNK => Type::Symlink,
        libc::DT_SOCK => Type::Socket,
        _ => return None,
    })
}

/// The CPU time all threads of this process have used, for the walk's
/// pool to tell threads that compute from threads that wait.
pub fn process_cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a writable timespec; the clock exists on every Linux.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    if r != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        t.tv_sec.try_into().unwrap_or(0),
        t.tv_nsec.try_into().unwrap_or(0),
    )
}

/// Changes the owner of the entry `name` in `dir`, a symbolic link itself.
pub fn chown_at(dir: BorrowedFd, name: &CStr, uid: Uid, gid: Gid) -> nix::Result<()> {
    fchownat(
        Some(dir.as_raw_fd()),
        name,
        Some(uid),
        Some(gid),
        AtFlags::AT_SYMLINK_NOFOLLOW,
    )
}

/// Changes the owner of the open file `fd`.
pub fn chown_fd(fd: BorrowedFd, uid: Uid, gid: Gid) -> nix::Result<()> {
    fchown(fd.as_raw_fd(), Some(uid), Some(gid))
}

/// Sets the permission bits of the open file `fd`.
pub fn chmod_fd(fd: BorrowedFd, mode: u32) -> nix::Result<()> {
    fchmod(fd.as_raw_fd(), Mode::from_bits_truncate(mode))
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsFd;

    use super::*;

    fn open(path: &str) -> OwnedFd {
        let fd = nix::fcntl::open(path, OFlag::O_PATH | OFlag::O_CLOEXEC, Mode::empty()).unwrap();
        unsafe { OwnedFd::from_raw_fd(fd) }
    }

    #[test]
    fn the_file_handle_fallback_finds_the_mount_id_statx_reports() {
        for path in ["/", "/proc", "/proc/self", "/dev", "/tmp"] {
            let fd = open(path);
            let st = stat_fd(fd.as_fd()).unwrap();
            let MountKey::Id(want) = st.mount else {
                panic!("{path}: statx gave no mount id on this kernel");
            };
            let got = mount_id_by_handle(fd.as_raw_fd(), c"", AtFlags::AT_EMPTY_PATH);
            // Some pseudo filesystems make no handles: the fallback says None then.
            if let Some(got) = got {
                assert_eq!(got, want, "{path}");
            }
        }
        // /dev is a mount of its own (devtmpfs, which makes file handles).
        let root = open("/");
        let dev = mount_id_by_handle(root.as_raw_fd(), c"dev", AtFlags::empty());
        let slash = mount_id_by_handle(root.as_raw_fd(), c"", AtFlags::AT_EMPTY_PATH);
        assert!(dev.is_some() && slash.is_some(), "{dev:?} {slash:?}");
        assert_ne!(dev, slash);
    }

    #[test]
    fn dents_lists_every_entry_once_with_its_type_in_inode_order_per_read() {
        let dir = std::env::temp_dir().join(format!("kafka-init-dents-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        // More than one read's worth: names from 1 to 255 bytes.
        let mut want = std::collections::BTreeMap::new();
        for i in 0..3000usize {
            let name = format!("{i}-{}", "x".repeat(i % 250));
            std::fs::write(dir.join(&name), b"").unwrap();
            want.insert(name, Some(Type::File));
        }
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::os::unix::fs::symlink("/nowhere", dir.join("link")).unwrap();
        want.insert("sub".into(), Some(Type::Directory));
        want.insert("link".into(), Some(Type::Symlink));

        let fd =
            nix::fcntl::open(&dir, OFlag::O_RDONLY | OFlag::O_DIRECTORY, Mode::empty()).unwrap();
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut dents = Dents::new();
        let (mut got, mut reads) = (std::collections::BTreeMap::new(), 0);
        while dents.read(fd.as_fd()).unwrap() {
            reads += 1;
            let inos: Vec<u64> = dents.order.iter().map(|&(ino, _, _)| ino).collect();
            assert!(
                inos.windows(2).all(|w| w[0] <= w[1]),
                "read {reads} not in inode order"
            );
            for (name, kind) in dents.entries() {
                let name = name.to_str().unwrap().to_string();
                assert!(got.insert(name.clone(), kind).is_none(), "{name} twice");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(reads > 1, "one read: the test does not cross a buffer");
        // Some filesystems give no types (DT_UNKNOWN): then none may be wrong.
        for (name, kind) in &got {
            assert!(kind.is_none() || kind == &want[name], "{name}: {kind:?}");
        }
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
    }
}
