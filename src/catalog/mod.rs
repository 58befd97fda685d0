//! The catalog of Kafka broker configs per Kafka version, generated from each
//! version's jars (`tools/catalog-gen`, `scripts/gen-catalog.sh`) and
//! embedded in the binary, with Kafka's own value parsing.
//!
//! Pure: [`select`] picks the version, [`check`] judges one key and value
//! against it (unknown, invalid, removed, deprecated, with Kafka's wording
//! and a fix), [`is_password`] says which keys are secrets, [`nearest`]
//! suggests names. Nothing here reads the environment.

mod data;
mod replaced;
mod select;
mod suggest;
pub mod value;

pub use data::{Default, Dynamic, Key};
pub use select::{
    line_of, select, select_for_mode, Selection, Source, DEFAULT_VERSION, IMAGE_VERSION_VARS,
    VERSION_VAR, ZOOKEEPER_DEFAULT_VERSION,
};
pub use suggest::nearest;
pub use value::{Check, Type, Value};

use crate::problem::Problem;

/// A supported Kafka version (one catalog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(usize);

impl Version {
    /// Every supported version, oldest first.
    pub fn all() -> impl Iterator<Item = Version> {
        (0..data::versions().len()).map(Version)
    }

    /// The supported version named exactly `name` (`4.4.0`).
    pub fn exact(name: &str) -> Option<Version> {
        data::versions()
            .iter()
            .position(|v| *v == name)
            .map(Version)
    }

    /// Its name, e.g. `4.4.0`.
    pub fn name(self) -> &'static str {
        data::versions()[self.0]
    }

    /// Its keys, sorted by name (internal ones included).
    pub fn keys(self) -> &'static [&'static Key] {
        data::keys(self.0)
    }

    /// The key named `name`, if this version defines it.
    pub fn key(self, name: &str) -> Option<&'static Key> {
        data::key(self.0, name)
    }

    /// Its release line, e.g. `4.0` for 4.0.2.
    pub fn line_name(self) -> &'static str {
        let name = self.name();
        name.rsplit_once('.').map_or(name, |(line, _)| line)
    }

    /// Its release line as numbers, e.g. (4, 0) for 4.0.2.
    pub fn line(self) -> (u32, u32) {
        select::line_of(self.name()).unwrap_or((0, 0))
    }
}

/// What is wrong with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// No Kafka code reads this key: the broker would ignore it silently.
    Unknown,
    /// The value is refused by Kafka's parsing or validator.
    Invalid,
    /// The key existed in an older version and was removed.
    Removed,
    /// The key still works but is deprecated: a warning, not fatal.
    Deprecated,
}

/// One finding about one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Its kind.
    pub kind: FindingKind,
    /// The rule, in Kafka's wording where Kafka has one. Never contains the
    /// value of a password key.
    pub rule: String,
    /// What to do about it.
    pub fix: String,
}

impl Finding {
    /// True for findings that should stop the start (all but deprecations).
    pub fn is_fatal(&self) -> bool {
        self.kind != FindingKind::Deprecated
    }

    /// Whether it stops the start under `selection`: with a stand-in
    /// catalog (no catalog for the requested release line), an unknown key
    /// may be a real one of that release, so it is only a warning.
    pub fn is_fatal_in(&self, selection: &Selection) -> bool {
        match self.kind {
            FindingKind::Deprecated => false,
            FindingKind::Unknown => selection.exact_line,
            FindingKind::Invalid | FindingKind::Removed => true,
        }
    }

    /// The finding as a [`Problem`] naming the variable that holds `key`;
    /// the value is shown as `<redacted>` when `key` is a secret ([`is_secret`]).
    pub fn to_problem(&self, var: &str, key: &str, value: &str) -> Problem {
        let shown = if is_secret(key) { "<redacted>" } else { value };
        let mut rule = self.rule.clone();
        if self.kind == FindingKind::Deprecated {
            rule = format!("warning: {rule}");
        }
        Problem::new(var, shown, rule, self.fix.clone())
    }
}

