//! `kafka-init probe [--ready] [--timeout DUR]`: the pod's liveness and
//! readiness probe, spoken in Kafka's own protocol to this pod's own broker.
//!
//! A `tcpSocket` probe only proves the kernel accepts connections; a JVM
//! tool (`kafka-broker-api-versions.sh`) proves more but costs a second of CPU
//! and ~200 MB per run, every few seconds, in every pod. This probe sends one
//! or two requests on one connection and exits: 0 healthy, 1 not (one line on
//! stderr saying why). No retries — the kubelet already retries, with the
//! thresholds the user chose. Everything shares one deadline (`--timeout`,
//! default 2s), name resolution included. Memory stays constant whatever the
//! cluster's size: the Metadata answer is decoded as it streams in, keeping a
//! count of lagging partitions and the first few names, never the list.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use crate::cmd;
use crate::environment::Inputs;
use crate::log_dir::topic_partition_shaped;
use crate::plan::{ProbeTarget, Role};
use crate::wire::api_versions::{self, ApiVersionsResponse};
use crate::wire::describe_quorum::Quorum;
use crate::wire::metadata::{self, PartitionView, Summary, TopicHead};
use crate::wire::Connection;

/// The client id and software name the broker logs for our requests.
const CLIENT: &str = "kafka-init";
const CORRELATION_API_VERSIONS: i32 = 1;
const CORRELATION_METADATA: i32 = 2;

/// What a probe run checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Liveness: the listener answers ApiVersions with error 0, so the
    /// broker's network and request-handler threads work.
    Live,
    /// Readiness of a broker (or combined node): live, and the cluster's
    /// Metadata, as this broker serves it, lists this broker (registered and,
    /// in KRaft, unfenced) and has it in the ISR of every partition it hosts
    /// whose leader is available. A broker restarted after missing writes is
    /// thus not ready until it has caught up on every partition, which is
    /// what lets a rolling restart driven by readiness keep every partition
    /// at its replication factor. Partitions without a leader are skipped:
    /// they wait for *this* broker, and holding it back would deadlock.
    ReadyBroker,
    /// Readiness of a KRaft controller-only node: it has caught up. Its
    /// listener answers ApiVersions and serves Vote (key 52, only quorum
    /// voters do); and the quorum's leader, asked with DescribeQuorum (this
    /// node first, then every other voter until the leader answers), counts
    /// it among the voters, with a log end offset at most
    /// [`CONTROLLER_LAG_BOUND`] records behind the high watermark, and saw it
    /// caught up at most [`CONTROLLER_CAUGHT_UP_MS`] ago (the leader's clock).
    /// The leader itself is ready. That is what makes rolling the controllers
    /// one at a time safe: the next one restarts only once this one is back
    /// in the quorum with the log.
    ReadyController,
}

impl Check {
    /// The check for `--ready` (or not) on a node of `role`.
    pub fn for_role(role: Role, ready: bool) -> Self {
        match (ready, role) {
            (false, _) => Check::Live,
            (true, Role::Controller) => Check::ReadyController,
            (true, Role::Combined | Role::Broker) => Check::ReadyBroker,
        }
    }
}

/// Runs `probe`: derives the Plan (configuration problems come back as
/// [`crate::problem::Problems`], exit 78), then probes the Plan's listener.
/// `Ok` means healthy; an error is one line saying why not (exit 1).
pub fn run(inputs: &Inputs, ready: bool, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let plan = cmd::derive_to_read(inputs).map_err(anyhow::Error::from)?;
    let Some(target) = plan.probe.as_ref() else {
        // Never pass silently: a probe that cannot speak to the broker must fail.
        let why = plan
            .why_no_probe
            .as_deref()
            .unwrap_or("no listener to probe");
        bail!("cannot probe: {why}");
    };
    let id = i32::try_from(plan.id).context("node id out of Kafka's int32 range")?;
    let check = Check::for_role(plan.role, ready);
    let own = (target.host.as_str(), target.port);
    let voters: Vec<(String, u16)> = plan
        .get("controller.quorum.voters")
        .and_then(|v| crate::kraft::parse_voters(v).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.id != i64::from(id) && (v.host.as_str(), v.port) != own)
        .map(|v| (v.host, v.port))
        .collect();
    let on_disk = match check {
        Check::ReadyBroker => OnDisk::of(&plan.data_dirs),
        _ => OnDisk::default(),
    };
    probe(target, id, check, &voters, on_disk, deadline)?;
    tracing::debug!(listener = %target.listener, host = %target.host, port = target.port, ?check, "probe passed");
    Ok(())
}

