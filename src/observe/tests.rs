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
fn the_volume_gives_the_cluster_id_of_every_dir_that_holds_one_in_kafkas_order() {
    // What the Plan decides the cluster id from when none is set (any KRaft
    // node, a finalized controller once ZooKeeper is retired too).
    let (empty, formatted, metadata) =
        (scratch("empty"), scratch("formatted"), scratch("metadata"));
    std::fs::write(
        formatted.join("meta.properties"),
        "version=1\nnode.id=3000\ncluster.id=19DRMxDfQtuuoWqsVS1hbw\ndirectory.id=YJnANxqp_r20d8RpfpeCtw\n",
    )
    .unwrap();
    std::fs::write(
        metadata.join("meta.properties"),
        "version=1\nnode.id=3000\ncluster.id=Sc3yfWjdQ8Sx0aYhbhvHPw\ndirectory.id=Q2hyb290ZWRDbHVzdGVyMQ\n",
    )
    .unwrap();
    let setting = |v: String, var: &str| crate::plan::UserSetting {
        value: v,
        var: var.into(),
    };
    let user: UserSettings = [
        (
            "log.dirs".to_string(),
            setting(
                format!("{},{}", formatted.display(), empty.display()),
                "KAFKA_CFG_LOG_DIRS",
            ),
        ),
        (
            "metadata.log.dir".to_string(),
            setting(metadata.display().to_string(), "KAFKA_CFG_METADATA_LOG_DIR"),
        ),
    ]
    .into();
    assert_eq!(volume::metadata_dir(&user, "/nowhere"), metadata);
    let dirs = volume::meta_dirs(&user, "/nowhere");
    assert_eq!(dirs, [formatted.clone(), empty.clone(), metadata.clone()]);
    let found = volume::stored_cluster_ids(&dirs);
    let mut want = vec![
        (formatted.join("meta.properties"), "19DRMxDfQtuuoWqsVS1hbw"),
        (metadata.join("meta.properties"), "Sc3yfWjdQ8Sx0aYhbhvHPw"),
    ];
    want.sort();
    let got: Vec<_> = found
        .iter()
        .map(|s| (s.path.clone(), s.id.as_str()))
        .collect();
    assert_eq!(got, want);
    for d in [empty, formatted, metadata] {
        let _ = std::fs::remove_dir_all(d);
    }
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
