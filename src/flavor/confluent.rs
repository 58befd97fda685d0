//! confluentinc/cp-kafka (`/etc/confluent/docker/run` → `configure` →
//! `ensure` → `launch`, from the image's `kafka/include/etc/confluent/docker/`):
//! `configure` renders `/etc/kafka/kafka.properties` from every `KAFKA_<KEY>`
//! variable but the launcher's own (`kafka.properties.template`, `ub`'s
//! `envToProps` / `ConvertKey`): `KAFKA_` removed, then a single `_` between
//! two other characters → `.`, `___` → `-`, `__` → `_`, lower case.
//!
//! What the scripts require, and kafka-init provides: KRaft (8.x `configure`)
//! needs `KAFKA_PROCESS_ROLES` and `CLUSTER_ID` set, and
//! `KAFKA_ADVERTISED_LISTENERS` on every node but a controller-only one (where
//! it must be unset); ZooKeeper mode (7.x) needs `KAFKA_ZOOKEEPER_CONNECT` and
//! `KAFKA_ADVERTISED_LISTENERS`. `ensure` formats KRaft storage itself
//! (`kafka-storage format --cluster-id=$CLUSTER_ID`), so kafka-init only
//! passes the id. The image runs as `appuser` (uid and gid 1000) with data in
//! `/var/lib/kafka/data` (its `VOLUME`).

use std::collections::BTreeMap;

use super::convention::Convention;
use super::{apache, data_dir_writes, exported_kafka_prefixed, image_env, read_kafka_prefixed, Flavor, ImageVars, Launch};
use crate::plan::{FlavorFacts, Plan, StartWrite, UserSettings};
use crate::problem::Problem;

/// The confluent flavor.
pub struct Confluent;

/// Variables the image's properties template leaves out (`excludedProps`).
pub const EXCLUDED: &[&str] = &[
    "KAFKA_VERSION",
    "KAFKA_HEAP_OPTS",
    "KAFKA_LOG4J_OPTS",
    "KAFKA_OPTS",
    "KAFKA_JMX_OPTS",
    "KAFKA_JVM_PERFORMANCE_OPTS",
    "KAFKA_GC_LOG_OPTS",
    "KAFKA_LOG4J_ROOT_LOGLEVEL",
    "KAFKA_LOG4J_LOGGERS",
    "KAFKA_TOOLS_LOG4J_LOGLEVEL",
];

/// Variables the image's scripts read for themselves (`configure`'s TLS file
/// names, `ensure`'s data dir and ZooKeeper wait): inputs of the scripts, not
/// Kafka settings, even though the template copies them into the file too.
pub const SCRIPT_VARS: &[&str] = &[
    "KAFKA_SSL_KEYSTORE_FILENAME",
    "KAFKA_SSL_KEY_CREDENTIALS",
    "KAFKA_SSL_KEYSTORE_CREDENTIALS",
    "KAFKA_SSL_TRUSTSTORE_FILENAME",
    "KAFKA_SSL_TRUSTSTORE_CREDENTIALS",
    "KAFKA_DATA_DIRS",
    "KAFKA_CUB_ZK_TIMEOUT",
];

/// What kafka/Dockerfile.ubi8 (7.9.6) and kafka/Dockerfile.ubi9 (8.1.2)
/// declare as `ARG NAME` (no default) then `ENV NAME=${NAME}`: every
/// container has them set, empty. `KAFKA_ZOOKEEPER_CONNECT` is 7.x's only;
/// on 8.x, which has no ZooKeeper mode, an empty one means nothing either.
pub const IMAGE_EMPTY_VARS: &[&str] = &["KAFKA_ZOOKEEPER_CONNECT", "KAFKA_ADVERTISED_LISTENERS", "CLUSTER_ID"];

/// Variables whose mere presence makes `configure` exit (deprecated names).
const DEPRECATED: &[&str] = &["KAFKA_ADVERTISED_PORT", "KAFKA_ADVERTISED_HOST", "KAFKA_HOST", "KAFKA_PORT"];

