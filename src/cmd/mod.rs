//! One function per subcommand; each derives the Plan first and changes
//! nothing when it has problems.

pub mod audit;
pub mod exec;
pub mod explain;
pub mod migration;
pub mod plan;
pub mod prepare;
pub mod probe;

use std::borrow::Cow;

use tracing::warn;

use crate::environment::Inputs;
use crate::flavor::{self, Flavor};
use crate::observe::{self, Observation};
use crate::plan::{self as planning, FoundClusterId, Given, Plan, StoredClusterId};
use crate::pod;
use crate::problem::Problems;
use crate::rules;
use crate::settings::Settings;

/// The flavor `--flavor` names, else `KAFKA_INIT_FLAVOR`, else the default;
/// a name no flavor has is a problem.
pub(crate) fn chosen_flavor(
    flag: Option<&str>,
    settings: &Settings,
    problems: &mut Vec<crate::problem::Problem>,
) -> &'static dyn Flavor {
    let set = settings
        .kafka_init_flavor
        .as_deref()
        .map(|f| ("KAFKA_INIT_FLAVOR", f));
    match flag {
        Some(f) => {
            // The flag wins, but a value is checked wherever it is set.
            flavor::select(set, problems);
            flavor::select(Some(("--flavor", f)), problems)
        }
        None => flavor::select(set, problems),
    }
}

/// `inputs` as settings: without the variables the chosen flavor's image
/// sets empty itself ([`Flavor::image_empty_vars`]). Kubernetes cannot
/// unset an image's variable, so such an empty value says nothing about
/// what the user wants. The environment `exec` hands on is `inputs` as read.
pub(crate) fn as_settings<'a>(
    inputs: &'a Inputs,
    settings: &Settings,
    flag: Option<&str>,
) -> Cow<'a, Inputs> {
    // A wrong flavor name is reported by the derivation that follows.
    let flavor = chosen_flavor(flag, settings, &mut vec![]);
    let empty = |name: &String| inputs.vars.get(name).is_some_and(String::is_empty);
    let unset: Vec<&String> = inputs
        .vars
        .keys()
        .filter(|name| flavor.image_empty_vars().contains(&name.as_str()) && empty(name))
        .collect();
    if unset.is_empty() {
        return Cow::Borrowed(inputs);
    }
    let mut own = inputs.clone();
    own.vars.retain(|name, _| !unset.contains(&name));
    Cow::Owned(own)
}

/// The chosen flavor and the user's Kafka settings as it reads them, for a
/// command that only looks at them: their problems are the Plan's to report.
pub(crate) fn peek_user_settings(
    inputs: &Inputs,
    settings: &Settings,
    flag: Option<&str>,
) -> (&'static dyn Flavor, crate::plan::UserSettings) {
    let mut ignored = vec![];
    let flavor = chosen_flavor(flag, settings, &mut ignored);
    let user = flavor::read_user_settings(flavor, &inputs.vars, &mut ignored);
    (flavor, user)
}

/// Logs the Plan's warnings: `plan`, `exec` and `prepare` do, once per run.
pub fn log_warnings(plan: &Plan) {
    for w in &plan.warnings {
        let value = w.shown_value();
        warn!(var = %w.var, value = value.as_deref().unwrap_or("(unset)"), fix = %w.fix, "{}", w.rule);
    }
}

/// Derives and validates the Plan (pure): the common first step of every command.
pub fn derive_for(
    inputs: &Inputs,
    flavor: Option<&str>,
    pod: Option<&str>,
) -> Result<Plan, Problems> {
    derive_with_flavor(inputs, flavor, pod).map(|(plan, _)| plan)
}

/// [`derive_with_flavor`] on `inputs` as read. Problems may suggest a fresh
/// cluster id: only then are random bytes read (not on every start), and
/// the derivation, pure, is run again with them.
pub fn derive_with_flavor(
    inputs: &Inputs,
    flavor_override: Option<&str>,
    pod_override: Option<&str>,
) -> Result<(Plan, &'static dyn Flavor), Problems> {
    derive_with_settings(
        inputs,
        &Settings::of(&inputs.vars),
        flavor_override,
        pod_override,
        None,
        &[],
    )
}

