use super::*;

fn v(name: &str) -> Version {
    Version::exact(name).unwrap()
}

fn kinds(found: &[Finding]) -> Vec<FindingKind> {
    found.iter().map(|f| f.kind).collect()
}

fn ctx(listeners: &[&str]) -> Context {
    Context {
        listeners: listeners.iter().map(|s| s.to_string()).collect(),
        ..Context::default()
    }
}

#[test]
fn check_accepts_values_kafka_accepts() {
    let c = ctx(&["PLAINTEXT_INTERNAL", "CONTROLLER"]);
    let cases: &[(&str, &str, &str)] = &[
        ("4.4.0", "num.io.threads", " 8 "),
        ("4.4.0", "auto.create.topics.enable", "FALSE"),
        ("4.4.0", "security.inter.broker.protocol", " SSL "),
        ("4.4.0", "process.roles", "broker, controller"),
        ("4.4.0", "compression.gzip.level", "-1"),
        (
            "4.4.0",
            "controller.quorum.voters",
            "0@kafka-0.kafka:9093,1@kafka-1.kafka:9093",
        ),
        (
            "4.4.0",
            "listener.name.plaintext_internal.ssl.keystore.location",
            "/k",
        ),
        (
            "4.4.0",
            "listener.name.plaintext_internal.plain.sasl.jaas.config",
            "x required;",
        ),
        ("4.4.0", "listener.name.controller.max.connections", "100"),
        ("4.4.0", "config.providers", "file"),
        (
            "4.4.0",
            "config.providers.file.class",
            "org.apache.kafka.common.config.provider.FileConfigProvider",
        ),
        ("3.9.0", "config.providers.env.param.allowlist.pattern", "x"),
        ("4.4.0", "rsm.config.bucket", "b"),
        (
            "4.4.0",
            "rlmm.config.remote.log.metadata.topic.replication.factor",
            "3",
        ),
        (
            "4.4.0",
            "remote.log.metadata.common.client.bootstrap.servers",
            "a:1",
        ),
        ("4.4.0", "super.users", "User:admin"),
        ("3.9.0", "process.roles", ""),
        ("3.9.0", "process.roles", "broker,broker"),
        ("3.9.0", "listeners", "a,,b"),
        ("3.9.0", "zookeeper.connect", "zk:2181"),
        ("4.1.2", "group.streams.heartbeat.interval.ms", "5000"),
        ("4.4.0", "num.io.threads", "${env:IO_THREADS}"),
        (
            "4.4.0",
            "ssl.keystore.password",
            "${file:/etc/kafka/secrets.properties:keystore}",
        ),
    ];
    for (ver, key, value) in cases {
        let found = check(v(ver), key, value, &c);
        assert!(
            found.iter().all(|f| !f.is_fatal()),
            "{ver} {key}={value}: {found:?}"
        );
    }
}

#[test]
fn check_refuses_values_kafka_refuses_with_kafkas_wording() {
    let c = Context::default();
    let cases: &[(&str, &str, &str, &str)] = &[
        ("4.4.0", "num.io.threads", "0", "Invalid value 0 for configuration num.io.threads: Value must be at least 1"),
        ("4.4.0", "num.io.threads", "eight", "Invalid value eight for configuration num.io.threads: Not a number of type INT"),
        ("4.4.0", "auto.create.topics.enable", "yes", "Expected value to be either true or false"),
        ("4.4.0", "process.roles", "broker,,controller", "Configuration 'process.roles' values must not be empty."),
        ("4.4.0", "process.roles", "", "Configuration 'process.roles' must not be empty. Valid values include: [broker, controller]"),
        ("4.4.0", "listeners", "", "Configuration 'listeners' must not be empty. Valid values include: any non-empty value"),
        ("3.9.0", "process.roles", "broker,,controller", "Invalid value  for configuration process.roles: String must be one of: broker, controller"),
        ("4.4.0", "log.cleanup.policy", "compact,foo", "Invalid value foo for configuration log.cleanup.policy: String must be one of: compact, delete"),
        ("4.4.0", "compression.gzip.level", "10", "Invalid value 10 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1"),
        ("4.4.0", "log.cleaner.min.cleanable.ratio", "1.5", "Invalid value 1.5 for configuration log.cleaner.min.cleanable.ratio: Value must be no more than 1"),
        ("4.4.0", "controller.quorum.voters", "0@a", "Failed to parse host name from entry 0@a"),
        ("4.4.0", "remote.log.storage.manager.impl.prefix", " ", "String must be non-empty"),
        ("4.0.2", "log.segment.bytes", "1000", "Value must be at least 1048576"),
        ("4.4.0", "num.io.threads", "${IO_THREADS}", "Not a number of type INT"),
    ];
    for (ver, key, value, rule) in cases {
        let found = check(v(ver), key, value, &c);
        assert_eq!(
            kinds(&found)[..1],
            [FindingKind::Invalid],
            "{ver} {key}={value}: {found:?}"
        );
        assert!(
            found[0].rule.contains(rule),
            "{ver} {key}={value}: {}",
            found[0].rule
        );
        assert!(
            found[0].fix.starts_with(&format!("give {key} ")),
            "{}",
            found[0].fix
        );
    }
}

