//! `kafka-init prepare [--install-to DIR]`: the initContainer's command, run
//! as root with only CHOWN, FOWNER and DAC_OVERRIDE.
//!
//! It derives and validates the Plan like `exec`, then checks every data dir
//! (paths kafka-init will not chown, `meta.properties` against the derived
//! identity, directories Kafka would refuse to load) before it changes
//! anything; one problem anywhere means exit 78 and nothing created, chowned
//! or copied. Only then does it make the dirs owned by the broker's user and,
//! with `--install-to`, copy itself into a volume shared with Kafka.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::environment::Inputs;
use crate::log_dir::topic_partition_shaped;
use crate::meta;
use crate::ownership::{self, ChownTrial, Found, PathTrouble};
use crate::plan::{Mode, Origin, Plan};
use crate::problem::{Problem, Problems};
use crate::settings::Settings;
use crate::{cmd, install, output};

/// Runs `prepare`: derive, preflight every dir, own every dir, install.
/// Configuration problems come back as [`Problems`] (exit 78).
pub fn run(inputs: &Inputs, flavor: Option<&str>, install_to: Option<&Path>) -> Result<()> {
    let (plan, dirs) = checked_plan(inputs, flavor)?;
    let (uid, gid) = plan.run_as;
    for dir in &dirs {
        warn_if_nfs(&dir.path);
        let report = ownership::ensure_owned(&dir.path, uid, gid)?;
        tracing::info!(
            dir = %dir.path.display(),
            kind = dir.kind.as_str(),
            owner = %format_args!("{uid}:{gid}"),
            checked = report.checked,
            changed = report.changed,
            fast_path = report.fast_path,
            mounts_left_alone = report.mounts,
            files_left_alone = report.left_alone,
            "dir owned"
        );
        if let Some(was) = report.world_write_removed {
            tracing::warn!(
                dir = %dir.path.display(),
                was = %format_args!("{was:o}"),
                "removed world write (o+w): only the broker's user (and its group) write its data"
            );
        }
    }
    if let Some(target) = install_to {
        let path = install::install_self(target)?;
        tracing::info!(path = %path.display(), "kafka-init installed");
    }
    Ok(())
}

/// What `prepare` and `prepare --check` both start from: the Plan (with
/// what the cluster was observed to be) and the dirs to own, preflighted;
/// configuration problems come back as [`Problems`] (exit 78).
fn checked_plan(inputs: &Inputs, flavor: Option<&str>) -> Result<(Plan, Vec<DirToOwn>)> {
    let plan = cmd::derive_observed(inputs, &Settings::of(&inputs.vars), flavor, None)
        .map_err(anyhow::Error::from)?
        .plan;
    cmd::log_warnings(&plan);
    let dirs = dirs_to_own(&plan);
    let problems = preflight(&plan, &dirs);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    Ok((plan, dirs))
}

/// Runs `prepare --check`: the same derivation, preflight and walk as
/// `prepare`, changing nothing; a trial chown of a scratch file in each dir
/// shows whether root may chown there (NFS root_squash). Prints one report
/// per dir on stdout. Ok when `prepare` can do its work; an error (exit 1)
/// when it cannot, after the report that says what to run where.
pub fn check(inputs: &Inputs, flavor: Option<&str>) -> Result<()> {
    let (plan, dirs) = checked_plan(inputs, flavor)?;
    let (uid, gid) = plan.run_as;
    let mut text = format!(
        "kafka-init prepare --check: pod {}, the broker's user {uid}:{gid}; nothing is changed\n",
        plan.pod.name
    );
    let mut blocked = Vec::new();
    for dir in &dirs {
        // A walk that cannot look everywhere (squashed root meets a dir only
        // its owner may read) is a finding of the report, not its end.
        let survey = ownership::survey(&dir.path, uid, gid).map_err(|e| format!("{e:#}"));
        let trial = ownership::try_chown(&dir.path, uid, gid)?;
        let export = ownership::nfs_export_path(&dir.path);
        let squashing = ownership::may_squash_root(&dir.path);
        let verdict = check_verdict(
            &dir.path,
            survey,
            trial,
            squashing,
            export.as_deref(),
            (uid, gid),
        );
        text.push_str(&verdict.text);
        if !verdict.can {
            blocked.push(dir.path.display().to_string());
        }
    }
    if blocked.is_empty() {
        text.push_str("result: prepare can do its work; the roll can proceed\n");
        return output::stdout(&text, "the check's report");
    }
    text.push_str(&format!(
        "result: prepare cannot own {}; the roll would stop at this pod's initContainer. Run the fix above, then this check again\n",
        blocked.join(", ")
    ));
    output::stdout(&text, "the check's report")?;
    Err(anyhow::anyhow!(
        "prepare --check: prepare cannot own {} (see the report on stdout)",
        blocked.join(", ")
    ))
}

