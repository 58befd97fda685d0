//! `kafka-init audit`: asks one broker (this pod's own, or `--bootstrap`)
//! for the cluster's metadata and the configs that decide whether writes
//! succeed, and prints the findings of [`crate::audit`]. Exit 0 when clean,
//! 1 on findings or when the broker cannot be asked, 78 on configuration
//! problems.
//!
//! It runs inside the Kafka container, under its memory limit, so what it
//! keeps is bounded whatever the broker answers: Metadata is streamed and
//! only what the findings need is kept (per topic, the partition with the
//! fewest replicas and the troubled ones, [`KEPT_BUDGET`] in all);
//! DescribeConfigs is refused when its frame is larger than one key per
//! resource needs, and streamed too. Findings are listed up to
//! [`audit::FINDINGS_LISTED`].

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use crate::audit::{self, Cluster, Expected, HostRule, Metadata, MinIsr, PartitionState};
use crate::environment::Inputs;
use crate::listener;
use crate::plan::Plan;
use crate::settings::Settings;
use crate::wire::api_versions::{self, ApiVersionsResponse};
use crate::wire::describe_configs::{self, Resource, ResourceResult, ResourceType};
use crate::wire::metadata;
use crate::wire::Connection;

const CLIENT: &str = "kafka-init-audit";
const MIN_ISR: &str = "min.insync.replicas";
const DEFAULT_RF: &str = "default.replication.factor";
/// `DescribeConfigsResponse.ConfigSource` of a topic's own setting.
const TOPIC_CONFIG: i8 = 1;
/// UNKNOWN_TOPIC_OR_PARTITION: what a broker answers DescribeConfigs for a
/// topic deleted since Metadata listed it.
const UNKNOWN_TOPIC: i16 = 3;

/// What audit keeps of the topics at most: names and kept partitions,
/// counted at [`TOPIC_COST`] bytes per topic plus its name (about 70,000
/// topics). With the DescribeConfigs request that names them all again,
/// audit stays under 32 MiB.
const KEPT_BUDGET: usize = 8 << 20;
/// The memory a kept topic takes besides its name: the map's node, the
/// name's and the partitions' headers, one partition.
const TOPIC_COST: usize = 128;
/// Troubled partitions kept at most (each is a finding).
const TROUBLED_KEPT: usize = audit::FINDINGS_LISTED;
/// The largest Metadata answer audit reads: ten times a cluster of a
/// million partitions. Streamed, so its size costs time, not memory; the
/// bound turns a peer that is not Kafka into an error at once.
const METADATA_MAX_FRAME: usize = 512 << 20;

/// Runs `audit`.
pub fn run(
    inputs: &Inputs,
    bootstrap: Option<(String, u16)>,
    json: bool,
    timeout: Duration,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let mut skipped = vec![];
    // From "the image on its own" there is no pod to derive: with
    // --bootstrap, audit what needs no pod settings and say what it skipped.
    let plan = match (super::derive_for(inputs, None, None), &bootstrap) {
        (Ok(plan), _) => Some(plan),
        (Err(problems), None) => return Err(problems.into()),
        (Err(_), Some(_)) => {
            skipped.push("the broker count and advertised hosts: this pod's settings do not derive (run kafka-init plan to see why)".to_string());
            None
        }
    };
    let (host, port) = match (&bootstrap, &plan) {
        (Some(b), _) => b.clone(),
        (None, Some(plan)) => {
            let target = plan.probe.as_ref().ok_or_else(|| {
                anyhow!(
                    "cannot audit from here: {}; give --bootstrap HOST:PORT of a broker",
                    plan.why_no_probe.as_deref().unwrap_or("no listener to ask")
                )
            })?;
            (target.host.clone(), target.port)
        }
        (None, None) => unreachable!("derivation failed without --bootstrap returned above"),
    };
    let expected = match &plan {
        Some(plan) => expected(plan, inputs, bootstrap.is_some(), &mut skipped),
        None => Expected::default(),
    };
    let place = format!("{host}:{port}");
    let (md, cluster_id, configs) =
        ask(&host, port, deadline).with_context(|| format!("audit via {place}"))?;
    let cluster = Cluster {
        metadata: &md,
        min_isr: configs.min_isr,
        default_rf: configs.default_rf,
    };
    let mut findings: Vec<_> = configs.gone.iter().map(|t| audit::topic_gone(t)).collect();
    findings.extend(audit::findings(&cluster, &expected));
    let report = if json {
        let partitions = md.partitions;
        let v = serde_json::json!({
            "bootstrap": place,
            "cluster_id": cluster_id,
            "brokers": md.brokers.iter().map(|b| b.node_id).collect::<Vec<_>>(),
            "topics": md.topics.len(),
            "partitions": partitions,
            "findings": findings,
            "skipped": skipped,
        });
        format!("{v:#}\n")
    } else {
        audit::text(&findings, &skipped)
    };
    crate::output::stdout(&report, "the audit report")?;
    if !findings.is_empty() {
        bail!("{} finding(s) via {place}", findings.len());
    }
    Ok(())
}

