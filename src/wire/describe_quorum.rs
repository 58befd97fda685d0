//! DescribeQuorum (API key 55): the KRaft quorum of `__cluster_metadata-0`
//! as its leader sees it: leader, epoch, high watermark, and each voter's and
//! observer's log end offset (ZooKeeper brokers in dual write are observers).
//!
//! Versions 0-2 in Kafka 3.9 and 4.4 (DescribeQuorum*.json), flexible from
//! v0. We send v1 (v2 only adds directory ids and the nodes' listeners). Only
//! the leader answers; any other controller says NOT_LEADER_OR_FOLLOWER.

use super::codec::{DecodeError, Reader, Writer};
use super::header;

/// DescribeQuorum's API key.
pub const API_KEY: i16 = 55;
/// The version we send.
pub const VERSION: i16 = 1;
/// Kafka's NOT_LEADER_OR_FOLLOWER error code.
pub const NOT_LEADER_OR_FOLLOWER: i16 = 6;
/// The largest answer we read: a quorum of a few hundred replicas.
pub const MAX_FRAME: usize = 1 << 20;
/// The metadata topic.
pub const METADATA_TOPIC: &str = "__cluster_metadata";

/// One replica of the metadata partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replica {
    /// Its node id.
    pub id: i32,
    /// Its log end offset as the leader last saw it (-1 when unknown).
    pub log_end_offset: i64,
    /// When it last fetched, leader's clock in ms (-1 when unknown).
    pub last_fetch_ms: i64,
    /// When it was last caught up, leader's clock in ms (-1 when unknown).
    pub last_caught_up_ms: i64,
}

/// The quorum as the leader describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quorum {
    /// The top-level error code, else the partition's (0 when fine).
    pub error_code: i16,
    /// The leader's id (-1 when unknown).
    pub leader_id: i32,
    /// The leader's epoch.
    pub leader_epoch: i32,
    /// The metadata log's high watermark.
    pub high_watermark: i64,
    /// The voters.
    pub voters: Vec<Replica>,
    /// The observers (brokers; ZooKeeper brokers in dual write too).
    pub observers: Vec<Replica>,
}

/// The DescribeQuorum v1 request for `__cluster_metadata-0`.
pub fn encode_request(correlation_id: i32, client_id: &str) -> Vec<u8> {
    let mut w = Writer::new();
    header::request_v2(&mut w, API_KEY, VERSION, correlation_id, client_id);
    w.uvarint(2) // one topic
        .compact_string(METADATA_TOPIC)
        .uvarint(2) // one partition
        .i32(0)
        .no_tagged_fields()
        .no_tagged_fields()
        .no_tagged_fields();
    w.finish()
}

/// Decodes the response frame (size prefix removed) to our v1 request.
pub fn decode_response(frame: &[u8], correlation_id: i32) -> Result<Quorum, DecodeError> {
    let mut r = Reader::from_slice(frame, "DescribeQuorumResponse");
    header::response_v1(&mut r, correlation_id)?;
    let top_error = r.i16("error code")?;
    let mut quorum = Quorum {
        error_code: top_error,
        leader_id: -1,
        leader_epoch: -1,
        high_watermark: -1,
        voters: vec![],
        observers: vec![],
    };
    let topics = r.compact_array_len("topics")?.unwrap_or(0);
    for _ in 0..topics {
        let name = r.compact_string("topic name")?;
        let partitions = r.compact_array_len("partitions")?.unwrap_or(0);
        for _ in 0..partitions {
            let index = r.i32("partition index")?;
            let error = r.i16("partition error code")?;
            let leader_id = r.i32("leader id")?;
            let leader_epoch = r.i32("leader epoch")?;
            let high_watermark = r.i64("high watermark")?;
            let voters = replicas(&mut r, "voters")?;
            let observers = replicas(&mut r, "observers")?;
            r.skip_tagged_fields("partition tagged fields")?;
            if name == METADATA_TOPIC && index == 0 {
                if quorum.error_code == 0 {
                    quorum.error_code = error;
                }
                quorum.leader_id = leader_id;
                quorum.leader_epoch = leader_epoch;
                quorum.high_watermark = high_watermark;
                quorum.voters = voters;
                quorum.observers = observers;
            }
        }
        r.skip_tagged_fields("topic tagged fields")?;
    }
    r.skip_tagged_fields("tagged fields")?;
    r.finish()?;
    Ok(quorum)
}

fn replicas(r: &mut Reader<&[u8]>, what: &str) -> Result<Vec<Replica>, DecodeError> {
    let n = r.compact_array_len(what)?.unwrap_or(0);
    let mut out = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        out.push(Replica {
            id: r.i32("replica id")?,
            log_end_offset: r.i64("log end offset")?,
            last_fetch_ms: r.i64("last fetch timestamp")?,
            last_caught_up_ms: r.i64("last caught-up timestamp")?,
        });
        r.skip_tagged_fields("replica tagged fields")?;
    }
    Ok(out)
}
