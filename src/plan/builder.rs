//! The Builder every derivation step writes to: the entries so far (the
//! user's first, so that the user always wins) and the problems found.

use std::collections::BTreeMap;

use super::{Entry, Origin, UserSetting, UserSettings};
use crate::problem::Problem;
use crate::secret;

/// Collects entries and problems while deriving.
pub(super) struct Builder {
    pub(super) user: UserSettings,
    pub(super) entries: BTreeMap<String, Entry>,
    pub(super) problems: Vec<Problem>,
}

impl Builder {
    /// A Builder that starts from the user's settings.
    pub(super) fn new(user: UserSettings) -> Self {
        let entries = user
            .iter()
            .map(|(k, u)| {
                let e = Entry {
                    key: k.clone(),
                    value: u.value.clone(),
                    origin: Origin::User(u.var.clone()),
                };
                (k.clone(), e)
            })
            .collect();
        Builder {
            user,
            entries,
            problems: vec![],
        }
    }

    pub(super) fn user(&self, key: &str) -> Option<&UserSetting> {
        self.user.get(key)
    }

    pub(super) fn user_value(&self, key: &str) -> Option<&str> {
        self.user.get(key).map(|s| s.value.as_str())
    }

    /// Sets a key kafka-init derives, unless the user set it (the user wins).
    pub(super) fn default(&mut self, key: &str, value: impl Into<String>) {
        if !self.user.contains_key(key) {
            self.entries.insert(
                key.to_string(),
                Entry {
                    key: key.to_string(),
                    value: value.into(),
                    origin: Origin::Derived,
                },
            );
        }
    }

    /// Removes a key from the user's settings and the Plan (a migration
    /// phase forbids it); true when it was there.
    pub(super) fn remove(&mut self, key: &str) -> bool {
        let had = self.user.remove(key).is_some();
        self.entries.remove(key).is_some() || had
    }

    /// Sets a key that completes the user's value (or stands in for it when unset).
    pub(super) fn complete(&mut self, key: &str, value: String) {
        let origin = match self.user.get(key) {
            Some(u) if u.value == value => return,
            Some(u) => Origin::Completed(u.var.clone()),
            None => Origin::Derived,
        };
        self.entries.insert(
            key.to_string(),
            Entry {
                key: key.to_string(),
                value,
                origin,
            },
        );
    }

    /// A problem about the user's setting of `key`, its value redacted when `key` is a secret.
    pub(super) fn user_problem(
        &mut self,
        key: &str,
        setting: &UserSetting,
        rule: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let value = secret::shown(key, &setting.value);
        self.problem(&setting.var, &value, rule, fix);
    }

    /// A problem about a setting's value, saying so when the value is set
    /// but empty (a problem's empty value otherwise reads as "unset").
    pub(super) fn bad_value(&mut self, var: &str, value: &str, rule: &str, fix: impl Into<String>) {
        let rule = if value.is_empty() {
            format!("{var} is set but empty; {rule}")
        } else {
            rule.to_string()
        };
        self.problem(var, value, rule, fix);
    }

    pub(super) fn problem(
        &mut self,
        var: &str,
        value: &str,
        rule: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.problems.push(Problem::new(var, value, rule, fix));
    }

    /// Parses a TCP port setting (1-65535).
    pub(super) fn port(&mut self, var: &str, value: Option<&String>, default: u16) -> u16 {
        // The range check makes the narrowing lossless.
        self.number(var, value, u32::from(default), 1, 65535) as u16
    }

    /// Parses a numeric setting in `min..=max`, reporting a bad value.
    pub(super) fn number(
        &mut self,
        var: &str,
        value: Option<&String>,
        default: u32,
        min: u32,
        max: u32,
    ) -> u32 {
        let Some(v) = value else { return default };
        match v.trim().parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                self.problem(
                    var,
                    v,
                    format!("must be a whole number from {min} to {max}"),
                    format!("set {var} to a number in that range, or unset it for the default ({default})"),
                );
                default
            }
        }
    }
}
