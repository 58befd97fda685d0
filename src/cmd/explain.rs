//! `kafka-init explain [KEY]`: what the catalog knows about a Kafka key for
//! the selected Kafka version, or the list of its keys.

use anyhow::Result;

use crate::catalog::{self, Default, Dynamic, FindingKind, Key, Selection, Version};
use crate::environment::Inputs;
use crate::flavor::FLAVORS;
use crate::problem::{Problem, Problems};
use crate::settings::Settings;

/// Prints what the catalog knows about `key` (all keys when None) for the
/// version `kafka_version` (`--kafka-version`), else the one the
/// environment selects. An unknown or removed key is a configuration
/// problem (exit 78) with suggestions.
pub fn run(inputs: &Inputs, key: Option<&str>, kafka_version: Option<&str>) -> Result<()> {
    let settings = Settings::of(&inputs.vars);
    let setting = kafka_version.or(settings.kafka_init_kafka_version.as_deref());
    let selection = catalog::select_for_mode(
        setting,
        &|v| inputs.var(v).map(str::to_string),
        runs_zookeeper(&settings, inputs),
    )
    .map_err(|p| Problems(vec![p]))?;
    let text = match key {
        Some(k) => describe(&selection, k)?,
        None => list(&selection),
    };
    crate::output::stdout(&text, "the explanation")
}

/// Whether the environment configures ZooKeeper mode, as `plan` decides it
/// (`KAFKA_INIT_MODE`, else a `zookeeper.connect` the flavor reads): the
/// default version depends on it.
fn runs_zookeeper(settings: &Settings, inputs: &Inputs) -> bool {
    match settings.kafka_init_mode.as_deref() {
        Some(mode) => mode == "zookeeper",
        None => {
            // Problems here are the plan's to report; explain only needs the mode.
            let (_, user) = super::peek_user_settings(inputs, settings, None);
            user.contains_key("zookeeper.connect")
        }
    }
}

/// Every documented key of the selected version: name, type, default.
pub fn list(selection: &Selection) -> String {
    let mut out = format!("# {}\n", selection.why);
    for k in selection.version.keys().iter().filter(|k| !k.internal) {
        out.push_str(&format!(
            "{}\t{}\t{}\n",
            k.name,
            k.ty.kafka_name(),
            default_text(k)
        ));
    }
    out
}

/// The description of one key (or of the catalog key behind a
/// `listener.name.<l>.` form); a problem when the version does not take it.
pub fn describe(selection: &Selection, key: &str) -> Result<String, Problems> {
    let version = selection.version;
    let findings = catalog::check(version, key, "", &catalog::Context::default());
    let refused: Vec<Problem> = findings
        .iter()
        .filter(|f| matches!(f.kind, FindingKind::Unknown | FindingKind::Removed))
        .map(|f| {
            Problem::new(
                "KEY",
                key,
                format!("{}; checked against {}", f.rule, selection.why),
                f.fix.clone(),
            )
        })
        .collect();
    if !refused.is_empty() {
        return Err(Problems(refused));
    }
    let Some(k) = catalog_key(version, key) else {
        // A legal key outside the ConfigDef (a plugin's, a provider's, tiered storage's).
        return Ok(format!(
            "{key}: not a ConfigDef key of Kafka {}, but legal: Kafka hands it to a plugin as it is\n{}",
            version.name(),
            variables(key)
        ));
    };
    let mut out = format!("{key}: {}\n", selection.why);
    if k.name != key {
        out.push_str(&format!(
            "  parsed as:  {} (per-listener override)\n",
            k.name
        ));
    }
    out.push_str(&format!("  type:       {}\n", k.ty.kafka_name()));
    out.push_str(&format!("  default:    {}\n", default_text(k)));
    out.push_str(&format!("  valid:      {}\n", catalog::valid_values(k)));
    out.push_str(&format!("  dynamic:    {}\n", dynamic_text(k.dynamic)));
    if k.internal {
        out.push_str("  internal:   yes (undocumented; still validated)\n");
    }
    if catalog::is_password(key) {
        out.push_str("  secret:     yes (PASSWORD: kafka-init never prints its value)\n");
    }
    for f in findings
        .iter()
        .filter(|f| f.kind == FindingKind::Deprecated)
    {
        out.push_str(&format!("  deprecated: {}; {}\n", f.rule, f.fix));
    }
    let versions: Vec<&str> = catalog::versions_with(k.name)
        .into_iter()
        .map(Version::name)
        .collect();
    out.push_str(&format!("  versions:   {}\n", versions.join(" ")));
    out.push_str(&variables(key));
    Ok(out)
}

