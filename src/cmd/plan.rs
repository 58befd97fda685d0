//! `kafka-init plan`: derive and validate, print what `exec` would set.

use anyhow::Result;

use crate::cli::Format;
use crate::environment::Inputs;
use crate::render;
use crate::settings::Settings;

/// Prints the Plan in `format` to stdout. `offline`: derived without
/// observing the cluster (a laptop or CI has no ZooKeeper to read), so
/// the guard rails that need it are not checked; said on stderr.
pub fn run(
    inputs: &Inputs,
    pod: Option<&str>,
    format: Format,
    flavor: Option<&str>,
    offline: bool,
) -> Result<()> {
    let settings = Settings::of(&inputs.vars);
    let (plan, flavor) = if offline {
        tracing::warn!("plan --offline: the cluster was not observed; the guard rails that read ZooKeeper, the controllers or the volume were not checked");
        super::derive_with_settings(inputs, &settings, flavor, pod, None, &[])?
    } else {
        let super::Observed { plan, flavor, .. } =
            super::derive_observed(inputs, &settings, flavor, pod)?;
        (plan, flavor)
    };
    super::log_warnings(&plan);
    let exported = flavor.exported(&plan, &inputs.vars);
    let unset = crate::flavor::removed_vars(flavor, &plan, &inputs.vars);
    let withheld = crate::flavor::convention::withheld(flavor, &plan, &inputs.vars);
    let out = match format {
        Format::Env => {
            let reading = if plan.read_as.name != flavor.convention().name {
                render::reading_comment(&plan)
            } else {
                String::new()
            };
            reading
                + &render::env_lines(&plan, &exported)
                + &render::unset_lines(&plan, &unset)
                + &render::withheld_lines(&plan, &withheld)
        }
        Format::Properties => {
            render::properties(&plan, true)
                + &render::image_properties(&plan, &flavor.image_properties(&plan, &inputs.vars))
        }
        Format::Json => render::json(&plan, &exported, &flavor.writes_at_start(&plan)),
    };
    crate::output::stdout(&out, "the plan")
}
