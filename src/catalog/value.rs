//! Kafka's own value parsing and validation, in one layer: what
//! `ConfigDef.parseType` and the key's `Validator` decide for a value given
//! as text, with Kafka's wording. Every rule that reads a Kafka value should
//! go through [`parse`] so that trimming, empty list entries and
//! case-insensitive booleans are handled once, the way Kafka handles them.

use std::fmt;

/// Kafka's `ConfigDef.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// `true`/`false`, any case, trimmed.
    Boolean,
    /// Trimmed text.
    String,
    /// 32-bit integer.
    Int,
    /// 16-bit integer.
    Short,
    /// 64-bit integer.
    Long,
    /// Java double.
    Double,
    /// Comma-separated, entries trimmed, empty entries kept.
    List,
    /// A class name (Kafka loads it; kafka-init takes it as text).
    Class,
    /// A secret: trimmed text, never printed.
    Password,
}

impl Type {
    /// The type from its catalog name (`int`, `list`, ...).
    pub fn from_name(name: &str) -> Option<Type> {
        Some(match name {
            "boolean" => Type::Boolean,
            "string" => Type::String,
            "int" => Type::Int,
            "short" => Type::Short,
            "long" => Type::Long,
            "double" => Type::Double,
            "list" => Type::List,
            "class" => Type::Class,
            "password" => Type::Password,
            _ => return None,
        })
    }

    /// Kafka's name for it (`INT`, `LIST`, ...), as in its messages.
    pub fn kafka_name(self) -> &'static str {
        match self {
            Type::Boolean => "BOOLEAN",
            Type::String => "STRING",
            Type::Int => "INT",
            Type::Short => "SHORT",
            Type::Long => "LONG",
            Type::Double => "DOUBLE",
            Type::List => "LIST",
            Type::Class => "CLASS",
            Type::Password => "PASSWORD",
        }
    }
}

/// A range bound as Java printed it (for the message) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// Java's `Number.toString()`.
    pub text: &'static str,
    /// The value; Kafka compares `doubleValue()`s.
    pub value: f64,
}

/// One check of a key's validator.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `ConfigDef.Range`.
    Range {
        /// Lower bound, inclusive.
        min: Option<Bound>,
        /// Upper bound, inclusive.
        max: Option<Bound>,
    },
    /// `ValidString` / `CaseInsensitiveValidString`.
    OneOf {
        /// The allowed values.
        values: Vec<&'static str>,
        /// Compared ignoring case.
        case_insensitive: bool,
    },
    /// `ValidList`.
    List {
        /// 3.9's ValidList: only each entry is checked against `values`.
        legacy: bool,
        /// 4.2+: an empty list is allowed.
        empty_ok: bool,
        /// Allowed entries (empty: any non-empty entry).
        values: Vec<&'static str>,
    },
    /// `NonEmptyString`.
    NonEmpty,
    /// `NonNullValidator` (a set value is never null).
    NonNull,
    /// `NonEmptyStringWithoutControlChars`.
    NonEmptyNoControl,
    /// `controller.quorum.voters`: `{id}@{host}:{port}` entries.
    Voters(HostPattern),
    /// `controller.quorum.bootstrap.servers`: `{host}:{port}` entries.
    Bootstrap(HostPattern),
    /// `MetadataVersionValidator`: one of these versions.
    MetadataVersion(Vec<&'static str>),
    /// An opaque validator, as the integer ranges it accepted when probed.
    Ranges {
        /// Inclusive ranges.
        ranges: Vec<(i64, i64)>,
        /// Kafka's message for a refused value.
        message: String,
    },
}

