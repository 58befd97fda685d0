//! The images kafka-init prepares Kafka for, one file per image. A flavor
//! holds everything kafka-init knows about its image: how the image reads
//! Kafka settings from the environment, its defaults (data dir, owner,
//! cluster-id variable, command), how a Plan is handed to it, which
//! directories its scripts write at start (with the owner and mode the
//! image builds them with), and the checks its scripts run at start. The rest
//! of kafka-init asks the flavor through [`Flavor`] and never matches on it.
//!
//! Data flows one way: the flavor reads the user's settings →
//! `plan::derive` → `rules::validate` → the flavor renders. A new image is a
//! new file here plus one line in [`flavors!`](self).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;

use crate::plan::{BuiltBy, FlavorFacts, Plan, StartWrite, UserSetting, UserSettings};
use crate::problem::Problem;
use crate::secret;

/// Declares the flavor modules and registers each one's flavor by name:
/// the only place that lists them. The first is the default.
macro_rules! flavors {
    ($($module:ident :: $flavor:ident),+ $(,)?) => {
        $(pub mod $module;)+
        /// Every flavor, the default first.
        pub static FLAVORS: &[&dyn Flavor] = &[$(&$module::$flavor),+];
    };
}

flavors! {
    bitnami::Bitnami,
    apache::Apache,
    properties::Properties,
    confluent::Confluent,
}

/// What kafka-init knows about one image.
pub trait Flavor: Sync {
    /// The image's defaults and naming, as the Plan needs them.
    fn facts(&self) -> FlavorFacts;

    /// The command the image starts Kafka with, used when `exec` gets none.
    fn default_command(&self) -> &'static [&'static str];

    /// Reads the user's Kafka settings under every name the image honours;
    /// names that conflict, or that the image would misread, are problems.
    fn read(&self, vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) -> UserSettings;

    /// The variables `exec` adds to (or overrides in) the environment for the
    /// image, by name: what `plan --format env` prints. `base` is the
    /// environment as read.
    fn exported(&self, plan: &Plan, base: &BTreeMap<String, String>) -> BTreeMap<String, String>;

    /// How `exec` hands the Plan to the image: `command` (the default command
    /// when empty), its environment, and the files and steps before it.
    /// The default passes the settings in the environment.
    fn launch(
        &self,
        plan: &Plan,
        base: &BTreeMap<String, String>,
        command: &[String],
    ) -> Result<Launch> {
        let mut env = base.clone();
        env.extend(self.exported(plan, base));
        Ok(Launch {
            argv: command_or_default(command, self.default_command()),
            env: env.into_iter().collect(),
            files: vec![],
            steps: vec![],
        })
    }

    /// The directories the image's own start-up scripts (and Kafka) write
    /// in, with their owner and mode as the image builds them: `exec`
    /// checks that the running user may write each before it starts
    /// anything, and the manifest check decides it for each overlay's pod.
    /// By default: the data dirs.
    fn writes_at_start(&self, plan: &Plan) -> Vec<StartWrite> {
        data_dir_writes(plan, "Kafka (log.dirs)")
    }

    /// The image's own start-up checks, run on a Plan before anything starts,
    /// so that a Plan the image's scripts would refuse is a problem here.
    /// `vars` is the environment as read (the image's own variables, e.g.
    /// Bitnami's `KAFKA_CLIENT_USERS`, are there). None by default.
    fn startup_checks(
        &self,
        _plan: &Plan,
        _vars: &BTreeMap<String, String>,
        _problems: &mut Vec<Problem>,
    ) {
    }
}

