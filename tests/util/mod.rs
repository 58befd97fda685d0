//! Test helper: runs the real kafka-init binary with a controlled environment
//! and an entrypoint stand-in that records what it was exec'd with.

#![allow(dead_code)]

pub mod java;
pub mod replay;
pub mod scratch;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The user's environment from the seed StatefulSet (ka-ss.yaml), minus the
/// busybox leftovers kafka-init replaces, for pod `kafka-2`.
/// A KRaft combined pod's environment.
pub const KRAFT: &[(&str, &str)] = &[
    ("POD_NAME", "kafka-1"),
    ("POD_NAMESPACE", "kafka"),
    ("KAFKA_INIT_REPLICAS", "3"),
    ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
];

pub const SEED_ENV: &[(&str, &str)] = &[
    ("POD_NAME", "kafka-2"),
    ("POD_NAMESPACE", "kafka"),
    ("ALLOW_PLAINTEXT_LISTENER", "yes"),
    ("KAFKA_ZOOKEEPER_CONNECT", "zk-service.zk:32181"),
    (
        "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
        "PLAINTEXT_INTERNAL:PLAINTEXT",
    ),
    ("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:39092"),
    ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3"),
    ("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3"),
    ("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2"),
    ("KAFKA_LOG_MESSAGE_FORMAT_VERSION", "3.9"),
    ("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT_INTERNAL"),
];

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory under the system temp dir.
    pub fn new(tag: &str) -> Self {
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let p =
            std::env::temp_dir().join(format!("kafka-init-test-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A finished process's stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that a finished process exited with `code`, showing its status
/// and stderr when it did not.
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "exit status {:?}; stderr:\n{}",
        o.status,
        stderr(o)
    );
}

/// The result of one run.
pub struct Run {
    pub output: Output,
    pub dir: TempDir,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    /// True when the stand-in ran (kafka-init exec'd it).
    pub fn exec_happened(&self) -> bool {
        self.dir.0.join("argv").exists()
    }
    /// The argv the stand-in was exec'd with (argv[0] excluded).
    pub fn argv(&self) -> Vec<String> {
        read_lines(&self.dir.0.join("argv"))
    }
    /// The environment the stand-in was exec'd with.
    pub fn env(&self) -> BTreeMap<String, String> {
        let raw = std::fs::read(self.dir.0.join("env")).expect("stand-in wrote env");
        raw.split(|b| *b == 0)
            .filter(|l| !l.is_empty())
            .filter_map(|l| {
                let s = String::from_utf8_lossy(l);
                s.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect()
    }
    /// Asserts the run stopped with exit 78 before exec and its message holds every `text`.
    pub fn assert_stopped(&self, texts: &[&str]) {
        let e = self.stderr();
        assert_eq!(self.code(), 78, "{e}");
        assert!(!self.exec_happened(), "exec'd despite problems:\n{e}");
        for t in texts {
            assert!(e.contains(t), "message lacks {t:?}:\n{e}");
        }
    }

    /// The pid the stand-in ran as.
    pub fn standin_pid(&self) -> u32 {
        std::fs::read_to_string(self.dir.0.join("pid"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }
}

fn read_lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Writes the entrypoint stand-in into `dir` and returns its path.
pub fn standin(dir: &Path) -> PathBuf {
    let p = dir.join("entrypoint-standin");
    let d = dir.display();
    std::fs::write(
        &p,
        format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > {d}/argv\nenv -u PWD -0 > {d}/env\necho $$ > {d}/pid\n"),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// Runs `kafka-init <args>` with exactly `env` (plus PATH), the stand-in
/// available as `$STANDIN` in args.
pub fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = TempDir::new("run");
    let s = standin(&dir.0);
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace("$STANDIN", &s.display().to_string())
                .replace("$DIR", &dir.0.display().to_string())
        })
        .collect();
    let mut cmd = Command::new(bin());
    cmd.args(&args).env_clear().env("PATH", "/usr/bin:/bin");
    for (k, v) in env {
        cmd.env(k, v.replace("$DIR", &dir.0.display().to_string()));
    }
    let output = cmd.output().expect("run kafka-init");
    Run { output, dir }
}

/// The kafka-init under test: `$KAFKA_INIT_BIN` when set (e.g. the static
/// build: `KAFKA_INIT_BIN=$(scripts/build-static.sh) cargo test`), else cargo's.
pub fn bin() -> std::ffi::OsString {
    std::env::var_os("KAFKA_INIT_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_kafka-init").into())
}

/// `env` with `extra` set (overriding) and `remove` unset.
pub fn with<'a>(
    env: &[(&'a str, &'a str)],
    extra: &[(&'a str, &'a str)],
    remove: &[&str],
) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&str, &str)> = env
        .iter()
        .copied()
        .filter(|(k, _)| !remove.contains(k) && !extra.iter().any(|(e, _)| e == k))
        .collect();
    out.extend_from_slice(extra);
    out
}

/// The images' own start-up scripts (`../shared/reference/images`, beside
/// the checkout), for the tests that run them unchanged; None when a clone
/// stands alone: the test then says it skipped and returns (scripts/test
/// names it among the skipped). Under CI=true their absence fails the test.
pub fn reference_images(test: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/images");
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: {} missing, and CI=true: CI runs every test",
        p.display()
    );
    eprintln!(
        "SKIPPED {test}: needs {} (the images' own scripts), which a clone alone does not have",
        p.display()
    );
    None
}

/// What every node of a migrating cluster shares, as the migration overlay
/// sets it: the brokers' listener PLAINTEXT_INTERNAL on 39092 and three
/// controllers, kafka-controller, with ids from 3000.
pub const MIGRATION_CLUSTER: &[(&str, &str)] = &[
    ("POD_NAMESPACE", "kafka"),
    ("KAFKA_CFG_LISTENERS", "PLAINTEXT_INTERNAL://:39092"),
    (
        "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
        "PLAINTEXT_INTERNAL:PLAINTEXT",
    ),
    ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT_INTERNAL"),
    ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"),
    ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
    ("KAFKA_INIT_CONTROLLER_ID_OFFSET", "3000"),
];
/// A broker of that cluster.
pub const MIGRATION_BROKER: &[(&str, &str)] =
    &[("POD_NAME", "kafka-1"), ("KAFKA_INIT_REPLICAS", "3")];
/// A controller of that cluster.
pub const MIGRATION_CONTROLLER: &[(&str, &str)] = &[
    ("POD_NAME", "kafka-controller-0"),
    ("KAFKA_INIT_ROLE", "controller"),
    ("KAFKA_INIT_MODE", "kraft"),
    ("KAFKA_INIT_ID_OFFSET", "3000"),
    ("KAFKA_INIT_REPLICAS", "3"),
    ("KAFKA_INIT_BROKER_REPLICAS", "3"),
];

/// `kafka-init migration status` against `zk` and `controllers`, with
/// `more` flags, in an empty environment.
pub fn migration_status(zk: &str, controllers: &str, more: &[&str]) -> Run {
    let mut args = vec![
        "migration",
        "status",
        "--zookeeper",
        zk,
        "--controllers",
        controllers,
    ];
    args.extend_from_slice(more);
    run(&args, &[])
}
