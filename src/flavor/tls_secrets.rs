//! The TLS step of the `configure` script that apache/kafka (3.9.0, 4.4)
//! and cp-kafka (7.9.6 with `dub`, 8.1.2 with `ub`) share, line for line:
//! when an advertised listener is SSL or SASL_SSL
//! (`$KAFKA_ADVERTISED_LISTENERS == *"SSL://"*`), it requires the names of
//! the store and credential files ([`super::apache::configure_checks`]),
//! checks that each is in /etc/kafka/secrets (`path … exists`), and
//! exports each store's location there and each password read from its
//! credentials file (`$(cat …)`), which the image then writes as Kafka
//! keys (docker/resources/common-scripts/configure in apache/kafka,
//! kafka/include/etc/confluent/docker/configure in confluentinc/kafka-images).

use crate::flavor::ContainerFiles;
use crate::problem::Problem;

/// Where `configure` looks for every file it names.
pub const SECRETS: &str = "/etc/kafka/secrets";

/// One file `configure` reads: the variable naming it in [`SECRETS`], the
/// variable it exports from it (a location, or a password read from it),
/// and whether it is the truststore's.
struct File {
    input: &'static str,
    export: &'static str,
    password: bool,
    trust: bool,
}

/// The variables `configure` reads a file name from: the image's, not
/// Kafka settings, though the image writes them into its file too.
pub const INPUTS: &[&str] = &[
    "KAFKA_SSL_KEYSTORE_FILENAME",
    "KAFKA_SSL_KEY_CREDENTIALS",
    "KAFKA_SSL_KEYSTORE_CREDENTIALS",
    "KAFKA_SSL_TRUSTSTORE_FILENAME",
    "KAFKA_SSL_TRUSTSTORE_CREDENTIALS",
];

const FILES: &[File] = &[
    File {
        input: "KAFKA_SSL_KEYSTORE_FILENAME",
        export: "KAFKA_SSL_KEYSTORE_LOCATION",
        password: false,
        trust: false,
    },
    File {
        input: "KAFKA_SSL_KEY_CREDENTIALS",
        export: "KAFKA_SSL_KEY_PASSWORD",
        password: true,
        trust: false,
    },
    File {
        input: "KAFKA_SSL_KEYSTORE_CREDENTIALS",
        export: "KAFKA_SSL_KEYSTORE_PASSWORD",
        password: true,
        trust: false,
    },
    File {
        input: "KAFKA_SSL_TRUSTSTORE_FILENAME",
        export: "KAFKA_SSL_TRUSTSTORE_LOCATION",
        password: false,
        trust: true,
    },
    File {
        input: "KAFKA_SSL_TRUSTSTORE_CREDENTIALS",
        export: "KAFKA_SSL_TRUSTSTORE_PASSWORD",
        password: true,
        trust: true,
    },
];

/// The files `configure` reads for this environment (`get`: the image's
/// variables as it starts): none without an SSL advertised listener; the
/// truststore's only when `KAFKA_SSL_CLIENT_AUTH` holds `required` or
/// `requested` (substrings, as the script's `*"required"*`).
fn files<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> impl Iterator<Item = &'static File> {
    let ssl = get("KAFKA_ADVERTISED_LISTENERS").is_some_and(|l| l.contains("SSL://"));
    let auth = get("KAFKA_SSL_CLIENT_AUTH").unwrap_or("");
    let trust = auth.contains("required") || auth.contains("requested");
    FILES.iter().filter(move |f| ssl && (trust || !f.trust))
}

fn path(name: &str) -> String {
    format!("{SECRETS}/{name}")
}

/// What `configure` would silently replace: a location or password set by
/// hand (its export overwrites it), unless it is the very location
/// `configure` derives. (A file name left unset is
/// [`super::apache::configure_checks`]'s.)
pub fn checks<'a>(get: &dyn Fn(&str) -> Option<&'a str>, image: &str, problems: &mut Vec<Problem>) {
    for f in files(get) {
        let Some(name) = get(f.input).filter(|n| !n.is_empty()) else {
            continue;
        };
        let Some(set) = get(f.export) else { continue };
        if f.password || set != path(name) {
            problems.push(Problem::new(
                f.export,
                crate::secret::shown(f.export, set),
                format!(
                    "the {image} image's configure replaces it (an advertised listener is SSL): it exports {} = {} from {}",
                    f.export,
                    if f.password { format!("the content of {}", path(name)) } else { path(name) },
                    f.input
                ),
                format!("remove {}; {} names the file in {SECRETS}", f.export, f.input),
            ));
        }
    }
}

