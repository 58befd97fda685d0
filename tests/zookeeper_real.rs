//! The guard rails and the stale registration wait against a real
//! ZooKeeper: 3.8.4, the one Kafka 3.9.2 ships (target/kafka/3.9.2/libs,
//! scripts/fetch-kafka.sh), its znodes written by ZooKeeper's own shell
//! (`ZooKeeperMain`) the way Kafka writes them. Each refusal is shown with
//! its message, then the start that passes once the state is right.

mod util;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use kafka_init::zookeeper::{Answer, Client};
use util::{run, TempDir};

const CLUSTER: &str = "Sc3yfWjdQ8Sx0aYhbhvHPw";

fn libs() -> PathBuf {
    let libs = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/kafka/3.9.2/libs");
    assert!(
        libs.is_dir(),
        "{} is missing: run scripts/fetch-kafka.sh",
        libs.display()
    );
    libs
}

/// A process killed (by its pid) when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A real ZooKeeper on a free loopback port.
struct ZooKeeper {
    _server: Killed,
    _dir: TempDir,
    connect: String,
}

/// Waits for `what` to hold (a start-up, not a timing under test).
fn until(what: &str, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(120);
    while !f() {
        assert!(Instant::now() < end, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn data(connect: &str, path: &str) -> Option<Vec<u8>> {
    let mut zk = Client::connect(connect, Instant::now() + Duration::from_secs(5)).ok()?;
    let a = zk.get_data(path).ok()?;
    zk.close();
    match a {
        Answer::Found(d) => Some(d),
        Answer::NoNode => None,
    }
}

impl ZooKeeper {
    fn start() -> Self {
        let dir = TempDir::new("zookeeper");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = Command::new("java")
            // Its AdminServer would take port 8080, once per machine.
            .arg("-Dzookeeper.admin.enableServer=false")
            .arg("-cp")
            .arg(format!("{}/*", libs().display()))
            .arg("org.apache.zookeeper.server.ZooKeeperServerMain")
            .arg(port.to_string())
            .arg(dir.0.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run java");
        let zk = ZooKeeper {
            _server: Killed(server),
            _dir: dir,
            connect: format!("127.0.0.1:{port}"),
        };
        until("ZooKeeper serves", || {
            Client::connect(&zk.connect, Instant::now() + Duration::from_secs(2)).is_ok()
        });
        zk
    }

    /// ZooKeeper's own shell, one session held open until dropped or quit.
    fn shell(&self) -> Shell {
        let child = Command::new("java")
            .arg("-cp")
            .arg(format!("{}/*", libs().display()))
            .arg("org.apache.zookeeper.ZooKeeperMain")
            .arg("-server")
            .arg(&self.connect)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run java");
        Shell(Killed(child))
    }

    /// Runs `commands` in a shell session of their own, which ends after
    /// them, and waits until `path` holds `expect`.
    fn write(&self, commands: &[String], path: &str, expect: Option<&str>) {
        let mut s = self.shell();
        s.send(commands);
        s.send(&["quit".to_string()]);
        until(&format!("{path} is {expect:?}"), || {
            data(&self.connect, path).map(|d| String::from_utf8_lossy(&d).into_owned())
                == expect.map(str::to_string)
        });
    }
}

struct Shell(Killed);

impl Shell {
    fn stdin(&mut self) -> &mut ChildStdin {
        self.0 .0.stdin.as_mut().unwrap()
    }
    fn send(&mut self, commands: &[String]) {
        for c in commands {
            writeln!(self.stdin(), "{c}").unwrap();
        }
        self.stdin().flush().unwrap();
    }
}

/// A migration's znodes as Kafka leaves them in `controllers` (offset -1)
/// or after the metadata copy (`migrated`).
fn migration_json(migrated: bool) -> String {
    let offset = if migrated { 120 } else { -1 };
    format!(
        r#"{{"version":0,"kraft_metadata_offset":{offset},"kraft_controller_id":3000,"kraft_metadata_epoch":1,"kraft_controller_epoch":1}}"#
    )
}

fn seed(zk: &ZooKeeper) {
    let id = format!(r#"{{"version":"1","id":"{CLUSTER}"}}"#);
    zk.write(
        &[
            "create /cluster \"\"".into(),
            format!("create /cluster/id {id}"),
            "create /brokers \"\"".into(),
            "create /brokers/ids \"\"".into(),
            format!("create /migration {}", migration_json(false)),
        ],
        // The shell runs the commands in order: the last one's znode says
        // every one before it is there.
        "/migration",
        Some(&migration_json(false)),
    );
}

fn env<'a>(zk: &'a str, node: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut e: Vec<(&str, &str)> = util::MIGRATION_CLUSTER.to_vec();
    e.extend([
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", zk),
        ("KAFKA_CFG_LOG_DIRS", "$DIR/data"),
    ]);
    e.extend_from_slice(node);
    e
}

const BROKER: &[(&str, &str)] = util::MIGRATION_BROKER;
const CONTROLLER: &[(&str, &str)] = util::MIGRATION_CONTROLLER;

#[test]
fn the_guard_rails_refuse_and_pass_against_a_real_zookeeper() {
    let zk = ZooKeeper::start();
    seed(&zk);
    let c = zk.connect.as_str();

    // 1. A broker rolled to KRaft before the controllers copied the metadata.
    let mut broker = env(c, BROKER);
    broker.push(("KAFKA_INIT_MIGRATION", "kraft-brokers"));
    let r = run(&["exec", "--", "$STANDIN"], &broker);
    r.assert_stopped(&[
        "in phase kraft-brokers this broker starts as a KRaft broker",
        "kraft_metadata_offset is -1",
        "Completed migration of metadata from ZooKeeper to KRaft",
    ]);
    assert!(!r.dir.0.join("data").exists(), "nothing written");
    zk.write(
        &[format!("set /migration {}", migration_json(true))],
        "/migration",
        Some(&migration_json(true)),
    );
    let r = run(&["exec", "--", "$STANDIN"], &broker);
    assert_eq!(r.code(), 0, "{}", r.stderr());

    // 2. A reused controller volume, formatted for another attempt's cluster.
    let dir = TempDir::new("reused-controller");
    std::fs::write(
        dir.0.join("meta.properties"),
        "version=1\nnode.id=3000\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\ndirectory.id=YJnANxqp_r20d8RpfpeCtw\n",
    )
    .unwrap();
    let dirs = dir.0.display().to_string();
    let mut controller = env(c, CONTROLLER);
    controller.retain(|(k, _)| *k != "KAFKA_CFG_LOG_DIRS");
    controller.extend([
        ("KAFKA_INIT_MIGRATION", "controllers"),
        ("KAFKA_CFG_LOG_DIRS", &dirs),
    ]);
    run(&["exec", "--", "$STANDIN"], &controller).assert_stopped(&[
        "formatted for cluster MkU3OEVBNTcwNTJENDM2Qk",
        &format!("/cluster/id is {CLUSTER}"),
        "another migration attempt",
    ]);
    std::fs::write(
        dir.0.join("meta.properties"),
        format!(
            "version=1\nnode.id=3000\ncluster.id={CLUSTER}\ndirectory.id=YJnANxqp_r20d8RpfpeCtw\n"
        ),
    )
    .unwrap();
    let r = run(&["exec", "--", "$STANDIN"], &controller);
    assert_eq!(r.code(), 0, "{}", r.stderr());

    // 3. Finalize while ZooKeeper cannot be read: a real NOAUTH on /brokers/ids.
    let mut finalized = env(c, CONTROLLER);
    finalized.push(("KAFKA_INIT_MIGRATION", "finalized"));
    zk.write(
        &[
            "addauth digest kafka:secret".into(),
            "setAcl /brokers/ids auth::cdrwa".into(),
            "create /acl-set \"\"".into(),
        ],
        "/acl-set",
        Some(""),
    );
    let r = run(&["exec", "--", "$STANDIN"], &finalized);
    r.assert_stopped(&[
        "the first start of a controller in phase finalized",
        "authentication (NOAUTH)",
        "KAFKA_INIT_UNSAFE_FINALIZE_WITHOUT_ZOOKEEPER",
    ]);
    assert!(!r.dir.0.join("data/kafka-init-migration").exists());
    zk.write(
        &[
            "addauth digest kafka:secret".into(),
            "setAcl /brokers/ids world:anyone:cdrwa".into(),
            "set /acl-set cleared".into(),
        ],
        "/acl-set",
        Some("cleared"),
    );
    let r = run(&["exec", "--", "$STANDIN"], &finalized);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.dir.0.join("data/kafka-init-migration").exists());
}

#[test]
fn exec_waits_for_its_own_stale_registration_to_go_then_starts() {
    let zk = ZooKeeper::start();
    seed(&zk);
    // A session that holds broker 1's registration, as a killed broker's would.
    let mut held = zk.shell();
    held.send(&["create -e /brokers/ids/1 {\"host\":\"old-pod\"}".into()]);
    until("the registration exists", || {
        data(&zk.connect, "/brokers/ids/1").is_some()
    });
    let dir = TempDir::new("stale-registration");
    let standin = util::standin(&dir.0);
    let data_dir = dir.0.join("data").display().to_string();
    let mut child = Command::new(util::bin())
        .args(["exec", "--"])
        .arg(&standin)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(
            env(&zk.connect, BROKER)
                .into_iter()
                .filter(|(k, _)| *k != "KAFKA_CFG_LOG_DIRS"),
        )
        .env("KAFKA_CFG_LOG_DIRS", &data_dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("waiting for it to expire") {
            break;
        }
    }
    assert!(log.contains("waiting for it to expire"), "{log}");
    assert!(log.contains("old-pod"), "the registration is shown: {log}");
    // While the old session holds it, Kafka is not started.
    assert!(
        !dir.0.join("argv").exists(),
        "exec'd while registered:\n{log}"
    );
    held.send(&["quit".into()]);
    for line in lines {
        log.push_str(&line.unwrap());
        log.push('\n');
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{log}");
    assert!(
        log.contains("the previous run's registration expired"),
        "{log}"
    );
    assert!(dir.0.join("argv").exists(), "not exec'd:\n{log}");
}

/// Every file under `dir` with its bytes, to show that a refusal wrote nothing.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn a_controller_volume_of_a_rolled_back_attempt_is_refused_and_one_of_this_attempt_starts() {
    let zk = ZooKeeper::start();
    seed(&zk); // Attempt 1: its controllers created /migration.
    let c = zk.connect.as_str();
    // A controller volume that ran in a quorum: formatted, a metadata log.
    let volume = |name| {
        let dir = TempDir::new(name);
        std::fs::write(
            dir.0.join("meta.properties"),
            format!("version=1\nnode.id=3000\ncluster.id={CLUSTER}\ndirectory.id=YJnANxqp_r20d8RpfpeCtw\n"),
        )
        .unwrap();
        std::fs::create_dir(dir.0.join("__cluster_metadata-0")).unwrap();
        std::fs::write(
            dir.0.join("__cluster_metadata-0/00000000000000000000.log"),
            [0u8; 100],
        )
        .unwrap();
        dir
    };
    let controller_on = |dir: &TempDir| {
        let dirs = dir.0.display().to_string();
        let mut e: Vec<(&str, String)> = env(c, CONTROLLER)
            .into_iter()
            .filter(|(k, _)| *k != "KAFKA_CFG_LOG_DIRS")
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        e.extend([
            ("KAFKA_INIT_MIGRATION", "controllers".to_string()),
            ("KAFKA_CFG_LOG_DIRS", dirs),
        ]);
        e
    };
    let start = |dir: &TempDir| {
        let e = controller_on(dir);
        let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run(&["exec", "--", "$STANDIN"], &e)
    };
    let czxid = |dir: &TempDir| {
        let text = std::fs::read_to_string(dir.0.join("kafka-init-migration")).unwrap();
        let line = text.lines().find(|l| l.starts_with("migration.czxid=0x"));
        line.map(|l| l.trim_start_matches("migration.czxid=").to_string())
            .unwrap_or_else(|| panic!("no migration.czxid in {text}"))
    };

    // Attempt 1: a start records /migration's czxid; a restart passes.
    let kept = volume("attempt-1");
    let r = start(&kept);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let first = czxid(&kept);
    let r = start(&kept);
    assert_eq!(r.code(), 0, "a restart within the attempt: {}", r.stderr());
    assert_eq!(czxid(&kept), first);

    // Rolled back (Apache: `rmr /migration`): the kept volume is refused.
    zk.write(
        &[
            "deleteall /migration".into(),
            "create /rolled-back \"\"".into(),
        ],
        "/rolled-back",
        Some(""),
    );
    let before = snapshot(&kept.0);
    let r = start(&kept);
    r.assert_stopped(&[
        &format!("{}=\"migration.czxid={first}\"", kept.0.display()),
        "belongs to an earlier migration attempt",
        &format!("ZooKeeper's /migration created at zxid {first}"),
        "has no /migration: it was deleted since",
        "to re-attempt the migration",
        "delete the PVC, clear the PV's spec.claimRef",
        "kafka-init never deletes or rewrites data",
    ]);
    assert_eq!(
        snapshot(&kept.0),
        before,
        "nothing written on the refused volume"
    );
    // So is a volume that ran without kafka-init's record (another tool's).
    let foreign = volume("no-record");
    let before = snapshot(&foreign.0);
    start(&foreign).assert_stopped(&[
        "__cluster_metadata-0 not empty",
        "every migrating controller creates /migration as it starts",
    ]);
    assert_eq!(snapshot(&foreign.0), before);

    // Attempt 2 begun (a new /migration): the kept volume is still refused.
    zk.write(
        &[format!("create /migration {}", migration_json(false))],
        "/migration",
        Some(&migration_json(false)),
    );
    start(&kept).assert_stopped(&["another attempt's", "kraft_metadata_offset is -1"]);
    assert_eq!(czxid(&kept), first);

    // A fresh volume starts, and records attempt 2's /migration.
    let fresh = TempDir::new("fresh");
    let r = start(&fresh);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_ne!(czxid(&fresh), first);
}
