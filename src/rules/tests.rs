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
        let got = derive(&Inputs::from_pairs(env.iter().copied()), None, None);
        match (want, &got) {
            (None, Ok(_)) => {}
            (Some(text), Err(p)) => assert!(p.to_string().contains(text), "{extra:?}: {p}"),
            _ => panic!("{extra:?}: expected {want:?}, got {got:?}"),
        }
    }
}
