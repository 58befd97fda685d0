//! The codec checked against bytes captured from real Kafka 3.9.0 and 4.4.0
//! brokers and real clients (librdkafka via kcat, Kafka's own Java admin
//! client). See tests/fixtures/wire/README.md for how they were captured.

use super::api_versions::{self, ApiRange};
use super::metadata::{self, PartitionView, Summary, TopicHead};
use super::DecodeError;

/// One captured file, as it was on the wire (size prefix included).
macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/wire/",
            $path
        ))
        .as_slice()
    };
}

/// A captured response without its size prefix, after checking the prefix.
fn frame(bytes: &[u8]) -> &[u8] {
    let size = i32::from_be_bytes(bytes[..4].try_into().expect("4 bytes"));
    assert_eq!(
        size as usize,
        bytes.len() - 4,
        "size prefix of a captured frame"
    );
    &bytes[4..]
}

/// The correlation id of a captured request frame.
fn correlation(request: &[u8]) -> i32 {
    i32::from_be_bytes(request[8..12].try_into().expect("4 bytes"))
}

/// Streams a Metadata frame for node `node`, collecting every partition it
/// hands over (fine for the few a fixture holds).
fn metadata_for(
    frame: &[u8],
    version: i16,
    correlation_id: i32,
    node: i32,
) -> Result<(Summary, Vec<(TopicHead, PartitionView)>), DecodeError> {
    let mut seen = Vec::new();
    let summary =
        metadata::decode_response(frame, frame.len(), version, correlation_id, node, |t, p| {
            seen.push((t.clone(), *p))
        })?;
    Ok((summary, seen))
}

const SOFTWARE_VERSION: &str = env!("CARGO_PKG_VERSION");

#[test]
fn our_api_versions_request_is_the_one_captured_from_kafka_init() {
    for captured in [
        fixture!("3.9.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-request.bin"),
        fixture!("4.4.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-request.bin"),
    ] {
        let ours = api_versions::encode_request(1, "kafka-init", "kafka-init", SOFTWARE_VERSION);
        assert_eq!(ours, captured);
    }
}

#[test]
fn our_api_versions_request_matches_librdkafka_byte_for_byte() {
    // kcat 1.7.1 (librdkafka 2.0.2) sends ApiVersions v3 too: with its names
    // in our encoder, the frames must be identical.
    for captured in [
        fixture!("3.9.0/kcat/c2-01-ApiVersions-v3-request.bin"),
        fixture!("4.4.0/kcat/c2-01-ApiVersions-v3-request.bin"),
    ] {
        let ours = api_versions::encode_request(1, "rdkafka", "librdkafka", "2.0.2");
        assert_eq!(ours, captured);
    }
}

#[test]
fn our_metadata_request_matches_the_java_client_but_asks_for_all_topics() {
    // Kafka's admin client (BrokerApiVersionsCommand) sends the same versions
    // we pick (v12 to 3.9, v13 to 4.4), also asking for all topics, but
    // allows auto topic creation (1) where a probe must not (0). Nothing
    // else may differ.
    let cases = [
        (
            12,
            fixture!("3.9.0/jvm-broker-api-versions/c2-02-Metadata-v12-request.bin"),
        ),
        (
            13,
            fixture!("4.4.0/jvm-broker-api-versions/c2-02-Metadata-v13-request.bin"),
        ),
    ];
    for (version, captured) in cases {
        let ours = metadata::encode_request(version, correlation(captured), "admin-1");
        // size, key, version, correlation id, client id, header tags, topics
        let auto_create_at = 4 + 2 + 2 + 4 + 2 + "admin-1".len() + 1 + 1;
        let mut expected = captured.to_vec();
        assert_eq!(
            expected[auto_create_at], 1,
            "the Java client's allow_auto_topic_creation"
        );
        expected[auto_create_at] = 0;
        assert_eq!(ours, expected, "v{version}");
    }
}

