//! The command line: subcommands and their flags, each defined once here with
//! its help text. Parsing is pure; a bad command line is exit 64.

use std::path::PathBuf;
use std::time::Duration;

/// `--help` text.
pub const HELP: &str = "\
kafka-init: derive a Kafka broker's identity and listeners from its StatefulSet pod,
validate them with Kafka's own rules, and start Kafka.

USAGE:
  kafka-init plan [--pod NAME] [--format env|properties|json] [--flavor F] [--offline]
      Print what `exec` would set (derive + validate only). --offline: without observing
      the cluster (ZooKeeper, the controllers, the volume), so its guard rails are not checked.
  kafka-init exec [--flavor F] [-- CMD ARGS...]
      The Kafka container's command: derive, validate, exec CMD with the derived settings.
  kafka-init prepare [--flavor F] [--install-to DIR | --check]
      The initContainer's command (root, CAP_CHOWN/FOWNER/DAC_OVERRIDE): own the data dirs,
      check meta.properties against this pod's id, optionally copy this binary into DIR.
      --check: change nothing; report each dir's owner, what prepare would change and
      whether root may chown there (NFS root_squash), with the fix. Exit 0 can, 1 cannot.
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
      The ZooKeeper-to-KRaft migration phase (zookeeper, controllers, migration-mode, kraft-brokers,
      finalized) and its evidence, read from ZooKeeper and the controllers. Exit 0 told, 1 not.
  kafka-init version | --help

FLAVORS: bitnami (default), apache, properties, confluent (also KAFKA_INIT_FLAVOR).
EXIT CODES: 0 ok, 1 failure, 64 usage, 78 configuration problem; after exec, Kafka's own.
Configuration is read from the environment: see docs/reference/configuration.md.
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
        /// Derive without observing the cluster (a laptop, CI).
        offline: bool,
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
        /// `--check`: report what prepare would do and whether it can; change nothing.
        check: bool,
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

/// Every flag of every subcommand, as parsed; each subcommand takes its own.
#[derive(Default)]
struct Opts {
    pod: Option<String>,
    format: Option<String>,
    flavor: Option<String>,
    install_to: Option<PathBuf>,
    ready: bool,
    check: bool,
    offline: bool,
    timeout: Option<Duration>,
    bootstrap: Option<(String, u16)>,
    command: Vec<String>,
    key: Option<String>,
    kafka_version: Option<String>,
    zookeeper: Option<String>,
    controllers: Option<Vec<(String, u16)>>,
}

/// What one argument did to the walk over the arguments.
enum Step {
    Next,
    Help,
    /// `exec --`: the rest is the command.
    Rest,
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let Some((sub, mut rest)) = args.split_first() else {
        return Err("a subcommand is required".into());
    };
    let mut sub = sub.as_str();
    if sub == "migration" {
        match rest.first().map(String::as_str) {
            Some("status") => (sub, rest) = ("migration status", &rest[1..]),
            Some("--help" | "-h") => return Ok(Command::Help),
            Some(other) => {
                return Err(format!(
                    "unknown migration command {other} (expected status)"
                ))
            }
            None => return Err("migration needs a command: status".into()),
        }
    }
    let mut o = Opts::default();
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
        match one(sub, flag, &mut value, &mut o)? {
            Step::Next => {}
            Step::Help => return Ok(Command::Help),
            Step::Rest => {
                o.command = rest[i + 1..].to_vec();
                break;
            }
        }
        i += 1;
    }
    command(sub, o)
}

