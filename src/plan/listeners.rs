//! Steps: the listeners a node binds, those it advertises, the security
//! protocol map that covers them, and the inter-broker listener. Each is a
//! pure function of its inputs (table tests below); [`derive`] writes their
//! results into the Plan, where the user's values always win.

use super::builder::Builder;
use super::external::External;
use super::{Mode, Role, CONTROLLER, EXTERNAL};
use crate::listener::{self, Listener, ProtocolMap};
use crate::settings::Settings;

/// The KRaft controller listener: its names (`controller.listener.names`),
/// the first of them, and the port kafka-init gives it.
pub struct Controller {
    /// Every controller listener name (empty in ZooKeeper mode unless the user set some).
    pub names: Vec<String>,
    /// The name kafka-init binds when it adds the controller listener.
    pub name: String,
    /// `KAFKA_INIT_CONTROLLER_PORT` (default 9093).
    pub port: u16,
}

impl Controller {
    /// Reads the controller listener's names and port.
    pub(super) fn from_settings(b: &mut Builder, s: &Settings, mode: Mode) -> Self {
        let port = b.port(
            "KAFKA_INIT_CONTROLLER_PORT",
            s.kafka_init_controller_port.as_ref(),
            9093,
        );
        Self::new(b.user_value("controller.listener.names"), mode, port)
    }

    /// The controller listener from the user's `controller.listener.names`.
    pub fn new(user_names: Option<&str>, mode: Mode, port: u16) -> Self {
        let names: Vec<String> = match user_names {
            Some(v) => v
                .split(',')
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect(),
            None if mode == Mode::KRaft => vec![CONTROLLER.to_string()],
            None => vec![],
        };
        let name = names
            .first()
            .cloned()
            .unwrap_or_else(|| CONTROLLER.to_string());
        Controller { names, name, port }
    }

    fn listener(&self) -> Listener {
        Listener {
            name: self.name.clone(),
            host: String::new(),
            port: self.port,
        }
    }
}

/// Derives the four listener keys; returns the bound listeners (None when
/// the user's `listeners` do not parse, which the rules report).
pub(super) fn derive(
    b: &mut Builder,
    mode: Mode,
    role: Role,
    ctrl: &Controller,
    external: Option<External>,
    pod_fqdn: &str,
) -> Option<Vec<Listener>> {
    let is_ctrl = |name: &str| mode == Mode::KRaft && ctrl.names.iter().any(|c| c == name);
    let user = b.user_value("listeners").map(listener::parse_list);
    let mut bound = bind(user, mode, role, ctrl);
    // The inter-broker listener is chosen among the user's broker listeners, before EXTERNAL is added.
    let candidates: Vec<String> = bound
        .iter()
        .flatten()
        .filter(|l| !is_ctrl(&l.name))
        .map(|l| l.name.clone())
        .collect();
    let derived_external = match (&external, bound.as_mut()) {
        (Some(e), Some(l)) => add_external(l, e.bind_port),
        _ => false,
    };
    let Some(l) = &bound else {
        return None;
    };
    b.complete("listeners", listener::format_list(l));
    let external_adv = external.and_then(|e| e.advertised);
    let user_adv = b
        .user_value("advertised.listeners")
        .map(listener::parse_list);
    if let Some(adv) = advertise(user_adv, l, &is_ctrl, external_adv.as_ref(), pod_fqdn) {
        if !adv.is_empty() {
            b.complete("advertised.listeners", listener::format_list(&adv));
        }
    }
    let mut names: Vec<String> = l.iter().map(|x| x.name.clone()).collect();
    if let Some(a) = b
        .entries
        .get("advertised.listeners")
        .and_then(|e| listener::parse_list(&e.value).ok())
    {
        names.extend(a.into_iter().map(|x| x.name));
    }
    if mode == Mode::KRaft {
        names.extend(ctrl.names.iter().cloned());
    }
    let user_map = b
        .user_value("listener.security.protocol.map")
        .map(listener::parse_map);
    if let Some(map) = complete_map(user_map, &names, &is_ctrl, derived_external) {
        b.complete("listener.security.protocol.map", listener::format_map(&map));
    }
    if role.is_broker()
        && b.user("inter.broker.listener.name").is_none()
        && b.user("security.inter.broker.protocol").is_none()
    {
        if let Some(one) = inter_broker(&candidates) {
            b.default("inter.broker.listener.name", one);
        }
    }
    bound
}

