//! A plain Kafka distribution, your own image, or apache/kafka run without
//! its scripts: settings read in Bitnami's naming (`KAFKA_CFG_<KEY>` and its
//! aliases), handed over as a `server.properties` that kafka-init writes and
//! whose path it appends to the command; in KRaft the storage tool formats
//! the data dirs first (`--ignore-formatted` makes that a no-op after the
//! first start). Distribution at `/opt/kafka`, runs as 1000.

use std::collections::BTreeMap;

use anyhow::bail;

use super::{bitnami, command_or_default, Flavor, Launch, Step};
use crate::plan::{FlavorFacts, Mode, Plan, UserSettings};
use crate::problem::Problem;
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

    fn read(&self, vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) -> UserSettings {
        bitnami::read_cfg_and_aliases(vars, problems)
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
        if plan.mode == Mode::KRaft {
            let Some(id) = &plan.cluster_id else {
                bail!("KRaft storage format needs a cluster id (KAFKA_INIT_CLUSTER_ID)");
            };
            let mut argv = plan.format_command.clone();
            argv.extend(["format".into(), "--config".into()]);
            argv.push(path.display().to_string());
            argv.extend(["--cluster-id".into(), id.clone(), "--ignore-formatted".into()]);
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
}
