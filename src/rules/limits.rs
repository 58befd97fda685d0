//! Bounds between keys that Kafka checks when it builds its configuration
//! (`KafkaConfig` and the sub-configs it builds), not in any one key's
//! validator: a value each validator accepts can still stop the start.
//! Found by the whole-start differential (tests/whole_start_differential.rs).
//! Kafka's wording is quoted; KC = KafkaConfig.validateValues (3.9, 4.0;
//! KafkaConfigValidator from 4.1), GCC = GroupCoordinatorConfig.

use super::Key;
use crate::catalog::Value;
use crate::listener;
use crate::plan::{Mode, Origin};
use crate::problem::Problem;

/// Appends a problem for every bound between keys the Plan breaks.
pub(super) fn limit_rules(k: &Key, problems: &mut Vec<Problem>) {
    log_rules(k, problems);
    replica_rules(k, problems);
    network_rules(k, problems);
    group_rules(k, problems);
    if k.plan.role.is_broker() {
        sasl_rules(k, problems);
    }
}

/// Of `keys`, the one the user set (a message names what they wrote), else
/// the first.
fn chosen<'a>(k: &Key, keys: &[&'a str]) -> &'a str {
    keys.iter()
        .find(|key| {
            matches!(
                k.origin(key),
                Some(Origin::User(_)) | Some(Origin::Completed(_))
            )
        })
        .copied()
        .unwrap_or(keys[0])
}

