//! The command line: subcommands and their flags, each defined once here with
//! its help text. Parsing is pure; a bad command line is exit 64.

use std::path::PathBuf;
use std::time::Duration;

/// `--help` text.
pub const HELP: &str = "\
kafka-init: derive a Kafka broker's identity and listeners from its StatefulSet pod,
validate them with Kafka's own rules, and start Kafka.

USAGE:
  kafka-init plan [--pod NAME] [--format env|properties|json] [--flavor F]
      Print what `exec` would set (derive + validate only).
  kafka-init exec [--flavor F] [-- CMD ARGS...]
      The Kafka container's command: derive, validate, exec CMD with the derived settings.
  kafka-init prepare [--flavor F] [--install-to DIR]
      The initContainer's command (root, CAP_CHOWN/FOWNER/DAC_OVERRIDE): own the data dirs,
      check meta.properties against this pod's id, optionally copy this binary into DIR.
  kafka-init probe [--ready] [--timeout DUR]
      Liveness (ApiVersions) or readiness (registered and in every ISR) over the Kafka protocol.
  kafka-init audit [--bootstrap HOST:PORT] [--format text|json] [--timeout DUR]
      Cluster findings over the Kafka protocol: topics whose replication factor is below
      min.insync.replicas or the default, under-replicated and offline partitions, brokers
      missing or advertising another host. Exit 0 clean, 1 findings.
  kafka-init explain [--kafka-version V] [KEY]
      What the Kafka config catalog knows about KEY for the selected Kafka version
      (KAFKA_INIT_KAFKA_VERSION, the image's APP_VERSION, else the default); no KEY: all keys.
  kafka-init migration status [--zookeeper HOST:PORT[/chroot]] [--controllers HOST:PORT,...]
                              [--format text|json] [--timeout DUR]
      The ZooKeeper-to-KRaft migration phase (zookeeper, controllers, dual-write, kraft-brokers,
      finalized) and its evidence, read from ZooKeeper and the controllers. Exit 0 told, 1 not.
  kafka-init version | --help

FLAVORS: bitnami (default), apache, properties, confluent (also KAFKA_INIT_FLAVOR).
EXIT CODES: 0 ok, 1 failure, 64 usage, 78 configuration problem; after exec, Kafka's own.
Configuration is read from the environment: see the README's configuration reference.
";

/// Output formats of `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `KEY=VALUE` lines in the flavor's naming.
    Env,
    /// Kafka `server.properties`.
    Properties,
    /// One JSON object.
    Json,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `plan`.
    Plan {
        pod: Option<String>,
        format: Format,
        flavor: Option<String>,
    },
    /// `exec`.
    Exec {
        flavor: Option<String>,
        command: Vec<String>,
    },
    /// `prepare`.
    Prepare {
        flavor: Option<String>,
        install_to: Option<PathBuf>,
    },
    /// `probe`.
    Probe { ready: bool, timeout: Duration },
    /// `audit`.
    Audit {
        /// `--bootstrap HOST:PORT` instead of this pod's own broker.
        bootstrap: Option<(String, u16)>,
        /// `--format json` instead of text.
        json: bool,
        /// One deadline for the whole audit (default 10s).
        timeout: Duration,
    },
    /// `explain`.
    Explain {
        key: Option<String>,
        kafka_version: Option<String>,
    },
    /// `migration status`.
    MigrationStatus {
        /// `--zookeeper`: instead of this pod's `zookeeper.connect`.
        zookeeper: Option<String>,
        /// `--controllers`: instead of this pod's controller quorum.
        controllers: Option<Vec<(String, u16)>>,
        /// `--format json` instead of text.
        json: bool,
        /// One deadline for everything (default 10s).
        timeout: Duration,
    },
    /// `--help`.
    Help,
    /// `version`.
    Version,
}

/// Parses a duration such as `2s`, `500ms` or `1.5s`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let (num, unit) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v > 0.0 && v * unit <= 3600.0).then(|| Duration::from_secs_f64(v * unit))
}

