//! Renderers of one Plan for people and for Kafka: `KEY=VALUE` lines and
//! JSON for `plan`, and a `server.properties` file. What a flavor's image
//! reads from the environment is the flavor's to say (`crate::flavor`);
//! these take it as data.

use std::collections::BTreeMap;

use crate::plan::{BuiltBy, Plan, StartWrite};
use crate::secret::{self, REDACTED};

fn shown(key: &str, value: &str, redact: bool) -> String {
    if redact {
        secret::shown(key, value)
    } else {
        value.to_string()
    }
}

/// The Kafka key behind each variable of `exported`, in the flavor's naming.
fn keys_by_var(plan: &Plan) -> BTreeMap<String, &str> {
    plan.entries
        .iter()
        .map(|e| ((plan.flavor.var_for)(&e.key), e.key.as_str()))
        .collect()
}

/// `KEY=VALUE` lines of what `exec` sets (`exported`, from the flavor),
/// sorted (secrets redacted).
pub fn env_lines(plan: &Plan, exported: &BTreeMap<String, String>) -> String {
    let keys = keys_by_var(plan);
    let mut out = version_comment(plan);
    for (var, value) in exported {
        let key = keys.get(var).copied().unwrap_or(var.as_str());
        out.push_str(&format!("{var}={}\n", shown(key, value, true)));
    }
    out
}

/// The comment line naming the Kafka version the keys were checked against
/// and why (a comment in both shell and `server.properties` syntax).
fn version_comment(plan: &Plan) -> String {
    format!(
        "# keys checked against {}\n",
        plan.kafka.why.replace(['\n', '\r'], " ")
    )
}

/// `# unset VAR` lines for the variables `exec` removes (each names the
/// Kafka key and the phase that forbids it).
pub fn unset_lines(plan: &Plan, unset: &[(String, String)]) -> String {
    let phase = plan.migration.map_or("", |p| p.as_str());
    unset
        .iter()
        .map(|(var, key)| format!("# unset {var} ({key}: removed in migration phase {phase})\n"))
        .collect()
}

/// `# unset VAR` lines for the variables read in the user's convention that
/// the image would misread: their settings are handed over under its names.
pub fn withheld_lines(plan: &Plan, withheld: &[(String, String)]) -> String {
    withheld
        .iter()
        .map(|(var, what)| {
            format!(
                "# unset {var} (read as {what} in the {} convention; the {} image would read the name otherwise)\n",
                plan.read_as.name, plan.flavor.name
            )
        })
        .collect()
}

/// The comment line naming the convention the user's settings were read
/// in, for when it is not the image's.
pub fn reading_comment(plan: &Plan) -> String {
    format!(
        "# settings read in the {} convention ({}), handed to the {} image\n",
        plan.read_as.name, plan.read_as.names, plan.flavor.name
    )
}

fn escape(s: &str, key: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Properties.load reads a form feed as whitespace: a separator in a key, trimmed before a value.
            '\u{c}' => out.push_str("\\f"),
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
    out.push_str(&version_comment(plan));
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

/// The lines an image's own scripts write into its properties file beside
/// the Plan's ([`crate::flavor::Flavor::image_properties`]), under a comment
/// that says they are the image's; nothing when there are none.
pub fn image_properties(plan: &Plan, lines: &[(String, String)]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "# written by the {} image's own scripts as well, not by kafka-init (what the image writes, quirks included):\n",
        plan.flavor.name
    );
    for (key, value) in lines {
        out.push_str(&format!(
            "{}={}\n",
            escape(key, true),
            escape(&secret::shown(key, value), false)
        ));
    }
    out
}

/// The Plan as one JSON object, with `exported` (from the flavor) as its
/// environment (secrets redacted) and `writes` (what the image writes at
/// start, with owner and mode: what the manifest check decides against a
/// pod's uid and groups).
pub fn json(plan: &Plan, exported: &BTreeMap<String, String>, writes: &[StartWrite]) -> String {
    let config: BTreeMap<&str, String> = plan
        .entries
        .iter()
        .map(|e| (e.key.as_str(), shown(&e.key, &e.value, true)))
        .collect();
    let keys = keys_by_var(plan);
    let env: BTreeMap<&str, String> = exported
        .iter()
        .map(|(k, v)| {
            let secret = keys.get(k).is_some_and(|key| secret::is_secret(key));
            (k.as_str(), if secret { REDACTED.into() } else { v.clone() })
        })
        .collect();
    let v = serde_json::json!({
        "pod": plan.pod.name,
        "statefulset": plan.pod.statefulset,
        "ordinal": plan.pod.ordinal,
        "namespace": plan.pod.namespace,
        "flavor": plan.flavor.name,
        "read_as": plan.read_as.name,
        "mode": format!("{:?}", plan.mode).to_lowercase(),
        "role": plan.roles(),
        "id": plan.id,
        "cluster_id": plan.cluster_id,
        "cluster_id_from": plan.cluster_id_from,
        "migration": plan.migration.map(|p| p.as_str()),
        "removed": plan.removed,
        "release_version": plan.release_version,
        "data_dirs": plan.data_dirs,
        "run_as": format!("{}:{}", plan.run_as.0, plan.run_as.1),
        "kafka_version": {
            "catalog": plan.kafka.version.name(),
            "requested": plan.kafka.requested,
            "why": plan.kafka.why,
        },
        "probe": plan.probe.as_ref().map(|p| format!("{}:{} ({})", p.host, p.port, p.listener)),
        "config": config,
        "env": env,
        "writes_at_start": writes.iter().map(|w| serde_json::json!({
            "path": w.path,
            "uid": w.owner.0,
            "gid": w.owner.1,
            "mode": format!("{:04o}", w.mode),
            "built_by": match w.built_by { BuiltBy::Image => "image", BuiltBy::Prepare => "prepare" },
            "writer": w.writer,
            "fix": w.fix,
        })).collect::<Vec<_>>(),
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
        assert_eq!(escape("a\u{c}b", true), "a\\fb");
        assert_eq!(escape("\u{c}v\r", false), "\\fv\\r");
    }
}
