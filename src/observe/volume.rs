//! What the node's own volume says: the cluster id its `meta.properties`
//! holds, and what kafka-init recorded there once ZooKeeper confirmed a
//! step ([`Record`]), so that later starts need no ZooKeeper.
//!
//! The record is a file of its own beside Kafka's (`kafka-init-migration`
//! in the metadata dir), never inside Kafka's files: Kafka loads only
//! directories of a log dir as partitions and ignores other files.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::meta;
use crate::plan::migration::Phase;
use crate::plan::UserSettings;

/// The record's file name.
pub const RECORD_FILE: &str = "kafka-init-migration";

/// The node's metadata dir: `metadata.log.dir`, else the first of
/// `log.dirs` (or `log.dir`), else the image's default: where Kafka keeps
/// `meta.properties` and the metadata log.
pub fn metadata_dir(user: &UserSettings, default_data_dir: &str) -> PathBuf {
    let first = |k: &str| {
        user.get(k).and_then(|u| {
            crate::listener::split_csv(&u.value)
                .first()
                .map(|d| PathBuf::from(d.trim()))
        })
    };
    first("metadata.log.dir")
        .or_else(|| first("log.dirs"))
        .or_else(|| first("log.dir"))
        .unwrap_or_else(|| PathBuf::from(default_data_dir))
}

/// The data dirs (`log.dirs`, else `log.dir`, else the image's default).
pub fn data_dirs(user: &UserSettings, default_data_dir: &str) -> Vec<PathBuf> {
    let dirs = user
        .get("log.dirs")
        .or(user.get("log.dir"))
        .map_or_else(|| default_data_dir.to_string(), |u| u.value.clone());
    crate::listener::split_csv(&dirs)
        .into_iter()
        .map(|d| PathBuf::from(d.trim()))
        .collect()
}

pub use crate::plan::StoredClusterId;

/// The node's dirs where Kafka keeps a `meta.properties`: the data dirs and
/// the metadata dir, once each.
pub fn meta_dirs(user: &UserSettings, default_data_dir: &str) -> Vec<PathBuf> {
    let mut dirs = data_dirs(user, default_data_dir);
    let meta = metadata_dir(user, default_data_dir);
    if !dirs.contains(&meta) {
        dirs.push(meta);
    }
    dirs
}

/// The `cluster.id` of every one of `dirs` whose `meta.properties` has one,
/// in the order of their paths (Kafka loads them into a sorted map and
/// expects the first one's id of the others). A file that cannot be read
/// or parsed holds none here: `prepare` reports it.
pub fn stored_cluster_ids(dirs: &[PathBuf]) -> Vec<StoredClusterId> {
    let mut found: Vec<StoredClusterId> = dirs
        .iter()
        .filter_map(|dir| {
            let meta::Observed::Bytes(bytes) = meta::read(dir) else {
                return None;
            };
            let m = meta::parse(&bytes).and_then(|p| meta::interpret(&p)).ok()?;
            Some(StoredClusterId {
                path: dir.join(meta::FILE_NAME),
                id: m.cluster_id?,
                version: m.version,
            })
        })
        .collect();
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup();
    found
}

/// What kafka-init recorded on the volume: the step ZooKeeper confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `kraft-brokers` on a broker (ZooKeeper's `/migration` said the
    /// metadata copy had completed), `finalized` on a controller (no broker
    /// was registered in ZooKeeper).
    pub confirmed: Phase,
    /// The cluster id ZooKeeper held, when it held one.
    pub cluster_id: Option<String>,
    /// On a migrating controller (`confirmed` is its phase): the creation
    /// zxid of the `/migration` znode it ran with, i.e. the migration attempt
    /// this volume belongs to. A rollback deletes `/migration`; a later
    /// attempt's is a new znode with a new czxid. Absent in older records.
    pub migration_czxid: Option<i64>,
}

impl Record {
    /// The file's text (pure).
    pub fn text(&self, connect: &str) -> String {
        let mut text = format!(
            "# Written by kafka-init: what ZooKeeper ({connect}) confirmed before this node started in\n# this phase, so that later starts do not need ZooKeeper (or, on a migrating controller,\n# can tell this volume's migration attempt). Kafka never reads this file.\nconfirmed={}\ncluster.id={}\n",
            self.confirmed.as_str(),
            self.cluster_id.as_deref().unwrap_or("")
        );
        if let Some(z) = self.migration_czxid {
            text.push_str(&format!("migration.czxid={z:#x}\n"));
        }
        text
    }

