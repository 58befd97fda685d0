#!/usr/bin/env bash
# Step 1: the seed, as the user applied it (ka-pv.yaml, ka-ss.yaml), until its
# three brokers are registered in ZooKeeper: the busybox initContainer, the
# `sh -c ". /tmp/kafka_env.sh; ..."` wrapper and the Bitnami scripts, unchanged.
. "$(dirname "$0")/lib.sh"
"$STORY/seed.sh" "$OUT" > "$OUT/seed.yaml"
kubectl apply -f "$OUT/seed.yaml"
deadline=$(( $(date +%s) + 300 ))
until [ "$(zk_ls /brokers/ids)" = "[0, 1, 2]" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { kk get pods -o wide; kk logs kafka-0 --tail 30 || true; exit 1; }
  sleep 3
done
say "seed: brokers $(zk_ls /brokers/ids) registered in ZooKeeper"
kk get pods -o wide
# What the move must keep: the StatefulSet object and its claims.
kk get statefulset kafka -o jsonpath='{.metadata.uid}' > "$OUT/sts.uid"
broker_claims > "$OUT/pvc.before"
pods_now "$OUT/pods.seed"
cat "$OUT/pvc.before"
