//! Naming conventions: how Kafka settings are written as environment
//! variables (Bitnami's `KAFKA_CFG_<KEY>`, apache/kafka's `KAFKA_<KEY>`,
//! cp-kafka's). What the user wrote is read once, in the user's convention,
//! and handed over in the target image's: a user who changes image keeps
//! their ConfigMap, so the convention that reads is chosen by the variables,
//! not by the flavor (DESIGN.md). The image's own convention reads whatever
//! the user's leaves, because the image will read it too.

use std::collections::BTreeMap;

use super::Flavor;
use crate::plan::{Origin, Plan, ReadAs, UserSettings};
use crate::problem::Problem;
use crate::secret;

/// One way of naming Kafka settings in the environment.
pub struct Convention {
    /// Its name, as the start-up summary and `plan` say it (`bitnami`).
    pub name: &'static str,
    /// The names it reads, for people (`KAFKA_CFG_<KEY> and Bitnami's aliases`).
    pub names: &'static str,
    /// The Kafka key one variable names in this convention, if any.
    pub key: fn(&str) -> Option<String>,
    /// The variable that names a Kafka key in this convention.
    pub var: fn(&str) -> String,
    /// Reads every setting of an environment (aliases, conflicts, service links).
    pub read: fn(&BTreeMap<String, String>, &mut Vec<Problem>) -> UserSettings,
    /// True for a variable only this convention names: its presence says the
    /// user wrote in this convention, whatever the target image.
    pub marks: fn(&str) -> bool,
    /// The variable this convention's image reads the KRaft cluster id from.
    pub cluster_id_var: Option<&'static str>,
}

impl Convention {
    /// The plain facts of this convention the Plan keeps.
    pub fn read_as(&'static self) -> ReadAs {
        ReadAs {
            name: self.name,
            names: self.names,
            cluster_id_var: self.cluster_id_var,
        }
    }

    /// True when this convention reads `var` (a setting or the cluster id).
    fn consumes(&self, var: &str) -> bool {
        (self.key)(var).is_some() || self.cluster_id_var == Some(var)
    }
}

/// Conventions that can be recognised by a name only they use, tried in order.
const RECOGNISABLE: &[&Convention] = &[&super::bitnami::CONVENTION];

/// Every convention.
const ALL: &[&Convention] = &[
    &super::bitnami::CONVENTION,
    &super::apache::CONVENTION,
    &super::confluent::CONVENTION,
];

/// The convention of this name.
pub fn named(name: &str) -> Option<&'static Convention> {
    ALL.iter().copied().find(|c| c.name == name)
}

/// The convention the user's variables are in: one whose own names appear
/// (a `KAFKA_CFG_*`), else the target image's.
pub fn chosen(flavor: &dyn Flavor, vars: &BTreeMap<String, String>) -> &'static Convention {
    let own = flavor.convention_in(vars);
    RECOGNISABLE
        .iter()
        .copied()
        .find(|c| c.name != own.name && vars.keys().any(|v| (c.marks)(v)))
        .unwrap_or(own)
}

/// Reads the user's settings in the chosen convention, then whatever the
/// image would read besides under its own names; the same key set both ways
/// to different values is a problem (which one would Kafka get?).
pub fn read(
    flavor: &dyn Flavor,
    vars: &BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) -> (UserSettings, &'static Convention) {
    let own = flavor.convention_in(vars);
    let user = chosen(flavor, vars);
    let mut out = (user.read)(vars, problems);
    if user.name == own.name {
        return (out, user);
    }
    unspellable(&out, own, problems);
    let rest: BTreeMap<String, String> = vars
        .iter()
        .filter(|(v, _)| !user.consumes(v))
        .map(|(v, x)| (v.clone(), x.clone()))
        .collect();
    for (key, theirs) in (own.read)(&rest, problems) {
        match out.get(&key) {
            Some(mine) if mine.value != theirs.value => problems.push(Problem::new(
                format!("{} / {}", mine.var, theirs.var),
                format!(
                    "{} / {}",
                    secret::shown(&key, &mine.value),
                    secret::shown(&key, &theirs.value)
                ),
                format!(
                    "both conventions set {key} and disagree: kafka-init reads {} ({}), and the {} image reads {} as well",
                    mine.var, user.name, own.name, theirs.var
                ),
                format!("set {key} once, in {}, and remove {}", mine.var, theirs.var),
            )),
            Some(_) => {}
            None => {
                out.insert(key, theirs);
            }
        }
    }
    (out, user)
}

