//! The names under which each image reads Kafka settings from the
//! environment, and the conversion between variable names and Kafka keys.
//!
//! Bitnami 3.x (`libkafka.sh`): `KAFKA_CFG_<KEY>` with `_` → `.` and lower
//! case (then `sasl.ssl` → `sasl_ssl`, `sasl.plaintext` → `sasl_plaintext`),
//! plus legacy aliases `KAFKA_<SUFFIX>` copied over `KAFKA_CFG_<SUFFIX>` by
//! `kafka_create_alias_environment_variables` — so the alias wins in the image.
//! apache/kafka (`KafkaDockerWrapper.getServerConfigsFromEnv`): every
//! `KAFKA_<KEY>` but a fixed exclusion list, `KAFKA_` removed, lower case,
//! `_` → `.`, then `...` → `-` and `..` → `_`.

use std::collections::BTreeMap;

use crate::plan::Flavor;
use crate::problem::Problem;

/// Suffixes `S` for which Bitnami copies `KAFKA_S` onto `KAFKA_CFG_S`.
pub const BITNAMI_ALIAS_SUFFIXES: &[&str] = &[
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

/// Bitnami's aliases whose names differ from the target's suffix.
pub const BITNAMI_RENAMED_ALIASES: &[(&str, &str)] = &[
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

/// Variables the apache/kafka image does not turn into server properties.
pub const APACHE_EXCLUDED: &[&str] = &[
    "KAFKA_VERSION",
    "KAFKA_HEAP_OPT",
    "KAFKA_HEAP_OPTS",
    "KAFKA_LOG4J_OPTS",
    "KAFKA_OPTS",
    "KAFKA_JMX_OPTS",
    "KAFKA_JVM_PERFORMANCE_OPTS",
    "KAFKA_GC_LOG_OPTS",
    "KAFKA_LOG4J_ROOT_LOGLEVEL",
    "KAFKA_LOG4J_LOGGERS",
    "KAFKA_TOOLS_LOG4J_LOGLEVEL",
    "KAFKA_JMX_HOSTNAME",
];

/// Variables the Bitnami scripts `eval` and whose output overrides the id or
/// voters kafka-init sets (`kafka_dynamic_environment_variables`).
pub const COMMAND_VARS: &[&str] = &[
    "KAFKA_BROKER_ID_COMMAND",
    "BROKER_ID_COMMAND",
    "KAFKA_NODE_ID_COMMAND",
    "KAFKA_CONTROLLER_QUORUM_VOTERS_COMMAND",
];

/// A Kafka setting the user wrote, with the variable it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSetting {
    /// The value.
    pub value: String,
    /// The variable that holds it (the one the image lets win).
    pub var: String,
}

/// Bitnami's key for a `KAFKA_CFG_` variable.
pub fn bitnami_key(var: &str) -> Option<String> {
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
pub fn bitnami_var(key: &str) -> String {
    format!("KAFKA_CFG_{}", key.replace('.', "_").to_uppercase())
}

/// apache/kafka's key for a `KAFKA_` variable (None for excluded ones).
pub fn apache_key(var: &str) -> Option<String> {
    if !var.starts_with("KAFKA_") || APACHE_EXCLUDED.contains(&var) || var == "KAFKA_" {
        return None;
    }
    // The image uses String.replace, which removes every "KAFKA_", not just the prefix.
    let key = var.replace("KAFKA_", "").to_lowercase().replace('_', ".");
    Some(key.replace("...", "-").replace("..", "_"))
}

/// The apache/kafka variable for a Kafka key.
pub fn apache_var(key: &str) -> String {
    let v = key.replace('_', "__").replace('-', "___").replace('.', "_");
    format!("KAFKA_{}", v.to_uppercase())
}

/// The variable a flavor reads a key from.
pub fn var_for(flavor: Flavor, key: &str) -> String {
    match flavor {
        Flavor::Apache => apache_var(key),
        Flavor::Bitnami | Flavor::Properties => bitnami_var(key),
    }
}

/// Bitnami's legacy aliases of a `KAFKA_CFG_` variable.
pub fn bitnami_aliases(cfg_var: &str) -> Vec<String> {
    let mut out = vec![];
    if let Some(suffix) = cfg_var.strip_prefix("KAFKA_CFG_") {
        if BITNAMI_ALIAS_SUFFIXES.contains(&suffix) {
            out.push(format!("KAFKA_{suffix}"));
        }
    }
    for (alias, target) in BITNAMI_RENAMED_ALIASES {
        if *target == cfg_var {
            out.push(alias.to_string());
        }
    }
    out
}

fn is_service_link_name(var: &str) -> bool {
    // Kubernetes injects <SVC>_SERVICE_HOST, <SVC>_SERVICE_PORT[_<name>], <SVC>_PORT and
    // <SVC>_PORT_<port>_<proto>[_PROTO|_PORT|_ADDR] for every Service of the namespace.
    let Some(rest) = var.strip_prefix("KAFKA_") else {
        return false;
    };
    rest == "SERVICE_HOST"
        || rest == "PORT"
        || rest.starts_with("SERVICE_PORT")
        || rest
            .strip_prefix("PORT_")
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
}

/// Reads the user's Kafka settings under every name the flavor's image honours.
/// Conflicting names and leftovers that would override kafka-init are problems.
pub fn read(
    flavor: Flavor,
    vars: &BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, UserSetting> {
    let mut out: BTreeMap<String, UserSetting> = BTreeMap::new();
    for var in COMMAND_VARS {
        if let Some(v) = vars.get(*var) {
            problems.push(Problem::new(
                *var,
                v,
                "the Bitnami scripts eval this variable and its output replaces the id kafka-init derives",
                format!("remove {var}: kafka-init sets the id from the pod ordinal (offset: KAFKA_INIT_ID_OFFSET)"),
            ));
        }
    }
    match flavor {
        Flavor::Bitnami | Flavor::Properties => {
            for (var, value) in vars {
                if let Some(key) = bitnami_key(var) {
                    out.insert(
                        key,
                        UserSetting {
                            value: value.clone(),
                            var: var.clone(),
                        },
                    );
                }
            }
            let mut alias_pairs: Vec<(String, String)> = BITNAMI_ALIAS_SUFFIXES
                .iter()
                .map(|s| (format!("KAFKA_{s}"), format!("KAFKA_CFG_{s}")))
                .collect();
            alias_pairs.extend(
                BITNAMI_RENAMED_ALIASES
                    .iter()
                    .map(|(a, t)| (a.to_string(), t.to_string())),
            );
            for (alias, target) in alias_pairs {
                let Some(value) = vars.get(&alias) else {
                    continue;
                };
                let key = bitnami_key(&target).expect("alias targets are KAFKA_CFG_ names");
                if let Some(prev) = out.get(&key) {
                    if prev.value != *value {
                        problems.push(Problem::new(
                            format!("{} / {}", prev.var, alias),
                            format!("{} / {}", prev.value, value),
                            format!(
                                "both name {key} and disagree; the Bitnami image lets {alias} win"
                            ),
                            format!("set {key} once, in {target}, and remove {alias}"),
                        ));
                    }
                }
                out.insert(
                    key,
                    UserSetting {
                        value: value.clone(),
                        var: alias,
                    },
                );
            }
        }
        Flavor::Apache => {
            for (var, value) in vars {
                if var.starts_with("KAFKA_INIT_") {
                    continue;
                }
                if is_service_link_name(var) {
                    problems.push(Problem::new(
                        var,
                        value,
                        "a Kubernetes service-link variable (a Service named kafka); the apache/kafka image turns every KAFKA_* variable into a server property",
                        "set enableServiceLinks: false in the pod spec",
                    ));
                    continue;
                }
                if let Some(key) = apache_key(var) {
                    out.insert(
                        key,
                        UserSetting {
                            value: value.clone(),
                            var: var.clone(),
                        },
                    );
                }
            }
        }
    }
    for (key, s) in &out {
        let v = s.value.trim_start().to_ascii_lowercase();
        if v.starts_with("tcp://") || v.starts_with("udp://") {
            problems.push(Problem::new(
                &s.var,
                &s.value,
                format!("{key} holds a Kubernetes service-link value (injected because a Service is named like the variable's prefix)"),
                "set enableServiceLinks: false in the pod spec, or set the variable explicitly",
            ));
        }
    }
    out
}

/// True for keys whose values are never printed.
pub fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["password", "secret", "jaas"].iter().any(|s| k.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for (var, key) in cases {
            assert_eq!(bitnami_key(var).as_deref(), Some(key));
        }
        assert_eq!(bitnami_var("broker.id"), "KAFKA_CFG_BROKER_ID");
        let apache = [
            ("KAFKA_ADVERTISED_LISTENERS", "advertised.listeners"),
            (
                "KAFKA_LISTENER_NAME_SASL__SSL_X",
                "listener.name.sasl_ssl.x",
            ),
            ("KAFKA_A___B", "a-b"),
        ];
        for (var, key) in apache {
            assert_eq!(apache_key(var).as_deref(), Some(key), "{var}");
            assert_eq!(apache_var(key), var);
        }
        assert_eq!(apache_key("KAFKA_HEAP_OPTS"), None);
    }

    #[test]
    fn reads_aliases_and_reports_conflicts() {
        let vars: BTreeMap<String, String> = [
            ("KAFKA_LISTENERS", "PLAINTEXT_INTERNAL://:39092"),
            ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092"),
            ("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"),
            ("KAFKA_CFG_NUM_PARTITIONS", "3"),
            ("KAFKA_NUM_PARTITIONS", "3"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut problems = vec![];
        let got = read(Flavor::Bitnami, &vars, &mut problems);
        assert_eq!(got["listeners"].var, "KAFKA_LISTENERS");
        assert_eq!(got["zookeeper.connect"].value, "zk:2181");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].var.contains("KAFKA_LISTENERS"));
    }

    #[test]
    fn reports_service_links_and_commands() {
        let vars: BTreeMap<String, String> = [
            ("KAFKA_PORT", "tcp://10.0.0.1:39092"),
            ("KAFKA_BROKER_ID_COMMAND", "cat /tmp/broker_id"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut problems = vec![];
        read(Flavor::Apache, &vars, &mut problems);
        let names: Vec<&str> = problems.iter().map(|p| p.var.as_str()).collect();
        assert_eq!(names, ["KAFKA_BROKER_ID_COMMAND", "KAFKA_PORT"]);
        let mut problems = vec![];
        let vars: BTreeMap<String, String> = [(
            "KAFKA_CFG_ZOOKEEPER_CONNECT".to_string(),
            "tcp://10.0.0.2:2181".to_string(),
        )]
        .into();
        read(Flavor::Bitnami, &vars, &mut problems);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].fix.contains("enableServiceLinks"));
    }
}