#[test]
fn our_metadata_request_is_the_one_captured_from_kafka_init() {
    let cases = [
        (
            12,
            fixture!("3.9.0/kafka-init-probe-ready/c2-02-Metadata-v12-request.bin"),
        ),
        (
            13,
            fixture!("4.4.0/kafka-init-probe-ready/c2-02-Metadata-v13-request.bin"),
        ),
    ];
    for (version, captured) in cases {
        assert_eq!(metadata::encode_request(version, 2, "kafka-init"), captured);
    }
}

#[test]
fn api_versions_answers_of_broker_listeners_decode() {
    // (fixture, newest Metadata version the broker serves)
    let cases = [
        (
            fixture!("3.9.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-response.bin"),
            12,
        ),
        (
            fixture!("4.4.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-response.bin"),
            13,
        ),
        (fixture!("3.9.0/kcat/c2-01-ApiVersions-v3-response.bin"), 12),
        (fixture!("4.4.0/kcat/c2-01-ApiVersions-v3-response.bin"), 13),
    ];
    for (bytes, metadata_max) in cases {
        let response = api_versions::decode_response(frame(bytes), frame(bytes).len(), 1).unwrap();
        assert_eq!(response.error_code, 0);
        assert_eq!(response.throttle_time_ms, 0);
        let range = response
            .range(metadata::API_KEY)
            .expect("Metadata is served");
        assert_eq!(range.max, metadata_max);
        assert_eq!(
            metadata::pick_version(range.min, range.max),
            Some(metadata_max)
        );
        assert!(response.range(api_versions::API_KEY).is_some());
    }
}

#[test]
fn only_controller_listeners_advertise_vote_and_only_broker_listeners_metadata() {
    let cases = [
        (
            fixture!("3.9.0/kafka-init-probe-controller/c2-01-ApiVersions-v3-response.bin"),
            true,
        ),
        (
            fixture!("4.4.0/kafka-init-probe-controller/c2-01-ApiVersions-v3-response.bin"),
            true,
        ),
        (
            fixture!("3.9.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-response.bin"),
            false,
        ),
        (
            fixture!("4.4.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-response.bin"),
            false,
        ),
    ];
    for (bytes, controller) in cases {
        let response = api_versions::decode_response(frame(bytes), frame(bytes).len(), 1).unwrap();
        assert_eq!(response.error_code, 0);
        assert_eq!(response.range(api_versions::VOTE).is_some(), controller);
        assert_eq!(response.range(metadata::API_KEY).is_some(), !controller);
        // Both kinds advertise DescribeQuorum: brokers forward it.
        assert!(response.range(api_versions::DESCRIBE_QUORUM).is_some());
    }
}

#[test]
fn api_versions_answers_to_the_java_client_decode_with_the_v3_layout() {
    // Versions 4 and 5 changed meaning, not layout.
    let cases = [
        (
            fixture!("3.9.0/jvm-broker-api-versions/c2-01-ApiVersions-v4-request.bin"),
            fixture!("3.9.0/jvm-broker-api-versions/c2-01-ApiVersions-v4-response.bin"),
        ),
        (
            fixture!("4.4.0/jvm-broker-api-versions/c2-01-ApiVersions-v5-request.bin"),
            fixture!("4.4.0/jvm-broker-api-versions/c2-01-ApiVersions-v5-response.bin"),
        ),
    ];
    for (request, bytes) in cases {
        let response =
            api_versions::decode_response(frame(bytes), frame(bytes).len(), correlation(request))
                .unwrap();
        assert_eq!(response.error_code, 0);
        assert!(response.range(metadata::API_KEY).is_some());
    }
}

