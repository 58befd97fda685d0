//! kafka-init: derive a Kafka broker's identity and listeners from its
//! StatefulSet pod, validate them with Kafka's own rules, and start Kafka.
//!
//! The crate is split in a pure core (`settings` → `pod` → `plan` → `rules`
//! → `render`) and a thin shell of side effects (`environment`, `execve`,
//! `ownership`, `probe`). See DESIGN.md in the shared folder for the shape.

pub mod aliases;
pub mod cli;
pub mod cmd;
pub mod environment;
pub mod execve;
pub mod install;
pub mod kraft;
pub mod listener;
pub mod logging;
pub mod meta;
pub mod output;
pub mod ownership;
pub mod plan;
pub mod pod;
pub mod problem;
pub mod render;
pub mod rules;
pub mod settings;
pub mod wire;
