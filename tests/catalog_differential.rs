//! The catalog's differential test against real Kafka: for every key of
//! every supported version, valid and invalid values made from its type and
//! validator are judged by `catalog::check` and by Kafka's own parsing
//! (`ConfigDef.parseType` and the key's validator, in one JVM per version:
//! tools/catalog-gen/Verdicts.java), and the verdicts are compared. Prints
//! the agreement rate; fails on any disagreement that is not a listed,
//! deliberate difference. Needs a JDK and the jars (scripts/gen-catalog.sh
//! fetches them), so it is `#[ignore]`d in the plain `cargo test` run and
//! run as its own stage of scripts/test:
//! `cargo test --test catalog_differential -- --ignored --nocapture`.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use kafka_init::catalog::{self, Check, Context, FindingKind, Key, Type, Version};
use util::TempDir;

/// Does a case fall under a known difference?
type Matches = fn(&Key, &str) -> bool;

/// Where kafka-init and Kafka deliberately differ: (why, which cases).
const KNOWN_DIFFERENCES: &[(&str, Matches)] = &[
    (
        "CLASS: Kafka loads the class, kafka-init cannot (the image's classpath is not here), so a missing class passes",
        |k, v| k.ty == Type::Class && v.trim() != "java.lang.String" && !v.trim_matches(|c: char| c <= ' ').is_empty(),
    ),
    (
        "numbers: Java's parsers take any Unicode decimal digit (U+0663 is 3); kafka-init takes ASCII digits only, stricter on purpose",
        |k, v| matches!(k.ty, Type::Int | Type::Short | Type::Long | Type::Double) && v.chars().any(|c| c.is_numeric() && !c.is_ascii_digit()),
    ),
];

