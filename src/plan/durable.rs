//! Step: the durable replication defaults, sized by the number of brokers.

use super::builder::Builder;
use super::Role;
use crate::settings::Settings;

/// `default.replication.factor` and friends, from `KAFKA_INIT_BROKER_REPLICAS`
/// or `KAFKA_INIT_REPLICAS`. A KRaft controller needs them too: it fills in
/// the replication factor (and, in 4.x, min.insync.replicas) of topics
/// created without one, from its own config, so a controller-only node must
/// be told how many brokers there are.
pub(super) fn defaults(b: &mut Builder, s: &Settings, role: Role) {
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
