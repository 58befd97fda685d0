//! Validation problems as data: each names the variable, its value, the rule
//! it breaks and the fix. They are collected, never thrown one at a time, so a
//! user sees every mistake of a configuration in one run.

use std::fmt;

/// One thing wrong with the configuration, found before anything is changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The environment variable (or variables, joined by " / ") that holds the value.
    pub var: String,
    /// The value as read (already redacted when it is a secret); empty when unset.
    pub value: String,
    /// The rule that is broken, in Kafka's wording where Kafka has one.
    pub rule: String,
    /// What to do about it.
    pub fix: String,
}

impl Problem {
    /// A problem with the given parts.
    pub fn new(
        var: impl Into<String>,
        value: impl Into<String>,
        rule: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Problem {
            var: var.into(),
            value: value.into(),
            rule: rule.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.value.is_empty() {
            "(unset)".to_string()
        } else {
            format!("{:?}", self.value)
        };
        write!(
            f,
            "{}={}: {}\n    fix: {}",
            self.var, value, self.rule, self.fix
        )
    }
}

/// All problems of one run; the error type of derivation and validation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} configuration problem(s); nothing was started or changed:",
            self.0.len()
        )?;
        for (i, p) in self.0.iter().enumerate() {
            writeln!(f, "  {}. {}", i + 1, p)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}
