//! What the fuzz targets (`fuzz/fuzz_targets/`, cargo-fuzz, nightly) and the
//! stable property tests (`tests/properties.rs`, `cargo test`) check: one
//! function per target, taking raw bytes, panicking on any broken promise.
//! Only the crate's public entry points are used, each named once here, so
//! that a move of a module is one edit in this file.
//!
//! - [`plan_and_render`]: environment → `plan::derive` → every renderer;
//!   what `server.properties` says must read back, through a reader that
//!   follows `java.util.Properties.load(InputStream)` as Kafka loads it, as
//!   the Plan's own keys and values.
//! - [`wire`]: the ApiVersions and Metadata decoders, whole and one byte per
//!   read, must agree, and never panic; the probe's verdict on what they read.
//! - [`meta_properties`]: `meta.properties` text must parse as Java reads it.
//! - [`zookeeper`]: the ZooKeeper answers a migrating controller reads, the
//!   view built from them and `migration status`'s phase verdict.
//! - [`describe_quorum`]: DescribeQuorum and the controller's readiness verdict.
//! - [`describe_configs`]: DescribeConfigs, whole, streamed and one byte per
//!   read, must agree.
//! - [`connect_and_phase`]: ZooKeeper connect strings must read back as
//!   written, and the migration phase parser as it names.

#![allow(dead_code)] // each target uses a part

use std::collections::BTreeMap;
use std::io::{self, Read};

use kafka_init::cmd::derive_with_flavor;
use kafka_init::cmd::migration::phase_of;
use kafka_init::cmd::probe::{broker_ready, caught_up, Lagging, OnDisk};
use kafka_init::environment::Inputs;
use kafka_init::flavor::Flavor;
use kafka_init::observe::controllers::ControllersView;
use kafka_init::observe::zookeeper::zk_view;
use kafka_init::plan::Phase;
use kafka_init::plan::Plan;
use kafka_init::wire::{api_versions, metadata};
use kafka_init::wire::{describe_configs, describe_quorum};
use kafka_init::zookeeper::{self, Answer, ConnectString};
use kafka_init::{meta, render};

// ---------------------------------------------------------------- plan, render

/// Reads fuzz bytes as an environment: entries separated by NUL (which no
/// environment string can hold), each `NAME=VALUE`; the rest is arbitrary.
pub fn inputs(data: &[u8]) -> Inputs {
    let text = String::from_utf8_lossy(data);
    let mut inputs = Inputs::from_pairs(
        text.split('\0')
            .filter_map(|entry| entry.split_once('='))
            .filter(|(name, _)| !name.is_empty()),
    );
    inputs.random = [0x5a; 16];
    inputs
}

/// Derives a Plan from `data` (see [`inputs`]) and checks every renderer.
pub fn plan_and_render(data: &[u8]) {
    let inputs = inputs(data);
    match derive_with_flavor(&inputs, None, None) {
        Ok((plan, flavor)) => {
            let (again, _) =
                derive_with_flavor(&inputs, None, None).expect("the same inputs derive again");
            assert_eq!(plan, again, "derive is deterministic");
            check_renderers(&plan, flavor, &inputs.vars);
        }
        Err(problems) => {
            assert!(!problems.is_empty(), "an Err holds at least one problem");
            let _ = problems.to_string();
        }
    }
}

fn check_renderers(plan: &Plan, flavor: &dyn Flavor, base: &BTreeMap<String, String>) {
    let written = render::properties(plan, false);
    let read = java_properties(&file_bytes(&written))
        .unwrap_or_else(|e| panic!("Java cannot load server.properties ({e}):\n{written}"));
    let ours: BTreeMap<&str, &str> = plan
        .entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    let theirs: BTreeMap<&str, &str> = read.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        theirs, ours,
        "server.properties reads back as the Plan:\n{written}"
    );

    let redacted = render::properties(plan, true);
    let keys = |text: &str| -> Vec<String> {
        let read = java_properties(&file_bytes(text)).expect("redacted properties load");
        let mut keys: Vec<String> = read.into_iter().map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        keys
    };
    assert_eq!(keys(&redacted), keys(&written), "redaction keeps every key");

    let exported = flavor.exported(plan, base);
    let writes = flavor.writes_at_start(plan);
    let json: serde_json::Value = serde_json::from_str(&render::json(plan, &exported, &writes))
        .expect("plan --format json is JSON");
    assert!(json.is_object(), "plan --format json is one object");

    let _ = render::env_lines(plan, &exported);
    let launch = flavor.launch(plan, base, &[]).expect("launch");
    for (name, value) in launch.env {
        assert!(
            !name.is_empty() && !name.contains(['=', '\0']) && !value.contains('\0'),
            "execve can pass {name:?}={value:?}"
        );
    }
}

