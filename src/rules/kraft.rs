//! KRaft: roles, controller listeners, the quorum.

use super::Key;
use crate::kraft;
use crate::listener::{self, Listener};
use crate::plan::Role;
use crate::problem::Problem;

pub(super) fn kraft_rules(
    k: &Key,
    listeners: Option<&[Listener]>,
    advertised: Option<&[Listener]>,
    ctrl_names: &[&str],
    problems: &mut Vec<Problem>,
) {
    let plan = k.plan;
    // KC 341 and ConfigDef: roles are exactly `broker` / `controller`.
    if let Some(r) = k.value("process.roles") {
        let roles = listener::split_csv(r);
        if roles.iter().any(|x| *x != "broker" && *x != "controller") || roles.is_empty() {
            problems.push(k.problem("process.roles", format!("Invalid value {r} for configuration process.roles: String must be one of: broker, controller"), "set KAFKA_INIT_ROLE to combined, broker or controller and remove process.roles"));
        }
    }
    let names: Vec<&str> = listeners
        .unwrap_or_default()
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    if ctrl_names.is_empty() {
        problems.push(k.problem(
            "controller.listener.names",
            "requirement failed: controller.listener.names must contain at least one value",
            "set controller.listener.names, e.g. CONTROLLER",
        ));
    }
    if ctrl_names
        .iter()
        .any(|c| !listener::is_listener_name(c.trim()))
    {
        problems.push(k.problem(
            "controller.listener.names",
            listener::LISTENER_NAME_RULE,
            "name the controller listener like the others, e.g. CONTROLLER",
        ));
    }
    if ctrl_names.iter().any(|c| *c != c.to_uppercase()) {
        problems.push(k.problem("controller.listener.names", "controller.listener.names is compared with upper-cased listener names, so it must be upper case", "write the controller listener name in upper case"));
    }
    if listeners.is_some() {
        match plan.role {
            // KC 945-949.
            Role::Broker => {
                if ctrl_names.iter().any(|c| names.contains(c)) {
                    problems.push(k.problem("listeners", "requirement failed: controller.listener.names must not contain a value appearing in the 'listeners' configuration when running KRaft with just the broker role", "remove the controller listener from a broker-only node's listeners"));
                }
            }
            // KC 923-931.
            Role::Combined | Role::Controller => {
                if !ctrl_names.iter().all(|c| names.contains(c)) {
                    problems.push(k.problem("listeners", "requirement failed: controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role", format!("add {}://:<port> to listeners", ctrl_names.first().unwrap_or(&"CONTROLLER"))));
                }
                // KC 967-970.
                if plan.role == Role::Controller && names.iter().any(|n| !ctrl_names.contains(n)) {
                    problems.push(k.problem("listeners", "requirement failed: The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller", "a controller-only node listens on its controller listener only"));
                }
            }
        }
    }
    // kafka-init's rule: brokers never advertise the controller listener (clients would be sent to it).
    if plan.role.is_broker() {
        if let Some(a) = advertised {
            if let Some(c) = a.iter().find(|x| ctrl_names.contains(&x.name.as_str())) {
                problems.push(k.problem(
                    "advertised.listeners",
                    format!(
                        "the controller listener {} is advertised to clients",
                        c.name
                    ),
                    "remove the controller listener from advertised.listeners",
                ));
            }
        }
    }
    voter_rules(k, problems);
}

/// KC 920 / 942: this node is among the voters exactly when it is a controller.
fn voter_rules(k: &Key, problems: &mut Vec<Problem>) {
    let plan = k.plan;
    match k.value("controller.quorum.voters") {
        // Unset only when derivation could not build it, and then it has said why.
        None => {}
        Some(v) => match kraft::parse_voters(v) {
            Err(e) => problems.push(k.problem(
                "controller.quorum.voters",
                e,
                "write {id}@{host}:{port} entries, or unset it and let kafka-init derive it",
            )),
            Ok(voters) => {
                let ids: Vec<String> = voters.iter().map(|x| x.id.to_string()).collect();
                let has = voters.iter().any(|x| x.id == i64::from(plan.id));
                if plan.role.is_controller() && !has {
                    problems.push(k.problem("controller.quorum.voters", format!("requirement failed: If process.roles contains the 'controller' role, the node id {} must be included in the set of voters controller.quorum.voters=Set({})", plan.id, ids.join(", ")), "check KAFKA_INIT_ID_OFFSET, KAFKA_INIT_CONTROLLER_ID_OFFSET and KAFKA_INIT_CONTROLLER_REPLICAS (the controllers' ids are offset + ordinal)"));
                }
                if plan.role == Role::Broker && has {
                    problems.push(k.problem("controller.quorum.voters", format!("requirement failed: If process.roles contains just the 'broker' role, the node id {} must not be included in the set of voters controller.quorum.voters=Set({})", plan.id, ids.join(", ")), "give brokers an id range apart from the controllers' (KAFKA_INIT_ID_OFFSET, e.g. 100)"));
                }
            }
        },
    }
}
