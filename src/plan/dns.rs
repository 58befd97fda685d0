//! Step: the headless Service and the cluster domain that make the pods'
//! DNS names, `<pod>.<service>.<namespace>.svc.<domain>`.

use super::builder::Builder;
use crate::pod::{self, Pod};
use crate::settings::Settings;

/// The parts of a pod's DNS name that are the same for every pod.
pub(super) struct Dns {
    /// This StatefulSet's headless Service.
    pub(super) service: String,
    /// The namespace.
    pub(super) namespace: String,
    /// The cluster's DNS domain.
    pub(super) domain: String,
}

impl Dns {
    /// The DNS name of `pod_name` in this StatefulSet's Service.
    pub(super) fn fqdn(&self, pod_name: &str) -> String {
        self.fqdn_in(pod_name, &self.service)
    }

    /// The DNS name of `pod_name` in another headless Service of the namespace.
    pub(super) fn fqdn_in(&self, pod_name: &str, service: &str) -> String {
        format!(
            "{pod_name}.{service}.{}.svc.{}",
            self.namespace, self.domain
        )
    }
}

/// True for a DNS name: dot-separated DNS labels, at most 253 characters.
pub(super) fn is_dns_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(pod::is_dns_label)
}

/// A Kubernetes object name setting that must be a DNS label when set
/// (an empty value too: it would make `kafka-0..ns.svc` or no voters).
fn check_label(b: &mut Builder, var: &str, value: Option<&String>, what: &str, fix: &str) {
    if let Some(v) = value {
        if !pod::is_dns_label(v) {
            let rule = format!(
                "{what} must be a DNS label (lower-case letters, digits and '-', at most 63)"
            );
            b.bad_value(var, v, &rule, fix);
        }
    }
}

/// Reads and checks `KAFKA_INIT_SERVICE` and `KAFKA_INIT_CLUSTER_DOMAIN`,
/// and the controllers' names, which make DNS names too.
pub(super) fn names(b: &mut Builder, s: &Settings, pod: &Pod) -> Dns {
    check_label(
        b,
        "KAFKA_INIT_SERVICE",
        s.kafka_init_service.as_ref(),
        "a Service name",
        "set KAFKA_INIT_SERVICE to the StatefulSet's serviceName, or unset it when that is the StatefulSet's name",
    );
    check_label(
        b,
        "KAFKA_INIT_CONTROLLER_SERVICE",
        s.kafka_init_controller_service.as_ref(),
        "a Service name",
        "set the controllers' headless Service name, or unset it when that is the controller StatefulSet's name",
    );
    check_label(
        b,
        "KAFKA_INIT_CONTROLLER_STATEFULSET",
        s.kafka_init_controller_statefulset.as_ref(),
        "a StatefulSet name",
        "set the controllers' StatefulSet name (metadata.name), or unset it when this StatefulSet holds the controllers",
    );
    // Unset, the Service is the StatefulSet's name, which the pod name check covers.
    let service = s
        .kafka_init_service
        .clone()
        .unwrap_or_else(|| pod.statefulset.clone());
    let domain = s
        .kafka_init_cluster_domain
        .clone()
        .unwrap_or_else(|| "cluster.local".into());
    if !is_dns_name(&domain) {
        b.problem(
            "KAFKA_INIT_CLUSTER_DOMAIN",
            &domain,
            "the cluster domain must be a DNS name",
            "set the cluster's DNS domain (kubelet --cluster-domain), usually cluster.local",
        );
    }
    Dns {
        service,
        namespace: pod.namespace.clone(),
        domain,
    }
}
