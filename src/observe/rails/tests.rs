//! The guard rails as a table: each phase and role, against ZooKeeper's
//! answers captured in a real migration (tests/fixtures/migration/3.9.2/)
//! or a reason it could not be read.

use std::path::{Path, PathBuf};

use super::*;
use crate::observe::zookeeper::zk_view;
use crate::zookeeper::{self, Failure, Why};

fn fixture(dir: &str, name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/migration/3.9.2/{dir}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))[4..].to_vec()
}

/// ZooKeeper as it was in `dir`'s phase.
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

const ID: &str = "Sc3yfWjdQ8Sx0aYhbhvHPw";

fn failed(why: Why) -> Result<ZkView, Failure> {
    Err(Failure {
        why,
        detail: "zk:2181: what happened".into(),
    })
}

/// What a case changes from a default: facts of a node in `phase`.
struct Case {
    what: &'static str,
    phase: Phase,
    controller: bool,
    zk: Option<Result<ZkView, Failure>>,
    own_id: i64,
    set: Option<&'static str>,
    stored: Option<&'static str>,
    record: Option<Phase>,
    /// The `/migration` czxid the volume's record holds.
    czxid: Option<i64>,
    /// The volume's metadata log holds records.
    log: bool,
    unsafe_finalize: bool,
    /// `Ok(recorded step)` or `Err(texts the one problem holds)`.
    want: Result<Option<Phase>, &'static [&'static str]>,
}

fn case(what: &'static str, phase: Phase, controller: bool) -> Case {
    Case {
        what,
        phase,
        controller,
        zk: None,
        own_id: if controller { 3000 } else { 1 },
        set: None,
        stored: None,
        record: None,
        czxid: None,
        log: false,
        unsafe_finalize: false,
        want: Ok(None),
    }
}

fn run(c: &Case) -> Verdict {
    let stored = c.stored.map(|id| StoredClusterId {
        path: PathBuf::from("/data/meta.properties"),
        id: id.into(),
        version: 1,
    });
    let record = c.record.map(|confirmed| Record {
        confirmed,
        cluster_id: None,
        migration_czxid: c.czxid,
    });
    judge(&Facts {
        phase: c.phase,
        controller: c.controller,
        connect: Some(("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181")),
        zk: c.zk.as_ref(),
        own_id: Some(c.own_id),
        cluster_id_set: c.set,
        stored: stored.as_ref(),
        record: record.as_ref(),
        meta_dir: Path::new("/data"),
        metadata_log: c.log,
        unsafe_finalize: c.unsafe_finalize,
    })
}

