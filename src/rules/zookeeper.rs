//! ZooKeeper mode (Kafka 3.x).

use super::Key;
use crate::catalog::Value;
use crate::problem::Problem;

pub(super) fn zookeeper_rules(k: &Key, problems: &mut Vec<Problem>) {
    // KC 861.
    if k.value("zookeeper.connect")
        .is_none_or(|v| v.trim().is_empty())
    {
        problems.push(Problem::new("KAFKA_CFG_ZOOKEEPER_CONNECT", "", "Missing required configuration `zookeeper.connect` which has no default value.", "set KAFKA_CFG_ZOOKEEPER_CONNECT (e.g. zk-service.zk:32181), or use KRaft (KAFKA_INIT_MODE=kraft)"));
    }
    // KC 867: with broker.id.generation.enable (default) the id must be at
    // most reserved.broker.max.id (default 1000). Both parsed as Kafka does
    // (an INT; a BOOLEAN in any case): a value Kafka refuses is the catalog's
    // problem, and the defaults stand in for it here.
    let max = match k.parsed("reserved.broker.max.id") {
        Some(Value::Int(n)) => n,
        _ => 1000,
    };
    let generation = !matches!(
        k.parsed("broker.id.generation.enable"),
        Some(Value::Bool(false))
    );
    if generation && i64::from(k.plan.id) > max {
        problems.push(Problem::new("KAFKA_INIT_ID_OFFSET", k.plan.id.to_string(), format!("requirement failed: broker.id must be greater than or equal to -1 and not greater than reserved.broker.max.id ({max}); this pod's id is {}", k.plan.id), "lower KAFKA_INIT_ID_OFFSET, or raise reserved.broker.max.id"));
    }
    if let Some(raw) = k.value("zookeeper.connect") {
        if let Err(e) = connect_string(raw) {
            problems.push(k.problem(
                "zookeeper.connect",
                e,
                "write host:port[,host:port...][/chroot], e.g. zk-0.zk:2181,zk-1.zk:2181/kafka",
            ));
        }
    }
    // KC 3.9: the control plane listener is one of the map's, and not the
    // inter-broker one.
    if let Some(cp) = k
        .text("control.plane.listener.name")
        .map(|n| n.to_uppercase())
    {
        let in_map = k
            .value("listener.security.protocol.map")
            .and_then(|m| crate::listener::parse_map(m).ok())
            .is_some_and(|m| m.iter().any(|(n, _)| *n == cp));
        let inter_broker = k
            .text("inter.broker.listener.name")
            .map(|n| n.to_uppercase())
            .or_else(|| k.text("security.inter.broker.protocol"))
            .unwrap_or_else(|| "PLAINTEXT".into());
        if !in_map {
            problems.push(k.problem("control.plane.listener.name", format!("Listener with {cp} defined in control.plane.listener.name not found in listener.security.protocol.map."), format!("add {cp}:PLAINTEXT (or its protocol) to listener.security.protocol.map and {cp}://:<port> to listeners, or remove {}", k.setting("control.plane.listener.name"))));
        } else if cp == inter_broker {
            problems.push(k.problem("control.plane.listener.name", format!("requirement failed: control.plane.listener.name, when defined, should have a different value from the inter broker listener name. Currently they both have the value {cp}"), "give the control plane a listener of its own, or remove control.plane.listener.name"));
        }
    }
    // KC 997-999 (a migrating broker, with the flag, must have them).
    let migrating = k.value(crate::plan::migration::FLAG) == Some("true");
    if let Some(c) = k
        .value("controller.listener.names")
        .filter(|v| !v.is_empty() && !migrating)
    {
        problems.push(k.problem("controller.listener.names", format!("requirement failed: controller.listener.names must be empty when not running in KRaft mode: [{c}]"), "remove controller.listener.names in ZooKeeper mode"));
    }
}

/// ZooKeeper's `ConnectStringParser`: `host[:port][,host[:port]...][/chroot]`.
/// Each port is an `Integer.parseInt` (2181 when absent); the chroot, unless
/// it is `/`, must pass `PathUtils.validatePath`: no trailing `/`, no empty
/// node (`//`), no `.` or `..` node. ZooKeeper throws at the client's
/// construction, so the broker fails at start.
pub(super) fn connect_string(raw: &str) -> Result<(), String> {
    let (hosts, chroot) = match raw.find('/') {
        Some(i) => (&raw[..i], Some(&raw[i..])),
        None => (raw, None),
    };
    for host in hosts.split(',').map(str::trim).filter(|h| !h.is_empty()) {
        // The last ':' splits the port off, as ZooKeeper's parser does.
        if let Some((_, port)) = host.rsplit_once(':') {
            if port.parse::<i32>().is_err() {
                return Err(format!("zookeeper.connect: the port of {host} is not a number (java.lang.NumberFormatException: For input string: \"{port}\")"));
            }
        }
    }
    if let Some(c) = chroot.filter(|c| *c != "/") {
        let why = if c.ends_with('/') {
            Some("must not end with / character")
        } else if c.contains("//") {
            Some("empty node name specified")
        } else if c.split('/').any(|n| n == "." || n == "..") {
            Some("relative paths not allowed")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(format!("java.lang.IllegalArgumentException: Invalid path string \"{c}\" caused by {why} (zookeeper.connect's chroot)"));
        }
    }
    Ok(())
}