#[test]
fn unknown_keys_get_the_nearest_known_keys() {
    let found = check(v("4.4.0"), "log.retention.hour", "24", &Context::default());
    assert_eq!(kinds(&found), [FindingKind::Unknown]);
    assert!(
        found[0].fix.starts_with("did you mean log.retention.hours"),
        "{}",
        found[0].fix
    );
    assert!(found[0].fix.contains("KAFKA_INIT_EXTRA_KEYS"));
    assert!(found[0].rule.contains("ignore it silently"));
}

#[test]
fn removed_keys_name_the_version_that_removed_them_and_their_replacement() {
    let c = Context::default();
    let found = check(v("4.4.0"), "log.message.format.version", "3.9", &c);
    assert_eq!(kinds(&found), [FindingKind::Removed]);
    assert!(
        found[0]
            .rule
            .contains("removed in Kafka 4.0 (last in 3.9.2)"),
        "{}",
        found[0].rule
    );
    assert!(found[0].fix.contains("KIP-724"));
    let zk = check(v("4.0.2"), "zookeeper.ssl.client.enable", "true", &c);
    assert_eq!(kinds(&zk), [FindingKind::Removed]);
    assert!(zk[0].fix.contains("KRaft"));
}

#[test]
fn on_3_9_keys_removed_in_4_0_and_documented_deprecations_are_warnings() {
    let c = Context::default();
    let found = check(v("3.9.0"), "log.message.format.version", "3.9", &c);
    assert_eq!(kinds(&found), [FindingKind::Deprecated]);
    assert!(!found[0].is_fatal());
    assert!(
        found[0].rule.contains("removed in Kafka 4.0"),
        "{}",
        found[0].rule
    );
    let broker_id = check(v("4.4.0"), "broker.id", "1", &c);
    assert_eq!(kinds(&broker_id), [FindingKind::Deprecated]);
    assert!(broker_id[0].fix.contains("node.id"));
}

#[test]
fn keys_of_newer_versions_are_unknown_to_older_ones_with_the_version_that_has_them() {
    let found = check(v("4.0.2"), "cordoned.log.dirs", "/a", &Context::default());
    assert_eq!(kinds(&found), [FindingKind::Unknown]);
    assert!(
        found[0].rule.contains("appears in Kafka 4.4.0"),
        "{}",
        found[0].rule
    );
}

#[test]
fn listener_prefixes_need_one_of_this_brokers_listeners_in_lower_case() {
    let c = ctx(&["PLAINTEXT", "SASL_SSL"]);
    let other = check(
        v("4.4.0"),
        "listener.name.external.ssl.keystore.location",
        "/k",
        &c,
    );
    assert_eq!(kinds(&other), [FindingKind::Unknown]);
    assert!(other[0].rule.contains("no listener \"external\""));
    let upper = check(
        v("4.4.0"),
        "listener.name.SASL_SSL.ssl.keystore.location",
        "/k",
        &c,
    );
    assert!(upper[0].rule.contains("lower case"), "{}", upper[0].rule);
    let bad_value = check(
        v("4.4.0"),
        "listener.name.sasl_ssl.max.connections",
        "-5",
        &c,
    );
    assert_eq!(kinds(&bad_value), [FindingKind::Invalid]);
    assert!(bad_value[0]
        .rule
        .contains("configuration listener.name.sasl_ssl.max.connections"));
    let typo = check(
        v("4.4.0"),
        "listener.name.sasl_ssl.ssl.keystore.locaton",
        "/k",
        &c,
    );
    assert_eq!(kinds(&typo), [FindingKind::Unknown]);
    assert!(
        typo[0].fix.contains("ssl.keystore.location"),
        "{}",
        typo[0].fix
    );
}

#[test]
fn config_provider_and_tiered_storage_prefixes_are_checked() {
    let c = Context {
        rsm_prefix: Some("s3.".into()),
        ..Context::default()
    };
    assert!(check(v("4.4.0"), "s3.bucket", "b", &c).is_empty());
    assert_eq!(
        kinds(&check(v("4.4.0"), "rsm.config.bucket", "b", &c)),
        [FindingKind::Unknown]
    );
    assert_eq!(
        kinds(&check(v("4.4.0"), "config.providers.file.klass", "x", &c)),
        [FindingKind::Unknown]
    );
}

