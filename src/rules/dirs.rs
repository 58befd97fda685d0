//! Data and metadata directories.

use super::Key;
use crate::problem::Problem;

/// Kafka accepts relative data dirs, but `prepare` must know exactly what it re-owns.
pub(super) fn data_dir_rules(k: &Key, problems: &mut Vec<Problem>) {
    let plan = k.plan;
    for d in &plan.data_dirs {
        if !d.is_absolute() || d.components().any(|c| c == std::path::Component::ParentDir) {
            problems.push(k.problem(
                "log.dirs",
                format!(
                    "data dir {} must be an absolute path without '..'",
                    d.display()
                ),
                "set log.dirs to absolute paths on the data volume",
            ));
        }
    }
}
