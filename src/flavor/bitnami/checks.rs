//! Bitnami's `kafka_validate` (`/opt/bitnami/scripts/libkafka.sh` of the
//! bitnami/kafka 3.x debian-12 images, called by `kafka/setup.sh` before
//! anything is written; read from bitnami/containers'
//! `bitnami/kafka/3.7/debian-12/rootfs/opt/bitnami/scripts/libkafka.sh`,
//! the newest 3.x copy we could read, and `libvalidations.sh`'s
//! `validate_port`), rule by rule, over the environment the image will
//! see: what `exec` hands it, after `kafka-env.sh`'s defaults and
//! `kafka_create_alias_environment_variables`. The image reports these one
//! container start at a time; here they are problems before `execve`.
//!
//! The rules, in the function's order (shell parsing kept: lists split on
//! `,`/`;` and blanks, a listener's port is its third `:`-separated field):
//!
//!  1. neither `KAFKA_CFG_PROCESS_ROLES` nor `KAFKA_CFG_ZOOKEEPER_CONNECT`:
//!     "Kafka haven't been configured to work in either Raft or Zookeper mode".
//!  2. KRaft with `KAFKA_CFG_ZOOKEEPER_CONNECT` needs
//!     `KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE` yes/true/1.
//!  3. KRaft needs `KAFKA_CFG_NODE_ID`.
//!  4. KRaft needs `KAFKA_CFG_CONTROLLER_QUORUM_VOTERS`.
//!  5. every role of `KAFKA_CFG_PROCESS_ROLES` is `broker` or `controller`.
//!  6. role `controller` needs `KAFKA_CFG_CONTROLLER_LISTENER_NAMES`,
//!  7. and that name in `KAFKA_CFG_LISTENERS` (a regex match, i.e. a substring).
//!  8. ZooKeeper over SSL (`KAFKA_ZOOKEEPER_PROTOCOL`): a truststore file in
//!     the container ([`in_container`], `exec` only).
//!  9. ZooKeeper over SASL needs `KAFKA_ZOOKEEPER_USER` and `KAFKA_ZOOKEEPER_PASSWORD`.
//! 10. every port of `KAFKA_CFG_LISTENERS` is valid (`validate_port`: an
//!     integer, at most 65535) and, when the container is not root,
//!     1024 or above ("An invalid port … was specified": `-unprivileged`).
//! 11. no two listeners on the same port.
//! 12. every protocol of `KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP` is
//!     PLAINTEXT, SASL_PLAINTEXT, SASL_SSL or SSL.
//! 13. a SASL inter-broker listener (`KAFKA_CFG_INTER_BROKER_LISTENER_NAME`,
//!     `INTERNAL` when unset) needs `KAFKA_CFG_SASL_MECHANISM_INTER_BROKER_PROTOCOL`,
//! 14. and `KAFKA_INTER_BROKER_USER` / `_PASSWORD` (defaulted by kafka-env.sh,
//!     so only an explicit empty value from a `_FILE` fails; not checked).
//! 15. a SASL controller listener (a name within
//!     `KAFKA_CFG_CONTROLLER_LISTENER_NAMES`, `CONTROLLER` when unset) needs
//!     `KAFKA_CFG_SASL_MECHANISM_CONTROLLER_PROTOCOL` (and
//!     `KAFKA_CONTROLLER_USER` / `_PASSWORD`, defaulted like 14).
//! 16. any other SASL listener needs `KAFKA_CLIENT_USERS` / `_PASSWORDS`
//!     (defaulted like 14).
//! 17. an SSL listener needs keystore and truststore files
//!     ([`in_container`], `exec` only).
//! 18. a SASL listener needs `KAFKA_CFG_SASL_ENABLED_MECHANISMS` (defaulted,
//!     so it fails only when set empty... which kafka-env.sh defaults too).
//! 19. as many `KAFKA_CLIENT_PASSWORDS` as `KAFKA_CLIENT_USERS`, whatever the
//!     listeners ("Specify the same number of passwords ...").
//! 20. `KAFKA_TLS_TYPE` is JKS or PEM; `KAFKA_ZOOKEEPER_TLS_TYPE` is JKS or
//!     PEM; `KAFKA_ZOOKEEPER_PROTOCOL` is PLAINTEXT, SASL, SSL or SASL_SSL;
//!     `KAFKA_TLS_CLIENT_AUTH` is none, requested or required.
//!
//! The shell's comparisons are the image's, quirks included: `kafka_validate`
//! begins with `debug`, whose `shopt -s nocasematch` (liblog.sh) is never
//! undone, so every `[[ … ]]` and `case` in it ignores case (`jks` is JKS);
//! `validate_port`'s integer test is `^-?[0-9]+` (a prefix) and its bounds are
//! bash arithmetic, where a value that is no number (`39o92`) is an error
//! and so passes every test; a protocol is checked with `=~` against
//! `"PLAINTEXT SASL_PLAINTEXT SASL_SSL SSL"`, a substring match (`PLAIN`
//! passes). Kafka refuses those values: its own rules say so, not this one.
//!
//! `ALLOW_PLAINTEXT_LISTENER`: in these scripts a PLAINTEXT listener is only
//! a warning (older 2.x/3.0 images refused it without
//! `ALLOW_PLAINTEXT_LISTENER=yes`); nothing to check. Rules 14, 16 and 18
//! cannot fail after kafka-env.sh's defaults. A variable read from its
//! `<NAME>_FILE` is known only inside the container: `plan` and `prepare`
//! skip the rules that need it; `exec` reads the file as kafka-env.sh does
//! and runs every rule ([`ImageEnv::in_container`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::flavor::{ContainerFiles, ImageVars};
use crate::problem::Problem;
use crate::secret;

