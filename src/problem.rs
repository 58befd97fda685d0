//! Validation problems as data: each names the variable, its value, the rule
//! it breaks and the fix. They are collected, never thrown one at a time, so a
//! user sees every mistake of a configuration in one run.
//!
//! What a problem shows is bounded whatever the input: a value is kept
//! shortened (with its length) from the start, so that many problems about
//! one long value cost memory in proportion to their number, not to the
//! value's size; a rule or fix is shortened likewise; and the whole report
//! stops at [`MAX_REPORT`] bytes, saying how many problems it left out.
//! Every path that shows a problem (the text report, the JSON log, the
//! warnings) shows its value through `Problem::shown_value`, defined with
//! the redaction rule in `secret` (which this module does not import, so
//! that the catalog, below `secret`, can make problems): secrets redacted,
//! line breaks escaped.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// The longest value a problem keeps, in characters; a longer one is kept
/// as its start and its length.
pub const MAX_VALUE: usize = 200;
/// The longest rule or fix a problem keeps, in characters.
pub const MAX_TEXT: usize = 2000;
/// The most bytes of problems a report prints before it stops and says how
/// many it left out.
pub const MAX_REPORT: usize = 64 * 1024;

/// One thing wrong with the configuration, found before anything is changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The environment variable (or variables, joined by " / ") that holds the value.
    pub var: String,
    /// The value as read, shortened to [`MAX_VALUE`] characters (already
    /// redacted when a creator knew it is a secret; shown redacted anyway
    /// when the variable's name says so).
    pub value: String,
    /// True when the variable is not set at all (shown as "(unset)"); an
    /// empty `value` of a set variable is shown as `""`. [`Problem::new`]
    /// takes an empty value for unset; [`settle`] corrects that from the
    /// environment.
    pub unset: bool,
    /// The rule that is broken, in Kafka's wording where Kafka has one.
    pub rule: String,
    /// What to do about it.
    pub fix: String,
}

/// `text` when it has at most `max` characters, else its start and its
/// length: `ab… (58890 characters)`.
pub fn shortened(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let keep = max * 3 / 5;
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            format!("{}… ({} characters)", &text[..end], text.chars().count())
        }
    }
}

impl Problem {
    /// A problem with the given parts; an empty `value` stands for an unset
    /// variable until [`settle`] looks at the environment.
    pub fn new(
        var: impl Into<String>,
        value: impl Into<String>,
        rule: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        let value = value.into();
        Problem {
            var: var.into(),
            unset: value.is_empty(),
            value: shortened(&value, MAX_VALUE),
            rule: shortened(&rule.into(), MAX_TEXT),
            fix: shortened(&fix.into(), MAX_TEXT),
        }
    }
}

