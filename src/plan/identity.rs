//! Step: `broker.id` / `node.id` = ordinal + `KAFKA_INIT_ID_OFFSET`.

use super::builder::Builder;
use super::Mode;
use crate::pod::Pod;
use crate::settings::Settings;

/// The offset and the id; a fixed id the user set is a problem.
pub(super) fn identity(b: &mut Builder, s: &Settings, pod: &Pod, mode: Mode) -> (u32, u32) {
    let offset = b.number(
        "KAFKA_INIT_ID_OFFSET",
        s.kafka_init_id_offset.as_ref(),
        0,
        0,
        i32::MAX as u32,
    );
    let id64 = u64::from(pod.ordinal) + u64::from(offset);
    let id = if id64 > i32::MAX as u64 {
        b.problem(
            "KAFKA_INIT_ID_OFFSET",
            &offset.to_string(),
            format!(
                "ordinal {} + offset {} overflows Kafka's 32-bit id",
                pod.ordinal, offset
            ),
            "use a smaller KAFKA_INIT_ID_OFFSET",
        );
        0
    } else {
        id64 as u32
    };
    for key in ["broker.id", "node.id"] {
        if let Some(u) = b.user(key).cloned() {
            if u.value.trim() != id.to_string() {
                b.user_problem(key, &u, format!("{key} is derived from the pod ordinal ({} → {id}); a fixed value gives every pod the same id", pod.name), format!("remove {}; shift ids with KAFKA_INIT_ID_OFFSET", u.var));
            }
        }
    }
    b.complete(
        if mode == Mode::ZooKeeper {
            "broker.id"
        } else {
            "node.id"
        },
        id.to_string(),
    );
    (offset, id)
}