/// The user's settings the image would not read under the name the user
/// gave them (read in another convention), as `(image's variable, value)`.
pub fn translated(plan: &Plan, image: &Convention) -> BTreeMap<String, String> {
    plan.entries
        .iter()
        .filter_map(|e| match &e.origin {
            Origin::User(v) if (image.key)(v).as_deref() != Some(&e.key) => {
                Some(((image.var)(&e.key), e.value.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Keys read in another convention that the image's naming cannot spell
/// (apache/kafka lower-cases every name, so `zookeeper.clientCnxnSocket` is
/// out of its reach): the variable kafka-init would hand over names another key.
fn unspellable(settings: &UserSettings, image: &Convention, problems: &mut Vec<Problem>) {
    for (key, s) in settings {
        if (image.key)(&s.var).as_deref() == Some(key.as_str()) {
            continue;
        }
        let var = (image.var)(key);
        let read = (image.key)(&var);
        if read.as_deref() != Some(key.as_str()) {
            problems.push(Problem::new(
                &s.var,
                secret::shown(key, &s.value),
                format!(
                    "the {} image reads its settings from variable names, and no name gives {key}: {var} would be read as {}",
                    image.name,
                    read.as_deref().unwrap_or("nothing")
                ),
                format!("mount a server.properties with {key} (the image's /mnt/shared/config), or use the properties flavor"),
            ));
        }
    }
}

/// The variables of `base` read in the user's convention under a name the
/// image reads differently (`KAFKA_CFG_LISTENERS` would be `cfg.listeners`
/// to apache/kafka): `exec` removes them, their settings handed over under
/// the image's names. Each comes with what it was read as.
pub fn withheld(
    flavor: &dyn Flavor,
    plan: &Plan,
    base: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let own = flavor.convention_in(base);
    let Some(user) = named(plan.read_as.name) else {
        return vec![];
    };
    if user.name == own.name {
        return vec![];
    }
    base.keys()
        .filter(|v| user.consumes(v))
        .filter_map(|v| {
            let theirs = (user.key)(v);
            if theirs.is_some() && theirs == (own.key)(v) {
                return None;
            }
            let what = theirs.unwrap_or_else(|| "the cluster id".into());
            Some((v.clone(), what))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flavor::{
        apache::Apache, bitnami::Bitnami, confluent::Confluent, properties::Properties,
    };

    type Env<'a> = &'a [(&'a str, &'a str)];
    type Read<'a> = &'a [(&'a str, &'a str, &'a str)];

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_convention_is_the_one_the_variables_are_written_in() {
        let cases: &[(&dyn Flavor, Env, &str)] = &[
            (&Apache, &[("KAFKA_CFG_LISTENERS", "P://:1")], "bitnami"),
            (&Apache, &[("KAFKA_LOGS_DIRS", "/d")], "bitnami"),
            // Named alike in both: the image's own reading is the same.
            (&Apache, &[("KAFKA_ZOOKEEPER_CONNECT", "zk:2181")], "apache"),
            (&Apache, &[("KAFKA_LISTENERS", "P://:1")], "apache"),
            (&Confluent, &[("KAFKA_CFG_NUM_PARTITIONS", "3")], "bitnami"),
            (&Confluent, &[], "confluent"),
            (&Bitnami, &[("KAFKA_NUM_PARTITIONS", "3")], "bitnami"),
            (&Properties, &[("KAFKA_CFG_NUM_PARTITIONS", "3")], "bitnami"),
        ];
        for (flavor, env, want) in cases {
            assert_eq!(
                chosen(*flavor, &vars(env)).name,
                *want,
                "{}: {env:?}",
                flavor.facts().name
            );
        }
    }

    /// Bitnami name → the key it sets → the variable apache/kafka reads it from.
    #[test]
    fn bitnami_names_are_handed_to_apache_kafka_under_its_names() {
        let cases = [
            ("KAFKA_CFG_LISTENERS", "listeners", "KAFKA_LISTENERS"),
            (
                "KAFKA_CFG_ZOOKEEPER_CONNECT",
                "zookeeper.connect",
                "KAFKA_ZOOKEEPER_CONNECT",
            ),
            (
                "KAFKA_CFG_LOG_RETENTION_HOURS",
                "log.retention.hours",
                "KAFKA_LOG_RETENTION_HOURS",
            ),
            (
                "KAFKA_CFG_LISTENER_NAME_SASL_SSL_PLAIN_SASL_JAAS_CONFIG",
                "listener.name.sasl_ssl.plain.sasl.jaas.config",
                "KAFKA_LISTENER_NAME_SASL__SSL_PLAIN_SASL_JAAS_CONFIG",
            ),
            (
                "KAFKA_ZOOKEEPER_CONNECT",
                "zookeeper.connect",
                "KAFKA_ZOOKEEPER_CONNECT",
            ),
            (
                "KAFKA_INTER_BROKER_LISTENER_NAME",
                "inter.broker.listener.name",
                "KAFKA_INTER_BROKER_LISTENER_NAME",
            ),
            ("KAFKA_BROKER_ID", "broker.id", "KAFKA_BROKER_ID"),
            ("KAFKA_LOGS_DIRS", "log.dirs", "KAFKA_LOG_DIRS"),
            (
                "KAFKA_SEGMENT_BYTES",
                "log.segment.bytes",
                "KAFKA_LOG_SEGMENT_BYTES",
            ),
            (
                "KAFKA_MAX_MESSAGE_BYTES",
                "message.max.bytes",
                "KAFKA_MESSAGE_MAX_BYTES",
            ),
            (
                "KAFKA_ZOOKEEPER_CONNECT_TIMEOUT_MS",
                "zookeeper.connection.timeout.ms",
                "KAFKA_ZOOKEEPER_CONNECTION_TIMEOUT_MS",
            ),
        ];
        for (bitnami, key, apache) in cases {
            assert_eq!(
                (super::super::bitnami::CONVENTION.key)(bitnami).as_deref(),
                Some(key),
                "{bitnami}"
            );
            assert_eq!(super::super::apache::var(key), apache, "{key}");
            assert_eq!(
                super::super::apache::key(apache).as_deref(),
                Some(key),
                "{apache}"
            );
        }
    }

    #[test]
    fn a_key_set_in_both_conventions_is_read_once_or_is_a_problem_when_they_disagree() {
        let cases: &[(Env, Read, &[&str])] = &[
            // Bitnami's name, and a name only apache/kafka reads: both kept.
            (
                &[
                    ("KAFKA_CFG_LISTENERS", "P://:1"),
                    ("KAFKA_LOG_RETENTION_MS", "1000"),
                ],
                &[
                    ("listeners", "P://:1", "KAFKA_CFG_LISTENERS"),
                    ("log.retention.ms", "1000", "KAFKA_LOG_RETENTION_MS"),
                ],
                &[],
            ),
            // The same key both ways, the same value: read once, no problem.
            (
                &[
                    ("KAFKA_CFG_LOG_RETENTION_MS", "1000"),
                    ("KAFKA_LOG_RETENTION_MS", "1000"),
                ],
                &[("log.retention.ms", "1000", "KAFKA_CFG_LOG_RETENTION_MS")],
                &[],
            ),
            // The same key both ways, two values: which would Kafka get?
            (
                &[
                    ("KAFKA_CFG_LOG_RETENTION_MS", "1000"),
                    ("KAFKA_LOG_RETENTION_MS", "2000"),
                ],
                &[("log.retention.ms", "1000", "KAFKA_CFG_LOG_RETENTION_MS")],
                &["KAFKA_CFG_LOG_RETENTION_MS / KAFKA_LOG_RETENTION_MS"],
            ),
            // The cluster id variable is Bitnami's, not a key `kraft.cluster.id`.
            (
                &[
                    ("KAFKA_CFG_NUM_PARTITIONS", "3"),
                    ("KAFKA_KRAFT_CLUSTER_ID", "x"),
                ],
                &[("num.partitions", "3", "KAFKA_CFG_NUM_PARTITIONS")],
                &[],
            ),
            // A key apache/kafka's names cannot spell: it lower-cases them.
            (
                &[(
                    "KAFKA_CFG_ZOOKEEPER_CLIENTCNXNSOCKET",
                    "org.apache.zookeeper.ClientCnxnSocketNetty",
                )],
                &[(
                    "zookeeper.clientCnxnSocket",
                    "org.apache.zookeeper.ClientCnxnSocketNetty",
                    "KAFKA_CFG_ZOOKEEPER_CLIENTCNXNSOCKET",
                )],
                &["KAFKA_CFG_ZOOKEEPER_CLIENTCNXNSOCKET"],
            ),
        ];
        for (env, want, want_problems) in cases {
            let mut problems = vec![];
            let (got, read_as) = read(&Apache, &vars(env), &mut problems);
            assert_eq!(read_as.name, "bitnami");
            let got: Vec<(&str, &str, &str)> = got
                .iter()
                .map(|(k, s)| (k.as_str(), s.value.as_str(), s.var.as_str()))
                .collect();
            assert_eq!(&got, want, "{env:?}");
            let vars: Vec<&str> = problems.iter().map(|p| p.var.as_str()).collect();
            assert_eq!(&vars, want_problems, "{env:?}: {problems:?}");
        }
    }
}
