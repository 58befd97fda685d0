//! Listener strings (`NAME://host:port,...`) and the security protocol map
//! (`NAME:PROTOCOL,...`), parsed and formatted the way Kafka reads them.

use std::fmt;

/// Kafka's four security protocols (`SecurityProtocol`).
pub const PROTOCOLS: [&str; 4] = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

/// One listener endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// Name, upper-cased as Kafka normalises it (`ListenerName.normalised`).
    pub name: String,
    /// Host without brackets; empty means "all interfaces" (Kafka's null host).
    pub host: String,
    /// Port.
    pub port: u16,
}

impl fmt::Display for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "{}://[{}]:{}", self.name, self.host, self.port)
        } else {
            write!(f, "{}://{}:{}", self.name, self.host, self.port)
        }
    }
}

/// Splits a CSV value as Kafka's `Csv.parseCsvList` does: trimmed, empty entries dropped.
pub fn split_csv(value: &str) -> Vec<&str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// True for a listener name kafka-init accepts: ASCII letters, digits, `_`,
/// `-` and `.`. Kafka's own rule is looser: its listener pattern
/// `^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)` (SocketServerConfigs
/// LISTENER_REGEX, 3.9 and 4.x) takes any name, and `ListenerName` refuses
/// only a blank one ("The provided listener name is null or empty string").
/// But a name is also part of config keys (`listener.name.<name>.…`), of the
/// CSV protocol map (`NAME:PROTOCOL,…`) and of environment variable names,
/// where `,`, `:`, `=`, spaces or line breaks would change what Kafka reads.
pub fn is_listener_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The reason a listener name is refused, for messages.
pub const LISTENER_NAME_RULE: &str =
    "a listener name may only hold letters, digits, '_', '-' and '.'";

fn host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '%' | '.' | '_' | ':')
}

/// Parses one entry. Kafka's pattern is `^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)`
/// (SocketServerConfigs.LISTENER_REGEX); kafka-init is stricter where Kafka
/// would only fail later at bind time or silently misread: the port must be
/// 1-65535, an IPv6 host must be in balanced brackets.
pub fn parse_entry(entry: &str) -> Result<Listener, String> {
    let unable = |why: &str| format!("Unable to parse {entry} to a broker endpoint ({why})");
    let (name, rest) = entry
        .rsplit_once("://")
        .ok_or_else(|| unable("expected NAME://host:port"))?;
    if name.trim().is_empty() {
        return Err(unable("The provided listener name is null or empty string"));
    }
    if !is_listener_name(name) {
        return Err(unable(LISTENER_NAME_RULE));
    }
    let (host_part, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| unable("no ':' before the port"))?;
    let port_ok = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    if !port_ok {
        return Err(unable("the port must be a decimal number"));
    }
    let port: u32 = port.parse().map_err(|_| unable("the port is too large"))?;
    if port == 0 || port > 65535 {
        return Err(unable("the port must be between 1 and 65535"));
    }
    let bracketed = host_part.starts_with('[');
    if bracketed != host_part.ends_with(']') {
        return Err(unable("unbalanced brackets around the host"));
    }
    let host = if bracketed {
        &host_part[1..host_part.len() - 1]
    } else {
        host_part
    };
    if !host.chars().all(host_char) {
        return Err(unable("the host may only hold letters, digits and -%._:"));
    }
    if host.contains(':') && !bracketed {
        return Err(unable("write an IPv6 host in brackets, e.g. [::1]:9092"));
    }
    if bracketed && !host.contains(':') {
        return Err(unable("brackets are for IPv6 hosts only"));
    }
    Ok(Listener {
        name: name.to_uppercase(),
        host: host.to_string(),
        port: port as u16,
    })
}

/// Parses a listener list; the error names the first few bad entries and
/// how many more there are (a message bounded whatever the list's length).
pub fn parse_list(value: &str) -> Result<Vec<Listener>, String> {
    let mut out = vec![];
    let mut errors = vec![];
    let mut bad = 0;
    for entry in split_csv(value) {
        match parse_entry(entry) {
            Ok(l) => out.push(l),
            Err(e) => {
                bad += 1;
                if errors.len() < FEW {
                    errors.push(e);
                }
            }
        }
    }
    match bad {
        0 => Ok(out),
        n if n > FEW => Err(format!(
            "{}; and {} more bad entries",
            errors.join("; "),
            n - FEW
        )),
        _ => Err(errors.join("; ")),
    }
}

