#!/usr/bin/env bash
# The arena allocator (src/arena.rs) under Miri: its race test hands a block
# from one thread to another, and Miri's data race detector fails it unless
# giving back is a Release and claiming an Acquire. Installs nightly's miri
# and rust-src components when missing. Run from anywhere; uses target/miri.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$HOME/.cargo/bin"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
rustup component add --toolchain nightly miri rust-src
cargo +nightly miri test --locked --lib arena::
