//! kafka-init's own settings and the pod identity inputs: every environment
//! variable kafka-init reads for itself is declared here, once, with its
//! documentation. Values stay strings so that a bad value becomes a
//! [`Problem`](crate::problem::Problem) naming the variable, not a parse panic.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Declares the [`Settings`] struct (every field an `Option<String>`, read
/// by envy from the variable named like the field in upper case) and
/// [`FIELDS`], the list of its field names: one declaration, so the list of
/// variables kafka-init knows cannot drift from what it reads.
macro_rules! settings {
    ($($(#[doc = $doc:literal])* $field:ident,)+) => {
        /// The settings struct, deserialized by envy from the environment.
        ///
        /// Field `foo_bar` is read from variable `FOO_BAR`.
        #[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
        pub struct Settings {
            $($(#[doc = $doc])* pub $field: Option<String>,)+
        }

        /// The names of [`Settings`]' fields, in declaration order.
        pub const FIELDS: &[&str] = &[$(stringify!($field)),+];
    };
}

settings! {
    /// Pod name (downward API `metadata.name`). Fallbacks: `HOSTNAME`, then the kernel hostname.
    pod_name,
    /// Set by the container runtime; the pod name when `POD_NAME` is unset.
    hostname,
    /// Pod namespace (downward API `metadata.namespace`). Fallbacks: the service-account namespace file, then `default`.
    pod_namespace,
    /// Pod ordinal (downward API label `apps.kubernetes.io/pod-index`, Kubernetes 1.28+). Fallback: parsed from the pod name.
    pod_index,
    /// The node's IP (downward API `status.hostIP`): the advertised host of the external listener.
    host_ip,

    /// Which image kafka-init prepares Kafka for: a flavor registered in `src/flavor/mod.rs` (the first, `bitnami`, by default).
    kafka_init_flavor,
    /// Added to the ordinal to give `broker.id` / `node.id`. Default 0.
    kafka_init_id_offset,
    /// The headless Service that gives pods their DNS names. Default: the StatefulSet name.
    kafka_init_service,
    /// The cluster's DNS domain. Default `cluster.local`.
    kafka_init_cluster_domain,
    /// The StatefulSet's replica count; enables the durable replication defaults.
    kafka_init_replicas,
    /// The number of brokers, when it differs from `KAFKA_INIT_REPLICAS` (a KRaft controller-only StatefulSet: required there for the durable defaults).
    kafka_init_broker_replicas,
    /// `uid:gid` that owns the data dirs after `prepare`. Default: the flavor's (bitnami 1001:1001, the others 1000:1000).
    kafka_init_run_as,
    /// `zookeeper` or `kraft`. Default: `zookeeper` when `zookeeper.connect` is set, else `kraft`.
    kafka_init_mode,
    /// KRaft role of this StatefulSet: `combined` (default), `broker` or `controller`.
    kafka_init_role,
    /// KRaft: the controller StatefulSet's name. Default: this StatefulSet (combined and controller roles).
    kafka_init_controller_statefulset,
    /// KRaft: the controllers' headless Service. Default: the controller StatefulSet's name.
    kafka_init_controller_service,
    /// KRaft: the number of controllers. Default: `KAFKA_INIT_REPLICAS` in the combined and controller roles.
    kafka_init_controller_replicas,
    /// KRaft: the controllers' id offset. Default: `KAFKA_INIT_ID_OFFSET` in the combined and controller roles, else 0.
    kafka_init_controller_id_offset,
    /// KRaft: the controller listener's port. Default 9093.
    kafka_init_controller_port,
    /// The ZooKeeper-to-KRaft migration phase, the same on both StatefulSets: `controllers`, `migration-mode` (formerly `dual-write`, deprecated), `kraft-brokers` or `finalized`, or Apache's step names `provision-controllers`, `enter-migration-mode`, `migrate-brokers`, `finalize` (stays set). Unset: no migration.
    kafka_init_migration,
    /// Set to `true` only after verifying by other means that no broker is registered in ZooKeeper: lets a controller's first start in phase `finalized` go on when ZooKeeper cannot confirm it (logged at warn). Unset by default.
    kafka_init_unsafe_finalize_without_zookeeper,
    /// KRaft cluster id (22 characters, base64url of 16 bytes). Also read from the flavor's own variable. Needed only to create a cluster: unset, a node takes the `cluster.id` of its volume's `meta.properties`; set, it must agree with it.
    kafka_init_cluster_id,
    /// External access: the node port of ordinal 0; broker N advertises `base + N`.
    kafka_init_external_base_port,
    /// External access: advertised host template; `{host_ip}`, `{pod}`, `{ordinal}` are replaced. Default `{host_ip}`.
    kafka_init_external_host,
    /// External access: the port the EXTERNAL listener binds in the pod. Default 9094.
    kafka_init_external_port,
    /// properties flavor, and the apache flavor in ZooKeeper mode: the directory that receives `server.properties`. Default: `config` beside the first data dir (properties), `/opt/kafka/config` (apache).
    kafka_init_config_dir,
    /// properties flavor, KRaft: the storage format command (split on spaces). Default `/opt/kafka/bin/kafka-storage.sh`.
    kafka_init_format_command,
    /// `exec`'s permission preflight: the directory the image's own paths (`/opt/bitnami/kafka/config`, ...) are looked up under. Default `/`; tests point it at a stand-in of the image's tree.
    kafka_init_image_root,
    /// Log level: off, error, warn, info (default), debug or trace.
    kafka_init_log,
    /// `text` (default) or `json`.
    kafka_init_log_format,
    /// The Kafka version whose catalog checks every key (`3.9.0`). Default: the version the image states (Bitnami's `APP_VERSION`), else 3.9.2 in ZooKeeper mode (no 4.x runs it) and 4.4.0 in KRaft.
    kafka_init_kafka_version,
    /// Keys your plugins read that Kafka cannot know: exact keys or `prefix.*`, comma-separated. Taken as they are, never reported as unknown.
    kafka_init_extra_keys,
}

/// Every variable [`Settings`] reads, by name (`KAFKA_INIT_REPLICAS`).
pub fn variables() -> Vec<String> {
    FIELDS.iter().map(|f| f.to_ascii_uppercase()).collect()
}

impl Settings {
    /// Reads the settings from `(name, value)` pairs; unknown names are ignored.
    pub fn from_vars<I>(vars: I) -> Self
    where
        I: IntoIterator<Item = (String, String)>,
    {
        // Every field is an Option<String>, so envy cannot fail on values;
        // names that are not valid UTF-8 never reach here.
        envy::from_iter(vars).unwrap_or_default()
    }

    /// Reads the settings from the environment `vars`. Only the variables
    /// that are settings are handed to envy (it matches names regardless of
    /// case, so this does too): an environment holds a hundred others, and
    /// copying them all cost more than the rest of the reading.
    pub fn of(vars: &BTreeMap<String, String>) -> Self {
        Self::from_vars(
            vars.iter()
                .filter(|(name, _)| {
                    FIELDS
                        .iter()
                        .any(|f| f.len() == name.len() && f.eq_ignore_ascii_case(name))
                })
                .map(|(name, value)| (name.clone(), value.clone())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_upper_case_names_into_fields() {
        let s = Settings::from_vars([
            ("POD_NAME".to_string(), "kafka-2".to_string()),
            ("KAFKA_INIT_ID_OFFSET".to_string(), "100".to_string()),
            ("UNRELATED".to_string(), "x".to_string()),
        ]);
        assert_eq!(s.pod_name.as_deref(), Some("kafka-2"));
        assert_eq!(s.kafka_init_id_offset.as_deref(), Some("100"));
        assert_eq!(s.hostname, None);
    }

    #[test]
    fn of_reads_what_envy_reads_from_the_whole_environment() {
        let vars: BTreeMap<String, String> = [
            ("POD_NAME", "kafka-2"),
            ("Kafka_Init_Replicas", "3"), // envy ignores case; so must `of`
            ("KAFKA_INIT_REPLICA", "3"),
            ("KAFKA_CFG_LOG_DIRS", "/data"),
            ("HOSTNAME", "kafka-2"),
            ("PATH", "/bin"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let of = Settings::of(&vars);
        assert_eq!(of, Settings::from_vars(vars.clone()));
        assert_eq!(of.kafka_init_replicas.as_deref(), Some("3"));
        assert_eq!(of.hostname.as_deref(), Some("kafka-2"));
    }

    #[test]
    fn every_listed_variable_is_a_field_envy_reads_and_none_is_missing() {
        let names = variables();
        for name in &names {
            let s = Settings::from_vars([(name.clone(), "x".to_string())]);
            assert_ne!(s, Settings::default(), "{name} is listed but not read");
        }
        // Every name set at once fills every field: none is left out of the list.
        let all = Settings::from_vars(names.iter().map(|n| (n.clone(), "x".to_string())));
        let debug = format!("{all:?}");
        assert!(!debug.contains("None"), "a field is not in FIELDS: {debug}");
        for own in [crate::catalog::VERSION_VAR, crate::catalog::EXTRA_KEYS_VAR] {
            assert!(names.iter().any(|n| n == own), "{own}");
        }
    }
}
