//! The system calls of the ownership walk, each wrapped once: opening a
//! directory without following a symbolic link, `statx` with the mount id,
//! listing a directory through a descriptor, changing an owner or mode by
//! descriptor. Errors stay `Errno`s here; the walk adds the path.

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::dir::{Dir, Type};
use nix::errno::Errno;
use nix::fcntl::{openat, AtFlags, OFlag};
use nix::libc;
use nix::sys::stat::{fchmod, fstatat, makedev, mkdirat, FileStat, Mode, SFlag};
use nix::unistd::{dup, fchown, fchownat, Gid, Uid};

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

/// The entries of the directory `fd` (through a second descriptor, so `fd`
/// stays usable for the `*at` calls on them), `.` and `..` left out.
pub struct Listing(nix::dir::OwningIter);

impl Listing {
    /// Starts listing `fd` from its beginning.
    pub fn of(fd: BorrowedFd) -> nix::Result<Listing> {
        let dup = dup(fd.as_raw_fd())?;
        Ok(Listing(Dir::from_fd(dup)?.into_iter()))
    }
}

impl Iterator for Listing {
    /// A name and, where the filesystem fills in `d_type`, its type.
    type Item = nix::Result<(Box<CStr>, Option<Type>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let entry = match self.0.next()? {
                Ok(e) => e,
                Err(e) => return Some(Err(e)),
            };
            let name = entry.file_name();
            if !matches!(name.to_bytes(), b"." | b"..") {
                return Some(Ok((name.into(), entry.file_type())));
            }
        }
    }
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
}
