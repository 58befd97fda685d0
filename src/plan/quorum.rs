//! Step (KRaft): `process.roles`, `controller.listener.names` and the static
//! quorum `controller.quorum.voters`, one voter per controller pod.

use super::builder::Builder;
use super::dns::Dns;
use super::listeners::Controller;
use super::Role;
use crate::pod::Pod;
use crate::settings::Settings;

/// Sets the KRaft keys; `port` is the controllers' port (this node's own, when it is one).
#[allow(clippy::too_many_arguments)]
pub(super) fn derive(
    b: &mut Builder,
    s: &Settings,
    pod: &Pod,
    dns: &Dns,
    role: Role,
    ctrl: &Controller,
    offset: u32,
    port: u16,
) {
    b.default("process.roles", role.process_roles());
    b.default("controller.listener.names", ctrl.names.join(","));
    if b.user("controller.quorum.voters").is_some()
        || b.user("controller.quorum.bootstrap.servers").is_some()
    {
        check_unused(b, s);
        return;
    }
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
        (None, true) => dns.service.clone(),
        (None, false) => ctrl_sts.clone(),
    };
    // Both names are checked with the other DNS names (`dns.rs`).
    let n = controllers(b, s, own);
    let ctrl_offset = b.number(
        "KAFKA_INIT_CONTROLLER_ID_OFFSET",
        s.kafka_init_controller_id_offset.as_ref(),
        if own { offset } else { 0 },
        0,
        MAX_ID_OFFSET,
    );
    if n > 0 && !ctrl_sts.is_empty() {
        let voters: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "{}@{}:{}",
                    u64::from(ctrl_offset) + u64::from(i),
                    dns.fqdn_in(&format!("{ctrl_sts}-{i}"), &ctrl_svc),
                    port
                )
            })
            .collect();
        b.default("controller.quorum.voters", voters.join(","));
    }
}

/// The most controllers kafka-init builds a quorum of.
const MAX_CONTROLLERS: u32 = 1000;
/// The highest controller id offset: ids stay below `i32::MAX`.
const MAX_ID_OFFSET: u32 = i32::MAX as u32 - MAX_CONTROLLERS;

/// The controllers' count and id offset where no quorum is built from them
/// (ZooKeeper mode, or voters the user wrote): unused, but a value is
/// checked wherever it is set.
pub(super) fn check_unused(b: &mut Builder, s: &Settings) {
    let replicas = s.kafka_init_controller_replicas.as_ref();
    b.number(
        "KAFKA_INIT_CONTROLLER_REPLICAS",
        replicas,
        1,
        1,
        MAX_CONTROLLERS,
    );
    let offset = s.kafka_init_controller_id_offset.as_ref();
    b.number(
        "KAFKA_INIT_CONTROLLER_ID_OFFSET",
        offset,
        0,
        0,
        MAX_ID_OFFSET,
    );
}

/// The number of controllers (0 when unknown, which is reported).
fn controllers(b: &mut Builder, s: &Settings, own: bool) -> u32 {
    let replicas = s.kafka_init_controller_replicas.as_ref().or(if own {
        s.kafka_init_replicas.as_ref()
    } else {
        None
    });
    match replicas {
        Some(v) => b.number(
            if s.kafka_init_controller_replicas.is_some() {
                "KAFKA_INIT_CONTROLLER_REPLICAS"
            } else {
                "KAFKA_INIT_REPLICAS"
            },
            Some(v),
            1,
            1,
            MAX_CONTROLLERS,
        ),
        None => {
            b.problem("KAFKA_INIT_CONTROLLER_REPLICAS", "", "KRaft needs the number of controllers to build controller.quorum.voters", "set KAFKA_INIT_CONTROLLER_REPLICAS (or KAFKA_INIT_REPLICAS in the combined role) to the controller StatefulSet's replicas");
            0
        }
    }
}
