#!/usr/bin/env bash
# Step 5: off the frozen Bitnami image, in place, with the commands the
# leave-Bitnami guide gives (docs/guides/leave-bitnami.md, step 2): the
# same brokers, claims and ConfigMap on apache/kafka 3.9.2 in ZooKeeper mode.
. "$(dirname "$0")/lib.sh"
cd "$REPO"
pods_now "$OUT/pods.move"
"$STORY/timeline.sh" start hop "$OUT/pods.move"
start=$(date +%s)
bash -euo pipefail "$STORY/guide-commands.sh" leave-bitnami
say "hop: rollout complete in $(( $(date +%s) - start ))s"
sleep 2
"$STORY/timeline.sh" stop hop
kk get pods -o wide
