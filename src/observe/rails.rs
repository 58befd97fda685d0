//! The guard rails of a migrating node's start, as pure functions of what
//! was observed ([`Facts`] → [`Verdict`]). They fail closed: a rail that
//! needs ZooKeeper and cannot read it refuses, with ZooKeeper's reason;
//! only "no ZooKeeper server answers at all" in phase `finalized` (the
//! operator's word that ZooKeeper is retired) counts as retired.

use std::path::Path;

use super::volume::{Record, StoredClusterId, METADATA_LOG, RECORD_FILE};
use super::zookeeper::ZkView;
use crate::plan::migration::{Phase, VAR};
use crate::problem::Problem;
use crate::zookeeper::{Failure, Why};

/// The override a controller's first start in `finalized` takes when
/// ZooKeeper cannot confirm that no broker is registered: named so that
/// nobody sets it by accident.
pub const UNSAFE_FINALIZE: &str = "KAFKA_INIT_UNSAFE_FINALIZE_WITHOUT_ZOOKEEPER";

/// What was observed before a migrating node's start.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The phase (`KAFKA_INIT_MIGRATION`).
    pub phase: Phase,
    /// This node is a controller (`KAFKA_INIT_ROLE=controller`).
    pub controller: bool,
    /// The user's `zookeeper.connect` and the variable that holds it.
    pub connect: Option<(&'a str, &'a str)>,
    /// What ZooKeeper said; `None` when it was not read.
    pub zk: Option<&'a Result<ZkView, Failure>>,
    /// This node's id, when the settings give one.
    pub own_id: Option<i64>,
    /// `KAFKA_INIT_CLUSTER_ID`, when set.
    pub cluster_id_set: Option<&'a str>,
    /// The cluster id of the node's own `meta.properties`.
    pub stored: Option<&'a StoredClusterId>,
    /// What kafka-init recorded on the node's volume at an earlier start.
    pub record: Option<&'a Record>,
    /// The node's metadata dir (where the record and the metadata log are).
    pub meta_dir: &'a Path,
    /// The metadata log there holds records (a quorum ran on this volume).
    pub metadata_log: bool,
    /// [`UNSAFE_FINALIZE`] is `true`.
    pub unsafe_finalize: bool,
}

/// A line to log with the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Logged at info.
    Info(String),
    /// Logged at warn.
    Warn(String),
}

/// The rails' verdict.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdict {
    /// Why the start is refused (empty: it may go on).
    pub problems: Vec<Problem>,
    /// What to record on the volume when the start goes on.
    pub record: Option<Record>,
    /// What to log.
    pub notes: Vec<Note>,
}

/// Whether the rails need ZooKeeper on this node: a migrating controller
/// always; a controller in `finalized` and a broker in `kraft-brokers` or
/// later until their volume records the confirmation.
pub fn needs_zookeeper(phase: Phase, controller: bool, record: Option<&Record>) -> bool {
    let confirmed = |p: Phase| record.is_some_and(|r| r.confirmed == p);
    if controller {
        phase.controllers_migrating() || !confirmed(Phase::Finalized)
    } else {
        phase.brokers_kraft() && !confirmed(Phase::KraftBrokers)
    }
}

/// The fix for ZooKeeper that could not be read, by reason.
fn fix_for(why: Why) -> &'static str {
    match why {
        Why::ConnectString => "set KAFKA_CFG_ZOOKEEPER_CONNECT to the brokers' value (host:port[,host:port...][/chroot])",
        Why::Resolution => "check that the connect string's host names resolve from this pod (the Service's name and namespace, e.g. zk-service.zk) and that it is the brokers' value",
        Why::Connection => "check that ZooKeeper runs and that nothing (a NetworkPolicy, a firewall) stops this pod from reaching its port",
        Why::Silent => "a server accepted the connection and said nothing: check that the port is ZooKeeper's client port (not TLS-only: kafka-init speaks plaintext) and that the server is not overloaded",
        Why::SessionClosed => "this ZooKeeper closes kafka-init's session: it requires SASL or TLS (kafka-init reads ZooKeeper plaintext and unauthenticated), or it is out of its quorum; give kafka-init a plaintext client port without required authentication, or restore the ensemble's quorum",
        Why::SessionRefused => "the server gives no session: check that the ensemble has a quorum (`echo srvr | nc HOST PORT`)",
        Why::Authentication => "the znodes' ACLs refuse an unauthenticated reader: kafka-init reads /cluster/id, /brokers/ids, /migration and /controller (and /brokers/ids/<id>); allow world read on them (setAcl PATH world:anyone:r plus the existing entries)",
        Why::Protocol => "this does not speak ZooKeeper's protocol as expected: check that the connect string names ZooKeeper's client port",
    }
}

