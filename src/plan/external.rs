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

/// External access, when `KAFKA_INIT_EXTERNAL_BASE_PORT` is set and the
/// node is a broker (`serves`). Otherwise the settings are unused, but a
/// value is checked wherever it is set: the host template without needing
/// `HOST_IP`, which is checked when set.
pub(super) fn external(b: &mut Builder, s: &Settings, pod: &Pod, serves: bool) -> Option<External> {
    let bind_port = b.port(
        "KAFKA_INIT_EXTERNAL_PORT",
        s.kafka_init_external_port.as_ref(),
        9094,
    );
    let given = s.kafka_init_external_base_port.as_ref();
    let base = b.number("KAFKA_INIT_EXTERNAL_BASE_PORT", given, 0, 1, 65535);
    if given.is_none() || !serves {
        if s.kafka_init_external_host.is_some() || s.host_ip.is_some() {
            host(b, s, pod, false);
        }
        return None;
    }
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
    node_port_range(b, s, pod, base);
    let host = host(b, s, pod, true);
    let advertised = (base != 0 && port <= 65535).then_some((host, port as u16));
    Some(External {
        bind_port,
        advertised,
    })
}

/// Kubernetes' default NodePort range (the API server's
/// `--service-node-port-range`), where the Service of broker N must put
/// base + N.
const NODE_PORTS: std::ops::RangeInclusive<u32> = 30000..=32767;

/// A base port inside the NodePort range must keep every broker's port in
/// it: the API server refuses a NodePort Service outside it, so broker N
/// would advertise a port no Service can open. Checked up to the largest
/// ordinal of `KAFKA_INIT_REPLICAS` (or this pod's, if larger), so the first
/// pod started already says what the last one would meet. A base outside
/// the range is taken to be no node port (a LoadBalancer, host ports, or a
/// cluster with another range) and left alone.
fn node_port_range(b: &mut Builder, s: &Settings, pod: &Pod, base: u32) {
    if !NODE_PORTS.contains(&base) {
        return;
    }
    // A bad KAFKA_INIT_REPLICAS is reported where it is parsed.
    let replicas = s
        .kafka_init_replicas
        .as_deref()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n >= 1);
    let last = replicas.map_or(0, |n| n - 1).max(pod.ordinal);
    let port = base + last;
    if port <= *NODE_PORTS.end() {
        return;
    }
    let counted = match replicas {
        Some(n) if n > pod.ordinal => format!("with KAFKA_INIT_REPLICAS={n} the last broker"),
        _ => "this broker".to_string(),
    };
    b.problem(
        "KAFKA_INIT_EXTERNAL_BASE_PORT",
        &base.to_string(),
        format!(
            "broker N advertises the node port {base} + N; {counted} ({}-{last}) would advertise {port}, outside the NodePort range {}-{}, which the API server refuses for its Service",
            pod.statefulset,
            NODE_PORTS.start(),
            NODE_PORTS.end()
        ),
        format!(
            "set KAFKA_INIT_EXTERNAL_BASE_PORT to at most {} (e.g. 31090) and each per-broker NodePort Service's nodePort to that base + N",
            NODE_PORTS.end() - last
        ),
    );
}

/// The advertised host: `KAFKA_INIT_EXTERNAL_HOST` with its placeholders
/// replaced. Unless it is `advertised`, an unset `HOST_IP` is not a problem.
fn host(b: &mut Builder, s: &Settings, pod: &Pod, advertised: bool) -> String {
    let template = s
        .kafka_init_external_host
        .clone()
        .unwrap_or_else(|| "{host_ip}".into());
    let mut host = template
        .replace("{pod}", &pod.name)
        .replace("{ordinal}", &pod.ordinal.to_string());
    let needs_ip = advertised && template.contains("{host_ip}");
    if needs_ip || s.host_ip.is_some() {
        let ip = s.host_ip.clone().unwrap_or_default();
        if ip.parse::<std::net::IpAddr>().is_err() {
            b.problem("HOST_IP", &ip, "HOST_IP is not an IP address (the external listener advertises the node's address from it)", "set HOST_IP from the downward API: fieldRef status.hostIP (or set KAFKA_INIT_EXTERNAL_HOST)");
        }
        host = host.replace("{host_ip}", &ip);
    }
    // Unused and without HOST_IP: the template's own characters are checked.
    host = host.replace("{host_ip}", "127.0.0.1");
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
