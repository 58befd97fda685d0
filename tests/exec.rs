//! `kafka-init exec` run as a process: what reaches the exec'd program, and
//! the seed deployment's failures 1-4 prevented before any JVM starts.

mod util;

use std::collections::BTreeMap;

use util::{run, with, SEED_ENV};

#[test]
fn seed_env_execs_the_entrypoint_with_exactly_the_derived_settings_added() {
    let r = run(
        &[
            "exec",
            "--",
            "$STANDIN",
            "/opt/bitnami/scripts/kafka/run.sh",
        ],
        SEED_ENV,
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(r.argv(), ["/opt/bitnami/scripts/kafka/run.sh"]);
    let mut want: BTreeMap<String, String> = SEED_ENV
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    want.insert("PATH".into(), "/usr/bin:/bin".into());
    for (k, v) in [
        (
            "KAFKA_CFG_ADVERTISED_LISTENERS",
            "PLAINTEXT_INTERNAL://kafka-2.kafka.kafka.svc.cluster.local:39092",
        ),
        ("KAFKA_CFG_BROKER_ID", "2"),
        ("KAFKA_CFG_LOG_DIRS", "/bitnami/kafka/data"),
    ] {
        want.insert(k.into(), v.into());
    }
    assert_eq!(r.env(), want);
}

#[test]
fn exec_replaces_the_process_without_a_shell_in_between() {
    // Seed failure 3 (`source: not found` under dash) came from a wrapper shell.
    let dir = util::TempDir::new("pid");
    let s = util::standin(&dir.0);
    let child = std::process::Command::new(util::bin())
        .args(["exec", "--", s.to_str().unwrap(), "a b", "c"])
        .env_clear()
        .envs(SEED_ENV.iter().copied())
        .env("PATH", "/usr/bin:/bin")
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let recorded: u32 = std::fs::read_to_string(dir.0.join("pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        recorded, pid,
        "the entrypoint runs as kafka-init's own process"
    );
    assert_eq!(
        std::fs::read_to_string(dir.0.join("argv")).unwrap(),
        "a b\nc\n"
    );
}

#[test]
fn seed_failure_1_missing_protocol_map_is_derived() {
    let env = with(SEED_ENV, &[], &["KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP"]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.env()["KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP"],
        "PLAINTEXT_INTERNAL:PLAINTEXT"
    );
}

#[test]
fn seed_failure_1_unmappable_listener_stops_before_exec() {
    let env = with(
        SEED_ENV,
        &[
            ("KAFKA_LISTENERS", "INTERNAL://:39092"),
            ("KAFKA_INTER_BROKER_LISTENER_NAME", "INTERNAL"),
        ],
        &["KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP"],
    );
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&[
        "No security protocol defined for listener INTERNAL",
        "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
    ]);
}

#[test]
fn seed_failure_2_duplicate_listener_names_stop_before_exec() {
    let env = with(
        SEED_ENV,
        &[(
            "KAFKA_LISTENERS",
            "PLAINTEXT_INTERNAL://:39092,PLAINTEXT_INTERNAL://:39093",
        )],
        &[],
    );
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&[
        "KAFKA_LISTENERS",
        "Each listener must have a different name",
    ]);
}

#[test]
fn seed_failure_4_inter_broker_listener_not_advertised_stops_before_exec() {
    let env = with(
        SEED_ENV,
        &[
            (
                "KAFKA_ADVERTISED_LISTENERS",
                "PLAINTEXT_INTERNAL://kafka-2.kafka:39092",
            ),
            ("KAFKA_INTER_BROKER_LISTENER_NAME", "INTERNAL"),
        ],
        &[],
    );
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&[
        "KAFKA_INTER_BROKER_LISTENER_NAME",
        "must be a listener name defined in advertised.listeners",
    ]);
}

#[test]
fn seed_failure_4_inter_broker_listener_is_derived_when_unset() {
    let env = with(SEED_ENV, &[], &["KAFKA_INTER_BROKER_LISTENER_NAME"]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.env()["KAFKA_CFG_INTER_BROKER_LISTENER_NAME"],
        "PLAINTEXT_INTERNAL"
    );
}

#[test]
fn the_seeds_broker_id_command_is_reported() {
    let env = with(
        SEED_ENV,
        &[("KAFKA_BROKER_ID_COMMAND", "cat /tmp/broker_id")],
        &[],
    );
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&["KAFKA_BROKER_ID_COMMAND"]);
}