/// Parses `HOST:PORT` (`[v6]:PORT` for IPv6 addresses).
pub fn parse_host_port(s: &str) -> Option<(String, u16)> {
    let (host, port) = s.rsplit_once(':')?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port: u16 = port.parse().ok().filter(|&p| p > 0)?;
    (!host.is_empty() && !host.contains(['/', ' '])).then(|| (host.to_string(), port))
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let Some((sub, rest)) = args.split_first() else {
        return Err("a subcommand is required".into());
    };
    if sub == "migration" {
        return parse_migration(rest);
    }
    let mut pod = None;
    let mut format = Format::Env;
    let mut flavor = None;
    let mut install_to = None;
    let mut ready = false;
    let mut timeout = None;
    let mut bootstrap = None;
    let mut json = false;
    let mut command = vec![];
    let mut key = None;
    let mut kafka_version = None;
    let mut i = 0;
    while i < rest.len() {
        let arg = rest[i].as_str();
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = || -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            rest.get(i)
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match (sub.as_str(), flag) {
            ("exec", "--") => {
                command = rest[i + 1..].to_vec();
                break;
            }
            ("plan", "--pod") => pod = Some(value()?),
            ("plan", "--format") => {
                format = match value()?.as_str() {
                    "env" => Format::Env,
                    "properties" => Format::Properties,
                    "json" => Format::Json,
                    other => {
                        return Err(format!(
                            "--format {other}: expected env, properties or json"
                        ))
                    }
                }
            }
            ("plan" | "exec" | "prepare", "--flavor") => flavor = Some(value()?),
            ("prepare", "--install-to") => install_to = Some(PathBuf::from(value()?)),
            ("probe", "--ready") => ready = true,
            ("probe" | "audit", "--timeout") => {
                let v = value()?;
                timeout = Some(parse_duration(&v).ok_or_else(|| {
                    format!("--timeout {v}: expected a duration such as 2s or 500ms")
                })?);
            }
            ("audit", "--bootstrap") => {
                let v = value()?;
                bootstrap = Some(parse_host_port(&v).ok_or_else(|| {
                    format!("--bootstrap {v}: expected HOST:PORT, e.g. kafka-0.kafka:39092")
                })?);
            }
            ("audit", "--format") => {
                json = match value()?.as_str() {
                    "text" => false,
                    "json" => true,
                    other => return Err(format!("--format {other}: expected text or json")),
                }
            }
            ("explain", "--kafka-version") => kafka_version = Some(value()?),
            (_, "--help" | "-h") => return Ok(Command::Help),
            ("explain", k) if key.is_none() && !k.starts_with('-') => key = Some(k.to_string()),
            _ => return Err(format!("unknown argument for {sub}: {arg}")),
        }
        i += 1;
    }
    Ok(match sub.as_str() {
        "plan" => Command::Plan {
            pod,
            format,
            flavor,
        },
        "exec" => Command::Exec { flavor, command },
        "prepare" => Command::Prepare { flavor, install_to },
        "probe" => Command::Probe {
            ready,
            timeout: timeout.unwrap_or(Duration::from_secs(2)),
        },
        "audit" => Command::Audit {
            bootstrap,
            json,
            timeout: timeout.unwrap_or(Duration::from_secs(10)),
        },
        "explain" => Command::Explain { key, kafka_version },
        "version" | "--version" | "-V" => Command::Version,
        "help" | "--help" | "-h" => Command::Help,
        other => return Err(format!("unknown subcommand {other}")),
    })
}

