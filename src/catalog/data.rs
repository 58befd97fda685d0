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

/// The supported versions (oldest first) and the keys of each, sorted by name.
struct Catalog {
    versions: Vec<&'static str>,
    keys: Vec<Vec<Key>>,
}

/// Built on first use.
static CATALOG: OnceLock<Catalog> = OnceLock::new();

fn catalog() -> &'static Catalog {
    CATALOG.get_or_init(|| parse_embedded(EMBEDDED))
}

/// The supported versions, oldest first.
pub(super) fn versions() -> &'static [&'static str] {
    &catalog().versions
}

/// The keys of version `index` (into [`versions`]), sorted by name.
pub(super) fn keys(index: usize) -> &'static [Key] {
    &catalog().keys[index]
}

/// Reads the merged file. It is generated and checked in CI
/// (scripts/check-catalog.sh) and by the tests, so a malformed line is a
/// build defect: it panics with the line rather than being skipped.
fn parse_embedded(text: &'static str) -> Catalog {
    let versions: Vec<&'static str> = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# versions\t"))
        .unwrap_or_else(|| panic!("catalog without a versions line"))
        .split('\t')
        .collect();
    let mut keys: Vec<Vec<Key>> = vec![vec![]; versions.len()];
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let parsed = line
            .split_once('\t')
            .filter(|(mask, _)| mask.len() == versions.len())
            .and_then(|(mask, rest)| Some((mask, parse_line(rest)?)));
        let Some((mask, key)) = parsed else {
            panic!("malformed catalog line: {line}");
        };
        for (i, _) in mask.bytes().enumerate().filter(|(_, b)| *b == b'x') {
            keys[i].push(key.clone());
        }
    }
    for k in &mut keys {
        k.sort_by(|a, b| a.name.cmp(b.name));
    }
    Catalog { versions, keys }
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
