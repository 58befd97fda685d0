//! kafka-init at its edges, run as a process against what a hostile
//! filesystem, environment or output stream hands it: a `meta.properties`
//! that is a FIFO, a device or huge; planted temporary files; inherited
//! signal dispositions; a command not on `PATH`; non-UTF-8 variables;
//! stdout and stderr that cannot be written. The filesystem cases run as
//! root and fail, never skip, when not.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod util;

use util::scratch::{owner, Scratch};
use util::{assert_exit, stderr, SEED_ENV};

const BIN: &str = env!("CARGO_BIN_EXE_kafka-init");

/// Longer than any of these runs takes, short enough that a hang fails the test.
const HANG: Duration = Duration::from_secs(20);

/// Why the filesystem cases run as root.
const NEEDS_ROOT: &str = "it chowns and creates device nodes";

/// Runs `cmd`, killing it if it has not finished within [`HANG`].
fn run_bounded(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "kafka-init hung for {HANG:?}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

// ---------------------------------------------------------------------------
// meta.properties: only a regular file of sane size is read.

/// `kafka-init prepare` as pod kafka-1 (ZooKeeper mode) with `data` as its log dir.
fn prepare(data: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("POD_NAME", "kafka-1")
        .env("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181")
        .env("KAFKA_CFG_LOG_DIRS", data)
        .env("KAFKA_INIT_RUN_AS", "1001:1001")
        .arg("prepare")
        .args(args);
    run_bounded(cmd)
}

/// A data dir owned by root with a file in it: what prepare would re-own.
fn root_owned_data_dir(s: &Scratch) -> PathBuf {
    let data = s.path("data");
    std::fs::create_dir_all(data.join("orders-0")).unwrap();
    std::fs::write(data.join("orders-0/00000000000000000000.log"), b"x").unwrap();
    data
}

#[test]
fn a_meta_properties_that_is_not_a_small_regular_file_is_refused_without_hanging_or_reowning() {
    type Plant = fn(&Path, &Scratch);
    let cases: &[(&str, Plant, &str)] = &[
        (
            "fifo",
            |p, _| nix::unistd::mkfifo(p, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap(),
            "is a FIFO (named pipe), not a regular file",
        ),
        (
            "zero-device",
            // /dev/zero's numbers: a read that never ends.
            |p, _| {
                nix::sys::stat::mknod(
                    p,
                    nix::sys::stat::SFlag::S_IFCHR,
                    nix::sys::stat::Mode::from_bits_truncate(0o600),
                    nix::sys::stat::makedev(1, 5),
                )
                .unwrap()
            },
            "is a character device, not a regular file",
        ),
        (
            "symlink",
            |p, s| {
                let real = s.path("elsewhere.properties");
                std::fs::write(&real, b"version=0\nbroker.id=1\n").unwrap();
                std::os::unix::fs::symlink(real, p).unwrap();
            },
            "is a symbolic link",
        ),
        (
            "huge-sparse",
            |p, _| {
                let f = std::fs::File::create(p).unwrap();
                f.set_len(8 << 30).unwrap();
            },
            "is 8589934592 bytes or more, larger than the 65536 bytes kafka-init reads",
        ),
        (
            "one-byte-too-many",
            |p, _| {
                let mut text = b"version=0\nbroker.id=1\n".to_vec();
                text.resize(64 * 1024 + 1, b'\n');
                std::fs::write(p, text).unwrap();
            },
            "is 65537 bytes or more",
        ),
    ];
    for (name, plant, says) in cases {
        let s = Scratch::as_root(&format!("meta-{name}"), NEEDS_ROOT);
        let data = root_owned_data_dir(&s);
        plant(&data.join("meta.properties"), &s);
        let bin = s.path("bin");
        let o = prepare(&data, &["--install-to", bin.to_str().unwrap()]);
        assert_exit(&o, 78);
        let e = stderr(&o);
        assert!(
            e.contains("meta.properties") && e.contains(says),
            "{name}: lacks {says:?}:\n{e}"
        );
        assert!(
            e.contains("kafka-init never deletes"),
            "{name}: no fix:\n{e}"
        );
        assert_eq!(owner(&data), (0, 0), "{name}: data dir re-owned");
        assert_eq!(
            owner(&data.join("orders-0")),
            (0, 0),
            "{name}: partition re-owned"
        );
        assert!(!bin.exists(), "{name}: installed anyway");
    }
}

#[test]
fn a_meta_properties_with_crlf_and_a_continuation_line_is_read_as_kafka_reads_it() {
    // Java reads `broker.id=\<CRLF>    1` as 1: pod kafka-1's own volume.
    let s = Scratch::as_root("meta-crlf", NEEDS_ROOT);
    let data = root_owned_data_dir(&s);
    std::fs::write(
        data.join("meta.properties"),
        b"#\r\n#Tue Jan 02 10:00:00 UTC 2024\r\nversion=0\r\nbroker.id=\\\r\n    1\r\n",
    )
    .unwrap();
    let o = prepare(&data, &[]);
    assert_exit(&o, 0);
    assert_eq!(owner(&data), (1001, 1001));

    // The same file saying 2 is another broker's volume, continuation or not.
    std::fs::write(
        data.join("meta.properties"),
        b"version=0\rbroker.id=\\\r    2\r",
    )
    .unwrap();
    let o = prepare(&data, &[]);
    assert_exit(&o, 78);
    assert!(stderr(&o).contains("broker.id=2"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------
// --install-to: the temporary file is created with O_EXCL under an unpredictable name.

#[test]
fn install_to_neither_hangs_on_nor_writes_through_what_sits_at_the_old_pid_1_temporary_name() {
    // In a container kafka-init is pid 1, so `.kafka-init.tmp-1` was the
    // temporary name every time: a FIFO there blocked the copy forever, a
    // hard link there had its other name overwritten with the binary.
    type Plant = fn(&Path, &Path);
    let cases: &[(&str, Plant)] = &[
        ("fifo", |tmp, _| {
            nix::unistd::mkfifo(tmp, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap()
        }),
        ("hardlink", |tmp, victim| {
            std::fs::hard_link(victim, tmp).unwrap()
        }),
        ("symlink", |tmp, victim| {
            std::os::unix::fs::symlink(victim, tmp).unwrap()
        }),
    ];
    for (name, plant) in cases {
        let s = Scratch::as_root(&format!("install-{name}"), NEEDS_ROOT);
        let data = s.path("data");
        std::fs::create_dir_all(&data).unwrap();
        let bin = s.path("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let victim = s.path("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let planted = bin.join(".kafka-init.tmp-1");
        plant(&planted, &victim);
        // A new pid namespace makes kafka-init pid 1, as in a container.
        let mut cmd = Command::new("unshare");
        cmd.args([
            "--pid",
            "--fork",
            "--kill-child",
            BIN,
            "prepare",
            "--install-to",
        ])
        .arg(&bin)
        .env_clear()
        .env("POD_NAME", "kafka-1")
        .env("KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181")
        .env("KAFKA_CFG_LOG_DIRS", &data)
        .env("KAFKA_INIT_RUN_AS", "1001:1001");
        let o = run_bounded(cmd);
        assert_exit(&o, 0);
        assert_eq!(
            std::fs::read(&victim).unwrap(),
            b"precious",
            "{name}: overwritten"
        );
        assert!(
            std::fs::symlink_metadata(&planted).is_ok(),
            "{name}: planted file gone"
        );
        let copy = std::fs::read(bin.join("kafka-init")).unwrap();
        assert_eq!(
            copy,
            std::fs::read(BIN).unwrap(),
            "{name}: not a copy of kafka-init"
        );
        let left: Vec<_> = std::fs::read_dir(&bin)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left.len(),
            2,
            "{name}: only the binary and the planted file: {left:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// exec: the program starts as a shell would start it.

/// `kafka-init exec -- <command>` for the seed's pod kafka-2, with `PATH`.
fn exec(command: &[&str], path: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .envs(SEED_ENV.iter().copied())
        .env("PATH", path)
        .arg("exec")
        .arg("--")
        .args(command);
    cmd
}

#[test]
fn the_execd_program_starts_with_no_signal_ignored_or_blocked() {
    let mut cmd = exec(
        &["grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"],
        "/usr/bin:/bin",
    );
    // As if kafka-init's parent had blocked a signal: it must not reach Kafka either.
    // SAFETY: sigaction and sigprocmask are async-signal-safe, fine between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            // kafka-init passes on what its parent ignores (the parent's
            // choice); this test's own parent may ignore some (nohup, a
            // background job), so kafka-init starts here with none ignored.
            for sig in nix::sys::signal::Signal::iterator() {
                if !matches!(sig, nix::sys::signal::SIGKILL | nix::sys::signal::SIGSTOP) {
                    let _ = nix::sys::signal::signal(sig, nix::sys::signal::SigHandler::SigDfl);
                }
            }
            let mut set = nix::sys::signal::SigSet::empty();
            set.add(nix::sys::signal::Signal::SIGUSR1);
            nix::sys::signal::sigprocmask(nix::sys::signal::SigmaskHow::SIG_BLOCK, Some(&set), None)
                .map_err(std::io::Error::from)
        });
    }
    let o = run_bounded(cmd);
    assert_exit(&o, 0);
    let status = String::from_utf8_lossy(&o.stdout).into_owned();
    let mask = |field: &str| {
        let line = status.lines().find_map(|l| l.strip_prefix(field)).unwrap();
        u64::from_str_radix(line.trim(), 16).unwrap()
    };
    assert_eq!(
        mask("SigBlk:"),
        0,
        "the inherited signal mask reached the program:\n{status}"
    );
    // glibc's posix_spawn, which std uses to start this test's processes,
    // sets glibc's own signals 32 and 33 to SIG_IGN in every child; no libc
    // lets a program change them, so they are not kafka-init's to reset.
    let glibc_internal = (1 << 31) | (1 << 32);
    assert_eq!(
        mask("SigIgn:") & !glibc_internal,
        0,
        "a signal stays ignored in the program (SIGPIPE, ignored by the Rust runtime, is 0x1000):\n{status}"
    );
}

/// A directory holding `name` as an executable that leaves a mark when run.
fn marker_program(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\ntouch {}/ran\n", dir.display())).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn a_command_not_on_path_exits_127_and_one_in_the_working_directory_is_not_run() {
    let s = Scratch::new("exec-127");
    let name = "kafka-init-test-not-on-path";
    marker_program(&s.root, name);
    let mut cmd = exec(&[name], "/usr/bin:/bin");
    cmd.current_dir(&s.root);
    let o = run_bounded(cmd);
    assert_exit(&o, 127);
    let e = stderr(&o);
    assert!(
        e.contains(&format!(
            "{name}: command not found on PATH (/usr/bin:/bin)"
        )),
        "{e}"
    );
    assert!(
        !s.path("ran").exists(),
        "ran ./{name} from the working directory"
    );

    let o = run_bounded(exec(
        &["/nonexistent/kafka-server-start.sh"],
        "/usr/bin:/bin",
    ));
    assert_exit(&o, 127);
    let e = stderr(&o);
    assert!(
        e.contains("/nonexistent/kafka-server-start.sh: no such file"),
        "{e}"
    );
}

#[test]
fn a_command_that_cannot_be_executed_exits_126() {
    let s = Scratch::new("exec-126");
    std::fs::write(s.path("not-executable"), "#!/bin/sh\ntouch ran\n").unwrap();
    std::fs::set_permissions(
        s.path("not-executable"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::write(s.path("not-a-program"), [0u8, 1, 2, 3]).unwrap();
    std::fs::set_permissions(
        s.path("not-a-program"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let dir = s.root.display().to_string();
    let cases: &[(&str, &str)] = &[
        // Found on PATH, not executable; a shell's "Permission denied".
        ("not-executable", "permission denied"),
        // Given as a path.
        (&format!("{dir}/not-executable"), "Permission denied"),
        // Executable bits, but nothing the kernel can run.
        ("not-a-program", "Exec format error"),
    ];
    for (command, says) in cases {
        let o = run_bounded(exec(&[command], &format!("{dir}:/usr/bin:/bin")));
        assert_exit(&o, 126);
        let e = stderr(&o);
        assert!(
            e.contains("cannot be executed") && e.contains(says),
            "{command}: {e}"
        );
    }
    assert!(!s.path("ran").exists());
}

// ---------------------------------------------------------------------------
// Non-UTF-8 variables: a problem when kafka-init reads them, passed on byte
// for byte when it does not.

fn os(bytes: &[u8]) -> &OsStr {
    OsStr::from_bytes(bytes)
}

/// `kafka-init exec -- env -0` with the seed's variables plus `extra` (raw
/// bytes); returns the output and the environment `env` printed, if it ran.
/// Not a shell script: a shell drops variables whose names are not
/// identifiers.
fn exec_with(extra: &[(&[u8], &[u8])]) -> (Output, Option<Vec<Vec<u8>>>) {
    exec_without(&[], extra)
}

/// [`exec_with`], the seed's variables in `remove` unset.
fn exec_without(remove: &[&str], extra: &[(&[u8], &[u8])]) -> (Output, Option<Vec<Vec<u8>>>) {
    let mut cmd = exec(&["env", "-0"], "/usr/bin:/bin");
    for k in remove {
        cmd.env_remove(k);
    }
    for (k, v) in extra {
        cmd.env(os(k), os(v));
    }
    let o = run_bounded(cmd);
    let env = (!o.stdout.is_empty()).then(|| {
        o.stdout
            .split(|&b| b == 0)
            .filter(|e| !e.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    });
    (o, env)
}

#[test]
fn a_variable_kafka_init_reads_that_is_not_utf8_is_a_problem_naming_it() {
    let cases: &[(&[u8], &[u8], &str)] = &[
        // With HOSTNAME set too, it used to fall back to HOSTNAME silently.
        (b"POD_NAME", b"kafka-\xff1", "POD_NAME=\"kafka-\u{fffd}1\""),
        (
            b"POD_NAMESPACE",
            b"k\xe9fka",
            "POD_NAMESPACE=\"k\u{fffd}fka\"",
        ),
        (
            b"KAFKA_INIT_REPLICAS",
            b"3\xff",
            "KAFKA_INIT_REPLICAS=\"<not UTF-8; not shown>\"",
        ),
        (
            b"KAFKA_CFG_SSL_KEYSTORE_PASSWORD",
            b"s3cr\xe9t",
            // A secret's name: redacted, like every secret's value.
            "KAFKA_CFG_SSL_KEYSTORE_PASSWORD=\"<redacted>\"",
        ),
        // A Bitnami alias of a Kafka key.
        (
            b"KAFKA_LISTENERS",
            b"PLAINTEXT://:9092\xff",
            "KAFKA_LISTENERS=",
        ),
    ];
    for (name, value, says) in cases {
        let (o, env) = exec_with(&[(b"HOSTNAME", b"kafka-0"), (name, value)]);
        assert_exit(&o, 78);
        let e = stderr(&o);
        assert!(
            e.contains(says) && e.contains("not UTF-8 text"),
            "{says}: {e}"
        );
        assert!(env.is_none(), "{says}: exec'd despite the problem");
        assert!(!e.contains("s3cr"), "a secret was echoed: {e}");
    }
}

#[test]
fn variables_kafka_init_does_not_read_reach_the_program_byte_for_byte() {
    let passed: &[(&[u8], &[u8])] = &[
        (b"KAFKA_OPTS", b"-Dfile.encoding=\xe9\xff"),
        (b"JAVA_TOOL_OPTIONS", b"\xc3\x28"),
        (b"ODD\xffNAME", b"plain"),
        (b"PATH", b"/usr/bin:/bin:/opt/\xff/bin"),
    ];
    let (o, env) = exec_with(passed);
    assert_exit(&o, 0);
    let env = env.expect("the stand-in ran");
    for (name, value) in passed {
        let entry = [*name, b"=", *value].concat();
        assert!(
            env.contains(&entry),
            "{} missing or changed",
            String::from_utf8_lossy(&entry)
        );
    }
    // The derived settings are there too.
    assert!(env.contains(&b"KAFKA_CFG_BROKER_ID=2".to_vec()));
}

#[test]
fn which_variables_are_read_is_the_flavors_own_reading() {
    // apache/kafka turns every KAFKA_* into a property but KAFKA_OPTS and a few others.
    let apache: &[(&[u8], &[u8])] = &[(b"KAFKA_INIT_FLAVOR", b"apache")];
    // The seed's KAFKA_CFG_ name is Bitnami's: the apache image would read
    // it as the unknown key cfg.listener.security.protocol.map (a problem).
    let bitnami_only = ["KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP"];
    let exec_with = |extra: &[(&[u8], &[u8])]| exec_without(&bitnami_only, extra);
    let (o, env) = exec_with(&[apache[0], (b"KAFKA_OPTS", b"-Dx=\xff")]);
    assert_exit(&o, 0);
    assert!(env.unwrap().contains(&b"KAFKA_OPTS=-Dx=\xff".to_vec()));
    let (o, _) = exec_with(&[apache[0], (b"KAFKA_NUM_PARTITIONS", b"3\xff")]);
    assert_exit(&o, 78);
    assert!(
        stderr(&o).contains("KAFKA_NUM_PARTITIONS="),
        "{}",
        stderr(&o)
    );
    // Bitnami reads KAFKA_CFG_* and its aliases, not every KAFKA_*.
    let (o, env) = exec_with(&[(b"KAFKA_NUM_PARTITIONS_NOT_A_SETTING", b"\xff")]);
    assert_exit(&o, 0);
    assert!(env
        .unwrap()
        .contains(&b"KAFKA_NUM_PARTITIONS_NOT_A_SETTING=\xff".to_vec()));
}

// ---------------------------------------------------------------------------
// stdout and stderr that cannot be written: the exit code is the one earned.

fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
}

/// kafka-init with the seed's variables and `args`.
fn kafka_init(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .envs(SEED_ENV.iter().copied())
        .env("PATH", "/usr/bin:/bin")
        .args(args);
    cmd
}

/// Arguments, variables added to the seed's, and whether it answers on stdout.
type Subcommand = (Vec<String>, Vec<(&'static str, String)>, bool);

/// Every subcommand, with arguments that finish without a Kafka or a
/// ZooKeeper to talk to, and whether it writes an answer to stdout.
fn every_subcommand(data: &str) -> Vec<Subcommand> {
    let s = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let dirs = vec![("KAFKA_CFG_LOG_DIRS", data.to_string())];
    vec![
        (s(&["--help"]), vec![], true),
        (s(&["version"]), vec![], true),
        (s(&["plan"]), vec![], true),
        (s(&["plan", "--format", "properties"]), vec![], true),
        (s(&["plan", "--format", "json"]), vec![], true),
        (s(&["explain"]), vec![], true),
        (s(&["explain", "num.partitions"]), vec![], true),
        (
            s(&[
                "migration",
                "status",
                "--zookeeper",
                "127.0.0.1:1",
                "--controllers",
                "127.0.0.1:1",
                "--timeout",
                "1s",
            ]),
            vec![],
            true,
        ),
        (s(&["exec", "--", "/bin/true"]), vec![], false),
        (s(&["prepare"]), dirs, false),
        (s(&["probe", "--timeout", "1s"]), vec![], false),
        (
            s(&["audit", "--bootstrap", "127.0.0.1:1", "--timeout", "1s"]),
            vec![],
            false,
        ),
    ]
}

#[test]
fn every_subcommand_into_a_full_disk_or_a_closed_pipe_exits_with_a_documented_code_and_says_so() {
    let s = Scratch::new("full-stdout");
    let data = s.path("data").display().to_string();
    for (args, env, writes) in every_subcommand(&data) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // `> /dev/full`, then `| head -c0` with head already gone (EPIPE).
        for target in ["/dev/full", "a closed pipe"] {
            let mut cmd = kafka_init(&args);
            cmd.envs(env.iter().map(|(k, v)| (k, v)));
            if target == "/dev/full" {
                cmd.stdout(dev_full());
            } else {
                let (reader, writer) = std::io::pipe().unwrap();
                drop(reader);
                cmd.stdout(writer);
            }
            let o = cmd.output().unwrap();
            let e = stderr(&o);
            assert!(!e.contains("panicked"), "{args:?} > {target}: {e}");
            assert!(
                matches!(o.status.code(), Some(0 | 1 | 64 | 78 | 126 | 127)),
                "{args:?} > {target}: {:?} {e}",
                o.status
            );
            if writes {
                // The answer is lost: not a success, and stderr says why.
                assert_eq!(o.status.code(), Some(1), "{args:?} > {target}: {e}");
                assert!(
                    e.contains("to stdout (the output is incomplete)"),
                    "{args:?} > {target}: {e}"
                );
            }
        }
    }
}

#[test]
fn problems_and_errors_printed_to_a_full_stderr_keep_their_exit_codes() {
    /// Arguments, variables added to the seed's, the exit code.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], i32);
    let cases: &[Case] = &[
        // Configuration problems.
        (&["plan"], &[("POD_NAME", "kafka-")], 78),
        (&["exec", "--", "/bin/true"], &[("POD_NAME", "kafka-")], 78),
        // JSON problems go through the log.
        (
            &["plan"],
            &[("POD_NAME", "kafka-"), ("KAFKA_INIT_LOG_FORMAT", "json")],
            78,
        ),
        // Usage.
        (&["no-such-command"], &[], 64),
        // A command that is not found, logged.
        (&["exec", "--", "/nonexistent/kafka"], &[], 127),
        // The exec summary line is logged, then the program runs.
        (&["exec", "--", "/bin/true"], &[], 0),
    ];
    for (args, env, code) in cases {
        let mut cmd = kafka_init(args);
        cmd.envs(env.iter().copied()).stderr(dev_full());
        let o = cmd.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(*code),
            "{args:?} {env:?}: {:?}",
            o.status
        );
        // A closed pipe: EPIPE, and no SIGPIPE even after a failed execve
        // (exec restores the default action just before it).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = kafka_init(args);
        cmd.envs(env.iter().copied()).stderr(writer);
        let o = cmd.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(*code),
            "{args:?} {env:?} 2>closed: {:?}",
            o.status
        );
    }
}

// ---------------------------------------------------------------------------
// Start-up: what `exec` reads before execve, and what it leaves alone.

/// The file opens and `uname` calls of `kafka-init exec -- /bin/true` up to
/// its execve, with the seed's variables plus `extra`, minus `remove`, as
/// strace saw them.
fn traced_start(extra: &[(&str, &str)], remove: &[&str]) -> (Output, String) {
    let s = Scratch::new(&format!("strace-{}", extra.len() * 10 + remove.len()));
    let log = s.path("strace.log");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-e", "trace=execve,open,openat,uname", "-o"])
        .arg(&log)
        .args([BIN, "exec", "--", "/bin/true"])
        .env_clear()
        .envs(SEED_ENV.iter().copied())
        .env("PATH", "/usr/bin:/bin")
        .envs(extra.iter().copied());
    for name in remove {
        cmd.env_remove(name);
    }
    let o = run_bounded(cmd);
    let trace =
        std::fs::read_to_string(&log).expect("strace is installed (scripts/install-deps.sh)");
    // From kafka-init's own execve to the one of /bin/true: not what
    // /bin/true's loader did after it.
    let kafka_init = trace
        .split("execve(")
        .nth(1)
        .expect("strace saw the execve");
    (o, kafka_init.to_string())
}

#[test]
fn a_start_without_problems_reads_no_fallback_and_no_random_bytes() {
    let (o, trace) = traced_start(&[("HOSTNAME", "kafka-2")], &[]);
    assert_exit(&o, 0);
    // A ZooKeeper-mode start looks up its ZooKeeper for a stale registration
    // of its id, on a resolver thread whose libc calls uname for itself: only
    // kafka-init's own thread (the first pid after its execve) is judged.
    let main = trace
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_default()
        .to_string();
    let own: String = trace
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(main.as_str()))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        own.contains("openat("),
        "no syscall of the main thread:\n{trace}"
    );
    for unneeded in ["/dev/urandom", "serviceaccount", "uname("] {
        assert!(
            !own.contains(unneeded),
            "read {unneeded} though not needed:\n{trace}"
        );
    }
    // Each fallback is read when what it stands in for is unset.
    let (o, trace) = traced_start(&[], &["POD_NAMESPACE", "POD_NAME"]);
    assert_exit(&o, 78);
    assert!(
        trace.contains("/var/run/secrets/kubernetes.io/serviceaccount/namespace"),
        "{trace}"
    );
    assert!(trace.contains("uname("), "{trace}");
}

#[test]
fn the_cluster_id_suggested_in_a_problem_is_fresh_each_time() {
    let kraft = [("KAFKA_INIT_MODE", "kraft"), ("KAFKA_INIT_REPLICAS", "3")];
    let suggestion = || {
        let mut cmd = Command::new(BIN);
        cmd.env_clear()
            .env("POD_NAME", "kafka-0")
            .envs(kraft)
            .arg("plan");
        let o = run_bounded(cmd);
        assert_exit(&o, 78);
        let e = stderr(&o);
        let id = e
            .split("freshly generated one: ")
            .nth(1)
            .expect("a suggested id");
        id[..22].to_string()
    };
    let (a, b) = (suggestion(), suggestion());
    assert_ne!(a, b);
    assert!(a != "AAAAAAAAAAAAAAAAAAAAAA", "the id is not random: {a}");
}

#[test]
fn an_argument_that_is_not_utf8_is_a_usage_error_not_a_panic() {
    let mut cmd = kafka_init(&["exec", "--", "/bin/echo"]);
    cmd.arg(os(b"caf\xe9"));
    let o = run_bounded(cmd);
    assert_exit(&o, 64);
    assert!(stderr(&o).contains("is not UTF-8 text"), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "ran the command anyway");
}

/// Issue 24: a path in a warning is escaped like an argument, so a file
/// named with a line break and `ERROR ...` cannot forge a log line.
#[test]
fn a_file_name_with_a_line_break_cannot_forge_a_log_line() {
    let s = Scratch::as_root("forged-name", NEEDS_ROOT);
    let data = root_owned_data_dir(&s);
    let fifo = data.join("orders-0/x\nERROR forged line");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let o = prepare(&data, &[]);
    assert_exit(&o, 0);
    let e = stderr(&o);
    assert!(e.contains("x\\nERROR forged line"), "{e}");
    assert!(!e.lines().any(|l| l.starts_with("ERROR forged")), "{e}");
}
