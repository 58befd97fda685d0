//! `kafka-init audit` as a process, against a stand-in broker on loopback
//! that replays answers captured from a real Kafka broker
//! (tests/fixtures/wire/<version>/kafka-init-audit/). The real-cluster runs
//! are in the end-to-end tests.

mod util;

use std::process::{Command, Output};

use util::replay;

/// The answers of a real single-node Kafka of `version` (see the fixtures' README).
fn answers(version: &str, metadata_version: u8) -> Vec<Vec<u8>> {
    [
        "c2-01-ApiVersions-v3",
        &format!("c2-02-Metadata-v{metadata_version}"),
        "c2-03-DescribeConfigs-v4",
    ]
    .iter()
    .map(|name| replay::fixture(&format!("{version}/kafka-init-audit/{name}-response.bin")))
    .collect()
}

fn audit(env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(util::bin())
        .arg("audit")
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn audit_via_a_bootstrap_address_reports_topics_below_min_isr_and_exits_1() {
    for (version, md) in [("3.9.0", 12), ("4.4.0", 13)] {
        let port = replay::serve(answers(version, md));
        let out = audit(&[], &["--bootstrap", &format!("127.0.0.1:{port}")]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{version}: {stdout}");
        assert!(stdout.contains("rf-below-min-isr probe-fixture: replication factor 1 is below min.insync.replicas 2"), "{version}: {stdout}");
        // The topic's own min.insync.replicas=1 counts, and says its factor 1
        // was chosen: no finding for it at all (the runbook's second fix).
        assert!(
            !stdout.contains("kept-at-one"),
            "{version}: a topic sized on purpose is reported: {stdout}"
        );
        assert!(
            stdout.contains("skipped: the broker count and advertised hosts"),
            "{version}: {stdout}"
        );
        assert!(stdout.ends_with("2 finding(s)\n"), "{version}: {stdout}");
    }
}

#[test]
fn audit_json_is_one_object_scripts_can_read() {
    let port = replay::serve(answers("3.9.0", 12));
    let out = audit(
        &[],
        &[
            "--bootstrap",
            &format!("127.0.0.1:{port}"),
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["brokers"], serde_json::json!([1]));
    assert_eq!(v["topics"], 2);
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["rf-below-min-isr", "rf-below-default"]);
}

#[test]
fn audit_without_bootstrap_needs_this_pods_settings_and_exits_78() {
    // No pod name anywhere but the kernel hostname, and a bad setting.
    let out = audit(
        &[("POD_NAME", "kafka-0"), ("KAFKA_INIT_ID_OFFSET", "x")],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(78),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("KAFKA_INIT_ID_OFFSET"));
}

#[test]
fn audit_of_a_broker_nobody_answers_for_fails_with_1_and_says_where() {
    let port = replay::closed_port();
    let out = audit(
        &[],
        &[
            "--bootstrap",
            &format!("127.0.0.1:{port}"),
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("audit via 127.0.0.1:{port}")));
}

#[test]
fn a_bad_bootstrap_address_is_a_usage_error() {
    let out = audit(&[], &["--bootstrap", "kafka-0"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected HOST:PORT"));
}

// ---------------------------------------------------------------------------
// Hostile and changing clusters: audit's memory stays bounded, and a topic
// deleted mid-audit is a finding.

/// Bytes of a message body, written as Kafka's flexible versions write them.
#[derive(Default)]
struct Body(Vec<u8>);

impl Body {
    fn i8(&mut self, v: i8) -> &mut Self {
        self.0.push(v as u8);
        self
    }
    fn i16(&mut self, v: i16) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn i32(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn uvarint(&mut self, mut v: u32) -> &mut Self {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
        self
    }
    fn string(&mut self, s: &str) -> &mut Self {
        self.uvarint(s.len() as u32 + 1);
        self.0.extend_from_slice(s.as_bytes());
        self
    }
}

/// A stand-in broker that replays `answers`, then answers the next request
/// with `head` (its size prefix declaring whatever the test wants) followed
/// by `chunk` over and over, `total` bytes in all, or until audit hangs up.
fn serve_hostile(answers: Vec<Vec<u8>>, head: Vec<u8>, chunk: Vec<u8>, total: usize) -> u16 {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        for answer in answers {
            if replay::read_frame(&mut conn).is_none() || conn.write_all(&answer).is_err() {
                return;
            }
        }
        if replay::read_frame(&mut conn).is_none() || conn.write_all(&head).is_err() {
            return;
        }
        let mut sent = head.len();
        while sent < total && conn.write_all(&chunk).is_ok() {
            sent += chunk.len();
        }
    });
    port
}

/// Runs `audit --bootstrap` against `port` and measures its peak memory
/// (the child's maximum resident set, from wait4's rusage), in bytes.
// wait4 reaps the child (std's wait gives no rusage).
#[allow(clippy::zombie_processes)]
fn audit_measured(port: u16) -> (Output, u64) {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(util::bin())
        .args(["audit", "--bootstrap", &format!("127.0.0.1:{port}")])
        .args(["--timeout", "120"])
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = vec![];
            r.read_to_end(&mut v).unwrap();
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it.
    let mut usage: nix::libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, not waited for by anyone else.
    let pid = unsafe { nix::libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    use std::os::unix::process::ExitStatusExt;
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    let rss = usage.ru_maxrss as u64 * 1024;
    eprintln!("audit via {port}: peak resident memory {} KiB", rss >> 10);
    (output, rss)
}

const BUDGET: u64 = 32 << 20;

#[test]
fn a_256_mib_describe_configs_answer_is_refused_within_the_memory_budget() {
    let mut fixtures = answers("3.9.0", 12);
    fixtures.pop();
    // One result whose configs never end: min.insync.replicas, again and again.
    let mut head = Body::default();
    head.i32(256 << 20).i32(3).uvarint(0).i32(0).uvarint(2);
    head.i16(0)
        .uvarint(1)
        .i8(2)
        .string("probe-fixture")
        .uvarint(u32::MAX - 1);
    let mut entry = Body::default();
    entry.string("min.insync.replicas").string("2");
    entry
        .i8(0)
        .i8(1)
        .i8(0)
        .uvarint(1)
        .i8(3)
        .uvarint(0)
        .uvarint(0);
    let chunk = entry.0.repeat(4096);
    let port = serve_hostile(fixtures, head.0, chunk, 256 << 20);
    let (out, rss) = audit_measured(port);
    let stderr = util::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the DescribeConfigs answer is 268435456 bytes, more than the"),
        "{stderr}"
    );
    assert!(rss < BUDGET, "audit peaked at {rss} bytes");
}

#[test]
fn metadata_frames_of_2_gib_or_of_endless_topics_stay_within_the_memory_budget() {
    let api_versions = answers("3.9.0", 12).remove(0);
    // Metadata v12: one broker, then topics without end, each with one
    // partition that has no leader (a finding each, were they all kept).
    let head = |declared: i32| {
        let mut b = Body::default();
        b.i32(declared).i32(2).uvarint(0).i32(0);
        b.uvarint(2)
            .i32(1)
            .string("localhost")
            .i32(9092)
            .uvarint(0)
            .uvarint(0);
        // As many topics as the frame could hold.
        b.string("cluster").i32(1).uvarint(3_000_000);
        b.0
    };
    let mut chunk = Body::default();
    for i in 0..4096 {
        chunk
            .i16(0)
            .string(&format!("topic-{i:06}-{}", "x".repeat(40)));
        chunk.0.extend_from_slice(&[7; 16]);
        chunk.i8(0).uvarint(2);
        chunk.i16(0).i32(0).i32(-1).i32(0);
        chunk
            .uvarint(4)
            .i32(1)
            .i32(2)
            .i32(3)
            .uvarint(1)
            .uvarint(1)
            .uvarint(0);
        chunk.i32(0).uvarint(0);
    }
    // Declared 2 GiB: refused at once. Declared 256 MiB: 64 MiB streamed
    // (about 750,000 topics), then the peer hangs up.
    for (declared, sent, says) in [
        (i32::MAX, 0, "frame size 2147483647"),
        (256 << 20, 64 << 20, "connection closed by the broker"),
    ] {
        let port = serve_hostile(
            vec![api_versions.clone()],
            head(declared),
            chunk.0.clone(),
            sent,
        );
        let (out, rss) = audit_measured(port);
        let stderr = util::stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{declared}: {stderr}");
        assert!(stderr.contains(says), "{declared}: {stderr}");
        assert!(rss < BUDGET, "{declared}: audit peaked at {rss} bytes");
    }
}

#[test]
fn a_topic_deleted_between_metadata_and_describe_configs_is_a_finding_not_a_failure() {
    // Kafka 3.9's answer for a topic it no longer has (ConfigHelper):
    // UNKNOWN_TOPIC_OR_PARTITION (3), an empty message, no configs.
    let mut fixtures = answers("3.9.0", 12);
    let describe = fixtures.pop().unwrap();
    let find = |needle: &[u8]| {
        describe
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    };
    let start = find(b"\x00\x00\x01\x02\x0eprobe-fixture");
    let end = find(b"\x00\x00\x01\x04\x021");
    let mut gone = Body::default();
    gone.i16(3)
        .uvarint(1)
        .i8(2)
        .string("probe-fixture")
        .uvarint(1)
        .uvarint(0);
    let mut frame = describe[..start].to_vec();
    frame.extend_from_slice(&gone.0);
    frame.extend_from_slice(&describe[end..]);
    let size = (frame.len() - 4) as i32;
    frame[..4].copy_from_slice(&size.to_be_bytes());
    fixtures.push(frame);
    let port = replay::serve(fixtures);
    let out = audit(&[], &["--bootstrap", &format!("127.0.0.1:{port}")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", util::stderr(&out));
    assert!(
        stdout.contains("topic-gone probe-fixture: listed by Metadata, then unknown to DescribeConfigs (UNKNOWN_TOPIC_OR_PARTITION)"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("rf-below-min-isr probe-fixture"),
        "a deleted topic is not judged: {stdout}"
    );
    // kept-at-one carries its own min.insync.replicas: sized on purpose.
    assert!(!stdout.contains("rf-below-default kept-at-one"), "{stdout}");
    assert!(stdout.ends_with("1 finding(s)\n"), "{stdout}");
}
