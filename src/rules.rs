//! Kafka's own start-up rules for the keys kafka-init touches, applied to the
//! final Plan before anything runs. Each rule cites where Kafka enforces it
//! (3.9 line numbers; KC = core/.../server/KafkaConfig.scala, CU =
//! core/.../utils/CoreUtils.scala) and uses Kafka's wording where Kafka has one.

use crate::kraft;
use crate::listener::{self, Listener};
use crate::plan::{Mode, Origin, Plan, Role};
use crate::problem::Problem;
use crate::secret;

/// What a rule needs to know about one key of the Plan.
struct Key<'a> {
    plan: &'a Plan,
}

impl<'a> Key<'a> {
    fn value(&self, key: &str) -> Option<&'a str> {
        self.plan.get(key)
    }

    /// The variable to name in a message about `key`.
    fn var(&self, key: &str) -> String {
        let origin = self
            .plan
            .entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.origin);
        match origin {
            Some(Origin::User(v)) | Some(Origin::Completed(v)) => v.clone(),
            _ => format!("{} (derived)", (self.plan.flavor.var_for)(key)),
        }
    }

    fn shown(&self, key: &str) -> String {
        secret::shown(key, self.value(key).unwrap_or_default())
    }

    fn problem(&self, key: &str, rule: impl Into<String>, fix: impl Into<String>) -> Problem {
        Problem::new(self.var(key), self.shown(key), rule, fix)
    }
}

/// Appends every broken rule of `plan` to `problems`.
pub fn validate(plan: &Plan, problems: &mut Vec<Problem>) {
    let k = Key { plan };
    let listeners = parsed(&k, "listeners", problems);
    let advertised = parsed(&k, "advertised.listeners", problems);
    let map = match k
        .value("listener.security.protocol.map")
        .map(listener::parse_map)
    {
        Some(Err(e)) => {
            problems.push(k.problem(
                "listener.security.protocol.map",
                e,
                "write NAME:PROTOCOL pairs, protocols PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL",
            ));
            None
        }
        Some(Ok(m)) => Some(m),
        None => None,
    };
    let ctrl_names: Vec<&str> = k
        .value("controller.listener.names")
        .map(|v| v.split(',').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let is_ctrl = |n: &str| plan.mode == Mode::KRaft && ctrl_names.contains(&n);

    listener_rules(
        &k,
        listeners.as_deref(),
        advertised.as_deref(),
        map.as_ref(),
        &ctrl_names,
        problems,
    );
    if plan.role.is_broker() {
        broker_rules(
            &k,
            listeners.as_deref(),
            advertised.as_deref(),
            map.as_ref(),
            &is_ctrl,
            problems,
        );
    }
    match plan.mode {
        Mode::ZooKeeper => zookeeper_rules(&k, problems),
        Mode::KRaft => kraft_rules(
            &k,
            listeners.as_deref(),
            advertised.as_deref(),
            &ctrl_names,
            problems,
        ),
    }

    data_dir_rules(&k, problems);
    entry_rules(&k, problems);
}

/// True for a character `java.util.Properties.load` ends a key at (`=`,
/// `:`, space, tab, form feed) or ends a line at, or any other control character.
fn ends_a_key(c: char) -> bool {
    matches!(c, '=' | ':' | ' ' | '\t' | '\u{c}') || c.is_control()
}

/// Every key and value can be handed over intact: as a `server.properties`
/// line, an environment variable, a `plan --format env` line. A line break
/// in a value, or a separator in a key, would make Kafka read something else.
fn entry_rules(k: &Key, problems: &mut Vec<Problem>) {
    for e in &k.plan.entries {
        if e.key.is_empty() || e.key.chars().any(ends_a_key) {
            problems.push(k.problem(
                &e.key,
                format!("the key {:?} is empty or holds a character java.util.Properties reads as the end of a key or of a line ('=', ':', whitespace, control characters)", e.key),
                "rename the variable: Kafka keys are letters, digits, '.', '_' and '-'",
            ));
        }
        if e.value.contains(['\n', '\r']) {
            problems.push(k.problem(
                &e.key,
                format!("the value of {} holds a line break: server.properties and `plan --format env` would end the line there and read the rest as another setting", e.key),
                "write the value on one line (Kafka lists are comma-separated)",
            ));
        }
    }
}

/// Each list on its own, and the protocol map against every listener name.
fn listener_rules(
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
        for n in names {
            if !m.iter().any(|(mn, _)| mn == n) {
                problems.push(k.problem("listener.security.protocol.map", format!("No security protocol defined for listener {n} (its name does not say which protocol it uses)"), format!("add {n}:PLAINTEXT (or SSL, SASL_PLAINTEXT, SASL_SSL) to KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP")));
            }
        }
    }
}