/// `key=value` pairs as Kafka sees them, set or default, for a rule's text.
fn values(k: &Key, keys: &[&str]) -> String {
    keys.iter()
        .map(|key| match k.number(key) {
            Some(n) => format!("{key}={n}"),
            None => format!("{key} unset"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn log_rules(k: &Key, problems: &mut Vec<Problem>) {
    // KC: log.retention.ms, else minutes, else hours; a negative result is
    // unlimited (-1); zero is refused.
    let retention = [
        ("log.retention.ms", 1),
        ("log.retention.minutes", 60_000),
        ("log.retention.hours", 3_600_000),
    ];
    let decided = retention
        .iter()
        .find(|(key, _)| k.value(key).is_some() || *key == "log.retention.hours");
    if let Some((key, scale)) = decided {
        if k.number(key).map(|n| n.saturating_mul(*scale)) == Some(0) {
            problems.push(k.problem(key, "requirement failed: log.retention.ms must be unlimited (-1) or, greater than or equal to 1 (log.retention.ms, else log.retention.minutes, else log.retention.hours, decides)", format!("set {} to 1 or more, or to -1 for unlimited retention", k.setting(key))));
        }
    }
    // KC: log.roll.ms (else log.roll.hours, whose validator says at least 1).
    if k.value("log.roll.ms").is_some() && k.number("log.roll.ms").is_some_and(|n| n < 1) {
        problems.push(k.problem(
            "log.roll.ms",
            "requirement failed: log.roll.ms must be greater than or equal to 1",
            format!(
                "set {} to 1 or more, or unset it for log.roll.hours (default 168)",
                k.setting("log.roll.ms")
            ),
        ));
    }
    if k.value("log.roll.jitter.ms").is_some()
        && k.number("log.roll.jitter.ms").is_some_and(|n| n < 0)
    {
        problems.push(k.problem(
            "log.roll.jitter.ms",
            "requirement failed: log.roll.jitter.ms must be greater than or equal to 0",
            format!("set {} to 0 or more", k.setting("log.roll.jitter.ms")),
        ));
    }
    // KC: dedupe buffer / threads > 1 MiB, an integer division, so zero
    // threads stop the start (ArithmeticException) even with the cleaner off.
    let (threads, buffer) = (
        k.number("log.cleaner.threads"),
        k.number("log.cleaner.dedupe.buffer.size"),
    );
    match (threads, buffer) {
        (Some(0), _) => problems.push(k.problem("log.cleaner.threads", "KafkaConfig divides log.cleaner.dedupe.buffer.size by log.cleaner.threads, so 0 threads stop the start (java.lang.ArithmeticException: / by zero), whether the cleaner is enabled or not", format!("set {} to 1 or more", k.setting("log.cleaner.threads")))),
        (Some(t), Some(b)) if t > 0 && b / t <= 1024 * 1024 => {
            let key = chosen(k, &["log.cleaner.dedupe.buffer.size", "log.cleaner.threads"]);
            problems.push(k.problem(key, format!("requirement failed: log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread. (more than 1048576 bytes per thread: {})", values(k, &["log.cleaner.dedupe.buffer.size", "log.cleaner.threads"])), format!("set {} to at least {} bytes, or use fewer cleaner threads", k.setting("log.cleaner.dedupe.buffer.size"), t * (1024 * 1024 + 1))));
        }
        _ => {}
    }
}

fn replica_rules(k: &Key, problems: &mut Vec<Problem>) {
    let wait = "replica.fetch.wait.max.ms";
    let n = |key| k.number(key);
    // KC: the fetch wait against the socket timeout and the ISR lag.
    for (other, rule) in [
        ("replica.socket.timeout.ms", "requirement failed: replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts"),
        ("replica.lag.time.max.ms", "requirement failed: replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR"),
    ] {
        if let (Some(w), Some(o)) = (n(wait), n(other)) {
            if w > o {
                let key = chosen(k, &[wait, other]);
                problems.push(k.problem(key, format!("{rule} ({})", values(k, &[wait, other])), format!("keep {} at most {}", k.setting(wait), other)));
            }
        }
    }
    // KC 3.9 (the key is gone in 4.0): acks within [-1, the offsets topic's
    // replication factor], which kafka-init may have derived.
    let (acks, rf) = (
        "offsets.commit.required.acks",
        "offsets.topic.replication.factor",
    );
    if let (Some(a), Some(r)) = (n(acks), n(rf)) {
        if a < -1 || a > r {
            problems.push(k.problem(acks, format!("offsets.commit.required.acks must be greater or equal to -1 and less or equal to offsets.topic.replication.factor ({})", values(k, &[acks, rf])), format!("set {} to -1 (all replicas) or a number up to {r}", k.setting(acks))));
        }
    }
}

fn network_rules(k: &Key, problems: &mut Vec<Problem>) {
    // KC: zero connections per IP only with per-IP exceptions.
    let overrides = k
        .value("max.connections.per.ip.overrides")
        .is_some_and(|v| !v.trim().is_empty());
    if k.number("max.connections.per.ip") == Some(0) && !overrides {
        problems.push(k.problem("max.connections.per.ip", "requirement failed: max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.", format!("set {} to 1 or more, or list the allowed hosts in max.connections.per.ip.overrides", k.setting("max.connections.per.ip"))));
    }
    // KC: a bounded request queue must hold the largest request.
    let (queued, socket) = ("queued.max.request.bytes", "socket.request.max.bytes");
    if let (Some(q), Some(s)) = (k.number(queued), k.number(socket)) {
        if q > 0 && q < s {
            let key = chosen(k, &[queued, socket]);
            problems.push(k.problem(key, format!("requirement failed: queued.max.request.bytes must be larger or equal to socket.request.max.bytes ({})", values(k, &[queued, socket])), format!("set {} to -1 (unbounded) or at least {s}", k.setting(queued))));
        }
    }
}

/// KC: a SASL inter-broker listener must enable the inter-broker mechanism
/// (`listener.name.<name>.sasl.enabled.mechanisms` before the global key).
fn sasl_rules(k: &Key, problems: &mut Vec<Problem>) {
    let name = k
        .text("inter.broker.listener.name")
        .map(|n| n.to_uppercase())
        .or_else(|| k.text("security.inter.broker.protocol"))
        .unwrap_or_else(|| "PLAINTEXT".into());
    let map = k
        .value("listener.security.protocol.map")
        .and_then(|m| listener::parse_map(m).ok())
        .unwrap_or_default();
    let protocol = map
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| p.clone())
        .unwrap_or_else(|| name.clone());
    if !protocol.starts_with("SASL_") {
        return;
    }
    let per_listener = format!(
        "listener.name.{}.sasl.enabled.mechanisms",
        name.to_lowercase()
    );
    let enabled_key = if k.value(&per_listener).is_some() {
        per_listener.as_str()
    } else {
        "sasl.enabled.mechanisms"
    };
    let enabled: Vec<String> = match k.value(enabled_key) {
        Some(v) => listener::split_csv(v)
            .into_iter()
            .map(str::to_string)
            .collect(),
        None => vec!["GSSAPI".into()],
    };
    let mechanism = k
        .text("sasl.mechanism.inter.broker.protocol")
        .unwrap_or_else(|| "GSSAPI".into());
    if !enabled.contains(&mechanism) {
        let key = chosen(k, &["sasl.mechanism.inter.broker.protocol", enabled_key]);
        problems.push(k.problem(key, format!("requirement failed: sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication (the inter-broker listener {name} is {protocol}; mechanism {mechanism}, enabled {})", enabled.join(",")), format!("add {mechanism} to {} or set {} to one of them", k.setting(enabled_key), k.setting("sasl.mechanism.inter.broker.protocol"))));
    }
}

/// GCC: the consumer group protocol's timeouts within their bounds, and the
/// classic protocol never off; 3.9 in ZooKeeper mode has no consumer protocol.
fn group_rules(k: &Key, problems: &mut Vec<Problem>) {
    for (key, min, max) in [
        (
            "group.consumer.heartbeat.interval.ms",
            "group.consumer.min.heartbeat.interval.ms",
            "group.consumer.max.heartbeat.interval.ms",
        ),
        (
            "group.consumer.session.timeout.ms",
            "group.consumer.min.session.timeout.ms",
            "group.consumer.max.session.timeout.ms",
        ),
    ] {
        let (Some(v), Some(lo), Some(hi)) = (k.number(key), k.number(min), k.number(max)) else {
            continue;
        };
        let broken = if v < lo {
            Some(format!("{key} must be greater than or equal to {min}"))
        } else if v > hi {
            Some(format!("{key} must be less than or equal to {max}"))
        } else {
            None
        };
        if let Some(rule) = broken {
            let chosen = chosen(k, &[key, min, max]);
            problems.push(k.problem(
                chosen,
                format!("{rule} ({})", values(k, &[key, min, max])),
                format!("keep {key} between {min} and {max}"),
            ));
        }
    }
    // 3.9 loads each consumer assignor as a class (GCC 3.9); 4.0 added the
    // short names `uniform` and `range`.
    let assignors = "group.consumer.assignors";
    if k.line() < (4, 0) {
        if let Some(Value::List(list)) = k.value(assignors).and_then(|_| k.parsed(assignors)) {
            if let Some(short) = list.iter().find(|a| !a.is_empty() && !a.contains('.')) {
                problems.push(k.problem(assignors, format!("Class {short} cannot be found (Kafka 3.9 takes class names only; the short names came in 4.0)"), format!("write class names in {}: org.apache.kafka.coordinator.group.assignor.UniformAssignor, org.apache.kafka.coordinator.group.assignor.RangeAssignor", k.setting(assignors))));
            }
        }
    }
    let protocols = "group.coordinator.rebalance.protocols";
    if let Some(Value::List(list)) = k.value(protocols).and_then(|_| k.parsed(protocols)) {
        let has = |p: &str| list.iter().any(|e| e.eq_ignore_ascii_case(p));
        if !has("classic") {
            problems.push(k.problem(
                protocols,
                "Disabling the 'classic' protocol is not supported.",
                format!("add classic to {}", k.setting(protocols)),
            ));
        } else if has("consumer") && k.plan.mode == Mode::ZooKeeper {
            problems.push(k.problem(
                protocols,
                "The new 'consumer' rebalance protocol is only supported in KRaft cluster.",
                format!(
                    "remove consumer from {}, or move to KRaft",
                    k.setting(protocols)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::{assert_versioned, Case, KRAFT};

    const ZK: &[(&str, &str)] = &[
        ("POD_NAME", "kafka-0"),
        ("KAFKA_INIT_REPLICAS", "3"),
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
    ];
    const SASL_MAP: (&str, &str) = (
        "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
        "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
    );

    /// Each bound on both sides, as the whole-start differential found
    /// Kafka's start-up draws it: (base, version, env, None = starts /
    /// Some(text of the problem)).
    #[test]
    fn bounds_between_keys_are_kafkas() {
        let cases: &[Case] = &[
            (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_RETENTION_HOURS", "0")], Some("log.retention.ms must be unlimited (-1)")),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_RETENTION_HOURS", "1")], None),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_RETENTION_MINUTES", "0")], Some("log.retention.ms must be unlimited (-1)")),
            // log.retention.ms decides over hours; any negative is unlimited.
            (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_RETENTION_MS", "-5"), ("KAFKA_CFG_LOG_RETENTION_HOURS", "0")], None),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_RETENTION_MS", "0")], Some("KAFKA_CFG_LOG_RETENTION_MS")),
            (KRAFT, "3.9.2", &[("KAFKA_CFG_LOG_ROLL_MS", "0")], Some("log.roll.ms must be greater than or equal to 1")),
            (KRAFT, "3.9.2", &[("KAFKA_CFG_LOG_ROLL_MS", "1")], None),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_CLEANER_THREADS", "0")], Some("/ by zero")),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_CLEANER_DEDUPE_BUFFER_SIZE", "1048576")], Some("at least 1MB per cleaner thread")),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_CLEANER_DEDUPE_BUFFER_SIZE", "1048577")], None),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_LOG_CLEANER_THREADS", "4"), ("KAFKA_CFG_LOG_CLEANER_DEDUPE_BUFFER_SIZE", "4194307")], Some("at least 4194308 bytes")),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_REPLICA_LAG_TIME_MAX_MS", "400")], Some("less than or equal to replica.lag.time.max.ms")),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_REPLICA_LAG_TIME_MAX_MS", "500")], None),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_REPLICA_FETCH_WAIT_MAX_MS", "30001")], Some("KAFKA_CFG_REPLICA_FETCH_WAIT_MAX_MS=\"30001\": requirement failed: replica.socket.timeout.ms should always be at least")),
            (ZK, "3.9.2", &[("KAFKA_CFG_OFFSETS_COMMIT_REQUIRED_ACKS", "4")], Some("less or equal to offsets.topic.replication.factor")),
            (ZK, "3.9.2", &[("KAFKA_CFG_OFFSETS_COMMIT_REQUIRED_ACKS", "3")], None),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_MAX_CONNECTIONS_PER_IP", "0")], Some("only if max.connections.per.ip.overrides")),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_MAX_CONNECTIONS_PER_IP", "0"), ("KAFKA_CFG_MAX_CONNECTIONS_PER_IP_OVERRIDES", "10.0.0.1:5")], None),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_QUEUED_MAX_REQUEST_BYTES", "1000")], Some("larger or equal to socket.request.max.bytes")),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_QUEUED_MAX_REQUEST_BYTES", "-1")], None),
            (KRAFT, "4.4.0", &[SASL_MAP, ("KAFKA_CFG_SASL_ENABLED_MECHANISMS", "PLAIN"), ("KAFKA_CFG_SASL_MECHANISM_INTER_BROKER_PROTOCOL", "SCRAM-SHA-256")], Some("must be included in sasl.enabled.mechanisms")),
            (KRAFT, "4.4.0", &[SASL_MAP, ("KAFKA_CFG_SASL_ENABLED_MECHANISMS", "PLAIN, SCRAM-SHA-256"), ("KAFKA_CFG_SASL_MECHANISM_INTER_BROKER_PROTOCOL", "SCRAM-SHA-256")], None),
            // A PLAINTEXT inter-broker listener uses no mechanism.
            (KRAFT, "4.4.0", &[("KAFKA_CFG_SASL_ENABLED_MECHANISMS", "PLAIN"), ("KAFKA_CFG_SASL_MECHANISM_INTER_BROKER_PROTOCOL", "SCRAM-SHA-256")], None),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS", "1000")], Some("greater than or equal to group.consumer.min.heartbeat.interval.ms")),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS", "5000")], None),
            (KRAFT, "3.9.2", &[("KAFKA_CFG_GROUP_CONSUMER_SESSION_TIMEOUT_MS", "60001")], Some("less than or equal to group.consumer.max.session.timeout.ms")),
            (KRAFT, "4.4.0", &[("KAFKA_CFG_GROUP_COORDINATOR_REBALANCE_PROTOCOLS", "consumer")], Some("Disabling the 'classic' protocol")),
            (KRAFT, "3.9.2", &[("KAFKA_CFG_GROUP_COORDINATOR_REBALANCE_PROTOCOLS", "classic,consumer")], None),
            (ZK, "3.9.2", &[("KAFKA_CFG_GROUP_COORDINATOR_REBALANCE_PROTOCOLS", "classic,consumer")], Some("only supported in KRaft")),
        ];
        assert_versioned(cases);
    }
}
