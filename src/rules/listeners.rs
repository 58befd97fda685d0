//! Listener rules: each list on its own, the protocol map, and what a broker needs.

use super::Key;
use crate::catalog::Value;
use crate::listener::{self, Listener};
use crate::plan::{Mode, Origin, Role, EXTERNAL};
use std::collections::{BTreeMap, HashSet};

use crate::problem::{shortened, Problem, MAX_VALUE};

/// Each list on its own, and the protocol map against every listener name.
pub(super) fn listener_rules(
    k: &Key,
    listeners: Option<&[Listener]>,
    advertised: Option<&[Listener]>,
    map: Option<&listener::ProtocolMap>,
    ctrl_names: &[&str],
    problems: &mut Vec<Problem>,
) {
    if let Some(l) = listeners {
        distinct_names(k, "listeners", l, problems);
        distinct_ports(k, l, problems);
    }
    if let Some(a) = advertised {
        distinct_names(k, "advertised.listeners", a, problems);
        // KC 1017-1023: advertised.listeners cannot use the nonroutable meta-address 0.0.0.0.
        if a.iter().any(|x| x.host == "0.0.0.0") {
            problems.push(k.problem("advertised.listeners", "advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.", "remove the host (kafka-init then advertises the pod's DNS name) or advertise a routable address"));
        }
    }

    // SocketServerConfigs 219: every listener needs a protocol; an explicit map replaces Kafka's default map.
    if let (Some(l), Some(m)) = (listeners, map) {
        let mut names: Vec<&str> = l.iter().map(|x| x.name.as_str()).collect();
        names.extend(
            advertised
                .unwrap_or_default()
                .iter()
                .map(|x| x.name.as_str()),
        );
        names.extend(ctrl_names.iter().copied());
        names.sort_unstable();
        names.dedup();
        let mapped: HashSet<&str> = m.iter().map(|(mn, _)| mn.as_str()).collect();
        let missing: Vec<&str> = names.into_iter().filter(|n| !mapped.contains(n)).collect();
        // One problem for the map, however many names it lacks.
        if let [first, ..] = missing[..] {
            let s = if missing.len() > 1 { "s" } else { "" };
            problems.push(k.problem("listener.security.protocol.map", format!("No security protocol defined for listener{s} {} (a name that is not a protocol does not say which protocol it uses)", listener::few(&missing)), format!("add {first}:PLAINTEXT (or SSL, SASL_PLAINTEXT, SASL_SSL) to {}{}", k.setting("listener.security.protocol.map"), if missing.len() > 1 { ", and one entry for each other listener named" } else { "" })));
        }
    }
}

pub(super) fn parsed(k: &Key, key: &str, problems: &mut Vec<Problem>) -> Option<Vec<Listener>> {
    let raw = k.value(key)?;
    // 4.2+ parsing drops an entry written twice alike (KIP-1161): Kafka's
    // listeners are the rest (4.4.0 starts with PLAINTEXT://:9092 twice).
    let deduped = match k.parsed(key) {
        Some(Value::List(entries)) if k.line() >= (4, 2) => Some(entries.join(",")),
        _ => None,
    };
    match listener::parse_list(deduped.as_deref().unwrap_or(raw)) {
        Ok(l) => Some(l),
        Err(e) => {
            problems.push(k.problem(key, format!("Error creating broker listeners from '{}': {e}", shortened(&k.shown(key), MAX_VALUE)), "write NAME://host:port entries separated by commas, e.g. PLAINTEXT_INTERNAL://:39092; IPv6 hosts in brackets"));
            None
        }
    }
}

/// CU 164: `Each listener must have a different name`. One problem for
/// the list, naming every duplicate (a few, then how many more).
fn distinct_names(k: &Key, key: &str, l: &[Listener], problems: &mut Vec<Problem>) {
    let (mut seen, mut named) = (HashSet::new(), HashSet::new());
    let dups: Vec<&str> = l
        .iter()
        .map(|x| x.name.as_str())
        .filter(|n| !seen.insert(*n) && named.insert(*n))
        .collect();
    if !dups.is_empty() {
        problems.push(k.problem(key, format!("requirement failed: Each listener must have a different name, listeners: {} (duplicate {})", shortened(&k.shown(key), MAX_VALUE), listener::few(&dups)), "give each listener its own name, e.g. PLAINTEXT_INTERNAL and EXTERNAL, and map each in listener.security.protocol.map"));
    }
}

