//! Bad input: every case exits 78 before exec, names the variable in its
//! message, and leaves nothing behind (no exec, no server.properties).

mod util;

use util::{run, with, KRAFT, SEED_ENV};

/// (case, base env, variables set, variables removed, text the message must hold)
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
    &'static str,
);

const CASES: &[Case] = &[
    (
        "empty ordinal",
        SEED_ENV,
        &[("POD_NAME", "kafka-")],
        &[],
        "POD_NAME",
    ),
    (
        "garbage ordinal",
        SEED_ENV,
        &[("POD_NAME", "kafka-two")],
        &[],
        "POD_NAME",
    ),
    (
        "ordinal with a leading zero",
        SEED_ENV,
        &[("POD_NAME", "kafka-02")],
        &[],
        "POD_NAME",
    ),
    (
        "negative-looking ordinal",
        SEED_ENV,
        &[("POD_NAME", "kafka--2")],
        &[],
        "POD_NAME",
    ),
    (
        "name without an ordinal",
        SEED_ENV,
        &[("POD_NAME", "kafka")],
        &[],
        "POD_NAME",
    ),
    (
        "hostname without an ordinal",
        SEED_ENV,
        &[("HOSTNAME", "worker-node-a")],
        &["POD_NAME"],
        "HOSTNAME",
    ),
    (
        "ordinal too large",
        SEED_ENV,
        &[("POD_NAME", "kafka-4294967296")],
        &[],
        "POD_NAME",
    ),
    (
        "garbage pod index",
        SEED_ENV,
        &[("POD_INDEX", "two")],
        &[],
        "POD_INDEX",
    ),
    (
        "pod index disagreeing with the name",
        SEED_ENV,
        &[("POD_INDEX", "1")],
        &[],
        "POD_INDEX",
    ),
    (
        "bad namespace",
        SEED_ENV,
        &[("POD_NAMESPACE", "Kafka_NS")],
        &[],
        "POD_NAMESPACE",
    ),
    (
        "offset that overflows",
        SEED_ENV,
        &[("KAFKA_INIT_ID_OFFSET", "2147483647")],
        &[],
        "KAFKA_INIT_ID_OFFSET",
    ),
    (
        "offset that is not a number",
        SEED_ENV,
        &[("KAFKA_INIT_ID_OFFSET", "-1")],
        &[],
        "KAFKA_INIT_ID_OFFSET",
    ),
    (
        "offset above reserved.broker.max.id",
        SEED_ENV,
        &[("KAFKA_INIT_ID_OFFSET", "999")],
        &[],
        "reserved.broker.max.id",
    ),
    (
        "duplicate listener names",
        SEED_ENV,
        &[(
            "KAFKA_LISTENERS",
            "PLAINTEXT_INTERNAL://:39092,PLAINTEXT_INTERNAL://:39093",
        )],
        &[],
        "Each listener must have a different name",
    ),
    (
        "duplicate names differing in case",
        SEED_ENV,
        &[(
            "KAFKA_LISTENERS",
            "PLAINTEXT_INTERNAL://:39092,plaintext_internal://:39093",
        )],
        &[],
        "different name",
    ),
    (
        "duplicate ports",
        SEED_ENV,
        &[
            (
                "KAFKA_LISTENERS",
                "PLAINTEXT_INTERNAL://:39092,SSL://:39092",
            ),
            (
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT_INTERNAL:PLAINTEXT,SSL:SSL",
            ),
        ],
        &[],
        "Each listener must have a different port",
    ),
    (
        "two IPv4 listeners on one port",
        SEED_ENV,
        &[
            (
                "KAFKA_LISTENERS",
                "PLAINTEXT_INTERNAL://10.0.0.1:39092,SSL://10.0.0.2:39092",
            ),
            (
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT_INTERNAL:PLAINTEXT,SSL:SSL",
            ),
        ],
        &[],
        "different port",
    ),
    (
        "unknown protocol in the map",
        SEED_ENV,
        &[(
            "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
            "PLAINTEXT_INTERNAL:TLS",
        )],
        &[],
        "Invalid security protocol `TLS`",
    ),
    (
        "map entry without a protocol",
        SEED_ENV,
        &[(
            "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
            "PLAINTEXT_INTERNAL",
        )],
        &[],
        "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
    ),
    (
        "listener missing from an explicit map",
        SEED_ENV,
        &[
            (
                "KAFKA_LISTENERS",
                "PLAINTEXT_INTERNAL://:39092,CLIENTS://:39094",
            ),
            (
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT_INTERNAL:PLAINTEXT",
            ),
        ],
        &[],
        "No security protocol defined for listener CLIENTS",
    ),
    (
        "listener name with two protocols",
        SEED_ENV,
        &[(
            "KAFKA_LISTENERS",
            "PLAINTEXT_INTERNAL://:39092,SSL_PLAINTEXT://:39094",
        )],
        &[],
        "SSL_PLAINTEXT",
    ),
    (
        "malformed listener without a port",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://kafka")],
        &[],
        "Unable to parse PLAINTEXT_INTERNAL://kafka",
    ),
    (
        "malformed listener without a scheme",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL:39092")],
        &[],
        "KAFKA_LISTENERS",
    ),
    (
        "port out of range",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:70000")],
        &[],
        "between 1 and 65535",
    ),
    (
        "port zero",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:0")],
        &[],
        "between 1 and 65535",
    ),
    (
        "port that is not a number",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:x9092")],
        &[],
        "decimal",
    ),
    (
        "malformed host",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://kafka 0:39092")],
        &[],
        "KAFKA_LISTENERS",
    ),
    (
        "IPv6 without brackets",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://::1:39092")],
        &[],
        "IPv6 host in brackets",
    ),
    (
        "IPv6 with an unclosed bracket",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://[::1:39092")],
        &[],
        "unbalanced brackets",
    ),
    (
        "brackets around a name",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://[kafka]:39092")],
        &[],
        "IPv6 hosts only",
    ),
    (
        "advertised 0.0.0.0",
        SEED_ENV,
        &[(
            "KAFKA_ADVERTISED_LISTENERS",
            "PLAINTEXT_INTERNAL://0.0.0.0:39092",
        )],
        &[],
        "nonroutable meta-address 0.0.0.0",
    ),
    (
        "advertised name not in listeners",
        SEED_ENV,
        &[(
            "KAFKA_ADVERTISED_LISTENERS",
            "OTHER_PLAINTEXT://kafka-2.kafka:39092",
        )],
        &[],
        "subset of the ones defined in listeners",
    ),
    (
        "inter-broker listener not advertised",
        SEED_ENV,
        &[("KAFKA_INTER_BROKER_LISTENER_NAME", "INTERNAL")],
        &[],
        "must be a listener name defined in advertised.listeners",
    ),
    (
        "conflicting inter-broker settings",
        SEED_ENV,
        &[("KAFKA_CFG_SECURITY_INTER_BROKER_PROTOCOL", "PLAINTEXT")],
        &[],
        "Only one of inter.broker.listener.name and security.inter.broker.protocol",
    ),
    (
        "several listeners and no inter-broker listener",
        SEED_ENV,
        &[(
            "KAFKA_LISTENERS",
            "PLAINTEXT_INTERNAL://:39092,PLAINTEXT_CLIENTS://:39094",
        )],
        &["KAFKA_INTER_BROKER_LISTENER_NAME"],
        "KAFKA_CFG_INTER_BROKER_LISTENER_NAME",
    ),
    (
        "alias and KAFKA_CFG_ name disagree",
        SEED_ENV,
        &[("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk-other:2181")],
        &[],
        "KAFKA_ZOOKEEPER_CONNECT",
    ),
    (
        "leftover broker id command",
        SEED_ENV,
        &[("KAFKA_BROKER_ID_COMMAND", "cat /tmp/broker_id")],
        &[],
        "KAFKA_BROKER_ID_COMMAND",
    ),
    (
        "leftover node id command",
        SEED_ENV,
        &[("KAFKA_NODE_ID_COMMAND", "cat /tmp/node_id")],
        &[],
        "KAFKA_NODE_ID_COMMAND",
    ),
    (
        "deprecated broker id command",
        SEED_ENV,
        &[("BROKER_ID_COMMAND", "hostname")],
        &[],
        "BROKER_ID_COMMAND",
    ),
    (
        "service-link value in a setting",
        SEED_ENV,
        &[("KAFKA_ZOOKEEPER_CONNECT", "tcp://10.96.0.12:32181")],
        &[],
        "enableServiceLinks",
    ),
    (
        "fixed broker id",
        SEED_ENV,
        &[("KAFKA_CFG_BROKER_ID", "0")],
        &[],
        "KAFKA_CFG_BROKER_ID",
    ),
    (
        "missing zookeeper.connect in ZooKeeper mode",
        SEED_ENV,
        &[("KAFKA_INIT_MODE", "zookeeper")],
        &["KAFKA_ZOOKEEPER_CONNECT"],
        "zookeeper.connect",
    ),
    (
        "unknown mode",
        SEED_ENV,
        &[("KAFKA_INIT_MODE", "zk")],
        &[],
        "KAFKA_INIT_MODE",
    ),
    (
        "unknown flavor",
        SEED_ENV,
        &[("KAFKA_INIT_FLAVOR", "strimzi")],
        &[],
        "KAFKA_INIT_FLAVOR",
    ),
    (
        "bad run-as",
        SEED_ENV,
        &[("KAFKA_INIT_RUN_AS", "kafka")],
        &[],
        "KAFKA_INIT_RUN_AS",
    ),
    (
        "bad replicas",
        SEED_ENV,
        &[("KAFKA_INIT_REPLICAS", "three")],
        &[],
        "KAFKA_INIT_REPLICAS",
    ),
    (
        "relative data dir",
        SEED_ENV,
        &[("KAFKA_CFG_LOG_DIRS", "data")],
        &[],
        "absolute path",
    ),
    (
        "bad cluster domain",
        SEED_ENV,
        &[("KAFKA_INIT_CLUSTER_DOMAIN", "cluster..local")],
        &[],
        "KAFKA_INIT_CLUSTER_DOMAIN",
    ),
    // KRaft and external access (issue 6).
    (
        "missing cluster id",
        KRAFT,
        &[],
        &["KAFKA_INIT_CLUSTER_ID"],
        "freshly generated",
    ),
    (
        "malformed cluster id",
        KRAFT,
        &[("KAFKA_INIT_CLUSTER_ID", "my-cluster")],
        &[],
        "22 base64url",
    ),
    (
        "two cluster ids",
        KRAFT,
        &[
            ("KAFKA_INIT_FLAVOR", "apache"),
            ("CLUSTER_ID", "AbCdEfGhIjKlMnOpQrStUv"),
        ],
        &[],
        "CLUSTER_ID",
    ),
    (
        "voters without this controller",
        KRAFT,
        &[(
            "KAFKA_CFG_CONTROLLER_QUORUM_VOTERS",
            "5@c-0.c:9093,6@c-1.c:9093",
        )],
        &[],
        "must be included in the set of voters",
    ),
    (
        "broker-only node among the voters",
        KRAFT,
        &[
            ("KAFKA_INIT_ROLE", "broker"),
            ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"),
            ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
        ],
        &[],
        "must not be included in the set of voters",
    ),
    (
        "broker-only node without its controllers",
        KRAFT,
        &[
            ("KAFKA_INIT_ROLE", "broker"),
            ("KAFKA_INIT_ID_OFFSET", "100"),
        ],
        &[],
        "KAFKA_INIT_CONTROLLER_STATEFULSET",
    ),
    (
        "controller listener on a broker-only node",
        KRAFT,
        &[
            ("KAFKA_INIT_ROLE", "broker"),
            ("KAFKA_INIT_ID_OFFSET", "100"),
            ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"),
            ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
            (
                "KAFKA_CFG_LISTENERS",
                "PLAINTEXT://:9092,CONTROLLER://:9093",
            ),
        ],
        &[],
        "just the broker role",
    ),
    (
        "bad role",
        KRAFT,
        &[("KAFKA_INIT_ROLE", "leader")],
        &[],
        "KAFKA_INIT_ROLE",
    ),
    (
        "role and process.roles disagree",
        KRAFT,
        &[
            ("KAFKA_INIT_ROLE", "broker"),
            ("KAFKA_CFG_PROCESS_ROLES", "controller"),
        ],
        &[],
        "disagree",
    ),
    (
        "zookeeper.connect in KRaft mode",
        KRAFT,
        &[
            ("KAFKA_INIT_MODE", "kraft"),
            ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
        ],
        &[],
        "KAFKA_CFG_ZOOKEEPER_CONNECT",
    ),
    (
        "external base port that overflows",
        KRAFT,
        &[
            ("KAFKA_INIT_EXTERNAL_BASE_PORT", "65535"),
            ("HOST_IP", "10.1.2.3"),
        ],
        &[],
        "KAFKA_INIT_EXTERNAL_BASE_PORT",
    ),
    (
        "external base port whose last broker leaves the NodePort range",
        KRAFT,
        &[
            ("KAFKA_INIT_EXTERNAL_BASE_PORT", "32766"),
            ("HOST_IP", "10.1.2.3"),
        ],
        &[],
        "KAFKA_INIT_EXTERNAL_BASE_PORT",
    ),
    (
        "HOST_IP that is not an address",
        KRAFT,
        &[
            ("KAFKA_INIT_EXTERNAL_BASE_PORT", "31090"),
            ("HOST_IP", "node-1"),
        ],
        &[],
        "HOST_IP",
    ),
    (
        "HOST_IP missing",
        KRAFT,
        &[("KAFKA_INIT_EXTERNAL_BASE_PORT", "31090")],
        &[],
        "HOST_IP",
    ),
    // Every setting is validated, empty values included (they made broken DNS names or no voters).
    (
        "empty Service name",
        SEED_ENV,
        &[("KAFKA_INIT_SERVICE", "")],
        &[],
        "KAFKA_INIT_SERVICE",
    ),
    (
        "empty controller Service name",
        KRAFT,
        &[("KAFKA_INIT_CONTROLLER_SERVICE", "")],
        &[],
        "KAFKA_INIT_CONTROLLER_SERVICE",
    ),
    (
        "empty controller StatefulSet name",
        KRAFT,
        &[
            ("KAFKA_INIT_ROLE", "broker"),
            ("KAFKA_INIT_ID_OFFSET", "100"),
            ("KAFKA_INIT_CONTROLLER_STATEFULSET", ""),
            ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
        ],
        &[],
        "KAFKA_INIT_CONTROLLER_STATEFULSET",
    ),
    (
        "controller StatefulSet name that is not a DNS label",
        KRAFT,
        &[
            ("KAFKA_INIT_ROLE", "broker"),
            ("KAFKA_INIT_ID_OFFSET", "100"),
            ("KAFKA_INIT_CONTROLLER_STATEFULSET", "Bad_Name"),
            ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
        ],
        &[],
        "KAFKA_INIT_CONTROLLER_STATEFULSET",
    ),
    (
        "listener name with a space",
        SEED_ENV,
        &[("KAFKA_LISTENERS", "PLAINTEXT INTERNAL://:39092")],
        &[],
        "may only hold letters, digits",
    ),
    (
        "protocol map name with a line break",
        SEED_ENV,
        &[(
            "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
            "PLAINTEXT_INTERNAL:PLAINTEXT,X\nY:SSL",
        )],
        &[],
        "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
    ),
    (
        "controller listener name with a colon",
        KRAFT,
        &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROL:LER")],
        &[],
        "may only hold letters, digits",
    ),
    (
        "value with a line break that would add a setting",
        SEED_ENV,
        &[("KAFKA_CFG_NUM_PARTITIONS", "3\nbroker.id=7")],
        &[],
        "KAFKA_CFG_NUM_PARTITIONS",
    ),
    (
        "key with a properties separator",
        SEED_ENV,
        &[("KAFKA_CFG_NUM:PARTITIONS", "3")],
        &[],
        "KAFKA_CFG_NUM:PARTITIONS",
    ),
    (
        "unknown log level",
        SEED_ENV,
        &[("KAFKA_INIT_LOG", "verbose")],
        &[],
        "KAFKA_INIT_LOG",
    ),
    (
        "empty log level",
        SEED_ENV,
        &[("KAFKA_INIT_LOG", "")],
        &[],
        "KAFKA_INIT_LOG",
    ),
    (
        "unknown log format",
        SEED_ENV,
        &[("KAFKA_INIT_LOG_FORMAT", "xml")],
        &[],
        "KAFKA_INIT_LOG_FORMAT",
    ),
    // A blank storage format command is found before server.properties is written.
    (
        "blank storage format command",
        KRAFT,
        &[("KAFKA_INIT_FORMAT_COMMAND", " \t ")],
        &[],
        "KAFKA_INIT_FORMAT_COMMAND",
    ),
    (
        "empty storage format command",
        KRAFT,
        &[("KAFKA_INIT_FORMAT_COMMAND", "")],
        &[],
        "KAFKA_INIT_FORMAT_COMMAND",
    ),
    // Issue 12: typos are caught with a suggestion, not ignored.
    (
        "misspelt kafka-init setting",
        SEED_ENV,
        &[("KAFKA_INIT_REPLICA", "3")],
        &[],
        "KAFKA_INIT_REPLICA=\"3\": kafka-init has no setting KAFKA_INIT_REPLICA: it would be ignored silently\n    fix: did you mean KAFKA_INIT_REPLICAS?",
    ),
    (
        "misspelt Kafka key",
        SEED_ENV,
        &[("KAFKA_CFG_LOG_RETENTION_HOUR", "24")],
        &[],
        "did you mean log.retention.hours? if a plugin reads it, add it to KAFKA_INIT_EXTRA_KEYS",
    ),
    (
        "Kafka key removed in the selected version",
        SEED_ENV,
        &[("KAFKA_INIT_KAFKA_VERSION", "4.0.2")],
        &[],
        "log.message.format.version was removed in Kafka 4.0",
    ),
    // Issue 12's differential run: what Kafka refuses at start (false accepts).
    (
        "broker whose only listener is the controller's",
        KRAFT,
        &[("KAFKA_CFG_LISTENERS", "CONTROLLER://:9093")],
        &[],
        "There must be at least one broker advertised listener",
    ),
    (
        "duplicate roles on 3.9",
        KRAFT,
        &[
            ("KAFKA_INIT_KAFKA_VERSION", "3.9.0"),
            ("KAFKA_CFG_PROCESS_ROLES", "broker,controller,controller"),
        ],
        &[],
        "Duplicate role names found in `process.roles`",
    ),
    (
        "empty voter entry",
        KRAFT,
        &[(
            "KAFKA_CFG_CONTROLLER_QUORUM_VOTERS",
            "1@kafka-1.kafka.kafka.svc.cluster.local:9093,",
        )],
        &[],
        "KAFKA_CFG_CONTROLLER_QUORUM_VOTERS",
    ),
    (
        "same data dir written twice",
        SEED_ENV,
        &[("KAFKA_CFG_LOG_DIRS", "$DIR/data,$DIR/./data/")],
        &[],
        "Duplicate log directory found",
    ),
    (
        "empty voters",
        KRAFT,
        &[("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "")],
        &[],
        "either controller.quorum.bootstrap.servers must contain",
    ),
    (
        "bootstrap servers on a controller without voters",
        KRAFT,
        &[(
            "KAFKA_CFG_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS",
            "kafka-0.kafka.kafka.svc.cluster.local:9093",
        )],
        &[],
        "--no-initial-controllers",
    ),
    (
        "inter-broker key on a controller-only node",
        KRAFT,
        &[
            ("KAFKA_INIT_ROLE", "controller"),
            ("KAFKA_INIT_BROKER_REPLICAS", "3"),
            ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "CONTROLLER"),
        ],
        &[],
        "controller-only node",
    ),
    (
        "non-boolean broker.id.generation.enable",
        SEED_ENV,
        &[("KAFKA_CFG_BROKER_ID_GENERATION_ENABLE", "no")],
        &[],
        "Invalid value no for configuration broker.id.generation.enable",
    ),
    (
        "controller bound to 0.0.0.0 on 3.9.0",
        KRAFT,
        &[
            ("KAFKA_INIT_KAFKA_VERSION", "3.9.0"),
            (
                "KAFKA_CFG_LISTENERS",
                "PLAINTEXT://:9092,CONTROLLER://0.0.0.0:9093",
            ),
        ],
        &[],
        "KAFKA-18281",
    ),
    (
        "ZooKeeper chroot ending in /",
        SEED_ENV,
        &[("KAFKA_ZOOKEEPER_CONNECT", "zk-service.zk:32181/kafka/")],
        &[],
        "KAFKA_ZOOKEEPER_CONNECT",
    ),
    (
        "controller listener named twice on a 3.9.2 controller-only node (a broker starts with it)",
        KRAFT,
        &[
            ("KAFKA_INIT_KAFKA_VERSION", "3.9.2"),
            ("KAFKA_INIT_ROLE", "controller"),
            ("KAFKA_INIT_BROKER_REPLICAS", "3"),
            ("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER,CONTROLLER"),
        ],
        &[],
        "names CONTROLLER twice",
    ),
    (
        "malformed extra keys",
        SEED_ENV,
        &[("KAFKA_INIT_EXTRA_KEYS", "a=b")],
        &[],
        "KAFKA_INIT_EXTRA_KEYS",
    ),
];

#[test]
fn every_bad_input_exits_78_names_the_variable_and_changes_nothing() {
    assert!(CASES.len() >= 30);
    for (case, base, set, remove, text) in CASES {
        let mut env = with(base, set, remove);
        env.push(("KAFKA_INIT_CONFIG_DIR", "$DIR/config"));
        env.push(("KAFKA_CFG_LOG_DIRS", "$DIR/data"));
        let env = if set.iter().any(|(k, _)| *k == "KAFKA_CFG_LOG_DIRS") {
            with(&env, set, &[])
        } else {
            env
        };
        let flavors: &[&str] = if set.iter().any(|(k, _)| *k == "KAFKA_INIT_FLAVOR") {
            &["(from env)"]
        } else {
            &["bitnami", "properties"]
        };
        for flavor in flavors {
            let args: &[&str] = if flavor.starts_with('(') {
                &["exec", "--", "$STANDIN"]
            } else {
                &["exec", "--flavor", flavor, "--", "$STANDIN"]
            };
            let r = run(args, &env);
            let e = r.stderr();
            assert_eq!(r.code(), 78, "{case} ({flavor}): {e}");
            assert!(
                e.contains(text),
                "{case} ({flavor}): message lacks {text:?}:\n{e}"
            );
            assert!(e.contains("fix:"), "{case}: no fix in\n{e}");
            assert!(!r.exec_happened(), "{case} ({flavor}): exec'd");
            let left: Vec<_> = std::fs::read_dir(&r.dir.0)
                .unwrap()
                .map(|d| d.unwrap().file_name())
                .collect();
            assert_eq!(
                left,
                ["entrypoint-standin"],
                "{case} ({flavor}): left files behind"
            );
        }
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let env = with(
        SEED_ENV,
        &[
            ("POD_NAMESPACE", "Bad_NS"),
            (
                "KAFKA_LISTENERS",
                "PLAINTEXT_INTERNAL://:39092,PLAINTEXT_INTERNAL://:39093",
            ),
            ("KAFKA_BROKER_ID_COMMAND", "x"),
            ("KAFKA_INIT_REPLICAS", "many"),
        ],
        &[],
    );
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 78);
    let e = r.stderr();
    for var in [
        "POD_NAMESPACE",
        "KAFKA_LISTENERS",
        "KAFKA_BROKER_ID_COMMAND",
        "KAFKA_INIT_REPLICAS",
    ] {
        assert!(e.contains(var), "{var} missing from\n{e}");
    }
    assert!(e.contains("4 configuration problem(s)"), "{e}");
}

/// Issue 24: a variable the mode does not use is still checked (an
/// external host with a line break, a bad external port or cluster id in
/// ZooKeeper mode passed `plan` with exit 0).
#[test]
fn every_variable_kafka_init_reads_is_checked_whenever_set_whatever_the_mode() {
    for var in kafka_init::settings::variables() {
        // Read only when POD_NAME is unset: a fallback the runtime sets.
        if var == "HOSTNAME" {
            continue;
        }
        // Any command is a command; a blank one is not.
        let bad = if var == "KAFKA_INIT_FORMAT_COMMAND" {
            " "
        } else {
            "Bad_Value\nERROR forged"
        };
        for (mode, base) in [("zookeeper", SEED_ENV), ("kraft", KRAFT)] {
            for flavor in ["bitnami", "properties"] {
                let env = with(
                    base,
                    &[
                        ("KAFKA_CFG_LOG_DIRS", "$DIR/data"),
                        ("KAFKA_INIT_CONFIG_DIR", "$DIR/config"),
                    ],
                    &[],
                );
                let env = with(&env, &[(var.as_str(), bad)], &[]);
                // The flag would win over KAFKA_INIT_FLAVOR (which is checked anyway).
                let r = run(&["plan", "--flavor", flavor], &env);
                let e = r.stderr();
                assert_eq!(r.code(), 78, "{var} in {mode} ({flavor}): {e}");
                assert!(e.contains(&format!("{var}=")), "{var} in {mode}: {e}");
                assert!(r.stdout().is_empty(), "{var} in {mode}: a plan was printed");
            }
        }
    }
}

/// Issue 24: `plan` refuses what `prepare` would refuse to own.
#[test]
fn plan_refuses_a_system_directory_as_config_or_data_dir_like_prepare() {
    for flavor in ["bitnami", "properties"] {
        for dir in ["/etc", "/proc", "/proc/1", "/"] {
            let env = with(
                SEED_ENV,
                &[
                    ("KAFKA_CFG_LOG_DIRS", "$DIR/data"),
                    ("KAFKA_INIT_CONFIG_DIR", dir),
                ],
                &[],
            );
            let r = run(&["plan", "--flavor", flavor], &env);
            let e = r.stderr();
            assert_eq!(r.code(), 78, "{dir} ({flavor}): {e}");
            assert!(
                e.contains(&format!("KAFKA_INIT_CONFIG_DIR=\"{dir}\"")),
                "{e}"
            );
            assert!(e.contains("will not chown"), "{e}");
            let env = with(SEED_ENV, &[("KAFKA_CFG_LOG_DIRS", dir)], &[]);
            let r = run(&["plan", "--flavor", flavor], &env);
            assert_eq!(r.code(), 78, "log.dirs {dir} ({flavor}): {}", r.stderr());
            assert!(r.stderr().contains("KAFKA_CFG_LOG_DIRS="), "{}", r.stderr());
        }
    }
}

/// Issue 21 item 7: every message names what the user wrote. (case,
/// arguments, variables, the exact problem lines the user now sees; a
/// `WARN` line is matched from its message on)
type Message<'a> = (
    &'a str,
    &'a [&'a str],
    &'a [(&'a str, &'a str)],
    &'a [&'a str],
);

