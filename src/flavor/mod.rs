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
use convention::Convention;

/// Declares the flavor modules and registers each one's flavor by name:
/// the only place that lists them. The first is the default.
macro_rules! flavors {
    ($($module:ident :: $flavor:ident),+ $(,)?) => {
        $(pub mod $module;)+
        /// Every flavor, the default first.
        pub static FLAVORS: &[&dyn Flavor] = &[$(&$module::$flavor),+];
    };
}

pub mod convention;
pub mod tls_secrets;

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

    /// How the image names Kafka settings in the environment: the
    /// convention it reads, and the one the user's settings are read in
    /// unless they are written in another ([`convention::chosen`]).
    fn convention(&self) -> &'static Convention;

    /// The convention the image reads `vars` in: [`Flavor::convention`],
    /// unless the image's naming changed between its versions (cp-kafka's
    /// converter) and `vars` say which version runs.
    fn convention_in(&self, _vars: &BTreeMap<String, String>) -> &'static Convention {
        self.convention()
    }

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

    /// The lines the image's own start-up scripts write into its
    /// properties file besides the Plan's keys, or with another value than
    /// the Plan's (an image's quirks, e.g. cp-kafka 7.x's `heap.opts=`):
    /// `plan --format properties` states them, marked as the image's.
    /// `vars` is the environment as read. None by default.
    fn image_properties(
        &self,
        _plan: &Plan,
        _vars: &BTreeMap<String, String>,
    ) -> Vec<(String, String)> {
        vec![]
    }

    /// The variables the image's Dockerfile sets, empty, in every container
    /// (an `ARG` without a default copied into an `ENV`). Their empty value
    /// is the image's, not a setting: it reads as unset. None by default.
    fn image_empty_vars(&self) -> &'static [&'static str] {
        &[]
    }

    /// The image's start-up checks that need its container's files
    /// (keystores, `<NAME>_FILE` contents): `exec` runs them, inside the
    /// container, after [`Flavor::startup_checks`] found nothing; `plan`
    /// and `prepare`, elsewhere, cannot. None by default.
    fn container_checks(
        &self,
        _plan: &Plan,
        _vars: &BTreeMap<String, String>,
        _files: &dyn ContainerFiles,
        _problems: &mut Vec<Problem>,
    ) {
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

/// The image's own files, as seen from inside its container (`exec`):
/// what the image's scripts test with `[[ -f ]]` and read with `$(< file)`.
pub trait ContainerFiles {
    /// True when `path` (absolute, in the image) is a regular file.
    fn is_file(&self, path: &str) -> bool;
    /// The content of `path` when it is readable text, else None.
    fn read(&self, path: &str) -> Option<String>;
}

/// Whether the image's start-up script `path` is in this filesystem. When
/// it is not, the image is not here (kafka-init starts another program,
/// e.g. in tests), so its checks of the container's files will not run,
/// and a flavor's `container_checks` skip them too.
pub fn image_script_here(files: &dyn ContainerFiles, path: &str) -> bool {
    let here = files.is_file(path);
    if !here {
        tracing::debug!(
            path,
            "not in this filesystem: the image's file checks do not apply"
        );
    }
    here
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
        "pick the flavor of the image you run (see docs/reference/flavors.md)",
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

/// A warning for each `KAFKA_*` variable that looks like a Kafka setting
/// (its name, `_` read as `.`, is a Kafka key or a typo of one) but that
/// `flavor`'s image does not read (`KAFKA_NUM_PARTITION`, not one of
/// Bitnami's aliases): the image ignores it silently, as Kafka would an
/// unknown key. A warning, not a problem: images read variables of their
/// own (`KAFKA_HEAP_OPTS`, `KAFKA_CLIENT_USERS`, ...) that no list here can
/// hold for every version, and refusing one would stop a broker's restart.
pub fn unread_lookalikes(flavor: &dyn Flavor, vars: &BTreeMap<String, String>) -> Vec<Problem> {
    let mut out = vec![];
    for (var, value) in vars {
        let Some(rest) = var.strip_prefix("KAFKA_") else {
            continue;
        };
        if var.starts_with("KAFKA_INIT_")
            || COMMAND_VARS.contains(&var.as_str())
            || reads(flavor, var)
        {
            continue;
        }
        let name = rest.to_ascii_lowercase().replace('_', ".");
        let Some(key) = crate::catalog::nearest_key(&name) else {
            continue;
        };
        let each: Vec<String> = FLAVORS
            .iter()
            .map(|f| format!("{} {}", f.facts().name, (f.facts().var_for)(&key)))
            .collect();
        out.push(Problem::new(
            var,
            secret::shown(var, value),
            format!("{var} looks like the Kafka key {key}, and the {} image does not read it: it would be ignored silently", flavor.facts().name),
            format!("set the name the image reads: {}", each.join(", ")),
        ));
    }
    out
}

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
/// forbids it), aliases included: asked of the image's convention and the
/// one the user's settings were read in, one variable at a time, so that
/// every name either honours is found.
pub fn removed_vars<'a>(
    flavor: &dyn Flavor,
    plan: &Plan,
    env: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Vec<(String, String)> {
    if plan.removed.is_empty() {
        return vec![];
    }
    let own = flavor.convention();
    let user = convention::named(plan.read_as.name).unwrap_or(own);
    let mut out = vec![];
    for (var, _) in env {
        if let Some(key) = [own, user]
            .iter()
            .filter_map(|c| (c.key)(var))
            .find(|k| plan.removed.contains(k))
        {
            out.push((var.clone(), key));
        }
    }
    out
}

/// Reads the user's settings for `flavor`'s image, in the convention they
/// are written in ([`convention::read`]), with the checks every image
/// needs: leftover id commands and Kubernetes service-link values.
pub fn read_user_settings(
    flavor: &dyn Flavor,
    vars: &BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) -> UserSettings {
    read_user_settings_as(flavor, vars, problems).0
}

/// [`read_user_settings`], and the convention they were read in.
pub fn read_user_settings_as(
    flavor: &dyn Flavor,
    vars: &BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) -> (UserSettings, &'static Convention) {
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
    let (out, read_as) = convention::read(flavor, vars, problems);
    for (key, s) in &out {
        if is_service_link("KAFKA_PORT", s.value.trim_start()) {
            // A secret shaped like a service link is still a secret.
            problems.push(Problem::new(
                &s.var,
                secret::shown(key, &s.value),
                format!("{key} holds a Kubernetes service-link value (injected because a Service is named like the variable's prefix)"),
                "set enableServiceLinks: false in the pod spec, or set the variable explicitly",
            ));
        }
    }
    (out, read_as)
}

/// True for a Kubernetes service-link variable of a Service named
/// `kafka`, by its name and its value's form together (a name alone is
/// not enough: `KAFKA_PORT=39092` is a user's setting, `KAFKA_PORT` from a
/// service link is `tcp://10.0.0.1:9092`): `KAFKA_PORT` and
/// `KAFKA_PORT_<port>_<proto>` hold `tcp://`, `udp://` or `sctp://` URLs,
/// `KAFKA_SERVICE_HOST` and `..._ADDR` an IP address,
/// `KAFKA_SERVICE_PORT[_<name>]` and `..._PORT` a port number, `..._PROTO`
/// a protocol.
pub fn is_service_link(var: &str, value: &str) -> bool {
    let Some(rest) = var.strip_prefix("KAFKA_") else {
        return false;
    };
    let url = ["tcp://", "udp://", "sctp://"]
        .iter()
        .any(|p| value.to_ascii_lowercase().starts_with(p));
    let ip = value.parse::<std::net::IpAddr>().is_ok();
    let port = value.parse::<u16>().is_ok();
    if rest == "PORT" {
        return url;
    }
    if rest == "SERVICE_HOST" {
        return ip;
    }
    if rest.starts_with("SERVICE_PORT") {
        return port;
    }
    let Some(link) = rest
        .strip_prefix("PORT_")
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    else {
        return false;
    };
    if link.ends_with("_PROTO") {
        ["tcp", "udp", "sctp"].contains(&value.to_ascii_lowercase().as_str())
    } else if link.ends_with("_ADDR") {
        ip
    } else if link.ends_with("_PORT") {
        port
    } else {
        url
    }
}

/// A variable named in the Bitnami image's convention, which `image` (one
/// that turns every `KAFKA_*` variable into a server property) would
/// misread: what it is and what `image` reads instead. Without this,
/// `KAFKA_KRAFT_CLUSTER_ID` is reported as an unknown Kafka key
/// `kraft.cluster.id`.
fn bitnami_name(var: &str, image: &str, var_of: fn(&str) -> String) -> Option<(String, String)> {
    if var == "KAFKA_KRAFT_CLUSTER_ID" {
        return Some((
            format!("KAFKA_KRAFT_CLUSTER_ID is the Bitnami image's variable for the KRaft cluster id; the {image} image reads CLUSTER_ID, and would take this one for an unknown Kafka key kraft.cluster.id"),
            "set KAFKA_INIT_CLUSTER_ID instead (kafka-init hands it to the image as CLUSTER_ID)".into(),
        ));
    }
    let key = bitnami::key(var).filter(|_| var.starts_with("KAFKA_CFG_"))?;
    let ours = var_of(&key);
    Some((
        format!("{var} is the Bitnami image's name for the Kafka key {key}; the {image} image reads {ours}, and would take this one for an unknown key cfg.{key}"),
        format!("rename it to {ours}"),
    ))
}

/// Reads every `KAFKA_<KEY>` variable into a key with `key_of` (None skips
/// the variable), the way images that turn every `KAFKA_*` variable into a
/// server property do; kafka-init's own variables are not settings, and
/// service-link variables are problems, because the image would make
/// properties of them.
pub fn read_kafka_prefixed(
    vars: &BTreeMap<String, String>,
    key_of: fn(&str) -> Option<String>,
    var_of: fn(&str) -> String,
    image: &str,
    problems: &mut Vec<Problem>,
) -> UserSettings {
    let mut out = UserSettings::new();
    for (var, value) in vars {
        if var.starts_with("KAFKA_INIT_") {
            continue;
        }
        if is_service_link(var, value) {
            problems.push(Problem::new(
                var,
                secret::shown(var, value),
                format!("a Kubernetes service-link variable (a Service named kafka); the {image} image turns every KAFKA_* variable into a server property"),
                "set enableServiceLinks: false in the pod spec",
            ));
            continue;
        }
        if let Some((rule, fix)) = bitnami_name(var, image, var_of) {
            problems.push(Problem::new(var, secret::shown(var, value), rule, fix));
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
/// in: each setting the Plan changed, and each the user wrote under a name
/// the image reads differently (another convention's), under the image's
/// name for its key; the cluster id in `cluster_id_var`.
pub fn exported_kafka_prefixed(
    plan: &Plan,
    image: &Convention,
    cluster_id_var: &str,
) -> BTreeMap<String, String> {
    let mut out = convention::translated(plan, image);
    out.extend(
        plan.changed()
            .map(|e| ((image.var)(&e.key), e.value.clone())),
    );
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
