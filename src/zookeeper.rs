//! A minimal, read-only ZooKeeper client of our own, written from
//! ZooKeeper's jute definitions (`zookeeper.jute`: `ConnectRequest`,
//! `ConnectResponse`, `RequestHeader`, `ReplyHeader`, `GetDataRequest`,
//! `GetDataResponse`, `GetChildrenRequest`, `GetChildrenResponse`, `Stat`).
//! It speaks just enough to read the znodes a ZooKeeper-to-KRaft migration
//! leaves behind (`/cluster/id`, `/brokers/ids`, `/migration`, `/controller`):
//! connect, getData, getChildren, close. No watches, no writes, no auth.
//!
//! Every frame is an `int32` length then the record, like Kafka's, so the
//! deadline-bound [`Connection`] carries it. The hosts of the connect string
//! are tried in order, each with its share of what is left of the deadline
//! (ZooKeeper's own client gives each host `sessionTimeout / hosts`), so a
//! first host whose packets are dropped cannot eat the whole deadline.
//! Every failure says why ([`Failure`], [`Why`]): the guard rails that read
//! ZooKeeper tell "nobody there" from "there, but refusing us".

use std::fmt;
use std::io;
use std::time::Instant;

use crate::wire::codec::Reader;
use crate::wire::connection::resolve;
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
/// `KeeperException.Code.NOAUTH`: the znode's ACL refuses this session.
pub const NO_AUTH: i32 = -102;
/// `KeeperException.Code.AUTHFAILED`.
pub const AUTH_FAILED: i32 = -115;
/// `KeeperException.Code.SESSIONEXPIRED`.
pub const SESSION_EXPIRED: i32 = -112;
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
        // ZooKeeper's PathUtils.validatePath refuses control characters too;
        // blanks that end the chroot before its trailing '/' would be lost
        // by the trim above when the string is written without the '/'.
        if chroot.contains("//")
            || chroot.split('/').any(|c| c == "." || c == "..")
            || chroot.chars().any(char::is_control)
            || chroot.ends_with(char::is_whitespace)
        {
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
        if !after.is_empty() && !after.starts_with(':') {
            return Err(format!("{h}: {after} after ] (write [host]:port)"));
        }
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
    if host.trim().is_empty() {
        return Err(format!("{h}: no host"));
    }
    if host.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{h}: a host name holds no blank or control character"
        ));
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

/// Why a reply could not be used: ZooKeeper's error code, or a frame that
/// is not ZooKeeper's.
#[derive(Debug)]
pub enum ReplyError {
    /// The ReplyHeader's error code (not 0, not NONODE).
    Code(i32),
    /// The frame does not decode.
    Decode(DecodeError),
}

impl From<DecodeError> for ReplyError {
    fn from(e: DecodeError) -> Self {
        ReplyError::Decode(e)
    }
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::Code(c) => {
                write!(f, "ZooKeeper answered with error {c} ({})", code_name(*c))
            }
            ReplyError::Decode(e) => e.fmt(f),
        }
    }
}

/// `KeeperException.Code`'s name for the codes a read can meet.
pub fn code_name(code: i32) -> &'static str {
    match code {
        NO_AUTH => "NOAUTH: the znode's ACL does not allow this unauthenticated session",
        AUTH_FAILED => "AUTHFAILED",
        SESSION_EXPIRED => "SESSIONEXPIRED",
        -4 => "CONNECTIONLOSS",
        -5 => "MARSHALLINGERROR",
        -6 => "UNIMPLEMENTED",
        -8 => "BADARGUMENTS",
        -113 => "INVALIDCALLBACK",
        -118 => "SESSIONMOVED",
        -119 => "NOTREADONLY",
        _ => "unknown to this client",
    }
}

/// Reads the ReplyHeader; `Ok(None)` for NONODE, an error for any other error code.
fn reply_header(r: &mut Reader<&[u8]>, xid: i32) -> Result<Option<()>, ReplyError> {
    let got = r.i32("xid")?;
    if got != xid {
        return Err(r.error("xid", "the answer is to another request").into());
    }
    let _zxid = i64_of(r, "zxid")?;
    match r.i32("error code")? {
        0 => Ok(Some(())),
        NO_NODE => Ok(None),
        code => Err(ReplyError::Code(code)),
    }
}

/// Decodes a GetDataResponse frame: the data (null reads as empty).
pub fn decode_get_data(frame: &[u8], xid: i32) -> Result<Answer<Vec<u8>>, ReplyError> {
    Ok(match decode_znode(frame, xid)? {
        Answer::Found(z) => Answer::Found(z.data),
        Answer::NoNode => Answer::NoNode,
    })
}

/// A znode's data and the part of its Stat we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Znode {
    /// Its data (null reads as empty).
    pub data: Vec<u8>,
    /// `Stat.ephemeralOwner`: the session that holds an ephemeral znode, 0
    /// for a persistent one.
    pub ephemeral_owner: i64,
    /// `Stat.czxid`: the transaction that created the znode. A znode deleted
    /// and created again has a new one, which is how an incarnation of
    /// `/migration` (one migration attempt) is told from the next.
    pub czxid: i64,
}

