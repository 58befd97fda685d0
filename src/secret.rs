//! Which Kafka keys hold secrets, so that their values are never printed:
//! not by `plan`, not in a problem, not in a log line.

use std::fmt;

use crate::catalog;
use crate::problem::Problem;

/// What a secret's value is printed as.
pub const REDACTED: &str = "<redacted>";

/// True for keys whose values are never printed: Kafka's PASSWORD type for
/// every key the catalog knows (all supported versions, per-listener forms
/// included), words in the name only for keys it cannot know (see
/// [`catalog::is_secret`]).
pub fn is_secret(key: &str) -> bool {
    catalog::is_secret(key)
}

/// `value`, or [`REDACTED`] when `key` is a secret and the value is not
/// empty (an empty value reveals nothing, and a problem shows it as empty).
pub fn shown(key: &str, value: &str) -> String {
    if is_secret(key) && !value.is_empty() {
        REDACTED.into()
    } else {
        value.to_string()
    }
}

/// True for a command-line name that says its value is a secret: a
/// `-Djavax.net.ssl.keyStorePassword`, `-Dsasl.jaas.config`, `--token`,
/// `-Dssl.key` (names ending in `key`; `keystore` paths are not secrets).
fn is_secret_arg_name(name: &str) -> bool {
    let n = name.trim_start_matches('-').to_ascii_lowercase();
    let n = n
        .strip_prefix('d')
        .filter(|_| name.starts_with("-D"))
        .unwrap_or(&n);
    is_secret(n)
        || [
            "passwd",
            "token",
            "credential",
            "apikey",
            "api-key",
            "api_key",
        ]
        .iter()
        .any(|s| n.contains(s))
        || n.ends_with("key")
}

/// `text` for one line of a log or a report: control characters escaped
/// (`\n`, `\u{1b}`), so that nothing a user or a filesystem wrote (a value,
/// a file name with a line break and `ERROR ...`) can end the line and forge
/// the next one.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        escape_char(c, &mut out);
    }
    out
}

fn escape_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        c => out.push(c),
    }
}

/// One argument as a log line may show it: [`one_line`], with `\` and `"`
/// escaped too, quoted when it holds whitespace or is empty.
fn escaped_arg(arg: &str) -> String {
    let mut out = String::with_capacity(arg.len());
    for c in arg.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => escape_char(c, &mut out),
        }
    }
    if arg.is_empty() || arg.chars().any(char::is_whitespace) {
        format!("\"{out}\"")
    } else {
        out
    }
}

/// A command line for a log line: `NAME=VALUE` arguments whose name says
/// secret show [`REDACTED`] as the value, as does the argument after a
/// secret-named flag (`--password x`); everything is escaped (see
/// [`escaped_arg`]). The program itself gets its arguments untouched.
pub fn shown_argv(argv: &[String]) -> String {
    let mut out: Vec<String> = Vec::with_capacity(argv.len());
    let mut hide_next = false;
    for arg in argv {
        let shown = if std::mem::take(&mut hide_next) {
            REDACTED.to_string()
        } else if let Some((name, _)) = arg.split_once('=') {
            if is_secret_arg_name(name) {
                format!("{}={REDACTED}", escaped_arg(name))
            } else {
                escaped_arg(arg)
            }
        } else {
            hide_next = arg.starts_with('-') && is_secret_arg_name(arg);
            escaped_arg(arg)
        };
        out.push(shown);
    }
    out.join(" ")
}

/// How every output shows a problem: the one redaction rule applied to
/// its value, line breaks escaped.
impl Problem {
    /// The value as every output shows it: `None` when unset, else the
    /// value, [`REDACTED`] when it may be a secret (the one
    /// redaction rule, [`is_secret`], applied to the variable).
    pub fn shown_value(&self) -> Option<String> {
        if self.unset {
            return None;
        }
        // A problem naming two variables shows a value its creator composed
        // (counts, two ids), redacted there where needed.
        let secret = !self.value.is_empty() && !self.var.contains(" / ") && is_secret(&self.var);
        Some(if secret {
            REDACTED.to_string()
        } else {
            self.value.clone()
        })
    }

    /// The rule, escaped for one line.
    pub fn shown_rule(&self) -> String {
        one_line(&self.rule)
    }

