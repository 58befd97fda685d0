//! SIGTERM and SIGINT before exec, with kafka-init as PID 1 of a new pid
//! namespace, as in a container, where the kernel drops a signal whose
//! disposition is the default: during a migrating controller's ZooKeeper
//! wait and during a long ownership walk, kafka-init stops with 143 (130),
//! nothing is exec'd, and the data dir is left for the next start to walk.
//! Run as root (a pid namespace, chown), like tests/prepare_walk.rs.

mod util;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use util::replay::{fixture, read_frame};
use util::scratch::{owner, snapshot, Scratch};
use util::{assert_exit, standin, stderr, SEED_ENV};

const BIN: &str = env!("CARGO_BIN_EXE_kafka-init");
const BROKER: (u32, u32) = (1001, 1001);
const NEEDS_ROOT: &str = "it makes kafka-init PID 1 of a new pid namespace and chowns";

/// Starts `kafka-init args` as PID 1 of a new pid namespace with exactly
/// `env` (plus PATH); returns the `unshare` child and kafka-init's pid as
/// this namespace sees it.
fn as_pid1(args: &[&str], env: &[(&str, &str)]) -> (Child, Pid) {
    assert!(nix::unistd::Uid::effective().is_root(), "{NEEDS_ROOT}");
    // The handlers are only kafka-init's when the signals come to it at
    // their default: a runner started in the background by a shell
    // without job control inherits SIGINT ignored, and kafka-init keeps an
    // ignored signal ignored (nohup's choice). `env --default-signal` puts
    // them back, as a container runtime starts pid 1.
    let child = Command::new("env")
        .args([
            "--default-signal=INT,TERM",
            "unshare",
            "--pid",
            "--fork",
            "--kill-child",
            BIN,
        ])
        .args(args)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let children = format!("/proc/{0}/task/{0}/children", child.id());
    let pid = loop {
        let text = std::fs::read_to_string(&children).unwrap_or_default();
        if let Some(pid) = text.split_whitespace().next() {
            break Pid::from_raw(pid.parse().unwrap());
        }
        std::thread::yield_now();
    };
    (child, pid)
}

/// A ZooKeeper that accepts a session at once and answers it (as in the
/// `controllers` phase of tests/fixtures/migration) only when told to.
fn held_zookeeper() -> (u16, mpsc::Receiver<()>, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (accepted_tx, accepted) = mpsc::channel();
    let (answer, answer_rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        accepted_tx.send(()).unwrap();
        if answer_rx.recv().is_err() {
            return;
        }
        let mut answers = vec![fixture("../zookeeper/3.8.4/connect-response.bin")];
        for z in ["cluster-id", "brokers-ids", "migration", "controller"] {
            answers.push(fixture(&format!(
                "../migration/3.9.2/controllers/zk-{z}-response.bin"
            )));
        }
        for a in answers {
            if read_frame(&mut conn).is_none() || conn.write_all(&a).is_err() {
                return;
            }
        }
    });
    (port, accepted, answer)
}

