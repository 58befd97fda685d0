#!/usr/bin/env bash
# Builds the fully static x86_64 release binary (glibc, crt-static, non-PIE)
# and prints its path: target/x86_64-unknown-linux-gnu/release/kafka-init.
# --target is explicit so that the static flags apply to kafka-init only, not
# to build scripts and proc macros (serde_derive), which must stay dynamic.
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS='-C target-feature=+crt-static -C relocation-model=static' \
  cargo build --quiet --release --locked --target x86_64-unknown-linux-gnu
echo target/x86_64-unknown-linux-gnu/release/kafka-init
