//! The embedded catalog (`data/embedded.tsv`) and its reader. The
//! generator (`tools/catalog-gen/CatalogGen.java`) writes one file per
//! version, `data/<version>.tsv`, from that version's jars;
//! `scripts/gen-catalog.sh` merges them into `embedded.tsv`, whose first
//! line names the versions (`# versions TAB 3.9.0 TAB ...`) and whose other
//! lines are a version's line prefixed by the mask of the versions that
//! have it (`xx...`: 3.9.0 and 3.9.2).
//!
//! A version's line: `name TAB type TAB default TAB validator TAB flags`;
//! lines starting with `#` are comments. Fields:
//! - type: Kafka's `ConfigDef.Type` in lower case;
//! - default: `!` none (the key is required), `~` null, else the default as
//!   Kafka writes it back (`\t`, `\n`, `\r`, `\\` escaped);
//! - validator: empty, or `&`-joined checks: `range:MIN:MAX` (either side may
//!   be empty), `in:A,B` and `in~:A,B` (case-insensitive) string sets,
//!   `list:legacy:A,B` (3.9's ValidList: each entry in the set),
//!   `list:FLAGS:A,B` (4.2+: no empty entries, a repeat dropped, `e` empty list allowed, `n` null
//!   allowed, entries non-empty and, when given, in the set), `nonempty`,
//!   `nonnull`, `nonempty-noctl`, `voters:P`, `bootstrap:P` (P: `strict` or
//!   `lax`, the version's `Utils` host:port pattern), `mv:A,B` (the
//!   metadata versions the validator accepts) and `ranges:LO..HI|…=MESSAGE`
//!   (an opaque validator, probed by the generator);
//! - flags: `i` internal, `p` password, `b` per-broker dynamic, `c`
//!   cluster-wide dynamic, `d` deprecated by its documentation.

use std::sync::{Mutex, OnceLock, PoisonError};

use super::value::{Bound, Check, HostPattern, Type};

/// The merged catalog of every supported version.
const EMBEDDED: &str = include_str!("data/embedded.tsv");

/// Whether and how a key can change while the broker runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dynamic {
    /// Only at start-up.
    ReadOnly,
    /// Per broker, with `kafka-configs.sh --entity-type brokers --entity-name N`.
    PerBroker,
    /// Cluster-wide, with `kafka-configs.sh --entity-type brokers --entity-default`.
    ClusterWide,
}

/// A key's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Default {
    /// No default: Kafka refuses to start without it.
    Required,
    /// Null (unset).
    Null,
    /// The default, as Kafka writes it back to text.
    Value(String),
}

/// One key of one version's catalog.
#[derive(Debug, Clone)]
pub struct Key {
    /// The key, e.g. `log.retention.hours`.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Its default.
    pub default: Default,
    /// Its validator's checks (all must pass).
    pub checks: Vec<Check>,
    /// An internal key (not in Kafka's documentation; still validated).
    pub internal: bool,
    /// Whether it can change at runtime.
    pub dynamic: Dynamic,
    /// Its documentation says it is deprecated.
    pub deprecated: bool,
}

/// The embedded file's data lines (`mask TAB name TAB ...`, sorted by
/// name), indexed at compile time: a start looks up a few dozen keys, so it
/// neither splits the file nor parses the lines it does not use (splitting
/// it at run time cost a fifth of a start's instructions).
const LINES: usize = count_lines(EMBEDDED.as_bytes());

/// How many versions the file holds: the width of each data line's mask
/// (the versions line's tab-separated fields after `# versions`).
const VERSIONS: usize = count_versions(EMBEDDED.as_bytes());

const fn count_versions(bytes: &[u8]) -> usize {
    let (mut i, mut tabs) = (0, 0);
    while i < bytes.len() && bytes[i] != b'\n' {
        if bytes[i] == b'\t' {
            tabs += 1;
        }
        i += 1;
    }
    tabs
}

/// Each data line's place in [`EMBEDDED`].
static SPANS: [Span; LINES] = line_spans(EMBEDDED.as_bytes());

