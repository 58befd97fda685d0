#!/usr/bin/env bash
# Step 3: the move onto kafka-init, with the commands the move guide gives
# (docs/guides/move-in-place.md), run from the repository's root: its step
# 0 (the precheck Jobs: changes nothing) and its step 3 (the apply, the seed
# brokers stopped cleanly as their pods terminate, rollout status).
. "$(dirname "$0")/lib.sh"
cd "$REPO"
bash -euo pipefail "$STORY/guide-commands.sh" precheck
pods_now "$OUT/pods.precheck"
check "the precheck changed nothing: the same seed pods run" diff "$OUT/pods.precheck" "$OUT/pods.seed"
guide_roll move move-in-place "$OUT/pods.seed"
