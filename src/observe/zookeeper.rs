//! What ZooKeeper says about a migration: the znodes it is judged by, read
//! in one session ([`read`]), and the view made of them ([`ZkView`], pure).

use std::time::Instant;

use serde_json::Value;

use crate::zookeeper::{self, Answer, Client, Failure, Why, Znode};

/// What a ZooKeeper read found: the znodes a migration is judged by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZkView {
    /// `/cluster/id`'s id.
    pub cluster_id: Option<String>,
    /// The ids under `/brokers/ids`: brokers in ZooKeeper mode or dual write
    /// (each holds an ephemeral znode there; KRaft brokers never write one).
    pub brokers: Vec<i64>,
    /// `/migration`'s JSON, when the znode exists.
    pub migration: Option<Value>,
    /// `/migration`'s creation zxid, when the znode exists: one migration
    /// attempt's `/migration` (a rollback deletes it, the next attempt's
    /// controllers create a new one with a new czxid).
    pub migration_czxid: Option<i64>,
    /// `/controller`'s JSON, when the znode exists.
    pub controller: Option<Value>,
    /// `/controller_epoch`, when read (`migration status`) and present.
    pub controller_epoch: Option<i64>,
}

/// Reads the migration's znodes (read-only), all before `deadline`;
/// `/controller_epoch` too when `epoch` (read last, so that the guard
/// rails' reads are the four they always were).
pub fn read(connect: &str, deadline: Instant, epoch: bool) -> Result<ZkView, Failure> {
    let mut zk = Client::connect(connect, deadline)?;
    let cluster = zk.get_data("/cluster/id")?;
    let brokers = zk.get_children("/brokers/ids")?;
    let migration = zk.get_znode("/migration")?;
    let controller = zk.get_data("/controller")?;
    let controller_epoch = if epoch {
        Some(zk.get_data("/controller_epoch")?)
    } else {
        None
    };
    zk.close();
    let mut view = zk_view(cluster, brokers, migration, controller).map_err(|e| Failure {
        why: Why::Protocol,
        detail: e,
    })?;
    view.controller_epoch = match controller_epoch {
        Some(Answer::Found(d)) => String::from_utf8_lossy(&d).trim().parse().ok(),
        _ => None,
    };
    Ok(view)
}

/// The view from the four answers (pure).
pub fn zk_view(
    cluster: Answer<Vec<u8>>,
    brokers: Answer<Vec<String>>,
    migration: Answer<Znode>,
    controller: Answer<Vec<u8>>,
) -> Result<ZkView, String> {
    let json = |a: Answer<Vec<u8>>| match a {
        Answer::Found(d) if !d.is_empty() => serde_json::from_slice::<Value>(&d).ok(),
        _ => None,
    };
    let cluster_id = match cluster {
        Answer::Found(d) => Some(zookeeper::cluster_id_of(&d)?),
        Answer::NoNode => None,
    };
    let brokers = match brokers {
        Answer::Found(c) => c.iter().filter_map(|id| id.parse().ok()).collect(),
        Answer::NoNode => vec![],
    };
    let migration_czxid = match &migration {
        Answer::Found(z) => Some(z.czxid),
        Answer::NoNode => None,
    };
    let migration = match migration {
        Answer::Found(z) => Answer::Found(z.data),
        Answer::NoNode => Answer::NoNode,
    };
    Ok(ZkView {
        cluster_id,
        brokers,
        migration: json(migration),
        migration_czxid,
        controller: json(controller),
        controller_epoch: None,
    })
}

impl ZkView {
    /// True once the controllers have copied ZooKeeper's metadata into KRaft:
    /// `/migration` holds a KRaft metadata offset. (The controllers create
    /// the znode in PRE_MIGRATION already, with every field -1: seen on 3.9.2.)
    pub fn migrated(&self) -> bool {
        self.migration
            .as_ref()
            .and_then(|m| m.get("kraft_metadata_offset"))
            .and_then(Value::as_i64)
            .is_some_and(|o| o >= 0)
    }

    /// What `/migration` says, for messages.
    pub fn migration_said(&self) -> String {
        match &self.migration {
            None => "/migration does not exist (no controller has started with the migration flag)".into(),
            Some(m) if !self.migrated() => format!("/migration is {m}: its kraft_metadata_offset is -1, the controllers have not copied ZooKeeper's metadata yet (PRE_MIGRATION)"),
            Some(m) => format!("/migration is {m}"),
        }
    }
}