/// What a key is checked in the light of: this broker's listeners and the
/// user's extra keys.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// This broker's listener names (any case), for `listener.name.<l>.`;
    /// empty: any listener name is accepted.
    pub listeners: Vec<String>,
    /// Keys plugins read that Kafka cannot know (`KAFKA_INIT_EXTRA_KEYS`,
    /// parsed with [`parse_extra_keys`]): exact keys or `prefix.*`.
    pub extra_keys: Vec<String>,
    /// The configured `remote.log.storage.manager.impl.prefix` (None: Kafka's default).
    pub rsm_prefix: Option<String>,
    /// The configured `remote.log.metadata.manager.impl.prefix` (None: Kafka's default).
    pub rlmm_prefix: Option<String>,
}

impl Context {
    /// The listener names in `listeners`-style values (`NAME://host:port`,
    /// comma-separated, parsed like Kafka's LIST) and in name lists
    /// (`controller.listener.names`), without duplicates.
    pub fn listener_names(values: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = vec![];
        // A set, not a scan of the list: 10,000 entries took seconds.
        let mut seen = std::collections::HashSet::new();
        for entry in values.iter().flat_map(|v| value::split_list(v)) {
            let name = entry.split_once("://").map_or(entry.as_str(), |(n, _)| n);
            if !name.is_empty() && seen.insert(name.to_ascii_lowercase()) {
                names.push(name.to_string());
            }
        }
        names
    }
}

/// One Kafka setting as the user wrote it: the variable, its key, its value.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    /// The environment variable that holds it (`KAFKA_CFG_NUM_IO_THREADS`).
    pub var: &'a str,
    /// The Kafka key (`num.io.threads`).
    pub key: &'a str,
    /// The value as written.
    pub value: &'a str,
}

/// Checks every setting against `selection`'s catalog: the problems that
/// stop the start, and the warnings (deprecations; unknown keys under a
/// stand-in catalog), each naming its variable, secrets redacted.
pub fn check_settings<'a>(
    selection: &Selection,
    settings: impl IntoIterator<Item = Setting<'a>>,
    ctx: &Context,
) -> (Vec<Problem>, Vec<Problem>) {
    let (mut problems, mut warnings) = (vec![], vec![]);
    for s in settings {
        for f in check(selection.version, s.key, s.value, ctx) {
            let p = f.to_problem(s.var, s.key, s.value);
            if f.is_fatal_in(selection) {
                problems.push(p);
            } else {
                warnings.push(p);
            }
        }
    }
    (problems, warnings)
}

/// The setting for keys read by plugins.
pub const EXTRA_KEYS_VAR: &str = "KAFKA_INIT_EXTRA_KEYS";

/// Parses `KAFKA_INIT_EXTRA_KEYS`: comma-separated exact keys or
/// `prefix.*`; blanks between commas are ignored. The error names a bad entry.
pub fn parse_extra_keys(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            let body = e.strip_suffix(".*").unwrap_or(e);
            let ok = !body.is_empty()
                && !body.contains('*')
                && body
                    .chars()
                    .all(|c| c.is_ascii_graphic() && c != '=' && c != ':');
            if ok {
                Ok(e.to_string())
            } else {
                Err(format!(
                    "{e}: expected a key such as super.users or a prefix such as my.plugin.*"
                ))
            }
        })
        .collect()
}

/// Keys that Kafka's own plugins read from the broker's originals (not in
/// any ConfigDef): the authorizers (`StandardAuthorizer`, 3.9's
/// `AclAuthorizer`) and `JmxReporter`.
const PLUGIN_KEYS: &[&str] = &[
    "super.users",
    "allow.everyone.if.no.acl.found",
    "metrics.jmx.include",
    "metrics.jmx.exclude",
];

/// Prefixes read as groups by Kafka (research: "Legal keys that are not in
/// the ConfigDef"): the topic-based remote log metadata manager's clients.
const CLIENT_PREFIXES: &[&str] = &[
    "remote.log.metadata.common.client.",
    "remote.log.metadata.producer.",
    "remote.log.metadata.consumer.",
    "remote.log.metadata.admin.",
];

