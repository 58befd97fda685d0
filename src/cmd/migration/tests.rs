//! `migration status` and the ZooKeeper guard rails on answers captured
//! from a real migration (tests/fixtures/migration/3.9.2/<phase>/: ZooKeeper
//! 3.8.4, a 3.9.2 controller and a 3.9.2 broker configured by kafka-init,
//! driven through every phase; see the fixtures' README).

use super::*;
use crate::wire::describe_quorum::Replica;

fn fixture(dir: &str, name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/migration/3.9.2/{dir}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    // Frames as on the wire: drop the size prefix.
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))[4..].to_vec()
}

/// ZooKeeper's answers to our client's requests, in its order (xid 1..4).
fn zk(dir: &str) -> ZkView {
    let data = |name: &str, xid| zookeeper::decode_get_data(&fixture(dir, name), xid).unwrap();
    zk_view(
        data("zk-cluster-id-response.bin", 1),
        zookeeper::decode_get_children(&fixture(dir, "zk-brokers-ids-response.bin"), 2).unwrap(),
        data("zk-migration-response.bin", 3),
        data("zk-controller-response.bin", 4),
    )
    .unwrap()
}

fn controllers(dir: &str) -> ControllersView {
    let frame = fixture(dir, "controller-ApiVersions-v3-response.bin");
    let v = api_versions::decode_response(&frame[..], frame.len(), 1).unwrap();
    let q = describe_quorum::decode_response(
        &fixture(dir, "controller-DescribeQuorum-v1-response.bin"),
        2,
    )
    .unwrap();
    ControllersView {
        reachable: true,
        zk_migration_ready: v.zk_migration_ready,
        quorum: Some(q),
    }
}

#[test]
fn tells_each_phase_of_a_real_migration_from_its_captured_answers() {
    // (fixture dir, phase, brokers in ZooKeeper, ZkMigrationReady, observers)
    type Case<'a> = (&'a str, &'a str, &'a [i64], bool, &'a [i32]);
    let cases: &[Case] = &[
        ("controllers", "controllers", &[], true, &[]),
        ("dual-write", "dual-write", &[0], true, &[0]),
        ("kraft-brokers", "kraft-brokers", &[], true, &[0]),
        ("finalized", "finalized", &[], false, &[0]),
    ];
    for (dir, phase, brokers, ready, observers) in cases {
        let z = zk(dir);
        let c = controllers(dir);
        assert_eq!(
            z.cluster_id.as_deref(),
            Some("Sc3yfWjdQ8Sx0aYhbhvHPw"),
            "{dir}"
        );
        assert_eq!(z.brokers, *brokers, "{dir}");
        assert_eq!(c.zk_migration_ready, *ready, "{dir}");
        let q = c.quorum.as_ref().unwrap();
        assert_eq!((q.leader_id, q.voters.len()), (3000, 1), "{dir}");
        let obs: Vec<i32> = q.observers.iter().map(|o| o.id).collect();
        assert_eq!(obs, *observers, "{dir}");
        let status = phase_of(Some(&z), &c);
        assert_eq!(status.as_ref().map(|s| s.as_str()), Ok(*phase), "{dir}");
        let j = status_json(&status, Some(&z), &c);
        assert_eq!(j["phase"], *phase);
        assert_eq!(j["controllers"]["leader"], 3000);
        assert!(status_text(&status, Some(&z), &c).starts_with(&format!("phase: {phase}\n")));
    }
    // PRE_MIGRATION already has /migration, every field -1.
    assert!(zk("controllers").migration.is_some());
    assert!(!zk("controllers").migrated());
    assert!(zk("dual-write").migrated());
}

#[test]
fn without_zookeeper_or_controllers_the_phase_is_told_only_when_sure() {
    let none = ControllersView::default();
    let mut zk_mode = zk("controllers");
    zk_mode.migration = None;
    zk_mode.brokers = vec![0, 1, 2];
    let cases: &[(Option<&ZkView>, &ControllersView, Result<&str, ()>)] = &[
        // A ZooKeeper cluster, no controllers yet.
        (Some(&zk_mode), &none, Ok("zookeeper")),
        // ZooKeeper retired, controllers without the flag.
        (None, &controllers("finalized"), Ok("finalized")),
        (None, &controllers("kraft-brokers"), Err(())),
        (None, &none, Err(())),
        (Some(&zk("dual-write")), &none, Ok("dual-write")),
        // kraft-brokers or finalized: only the controllers can tell.
        (Some(&zk("kraft-brokers")), &none, Err(())),
    ];
    for (i, (z, c, want)) in cases.iter().enumerate() {
        let got = phase_of(*z, c);
        match want {
            Ok(p) => assert_eq!(got.map(|s| s.as_str()), Ok(*p), "case {i}"),
            Err(()) => assert!(got.is_err(), "case {i}: {got:?}"),
        }
    }
    let j = status_json(&phase_of(None, &none), None, &none);
    assert_eq!(j["phase"], Value::Null);
    assert_eq!(j["zookeeper"], Value::Null);
    assert_eq!(j["controllers"]["reachable"], false);
}

#[test]
fn finalizing_while_zookeeper_lists_brokers_is_refused_and_allowed_once_none_is_left() {
    let dual = zk("dual-write");
    let p = guard_rails(Phase::Finalized, Some(3000), &dual, "zk:2181");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].var, "KAFKA_INIT_MIGRATION");
    assert!(
        p[0].rule.contains("[0]") && p[0].fix.contains("kraft-brokers"),
        "{p:?}"
    );
    assert!(guard_rails(
        Phase::Finalized,
        Some(3000),
        &zk("kraft-brokers"),
        "zk:2181"
    )
    .is_empty());
    // Before finalize, brokers in ZooKeeper are expected.
    assert!(guard_rails(Phase::DualWrite, Some(3000), &dual, "zk:2181").is_empty());
}

