//! `migration status` and the ZooKeeper guard rails on answers captured
//! from a real migration (tests/fixtures/migration/3.9.2/<phase>/: ZooKeeper
//! 3.8.4, a 3.9.2 controller and a 3.9.2 broker configured by kafka-init,
//! driven through every phase; see the fixtures' README).

use super::*;
use crate::observe::zookeeper::zk_view;
use crate::wire::api_versions;
use crate::wire::describe_quorum::Replica;
use crate::zookeeper;

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
        zookeeper::decode_znode(&fixture(dir, "zk-migration-response.bin"), 3).unwrap(),
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
        unanswered: vec![],
    }
}

#[test]
fn tells_each_phase_of_a_real_migration_from_its_captured_answers() {
    // (fixture dir, phase, brokers in ZooKeeper, ZkMigrationReady, observers)
    type Case<'a> = (&'a str, &'a str, &'a [i64], bool, &'a [i32]);
    let cases: &[Case] = &[
        ("controllers", "controllers", &[], true, &[]),
        ("dual-write", "migration-mode", &[0], true, &[0]),
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
        let seen = Seen {
            zk: Ok(z.clone()),
            controllers: c.clone(),
        };
        let j = status_json(&status, &seen);
        assert_eq!(j["phase"], *phase);
        assert_eq!(j["controllers"]["leader"], 3000);
        assert!(status_text(&status, &seen).starts_with(&format!("phase: {phase}\n")));
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
        (Some(&zk("dual-write")), &none, Ok("migration-mode")),
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
    let seen = Seen {
        zk: Err("zk:2181: no connection: connection refused".into()),
        controllers: none.clone(),
    };
    let status = phase_of(None, &none);
    let j = status_json(&status, &seen);
    assert_eq!(j["phase"], Value::Null);
    assert_eq!(j["zookeeper"], Value::Null);
    assert_eq!(
        j["zookeeper_error"],
        "zk:2181: no connection: connection refused"
    );
    assert_eq!(j["controllers"]["reachable"], false);
    // Why ZooKeeper was not read is shown, not just that it was not.
    let text = status_text(&status, &seen);
    assert!(
        text.contains("zookeeper: not read (zk:2181: no connection: connection refused)\n"),
        "{text}"
    );
}

#[test]
fn our_describe_quorum_request_is_the_one_the_controller_answered() {
    let sent = std::fs::read(format!(
        "{}/tests/fixtures/migration/3.9.2/controllers/DescribeQuorum-v1-request.bin",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert_eq!(describe_quorum::encode_request(2, "kafka-init"), sent);
    let q = controllers("dual-write").quorum.unwrap();
    assert!(q.high_watermark > 0);
    let leader: &Replica = q.voters.iter().find(|v| v.id == 3000).unwrap();
    assert_eq!(leader.log_end_offset, q.high_watermark);
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

#[test]
fn a_rollback_is_safe_only_while_zookeepers_controller_epoch_is_above_the_kraft_controllers() {
    // The captured dual write: /migration's kraft_controller_epoch and the
    // quorum's leader epoch, as 3.9.2 wrote and answered them.
    let z = zk("dual-write");
    let c = controllers("dual-write");
    let m = z.migration.as_ref().unwrap()["kraft_controller_epoch"]
        .as_i64()
        .unwrap();
    let q = i64::from(c.quorum.as_ref().unwrap().leader_epoch);
    assert_eq!((m, q), (1, 1), "the fixtures' epochs");
    let with = |zk_epoch: Option<i64>, migration_epoch: Option<i64>, quorum_epoch: Option<i64>| {
        let mut migration = z.migration.clone().unwrap();
        migration["kraft_controller_epoch"] = serde_json::json!(migration_epoch.unwrap_or(-1));
        let mut controllers = c.clone();
        match quorum_epoch {
            Some(e) => controllers.quorum.as_mut().unwrap().leader_epoch = e as i32,
            None => controllers = ControllersView::default(),
        }
        Seen {
            zk: Ok(ZkView {
                controller_epoch: zk_epoch,
                migration: Some(migration),
                ..z.clone()
            }),
            controllers,
        }
    };
    let migrating = Ok(Status::Phase(Phase::MigrationMode));
    let kraft_brokers = Ok(Status::Phase(Phase::KraftBrokers));
    let finalized = Ok(Status::Phase(Phase::Finalized));
    let none_yet = Ok(Status::ZooKeeper);
    // (phase, ZooKeeper's, /migration's, the quorum's epoch (None: no
    // controller answered), verdict (None: unknown), the KRaft epoch compared,
    // what the reason says)
    type Case<'a> = (
        &'a Result<Status, String>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<bool>,
        Option<i64>,
        &'a str,
    );
    let cases: &[Case] = &[
        // Apache's rule: ZooKeeper's above /migration's kraft_controller_epoch.
        (&migrating, Some(6), Some(5), Some(5), Some(true), Some(5), "ZooKeeper /controller_epoch 6 > KRaft controller epoch 5 (/migration kraft_controller_epoch 5, KRaft quorum epoch 5)"),
        // What the e2e sees on 3.9.2: ZooKeeper 4, KRaft 5, and the workaround named.
        (&migrating, Some(4), Some(5), Some(5), Some(false), Some(5), "ZooKeeper /controller_epoch 4 is not greater than the KRaft controller epoch 5"),
        (&migrating, Some(4), Some(5), Some(5), Some(false), Some(5), "Apache's workaround, before deprovisioning the KRaft controller quorum: in zookeeper-shell.sh, `set /controller_epoch 6` (any value above 5), then check again"),
        (&migrating, Some(5), Some(5), Some(5), Some(false), Some(5), "`set /controller_epoch 6`"),
        // The controllers deprovisioned: /migration alone decides (Apache's check).
        (&migrating, Some(6), Some(5), None, Some(true), Some(5), "(/migration kraft_controller_epoch 5)"),
        (&migrating, Some(5), Some(5), None, Some(false), Some(5), "`set /controller_epoch 6`"),
        // A leader elected since /migration was written: the higher one counts.
        (&kraft_brokers, Some(6), Some(5), Some(7), Some(false), Some(7), "`set /controller_epoch 8` (any value above 7)"),
        // PRE_MIGRATION's -1: the quorum's epoch alone.
        (&migrating, Some(3), None, Some(2), Some(true), Some(2), "(KRaft quorum epoch 2)"),
        (&migrating, Some(3), None, None, None, None, "the KRaft controller epoch is unknown"),
        (&migrating, None, Some(5), Some(5), None, Some(5), "ZooKeeper has no /controller_epoch"),
        (&finalized, Some(6), Some(5), Some(5), Some(false), Some(5), "impossible: the migration is finalized"),
        (&none_yet, Some(4), Some(5), Some(5), Some(true), Some(5), "nothing to roll back"),
    ];
    for (i, (status, zk_epoch, migration_epoch, quorum_epoch, want, kraft, says)) in
        cases.iter().enumerate()
    {
        let s = with(*zk_epoch, *migration_epoch, *quorum_epoch);
        let (got, why) = match rollback(status, &s) {
            Rollback::Safe(w) => (Some(true), w),
            Rollback::Unsafe(w) => (Some(false), w),
            Rollback::Unknown(w) => (None, w),
        };
        assert_eq!(got, *want, "case {i}: {why}");
        assert!(why.contains(says), "case {i}: {why}");
        let j = status_json(status, &s);
        assert_eq!(j["rollback"]["safe"], serde_json::json!(want), "case {i}");
        assert_eq!(j["rollback"]["why"], serde_json::json!(why), "case {i}");
        assert_eq!(
            j["rollback"]["zk_epoch"],
            serde_json::json!(zk_epoch),
            "case {i}"
        );
        assert_eq!(
            j["rollback"]["kraft_epoch"],
            serde_json::json!(kraft),
            "case {i}"
        );
        let text = status_text(status, &s);
        let line = match got {
            Some(true) => format!("rollback: safe now ({why})\n"),
            Some(false) => format!("rollback: NOT safe now ({why})\n"),
            None => format!("rollback: unknown ({why})\n"),
        };
        assert!(text.ends_with(&line), "case {i}: {text}");
    }
    // ZooKeeper not read: unknown, with the reason.
    let s = Seen {
        zk: Err("zk-service.zk:32181: resolution: no such host".into()),
        controllers: c.clone(),
    };
    match rollback(&migrating, &s) {
        Rollback::Unknown(w) => assert!(
            w.contains("was not read (zk-service.zk:32181: resolution"),
            "{w}"
        ),
        other => panic!("{other:?}"),
    }
}
