//! `kafka-init prepare` on a latency-bound FUSE mount standing in for NFS
//! (tests/slowfs, built by scripts/build-slowfs.sh; every operation waits
//! 200 µs): with root squashed, as on an export with `root_squash`, it gives
//! the NFS advice, exits 1 and changes nothing; on the plain mount it
//! re-owns every entry. As root, with /dev/fuse: they fail, never skip,
//! when either is missing.

mod util;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use util::scratch::{set, snapshot};
use util::stderr;

const BROKER: (u32, u32) = (1001, 1001);

/// slowfs, built once per test run.
fn slowfs() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/build-slowfs.sh");
        let out = Command::new(&script).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && !stdout.trim().is_empty(),
            "{} failed:\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(stdout.trim())
    })
}

/// A slowfs mount of `<scratch>/backing` at `<scratch>/mnt`, unmounted and
/// removed when dropped.
struct Mount {
    root: PathBuf,
    child: Option<Child>,
}

impl Mount {
    fn new(test: &str, squash_root: bool) -> Mount {
        assert!(
            nix::unistd::Uid::effective().is_root(),
            "{test}: FUSE mounts and chown need root (scripts/test)"
        );
        let root = PathBuf::from(format!(
            "/tmp/kafka-init-fuse-{test}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["backing", "mnt"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let mut m = Mount { root, child: None };
        let mut cmd = Command::new(slowfs());
        if squash_root {
            cmd.arg("--squash-root");
        }
        let child = cmd
            .arg(m.backing())
            .arg(m.point())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        m.child = Some(child);
        m.wait_mounted(test);
        m
    }

    fn backing(&self) -> PathBuf {
        self.root.join("backing")
    }

    fn point(&self) -> PathBuf {
        self.root.join("mnt")
    }

    /// Waits until the mount point is a FUSE mount; panics with slowfs's
    /// own words if it exits first (no /dev/fuse, no permission).
    fn wait_mounted(&mut self, test: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let fuse = nix::sys::statfs::statfs(&self.point())
                .is_ok_and(|s| s.filesystem_type() == nix::sys::statfs::FUSE_SUPER_MAGIC);
            if fuse {
                return;
            }
            let child = self.child.as_mut().unwrap();
            if let Some(status) = child.try_wait().unwrap() {
                let out = self.child.take().unwrap().wait_with_output().unwrap();
                panic!(
                    "{test}: slowfs exited ({status}) before mounting; FUSE (/dev/fuse) is required:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            assert!(
                Instant::now() < deadline,
                "{test}: slowfs did not mount in 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn dir(&self, rel: &str, owner: (u32, u32), mode: u32) -> PathBuf {
        let p = self.backing().join(rel);
        std::fs::create_dir_all(&p).unwrap();
        set(&p, owner, mode);
        p
    }

    fn file(&self, rel: &str, owner: (u32, u32), mode: u32) -> PathBuf {
        let p = self.backing().join(rel);
        std::fs::write(&p, b"x").unwrap();
        set(&p, owner, mode);
        p
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        // Unmounting ends slowfs; a lazy unmount if something still holds it.
        let point = self.point();
        let ok = Command::new("umount").arg(&point).status();
        if !ok.is_ok_and(|s| s.success()) {
            let _ = Command::new("umount").arg("-l").arg(&point).status();
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A broker's data dir as root left it: root-owned, a partition dir the
/// broker cannot enter, files of several owners and modes, a
/// meta.properties for broker 1 (0644, as Kafka writes it: readable by
/// squashed root) and a symlink to a root-owned file outside the volume.
fn wrong_tree(m: &Mount) -> PathBuf {
    let data = m.dir("data", (0, 0), 0o755);
    let meta = m.file("data/meta.properties", (0, 0), 0o644);
    std::fs::write(meta, b"version=0\nbroker.id=1\n").unwrap();
    m.file("data/.lock", (4242, 4242), 0o600);
    for p in 0..3 {
        m.dir(&format!("data/orders-{p}"), (0, 0), 0o755);
        for seg in 0..20 {
            let (owner, mode) = if seg % 5 == 0 {
                ((1001, 0), 0o600)
            } else {
                ((0, 0), 0o644)
            };
            m.file(&format!("data/orders-{p}/{seg:020}.log"), owner, mode);
        }
    }
    m.dir("data/orders-1", (0, 0), 0o500);
    let outside = m.root.join("outside");
    std::fs::write(&outside, b"not the broker's").unwrap();
    std::os::unix::fs::symlink(&outside, data.join("orders-2/link")).unwrap();
    data
}

/// `kafka-init prepare` as pod kafka-1 (ZooKeeper mode) with `log_dir`.
fn prepare(log_dir: &Path) -> Output {
    prepare_logging(log_dir, "info")
}

/// [`prepare`], logging at `level`.
fn prepare_logging(log_dir: &Path, level: &str) -> Output {
    as_kafka_1(log_dir)
        .env("KAFKA_INIT_LOG_FORMAT", "json")
        .env("KAFKA_INIT_LOG", level)
        .arg("prepare")
        .output()
        .unwrap()
}

/// kafka-init as pod kafka-1 (ZooKeeper mode) with `log_dir`, run as 1001:1001.
fn as_kafka_1(log_dir: &Path) -> Command {
    let mut c = Command::new(util::bin());
    c.env_clear()
        .env("POD_NAME", "kafka-1")
        .env("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181")
        .env("KAFKA_CFG_LOG_DIRS", log_dir)
        .env("KAFKA_INIT_RUN_AS", "1001:1001")
        .env("KAFKA_INIT_FLAVOR", "properties");
    c
}

#[test]
fn on_a_root_squashing_mount_prepare_gives_the_nfs_advice_exits_1_and_changes_nothing() {
    let m = Mount::new("squash", true);
    let data = wrong_tree(&m);
    let before = snapshot(&data);
    let o = prepare(&m.point().join("data"));
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    // The first refusal may be a chown (EPERM) or, squashed root being
    // nobody, opening a directory only root may read (EACCES).
    assert!(e.contains("EPERM") || e.contains("EACCES"), "{e}");
    for says in ["root_squash", "chown -R 1001:1001"] {
        assert!(e.contains(says), "message lacks {says:?}:\n{e}");
    }
    assert_eq!(
        snapshot(&data),
        before,
        "the squashed walk changed something"
    );
    // The data dir itself is still not the broker's: the next start walks again.
    assert_eq!(std::fs::metadata(&data).unwrap().uid(), 0);
}

#[test]
fn on_a_plain_delayed_mount_prepare_re_owns_every_entry_and_the_broker_can_write() {
    let m = Mount::new("plain", false);
    let data = wrong_tree(&m);
    let before = snapshot(&data);
    let outside = m.root.join("outside");
    let o = prepare(&m.point().join("data"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = snapshot(&data);
    assert_eq!(after.len(), before.len());
    for (path, (uid, gid, mode)) in &after {
        assert_eq!((*uid, *gid), BROKER, "{} owner", path.display());
        let was = before[path].2;
        let want = if std::fs::symlink_metadata(path).unwrap().is_dir() {
            was | 0o700
        } else {
            was
        };
        assert_eq!(*mode, want, "{} mode", path.display());
    }
    assert_eq!(
        std::fs::metadata(&outside).unwrap().uid(),
        0,
        "symlink target re-owned"
    );

    // The broker (uid 1001) works on the mount as it would on NFS.
    let segment = m.point().join("data/orders-1/00000000000000000020.log");
    let wrote = Command::new("setpriv")
        .args(["--reuid=1001", "--regid=1001", "--clear-groups", "touch"])
        .arg(&segment)
        .status()
        .unwrap();
    assert!(
        wrote.success(),
        "uid 1001 could not create {}",
        segment.display()
    );
    let created = std::fs::metadata(data.join("orders-1/00000000000000000020.log")).unwrap();
    assert_eq!((created.uid(), created.gid()), BROKER);

    // Right now: the next start does not walk.
    let again = prepare(&m.point().join("data"));
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("\"fast_path\":true"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn on_a_delayed_mount_the_walk_adds_threads_while_they_wait_on_it() {
    let m = Mount::new("grow", false);
    m.dir("data", (0, 0), 0o755);
    // Enough directories that work stays queued while the pool doubles.
    for d in 0..64 {
        m.dir(&format!("data/orders-{d}"), (0, 0), 0o755);
        for seg in 0..20 {
            m.file(&format!("data/orders-{d}/{seg:020}.log"), (0, 0), 0o644);
        }
    }
    let o = prepare_logging(&m.point().join("data"), "debug");
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{e}");
    assert!(e.contains("\"checked\":1345"), "{e}");
    let over = e
        .lines()
        .find(|l| l.contains("ownership walk over"))
        .unwrap_or_else(|| panic!("no end of the walk logged:\n{e}"));
    // Every operation waits 200 µs: the pool grows to its most, whatever
    // it started with (a thread per core).
    assert!(over.contains("\"threads\":16"), "{over}");
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    if cores < 16 {
        assert!(e.contains("pool grown"), "{e}");
    }
    for (path, (uid, gid, _)) in snapshot(&m.point().join("data")) {
        assert_eq!((uid, gid), BROKER, "{}", path.display());
    }
}

/// `kafka-init prepare --check` as pod kafka-1, as [`prepare`] runs.
fn check(log_dir: &Path) -> Output {
    as_kafka_1(log_dir)
        .args(["prepare", "--check"])
        .output()
        .unwrap()
}

#[test]
fn on_a_root_squashing_mount_check_exits_1_names_the_fix_and_changes_nothing() {
    let m = Mount::new("check-squash", true);
    let data = wrong_tree(&m);
    let before = snapshot(&data);
    let o = check(&m.point().join("data"));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
    for says in [
        "root_squash",
        "fix: on the server of this volume: chown -R 1001:1001",
        "prepare cannot own",
    ] {
        assert!(out.contains(says), "report lacks {says:?}:\n{out}");
    }
    assert_eq!(snapshot(&data), before, "--check changed something");

    // A world-writable export (the seed's `chmod 777`): squashed root may
    // create the scratch file, and its chown is refused as NFS refuses it.
    let open = m.dir("open", (0, 0), 0o777);
    m.file("open/meta.properties", (0, 0), 0o644);
    std::fs::write(open.join("meta.properties"), b"version=0\nbroker.id=1\n").unwrap();
    let before = snapshot(&open);
    let o = check(&m.point().join("open"));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
    for says in [
        "prepare would change 2 of 2 entries",
        "chown of a scratch file refused: EPERM",
        "root_squash",
        "chown -R 1001:1001",
    ] {
        assert!(out.contains(says), "report lacks {says:?}:\n{out}");
    }
    assert_eq!(snapshot(&open), before, "--check changed something");
    assert!(
        !open.join(".kafka-init-check").exists(),
        "scratch file left"
    );
}

#[test]
fn on_a_plain_delayed_mount_check_says_the_roll_can_proceed() {
    let m = Mount::new("check-plain", false);
    let data = wrong_tree(&m);
    let before = snapshot(&data);
    let o = check(&m.point().join("data"));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(out.contains("root may chown here"), "{out}");
    assert_eq!(snapshot(&data), before, "--check changed something");
}
