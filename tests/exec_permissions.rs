//! `kafka-init exec`'s permission preflight for real: the binary runs
//! (through setpriv) as the Bitnami image's user 1001 against a stand-in of the
//! image's tree (root:root, group-writable 0775, as the image builds it;
//! found through KAFKA_INIT_IMAGE_ROOT). Without group 0 it stops with 78
//! and execs nothing; with supplementary group 0 it execs. These tests
//! chown and change user, so they run as root (scripts/test); they fail,
//! never skip, otherwise.

mod util;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use util::{TempDir, SEED_ENV};

/// A directory with the given owner and mode.
fn dir(p: &Path, (uid, gid): (u32, u32), mode: u32) {
    std::fs::create_dir_all(p).unwrap();
    std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs `kafka-init exec` as uid 1001, gid 1001 and `groups`, on a fresh
/// stand-in image tree; returns (exit code, stderr, whether the stand-in ran).
fn exec_as_1001(groups: &[u32]) -> (i32, String, bool, String) {
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "the preflight's tests change user, so they run as root (scripts/test)"
    );
    let t = TempDir::new("perm");
    std::fs::set_permissions(&t.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    let img = t.0.join("img");
    for d in ["opt", "opt/bitnami"] {
        dir(&img.join(d), (0, 0), 0o755);
    }
    // bitnami/kafka's Dockerfile + postunpack.sh: root:root, chmod -R g+rwX.
    for d in [
        "opt/bitnami/kafka",
        "opt/bitnami/kafka/config",
        "opt/bitnami/kafka/logs",
    ] {
        dir(&img.join(d), (0, 0), 0o775);
    }
    // The data volume as prepare leaves it.
    let data = t.0.join("data");
    dir(&data, (1001, 1001), 0o750);
    // The stand-in records into a directory 1001 may write.
    let rec = t.0.join("rec");
    dir(&rec, (1001, 1001), 0o755);
    let standin = util::standin(&rec);
    let groups: Vec<String> = groups.iter().map(u32::to_string).collect();
    // setpriv (util-linux, as in the e2e tests): CommandExt::groups is unstable.
    let out = Command::new("setpriv")
        .args(["--reuid=1001", "--regid=1001"])
        .arg(format!("--groups={}", groups.join(",")))
        .args([
            "--",
            env!("CARGO_BIN_EXE_kafka-init"),
            "exec",
            "--",
            standin.to_str().unwrap(),
        ])
        .env_clear()
        .envs(SEED_ENV.iter().copied())
        .env("PATH", "/usr/bin:/bin")
        .env("KAFKA_INIT_IMAGE_ROOT", &img)
        .env("KAFKA_CFG_LOG_DIRS", &data)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        rec.join("argv").exists(),
        img.join("opt/bitnami/kafka/config").display().to_string(),
    )
}

#[test]
fn without_group_0_uid_1001_cannot_write_the_bitnami_config_dir_so_exec_stops_with_78_and_execs_nothing(
) {
    let (code, stderr, execd, config) = exec_as_1001(&[1001]);
    assert_eq!(code, 78, "{stderr}");
    assert!(!execd, "exec'd despite the problem:\n{stderr}");
    for text in [
        config.as_str(),
        "owner 0:0, mode 0775",
        "uid 1001, gid 1001, supplementary groups [1001]",
        "Permission denied",
        "server.properties",
        "supplementalGroups: [0]",
        "nothing was started or changed",
    ] {
        assert!(stderr.contains(text), "message lacks {text:?}:\n{stderr}");
    }
    // The logs dir is refused for the same reason; the data dir (1001's) is not.
    assert!(stderr.contains("kafka/logs"), "{stderr}");
    assert!(!stderr.contains("/data\""), "{stderr}");
}

#[test]
fn with_supplementary_group_0_uid_1001_writes_the_bitnami_dirs_so_exec_starts_the_entrypoint() {
    let (code, stderr, execd, _) = exec_as_1001(&[1001, 0]);
    assert_eq!(code, 0, "{stderr}");
    assert!(execd, "the stand-in did not run:\n{stderr}");
}
