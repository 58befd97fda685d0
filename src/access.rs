//! The permission preflight of `exec`: may this process write every
//! directory its image's scripts write at start ([`StartWrite`])? One
//! syscall, `access(2)` with `W_OK | X_OK` (writing in a directory needs
//! both), which answers for the real uid, gid and supplementary groups:
//! exactly the user the image's scripts will run as, since `exec` replaces
//! itself with them. A read-only filesystem answers `EROFS`.
//!
//! A directory that does not exist: an image's own one (`BuiltBy::Image`)
//! means the image is not there (kafka-init runs another program, e.g. in
//! tests), so it is not checked; one that `prepare` or the scripts create
//! (`BuiltBy::Prepare`, with `mkdir -p`) is checked at its nearest existing
//! ancestor, where it will be created.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::unistd::{access, getgid, getgroups, getuid, AccessFlags};
use tracing::debug;

use crate::plan::{BuiltBy, StartWrite};
use crate::problem::Problem;

/// The running process's uid, gid and supplementary groups.
pub fn identity() -> (u32, u32, Vec<u32>) {
    // getgroups fails only with more groups than NGROUPS_MAX: show none then.
    let groups = getgroups().unwrap_or_default();
    (
        getuid().as_raw(),
        getgid().as_raw(),
        groups.into_iter().map(|g| g.as_raw()).collect(),
    )
}

/// Where `w` is on this filesystem: image paths under `image_root`.
fn located(w: &StartWrite, image_root: &Path) -> PathBuf {
    match w.built_by {
        BuiltBy::Image => image_root.join(w.path.strip_prefix("/").unwrap_or(&w.path)),
        BuiltBy::Prepare => w.path.clone(),
    }
}

/// The directory to ask about: `path` itself, else (for directories that
/// are created at start) its nearest existing ancestor; None when an
/// image's directory is missing.
fn to_check(path: &Path, built_by: BuiltBy) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_path_buf());
    }
    if built_by == BuiltBy::Image {
        debug!(path = %path.display(), "not in this filesystem: the image is not here; not checked");
        return None;
    }
    path.ancestors().find(|a| a.exists()).map(Path::to_path_buf)
}

/// A directory this process may not write, as a problem: the path, its
/// owner and mode, the process's ids, what writes there and the fix.
fn denied(
    w: &StartWrite,
    checked: &Path,
    errno: Errno,
    (uid, gid, groups): &(u32, u32, Vec<u32>),
) -> Problem {
    let facts = match std::fs::metadata(checked) {
        Ok(m) => format!(
            "owner {}:{}, mode {:04o}",
            m.uid(),
            m.gid(),
            m.mode() & 0o7777
        ),
        Err(e) => format!("not readable: {e}"),
    };
    let groups: Vec<String> = groups.iter().map(u32::to_string).collect();
    let at = if checked == w.path {
        String::new()
    } else {
        format!(
            " (it does not exist yet; it is created in {})",
            checked.display()
        )
    };
    Problem::new(
        w.path.display().to_string(),
        facts,
        format!(
            "this process (uid {uid}, gid {gid}, supplementary groups [{}]) cannot write it{at}: access(W_OK|X_OK) says {} — {}",
            groups.join(", "),
            errno.desc(),
            w.writer
        ),
        w.fix.clone(),
    )
}

/// The image's files under `image_root` (`/` in the container; tests point
/// it at a stand-in of the image's tree), for its scripts' file checks.
pub struct ImageFiles<'a> {
    root: &'a Path,
}

impl<'a> ImageFiles<'a> {
    /// The image's files as this process sees them under `root`.
    pub fn new(root: &'a Path) -> Self {
        ImageFiles { root }
    }

    fn at(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }
}

impl crate::flavor::ContainerFiles for ImageFiles<'_> {
    fn is_file(&self, path: &str) -> bool {
        // `[[ -f ]]` follows symbolic links (a Secret volume's files are links).
        self.at(path).is_file()
    }

    fn read(&self, path: &str) -> Option<String> {
        match std::fs::read_to_string(self.at(path)) {
            Ok(text) => Some(text),
            Err(e) => {
                debug!(path, error = %e, "not readable: the image skips it");
                None
            }
        }
    }
}

/// Asks the kernel about every write of `writes` (image directories under
/// `image_root`); one problem per directory this process cannot write.
pub fn preflight(writes: &[StartWrite], image_root: &Path) -> Vec<Problem> {
    let who = identity();
    let mut problems = vec![];
    for w in writes {
        let path = located(w, image_root);
        let Some(checked) = to_check(&path, w.built_by) else {
            continue;
        };
        if let Err(errno) = access(&checked, AccessFlags::W_OK | AccessFlags::X_OK) {
            let mut shown = w.clone();
            shown.path = path;
            problems.push(denied(&shown, &checked, errno, &who));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &str, built_by: BuiltBy) -> StartWrite {
        StartWrite {
            path: path.into(),
            owner: (0, 0),
            mode: 0o775,
            built_by,
            writer: "w".into(),
            fix: "f".into(),
        }
    }

    #[test]
    fn image_dirs_are_found_under_the_image_root_and_skipped_when_missing() {
        let w = write("/opt/x/config", BuiltBy::Image);
        assert_eq!(located(&w, Path::new("/")), Path::new("/opt/x/config"));
        assert_eq!(
            located(&w, Path::new("/tmp/img")),
            Path::new("/tmp/img/opt/x/config")
        );
        assert_eq!(
            to_check(Path::new("/nonexistent-kafka-init/x"), BuiltBy::Image),
            None
        );
        assert_eq!(
            to_check(Path::new("/nonexistent-kafka-init/x"), BuiltBy::Prepare).as_deref(),
            Some(Path::new("/"))
        );
        let data = write("/data", BuiltBy::Prepare);
        assert_eq!(located(&data, Path::new("/tmp/img")), Path::new("/data"));
    }
}
