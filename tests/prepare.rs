//! `kafka-init prepare` on real directories, as root: the built binary runs
//! with a controlled environment against trees under /tmp (tmpfs mounts
//! for the mount-point cases). They fail, never skip, when not run as root.

mod util;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use util::scratch::{owner, set, snapshot, Scratch};

const BROKER: (u32, u32) = (1001, 1001);
const CLUSTER_ID: &str = "MkU3OEVBNTcwNTJENDM2Qk";

/// Why these tests run as root.
const NEEDS_ROOT: &str = "prepare's tests chown and mount";

/// Runs `kafka-init prepare` as pod kafka-1 of a ZooKeeper-mode cluster
/// with the given log dirs, extra variables and arguments.
fn prepare(log_dirs: &str, extra: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(util::bin());
    cmd.env_clear()
        .env("POD_NAME", "kafka-1")
        .env("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181")
        .env("KAFKA_CFG_LOG_DIRS", log_dirs)
        .env("KAFKA_INIT_RUN_AS", "1001:1001")
        .env("KAFKA_INIT_FLAVOR", "properties")
        .env("KAFKA_INIT_LOG_FORMAT", "text")
        .arg("prepare")
        .args(args);
    for (k, v) in extra {
        // A name starting with '-' removes that variable.
        if let Some(name) = k.strip_prefix('-') {
            cmd.env_remove(name);
        } else {
            cmd.env(k, v);
        }
    }
    cmd.output().unwrap()
}

/// The variables of a KRaft combined node (removing ZooKeeper).
const KRAFT: &[(&str, &str)] = &[
    ("-KAFKA_CFG_ZOOKEEPER_CONNECT", ""),
    ("KAFKA_INIT_MODE", "kraft"),
    ("KAFKA_INIT_REPLICAS", "3"),
    ("KAFKA_INIT_CLUSTER_ID", CLUSTER_ID),
];

/// stderr without ANSI colour codes.
fn stderr(o: &Output) -> String {
    let raw = String::from_utf8_lossy(&o.stderr);
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ params final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// True when a log line carries `field` = `value` (text or JSON logs).
fn logged(o: &Output, field: &str, value: &str) -> bool {
    let e = stderr(o);
    e.contains(&format!("{field}={value}")) || e.contains(&format!("\"{field}\":{value}"))
}

fn assert_exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "exit code; stderr:\n{}",
        stderr(o)
    );
}

/// A data dir owned by root, with a partition dir the broker cannot enter,
/// files of several owners: everything `prepare` would change.
fn wrong_tree(s: &Scratch) -> PathBuf {
    let data = s.dir("data", (0, 0), 0o755);
    s.dir("data/orders-0", (0, 0), 0o500);
    s.file("data/orders-0/00000000000000000000.log", (0, 0), b"x");
    s.file("data/orders-0/00000000000000000000.index", (1001, 0), b"x");
    s.dir("data/orders-1", (1001, 1001), 0o755);
    s.file("data/orders-1/00000000000000000000.log", (1001, 1001), b"x");
    s.file("data/.lock", (4242, 4242), b"");
    s.dir("data/orders-1/nested/deeper", (0, 0), 0o755);
    s.file("data/orders-1/nested/deeper/file", (0, 0), b"x");
    set(&s.path("data/orders-1/nested"), (0, 0), 0o755);
    set(&s.path("data/orders-0"), (0, 0), 0o500);
    data
}

#[test]
fn a_tree_of_mixed_owners_is_handed_to_the_broker_with_the_dir_itself_last() {
    let s = Scratch::as_root("mixed", NEEDS_ROOT);
    let data = wrong_tree(&s);
    let o = prepare(data.to_str().unwrap(), &[], &[]);
    assert_exit(&o, 0);
    for (path, (uid, gid, mode)) in snapshot(&data) {
        assert_eq!((uid, gid), BROKER, "{} owner", path.display());
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            assert_eq!(mode & 0o700, 0o700, "{} lacks u+rwx", path.display());
            assert_eq!(mode & 0o002, 0, "{} is world-writable", path.display());
        }
    }
    assert!(logged(&o, "fast_path", "false"), "{}", stderr(&o));
    assert!(logged(&o, "checked", "10"), "{}", stderr(&o));
    // orders-0 (owner + mode count once), its log, its index (gid), .lock,
    // nested, deeper, file, and the data dir itself.
    assert!(logged(&o, "changed", "8"), "{}", stderr(&o));
}