/// How many items of a list a message names before it says how many more.
pub const FEW: usize = 5;

/// Names the first [`FEW`] of `items` and how many more: `A, B, C, D, E and
/// 9995 more`.
pub fn few(items: &[&str]) -> String {
    match items.len() {
        n if n > FEW => format!("{} and {} more", items[..FEW].join(", "), n - FEW),
        _ => items.join(", "),
    }
}

/// Formats a listener list.
pub fn format_list(listeners: &[Listener]) -> String {
    listeners
        .iter()
        .map(Listener::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A parsed `listener.security.protocol.map`, in the user's order.
pub type ProtocolMap = Vec<(String, String)>;

/// Parses `NAME:PROTO,...`: each entry split at its last ':' (`Csv.parseCsvMap`),
/// names upper-cased, protocols checked case-insensitively (`SecurityProtocol.forName`).
pub fn parse_map(value: &str) -> Result<ProtocolMap, String> {
    let mut out = vec![];
    let mut errors = vec![];
    for entry in split_csv(value) {
        match entry.rsplit_once(':') {
            None => errors.push(format!(
                "entry '{entry}' has no ':' (expected NAME:PROTOCOL)"
            )),
            Some((name, proto)) => {
                let proto = proto.trim().to_uppercase();
                if !PROTOCOLS.contains(&proto.as_str()) {
                    errors.push(format!(
                        "Invalid security protocol `{}` defined in listener.security.protocol.map",
                        proto
                    ));
                } else if name.trim().is_empty() {
                    errors.push(format!("entry '{entry}' has an empty listener name"));
                } else if !is_listener_name(name.trim()) {
                    errors.push(format!("entry '{entry}': {LISTENER_NAME_RULE}"));
                } else {
                    out.push((name.trim().to_uppercase(), proto));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("; "))
    }
}

/// Formats a protocol map.
pub fn format_map(map: &ProtocolMap) -> String {
    map.iter()
        .map(|(n, p)| format!("{n}:{p}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The protocol a listener name determines on its own: a protocol name, or a
/// name in which exactly one protocol appears as `_`-separated parts (longest
/// match first, so `SASL_SSL_EXTERNAL` is SASL_SSL, not SSL).
pub fn protocol_from_name(name: &str) -> Option<&'static str> {
    let parts: Vec<&str> = name.split('_').collect();
    let mut found: Vec<&'static str> = vec![];
    let mut i = 0;
    while i < parts.len() {
        let two = parts.get(i..i + 2).map(|p| p.join("_"));
        if let Some(p) = two.and_then(|t| PROTOCOLS.iter().find(|p| **p == t && p.contains('_'))) {
            found.push(p);
            i += 2;
        } else if let Some(p) = PROTOCOLS.iter().find(|p| **p == parts[i]) {
            found.push(p);
            i += 1;
        } else {
            i += 1;
        }
    }
    found.dedup();
    match found.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// True when `host` is an IPv4 literal.
pub fn is_ipv4(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// True when `host` is an IPv6 literal (a zone suffix allowed).
pub fn is_ipv6(host: &str) -> bool {
    host.split('%')
        .next()
        .is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_listeners() {
        type Want = Result<(&'static str, &'static str, u16), &'static str>;
        let cases: &[(&str, Want)] = &[
            ("PLAINTEXT://:9092", Ok(("PLAINTEXT", "", 9092))),
            (
                "plaintext_internal://:39092",
                Ok(("PLAINTEXT_INTERNAL", "", 39092)),
            ),
            (
                "SSL://kafka-0.kafka:9093",
                Ok(("SSL", "kafka-0.kafka", 9093)),
            ),
            ("SSL://[::1]:9093", Ok(("SSL", "::1", 9093))),
            (
                "EXTERNAL://10.0.0.1:31090",
                Ok(("EXTERNAL", "10.0.0.1", 31090)),
            ),
            ("A://host_x:1", Ok(("A", "host_x", 1))),
            ("PLAINTEXT://::1:9092", Err("IPv6")),
            ("PLAINTEXT://[::1:9092", Err("unbalanced")),
            ("PLAINTEXT://[kafka]:9092", Err("IPv6 hosts only")),
            ("PLAINTEXT://kafka", Err("no ':'")),
            ("PLAINTEXT://kafka:", Err("decimal")),
            ("PLAINTEXT://kafka:-1", Err("decimal")),
            ("PLAINTEXT://kafka:0", Err("between 1 and 65535")),
            ("PLAINTEXT://kafka:65536", Err("between 1 and 65535")),
            ("PLAINTEXT://kafka:99999999999", Err("too large")),
            ("PLAINTEXT://kaf ka:9092", Err("letters, digits")),
            ("://:9092", Err("null or empty")),
            ("A-B.C_D://:9092", Ok(("A-B.C_D", "", 9092))),
            ("A B://:9092", Err("may only hold")),
            ("A=B://:9092", Err("may only hold")),
            ("A:B://:9092", Err("may only hold")),
            ("A\nB://:9092", Err("may only hold")),
            ("A\u{c}B://:9092", Err("may only hold")),
            ("PLAINTEXT:9092", Err("NAME://")),
        ];
        for (input, want) in cases {
            let got = parse_entry(input);
            match (want, &got) {
                (Ok((n, h, p)), Ok(l)) => {
                    assert_eq!(
                        (l.name.as_str(), l.host.as_str(), l.port),
                        (*n, *h, *p),
                        "{input}"
                    );
                    assert_eq!(
                        parse_entry(&l.to_string()).as_ref(),
                        Ok(l),
                        "round trip {input}"
                    );
                }
                (Err(frag), Err(e)) => assert!(e.contains(frag), "{input}: {e}"),
                _ => panic!("{input}: got {got:?}"),
            }
        }
    }

    #[test]
    fn splits_lists_like_kafka() {
        let l = parse_list(" A://:1 , ,B://h:2,").unwrap();
        assert_eq!(format_list(&l), "A://:1,B://h:2");
        let e = parse_list("A://:1,B://h,C://:x").unwrap_err();
        assert!(e.contains("B://h") && e.contains("C://:x"), "{e}");
    }

    #[test]
    fn parses_protocol_maps() {
        assert_eq!(
            parse_map("internal:plaintext, EXTERNAL:SASL_SSL").unwrap(),
            vec![
                ("INTERNAL".into(), "PLAINTEXT".into()),
                ("EXTERNAL".into(), "SASL_SSL".into())
            ]
        );
        assert!(parse_map("INTERNAL").unwrap_err().contains("no ':'"));
        assert!(parse_map("A B:SSL").unwrap_err().contains("may only hold"));
        assert!(parse_map("A\nB:SSL").unwrap_err().contains("may only hold"));
        assert!(parse_map("INTERNAL:TLS")
            .unwrap_err()
            .contains("Invalid security protocol `TLS`"));
        assert_eq!(
            format_map(&parse_map("A:SSL,B:PLAINTEXT").unwrap()),
            "A:SSL,B:PLAINTEXT"
        );
    }

    #[test]
    fn infers_protocol_from_name() {
        let cases = [
            ("PLAINTEXT", Some("PLAINTEXT")),
            ("SASL_SSL", Some("SASL_SSL")),
            ("PLAINTEXT_INTERNAL", Some("PLAINTEXT")),
            ("INTERNAL_PLAINTEXT", Some("PLAINTEXT")),
            ("SASL_SSL_EXTERNAL", Some("SASL_SSL")),
            ("SSL_REPLICATION", Some("SSL")),
            ("SASL_PLAINTEXT_CLIENT", Some("SASL_PLAINTEXT")),
            ("PLAINTEXT_A_PLAINTEXT", Some("PLAINTEXT")),
            ("INTERNAL", None),
            ("CONTROLLER", None),
            ("SSL_PLAINTEXT", None),
            ("PLAINTEXTX", None),
            ("SASL", None),
        ];
        for (name, want) in cases {
            assert_eq!(protocol_from_name(name), want, "{name}");
        }
    }
}
