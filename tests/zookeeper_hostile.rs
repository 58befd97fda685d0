//! The guard rails against hostile ZooKeepers: a stand-in server on
//! loopback, written here, that speaks just enough of ZooKeeper's protocol
//! (the frames of src/zookeeper.rs) to require SASL (it closes after the
//! session handshake), answer NOAUTH, refuse the session, or never answer;
//! and a well-behaved one holding a migration's znodes. Each rail refuses
//! with its reason (exit 78, nothing exec'd), and a second host of the
//! connect string is used when the first never answers.

mod util;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::thread;

use util::replay::read_frame;
use util::run;

/// How the stand-in behaves.
#[derive(Clone)]
enum Behaviour {
    /// Serves `znodes` (path → data; children are derived from paths).
    Serve(BTreeMap<String, Vec<u8>>),
    /// Gives a session, then closes on the first request (SASL required).
    RequireSasl,
    /// Gives a session, then answers every read with NOAUTH (-102).
    NoAuth,
    /// Answers the handshake with timeout 0 (no session).
    RefuseSession,
    /// Accepts and never answers.
    Silent,
}

fn i32b(v: i32) -> [u8; 4] {
    v.to_be_bytes()
}

fn frame(body: Vec<u8>) -> Vec<u8> {
    let mut out = i32b(body.len() as i32).to_vec();
    out.extend(body);
    out
}

fn connect_response(timeout: i32) -> Vec<u8> {
    let mut b = vec![];
    b.extend(i32b(0)); // protocol version
    b.extend(i32b(timeout));
    b.extend(0x1234_5678_9abc_def0i64.to_be_bytes()); // session id
    b.extend(i32b(16));
    b.extend([7u8; 16]);
    b.push(0);
    frame(b)
}

fn stat(ephemeral_owner: i64) -> Vec<u8> {
    let mut s = vec![0u8; 32 + 12];
    s.extend(ephemeral_owner.to_be_bytes());
    s.extend([0u8; 4 + 4 + 8]);
    s
}

fn reply(xid: i32, err: i32, rest: Vec<u8>) -> Vec<u8> {
    let mut b = vec![];
    b.extend(i32b(xid));
    b.extend(1i64.to_be_bytes());
    b.extend(i32b(err));
    b.extend(rest);
    frame(b)
}

/// The answer to one request frame: xid, op, path.
fn answer(znodes: &BTreeMap<String, Vec<u8>>, req: &[u8]) -> Vec<u8> {
    let xid = i32::from_be_bytes(req[0..4].try_into().unwrap());
    let op = i32::from_be_bytes(req[4..8].try_into().unwrap());
    if op == -11 {
        return reply(xid, 0, vec![]);
    }
    let len = i32::from_be_bytes(req[8..12].try_into().unwrap()) as usize;
    let path = String::from_utf8_lossy(&req[12..12 + len]).into_owned();
    let prefix = format!("{path}/");
    let children: Vec<&str> = znodes
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .filter(|c| !c.contains('/'))
        .collect();
    let exists = znodes.contains_key(&path) || !children.is_empty();
    if !exists {
        return reply(xid, -101, vec![]);
    }
    let mut rest = vec![];
    if op == 12 {
        rest.extend(i32b(children.len() as i32));
        for c in children {
            rest.extend(i32b(c.len() as i32));
            rest.extend(c.as_bytes());
        }
        rest.extend(stat(0));
    } else {
        let data = znodes.get(&path).cloned().unwrap_or_default();
        rest.extend(i32b(data.len() as i32));
        rest.extend(data);
        // Broker registrations are ephemeral.
        let owner = if path.contains("/brokers/ids/") {
            0x42
        } else {
            0
        };
        rest.extend(stat(owner));
    }
    reply(xid, 0, rest)
}

