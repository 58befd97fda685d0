//! apache/kafka 3.7+ / 4.x (`/etc/kafka/docker/run`,
//! `KafkaDockerWrapper.getServerConfigsFromEnv`): every `KAFKA_<KEY>`
//! variable but a fixed exclusion list becomes a server property: `KAFKA_`
//! removed, lower case, `_` → `.`, then `...` → `-` and `..` → `_`. Runs as
//! `appuser` (1000), cluster id in `CLUSTER_ID`. The image's scripts start
//! KRaft only; in ZooKeeper mode (Kafka 3.x) kafka-init starts the
//! distribution itself, as the image's launch ends (see [`Apache::launch`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::convention::{self, Convention};
use super::tls_secrets as tls;
use super::{data_dir_writes, exported_kafka_prefixed, image_env, read_kafka_prefixed, ContainerFiles, Flavor, ImageVars, Launch};
use crate::plan::{BuiltBy, FlavorFacts, Mode, Plan, StartWrite, UserSettings};
use crate::render;
use crate::problem::Problem;

/// The apache flavor.
pub struct Apache;

/// Where the image's launch has KafkaDockerWrapper write the broker's
/// configuration, and where kafka-init writes it in ZooKeeper mode.
pub const SERVER_PROPERTIES: &str = "/opt/kafka/config/server.properties";

/// What the image's launch ends with (`exec /opt/kafka/bin/kafka-server-start.sh
/// /opt/kafka/config/server.properties`), without the file: the default
/// command in ZooKeeper mode.
pub const ZOOKEEPER_COMMAND: &[&str] = &["/opt/kafka/bin/kafka-server-start.sh"];

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

/// The image's own directories written at start, as `docker/jvm/Dockerfile`
/// builds them: the distribution unpacked into `/opt/kafka` as root, then
/// `chown appuser:appuser -R /opt/kafka` (appuser: uid and gid 1000,
/// `adduser -D`), modes as unpacked (0755).
const IMAGE_DIRS: &[(&str, &str)] = &[
    (
        "/opt/kafka/config",
        "the image's configure script requires it writable (`path /opt/kafka/config/ writable`), copies log4j and /mnt/shared/config in, and KafkaDockerWrapper writes server.properties here (docker/resources/common-scripts/configure)",
    ),
    (
        "/opt/kafka",
        "Kafka's start script creates its log dir logs/ here (kafka-run-class.sh LOG_DIR)",
    ),
];

/// The image's directories as [`StartWrite`]s, with the fix for a user who
/// is not the image's `appuser`.
pub fn image_writes(dirs: &[(&str, &str)], owner: (u32, u32), mode: u32, source: &str) -> Vec<StartWrite> {
    dirs.iter()
        .map(|(path, writer)| StartWrite {
            path: path.into(),
            owner,
            mode,
            built_by: BuiltBy::Image,
            writer: format!("{writer}; {}:{} {mode:04o} as {source} builds it", owner.0, owner.1),
            fix: format!(
                "run the Kafka container as the image's user (runAsUser: {}, runAsGroup: {}), which owns it",
                owner.0, owner.1
            ),
        })
        .collect()
}

/// True when a variable is set to something (`[[ -n "${NAME-}" ]]`).
fn set(env: &ImageVars, name: &str) -> bool {
    env.get(name).is_some_and(|v| !v.is_empty())
}

