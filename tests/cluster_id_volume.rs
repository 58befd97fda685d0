//! The cluster id of a cluster that already exists comes from its volume:
//! a node's data dir formatted by real Kafka (its storage tool, 4.4.0 jars
//! from scripts/fetch-kafka.sh) starts under the apache flavor with no id
//! set, and a set id (a Secret) that disagrees with it is refused before
//! anything is written, as Kafka's own storage format refuses it.

mod util;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use util::{run, TempDir};

const VERSION: &str = "4.4.0";
/// The id the cluster was created with (day one, from a Secret).
const CREATED: &str = "19DRMxDfQtuuoWqsVS1hbw";
/// Another cluster's id (a Secret regenerated, or another cluster's).
const OTHER: &str = "Sc3yfWjdQ8Sx0aYhbhvHPw";

fn kafka_home() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/kafka/{VERSION}"));
    assert!(
        p.join("libs").is_dir(),
        "{} missing: run scripts/fetch-kafka.sh {VERSION}",
        p.display()
    );
    p
}

/// Kafka's storage tool `format` (what the apache/kafka image runs at every
/// start, with the cluster id it is given), `--ignore-formatted` as on a
/// restart.
fn kafka_format(config: &Path, cluster_id: &str) -> Output {
    let home = kafka_home();
    Command::new("java")
        .arg("-cp")
        .arg(format!("{}/libs/*", home.display()))
        .arg(format!(
            "-Dlog4j2.configurationFile={}/log4j2.properties",
            home.display()
        ))
        .args(["kafka.tools.StorageTool", "format", "--ignore-formatted"])
        .args(["-t", cluster_id, "-c"])
        .arg(config)
        .output()
        .expect("run java (Kafka's StorageTool)")
}

/// The apache flavor's environment of pod kafka-1 (combined KRaft node)
/// with its data in `data`, as k8s/components/apache-kraft gives it.
fn env(data: &str) -> Vec<(&str, &str)> {
    vec![
        ("POD_NAME", "kafka-1"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_FLAVOR", "apache"),
        ("KAFKA_INIT_KAFKA_VERSION", VERSION),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_LOG_DIRS", data),
    ]
}

/// Every file under `dir` with its bytes: what "nothing written" compares.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p.clone());
                out.insert(p, vec![]);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Day one: kafka-init plans the node with the cluster's id set, and
/// Kafka's storage tool formats the data dir with it. Returns the config
/// file and the data dir's meta.properties.
fn formatted_by_kafka(dir: &TempDir) -> (PathBuf, PathBuf) {
    let data = dir.0.join("data").display().to_string();
    let day_one = util::with(&env(&data), &[("KAFKA_INIT_CLUSTER_ID", CREATED)], &[]);
    let r = run(&["plan", "--format", "properties"], &day_one);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let config = dir.0.join("server.properties");
    std::fs::write(&config, r.stdout()).unwrap();
    let f = kafka_format(&config, CREATED);
    assert!(f.status.success(), "{}", util::stderr(&f));
    let meta = dir.0.join("data/meta.properties");
    let text = std::fs::read_to_string(&meta).unwrap();
    assert!(text.contains(&format!("cluster.id={CREATED}")), "{text}");
    (config, meta)
}

#[test]
fn an_existing_cluster_starts_with_the_id_its_volume_holds_and_no_secret() {
    let dir = TempDir::new("cluster-id-from-volume");
    let (config, meta) = formatted_by_kafka(&dir);
    let data = dir.0.join("data").display().to_string();
    // Day two: no KAFKA_INIT_CLUSTER_ID, no CLUSTER_ID (no Secret).
    let plan = run(&["plan", "--format", "json"], &env(&data));
    assert_eq!(plan.code(), 0, "{}", plan.stderr());
    let json: serde_json::Value = serde_json::from_str(&plan.stdout()).unwrap();
    assert_eq!(json["cluster_id"], CREATED);
    assert_eq!(json["cluster_id_from"], meta.display().to_string());
    assert_eq!(json["env"]["CLUSTER_ID"], CREATED);

    let r = run(&["exec", "--", "$STANDIN"], &env(&data));
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(r.env()["CLUSTER_ID"], CREATED, "the image formats with it");
    // The start-up summary says where the id came from.
    let summary = r.stderr();
    assert!(
        summary.contains("plan derived; starting Kafka")
            && summary.contains(&format!("cluster_id_from=\"{}\"", meta.display())),
        "{summary}"
    );
    // And Kafka agrees: its storage format with the id handed over passes.
    let f = kafka_format(&config, &r.env()["CLUSTER_ID"]);
    assert!(f.status.success(), "{}", util::stderr(&f));
}

#[test]
fn a_secret_that_disagrees_with_the_volume_is_refused_as_kafka_refuses_it() {
    let dir = TempDir::new("cluster-id-disagrees");
    let (config, meta) = formatted_by_kafka(&dir);
    let data = dir.0.join("data").display().to_string();
    let kafka_says = format!(
        "Invalid cluster.id in: {}. Expected {OTHER}, but read {CREATED}",
        meta.display()
    );
    let before = tree(&dir.0);
    for var in ["KAFKA_INIT_CLUSTER_ID", "CLUSTER_ID"] {
        let e = util::with(&env(&data), &[(var, OTHER)], &[]);
        let fix = format!("unset {var}");
        let r = run(&["exec", "--", "$STANDIN"], &e);
        r.assert_stopped(&[var, OTHER, &meta.display().to_string(), &kafka_says, &fix]);
        // prepare (root here) refuses as well, before it re-owns anything.
        let p = run(&["prepare"], &e);
        p.assert_stopped(&[var, &kafka_says]);
        assert_eq!(tree(&dir.0), before, "{var}: something was written");
    }
    // Kafka's own storage format refuses the same id with the same words.
    let f = kafka_format(&config, OTHER);
    assert!(!f.status.success());
    let said = format!("{}{}", util::stderr(&f), String::from_utf8_lossy(&f.stdout));
    assert!(said.contains(&kafka_says), "{said}");
}
