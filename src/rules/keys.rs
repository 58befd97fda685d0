//! Every Kafka key of the Plan, the user's and the derived ones, against
//! the catalog of the selected Kafka version: unknown, invalid, removed
//! (problems) and deprecated (warnings). A derived value must pass too: it
//! is what Kafka will read.

use crate::catalog::{self, Context, Setting};
use crate::problem::Problem;

use super::Key;

/// Appends the catalog's problems and warnings about every key of the Plan.
pub(super) fn catalog_rules(k: &Key, problems: &mut Vec<Problem>, warnings: &mut Vec<Problem>) {
    let plan = k.plan;
    let names: Vec<&str> = [
        "listeners",
        "advertised.listeners",
        "controller.listener.names",
        "listener.security.protocol.map",
    ]
    .iter()
    .filter_map(|key| plan.get(key))
    .collect();
    // The protocol map's entries are NAME:PROTOCOL: the name is what counts.
    let names: Vec<String> = names
        .iter()
        .map(|v| {
            v.split(',')
                .map(|e| e.split(':').next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let ctx = Context {
        listeners: Context::listener_names(&names),
        extra_keys: plan.extra_keys.clone(),
        rsm_prefix: plan
            .get("remote.log.storage.manager.impl.prefix")
            .map(str::to_string),
        rlmm_prefix: plan
            .get("remote.log.metadata.manager.impl.prefix")
            .map(str::to_string),
    };
    let vars: Vec<String> = plan.entries.iter().map(|e| k.var(&e.key)).collect();
    let settings = plan.entries.iter().zip(&vars).map(|(e, var)| Setting {
        var,
        key: &e.key,
        value: &e.value,
    });
    let (p, w) = catalog::check_settings(&plan.kafka, settings, &ctx);
    problems.extend(p);
    warnings.extend(w);
    unresolved_references(k, problems);
}

/// The catalog leaves a `${provider:path:key}` value unchecked: a config
/// provider resolves it before Kafka parses it. With no provider defined
/// (`config.providers`), nothing resolves it and Kafka parses the text as
/// written (found by the whole-start differential: `log.retention.ms=${file:…}`
/// stops the start with "Not a number of type LONG").
fn unresolved_references(k: &Key, problems: &mut Vec<Problem>) {
    let providers = k
        .value("config.providers")
        .is_some_and(|v| !v.trim().is_empty());
    if providers {
        return;
    }
    for e in &k.plan.entries {
        if !catalog::has_config_reference(&e.value) {
            continue;
        }
        let Some(key) = k.plan.kafka.version.key(&e.key) else {
            continue;
        };
        if let Err(rule) = catalog::validate(key, &e.key, &e.value) {
            problems.push(k.problem(&e.key, format!("{rule} (no config provider is defined, so Kafka reads the reference as written)"), format!("define the provider (config.providers, e.g. file, and config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider), or write the value itself in {}", k.setting(&e.key))));
        }
    }
}
