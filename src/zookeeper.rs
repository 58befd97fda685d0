//! A minimal, read-only ZooKeeper client of our own, written from
//! ZooKeeper's jute definitions (`zookeeper.jute`: `ConnectRequest`,
//! `ConnectResponse`, `RequestHeader`, `ReplyHeader`, `GetDataRequest`,
//! `GetDataResponse`, `GetChildrenRequest`, `GetChildrenResponse`, `Stat`).
//! It speaks just enough to read the znodes a ZooKeeper-to-KRaft migration
//! leaves behind (`/cluster/id`, `/brokers/ids`, `/migration`, `/controller`):
//! connect, getData, getChildren, close. No watches, no writes, no auth.
//!
//! Every frame is an `int32` length then the record, like Kafka's, so the
//! deadline-bound [`Connection`] carries it; one deadline covers every host
//! of the connect string, tried in order.

use std::time::Instant;

use anyhow::{anyhow, bail, Context};

use crate::wire::codec::Reader;
use crate::wire::{Connection, DecodeError};

/// ZooKeeper's port when the connect string names none.
pub const DEFAULT_PORT: u16 = 2181;
/// `ZooDefs.OpCode.getData`.
pub const OP_GET_DATA: i32 = 4;
/// `ZooDefs.OpCode.getChildren2` (children and the parent's Stat; what
/// ZooKeeper's own shell sends).
pub const OP_GET_CHILDREN2: i32 = 12;
/// `ZooDefs.OpCode.closeSession`.
pub const OP_CLOSE: i32 = -11;
/// `KeeperException.Code.NONODE`.
pub const NO_NODE: i32 = -101;
/// The session timeout we ask for (ms), ZooKeeper's shell's: with it our
/// ConnectRequest is byte for byte the shell's. The session lives for one command.
const SESSION_TIMEOUT_MS: i32 = 30_000;
/// The largest znode payload we accept: ZooKeeper's `jute.maxbuffer` default
/// is 1 MiB; a larger length is not ZooKeeper.
const MAX_BUFFER: usize = 4 << 20;
/// The largest answer frame we read: one znode and its Stat, or a list of children.
const MAX_FRAME: usize = MAX_BUFFER + 1024;

/// A parsed connect string: `host:port[,host:port...][/chroot]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectString {
    /// The servers, in the order given.
    pub hosts: Vec<(String, u16)>,
    /// The chroot every path is under (`""` for none).
    pub chroot: String,
}

impl ConnectString {
    /// Parses a connect string the way ZooKeeper's `ConnectStringParser` does:
    /// the chroot starts at the first `/`; a host without a port gets 2181.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (hosts_part, chroot) = match s.find('/') {
            Some(i) => (&s[..i], s[i..].trim_end_matches('/')),
            None => (s, ""),
        };
        if chroot.contains("//") || chroot.split('/').any(|c| c == "." || c == "..") {
            return Err(format!("invalid chroot {chroot}"));
        }
        let mut hosts = vec![];
        for h in hosts_part
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            hosts.push(parse_host(h)?);
        }
        if hosts.is_empty() {
            return Err("no host in the ZooKeeper connect string".into());
        }
        Ok(ConnectString {
            hosts,
            chroot: chroot.to_string(),
        })
    }

    /// `path` under the chroot.
    pub fn path(&self, path: &str) -> String {
        match (self.chroot.as_str(), path) {
            ("", p) => p.to_string(),
            (c, "/") => c.to_string(),
            (c, p) => format!("{c}{p}"),
        }
    }
}

fn parse_host(h: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = h.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("{h}: unclosed ["))?;
        (host, after.strip_prefix(':'))
    } else {
        match h.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (h, None),
        }
    };
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| format!("{h}: bad port"))?,
    };
    if host.is_empty() {
        return Err(format!("{h}: no host"));
    }
    Ok((host.to_string(), port))
}

/// The ConnectRequest frame: protocol version 0, no last zxid, our session
/// timeout, a new session (id 0, 16-byte zero password), not read-only.
pub fn connect_request() -> Vec<u8> {
    let mut body = vec![];
    body.extend_from_slice(&0i32.to_be_bytes()); // protocolVersion
    body.extend_from_slice(&0i64.to_be_bytes()); // lastZxidSeen
    body.extend_from_slice(&SESSION_TIMEOUT_MS.to_be_bytes());
    body.extend_from_slice(&0i64.to_be_bytes()); // sessionId
    body.extend_from_slice(&16i32.to_be_bytes()); // passwd length
    body.extend_from_slice(&[0u8; 16]);
    body.push(0); // readOnly
    frame(body)
}

