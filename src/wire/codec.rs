//! Kafka's primitive wire types, written and read by hand: big-endian
//! integers, classic strings with an `i16` length, and the "compact" forms of
//! flexible versions (KIP-482) whose lengths are unsigned varints holding
//! length + 1, so that 0 can mean null.

use std::fmt;

/// A response that does not parse as the message we expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset in the frame (after the size prefix) where decoding failed.
    pub at: usize,
    /// What was being read, e.g. `"MetadataResponse broker host"`.
    pub what: String,
    /// What was wrong with it.
    pub problem: &'static str,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed response: {} at byte {}: {}",
            self.what, self.at, self.problem
        )
    }
}

impl std::error::Error for DecodeError {}

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

/// Reads one response frame (without its size prefix), front to back.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Names the message being read, for error messages.
    message: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over one frame of `message` (e.g. `"MetadataResponse"`).
    pub fn new(buf: &'a [u8], message: &'static str) -> Self {
        Reader {
            buf,
            pos: 0,
            message,
        }
    }

    /// A decode error at the current position.
    pub fn error(&self, what: &str, problem: &'static str) -> DecodeError {
        DecodeError {
            at: self.pos,
            what: format!("{} {}", self.message, what),
            problem,
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.buf.len())
            .ok_or_else(|| self.error(what, "frame ends early"))?;
        let bytes = &self.buf[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
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
    /// fit in the rest of the frame: a corrupt length must not make us allocate.
    fn bounded(&self, len: usize, what: &str) -> Result<usize, DecodeError> {
        if len > self.buf.len() - self.pos {
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

    /// A compact array of `int32` (replica lists); null reads as empty.
    pub fn compact_i32_array(&mut self, what: &str) -> Result<Vec<i32>, DecodeError> {
        let n = self.compact_array_len(what)?.unwrap_or(0);
        (0..n).map(|_| self.i32(what)).collect()
    }

    /// A compact nullable string.
    pub fn compact_nullable_string(&mut self, what: &str) -> Result<Option<String>, DecodeError> {
        match self.uvarint(what)? {
            0 => Ok(None),
            n => {
                let len = self.bounded(n as usize - 1, what)?;
                let bytes = self.take(len, what)?;
                String::from_utf8(bytes.to_vec())
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
            self.take(size, what)?;
        }
        Ok(())
    }

    /// A big-endian `int64`.
    pub fn i64(&mut self, what: &str) -> Result<i64, DecodeError> {
        Ok(i64::from_be_bytes(self.array(what)?))
    }

    /// A tagged-field section, kept: `(tag, bytes)` pairs, for the few
    /// tagged fields we read (ApiVersions' `ZkMigrationReady`).
    pub fn tagged_fields(&mut self, what: &str) -> Result<Vec<(u32, &'a [u8])>, DecodeError> {
        let count = self.uvarint(what)?;
        let mut out = vec![];
        for _ in 0..count {
            let tag = self.uvarint(what)?;
            let size = self.uvarint(what)? as usize;
            out.push((tag, self.take(size, what)?));
        }
        Ok(out)
    }

    /// Fails unless the whole frame was read: trailing bytes mean we read a
    /// different message layout than the broker wrote.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.pos != self.buf.len() {
            return Err(self.error("end", "unread bytes after the last field"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let mut r = Reader::new(bytes, "test");
            assert_eq!(r.uvarint("v").unwrap(), value, "decoding {bytes:?}");
            r.finish().unwrap();
        }
    }

    #[test]
    fn a_varint_of_six_bytes_is_refused() {
        let mut r = Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "test");
        assert_eq!(
            r.uvarint("v").unwrap_err().problem,
            "varint longer than 5 bytes"
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
        let mut r = Reader::new(&[0, 1, 3, b'h', b'i'], "test");
        assert_eq!(r.compact_nullable_string("s").unwrap(), None);
        assert_eq!(r.compact_nullable_string("s").unwrap(), Some(String::new()));
        assert_eq!(r.compact_string("s").unwrap(), "hi");
        r.finish().unwrap();
    }

    #[test]
    fn a_length_past_the_end_of_the_frame_is_refused_before_allocating() {
        // An array claiming 2^28 elements in a 5-byte frame.
        let mut r = Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x01], "test");
        assert_eq!(
            r.compact_array_len("a").unwrap_err().problem,
            "length exceeds the frame"
        );
    }

    #[test]
    fn tagged_fields_are_skipped_whatever_they_hold() {
        // Two tagged fields (tag 0 with 2 bytes, tag 3 with 1 byte), then an int16.
        let mut r = Reader::new(&[2, 0, 2, 0xaa, 0xbb, 3, 1, 0xcc, 0, 7], "test");
        r.skip_tagged_fields("t").unwrap();
        assert_eq!(r.i16("x").unwrap(), 7);
        r.finish().unwrap();
    }

    #[test]
    fn a_truncated_frame_names_the_field_and_offset() {
        let mut r = Reader::new(&[0, 0, 0], "MetadataResponse");
        let err = r.i32("throttle").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed response: MetadataResponse throttle at byte 0: frame ends early"
        );
    }
}
