//! Metadata (API key 3): the cluster as the answering broker sees it — the
//! live brokers and, for every partition, its leader, replicas and in-sync
//! replicas. The readiness probe reads it to learn whether this broker is
//! registered and caught up.
//!
//! We speak versions 9 to 13, all flexible (compact strings, tagged fields,
//! request header v2, response header v1). Kafka 4.0 removed versions 0-3
//! (KIP-896), Kafka 3.9 serves up to 12 and 4.x up to 13, so the highest
//! common version is picked from the broker's ApiVersions answer.

use std::ops::RangeInclusive;

use super::codec::{DecodeError, Reader, Writer};
use super::header;

/// Metadata's API key.
pub const API_KEY: i16 = 3;
/// The versions we can encode and decode.
pub const VERSIONS: RangeInclusive<i16> = 9..=13;

/// The highest version both we and the broker (`min..=max` from ApiVersions) speak.
pub fn pick_version(broker_min: i16, broker_max: i16) -> Option<i16> {
    let top = broker_max.min(*VERSIONS.end());
    (top >= broker_min.max(*VERSIONS.start())).then_some(top)
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

/// One partition of a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// 0, or e.g. LEADER_NOT_AVAILABLE (5) / REPLICA_NOT_AVAILABLE (9).
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

/// One topic of the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// 0 unless the topic could not be described.
    pub error_code: i16,
    /// The name (null allowed from v12, when asked by topic id).
    pub name: Option<String>,
    /// The topic id (v10+); all zeros when unknown.
    pub id: Option<[u8; 16]>,
    /// True for `__consumer_offsets` and the like.
    pub internal: bool,
    /// The partitions.
    pub partitions: Vec<Partition>,
}

/// What we read of a Metadata response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataResponse {
    /// Quota throttle.
    pub throttle_time_ms: i32,
    /// The brokers the answering broker knows to be alive (KRaft: registered
    /// and unfenced; ZooKeeper: registered in ZooKeeper).
    pub brokers: Vec<Broker>,
    /// The cluster id.
    pub cluster_id: Option<String>,
    /// The controller's id, -1 when unknown.
    pub controller_id: i32,
    /// Every topic (we ask for all).
    pub topics: Vec<Topic>,
    /// The top-level error (v13+, KIP-1102); 0 before.
    pub error_code: i16,
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

/// Decodes the response frame (size prefix removed) to our request of `version`.
pub fn decode_response(
    frame: &[u8],
    version: i16,
    correlation_id: i32,
) -> Result<MetadataResponse, DecodeError> {
    let mut r = Reader::new(frame, "MetadataResponse");
    header::response_v1(&mut r, correlation_id)?;
    let throttle_time_ms = r.i32("throttle time")?;
    let n = r.compact_array_len("brokers")?.unwrap_or(0);
    let brokers = (0..n)
        .map(|_| decode_broker(&mut r))
        .collect::<Result<_, _>>()?;
    let cluster_id = r.compact_nullable_string("cluster id")?;
    let controller_id = r.i32("controller id")?;
    let n = r.compact_array_len("topics")?.unwrap_or(0);
    let topics = (0..n)
        .map(|_| decode_topic(&mut r, version))
        .collect::<Result<_, _>>()?;
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
    Ok(MetadataResponse {
        throttle_time_ms,
        brokers,
        cluster_id,
        controller_id,
        topics,
        error_code,
    })
}

fn decode_broker(r: &mut Reader<'_>) -> Result<Broker, DecodeError> {
    let broker = Broker {
        node_id: r.i32("broker node id")?,
        host: r.compact_string("broker host")?,
        port: r.i32("broker port")?,
        rack: r.compact_nullable_string("broker rack")?,
    };
    r.skip_tagged_fields("broker tagged fields")?;
    Ok(broker)
}

fn decode_topic(r: &mut Reader<'_>, version: i16) -> Result<Topic, DecodeError> {
    let error_code = r.i16("topic error code")?;
    let name = r.compact_nullable_string("topic name")?;
    let id = if version >= 10 {
        Some(r.uuid("topic id")?)
    } else {
        None
    };
    let internal = r.bool("topic is internal")?;
    let n = r.compact_array_len("partitions")?.unwrap_or(0);
    let partitions = (0..n)
        .map(|_| decode_partition(r))
        .collect::<Result<_, _>>()?;
    r.i32("topic authorized operations")?;
    r.skip_tagged_fields("topic tagged fields")?;
    Ok(Topic {
        error_code,
        name,
        id,
        internal,
        partitions,
    })
}

fn decode_partition(r: &mut Reader<'_>) -> Result<Partition, DecodeError> {
    let partition = Partition {
        error_code: r.i16("partition error code")?,
        index: r.i32("partition index")?,
        leader: r.i32("partition leader")?,
        leader_epoch: r.i32("partition leader epoch")?,
        replicas: r.compact_i32_array("partition replicas")?,
        isr: r.compact_i32_array("partition isr")?,
        offline: r.compact_i32_array("partition offline replicas")?,
    };
    r.skip_tagged_fields("partition tagged fields")?;
    Ok(partition)
}

#[cfg(test)]
mod tests {
    use super::*;

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