/// `kafka-env.sh`'s defaults (`${NAME:-default}`: an empty value gets it too).
const DEFAULTS: &[(&str, &str)] = &[
    ("KAFKA_INTER_BROKER_USER", "user"),
    ("KAFKA_INTER_BROKER_PASSWORD", "bitnami"),
    ("KAFKA_CONTROLLER_USER", "controller_user"),
    ("KAFKA_CONTROLLER_PASSWORD", "bitnami"),
    ("KAFKA_TLS_TYPE", "JKS"),
    ("KAFKA_TLS_CLIENT_AUTH", "required"),
    (
        "KAFKA_CFG_SASL_ENABLED_MECHANISMS",
        "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    ),
    ("KAFKA_ZOOKEEPER_PROTOCOL", "PLAINTEXT"),
    ("KAFKA_ZOOKEEPER_TLS_TYPE", "JKS"),
    ("KAFKA_CLIENT_USERS", "user"),
    ("KAFKA_CLIENT_PASSWORDS", "bitnami"),
];

/// kafka-env.sh's `kafka_env_vars`: each is replaced by the content of the
/// file `<NAME>_FILE` names when that file is readable.
const FILE_VARS: &[&str] = &[
    "KAFKA_MOUNTED_CONF_DIR",
    "KAFKA_INTER_BROKER_USER",
    "KAFKA_INTER_BROKER_PASSWORD",
    "KAFKA_CONTROLLER_USER",
    "KAFKA_CONTROLLER_PASSWORD",
    "KAFKA_CERTIFICATE_PASSWORD",
    "KAFKA_TLS_TRUSTSTORE_FILE",
    "KAFKA_TLS_TYPE",
    "KAFKA_TLS_CLIENT_AUTH",
    "KAFKA_OPTS",
    "KAFKA_CFG_SASL_ENABLED_MECHANISMS",
    "KAFKA_KRAFT_CLUSTER_ID",
    "KAFKA_SKIP_KRAFT_STORAGE_INIT",
    "KAFKA_CLIENT_LISTENER_NAME",
    "KAFKA_ZOOKEEPER_PROTOCOL",
    "KAFKA_ZOOKEEPER_PASSWORD",
    "KAFKA_ZOOKEEPER_USER",
    "KAFKA_ZOOKEEPER_TLS_KEYSTORE_PASSWORD",
    "KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_PASSWORD",
    "KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_FILE",
    "KAFKA_ZOOKEEPER_TLS_VERIFY_HOSTNAME",
    "KAFKA_ZOOKEEPER_TLS_TYPE",
    "KAFKA_CLIENT_USERS",
    "KAFKA_CLIENT_PASSWORDS",
    "KAFKA_HEAP_OPTS",
    "JAVA_TOOL_OPTIONS",
];

/// The script whose `kafka_validate` these rules mirror, in the image.
pub const LIBKAFKA: &str = "/opt/bitnami/scripts/libkafka.sh";
/// kafka-env.sh's `KAFKA_CERTS_DIR` (`$KAFKA_CONF_DIR/certs`, not settable).
pub const CERTS_DIR: &str = "/opt/bitnami/kafka/config/certs";
/// kafka-env.sh's default `KAFKA_MOUNTED_CONF_DIR` (`$KAFKA_VOLUME_DIR/config`).
const MOUNTED_CONF_DIR: &str = "/bitnami/kafka/config";

/// `kafka_create_alias_environment_variables`' aliases outside the
/// `KAFKA_CFG_` family (alias, target).
const OTHER_ALIASES: &[(&str, &str)] = &[
    ("KAFKA_BROKER_USER", "KAFKA_CLIENT_USERS"),
    ("KAFKA_BROKER_PASSWORD", "KAFKA_CLIENT_PASSWORDS"),
    ("KAFKA_CLIENT_LISTENER", "KAFKA_CLIENT_LISTENER_NAME"),
];

/// What `kafka_validate` reads: the image's environment with kafka-env.sh's
/// defaults and the alias copies over it, and where each value came from
/// (the variable the user set, for messages). Only what differs from the
/// image's environment is held.
pub struct ImageEnv<'a> {
    image: &'a ImageVars<'a>,
    /// True inside the container: `<NAME>_FILE` variables were read.
    resolved: bool,
    /// A `<NAME>_FILE` was set but not readable: kafka-env.sh `warn`ed,
    /// which turns on `nocasematch` before the truststore defaults.
    warned: bool,
    /// Defaults and alias copies: variable → (value, where it came from).
    over: BTreeMap<Cow<'static, str>, (Cow<'a, str>, Cow<'static, str>)>,
}

impl<'a> ImageEnv<'a> {
    /// The environment after kafka-env.sh and the alias copies, from what
    /// `exec` hands the image.
    pub fn new(image: &'a ImageVars<'a>) -> Self {
        Self::build(image, None)
    }

    /// [`ImageEnv::new`] inside the container: each `<NAME>_FILE` of
    /// kafka-env.sh read from `files` (the content without its trailing
    /// newlines, as `$(< file)`), so every rule can run.
    pub fn in_container(image: &'a ImageVars<'a>, files: &dyn ContainerFiles) -> Self {
        Self::build(image, Some(files))
    }

    fn build(image: &'a ImageVars<'a>, files: Option<&dyn ContainerFiles>) -> Self {
        let mut over: BTreeMap<Cow<'static, str>, (Cow<'a, str>, Cow<'static, str>)> = BTreeMap::new();
        let mut unreadable: Vec<(&str, &str)> = vec![];
        for name in FILE_VARS.iter().filter(|_| files.is_some()) {
            let Some(path) = image.get(&format!("{name}_FILE")).filter(|p| !p.is_empty()) else {
                continue;
            };
            match files.and_then(|f| f.read(path)) {
                Some(text) => {
                    let text = text.trim_end_matches('\n').to_string();
                    over.insert(Cow::Borrowed(*name), (Cow::Owned(text), Cow::Owned(format!("{name}_FILE ({path})"))));
                }
                None => unreadable.push((name, path)),
            }
        }
        for (name, default) in DEFAULTS {
            let value = over.get(*name).map(|(v, _)| v.as_ref()).or_else(|| image.get(name));
            if value.is_none_or(str::is_empty) {
                over.insert(
                    Cow::Borrowed(*name),
                    (
                        Cow::Borrowed(*default),
                        Cow::Owned(match unreadable.iter().find(|(n, _)| n == name) {
                            Some((_, path)) => format!("{name} (kafka-env.sh default; {name}_FILE {path} is not readable)"),
                            None => format!("{name} (kafka-env.sh default)"),
                        }),
                    ),
                );
            }
        }
        for (alias, target, value) in super::set_aliases(|name| image.get(name), OTHER_ALIASES) {
            over.insert(Cow::Owned(target), (Cow::Borrowed(value), Cow::Owned(alias)));
        }
        ImageEnv {
            image,
            resolved: files.is_some(),
            warned: !unreadable.is_empty(),
            over,
        }
    }

    /// The value the scripts read (empty when unset, as `${NAME:-}`).
    fn get(&self, name: &str) -> &str {
        match self.over.get(name) {
            Some((value, _)) => value,
            None => self.image.get(name).unwrap_or(""),
        }
    }

    /// Whether the image reads `name` from the file `<name>_FILE` names
    /// and that file is not known here (outside the container).
    fn read_from_file(&self, name: &str) -> bool {
        !self.resolved
            && self
                .image
                .get(&format!("{name}_FILE"))
                .is_some_and(|v| !v.is_empty())
    }

    /// kafka-env.sh's `KAFKA_MOUNTED_CONF_DIR`.
    fn mounted(&self) -> &str {
        match self.get("KAFKA_MOUNTED_CONF_DIR") {
            "" => MOUNTED_CONF_DIR,
            dir => dir,
        }
    }

