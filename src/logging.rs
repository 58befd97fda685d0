//! The one tracing subscriber: human-readable or JSON lines on stderr.

use tracing_subscriber::EnvFilter;

use crate::environment::Inputs;

/// True when `KAFKA_INIT_LOG_FORMAT=json`.
pub fn is_json(inputs: &Inputs) -> bool {
    inputs.var("KAFKA_INIT_LOG_FORMAT") == Some("json")
}

/// Sets up tracing from `KAFKA_INIT_LOG` (default `info`) and `KAFKA_INIT_LOG_FORMAT`.
pub fn init(inputs: &Inputs) {
    let filter = EnvFilter::try_new(inputs.var("KAFKA_INIT_LOG").unwrap_or("info"))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    if is_json(inputs) {
        builder.json().flatten_event(true).init();
    } else {
        builder.with_ansi(false).init();
    }
}
