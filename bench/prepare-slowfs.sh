#!/usr/bin/env bash
# Benchmarks `kafka-init prepare` against coreutils `chown -R` on a
# latency-bound filesystem: slowfs (tests/slowfs), a FUSE passthrough that
# waits DELAY_US (200 µs, an NFS round trip on a LAN) before serving each
# operation, many at once. The tree is DIRS x FILES files (20 x 1000), all
# owned by root; both tools make it 1001:1001, side by side in one run, each
# timing on a fresh mount (cold client caches, like a pod's first start) of
# the same tree reset to root. Prints median wall times and the ratio
# (goal: kafka-init / coreutils <= 0.25). Run as root, with /dev/fuse.
# Usage: bench/prepare-slowfs.sh  (env: DIRS=20 FILES=1000 RUNS=3 DELAY_US=200
#   THREADS=16 BENCH_DIR=/var/tmp/kafka-init-bench-slowfs
#   KAFKA_INIT=<binary>, default: scripts/build-static.sh's)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/tree.sh

dirs=${DIRS:-20} files=${FILES:-1000} runs=${RUNS:-3}
delay=${DELAY_US:-200} threads=${THREADS:-16}
root=${BENCH_DIR:-/var/tmp/kafka-init-bench-slowfs}
backing="$root/backing" mnt="$root/mnt"
owner=1001:1001

[ "$(id -u)" = 0 ] || { echo "run as root: the benchmark mounts and chowns" >&2; exit 1; }
[ -c /dev/fuse ] || { echo "no /dev/fuse: slowfs needs FUSE" >&2; exit 1; }
KAFKA_INIT=${KAFKA_INIT:-$(scripts/build-static.sh)}
slowfs=$(scripts/build-slowfs.sh)

mkdir -p "$mnt"
bench_tree "$backing/data" "$dirs" "$files"
entries=$(find "$backing/data" | wc -l)

pid=
unmount() {
  if [ -n "$pid" ]; then
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
    wait "$pid" || true
    pid=
  fi
}
trap unmount EXIT

# mount: slowfs on $mnt, waiting until the kernel shows it.
mount_slowfs() {
  "$slowfs" --delay-us "$delay" --threads "$threads" "$backing" "$mnt" &
  pid=$!
  for _ in $(seq 500); do
    [ "$(stat -f -c %t "$mnt")" = 65735546 ] && return 0
    kill -0 "$pid" 2>/dev/null || { echo "slowfs failed to mount" >&2; exit 1; }
    sleep 0.01
  done
  echo "slowfs did not mount in 5 s" >&2; exit 1
}

# time_one CMD...: resets the tree to root (on the backing dir, not timed),
# mounts, runs CMD and prints its wall time in ms; fails unless CMD left
# every entry owned by $owner.
time_one() {
  chown -R 0:0 "$backing/data"
  mount_slowfs
  local t0 t1; t0=$(date +%s%N)
  "$@" >/dev/null 2>"$root/stderr" || { cat "$root/stderr" >&2; exit 1; }
  t1=$(date +%s%N)
  unmount
  if [ -n "$(find "$backing/data" \( ! -user 1001 -o ! -group 1001 \) -print -quit)" ]; then
    echo "$1 left entries not owned by $owner" >&2; exit 1
  fi
  awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f\n", ns / 1e6 }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

prepare=(env -i POD_NAME=kafka-1 KAFKA_CFG_ZOOKEEPER_CONNECT=zk:2181 "KAFKA_CFG_LOG_DIRS=$mnt/data"
  KAFKA_INIT_RUN_AS=$owner KAFKA_INIT_FLAVOR=bitnami KAFKA_INIT_LOG=warn "$KAFKA_INIT" prepare)
coreutils=(chown -R "$owner" "$mnt/data")

echo "kafka-init: $KAFKA_INIT"
echo "slowfs: $delay µs per operation, $threads threads; $entries entries, all owned by root; $runs runs each, alternating"
c_ms=() k_ms=()
for i in $(seq "$runs"); do
  c_ms+=("$(time_one "${coreutils[@]}")")
  k_ms+=("$(time_one "${prepare[@]}")")
  echo "  run $i: coreutils chown -R ${c_ms[-1]} ms, kafka-init prepare ${k_ms[-1]} ms"
done
c=$(printf '%s\n' "${c_ms[@]}" | median) k=$(printf '%s\n' "${k_ms[@]}" | median)
printf '\nmedian wall time (%s entries on slowfs, %s µs per operation)\n' "$entries" "$delay"
printf '  %-22s %10.1f ms\n' "coreutils chown -R" "$c" "kafka-init prepare" "$k"
awk -v k="$k" -v c="$c" 'BEGIN { printf "  kafka-init / coreutils = %.3f   (goal <= 0.25)\n", k / c }'