impl fmt::Display for Check {
    /// The valid values, the way Kafka's documentation prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Range { min, max } => match (min, max) {
                (Some(a), Some(b)) => write!(f, "[{},...,{}]", a.text, b.text),
                (Some(a), None) => write!(f, "[{},...]", a.text),
                (None, Some(b)) => write!(f, "[...,{}]", b.text),
                (None, None) => write!(f, "[...]"),
            },
            Check::OneOf {
                values,
                case_insensitive,
            } => {
                let ci = if *case_insensitive {
                    "(case insensitive) "
                } else {
                    ""
                };
                write!(f, "{ci}[{}]", values.join(", "))
            }
            Check::List {
                legacy,
                empty_ok,
                values,
            } => {
                let set = if values.is_empty() {
                    "any values".to_string()
                } else {
                    format!("[{}]", values.join(", "))
                };
                match (legacy, empty_ok) {
                    (true, _) => write!(f, "{set}"),
                    (false, true) => write!(f, "{set}, no empty entries (a repeat is dropped)"),
                    (false, false) => {
                        write!(
                            f,
                            "{set}, not empty, no empty entries (a repeat is dropped)"
                        )
                    }
                }
            }
            Check::NonEmpty => write!(f, "non-empty string"),
            Check::NonNull => write!(f, "non-null string"),
            Check::NonEmptyNoControl => {
                write!(f, "non-empty string without ISO control characters")
            }
            Check::Voters(_) => write!(f, "{{id}}@{{host}}:{{port}} entries"),
            Check::Bootstrap(_) => write!(f, "{{host}}:{{port}} entries"),
            Check::MetadataVersion(v) => write!(
                f,
                "a metadata version ({} ... {})",
                v.first().unwrap_or(&""),
                v.last().unwrap_or(&"")
            ),
            Check::Ranges { ranges, .. } => {
                let parts: Vec<String> = ranges
                    .iter()
                    .map(|(lo, hi)| match (lo == hi, *hi == i32::MAX as i64) {
                        (true, _) => lo.to_string(),
                        (false, true) => format!("[{lo},...]"),
                        (false, false) => format!("[{lo},...,{hi}]"),
                    })
                    .collect();
                write!(f, "{}", parts.join(" or "))
            }
        }
    }
}

/// The `host:port` pattern of a version's `Utils.getHost` / `getPort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostPattern {
    /// `^(?:[0-9a-zA-Z\-%._]*://)?\[?([0-9a-zA-Z\-%._:]*)]?:([0-9]+)`: an
    /// optional scheme, then host characters only (3.9.0, 4.x).
    Strict,
    /// `.*?\[?([0-9a-zA-Z\-%._:]*)\]?:([0-9]+)`: anything, then the
    /// longest run of host characters (3.9.2).
    Lax,
}

/// A value parsed the way Kafka parses it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// BOOLEAN.
    Bool(bool),
    /// INT, SHORT, LONG.
    Int(i64),
    /// DOUBLE.
    Double(f64),
    /// STRING, CLASS, PASSWORD (trimmed).
    Text(String),
    /// LIST: entries, empty ones kept.
    List(Vec<String>),
}

/// Java's `String.trim()`: strips every char up to U+0020 at both ends.
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Kafka's LIST parsing: the trimmed text split on `\s*,\s*` keeping empty
/// entries (`split(s, -1)`); an all-blank value is the empty list.
pub fn split_list(raw: &str) -> Vec<String> {
    let trimmed = java_trim(raw);
    if trimmed.is_empty() {
        return vec![];
    }
    // Java's \s: space, \t, \n, \x0B, \f, \r.
    let ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r');
    trimmed
        .split(',')
        .map(|e| e.trim_matches(ws).to_string())
        .collect()
}

