//! bitnami/kafka 3.x (`/opt/bitnami/scripts/kafka/entrypoint.sh` +
//! `run.sh`, `libkafka.sh`): settings as `KAFKA_CFG_<KEY>` variables with
//! `_` → `.` and lower case (then `sasl.ssl` → `sasl_ssl`, `sasl.plaintext` →
//! `sasl_plaintext`), plus legacy aliases `KAFKA_<SUFFIX>` that
//! `kafka_create_alias_environment_variables` copies over `KAFKA_CFG_<SUFFIX>`,
//! so the alias wins in the image. Runs as uid 1001, data in
//! `/bitnami/kafka/data`, cluster id in `KAFKA_KRAFT_CLUSTER_ID`.

mod checks;

use std::collections::BTreeMap;

use super::convention::Convention;
use super::{data_dir_writes, image_env, ContainerFiles, Flavor};
use crate::plan::{BuiltBy, FlavorFacts, Plan, StartWrite, UserSetting, UserSettings};
use crate::problem::Problem;
use crate::secret;

/// The bitnami flavor.
pub struct Bitnami;

/// Suffixes `S` for which Bitnami copies `KAFKA_S` onto `KAFKA_CFG_S`.
pub const ALIAS_SUFFIXES: &[&str] = &[
    "ADVERTISED_LISTENERS",
    "BROKER_ID",
    "NODE_ID",
    "CONTROLLER_QUORUM_VOTERS",
    "PROCESS_ROLES",
    "DEFAULT_REPLICATION_FACTOR",
    "DELETE_TOPIC_ENABLE",
    "INTER_BROKER_LISTENER_NAME",
    "LISTENERS",
    "LISTENER_SECURITY_PROTOCOL_MAP",
    "LOG_DIRS",
    "LOG_FLUSH_INTERVAL_MESSAGES",
    "LOG_FLUSH_INTERVAL_MS",
    "LOG_MESSAGE_FORMAT_VERSION",
    "LOG_RETENTION_BYTES",
    "LOG_RETENTION_CHECK_INTERVALS_MS",
    "LOG_RETENTION_HOURS",
    "LOG_SEGMENT_BYTES",
    "MESSAGE_MAX_BYTES",
    "NUM_IO_THREADS",
    "NUM_NETWORK_THREADS",
    "NUM_PARTITIONS",
    "NUM_RECOVERY_THREADS_PER_DATA_DIR",
    "OFFSETS_TOPIC_REPLICATION_FACTOR",
    "SOCKET_RECEIVE_BUFFER_BYTES",
    "SOCKET_REQUEST_MAX_BYTES",
    "SOCKET_SEND_BUFFER_BYTES",
    "SSL_ENDPOINT_IDENTIFICATION_ALGORITHM",
    "TRANSACTION_STATE_LOG_MIN_ISR",
    "TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
    "ZOOKEEPER_CONNECT",
    "ZOOKEEPER_CONNECTION_TIMEOUT_MS",
];

/// How to give the Kafka container what the image's directories expect.
const GROUP_0_FIX: &str = "give the Kafka container group 0, for which the image's directories are group-writable: supplementalGroups: [0] (or runAsGroup: 0) in the pod's securityContext";

/// The image's own directories its scripts write at start, as the image
/// builds them (`bitnami/kafka/3.9/debian-12/Dockerfile`: the components
/// are unpacked as root with `--no-same-owner`, then
/// `rootfs/opt/bitnami/scripts/kafka/postunpack.sh` runs
/// `ensure_dir_exists` on them and `chmod -R g+rwX /opt/bitnami/kafka`):
/// root:root, mode 0775, "any uid, group 0". Paths from `kafka-env.sh`.
const IMAGE_DIRS: &[(&str, &str)] = &[
    (
        "/opt/bitnami/kafka/config",
        "the Bitnami scripts write server.properties, producer.properties and consumer.properties here and copy the mounted config and truststores in (setup.sh: libkafka.sh kafka_initialize; KAFKA_CONF_DIR)",
    ),
    (
        "/opt/bitnami/kafka/logs",
        "Kafka's start script creates and writes its log dir here (kafka-run-class.sh LOG_DIR; KAFKA_LOG_DIR)",
    ),
];

