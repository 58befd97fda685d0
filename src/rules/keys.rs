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
}
