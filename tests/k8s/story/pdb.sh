#!/usr/bin/env bash
# Step 9: the PodDisruptionBudget (maxUnavailable 1) against a node drain.
# One node here, so the drain can never finish, which is what shows the
# budget: it evicts one broker (all three Ready: one disruption allowed),
# then every further eviction is refused while that broker cannot come back
# (its node is cordoned), until the drain's timeout. Uncordoned, the broker
# returns. Under the same acks=all load.
. "$(dirname "$0")/lib.sh"
node=$(kubectl get nodes -o jsonpath='{.items[0].metadata.name}')
from=$(( $(date +%s%N) / 1000000 ))
rc=0
kubectl drain "$node" --pod-selector app=kafka --ignore-daemonsets --delete-emptydir-data --timeout 30s \
  > "$OUT/drain.log" 2>&1 || rc=$?
kubectl uncordon "$node"
cat "$OUT/drain.log"
check "the drain did not finish (exit $rc): the budget held it" [ "$rc" -ne 0 ]
evicted=$(grep -c ' evicted$' "$OUT/drain.log" || true)
check "exactly one broker evicted ($evicted)" [ "$evicted" -eq 1 ]
check "every further eviction refused by the PodDisruptionBudget, in the API server's words" \
  grep -q "Cannot evict pod as it would violate the pod's disruption budget" "$OUT/drain.log"
deadline=$(( $(date +%s) + 300 ))
until [ "$(kk get statefulset kafka -o jsonpath='{.status.readyReplicas}')" = 3 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { kk get pods -o wide; exit 1; }
  sleep 2
done
echo "$from $(( $(date +%s%N) / 1000000 ))" > "$OUT/window.drain"
check "uncordoned, the evicted broker is back: three Ready" true
under=$(kafka_tool kafka-topics --bootstrap-server "$BOOTSTRAP" --describe --under-replicated-partitions 2>/dev/null | grep -c Partition || true)
say "after the drain: $under partitions under-replicated (the returning broker catches up)"