/// How many metadata records a controller may be behind the leader's high
/// watermark and still be ready: the leader learns a follower's log end
/// offset from its fetches, so a healthy follower is a fetch behind (the
/// controllers append a no-op record every 500 ms when idle).
pub const CONTROLLER_LAG_BOUND: i64 = 100;
/// How long ago (ms, the leader's clock) the leader may last have seen a
/// controller caught up: a controller that restarted is stale until its
/// first fetch, whatever offset the leader still remembers for it.
pub const CONTROLLER_CAUGHT_UP_MS: i64 = 10_000;

/// Connects to `target` and performs `check` for node `id`, by `deadline`;
/// `voters` are the quorum's other controllers (for a controller's readiness).
pub fn probe(
    target: &ProbeTarget,
    id: i32,
    check: Check,
    voters: &[(String, u16)],
    on_disk: OnDisk,
    deadline: Instant,
) -> Result<()> {
    let place = format!(
        "listener {} at {}:{}",
        target.listener, target.host, target.port
    );
    let mut conn = Connection::open(&target.host, target.port, deadline)
        .with_context(|| format!("{place} is not live"))?;
    let versions = api_versions(&mut conn).with_context(|| format!("{place} is not live"))?;
    match check {
        Check::Live => Ok(()),
        Check::ReadyController => {
            controller_ready(&versions).map_err(|why| anyhow!("{place} is not ready: {why}"))?;
            let quorum = leaders_quorum(&mut conn, voters, deadline)
                .with_context(|| format!("{place} is not ready"))?;
            caught_up(&quorum, id).map_err(|why| anyhow!("{place} is not ready: {why}"))
        }
        Check::ReadyBroker => {
            let (summary, lagging) = metadata(&mut conn, &versions, id)
                .with_context(|| format!("{place} is not ready"))?;
            tracing::debug!(
                brokers = summary.brokers,
                registered = summary.node.is_some(),
                controller = summary.controller_id,
                topics = summary.topics,
                partitions = summary.partitions,
                lagging = lagging.count,
                "the cluster's metadata as broker {id} serves it"
            );
            broker_ready(&summary, &lagging, id, on_disk)
                .map_err(|why| anyhow!("{place} is not ready: {why}"))
        }
    }
}

/// Sends ApiVersions; `Ok` only for a well-formed answer with error code 0.
fn api_versions(conn: &mut Connection) -> Result<ApiVersionsResponse> {
    let request = api_versions::encode_request(
        CORRELATION_API_VERSIONS,
        CLIENT,
        CLIENT,
        env!("CARGO_PKG_VERSION"),
    );
    conn.send(&request, "ApiVersions")?;
    let len = conn.frame_len("ApiVersions", api_versions::MAX_FRAME)?;
    let response = api_versions::decode_response(&mut *conn, len, CORRELATION_API_VERSIONS)?;
    if response.error_code != 0 {
        bail!(
            "ApiVersions v{} answered error code {}",
            api_versions::VERSION,
            response.error_code
        );
    }
    Ok(response)
}