/// What we read of a ConnectResponse: the session the server gave us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The negotiated timeout (ms); 0 means the server refused the session.
    pub timeout_ms: i32,
    /// The session id.
    pub id: i64,
}

/// Decodes a ConnectResponse frame (size prefix removed).
pub fn decode_connect(frame: &[u8]) -> Result<Session, DecodeError> {
    let mut r = Reader::from_slice(frame, "ConnectResponse");
    let _protocol = r.i32("protocol version")?;
    let timeout_ms = r.i32("timeout")?;
    let id = i64_of(&mut r, "session id")?;
    buffer(&mut r, "password")?;
    // `readOnly` is optional (servers before 3.4 do not send it).
    Ok(Session { timeout_ms, id })
}

/// A request frame: header (xid, op) then the path and `watch = false`.
pub fn path_request(xid: i32, op: i32, path: &str) -> Vec<u8> {
    let mut body = vec![];
    body.extend_from_slice(&xid.to_be_bytes());
    body.extend_from_slice(&op.to_be_bytes());
    // The i32 cast is lossless: paths come from our own constants and a connect string.
    body.extend_from_slice(&(path.len() as i32).to_be_bytes());
    body.extend_from_slice(path.as_bytes());
    body.push(0);
    frame(body)
}

/// The closeSession request frame.
pub fn close_request(xid: i32) -> Vec<u8> {
    let mut body = vec![];
    body.extend_from_slice(&xid.to_be_bytes());
    body.extend_from_slice(&OP_CLOSE.to_be_bytes());
    frame(body)
}

fn frame(body: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 4);
    // Our frames are a few hundred bytes at most.
    out.extend_from_slice(&(body.len() as i32).to_be_bytes());
    out.extend(body);
    out
}

/// An answer: the znode's content, or that it does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    /// The znode exists.
    Found(T),
    /// NONODE.
    NoNode,
}

/// Reads the ReplyHeader; `Ok(None)` for NONODE, an error for any other error code.
fn reply_header(r: &mut Reader<&[u8]>, xid: i32) -> Result<Option<()>, DecodeError> {
    let got = r.i32("xid")?;
    if got != xid {
        return Err(r.error("xid", "the answer is to another request"));
    }
    let _zxid = i64_of(r, "zxid")?;
    match r.i32("error code")? {
        0 => Ok(Some(())),
        NO_NODE => Ok(None),
        _ => Err(r.error("error code", "ZooKeeper answered with an error")),
    }
}

/// Decodes a GetDataResponse frame: the data (null reads as empty) and the Stat.
pub fn decode_get_data(frame: &[u8], xid: i32) -> Result<Answer<Vec<u8>>, DecodeError> {
    let mut r = Reader::from_slice(frame, "GetDataResponse");
    if reply_header(&mut r, xid)?.is_none() {
        return Ok(Answer::NoNode);
    }
    let data = buffer(&mut r, "data")?.unwrap_or_default();
    skip_stat(&mut r)?;
    r.finish()?;
    Ok(Answer::Found(data))
}

/// Decodes a GetChildren2Response frame: the children's names (and the Stat, skipped).
pub fn decode_get_children(frame: &[u8], xid: i32) -> Result<Answer<Vec<String>>, DecodeError> {
    let mut r = Reader::from_slice(frame, "GetChildren2Response");
    if reply_header(&mut r, xid)?.is_none() {
        return Ok(Answer::NoNode);
    }
    let n = r.i32("children count")?;
    let mut children = vec![];
    if n < -1 || n as usize > MAX_BUFFER / 4 {
        return Err(r.error("children count", "count out of range"));
    }
    if n > 0 {
        for _ in 0..n {
            let name = buffer(&mut r, "child")?.ok_or_else(|| r.error("child", "null name"))?;
            children
                .push(String::from_utf8(name).map_err(|_| r.error("child", "name is not UTF-8"))?);
        }
    }
    skip_stat(&mut r)?;
    r.finish()?;
    Ok(Answer::Found(children))
}

fn i64_of(r: &mut Reader<&[u8]>, what: &str) -> Result<i64, DecodeError> {
    let hi = r.i32(what)? as u32;
    let lo = r.i32(what)? as u32;
    Ok(((u64::from(hi) << 32) | u64::from(lo)) as i64)
}