/// What this pod's settings say the cluster should look like.
fn expected(
    plan: &Plan,
    inputs: &Inputs,
    bootstrapped: bool,
    skipped: &mut Vec<String>,
) -> Expected {
    let settings = Settings::of(&inputs.vars);
    let brokers = settings
        .kafka_init_broker_replicas
        .or(settings.kafka_init_replicas)
        .and_then(|v| v.trim().parse().ok());
    let hosts = if bootstrapped {
        skipped
            .push("advertised hosts: --bootstrap may be another listener than this pod's".into());
        None
    } else {
        host_rule(plan)
    };
    let planned = |key| plan.get(key).and_then(|v| v.trim().parse().ok());
    Expected {
        brokers,
        hosts,
        min_isr: planned("min.insync.replicas"),
        default_rf: planned("default.replication.factor"),
    }
}

/// Brokers advertise `<sts>-<ordinal><suffix>` on the listener we ask, when
/// this pod advertises its own name there (derived, not a custom host).
fn host_rule(plan: &Plan) -> Option<HostRule> {
    let target = plan.probe.as_ref()?;
    let advertised = listener::parse_list(plan.get("advertised.listeners")?).ok()?;
    let own = advertised.iter().find(|l| l.name == target.listener)?;
    let suffix = own.host.strip_prefix(&plan.pod.name)?;
    suffix.starts_with('.').then(|| HostRule {
        statefulset: plan.pod.statefulset.clone(),
        id_offset: i64::from(plan.id) - i64::from(plan.pod.ordinal),
        suffix: suffix.to_string(),
    })
}

/// Metadata as audit keeps it, with the count of all partitions.
struct Kept {
    metadata: Metadata,
    partitions: usize,
}

impl std::ops::Deref for Kept {
    type Target = Metadata;
    fn deref(&self) -> &Metadata {
        &self.metadata
    }
}

/// What DescribeConfigs said.
#[derive(Default)]
struct Configs {
    min_isr: BTreeMap<String, MinIsr>,
    default_rf: Option<u32>,
    /// Topics deleted since Metadata listed them.
    gone: Vec<String>,
}

type Answers = (Kept, Option<String>, Configs);

