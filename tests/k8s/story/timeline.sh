#!/usr/bin/env bash
# The broker pods' timeline while something rolls: every half second one line
# per pod: epoch ms, name, uid, Ready, deletion requested (or -), restarts.
# Usage: timeline.sh start | stop
. "$(dirname "$0")/lib.sh"
case "$1" in
  start)
    ( while :; do
        now=$(( $(date +%s%N) / 1000000 ))
        kk get pods -l app=kafka -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid} {.status.conditions[?(@.type=="Ready")].status} {.metadata.deletionTimestamp} {.status.containerStatuses[0].restartCount}{"\n"}{end}' 2>/dev/null \
          | awk -v t="$now" 'NF == 4 {print t, $1, $2, $3, "-", $4} NF == 5 {print t, $1, $2, $3, $4, $5}'
        sleep 0.5
      done >> "$OUT/timeline" ) &
    echo $! > "$OUT/timeline.pid" ;;
  stop) kill "$(cat "$OUT/timeline.pid")" 2>/dev/null || true ;;
esac
