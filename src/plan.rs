//! The Plan: what kafka-init will give Kafka, in Kafka's own vocabulary, plus
//! the facts the shell needs (data dirs, owner, probe target). `derive` is
//! pure: it takes the inputs read at the edge and returns a Plan, or every
//! problem found on the way.

use std::path::PathBuf;

use crate::pod::Pod;

/// Where a value in the Plan came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Set by the user, in the named environment variable.
    User(String),
    /// Set by the user and completed by kafka-init (e.g. a protocol map with entries added).
    Completed(String),
    /// Derived by kafka-init.
    Derived,
}

/// One Kafka setting of the Plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The Kafka config key, e.g. `advertised.listeners`.
    pub key: String,
    /// Its value.
    pub value: String,
    /// Where it came from.
    pub origin: Origin,
}

/// ZooKeeper mode (Kafka 3.x) or KRaft (3.x and 4.x).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `zookeeper.connect` set: broker.id, no process.roles.
    ZooKeeper,
    /// KRaft: node.id, process.roles, controller quorum.
    KRaft,
}

/// The KRaft role of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `broker,controller` in one process.
    Combined,
    /// `broker` only.
    Broker,
    /// `controller` only.
    Controller,
}

/// Which image (or launcher) the Plan is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// bitnami/kafka: `KAFKA_CFG_*` variables, entrypoint.sh + run.sh.
    Bitnami,
    /// apache/kafka: `KAFKA_*` variables in the image's convention, /etc/kafka/docker/run.
    Apache,
    /// A plain distribution: a rendered server.properties, kafka-server-start.sh.
    Properties,
}

/// A listener the probe may connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    /// Listener name, e.g. `PLAINTEXT_INTERNAL`.
    pub listener: String,
    /// Host to connect to from inside the pod (`127.0.0.1` for a wildcard bind).
    pub host: String,
    /// Port.
    pub port: u16,
}

/// Everything `exec`, `prepare`, `plan` and `probe` act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The pod this Plan is for.
    pub pod: Pod,
    /// The image flavor.
    pub flavor: Flavor,
    /// ZooKeeper or KRaft.
    pub mode: Mode,
    /// KRaft role (Combined in ZooKeeper mode, where it means "broker").
    pub role: Role,
    /// `broker.id` (ZooKeeper) or `node.id` (KRaft).
    pub id: u32,
    /// The KRaft cluster id, when known.
    pub cluster_id: Option<String>,
    /// The Kafka settings, user-set and derived, in a stable order.
    pub entries: Vec<Entry>,
    /// The data directories (`log.dirs`, else `log.dir`, else the flavor's default).
    pub data_dirs: Vec<PathBuf>,
    /// uid and gid that must own the data dirs.
    pub run_as: (u32, u32),
    /// Where the probe connects (`None` when no PLAINTEXT listener exists; then `why_no_probe` says why).
    pub probe: Option<ProbeTarget>,
    /// Why there is no probe target.
    pub why_no_probe: Option<String>,
    /// The properties flavor's config dir.
    pub config_dir: PathBuf,
    /// The properties flavor's storage format command (KRaft).
    pub format_command: Vec<String>,
}

impl Plan {
    /// The roles as `process.roles` would say them (`broker` in ZooKeeper mode).
    pub fn roles(&self) -> &'static str {
        if self.mode == Mode::ZooKeeper {
            "broker"
        } else {
            self.role.process_roles()
        }
    }

    /// The value of a Kafka key, if the Plan has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str())
    }
}

use std::collections::BTreeMap;

use crate::aliases::{self, UserSetting};
use crate::environment::Inputs;
use crate::kraft;
use crate::listener::{self, Listener};
use crate::pod;
use crate::problem::{Problem, Problems};
use crate::settings::Settings;

/// The name kafka-init gives the listener it adds for external access.
pub const EXTERNAL: &str = "EXTERNAL";
/// The controller listener name kafka-init uses when the user names none.
pub const CONTROLLER: &str = "CONTROLLER";

impl Flavor {
    /// The flavor's name as written in settings.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Bitnami => "bitnami",
            Flavor::Apache => "apache",
            Flavor::Properties => "properties",
        }
    }

    /// Where the image keeps broker data when `log.dirs` is not set.
    pub fn default_data_dir(self) -> &'static str {
        match self {
            Flavor::Bitnami => "/bitnami/kafka/data",
            Flavor::Apache | Flavor::Properties => "/var/lib/kafka/data",
        }
    }

    /// The uid:gid the image runs Kafka as (Bitnami: `USER 1001`; apache/kafka: `appuser` 1000).
    pub fn default_run_as(self) -> (u32, u32) {
        match self {
            Flavor::Bitnami => (1001, 1001),
            Flavor::Apache | Flavor::Properties => (1000, 1000),
        }
    }

    /// The variable the image reads the KRaft cluster id from.
    pub fn cluster_id_var(self) -> Option<&'static str> {
        match self {
            Flavor::Bitnami => Some("KAFKA_KRAFT_CLUSTER_ID"),
            Flavor::Apache => Some("CLUSTER_ID"),
            Flavor::Properties => None,
        }
    }
}

impl Role {
    /// The `process.roles` value.
    pub fn process_roles(self) -> &'static str {
        match self {
            Role::Combined => "broker,controller",
            Role::Broker => "broker",
            Role::Controller => "controller",
        }
    }

    /// True for roles that serve clients.
    pub fn is_broker(self) -> bool {
        self != Role::Controller
    }

    /// True for roles that vote in the quorum.
    pub fn is_controller(self) -> bool {
        self != Role::Broker
    }
}

