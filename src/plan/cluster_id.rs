//! Step (KRaft): the cluster id, from `KAFKA_INIT_CLUSTER_ID`, the
//! flavor's own variable or the one of the convention the user wrote in,
//! else from ZooKeeper (a migrating controller) or the node's own volume
//! (`meta.properties`: a cluster that already exists needs no Secret). Two
//! that disagree are problems, a set one that disagrees with the volume
//! too; none at all on a fresh volume is one.
//!
//! Kafka's rule (`MetaPropertiesEnsemble.verify`, run by the storage tool
//! the images call at every start and by Kafka itself): every dir's
//! `cluster.id` equals the expected one, else "Invalid cluster.id in:
//! PATH. Expected X, but read Y". This is the one place kafka-init judges
//! it; `prepare` and `exec` both derive through here.

use std::collections::BTreeMap;
use std::path::Path;

use super::builder::Builder;
use super::{FlavorFacts, FoundClusterId, ReadAs, StoredClusterId};
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

/// What the cluster id is chosen from.
pub(super) struct Sources<'a> {
    /// kafka-init's own settings (`KAFKA_INIT_CLUSTER_ID`).
    pub(super) settings: &'a Settings,
    /// The image's facts (its cluster-id variable).
    pub(super) flavor: &'a FlavorFacts,
    /// The convention the user wrote in (its cluster-id variable).
    pub(super) read_as: &'a ReadAs,
    /// The environment.
    pub(super) vars: &'a BTreeMap<String, String>,
    /// ZooKeeper's `/cluster/id`, read for a controller.
    pub(super) found: Option<&'a FoundClusterId>,
    /// What the node's dirs hold.
    pub(super) stored: &'a [StoredClusterId],
    /// The pod, for messages.
    pub(super) pod: &'a str,
    /// A migration phase is set (a version 0 file is then expected).
    pub(super) migrating: bool,
}

/// The cluster id and where it came from, when there is a valid one.
/// `migrated_broker`: a broker that ran in ZooKeeper mode and is never
/// formatted; it needs no id (only images that insist get its volume's).
pub(super) fn of(
    b: &mut Builder,
    src: Sources,
    migrated_broker: bool,
    random: &[u8; 16],
) -> Option<(String, String)> {
    let s = src.settings;
    let mut sources: Vec<(&str, String)> = vec![];
    if let Some(FoundClusterId { from, id }) = src.found {
        match id {
            Ok(id) => sources.push((from.as_str(), id.clone())),
            Err(why) if s.kafka_init_cluster_id.is_none() => {
                b.problem(from, "", format!("a migrating controller formats its storage with the ZooKeeper cluster's id, and it could not be read: {why}"), "make ZooKeeper reachable from the controller pods (the brokers' zookeeper.connect), or set KAFKA_INIT_CLUSTER_ID to the id in ZooKeeper's /cluster/id");
                return None;
            }
            Err(_) => {}
        }
    }
    let from_zookeeper = !sources.is_empty();
    if let Some(v) = &s.kafka_init_cluster_id {
        sources.push(("KAFKA_INIT_CLUSTER_ID", v.clone()));
    }
    // The image's variable, and the one of the convention the user wrote in
    // (KAFKA_KRAFT_CLUSTER_ID from a Bitnami ConfigMap on apache/kafka).
    let mut names = vec![src.flavor.cluster_id_var, src.read_as.cluster_id_var];
    names.dedup();
    for var in names.into_iter().flatten() {
        if let Some(v) = src.vars.get(var) {
            sources.push((var, v.clone()));
        }
    }
    let Some(((var, v), rest)) = sources.split_first() else {
        // Nothing set: the volume's own id, when it has one. Never a
        // ZooKeeper-mode broker's (version 0) outside a migration: that
        // volume would join this cluster unnoticed (prepare names it).
        stored_agree(b, src.stored, src.pod);
        if let Some(first) = src
            .stored
            .first()
            .filter(|st| st.version > 0 || src.migrating)
        {
            return Some((first.id.clone(), first.path.display().to_string()));
        }
        if !migrated_broker {
            let fresh = kraft::cluster_id_from(random);
            b.problem("KAFKA_INIT_CLUSTER_ID", "", "KRaft needs one cluster id, the same on every node, to format storage, and this node's volume holds none yet (no meta.properties with a cluster.id that KRaft wrote: a new cluster, or a new node)", format!("store one id in a Secret and pass it as KAFKA_INIT_CLUSTER_ID, e.g. this freshly generated one: {fresh}"));
        }
        return None;
    };
    if let Some((other, w)) = rest.iter().find(|(_, w)| w != v) {
        b.problem(
            &format!("{var} / {other}"),
            &format!("{v} / {w}"),
            "two cluster ids are set and disagree",
            format!("set the cluster id once, in {var}"),
        );
    }
    // A controller's volume is judged against ZooKeeper by the migration's
    // guard rails (crate::observe::rails), with the fix a migration needs.
    if !from_zookeeper {
        for stored in src.stored.iter().filter(|st| &st.id != v) {
            let (rule, fix) = disagreement(
                &stored.path,
                &stored.id,
                v,
                &format!("{var} is {v}"),
                src.pod,
            );
            b.problem(var, v, rule, format!("if this volume is this cluster's, unset {var} (kafka-init then takes the id from the volume: a cluster that already exists needs no Secret) or set it to {}; {fix}", stored.id));
        }
    }
    match kraft::check_cluster_id(v) {
        Ok(()) => Some((v.clone(), var.to_string())),
        Err(e) => {
            let fresh = kraft::cluster_id_from(random);
            b.problem(var, v, e, format!("use an id printed by kafka-storage.sh random-uuid, e.g. {fresh} (only for a new cluster)"));
            None
        }
    }
}

