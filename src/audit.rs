//! Cluster findings for `kafka-init audit`, computed from what the brokers
//! answered (Metadata, DescribeConfigs) and what this pod's settings expect.
//! Pure: the answers come in as values, the findings go out as data.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::wire::metadata::{Broker, PartitionView};

/// One thing wrong with the cluster, for a person or a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable name for scripts, e.g. `rf-below-min-isr`.
    pub kind: &'static str,
    /// What it is about: a topic, `topic-partition`, or `broker N`.
    pub subject: String,
    /// What is wrong and what it causes.
    pub detail: String,
    /// What to do about it.
    pub fix: String,
}

/// A topic's effective `min.insync.replicas` and where the value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinIsr {
    /// The value.
    pub value: u32,
    /// True when set on the topic itself, false when the broker's default.
    pub topic_override: bool,
}

/// One partition as the audit needs it: its leader and how many replicas
/// are assigned and in sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionState {
    /// The partition number.
    pub index: i32,
    /// The leader's node id, -1 when there is none.
    pub leader: i32,
    /// Replicas assigned.
    pub replicas: u32,
    /// Replicas in sync with the leader.
    pub isr: u32,
}

impl From<&PartitionView> for PartitionState {
    fn from(p: &PartitionView) -> Self {
        PartitionState {
            index: p.index,
            leader: p.leader,
            replicas: p.replicas as u32,
            isr: p.isr as u32,
        }
    }
}

/// The brokers and topics of a Metadata answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// The live brokers, with the host and port they advertise on the listener asked.
    pub brokers: Vec<Broker>,
    /// Every topic by name, with its partitions: all of them, or (as
    /// `kafka-init audit` keeps them, to stay within its memory) the one
    /// with the fewest replicas and those without a leader or out of sync.
    pub topics: BTreeMap<String, Vec<PartitionState>>,
    /// Partitions without a leader or out of sync that were not kept.
    pub unlisted_partitions: u64,
}

/// Findings listed at most; the rest are counted in one last finding, so
/// that a cluster of a million troubled partitions makes a report of a
/// bounded size.
pub const FINDINGS_LISTED: usize = 1000;

/// Findings as they are made, up to [`FINDINGS_LISTED`].
#[derive(Default)]
struct Listed {
    list: Vec<Finding>,
    unlisted: u64,
}

impl Listed {
    /// Adds the finding `make` makes, or counts it once the list is full.
    fn push(&mut self, make: impl FnOnce() -> Finding) {
        if self.list.len() < FINDINGS_LISTED {
            self.list.push(make());
        } else {
            self.unlisted += 1;
        }
    }
}

/// A topic listed by Metadata and gone by the time DescribeConfigs asked
/// about it (UNKNOWN_TOPIC_OR_PARTITION): deleted during the audit.
pub fn topic_gone(name: &str) -> Finding {
    Finding {
        kind: "topic-gone",
        subject: name.to_string(),
        detail: "listed by Metadata, then unknown to DescribeConfigs (UNKNOWN_TOPIC_OR_PARTITION): deleted while the audit ran, so not audited".into(),
        fix: "nothing if the deletion was meant; run the audit again for a view without it".into(),
    }
}

/// What the cluster told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster<'a> {
    /// The Metadata answer (all topics).
    pub metadata: &'a Metadata,
    /// Each topic's effective `min.insync.replicas` (DescribeConfigs).
    pub min_isr: BTreeMap<String, MinIsr>,
    /// The answering broker's `default.replication.factor`.
    pub default_rf: Option<u32>,
}

/// How brokers should advertise themselves: `<statefulset>-<id - offset><suffix>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRule {
    /// The brokers' StatefulSet.
    pub statefulset: String,
    /// `node.id`/`broker.id` minus this is the pod ordinal.
    pub id_offset: i64,
    /// What follows the pod name, e.g. `.kafka.kafka.svc.cluster.local`.
    pub suffix: String,
}

impl HostRule {
    /// The host broker `id` should advertise, if `id` belongs to the StatefulSet.
    pub fn host_for(&self, id: i32) -> Option<String> {
        let ordinal = i64::from(id) - self.id_offset;
        (ordinal >= 0).then(|| format!("{}-{ordinal}{}", self.statefulset, self.suffix))
    }
}

