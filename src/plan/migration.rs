//! Step: the ZooKeeper-to-KRaft migration (KIP-866), phase by phase
//! (`KAFKA_INIT_MIGRATION`). The phase decides the mode and role of each
//! node, removes the keys it forbids (before any other step reads them) and
//! derives the keys it needs (after them). Brokers are never formatted.
//!
//! | phase | controllers | brokers |
//! |---|---|---|
//! | `controllers` | flag, `zookeeper.connect`, brokers' listener, IBP | ZooKeeper mode, nothing new |
//! | `migration-mode` (formerly `dual-write`) | as above | ZooKeeper mode + flag, voters, controller listener names/map, IBP |
//! | `kraft-brokers` | as above | KRaft broker; `zookeeper.*`, flag, IBP, `control.plane.listener.name` removed |
//! | `finalized` | `zookeeper.*`, flag, IBP removed | as in `kraft-brokers` |

use super::builder::Builder;
use super::dns::Dns;
use super::listeners::Controller;
use super::{quorum, Mode, Role};
use crate::listener;
use crate::pod::Pod;
use crate::settings::Settings;

/// The migration flag.
pub const FLAG: &str = "zookeeper.metadata.migration.enable";
/// The inter-broker protocol version a migration runs at when the user sets none.
pub const DEFAULT_IBP: &str = "3.9";
/// The setting that names the phase.
pub const VAR: &str = "KAFKA_INIT_MIGRATION";

/// A phase of the migration, as `KAFKA_INIT_MIGRATION` names it. Each is
/// the state after one step of Apache's 3.9 runbook ("Migrating from
/// ZooKeeper to KRaft"), whose names are accepted as equal spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Controllers run with the flag; brokers are plain ZooKeeper brokers
    /// (Apache: "Provisioning the KRaft controller quorum").
    Controllers,
    /// Brokers in ZooKeeper mode with the flag and the quorum (Apache:
    /// "Enter migration mode on the brokers"). Formerly `dual-write`, which
    /// is Apache's name for the state after the next step.
    MigrationMode,
    /// Brokers in KRaft; controllers still with the flag, writing ZooKeeper
    /// too (Apache: "Migrating brokers to KRaft", after which the cluster is
    /// in Apache's dual-write phase).
    KraftBrokers,
    /// Controllers without the flag: the migration is over (stays set;
    /// Apache: "Finalizing the migration").
    Finalized,
}

/// How a phase was spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// kafka-init's name ([`Phase::as_str`]).
    Ours,
    /// Apache's step, as a name.
    Apache,
    /// An old name that still works, with a deprecation warning.
    Deprecated,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 4] = [
        Phase::Controllers,
        Phase::MigrationMode,
        Phase::KraftBrokers,
        Phase::Finalized,
    ];

    /// Apache's steps as names, one per phase (same order as [`Phase::ALL`]).
    pub const APACHE: [&'static str; 4] = [
        "provision-controllers",
        "enter-migration-mode",
        "migrate-brokers",
        "finalize",
    ];

    /// Old names that keep working: `dual-write` named the brokers' step
    /// into migration mode, but Apache's "dual-write phase" is the state
    /// after the brokers moved to KRaft; an operator reading Apache's revert
    /// table with it would do the wrong rollback.
    pub const DEPRECATED: [(&'static str, Phase); 1] = [("dual-write", Phase::MigrationMode)];

    /// The phase named `s` in any accepted spelling.
    pub fn parse(s: &str) -> Option<Phase> {
        Phase::parse_spelling(s).map(|(p, _)| p)
    }

    /// The phase named `s`, and how it was spelled.
    pub fn parse_spelling(s: &str) -> Option<(Phase, Spelling)> {
        let s = s.trim();
        Phase::ALL
            .into_iter()
            .zip(Phase::APACHE)
            .find_map(|(p, apache)| {
                if p.as_str() == s {
                    Some((p, Spelling::Ours))
                } else if apache == s {
                    Some((p, Spelling::Apache))
                } else {
                    None
                }
            })
            .or_else(|| {
                Phase::DEPRECATED
                    .into_iter()
                    .find(|(old, _)| *old == s)
                    .map(|(_, p)| (p, Spelling::Deprecated))
            })
    }

    /// Its name in `KAFKA_INIT_MIGRATION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Controllers => "controllers",
            Phase::MigrationMode => "migration-mode",
            Phase::KraftBrokers => "kraft-brokers",
            Phase::Finalized => "finalized",
        }
    }

    /// Apache's name for the step that leads to it.
    pub fn apache(self) -> &'static str {
        Phase::APACHE[self as usize]
    }

    /// True while the controllers run with the flag (and reach ZooKeeper).
    pub fn controllers_migrating(self) -> bool {
        self != Phase::Finalized
    }

    /// True once the brokers run KRaft.
    pub fn brokers_kraft(self) -> bool {
        matches!(self, Phase::KraftBrokers | Phase::Finalized)
    }
}