#[derive(Clone, Copy)]
struct Span {
    /// Its first byte.
    start: u32,
    /// The length of the line up to the end of its key name (the field
    /// after the mask).
    name_end: u16,
    /// Its length.
    len: u16,
}

/// The keys parsed so far, by data line, sorted: a start parses a few dozen
/// of the file's lines. Each lives as long as the process.
static PARSED: Mutex<Vec<(usize, &'static Key)>> = Mutex::new(Vec::new());

/// Whether `bytes[start..end]` is a data line: not empty, not a comment
/// (the versions line is one).
const fn is_data(bytes: &[u8], start: usize, end: usize) -> bool {
    end > start && bytes[start] != b'#'
}

const fn count_lines(bytes: &[u8]) -> usize {
    let (mut i, mut start, mut n) = (0, 0, 0);
    while i <= bytes.len() {
        if i == bytes.len() || bytes[i] == b'\n' {
            if is_data(bytes, start, i) {
                n += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    n
}

const fn line_spans<const N: usize>(bytes: &[u8]) -> [Span; N] {
    let mut spans = [Span {
        start: 0,
        name_end: 0,
        len: 0,
    }; N];
    let (mut i, mut start, mut n, mut tabs, mut name_end) = (0, 0, 0, 0, 0);
    while i <= bytes.len() {
        if i == bytes.len() || bytes[i] == b'\n' {
            if is_data(bytes, start, i) {
                assert!(
                    i - start <= u16::MAX as usize,
                    "a catalog line longer than 64 KiB"
                );
                // A name without a tab after it ends the line (a malformed
                // line: it panics when parsed).
                let end = if tabs < 2 { i } else { name_end };
                spans[n] = Span {
                    start: start as u32,
                    name_end: (end - start) as u16,
                    len: (i - start) as u16,
                };
                n += 1;
            }
            start = i + 1;
            tabs = 0;
        } else if bytes[i] == b'\t' {
            tabs += 1;
            if tabs == 2 {
                name_end = i;
            }
        }
        i += 1;
    }
    spans
}

/// Data line `i` ('\n' is ASCII, so its ends are char boundaries).
fn line(i: usize) -> &'static str {
    let Span { start, len, .. } = SPANS[i];
    &EMBEDDED[start as usize..start as usize + len as usize]
}

/// The supported versions, oldest first (the file's first line). The file
/// is generated and checked in CI (scripts/check-catalog.sh) and by the
/// tests, so a malformed file is a build defect: it panics rather than skips.
pub(super) fn versions() -> &'static [&'static str] {
    static VERSIONS: OnceLock<Vec<&'static str>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        let (first, _) = EMBEDDED.split_once('\n').unwrap_or((EMBEDDED, ""));
        first
            .strip_prefix("# versions\t")
            .unwrap_or_else(|| panic!("catalog without a versions line"))
            .split('\t')
            .collect()
    })
}

/// The key of data line `i`, parsed once.
fn line_key(i: usize) -> &'static Key {
    // A panic while the lock is held leaves nothing half-done: ignore poison.
    let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    let at = match parsed.binary_search_by_key(&i, |&(line, _)| line) {
        Ok(at) => return parsed[at].1,
        Err(at) => at,
    };
    let line = line(i);
    let key = line
        .split_once('\t')
        .filter(|(mask, _)| mask.len() == VERSIONS)
        .and_then(|(_, rest)| parse_line(rest))
        .unwrap_or_else(|| panic!("malformed catalog line: {line}"));
    let key: &'static Key = Box::leak(Box::new(key));
    parsed.insert(at, (i, key));
    key
}

/// Whether data line `i` belongs to version `index`.
fn in_version(i: usize, index: usize) -> bool {
    line(i).as_bytes().get(index) == Some(&b'x')
}

/// The key name of data line `i`: the field after the mask, as bytes.
fn line_name(i: usize) -> &'static [u8] {
    let Span {
        start, name_end, ..
    } = SPANS[i];
    let (start, name_end) = (start as usize, name_end as usize);
    let from = (VERSIONS + 1).min(name_end);
    &EMBEDDED.as_bytes()[start + from..start + name_end]
}