/// The listeners a node binds: the user's (None when they do not parse),
/// else the defaults of its mode and role; a controller always gets its
/// controller listener.
pub fn bind(
    user: Option<Result<Vec<Listener>, String>>,
    mode: Mode,
    role: Role,
    ctrl: &Controller,
) -> Option<Vec<Listener>> {
    let plain = Listener {
        name: "PLAINTEXT".into(),
        host: String::new(),
        port: 9092,
    };
    let mut l = match (user, mode, role) {
        (Some(Ok(l)), _, _) => l,
        (Some(Err(_)), _, _) => return None,
        (None, Mode::ZooKeeper, _) | (None, Mode::KRaft, Role::Broker) => vec![plain],
        (None, Mode::KRaft, Role::Combined) => vec![plain, ctrl.listener()],
        (None, Mode::KRaft, Role::Controller) => vec![ctrl.listener()],
    };
    if mode == Mode::KRaft && role.is_controller() && !l.iter().any(|x| x.name == ctrl.name) {
        l.push(ctrl.listener());
    }
    Some(l)
}

/// Adds the EXTERNAL listener unless the user bound one; true when added.
fn add_external(listeners: &mut Vec<Listener>, port: u16) -> bool {
    if listeners.iter().any(|x| x.name == EXTERNAL) {
        return false;
    }
    listeners.push(Listener {
        name: EXTERNAL.into(),
        host: String::new(),
        port,
    });
    true
}

/// The advertised listeners: the user's, plus every bound broker listener
/// the user did not advertise (or advertised with no host), at the pod's
/// DNS name; EXTERNAL at its external address. None when the user's do not parse.
pub fn advertise(
    user: Option<Result<Vec<Listener>, String>>,
    bound: &[Listener],
    is_ctrl: &dyn Fn(&str) -> bool,
    external: Option<&(String, u16)>,
    pod_fqdn: &str,
) -> Option<Vec<Listener>> {
    let mut adv = match user {
        Some(Ok(a)) => a,
        Some(Err(_)) => return None,
        None => vec![],
    };
    // Each name's first entry, by name: a scan per listener was quadratic.
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, a) in adv.iter().enumerate() {
        first.entry(a.name.clone()).or_insert(i);
    }
    for x in bound.iter().filter(|x| !is_ctrl(&x.name)) {
        let (host, port) = match (external, x.name == EXTERNAL) {
            (Some((h, p)), true) => (h.clone(), *p),
            _ => (pod_fqdn.to_string(), x.port),
        };
        match first.get(&x.name) {
            Some(&i) if adv[i].host.is_empty() => adv[i].host = host,
            Some(_) => {}
            None => {
                first.insert(x.name.clone(), adv.len());
                adv.push(Listener {
                    name: x.name.clone(),
                    host,
                    port,
                });
            }
        }
    }
    Some(adv)
}

/// The protocol map, completed for every name whose protocol is known:
/// controller listeners and a derived EXTERNAL are PLAINTEXT, other names
/// say their protocol or are left for the rules to report. None when the
/// user's map does not parse.
pub fn complete_map(
    user: Option<Result<ProtocolMap, String>>,
    names: &[String],
    is_ctrl: &dyn Fn(&str) -> bool,
    derived_external: bool,
) -> Option<ProtocolMap> {
    let mut map = match user {
        Some(Ok(m)) => m,
        Some(Err(_)) => return None,
        None => vec![],
    };
    for name in names {
        if map.iter().any(|(n, _)| n == name) {
            continue;
        }
        let proto = if is_ctrl(name) || (derived_external && name == EXTERNAL) {
            Some("PLAINTEXT")
        } else {
            listener::protocol_from_name(name)
        };
        if let Some(p) = proto {
            map.push((name.clone(), p.to_string()));
        }
    }
    Some(map)
}

