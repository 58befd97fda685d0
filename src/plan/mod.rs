//! The Plan: what kafka-init will give Kafka, in Kafka's own vocabulary, plus
//! the facts the shell needs (data dirs, owner, probe target), and `derive`,
//! which makes it from the user's settings one step at a time (one file per
//! step). Everything here is pure. The plan knows the image only through
//! [`FlavorFacts`]: it never imports a flavor, the rules or a renderer.

mod builder;
mod cluster_id;
mod dns;
mod durable;
mod external;
mod identity;
pub mod listeners;
mod log_settings;
pub mod migration;
mod mode;
mod own_settings;
mod probe;
mod quorum;
mod storage;
#[cfg(test)]
mod tests;
mod version;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::catalog::Selection;
use crate::pod::Pod;
use crate::problem::Problem;
use crate::settings::Settings;

use builder::Builder;
pub use migration::Phase;
pub use probe::probe_target;

/// The name kafka-init gives the listener it adds for external access.
pub const EXTERNAL: &str = "EXTERNAL";
/// The controller listener name kafka-init uses when the user names none.
pub const CONTROLLER: &str = "CONTROLLER";

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

/// A Kafka setting the user wrote, with the variable it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSetting {
    /// The value.
    pub value: String,
    /// The variable that holds it (the one the image lets win).
    pub var: String,
}

/// The user's Kafka settings by key, as a flavor read them.
pub type UserSettings = BTreeMap<String, UserSetting>;

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

/// What the Plan needs to know about the image it is for: the flavor's
/// defaults and naming, as plain data (see `crate::flavor`).
#[derive(Clone, Copy)]
pub struct FlavorFacts {
    /// The flavor's name, e.g. `bitnami`.
    pub name: &'static str,
    /// Where the image keeps broker data when `log.dirs` is not set.
    pub default_data_dir: &'static str,
    /// The uid:gid the image runs Kafka as.
    pub run_as: (u32, u32),
    /// The variable the image reads the KRaft cluster id from, if any.
    pub cluster_id_var: Option<&'static str>,
    /// True when kafka-init hands the image a `server.properties` it writes
    /// into a config dir (which `prepare` then owns too).
    pub writes_config_file: bool,
    /// The variable under which the image reads a Kafka key (for messages).
    pub var_for: fn(&str) -> String,
}

impl PartialEq for FlavorFacts {
    fn eq(&self, other: &Self) -> bool {
        // A flavor's name identifies it (the registry holds each name once).
        self.name == other.name
    }
}

impl Eq for FlavorFacts {}

impl fmt::Debug for FlavorFacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// The naming convention the user's settings were read in, which is not
/// necessarily the image's (a user who changes image keeps their
/// ConfigMap): plain data from the flavor that read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadAs {
    /// The convention's name, e.g. `bitnami`.
    pub name: &'static str,
    /// The names it reads, for people.
    pub names: &'static str,
    /// The variable that convention's image reads the KRaft cluster id from.
    pub cluster_id_var: Option<&'static str>,
}

/// Who leaves a directory the way a [`StartWrite`] describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltBy {
    /// The image's build (its Dockerfile): the path is part of the image, so
    /// where it is missing the image is not there (kafka-init then runs
    /// another program) and nothing is checked.
    Image,
    /// `kafka-init prepare` (data dirs, the properties flavor's config
    /// dir): where it is missing, Kafka or the scripts create it, so its
    /// nearest existing ancestor must be writable.
    Prepare,
}

