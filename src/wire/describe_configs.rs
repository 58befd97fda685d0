//! DescribeConfigs (API key 32): the effective value of chosen config keys of
//! topics and brokers, with where each value comes from. `audit` reads it to
//! learn each topic's `min.insync.replicas` (a topic override or the broker's
//! default) and the broker's `default.replication.factor`.
//!
//! We speak version 4 only: flexible (compact strings, tagged fields, request
//! header v2, response header v1), served by Kafka 2.8 up to 4.x, while 4.0
//! removed version 0 (KIP-896).

use std::io::Read;

use super::codec::{DecodeError, Reader, Writer};
use super::header;

/// DescribeConfigs' API key.
pub const API_KEY: i16 = 32;
/// The one version we speak.
pub const VERSION: i16 = 4;
/// Bytes an answer may take per resource beyond its name (twice: once as
/// asked, once in an error message) and its keys: the fixed fields, a
/// value, an error message's words. A real entry takes about 40.
const ROOM_PER_RESOURCE: usize = 256;

/// Entries kept of one result: we ask for one key per resource, so a real
/// answer has one; a broker that sends thousands costs no memory.
const CONFIGS_KEPT: usize = 4;

/// The largest answer to a request for `resources` that a broker can
/// honestly send: what one entry per key asked needs, with room to spare.
/// A larger frame is refused before a byte of it is read.
pub fn max_frame(resources: &[Resource<'_>]) -> usize {
    resources.iter().fold(1024, |total, r| {
        let keys: usize = r.keys.iter().map(|k| k.len() + ROOM_PER_RESOURCE).sum();
        total + 2 * r.name.len() + ROOM_PER_RESOURCE + keys
    })
}

/// `ConfigResource.Type` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceType {
    /// A topic, named by its name.
    Topic,
    /// A broker, named by its id in decimal (the answering broker's only).
    Broker,
}

impl ResourceType {
    fn code(self) -> i8 {
        match self {
            ResourceType::Topic => 2,
            ResourceType::Broker => 4,
        }
    }
}

/// One resource to describe: its type, name and the keys wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource<'a> {
    /// Topic or broker.
    pub kind: ResourceType,
    /// The topic's name or the broker's id.
    pub name: &'a str,
    /// The config keys to return.
    pub keys: &'a [&'a str],
}

/// One config entry of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The key, e.g. `min.insync.replicas`.
    pub name: String,
    /// Its effective value (null for sensitive values).
    pub value: Option<String>,
    /// `DescribeConfigsResponse.ConfigSource`: 1 topic override, 2 dynamic
    /// broker, 3 dynamic default broker, 4 static broker (server.properties),
    /// 5 Kafka's default, 6 dynamic broker logger.
    pub source: i8,
}

/// The answer for one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceResult {
    /// 0, or why this resource could not be described (e.g. another broker's id).
    pub error_code: i16,
    /// The broker's message for a non-zero error code.
    pub error_message: Option<String>,
    /// The resource type code (2 topic, 4 broker).
    pub resource_type: i8,
    /// The resource's name as asked.
    pub resource_name: String,
    /// The entries asked for.
    pub configs: Vec<Config>,
}

impl ResourceResult {
    /// The value of `key`, when the answer has it.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.configs
            .iter()
            .find(|c| c.name == key)
            .and_then(|c| c.value.as_deref())
    }
}

