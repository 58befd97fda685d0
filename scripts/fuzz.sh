#!/usr/bin/env bash
# Fuzzing for CI: each target of fuzz/fuzz_targets/ (cargo-fuzz, libFuzzer,
# nightly) for FUZZ_SECONDS (default 20) from its committed corpus, capped
# to the FUZZ_SEEDS (default 200) smallest inputs so that the run gets past
# replaying its corpus and fuzzes within the budget. What the run finds
# stays in a temporary copy, not in fuzz/corpus; a crash fails the script
# and its input is left in fuzz/artifacts/<target>/. Installs nightly and
# cargo-fuzz when they are missing. Usage: scripts/fuzz.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export PATH="$PATH:$HOME/.cargo/bin"
seconds=${FUZZ_SECONDS:-20}
seeds=${FUZZ_SEEDS:-200}
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -vx kafka-init-fuzz)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo +nightly fuzz build -O 2>&1 | tail -n 3
for t in "${targets[@]}"; do
  mkdir "$work/$t"
  # ls -S sorts largest first; the corpus' names have no blanks.
  ls -S corpus/"$t" | grep -vx README.md | tail -n "$seeds" | sed "s|^|corpus/$t/|" | xargs cp -t "$work/$t"
  log="$work/$t.log"
  if ! cargo +nightly fuzz run -O "$t" "$work/$t" -- \
      -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz $t: FAILED (input in fuzz/artifacts/$t/)"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz $t: $runs runs in ${seconds}s ($speed/s) from the $(ls corpus/"$t" | wc -l)-file corpus capped to $seeds, no crash"
done