/// The guard rails over what was observed (pure).
pub fn judge(f: &Facts) -> Verdict {
    let mut v = Verdict::default();
    let phase = f.phase;
    let (connect_var, connect) = f.connect.unwrap_or(("KAFKA_CFG_ZOOKEEPER_CONNECT", ""));
    match f.zk {
        None if needs_zookeeper(phase, f.controller, f.record) => {
            // Only a node without zookeeper.connect gets here (the Plan
            // reports a migrating controller without it).
            if !f.controller && phase == Phase::Finalized {
                v.notes.push(Note::Info("ZooKeeper retired: zookeeper.connect is not set, and phase finalized says the migration is over; starting as a KRaft broker".into()));
            } else if !f.controller {
                v.problems.push(Problem::new(VAR, phase.as_str(), format!("in phase {} this broker starts as a KRaft broker only once ZooKeeper's /migration says the controllers copied its metadata (or its volume records that it already ran as one), and zookeeper.connect is not set, so ZooKeeper cannot be asked", phase.as_str()), "keep KAFKA_CFG_ZOOKEEPER_CONNECT set on the brokers until the migration is finalized (kafka-init removes it from the KRaft broker's configuration)"));
            } else if !phase.controllers_migrating() {
                finalize_unconfirmed(f, &mut v, "zookeeper.connect is not set".into(), "set KAFKA_CFG_ZOOKEEPER_CONNECT on the controllers until one start in phase finalized has confirmed it");
            }
        }
        None => {}
        Some(Err(failure)) => unreadable(f, &mut v, connect_var, connect, failure),
        Some(Ok(zk)) => readable(f, &mut v, connect, zk),
    }
    if !v.problems.is_empty() {
        v.record = None;
    }
    v
}

/// ZooKeeper could not be read.
fn unreadable(f: &Facts, v: &mut Verdict, var: &str, connect: &str, failure: &Failure) {
    let phase = f.phase;
    let said = format!("ZooKeeper ({connect}) could not be read: {failure}");
    let fix = fix_for(failure.why);
    let retired = failure.why.nobody_there() && phase == Phase::Finalized;
    match (f.controller, phase.controllers_migrating()) {
        (true, true) => v.problems.push(Problem::new(var, connect, format!("in phase {} this controller runs with the migration flag and takes the cluster id from ZooKeeper /cluster/id, and its guard rails read /brokers/ids; {said}", phase.as_str()), fix)),
        (true, false) => finalize_unconfirmed(f, v, said, fix),
        (false, _) if retired => v.notes.push(Note::Info(format!("ZooKeeper retired: no server of {connect} answers ({failure}), and phase finalized says the migration is over; starting as a KRaft broker"))),
        (false, _) => v.problems.push(Problem::new(VAR, phase.as_str(), format!("in phase {} this broker starts as a KRaft broker only once ZooKeeper's /migration says the controllers copied its metadata (its volume has no {RECORD_FILE} record of an earlier KRaft start); {said}{}", phase.as_str(), if phase == Phase::Finalized && !failure.why.nobody_there() { " (a server answered, so ZooKeeper is not retired)" } else { "" }), fix)),
    }
}