/// Bitnami's aliases whose names differ from the target's suffix.
pub const RENAMED_ALIASES: &[(&str, &str)] = &[
    ("KAFKA_LOGS_DIRS", "KAFKA_CFG_LOG_DIRS"),
    ("KAFKA_SEGMENT_BYTES", "KAFKA_CFG_LOG_SEGMENT_BYTES"),
    ("KAFKA_MAX_MESSAGE_BYTES", "KAFKA_CFG_MESSAGE_MAX_BYTES"),
    (
        "KAFKA_ZOOKEEPER_CONNECT_TIMEOUT_MS",
        "KAFKA_CFG_ZOOKEEPER_CONNECTION_TIMEOUT_MS",
    ),
    (
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE",
        "KAFKA_CFG_AUTO_CREATE_TOPICS_ENABLE",
    ),
];

/// Bitnami's key for a `KAFKA_CFG_` variable.
pub fn key(var: &str) -> Option<String> {
    let suffix = var.strip_prefix("KAFKA_CFG_")?;
    if suffix.is_empty() {
        return None;
    }
    if var == "KAFKA_CFG_ZOOKEEPER_CLIENTCNXNSOCKET" {
        return Some("zookeeper.clientCnxnSocket".into());
    }
    let key = suffix.replace('_', ".").to_lowercase();
    Some(
        key.replace("sasl.ssl", "sasl_ssl")
            .replace("sasl.plaintext", "sasl_plaintext"),
    )
}

/// The Bitnami variable for a Kafka key.
pub fn var(key: &str) -> String {
    if !key.is_ascii() {
        return format!("KAFKA_CFG_{}", key.replace('.', "_").to_uppercase());
    }
    // The usual case, byte by byte in one allocation (this runs for every
    // derived key).
    let mut out = Vec::with_capacity("KAFKA_CFG_".len() + key.len());
    out.extend_from_slice(b"KAFKA_CFG_");
    out.extend(key.bytes().map(|b| match b {
        b'.' => b'_',
        b => b.to_ascii_uppercase(),
    }));
    String::from_utf8(out).unwrap_or_default() // ASCII in, ASCII out
}

/// The Kafka key a variable names in Bitnami's convention: a `KAFKA_CFG_`
/// variable's, or the one an alias is copied onto.
pub fn key_of(var: &str) -> Option<String> {
    if let Some(k) = key(var) {
        return Some(k);
    }
    let target = match RENAMED_ALIASES.iter().find(|(alias, _)| *alias == var) {
        Some((_, target)) => target.to_string(),
        None => {
            let suffix = var.strip_prefix("KAFKA_")?;
            if !ALIAS_SUFFIXES.contains(&suffix) {
                return None;
            }
            format!("KAFKA_CFG_{suffix}")
        }
    };
    key(&target)
}

/// True for names only Bitnami's convention uses: `KAFKA_CFG_*`, and the
/// aliases named unlike their key (`KAFKA_LOGS_DIRS`). The other aliases
/// (`KAFKA_ZOOKEEPER_CONNECT`) name the same key in apache/kafka's naming.
fn marks(var: &str) -> bool {
    var.starts_with("KAFKA_CFG_") || RENAMED_ALIASES.iter().any(|(alias, _)| *alias == var)
}

/// Bitnami's convention, read by the bitnami and properties flavors, and by
/// the others when the user's variables are written in it.
pub static CONVENTION: Convention = Convention {
    name: "bitnami",
    names: "KAFKA_CFG_<KEY> and Bitnami's aliases",
    key: key_of,
    var,
    read: read_cfg_and_aliases,
    marks,
    cluster_id_var: Some("KAFKA_KRAFT_CLUSTER_ID"),
};

/// Bitnami's legacy aliases of a `KAFKA_CFG_` variable.
pub fn aliases(cfg_var: &str) -> Vec<String> {
    let mut out = vec![];
    if let Some(suffix) = cfg_var.strip_prefix("KAFKA_CFG_") {
        if ALIAS_SUFFIXES.contains(&suffix) {
            out.push(format!("KAFKA_{suffix}"));
        }
    }
    for (alias, target) in RENAMED_ALIASES {
        if *target == cfg_var {
            out.push(alias.to_string());
        }
    }
    out
}