/// ApiVersions, Metadata (all topics), then DescribeConfigs of every topic
/// and of the answering broker, on one connection.
fn ask(host: &str, port: u16, deadline: Instant) -> Result<Answers> {
    let mut conn = Connection::open(host, port, deadline)?;
    let versions = exchange_api_versions(&mut conn)?;
    let (mut md, cluster_id) = exchange_metadata(&mut conn, &versions)?;
    // Only the broker we are connected to describes its own configs; the
    // others' ids come back with an error. Ask for every id and keep the one.
    let ids: Vec<String> = md.brokers.iter().map(|b| b.node_id.to_string()).collect();
    let mut resources: Vec<Resource<'_>> = md
        .topics
        .keys()
        .map(|t| Resource {
            kind: ResourceType::Topic,
            name: t,
            keys: &[MIN_ISR],
        })
        .collect();
    resources.extend(ids.iter().map(|id| Resource {
        kind: ResourceType::Broker,
        name: id,
        keys: &[DEFAULT_RF],
    }));
    let served = versions
        .range(describe_configs::API_KEY)
        .is_some_and(|r| (r.min..=r.max).contains(&describe_configs::VERSION));
    if !served {
        bail!("the broker does not serve DescribeConfigs v4");
    }
    let max = describe_configs::max_frame(&resources);
    let request = describe_configs::encode_request(3, CLIENT, &resources);
    drop(resources);
    conn.send(&request, "DescribeConfigs")?;
    drop(request);
    let len = conn.frame_len("DescribeConfigs", i32::MAX as usize)?;
    if len > max {
        bail!("the DescribeConfigs answer is {len} bytes, more than the {max} that one key for each of the {} topics and {} brokers asked about can take: not an answer Kafka gives; audit reads no further", md.topics.len(), ids.len());
    }
    let mut configs = Configs::default();
    let mut failed = None;
    describe_configs::decode_each(&mut conn, len, 3, |r| {
        if failed.is_none() {
            if let Err(e) = fold(&mut configs, &md, r) {
                failed = Some(e);
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    // A topic deleted during the audit is reported as such, nothing else.
    for t in &configs.gone {
        md.metadata.topics.remove(t);
    }
    Ok((md, cluster_id, configs))
}

/// Adds one DescribeConfigs result to what audit keeps of them.
fn fold(configs: &mut Configs, md: &Metadata, r: ResourceResult) -> Result<()> {
    if r.resource_type == 4 {
        if r.error_code == 0 && configs.default_rf.is_none() {
            configs.default_rf = r.value(DEFAULT_RF).and_then(|v| v.trim().parse().ok());
        }
        return Ok(());
    }
    if r.resource_type != 2 || !md.topics.contains_key(&r.resource_name) {
        // Not asked about: kept nowhere.
        return Ok(());
    }
    match r.error_code {
        0 => {}
        UNKNOWN_TOPIC => {
            configs.gone.push(r.resource_name);
            return Ok(());
        }
        code => bail!(
            "DescribeConfigs of topic {} answered error code {code} ({})",
            r.resource_name,
            r.error_message.as_deref().unwrap_or("no message")
        ),
    }
    let Some(entry) = r.configs.iter().find(|c| c.name == MIN_ISR) else {
        return Ok(());
    };
    if let Some(value) = entry.value.as_deref().and_then(|v| v.trim().parse().ok()) {
        let topic_override = entry.source == TOPIC_CONFIG;
        configs.min_isr.insert(
            r.resource_name,
            MinIsr {
                value,
                topic_override,
            },
        );
    }
    Ok(())
}

fn exchange_api_versions(conn: &mut Connection) -> Result<ApiVersionsResponse> {
    let request = api_versions::encode_request(1, CLIENT, CLIENT, env!("CARGO_PKG_VERSION"));
    conn.send(&request, "ApiVersions")?;
    let len = conn.frame_len("ApiVersions", api_versions::MAX_FRAME)?;
    let response = api_versions::decode_response(&mut *conn, len, 1)?;
    if response.error_code != 0 {
        bail!("ApiVersions answered error code {}", response.error_code);
    }
    Ok(response)
}

/// Metadata of all topics, streamed; what is kept is bounded (see the
/// module doc): per topic, the partition with the fewest replicas (its
/// replication factor) and the troubled ones, up to [`TROUBLED_KEPT`].
fn exchange_metadata(
    conn: &mut Connection,
    versions: &ApiVersionsResponse,
) -> Result<(Kept, Option<String>)> {
    let version = versions
        .range(metadata::API_KEY)
        .and_then(|r| metadata::pick_version(r.min, r.max))
        .ok_or_else(|| anyhow!("the broker speaks no Metadata version we do (9-13)"))?;
    conn.send(&metadata::encode_request(version, 2, CLIENT), "Metadata")?;
    let len = conn.frame_len("Metadata", METADATA_MAX_FRAME)?;
    let mut brokers = vec![];
    // Both callbacks charge the one budget.
    let keeper = std::cell::RefCell::new(Keeper::default());
    let summary = metadata::decode_with_brokers(
        &mut *conn,
        len,
        version,
        2,
        -1,
        |b| {
            if keeper.borrow_mut().charge(TOPIC_COST + b.host.len()) {
                brokers.push(b.clone());
            }
        },
        |t, p| {
            let name = t.name.as_deref().unwrap_or_default();
            keeper.borrow_mut().partition(name, p.into());
        },
    )?;
    let keep = keeper.into_inner();
    if keep.over {
        bail!("the cluster lists more brokers and topics than audit keeps within its memory ({} MiB: {} topics kept of {}); audit a smaller cluster, or file an issue with its size", KEPT_BUDGET >> 20, keep.topics.len(), summary.topics);
    }
    if summary.error_code != 0 {
        bail!("Metadata answered error code {}", summary.error_code);
    }
    let metadata = Metadata {
        brokers,
        topics: keep.topics,
        unlisted_partitions: keep.unlisted,
    };
    Ok((
        Kept {
            metadata,
            partitions: summary.partitions,
        },
        summary.cluster_id,
    ))
}

/// What audit keeps of the topics as Metadata streams by.
#[derive(Default)]
struct Keeper {
    topics: BTreeMap<String, Vec<PartitionState>>,
    /// Bytes kept so far, as counted by [`Keeper::charge`].
    used: usize,
    /// The budget ran out: the answer is read on, nothing more kept.
    over: bool,
    troubled: usize,
    unlisted: u64,
}

impl Keeper {
    /// Counts `bytes` against [`KEPT_BUDGET`]; false once it is spent.
    fn charge(&mut self, bytes: usize) -> bool {
        self.used += bytes;
        self.over |= self.used > KEPT_BUDGET;
        !self.over
    }

    fn partition(&mut self, topic: &str, p: PartitionState) {
        if !self.topics.contains_key(topic) {
            if !self.charge(TOPIC_COST + topic.len()) {
                return;
            }
            self.topics.insert(topic.to_string(), vec![]);
        }
        let troubled = p.leader < 0 || p.isr < p.replicas;
        let listed = troubled && self.troubled < TROUBLED_KEPT;
        if troubled && !listed {
            self.unlisted += 1;
        }
        let Some(kept) = self.topics.get_mut(topic) else {
            return;
        };
        if listed {
            self.troubled += 1;
            kept.push(p);
            return;
        }
        // One healthy partition stands for all that are not listed: the
        // one with the fewest replicas, the topic's replication factor.
        let stand_in = PartitionState {
            isr: p.replicas,
            leader: p.leader.max(0),
            ..p
        };
        let healthy = |q: &&mut PartitionState| q.leader >= 0 && q.isr >= q.replicas;
        match kept.iter_mut().find(healthy) {
            Some(q) if p.replicas < q.replicas => *q = stand_in,
            Some(_) => {}
            None => kept.push(stand_in),
        }
    }
}