/// The catalog key `key` is parsed as: itself, or the key behind its
/// `listener.name.<l>.[<mechanism>.]` prefix.
fn catalog_key(version: Version, key: &str) -> Option<&'static Key> {
    if let Some(k) = version.key(key) {
        return Some(k);
    }
    let (_, inner) = key.strip_prefix("listener.name.")?.split_once('.')?;
    version
        .key(inner)
        .or_else(|| inner.split_once('.').and_then(|(_, k)| version.key(k)))
}

/// The variable each flavor reads the key from.
fn variables(key: &str) -> String {
    let names: Vec<String> = FLAVORS
        .iter()
        .map(|f| {
            let facts = f.facts();
            format!("{}: {}", facts.name, (facts.var_for)(key))
        })
        .collect();
    format!("  variables:  {}\n", names.join("; "))
}

fn default_text(k: &Key) -> String {
    match &k.default {
        Default::Required => "(none: required)".into(),
        Default::Null => "null".into(),
        Default::Value(v) if v.is_empty() => "\"\"".into(),
        Default::Value(v) => v.clone(),
    }
}

fn dynamic_text(d: Dynamic) -> &'static str {
    match d {
        Dynamic::ReadOnly => "no (read-only: a restart applies it)",
        Dynamic::PerBroker => {
            "per-broker (kafka-configs.sh --entity-type brokers --entity-name ID)"
        }
        Dynamic::ClusterWide => {
            "cluster-wide (kafka-configs.sh --entity-type brokers --entity-default, or per broker)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(version: &str) -> Selection {
        catalog::select(Some(version), &|_| None).unwrap()
    }

    #[test]
    fn describes_a_key_with_type_default_validator_dynamism_versions_and_variables() {
        let text = describe(&selection("4.4.0"), "log.retention.hours").unwrap();
        for want in [
            "type:       INT",
            "default:    168",
            "dynamic:    no",
            "versions:   3.9.0 3.9.2 4.0.2 4.1.2 4.4.0",
            "KAFKA_CFG_LOG_RETENTION_HOURS",
            "apache: KAFKA_LOG_RETENTION_HOURS",
        ] {
            assert!(text.contains(want), "{want}:\n{text}");
        }
    }

    #[test]
    fn describes_the_key_behind_a_listener_prefix() {
        let text = describe(
            &selection("4.4.0"),
            "listener.name.internal.ssl.keystore.password",
        )
        .unwrap();
        assert!(text.contains("parsed as:  ssl.keystore.password"), "{text}");
        assert!(text.contains("secret:     yes"), "{text}");
    }

    #[test]
    fn an_unknown_key_is_a_problem_with_suggestions() {
        let p = describe(&selection("4.4.0"), "log.retention.hour").unwrap_err();
        assert!(p.0[0].fix.contains("log.retention.hours"), "{p}");
        let removed = describe(&selection("4.4.0"), "zookeeper.connect").unwrap_err();
        assert!(
            removed.0[0].rule.contains("removed in Kafka 4.0"),
            "{removed}"
        );
    }

    #[test]
    fn lists_the_documented_keys_of_the_selected_version() {
        let text = list(&selection("3.9.0"));
        assert!(
            text.starts_with("# Kafka 3.9.0 (KAFKA_INIT_KAFKA_VERSION)\n"),
            "{text}"
        );
        assert!(
            text.contains("\nzookeeper.connect\tSTRING\t(none: required)\n")
                || text.contains("\nzookeeper.connect\tSTRING\tnull\n")
        );
        assert_eq!(text.lines().count(), 1 + 328 - 14);
    }
}
