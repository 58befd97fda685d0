//! `kafka-init probe` as a process, against stand-in brokers on loopback that
//! replay answers captured from real Kafka (tests/fixtures/wire/), a port
//! nobody listens on, a server that never answers and one that is not Kafka.
//! The real-broker cases are in tests/e2e/probe.sh.

mod util;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

use kafka_init::wire::codec::Writer;

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/wire/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("read {full}: {e}"))
}

/// Answers from a real Kafka 3.9 broker (node 1) to kafka-init's own requests.
fn broker_answers() -> Vec<Vec<u8>> {
    vec![
        fixture("3.9.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-response.bin"),
        fixture("3.9.0/kafka-init-probe-ready/c2-02-Metadata-v12-response.bin"),
    ]
}

/// A real Kafka 3.9 controller listener's answer to kafka-init's ApiVersions.
fn controller_answers() -> Vec<Vec<u8>> {
    vec![fixture(
        "3.9.0/kafka-init-probe-controller/c2-01-ApiVersions-v3-response.bin",
    )]
}

/// How a stand-in server behaves on its one connection.
enum Peer {
    /// Reads each request frame and writes the next captured answer.
    Replay(Vec<Vec<u8>>),
    /// Accepts and never writes.
    Silent,
    /// Writes an HTTP response, as a misconfigured port would.
    Http,
    /// Answers ApiVersions as Kafka 4.4 does, then Metadata v13 with one
    /// topic of `partitions` partitions on nodes 0, 1, 2, of which node 1
    /// is out of the ISR of those listed in `lagging`, streamed without ever
    /// being whole in memory.
    Cluster {
        partitions: usize,
        lagging: Vec<i32>,
    },
    /// Answers ApiVersions as Kafka 4.4 does, then announces a Metadata
    /// answer of 1 MB, writes its first 10 bytes and closes.
    CutShort,
}

/// Starts a stand-in server on a free loopback port; returns the port.
fn serve(peer: Peer) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        match peer {
            Peer::Replay(answers) => {
                for answer in answers {
                    if read_frame(&mut conn).is_none() {
                        return;
                    }
                    conn.write_all(&answer).unwrap();
                }
                let _ = read_frame(&mut conn);
            }
            Peer::Cluster {
                partitions,
                lagging,
            } => {
                let api_versions =
                    fixture("4.4.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-response.bin");
                if read_frame(&mut conn).is_none() || conn.write_all(&api_versions).is_err() {
                    return;
                }
                if read_frame(&mut conn).is_some() {
                    // The probe may give up early; that is its business.
                    let _ = stream_cluster(&mut conn, partitions, &lagging);
                }
            }
            Peer::CutShort => {
                let api_versions =
                    fixture("4.4.0/kafka-init-probe-ready/c2-01-ApiVersions-v3-response.bin");
                if read_frame(&mut conn).is_some() && conn.write_all(&api_versions).is_ok() {
                    let _ = read_frame(&mut conn);
                    // size 1 MiB, correlation id 2, header tags, throttle
                    // time, no brokers; then the connection closes.
                    let cut = [
                        &[0, 0x10, 0, 0][..],
                        &[0, 0, 0, 2],
                        &[0],
                        &[0, 0, 0, 0],
                        &[1],
                    ];
                    let _ = conn.write_all(&cut.concat());
                }
            }
            Peer::Silent => thread::sleep(Duration::from_secs(10)),
            Peer::Http => {
                let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
                thread::sleep(Duration::from_secs(1));
            }
        }
    });
    port
}

/// Writes the Metadata v13 answer of [`Peer::Cluster`] to correlation id 2.
fn stream_cluster(conn: &mut TcpStream, partitions: usize, lagging: &[i32]) -> std::io::Result<()> {
    let body = |w: &Writer| w.finish()[4..].to_vec();
    let mut head = Writer::new();
    head.i32(2)
        .no_tagged_fields()
        .i32(0)
        .compact_array_len(Some(3));
    for node in 0..3 {
        head.i32(node)
            .compact_string("127.0.0.1")
            .i32(9092)
            .compact_nullable_string(None)
            .no_tagged_fields();
    }
    head.compact_nullable_string(Some("a2Fma2EtaW5pdC13aXJlIQ"))
        .i32(0)
        .compact_array_len(Some(1))
        .i16(0)
        .compact_string("big")
        .bytes(&[1; 16])
        .bool(false)
        .compact_array_len(Some(partitions));
    let partition = |index: i32, isr: &[i32]| {
        let mut w = Writer::new();
        w.i16(0).i32(index).i32(0).i32(0);
        for list in [&[0, 1, 2][..], isr, &[]] {
            w.compact_array_len(Some(list.len()));
            list.iter().for_each(|&id| {
                w.i32(id);
            });
        }
        body(w.no_tagged_fields())
    };
    let mut tail = Writer::new();
    tail.i32(i32::MIN)
        .no_tagged_fields()
        .i16(0)
        .no_tagged_fields();
    let (head, tail) = (body(&head), body(&tail));
    let one = partition(0, &[0, 1, 2]).len();
    let len = head.len() + one * partitions + tail.len();
    conn.write_all(&(len as i32).to_be_bytes())?;
    conn.write_all(&head)?;
    let mut chunk = Vec::with_capacity(1 << 20);
    for index in 0..partitions as i32 {
        let isr: &[i32] = if lagging.contains(&index) {
            &[0, 2, 5]
        } else {
            &[0, 1, 2]
        };
        chunk.extend_from_slice(&partition(index, isr));
        if chunk.len() >= 1 << 20 {
            conn.write_all(&chunk)?;
            chunk.clear();
        }
    }
    conn.write_all(&chunk)?;
    conn.write_all(&tail)
}

