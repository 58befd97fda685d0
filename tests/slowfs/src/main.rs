//! slowfs: a FUSE passthrough filesystem that stands in for an NFS mount in
//! kafka-init's tests and benchmarks (this machine's kernel has FUSE but no
//! NFS client).
//!
//! Every operation is passed through to a backing directory after a fixed
//! delay (default 200 µs, an NFS round trip on a LAN), by many threads at
//! once, so a client that keeps several operations in flight gains as it
//! would against an NFS server. With `--squash-root` it behaves like an
//! export with `root_squash`: requests from uid 0 are served as
//! nobody (65534:65534), so root's chown fails with EPERM, its chmod of a
//! file nobody does not own with EPERM, and its creations need write
//! permission for nobody. Owners and modes are always reported as they are
//! in the backing directory.
//!
//! Usage: slowfs [--delay-us N] [--threads N] [--ttl-ms N] [--squash-root] [--stats] BACKING MOUNTPOINT
//! (`--ttl-ms`: how long the kernel may cache entries and attributes, 1000;
//! `--stats`: print the number of operations of each kind at the end.)
//! Runs until the mount is unmounted (`umount MOUNTPOINT`) or it gets
//! SIGTERM/SIGINT, which unmount it. Needs root (it mounts with
//! `allow_other,default_permissions`, so every user sees it and the kernel
//! checks permissions from the reported owners and modes, as NFS clients do).

use std::collections::{BTreeMap, HashMap};
use std::ffi::{CString, OsStr, OsString};
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fuser::{
    AccessFlags, BsdFileFlags, Config, Errno, FileAttr, FileHandle, FileType, Filesystem,
    FopenFlags, Generation, INodeNo, InitFlags, KernelConfig, LockOwner, MountOption, OpenFlags,
    RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory, ReplyDirectoryPlus, ReplyEmpty,
    ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite, Request, SessionACL, TimeOrNow, WriteFlags,
};

/// Who root becomes on a squashing export (Linux nfsd's default anonuid/anongid).
const NOBODY: u32 = 65534;

/// The command line.
struct Options {
    delay: Duration,
    threads: usize,
    ttl: Duration,
    squash_root: bool,
    stats: bool,
    backing: PathBuf,
    mountpoint: PathBuf,
}

const USAGE: &str = "usage: slowfs [--delay-us N] [--threads N] [--ttl-ms N] [--squash-root] [--stats] BACKING MOUNTPOINT";

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        delay: Duration::from_micros(200),
        threads: 16,
        ttl: Duration::from_secs(1),
        squash_root: false,
        stats: false,
        backing: PathBuf::new(),
        mountpoint: PathBuf::new(),
    };
    let mut paths = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            let v = args.next().ok_or(format!("{name} needs a value"))?;
            v.to_string_lossy()
                .parse()
                .map_err(|e| format!("{name} {v:?}: {e}"))
        };
        match a.to_str() {
            Some("--delay-us") => o.delay = Duration::from_micros(number("--delay-us")?),
            Some("--threads") => o.threads = number("--threads")?.max(1) as usize,
            Some("--ttl-ms") => o.ttl = Duration::from_millis(number("--ttl-ms")?),
            Some("--squash-root") => o.squash_root = true,
            Some("--stats") => o.stats = true,
            Some(s) if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ => paths.push(PathBuf::from(a)),
        }
    }
    let [backing, mountpoint]: [PathBuf; 2] = paths.try_into().map_err(|_| USAGE.to_string())?;
    o.backing = fs::canonicalize(&backing).map_err(|e| format!("{}: {e}", backing.display()))?;
    o.mountpoint =
        fs::canonicalize(&mountpoint).map_err(|e| format!("{}: {e}", mountpoint.display()))?;
    Ok(o)
}

/// The identity a request is served as.
#[derive(Clone, Copy)]
struct Caller {
    uid: u32,
    gid: u32,
    /// Root mapped to nobody: the server checks permissions itself.
    squashed: bool,
}

