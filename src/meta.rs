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

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use nix::libc;

use crate::plan::{Mode, Plan};
use crate::problem::Problem;

/// The file name Kafka uses in every data dir (`MetaPropertiesEnsemble`).
pub const FILE_NAME: &str = "meta.properties";

/// The largest `meta.properties` kafka-init reads. Kafka writes a few
/// hundred bytes; anything near this is not a file Kafka wrote, and reading
/// it whole could cost the initContainer its memory limit.
pub const MAX_SIZE: u64 = 64 * 1024;

/// A Java `char`: properties files are read as ISO-8859-1 bytes and
/// unescaped into UTF-16, exactly as `java.util.Properties.load` does.
type JavaChar = u16;

const fn jc(c: char) -> JavaChar {
    c as JavaChar
}

/// Space, tab and form feed: what `Properties` skips around keys and values.
fn is_blank(c: JavaChar) -> bool {
    c == jc(' ') || c == jc('\t') || c == jc('\x0c')
}

fn is_line_break(c: JavaChar) -> bool {
    c == jc('\n') || c == jc('\r')
}

/// Parses `meta.properties` bytes into `(key, value)` pairs in file order;
/// a later duplicate key wins in [`get`].
///
/// Follows `java.util.Properties.load(InputStream)`: bytes are ISO-8859-1;
/// lines end at LF, CR or CRLF; `#` and `!` start comment lines; a line
/// ending in an odd number of backslashes continues on the next line, whose
/// leading blanks are dropped; the key ends at the first unescaped `=`, `:`
/// or blank; blanks around the separator are skipped; `\t \n \r \f \uXXXX`
/// are unescaped and any other escaped character stands for itself. A
/// malformed `\uXXXX` is an error, as it is for Kafka; an unpaired
/// surrogate (`\uD83D` alone), which a Java string holds but a Rust one
/// cannot, becomes U+FFFD. Checked against Java on the table below and on
/// random inputs.
///
/// ```
/// let p = kafka_init::meta::parse(b"#c\r\nversion=1\r\nnode.id=\\\r\n    3\r\n").unwrap();
/// assert_eq!(kafka_init::meta::get(&p, "node.id"), Some("3"));
/// ```
pub fn parse(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let chars: Vec<JavaChar> = bytes.iter().map(|&b| JavaChar::from(b)).collect();
    logical_lines(&chars)
        .iter()
        .map(|line| split_key_value(line))
        .collect()
}

/// The logical lines of properties text, as `Properties.LineReader` reads
/// them: comments and blank lines gone, continuations joined.
fn logical_lines(chars: &[JavaChar]) -> Vec<Vec<JavaChar>> {
    let mut lines = Vec::new();
    let mut line: Vec<JavaChar> = Vec::new();
    // Skipping blanks at the start of a line (and empty lines, unless a
    // continuation just began: then a line break ends the logical line).
    let mut skip_blanks = true;
    let mut continuing = false;
    // An odd run of backslashes precedes the current position.
    let mut escaped = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        if skip_blanks {
            if is_blank(c) || (!continuing && is_line_break(c)) {
                continue;
            }
            skip_blanks = false;
            continuing = false;
        }
        if line.is_empty() && (c == jc('#') || c == jc('!')) {
            while chars.get(i).is_some_and(|&c| !is_line_break(c)) {
                i += 1;
            }
            skip_blanks = true;
            continue;
        }
        if !is_line_break(c) {
            line.push(c);
            escaped = c == jc('\\') && !escaped;
            continue;
        }
        skip_blanks = true;
        if line.is_empty() {
            continue;
        }
        if i == chars.len() {
            // Java hands the line over as soon as the input ends after its
            // break, even when a continuation backslash was all it held.
            if escaped {
                line.pop();
            }
            lines.push(std::mem::take(&mut line));
            break;
        }
        if escaped {
            // The backslash joins the lines and is not part of either.
            line.pop();
            continuing = true;
            escaped = false;
            if c == jc('\r') && chars.get(i) == Some(&jc('\n')) {
                i += 1;
            }
        } else {
            lines.push(std::mem::take(&mut line));
        }
    }
    if !line.is_empty() {
        if escaped {
            line.pop();
        }
        lines.push(line);
    }
    lines
}