/// `configure`'s own rules beyond the ones it shares with apache/kafka
/// ([`apache::configure_checks`]): ZooKeeper mode needs
/// `KAFKA_ZOOKEEPER_CONNECT` and `KAFKA_ADVERTISED_LISTENERS` (`dub
/// ensure`); KRaft needs `KAFKA_ADVERTISED_LISTENERS` on every node but a
/// controller-only one; the deprecated `KAFKA_ADVERTISED_PORT`,
/// `KAFKA_ADVERTISED_HOST`, `KAFKA_HOST` and `KAFKA_PORT` stop it.
pub fn configure_checks(env: &ImageVars, problems: &mut Vec<Problem>) {
    apache::configure_checks(env, "confluentinc/cp-kafka", problems);
    let value = |name: &str| env.get(name).unwrap_or("");
    let mut required = vec!["KAFKA_ADVERTISED_LISTENERS"];
    match value("KAFKA_PROCESS_ROLES") {
        "" => required.push("KAFKA_ZOOKEEPER_CONNECT"),
        "controller" => required.clear(),
        _ => {}
    }
    for name in required {
        if value(name).is_empty() {
            problems.push(Problem::new(
                name,
                "",
                format!("the confluentinc/cp-kafka image refuses to start: `dub ensure {name}` (its /etc/confluent/docker/configure)"),
                format!("set {name}"),
            ));
        }
    }
    for name in DEPRECATED.iter().filter(|n| env.get(n).is_some()) {
        problems.push(Problem::new(
            *name,
            crate::secret::shown(name, value(name)),
            "the confluentinc/cp-kafka image refuses to start: a deprecated variable (\"… is deprecated. Please use KAFKA_ADVERTISED_LISTENERS instead.\")",
            format!("remove {name}"),
        ));
    }
}

/// `ub`'s `ConvertKey`: a single `_` between two other characters becomes
/// `.` (matches of `[^_]_[^_]`, left to right and not overlapping, so in
/// `A_B_C` only the first `_` is one), then `___` → `-`, `__` → `_`, lower case.
fn convert_key(name: &str) -> String {
    let c: Vec<char> = name.chars().collect();
    let mut dotted = String::with_capacity(name.len());
    let mut i = 0;
    while i < c.len() {
        if i + 2 < c.len() && c[i] != '_' && c[i + 1] == '_' && c[i + 2] != '_' {
            dotted.extend([c[i], '.', c[i + 2]]);
            i += 3;
        } else {
            dotted.push(c[i]);
            i += 1;
        }
    }
    dotted.replace("___", "-").replace("__", "_").to_lowercase()
}

/// The image's key for a `KAFKA_` variable (None for the launcher's and the scripts' own).
pub fn key(var: &str) -> Option<String> {
    let rest = var.strip_prefix("KAFKA_")?;
    if rest.is_empty() || EXCLUDED.contains(&var) || SCRIPT_VARS.contains(&var) {
        return None;
    }
    Some(convert_key(rest))
}

/// The variable the image reads a Kafka key from (the inverse of [`key`]
/// for keys whose parts between dots are longer than one character).
pub fn var(key: &str) -> String {
    apache::var(key)
}

fn read(vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) -> UserSettings {
    read_kafka_prefixed(vars, key, var, "confluentinc/cp-kafka", problems)
}

/// cp-kafka's convention (`ub`'s `ConvertKey`).
pub static CONVENTION: Convention = Convention {
    name: "confluent",
    names: "KAFKA_<KEY> (. as _, _ as __, - as ___)",
    key,
    var,
    read,
    marks: |_| false,
    cluster_id_var: Some("CLUSTER_ID"),
};

impl Flavor for Confluent {
    fn facts(&self) -> FlavorFacts {
        FlavorFacts {
            name: "confluent",
            default_data_dir: "/var/lib/kafka/data",
            // `USER appuser`, uid and gid 1000 in the cp-base images.
            run_as: (1000, 1000),
            cluster_id_var: Some("CLUSTER_ID"),
            writes_config_file: false,
            var_for: var,
        }
    }