/// Parses `migration status [flags]`.
fn parse_migration(rest: &[String]) -> Result<Command, String> {
    match rest.first().map(String::as_str) {
        Some("status") => {}
        Some("--help" | "-h") => return Ok(Command::Help),
        Some(other) => {
            return Err(format!(
                "unknown migration command {other} (expected status)"
            ))
        }
        None => return Err("migration needs a command: status".into()),
    }
    let (mut zookeeper, mut controllers, mut json, mut timeout) = (None, None, false, None);
    let mut i = 1;
    while i < rest.len() {
        let arg = rest[i].as_str();
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = || -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            rest.get(i)
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag {
            "--zookeeper" => zookeeper = Some(value()?),
            "--controllers" => {
                let v = value()?;
                let list: Option<Vec<(String, u16)>> =
                    v.split(',').map(|h| parse_host_port(h.trim())).collect();
                controllers = Some(list.filter(|l| !l.is_empty()).ok_or_else(|| {
                    format!("--controllers {v}: expected HOST:PORT[,HOST:PORT...]")
                })?);
            }
            "--format" => {
                json = match value()?.as_str() {
                    "text" => false,
                    "json" => true,
                    other => return Err(format!("--format {other}: expected text or json")),
                }
            }
            "--timeout" => {
                let v = value()?;
                timeout = Some(parse_duration(&v).ok_or_else(|| {
                    format!("--timeout {v}: expected a duration such as 2s or 500ms")
                })?);
            }
            "--help" | "-h" => return Ok(Command::Help),
            _ => return Err(format!("unknown argument for migration status: {arg}")),
        }
        i += 1;
    }
    Ok(Command::MigrationStatus {
        zookeeper,
        controllers,
        json,
        timeout: timeout.unwrap_or(Duration::from_secs(10)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn parses_command_lines() {
        assert_eq!(
            p(&["plan", "--pod", "kafka-1", "--format=json"]),
            Ok(Command::Plan {
                pod: Some("kafka-1".into()),
                format: Format::Json,
                flavor: None
            })
        );
        assert_eq!(
            p(&["exec", "--flavor", "properties", "--", "java", "--x"]),
            Ok(Command::Exec {
                flavor: Some("properties".into()),
                command: vec!["java".into(), "--x".into()]
            })
        );
        assert_eq!(
            p(&["exec"]),
            Ok(Command::Exec {
                flavor: None,
                command: vec![]
            })
        );
        assert_eq!(
            p(&["probe", "--ready", "--timeout", "500ms"]),
            Ok(Command::Probe {
                ready: true,
                timeout: Duration::from_millis(500)
            })
        );
        assert_eq!(
            p(&["prepare", "--install-to", "/kafka-init"]),
            Ok(Command::Prepare {
                flavor: None,
                install_to: Some("/kafka-init".into())
            })
        );
        assert_eq!(
            p(&["audit", "--bootstrap", "[::1]:9092", "--format", "json"]),
            Ok(Command::Audit {
                bootstrap: Some(("::1".into(), 9092)),
                json: true,
                timeout: Duration::from_secs(10)
            })
        );
        assert_eq!(
            p(&["explain", "--kafka-version", "3.9.0", "log.dirs"]),
            Ok(Command::Explain {
                key: Some("log.dirs".into()),
                kafka_version: Some("3.9.0".into())
            })
        );
        assert_eq!(
            p(&["explain"]),
            Ok(Command::Explain {
                key: None,
                kafka_version: None
            })
        );
        for bad in [
            &["audit", "--bootstrap", "kafka-0"][..],
            &["audit", "--bootstrap", ":9092"],
            &["audit", "--bootstrap", "h:0"],
            &["audit", "--format", "yaml"],
            &["audit", "--ready"],
            &["explain", "a", "b"],
            &["plan", "--format", "yaml"],
            &["probe", "--timeout", "soon"],
            &["frobnicate"],
            &["plan", "--pod"],
            &["probe", "--install-to", "x"],
            &[],
        ] {
            assert!(p(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parses_migration_status() {
        assert_eq!(
            p(&[
                "migration",
                "status",
                "--zookeeper",
                "zk:2181/kafka",
                "--controllers=c-0:9093,c-1:9093",
                "--format",
                "json"
            ]),
            Ok(Command::MigrationStatus {
                zookeeper: Some("zk:2181/kafka".into()),
                controllers: Some(vec![("c-0".into(), 9093), ("c-1".into(), 9093)]),
                json: true,
                timeout: Duration::from_secs(10)
            })
        );
        for bad in [
            &["migration"][..],
            &["migration", "start"],
            &["migration", "status", "--controllers", "c-0"],
            &["migration", "status", "--format", "yaml"],
            &["migration", "status", "--ready"],
        ] {
            assert!(p(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("2s"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("-1s"), None);
    }
}
