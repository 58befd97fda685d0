//! Which Kafka keys hold secrets, so that their values are never printed:
//! not by `plan`, not in a problem, not in a log line.

/// What a secret's value is printed as.
pub const REDACTED: &str = "<redacted>";

/// True for keys whose values are never printed.
pub fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["password", "secret", "jaas"].iter().any(|s| k.contains(s))
}

/// `value`, or [`REDACTED`] when `key` is a secret.
pub fn shown(key: &str, value: &str) -> String {
    if is_secret(key) {
        REDACTED.into()
    } else {
        value.to_string()
    }
}
