//! The one place kafka-init reads its inputs from the process: the
//! environment, the kernel hostname, the service-account namespace file and
//! a few random bytes (the last three only when needed). Everything after
//! this is pure.
//!
//! The environment is read once. Variables that are UTF-8 (name and value)
//! go to the pure core as strings; the others are kept byte for byte and
//! passed on to the exec'd program unchanged, unless kafka-init itself
//! reads one of them: that is a problem naming it (see
//! [`Inputs::non_utf8_problems`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::hash::{BuildHasher, RandomState};
use std::io::Read;

use crate::problem::Problem;

/// Where Kubernetes mounts the pod's namespace for its service account.
pub const SERVICE_ACCOUNT_NAMESPACE: &str =
    "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/// A snapshot of everything kafka-init reads from outside, taken once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// The environment's UTF-8 variables, by name (a later duplicate wins).
    pub vars: BTreeMap<String, String>,
    /// The variables whose name or value is not UTF-8, byte for byte, in
    /// the order read.
    pub non_utf8: Vec<(OsString, OsString)>,
    /// The kernel hostname, the last fallback for the pod name.
    pub kernel_hostname: Option<String>,
    /// The service-account namespace file's content, when mounted.
    pub service_account_namespace: Option<String>,
    /// 16 random bytes, offered as a fresh cluster id when none is
    /// configured; zero until [`Inputs::with_random`].
    pub random: [u8; 16],
}

impl Inputs {
    /// Reads the process's inputs.
    pub fn read() -> Self {
        let mut vars = BTreeMap::new();
        let mut non_utf8 = Vec::new();
        for (name, value) in std::env::vars_os() {
            match (name.into_string(), value.into_string()) {
                (Ok(n), Ok(v)) => {
                    vars.insert(n, v);
                }
                (n, v) => non_utf8.push((
                    n.map_or_else(|n| n, OsString::from),
                    v.map_or_else(|v| v, OsString::from),
                )),
            }
        }
        // The fallbacks are read only when what they stand in for is unset:
        // each costs system calls on every start of every broker.
        let kernel_hostname = (!vars.contains_key("POD_NAME") && !vars.contains_key("HOSTNAME"))
            .then(nix::unistd::gethostname)
            .and_then(Result::ok)
            .and_then(|h| h.into_string().ok());
        let service_account_namespace = (!vars.contains_key("POD_NAMESPACE"))
            .then(|| std::fs::read_to_string(SERVICE_ACCOUNT_NAMESPACE).ok())
            .flatten()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        Inputs {
            vars,
            non_utf8,
            kernel_hostname,
            service_account_namespace,
            random: [0; 16],
        }
    }

    /// These inputs with [`random`](Inputs::random) filled in. Only a
    /// derivation with problems needs random bytes (to suggest a fresh
    /// cluster id), so a start without problems never reads them.
    pub fn with_random(&self) -> Inputs {
        Inputs {
            random: random_bytes(),
            ..self.clone()
        }
    }

    /// Inputs made of the given variables only (tests, `plan` examples).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Inputs {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    /// The value of a variable, when set.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// A problem for each variable that is not UTF-8 and that kafka-init
    /// reads (`reads` says which). Without it, such a variable would be
    /// silently absent: a `POD_NAME` with one bad byte would fall back to
    /// `HOSTNAME`.
    pub fn non_utf8_problems(&self, reads: impl Fn(&str) -> bool) -> Vec<Problem> {
        let mut problems: Vec<Problem> = self
            .non_utf8
            .iter()
            .filter_map(|(name, value)| {
                let name = name.to_string_lossy();
                reads(&name).then(|| non_utf8_problem(&name, value))
            })
            .collect();
        problems.sort_by(|a, b| a.var.cmp(&b.var));
        problems.dedup_by(|a, b| a.var == b.var);
        problems
    }

    /// The exec'd program's environment: `computed` (what kafka-init
    /// derived from the UTF-8 variables) plus, byte for byte, every variable
    /// it could not decode and so did not touch.
    pub fn exec_environment(&self, computed: Vec<(String, String)>) -> Vec<(OsString, OsString)> {
        let names: BTreeSet<&OsStr> = if self.non_utf8.is_empty() {
            BTreeSet::new()
        } else {
            computed.iter().map(|(k, _)| OsStr::new(k)).collect()
        };
        let passed_on: Vec<(OsString, OsString)> = self
            .non_utf8
            .iter()
            // A duplicate name (one entry UTF-8, one not) keeps the decoded one.
            .filter(|(name, _)| !names.contains(name.as_os_str()))
            .cloned()
            .collect();
        computed
            .into_iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .chain(passed_on)
            .collect()
    }
}

/// Variables whose values are never secret, so a bad value is shown (each
/// invalid byte as U+FFFD).
const SHOWN_WHEN_NOT_UTF8: &[&str] = &[
    "POD_NAME",
    "HOSTNAME",
    "POD_NAMESPACE",
    "POD_INDEX",
    "HOST_IP",
];

fn non_utf8_problem(name: &str, value: &OsStr) -> Problem {
    let shown = if SHOWN_WHEN_NOT_UTF8.contains(&name) {
        value.to_string_lossy().into_owned()
    } else {
        // Any other value may be a password: not echoed.
        "<not UTF-8; not shown>".to_string()
    };
    Problem::new(
        name,
        shown,
        "kafka-init reads this variable, and its name or value is not UTF-8 text",
        "set it to UTF-8 text (check the manifest's or the Secret's encoding, or whatever generates the value)",
    )
}

/// 16 random bytes from the kernel (`/dev/urandom`). Without it (a
/// container without `/dev`), std's per-process random hash keys, which
/// come from the `getrandom` system call: different on every call and
/// unpredictable, enough for a suggested id or a file name.
pub fn random_bytes() -> [u8; 16] {
    let mut random = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut random));
    if read.is_err() {
        for (i, chunk) in random.chunks_mut(8).enumerate() {
            let hash = RandomState::new().hash_one(i);
            chunk.copy_from_slice(&hash.to_le_bytes());
        }
    }
    random
}