/// Splits a logical line at its separator and unescapes both halves.
fn split_key_value(line: &[JavaChar]) -> Result<(String, String), String> {
    let mut key_end = line.len();
    let mut value_start = line.len();
    let mut has_separator = false;
    let mut escaped = false;
    for (i, &c) in line.iter().enumerate() {
        if !escaped && (c == jc('=') || c == jc(':') || is_blank(c)) {
            key_end = i;
            value_start = i + 1;
            has_separator = !is_blank(c);
            break;
        }
        escaped = c == jc('\\') && !escaped;
    }
    while let Some(&c) = line.get(value_start) {
        if is_blank(c) {
            value_start += 1;
        } else if !has_separator && (c == jc('=') || c == jc(':')) {
            has_separator = true;
            value_start += 1;
        } else {
            break;
        }
    }
    Ok((unescape(&line[..key_end])?, unescape(&line[value_start..])?))
}

/// `Properties.loadConvert`: backslash escapes to characters.
fn unescape(chars: &[JavaChar]) -> Result<String, String> {
    let mut out: Vec<JavaChar> = Vec::with_capacity(chars.len());
    let mut rest = chars.iter().copied();
    while let Some(c) = rest.next() {
        if c != jc('\\') {
            out.push(c);
            continue;
        }
        // A logical line never ends in an unpaired backslash (it would
        // have continued), so a lone one at the end stands for itself.
        let Some(e) = rest.next() else {
            out.push(c);
            break;
        };
        out.push(match char::from_u32(u32::from(e)) {
            Some('t') => jc('\t'),
            Some('n') => jc('\n'),
            Some('r') => jc('\r'),
            Some('f') => jc('\x0c'),
            Some('u') => {
                let mut unit: u32 = 0;
                for _ in 0..4 {
                    let digit = rest
                        .next()
                        .and_then(|h| char::from_u32(u32::from(h))?.to_digit(16))
                        .ok_or("Malformed \\uxxxx encoding.")?;
                    unit = unit * 16 + digit;
                }
                // Invariant: four hex digits fit in 16 bits.
                JavaChar::try_from(unit).unwrap_or(JavaChar::MAX)
            }
            _ => e,
        });
    }
    // Java strings are UTF-16: `\uD83D\uDE00` is one character.
    Ok(String::from_utf16_lossy(&out))
}

/// The value of `key` in parsed properties (the last one, as Java keeps).
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
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
    /// Not read, and why: not a regular file (a FIFO would block the read,
    /// a device might never end, a symlink points elsewhere), or larger
    /// than [`MAX_SIZE`].
    Refused(String),
    /// It exists but reading it failed.
    Unreadable(io::Error),
}

/// Reads `<dir>/meta.properties`, only if it is a regular file of at most
/// [`MAX_SIZE`] bytes. A missing dir counts as a missing file.
///
/// Opened first, then `fstat`ed, so the file checked is the file read.
/// `O_NONBLOCK` lets the open of a FIFO return instead of waiting for a
/// writer, `O_NOCTTY` keeps a terminal from becoming ours, `O_NOFOLLOW`
/// refuses a symbolic link.
pub fn read(dir: &Path) -> Observed {
    let path = dir.join(FILE_NAME);
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(&path);
    let file = match opened {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Observed::Absent,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Observed::Refused("is a symbolic link".into())
        }
        Err(e) => return Observed::Unreadable(e),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Observed::Unreadable(e),
    };
    let kind = meta.file_type();
    let not_regular = if kind.is_dir() {
        Some("a directory")
    } else if kind.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if kind.is_char_device() {
        Some("a character device")
    } else if kind.is_block_device() {
        Some("a block device")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        None
    };
    if let Some(what) = not_regular {
        return Observed::Refused(format!("is {what}, not a regular file"));
    }
    if meta.len() > MAX_SIZE {
        return Observed::Refused(too_large(meta.len()));
    }
    // Bounded even if the file grows after the fstat.
    let mut bytes = Vec::new();
    match file.take(MAX_SIZE + 1).read_to_end(&mut bytes) {
        Ok(n) if n as u64 > MAX_SIZE => Observed::Refused(too_large(n as u64)),
        Ok(_) => Observed::Bytes(bytes),
        Err(e) => Observed::Unreadable(e),
    }
}

