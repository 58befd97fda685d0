//! ApiVersions (API key 18): the first request every Kafka client sends, and
//! the cheapest one a broker answers — it touches no log and no metadata, so
//! a correct answer proves the listener's network and request threads work.
//!
//! We send version 3 (the first flexible one; Kafka 2.4 through 4.x accept
//! it). Its request uses header v2, but its *response* header is always v0,
//! without tagged fields: a client that does not yet know the broker's
//! versions must still be able to read the answer (KIP-511).

use std::io::Read;

use super::codec::{DecodeError, Reader, Writer};
use super::header;

/// ApiVersions' API key.
pub const API_KEY: i16 = 18;
/// The version we send.
pub const VERSION: i16 = 3;
/// DescribeQuorum's API key. Controller listeners serve it, but broker
/// listeners advertise it too (they forward it), so alone it does not tell a
/// controller apart.
pub const DESCRIBE_QUORUM: i16 = 55;
/// Vote's API key: the KRaft election request, served only on the listeners
/// of quorum voters (captured fixtures: present on CONTROLLER, absent on
/// PLAINTEXT, in Kafka 3.9 and 4.4).
pub const VOTE: i16 = 52;
/// The tag of `ZkMigrationReady` in the response's tagged fields.
pub const ZK_MIGRATION_READY_TAG: u32 = 3;
/// Kafka's UNSUPPORTED_VERSION error code. With it, the broker answers in
/// version 0's layout, whatever version was asked.
pub const UNSUPPORTED_VERSION: i16 = 35;

/// The versions a broker supports for one API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRange {
    /// The API key (3 Metadata, 18 ApiVersions, 55 DescribeQuorum, ...).
    pub key: i16,
    /// Oldest supported version.
    pub min: i16,
    /// Newest supported version.
    pub max: i16,
}

/// What we read of an ApiVersions response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersionsResponse {
    /// 0 when the broker accepted the request.
    pub error_code: i16,
    /// Every API the listener serves, with its version range.
    pub apis: Vec<ApiRange>,
    /// Quota throttle; 0 in a v0-layout answer, which has no such field.
    pub throttle_time_ms: i32,
    /// The tagged field `ZkMigrationReady` (tag 3, v3+): a KRaft controller
    /// configured for a ZooKeeper migration (the flag and `zookeeper.connect`).
    pub zk_migration_ready: bool,
}

impl ApiVersionsResponse {
    /// The version range of `key`, when the listener serves that API.
    pub fn range(&self, key: i16) -> Option<ApiRange> {
        self.apis.iter().copied().find(|a| a.key == key)
    }
}

/// The ApiVersions v3 request frame. `software_name` must match Kafka's
/// `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?`, or the broker answers
/// INVALID_REQUEST; it and `software_version` show up in the broker's
/// client metrics.
pub fn encode_request(
    correlation_id: i32,
    client_id: &str,
    software_name: &str,
    software_version: &str,
) -> Vec<u8> {
    let mut w = Writer::new();
    header::request_v2(&mut w, API_KEY, VERSION, correlation_id, client_id);
    w.compact_string(software_name)
        .compact_string(software_version)
        .no_tagged_fields();
    w.finish()
}

/// The largest ApiVersions answer we read. Real ones are under 1 KiB (about
/// 90 APIs of 7 bytes); a larger size prefix is almost always not Kafka at
/// all — an HTTP or TLS server's first bytes read as a size — and the probe
/// says so instead of reading on. It also bounds the list of APIs we keep.
pub const MAX_FRAME: usize = 1 << 20;

/// How many API entries to make room for before reading them: more than
/// Kafka has, yet small, since a hostile count must not allocate.
const PREALLOCATE: usize = 128;

/// Decodes the `len`-byte response frame (size prefix already read) that
/// `src` yields, to our v3 request.
pub fn decode_response<R: Read>(
    src: R,
    len: usize,
    correlation_id: i32,
) -> Result<ApiVersionsResponse, DecodeError> {
    let mut r = Reader::new(src, len, "ApiVersionsResponse");
    header::response_v0(&mut r, correlation_id)?;
    let error_code = r.i16("error code")?;
    if error_code == UNSUPPORTED_VERSION {
        return decode_v0_body(r, error_code);
    }
    let count = r
        .compact_array_len("api keys")?
        .ok_or_else(|| r.error("api keys", "null array"))?;
    let mut apis = Vec::with_capacity(count.min(PREALLOCATE));
    for _ in 0..count {
        apis.push(ApiRange {
            key: r.i16("api key")?,
            min: r.i16("min version")?,
            max: r.i16("max version")?,
        });
        r.skip_tagged_fields("api key tagged fields")?;
    }
    let throttle_time_ms = r.i32("throttle time")?;
    let zk_migration_ready = r
        .tagged_fields("tagged fields")?
        .iter()
        .any(|(tag, bytes)| {
            *tag == ZK_MIGRATION_READY_TAG && bytes.first().is_some_and(|b| *b != 0)
        });
    r.finish()?;
    Ok(ApiVersionsResponse {
        error_code,
        apis,
        throttle_time_ms,
        zk_migration_ready,
    })
}

/// The v0 layout a broker falls back to when it does not support the version
/// asked: classic array of (key, min, max), nothing else.
fn decode_v0_body<R: Read>(
    mut r: Reader<R>,
    error_code: i16,
) -> Result<ApiVersionsResponse, DecodeError> {
    let count = r.array_len("api keys")?;
    let mut apis = Vec::with_capacity(count.min(PREALLOCATE));
    for _ in 0..count {
        apis.push(ApiRange {
            key: r.i16("api key")?,
            min: r.i16("min version")?,
            max: r.i16("max version")?,
        });
    }
    r.finish()?;
    Ok(ApiVersionsResponse {
        error_code,
        apis,
        throttle_time_ms: 0,
        zk_migration_ready: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_header_v2_then_two_compact_strings() {
        let frame = encode_request(7, "c", "kafka-init", "1.0");
        let expected: Vec<u8> = [
            &[0, 0, 0, 28][..],         // size
            &[0, 18, 0, 3, 0, 0, 0, 7], // api key, version, correlation id
            &[0, 1, b'c'],              // client id, classic string
            &[0],                       // header tagged fields
            &[11],
            b"kafka-init", // client software name
            &[4],
            b"1.0", // client software version
            &[0],   // body tagged fields
        ]
        .concat();
        assert_eq!(frame, expected);
    }

    #[test]
    fn an_unsupported_version_answer_is_read_in_the_v0_layout() {
        let frame = [
            0, 0, 0, 1, // correlation id
            0, 35, // UNSUPPORTED_VERSION
            0, 0, 0, 1, 0, 18, 0, 0, 0, 2, // one api: 18, v0..v2
        ];
        let response = decode_response(&frame[..], frame.len(), 1).unwrap();
        assert_eq!(response.error_code, UNSUPPORTED_VERSION);
        assert_eq!(
            response.range(18),
            Some(ApiRange {
                key: 18,
                min: 0,
                max: 2
            })
        );
    }

    #[test]
    fn a_response_to_another_request_is_refused() {
        let frame = [0, 0, 0, 9, 0, 0, 1, 0, 0, 0, 0, 0];
        let err = decode_response(&frame[..], frame.len(), 1).unwrap_err();
        assert!(
            err.to_string().contains("correlation id 9, expected 1"),
            "{err}"
        );
    }
}