/// One dir's part of the `--check` report, and whether `prepare` can do
/// its work there.
struct CheckVerdict {
    text: String,
    can: bool,
}

/// Decides and words one dir's report. Pure: the survey (or why it could
/// not be made), the trial, whether the mount's server may squash root and
/// the export path come from the caller.
fn check_verdict(
    path: &Path,
    survey: Result<ownership::Survey, String>,
    trial: ChownTrial,
    squashing: bool,
    export: Option<&str>,
    (uid, gid): (u32, u32),
) -> CheckVerdict {
    let mut text = format!("{}\n", path.display());
    // None: unknown (the walk could not look everywhere).
    let changes = match &survey {
        Err(e) => {
            text.push_str(&format!("  cannot look through it as root: {e}\n"));
            None
        }
        Ok(s) => match s.owner {
            None => {
                text.push_str("  missing: prepare creates it, owned by the broker's user\n");
                return CheckVerdict { text, can: true };
            }
            Some((o_uid, o_gid)) => {
                let r = &s.report;
                text.push_str(&format!(
                    "  owner now: {o_uid}:{o_gid}, mode {:o}\n",
                    s.mode
                ));
                if r.changed == 0 {
                    text.push_str(&format!(
                        "  prepare would change nothing ({} entries looked at)\n",
                        r.checked
                    ));
                } else {
                    text.push_str(&format!(
                        "  prepare would change {} of {} entries (owner to {uid}:{gid}{})\n",
                        r.changed,
                        r.checked,
                        if r.world_write_removed.is_some() {
                            ", o-w on the dir"
                        } else {
                            ""
                        }
                    ));
                }
                if r.mounts + r.left_alone > 0 {
                    text.push_str(&format!(
                        "  left alone: {} mounts, {} hard-linked or special files\n",
                        r.mounts, r.left_alone
                    ));
                }
                Some(r.changed)
            }
        },
    };
    let squash = if squashing {
        " (the server maps root to nobody: root_squash)"
    } else {
        ""
    };
    let allowed = match trial {
        ChownTrial::Allowed => {
            text.push_str(&format!(
                "  trial chown: a scratch file chowned to {uid}:{gid} and removed: root may chown here\n"
            ));
            true
        }
        ChownTrial::NoDir => true,
        ChownTrial::CannotCreate(e) => {
            text.push_str(&format!(
                "  trial chown: root cannot create a file in the dir: {e}{squash}\n"
            ));
            false
        }
        ChownTrial::Refused(e) => {
            text.push_str(&format!(
                "  trial chown: chown of a scratch file refused: {e}{squash}\n"
            ));
            false
        }
    };
    let can = changes == Some(0) || (changes.is_some() && allowed);
    if !can {
        let fix = match export.and_then(|e| e.split_once(':')) {
            Some((server, dir)) => {
                format!("on the NFS server {server}: chown -R {uid}:{gid} {dir}")
            }
            None => format!(
                "on the server of this volume: chown -R {uid}:{gid} <the directory mounted at {}>",
                path.display()
            ),
        };
        text.push_str(&format!("  fix: {fix}\n"));
    }
    CheckVerdict { text, can }
}

/// What a directory is to Kafka, which decides what is checked in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirKind {
    /// A `log.dirs` entry: `meta.properties`, and every subdirectory must be a partition.
    Log,
    /// KRaft's `metadata.log.dir` when it is not also a log dir: `meta.properties` only.
    Metadata,
    /// The properties flavor's config dir, which `exec` writes as the broker's user.
    Config,
}

impl DirKind {
    fn as_str(self) -> &'static str {
        match self {
            DirKind::Log => "log",
            DirKind::Metadata => "metadata",
            DirKind::Config => "config",
        }
    }
}

/// One directory `prepare` checks and owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirToOwn {
    /// Its path, as configured.
    pub path: PathBuf,
    /// What it is to Kafka.
    pub kind: DirKind,
}

/// The dirs the broker writes: every data dir, KRaft's separate metadata
/// dir, and the properties flavor's config dir (exec writes
/// server.properties there as the broker's user). Duplicates once.
pub fn dirs_to_own(plan: &Plan) -> Vec<DirToOwn> {
    let mut dirs: Vec<DirToOwn> = Vec::new();
    let mut add = |path: PathBuf, kind| {
        if !dirs.iter().any(|d| d.path == path) {
            dirs.push(DirToOwn { path, kind });
        }
    };
    let metadata = plan
        .get("metadata.log.dir")
        .filter(|m| plan.mode == Mode::KRaft && !m.trim().is_empty())
        .map(|m| PathBuf::from(m.trim()));
    // The plan's data dirs include a separate metadata dir; it is named
    // after its own key in problems.
    let log_dirs = plan.get("log.dirs").or(plan.get("log.dir")).unwrap_or("");
    let in_log_dirs = |d: &Path| log_dirs.split(',').any(|e| Path::new(e.trim()) == d);
    for d in &plan.data_dirs {
        let kind = if metadata.as_deref() == Some(d.as_path()) && !in_log_dirs(d) {
            DirKind::Metadata
        } else {
            DirKind::Log
        };
        add(d.clone(), kind);
    }
    if let Some(m) = metadata {
        add(m, DirKind::Metadata);
    }
    if let Some(dir) = &plan.config_dir {
        add(dir.clone(), DirKind::Config);
    }
    dirs
}

