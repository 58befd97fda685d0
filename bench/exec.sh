#!/usr/bin/env bash
# Benchmark: start-up cost of `kafka-init exec`, side by side in the same
# run, and the size of the static binary. Not a test: no thresholds in CI,
# figures and the goal line only.
#  1. kafka-init's own CPU (user+sys) before execve against a static hello
#     world's. The hello world is built here, for the same target, libc and
#     Rust runtime as kafka-init (and a C one, for reference). kafka-init's
#     own CPU is that of `kafka-init exec -- hello` minus that of `hello`:
#     everything up to and including the execve. Goal: at most 0.3 ms above
#     the hello world's. Medians of alternating rounds; the same difference
#     in wall time too (exact where user+sys are sampled at the tick).
#  2. `kafka-init exec -- /bin/true` against the seed deployment's busybox
#     initContainer snippet plus its `. /tmp/kafka_env.sh` wrapper shell.
# Usage: bench/exec.sh   (env: RUNS=300 per command and round, ROUNDS=5,
#                         KAFKA_INIT=<binary>, default: scripts/build-static.sh,
#                         BASELINE=<another build> for the instruction count)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-300} rounds=${ROUNDS:-5}
bin=${KAFKA_INIT:-$(scripts/build-static.sh)}
command -v hyperfine >/dev/null || { echo "hyperfine is missing: scripts/install-deps.sh installs it" >&2; exit 1; }
bb=$(command -v busybox)

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The hello worlds. Same target triple as the binary (its path is
# <target dir>/<triple>/release/kafka-init), same static linking.
triple=$(basename "$(dirname "$(dirname "$bin")")")
case "$triple" in
  *-linux-gnu) static_flags=(-C target-feature=+crt-static -C relocation-model=static) ;;
  *) static_flags=(-C target-feature=+crt-static) ;;
esac
echo 'fn main() { println!("hello"); }' > "$work/hello.rs"
rustc --edition 2021 --target "$triple" -C opt-level=s -C panic=abort -C strip=symbols \
  "${static_flags[@]}" -o "$work/hello-rust" "$work/hello.rs"
printf '#include <unistd.h>\nint main(void) { return write(1, "hello\\n", 6) != 6; }\n' > "$work/hello.c"
have_c=false
if command -v cc >/dev/null && cc -O2 -static -o "$work/hello-c" "$work/hello.c" 2>/dev/null; then
  have_c=true
fi

# The seed's initContainer (ka-ss.yaml), with its paths moved into $work.
cat > "$work/init.sh" <<SNIPPET
HOSTNAME=\$(hostname)
BROKER_ID=\$(echo \$HOSTNAME | awk -F'-' '{print \$NF}')
echo \$BROKER_ID > $work/broker_id
ADVERTISED_LISTENERS="PLAINTEXT_INTERNAL://\$HOSTNAME.kafka:39092"
echo "export KAFKA_ADVERTISED_LISTENERS=\$ADVERTISED_LISTENERS" > $work/kafka_env.sh
SNIPPET
mkdir -p "$work/bin"; for a in sh hostname awk; do ln -sf "$bb" "$work/bin/$a"; done

# The seed StatefulSet's variables; POD_NAMESPACE set, as the manifests do.
export POD_NAME=kafka-2 POD_NAMESPACE=kafka ALLOW_PLAINTEXT_LISTENER=yes \
  KAFKA_ZOOKEEPER_CONNECT=zk-service.zk:32181 KAFKA_LISTENERS=PLAINTEXT_INTERNAL://:39092 \
  KAFKA_INTER_BROKER_LISTENER_NAME=PLAINTEXT_INTERNAL KAFKA_INIT_REPLICAS=3

# (1) in ROUNDS alternating rounds, so that a change in the machine's load
# between the two commands shows as spread across rounds, not as a difference.
for round in $(seq "$rounds"); do
  hyperfine -N --warmup 20 --runs "$runs" --output=null --export-json "$work/own-$round.json" \
    -n hello-rust "$work/hello-rust" \
    -n kafka-init-exec-hello-rust "$bin exec -- $work/hello-rust" >/dev/null
