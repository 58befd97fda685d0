#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (as root), the Rust
# musl target (scripts/build-static.sh's static-pie build), slowfs (the FUSE
# test filesystem, scripts/build-slowfs.sh), then the Kafka
# classpaths (scripts/fetch-kafka.sh) and the manifest tools
# (scripts/install-manifest-tools.sh, which scripts/pod-env.sh uses).
# Idempotent: apt runs (one update, one install) only when a package is
# missing; the fetch and tool scripts skip what they already have.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  iproute2 iptables util-linux hostname procps psmisc  # pods: namespaces, veth, bridge, UTS, pids
  openjdk-17-jre-headless maven                        # Kafka and ZooKeeper JVMs; fetch-kafka.sh
  openjdk-17-jdk-headless                              # javac: tools/catalog-gen (scripts/gen-catalog.sh)
  kcat jq                                              # clients: metadata, consume; JSON
  python3 python3-venv                                 # scripts/install-manifest-tools.sh
  podman runc busybox-static hyperfine strace          # image tests, benchmarks; strace: start-up test
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "apt packages: all present"
fi

# Not fatal: without it scripts/build-static.sh falls back to glibc and says so.
# rust-src: scripts/build-static.sh rebuilds std for size from it.
if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  echo "rust component rust-src: present"
elif command -v rustup >/dev/null && rustup component add rust-src; then
  echo "rust component rust-src: installed"
else
  echo "rust component rust-src: CANNOT be installed; scripts/build-static.sh will use the prebuilt std (larger)" >&2
fi
musl=x86_64-unknown-linux-musl
if [ -d "$(rustc --print target-libdir --target "$musl" 2>/dev/null)" ]; then
  echo "rust target $musl: present"
elif command -v rustup >/dev/null && rustup target add "$musl"; then
  echo "rust target $musl: installed"
else
  echo "rust target $musl: CANNOT be installed; scripts/build-static.sh will fall back to the static glibc build" >&2
fi

# slowfs, the FUSE stand-in for NFS (tests/prepare_fuse.rs,
# bench/prepare-slowfs.sh): its crates, built once here. Needs /dev/fuse at
# run time, which the tests require rather than skip.
scripts/build-slowfs.sh >/dev/null
[ -c /dev/fuse ] || echo "no /dev/fuse: the FUSE tests (tests/prepare_fuse.rs) will fail" >&2

# 3.9.2: the ZooKeeper-to-KRaft migration scenario (tests/e2e/zk-to-kraft.sh)
scripts/fetch-kafka.sh 3.9.0 3.9.2 4.4.0
scripts/install-manifest-tools.sh >/dev/null
# The Python dub of cp-kafka before 8.1 (tests/confluent.rs renders the
# image's template with it): its requirements, as the image installs them.
# (Without ../shared beside the checkout that test is skipped, and so is this.)
dub_reqs=../shared/reference/images/confluent-docker-utils-0.0.169/requirements.txt
if [ -f "$dub_reqs" ]; then
  [ -x target/dub-venv/bin/python ] || python3 -m venv target/dub-venv
  target/dub-venv/bin/pip install -q -r "$dub_reqs"
fi
echo "dependencies ready"
