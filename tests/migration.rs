//! The migration from the outside: `exec` on each role and phase (what the
//! image gets, and what it must not get), the guard rails that read
//! ZooKeeper, and `migration status`, against answers captured from a real
//! 3.9.2 migration replayed on loopback (tests/fixtures/migration/).

mod util;

use util::replay::{fixture, serve};
use util::run;

/// A frame captured in `phase` (tests/fixtures/migration/3.9.2/<phase>/).
fn captured(phase: &str, name: &str) -> Vec<u8> {
    fixture(&format!("../migration/3.9.2/{phase}/{name}"))
}

/// A ZooKeeper that answers our client's session as it did in `phase`.
fn zookeeper(phase: &str) -> u16 {
    serve(zookeeper_answers(phase))
}

fn zookeeper_answers(phase: &str) -> Vec<Vec<u8>> {
    let mut answers = vec![fixture("../zookeeper/3.8.4/connect-response.bin")];
    for z in ["cluster-id", "brokers-ids", "migration", "controller"] {
        answers.push(captured(phase, &format!("zk-{z}-response.bin")));
    }
    answers
}

/// The GetData answer (xid 5) for `/controller_epoch` holding `epoch`, as
/// ZooKeeper frames it (ReplyHeader, data, a Stat of 68 bytes).
fn controller_epoch_answer(epoch: i32) -> Vec<u8> {
    let data = epoch.to_string().into_bytes();
    let mut body = vec![];
    body.extend(5i32.to_be_bytes());
    body.extend(7i64.to_be_bytes());
    body.extend(0i32.to_be_bytes());
    body.extend((data.len() as i32).to_be_bytes());
    body.extend(data);
    body.extend([0u8; 68]);
    let mut frame = (body.len() as i32).to_be_bytes().to_vec();
    frame.extend(body);
    frame
}

/// A controller that answers ApiVersions and DescribeQuorum as in `phase`.
fn controller(phase: &str) -> u16 {
    serve(vec![
        captured(phase, "controller-ApiVersions-v3-response.bin"),
        captured(phase, "controller-DescribeQuorum-v1-response.bin"),
    ])
}

fn env<'a>(node: &[(&'a str, &'a str)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut e: Vec<(&str, &str)> = util::MIGRATION_CLUSTER.to_vec();
    e.extend_from_slice(node);
    e.extend_from_slice(extra);
    e
}

#[test]
fn a_kraft_broker_gets_no_zookeeper_key_under_any_name_and_is_never_formatted() {
    // ZooKeeper says the metadata copy completed (its /migration has an offset).
    let zk = format!("127.0.0.1:{}", zookeeper("kraft-brokers"));
    let e = env(
        &[("POD_NAME", "kafka-2"), ("KAFKA_INIT_REPLICAS", "3")],
        &[
            ("KAFKA_INIT_MIGRATION", "kraft-brokers"),
            ("KAFKA_ZOOKEEPER_CONNECT", &zk),
            ("KAFKA_CFG_ZOOKEEPER_CONNECT", &zk),
            ("KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE", "true"),
            ("KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION", "3.9"),
            ("KAFKA_CFG_LOG_DIRS", "$DIR/data"),
        ],
    );
    let r = run(&["exec", "--", "$STANDIN"], &e);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let got = r.env();
    for gone in [
        "KAFKA_ZOOKEEPER_CONNECT",
        "KAFKA_CFG_ZOOKEEPER_CONNECT",
        "KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE",
        "KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION",
    ] {
        assert!(!got.contains_key(gone), "{gone} reached the image");
    }
    assert_eq!(got["KAFKA_CFG_PROCESS_ROLES"], "broker");
    assert_eq!(got["KAFKA_CFG_NODE_ID"], "2");
    assert_eq!(got["KAFKA_SKIP_KRAFT_STORAGE_INIT"], "true");
    assert!(!got.contains_key("KAFKA_KRAFT_CLUSTER_ID"));
    // `plan` says what exec unsets (it observes ZooKeeper too: a fresh one).
    let zk = format!("127.0.0.1:{}", zookeeper("kraft-brokers"));
    let mut e = e.clone();
    for (k, v) in e.iter_mut() {
        if k.ends_with("ZOOKEEPER_CONNECT") {
            *v = &zk;
        }
    }
    let p = run(&["plan"], &e);
    assert!(
        p.stdout()
            .contains("# unset KAFKA_ZOOKEEPER_CONNECT (zookeeper.connect"),
        "{}",
        p.stdout()
    );
}