/// Kafka's words for two listeners on one port (CU 152-205); the Bitnami
/// image's own check leaves the clash to this rule when it already fired.
pub const DIFFERENT_PORTS: &str = "requirement failed: Each listener must have a different port";

/// CU 152-205: `Each listener must have a different port` unless exactly
/// one IPv4 and one IPv6 literal share it. One problem for the list.
fn distinct_ports(k: &Key, l: &[Listener], problems: &mut Vec<Problem>) {
    let mut by_port: BTreeMap<u16, Vec<&Listener>> = BTreeMap::new();
    for x in l {
        by_port.entry(x.port).or_default().push(x);
    }
    // The EXTERNAL listener kafka-init adds binds KAFKA_INIT_EXTERNAL_PORT:
    // a clash with it is that setting's, not a value the user never wrote.
    let added_external = !matches!(k.origin("listeners"), Some(Origin::User(_)));
    let mut clashes: Vec<String> = vec![];
    for (p, same) in by_port.iter().filter(|(_, same)| same.len() >= 2) {
        let v4 = same.iter().filter(|x| listener::is_ipv4(&x.host)).count();
        let v6 = same.iter().filter(|x| listener::is_ipv6(&x.host)).count();
        if same.len() == 2 && v4 == 1 && v6 == 1 {
            continue;
        }
        let external = same.iter().any(|x| x.name == EXTERNAL);
        if added_external && external {
            let others: Vec<&str> = same
                .iter()
                .filter(|x| x.name != EXTERNAL)
                .map(|x| x.name.as_str())
                .collect();
            problems.push(Problem::new("KAFKA_INIT_EXTERNAL_PORT", "", format!("{DIFFERENT_PORTS}: the EXTERNAL listener kafka-init adds for external access binds port {p} (KAFKA_INIT_EXTERNAL_PORT, default 9094), and so does listener {}", listener::few(&others)), "set KAFKA_INIT_EXTERNAL_PORT to a port no other listener binds (the node port is KAFKA_INIT_EXTERNAL_BASE_PORT + ordinal either way)"));
        } else {
            clashes.push(p.to_string());
        }
    }
    if !clashes.is_empty() {
        let clashes: Vec<&str> = clashes.iter().map(String::as_str).collect();
        problems.push(k.problem(
            "listeners",
            format!(
                "{DIFFERENT_PORTS}, listeners: {} (port {})",
                shortened(&k.shown("listeners"), MAX_VALUE),
                listener::few(&clashes)
            ),
            "give each listener its own port",
        ));
    }
}

/// KC 787: both inter-broker keys present is an error whatever their
/// values, for every role. On a controller-only node kafka-init refuses
/// either key (deliberately stricter: the node has no inter-broker
/// listener, so the key is a leftover of a broker's configuration); Kafka
/// 4.0 on refuses an explicit inter.broker.listener.name naming a
/// controller listener there (KC 4.0:702-707).
pub(super) fn inter_broker_rules(k: &Key, problems: &mut Vec<Problem>) {
    let (ibl, sibp) = (
        "inter.broker.listener.name",
        "security.inter.broker.protocol",
    );
    let (has_ibl, has_sibp) = (k.value(ibl).is_some(), k.value(sibp).is_some());
    if has_ibl && has_sibp {
        problems.push(Problem::new(format!("{} / {}", k.var(ibl), k.var(sibp)), format!("{} / {}", k.shown(ibl), k.shown(sibp)), "Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.", "keep inter.broker.listener.name and remove security.inter.broker.protocol"));
    }
    // A migrating controller needs the brokers' listener (KAFKA-16468).
    let migrating = k.value(crate::plan::migration::FLAG) == Some("true");
    if k.plan.mode == Mode::KRaft && k.plan.role == Role::Controller && !migrating {
        for key in [ibl, sibp].into_iter().filter(|key| k.value(key).is_some()) {
            problems.push(k.problem(key, format!("{key} is set on a controller-only node, which has no inter-broker listener (Kafka 4.0+ refuses it when it names a controller listener: controller.listener.names must not contain an explicitly set inter.broker.listener.name configuration value when process.roles=controller)"), format!("remove {key} from the controller StatefulSet; it belongs to the brokers")));
        }
    }
}

