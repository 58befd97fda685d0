//! Step: the Kafka version whose catalog checks every key
//! (`KAFKA_INIT_KAFKA_VERSION`, else the version the image states, else the
//! default for the mode), and the plugin keys the catalog cannot know
//! (`KAFKA_INIT_EXTRA_KEYS`).

use std::collections::BTreeMap;

use super::builder::Builder;
use super::Mode;
use crate::catalog::{self, Selection};
use crate::settings::Settings;

/// The selected catalog; a bad `KAFKA_INIT_KAFKA_VERSION` (or image
/// version) is a problem and the mode's default stands in, so that every
/// other key is still checked.
pub(super) fn select(
    b: &mut Builder,
    s: &Settings,
    vars: &BTreeMap<String, String>,
    mode: Mode,
) -> Selection {
    let image_env = |v: &str| vars.get(v).cloned();
    let zookeeper = mode == Mode::ZooKeeper;
    disagreeing_image(b, s, &image_env);
    match catalog::select_for_mode(s.kafka_init_kafka_version.as_deref(), &image_env, zookeeper) {
        Ok(sel) => sel,
        Err(p) => {
            b.problems.push(p);
            let no_image = |_: &str| None;
            // The defaults are supported versions (catalog tests), so this cannot fail.
            catalog::select_for_mode(None, &no_image, zookeeper)
                .expect("the default Kafka version has a catalog")
        }
    }
}

/// `KAFKA_INIT_KAFKA_VERSION` set beside an image that states another
/// version: the manifests set it for the initContainer (kafka-init's own
/// image cannot see the Kafka image's), next to the image tag; a tag changed
/// without it would have the settings checked against another Kafka's rules.
fn disagreeing_image(b: &mut Builder, s: &Settings, image_env: &dyn Fn(&str) -> Option<String>) {
    let Some(setting) = s.kafka_init_kafka_version.as_deref().map(str::trim) else {
        return;
    };
    for (var, image) in catalog::IMAGE_VERSION_VARS {
        if let Some(stated) = image_env(var).map(|v| v.trim().to_string()) {
            if !stated.is_empty() && stated != setting {
                b.problem(
                    catalog::VERSION_VAR,
                    setting,
                    format!("the image runs Kafka {stated} ({var}, set by {image}); kafka-init would check the settings against Kafka {setting}'s rules"),
                    format!("set {} to {stated}, next to the image tag, or unset it where the image states its version", catalog::VERSION_VAR),
                );
            }
        }
    }
}

/// The entries of `KAFKA_INIT_EXTRA_KEYS`; a malformed one is a problem.
pub(super) fn extra_keys(b: &mut Builder, s: &Settings) -> Vec<String> {
    let Some(raw) = &s.kafka_init_extra_keys else {
        return vec![];
    };
    match catalog::parse_extra_keys(raw) {
        Ok(keys) => keys,
        Err(e) => {
            b.problem(
                catalog::EXTRA_KEYS_VAR,
                raw,
                format!("not a list of keys: {e}"),
                "write exact keys or prefix.* entries, separated by commas",
            );
            vec![]
        }
    }
}
