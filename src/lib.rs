//! kafka-init: derive a Kafka broker's identity and listeners from its
//! StatefulSet pod, validate them with Kafka's own rules, and start Kafka.
//!
//! The crate is split in a pure core (`settings` → `pod` → `flavor` reads →
//! `plan` → `rules` → `flavor` renders) and a thin shell of side effects
//! (`environment`, `execve`, `ownership`, `probe`). See docs/internals/code-map.md.

pub mod access;
pub mod arena;
pub mod audit;
pub mod catalog;
pub mod cli;
pub mod cmd;
pub mod environment;
pub mod execve;
pub mod flavor;
pub mod install;
pub mod kraft;
pub mod listener;
pub mod log_dir;
pub mod logging;
pub mod meta;
pub mod observe;
pub mod output;
pub mod ownership;
pub mod plan;
pub mod pod;
pub mod problem;
pub mod render;
pub mod rules;
pub mod secret;
pub mod settings;
pub mod signals;
pub mod wire;
pub mod zookeeper;