/// [`derive_with_flavor`] with kafka-init's `settings`, already read from
/// `inputs.vars`, and the cluster ids the observation found (ZooKeeper's,
/// the volume's).
pub(crate) fn derive_with_settings(
    inputs: &Inputs,
    settings: &Settings,
    flavor_override: Option<&str>,
    pod_override: Option<&str>,
    found: Option<&FoundClusterId>,
    stored: &[StoredClusterId],
) -> Result<(Plan, &'static dyn Flavor), Problems> {
    let inputs = &*as_settings(inputs, settings, flavor_override);
    let once = |inputs: &Inputs| {
        derive_once(
            inputs,
            settings,
            flavor_override,
            pod_override,
            found,
            stored,
        )
    };
    once(inputs).or_else(|_| once(&inputs.with_random()))
}

/// A Plan derived after observing the cluster ([`observe::observe`]), for
/// the commands that decide a start (`exec`, `plan`, `prepare`): every
/// problem of both at once. The observation comes back for `exec` to
/// record what ZooKeeper confirmed.
pub struct Observed {
    /// The Plan.
    pub plan: Plan,
    /// The flavor that hands it to its image.
    pub flavor: &'static dyn Flavor,
    /// What was observed.
    pub observation: Observation,
}

/// Observes, then derives: [`Observed`], or every problem of both.
pub fn derive_observed(
    inputs: &Inputs,
    settings: &Settings,
    flavor_flag: Option<&str>,
    pod: Option<&str>,
) -> Result<Observed, Problems> {
    let inputs = &*as_settings(inputs, settings, flavor_flag);
    let (flavor, user) = peek_user_settings(inputs, settings, flavor_flag);
    let observation = observe::observe(inputs, settings, flavor, &user);
    let derived = derive_with_settings(
        inputs,
        settings,
        flavor_flag,
        pod,
        observation.found.as_ref(),
        &observation.stored,
    );
    let mut problems = observation.problems.clone();
    match derived {
        Ok((plan, flavor)) if problems.is_empty() => Ok(Observed {
            plan,
            flavor,
            observation,
        }),
        Ok(_) => Err(Problems(problems)),
        Err(Problems(more)) => {
            problems.extend(more);
            Err(Problems(problems))
        }
    }
}

/// [`derive_for`] for the commands that only read (probe, migration
/// status): they never format storage, so a KRaft node whose settings carry
/// no cluster id (a migrating controller reads it from ZooKeeper when it
/// starts; a finalized one has it in its formatted storage) derives with a
/// stand-in id. The id decides nothing these commands use.
pub fn derive_to_read(inputs: &Inputs) -> Result<Plan, Problems> {
    const NAMES: [&str; 3] = [
        "KAFKA_INIT_CLUSTER_ID",
        "KAFKA_KRAFT_CLUSTER_ID",
        "CLUSTER_ID",
    ];
    if NAMES.iter().any(|n| inputs.vars.contains_key(*n)) {
        return derive_for(inputs, None, None);
    }
    let mut with_id = inputs.clone();
    with_id
        .vars
        .insert(NAMES[0].into(), "PS4Cue3C_48KyLelRtKt1w".into());
    derive_for(&with_id, None, None)
}

/// [`derive_for`], and the flavor that will hand the Plan to its image. The
/// one place the steps meet: the flavor reads the user's settings, the Plan
/// is derived from them, Kafka's rules check it; every problem of every step
/// comes back at once.
fn derive_once(
    inputs: &Inputs,
    settings: &Settings,
    flavor_override: Option<&str>,
    pod_override: Option<&str>,
    found: Option<&FoundClusterId>,
    stored: &[StoredClusterId],
) -> Result<(Plan, &'static dyn Flavor), Problems> {
    let mut problems = vec![];
    let flavor = chosen_flavor(flavor_override, settings, &mut problems);
    problems.extend(inputs.non_utf8_problems(|var| flavor::reads(flavor, var)));
    let (user, read_as) = flavor::read_user_settings_as(flavor, &inputs.vars, &mut problems);
    let pod = pod::identify(settings, inputs, pod_override, &mut problems);
    let (mut plan, derived) = planning::derive(
        user,
        Given {
            settings,
            pod,
            flavor: flavor.facts(),
            read_as: read_as.read_as(),
            vars: &inputs.vars,
            random: &inputs.random,
            found,
            stored,
        },
    );
    problems.extend(derived);
    let mut warnings = vec![];
    rules::validate(&plan, &mut problems, &mut warnings);
    flavor.startup_checks(&plan, &inputs.vars, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    warnings.extend(flavor::unread_lookalikes(flavor, &inputs.vars));
    plan.warnings = warnings;
    match planning::probe_target(&plan) {
        Ok(t) => plan.probe = Some(t),
        Err(why) => plan.why_no_probe = Some(why),
    }
    Ok((plan, flavor))
}
