//! The images' own start-up checks through the binary: settings kafka-init
//! accepts by Kafka's rules but the image's scripts refuse stop `exec` with
//! 78 before anything is exec'd, named with the image's own wording. The
//! Bitnami cases that need the container's files are run through the
//! image's own `kafka_validate` too (3.7 and 3.9, unchanged from
//! ../shared/reference/images, in a private mount namespace as root), and
//! both verdicts and every message must agree.

mod util;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use util::{run, with, SEED_ENV};

type Env<'a> = &'a [(&'a str, &'a str)];

#[test]
fn bitnami_refusals_stop_exec_before_the_entrypoint_runs() {
    let cases: &[(Env, &[&str])] = &[
        (
            &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:443")],
            &[
                "KAFKA_LISTENERS",
                "An invalid port 443 was specified",
                "privileged port requested",
            ],
        ),
        (
            &[(
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT_INTERNAL:SASL_PLAINTEXT",
            )],
            &[
                "KAFKA_CFG_SASL_MECHANISM_INTER_BROKER_PROTOCOL",
                "SASL for inter broker comunication",
            ],
        ),
        (
            &[
                ("KAFKA_CLIENT_USERS", "alice,bob"),
                ("KAFKA_CLIENT_PASSWORDS", "secret1"),
            ],
            &[
                "KAFKA_CLIENT_USERS / KAFKA_CLIENT_PASSWORDS",
                "2 user(s) / 1 password(s)",
            ],
        ),
    ];
    for (extra, texts) in cases {
        let env = with(SEED_ENV, extra, &[]);
        let r = run(&["exec", "--", "$STANDIN"], &env);
        r.assert_stopped(texts);
        assert!(!r.stderr().contains("secret1"), "{}", r.stderr());
    }
}

#[test]
fn the_same_settings_pass_under_a_flavor_whose_image_does_not_check_them() {
    let env = with(SEED_ENV, &[("KAFKA_CLIENT_USERS", "alice,bob")], &[]);
    let r = run(&["plan", "--flavor", "properties"], &env);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let r = run(&["plan"], &env);
    assert_eq!(r.code(), 78, "{}", r.stderr());
}

#[test]
fn an_apache_controller_with_advertised_listeners_stops_exec() {
    let env = [
        ("POD_NAME", "kafka-controller-0"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_ROLE", "controller"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_BROKER_REPLICAS", "3"),
        ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
        ("KAFKA_ADVERTISED_LISTENERS", "CONTROLLER://c:9093"),
    ];
    let r = run(&["exec", "--flavor", "apache", "--", "$STANDIN"], &env);
    let e = r.stderr();
    assert_eq!(r.code(), 78, "{e}");
    assert!(!r.exec_happened());
    assert!(
        e.contains("KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller"),
        "{e}"
    );
}

