//! Observing the cluster to decide a start: ZooKeeper ([`zookeeper`]), the
//! KRaft controllers ([`controllers`]) and the node's own volume
//! ([`volume`]), judged by the migration's guard rails ([`rails`], pure).
//! One layer below the commands: `exec`, `plan`, `prepare` and `migration
//! status` use it alike, and it imports no command. Every observation that
//! can fail carries its reason (a [`crate::zookeeper::Failure`]), which is
//! what the fail-closed rails decide on.

pub mod controllers;
pub mod rails;
pub mod registration;
pub mod volume;
pub mod zookeeper;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::catalog;
use crate::environment::Inputs;
use crate::flavor::Flavor;
use crate::plan::migration::{Phase, Spelling, VAR};
use crate::plan::{FoundClusterId, UserSettings};
use crate::problem::Problem;
use crate::settings::Settings;
use rails::{Facts, Note};
use volume::{Record, StoredClusterId};

/// How long `exec`/`prepare`/`plan` wait for ZooKeeper on a migrating node.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// What was observed before a start, and what it decided.
#[derive(Debug, Default)]
pub struct Observation {
    /// The cluster id found in ZooKeeper (a controller's), for the Plan.
    pub found: Option<FoundClusterId>,
    /// The cluster ids the node's own dirs hold, for the Plan.
    pub stored: Vec<StoredClusterId>,
    /// The guard rails' problems (the start is refused when any).
    pub problems: Vec<Problem>,
    /// What to record on the volume once the start goes on (`exec` only):
    /// the dir, the record, the connect string it came from.
    pub record: Option<(PathBuf, Record, String)>,
}

impl Observation {
    /// Writes the record, if any (`exec`, just before Kafka starts). A
    /// failure is logged, not fatal: the next start then asks ZooKeeper again.
    pub fn record(&self) {
        let Some((dir, record, connect)) = &self.record else {
            return;
        };
        if volume::read_record(dir).as_ref() == Some(record) {
            return;
        }
        match volume::write_record(dir, record, connect) {
            Ok(path) => match record.migration_czxid {
                Some(z) => tracing::info!(path = %path.display(), migration_czxid = %format!("{z:#x}"), "recorded this migration attempt's /migration on the volume: a start on this volume in a later attempt is refused"),
                None => tracing::info!(path = %path.display(), confirmed = record.confirmed.as_str(), "recorded ZooKeeper's confirmation on the volume: later starts in this phase do not need ZooKeeper"),
            },
            Err(e) => tracing::warn!("could not record ZooKeeper's confirmation ({e:#}); the next start asks ZooKeeper again"),
        }
    }
}

/// Observes what a node's start depends on: the cluster ids its own dirs
/// hold (every node: an existing cluster's id comes from its volume), and
/// on a migrating node ZooKeeper (from the user's `zookeeper.connect`,
/// even in `finalized`, where the Plan drops it) when the rails need it,
/// judged by the rails. ZooKeeper is read only in a phase, and on a broker
/// only from `kraft-brokers` on.
pub fn observe(
    inputs: &Inputs,
    settings: &Settings,
    flavor: &dyn Flavor,
    user: &UserSettings,
) -> Observation {
    let spelled = settings
        .kafka_init_migration
        .as_deref()
        .and_then(Phase::parse_spelling);
    if let (Some((p, Spelling::Deprecated)), Some(v)) =
        (spelled, settings.kafka_init_migration.as_deref())
    {
        tracing::warn!(var = VAR, value = v.trim(), use_instead = p.as_str(), apache = p.apache(), "deprecated phase name: {} is Apache's name for the state after the brokers moved to KRaft, not for this step; set {VAR}={} (or Apache's {}) on both StatefulSets", v.trim(), p.as_str(), p.apache());
    }
    let phase = spelled.map(|(p, _)| p);
    let controller = settings.kafka_init_role.as_deref().map(str::trim) == Some("controller");
    let default_dir = flavor.facts().default_data_dir;
    let mut out = Observation {
        problems: version_rule(settings, inputs, phase),
        stored: volume::stored_cluster_ids(&volume::meta_dirs(user, default_dir)),
        ..Default::default()
    };
    let Some(phase) = phase else {
        return out;
    };
    if !controller && !phase.brokers_kraft() {
        return out;
    }
    let meta_dir = volume::metadata_dir(user, default_dir);
    let stored = out.stored.first().cloned();
    let record = volume::read_record(&meta_dir);
    let connect = user
        .get("zookeeper.connect")
        .map(|u| (u.var.as_str(), u.value.as_str()));
    if controller && phase.controllers_migrating() && connect.is_none() {
        return out; // The Plan reports a migrating controller without it.
    }
    let zk = match connect {
        Some((_, c)) if rails::needs_zookeeper(phase, controller, record.as_ref()) => {
            Some(zookeeper::read(c, Instant::now() + TIMEOUT, false))
        }
        _ => None,
    };
    let cluster_id_set = settings.kafka_init_cluster_id.as_deref();
    let verdict = rails::judge(&Facts {
        phase,
        controller,
        connect,
        zk: zk.as_ref(),
        own_id: own_id(settings, inputs),
        cluster_id_set,
        stored: stored.as_ref(),
        record: record.as_ref(),
        meta_dir: &meta_dir,
        metadata_log: volume::metadata_log_written(&meta_dir),
        unsafe_finalize: settings
            .kafka_init_unsafe_finalize_without_zookeeper
            .as_deref()
            .map(str::trim)
            == Some("true"),
    });
    for note in &verdict.notes {
        match note {
            Note::Info(m) => tracing::info!("{m}"),
            Note::Warn(m) => tracing::warn!("{m}"),
        }
    }
    out.problems.extend(verdict.problems);
    out.record = verdict
        .record
        .map(|r| (meta_dir, r, connect.map_or("", |(_, c)| c).to_string()));
    // ZooKeeper's cluster id for a controller's Plan when no id is set (a
    // set one was compared with it above). The volume's ids go to the Plan
    // as they are: it decides between them (crate::plan's cluster_id step).
    if controller && cluster_id_set.is_none() {
        out.found = zk.as_ref().and_then(|r| r.as_ref().ok()).and_then(|v| {
            let id = v.cluster_id.clone()?;
            Some(FoundClusterId {
                from: format!("ZooKeeper /cluster/id ({})", connect.map_or("", |(_, c)| c)),
                id: Ok(id),
            })
        });
    }
    out
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

#[cfg(test)]
mod tests;