/// The data dirs as `prepare` leaves them (owned by the broker's user,
/// `u+rwx`; new ones `0750`), written by `writer` (who formats or fills
/// them).
pub fn data_dir_writes(plan: &Plan, writer: &str) -> Vec<StartWrite> {
    plan.data_dirs
        .iter()
        .map(|d| StartWrite {
            path: d.clone(),
            owner: plan.run_as,
            mode: 0o750,
            built_by: BuiltBy::Prepare,
            writer: format!("{writer}; owner and mode as kafka-init prepare leaves a data dir"),
            fix: format!(
                "run kafka-init prepare (the initContainer) so the data dir belongs to {}:{} (KAFKA_INIT_RUN_AS), and run the Kafka container as that uid",
                plan.run_as.0, plan.run_as.1
            ),
        })
        .collect()
}

/// The environment the image's scripts see: `base` with what `exec` adds
/// (`flavor.exported`) over it and what a migration phase removes taken
/// out, read in place: `base` (the whole environment) is not copied.
pub struct ImageVars<'a> {
    base: &'a BTreeMap<String, String>,
    exported: BTreeMap<String, String>,
    /// Variables that never reach the image (see `exec`).
    removed: Vec<String>,
}

impl<'a> ImageVars<'a> {
    /// `base` as it is: nothing exported, nothing removed.
    pub fn of(base: &'a BTreeMap<String, String>) -> Self {
        ImageVars {
            base,
            exported: BTreeMap::new(),
            removed: vec![],
        }
    }

    /// The value the image sees for `name`, if it is set.
    pub fn get(&self, name: &str) -> Option<&str> {
        if self.removed.iter().any(|r| r == name) {
            return None;
        }
        self.exported
            .get(name)
            .or_else(|| self.base.get(name))
            .map(String::as_str)
    }
}

/// The environment `flavor`'s image sees when `exec` starts `plan`.
pub fn image_env<'a>(
    flavor: &dyn Flavor,
    plan: &Plan,
    base: &'a BTreeMap<String, String>,
) -> ImageVars<'a> {
    ImageVars {
        base,
        exported: flavor.exported(plan, base),
        removed: removed_vars(flavor, plan, base)
            .into_iter()
            .map(|(var, _)| var)
            .collect(),
    }
}

/// What `exec` does to start Kafka in a flavor's image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// The program and its arguments, `execve`'d last.
    pub argv: Vec<String>,
    /// Its complete environment.
    pub env: Vec<(String, String)>,
    /// Files written first (each written in full, then renamed into place; mode 0600).
    pub files: Vec<(PathBuf, String)>,
    /// Commands run after the files are written, in order; each must succeed.
    pub steps: Vec<Step>,
}

/// A command `exec` runs to completion before starting Kafka.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// What it is, for messages (e.g. the setting that names the program).
    pub what: String,
}

/// The given command, or the flavor's default one when none is given.
pub fn command_or_default(command: &[String], default: &[&str]) -> Vec<String> {
    if command.is_empty() {
        default.iter().map(|s| s.to_string()).collect()
    } else {
        command.to_vec()
    }
}

/// The flavor named by `--flavor` or `KAFKA_INIT_FLAVOR` (`given` is the
/// source and the name), else the default; an unknown name is a problem and
/// the default stands in so that every other problem is found too.
pub fn select(given: Option<(&str, &str)>, problems: &mut Vec<Problem>) -> &'static dyn Flavor {
    let default = FLAVORS[0];
    let Some((var, name)) = given else {
        return default;
    };
    if let Some(f) = FLAVORS.iter().find(|f| f.facts().name == name) {
        return *f;
    }
    problems.push(Problem::new(
        var,
        name,
        format!("the flavor must be one of {}", names().join(", ")),
        "pick the flavor of the image you run (see the README's flavor table)",
    ));
    default
}

/// The registered flavors' names, the default first.
pub fn names() -> Vec<&'static str> {
    FLAVORS.iter().map(|f| f.facts().name).collect()
}