/// `KAFKA_INIT_MIGRATION`, parsed; a bad value is a problem.
pub(super) fn phase(b: &mut Builder, s: &Settings) -> Option<Phase> {
    let v = s.kafka_init_migration.as_deref()?;
    let p = Phase::parse(v);
    if p.is_none() {
        let names: Vec<String> = Phase::ALL
            .iter()
            .map(|p| format!("{} (Apache: {})", p.as_str(), p.apache()))
            .collect();
        b.bad_value(
            VAR,
            v,
            &format!("the migration phase must be one of {}", names.join(", ")),
            "set the phase the cluster is in (see docs/guides/zookeeper-to-kraft.md), or unset it when not migrating",
        );
    }
    p
}

/// `KAFKA_INIT_UNSAFE_FINALIZE_WITHOUT_ZOOKEEPER`, checked whenever set,
/// whatever the phase: only `true` lets a guard rail go on, so any other
/// spelling would be taken silently for "not set" by the one who meant it.
pub(super) fn unsafe_finalize(b: &mut Builder, s: &Settings) {
    const VAR: &str = "KAFKA_INIT_UNSAFE_FINALIZE_WITHOUT_ZOOKEEPER";
    let Some(v) = s.kafka_init_unsafe_finalize_without_zookeeper.as_deref() else {
        return;
    };
    if !matches!(v.trim(), "true" | "false") {
        b.bad_value(
            VAR,
            v,
            "must be true or false",
            "set it to true only after verifying by other means that no broker is registered in ZooKeeper; otherwise unset it",
        );
    }
}

/// The mode and role a phase gives this node: `KAFKA_INIT_ROLE=controller`
/// makes it a KRaft controller; any other node is a broker, in ZooKeeper
/// mode until `kraft-brokers`. Settings that disagree are problems.
pub(super) fn mode_and_role(b: &mut Builder, s: &Settings, phase: Phase) -> (Mode, Role) {
    let (mode, role) = match s.kafka_init_role.as_deref().map(str::trim) {
        Some("controller") => (Mode::KRaft, Role::Controller),
        Some(r @ "combined") => {
            b.problem(VAR, phase.as_str(), format!("KAFKA_INIT_ROLE={r}: a ZooKeeper-to-KRaft migration needs separate controllers (KIP-866 excludes combined nodes)"), "set KAFKA_INIT_ROLE=controller on the new controller StatefulSet and leave it unset (or broker) on the brokers");
            (Mode::KRaft, Role::Combined)
        }
        Some("broker") | None if phase.brokers_kraft() => (Mode::KRaft, Role::Broker),
        Some("broker") | None => (Mode::ZooKeeper, Role::Combined),
        Some(other) => {
            b.problem(
                "KAFKA_INIT_ROLE",
                other,
                "the role must be combined, broker or controller",
                "set controller on the controllers; leave it unset (or broker) on the brokers",
            );
            (Mode::ZooKeeper, Role::Combined)
        }
    };
    let said = match s.kafka_init_mode.as_deref().map(str::trim) {
        Some("zookeeper") => Some(Mode::ZooKeeper),
        Some("kraft") => Some(Mode::KRaft),
        Some(other) => {
            b.problem(
                "KAFKA_INIT_MODE",
                other,
                "the mode must be zookeeper or kraft",
                "unset it: during a migration the phase decides the mode",
            );
            None
        }
        None => None,
    };
    if let Some(m) = said.filter(|m| *m != mode) {
        let name = |m: Mode| {
            if m == Mode::KRaft {
                "kraft"
            } else {
                "zookeeper"
            }
        };
        b.problem("KAFKA_INIT_MODE", name(m), format!("in phase {} this node runs in {} mode", phase.as_str(), name(mode)), "unset KAFKA_INIT_MODE on the brokers during a migration (the phase decides), and set kraft on the controllers");
    }
    if let Some(r) = b.user("process.roles").cloned() {
        if mode == Mode::ZooKeeper || r.value.trim() != role.process_roles() {
            b.user_problem(
                "process.roles",
                &r,
                format!(
                    "in phase {} process.roles is derived from the phase and KAFKA_INIT_ROLE",
                    phase.as_str()
                ),
                format!("remove {}", r.var),
            );
        }
    }
    (mode, role)
}