/// The TLS step apache/kafka's and cp-kafka's configure share: the file
/// names it reads from /etc/kafka/secrets are the image's variables, not
/// Kafka keys (they passed as unknown keys before), the plan states what
/// the image writes from them, and a location set by hand, which the
/// script would replace, stops exec. (The real configure runs on them in
/// tests/k8s/story/confluent.sh, in a cp-kafka 7.9.6 pod.)
#[test]
fn the_images_tls_file_names_are_theirs_and_what_configure_derives_is_planned() {
    for (flavor, version) in [("apache", "4.4.0"), ("confluent", "3.9.0")] {
        let env = [
            ("POD_NAME", "kafka-0"),
            ("POD_NAMESPACE", "kafka"),
            ("KAFKA_INIT_FLAVOR", flavor),
            ("KAFKA_INIT_MODE", "kraft"),
            ("KAFKA_INIT_REPLICAS", "3"),
            ("KAFKA_INIT_KAFKA_VERSION", version),
            ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
            ("KAFKA_LISTENERS", "SSL://:9092,CONTROLLER://:9093"),
            (
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                "SSL:SSL,CONTROLLER:PLAINTEXT",
            ),
            ("KAFKA_INTER_BROKER_LISTENER_NAME", "SSL"),
            ("KAFKA_SSL_KEYSTORE_FILENAME", "kafka.keystore.jks"),
            ("KAFKA_SSL_KEY_CREDENTIALS", "key_creds"),
            ("KAFKA_SSL_KEYSTORE_CREDENTIALS", "keystore_creds"),
        ];
        let r = run(&["plan", "--offline", "--format", "properties"], &env);
        assert_eq!(r.code(), 0, "{flavor}: {}", r.stderr());
        let out = r.stdout();
        let image = out
            .split_once("image's own scripts as well")
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("{flavor}: no image lines: {out}"));
        for line in [
            "ssl.keystore.location=/etc/kafka/secrets/kafka.keystore.jks",
            "ssl.keystore.filename=kafka.keystore.jks",
            "ssl.key.password=<redacted>",
            "ssl.keystore.password=<redacted>",
        ] {
            assert!(image.contains(line), "{flavor}: {line} missing: {out}");
        }
        let by_hand = with(
            &env,
            &[("KAFKA_SSL_KEYSTORE_LOCATION", "/mnt/tls/kafka.jks")],
            &[],
        );
        let r = run(&["exec", "--", "$STANDIN"], &by_hand);
        assert_eq!(r.code(), 78, "{flavor}: {}", r.stderr());
        assert!(!r.exec_happened());
        assert!(
            r.stderr().contains("configure replaces it (an advertised listener is SSL): it exports KAFKA_SSL_KEYSTORE_LOCATION = /etc/kafka/secrets/kafka.keystore.jks"),
            "{flavor}: {}",
            r.stderr()
        );
        // Configure's own location, written out, is the same file: fine.
        let same = with(
            &env,
            &[(
                "KAFKA_SSL_KEYSTORE_LOCATION",
                "/etc/kafka/secrets/kafka.keystore.jks",
            )],
            &[],
        );
        assert_eq!(run(&["plan", "--offline"], &same).code(), 0, "{flavor}");
    }
    // apache/kafka in ZooKeeper mode: kafka-init writes the file, the
    // image's configure never runs, so nothing would read the names.
    let zk = [
        ("POD_NAME", "kafka-0"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_FLAVOR", "apache"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_KAFKA_VERSION", "3.9.2"),
        ("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"),
        ("KAFKA_SSL_KEYSTORE_FILENAME", "kafka.keystore.jks"),
    ];
    let r = run(&["plan", "--offline"], &zk);
    assert_eq!(r.code(), 78, "{}", r.stderr());
    assert!(
        r.stderr()
            .contains("in ZooKeeper mode that script does not run"),
        "{}",
        r.stderr()
    );
}