/// An inode the kernel knows: its node id is the backing inode number (the
/// backing root's is 1, as FUSE requires), so `stat` and `readdir` agree.
struct Node {
    path: PathBuf,
    lookups: u64,
}

/// One entry of a directory listing taken at opendir.
struct DirEntry {
    ino: u64,
    kind: FileType,
    name: OsString,
}

struct SlowFs {
    delay: Duration,
    ttl: Duration,
    squash_root: bool,
    root_ino: u64,
    nodes: RwLock<HashMap<u64, Node>>,
    files: Mutex<HashMap<u64, File>>,
    dirs: Mutex<HashMap<u64, Vec<DirEntry>>>,
    next_handle: AtomicU64,
    counts: Mutex<BTreeMap<&'static str, u64>>,
    stats: bool,
}

/// What an operation answers: a value or the errno the client gets.
type Answer<T> = std::result::Result<T, Errno>;

fn errno(e: io::Error) -> Errno {
    Errno::from(e)
}

fn kind_of(t: fs::FileType) -> FileType {
    FileType::from_std(t).unwrap_or(FileType::RegularFile)
}

fn time(secs: i64, nsecs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::new(secs as u64, nsecs as u32)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

fn cstring(p: &Path) -> Answer<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)
}

/// Unix permission check of `mask` (4 read, 2 write, 1 search) for `c`,
/// as the server of a squashing export does for nobody.
fn permits(md: &Metadata, c: Caller, mask: u32) -> bool {
    let mode = md.mode();
    let bits = if md.uid() == c.uid {
        mode >> 6
    } else if md.gid() == c.gid {
        mode >> 3
    } else {
        mode
    };
    bits & mask == mask
}

impl SlowFs {
    fn new(o: &Options) -> io::Result<SlowFs> {
        let root_ino = fs::metadata(&o.backing)?.ino();
        let mut nodes = HashMap::new();
        nodes.insert(
            1,
            Node {
                path: o.backing.clone(),
                lookups: 1,
            },
        );
        Ok(SlowFs {
            delay: o.delay,
            ttl: o.ttl,
            squash_root: o.squash_root,
            root_ino,
            nodes: RwLock::new(nodes),
            files: Mutex::new(HashMap::new()),
            dirs: Mutex::new(HashMap::new()),
            next_handle: AtomicU64::new(1),
            counts: Mutex::new(BTreeMap::new()),
            stats: o.stats,
        })
    }

    /// The round trip every operation pays before it is served; counted by name.
    fn pause(&self, op: &'static str) {
        *self
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(op)
            .or_default() += 1;
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
    }

    fn caller(&self, req: &Request) -> Caller {
        if self.squash_root && req.uid() == 0 {
            Caller {
                uid: NOBODY,
                gid: NOBODY,
                squashed: true,
            }
        } else {
            Caller {
                uid: req.uid(),
                gid: req.gid(),
                squashed: false,
            }
        }
    }

    /// Fails with EACCES when a squashed caller lacks `mask` on `path`.
    fn check(&self, c: Caller, path: &Path, mask: u32) -> Answer<()> {
        if c.squashed && !permits(&fs::symlink_metadata(path).map_err(errno)?, c, mask) {
            return Err(Errno::EACCES);
        }
        Ok(())
    }

    fn node_id(&self, backing_ino: u64) -> Answer<u64> {
        match backing_ino {
            i if i == self.root_ino => Ok(1),
            // Only a filesystem root has inode 1, and it is not below the backing dir.
            1 => Err(Errno::EIO),
            i => Ok(i),
        }
    }

    fn path(&self, ino: INodeNo) -> Answer<PathBuf> {
        let nodes = self.nodes.read().unwrap_or_else(|e| e.into_inner());
        nodes
            .get(&ino.0)
            .map(|n| n.path.clone())
            .ok_or(Errno::ESTALE)
    }

