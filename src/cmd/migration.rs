//! The migration's edge: what kafka-init reads from ZooKeeper and the
//! controllers, for the guard rails of `exec`/`prepare`/`plan` on a
//! controller ([`observe`]) and for `kafka-init migration status`
//! ([`status`]). The decisions are pure functions of what was read
//! ([`guard_rails`], [`phase_of`]), tested on captured answers.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use serde_json::{json, Value};

use crate::catalog;
use crate::environment::Inputs;
use crate::flavor;
use crate::meta;
use crate::plan::migration::{Phase, VAR};
use crate::plan::{FoundClusterId, Plan};
use crate::problem::{Problem, Problems};
use crate::settings::Settings;
use crate::wire::api_versions::{self, ApiVersionsResponse};
use crate::wire::describe_quorum::{self, Quorum};
use crate::wire::Connection;
use crate::zookeeper::{self, Answer, Client};

/// How long `exec`/`prepare`/`plan` wait for ZooKeeper on a migrating controller.
const OBSERVE_TIMEOUT: Duration = Duration::from_secs(5);
const CLIENT: &str = "kafka-init";

/// What a ZooKeeper read found: the znodes a migration is judged by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZkView {
    /// `/cluster/id`'s id.
    pub cluster_id: Option<String>,
    /// The ids under `/brokers/ids`: brokers in ZooKeeper mode or dual write
    /// (each holds an ephemeral znode there; KRaft brokers never write one).
    pub brokers: Vec<i64>,
    /// `/migration`'s JSON, when the znode exists.
    pub migration: Option<Value>,
    /// `/controller`'s JSON, when the znode exists.
    pub controller: Option<Value>,
}

/// Reads the migration's znodes (read-only), all before `deadline`.
pub fn read_zookeeper(connect: &str, deadline: Instant) -> Result<ZkView> {
    let mut zk = Client::connect(connect, deadline)?;
    let cluster = zk.get_data("/cluster/id")?;
    let brokers = zk.get_children("/brokers/ids")?;
    let migration = zk.get_data("/migration")?;
    let controller = zk.get_data("/controller")?;
    zk.close();
    zk_view(cluster, brokers, migration, controller).map_err(|e| anyhow!(e))
}

/// The view from the four answers (pure).
pub fn zk_view(
    cluster: Answer<Vec<u8>>,
    brokers: Answer<Vec<String>>,
    migration: Answer<Vec<u8>>,
    controller: Answer<Vec<u8>>,
) -> Result<ZkView, String> {
    let json = |a: Answer<Vec<u8>>| match a {
        Answer::Found(d) if !d.is_empty() => serde_json::from_slice::<Value>(&d).ok(),
        _ => None,
    };
    let cluster_id = match cluster {
        Answer::Found(d) => Some(zookeeper::cluster_id_of(&d)?),
        Answer::NoNode => None,
    };
    let brokers = match brokers {
        Answer::Found(c) => c.iter().filter_map(|id| id.parse().ok()).collect(),
        Answer::NoNode => vec![],
    };
    Ok(ZkView {
        cluster_id,
        brokers,
        migration: json(migration),
        controller: json(controller),
    })
}

impl ZkView {
    /// True once the controllers have copied ZooKeeper's metadata into KRaft:
    /// `/migration` holds a KRaft metadata offset. (The controllers create
    /// the znode in PRE_MIGRATION already, with every field -1: seen on 3.9.2.)
    pub fn migrated(&self) -> bool {
        self.migration
            .as_ref()
            .and_then(|m| m.get("kraft_metadata_offset"))
            .and_then(Value::as_i64)
            .is_some_and(|o| o >= 0)
    }
}

