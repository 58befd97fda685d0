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
//!   `list:FLAGS:A,B` (4.2+: no duplicates, `e` empty list allowed, `n` null
//!   allowed, entries non-empty and, when given, in the set), `nonempty`,
//!   `nonnull`, `nonempty-noctl`, `voters:P`, `bootstrap:P` (P: `strict` or
//!   `lax`, the version's `Utils` host:port pattern), `mv:A,B` (the
//!   metadata versions the validator accepts) and `ranges:LO..HI|…=MESSAGE`
//!   (an opaque validator, probed by the generator);
//! - flags: `i` internal, `p` password, `b` per-broker dynamic, `c`
//!   cluster-wide dynamic, `d` deprecated by its documentation.

use std::sync::OnceLock;

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

/// The embedded file's data lines, found once, without parsing them: a
/// start looks up a few dozen keys, so only those lines are parsed (the file
/// holds every key of every version; parsing all of it cost most of a start).
struct Lines {
    /// The supported versions, oldest first (the file's first line).
    versions: Vec<&'static str>,
    /// The data lines, `mask TAB name TAB ...`, sorted by name.
    lines: Vec<&'static str>,
    /// Each line's key, parsed on first use.
    parsed: Vec<OnceLock<Key>>,
}

static LINES: OnceLock<Lines> = OnceLock::new();

fn lines() -> &'static Lines {
    LINES.get_or_init(|| split_embedded(EMBEDDED))
}

/// The supported versions, oldest first.
pub(super) fn versions() -> &'static [&'static str] {
    &lines().versions
}

/// Splits the merged file into its versions line and its data lines. The file is
/// generated and checked in CI (scripts/check-catalog.sh) and by the tests,
/// so a malformed file is a build defect: it panics rather than skips.
fn split_embedded(text: &'static str) -> Lines {
    let (first, _) = text.split_once('\n').unwrap_or((text, ""));
    let versions: Vec<&'static str> = first
        .strip_prefix("# versions\t")
        .unwrap_or_else(|| panic!("catalog without a versions line"))
        .split('\t')
        .collect();
    let mut lines = Vec::with_capacity(512);
    let bytes = text.as_bytes();
    let mut start = 0;
    // A byte loop: '\n' is ASCII, so every cut is on a char boundary.
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            if i > start && bytes[start] != b'#' {
                lines.push(&text[start..i]);
            }
            start = i + 1;
        }
    }
    if start < bytes.len() && bytes[start] != b'#' {
        lines.push(&text[start..]);
    }
    let parsed = (0..lines.len()).map(|_| OnceLock::new()).collect();
    Lines {
        versions,
        lines,
        parsed,
    }
}

/// The key of data line `i`, parsed once.
fn line_key(l: &'static Lines, i: usize) -> &'static Key {
    l.parsed[i].get_or_init(|| {
        let line = l.lines[i];
        line.split_once('\t')
            .filter(|(mask, _)| mask.len() == l.versions.len())
            .and_then(|(_, rest)| parse_line(rest))
            .unwrap_or_else(|| panic!("malformed catalog line: {line}"))
    })
}

/// Whether data line `i` belongs to version `index`.
fn in_version(l: &Lines, i: usize, index: usize) -> bool {
    l.lines[i].as_bytes().get(index) == Some(&b'x')
}

/// The key name of a data line: the field after the mask ('\t' is ASCII,
/// so the cuts are on char boundaries).
fn line_name(l: &Lines, i: usize) -> &'static str {
    let line = l.lines[i];
    let from = (l.versions.len() + 1).min(line.len());
    let len = line.as_bytes()[from..]
        .iter()
        .position(|&b| b == b'\t')
        .unwrap_or(line.len() - from);
    &line[from..from + len]
}

/// The key `name` of version `index` (into [`versions`]), if it has one.
pub(super) fn key(index: usize, name: &str) -> Option<&'static Key> {
    let l = lines();
    // The first line of `name`: the lines are sorted by name.
    let (mut first, mut end) = (0, l.lines.len());
    while first < end {
        let mid = first + (end - first) / 2;
        if line_name(l, mid) < name {
            first = mid + 1;
        } else {
            end = mid;
        }
    }
    (first..l.lines.len())
        .take_while(|&i| line_name(l, i) == name)
        .find(|&i| in_version(l, i, index))
        .map(|i| line_key(l, i))
}

/// The keys of version `index`, sorted by name (parsed on first use: only
/// listing and suggesting need them all).
pub(super) fn keys(index: usize) -> &'static [&'static Key] {
    static KEYS: OnceLock<Vec<OnceLock<Vec<&'static Key>>>> = OnceLock::new();
    let l = lines();
    let per_version = KEYS.get_or_init(|| l.versions.iter().map(|_| OnceLock::new()).collect());
    per_version[index].get_or_init(|| {
        (0..l.lines.len())
            .filter(|&i| in_version(l, i, index))
            .map(|i| line_key(l, i))
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
