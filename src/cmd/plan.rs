//! `kafka-init plan`: derive and validate, print what `exec` would set.

use anyhow::Result;

use crate::cli::Format;
use crate::environment::Inputs;
use crate::render;

/// Prints the Plan in `format` to stdout.
pub fn run(inputs: &Inputs, pod: Option<&str>, format: Format, flavor: Option<&str>) -> Result<()> {
    let plan = super::derive_for(inputs, flavor, pod)?;
    let out = match format {
        Format::Env => render::env_lines(&plan, &inputs.vars),
        Format::Properties => render::properties(&plan, true),
        Format::Json => render::json(&plan, &inputs.vars),
    };
    crate::output::stdout(&out);
    Ok(())
}
