//! One function per subcommand; each derives the Plan first and changes
//! nothing when it has problems.

pub mod exec;
pub mod plan;
pub mod prepare;
pub mod probe;

use crate::environment::Inputs;
use crate::plan::Plan;
use crate::problem::Problems;

/// Derives and validates the Plan (pure): the common first step of every command.
pub fn derive_for(
    inputs: &Inputs,
    flavor: Option<&str>,
    pod: Option<&str>,
) -> Result<Plan, Problems> {
    crate::plan::derive(inputs, flavor, pod).or_else(|_| {
        // Problems may suggest a fresh cluster id: its random bytes are read
        // now, not on every start. Derivation is pure, so only that differs.
        crate::plan::derive(&inputs.with_random(), flavor, pod)
    })
}