/// Collects entries and problems while deriving.
struct Builder {
    user: BTreeMap<String, UserSetting>,
    entries: BTreeMap<String, Entry>,
    problems: Vec<Problem>,
}

impl Builder {
    fn user(&self, key: &str) -> Option<&UserSetting> {
        self.user.get(key)
    }

    fn user_value(&self, key: &str) -> Option<&str> {
        self.user.get(key).map(|s| s.value.as_str())
    }

    /// Sets a key kafka-init derives, unless the user set it (the user wins).
    fn default(&mut self, key: &str, value: impl Into<String>) {
        if !self.user.contains_key(key) {
            self.entries.insert(
                key.to_string(),
                Entry {
                    key: key.to_string(),
                    value: value.into(),
                    origin: Origin::Derived,
                },
            );
        }
    }

    /// Sets a key that completes the user's value (or stands in for it when unset).
    fn complete(&mut self, key: &str, value: String) {
        let origin = match self.user.get(key) {
            Some(u) if u.value == value => return,
            Some(u) => Origin::Completed(u.var.clone()),
            None => Origin::Derived,
        };
        self.entries.insert(
            key.to_string(),
            Entry {
                key: key.to_string(),
                value,
                origin,
            },
        );
    }

    fn problem(&mut self, var: &str, value: &str, rule: impl Into<String>, fix: impl Into<String>) {
        self.problems.push(Problem::new(var, value, rule, fix));
    }

    /// Parses a TCP port setting (1-65535).
    fn port(&mut self, var: &str, value: Option<&String>, default: u16) -> u16 {
        // The range check makes the narrowing lossless.
        self.number(var, value, u32::from(default), 1, 65535) as u16
    }

    /// Parses a numeric setting in `min..=max`, reporting a bad value.
    fn number(
        &mut self,
        var: &str,
        value: Option<&String>,
        default: u32,
        min: u32,
        max: u32,
    ) -> u32 {
        let Some(v) = value else { return default };
        match v.trim().parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                self.problem(
                    var,
                    v,
                    format!("must be a whole number from {min} to {max}"),
                    format!("set {var} to a number in that range, or unset it for the default ({default})"),
                );
                default
            }
        }
    }
}

fn parse_flavor(given: Option<(&str, &str)>, problems: &mut Vec<Problem>) -> Flavor {
    match given {
        None | Some((_, "bitnami")) => Flavor::Bitnami,
        Some((_, "apache")) => Flavor::Apache,
        Some((_, "properties")) => Flavor::Properties,
        Some((var, other)) => {
            problems.push(Problem::new(
                var,
                other,
                "the flavor must be bitnami, apache or properties",
                "pick the flavor of the image you run (see the README's flavor table)",
            ));
            Flavor::Bitnami
        }
    }
}

fn is_dns_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(pod::is_dns_label)
}

/// ZooKeeper or KRaft, and the KRaft role, from kafka-init's settings and the user's `process.roles`.
fn mode_and_role(b: &mut Builder, s: &Settings) -> (Mode, Role) {
    let zk = b.user("zookeeper.connect").cloned();
    let mode = match s.kafka_init_mode.as_deref() {
        Some("zookeeper") => Mode::ZooKeeper,
        Some("kraft") => Mode::KRaft,
        Some(other) => {
            b.problem(
                "KAFKA_INIT_MODE",
                other,
                "the mode must be zookeeper or kraft",
                "set zookeeper or kraft, or unset it to decide by zookeeper.connect",
            );
            if zk.is_some() {
                Mode::ZooKeeper
            } else {
                Mode::KRaft
            }
        }
        None if zk.is_some() => Mode::ZooKeeper,
        None => Mode::KRaft,
    };
    if let (Mode::KRaft, Some(z)) = (mode, &zk) {
        b.problem(&z.var, &z.value, "zookeeper.connect is set but the mode is KRaft (kafka-init does not drive a ZooKeeper-to-KRaft migration)", "remove the ZooKeeper connect setting, or set KAFKA_INIT_MODE=zookeeper");
    }
    let user_roles = b.user("process.roles").cloned();
    if let (Mode::ZooKeeper, Some(r)) = (mode, &user_roles) {
        b.problem(&r.var, &r.value, "process.roles is set, which selects KRaft, but zookeeper.connect selects ZooKeeper mode", "remove process.roles for ZooKeeper mode, or remove zookeeper.connect for KRaft");
    }
    let role_from_user = user_roles.as_ref().and_then(|r| {
        let mut v: Vec<&str> = listener::split_csv(&r.value);
        v.sort_unstable();
        match v.as_slice() {
            ["broker", "controller"] => Some(Role::Combined),
            ["broker"] => Some(Role::Broker),
            ["controller"] => Some(Role::Controller),
            _ => None,
        }
    });
    let role_setting = match s.kafka_init_role.as_deref() {
        None => None,
        Some("combined") => Some(Role::Combined),
        Some("broker") => Some(Role::Broker),
        Some("controller") => Some(Role::Controller),
        Some(other) => {
            b.problem(
                "KAFKA_INIT_ROLE",
                other,
                "the role must be combined, broker or controller",
                "set combined (broker,controller in one StatefulSet), broker or controller",
            );
            None
        }
    };
    if let (Some(a), Some(u), Some(r)) = (role_setting, role_from_user, &user_roles) {
        if a != u {
            b.problem(
                &format!("KAFKA_INIT_ROLE / {}", r.var),
                &format!("{} / {}", a.process_roles(), r.value),
                "the role and process.roles disagree",
                "set the role once, in KAFKA_INIT_ROLE",
            );
        }
    }
    let role = match mode {
        Mode::ZooKeeper => Role::Combined,
        Mode::KRaft => role_setting.or(role_from_user).unwrap_or(Role::Combined),
    };
    (mode, role)
}

