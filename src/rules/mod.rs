//! Kafka's own start-up rules for the keys kafka-init touches, applied to the
//! final Plan before anything runs. Each rule cites where Kafka enforces it
//! (3.9 line numbers; KC = core/.../server/KafkaConfig.scala, CU =
//! core/.../utils/CoreUtils.scala) and uses Kafka's wording where Kafka has one.

mod dirs;
mod keys;
mod kraft;
mod limits;
mod listeners;

pub use listeners::DIFFERENT_PORTS;
#[cfg(test)]
mod tests;
mod zookeeper;

use crate::catalog::{self, value, Value};
use crate::listener;
use crate::plan::{Mode, Origin, Plan};
use crate::problem::Problem;
use crate::secret;

/// What a rule needs to know about one key of the Plan.
struct Key<'a> {
    plan: &'a Plan,
}

impl<'a> Key<'a> {
    fn value(&self, key: &str) -> Option<&'a str> {
        self.plan.get(key)
    }

    fn origin(&self, key: &str) -> Option<&'a Origin> {
        self.plan
            .entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.origin)
    }

    /// The variable to name in a message about `key`: the one the user
    /// set (the alias, when they used it), else the flavor's, marked
    /// "(derived)" when kafka-init derived a value for it.
    fn var(&self, key: &str) -> String {
        match self.origin(key) {
            Some(Origin::User(v)) | Some(Origin::Completed(v)) => v.clone(),
            Some(Origin::Derived) if self.value(key) != Some("") => {
                format!("{} (derived)", self.setting(key))
            }
            _ => self.setting(key),
        }
    }

    /// The variable a fix tells the user to set for `key`: the one they
    /// set (an alias stays the alias: setting the other name too would
    /// make two that disagree), else the flavor's.
    fn setting(&self, key: &str) -> String {
        match self.origin(key) {
            Some(Origin::User(v)) | Some(Origin::Completed(v)) => v.clone(),
            _ => (self.plan.flavor.var_for)(key),
        }
    }

    fn shown(&self, key: &str) -> String {
        secret::shown(key, self.value(key).unwrap_or_default())
    }

    /// A problem about `key`; a set but empty value says so (a problem's
    /// empty value otherwise reads as "unset").
    fn problem(&self, key: &str, rule: impl Into<String>, fix: impl Into<String>) -> Problem {
        // Only a value the user set can be "set but empty".
        let user_set = matches!(self.origin(key), Some(Origin::User(_)));
        let rule = match self.value(key) {
            Some("") if user_set => format!("{key} is set but empty; {}", rule.into()),
            _ => rule.into(),
        };
        Problem::new(self.var(key), self.shown(key), rule, fix)
    }
    /// The value of a catalog key parsed the way the selected Kafka version
    /// parses it; None when unset, when the version does not define the key,
    /// or when the value is refused (the catalog check reports that).
    fn parsed(&self, key: &str) -> Option<Value> {
        let raw = self.value(key)?;
        catalog::parse_value(self.plan.kafka.version, key, raw)?.ok()
    }

    /// A number key as Kafka reads it: the value set, else the selected
    /// version's default. None when the version does not define the key, its
    /// default is null, or the value set is refused (the catalog reports
    /// that, and a rule between keys says nothing about it).
    fn number(&self, key: &str) -> Option<i64> {
        let value = match self.value(key) {
            Some(_) => self.parsed(key),
            None => match &self.plan.kafka.version.key(key)?.default {
                catalog::Default::Value(d) => {
                    catalog::parse_value(self.plan.kafka.version, key, d)?.ok()
                }
                _ => None,
            },
        };
        match value {
            Some(Value::Int(n)) => Some(n),
            _ => None,
        }
    }

    /// A STRING key as Kafka reads it: trimmed (`ConfigDef.parseType`).
    fn text(&self, key: &str) -> Option<String> {
        self.value(key).map(|v| value::java_trim(v).to_string())
    }

    /// The selected Kafka version's release line, e.g. (3, 9).
    fn line(&self) -> (u32, u32) {
        self.plan.kafka.version.line()
    }
}

