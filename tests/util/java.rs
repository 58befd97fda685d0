//! One JVM per Kafka version that judges a batch of cases: the differential
//! tests' Java side (tools/catalog-gen/*.java), fed on stdin, one verdict a
//! line on stdout (`err\t...` refused, anything else accepted).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `class` from `classes` with Kafka `version`'s jars (`target/kafka/
/// VERSION/libs` under `root`) on `input`; returns the `n` verdicts in order.
pub fn verdicts(
    root: &Path,
    classes: &Path,
    version: &str,
    class: &str,
    input: String,
    n: usize,
) -> Vec<Option<String>> {
    let libs = root.join("target/kafka").join(version).join("libs");
    assert!(
        libs.is_dir(),
        "{} missing: run scripts/gen-catalog.sh",
        libs.display()
    );
    let mut child = Command::new("java")
        .arg("-cp")
        .arg(format!("{}:{}/*", classes.display(), libs.display()))
        .arg(class)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run java");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "{class} for {version}");
    let verdicts: Vec<Option<String>> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.strip_prefix("err\t").map(str::to_string))
        .collect();
    assert_eq!(verdicts.len(), n, "one verdict per case");
    verdicts
}
