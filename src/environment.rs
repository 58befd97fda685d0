//! The one place kafka-init reads its inputs from the process: the
//! environment, the kernel hostname, the service-account namespace file and
//! a few random bytes. Everything after this is pure.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, RandomState};
use std::io::Read;

/// Where Kubernetes mounts the pod's namespace for its service account.
pub const SERVICE_ACCOUNT_NAMESPACE: &str =
    "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/// A snapshot of everything kafka-init reads from outside, taken once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// The environment, by name (a later duplicate wins, as in `getenv`).
    pub vars: BTreeMap<String, String>,
    /// The kernel hostname, the last fallback for the pod name.
    pub kernel_hostname: Option<String>,
    /// The service-account namespace file's content, when mounted.
    pub service_account_namespace: Option<String>,
    /// 16 random bytes, offered as a fresh cluster id when none is configured.
    pub random: [u8; 16],
}

impl Inputs {
    /// Reads the process's inputs.
    pub fn read() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let kernel_hostname = nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok());
        let service_account_namespace = std::fs::read_to_string(SERVICE_ACCOUNT_NAMESPACE)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let random = random_bytes();
        Inputs {
            vars,
            kernel_hostname,
            service_account_namespace,
            random,
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