#[test]
fn each_guard_rail_refuses_with_its_reason_and_passes_when_the_state_is_right() {
    use Phase::*;
    let refused = |c: Case, texts: &'static [&'static str]| Case {
        want: Err(texts),
        ..c
    };
    let cases = vec![
        // Brokers into KRaft: only once ZooKeeper's metadata was copied.
        refused(
            Case {
                zk: Some(Ok(zk("controllers"))),
                ..case("broker too early (PRE_MIGRATION)", KraftBrokers, false)
            },
            &[
                "in phase kraft-brokers this broker starts as a KRaft broker",
                "kraft_metadata_offset is -1",
                "Completed migration of metadata from ZooKeeper to KRaft",
                "kafka-init migration status",
            ],
        ),
        refused(
            Case {
                zk: Some(Ok(ZkView {
                    cluster_id: Some(ID.into()),
                    ..Default::default()
                })),
                ..case("broker too early (no /migration)", KraftBrokers, false)
            },
            &["/migration does not exist"],
        ),
        Case {
            zk: Some(Ok(zk("dual-write"))),
            want: Ok(Some(KraftBrokers)),
            ..case("broker after the copy: recorded", KraftBrokers, false)
        },
        Case {
            record: Some(KraftBrokers),
            ..case(
                "broker that already ran as KRaft: no ZooKeeper needed",
                KraftBrokers,
                false,
            )
        },
        refused(
            Case {
                zk: Some(failed(Why::Connection)),
                ..case(
                    "broker, ZooKeeper down, in kraft-brokers",
                    KraftBrokers,
                    false,
                )
            },
            &["could not be read: no connection", "NetworkPolicy"],
        ),
        Case {
            zk: Some(failed(Why::Resolution)),
            ..case(
                "broker in finalized, ZooKeeper retired (nobody there)",
                Finalized,
                false,
            )
        },
        refused(
            Case {
                zk: Some(failed(Why::Authentication)),
                ..case(
                    "broker in finalized, NOAUTH is not retired",
                    Finalized,
                    false,
                )
            },
            &["authentication (NOAUTH)", "not retired", "world:anyone:r"],
        ),
        refused(
            Case {
                zk: Some(failed(Why::SessionClosed)),
                ..case(
                    "broker in finalized, SASL-only server is not retired",
                    Finalized,
                    false,
                )
            },
            &["session closed by the server", "requires SASL or TLS"],
        ),
        // Finalize: the first start needs ZooKeeper's word, then the volume's.
        Case {
            zk: Some(Ok(zk("kraft-brokers"))),
            want: Ok(Some(Finalized)),
            ..case("finalize, no broker registered: recorded", Finalized, true)
        },
        refused(
            Case {
                zk: Some(Ok(zk("dual-write"))),
                ..case("finalize while a broker is registered", Finalized, true)
            },
            &["still lists brokers [0]", "kraft-brokers"],
        ),
        refused(
            Case {
                zk: Some(failed(Why::Resolution)),
                ..case(
                    "finalize, ZooKeeper unresolvable, first start",
                    Finalized,
                    true,
                )
            },
            &[
                "first start of a controller in phase finalized",
                "name resolution failed",
                UNSAFE_FINALIZE,
            ],
        ),
        refused(
            Case {
                zk: Some(failed(Why::Protocol)),
                ..case("finalize, a protocol error", Finalized, true)
            },
            &["protocol error"],
        ),
        Case {
            record: Some(Finalized),
            ..case(
                "finalize, later start: the volume's record",
                Finalized,
                true,
            )
        },
        Case {
            zk: Some(failed(Why::Connection)),
            unsafe_finalize: true,
            want: Ok(Some(Finalized)),
            ..case("finalize with the loud override", Finalized, true)
        },
        // Migrating controllers: ZooKeeper is needed, whatever the id settings.
        refused(
            Case {
                zk: Some(failed(Why::SessionRefused)),
                set: Some(ID),
                ..case(
                    "controller, session refused, cluster id set",
                    Controllers,
                    true,
                )
            },
            &["session refused", "could not be read"],
        ),
        refused(
            Case {
                zk: Some(Ok(zk("controllers"))),
                set: Some("MkU3OEVBNTcwNTJENDM2Qk"),
                ..case(
                    "a set cluster id that is not /cluster/id",
                    Controllers,
                    true,
                )
            },
            &[
                "/cluster/id is Sc3yfWjdQ8Sx0aYhbhvHPw",
                "KAFKA_INIT_CLUSTER_ID=Sc3yfWjdQ8Sx0aYhbhvHPw",
            ],
        ),
        Case {
            zk: Some(Ok(zk("controllers"))),
            set: Some(ID),
            want: Ok(Some(Controllers)),
            ..case("a set cluster id equal to /cluster/id", Controllers, true)
        },
        refused(
            Case {
                zk: Some(Ok(zk("controllers"))),
                stored: Some("MkU3OEVBNTcwNTJENDM2Qk"),
                ..case(
                    "a controller volume formatted for another attempt",
                    Controllers,
                    true,
                )
            },
            &[
                "formatted for cluster MkU3OEVBNTcwNTJENDM2Qk",
                "another migration attempt",
                "claimRef",
            ],
        ),
        Case {
            zk: Some(Ok(zk("controllers"))),
            stored: Some(ID),
            want: Ok(Some(Controllers)),
            ..case(
                "a controller volume of this cluster (a restart)",
                Controllers,
                true,
            )
        },
        refused(
            Case {
                zk: Some(Ok(zk("dual-write"))),
                own_id: 0,
                ..case("a controller id that is a broker's", MigrationMode, true)
            },
            &["node id 0 is a ZooKeeper broker's id"],
        ),
        refused(
            Case {
                zk: Some(Ok(ZkView::default())),
                ..case("no /cluster/id (wrong chroot)", Controllers, true)
            },
            &["missing znode", "chroot"],
        ),
        Case {
            zk: Some(Ok(zk("dual-write"))),
            want: Ok(Some(MigrationMode)),
            ..case(
                "brokers in dual write are expected before finalize",
                MigrationMode,
                true,
            )
        },
        // A migrating controller's volume must be of this attempt (/migration's czxid).
        refused(
            Case {
                zk: Some(Ok(ZkView {
                    cluster_id: Some(ID.into()),
                    ..Default::default()
                })),
                record: Some(Controllers),
                czxid: Some(0x2a),
                ..case(
                    "a controller volume of an attempt rolled back since (recorded)",
                    Controllers,
                    true,
                )
            },
            &[
                "/data",
                "migration.czxid=0x2a",
                "belongs to an earlier migration attempt",
                "its kafka-init-migration says this controller ran with ZooKeeper's /migration created at zxid 0x2a",
                "ZooKeeper (zk:2181) has no /migration: it was deleted since",
                "to re-attempt the migration",
                "KRaft controller indicates an active migration, but the ZK state does not",
                "retire the old controller volume before this attempt: delete the PVC, clear the PV's spec.claimRef (or delete the PV) and empty its directory on the storage server (meta.properties, __cluster_metadata-0, kafka-init-migration",
            ],
        ),
        refused(
            Case {
                zk: Some(Ok(zk("controllers"))),
                record: Some(MigrationMode),
                czxid: Some(0x2a),
                log: true,
                ..case(
                    "a controller volume of an earlier attempt, the new one begun",
                    Controllers,
                    true,
                )
            },
            &[
                "migration.czxid=0x2a",
                "has /migration created at zxid 0x51, another attempt's",
            ],
        ),
        refused(
            Case {
                zk: Some(Ok(ZkView {
                    cluster_id: Some(ID.into()),
                    ..Default::default()
                })),
                log: true,
                stored: Some(ID),
                ..case(
                    "a metadata log and no /migration, nothing recorded",
                    Controllers,
                    true,
                )
            },
            &[
                "__cluster_metadata-0 not empty",
                "its metadata log (/data/__cluster_metadata-0) holds records",
                "every migrating controller creates /migration as it starts",
                "has no /migration",
            ],
        ),
        Case {
            zk: Some(Ok(zk("controllers"))),
            record: Some(Controllers),
            czxid: Some(0x51),
            log: true,
            stored: Some(ID),
            want: Ok(Some(MigrationMode)),
            ..case(
                "a restart within the attempt (the recorded /migration)",
                MigrationMode,
                true,
            )
        },
        Case {
            zk: Some(Ok(zk("controllers"))),
            log: true,
            stored: Some(ID),
            want: Ok(Some(Controllers)),
            ..case(
                "a restart within the attempt, nothing recorded yet: /migration recorded",
                Controllers,
                true,
            )
        },
        Case {
            zk: Some(Ok(ZkView {
                cluster_id: Some(ID.into()),
                ..Default::default()
            })),
            ..case(
                "a fresh volume before any /migration: nothing to record",
                Controllers,
                true,
            )
        },
    ];
    for c in &cases {
        let v = run(c);
        match c.want {
            Ok(step) => {
                assert!(v.problems.is_empty(), "{}: {:?}", c.what, v.problems);
                assert_eq!(v.record.map(|r| r.confirmed), step, "{}", c.what);
            }
            Err(texts) => {
                assert_eq!(v.problems.len(), 1, "{}: {:?}", c.what, v.problems);
                assert_eq!(v.record, None, "{}: nothing recorded when refused", c.what);
                let p = &v.problems[0];
                let all = format!("{} {} {} {}", p.var, p.value, p.rule, p.fix);
                for t in texts {
                    assert!(all.contains(t), "{}: {t:?} not in {all}", c.what);
                }
            }
        }
    }
}

