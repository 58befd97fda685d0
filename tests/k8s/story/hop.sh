#!/usr/bin/env bash
# Step 6: off the frozen Bitnami image, in place, with the commands the
# leave-Bitnami guide gives (docs/guides/leave-bitnami.md, step 2): the
# same brokers, claims and ConfigMap on apache/kafka 3.9.2 in ZooKeeper mode.
. "$(dirname "$0")/lib.sh"
pods_now "$OUT/pods.move"
guide_roll hop leave-bitnami "$OUT/pods.move"