/// `broker.id` / `node.id` = ordinal + offset; a fixed id the user set is a problem.
fn identity(b: &mut Builder, s: &Settings, pod: &Pod, mode: Mode) -> (u32, u32) {
    let offset = b.number(
        "KAFKA_INIT_ID_OFFSET",
        s.kafka_init_id_offset.as_ref(),
        0,
        0,
        i32::MAX as u32,
    );
    let id64 = u64::from(pod.ordinal) + u64::from(offset);
    let id = if id64 > i32::MAX as u64 {
        b.problem(
            "KAFKA_INIT_ID_OFFSET",
            &offset.to_string(),
            format!(
                "ordinal {} + offset {} overflows Kafka's 32-bit id",
                pod.ordinal, offset
            ),
            "use a smaller KAFKA_INIT_ID_OFFSET",
        );
        0
    } else {
        id64 as u32
    };
    for key in ["broker.id", "node.id"] {
        if let Some(u) = b.user(key).cloned() {
            if u.value.trim() != id.to_string() {
                b.problem(&u.var, &u.value, format!("{key} is derived from the pod ordinal ({} → {id}); a fixed value gives every pod the same id", pod.name), format!("remove {}; shift ids with KAFKA_INIT_ID_OFFSET", u.var));
            }
        }
    }
    b.complete(
        if mode == Mode::ZooKeeper {
            "broker.id"
        } else {
            "node.id"
        },
        id.to_string(),
    );
    (offset, id)
}

/// The headless Service and the cluster domain of the pods' DNS names.
fn dns_names(b: &mut Builder, s: &Settings, pod: &Pod) -> (String, String) {
    let service = s
        .kafka_init_service
        .clone()
        .unwrap_or_else(|| pod.statefulset.clone());
    // An empty name here means the pod name was bad, which is reported already.
    if !service.is_empty() && !pod::is_dns_label(&service) {
        b.problem(
            "KAFKA_INIT_SERVICE",
            &service,
            "a Service name must be a DNS label",
            "set KAFKA_INIT_SERVICE to the StatefulSet's serviceName",
        );
    }
    let domain = s
        .kafka_init_cluster_domain
        .clone()
        .unwrap_or_else(|| "cluster.local".into());
    if !is_dns_name(&domain) {
        b.problem(
            "KAFKA_INIT_CLUSTER_DOMAIN",
            &domain,
            "the cluster domain must be a DNS name",
            "set the cluster's DNS domain (kubelet --cluster-domain), usually cluster.local",
        );
    }
    (service, domain)
}

/// The durable replication defaults, sized by the number of brokers.
fn durable_defaults(b: &mut Builder, s: &Settings, role: Role) {
    // Durable replication defaults, sized by the number of brokers. A KRaft
    // controller needs them too: it fills in the replication factor (and, in
    // 4.x, min.insync.replicas) of topics created without one, from its own
    // config, so a controller-only node must be told how many brokers there are.
    let brokers = match (&s.kafka_init_broker_replicas, role) {
        (Some(v), _) => Some(("KAFKA_INIT_BROKER_REPLICAS", v)),
        (None, Role::Controller) => {
            if let Some(v) = &s.kafka_init_replicas {
                b.problem("KAFKA_INIT_BROKER_REPLICAS", "", format!("on a controller-only node KAFKA_INIT_REPLICAS={v} counts controllers, and the controller gives topics created without a replication factor its own default (1)"), "set KAFKA_INIT_BROKER_REPLICAS to the broker StatefulSet's replicas");
            }
            None
        }
        (None, _) => s
            .kafka_init_replicas
            .as_ref()
            .map(|v| ("KAFKA_INIT_REPLICAS", v)),
    };
    if let Some((var, v)) = brokers {
        let n = b.number(var, Some(v), 1, 1, 10_000);
        b.default("default.replication.factor", n.min(3).to_string());
        b.default("min.insync.replicas", n.min(2).to_string());
        b.default("offsets.topic.replication.factor", n.min(3).to_string());
        b.default(
            "transaction.state.log.replication.factor",
            n.min(3).to_string(),
        );
        b.default("transaction.state.log.min.isr", n.min(2).to_string());
    }
}

/// The KRaft cluster id, from kafka-init's setting or the flavor's own variable.
fn cluster_id_of(b: &mut Builder, s: &Settings, flavor: Flavor, inputs: &Inputs) -> Option<String> {
    let mut sources: Vec<(&str, String)> = vec![];
    if let Some(v) = &s.kafka_init_cluster_id {
        sources.push(("KAFKA_INIT_CLUSTER_ID", v.clone()));
    }
    if let Some(var) = flavor.cluster_id_var() {
        if let Some(v) = inputs.var(var) {
            sources.push((var, v.to_string()));
        }
    }
    match sources.as_slice() {
        [] => {
            let fresh = kraft::cluster_id_from(&inputs.random);
            b.problem("KAFKA_INIT_CLUSTER_ID", "", "KRaft needs one cluster id, the same on every node, to format storage", format!("store one id in a Secret and pass it as KAFKA_INIT_CLUSTER_ID, e.g. this freshly generated one: {fresh}"));
        }
        [(var, v), rest @ ..] => {
            if let Some((other, w)) = rest.iter().find(|(_, w)| w != v) {
                b.problem(
                    &format!("{var} / {other}"),
                    &format!("{v} / {w}"),
                    "two cluster ids are set and disagree",
                    format!("set the cluster id once, in {var}"),
                );
            }
            match kraft::check_cluster_id(v) {
                Ok(()) => return Some(v.clone()),
                Err(e) => {
                    let fresh = kraft::cluster_id_from(&inputs.random);
                    b.problem(var, v, e, format!("use an id printed by kafka-storage.sh random-uuid, e.g. {fresh} (only for a new cluster)"));
                }
            }
        }
    }
    None
}