/// Kafka accepts relative data dirs, but `prepare` must know exactly what it re-owns.
fn data_dir_rules(k: &Key, problems: &mut Vec<Problem>) {
    let plan = k.plan;
    for d in &plan.data_dirs {
        if !d.is_absolute() || d.components().any(|c| c == std::path::Component::ParentDir) {
            problems.push(k.problem(
                "log.dirs",
                format!(
                    "data dir {} must be an absolute path without '..'",
                    d.display()
                ),
                "set log.dirs to absolute paths on the data volume",
            ));
        }
    }
}

fn parsed(k: &Key, key: &str, problems: &mut Vec<Problem>) -> Option<Vec<Listener>> {
    match listener::parse_list(k.value(key)?) {
        Ok(l) => Some(l),
        Err(e) => {
            problems.push(k.problem(key, format!("Error creating broker listeners from '{}': {e}", k.shown(key)), "write NAME://host:port entries separated by commas, e.g. PLAINTEXT_INTERNAL://:39092; IPv6 hosts in brackets"));
            None
        }
    }
}

/// CU 164: `Each listener must have a different name`.
fn distinct_names(k: &Key, key: &str, l: &[Listener], problems: &mut Vec<Problem>) {
    let mut seen: Vec<&str> = vec![];
    for x in l {
        if seen.contains(&x.name.as_str()) {
            problems.push(k.problem(key, format!("requirement failed: Each listener must have a different name, listeners: {} (duplicate {})", k.shown(key), x.name), "give each listener its own name, e.g. PLAINTEXT_INTERNAL and EXTERNAL, and map each in listener.security.protocol.map"));
        }
        seen.push(&x.name);
    }
}

/// CU 152-205: `Each listener must have a different port` unless exactly one IPv4 and one IPv6 literal share it.
fn distinct_ports(k: &Key, l: &[Listener], problems: &mut Vec<Problem>) {
    let mut ports: Vec<u16> = l.iter().map(|x| x.port).collect();
    ports.sort_unstable();
    ports.dedup();
    for p in ports {
        let same: Vec<&Listener> = l.iter().filter(|x| x.port == p).collect();
        if same.len() < 2 {
            continue;
        }
        let v4 = same.iter().filter(|x| listener::is_ipv4(&x.host)).count();
        let v6 = same.iter().filter(|x| listener::is_ipv6(&x.host)).count();
        if !(same.len() == 2 && v4 == 1 && v6 == 1) {
            problems.push(k.problem("listeners", format!("requirement failed: Each listener must have a different port, listeners: {} (port {p})", k.shown("listeners")), "give each listener its own port"));
        }
    }
}