#[test]
fn a_tree_already_right_is_not_walked() {
    let s = Scratch::as_root("right", NEEDS_ROOT);
    let data = s.dir("data", BROKER, 0o750);
    s.dir("data/orders-0", BROKER, 0o755);
    // Below a right root, a wrong entry is not looked at (OnRootMismatch).
    s.file("data/orders-0/00000000000000000000.log", (0, 0), b"x");
    let o = prepare(data.to_str().unwrap(), &[], &[]);
    assert_exit(&o, 0);
    assert!(logged(&o, "checked", "1"), "{}", stderr(&o));
    assert!(logged(&o, "fast_path", "true"), "{}", stderr(&o));
    assert_eq!(
        owner(&s.path("data/orders-0/00000000000000000000.log")),
        (0, 0)
    );
}

#[test]
fn a_world_writable_volume_loses_world_write_once_and_keeps_group_write() {
    // The seed's NFS exports after `chmod 777`: owned by root, then (a
    // volume chowned by hand) already the broker's.
    for (name, owner_before) in [("seed777", (0, 0)), ("owned777", BROKER)] {
        let s = Scratch::as_root(name, NEEDS_ROOT);
        let data = s.dir("data", owner_before, 0o777);
        s.dir("data/orders-0", (1001, 0), 0o755);
        let o = prepare(data.to_str().unwrap(), &[], &[]);
        assert_exit(&o, 0);
        let m = std::fs::metadata(&data).unwrap();
        assert_eq!((m.uid(), m.gid()), BROKER, "{name}");
        assert_eq!(
            m.mode() & 0o7777,
            0o775,
            "{name}: o-w only, group write stays"
        );
        let e = stderr(&o);
        assert!(
            e.contains("removed world write (o+w)") && e.contains("was=777"),
            "{name}: {e}"
        );
        // Said once: the next start finds nothing to change.
        let again = prepare(data.to_str().unwrap(), &[], &[]);
        assert_exit(&again, 0);
        assert!(
            !stderr(&again).contains("removed world write"),
            "{name}: {}",
            stderr(&again)
        );
        assert!(logged(&again, "changed", "0"), "{name}: {}", stderr(&again));
    }
}

#[test]
fn a_missing_data_dir_is_created_for_the_broker_and_not_world_writable() {
    let s = Scratch::as_root("missing", NEEDS_ROOT);
    let data = s.path("volume/kafka/data");
    let o = prepare(data.to_str().unwrap(), &[], &[]);
    assert_exit(&o, 0);
    for p in [s.path("volume"), s.path("volume/kafka"), data.clone()] {
        let m = std::fs::metadata(&p).unwrap();
        assert_eq!((m.uid(), m.gid()), BROKER, "{}", p.display());
        assert_eq!(m.mode() & 0o777, 0o750, "{}", p.display());
    }
}

#[test]
fn a_symlink_is_re_owned_itself_and_its_target_outside_is_left_alone() {
    let s = Scratch::as_root("symlink", NEEDS_ROOT);
    let outside = s.file("outside-secret", (0, 0), b"not kafka's");
    let outside_dir = s.dir("outside-dir", (0, 0), 0o700);
    let data = s.dir("data", (0, 0), 0o755);
    std::os::unix::fs::symlink(&outside, s.path("data/link-to-file")).unwrap();
    // A symlink to a directory named like a partition: not descended.
    std::os::unix::fs::symlink(&outside_dir, s.path("data/linked-0")).unwrap();
    s.file("outside-dir/inner", (0, 0), b"x");
    let o = prepare(data.to_str().unwrap(), &[], &[]);
    assert_exit(&o, 0);
    assert_eq!(owner(&s.path("data/link-to-file")), BROKER);
    assert_eq!(owner(&s.path("data/linked-0")), BROKER);
    assert_eq!(owner(&outside), (0, 0));
    assert_eq!(owner(&outside_dir), (0, 0));
    assert_eq!(owner(&s.path("outside-dir/inner")), (0, 0));
}

#[test]
fn a_mount_below_the_data_dir_is_neither_descended_nor_chowned() {
    let mut s = Scratch::as_root("mount", NEEDS_ROOT);
    let data = s.dir("data", (0, 0), 0o755);
    let mnt = s.mount_tmpfs("data/orders-0");
    std::fs::write(mnt.join("inside"), b"x").unwrap();
    s.file("data/other", (0, 0), b"x");
    let o = prepare(data.to_str().unwrap(), &[], &[]);
    assert_exit(&o, 0);
    assert_eq!(owner(&data), BROKER);
    assert_eq!(owner(&s.path("data/other")), BROKER);
    assert_eq!(owner(&mnt), (0, 0));
    assert_eq!(owner(&mnt.join("inside")), (0, 0));
}

