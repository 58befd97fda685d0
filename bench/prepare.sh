#!/usr/bin/env bash
# Benchmarks `kafka-init prepare` against `chown -R` (coreutils and busybox)
# on one tree of DIRS x FILES files, side by side in one run, and prints wall
# times and ratios for (a) a tree already owned by the broker (kafka-init's
# goal: under 5 ms whatever the size: one stat, the walk is skipped) and (b) a
# tree all owned by root (goal on local disk: at most 0.6x coreutils' wall
# time; the walk runs a thread per core here, and grows to 16 operations in
# flight only where its threads wait, as on network storage, where every
# chown is a round trip). Beside them, for (b) and (c), the floor:
# bench/stat-chown.c, the least a walk can do that stats each entry before
# its chown as kafka-init must (hard links, mounts, what is already right),
# in one process and split over one process per core with nothing shared:
# no walk that keeps those checks can beat the split one by much. Run as
# root, on a quiet machine for figures worth reporting.
# Usage: bench/prepare.sh  (env: DIRS=100 FILES=1000 RUNS=5 BENCH_DIR=/var/tmp/kafka-init-bench
#                           KAFKA_INIT=<binary>, default: cargo build --release output;
#                           BASELINE=<another kafka-init> also times that build, side by side;
#                           COLD=1 adds (c), the all-wrong tree from a cold cache)
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

# Prints, for each command, its median wall time and its median CPU time
# (user+sys) in ms; $1 = command run (untimed) before each timing.
# Interleaved: each round times every command once, so that the machine
# drifting between rounds (this VM's neighbours, the journal's checkpoints)
# moves them all, not one, and the ratios hold.
measure() {
  local reset=$1; shift
  local rounds; rounds=$(mktemp)
  for round in $(seq 0 "$runs"); do
    local -a times=()
    if command -v hyperfine >/dev/null; then
      local json; json=$(mktemp)
      # No shell in between: (a) takes a few ms, a shell's start would blur it.
      hyperfine --style none --shell=none --runs 1 --prepare "$reset" \
        --export-json "$json" "$@" >/dev/null
      mapfile -t times < <(jq -r '.results[] | "\(.mean * 1000) \((.user + .system) * 1000)"' "$json")
      rm -f "$json"
    else
      for cmd in "$@"; do
        eval "$reset"
        local t; t=$( { TIMEFORMAT='%3R %3U %3S'; time eval "$cmd" >/dev/null 2>&1; } 2>&1 )
        times+=("$(awk '{ print $1 * 1000, ($2 + $3) * 1000 }' <<< "$t")")
      done
    fi
    # Round 0 warms the caches up and is not counted.
    [ "$round" = 0 ] || echo "${times[*]}" >> "$rounds"
  done
  local col
  for col in $(seq "$#"); do
    local -a med=()
    for c in $((2 * col - 1)) $((2 * col)); do
      med+=("$(awk -v c="$c" '{ print $c }' "$rounds" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')")
    done
    echo "${med[*]}"
  done
  rm -f "$rounds"
}

baseline=()
[ -z "${BASELINE:-}" ] || baseline=("${prepare/ $KAFKA_INIT prepare/ $BASELINE prepare}")

# The floor for (b) and (c) (see the top): one process, and one per core.
cores=$(nproc)
floor=()
if command -v cc >/dev/null; then
  cc -O2 -o "$root/stat-chown" bench/stat-chown.c
  floor=("$root/stat-chown ${owner/:/ } $tree" "$root/stat-chown ${owner/:/ } $tree $cores")
else
  echo "no C compiler (cc): the floor (bench/stat-chown.c) is not measured" >&2
fi

# report TITLE CACHE GOAL GOAL_TEXT RESET COMMAND... [-- MORE...]: GOAL is
# an awk condition on k (kafka-init's ms) and c (coreutils' ms), or empty
# for none; COMMANDs are coreutils, busybox and kafka-init; with "--", MORE
# are the floor's two walks.
report() {
  local title=$1 cache=$2 goal=$3 goal_text=$4 reset=$5; shift 5
  local -a cmds=() more=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do cmds+=("$1"); shift; done
  [ $# -eq 0 ] || { shift; more=("$@"); }
  local -a names=("coreutils chown -R" "busybox chown -R" "kafka-init prepare")
  [ ${#more[@]} -eq 0 ] || names+=("stat+chown, 1 process" "stat+chown, $cores processes")
  [ ${#baseline[@]} -eq 0 ] || names+=("baseline prepare")
  local -a wall=() cpu=() line
  while read -r -a line; do wall+=("${line[0]}"); cpu+=("${line[1]}"); done \
    < <(measure "$reset" "${cmds[@]}" "${more[@]}" "${baseline[@]}")
  local k=${wall[2]} c=${wall[0]} f=
  [ ${#more[@]} -eq 0 ] || f=${wall[4]}
  printf '\n%s (%s entries, median of %s runs, %s cache)\n' "$title" "$entries" "$runs" "$cache"
  printf '  %-24s %10s %10s\n' "" "wall" "CPU"
  local i
  for i in "${!wall[@]}"; do
    printf '  %-24s %7.2f ms %7.2f ms\n' "${names[$i]}" "${wall[$i]}" "${cpu[$i]}"
  done
  awk -v k="$k" -v c="$c" -v b="${wall[1]}" -v kc="${cpu[2]}" -v cc="${cpu[0]}" 'BEGIN {
    printf "  kafka-init / coreutils = %.3f   kafka-init / busybox = %.3f   CPU: kafka-init / coreutils = %.3f\n", k / c, k / b, kc / cc }'
  if [ -n "$f" ]; then
    awk -v k="$k" -v c="$c" -v f="$f" -v n="$cores" 'BEGIN {
      printf "  floor: stat+chown over %d processes / coreutils = %.3f   kafka-init / that = %.3f\n", n, f / c, k / f }'
  fi
  if [ ${#baseline[@]} -gt 0 ]; then
    awk -v k="$k" -v c="$c" -v z="${wall[${#wall[@]} - 1]}" 'BEGIN {
      printf "  baseline / coreutils = %.3f   kafka-init / baseline = %.3f\n", z / c, k / z }'
  fi
  # With the floor measured, the goal line also says whether the floor
  # itself (k = the split stat+chown) would meet the goal.
  [ -z "$goal" ] || awk -v k="$k" -v c="$c" -v f="$f" -v text="$goal_text" "BEGIN {
    printf \"  goal: %s: %s\", text, (($goal) ? \"met\" : \"MISSED\")
    if (f != \"\") { k = f; printf \" (the floor: %s)\", (($goal) ? \"met\" : \"MISSED\") }
    printf \"\\n\" }"
}

echo "kafka-init: $KAFKA_INIT"
report "(a) tree already owned by $owner" warm "k < 5" "kafka-init under 5 ms" \
  "chown -R $owner $tree" "$coreutils" "$busybox" "$prepare"
report "(b) tree all owned by root" warm "k <= 0.6 * c" "kafka-init at most 0.6x coreutils" \
  "chown -R 0:0 $tree" "$coreutils" "$busybox" "$prepare" -- "${floor[@]}"
# (c), with COLD=1: the same from a cold cache (the kernel's caches dropped
# before each timing), where the walk's pool grows while its threads wait on
# the disk. A figure, not a goal.
if [ "${COLD:-0}" = 1 ]; then
  report "(c) tree all owned by root" cold "" "" \
    "bash -c 'chown -R 0:0 $tree && sync && echo 3 > /proc/sys/vm/drop_caches'" \
    "$coreutils" "$busybox" "$prepare" -- "${floor[@]}"
fi
