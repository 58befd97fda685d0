//! Phase × role table tests, through the one entry point commands use.

use super::*;
use crate::environment::Inputs;
use crate::plan::{FoundClusterId, Plan};
use crate::problem::Problems;

/// The ConfigMap both StatefulSets share (the seed's settings, trimmed).
const SHARED: &[(&str, &str)] = &[
    ("POD_NAMESPACE", "kafka"),
    ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk-service.zk:32181"),
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
const BROKER: &[(&str, &str)] = &[("POD_NAME", "kafka-1"), ("KAFKA_INIT_REPLICAS", "3")];
const CONTROLLER: &[(&str, &str)] = &[
    ("POD_NAME", "kafka-controller-1"),
    ("KAFKA_INIT_ROLE", "controller"),
    ("KAFKA_INIT_MODE", "kraft"),
    ("KAFKA_INIT_ID_OFFSET", "3000"),
    ("KAFKA_INIT_REPLICAS", "3"),
    ("KAFKA_INIT_BROKER_REPLICAS", "3"),
];
const ZK_ID: &str = "Sc3yfWjdQ8Sx0aYhbhvHPw";

fn inputs(phase: &str, node: &[(&'static str, &'static str)], extra: &[(&str, &str)]) -> Inputs {
    let mut env: Vec<(&str, &str)> = SHARED.to_vec();
    env.extend_from_slice(node);
    env.extend_from_slice(extra);
    if !phase.is_empty() {
        env.push(("KAFKA_INIT_MIGRATION", phase));
    }
    Inputs::from_pairs(env)
}

/// The cluster id a migrating controller found in ZooKeeper.
fn zk_found() -> FoundClusterId {
    FoundClusterId {
        from: "ZooKeeper /cluster/id".into(),
        id: Ok(ZK_ID.into()),
    }
}

/// [`derive`] with a flavor, and ZooKeeper's cluster id found.
fn with_flavor(
    i: &Inputs,
    flavor: Option<&str>,
) -> Result<(Plan, &'static dyn crate::flavor::Flavor), Problems> {
    let settings = crate::settings::Settings::of(&i.vars);
    crate::cmd::derive_with_settings(i, &settings, flavor, None, Some(&zk_found()), &[])
}

/// Derives as the commands do after observing, with `found`.
fn derive(i: &Inputs, found: Option<&FoundClusterId>) -> Result<Plan, Problems> {
    let settings = crate::settings::Settings::of(&i.vars);
    crate::cmd::derive_with_settings(i, &settings, None, None, found, &[]).map(|(p, _)| p)
}

fn plan(
    phase: &str,
    node: &[(&'static str, &'static str)],
    extra: &[(&str, &str)],
) -> Result<Plan, Problems> {
    derive(&inputs(phase, node, extra), Some(&zk_found()))
}

#[test]
fn each_phase_derives_and_removes_the_keys_of_each_role() {
    // (phase, node, key, value; None = absent)
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
        Option<&'static str>,
    );
    let voters = "3000@kafka-controller-0.kafka-controller.kafka.svc.cluster.local:9093,3001@kafka-controller-1.kafka-controller.kafka.svc.cluster.local:9093,3002@kafka-controller-2.kafka-controller.kafka.svc.cluster.local:9093";
    let cases: &[Case] = &[
        // Phase controllers: brokers are plain ZooKeeper brokers.
        ("controllers", BROKER, "broker.id", Some("1")),
        (
            "controllers",
            BROKER,
            "zookeeper.connect",
            Some("zk-service.zk:32181"),
        ),
        ("controllers", BROKER, FLAG, None),
        ("controllers", BROKER, "controller.quorum.voters", None),
        ("controllers", BROKER, "inter.broker.protocol.version", None),
        ("controllers", BROKER, "process.roles", None),
        // The controllers: flag, ZooKeeper, the brokers' listener, the IBP.
        (
            "controllers",
            CONTROLLER,
            "process.roles",
            Some("controller"),
        ),
        ("controllers", CONTROLLER, "node.id", Some("3001")),
        ("controllers", CONTROLLER, FLAG, Some("true")),
        (
            "controllers",
            CONTROLLER,
            "zookeeper.connect",
            Some("zk-service.zk:32181"),
        ),
        (
            "controllers",
            CONTROLLER,
            "inter.broker.listener.name",
            Some("PLAINTEXT_INTERNAL"),
        ),
        (
            "controllers",
            CONTROLLER,
            "listener.security.protocol.map",
            Some("PLAINTEXT_INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        ),
        (
            "controllers",
            CONTROLLER,
            "listeners",
            Some("CONTROLLER://:9093"),
        ),
        ("controllers", CONTROLLER, "advertised.listeners", None),
        (
            "controllers",
            CONTROLLER,
            "controller.quorum.voters",
            Some(voters),
        ),
        (
            "controllers",
            CONTROLLER,
            "inter.broker.protocol.version",
            Some("3.9"),
        ),
        // Dual write: ZooKeeper brokers with the flag and the quorum.
        ("dual-write", BROKER, "broker.id", Some("1")),
        ("dual-write", BROKER, "node.id", None),
        ("dual-write", BROKER, "process.roles", None),
        (
            "dual-write",
            BROKER,
            "zookeeper.connect",
            Some("zk-service.zk:32181"),
        ),
        ("dual-write", BROKER, FLAG, Some("true")),
        (
            "dual-write",
            BROKER,
            "controller.quorum.voters",
            Some(voters),
        ),
        (
            "dual-write",
            BROKER,
            "controller.listener.names",
            Some("CONTROLLER"),
        ),
        (
            "dual-write",
            BROKER,
            "listener.security.protocol.map",
            Some("PLAINTEXT_INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        ),
        (
            "dual-write",
            BROKER,
            "inter.broker.protocol.version",
            Some("3.9"),
        ),
        (
            "dual-write",
            BROKER,
            "listeners",
            Some("PLAINTEXT_INTERNAL://:39092"),
        ),
        ("dual-write", CONTROLLER, FLAG, Some("true")),
        (
            "dual-write",
            CONTROLLER,
            "zookeeper.connect",
            Some("zk-service.zk:32181"),
        ),
        // KRaft brokers: node.id = the old broker.id, nothing of ZooKeeper.
        ("kraft-brokers", BROKER, "process.roles", Some("broker")),
        ("kraft-brokers", BROKER, "node.id", Some("1")),
        (
            "kraft-brokers",
            BROKER,
            "controller.quorum.voters",
            Some(voters),
        ),
        (
            "kraft-brokers",
            BROKER,
            "controller.listener.names",
            Some("CONTROLLER"),
        ),
        (
            "kraft-brokers",
            BROKER,
            "listener.security.protocol.map",
            Some("PLAINTEXT_INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        ),
        ("kraft-brokers", BROKER, "zookeeper.connect", None),
        ("kraft-brokers", BROKER, FLAG, None),
        (
            "kraft-brokers",
            BROKER,
            "inter.broker.protocol.version",
            None,
        ),
        ("kraft-brokers", CONTROLLER, FLAG, Some("true")),
        (
            "kraft-brokers",
            CONTROLLER,
            "zookeeper.connect",
            Some("zk-service.zk:32181"),
        ),
        // Finalized: controllers without ZooKeeper; brokers as before.
        ("finalized", CONTROLLER, FLAG, None),
        ("finalized", CONTROLLER, "zookeeper.connect", None),
        (
            "finalized",
            CONTROLLER,
            "inter.broker.protocol.version",
            None,
        ),
        ("finalized", CONTROLLER, "process.roles", Some("controller")),
        ("finalized", BROKER, "process.roles", Some("broker")),
        ("finalized", BROKER, "zookeeper.connect", None),
    ];
    for (phase, node, key, want) in cases {
        let p = plan(phase, node, &[]).unwrap_or_else(|e| panic!("{phase} {node:?}: {e}"));
        assert_eq!(p.get(key), *want, "{phase} {:?} {key}", node[0]);
    }
}

#[test]
fn removed_keys_are_absent_from_the_environment_aliases_included_and_from_server_properties() {
    // The user's ConfigMap still sets them, under Bitnami's alias too.
    let extra = [
        ("KAFKA_ZOOKEEPER_CONNECT", "zk-service.zk:32181"),
        ("KAFKA_CFG_ZOOKEEPER_CONNECTION_TIMEOUT_MS", "6000"),
        ("KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE", "true"),
        ("KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION", "3.9"),
    ];
    // A broker is handed no cluster id here (its volume has no meta.properties).
    let i = inputs("kraft-brokers", BROKER, &extra);
    let (p, flavor) = crate::cmd::derive_with_flavor(&i, None, None).unwrap();
    let mut removed = p.removed.clone();
    removed.sort();
    assert_eq!(
        removed,
        [
            "inter.broker.protocol.version",
            "zookeeper.connect",
            "zookeeper.connection.timeout.ms",
            "zookeeper.metadata.migration.enable"
        ]
    );
    let unset: Vec<String> = crate::flavor::removed_vars(flavor, &p, &i.vars)
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    for var in [
        "KAFKA_ZOOKEEPER_CONNECT",
        "KAFKA_CFG_ZOOKEEPER_CONNECT",
        "KAFKA_CFG_ZOOKEEPER_CONNECTION_TIMEOUT_MS",
        "KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE",
        "KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION",
    ] {
        assert!(unset.iter().any(|u| u == var), "{var} not unset: {unset:?}");
    }
    assert!(!unset.iter().any(|u| u == "KAFKA_CFG_LISTENERS"));
    // Bitnami must not format a migrated broker.
    let exported = flavor.exported(&p, &i.vars);
    assert_eq!(
        exported
            .get("KAFKA_SKIP_KRAFT_STORAGE_INIT")
            .map(String::as_str),
        Some("true")
    );
    assert!(!exported.contains_key("KAFKA_KRAFT_CLUSTER_ID"));
    // The properties flavor writes none of them and formats nothing.
    let (p, flavor) = crate::cmd::derive_with_flavor(&i, Some("properties"), None).unwrap();
    let launch = flavor.launch(&p, &i.vars, &[]).unwrap();
    let props = &launch.files[0].1;
    assert!(!props.contains("zookeeper"), "{props}");
    assert!(!props.contains("inter.broker.protocol.version"), "{props}");
    assert!(launch.steps.is_empty());
}

#[test]
fn a_migrating_controller_formats_with_the_zookeeper_cluster_id_and_the_brokers_ibp() {
    let i = inputs(
        "controllers",
        CONTROLLER,
        &[("KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION", "3.8")],
    );
    let (p, flavor) = with_flavor(&i, Some("properties")).unwrap();
    assert_eq!(p.cluster_id.as_deref(), Some(ZK_ID));
    let launch = flavor.launch(&p, &i.vars, &[]).unwrap();
    let argv = launch.steps[0].argv.join(" ");
    assert!(
        argv.ends_with(&format!(
            "--cluster-id={ZK_ID} --ignore-formatted --release-version 3.8"
        )),
        "{argv}"
    );
    let (p, flavor) = with_flavor(&i, None).unwrap();
    let exported = flavor.exported(&p, &i.vars);
    assert_eq!(
        exported.get("KAFKA_KRAFT_CLUSTER_ID").map(String::as_str),
        Some(ZK_ID)
    );
    assert!(!exported.contains_key("KAFKA_SKIP_KRAFT_STORAGE_INIT"));
}

#[test]
fn a_cluster_id_that_disagrees_with_zookeeper_or_cannot_be_read_is_a_problem() {
    let e = plan(
        "controllers",
        CONTROLLER,
        &[("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk")],
    )
    .unwrap_err();
    assert!(e.to_string().contains("disagree"), "{e}");
    let i = inputs("controllers", CONTROLLER, &[]);
    let unread = FoundClusterId {
        from: "ZooKeeper /cluster/id (zk-service.zk:32181)".into(),
        id: Err("connection refused".into()),
    };
    let e = derive(&i, Some(&unread)).unwrap_err();
    assert!(e.to_string().contains("connection refused"), "{e}");
}

#[test]
fn apaches_step_names_and_the_old_dual_write_name_the_same_phases() {
    // (spelling, phase, how it was spelled)
    let cases: &[(&str, Phase, Spelling)] = &[
        ("controllers", Phase::Controllers, Spelling::Ours),
        (
            "provision-controllers",
            Phase::Controllers,
            Spelling::Apache,
        ),
        ("migration-mode", Phase::MigrationMode, Spelling::Ours),
        (
            "enter-migration-mode",
            Phase::MigrationMode,
            Spelling::Apache,
        ),
        ("dual-write", Phase::MigrationMode, Spelling::Deprecated),
        (" kraft-brokers ", Phase::KraftBrokers, Spelling::Ours),
        ("migrate-brokers", Phase::KraftBrokers, Spelling::Apache),
        ("finalized", Phase::Finalized, Spelling::Ours),
        ("finalize", Phase::Finalized, Spelling::Apache),
    ];
    for (s, phase, spelling) in cases {
        assert_eq!(Phase::parse_spelling(s), Some((*phase, *spelling)), "{s}");
    }
    assert_eq!(Phase::parse("dual"), None);
    // Every spelling derives the same Plan.
    for (s, phase, _) in cases {
        let a = plan(s, BROKER, &[]).unwrap();
        let b = plan(phase.as_str(), BROKER, &[]).unwrap();
        assert_eq!(a.entries, b.entries, "{s}");
    }
}

#[test]
fn settings_that_contradict_the_phase_are_problems() {
    // (phase, node, extra, text the problems must contain)
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    let cases: &[Case] = &[
        (
            "dual-writes",
            BROKER,
            &[],
            "must be one of controllers (Apache: provision-controllers), migration-mode (Apache: enter-migration-mode), kraft-brokers (Apache: migrate-brokers), finalized (Apache: finalize)",
        ),
        (
            "controllers",
            BROKER,
            &[("KAFKA_INIT_ROLE", "combined")],
            "KIP-866 excludes combined",
        ),
        (
            "kraft-brokers",
            BROKER,
            &[("KAFKA_INIT_MODE", "zookeeper")],
            "runs in kraft mode",
        ),
        (
            "controllers",
            CONTROLLER,
            &[("KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE", "false")],
            "must be true",
        ),
        (
            "dual-write",
            BROKER,
            &[("KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION", "3.3")],
            "3.4 or higher",
        ),
        (
            "controllers",
            CONTROLLER,
            &[("KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION", "3.6-IV0")],
            "KAFKA-17457",
        ),
        (
            "dual-write",
            BROKER,
            &[("KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION", "three")],
            "not a protocol version",
        ),
        (
            "dual-write",
            BROKER,
            &[("KAFKA_INIT_CONTROLLER_ID_OFFSET", "0")],
            "also a controller's id",
        ),
        (
            "controllers",
            BROKER,
            &[("KAFKA_INIT_CONTROLLER_ID_OFFSET", "0")],
            "among the controllers' ids 0..2",
        ),
        (
            "controllers",
            BROKER,
            &[("KAFKA_CFG_PROCESS_ROLES", "broker")],
            "process.roles is derived",
        ),
    ];
    for (phase, node, extra, want) in cases {
        let e = plan(phase, node, extra).expect_err(&format!("{phase} {extra:?}"));
        assert!(e.to_string().contains(want), "{phase} {extra:?}: {e}");
    }
    // The other half: the same phases with good settings derive.
    for phase in ["controllers", "dual-write", "kraft-brokers", "finalized"] {
        plan(
            phase,
            BROKER,
            &[("KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION", "3.9-IV0")],
        )
        .unwrap();
        plan(phase, CONTROLLER, &[]).unwrap();
    }
}

#[test]
fn a_controller_without_zookeeper_connect_cannot_migrate() {
    let i = {
        let mut i = inputs("controllers", CONTROLLER, &[]);
        i.vars.remove("KAFKA_CFG_ZOOKEEPER_CONNECT");
        i
    };
    let e = crate::cmd::derive_for(&i, None, None).unwrap_err();
    assert!(e.to_string().contains("must reach ZooKeeper"), "{e}");
}

#[test]
fn reads_protocol_versions() {
    assert_eq!(parse_version("3.9"), Some((3, 9, u32::MAX)));
    assert_eq!(parse_version("3.6-IV1"), Some((3, 6, 1)));
    assert_eq!(parse_version("3.9.0"), Some((3, 9, u32::MAX)));
    assert!(parse_version("3.6-IV0") < parse_version("3.6-IV1"));
    assert!(parse_version("3.6") > Some((3, 6, 1)));
    assert_eq!(parse_version("3"), None);
    assert_eq!(parse_version("3.x"), None);
}