#[test]
fn metadata_answers_list_the_broker_and_every_partition() {
    let cases = [
        (
            12,
            19092,
            fixture!("3.9.0/kafka-init-probe-ready/c2-02-Metadata-v12-response.bin"),
        ),
        (
            13,
            19192,
            fixture!("4.4.0/kafka-init-probe-ready/c2-02-Metadata-v13-response.bin"),
        ),
    ];
    for (version, port, bytes) in cases {
        let (summary, partitions) = metadata_for(frame(bytes), version, 2, 1).unwrap();
        assert_eq!(summary.error_code, 0);
        assert_eq!(
            summary.cluster_id.as_deref(),
            Some("a2Fma2EtaW5pdC13aXJlIQ")
        );
        assert_eq!(summary.controller_id, 1);
        assert_eq!(summary.brokers, 1);
        assert_eq!(
            summary.node,
            Some(metadata::Broker {
                node_id: 1,
                host: "127.0.0.1".into(),
                port,
                rack: None
            })
        );
        assert_eq!((summary.topics, summary.partitions), (1, 2), "v{version}");
        let mut indexes: Vec<i32> = partitions.iter().map(|(_, p)| p.index).collect();
        indexes.sort();
        assert_eq!(indexes, [0, 1]);
        for (topic, p) in &partitions {
            assert_eq!(topic.name.as_deref(), Some("probe-fixture"));
            assert!(!topic.internal);
            assert!(topic.id.is_some_and(|id| id != [0; 16]));
            assert_eq!(
                (
                    p.error_code,
                    p.leader,
                    p.replicas,
                    p.hosted,
                    p.isr,
                    p.in_isr,
                    p.offline
                ),
                (0, 1, 1, true, 1, true, false)
            );
        }
        // Asked about another node: the same answer, but nothing of it is that node's.
        let (other, partitions) = metadata_for(frame(bytes), version, 2, 2).unwrap();
        assert_eq!((other.node, other.brokers), (None, 1));
        assert!(partitions.iter().all(|(_, p)| !p.hosted && !p.in_isr));
    }
}

#[test]
fn metadata_answers_to_the_java_client_decode() {
    let cases = [
        (
            12,
            fixture!("3.9.0/jvm-broker-api-versions/c2-02-Metadata-v12-request.bin"),
            fixture!("3.9.0/jvm-broker-api-versions/c2-02-Metadata-v12-response.bin"),
        ),
        (
            13,
            fixture!("4.4.0/jvm-broker-api-versions/c2-02-Metadata-v13-request.bin"),
            fixture!("4.4.0/jvm-broker-api-versions/c2-02-Metadata-v13-response.bin"),
        ),
    ];
    for (version, request, bytes) in cases {
        let (summary, _) = metadata_for(frame(bytes), version, correlation(request), 1).unwrap();
        assert_eq!(summary.brokers, 1);
        assert_eq!(summary.topics, 1);
    }
}

#[test]
fn every_truncation_of_a_real_answer_is_an_error_not_a_panic() {
    let api = frame(fixture!(
        "4.4.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-response.bin"
    ));
    for end in 0..api.len() {
        assert!(
            api_versions::decode_response(&api[..end], end, 1).is_err(),
            "ApiVersions cut at {end}"
        );
    }
    let meta = frame(fixture!(
        "4.4.0/kafka-init-probe-ready/c2-02-Metadata-v13-response.bin"
    ));
    for end in 0..meta.len() {
        assert!(
            metadata_for(&meta[..end], 13, 2, 1).is_err(),
            "Metadata cut at {end}"
        );
    }
}

#[test]
fn a_metadata_answer_read_as_the_wrong_version_is_refused() {
    // v13 has a trailing error code that v12 does not: reading one as the
    // other must fail, not silently misparse.
    let meta = frame(fixture!(
        "4.4.0/kafka-init-probe-ready/c2-02-Metadata-v13-response.bin"
    ));
    assert!(metadata_for(meta, 12, 2, 1).is_err());
}

#[test]
fn the_api_range_of_a_key_is_found() {
    let bytes = frame(fixture!(
        "3.9.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-response.bin"
    ));
    let response = api_versions::decode_response(bytes, bytes.len(), 1).unwrap();
    assert_eq!(
        response.range(18),
        Some(ApiRange {
            key: 18,
            min: 0,
            max: 4
        })
    );
}