/// The request frame describing `resources`, without synonyms or documentation.
pub fn encode_request(correlation_id: i32, client_id: &str, resources: &[Resource<'_>]) -> Vec<u8> {
    let mut w = Writer::new();
    header::request_v2(&mut w, API_KEY, VERSION, correlation_id, client_id);
    w.uvarint(resources.len() as u32 + 1);
    for r in resources {
        w.i8(r.kind.code()).compact_string(r.name);
        w.uvarint(r.keys.len() as u32 + 1);
        for key in r.keys {
            w.compact_string(key);
        }
        w.no_tagged_fields();
    }
    w.bool(false) // include synonyms
        .bool(false) // include documentation
        .no_tagged_fields();
    w.finish()
}

/// Decodes the `len`-byte response frame (size prefix already read) that
/// `src` yields, to our request.
pub fn decode_response<R: Read>(
    src: R,
    len: usize,
    correlation_id: i32,
) -> Result<Vec<ResourceResult>, DecodeError> {
    let mut results = vec![];
    decode_each(src, len, correlation_id, |r| results.push(r))?;
    Ok(results)
}

/// [`decode_response`] as a stream: `each` gets every result as it is
/// read, and nothing is kept (`audit` keeps one number per topic).
pub fn decode_each<R: Read>(
    src: R,
    len: usize,
    correlation_id: i32,
    mut each: impl FnMut(ResourceResult),
) -> Result<(), DecodeError> {
    let mut r = Reader::new(src, len, "DescribeConfigsResponse");
    header::response_v1(&mut r, correlation_id)?;
    r.i32("throttle time")?;
    let n = r.compact_array_len("results")?.unwrap_or(0);
    for _ in 0..n {
        each(decode_result(&mut r)?);
    }
    r.skip_tagged_fields("tagged fields")?;
    r.finish()
}

fn decode_result<R: Read>(r: &mut Reader<R>) -> Result<ResourceResult, DecodeError> {
    let error_code = r.i16("result error code")?;
    let error_message = r.compact_nullable_string("result error message")?;
    let resource_type = r.i8("resource type")?;
    let resource_name = r.compact_string("resource name")?;
    let n = r.compact_array_len("configs")?.unwrap_or(0);
    let mut configs = Vec::with_capacity(n.min(CONFIGS_KEPT));
    for _ in 0..n {
        let config = decode_config(r)?;
        if configs.len() < CONFIGS_KEPT {
            configs.push(config);
        }
    }
    r.skip_tagged_fields("result tagged fields")?;
    Ok(ResourceResult {
        error_code,
        error_message,
        resource_type,
        resource_name,
        configs,
    })
}

fn decode_config<R: Read>(r: &mut Reader<R>) -> Result<Config, DecodeError> {
    let name = r.compact_string("config name")?;
    let value = r.compact_nullable_string("config value")?;
    r.bool("config read-only")?;
    let source = r.i8("config source")?;
    r.bool("config is sensitive")?;
    // Synonyms: we never ask for them, but a broker may still send an array.
    let n = r.compact_array_len("config synonyms")?.unwrap_or(0);
    for _ in 0..n {
        r.compact_string("synonym name")?;
        r.compact_nullable_string("synonym value")?;
        r.i8("synonym source")?;
        r.skip_tagged_fields("synonym tagged fields")?;
    }
    r.i8("config type")?;
    r.compact_nullable_string("config documentation")?;
    r.skip_tagged_fields("config tagged fields")?;
    Ok(Config {
        name,
        value,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_names_each_resource_and_its_keys() {
        let frame = encode_request(
            7,
            "c",
            &[Resource {
                kind: ResourceType::Topic,
                name: "t",
                keys: &["k"],
            }],
        );
        // size, api key 32, version 4, correlation 7, client id "c", no tags
        assert_eq!(&frame[4..15], &[0, 32, 0, 4, 0, 0, 0, 7, 0, 1, b'c']);
        // header tags, 1 resource, topic, "t", 1 key "k", resource tags,
        // no synonyms, no documentation, request tags
        assert_eq!(&frame[15..], &[0, 2, 2, 2, b't', 2, 2, b'k', 0, 0, 0, 0]);
    }

    #[test]
    fn a_truncated_answer_is_an_error_not_a_panic() {
        let mut w = Writer::new();
        w.i32(7).no_tagged_fields().i32(0).uvarint(2).i16(0);
        let frame = w.finish();
        let err = decode_response(&frame[4..], frame.len() - 4, 7).unwrap_err();
        assert!(err.to_string().contains("frame ends early"), "{err}");
    }
}
