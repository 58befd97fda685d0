//! KRaft: roles, controller listeners, the quorum.

use super::Key;
use crate::catalog::{value, Value};
use crate::kraft;
use crate::listener::{self, Listener};
use crate::plan::Role;
use crate::problem::Problem;

/// The KRaft rules: roles, controller listeners against `listeners`, the quorum.
pub(super) fn kraft_rules(
    k: &Key,
    listeners: Option<&[Listener]>,
    advertised: Option<&[Listener]>,
    ctrl_names: &[&str],
    problems: &mut Vec<Problem>,
) {
    let plan = k.plan;
    roles_rules(k, ctrl_names, problems);
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
    kafka_18281(k, listeners, advertised, ctrl_names, problems);
    voter_rules(k, problems);
}

/// `process.roles` beyond its values (exactly `broker` / `controller`, and
/// from 4.2 no empty entry: the catalog's check; from 4.2 a repeat is
/// dropped in parsing, so the parsed roles hold none), and a controller
/// listener named twice.
fn roles_rules(k: &Key, ctrl_names: &[&str], problems: &mut Vec<Problem>) {
    if let Some(Value::List(roles)) = k.parsed("process.roles") {
        if roles.is_empty() {
            problems.push(k.problem("process.roles", "process.roles is empty: Kafka 3.9 reads that as ZooKeeper mode, 4.x refuses to start", "set KAFKA_INIT_ROLE to combined, broker or controller and remove process.roles"));
        }
        // KC 3.9:341, 4.0:237.
        if let Some(d) = duplicate(&roles) {
            problems.push(k.problem(
                "process.roles",
                format!(
                    "Duplicate role names found in `process.roles`: {} ({d} twice)",
                    roles.join(", ")
                ),
                "name each role once: broker, controller or broker,controller",
            ));
        }
    }
    // A name given twice: up to 4.1 a controller-only node fails KC
    // 4.0:967-970, which counts the names against the listeners; a broker
    // or combined node starts (3.9.0 and 3.9.2 run to "Kafka Server
    // started", checked with the real jars); 4.2+ parsing drops the repeat
    // (KIP-1161), so none is left here.
    if let Some(d) = duplicate(ctrl_names) {
        let refused = k.line() <= (4, 1) && k.plan.role == Role::Controller;
        if refused {
            problems.push(k.problem("controller.listener.names", format!("controller.listener.names names {d} twice, which Kafka {} does not start with{}", k.plan.kafka.version.name(), if k.plan.role == Role::Controller { " on a controller-only node (requirement failed: The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller)" } else { "" }), "name each controller listener once"));
        }
    }
    // The format step (StorageTool, 3.9): KRaft bootstraps metadata from
    // inter.broker.protocol.version, and refuses anything before 3.3-IV0.
    if let Some(ibp) = k.text("inter.broker.protocol.version") {
        let line = ibp
            .split(['.', '-'])
            .take(2)
            .map(str::parse::<u32>)
            .collect::<Result<Vec<_>, _>>();
        if matches!(line.as_deref(), Ok([major, minor]) if (*major, *minor) < (3, 3)) {
            problems.push(k.problem("inter.broker.protocol.version", format!("Bootstrap metadata.version before 3.3-IV0 are not supported (the storage format step refuses inter.broker.protocol.version {ibp} in KRaft)"), format!("set {} to 3.3 or later, or unset it for the version's own", k.setting("inter.broker.protocol.version"))));
        }
    }
    // KC 3.9: no control plane listener in KRaft.
    if k.value("control.plane.listener.name").is_some() {
        problems.push(k.problem(
            "control.plane.listener.name",
            "requirement failed: control.plane.listener.name is not supported in KRaft mode.",
            format!("remove {}", k.setting("control.plane.listener.name")),
        ));
    }
}

/// KAFKA-18281, on 3.9.0 only: an advertised controller entry is legal from
/// 3.9 on (KIP-853: the controller's own endpoint, kept out of what clients
/// see), but Kafka 3.9.0 falls back to `listeners` for a controller
/// listener it does not find advertised, and then refuses 0.0.0.0 (KC
/// 3.9:1017-1023); 3.9.1 and 4.0 bind it as a null host instead.
fn kafka_18281(
    k: &Key,
    listeners: Option<&[Listener]>,
    advertised: Option<&[Listener]>,
    ctrl_names: &[&str],
    problems: &mut Vec<Problem>,
) {
    if k.plan.kafka.version.name() == "3.9.0" && k.plan.role.is_controller() {
        let advertised = advertised.unwrap_or_default();
        for l in listeners.unwrap_or_default() {
            let ctrl = ctrl_names.contains(&l.name.as_str());
            if ctrl && l.host == "0.0.0.0" && !advertised.iter().any(|a| a.name == l.name) {
                problems.push(k.problem("listeners", format!("requirement failed: advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address. (Kafka 3.9.0 advertises the controller listener {} as bound, KAFKA-18281; the storage format step refuses it too)", l.name), format!("bind it without a host ({}://:{}), advertise it with a routable host, or run Kafka 3.9.1 or later", l.name, l.port)));
            }
        }
    }
}

/// The first entry of `list` that appears again.
fn duplicate<S: AsRef<str>>(list: &[S]) -> Option<&str> {
    list.iter()
        .enumerate()
        .find(|(i, x)| list[..*i].iter().any(|y| y.as_ref() == x.as_ref()))
        .map(|(_, x)| x.as_ref())
}

/// The quorum: KC 897-905, a static (voters) or dynamic (bootstrap
/// servers) quorum must be configured; the storage format step (StorageTool)
/// needs `--standalone`, `--initial-controllers` or
/// `--no-initial-controllers` on a controller without voters, and kafka-init
/// formats a static quorum only.
fn quorum_rules(k: &Key, problems: &mut Vec<Problem>) {
    let (voters, bootstrap) = (
        "controller.quorum.voters",
        "controller.quorum.bootstrap.servers",
    );
    let blank = |key: &str| k.value(key).is_none_or(|v| value::java_trim(v).is_empty());
    let set = |key: &str| k.value(key).is_some();
    if (set(voters) || set(bootstrap)) && blank(voters) && blank(bootstrap) {
        let key = if set(voters) { voters } else { bootstrap };
        problems.push(k.problem(key, "If using process.roles, either controller.quorum.bootstrap.servers must contain the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers.", format!("unset {key}: kafka-init then derives controller.quorum.voters")));
    }
    if k.plan.role.is_controller() && blank(voters) && !blank(bootstrap) {
        problems.push(k.problem(bootstrap, "controller.quorum.bootstrap.servers without controller.quorum.voters on a controller is a dynamic quorum (KIP-853): the storage format step then needs --standalone, --initial-controllers or --no-initial-controllers, and kafka-init formats a static quorum", "unset controller.quorum.bootstrap.servers and let kafka-init derive controller.quorum.voters, or set the voters yourself"));
    }
}

/// KC 920 / 942: this node is among the voters exactly when it is a controller.
fn voter_rules(k: &Key, problems: &mut Vec<Problem>) {
    quorum_rules(k, problems);
    let plan = k.plan;
    match k.value("controller.quorum.voters") {
        // Unset only when derivation could not build it, and then it has said
        // why; blank is quorum_rules' to report.
        None => {}
        Some(v) if value::java_trim(v).is_empty() => {}
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
