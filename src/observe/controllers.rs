//! What the KRaft controllers say: ApiVersions (`ZkMigrationReady`) from
//! each, DescribeQuorum from the leader.

use std::time::Instant;

use anyhow::{bail, Result};

use crate::wire::api_versions::{self, ApiVersionsResponse};
use crate::wire::describe_quorum::{self, Quorum};
use crate::wire::Connection;

const CLIENT: &str = "kafka-init";

/// What the controllers said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ControllersView {
    /// At least one controller answered ApiVersions.
    pub reachable: bool,
    /// Every controller that answered reports `ZkMigrationReady`.
    pub zk_migration_ready: bool,
    /// The quorum, from the leader's DescribeQuorum.
    pub quorum: Option<Quorum>,
    /// Why each controller that did not answer did not (`host:port: reason`).
    pub unanswered: Vec<String>,
}

/// Asks each controller ApiVersions, and DescribeQuorum until the leader answers.
pub fn read(controllers: &[(String, u16)], deadline: Instant) -> ControllersView {
    let mut view = ControllersView {
        zk_migration_ready: true,
        ..Default::default()
    };
    for (host, port) in controllers {
        let answer = Connection::open(host, *port, deadline)
            .and_then(|mut conn| ask_versions(&mut conn).map(|v| (conn, v)));
        let (mut conn, versions) = match answer {
            Ok(ok) => ok,
            Err(e) => {
                view.unanswered.push(format!("{host}:{port}: {e:#}"));
                continue;
            }
        };
        view.reachable = true;
        view.zk_migration_ready &= versions.zk_migration_ready;
        if view.quorum.is_none() {
            view.quorum = describe_quorum(&mut conn)
                .ok()
                .filter(|q| q.error_code == 0);
        }
    }
    view.zk_migration_ready &= view.reachable;
    view
}

fn ask_versions(conn: &mut Connection) -> Result<ApiVersionsResponse> {
    let req = api_versions::encode_request(1, CLIENT, CLIENT, env!("CARGO_PKG_VERSION"));
    conn.send(&req, "ApiVersions")?;
    let len = conn.frame_len("ApiVersions", api_versions::MAX_FRAME)?;
    let v = api_versions::decode_response(&mut *conn, len, 1)?;
    if v.error_code != 0 {
        bail!("ApiVersions error {}", v.error_code);
    }
    Ok(v)
}

/// DescribeQuorum on an open connection.
pub fn describe_quorum(conn: &mut Connection) -> Result<Quorum> {
    let frame = conn.round_trip(
        &describe_quorum::encode_request(2, CLIENT),
        "DescribeQuorum",
        describe_quorum::MAX_FRAME,
    )?;
    Ok(describe_quorum::decode_response(&frame, 2)?)
}
