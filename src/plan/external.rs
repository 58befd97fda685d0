//! Step: external access (`KAFKA_INIT_EXTERNAL_BASE_PORT`): the port the
//! EXTERNAL listener binds in the pod, and the host and node port it advertises.

use super::builder::Builder;
use crate::pod::Pod;
use crate::settings::Settings;

/// What the EXTERNAL listener binds and advertises.
pub(super) struct External {
    /// The port it binds in the pod.
    pub(super) bind_port: u16,
    /// The host and node port it advertises (None when they are broken, which is reported).
    pub(super) advertised: Option<(String, u16)>,
}

/// External access, when `KAFKA_INIT_EXTERNAL_BASE_PORT` is set.
pub(super) fn external(b: &mut Builder, s: &Settings, pod: &Pod) -> Option<External> {
    let v = s.kafka_init_external_base_port.as_ref()?;
    let base = b.number("KAFKA_INIT_EXTERNAL_BASE_PORT", Some(v), 0, 1, 65535);
    let bind_port = b.port(
        "KAFKA_INIT_EXTERNAL_PORT",
        s.kafka_init_external_port.as_ref(),
        9094,
    );
    let port = u64::from(base) + u64::from(pod.ordinal);
    if base != 0 && port > 65535 {
        b.problem(
            "KAFKA_INIT_EXTERNAL_BASE_PORT",
            &base.to_string(),
            format!(
                "base port {base} + ordinal {} = {port} is not a port (at most 65535)",
                pod.ordinal
            ),
            "lower KAFKA_INIT_EXTERNAL_BASE_PORT (node ports are 30000-32767 by default)",
        );
    }
    let host = host(b, s, pod);
    let advertised = (base != 0 && port <= 65535).then_some((host, port as u16));
    Some(External {
        bind_port,
        advertised,
    })
}

/// The advertised host: `KAFKA_INIT_EXTERNAL_HOST` with its placeholders replaced.
fn host(b: &mut Builder, s: &Settings, pod: &Pod) -> String {
    let template = s
        .kafka_init_external_host
        .clone()
        .unwrap_or_else(|| "{host_ip}".into());
    let mut host = template
        .replace("{pod}", &pod.name)
        .replace("{ordinal}", &pod.ordinal.to_string());
    if template.contains("{host_ip}") {
        let ip = s.host_ip.clone().unwrap_or_default();
        if ip.parse::<std::net::IpAddr>().is_err() {
            b.problem("HOST_IP", &ip, "the external listener advertises the node's address, and HOST_IP is not an IP address", "set HOST_IP from the downward API: fieldRef status.hostIP (or set KAFKA_INIT_EXTERNAL_HOST)");
        }
        host = host.replace("{host_ip}", &ip);
    }
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c))
    {
        b.problem(
            "KAFKA_INIT_EXTERNAL_HOST",
            &template,
            format!("the advertised external host '{host}' is not a host name or address"),
            "use a template such as {host_ip} or kafka-{ordinal}.example.com",
        );
    }
    host
}