/// Sends Metadata (all topics) in the newest version both sides speak, and
/// reads the answer as a stream, gathering what readiness of node `id` needs.
fn metadata(
    conn: &mut Connection,
    versions: &ApiVersionsResponse,
    id: i32,
) -> Result<(Summary, Lagging)> {
    let range = versions.range(metadata::API_KEY).ok_or_else(|| {
        anyhow!("the listener does not serve Metadata (is it a controller listener?)")
    })?;
    let version = metadata::pick_version(range.min, range.max).ok_or_else(|| {
        anyhow!(
            "the broker serves Metadata v{}-v{}, kafka-init speaks v{}-v{}",
            range.min,
            range.max,
            metadata::VERSIONS.start(),
            metadata::VERSIONS.end()
        )
    })?;
    let request = metadata::encode_request(version, CORRELATION_METADATA, CLIENT);
    conn.send(&request, "Metadata")?;
    let len = conn.frame_len("Metadata", metadata::MAX_FRAME)?;
    let mut lagging = Lagging::default();
    let summary = metadata::decode_response(
        &mut *conn,
        len,
        version,
        CORRELATION_METADATA,
        id,
        |topic, partition| lagging.see(topic, partition),
    )?;
    Ok((summary, lagging))
}

/// The readiness verdict of [`Check::ReadyController`].
pub fn controller_ready(versions: &ApiVersionsResponse) -> Result<(), String> {
    if versions.range(api_versions::VOTE).is_none() {
        return Err(
            "the listener does not serve Vote (key 52); it is not a KRaft controller's".into(),
        );
    }
    Ok(())
}

/// The quorum as its leader describes it: this node's answer when it leads,
/// else the first other voter's that does.
fn leaders_quorum(
    own: &mut Connection,
    voters: &[(String, u16)],
    deadline: Instant,
) -> Result<Quorum> {
    let q = crate::observe::controllers::describe_quorum(own)?;
    if q.error_code == 0 {
        return Ok(q);
    }
    let mut tried = vec![];
    for (host, port) in voters {
        let answer = Connection::open(host, *port, deadline)
            .and_then(|mut c| crate::observe::controllers::describe_quorum(&mut c));
        match answer {
            Ok(q) if q.error_code == 0 => return Ok(q),
            Ok(q) => tried.push(format!("{host}:{port} error {}", q.error_code)),
            Err(e) => tried.push(format!("{host}:{port}: {e:#}")),
        }
    }
    bail!(
        "no controller answered DescribeQuorum as the leader (this node: error {}; {})",
        q.error_code,
        if tried.is_empty() {
            "no other voter known".to_string()
        } else {
            tried.join("; ")
        }
    )
}

/// The verdict on a controller from the leader's DescribeQuorum (pure).
pub fn caught_up(q: &Quorum, id: i32) -> Result<(), String> {
    let ids: Vec<i32> = q.voters.iter().map(|v| v.id).collect();
    let Some(own) = q.voters.iter().find(|v| v.id == id) else {
        return Err(format!(
            "node {id} is not a voter of the quorum (voters {ids:?}, leader {})",
            q.leader_id
        ));
    };
    if q.leader_id == id {
        return Ok(());
    }
    // Right after an election the new leader reports -1 until it has
    // committed in its epoch: nobody's lag can be told, so nobody is caught up.
    if q.high_watermark < 0 {
        return Err(format!(
            "the leader {} reports no high watermark yet ({}: unknown, as right after an election), so node {id} cannot be told caught up",
            q.leader_id, q.high_watermark
        ));
    }
    if own.log_end_offset < 0 {
        return Err(format!(
            "the leader {} has not seen node {id} fetch yet",
            q.leader_id
        ));
    }
    let lag = q.high_watermark - own.log_end_offset;
    if lag > CONTROLLER_LAG_BOUND {
        return Err(format!(
            "node {id} is {lag} records behind the leader {} (log end offset {}, high watermark {}; ready within {CONTROLLER_LAG_BOUND})",
            q.leader_id, own.log_end_offset, q.high_watermark
        ));
    }
    // The leader reports its own LastCaughtUpTimestamp as its current time.
    let now = q
        .voters
        .iter()
        .find(|v| v.id == q.leader_id)
        .map_or(-1, |l| l.last_caught_up_ms);
    if now >= 0
        && (own.last_caught_up_ms < 0 || now - own.last_caught_up_ms > CONTROLLER_CAUGHT_UP_MS)
    {
        return Err(format!(
            "the leader {} last saw node {id} caught up {} ago (ready within {CONTROLLER_CAUGHT_UP_MS} ms)",
            q.leader_id,
            if own.last_caught_up_ms < 0 { "never".to_string() } else { format!("{} ms", now - own.last_caught_up_ms) }
        ));
    }
    Ok(())
}