/// A directory the image's own start-up scripts (or Kafka itself) write in,
/// with its owner and mode as the image builds it (or `prepare` leaves
/// it): what `exec`'s permission preflight checks and what the manifest
/// check (`plan --format json`, `writes_at_start`) decides against a pod's
/// uid and groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartWrite {
    /// The directory, as the container sees it.
    pub path: PathBuf,
    /// Its owner, `(uid, gid)`.
    pub owner: (u32, u32),
    /// Its permission bits (e.g. `0o775`).
    pub mode: u32,
    /// Who builds it that way.
    pub built_by: BuiltBy,
    /// What writes there at start, and where that and the facts come from.
    pub writer: String,
    /// What to do when the running user cannot write it.
    pub fix: String,
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
    /// The image flavor's facts.
    pub flavor: FlavorFacts,
    /// The convention the user's settings were read in.
    pub read_as: ReadAs,
    /// ZooKeeper or KRaft.
    pub mode: Mode,
    /// KRaft role (Combined in ZooKeeper mode, where it means "broker").
    pub role: Role,
    /// `broker.id` (ZooKeeper) or `node.id` (KRaft).
    pub id: u32,
    /// The KRaft cluster id, when known.
    pub cluster_id: Option<String>,
    /// Where the cluster id came from: the variable that sets it, the
    /// volume's `meta.properties`, or ZooKeeper (for the start-up summary).
    pub cluster_id_from: Option<String>,
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
    /// The dir that receives `server.properties`, for flavors that write one.
    pub config_dir: Option<PathBuf>,
    /// The storage format command (KRaft, flavors that write `server.properties`).
    pub format_command: Vec<String>,
    /// The ZooKeeper-to-KRaft migration phase (`KAFKA_INIT_MIGRATION`).
    pub migration: Option<Phase>,
    /// Keys the migration phase removes: absent from the Plan, and every
    /// variable that sets them is unset in the exec'd environment.
    pub removed: Vec<String>,
    /// The `--release-version` a migrating controller's storage is formatted
    /// with: the brokers' inter-broker protocol version.
    pub release_version: Option<String>,
    /// The Kafka version whose catalog checks every key, and why it was chosen.
    pub kafka: Selection,
    /// Keys plugins read that Kafka cannot know (`KAFKA_INIT_EXTRA_KEYS`).
    pub extra_keys: Vec<String>,
    /// What is worth saying but refuses nothing (a deprecated key, an
    /// unknown key where the catalog is not exact): the commands that start
    /// or change something log them; probe, audit and status do not, so a
    /// probe every 10 seconds does not repeat them.
    pub warnings: Vec<Problem>,
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

    /// True when KRaft storage is formatted before Kafka starts: KRaft
    /// nodes, but never a migrated broker (it keeps its v0 `meta.properties`).
    pub fn formats_storage(&self) -> bool {
        self.mode == Mode::KRaft
            && !(self.role == Role::Broker && self.migration.is_some_and(Phase::brokers_kraft))
    }

    /// The value of a Kafka key, if the Plan has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str())
    }

    /// The Kafka keys kafka-init set or completed (what `exec` hands over).
    pub fn changed(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| !matches!(e.origin, Origin::User(_)))
    }
}

/// What `derive` reads besides the user's Kafka settings.
pub struct Given<'a> {
    /// kafka-init's own settings.
    pub settings: &'a Settings,
    /// The pod's identity.
    pub pod: Pod,
    /// The image's facts.
    pub flavor: FlavorFacts,
    /// The convention the user's settings were read in.
    pub read_as: ReadAs,
    /// The environment (for the flavor's own cluster-id variable).
    pub vars: &'a BTreeMap<String, String>,
    /// Random bytes, for the fresh cluster id a problem suggests.
    pub random: &'a [u8; 16],
    /// A cluster id found outside the settings (a migrating controller reads
    /// ZooKeeper's `/cluster/id`), or why it could not be found.
    pub found: Option<&'a FoundClusterId>,
    /// The cluster ids the node's own dirs hold (`meta.properties`), in
    /// the order of their paths (Kafka's: it loads them into a sorted map).
    pub stored: &'a [StoredClusterId],
}

/// A cluster id read from a `meta.properties` on the node's volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClusterId {
    /// The `meta.properties` file.
    pub path: PathBuf,
    /// Its `cluster.id`.
    pub id: String,
    /// Its `version`: 0 (a ZooKeeper-mode broker's) or 1 (KRaft's format).
    pub version: u32,
}

