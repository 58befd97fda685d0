//! Step (KRaft): the cluster id, from `KAFKA_INIT_CLUSTER_ID`, the
//! flavor's own variable or the one of the convention the user wrote in; two that disagree, or none, are problems.

use std::collections::BTreeMap;

use super::builder::Builder;
use super::{FlavorFacts, FoundClusterId, ReadAs};
use crate::kraft;
use crate::settings::Settings;

/// The cluster ids set where no storage is formatted with one (ZooKeeper
/// mode): unused, but a value is checked wherever it is set.
pub(super) fn check_unused(
    b: &mut Builder,
    s: &Settings,
    flavor: &FlavorFacts,
    vars: &BTreeMap<String, String>,
) {
    let own = flavor
        .cluster_id_var
        .and_then(|var| Some((var, vars.get(var)?)));
    let set = s
        .kafka_init_cluster_id
        .as_ref()
        .map(|v| ("KAFKA_INIT_CLUSTER_ID", v));
    for (var, v) in set.into_iter().chain(own) {
        if let Err(e) = kraft::check_cluster_id(v) {
            b.problem(var, v, e, "use an id printed by kafka-storage.sh random-uuid, or unset it (ZooKeeper mode formats no KRaft storage)");
        }
    }
}

/// The cluster id, when one is set and valid.
pub(super) fn of(
    b: &mut Builder,
    s: &Settings,
    flavor: &FlavorFacts,
    read_as: &ReadAs,
    vars: &BTreeMap<String, String>,
    found: Option<&FoundClusterId>,
    random: &[u8; 16],
) -> Option<String> {
    let mut sources: Vec<(&str, String)> = vec![];
    if let Some(FoundClusterId { from, id }) = found {
        match id {
            Ok(id) => sources.push((from.as_str(), id.clone())),
            Err(why) if s.kafka_init_cluster_id.is_none() => {
                b.problem(from, "", format!("a migrating controller formats its storage with the ZooKeeper cluster's id, and it could not be read: {why}"), "make ZooKeeper reachable from the controller pods (the brokers' zookeeper.connect), or set KAFKA_INIT_CLUSTER_ID to the id in ZooKeeper's /cluster/id");
                return None;
            }
            Err(_) => {}
        }
    }
    if let Some(v) = &s.kafka_init_cluster_id {
        sources.push(("KAFKA_INIT_CLUSTER_ID", v.clone()));
    }
    // The image's variable, and the one of the convention the user wrote in
    // (KAFKA_KRAFT_CLUSTER_ID from a Bitnami ConfigMap on apache/kafka).
    let mut names = vec![flavor.cluster_id_var, read_as.cluster_id_var];
    names.dedup();
    for var in names.into_iter().flatten() {
        if let Some(v) = vars.get(var) {
            sources.push((var, v.clone()));
        }
    }
    match sources.as_slice() {
        [] => {
            let fresh = kraft::cluster_id_from(random);
            b.problem("KAFKA_INIT_CLUSTER_ID", "", "KRaft needs one cluster id, the same on every node, to format storage", format!("store one id in a Secret and pass it as KAFKA_INIT_CLUSTER_ID, e.g. this freshly generated one: {fresh}"));
        }
        [(var, v), rest @ ..] => {
            if let Some((other, w)) = rest.iter().find(|(_, w)| w != v) {
                b.problem(
                    &format!("{var} / {other}"),
                    &format!("{v} / {w}"),
                    "two cluster ids are set and disagree",
                    format!("set the cluster id once, in {var}"),
                );
            }
            match kraft::check_cluster_id(v) {
                Ok(()) => return Some(v.clone()),
                Err(e) => {
                    let fresh = kraft::cluster_id_from(random);
                    b.problem(var, v, e, format!("use an id printed by kafka-storage.sh random-uuid, e.g. {fresh} (only for a new cluster)"));
                }
            }
        }
    }
    None
}