/// A jute `buffer`/`ustring`: `int32` length (-1 for null), then the bytes.
fn buffer(r: &mut Reader<&[u8]>, what: &str) -> Result<Option<Vec<u8>>, DecodeError> {
    let len = r.i32(what)?;
    if len == -1 {
        return Ok(None);
    }
    if len < -1 || len as usize > MAX_BUFFER {
        return Err(r.error(what, "length out of range"));
    }
    let mut out = Vec::with_capacity(len as usize);
    for _ in 0..len {
        out.push(r.i8(what)? as u8);
    }
    Ok(Some(out))
}

/// `Stat`: czxid, mzxid, ctime, mtime (long), version, cversion, aversion
/// (int), ephemeralOwner (long), dataLength, numChildren (int), pzxid (long).
fn skip_stat(r: &mut Reader<&[u8]>) -> Result<(), DecodeError> {
    for _ in 0..4 {
        i64_of(r, "stat")?;
    }
    for _ in 0..3 {
        r.i32("stat")?;
    }
    i64_of(r, "stat")?;
    r.i32("stat")?;
    r.i32("stat")?;
    i64_of(r, "stat")?;
    Ok(())
}

/// A read-only session with one ZooKeeper server of the connect string.
pub struct Client {
    conn: Connection,
    chroot: ConnectString,
    xid: i32,
}

impl Client {
    /// Connects to the first server of `connect` that answers before `deadline`.
    pub fn connect(connect: &str, deadline: Instant) -> anyhow::Result<Self> {
        let cs = ConnectString::parse(connect)
            .map_err(|e| anyhow!("ZooKeeper connect string {connect:?}: {e}"))?;
        let mut errors = vec![];
        for (host, port) in &cs.hosts {
            match Self::session(host, *port, deadline) {
                Ok(conn) => {
                    return Ok(Client {
                        conn,
                        chroot: cs,
                        xid: 0,
                    })
                }
                Err(e) => errors.push(format!("{host}:{port}: {e:#}")),
            }
        }
        bail!("no ZooKeeper server answered: {}", errors.join("; "))
    }

    fn session(host: &str, port: u16, deadline: Instant) -> anyhow::Result<Connection> {
        let mut conn = Connection::open(host, port, deadline)?;
        let answer = conn.round_trip(&connect_request(), "ZooKeeper connect", MAX_FRAME)?;
        let session = decode_connect(&answer)?;
        if session.timeout_ms <= 0 {
            bail!("the server refused the session (it may be read-only or not serving)");
        }
        Ok(conn)
    }

    fn next_xid(&mut self) -> i32 {
        self.xid += 1;
        self.xid
    }

    /// The data of `path` (under the chroot).
    pub fn get_data(&mut self, path: &str) -> anyhow::Result<Answer<Vec<u8>>> {
        let xid = self.next_xid();
        let full = self.chroot.path(path);
        let answer = self.conn.round_trip(
            &path_request(xid, OP_GET_DATA, &full),
            "ZooKeeper getData",
            MAX_FRAME,
        )?;
        decode_get_data(&answer, xid).with_context(|| format!("ZooKeeper getData {full}"))
    }

    /// The children of `path` (under the chroot), sorted.
    pub fn get_children(&mut self, path: &str) -> anyhow::Result<Answer<Vec<String>>> {
        let xid = self.next_xid();
        let full = self.chroot.path(path);
        let answer = self.conn.round_trip(
            &path_request(xid, OP_GET_CHILDREN2, &full),
            "ZooKeeper getChildren",
            MAX_FRAME,
        )?;
        let mut got = decode_get_children(&answer, xid)
            .with_context(|| format!("ZooKeeper getChildren {full}"))?;
        if let Answer::Found(c) = &mut got {
            c.sort();
        }
        Ok(got)
    }

    /// Ends the session (best effort: the server expires it anyway).
    pub fn close(mut self) {
        let xid = self.next_xid();
        let _ = self
            .conn
            .round_trip(&close_request(xid), "ZooKeeper close", MAX_FRAME);
    }
}

/// The cluster id in `/cluster/id`'s JSON (`{"version":"1","id":"…"}`).
pub fn cluster_id_of(data: &[u8]) -> Result<String, String> {
    let v: serde_json::Value =
        serde_json::from_slice(data).map_err(|e| format!("/cluster/id is not JSON: {e}"))?;
    v.get("id")
        .and_then(|i| i.as_str())
        .map(str::to_string)
        .ok_or_else(|| "/cluster/id has no string \"id\"".to_string())
}

#[cfg(test)]
mod tests;
