//! The whole-start differential against real Kafka: whole environments, as a
//! user writes them, run through `kafka-init plan` (the real binary) and
//! through Kafka's own start-up path without a broker (tools/catalog-gen/
//! WholeStart.java, one JVM per version: `KafkaConfig` with its cross-key
//! checks and sub-configs, the storage format step in KRaft, the log
//! manager's start-up and its log cleaner on a broker). Kafka judges what
//! kafka-init would hand it: the rendered `server.properties` when
//! kafka-init passes; when it refuses, the plan of the case's base
//! environment with the case's own `KAFKA_CFG_*` keys written over it.
//!
//! Prints the agreement per version and every disagreement; fails on any
//! disagreement that is not in KNOWN with its reason. Needs a JDK and the
//! jars (scripts/gen-catalog.sh fetches them), so it is `#[ignore]`d in the
//! plain `cargo test` run and run by scripts/test's differential stage:
//! `cargo test --test whole_start_differential -- --ignored --nocapture`.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use kafka_init::catalog::Version;
use util::TempDir;

const CLUSTER_ID: &str = "MkU3OEVBNTcwNTJENDM2Qk";

/// The environments every case starts from: one per mode and role.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Base {
    /// A ZooKeeper-mode broker (3.9 only).
    ZooKeeper,
    /// KRaft, broker and controller in one pod.
    Combined,
    /// KRaft, a broker-only pod of a split cluster.
    Broker,
    /// KRaft, a controller-only pod of a split cluster.
    Controller,
    /// ZooKeeper to KRaft (3.9), phase `controllers`: a KRaft controller
    /// that copies ZooKeeper's metadata.
    MigrationController,
    /// Phase `migration-mode`: a ZooKeeper-mode broker that also talks to
    /// the KRaft controllers.
    MigrationBroker,
    /// Phase `kraft-brokers`: a KRaft broker while the controllers still
    /// write to ZooKeeper.
    KRaftBroker,
    /// Phase `finalized`: a controller off ZooKeeper.
    FinalizedController,
}

impl Base {
    fn env(self) -> Vec<(&'static str, &'static str)> {
        let mut env = vec![
            ("POD_NAMESPACE", "default"),
            ("KAFKA_INIT_REPLICAS", "3"),
            ("KAFKA_INIT_CLUSTER_ID", CLUSTER_ID),
        ];
        env.extend(match self {
            Base::ZooKeeper => vec![
                ("POD_NAME", "kafka-0"),
                ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk-0.zk:2181,zk-1.zk:2181"),
            ],
            Base::Combined => vec![("POD_NAME", "kafka-0")],
            Base::Broker => vec![
                ("POD_NAME", "kafka-broker-0"),
                ("KAFKA_INIT_ROLE", "broker"),
                ("KAFKA_INIT_ID_OFFSET", "100"),
                ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"),
                ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
            ],
            Base::Controller => vec![
                ("POD_NAME", "kafka-controller-0"),
                ("KAFKA_INIT_ROLE", "controller"),
                ("KAFKA_INIT_BROKER_REPLICAS", "3"),
            ],
            Base::MigrationBroker => vec![
                ("POD_NAME", "kafka-0"),
                ("KAFKA_INIT_MIGRATION", "migration-mode"),
            ],
            Base::KRaftBroker => vec![
                ("POD_NAME", "kafka-0"),
                ("KAFKA_INIT_MIGRATION", "kraft-brokers"),
            ],
            Base::MigrationController | Base::FinalizedController => vec![
                ("POD_NAME", "kafka-controller-0"),
                ("KAFKA_INIT_ROLE", "controller"),
                ("KAFKA_INIT_MODE", "kraft"),
                ("KAFKA_INIT_ID_OFFSET", "3000"),
                ("KAFKA_INIT_BROKER_REPLICAS", "3"),
                (
                    "KAFKA_INIT_MIGRATION",
                    if self == Base::MigrationController {
                        "controllers"
                    } else {
                        "finalized"
                    },
                ),
            ],
        });
        // The migrating cluster: ZooKeeper, and the controllers' StatefulSet.
        if self.migrating() {
            env.extend([
                ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk-0.zk:2181,zk-1.zk:2181"),
                ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"),
                ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
                ("KAFKA_INIT_CONTROLLER_ID_OFFSET", "3000"),
            ]);
        }
        env
    }