/// A cluster id kafka-init read at the edge, where it read it, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundClusterId {
    /// Where it was read, e.g. `ZooKeeper /cluster/id (zk:2181)`.
    pub from: String,
    /// The id, or why it could not be read.
    pub id: Result<String, String>,
}

/// Derives the Plan from the user's Kafka settings and kafka-init's own;
/// every problem found on the way comes back beside it. Validation with
/// Kafka's rules is the next step (`crate::rules`), not this one's.
pub fn derive(user: UserSettings, given: Given) -> (Plan, Vec<Problem>) {
    let s = given.settings;
    let pod = given.pod;
    let mut b = Builder::new(user);
    log_settings::check(&mut b, s);
    own_settings::check(&mut b, given.vars);
    let phase = migration::phase(&mut b, s);
    migration::unsafe_finalize(&mut b, s);
    let (mode, role) = match phase {
        Some(p) => migration::mode_and_role(&mut b, s, p),
        None => mode::mode_and_role(&mut b, s),
    };
    let removal = phase.map(|p| migration::remove(&mut b, p, mode, role));
    let kafka = version::select(&mut b, s, given.vars, migration::catalog_mode(phase, mode));
    let extra_keys = version::extra_keys(&mut b, s);
    let (offset, id) = identity::identity(&mut b, s, &pod, mode);
    let dns = dns::names(&mut b, s, &pod);
    let ctrl = listeners::Controller::from_settings(&mut b, s, mode);
    let external = external::external(&mut b, s, &pod, role.is_broker());
    let bound = listeners::derive(&mut b, mode, role, &ctrl, external, &dns.fqdn(&pod.name));
    durable::defaults(&mut b, s, role);
    let mut cluster_id = None;
    if mode != Mode::KRaft {
        quorum::check_unused(&mut b, s);
        cluster_id::check_unused(&mut b, s, &given.flavor, given.vars);
        cluster_id::stored_agree(&mut b, given.stored, &pod.name);
    } else {
        let own_port = bound
            .iter()
            .flatten()
            .find(|l| role.is_controller() && l.name == ctrl.name)
            .map_or(ctrl.port, |l| l.port);
        quorum::derive(&mut b, s, &pod, &dns, role, &ctrl, offset, own_port);
        let migrated_broker = role == Role::Broker && phase.is_some();
        cluster_id = cluster_id::of(
            &mut b,
            cluster_id::Sources {
                settings: s,
                flavor: &given.flavor,
                read_as: &given.read_as,
                vars: given.vars,
                found: given.found,
                stored: given.stored,
                pod: &pod.name,
                migrating: phase.is_some(),
            },
            migrated_broker,
            given.random,
        );
    }
    let (mut removed, release_version) = match (phase, removal) {
        (Some(phase), Some(removal)) => {
            let c = migration::Context {
                settings: s,
                pod: &pod,
                dns: &dns,
                phase,
                mode,
                role,
                removal,
            };
            migration::finish(&mut b, c, id)
        }
        _ => (vec![], None),
    };
    let st = storage::derive(&mut b, s, &given.flavor, mode);
    // A removed key that kafka-init derives anew (a controller's own
    // `listeners`) is replaced, not removed.
    removed.retain(|k| !b.entries.contains_key(k));
    let plan = Plan {
        pod,
        flavor: given.flavor,
        read_as: given.read_as,
        mode,
        role,
        id,
        cluster_id: cluster_id.as_ref().map(|c| c.0.clone()),
        cluster_id_from: cluster_id.map(|c| c.1),
        entries: b.entries.into_values().collect(),
        data_dirs: st.data_dirs,
        run_as: st.run_as,
        probe: None,
        why_no_probe: None,
        config_dir: st.config_dir,
        format_command: st.format_command,
        migration: phase,
        removed,
        release_version,
        kafka,
        extra_keys,
        warnings: vec![],
    };
    (plan, b.problems)
}