/// The checks of the `configure` script apache/kafka and
/// confluentinc/cp-kafka share (`image` names it in messages), over the
/// environment the image sees:
/// 1. KRaft (`KAFKA_PROCESS_ROLES` set) needs `CLUSTER_ID` (`ensure CLUSTER_ID`);
/// 2. a controller-only node (`KAFKA_PROCESS_ROLES` exactly `controller`)
///    must not have `KAFKA_ADVERTISED_LISTENERS` ("is not supported on a
///    KRaft controller");
/// 3. an `SSL://` advertised listener needs `KAFKA_SSL_KEYSTORE_FILENAME`,
///    `KAFKA_SSL_KEY_CREDENTIALS` and `KAFKA_SSL_KEYSTORE_CREDENTIALS`, and
///    with `KAFKA_SSL_CLIENT_AUTH` required/requested also
///    `KAFKA_SSL_TRUSTSTORE_FILENAME` and `KAFKA_SSL_TRUSTSTORE_CREDENTIALS`
///    (the files under /etc/kafka/secrets are the container's: not checked);
/// 4. a `SASL_…://` advertised listener needs `KAFKA_OPTS` (with the JAAS
///    file: the script only warns about that).
pub fn configure_checks(env: &ImageVars, image: &str, problems: &mut Vec<Problem>) {
    let value = |name: &str| env.get(name).unwrap_or("");
    let refuse = |problems: &mut Vec<Problem>, name: &str, rule: &str, fix: &str| {
        problems.push(Problem::new(
            name,
            crate::secret::shown(name, value(name)),
            format!("the {image} image refuses to start: {rule} (its /etc/…/docker/configure)"),
            fix,
        ));
    };
    let roles = value("KAFKA_PROCESS_ROLES");
    if set(env, "KAFKA_PROCESS_ROLES") && !set(env, "CLUSTER_ID") {
        refuse(problems, "CLUSTER_ID", "\"CLUSTER_ID environment variable not set\" in KRaft mode", "set KAFKA_INIT_CLUSTER_ID (kafka-init hands it over as CLUSTER_ID)");
    }
    if roles == "controller" && set(env, "KAFKA_ADVERTISED_LISTENERS") {
        refuse(problems, "KAFKA_ADVERTISED_LISTENERS", "\"KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller.\"", "remove KAFKA_ADVERTISED_LISTENERS from the controller StatefulSet (kafka-init advertises nothing there)");
    }
    let advertised = value("KAFKA_ADVERTISED_LISTENERS");
    if advertised.contains("SSL://") {
        let mut needed = vec!["KAFKA_SSL_KEYSTORE_FILENAME", "KAFKA_SSL_KEY_CREDENTIALS", "KAFKA_SSL_KEYSTORE_CREDENTIALS"];
        let auth = value("KAFKA_SSL_CLIENT_AUTH");
        if auth.contains("required") || auth.contains("requested") {
            needed.extend(["KAFKA_SSL_TRUSTSTORE_FILENAME", "KAFKA_SSL_TRUSTSTORE_CREDENTIALS"]);
        }
        for name in needed {
            if !set(env, name) {
                refuse(problems, name, &format!("\"{name} environment variable not set\" with an SSL listener advertised"), &format!("set {name} to a file name under /etc/kafka/secrets"));
            }
        }
    }
    let sasl = advertised.find("SASL_").is_some_and(|i| advertised[i..].contains("://"));
    if sasl && !set(env, "KAFKA_OPTS") {
        refuse(problems, "KAFKA_OPTS", "\"KAFKA_OPTS environment variable not set\" with a SASL listener advertised", "set KAFKA_OPTS with -Djava.security.auth.login.config=<your JAAS file>");
    }
}

/// apache/kafka's key for a `KAFKA_` variable (None for excluded ones, and
/// for the TLS file names its configure reads: the image's, though its
/// wrapper writes them too, [`Apache::image_properties`]).
pub fn key(var: &str) -> Option<String> {
    if tls::INPUTS.contains(&var) {
        return None;
    }
    template_key(var)
}

/// The key the image's wrapper (KafkaDockerWrapper) writes a `KAFKA_`
/// variable as (None for the ones it leaves out).
fn template_key(var: &str) -> Option<String> {
    if !var.starts_with("KAFKA_") || EXCLUDED.contains(&var) || var == "KAFKA_" {
        return None;
    }
    // The image uses String.replace, which removes every "KAFKA_", not just the prefix.
    let key = var.replace("KAFKA_", "").to_lowercase().replace('_', ".");
    Some(key.replace("...", "-").replace("..", "_"))
}

fn read(vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) -> UserSettings {
    read_kafka_prefixed(vars, key, var, "apache/kafka", problems)
}

/// apache/kafka's convention: `KAFKA_<KEY>`, `.` as `_`, `_` as `__`, `-` as `___`.
pub static CONVENTION: Convention = Convention {
    name: "apache",
    names: "KAFKA_<KEY> (. as _, _ as __, - as ___)",
    key,
    var,
    read,
    // Every name it reads is a KAFKA_* that other conventions read too.
    marks: |_| false,
    cluster_id_var: Some("CLUSTER_ID"),
};

/// The apache/kafka variable for a Kafka key.
pub fn var(key: &str) -> String {
    let v = key.replace('_', "__").replace('-', "___").replace('.', "_");
    format!("KAFKA_{}", v.to_uppercase())
}

