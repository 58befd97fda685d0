//! Metadata (API key 3): the cluster as the answering broker sees it — the
//! live brokers and, for every partition, its leader, replicas and in-sync
//! replicas. The readiness probe reads it to learn whether this broker is
//! registered and caught up.
//!
//! We speak versions 9 to 13, all flexible (compact strings, tagged fields,
//! request header v2, response header v1). Kafka 4.0 removed versions 0-3
//! (KIP-896), Kafka 3.9 serves up to 12 and 4.x up to 13, so the highest
//! common version is picked from the broker's ApiVersions answer.
//!
//! **Why all topics.** Readiness asks which partitions have a replica on this
//! broker, and a Metadata request can only be narrowed by topic (name or
//! id), never by replica: which topics this broker hosts is exactly what we
//! do not know yet. An empty topic list would prove registration only.
//! DescribeTopicPartitions (KIP-966, Kafka 3.7+) pages the same per-partition
//! fields over many round trips; DescribeLogDirs names this broker's replicas
//! but not the ISRs, so it would need a Metadata request for them anyway.
//! So we ask for every topic with nothing optional (no authorized
//! operations, no auto-creation), and instead of materialising the answer,
//! [`decode_response`] streams it: a constant amount of memory, whatever
//! the cluster's size, and one callback per partition.

use std::io::Read;
use std::ops::RangeInclusive;

use super::codec::{DecodeError, Reader, Writer};
use super::header;

/// Metadata's API key.
pub const API_KEY: i16 = 3;
/// The versions we can encode and decode.
pub const VERSIONS: RangeInclusive<i16> = 9..=13;
/// The largest Metadata answer we read: any size Kafka can frame. Kafka's
/// own clients set no limit either (a million partitions of three replicas
/// is about 42 MB); since the answer is streamed, its size costs time,
/// bounded by the probe's deadline, not memory.
pub const MAX_FRAME: usize = i32::MAX as usize;

/// The highest version both we and the broker (`min..=max` from ApiVersions) speak.
pub fn pick_version(broker_min: i16, broker_max: i16) -> Option<i16> {
    let top = broker_max.min(*VERSIONS.end());
    (top >= broker_min.max(*VERSIONS.start())).then_some(top)
}

/// The Metadata request frame asking for all topics (a null topic array),
/// never creating one: a probe must not change the cluster.
pub fn encode_request(version: i16, correlation_id: i32, client_id: &str) -> Vec<u8> {
    debug_assert!(VERSIONS.contains(&version));
    let mut w = Writer::new();
    header::request_v2(&mut w, API_KEY, version, correlation_id, client_id);
    w.compact_null_array() // topics: null = all
        .bool(false); // allow auto topic creation
    if version <= 10 {
        w.bool(false); // include cluster authorized operations (v8-10)
    }
    w.bool(false) // include topic authorized operations
        .no_tagged_fields();
    w.finish()
}

/// One broker of the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    /// `broker.id` / `node.id`.
    pub node_id: i32,
    /// Advertised host of the listener we asked on.
    pub host: String,
    /// Advertised port.
    pub port: i32,
    /// `broker.rack`, if set.
    pub rack: Option<String>,
}

/// A topic's own fields, handed over with each of its partitions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicHead {
    /// 0 unless the topic could not be described.
    pub error_code: i16,
    /// The name (null allowed from v12, when asked by topic id).
    pub name: Option<String>,
    /// The topic id (v10+); all zeros when unknown.
    pub id: Option<[u8; 16]>,
    /// True for `__consumer_offsets` and the like.
    pub internal: bool,
}

/// One partition, reduced to what it says about the node the decoder was
/// asked about: replica lists become a length and a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionView {
    /// 0, or e.g. LEADER_NOT_AVAILABLE (5) / REPLICA_NOT_AVAILABLE (9).
    pub error_code: i16,
    /// The partition number.
    pub index: i32,
    /// The leader's node id, -1 when there is none.
    pub leader: i32,
    /// The leader epoch.
    pub leader_epoch: i32,
    /// How many replicas are assigned.
    pub replicas: usize,
    /// Whether the node is one of them.
    pub hosted: bool,
    /// How many replicas are in sync with the leader.
    pub isr: usize,
    /// Whether the node is one of them.
    pub in_isr: bool,
    /// Whether the node's replica is on an offline log dir.
    pub offline: bool,
}