    /// The variable the user set for `name`, for messages.
    fn var(&self, name: &str) -> String {
        self.over
            .get(name)
            .map_or_else(|| name.to_string(), |(_, source)| source.to_string())
    }

    fn problem(&self, name: &str, rule: &str, fix: impl Into<String>) -> Problem {
        Problem::new(
            self.var(name),
            secret::shown(name, self.get(name)),
            format!("the Bitnami image refuses to start: {rule} (libkafka.sh kafka_validate)"),
            fix,
        )
    }
}

/// The shell's `tr ',;' ' '` then `read -a`: the non-blank words.
fn words(value: &str) -> Vec<&str> {
    value
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Case-insensitive equality, as `[[ a = b ]]` under `nocasematch`.
fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// `[[ text =~ word ]]` under `nocasematch` for a word without regex
/// metacharacters: a case-insensitive substring (an empty word matches).
fn matches(text: &str, word: &str) -> bool {
    text.to_ascii_lowercase().contains(&word.to_ascii_lowercase())
}

/// A bash integer constant as `[[ x -lt n ]]` evaluates it: decimal,
/// `0x` hex, `0` octal, `base#digits`; None when bash's arithmetic fails
/// (`value too great for base`), which makes each comparison false.
fn bash_integer(text: &str) -> Option<i64> {
    let (negative, t) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (radix, digits) = if let Some((base, digits)) = t.split_once('#') {
        (base.parse::<u32>().ok().filter(|b| (2..=36).contains(b))?, digits)
    } else if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, hex)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    let n = i64::from_str_radix(digits, radix).ok()?;
    Some(if negative { -n } else { n })
}

/// `validate_port` (libvalidations.sh): why `port` is refused, if it is.
fn port_error(port: &str, unprivileged: bool) -> Option<&'static str> {
    if port.is_empty() {
        return Some("the value is empty");
    }
    // is_int: `^-?[0-9]+`, not anchored at the end.
    let digits = port.strip_prefix('-').unwrap_or(port);
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return Some("value is not an integer");
    }
    let Some(n) = bash_integer(port) else {
        // Beyond i64 of only digits: bash wraps; anything else is an
        // arithmetic error, under which the image lets the port pass.
        return digits
            .chars()
            .all(|c| c.is_ascii_digit())
            .then_some("requested port is greater than 65535");
    };
    if n < 0 {
        Some("negative value provided")
    } else if n > 65535 {
        Some("requested port is greater than 65535")
    } else if unprivileged && n < 1024 {
        Some("privileged port requested")
    } else {
        None
    }
}

/// Every problem `kafka_validate` would report for `env`; `uid` is the
/// user the container runs as (root may bind ports below 1024).
pub fn validate(env: &ImageEnv, uid: u32, problems: &mut Vec<Problem>) {
    modes(env, problems);
    listener_ports(env, uid, problems);
    listener_protocols(env, problems);
    let users = words(env.get("KAFKA_CLIENT_USERS")).len();
    let passwords = words(env.get("KAFKA_CLIENT_PASSWORDS")).len();
    let from_file = ["KAFKA_CLIENT_USERS", "KAFKA_CLIENT_PASSWORDS"]
        .iter()
        .any(|v| env.read_from_file(v));
    if users != passwords && !from_file {
        problems.push(Problem::new(
            format!("{} / {}", env.var("KAFKA_CLIENT_USERS"), env.var("KAFKA_CLIENT_PASSWORDS")),
            format!("{users} user(s) / {passwords} password(s)"),
            "the Bitnami image refuses to start: \"Specify the same number of passwords on KAFKA_CLIENT_PASSWORDS as the number of users on KAFKA_CLIENT_USERS!\" (libkafka.sh kafka_validate)",
            "give one password per user, in the same order (both lists comma-separated)",
        ));
    }
    for (name, allowed) in [
        ("KAFKA_TLS_TYPE", "JKS PEM"),
        ("KAFKA_ZOOKEEPER_TLS_TYPE", "JKS PEM"),
        ("KAFKA_ZOOKEEPER_PROTOCOL", "PLAINTEXT SASL SSL SASL_SSL"),
        ("KAFKA_TLS_CLIENT_AUTH", "none requested required"),
    ] {
        // `[[ " $allowed " != *" $value "* ]]`, ignoring case.
        if !env.read_from_file(name) && !matches(&format!(" {allowed} "), &format!(" {} ", env.get(name))) {
            problems.push(env.problem(
                name,
                &format!("\"The allowed values for {name} are: {allowed}\""),
                format!("set {name} to one of {allowed}"),
            ));
        }
    }
}

/// `kafka_has_ssl_listener`: a listener mapped to SSL or SASL_SSL (or,
/// without a map, named so). `nocase`: whether `nocasematch` is on, as it
/// is in `kafka_validate` and not (unless kafka-env.sh warned) before it.
fn has_ssl_listener(env: &ImageEnv, nocase: bool) -> bool {
    let eq = |a: &str, b: &str| if nocase { same(a, b) } else { a == b };
    let has = |text: &str, word: &str| if nocase { matches(text, word) } else { text.contains(word) };
    let listeners = env.get("KAFKA_CFG_LISTENERS");
    let map = env.get("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP");
    if listeners.is_empty() {
        return false;
    }
    if map.is_empty() {
        return has(listeners, "SSL:");
    }
    map.split(',').any(|entry| {
        let fields: Vec<&str> = entry.split(|c: char| c == ':' || c.is_whitespace()).filter(|f| !f.is_empty()).collect();
        let (listener, protocol) = (fields.first().copied().unwrap_or(""), fields.get(1).copied().unwrap_or(""));
        (eq(protocol, "SSL") || eq(protocol, "SASL_SSL")) && has(listeners, listener)
    })
}

/// Where `kafka_configure_default_truststore_locations` (run before
/// `kafka_validate`, so with case kept unless kafka-env.sh warned) points
/// a truststore variable left empty: `<certs>/<name>` when that file is
/// there, else `<mounted>/certs/<name>`; `name` ends `.pem` for `PEM`.
fn default_truststore(env: &ImageEnv, files: &dyn ContainerFiles, var: &str, type_var: &str, stem: &str, wanted: bool) -> String {
    let set = env.get(var);
    if !set.is_empty() || !wanted {
        return set.to_string();
    }
    let pem = if env.warned { same(env.get(type_var), "PEM") } else { env.get(type_var) == "PEM" };
    let name = format!("{stem}.truststore.{}", if pem { "pem" } else { "jks" });
    let certs = format!("{CERTS_DIR}/{name}");
    if files.is_file(&certs) {
        certs
    } else {
        format!("{}/certs/{name}", env.mounted())
    }
}