#[test]
fn an_alias_that_the_image_lets_win_is_overridden_too() {
    // Bitnami copies KAFKA_ADVERTISED_LISTENERS over KAFKA_CFG_ADVERTISED_LISTENERS, so a
    // completed value must replace the alias as well, or the image would undo it.
    let env = with(
        SEED_ENV,
        &[("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT_INTERNAL://:39092")],
        &[],
    );
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let want = "PLAINTEXT_INTERNAL://kafka-2.kafka.kafka.svc.cluster.local:39092";
    assert_eq!(r.env()["KAFKA_ADVERTISED_LISTENERS"], want);
    assert_eq!(r.env()["KAFKA_CFG_ADVERTISED_LISTENERS"], want);
}

#[test]
fn default_command_is_the_bitnami_entrypoint() {
    let r = run(&["exec"], SEED_ENV);
    // Not in this test's filesystem: a shell's "not found".
    assert_eq!(r.code(), 127);
    assert!(
        r.stderr()
            .contains("/opt/bitnami/scripts/kafka/entrypoint.sh"),
        "{}",
        r.stderr()
    );
}

#[test]
fn properties_flavor_writes_server_properties_outside_the_data_dir_and_appends_its_path() {
    let env = with(
        SEED_ENV,
        &[
            ("KAFKA_CFG_LOG_DIRS", "$DIR/data"),
            ("KAFKA_INIT_REPLICAS", "3"),
        ],
        &[],
    );
    let r = run(
        &["exec", "--flavor", "properties", "--", "$STANDIN", "start"],
        &env,
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let config = r.dir.0.join("config/server.properties");
    assert_eq!(
        r.argv(),
        ["start".to_string(), config.display().to_string()]
    );
    let text = std::fs::read_to_string(&config).unwrap();
    for line in [
        "broker.id=2",
        "advertised.listeners=PLAINTEXT_INTERNAL://kafka-2.kafka.kafka.svc.cluster.local:39092",
        "zookeeper.connect=zk-service.zk:32181",
        "default.replication.factor=3",
        "min.insync.replicas=2",
        "log.message.format.version=3.9",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "{line} missing from\n{text}"
        );
    }
    assert!(
        !r.env().contains_key("KAFKA_CFG_BROKER_ID"),
        "the properties flavor passes settings in the file"
    );
}

