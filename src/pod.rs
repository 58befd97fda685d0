//! The pod's identity: name, StatefulSet, ordinal and namespace, derived the
//! way Kubernetes names StatefulSet pods (`<statefulset>-<ordinal>`).

use crate::environment::Inputs;
use crate::problem::Problem;
use crate::settings::Settings;

/// Who this pod is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pod {
    /// Pod name, e.g. `kafka-2`.
    pub name: String,
    /// The StatefulSet, e.g. `kafka`.
    pub statefulset: String,
    /// The ordinal, e.g. 2.
    pub ordinal: u32,
    /// The namespace, e.g. `kafka`.
    pub namespace: String,
    /// The variable the pod name was read from (for messages).
    pub name_var: String,
}

/// True for an RFC 1123 DNS label, the form of StatefulSet, Service and namespace names.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Parses a decimal ordinal the way Kubernetes writes it: digits only, no sign, no leading zero.
pub fn parse_ordinal(s: &str) -> Option<u32> {
    let canonical = s == "0" || (!s.starts_with('0') && !s.is_empty());
    if !canonical || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Splits `<statefulset>-<ordinal>`.
pub fn split_name(name: &str) -> Option<(&str, u32)> {
    let (set, ordinal) = name.rsplit_once('-')?;
    if !is_dns_label(set) {
        return None;
    }
    Some((set, parse_ordinal(ordinal)?))
}

/// Derives the pod identity; every problem found is appended to `problems`.
pub fn identify(
    settings: &Settings,
    inputs: &Inputs,
    pod_override: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Pod {
    let (name, name_var) = match (pod_override, &settings.pod_name, &settings.hostname) {
        (Some(n), _, _) => (n.to_string(), "--pod"),
        (None, Some(n), _) => (n.clone(), "POD_NAME"),
        (None, None, Some(n)) => (n.clone(), "HOSTNAME"),
        (None, None, None) => (
            inputs.kernel_hostname.clone().unwrap_or_default(),
            "kernel hostname",
        ),
    };
    let namespace = settings
        .pod_namespace
        .clone()
        .or_else(|| inputs.service_account_namespace.clone())
        .unwrap_or_else(|| "default".to_string());
    if !is_dns_label(&namespace) {
        problems.push(Problem::new(
            "POD_NAMESPACE",
            &namespace,
            "a namespace must be a DNS label (lower-case letters, digits and '-', at most 63)",
            "set POD_NAMESPACE from the downward API: fieldRef metadata.namespace",
        ));
    }
    let mut pod = Pod {
        name: name.clone(),
        namespace,
        name_var: name_var.to_string(),
        ..Default::default()
    };
    match split_name(&name) {
        Some((set, ordinal)) if is_dns_label(&name) => {
            pod.statefulset = set.to_string();
            pod.ordinal = ordinal;
        }
        _ => problems.push(Problem::new(
            name_var,
            &name,
            "a StatefulSet pod is named <statefulset>-<ordinal> (a DNS label ending in '-' and a decimal ordinal)",
            "set POD_NAME from the downward API (fieldRef metadata.name); under hostNetwork HOSTNAME is the node's name",
        )),
    }
    if let Some(index) = &settings.pod_index {
        match parse_ordinal(index) {
            None => problems.push(Problem::new(
                "POD_INDEX",
                index,
                "the pod index must be a decimal ordinal",
                "set POD_INDEX from the downward API: fieldRef metadata.labels['apps.kubernetes.io/pod-index'], or unset it",
            )),
            Some(i) if !pod.statefulset.is_empty() && i != pod.ordinal => {
                problems.push(Problem::new(
                    "POD_INDEX",
                    index,
                    format!("the pod index disagrees with the ordinal {} of {}={}", pod.ordinal, name_var, name),
                    "set POD_NAME to metadata.name and POD_INDEX to the pod-index label of the same pod",
                ))
            }
            Some(i) => pod.ordinal = i,
        }
    }
    pod
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pairs: &[(&str, &str)], kernel: Option<&str>) -> (Pod, Vec<Problem>) {
        let mut inputs = Inputs::from_pairs(pairs.iter().copied());
        inputs.kernel_hostname = kernel.map(str::to_string);
        let settings = Settings::of(&inputs.vars);
        let mut problems = vec![];
        let pod = identify(&settings, &inputs, None, &mut problems);
        (pod, problems)
    }

    #[test]
    fn identity_table() {
        // (env, kernel hostname, statefulset, ordinal, namespace, problem var)
        type Env = &'static [(&'static str, &'static str)];
        type Case = (
            Env,
            Option<&'static str>,
            &'static str,
            u32,
            &'static str,
            Option<&'static str>,
        );
        let cases: &[Case] = &[
            (
                &[("POD_NAME", "kafka-2")],
                None,
                "kafka",
                2,
                "default",
                None,
            ),
            (
                &[("HOSTNAME", "kafka-0")],
                None,
                "kafka",
                0,
                "default",
                None,
            ),
            (&[], Some("my-kafka-11"), "my-kafka", 11, "default", None),
            (
                &[("POD_NAME", "kafka-1"), ("HOSTNAME", "node-7")],
                None,
                "kafka",
                1,
                "default",
                None,
            ),
            (
                &[("POD_NAME", "kafka-1"), ("POD_NAMESPACE", "kafka")],
                None,
                "kafka",
                1,
                "kafka",
                None,
            ),
            (
                &[("POD_NAME", "kafka-1"), ("POD_INDEX", "1")],
                None,
                "kafka",
                1,
                "default",
                None,
            ),
            (
                &[("POD_NAME", "kafka")],
                None,
                "",
                0,
                "default",
                Some("POD_NAME"),
            ),
            (
                &[("POD_NAME", "kafka-")],
                None,
                "",
                0,
                "default",
                Some("POD_NAME"),
            ),
            (
                &[("POD_NAME", "kafka-01")],
                None,
                "",
                0,
                "default",
                Some("POD_NAME"),
            ),
            (
                &[("POD_NAME", "kafka-x")],
                None,
                "",
                0,
                "default",
                Some("POD_NAME"),
            ),
            (
                &[("POD_NAME", "kafka--1")],
                None,
                "",
                0,
                "default",
                Some("POD_NAME"),
            ),
            (
                &[("POD_NAME", "-1")],
                None,
                "",
                0,
                "default",
                Some("POD_NAME"),
            ),
            (
                &[("POD_NAME", "Kafka-1")],
                None,
                "",
                0,
                "default",
                Some("POD_NAME"),
            ),
            (
                &[("POD_NAME", "kafka-99999999999")],
                None,
                "",
                0,
                "default",
                Some("POD_NAME"),
            ),
            (
                &[("POD_NAME", "kafka-1"), ("POD_INDEX", "2")],
                None,
                "kafka",
                1,
                "default",
                Some("POD_INDEX"),
            ),
            (
                &[("POD_NAME", "kafka-1"), ("POD_INDEX", "")],
                None,
                "kafka",
                1,
                "default",
                Some("POD_INDEX"),
            ),
            (
                &[("POD_NAME", "kafka-1"), ("POD_NAMESPACE", "Kafka_NS")],
                None,
                "kafka",
                1,
                "Kafka_NS",
                Some("POD_NAMESPACE"),
            ),
            (&[], None, "", 0, "default", Some("kernel hostname")),
        ];
        for (env, kernel, set, ordinal, ns, problem) in cases {
            let (pod, problems) = run(env, *kernel);
            assert_eq!(
                problems.first().map(|p| p.var.as_str()),
                *problem,
                "{env:?}"
            );
            if problem.is_none() || *problem == Some("POD_NAMESPACE") {
                assert_eq!(
                    (pod.statefulset.as_str(), pod.ordinal),
                    (*set, *ordinal),
                    "{env:?}"
                );
            }
            assert_eq!(pod.namespace, *ns, "{env:?}");
        }
    }
}