/// Before a migrating controller's Plan is derived: reads ZooKeeper (from
/// the user's `zookeeper.connect`, even in `finalized`, where the Plan drops
/// it) and returns the cluster id found, if it looked, plus the guard
/// rails' problems. Nothing is read on other nodes or without a phase.
pub fn observe(
    inputs: &Inputs,
    settings: &Settings,
    flavor_name: Option<&str>,
) -> (Option<FoundClusterId>, Vec<Problem>) {
    let phase = settings
        .kafka_init_migration
        .as_deref()
        .and_then(Phase::parse);
    let controller = settings.kafka_init_role.as_deref().map(str::trim) == Some("controller");
    let mut found = None;
    let mut problems = version_rule(settings, inputs, phase);
    let Some(phase) = phase else {
        return (found, problems);
    };
    if !controller {
        if phase.brokers_kraft() {
            found = own_cluster_id(inputs, settings, flavor_name);
        }
        return (found, problems);
    }
    let (_, user) = super::peek_user_settings(inputs, settings, flavor_name);
    let Some(connect) = user.get("zookeeper.connect").map(|u| u.value.clone()) else {
        return (found, problems); // The Plan reports a migrating controller without it.
    };
    let from = format!("ZooKeeper /cluster/id ({connect})");
    let read = read_zookeeper(&connect, Instant::now() + OBSERVE_TIMEOUT);
    let own_id = own_id(settings, inputs);
    match read {
        Ok(view) => {
            problems.extend(guard_rails(phase, own_id, &view, &connect));
            if phase.controllers_migrating() || settings.kafka_init_cluster_id.is_none() {
                found = Some(FoundClusterId {
                    from,
                    id: view.cluster_id.ok_or_else(|| "the znode /cluster/id does not exist (is this the brokers' ZooKeeper and chroot?)".to_string()),
                });
            }
        }
        // Finalized: ZooKeeper may be retired; the cluster id is then the
        // one the controller's storage was formatted with.
        Err(_) if !phase.controllers_migrating() => {
            found = own_cluster_id(inputs, settings, flavor_name);
        }
        Err(e) => {
            found = Some(FoundClusterId {
                from,
                id: Err(format!("{e:#}")),
            });
        }
    }
    (found, problems)
}

/// A migrated broker's cluster id, from the `meta.properties` of its first
/// data dir that has one (`log.dirs`, else `log.dir`, else the image's
/// default): it is never formatted, and some images want the id anyway.
fn own_cluster_id(
    inputs: &Inputs,
    settings: &Settings,
    flavor_name: Option<&str>,
) -> Option<FoundClusterId> {
    let (flavor, user) = super::peek_user_settings(inputs, settings, flavor_name);
    let dirs = user.get("log.dirs").or(user.get("log.dir")).map_or_else(
        || flavor.facts().default_data_dir.to_string(),
        |u| u.value.clone(),
    );
    crate::listener::split_csv(&dirs).into_iter().find_map(|d| {
        let dir = std::path::Path::new(d);
        let meta::Observed::Bytes(bytes) = meta::read(dir) else {
            return None;
        };
        let m = meta::parse(&bytes).and_then(|p| meta::interpret(&p)).ok()?;
        Some(FoundClusterId {
            from: dir.join(meta::FILE_NAME).display().to_string(),
            id: Ok(m.cluster_id?),
        })
    })
}

/// This pod's id from its settings (ordinal + offset), when they parse.
fn own_id(settings: &Settings, inputs: &Inputs) -> Option<i64> {
    let mut ignored = vec![];
    let pod = crate::pod::identify(settings, inputs, None, &mut ignored);
    let offset: i64 = settings
        .kafka_init_id_offset
        .as_deref()
        .map_or(Some(0), |v| v.trim().parse().ok())?;
    Some(i64::from(pod.ordinal) + offset)
}

/// The guard rails that need ZooKeeper, on a controller in `phase` (pure).
pub fn guard_rails(phase: Phase, own_id: Option<i64>, zk: &ZkView, connect: &str) -> Vec<Problem> {
    let mut out = vec![];
    if !phase.controllers_migrating() && !zk.brokers.is_empty() {
        out.push(Problem::new(VAR, phase.as_str(), format!("ZooKeeper ({connect}) still lists brokers {:?} under /brokers/ids: brokers in ZooKeeper mode or dual write hold an ephemeral znode there, KRaft brokers never do. A controller that becomes active without the migration flag ends the migration for good (POST_MIGRATION), and these brokers could not follow", zk.brokers), "roll the brokers to KRaft first (KAFKA_INIT_MIGRATION=kraft-brokers on both StatefulSets) and wait until `kafka-init migration status` says kraft-brokers; only then set finalized"));
    }
    if let Some(id) = own_id.filter(|id| zk.brokers.contains(id)) {
        out.push(Problem::new("KAFKA_INIT_ID_OFFSET", id.to_string(), format!("this controller's node id {id} is a ZooKeeper broker's id (/brokers/ids in {connect}); controller ids must not collide with broker ids"), "give the controllers their own id range: KAFKA_INIT_ID_OFFSET=3000 on the controller StatefulSet and KAFKA_INIT_CONTROLLER_ID_OFFSET=3000 on the brokers"));
    }
    out
}