/// The data dirs and the paths around them.
struct Storage {
    data_dirs: Vec<PathBuf>,
    run_as: (u32, u32),
    config_dir: PathBuf,
    format_command: Vec<String>,
}

/// Where the broker keeps data, who owns it, and the properties flavor's paths.
fn storage(b: &mut Builder, s: &Settings, flavor: Flavor, mode: Mode) -> Storage {
    let dirs_value = b
        .user_value("log.dirs")
        .or(b.user_value("log.dir"))
        .map(str::to_string);
    let mut data_dirs: Vec<PathBuf> = match &dirs_value {
        Some(v) => listener::split_csv(v)
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        None => {
            b.default("log.dirs", flavor.default_data_dir());
            vec![PathBuf::from(flavor.default_data_dir())]
        }
    };
    if mode == Mode::KRaft {
        if let Some(m) = b.user_value("metadata.log.dir").map(PathBuf::from) {
            if !data_dirs.contains(&m) {
                data_dirs.push(m);
            }
        }
    }
    let run_as = match &s.kafka_init_run_as {
        None => flavor.default_run_as(),
        Some(v) => match v
            .split_once(':')
            .map(|(u, g)| (u.parse::<u32>(), g.parse::<u32>()))
        {
            Some((Ok(u), Ok(g))) => (u, g),
            _ => {
                b.problem("KAFKA_INIT_RUN_AS", v, "must be uid:gid in numbers, e.g. 1001:1001", "set the uid and gid the Kafka container runs as (securityContext runAsUser / runAsGroup)");
                flavor.default_run_as()
            }
        },
    };
    let config_dir = match &s.kafka_init_config_dir {
        Some(d) => PathBuf::from(d),
        None => data_dirs.first().and_then(|d| d.parent()).map_or_else(
            || PathBuf::from("/var/lib/kafka/config"),
            |p| p.join("config"),
        ),
    };
    if flavor == Flavor::Properties {
        if !config_dir.is_absolute() {
            b.problem(
                "KAFKA_INIT_CONFIG_DIR",
                &config_dir.display().to_string(),
                "the config dir must be an absolute path",
                "set an absolute directory outside the data dirs",
            );
        }
        if let Some(d) = data_dirs.iter().find(|d| config_dir.starts_with(d)) {
            b.problem("KAFKA_INIT_CONFIG_DIR", &config_dir.display().to_string(), format!("the config dir is inside the data dir {} (Kafka treats every directory there as a partition)", d.display()), "put server.properties outside the data dirs, e.g. beside them");
        }
    }
    let format_command: Vec<String> = s
        .kafka_init_format_command
        .as_deref()
        .unwrap_or("/opt/kafka/bin/kafka-storage.sh")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    Storage {
        data_dirs,
        run_as,
        config_dir,
        format_command,
    }
}

/// External access (`KAFKA_INIT_EXTERNAL_BASE_PORT`): the port the EXTERNAL
/// listener binds in the pod, and the host and node port it advertises.
struct External {
    bind_port: u16,
    advertised: Option<(String, u16)>,
}

fn external(b: &mut Builder, s: &Settings, pod: &Pod) -> Option<External> {
    let v = s.kafka_init_external_base_port.as_ref()?;
    let base = b.number("KAFKA_INIT_EXTERNAL_BASE_PORT", Some(v), 0, 1, 65535);
    let bind_port = b.port(
        "KAFKA_INIT_EXTERNAL_PORT",
        s.kafka_init_external_port.as_ref(),
        9094,
    );
    let port = u64::from(base) + u64::from(pod.ordinal);
    if base != 0 && port > 65535 {
        b.problem(
            "KAFKA_INIT_EXTERNAL_BASE_PORT",
            &base.to_string(),
            format!(
                "base port {base} + ordinal {} = {port} is not a port (at most 65535)",
                pod.ordinal
            ),
            "lower KAFKA_INIT_EXTERNAL_BASE_PORT (node ports are 30000-32767 by default)",
        );
    }
    let template = s
        .kafka_init_external_host
        .clone()
        .unwrap_or_else(|| "{host_ip}".into());
    let mut host = template
        .replace("{pod}", &pod.name)
        .replace("{ordinal}", &pod.ordinal.to_string());
    if template.contains("{host_ip}") {
        let ip = s.host_ip.clone().unwrap_or_default();
        if ip.parse::<std::net::IpAddr>().is_err() {
            b.problem("HOST_IP", &ip, "the external listener advertises the node's address, and HOST_IP is not an IP address", "set HOST_IP from the downward API: fieldRef status.hostIP (or set KAFKA_INIT_EXTERNAL_HOST)");
        }
        host = host.replace("{host_ip}", &ip);
    }
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c))
    {
        b.problem(
            "KAFKA_INIT_EXTERNAL_HOST",
            &template,
            format!("the advertised external host '{host}' is not a host name or address"),
            "use a template such as {host_ip} or kafka-{ordinal}.example.com",
        );
    }
    let advertised = (base != 0 && port <= 65535).then_some((host, port as u16));
    Some(External {
        bind_port,
        advertised,
    })
}