#[test]
fn without_a_connect_string_only_a_finalized_broker_goes_on() {
    let judge_without = |phase, controller| {
        let c = case("", phase, controller);
        judge(&Facts {
            phase,
            controller,
            connect: None,
            zk: None,
            own_id: Some(c.own_id),
            cluster_id_set: None,
            stored: None,
            record: None,
            meta_dir: Path::new("/data"),
            metadata_log: false,
            unsafe_finalize: false,
        })
    };
    assert!(judge_without(Phase::Finalized, false).problems.is_empty());
    let p = judge_without(Phase::KraftBrokers, false).problems;
    assert!(
        p[0].fix.contains("keep KAFKA_CFG_ZOOKEEPER_CONNECT set"),
        "{p:?}"
    );
    let p = judge_without(Phase::Finalized, true).problems;
    assert!(p[0].rule.contains("zookeeper.connect is not set"), "{p:?}");
}

#[test]
fn only_nobody_there_in_finalized_counts_as_retired_and_the_override_is_logged() {
    let retired = run(&Case {
        zk: Some(failed(Why::Connection)),
        ..case("", Phase::Finalized, false)
    });
    assert!(matches!(&retired.notes[..], [Note::Info(m)] if m.starts_with("ZooKeeper retired")));
    for why in [
        Why::Silent,
        Why::SessionClosed,
        Why::SessionRefused,
        Why::Authentication,
        Why::Protocol,
        Why::ConnectString,
    ] {
        assert!(!why.nobody_there(), "{why:?}");
    }
    let overridden = run(&Case {
        zk: Some(failed(Why::Authentication)),
        unsafe_finalize: true,
        ..case("", Phase::Finalized, true)
    });
    assert!(matches!(&overridden.notes[..], [Note::Warn(m)] if m.contains(UNSAFE_FINALIZE)));
}

#[test]
fn zookeeper_is_read_only_where_a_rail_needs_it() {
    use Phase::*;
    let rec = |p| {
        Some(Record {
            confirmed: p,
            cluster_id: None,
            migration_czxid: None,
        })
    };
    // (phase, controller, record, needs)
    let cases: &[(Phase, bool, Option<Record>, bool)] = &[
        (Controllers, true, None, true),
        (MigrationMode, true, rec(Finalized), true),
        (Finalized, true, None, true),
        (Finalized, true, rec(Finalized), false),
        (Controllers, false, None, false),
        (MigrationMode, false, None, false),
        (KraftBrokers, false, None, true),
        (KraftBrokers, false, rec(KraftBrokers), false),
        (Finalized, false, rec(KraftBrokers), false),
        (Finalized, false, None, true),
    ];
    for (phase, controller, record, needs) in cases {
        assert_eq!(
            needs_zookeeper(*phase, *controller, record.as_ref()),
            *needs,
            "{phase:?} {controller} {record:?}"
        );
    }
}