#[test]
fn what_only_kafka_refuses_is_not_said_to_be_refused_by_the_bitnami_image() {
    let cases: &[(Env, &str)] = &[
        (
            &[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:39o92")],
            "  1. KAFKA_LISTENERS=\"PLAINTEXT_INTERNAL://:39o92\": Error creating broker listeners from 'PLAINTEXT_INTERNAL://:39o92': Unable to parse PLAINTEXT_INTERNAL://:39o92 to a broker endpoint (the port must be a decimal number)",
        ),
        (
            &[(
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT_INTERNAL:PLAIN",
            )],
            "  1. KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP=\"PLAINTEXT_INTERNAL:PLAIN\": Invalid security protocol `PLAIN` defined in listener.security.protocol.map",
        ),
    ];
    for (extra, line) in cases {
        let env = with(SEED_ENV, extra, &[]);
        let r = run(&["exec", "--", "$STANDIN"], &env);
        r.assert_stopped(&["1 configuration problem(s)", line]);
        assert!(!r.stderr().contains("Bitnami"), "{}", r.stderr());
    }
}

#[test]
fn a_lower_case_tls_type_is_accepted_as_the_image_accepts_it() {
    for value in ["jks", "pem", "Jks"] {
        let env = with(SEED_ENV, &[("KAFKA_TLS_TYPE", value)], &[]);
        let r = run(&["exec", "--", "$STANDIN"], &env);
        assert_eq!(r.code(), 0, "{value}: {}", r.stderr());
        assert_eq!(r.env()["KAFKA_TLS_TYPE"], value);
    }
}

/// Where a case's files go in the image; the image's volume config dir is
/// moved under /opt (KAFKA_MOUNTED_CONF_DIR, honoured by both) so that the
/// scripts' namespace needs only a private /opt.
const MOUNTED: &str = "/opt/volume/config";
const CERTS: &str = "/opt/bitnami/kafka/config/certs";

/// Runs the Bitnami `version` image's own `kafka_validate` (libkafka.sh and
/// kafka-env.sh unchanged, after the steps setup.sh runs before it) on
/// `env`, with `files` (image path, content) in a private /opt: its exit
/// code and its ERROR messages.
fn bitnami_validate(
    version: &str,
    env: &BTreeMap<String, String>,
    files: &[(String, &str)],
) -> (i32, Vec<String>) {
    let image = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "../shared/reference/images/bitnami-kafka-{version}"
    ));
    let stage = util::TempDir::new("bitnami-files");
    for (path, text) in files {
        let p = stage.0.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let script = r#"set -uo pipefail
mount -t tmpfs kafka-init-test /opt
mkdir -p /opt/bitnami/scripts
cp -r "$1/prebuildfs/opt/bitnami/scripts/." "$1/rootfs/opt/bitnami/scripts/." /opt/bitnami/scripts/
[ -d "$2/opt" ] && cp -r "$2/opt/." /opt/
. /opt/bitnami/scripts/libfs.sh
. /opt/bitnami/scripts/libos.sh
. /opt/bitnami/scripts/libkafka.sh
. /opt/bitnami/scripts/kafka-env.sh
kafka_create_alias_environment_variables
kafka_dynamic_environment_variables
kafka_configure_default_truststore_locations
kafka_validate
"#;
    let out = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "bash",
            "-c",
            script,
            "bash",
        ])
        .arg(&image)
        .arg(&stage.0)
        .env_clear()
        .envs(env)
        .env("PATH", "/usr/bin:/bin")
        .env("BITNAMI_COLOR", "false")
        .output()
        .expect("run unshare");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors = stderr
        .lines()
        // `ERROR${RESET} ==> message`: the reset code is printed uncoloured too.
        .filter(|l| l.contains("ERROR"))
        .filter_map(|l| l.split_once(" ==> ").map(|(_, m)| m.to_string()))
        .collect();
    (out.status.code().unwrap_or(-1), errors)
}

/// The environment the image sees: the user's, with what `plan --format
/// env` says `exec` adds over it.
fn image_env(user: &[(&str, &str)]) -> BTreeMap<String, String> {
    let r = run(&["plan", "--format", "env"], user);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let mut env: BTreeMap<String, String> = user
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for line in r.stdout().lines().filter(|l| !l.starts_with('#')) {
        let (k, v) = line.split_once('=').unwrap();
        env.insert(k.into(), v.into());
    }
    env
}

