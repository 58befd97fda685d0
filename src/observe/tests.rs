//! The observation's rules that need no ZooKeeper: the Kafka version rule
//! and what the node's own volume holds (real files).

use super::*;

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
    let user: UserSettings = [(
        "log.dirs".to_string(),
        crate::plan::UserSetting {
            value: dirs,
            var: "KAFKA_CFG_LOG_DIRS".into(),
        },
    )]
    .into();
    let found = volume::stored_cluster_id(&volume::data_dirs(&user, "/nowhere")).unwrap();
    assert_eq!(found.id, "19DRMxDfQtuuoWqsVS1hbw");
    assert_eq!(found.path, formatted.join("meta.properties"));
    assert_eq!(volume::metadata_dir(&user, "/nowhere"), empty);
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
        (Phase::MigrationMode, false, "4.0.2", true),
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
