//! kafka-init's own settings and the pod identity inputs: every environment
//! variable kafka-init reads for itself is declared here, once, with its
//! documentation. Values stay strings so that a bad value becomes a
//! [`Problem`](crate::problem::Problem) naming the variable, not a parse panic.

use serde::Deserialize;

/// The settings struct, deserialized by envy from the environment.
///
/// Field `foo_bar` is read from variable `FOO_BAR`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Settings {
    /// Pod name (downward API `metadata.name`). Fallbacks: `HOSTNAME`, then the kernel hostname.
    pub pod_name: Option<String>,
    /// Set by the container runtime; the pod name when `POD_NAME` is unset.
    pub hostname: Option<String>,
    /// Pod namespace (downward API `metadata.namespace`). Fallbacks: the service-account namespace file, then `default`.
    pub pod_namespace: Option<String>,
    /// Pod ordinal (downward API label `apps.kubernetes.io/pod-index`, Kubernetes 1.28+). Fallback: parsed from the pod name.
    pub pod_index: Option<String>,
    /// The node's IP (downward API `status.hostIP`): the advertised host of the external listener.
    pub host_ip: Option<String>,

    /// Which image kafka-init prepares Kafka for: a flavor registered in `src/flavor/mod.rs` (the first, `bitnami`, by default).
    pub kafka_init_flavor: Option<String>,
    /// Added to the ordinal to give `broker.id` / `node.id`. Default 0.
    pub kafka_init_id_offset: Option<String>,
    /// The headless Service that gives pods their DNS names. Default: the StatefulSet name.
    pub kafka_init_service: Option<String>,
    /// The cluster's DNS domain. Default `cluster.local`.
    pub kafka_init_cluster_domain: Option<String>,
    /// The StatefulSet's replica count; enables the durable replication defaults.
    pub kafka_init_replicas: Option<String>,
    /// The number of brokers, when it differs from `KAFKA_INIT_REPLICAS` (a KRaft controller-only StatefulSet: required there for the durable defaults).
    pub kafka_init_broker_replicas: Option<String>,
    /// `uid:gid` that owns the data dirs after `prepare`. Default: the flavor's (bitnami 1001:1001, the others 1000:1000).
    pub kafka_init_run_as: Option<String>,
    /// `zookeeper` or `kraft`. Default: `zookeeper` when `zookeeper.connect` is set, else `kraft`.
    pub kafka_init_mode: Option<String>,
    /// KRaft role of this StatefulSet: `combined` (default), `broker` or `controller`.
    pub kafka_init_role: Option<String>,
    /// KRaft: the controller StatefulSet's name. Default: this StatefulSet (combined and controller roles).
    pub kafka_init_controller_statefulset: Option<String>,
    /// KRaft: the controllers' headless Service. Default: the controller StatefulSet's name.
    pub kafka_init_controller_service: Option<String>,
    /// KRaft: the number of controllers. Default: `KAFKA_INIT_REPLICAS` in the combined and controller roles.
    pub kafka_init_controller_replicas: Option<String>,
    /// KRaft: the controllers' id offset. Default: `KAFKA_INIT_ID_OFFSET` in the combined and controller roles, else 0.
    pub kafka_init_controller_id_offset: Option<String>,
    /// KRaft: the controller listener's port. Default 9093.
    pub kafka_init_controller_port: Option<String>,
    /// The ZooKeeper-to-KRaft migration phase, the same on both StatefulSets: `controllers`, `dual-write`, `kraft-brokers` or `finalized` (stays set). Unset: no migration.
    pub kafka_init_migration: Option<String>,
    /// KRaft cluster id (22 characters, base64url of 16 bytes). Also read from the flavor's own variable.
    pub kafka_init_cluster_id: Option<String>,
    /// External access: the node port of ordinal 0; broker N advertises `base + N`.
    pub kafka_init_external_base_port: Option<String>,
    /// External access: advertised host template; `{host_ip}`, `{pod}`, `{ordinal}` are replaced. Default `{host_ip}`.
    pub kafka_init_external_host: Option<String>,
    /// External access: the port the EXTERNAL listener binds in the pod. Default 9094.
    pub kafka_init_external_port: Option<String>,
    /// properties flavor: the directory that receives `server.properties`. Default: `config` beside the first data dir.
    pub kafka_init_config_dir: Option<String>,
    /// properties flavor, KRaft: the storage format command (split on spaces). Default `/opt/kafka/bin/kafka-storage.sh`.
    pub kafka_init_format_command: Option<String>,
    /// Log level: off, error, warn, info (default), debug or trace.
    pub kafka_init_log: Option<String>,
    /// `text` (default) or `json`.
    pub kafka_init_log_format: Option<String>,
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
}
