//! `kafka-init audit`: asks one broker (this pod's own, or `--bootstrap`)
//! for the cluster's metadata and the configs that decide whether writes
//! succeed, and prints the findings of [`crate::audit`]. Exit 0 when clean,
//! 1 on findings or when the broker cannot be asked, 78 on configuration
//! problems.

use std::collections::BTreeMap;
use std::io::Write;
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
    let (md, cluster_id, min_isr, default_rf) =
        ask(&host, port, deadline).with_context(|| format!("audit via {place}"))?;
    let cluster = Cluster {
        metadata: &md,
        min_isr,
        default_rf,
    };
    let findings = audit::findings(&cluster, &expected);
    let report = if json {
        let partitions: usize = md.topics.values().map(Vec::len).sum();
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
    // A closed stdout (audit | head) must not turn findings into a crash.
    let _ = std::io::stdout().write_all(report.as_bytes());
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

type Answers = (
    Metadata,
    Option<String>,
    BTreeMap<String, MinIsr>,
    Option<u32>,
);

/// ApiVersions, Metadata (all topics), then DescribeConfigs of every topic
/// and of the answering broker, on one connection.
fn ask(host: &str, port: u16, deadline: Instant) -> Result<Answers> {
    let mut conn = Connection::open(host, port, deadline)?;
    let versions = exchange_api_versions(&mut conn)?;
    let (md, cluster_id) = exchange_metadata(&mut conn, &versions)?;
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
    conn.send(
        &describe_configs::encode_request(3, CLIENT, &resources),
        "DescribeConfigs",
    )?;
    let len = conn.frame_len("DescribeConfigs", describe_configs::MAX_FRAME)?;
    let results = describe_configs::decode_response(&mut conn, len, 3)?;
    Ok((
        md,
        cluster_id,
        min_isr_of(&results)?,
        default_rf_of(&results),
    ))
}

fn min_isr_of(results: &[ResourceResult]) -> Result<BTreeMap<String, MinIsr>> {
    let mut out = BTreeMap::new();
    for r in results.iter().filter(|r| r.resource_type == 2) {
        if r.error_code != 0 {
            bail!(
                "DescribeConfigs of topic {} answered error code {} ({})",
                r.resource_name,
                r.error_code,
                r.error_message.as_deref().unwrap_or("no message")
            );
        }
        let Some(entry) = r.configs.iter().find(|c| c.name == MIN_ISR) else {
            continue;
        };
        if let Some(value) = entry.value.as_deref().and_then(|v| v.trim().parse().ok()) {
            let topic_override = entry.source == TOPIC_CONFIG;
            out.insert(
                r.resource_name.clone(),
                MinIsr {
                    value,
                    topic_override,
                },
            );
        }
    }
    Ok(out)
}

fn default_rf_of(results: &[ResourceResult]) -> Option<u32> {
    results
        .iter()
        .filter(|r| r.resource_type == 4 && r.error_code == 0)
        .find_map(|r| r.value(DEFAULT_RF)?.trim().parse().ok())
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

/// Metadata of all topics, kept whole (an audit lists every topic; the
/// probe, which must stay small, streams the same answer instead).
fn exchange_metadata(
    conn: &mut Connection,
    versions: &ApiVersionsResponse,
) -> Result<(Metadata, Option<String>)> {
    let version = versions
        .range(metadata::API_KEY)
        .and_then(|r| metadata::pick_version(r.min, r.max))
        .ok_or_else(|| anyhow!("the broker speaks no Metadata version we do (9-13)"))?;
    conn.send(&metadata::encode_request(version, 2, CLIENT), "Metadata")?;
    let len = conn.frame_len("Metadata", metadata::MAX_FRAME)?;
    let (mut brokers, mut topics) = (vec![], BTreeMap::<String, Vec<PartitionState>>::new());
    let summary = metadata::decode_with_brokers(
        &mut *conn,
        len,
        version,
        2,
        -1,
        |b| brokers.push(b.clone()),
        |t, p| {
            let name = t.name.clone().unwrap_or_default();
            topics.entry(name).or_default().push(p.into());
        },
    )?;
    if summary.error_code != 0 {
        bail!("Metadata answered error code {}", summary.error_code);
    }
    Ok((Metadata { brokers, topics }, summary.cluster_id))
}
