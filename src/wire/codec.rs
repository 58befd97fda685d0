//! Kafka's primitive wire types, written and read by hand: big-endian
//! integers, classic strings with an `i16` length, and the "compact" forms of
//! flexible versions (KIP-482) whose lengths are unsigned varints holding
//! length + 1, so that 0 can mean null.
//!
//! Responses are read as a stream: [`Reader`] pulls a frame from any
//! [`io::Read`] through one buffer of at most [`CHUNK`] bytes, so a decoder
//! that keeps only what it needs holds a constant amount of memory whatever
//! the frame's size.

use std::fmt;
use std::io::{self, Read};

/// The most bytes of a frame a [`Reader`] holds at once.
pub const CHUNK: usize = 64 << 10;

/// The longest string Kafka reads (`Short.MAX_VALUE` bytes, in both the
/// classic and the compact forms): a longer one is not Kafka's.
pub const MAX_STRING: usize = i16::MAX as usize;

/// The widest value read in one piece (a UUID).
const WIDEST: usize = 16;

/// A response that could not be read as the message we expected.
#[derive(Debug)]
pub enum DecodeError {
    /// The bytes are not the message: truncated, a length past the frame, a
    /// wrong correlation id.
    Malformed {
        /// Byte offset in the frame (after the size prefix) where decoding failed.
        at: usize,
        /// What was being read, e.g. `"MetadataResponse broker host"`.
        what: String,
        /// What was wrong with it.
        problem: &'static str,
    },
    /// Reading the frame's bytes failed (the deadline passed, the broker
    /// closed the connection) before the frame was complete.
    Io {
        /// Byte offset in the frame where the read was needed.
        at: usize,
        /// What was being read.
        what: String,
        /// The read's error.
        source: io::Error,
    },
}

impl DecodeError {
    /// What was wrong, for a malformed frame; `None` for an I/O failure.
    pub fn problem(&self) -> Option<&'static str> {
        match self {
            DecodeError::Malformed { problem, .. } => Some(problem),
            DecodeError::Io { .. } => None,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Malformed { at, what, problem } => {
                write!(f, "malformed response: {what} at byte {at}: {problem}")
            }
            DecodeError::Io { at, what, source } => {
                write!(f, "reading {what} at byte {at}: {source}")
            }
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DecodeError::Malformed { .. } => None,
            DecodeError::Io { source, .. } => Some(source),
        }
    }
}