#[test]
fn every_message_names_what_the_user_wrote() {
    const ZK: &[(&str, &str)] = &[
        ("POD_NAME", "kafka-2"),
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
    ];
    let cases: &[Message] = &[
        (
            "the fix names the alias the user set",
            &["plan"],
            &[
                ("KAFKA_INTER_BROKER_LISTENER_NAME", "EXTERNAL"),
                ("KAFKA_LISTENERS", "INTERNAL://:9092,CLIENT://:9093"),
                ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:PLAINTEXT,CLIENT:PLAINTEXT"),
            ],
            &[
                "kafka-init: 1 configuration problem(s); nothing was started or changed:",
                "  1. KAFKA_INTER_BROKER_LISTENER_NAME=\"EXTERNAL\": requirement failed: inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are INTERNAL,CLIENT",
                "    fix: set KAFKA_INTER_BROKER_LISTENER_NAME to one of INTERNAL, CLIENT",
            ],
        ),
        (
            "one mistake, one problem: a listener with no protocol map",
            &["plan"],
            &[("KAFKA_CFG_LISTENERS", "INTERNAL://:9092")],
            &[
                "kafka-init: 1 configuration problem(s); nothing was started or changed:",
                "  1. KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP=(unset): No security protocol defined for listener INTERNAL (a name that is not a protocol does not say which protocol it uses)",
                "    fix: add INTERNAL:PLAINTEXT (or SSL, SASL_PLAINTEXT, SASL_SSL) to KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
            ],
        ),
        (
            "a port clash caused by KAFKA_INIT_EXTERNAL_PORT is blamed on it",
            &["plan"],
            &[
                ("KAFKA_INIT_EXTERNAL_BASE_PORT", "30092"),
                ("HOST_IP", "10.0.0.1"),
                ("KAFKA_INIT_EXTERNAL_PORT", "9092"),
            ],
            &[
                "kafka-init: 1 configuration problem(s); nothing was started or changed:",
                "  1. KAFKA_INIT_EXTERNAL_PORT=\"9092\": requirement failed: Each listener must have a different port: the EXTERNAL listener kafka-init adds for external access binds port 9092 (KAFKA_INIT_EXTERNAL_PORT, default 9094), and so does listener PLAINTEXT",
                "    fix: set KAFKA_INIT_EXTERNAL_PORT to a port no other listener binds (the node port is KAFKA_INIT_EXTERNAL_BASE_PORT + ordinal either way)",
            ],
        ),
        (
            "its default, when unset, is said to be unset",
            &["plan"],
            &[
                ("KAFKA_INIT_EXTERNAL_BASE_PORT", "30092"),
                ("HOST_IP", "10.0.0.1"),
                ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9094"),
            ],
            &[
                "  1. KAFKA_INIT_EXTERNAL_PORT=(unset): requirement failed: Each listener must have a different port: the EXTERNAL listener kafka-init adds for external access binds port 9094 (KAFKA_INIT_EXTERNAL_PORT, default 9094), and so does listener PLAINTEXT",
            ],
        ),
        (
            "an empty value is shown as empty, not (unset)",
            &["plan"],
            &[("KAFKA_INIT_REPLICAS", "")],
            &["  1. KAFKA_INIT_REPLICAS=\"\": must be a whole number from 1 to 10000"],
        ),
        (
            "a variable like a Kafka setting that the image does not read",
            &["plan"],
            &[("KAFKA_NUM_PARTITION", "3")],
            &["KAFKA_NUM_PARTITION looks like the Kafka key num.partitions, and the bitnami image does not read it: it would be ignored silently var=KAFKA_NUM_PARTITION value=\"3\" fix=set the name the image reads: bitnami KAFKA_CFG_NUM_PARTITIONS, apache KAFKA_NUM_PARTITIONS, properties KAFKA_CFG_NUM_PARTITIONS, confluent KAFKA_NUM_PARTITIONS"],
        ),
        (
            "a Bitnami name in the apache flavor",
            &["plan", "--flavor", "apache"],
            &[
                ("KAFKA_CFG_ZOOKEEPER_CONNECT", ""),
                ("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"),
                ("KAFKA_KRAFT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
            ],
            &[
                "  1. KAFKA_KRAFT_CLUSTER_ID=\"MkU3OEVBNTcwNTJENDM2Qk\": KAFKA_KRAFT_CLUSTER_ID is the Bitnami image's variable for the KRaft cluster id; the apache/kafka image reads CLUSTER_ID, and would take this one for an unknown Kafka key kraft.cluster.id",
                "    fix: set KAFKA_INIT_CLUSTER_ID instead (kafka-init hands it to the image as CLUSTER_ID)",
            ],
        ),
    ];
    for (case, args, set, want) in cases {
        let mut env = with(ZK, set, &[]);
        // A variable set to "" above stands for "remove it" in this table.
        env.retain(|(k, v)| !(v.is_empty() && *k == "KAFKA_CFG_ZOOKEEPER_CONNECT"));
        let r = run(args, &env);
        let e = r.stderr();
        for line in *want {
            assert!(
                e.lines()
                    .any(|l| l == *line || l.ends_with(&format!("WARN {line}"))),
                "{case}: no line\n{line}\nin\n{e}"
            );
        }
    }
    // A service link is told by its value: KAFKA_PORT=39092 is the user's.
    let env = with(
        ZK,
        &[
            ("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"),
            ("KAFKA_PORT", "39092"),
        ],
        &[],
    );
    let env: Vec<_> = env
        .into_iter()
        .filter(|(k, _)| *k != "KAFKA_CFG_ZOOKEEPER_CONNECT")
        .collect();
    let r = run(&["plan", "--flavor", "apache"], &env);
    assert!(!r.stderr().contains("service-link"), "{}", r.stderr());
    let env = with(&env, &[("KAFKA_PORT", "tcp://10.0.0.1:9092")], &[]);
    let r = run(&["plan", "--flavor", "apache"], &env);
    r.assert_stopped(&["KAFKA_PORT=\"tcp://10.0.0.1:9092\": a Kubernetes service-link variable"]);
}