/// The environment of an image that turns every `KAFKA_*` variable into a
/// property: kafka-init's own variables and those read in another
/// convention removed (the image would misread them), the derived and
/// translated ones added.
pub fn env_without_own(
    flavor: &dyn Flavor,
    plan: &Plan,
    base: &BTreeMap<String, String>,
    command: &[String],
) -> Launch {
    let mut env = base.clone();
    env.retain(|k, _| !k.starts_with("KAFKA_INIT_"));
    for (var, _) in convention::withheld(flavor, plan, base) {
        env.remove(&var);
    }
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
        let launch = env_without_own(self, plan, base, command);
        if plan.mode == Mode::KRaft || !command.is_empty() {
            return Ok(launch);
        }
        // The image's run ends in a launch that formats KRaft storage first
        // (KafkaDockerWrapper setup), which a ZooKeeper-mode broker cannot
        // pass: by default kafka-init writes the file that step would have
        // written and runs the command the launch ends with. A command the
        // user gives gets the environment, as in KRaft.
        let dir = crate::settings::Settings::of(base).kafka_init_config_dir;
        let path = dir.map_or(PathBuf::from(SERVER_PROPERTIES), |d| {
            PathBuf::from(d).join("server.properties")
        });
        let mut argv: Vec<String> = ZOOKEEPER_COMMAND.iter().map(|s| s.to_string()).collect();
        argv.push(path.display().to_string());
        Ok(Launch {
            argv,
            files: vec![(path, render::properties(plan, false))],
            ..launch
        })
    }

    fn writes_at_start(&self, plan: &Plan) -> Vec<StartWrite> {
        let mut out = image_writes(IMAGE_DIRS, (1000, 1000), 0o755, "apache/kafka's docker/jvm/Dockerfile");
        // The image's own /var/lib/kafka/data is appuser:root 0775 (`chown
        // appuser:root -R /var/lib/kafka`, `chmod -R ug+w`); a volume there is prepare's.
        out.extend(data_dir_writes(plan, "the image's launch (KRaft: kafka-storage.sh format) and Kafka write the data dirs"));
        out
    }

    fn startup_checks(&self, plan: &Plan, vars: &BTreeMap<String, String>, problems: &mut Vec<Problem>) {
        let image = image_env(self, plan, vars);
        configure_checks(&image, "apache/kafka", problems);
        // The image's configure runs in KRaft (ZooKeeper mode: see launch).
        if plan.mode == Mode::KRaft {
            tls::checks(&|n: &str| image.get(n), "apache/kafka", problems);
        } else {
            // kafka-init writes the file itself: nothing reads these names.
            for var in tls::INPUTS.iter().filter(|v| image.get(v).is_some()) {
                problems.push(Problem::new(
                    *var,
                    crate::secret::shown(var, image.get(var).unwrap_or("")),
                    "only the apache/kafka image's configure reads it (a file name in /etc/kafka/secrets), and in ZooKeeper mode that script does not run: kafka-init writes server.properties itself, so the setting would be lost",
                    "set the Kafka keys instead: KAFKA_SSL_KEYSTORE_LOCATION (the store's path), KAFKA_SSL_KEYSTORE_PASSWORD, KAFKA_SSL_KEY_PASSWORD and the truststore's",
                ));
            }
        }
    }

    fn container_checks(&self, plan: &Plan, vars: &BTreeMap<String, String>, files: &dyn ContainerFiles, problems: &mut Vec<Problem>) {
        // configure runs only in KRaft: in ZooKeeper mode kafka-init starts
        // the distribution's kafka-server-start.sh itself.
        if plan.mode != Mode::KRaft || !super::image_script_here(files, CONFIGURE) {
            return;
        }
        let image = image_env(self, plan, vars);
        tls::in_container(&|n: &str| image.get(n), "apache/kafka", files, problems);
    }

    fn image_properties(&self, plan: &Plan, vars: &BTreeMap<String, String>) -> Vec<(String, String)> {
        if plan.mode != Mode::KRaft {
            return vec![];
        }
        let image = image_env(self, plan, vars);
        let planned: BTreeMap<&str, &str> = plan.entries.iter().map(|e| (e.key.as_str(), e.value.as_str())).collect();
        // The TLS file names as they are, and configure's exports.
        let inputs = tls::INPUTS.iter().filter_map(|v| Some((v.to_string(), image.get(v)?.to_string())));
        let mut lines: Vec<(String, String)> = inputs
            .chain(tls::exports(&|n: &str| image.get(n)))
            .filter_map(|(var, value)| Some((template_key(&var)?, value)))
            .filter(|(k, value)| planned.get(k.as_str()) != Some(&value.as_str()))
            .collect();
        lines.sort();
        lines
    }
}