/// A controller's first start in `finalized` without ZooKeeper's word.
fn finalize_unconfirmed(f: &Facts, v: &mut Verdict, said: String, fix: &str) {
    if f.unsafe_finalize {
        v.notes.push(Note::Warn(format!("{UNSAFE_FINALIZE}=true: finalizing without ZooKeeper's confirmation that no broker is registered ({said}); the operator has verified it by other means")));
        v.record = Some(Record {
            confirmed: Phase::Finalized,
            cluster_id: None,
            migration_czxid: None,
        });
        return;
    }
    v.problems.push(Problem::new(VAR, Phase::Finalized.as_str(), format!("the first start of a controller in phase finalized ends the migration for good (POST_MIGRATION), so it needs ZooKeeper to confirm that no broker is registered under /brokers/ids; {said}"), format!("{fix}. Once one start has confirmed it, the controller records it in {RECORD_FILE} on its volume and later starts do not need ZooKeeper. Only if you have verified by other means that every broker runs KRaft (`kafka-init migration status` said kraft-brokers), set {UNSAFE_FINALIZE}=true for this start")));
}

/// ZooKeeper answered.
fn readable(f: &Facts, v: &mut Verdict, connect: &str, zk: &ZkView) {
    let phase = f.phase;
    match (&zk.cluster_id, f.cluster_id_set) {
        (Some(id), Some(set)) if id != set.trim() => v.problems.push(Problem::new("KAFKA_INIT_CLUSTER_ID", set, format!("ZooKeeper ({connect}) /cluster/id is {id}, the cluster's id; a migration keeps it, so KAFKA_INIT_CLUSTER_ID must equal it"), format!("set KAFKA_INIT_CLUSTER_ID={id}, or unset it (a migrating controller reads it from ZooKeeper)"))),
        (None, _) if f.controller && phase.controllers_migrating() => v.problems.push(Problem::new(VAR, phase.as_str(), format!("ZooKeeper ({connect}) /cluster/id could not be read: the znode /cluster/id does not exist (missing znode), and a migrating controller formats its storage with the brokers' cluster id"), "use the brokers' zookeeper.connect, chroot included (is this the brokers' ZooKeeper and chroot?)")),
        _ => {}
    }
    if f.controller {
        if let (Some(id), Some(stored)) = (&zk.cluster_id, f.stored) {
            if &stored.id != id {
                v.problems.push(Problem::new(stored.path.display().to_string(), format!("cluster.id={}", stored.id), format!("this controller's volume was formatted for cluster {}, but ZooKeeper ({connect}) /cluster/id is {id}: the volume belongs to another migration attempt or another cluster (a Retain PersistentVolume kept after a rollback, or a claim bound to another cluster's volume); Kafka would stop with \"Invalid cluster.id\"", stored.id), "retire the old controller volume before this attempt: delete the PVC, clear the PV's spec.claimRef (or delete the PV) and empty its directory on the storage server (see the rollback guide); kafka-init never deletes or rewrites data"));
            }
        }
        if let Some(id) = f.own_id.filter(|id| zk.brokers.contains(id)) {
            v.problems.push(Problem::new("KAFKA_INIT_ID_OFFSET", id.to_string(), format!("this controller's node id {id} is a ZooKeeper broker's id (/brokers/ids in {connect}); controller ids must not collide with broker ids"), "give the controllers their own id range: KAFKA_INIT_ID_OFFSET=3000 on the controller StatefulSet and KAFKA_INIT_CONTROLLER_ID_OFFSET=3000 on the brokers"));
        }
        if phase.controllers_migrating() {
            attempt(f, v, connect, zk);
        } else {
            if zk.brokers.is_empty() {
                v.record = Some(Record {
                    confirmed: Phase::Finalized,
                    cluster_id: zk.cluster_id.clone(),
                    migration_czxid: None,
                });
            } else {
                v.problems.push(Problem::new(VAR, phase.as_str(), format!("ZooKeeper ({connect}) still lists brokers {:?} under /brokers/ids: brokers in ZooKeeper mode or dual write hold an ephemeral znode there, KRaft brokers never do. A controller that becomes active without the migration flag ends the migration for good (POST_MIGRATION), and these brokers could not follow", zk.brokers), "roll the brokers to KRaft first (KAFKA_INIT_MIGRATION=kraft-brokers on both StatefulSets) and wait until `kafka-init migration status` says kraft-brokers; only then set finalized"));
            }
        }
    } else if phase.brokers_kraft() {
        if zk.migrated() {
            v.record = Some(Record {
                confirmed: Phase::KraftBrokers,
                cluster_id: zk.cluster_id.clone(),
                migration_czxid: None,
            });
        } else {
            v.problems.push(Problem::new(VAR, phase.as_str(), format!("in phase {} this broker starts as a KRaft broker, which Apache allows only once the active controller has copied ZooKeeper's metadata into KRaft; ZooKeeper ({connect}) says: {}", phase.as_str(), zk.migration_said()), "keep the brokers in phase migration-mode until the active controller has logged \"Completed migration of metadata from ZooKeeper to KRaft\" and `kafka-init migration status` shows /migration with a kraft_metadata_offset; then set kraft-brokers"));
        }
    }
}