fn too_large(len: u64) -> String {
    format!("is {len} bytes or more, larger than the {MAX_SIZE} bytes kafka-init reads (Kafka writes a few hundred)")
}

/// Checks one data dir's `meta.properties` against the Plan: readable,
/// well-formed, its version and the id Kafka will be configured with.
/// Returns what it read and the problems. The cluster id is the Plan's to
/// judge (`crate::plan`'s cluster-id step, from what `observe` read of the
/// same files), not checked again here.
pub fn check(
    dir: &Path,
    observed: &Observed,
    plan: &Plan,
) -> (Option<MetaProperties>, Vec<Problem>) {
    let path = dir.join(FILE_NAME);
    let var = path.display().to_string();
    let bytes = match observed {
        Observed::Absent => return (None, Vec::new()),
        Observed::Refused(why) => {
            return (
                None,
                vec![Problem::new(
                    var,
                    "",
                    format!("cannot be read: it {why}; Kafka writes a regular file of a few hundred bytes here and could not load the volume {}", dir.display()),
                    "make it the regular file Kafka wrote (restore it from a backup or another copy), or, only if the data on this volume is really unwanted, empty the volume by hand; kafka-init never deletes or rewrites broker data",
                )],
            )
        }
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
    let meta = match parse(bytes).and_then(|pairs| interpret(&pairs)) {
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
    (Some(meta), problems)
}

/// A ZooKeeper broker that is not migrating only reads v0 files (Kafka:
/// "Found unexpected version in <path>. ZK-based brokers that are not
/// migrating only support version 0").
fn version_problem(path: &Path, meta: &MetaProperties, plan: &Plan) -> Option<Problem> {
    if plan.mode == Mode::KRaft && meta.version == 0 && plan.migration.is_none() {
        // Kafka would start on it (a KRaft broker reads v0's broker.id), so
        // a volume of a ZooKeeper cluster would silently join this one.
        return Some(Problem::new(
            path.display().to_string(),
            "version=0",
            format!(
                "pod {} runs in KRaft mode without a migration, but this volume was written by a ZooKeeper-mode broker (meta.properties version 0, {})",
                plan.pod.name,
                meta.cluster_id.as_deref().map_or("no cluster.id".to_string(), |c| format!("cluster.id {c}"))
            ),
            "if this cluster was migrated from ZooKeeper, set KAFKA_INIT_MIGRATION=finalized on both StatefulSets (it stays set after a migration: it tells kafka-init that these volumes are expected); otherwise the volume belongs to a ZooKeeper cluster: bind this pod's PVC to its own PV",
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Bytes of a file, and the pairs Java reads from them.
    type JavaCase = (&'static [u8], &'static [(&'static str, &'static str)]);

    /// Each expectation was checked against `java.util.Properties.load`
    /// (OpenJDK 17) reading the same bytes.
    const JAVA_CASES: &[JavaCase] = &[
        (b"", &[]),
        (b"# comment\n! bang comment\n", &[]),
        (b"a=b", &[("a", "b")]),
        (b"a = b ", &[("a", "b ")]),
        (b"a:b", &[("a", "b")]),
        (b"a : b", &[("a", "b")]),
        (b"a b", &[("a", "b")]),
        (b"a \t b", &[("a", "b")]),
        (b"a = = b", &[("a", "= b")]),
        (b"a := b", &[("a", "= b")]),
        (b"a b=c", &[("a", "b=c")]),
        (b"   a=b", &[("a", "b")]),
        (b"a", &[("a", "")]),
        (b"a=", &[("a", "")]),
        (b"=b", &[("", "b")]),
        (b"a==b", &[("a", "=b")]),
        (b"a\\=x=b", &[("a=x", "b")]),
        (b"a\\:x:b", &[("a:x", "b")]),
        (b"a\\ b=c", &[("a b", "c")]),
        (b"a\\\\=b", &[("a\\", "b")]),
        (b"a=b\\\n   c", &[("a", "bc")]),
        (b"a=b\\\\\nc=d", &[("a", "b\\"), ("c", "d")]),
        (b"a=b\\\\\\\nc", &[("a", "b\\c")]),
        (b"a=\\u0041\\tz", &[("a", "A\tz")]),
        (b"a=\\uD83D\\uDE00", &[("a", "\u{1F600}")]),
        (b"a=\\q\\\"", &[("a", "q\"")]),
        (b"a=\\r\\n\\f", &[("a", "\r\n\x0c")]),
        // Line endings: LF, CRLF and a lone CR all end a line.
        (b"a=b\r\nc=d\r\n", &[("a", "b"), ("c", "d")]),
        (b"a=b\rc=d\r", &[("a", "b"), ("c", "d")]),
        (b"a=b\n\r\n\rc=d", &[("a", "b"), ("c", "d")]),
        // Continuations: the next line's leading blanks are dropped, whatever the line ending.
        (b"broker.id=\\\r\n    1\r\n", &[("broker.id", "1")]),
        (b"broker.id=\\\r    1\r", &[("broker.id", "1")]),
        (b"broker.id=\\\n\t \x0c1", &[("broker.id", "1")]),
        (b"a=1\\\n  2\\\n  3\nb=4", &[("a", "123"), ("b", "4")]),
        (b"key\\\n  name=v", &[("keyname", "v")]),
        // A continuation onto an empty line ends the value there.
        (b"a=b\\\n\nc=d", &[("a", "b"), ("c", "d")]),
        (b"a=b\\\n   \nc=d", &[("a", "b"), ("c", "d")]),
        // A continued line is not a comment, even when it starts with '#'.
        (b"a=b\\\n#c", &[("a", "b#c")]),
        // A trailing backslash at the end of the file is dropped.
        (b"a=b\\", &[("a", "b")]),
        (b"\\", &[("", "")]),
        (b"\\\n", &[("", "")]),
        (b" \\\r", &[("", "")]),
        (b" \\\r\n", &[]),
        (b"\\\n\n", &[]),
        (b"a=1\n#x=2\nb=3", &[("a", "1"), ("b", "3")]),
        (b"  # indented comment\nb=3", &[("b", "3")]),
        (b"a=b # not a comment", &[("a", "b # not a comment")]),
        (b"\t\x0ckey\t=\tvalue", &[("key", "value")]),
        // ISO-8859-1: every byte is one character.
        (b"a=\xe9\xff", &[("a", "\u{e9}\u{ff}")]),
    ];

    #[test]
    fn parses_java_properties_syntax() {
        for (text, want) in JAVA_CASES {
            assert_eq!(
                parse(text),
                Ok(pairs(want)),
                "parsing {:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn a_malformed_unicode_escape_is_an_error_as_in_java() {
        for text in [&b"a=\\u00"[..], b"a=\\u00zz", b"a\\uXYZW=b"] {
            assert_eq!(
                parse(text),
                Err("Malformed \\uxxxx encoding.".to_string()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_later_duplicate_key_wins() {
        assert_eq!(get(&parse(b"a=1\na=2\n").unwrap(), "a"), Some("2"));
        assert_eq!(get(&parse(b"a=1\n").unwrap(), "b"), None);
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
            let got = interpret(&parse(text.as_bytes()).unwrap());
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