/// Builds one request; `finish` prefixes the `i32` size Kafka frames with.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty request body.
    pub fn new() -> Self {
        Writer::default()
    }

    /// A one-byte boolean (0 or 1).
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.buf.push(u8::from(v));
        self
    }

    /// An `int8` (resource types).
    pub fn i8(&mut self, v: i8) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A big-endian `int16`.
    pub fn i16(&mut self, v: i16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A big-endian `int32`.
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// An unsigned LEB128 varint, as flexible versions use for lengths and tags.
    pub fn uvarint(&mut self, mut v: u32) -> &mut Self {
        while v >= 0x80 {
            self.buf.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
        self
    }

    /// A classic nullable string: `i16` length (-1 for null), then UTF-8 bytes.
    /// The request header's client id keeps this form even in header v2, so
    /// that any broker can read the header of any ApiVersions request.
    pub fn nullable_string(&mut self, v: Option<&str>) -> &mut Self {
        match v {
            None => self.i16(-1),
            Some(s) => {
                // Names written here are ours and short; the bound is Kafka's.
                let len = i16::try_from(s.len()).unwrap_or(i16::MAX);
                self.i16(len);
                self.buf.extend_from_slice(&s.as_bytes()[..len as usize]);
                self
            }
        }
    }

    /// A compact string: varint (length + 1), then UTF-8 bytes.
    pub fn compact_string(&mut self, s: &str) -> &mut Self {
        self.uvarint(s.len() as u32 + 1);
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    /// Raw bytes (a UUID, or a test's hand-made field).
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }

    /// A compact nullable string: varint 0 for null.
    pub fn compact_nullable_string(&mut self, v: Option<&str>) -> &mut Self {
        match v {
            None => self.uvarint(0),
            Some(s) => self.compact_string(s),
        }
    }

    /// A compact array length: varint (count + 1), 0 for null.
    pub fn compact_array_len(&mut self, n: Option<usize>) -> &mut Self {
        match n {
            None => self.uvarint(0),
            Some(n) => self.uvarint(n as u32 + 1),
        }
    }

    /// A compact array that is null (varint 0).
    pub fn compact_null_array(&mut self) -> &mut Self {
        self.uvarint(0)
    }

    /// An empty tagged-field section (varint 0): we send no tagged fields.
    pub fn no_tagged_fields(&mut self) -> &mut Self {
        self.uvarint(0)
    }

    /// The frame: `i32` size, then everything written.
    pub fn finish(&self) -> Vec<u8> {
        let mut frame = Vec::with_capacity(self.buf.len() + 4);
        frame.extend_from_slice(&(self.buf.len() as i32).to_be_bytes());
        frame.extend_from_slice(&self.buf);
        frame
    }
}

/// Reads one response frame of known length (its size prefix already read),
/// front to back, from `src`, holding at most [`CHUNK`] bytes of it. It never
/// reads past the frame, so the next frame on a connection stays intact.
#[derive(Debug)]
pub struct Reader<R> {
    src: R,
    /// `buf[head..tail]` is read from `src` and not yet decoded.
    buf: Vec<u8>,
    head: usize,
    tail: usize,
    /// Bytes of the frame decoded so far.
    pos: usize,
    /// Bytes of the frame taken from `src` so far.
    fetched: usize,
    /// The frame's length.
    len: usize,
    /// Names the message being read, for error messages.
    message: &'static str,
}

impl<'a> Reader<&'a [u8]> {
    /// A reader over a whole frame in memory (tests, fuzzing, captured bytes).
    pub fn from_slice(frame: &'a [u8], message: &'static str) -> Self {
        Reader::new(frame, frame.len(), message)
    }
}

impl<R: Read> Reader<R> {
    /// A reader of the `len`-byte frame of `message` (e.g. `"MetadataResponse"`) that `src` yields.
    pub fn new(src: R, len: usize, message: &'static str) -> Self {
        Reader {
            src,
            buf: vec![0; len.clamp(WIDEST, CHUNK)],
            head: 0,
            tail: 0,
            pos: 0,
            fetched: 0,
            len,
            message,
        }
    }

    /// Bytes of the frame not yet decoded.
    pub fn left(&self) -> usize {
        self.len - self.pos
    }

    /// A malformed-frame error at the current position.
    pub fn error(&self, what: &str, problem: &'static str) -> DecodeError {
        DecodeError::Malformed {
            at: self.pos,
            what: format!("{} {}", self.message, what),
            problem,
        }
    }

    fn io_error(&self, what: &str, source: io::Error) -> DecodeError {
        DecodeError::Io {
            at: self.pos,
            what: format!("{} {}", self.message, what),
            source,
        }
    }

    /// Makes at least `n` (at most [`WIDEST`]) bytes readable in `buf[head..]`.
    fn fill(&mut self, n: usize, what: &str) -> Result<(), DecodeError> {
        debug_assert!(n <= WIDEST);
        if n > self.left() {
            return Err(self.error(what, "frame ends early"));
        }
        if self.tail - self.head >= n {
            return Ok(());
        }
        self.buf.copy_within(self.head..self.tail, 0);
        self.tail -= self.head;
        self.head = 0;
        while self.tail < n {
            // Never more than the frame holds: what follows is not ours.
            let want = (self.buf.len() - self.tail).min(self.len - self.fetched);
            match self.src.read(&mut self.buf[self.tail..self.tail + want]) {
                Ok(0) => {
                    let closed = io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed by the broker",
                    );
                    return Err(self.io_error(what, closed));
                }
                Ok(k) => {
                    self.tail += k;
                    self.fetched += k;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(what, e)),
            }
        }
        Ok(())
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], DecodeError> {
        self.fill(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.buf[self.head..self.head + N]);
        self.head += N;
        self.pos += N;
        Ok(out)
    }

    /// Passes over `n` bytes without keeping them.
    pub fn skip(&mut self, mut n: usize, what: &str) -> Result<(), DecodeError> {
        if n > self.left() {
            return Err(self.error(what, "frame ends early"));
        }
        loop {
            let k = n.min(self.tail - self.head);
            self.head += k;
            self.pos += k;
            n -= k;
            if n == 0 {
                return Ok(());
            }
            self.fill(1, what)?;
        }
    }

    /// `n` bytes, which the caller has bounded.
    fn bytes(&mut self, mut n: usize, what: &str) -> Result<Vec<u8>, DecodeError> {
        if n > self.left() {
            return Err(self.error(what, "frame ends early"));
        }
        let mut out = Vec::with_capacity(n);
        while n > 0 {
            self.fill(1, what)?;
            let k = n.min(self.tail - self.head);
            out.extend_from_slice(&self.buf[self.head..self.head + k]);
            self.head += k;
            self.pos += k;
            n -= k;
        }
        Ok(out)
    }

    /// A one-byte boolean; Kafka writes 0 or 1 and reads any non-zero as true.
    pub fn bool(&mut self, what: &str) -> Result<bool, DecodeError> {
        Ok(self.array::<1>(what)?[0] != 0)
    }

    /// An `int8` (resource types, config sources).
    pub fn i8(&mut self, what: &str) -> Result<i8, DecodeError> {
        Ok(i8::from_be_bytes(self.array(what)?))
    }

    /// A big-endian `int16`.
    pub fn i16(&mut self, what: &str) -> Result<i16, DecodeError> {
        Ok(i16::from_be_bytes(self.array(what)?))
    }

    /// A big-endian `int32`.
    pub fn i32(&mut self, what: &str) -> Result<i32, DecodeError> {
        Ok(i32::from_be_bytes(self.array(what)?))
    }

    /// A 16-byte UUID (topic ids).
    pub fn uuid(&mut self, what: &str) -> Result<[u8; 16], DecodeError> {
        self.array(what)
    }

    /// An unsigned LEB128 varint of at most 5 bytes (Kafka's `readUnsignedVarint`).
    pub fn uvarint(&mut self, what: &str) -> Result<u32, DecodeError> {
        let mut value: u32 = 0;
        for i in 0..5 {
            let byte = self.array::<1>(what)?[0];
            value |= u32::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.error(what, "varint longer than 5 bytes"))
    }

    /// A length read as a count of elements or bytes, refused when it cannot
    /// fit in the rest of the frame: a corrupt length must not make us
    /// allocate, nor loop over elements that are not there.
    fn bounded(&self, len: usize, what: &str) -> Result<usize, DecodeError> {
        if len > self.left() {
            return Err(self.error(what, "length exceeds the frame"));
        }
        Ok(len)
    }

    /// A classic array length (`i32`, -1 for null, treated as empty).
    pub fn array_len(&mut self, what: &str) -> Result<usize, DecodeError> {
        let n = self.i32(what)?;
        if n < 0 {
            return Ok(0);
        }
        self.bounded(n as usize, what)
    }

    /// A compact array length: varint (count + 1); `None` for null.
    pub fn compact_array_len(&mut self, what: &str) -> Result<Option<usize>, DecodeError> {
        match self.uvarint(what)? {
            0 => Ok(None),
            n => self.bounded(n as usize - 1, what).map(Some),
        }
    }

    /// A compact array of `int32` (replica lists), streamed: its length and
    /// whether it holds `id`. Null reads as empty.
    pub fn compact_i32_array_has(
        &mut self,
        id: i32,
        what: &str,
    ) -> Result<(usize, bool), DecodeError> {
        let n = self.compact_array_len(what)?.unwrap_or(0);
        let mut has = false;
        for _ in 0..n {
            has |= self.i32(what)? == id;
        }
        Ok((n, has))
    }

    /// A compact nullable string of at most [`MAX_STRING`] bytes.
    pub fn compact_nullable_string(&mut self, what: &str) -> Result<Option<String>, DecodeError> {
        match self.uvarint(what)? {
            0 => Ok(None),
            n => {
                let len = self.bounded(n as usize - 1, what)?;
                if len > MAX_STRING {
                    return Err(self.error(what, "string longer than Kafka's 32767 bytes"));
                }
                let bytes = self.bytes(len, what)?;
                String::from_utf8(bytes)
                    .map(Some)
                    .map_err(|_| self.error(what, "not UTF-8"))
            }
        }
    }

    /// A compact (non-null) string.
    pub fn compact_string(&mut self, what: &str) -> Result<String, DecodeError> {
        self.compact_nullable_string(what)?
            .ok_or_else(|| self.error(what, "null where a string is required"))
    }

    /// Skips a tagged-field section: we need none of the tagged fields, and
    /// skipping unknown ones is what lets old readers parse newer messages.
    pub fn skip_tagged_fields(&mut self, what: &str) -> Result<(), DecodeError> {
        let count = self.uvarint(what)?;
        for _ in 0..count {
            self.uvarint(what)?; // tag
            let size = self.uvarint(what)? as usize;
            self.skip(size, what)?;
        }
        Ok(())
    }

    /// A big-endian `int64`.
    pub fn i64(&mut self, what: &str) -> Result<i64, DecodeError> {
        Ok(i64::from_be_bytes(self.array(what)?))
    }

    /// A tagged-field section, kept: `(tag, bytes)` pairs, for the few
    /// tagged fields we read (ApiVersions' `ZkMigrationReady`).
    pub fn tagged_fields(&mut self, what: &str) -> Result<Vec<(u32, Vec<u8>)>, DecodeError> {
        let count = self.uvarint(what)?;
        let mut out = vec![];
        for _ in 0..count {
            let tag = self.uvarint(what)?;
            let size = self.uvarint(what)? as usize;
            // `bytes` refuses a size beyond the frame before allocating.
            out.push((tag, self.bytes(size, what)?));
        }
        Ok(out)
    }

    /// Fails unless the whole frame was read: trailing bytes mean we read a
    /// different message layout than the broker wrote.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.pos != self.len {
            return Err(self.error("end", "unread bytes after the last field"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that yields at most `step` bytes per read, as a socket may.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn uvarints_round_trip_through_the_writer_and_reader() {
        let cases: &[(u32, &[u8])] = &[
            (0, &[0x00]),
            (1, &[0x01]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (300, &[0xac, 0x02]),
            (u32::MAX, &[0xff, 0xff, 0xff, 0xff, 0x0f]),
        ];
        for &(value, bytes) in cases {
            let mut w = Writer::new();
            w.uvarint(value);
            assert_eq!(&w.finish()[4..], bytes, "encoding {value}");
            let mut r = Reader::from_slice(bytes, "test");
            assert_eq!(r.uvarint("v").unwrap(), value, "decoding {bytes:?}");
            r.finish().unwrap();
        }
    }

    #[test]
    fn a_varint_of_six_bytes_is_refused() {
        let mut r = Reader::from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "test");
        assert_eq!(
            r.uvarint("v").unwrap_err().problem(),
            Some("varint longer than 5 bytes")
        );
    }

    #[test]
    fn strings_encode_in_classic_and_compact_forms() {
        let mut w = Writer::new();
        w.nullable_string(Some("ab"))
            .nullable_string(None)
            .compact_string("ab")
            .compact_null_array();
        assert_eq!(
            w.finish(),
            [0, 0, 0, 10, 0, 2, b'a', b'b', 0xff, 0xff, 3, b'a', b'b', 0]
        );
    }

    #[test]
    fn compact_strings_decode_null_empty_and_text() {
        let mut r = Reader::from_slice(&[0, 1, 3, b'h', b'i'], "test");
        assert_eq!(r.compact_nullable_string("s").unwrap(), None);
        assert_eq!(r.compact_nullable_string("s").unwrap(), Some(String::new()));
        assert_eq!(r.compact_string("s").unwrap(), "hi");
        r.finish().unwrap();
    }

    #[test]
    fn a_length_past_the_end_of_the_frame_is_refused_before_allocating() {
        // An array claiming 2^28 elements in a 5-byte frame.
        let mut r = Reader::from_slice(&[0x80, 0x80, 0x80, 0x80, 0x01], "test");
        assert_eq!(
            r.compact_array_len("a").unwrap_err().problem(),
            Some("length exceeds the frame")
        );
    }

    #[test]
    fn tagged_fields_are_skipped_whatever_they_hold() {
        // Two tagged fields (tag 0 with 2 bytes, tag 3 with 1 byte), then an int16.
        let mut r = Reader::from_slice(&[2, 0, 2, 0xaa, 0xbb, 3, 1, 0xcc, 0, 7], "test");
        r.skip_tagged_fields("t").unwrap();
        assert_eq!(r.i16("x").unwrap(), 7);
        r.finish().unwrap();
    }

    #[test]
    fn a_truncated_frame_names_the_field_and_offset() {
        let mut r = Reader::from_slice(&[0, 0, 0], "MetadataResponse");
        let err = r.i32("throttle").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed response: MetadataResponse throttle at byte 0: frame ends early"
        );
    }

    #[test]
    fn values_split_across_reads_and_chunks_decode_the_same() {
        // Strings longer together than one chunk, then an int32 and a UUID
        // straddling refills, read one byte per read and in odd-sized reads.
        let text = "k".repeat(MAX_STRING);
        let mut w = Writer::new();
        for _ in 0..3 {
            w.compact_string(&text);
        }
        w.i32(-7).bytes(&[9; 16]);
        let frame = w.finish()[4..].to_vec();
        for step in [1, 5, 4096, CHUNK] {
            let src = Trickle {
                bytes: &frame,
                step,
            };
            let mut r = Reader::new(src, frame.len(), "test");
            for _ in 0..3 {
                assert_eq!(r.compact_string("s").unwrap(), text, "step {step}");
            }
            assert_eq!(r.i32("i").unwrap(), -7, "step {step}");
            assert_eq!(r.uuid("u").unwrap(), [9; 16], "step {step}");
            r.finish().unwrap();
        }
    }

    #[test]
    fn skipping_crosses_chunks_without_keeping_the_bytes() {
        let mut frame = vec![0u8; 3 * CHUNK + 1];
        frame.extend_from_slice(&[0, 42]);
        let src = Trickle {
            bytes: &frame,
            step: 1000,
        };
        let mut r = Reader::new(src, frame.len(), "test");
        r.skip(3 * CHUNK + 1, "padding").unwrap();
        assert_eq!(r.i16("x").unwrap(), 42);
        r.finish().unwrap();
        assert_eq!(
            r.buf.len(),
            CHUNK,
            "one chunk of buffer, whatever the frame"
        );
    }

    #[test]
    fn the_reader_never_reads_past_its_frame() {
        // Two frames back to back on one stream: reading the first leaves
        // the second whole.
        let stream = [0, 1, 0, 2, 0xee, 0xee];
        let mut src: &[u8] = &stream;
        let mut r = Reader::new(&mut src, 4, "test");
        assert_eq!((r.i16("a").unwrap(), r.i16("b").unwrap()), (1, 2));
        r.finish().unwrap();
        assert_eq!(src, [0xee, 0xee]);
    }

    #[test]
    fn a_stream_that_ends_inside_the_frame_is_an_io_error_naming_the_field() {
        let src: &[u8] = &[0, 0];
        let mut r = Reader::new(src, 8, "MetadataResponse");
        let err = r.i32("throttle").unwrap_err();
        assert!(matches!(err, DecodeError::Io { at: 0, .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "reading MetadataResponse throttle at byte 0: connection closed by the broker"
        );
    }

    #[test]
    fn a_string_longer_than_kafka_allows_is_refused_before_it_is_read() {
        let mut frame = Vec::new();
        let mut w = Writer::new();
        w.uvarint(MAX_STRING as u32 + 2); // MAX_STRING + 1 bytes
        frame.extend_from_slice(&w.finish()[4..]);
        frame.resize(frame.len() + MAX_STRING + 1, b'x');
        let mut r = Reader::from_slice(&frame, "test");
        assert_eq!(
            r.compact_nullable_string("s").unwrap_err().problem(),
            Some("string longer than Kafka's 32767 bytes")
        );
    }

    #[test]
    fn replica_lists_are_streamed_to_a_length_and_a_membership() {
        let mut w = Writer::new();
        w.compact_array_len(Some(3)).i32(4).i32(1).i32(9);
        w.compact_array_len(None);
        let frame = w.finish()[4..].to_vec();
        let mut r = Reader::from_slice(&frame, "test");
        assert_eq!(r.compact_i32_array_has(1, "replicas").unwrap(), (3, true));
        assert_eq!(r.compact_i32_array_has(1, "isr").unwrap(), (0, false));
        r.finish().unwrap();
    }
}
