//! KRaft specifics: the cluster id (Kafka's `Uuid`, base64url without
//! padding) and the static controller quorum (`controller.quorum.voters`).

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes 16 bytes the way `Uuid.toString` does (base64url, no padding, 22 chars).
pub fn encode_uuid(bytes: &[u8; 16]) -> String {
    let mut out = String::with_capacity(22);
    let mut bits: u32 = 0;
    let mut n = 0;
    for &b in bytes {
        bits = (bits << 8) | u32::from(b);
        n += 8;
        while n >= 6 {
            n -= 6;
            out.push(B64URL[((bits >> n) & 63) as usize] as char);
        }
    }
    out.push(B64URL[((bits << (6 - n)) & 63) as usize] as char);
    out
}

/// A fresh cluster id from random bytes. Like `Uuid.randomUuid`, it avoids
/// ids that start with '-' (they read as command-line flags) and the zero id.
pub fn cluster_id_from(random: &[u8; 16]) -> String {
    let mut b = *random;
    // The first character encodes the top 6 bits; clearing the top bit keeps it in A-Z, a-f.
    b[0] &= 0x7f;
    if b == [0; 16] {
        b[15] = 1;
    }
    encode_uuid(&b)
}

/// Checks a cluster id as `Uuid.fromString` would accept it (22 base64url
/// characters, 16 bytes) and as `kafka-storage format` would (not the zero id).
pub fn check_cluster_id(id: &str) -> Result<(), String> {
    if id.len() != 22 || !id.bytes().all(|b| B64URL.contains(&b)) {
        return Err(format!(
            "a cluster id is 22 base64url characters (16 bytes, as printed by kafka-storage.sh random-uuid); got {} characters",
            id.len()
        ));
    }
    if id.bytes().all(|b| b == b'A') {
        return Err("the all-zero id is reserved by Kafka".into());
    }
    Ok(())
}

/// One `controller.quorum.voters` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voter {
    /// The controller's node id.
    pub id: i64,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
}

/// Parses `{id}@{host}:{port},...` (QuorumConfig.parseVoterConnections).
pub fn parse_voters(value: &str) -> Result<Vec<Voter>, String> {
    let mut out = vec![];
    for entry in crate::listener::split_csv(value) {
        let form = "Each entry should be in the form `{id}@{host}:{port}`.";
        let parts: Vec<&str> = entry.split('@').collect();
        let [id, addr] = parts.as_slice() else {
            return Err(format!(
                "Invalid configuration value for controller.quorum.voters. {form}"
            ));
        };
        let id: i64 = id
            .parse()
            .map_err(|_| format!("Failed to parse voter ID as an integer from {id}"))?;
        let (host, port) = addr
            .rsplit_once(':')
            .ok_or_else(|| format!("Failed to parse host name from entry {entry} for the configuration controller.quorum.voters. {form}"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("Failed to parse host port from entry {entry}. {form}"))?;
        if host.is_empty() || host == "0.0.0.0" {
            return Err(format!(
                "Host string ({host}) is not routeable (entry {entry})"
            ));
        }
        out.push(Voter {
            id,
            host: host.to_string(),
            port,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_kafka_uuid() {
        // Uuid(0x0123456789abcdef, 0x0123456789abcdef).toString() in Kafka.
        let b = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
            0xcd, 0xef,
        ];
        assert_eq!(encode_uuid(&b), "ASNFZ4mrze8BI0VniavN7w");
        for seed in 0..=255u8 {
            let id = cluster_id_from(&[seed; 16]);
            assert_eq!(check_cluster_id(&id), Ok(()), "{id}");
            assert!(!id.starts_with('-') && !id.starts_with('_'), "{id}");
        }
    }

    #[test]
    fn checks_cluster_ids() {
        assert!(check_cluster_id("MkU3OEVBNTcwNTJENDM2Qk").is_ok());
        assert!(check_cluster_id("short").is_err());
        assert!(check_cluster_id("MkU3OEVBNTcwNTJENDM2Q+").is_err());
        assert!(check_cluster_id("AAAAAAAAAAAAAAAAAAAAAA").is_err());
    }

    #[test]
    fn parses_voters() {
        let v = parse_voters("0@kafka-0.kafka:9093, 1@[::1]:9093").unwrap();
        assert_eq!(
            v[1],
            Voter {
                id: 1,
                host: "::1".into(),
                port: 9093
            }
        );
        for bad in [
            "0kafka:9093",
            "x@kafka:9093",
            "0@kafka",
            "0@kafka:0",
            "0@0.0.0.0:9093",
            "0@a@b:1",
        ] {
            assert!(parse_voters(bad).is_err(), "{bad}");
        }
    }
}