/// Reads `KAFKA_CFG_*` and the aliases that win over them (used by the
/// properties flavor too, which keeps Bitnami's naming).
pub fn read_cfg_and_aliases(
    vars: &BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) -> UserSettings {
    let mut out = UserSettings::new();
    for (var, value) in vars {
        if let Some(key) = key(var) {
            out.insert(
                key,
                UserSetting {
                    value: value.clone(),
                    var: var.clone(),
                },
            );
        }
    }
    for (alias, target, value) in set_aliases(|name| vars.get(name).map(String::as_str), &[]) {
        let Some(key) = key(&target) else { continue };
        if let Some(prev) = out.get(&key) {
            if prev.value != *value {
                problems.push(Problem::new(
                    format!("{} / {}", prev.var, alias),
                    format!(
                        "{} / {}",
                        secret::shown(&key, &prev.value),
                        secret::shown(&key, value)
                    ),
                    format!("both name {key} and disagree; the Bitnami image lets {alias} win"),
                    format!("set {key} once, in {target}, and remove {alias}"),
                ));
            }
        }
        out.insert(
            key,
            UserSetting {
                value: value.to_string(),
                var: alias,
            },
        );
    }
    out
}

/// The Bitnami aliases set in an environment (`get` reads it), as
/// `(alias, target, value)` in the order `kafka_create_alias_environment_variables`
/// copies them (a later one wins): `KAFKA_<suffix>` of [`ALIAS_SUFFIXES`],
/// then [`RENAMED_ALIASES`], then `more`. Names are built only for the set ones.
pub fn set_aliases<'v>(
    get: impl Fn(&str) -> Option<&'v str>,
    more: &[(&str, &str)],
) -> Vec<(String, String, &'v str)> {
    let mut out = vec![];
    let mut alias = String::from("KAFKA_");
    for suffix in ALIAS_SUFFIXES {
        alias.truncate("KAFKA_".len());
        alias.push_str(suffix);
        if let Some(value) = get(&alias) {
            out.push((alias.clone(), format!("KAFKA_CFG_{suffix}"), value));
        }
    }
    for (alias, target) in RENAMED_ALIASES.iter().chain(more) {
        if let Some(value) = get(alias) {
            out.push((alias.to_string(), target.to_string(), value));
        }
    }
    out
}

/// The `KAFKA_CFG_` variables for every derived or completed key, plus the
/// aliases set in `base` that would win over them inside the image.
pub fn exported_cfg(plan: &Plan, base: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in plan.changed() {
        let var = var(&e.key);
        for alias in aliases(&var) {
            if base.contains_key(&alias) {
                out.insert(alias, e.value.clone());
            }
        }
        out.insert(var, e.value.clone());
    }
    out
}

impl Flavor for Bitnami {
    fn facts(&self) -> FlavorFacts {
        FlavorFacts {
            name: "bitnami",
            default_data_dir: "/bitnami/kafka/data",
            // The image's `USER 1001`.
            run_as: (1001, 1001),
            cluster_id_var: Some("KAFKA_KRAFT_CLUSTER_ID"),
            writes_config_file: false,
            var_for: var,
        }
    }