    /// Parses the file's text (pure); `None` when it is not a record.
    pub fn parse(text: &str) -> Option<Record> {
        let get = |k: &str| {
            text.lines()
                .filter_map(|l| l.split_once('='))
                .find(|(key, _)| key.trim() == k)
                .map(|(_, v)| v.trim().to_string())
        };
        let czxid = match get("migration.czxid").filter(|z| !z.is_empty()) {
            None => None,
            Some(z) => Some(i64::from_str_radix(z.strip_prefix("0x")?, 16).ok()?),
        };
        Some(Record {
            confirmed: Phase::parse(&get("confirmed")?)?,
            cluster_id: get("cluster.id").filter(|c| !c.is_empty()),
            migration_czxid: czxid,
        })
    }
}

/// Kafka's metadata log partition dir inside the metadata dir.
pub const METADATA_LOG: &str = "__cluster_metadata-0";

/// Whether `dir`'s metadata log holds anything: a segment with bytes, or a
/// snapshot other than the empty one a KIP-853 format writes. Only an
/// elected KRaft leader appends to it, so a controller that has it ran in a
/// quorum; a volume only formatted (`meta.properties`, `bootstrap.checkpoint`)
/// has none.
pub fn metadata_log_written(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir.join(METADATA_LOG)) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        let len = e.metadata().map_or(0, |m| m.len());
        (name.ends_with(".log") && len > 0)
            || (name.ends_with(".checkpoint")
                && name != "00000000000000000000-0000000000.checkpoint")
    })
}

/// The record in `dir`, when there is one that parses.
pub fn read_record(dir: &Path) -> Option<Record> {
    std::fs::read_to_string(dir.join(RECORD_FILE))
        .ok()
        .and_then(|t| Record::parse(&t))
}

/// Writes the record into `dir` (temporary file, then rename).
pub fn write_record(dir: &Path, record: &Record, connect: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    let path = dir.join(RECORD_FILE);
    let tmp = dir.join(format!(".{RECORD_FILE}.{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp).with_context(|| format!("create {}", tmp.display()))?;
    f.write_all(record.text(connect).as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path)
        .with_context(|| format!("rename {} to {}", tmp.display(), path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_metadata_log_with_records_says_a_quorum_ran_on_the_volume() {
        let dir = std::env::temp_dir().join(format!("kafka-init-log-{}", std::process::id()));
        let log = dir.join(METADATA_LOG);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("bootstrap.checkpoint"), b"formatted").unwrap();
        assert!(!metadata_log_written(&dir), "formatted only");
        std::fs::create_dir(&log).unwrap();
        std::fs::write(log.join("quorum-state"), b"{}").unwrap();
        std::fs::write(log.join("00000000000000000000.log"), b"").unwrap();
        std::fs::write(log.join("00000000000000000000-0000000000.checkpoint"), b"x").unwrap();
        assert!(
            !metadata_log_written(&dir),
            "an empty segment, KIP-853's format snapshot"
        );
        std::fs::write(log.join("00000000000000000000.log"), b"records").unwrap();
        assert!(metadata_log_written(&dir), "a segment with records");
        std::fs::write(log.join("00000000000000000000.log"), b"").unwrap();
        std::fs::write(log.join("00000000000000000120-0000000003.checkpoint"), b"x").unwrap();
        assert!(
            metadata_log_written(&dir),
            "a snapshot of a log cleaned since"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_record_reads_back_what_was_written_and_nothing_else_is_a_record() {
        for confirmed in [Phase::KraftBrokers, Phase::Finalized] {
            for migration_czxid in [None, Some(0x1_0000_002a)] {
                let r = Record {
                    confirmed,
                    cluster_id: Some("Sc3yfWjdQ8Sx0aYhbhvHPw".into()),
                    migration_czxid,
                };
                assert_eq!(Record::parse(&r.text("zk:2181")), Some(r));
            }
        }
        // A record written before migration.czxid existed still reads.
        let old = "confirmed=finalized\ncluster.id=Sc3yfWjdQ8Sx0aYhbhvHPw\n";
        assert_eq!(Record::parse(old).and_then(|r| r.migration_czxid), None);
        assert!(Record::parse(old).is_some());
        let cases = [
            "",
            "confirmed=\n",
            "confirmed=later\n",
            "cluster.id=x\n",
            "confirmed=controllers\nmigration.czxid=12\n",
        ];
        for text in cases {
            assert_eq!(Record::parse(text), None, "{text:?}");
        }
    }
}
