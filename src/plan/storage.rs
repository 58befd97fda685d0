//! Step: where the broker keeps data, who owns it, and, for flavors that
//! write `server.properties`, where it goes and how KRaft storage is formatted.

use std::path::{Path, PathBuf};

use super::builder::Builder;
use super::{FlavorFacts, Mode};
use crate::listener;
use crate::settings::Settings;

/// The data dirs and the paths around them.
pub(super) struct Storage {
    pub(super) data_dirs: Vec<PathBuf>,
    pub(super) run_as: (u32, u32),
    pub(super) config_dir: Option<PathBuf>,
    pub(super) format_command: Vec<String>,
}

/// The storage facts of the Plan.
pub(super) fn derive(b: &mut Builder, s: &Settings, flavor: &FlavorFacts, mode: Mode) -> Storage {
    let data_dirs = data_dirs(b, flavor, mode);
    let run_as = match &s.kafka_init_run_as {
        None => flavor.run_as,
        Some(v) => match v
            .split_once(':')
            .map(|(u, g)| (u.parse::<u32>(), g.parse::<u32>()))
        {
            Some((Ok(u), Ok(g))) => (u, g),
            _ => {
                b.problem("KAFKA_INIT_RUN_AS", v, "must be uid:gid in numbers, e.g. 1001:1001", "set the uid and gid the Kafka container runs as (securityContext runAsUser / runAsGroup)");
                flavor.run_as
            }
        },
    };
    let config_dir = flavor
        .writes_config_file
        .then(|| config_dir(b, s, &data_dirs));
    let format_command = format_command(b, s);
    if let (false, Some(d)) = (flavor.writes_config_file, &s.kafka_init_config_dir) {
        // Unused by this flavor, but a value is checked wherever it is set.
        if !std::path::Path::new(d).is_absolute() {
            b.problem("KAFKA_INIT_CONFIG_DIR", d, "the config dir must be an absolute path", "set an absolute directory outside the data dirs, or unset it (this flavor writes no server.properties)");
        } else {
            refuse_system_dir(b, Path::new(d));
        }
    }
    if let Some(root) = &s.kafka_init_image_root {
        if !Path::new(root).is_absolute() {
            b.problem(
                "KAFKA_INIT_IMAGE_ROOT",
                root,
                "the image root must be an absolute path",
                "set the directory the image's tree is under (/ in the image), or unset it",
            );
        }
    }
    Storage {
        data_dirs,
        run_as,
        config_dir,
        format_command,
    }
}

/// `KAFKA_INIT_FORMAT_COMMAND`, split on whitespace (no shell). A blank one
/// is a problem wherever it is set: found here, before anything is written,
/// not when the storage tool is about to run.
fn format_command(b: &mut Builder, s: &Settings) -> Vec<String> {
    const DEFAULT: &str = "/opt/kafka/bin/kafka-storage.sh";
    let value = s.kafka_init_format_command.as_deref().unwrap_or(DEFAULT);
    let argv: Vec<String> = value.split_whitespace().map(str::to_string).collect();
    if argv.is_empty() {
        b.bad_value(
            "KAFKA_INIT_FORMAT_COMMAND",
            value,
            "the storage format command is blank, so KRaft storage could not be formatted",
            format!("set the image's kafka-storage.sh, or unset it for {DEFAULT}"),
        );
    }
    argv
}

/// `log.dirs`, else `log.dir`, else the flavor's default; KRaft's separate metadata dir too.
fn data_dirs(b: &mut Builder, flavor: &FlavorFacts, mode: Mode) -> Vec<PathBuf> {
    let dirs_value = b
        .user_value("log.dirs")
        .or(b.user_value("log.dir"))
        .map(str::to_string);
    let mut data_dirs: Vec<PathBuf> = match &dirs_value {
        Some(v) => listener::split_csv(v)
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        None => {
            b.default("log.dirs", flavor.default_data_dir);
            vec![PathBuf::from(flavor.default_data_dir)]
        }
    };
    if mode == Mode::KRaft {
        if let Some(m) = b.user_value("metadata.log.dir").map(PathBuf::from) {
            if !data_dirs.contains(&m) {
                data_dirs.push(m);
            }
        }
    }
    data_dirs
}

/// `prepare` owns the config dir: a system directory is refused by every
/// command, not only by `prepare` (`plan` would otherwise show a plan that
/// cannot start).
fn refuse_system_dir(b: &mut Builder, dir: &Path) {
    if let Some(why) = crate::ownership::refusal(dir) {
        b.problem(
            "KAFKA_INIT_CONFIG_DIR",
            &dir.display().to_string(),
            format!("{} {why}", dir.display()),
            "set an absolute directory of its own outside the data dirs, e.g. /var/lib/kafka/config",
        );
    }
}

/// `KAFKA_INIT_CONFIG_DIR`, else `config` beside the first data dir; never inside a data dir.
fn config_dir(b: &mut Builder, s: &Settings, data_dirs: &[PathBuf]) -> PathBuf {
    let config_dir = match &s.kafka_init_config_dir {
        Some(d) => PathBuf::from(d),
        None => data_dirs.first().and_then(|d| d.parent()).map_or_else(
            || PathBuf::from("/var/lib/kafka/config"),
            |p| p.join("config"),
        ),
    };
    if !config_dir.is_absolute() {
        b.problem(
            "KAFKA_INIT_CONFIG_DIR",
            &config_dir.display().to_string(),
            "the config dir must be an absolute path",
            "set an absolute directory outside the data dirs",
        );
    } else {
        refuse_system_dir(b, &config_dir);
    }
    if let Some(d) = data_dirs.iter().find(|d| config_dir.starts_with(d)) {
        b.problem("KAFKA_INIT_CONFIG_DIR", &config_dir.display().to_string(), format!("the config dir is inside the data dir {} (Kafka treats every directory there as a partition)", d.display()), "put server.properties outside the data dirs, e.g. beside them");
    }
    config_dir
}