    fn default_command(&self) -> &'static [&'static str] {
        &[
            "/opt/bitnami/scripts/kafka/entrypoint.sh",
            "/opt/bitnami/scripts/kafka/run.sh",
        ]
    }

    fn convention(&self) -> &'static Convention {
        &CONVENTION
    }

    fn exported(&self, plan: &Plan, base: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut out = exported_cfg(plan, base);
        if let Some(id) = &plan.cluster_id {
            out.insert("KAFKA_KRAFT_CLUSTER_ID".into(), id.clone());
        }
        if plan.mode == crate::plan::Mode::KRaft && !plan.formats_storage() {
            // A migrated broker keeps its v0 meta.properties: never formatted.
            out.insert("KAFKA_SKIP_KRAFT_STORAGE_INIT".into(), "true".into());
        }
        out
    }

    fn writes_at_start(&self, plan: &Plan) -> Vec<StartWrite> {
        let mut out: Vec<StartWrite> = IMAGE_DIRS
            .iter()
            .map(|(path, writer)| StartWrite {
                path: path.into(),
                owner: (0, 0),
                mode: 0o775,
                built_by: BuiltBy::Image,
                writer: format!("{writer}; root:root 0775 as bitnami/kafka's Dockerfile and postunpack.sh build it"),
                fix: GROUP_0_FIX.into(),
            })
            .collect();
        out.extend(data_dir_writes(
            plan,
            "the Bitnami scripts (KRaft: kafka-storage.sh format) and Kafka write the data dirs",
        ));
        out
    }

    fn startup_checks(
        &self,
        plan: &Plan,
        vars: &BTreeMap<String, String>,
        problems: &mut Vec<Problem>,
    ) {
        let image = image_env(self, plan, vars);
        let env = checks::ImageEnv::new(&image);
        checks::validate(&env, plan.run_as.0, problems);
    }

    fn container_checks(
        &self,
        plan: &Plan,
        vars: &BTreeMap<String, String>,
        files: &dyn ContainerFiles,
        problems: &mut Vec<Problem>,
    ) {
        if !super::image_script_here(files, checks::LIBKAFKA) {
            return;
        }
        let image = image_env(self, plan, vars);
        let env = checks::ImageEnv::in_container(&image, files);
        // Every rule again, now with the `<NAME>_FILE` contents.
        checks::validate(&env, plan.run_as.0, problems);
        checks::in_container(&env, files, problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flavor::read_user_settings;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn converts_names_both_ways() {
        let cases = [
            ("KAFKA_CFG_ADVERTISED_LISTENERS", "advertised.listeners"),
            (
                "KAFKA_CFG_LISTENER_NAME_SASL_SSL_PLAIN_SASL_JAAS_CONFIG",
                "listener.name.sasl_ssl.plain.sasl.jaas.config",
            ),
            (
                "KAFKA_CFG_ZOOKEEPER_CLIENTCNXNSOCKET",
                "zookeeper.clientCnxnSocket",
            ),
        ];
        for (v, k) in cases {
            assert_eq!(key(v).as_deref(), Some(k));
        }
        assert_eq!(var("broker.id"), "KAFKA_CFG_BROKER_ID");
        // The same as the shell's `tr . _` and upper case, past ASCII too.
        for k in ["a.b.c", ".x.", "zookeeper.clientCnxnSocket", "ssl.ß.key", "listener.name.é.x", ""] {
            assert_eq!(var(k), format!("KAFKA_CFG_{}", k.replace('.', "_").to_uppercase()), "{k}");
        }
        assert_eq!(aliases("KAFKA_CFG_LOG_DIRS"), ["KAFKA_LOG_DIRS", "KAFKA_LOGS_DIRS"]);
    }

    #[test]
    fn reads_aliases_and_reports_conflicts() {
        let vars = vars(&[
            ("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:39092"),
            ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092"),
            ("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"),
            ("KAFKA_CFG_NUM_PARTITIONS", "3"),
            ("KAFKA_NUM_PARTITIONS", "3"),
        ]);
        let mut problems = vec![];
        let got = read_user_settings(&Bitnami, &vars, &mut problems);
        assert_eq!(got["listeners"].var, "KAFKA_LISTENERS");
        assert_eq!(got["zookeeper.connect"].value, "zk:2181");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].var.contains("KAFKA_LISTENERS"));
    }

    #[test]
    fn reports_service_link_values() {
        let mut problems = vec![];
        let link = vars(&[("KAFKA_CFG_ZOOKEEPER_CONNECT", "tcp://10.0.0.2:2181")]);
        read_user_settings(&Bitnami, &link, &mut problems);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].fix.contains("enableServiceLinks"));
        let mut problems = vec![];
        let env = vars(&[
            ("KAFKA_CFG_SSL_KEYSTORE_PASSWORD", "tcp://hunter2:1"),
        ]);
        read_user_settings(&Bitnami, &env, &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].value, "<redacted>");
    }
}