/// A migrating controller's volume must belong to this migration attempt.
/// An attempt is one incarnation of ZooKeeper's `/migration`: every
/// migrating controller creates it as it starts (KRaftMigrationDriver,
/// "Recovering migration state from ZK": getOrCreateMigrationRecoveryState),
/// a rollback deletes it (Apache: "run `get /migration` followed by `rmr
/// /migration` to clear the migration state from ZooKeeper. This will allow
/// you to re-attempt the migration"), and the next attempt's controllers
/// create a new one (a new czxid). A volume is of an earlier attempt when
/// its record names another `/migration` than ZooKeeper's, or when it has a
/// metadata log but ZooKeeper has no `/migration` at all. A volume with a
/// log but no czxid recorded (first started before `/migration` existed, by
/// an older kafka-init or another tool) passes while `/migration` exists:
/// that is every restart within an attempt, and refusing it would block one.
/// When the start goes on, the czxid is recorded.
fn attempt(f: &Facts, v: &mut Verdict, connect: &str, zk: &ZkView) {
    let recorded = f.record.and_then(|r| r.migration_czxid);
    let earlier = match (recorded, zk.migration_czxid) {
        (Some(ours), Some(now)) => ours != now,
        (Some(_), None) => true,
        (None, None) => f.metadata_log,
        (None, Some(_)) => false,
    };
    if !earlier {
        if let Some(now) = zk.migration_czxid {
            v.record = Some(Record {
                confirmed: f.phase,
                cluster_id: zk.cluster_id.clone(),
                migration_czxid: Some(now),
            });
        }
        return;
    }
    let dir = f.meta_dir.display();
    let (value, volume_says) = match recorded {
        Some(z) => (
            format!("migration.czxid={z:#x}"),
            format!("its {RECORD_FILE} says this controller ran with ZooKeeper's /migration created at zxid {z:#x}"),
        ),
        None => (
            format!("{METADATA_LOG} not empty"),
            format!("its metadata log ({dir}/{METADATA_LOG}) holds records, so a quorum ran on it with the migration flag, and every migrating controller creates /migration as it starts"),
        ),
    };
    let zk_says = match zk.migration_czxid {
        None => "has no /migration: it was deleted since (the rollback's `deleteall /migration`)"
            .to_string(),
        Some(z) => format!(
            "has /migration created at zxid {z:#x}, another attempt's: {}",
            zk.migration_said()
        ),
    };
    v.problems.push(Problem::new(dir.to_string(), value, format!("this controller's volume belongs to an earlier migration attempt: {volume_says}, but ZooKeeper ({connect}) {zk_says}. Apache's revert directions deprovision the KRaft controller quorum and clear /migration \"to re-attempt the migration\": a new attempt starts from freshly formatted controllers. This volume's metadata log holds the earlier attempt's migration, which Kafka would carry into this one (a controller that finds the migration done in its log but not in ZooKeeper stops migrating: \"KRaft controller indicates an active migration, but the ZK state does not\"; once ZooKeeper says done, it syncs its stale metadata into ZooKeeper)"), format!("retire the old controller volume before this attempt: delete the PVC, clear the PV's spec.claimRef (or delete the PV) and empty its directory on the storage server (meta.properties, {METADATA_LOG}, {RECORD_FILE}; see the rollback guide); kafka-init never deletes or rewrites data")));
}

#[cfg(test)]
mod tests;
