//! The listener the probe talks to, chosen from a validated Plan.

use super::{Mode, Plan, ProbeTarget, Role, CONTROLLER};
use crate::listener::{self, Listener};

/// The inter-broker listener (a controller's controller listener), or
/// another PLAINTEXT listener of the same node; Err says why there is none.
pub fn probe_target(plan: &Plan) -> Result<ProbeTarget, String> {
    let listeners =
        listener::parse_list(plan.get("listeners").unwrap_or_default()).unwrap_or_default();
    let map = listener::parse_map(
        plan.get("listener.security.protocol.map")
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    let proto = |name: &str| map.iter().find(|(n, _)| n == name).map(|(_, p)| p.clone());
    let ctrl: Vec<&str> = plan
        .get("controller.listener.names")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .collect();
    let preferred = if plan.role == Role::Controller {
        ctrl.first()
            .filter(|c| !c.is_empty())
            .unwrap_or(&CONTROLLER)
            .to_string()
    } else {
        plan.get("inter.broker.listener.name")
            .or(plan.get("security.inter.broker.protocol"))
            .unwrap_or("PLAINTEXT")
            .to_uppercase()
    };
    let is_ctrl = |n: &str| plan.mode == Mode::KRaft && ctrl.contains(&n);
    let plaintext = |l: &&Listener| {
        (is_ctrl(&l.name) == (plan.role == Role::Controller))
            && proto(&l.name).as_deref() == Some("PLAINTEXT")
    };
    let first = listeners
        .iter()
        .filter(plaintext)
        .find(|l| l.name == preferred)
        .or_else(|| listeners.iter().find(plaintext))
        .cloned();
    let l = first.ok_or_else(|| {
        format!("the probe speaks PLAINTEXT only and listener {preferred} is {} with no PLAINTEXT listener beside it; use a tcpSocket probe or add a PLAINTEXT listener on loopback", proto(&preferred).unwrap_or_else(|| "unmapped".into()))
    })?;
    let host = match l.host.as_str() {
        "" | "0.0.0.0" => "127.0.0.1".to_string(),
        "::" => "::1".to_string(),
        h => h.to_string(),
    };
    Ok(ProbeTarget {
        listener: l.name,
        host,
        port: l.port,
    })
}
