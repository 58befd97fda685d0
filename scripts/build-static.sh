#!/usr/bin/env bash
# Builds the fully static x86_64 release binary and prints its absolute path
# (the only line on stdout; everything else goes to stderr), under cargo's
# target dir (CARGO_TARGET_DIR, or target/):
#   <target dir>/x86_64-unknown-linux-musl/release/kafka-init   static-pie, musl
# The musl target is installed with rustup when missing. Only where it cannot
# be installed does this fall back, saying so on stderr, to the static glibc
# build (larger: about 1.8 MiB against 1.05):
#   <target dir>/x86_64-unknown-linux-gnu/release/kafka-init    static, glibc, non-PIE
# --target is explicit so that the static flags apply to kafka-init only, not
# to build scripts and proc macros (serde_derive), which must stay dynamic.
# Usage: bin=$(scripts/build-static.sh)   (env: KAFKA_INIT_STATIC=glibc forces the fallback)
set -euo pipefail
cd "$(dirname "$0")/.."

musl=x86_64-unknown-linux-musl
glibc=x86_64-unknown-linux-gnu

musl_installed() {
  [ -d "$(rustc --print target-libdir --target "$musl" 2>/dev/null)" ]
}

target=$musl
if [ "${KAFKA_INIT_STATIC:-musl}" = glibc ]; then
  target=$glibc
  echo "build-static: KAFKA_INIT_STATIC=glibc: building the static glibc binary" >&2
elif ! musl_installed; then
  echo "build-static: installing the $musl target (rustup target add $musl)" >&2
  if ! { command -v rustup >/dev/null && rustup target add "$musl" >&2 && musl_installed; }; then
    target=$glibc
    echo "build-static: FALLBACK: the $musl target cannot be installed here; building the static glibc binary instead (larger, and not static-pie)" >&2
  fi
fi

# musl's Rust target links statically and as PIE by default; glibc needs both
# asked for (non-PIE there: smaller, and nothing to relocate at start).
flags=()
[ "$target" = "$glibc" ] && flags=(-C target-feature=+crt-static -C relocation-model=static)

# The standard library, rebuilt with the release profile (opt-level s, LTO)
# and its optimize_for_size feature, instead of the prebuilt one (built for
# speed): about 300 KB less. Cargo's -Z build-std on the pinned stable
# toolchain, allowed by RUSTC_BOOTSTRAP=1 (no nightly), needs the rust-src
# component, which scripts/install-deps.sh installs; without it the
# prebuilt std is used and this says so.
std=()
if [ "$target" = "$musl" ] && [ "${KAFKA_INIT_BUILD_STD:-1}" = 1 ]; then
  if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
    std=(-Z build-std=std,panic_abort -Z build-std-features=optimize_for_size)
  else
    echo "build-static: no rust-src component (rustup component add rust-src): the prebuilt std, about 300 KB larger" >&2
  fi
fi
# Cargo's own report of the executable it produced: the path honours
# CARGO_TARGET_DIR and .cargo/config, whatever they say.
RUSTFLAGS="${flags[*]}" RUSTC_BOOTSTRAP="${std:+1}" \
  cargo build --quiet --release --locked --target "$target" --bin kafka-init "${std[@]}" \
    --message-format=json-render-diagnostics \
  | grep -o '"executable":"[^"]*"' | tail -1 | cut -d'"' -f4