/// What [`remove`] took out of the user's settings.
#[derive(Debug, Default)]
pub(super) struct Removal {
    /// The keys removed (absent from the Plan and the exec'd environment).
    pub(super) removed: Vec<String>,
    /// A controller's view of the brokers' inter-broker listener: name and protocol.
    pub(super) brokers_listener: Option<(String, String)>,
}

/// Removes the keys the phase forbids on this node, before the other steps.
/// On a controller, broker listeners in the user's `listeners` (a shared
/// ConfigMap) are the brokers', not its own: they are removed with
/// `advertised.listeners` and tell it the brokers' inter-broker listener.
pub(super) fn remove(b: &mut Builder, phase: Phase, mode: Mode, role: Role) -> Removal {
    let mut out = Removal::default();
    let kraft_broker = mode == Mode::KRaft && role == Role::Broker;
    let finalized_controller = role == Role::Controller && !phase.controllers_migrating();
    if kraft_broker || finalized_controller {
        let mut keys: Vec<String> = b
            .user
            .keys()
            .filter(|k| k.starts_with("zookeeper."))
            .cloned()
            .collect();
        keys.push("inter.broker.protocol.version".into());
        if kraft_broker {
            keys.push("control.plane.listener.name".into());
        } else {
            // The brokers' listener, which only a migrating controller needs.
            keys.push("inter.broker.listener.name".into());
            keys.push("security.inter.broker.protocol".into());
        }
        for k in keys {
            if b.remove(&k) {
                out.removed.push(k);
            }
        }
    }
    if role == Role::Controller {
        out.brokers_listener = brokers_listener(b, &mut out.removed);
    }
    out
}

/// The brokers' inter-broker listener as a controller sees it, and the
/// broker listeners it must not bind.
fn brokers_listener(b: &mut Builder, removed: &mut Vec<String>) -> Option<(String, String)> {
    let ctrl_names: Vec<String> = b.user_value("controller.listener.names").map_or_else(
        || vec![super::CONTROLLER.to_string()],
        |v| {
            listener::split_csv(v)
                .into_iter()
                .map(str::to_string)
                .collect()
        },
    );
    let bound = b
        .user_value("listeners")
        .and_then(|v| listener::parse_list(v).ok())
        .unwrap_or_default();
    let broker_names: Vec<String> = bound
        .iter()
        .filter(|l| !ctrl_names.contains(&l.name))
        .map(|l| l.name.clone())
        .collect();
    let name = b
        .user_value("inter.broker.listener.name")
        .map(|v| v.trim().to_uppercase())
        .or_else(|| super::listeners::inter_broker(&broker_names))
        .unwrap_or_else(|| "PLAINTEXT".to_string());
    if !broker_names.is_empty() {
        for k in ["listeners", "advertised.listeners"] {
            if b.remove(k) {
                removed.push(k.to_string());
            }
        }
    }
    let map = b
        .user_value("listener.security.protocol.map")
        .and_then(|v| listener::parse_map(v).ok())
        .unwrap_or_default();
    let proto = map
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| p.clone())
        .or_else(|| listener::protocol_from_name(&name).map(str::to_string));
    match proto {
        Some(p) => Some((name, p)),
        None => {
            b.problem("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "", format!("a migrating controller must know the protocol of the brokers' listener {name} (it connects to the ZooKeeper brokers on it, KAFKA-16468)"), format!("add {name}:<PROTOCOL> to KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP in the ConfigMap both StatefulSets share"));
            None
        }
    }
}