/// Judges one key and its value for `version`: nothing when Kafka would
/// take it as it is.
pub fn check(version: Version, key: &str, value: &str, ctx: &Context) -> Vec<Finding> {
    if is_extra(key, &ctx.extra_keys) || PLUGIN_KEYS.contains(&key) {
        return vec![];
    }
    if let Some(k) = version.key(key) {
        return check_known(version, k, key, value);
    }
    if let Some(rest) = key.strip_prefix("listener.name.") {
        return check_listener_key(version, key, rest, value, ctx);
    }
    if let Some(found) = check_prefixed(version, key, ctx) {
        return found;
    }
    not_in_catalog(version, key)
}

fn check_known(version: Version, k: &Key, shown_key: &str, value: &str) -> Vec<Finding> {
    let mut out = vec![];
    // A `${provider:path:key}` reference is resolved by the config provider
    // before Kafka parses the value (AbstractConfig, KIP-297): its value is
    // not known here.
    let checked = if has_config_reference(value) {
        Ok(Value::Text(value.to_string()))
    } else {
        validate(k, shown_key, value)
    };
    if let Err(rule) = checked {
        let rule = if k.ty == Type::Password {
            format!(
                "the value of {shown_key} is refused by Kafka (value not shown: it is a password)"
            )
        } else {
            rule
        };
        out.push(Finding {
            kind: FindingKind::Invalid,
            rule,
            fix: format!("give {shown_key} {}", valid_values(k)),
        });
    }
    if let Some(removal) = removed_after(version, k.name) {
        out.push(Finding {
            kind: FindingKind::Deprecated,
            rule: format!(
                "{shown_key} is deprecated in Kafka {} and removed in Kafka {removal}",
                version.name()
            ),
            fix: replacement_fix(k.name, "before upgrading"),
        });
    } else if k.deprecated {
        out.push(Finding {
            kind: FindingKind::Deprecated,
            rule: format!("{shown_key} is deprecated in Kafka {}", version.name()),
            fix: replacement_fix(k.name, "when you can"),
        });
    }
    out
}

/// Parses and validates `raw` as `key` the way Kafka does; the error is
/// Kafka's message.
pub fn validate(key: &Key, shown_key: &str, raw: &str) -> Result<Value, String> {
    let mut parsed = value::parse(shown_key, key.ty, raw)?;
    // 4.2+ (KIP-1161): `ConfigDef.parseValue` drops a repeated entry of a
    // `ValidList` key, with a warning, before the validator sees the list
    // (4.4.0 starts with `process.roles=broker,broker`: the whole-start
    // differential and the one-key one, both through that method).
    if let Value::List(entries) = &mut parsed {
        if key
            .checks
            .iter()
            .any(|c| matches!(c, Check::List { legacy: false, .. }))
        {
            let mut seen = std::collections::HashSet::new();
            entries.retain(|e| seen.insert(e.clone()));
        }
    }
    for c in &key.checks {
        value::validate(shown_key, c, &parsed)?;
    }
    Ok(parsed)
}

/// Parses a value of a catalog key the way Kafka does (for the rules):
/// None when the version does not define the key.
pub fn parse_value(version: Version, key: &str, raw: &str) -> Option<Result<Value, String>> {
    version.key(key).map(|k| validate(k, key, raw))
}

/// Describes what a key accepts, for fixes and `explain`.
pub fn valid_values(k: &Key) -> String {
    let ty = match k.ty {
        Type::Boolean => "true or false".to_string(),
        Type::List => "a comma-separated list".to_string(),
        Type::Int => "an INT".to_string(),
        other => format!("a {}", other.kafka_name()),
    };
    if k.checks.is_empty() {
        return ty;
    }
    let checks: Vec<String> = k.checks.iter().map(ToString::to_string).collect();
    format!("{ty}: {}", checks.join(" and "))
}

fn replacement_fix(key: &str, when: &str) -> String {
    match replaced::replacement(key) {
        Some(r) => match r.strip_prefix("nothing: ") {
            Some(why) => format!("remove it {when}: nothing replaces it ({why})"),
            None => format!("use {r} {when}"),
        },
        None => "remove it".to_string(),
    }
}

