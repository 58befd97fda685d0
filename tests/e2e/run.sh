#!/usr/bin/env bash
# Runs every end-to-end scenario against real Kafka, in order, as root:
# builds target/release/kafka-init, then tests/e2e/<scenario>.sh for each of
# ${E2E_SCENARIOS:-zookeeper from-seed probe kraft kraft-external zk-to-kraft} (one at a time: they
# share the bridge and namespaces). Needs scripts/install-deps.sh once.
# Prints each scenario's checks and a last line `N passed, N failed` (all scenarios).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "tests/e2e needs root (network namespaces)" >&2; exit 1; }

cargo build --release --quiet
passed=0 failed=0 status=0 t0=$(date +%s)
for scenario in ${E2E_SCENARIOS:-zookeeper from-seed probe kraft kraft-external zk-to-kraft}; do
  echo "=== e2e: $scenario"
  out=$(mktemp)
  rc=0; "tests/e2e/$scenario.sh" 2>&1 | tee "$out" || rc=$?
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1 || true)
  rm -f "$out"
  if [ -z "$line" ]; then failed=$((failed + 1)); echo "=== e2e: $scenario stopped early (exit $rc)"; status=1; continue; fi
  read -r p _ f _ <<<"$line"
  passed=$((passed + p)) failed=$((failed + f))
  [ "$rc" -eq 0 ] || status=1
done
echo "=== e2e: all scenarios in $(( $(date +%s) - t0 ))s"
echo "$passed passed, $failed failed"
exit "$status"