/// How many lagging partitions a failure message names before it says "...".
const NAMED: usize = 3;

/// The partitions a broker hosts, whose leader is available, and whose ISR
/// it is not in: a count and the [`NAMED`] first names in sorted order,
/// gathered one partition at a time so that a million of them cost no more
/// than three.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lagging {
    count: usize,
    first: Vec<String>,
    /// The name being considered, reused so that a partition that is not
    /// among the first few costs no allocation.
    scratch: String,
}

impl Lagging {
    /// Counts `partition` of `topic` if it holds the broker back.
    pub fn see(&mut self, topic: &TopicHead, partition: &PartitionView) {
        // A partition without a leader waits for *this* broker: holding it
        // back would deadlock, so it does not count.
        if partition.leader == -1 || !partition.hosted || partition.in_isr {
            return;
        }
        self.count += 1;
        self.scratch.clear();
        // Writing to a String cannot fail.
        let _ = write!(
            self.scratch,
            "{}-{}",
            topic.name.as_deref().unwrap_or("?"),
            partition.index
        );
        let (Ok(at) | Err(at)) = self.first.binary_search(&self.scratch);
        if at < NAMED {
            self.first.insert(at, self.scratch.clone());
            self.first.truncate(NAMED);
        }
    }
}

/// What the broker's data dirs hold, for its readiness: a partition's
/// log, if any (the first found).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnDisk {
    /// The name of a partition's directory, e.g. `orders-0`.
    pub partition: Option<String>,
}

impl OnDisk {
    /// Looks in `dirs` (a shell step: it reads directories). A dir that
    /// cannot be read holds nothing here: the ISR check still applies.
    pub fn of(dirs: &[std::path::PathBuf]) -> Self {
        let partition = dirs
            .iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .find(|name| is_partition_dir(name));
        OnDisk { partition }
    }
}