    fn migrating(self) -> bool {
        matches!(
            self,
            Base::MigrationController
                | Base::MigrationBroker
                | Base::KRaftBroker
                | Base::FinalizedController
        )
    }

    /// ZooKeeper mode and the migration exist up to 3.9.
    fn runs_on(self, v: Version) -> bool {
        !(self == Base::ZooKeeper || self.migrating()) || v.line() < (4, 0)
    }

    /// The migration's pods of the same kind as this base: a rule that
    /// runs on a base runs on them too.
    fn migration_twins(self) -> &'static [Base] {
        match self {
            Base::ZooKeeper => &[Base::MigrationBroker],
            Base::Broker => &[Base::KRaftBroker],
            Base::Controller => &[Base::MigrationController, Base::FinalizedController],
            _ => &[],
        }
    }

    fn is_controller(self) -> bool {
        matches!(
            self,
            Base::Controller | Base::MigrationController | Base::FinalizedController
        )
    }
}

/// One whole environment: a base and what the user adds (None: unset).
struct Case {
    kind: &'static str,
    base: Base,
    env: Vec<(String, Option<String>)>,
}

impl Case {
    fn name(&self) -> String {
        let env: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{}={v:?}", k.strip_prefix("KAFKA_CFG_").unwrap_or(k)),
                None => format!("unset {k}"),
            })
            .collect();
        format!("{:?} {}", self.base, env.join(" "))
    }

    /// The case applies where the version defines every Kafka key it sets
    /// (an unknown key is kafka-init's documented strictness, catalog.md).
    fn runs_on(&self, v: Version) -> bool {
        self.base.runs_on(v)
            && self
                .env
                .iter()
                .all(|(var, _)| match var.strip_prefix("KAFKA_CFG_") {
                    Some(k) => v.key(&key_of(k)).is_some(),
                    None => true,
                })
    }
}

/// The Bitnami image's name conversion: `KAFKA_CFG_LOG_DIRS` -> `log.dirs`.
fn key_of(suffix: &str) -> String {
    suffix.to_lowercase().replace('_', ".")
}

/// Shorthands for the case table.
fn case(kind: &'static str, base: Base, env: &[(&str, &str)]) -> Case {
    Case {
        kind,
        base,
        env: env
            .iter()
            .map(|(k, v)| {
                let var = if k.starts_with("KAFKA_") || k.starts_with("APP_") {
                    k.to_string()
                } else {
                    format!("KAFKA_CFG_{k}")
                };
                (var, Some(v.to_string()))
            })
            .collect(),
    }
}

