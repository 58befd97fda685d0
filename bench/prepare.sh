#!/usr/bin/env bash
# Benchmarks `kafka-init prepare` against `chown -R` (coreutils and busybox)
# on one tree of DIRS x FILES files, side by side in one run, and prints wall
# times and ratios for (a) a tree already owned by the broker (kafka-init's
# goal: under 5 ms whatever the size: one stat, the walk is skipped) and (b) a
# tree all owned by root (goal on local disk: at most 0.6x coreutils' wall
# time; the walk runs a thread per core here, and grows to 16 operations in
# flight only where its threads wait, as on network storage, where every
# chown is a round trip). Run as root, on a
# quiet machine for figures worth reporting.
# Usage: bench/prepare.sh  (env: DIRS=100 FILES=1000 RUNS=5 BENCH_DIR=/var/tmp/kafka-init-bench
#                           KAFKA_INIT=<binary>, default: cargo build --release output;
#                           BASELINE=<another kafka-init> also times that build, side by side)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/tree.sh

dirs=${DIRS:-100} files=${FILES:-1000} runs=${RUNS:-5}
root=${BENCH_DIR:-/var/tmp/kafka-init-bench}
tree="$root/data"
owner=1001:1001

[ "$(id -u)" = 0 ] || { echo "run as root: the benchmark chowns" >&2; exit 1; }
command -v busybox >/dev/null || apt-get install -y busybox-static >/dev/null
if [ -z "${KAFKA_INIT:-}" ]; then
  cargo build --release --quiet
  KAFKA_INIT="${CARGO_TARGET_DIR:-target}/release/kafka-init"
fi

bench_tree "$tree" "$dirs" "$files"
entries=$(find "$tree" | wc -l)

prepare="env -i POD_NAME=kafka-1 KAFKA_CFG_ZOOKEEPER_CONNECT=zk:2181 KAFKA_CFG_LOG_DIRS=$tree"
prepare+=" KAFKA_INIT_RUN_AS=$owner KAFKA_INIT_FLAVOR=bitnami KAFKA_INIT_LOG=warn $KAFKA_INIT prepare"
coreutils="chown -R $owner $tree"
busybox="busybox chown -R $owner $tree"

# Prints the median wall time in ms of each command; $1 = command run (untimed)
# before each timing. Interleaved: each round times every command once, so
# that the machine drifting between rounds (this VM's neighbours, the
# journal's checkpoints) moves them all, not one, and the ratios hold.
measure() {
  local reset=$1; shift
  local rounds; rounds=$(mktemp)
  for round in $(seq 0 "$runs"); do
    local -a ms=()
    if command -v hyperfine >/dev/null; then
      local json; json=$(mktemp)
      # No shell in between: (a) takes a few ms, a shell's start would blur it.
      hyperfine --style none --shell=none --runs 1 --prepare "$reset" \
        --export-json "$json" "$@" >/dev/null
      mapfile -t ms < <(jq -r '.results[] | "\(.mean * 1000)"' "$json")
      rm -f "$json"
    else
      for cmd in "$@"; do
        eval "$reset"
        local t0; t0=$(date +%s%N); eval "$cmd" >/dev/null 2>&1; local t1; t1=$(date +%s%N)
        ms+=("$(awk -v n=$((t1 - t0)) 'BEGIN { print n / 1e6 }')")
      done
    fi
    # Round 0 warms the caches up and is not counted.
    [ "$round" = 0 ] || echo "${ms[*]}" >> "$rounds"
  done
  local col
  for col in $(seq "$#"); do
    awk -v c="$col" '{ print $c }' "$rounds" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
  done
  rm -f "$rounds"
}

baseline=()
[ -z "${BASELINE:-}" ] || baseline=("${prepare/ $KAFKA_INIT prepare/ $BASELINE prepare}")

# report TITLE GOAL RESET COMMAND...: GOAL is an awk condition on k (kafka-init's
# ms) and c (coreutils' ms), and its wording.
report() {
  local title=$1 goal=$2 goal_text=$3; shift 3
  local -a ms; mapfile -t ms < <(measure "$@" "${baseline[@]}")
  local k=${ms[2]}
  printf '\n%s (%s entries, median of %s runs, warm cache)\n' "$title" "$entries" "$runs"
  printf '  %-22s %10.2f ms\n' "coreutils chown -R" "${ms[0]}" "busybox chown -R" "${ms[1]}" "kafka-init prepare" "$k"
  awk -v k="$k" -v c="${ms[0]}" -v b="${ms[1]}" 'BEGIN {
    printf "  kafka-init / coreutils = %.3f   kafka-init / busybox = %.3f\n", k / c, k / b }'
  if [ ${#baseline[@]} -gt 0 ]; then
    printf '  %-22s %10.2f ms\n' "baseline prepare" "${ms[3]}"
    awk -v k="$k" -v c="${ms[0]}" -v z="${ms[3]}" 'BEGIN {
      printf "  baseline / coreutils = %.3f   kafka-init / baseline = %.3f\n", z / c, k / z }'
  fi
  awk -v k="$k" -v c="${ms[0]}" -v text="$goal_text" "BEGIN {
    printf \"  goal: %s: %s\\n\", text, (($goal) ? \"met\" : \"MISSED\") }"
}

echo "kafka-init: $KAFKA_INIT"
report "(a) tree already owned by $owner" "k < 5" "kafka-init under 5 ms" \
  "chown -R $owner $tree" "$coreutils" "$busybox" "$prepare"
report "(b) tree all owned by root" "k <= 0.6 * c" "kafka-init at most 0.6x coreutils" \
  "chown -R 0:0 $tree" "$coreutils" "$busybox" "$prepare"
