//! The slice of the Kafka wire protocol the probe speaks, written by hand from
//! Kafka's message schemas (clients/src/main/resources/common/message/*.json):
//! ApiVersions, Metadata and DescribeConfigs requests, their responses, and
//! a deadline-bound TCP exchange. PLAINTEXT only. The probe's Metadata
//! answers are decoded as they stream in, through one bounded buffer, so
//! memory does not grow with the cluster. The tests check it against bytes
//! captured from real brokers (tests/fixtures/wire/); `fuzz/` and
//! tests/properties.rs feed it hostile ones.

pub mod api_versions;
pub mod codec;
pub mod connection;
pub mod describe_configs;
pub mod describe_quorum;
pub mod header;
pub mod metadata;

#[cfg(test)]
mod tests;

pub use codec::DecodeError;
pub use connection::Connection;