    /// The fix, escaped for one line.
    pub fn shown_fix(&self) -> String {
        one_line(&self.fix)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = match self.shown_value() {
            None => "(unset)".to_string(),
            Some(v) => format!("{v:?}"),
        };
        write!(
            f,
            "{}={}: {}\n    fix: {}",
            one_line(&self.var),
            value,
            self.shown_rule(),
            self.shown_fix()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_are_logged_without_secrets_or_line_breaks() {
        let cases: &[(&[&str], &str)] = &[
            (&["/etc/kafka/docker/run"], "/etc/kafka/docker/run"),
            (
                &[
                    "java",
                    "-Djavax.net.ssl.keyStorePassword=hunter2",
                    "-Djavax.net.ssl.keyStore=/ks.jks",
                ],
                "java -Djavax.net.ssl.keyStorePassword=<redacted> -Djavax.net.ssl.keyStore=/ks.jks",
            ),
            (
                &["x", "-Dsasl.jaas.config=a b"],
                "x -Dsasl.jaas.config=<redacted>",
            ),
            (
                &["x", "-Dmy.secret=s", "-Dssl.key=k", "--token=t"],
                "x -Dmy.secret=<redacted> -Dssl.key=<redacted> --token=<redacted>",
            ),
            (
                &["x", "--password", "hunter2", "next"],
                "x --password <redacted> next",
            ),
            // Issue 24: the image scripts' and tools' own spellings.
            (
                &[
                    "x",
                    "--keystore-pass",
                    "X1",
                    "--sasl-pass=X2",
                    "-Dpassphrase=X3",
                ],
                "x --keystore-pass <redacted> --sasl-pass=<redacted> -Dpassphrase=<redacted>",
            ),
            (
                &["x", "--private-key-file=/k.pem", "--bypass", "on"],
                "x --private-key-file=<redacted> --bypass on",
            ),
            (
                &["x", "-Dplain=v", "positional=v"],
                "x -Dplain=v positional=v",
            ),
            (&["x", "a\nINFO forged line"], "x \"a\\nINFO forged line\""),
            (
                &["x", "tab\there", "bell\u{7}"],
                "x \"tab\\there\" bell\\u{7}",
            ),
            (&["x", ""], "x \"\""),
            (&["x", "back\\slash"], "x back\\\\slash"),
        ];
        for (argv, want) in cases {
            let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
            let got = shown_argv(&argv);
            assert_eq!(got, *want, "{argv:?}");
            assert!(!got.contains('\n') && !got.contains('\r'));
        }
    }

    #[test]
    fn kafkas_password_type_decides_and_words_only_for_keys_no_catalog_knows() {
        for k in [
            "ssl.keystore.password",
            "ssl.keystore.key",
            "ssl.keystore.certificate.chain",
            "ssl.truststore.certificates",
            "delegation.token.master.key",
            "delegation.token.secret.key",
            "listener.name.internal.ssl.keystore.password",
            "listener.name.internal.ssl.keystore.key",
            "listener.name.x.plain.sasl.jaas.config",
            // Plugins' keys: their words decide.
            "ldap.bind.password",
            "my.plugin.secret",
            // Variables that name a PASSWORD key in an image's naming.
            "KAFKA_CFG_SSL_KEYSTORE_KEY",
            "KAFKA_SSL_TRUSTSTORE_CERTIFICATES",
            // Issue 24: misspelt PASSWORD keys (their did-you-mean is one).
            "ssl.keystore.passwrod",
            "KAFKA_CFG_SSL_KEYSTORE_PASSWROD",
            "listener.name.plaintext.ssl.key.pasword",
            // Issue 24: plugins' keys by their words.
            "my.plugin.private.key",
            "my.plugin.passphrase",
            "my.plugin.passwd",
            "my.plugin.pass",
            "my.plugin.credentials.file",
            "KAFKA_CFG_MY_PLUGIN_TOKEN",
        ] {
            assert!(is_secret(k), "{k}");
        }
        for k in [
            "ssl.keystore.location",
            "listeners",
            "zookeeper.connect",
            // Known to Kafka and not PASSWORD, whatever its words say.
            "password.encoder.keyfactory.algorithm",
            "listener.name.internal.ssl.keystore.location",
            "my.plugin.url",
            "KAFKA_CFG_SSL_KEYSTORE_LOCATION",
            // A typo of a key that is not a PASSWORD.
            "ssl.keystore.locatoin",
            "my.plugin.bypass",
            "KAFKA_INIT_EXTERNAL_HOST",
            "KAFKA_INIT_EXTRA_KEYS",
            "POD_NAME",
        ] {
            assert!(!is_secret(k), "{k}");
        }
        assert_eq!(shown("ssl.key.password", "x"), REDACTED);
        assert_eq!(shown("ssl.key.password", ""), "");
        assert_eq!(shown("num.partitions", "3"), "3");
    }
}