/// The Kafka version rule (KAFKA-19480): while anything runs in or talks to
/// ZooKeeper, Kafka 4.x cannot (a problem); a 3.x older than 3.9.2 can, but
/// has the migration stall fixed in 3.9.2 (a warning, not a problem: the
/// stall needs the ZooKeeper security-migration tool to have run, and the
/// Bitnami 3.9.0 image is what many clusters have). Only a version the
/// setting or the image states is judged, never the catalog's default.
fn version_rule(settings: &Settings, inputs: &Inputs, phase: Option<Phase>) -> Vec<Problem> {
    let Some(phase) = phase else { return vec![] };
    let env = |v: &str| inputs.vars.get(v).cloned();
    let Ok(sel) = catalog::select(inputs.var(catalog::VERSION_VAR), &env) else {
        return vec![];
    };
    if sel.source == catalog::Source::Default {
        return vec![];
    }
    let controller = settings.kafka_init_role.as_deref().map(str::trim) == Some("controller");
    let uses_zookeeper = if controller {
        phase.controllers_migrating()
    } else {
        !phase.brokers_kraft()
    };
    let v: Vec<u32> = sel
        .requested
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let (major, minor, patch) = (
        v[0],
        v.get(1).copied().unwrap_or(0),
        v.get(2).copied().unwrap_or(0),
    );
    if uses_zookeeper && major >= 4 {
        return vec![Problem::new(VAR, phase.as_str(), format!("{}: Kafka 4 has no ZooKeeper support, and in phase {} this node still talks to ZooKeeper", sel.why, phase.as_str()), "run Kafka 3.9.2 until the migration is finalized, then roll to 4.x")];
    }
    if major == 3 && (minor, patch) < (9, 2) {
        tracing::warn!(version = %sel.requested, "Kafka older than 3.9.2 during a ZooKeeper migration: 3.9.2 fixes a migration stall (KAFKA-19480) and adds alter.config.policy.kraft.compatibility.enable; use 3.9.2");
    }
    vec![]
}

/// Derives the Plan after [`observe`]: every problem of both at once.
pub fn derive_observed(
    inputs: &Inputs,
    settings: &Settings,
    flavor: Option<&str>,
    pod: Option<&str>,
) -> Result<(Plan, &'static dyn flavor::Flavor), Problems> {
    let (found, mut problems) = observe(inputs, settings, flavor);
    // The inputs are copied only when there is something to add to them.
    let observed = found.map(|found| Inputs {
        cluster_id_found: Some(found),
        ..inputs.clone()
    });
    match super::derive_with_settings(observed.as_ref().unwrap_or(inputs), settings, flavor, pod) {
        Ok(ok) if problems.is_empty() => Ok(ok),
        Ok(_) => Err(Problems(problems)),
        Err(Problems(more)) => {
            problems.extend(more);
            Err(Problems(problems))
        }
    }
}

/// What the controllers said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ControllersView {
    /// At least one controller answered ApiVersions.
    pub reachable: bool,
    /// Every controller that answered reports `ZkMigrationReady`.
    pub zk_migration_ready: bool,
    /// The quorum, from the leader's DescribeQuorum.
    pub quorum: Option<Quorum>,
}