/// `ConfigDef.parseType` for a value given as text. The error is Kafka's
/// message (`Invalid value X for configuration K: ...`).
pub fn parse(key: &str, ty: Type, raw: &str) -> Result<Value, String> {
    let trimmed = java_trim(raw);
    let nan = || {
        invalid(
            raw,
            key,
            &format!("Not a number of type {}", ty.kafka_name()),
        )
    };
    Ok(match ty {
        Type::Boolean => {
            if java_eq_ignore_case(trimmed, "true") {
                Value::Bool(true)
            } else if java_eq_ignore_case(trimmed, "false") {
                Value::Bool(false)
            } else {
                return Err(invalid(
                    raw,
                    key,
                    "Expected value to be either true or false",
                ));
            }
        }
        Type::String | Type::Password => Value::Text(trimmed.to_string()),
        Type::Class => {
            if trimmed.is_empty() {
                return Err(invalid(
                    raw,
                    key,
                    &format!("Class {raw} could not be found."),
                ));
            }
            Value::Text(trimmed.to_string())
        }
        Type::Int => {
            Value::Int(java_parse_int(trimmed, i32::MIN.into(), i32::MAX.into()).ok_or_else(nan)?)
        }
        Type::Short => {
            Value::Int(java_parse_int(trimmed, i16::MIN.into(), i16::MAX.into()).ok_or_else(nan)?)
        }
        Type::Long => Value::Int(java_parse_int(trimmed, i64::MIN, i64::MAX).ok_or_else(nan)?),
        Type::Double => Value::Double(java_parse_double(trimmed).ok_or_else(nan)?),
        Type::List => Value::List(split_list(raw)),
    })
}

/// Runs one check on a parsed value; the error is Kafka's message.
pub fn validate(key: &str, check: &Check, value: &Value) -> Result<(), String> {
    match (check, value) {
        (Check::Range { min, max }, Value::Int(_) | Value::Double(_)) => {
            let (n, shown) = match value {
                Value::Int(i) => (*i as f64, i.to_string()),
                Value::Double(d) => (*d, java_double_text(*d)),
                _ => unreachable!("matched above"),
            };
            if let Some(b) = min.as_ref().filter(|b| n < b.value) {
                return Err(invalid(
                    &shown,
                    key,
                    &format!("Value must be at least {}", b.text),
                ));
            }
            if let Some(b) = max.as_ref().filter(|b| n > b.value) {
                return Err(invalid(
                    &shown,
                    key,
                    &format!("Value must be no more than {}", b.text),
                ));
            }
            Ok(())
        }
        (
            Check::OneOf {
                values,
                case_insensitive,
            },
            Value::Text(s),
        ) => one_of(key, s, values, *case_insensitive),
        (
            Check::List {
                legacy,
                empty_ok,
                values,
            },
            Value::List(entries),
        ) => valid_list(key, entries, *legacy, *empty_ok, values),
        (Check::NonEmpty, Value::Text(s)) if s.is_empty() => {
            Err(invalid(s, key, "String must be non-empty"))
        }
        (Check::NonEmptyNoControl, Value::Text(s)) if s.is_empty() => {
            Err(invalid(s, key, "String may not be empty"))
        }
        (Check::NonEmptyNoControl, Value::Text(s)) if s.chars().any(char::is_control) => {
            Err(invalid(
                s,
                key,
                "String may not contain control sequences but had the following ASCII chars: ",
            ))
        }
        (Check::Voters(p), Value::List(entries)) => {
            entries.iter().try_for_each(|e| voter(key, e, *p))
        }
        (Check::Bootstrap(p), Value::List(entries)) => {
            entries.iter().try_for_each(|e| bootstrap(key, e, *p))
        }
        (Check::MetadataVersion(versions), Value::Text(s)) => {
            if versions.contains(&metadata_version_key(s).as_str()) {
                Ok(())
            } else {
                Err(invalid(
                    s,
                    key,
                    &format!("Version {s} is not a valid version"),
                ))
            }
        }
        (Check::Ranges { ranges, message }, Value::Int(n)) => {
            if ranges.iter().any(|(lo, hi)| lo <= n && n <= hi) {
                Ok(())
            } else {
                Err(invalid(&n.to_string(), key, message))
            }
        }
        _ => Ok(()),
    }
}

/// `MetadataVersion.fromVersionString`: only the first two dot-separated
/// parts count (three for `0.x`), so `3.9.0` reads as `3.9`.
fn metadata_version_key(s: &str) -> String {
    let parts = java_split(s, '.');
    let n = if s.starts_with("0.") { 3 } else { 2 };
    if n >= parts.len() {
        s.to_string()
    } else {
        parts[..n].join(".")
    }
}