/// The cases: a base of valid environments per mode, then each kind of
/// rule (issue 23's list, from Kafka's `require`s and bounds) with a value
/// on each side of its bound.
fn cases() -> Vec<Case> {
    use Base::*;
    let mut out = vec![];
    for base in [
        ZooKeeper,
        Combined,
        Broker,
        Controller,
        MigrationController,
        MigrationBroker,
        KRaftBroker,
        FinalizedController,
    ] {
        out.push(case("base", base, &[]));
        out.push(case("base", base, &[("KAFKA_INIT_REPLICAS", "1")]));
        out.push(case(
            "base",
            base,
            &[("LOG_DIRS", "/bitnami/kafka/data,/bitnami/kafka/data2")],
        ));
        out.push(case(
            "base",
            base,
            &[("NUM_IO_THREADS", "16"), ("NUM_NETWORK_THREADS", "5")],
        ));
    }
    // Kafka's rules alone: the Bitnami image's own shell checks, which
    // kafka-init also runs for that flavor, are not Kafka's start-up.
    const PROPERTIES: (&str, &str) = ("KAFKA_INIT_FLAVOR", "properties");
    let brokers = [ZooKeeper, Combined, Broker];
    let all = [ZooKeeper, Combined, Broker, Controller];
    /// A kind of rule: its name, the bases it runs on, its environments.
    type Env = &'static [&'static [(&'static str, &'static str)]];
    type Kind<'a> = (&'static str, &'a [Base], Env);
    let table: &[Kind<'_>] = &[
        (
            "group coordinator bounds",
            &all,
            &[
                &[("GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS", "1000")],
                &[("GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS", "5000")],
                &[("GROUP_CONSUMER_SESSION_TIMEOUT_MS", "5000")],
                &[("GROUP_CONSUMER_SESSION_TIMEOUT_MS", "45000")],
                &[("GROUP_COORDINATOR_REBALANCE_PROTOCOLS", "consumer")],
                &[("GROUP_COORDINATOR_REBALANCE_PROTOCOLS", "classic,consumer")],
                &[
                    ("GROUP_MIN_SESSION_TIMEOUT_MS", "10000"),
                    ("GROUP_MAX_SESSION_TIMEOUT_MS", "6000"),
                ],
            ],
        ),
        (
            "connection limits",
            &all,
            &[
                &[("MAX_CONNECTIONS_PER_IP", "0")],
                &[("MAX_CONNECTIONS_PER_IP", "1")],
                &[
                    ("MAX_CONNECTIONS_PER_IP", "0"),
                    ("MAX_CONNECTIONS_PER_IP_OVERRIDES", "10.0.0.1:5"),
                ],
                &[("QUEUED_MAX_REQUEST_BYTES", "1000")],
                &[("QUEUED_MAX_REQUEST_BYTES", "104857600")],
                &[("QUEUED_MAX_REQUEST_BYTES", "-1")],
            ],
        ),
        (
            "retention and roll",
            &brokers,
            &[
                &[("LOG_RETENTION_HOURS", "0")],
                &[("LOG_RETENTION_HOURS", "1")],
                &[("LOG_RETENTION_MS", "0")],
                &[("LOG_RETENTION_MS", "-1")],
                &[("LOG_RETENTION_MINUTES", "0")],
                &[("LOG_ROLL_MS", "0")],
                &[("LOG_ROLL_MS", "1")],
            ],
        ),
        (
            "replica timeouts",
            &brokers,
            &[
                &[("REPLICA_LAG_TIME_MAX_MS", "400")],
                &[("REPLICA_LAG_TIME_MAX_MS", "500")],
                &[("REPLICA_FETCH_WAIT_MAX_MS", "30001")],
                &[("REPLICA_FETCH_WAIT_MAX_MS", "30000")],
                &[("REPLICA_SOCKET_TIMEOUT_MS", "499")],
            ],
        ),
        (
            "offsets commit acks",
            &brokers,
            &[
                &[("OFFSETS_COMMIT_REQUIRED_ACKS", "4")],
                &[("OFFSETS_COMMIT_REQUIRED_ACKS", "3")],
                &[
                    ("OFFSETS_COMMIT_REQUIRED_ACKS", "2"),
                    ("KAFKA_INIT_REPLICAS", "1"),
                ],
            ],
        ),
        (
            "log cleaner",
            &all,
            &[
                &[("LOG_CLEANER_THREADS", "0")],
                &[("LOG_CLEANER_THREADS", "1")],
                &[("LOG_CLEANER_DEDUPE_BUFFER_SIZE", "1048575")],
                &[("LOG_CLEANER_DEDUPE_BUFFER_SIZE", "1048576")],
                &[
                    ("LOG_CLEANER_THREADS", "4"),
                    ("LOG_CLEANER_DEDUPE_BUFFER_SIZE", "4194303"),
                ],
                &[
                    ("LOG_CLEANER_THREADS", "4"),
                    ("LOG_CLEANER_DEDUPE_BUFFER_SIZE", "4194304"),
                ],
            ],
        ),
        (
            "SASL inter-broker mechanism",
            &[ZooKeeper, Combined, Broker],
            &[
                &[
                    (
                        "LISTENER_SECURITY_PROTOCOL_MAP",
                        "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                    ),
                    ("SASL_ENABLED_MECHANISMS", "PLAIN"),
                    ("SASL_MECHANISM_INTER_BROKER_PROTOCOL", "SCRAM-SHA-256"),
                ],
                &[
                    (
                        "LISTENER_SECURITY_PROTOCOL_MAP",
                        "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                    ),
                    ("SASL_ENABLED_MECHANISMS", "PLAIN,SCRAM-SHA-256"),
                    ("SASL_MECHANISM_INTER_BROKER_PROTOCOL", "SCRAM-SHA-256"),
                ],
                &[
                    ("SASL_ENABLED_MECHANISMS", "PLAIN"),
                    ("SASL_MECHANISM_INTER_BROKER_PROTOCOL", "SCRAM-SHA-256"),
                ],
            ],
        ),
        (
            "inter-broker protocol version in KRaft",
            &all,
            &[
                &[("INTER_BROKER_PROTOCOL_VERSION", "3.2")],
                &[("INTER_BROKER_PROTOCOL_VERSION", "3.3")],
                &[("INTER_BROKER_PROTOCOL_VERSION", "3.4")],
                &[("INTER_BROKER_PROTOCOL_VERSION", "3.5")],
                &[("INTER_BROKER_PROTOCOL_VERSION", "3.6-IV0")],
                &[("INTER_BROKER_PROTOCOL_VERSION", "3.6-IV1")],
                &[("INTER_BROKER_PROTOCOL_VERSION", "3.9")],
            ],
        ),
        (
            "config provider reference",
            &all,
            &[
                &[(
                    "LOG_RETENTION_MS",
                    "${file:/etc/kafka/x.properties:retention}",
                )],
                &[("BROKER_RACK", "${file:/etc/kafka/x.properties:rack}")],
            ],
        ),
        (
            "control plane listener",
            &[ZooKeeper, Combined],
            &[
                &[("CONTROL_PLANE_LISTENER_NAME", "CONTROLPLANE")],
                &[("CONTROL_PLANE_LISTENER_NAME", "PLAINTEXT")],
            ],
        ),
        (
            "group consumer assignors",
            &brokers,
            &[
                &[("GROUP_CONSUMER_ASSIGNORS", "uniform")],
                &[(
                    "GROUP_CONSUMER_ASSIGNORS",
                    "org.apache.kafka.coordinator.group.assignor.UniformAssignor",
                )],
            ],
        ),
        (
            "cordoned log dirs",
            &[Combined, Broker],
            &[
                &[("CORDONED_LOG_DIRS", "/bitnami/kafka/other")],
                &[("CORDONED_LOG_DIRS", "/bitnami/kafka/data")],
            ],
        ),
        (
            "controller listener names",
            &[Combined, Controller, Broker],
            &[
                &[
                    ("CONTROLLER_LISTENER_NAMES", "CONTROLLER,CONTROLLER"),
                    PROPERTIES,
                ],
                &[("CONTROLLER_LISTENER_NAMES", " CONTROLLER"), PROPERTIES],
                &[("CONTROLLER_LISTENER_NAMES", "CONTROLLER "), PROPERTIES],
                &[("CONTROLLER_LISTENER_NAMES", "CONTROLLER,"), PROPERTIES],
                &[("CONTROLLER_LISTENER_NAMES", "CONTROLLER"), PROPERTIES],
            ],
        ),
        (
            "duplicate list entries",
            &[Combined, Broker, Controller],
            &[
                &[("LOG_DIRS", "/bitnami/kafka/data,/bitnami/kafka/data")],
                &[("PROCESS_ROLES", "broker,controller,broker")],
                &[("LOG_DIRS", "/bitnami/kafka/data,/bitnami/kafka/data/")],
            ],
        ),
        (
            "a listener written twice alike",
            &[Combined],
            &[&[
                (
                    "LISTENERS",
                    "PLAINTEXT://:9092,PLAINTEXT://:9092,CONTROLLER://:9093",
                ),
                PROPERTIES,
            ]],
        ),
        (
            "ZooKeeper-era authorizer keys",
            &[ZooKeeper],
            &[
                &[
                    (
                        "AUTHORIZER_CLASS_NAME",
                        "kafka.security.authorizer.AclAuthorizer",
                    ),
                    ("AUTHORIZER_ZOOKEEPER_URL", "zk-0.zk:2181"),
                ],
                &[(
                    "AUTHORIZER_CLASS_NAME",
                    "kafka.security.authorizer.AclAuthorizer",
                )],
            ],
        ),
        (
            "Bitnami's APP_VERSION",
            &all,
            &[&[("APP_VERSION", "latest")], &[("APP_VERSION", "3.9.0")]],
        ),
    ];
    for (kind, bases, envs) in table {
        let twins = bases.iter().flat_map(|b| b.migration_twins());
        for base in bases.iter().chain(twins) {
            for env in envs.iter() {
                out.push(case(kind, *base, env));
            }
        }
    }
    // The combined base names PROCESS_ROLES itself; on the split ones, the
    // duplicate is of their own role.
    for c in &mut out {
        if c.kind == "duplicate list entries" && c.env[0].0 == "KAFKA_CFG_PROCESS_ROLES" {
            let v = match c.base {
                Broker | KRaftBroker => "broker,broker",
                b if b.is_controller() => "controller,controller",
                _ => "broker,controller,broker",
            };
            c.env[0].1 = Some(v.to_string());
        }
    }
    // APP_VERSION is the image's, KAFKA_INIT_KAFKA_VERSION kafka-init's:
    // without ours, the image's decides.
    for c in &mut out {
        if c.env.iter().any(|(k, _)| k == "APP_VERSION") {
            c.env.push(("KAFKA_INIT_KAFKA_VERSION".into(), None));
        }
    }
    out
}

/// Does a disagreement fall under a known, reasoned difference?
type Matches = fn(&Case, Version, Verdict) -> bool;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Verdict {
    Accepts,
    Refuses,
}

/// Where kafka-init and Kafka's start-up still differ: (why, which cases).
/// docs/reference/catalog.md ("Whole-start differential") lists them too.
const KNOWN: &[(&str, Matches)] = &[
    (
        "a ZooKeeper broker in migration mode at inter.broker.protocol.version 3.4 up to 3.6-IV0: its own KafkaConfig takes it (its bound is 3.4), but the migration's controllers, which format with the brokers' version, refuse anything before 3.6-IV1 at activation (this test's controller cases show it, KAFKA-17457); kafka-init refuses it on the broker too, before the migration starts",
        |c, _, ours| {
            ours == Verdict::Refuses
                && c.base == Base::MigrationBroker
                && c.env.iter().any(|(k, v)| k == "KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION" && matches!(v.as_deref(), Some("3.4" | "3.5" | "3.6-IV0")))
        },
    ),
];

#[test]
#[ignore = "needs a JDK and the Kafka jars: run by scripts/test's differential stage"]
fn whole_environments_get_kafkas_own_start_up_verdict() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let classes = TempDir::new("whole-start");
    let cases = cases();
    let mut unexplained = vec![];
    let mut per_known = vec![0; KNOWN.len()];
    let (mut total, mut total_agree) = (0, 0);
    for version in Version::all() {
        let mine: Vec<&Case> = cases.iter().filter(|c| c.runs_on(version)).collect();
        let judged: Vec<(Verdict, String, String)> =
            mine.iter().map(|c| ours(c, version)).collect();
        let inputs: Vec<&str> = judged.iter().map(|(_, _, p)| p.as_str()).collect();
        let kafka = kafka_verdicts(&root, &classes.0, version, &inputs);
        let mut agree = 0;
        for ((case, (ours, why, _)), kafka) in mine.iter().zip(&judged).zip(&kafka) {
            let theirs = if kafka.is_none() {
                Verdict::Accepts
            } else {
                Verdict::Refuses
            };
            if ours == &theirs {
                agree += 1;
                continue;
            }
            let line = format!(
                "  {} [{}] {}: kafka-init {}{}, Kafka {}",
                version.name(),
                case.kind,
                case.name(),
                verdict_word(*ours),
                if why.is_empty() {
                    String::new()
                } else {
                    format!(" ({why})")
                },
                match kafka {
                    None => "accepts".to_string(),
                    Some(m) => format!("refuses ({m})"),
                }
            );
            match KNOWN.iter().position(|(_, hit)| hit(case, version, *ours)) {
                Some(i) => {
                    per_known[i] += 1;
                    println!("known{line}");
                }
                None => {
                    println!("DISAGREE{line}");
                    unexplained.push(line);
                }
            }
        }
        total += mine.len();
        total_agree += agree;
        println!(
            "Kafka {}: {agree}/{} whole environments agree ({:.1}%)",
            version.name(),
            mine.len(),
            100.0 * agree as f64 / mine.len() as f64
        );
    }
    for ((why, _), n) in KNOWN.iter().zip(&per_known) {
        println!("known difference ({n} cases): {why}");
    }
    println!(
        "whole-start differential: {total_agree}/{total} agree ({:.1}%)",
        100.0 * total_agree as f64 / total as f64
    );
    assert!(
        unexplained.is_empty(),
        "{} unexplained disagreements:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Accepts => "accepts",
        Verdict::Refuses => "refuses",
    }
}