#[test]
fn install_to_copies_a_runnable_kafka_init() {
    let s = Scratch::as_root("install", NEEDS_ROOT);
    let data = s.dir("data", BROKER, 0o750);
    let bin = s.dir("bin", (0, 0), 0o755);
    let o = prepare(
        data.to_str().unwrap(),
        &[],
        &["--install-to", bin.to_str().unwrap()],
    );
    assert_exit(&o, 0);
    let copy = bin.join("kafka-init");
    let m = std::fs::metadata(&copy).unwrap();
    assert_eq!(m.mode() & 0o777, 0o755);
    let names: Vec<_> = std::fs::read_dir(&bin)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "only the binary: {names:?}");
    let plan = Command::new(&copy)
        .env_clear()
        .env("POD_NAME", "kafka-1")
        .env("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181")
        .arg("plan")
        .output()
        .unwrap();
    assert_exit(&plan, 0);
}

/// Each case: what to put in the tree, the variables, and what the message
/// must say. Every case must exit 78 and change nothing at all.
struct Refusal {
    name: &'static str,
    setup: fn(&Scratch),
    log_dirs: fn(&Scratch) -> String,
    env: &'static [(&'static str, &'static str)],
    says: &'static [&'static str],
}

fn data_dir(s: &Scratch) -> String {
    s.path("data").display().to_string()
}

fn meta(text: &'static [u8]) -> impl Fn(&Scratch) {
    move |s: &Scratch| {
        s.file("data/meta.properties", (0, 0), text);
    }
}

const REFUSALS: &[Refusal] = &[
    Refusal {
        name: "root",
        setup: |_| {},
        log_dirs: |s| format!("/,{}", data_dir(s)),
        // The properties flavor's config dir would be inside `/` (a problem of its own).
        env: &[("KAFKA_INIT_FLAVOR", "bitnami")],
        says: &["root directory"],
    },
    Refusal {
        name: "relative",
        setup: |_| {},
        log_dirs: |s| format!("data,{}", data_dir(s)),
        env: &[],
        // Refused by derivation (rules) or by prepare's own check, whichever runs first.
        says: &["absolute"],
    },
    Refusal {
        name: "dotdot",
        setup: |_| {},
        log_dirs: |s| format!("{}/../data", data_dir(s)),
        env: &[],
        says: &[".."],
    },
    Refusal {
        name: "lost+found",
        setup: |s| {
            s.dir("data/lost+found", (0, 0), 0o700);
        },
        log_dirs: data_dir,
        env: &[],
        says: &["lost+found", "subdirectory of the mount", "data/kafka"],
    },
    Refusal {
        name: "foreign-dir",
        setup: |s| {
            s.dir("data/backup", (0, 0), 0o700);
        },
        log_dirs: data_dir,
        env: &[],
        says: &["backup", "not topic partitions"],
    },
    Refusal {
        name: "broker.id",
        setup: |s| meta(b"#\nversion=0\nbroker.id=0\ncluster.id=abc\n")(s),
        log_dirs: data_dir,
        env: &[],
        says: &[
            "kafka-1",
            "broker.id 1",
            "broker.id 0",
            "/data",
            "PVC",
            "KAFKA_INIT_ID_OFFSET",
            "empty the volume by hand",
        ],
    },
    Refusal {
        name: "node.id",
        setup: |s| {
            meta(b"version=1\nnode.id=2\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\ndirectory.id=x\n")(s)
        },
        log_dirs: data_dir,
        env: KRAFT,
        says: &[
            "kafka-1",
            "node.id 1",
            "node.id 2",
            "PVC",
            "KAFKA_INIT_ID_OFFSET",
        ],
    },
    Refusal {
        name: "cluster.id",
        setup: |s| meta(b"version=1\nnode.id=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAA\n")(s),
        log_dirs: data_dir,
        env: KRAFT,
        says: &[
            "AAAAAAAAAAAAAAAAAAAAAA",
            CLUSTER_ID,
            "Invalid cluster.id",
            "ZooKeeper was reset",
        ],
    },
    Refusal {
        name: "unreadable",
        setup: |s| {
            s.dir("data/meta.properties", (0, 0), 0o700);
        },
        log_dirs: data_dir,
        env: &[],
        says: &["meta.properties", "cannot be read"],
    },
    Refusal {
        name: "invalid-bytes",
        setup: |s| meta(b"\xff\xfe\x00\x01garbage\x80\n")(s),
        log_dirs: data_dir,
        env: &[],
        says: &["meta.properties", "not a meta.properties Kafka wrote"],
    },
    Refusal {
        name: "malformed",
        setup: |s| meta(b"version=1\nnode.id=one\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n")(s),
        log_dirs: data_dir,
        env: KRAFT,
        says: &["node.id is \"one\", not a number"],
    },
    Refusal {
        name: "v0-in-kraft",
        setup: |s| meta(b"#\nversion=0\nbroker.id=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n")(s),
        log_dirs: data_dir,
        env: KRAFT,
        says: &[
            "written by a ZooKeeper-mode broker",
            "KAFKA_INIT_MIGRATION=finalized",
            "belongs to a ZooKeeper cluster",
        ],
    },
    Refusal {
        name: "unknown-version",
        setup: |s| meta(b"version=7\nnode.id=1\n")(s),
        log_dirs: data_dir,
        env: &[],
        says: &["Unknown meta.properties version number 7"],
    },
];