fn one_of(key: &str, s: &str, values: &[&str], case_insensitive: bool) -> Result<(), String> {
    let ok = if case_insensitive {
        values.iter().any(|v| java_eq_ignore_case(v, s))
    } else {
        values.contains(&s)
    };
    match (ok, case_insensitive) {
        (true, _) => Ok(()),
        (false, false) => Err(invalid(
            s,
            key,
            &format!("String must be one of: {}", values.join(", ")),
        )),
        (false, true) => Err(invalid(
            s,
            key,
            &format!(
                "String must be one of (case insensitive): {}",
                values.join(", ")
            ),
        )),
    }
}

/// `ValidList.ensureValid`: 3.9 checks entries against the set only; 4.2+
/// (KIP-1161) refuses an empty list (unless allowed), then entry by entry an
/// empty one or one outside the set. (Its refusal of duplicates is never
/// reached through Kafka's parsing, which drops them first: `catalog::validate`.)
fn valid_list(
    key: &str,
    entries: &[String],
    legacy: bool,
    empty_ok: bool,
    values: &[&str],
) -> Result<(), String> {
    if !legacy && !empty_ok && entries.is_empty() {
        let valid = if values.is_empty() {
            "any non-empty value".to_string()
        } else {
            format!("[{}]", values.join(", "))
        };
        return Err(format!(
            "Configuration '{key}' must not be empty. Valid values include: {valid}"
        ));
    }
    entries.iter().try_for_each(|e| {
        if !legacy && e.is_empty() {
            Err(format!("Configuration '{key}' values must not be empty."))
        } else if values.is_empty() {
            Ok(())
        } else {
            one_of(key, e, values, false)
        }
    })
}

/// One `controller.quorum.voters` entry, as `QuorumConfig.parseVoterConnections`.
fn voter(key: &str, entry: &str, pattern: HostPattern) -> Result<(), String> {
    let form = "Each entry should be in the form `{id}@{host}:{port}`.";
    let parts = java_split(entry, '@');
    let [id, address] = parts[..] else {
        return Err(format!("Invalid configuration value for {key}. {form}"));
    };
    if java_parse_int(id, i32::MIN.into(), i32::MAX.into()).is_none() {
        return Err(format!("Failed to parse voter ID as an integer from {id}"));
    }
    match host_port(address, pattern) {
        HostPort::Ok => Ok(()),
        HostPort::BadHost => Err(format!(
            "Failed to parse host name from entry {entry} for the configuration {key}. {form}"
        )),
        HostPort::BadPort => Err(format!(
            "Failed to parse host port from entry {entry} for the configuration {key}. {form}"
        )),
    }
}

/// One `controller.quorum.bootstrap.servers` entry, as `QuorumConfig.parseBootstrapServer`.
fn bootstrap(key: &str, entry: &str, pattern: HostPattern) -> Result<(), String> {
    let form = "Each entry should be in the form \"{host}:{port}\"";
    match host_port(entry, pattern) {
        HostPort::Ok => Ok(()),
        HostPort::BadHost => Err(format!(
            "Failed to parse host name from {entry} for the configuration {key}. {form}"
        )),
        HostPort::BadPort => Err(format!(
            "Failed to parse host port from {entry} for the configuration {key}. {form}"
        )),
    }
}

enum HostPort {
    Ok,
    BadHost,
    BadPort,
}