    fn attr(&self, md: &Metadata) -> Answer<FileAttr> {
        Ok(FileAttr {
            ino: INodeNo(self.node_id(md.ino())?),
            size: md.size(),
            blocks: md.blocks(),
            atime: time(md.atime(), md.atime_nsec()),
            mtime: time(md.mtime(), md.mtime_nsec()),
            ctime: time(md.ctime(), md.ctime_nsec()),
            crtime: UNIX_EPOCH,
            kind: kind_of(md.file_type()),
            perm: (md.mode() & 0o7777) as u16,
            nlink: md.nlink() as u32,
            uid: md.uid(),
            gid: md.gid(),
            rdev: md.rdev() as u32,
            blksize: md.blksize() as u32,
            flags: 0,
        })
    }

    /// Records that the kernel now knows `path` (one more lookup) and returns its attributes.
    fn remember(&self, path: PathBuf) -> Answer<FileAttr> {
        let attr = self.attr(&fs::symlink_metadata(&path).map_err(errno)?)?;
        self.count_lookup(attr.ino.0, path);
        Ok(attr)
    }

    fn count_lookup(&self, node: u64, path: PathBuf) {
        let mut nodes = self.nodes.write().unwrap_or_else(|e| e.into_inner());
        let node = nodes.entry(node).or_insert(Node {
            path: PathBuf::new(),
            lookups: 0,
        });
        node.path = path;
        node.lookups += 1;
    }

    /// Gives a new entry the caller's owner, the group of a setgid parent
    /// otherwise the caller's, as a server creating it for that user would.
    fn own_new(&self, c: Caller, parent: &Path, path: &Path) -> Answer<()> {
        let p = fs::metadata(parent).map_err(errno)?;
        let gid = if p.mode() & libc::S_ISGID != 0 {
            p.gid()
        } else {
            c.gid
        };
        std::os::unix::fs::lchown(path, Some(c.uid), Some(gid)).map_err(errno)
    }

    fn handle(&self) -> u64 {
        self.next_handle.fetch_add(1, Ordering::Relaxed)
    }