#[test]
fn every_preflight_problem_exits_78_says_why_and_changes_nothing() {
    for case in REFUSALS {
        let s = Scratch::as_root(&case.name.replace(['+', '.'], "-"), NEEDS_ROOT);
        // A wrong tree that prepare would otherwise fix, so any change shows,
        // plus a second wrong data dir: a problem in one dir stops them all.
        wrong_tree(&s);
        let other = s.dir("other", (0, 0), 0o700);
        s.file("other/x", (0, 0), b"x");
        (case.setup)(&s);
        let log_dirs = format!("{},{}", (case.log_dirs)(&s), other.display());
        let install = s.path("bin");
        let before = snapshot(&s.root);
        let o = prepare(
            &log_dirs,
            case.env,
            &["--install-to", install.to_str().unwrap()],
        );
        assert_eq!(
            o.status.code(),
            Some(78),
            "{}: exit code; stderr:\n{}",
            case.name,
            stderr(&o)
        );
        let err = stderr(&o);
        for want in case.says {
            assert!(
                err.contains(want),
                "{}: stderr lacks {want:?}:\n{err}",
                case.name
            );
        }
        assert_eq!(snapshot(&s.root), before, "{}: the tree changed", case.name);
        assert!(!install.exists(), "{}: installed anyway", case.name);
    }
}

#[test]
fn a_migrated_brokers_v0_meta_properties_is_expected_once_the_migration_is_finalized() {
    let s = Scratch::new("v0-finalized");
    s.dir("data", (0, 0), 0o755);
    meta(b"#\nversion=0\nbroker.id=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n")(&s);
    let o = prepare(
        &data_dir(&s),
        &[
            ("KAFKA_INIT_MIGRATION", "finalized"),
            ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"),
            ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
            ("KAFKA_INIT_CONTROLLER_ID_OFFSET", "3000"),
        ],
        &[],
    );
    assert_exit(&o, 0);
    assert_eq!(owner(&s.path("data")), (1001, 1001));
}

/// `prepare --check` on `data`, as [`prepare`] runs it.
fn check(data: &Path) -> Output {
    prepare(data.to_str().unwrap(), &[], &["--check"])
}

#[test]
fn check_reports_the_owner_and_what_prepare_would_change_and_changes_nothing() {
    let s = Scratch::as_root("check", NEEDS_ROOT);
    let data = wrong_tree(&s);
    let before = snapshot(&data);
    let o = check(&data);
    assert_exit(&o, 0);
    let out = String::from_utf8_lossy(&o.stdout);
    for says in [
        "owner now: 0:0, mode 755",
        // The same counts as prepare's own walk of this tree (the test above).
        "prepare would change 8 of 10 entries (owner to 1001:1001)",
        "root may chown here",
        "the roll can proceed",
    ] {
        assert!(out.contains(says), "report lacks {says:?}:\n{out}");
    }
    assert_eq!(snapshot(&data), before, "--check changed the tree");
    assert!(
        !data.join(".kafka-init-check").exists(),
        "scratch file left"
    );
    // And prepare then changes exactly what the check counted.
    let real = prepare(data.to_str().unwrap(), &[], &[]);
    assert_exit(&real, 0);
    assert!(logged(&real, "changed", "8"), "{}", stderr(&real));
}

#[test]
fn check_of_a_missing_dir_says_prepare_creates_it_and_creates_nothing() {
    let s = Scratch::as_root("check-missing", NEEDS_ROOT);
    let data = s.path("absent/data");
    let o = check(&data);
    assert_exit(&o, 0);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("missing: prepare creates it"), "{out}");
    assert!(!s.path("absent").exists(), "--check created a dir");
}

#[test]
fn check_takes_no_install_to() {
    let s = Scratch::as_root("check-usage", NEEDS_ROOT);
    let data = s.dir("data", BROKER, 0o750);
    let o = prepare(
        data.to_str().unwrap(),
        &[],
        &["--check", "--install-to", s.path("i").to_str().unwrap()],
    );
    assert_exit(&o, 64);
    assert!(!s.path("i").exists());
}
