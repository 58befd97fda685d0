//! `kafka-init migration status`: where a ZooKeeper → KRaft migration
//! stands, from what ZooKeeper and the controllers say (read through
//! [`crate::observe`]). The verdict is a pure function of what was read
//! ([`phase_of`]), tested on captured answers.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use serde_json::{json, Value};

use crate::environment::Inputs;
use crate::observe::controllers::{self, ControllersView};
use crate::observe::zookeeper::{self as zk_observe, ZkView};
use crate::plan::migration::{Phase, VAR};
use crate::settings::Settings;
use crate::wire::describe_quorum;
use crate::zookeeper::Failure;

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
        Some(z) if !z.brokers.is_empty() => Ok(Status::Phase(Phase::MigrationMode)),
        Some(_) if controllers.reachable => Ok(Status::Phase(Phase::KraftBrokers)),
        Some(_) => Err("ZooKeeper's /migration has a KRaft offset and no broker is left, which is kraft-brokers or finalized, and no controller answered to tell them apart".into()),
    }
}

/// What `status` read: ZooKeeper's view, or why it was not read; the controllers'.
#[derive(Debug, Clone)]
pub struct Seen {
    /// ZooKeeper's view, or why it was not read.
    pub zk: Result<ZkView, String>,
    /// The controllers' view.
    pub controllers: ControllersView,
}

/// Whether a rollback to ZooKeeper is safe now: Apache's check in the 3.9
/// operations guide ("Reverting to ZooKeeper mode During the Migration",
/// kafka-site #860, 2026). Partition state znodes carry the KRaft controller
/// epoch during the migration, so the ZooKeeper-mode controller that takes
/// over after the rollback must start above it, or it fails every partition
/// state change ("it assumes another controller with a higher epoch exists").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollback {
    /// Safe now.
    Safe(String),
    /// Not safe now, or impossible.
    Unsafe(String),
    /// Cannot be told from what was read.
    Unknown(String),
}

/// The epochs the rollback check compares (pure, from what was read).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Epochs {
    /// ZooKeeper's `/controller_epoch`.
    pub zk: Option<i64>,
    /// `/migration`'s `kraft_controller_epoch`: the one Apache's check
    /// reads (`get /migration`); -1 (PRE_MIGRATION) counts as unknown.
    pub migration: Option<i64>,
    /// The KRaft quorum's leader epoch (DescribeQuorum): a leader elected
    /// since `/migration` was last written writes partition states with it.
    pub quorum: Option<i64>,
}

impl Epochs {
    /// From what `status` read.
    pub fn of(seen: &Seen) -> Epochs {
        let zk = seen.zk.as_ref().ok();
        Epochs {
            zk: zk.and_then(|z| z.controller_epoch),
            migration: zk
                .and_then(|z| z.migration.as_ref())
                .and_then(|m| m.get("kraft_controller_epoch"))
                .and_then(Value::as_i64)
                .filter(|e| *e >= 0),
            quorum: seen
                .controllers
                .quorum
                .as_ref()
                .map(|q| i64::from(q.leader_epoch)),
        }
    }

    /// The KRaft controller epoch ZooKeeper's must exceed: the higher of the
    /// two known (stricter than Apache's `/migration` alone, never looser).
    pub fn kraft(&self) -> Option<i64> {
        self.migration.max(self.quorum)
    }

    /// Where the KRaft epoch was read, for messages.
    fn kraft_said(&self) -> String {
        let mut said = vec![];
        if let Some(m) = self.migration {
            said.push(format!("/migration kraft_controller_epoch {m}"));
        }
        if let Some(q) = self.quorum {
            said.push(format!("KRaft quorum epoch {q}"));
        }
        said.join(", ")
    }
}

/// The rollback check (pure).
pub fn rollback(status: &Result<Status, String>, seen: &Seen) -> Rollback {
    match status {
        Ok(Status::Phase(Phase::Finalized)) => {
            return Rollback::Unsafe("impossible: the migration is finalized (POST_MIGRATION); there is no way back to ZooKeeper".into())
        }
        Ok(Status::ZooKeeper) => {
            return Rollback::Safe("nothing to roll back: no migration has started".into())
        }
        _ => {}
    }
    let e = Epochs::of(seen);
    match (e.zk, e.kraft()) {
        (Some(z), Some(k)) if z > k => Rollback::Safe(format!(
            "ZooKeeper /controller_epoch {z} > KRaft controller epoch {k} ({})",
            e.kraft_said()
        )),
        (Some(z), Some(k)) => Rollback::Unsafe(format!(
            "ZooKeeper /controller_epoch {z} is not greater than the KRaft controller epoch {k} ({}): \
             the ZooKeeper-mode controller elected after a rollback would fail to change partition states. \
             Apache's workaround, before deprovisioning the KRaft controller quorum: in zookeeper-shell.sh, \
             `set /controller_epoch {}` (any value above {k}), then check again; see docs/guides/rollback.md",
            e.kraft_said(),
            k + 1
        )),
        (None, _) => Rollback::Unknown(match &seen.zk {
            Ok(_) => "ZooKeeper has no /controller_epoch".into(),
            Err(why) => format!("ZooKeeper's /controller_epoch was not read ({why})"),
        }),
        (_, None) => Rollback::Unknown("the KRaft controller epoch is unknown: /migration has no kraft_controller_epoch and no controller answered DescribeQuorum as the leader".into()),
    }
}

