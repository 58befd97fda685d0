//! `kafka-init exec`: derive, validate, log one summary line and replace
//! this process with Kafka's start command.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use tracing::info;

use crate::environment::Inputs;
use crate::execve;
use crate::plan::{Flavor, Mode, Plan};
use crate::render;

/// The command each flavor's image starts Kafka with.
pub fn default_command(flavor: Flavor) -> Vec<String> {
    let cmd: &[&str] = match flavor {
        Flavor::Bitnami => &[
            "/opt/bitnami/scripts/kafka/entrypoint.sh",
            "/opt/bitnami/scripts/kafka/run.sh",
        ],
        Flavor::Apache => &["/etc/kafka/docker/run"],
        Flavor::Properties => &["/opt/kafka/bin/kafka-server-start.sh"],
    };
    cmd.iter().map(|s| s.to_string()).collect()
}

/// Writes `server.properties` into the plan's config dir (write, then rename).
fn write_properties(plan: &Plan) -> Result<PathBuf> {
    let dir = &plan.config_dir;
    std::fs::create_dir_all(dir).with_context(|| format!("create config dir {}", dir.display()))?;
    let path = dir.join("server.properties");
    let tmp = dir.join(format!(".server.properties.{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600) // it may hold passwords
        .open(&tmp)
        .with_context(|| format!("create {}", tmp.display()))?;
    f.write_all(render::properties(plan, false).as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path)
        .with_context(|| format!("rename {} to {}", tmp.display(), path.display()))?;
    Ok(path)
}

/// KRaft storage must be formatted once with the cluster id; `--ignore-formatted` makes it a no-op after.
fn format_storage(plan: &Plan, config: &Path) -> Result<()> {
    let (Some(program), Some(id)) = (plan.format_command.first(), &plan.cluster_id) else {
        bail!("KRaft storage format needs KAFKA_INIT_FORMAT_COMMAND and a cluster id");
    };
    let status = Command::new(program)
        .args(&plan.format_command[1..])
        .arg("format")
        .arg("--config")
        .arg(config)
        .arg("--cluster-id")
        .arg(id)
        .arg("--ignore-formatted")
        .status()
        .with_context(|| {
            format!("run the storage format command {program} (KAFKA_INIT_FORMAT_COMMAND)")
        })?;
    if !status.success() {
        bail!(
            "storage format ({}) failed with {status}",
            plan.format_command.join(" ")
        );
    }
    Ok(())
}

/// Runs `exec`; returns only on failure.
pub fn run(inputs: &Inputs, flavor: Option<&str>, command: &[String]) -> Result<()> {
    let plan = super::derive_for(inputs, flavor, None)?;
    let mut argv = if command.is_empty() {
        default_command(plan.flavor)
    } else {
        command.to_vec()
    };
    info!(
        pod = %plan.pod.name,
        id = plan.id,
        mode = ?plan.mode,
        role = plan.roles(),
        flavor = plan.flavor.name(),
        listeners = plan.get("listeners").unwrap_or_default(),
        advertised = plan.get("advertised.listeners").unwrap_or_default(),
        command = %argv.join(" "),
        "plan derived; starting Kafka"
    );
    if plan.flavor == Flavor::Properties {
        let path = write_properties(&plan)?;
        if plan.mode == Mode::KRaft {
            format_storage(&plan, &path)?;
        }
        argv.push(path.display().to_string());
    }
    let env = inputs.exec_environment(render::exec_env(&plan, &inputs.vars));
    execve::exec(&argv, &env)?;
    Ok(())
}
