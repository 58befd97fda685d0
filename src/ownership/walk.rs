//! The walk below a data dir whose owner is wrong: a pool of threads
//! sharing a queue of directories and batches of entries, so that many
//! metadata operations are in flight at once. On NFS every `chown` is a
//! network round trip; one at a time, a walk waits on the network, not on
//! the disk or the CPU. The pool is sized for that latency, not for cores:
//! it grows while its threads wait ([`Pool`]).
//!
//! Every job works from a directory descriptor and one name: a symbolic link
//! is never followed (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`), a directory is
//! stat'ed through the descriptor it was opened as (what is re-owned is what
//! was checked), and a mount is recognised by its mount id and left alone.

use std::ffi::{CStr, OsStr};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use nix::dir::Type;
use nix::errno::Errno;
use nix::sys::stat::SFlag;
use nix::unistd::{Gid, Uid};

use super::sys::{self, Dents, MountKey, Stat};
use super::{has_owner_rwx, root_squash_advice, with_owner_rwx};

/// Threads of the walk at most. On NFS each thread mostly waits on one
/// metadata operation, a network round trip, so this is how many operations
/// are kept in flight there.
const MAX_THREADS: usize = 16;

/// How often the pool is looked at, to grow it while its threads wait.
const POOL_CHECK: Duration = Duration::from_millis(10);

/// Entries per job: small enough to spread a large flat directory over the
/// pool, large enough that the queue's lock is not taken per entry.
const BATCH: usize = 128;

/// When the first progress line is logged, and how often after that.
const PROGRESS_AFTER: Duration = Duration::from_secs(2);
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// Paths shown in a warning about entries left alone; the rest are counted.
const SHOWN: usize = 5;

/// Paths kept of those that changed during the walk, for the error that
/// lists them; the rest are counted.
const UNSETTLED_SHOWN: usize = 20;

/// Whom the tree is for and what it must not leave.
pub struct Target {
    /// The owner to set.
    pub uid: Uid,
    /// The group to set.
    pub gid: Gid,
    /// The data dir's own mount; anything on another one is left alone.
    pub mount: MountKey,
    /// Whether the data dir's server may squash root (NFS, FUSE), for the
    /// root_squash advice.
    pub squashing: bool,
    /// Count what would change and change nothing (`prepare --check`): the
    /// same walk and the same decisions, without the chown and chmod calls.
    pub dry_run: bool,
}

/// Counts of one walk, the data dir itself not included.
#[derive(Default)]
pub struct Counts {
    /// Entries looked at.
    pub checked: u64,
    /// Entries whose owner or mode was changed.
    pub changed: u64,
    /// Mounts found below the data dir and left alone.
    pub mounts: u64,
    /// Hard-linked files, device nodes, FIFOs and sockets left alone.
    pub left_alone: u64,
    /// Entries and directories that changed while the walk was at them: an
    /// entry listed and then gone or replaced (removed, or renamed to a
    /// name the walk may have passed already), a directory whose entries
    /// changed while it was listed. What they hold may keep a wrong owner.
    pub unsettled: Sample,
}

/// An open directory and its path (for messages only; never looked up).
struct DirRef {
    fd: OwnedFd,
    path: PathBuf,
}

impl DirRef {
    fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn child(&self, name: &CStr) -> PathBuf {
        self.path.join(OsStr::from_bytes(name.to_bytes()))
    }
}

/// One unit of work for a thread of the pool.
enum Job {
    /// A subdirectory to open (below `parent`), check, fix and list.
    Open {
        parent: Arc<DirRef>,
        name: Box<CStr>,
    },
    /// A directory already open and checked, to list.
    List(Arc<DirRef>),
    /// Entries of `dir` that are not directories (or whose type the
    /// filesystem does not say), to check and fix.
    Entries { dir: Arc<DirRef>, batch: Batch },
}

/// Names of one directory's entries, each NUL-terminated, one after the
/// other, with their types: one allocation per batch, none per entry.
struct Batch {
    names: Vec<u8>,
    kinds: Vec<Option<Type>>,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            // Kafka's file names: 20 digits and a suffix.
            names: Vec::with_capacity(BATCH * 32),
            kinds: Vec::with_capacity(BATCH),
        }
    }

    fn push(&mut self, name: &CStr, kind: Option<Type>) {
        self.names.extend_from_slice(name.to_bytes_with_nul());
        self.kinds.push(kind);
    }

    fn len(&self) -> usize {
        self.kinds.len()
    }

    fn iter(&self) -> impl Iterator<Item = (&CStr, Option<Type>)> {
        let names = self.names.split_inclusive(|&b| b == 0);
        // Each piece ends with the NUL pushed after it, and has no other.
        names
            .filter_map(|n| CStr::from_bytes_with_nul(n).ok())
            .zip(self.kinds.iter().copied())
    }
}