/// In the container (`exec`): each file `configure` reads is there.
pub fn in_container<'a>(
    get: &dyn Fn(&str) -> Option<&'a str>,
    image: &str,
    files_here: &dyn ContainerFiles,
    problems: &mut Vec<Problem>,
) {
    for f in files(get) {
        let Some(name) = get(f.input).filter(|n| !n.is_empty()) else {
            continue;
        };
        let p = path(name);
        if !files_here.is_file(&p) && files_here.read(&p).is_none() {
            problems.push(Problem::new(
                f.input,
                name,
                format!("the {image} image refuses to start: its configure checks that {p} exists (`path … existence`; cp-kafka's `dub path … exists`), and it is not in the container"),
                format!("mount the file at {p} (a Secret volume at {SECRETS}), or set {} to the name it has there", f.input),
            ));
        }
    }
}

/// What `configure` exports for the template, as (variable, value): each
/// location in [`SECRETS`]; each password as where it is read from (its
/// value is never shown: the plan redacts passwords).
pub fn exports<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Vec<(String, String)> {
    files(get)
        .filter_map(|f| {
            let name = get(f.input).filter(|n| !n.is_empty())?;
            let value = if f.password {
                format!("(the content of {})", path(name))
            } else {
                path(name)
            };
            Some((f.export.to_string(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Here(&'static [&'static str]);
    impl ContainerFiles for Here {
        fn is_file(&self, path: &str) -> bool {
            self.0.contains(&path)
        }
        fn read(&self, _path: &str) -> Option<String> {
            None
        }
    }

    const SSL: &[(&str, &str)] = &[
        ("KAFKA_ADVERTISED_LISTENERS", "SSL://kafka-0.kafka:9092"),
        ("KAFKA_SSL_KEYSTORE_FILENAME", "kafka.keystore.jks"),
        ("KAFKA_SSL_KEY_CREDENTIALS", "key_creds"),
        ("KAFKA_SSL_KEYSTORE_CREDENTIALS", "keystore_creds"),
    ];
    const TRUST: &[(&str, &str)] = &[
        ("KAFKA_SSL_CLIENT_AUTH", "required"),
        ("KAFKA_SSL_TRUSTSTORE_FILENAME", "kafka.truststore.jks"),
        ("KAFKA_SSL_TRUSTSTORE_CREDENTIALS", "truststore_creds"),
    ];

    fn env(
        sets: &[&[(&'static str, &'static str)]],
        over: &[(&'static str, &'static str)],
    ) -> BTreeMap<&'static str, &'static str> {
        let mut m: BTreeMap<_, _> = sets.iter().flat_map(|s| s.iter().copied()).collect();
        m.extend(over.iter().copied());
        m
    }

    /// (case, environment, the variables whose problems `checks` reports).
    #[test]
    fn configure_replaces_a_location_or_password_set_by_hand_when_a_listener_is_ssl() {
        let cases: &[(&str, BTreeMap<&str, &str>, &[&str])] = &[
            ("ssl, nothing set by hand", env(&[SSL], &[]), &[]),
            (
                "SASL_SSL counts (the script matches SSL://)",
                env(
                    &[SSL],
                    &[
                        ("KAFKA_ADVERTISED_LISTENERS", "SASL_SSL://k:9092"),
                        ("KAFKA_SSL_KEY_PASSWORD", "x"),
                    ],
                ),
                &["KAFKA_SSL_KEY_PASSWORD"],
            ),
            (
                "client auth none: the truststore's location is the user's",
                env(
                    &[SSL],
                    &[
                        ("KAFKA_SSL_CLIENT_AUTH", "none"),
                        ("KAFKA_SSL_TRUSTSTORE_FILENAME", "t.jks"),
                        ("KAFKA_SSL_TRUSTSTORE_LOCATION", "/mnt/t.jks"),
                    ],
                ),
                &[],
            ),
            (
                "client auth requested: replaced",
                env(
                    &[SSL, TRUST],
                    &[
                        ("KAFKA_SSL_CLIENT_AUTH", "requested"),
                        ("KAFKA_SSL_TRUSTSTORE_LOCATION", "/mnt/t.jks"),
                    ],
                ),
                &["KAFKA_SSL_TRUSTSTORE_LOCATION"],
            ),
            (
                "a location set to configure's own",
                env(
                    &[SSL],
                    &[(
                        "KAFKA_SSL_KEYSTORE_LOCATION",
                        "/etc/kafka/secrets/kafka.keystore.jks",
                    )],
                ),
                &[],
            ),
            (
                "a location elsewhere is replaced",
                env(
                    &[SSL],
                    &[("KAFKA_SSL_KEYSTORE_LOCATION", "/mnt/tls/kafka.jks")],
                ),
                &["KAFKA_SSL_KEYSTORE_LOCATION"],
            ),
            (
                "a password set by hand is replaced",
                env(&[SSL], &[("KAFKA_SSL_KEY_PASSWORD", "secret")]),
                &["KAFKA_SSL_KEY_PASSWORD"],
            ),
            (
                "no SSL listener: a location is the user's",
                env(
                    &[],
                    &[
                        ("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://k:9092"),
                        ("KAFKA_SSL_KEYSTORE_LOCATION", "/mnt/x.jks"),
                    ],
                ),
                &[],
            ),
        ];
        for (case, e, want) in cases {
            let get = |n: &str| e.get(n).copied();
            let mut problems = vec![];
            checks(&get, "confluentinc/cp-kafka", &mut problems);
            let got: Vec<&str> = problems.iter().map(|p| p.var.as_str()).collect();
            assert_eq!(&got, want, "{case}: {problems:?}");
        }
    }

    #[test]
    fn in_the_container_each_file_must_be_in_the_secrets_dir() {
        let e = env(&[SSL, TRUST], &[]);
        let get = |n: &str| e.get(n).copied();
        let all = Here(&[
            "/etc/kafka/secrets/kafka.keystore.jks",
            "/etc/kafka/secrets/key_creds",
            "/etc/kafka/secrets/keystore_creds",
            "/etc/kafka/secrets/kafka.truststore.jks",
            "/etc/kafka/secrets/truststore_creds",
        ]);
        let mut problems = vec![];
        in_container(&get, "apache/kafka", &all, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let some = Here(&[
            "/etc/kafka/secrets/kafka.keystore.jks",
            "/etc/kafka/secrets/key_creds",
        ]);
        in_container(&get, "apache/kafka", &some, &mut problems);
        let got: Vec<&str> = problems.iter().map(|p| p.var.as_str()).collect();
        assert_eq!(
            got,
            [
                "KAFKA_SSL_KEYSTORE_CREDENTIALS",
                "KAFKA_SSL_TRUSTSTORE_FILENAME",
                "KAFKA_SSL_TRUSTSTORE_CREDENTIALS"
            ]
        );
        assert!(
            problems[0]
                .rule
                .contains("/etc/kafka/secrets/keystore_creds exists"),
            "{}",
            problems[0].rule
        );
    }

    #[test]
    fn exports_are_the_locations_in_the_secrets_dir_and_where_each_password_is_read() {
        let e = env(&[SSL, TRUST], &[]);
        let get = |n: &str| e.get(n).copied();
        assert_eq!(
            exports(&get),
            [
                (
                    "KAFKA_SSL_KEYSTORE_LOCATION",
                    "/etc/kafka/secrets/kafka.keystore.jks"
                ),
                (
                    "KAFKA_SSL_KEY_PASSWORD",
                    "(the content of /etc/kafka/secrets/key_creds)"
                ),
                (
                    "KAFKA_SSL_KEYSTORE_PASSWORD",
                    "(the content of /etc/kafka/secrets/keystore_creds)"
                ),
                (
                    "KAFKA_SSL_TRUSTSTORE_LOCATION",
                    "/etc/kafka/secrets/kafka.truststore.jks"
                ),
                (
                    "KAFKA_SSL_TRUSTSTORE_PASSWORD",
                    "(the content of /etc/kafka/secrets/truststore_creds)"
                ),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        let plain = env(&[], &[("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://k:9092")]);
        assert!(exports(&|n: &str| plain.get(n).copied()).is_empty());
    }

    #[test]
    fn the_inputs_are_the_files_variables() {
        assert_eq!(INPUTS, FILES.iter().map(|f| f.input).collect::<Vec<_>>());
    }
}