/// Asks each controller ApiVersions, and DescribeQuorum until the leader answers.
pub fn read_controllers(controllers: &[(String, u16)], deadline: Instant) -> ControllersView {
    let mut view = ControllersView {
        zk_migration_ready: true,
        ..Default::default()
    };
    for (host, port) in controllers {
        let Ok(mut conn) = Connection::open(host, *port, deadline) else {
            continue;
        };
        let Ok(versions) = ask_versions(&mut conn) else {
            continue;
        };
        view.reachable = true;
        view.zk_migration_ready &= versions.zk_migration_ready;
        if view.quorum.is_none() {
            view.quorum = describe_quorum(&mut conn)
                .ok()
                .filter(|q| q.error_code == 0);
        }
    }
    view.zk_migration_ready &= view.reachable;
    view
}

fn ask_versions(conn: &mut Connection) -> Result<ApiVersionsResponse> {
    let req = api_versions::encode_request(1, CLIENT, CLIENT, env!("CARGO_PKG_VERSION"));
    conn.send(&req, "ApiVersions")?;
    let len = conn.frame_len("ApiVersions", api_versions::MAX_FRAME)?;
    let v = api_versions::decode_response(&mut *conn, len, 1)?;
    if v.error_code != 0 {
        bail!("ApiVersions error {}", v.error_code);
    }
    Ok(v)
}

/// DescribeQuorum on an open connection.
pub fn describe_quorum(conn: &mut Connection) -> Result<Quorum> {
    let frame = conn.round_trip(
        &describe_quorum::encode_request(2, CLIENT),
        "DescribeQuorum",
        describe_quorum::MAX_FRAME,
    )?;
    Ok(describe_quorum::decode_response(&frame, 2)?)
}

/// The phase `migration status` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No migration started.
    ZooKeeper,
    /// A phase of the migration.
    Phase(Phase),
}

impl Status {
    /// Its name: `zookeeper` or the phase's.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::ZooKeeper => "zookeeper",
            Status::Phase(p) => p.as_str(),
        }
    }
}

/// The phase from what was read (pure), or why it cannot be told.
///
/// `/migration` gets a KRaft metadata offset when the controllers finish
/// loading ZooKeeper's metadata (MIGRATION): before it, controllers that report
/// `ZkMigrationReady` mean PRE_MIGRATION (`controllers`); after it, brokers
/// under `/brokers/ids` mean dual write, none mean `kraft-brokers`, and
/// controllers that no longer report `ZkMigrationReady` mean POST_MIGRATION.
pub fn phase_of(zk: Option<&ZkView>, controllers: &ControllersView) -> Result<Status, String> {
    let without_flag = controllers.reachable && !controllers.zk_migration_ready;
    match zk {
        None if without_flag => Ok(Status::Phase(Phase::Finalized)),
        None => Err("ZooKeeper could not be read, and no controller answered without the migration flag".into()),
        Some(z) if !z.migrated() => Ok(if controllers.reachable && controllers.zk_migration_ready {
            Status::Phase(Phase::Controllers)
        } else {
            Status::ZooKeeper
        }),
        Some(_) if without_flag => Ok(Status::Phase(Phase::Finalized)),
        Some(z) if !z.brokers.is_empty() => Ok(Status::Phase(Phase::DualWrite)),
        Some(_) if controllers.reachable => Ok(Status::Phase(Phase::KraftBrokers)),
        Some(_) => Err("ZooKeeper's /migration has a KRaft offset and no broker is left, which is kraft-brokers or finalized, and no controller answered to tell them apart".into()),
    }
}

/// The JSON `migration status --format json` prints.
pub fn status_json(
    status: &Result<Status, String>,
    zk: Option<&ZkView>,
    c: &ControllersView,
) -> Value {
    let ids = |r: &[describe_quorum::Replica]| r.iter().map(|x| x.id).collect::<Vec<_>>();
    let q = c.quorum.as_ref();
    json!({
        "phase": status.as_ref().ok().map(|s| s.as_str()),
        "error": status.as_ref().err(),
        "zookeeper": zk.map(|z| json!({
            "brokers": z.brokers,
            "migration": z.migration,
            "controller": z.controller,
            "cluster_id": z.cluster_id,
        })),
        "controllers": {
            "reachable": c.reachable,
            "zk_migration_ready": c.zk_migration_ready,
            "leader": q.map(|q| q.leader_id),
            "high_watermark": q.map(|q| q.high_watermark),
            "voters": q.map(|q| ids(&q.voters)),
            "observers": q.map(|q| ids(&q.observers)),
        },
    })
}