fn controller_env<'a>(phase: &'a str, zk: &'a str) -> Vec<(&'a str, &'a str)> {
    env(
        &[
            ("POD_NAME", "kafka-controller-0"),
            ("KAFKA_INIT_ROLE", "controller"),
            ("KAFKA_INIT_MODE", "kraft"),
            ("KAFKA_INIT_ID_OFFSET", "3000"),
            ("KAFKA_INIT_REPLICAS", "3"),
            ("KAFKA_INIT_BROKER_REPLICAS", "3"),
        ],
        &[
            ("KAFKA_INIT_MIGRATION", phase),
            ("KAFKA_CFG_ZOOKEEPER_CONNECT", zk),
            // Never the image's default dir: the rails read and record here.
            ("KAFKA_CFG_LOG_DIRS", "$DIR/data"),
        ],
    )
}

#[test]
fn a_migrating_controller_starts_with_the_cluster_id_zookeeper_holds() {
    let zk = format!("127.0.0.1:{}", zookeeper("controllers"));
    let r = run(
        &["exec", "--", "$STANDIN"],
        &controller_env("controllers", &zk),
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let got = r.env();
    assert_eq!(got["KAFKA_KRAFT_CLUSTER_ID"], "Sc3yfWjdQ8Sx0aYhbhvHPw");
    assert_eq!(got["KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE"], "true");
    assert_eq!(got["KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION"], "3.9");
    assert_eq!(got["KAFKA_CFG_LISTENERS"], "CONTROLLER://:9093");
}

#[test]
fn finalizing_while_a_broker_is_still_in_zookeeper_stops_before_exec() {
    let zk = format!("127.0.0.1:{}", zookeeper("dual-write"));
    let r = run(
        &["exec", "--", "$STANDIN"],
        &controller_env("finalized", &zk),
    );
    r.assert_stopped(&[
        "KAFKA_INIT_MIGRATION",
        "/brokers/ids",
        "[0]",
        "kraft-brokers",
    ]);
    // The other half: once no broker is left in ZooKeeper, it starts.
    let zk = format!("127.0.0.1:{}", zookeeper("kraft-brokers"));
    let r = run(
        &["exec", "--", "$STANDIN"],
        &controller_env("finalized", &zk),
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(!r.env().contains_key("KAFKA_CFG_ZOOKEEPER_CONNECT"));
}

#[test]
fn an_unreachable_zookeeper_stops_a_migrating_controller_and_says_so() {
    let zk = format!("127.0.0.1:{}", util::replay::closed_port());
    let r = run(
        &["exec", "--", "$STANDIN"],
        &controller_env("controllers", &zk),
    );
    r.assert_stopped(&[
        "ZooKeeper /cluster/id",
        "could not be read",
        "KAFKA_INIT_CLUSTER_ID",
    ]);
}

#[test]
fn migration_status_reads_zookeeper_and_the_controllers_over_tcp() {
    for phase in ["controllers", "dual-write", "kraft-brokers", "finalized"] {
        let mut answers = zookeeper_answers(phase);
        answers.push(controller_epoch_answer(7));
        let zk = format!("127.0.0.1:{}", serve(answers));
        let c = format!("127.0.0.1:{}", controller(phase));
        let r = util::migration_status(&zk, &c, &["--format", "json"]);
        assert_eq!(r.code(), 0, "{phase}: {}", r.stderr());
        let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
        // The fixtures' dir dual-write is the phase now named migration-mode.
        let named = if phase == "dual-write" {
            "migration-mode"
        } else {
            phase
        };
        assert_eq!(v["phase"], named, "{}", r.stdout());
        assert_eq!(v["controllers"]["leader"], 3000);
        assert_eq!(v["zookeeper"]["controller_epoch"], 7);
        let epoch = v["controllers"]["epoch"].as_i64().unwrap();
        // The captured quorums' epochs are below 7: a rollback would be safe,
        // except once finalized, when there is none.
        let safe = if phase == "finalized" {
            false
        } else {
            epoch < 7
        };
        assert_eq!(v["rollback"]["safe"], safe, "{}", r.stdout());
    }
    // Neither ZooKeeper nor a controller: it cannot tell (exit 1).
    let nothing = format!("127.0.0.1:{}", util::replay::closed_port());
    let r = util::migration_status(&nothing, &nothing, &["--timeout", "2s"]);
    assert_eq!(r.code(), 1, "{}", r.stdout());
    assert!(r.stdout().starts_with("phase: unknown"), "{}", r.stdout());
}

#[test]
fn a_migrated_broker_hands_its_own_cluster_id_to_an_image_that_wants_one() {
    let dir = util::TempDir::new("migrated-broker");
    let data = dir.0.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("meta.properties"),
        "#\nversion=0\nbroker.id=2\ncluster.id=Sc3yfWjdQ8Sx0aYhbhvHPw\n",
    )
    .unwrap();
    let data = data.display().to_string();
    let e = [
        ("POD_NAME", "kafka-2"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_FLAVOR", "apache"),
        ("KAFKA_INIT_MIGRATION", "kraft-brokers"),
        ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"),
        ("KAFKA_INIT_CONTROLLER_REPLICAS", "3"),
        ("KAFKA_INIT_CONTROLLER_ID_OFFSET", "3000"),
        ("KAFKA_ZOOKEEPER_CONNECT", "zk-service.zk:32181"),
        ("KAFKA_LOG_DIRS", data.as_str()),
    ];
    // Each start asks ZooKeeper whether the metadata copy completed.
    let zk = format!("127.0.0.1:{}", zookeeper("kraft-brokers"));
    let e = util::with(&e, &[("KAFKA_ZOOKEEPER_CONNECT", &zk)], &[]);
    let r = run(&["exec", "--", "$STANDIN"], &e);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(r.env()["CLUSTER_ID"], "Sc3yfWjdQ8Sx0aYhbhvHPw");
    assert!(!r.env().contains_key("KAFKA_ZOOKEEPER_CONNECT"));
    // Without the file there is no id to give, and the image would refuse.
    std::fs::remove_file(dir.0.join("data/meta.properties")).unwrap();
    let zk = format!("127.0.0.1:{}", zookeeper("kraft-brokers"));
    let e = util::with(&e, &[("KAFKA_ZOOKEEPER_CONNECT", &zk)], &[]);
    run(&["exec", "--", "$STANDIN"], &e).assert_stopped(&["CLUSTER_ID"]);
}

#[test]
fn apaches_step_names_work_and_the_old_dual_write_name_works_with_a_deprecation_warning() {
    let broker = |phase| {
        env(
            &[("POD_NAME", "kafka-1"), ("KAFKA_INIT_REPLICAS", "3")],
            &[
                ("KAFKA_INIT_MIGRATION", phase),
                ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk-service.zk:32181"),
            ],
        )
    };
    let ours = run(&["plan"], &broker("migration-mode"));
    assert_eq!(ours.code(), 0, "{}", ours.stderr());
    for spelling in ["enter-migration-mode", "dual-write"] {
        let r = run(&["plan"], &broker(spelling));
        assert_eq!(r.code(), 0, "{spelling}: {}", r.stderr());
        assert_eq!(r.stdout(), ours.stdout(), "{spelling}");
        let warned = r.stderr().contains("deprecated phase name");
        assert_eq!(
            warned,
            spelling == "dual-write",
            "{spelling}: {}",
            r.stderr()
        );
    }
    let r = run(&["plan"], &broker("dual-write"));
    assert!(
        r.stderr()
            .contains("KAFKA_INIT_MIGRATION=migration-mode (or Apache's enter-migration-mode)"),
        "{}",
        r.stderr()
    );
}