fn broker_rules(
    k: &Key,
    listeners: Option<&[Listener]>,
    advertised: Option<&[Listener]>,
    map: Option<&listener::ProtocolMap>,
    is_ctrl: &dyn Fn(&str) -> bool,
    problems: &mut Vec<Problem>,
) {
    let ibl = k.value("inter.broker.listener.name");
    let sibp = k.value("security.inter.broker.protocol");
    // KC 787: both keys present is an error, whatever their values.
    if ibl.is_some() && sibp.is_some() {
        problems.push(Problem::new(format!("{} / {}", k.var("inter.broker.listener.name"), k.var("security.inter.broker.protocol")), format!("{} / {}", k.shown("inter.broker.listener.name"), k.shown("security.inter.broker.protocol")), "Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.", "keep inter.broker.listener.name and remove security.inter.broker.protocol"));
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
            problems.push(Problem::new("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "", format!("there are several broker listeners ({}) and nothing says which one brokers use to talk to each other", names.join(", ")), format!("set KAFKA_CFG_INTER_BROKER_LISTENER_NAME to one of {}", names.join(", "))));
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
            problems.push(Problem::new(k.var(key), k.shown(key), format!("requirement failed: inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are {}", adv_names.join(",")), format!("set KAFKA_CFG_INTER_BROKER_LISTENER_NAME to one of {}", adv_names.join(", "))));
        } else if let Some(m) = map {
            if !m.iter().any(|(mn, _)| *mn == n) {
                problems.push(Problem::new(k.var(key), n.clone(), format!("Listener with name {n} defined in inter.broker.listener.name not found in listener.security.protocol.map."), format!("add {n}:<PROTOCOL> to KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP")));
            }
        }
    }
}

fn zookeeper_rules(k: &Key, problems: &mut Vec<Problem>) {
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
    // KC 997-999 (a migrating broker, with the flag, must have them).
    let migrating = k.value(crate::plan::migration::FLAG) == Some("true");
    if let Some(c) = k
        .value("controller.listener.names")
        .filter(|v| !v.is_empty() && !migrating)
    {
        problems.push(k.problem("controller.listener.names", format!("requirement failed: controller.listener.names must be empty when not running in KRaft mode: [{c}]"), "remove controller.listener.names in ZooKeeper mode"));
    }
}

fn kraft_rules(
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

#[cfg(test)]
mod tests {
    use crate::cmd::derive_for as derive;
    use crate::environment::Inputs;

    const ZK: &[(&str, &str)] = &[
        ("POD_NAME", "kafka-0"),
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
    ];

    /// Each rule on both sides of its line: (extra env, None = valid / Some(text of the broken rule)).
    #[test]
    fn rules_table() {
        type Env = &'static [(&'static str, &'static str)];
        let cases: &[(Env, Option<&str>)] = &[
            // CU 152-205: one IPv4 and one IPv6 literal may share a port; two of a kind may not.
            (
                &[
                    (
                        "KAFKA_CFG_LISTENERS",
                        "PLAINTEXT://127.0.0.1:9092,SSL://[::1]:9092",
                    ),
                    ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
                ],
                None,
            ),
            (
                &[
                    (
                        "KAFKA_CFG_LISTENERS",
                        "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.2:9092",
                    ),
                    ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
                ],
                Some("different port"),
            ),
            // KC 778: advertised.listeners may share ports, not names.
            (
                &[
                    ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,SSL://:9093"),
                    (
                        "KAFKA_CFG_ADVERTISED_LISTENERS",
                        "PLAINTEXT://lb:9000,SSL://lb:9000",
                    ),
                    ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
                ],
                None,
            ),
            (
                &[(
                    "KAFKA_CFG_ADVERTISED_LISTENERS",
                    "PLAINTEXT://a:9092,PLAINTEXT://b:9092",
                )],
                Some("different name"),
            ),
            // KC 787-792: security.inter.broker.protocol alone is fine; with the name it is not.
            (
                &[("KAFKA_CFG_SECURITY_INTER_BROKER_PROTOCOL", "PLAINTEXT")],
                None,
            ),
            (
                &[
                    ("KAFKA_CFG_SECURITY_INTER_BROKER_PROTOCOL", "PLAINTEXT"),
                    ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "PLAINTEXT"),
                ],
                Some("Only one of"),
            ),
            // KC 1007: the inter-broker listener must be advertised.
            (
                &[
                    ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,SSL://:9093"),
                    ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "ssl"),
                ],
                None,
            ),
            (
                &[("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "SSL")],
                Some("defined in advertised.listeners"),
            ),
            // KC 1017: no 0.0.0.0 advertised; binding it is fine.
            (&[("KAFKA_CFG_LISTENERS", "PLAINTEXT://0.0.0.0:9092")], None),
            (
                &[("KAFKA_CFG_ADVERTISED_LISTENERS", "PLAINTEXT://0.0.0.0:9092")],
                Some("0.0.0.0"),
            ),
            // KC 867: broker.id up to reserved.broker.max.id.
            (&[("KAFKA_INIT_ID_OFFSET", "1000")], None),
            (
                &[("KAFKA_INIT_ID_OFFSET", "1001")],
                Some("reserved.broker.max.id"),
            ),
            (
                &[
                    ("KAFKA_INIT_ID_OFFSET", "1001"),
                    ("KAFKA_CFG_RESERVED_BROKER_MAX_ID", "2000"),
                ],
                None,
            ),
            // KC 997: no controller listener names in ZooKeeper mode.
            (
                &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER")],
                Some("must be empty when not running in KRaft mode"),
            ),
            // Protocol map coverage: an explicit map replaces Kafka's default one.
            (
                &[(
                    "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                    "PLAINTEXT:PLAINTEXT",
                )],
                None,
            ),
            (
                &[
                    ("KAFKA_CFG_LISTENERS", "INTERNAL://:9092"),
                    ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "INTERNAL"),
                ],
                Some("No security protocol defined for listener INTERNAL"),
            ),
            (
                &[
                    ("KAFKA_CFG_LISTENERS", "INTERNAL://:9092"),
                    ("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "INTERNAL"),
                    ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:SSL"),
                ],
                None,
            ),
        ];
        for (extra, want) in cases {
            let mut env = ZK.to_vec();
            env.extend_from_slice(extra);
            let got = derive(&Inputs::from_pairs(env.iter().copied()), None, None);
            match (want, &got) {
                (None, Ok(_)) => {}
                (Some(text), Err(p)) => assert!(p.to_string().contains(text), "{extra:?}: {p}"),
                _ => panic!("{extra:?}: expected {want:?}, got {got:?}"),
            }
        }
    }
}
