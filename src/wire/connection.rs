//! One TCP connection to a broker, every step of which, name resolution
//! included, shares one deadline: a probe that hangs is worse than one that
//! fails, because the kubelet counts a timeout as a failure anyway and a hung
//! probe holds a process in the container meanwhile.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};

/// A connected socket and the instant by which everything must be done.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    deadline: Instant,
}

impl Connection {
    /// Connects to `host:port`, trying each resolved address in turn until the deadline.
    pub fn open(host: &str, port: u16, deadline: Instant) -> anyhow::Result<Self> {
        let addrs = resolve(host, port, deadline)?;
        Self::connect(&addrs, deadline)
    }

    /// Connects to the first of `addrs` (already resolved) that accepts
    /// before the deadline: for callers that tell a name that does not
    /// resolve from a server that does not answer (the ZooKeeper client).
    pub fn connect(addrs: &[SocketAddr], deadline: Instant) -> anyhow::Result<Self> {
        let addrs = addrs.iter().copied();
        let mut last = None;
        for addr in addrs {
            let left = remaining(deadline).with_context(|| format!("connect to {addr}"))?;
            match TcpStream::connect_timeout(&addr, left) {
                Ok(stream) => {
                    // Requests are single small writes; don't let Nagle hold one back.
                    stream
                        .set_nodelay(true)
                        .with_context(|| format!("set TCP_NODELAY on {addr}"))?;
                    return Ok(Connection {
                        stream,
                        peer: addr,
                        deadline,
                    });
                }
                Err(e) => last = Some(anyhow!(e).context(format!("connect to {addr}"))),
            }
        }
        Err(last.unwrap_or_else(|| anyhow!("no address to connect to")))
    }

    /// The same connection with another deadline for what follows (a
    /// connection opened within a share of a longer deadline).
    pub fn with_deadline(self, deadline: Instant) -> Self {
        Connection { deadline, ..self }
    }

    /// The address connected to.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Sends one request frame.
    pub fn send(&mut self, request: &[u8], what: &str) -> anyhow::Result<()> {
        let peer = self.peer;
        self.write_all(request)
            .with_context(|| format!("send {what} request to {peer}"))
    }

    /// Reads the size prefix of the next response frame, refused above
    /// `max`; the frame itself is then read through [`Read`], as a stream.
    pub fn frame_len(&mut self, what: &str, max: usize) -> anyhow::Result<usize> {
        let peer = self.peer;
        let mut size = [0u8; 4];
        self.read_exact(&mut size)
            .with_context(|| format!("read {what} response from {peer}"))?;
        let size = i32::from_be_bytes(size);
        match usize::try_from(size) {
            Ok(len) if len <= max => Ok(len),
            _ => bail!("read {what} response from {peer}: frame size {size} is not Kafka's (is this a PLAINTEXT listener?)"),
        }
    }

    /// Sends one request and reads its whole response frame (size prefix
    /// removed, refused above `max`), for small answers decoded in memory.
    pub fn round_trip(
        &mut self,
        request: &[u8],
        what: &str,
        max: usize,
    ) -> anyhow::Result<Vec<u8>> {
        self.send(request, what)?;
        let len = self.frame_len(what, max)?;
        let mut frame = vec![0u8; len];
        let peer = self.peer;
        self.read_exact(&mut frame)
            .with_context(|| format!("read {what} response from {peer}"))?;
        Ok(frame)
    }

    // std's socket timeouts bound one syscall, not a whole exchange, so each
    // call gets what is left of the deadline.
    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            self.stream
                .set_write_timeout(Some(remaining(self.deadline)?))?;
            match self.stream.write(buf) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(timed_out(e)),
            }
        }
        Ok(())
    }

    fn read_exact(&mut self, mut buf: &mut [u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.read(buf) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed by the broker",
                    ))
                }
                Ok(n) => buf = &mut buf[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// One read of the response stream, bounded by what is left of the deadline.
impl Read for Connection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream
            .set_read_timeout(Some(remaining(self.deadline)?))?;
        self.stream.read(buf).map_err(timed_out)
    }
}

/// Resolves `host:port` by `deadline`. The system resolver (getaddrinfo)
/// takes no timeout and may wait on DNS for many seconds, so it runs on a
/// thread of its own and we stop waiting at the deadline; the thread is
/// left behind, which is harmless in a process that is about to exit. An
/// IP address needs no lookup and no thread.
pub fn resolve(host: &str, port: u16, deadline: Instant) -> anyhow::Result<Vec<SocketAddr>> {
    resolve_with(host, port, deadline, |name, port| {
        (name, port).to_socket_addrs().map(Iterator::collect)
    })
}

/// A lookup function, the system resolver's shape.
type Lookup = fn(&str, u16) -> io::Result<Vec<SocketAddr>>;

/// [`resolve`] with the lookup given, so that tests can make it slow.
fn resolve_with(
    host: &str,
    port: u16,
    deadline: Instant,
    lookup: Lookup,
) -> anyhow::Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_owned();
    thread::Builder::new()
        .name("resolve".into())
        .spawn(move || {
            // The receiver is gone when the deadline passed first: nothing to tell.
            let _ = tx.send(lookup(&name, port));
        })
        .with_context(|| format!("start a thread to resolve {host}"))?;
    let left = remaining(deadline).unwrap_or(Duration::ZERO);
    match rx.recv_timeout(left) {
        Ok(found) => {
            let addrs = found.with_context(|| format!("resolve {host}:{port}"))?;
            if addrs.is_empty() {
                bail!("resolve {host}:{port}: no address");
            }
            Ok(addrs)
        }
        Err(_) => bail!("resolve {host}:{port}: timed out"),
    }
}

/// Time left before the deadline, or a TimedOut error once it has passed
/// (a zero timeout would mean "block forever" to the socket calls).
fn remaining(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"));
    }
    Ok(left)
}

/// Socket timeouts surface as WouldBlock on Linux; say what they are.
fn timed_out(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock {
        io::Error::new(io::ErrorKind::TimedOut, "timed out")
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_address_needs_no_lookup() {
        let never: Lookup = |_, _| panic!("looked up");
        let past = Instant::now();
        let addrs = resolve_with("::1", 9092, past, never).unwrap();
        assert_eq!(addrs, ["[::1]:9092".parse::<SocketAddr>().unwrap()]);
    }

    #[test]
    fn a_name_is_looked_up_and_every_address_kept() {
        let two: Lookup = |_, port| {
            Ok(vec![
                SocketAddr::from(([10, 0, 0, 1], port)),
                SocketAddr::from(([10, 0, 0, 2], port)),
            ])
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let addrs = resolve_with("kafka-0.kafka", 9092, deadline, two).unwrap();
        assert_eq!(addrs.len(), 2);
    }

    #[test]
    fn a_slow_lookup_gives_up_at_the_deadline() {
        let slow: Lookup = |_, _| {
            thread::sleep(Duration::from_secs(5));
            Ok(vec![])
        };
        let started = Instant::now();
        let err = resolve_with(
            "kafka-0.kafka",
            9092,
            started + Duration::from_millis(200),
            slow,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "resolve kafka-0.kafka:9092: timed out");
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(4),
            "waited for the lookup: {took:?}"
        );
    }

    #[test]
    fn a_lookup_with_no_address_is_an_error() {
        let none: Lookup = |_, _| Ok(vec![]);
        let deadline = Instant::now() + Duration::from_secs(5);
        let err = resolve_with("nowhere", 1, deadline, none).unwrap_err();
        assert_eq!(err.to_string(), "resolve nowhere:1: no address");
    }
}
