//! What `kafka-init prepare`'s ownership walk refuses, crosses and leaves
//! alone, on real directories as root: symbolic links on the way to a dir,
//! mounts below it (bind mounts of the same filesystem included), hard-linked
//! files, device nodes, FIFOs and sockets, and system directories. Like
//! tests/prepare.rs, they fail, never skip, when not run as root.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use util::scratch::{owner, snapshot_with_content, Scratch};
use util::{assert_exit, stderr};

const BIN: &str = env!("CARGO_BIN_EXE_kafka-init");
const BROKER: (u32, u32) = (1001, 1001);
const CLUSTER_ID: &str = "MkU3OEVBNTcwNTJENDM2Qk";

/// Why these tests run as root.
const NEEDS_ROOT: &str = "the walk's tests chown, mknod and mount";

/// The environment of pod kafka-1 of a ZooKeeper-mode cluster.
fn env(log_dirs: &str) -> Vec<(String, String)> {
    [
        ("POD_NAME", "kafka-1"),
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
        ("KAFKA_CFG_LOG_DIRS", log_dirs),
        ("KAFKA_INIT_RUN_AS", "1001:1001"),
        ("KAFKA_INIT_FLAVOR", "bitnami"),
        ("KAFKA_INIT_LOG_FORMAT", "text"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Runs `kafka-init prepare` with `vars` on top of [`env`]; a name
/// starting with '-' removes that variable.
fn prepare(log_dirs: &str, vars: &[(&str, &str)]) -> Output {
    prepare_via(&[], log_dirs, vars)
}

/// Like [`prepare`], through `wrapper` (e.g. `unshare ...`).
fn prepare_via(wrapper: &[&str], log_dirs: &str, vars: &[(&str, &str)]) -> Output {
    let mut cmd = match wrapper.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(BIN);
            c
        }
        None => Command::new(BIN),
    };
    cmd.env_clear().envs(env(log_dirs)).arg("prepare");
    if !wrapper.is_empty() {
        cmd.env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    }
    for (k, v) in vars {
        match k.strip_prefix('-') {
            Some(name) => cmd.env_remove(name),
            None => cmd.env(k, v),
        };
    }
    cmd.output().unwrap()
}

fn assert_says(o: &Output, words: &[&str]) {
    let e = stderr(o);
    for w in words {
        assert!(e.contains(w), "stderr lacks {w:?}:\n{e}");
    }
}

/// A tree owned by root that `prepare` would re-own if it got there.
fn victim_tree(s: &Scratch, rel: &str) -> PathBuf {
    let top = s.dir(rel, (0, 0), 0o755);
    s.dir(&format!("{rel}/orders-0"), (0, 0), 0o700);
    s.file(&format!("{rel}/orders-0/0.log"), (0, 0), b"segment");
    s.file(&format!("{rel}/secret"), (0, 0), b"not kafka's");
    top
}

#[test]
fn a_data_dir_that_is_a_symbolic_link_is_refused_and_its_target_left_as_it_was() {
    let s = Scratch::as_root("link-dir", NEEDS_ROOT);
    let target = victim_tree(&s, "somewhere");
    let link = s.symlink(&target, "data");
    let before = snapshot_with_content(&s.root);
    let o = prepare(link.to_str().unwrap(), &[]);
    assert_exit(&o, 78);
    assert_says(
        &o,
        &[
            "KAFKA_CFG_LOG_DIRS",
            link.to_str().unwrap(),
            "symbolic link",
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(snapshot_with_content(&s.root), before, "the tree changed");
}

#[test]
fn a_symbolic_link_in_a_parent_of_the_data_dir_is_refused_and_nothing_changes() {
    let s = Scratch::as_root("link-parent", NEEDS_ROOT);
    let elsewhere = s.dir("elsewhere", (0, 0), 0o755);
    victim_tree(&s, "elsewhere/data");
    let v = s.symlink(&elsewhere, "v");
    // A second, good data dir: a problem in one dir stops them all.
    let good = victim_tree(&s, "good");
    let before = snapshot_with_content(&s.root);
    for dir in ["v/data", "v/new/data"] {
        let dir = s.path(dir);
        let o = prepare(&format!("{},{}", good.display(), dir.display()), &[]);
        assert_exit(&o, 78);
        assert_says(
            &o,
            &["KAFKA_CFG_LOG_DIRS", v.to_str().unwrap(), "symbolic link"],
        );
        assert_eq!(
            snapshot_with_content(&s.root),
            before,
            "{}: the tree changed",
            dir.display()
        );
    }
}

#[test]
fn kraft_metadata_and_config_dirs_behind_a_symbolic_link_are_refused_too() {
    let s = Scratch::as_root("link-meta", NEEDS_ROOT);
    let target = victim_tree(&s, "somewhere");
    let link = s.symlink(&target, "link");
    let data = victim_tree(&s, "data");
    let before = snapshot_with_content(&s.root);
    let metadata = link.join("metadata");
    let kraft: &[(&str, &str)] = &[
        ("-KAFKA_CFG_ZOOKEEPER_CONNECT", ""),
        ("KAFKA_INIT_MODE", "kraft"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_CLUSTER_ID", CLUSTER_ID),
        ("KAFKA_CFG_METADATA_LOG_DIR", metadata.to_str().unwrap()),
    ];
    let o = prepare(data.to_str().unwrap(), kraft);
    assert_exit(&o, 78);
    assert_says(&o, &["KAFKA_CFG_METADATA_LOG_DIR", "symbolic link"]);
    assert_eq!(
        snapshot_with_content(&s.root),
        before,
        "metadata: the tree changed"
    );

    let config: &[(&str, &str)] = &[
        ("KAFKA_INIT_FLAVOR", "properties"),
        ("KAFKA_INIT_CONFIG_DIR", link.to_str().unwrap()),
    ];
    let o = prepare(data.to_str().unwrap(), config);
    assert_exit(&o, 78);
    assert_says(&o, &["KAFKA_INIT_CONFIG_DIR", "symbolic link"]);
    assert_eq!(
        snapshot_with_content(&s.root),
        before,
        "config: the tree changed"
    );
}

#[test]
fn a_bind_mount_from_the_same_filesystem_below_the_data_dir_is_not_crossed_and_is_reported() {
    let mut s = Scratch::as_root("bind", NEEDS_ROOT);
    let elsewhere = victim_tree(&s, "elsewhere");
    let data = s.dir("data", (0, 0), 0o755);
    s.dir("data/orders-0", (0, 0), 0o755);
    s.file("data/orders-0/0.log", (0, 0), b"x");
    s.dir("data/orders-1", (0, 0), 0o755);
    s.mount(&["--bind", elsewhere.to_str().unwrap()], "data/orders-1");
    // A single file bind-mounted over a file of the data dir.
    s.file("data/orders-0/1.log", (0, 0), b"x");
    let lone = s.file("lone-file", (0, 0), b"outside");
    s.mount(&["--bind", lone.to_str().unwrap()], "data/orders-0/1.log");
    let before = snapshot_with_content(&elsewhere);
    let o = prepare(data.to_str().unwrap(), &[]);
    assert_exit(&o, 0);
    assert_eq!(owner(&data), BROKER);
    assert_eq!(owner(&s.path("data/orders-0/0.log")), BROKER);
    assert_eq!(
        snapshot_with_content(&elsewhere),
        before,
        "the bind-mounted tree changed"
    );
    assert_eq!(owner(&lone), (0, 0), "the bind-mounted file was re-owned");
    let e = stderr(&o);
    let warned = |p: &Path| {
        e.lines()
            .filter(|l| {
                l.contains("WARN") && l.contains("mount") && l.contains(p.to_str().unwrap())
            })
            .count()
    };
    assert_eq!(warned(&s.path("data/orders-1")), 1, "{e}");
    assert_eq!(warned(&s.path("data/orders-0/1.log")), 1, "{e}");
}

#[test]
fn a_tmpfs_below_the_data_dir_is_neither_entered_nor_re_owned_and_is_reported_once() {
    let mut s = Scratch::as_root("tmpfs", NEEDS_ROOT);
    let data = s.dir("data", (0, 0), 0o755);
    s.dir("data/orders-0", (0, 0), 0o755);
    let mnt = s.mount(
        &["-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs"],
        "data/orders-0",
    );
    std::fs::write(mnt.join("inside"), b"x").unwrap();
    let o = prepare(data.to_str().unwrap(), &[]);
    assert_exit(&o, 0);
    assert_eq!(owner(&data), BROKER);
    assert_eq!(owner(&mnt), (0, 0));
    assert_eq!(owner(&mnt.join("inside")), (0, 0));
    let e = stderr(&o);
    let lines: Vec<_> = e
        .lines()
        .filter(|l| l.contains("WARN") && l.contains(mnt.to_str().unwrap()))
        .collect();
    assert_eq!(lines.len(), 1, "{e}");
}

#[test]
fn hard_linked_files_devices_fifos_and_sockets_keep_their_owner_and_are_reported() {
    let s = Scratch::as_root("special", NEEDS_ROOT);
    let data = s.dir("data", (0, 0), 0o755);
    s.dir("data/orders-0", (0, 0), 0o755);
    let plain = s.file("data/orders-0/0.log", (0, 0), b"x");
    // A hard link to a file outside the data dir: re-owning the name would
    // re-own the outside file.
    let outside = s.file("shadow", (0, 0), b"root's");
    let hard = s.path("data/orders-0/hard");
    std::fs::hard_link(&outside, &hard).unwrap();
    let fifo = s.path("data/orders-0/fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let sock = s.path("data/sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let dev = s.path("data/null");
    nix::sys::stat::mknod(
        &dev,
        nix::sys::stat::SFlag::S_IFCHR,
        nix::sys::stat::Mode::from_bits_truncate(0o666),
        nix::sys::stat::makedev(1, 3),
    )
    .unwrap();
    let o = prepare(data.to_str().unwrap(), &[]);
    drop(listener);
    assert_exit(&o, 0);
    assert_eq!(owner(&data), BROKER);
    assert_eq!(owner(&plain), BROKER);
    for p in [&outside, &hard, &fifo, &sock, &dev] {
        assert_eq!(owner(p), (0, 0), "{} was re-owned", p.display());
    }
    let e = stderr(&o);
    let warn = |what: &str| {
        e.lines()
            .filter(|l| l.contains("WARN") && l.contains(what))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let hard_lines = warn("hard link");
    assert_eq!(hard_lines.len(), 1, "{e}");
    assert!(hard_lines[0].contains(hard.to_str().unwrap()), "{e}");
    let special = warn("FIFO");
    assert_eq!(special.len(), 1, "{e}");
    assert!(special[0].contains("count=3"), "{e}");
    for p in [&fifo, &sock, &dev] {
        assert!(special[0].contains(p.to_str().unwrap()), "{e}");
    }
}

#[test]
fn etc_as_the_config_dir_is_refused_with_78() {
    // /etc in a private mount namespace is a scratch dir, so that even a
    // kafka-init that took it would re-own only the scratch copy.
    let s = Scratch::as_root("etc", NEEDS_ROOT);
    let fake_etc = victim_tree(&s, "fake-etc");
    let data = victim_tree(&s, "data");
    let before = snapshot_with_content(&s.root);
    let wrapper = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        "mount --bind \"$0\" /etc && exec \"$@\"",
        fake_etc.to_str().unwrap(),
    ];
    let config: &[(&str, &str)] = &[
        ("KAFKA_INIT_FLAVOR", "properties"),
        ("KAFKA_INIT_CONFIG_DIR", "/etc"),
    ];
    let o = prepare_via(&wrapper, data.to_str().unwrap(), config);
    assert_exit(&o, 78);
    assert_says(
        &o,
        &["KAFKA_INIT_CONFIG_DIR", "\"/etc\"", "system directory"],
    );
    assert_eq!(snapshot_with_content(&s.root), before, "the tree changed");
}

#[test]
fn a_deep_and_wide_tree_is_re_owned_entirely_with_the_data_dir_last() {
    let s = Scratch::as_root("deep", NEEDS_ROOT);
    let data = s.dir("data", (0, 0), 0o700);
    // Deeper than any fd budget of one descriptor per level would allow
    // comfortably, and wider than one batch of entries.
    let mut rel = String::from("data/orders-0");
    for i in 0..300 {
        rel.push_str(&format!("/d{i}"));
    }
    s.dir(&rel, (0, 0), 0o500);
    s.file(&format!("{rel}/leaf"), (0, 0), b"x");
    s.dir("data/orders-1", (0, 0), 0o755);
    for i in 0..2000 {
        s.file(&format!("data/orders-1/{i:020}.log"), (4242, 0), b"");
    }
    s.symlink(Path::new("/etc/passwd"), "data/orders-1/link");
    let o = prepare(data.to_str().unwrap(), &[]);
    assert_exit(&o, 0);
    let tree = snapshot_with_content(&data);
    assert_eq!(tree.len(), 1 + 1 + 300 + 1 + 1 + 2000 + 1);
    for (p, (uid, gid, mode, _, _)) in &tree {
        assert_eq!((*uid, *gid), BROKER, "{}", p.display());
        if std::fs::symlink_metadata(p).unwrap().is_dir() {
            assert_eq!(mode & 0o700, 0o700, "{}", p.display());
        }
    }
    assert_eq!(owner(Path::new("/etc/passwd")), (0, 0));
    assert!(stderr(&o).contains("checked=2305"), "{}", stderr(&o));
}

#[test]
fn a_walk_that_takes_longer_than_two_seconds_logs_its_progress() {
    let s = Scratch::as_root("progress", NEEDS_ROOT);
    let data = s.dir("data", (0, 0), 0o755);
    for d in 0..20 {
        let dir = s.dir(&format!("data/orders-{d}"), (0, 0), 0o755);
        for f in 0..1000 {
            std::fs::File::create(dir.join(format!("{f:020}.log"))).unwrap();
        }
    }
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .envs(env(data.to_str().unwrap()))
        .arg("prepare")
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    // The walk's clock runs once its threads exist; stopping the whole
    // process then for three seconds makes a walk of more than two,
    // whatever the disk.
    let tasks = PathBuf::from(format!("/proc/{pid}/task"));
    let start = std::time::Instant::now();
    while std::fs::read_dir(&tasks).map_or(0, |t| t.count()) < 2 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "the walk never started"
        );
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    let signal = |sig| {
        // SAFETY: kill(2) on our own child's pid, which it still is (not waited for).
        let r = unsafe { nix::libc::kill(pid as i32, sig) };
        assert_eq!(r, 0, "kill {sig} {pid}");
    };
    signal(nix::libc::SIGSTOP);
    std::thread::sleep(std::time::Duration::from_secs(3));
    signal(nix::libc::SIGCONT);
    let o = child.wait_with_output().unwrap();
    assert_exit(&o, 0);
    let e = stderr(&o);
    let progress: Vec<_> = e
        .lines()
        .filter(|l| l.contains("ownership walk in progress"))
        .collect();
    // One line, or more on a machine so busy that the rest takes 5 s.
    assert!(!progress.is_empty(), "{e}");
    for field in ["checked=", "changed=", "per_second="] {
        assert!(progress[0].contains(field), "{field}: {e}");
    }
    let elapsed: u64 = progress[0]
        .split("elapsed_s=")
        .nth(1)
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no elapsed_s: {e}"));
    assert!(elapsed >= 2, "{e}");
    assert!(e.contains("checked=20021"), "{e}");
}

#[test]
fn the_walk_itself_refuses_a_link_that_appears_after_the_preflight() {
    // What a link swapped in between the preflight and the walk meets: the
    // walk opens each component with O_NOFOLLOW, so it stops there too.
    let s = Scratch::as_root("late-link", NEEDS_ROOT);
    let target = victim_tree(&s, "somewhere");
    s.symlink(&target, "v");
    let before = snapshot_with_content(&s.root);
    for dir in ["v", "v/orders-0", "v/new/data"] {
        let err = kafka_init::ownership::ensure_owned(&s.path(dir), BROKER.0, BROKER.1)
            .expect_err(dir)
            .to_string();
        assert!(err.contains("symbolic link"), "{dir}: {err}");
        assert!(err.contains(s.path("v").to_str().unwrap()), "{dir}: {err}");
        assert_eq!(
            snapshot_with_content(&s.root),
            before,
            "{dir}: the tree changed"
        );
    }
}

#[test]
fn a_tree_renamed_under_the_walk_is_walked_again_or_left_for_the_next_start() {
    // Directories renamed back and forth while prepare walks: an entry
    // listed and then gone may live on under a name the listing passed.
    // Either prepare walks until it saw everything (exit 0, all owned), or
    // it says what changed, exits 75 and leaves the data dir's own owner
    // wrong, so that the next start walks again. Never exit 0 with a part
    // of the tree left to the wrong owner (which the next start's fast
    // path would then keep for good).
    let s = Scratch::as_root("churn", NEEDS_ROOT);
    let data = s.dir("data", (0, 0), 0o755);
    const PARTITIONS: usize = 20;
    for d in 0..PARTITIONS {
        let dir = s.dir(&format!("data/orders-{d}"), (0, 0), 0o755);
        for f in 0..500 {
            std::fs::File::create(dir.join(format!("{f:020}.log"))).unwrap();
        }
    }
    let mut child = Command::new(BIN)
        .env_clear()
        .envs(env(data.to_str().unwrap()))
        .arg("prepare")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Renames while prepare runs, each directory between two names.
    let mut renames = 0u64;
    let mut moved = [false; PARTITIONS];
    while child.try_wait().unwrap().is_none() {
        let d = renames as usize % PARTITIONS;
        let name = |m: bool| data.join(format!("{}-{d}", if m { "moved" } else { "orders" }));
        std::fs::rename(name(moved[d]), name(!moved[d])).unwrap();
        moved[d] = !moved[d];
        renames += 1;
    }
    let o = child.wait_with_output().unwrap();
    assert!(renames > 0, "no rename happened during the walk");
    eprintln!("prepare: {:?} after {renames} renames", o.status.code());
    let not_broker: Vec<PathBuf> = snapshot_with_content(&data)
        .into_iter()
        .filter(|(_, (uid, gid, ..))| (*uid, *gid) != BROKER)
        .map(|(p, _)| p)
        .collect();
    match o.status.code() {
        Some(0) => assert!(
            not_broker.is_empty(),
            "exit 0 after {renames} renames, yet {} entries keep the wrong owner, e.g. {:?}:\n{}",
            not_broker.len(),
            &not_broker[..not_broker.len().min(3)],
            stderr(&o)
        ),
        Some(75) => {
            assert_says(
                &o,
                &[
                    "changed while its ownership was walked",
                    data.to_str().unwrap(),
                    "the next start walks it again",
                ],
            );
            assert_eq!(owner(&data), (0, 0), "the data dir was re-owned");
            // Once nothing renames any more, the next start finishes the job.
            let again = prepare(data.to_str().unwrap(), &[]);
            assert_exit(&again, 0);
            for (p, (uid, gid, ..)) in snapshot_with_content(&data) {
                assert_eq!((uid, gid), BROKER, "{}", p.display());
            }
        }
        _ => panic!("after {renames} renames: {o:?}\n{}", stderr(&o)),
    }
}
