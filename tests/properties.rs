//! The fuzz targets' checks (fuzz/checks.rs) on stable Rust, in `cargo test`:
//! a few thousand inputs per target from a small deterministic generator of
//! our own (the same inputs every run, so a failure reproduces), plus the
//! seed corpora committed under fuzz/corpus/. Coverage-guided fuzzing finds
//! more (docs/internals/fuzzing.md); this keeps what it found from coming back.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

use kafka_init::wire::metadata::{Answer, Broker, Partition, TopicHead, VERSIONS};

/// SplitMix64: tiny, fast, and good enough to pick test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The seed corpus of one fuzz target.
fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// Flips, cuts, duplicates or inserts a few bytes of `input`.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = if out.is_empty() {
            0
        } else {
            rng.below(out.len())
        };
        match rng.below(5) {
            0 if !out.is_empty() => out[at] ^= 1 << rng.below(8),
            1 if !out.is_empty() => out[at] = rng.next() as u8,
            2 => out.truncate(at),
            3 => out.insert(at, *rng.pick(&[0, 1, 0x7f, 0x80, 0xff, b'\\', b'\n', b'='])),
            _ => {
                let end = (at + rng.below(16)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
        }
    }
    out
}

/// Variables kafka-init reads, and values that test its edges.
const NAMES: &[&str] = &[
    "POD_NAME",
    "POD_NAMESPACE",
    "HOSTNAME",
    "HOST_IP",
    "KAFKA_INIT_FLAVOR",
    "KAFKA_INIT_MODE",
    "KAFKA_INIT_ROLE",
    "KAFKA_INIT_SERVICE",
    "KAFKA_INIT_CLUSTER_DOMAIN",
    "KAFKA_INIT_REPLICAS",
    "KAFKA_INIT_BROKER_REPLICAS",
    "KAFKA_INIT_ID_OFFSET",
    "KAFKA_INIT_RUN_AS",
    "KAFKA_INIT_CONTROLLER_STATEFULSET",
    "KAFKA_INIT_CONTROLLER_SERVICE",
    "KAFKA_INIT_CONTROLLER_REPLICAS",
    "KAFKA_INIT_CONTROLLER_ID_OFFSET",
    "KAFKA_INIT_CONTROLLER_PORT",
    "KAFKA_INIT_CLUSTER_ID",
    "KAFKA_INIT_EXTERNAL_BASE_PORT",
    "KAFKA_INIT_EXTERNAL_HOST",
    "KAFKA_INIT_EXTERNAL_PORT",
    "KAFKA_INIT_CONFIG_DIR",
    "KAFKA_INIT_FORMAT_COMMAND",
    "KAFKA_CFG_LISTENERS",
    "KAFKA_CFG_ADVERTISED_LISTENERS",
    "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
    "KAFKA_CFG_INTER_BROKER_LISTENER_NAME",
    "KAFKA_CFG_CONTROLLER_LISTENER_NAMES",
    "KAFKA_CFG_CONTROLLER_QUORUM_VOTERS",
    "KAFKA_CFG_ZOOKEEPER_CONNECT",
    "KAFKA_CFG_BROKER_ID",
    "KAFKA_CFG_NODE_ID",
    "KAFKA_CFG_LOG_DIRS",
    "KAFKA_CFG_BROKER_RACK",
    "KAFKA_CFG_NUM_PARTITIONS",
    "KAFKA_CFG_SSL_KEYSTORE_PASSWORD",
    "KAFKA_CFG_SASL_JAAS_CONFIG",
    "KAFKA_BROKER_ID",
    "KAFKA_ZOOKEEPER_CONNECT",
    "KAFKA_NODE_ID",
    "KAFKA_LISTENERS",
    "KAFKA_LOG_DIRS",
    "KAFKA_OPTS",
];

