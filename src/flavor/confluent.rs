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
use super::tls_secrets as tls;
use super::{apache, data_dir_writes, exported_kafka_prefixed, image_env, read_kafka_prefixed, ContainerFiles, Flavor, ImageVars, Launch};
use crate::plan::{BuiltBy, FlavorFacts, Plan, StartWrite, UserSettings};
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
/// (The TLS ones are [`tls::INPUTS`].)
pub const SCRIPT_VARS: &[&str] = &["KAFKA_DATA_DIRS", "KAFKA_CUB_ZK_TIMEOUT"];

/// What kafka/Dockerfile.ubi8 (7.9.6) and kafka/Dockerfile.ubi9 (8.1.2)
/// declare as `ARG NAME` (no default) then `ENV NAME=${NAME}`: every
/// container has them set, empty. `KAFKA_ZOOKEEPER_CONNECT` is 7.x's only;
/// on 8.x, which has no ZooKeeper mode, an empty one means nothing either.
pub const IMAGE_EMPTY_VARS: &[&str] = &["KAFKA_ZOOKEEPER_CONNECT", "KAFKA_ADVERTISED_LISTENERS", "CLUSTER_ID"];

/// The image's name in problems.
const IMAGE: &str = "confluentinc/cp-kafka";

/// The image's configure script: present only in the image's container.
const CONFIGURE: &str = "/etc/confluent/docker/configure";

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

/// The program that turns cp-kafka's variables into `kafka.properties`. It
/// changed with cp 8.1 (Kafka 4.1), and the two name some variables
/// differently: a one-letter part between single underscores
/// (`KAFKA_LISTENER_NAME_A_MAX_CONNECTIONS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Converter {
    /// The Python `dub` (confluentinc/confluent-docker-utils 0.0.169) of
    /// cp-kafka before 8.1 (Kafka 3.x, 4.0): `env_to_props` lower-cases
    /// the name, turns every `_` with a non-`_` on each side into `.` (a
    /// split on lookarounds, so neighbouring ones all count: `A_B_C` →
    /// `a.b.c`), then `___` → `-`, `__` → `_`.
    Dub,
    /// The Go `ub` (confluentinc/cp-docker-utils) from cp 8.1 (Kafka 4.1):
    /// `ConvertKey` replaces the `_` of each match of `[^_]_[^_]`, left to
    /// right and not overlapping (`A_B_C` → `a.b_c`), then `___` → `-`,
    /// `__` → `_`, lower case.
    Ub,
}

impl Converter {
    /// The converter of the cp-kafka release that ships Kafka `line`
    /// (cp 7.9 = 3.9, 8.0 = 4.0, 8.1 = 4.1).
    pub fn of_line(line: (u32, u32)) -> Converter {
        if line < (4, 1) {
            Converter::Dub
        } else {
            Converter::Ub
        }
    }

    /// The converter of the Kafka version kafka-init checks the settings
    /// against, as far as the environment says it before they are read:
    /// `KAFKA_INIT_KAFKA_VERSION`, else the default of the mode (3.9 in
    /// ZooKeeper mode and a migration's phases, which only cp 7.x runs;
    /// else 4.4). cp-kafka states no version in its environment.
    /// [`Confluent::startup_checks`] refuses a Plan whose version says
    /// otherwise, so a guess here never goes unnoticed.
    pub fn for_env(vars: &BTreeMap<String, String>) -> Converter {
        let get = |n: &str| vars.get(n).map(|v| v.trim()).filter(|v| !v.is_empty());
        if let Some(line) = get(crate::catalog::VERSION_VAR).and_then(crate::catalog::line_of) {
            return Converter::of_line(line);
        }
        let migrating = get("KAFKA_INIT_MIGRATION").is_some_and(|p| {
            crate::plan::Phase::parse(p).is_some_and(|p| p != crate::plan::Phase::Finalized)
        });
        let zookeeper = match get("KAFKA_INIT_MODE") {
            Some(m) => m == "zookeeper",
            None => get("KAFKA_ZOOKEEPER_CONNECT").is_some(),
        };
        if zookeeper || migrating {
            Converter::Dub
        } else {
            Converter::Ub
        }
    }