#[test]
fn exec_and_the_bitnami_images_own_kafka_validate_agree_on_the_containers_files() {
    let Some(_) = util::reference_images(
        "exec_and_the_bitnami_images_own_kafka_validate_agree_on_the_containers_files",
    ) else {
        return;
    };
    let m = |name: &str| format!("{MOUNTED}/certs/{name}");
    let c = |name: &str| format!("{CERTS}/{name}");
    let ssl: Env = &[
        (
            "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
            "PLAINTEXT_INTERNAL:PLAINTEXT,CLIENT:SSL",
        ),
        (
            "KAFKA_LISTENERS",
            "PLAINTEXT_INTERNAL://:39092,CLIENT://:39093",
        ),
    ];
    let sasl_ssl: Env = &[
        (
            "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
            "PLAINTEXT_INTERNAL:PLAINTEXT,CLIENT:SASL_SSL",
        ),
        (
            "KAFKA_LISTENERS",
            "PLAINTEXT_INTERNAL://:39092,CLIENT://:39093",
        ),
    ];
    let jks_m = vec![
        (m("kafka.keystore.jks"), "k"),
        (m("kafka.truststore.jks"), "t"),
    ];
    let pem_c = vec![
        (c("kafka.keystore.pem"), "c"),
        (c("kafka.keystore.key"), "k"),
        (c("kafka.truststore.pem"), "t"),
    ];
    // (what, extra variables, files, refused)
    /// What, the extra variables, the files (image path, content), refused.
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, &'a str)>,
        Vec<(String, &'a str)>,
        bool,
    );
    let cases: Vec<Case> = vec![
        ("SSL, no stores", ssl.to_vec(), vec![], true),
        (
            "SSL, JKS stores in the mounted dir",
            ssl.to_vec(),
            jks_m.clone(),
            false,
        ),
        (
            "SSL, JKS stores in the image's certs dir",
            ssl.to_vec(),
            vec![
                (c("kafka.keystore.jks"), "k"),
                (c("kafka.truststore.jks"), "t"),
            ],
            false,
        ),
        (
            "SSL, keystore only truststore",
            ssl.to_vec(),
            vec![(m("kafka.truststore.jks"), "t")],
            true,
        ),
        (
            "SSL, keystore at KAFKA_CFG_SSL_KEYSTORE_LOCATION",
            [
                ssl,
                &[("KAFKA_CFG_SSL_KEYSTORE_LOCATION", "/opt/tls/ks.jks")],
            ]
            .concat(),
            vec![
                ("/opt/tls/ks.jks".into(), "k"),
                (m("kafka.truststore.jks"), "t"),
            ],
            true,
        ),
        (
            "SSL, truststore at KAFKA_TLS_TRUSTSTORE_FILE",
            [ssl, &[("KAFKA_TLS_TRUSTSTORE_FILE", "/opt/tls/ts.jks")]].concat(),
            vec![
                (m("kafka.keystore.jks"), "k"),
                ("/opt/tls/ts.jks".into(), "t"),
            ],
            false,
        ),
        (
            "SSL, jks in lower case",
            [ssl, &[("KAFKA_TLS_TYPE", "jks")]].concat(),
            jks_m.clone(),
            false,
        ),
        (
            "SSL, PEM",
            [ssl, &[("KAFKA_TLS_TYPE", "PEM")]].concat(),
            pem_c.clone(),
            false,
        ),
        (
            "SSL, pem in lower case looks for kafka.truststore.jks",
            [ssl, &[("KAFKA_TLS_TYPE", "pem")]].concat(),
            pem_c.clone(),
            true,
        ),
        ("SASL_SSL, no stores", sasl_ssl.to_vec(), vec![], true),
        (
            "SASL_SSL, JKS stores",
            sasl_ssl.to_vec(),
            jks_m.clone(),
            false,
        ),
        (
            "ZooKeeper over SSL, no truststore",
            vec![("KAFKA_ZOOKEEPER_PROTOCOL", "SSL")],
            vec![],
            true,
        ),
        (
            "ZooKeeper over SSL",
            vec![("KAFKA_ZOOKEEPER_PROTOCOL", "SSL")],
            vec![(m("zookeeper.truststore.jks"), "t")],
            false,
        ),
        (
            "ZooKeeper over SSL, PEM, a named truststore missing",
            vec![
                ("KAFKA_ZOOKEEPER_PROTOCOL", "SSL"),
                ("KAFKA_ZOOKEEPER_TLS_TYPE", "PEM"),
                ("KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_FILE", "/opt/tls/zk.pem"),
            ],
            vec![(m("zookeeper.truststore.pem"), "t")],
            true,
        ),
        (
            "fewer passwords in the file than users",
            vec![
                ("KAFKA_CLIENT_USERS", "alice,bob"),
                ("KAFKA_CLIENT_PASSWORDS_FILE", "/opt/secrets/passwords"),
            ],
            vec![("/opt/secrets/passwords".into(), "secret1\n")],
            true,
        ),
        (
            "as many passwords in the file as users",
            vec![
                ("KAFKA_CLIENT_USERS", "alice,bob"),
                ("KAFKA_CLIENT_PASSWORDS_FILE", "/opt/secrets/passwords"),
            ],
            vec![("/opt/secrets/passwords".into(), "secret1,secret2\n")],
            false,
        ),
        (
            "users from a file, passwords unreadable",
            vec![
                ("KAFKA_CLIENT_USERS_FILE", "/opt/secrets/users"),
                ("KAFKA_CLIENT_PASSWORDS_FILE", "/opt/secrets/none"),
            ],
            vec![("/opt/secrets/users".into(), "alice;bob")],
            true,
        ),
        (
            "a TLS type from its file",
            vec![("KAFKA_TLS_TYPE_FILE", "/opt/secrets/type")],
            vec![("/opt/secrets/type".into(), "P12\n")],
            true,
        ),
    ];
    let mut agreed = 0;
    for (what, extra, files, refused) in &cases {
        let mut extra = extra.clone();
        extra.push(("KAFKA_MOUNTED_CONF_DIR", MOUNTED));
        let env = with(SEED_ENV, &extra, &[]);
        // kafka-init in the container: the files under its image root.
        let root = util::TempDir::new("image-root");
        std::fs::create_dir_all(root.0.join(CERTS.trim_start_matches('/'))).unwrap();
        let image_root = root.0.display().to_string();
        if *refused {
            // Without the image's scripts in the filesystem, nothing of theirs is checked.
            let r = run(
                &["exec", "--", "$STANDIN"],
                &with(&env, &[("KAFKA_INIT_IMAGE_ROOT", &image_root)], &[]),
            );
            assert_eq!(r.code(), 0, "{what}: {}", r.stderr());
        }
        let scripts = root.0.join("opt/bitnami/scripts");
        std::fs::create_dir_all(&scripts).unwrap();
        let libkafka = Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../shared/reference/images/bitnami-kafka-3.9/rootfs/opt/bitnami/scripts/libkafka.sh",
        );
        std::fs::copy(libkafka, scripts.join("libkafka.sh")).unwrap();
        for (path, text) in files {
            let p = root.0.join(path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let r = run(
            &["exec", "--", "$STANDIN"],
            &with(&env, &[("KAFKA_INIT_IMAGE_ROOT", &image_root)], &[]),
        );
        let e = r.stderr();
        assert!(!e.contains("secret1"), "{what}: {e}");
        for version in ["3.7", "3.9"] {
            let (code, errors) = bitnami_validate(version, &image_env(&env), files);
            assert_eq!(
                code != 0,
                *refused,
                "{what}: the {version} image's kafka_validate exited {code}: {errors:?}"
            );
            if *refused {
                r.assert_stopped(&[]);
                assert!(!errors.is_empty(), "{what}");
                for message in &errors {
                    assert!(
                        e.contains(message.as_str()),
                        "{what}: kafka-init does not quote the {version} image's {message:?}:\n{e}"
                    );
                }
            } else {
                assert_eq!(r.code(), 0, "{what}: {e}");
                assert!(r.exec_happened(), "{what}");
            }
            agreed += 1;
        }
        // plan, elsewhere, claims none of it.
        let p = run(&["plan"], &env);
        assert_eq!(p.code(), 0, "{what}: {}", p.stderr());
    }
    assert_eq!(agreed, cases.len() * 2);
}

#[test]
fn the_bitnami_images_own_kafka_validate_accepts_what_only_kafka_refuses() {
    let Some(_) = util::reference_images(
        "the_bitnami_images_own_kafka_validate_accepts_what_only_kafka_refuses",
    ) else {
        return;
    };
    let cases: &[(Env, bool)] = &[
        (&[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:39o92")], false),
        (
            &[(
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT_INTERNAL:PLAIN",
            )],
            false,
        ),
        (&[("KAFKA_TLS_TYPE", "jks")], false),
        // The same checks do refuse what they were written for.
        (&[("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:x9092")], true),
        (
            &[(
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT_INTERNAL:TLS",
            )],
            true,
        ),
        (&[("KAFKA_TLS_TYPE", "p12")], true),
    ];
    for (extra, refused) in cases {
        let env: BTreeMap<String, String> = with(SEED_ENV, extra, &[])
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for version in ["3.7", "3.9"] {
            let (code, errors) = bitnami_validate(version, &env, &[]);
            assert_eq!(code != 0, *refused, "{extra:?} on {version}: {errors:?}");
        }
        let r = run(&["plan"], &with(SEED_ENV, extra, &[]));
        assert_eq!(
            r.stderr().contains("the Bitnami image refuses"),
            *refused,
            "{extra:?}: {}",
            r.stderr()
        );
    }
}
