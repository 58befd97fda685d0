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
        assert!(
            stdout.contains("rf-below-default kept-at-one"),
            "{version}: {stdout}"
        );
        assert!(
            !stdout.contains("rf-below-min-isr kept-at-one"),
            "{version}: the topic's own min.insync.replicas=1 counts: {stdout}"
        );
        assert!(
            stdout.contains("skipped: the broker count and advertised hosts"),
            "{version}: {stdout}"
        );
        assert!(stdout.ends_with("3 finding(s)\n"), "{version}: {stdout}");
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
    assert_eq!(
        kinds,
        ["rf-below-default", "rf-below-min-isr", "rf-below-default"]
    );
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
