//! ZooKeeper mode (Kafka 3.x).

use super::Key;
use crate::problem::Problem;

pub(super) fn zookeeper_rules(k: &Key, problems: &mut Vec<Problem>) {
    // KC 861.
    if k.value("zookeeper.connect")
        .is_none_or(|v| v.trim().is_empty())
    {
        problems.push(Problem::new("KAFKA_CFG_ZOOKEEPER_CONNECT", "", "Missing required configuration `zookeeper.connect` which has no default value.", "set KAFKA_CFG_ZOOKEEPER_CONNECT (e.g. zk-service.zk:32181), or use KRaft (KAFKA_INIT_MODE=kraft)"));
    }
    // KC 867: with broker.id.generation.enable (default) the id must be at most reserved.broker.max.id (default 1000).
    let max: i64 = k
        .value("reserved.broker.max.id")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1000);
    let generation = k
        .value("broker.id.generation.enable")
        .is_none_or(|v| v.trim() != "false");
    if generation && i64::from(k.plan.id) > max {
        problems.push(Problem::new("KAFKA_INIT_ID_OFFSET", k.plan.id.to_string(), format!("requirement failed: broker.id must be greater than or equal to -1 and not greater than reserved.broker.max.id ({max}); this pod's id is {}", k.plan.id), "lower KAFKA_INIT_ID_OFFSET, or raise reserved.broker.max.id"));
    }
    // KC 997-999.
    if let Some(c) = k
        .value("controller.listener.names")
        .filter(|v| !v.is_empty())
    {
        problems.push(k.problem("controller.listener.names", format!("requirement failed: controller.listener.names must be empty when not running in KRaft mode: [{c}]"), "remove controller.listener.names in ZooKeeper mode"));
    }
}