done
# (2), and the C hello world for reference.
seed="PATH=$work/bin $bb sh $work/init.sh && $bb sh -c '. $work/kafka_env.sh; /bin/true'"
commands=(
  -n seed-busybox-init+wrapper "$bb sh -c \"$seed\""
  -n kafka-init-exec-true "$bin exec -- /bin/true"
)
$have_c && commands+=(-n hello-c "$work/hello-c")
hyperfine -N --warmup 20 --runs "$runs" --output=null --export-json "$work/seed.json" "${commands[@]}" >&2

python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def load(name):
    return {x["command"]: x for x in json.load(open(f"{work}/{name}.json"))["results"]}
cpu = lambda r, name: (r[name]["user"] + r[name]["system"]) * 1e3
hellos, owns = [], []
for i in range(1, rounds + 1):
    r = load(f"own-{i}")
    hello = cpu(r, "hello-rust")
    hellos.append(hello)
    owns.append(cpu(r, "kafka-init-exec-hello-rust") - hello)
diffs = [o - h for o, h in zip(owns, hellos)]
hello, own, diff = statistics.median(hellos), statistics.median(owns), statistics.median(diffs)
print(f"static hello world (Rust, same target): {hello:.3f} ms CPU (user+sys), median of {rounds} rounds")
print(f"kafka-init's own CPU, up to execve:     {own:.3f} ms = {own / hello:.2f}x the hello world's")
print(f"  (kafka-init exec -- hello, minus hello)")
verdict = "meets" if diff <= 0.3 else "misses"
print(f"above the hello world:                  {diff:+.3f} ms ({verdict} the goal: <= +0.300 ms);"
      f" rounds: {', '.join(f'{d:+.3f}' for d in diffs)}")
# The same difference in wall time (each round's medians): the clock is
# exact where user+sys are sampled at the scheduler's tick, so the rounds
# agree better. A single-threaded run that waits on nothing but page faults
# spends its wall time on CPU.
walls = []
for i in range(1, rounds + 1):
    r = load(f"own-{i}")
    walls.append((r["kafka-init-exec-hello-rust"]["median"] - 2 * r["hello-rust"]["median"]) * 1e3)
wall = statistics.median(walls)
verdict = "meets" if wall <= 0.3 else "misses"
print(f"the same in wall time (medians):        {wall:+.3f} ms ({verdict} the goal); rounds: {', '.join(f'{w:+.3f}' for w in walls)}")
r = load("seed")
if "hello-c" in r:
    print(f"static hello world (C, reference):      {cpu(r, 'hello-c'):.3f} ms CPU")
s, k = r["seed-busybox-init+wrapper"], r["kafka-init-exec-true"]
print(f"seed busybox init + wrapper:  {s['mean']*1e3:.3f} ms wall ({cpu(r, 'seed-busybox-init+wrapper'):.3f} ms CPU)")
print(f"kafka-init exec -- /bin/true: {k['mean']*1e3:.3f} ms wall ({cpu(r, 'kafka-init-exec-true'):.3f} ms CPU)")
print(f"ratio (seed / kafka-init):    {s['mean']/k['mean']:.1f}x wall")
PY
# (3) Instructions, the clock-free count: `exec` to a missing command (so
# the process ends where execve fails) against the hello world, under
# callgrind when valgrind is installed; BASELINE=<another build> side by side.
if command -v valgrind >/dev/null; then
  instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
      | awk '/refs:/ {gsub(",", "", $NF); print $NF}'
  }
  h=$(instructions "$work/hello-rust")
  k=$(instructions "$bin" exec -- "$work/missing" || true)
  echo "instructions (callgrind): hello world $h, kafka-init exec $k ($(awk "BEGIN{printf \"%.1f\", $k/$h}")x)"
  if [ -n "${BASELINE:-}" ]; then
    b=$(instructions "$BASELINE" exec -- "$work/missing" || true)
    echo "  baseline $BASELINE: $b (kafka-init / baseline = $(awk "BEGIN{printf \"%.2f\", $k/$b}"))"
  fi
fi
size=$(stat -c %s "$bin")
echo "static binary: $bin, $size bytes ($(awk "BEGIN{printf \"%.2f\", $size/1048576}") MiB), $(file -b "$bin" | cut -d, -f1-2)"