/// Takes one argument `flag` of subcommand `sub` into `o`; `value` reads the flag's value.
fn one(
    sub: &str,
    flag: &str,
    value: &mut dyn FnMut() -> Result<String, String>,
    o: &mut Opts,
) -> Result<Step, String> {
    match (sub, flag) {
        ("exec", "--") => return Ok(Step::Rest),
        (_, "--help" | "-h") => return Ok(Step::Help),
        ("plan", "--pod") => o.pod = Some(value()?),
        ("plan" | "audit" | "migration status", "--format") => o.format = Some(value()?),
        ("plan" | "exec" | "prepare", "--flavor") => o.flavor = Some(value()?),
        ("prepare", "--install-to") => o.install_to = Some(PathBuf::from(value()?)),
        ("prepare", "--check") => o.check = true,
        ("plan", "--offline") => o.offline = true,
        ("probe", "--ready") => o.ready = true,
        ("probe" | "audit" | "migration status", "--timeout") => {
            let v = value()?;
            o.timeout = Some(parse_duration(&v).ok_or_else(|| {
                format!("--timeout {v}: expected a duration such as 2s or 500ms")
            })?);
        }
        ("audit", "--bootstrap") => {
            let v = value()?;
            o.bootstrap = Some(parse_host_port(&v).ok_or_else(|| {
                format!("--bootstrap {v}: expected HOST:PORT, e.g. kafka-0.kafka:39092")
            })?);
        }
        ("explain", "--kafka-version") => o.kafka_version = Some(value()?),
        ("explain", k) if o.key.is_none() && !k.starts_with('-') => o.key = Some(k.to_string()),
        ("migration status", "--zookeeper") => o.zookeeper = Some(value()?),
        ("migration status", "--controllers") => {
            let v = value()?;
            let list: Option<Vec<(String, u16)>> =
                v.split(',').map(|h| parse_host_port(h.trim())).collect();
            o.controllers =
                Some(list.filter(|l| !l.is_empty()).ok_or_else(|| {
                    format!("--controllers {v}: expected HOST:PORT[,HOST:PORT...]")
                })?);
        }
        _ => return Err(format!("unknown argument for {sub}: {flag}")),
    }
    Ok(Step::Next)
}

/// `--format` of `plan` (env, properties, json).
fn plan_format(v: Option<&str>) -> Result<Format, String> {
    match v {
        None | Some("env") => Ok(Format::Env),
        Some("properties") => Ok(Format::Properties),
        Some("json") => Ok(Format::Json),
        Some(other) => Err(format!(
            "--format {other}: expected env, properties or json"
        )),
    }
}

/// `--format` of `audit` and `migration status` (text, json): true for json.
fn json_format(v: Option<&str>) -> Result<bool, String> {
    match v {
        None | Some("text") => Ok(false),
        Some("json") => Ok(true),
        Some(other) => Err(format!("--format {other}: expected text or json")),
    }
}

/// The command `sub` with its flags `o`.
fn command(sub: &str, o: Opts) -> Result<Command, String> {
    let timeout = |default| o.timeout.unwrap_or(Duration::from_secs(default));
    Ok(match sub {
        "plan" => Command::Plan {
            pod: o.pod,
            format: plan_format(o.format.as_deref())?,
            flavor: o.flavor,
            offline: o.offline,
        },
        "exec" => Command::Exec {
            flavor: o.flavor,
            command: o.command,
        },
        "prepare" => {
            if o.check && o.install_to.is_some() {
                return Err("prepare --check changes nothing; it takes no --install-to".into());
            }
            Command::Prepare {
                flavor: o.flavor,
                install_to: o.install_to,
                check: o.check,
            }
        }
        "probe" => Command::Probe {
            ready: o.ready,
            timeout: timeout(2),
        },
        "audit" => Command::Audit {
            bootstrap: o.bootstrap,
            json: json_format(o.format.as_deref())?,
            timeout: timeout(10),
        },
        "explain" => Command::Explain {
            key: o.key,
            kafka_version: o.kafka_version,
        },
        "migration status" => Command::MigrationStatus {
            zookeeper: o.zookeeper,
            controllers: o.controllers,
            json: json_format(o.format.as_deref())?,
            timeout: timeout(10),
        },
        "version" | "--version" | "-V" => Command::Version,
        "help" | "--help" | "-h" => Command::Help,
        other => return Err(format!("unknown subcommand {other}")),
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
                flavor: None,
                offline: false
            })
        );
        assert_eq!(
            p(&["plan", "--offline"]),
            Ok(Command::Plan {
                pod: None,
                format: Format::Env,
                flavor: None,
                offline: true
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
                install_to: Some("/kafka-init".into()),
                check: false
            })
        );
        assert_eq!(
            p(&["prepare", "--check"]),
            Ok(Command::Prepare {
                flavor: None,
                install_to: None,
                check: true
            })
        );
        assert!(p(&["prepare", "--check", "--install-to", "/x"]).is_err());
        assert_eq!(
            p(&["probe"]),
            Ok(Command::Probe {
                ready: false,
                timeout: Duration::from_secs(2)
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
