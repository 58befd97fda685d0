//! Renderers of one Plan: the environment a flavor's image reads, a
//! `server.properties` file, and JSON for `plan --format json`.

use std::collections::BTreeMap;

use crate::aliases;
use crate::plan::{Flavor, Origin, Plan};

const REDACTED: &str = "<redacted>";

fn shown(key: &str, value: &str, redact: bool) -> String {
    if redact && aliases::is_secret(key) {
        REDACTED.into()
    } else {
        value.to_string()
    }
}

/// The variables `exec` adds to (or overrides in) the environment: every
/// derived or completed key, in the flavor's naming, sorted by name.
/// `base` is the environment as read, so Bitnami aliases that would win over
/// the `KAFKA_CFG_` name inside the image are overridden too.
pub fn exported(plan: &Plan, base: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let changed = plan
        .entries
        .iter()
        .filter(|e| !matches!(e.origin, Origin::User(_)));
    match plan.flavor {
        Flavor::Bitnami | Flavor::Properties => {
            for e in changed {
                let var = aliases::bitnami_var(&e.key);
                for alias in aliases::bitnami_aliases(&var) {
                    if base.contains_key(&alias) {
                        out.insert(alias, e.value.clone());
                    }
                }
                out.insert(var, e.value.clone());
            }
        }
        Flavor::Apache => {
            for e in changed {
                out.insert(aliases::apache_var(&e.key), e.value.clone());
            }
        }
    }
    if let (Some(id), Some(var)) = (&plan.cluster_id, plan.flavor.cluster_id_var()) {
        out.insert(var.to_string(), id.clone());
    }
    out
}

/// The complete environment of the exec'd program.
pub fn exec_env(plan: &Plan, base: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut env = base.clone();
    if plan.flavor == Flavor::Apache {
        // The apache/kafka image turns every KAFKA_* variable into a server property.
        env.retain(|k, _| !k.starts_with("KAFKA_INIT_"));
    }
    if plan.flavor != Flavor::Properties {
        // The properties flavor hands Kafka its settings in server.properties instead.
        env.extend(exported(plan, base));
    }
    env.into_iter().collect()
}

/// `KEY=VALUE` lines of what `exec` sets, sorted (secrets redacted).
pub fn env_lines(plan: &Plan, base: &BTreeMap<String, String>) -> String {
    let keys: BTreeMap<String, &str> = plan
        .entries
        .iter()
        .map(|e| (aliases::var_for(plan.flavor, &e.key), e.key.as_str()))
        .collect();
    exported(plan, base)
        .into_iter()
        .map(|(var, value)| {
            let key = keys.get(&var).copied().unwrap_or(var.as_str());
            format!("{var}={}\n", shown(key, &value, true))
        })
        .collect()
}

fn escape(s: &str, key: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0c' => out.push_str("\\f"),
            // Kafka loads server.properties with Properties.load(InputStream),
            // which reads ISO-8859-1: anything else goes as \uXXXX, as
            // Properties.store writes it.
            c if !(' '..='~').contains(&c) => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            '=' | ':' | ' ' if key => {
                out.push('\\');
                out.push(c);
            }
            ' ' if i == 0 => out.push_str("\\ "),
            '#' | '!' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A `server.properties` with every key of the Plan (Java properties escaping).
pub fn properties(plan: &Plan, redact: bool) -> String {
    let mut out = format!(
        "# server.properties for pod {} ({}), written by kafka-init; do not edit, it is rewritten at every start\n",
        plan.pod.name, plan.pod.namespace
    );
    let mut entries: Vec<_> = plan.entries.iter().collect();
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    for e in entries {
        out.push_str(&format!(
            "{}={}\n",
            escape(&e.key, true),
            escape(&shown(&e.key, &e.value, redact), false)
        ));
    }
    out
}

/// The Plan as one JSON object (secrets redacted).
pub fn json(plan: &Plan, base: &BTreeMap<String, String>) -> String {
    let config: BTreeMap<&str, String> = plan
        .entries
        .iter()
        .map(|e| (e.key.as_str(), shown(&e.key, &e.value, true)))
        .collect();
    let env: BTreeMap<String, String> = exported(plan, base)
        .into_iter()
        .map(|(k, v)| {
            let secret = plan
                .entries
                .iter()
                .any(|e| aliases::var_for(plan.flavor, &e.key) == k && aliases::is_secret(&e.key));
            (k, if secret { REDACTED.into() } else { v })
        })
        .collect();
    let v = serde_json::json!({
        "pod": plan.pod.name,
        "statefulset": plan.pod.statefulset,
        "ordinal": plan.pod.ordinal,
        "namespace": plan.pod.namespace,
        "flavor": plan.flavor.name(),
        "mode": format!("{:?}", plan.mode).to_lowercase(),
        "role": plan.roles(),
        "id": plan.id,
        "cluster_id": plan.cluster_id,
        "data_dirs": plan.data_dirs,
        "run_as": format!("{}:{}", plan.run_as.0, plan.run_as.1),
        "probe": plan.probe.as_ref().map(|p| format!("{}:{} ({})", p.host, p.port, p.listener)),
        "config": config,
        "env": env,
    });
    format!("{v:#}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_java_properties() {
        assert_eq!(escape("a b=c", true), "a\\ b\\=c");
        assert_eq!(escape("#x\\y\nz", false), "\\#x\\\\y\\nz");
        assert_eq!(escape("x:y", false), "x:y");
    }
}
