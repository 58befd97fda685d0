//! A ZooKeeper-mode broker's own registration left by its previous run.
//!
//! A broker registers as the ephemeral znode `/brokers/ids/<id>`, which
//! lives as long as its ZooKeeper session: after a broker is killed
//! (SIGKILL at the end of a pod's grace period) the znode stays until the
//! session times out (`zookeeper.session.timeout.ms`, 18 s by default). A
//! new Kafka started meanwhile dies at registration (`NodeExistsException`
//! in `registerBroker`) and the kubelet's back-off follows. So before exec,
//! kafka-init waits, bounded and logged, for such a znode to go.

use std::time::{Duration, Instant};

use crate::plan::{Mode, Plan};
use crate::zookeeper::{Answer, Client, Failure};

/// Kafka's `zookeeper.session.timeout.ms` default.
const DEFAULT_SESSION_TIMEOUT_MS: u64 = 18_000;
/// Beyond the session timeout: ZooKeeper expires sessions on its tick
/// (`tickTime`, 2 s by default), plus time for our own reads.
const MARGIN: Duration = Duration::from_secs(5);
/// How long the first look may take.
const LOOK_TIMEOUT: Duration = Duration::from_secs(5);
/// Between two looks.
const POLL: Duration = Duration::from_millis(500);

/// How long to wait for a stale registration (pure): the broker's session
/// timeout (the previous run's, as configured) plus [`MARGIN`].
pub fn bound(session_timeout_ms: Option<&str>) -> Duration {
    let ms = session_timeout_ms
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_SESSION_TIMEOUT_MS);
    Duration::from_millis(ms) + MARGIN
}

/// What the wait found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No registration of this id (the usual start).
    Absent,
    /// A registration was there and went away.
    Gone {
        /// The session that held it.
        owner: i64,
        /// How long the wait took.
        waited: Duration,
    },
    /// A persistent znode (not ephemeral): no session will remove it.
    Persistent,
    /// Still there at the bound: a live session holds it.
    StillThere {
        /// The session that holds it.
        owner: i64,
    },
    /// ZooKeeper could not be read: Kafka will say what it finds itself.
    Unread(Failure),
}

/// Before a ZooKeeper-mode broker's exec: waits for a stale registration
/// of its own id to go, logging at the start and the end. Never refuses:
/// past the bound, Kafka is started and reports the clash itself.
pub fn await_own(plan: &Plan) -> Outcome {
    if plan.mode != Mode::ZooKeeper {
        return Outcome::Absent;
    }
    let Some(connect) = plan.get("zookeeper.connect") else {
        return Outcome::Absent;
    };
    let id = plan.id;
    let bound = bound(plan.get("zookeeper.session.timeout.ms"));
    let outcome = wait(connect, i64::from(id), bound);
    let znode = format!("/brokers/ids/{id}");
    match &outcome {
        Outcome::Absent => {}
        Outcome::Gone { owner, waited } => tracing::info!(znode, session = %format_args!("0x{owner:x}"), waited_ms = waited.as_millis() as u64, "the previous run's registration expired; starting Kafka"),
        Outcome::Persistent => tracing::warn!(znode, "a persistent znode (not ephemeral) holds this broker's id: no session will remove it, and Kafka will stop with NodeExistsException; delete it in ZooKeeper (deleteall {znode}) if no broker runs with this id"),
        Outcome::StillThere { owner } => tracing::warn!(znode, session = %format_args!("0x{owner:x}"), bound_ms = bound.as_millis() as u64, "the registration of this broker id outlived the session timeout: a live session holds it, so another broker runs with this id (or its pod is still stopping); starting Kafka, which reports the clash"),
        Outcome::Unread(f) => tracing::debug!(znode, reason = %f, "ZooKeeper not read for a stale registration; Kafka connects to it itself"),
    }
    outcome
}

/// The wait itself: one session, a look every [`POLL`] until the znode is
/// gone or `bound` has passed.
pub fn wait(connect: &str, id: i64, bound: Duration) -> Outcome {
    let start = Instant::now();
    let path = format!("/brokers/ids/{id}");
    let mut zk = match Client::connect(connect, start + LOOK_TIMEOUT) {
        Ok(zk) => zk,
        Err(f) => return Outcome::Unread(f),
    };
    let owner = match zk.get_znode(&path) {
        Ok(Answer::NoNode) => {
            zk.close();
            return Outcome::Absent;
        }
        Ok(Answer::Found(z)) if z.ephemeral_owner == 0 => {
            zk.close();
            return Outcome::Persistent;
        }
        Ok(Answer::Found(z)) => {
            let registered = String::from_utf8_lossy(&z.data).into_owned();
            tracing::info!(znode = %path, session = %format_args!("0x{:x}", z.ephemeral_owner), registered, bound_ms = bound.as_millis() as u64, "a registration of this broker id from an earlier run is still in ZooKeeper (its session outlives a killed broker until it times out); waiting for it to expire before starting Kafka");
            z.ephemeral_owner
        }
        Err(f) => return Outcome::Unread(f),
    };
    zk.close();
    loop {
        if start.elapsed() >= bound {
            return Outcome::StillThere { owner };
        }
        std::thread::sleep(POLL);
        // A session per look: ours must not expire meanwhile either.
        let look = Client::connect(connect, Instant::now() + LOOK_TIMEOUT).and_then(|mut zk| {
            let a = zk.get_znode(&path);
            zk.close();
            a
        });
        match look {
            Ok(Answer::NoNode) => {
                return Outcome::Gone {
                    owner,
                    waited: start.elapsed(),
                }
            }
            Ok(Answer::Found(z)) if z.ephemeral_owner != owner => {
                // Another session registered this id meanwhile: not stale.
                return Outcome::StillThere {
                    owner: z.ephemeral_owner,
                };
            }
            Ok(Answer::Found(_)) => {}
            Err(f) => return Outcome::Unread(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_bounded_by_the_session_timeout_and_a_margin() {
        let cases: &[(Option<&str>, u64)] = &[
            (None, 23_000),
            (Some("18000"), 23_000),
            (Some(" 6000 "), 11_000),
            (Some("not a number"), 23_000),
        ];
        for (v, ms) in cases {
            assert_eq!(bound(*v), Duration::from_millis(*ms), "{v:?}");
        }
    }
}
