//! Table tests: each rule on both sides of its line.

use crate::cmd::derive_for as derive;
use crate::environment::Inputs;

const ZK: &[(&str, &str)] = &[
    ("POD_NAME", "kafka-0"),
    ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
];

/// Each rule on both sides of its line: (extra env, None = valid / Some(text of the broken rule)).
#[test]
fn rules_table() {
    type Env = &'static [(&'static str, &'static str)];
    let cases: &[(Env, Option<&str>)] = &[
        // CU 152-205: one IPv4 and one IPv6 literal may share a port; two of a kind may not.
        (
            &[
                (
                    "KAFKA_CFG_LISTENERS",
                    "PLAINTEXT://127.0.0.1:9092,SSL://[::1]:9092",
                ),
                ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
            ],
            None,
        ),
        (
            &[
                (
                    "KAFKA_CFG_LISTENERS",
                    "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.2:9092",
                ),
                ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
            ],
            Some("different port"),
        ),
        // KC 778: advertised.listeners may share ports, not names.
        (
            &[
                ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,SSL://:9093"),
                (
                    "KAFKA_CFG_ADVERTISED_LISTENERS",
                    "PLAINTEXT://lb:9000,SSL://lb:9000",
                ),
                ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
            ],
            None,
        ),
        (
            &[(
                "KAFKA_CFG_ADVERTISED_LISTENERS",
                "PLAINTEXT://a:9092,PLAINTEXT://b:9092",
            )],
            Some("different name"),
        ),
        // KC 787-792: security.inter.broker.protocol alone is fine; with the name it is not.
        (
            &[("KAFKA_CFG_SECURITY_INTER_BROKER_PROTOCOL", "PLAINTEXT")],
            None,
        ),
        (
            &[
                ("KAFKA_CFG_SECURITY_INTER_BROKER_PROTOCOL", "PLAINTEXT"),
                ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
            ],
            Some("Only one of"),
        ),
        // KC 1007: the inter-broker listener must be advertised.
        (
            &[
                ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,SSL://:9093"),
                ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "ssl"),
            ],
            None,
        ),
        (
            &[("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "SSL")],
            Some("defined in advertised.listeners"),
        ),
        // KC 1017: no 0.0.0.0 advertised; binding it is fine.
        (&[("KAFKA_CFG_LISTENERS", "PLAINTEXT://0.0.0.0:9092")], None),
        (
            &[("KAFKA_CFG_ADVERTISED_LISTENERS", "PLAINTEXT://0.0.0.0:9092")],
            Some("0.0.0.0"),
        ),
        // KC 867: broker.id up to reserved.broker.max.id.
        (&[("KAFKA_INIT_ID_OFFSET", "1000")], None),
        (
            &[("KAFKA_INIT_ID_OFFSET", "1001")],
            Some("reserved.broker.max.id"),
        ),
        (
            &[
                ("KAFKA_INIT_ID_OFFSET", "1001"),
                ("KAFKA_CFG_RESERVED_BROKER_MAX_ID", "2000"),
            ],
            None,
        ),
        // KC 997: no controller listener names in ZooKeeper mode.
        (
            &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER")],
            Some("must be empty when not running in KRaft mode"),
        ),
        // Protocol map coverage: an explicit map replaces Kafka's default one.
        (
            &[(
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT:PLAINTEXT",
            )],
            None,
        ),
        (
            &[
                ("KAFKA_CFG_LISTENERS", "INTERNAL://:9092"),
                ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "INTERNAL"),
            ],
            Some("No security protocol defined for listener INTERNAL"),
        ),
        (
            &[
                ("KAFKA_CFG_LISTENERS", "INTERNAL://:9092"),
                ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "INTERNAL"),
                ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:SSL"),
            ],
            None,
        ),
    ];
    for (extra, want) in cases {
        let mut env = ZK.to_vec();
        env.extend_from_slice(extra);
        // Kafka's rules, whatever the image: the properties flavor runs
        // no image checks (Bitnami's shell, for one, cannot parse `[::1]`).
        let got = derive(
            &Inputs::from_pairs(env.iter().copied()),
            Some("properties"),
            None,
        );
        match (want, &got) {
            (None, Ok(_)) => {}
            (Some(text), Err(p)) => assert!(p.to_string().contains(text), "{extra:?}: {p}"),
            _ => panic!("{extra:?}: expected {want:?}, got {got:?}"),
        }
    }
}

pub(super) const KRAFT: &[(&str, &str)] = &[
    ("POD_NAME", "kafka-0"),
    ("POD_NAMESPACE", "k"),
    ("KAFKA_INIT_REPLICAS", "3"),
    ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
];