/// The queue. A stack, so the walk goes depth first and the directories
/// held open are bounded by depth times threads, not by the tree's width.
#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    /// Threads running a job (which may push more).
    busy: usize,
    /// Nothing left to do, or a job failed.
    over: bool,
    error: Option<anyhow::Error>,
}

/// Entries of one kind: how many, and the first few.
#[derive(Default, Debug)]
pub struct Sample {
    /// How many.
    pub count: u64,
    /// The first few.
    pub first: Vec<PathBuf>,
}

impl Sample {
    fn note(&mut self, path: PathBuf) {
        self.note_up_to(path, SHOWN);
    }

    fn note_up_to(&mut self, path: PathBuf, shown: usize) {
        self.count += 1;
        if self.first.len() < shown {
            self.first.push(path);
        }
    }

    /// The paths noted, sorted, with how many more there were.
    pub fn paths(&self) -> String {
        let mut shown: Vec<String> = self.first.iter().map(|p| p.display().to_string()).collect();
        shown.sort();
        let mut s = shown.join(", ");
        if self.count > self.first.len() as u64 {
            s.push_str(&format!(
                " and {} more",
                self.count - self.first.len() as u64
            ));
        }
        s
    }
}

/// What the threads share.
struct Shared<'a> {
    target: &'a Target,
    queue: Mutex<Queue>,
    /// Signalled when a job is queued or the walk is over.
    work: Condvar,
    /// Signalled when the walk is over.
    over: Condvar,
    checked: AtomicU64,
    changed: AtomicU64,
    mounts: AtomicU64,
    hard_linked: Mutex<Sample>,
    special: Mutex<Sample>,
    unsettled: Mutex<Sample>,
}

/// Checks and fixes everything below the open directory `root` (whose own
/// owner and mode are the caller's, to change last), at `path`.
pub fn run(root: OwnedFd, path: &Path, target: &Target) -> Result<Counts> {
    let start = Instant::now();
    let shared = Shared {
        target,
        queue: Mutex::new(Queue::default()),
        work: Condvar::new(),
        over: Condvar::new(),
        checked: AtomicU64::new(0),
        changed: AtomicU64::new(0),
        mounts: AtomicU64::new(0),
        hard_linked: Mutex::default(),
        special: Mutex::default(),
        unsettled: Mutex::default(),
    };
    shared.push(Job::List(Arc::new(DirRef {
        fd: root,
        path: path.to_path_buf(),
    })));
    let threads = std::thread::scope(|scope| -> Result<usize> {
        let mut pool = Pool {
            scope,
            shared: &shared,
            threads: 0,
        };
        if let Err(e) = pool.grow(first_threads()) {
            shared.stop();
            return Err(e).context("start a thread of the ownership walk");
        }
        pool.wait(path, start);
        Ok(pool.threads)
    })?;
    tracing::debug!(dir = %path.display(), threads, "ownership walk over");
    let queue = shared
        .queue
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(e) = queue.error {
        return Err(e);
    }
    let left = |s: Mutex<Sample>| s.into_inner().unwrap_or_else(PoisonError::into_inner);
    let (hard_linked, special) = (left(shared.hard_linked), left(shared.special));
    let unsettled = left(shared.unsettled);
    if hard_linked.count > 0 {
        tracing::warn!(count = hard_linked.count, paths = %hard_linked.paths(), "regular files with more than one hard link left alone (re-owning one name re-owns every other name of the file; Kafka creates none)");
    }
    if special.count > 0 {
        tracing::warn!(count = special.count, paths = %special.paths(), "device nodes, FIFOs and sockets left alone (Kafka creates none)");
    }
    Ok(Counts {
        checked: shared.checked.into_inner(),
        changed: shared.changed.into_inner(),
        mounts: shared.mounts.into_inner(),
        left_alone: hard_linked.count + special.count,
        unsettled,
    })
}

/// The walk's threads, started by the caller's thread, which then watches
/// them: a pool sized for latency, not for cores. It starts with a thread
/// per core, which is what a walk that is bound by the CPU (a local disk, a
/// warm cache) can use: more would only take turns on the cores. While its
/// threads spend most of their time waiting (NFS round trips, a cold disk)
/// and work is queued, it doubles, up to [`MAX_THREADS`].
struct Pool<'scope, 'env, 't> {
    scope: &'scope std::thread::Scope<'scope, 'env>,
    shared: &'env Shared<'t>,
    threads: usize,
}

