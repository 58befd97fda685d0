//! Leaving the Bitnami image with the same ConfigMap: the user's Bitnami
//! environment (k8s/overlays/zookeeper, through scripts/pod-env.sh) under
//! the apache flavor is read in Bitnami's convention and handed to the
//! apache/kafka image in its own; the image's own scripts (unchanged, from
//! ../shared/reference/images) read what kafka-init planned; and Kafka 3.9
//! in ZooKeeper mode starts in that image's layout through kafka-init.

mod util;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use util::{bin, run, TempDir};

/// The environment of pod `pod` of StatefulSet kafka as the zookeeper
/// overlay gives its Kafka container.
fn overlay_env(pod: &str) -> Vec<(String, String)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(format!("{root}/scripts/pod-env.sh"))
        .args(["zookeeper", "kafka", pod])
        .output()
        .expect("run scripts/pod-env.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn pairs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// `key=value` lines of a properties file, comments left out.
fn properties(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect()
}

/// The shared reference tree (`../shared` beside the checkout).
fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// Kafka's jars of `version` (scripts/fetch-kafka.sh).
fn libs(version: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/kafka/{version}/libs"));
    assert!(
        p.is_dir(),
        "{} missing: run scripts/fetch-kafka.sh {version}",
        p.display()
    );
    p
}

#[test]
fn plan_hands_the_users_bitnami_configmap_to_apache_kafka_in_its_names() {
    let env = overlay_env("kafka-1");
    let r = run(&["plan", "--flavor", "apache"], &pairs(&env));
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let want = "\
# settings read in the bitnami convention (KAFKA_CFG_<KEY> and Bitnami's aliases), handed to the apache image
# keys checked against Kafka 3.9.0 (KAFKA_INIT_KAFKA_VERSION)
KAFKA_ADVERTISED_LISTENERS=PLAINTEXT_INTERNAL://kafka-1.kafka.kafka.svc.cluster.local:39092
KAFKA_BROKER_ID=1
KAFKA_DEFAULT_REPLICATION_FACTOR=3
KAFKA_INTER_BROKER_LISTENER_NAME=PLAINTEXT_INTERNAL
KAFKA_LISTENERS=PLAINTEXT_INTERNAL://:39092
KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT_INTERNAL:PLAINTEXT
KAFKA_LOG_DIRS=/var/lib/kafka/data
KAFKA_MIN_INSYNC_REPLICAS=2
KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=3
KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=2
KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=3
KAFKA_ZOOKEEPER_CONNECT=zk-service.zk:32181
# unset KAFKA_CFG_LISTENERS (read as listeners in the bitnami convention; the apache image would read the name otherwise)
# unset KAFKA_CFG_ZOOKEEPER_CONNECT (read as zookeeper.connect in the bitnami convention; the apache image would read the name otherwise)
";
    assert_eq!(r.stdout(), want);
    // Before: the same environment read in apache/kafka's names.
    assert!(!r.stderr().contains("cfg.listeners"), "{}", r.stderr());
}

#[test]
fn a_secret_read_in_bitnamis_name_is_handed_over_in_apaches_and_never_shown() {
    let mut env = overlay_env("kafka-1");
    env.push(("KAFKA_CFG_SSL_KEYSTORE_PASSWORD".into(), "hunter2".into()));
    let r = run(&["plan", "--flavor", "apache"], &pairs(&env));
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = r.stdout();
    assert!(
        out.contains("\nKAFKA_SSL_KEYSTORE_PASSWORD=<redacted>\n"),
        "{out}"
    );
    assert!(
        out.contains("# unset KAFKA_CFG_SSL_KEYSTORE_PASSWORD (read as ssl.keystore.password"),
        "{out}"
    );
    assert!(
        !out.contains("hunter2") && !r.stderr().contains("hunter2"),
        "{out}"
    );
}

#[test]
fn both_conventions_setting_one_key_differently_stop_exec_before_anything_runs() {
    let mut env = overlay_env("kafka-1");
    env.push(("KAFKA_ZOOKEEPER_CONNECT".into(), "other-zk:2181".into()));
    // Not one of Bitnami's aliases: only the apache image reads this name.
    env.push(("KAFKA_CFG_LOG_RETENTION_MS".into(), "604800000".into()));
    env.push(("KAFKA_LOG_RETENTION_MS".into(), "86400000".into()));
    let r = run(
        &["exec", "--flavor", "apache", "--", "$STANDIN"],
        &pairs(&env),
    );
    r.assert_stopped(&[
        "KAFKA_CFG_ZOOKEEPER_CONNECT / KAFKA_ZOOKEEPER_CONNECT",
        "zk-service.zk:32181 / other-zk:2181",
        "both name zookeeper.connect and disagree",
        "KAFKA_CFG_LOG_RETENTION_MS / KAFKA_LOG_RETENTION_MS",
        "604800000 / 86400000",
        "both conventions set log.retention.ms and disagree",
        "set log.retention.ms once, in KAFKA_CFG_LOG_RETENTION_MS, and remove KAFKA_LOG_RETENTION_MS",
    ]);
}

#[test]
fn exec_in_zookeeper_mode_writes_the_plan_as_server_properties_and_starts_kafka_with_it() {
    let dir = TempDir::new("apache-zk-exec");
    let standin = util::standin(&dir.0);
    let mut env: BTreeMap<String, String> = overlay_env("kafka-1").into_iter().collect();
    env.insert("KAFKA_INIT_FLAVOR".into(), "apache".into());
    env.insert("PATH".into(), "/usr/bin:/bin".into());
    // The default command, in the image's layout: the stand-in is its
    // /opt/kafka/bin/kafka-server-start.sh.
    let out = in_image_layout(
        r#"install -m 0755 "$1" /opt/kafka/bin/kafka-server-start.sh; "$2" exec; cp /opt/kafka/config/server.properties "$3""#,
        &env,
        &[
            &standin.display().to_string(),
            &bin().to_string_lossy(),
            &dir.0.join("written.properties").display().to_string(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let argv = std::fs::read_to_string(dir.0.join("argv")).unwrap();
    assert_eq!(argv, "/opt/kafka/config/server.properties\n");
    let written = properties(&std::fs::read_to_string(dir.0.join("written.properties")).unwrap());
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let plan = run(&["plan", "--format", "properties"], &pairs);
    assert_eq!(written, properties(&plan.stdout()));
    assert_eq!(written["zookeeper.connect"], "zk-service.zk:32181");
    assert_eq!(written["broker.id"], "1");
    let image_env = std::fs::read_to_string(dir.0.join("env")).unwrap();
    for var in image_env
        .split('\0')
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k)
    {
        assert!(
            !var.starts_with("KAFKA_CFG_") && !var.starts_with("KAFKA_INIT_"),
            "{var} reached the image"
        );
    }
    assert!(stderr.contains("read_as=\"bitnami\""), "{stderr}");
}

/// Runs `script` (bash) in a private mount namespace whose `/opt` is an
/// empty tmpfs with `/opt/kafka/config` in it, as the image has: the image's
/// scripts name that path, and the machine's own /opt is left alone.
fn in_image_layout(
    script: &str,
    env: &BTreeMap<String, String>,
    args: &[&str],
) -> std::process::Output {
    let prelude = "set -euo pipefail; mount -t tmpfs kafka-init-test /opt; mkdir -p /opt/kafka/config /opt/kafka/bin; ";
    Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash", "-c"])
        .arg(format!("{prelude}{script}"))
        .arg("bash")
        .args(args)
        .env_clear()
        .envs(env)
        .output()
        .expect("run unshare")
}

#[test]
fn the_apache_images_own_scripts_read_what_kafka_init_planned_from_a_bitnami_configmap() {
    let Some(_) = util::reference_images(
        "the_apache_images_own_scripts_read_what_kafka_init_planned_from_a_bitnami_configmap",
    ) else {
        return;
    };
    // The user's ConfigMap, in KRaft (the image's scripts are KRaft's), with
    // Bitnami's cluster id variable and a Bitnami-named data dir.
    let dir = TempDir::new("apache-scripts");
    let data = dir.0.join("data").display().to_string();
    let base = overlay_env("kafka-1");
    let mut env: Vec<(&str, &str)> = pairs(&base)
        .into_iter()
        .filter(|(k, _)| *k != "KAFKA_CFG_ZOOKEEPER_CONNECT")
        .collect();
    env.extend([
        ("KAFKA_INIT_MODE", "kraft"),
        ("KAFKA_KRAFT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
        ("KAFKA_CFG_LOG_DIRS", data.as_str()),
        ("KAFKA_CFG_NUM_PARTITIONS", "6"),
    ]);
    let r = run(&["exec", "--flavor", "apache", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let image_env = r.env();
    assert_eq!(image_env["CLUSTER_ID"], "MkU3OEVBNTcwNTJENDM2Qk");
    assert!(
        !image_env.contains_key("KAFKA_KRAFT_CLUSTER_ID"),
        "{image_env:?}"
    );

    // The image's run: bash-config, configureDefaults, configure (sourced,
    // unchanged), then its launch's KafkaDockerWrapper setup with the
    // directories the launch passes; the defaults dir as the Dockerfile
    // fills it (config/kraft/server.properties; log4j files).
    let scripts = shared().join("reference/images/apache-kafka-3.9.0");
    let defaults = dir.0.join("defaults");
    std::fs::create_dir_all(&defaults).unwrap();
    std::fs::copy(
        scripts.join("config/kraft/server.properties"),
        defaults.join("server.properties"),
    )
    .unwrap();
    let log4j = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/kafka/3.9.0/log4j.properties");
    for f in ["log4j.properties", "tools-log4j.properties"] {
        std::fs::copy(&log4j, defaults.join(f)).unwrap();
    }
    let script = r#"
common="$1/docker/resources/common-scripts"
. "$common/bash-config"
. "$common/configureDefaults"
. "$common/configure"
java -cp "$2/*" -Dlog4j.configuration=file:"$3/log4j.properties" kafka.docker.KafkaDockerWrapper setup \
  --default-configs-dir "$3" --mounted-configs-dir "$4" --final-configs-dir /opt/kafka/config
cp /opt/kafka/config/server.properties "$5"
"#;
    let out = in_image_layout(
        script,
        &image_env,
        &[
            &scripts.display().to_string(),
            &libs("3.9.0").display().to_string(),
            &defaults.display().to_string(),
            &dir.0.join("mounted").display().to_string(),
            &dir.0.join("written.properties").display().to_string(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Running in KRaft mode..."), "{stdout}");
    // What the wrapper wrote is exactly what kafka-init planned.
    let written = properties(&std::fs::read_to_string(dir.0.join("written.properties")).unwrap());
    let plan = run(
        &["plan", "--flavor", "apache", "--format", "properties"],
        &env,
    );
    assert_eq!(plan.code(), 0, "{}", plan.stderr());
    let planned = properties(&plan.stdout());
    assert_eq!(written, planned, "server.properties as the image wrote it");
    assert_eq!(written["num.partitions"], "6");
    assert_eq!(written["log.dirs"], data);
    // ... and it formatted the data dir with the Bitnami cluster id.
    let meta = std::fs::read_to_string(dir.0.join("data/meta.properties")).unwrap();
    assert!(meta.contains("cluster.id=MkU3OEVBNTcwNTJENDM2Qk"), "{meta}");
    assert!(meta.contains("node.id=1"), "{meta}");
}

/// A port free on loopback now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills a child on drop (only the processes this test started).
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn kafka_3_9_starts_in_zookeeper_mode_in_the_apache_images_layout_with_the_bitnami_configmap() {
    let dir = TempDir::new("apache-zk");
    let libs = libs("3.9.2");
    let log4j = libs.parent().unwrap().join("log4j.properties");
    let (zk_port, port) = (free_port(), free_port());
    let zk_data = dir.0.join("zk");
    std::fs::create_dir_all(&zk_data).unwrap();
    let zk = Killed(
        Command::new("java")
            .arg("-Xmx128m")
            .arg("-cp")
            .arg(format!("{}/*", libs.display()))
            .arg(format!("-Dlog4j.configuration=file:{}", log4j.display()))
            .arg("org.apache.zookeeper.server.ZooKeeperServerMain")
            .arg(zk_port.to_string())
            .arg(&zk_data)
            .stdout(std::fs::File::create(dir.0.join("zk.log")).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ZooKeeper"),
    );

    // The overlay's ConfigMap with this machine's ZooKeeper and port, and the
    // Bitnami data path kept (log.dirs), as a pod moved off Bitnami keeps its volume.
    let data = dir.0.join("bitnami/kafka/data").display().to_string();
    let mut env: BTreeMap<String, String> = overlay_env("kafka-0").into_iter().collect();
    env.extend(
        [
            (
                "KAFKA_CFG_ZOOKEEPER_CONNECT",
                format!("127.0.0.1:{zk_port}"),
            ),
            (
                "KAFKA_CFG_LISTENERS",
                format!("PLAINTEXT_INTERNAL://:{port}"),
            ),
            // A pod's DNS name does not resolve here.
            (
                "KAFKA_CFG_ADVERTISED_LISTENERS",
                format!("PLAINTEXT_INTERNAL://127.0.0.1:{port}"),
            ),
            ("KAFKA_CFG_LOG_DIRS", data.clone()),
            ("KAFKA_INIT_REPLICAS", "1".into()),
            ("KAFKA_INIT_FLAVOR", "apache".into()),
            ("KAFKA_HEAP_OPTS", "-Xmx384m -Xms128m".into()),
            ("PATH", "/usr/bin:/bin".into()),
        ]
        .map(|(k, v)| (k.to_string(), v)),
    );
    // kafka-server-start.sh of the image's /opt/kafka/bin: Kafka's bin/ is
    // not on Maven, so the real-cluster test's launcher stands in for it
    // (it runs kafka.Kafka with the variables kafka-run-class.sh reads).
    let launcher = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/k8s/image/kafka/launcher.sh");
    let script = r#"
install -m 0755 "$1" /opt/kafka/bin/kafka-run-class.sh
ln -s kafka-run-class.sh /opt/kafka/bin/kafka-server-start.sh
ln -s "$2" /opt/kafka/libs
cp "$3" /opt/kafka/config/log4j.properties
exec "$4" exec
"#;
    let kafka = Killed(
        Command::new("unshare")
            .args(["--mount", "--propagation", "private", "bash", "-c"])
            .arg(format!(
                "set -euo pipefail; mount -t tmpfs kafka-init-test /opt; mkdir -p /opt/kafka/config /opt/kafka/bin; {script}"
            ))
            .arg("bash")
            .args([launcher.as_os_str(), libs.as_os_str(), log4j.as_os_str(), &bin()])
            .env_clear()
            .envs(&env)
            .stdout(std::fs::File::create(dir.0.join("kafka.log")).unwrap())
            .stderr(std::fs::File::create(dir.0.join("kafka.err")).unwrap())
            .spawn()
            .expect("start kafka-init exec"),
    );

    // Ready (kafka-init's own probe, as the pod's readinessProbe runs it).
    let mut ready = None;
    for _ in 0..240 {
        let probe = Command::new(bin())
            .args(["probe", "--ready"])
            .env_clear()
            .envs(&env)
            .output()
            .unwrap();
        if probe.status.success() {
            ready = Some(probe);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let log = || {
        std::fs::read_to_string(dir.0.join("kafka.log")).unwrap_or_default()
            + &std::fs::read_to_string(dir.0.join("kafka.err")).unwrap_or_default()
    };
    assert!(ready.is_some(), "the broker never became ready:\n{}", log());
    let log = log();
    assert!(
        log.contains("read_as=\"bitnami\"") || log.contains("read_as=bitnami"),
        "{log}"
    );
    assert!(
        log.contains("/opt/kafka/bin/kafka-server-start.sh"),
        "{log}"
    );
    // A ZooKeeper-mode broker: its id in a v0 meta.properties on the Bitnami path.
    let meta = std::fs::read_to_string(Path::new(&data).join("meta.properties")).unwrap();
    assert!(
        meta.contains("version=0") && meta.contains("broker.id=0"),
        "{meta}"
    );
    drop(kafka);
    drop(zk);
}