/// A migrating controller (kafka-controller-0) whose ZooKeeper is `zk`.
fn controller_env(zk: &str) -> Vec<(&str, &str)> {
    vec![
        ("POD_NAMESPACE", "kafka"),
        ("POD_NAME", "kafka-controller-0"),
        ("KAFKA_CFG_LISTENERS", "PLAINTEXT_INTERNAL://:39092"),
        (
            "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
            "PLAINTEXT_INTERNAL:PLAINTEXT",
        ),
        ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT_INTERNAL"),
        ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"),
        ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
        ("KAFKA_INIT_CONTROLLER_ID_OFFSET", "3000"),
        ("KAFKA_INIT_ROLE", "controller"),
        ("KAFKA_INIT_MODE", "kraft"),
        ("KAFKA_INIT_ID_OFFSET", "3000"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_BROKER_REPLICAS", "3"),
        ("KAFKA_INIT_MIGRATION", "controllers"),
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", zk),
    ]
}

#[test]
fn a_stop_signal_during_the_zookeeper_wait_stops_pid_1_and_nothing_is_execd() {
    for (sig, code) in [(Signal::SIGTERM, 143), (Signal::SIGINT, 130)] {
        let s = Scratch::as_root(&format!("zk-wait-{sig}"), NEEDS_ROOT);
        let program = standin(&s.root);
        let (port, accepted, answer) = held_zookeeper();
        let zk = format!("127.0.0.1:{port}");
        let (child, pid) = as_pid1(
            &["exec", "--", program.to_str().unwrap()],
            &controller_env(&zk),
        );
        // kafka-init is connected and waits for ZooKeeper's answer.
        accepted.recv().unwrap();
        kill(pid, sig).unwrap();
        // Were the signal dropped, ZooKeeper's answer now would let the
        // controller start.
        let _ = answer.send(());
        let o = child.wait_with_output().unwrap();
        assert_exit(&o, code);
        assert!(
            stderr(&o).contains(&format!("{sig} received")),
            "{sig}: {}",
            stderr(&o)
        );
        assert!(
            !s.path("argv").exists(),
            "{sig}: the program was exec'd after the signal"
        );
    }
}

/// A data dir owned by root with 20 partitions of 1,000 files.
fn big_tree(s: &Scratch) -> PathBuf {
    let data = s.dir("data", (0, 0), 0o755);
    for d in 0..20 {
        let dir = s.dir(&format!("data/orders-{d}"), (0, 0), 0o755);
        for f in 0..1000 {
            std::fs::File::create(dir.join(format!("{f:020}.log"))).unwrap();
        }
    }
    data
}

fn prepare_env(data: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("POD_NAME", "kafka-1".into()),
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181".into()),
        ("KAFKA_CFG_LOG_DIRS", data.display().to_string()),
        ("KAFKA_INIT_RUN_AS", "1001:1001".into()),
        ("KAFKA_INIT_FLAVOR", "bitnami".into()),
        ("KAFKA_INIT_LOG_FORMAT", "text".into()),
    ]
}

#[test]
fn sigterm_during_the_ownership_walk_stops_pid_1_and_the_next_start_walks_again() {
    let s = Scratch::as_root("walk-term", NEEDS_ROOT);
    let data = big_tree(&s);
    let env = prepare_env(&data);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (child, pid) = as_pid1(&["prepare"], &env);
    // The walk's threads exist: it is under way. Stopped there, the
    // process gets SIGTERM mid-walk whatever the disk's speed.
    let tasks = format!("/proc/{pid}/task");
    while std::fs::read_dir(&tasks).map_or(0, |t| t.count()) < 2 {
        std::thread::yield_now();
    }
    kill(pid, Signal::SIGSTOP).unwrap();
    kill(pid, Signal::SIGTERM).unwrap();
    kill(pid, Signal::SIGCONT).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_exit(&o, 143);
    assert!(stderr(&o).contains("SIGTERM received"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("dir owned"), "{}", stderr(&o));
    // The data dir itself keeps its owner: the next start does not take
    // the fast path, and finishes the walk.
    assert_eq!(owner(&data), (0, 0), "the data dir was re-owned");
    let again = Command::new(BIN)
        .arg("prepare")
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_exit(&again, 0);
    assert!(
        stderr(&again).contains("fast_path=false"),
        "{}",
        stderr(&again)
    );
    for (p, (uid, gid, _)) in snapshot(&data) {
        assert_eq!((uid, gid), BROKER, "{}", p.display());
    }
}

#[test]
fn the_execd_program_catches_no_signal_kafka_init_handled() {
    let o = Command::new(BIN)
        .env_clear()
        .envs(SEED_ENV.iter().copied())
        .env("PATH", "/usr/bin:/bin")
        .args(["exec", "--", "grep", "^SigCgt:", "/proc/self/status"])
        .output()
        .unwrap();
    assert_exit(&o, 0);
    let line = String::from_utf8_lossy(&o.stdout);
    let caught = u64::from_str_radix(line.trim_start_matches("SigCgt:").trim(), 16).unwrap();
    let handled = (1 << (Signal::SIGTERM as u64 - 1)) | (1 << (Signal::SIGINT as u64 - 1));
    assert_eq!(caught & handled, 0, "{line}");
}