/// The node's dirs must hold one cluster id (Kafka takes the first's as the
/// expected one when none is configured): a dir of another cluster is a
/// problem, in ZooKeeper mode as in KRaft.
pub(super) fn stored_agree(b: &mut Builder, stored: &[StoredClusterId], pod: &str) {
    let Some((first, rest)) = stored.split_first() else {
        return;
    };
    for other in rest.iter().filter(|o| o.id != first.id) {
        let (rule, fix) = disagreement(
            &other.path,
            &other.id,
            &first.id,
            &format!("{} holds cluster.id {}", first.path.display(), first.id),
            pod,
        );
        b.problem(
            &other.path.display().to_string(),
            &format!("cluster.id={}", other.id),
            rule,
            format!("if both volumes are this cluster's, one of them was formatted anew: restore it from a backup; {fix}"),
        );
    }
}

/// The rule and the common fix of a stored cluster id `stored` in `path`
/// where `expected` was expected (`why_expected` says whose it is).
fn disagreement(
    path: &Path,
    stored: &str,
    expected: &str,
    why_expected: &str,
    pod: &str,
) -> (String, String) {
    (
        format!(
            "{why_expected}, but the volume of pod {pod} holds {path} with cluster.id={stored}: it was formatted for another cluster. Kafka's storage format (which the images run at every start) and Kafka itself stop with \"Invalid cluster.id in: {path}. Expected {expected}, but read {stored}\". Usual causes: a new cluster id (a new Secret) was generated for volumes already formatted, ZooKeeper was reset or reinstalled while the Kafka volumes were kept, or the PVC is bound to another cluster's PV",
            path = path.display(),
        ),
        "else bind this pod's PVC to its own PV; or, only if the data on this volume is really unwanted, empty the volume by hand. kafka-init never deletes or rewrites broker data".to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    const A: &str = "19DRMxDfQtuuoWqsVS1hbw";
    const B: &str = "Sc3yfWjdQ8Sx0aYhbhvHPw";

    fn stored(dir: &str, id: &str) -> StoredClusterId {
        // A dir under /zk holds a ZooKeeper-mode broker's file (version 0).
        StoredClusterId {
            path: PathBuf::from(dir).join("meta.properties"),
            id: id.into(),
            version: if dir.starts_with("/zk") { 0 } else { 1 },
        }
    }

    /// One case: the variables set, ZooKeeper's id, the volume's, a
    /// migrated broker?, and the id chosen (with where from) or the
    /// problems' variables and what their rules and fixes say.
    struct Case {
        name: &'static str,
        vars: &'static [(&'static str, &'static str)],
        zookeeper: Option<&'static str>,
        stored: &'static [(&'static str, &'static str)],
        migrated_broker: bool,
        migrating: bool,
        chosen: Option<(&'static str, &'static str)>,
        problems: &'static [(&'static str, &'static [&'static str])],
    }

    const CASES: &[Case] = &[
        Case {
            name: "an existing cluster's id comes from its volume: no Secret needed",
            vars: &[],
            zookeeper: None,
            stored: &[("/data", A)],
            migrated_broker: false,
            migrating: false,
            chosen: Some((A, "/data/meta.properties")),
            problems: &[],
        },
        Case {
            name: "a fresh volume with no id set is the problem it was",
            vars: &[],
            zookeeper: None,
            stored: &[],
            migrated_broker: false,
            migrating: false,
            chosen: None,
            problems: &[("KAFKA_INIT_CLUSTER_ID", &["KRaft needs one cluster id", "holds none yet", "store one id in a Secret"])],
        },
        Case {
            name: "a set id the volume agrees with is the set one",
            vars: &[("KAFKA_INIT_CLUSTER_ID", A)],
            zookeeper: None,
            stored: &[("/data", A)],
            migrated_broker: false,
            migrating: false,
            chosen: Some((A, "KAFKA_INIT_CLUSTER_ID")),
            problems: &[],
        },
        Case {
            name: "a set id on a fresh volume is the set one",
            vars: &[("CLUSTER_ID", A)],
            zookeeper: None,
            stored: &[],
            migrated_broker: false,
            migrating: false,
            chosen: Some((A, "CLUSTER_ID")),
            problems: &[],
        },
        Case {
            name: "a Secret that disagrees with the volume is a problem",
            vars: &[("KAFKA_INIT_CLUSTER_ID", B)],
            zookeeper: None,
            stored: &[("/data", A)],
            migrated_broker: false,
            migrating: false,
            chosen: Some((B, "KAFKA_INIT_CLUSTER_ID")),
            problems: &[(
                "KAFKA_INIT_CLUSTER_ID",
                &[
                    "KAFKA_INIT_CLUSTER_ID is Sc3yfWjdQ8Sx0aYhbhvHPw",
                    "/data/meta.properties with cluster.id=19DRMxDfQtuuoWqsVS1hbw",
                    "\"Invalid cluster.id in: /data/meta.properties. Expected Sc3yfWjdQ8Sx0aYhbhvHPw, but read 19DRMxDfQtuuoWqsVS1hbw\"",
                    "unset KAFKA_INIT_CLUSTER_ID",
                    "set it to 19DRMxDfQtuuoWqsVS1hbw",
                    "bind this pod's PVC to its own PV",
                ],
            )],
        },
        Case {
            name: "the image's own variable is judged against the volume too",
            vars: &[("CLUSTER_ID", B)],
            zookeeper: None,
            stored: &[("/data", A), ("/more", A)],
            migrated_broker: false,
            migrating: false,
            chosen: Some((B, "CLUSTER_ID")),
            problems: &[
                ("CLUSTER_ID", &["/data/meta.properties", "unset CLUSTER_ID"]),
                ("CLUSTER_ID", &["/more/meta.properties", "unset CLUSTER_ID"]),
            ],
        },
        Case {
            name: "dirs of two clusters are a problem when none is set",
            vars: &[],
            zookeeper: None,
            stored: &[("/a", A), ("/b", B)],
            migrated_broker: false,
            migrating: false,
            chosen: Some((A, "/a/meta.properties")),
            problems: &[(
                "/b/meta.properties",
                &["/a/meta.properties holds cluster.id 19DRMxDfQtuuoWqsVS1hbw", "Expected 19DRMxDfQtuuoWqsVS1hbw, but read Sc3yfWjdQ8Sx0aYhbhvHPw", "restore it from a backup"],
            )],
        },
        Case {
            name: "a controller's ZooKeeper id comes first; the rails judge its volume against it",
            vars: &[],
            zookeeper: Some(A),
            stored: &[("/data", B)],
            migrated_broker: false,
            migrating: false,
            chosen: Some((A, "ZooKeeper /cluster/id")),
            problems: &[],
        },
        Case {
            name: "a migrated broker with nothing set takes its volume's id",
            vars: &[],
            zookeeper: None,
            stored: &[("/data", A)],
            migrated_broker: true,
            migrating: true,
            chosen: Some((A, "/data/meta.properties")),
            problems: &[],
        },
        Case {
            name: "a migrated broker needs no id",
            vars: &[],
            zookeeper: None,
            stored: &[],
            migrated_broker: true,
            migrating: true,
            chosen: None,
            problems: &[],
        },
        Case {
            name: "a migrated broker's set id that disagrees with its volume is a problem",
            vars: &[("KAFKA_INIT_CLUSTER_ID", B)],
            zookeeper: None,
            stored: &[("/data", A)],
            migrated_broker: true,
            migrating: true,
            chosen: Some((B, "KAFKA_INIT_CLUSTER_ID")),
            problems: &[("KAFKA_INIT_CLUSTER_ID", &["Invalid cluster.id in: /data/meta.properties"])],
        },
        Case {
            name: "outside a migration a ZooKeeper-mode broker's volume gives no id",
            vars: &[],
            zookeeper: None,
            stored: &[("/zk-data", A)],
            migrated_broker: false,
            migrating: false,
            chosen: None,
            problems: &[("KAFKA_INIT_CLUSTER_ID", &["that KRaft wrote"])],
        },
        Case {
            name: "in a migration a ZooKeeper-mode broker's volume gives its id",
            vars: &[],
            zookeeper: None,
            stored: &[("/zk-data", A)],
            migrated_broker: true,
            migrating: true,
            chosen: Some((A, "/zk-data/meta.properties")),
            problems: &[],
        },
    ];

    #[test]
    fn the_cluster_id_is_the_set_one_else_zookeepers_else_the_volumes() {
        let flavor = crate::flavor::apache::CONVENTION.read_as();
        let facts = FlavorFacts {
            name: "apache",
            default_data_dir: "/var/lib/kafka/data",
            run_as: (1000, 1000),
            cluster_id_var: Some("CLUSTER_ID"),
            writes_config_file: false,
            var_for: |k| k.to_string(),
        };
        for c in CASES {
            let vars: BTreeMap<String, String> = c
                .vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let settings = Settings::of(&vars);
            let found = c.zookeeper.map(|id| FoundClusterId {
                from: "ZooKeeper /cluster/id".into(),
                id: Ok(id.into()),
            });
            let stored: Vec<_> = c.stored.iter().map(|(d, id)| stored(d, id)).collect();
            let mut b = Builder::new(Default::default());
            let chosen = of(
                &mut b,
                Sources {
                    settings: &settings,
                    flavor: &facts,
                    read_as: &flavor,
                    vars: &vars,
                    found: found.as_ref(),
                    stored: &stored,
                    pod: "kafka-1",
                    migrating: c.migrating,
                },
                c.migrated_broker,
                &[7; 16],
            );
            let want = c
                .chosen
                .map(|(id, from)| (id.to_string(), from.to_string()));
            // A problem refuses the start whatever is chosen.
            if c.problems.is_empty() {
                assert_eq!(chosen, want, "{}", c.name);
            }
            assert_eq!(
                b.problems.len(),
                c.problems.len(),
                "{}: {:#?}",
                c.name,
                b.problems
            );
            for (p, (var, says)) in b.problems.iter().zip(c.problems) {
                assert_eq!(&p.var, var, "{}", c.name);
                let text = format!("{} {}", p.rule, p.fix);
                for s in *says {
                    assert!(text.contains(s), "{}: {s:?} not in {text}", c.name);
                }
            }
        }
    }
}