fn read_frame(conn: &mut TcpStream) -> Option<Vec<u8>> {
    let mut size = [0u8; 4];
    conn.read_exact(&mut size).ok()?;
    let mut frame = vec![0u8; i32::from_be_bytes(size) as usize];
    conn.read_exact(&mut frame).ok()?;
    Some(frame)
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `kafka-init probe ARGS` as pod `pod` of a KRaft StatefulSet whose
/// PLAINTEXT (or, for a controller, CONTROLLER) listener is on `port`.
fn probe(pod: &str, role: &str, port: u16, args: &[&str]) -> (Output, Duration) {
    let listeners = match role {
        "controller" => format!("CONTROLLER://127.0.0.1:{port}"),
        _ => format!(
            "PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{}",
            port.wrapping_add(1)
        ),
    };
    let started = Instant::now();
    let out = Command::new(util::bin())
        .arg("probe")
        .args(args)
        .env_clear()
        .env("POD_NAME", pod)
        .env("POD_NAMESPACE", "default")
        .env("KAFKA_INIT_MODE", "kraft")
        .env("KAFKA_INIT_ROLE", role)
        .env("KAFKA_INIT_CLUSTER_ID", "a2Fma2EtaW5pdC13aXJlIQ")
        .env(
            "KAFKA_CFG_CONTROLLER_QUORUM_VOTERS",
            "1@127.0.0.1:19093,2@127.0.0.1:19094",
        )
        .env("KAFKA_CFG_LISTENERS", listeners)
        .output()
        .unwrap();
    (out, started.elapsed())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn liveness_passes_when_the_listener_answers_api_versions() {
    let (out, _) = probe(
        "kafka-1",
        "combined",
        serve(Peer::Replay(broker_answers())),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn readiness_passes_for_a_registered_broker_in_every_isr() {
    let (out, _) = probe(
        "kafka-1",
        "combined",
        serve(Peer::Replay(broker_answers())),
        &["--ready"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn readiness_fails_for_a_broker_the_cluster_does_not_list() {
    // The captured cluster has only node 1; pod kafka-2 is node 2.
    let (out, _) = probe(
        "kafka-2",
        "combined",
        serve(Peer::Replay(broker_answers())),
        &["--ready"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("broker 2 is not among the 1 live brokers"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn readiness_reads_an_answer_larger_than_64_mib_and_names_the_lagging_partitions() {
    // 1.8 million partitions of three replicas: 72 MB, past the 64 MiB
    // frame limit the probe once had (bench/probe-memory.sh shows its memory).
    let port = serve(Peer::Cluster {
        partitions: 1_800_000,
        lagging: vec![1_799_999, 7, 1_000_000],
    });
    let (out, _) = probe(
        "kafka-1",
        "combined",
        port,
        &["--ready", "--timeout", "60s"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "broker 1 is not in the ISR of 3 partition(s): big-1000000, big-1799999, big-7"
        ),
        "{err}"
    );
}

#[test]
fn readiness_passes_on_a_big_cluster_in_sync() {
    let port = serve(Peer::Cluster {
        partitions: 200_000,
        lagging: vec![],
    });
    let (out, _) = probe(
        "kafka-1",
        "combined",
        port,
        &["--ready", "--timeout", "60s"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_broker_that_closes_in_the_middle_of_its_answer_is_not_ready_and_the_probe_says_where() {
    let (out, _) = probe("kafka-1", "combined", serve(Peer::CutShort), &["--ready"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("is not ready: reading MetadataResponse cluster id at byte 10: connection closed by the broker"),
        "{err}"
    );
}

#[test]
fn liveness_fails_when_nothing_listens() {
    let (out, _) = probe("kafka-1", "combined", closed_port(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("is not live") && err.contains("refused"),
        "{err}"
    );
}

#[test]
fn a_silent_listener_fails_within_the_timeout() {
    let (out, elapsed) = probe(
        "kafka-1",
        "combined",
        serve(Peer::Silent),
        &["--timeout", "300ms"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("timed out"), "{}", stderr(&out));
    assert!(
        elapsed >= Duration::from_millis(300),
        "gave up early: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(1500),
        "overran the timeout: {elapsed:?}"
    );
}

#[test]
fn a_listener_that_is_not_kafka_fails_with_a_reason() {
    let (out, _) = probe("kafka-1", "combined", serve(Peer::Http), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not Kafka's"), "{}", stderr(&out));
}

/// Runs `kafka-init probe --ready` as controller `ctl-<id>` of a quorum of
/// two (ids 0 and 1) whose voters listen on `ports` (this node's first).
fn probe_controller(id: u16, ports: [u16; 2]) -> Output {
    let voters = if id == 0 {
        format!("0@127.0.0.1:{},1@127.0.0.1:{}", ports[0], ports[1])
    } else {
        format!("0@127.0.0.1:{},1@127.0.0.1:{}", ports[1], ports[0])
    };
    Command::new(util::bin())
        .args(["probe", "--ready"])
        .env_clear()
        .env("POD_NAME", format!("ctl-{id}"))
        .env("KAFKA_INIT_MODE", "kraft")
        .env("KAFKA_INIT_ROLE", "controller")
        .env("KAFKA_INIT_CLUSTER_ID", "a2Fma2EtaW5pdC13aXJlIQ")
        .env("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", voters)
        .env(
            "KAFKA_CFG_LISTENERS",
            format!("CONTROLLER://127.0.0.1:{}", ports[0]),
        )
        .output()
        .unwrap()
}

/// A Kafka 4.4.0 controller's answer (quorum of 0, the leader, and 1).
fn quorum_answer(node: &str, api: &str) -> Vec<u8> {
    fixture(&format!(
        "4.4.0/controller-quorum/{node}-{api}-response.bin"
    ))
}

#[test]
fn a_controllers_liveness_is_its_listener_answering_api_versions() {
    let own = serve(Peer::Replay(controller_answers()));
    let (out, _) = probe("kafka-1", "controller", own, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn the_quorum_leader_is_ready_by_its_own_describe_quorum() {
    let own = serve(Peer::Replay(vec![
        quorum_answer("leader", "ApiVersions-v3"),
        quorum_answer("leader", "DescribeQuorum-v1"),
    ]));
    let out = probe_controller(0, [own, closed_port()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_follower_is_ready_when_the_leader_sees_it_caught_up() {
    let own = serve(Peer::Replay(vec![
        quorum_answer("follower", "ApiVersions-v3"),
        quorum_answer("follower", "DescribeQuorum-v1"),
    ]));
    let leader = serve(Peer::Replay(vec![quorum_answer(
        "leader",
        "DescribeQuorum-v1",
    )]));
    let out = probe_controller(1, [own, leader]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_follower_is_not_ready_while_no_leader_answers() {
    let own = serve(Peer::Replay(vec![
        quorum_answer("follower", "ApiVersions-v3"),
        quorum_answer("follower", "DescribeQuorum-v1"),
    ]));
    let out = probe_controller(1, [own, closed_port()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no controller answered DescribeQuorum as the leader"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_controller_probe_on_a_broker_listener_is_not_ready() {
    let (out, _) = probe(
        "kafka-1",
        "controller",
        serve(Peer::Replay(broker_answers())),
        &["--ready"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("does not serve Vote"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn without_a_plaintext_listener_the_probe_fails_and_says_why() {
    let out = Command::new(util::bin())
        .args(["probe"])
        .env_clear()
        .env("POD_NAME", "kafka-1")
        .env("POD_NAMESPACE", "default")
        .env("KAFKA_INIT_MODE", "kraft")
        .env("KAFKA_INIT_ROLE", "combined")
        .env("KAFKA_INIT_CLUSTER_ID", "a2Fma2EtaW5pdC13aXJlIQ")
        .env("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "1@127.0.0.1:19093")
        .env(
            "KAFKA_CFG_LISTENERS",
            "SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:19093",
        )
        .env(
            "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
            "SSL:SSL,CONTROLLER:PLAINTEXT",
        )
        .env("KAFKA_CFG_INTER_BROKER_LISTENER_NAME", "SSL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot probe: the probe speaks PLAINTEXT only"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_timeout_is_a_usage_error() {
    let out = Command::new(util::bin())
        .args(["probe", "--timeout", "soon"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
}
