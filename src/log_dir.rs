//! What Kafka makes of the names in a log dir: which subdirectories it
//! loads as partitions (`prepare` refuses the others, `probe` counts them).

/// Whether Kafka can parse a directory name as a partition
/// (`LocalLog.parseTopicPartitionName`): `<topic>-<partition>`, optionally
/// followed by `.<uniqueId>-delete`, `-future` or `-stray`. Pure.
pub fn topic_partition_shaped(name: &str) -> bool {
    let mut base = name;
    for suffix in ["-delete", "-future", "-stray"] {
        if let Some(rest) = name.strip_suffix(suffix) {
            // `^(\S+)-(\S+)\.(\S+)-<suffix>`: a dot-separated unique id.
            match rest.rsplit_once('.') {
                Some((b, id)) if !id.is_empty() && !id.contains(char::is_whitespace) => base = b,
                _ => return false,
            }
            break;
        }
    }
    match base.rsplit_once('-') {
        Some((topic, partition)) => !topic.is_empty() && partition.parse::<i32>().is_ok(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_directory_names_kafka_loads_as_partitions() {
        let cases: &[(&str, bool)] = &[
            ("orders-0", true),
            ("my-topic-12", true),
            ("__consumer_offsets-49", true),
            ("__cluster_metadata-0", true),
            ("orders-0.abc123-delete", true),
            ("orders-0.abc123-future", true),
            ("orders-0.abc123-stray", true),
            ("lost+found", false),
            ("orders", false),
            ("orders-", false),
            ("-0", false),
            ("orders-x", false),
            ("orders-0-delete", false),
            ("config", false),
            (".snapshot", false),
            ("kafka", false),
        ];
        for (name, shaped) in cases {
            assert_eq!(topic_partition_shaped(name), *shaped, "{name}");
        }
    }
}
