//! The confluent flavor (confluentinc/cp-kafka) run as a process: the exact
//! environment the image's `/etc/confluent/docker/run` is exec'd with, for a
//! ZooKeeper pod and a KRaft pod.

mod util;

use std::collections::BTreeMap;

use util::run;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_zookeeper_pod_gets_the_keys_configure_requires_in_the_images_naming() {
    let env = [
        ("POD_NAME", "kafka-2"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_FLAVOR", "confluent"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_ZOOKEEPER_CONNECT", "zk-service.zk:32181"),
        ("KAFKA_HEAP_OPTS", "-Xmx1g"),
    ];
    let r = run(
        &["exec", "--", "$STANDIN", "/etc/confluent/docker/run"],
        &env,
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(r.argv(), ["/etc/confluent/docker/run"]);
    let want = map(&[
        ("PATH", "/usr/bin:/bin"),
        ("POD_NAME", "kafka-2"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_ZOOKEEPER_CONNECT", "zk-service.zk:32181"),
        ("KAFKA_HEAP_OPTS", "-Xmx1g"),
        ("KAFKA_BROKER_ID", "2"),
        ("KAFKA_LISTENERS", "PLAINTEXT://:9092"),
        (
            "KAFKA_ADVERTISED_LISTENERS",
            "PLAINTEXT://kafka-2.kafka.kafka.svc.cluster.local:9092",
        ),
        (
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
            "PLAINTEXT:PLAINTEXT",
        ),
        ("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
        ("KAFKA_LOG_DIRS", "/var/lib/kafka/data"),
        ("KAFKA_DEFAULT_REPLICATION_FACTOR", "3"),
        ("KAFKA_MIN_INSYNC_REPLICAS", "2"),
        ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3"),
        ("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3"),
        ("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2"),
    ]);
    assert_eq!(
        r.env(),
        want,
        "KAFKA_INIT_* removed: the image would make init.* properties of them"
    );
}

#[test]
fn a_kraft_pod_gets_roles_voters_and_the_cluster_id_the_image_formats_with() {
    let env = [
        ("POD_NAME", "kafka-1"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_FLAVOR", "confluent"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
    ];
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let want = map(&[
        ("PATH", "/usr/bin:/bin"),
        ("POD_NAME", "kafka-1"),
        ("POD_NAMESPACE", "kafka"),
        ("CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
        ("KAFKA_NODE_ID", "1"),
        ("KAFKA_PROCESS_ROLES", "broker,controller"),
        ("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093"),
        (
            "KAFKA_ADVERTISED_LISTENERS",
            "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092",
        ),
        (
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
            "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        ),
        ("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
        ("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER"),
        (
            "KAFKA_CONTROLLER_QUORUM_VOTERS",
            "0@kafka-0.kafka.kafka.svc.cluster.local:9093,1@kafka-1.kafka.kafka.svc.cluster.local:9093,2@kafka-2.kafka.kafka.svc.cluster.local:9093",
        ),
        ("KAFKA_LOG_DIRS", "/var/lib/kafka/data"),
        ("KAFKA_DEFAULT_REPLICATION_FACTOR", "3"),
        ("KAFKA_MIN_INSYNC_REPLICAS", "2"),
        ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3"),
        ("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3"),
        ("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2"),
    ]);
    assert_eq!(r.env(), want);
}

#[test]
fn a_controller_only_pod_gets_no_advertised_listeners_which_configure_refuses_there() {
    let env = [
        ("POD_NAME", "kafka-controller-0"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_FLAVOR", "confluent"),
        ("KAFKA_INIT_ROLE", "controller"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_BROKER_REPLICAS", "3"),
        ("CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
    ];
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let e = r.env();
    assert_eq!(e["KAFKA_PROCESS_ROLES"], "controller");
    assert!(!e.contains_key("KAFKA_ADVERTISED_LISTENERS"), "{e:?}");
}

#[test]
fn the_default_command_is_the_images_run_script_and_its_user_owns_the_data() {
    let env = [
        ("POD_NAME", "kafka-0"),
        ("KAFKA_INIT_FLAVOR", "confluent"),
        ("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"),
    ];
    let r = run(&["exec"], &env);
    // Not in this test's filesystem: a shell's "not found".
    assert_eq!(r.code(), 127);
    assert!(
        r.stderr().contains("/etc/confluent/docker/run"),
        "{}",
        r.stderr()
    );
    let r = run(&["plan", "--format", "json"], &env);
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(v["flavor"], "confluent");
    assert_eq!(v["run_as"], "1000:1000");
    assert_eq!(v["data_dirs"][0], "/var/lib/kafka/data");
    // kafka/Dockerfile.ubi8 (7.9.6), .ubi9 (8.1.2): `chown appuser:root -R`,
    // `chmod -R ug+w` on /etc/kafka.
    let etc = &v["writes_at_start"][0];
    assert_eq!(
        (
            &etc["path"],
            &etc["uid"],
            &etc["gid"],
            &etc["mode"],
            &etc["built_by"]
        ),
        (
            &"/etc/kafka".into(),
            &1000.into(),
            &0.into(),
            &"0775".into(),
            &"image".into()
        ),
        "{etc}"
    );
}

#[test]
fn service_link_variables_stop_the_confluent_flavor_before_exec() {
    let env = [
        ("POD_NAME", "kafka-0"),
        ("KAFKA_INIT_FLAVOR", "confluent"),
        ("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"),
        ("KAFKA_PORT", "tcp://10.0.0.1:9092"),
    ];
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&["KAFKA_PORT", "confluentinc/cp-kafka", "enableServiceLinks"]);
}

/// What cp-kafka's Dockerfile sets, empty, in every container (`ARG` without
/// a default copied into `ENV`): 8.1.2 has the last two, 7.9.6 all three.
const IMAGE_EMPTIES: &[(&str, &str)] = &[
    ("KAFKA_ZOOKEEPER_CONNECT", ""),
    ("KAFKA_ADVERTISED_LISTENERS", ""),
    ("CLUSTER_ID", ""),
];

/// A KRaft pod of the confluent image as it ships (its own empty variables
/// set), with `extra`.
fn in_the_image<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    [
        ("POD_NAME", "kafka-1"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_FLAVOR", "confluent"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .chain(IMAGE_EMPTIES.iter().copied())
    .collect()
}

#[test]
fn the_images_own_empty_variables_are_not_settings_so_a_kraft_pod_starts() {
    let env = in_the_image(&[]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let e = r.env();
    // Not a second, disagreeing cluster id; not a ZooKeeper address.
    assert_eq!(e["CLUSTER_ID"], "MkU3OEVBNTcwNTJENDM2Qk");
    assert_eq!(e["KAFKA_PROCESS_ROLES"], "broker,controller");
    assert_eq!(
        e["KAFKA_ADVERTISED_LISTENERS"],
        "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092"
    );
}

#[test]
fn an_empty_value_of_any_other_variable_is_still_a_setting_shown_as_empty() {
    let env = in_the_image(&[("KAFKA_NUM_PARTITIONS", "")]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&["KAFKA_NUM_PARTITIONS=\"\""]);
    // A set CLUSTER_ID still counts, and must agree.
    let mut env = env;
    env.retain(|(k, _)| *k != "KAFKA_NUM_PARTITIONS" && *k != "CLUSTER_ID");
    env.push(("CLUSTER_ID", "PS4Cue3C_48KyLelRtKt1w"));
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&["CLUSTER_ID", "PS4Cue3C_48KyLelRtKt1w"]);
    // Under another flavor the same empty CLUSTER_ID is the user's own.
    let mut env: Vec<(&str, &str)> = env
        .into_iter()
        .filter(|(k, _)| *k != "CLUSTER_ID" && *k != "KAFKA_INIT_FLAVOR")
        .collect();
    env.extend([("KAFKA_INIT_FLAVOR", "apache"), ("CLUSTER_ID", "")]);
    let r = run(&["plan"], &env);
    r.assert_stopped(&["CLUSTER_ID=\"\""]);
}

/// `key=value` lines of a properties file (comments and blanks skipped).
fn properties(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn the_plan_equals_what_cp_kafka_7_9s_real_dub_template_writes_key_by_key() {
    let Some(_) = util::reference_images(
        "the_plan_equals_what_cp_kafka_7_9s_real_dub_template_writes_key_by_key",
    ) else {
        return;
    };
    use std::path::Path;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/dub-venv/bin/python");
    assert!(
        python.exists(),
        "{} missing: run scripts/install-deps.sh",
        python.display()
    );
    // Jinja refuses a template name with `..` in it.
    let images = root
        .join("../shared/reference/images")
        .canonicalize()
        .unwrap();
    let template = images.join(
        "confluent-cp-kafka-7.9.6/kafka/include/etc/confluent/docker/kafka.properties.template",
    );
    let dub = images.join("confluent-docker-utils-0.0.169");
    // (case, its variables beside the image's own empty ones): the quirks
    // are the image's empty KAFKA_ZOOKEEPER_CONNECT (zookeeper.connect= in
    // KRaft), and heap.opts= / log4j.opts= from the missing comma.
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "kraft",
            &[
                ("KAFKA_HEAP_OPTS", "-Xmx1g"),
                ("KAFKA_LOG4J_OPTS", "-Dlog4j.configuration=file:/x"),
            ],
        ),
        (
            "kraft, a one-letter listener part",
            &[
                (
                    "KAFKA_LISTENERS",
                    "PLAINTEXT://:9092,CONTROLLER://:9093,A://:9094",
                ),
                (
                    "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                    "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,A:PLAINTEXT",
                ),
                ("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
                ("KAFKA_LISTENER_NAME_A_MAX_CONNECTIONS", "5"),
            ],
        ),
        (
            "zookeeper",
            &[
                ("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"),
                (
                    "KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET",
                    "org.apache.zookeeper.ClientCnxnSocketNetty",
                ),
            ],
        ),
    ];
    for (case, extra) in cases {
        let mut env: Vec<(&str, &str)> = vec![
            ("POD_NAME", "kafka-1"),
            ("POD_NAMESPACE", "kafka"),
            ("KAFKA_INIT_FLAVOR", "confluent"),
            ("KAFKA_INIT_REPLICAS", "3"),
            ("KAFKA_INIT_KAFKA_VERSION", "3.9.0"),
            ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
        ];
        env.extend(extra.iter().copied());
        // kafka/Dockerfile.ubi8: ARG without a default copied into ENV.
        for name in [
            "KAFKA_ZOOKEEPER_CONNECT",
            "KAFKA_ADVERTISED_LISTENERS",
            "CLUSTER_ID",
        ] {
            if !env.iter().any(|(k, _)| *k == name) {
                env.push((name, ""));
            }
        }
        let r = run(&["exec", "--", "$STANDIN"], &env);
        assert_eq!(r.code(), 0, "{case}: {}", r.stderr());
        // configure's own exports before the template are no-ops here:
        // kafka-init sets KAFKA_LISTENERS and KAFKA_LOG_DIRS, and no
        // listener is SSL.
        let dir = util::TempDir::new("confluent-dub");
        let out = dir.0.join("kafka.properties");
        let rendered = std::process::Command::new(&python)
            .args(["-c", "import sys; from confluent.docker_utils import dub; sys.argv[0] = 'dub'; dub.main()", "template"])
            .arg(&template)
            .arg(&out)
            .env_clear()
            .envs(r.env())
            .env("PYTHONPATH", &dub)
            // ../shared stays as it came: no __pycache__ written into it.
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .unwrap();
        assert!(
            rendered.status.success(),
            "{case}: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let written = properties(&std::fs::read_to_string(&out).unwrap());
        let p = run(&["plan", "--offline", "--format", "properties"], &env);
        assert_eq!(p.code(), 0, "{case}: {}", p.stderr());
        assert_eq!(
            properties(&p.stdout()),
            written,
            "{case}: plan (left) and the image's file (right)"
        );
        if *case == "kraft" {
            for (k, v) in [
                ("zookeeper.connect", ""),
                ("heap.opts", "-Xmx1g"),
                ("node.id", "1"),
            ] {
                assert_eq!(written.get(k).map(String::as_str), Some(v), "{written:?}");
            }
        }
    }
    // The quirks are stated, marked as the image's.
    let r = run(
        &["plan", "--offline", "--format", "properties"],
        &in_the_image(&[
            ("KAFKA_INIT_KAFKA_VERSION", "3.9.0"),
            ("KAFKA_HEAP_OPTS", "-Xmx1g"),
        ]),
    );
    assert!(
        r.stdout()
            .contains("# written by the confluent image's own scripts as well, not by kafka-init"),
        "{}",
        r.stdout()
    );
}
