//! Issue 24: a report bounded by the input's size, in bounded memory. In a
//! test binary of its own: the child's `ru_maxrss` counts what the test
//! process had resident when it started the child (std spawns with vfork,
//! and exec folds the parent's high-water mark into the child's), so a
//! neighbour test's allocations in the same process would be measured too.

mod util;

use util::{KRAFT, SEED_ENV};

/// Runs `kafka-init plan` with exactly `env` (plus PATH) and gives its exit
/// code, its stderr and its maximum resident set size in KiB (the kernel's
/// `ru_maxrss` from `wait4`: an upper bound, since it counts what the test
/// process had resident when it started the child).
// wait4 reaps the child (std's wait cannot give its rusage).
#[allow(clippy::zombie_processes)]
fn plan_with_rusage(env: &[(&str, String)]) -> (i32, Vec<u8>, i64) {
    use std::io::Read;
    let mut child = std::process::Command::new(util::bin())
        .arg("plan")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = vec![];
        err.read_to_end(&mut buf).unwrap();
        buf
    });
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<nix::libc::rusage>() });
    // SAFETY: plain system call on our own child, with valid out-pointers.
    let pid = unsafe { nix::libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    let stderr = reader.join().unwrap();
    assert!(nix::libc::WIFEXITED(status), "not exited: {status}");
    (nix::libc::WEXITSTATUS(status), stderr, usage.ru_maxrss)
}

/// Issue 24: 10,000 bad listener entries gave 803 MB on stderr and 2.36 GB
/// of memory (one problem per entry, each quoting the whole value). Now
/// exit 78, a report under 1 MiB and under 32 MiB of memory, whatever the
/// entries' kind of mistake.
#[test]
fn ten_thousand_bad_listener_entries_give_a_bounded_report_in_bounded_memory() {
    type Entry = fn(usize) -> String;
    let kinds: &[(&str, Entry)] = &[
        ("unparsable", |i| format!("x{i}")),
        ("the same name", |i| format!("P://:{}", 1024 + i)),
        ("the same port", |i| format!("{i}://:99")),
        ("a bad port", |i| format!("L{i}://:x")),
        ("a privileged port", |i| format!("L{i}://:1")),
    ];
    for (kind, entry) in kinds {
        let listeners: Vec<String> = (0..10_000).map(entry).collect();
        for base in [SEED_ENV, KRAFT] {
            let mut env: Vec<(&str, String)> = base
                .iter()
                .filter(|(k, _)| *k != "KAFKA_LISTENERS")
                .map(|(k, v)| (*k, v.to_string()))
                .collect();
            env.push(("KAFKA_CFG_LISTENERS", listeners.join(",")));
            let (code, stderr, max_rss_kib) = plan_with_rusage(&env);
            let text = String::from_utf8_lossy(&stderr);
            assert_eq!(code, 78, "{kind}: {}", &text[..text.len().min(2000)]);
            assert!(
                stderr.len() < 1 << 20,
                "{kind}: {} bytes of report",
                stderr.len()
            );
            assert!(max_rss_kib < 32 * 1024, "{kind}: {max_rss_kib} KiB");
            assert!(
                text.contains("(10000 characters)") || text.contains(" characters)"),
                "{kind}: {text}"
            );
            eprintln!(
                "{kind}: {} bytes of report, {max_rss_kib} KiB max RSS",
                stderr.len()
            );
        }
    }
}
