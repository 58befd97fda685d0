//! Data and metadata directories.

use std::path::{Component, Path, PathBuf};

use super::Key;
use crate::catalog::Value;
use crate::listener;
use crate::plan::{Mode, Role};
use crate::problem::Problem;

/// Kafka accepts relative data dirs, but `prepare` must know exactly what
/// it re-owns; and the rules Kafka applies to the list itself.
pub(super) fn data_dir_rules(k: &Key, problems: &mut Vec<Problem>) {
    let plan = k.plan;
    for d in &plan.data_dirs {
        if !d.is_absolute() || d.components().any(|c| c == Component::ParentDir) {
            problems.push(k.problem(
                "log.dirs",
                format!(
                    "data dir {} must be an absolute path without '..'",
                    d.display()
                ),
                "set log.dirs to absolute paths on the data volume",
            ));
        } else if let Some(why) = crate::ownership::refusal(d) {
            // `prepare` would refuse it; every command says so.
            problems.push(k.problem(
                "log.dirs",
                format!("data dir {} {why}", d.display()),
                "set log.dirs to the absolute path of the volume's data directory, e.g. /bitnami/kafka/data",
            ));
        }
    }
    let key = if k.value("log.dirs").is_some() {
        "log.dirs"
    } else {
        "log.dir"
    };
    let Some(raw) = k.value(key) else { return };
    // Kafka's parseCsvList: trimmed entries, empty ones dropped (4.2+
    // refuses empty entries outright: the catalog's check).
    let mut dirs = listener::split_csv(raw);
    // 4.2+ parsing drops a dir written twice alike (KIP-1161, with a
    // warning): the log manager sees it once.
    if k.line() >= (4, 2) {
        let mut seen = std::collections::HashSet::new();
        dirs.retain(|d| seen.insert(*d));
    }
    if dirs.is_empty() {
        // KC 3.9 validateValues.
        problems.push(k.problem(key, "requirement failed: At least one log directory must be defined via log.dirs or log.dir.", format!("set {key} to the data volume's directory, or unset it for the image's default")));
        return;
    }
    // 4.4: every cordoned dir is one of the log dirs (as written).
    if let Some(Value::List(cordoned)) = k
        .value("cordoned.log.dirs")
        .and_then(|_| k.parsed("cordoned.log.dirs"))
    {
        let missing: Vec<&String> = cordoned
            .iter()
            .filter(|c| !c.is_empty() && *c != "*" && !dirs.contains(&c.as_str()))
            .collect();
        if !missing.is_empty() {
            let missing: Vec<&str> = missing.iter().map(|m| m.as_str()).collect();
            problems.push(k.problem("cordoned.log.dirs", format!("requirement failed: All entries in cordoned.log.dirs must be present in log.dirs or log.dir. Missing entries : {}", missing.join(",")), format!("list in {} only directories of {key}, written as there", k.setting("cordoned.log.dirs"))));
        }
    }
    // LM 3.9:173-210: the same canonical path twice. A controller-only node
    // has no log manager: the whole-start differential shows Kafka starting
    // it with a dir named twice (Kafka's full config loading takes the list
    // as it is, up to 4.1).
    let controller_only = plan.mode == Mode::KRaft && plan.role == Role::Controller;
    for (i, d) in dirs.iter().enumerate().filter(|_| !controller_only) {
        if let Some(first) = dirs[..i].iter().find(|e| same_dir(e, d)) {
            problems.push(k.problem(
                key,
                format!("Duplicate log directory found: {first} and {d} are the same directory"),
                format!("name each directory once in {key}"),
            ));
        }
    }
    // Kafka keeps the metadata dir and the data dirs apart by their text:
    // the same directory written two ways is loaded twice.
    if let Some(m) = k.value("metadata.log.dir").map(str::trim) {
        if let Some(d) = dirs.iter().find(|d| **d != m && same_dir(d, m)) {
            problems.push(k.problem("metadata.log.dir", format!("metadata.log.dir {m} is the data dir {d} of {key} written another way; Kafka compares them as written"), format!("write it exactly as in {key} ({d}), or pick a directory of its own")));
        }
    }
}

/// Whether two absolute paths name the same directory without looking at
/// the filesystem: `//` and `/./` collapse, a trailing `/` is dropped.
/// (Kafka canonicalises, following links too; a link is refused by
/// `prepare` anyway.)
fn same_dir(a: &str, b: &str) -> bool {
    let normal = |p: &str| -> PathBuf {
        Path::new(p)
            .components()
            .filter(|c| *c != Component::CurDir)
            .collect()
    };
    normal(a) == normal(b)
}