/// Tells an unset variable from a set but empty one, from the environment
/// `vars`: a problem that names one variable with no value shows the
/// variable's value when it is set (`""` when empty), "(unset)" only when
/// it is not.
pub fn settle(problems: &mut [Problem], vars: &BTreeMap<String, String>) {
    for p in problems.iter_mut().filter(|p| p.value.is_empty()) {
        if let Some(v) = vars.get(&p.var) {
            p.unset = false;
            p.value = shortened(v, MAX_VALUE);
        }
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

    /// The problems without repeats: the same variable, value, rule and
    /// fix reported twice (a rule applied to each entry of a list) is one
    /// problem.
    pub fn distinct(&self) -> Vec<&Problem> {
        let mut seen = HashSet::new();
        self.0
            .iter()
            .filter(|p| seen.insert((&p.var, &p.value, &p.rule, &p.fix)))
            .collect()
    }
}

impl Problems {
    /// The distinct problems a report shows (as many as fit in
    /// [`MAX_REPORT`] bytes, each counted as its text), and how many
    /// distinct ones it leaves out.
    pub fn shown(&self) -> (Vec<&Problem>, usize) {
        let mut distinct = self.distinct();
        let mut written = 0;
        let fit = distinct
            .iter()
            .take_while(|p| {
                written += p.var.len() + p.value.len() + p.rule.len() + p.fix.len() + 20;
                written <= MAX_REPORT
            })
            .count();
        let left_out = distinct.len() - fit;
        distinct.truncate(fit);
        (distinct, left_out)
    }

    /// The line that says how many problems a report left out.
    pub fn left_out_line(left_out: usize) -> String {
        format!("... and {left_out} more problem(s) not shown (the report stops at {} KiB): fix these first", MAX_REPORT / 1024)
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (shown, left_out) = self.shown();
        writeln!(
            f,
            "{} configuration problem(s); nothing was started or changed:",
            shown.len() + left_out
        )?;
        for (i, p) in shown.iter().enumerate() {
            writeln!(f, "  {}. {}", i + 1, p)?;
        }
        if left_out > 0 {
            writeln!(f, "  {}", Problems::left_out_line(left_out))?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_shows_its_value_as_the_user_set_it_bounded_and_without_secrets() {
        let vars: BTreeMap<String, String> = [
            ("EMPTY", ""),
            ("KAFKA_CFG_SSL_KEYSTORE_PASSWORD", "hunter2"),
            ("KAFKA_CFG_SSL_KEY_PASSWORD", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let long = "x0,".repeat(20_000);
        // (var, value the creator gave, what the report shows)
        let cases: &[(&str, &str, &str)] = &[
            ("UNSET", "", "UNSET=(unset): r"),
            ("EMPTY", "", "EMPTY=\"\": r"),
            ("PLAIN", "v", "PLAIN=\"v\": r"),
            ("KAFKA_CFG_SSL_KEYSTORE_PASSWORD", "hunter2", "KAFKA_CFG_SSL_KEYSTORE_PASSWORD=\"<redacted>\": r"),
            // Unset or empty secrets reveal nothing: said as they are.
            ("KAFKA_CFG_SSL_TRUSTSTORE_PASSWORD", "", "KAFKA_CFG_SSL_TRUSTSTORE_PASSWORD=(unset): r"),
            ("KAFKA_CFG_SSL_KEY_PASSWORD", "", "KAFKA_CFG_SSL_KEY_PASSWORD=\"\": r"),
            // A misspelt secret: its nearest known key is a PASSWORD.
            ("KAFKA_CFG_SSL_KEYSTORE_PASSWROD", "hunter2", "KAFKA_CFG_SSL_KEYSTORE_PASSWROD=\"<redacted>\": r"),
            // A composed value: its creator's to redact.
            ("KAFKA_CLIENT_USERS / KAFKA_CLIENT_PASSWORDS", "2 user(s) / 1 password(s)", "KAFKA_CLIENT_USERS / KAFKA_CLIENT_PASSWORDS=\"2 user(s) / 1 password(s)\": r"),
            ("HOST", "a\nERROR forged", "HOST=\"a\\nERROR forged\": r"),
            (
                "LONG",
                &long,
                "LONG=\"x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,x0,… (60000 characters)\": r",
            ),
        ];
        for (var, value, want) in cases {
            let mut p = [Problem::new(*var, *value, "r", "f")];
            settle(&mut p, &vars);
            let got = p[0].to_string();
            assert_eq!(got.lines().next().unwrap(), *want, "{var}");
            assert!(!got.contains("hunter2"), "{got}");
        }
        let p = Problem::new("V", "v", "rule with\na line break", "fix\rit");
        assert_eq!(
            p.to_string(),
            "V=\"v\": rule with\\na line break\n    fix: fix\\rit"
        );
    }

    #[test]
    fn a_report_of_many_problems_is_capped_and_repeats_are_one_problem() {
        let same = Problem::new("V", "v", "r", "f");
        let report = Problems(vec![same.clone(), same.clone(), same]).to_string();
        assert!(report.starts_with("1 configuration problem(s)"), "{report}");
        let many: Vec<Problem> = (0..10_000)
            .map(|i| Problem::new(format!("V{i}"), "x".repeat(10_000), "r".repeat(5000), "f"))
            .collect();
        let report = Problems(many).to_string();
        assert!(report.len() <= MAX_REPORT + 1024, "{}", report.len());
        assert!(report.contains("more problem(s) not shown"), "{report}");
        assert!(report.starts_with("10000 configuration problem(s)"));
    }
}
