#!/usr/bin/env bash
# A Debian 12 root filesystem with a JRE, built from Debian's packages with
# debootstrap (no image can be pulled here): the base of the Kafka broker
# images of the real-cluster test, as Bitnami's minideb:bookworm is of theirs.
# Output: $K8S_CACHE/rootfs-bookworm-jre17.tar, reused while it exists.
# The mirror is the one apt on this machine already uses.
set -euo pipefail
cache=${K8S_CACHE:-$HOME/.cache/kafka-init-k8s}
out=$cache/rootfs-bookworm-jre17.tar
if [ -s "$out" ]; then echo "rootfs: cached in $out"; exit 0; fi
mirror=$(sed -n 's/^URIs: *\(\S*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list)
[ -n "$mirror" ] || { echo "rootfs: no Debian mirror found in apt's sources" >&2; exit 1; }
command -v debootstrap >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap; }
dir=$(mktemp -d "$cache/rootfs.XXXXXX")
trap 'rm -rf "$dir"' EXIT
start=$(date +%s)
# The packages Bitnami's Dockerfile installs (ca-certificates curl procps
# zlib1g) and its JRE 17, from Debian.
debootstrap --variant=minbase \
  --include=openjdk-17-jre-headless,ca-certificates,curl,procps,zlib1g \
  bookworm "$dir" "$mirror" > "$cache/debootstrap.log" 2>&1 \
  || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
tar -C "$dir" -cf "$out.tmp" . && mv "$out.tmp" "$out"
echo "rootfs: built in $(( $(date +%s) - start ))s, $(du -h "$out" | cut -f1)"
