//! "Did you mean": the known names nearest to an unknown one, by edit
//! distance (a typo: `log.retention.hour`) or, failing that, by shared
//! tokens (words in another order: `retention.log.hours`).
//!
//! Bounded whatever the input: the edit distance (quadratic in the names'
//! lengths) is computed only for known names whose length is within the
//! distance budget of the unknown one's, and a name longer than
//! [`MAX_NAME`] or with more than [`MAX_TOKENS`] tokens gets no suggestion
//! (no known name is anywhere near it). A 120 KB key cost 33 s before.

/// The longest name suggestions are looked for (Kafka's longest key is
/// under 100 characters, kafka-init's variables under 50).
pub const MAX_NAME: usize = 200;

/// The most tokens (`.`, `_`, `-`-separated words) a name may have to be
/// compared by tokens.
const MAX_TOKENS: usize = 24;

/// At most three known names close to `name`, best first.
pub fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let len = name.chars().count();
    if len > MAX_NAME {
        return vec![];
    }
    let name_l = name.to_ascii_lowercase();
    let name_tokens = tokens(&name_l);
    let budget = (name.len() / 5).clamp(1, 3);
    let mut by_distance: Vec<(usize, &str)> = vec![];
    let mut by_tokens: Vec<(usize, &str)> = vec![];
    for k in known {
        // The distance is at least the difference in length.
        let near = k.chars().count().abs_diff(len) <= budget;
        let k_l = k.to_ascii_lowercase();
        match near.then(|| distance(&name_l, &k_l)) {
            Some(d) if d <= budget => by_distance.push((d, k)),
            _ if name_tokens.len() <= MAX_TOKENS => {
                let shared = overlap(&name_tokens, &tokens(&k_l));
                if shared > 0 {
                    by_tokens.push((usize::MAX - shared, k));
                }
            }
            _ => {}
        }
    }
    by_distance.sort();
    if !by_distance.is_empty() {
        return by_distance
            .into_iter()
            .take(3)
            .map(|(_, k)| k.to_string())
            .collect();
    }
    by_tokens.sort();
    by_tokens
        .into_iter()
        .take(3)
        .map(|(_, k)| k.to_string())
        .collect()
}

/// Whether `name` is within did-you-mean's edit budget of `known` (a typo
/// of it), under the same bounds as [`nearest`].
pub fn is_typo_of(name: &str, known: &str) -> bool {
    let len = name.chars().count();
    let budget = (name.len() / 5).clamp(1, 3);
    len <= MAX_NAME
        && known.chars().count().abs_diff(len) <= budget
        && distance(&name.to_ascii_lowercase(), &known.to_ascii_lowercase()) <= budget
}

#[cfg(test)]
thread_local! {
    /// How many edit distances this thread computed (tests bound it).
    static DISTANCES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Optimal string alignment distance (Levenshtein plus adjacent swaps).
fn distance(a: &str, b: &str) -> usize {
    #[cfg(test)]
    DISTANCES.with(|n| n.set(n.get() + 1));
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// A name's tokens, split on `.`, `_`, `-`.
fn tokens(s: &str) -> Vec<&str> {
    s.split(['.', '_', '-']).filter(|t| !t.is_empty()).collect()
}

/// How many of `ta`'s tokens `tb` has, counted only when they cover at
/// least two thirds of both names' tokens.
fn overlap(ta: &[&str], tb: &[&str]) -> usize {
    let shared = ta.iter().filter(|t| tb.contains(t)).count();
    let enough = |n: usize| shared * 3 >= n * 2;
    if enough(ta.len()) && enough(tb.len()) {
        shared
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_names() {
        let known = [
            "log.retention.hours",
            "log.retention.ms",
            "log.retention.minutes",
            "num.io.threads",
            "KAFKA_INIT_REPLICAS",
            "KAFKA_INIT_BROKER_REPLICAS",
        ];
        let cases: &[(&str, &[&str])] = &[
            ("log.retention.hour", &["log.retention.hours"]),
            ("log.retention.hourz", &["log.retention.hours"]),
            (
                "retention.log.hours",
                &[
                    "log.retention.hours",
                    "log.retention.minutes",
                    "log.retention.ms",
                ],
            ),
            ("num.oi.threads", &["num.io.threads"]),
            ("KAFKA_INIT_REPLICA", &["KAFKA_INIT_REPLICAS"]),
            ("completely.different", &[]),
        ];
        for (name, want) in cases {
            assert_eq!(nearest(name, known), *want, "{name}");
        }
    }

    /// 400 unknown 300-character keys against the whole 4.x catalog (a
    /// start's worst case in the issue): no edit distance is computed, and
    /// a name near the budget still gets its suggestion with a handful.
    #[test]
    fn suggestions_for_long_unknown_names_compute_no_edit_distance() {
        let version = crate::catalog::Version::all().last().unwrap();
        let known: Vec<&str> = version.keys().iter().map(|k| k.name).collect();
        assert!(known.len() > 300);
        DISTANCES.with(|n| n.set(0));
        for i in 0..400 {
            let name = format!("{i}.{}", "log.retention.x".repeat(20))[..300].to_string();
            assert_eq!(nearest(&name, known.iter().copied()), Vec::<String>::new());
        }
        assert_eq!(DISTANCES.with(|n| n.get()), 0);
        let huge = "a.".repeat(60_000);
        assert!(nearest(&huge, known.iter().copied()).is_empty());
        assert_eq!(DISTANCES.with(|n| n.get()), 0);
        // A typo is still found, and only names of a near length are measured.
        assert_eq!(
            nearest("log.retention.hour", known.iter().copied()),
            ["log.retention.hours"]
        );
        let measured = DISTANCES.with(|n| n.get());
        let near_length = known.iter().filter(|k| k.len().abs_diff(18) <= 3).count();
        assert_eq!(measured, near_length);
        assert!(measured < known.len() / 4, "{measured} of {}", known.len());
    }

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("abc", "acb"), 1);
        assert_eq!(distance("abc", "ab"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
