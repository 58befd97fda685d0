#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (as root), then the
# Kafka classpaths (scripts/fetch-kafka.sh) and the manifest tools
# (scripts/install-manifest-tools.sh, which scripts/pod-env.sh uses).
# Idempotent: apt runs (one update, one install) only when a package is
# missing; the fetch and tool scripts skip what they already have.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  iproute2 iptables util-linux hostname procps psmisc  # pods: namespaces, veth, bridge, UTS, pids
  openjdk-17-jre-headless maven                        # Kafka and ZooKeeper JVMs; fetch-kafka.sh
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

scripts/fetch-kafka.sh 3.9.0 4.4.0
scripts/install-manifest-tools.sh >/dev/null
echo "dependencies ready"
