//! apache/kafka 3.7+ / 4.x (`/etc/kafka/docker/run`,
//! `KafkaDockerWrapper.getServerConfigsFromEnv`): every `KAFKA_<KEY>`
//! variable but a fixed exclusion list becomes a server property: `KAFKA_`
//! removed, lower case, `_` → `.`, then `...` → `-` and `..` → `_`. Runs as
//! `appuser` (1000), cluster id in `CLUSTER_ID`.

use std::collections::BTreeMap;

use super::{read_kafka_prefixed, Flavor, Launch};
use crate::plan::{FlavorFacts, Plan, UserSettings};
use crate::problem::Problem;

/// The apache flavor.
pub struct Apache;

/// Variables the apache/kafka image does not turn into server properties.
pub const EXCLUDED: &[&str] = &[
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

/// apache/kafka's key for a `KAFKA_` variable (None for excluded ones).
pub fn key(var: &str) -> Option<String> {
    if !var.starts_with("KAFKA_") || EXCLUDED.contains(&var) || var == "KAFKA_" {
        return None;
    }
    // The image uses String.replace, which removes every "KAFKA_", not just the prefix.
    let key = var.replace("KAFKA_", "").to_lowercase().replace('_', ".");
    Some(key.replace("...", "-").replace("..", "_"))
}

/// The apache/kafka variable for a Kafka key.
pub fn var(key: &str) -> String {
    let v = key.replace('_', "__").replace('-', "___").replace('.', "_");
    format!("KAFKA_{}", v.to_uppercase())
}

/// The environment of an image that turns every `KAFKA_*` variable into a
/// property: kafka-init's own variables removed, the derived ones added.
pub fn env_without_own(
    flavor: &dyn Flavor,
    plan: &Plan,
    base: &BTreeMap<String, String>,
    command: &[String],
) -> Launch {
    let mut env = base.clone();
    env.retain(|k, _| !k.starts_with("KAFKA_INIT_"));
    env.extend(flavor.exported(plan, base));
    Launch {
        argv: super::command_or_default(command, flavor.default_command()),
        env: env.into_iter().collect(),
        files: vec![],
        steps: vec![],
    }
}

impl Flavor for Apache {
    fn facts(&self) -> FlavorFacts {
        FlavorFacts {
            name: "apache",
            default_data_dir: "/var/lib/kafka/data",
            // The image's `appuser`.
            run_as: (1000, 1000),
            cluster_id_var: Some("CLUSTER_ID"),
            writes_config_file: false,
            var_for: var,
        }
    }

    fn default_command(&self) -> &'static [&'static str] {
        &["/etc/kafka/docker/run"]
    }

    fn read(&self, vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) -> UserSettings {
        read_kafka_prefixed(vars, key, "apache/kafka", problems)
    }

    fn exported(&self, plan: &Plan, _base: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = plan
            .changed()
            .map(|e| (var(&e.key), e.value.clone()))
            .collect();
        if let Some(id) = &plan.cluster_id {
            out.insert("CLUSTER_ID".into(), id.clone());
        }
        out
    }

    fn launch(
        &self,
        plan: &Plan,
        base: &BTreeMap<String, String>,
        command: &[String],
    ) -> anyhow::Result<Launch> {
        Ok(env_without_own(self, plan, base, command))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flavor::read_user_settings;

    #[test]
    fn converts_names_both_ways() {
        let cases = [
            ("KAFKA_ADVERTISED_LISTENERS", "advertised.listeners"),
            (
                "KAFKA_LISTENER_NAME_SASL__SSL_X",
                "listener.name.sasl_ssl.x",
            ),
            ("KAFKA_A___B", "a-b"),
        ];
        for (v, k) in cases {
            assert_eq!(key(v).as_deref(), Some(k), "{v}");
            assert_eq!(var(k), v);
        }
        assert_eq!(key("KAFKA_HEAP_OPTS"), None);
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
        read_user_settings(&Apache, &vars, &mut problems);
        let names: Vec<&str> = problems.iter().map(|p| p.var.as_str()).collect();
        assert_eq!(names, ["KAFKA_BROKER_ID_COMMAND", "KAFKA_PORT"]);
    }
}
