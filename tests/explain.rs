//! `kafka-init explain`, run as a process: what the catalog says about a
//! key for the selected Kafka version, and exit 78 for keys Kafka ignores.

mod util;

use util::run;

#[test]
fn explain_prints_type_default_validator_dynamism_versions_and_variables() {
    let r = run(&["explain", "num.io.threads"], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = r.stdout();
    for want in [
        "num.io.threads: Kafka 4.4.0 (the default",
        "type:       INT",
        "default:    8",
        "valid:      an INT: [1,...]",
        "dynamic:    cluster-wide",
        "versions:   3.9.0 3.9.2 4.0.2 4.1.2 4.4.0",
        "KAFKA_CFG_NUM_IO_THREADS",
        "apache: KAFKA_NUM_IO_THREADS",
    ] {
        assert!(out.contains(want), "{want}:\n{out}");
    }
}

#[test]
fn explain_uses_the_setting_over_the_images_app_version() {
    let r = run(
        &["explain", "zookeeper.connect"],
        &[("APP_VERSION", "3.9.0")],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stdout()
            .contains("Kafka 3.9.0 (APP_VERSION, set by bitnami/kafka)"),
        "{}",
        r.stdout()
    );
    assert!(
        r.stdout().contains("removed in Kafka 4.0"),
        "{}",
        r.stdout()
    );

    let r = run(
        &["explain", "zookeeper.connect"],
        &[
            ("APP_VERSION", "3.9.0"),
            ("KAFKA_INIT_KAFKA_VERSION", "4.0.2"),
        ],
    );
    assert_eq!(r.code(), 78, "{}", r.stdout());
    assert!(
        r.stderr()
            .contains("zookeeper.connect was removed in Kafka 4.0 (last in 3.9.2)"),
        "{}",
        r.stderr()
    );
    assert!(r.stderr().contains("KRaft"), "{}", r.stderr());
    assert!(r.stdout().is_empty());
}

#[test]
fn explain_of_a_typo_exits_78_with_the_nearest_keys() {
    let r = run(&["explain", "log.retention.hour"], &[]);
    assert_eq!(r.code(), 78);
    assert!(
        r.stderr().contains("did you mean log.retention.hours?"),
        "{}",
        r.stderr()
    );
    assert!(
        r.stderr().contains("KAFKA_INIT_EXTRA_KEYS"),
        "{}",
        r.stderr()
    );
    assert!(r.stdout().is_empty());
}

#[test]
fn explain_without_a_key_lists_the_documented_keys_of_the_version() {
    let r = run(&["explain", "--kafka-version", "4.0.2"], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = r.stdout();
    assert!(
        out.starts_with("# Kafka 4.0.2 (KAFKA_INIT_KAFKA_VERSION)\n"),
        "{out}"
    );
    assert!(
        out.contains("\nprocess.roles\tLIST\t(none: required)\n"),
        "{out}"
    );
    assert!(!out.contains("zookeeper.connect"));
}

#[test]
fn explain_refuses_a_version_that_is_not_one() {
    let r = run(
        &["explain", "log.dirs"],
        &[("KAFKA_INIT_KAFKA_VERSION", "latest")],
    );
    assert_eq!(r.code(), 78);
    assert!(
        r.stderr()
            .contains("KAFKA_INIT_KAFKA_VERSION=\"latest\": not a Kafka version"),
        "{}",
        r.stderr()
    );
}

#[test]
fn explain_marks_a_per_listener_password_as_a_secret() {
    let r = run(&["explain", "listener.name.internal.ssl.key.password"], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stdout().contains("secret:     yes"), "{}", r.stdout());
}
