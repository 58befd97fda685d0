//! Step: ZooKeeper or KRaft, and the KRaft role, from kafka-init's settings
//! and the user's `zookeeper.connect` / `process.roles`.

use super::builder::Builder;
use super::{Mode, Role};
use crate::listener;
use crate::settings::Settings;

/// The mode and the role; disagreements between the settings are problems.
pub(super) fn mode_and_role(b: &mut Builder, s: &Settings) -> (Mode, Role) {
    let mode = mode(b, s);
    let user_roles = b.user("process.roles").cloned();
    // Kafka 3.9 reads an empty process.roles as ZooKeeper mode (its default).
    let user_roles = user_roles.filter(|r| mode == Mode::KRaft || !r.value.trim().is_empty());
    if let (Mode::ZooKeeper, Some(r)) = (mode, &user_roles) {
        b.user_problem("process.roles", r, "process.roles is set, which selects KRaft, but zookeeper.connect selects ZooKeeper mode", "remove process.roles for ZooKeeper mode, or remove zookeeper.connect for KRaft");
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

/// `KAFKA_INIT_MODE`, else decided by `zookeeper.connect`.
fn mode(b: &mut Builder, s: &Settings) -> Mode {
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
        b.user_problem("zookeeper.connect", z, "zookeeper.connect is set but the mode is KRaft: a KRaft controller whose metadata log is empty and starts without zookeeper.metadata.migration.enable marks the cluster as created in KRaft, and no ZooKeeper migration can ever use it (only wiping its storage undoes that)", "to migrate this ZooKeeper cluster, set KAFKA_INIT_MIGRATION=controllers (see docs/guides/zookeeper-to-kraft.md); for a plain KRaft cluster remove the ZooKeeper connect setting; or set KAFKA_INIT_MODE=zookeeper");
    }
    mode
}