/// The data lines of key `name` (one per distinct definition; the lines
/// are sorted by name).
fn lines_of(name: &str) -> std::ops::Range<usize> {
    let name = name.as_bytes();
    let (mut first, mut end) = (0, LINES);
    while first < end {
        let mid = first + (end - first) / 2;
        if line_name(mid) < name {
            first = mid + 1;
        } else {
            end = mid;
        }
    }
    let end = (first..LINES)
        .find(|&i| line_name(i) != name)
        .unwrap_or(LINES);
    first..end
}

/// The key `name` of version `index` (into [`versions`]), if it has one.
pub(super) fn key(index: usize, name: &str) -> Option<&'static Key> {
    lines_of(name).find(|&i| in_version(i, index)).map(line_key)
}

/// Whether each version has key `name`: bit `i` for version `i`.
pub(super) fn presence(name: &str) -> u64 {
    lines_of(name)
        .flat_map(|i| line(i).bytes().take(VERSIONS).enumerate())
        .filter(|&(_, b)| b == b'x')
        .fold(0, |mask, (v, _)| mask | 1 << v)
}

/// The keys of version `index`, sorted by name (parsed on first use: only
/// listing and suggesting need them all).
pub(super) fn keys(index: usize) -> &'static [&'static Key] {
    static KEYS: OnceLock<Vec<OnceLock<Vec<&'static Key>>>> = OnceLock::new();
    let per_version = KEYS.get_or_init(|| versions().iter().map(|_| OnceLock::new()).collect());
    per_version[index].get_or_init(|| {
        (0..LINES)
            .filter(|&i| in_version(i, index))
            .map(line_key)
            .collect()
    })
}