const VALUES: &[&str] = &[
    "",
    "kafka-0",
    "kafka-1",
    "kafka-2",
    "kafka-12",
    "default",
    "kafka",
    "kraft",
    "zookeeper",
    "combined",
    "broker",
    "controller",
    "bitnami",
    "apache",
    "properties",
    "3",
    "0",
    "-1",
    "9093",
    "65536",
    "1001:1001",
    "10.0.0.7",
    "a2Fma2EtaW5pdC13aXJlIQ",
    "zk-service.zk:32181",
    "PLAINTEXT://:9092,CONTROLLER://:9093",
    "PLAINTEXT://:9092",
    "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "CONTROLLER",
    "PLAINTEXT",
    "0@kafka-0.kafka:9093,1@kafka-1.kafka:9093",
    "/bitnami/kafka/data",
    "/data/a,/data/b",
    "kafka-{ordinal}.example.com",
    "rack a=b: #c !d",
    " leading and trailing ",
    "back\\slash\\",
    "tab\there",
    "form\x0cfeed",
    "\x0cfirst",
    "new\nline",
    "car\rriage",
    "#hash",
    "!bang",
    "=equals",
    ":colon",
    "caf\u{e9}",
    "\u{1f600}",
    "\\u0041",
    "s3cr3t",
    "org.apache.kafka.common.security.plain.PlainLoginModule required;",
];

fn environment(rng: &mut Rng) -> Vec<u8> {
    let mut env = vec![];
    // Most runs start from a working KRaft or ZooKeeper pod, so that derive
    // succeeds and the renderers run.
    if rng.chance(70) {
        env.extend_from_slice(&[
            ("POD_NAME", "kafka-1"),
            ("POD_NAMESPACE", "default"),
            ("KAFKA_INIT_CLUSTER_ID", "a2Fma2EtaW5pdC13aXJlIQ"),
        ]);
        if rng.chance(50) {
            env.push(("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk-service.zk:32181"));
        } else {
            env.push(("KAFKA_INIT_MODE", "kraft"));
        }
    }
    for _ in 0..rng.below(8) {
        env.push((*rng.pick(NAMES), *rng.pick(VALUES)));
    }
    let mut out = vec![];
    for (name, value) in env {
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        out.extend_from_slice(value.as_bytes());
        if rng.chance(10) {
            out.extend_from_slice(rng.pick(VALUES).as_bytes());
        }
        out.push(0);
    }
    out
}

#[test]
fn every_derived_plan_renders_and_server_properties_reads_back_as_the_plan() {
    for input in corpus("plan_render") {
        checks::plan_and_render(&input);
    }
    let mut rng = Rng(1);
    for _ in 0..3000 {
        checks::plan_and_render(&environment(&mut rng));
    }
}

#[test]
fn the_java_compatible_reader_reads_what_the_jdk_reads() {
    type Case<'a> = (&'a [u8], &'a [(&'a str, &'a str)]);
    let cases: &[Case] = &[
        (b"a=1\nb : 2\nc 3\n", &[("a", "1"), ("b", "2"), ("c", "3")]),
        (b"  # comment\n! also\n\n", &[]),
        (b"k=v\\\n   continued", &[("k", "vcontinued")]),
        (b"broker.id=\\\r\n    1\r\n", &[("broker.id", "1")]),
        (b"k\\=ey=v\\:al", &[("k=ey", "v:al")]),
        (b"k==v", &[("k", "=v")]),
        (b"k = = v", &[("k", "= v")]),
        (b"u=\\u00e9\\t", &[("u", "\u{e9}\t")]),
        (b"u=\\ud83d\\ude00", &[("u", "\u{1f600}")]),
        (b"l=caf\xc3\xa9", &[("l", "caf\u{c3}\u{a9}")]),
        (b"\\\n\nk=v", &[("k", "v")]),
        (b"k=v\\", &[("k", "v")]),
        (b"k=v\\\n", &[("k", "v")]),
        (b"#c\\\nk=v", &[("k", "v")]),
        // The JDK's quirks, checked against JDK 17: a lone backslash makes
        // an empty key; a comment may follow a continuation.
        (b"\\", &[("", "")]),
        (b"\\\n ", &[]),
        (b"\\\n#c\nk=v", &[("k", "v")]),
        (b"\x0ck\x0c=\x0cv", &[("k", "v")]),
    ];
    for (text, want) in cases {
        let got = checks::java_properties(text).unwrap();
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(text));
    }
    assert!(checks::java_properties(b"k=\\u12").is_err());
    assert!(checks::java_properties(b"k=\\u12g4").is_err());
}

