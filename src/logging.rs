//! The one tracing subscriber: human-readable or JSON lines on stderr.

use tracing::level_filters::LevelFilter;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::debug_fn;

use crate::environment::Inputs;

/// True when `KAFKA_INIT_LOG_FORMAT=json`.
pub fn is_json(inputs: &Inputs) -> bool {
    inputs.var("KAFKA_INIT_LOG_FORMAT") == Some("json")
}

/// Sets up tracing from `KAFKA_INIT_LOG` (`off`, `error`, `warn`, `info` (default),
/// `debug`, `trace`) and `KAFKA_INIT_LOG_FORMAT`. A plain level, not a filter
/// expression: the regex engine behind filter expressions would double the binary.
pub fn init(inputs: &Inputs) {
    let level = inputs
        .var("KAFKA_INIT_LOG")
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        // Its default reports a failed write with eprintln!, which panics
        // when stderr is full or closed; a log line that cannot be written
        // is dropped instead (see output.rs).
        .log_internal_errors(false)
        .with_target(false);
    if is_json(inputs) {
        builder.json().flatten_event(true).init();
    } else {
        // A field shown with Display (a path, a message) is written raw by
        // the default formatter: a file name with a line break would forge
        // a log line. Every field and message goes through one escaping.
        let fields = debug_fn(|w, field, value| {
            let text = crate::secret::one_line(&format!("{value:?}"));
            if field.name() == "message" {
                write!(w, "{text}")
            } else {
                write!(w, "{field}={text}")
            }
        })
        .delimited(" ");
        builder.with_ansi(false).fmt_fields(fields).init();
    }
}