/// Everything of a Metadata response but its partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Quota throttle.
    pub throttle_time_ms: i32,
    /// How many brokers the answering broker knows to be alive (KRaft:
    /// registered and unfenced; ZooKeeper: registered in ZooKeeper).
    pub brokers: usize,
    /// The node's own entry among them, if it is alive.
    pub node: Option<Broker>,
    /// The cluster id.
    pub cluster_id: Option<String>,
    /// The controller's id, -1 when unknown.
    pub controller_id: i32,
    /// How many topics the answer lists.
    pub topics: usize,
    /// How many partitions, all topics together.
    pub partitions: usize,
    /// The top-level error (v13+, KIP-1102); 0 before.
    pub error_code: i16,
}

/// Decodes the `len`-byte response frame (size prefix already read) that
/// `src` yields, to our request of `version`, as a stream: `each` sees every
/// partition (with its topic's head) as it is read, reduced to what it says
/// about node `node`, and nothing is kept but the [`Summary`]. Memory is
/// one [`super::codec::CHUNK`] plus the longest string (at most 32 KiB),
/// whatever `len`.
pub fn decode_response<R: Read>(
    src: R,
    len: usize,
    version: i16,
    correlation_id: i32,
    node: i32,
    each: impl FnMut(&TopicHead, &PartitionView),
) -> Result<Summary, DecodeError> {
    decode_with_brokers(src, len, version, correlation_id, node, |_| {}, each)
}

/// [`decode_response`], handing every broker of the answer to `broker` as
/// it is read (`audit` checks each one's advertised host).
pub fn decode_with_brokers<R: Read>(
    src: R,
    len: usize,
    version: i16,
    correlation_id: i32,
    node: i32,
    mut broker: impl FnMut(&Broker),
    mut each: impl FnMut(&TopicHead, &PartitionView),
) -> Result<Summary, DecodeError> {
    let mut r = Reader::new(src, len, "MetadataResponse");
    header::response_v1(&mut r, correlation_id)?;
    let throttle_time_ms = r.i32("throttle time")?;
    let brokers = r.compact_array_len("brokers")?.unwrap_or(0);
    let mut own = None;
    for _ in 0..brokers {
        let b = decode_broker(&mut r)?;
        broker(&b);
        if b.node_id == node && own.is_none() {
            own = Some(b);
        }
    }
    let cluster_id = r.compact_nullable_string("cluster id")?;
    let controller_id = r.i32("controller id")?;
    let topics = r.compact_array_len("topics")?.unwrap_or(0);
    let mut partitions = 0;
    for _ in 0..topics {
        partitions += decode_topic(&mut r, version, node, &mut each)?;
    }
    if version <= 10 {
        r.i32("cluster authorized operations")?;
    }
    let error_code = if version >= 13 {
        r.i16("error code")?
    } else {
        0
    };
    r.skip_tagged_fields("tagged fields")?;
    r.finish()?;
    Ok(Summary {
        throttle_time_ms,
        brokers,
        node: own,
        cluster_id,
        controller_id,
        topics,
        partitions,
        error_code,
    })
}

fn decode_broker<R: Read>(r: &mut Reader<R>) -> Result<Broker, DecodeError> {
    let broker = Broker {
        node_id: r.i32("broker node id")?,
        host: r.compact_string("broker host")?,
        port: r.i32("broker port")?,
        rack: r.compact_nullable_string("broker rack")?,
    };
    r.skip_tagged_fields("broker tagged fields")?;
    Ok(broker)
}

/// Reads one topic, handing each partition to `each`; returns how many it had.
fn decode_topic<R: Read>(
    r: &mut Reader<R>,
    version: i16,
    node: i32,
    each: &mut impl FnMut(&TopicHead, &PartitionView),
) -> Result<usize, DecodeError> {
    let head = TopicHead {
        error_code: r.i16("topic error code")?,
        name: r.compact_nullable_string("topic name")?,
        id: if version >= 10 {
            Some(r.uuid("topic id")?)
        } else {
            None
        },
        internal: r.bool("topic is internal")?,
    };
    let n = r.compact_array_len("partitions")?.unwrap_or(0);
    for _ in 0..n {
        each(&head, &decode_partition(r, node)?);
    }
    r.i32("topic authorized operations")?;
    r.skip_tagged_fields("topic tagged fields")?;
    Ok(n)
}

