//! Step: kafka-init's own logging settings. Logging is set up before
//! anything is derived and falls back to its defaults on a bad value; this
//! step makes that value a problem, so that no setting is silently ignored.

use super::builder::Builder;
use crate::settings::Settings;

/// The levels of `KAFKA_INIT_LOG` (any case), as docs/reference/configuration.md documents them. The
/// subscriber's parser also takes `0`-`5` and reads an empty value as
/// `error`; neither is documented, so both are problems here.
pub const LOG_LEVELS: &[&str] = &["off", "error", "warn", "info", "debug", "trace"];

/// The values of `KAFKA_INIT_LOG_FORMAT`.
pub const LOG_FORMATS: &[&str] = &["text", "json"];

/// Checks `KAFKA_INIT_LOG` and `KAFKA_INIT_LOG_FORMAT`.
pub(super) fn check(b: &mut Builder, s: &Settings) {
    if let Some(level) = &s.kafka_init_log {
        if !LOG_LEVELS.iter().any(|l| l.eq_ignore_ascii_case(level)) {
            b.bad_value(
                "KAFKA_INIT_LOG",
                level,
                "the log level must be off, error, warn, info, debug or trace",
                "set one of those levels, or unset it for info",
            );
        }
    }
    if let Some(format) = &s.kafka_init_log_format {
        if !LOG_FORMATS.contains(&format.as_str()) {
            b.bad_value(
                "KAFKA_INIT_LOG_FORMAT",
                format,
                "the log format must be text or json",
                "set text or json, or unset it for text",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_log_setting_is_checked_empty_values_included() {
        let cases: &[(Option<&str>, Option<&str>, &[&str])] = &[
            (None, None, &[]),
            (Some("debug"), Some("json"), &[]),
            (Some("TRACE"), Some("text"), &[]),
            (Some("off"), None, &[]),
            (Some(""), None, &["KAFKA_INIT_LOG"]),
            (Some("verbose"), None, &["KAFKA_INIT_LOG"]),
            (Some("5"), None, &["KAFKA_INIT_LOG"]),
            (None, Some(""), &["KAFKA_INIT_LOG_FORMAT"]),
            (None, Some("JSON"), &["KAFKA_INIT_LOG_FORMAT"]),
            (
                Some("loud"),
                Some("xml"),
                &["KAFKA_INIT_LOG", "KAFKA_INIT_LOG_FORMAT"],
            ),
        ];
        for (level, format, want) in cases {
            let s = Settings {
                kafka_init_log: level.map(str::to_string),
                kafka_init_log_format: format.map(str::to_string),
                ..Default::default()
            };
            let mut b = Builder::new(Default::default());
            check(&mut b, &s);
            let got: Vec<&str> = b.problems.iter().map(|p| p.var.as_str()).collect();
            assert_eq!(got, *want, "{level:?} {format:?}");
        }
    }
}