/// Every reason not to touch the dirs, found without changing anything.
pub fn preflight(plan: &Plan, dirs: &[DirToOwn]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for dir in dirs {
        let (var, value) = dir_setting(plan, dir);
        if let Some(why) = ownership::refusal(&dir.path) {
            problems.push(Problem::new(
                var,
                value,
                format!("{} {why}", dir.path.display()),
                "set it to the absolute path of the volume's data directory, e.g. /bitnami/kafka/data",
            ));
            continue;
        }
        match ownership::find(&dir.path) {
            Ok(Found::Dir) => {}
            Ok(Found::Missing) => continue,
            Err(trouble) => {
                problems.push(path_problem(&dir.path, trouble, var, value));
                continue;
            }
        }
        if dir.kind != DirKind::Config {
            // Its cluster id was judged with the Plan (a dir of another
            // cluster is a problem there), from the same files.
            let (_, found) = meta::check(&dir.path, &meta::read(&dir.path), plan);
            problems.extend(found);
        }
        if dir.kind == DirKind::Log {
            problems.extend(foreign_subdirectories(&dir.path, &var, &value));
        }
    }
    problems
}

/// The problem with a dir's path that [`ownership::find`] found: a
/// symbolic link on the way (kafka-init re-owns nothing through one: a link
/// can point the chown anywhere), something that is not a directory, or a
/// component that cannot be looked at.
fn path_problem(dir: &Path, trouble: PathTrouble, var: String, value: String) -> Problem {
    let (rule, fix) = match trouble {
        PathTrouble::Symlink { link, target } => (
            format!(
                "{} goes through a symbolic link: {} -> {}; kafka-init never follows a symbolic link when it re-owns a dir",
                dir.display(),
                link.display(),
                target.display()
            ),
            "point it at the directory itself (a path without symbolic links, e.g. the volume's mountPath or a subdirectory of it)".to_string(),
        ),
        PathTrouble::NotDir(at) => (
            if at == dir {
                format!("{} exists and is not a directory", dir.display())
            } else {
                format!("{} is not a directory, so {} cannot be one", at.display(), dir.display())
            },
            "point it at a directory (the volume's mount or a subdirectory of it)".to_string(),
        ),
        PathTrouble::Unreadable(at, e) => (
            format!("cannot stat {}: {e}", at.display()),
            "check the volume mount of this path".to_string(),
        ),
    };
    Problem::new(var, value, rule, fix)
}

/// The variable and value a dir comes from, for problems about it.
fn dir_setting(plan: &Plan, dir: &DirToOwn) -> (String, String) {
    let keys: &[&str] = match dir.kind {
        DirKind::Log => &["log.dirs", "log.dir"],
        DirKind::Metadata => &["metadata.log.dir"],
        DirKind::Config => {
            return (
                "KAFKA_INIT_CONFIG_DIR".into(),
                dir.path.display().to_string(),
            )
        }
    };
    for key in keys {
        if let Some(e) = plan.entries.iter().find(|e| e.key == *key) {
            let var = match &e.origin {
                Origin::User(v) | Origin::Completed(v) => v.clone(),
                Origin::Derived => key.to_string(),
            };
            return (var, e.value.clone());
        }
    }
    (keys[0].to_string(), dir.path.display().to_string())
}