    fn default_command(&self) -> &'static [&'static str] {
        &["/etc/confluent/docker/run"]
    }

    fn convention(&self) -> &'static Convention {
        &CONVENTION
    }

    fn exported(&self, plan: &Plan, _base: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        exported_kafka_prefixed(plan, &CONVENTION, "CLUSTER_ID")
    }

    fn launch(
        &self,
        plan: &Plan,
        base: &BTreeMap<String, String>,
        command: &[String],
    ) -> anyhow::Result<Launch> {
        // The template would turn KAFKA_INIT_* into init.* properties.
        Ok(apache::env_without_own(self, plan, base, command))
    }

    fn image_empty_vars(&self) -> &'static [&'static str] {
        IMAGE_EMPTY_VARS
    }

    fn writes_at_start(&self, plan: &Plan) -> Vec<StartWrite> {
        // kafka/Dockerfile.ubi8: `chown appuser:appuser -R /etc/kafka`,
        // `chmod -R ag+w /etc/kafka` (0755 + ag+w).
        let etc = [(
            "/etc/kafka",
            "the image's configure requires it writable (`dub path /etc/kafka/ writable`) and renders kafka.properties and the log4j files here (kafka/include/etc/confluent/docker/configure)",
        )];
        let mut out = apache::image_writes(&etc, (1000, 1000), 0o777, "confluentinc/kafka-images' kafka/Dockerfile.ubi8");
        out.extend(data_dir_writes(plan, "the image's ensure requires the data dir writable (`dub path $KAFKA_DATA_DIRS writable`) and formats it in KRaft; Kafka writes it"));
        out
    }

    fn startup_checks(&self, plan: &Plan, vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) {
        configure_checks(&image_env(self, plan, vars), problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Env<'a> = &'a [(&'a str, &'a str)];

    #[test]
    fn configure_requires_zookeeper_or_kraft_variables_and_refuses_deprecated_ones() {
        let env = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let cases: &[(Env, &[&str])] = &[
            (&[("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"), ("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://k:9092")], &[]),
            (&[("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://k:9092")], &["KAFKA_ZOOKEEPER_CONNECT"]),
            (&[("KAFKA_ZOOKEEPER_CONNECT", "zk:2181")], &["KAFKA_ADVERTISED_LISTENERS"]),
            (&[("KAFKA_PROCESS_ROLES", "broker"), ("CLUSTER_ID", "x"), ("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://k:9092")], &[]),
            (&[("KAFKA_PROCESS_ROLES", "broker"), ("CLUSTER_ID", "x")], &["KAFKA_ADVERTISED_LISTENERS"]),
            (&[("KAFKA_PROCESS_ROLES", "controller"), ("CLUSTER_ID", "x")], &[]),
            (&[("KAFKA_PROCESS_ROLES", "controller"), ("CLUSTER_ID", "x"), ("KAFKA_HOST", "h")], &["KAFKA_HOST"]),
        ];
        for (pairs, want) in cases {
            let mut problems = vec![];
            configure_checks(&ImageVars::of(&env(pairs)), &mut problems);
            let got: Vec<&str> = problems.iter().map(|p| p.var.as_str()).collect();
            assert_eq!(&got, want, "{pairs:?}: {problems:?}");
        }
    }

    #[test]
    fn reads_names_the_way_the_images_template_does() {
        let cases = [
            ("KAFKA_ADVERTISED_LISTENERS", Some("advertised.listeners")),
            ("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", Some("listener.security.protocol.map")),
            ("KAFKA_LISTENER_NAME_SASL__SSL_PLAIN_SASL_JAAS_CONFIG", Some("listener.name.sasl_ssl.plain.sasl.jaas.config")),
            ("KAFKA_CONFLUENT_BALANCER___X", Some("confluent.balancer-x")),
            // Only the prefix goes (apache/kafka removes every KAFKA_).
            ("KAFKA_KAFKA_X", Some("kafka.x")),
            // ub's regexp matches do not overlap: a one-letter part keeps its second '_'.
            ("KAFKA_LISTENER_NAME_X_PLAIN", Some("listener.name.x_plain")),
            ("KAFKA_HEAP_OPTS", None),
            ("KAFKA_SSL_KEYSTORE_FILENAME", None),
            ("KAFKA_DATA_DIRS", None),
            ("KAFKA_", None),
            ("CLUSTER_ID", None),
        ];
        for (v, want) in cases {
            assert_eq!(key(v).as_deref(), want, "{v}");
        }
    }

    #[test]
    fn every_key_kafka_init_derives_round_trips_through_the_image() {
        for k in [
            "broker.id",
            "node.id",
            "listeners",
            "advertised.listeners",
            "listener.security.protocol.map",
            "inter.broker.listener.name",
            "process.roles",
            "controller.listener.names",
            "controller.quorum.voters",
            "default.replication.factor",
            "min.insync.replicas",
            "offsets.topic.replication.factor",
            "transaction.state.log.replication.factor",
            "transaction.state.log.min.isr",
            "log.dirs",
        ] {
            assert_eq!(key(&var(k)).as_deref(), Some(k), "{k}");
        }
    }
}