fn decode_partition<R: Read>(r: &mut Reader<R>, node: i32) -> Result<PartitionView, DecodeError> {
    let error_code = r.i16("partition error code")?;
    let index = r.i32("partition index")?;
    let leader = r.i32("partition leader")?;
    let leader_epoch = r.i32("partition leader epoch")?;
    let (replicas, hosted) = r.compact_i32_array_has(node, "partition replicas")?;
    let (isr, in_isr) = r.compact_i32_array_has(node, "partition isr")?;
    let (_, offline) = r.compact_i32_array_has(node, "partition offline replicas")?;
    r.skip_tagged_fields("partition tagged fields")?;
    Ok(PartitionView {
        error_code,
        index,
        leader,
        leader_epoch,
        replicas,
        hosted,
        isr,
        in_isr,
        offline,
    })
}

/// A whole Metadata answer, materialised: what [`encode_response`] writes.
/// The probe never builds one; tests, property tests, fuzzing and the
/// memory benchmark's generator do, to make answers of any shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// Quota throttle.
    pub throttle_time_ms: i32,
    /// The live brokers.
    pub brokers: Vec<Broker>,
    /// The cluster id.
    pub cluster_id: Option<String>,
    /// The controller's id.
    pub controller_id: i32,
    /// The topics, each with its partitions.
    pub topics: Vec<(TopicHead, Vec<Partition>)>,
    /// The top-level error (written from v13 only).
    pub error_code: i16,
}

/// One partition of an [`Answer`], with its replica lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Partition {
    /// The partition's error code.
    pub error_code: i16,
    /// The partition number.
    pub index: i32,
    /// The leader's node id, -1 when there is none.
    pub leader: i32,
    /// The leader epoch.
    pub leader_epoch: i32,
    /// Every node assigned a replica.
    pub replicas: Vec<i32>,
    /// The replicas in sync with the leader.
    pub isr: Vec<i32>,
    /// Replicas whose log dir is offline.
    pub offline: Vec<i32>,
}