/// A KRaft controller-only node of a split deployment.
const CONTROLLER: &[(&str, &str)] = &[
    ("POD_NAME", "ctrl-0"),
    ("POD_NAMESPACE", "k"),
    ("KAFKA_INIT_ROLE", "controller"),
    ("KAFKA_INIT_REPLICAS", "3"),
    ("KAFKA_INIT_BROKER_REPLICAS", "3"),
    ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
];

/// The kinds of false accept and false reject a differential run against
/// Kafka 3.9.0 (ZooKeeper, KRaft) and 4.4.0 found (issue 12), each on both
/// sides of its line, with the Kafka rule it mirrors. (base, Kafka version,
/// extra env, None = Kafka starts / Some(text of the problem)).
#[test]
fn what_kafka_refuses_is_refused_and_what_it_takes_is_taken() {
    let cases: &[Case] = &[
        // KC 933-935: a broker needs a listener that is not a controller one.
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LISTENERS", "")], Some("at least one broker advertised listener")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LISTENERS", "CONTROLLER://:9093")], Some("at least one broker advertised listener")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093")], None),
        // KC 3.9:341, 4.0:237: duplicate roles; 4.2+ parsing drops the
        // repeat first (KIP-1161), so 4.4 starts.
        (KRAFT, "3.9.0", &[("KAFKA_CFG_PROCESS_ROLES", "broker,controller,broker")], Some("Duplicate role names found in `process.roles`")),
        (KRAFT, "4.1.2", &[("KAFKA_CFG_PROCESS_ROLES", "broker,controller,broker")], Some("Duplicate role names found in `process.roles`")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_PROCESS_ROLES", "broker,broker,controller")], None),
        (KRAFT, "3.9.0", &[("KAFKA_CFG_PROCESS_ROLES", " broker , controller ")], None),
        // process.roles against KAFKA_INIT_ROLE.
        (KRAFT, "4.4.0", &[("KAFKA_CFG_PROCESS_ROLES", "broker"), ("KAFKA_INIT_ROLE", "combined")], Some("the role and process.roles disagree")),
        // Empty list entries: Kafka keeps them (ConfigDef LIST, QuorumConfig).
        (KRAFT, "3.9.0", &[("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "0@kafka-0.kafka.k.svc.cluster.local:9093,,1@b:9093")], Some("Each entry should be in the form `{id}@{host}:{port}`")),
        (KRAFT, "3.9.0", &[("KAFKA_CFG_PROCESS_ROLES", "broker,,controller")], Some("Invalid value  for configuration process.roles")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a,,/data/b")], Some("'log.dirs' values must not be empty")),
        (KRAFT, "3.9.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a,,/data/b")], None),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER,")], Some("'controller.listener.names' values must not be empty")),
        // KC 3.9 validateValues: log.dirs made of blanks names no directory.
        (ZK, "3.9.0", &[("KAFKA_CFG_LOG_DIRS", " , ")], Some("At least one log directory must be defined")),
        // LM 3.9:173-210: the same directory twice, however written.
        (ZK, "3.9.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a,/data/a/")], Some("Duplicate log directory found")),
        (ZK, "3.9.0", &[("KAFKA_CFG_LOG_DIRS", "/./a,/a")], Some("Duplicate log directory found")),
        (ZK, "3.9.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a,/data/b")], None),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a"), ("KAFKA_CFG_METADATA_LOG_DIR", "/data/a/")], Some("written another way")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a"), ("KAFKA_CFG_METADATA_LOG_DIR", "/data/a")], None),
        // KC 897-905: a set but empty quorum value turns derivation off; nothing replaces it.
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "")], Some("either controller.quorum.bootstrap.servers must contain")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS", " ")], Some("either controller.quorum.bootstrap.servers must contain")),
        // Voter ids stay INTs: the controllers' id offset is range-checked.
        (KRAFT, "4.4.0", &[("KAFKA_INIT_ID_OFFSET", "2147483640"), ("KAFKA_INIT_CONTROLLER_ID_OFFSET", "2147483640")], Some("KAFKA_INIT_CONTROLLER_ID_OFFSET")),
        // QC 3.9:233-259 and Utils 3.9:99: {host}:{port}, hosts without spaces.
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "0@kafka-0.kafka.k.svc.cluster.local:9093"), ("KAFKA_CFG_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS", "a")], Some("Failed to parse host name from a")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "0@a b:9093")], Some("Failed to parse host name from entry 0@a b:9093")),
        // StorageTool: a controller without voters needs format flags kafka-init does not pass.
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS", "kafka-0.kafka.k.svc.cluster.local:9093")], Some("--standalone, --initial-controllers or --no-initial-controllers")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "0@kafka-0.kafka.k.svc.cluster.local:9093"), ("KAFKA_CFG_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS", "kafka-0.kafka.k.svc.cluster.local:9093")], None),
        // KC 4.0:702-707; on 3.9 kafka-init is stricter (docs/reference/catalog.md).
        (CONTROLLER, "4.4.0", &[("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "CONTROLLER")], Some("controller-only node")),
        (CONTROLLER, "3.9.0", &[("KAFKA_CFG_SECURITY_INTER_BROKER_PROTOCOL", "PLAINTEXT")], Some("controller-only node")),
        (CONTROLLER, "4.4.0", &[], None),
        // KC 867 with both keys parsed as Kafka parses them.
        (ZK, "3.9.0", &[("KAFKA_CFG_RESERVED_BROKER_MAX_ID", "abc")], Some("Invalid value abc for configuration reserved.broker.max.id")),
        (ZK, "3.9.0", &[("KAFKA_CFG_BROKER_ID_GENERATION_ENABLE", "no")], Some("Invalid value no for configuration broker.id.generation.enable")),
        (ZK, "3.9.0", &[("KAFKA_CFG_BROKER_ID_GENERATION_ENABLE", "FALSE"), ("KAFKA_INIT_ID_OFFSET", "2000")], None),
        (ZK, "3.9.0", &[("KAFKA_CFG_RESERVED_BROKER_MAX_ID", " 3000 "), ("KAFKA_INIT_ID_OFFSET", "2000")], None),
        // KC 3.9:1017-1023 and KAFKA-18281: 3.9.0 only.
        (KRAFT, "3.9.0", &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://0.0.0.0:9093")], Some("KAFKA-18281")),
        (KRAFT, "3.9.2", &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://0.0.0.0:9093")], None),
        (KRAFT, "3.9.0", &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://0.0.0.0:9093"), ("KAFKA_CFG_ADVERTISED_LISTENERS", "PLAINTEXT://kafka-0.kafka.k.svc.cluster.local:9092,CONTROLLER://kafka-0.kafka.k.svc.cluster.local:9093")], None),
        // ZooKeeper's ConnectStringParser and PathUtils.validatePath.
        (ZK, "3.9.0", &[("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181/kafka/")], Some("must not end with / character")),
        (ZK, "3.9.0", &[("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:abc")], Some("NumberFormatException")),
        (ZK, "3.9.0", &[("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181//kafka")], Some("empty node name specified")),
        (ZK, "3.9.0", &[("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk-0:2181,zk-1:2181/kafka/prod")], None),
        (ZK, "3.9.0", &[("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk/")], None),
        // A controller listener named twice: a combined or broker node
        // starts (3.9.0 and 3.9.2 alike); up to 4.1 a controller-only node
        // does not (KC 4.0:967-970).
        (KRAFT, "3.9.2", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER,CONTROLLER")], None),
        (CONTROLLER, "3.9.2", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER,CONTROLLER")], Some("process.roles=controller")),
        (KRAFT, "3.9.0", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER,CONTROLLER")], None),
        (CONTROLLER, "4.1.2", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER,CONTROLLER")], Some("process.roles=controller")),
        // A dir named twice: 4.2+ parsing drops the repeat; a controller
        // has no log manager; a broker's log manager refuses the same dir
        // written twice, and on 4.4 only when written two ways.
        (CONTROLLER, "4.4.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a,/data/a")], None),
        (CONTROLLER, "4.1.2", &[("KAFKA_CFG_LOG_DIRS", "/data/a,/data/a")], None),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a,/data/a")], None),
        (KRAFT, "4.1.2", &[("KAFKA_CFG_LOG_DIRS", "/data/a,/data/a")], Some("Duplicate log directory found")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a,/data/a/")], Some("Duplicate log directory found")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER,CONTROLLER")], None),
        // A listener written twice alike: 4.2+ parsing keeps one (CU 164 before).
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,PLAINTEXT://:9092,CONTROLLER://:9093")], None),
        (KRAFT, "4.1.2", &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,PLAINTEXT://:9092,CONTROLLER://:9093")], Some("Each listener must have a different name")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,PLAINTEXT://:9094,CONTROLLER://:9093")], Some("Each listener must have a different name")),
        (CONTROLLER, "4.4.0", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER,CONTROLLER")], None),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CORDONED_LOG_DIRS", "/data/b")], Some("All entries in cordoned.log.dirs must be present")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_DIRS", "/data/a,/data/b"), ("KAFKA_CFG_CORDONED_LOG_DIRS", "/data/b")], None),
        // The format step refuses a KRaft IBP before 3.3; no control plane listener in KRaft.
        (KRAFT, "3.9.2", &[("KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION", "3.2")], Some("before 3.3-IV0")),
        (KRAFT, "3.9.2", &[("KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION", "3.3-IV3")], None),
        (KRAFT, "3.9.2", &[("KAFKA_CFG_CONTROL_PLANE_LISTENER_NAME", "PLAINTEXT")], Some("not supported in KRaft mode")),
        (ZK, "3.9.2", &[("KAFKA_CFG_CONTROL_PLANE_LISTENER_NAME", "CP")], Some("not found in listener.security.protocol.map")),
        (ZK, "3.9.2", &[("KAFKA_CFG_CONTROL_PLANE_LISTENER_NAME", "PLAINTEXT")], Some("different value from the inter broker listener name")),
        // A config provider reference with no provider defined is parsed as written.
        (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_RETENTION_MS", "${file:/etc/kafka/x.properties:retention}")], Some("no config provider is defined")),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_BROKER_RACK", "${file:/etc/kafka/x.properties:rack}")], None),
        // 3.9 loads assignors as classes; 4.0 takes short names.
        (ZK, "3.9.2", &[("KAFKA_CFG_GROUP_CONSUMER_ASSIGNORS", "uniform")], Some("Class uniform cannot be found")),
        (ZK, "3.9.2", &[("KAFKA_CFG_GROUP_CONSUMER_ASSIGNORS", "org.apache.kafka.coordinator.group.assignor.UniformAssignor")], None),
        (KRAFT, "4.0.2", &[("KAFKA_CFG_GROUP_CONSUMER_ASSIGNORS", "uniform")], None),
        // False rejects: Kafka trims STRING values (ConfigDef.parseType) and, from 4.1, LIST entries (AKC 4.1:109-111).
        (KRAFT, "4.4.0", &[("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", " PLAINTEXT ")], None),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_SECURITY_INTER_BROKER_PROTOCOL", " PLAINTEXT ")], None),
        (KRAFT, "4.4.0", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", " CONTROLLER ")], None),
        // 3.9 and 4.0 trim the whole STRING, then split without trimming entries (KC 3.9:721-731).
        (KRAFT, "3.9.0", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", " CONTROLLER ")], None),
        (KRAFT, "4.0.2", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER ,X")], Some("must only contain values appearing in the 'listeners'")),
        // 4.1 drops an empty entry (4.2+ validators refuse it).
        (KRAFT, "4.1.2", &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER,")], None),
        // KIP-853: an advertised controller entry is the controller's own endpoint.
        (KRAFT, "4.4.0", &[("KAFKA_CFG_ADVERTISED_LISTENERS", "CONTROLLER://kafka-0.kafka.k.svc.cluster.local:9093")], None),
        // 3.9 reads an empty process.roles as ZooKeeper mode.
        (ZK, "3.9.0", &[("KAFKA_CFG_PROCESS_ROLES", "")], None),
        (ZK, "3.9.0", &[("KAFKA_CFG_PROCESS_ROLES", "broker")], Some("process.roles is set, which selects KRaft")),
    ];
    assert_versioned(cases);
}

/// An environment: (variable, value) pairs.
pub(super) type Env = &'static [(&'static str, &'static str)];
/// A case of a table across Kafka versions: (base, Kafka version, extra
/// env, None = Kafka starts / Some(text of the problem)).
pub(super) type Case = (Env, &'static str, Env, Option<&'static str>);

/// Runs a table across Kafka versions through the properties flavor:
/// Kafka's rules, whatever the image (it runs no image checks; Bitnami's
/// shell, for one, cannot parse `[::1]`).
pub(super) fn assert_versioned(cases: &[Case]) {
    for (base, version, extra, want) in cases {
        let mut env = base.to_vec();
        env.push(("KAFKA_INIT_KAFKA_VERSION", version));
        env.extend_from_slice(extra);
        let got = derive(
            &Inputs::from_pairs(env.iter().copied()),
            Some("properties"),
            None,
        );
        match (want, &got) {
            (None, Ok(_)) => {}
            (Some(text), Err(p)) => {
                assert!(p.to_string().contains(text), "{version} {extra:?}: {p}")
            }
            _ => panic!("{version} {extra:?}: expected {want:?}, got {got:?}"),
        }
    }
}
