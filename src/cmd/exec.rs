//! `kafka-init exec`: derive, validate, log one summary line and replace
//! this process with Kafka's start command, handed over the way the
//! flavor's image expects ([`Launch`]).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use tracing::info;

use crate::access;
use crate::environment::Inputs;
use crate::execve;
use crate::flavor::{Launch, Step};
use crate::problem::Problems;
use crate::secret;
use crate::settings::Settings;

/// Writes a file the flavor hands Kafka (write a temporary file, then rename).
fn write_file(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .with_context(|| format!("{} has no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("create config dir {}", dir.display()))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    // A stop signal waits until the file is in place: no temporary left.
    let _critical = crate::signals::Critical::enter();
    let tmp = dir.join(format!(".{name}.{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600) // it may hold passwords
        .open(&tmp)
        .with_context(|| format!("create {}", tmp.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("rename {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

/// Runs a step to completion (KRaft storage formatting, for one).
fn run_step(step: &Step) -> Result<()> {
    // A stop signal waits for the step: a storage format cut short would
    // leave a half-formatted log dir.
    let _critical = crate::signals::Critical::enter();
    let Some((program, args)) = step.argv.split_first() else {
        bail!("{} is empty", step.what);
    };
    let status = Command::new(program)
        .args(args)
        .status()
        .with_context(|| format!("run {} {}", step.what, secret::shown_argv(&step.argv[..1])))?;
    if !status.success() {
        bail!(
            "{} ({}) failed with {status}",
            step.what,
            step.argv.join(" ")
        );
    }
    Ok(())
}

/// Runs `exec`; returns only on failure.
pub fn run(inputs: &Inputs, flavor: Option<&str>, command: &[String]) -> Result<()> {
    let settings = Settings::of(&inputs.vars);
    let super::Observed {
        plan,
        flavor,
        observation,
    } = super::derive_observed(inputs, &settings, flavor, None)?;
    super::log_warnings(&plan);
    let Launch {
        argv,
        mut env,
        files,
        steps,
    } = flavor.launch(&plan, &inputs.vars, command)?;
    // A key the migration phase removes must not reach Kafka under any name.
    let unset = crate::flavor::removed_vars(flavor, &plan, env.iter().map(|(k, v)| (k, v)));
    env.retain(|(var, _)| !unset.iter().any(|(u, _)| u == var));
    // Before anything is written or started: may this user write what the
    // image's scripts write at start? (They would fail one restart at a time.)
    let root = Path::new(settings.kafka_init_image_root.as_deref().unwrap_or("/"));
    let mut problems = access::preflight(&flavor.writes_at_start(&plan), root);
    // And would the image's scripts find the files they check? Only here,
    // inside the container, are they to be seen.
    flavor.container_checks(
        &plan,
        &inputs.vars,
        &access::ImageFiles::new(root),
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    info!(
        pod = %plan.pod.name,
        id = plan.id,
        mode = ?plan.mode,
        role = plan.roles(),
        flavor = plan.flavor.name,
        read_as = plan.read_as.name,
        kafka = %plan.kafka.why,
        // An existing cluster's id comes from its volume: say from where.
        cluster_id = plan.cluster_id.as_deref().unwrap_or_default(),
        cluster_id_from = plan.cluster_id_from.as_deref().unwrap_or_default(),
        listeners = plan.get("listeners").unwrap_or_default(),
        advertised = plan.get("advertised.listeners").unwrap_or_default(),
        // Arguments may carry secrets (-D...Password=) and line breaks: never raw.
        command = %secret::shown_argv(&argv),
        "plan derived; starting Kafka"
    );
    for (path, text) in &files {
        write_file(path, text)?;
    }
    for step in &steps {
        run_step(step)?;
    }
    observation.record();
    // A broker's own registration left by a killed run: wait for it to expire.
    crate::observe::registration::await_own(&plan);
    let env = inputs.exec_environment(env);
    execve::exec(&argv, &env)?;
    Ok(())
}
