#!/usr/bin/env bash
# Builds slowfs (tests/slowfs: the latency-bound FUSE passthrough filesystem
# that stands in for NFS in tests/prepare_fuse.rs and bench/prepare-slowfs.sh)
# and prints the absolute path of the binary, its only line on stdout. It is
# a crate of its own (fuser, libc), built into <cargo target dir>/slowfs.
# Usage: slowfs=$(scripts/build-slowfs.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")/slowfs
cargo build --quiet --release --locked --manifest-path tests/slowfs/Cargo.toml \
    --target-dir "$target_dir" --message-format=json-render-diagnostics \
  | grep -o '"executable":"[^"]*"' | tail -1 | cut -d'"' -f4