/// The text form.
pub fn status_text(
    status: &Result<Status, String>,
    zk: Option<&ZkView>,
    c: &ControllersView,
) -> String {
    let mut out = match status {
        Ok(s) => format!("phase: {}\n", s.as_str()),
        Err(e) => format!("phase: unknown ({e})\n"),
    };
    match zk {
        Some(z) => out.push_str(&format!(
            "zookeeper: brokers {:?}; /migration {}; /controller {}\n",
            z.brokers,
            z.migration
                .as_ref()
                .map_or("absent".into(), Value::to_string),
            z.controller
                .as_ref()
                .map_or("absent".into(), Value::to_string),
        )),
        None => out.push_str("zookeeper: not read\n"),
    }
    match (&c.quorum, c.reachable) {
        (_, false) => out.push_str("controllers: none answered\n"),
        (q, true) => out.push_str(&format!(
            "controllers: zk_migration_ready {}; leader {}; voters {:?}; observers {:?}\n",
            c.zk_migration_ready,
            q.as_ref()
                .map_or("unknown".into(), |q| q.leader_id.to_string()),
            q.as_ref()
                .map(|q| q.voters.iter().map(|v| v.id).collect::<Vec<_>>())
                .unwrap_or_default(),
            q.as_ref()
                .map(|q| q.observers.iter().map(|v| v.id).collect::<Vec<_>>())
                .unwrap_or_default(),
        )),
    }
    out
}

/// `host:port` pairs.
type HostPorts = Vec<(String, u16)>;

/// Where `status` looks: ZooKeeper's connect string and the controllers.
fn targets(
    inputs: &Inputs,
    zookeeper: Option<String>,
    controllers: Option<Vec<(String, u16)>>,
) -> Result<(Option<String>, HostPorts)> {
    let settings = Settings::of(&inputs.vars);
    let (_, user) = super::peek_user_settings(inputs, &settings, None);
    let zk = zookeeper.or_else(|| user.get("zookeeper.connect").map(|u| u.value.clone()));
    if let Some(c) = controllers {
        return Ok((zk, c));
    }
    // The voters this pod knows; a ZooKeeper broker before dual write has
    // none in its Plan, so they are derived as dual write would.
    let mut plan = super::derive_to_read(inputs);
    if plan
        .as_ref()
        .map_or(true, |p| p.get("controller.quorum.voters").is_none())
    {
        let mut dual = inputs.clone();
        dual.vars
            .insert(VAR.into(), Phase::DualWrite.as_str().into());
        if settings.kafka_init_role.as_deref() != Some("controller") {
            plan = super::derive_to_read(&dual);
        }
    }
    let voters = plan
        .map_err(|p| anyhow!("cannot find the controllers from this pod's settings ({p}); pass --controllers HOST:PORT,..."))?
        .get("controller.quorum.voters")
        .map(|v| crate::kraft::parse_voters(v).unwrap_or_default())
        .unwrap_or_default();
    Ok((zk, voters.into_iter().map(|v| (v.host, v.port)).collect()))
}

/// Runs `migration status`: exit 0 when the phase could be told, 1 when not.
pub fn status(
    inputs: &Inputs,
    zookeeper: Option<String>,
    controllers: Option<Vec<(String, u16)>>,
    json_out: bool,
    timeout: Duration,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let (zk_connect, controllers) = targets(inputs, zookeeper, controllers)?;
    let zk = zk_connect
        .as_deref()
        .and_then(|c| match read_zookeeper(c, deadline) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!("ZooKeeper {c}: {e:#}");
                None
            }
        });
    let c = read_controllers(&controllers, deadline);
    let phase = phase_of(zk.as_ref(), &c);
    let out = if json_out {
        format!("{:#}\n", status_json(&phase, zk.as_ref(), &c))
    } else {
        status_text(&phase, zk.as_ref(), &c)
    };
    crate::output::stdout(&out);
    match phase {
        Ok(_) => Ok(()),
        Err(e) => Err(anyhow!("cannot tell the migration phase: {e}")),
    }
}

#[cfg(test)]
mod tests;