/// One thread per core, at least two.
fn first_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(2, MAX_THREADS)
}

impl<'scope, 'env, 't> Pool<'scope, 'env, 't> {
    /// Starts up to `more` threads; an error only when none could be
    /// started and the pool has none (fewer threads make a slower walk,
    /// none makes none).
    fn grow(&mut self, more: usize) -> std::io::Result<()> {
        let shared = self.shared;
        for _ in 0..more.min(MAX_THREADS - self.threads) {
            let thread = std::thread::Builder::new()
                .name("kafka-init-walk".into())
                .stack_size(256 * 1024)
                .spawn_scoped(self.scope, move || shared.work_loop());
            match thread {
                Ok(_) => self.threads += 1,
                Err(e) if self.threads == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(())
    }

    /// Waits for the end: grows the pool while its threads wait on storage,
    /// and logs progress on a long walk, so that a first start on slow
    /// storage shows moving, not hanging.
    fn wait(&mut self, path: &Path, start: Instant) {
        let shared = self.shared;
        let mut next = PROGRESS_AFTER;
        let mut cpu = sys::process_cpu_time();
        let mut tick = Instant::now();
        let mut q = shared.lock();
        while !q.over {
            let timeout = next.saturating_sub(start.elapsed()).min(POOL_CHECK);
            q = shared
                .over
                .wait_timeout(q, timeout)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if q.over {
                break;
            }
            if tick.elapsed() >= POOL_CHECK && self.threads < MAX_THREADS {
                let (busy, queued) = (q.busy, q.jobs.len());
                let now = sys::process_cpu_time();
                let on_cpu = now.saturating_sub(cpu).as_secs_f64() / tick.elapsed().as_secs_f64();
                (cpu, tick) = (now, Instant::now());
                // Busy threads that used less than half a core each were
                // mostly waiting: more of them keep more in flight.
                if queued > 0 && on_cpu < busy as f64 / 2.0 {
                    drop(q);
                    let before = self.threads;
                    // Errors leave the pool as it is: it still works.
                    let _ = self.grow(before);
                    tracing::debug!(dir = %path.display(), busy, on_cpu = (on_cpu * 100.0).round() / 100.0, queued, threads = self.threads, "ownership walk: threads wait on storage; pool grown");
                    q = shared.lock();
                }
            }
            let elapsed = start.elapsed();
            if elapsed >= next {
                let checked = shared.checked.load(Ordering::Relaxed);
                tracing::info!(
                    dir = %path.display(),
                    checked,
                    changed = shared.changed.load(Ordering::Relaxed),
                    per_second = (checked as f64 / elapsed.as_secs_f64()) as u64,
                    elapsed_s = elapsed.as_secs(),
                    threads = self.threads,
                    "ownership walk in progress"
                );
                next = elapsed + PROGRESS_EVERY;
            }
        }
    }
}

impl Shared<'_> {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A poisoned lock only means a thread panicked; the queue is intact.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, job: Job) {
        self.lock().jobs.push(job);
        self.work.notify_one();
    }

    /// Whether a job pushed now would be taken soon: by an idle thread, or
    /// by one that the pool adds while its threads wait on storage.
    fn wants_work(&self) -> bool {
        self.lock().jobs.len() < MAX_THREADS
    }

    fn stop(&self) {
        self.lock().over = true;
        self.work.notify_all();
        self.over.notify_all();
    }

    /// One thread: takes jobs until the queue is empty and no job runs (a
    /// running job may still push more), or until a job fails.
    fn work_loop(&self) {
        let mut dents = Dents::new();
        loop {
            let job = {
                let mut q = self.lock();
                loop {
                    if q.over {
                        return;
                    }
                    if let Some(job) = q.jobs.pop() {
                        q.busy += 1;
                        break job;
                    }
                    if q.busy == 0 {
                        q.over = true;
                        self.work.notify_all();
                        self.over.notify_all();
                        return;
                    }
                    q = self.work.wait(q).unwrap_or_else(PoisonError::into_inner);
                }
            };
            let result = self.run_job(job, &mut dents);
            let mut q = self.lock();
            q.busy -= 1;
            let failed = result.is_err();
            if let Err(e) = result {
                q.error.get_or_insert(e);
            }
            if failed || (q.busy == 0 && q.jobs.is_empty()) {
                q.over = true;
                self.work.notify_all();
                self.over.notify_all();
            }
        }
    }