pub(super) fn broker_rules(
    k: &Key,
    listeners: Option<&[Listener]>,
    advertised: Option<&[Listener]>,
    map: Option<&listener::ProtocolMap>,
    is_ctrl: &dyn Fn(&str) -> bool,
    problems: &mut Vec<Problem>,
) {
    // Both are STRING keys: Kafka trims them (ConfigDef.parseType).
    let ibl = k.text("inter.broker.listener.name");
    let sibp = k.text("security.inter.broker.protocol");
    let (ibl, sibp) = (ibl.as_deref(), sibp.as_deref());
    // KC 933-935: a broker needs a listener that is not a controller listener.
    if let Some(l) = listeners {
        if l.iter().all(|x| is_ctrl(&x.name)) {
            problems.push(k.problem("listeners", "requirement failed: There must be at least one broker advertised listener. Perhaps all listeners appear in controller.listener.names?", "give the broker a listener of its own, e.g. PLAINTEXT://:9092, or unset listeners and let kafka-init derive them"));
            return;
        }
    }
    let broker_adv: Vec<&Listener> = advertised
        .unwrap_or_default()
        .iter()
        .filter(|a| !is_ctrl(&a.name))
        .collect();
    let adv_names: Vec<&str> = broker_adv.iter().map(|a| a.name.as_str()).collect();
    if let Some(l) = listeners {
        let names: Vec<&str> = l
            .iter()
            .filter(|x| !is_ctrl(&x.name))
            .map(|x| x.name.as_str())
            .collect();
        if ibl.is_none() && sibp.is_none() && names.len() > 1 {
            let var = k.setting("inter.broker.listener.name");
            problems.push(Problem::new(&var, "", format!("there are several broker listeners ({}) and nothing says which one brokers use to talk to each other", names.join(", ")), format!("set {var} to one of {}", names.join(", "))));
            return;
        }
        // KC 1010-1013: advertised names must be a subset of the listener names.
        for a in &adv_names {
            if !names.contains(a) {
                problems.push(k.problem("advertised.listeners", format!("requirement failed: advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found {}. The valid options based on the current configuration are {}", adv_names.join(","), names.join(",")), format!("remove {a} from advertised.listeners or add it to listeners")));
            }
        }
    }
    if advertised.is_some() && broker_adv.is_empty() {
        problems.push(k.problem(
            "advertised.listeners",
            "requirement failed: There must be at least one broker advertised listener.",
            "advertise at least one listener that is not a controller listener",
        ));
    }
    // KC 1007-1009 (seed failure 4): the inter-broker listener must be advertised.
    let name = ibl
        .map(str::to_uppercase)
        .or_else(|| Some(sibp.unwrap_or("PLAINTEXT").to_string()));
    if let (Some(n), Some(_)) = (name, advertised) {
        let key = if ibl.is_some() {
            "inter.broker.listener.name"
        } else {
            "security.inter.broker.protocol"
        };
        if !adv_names.contains(&n.as_str()) {
            problems.push(Problem::new(k.var(key), k.shown(key), format!("requirement failed: inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are {}", adv_names.join(",")), format!("set {} to one of {}", k.setting("inter.broker.listener.name"), adv_names.join(", "))));
        } else if let (Some(m), None) = (map, listeners) {
            // With listeners, their rule already names every advertised
            // listener the map lacks: one mistake, one problem.
            if !m.iter().any(|(mn, _)| *mn == n) {
                problems.push(Problem::new(k.var(key), n.clone(), format!("Listener with name {n} defined in inter.broker.listener.name not found in listener.security.protocol.map."), format!("add {n}:<PROTOCOL> to {}", k.setting("listener.security.protocol.map"))));
            }
        }
    }
}