/// Variables the Bitnami scripts `eval` and whose output overrides the id or
/// voters kafka-init sets (`kafka_dynamic_environment_variables`). They are
/// reported whatever the flavor: a deployment moved between images keeps them.
pub const COMMAND_VARS: &[&str] = &[
    "KAFKA_BROKER_ID_COMMAND",
    "BROKER_ID_COMMAND",
    "KAFKA_NODE_ID_COMMAND",
    "KAFKA_CONTROLLER_QUORUM_VOTERS_COMMAND",
];

/// Whether kafka-init reads `var` under `flavor`: the pod identity
/// variables, its own `KAFKA_INIT_*` settings, the image's cluster-id
/// variable, and every variable the flavor maps to a Kafka key (asked of the
/// flavor's own reading, so the two cannot drift apart).
pub fn reads(flavor: &dyn Flavor, var: &str) -> bool {
    const POD: &[&str] = &[
        "POD_NAME",
        "HOSTNAME",
        "POD_NAMESPACE",
        "POD_INDEX",
        "HOST_IP",
    ];
    if POD.contains(&var)
        || var.starts_with("KAFKA_INIT_")
        || flavor.facts().cluster_id_var == Some(var)
    {
        return true;
    }
    let alone = BTreeMap::from([(var.to_string(), String::new())]);
    let mut checked = Vec::new();
    !read_user_settings(flavor, &alone, &mut checked).is_empty() || !checked.is_empty()
}

/// The variables of `env` that set a key the Plan removed (a migration phase
/// forbids it), aliases included: asked of the flavor's own reading, one
/// variable at a time, so that every name the image honours is found.
pub fn removed_vars<'a>(
    flavor: &dyn Flavor,
    plan: &Plan,
    env: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Vec<(String, String)> {
    if plan.removed.is_empty() {
        return vec![];
    }
    let mut out = vec![];
    for (var, value) in env {
        let alone = BTreeMap::from([(var.clone(), value.clone())]);
        let mut ignored = Vec::new();
        if let Some(key) = flavor
            .read(&alone, &mut ignored)
            .into_keys()
            .find(|k| plan.removed.contains(k))
        {
            out.push((var.clone(), key));
        }
    }
    out
}

/// Reads the user's settings through `flavor`, with the checks every image
/// needs: leftover id commands and Kubernetes service-link values.
pub fn read_user_settings(
    flavor: &dyn Flavor,
    vars: &BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) -> UserSettings {
    for var in COMMAND_VARS {
        if let Some(v) = vars.get(*var) {
            problems.push(Problem::new(
                *var,
                secret::shown(var, v),
                "the Bitnami scripts eval this variable and its output replaces the id kafka-init derives",
                format!("remove {var}: kafka-init sets the id from the pod ordinal (offset: KAFKA_INIT_ID_OFFSET)"),
            ));
        }
    }
    let out = flavor.read(vars, problems);
    for (key, s) in &out {
        let v = s.value.trim_start().to_ascii_lowercase();
        if v.starts_with("tcp://") || v.starts_with("udp://") {
            // A secret shaped like a service link is still a secret.
            problems.push(Problem::new(
                &s.var,
                secret::shown(key, &s.value),
                format!("{key} holds a Kubernetes service-link value (injected because a Service is named like the variable's prefix)"),
                "set enableServiceLinks: false in the pod spec, or set the variable explicitly",
            ));
        }
    }
    out
}