/// What [`derive`] needs besides the Builder.
pub(super) struct Context<'a> {
    pub(super) settings: &'a Settings,
    pub(super) pod: &'a Pod,
    pub(super) dns: &'a Dns,
    pub(super) phase: Phase,
    pub(super) mode: Mode,
    pub(super) role: Role,
    pub(super) removal: Removal,
}

/// The mode whose default Kafka version the catalog checks against: until
/// finalized the cluster runs Kafka 3.9 (ZooKeeper is still in use).
pub(super) fn catalog_mode(phase: Option<Phase>, mode: Mode) -> Mode {
    match phase {
        Some(p) if p != Phase::Finalized => Mode::ZooKeeper,
        _ => mode,
    }
}

/// After the other steps: derives what the phase needs, checks the guard
/// rails; returns the removed keys and the controllers' release version.
pub(super) fn finish(b: &mut Builder, c: Context, id: u32) -> (Vec<String>, Option<String>) {
    let (phase, mode, role) = (c.phase, c.mode, c.role);
    let removed = c.removal.removed.clone();
    let ids = controller_ids(c.settings);
    let release_version = derive(b, c);
    check(b, phase, mode, role, id);
    if let (Mode::ZooKeeper, Some((first, n))) = (mode, ids) {
        if (first..first + n).contains(&u64::from(id)) && phase == Phase::Controllers {
            b.problem("KAFKA_INIT_CONTROLLER_ID_OFFSET", &first.to_string(), format!("broker id {id} is among the controllers' ids {first}..{} (KAFKA_INIT_CONTROLLER_ID_OFFSET + KAFKA_INIT_CONTROLLER_REPLICAS); a migration needs controller ids apart from every broker.id", first + n - 1), "give the controllers their own id range (KAFKA_INIT_ID_OFFSET=3000 on the controllers, KAFKA_INIT_CONTROLLER_ID_OFFSET=3000 on the brokers)");
        }
    }
    (removed, release_version)
}

/// The controllers' first id and count, when the settings give both.
fn controller_ids(s: &Settings) -> Option<(u64, u64)> {
    let first = s
        .kafka_init_controller_id_offset
        .as_deref()?
        .trim()
        .parse()
        .ok()?;
    let n = s
        .kafka_init_controller_replicas
        .as_deref()?
        .trim()
        .parse()
        .ok()?;
    Some((first, n))
}

/// Derives the keys the phase needs on this node, after the other steps;
/// returns the release version the controllers' storage is formatted with.
fn derive(b: &mut Builder, c: Context) -> Option<String> {
    let Context {
        settings,
        pod,
        dns,
        phase,
        mode,
        role,
        removal,
    } = c;
    match (role, mode) {
        (Role::Controller, _) if phase.controllers_migrating() => {
            require(b, FLAG, "true", phase);
            if b.user_value("zookeeper.connect")
                .is_none_or(|v| v.trim().is_empty())
            {
                b.problem("KAFKA_CFG_ZOOKEEPER_CONNECT", "", format!("in phase {} the controllers run with {FLAG}=true and must reach ZooKeeper", phase.as_str()), "set KAFKA_CFG_ZOOKEEPER_CONNECT to the brokers' value (one ConfigMap for both StatefulSets)");
            }
            if let Some((name, proto)) = removal.brokers_listener {
                b.default("inter.broker.listener.name", name.clone());
                add_to_map(b, &name, &proto);
            }
            b.default("inter.broker.protocol.version", DEFAULT_IBP);
            b.entries
                .get("inter.broker.protocol.version")
                .map(|e| e.value.trim().to_string())
        }
        (_, Mode::ZooKeeper) if phase == Phase::MigrationMode => {
            require(b, FLAG, "true", phase);
            let port = b.port(
                "KAFKA_INIT_CONTROLLER_PORT",
                settings.kafka_init_controller_port.as_ref(),
                9093,
            );
            let ctrl =
                Controller::new(b.user_value("controller.listener.names"), Mode::KRaft, port);
            quorum::derive(b, settings, pod, dns, Role::Broker, &ctrl, 0, port);
            // ZooKeeper-mode brokers have no process.roles.
            b.entries.remove("process.roles");
            add_to_map(b, &ctrl.name, "PLAINTEXT");
            b.default("inter.broker.protocol.version", DEFAULT_IBP);
            None
        }
        _ => None,
    }
}