/// Rules 8 and 17, which need the container's files: the keystore and
/// truststore an SSL listener needs, and the truststore of ZooKeeper over
/// SSL, where the image looks for them (`exec` only; `files` is the
/// container's filesystem).
pub fn in_container(env: &ImageEnv, files: &dyn ContainerFiles, problems: &mut Vec<Problem>) {
    let mounted = format!("{}/certs", env.mounted());
    let is_file = |path: &str| !path.is_empty() && files.is_file(path);
    let zk_ssl = matches(env.get("KAFKA_ZOOKEEPER_PROTOCOL"), "SSL");
    let zk_ssl_early = if env.warned { zk_ssl } else { env.get("KAFKA_ZOOKEEPER_PROTOCOL").contains("SSL") };
    if !env.get("KAFKA_CFG_ZOOKEEPER_CONNECT").is_empty() && zk_ssl {
        let truststore = default_truststore(env, files, "KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_FILE", "KAFKA_ZOOKEEPER_TLS_TYPE", "zookeeper", zk_ssl_early);
        let kind = env.get("KAFKA_ZOOKEEPER_TLS_TYPE");
        let kind = ["JKS", "PEM"].into_iter().find(|k| same(k, kind));
        if let Some(kind) = kind.filter(|_| !is_file(&truststore)) {
            let ext = kind.to_ascii_lowercase();
            let (var, fix) = match env.get("KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_FILE") {
                "" => ("KAFKA_ZOOKEEPER_PROTOCOL", format!("mount ZooKeeper's truststore (a Secret volume) as {mounted}/zookeeper.truststore.{ext}, or set KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_FILE to where it is")),
                _ => ("KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_FILE", "mount ZooKeeper's truststore at that path, or correct the path".to_string()),
            };
            problems.push(env.problem(
                var,
                &format!("\"In order to configure the TLS encryption for Zookeeper with {kind} certs you must mount your zookeeper.truststore.{ext} cert to the {mounted} directory.\" ({} is not a file in the container)", shown_path(&truststore)),
                fix,
            ));
        }
    }
    if !has_ssl_listener(env, true) {
        return;
    }
    let truststore = default_truststore(env, files, "KAFKA_TLS_TRUSTSTORE_FILE", "KAFKA_TLS_TYPE", "kafka", has_ssl_listener(env, env.warned));
    let kind = env.get("KAFKA_TLS_TYPE");
    let Some(kind) = ["JKS", "PEM"].into_iter().find(|k| same(k, kind)) else {
        return; // Rule 20 names it.
    };
    let keys: &[&str] = if kind == "JKS" { &["kafka.keystore.jks"] } else { &["kafka.keystore.pem", "kafka.keystore.key"] };
    let complete = |dir: &str| keys.iter().all(|k| is_file(&format!("{dir}/{k}"))) && is_file(&truststore);
    if complete(CERTS_DIR) || complete(&mounted) {
        return;
    }
    let message = if kind == "JKS" {
        format!("\"In order to configure the TLS encryption for Kafka with JKS certs you must mount your kafka.keystore.jks and kafka.truststore.jks certs to the {mounted} directory.\"")
    } else {
        format!("\"In order to configure the TLS encryption for Kafka with PEM certs you must mount your kafka.keystore.pem, kafka.keystore.key and kafka.truststore.pem certs to the {mounted} directory.\"")
    };
    let mut missing: Vec<String> = vec![];
    let key_found = [CERTS_DIR, mounted.as_str()].iter().any(|dir| keys.iter().all(|k| is_file(&format!("{dir}/{k}"))));
    if !key_found {
        missing.push(format!("{} in neither {CERTS_DIR} nor {mounted}", keys.join(" and ")));
    }
    if !is_file(&truststore) {
        missing.push(format!("the truststore {}", shown_path(&truststore)));
    }
    let rule = format!("{message} (missing: {})", missing.join("; "));
    let location = env.get("KAFKA_CFG_SSL_KEYSTORE_LOCATION");
    if !key_found && !location.is_empty() {
        problems.push(env.problem(
            "KAFKA_CFG_SSL_KEYSTORE_LOCATION",
            &format!("{rule}; the image looks for the keystore only there, not at KAFKA_CFG_SSL_KEYSTORE_LOCATION (and sets ssl.keystore.location to {CERTS_DIR}/{} itself)", keys[0]),
            format!("mount the keystore as {mounted}/{} (the file names are the image's) and remove KAFKA_CFG_SSL_KEYSTORE_LOCATION", keys.join(format!(" and {mounted}/").as_str())),
        ));
        return;
    }
    let var = if env.get("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP").is_empty() { "KAFKA_CFG_LISTENERS" } else { "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP" };
    // The path the script tests, quirks included (KAFKA_TLS_TYPE=pem looks
    // for kafka.truststore.jks: its default is chosen case-sensitively).
    let truststore_fix = match env.get("KAFKA_TLS_TRUSTSTORE_FILE") {
        "" => format!("the truststore as {}", shown_path(&truststore)),
        _ => "the truststore at KAFKA_TLS_TRUSTSTORE_FILE".to_string(),
    };
    problems.push(env.problem(
        var,
        &format!("an SSL or SASL_SSL listener needs the image's keystore and truststore: {rule}"),
        format!("mount (from a Secret volume) the keystore as {mounted}/{} and {truststore_fix}; or map the listener to PLAINTEXT or SASL_PLAINTEXT", keys.join(format!(" and {mounted}/").as_str())),
    ));
}

/// A path for a message (`""` when the script had none).
fn shown_path(path: &str) -> String {
    if path.is_empty() {
        "(none: KAFKA_TLS_TRUSTSTORE_FILE is empty)".to_string()
    } else {
        path.to_string()
    }
}