#[test]
fn apache_flavor_uses_the_apache_naming_and_drops_kafka_init_settings() {
    let env = [
        ("POD_NAME", "kafka-1"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_FLAVOR", "apache"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
    ];
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let e = r.env();
    assert_eq!(e["KAFKA_NODE_ID"], "1");
    assert_eq!(e["KAFKA_PROCESS_ROLES"], "broker,controller");
    assert_eq!(e["CLUSTER_ID"], "MkU3OEVBNTcwNTJENDM2Qk");
    assert_eq!(e["KAFKA_CONTROLLER_QUORUM_VOTERS"], "0@kafka-0.kafka.kafka.svc.cluster.local:9093,1@kafka-1.kafka.kafka.svc.cluster.local:9093,2@kafka-2.kafka.kafka.svc.cluster.local:9093");
    assert_eq!(
        e["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"],
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    );
    assert!(!e.keys().any(|k| k.starts_with("KAFKA_INIT_")), "{e:?}");
}

#[test]
fn plan_works_on_a_laptop_with_only_the_readme_example() {
    let r = run(
        &["plan"],
        &[
            ("POD_NAME", "kafka-1"),
            ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk-service.zk:32181"),
        ],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.stdout(),
        "# keys checked against Kafka 3.9.2 (the default in ZooKeeper mode, which 4.x cannot run; set KAFKA_INIT_KAFKA_VERSION to change it)\n\
         KAFKA_CFG_ADVERTISED_LISTENERS=PLAINTEXT://kafka-1.kafka.default.svc.cluster.local:9092\n\
         KAFKA_CFG_BROKER_ID=1\n\
         KAFKA_CFG_INTER_BROKER_LISTENER_NAME=PLAINTEXT\n\
         KAFKA_CFG_LISTENERS=PLAINTEXT://:9092\n\
         KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT:PLAINTEXT\n\
         KAFKA_CFG_LOG_DIRS=/bitnami/kafka/data\n"
    );
}

#[test]
fn plan_pod_flag_and_formats() {
    let r = run(
        &["plan", "--pod", "kafka-7", "--format", "properties"],
        SEED_ENV,
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stdout().lines().any(|l| l == "broker.id=7"),
        "{}",
        r.stdout()
    );
    let r = run(&["plan", "--format", "json"], SEED_ENV);
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(v["id"], 2);
    assert_eq!(
        v["config"]["advertised.listeners"],
        "PLAINTEXT_INTERNAL://kafka-2.kafka.kafka.svc.cluster.local:39092"
    );
}

#[test]
fn secrets_are_never_printed() {
    let env = with(
        SEED_ENV,
        &[
            ("KAFKA_CFG_SSL_KEYSTORE_PASSWORD", "hunter2"),
            ("KAFKA_CFG_SASL_JAAS_CONFIG", "user=secretvalue"),
        ],
        &[],
    );
    for format in ["env", "properties", "json"] {
        let r = run(&["plan", "--format", format], &env);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        assert!(
            !r.stdout().contains("hunter2") && !r.stdout().contains("secretvalue"),
            "{format}: {}",
            r.stdout()
        );
    }
    let env = with(&env, &[("KAFKA_INIT_LOG", "debug")], &[]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert!(
        !r.stderr().contains("hunter2") && !r.stderr().contains("secretvalue"),
        "{}",
        r.stderr()
    );
    assert_eq!(
        r.env()["KAFKA_CFG_SSL_KEYSTORE_PASSWORD"],
        "hunter2",
        "the exec'd program still gets it"
    );
}

#[test]
fn json_logs_carry_the_summary_as_fields() {
    let env = with(SEED_ENV, &[("KAFKA_INIT_LOG_FORMAT", "json")], &[]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    let line = r
        .stderr()
        .lines()
        .find(|l| l.contains("plan derived"))
        .map(str::to_string)
        .expect("summary line");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["id"], 2);
    assert_eq!(v["pod"], "kafka-2");
}

#[test]
fn usage_errors_exit_64() {
    let r = run(&["plan", "--format", "yaml"], SEED_ENV);
    assert_eq!(r.code(), 64);
    let r = run(&["nonsense"], SEED_ENV);
    assert_eq!(r.code(), 64);
}

#[test]
fn a_secret_shaped_like_a_service_link_is_reported_without_its_value() {
    let env = with(
        SEED_ENV,
        &[("KAFKA_CFG_SSL_KEYSTORE_PASSWORD", "tcp://hunter2:1")],
        &[],
    );
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&[
        "KAFKA_CFG_SSL_KEYSTORE_PASSWORD",
        "service-link",
        "<redacted>",
    ]);
    assert!(!r.stderr().contains("hunter2"), "{}", r.stderr());
    let json = with(&env, &[("KAFKA_INIT_LOG_FORMAT", "json")], &[]);
    let r = run(&["exec", "--", "$STANDIN"], &json);
    r.assert_stopped(&["KAFKA_CFG_SSL_KEYSTORE_PASSWORD"]);
    assert!(!r.stderr().contains("hunter2"), "{}", r.stderr());
}

#[test]
fn the_summary_line_redacts_secret_arguments_and_no_argument_forges_a_log_line() {
    let args = [
        "exec",
        "--",
        "$STANDIN",
        "-Djavax.net.ssl.keyStorePassword=hunter2",
        "--password",
        "swordfish",
        "x\nERROR forged line",
    ];
    for format in ["text", "json"] {
        let env = with(SEED_ENV, &[("KAFKA_INIT_LOG_FORMAT", format)], &[]);
        let r = run(&args, &env);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        let e = r.stderr();
        assert!(
            !e.contains("hunter2") && !e.contains("swordfish"),
            "{format}: {e}"
        );
        assert!(e.contains("keyStorePassword=<redacted>"), "{format}: {e}");
        assert!(
            !e.lines().any(|l| l.starts_with("ERROR forged")),
            "{format}: {e}"
        );
        // One summary line; the others are the catalog's warnings (the
        // seed's deprecated keys), and every line is a log record of its own.
        let summaries = e.lines().filter(|l| l.contains("starting Kafka")).count();
        assert_eq!(summaries, 1, "{format}: one summary line: {e}");
        assert!(
            e.lines().all(|l| l.starts_with("20") || l.starts_with('{')),
            "{format}: a line that is no log record: {e}"
        );
        assert_eq!(
            r.argv(),
            [
                "-Djavax.net.ssl.keyStorePassword=hunter2",
                "--password",
                "swordfish",
                "x",
                "ERROR forged line"
            ],
            "the program gets its arguments untouched (the stand-in writes one per line)"
        );
    }
}