/// The JSON `migration status --format json` prints.
pub fn status_json(status: &Result<Status, String>, seen: &Seen) -> Value {
    let ids = |r: &[describe_quorum::Replica]| r.iter().map(|x| x.id).collect::<Vec<_>>();
    let c = &seen.controllers;
    let q = c.quorum.as_ref();
    let zk = seen.zk.as_ref().ok();
    let (safe, why) = match rollback(status, seen) {
        Rollback::Safe(w) => (Some(true), w),
        Rollback::Unsafe(w) => (Some(false), w),
        Rollback::Unknown(w) => (None, w),
    };
    let epochs = Epochs::of(seen);
    json!({
        "phase": status.as_ref().ok().map(|s| s.as_str()),
        "error": status.as_ref().err(),
        "zookeeper": zk.map(|z| json!({
            "brokers": z.brokers,
            "migration": z.migration,
            "controller": z.controller,
            "controller_epoch": z.controller_epoch,
            "cluster_id": z.cluster_id,
        })),
        "zookeeper_error": seen.zk.as_ref().err(),
        "controllers": {
            "reachable": c.reachable,
            "zk_migration_ready": c.zk_migration_ready,
            "leader": q.map(|q| q.leader_id),
            "epoch": q.map(|q| q.leader_epoch),
            "high_watermark": q.map(|q| q.high_watermark),
            "voters": q.map(|q| ids(&q.voters)),
            "observers": q.map(|q| ids(&q.observers)),
            "unanswered": c.unanswered,
        },
        "rollback": {
            "safe": safe,
            "why": why,
            "zk_epoch": epochs.zk,
            "kraft_epoch": epochs.kraft(),
        },
    })
}

/// The text form.
pub fn status_text(status: &Result<Status, String>, seen: &Seen) -> String {
    let c = &seen.controllers;
    let mut out = match status {
        Ok(s) => format!("phase: {}\n", s.as_str()),
        Err(e) => format!("phase: unknown ({e})\n"),
    };
    match &seen.zk {
        Ok(z) => out.push_str(&format!(
            "zookeeper: brokers {:?}; /migration {}; /controller {}; /controller_epoch {}\n",
            z.brokers,
            z.migration
                .as_ref()
                .map_or("absent".into(), Value::to_string),
            z.controller
                .as_ref()
                .map_or("absent".into(), Value::to_string),
            z.controller_epoch
                .map_or("absent".into(), |e| e.to_string()),
        )),
        Err(why) => out.push_str(&format!("zookeeper: not read ({why})\n")),
    }
    match (&c.quorum, c.reachable) {
        (_, false) => out.push_str(&format!(
            "controllers: none answered ({})\n",
            if c.unanswered.is_empty() {
                "none known: pass --controllers HOST:PORT,...".to_string()
            } else {
                c.unanswered.join("; ")
            }
        )),
        (q, true) => out.push_str(&format!(
            "controllers: zk_migration_ready {}; leader {}; epoch {}; voters {:?}; observers {:?}\n",
            c.zk_migration_ready,
            q.as_ref()
                .map_or("unknown".into(), |q| q.leader_id.to_string()),
            q.as_ref()
                .map_or("unknown".into(), |q| q.leader_epoch.to_string()),
            q.as_ref()
                .map(|q| q.voters.iter().map(|v| v.id).collect::<Vec<_>>())
                .unwrap_or_default(),
            q.as_ref()
                .map(|q| q.observers.iter().map(|v| v.id).collect::<Vec<_>>())
                .unwrap_or_default(),
        )),
    }
    out.push_str(&match rollback(status, seen) {
        Rollback::Safe(w) => format!("rollback: safe now ({w})\n"),
        Rollback::Unsafe(w) => format!("rollback: NOT safe now ({w})\n"),
        Rollback::Unknown(w) => format!("rollback: unknown ({w})\n"),
    });
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
            .insert(VAR.into(), Phase::MigrationMode.as_str().into());
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
    let zk = match zk_connect.as_deref() {
        None => Err("no ZooKeeper connect string: this pod's settings have no zookeeper.connect; pass --zookeeper HOST:PORT[/chroot]".to_string()),
        Some(c) => zk_observe::read(c, deadline, true).map_err(|e: Failure| format!("{c}: {e}")),
    };
    if let Err(e) = &zk {
        tracing::warn!("ZooKeeper not read: {e}");
    }
    let seen = Seen {
        zk,
        controllers: controllers::read(&controllers, deadline),
    };
    let phase = phase_of(seen.zk.as_ref().ok(), &seen.controllers);
    let out = if json_out {
        format!("{:#}\n", status_json(&phase, &seen))
    } else {
        status_text(&phase, &seen)
    };
    crate::output::stdout(&out, "the migration status")?;
    match phase {
        Ok(_) => Ok(()),
        Err(e) => Err(anyhow!("cannot tell the migration phase: {e}")),
    }
}

#[cfg(test)]
mod tests;