    /// The program's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Converter::Dub => "the Python dub of cp-kafka before 8.1",
            Converter::Ub => "the Go ub of cp-kafka 8.1 and later",
        }
    }

    /// The property name the converter makes of a variable's name (its
    /// prefix removed).
    pub fn convert(self, name: &str) -> String {
        let c: Vec<char> = name.chars().collect();
        let single = |i: usize| {
            c[i] == '_' && i > 0 && i + 1 < c.len() && c[i - 1] != '_' && c[i + 1] != '_'
        };
        let mut dotted = String::with_capacity(name.len());
        let mut i = 0;
        while i < c.len() {
            match self {
                Converter::Dub if single(i) => dotted.push('.'),
                // A match takes the characters on both sides with it, so
                // the next one cannot start on the character after `_`.
                Converter::Ub if i + 2 < c.len() && c[i] != '_' && single(i + 1) => {
                    dotted.extend([c[i], '.', c[i + 2]]);
                    i += 2;
                }
                _ => dotted.push(c[i]),
            }
            i += 1;
        }
        dotted.replace("___", "-").replace("__", "_").to_lowercase()
    }

    /// The line the image's `kafka.properties.template` writes for one
    /// variable, if any: every `KAFKA_*` but its excluded ones, and in the
    /// dub images `zookeeper.clientCnxnSocket` from its own variable and
    /// `confluent.support.*` from `CONFLUENT_SUPPORT_*`.
    pub fn template_key(self, var: &str) -> Option<String> {
        if let Some(rest) = var.strip_prefix("CONFLUENT_SUPPORT_") {
            return Some(format!("confluent.support.{}", self.convert(rest)));
        }
        let rest = var.strip_prefix("KAFKA_")?;
        match self {
            // 7.9.6's template: `other_props` renames this one.
            Converter::Dub if var == "KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET" => {
                return Some("zookeeper.clientCnxnSocket".into())
            }
            // 7.9.6's `excluded_props` misses a comma after
            // 'KAFKA_HEAP_OPTS': Jinja joins the two strings into one name
            // no variable has, so both are written (heap.opts, log4j.opts).
            Converter::Dub if var == "KAFKA_HEAP_OPTS" || var == "KAFKA_LOG4J_OPTS" => {}
            _ if EXCLUDED.contains(&var) => return None,
            _ => {}
        }
        Some(self.convert(rest))
    }

    /// The Kafka key a variable sets: what the template writes, but for the
    /// launcher's and the scripts' own variables (in the file too, in the
    /// dub images, and no Kafka setting).
    pub fn key(self, var: &str) -> Option<String> {
        let rest = var.strip_prefix("KAFKA_")?;
        if rest.is_empty() || EXCLUDED.contains(&var) || SCRIPT_VARS.contains(&var) || tls::INPUTS.contains(&var) {
            return None;
        }
        self.template_key(var)
    }

    /// The variables its images set, empty, in every container
    /// (kafka/Dockerfile.ubi8 of 7.9.6: all three; .ubi9 of 8.1.2: the
    /// last two).
    pub fn image_empty_vars(self) -> &'static [&'static str] {
        match self {
            Converter::Dub => IMAGE_EMPTY_VARS,
            Converter::Ub => &IMAGE_EMPTY_VARS[1..],
        }
    }

    /// The convention that reads variables as this converter does.
    pub fn convention(self) -> &'static Convention {
        match self {
            Converter::Dub => &DUB_CONVENTION,
            Converter::Ub => &CONVENTION,
        }
    }
}

/// The image's key for a `KAFKA_` variable in cp-kafka 8.1 and later (None
/// for the launcher's and the scripts' own).
pub fn key(var: &str) -> Option<String> {
    Converter::Ub.key(var)
}