/// The inter-broker listener when the user named none: the only broker listener.
pub fn inter_broker(candidates: &[String]) -> Option<String> {
    let mut c = candidates.to_vec();
    c.dedup();
    match c.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &str) -> Vec<Listener> {
        listener::parse_list(s).unwrap()
    }

    #[test]
    fn binds_the_defaults_of_each_mode_and_role_and_adds_the_controller() {
        let ctrl = Controller::new(None, Mode::KRaft, 9093);
        let zk = Controller::new(None, Mode::ZooKeeper, 9093);
        // (user's listeners, mode, role, controller, bound)
        type Case<'a> = (Option<&'a str>, Mode, Role, &'a Controller, Option<&'a str>);
        let cases: &[Case] = &[
            (
                None,
                Mode::ZooKeeper,
                Role::Combined,
                &zk,
                Some("PLAINTEXT://:9092"),
            ),
            (
                None,
                Mode::KRaft,
                Role::Combined,
                &ctrl,
                Some("PLAINTEXT://:9092,CONTROLLER://:9093"),
            ),
            (
                None,
                Mode::KRaft,
                Role::Broker,
                &ctrl,
                Some("PLAINTEXT://:9092"),
            ),
            (
                None,
                Mode::KRaft,
                Role::Controller,
                &ctrl,
                Some("CONTROLLER://:9093"),
            ),
            (
                Some("A://:1"),
                Mode::KRaft,
                Role::Combined,
                &ctrl,
                Some("A://:1,CONTROLLER://:9093"),
            ),
            (
                Some("A://:1"),
                Mode::KRaft,
                Role::Broker,
                &ctrl,
                Some("A://:1"),
            ),
            (
                Some("A://:1,CONTROLLER://:2"),
                Mode::KRaft,
                Role::Controller,
                &ctrl,
                Some("A://:1,CONTROLLER://:2"),
            ),
            (
                Some("A://:1"),
                Mode::ZooKeeper,
                Role::Combined,
                &zk,
                Some("A://:1"),
            ),
            (Some("A://:x"), Mode::ZooKeeper, Role::Combined, &zk, None),
        ];
        for (user, mode, role, c, want) in cases {
            let got = bind(user.map(listener::parse_list), *mode, *role, c);
            assert_eq!(
                got.map(|l| listener::format_list(&l)).as_deref(),
                *want,
                "{user:?} {mode:?} {role:?}"
            );
        }
        let own = Controller::new(Some(" C1 , C2"), Mode::KRaft, 19093);
        assert_eq!((own.names.len(), own.name.as_str()), (2, "C1"));
        assert!(Controller::new(None, Mode::ZooKeeper, 9093)
            .names
            .is_empty());
    }

    #[test]
    fn advertises_every_broker_listener_at_the_pods_name() {
        let fqdn = "kafka-1.kafka.ns.svc.cluster.local";
        let not_ctrl = |_: &str| false;
        let ctrl = |n: &str| n == "CONTROLLER";
        let ext = ("10.1.2.3".to_string(), 31091);
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            &'a dyn Fn(&str) -> bool,
            Option<&'a (String, u16)>,
            Option<&'a str>,
        );
        let cases: &[Case] = &[
            (
                "PLAINTEXT://:9092",
                None,
                &not_ctrl,
                None,
                Some("PLAINTEXT://kafka-1.kafka.ns.svc.cluster.local:9092"),
            ),
            (
                "PLAINTEXT://:9092",
                Some("PLAINTEXT://lb:1"),
                &not_ctrl,
                None,
                Some("PLAINTEXT://lb:1"),
            ),
            (
                "PLAINTEXT://:9092",
                Some("PLAINTEXT://:9092"),
                &not_ctrl,
                None,
                Some("PLAINTEXT://kafka-1.kafka.ns.svc.cluster.local:9092"),
            ),
            (
                "PLAINTEXT://:9092,CONTROLLER://:9093",
                None,
                &ctrl,
                None,
                Some("PLAINTEXT://kafka-1.kafka.ns.svc.cluster.local:9092"),
            ),
            ("CONTROLLER://:9093", None, &ctrl, None, Some("")),
            (
                "PLAINTEXT://:9092,EXTERNAL://:9094",
                None,
                &not_ctrl,
                Some(&ext),
                Some(
                    "PLAINTEXT://kafka-1.kafka.ns.svc.cluster.local:9092,EXTERNAL://10.1.2.3:31091",
                ),
            ),
            (
                "PLAINTEXT://:9092",
                Some("PLAINTEXT://a:1,"),
                &not_ctrl,
                None,
                Some("PLAINTEXT://a:1"),
            ),
            ("PLAINTEXT://:9092", Some("garbage"), &not_ctrl, None, None),
        ];
        for (bound, user, is_ctrl, ext, want) in cases {
            let got = advertise(
                user.map(listener::parse_list),
                &list(bound),
                *is_ctrl,
                *ext,
                fqdn,
            );
            assert_eq!(
                got.map(|a| listener::format_list(&a)).as_deref(),
                *want,
                "{bound} {user:?}"
            );
        }
    }

    #[test]
    fn completes_the_protocol_map_for_names_that_say_their_protocol() {
        let ctrl = |n: &str| n == "CONTROLLER";
        let names = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        let cases: &[(Option<&str>, &str, bool, Option<&str>)] = &[
            (None, "PLAINTEXT", false, Some("PLAINTEXT:PLAINTEXT")),
            (
                None,
                "PLAINTEXT_INTERNAL,SASL_SSL_EXTERNAL",
                false,
                Some("PLAINTEXT_INTERNAL:PLAINTEXT,SASL_SSL_EXTERNAL:SASL_SSL"),
            ),
            (
                Some("INTERNAL:PLAINTEXT"),
                "INTERNAL,SSL",
                false,
                Some("INTERNAL:PLAINTEXT,SSL:SSL"),
            ),
            (None, "INTERNAL", false, Some("")),
            (
                None,
                "PLAINTEXT,CONTROLLER",
                false,
                Some("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            ),
            (
                None,
                "PLAINTEXT,EXTERNAL",
                true,
                Some("PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT"),
            ),
            (
                None,
                "PLAINTEXT,EXTERNAL",
                false,
                Some("PLAINTEXT:PLAINTEXT"),
            ),
            (
                Some("EXTERNAL:SSL"),
                "PLAINTEXT,EXTERNAL",
                true,
                Some("EXTERNAL:SSL,PLAINTEXT:PLAINTEXT"),
            ),
            (Some("X"), "PLAINTEXT", false, None),
        ];
        for (user, n, derived_external, want) in cases {
            let got = complete_map(
                user.map(listener::parse_map),
                &names(n),
                &ctrl,
                *derived_external,
            );
            assert_eq!(
                got.map(|m| listener::format_map(&m)).as_deref(),
                *want,
                "{user:?} {n}"
            );
        }
    }

    #[test]
    fn the_only_broker_listener_is_the_inter_broker_listener() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(inter_broker(&s(&["A"])).as_deref(), Some("A"));
        assert_eq!(inter_broker(&s(&["A", "A"])).as_deref(), Some("A"));
        assert_eq!(inter_broker(&s(&["A", "B"])), None);
        assert_eq!(inter_broker(&s(&[])), None);
    }
}