/// The response frame (size prefix included) Kafka would write for `answer`
/// in `version`: the inverse of [`decode_response`].
pub fn encode_response(answer: &Answer, version: i16, correlation_id: i32) -> Vec<u8> {
    let mut w = Writer::new();
    w.i32(correlation_id).no_tagged_fields();
    w.i32(answer.throttle_time_ms)
        .compact_array_len(Some(answer.brokers.len()));
    for b in &answer.brokers {
        w.i32(b.node_id)
            .compact_string(&b.host)
            .i32(b.port)
            .compact_nullable_string(b.rack.as_deref())
            .no_tagged_fields();
    }
    w.compact_nullable_string(answer.cluster_id.as_deref())
        .i32(answer.controller_id)
        .compact_array_len(Some(answer.topics.len()));
    for (head, partitions) in &answer.topics {
        w.i16(head.error_code)
            .compact_nullable_string(head.name.as_deref());
        if version >= 10 {
            w.bytes(&head.id.unwrap_or_default());
        }
        w.bool(head.internal)
            .compact_array_len(Some(partitions.len()));
        for p in partitions {
            w.i16(p.error_code)
                .i32(p.index)
                .i32(p.leader)
                .i32(p.leader_epoch);
            for list in [&p.replicas, &p.isr, &p.offline] {
                w.compact_array_len(Some(list.len()));
                list.iter().for_each(|&id| {
                    w.i32(id);
                });
            }
            w.no_tagged_fields();
        }
        w.i32(i32::MIN).no_tagged_fields(); // topic authorized operations: not asked
    }
    if version <= 10 {
        w.i32(i32::MIN); // cluster authorized operations: not asked
    }
    if version >= 13 {
        w.i16(answer.error_code);
    }
    w.no_tagged_fields();
    w.finish()
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::super::codec::MAX_STRING;

    use super::*;

    fn body(w: &Writer) -> Vec<u8> {
        w.finish()[4..].to_vec()
    }

    /// Three brokers, two topics of which node 1 hosts some partitions, one
    /// lagging.
    fn answer() -> Answer {
        let broker = |node_id| Broker {
            node_id,
            host: format!("kafka-{node_id}.kafka"),
            port: 9092,
            rack: Some("a".into()),
        };
        let partition = |index, replicas: &[i32], isr: &[i32]| Partition {
            index,
            leader: replicas[0],
            replicas: replicas.to_vec(),
            isr: isr.to_vec(),
            ..Partition::default()
        };
        let topic = |name: &str| TopicHead {
            name: Some(name.into()),
            id: Some([7; 16]),
            ..TopicHead::default()
        };
        Answer {
            brokers: vec![broker(0), broker(1), broker(2)],
            cluster_id: Some("c".into()),
            controller_id: 2,
            topics: vec![
                (
                    topic("orders"),
                    vec![partition(0, &[0, 1], &[0, 1]), partition(1, &[2, 0], &[2])],
                ),
                (topic("audit"), vec![partition(0, &[2, 1], &[2])]),
            ],
            ..Answer::default()
        }
    }

    /// Streams `frame` (claimed to be `len` bytes) for node 1; the partitions seen.
    fn decode(
        frame: &[u8],
        len: usize,
        version: i16,
    ) -> Result<(Summary, Vec<(String, PartitionView)>), DecodeError> {
        let mut seen = Vec::new();
        let summary = decode_response(frame, len, version, 2, 1, |t, p| {
            seen.push((t.name.clone().unwrap_or_default(), *p))
        })?;
        Ok((summary, seen))
    }

    #[test]
    fn an_answer_streams_back_as_what_it_says_about_the_node() {
        for version in VERSIONS {
            let frame = encode_response(&answer(), version, 2);
            let (summary, seen) = decode(&frame[4..], frame.len() - 4, version).unwrap();
            assert_eq!(
                (summary.brokers, summary.topics, summary.partitions),
                (3, 2, 3)
            );
            assert_eq!(summary.node.map(|b| b.host), Some("kafka-1.kafka".into()));
            let facts: Vec<(&str, i32, bool, bool)> = seen
                .iter()
                .map(|(t, p)| (t.as_str(), p.index, p.hosted, p.in_isr))
                .collect();
            assert_eq!(
                facts,
                [
                    ("orders", 0, true, true),
                    ("orders", 1, false, false),
                    ("audit", 0, true, false)
                ],
                "v{version}"
            );
        }
    }

    #[test]
    fn every_truncation_is_an_error_whether_the_frame_or_the_stream_ends() {
        let frame = encode_response(&answer(), 13, 2);
        let frame = &frame[4..];
        for end in 0..frame.len() {
            // A frame whose size says it ends here: malformed.
            let short = decode(&frame[..end], end, 13).unwrap_err();
            assert!(short.problem().is_some(), "cut at {end}: {short}");
            // A stream that closes before the size it announced: I/O.
            let closed = decode(&frame[..end], frame.len(), 13).unwrap_err();
            assert!(
                matches!(closed, DecodeError::Io { ref source, .. }
                    if source.kind() == io::ErrorKind::UnexpectedEof),
                "closed at {end}: {closed}"
            );
        }
    }

    #[test]
    fn hostile_answers_are_refused_with_the_field_that_lies() {
        let head = |w: &mut Writer| {
            w.i32(2).no_tagged_fields().i32(0);
        };
        let topic_until_partitions = |w: &mut Writer| {
            head(w);
            w.compact_array_len(Some(0))
                .compact_nullable_string(None)
                .i32(0)
                .compact_array_len(Some(1))
                .i16(0)
                .compact_string("t")
                .bytes(&[0; 16])
                .bool(false);
        };
        let mut cases: Vec<(&str, Vec<u8>, &str)> = Vec::new();

        let mut w = Writer::new();
        head(&mut w);
        w.uvarint(u32::MAX); // 4 billion brokers
        cases.push((
            "a broker count past the frame",
            body(&w),
            "length exceeds the frame",
        ));

        let mut w = Writer::new();
        topic_until_partitions(&mut w);
        w.uvarint(1 << 28);
        cases.push((
            "a partition count past the frame",
            body(&w),
            "length exceeds the frame",
        ));

        let mut w = Writer::new();
        topic_until_partitions(&mut w);
        w.compact_array_len(Some(1)).i16(0).i32(0).i32(1).i32(0);
        w.uvarint(1 << 30); // replicas
        cases.push((
            "a replica list past the frame",
            body(&w),
            "length exceeds the frame",
        ));

        let mut w = Writer::new();
        head(&mut w);
        w.compact_array_len(Some(1)).i32(1);
        w.uvarint(MAX_STRING as u32 + 2);
        let mut bytes = body(&w);
        bytes.resize(bytes.len() + MAX_STRING + 64, b'h');
        cases.push((
            "a host longer than Kafka allows",
            bytes,
            "string longer than Kafka's 32767 bytes",
        ));

        let mut w = Writer::new();
        head(&mut w);
        w.compact_array_len(Some(1))
            .i32(1)
            .compact_string("h")
            .i32(9092);
        w.compact_nullable_string(None)
            .uvarint(1)
            .uvarint(0)
            .uvarint(1 << 30);
        cases.push((
            "a tagged field past the frame",
            body(&w),
            "frame ends early",
        ));

        let mut w = Writer::new();
        head(&mut w);
        w.compact_array_len(Some(1)).i32(1).bytes(&[3, 0xff, 0xfe]);
        cases.push(("a host that is not UTF-8", body(&w), "not UTF-8"));

        let mut w = Writer::new();
        w.i32(3).no_tagged_fields();
        cases.push((
            "the answer to another request",
            body(&w),
            "the answer is to another request",
        ));

        let mut bytes = encode_response(&answer(), 13, 2)[4..].to_vec();
        bytes.push(0);
        cases.push((
            "a byte after the last field",
            bytes,
            "unread bytes after the last field",
        ));

        for (name, frame, problem) in cases {
            let err = decode(&frame, frame.len(), 13).unwrap_err();
            assert_eq!(err.problem(), Some(problem), "{name}: {err}");
        }
    }

    /// A stream that writes `parts`, each `(bytes, times)`, without holding
    /// more than one copy of each: a huge answer that exists nowhere whole.
    struct Repeat {
        parts: Vec<(Vec<u8>, usize)>,
        part: usize,
        at: usize,
        done: usize,
    }

    impl io::Read for Repeat {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let mut n = 0;
            while n < buf.len() && self.part < self.parts.len() {
                let (bytes, times) = &self.parts[self.part];
                if self.done == *times {
                    (self.part, self.done) = (self.part + 1, 0);
                    continue;
                }
                let k = (bytes.len() - self.at).min(buf.len() - n);
                buf[n..n + k].copy_from_slice(&bytes[self.at..self.at + k]);
                (n, self.at) = (n + k, self.at + k);
                if self.at == bytes.len() {
                    (self.at, self.done) = (0, self.done + 1);
                }
            }
            Ok(n)
        }
    }

    #[test]
    fn a_million_partitions_stream_through_without_being_kept() {
        const N: usize = 1_000_000;
        let mut prefix = Writer::new();
        prefix.i32(2).no_tagged_fields().i32(0);
        prefix
            .compact_array_len(Some(1))
            .i32(1)
            .compact_string("h")
            .i32(1);
        prefix.compact_nullable_string(None).no_tagged_fields();
        prefix
            .compact_nullable_string(Some("c"))
            .i32(1)
            .compact_array_len(Some(1));
        prefix
            .i16(0)
            .compact_string("big")
            .bytes(&[1; 16])
            .bool(false);
        prefix.compact_array_len(Some(N));
        let mut partition = Writer::new();
        partition.i16(0).i32(0).i32(0).i32(0);
        for list in [&[0, 1, 2][..], &[0, 2], &[]] {
            partition.compact_array_len(Some(list.len()));
            list.iter().for_each(|&id| {
                partition.i32(id);
            });
        }
        partition.no_tagged_fields();
        let mut suffix = Writer::new();
        suffix
            .i32(i32::MIN)
            .no_tagged_fields()
            .i16(0)
            .no_tagged_fields();
        let parts = vec![
            (body(&prefix), 1),
            (body(&partition), N),
            (body(&suffix), 1),
        ];
        let len: usize = parts.iter().map(|(b, times)| b.len() * times).sum();
        let src = Repeat {
            parts,
            part: 0,
            at: 0,
            done: 0,
        };
        let (mut seen, mut lagging) = (0, 0);
        let summary = decode_response(src, len, 13, 2, 1, |_, p| {
            seen += 1;
            lagging += usize::from(p.hosted && !p.in_isr);
        })
        .unwrap();
        assert_eq!((summary.partitions, seen, lagging), (N, N, N));
        assert!(len > 30 << 20, "a frame of {len} bytes");
    }

    #[test]
    fn the_version_is_the_highest_both_sides_speak() {
        let cases = [
            // (broker min, broker max, picked)
            (0, 12, Some(12)), // Kafka 3.9
            (4, 13, Some(13)), // Kafka 4.x
            (0, 20, Some(13)), // a future broker
            (0, 8, None),      // Kafka 2.3 and older: no flexible Metadata
            (14, 20, None),    // a broker that dropped everything we speak
        ];
        for (min, max, picked) in cases {
            assert_eq!(pick_version(min, max), picked, "broker {min}..={max}");
        }
    }

    #[test]
    fn the_request_asks_for_all_topics_without_creating_any() {
        let body = |v| encode_request(v, 2, "c")[4 + 12..].to_vec();
        // topics null, no auto-create, [cluster ops], topic ops, tagged fields
        assert_eq!(body(9), [0, 0, 0, 0, 0]);
        assert_eq!(body(10), [0, 0, 0, 0, 0]);
        assert_eq!(body(11), [0, 0, 0, 0]);
        assert_eq!(body(13), [0, 0, 0, 0]);
    }
}
