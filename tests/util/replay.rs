//! A stand-in Kafka broker on loopback that answers each request frame with
//! the next answer captured from a real broker (tests/fixtures/wire/).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// One captured file, as it was on the wire (size prefix included).
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/wire/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("read {full}: {e}"))
}

/// Serves one connection on a free loopback port, replaying `answers` in
/// order, one per request frame read; returns the port.
pub fn serve(answers: Vec<Vec<u8>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        for answer in answers {
            if read_frame(&mut conn).is_none() {
                return;
            }
            conn.write_all(&answer).unwrap();
        }
        let _ = read_frame(&mut conn);
    });
    port
}

/// Reads one size-prefixed frame.
pub fn read_frame(conn: &mut TcpStream) -> Option<Vec<u8>> {
    let mut size = [0u8; 4];
    conn.read_exact(&mut size).ok()?;
    let mut frame = vec![0u8; i32::from_be_bytes(size) as usize];
    conn.read_exact(&mut frame).ok()?;
    Some(frame)
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
