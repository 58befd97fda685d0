//! The catalog wired into every command, through the binary: the version
//! kafka-init checks against (and why) in `plan` and the exec summary, the
//! seed's removed and deprecated keys, typos in Kafka keys and in
//! kafka-init's own settings, and secrets by Kafka's PASSWORD type.

mod util;

use util::{run, with, SEED_ENV};

#[test]
fn the_seed_on_kafka_4_stops_on_the_message_format_key_removed_in_4_0() {
    let env = with(SEED_ENV, &[("KAFKA_INIT_KAFKA_VERSION", "4.4.0")], &[]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&[
        "KAFKA_LOG_MESSAGE_FORMAT_VERSION=\"3.9\": log.message.format.version was removed in Kafka 4.0",
        "nothing replaces it",
        "KAFKA_ZOOKEEPER_CONNECT",
    ]);
}

#[test]
fn the_seed_on_kafka_3_9_starts_with_a_warning_that_the_key_is_deprecated() {
    let env = with(SEED_ENV, &[("KAFKA_INIT_KAFKA_VERSION", "3.9.0")], &[]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.exec_happened());
    let e = r.stderr();
    let warning = e
        .lines()
        .find(|l| l.contains("WARN") && l.contains("KAFKA_LOG_MESSAGE_FORMAT_VERSION"))
        .unwrap_or_else(|| panic!("no warning: {e}"));
    assert!(
        warning.contains("log.message.format.version is deprecated in Kafka 3.9.0"),
        "{warning}"
    );
}

#[test]
fn probe_does_not_repeat_the_warnings_that_plan_exec_and_prepare_log() {
    // A probe runs every 10 seconds: a deprecated key is said at start, not
    // at every probe.
    let env = with(SEED_ENV, &[("KAFKA_INIT_KAFKA_VERSION", "3.9.0")], &[]);
    let plan = run(&["plan"], &env);
    assert_eq!(plan.code(), 0, "{}", plan.stderr());
    assert!(
        plan.stderr().contains("is deprecated in Kafka 3.9.0"),
        "{}",
        plan.stderr()
    );
    // Nothing listens on the broker's port here: the probe fails (1), quietly about the key.
    let probe = run(&["probe", "--timeout", "500ms"], &env);
    assert_eq!(probe.code(), 1, "{}", probe.stderr());
    assert!(!probe.stderr().contains("deprecated"), "{}", probe.stderr());
}

#[test]
fn the_image_stated_version_is_used_when_the_setting_is_unset_and_the_summary_says_so() {
    let env = with(SEED_ENV, &[("APP_VERSION", "3.9.0")], &[]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let summary = r
        .stderr()
        .lines()
        .find(|l| l.contains("starting Kafka"))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(
        summary.contains("kafka=Kafka 3.9.0 (APP_VERSION, set by bitnami/kafka)"),
        "{summary}"
    );
}

#[test]
fn plan_names_the_version_and_why_in_every_format() {
    let kraft: &[(&str, &str)] = &[
        ("POD_NAME", "kafka-0"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
    ];
    let set = with(kraft, &[("KAFKA_INIT_KAFKA_VERSION", "4.1.0")], &[]);
    type Env<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Env, &str, &str)] = &[
        (
            kraft,
            "env",
            "# keys checked against Kafka 4.4.0 (the default; set KAFKA_INIT_KAFKA_VERSION to change it)\n",
        ),
        (
            &set,
            "properties",
            "# keys checked against Kafka 4.1.0 (KAFKA_INIT_KAFKA_VERSION), checked against the 4.1.2 catalog\n",
        ),
        (
            SEED_ENV,
            "json",
            "\"why\": \"Kafka 3.9.2 (the default in ZooKeeper mode, which 4.x cannot run; set KAFKA_INIT_KAFKA_VERSION to change it)\"",
        ),
        (&set, "json", "\"catalog\": \"4.1.2\""),
    ];
    for (env, format, want) in cases {
        let r = run(&["plan", "--format", format], env);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        assert!(r.stdout().contains(want), "{format}: {}", r.stdout());
    }
}

#[test]
fn a_version_that_is_no_version_is_a_problem_with_the_others() {
    let env = with(
        SEED_ENV,
        &[
            ("KAFKA_INIT_KAFKA_VERSION", "latest"),
            ("KAFKA_CFG_NUM_IO_THREADS", "0"),
        ],
        &[],
    );
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&[
        "KAFKA_INIT_KAFKA_VERSION=\"latest\": not a Kafka version",
        "KAFKA_CFG_NUM_IO_THREADS=\"0\": Invalid value 0 for configuration num.io.threads: Value must be at least 1",
    ]);
}

