//! `meta.properties`: the identity Kafka stamps on every data dir, and the
//! preflight that compares it with the Plan before Kafka does.
//!
//! Kafka refuses to start when a data dir's stored `broker.id` / `node.id` or
//! `cluster.id` differs from its configuration ("Stored node id 0 doesn't
//! match previous node id 1 in ..."), then the pod crash-loops with a message
//! that does not say which volume or why. kafka-init checks the same thing in
//! `prepare`, before anything is changed, and names the pod, the volume, both
//! ids, the usual causes and the fixes. It never deletes or rewrites the file.
//!
//! The parser and the checks are pure; [`read`] is the only I/O here.

use std::io;
use std::path::{Path, PathBuf};

use crate::plan::{Mode, Plan};
use crate::problem::Problem;

/// The file name Kafka uses in every data dir (`MetaPropertiesEnsemble`).
pub const FILE_NAME: &str = "meta.properties";

/// Parses Java `Properties` text (the format of `meta.properties`) into
/// `(key, value)` pairs in file order; a later duplicate key wins in [`get`].
///
/// Follows `java.util.Properties.load`: `#` and `!` start comment lines;
/// the key ends at the first unescaped `=`, `:` or whitespace; whitespace
/// around the separator is skipped; a line ending in an odd number of
/// backslashes continues on the next line; `\t \n \r \f \uXXXX` are unescaped
/// and any other escaped character stands for itself.
///
/// ```
/// let p = kafka_init::meta::parse("#c\nversion=1\nnode.id : 3\n");
/// assert_eq!(kafka_init::meta::get(&p, "node.id"), Some("3"));
/// ```
pub fn parse(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut lines = text.split(['\n', '\r']);
    while let Some(first) = lines.next() {
        let line = first.trim_start_matches([' ', '\t', '\x0c']);
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        // Join continuation lines; leading whitespace of each continuation is dropped.
        let mut logical = String::from(line);
        while ends_in_odd_backslashes(&logical) {
            logical.pop();
            match lines.next() {
                Some(next) => logical.push_str(next.trim_start_matches([' ', '\t', '\x0c'])),
                None => break,
            }
        }
        pairs.push(split_key_value(&logical));
    }
    pairs
}

/// The value of `key` in parsed properties (the last one, as Java keeps).
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn ends_in_odd_backslashes(s: &str) -> bool {
    s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

fn split_key_value(line: &str) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut key_end = chars.len();
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '=' | ':' | ' ' | '\t' | '\x0c' => {
                key_end = i;
                break;
            }
            _ => i += 1,
        }
    }
    let key_end = key_end.min(chars.len());
    let mut j = key_end;
    while j < chars.len() && matches!(chars[j], ' ' | '\t' | '\x0c') {
        j += 1;
    }
    if j < chars.len() && matches!(chars[j], '=' | ':') {
        j += 1;
        while j < chars.len() && matches!(chars[j], ' ' | '\t' | '\x0c') {
            j += 1;
        }
    }
    (unescape(&chars[..key_end]), unescape(&chars[j..]))
}

fn unescape(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\\' || i + 1 >= chars.len() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let c = chars[i + 1];
        i += 2;
        match c {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'f' => out.push('\x0c'),
            'u' => {
                let hex: String = chars[i..chars.len().min(i + 4)].iter().collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        i += 4;
                    }
                    // Java throws "Malformed \uxxxx encoding"; keep the text so
                    // the id checks report it rather than guessing.
                    _ => out.push_str("\\u"),
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// What a data dir's `meta.properties` says, once interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaProperties {
    /// 0 (ZooKeeper, `version` absent or 0) or 1 (KRaft, written by `kafka-storage format`).
    pub version: u32,
    /// `broker.id` (v0) or `node.id` (v1), when present.
    pub id: Option<i64>,
    /// `cluster.id`, when present.
    pub cluster_id: Option<String>,
}

impl MetaProperties {
    /// The key that holds the id in this version.
    pub fn id_key(&self) -> &'static str {
        if self.version == 0 {
            "broker.id"
        } else {
            "node.id"
        }
    }
}