/// Rules 1-9: the mode, KRaft's variables and roles, ZooKeeper's credentials.
fn modes(env: &ImageEnv, problems: &mut Vec<Problem>) {
    let roles = env.get("KAFKA_CFG_PROCESS_ROLES");
    let zk = env.get("KAFKA_CFG_ZOOKEEPER_CONNECT");
    if roles.is_empty() && zk.is_empty() {
        problems.push(env.problem(
            "KAFKA_CFG_PROCESS_ROLES",
            "\"Kafka haven't been configured to work in either Raft or Zookeper mode\"",
            "set KAFKA_CFG_ZOOKEEPER_CONNECT (ZooKeeper mode) or let kafka-init derive KRaft (KAFKA_INIT_MODE=kraft)",
        ));
    }
    if !roles.is_empty() {
        let migration = env.get("KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE");
        let yes = ["yes", "true", "1"].iter().any(|y| same(y, migration));
        if !zk.is_empty() && !yes {
            problems.push(env.problem(
                "KAFKA_CFG_ZOOKEEPER_CONNECT",
                "\"Both KRaft mode and Zookeper modes are configured, but KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE is not enabled\"",
                "remove KAFKA_CFG_ZOOKEEPER_CONNECT in KRaft mode, or set KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE=true during a migration",
            ));
        }
        for (name, what) in [
            ("KAFKA_CFG_NODE_ID", "\"KRaft mode requires an unique node.id\""),
            ("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "\"KRaft mode requires KAFKA_CFG_CONTROLLER_QUORUM_VOTERS to be set\""),
        ] {
            if env.get(name).is_empty() {
                problems.push(env.problem(name, what, format!("set {name} (kafka-init derives it in KRaft mode unless it is set empty)")));
            }
        }
        kraft_roles(env, problems);
    }
    let protocol = env.get("KAFKA_ZOOKEEPER_PROTOCOL");
    if !zk.is_empty()
        && matches(protocol, "SASL")
        && (env.get("KAFKA_ZOOKEEPER_USER").is_empty() || env.get("KAFKA_ZOOKEEPER_PASSWORD").is_empty())
        && !env.read_from_file("KAFKA_ZOOKEEPER_PASSWORD")
    {
        problems.push(env.problem(
            "KAFKA_ZOOKEEPER_PROTOCOL",
            "SASL to ZooKeeper needs credentials: \"Set the environment variables KAFKA_ZOOKEEPER_USER and KAFKA_ZOOKEEPER_PASSWORD\"",
            "set KAFKA_ZOOKEEPER_USER and KAFKA_ZOOKEEPER_PASSWORD (from a Secret)",
        ));
    }
}

/// Rules 5-7: `check_kraft_process_roles`.
fn kraft_roles(env: &ImageEnv, problems: &mut Vec<Problem>) {
    let names = env.get("KAFKA_CFG_CONTROLLER_LISTENER_NAMES");
    for role in words(env.get("KAFKA_CFG_PROCESS_ROLES")) {
        match role.to_ascii_lowercase().as_str() {
            "broker" => {}
            "controller" => {
                if names.is_empty() {
                    problems.push(env.problem(
                        "KAFKA_CFG_CONTROLLER_LISTENER_NAMES",
                        "\"Role 'controller' enabled but environment variable KAFKA_CFG_CONTROLLER_LISTENER_NAMES was not provided\"",
                        "set KAFKA_CFG_CONTROLLER_LISTENER_NAMES (kafka-init derives CONTROLLER unless it is set empty)",
                    ));
                }
                let listeners = env.get("KAFKA_CFG_LISTENERS");
                if listeners.is_empty() || !matches(listeners, names) {
                    problems.push(env.problem(
                        "KAFKA_CFG_LISTENERS",
                        &format!("\"Role 'controller' enabled but listener {names} not found in KAFKA_CFG_LISTENERS\""),
                        format!("add the controller listener {names} to the listeners"),
                    ));
                }
            }
            _ => problems.push(env.problem(
                "KAFKA_CFG_PROCESS_ROLES",
                &format!("\"Invalid KRaft process role '{role}'. Supported roles are 'broker,controller'\""),
                "use broker, controller or both (KAFKA_INIT_ROLE)",
            )),
        }
    }
}

/// Rules 10-11: `check_listener_ports`. The image stops at the first bad
/// port; here every bad one is named in one problem for the variable.
fn listener_ports(env: &ImageEnv, uid: u32, problems: &mut Vec<Problem>) {
    let listeners = env.get("KAFKA_CFG_LISTENERS");
    let mut seen = BTreeSet::new();
    let mut duplicate = false;
    let mut bad: Vec<(&str, &'static str, String)> = vec![];
    let mut bad_count = 0;
    for listener in listeners.split(',').filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = listener.split(|c: char| c == ':' || c.is_whitespace()).filter(|f| !f.is_empty()).collect();
        let port = fields.get(2).copied().unwrap_or("");
        if let Some(why) = port_error(port, uid != 0) {
            let fix = if listener.contains('[') {
                "bind without an IPv6 address (e.g. PLAINTEXT://:9092): the Bitnami scripts split a listener on ':' and take its third field as the port".to_string()
            } else if why == "privileged port requested" {
                format!("bind a port of 1024 or above (the container runs as uid {uid}, which may not bind below 1024); a Service can still expose {port}")
            } else {
                "give every listener a port between 1024 and 65535".to_string()
            };
            bad_count += 1;
            if bad.len() < crate::listener::FEW {
                bad.push((port, why, fix));
            }
        }
        duplicate |= !seen.insert(port);
    }
    if let Some((port, why, fix)) = bad.first() {
        let more = match bad_count {
            1 => String::new(),
            n => {
                let others: Vec<String> = bad[1..].iter().map(|(p, w, _)| format!("'{p}': {w}")).collect();
                let others: Vec<&str> = others.iter().map(String::as_str).collect();
                let rest = n - bad.len();
                let rest = if rest > 0 { format!(" and {rest} more") } else { String::new() };
                format!("; {} more listener(s) with an invalid port: {}{rest}", n - 1, others.join(", "))
            }
        };
        problems.push(env.problem(
            "KAFKA_CFG_LISTENERS",
            &format!("\"An invalid port {port} was specified in the environment variable KAFKA_CFG_LISTENERS: {why}\"{more}"),
            fix.clone(),
        ));
    }
    // Kafka's own rule already named the clash (and what caused it): one
    // mistake, one problem.
    let reported = problems.iter().any(|p| p.rule.starts_with(crate::rules::DIFFERENT_PORTS));
    if duplicate && !reported {
        problems.push(env.problem(
            "KAFKA_CFG_LISTENERS",
            "\"There are listeners bound to the same port\"",
            "give every listener its own port",
        ));
    }
}

