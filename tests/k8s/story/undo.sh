#!/usr/bin/env bash
# Step 5: the move undone, with the commands the move guide gives (its
# "Undo the move", run where the user keeps ka-ss.yaml): back to the
# seed's StatefulSet one broker at a time, each next one only once the
# last is back in every ISR, under the same acks=all load. Then the move
# again, with the move guide's commands, for the steps after it.
. "$(dirname "$0")/lib.sh"
pods_now "$OUT/pods.moved"
mkdir -p "$OUT/user" && cp "$OUT/ka-ss.yaml" "$OUT/user/"
"$STORY/timeline.sh" start undo "$OUT/pods.moved"
start=$(date +%s) rc=0
(cd "$OUT/user" && bash -euo pipefail "$STORY/guide-commands.sh" undo) || rc=$?
say "undo: done in $(( $(date +%s) - start ))s (exit $rc)"
"$STORY/timeline.sh" stop undo
check "the undo's commands ran to the end" [ "$rc" -eq 0 ]
kk get pods -o wide
check "the StatefulSet is the same object: the undo is a plain update" \
  [ "$(kk get statefulset kafka -o jsonpath='{.metadata.uid}')" = "$(cat "$OUT/sts.uid")" ]
for i in 0 1 2; do
  check "kafka-$i: back on the seed's pod spec (its busybox initContainer)" \
    [ "$(kk get pod "kafka-$i" -o jsonpath='{.spec.initContainers[0].name}')" = configure-broker-id-and-listeners ]
done
check "the seed's brokers registered in ZooKeeper again ($(zk_ls /brokers/ids))" [ "$(zk_ls /brokers/ids)" = "[0, 1, 2]" ]
check_replaced "$OUT/pods.moved"
check_roll undo "$OUT/pods.moved"
pods_now "$OUT/pods.undone"
guide_roll remove move-in-place "$OUT/pods.undone"
check_replaced "$OUT/pods.undone"
check_roll remove "$OUT/pods.undone"
