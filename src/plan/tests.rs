//! Derivation table tests: environment in, Plan keys out, through the one
//! entry point commands use.

use super::*;
use crate::environment::Inputs;
use crate::problem::Problems;

/// Derived and checked with Kafka's rules; the properties flavor keeps
/// Bitnami's naming without its image's checks (which refuse, for one, IPv6
/// listener addresses; see `flavor::bitnami::checks`).
fn plan(pairs: &[(&str, &str)]) -> Result<Plan, Problems> {
    crate::cmd::derive_for(
        &Inputs::from_pairs(pairs.iter().copied()),
        Some("properties"),
        None,
    )
}

const ZK: &[(&str, &str)] = &[
    ("POD_NAME", "kafka-1"),
    ("POD_NAMESPACE", "kafka"),
    ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
];
const KRAFT: &[(&str, &str)] = &[
    ("POD_NAME", "kafka-1"),
    ("POD_NAMESPACE", "kafka"),
    ("KAFKA_INIT_REPLICAS", "3"),
    ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
];

#[test]
fn derivation_table() {
    // (base, extra env, key, expected value)
    type Env = &'static [(&'static str, &'static str)];
    let cases: &[(Env, Env, &str, &str)] = &[
        (ZK, &[], "broker.id", "1"),
        (ZK, &[("KAFKA_INIT_ID_OFFSET", "100")], "broker.id", "101"),
        (ZK, &[], "listeners", "PLAINTEXT://:9092"),
        (ZK, &[], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092"),
        (ZK, &[("KAFKA_INIT_SERVICE", "kafka-headless"), ("KAFKA_INIT_CLUSTER_DOMAIN", "k8s.example")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka-headless.kafka.svc.k8s.example:9092"),
        // Map completion: names that say their protocol, longest match first.
        (ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT_INTERNAL://:39092,SASL_SSL_EXTERNAL://:39093"), ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT_INTERNAL")], "listener.security.protocol.map", "PLAINTEXT_INTERNAL:PLAINTEXT,SASL_SSL_EXTERNAL:SASL_SSL"),
        (ZK, &[("KAFKA_CFG_LISTENERS", "INTERNAL://:9001,SSL://:9002"), ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:PLAINTEXT"), ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "INTERNAL")], "listener.security.protocol.map", "INTERNAL:PLAINTEXT,SSL:SSL"),
        // An explicitly advertised listener is kept; one with no host gets the pod's name.
        (ZK, &[("KAFKA_CFG_ADVERTISED_LISTENERS", "PLAINTEXT://broker.example:9092")], "advertised.listeners", "PLAINTEXT://broker.example:9092"),
        (ZK, &[("KAFKA_CFG_ADVERTISED_LISTENERS", "PLAINTEXT://:9092")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092"),
        (ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://[::]:9092")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092"),
        (ZK, &[("KAFKA_INIT_REPLICAS", "1")], "default.replication.factor", "1"),
        (ZK, &[("KAFKA_INIT_REPLICAS", "1")], "min.insync.replicas", "1"),
        (ZK, &[("KAFKA_INIT_REPLICAS", "5")], "default.replication.factor", "3"),
        (ZK, &[("KAFKA_INIT_REPLICAS", "5")], "transaction.state.log.min.isr", "2"),
        (ZK, &[("KAFKA_INIT_REPLICAS", "5"), ("KAFKA_CFG_MIN_INSYNC_REPLICAS", "3")], "min.insync.replicas", "3"),
        (ZK, &[("KAFKA_INIT_EXTERNAL_BASE_PORT", "31090"), ("HOST_IP", "10.1.2.3")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092,EXTERNAL://10.1.2.3:31091"),
        (ZK, &[("KAFKA_INIT_EXTERNAL_BASE_PORT", "31090"), ("HOST_IP", "10.1.2.3")], "inter.broker.listener.name", "PLAINTEXT"),
        (ZK, &[("KAFKA_INIT_EXTERNAL_BASE_PORT", "31090"), ("KAFKA_INIT_EXTERNAL_HOST", "kafka-{ordinal}.example.com")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092,EXTERNAL://kafka-1.example.com:31091"),
        (KRAFT, &[], "node.id", "1"),
        (KRAFT, &[("KAFKA_INIT_ROLE", "controller"), ("KAFKA_INIT_BROKER_REPLICAS", "2")], "default.replication.factor", "2"),
        (KRAFT, &[("KAFKA_INIT_ROLE", "controller"), ("KAFKA_INIT_BROKER_REPLICAS", "2")], "min.insync.replicas", "2"),
        (KRAFT, &[("KAFKA_INIT_BROKER_REPLICAS", "1")], "default.replication.factor", "1"),
        (KRAFT, &[], "process.roles", "broker,controller"),
        (KRAFT, &[], "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"),
        (KRAFT, &[], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092"),
        (KRAFT, &[], "controller.quorum.voters", "0@kafka-0.kafka.kafka.svc.cluster.local:9093,1@kafka-1.kafka.kafka.svc.cluster.local:9093,2@kafka-2.kafka.kafka.svc.cluster.local:9093"),
        (KRAFT, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092")], "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"),
        (KRAFT, &[("KAFKA_INIT_ROLE", "controller"), ("KAFKA_INIT_BROKER_REPLICAS", "3"), ("KAFKA_INIT_CONTROLLER_PORT", "19093")], "listeners", "CONTROLLER://:19093"),
        (KRAFT, &[("KAFKA_INIT_ROLE", "broker"), ("KAFKA_INIT_ID_OFFSET", "100"), ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"), ("KAFKA_INIT_CONTROLLER_REPLICAS", "3")], "controller.quorum.voters", "0@kafka-controller-0.kafka-controller.kafka.svc.cluster.local:9093,1@kafka-controller-1.kafka-controller.kafka.svc.cluster.local:9093,2@kafka-controller-2.kafka-controller.kafka.svc.cluster.local:9093"),
        (KRAFT, &[("KAFKA_INIT_ROLE", "broker"), ("KAFKA_INIT_ID_OFFSET", "100"), ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"), ("KAFKA_INIT_CONTROLLER_REPLICAS", "3")], "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        (KRAFT, &[("KAFKA_INIT_ROLE", "broker"), ("KAFKA_INIT_ID_OFFSET", "100"), ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"), ("KAFKA_INIT_CONTROLLER_REPLICAS", "3")], "node.id", "101"),
    ];
    for (base, extra, key, want) in cases {
        let mut env: Vec<(&str, &str)> = base.to_vec();
        env.extend_from_slice(extra);
        let p = plan(&env).unwrap_or_else(|e| panic!("{extra:?}: {e}"));
        assert_eq!(p.get(key), Some(*want), "{extra:?} {key}");
    }
}

#[test]
fn controller_only_nodes_advertise_nothing_and_probe_their_controller_listener() {
    let mut env = KRAFT.to_vec();
    env.extend([
        ("KAFKA_INIT_ROLE", "controller"),
        ("KAFKA_INIT_BROKER_REPLICAS", "3"),
    ]);
    let p = plan(&env).unwrap();
    assert_eq!(p.get("advertised.listeners"), None);
    assert_eq!(p.get("inter.broker.listener.name"), None);
    assert_eq!(
        p.probe.as_ref().map(|t| (t.listener.as_str(), t.port)),
        Some(("CONTROLLER", 9093))
    );
}

#[test]
fn probe_prefers_the_inter_broker_listener_and_falls_back_to_plaintext() {
    let mut env = ZK.to_vec();
    env.extend([
        (
            "KAFKA_CFG_LISTENERS",
            "SSL://:9093,PLAINTEXT_LOCAL://127.0.0.1:9092",
        ),
        ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "SSL"),
    ]);
    let p = plan(&env).unwrap();
    let t = p.probe.unwrap();
    assert_eq!(
        (t.listener.as_str(), t.host.as_str(), t.port),
        ("PLAINTEXT_LOCAL", "127.0.0.1", 9092)
    );
    let mut env = ZK.to_vec();
    env.push(("KAFKA_CFG_LISTENERS", "SSL://:9093"));
    let p = plan(&env).unwrap();
    assert!(p.probe.is_none());
    assert!(p.why_no_probe.unwrap().contains("PLAINTEXT"));
}

#[test]
fn user_settings_win_and_are_kept_in_the_plan() {
    let mut env = ZK.to_vec();
    env.extend([
        ("KAFKA_CFG_NUM_PARTITIONS", "6"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_CFG_DEFAULT_REPLICATION_FACTOR", "2"),
    ]);
    let p = plan(&env).unwrap();
    assert_eq!(p.get("num.partitions"), Some("6"));
    assert_eq!(p.get("default.replication.factor"), Some("2"));
    let e = p
        .entries
        .iter()
        .find(|e| e.key == "default.replication.factor")
        .unwrap();
    assert_eq!(
        e.origin,
        Origin::User("KAFKA_CFG_DEFAULT_REPLICATION_FACTOR".into())
    );
}

#[test]
fn every_setting_is_validated_empty_values_included() {
    // (base, extra env, a variable the problems must name)
    type Env = &'static [(&'static str, &'static str)];
    let cases: &[(Env, Env, &str)] = &[
        (ZK, &[("KAFKA_INIT_SERVICE", "")], "KAFKA_INIT_SERVICE"),
        (
            ZK,
            &[("KAFKA_INIT_SERVICE", "Kafka_Headless")],
            "KAFKA_INIT_SERVICE",
        ),
        (
            KRAFT,
            &[("KAFKA_INIT_CONTROLLER_SERVICE", "")],
            "KAFKA_INIT_CONTROLLER_SERVICE",
        ),
        (
            KRAFT,
            &[("KAFKA_INIT_CONTROLLER_STATEFULSET", "")],
            "KAFKA_INIT_CONTROLLER_STATEFULSET",
        ),
        (
            KRAFT,
            &[
                ("KAFKA_INIT_ROLE", "broker"),
                ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
                ("KAFKA_INIT_ID_OFFSET", "100"),
                ("KAFKA_INIT_CONTROLLER_STATEFULSET", "Bad_Name"),
            ],
            "KAFKA_INIT_CONTROLLER_STATEFULSET",
        ),
        // Checked where set, even when this mode or flavor does not use them.
        (
            ZK,
            &[("KAFKA_INIT_CONTROLLER_STATEFULSET", "")],
            "KAFKA_INIT_CONTROLLER_STATEFULSET",
        ),
        (
            ZK,
            &[("KAFKA_INIT_CONFIG_DIR", "")],
            "KAFKA_INIT_CONFIG_DIR",
        ),
        (ZK, &[("KAFKA_INIT_LOG", "")], "KAFKA_INIT_LOG"),
        (
            KRAFT,
            &[("KAFKA_INIT_FORMAT_COMMAND", "   ")],
            "KAFKA_INIT_FORMAT_COMMAND",
        ),
        (
            ZK,
            &[("KAFKA_INIT_FORMAT_COMMAND", "")],
            "KAFKA_INIT_FORMAT_COMMAND",
        ),
        (
            ZK,
            &[("KAFKA_INIT_LOG_FORMAT", "yaml")],
            "KAFKA_INIT_LOG_FORMAT",
        ),
        (
            ZK,
            &[("KAFKA_CFG_LISTENERS", "PLAIN TEXT://:9092")],
            "KAFKA_CFG_LISTENERS",
        ),
        (
            ZK,
            &[("KAFKA_CFG_ADVERTISED_LISTENERS", "A=B://h:9092")],
            "KAFKA_CFG_ADVERTISED_LISTENERS",
        ),
        (
            KRAFT,
            &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CTRL\tX")],
            "KAFKA_CFG_CONTROLLER_LISTENER_NAMES",
        ),
        (
            ZK,
            &[("KAFKA_CFG_NUM_PARTITIONS", "3\rx")],
            "KAFKA_CFG_NUM_PARTITIONS",
        ),
        (ZK, &[("KAFKA_CFG_A\u{c}B", "1")], "KAFKA_CFG_A\u{c}B"),
        (ZK, &[("KAFKA_CFG_A B", "1")], "KAFKA_CFG_A B"),
    ];
    for (base, extra, var) in cases {
        let mut env: Vec<(&str, &str)> = base.to_vec();
        env.extend_from_slice(extra);
        let problems = match plan(&env) {
            Ok(_) => panic!("{extra:?}: no problem"),
            Err(p) => p.0,
        };
        assert!(
            problems.iter().any(|p| p.var == *var),
            "{extra:?}: {problems:?}"
        );
    }
}

#[test]
fn a_value_that_is_a_secret_is_redacted_in_the_line_break_problem() {
    let mut env = ZK.to_vec();
    env.push(("KAFKA_CFG_SSL_KEYSTORE_PASSWORD", "hunter2\nx"));
    let p = plan(&env).unwrap_err().to_string();
    assert!(
        p.contains("KAFKA_CFG_SSL_KEYSTORE_PASSWORD") && !p.contains("hunter2"),
        "{p}"
    );
}

#[test]
fn external_node_ports_stay_in_the_node_port_range_up_to_the_last_broker() {
    // (pod, replicas, base): Some(rule and fix words) for a problem, None for none.
    #[allow(clippy::type_complexity)]
    let cases: &[(&str, Option<&str>, &str, Option<(&str, &str)>)] = &[
        ("kafka-1", Some("3"), "31090", None),
        ("kafka-0", Some("3"), "32765", None),
        // The case: three brokers from 32766, kafka-2 would get 32768.
        ("kafka-0", Some("3"), "32766", Some(("with KAFKA_INIT_REPLICAS=3 the last broker (kafka-2) would advertise 32768, outside the NodePort range 30000-32767", "at most 32765"))),
        ("kafka-2", Some("3"), "32767", Some(("(kafka-2) would advertise 32769", "at most 32765"))),
        // Without KAFKA_INIT_REPLICAS, this pod's own port decides.
        ("kafka-0", None, "32767", None),
        ("kafka-1", None, "32767", Some(("this broker (kafka-1) would advertise 32768", "at most 32766"))),
        // A pod beyond KAFKA_INIT_REPLICAS (a scale-up) counts itself.
        ("kafka-4", Some("3"), "32765", Some(("this broker (kafka-4) would advertise 32769", "at most 32763"))),
        // Outside the range: no node port, not this rule's business.
        ("kafka-2", Some("3"), "9094", None),
        ("kafka-2", Some("3"), "40000", None),
    ];
    for (pod, replicas, base, want) in cases {
        let mut env: Vec<(&str, &str)> = vec![
            ("POD_NAME", pod),
            ("POD_NAMESPACE", "kafka"),
            ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
            ("HOST_IP", "10.1.2.3"),
            ("KAFKA_INIT_EXTERNAL_BASE_PORT", base),
        ];
        if let Some(n) = replicas {
            env.push(("KAFKA_INIT_REPLICAS", n));
        }
        let found: Vec<_> = match plan(&env) {
            Ok(_) => Vec::new(),
            Err(Problems(ps)) => ps
                .into_iter()
                .filter(|p| p.var == "KAFKA_INIT_EXTERNAL_BASE_PORT")
                .collect(),
        };
        match want {
            None => assert!(found.is_empty(), "{pod} {replicas:?} {base}: {found:?}"),
            Some((rule, fix)) => {
                assert_eq!(found.len(), 1, "{pod} {replicas:?} {base}: {found:?}");
                assert_eq!(found[0].value, *base);
                assert!(found[0].rule.contains(rule), "{}", found[0].rule);
                assert!(found[0].fix.contains(fix), "{}", found[0].fix);
            }
        }
    }
}

#[test]
fn a_kafka_version_setting_that_disagrees_with_the_image_is_a_problem() {
    // (KAFKA_INIT_KAFKA_VERSION, the image's APP_VERSION, a problem?)
    let cases: &[(&str, Option<&str>, bool)] = &[
        ("3.9.0", Some("3.9.0"), false),
        (" 3.9.0 ", Some("3.9.0"), false),
        // The initContainer: kafka-init's own image states no version.
        ("3.9.0", None, false),
        // The tag moved to 3.9.2 and the setting stayed.
        ("3.9.0", Some("3.9.2"), true),
    ];
    for (setting, image, problem) in cases {
        let mut env = ZK.to_vec();
        env.push(("KAFKA_INIT_KAFKA_VERSION", setting));
        if let Some(v) = image {
            env.push(("APP_VERSION", v));
        }
        let found: Vec<_> = match plan(&env) {
            Ok(_) => Vec::new(),
            Err(Problems(ps)) => ps
                .into_iter()
                .filter(|p| p.var == "KAFKA_INIT_KAFKA_VERSION")
                .collect(),
        };
        assert_eq!(
            !found.is_empty(),
            *problem,
            "{setting} {image:?}: {found:?}"
        );
        if *problem {
            assert_eq!(
                found[0].rule,
                "the image runs Kafka 3.9.2 (APP_VERSION, set by bitnami/kafka); kafka-init would check the settings against Kafka 3.9.0's rules"
            );
            assert!(found[0]
                .fix
                .starts_with("set KAFKA_INIT_KAFKA_VERSION to 3.9.2"));
        }
    }
}
