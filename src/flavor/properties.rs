//! A plain Kafka distribution, your own image, or apache/kafka run without
//! its scripts: settings read in Bitnami's naming (`KAFKA_CFG_<KEY>` and its
//! aliases), handed over as a `server.properties` that kafka-init writes and
//! whose path it appends to the command; in KRaft the storage tool formats
//! the data dirs first (`--ignore-formatted` makes that a no-op after the
//! first start). Distribution at `/opt/kafka`, runs as 1000.

use std::collections::BTreeMap;

use anyhow::bail;

use super::convention::Convention;
use super::{bitnami, command_or_default, data_dir_writes, Flavor, Launch, Step};
use crate::plan::{BuiltBy, FlavorFacts, Plan, StartWrite};
use crate::render;

/// The properties flavor.
pub struct Properties;

impl Flavor for Properties {
    fn facts(&self) -> FlavorFacts {
        FlavorFacts {
            name: "properties",
            default_data_dir: "/var/lib/kafka/data",
            run_as: (1000, 1000),
            cluster_id_var: None,
            writes_config_file: true,
            var_for: bitnami::var,
        }
    }

    fn default_command(&self) -> &'static [&'static str] {
        &["/opt/kafka/bin/kafka-server-start.sh"]
    }

    fn convention(&self) -> &'static Convention {
        &bitnami::CONVENTION
    }

    fn exported(&self, plan: &Plan, base: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        bitnami::exported_cfg(plan, base)
    }

    fn launch(
        &self,
        plan: &Plan,
        base: &BTreeMap<String, String>,
        command: &[String],
    ) -> anyhow::Result<Launch> {
        let Some(dir) = &plan.config_dir else {
            bail!("the properties flavor needs a config dir (KAFKA_INIT_CONFIG_DIR)");
        };
        let path = dir.join("server.properties");
        let mut steps = vec![];
        if plan.formats_storage() {
            let Some(id) = &plan.cluster_id else {
                bail!("KRaft storage format needs a cluster id (KAFKA_INIT_CLUSTER_ID)");
            };
            let mut argv = plan.format_command.clone();
            argv.extend(["format".into(), "--config".into()]);
            argv.push(path.display().to_string());
            // One argument: an id may start with '-' (a ZooKeeper cluster's can,
            // and a migration formats with it), which the tool's parser would
            // take for an option after a separate flag.
            argv.extend([format!("--cluster-id={id}"), "--ignore-formatted".into()]);
            if let Some(v) = &plan.release_version {
                argv.extend(["--release-version".into(), v.clone()]);
            }
            steps.push(Step {
                argv,
                what: "the storage format command (KAFKA_INIT_FORMAT_COMMAND)".into(),
            });
        }
        let mut argv = command_or_default(command, self.default_command());
        argv.push(path.display().to_string());
        Ok(Launch {
            argv,
            // The settings travel in server.properties, not in the environment.
            env: base.clone().into_iter().collect(),
            files: vec![(path, render::properties(plan, false))],
            steps,
        })
    }

    fn writes_at_start(&self, plan: &Plan) -> Vec<StartWrite> {
        let mut out: Vec<StartWrite> = plan
            .config_dir
            .iter()
            .map(|dir| StartWrite {
                path: dir.clone(),
                owner: plan.run_as,
                mode: 0o750,
                built_by: BuiltBy::Prepare,
                writer: "kafka-init exec writes server.properties here; owner and mode as kafka-init prepare leaves it".into(),
                fix: format!(
                    "run kafka-init prepare (the initContainer) so the config dir belongs to {}:{} (KAFKA_INIT_RUN_AS), and run the Kafka container as that uid",
                    plan.run_as.0, plan.run_as.1
                ),
            })
            .collect();
        out.extend(data_dir_writes(plan, "the storage format step and Kafka write the data dirs"));
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::cmd::derive_with_flavor;
    use crate::environment::Inputs;
    use crate::flavor::Launch;

    /// The launch of combined KRaft pod kafka-1, data in /v/data, with
    /// `cluster_id`.
    fn kraft_launch(cluster_id: &str) -> Launch {
        let inputs = Inputs::from_pairs([
            ("POD_NAME", "kafka-1"),
            ("KAFKA_INIT_REPLICAS", "3"),
            ("KAFKA_INIT_CLUSTER_ID", cluster_id),
            ("KAFKA_CFG_LOG_DIRS", "/v/data"),
            ("KAFKA_INIT_FORMAT_COMMAND", "java -cp /opt/kafka/libs/* kafka.tools.StorageTool"),
        ]);
        let (plan, flavor) = derive_with_flavor(&inputs, Some("properties"), None).unwrap();
        flavor.launch(&plan, &inputs.vars, &[]).unwrap()
    }

    #[test]
    fn a_kraft_launch_writes_server_properties_then_formats_storage_then_starts_with_its_path() {
        let launch = kraft_launch("MkU3OEVBNTcwNTJENDM2Qk");
        assert_eq!(launch.argv, ["/opt/kafka/bin/kafka-server-start.sh", "/v/config/server.properties"]);
        assert_eq!(launch.files.len(), 1);
        assert_eq!(launch.files[0].0, std::path::Path::new("/v/config/server.properties"));
        assert!(launch.files[0].1.lines().any(|l| l == "node.id=1"));
        let format: Vec<&str> = launch.steps[0].argv.iter().map(String::as_str).collect();
        assert_eq!(
            format,
            [
                "java", "-cp", "/opt/kafka/libs/*", "kafka.tools.StorageTool", "format", "--config",
                "/v/config/server.properties", "--cluster-id=MkU3OEVBNTcwNTJENDM2Qk", "--ignore-formatted"
            ]
        );
        assert!(!launch.env.iter().any(|(k, _)| k == "KAFKA_CFG_NODE_ID"));
    }

    #[test]
    fn a_cluster_id_that_starts_with_a_dash_stays_the_value_of_its_flag() {
        // A ZooKeeper cluster's id, as Kafka 3.9.2 generated one in an e2e
        // run: kafka-storage refuses `--cluster-id -bKX…` ("expected one
        // argument") and formats with `--cluster-id=-bKX…`.
        let launch = kraft_launch("-bKX8o_pRHe3fyTgE6ZwKA");
        let format = &launch.steps[0].argv;
        assert!(format.iter().any(|a| a == "--cluster-id=-bKX8o_pRHe3fyTgE6ZwKA"), "{format:?}");
        assert!(!format.iter().any(|a| a == "--cluster-id"), "{format:?}");
    }
}