/// True for the names of Kubernetes service-link variables of a Service
/// named `kafka`: `KAFKA_SERVICE_HOST`, `KAFKA_SERVICE_PORT[_<name>]`,
/// `KAFKA_PORT` and `KAFKA_PORT_<port>_<proto>[_PROTO|_PORT|_ADDR]`.
pub fn is_service_link_name(var: &str) -> bool {
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

/// Reads every `KAFKA_<KEY>` variable into a key with `key_of` (None skips
/// the variable), the way images that turn every `KAFKA_*` variable into a
/// server property do; kafka-init's own variables are not settings, and
/// service-link variables are problems, because the image would make
/// properties of them.
pub fn read_kafka_prefixed(
    vars: &BTreeMap<String, String>,
    key_of: fn(&str) -> Option<String>,
    image: &str,
    problems: &mut Vec<Problem>,
) -> UserSettings {
    let mut out = UserSettings::new();
    for (var, value) in vars {
        if var.starts_with("KAFKA_INIT_") {
            continue;
        }
        if is_service_link_name(var) {
            problems.push(Problem::new(
                var,
                secret::shown(var, value),
                format!("a Kubernetes service-link variable (a Service named kafka); the {image} image turns every KAFKA_* variable into a server property"),
                "set enableServiceLinks: false in the pod spec",
            ));
            continue;
        }
        if let Some(key) = key_of(var) {
            out.insert(
                key,
                UserSetting {
                    value: value.clone(),
                    var: var.clone(),
                },
            );
        }
    }
    out
}

/// The variables an image that reads every `KAFKA_<KEY>` is handed a Plan
/// in: each setting the Plan changed under `var_of`'s name for its key, and
/// the cluster id in `cluster_id_var`.
pub fn exported_kafka_prefixed(
    plan: &Plan,
    var_of: fn(&str) -> String,
    cluster_id_var: &str,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = plan
        .changed()
        .map(|e| (var_of(&e.key), e.value.clone()))
        .collect();
    if let Some(id) = &plan.cluster_id {
        out.insert(cluster_id_var.into(), id.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flavor_has_its_own_name_and_bitnami_is_the_default() {
        let mut all = names();
        assert_eq!(all[0], "bitnami");
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), FLAVORS.len(), "{all:?}");
        let mut problems = vec![];
        assert_eq!(select(None, &mut problems).facts().name, "bitnami");
        for f in FLAVORS {
            let name = f.facts().name;
            assert_eq!(
                select(Some(("--flavor", name)), &mut problems).facts().name,
                name
            );
        }
        assert!(problems.is_empty());
        select(Some(("KAFKA_INIT_FLAVOR", "strimzi")), &mut problems);
        assert!(problems[0].rule.contains("confluent"), "{problems:?}");
    }

    #[test]
    fn every_flavor_writes_its_data_dirs_at_start_and_names_a_fix_for_each_dir() {
        use crate::environment::Inputs;
        for f in FLAVORS {
            let name = f.facts().name;
            let inputs = Inputs::from_pairs([
                ("POD_NAME", "kafka-0"),
                // Every flavor reads this name (Bitnami's as an alias); the
                // apache and confluent images would read KAFKA_CFG_* as an
                // unknown key `cfg.*`, which the catalog refuses.
                ("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"),
            ]);
            let (plan, flavor) = crate::cmd::derive_with_flavor(&inputs, Some(name), None).unwrap();
            let writes = flavor.writes_at_start(&plan);
            for d in &plan.data_dirs {
                let w = writes
                    .iter()
                    .find(|w| &w.path == d)
                    .unwrap_or_else(|| panic!("{name}: {d:?} missing"));
                assert_eq!(
                    (w.owner, w.built_by),
                    (plan.run_as, BuiltBy::Prepare),
                    "{name}"
                );
            }
            for w in &writes {
                assert!(
                    w.path.is_absolute() && !w.fix.is_empty() && !w.writer.is_empty(),
                    "{name}: {w:?}"
                );
            }
        }
        let inputs = Inputs::from_pairs([
            ("POD_NAME", "kafka-0"),
            ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
        ]);
        let (plan, flavor) = crate::cmd::derive_with_flavor(&inputs, None, None).unwrap();
        let config = &flavor.writes_at_start(&plan)[0];
        assert_eq!(
            (
                config.path.to_str(),
                config.owner,
                config.mode,
                config.built_by
            ),
            (
                Some("/opt/bitnami/kafka/config"),
                (0, 0),
                0o775,
                BuiltBy::Image
            )
        );
        assert!(config.fix.contains("supplementalGroups: [0]"));
    }
}