    fn run_job(&self, job: Job, dents: &mut Dents) -> Result<()> {
        match job {
            Job::Open { parent, name } => self.open(&parent, &name, dents),
            Job::List(dir) => self.list(dir, dents),
            Job::Entries { dir, batch } => self.entries(&dir, &batch),
        }
    }

    /// Opens a subdirectory without following a link, checks it through
    /// its own descriptor, fixes it, and lists it.
    fn open(&self, parent: &DirRef, name: &CStr, dents: &mut Dents) -> Result<()> {
        let fd = match sys::open_dir(parent.fd(), name) {
            Ok(fd) => fd,
            // Removed, or renamed (perhaps to a name the listing passed
            // already), or replaced since it was listed.
            Err(Errno::ENOENT | Errno::ELOOP | Errno::ENOTDIR) => {
                self.unsettled(parent.child(name));
                return Ok(());
            }
            Err(e) => return Err(self.call_error(e, "open", parent.child(name))),
        };
        let st =
            sys::stat_fd(fd.as_fd()).map_err(|e| self.call_error(e, "stat", parent.child(name)))?;
        self.checked.fetch_add(1, Ordering::Relaxed);
        if st.mount != self.target.mount {
            self.mount_left_alone(parent.child(name));
            return Ok(());
        }
        let mut changed = false;
        if !self.owned(&st) {
            if !self.target.dry_run {
                sys::chown_fd(fd.as_fd(), self.target.uid, self.target.gid)
                    .map_err(|e| self.chown_error(e, parent.child(name)))?;
            }
            changed = true;
        }
        if !has_owner_rwx(st.mode) {
            // The broker must be able to create and remove partition files.
            if !self.target.dry_run {
                sys::chmod_fd(fd.as_fd(), with_owner_rwx(st.mode))
                    .map_err(|e| anyhow!("chmod u+rwx {}: {e}", parent.child(name).display()))?;
            }
            changed = true;
        }
        if changed {
            self.changed.fetch_add(1, Ordering::Relaxed);
        }
        let dir = DirRef {
            fd,
            path: parent.child(name),
        };
        self.list(Arc::new(dir), dents)
    }

    /// Lists `dir`: subdirectories become jobs of their own; other entries
    /// are checked here, straight from the listing, except that while
    /// threads are idle the next [`BATCH`] of them is handed to them.
    fn list(&self, dir: Arc<DirRef>, dents: &mut Dents) -> Result<()> {
        let mut tally = Tally::default();
        let result = self.list_tallied(&dir, dents, &mut tally);
        tally.flush(self);
        result
    }

    fn list_tallied(&self, dir: &Arc<DirRef>, dents: &mut Dents, tally: &mut Tally) -> Result<()> {
        let mut handed: Option<Batch> = None;
        let mut seen = 0usize;
        // An entry added, removed or renamed while the listing goes may be
        // missed by it; the directory's mtime says whether one was.
        let modified = |dir: &DirRef| sys::stat_fd(dir.fd()).map(|st| st.modified).ok();
        let before = modified(dir);
        while dents
            .read(dir.fd())
            .map_err(|e| anyhow!("list {}: {e}", dir.path.display()))?
        {
            for (name, kind) in dents.entries() {
                if kind == Some(Type::Directory) {
                    self.push(Job::Open {
                        parent: Arc::clone(dir),
                        name: name.into(),
                    });
                    continue;
                }
                if seen.is_multiple_of(BATCH) {
                    // Counts show in the progress line as the walk goes.
                    tally.flush(self);
                    if self.wants_work() {
                        handed = Some(Batch::new());
                    }
                }
                seen += 1;
                let Some(batch) = &mut handed else {
                    tally.count(self.entry(dir, name, kind)?);
                    continue;
                };
                batch.push(name, kind);
                if batch.len() == BATCH {
                    if let Some(batch) = handed.take() {
                        self.push(Job::Entries {
                            dir: Arc::clone(dir),
                            batch,
                        });
                    }
                }
            }
        }
        // The last batch is not full: handing it over would not pay.
        for (name, kind) in handed.iter().flat_map(Batch::iter) {
            tally.count(self.entry(dir, name, kind)?);
        }
        if before.is_none() || modified(dir) != before {
            self.unsettled(dir.path.clone());
        }
        Ok(())
    }

    fn entries(&self, dir: &Arc<DirRef>, batch: &Batch) -> Result<()> {
        let mut tally = Tally::default();
        let result = batch.iter().try_for_each(|(name, kind)| {
            tally.count(self.entry(dir, name, kind)?);
            Ok(())
        });
        tally.flush(self);
        result
    }