/// Whether a data dir's entry `name` is a partition's live log: a name
/// Kafka loads as a partition ([`topic_partition_shaped`], `prepare`'s
/// rule), but not the KRaft metadata log, nor a log being deleted, moved
/// or set aside (`<topic>-<n>.<id>-delete`, `-future`, `-stray`).
pub fn is_partition_dir(name: &str) -> bool {
    topic_partition_shaped(name)
        && !name.starts_with("__cluster_metadata-")
        && !["-delete", "-future", "-stray"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// The readiness verdict of [`Check::ReadyBroker`] for node `id`, from the
/// Metadata answer's [`Summary`] and the partitions it found `lagging`.
pub fn broker_ready(
    summary: &Summary,
    lagging: &Lagging,
    id: i32,
    on_disk: OnDisk,
) -> Result<(), String> {
    if summary.error_code != 0 {
        return Err(format!(
            "Metadata answered error code {}",
            summary.error_code
        ));
    }
    if summary.node.is_none() {
        return Err(format!(
            "broker {id} is not among the {} live brokers (not registered yet, or fenced)",
            summary.brokers
        ));
    }
    if summary.topics == 0 {
        if let Some(dir) = on_disk.partition {
            // A ZooKeeper-mode broker answers as soon as its listener is up:
            // its first view may list the live brokers and no partition yet.
            return Err(format!(
                "broker {id} lists no topic yet while its data dir holds partition {dir}: its view of the cluster has not arrived"
            ));
        }
    }
    if lagging.count == 0 {
        return Ok(());
    }
    let mut named = lagging.first.join(", ");
    if lagging.count > lagging.first.len() {
        named.push_str(", ...");
    }
    Err(format!(
        "broker {id} is not in the ISR of {} partition(s): {named}",
        lagging.count
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::metadata::{Answer, Broker, Partition};

    fn broker(node_id: i32) -> Broker {
        Broker {
            node_id,
            host: format!("kafka-{node_id}"),
            port: 9092,
            rack: None,
        }
    }

    fn partition(index: i32, leader: i32, replicas: &[i32], isr: &[i32]) -> Partition {
        Partition {
            error_code: 0,
            index,
            leader,
            leader_epoch: 0,
            replicas: replicas.to_vec(),
            isr: isr.to_vec(),
            offline: vec![],
        }
    }

    fn cluster(brokers: &[i32], partitions: Vec<Partition>) -> Answer {
        Answer {
            brokers: brokers.iter().map(|&id| broker(id)).collect(),
            topics: vec![(
                TopicHead {
                    name: Some("orders".into()),
                    ..TopicHead::default()
                },
                partitions,
            )],
            ..Answer::default()
        }
    }

    /// The verdict for node `id` on `answer`, through the wire: encoded as
    /// Kafka 4.x would write it, then streamed through the decoder.
    fn verdict(answer: &Answer, id: i32) -> Result<(), String> {
        let frame = metadata::encode_response(answer, 13, 2);
        let mut lagging = Lagging::default();
        let summary = metadata::decode_response(&frame[4..], frame.len() - 4, 13, 2, id, |t, p| {
            lagging.see(t, p)
        })
        .expect("a well-formed answer");
        broker_ready(&summary, &lagging, id, OnDisk::default())
    }

    #[test]
    fn partition_dirs_are_told_from_the_rest_of_a_data_dir() {
        let cases = [
            ("orders-0", true),
            ("my.topic_name-12", true),
            ("__consumer_offsets-49", true),
            ("a-b-c-7", true),
            ("__cluster_metadata-0", false),
            ("orders-0.8b5e9f1c4d2a4b6e9f0a1b2c3d4e5f60-delete", false),
            ("orders-0.8b5e9f1c4d2a4b6e9f0a1b2c3d4e5f60-future", false),
            ("orders-0.8b5e9f1c4d2a4b6e9f0a1b2c3d4e5f60-stray", false),
            ("meta.properties", false),
            ("orders", false),
            ("orders-", false),
            ("-0", false),
            ("lost+found", false),
        ];
        for (name, want) in cases {
            assert_eq!(is_partition_dir(name), want, "{name}");
        }
    }

    #[test]
    fn on_disk_finds_a_partition_directory_and_nothing_else() {
        let root = std::env::temp_dir().join(format!("kafka-init-on-disk-{}", std::process::id()));
        let (empty, other, data) = (root.join("empty"), root.join("other"), root.join("data"));
        for d in [&empty, &other, &data] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::create_dir_all(other.join("__cluster_metadata-0")).unwrap();
        std::fs::create_dir_all(other.join("t-0.0123456789abcdef0123456789abcdef-delete")).unwrap();
        std::fs::write(other.join("t-1"), "a file, not a log").unwrap();
        std::fs::create_dir_all(data.join("t-3")).unwrap();
        let missing = root.join("missing");
        assert_eq!(
            OnDisk::of(&[empty.clone(), other.clone(), missing.clone()]),
            OnDisk::default()
        );
        assert_eq!(
            OnDisk::of(&[empty, other, missing, data])
                .partition
                .as_deref(),
            Some("t-3")
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_broker_that_lists_no_topic_while_holding_partitions_is_not_ready() {
        let bare = cluster(&[0, 1, 2], vec![]);
        let frame = metadata::encode_response(
            &Answer {
                topics: vec![],
                ..bare
            },
            13,
            2,
        );
        let mut lagging = Lagging::default();
        let summary = metadata::decode_response(&frame[4..], frame.len() - 4, 13, 2, 1, |t, p| {
            lagging.see(t, p)
        })
        .unwrap();
        let holding = OnDisk {
            partition: Some("orders-0".into()),
        };
        // A fresh cluster: nothing on disk, no topic: ready.
        assert_eq!(
            broker_ready(&summary, &lagging, 1, OnDisk::default()),
            Ok(())
        );
        // A restarted broker whose view has the brokers and no partition yet.
        assert_eq!(
            broker_ready(&summary, &lagging, 1, holding.clone()),
            Err("broker 1 lists no topic yet while its data dir holds partition orders-0: its view of the cluster has not arrived".into())
        );
        // Once the view lists the partitions, the ISR decides.
        let full = cluster(&[0, 1, 2], vec![partition(0, 0, &[0, 1, 2], &[0, 1, 2])]);
        let frame = metadata::encode_response(&full, 13, 2);
        let mut lagging = Lagging::default();
        let summary = metadata::decode_response(&frame[4..], frame.len() - 4, 13, 2, 1, |t, p| {
            lagging.see(t, p)
        })
        .unwrap();
        assert_eq!(broker_ready(&summary, &lagging, 1, holding), Ok(()));
    }

    #[test]
    fn readiness_of_a_broker_follows_registration_and_isr_membership() {
        let ok = Ok(());
        let cases: Vec<(&str, Answer, Result<(), &str>)> = vec![
            ("registered, in every ISR", cluster(&[0, 1, 2], vec![
                partition(0, 0, &[0, 1, 2], &[0, 1, 2]),
                partition(1, 1, &[1, 2, 0], &[1, 2, 0]),
            ]), ok),
            ("not registered (or fenced)", cluster(&[0, 2], vec![]),
                Err("broker 1 is not among the 2 live brokers (not registered yet, or fenced)")),
            ("out of one ISR", cluster(&[0, 1, 2], vec![
                partition(0, 0, &[0, 1, 2], &[0, 2]),
                partition(1, 1, &[1, 2, 0], &[1, 2, 0]),
            ]), Err("broker 1 is not in the ISR of 1 partition(s): orders-0")),
            ("partitions it does not host do not count", cluster(&[0, 1, 2], vec![
                partition(0, 0, &[0, 2], &[0]),
            ]), ok),
            ("a partition without leader waits for us, so it does not count", cluster(&[0, 1, 2], vec![
                partition(0, -1, &[1], &[]),
            ]), ok),
            ("no topics at all", cluster(&[1], vec![]), ok),
            ("many lagging partitions are counted and a few named", cluster(&[0, 1], vec![
                partition(3, 0, &[0, 1], &[0]),
                partition(1, 0, &[0, 1], &[0]),
                partition(2, 0, &[0, 1], &[0]),
                partition(0, 0, &[0, 1], &[0]),
            ]), Err("broker 1 is not in the ISR of 4 partition(s): orders-0, orders-1, orders-2, ...")),
        ];
        for (name, metadata, expected) in cases {
            assert_eq!(
                verdict(&metadata, 1),
                expected.map_err(String::from),
                "{name}"
            );
        }
    }

    #[test]
    fn a_top_level_metadata_error_is_not_ready() {
        let mut metadata = cluster(&[1], vec![]);
        metadata.error_code = 56;
        assert_eq!(
            verdict(&metadata, 1),
            Err("Metadata answered error code 56".into())
        );
    }

    #[test]
    fn the_check_follows_the_flag_and_the_role() {
        let cases = [
            (Role::Combined, false, Check::Live),
            (Role::Controller, false, Check::Live),
            (Role::Combined, true, Check::ReadyBroker),
            (Role::Broker, true, Check::ReadyBroker),
            (Role::Controller, true, Check::ReadyController),
        ];
        for (role, ready, check) in cases {
            assert_eq!(
                Check::for_role(role, ready),
                check,
                "{role:?} ready={ready}"
            );
        }
    }

    #[test]
    fn a_controller_is_ready_only_when_it_serves_vote() {
        let with = |keys: &[i16]| ApiVersionsResponse {
            error_code: 0,
            apis: keys
                .iter()
                .map(|&key| api_versions::ApiRange {
                    key,
                    min: 0,
                    max: 1,
                })
                .collect(),
            throttle_time_ms: 0,
            zk_migration_ready: false,
        };
        assert_eq!(controller_ready(&with(&[18, 52, 55])), Ok(()));
        assert!(controller_ready(&with(&[3, 18, 55])).is_err());
    }
}

#[cfg(test)]
mod controller_tests {
    use super::*;
    use crate::wire::describe_quorum::{self, Replica};

    fn quorum(path: &str) -> Quorum {
        let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        let frame = std::fs::read(&full).unwrap();
        describe_quorum::decode_response(&frame[4..], 2).unwrap()
    }

    #[test]
    fn the_leader_and_a_caught_up_follower_are_ready_from_real_answers() {
        let q = quorum("wire/4.4.0/controller-quorum/leader-DescribeQuorum-v1-response.bin");
        assert_eq!((q.error_code, q.leader_id), (0, 0));
        assert_eq!(caught_up(&q, 0), Ok(()));
        assert_eq!(caught_up(&q, 1), Ok(()));
        assert!(caught_up(&q, 2).unwrap_err().contains("not a voter"));
        let follower =
            quorum("wire/4.4.0/controller-quorum/follower-DescribeQuorum-v1-response.bin");
        assert_eq!(follower.error_code, describe_quorum::NOT_LEADER_OR_FOLLOWER);
        // Kafka 3.9.2, a migrating controller alone in its quorum.
        let q = quorum("migration/3.9.2/dual-write/controller-DescribeQuorum-v1-response.bin");
        assert_eq!(caught_up(&q, 3000), Ok(()));
    }

    #[test]
    fn a_follower_behind_stale_or_unseen_is_not_ready() {
        let mut base = quorum("wire/4.4.0/controller-quorum/leader-DescribeQuorum-v1-response.bin");
        // A longer log than the captured one, so that the bound fits in it.
        base.high_watermark = 1000;
        for v in &mut base.voters {
            v.log_end_offset = 1000;
        }
        let now = base
            .voters
            .iter()
            .find(|v| v.id == 0)
            .unwrap()
            .last_caught_up_ms;
        let with = |f: &dyn Fn(&mut Replica)| {
            let mut q = base.clone();
            f(q.voters.iter_mut().find(|v| v.id == 1).unwrap());
            caught_up(&q, 1)
        };
        let hw = base.high_watermark;
        type Case<'a> = (&'a str, &'a dyn Fn(&mut Replica), Option<&'a str>);
        let cases: &[Case] = &[
            (
                "at the bound",
                &|r| r.log_end_offset = hw - CONTROLLER_LAG_BOUND,
                None,
            ),
            (
                "one past the bound",
                &|r| r.log_end_offset = hw - CONTROLLER_LAG_BOUND - 1,
                Some("records behind"),
            ),
            (
                "never fetched",
                &|r| r.log_end_offset = -1,
                Some("has not seen node 1 fetch"),
            ),
            (
                "stale",
                &|r| r.last_caught_up_ms = now - CONTROLLER_CAUGHT_UP_MS - 1,
                Some("last saw node 1 caught up"),
            ),
            (
                "never caught up",
                &|r| r.last_caught_up_ms = -1,
                Some("never"),
            ),
        ];
        for (what, f, want) in cases {
            match (with(*f), want) {
                (Ok(()), None) => {}
                (Err(e), Some(w)) => assert!(e.contains(w), "{what}: {e}"),
                (got, _) => panic!("{what}: {got:?}"),
            }
        }
        // The leader does not know its high watermark yet: a follower far
        // behind would otherwise be called ready (lag = -1 - offset < 0).
        for own_offset in [0, 5_000, hw] {
            let mut q = base.clone();
            q.high_watermark = -1;
            q.voters
                .iter_mut()
                .find(|v| v.id == 1)
                .unwrap()
                .log_end_offset = own_offset;
            let e = caught_up(&q, 1).unwrap_err();
            assert!(e.contains("reports no high watermark yet (-1"), "{e}");
            // The leader itself is not judged by its own watermark.
            assert_eq!(caught_up(&q, 0), Ok(()));
        }
        let mut no_leader = base.clone();
        no_leader.error_code = describe_quorum::NOT_LEADER_OR_FOLLOWER;
        no_leader.voters.clear();
        assert!(caught_up(&no_leader, 1).is_err());
    }
}
