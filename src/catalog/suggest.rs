//! "Did you mean": the known names nearest to an unknown one, by edit
//! distance (a typo: `log.retention.hour`) or, failing that, by shared
//! tokens (words in another order: `retention.log.hours`).

/// At most three known names close to `name`, best first.
pub fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let name_l = name.to_ascii_lowercase();
    let budget = (name.len() / 5).clamp(1, 3);
    let mut by_distance: Vec<(usize, &str)> = vec![];
    let mut by_tokens: Vec<(usize, &str)> = vec![];
    for k in known {
        let d = distance(&name_l, &k.to_ascii_lowercase());
        if d <= budget {
            by_distance.push((d, k));
        } else {
            let shared = overlap(&name_l, &k.to_ascii_lowercase());
            if shared > 0 {
                by_tokens.push((usize::MAX - shared, k));
            }
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

/// Optimal string alignment distance (Levenshtein plus adjacent swaps).
fn distance(a: &str, b: &str) -> usize {
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

/// How many of `a`'s tokens (split on `.`, `_`, `-`) `b` has, counted only
/// when they cover at least two thirds of both names' tokens.
fn overlap(a: &str, b: &str) -> usize {
    let tokens = |s: &str| -> Vec<String> {
        s.split(['.', '_', '-'])
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (ta, tb) = (tokens(a), tokens(b));
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

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("abc", "acb"), 1);
        assert_eq!(distance("abc", "ab"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