/// Decodes a GetDataResponse frame: the data and the Stat's ephemeral owner and czxid.
pub fn decode_znode(frame: &[u8], xid: i32) -> Result<Answer<Znode>, ReplyError> {
    let mut r = Reader::from_slice(frame, "GetDataResponse");
    if reply_header(&mut r, xid)?.is_none() {
        return Ok(Answer::NoNode);
    }
    let data = buffer(&mut r, "data")?.unwrap_or_default();
    let (czxid, ephemeral_owner) = read_stat(&mut r)?;
    r.finish()?;
    Ok(Answer::Found(Znode {
        data,
        ephemeral_owner,
        czxid,
    }))
}

/// Decodes a GetChildren2Response frame: the children's names (and the Stat, skipped).
pub fn decode_get_children(frame: &[u8], xid: i32) -> Result<Answer<Vec<String>>, ReplyError> {
    let mut r = Reader::from_slice(frame, "GetChildren2Response");
    if reply_header(&mut r, xid)?.is_none() {
        return Ok(Answer::NoNode);
    }
    let n = r.i32("children count")?;
    let mut children = vec![];
    if n < -1 || n as usize > MAX_BUFFER / 4 {
        return Err(r.error("children count", "count out of range").into());
    }
    if n > 0 {
        for _ in 0..n {
            let name = buffer(&mut r, "child")?.ok_or_else(|| r.error("child", "null name"))?;
            children
                .push(String::from_utf8(name).map_err(|_| r.error("child", "name is not UTF-8"))?);
        }
    }
    read_stat(&mut r)?;
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
/// (int), ephemeralOwner (long), dataLength, numChildren (int), pzxid
/// (long). Returns the czxid and the ephemeral owner.
fn read_stat(r: &mut Reader<&[u8]>) -> Result<(i64, i64), DecodeError> {
    let czxid = i64_of(r, "stat czxid")?;
    for _ in 0..3 {
        i64_of(r, "stat")?;
    }
    for _ in 0..3 {
        r.i32("stat")?;
    }
    let owner = i64_of(r, "stat ephemeralOwner")?;
    r.i32("stat")?;
    r.i32("stat")?;
    i64_of(r, "stat")?;
    Ok((czxid, owner))
}

/// Why ZooKeeper could not be read, in the words the guard rails decide on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The connect string does not parse.
    ConnectString,
    /// A host name does not resolve (or its lookup did not end in time).
    Resolution,
    /// No TCP connection: refused, unreachable, or no answer to the SYN in time.
    Connection,
    /// A TCP connection, then no answer in time to the session handshake or a read.
    Silent,
    /// The server closed the connection at or after the session handshake:
    /// a SASL-only or TLS-only server (it wants what this client does not
    /// send), or a server that is not serving (out of its quorum).
    SessionClosed,
    /// The server answered the handshake with no session (timeout 0).
    SessionRefused,
    /// NOAUTH or AUTHFAILED: the znode's ACL refuses an unauthenticated client.
    Authentication,
    /// Not ZooKeeper's protocol: a frame that does not decode, an answer to
    /// another request, or an error code a read does not expect.
    Protocol,
}

impl Why {
    /// Its name in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Why::ConnectString => "bad connect string",
            Why::Resolution => "name resolution failed",
            Why::Connection => "no connection",
            Why::Silent => "connected, then no answer",
            Why::SessionClosed => "session closed by the server",
            Why::SessionRefused => "session refused",
            Why::Authentication => "authentication (NOAUTH)",
            Why::Protocol => "protocol error",
        }
    }

    /// True when no server was there at all: the name does not resolve or
    /// nothing accepts a connection. Only this can mean "ZooKeeper retired";
    /// a server that answers and refuses us is a ZooKeeper that is up.
    pub fn nobody_there(self) -> bool {
        matches!(self, Why::Resolution | Why::Connection)
    }
}

/// A failure to read ZooKeeper: why (the worst of every host's), and what
/// each host said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Why, for the decision: when hosts failed differently, the one that
    /// shows a server was there (so that "nobody there" means every host).
    pub why: Why,
    /// What happened, host by host.
    pub detail: String,
}

impl Failure {
    fn new(why: Why, detail: impl Into<String>) -> Self {
        Failure {
            why,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.why.as_str(), self.detail)
    }
}

impl std::error::Error for Failure {}

/// Why an exchange on an open connection failed, from its error chain.
fn why_of(e: &anyhow::Error) -> Why {
    if let Some(io) = e.chain().find_map(|c| c.downcast_ref::<io::Error>()) {
        return match io.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Why::Silent,
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => Why::SessionClosed,
            _ => Why::Connection,
        };
    }
    Why::Protocol
}

/// The failure of one read on the session.
fn read_failure(what: &str, path: &str, e: ReplyError) -> Failure {
    match e {
        ReplyError::Code(c @ (NO_AUTH | AUTH_FAILED)) => Failure::new(
            Why::Authentication,
            format!("{what} {path}: error {c} ({})", code_name(c)),
        ),
        ReplyError::Code(c @ SESSION_EXPIRED) => Failure::new(
            Why::SessionClosed,
            format!("{what} {path}: error {c} ({})", code_name(c)),
        ),
        e => Failure::new(Why::Protocol, format!("{what} {path}: {e}")),
    }
}