#[test]
fn a_typo_in_a_kafka_key_is_caught_with_a_suggestion_and_the_extra_keys_setting() {
    let env = with(SEED_ENV, &[("KAFKA_CFG_LOG_RETENTION_HOUR", "24")], &[]);
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&[
        "KAFKA_CFG_LOG_RETENTION_HOUR=\"24\": log.retention.hour is not a Kafka 3.9.2 broker config",
        "did you mean log.retention.hours?",
        "KAFKA_INIT_EXTRA_KEYS",
    ]);
    let plugin = with(
        SEED_ENV,
        &[
            ("KAFKA_CFG_MY_PLUGIN_URL", "ldap://x"),
            ("KAFKA_INIT_EXTRA_KEYS", "my.plugin.*"),
        ],
        &[],
    );
    let r = run(&["exec", "--", "$STANDIN"], &plugin);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.env().get("KAFKA_CFG_MY_PLUGIN_URL").map(String::as_str),
        Some("ldap://x")
    );
}

/// A KRaft node whose broker listener is INTERNAL (SSL), with every kind of
/// secret Kafka declares PASSWORD, one of them per listener.
const SECRETS: &[(&str, &str)] = &[
    ("POD_NAME", "kafka-0"),
    ("KAFKA_INIT_REPLICAS", "3"),
    ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
    ("KAFKA_INIT_KAFKA_VERSION", "3.9.0"),
    ("KAFKA_CFG_LISTENERS", "INTERNAL://:9092,CONTROLLER://:9093"),
    (
        "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
        "INTERNAL:SSL,CONTROLLER:PLAINTEXT",
    ),
    ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "INTERNAL"),
    ("KAFKA_CFG_SSL_KEYSTORE_KEY", "pem-key-1"),
    ("KAFKA_CFG_SSL_KEYSTORE_CERTIFICATE_CHAIN", "pem-chain-2"),
    ("KAFKA_CFG_SSL_TRUSTSTORE_CERTIFICATES", "pem-certs-3"),
    ("KAFKA_CFG_DELEGATION_TOKEN_SECRET_KEY", "token-key-4"),
    (
        "KAFKA_CFG_LISTENER_NAME_INTERNAL_SSL_KEYSTORE_PASSWORD",
        "listener-pw-5",
    ),
];

const SECRET_VALUES: &[&str] = &[
    "pem-key-1",
    "pem-chain-2",
    "pem-certs-3",
    "token-key-4",
    "listener-pw-5",
];

#[test]
fn every_key_kafka_declares_password_is_redacted_in_every_plan_format() {
    for format in ["env", "properties", "json"] {
        let r = run(&["plan", "--format", format], SECRETS);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        let out = r.stdout();
        for v in SECRET_VALUES {
            assert!(!out.contains(v), "{format} shows {v}: {out}");
        }
        // properties and json show every key, their values redacted; env
        // shows only what exec adds, and the user's own secrets are not that.
        if format != "env" {
            for key in [
                "ssl.keystore.key",
                "listener.name.internal.ssl.keystore.password",
            ] {
                let line = out.lines().find(|l| l.contains(key)).unwrap_or_default();
                assert!(line.contains("<redacted>"), "{format}: {key}: {out}");
            }
        }
    }
    let r = run(&["exec", "--", "$STANDIN"], SECRETS);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    for v in SECRET_VALUES {
        assert!(!r.stderr().contains(v), "log shows {v}: {}", r.stderr());
    }
    assert_eq!(
        r.env()["KAFKA_CFG_SSL_KEYSTORE_KEY"],
        "pem-key-1",
        "the exec'd program still gets it"
    );
}

#[test]
fn secrets_are_redacted_in_problems_too_plugin_keys_by_their_words() {
    let env = with(
        SECRETS,
        &[
            // A secret shaped like a service link: a problem, value hidden.
            ("KAFKA_CFG_SSL_KEYSTORE_KEY", "tcp://pem-key-1"),
            // An unknown plugin key: a problem; its name says secret.
            ("KAFKA_CFG_MY_PLUGIN_PASSWORD", "plugin-pw-6"),
        ],
        &[],
    );
    let r = run(&["exec", "--", "$STANDIN"], &env);
    r.assert_stopped(&[
        "KAFKA_CFG_SSL_KEYSTORE_KEY=\"<redacted>\"",
        "KAFKA_CFG_MY_PLUGIN_PASSWORD=\"<redacted>\"",
    ]);
    for v in ["pem-key-1", "plugin-pw-6"] {
        assert!(!r.stderr().contains(v), "{}", r.stderr());
    }
}