/// `listener.name.<listener>.<key>`, or `.<mechanism>.<key>` for SASL: the
/// listener must be one of this broker's (the prefix is lower case), and
/// the stripped key is parsed as that key (`AbstractConfig.valuesWithPrefixOverride`).
fn check_listener_key(
    version: Version,
    key: &str,
    rest: &str,
    value: &str,
    ctx: &Context,
) -> Vec<Finding> {
    let Some((listener, inner)) = rest.split_once('.') else {
        return not_in_catalog(version, key);
    };
    let listeners: Vec<String> = ctx.listeners.iter().map(|l| l.to_lowercase()).collect();
    if !listeners.is_empty() && !listeners.iter().any(|l| l == listener) {
        let hint = if listeners.iter().any(|l| l.eq_ignore_ascii_case(listener)) {
            "; Kafka's prefix uses the listener name in lower case"
        } else if listeners
            .iter()
            .any(|l| l.contains('_') && rest.starts_with(&format!("{}.", l.replace('_', "."))))
        {
            // KAFKA_CFG_LISTENER_NAME_PLAINTEXT_INTERNAL_... becomes
            // listener.name.plaintext.internal...: Bitnami turns every _ into a dot.
            "; a KAFKA_CFG_ name turns every _ into a dot, so it cannot name a listener with _ in it: \
             set this key through server.properties or the apache flavor's KAFKA_ naming (_ as __)"
        } else {
            ""
        };
        return vec![Finding {
            kind: FindingKind::Unknown,
            rule: format!(
                "{key}: this broker has no listener {listener:?} (listeners: {}){hint}",
                listeners.join(", ")
            ),
            fix: format!(
                "use listener.name.<listener>. with one of {} in lower case",
                listeners.join(", ")
            ),
        }];
    }
    if let Some(k) = version.key(inner) {
        return check_known(version, k, key, value);
    }
    if let Some(k) = inner.split_once('.').and_then(|(_, k)| version.key(k)) {
        return check_known(version, k, key, value);
    }
    let mut found = not_in_catalog(version, inner);
    for f in &mut found {
        f.rule = format!("{key}: {}", f.rule);
    }
    found
}

/// Config providers and tiered storage's plugin prefixes: None when `key`
/// is under none of them.
fn check_prefixed(version: Version, key: &str, ctx: &Context) -> Option<Vec<Finding>> {
    if key == "config.providers" {
        return Some(vec![]);
    }
    if let Some(rest) = key.strip_prefix("config.providers.") {
        // config.providers.<name>.class and config.providers.<name>.param.<p> (AbstractConfig).
        let ok = match rest.split_once('.') {
            Some((name, tail)) => {
                !name.is_empty()
                    && (tail == "class" || tail.starts_with("param.") && tail.len() > 6)
            }
            None => false,
        };
        return Some(if ok {
            vec![]
        } else {
            vec![Finding {
                kind: FindingKind::Unknown,
                rule: format!("{key}: Kafka reads config.providers.<name>.class and config.providers.<name>.param.<param> only"),
                fix: "write the provider's class as config.providers.<name>.class and its parameters as config.providers.<name>.param.<param>".into(),
            }]
        });
    }
    let rsm = ctx.rsm_prefix.clone().unwrap_or_else(|| {
        default_text(
            version,
            "remote.log.storage.manager.impl.prefix",
            "rsm.config.",
        )
    });
    let rlmm = ctx.rlmm_prefix.clone().unwrap_or_else(|| {
        default_text(
            version,
            "remote.log.metadata.manager.impl.prefix",
            "rlmm.config.",
        )
    });
    let tiered = [rsm.as_str(), rlmm.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty());
    if tiered
        .chain(CLIENT_PREFIXES.iter().copied())
        .any(|p| key.starts_with(p) && key.len() > p.len())
    {
        return Some(vec![]);
    }
    None
}

fn default_text(version: Version, key: &str, fallback: &str) -> String {
    match version.key(key).map(|k| &k.default) {
        Some(Default::Value(v)) => v.clone(),
        _ => fallback.to_string(),
    }
}