/// A read-only session with one ZooKeeper server of the connect string.
pub struct Client {
    conn: Connection,
    chroot: ConnectString,
    xid: i32,
}

impl Client {
    /// Opens a session with the first server of `connect` that gives one
    /// before `deadline`, each host in turn with its share of the time left.
    pub fn connect(connect: &str, deadline: Instant) -> Result<Self, Failure> {
        let cs = ConnectString::parse(connect)
            .map_err(|e| Failure::new(Why::ConnectString, format!("{connect:?}: {e}")))?;
        let mut failures: Vec<(Why, String)> = vec![];
        let n = cs.hosts.len() as u32;
        for (i, (host, port)) in cs.hosts.iter().enumerate() {
            let left = deadline.saturating_duration_since(Instant::now());
            // The last host gets all that is left; the others a fair share.
            let own = Instant::now() + left / (n - i as u32);
            match Self::session(host, *port, own) {
                Ok(conn) => {
                    if !failures.is_empty() {
                        tracing::debug!(
                            server = %format_args!("{host}:{port}"),
                            skipped = %failures.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>().join("; "),
                            "ZooKeeper: a later host of the connect string answered"
                        );
                    }
                    // The session's reads may use the rest of the whole deadline.
                    let conn = conn.with_deadline(deadline);
                    return Ok(Client {
                        conn,
                        chroot: cs,
                        xid: 0,
                    });
                }
                Err(f) => failures.push((f.why, format!("{host}:{port}: {}", f.detail))),
            }
        }
        // "Nobody there" only when it holds for every host.
        let why = failures
            .iter()
            .map(|(w, _)| *w)
            .find(|w| !w.nobody_there())
            .unwrap_or(failures.first().map_or(Why::Connection, |(w, _)| *w));
        let detail = failures
            .into_iter()
            .map(|(_, d)| d)
            .collect::<Vec<_>>()
            .join("; ");
        Err(Failure::new(why, detail))
    }

    fn session(host: &str, port: u16, deadline: Instant) -> Result<Connection, Failure> {
        let addrs = resolve(host, port, deadline)
            .map_err(|e| Failure::new(Why::Resolution, format!("{e:#}")))?;
        let mut conn = Connection::connect(&addrs, deadline)
            .map_err(|e| Failure::new(Why::Connection, format!("{e:#}")))?;
        let answer = conn
            .round_trip(&connect_request(), "ZooKeeper connect", MAX_FRAME)
            .map_err(|e| {
                let why = why_of(&e);
                let hint = match why {
                    Why::SessionClosed => " (a ZooKeeper that requires SASL or TLS closes an unauthenticated plaintext session; one out of its quorum closes every session)",
                    _ => "",
                };
                Failure::new(why, format!("{e:#}{hint}"))
            })?;
        let session = decode_connect(&answer)
            .map_err(|e| Failure::new(Why::Protocol, format!("ZooKeeper connect: {e}")))?;
        if session.timeout_ms <= 0 {
            return Err(Failure::new(
                Why::SessionRefused,
                "the server answered the handshake with no session (it may be read-only, or not serving)",
            ));
        }
        Ok(conn)
    }

    fn next_xid(&mut self) -> i32 {
        self.xid += 1;
        self.xid
    }

    fn exchange(&mut self, op: i32, what: &str, full: &str) -> Result<(i32, Vec<u8>), Failure> {
        let xid = self.next_xid();
        let answer = self
            .conn
            .round_trip(&path_request(xid, op, full), what, MAX_FRAME)
            .map_err(|e| Failure::new(why_of(&e), format!("{what} {full}: {e:#}")))?;
        Ok((xid, answer))
    }

    /// The data of `path` (under the chroot).
    pub fn get_data(&mut self, path: &str) -> Result<Answer<Vec<u8>>, Failure> {
        Ok(match self.get_znode(path)? {
            Answer::Found(z) => Answer::Found(z.data),
            Answer::NoNode => Answer::NoNode,
        })
    }

    /// The data and ephemeral owner of `path` (under the chroot).
    pub fn get_znode(&mut self, path: &str) -> Result<Answer<Znode>, Failure> {
        let full = self.chroot.path(path);
        let (xid, answer) = self.exchange(OP_GET_DATA, "ZooKeeper getData", &full)?;
        decode_znode(&answer, xid).map_err(|e| read_failure("getData", &full, e))
    }

    /// The children of `path` (under the chroot), sorted.
    pub fn get_children(&mut self, path: &str) -> Result<Answer<Vec<String>>, Failure> {
        let full = self.chroot.path(path);
        let (xid, answer) = self.exchange(OP_GET_CHILDREN2, "ZooKeeper getChildren", &full)?;
        let mut got =
            decode_get_children(&answer, xid).map_err(|e| read_failure("getChildren", &full, e))?;
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