/// Appends every broken rule of `plan` to `problems`, and what is worth a
/// warning but does not stop the start (deprecated keys, unknown keys under
/// a stand-in catalog) to `warnings`.
pub fn validate(plan: &Plan, problems: &mut Vec<Problem>, warnings: &mut Vec<Problem>) {
    let k = Key { plan };
    let listeners = listeners::parsed(&k, "listeners", problems);
    let advertised = listeners::parsed(&k, "advertised.listeners", problems);
    let map = match k
        .value("listener.security.protocol.map")
        .map(listener::parse_map)
    {
        Some(Err(e)) => {
            problems.push(k.problem(
                "listener.security.protocol.map",
                e,
                "write NAME:PROTOCOL pairs, protocols PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL",
            ));
            None
        }
        Some(Ok(m)) => Some(m),
        None => None,
    };
    let ctrl_names = controller_names(&k);
    let ctrl_names: Vec<&str> = ctrl_names.iter().map(String::as_str).collect();
    let is_ctrl = |n: &str| plan.mode == Mode::KRaft && ctrl_names.contains(&n);

    listeners::listener_rules(
        &k,
        listeners.as_deref(),
        advertised.as_deref(),
        map.as_ref(),
        &ctrl_names,
        problems,
    );
    if plan.role.is_broker() {
        listeners::broker_rules(
            &k,
            listeners.as_deref(),
            advertised.as_deref(),
            map.as_ref(),
            &is_ctrl,
            problems,
        );
    }
    match plan.mode {
        Mode::ZooKeeper => zookeeper::zookeeper_rules(&k, problems),
        Mode::KRaft => kraft::kraft_rules(
            &k,
            listeners.as_deref(),
            advertised.as_deref(),
            &ctrl_names,
            problems,
        ),
    }

    listeners::inter_broker_rules(&k, problems);
    dirs::data_dir_rules(&k, problems);
    limits::limit_rules(&k, problems);
    entry_rules(&k, problems);
    keys::catalog_rules(&k, problems, warnings);
}

/// `controller.listener.names` as the selected version splits it: 3.9 and
/// 4.0 a STRING, trimmed whole by `ConfigDef.parseType`, then
/// `value.split(",")`, entries not trimmed, trailing empty entries dropped
/// by Java (KC 3.9:721-731, 4.0:500-510), so ` CONTROLLER` is `CONTROLLER`
/// and `CONTROLLER ,X` keeps `CONTROLLER `; 4.1 on, a LIST: entries trimmed
/// (AKC 4.1:109-111), empty ones dropped by KafkaConfig (4.1 starts with
/// `CONTROLLER,`; 4.2+ validators refuse them: the catalog's check; 4.2+
/// parsing drops a repeated name). An
/// empty value names none. (The whole-start differential found both.)
fn controller_names(k: &Key) -> Vec<String> {
    let Some(raw) = k.value("controller.listener.names") else {
        return vec![];
    };
    if k.line() >= (4, 1) {
        let mut names = value::split_list(raw);
        names.retain(|n| !n.is_empty());
        // 4.2+ parsing drops a repeated name (KIP-1161).
        if k.line() >= (4, 2) {
            let mut seen = std::collections::HashSet::new();
            names.retain(|n| seen.insert(n.clone()));
        }
        return names;
    }
    let raw = value::java_trim(raw);
    if raw.is_empty() {
        return vec![];
    }
    let mut names: Vec<String> = raw.split(',').map(str::to_string).collect();
    while names.last().is_some_and(String::is_empty) {
        names.pop();
    }
    names
}

/// True for a character `java.util.Properties.load` ends a key at (`=`,
/// `:`, space, tab, form feed) or ends a line at, or any other control character.
fn ends_a_key(c: char) -> bool {
    matches!(c, '=' | ':' | ' ' | '\t' | '\u{c}') || c.is_control()
}

/// Every key and value can be handed over intact: as a `server.properties`
/// line, an environment variable, a `plan --format env` line. A line break
/// in a value, or a separator in a key, would make Kafka read something else.
fn entry_rules(k: &Key, problems: &mut Vec<Problem>) {
    for e in &k.plan.entries {
        if e.key.is_empty() || e.key.chars().any(ends_a_key) {
            problems.push(k.problem(
                &e.key,
                format!("the key {:?} is empty or holds a character java.util.Properties reads as the end of a key or of a line ('=', ':', whitespace, control characters)", e.key),
                "rename the variable: Kafka keys are letters, digits, '.', '_' and '-'",
            ));
        }
        if e.value.contains(['\n', '\r']) {
            problems.push(k.problem(
                &e.key,
                format!("the value of {} holds a line break: server.properties and `plan --format env` would end the line there and read the rest as another setting", e.key),
                "write the value on one line (Kafka lists are comma-separated)",
            ));
        }
    }
}
