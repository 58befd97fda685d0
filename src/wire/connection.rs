//! One TCP connection to a broker, every step of which (resolve excepted)
//! shares one deadline: a probe that hangs is worse than one that fails,
//! because the kubelet counts a timeout as a failure anyway and a hung probe
//! holds a process in the container meanwhile.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Instant;

use anyhow::{anyhow, bail, Context};

/// The largest response we accept. Metadata of a big cluster runs to a few
/// MiB; a larger size is almost always not Kafka at all (an HTTP or TLS
/// server's first bytes read as a size), and must not make us allocate.
pub const MAX_FRAME: usize = 64 << 20;

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
        let addrs: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .with_context(|| format!("resolve {host}:{port}"))?
            .collect();
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
        Err(last.unwrap_or_else(|| anyhow!("resolve {host}:{port}: no address")))
    }

    /// The address connected to.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Sends one request frame and returns the response frame without its size prefix.
    pub fn round_trip(&mut self, request: &[u8], what: &str) -> anyhow::Result<Vec<u8>> {
        let peer = self.peer;
        self.write_all(request)
            .with_context(|| format!("send {what} request to {peer}"))?;
        let mut size = [0u8; 4];
        self.read_exact(&mut size)
            .with_context(|| format!("read {what} response from {peer}"))?;
        let size = i32::from_be_bytes(size);
        if size < 0 || size as usize > MAX_FRAME {
            bail!("read {what} response from {peer}: frame size {size} is not Kafka's (is this a PLAINTEXT listener?)");
        }
        let mut frame = vec![0u8; size as usize];
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
            self.stream
                .set_read_timeout(Some(remaining(self.deadline)?))?;
            match self.stream.read(buf) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed by the broker",
                    ))
                }
                Ok(n) => buf = &mut buf[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(timed_out(e)),
            }
        }
        Ok(())
    }
}

/// Time left before the deadline, or a TimedOut error once it has passed
/// (a zero timeout would mean "block forever" to the socket calls).
fn remaining(deadline: Instant) -> io::Result<std::time::Duration> {
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