/// kafka-init's verdict on a case, its first problem, and the properties
/// Kafka is to judge.
fn ours(case: &Case, version: Version) -> (Verdict, String, String) {
    let run = |env: &[(String, Option<String>)]| {
        let mut cmd = Command::new(util::bin());
        cmd.args(["plan", "--offline", "--format", "properties"])
            .env_clear()
            .env("KAFKA_INIT_KAFKA_VERSION", version.name());
        for (k, v) in case.base.env() {
            cmd.env(k, v);
        }
        for (k, v) in env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let out = cmd.output().expect("run kafka-init plan");
        let code = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            code == 0 || code == 78,
            "kafka-init plan {}: exit {code}\n{stderr}",
            case.name()
        );
        (code, String::from_utf8(out.stdout).unwrap(), stderr)
    };
    let (code, props, stderr) = run(&case.env);
    if code == 0 {
        return (Verdict::Accepts, String::new(), props);
    }
    let first = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("1. "))
        .map(|l| l.trim().chars().take(160).collect())
        .unwrap_or_default();
    // What the user wrote, over the plan of the environment without it
    // (kafka-init's own settings kept, unless they are what it refuses).
    let own: Vec<(String, Option<String>)> = case
        .env
        .iter()
        .filter(|(k, _)| !k.starts_with("KAFKA_CFG_") && k != "APP_VERSION")
        .cloned()
        .collect();
    let (mut base_code, mut props, mut base_err) = run(&own);
    if base_code != 0 {
        (base_code, props, base_err) = run(&[]);
    }
    assert_eq!(base_code, 0, "base of {}:\n{base_err}", case.name());
    for (var, value) in &case.env {
        if let (Some(k), Some(v)) = (var.strip_prefix("KAFKA_CFG_"), value) {
            props.push_str(&format!("{}={}\n", key_of(k), escape(v)));
        }
    }
    (Verdict::Refuses, first, props)
}