fn answer(rng: &mut Rng) -> Answer {
    let ids = |rng: &mut Rng| -> Vec<i32> {
        (0..rng.below(5)).map(|_| rng.below(6) as i32 - 1).collect()
    };
    let text = |rng: &mut Rng| -> String {
        (0..rng.below(12))
            .map(|_| *rng.pick(&['a', 'b', '-', '.', '_', '\u{e9}', '0']))
            .collect()
    };
    Answer {
        throttle_time_ms: rng.below(3) as i32,
        brokers: (0..rng.below(5))
            .map(|_| Broker {
                node_id: rng.below(6) as i32 - 1,
                host: text(rng),
                port: rng.next() as i32,
                rack: rng.chance(30).then(|| text(rng)),
            })
            .collect(),
        cluster_id: rng.chance(80).then(|| text(rng)),
        controller_id: rng.below(4) as i32 - 1,
        topics: (0..rng.below(4))
            .map(|_| {
                let head = TopicHead {
                    error_code: *rng.pick(&[0, 3, 5]),
                    name: rng.chance(90).then(|| text(rng)),
                    id: rng.chance(70).then(|| [rng.next() as u8; 16]),
                    internal: rng.chance(10),
                };
                let partitions = (0..rng.below(6))
                    .map(|index| Partition {
                        error_code: *rng.pick(&[0, 5, 9]),
                        index: index as i32,
                        leader: rng.below(5) as i32 - 1,
                        leader_epoch: rng.below(9) as i32,
                        replicas: ids(rng),
                        isr: ids(rng),
                        offline: ids(rng),
                    })
                    .collect();
                (head, partitions)
            })
            .collect(),
        error_code: *rng.pick(&[0, 0, 56]),
    }
}

#[test]
fn every_metadata_answer_decodes_back_to_what_it_says_about_the_node() {
    let mut rng = Rng(2);
    for _ in 0..2000 {
        let answer = answer(&mut rng);
        let version = *rng.pick(&VERSIONS.collect::<Vec<_>>());
        checks::metadata_round_trip(&answer, version, rng.below(5) as i32 - 1);
    }
}

#[test]
fn no_broker_answer_makes_the_decoders_panic_or_disagree() {
    let seeds = corpus("wire");
    for input in &seeds {
        checks::wire(input);
    }
    let mut rng = Rng(3);
    for _ in 0..3000 {
        let input = if rng.chance(90) {
            let seed = rng.pick(&seeds).clone();
            mutate(&mut rng, &seed)
        } else {
            (0..rng.below(64)).map(|_| rng.next() as u8).collect()
        };
        checks::wire(&input);
    }
}

fn meta_text(rng: &mut Rng) -> Vec<u8> {
    const PIECES: &[&[u8]] = &[
        b"version",
        b"broker.id",
        b"node.id",
        b"cluster.id",
        b"=",
        b":",
        b" ",
        b"\t",
        b"\x0c",
        b"\\",
        b"\n",
        b"\r",
        b"\r\n",
        b"#",
        b"!",
        b"\\u",
        b"00e9",
        b"d83d",
        b"1",
        b"0",
        b"-3",
        b"a2Fma2EtaW5pdC13aXJlIQ",
        b"\xe9",
        b"\xc3\xa9",
        b"t",
        b"n",
    ];
    (0..rng.below(24))
        .flat_map(|_| rng.pick(PIECES).to_vec())
        .collect()
}

#[test]
fn meta_properties_parsing_never_panics() {
    for input in corpus("meta_properties") {
        let _ = checks::meta_interpret(&input);
    }
    let mut rng = Rng(4);
    for _ in 0..5000 {
        let _ = checks::meta_interpret(&meta_text(&mut rng));
    }
}

#[test]
fn meta_properties_parses_as_java_reads_it() {
    for input in corpus("meta_properties") {
        checks::meta_properties(&input);
    }
    let mut rng = Rng(4);
    for _ in 0..5000 {
        checks::meta_properties(&meta_text(&mut rng));
    }
}

/// The migration's decoders and parsers (fuzz targets zookeeper,
/// describe_quorum, describe_configs, connect_string): every seed and a few
/// thousand mutations of each, on stable.
#[test]
fn no_zookeeper_quorum_or_config_answer_nor_connect_string_breaks_a_promise() {
    type Check = fn(&[u8]);
    let targets: [(&str, Check); 4] = [
        ("zookeeper", checks::zookeeper),
        ("describe_quorum", checks::describe_quorum),
        ("describe_configs", checks::describe_configs),
        ("connect_string", checks::connect_and_phase),
    ];
    let mut rng = Rng(5);
    for (target, check) in targets {
        let seeds = corpus(target);
        assert!(!seeds.is_empty(), "{target}: no seeds");
        for seed in &seeds {
            check(seed);
            for _ in 0..500 {
                check(&mutate(&mut rng, seed));
            }
        }
    }
}