fn parse_line(line: &'static str) -> Option<Key> {
    let mut f = line.split('\t');
    let (name, ty, default, validator, flags) =
        (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
    let default = match default {
        "!" => Default::Required,
        "~" => Default::Null,
        v => Default::Value(unescape(v)),
    };
    let checks = if validator.is_empty() {
        vec![]
    } else {
        validator
            .split('&')
            .map(parse_check)
            .collect::<Option<Vec<_>>>()?
    };
    Some(Key {
        name,
        ty: Type::from_name(ty)?,
        default,
        checks,
        internal: flags.contains('i'),
        dynamic: if flags.contains('b') {
            Dynamic::PerBroker
        } else if flags.contains('c') {
            Dynamic::ClusterWide
        } else {
            Dynamic::ReadOnly
        },
        deprecated: flags.contains('d'),
    })
}

fn parse_check(spec: &'static str) -> Option<Check> {
    let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
    let set = |s: &'static str| -> Vec<&'static str> {
        if s.is_empty() {
            vec![]
        } else {
            s.split(',').collect()
        }
    };
    Some(match kind {
        "range" => {
            let (min, max) = rest.split_once(':')?;
            Check::Range {
                min: bound(min)?,
                max: bound(max)?,
            }
        }
        "in" => Check::OneOf {
            values: set(rest),
            case_insensitive: false,
        },
        "in~" => Check::OneOf {
            values: set(rest),
            case_insensitive: true,
        },
        "list" => {
            let (flags, values) = rest.split_once(':')?;
            Check::List {
                legacy: flags == "legacy",
                empty_ok: flags.contains('e'),
                values: set(values),
            }
        }
        "nonempty" => Check::NonEmpty,
        "nonnull" => Check::NonNull,
        "nonempty-noctl" => Check::NonEmptyNoControl,
        "voters" => Check::Voters(host_pattern(rest)?),
        "bootstrap" => Check::Bootstrap(host_pattern(rest)?),
        "mv" => Check::MetadataVersion(set(rest)),
        "ranges" => {
            let (ranges, message) = rest.split_once('=')?;
            let ranges = ranges
                .split('|')
                .map(|r| {
                    let (lo, hi) = r.split_once("..")?;
                    Some((lo.parse().ok()?, hi.parse().ok()?))
                })
                .collect::<Option<Vec<(i64, i64)>>>()?;
            Check::Ranges {
                ranges,
                message: unescape(message),
            }
        }
        _ => return None,
    })
}

fn host_pattern(name: &str) -> Option<HostPattern> {
    match name {
        "strict" => Some(HostPattern::Strict),
        "lax" => Some(HostPattern::Lax),
        _ => None,
    }
}

/// A range bound: empty for none, else the number as Java printed it.
fn bound(text: &'static str) -> Option<Option<Bound>> {
    if text.is_empty() {
        return Some(None);
    }
    Some(Some(Bound {
        text,
        value: text.parse().ok()?,
    }))
}

fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_file_parses_with_the_key_counts_of_its_jars() {
        // Counts from the research notes (read from the jars): 3.9.2 329,
        // 4.0.x 306, 4.1.x 336, 4.4.0 379; 3.9.0 lacks one 3.9.1 key.
        assert_eq!(versions(), ["3.9.0", "3.9.2", "4.0.2", "4.1.2", "4.4.0"]);
        let counts: Vec<usize> = (0..versions().len()).map(|i| keys(i).len()).collect();
        assert_eq!(counts, [328, 329, 306, 336, 379]);
    }

    #[test]
    fn looking_a_key_up_finds_what_listing_the_version_gives() {
        for index in 0..versions().len() {
            for k in keys(index) {
                let found = key(index, k.name).unwrap_or_else(|| panic!("{} in {index}", k.name));
                assert!(std::ptr::eq(found, *k), "{} in {index}", k.name);
            }
            assert!(key(index, "log.retention.hour").is_none());
            assert!(key(index, "").is_none());
            assert!(key(index, "zzz").is_none());
        }
        // A key of 3.9 only is not a 4.4 key.
        assert!(key(0, "zookeeper.connect").is_some());
        assert!(key(4, "zookeeper.connect").is_none());
    }

    #[test]
    fn the_mask_width_counted_at_compile_time_is_the_versions_line() {
        assert_eq!(VERSIONS, versions().len());
        assert_eq!(versions().first(), Some(&"3.9.0"));
    }

    #[test]
    fn presence_has_a_bit_for_each_version_that_lists_the_key() {
        let every = (1u64 << versions().len()) - 1;
        for index in 0..versions().len() {
            for k in keys(index) {
                assert_ne!(presence(k.name) & 1 << index, 0, "{} in {index}", k.name);
            }
        }
        let listed = |name: &str| {
            (0..versions().len())
                .filter(|&i| key(i, name).is_some())
                .fold(0u64, |m, i| m | 1 << i)
        };
        for name in [
            "zookeeper.connect",
            "log.dirs",
            "controller.quorum.bootstrap.servers",
            "x",
            "",
        ] {
            assert_eq!(presence(name), listed(name), "{name}");
        }
        assert_eq!(presence("log.dirs"), every);
        assert_eq!(presence("zookeeper.connect"), 0b11);
        assert_eq!(presence("log.retention.hour"), 0);
    }

    #[test]
    fn reads_types_defaults_validators_and_flags() {
        let k44 = keys(4);
        let get = |n: &str| k44.iter().find(|k| k.name == n).unwrap();
        let roles = get("process.roles");
        assert_eq!(roles.ty, Type::List);
        assert_eq!(roles.default, Default::Required);
        assert!(
            matches!(&roles.checks[..], [Check::List { legacy: false, empty_ok: false, values, .. }] if values == &["broker", "controller"])
        );
        assert_eq!(get("broker.id").default, Default::Value("-1".into()));
        assert!(get("broker.id").deprecated);
        assert_eq!(get("listeners").dynamic, Dynamic::PerBroker);
        assert_eq!(get("compression.type").dynamic, Dynamic::ClusterWide);
        assert!(
            matches!(&get("num.io.threads").checks[..], [Check::Range { min: Some(b), max: None }] if b.text == "1")
        );
        assert!(
            matches!(&get("compression.gzip.level").checks[..], [Check::Ranges { ranges, .. }] if ranges == &[(-1, -1), (1, 9)])
        );
    }

    #[test]
    fn unescapes_what_the_generator_escaped() {
        assert_eq!(unescape(r"a\tb\\c\nd"), "a\tb\\c\nd");
        assert_eq!(unescape("plain"), "plain");
    }
}