/// The bytes of the file kafka-init writes for `text` (UTF-8), which Kafka's
/// `Properties.load(InputStream)` reads back as ISO-8859-1.
fn file_bytes(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

/// Reads `bytes` as `java.util.Properties.load(InputStream)` does: every byte
/// an ISO-8859-1 character; natural lines end at `\n`, `\r` or `\r\n`;
/// leading blanks (space, tab, form feed) skipped; `#`/`!` comment lines; a
/// line ending in an odd number of backslashes continues on the next (whose
/// leading blanks are skipped); the key ends at the first unescaped `=`, `:`
/// or blank; escapes `\t \n \r \f \uXXXX`, any other escaped character is
/// itself; a malformed `\u` is an error, as Java throws. Written from the
/// JDK's documented behaviour and checked against a JDK 17 on thousands of
/// generated files, corner cases included (see [`logical_line`]).
pub fn java_properties(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let chars: Vec<char> = bytes.iter().map(|&b| char::from(b)).collect();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(line) = logical_line(&chars, &mut at) {
        out.push(split(&line)?);
    }
    Ok(out)
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

/// The next logical line from `*at`, or None at the end: the JDK's
/// `Properties.LineReader` as a state machine, quirks included. A comment
/// may start wherever the logical line is still empty, even after a
/// continuation; an empty line ends nothing; and a backslash right before
/// the end of the input, even after one line break, still makes a (maybe
/// empty) line.
fn logical_line(chars: &[char], at: &mut usize) -> Option<Vec<char>> {
    let mut line = Vec::new();
    let (mut skip_blanks, mut continued, mut backslash, mut skip_lf) = (true, false, false, false);
    loop {
        let Some(&c) = chars.get(*at) else {
            if line.is_empty() {
                return None;
            }
            if backslash {
                line.pop();
            }
            return Some(line);
        };
        *at += 1;
        if std::mem::take(&mut skip_lf) && c == '\n' {
            continue;
        }
        if skip_blanks {
            if is_blank(c) || (!continued && matches!(c, '\n' | '\r')) {
                continue;
            }
            (skip_blanks, continued) = (false, false);
        }
        if line.is_empty() && matches!(c, '#' | '!') {
            while chars.get(*at).is_some_and(|&d| !matches!(d, '\n' | '\r')) {
                *at += 1;
            }
            skip_blanks = true;
            continue;
        }
        if !matches!(c, '\n' | '\r') {
            line.push(c);
            backslash = c == '\\' && !backslash;
            continue;
        }
        if line.is_empty() {
            skip_blanks = true;
            continue;
        }
        if *at >= chars.len() || !backslash {
            if backslash {
                line.pop();
            }
            return Some(line);
        }
        line.pop(); // the continuation backslash
        (skip_blanks, continued, backslash, skip_lf) = (true, true, false, c == '\r');
    }
}

fn split(line: &[char]) -> Result<(String, String), String> {
    let mut key_end = line.len();
    let mut escaped = false;
    for (j, &c) in line.iter().enumerate() {
        if c == '\\' {
            escaped = !escaped;
            continue;
        }
        if !escaped && (c == '=' || c == ':' || is_blank(c)) {
            key_end = j;
            break;
        }
        escaped = false;
    }
    let mut v = key_end;
    let mut has_separator = false;
    while v < line.len() {
        let c = line[v];
        if !is_blank(c) {
            if !has_separator && (c == '=' || c == ':') {
                has_separator = true;
            } else {
                break;
            }
        }
        v += 1;
    }
    Ok((unescape(&line[..key_end])?, unescape(&line[v..])?))
}

fn unescape(chars: &[char]) -> Result<String, String> {
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = chars.get(i) else {
            break; // Java drops a lone trailing backslash
        };
        i += 1;
        match e {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'f' => out.push('\x0c'),
            'u' => {
                let hex: String = chars.iter().skip(i).take(4).collect();
                let unit = (hex.len() == 4)
                    .then(|| u16::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .filter(|_| hex.chars().all(|h| h.is_ascii_hexdigit()))
                    .ok_or("Malformed \\uxxxx encoding.")?;
                i += 4;
                push_utf16(&mut out, unit, chars, &mut i)?;
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Java strings are UTF-16: a high surrogate followed by `\uXXXX` of a low
/// one is one character. An unpaired surrogate cannot be a Rust `char`, so
/// such a file cannot be compared: an error (kafka-init never writes one).
fn push_utf16(out: &mut String, unit: u16, chars: &[char], i: &mut usize) -> Result<(), String> {
    if let Some(c) = char::from_u32(u32::from(unit)) {
        out.push(c);
        return Ok(());
    }
    let hex: String = chars.iter().skip(*i + 2).take(4).collect();
    let low = (chars.get(*i) == Some(&'\\') && chars.get(*i + 1) == Some(&'u') && hex.len() == 4)
        .then(|| u16::from_str_radix(&hex, 16).ok())
        .flatten();
    match low.map(|low| char::decode_utf16([unit, low]).next()) {
        Some(Some(Ok(c))) => {
            *i += 6;
            out.push(c);
            Ok(())
        }
        _ => Err("an unpaired UTF-16 surrogate".into()),
    }
}

// ---------------------------------------------------------------- wire

/// A source that yields one byte per read, as a slow socket may.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&b, rest)), Some(slot)) => {
                *slot = b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

/// Decodes `data` as an ApiVersions answer and, after a one-byte header
/// (version and node), as a Metadata answer: whole and one byte per read,
/// the same result; the probe's verdict never panics.
pub fn wire(data: &[u8]) {
    let whole = api_versions::decode_response(data, data.len(), 1);
    let trickled = api_versions::decode_response(Trickle(data), data.len(), 1);
    assert_eq!(
        format!("{:?}", whole.map_err(|e| e.to_string())),
        format!("{:?}", trickled.map_err(|e| e.to_string())),
        "ApiVersions: whole and streamed agree"
    );

    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let versions: Vec<i16> = metadata::VERSIONS.collect();
    let version = versions[usize::from(selector) % versions.len()];
    let node = i32::from(selector >> 4) - 1;
    let whole = metadata_facts(frame, frame.len(), version, node, false);
    let trickled = metadata_facts(frame, frame.len(), version, node, true);
    assert_eq!(whole, trickled, "Metadata: whole and streamed agree");
    // The same frame announced one byte longer is a closed connection, never a success.
    let longer = metadata_facts(frame, frame.len() + 1, version, node, false);
    assert!(longer.is_err(), "a stream that ends early is an error");
}

/// What a Metadata decode yields, flattened for comparison, with the probe's verdict.
fn metadata_facts(
    frame: &[u8],
    len: usize,
    version: i16,
    node: i32,
    trickle: bool,
) -> Result<String, String> {
    let mut seen = 0usize;
    let mut lagging = Lagging::default();
    let mut facts = String::new();
    let each = |t: &metadata::TopicHead, p: &metadata::PartitionView| {
        seen += 1;
        lagging.see(t, p);
        if facts.len() < 4096 {
            facts.push_str(&format!("{t:?}{p:?};"));
        }
    };
    let decoded = if trickle {
        metadata::decode_response(Trickle(frame), len, version, 2, node, each)
    } else {
        metadata::decode_response(frame, len, version, 2, node, each)
    };
    let summary = decoded.map_err(|e| e.to_string())?;
    assert_eq!(summary.partitions, seen, "every partition is handed over");
    if let Some(own) = &summary.node {
        assert_eq!(own.node_id, node, "the node's own entry is the node's");
    }
    let verdict = broker_ready(&summary, &lagging, node, OnDisk::default());
    if verdict.is_ok() {
        assert!(summary.node.is_some() && summary.error_code == 0);
    }
    // With a partition on disk, an answer that lists no topic never passes.
    let holding = OnDisk {
        partition: Some("t-0".into()),
    };
    if summary.topics == 0 {
        assert!(broker_ready(&summary, &lagging, node, holding).is_err());
    }
    Ok(format!("{summary:?} {facts} {verdict:?}"))
}

/// Every Metadata answer [`metadata::encode_response`] writes decodes back
/// to what was written about `node`.
pub fn metadata_round_trip(answer: &metadata::Answer, version: i16, node: i32) {
    let frame = metadata::encode_response(answer, version, 2);
    let mut seen = Vec::new();
    let summary =
        metadata::decode_response(&frame[4..], frame.len() - 4, version, 2, node, |t, p| {
            seen.push((t.clone(), *p));
        })
        .unwrap_or_else(|e| panic!("v{version}: {e}"));
    let want: Vec<(metadata::TopicHead, metadata::PartitionView)> = answer
        .topics
        .iter()
        .flat_map(|(head, partitions)| {
            let mut head = head.clone();
            if version < 10 {
                head.id = None;
            } else {
                head.id = Some(head.id.unwrap_or_default());
            }
            partitions.iter().map(move |p| {
                let view = metadata::PartitionView {
                    error_code: p.error_code,
                    index: p.index,
                    leader: p.leader,
                    leader_epoch: p.leader_epoch,
                    replicas: p.replicas.len(),
                    hosted: p.replicas.contains(&node),
                    isr: p.isr.len(),
                    in_isr: p.isr.contains(&node),
                    offline: p.offline.contains(&node),
                };
                (head.clone(), view)
            })
        })
        .collect();
    assert_eq!(seen, want, "v{version}: partitions");
    assert_eq!(summary.brokers, answer.brokers.len());
    assert_eq!(
        summary.node.as_ref(),
        answer.brokers.iter().find(|b| b.node_id == node)
    );
    assert_eq!(summary.topics, answer.topics.len());
    assert_eq!(summary.cluster_id, answer.cluster_id);
    assert_eq!(summary.controller_id, answer.controller_id);
    let error_code = if version >= 13 { answer.error_code } else { 0 };
    assert_eq!(summary.error_code, error_code);
}

// ---------------------------------------------------------------- meta.properties

/// Parses `data` as `meta.properties` (ISO-8859-1, as Kafka reads it): the
/// same pairs as Java's reader, and an interpretation that never panics.
pub fn meta_properties(data: &[u8]) {
    let ours = meta_interpret(data);
    let text: String = data.iter().map(|&b| char::from(b)).collect();
    match (ours, java_properties(data)) {
        (Ok(ours), Ok(java)) => assert_eq!(
            ours, java,
            "meta.properties reads as Java reads it: {text:?}"
        ),
        // Java throws on a malformed \uXXXX; so must we.
        (Err(_), Err(_)) => {}
        // Java's String holds a lone surrogate, Rust's cannot: our reader
        // for the check refuses it, meta::parse reads it as U+FFFD. Neither
        // can be an id or a cluster id, so both end in the same problem.
        (Ok(_), Err(e)) if e.contains("surrogate") => {}
        (ours, java) => panic!("ours {ours:?} but Java {java:?} for {text:?}"),
    }
}

/// The half of [`meta_properties`] that holds on every branch: parsing and
/// interpreting never panic. Returns the parsed pairs.
pub fn meta_interpret(data: &[u8]) -> Result<Vec<(String, String)>, String> {
    let ours = meta::parse(data)?;
    if let Ok(m) = meta::interpret(&ours) {
        assert!(m.version <= 1);
        let _ = m.id_key();
    }
    Ok(ours)
}

// ---------------------------------------------------------------- migration

/// The first four bytes of a frame as its id (xid, correlation id), so that
/// decoding goes past the header; 0 for a shorter frame.
fn id_of(frame: &[u8]) -> i32 {
    frame
        .get(..4)
        .map_or(0, |b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// A ZooKeeper answer (size prefix removed): the first byte picks
/// ConnectResponse, GetDataResponse or GetChildren2Response. Whatever
/// decodes must build a view, and the phase verdict must come out of it
/// whenever a controller answered.
pub fn zookeeper(data: &[u8]) {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let xid = id_of(frame);
    assert!(
        zookeeper::decode_get_data(frame, xid.wrapping_add(1)).is_err(),
        "an answer to another request is never taken"
    );
    let view = match selector % 3 {
        0 => {
            let _ = zookeeper::decode_connect(frame);
            return;
        }
        1 => match zookeeper::decode_znode(frame, xid) {
            Ok(Answer::Found(z)) => {
                let d = z.data.clone();
                assert!(d.len() <= frame.len(), "data longer than the frame");
                let _ = zookeeper::cluster_id_of(&d);
                zk_view(
                    Answer::Found(d.clone()),
                    Answer::NoNode,
                    Answer::Found(z),
                    Answer::Found(d),
                )
            }
            _ => return,
        },
        _ => match zookeeper::decode_get_children(frame, xid) {
            Ok(Answer::Found(children)) => {
                let names: usize = children.iter().map(String::len).sum();
                assert!(names <= frame.len(), "names longer than the frame");
                let view = zk_view(
                    Answer::NoNode,
                    Answer::Found(children),
                    Answer::NoNode,
                    Answer::NoNode,
                );
                assert!(view.is_ok(), "children alone always make a view");
                view
            }
            _ => return,
        },
    };
    let Ok(view) = view else { return };
    for (reachable, zk_migration_ready) in [(false, false), (true, false), (true, true)] {
        let controllers = ControllersView {
            reachable,
            zk_migration_ready,
            ..ControllersView::default()
        };
        let phase = phase_of(Some(&view), &controllers);
        assert!(
            !reachable || phase.is_ok(),
            "with a controller answering, ZooKeeper's view always tells a phase: {phase:?}"
        );
    }
}

/// A DescribeQuorum answer (size prefix removed) and the verdict on every
/// voter it names, and on a node it does not.
pub fn describe_quorum(frame: &[u8]) {
    let Ok(q) = describe_quorum::decode_response(frame, id_of(frame)) else {
        return;
    };
    let ids = q.voters.iter().map(|v| v.id).chain([-1, i32::MAX]);
    for id in ids {
        let verdict = caught_up(&q, id);
        let voter = q.voters.iter().any(|v| v.id == id);
        if verdict.is_ok() {
            assert!(voter, "node {id}, not a voter, judged caught up");
        }
        if voter && q.leader_id == id {
            assert!(verdict.is_ok(), "the leader {id} is caught up: {verdict:?}");
        }
    }
}

/// A DescribeConfigs answer (size prefix removed): decoded whole, one
/// result at a time and one byte per read, the same; announced one byte
/// longer, an error.
pub fn describe_configs(frame: &[u8]) {
    let id = id_of(frame);
    let whole = describe_configs::decode_response(frame, frame.len(), id);
    let trickled = describe_configs::decode_response(Trickle(frame), frame.len(), id);
    let mut streamed = vec![];
    let each = describe_configs::decode_each(frame, frame.len(), id, |r| streamed.push(r));
    let show = |r: &Result<
        Vec<describe_configs::ResourceResult>,
        kafka_init::wire::DecodeError,
    >| { format!("{:?}", r.as_ref().map_err(ToString::to_string)) };
    assert_eq!(
        show(&whole),
        show(&trickled),
        "whole and one byte per read agree"
    );
    assert_eq!(
        show(&whole),
        show(&each.map(|()| streamed)),
        "whole and streamed agree"
    );
    let longer = describe_configs::decode_response(frame, frame.len() + 1, id);
    assert!(longer.is_err(), "a stream that ends early is an error");
}

/// Text as a ZooKeeper connect string and as a migration phase.
pub fn connect_and_phase(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(p) = Phase::parse(&text) {
        assert_eq!(Phase::parse(p.as_str()), Some(p), "{text:?}");
    }
    let Ok(c) = ConnectString::parse(&text) else {
        return;
    };
    assert!(!c.hosts.is_empty(), "{text:?}: no host");
    for (host, port) in &c.hosts {
        assert!(!host.is_empty() && *port > 0, "{text:?}: {host}:{port}");
    }
    assert!(
        c.chroot.is_empty() || (c.chroot.starts_with('/') && !c.chroot.ends_with('/')),
        "{text:?}: chroot {:?}",
        c.chroot
    );
    assert!(c.path("/cluster/id").starts_with('/'), "{text:?}");
    if c.hosts.iter().any(|(h, _)| h.contains(['[', ']'])) {
        return;
    }
    // Written back, it reads as the same servers and chroot.
    let hosts: Vec<String> = c
        .hosts
        .iter()
        .map(|(h, p)| {
            if h.contains(':') {
                format!("[{h}]:{p}")
            } else {
                format!("{h}:{p}")
            }
        })
        .collect();
    let again = format!("{}{}", hosts.join(","), c.chroot);
    assert_eq!(
        ConnectString::parse(&again).as_ref(),
        Ok(&c),
        "{text:?} written as {again:?}"
    );
}
