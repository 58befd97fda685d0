//! Request and response headers (RequestHeader.json, ResponseHeader.json).

use std::io::Read;

use super::codec::{DecodeError, Reader, Writer};

/// Request header v2, for flexible request versions: api key, version,
/// correlation id, client id (a classic `i16`-length string even here), and an
/// empty tagged-field section.
pub fn request_v2(
    w: &mut Writer,
    api_key: i16,
    version: i16,
    correlation_id: i32,
    client_id: &str,
) {
    w.i16(api_key)
        .i16(version)
        .i32(correlation_id)
        .nullable_string(Some(client_id))
        .no_tagged_fields();
}

/// Response header v0: the correlation id only.
pub fn response_v0<R: Read>(r: &mut Reader<R>, correlation_id: i32) -> Result<(), DecodeError> {
    let got = r.i32("correlation id")?;
    if got != correlation_id {
        return Err(DecodeError::Malformed {
            at: 0,
            what: format!("correlation id {got}, expected {correlation_id}"),
            problem: "the answer is to another request",
        });
    }
    Ok(())
}

/// Response header v1, for flexible response versions: correlation id, then
/// tagged fields.
pub fn response_v1<R: Read>(r: &mut Reader<R>, correlation_id: i32) -> Result<(), DecodeError> {
    response_v0(r, correlation_id)?;
    r.skip_tagged_fields("header tagged fields")
}