/// What this pod's settings say the cluster should look like.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// `KAFKA_INIT_REPLICAS` (or `KAFKA_INIT_BROKER_REPLICAS`): brokers that should be registered.
    pub brokers: Option<u32>,
    /// How each broker should advertise the listener we asked on.
    pub hosts: Option<HostRule>,
    /// The brokers' `min.insync.replicas` in this pod's Plan: what applies
    /// once the brokers run under kafka-init, whatever they run with today.
    pub min_isr: Option<u32>,
    /// The brokers' `default.replication.factor` in this pod's Plan.
    pub default_rf: Option<u32>,
}

/// Every finding, in a stable order: topics, partitions, brokers.
/// At most [`FINDINGS_LISTED`], then one that counts the rest.
pub fn findings(cluster: &Cluster<'_>, expected: &Expected) -> Vec<Finding> {
    let mut out = Listed::default();
    topic_findings(cluster, expected, &mut out);
    partition_findings(cluster.metadata, &mut out);
    broker_findings(cluster.metadata, expected, &mut out);
    let unlisted = out.unlisted + cluster.metadata.unlisted_partitions;
    let mut list = out.list;
    if unlisted > 0 {
        list.push(Finding {
            kind: "more-findings",
            subject: "cluster".into(),
            detail: format!("{unlisted} more finding(s) not listed (the report lists the first {FINDINGS_LISTED}, and keeps {FINDINGS_LISTED} troubled partitions at most)"),
            fix: "fix the listed ones first (many usually share one cause, such as a broker down), then run the audit again".into(),
        });
    }
    list
}

/// The replication factor of a topic: its weakest partition's replica count.
fn replication_factor(partitions: &[PartitionState]) -> Option<u32> {
    partitions.iter().map(|p| p.replicas).min()
}

/// A topic's `min.insync.replicas`: its own override, else the stricter of
/// the brokers' value today and the Plan's (a running cluster moving onto
/// kafka-init gets the Plan's at its next start), with where it comes from.
fn min_isr_of(
    cluster: &Cluster<'_>,
    expected: &Expected,
    topic: &str,
) -> Option<(u32, &'static str)> {
    let now = cluster.min_isr.get(topic);
    match (now, expected.min_isr) {
        (Some(m), _) if m.topic_override => Some((m.value, "set on the topic")),
        (Some(m), Some(planned)) if planned > m.value => Some((
            planned,
            "kafka-init's setting for the brokers, in effect once they start under kafka-init",
        )),
        (Some(m), _) => Some((m.value, "the brokers' default")),
        (None, planned) => planned.map(|p| (p, "kafka-init's setting for the brokers")),
    }
}

fn topic_findings(cluster: &Cluster<'_>, expected: &Expected, out: &mut Listed) {
    for (name, partitions) in &cluster.metadata.topics {
        let Some(rf) = replication_factor(partitions) else {
            continue;
        };
        if let Some((min, origin)) = min_isr_of(cluster, expected, name) {
            if rf < min {
                out.push(|| Finding {
                    kind: "rf-below-min-isr",
                    subject: name.clone(),
                    detail: format!("replication factor {rf} is below min.insync.replicas {min} ({origin}): every acks=all produce (the Java client's default since 3.0) fails with NOT_ENOUGH_REPLICAS"),
                    fix: format!("raise the replication factor to at least {min} with kafka-reassign-partitions.sh, or keep {rf} and set the topic's own min.insync.replicas={rf}: kafka-configs.sh --alter --entity-type topics --entity-name {name} --add-config min.insync.replicas={rf}"),
                });
            }
        }
        // A topic with its own min.insync.replicas, at most its factor, was
        // sized on purpose: that is the other fix rf-below-min-isr offers
        // (and the move's runbook), and it must leave the audit clean.
        let sized_on_purpose = cluster
            .min_isr
            .get(name.as_str())
            .is_some_and(|m| m.topic_override && m.value <= rf);
        if let Some(default_rf) = cluster.default_rf.max(expected.default_rf) {
            if rf < default_rf && !sized_on_purpose {
                out.push(|| Finding {
                    kind: "rf-below-default",
                    subject: name.clone(),
                    detail: format!("replication factor {rf} is below the brokers' default.replication.factor {default_rf}: losing {rf} broker(s) loses this topic's data"),
                    fix: format!("raise it to {default_rf} with kafka-reassign-partitions.sh (a reassignment JSON listing {default_rf} brokers for each partition)"),
                });
            }
        }
    }
}