/// Rules 12-16: `check_listener_protocols`.
fn listener_protocols(env: &ImageEnv, problems: &mut Vec<Problem>) {
    let map = env.get("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP");
    let inter = match env.get("KAFKA_CFG_INTER_BROKER_LISTENER_NAME") {
        "" => "INTERNAL",
        name => name,
    };
    let controllers = match env.get("KAFKA_CFG_CONTROLLER_LISTENER_NAMES") {
        "" => "CONTROLLER",
        names => names,
    };
    for entry in map.split(',').filter(|e| !e.trim().is_empty()) {
        let fields: Vec<&str> = entry.split(|c: char| c == ':' || c.is_whitespace()).filter(|f| !f.is_empty()).collect();
        let (listener, protocol) = (fields.first().copied().unwrap_or(""), fields.get(1).copied().unwrap_or(""));
        if !matches("PLAINTEXT SASL_PLAINTEXT SASL_SSL SSL", protocol) {
            problems.push(env.problem(
                "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP",
                &format!("\"Authentication protocol {protocol} is not supported!\""),
                "map every listener to PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL",
            ));
        }
        if !same(protocol, "SASL_PLAINTEXT") && !same(protocol, "SASL_SSL") {
            continue;
        }
        let mechanism = if same(listener, inter) {
            Some(("KAFKA_CFG_SASL_MECHANISM_INTER_BROKER_PROTOCOL", "inter broker"))
        } else if matches(controllers, listener) {
            Some(("KAFKA_CFG_SASL_MECHANISM_CONTROLLER_PROTOCOL", "controller"))
        } else {
            None
        };
        if let Some((var, what)) = mechanism {
            if env.get(var).is_empty() {
                problems.push(Problem::new(
                    var,
                    "",
                    format!("the Bitnami image refuses to start: \"When using SASL for {what} comunication the mechanism should be provided\" (listener {listener} is {protocol}; libkafka.sh kafka_validate)"),
                    format!("set {var} to the mechanism the {what} listener uses, e.g. PLAIN or SCRAM-SHA-512"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pairs: &[(&str, &str)], uid: u32) -> Vec<Problem> {
        let env: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut problems = vec![];
        validate(&ImageEnv::new(&ImageVars::of(&env)), uid, &mut problems);
        problems
    }

    const ZK: &[(&str, &str)] = &[
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"),
        ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092"),
        ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT"),
    ];

    const KRAFT: &[(&str, &str)] = &[
        ("KAFKA_CFG_PROCESS_ROLES", "broker,controller"),
        ("KAFKA_CFG_NODE_ID", "0"),
        ("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "0@kafka-0:9093"),
        ("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "CONTROLLER"),
        ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093"),
        ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
    ];

    fn with(base: &[(&'static str, &'static str)], set: &[(&'static str, &'static str)], drop: &[&str]) -> Vec<(&'static str, &'static str)> {
        let mut out: Vec<_> = base.iter().copied().filter(|(k, _)| !drop.contains(k) && !set.iter().any(|(s, _)| s == k)).collect();
        out.extend_from_slice(set);
        out
    }

    /// Each rule: an environment it accepts and one it refuses (the
    /// problem's rule contains `needle`).
    #[test]
    fn every_rule_accepts_the_good_half_and_refuses_the_bad_half() {
        type Env = Vec<(&'static str, &'static str)>;
        let sasl_inter = [
            ("KAFKA_CFG_LISTENERS", "INTERNAL://:9092"),
            ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:SASL_PLAINTEXT"),
        ];
        let sasl_ctrl = [("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")];
        let cases: Vec<(&str, Env, Env, &str)> = vec![
            ("1 a mode", ZK.to_vec(), with(ZK, &[], &["KAFKA_CFG_ZOOKEEPER_CONNECT"]), "either Raft or Zookeper"),
            (
                "2 migration",
                with(KRAFT, &[("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181"), ("KAFKA_CFG_ZOOKEEPER_METADATA_MIGRATION_ENABLE", "true")], &[]),
                with(KRAFT, &[("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181")], &[]),
                "METADATA_MIGRATION_ENABLE is not enabled",
            ),
            ("3 node id", KRAFT.to_vec(), with(KRAFT, &[], &["KAFKA_CFG_NODE_ID"]), "unique node.id"),
            ("4 voters", KRAFT.to_vec(), with(KRAFT, &[("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", "")], &[]), "QUORUM_VOTERS to be set"),
            ("5 roles", KRAFT.to_vec(), with(KRAFT, &[("KAFKA_CFG_PROCESS_ROLES", "broker,voter")], &[]), "Invalid KRaft process role 'voter'"),
            ("6 controller names", KRAFT.to_vec(), with(KRAFT, &[("KAFKA_CFG_CONTROLLER_LISTENER_NAMES", "")], &[]), "LISTENER_NAMES was not provided"),
            ("7 controller listener", KRAFT.to_vec(), with(KRAFT, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092")], &[]), "not found in KAFKA_CFG_LISTENERS"),
            (
                "9 zookeeper sasl",
                with(ZK, &[("KAFKA_ZOOKEEPER_PROTOCOL", "SASL"), ("KAFKA_ZOOKEEPER_USER", "u"), ("KAFKA_ZOOKEEPER_PASSWORD", "p")], &[]),
                with(ZK, &[("KAFKA_ZOOKEEPER_PROTOCOL", "SASL"), ("KAFKA_ZOOKEEPER_USER", "u")], &[]),
                "KAFKA_ZOOKEEPER_USER and KAFKA_ZOOKEEPER_PASSWORD",
            ),
            ("10 privileged port", ZK.to_vec(), with(ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:443")], &[]), "An invalid port 443 was specified"),
            ("10 port range", ZK.to_vec(), with(ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:70000")], &[]), "greater than 65535"),
            ("10 port integer", ZK.to_vec(), with(ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:x")], &[]), "not an integer"),
            ("10 the shell's split", ZK.to_vec(), with(ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://[::]:9092")], &[]), "An invalid port ] was specified"),
            (
                "11 one port each",
                with(ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,INTERNAL://:9093")], &[]),
                with(ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,INTERNAL://:9092")], &[]),
                "bound to the same port",
            ),
            ("12 protocols", ZK.to_vec(), with(ZK, &[("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:TLS")], &[]), "protocol TLS is not supported"),
            (
                "13 inter-broker mechanism",
                with(ZK, &[("KAFKA_CFG_SASL_MECHANISM_INTER_BROKER_PROTOCOL", "PLAIN")], &[]).into_iter().chain(sasl_inter).collect(),
                with(ZK, &sasl_inter, &[]),
                "SASL for inter broker comunication",
            ),
            (
                "15 controller mechanism",
                with(KRAFT, &[("KAFKA_CFG_SASL_MECHANISM_CONTROLLER_PROTOCOL", "PLAIN")], &[]).into_iter().chain(sasl_ctrl).collect(),
                with(KRAFT, &sasl_ctrl, &[]),
                "SASL for controller comunication",
            ),
            (
                "19 users and passwords",
                with(ZK, &[("KAFKA_CLIENT_USERS", "a,b"), ("KAFKA_CLIENT_PASSWORDS", "x;y")], &[]),
                with(ZK, &[("KAFKA_CLIENT_USERS", "a,b")], &[]),
                "same number of passwords",
            ),
            (
                "19 users through the alias",
                with(ZK, &[("KAFKA_BROKER_USER", "a"), ("KAFKA_BROKER_PASSWORD", "x")], &[]),
                with(ZK, &[("KAFKA_BROKER_USER", "a b"), ("KAFKA_BROKER_PASSWORD", "x")], &[]),
                "same number of passwords",
            ),
            ("20 tls type", with(ZK, &[("KAFKA_TLS_TYPE", "PEM")], &[]), with(ZK, &[("KAFKA_TLS_TYPE", "P12")], &[]), "KAFKA_TLS_TYPE are: JKS PEM"),
            ("20 zookeeper tls type", ZK.to_vec(), with(ZK, &[("KAFKA_ZOOKEEPER_TLS_TYPE", "x")], &[]), "KAFKA_ZOOKEEPER_TLS_TYPE are"),
            ("20 zookeeper protocol", with(ZK, &[("KAFKA_ZOOKEEPER_PROTOCOL", "SSL")], &[]), with(ZK, &[("KAFKA_ZOOKEEPER_PROTOCOL", "TLS")], &[]), "KAFKA_ZOOKEEPER_PROTOCOL are"),
            ("20 client auth", with(ZK, &[("KAFKA_TLS_CLIENT_AUTH", "none")], &[]), with(ZK, &[("KAFKA_TLS_CLIENT_AUTH", "optional")], &[]), "KAFKA_TLS_CLIENT_AUTH are"),
        ];
        for (name, good, bad, needle) in cases {
            let ok = run(&good, 1001);
            assert!(ok.is_empty(), "{name}: the good half is refused: {ok:?}");
            let refused = run(&bad, 1001);
            assert!(
                refused.iter().any(|p| p.rule.contains(needle)),
                "{name}: {needle:?} not in {refused:?}"
            );
        }
    }

    /// What the shell lets through (nocasematch, a prefix integer test,
    /// bash arithmetic, a substring protocol match) is not refused here,
    /// and what it refuses by the same quirks is.
    #[test]
    fn the_shells_own_comparisons_decide_as_in_the_image() {
        let accepted: &[(&str, &str)] = &[
            ("KAFKA_TLS_TYPE", "jks"),
            ("KAFKA_TLS_TYPE", "Pem"),
            ("KAFKA_ZOOKEEPER_PROTOCOL", "ssl"),
            ("KAFKA_TLS_CLIENT_AUTH", "REQUIRED"),
            ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:39o92"),
            ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092x"),
            ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAIN"),
            ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:plaintext"),
        ];
        for (var, value) in accepted {
            let got = run(&with(ZK, &[(var, value)], &[]), 1001);
            assert!(got.is_empty(), "{var}={value}: {got:?}");
        }
        let got = run(&with(KRAFT, &[("KAFKA_CFG_PROCESS_ROLES", "Broker,CONTROLLER")], &[]), 1001);
        assert!(got.is_empty(), "{got:?}");
        let refused: &[(&str, &str, &str)] = &[
            // 0x10 is 16 and 010 is 8 to bash.
            ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:0x10", "\"An invalid port 0x10 was specified in the environment variable KAFKA_CFG_LISTENERS: privileged port requested\""),
            ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:01024", "privileged port requested"),
            ("KAFKA_CFG_LISTENERS", "PLAINTEXT://:x9092", "value is not an integer"),
            ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:TLS", "\"Authentication protocol TLS is not supported!\""),
            ("KAFKA_TLS_TYPE", "p12", "\"The allowed values for KAFKA_TLS_TYPE are: JKS PEM\""),
        ];
        for (var, value, rule) in refused {
            let got = run(&with(ZK, &[(var, value)], &[]), 1001);
            assert!(got.iter().any(|p| p.rule.contains(rule)), "{var}={value}: {got:?}");
        }
        // A lower-case SASL protocol is SASL to the image too.
        let env = with(ZK, &[("KAFKA_CFG_LISTENERS", "INTERNAL://:9092"), ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "internal:sasl_plaintext")], &[]);
        let got = run(&env, 1001);
        assert!(got.iter().any(|p| p.rule.contains("SASL for inter broker comunication")), "{got:?}");
    }

    #[test]
    fn root_may_bind_a_privileged_port_and_a_secret_is_never_shown() {
        let env = with(ZK, &[("KAFKA_CFG_LISTENERS", "PLAINTEXT://:443")], &[]);
        assert!(run(&env, 0).is_empty());
        let env = with(ZK, &[("KAFKA_ZOOKEEPER_PROTOCOL", "SASL"), ("KAFKA_ZOOKEEPER_PASSWORD", "")], &[]);
        let problems = run(&env, 1001);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let env = with(ZK, &[("KAFKA_CLIENT_USERS", "a,b"), ("KAFKA_CLIENT_PASSWORDS", "hunter2")], &[]);
        let problems = run(&env, 1001);
        assert!(!format!("{problems:?}").contains("hunter2"), "{problems:?}");
    }

    /// The container's files, in memory: path → content.
    struct Files(BTreeMap<&'static str, &'static str>);

    impl ContainerFiles for Files {
        fn is_file(&self, path: &str) -> bool {
            self.0.contains_key(path)
        }
        fn read(&self, path: &str) -> Option<String> {
            self.0.get(path).map(|t| t.to_string())
        }
    }

    fn in_the_container(pairs: &[(&str, &str)], files: &[(&'static str, &'static str)]) -> Vec<Problem> {
        let env: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let files = Files(files.iter().copied().collect());
        let image = ImageVars::of(&env);
        let env = ImageEnv::in_container(&image, &files);
        let mut problems = vec![];
        validate(&env, 1001, &mut problems);
        in_container(&env, &files, &mut problems);
        problems
    }

    const JKS: &[(&str, &str)] = &[
        ("/bitnami/kafka/config/certs/kafka.keystore.jks", "k"),
        ("/bitnami/kafka/config/certs/kafka.truststore.jks", "t"),
    ];

    /// Each case: the environment over ZK, the container's files, and the
    /// problems (variable, then a part of the rule), none when accepted.
    #[test]
    fn the_files_the_image_looks_for_are_checked_in_the_container() {
        type Case = (&'static str, Vec<(&'static str, &'static str)>, Vec<(&'static str, &'static str)>, Vec<(&'static str, &'static str)>);
        let ssl = [("KAFKA_CFG_LISTENERS", "PLAINTEXT://:9092,CLIENT://:9093"), ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT,CLIENT:SSL")];
        let pem_files = vec![
            ("/opt/bitnami/kafka/config/certs/kafka.keystore.pem", "c"),
            ("/opt/bitnami/kafka/config/certs/kafka.keystore.key", "k"),
            ("/opt/bitnami/kafka/config/certs/kafka.truststore.pem", "t"),
        ];
        let cases: Vec<Case> = vec![
            ("jks in the mounted certs dir", ssl.to_vec(), JKS.to_vec(), vec![]),
            (
                "jks missing",
                ssl.to_vec(),
                vec![],
                vec![("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "\"In order to configure the TLS encryption for Kafka with JKS certs you must mount your kafka.keystore.jks and kafka.truststore.jks certs to the /bitnami/kafka/config/certs directory.\" (missing: kafka.keystore.jks in neither /opt/bitnami/kafka/config/certs nor /bitnami/kafka/config/certs; the truststore /bitnami/kafka/config/certs/kafka.truststore.jks)")],
            ),
            (
                "a keystore only at KAFKA_CFG_SSL_KEYSTORE_LOCATION",
                [ssl.as_slice(), &[("KAFKA_CFG_SSL_KEYSTORE_LOCATION", "/etc/tls/ks.jks")]].concat(),
                vec![("/etc/tls/ks.jks", "k"), ("/bitnami/kafka/config/certs/kafka.truststore.jks", "t")],
                vec![("KAFKA_CFG_SSL_KEYSTORE_LOCATION", "not at KAFKA_CFG_SSL_KEYSTORE_LOCATION")],
            ),
            (
                "a truststore named by KAFKA_TLS_TRUSTSTORE_FILE",
                [ssl.as_slice(), &[("KAFKA_TLS_TRUSTSTORE_FILE", "/etc/tls/ts.jks")]].concat(),
                vec![("/bitnami/kafka/config/certs/kafka.keystore.jks", "k"), ("/etc/tls/ts.jks", "t")],
                vec![],
            ),
            ("PEM in the image's certs dir", [ssl.as_slice(), &[("KAFKA_TLS_TYPE", "PEM")]].concat(), pem_files.clone(), vec![]),
            (
                // Its default truststore name is chosen case-sensitively.
                "pem looks for kafka.truststore.jks",
                [ssl.as_slice(), &[("KAFKA_TLS_TYPE", "pem")]].concat(),
                pem_files.clone(),
                vec![("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "with PEM certs you must mount your kafka.keystore.pem, kafka.keystore.key and kafka.truststore.pem certs to the /bitnami/kafka/config/certs directory.\" (missing: the truststore /bitnami/kafka/config/certs/kafka.truststore.jks)")],
            ),
            ("jks, lower case", [ssl.as_slice(), &[("KAFKA_TLS_TYPE", "jks")]].concat(), JKS.to_vec(), vec![]),
            ("no SSL listener", vec![], vec![], vec![]),
            (
                "SASL_SSL without a map",
                vec![("KAFKA_CFG_LISTENERS", "SASL_SSL://:9093"), ("KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", "")],
                vec![],
                vec![("KAFKA_CFG_LISTENERS", "with JKS certs")],
            ),
            (
                "ZooKeeper over SSL without its truststore",
                vec![("KAFKA_ZOOKEEPER_PROTOCOL", "SSL")],
                vec![],
                vec![("KAFKA_ZOOKEEPER_PROTOCOL", "\"In order to configure the TLS encryption for Zookeeper with JKS certs you must mount your zookeeper.truststore.jks cert to the /bitnami/kafka/config/certs directory.\" (/bitnami/kafka/config/certs/zookeeper.truststore.jks is not a file in the container)")],
            ),
            ("ZooKeeper over SSL", vec![("KAFKA_ZOOKEEPER_PROTOCOL", "SASL_SSL"), ("KAFKA_ZOOKEEPER_USER", "u"), ("KAFKA_ZOOKEEPER_PASSWORD", "p")], vec![("/opt/bitnami/kafka/config/certs/zookeeper.truststore.jks", "t")], vec![]),
            (
                "ZooKeeper's truststore where KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_FILE says it is not",
                vec![("KAFKA_ZOOKEEPER_PROTOCOL", "SSL"), ("KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_FILE", "/etc/zk.pem"), ("KAFKA_ZOOKEEPER_TLS_TYPE", "PEM")],
                vec![],
                vec![("KAFKA_ZOOKEEPER_TLS_TRUSTSTORE_FILE", "with PEM certs you must mount your zookeeper.truststore.pem cert")],
            ),
            (
                "fewer passwords in the file than users",
                vec![("KAFKA_CLIENT_USERS", "alice,bob"), ("KAFKA_CLIENT_PASSWORDS_FILE", "/run/secrets/passwords")],
                vec![("/run/secrets/passwords", "hunter2\n")],
                vec![("KAFKA_CLIENT_USERS / KAFKA_CLIENT_PASSWORDS_FILE (/run/secrets/passwords)", "\"Specify the same number of passwords on KAFKA_CLIENT_PASSWORDS as the number of users on KAFKA_CLIENT_USERS!\"")],
            ),
            (
                "as many passwords in the file as users",
                vec![("KAFKA_CLIENT_USERS_FILE", "/run/secrets/users"), ("KAFKA_CLIENT_PASSWORDS_FILE", "/run/secrets/passwords")],
                vec![("/run/secrets/users", "alice,bob\n"), ("/run/secrets/passwords", "x,y\n")],
                vec![],
            ),
            (
                "an unreadable file: the image keeps its default",
                vec![("KAFKA_CLIENT_USERS", "alice,bob"), ("KAFKA_CLIENT_PASSWORDS_FILE", "/run/secrets/none")],
                vec![],
                vec![("KAFKA_CLIENT_USERS / KAFKA_CLIENT_PASSWORDS (kafka-env.sh default; KAFKA_CLIENT_PASSWORDS_FILE /run/secrets/none is not readable)", "same number of passwords")],
            ),
            (
                "a TLS type from its file",
                vec![("KAFKA_TLS_TYPE_FILE", "/run/type")],
                vec![("/run/type", "P12\n")],
                vec![("KAFKA_TLS_TYPE_FILE (/run/type)", "\"The allowed values for KAFKA_TLS_TYPE are: JKS PEM\"")],
            ),
        ];
        for (name, set, files, want) in cases {
            let got = in_the_container(&with(ZK, &set, &[]), &files);
            assert_eq!(got.len(), want.len(), "{name}: {got:#?}");
            for (p, (var, rule)) in got.iter().zip(&want) {
                assert_eq!(&p.var, var, "{name}: {p:#?}");
                assert!(p.rule.contains(rule), "{name}: {rule:?} not in {:?}", p.rule);
                assert!(!format!("{p:?}").contains("hunter2"), "{name}: {p:?}");
            }
        }
        // Outside the container the same environments pass: the rules that
        // need a file are not claimed.
        let env = with(ZK, &[("KAFKA_CLIENT_USERS", "alice,bob"), ("KAFKA_CLIENT_PASSWORDS_FILE", "/p"), ("KAFKA_TLS_TYPE_FILE", "/t")], &[]);
        assert!(run(&[env, ssl.to_vec()].concat(), 1001).is_empty());
    }

    #[test]
    fn a_list_read_from_its_file_is_not_counted() {
        let env = with(ZK, &[("KAFKA_CLIENT_USERS", "a,b"), ("KAFKA_CLIENT_PASSWORDS_FILE", "/run/secrets/p")], &[]);
        assert!(run(&env, 1001).is_empty());
    }
}