/// `Utils.getHost` / `getPort` (then `validHostPattern`), their pattern
/// matched whole: the host ends at the last `:` that only digits follow;
/// the port must fit an int.
fn host_port(address: &str, pattern: HostPattern) -> HostPort {
    let host_char = |c: char| c.is_ascii_alphanumeric() || "-%._:".contains(c);
    if pattern == HostPattern::Lax {
        // Any prefix is skipped, so only the `:port` ending matters.
        return match address.rsplit_once(':') {
            Some((_, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                if port.parse::<i32>().is_ok() {
                    HostPort::Ok
                } else {
                    HostPort::BadPort
                }
            }
            _ => HostPort::BadHost,
        };
    }
    let rest = match address.split_once("://") {
        Some((scheme, rest)) if scheme.chars().all(|c| host_char(c) && c != ':') => rest,
        _ => address,
    };
    let rest = rest.strip_prefix('[').unwrap_or(rest);
    let Some((host, port)) = rest.rsplit_once(':') else {
        return HostPort::BadHost;
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return HostPort::BadHost;
    }
    let host = host.strip_suffix(']').unwrap_or(host);
    if !host.chars().all(host_char) {
        return HostPort::BadHost;
    }
    if port.parse::<i32>().is_err() {
        return HostPort::BadPort;
    }
    HostPort::Ok
}

/// Java's `String.split(sep)`: trailing empty strings are dropped.
fn java_split(s: &str, sep: char) -> Vec<&str> {
    if !s.contains(sep) {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split(sep).collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// `Integer.parseInt` / `Long.parseLong` / `Short.parseShort`: an optional
/// sign and decimal digits, in range. (Java also takes non-ASCII decimal
/// digits; kafka-init refuses them.)
fn java_parse_int(s: &str, min: i64, max: i64) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i128 = s.parse().ok()?;
    (i128::from(min)..=i128::from(max))
        .contains(&n)
        .then_some(n as i64)
}

/// `Double.parseDouble`: Java's grammar (sign, `NaN`, `Infinity`, decimal
/// with exponent, hexadecimal with binary exponent, an `f`/`d` suffix).
fn java_parse_double(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let sign = if negative { -1.0 } else { 1.0 };
    match body {
        "NaN" => return Some(f64::NAN),
        "Infinity" => return Some(sign * f64::INFINITY),
        _ => {}
    }
    let body = body.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(body);
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        return hex_double(hex).map(|v| sign * v);
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !digits(int) || !digits(frac) {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    body.parse::<f64>().ok().map(|v| sign * v)
}

/// The part after `0x` of a Java hexadecimal floating literal (`1.8p3`).
fn hex_double(s: &str) -> Option<f64> {
    let (mantissa, exponent) = s.split_once(['p', 'P'])?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.len() + frac.len() == 0 {
        return None;
    }
    let mut value = 0f64;
    for c in int.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let e = exponent.strip_prefix('+').unwrap_or(exponent);
    let e: i32 = e.parse().ok()?;
    Some(value * 2f64.powi(e))
}

/// Java's `Double.toString` for the values a message shows (close enough:
/// integral values keep a `.0`).
fn java_double_text(d: f64) -> String {
    if d.is_nan() {
        "NaN".into()
    } else if d.is_infinite() {
        if d > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if d.fract() == 0.0 && d.abs() < 1e7 {
        format!("{d:.1}")
    } else {
        d.to_string()
    }
}

/// Java's `String.equalsIgnoreCase`: char by char, equal after upper- or
/// lower-casing (so `TRUE` and `True` are `true`).
pub fn java_eq_ignore_case(a: &str, b: &str) -> bool {
    let mut x = a.chars();
    let mut y = b.chars();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(c), Some(d)) => {
                let up = |c: char| c.to_uppercase().next().unwrap_or(c);
                let low = |c: char| c.to_lowercase().next().unwrap_or(c);
                if c != d && up(c) != up(d) && low(up(c)) != low(up(d)) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Kafka's `ConfigException(name, value, message)` text.
fn invalid(value: &str, key: &str, message: &str) -> String {
    format!("Invalid value {value} for configuration {key}: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_empty_entries_and_trim_around_commas() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("  ", &[]),
            ("a", &["a"]),
            (" a , b ", &["a", "b"]),
            ("a,,b", &["a", "", "b"]),
            ("a, ,b", &["a", "", "b"]),
            ("a,", &["a", ""]),
            (",a", &["", "a"]),
        ];
        for (raw, want) in cases {
            assert_eq!(split_list(raw), *want, "{raw:?}");
        }
    }

    #[test]
    fn parses_each_type_as_kafka_does() {
        let ok: &[(Type, &str, Value)] = &[
            (Type::Boolean, " TRUE ", Value::Bool(true)),
            (Type::Boolean, "False", Value::Bool(false)),
            (Type::Int, " 08 ", Value::Int(8)),
            (Type::Int, "+5", Value::Int(5)),
            (Type::Int, "-2147483648", Value::Int(-2147483648)),
            (Type::Short, "32767", Value::Int(32767)),
            (Type::Long, "9223372036854775807", Value::Int(i64::MAX)),
            (Type::Double, "0.5f", Value::Double(0.5)),
            (Type::Double, "1e3", Value::Double(1000.0)),
            (Type::Double, "0x1p-1", Value::Double(0.5)),
            (Type::Double, ".5", Value::Double(0.5)),
            (Type::String, "  x y  ", Value::Text("x y".into())),
            (Type::Password, " s3cret ", Value::Text("s3cret".into())),
        ];
        for (ty, raw, want) in ok {
            assert_eq!(parse("k", *ty, raw).as_ref(), Ok(want), "{ty:?} {raw:?}");
        }
        let bad: &[(Type, &str, &str)] = &[
            (
                Type::Boolean,
                "yes",
                "Invalid value yes for configuration k: Expected value to be either true or false",
            ),
            (
                Type::Int,
                "x",
                "Invalid value x for configuration k: Not a number of type INT",
            ),
            (
                Type::Int,
                "2147483648",
                "Invalid value 2147483648 for configuration k: Not a number of type INT",
            ),
            (
                Type::Short,
                "32768",
                "Invalid value 32768 for configuration k: Not a number of type SHORT",
            ),
            (
                Type::Int,
                "1_000",
                "Invalid value 1_000 for configuration k: Not a number of type INT",
            ),
            (
                Type::Double,
                "inf",
                "Invalid value inf for configuration k: Not a number of type DOUBLE",
            ),
            (
                Type::Double,
                "1e",
                "Invalid value 1e for configuration k: Not a number of type DOUBLE",
            ),
            (
                Type::Int,
                "",
                "Invalid value  for configuration k: Not a number of type INT",
            ),
        ];
        for (ty, raw, want) in bad {
            assert_eq!(parse("k", *ty, raw).unwrap_err(), *want, "{ty:?} {raw:?}");
        }
    }

    #[test]
    fn voters_and_bootstrap_servers_follow_kafkas_host_port_pattern() {
        let ok = [
            "1@a:9093",
            "1@[::1]:9093",
            "-1@a.b-c:1",
            "1@:9093",
            "1@a:1@",
        ];
        for e in ok {
            assert!(
                voter("controller.quorum.voters", e, HostPattern::Strict).is_ok(),
                "{e}"
            );
        }
        let bad = [
            (
                "",
                "Invalid configuration value for controller.quorum.voters.",
            ),
            ("1@a", "Failed to parse host name from entry 1@a"),
            ("x@a:1", "Failed to parse voter ID as an integer from x"),
            ("1@a b:1", "Failed to parse host name"),
            ("1@@a:1", "Invalid configuration value"),
            ("1@a:99999999999", "Failed to parse host port from entry"),
        ];
        for (e, want) in bad {
            let got = voter("controller.quorum.voters", e, HostPattern::Strict).unwrap_err();
            assert!(got.contains(want), "{e}: {got}");
        }
        assert!(bootstrap("k", "a:1", HostPattern::Strict).is_ok());
        assert!(bootstrap("k", "PLAINTEXT://a:1", HostPattern::Strict).is_ok());
        assert!(bootstrap("k", "a", HostPattern::Strict).is_err());
        // 3.9.2's pattern skips any prefix.
        assert!(voter("k", "1@a b:1", HostPattern::Lax).is_ok());
        assert!(voter("k", "1@a", HostPattern::Lax).is_err());
    }

    #[test]
    fn metadata_versions_count_only_their_first_parts() {
        assert_eq!(metadata_version_key("3.9.0"), "3.9");
        assert_eq!(metadata_version_key("3.9-IV0"), "3.9-IV0");
        assert_eq!(metadata_version_key("0.10.0.1"), "0.10.0");
        assert_eq!(metadata_version_key("3.9."), "3.9.");
    }

    #[test]
    fn java_equals_ignore_case_matches_kafkas_booleans() {
        assert!(java_eq_ignore_case("TrUe", "true"));
        assert!(!java_eq_ignore_case("tru", "true"));
    }
}