/// Whether kafka-init reads `var`: the pod identity variables, its own
/// `KAFKA_INIT_*` settings, and every variable the flavor maps to a Kafka
/// key (asked of the flavor's own reading, so the two cannot drift apart).
pub fn reads(flavor: Flavor, var: &str) -> bool {
    let own = [
        "POD_NAME",
        "HOSTNAME",
        "POD_NAMESPACE",
        "POD_INDEX",
        "HOST_IP",
    ]
    .contains(&var)
        || var.starts_with("KAFKA_INIT_");
    let alone = BTreeMap::from([(var.to_string(), String::new())]);
    let mut checked = Vec::new();
    own || flavor.cluster_id_var() == Some(var)
        || !aliases::read(flavor, &alone, &mut checked).is_empty()
        || !checked.is_empty()
}

/// Derives the Plan from the inputs and validates it; the Err holds every problem.
pub fn derive(
    inputs: &Inputs,
    flavor_override: Option<&str>,
    pod_override: Option<&str>,
) -> Result<Plan, Problems> {
    let settings = Settings::from_vars(inputs.vars.clone());
    let mut problems = vec![];
    let flavor_given = flavor_override.map(|f| ("--flavor", f)).or(settings
        .kafka_init_flavor
        .as_deref()
        .map(|f| ("KAFKA_INIT_FLAVOR", f)));
    let flavor = parse_flavor(flavor_given, &mut problems);
    problems.extend(inputs.non_utf8_problems(|var| reads(flavor, var)));
    let user = aliases::read(flavor, &inputs.vars, &mut problems);
    let pod = pod::identify(&settings, inputs, pod_override, &mut problems);
    let entries = user
        .iter()
        .map(|(k, u)| {
            let e = Entry {
                key: k.clone(),
                value: u.value.clone(),
                origin: Origin::User(u.var.clone()),
            };
            (k.clone(), e)
        })
        .collect();
    let mut b = Builder {
        user,
        entries,
        problems,
    };
    let s = &settings;

    let (mode, role) = mode_and_role(&mut b, s);

    let (offset, id) = identity(&mut b, s, &pod, mode);

    let (service, domain) = dns_names(&mut b, s, &pod);
    let fqdn =
        |pod_name: &str, svc: &str| format!("{pod_name}.{svc}.{}.svc.{domain}", pod.namespace);

    // Listeners.
    let ctrl_port = b.port(
        "KAFKA_INIT_CONTROLLER_PORT",
        s.kafka_init_controller_port.as_ref(),
        9093,
    );
    let ctrl_names: Vec<String> = match b.user_value("controller.listener.names") {
        Some(v) => v
            .split(',')
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect(),
        None if mode == Mode::KRaft => vec![CONTROLLER.to_string()],
        None => vec![],
    };
    let ctrl_name = ctrl_names
        .first()
        .cloned()
        .unwrap_or_else(|| CONTROLLER.to_string());
    let plain = || Listener {
        name: "PLAINTEXT".into(),
        host: String::new(),
        port: 9092,
    };
    let ctrl = || Listener {
        name: ctrl_name.clone(),
        host: String::new(),
        port: ctrl_port,
    };
    let user_listeners = b.user_value("listeners").map(listener::parse_list);
    let mut listeners: Option<Vec<Listener>> = match (&user_listeners, mode, role) {
        (Some(Ok(l)), _, _) => Some(l.clone()),
        (Some(Err(_)), _, _) => None, // reported by the rules
        (None, Mode::ZooKeeper, _) | (None, Mode::KRaft, Role::Broker) => Some(vec![plain()]),
        (None, Mode::KRaft, Role::Combined) => Some(vec![plain(), ctrl()]),
        (None, Mode::KRaft, Role::Controller) => Some(vec![ctrl()]),
    };
    let is_ctrl = |name: &str| mode == Mode::KRaft && ctrl_names.iter().any(|c| c == name);
    if let Some(l) = listeners.as_mut() {
        if mode == Mode::KRaft && role.is_controller() && !l.iter().any(|x| x.name == ctrl_name) {
            l.push(ctrl());
        }
    }
    // The inter-broker listener is chosen among the user's broker listeners, before EXTERNAL is added.
    let ibl_candidates: Vec<String> = listeners
        .iter()
        .flatten()
        .filter(|l| !is_ctrl(&l.name))
        .map(|l| l.name.clone())
        .collect();
    let external = if role.is_broker() {
        external(&mut b, s, &pod)
    } else {
        None
    };
    let mut derived_external = false;
    if let (Some(e), Some(l)) = (&external, listeners.as_mut()) {
        if !l.iter().any(|x| x.name == EXTERNAL) {
            l.push(Listener {
                name: EXTERNAL.into(),
                host: String::new(),
                port: e.bind_port,
            });
            derived_external = true;
        }
    }
    let external_adv = external.and_then(|e| e.advertised);
    if let Some(l) = &listeners {
        b.complete("listeners", listener::format_list(l));
    }

    // Advertised listeners: every broker listener the user did not advertise gets the pod's name.
    let user_adv = b
        .user_value("advertised.listeners")
        .map(listener::parse_list);
    let adv_parsed = match &user_adv {
        Some(Ok(a)) => Some(a.clone()),
        Some(Err(_)) => None,
        None => Some(vec![]),
    };
    if let (Some(mut adv), Some(l)) = (adv_parsed, &listeners) {
        for x in l.iter().filter(|x| !is_ctrl(&x.name)) {
            let (host, port) = match (&external_adv, x.name == EXTERNAL) {
                (Some((h, p)), true) => (h.clone(), *p),
                _ => (fqdn(&pod.name, &service), x.port),
            };
            match adv.iter_mut().find(|a| a.name == x.name) {
                Some(a) if a.host.is_empty() => a.host = host,
                Some(_) => {}
                None => adv.push(Listener {
                    name: x.name.clone(),
                    host,
                    port,
                }),
            }
        }
        if !adv.is_empty() {
            b.complete("advertised.listeners", listener::format_list(&adv));
        }
    }

    // Security protocol map: completed for every listener whose name says its protocol.
    let user_map = b
        .user_value("listener.security.protocol.map")
        .map(listener::parse_map);
    if let (Some(mut map), Some(l)) = (
        match &user_map {
            Some(Ok(m)) => Some(m.clone()),
            Some(Err(_)) => None,
            None => Some(vec![]),
        },
        &listeners,
    ) {
        let mut names: Vec<String> = l.iter().map(|x| x.name.clone()).collect();
        if let Some(a) = b
            .entries
            .get("advertised.listeners")
            .and_then(|e| listener::parse_list(&e.value).ok())
        {
            names.extend(a.into_iter().map(|x| x.name));
        }
        if mode == Mode::KRaft {
            names.extend(ctrl_names.iter().cloned());
        }
        for name in names {
            if map.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let proto = if is_ctrl(&name) || (derived_external && name == EXTERNAL) {
                Some("PLAINTEXT")
            } else {
                listener::protocol_from_name(&name)
            };
            if let Some(p) = proto {
                map.push((name, p.to_string()));
            }
        }
        b.complete("listener.security.protocol.map", listener::format_map(&map));
    }

    // Inter-broker listener: the only broker listener, when there is one.
    if role.is_broker()
        && b.user("inter.broker.listener.name").is_none()
        && b.user("security.inter.broker.protocol").is_none()
    {
        let mut c = ibl_candidates.clone();
        c.dedup();
        if let [one] = c.as_slice() {
            b.default("inter.broker.listener.name", one.clone());
        }
    }

    durable_defaults(&mut b, s, role);

    // KRaft: roles, controller listener, quorum, cluster id.
    let mut cluster_id = None;
    if mode == Mode::KRaft {
        b.default("process.roles", role.process_roles());
        b.default("controller.listener.names", ctrl_names.join(","));
        if b.user("controller.quorum.voters").is_none()
            && b.user("controller.quorum.bootstrap.servers").is_none()
        {
            let own = role.is_controller();
            let ctrl_sts = match (&s.kafka_init_controller_statefulset, own) {
                (Some(c), _) => c.clone(),
                (None, true) => pod.statefulset.clone(),
                (None, false) => {
                    b.problem("KAFKA_INIT_CONTROLLER_STATEFULSET", "", "a broker-only node must know the controller StatefulSet to build controller.quorum.voters", "set KAFKA_INIT_CONTROLLER_STATEFULSET to the controllers' StatefulSet name");
                    String::new()
                }
            };
            let ctrl_svc = match (
                &s.kafka_init_controller_service,
                own && ctrl_sts == pod.statefulset,
            ) {
                (Some(c), _) => c.clone(),
                (None, true) => service.clone(),
                (None, false) => ctrl_sts.clone(),
            };
            if !ctrl_svc.is_empty() && !pod::is_dns_label(&ctrl_svc) {
                b.problem(
                    "KAFKA_INIT_CONTROLLER_SERVICE",
                    &ctrl_svc,
                    "a Service name must be a DNS label",
                    "set the controllers' headless Service name",
                );
            }
            let replicas = s.kafka_init_controller_replicas.as_ref().or(if own {
                s.kafka_init_replicas.as_ref()
            } else {
                None
            });
            let n = match replicas {
                Some(v) => b.number(
                    if s.kafka_init_controller_replicas.is_some() {
                        "KAFKA_INIT_CONTROLLER_REPLICAS"
                    } else {
                        "KAFKA_INIT_REPLICAS"
                    },
                    Some(v),
                    1,
                    1,
                    1000,
                ),
                None => {
                    b.problem("KAFKA_INIT_CONTROLLER_REPLICAS", "", "KRaft needs the number of controllers to build controller.quorum.voters", "set KAFKA_INIT_CONTROLLER_REPLICAS (or KAFKA_INIT_REPLICAS in the combined role) to the controller StatefulSet's replicas");
                    0
                }
            };
            let ctrl_offset = b.number(
                "KAFKA_INIT_CONTROLLER_ID_OFFSET",
                s.kafka_init_controller_id_offset.as_ref(),
                if own { offset } else { 0 },
                0,
                i32::MAX as u32 - 1000,
            );
            let port = listeners
                .iter()
                .flatten()
                .find(|l| own && l.name == ctrl_name)
                .map_or(ctrl_port, |l| l.port);
            if n > 0 && !ctrl_sts.is_empty() {
                let voters: Vec<String> = (0..n)
                    .map(|i| {
                        format!(
                            "{}@{}:{}",
                            u64::from(ctrl_offset) + u64::from(i),
                            fqdn(&format!("{ctrl_sts}-{i}"), &ctrl_svc),
                            port
                        )
                    })
                    .collect();
                b.default("controller.quorum.voters", voters.join(","));
            }
        }
        cluster_id = cluster_id_of(&mut b, s, flavor, inputs);
    }

    let Storage {
        data_dirs,
        run_as,
        config_dir,
        format_command,
    } = storage(&mut b, s, flavor, mode);

    let mut plan = Plan {
        pod,
        flavor,
        mode,
        role,
        id,
        cluster_id,
        entries: b.entries.into_values().collect(),
        data_dirs,
        run_as,
        probe: None,
        why_no_probe: None,
        config_dir,
        format_command,
    };
    let mut problems = b.problems;
    crate::rules::validate(&plan, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    match probe_target(&plan, &ctrl_name) {
        Ok(t) => plan.probe = Some(t),
        Err(why) => plan.why_no_probe = Some(why),
    }
    Ok(plan)
}

/// The listener the probe talks to: the inter-broker listener (a controller's
/// controller listener), or another PLAINTEXT listener of the same node.
fn probe_target(plan: &Plan, ctrl_name: &str) -> Result<ProbeTarget, String> {
    let listeners =
        listener::parse_list(plan.get("listeners").unwrap_or_default()).unwrap_or_default();
    let map = listener::parse_map(
        plan.get("listener.security.protocol.map")
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    let proto = |name: &str| map.iter().find(|(n, _)| n == name).map(|(_, p)| p.clone());
    let preferred = if plan.role == Role::Controller {
        ctrl_name.to_string()
    } else {
        plan.get("inter.broker.listener.name")
            .or(plan.get("security.inter.broker.protocol"))
            .unwrap_or("PLAINTEXT")
            .to_uppercase()
    };
    let ctrl: Vec<&str> = plan
        .get("controller.listener.names")
        .unwrap_or_default()
        .split(',')
        .collect();
    let is_ctrl = |n: &str| plan.mode == Mode::KRaft && ctrl.contains(&n);
    let plaintext = |l: &&Listener| {
        (is_ctrl(&l.name) == (plan.role == Role::Controller))
            && proto(&l.name).as_deref() == Some("PLAINTEXT")
    };
    let first = listeners
        .iter()
        .filter(plaintext)
        .find(|l| l.name == preferred)
        .or_else(|| listeners.iter().find(plaintext))
        .cloned();
    let l = first.ok_or_else(|| {
        format!("the probe speaks PLAINTEXT only and listener {preferred} is {} with no PLAINTEXT listener beside it; use a tcpSocket probe or add a PLAINTEXT listener on loopback", proto(&preferred).unwrap_or_else(|| "unmapped".into()))
    })?;
    let host = match l.host.as_str() {
        "" | "0.0.0.0" => "127.0.0.1".to_string(),
        "::" => "::1".to_string(),
        h => h.to_string(),
    };
    Ok(ProbeTarget {
        listener: l.name,
        host,
        port: l.port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(pairs: &[(&str, &str)]) -> Result<Plan, Problems> {
        derive(&Inputs::from_pairs(pairs.iter().copied()), None, None)
    }

    const ZK: &[(&str, &str)] = &[
        ("POD_NAME", "kafka-1"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
    ];
    const KRAFT: &[(&str, &str)] = &[
        ("POD_NAME", "kafka-1"),
        ("POD_NAMESPACE", "kafka"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_INIT_CLUSTER_ID", "MkU3OEVBNTcwNTJENDM2Qk"),
    ];

    #[test]
    fn derivation_table() {
        // (base, extra env, key, expected value)
        type Env = &'static [(&'static str, &'static str)];
        let cases: &[(Env, Env, &str, &str)] = &[
            (ZK, &[], "broker.id", "1"),
            (ZK, &[("KAFKA_INIT_ID_OFFSET", "100")], "broker.id", "101"),
            (ZK, &[], "listeners", "PLAINTEXT://:9092"),
            (ZK, &[], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092"),
            (ZK, &[("KAFKA_INIT_SERVICE", "kafka-headless"), ("KAFKA_INIT_CLUSTER_DOMAIN", "k8s.example")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka-headless.kafka.svc.k8s.example:9092"),
            // Map completion: names that say their protocol, longest match first.
            (ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT_INTERNAL://:39092,SASL_SSL_EXTERNAL://:39093"), ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT_INTERNAL")], "listener.security.protocol.map", "PLAINTEXT_INTERNAL:PLAINTEXT,SASL_SSL_EXTERNAL:SASL_SSL"),
            (ZK, &[("KAFKA_CFG_LISTENERS", "INTERNAL://:1,SSL://:2"), ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:PLAINTEXT"), ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "INTERNAL")], "listener.security.protocol.map", "INTERNAL:PLAINTEXT,SSL:SSL"),
            // An explicitly advertised listener is kept; one with no host gets the pod's name.
            (ZK, &[("KAFKA_CFG_ADVERTISED_LISTENERS", "PLAINTEXT://broker.example:9092")], "advertised.listeners", "PLAINTEXT://broker.example:9092"),
            (ZK, &[("KAFKA_CFG_ADVERTISED_LISTENERS", "PLAINTEXT://:9092")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092"),
            (ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://[::]:9092")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092"),
            (ZK, &[("KAFKA_INIT_REPLICAS", "1")], "default.replication.factor", "1"),
            (ZK, &[("KAFKA_INIT_REPLICAS", "1")], "min.insync.replicas", "1"),
            (ZK, &[("KAFKA_INIT_REPLICAS", "5")], "default.replication.factor", "3"),
            (ZK, &[("KAFKA_INIT_REPLICAS", "5")], "transaction.state.log.min.isr", "2"),
            (ZK, &[("KAFKA_INIT_REPLICAS", "5"), ("KAFKA_CFG_MIN_INSYNC_REPLICAS", "3")], "min.insync.replicas", "3"),
            (ZK, &[("KAFKA_INIT_EXTERNAL_BASE_PORT", "31090"), ("HOST_IP", "10.1.2.3")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092,EXTERNAL://10.1.2.3:31091"),
            (ZK, &[("KAFKA_INIT_EXTERNAL_BASE_PORT", "31090"), ("HOST_IP", "10.1.2.3")], "inter.broker.listener.name", "PLAINTEXT"),
            (ZK, &[("KAFKA_INIT_EXTERNAL_BASE_PORT", "31090"), ("KAFKA_INIT_EXTERNAL_HOST", "kafka-{ordinal}.example.com")], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092,EXTERNAL://kafka-1.example.com:31091"),
            (KRAFT, &[], "node.id", "1"),
            (KRAFT, &[("KAFKA_INIT_ROLE", "controller"), ("KAFKA_INIT_BROKER_REPLICAS", "2")], "default.replication.factor", "2"),
            (KRAFT, &[("KAFKA_INIT_ROLE", "controller"), ("KAFKA_INIT_BROKER_REPLICAS", "2")], "min.insync.replicas", "2"),
            (KRAFT, &[("KAFKA_INIT_BROKER_REPLICAS", "1")], "default.replication.factor", "1"),
            (KRAFT, &[], "process.roles", "broker,controller"),
            (KRAFT, &[], "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"),
            (KRAFT, &[], "advertised.listeners", "PLAINTEXT://kafka-1.kafka.kafka.svc.cluster.local:9092"),
            (KRAFT, &[], "controller.quorum.voters", "0@kafka-0.kafka.kafka.svc.cluster.local:9093,1@kafka-1.kafka.kafka.svc.cluster.local:9093,2@kafka-2.kafka.kafka.svc.cluster.local:9093"),
            (KRAFT, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092")], "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"),
            (KRAFT, &[("KAFKA_INIT_ROLE", "controller"), ("KAFKA_INIT_BROKER_REPLICAS", "3"), ("KAFKA_INIT_CONTROLLER_PORT", "19093")], "listeners", "CONTROLLER://:19093"),
            (KRAFT, &[("KAFKA_INIT_ROLE", "broker"), ("KAFKA_INIT_ID_OFFSET", "100"), ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"), ("KAFKA_INIT_CONTROLLER_REPLICAS", "3")], "controller.quorum.voters", "0@kafka-controller-0.kafka-controller.kafka.svc.cluster.local:9093,1@kafka-controller-1.kafka-controller.kafka.svc.cluster.local:9093,2@kafka-controller-2.kafka-controller.kafka.svc.cluster.local:9093"),
            (KRAFT, &[("KAFKA_INIT_ROLE", "broker"), ("KAFKA_INIT_ID_OFFSET", "100"), ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"), ("KAFKA_INIT_CONTROLLER_REPLICAS", "3")], "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            (KRAFT, &[("KAFKA_INIT_ROLE", "broker"), ("KAFKA_INIT_ID_OFFSET", "100"), ("KAFKA_INIT_CONTROLLER_STATEFULSET", "kafka-controller"), ("KAFKA_INIT_CONTROLLER_REPLICAS", "3")], "node.id", "101"),
        ];
        for (base, extra, key, want) in cases {
            let mut env: Vec<(&str, &str)> = base.to_vec();
            env.extend_from_slice(extra);
            let p = plan(&env).unwrap_or_else(|e| panic!("{extra:?}: {e}"));
            assert_eq!(p.get(key), Some(*want), "{extra:?} {key}");
        }
    }

    #[test]
    fn controller_only_nodes_advertise_nothing_and_probe_their_controller_listener() {
        let mut env = KRAFT.to_vec();
        env.extend([
            ("KAFKA_INIT_ROLE", "controller"),
            ("KAFKA_INIT_BROKER_REPLICAS", "3"),
        ]);
        let p = plan(&env).unwrap();
        assert_eq!(p.get("advertised.listeners"), None);
        assert_eq!(p.get("inter.broker.listener.name"), None);
        assert_eq!(
            p.probe.as_ref().map(|t| (t.listener.as_str(), t.port)),
            Some(("CONTROLLER", 9093))
        );
    }

    #[test]
    fn probe_prefers_the_inter_broker_listener_and_falls_back_to_plaintext() {
        let mut env = ZK.to_vec();
        env.extend([
            (
                "KAFKA_CFG_LISTENERS",
                "SSL://:9093,PLAINTEXT_LOCAL://127.0.0.1:9092",
            ),
            ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "SSL"),
        ]);
        let p = plan(&env).unwrap();
        let t = p.probe.unwrap();
        assert_eq!(
            (t.listener.as_str(), t.host.as_str(), t.port),
            ("PLAINTEXT_LOCAL", "127.0.0.1", 9092)
        );
        let mut env = ZK.to_vec();
        env.push(("KAFKA_CFG_LISTENERS", "SSL://:9093"));
        let p = plan(&env).unwrap();
        assert!(p.probe.is_none());
        assert!(p.why_no_probe.unwrap().contains("PLAINTEXT"));
    }

    #[test]
    fn user_settings_win_and_are_kept_in_the_plan() {
        let mut env = ZK.to_vec();
        env.extend([
            ("KAFKA_CFG_NUM_PARTITIONS", "6"),
            ("KAFKA_INIT_REPLICAS", "3"),
            ("KAFKA_CFG_DEFAULT_REPLICATION_FACTOR", "2"),
        ]);
        let p = plan(&env).unwrap();
        assert_eq!(p.get("num.partitions"), Some("6"));
        assert_eq!(p.get("default.replication.factor"), Some("2"));
        let e = p
            .entries
            .iter()
            .find(|e| e.key == "default.replication.factor")
            .unwrap();
        assert_eq!(
            e.origin,
            Origin::User("KAFKA_CFG_DEFAULT_REPLICATION_FACTOR".into())
        );
    }
}
