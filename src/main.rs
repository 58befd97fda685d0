//! kafka-init's entry point: parse the command line, set up tracing, run one
//! subcommand, map its outcome to an exit code (0, 1, 64, 78; 126, 127 when
//! exec cannot start its command).

use std::ffi::OsString;
use std::process::ExitCode;

use kafka_init::cli::{self, Command};
use kafka_init::environment::Inputs;
use kafka_init::execve::NotStarted;
use kafka_init::problem::Problems;
use kafka_init::{cmd, logging, output};

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
    let result = match command {
        Command::Help => {
            output::stdout(cli::HELP);
            Ok(())
        }
        Command::Version => {
            output::stdout(concat!("kafka-init ", env!("CARGO_PKG_VERSION"), "\n"));
            Ok(())
        }
        Command::Plan {
            pod,
            format,
            flavor,
        } => cmd::plan::run(&inputs, pod.as_deref(), format, flavor.as_deref()),
        Command::Exec { flavor, command } => cmd::exec::run(&inputs, flavor.as_deref(), &command),
        Command::Prepare { flavor, install_to } => {
            cmd::prepare::run(&inputs, flavor.as_deref(), install_to.as_deref())
        }
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
/// problems (every one printed), a shell's 126/127 for a command exec could
/// not start, 1 for the rest.
fn failed(e: &anyhow::Error, inputs: &Inputs) -> ExitCode {
    if let Some(problems) = e.downcast_ref::<Problems>() {
        if logging::is_json(inputs) {
            for p in &problems.0 {
                tracing::error!(var = %p.var, value = %p.value, rule = %p.rule, fix = %p.fix, "configuration problem");
            }
        } else {
            output::stderr(&format!("kafka-init: {problems}"));
        }
        return ExitCode::from(78);
    }
    tracing::error!("{e:#}");
    let not_started = e.chain().find_map(|c| c.downcast_ref::<NotStarted>());
    ExitCode::from(not_started.map_or(1, |n| n.code))
}