/// The image's configure script: present only in the image's container.
const CONFIGURE: &str = "/etc/kafka/docker/configure";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flavor::read_user_settings;

    type Env<'a> = Vec<(&'a str, &'a str)>;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Each rule of `configure`: an environment it accepts, one it refuses.
    #[test]
    fn every_configure_rule_accepts_the_good_half_and_refuses_the_bad_half() {
        let kraft = [("KAFKA_PROCESS_ROLES", "broker,controller"), ("CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk")];
        let ssl = [("KAFKA_ADVERTISED_LISTENERS", "SSL://k:9093"), ("KAFKA_SSL_KEYSTORE_FILENAME", "k.jks"), ("KAFKA_SSL_KEY_CREDENTIALS", "k"), ("KAFKA_SSL_KEYSTORE_CREDENTIALS", "s")];
        let cases: Vec<(&str, Env, Env, &str)> = vec![
            ("1 cluster id", kraft.to_vec(), vec![kraft[0]], "CLUSTER_ID environment variable not set"),
            (
                "2 controller",
                vec![kraft[1], ("KAFKA_PROCESS_ROLES", "controller")],
                vec![kraft[1], ("KAFKA_PROCESS_ROLES", "controller"), ("KAFKA_ADVERTISED_LISTENERS", "CONTROLLER://c:9093")],
                "not supported on a KRaft controller",
            ),
            ("3 keystore", ssl.to_vec(), ssl[..3].to_vec(), "KAFKA_SSL_KEYSTORE_CREDENTIALS environment variable not set"),
            (
                "3 truststore",
                ssl.iter().copied().chain([("KAFKA_SSL_CLIENT_AUTH", "required"), ("KAFKA_SSL_TRUSTSTORE_FILENAME", "t.jks"), ("KAFKA_SSL_TRUSTSTORE_CREDENTIALS", "t")]).collect(),
                ssl.iter().copied().chain([("KAFKA_SSL_CLIENT_AUTH", "requested")]).collect(),
                "KAFKA_SSL_TRUSTSTORE_FILENAME environment variable not set",
            ),
            (
                "4 jaas",
                vec![("KAFKA_ADVERTISED_LISTENERS", "SASL_PLAINTEXT://k:9092"), ("KAFKA_OPTS", "-Djava.security.auth.login.config=/j")],
                vec![("KAFKA_ADVERTISED_LISTENERS", "SASL_PLAINTEXT://k:9092")],
                "KAFKA_OPTS environment variable not set",
            ),
        ];
        for (name, good, bad, needle) in cases {
            let mut problems = vec![];
            configure_checks(&ImageVars::of(&env(&good)), "apache/kafka", &mut problems);
            assert!(problems.is_empty(), "{name}: good half refused: {problems:?}");
            configure_checks(&ImageVars::of(&env(&bad)), "apache/kafka", &mut problems);
            assert!(problems.iter().any(|p| p.rule.contains(needle)), "{name}: {needle:?} not in {problems:?}");
        }
    }

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

    /// Issue 21: a service link is told by its name and its value's form
    /// together; `KAFKA_PORT=39092` is a user's variable.
    #[test]
    fn service_links_are_told_by_their_values_form_not_their_name_alone() {
        use crate::flavor::is_service_link;
        let cases = [
            ("KAFKA_PORT", "tcp://10.0.0.1:9092", true),
            ("KAFKA_PORT", "39092", false),
            ("KAFKA_PORT_9092_TCP", "tcp://10.0.0.1:9092", true),
            ("KAFKA_PORT_9092_TCP_PROTO", "tcp", true),
            ("KAFKA_PORT_9092_TCP_PORT", "9092", true),
            ("KAFKA_PORT_9092_TCP_ADDR", "10.0.0.1", true),
            ("KAFKA_PORT_9092_TCP_ADDR", "kafka.example", false),
            ("KAFKA_SERVICE_HOST", "10.0.0.1", true),
            ("KAFKA_SERVICE_HOST", "my-host", false),
            ("KAFKA_SERVICE_PORT", "9092", true),
            ("KAFKA_SERVICE_PORT_CLIENT", "9092", true),
            ("KAFKA_SERVICE_PORT", "x", false),
            ("KAFKA_NUM_PARTITIONS", "tcp://x", false),
        ];
        for (var, value, want) in cases {
            assert_eq!(is_service_link(var, value), want, "{var}={value}");
        }
        let vars: BTreeMap<String, String> = [("KAFKA_PORT", "39092")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut problems = vec![];
        let read = read_user_settings(&Apache, &vars, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(read["port"].var, "KAFKA_PORT");
    }
}
