//! Step: every `KAFKA_INIT_*` variable must be one kafka-init reads. A
//! misspelt one (`KAFKA_INIT_REPLICA`) would otherwise be ignored silently
//! and take a default with it (the durable replication defaults, there).

use std::collections::BTreeMap;

use super::builder::Builder;
use crate::catalog;
use crate::secret;
use crate::settings;

/// Reports each `KAFKA_INIT_*` variable that is not a field of
/// [`settings::Settings`], with the nearest names it has.
pub(super) fn check(b: &mut Builder, vars: &BTreeMap<String, String>) {
    let known = settings::variables();
    let known: Vec<&str> = known
        .iter()
        .map(String::as_str)
        .filter(|n| n.starts_with(catalog::SETTINGS_PREFIX))
        .collect();
    for (var, suggestions) in catalog::unknown_settings(vars.keys().map(String::as_str), &known) {
        let fix = if suggestions.is_empty() {
            "remove it, or check the name against docs/reference/configuration.md".to_string()
        } else {
            format!("did you mean {}?", suggestions.join(", "))
        };
        let value = secret::shown(&var, &vars[&var]);
        b.problem(
            &var,
            &value,
            format!("kafka-init has no setting {var}: it would be ignored silently"),
            fix,
        );
    }
}