/// Subdirectories Kafka would refuse to load: it parses every subdirectory
/// of a log dir (except `remote-log-index-cache`) as `topic-partition` and
/// stops the broker on any other name (`LogManager.loadLogs`, rules 9.4).
/// ext4's `lost+found` at a volume's root is the usual one. Nothing is
/// deleted; the fix is the user's.
fn foreign_subdirectories(dir: &Path, var: &str, value: &str) -> Vec<Problem> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return vec![Problem::new(
                var,
                value,
                format!("cannot list {}: {e}", dir.display()),
                "check the volume mount of this path",
            )]
        }
    };
    let mut foreign: Vec<String> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Java's File.isDirectory follows symlinks, so Kafka does too.
        let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        if is_dir && name != "remote-log-index-cache" && !topic_partition_shaped(&name) {
            foreign.push(name);
        }
    }
    foreign.sort();
    let mut problems = Vec::new();
    let kafka_says = |name: &str| {
        format!(
            "Kafka stops with \"Found directory {}, '{name}' is not in the form of topic-partition or topic-partition.uniqueId-delete (if marked for deletion)\"",
            dir.join(name).display()
        )
    };
    if let Some(pos) = foreign.iter().position(|n| n == "lost+found") {
        foreign.remove(pos);
        problems.push(Problem::new(
            var,
            value,
            format!(
                "{} holds lost+found (the volume's filesystem root, e.g. ext4); {}",
                dir.display(),
                kafka_says("lost+found")
            ),
            format!(
                "point log.dirs at a subdirectory of the mount, e.g. {}; kafka-init creates it with the right owner. Do not delete lost+found",
                dir.join("kafka").display()
            ),
        ));
    }
    if !foreign.is_empty() {
        const SHOWN: usize = 5;
        let mut names = foreign
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if foreign.len() > SHOWN {
            names.push_str(&format!(" and {} more", foreign.len() - SHOWN));
        }
        problems.push(Problem::new(
            var,
            value,
            format!(
                "{} holds directories that are not topic partitions ({names}); {}",
                dir.display(),
                kafka_says(&foreign[0])
            ),
            format!(
                "move them out of {} (kafka-init moves and deletes nothing), or point log.dirs at an empty subdirectory of the volume",
                dir.display()
            ),
        ));
    }
    problems
}

/// Warns when a dir is on NFS: Kafka's deletes meet NFS's "silly rename"
/// (`.nfsXXXX` files for files still open; always on NFSv3) and `.lock`
/// depends on NFS locking, so brokers fail in ways unrelated to the config.
fn warn_if_nfs(dir: &Path) {
    // A missing dir will be created on the filesystem of its nearest parent.
    let existing = dir.ancestors().find(|p| p.exists()).unwrap_or(dir);
    if let Some(nfs) = ownership::nfs_mount(existing) {
        tracing::warn!(
            dir = %dir.display(),
            nfs_vers = nfs.version.as_deref().unwrap_or("unknown"),
            "data dir is on NFS: Kafka on NFS fails on topic deletion and partition moves (silly rename of open files to .nfsXXXX, always on NFSv3) and relies on NFS locking for .lock; use block storage (a ReadWriteOnce volume)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::errno::Errno;

    #[test]
    fn check_verdicts_say_whether_prepare_can_and_what_to_run() {
        let owned = |changed| {
            Ok(ownership::Survey {
                owner: Some((0, 0)),
                mode: 0o777,
                report: ownership::WalkReport {
                    checked: 5,
                    changed,
                    ..Default::default()
                },
            })
        };
        let missing = Ok(ownership::Survey {
            owner: None,
            mode: 0,
            report: ownership::WalkReport::default(),
        });
        let nfs = Some("172.16.4.60:/nfs_share/k8s/kafka/pv2");
        const FIX: &str =
            "fix: on the NFS server 172.16.4.60: chown -R 1001:1001 /nfs_share/k8s/kafka/pv2";
        #[allow(clippy::type_complexity)]
        let cases: Vec<(Result<ownership::Survey, String>, ChownTrial, bool, Option<&str>, bool, &[&str])> = vec![
            (owned(3), ChownTrial::Allowed, false, None, true, &["prepare would change 3 of 5 entries", "root may chown here"]),
            // Nothing to change: squashed root does not matter.
            (owned(0), ChownTrial::Refused(Errno::EPERM), true, nfs, true, &["prepare would change nothing"]),
            (owned(3), ChownTrial::Refused(Errno::EPERM), true, nfs, false, &["chown of a scratch file refused: EPERM: Operation not permitted (the server maps root to nobody: root_squash)", FIX]),
            (owned(3), ChownTrial::CannotCreate(Errno::EACCES), true, nfs, false, &["root cannot create a file in the dir: EACCES: Permission denied (the server", FIX]),
            (owned(3), ChownTrial::Refused(Errno::EPERM), false, None, false, &["refused: EPERM: Operation not permitted\n", "on the server of this volume: chown -R 1001:1001 <the directory mounted at /d>"]),
            (missing, ChownTrial::NoDir, false, None, true, &["missing: prepare creates it"]),
            // The walk could not look everywhere: cannot, whatever the trial.
            (Err("open /d/x: EACCES".into()), ChownTrial::Allowed, true, nfs, false, &["cannot look through it as root: open /d/x: EACCES", FIX]),
        ];
        for (survey, trial, squashing, export, can, says) in cases {
            let v = check_verdict(
                Path::new("/d"),
                survey,
                trial,
                squashing,
                export,
                (1001, 1001),
            );
            assert_eq!(v.can, can, "{}", v.text);
            for s in says {
                assert!(v.text.contains(s), "lacks {s:?}:\n{}", v.text);
            }
            assert_eq!(v.text.contains("fix:"), !can, "{}", v.text);
        }
    }
}