#[test]
fn a_controller_id_that_is_a_zookeeper_brokers_id_is_refused() {
    let p = guard_rails(Phase::Controllers, Some(0), &zk("dual-write"), "zk:2181");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].rule.contains("node id 0 is a ZooKeeper broker's id"),
        "{p:?}"
    );
    assert!(guard_rails(Phase::Controllers, Some(3000), &zk("dual-write"), "zk:2181").is_empty());
}

#[test]
fn our_describe_quorum_request_is_the_one_the_controller_answered() {
    let sent = std::fs::read(format!(
        "{}/tests/fixtures/migration/3.9.2/controllers/DescribeQuorum-v1-request.bin",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert_eq!(describe_quorum::encode_request(2, CLIENT), sent);
    let q = controllers("dual-write").quorum.unwrap();
    assert!(q.high_watermark > 0);
    let leader: &Replica = q.voters.iter().find(|v| v.id == 3000).unwrap();
    assert_eq!(leader.log_end_offset, q.high_watermark);
}

/// A fresh directory (removed first) for real files.
fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "kafka-init-migration-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_finalized_controller_takes_the_cluster_id_its_storage_was_formatted_with() {
    // What observe falls back on once ZooKeeper is retired.
    let (empty, formatted) = (scratch("empty"), scratch("formatted"));
    std::fs::write(
        formatted.join("meta.properties"),
        "version=1\nnode.id=3000\ncluster.id=19DRMxDfQtuuoWqsVS1hbw\ndirectory.id=YJnANxqp_r20d8RpfpeCtw\n",
    )
    .unwrap();
    let dirs = format!("{},{}", empty.display(), formatted.display());
    let inputs = Inputs::from_pairs([
        ("KAFKA_INIT_ROLE", "controller"),
        ("KAFKA_CFG_LOG_DIRS", dirs.as_str()),
    ]);
    let settings = Settings::of(&inputs.vars);
    let found = own_cluster_id(&inputs, &settings, Some("properties")).unwrap();
    assert_eq!(found.id, Ok("19DRMxDfQtuuoWqsVS1hbw".to_string()));
    assert_eq!(
        found.from,
        format!("{}/meta.properties", formatted.display())
    );
    let _ = std::fs::remove_dir_all(&empty);
    let _ = std::fs::remove_dir_all(&formatted);
}

#[test]
fn kafka_4_is_refused_while_zookeeper_is_used_and_older_3_x_only_warned_about() {
    // (phase, controller?, the image's APP_VERSION, refused?)
    let cases: &[(Phase, bool, &str, bool)] = &[
        (Phase::Controllers, true, "4.0.2", true),
        (Phase::KraftBrokers, true, "4.4.0", true),
        (Phase::Finalized, true, "4.4.0", false),
        (Phase::DualWrite, false, "4.0.2", true),
        (Phase::KraftBrokers, false, "4.0.2", false),
        (Phase::Controllers, true, "3.9.0", false),
        (Phase::Controllers, true, "3.9.2", false),
    ];
    for (phase, controller, version, refused) in cases {
        let mut pairs = vec![("APP_VERSION", *version)];
        if *controller {
            pairs.push(("KAFKA_INIT_ROLE", "controller"));
        }
        let inputs = Inputs::from_pairs(pairs);
        let settings = Settings::of(&inputs.vars);
        let p = version_rule(&settings, &inputs, Some(*phase));
        assert_eq!(
            !p.is_empty(),
            *refused,
            "{phase:?} {controller} {version}: {p:?}"
        );
        if *refused {
            assert!(p[0].rule.contains("no ZooKeeper support"), "{p:?}");
        }
    }
    // The catalog's default version is never judged.
    let inputs = Inputs::from_pairs([("KAFKA_INIT_ROLE", "controller")]);
    let settings = Settings::of(&inputs.vars);
    assert!(version_rule(&settings, &inputs, Some(Phase::Controllers)).is_empty());
}

#[test]
fn probe_and_status_derive_a_migrating_controllers_quorum_without_its_cluster_id() {
    // The controller's own env as the migration overlay gives it: the id
    // comes from ZooKeeper only when it starts (exec, prepare, plan).
    let inputs = Inputs::from_pairs([
        ("POD_NAME", "kafka-controller-1"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_FLAVOR", "properties"),
        ("KAFKA_INIT_ROLE", "controller"),
        ("KAFKA_INIT_MODE", "kraft"),
        ("KAFKA_INIT_ID_OFFSET", "3000"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_BROKER_REPLICAS", "3"),
        ("KAFKA_INIT_MIGRATION", "controllers"),
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk-service.zk:32181"),
        ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT_INTERNAL"),
    ]);
    let refused = crate::cmd::derive_for(&inputs, None, None).unwrap_err();
    assert!(
        refused.to_string().contains("KAFKA_INIT_CLUSTER_ID"),
        "{refused}"
    );
    let plan = crate::cmd::derive_to_read(&inputs).unwrap();
    assert_eq!(
        plan.get("controller.quorum.voters"),
        Some("3000@kafka-controller-0.kafka-controller.kafka.svc.cluster.local:9093,3001@kafka-controller-1.kafka-controller.kafka.svc.cluster.local:9093,3002@kafka-controller-2.kafka-controller.kafka.svc.cluster.local:9093")
    );
}