fn session(mut conn: TcpStream, b: Behaviour) {
    if read_frame(&mut conn).is_none() {
        return;
    }
    match b {
        Behaviour::Silent => {
            // Hold the connection open, say nothing, until the client goes.
            let _ = read_frame(&mut conn);
            return;
        }
        Behaviour::RefuseSession => {
            let _ = conn.write_all(&connect_response(0));
            return;
        }
        _ => {
            let _ = conn.write_all(&connect_response(30_000));
        }
    }
    while let Some(req) = read_frame(&mut conn) {
        let out = match &b {
            Behaviour::RequireSasl => return,
            Behaviour::NoAuth => {
                let xid = i32::from_be_bytes(req[0..4].try_into().unwrap());
                reply(xid, -102, vec![])
            }
            Behaviour::Serve(z) => answer(z, &req),
            _ => unreachable!(),
        };
        if conn.write_all(&out).is_err() {
            return;
        }
    }
}

/// A stand-in ZooKeeper on a free loopback port, serving every connection.
fn zookeeper(b: Behaviour) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let b = b.clone();
            thread::spawn(move || session(conn, b));
        }
    });
    port
}

const CLUSTER: &str = "Sc3yfWjdQ8Sx0aYhbhvHPw";

/// A migration's znodes: `/migration` with a KRaft offset when `migrated`,
/// and the brokers registered under `/brokers/ids`.
fn migration(migrated: bool, brokers: &[u32]) -> Behaviour {
    let mut z = BTreeMap::new();
    z.insert(
        "/cluster/id".to_string(),
        format!(r#"{{"version":"1","id":"{CLUSTER}"}}"#).into_bytes(),
    );
    z.insert("/brokers/ids".to_string(), vec![]);
    for b in brokers {
        z.insert(format!("/brokers/ids/{b}"), b"{}".to_vec());
    }
    let offset = if migrated { 42 } else { -1 };
    z.insert(
        "/migration".to_string(),
        format!(r#"{{"version":0,"kraft_metadata_offset":{offset},"kraft_controller_id":3000,"kraft_metadata_epoch":1,"kraft_controller_epoch":1}}"#).into_bytes(),
    );
    Behaviour::Serve(z)
}

fn node_env<'a>(phase: &'a str, controller: bool, zk: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut e: Vec<(&str, &str)> = util::MIGRATION_CLUSTER.to_vec();
    e.extend([
        ("KAFKA_INIT_MIGRATION", phase),
        ("KAFKA_CFG_ZOOKEEPER_CONNECT", zk),
        // Never the image's default dir: the rails read and record here.
        ("KAFKA_CFG_LOG_DIRS", "$DIR/data"),
    ]);
    e.extend_from_slice(if controller {
        util::MIGRATION_CONTROLLER
    } else {
        util::MIGRATION_BROKER
    });
    e
}

fn exec(env: &[(&str, &str)]) -> util::Run {
    run(&["exec", "--", "$STANDIN"], env)
}

#[test]
fn a_zookeeper_that_requires_sasl_stops_a_finalizing_controller_with_its_reason() {
    let zk = format!("127.0.0.1:{}", zookeeper(Behaviour::RequireSasl));
    let r = exec(&node_env("finalized", true, &zk));
    r.assert_stopped(&[
        "the first start of a controller in phase finalized",
        "session closed by the server",
        "requires SASL or TLS",
        "KAFKA_INIT_UNSAFE_FINALIZE_WITHOUT_ZOOKEEPER",
    ]);
    assert!(!r.dir.0.join("data/kafka-init-migration").exists());
}

#[test]
fn noauth_stops_a_finalizing_controller_and_a_kraft_broker_even_in_finalized() {
    let zk = format!("127.0.0.1:{}", zookeeper(Behaviour::NoAuth));
    exec(&node_env("finalized", true, &zk)).assert_stopped(&[
        "authentication (NOAUTH)",
        "-102",
        "world:anyone:r",
    ]);
    exec(&node_env("finalized", false, &zk)).assert_stopped(&[
        "authentication (NOAUTH)",
        "a server answered, so ZooKeeper is not retired",
    ]);
    exec(&node_env("controllers", true, &zk))
        .assert_stopped(&["this controller runs with the migration flag", "NOAUTH"]);
}

#[test]
fn a_refused_session_stops_a_migrating_controller_even_with_its_cluster_id_set() {
    let zk = format!("127.0.0.1:{}", zookeeper(Behaviour::RefuseSession));
    let mut e = node_env("controllers", true, &zk);
    e.push(("KAFKA_INIT_CLUSTER_ID", CLUSTER));
    exec(&e).assert_stopped(&["session refused", "could not be read"]);
}

#[test]
fn the_second_host_is_used_when_the_first_never_answers() {
    let silent = zookeeper(Behaviour::Silent);
    let good = zookeeper(migration(true, &[]));
    let zk = format!("127.0.0.1:{silent},127.0.0.1:{good}");
    let r = exec(&node_env("finalized", true, &zk));
    assert_eq!(r.code(), 0, "{}", r.stderr());
    // ZooKeeper's confirmation is recorded beside the metadata...
    let record = std::fs::read_to_string(r.dir.0.join("data/kafka-init-migration")).unwrap();
    assert!(record.contains("confirmed=finalized"), "{record}");
    // ...so a later start needs no ZooKeeper (now gone entirely).
    let gone = format!("127.0.0.1:{}", util::replay::closed_port());
    let dir = r.dir.0.display().to_string();
    let data = format!("{dir}/data");
    let mut e = node_env("finalized", true, &gone);
    e.retain(|(k, _)| *k != "KAFKA_CFG_LOG_DIRS");
    e.push(("KAFKA_CFG_LOG_DIRS", &data));
    e.push(("KAFKA_INIT_CLUSTER_ID", CLUSTER));
    let again = exec(&e);
    assert_eq!(again.code(), 0, "{}", again.stderr());
}

#[test]
fn a_broker_rolled_to_kraft_before_the_metadata_copy_is_refused_then_starts_once_it_completed() {
    let early = format!("127.0.0.1:{}", zookeeper(migration(false, &[0, 2])));
    let r = exec(&node_env("kraft-brokers", false, &early));
    r.assert_stopped(&[
        "in phase kraft-brokers this broker starts as a KRaft broker",
        "kraft_metadata_offset is -1",
        "Completed migration of metadata from ZooKeeper to KRaft",
        "kafka-init migration status",
    ]);
    assert!(!r.dir.0.join("data/kafka-init-migration").exists());
    let done = format!("127.0.0.1:{}", zookeeper(migration(true, &[0, 2])));
    let r = exec(&node_env("kraft-brokers", false, &done));
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let record = std::fs::read_to_string(r.dir.0.join("data/kafka-init-migration")).unwrap();
    assert!(record.contains("confirmed=kraft-brokers"), "{record}");
}

#[test]
fn finalizing_with_zookeeper_unreachable_is_refused_unless_the_loud_override_is_set() {
    let gone = format!("127.0.0.1:{}", util::replay::closed_port());
    let r = exec(&node_env("finalized", true, &gone));
    r.assert_stopped(&[
        "no connection",
        "KAFKA_INIT_UNSAFE_FINALIZE_WITHOUT_ZOOKEEPER=true",
    ]);
    let mut e = node_env("finalized", true, &gone);
    e.push(("KAFKA_INIT_UNSAFE_FINALIZE_WITHOUT_ZOOKEEPER", "true"));
    e.push(("KAFKA_INIT_CLUSTER_ID", CLUSTER));
    let r = exec(&e);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stderr().contains("WARN")
            && r.stderr()
                .contains("KAFKA_INIT_UNSAFE_FINALIZE_WITHOUT_ZOOKEEPER=true"),
        "{}",
        r.stderr()
    );
    // A broker in finalized with nobody there: ZooKeeper is retired.
    let r = exec(&node_env("finalized", false, &gone));
    assert_eq!(r.code(), 0, "{}", r.stderr());
}

#[test]
fn migration_status_says_why_zookeeper_was_not_read() {
    let zk = format!("127.0.0.1:{}", zookeeper(Behaviour::NoAuth));
    let nothing = format!("127.0.0.1:{}", util::replay::closed_port());
    let r = util::migration_status(&zk, &nothing, &["--timeout", "2s"]);
    assert_eq!(r.code(), 1, "{}", r.stdout());
    assert!(
        r.stdout().contains("zookeeper: not read (") && r.stdout().contains("NOAUTH"),
        "{}",
        r.stdout()
    );
}