/// A value as a `server.properties` line keeps it (java.util.Properties).
fn escape(v: &str) -> String {
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            ' ' if i == 0 => out.push_str("\\ "),
            c => out.push(c),
        }
    }
    out
}

fn compile(root: &Path, classes: &Path, version: Version) -> PathBuf {
    let dir = classes.join(version.name());
    let cp = format!("{}/target/kafka/{}/libs/*", root.display(), version.name());
    let status = Command::new("javac")
        .args(["-nowarn", "-cp", &cp, "-d"])
        .arg(&dir)
        .arg(root.join("tools/catalog-gen/WholeStart.java"))
        .status()
        .expect("run javac");
    assert!(
        status.success(),
        "javac WholeStart.java for {}",
        version.name()
    );
    dir
}

/// Kafka's verdicts on each properties text, in order: None accepted,
/// Some(step: message) refused.
fn kafka_verdicts(
    root: &Path,
    classes: &Path,
    version: Version,
    cases: &[&str],
) -> Vec<Option<String>> {
    let classes = compile(root, classes, version);
    let mut input = String::new();
    for props in cases {
        assert!(!props.lines().any(|l| l == "--end--"));
        input.push_str(&format!("case\t{CLUSTER_ID}\t-\n{props}--end--\n"));
    }
    util::java::verdicts(
        root,
        &classes,
        version.name(),
        "WholeStart",
        input,
        cases.len(),
    )
}