    fn reply_entry(&self, reply: ReplyEntry, r: Answer<FileAttr>) {
        match r {
            Ok(attr) => reply.entry(&self.ttl, &attr, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn reply_attr(&self, reply: ReplyAttr, r: Answer<FileAttr>) {
        match r {
            Ok(attr) => reply.attr(&self.ttl, &attr),
            Err(e) => reply.error(e),
        }
    }

    /// Creates `name` in `parent` with `make`, owned like the caller, and remembers it.
    fn make(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        make: impl FnOnce(&Path) -> io::Result<()>,
    ) -> Answer<FileAttr> {
        let c = self.caller(req);
        let dir = self.path(parent)?;
        self.check(c, &dir, 3)?;
        let path = dir.join(name);
        make(&path).map_err(errno)?;
        self.own_new(c, &dir, &path)?;
        self.remember(path)
    }

    /// chown, chmod, truncate and utimes, with the server-side checks of a squashed caller.
    #[allow(clippy::too_many_arguments)]
    fn set(
        &self,
        c: Caller,
        path: &Path,
        mode: Option<u32>,
        owner: (Option<u32>, Option<u32>),
        size: Option<u64>,
        times: (Option<TimeOrNow>, Option<TimeOrNow>),
    ) -> Answer<FileAttr> {
        let md = fs::symlink_metadata(path).map_err(errno)?;
        if c.squashed {
            let owns = md.uid() == c.uid;
            let (uid, gid) = owner;
            let chown_ok = owns
                && uid.is_none_or(|u| u == md.uid())
                && gid.is_none_or(|g| g == md.gid() || g == c.gid);
            if (uid.is_some() || gid.is_some()) && !chown_ok {
                return Err(Errno::EPERM);
            }
            if mode.is_some() && !owns {
                return Err(Errno::EPERM);
            }
            let explicit = |t: &Option<TimeOrNow>| matches!(t, Some(TimeOrNow::SpecificTime(_)));
            if !owns && (explicit(&times.0) || explicit(&times.1)) {
                return Err(Errno::EPERM);
            }
            let any_time = times.0.is_some() || times.1.is_some();
            if (size.is_some() || any_time) && !owns && !permits(&md, c, 2) {
                return Err(Errno::EACCES);
            }
        }
        if owner.0.is_some() || owner.1.is_some() {
            std::os::unix::fs::lchown(path, owner.0, owner.1).map_err(errno)?;
        }
        if let Some(m) = mode {
            fs::set_permissions(path, fs::Permissions::from_mode(m & 0o7777)).map_err(errno)?;
        }
        if let Some(s) = size {
            OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|f| f.set_len(s))
                .map_err(errno)?;
        }
        if times.0.is_some() || times.1.is_some() {
            utimes(path, times)?;
        }
        self.attr(&fs::symlink_metadata(path).map_err(errno)?)
    }

    fn list(&self, path: &Path, ino: u64) -> Answer<Vec<DirEntry>> {
        let parent_ino = match path.parent() {
            Some(p) if ino != 1 => fs::metadata(p).map_err(errno)?.ino(),
            _ => 1,
        };
        let mut entries = vec![
            DirEntry {
                ino,
                kind: FileType::Directory,
                name: ".".into(),
            },
            DirEntry {
                ino: parent_ino,
                kind: FileType::Directory,
                name: "..".into(),
            },
        ];
        for e in fs::read_dir(path).map_err(errno)? {
            let e = e.map_err(errno)?;
            let kind = kind_of(e.file_type().map_err(errno)?);
            entries.push(DirEntry {
                ino: std::os::unix::fs::DirEntryExt::ino(&e),
                kind,
                name: e.file_name(),
            });
        }
        Ok(entries)
    }

    fn open_file(&self, c: Caller, path: &Path, flags: i32, create: Option<u32>) -> Answer<u64> {
        let acc = flags & libc::O_ACCMODE;
        let (read, write) = (acc != libc::O_WRONLY, acc != libc::O_RDONLY);
        if create.is_none() {
            self.check(
                c,
                path,
                if read { 4 } else { 0 } | if write { 2 } else { 0 },
            )?;
        }
        let mut o = OpenOptions::new();
        o.read(read).write(write).custom_flags(
            // The kernel computes every write's offset, appends included.
            flags & !(libc::O_ACCMODE | libc::O_CREAT | libc::O_APPEND | libc::O_NOCTTY),
        );
        if let Some(mode) = create {
            o.create_new(true).mode(mode);
        }
        let f = o.open(path).map_err(errno)?;
        let fh = self.handle();
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(fh, f);
        Ok(fh)
    }

    fn with_file<T>(&self, fh: FileHandle, f: impl FnOnce(&File) -> io::Result<T>) -> Answer<T> {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let file = files.get(&fh.0).ok_or(Errno::EBADF)?;
        f(file).map_err(errno)
    }

    /// Keeps the paths of known nodes right after `from` became `to`.
    fn renamed(&self, from: &Path, to: &Path) {
        let mut nodes = self.nodes.write().unwrap_or_else(|e| e.into_inner());
        for node in nodes.values_mut() {
            if let Ok(rest) = node.path.strip_prefix(from) {
                node.path = if rest.as_os_str().is_empty() {
                    to.to_path_buf()
                } else {
                    to.join(rest)
                };
            }
        }
    }
}

fn utimes(path: &Path, (atime, mtime): (Option<TimeOrNow>, Option<TimeOrNow>)) -> Answer<()> {
    let spec = |t: Option<TimeOrNow>| match t {
        None => libc::timespec {
            tv_sec: 0,
            tv_nsec: libc::UTIME_OMIT,
        },
        Some(TimeOrNow::Now) => libc::timespec {
            tv_sec: 0,
            tv_nsec: libc::UTIME_NOW,
        },
        Some(TimeOrNow::SpecificTime(t)) => {
            let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
            libc::timespec {
                tv_sec: d.as_secs() as libc::time_t,
                tv_nsec: d.subsec_nanos() as libc::c_long,
            }
        }
    };
    let times = [spec(atime), spec(mtime)];
    let p = cstring(path)?;
    // SAFETY: p is a valid C string and times holds two timespecs, as utimensat requires.
    let rc = unsafe {
        libc::utimensat(
            libc::AT_FDCWD,
            p.as_ptr(),
            times.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(errno(io::Error::last_os_error()))
    }
}

impl Filesystem for SlowFs {
    fn destroy(&mut self) {
        if self.stats {
            let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            let total: u64 = counts.values().sum();
            let each: Vec<String> = counts.iter().map(|(op, n)| format!("{op} {n}")).collect();
            eprintln!("slowfs: {total} operations: {}", each.join(", "));
        }
    }

    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> io::Result<()> {
        // NFS serves lookups in one directory concurrently; FUSE only does
        // when asked to.
        let _ = config.add_capabilities(InitFlags::FUSE_PARALLEL_DIROPS);
        // The server clears setuid/setgid bits on chown and write, as an NFS
        // server does; otherwise the kernel asks for the attributes again
        // before every chown (one more round trip an NFS client never makes).
        let _ = config.add_capabilities(InitFlags::FUSE_HANDLE_KILLPRIV_V2);
        // Entries come with their attributes, as NFS's READDIRPLUS gives
        // them (Linux mounts use it by default): no LOOKUP per entry after
        // reading a directory.
        let _ = config.add_capabilities(InitFlags::FUSE_DO_READDIRPLUS);
        Ok(())
    }

    fn lookup(&self, req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        self.pause("lookup");
        let r = self.path(parent).and_then(|dir| {
            self.check(self.caller(req), &dir, 1)?;
            self.remember(dir.join(name))
        });
        self.reply_entry(reply, r);
    }

    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        let mut nodes = self.nodes.write().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = nodes.get_mut(&ino.0) {
            n.lookups = n.lookups.saturating_sub(nlookup);
            if n.lookups == 0 && ino.0 != 1 {
                nodes.remove(&ino.0);
            }
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        self.pause("getattr");
        let r = self
            .path(ino)
            .and_then(|p| self.attr(&fs::symlink_metadata(p).map_err(errno)?));
        self.reply_attr(reply, r);
    }

    fn setattr(
        &self,
        req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        self.pause("setattr");
        let c = self.caller(req);
        let r = self
            .path(ino)
            .and_then(|p| self.set(c, &p, mode, (uid, gid), size, (atime, mtime)));
        self.reply_attr(reply, r);
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        self.pause("readlink");
        match self.path(ino).and_then(|p| fs::read_link(p).map_err(errno)) {
            Ok(t) => reply.data(t.as_os_str().as_bytes()),
            Err(e) => reply.error(e),
        }
    }

    fn mkdir(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        reply: ReplyEntry,
    ) {
        self.pause("mkdir");
        let r = self.make(req, parent, name, |p| {
            fs::DirBuilder::new().mode(mode & !umask).create(p)
        });
        self.reply_entry(reply, r);
    }

    fn unlink(&self, req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        self.pause("unlink");
        let r = self.path(parent).and_then(|dir| {
            self.check(self.caller(req), &dir, 3)?;
            fs::remove_file(dir.join(name)).map_err(errno)
        });
        reply_empty(reply, r);
    }

    fn rmdir(&self, req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        self.pause("rmdir");
        let r = self.path(parent).and_then(|dir| {
            self.check(self.caller(req), &dir, 3)?;
            fs::remove_dir(dir.join(name)).map_err(errno)
        });
        reply_empty(reply, r);
    }

    fn symlink(
        &self,
        req: &Request,
        parent: INodeNo,
        link_name: &OsStr,
        target: &Path,
        reply: ReplyEntry,
    ) {
        self.pause("symlink");
        let r = self.make(req, parent, link_name, |p| {
            std::os::unix::fs::symlink(target, p)
        });
        self.reply_entry(reply, r);
    }

    fn rename(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        self.pause("rename");
        let c = self.caller(req);
        let r = (|| {
            if flags.bits() != 0 {
                return Err(Errno::EINVAL);
            }
            let (from_dir, to_dir) = (self.path(parent)?, self.path(newparent)?);
            self.check(c, &from_dir, 3)?;
            self.check(c, &to_dir, 3)?;
            let (from, to) = (from_dir.join(name), to_dir.join(newname));
            fs::rename(&from, &to).map_err(errno)?;
            self.renamed(&from, &to);
            Ok(())
        })();
        reply_empty(reply, r);
    }

    fn link(
        &self,
        req: &Request,
        ino: INodeNo,
        newparent: INodeNo,
        newname: &OsStr,
        reply: ReplyEntry,
    ) {
        self.pause("link");
        let r = (|| {
            let dir = self.path(newparent)?;
            self.check(self.caller(req), &dir, 3)?;
            let path = dir.join(newname);
            fs::hard_link(self.path(ino)?, &path).map_err(errno)?;
            self.remember(path)
        })();
        self.reply_entry(reply, r);
    }

    fn open(&self, req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        self.pause("open");
        let c = self.caller(req);
        match self
            .path(ino)
            .and_then(|p| self.open_file(c, &p, flags.0, None))
        {
            Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::empty()),
            Err(e) => reply.error(e),
        }
    }

    fn read(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        self.pause("read");
        let r = self.with_file(fh, |f| {
            let mut buf = vec![0; size as usize];
            let n = f.read_at(&mut buf, offset)?;
            buf.truncate(n);
            Ok(buf)
        });
        match r {
            Ok(data) => reply.data(&data),
            Err(e) => reply.error(e),
        }
    }

    fn write(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        data: &[u8],
        write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        self.pause("write");
        let kill = write_flags.contains(WriteFlags::FUSE_WRITE_KILL_SUIDGID);
        let r = self.with_file(fh, |f| {
            f.write_all_at(data, offset)?;
            let mode = f.metadata()?.mode();
            if kill && mode & (libc::S_ISUID | libc::S_ISGID) != 0 {
                let cleared = mode & 0o7777 & !(libc::S_ISUID | libc::S_ISGID);
                f.set_permissions(fs::Permissions::from_mode(cleared))?;
            }
            Ok(())
        });
        match r {
            Ok(()) => reply.written(data.len() as u32),
            Err(e) => reply.error(e),
        }
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        self.pause("flush");
        reply.ok();
    }

    fn release(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        self.pause("release");
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&fh.0);
        reply.ok();
    }

    fn fsync(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        self.pause("fsync");
        reply_empty(reply, self.with_file(fh, |f| f.sync_all()));
    }

    fn opendir(&self, req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        self.pause("opendir");
        let r = self.path(ino).and_then(|p| {
            self.check(self.caller(req), &p, 4)?;
            self.list(&p, ino.0)
        });
        match r {
            Ok(entries) => {
                let fh = self.handle();
                self.dirs
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(fh, entries);
                reply.opened(FileHandle(fh), FopenFlags::empty())
            }
            Err(e) => reply.error(e),
        }
    }

    fn readdir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        self.pause("readdir");
        let dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entries) = dirs.get(&fh.0) else {
            return reply.error(Errno::EBADF);
        };
        for (i, e) in entries.iter().enumerate().skip(offset as usize) {
            let ino = self.node_id(e.ino).unwrap_or(e.ino);
            if reply.add(INodeNo(ino), i as u64 + 1, e.kind, &e.name) {
                break;
            }
        }
        reply.ok();
    }

    fn readdirplus(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectoryPlus,
    ) {
        self.pause("readdirplus");
        let Ok(dir) = self.path(ino) else {
            return reply.error(Errno::ESTALE);
        };
        let dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entries) = dirs.get(&fh.0) else {
            return reply.error(Errno::EBADF);
        };
        for (i, e) in entries.iter().enumerate().skip(offset as usize) {
            // The kernel takes "." and ".." as names only, without a lookup.
            let dots = e.name == "." || e.name == "..";
            let path = if dots { dir.clone() } else { dir.join(&e.name) };
            let attr = match fs::symlink_metadata(&path)
                .map_err(errno)
                .and_then(|m| self.attr(&m))
            {
                Ok(a) => a,
                // Gone since opendir: leave it out.
                Err(_) => continue,
            };
            if reply.add(
                attr.ino,
                i as u64 + 1,
                &e.name,
                &self.ttl,
                &attr,
                Generation(0),
            ) {
                break;
            }
            if !dots {
                // Each entry returned counts as a lookup the kernel will forget.
                self.count_lookup(attr.ino.0, path);
            }
        }
        reply.ok();
    }

    fn releasedir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        reply: ReplyEmpty,
    ) {
        self.pause("releasedir");
        self.dirs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&fh.0);
        reply.ok();
    }

    fn statfs(&self, _req: &Request, ino: INodeNo, reply: ReplyStatfs) {
        self.pause("statfs");
        let r = self.path(ino).and_then(|p| {
            let c = cstring(&p)?;
            // SAFETY: statvfs is plain data; zeroed is a valid value for it.
            let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
            // SAFETY: c is a valid C string and s a valid statvfs to fill.
            if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
                return Err(errno(io::Error::last_os_error()));
            }
            Ok(s)
        });
        match r {
            Ok(s) => reply.statfs(
                s.f_blocks,
                s.f_bfree,
                s.f_bavail,
                s.f_files,
                s.f_ffree,
                s.f_bsize as u32,
                s.f_namemax as u32,
                s.f_frsize as u32,
            ),
            Err(e) => reply.error(e),
        }
    }

    fn access(&self, _req: &Request, _ino: INodeNo, _mask: AccessFlags, reply: ReplyEmpty) {
        // default_permissions: the kernel checks access itself.
        reply.ok();
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        flags: i32,
        reply: ReplyCreate,
    ) {
        self.pause("create");
        let c = self.caller(req);
        let mut fh = 0;
        let r = self.make(req, parent, name, |p| {
            fh = self
                .open_file(c, p, flags, Some(mode & !umask))
                .map_err(|e| io::Error::from_raw_os_error(e.code()))?;
            Ok(())
        });
        match r {
            Ok(attr) => reply.created(
                &self.ttl,
                &attr,
                Generation(0),
                FileHandle(fh),
                FopenFlags::empty(),
            ),
            Err(e) => reply.error(e),
        }
    }
}

