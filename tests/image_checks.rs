//! The images' own start-up checks through the binary: settings kafka-init
//! accepts by Kafka's rules but the image's scripts refuse stop `exec` with
//! 78 before anything is exec'd, named with the image's own wording.

mod util;

use util::{run, with, SEED_ENV};

type Env<'a> = &'a [(&'a str, &'a str)];

#[test]
fn bitnami_refusals_stop_exec_before_the_entrypoint_runs() {
    let cases: &[(Env, &[&str])] = &[
        (
            &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:443")],
            &[
                "KAFKA_LISTENERS",
                "An invalid port 443 was specified",
                "privileged port requested",
            ],
        ),
        (
            &[(
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT_INTERNAL:SASL_PLAINTEXT",
            )],
            &[
                "KAFKA_CFG_SASL_MECHANISM_INTER_BROKER_PROTOCOL",
                "SASL for inter broker comunication",
            ],
        ),
        (
            &[
                ("KAFKA_CLIENT_USERS", "alice,bob"),
                ("KAFKA_CLIENT_PASSWORDS", "secret1"),
            ],
            &[
                "KAFKA_CLIENT_USERS / KAFKA_CLIENT_PASSWORDS",
                "2 user(s) / 1 password(s)",
            ],
        ),
    ];
    for (extra, texts) in cases {
        let env = with(SEED_ENV, extra, &[]);
        let r = run(&["exec", "--", "$STANDIN"], &env);
        r.assert_stopped(texts);
        assert!(!r.stderr().contains("secret1"), "{}", r.stderr());
    }
}

#[test]
fn the_same_settings_pass_under_a_flavor_whose_image_does_not_check_them() {
    let env = with(SEED_ENV, &[("KAFKA_CLIENT_USERS", "alice,bob")], &[]);
    let r = run(&["plan", "--flavor", "properties"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let r = run(&["plan"], &env);
    assert_eq!(r.code(), 78, "{}", r.stderr());
}

#[test]
fn an_apache_controller_with_advertised_listeners_stops_exec() {
    let env = [
        ("POD_NAME", "kafka-controller-0"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_ROLE", "controller"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_BROKER_REPLICAS", "3"),
        ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
        ("KAFKA_ADVERTISED_LISTENERS", "CONTROLLER://c:9093"),
    ];
    let r = run(&["exec", "--flavor", "apache", "--", "$STANDIN"], &env);
    let e = r.stderr();
    assert_eq!(r.code(), 78, "{e}");
    assert!(!r.exec_happened());
    assert!(
        e.contains("KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller"),
        "{e}"
    );
}

#[test]
fn what_only_kafka_refuses_is_not_said_to_be_refused_by_the_bitnami_image() {
    let cases: &[(Env, &str)] = &[
        (
            &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:39o92")],
            "  1. KAFKA_LISTENERS=\"PLAINTEXT_INTERNAL://:39o92\": Error creating broker listeners from 'PLAINTEXT_INTERNAL://:39o92': Unable to parse PLAINTEXT_INTERNAL://:39o92 to a broker endpoint (the port must be a decimal number)",
        ),
        (
            &[(
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT_INTERNAL:PLAIN",
            )],
            "  1. KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP=\"PLAINTEXT_INTERNAL:PLAIN\": Invalid security protocol `PLAIN` defined in listener.security.protocol.map",
        ),
    ];
    for (extra, line) in cases {
        let env = with(SEED_ENV, extra, &[]);
        let r = run(&["exec", "--", "$STANDIN"], &env);
        r.assert_stopped(&["1 configuration problem(s)", line]);
        assert!(!r.stderr().contains("Bitnami"), "{}", r.stderr());
    }
}

#[test]
fn a_lower_case_tls_type_is_accepted_as_the_image_accepts_it() {
    for value in ["jks", "pem", "Jks"] {
        let env = with(SEED_ENV, &[("KAFKA_TLS_TYPE", value)], &[]);
        let r = run(&["exec", "--", "$STANDIN"], &env);
        assert_eq!(r.code(), 0, "{value}: {}", r.stderr());
        assert_eq!(r.env()["KAFKA_TLS_TYPE"], value);
    }
}