#[test]
fn extra_keys_are_taken_as_they_are() {
    let c = Context {
        extra_keys: parse_extra_keys("my.plugin.*, ldap.url").unwrap(),
        ..Context::default()
    };
    assert!(check(v("4.4.0"), "my.plugin.anything", "x", &c).is_empty());
    assert!(check(v("4.4.0"), "ldap.url", "x", &c).is_empty());
    assert_eq!(
        kinds(&check(v("4.4.0"), "ldap.urls", "x", &c)),
        [FindingKind::Unknown]
    );
    assert!(parse_extra_keys("a*b").is_err());
    assert!(parse_extra_keys(".*").is_err());
    assert_eq!(parse_extra_keys(" , ").unwrap(), Vec::<String>::new());
}

#[test]
fn a_refused_password_is_never_echoed() {
    // No PASSWORD key has a validator today; a per-listener password with a
    // validator-free type cannot be refused, so check the redaction path
    // through a PASSWORD key parsed as such.
    let k = v("4.4.0").key("ssl.keystore.password").unwrap();
    assert_eq!(k.ty, Type::Password);
    assert!(check(
        v("4.4.0"),
        "ssl.keystore.password",
        "hunter2",
        &Context::default()
    )
    .is_empty());
}

#[test]
fn is_password_covers_every_declared_password_and_its_listener_forms() {
    for key in [
        "ssl.keystore.password",
        "ssl.keystore.key",
        "ssl.keystore.certificate.chain",
        "ssl.truststore.certificates",
        "delegation.token.master.key",
        "delegation.token.secret.key",
        "sasl.jaas.config",
        "zookeeper.ssl.keystore.password",
        "listener.name.sasl_ssl.ssl.key.password",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
    ] {
        assert!(is_password(key), "{key}");
    }
    for key in [
        "ssl.keystore.location",
        "listener.name.a.ssl.keystore.type",
        "log.dirs",
        "listener.name.ssl",
    ] {
        assert!(!is_password(key), "{key}");
    }
}

#[test]
fn select_prefers_the_setting_then_the_image_then_the_default() {
    let bitnami = |var: &str| (var == "APP_VERSION").then(|| "3.9.0".to_string());
    let none = |_: &str| None;
    let s = select(Some("4.1.2"), &bitnami).unwrap();
    assert_eq!((s.version.name(), &s.source), ("4.1.2", &Source::Setting));
    let s = select(None, &bitnami).unwrap();
    assert_eq!(
        (s.version.name(), &s.source),
        ("3.9.0", &Source::Image("APP_VERSION"))
    );
    assert_eq!(s.why, "Kafka 3.9.0 (APP_VERSION, set by bitnami/kafka)");
    let s = select(None, &none).unwrap();
    assert_eq!(
        (s.version.name(), &s.source),
        (DEFAULT_VERSION, &Source::Default)
    );
}

#[test]
fn select_maps_patch_releases_to_their_line_and_flags_lines_without_a_catalog() {
    let none = |_: &str| None;
    let cases: &[(&str, &str, bool)] = &[
        ("3.9.1", "3.9.2", true),
        ("4.0.0", "4.0.2", true),
        ("4.1.0", "4.1.2", true),
        ("4.2.0", "4.1.2", false),
        ("4.3.1", "4.1.2", false),
        ("5.0.0", "4.4.0", false),
        ("3.8.1", "3.9.0", false),
        ("4.4", "4.4.0", true),
    ];
    for (requested, catalog, exact) in cases {
        let s = select(Some(requested), &none).unwrap();
        assert_eq!(
            (s.version.name(), s.exact_line),
            (*catalog, *exact),
            "{requested}"
        );
    }
    let bad = select(Some("latest"), &none).unwrap_err();
    assert_eq!(bad.var, VERSION_VAR);
    assert!(bad.fix.contains("4.4.0"));
    // Bitnami's APP_VERSION=latest states no version: the image's, not the
    // user's, so the default stands and says why (issue 23).
    let latest = select(None, &|_: &str| Some("latest".to_string())).unwrap();
    assert_eq!(latest.version.name(), "4.4.0");
    assert_eq!(latest.source, Source::Default);
    assert!(
        latest
            .why
            .contains("APP_VERSION=\"latest\" states no version"),
        "{}",
        latest.why
    );
}

#[test]
fn parse_value_is_kafkas_parsing_for_the_rules() {
    assert_eq!(
        parse_value(v("4.4.0"), "controller.listener.names", " CONTROLLER "),
        Some(Ok(Value::List(vec!["CONTROLLER".into()])))
    );
    assert_eq!(parse_value(v("3.9.0"), "no.such.key", "x"), None);
}

