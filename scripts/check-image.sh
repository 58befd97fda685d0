#!/usr/bin/env bash
# Builds the static kafka-init binary (scripts/build-static.sh: musl
# static-pie) and the FROM-scratch image (docker/Containerfile) with podman,
# prints both sizes, then tests the image for real:
#   (a) `plan` in the image derives broker id 1 for pod kafka-1;
#   (b) `prepare`, run as an initContainer would be (root, --cap-drop ALL plus
#       CHOWN/FOWNER/DAC_OVERRIDE, read-only root filesystem), with the env
#       the zookeeper overlay gives the pod (scripts/pod-env.sh), makes a
#       root-owned data directory 1001:1001 and installs itself into the
#       shared volume (mounted at /install, as in k8s/base);
#   (c) `probe` in the image resolves a pod's DNS name from /etc/hosts
#       (the libc's resolver, with no NSS in the image) to the address given.
# Fails when the image is larger than 1.4 MB (2 MiB for the glibc fallback).
# The limit was 1.2 MB until the observation layer (ZooKeeper with a reason
# for every failure), one ConfigMap for any image, signal handling, prepare
# --check and bounded problem output added 107 KB (1,256,880 bytes); 1.3 MB
# until Kafka's start-up rules between keys (the whole-start differential),
# the Bitnami image's checks of the container's files, the cluster id read
# from the volume and the migration-attempt rail added 45 KB (1,302,000).
# Needs root, podman and runc.
# Usage: scripts/check-image.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
image=kafka-init:0.1.0
podman_run=(podman run --rm --runtime runc --network none)

scripts/podman-conf.sh

echo "== building the static binary"
binary=$(scripts/build-static.sh)
if file "$binary" | grep -q 'dynamically linked'; then
  echo "check-image: $binary is dynamically linked" >&2; exit 1
fi
case "$binary" in
  */x86_64-unknown-linux-musl/*) max_bytes=1400000 limit="1.4 MB" ;;
  *) max_bytes=$((2 * 1024 * 1024)) limit="2 MiB, the glibc fallback's" ;;
esac
mib() { awk -v s="$1" 'BEGIN{printf "%.2f MiB, %.2f MB", s/1048576, s/1e6}'; }
binary_size=$(stat -c %s "$binary")
echo "binary $binary: $binary_size bytes ($(mib "$binary_size")), $(file -b "$binary" | cut -d, -f1,4)"

echo "== building $image"
context=target/image
rm -rf "$context" && mkdir -p "$context"
# Mode 0755 here, since the Containerfile's COPY keeps it (no --chmod: Docker 20.10).
install -m 0755 "$binary" "$context/kafka-init"
podman build --isolation chroot -f docker/Containerfile -t "$image" "$context"

size="$(podman image inspect --format '{{.Size}}' "$image")"
echo "image $image: $size bytes ($(mib "$size"); limit $limit)"
if [ "$size" -gt "$max_bytes" ]; then
  echo "check-image: FAILED: the image is larger than $limit" >&2; exit 1
fi

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

echo "== (a) plan in the image, pod kafka-1"
"${podman_run[@]}" -e POD_NAME=kafka-1 -e KAFKA_CFG_ZOOKEEPER_CONNECT=zk:2181 \
  "$image" plan --format properties | tee "$work/plan"
grep -qx 'broker.id=1' "$work/plan" || { echo "check-image: FAILED: no broker.id=1 in the plan" >&2; exit 1; }

echo "== (b) prepare as the initContainer, on a root-owned data directory"
mkdir -p "$work/data/test-topic-0" "$work/install"
touch "$work/data/test-topic-0/00000000000000000000.log"
chown -R 0:0 "$work/data" "$work/install"
scripts/pod-env.sh zookeeper kafka kafka-1 > "$work/env"
"${podman_run[@]}" --user 0:0 --read-only --security-opt no-new-privileges \
  --cap-drop ALL --cap-add CHOWN --cap-add FOWNER --cap-add DAC_OVERRIDE \
  --env-file "$work/env" \
  -v "$work/data:/bitnami/kafka/data" -v "$work/install:/install" \
  "$image" prepare --install-to /install
for path in "$work/data" "$work/data/test-topic-0" "$work/data/test-topic-0/00000000000000000000.log"; do
  owner="$(stat -c %u:%g "$path")"
  echo "${path#"$work"/}: $owner"
  [ "$owner" = 1001:1001 ] || { echo "check-image: FAILED: ${path#"$work"/} is $owner, not 1001:1001" >&2; exit 1; }
done
[ -x "$work/install/kafka-init" ] || { echo "check-image: FAILED: prepare did not install /install/kafka-init" >&2; exit 1; }
cmp -s "$work/install/kafka-init" "$binary" || { echo "check-image: FAILED: the installed binary differs" >&2; exit 1; }
echo "install/kafka-init: installed, $(stat -c %s "$work/install/kafka-init") bytes"

echo "== (c) probe in the image resolves a pod name from /etc/hosts"
# No network: the connect fails, but only after the name resolved to our address.
fqdn=kafka-1.kafka-headless.kafka.svc.cluster.local
"${podman_run[@]}" --add-host "$fqdn:10.231.99.1" -e POD_NAME=kafka-1 \
  -e KAFKA_CFG_ZOOKEEPER_CONNECT=zk:2181 -e "KAFKA_CFG_LISTENERS=PLAINTEXT://$fqdn:9092" \
  "$image" probe --timeout 2s 2> "$work/probe" || true
cat "$work/probe"
grep -q 'connect to 10.231.99.1:9092' "$work/probe" \
  || { echo "check-image: FAILED: probe did not resolve $fqdn to 10.231.99.1" >&2; exit 1; }

echo "check-image: ok"
