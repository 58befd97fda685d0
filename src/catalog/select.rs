//! Which Kafka version's catalog checks the keys: the setting, else the
//! version the image states, else the default.

use super::Version;
use crate::problem::Problem;

/// The setting that names the Kafka version to check against.
pub const VERSION_VAR: &str = "KAFKA_INIT_KAFKA_VERSION";

/// The version used when neither the setting nor the image states one: the
/// newest supported release (the apache/kafka image states no version in
/// its environment).
pub const DEFAULT_VERSION: &str = "4.4.0";

/// The default in ZooKeeper mode: the newest supported 3.9 release, 3.9
/// being the last line that runs ZooKeeper (4.0 removed it, KIP-833), so a
/// ZooKeeper configuration is never judged by a Kafka that cannot run it.
pub const ZOOKEEPER_DEFAULT_VERSION: &str = "3.9.2";

/// Variables in which an image states its Kafka version: `(variable, image)`.
/// apache/kafka and confluentinc/cp-kafka state none in their environment
/// (only labels), so they fall to the default.
pub const IMAGE_VERSION_VARS: &[(&str, &str)] = &[("APP_VERSION", "bitnami/kafka")];

/// `(major, minor)` of a version string (`3.9.1` → (3, 9)).
pub fn line_of(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Where the selected version came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `KAFKA_INIT_KAFKA_VERSION`.
    Setting,
    /// A variable the image sets (`APP_VERSION`).
    Image(&'static str),
    /// Neither: [`DEFAULT_VERSION`].
    Default,
}

/// The version kafka-init checks against, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The catalog used.
    pub version: Version,
    /// The version asked for (may be a patch release without a catalog of its own).
    pub requested: String,
    /// Where `requested` came from.
    pub source: Source,
    /// False when no catalog of `requested`'s line exists and the nearest
    /// one stands in: keys it does not know may be real, so the caller
    /// should report unknown keys as warnings only.
    pub exact_line: bool,
    /// One line for `plan` and the exec summary: "Kafka 3.9.0 (APP_VERSION, set by bitnami/kafka)".
    pub why: String,
}

/// Picks the catalog: `KAFKA_INIT_KAFKA_VERSION` if set, else the version
/// the image states (`image_env` looks up the image's variables), else
/// [`DEFAULT_VERSION`]. A patch release without a catalog uses its line's
/// (3.9.1 → 3.9.2); a line without one uses the nearest older line, or the
/// oldest. A value that is no version is a problem.
pub fn select(
    setting: Option<&str>,
    image_env: &dyn Fn(&str) -> Option<String>,
) -> Result<Selection, Problem> {
    select_for_mode(setting, image_env, false)
}

/// [`select`], with [`ZOOKEEPER_DEFAULT_VERSION`] as the default when the
/// configuration runs ZooKeeper mode.
pub fn select_for_mode(
    setting: Option<&str>,
    image_env: &dyn Fn(&str) -> Option<String>,
    zookeeper: bool,
) -> Result<Selection, Problem> {
    let default = if zookeeper {
        ZOOKEEPER_DEFAULT_VERSION
    } else {
        DEFAULT_VERSION
    };
    let mut ignored = None;
    let (requested, source) = match setting.map(str::trim) {
        Some(v) => (v.to_string(), Source::Setting),
        None => match IMAGE_VERSION_VARS
            .iter()
            .find_map(|(var, image)| image_env(var).map(|v| (v, *var, *image)))
        {
            // An image's own variable that states no version (Bitnami's
            // `APP_VERSION=latest`) is not the user's mistake: the default
            // stands, and `why` says so.
            Some((v, var, _)) if line_of(v.trim()).is_some() => {
                (v.trim().to_string(), Source::Image(var))
            }
            Some((v, var, _)) => {
                ignored = Some(format!("{var}={:?} states no version", v.trim()));
                (default.to_string(), Source::Default)
            }
            None => (default.to_string(), Source::Default),
        },
    };
    let Some(line) = line_of(&requested) else {
        let var = match source {
            Source::Image(var) => var,
            _ => VERSION_VAR,
        };
        return Err(Problem::new(
            var,
            requested.clone(),
            "not a Kafka version (expected MAJOR.MINOR.PATCH such as 3.9.0)",
            format!(
                "set {VERSION_VAR} to the broker's Kafka version; catalogs: {}",
                Version::all()
                    .map(Version::name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    let (version, exact_line) = nearest_catalog(&requested, line);
    let origin = match &source {
        Source::Setting => VERSION_VAR.to_string(),
        Source::Image(var) => {
            let image = IMAGE_VERSION_VARS
                .iter()
                .find(|(v, _)| v == var)
                .map_or("the image", |(_, i)| i);
            format!("{var}, set by {image}")
        }
        Source::Default if zookeeper => format!(
            "the default in ZooKeeper mode, which 4.x cannot run; set {VERSION_VAR} to change it"
        ),
        Source::Default => format!("the default; set {VERSION_VAR} to change it"),
    };
    let origin = match ignored {
        Some(i) => format!("{i}, so {origin}"),
        None => origin,
    };
    let mut why = format!("Kafka {requested} ({origin})");
    if version.name() != requested {
        why.push_str(&format!(", checked against the {} catalog", version.name()));
    }
    if !exact_line {
        why.push_str(": no catalog for this release line, unknown keys are only warned about");
    }
    Ok(Selection {
        version,
        requested,
        source,
        exact_line,
        why,
    })
}

/// The catalog for `requested`: itself, else the newest of its line, else
/// the newest older line's, else the oldest.
fn nearest_catalog(requested: &str, line: (u32, u32)) -> (Version, bool) {
    if let Some(v) = Version::exact(requested) {
        return (v, true);
    }
    if let Some(v) = Version::all().filter(|v| v.line() == line).last() {
        return (v, true);
    }
    let older = Version::all().filter(|v| v.line() < line).last();
    (older.unwrap_or(Version(0)), false)
}