/// Interprets parsed properties as Kafka's `MetaProperties` does, or says
/// what is wrong in Kafka's words.
pub fn interpret(pairs: &[(String, String)]) -> Result<MetaProperties, String> {
    let version = match get(pairs, "version").map(str::trim) {
        None | Some("0") => 0,
        Some("1") => 1,
        Some(v) => return Err(format!("Unknown meta.properties version number {v}")),
    };
    let id_key = if version == 0 { "broker.id" } else { "node.id" };
    let id = match get(pairs, id_key).map(str::trim) {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            format!("{id_key} is {v:?}, not a number; Kafka cannot read this file")
        })?),
    };
    let cluster_id = get(pairs, "cluster.id")
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    if version == 1 && id.is_none() {
        return Err(format!("node.id was not specified in this v1 {FILE_NAME}"));
    }
    if version == 1 && cluster_id.is_none() {
        return Err(format!(
            "cluster.id was not specified in this v1 {FILE_NAME}"
        ));
    }
    // Kafka accepts a v0 file without broker.id (it fills it in), but a file
    // with none of the keys Kafka writes is not one Kafka wrote: garbage bytes,
    // a truncated write or another program's file.
    if version == 0 && id.is_none() && cluster_id.is_none() && get(pairs, "version").is_none() {
        return Err(format!(
            "has none of version, broker.id, node.id, cluster.id; it is not a {FILE_NAME} Kafka wrote"
        ));
    }
    Ok(MetaProperties {
        version,
        id,
        cluster_id,
    })
}

/// What reading a data dir's `meta.properties` found.
#[derive(Debug)]
pub enum Observed {
    /// No such file: a new volume (Kafka writes it on first start).
    Absent,
    /// The file's bytes.
    Bytes(Vec<u8>),
    /// It exists but cannot be read as a file (a directory, an I/O error).
    Unreadable(io::Error),
}