/// The guard rails on the final keys: the protocol version the migration
/// runs at, and a broker id among the controllers' ids.
fn check(b: &mut Builder, phase: Phase, mode: Mode, role: Role, id: u32) {
    let migrating_node = (role == Role::Controller && phase.controllers_migrating())
        || (mode == Mode::ZooKeeper && phase == Phase::MigrationMode);
    if migrating_node {
        let (var, value) = match b.entries.get("inter.broker.protocol.version") {
            Some(e) => (
                match &e.origin {
                    super::Origin::User(v) | super::Origin::Completed(v) => v.clone(),
                    super::Origin::Derived => VAR.to_string(),
                },
                e.value.clone(),
            ),
            None => (VAR.to_string(), DEFAULT_IBP.to_string()),
        };
        match parse_version(&value) {
            Some(v) if v >= (3, 6, 1) => {}
            Some(_) => b.problem(&var, &value, "a ZooKeeper-to-KRaft migration runs at inter.broker.protocol.version 3.6-IV1 or later: the new controllers start from an empty metadata log formatted at that version and refuse anything older (\"The bootstrap metadata.version 3.5-IV2 does not support ZK migrations. Cannot continue with ZK migrations enabled.\", KAFKA-17457), and a ZooKeeper broker in migration mode needs 3.4 or later (\"Cannot enable ZooKeeper migration without setting 'inter.broker.protocol.version' to 3.4 or higher\")", "upgrade the ZooKeeper brokers' inter.broker.protocol.version to 3.9 (roll them) before the migration starts; the controllers then format with the same version"),
            None => b.problem(&var, &value, "not a protocol version (expected e.g. 3.9 or 3.9-IV0)", "set inter.broker.protocol.version to the brokers' version, e.g. 3.9"),
        }
    }
    if mode == Mode::ZooKeeper && phase == Phase::MigrationMode {
        let voters = b
            .entries
            .get("controller.quorum.voters")
            .and_then(|e| crate::kraft::parse_voters(&e.value).ok())
            .unwrap_or_default();
        if voters.iter().any(|v| v.id == i64::from(id)) {
            b.problem("KAFKA_INIT_CONTROLLER_ID_OFFSET", &id.to_string(), format!("broker id {id} is also a controller's id in controller.quorum.voters; a migration needs controller ids apart from every broker.id"), "give the controllers their own id range (KAFKA_INIT_ID_OFFSET=3000 on the controllers, KAFKA_INIT_CONTROLLER_ID_OFFSET=3000 on the brokers)");
        }
    }
}

/// Sets a key the phase decides; a user value that disagrees is a problem.
fn require(b: &mut Builder, key: &str, value: &str, phase: Phase) {
    if let Some(u) = b.user(key).cloned() {
        if u.value.trim() != value {
            b.user_problem(
                key,
                &u,
                format!("in phase {} {key} must be {value}", phase.as_str()),
                format!("remove {}: the phase sets it", u.var),
            );
        }
    }
    b.default(key, value);
}

/// Adds `name:proto` to the protocol map unless it names `name` already.
fn add_to_map(b: &mut Builder, name: &str, proto: &str) {
    let key = "listener.security.protocol.map";
    let current = b
        .entries
        .get(key)
        .map(|e| e.value.clone())
        .unwrap_or_default();
    let Ok(mut map) = listener::parse_map(&current) else {
        return; // The rules report a map that does not parse.
    };
    if !map.iter().any(|(n, _)| n == name) {
        map.push((name.to_string(), proto.to_string()));
        b.complete(key, listener::format_map(&map));
    }
}

/// An inter-broker protocol / metadata version as `(major, minor, iv)`;
/// a version without `-IVn` is its line's newest (`iv` = `u32::MAX`).
pub fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let v = v.trim();
    let (line, iv) = match v.split_once("-IV") {
        Some((l, iv)) => (l, iv.parse().ok()?),
        None => (v, u32::MAX),
    };
    let mut parts = line.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    // "3.9.0" names the release, read as its line.
    if parts.next().is_some_and(|p| p.parse::<u32>().is_err()) || parts.next().is_some() {
        return None;
    }
    Some((major, minor, iv))
}

#[cfg(test)]
mod tests;