/// A key this version does not define: removed, newer, or unknown.
fn not_in_catalog(version: Version, key: &str) -> Vec<Finding> {
    let extra = format!("if a plugin reads it, add it to {EXTRA_KEYS_VAR} (exact key or prefix.*)");
    let holders: Vec<Version> = Version::all().filter(|v| v.key(key).is_some()).collect();
    if let Some(last) = holders.iter().copied().filter(|v| *v < version).max() {
        let removed_in = Version::all().find(|v| *v > last).unwrap_or(version);
        return vec![Finding {
            kind: FindingKind::Removed,
            rule: format!(
                "{key} was removed in Kafka {} (last in {}); Kafka {} ignores it",
                removed_in.line_name(),
                last.name(),
                version.name()
            ),
            fix: replacement_fix(key, "instead"),
        }];
    }
    if let Some(first) = holders.first() {
        return vec![Finding {
            kind: FindingKind::Unknown,
            rule: format!(
                "{key} is unknown to Kafka {}: it appears in Kafka {}",
                version.name(),
                first.name()
            ),
            fix: format!("remove it, or set {VERSION_VAR} if the broker runs a newer Kafka"),
        }];
    }
    let suggestions = nearest(
        key,
        version
            .keys()
            .iter()
            .filter(|k| !k.internal)
            .map(|k| k.name),
    );
    let fix = if suggestions.is_empty() {
        format!("check the key's spelling; {extra}")
    } else {
        format!("did you mean {}? {extra}", suggestions.join(", "))
    };
    vec![Finding {
        kind: FindingKind::Unknown,
        rule: format!(
            "{key} is not a Kafka {} broker config: the broker would ignore it silently",
            version.name()
        ),
        fix,
    }]
}

/// The Kafka key `name` is, or the one it is a typo of (within
/// did-you-mean's budget), in the newest supported version that has one.
pub fn nearest_key(name: &str) -> Option<String> {
    let mut versions: Vec<Version> = Version::all().collect();
    versions.reverse();
    versions.into_iter().find_map(|v| {
        let names = v.keys().iter().filter(|k| !k.internal).map(|k| k.name);
        let exact = v.key(name).map(|k| k.name.to_string());
        exact.or_else(|| {
            let names: Vec<&str> = names.collect();
            names
                .iter()
                .copied()
                .filter(|k| suggest::is_typo_of(name, k))
                .min_by_key(|k| k.len().abs_diff(name.len()))
                .map(str::to_string)
        })
    })
}

/// The first supported version after `version` that drops `key`, when one does.
fn removed_after(version: Version, key: &str) -> Option<&'static str> {
    let present = data::presence(key);
    Version::all()
        .filter(|v| *v > version)
        .find(|v| present & 1 << v.0 == 0)
        .map(Version::line_name)
}

/// Whether `value` holds a config provider reference, `${name:[path:]key}`
/// (AbstractConfig's `\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}`).
pub fn has_config_reference(value: &str) -> bool {
    value.match_indices("${").any(|(i, _)| {
        let rest = &value[i + 2..];
        rest.find('}').is_some_and(|end| rest[..end].contains(':'))
    })
}

fn is_extra(key: &str, extra: &[String]) -> bool {
    extra.iter().any(|e| match e.strip_suffix('*') {
        Some(prefix) => key.starts_with(prefix),
        None => key == e,
    })
}

/// True for every key Kafka declares PASSWORD in any supported version, and
/// for their per-listener forms `listener.name.<l>.<key>` and
/// `listener.name.<l>.<mechanism>.<key>`.
pub fn is_password(key: &str) -> bool {
    declared(key, |k| k.ty == Type::Password)
}

/// True for keys some supported version defines, directly or in a
/// per-listener form (see [`is_password`]).
pub fn is_known(key: &str) -> bool {
    declared(key, |_| true)
}

/// Whether some supported version defines `key`, or the key behind its
/// per-listener form, and `pred` holds for that definition.
fn declared(key: &str, pred: fn(&Key) -> bool) -> bool {
    let defined = |k: &str| Version::all().any(|v| v.key(k).is_some_and(pred));
    if defined(key) {
        return true;
    }
    let Some(rest) = key.strip_prefix("listener.name.") else {
        return false;
    };
    let Some((_, inner)) = rest.split_once('.') else {
        return false;
    };
    defined(inner) || inner.split_once('.').is_some_and(|(_, k)| defined(k))
}

