//! `kafka-init plan`: derive and validate, print what `exec` would set.

use anyhow::Result;

use crate::cli::Format;
use crate::environment::Inputs;
use crate::render;
use crate::settings::Settings;

/// Prints the Plan in `format` to stdout.
pub fn run(inputs: &Inputs, pod: Option<&str>, format: Format, flavor: Option<&str>) -> Result<()> {
    let (plan, flavor) =
        super::migration::derive_observed(inputs, &Settings::of(&inputs.vars), flavor, pod)?;
    super::log_warnings(&plan);
    let exported = flavor.exported(&plan, &inputs.vars);
    let unset = crate::flavor::removed_vars(flavor, &plan, &inputs.vars);
    let out = match format {
        Format::Env => render::env_lines(&plan, &exported) + &render::unset_lines(&plan, &unset),
        Format::Properties => render::properties(&plan, true),
        Format::Json => render::json(&plan, &exported, &flavor.writes_at_start(&plan)),
    };
    crate::output::stdout(&out);
    Ok(())
}