/// [`key`] in cp-kafka before 8.1.
pub fn dub_key(var: &str) -> Option<String> {
    Converter::Dub.key(var)
}

/// The variable the image reads a Kafka key from (the inverse of [`key`]
/// for keys whose parts between dots are longer than one character, and of
/// [`dub_key`] for every key without `_` next to a dot).
pub fn var(key: &str) -> String {
    if key == "zookeeper.clientCnxnSocket" {
        return "KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET".into();
    }
    apache::var(key)
}

fn read(vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) -> UserSettings {
    read_kafka_prefixed(vars, key, var, "confluentinc/cp-kafka", problems)
}

fn read_dub(vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) -> UserSettings {
    read_kafka_prefixed(vars, dub_key, var, "confluentinc/cp-kafka", problems)
}

/// cp-kafka's convention from 8.1 (`ub`'s `ConvertKey`).
pub static CONVENTION: Convention = Convention {
    name: "confluent",
    names: "KAFKA_<KEY> (. as _, _ as __, - as ___; cp-kafka 8.1 and later: ub)",
    key,
    var,
    read,
    marks: |_| false,
    cluster_id_var: Some("CLUSTER_ID"),
};

/// cp-kafka's convention before 8.1 (`dub`'s `env_to_props`): the same
/// name, since a user's variables are the same variables; only the reading
/// of some names differs.
pub static DUB_CONVENTION: Convention = Convention {
    name: "confluent",
    names: "KAFKA_<KEY> (. as _, _ as __, - as ___; cp-kafka before 8.1: dub)",
    key: dub_key,
    var,
    read: read_dub,
    marks: |_| false,
    cluster_id_var: Some("CLUSTER_ID"),
};