/// Reads `<dir>/meta.properties`. A missing dir counts as a missing file.
pub fn read(dir: &Path) -> Observed {
    match std::fs::read(dir.join(FILE_NAME)) {
        Ok(bytes) => Observed::Bytes(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Observed::Absent,
        Err(e) => Observed::Unreadable(e),
    }
}

/// Checks one data dir's `meta.properties` against the Plan: readable,
/// well-formed, the id Kafka will be configured with, and the configured
/// cluster id. Returns what it read (for cross-dir checks) and the problems.
pub fn check(
    dir: &Path,
    observed: &Observed,
    plan: &Plan,
) -> (Option<MetaProperties>, Vec<Problem>) {
    let path = dir.join(FILE_NAME);
    let var = path.display().to_string();
    let bytes = match observed {
        Observed::Absent => return (None, Vec::new()),
        Observed::Unreadable(e) => {
            return (
                None,
                vec![Problem::new(
                    var,
                    "",
                    format!("cannot be read ({e}); Kafka would mark the volume {} as failed", dir.display()),
                    "make it the regular file Kafka wrote, or, only if the data on this volume is really unwanted, empty the volume by hand; kafka-init never deletes or rewrites broker data",
                )],
            )
        }
        Observed::Bytes(b) => b,
    };
    // Kafka loads it with Properties.load(InputStream): ISO-8859-1, so every
    // byte is a character and nothing is "invalid UTF-8" to Kafka either.
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    let meta = match interpret(&parse(&text)) {
        Ok(m) => m,
        Err(why) => {
            return (
                None,
                vec![Problem::new(
                    var,
                    "",
                    format!("{why} (volume {} of pod {})", dir.display(), plan.pod.name),
                    "restore the file Kafka wrote (from a backup or another copy), or, only if the data on this volume is really unwanted, empty the volume by hand; kafka-init never deletes or rewrites broker data",
                )],
            )
        }
    };
    let mut problems = Vec::new();
    if let Some(p) = version_problem(&path, &meta, plan) {
        problems.push(p);
    }
    if let Some(p) = id_problem(dir, &meta, plan) {
        problems.push(p);
    }
    if let (Some(stored), Some(configured)) = (&meta.cluster_id, &plan.cluster_id) {
        if stored != configured {
            problems.push(cluster_id_problem(
                dir,
                stored,
                configured,
                "the configured cluster id",
                plan,
            ));
        }
    }
    (Some(meta), problems)
}

/// A ZooKeeper broker that is not migrating only reads v0 files (Kafka:
/// "Found unexpected version in <path>. ZK-based brokers that are not
/// migrating only support version 0").
fn version_problem(path: &Path, meta: &MetaProperties, plan: &Plan) -> Option<Problem> {
    let migrating = plan.get("zookeeper.metadata.migration.enable") == Some("true");
    if plan.mode != Mode::ZooKeeper || meta.version == 0 || migrating {
        return None;
    }
    Some(Problem::new(
        path.display().to_string(),
        format!("version={}", meta.version),
        format!(
            "pod {} runs in ZooKeeper mode, but this volume was formatted for KRaft; Kafka: \"ZK-based brokers that are not migrating only support version 0\"",
            plan.pod.name
        ),
        "run this StatefulSet in KRaft mode (KAFKA_INIT_MODE=kraft) if the volume is a KRaft node's, or bind the PV this broker used before",
    ))
}

fn id_problem(dir: &Path, meta: &MetaProperties, plan: &Plan) -> Option<Problem> {
    let stored = meta.id?;
    let expected = i64::from(plan.id);
    if stored == expected {
        return None;
    }
    let key = meta.id_key();
    let offset = expected - i64::from(plan.pod.ordinal);
    Some(Problem::new(
        dir.join(FILE_NAME).display().to_string(),
        format!("{key}={stored}"),
        format!(
            "pod {pod} is {key} {expected} (ordinal {ordinal} + KAFKA_INIT_ID_OFFSET {offset}), but its volume {dir} belongs to {key} {stored}; Kafka would stop with \"Stored node id {stored} doesn't match previous node id {expected}\". Usual causes: the PVC is bound to another broker's PV, the volume was reused from another broker or cluster, or KAFKA_INIT_ID_OFFSET changed",
            pod = plan.pod.name,
            ordinal = plan.pod.ordinal,
            dir = dir.display(),
        ),
        id_fix(key, stored, expected, offset, plan.pod.ordinal),
    ))
}

/// The fix for an id mismatch. Suggests another KAFKA_INIT_ID_OFFSET only
/// when one exists that gives this ordinal the stored id.
fn id_fix(key: &str, stored: i64, expected: i64, offset: i64, ordinal: u32) -> String {
    let old_offset = stored - i64::from(ordinal);
    let offset_fix = if old_offset >= 0 && old_offset != offset {
        format!("; or, if KAFKA_INIT_ID_OFFSET was changed, set it back to {old_offset}, the offset this data was written with")
    } else {
        String::new()
    };
    format!(
        "bind this pod's PVC to the PV of {key} {expected}{offset_fix}; or, only if the data on this volume is really unwanted, empty the volume by hand. kafka-init never deletes or rewrites broker data"
    )
}

/// A problem for a stored cluster id that differs from `expected`
/// (the configured one, or another data dir's).
pub fn cluster_id_problem(
    dir: &Path,
    stored: &str,
    expected: &str,
    expected_from: &str,
    plan: &Plan,
) -> Problem {
    let path: PathBuf = dir.join(FILE_NAME);
    Problem::new(
        path.display().to_string(),
        format!("cluster.id={stored}"),
        format!(
            "the volume {dir} of pod {pod} belongs to cluster {stored}, but {expected_from} is {expected}; Kafka would stop with \"Invalid cluster.id in: {path}. Expected {expected}, but read {stored}\". Usual causes: ZooKeeper was reset or reinstalled while the Kafka volumes were kept, a new cluster id was generated for volumes already formatted, or the PVC is bound to another cluster's PV",
            dir = dir.display(),
            pod = plan.pod.name,
            path = path.display(),
        ),
        format!(
            "if this is the same cluster, configure its cluster id {stored} (KAFKA_INIT_CLUSTER_ID) or restore its ZooKeeper data; else bind the right PV; or, only if the data on this volume is really unwanted, empty the volume by hand. kafka-init never deletes or rewrites broker data"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_java_properties_syntax() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("", &[]),
            ("# comment\n! bang comment\n", &[]),
            ("a=b", &[("a", "b")]),
            ("a = b ", &[("a", "b ")]),
            ("a:b", &[("a", "b")]),
            ("a : b", &[("a", "b")]),
            ("a b", &[("a", "b")]),
            ("   a=b", &[("a", "b")]),
            ("a", &[("a", "")]),
            ("a=", &[("a", "")]),
            ("a==b", &[("a", "=b")]),
            ("a\\=x=b", &[("a=x", "b")]),
            ("a\\ b=c", &[("a b", "c")]),
            ("a=b\\\n   c", &[("a", "bc")]),
            ("a=b\\\\\nc=d", &[("a", "b\\"), ("c", "d")]),
            ("a=\\u0041\\tz", &[("a", "A\tz")]),
            ("a=b\r\nc=d\r\n", &[("a", "b"), ("c", "d")]),
            ("a=1\n#x=2\nb=3", &[("a", "1"), ("b", "3")]),
            ("\t\x0ckey\t=\tvalue", &[("key", "value")]),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), pairs(want), "parsing {text:?}");
        }
    }

    #[test]
    fn a_later_duplicate_key_wins() {
        assert_eq!(get(&parse("a=1\na=2\n"), "a"), Some("2"));
        assert_eq!(get(&parse("a=1\n"), "b"), None);
    }

    #[test]
    fn suggests_an_id_offset_only_when_one_gives_this_ordinal_the_stored_id() {
        // (stored, expected, offset, ordinal, suggested offset)
        let cases: &[(i64, i64, i64, u32, Option<&str>)] = &[
            (0, 1, 0, 1, None),
            (101, 1, 0, 1, Some("set it back to 100")),
            (1, 101, 100, 1, Some("set it back to 0")),
            (5, 1, 0, 1, Some("set it back to 4")),
        ];
        for (stored, expected, offset, ordinal, want) in cases {
            let fix = id_fix("node.id", *stored, *expected, *offset, *ordinal);
            match want {
                Some(w) => assert!(fix.contains(w), "{fix}"),
                None => assert!(!fix.contains("KAFKA_INIT_ID_OFFSET"), "{fix}"),
            }
            assert!(fix.contains("empty the volume by hand"), "{fix}");
        }
    }

    #[test]
    fn interprets_the_files_kafka_writes() {
        let v0 = "#\n#Tue Jan 02 10:00:00 UTC 2024\nbroker.id=1\nversion=0\ncluster.id=abc\n";
        let v1 = "#\nnode.id=3\ndirectory.id=Xyz\nversion=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n";
        let cases: &[(&str, Result<MetaProperties, &str>)] = &[
            (
                v0,
                Ok(MetaProperties {
                    version: 0,
                    id: Some(1),
                    cluster_id: Some("abc".into()),
                }),
            ),
            (
                "broker.id=7\n",
                Ok(MetaProperties {
                    version: 0,
                    id: Some(7),
                    cluster_id: None,
                }),
            ),
            (
                "cluster.id=abc\n",
                Ok(MetaProperties {
                    version: 0,
                    id: None,
                    cluster_id: Some("abc".into()),
                }),
            ),
            (
                v1,
                Ok(MetaProperties {
                    version: 1,
                    id: Some(3),
                    cluster_id: Some("MkU3OEVBNTcwNTJENDM2Qk".into()),
                }),
            ),
            (
                "version=2\nnode.id=1\n",
                Err("Unknown meta.properties version number 2"),
            ),
            (
                "version=1\ncluster.id=a\n",
                Err("node.id was not specified"),
            ),
            (
                "version=1\nnode.id=1\n",
                Err("cluster.id was not specified"),
            ),
            ("broker.id=one\n", Err("broker.id is \"one\", not a number")),
            (
                "version=1\nnode.id=\ncluster.id=a\n",
                Err("node.id is \"\", not a number"),
            ),
            ("\u{ff}\u{fe}garbage\n", Err("has none of version")),
            ("", Err("has none of version")),
        ];
        for (text, want) in cases {
            let got = interpret(&parse(text));
            match (want, &got) {
                (Ok(w), Ok(g)) => assert_eq!(w, g, "interpreting {text:?}"),
                (Err(w), Err(g)) => {
                    assert!(g.contains(w), "interpreting {text:?}: {g:?} lacks {w:?}")
                }
                _ => panic!("interpreting {text:?}: got {got:?}, want {want:?}"),
            }
        }
    }
}