fn partition_findings(metadata: &Metadata, out: &mut Listed) {
    for (name, partitions) in &metadata.topics {
        for p in partitions {
            let subject = format!("{name}-{}", p.index);
            if p.leader < 0 {
                out.push(|| Finding {
                    kind: "offline-partition",
                    subject,
                    detail: format!("no leader ({} replicas, {} in sync): neither readable nor writable", p.replicas, p.isr),
                    fix: "start the brokers holding its replicas; check their logs for log-dir failures".into(),
                });
            } else if p.isr < p.replicas {
                out.push(|| Finding {
                    kind: "under-replicated",
                    subject,
                    detail: format!(
                        "{} of {} replicas in sync (leader {})",
                        p.isr, p.replicas, p.leader
                    ),
                    fix: "wait for the missing replicas to catch up (a restarted broker does, within replica.lag.time.max.ms of its start); if they do not, check those brokers".into(),
                });
            }
        }
    }
}

fn broker_findings(metadata: &Metadata, expected: &Expected, out: &mut Listed) {
    if let Some(n) = expected.brokers {
        let got = metadata.brokers.len() as u32;
        if got != n {
            let ids: Vec<i32> = metadata.brokers.iter().map(|b| b.node_id).collect();
            out.push(|| Finding {
                kind: "broker-count",
                subject: "brokers".into(),
                detail: format!("{got} broker(s) registered {ids:?}, KAFKA_INIT_REPLICAS expects {n}"),
                fix: "start the missing brokers (kubectl get pods), or set KAFKA_INIT_REPLICAS to the StatefulSet's replicas".into(),
            });
        }
    }
    if let Some(rule) = &expected.hosts {
        for b in &metadata.brokers {
            match rule.host_for(b.node_id) {
                Some(want) if want == b.host => {}
                want => out.push(|| Finding {
                    kind: "advertised-host",
                    subject: format!("broker {}", b.node_id),
                    detail: format!(
                        "advertises {}:{}, not its pod's name {}",
                        b.host,
                        b.port,
                        want.as_deref().unwrap_or("(its id is outside this StatefulSet)")
                    ),
                    fix: "let kafka-init derive advertised.listeners (unset the advertised setting), or check that broker's configuration".into(),
                }),
            }
        }
    }
}