/// The variables were read with the converter of the version
/// [`Converter::for_env`] expected; a Plan checked against a Kafka whose
/// cp-kafka converts with the other one would have some names read wrong.
fn converter_agrees(plan: &Plan, vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) {
    let read = Converter::for_env(vars);
    let line = crate::catalog::line_of(&plan.kafka.requested).unwrap_or(plan.kafka.version.line());
    let runs = Converter::of_line(line);
    if read != runs {
        problems.push(Problem::new(
            crate::catalog::VERSION_VAR,
            vars.get(crate::catalog::VERSION_VAR).map_or("", |v| v.as_str()),
            format!(
                "the KAFKA_* variables were read as {} converts them, but the settings are checked against {}, whose cp-kafka converts them with {}",
                read.name(),
                plan.kafka.why,
                runs.name()
            ),
            format!(
                "set {} to the Kafka version of the cp-kafka image (cp 7.9: 3.9.x, 8.0: 4.0.x, 8.1: 4.1.x)",
                crate::catalog::VERSION_VAR
            ),
        ));
    }
}

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

    fn convention_in(&self, vars: &BTreeMap<String, String>) -> &'static Convention {
        Converter::for_env(vars).convention()
    }

    fn exported(&self, plan: &Plan, base: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        exported_kafka_prefixed(plan, self.convention_in(base), "CLUSTER_ID")
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

    fn image_properties(&self, plan: &Plan, vars: &BTreeMap<String, String>) -> Vec<(String, String)> {
        let conv = Converter::for_env(vars);
        let Ok(launch) = self.launch(plan, vars, &[]) else {
            return vec![];
        };
        let mut env: BTreeMap<String, String> = launch.env.into_iter().collect();
        // In the container, whatever Kubernetes sets.
        for name in conv.image_empty_vars() {
            env.entry(name.to_string()).or_default();
        }
        // configure (7.9.6) unsets it on a controller-only node; 8.1.2's
        // only refuses a non-empty one, so the image's empty one stays.
        if conv == Converter::Dub && env.get("KAFKA_PROCESS_ROLES").map(String::as_str) == Some("controller") {
            env.remove("KAFKA_ADVERTISED_LISTENERS");
        }
        // configure's TLS exports (an SSL advertised listener).
        let exports = tls::exports(&|n: &str| env.get(n).map(String::as_str));
        env.extend(exports);
        let planned: BTreeMap<&str, &str> = plan.entries.iter().map(|e| (e.key.as_str(), e.value.as_str())).collect();
        env.iter()
            .filter_map(|(var, value)| Some((conv.template_key(var)?, value.clone())))
            .filter(|(key, value)| planned.get(key.as_str()) != Some(&value.as_str()))
            .collect()
    }

    fn image_empty_vars(&self) -> &'static [&'static str] {
        IMAGE_EMPTY_VARS
    }

    fn writes_at_start(&self, plan: &Plan) -> Vec<StartWrite> {
        // kafka/Dockerfile.ubi8 (7.9.6) and .ubi9 (8.1.2), the same two
        // lines since the images' 2021 change: `chown appuser:root -R
        // ... /etc/kafka` and `chmod -R ug+w ... /etc/kafka` over the
        // package's 0755: appuser (1000) and group root (0), 0775.
        let mut out = vec![StartWrite {
            path: "/etc/kafka".into(),
            owner: (1000, 0),
            mode: 0o775,
            built_by: BuiltBy::Image,
            writer: "the image's configure requires it writable (`dub path /etc/kafka/ writable`, `ub path` from 8.1) and renders kafka.properties and the log4j files here (kafka/include/etc/confluent/docker/configure); 1000:0 0775 as confluentinc/kafka-images' kafka/Dockerfile.ubi8 (7.9.6) and Dockerfile.ubi9 (8.1.2) build it (`chown appuser:root -R`, `chmod -R ug+w`)".into(),
            fix: "run the Kafka container as the image's user (runAsUser: 1000), or with group 0 among its groups (runAsGroup: 0 or supplementalGroups: [0]), which may write it".into(),
        }];
        out.extend(data_dir_writes(plan, "the image's ensure requires the data dir writable (`dub path $KAFKA_DATA_DIRS writable`) and formats it in KRaft; Kafka writes it"));
        out
    }

    fn startup_checks(&self, plan: &Plan, vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) {
        let image = image_env(self, plan, vars);
        configure_checks(&image, problems);
        tls::checks(&|n: &str| image.get(n), IMAGE, problems);
        converter_agrees(plan, vars, problems);
    }

    fn container_checks(
        &self,
        plan: &Plan,
        vars: &BTreeMap<String, String>,
        files: &dyn ContainerFiles,
        problems: &mut Vec<Problem>,
    ) {
        if !super::image_script_here(files, CONFIGURE) {
            return;
        }
        let image = image_env(self, plan, vars);
        tls::in_container(&|n: &str| image.get(n), IMAGE, files, problems);
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
    fn each_converter_names_a_variable_as_its_own_program_does() {
        // (name without KAFKA_, the Python dub's env_to_props, the Go ub's
        // ConvertKey): each side as the real program printed it.
        let cases = [
            ("LISTENER_NAME_A_MAX_CONNECTIONS", "listener.name.a.max.connections", "listener.name.a_max.connections"),
            ("A_B_C", "a.b.c", "a.b_c"),
            ("AB_C_D", "ab.c.d", "ab.c_d"),
            ("X_Y_Z_W", "x.y.z.w", "x.y_z.w"),
            ("LISTENER_NAME_X_PLAIN", "listener.name.x.plain", "listener.name.x_plain"),
            ("LISTENER_NAME_SASL__SSL_PLAIN_SASL_JAAS_CONFIG", "listener.name.sasl_ssl.plain.sasl.jaas.config", "listener.name.sasl_ssl.plain.sasl.jaas.config"),
            ("CONFLUENT_BALANCER___X", "confluent.balancer-x", "confluent.balancer-x"),
            ("A___B_C", "a-b.c", "a-b.c"),
            ("A_B___C", "a.b-c", "a.b-c"),
            // Four or five underscores: `___` first, left to right.
            ("X____Y", "x-_y", "x-_y"),
            ("X_____Y", "x-_y", "x-_y"),
            // An `_` at either end has no neighbour on one side.
            ("_X", "_x", "_x"),
            ("X_", "x_", "x_"),
            ("X__", "x_", "x_"),
            ("__X", "_x", "_x"),
            ("LOG_DIRS", "log.dirs", "log.dirs"),
        ];
        for (name, dub, ub) in cases {
            assert_eq!(Converter::Dub.convert(name), dub, "dub {name}");
            assert_eq!(Converter::Ub.convert(name), ub, "ub {name}");
        }
    }

    #[test]
    fn the_converter_follows_the_kafka_version_cp_kafka_ships() {
        // (environment, converter): the version setting, else the mode's default.
        let cases: &[(Env, Converter)] = &[
            (&[("KAFKA_INIT_KAFKA_VERSION", "3.9.0")], Converter::Dub),
            (&[("KAFKA_INIT_KAFKA_VERSION", "4.0.2")], Converter::Dub),
            (&[("KAFKA_INIT_KAFKA_VERSION", " 4.1.2 ")], Converter::Ub),
            (&[("KAFKA_INIT_KAFKA_VERSION", "4.4.0")], Converter::Ub),
            (&[], Converter::Ub),
            (&[("KAFKA_ZOOKEEPER_CONNECT", "zk:2181")], Converter::Dub),
            // The image's own empty one is no ZooKeeper address.
            (&[("KAFKA_ZOOKEEPER_CONNECT", "")], Converter::Ub),
            (&[("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"), ("KAFKA_INIT_MODE", "kraft")], Converter::Ub),
            (&[("KAFKA_INIT_MODE", "zookeeper")], Converter::Dub),
            (&[("KAFKA_INIT_MIGRATION", "controllers")], Converter::Dub),
            (&[("KAFKA_INIT_MIGRATION", "finalized")], Converter::Ub),
            (&[("KAFKA_ZOOKEEPER_CONNECT", "zk:2181"), ("KAFKA_INIT_KAFKA_VERSION", "4.1.2")], Converter::Ub),
        ];
        for (pairs, want) in cases {
            let vars = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            assert_eq!(Converter::for_env(&vars), *want, "{pairs:?}");
        }
    }

    #[test]
    fn the_dub_template_writes_the_launchers_opts_and_renames_the_cnxn_socket() {
        // (variable, the dub template's line, the ub template's line, a Kafka key in either)
        let cases = [
            ("KAFKA_HEAP_OPTS", Some("heap.opts"), None, None),
            ("KAFKA_LOG4J_OPTS", Some("log4j.opts"), None, None),
            ("KAFKA_OPTS", None, None, None),
            ("KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET", Some("zookeeper.clientCnxnSocket"), Some("zookeeper.client.cnxn.socket"), Some(("zookeeper.clientCnxnSocket", "zookeeper.client.cnxn.socket"))),
            ("KAFKA_SSL_KEYSTORE_FILENAME", Some("ssl.keystore.filename"), Some("ssl.keystore.filename"), None),
            ("CONFLUENT_SUPPORT_METRICS_ENABLE", Some("confluent.support.metrics.enable"), Some("confluent.support.metrics.enable"), None),
        ];
        for (var, dub, ub, keys) in cases {
            assert_eq!(Converter::Dub.template_key(var).as_deref(), dub, "{var}");
            assert_eq!(Converter::Ub.template_key(var).as_deref(), ub, "{var}");
            let got = (Converter::Dub.key(var), Converter::Ub.key(var));
            let want = keys.map(|(d, u)| (Some(d.to_string()), Some(u.to_string())));
            assert_eq!(got, want.unwrap_or((None, None)), "{var}");
        }
        assert_eq!(var("zookeeper.clientCnxnSocket"), "KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET");
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
