#!/usr/bin/env bash
# The real-Kubernetes test: builds Kubernetes from the Go module proxy
# (build.sh), checks the manifests on the oldest release's API server
# (old-release.sh), the images (images.sh), brings a one-node cluster up
# (cluster.sh), runs the user's story with chainsaw (story/), tears it all
# down. Prints each stage's time and a last line `N passed, N failed`.
# Needs root, ../shared (the seed deployment and the Bitnami scripts), and
# scripts/install-deps.sh once. Usage: tests/k8s/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "tests/k8s needs root" >&2; exit 1; }
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
cache=${K8S_CACHE:-$HOME/.cache/kafka-init-k8s}
release=${K8S_RELEASE:-1.37.2}
t0=$(date +%s)
stage() { printf '=== k8s: %s (%ss)\n' "$*" "$(( $(date +%s) - t0 ))"; }

stage "packages"
need=()
for p in containerd debootstrap conntrack socat jq curl openssl iproute2 iptables; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; }
fi
python3 -c 'import yaml' 2>/dev/null || pip install -q pyyaml

stage "build Kubernetes $release, etcd, CoreDNS, chainsaw (tests/k8s/build.sh)"
"$here/build.sh" "$release"
export PATH="$cache/bin-$release:$PATH"
# The oldest release whose sources build here, for its API server's and
# StatefulSet controller's word on the manifests (no kubelet).
old_release=${K8S_OLD_RELEASE:-1.24.17}
stage "the manifests on Kubernetes $old_release's API (tests/k8s/old-release.sh)"
K8S_OLD_RELEASE=$old_release "$here/old-release.sh"
stage "images (tests/k8s/images.sh)"
"$here/images.sh" build

out=${K8S_OUT:-$repo/target/k8s-run}
rm -rf "$out"; mkdir -p "$out"
export K8S_OUT=$out
cleanup() {
  stage "cluster down"
  "$here/cluster.sh" down >> "$out/cluster-down.log" 2>&1 || true
}
trap cleanup EXIT
stage "cluster up (tests/k8s/cluster.sh)"
"$here/cluster.sh" up
eval "export $("$here/cluster.sh" env)"

stage "the user's story (chainsaw, tests/k8s/story)"
rc=0
chainsaw test --test-dir "$here/story" --no-color --parallel 1 2>&1 | tee "$out/chainsaw.log" || rc=$?
# The scripts' checks, as chainsaw shows their output (indented).
passed=$(grep -cE '^\s*PASS  ' "$out/chainsaw.log" || true)
failed=$(grep -cE '^\s*FAIL  ' "$out/chainsaw.log" || true)
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$rc" -ne 0 ]; then
  kubectl get pods -A -o wide || true
  for p in $(kubectl -n kafka get pods -o name 2>/dev/null); do
    echo "--- $p"; kubectl -n kafka logs "$p" --all-containers --tail 40 || true
  done
fi
trap - EXIT
cleanup
stage "story done"
echo "$passed passed, $failed failed"
exit "$rc"