/// Whether the value of `key` is a secret, never to be printed: Kafka's
/// PASSWORD type decides for every key the catalog knows (so
/// `ssl.keystore.key` is one and `password.encoder.keyfactory.algorithm` is
/// not); a variable name counts as the key it names ([`key_of_variable`]).
/// Names no catalog knows (plugins' keys, `KAFKA_INIT_EXTRA_KEYS`, config
/// provider parameters, the images' own variables, JVM property names,
/// command-line flags, misspelt keys) are secrets when their words say so
/// ([`SECRET_WORDS`], [`SECRET_TOKENS`]) or when the known key nearest to
/// them, the one a did-you-mean names, is a PASSWORD
/// (`ssl.keystore.passwrod`, `listener.name.x.ssl.key.pasword`).
pub fn is_secret(key: &str) -> bool {
    let as_key = key_of_variable(key);
    if is_password(key) || is_password(&as_key) {
        return true;
    }
    if is_known(key) || is_known(&as_key) {
        return false;
    }
    let k = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| k.contains(w))
        || k.split(['.', '_', '-', '='])
            .any(|t| SECRET_TOKENS.contains(&t))
        || near_password(&as_key)
        || near_password(&k)
}

/// Words that make a name a secret's wherever they appear in it.
pub const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "jaas",
    "private",
];

/// Words that make a name a secret's when they are one of its
/// `.`/`_`/`-`-separated words (`--keystore-pass`, `my.plugin.key`; not
/// `bypass` or `keystore`).
pub const SECRET_TOKENS: &[&str] = &["pass", "pwd", "key"];

/// Whether a PASSWORD key of some supported version is near enough to
/// `key`, or to the key inside its per-listener form, for did-you-mean to
/// suggest it (a typo of it). Only PASSWORD keys are compared: a few dozen.
fn near_password(key: &str) -> bool {
    let inner = key
        .strip_prefix("listener.name.")
        .and_then(|rest| rest.split_once('.'))
        .map(|(_, inner)| inner);
    let mechanism = inner.and_then(|i| i.split_once('.')).map(|(_, k)| k);
    [Some(key), inner, mechanism]
        .into_iter()
        .flatten()
        .any(|k| {
            Version::all().any(|v| {
                v.keys()
                    .iter()
                    .filter(|p| p.ty == Type::Password)
                    .any(|p| suggest::is_typo_of(k, p.name))
            })
        })
}

/// The Kafka key an image's variable name most likely stands for
/// (`KAFKA_CFG_SSL_KEYSTORE_KEY`, `KAFKA_SSL_KEYSTORE_KEY` →
/// `ssl.keystore.key`), so that a message naming only the variable still
/// redacts a PASSWORD key's value. Not a flavor's exact naming: a guess
/// that only ever adds redaction.
fn key_of_variable(var: &str) -> String {
    let rest = var
        .strip_prefix("KAFKA_CFG_")
        .or_else(|| var.strip_prefix("KAFKA_"))
        .unwrap_or(var);
    rest.to_ascii_lowercase().replace('_', ".")
}

/// The prefix of kafka-init's own settings.
pub const SETTINGS_PREFIX: &str = "KAFKA_INIT_";

/// Every `KAFKA_INIT_*` name among `names` that is not in `known` (the
/// settings kafka-init declares), each with the nearest known names, in the
/// order given: `KAFKA_INIT_REPLICA` → `KAFKA_INIT_REPLICAS`.
pub fn unknown_settings<'a>(
    names: impl IntoIterator<Item = &'a str>,
    known: &[&str],
) -> Vec<(String, Vec<String>)> {
    names
        .into_iter()
        .filter(|n| n.starts_with(SETTINGS_PREFIX) && !known.contains(n))
        .map(|n| (n.to_string(), nearest(n, known.iter().copied())))
        .collect()
}

/// The supported versions that define `key`.
pub fn versions_with(key: &str) -> Vec<Version> {
    Version::all().filter(|v| v.key(key).is_some()).collect()
}

#[cfg(test)]
mod tests;