/// The findings for people: one block per finding, then a count.
pub fn text(findings: &[Finding], skipped: &[String]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{} {}: {}\n    fix: {}\n",
            f.kind, f.subject, f.detail, f.fix
        ));
    }
    for s in skipped {
        out.push_str(&format!("skipped: {s}\n"));
    }
    out.push_str(&format!("{} finding(s)\n", findings.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(index: i32, leader: i32, replicas: &[i32], isr: &[i32]) -> PartitionState {
        PartitionState {
            index,
            leader,
            replicas: replicas.len() as u32,
            isr: isr.len() as u32,
        }
    }

    fn topic(name: &str, partitions: Vec<PartitionState>) -> (String, Vec<PartitionState>) {
        (name.to_string(), partitions)
    }

    fn broker(id: i32, host: &str) -> Broker {
        Broker {
            node_id: id,
            host: host.into(),
            port: 39092,
            rack: None,
        }
    }

    fn metadata(brokers: Vec<Broker>, topics: Vec<(String, Vec<PartitionState>)>) -> Metadata {
        Metadata {
            brokers,
            topics: topics.into_iter().collect(),
            unlisted_partitions: 0,
        }
    }

    fn kinds(f: &[Finding]) -> Vec<(&str, &str)> {
        f.iter().map(|f| (f.kind, f.subject.as_str())).collect()
    }

    #[test]
    fn topics_are_judged_by_replication_factor_against_min_isr_and_default() {
        let min = |value, topic_override| MinIsr {
            value,
            topic_override,
        };
        // (topic's replicas per partition, its min ISR, broker default RF, expected kinds)
        type Case = (
            &'static [&'static [i32]],
            MinIsr,
            Option<u32>,
            &'static [&'static str],
        );
        let cases: &[Case] = &[
            (&[&[0, 1, 2]], min(2, false), Some(3), &[]),
            (
                &[&[0]],
                min(2, false),
                Some(3),
                &["rf-below-min-isr", "rf-below-default"],
            ),
            // its own min.insync.replicas: sized on purpose (the fix rf-below-min-isr offers)
            (&[&[0]], min(1, true), Some(3), &[]),
            // ... but only when that minimum fits the factor
            (
                &[&[0]],
                min(2, true),
                Some(3),
                &["rf-below-min-isr", "rf-below-default"],
            ),
            (&[&[0]], min(1, true), Some(1), &[]),
            // the weakest partition decides
            (
                &[&[0, 1, 2], &[1]],
                min(2, false),
                None,
                &["rf-below-min-isr"],
            ),
            (&[&[0, 1]], min(2, false), Some(3), &["rf-below-default"]),
        ];
        for (replicas, min_isr, default_rf, want) in cases {
            let parts = replicas
                .iter()
                .enumerate()
                .map(|(i, r)| partition(i as i32, r[0], r, r))
                .collect();
            let md = metadata(vec![], vec![topic("t", parts)]);
            let cluster = Cluster {
                metadata: &md,
                min_isr: [("t".to_string(), *min_isr)].into(),
                default_rf: *default_rf,
            };
            let got = findings(&cluster, &Expected::default());
            let got: Vec<&str> = got.iter().map(|f| f.kind).collect();
            assert_eq!(
                &got, want,
                "replicas {replicas:?}, {min_isr:?}, default {default_rf:?}"
            );
        }
    }

    #[test]
    fn the_min_isr_finding_says_both_ways_out() {
        let md = metadata(
            vec![],
            vec![topic("test-topic", vec![partition(0, 1, &[1], &[1])])],
        );
        let cluster = Cluster {
            metadata: &md,
            min_isr: [(
                "test-topic".to_string(),
                MinIsr {
                    value: 2,
                    topic_override: false,
                },
            )]
            .into(),
            default_rf: None,
        };
        let f = &findings(&cluster, &Expected::default())[0];
        assert!(f.detail.contains("NOT_ENOUGH_REPLICAS"), "{}", f.detail);
        assert!(f.fix.contains("kafka-reassign-partitions.sh"), "{}", f.fix);
        assert!(
            f.fix
                .contains("--entity-name test-topic --add-config min.insync.replicas=1"),
            "{}",
            f.fix
        );
    }

    #[test]
    fn a_seed_topic_is_judged_by_what_kafka_init_will_set_not_only_by_today() {
        // The seed's brokers: min.insync.replicas 1 and default factor 1;
        // kafka-init's durable defaults for 3 brokers: 2 and 3.
        let md = metadata(
            vec![],
            vec![topic("test-topic", vec![partition(0, 1, &[1], &[1])])],
        );
        let today = |topic_override| Cluster {
            metadata: &md,
            min_isr: [(
                "test-topic".to_string(),
                MinIsr {
                    value: 1,
                    topic_override,
                },
            )]
            .into(),
            default_rf: Some(1),
        };
        let planned = Expected {
            min_isr: Some(2),
            default_rf: Some(3),
            ..Expected::default()
        };
        let got = findings(&today(false), &planned);
        assert_eq!(
            kinds(&got),
            [
                ("rf-below-min-isr", "test-topic"),
                ("rf-below-default", "test-topic")
            ]
        );
        assert!(
            got[0].detail.contains("once they start under kafka-init"),
            "{}",
            got[0].detail
        );
        // Nothing planned: the seed is consistent with itself.
        assert_eq!(findings(&today(false), &Expected::default()), vec![]);
        // The runbook's other way out: the topic's own min.insync.replicas=1
        // wins, and the topic counts as sized on purpose: clean.
        assert_eq!(kinds(&findings(&today(true), &planned)), []);
    }

    #[test]
    fn partitions_without_a_leader_or_with_a_short_isr_are_reported() {
        let md = metadata(
            vec![],
            vec![topic(
                "t",
                vec![
                    partition(0, 0, &[0, 1, 2], &[0, 1, 2]),
                    partition(1, 1, &[1, 2, 0], &[1, 2]),
                    partition(2, -1, &[2], &[]),
                ],
            )],
        );
        let cluster = Cluster {
            metadata: &md,
            min_isr: BTreeMap::new(),
            default_rf: None,
        };
        assert_eq!(
            kinds(&findings(&cluster, &Expected::default())),
            [("under-replicated", "t-1"), ("offline-partition", "t-2")]
        );
    }

    #[test]
    fn brokers_are_counted_and_their_advertised_hosts_checked() {
        let suffix = ".kafka.kafka.svc.cluster.local";
        let rule = HostRule {
            statefulset: "kafka".into(),
            id_offset: 0,
            suffix: suffix.into(),
        };
        let md = metadata(
            vec![
                broker(0, "kafka-0.kafka.kafka.svc.cluster.local"),
                broker(1, "kafka-1.kafka"), // the seed's short name
            ],
            vec![],
        );
        let cluster = Cluster {
            metadata: &md,
            min_isr: BTreeMap::new(),
            default_rf: None,
        };
        let expected = Expected {
            brokers: Some(3),
            hosts: Some(rule),
            ..Expected::default()
        };
        let got = findings(&cluster, &expected);
        assert_eq!(
            kinds(&got),
            [("broker-count", "brokers"), ("advertised-host", "broker 1")]
        );
        assert!(
            got[1].detail.contains(
                "kafka-1.kafka:39092, not its pod's name kafka-1.kafka.kafka.svc.cluster.local"
            ),
            "{}",
            got[1].detail
        );
    }

    /// Answers captured from real single-node Kafka 3.9.0 and 4.4.0 brokers
    /// (scripts/capture-wire-fixtures.sh) whose default min.insync.replicas is
    /// 2 and default.replication.factor 3: topic probe-fixture (2 partitions,
    /// factor 1) and kept-at-one (factor 1, its own min.insync.replicas=1).
    #[test]
    fn captured_answers_of_real_brokers_give_the_expected_findings() {
        use crate::wire::{describe_configs, metadata};
        let cases: [(&str, i16, &[u8], &[u8]); 2] = [
            (
                "3.9.0",
                12,
                include_bytes!("../tests/fixtures/wire/3.9.0/kafka-init-audit/c2-02-Metadata-v12-response.bin"),
                include_bytes!("../tests/fixtures/wire/3.9.0/kafka-init-audit/c2-03-DescribeConfigs-v4-response.bin"),
            ),
            (
                "4.4.0",
                13,
                include_bytes!("../tests/fixtures/wire/4.4.0/kafka-init-audit/c2-02-Metadata-v13-response.bin"),
                include_bytes!("../tests/fixtures/wire/4.4.0/kafka-init-audit/c2-03-DescribeConfigs-v4-response.bin"),
            ),
        ];
        for (version, md_version, md_frame, dc_frame) in cases {
            let (mut brokers, mut topics) = (vec![], BTreeMap::<_, Vec<_>>::new());
            metadata::decode_with_brokers(
                &md_frame[4..],
                md_frame.len() - 4,
                md_version,
                2,
                -1,
                |b| brokers.push(b.clone()),
                |t, p| {
                    let name = t.name.clone().unwrap_or_default();
                    topics.entry(name).or_default().push(p.into());
                },
            )
            .unwrap();
            let md = Metadata {
                brokers,
                topics,
                unlisted_partitions: 0,
            };
            let results =
                describe_configs::decode_response(&dc_frame[4..], dc_frame.len() - 4, 3).unwrap();
            // The broker describes itself (id 1) and the two topics.
            let topic = |name: &str| results.iter().find(|r| r.resource_name == name).unwrap();
            assert_eq!(
                topic("probe-fixture").value("min.insync.replicas"),
                Some("2"),
                "{version}"
            );
            let kept = &topic("kept-at-one").configs[0];
            assert_eq!(
                (kept.value.as_deref(), kept.source),
                (Some("1"), 1),
                "{version}: a topic override"
            );
            assert_eq!(
                topic("1").value("default.replication.factor"),
                Some("3"),
                "{version}"
            );
            let cluster = Cluster {
                metadata: &md,
                min_isr: [
                    (
                        "probe-fixture".to_string(),
                        MinIsr {
                            value: 2,
                            topic_override: false,
                        },
                    ),
                    (
                        "kept-at-one".to_string(),
                        MinIsr {
                            value: 1,
                            topic_override: true,
                        },
                    ),
                ]
                .into(),
                default_rf: Some(3),
            };
            let expected = Expected {
                brokers: Some(1),
                ..Expected::default()
            };
            let all = findings(&cluster, &expected);
            let mut got = kinds(&all);
            got.sort();
            assert_eq!(
                got,
                [
                    ("rf-below-default", "probe-fixture"),
                    ("rf-below-min-isr", "probe-fixture")
                ],
                "{version}"
            );
        }
    }

    #[test]
    fn host_rules_map_ids_back_to_pods_through_the_offset() {
        let rule = HostRule {
            statefulset: "kafka-broker".into(),
            id_offset: 100,
            suffix: ".s".into(),
        };
        assert_eq!(rule.host_for(102).as_deref(), Some("kafka-broker-2.s"));
        assert_eq!(rule.host_for(3), None);
    }
}