#[test]
fn each_images_own_variables_are_not_taken_for_kafka_keys_or_settings() {
    let kraft: &[(&str, &str)] = &[
        ("POD_NAME", "kafka-0"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_HEAP_OPTS", "-Xmx1g"),
        ("KAFKA_OPTS", "-Dx=y"),
        ("KAFKA_JMX_OPTS", "-Dcom.sun.management.jmxremote"),
        ("KAFKA_LOG4J_OPTS", "-Dlog4j.configuration=file:/x"),
    ];
    let bitnami = with(
        kraft,
        &[
            ("KAFKA_INIT_FLAVOR", "bitnami"),
            ("KAFKA_KRAFT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
            ("KAFKA_CLIENT_USERS", "user"),
            ("KAFKA_CLIENT_PASSWORDS", "pw"),
            ("ALLOW_PLAINTEXT_LISTENER", "yes"),
            ("KAFKA_ENABLE_KRAFT", "yes"),
            ("BITNAMI_DEBUG", "true"),
            ("APP_VERSION", "3.9.0"),
        ],
        &[],
    );
    let apache = with(
        kraft,
        &[
            ("KAFKA_INIT_FLAVOR", "apache"),
            ("CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
            ("KAFKA_JVM_PERFORMANCE_OPTS", "-server"),
            ("KAFKA_GC_LOG_OPTS", " "),
            ("KAFKA_JMX_HOSTNAME", "localhost"),
        ],
        &[],
    );
    let confluent = with(
        kraft,
        &[
            ("KAFKA_INIT_FLAVOR", "confluent"),
            ("CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
            ("KAFKA_SSL_KEYSTORE_FILENAME", "kafka.keystore.jks"),
            ("KAFKA_SSL_KEY_CREDENTIALS", "key_creds"),
            ("KAFKA_DATA_DIRS", "/var/lib/kafka/data"),
            ("KAFKA_CUB_ZK_TIMEOUT", "40"),
        ],
        &[],
    );
    for env in [bitnami, apache, confluent] {
        let r = run(&["plan"], &env);
        assert_eq!(r.code(), 0, "{env:?}: {}", r.stderr());
    }
}

/// The false rejects of issue 12's differential run: Kafka starts with
/// these, so kafka-init execs them.
#[test]
fn what_kafka_takes_is_taken_trimmed_values_any_case_booleans_advertised_controllers() {
    let kraft: &[(&str, &str)] = &[
        ("POD_NAME", "kafka-0"),
        ("POD_NAMESPACE", "k"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
    ];
    let cases: &[&[(&str, &str)]] = &[
        &[("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", " PLAINTEXT ")],
        &[("KAFKA_CFG_SECURITY_INTER_BROKER_PROTOCOL", " PLAINTEXT ")],
        &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", " CONTROLLER ")],
        &[(
            "KAFKA_CFG_ADVERTISED_LISTENERS",
            "CONTROLLER://kafka-0.kafka.k.svc.cluster.local:9093",
        )],
    ];
    // Kafka's rules, whatever the image: the properties flavor runs no
    // image checks (Bitnami's own scripts compare controller.listener.names
    // untrimmed, and the bitnami flavor says so).
    for extra in cases {
        let env = with(kraft, extra, &[]);
        let r = run(&["plan", "--flavor", "properties"], &env);
        assert_eq!(r.code(), 0, "{extra:?}: {}", r.stderr());
    }
    let zk: &[&[(&str, &str)]] = &[
        &[
            ("KAFKA_CFG_BROKER_ID_GENERATION_ENABLE", "FALSE"),
            ("KAFKA_INIT_ID_OFFSET", "2000"),
        ],
        &[("KAFKA_CFG_PROCESS_ROLES", "")],
    ];
    for extra in zk {
        let env = with(SEED_ENV, extra, &[]);
        let r = run(&["exec", "--", "$STANDIN"], &env);
        assert_eq!(r.code(), 0, "{extra:?}: {}", r.stderr());
    }
}

#[test]
fn under_a_stand_in_catalog_an_unknown_key_is_only_a_warning() {
    let kraft: &[(&str, &str)] = &[
        ("POD_NAME", "kafka-0"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
        // No 4.3 catalog: 4.1.2's stands in, and a 4.3 key may be real.
        ("KAFKA_INIT_KAFKA_VERSION", "4.3.0"),
        ("KAFKA_CFG_SOME_NEW_KEY", "1"),
    ];
    let r = run(&["exec", "--", "$STANDIN"], kraft);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.exec_happened());
    let e = r.stderr();
    assert!(
        e.lines()
            .any(|l| l.contains("WARN")
                && l.contains("some.new.key is not a Kafka 4.1.2 broker config")),
        "{e}"
    );
    assert!(e.contains("no catalog for this release line"), "{e}");
    let exact = with(kraft, &[("KAFKA_INIT_KAFKA_VERSION", "4.1.0")], &[]);
    run(&["exec", "--", "$STANDIN"], &exact)
        .assert_stopped(&["some.new.key is not a Kafka 4.1.2 broker config"]);
}

/// Issue 24: a value that could be a secret is shown by no output path:
/// `plan`'s formats, problems (text and the JSON log), the exec summary.
/// (path, arguments, variables added to the seed's, the secrets, what is
/// shown instead in the text log)
type SecretCase<'a> = (
    &'a str,
    &'a [&'a str],
    &'a [(&'a str, &'a str)],
    &'a [&'a str],
    &'a str,
);

#[test]
fn a_value_that_could_be_a_secret_is_shown_by_no_output_path() {
    let cases: &[SecretCase] = &[
        (
            "plan --format properties: a plugin's private key",
            &["plan", "--format", "properties"],
            &[
                ("KAFKA_INIT_EXTRA_KEYS", "my.plugin.*"),
                ("KAFKA_CFG_MY_PLUGIN_PRIVATE_KEY", "pk-1"),
            ],
            &["pk-1"],
            "my.plugin.private.key=<redacted>",
        ),
        (
            "plan --format json: a plugin's passphrase",
            &["plan", "--format", "json"],
            &[
                ("KAFKA_INIT_EXTRA_KEYS", "my.plugin.*"),
                ("KAFKA_CFG_MY_PLUGIN_PASSPHRASE", "pp-2"),
            ],
            &["pp-2"],
            "<redacted>",
        ),
        (
            "plan --format env: a plugin's token",
            &["plan", "--format", "env"],
            &[
                ("KAFKA_INIT_EXTRA_KEYS", "my.plugin.*"),
                ("KAFKA_CFG_MY_PLUGIN_TOKEN", "tk-3"),
            ],
            &["tk-3"],
            "",
        ),
        (
            "problem: a misspelt PASSWORD key",
            &["plan"],
            &[("KAFKA_CFG_SSL_KEYSTORE_PASSWROD", "pw-4")],
            &["pw-4"],
            "KAFKA_CFG_SSL_KEYSTORE_PASSWROD=\"<redacted>\": ssl.keystore.passwrod is not a Kafka 3.9.2 broker config",
        ),
        (
            "problem: a misspelt per-listener PASSWORD key",
            &["exec", "--", "$STANDIN"],
            &[("KAFKA_CFG_LISTENER_NAME_PLAINTEXT_SSL_KEY_PASWORD", "pw-5")],
            &["pw-5"],
            "KAFKA_CFG_LISTENER_NAME_PLAINTEXT_SSL_KEY_PASWORD=\"<redacted>\"",
        ),
        (
            "exec summary: the image tools' secret flags",
            &[
                "exec",
                "--",
                "$STANDIN",
                "--keystore-pass",
                "ks-6",
                "--sasl-pass=sp-7",
                "-Dpassphrase=ph-8",
            ],
            &[],
            &["ks-6", "sp-7", "ph-8"],
            "--keystore-pass <redacted> --sasl-pass=<redacted> -Dpassphrase=<redacted>",
        ),
    ];
    for (path, args, set, secrets, shown) in cases {
        for format in ["text", "json"] {
            let env = with(
                &with(SEED_ENV, set, &[]),
                &[("KAFKA_INIT_LOG_FORMAT", format)],
                &[],
            );
            let r = run(args, &env);
            let all = r.stdout() + &r.stderr();
            for s in *secrets {
                assert!(!all.contains(s), "{path} ({format}) shows {s}:\n{all}");
            }
            if format == "text" || args[0] == "plan" && r.code() == 0 {
                assert!(
                    all.contains(shown),
                    "{path} ({format}): no {shown:?} in\n{all}"
                );
            }
        }
    }
}