    /// Checks and fixes one entry that is not known to be a directory. The
    /// directory entry's type decides where it suffices: device nodes,
    /// FIFOs and sockets are left alone without a `stat`.
    fn entry(&self, dir: &Arc<DirRef>, name: &CStr, kind: Option<Type>) -> Result<Visit> {
        if matches!(
            kind,
            Some(Type::CharacterDevice | Type::BlockDevice | Type::Fifo | Type::Socket)
        ) {
            self.lock_sample(&self.special).note(dir.child(name));
            return Ok(Visit::Unchanged);
        }
        let st = match sys::stat_at(dir.fd(), name) {
            Ok(st) => st,
            Err(Errno::ENOENT) => {
                self.unsettled(dir.child(name));
                return Ok(Visit::Uncounted);
            }
            Err(e) => return Err(self.call_error(e, "stat", dir.child(name))),
        };
        let kind = st.kind();
        if kind == SFlag::S_IFDIR {
            // The filesystem gave no type (DT_UNKNOWN): a directory after all.
            self.push(Job::Open {
                parent: Arc::clone(dir),
                name: name.into(),
            });
            return Ok(Visit::Uncounted);
        }
        if st.mount != self.target.mount {
            // A file bind-mounted over an entry of the tree.
            self.mount_left_alone(dir.child(name));
            return Ok(Visit::Unchanged);
        }
        match kind {
            SFlag::S_IFREG if st.nlink > 1 => {
                self.lock_sample(&self.hard_linked).note(dir.child(name));
                return Ok(Visit::Unchanged);
            }
            SFlag::S_IFREG | SFlag::S_IFLNK => {}
            _ => {
                self.lock_sample(&self.special).note(dir.child(name));
                return Ok(Visit::Unchanged);
            }
        }
        if self.owned(&st) {
            return Ok(Visit::Unchanged);
        }
        if self.target.dry_run {
            return Ok(Visit::Changed);
        }
        // The name could be replaced between the stat and the chown only by
        // someone writing into the tree during the initContainer; the chown
        // still never follows a link and never leaves this directory.
        match sys::chown_at(dir.fd(), name, self.target.uid, self.target.gid) {
            Ok(()) => Ok(Visit::Changed),
            Err(Errno::ENOENT) => {
                self.unsettled(dir.child(name));
                Ok(Visit::Uncounted)
            }
            Err(e) => Err(self.chown_error(e, dir.child(name))),
        }
    }

    fn lock_sample<'s>(&self, sample: &'s Mutex<Sample>) -> MutexGuard<'s, Sample> {
        sample.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes an entry that changed while the walk was at it.
    fn unsettled(&self, path: PathBuf) {
        self.lock_sample(&self.unsettled)
            .note_up_to(path, UNSETTLED_SHOWN);
    }

    /// Each mount is met once, where it is mounted: one line per mount.
    fn mount_left_alone(&self, path: PathBuf) {
        self.mounts.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(path = %path.display(), "a mount below the dir: left alone (neither entered nor re-owned; it has its own owner)");
    }

    fn owned(&self, st: &Stat) -> bool {
        st.uid == self.target.uid.as_raw() && st.gid == self.target.gid.as_raw()
    }

    fn call_error(&self, e: Errno, call: &str, path: PathBuf) -> anyhow::Error {
        if self.target.squashing && matches!(e, Errno::EACCES | Errno::EPERM) {
            let advice = root_squash_advice(self.target.uid, self.target.gid);
            return anyhow!("{call} {}: {e}. {advice}", path.display());
        }
        anyhow!("{call} {}: {e}", path.display())
    }

    fn chown_error(&self, e: Errno, path: PathBuf) -> anyhow::Error {
        super::chown_error(e, &path, self.target)
    }
}

/// What checking one entry amounted to, for the counts.
enum Visit {
    Unchanged,
    Changed,
    /// Gone, or a directory that its own job counts.
    Uncounted,
}

/// Counts of one thread's entries, added to the walk's now and then
/// rather than per entry.
#[derive(Default)]
struct Tally {
    checked: u64,
    changed: u64,
}

impl Tally {
    fn count(&mut self, visit: Visit) {
        match visit {
            Visit::Unchanged => self.checked += 1,
            Visit::Changed => (self.checked, self.changed) = (self.checked + 1, self.changed + 1),
            Visit::Uncounted => {}
        }
    }

    fn flush(&mut self, shared: &Shared) {
        shared
            .checked
            .fetch_add(std::mem::take(&mut self.checked), Ordering::Relaxed);
        shared
            .changed
            .fetch_add(std::mem::take(&mut self.changed), Ordering::Relaxed);
    }
}