#[test]
fn versions_with_lists_the_catalogs_that_define_a_key() {
    let names = |k: &str| {
        versions_with(k)
            .into_iter()
            .map(Version::name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names("zookeeper.connect"), ["3.9.0", "3.9.2"]);
    assert_eq!(
        names("alter.config.policy.kraft.compatibility.enable"),
        ["3.9.2"]
    );
    assert_eq!(names("node.id").len(), 5);
}

#[test]
fn unknown_kafka_init_settings_get_did_you_mean_suggestions() {
    let known = [
        "KAFKA_INIT_REPLICAS",
        "KAFKA_INIT_BROKER_REPLICAS",
        "KAFKA_INIT_FLAVOR",
    ];
    let env = [
        "KAFKA_INIT_REPLICA",
        "KAFKA_INIT_FLAVOR",
        "KAFKA_CFG_X",
        "KAFKA_INIT_WHATEVER_ELSE",
        "PATH",
    ];
    let found = unknown_settings(env, &known);
    assert_eq!(
        found,
        [
            (
                "KAFKA_INIT_REPLICA".to_string(),
                vec!["KAFKA_INIT_REPLICAS".to_string()]
            ),
            ("KAFKA_INIT_WHATEVER_ELSE".to_string(), vec![]),
        ]
    );
}

#[test]
fn findings_become_problems_that_never_show_a_secret() {
    let f = Finding {
        kind: FindingKind::Invalid,
        rule: "r".into(),
        fix: "f".into(),
    };
    let p = f.to_problem("KAFKA_CFG_SSL_KEY_PASSWORD", "ssl.key.password", "hunter2");
    assert_eq!(
        (p.var.as_str(), p.value.as_str()),
        ("KAFKA_CFG_SSL_KEY_PASSWORD", "<redacted>")
    );
    let p = f.to_problem("KAFKA_CFG_NUM_IO_THREADS", "num.io.threads", "0");
    assert_eq!(p.value, "0");
}

#[test]
fn unknown_keys_are_only_warnings_with_a_stand_in_catalog() {
    let none = |_: &str| None;
    let exact = select(Some("4.4.0"), &none).unwrap();
    let stand_in = select(Some("4.3.1"), &none).unwrap();
    let unknown = &check(
        exact.version,
        "log.retention.hour",
        "1",
        &Context::default(),
    )[0];
    assert!(unknown.is_fatal_in(&exact));
    assert!(!unknown.is_fatal_in(&stand_in));
    let invalid = &check(stand_in.version, "num.io.threads", "0", &Context::default())[0];
    assert!(invalid.is_fatal_in(&stand_in));
}

#[test]
fn listener_names_come_from_listeners_and_name_lists() {
    assert_eq!(
        Context::listener_names(&[
            "PLAINTEXT_INTERNAL://:39092, CONTROLLER://:9093",
            "CONTROLLER",
            "external"
        ]),
        ["PLAINTEXT_INTERNAL", "CONTROLLER", "external"]
    );
}

#[test]
fn the_seeds_settings_on_4_x_stop_on_the_removed_key_and_on_3_9_only_warn() {
    let seed = [
        Setting {
            var: "KAFKA_ZOOKEEPER_CONNECT",
            key: "zookeeper.connect",
            value: "zk-service.zk:32181",
        },
        Setting {
            var: "KAFKA_LOG_MESSAGE_FORMAT_VERSION",
            key: "log.message.format.version",
            value: "3.9",
        },
        Setting {
            var: "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
            key: "offsets.topic.replication.factor",
            value: "3",
        },
        Setting {
            var: "KAFKA_CFG_LOG_RETENTION_HOUR",
            key: "log.retention.hour",
            value: "24",
        },
    ];
    let none = |_: &str| None;
    let v4 = select(Some("4.4.0"), &none).unwrap();
    let (problems, warnings) = check_settings(&v4, seed, &Context::default());
    let vars: Vec<&str> = problems.iter().map(|p| p.var.as_str()).collect();
    assert_eq!(
        vars,
        [
            "KAFKA_ZOOKEEPER_CONNECT",
            "KAFKA_LOG_MESSAGE_FORMAT_VERSION",
            "KAFKA_CFG_LOG_RETENTION_HOUR"
        ]
    );
    assert!(
        problems[1].rule.contains("removed in Kafka 4.0"),
        "{}",
        problems[1]
    );
    assert!(warnings.is_empty());
    let v39 = select(Some("3.9.0"), &none).unwrap();
    let (problems, warnings) = check_settings(&v39, seed, &Context::default());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].var, "KAFKA_CFG_LOG_RETENTION_HOUR");
    let warned: Vec<&str> = warnings.iter().map(|p| p.var.as_str()).collect();
    assert_eq!(
        warned,
        [
            "KAFKA_ZOOKEEPER_CONNECT",
            "KAFKA_LOG_MESSAGE_FORMAT_VERSION"
        ]
    );
    assert!(warnings[1].rule.starts_with(
        "warning: log.message.format.version is deprecated in Kafka 3.9.0 and removed in Kafka 4.0"
    ));
}
