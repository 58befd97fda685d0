//! What replaces a removed key. The catalog diff says *that* a key was
//! removed and in which version; this table, the only hand-written part of
//! the catalog, says what to use instead, citing the KIP or ticket that
//! removed it (Kafka 4.0 upgrade notes).

/// `(key or prefix ending in '.', what replaces it)`.
const REPLACEMENTS: &[(&str, &str)] = &[
    ("zookeeper.", "KRaft: controller.quorum.voters or controller.quorum.bootstrap.servers, process.roles, node.id (KIP-500, KIP-866: migrate ZooKeeper to KRaft on 3.9 first)"),
    ("log.message.format.version", "nothing: brokers always write message format v2 (KIP-724)"),
    ("inter.broker.protocol.version", "the metadata.version feature (kafka-features.sh upgrade, KIP-778)"),
    ("log.message.timestamp.difference.max.ms", "log.message.timestamp.before.max.ms and log.message.timestamp.after.max.ms (KIP-937)"),
    ("log.message.downconversion.enable", "nothing: down-conversion is gone (KIP-896)"),
    ("offsets.commit.required.acks", "nothing: offsets are committed with acks=all (KIP-1041)"),
    ("auto.include.jmx.reporter", "metric.reporters=org.apache.kafka.common.metrics.JmxReporter (KIP-830)"),
    ("delegation.token.master.key", "delegation.token.secret.key (KIP-48)"),
    ("broker.id.generation.enable", "node.id (KIP-500: ids are never generated in KRaft)"),
    ("reserved.broker.max.id", "node.id (KIP-500: ids are never generated in KRaft)"),
    ("control.plane.listener.name", "controller.listener.names (KIP-500)"),
    ("controlled.shutdown.max.retries", "nothing: KRaft brokers shut down through the controller (KIP-500)"),
    ("controlled.shutdown.retry.backoff.ms", "nothing: KRaft brokers shut down through the controller (KIP-500)"),
    ("password.encoder.", "nothing: KRaft does not encrypt dynamic configs with a broker secret (KIP-500)"),
    ("eligible.leader.replicas.enable", "the eligible.leader.replicas.version feature (KIP-966, KAFKA-18062)"),
    ("remote.log.manager.thread.pool.size", "remote.log.manager.follower.thread.pool.size (its documentation, Kafka 4.2)"),
    ("broker.id", "node.id (KIP-1232)"),
];

/// What replaces `key`, if the table knows.
pub fn replacement(key: &str) -> Option<&'static str> {
    REPLACEMENTS.iter().find_map(|(k, r)| {
        let hit = if k.ends_with('.') {
            key.starts_with(k)
        } else {
            key == *k
        };
        hit.then_some(*r)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_what_replaces_the_keys_removed_in_4_0() {
        assert!(replacement("zookeeper.ssl.keystore.location")
            .unwrap()
            .contains("KRaft"));
        assert!(replacement("log.message.format.version")
            .unwrap()
            .contains("KIP-724"));
        assert_eq!(replacement("num.io.threads"), None);
    }
}
