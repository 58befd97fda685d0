//! kafka-init's entry point: parse the command line, set up tracing, run one
//! subcommand, map its outcome to an exit code (0, 1, 64, 75, 78; 126, 127
//! when exec cannot start its command; 143, 130 when SIGTERM, SIGINT stop
//! it before exec: see `kafka_init::signals`).

use std::ffi::OsString;
use std::process::ExitCode;

use kafka_init::cli::{self, Command};
use kafka_init::environment::Inputs;
use kafka_init::execve::NotStarted;
use kafka_init::ownership::Unsettled;
use kafka_init::problem::Problems;
use kafka_init::{cmd, logging, output, problem, signals};

/// A bump arena before the system allocator: `exec` starts without musl's
/// page-by-page mmap and munmap (see `kafka_init::arena`).
#[global_allocator]
static ALLOCATOR: kafka_init::arena::Arena<{ 256 * 1024 }> = kafka_init::arena::Arena::new();

fn main() -> ExitCode {
    // std::env::args() would panic on an argument that is not UTF-8.
    let args: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(OsString::into_string)
        .collect()
    {
        Ok(args) => args,
        Err(bad) => {
            output::stderr(&format!(
                "kafka-init: the argument {bad:?} is not UTF-8 text\n"
            ));
            return ExitCode::from(64);
        }
    };
    let command = match cli::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            output::stderr(&format!("kafka-init: {e}\n\n{}\n", cli::HELP));
            return ExitCode::from(64);
        }
    };
    let inputs = Inputs::read();
    logging::init(&inputs);
    // Before anything waits or writes: as PID 1, SIGTERM would be dropped.
    if let Err(e) = signals::install() {
        tracing::error!("install the SIGTERM and SIGINT handler: {e}");
        return ExitCode::from(1);
    }
    let result = match command {
        Command::Help => output::stdout(cli::HELP, "the help"),
        Command::Version => output::stdout(
            concat!("kafka-init ", env!("CARGO_PKG_VERSION"), "\n"),
            "the version",
        ),
        Command::Plan {
            pod,
            format,
            flavor,
            offline,
        } => cmd::plan::run(&inputs, pod.as_deref(), format, flavor.as_deref(), offline),
        Command::Exec { flavor, command } => cmd::exec::run(&inputs, flavor.as_deref(), &command),
        Command::Prepare {
            flavor,
            check: true,
            ..
        } => cmd::prepare::check(&inputs, flavor.as_deref()),
        Command::Prepare {
            flavor, install_to, ..
        } => cmd::prepare::run(&inputs, flavor.as_deref(), install_to.as_deref()),
        Command::Probe { ready, timeout } => cmd::probe::run(&inputs, ready, timeout),
        Command::Audit {
            bootstrap,
            json,
            timeout,
        } => cmd::audit::run(&inputs, bootstrap, json, timeout),
        Command::MigrationStatus {
            zookeeper,
            controllers,
            json,
            timeout,
        } => cmd::migration::status(&inputs, zookeeper, controllers, json, timeout),
        Command::Explain { key, kafka_version } => {
            cmd::explain::run(&inputs, key.as_deref(), kafka_version.as_deref())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failed(&e, &inputs),
    }
}

/// Reports a failed command and gives its exit code: 78 for configuration
/// problems (every one printed), 75 (EX_TEMPFAIL: try again) for a data dir
/// whose tree kept changing during the ownership walk, a shell's 126/127 for
/// a command exec could not start, 1 for the rest.
fn failed(e: &anyhow::Error, inputs: &Inputs) -> ExitCode {
    if let Some(problems) = e.downcast_ref::<Problems>() {
        let mut problems = problems.clone();
        problem::settle(&mut problems.0, &inputs.vars);
        if logging::is_json(inputs) {
            let (shown, left_out) = problems.shown();
            for p in shown {
                let value = p.shown_value();
                tracing::error!(var = %p.var, value = value.as_deref().unwrap_or("(unset)"), unset = p.unset, rule = %p.rule, fix = %p.fix, "configuration problem");
            }
            if left_out > 0 {
                tracing::error!("{}", Problems::left_out_line(left_out));
            }
        } else {
            output::stderr(&format!("kafka-init: {problems}"));
        }
        return ExitCode::from(78);
    }
    tracing::error!("{e:#}");
    if e.chain().any(|c| c.is::<Unsettled>()) {
        return ExitCode::from(75);
    }
    let not_started = e.chain().find_map(|c| c.downcast_ref::<NotStarted>());
    ExitCode::from(not_started.map_or(1, |n| n.code))
}
