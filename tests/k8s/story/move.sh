#!/usr/bin/env bash
# Step 3: the move onto kafka-init, with the commands the move guide gives
# (docs/guides/move-in-place.md), run from the repository's root: its step
# 0 (the precheck Jobs: changes nothing) and its step 3 (the apply, the seed
# brokers stopped cleanly as their pods terminate, rollout status).
. "$(dirname "$0")/lib.sh"
cd "$REPO"
bash -euo pipefail "$STORY/guide-commands.sh" precheck
check "the precheck changed nothing: the same seed pods run" \
  diff <(kk get pods -l app=kafka -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid}{"\n"}{end}' | sort) "$OUT/pods.seed"
"$STORY/timeline.sh" start move "$OUT/pods.seed"
start=$(date +%s)
bash -euo pipefail "$STORY/guide-commands.sh" move-in-place
say "move: rollout complete in $(( $(date +%s) - start ))s"
sleep 2
"$STORY/timeline.sh" stop move
kk get pods -o wide