#[test]
#[ignore = "needs a JDK and the Kafka jars: run by scripts/test's catalog stage"]
fn catalog_verdicts_agree_with_kafkas_own_parsing() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let classes = TempDir::new("verdicts");
    compile(&root, &classes.0);
    let (mut total, mut agree, mut same_words, mut both_refused) = (0, 0, 0, 0);
    let mut unexplained = vec![];
    let mut per_difference = vec![0; KNOWN_DIFFERENCES.len()];
    for version in Version::all() {
        let cases: Vec<(&Key, String)> = version
            .keys()
            .iter()
            .copied()
            .flat_map(|k| values_for(k).into_iter().map(move |v| (k, v)))
            .collect();
        let kafka = kafka_verdicts(&root, &classes.0, version, &cases);
        let mut known = 0;
        for ((key, value), kafka) in cases.iter().zip(&kafka) {
            total += 1;
            let ours = ours(version, key, value);
            match (&ours, kafka) {
                (None, None) => agree += 1,
                (Some(a), Some(b)) => {
                    agree += 1;
                    both_refused += 1;
                    if a == b || key.ty == Type::Password {
                        same_words += 1;
                    } else if both_refused - same_words <= 10 {
                        println!(
                            "  wording {} {}={value:?}\n    ours:  {a}\n    kafka: {b}",
                            version.name(),
                            key.name
                        );
                    }
                }
                _ => match KNOWN_DIFFERENCES
                    .iter()
                    .position(|(_, hit)| hit(key, value))
                {
                    Some(i) => {
                        known += 1;
                        per_difference[i] += 1;
                    }
                    None => unexplained.push(format!(
                        "{} {}={value:?}: kafka-init {}, Kafka {}",
                        version.name(),
                        key.name,
                        verdict(&ours),
                        verdict(kafka)
                    )),
                },
            }
        }
        println!(
            "Kafka {}: {} cases, {known} known differences",
            version.name(),
            cases.len()
        );
    }
    for ((why, _), n) in KNOWN_DIFFERENCES.iter().zip(&per_difference) {
        println!("known difference ({n} cases): {why}");
    }
    let rate = 100.0 * agree as f64 / total as f64;
    println!(
        "catalog differential: {agree}/{total} verdicts agree with Kafka ({rate:.2}%); \
         Kafka's wording matched in {same_words}/{both_refused} refusals"
    );
    assert!(
        unexplained.is_empty(),
        "{} unexplained disagreements:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}

fn verdict(v: &Option<String>) -> String {
    match v {
        None => "accepts".into(),
        Some(m) => format!("refuses ({m})"),
    }
}

/// kafka-init's verdict: the rule of its first Invalid finding.
fn ours(version: Version, key: &Key, value: &str) -> Option<String> {
    catalog::check(version, key.name, value, &Context::default())
        .into_iter()
        .find(|f| f.kind == FindingKind::Invalid)
        .map(|f| f.rule)
}

/// Values to try for a key: the type's edge cases and each check's edges.
fn values_for(k: &Key) -> Vec<String> {
    let mut v: Vec<String> = match k.ty {
        Type::Boolean => vec!["true", "FALSE", " True ", "yes", "", "1", "tru"],
        Type::Int | Type::Short | Type::Long => vec![
            "0", "1", "-1", " 7 ", "+3", "abc", "", "1.5", "0x10", "1_000",
        ],
        Type::Double => vec![
            "0.5",
            "1e3",
            "NaN",
            "-Infinity",
            "0x1p-1",
            "1.5f",
            "abc",
            "",
            "1e",
            ".",
            "5.",
            "inf",
        ],
        Type::String => vec!["", " ", "x", " x "],
        Type::List => vec!["", " ", "a", "a,,b", "a,a", "a,", " a , b "],
        Type::Class => vec!["java.lang.String", " java.lang.String ", "no.such.Class"],
        Type::Password => vec!["x", "", " s "],
    }
    .into_iter()
    .map(String::from)
    .collect();
    // Java's trim() takes every char up to U+0020 (NUL, vertical tab), not
    // NBSP; its number parsers take non-ASCII digits (kafka-init does not).
    let tricky: &[&str] = match k.ty {
        Type::Boolean => &[
            "\u{0}true",
            "\u{b}false\u{b}",
            "\u{a0}true",
            "tRuE",
            "truE ",
        ],
        Type::Int | Type::Short | Type::Long => &["\u{b}7", "\u{a0}7", "-0", "7L", " +0 "],
        Type::Double => &[
            "1e400",
            "-0",
            "1E3",
            "1.",
            "1e+3",
            "0x1p",
            "0x1.8p1",
            "0X.8P1",
            "1_0",
            "\u{b}0.5",
            "1d",
            "Infinityf",
        ],
        Type::List => &["\u{b}a,b\u{b}", "a\u{b},b", "a ,\u{c} b", "a\u{a0},b"],
        Type::String | Type::Password | Type::Class => &["\u{0}x\u{1f}", "\u{a0}"],
    };
    v.extend(tricky.iter().map(|t| t.to_string()));
    if k.name == "num.io.threads" {
        // One key shows the listed difference on non-ASCII digits (U+0663 is 3).
        v.extend(["\u{663}".to_string(), "\u{663}7".to_string()]);
    }
    let (min, max) = match k.ty {
        Type::Int => (i64::from(i32::MIN), i64::from(i32::MAX)),
        Type::Short => (i64::from(i16::MIN), i64::from(i16::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    if matches!(k.ty, Type::Int | Type::Short | Type::Long) {
        v.extend([
            min.to_string(),
            max.to_string(),
            format!("{}0", max),
            format!("{}0", min),
        ]);
    }
    for c in &k.checks {
        v.extend(check_values(k.ty, c));
    }
    v.sort();
    v.dedup();
    v
}

fn check_values(ty: Type, c: &Check) -> Vec<String> {
    let around = |text: &str| -> Vec<String> {
        match ty {
            Type::Double => {
                let x: f64 = text.parse().unwrap_or(0.0);
                vec![
                    text.to_string(),
                    format!("{}", x - 0.001),
                    format!("{}", x + 0.001),
                ]
            }
            _ => {
                let x: i64 = text.parse().unwrap_or(0);
                vec![
                    x.to_string(),
                    x.saturating_sub(1).to_string(),
                    x.saturating_add(1).to_string(),
                ]
            }
        }
    };
    match c {
        Check::Range { min, max } => [min, max]
            .into_iter()
            .flatten()
            .flat_map(|b| around(b.text))
            .collect(),
        Check::Ranges { ranges, .. } => ranges
            .iter()
            .flat_map(|(lo, hi)| [around(&lo.to_string()), around(&hi.to_string())].concat())
            .collect(),
        Check::OneOf { values, .. } => {
            let mut out = vec!["bogus".to_string()];
            for v in values {
                out.extend([
                    v.to_string(),
                    v.to_lowercase(),
                    v.to_uppercase(),
                    format!(" {v} "),
                ]);
            }
            out
        }
        Check::List { values, .. } if !values.is_empty() => {
            let (a, b) = (values[0], values[values.len() - 1]);
            vec![
                a.to_string(),
                format!("{a},{b}"),
                format!("{a},{a}"),
                format!("{a},,{b}"),
                format!("{a}, bogus"),
                a.to_uppercase(),
            ]
        }
        Check::MetadataVersion(versions) => {
            let mut out: Vec<String> = ["3.9", "3.9-IV0", "4.0", "9.9", "x", "3.9.0", "0.10.0.1"]
                .map(String::from)
                .to_vec();
            out.extend(
                versions
                    .iter()
                    .take(3)
                    .chain(versions.iter().rev().take(3))
                    .map(|v| v.to_string()),
            );
            out
        }
        Check::Voters(_) => [
            "0@a:1",
            "0@a",
            "x@a:1",
            "0@a:1,1@b:2",
            "0@[::1]:9093",
            "0@a b:1",
            "0@a:1,,",
            "0@:1",
            "0@a:1@",
            "0@@a:1",
            "-1@a:1",
            "0@a:99999999999",
            "0@PLAINTEXT://a:1",
        ]
        .map(String::from)
        .to_vec(),
        Check::Bootstrap(_) => [
            "a:1",
            "a",
            "a:1, b:2",
            "[::1]:9093",
            "a b:1",
            "a:1,,",
            ":1",
            "PLAINTEXT://a:1",
            "a:x",
        ]
        .map(String::from)
        .to_vec(),
        _ => vec![],
    }
}

fn compile(root: &Path, classes: &Path) {
    let cp = format!("{}/target/kafka/3.9.0/libs/*", root.display());
    let status = Command::new("javac")
        .args(["-nowarn", "-cp", &cp, "-d"])
        .arg(classes)
        .arg(root.join("tools/catalog-gen/Verdicts.java"))
        .status()
        .expect("run javac");
    assert!(status.success(), "javac Verdicts.java");
}

/// Kafka's verdicts for `cases`, in order: None accepted, Some(message) refused.
fn kafka_verdicts(
    root: &Path,
    classes: &Path,
    version: Version,
    cases: &[(&Key, String)],
) -> Vec<Option<String>> {
    let mut input = String::new();
    for (k, v) in cases {
        assert!(!v.contains(['\t', '\n']), "{v:?}");
        input.push_str(&format!("{}\t{v}\n", k.name));
    }
    util::java::verdicts(
        root,
        classes,
        version.name(),
        "Verdicts",
        input,
        cases.len(),
    )
}