fn reply_empty(reply: ReplyEmpty, r: Answer<()>) {
    match r {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(e),
    }
}

/// Blocks SIGTERM and SIGINT in every thread and unmounts on either, so
/// that a killed slowfs leaves no dead mount behind.
fn unmount_on_signal(mountpoint: &Path) -> io::Result<()> {
    let target = cstring(mountpoint).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: sigset_t is plain data, initialised by sigemptyset before use;
    // the mask is set before any other thread exists, so all inherit it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                let mut sig = 0;
                libc::sigwait(&set, &mut sig);
                libc::umount2(target.as_ptr(), libc::MNT_DETACH);
            })?;
    }
    Ok(())
}

fn main() {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("slowfs: {e}\n{USAGE}");
            std::process::exit(64);
        }
    };
    // SAFETY: umask and prctl only change this process's (and thread's) settings.
    unsafe {
        // Modes of new entries are exactly what the client asked for.
        libc::umask(0);
        // Sleep for the delay asked, not up to 50 µs more (threads inherit it).
        libc::prctl(libc::PR_SET_TIMERSLACK, 1, 0, 0, 0);
    }
    let run = || -> io::Result<()> {
        unmount_on_signal(&o.mountpoint)?;
        let fs = SlowFs::new(&o)?;
        let mut config = Config::default();
        config.mount_options = vec![
            MountOption::FSName(format!("slowfs:{}", o.backing.display())),
            MountOption::Subtype("slowfs".into()),
            MountOption::DefaultPermissions,
        ];
        config.acl = SessionACL::All;
        config.n_threads = Some(o.threads);
        config.clone_fd = true;
        fuser::mount(fs, &o.mountpoint, &config)
    };
    if let Err(e) = run() {
        eprintln!("slowfs: {}: {e}", o.mountpoint.display());
        std::process::exit(1);
    }
}
