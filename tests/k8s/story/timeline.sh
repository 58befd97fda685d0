#!/usr/bin/env bash
# The broker pods' timeline while something rolls: every half second one line
# per pod: epoch ms, name, uid, Ready, deletion requested (or -), restarts.
# Beside it, for each new pod, the first moment Kafka itself is ready
# (`kafka-init probe --ready` passing, polled inside the container every
# 0.2 s): what the pod's Ready is compared with, to measure what the
# kubelet's probe periods add to a roll.
# Usage: timeline.sh start NAME BEFORE | stop NAME
#   NAME: the roll (e.g. move); BEFORE: its old pods' "name uid" lines.
#   Output: $OUT/timeline.NAME, $OUT/kafka-ready.NAME ("ms pod uid" lines),
#   $OUT/dns.NAME (the per-pod names as the client pod resolves them),
#   $OUT/window.NAME (the roll's first and last epoch ms), $OUT/logs/NAME.POD.log
#   (each running broker's and controller's Kafka log from the roll's start).
. "$(dirname "$0")/lib.sh"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# watch_ready POD OLD_UID: waits for the pod that replaces OLD_UID, then
# prints "ms pod uid" the first time Kafka in it is ready.
# (A pod without kafka-init, the seed's, has nothing to ask: no line.)
watch_ready() {
  local uid rc
  while :; do
    uid=$(kk get pod "$1" -o jsonpath='{.metadata.uid}' 2>/dev/null || true)
    if [ -n "$uid" ] && [ "$uid" != "$2" ]; then
      rc=0
      kk exec "$1" -c kafka -- sh -c 'test -x /kafka-init/kafka-init || exit 3
        until /kafka-init/kafka-init probe --ready --timeout 1s >/dev/null 2>&1; do sleep 0.2; done' 2>/dev/null || rc=$?
      case $rc in
        0) echo "$(now_ms) $1 $uid"; return ;;
        3) return ;;
      esac
    fi
    sleep 0.5
  done
}
case "$1" in
  start)
    now_ms > "$OUT/window.$2"
    ( while :; do
        now=$(now_ms)
        kk get pods -l app=kafka -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid} {.status.conditions[?(@.type=="Ready")].status} {.metadata.deletionTimestamp} {.status.containerStatuses[0].restartCount}{"\n"}{end}' 2>/dev/null \
          | awk -v t="$now" 'NF == 4 {print t, $1, $2, $3, "-", $4} NF == 5 {print t, $1, $2, $3, $4, $5}'
        sleep 0.5
      done >> "$OUT/timeline.$2" ) &
    pids=$!
    # The brokers' per-pod names, as a client in the namespace resolves them
    # (cluster DNS, the headless Service), once a second: "ms kafka-0=IP|- ...".
    ( names=(kafka-0.kafka.kafka.svc.cluster.local kafka-1.kafka.kafka.svc.cluster.local kafka-2.kafka.kafka.svc.cluster.local)
      while :; do
        now=$(now_ms)
        got=$(kk exec client -- getent hosts "${names[@]}" 2>/dev/null || true)
        line=$now
        for i in 0 1 2; do
          ip=$(awk -v n="${names[$i]}" '$2 == n {print $1; exit}' <<<"$got")
          line="$line kafka-$i=${ip:--}"
        done
        echo "$line"
        sleep 1
      done >> "$OUT/dns.$2" ) &
    pids="$pids $!"
    while read -r pod uid; do
      watch_ready "$pod" "$uid" >> "$OUT/kafka-ready.$2" &
      pids="$pids $!"
    done < "$3"
    # For the record: the Kafka logs of the pods the roll stops (brokers
    # and any migration controllers), to their last line.
    mkdir -p "$OUT/logs"
    for pod in $(kk get pods -l 'app in (kafka,kafka-controller)' -o name 2>/dev/null); do
      kk logs -f --tail 50 "$pod" -c kafka > "$OUT/logs/$2.${pod#pod/}.log" 2>&1 &
      pids="$pids $!"
    done
    echo "$pids" > "$OUT/timeline.$2.pid"
    # The roll starts once the names have been sampled (its first pod may be
    # told to stop within a second).
    for _ in $(seq 40); do [ -s "$OUT/dns.$2" ] && break; sleep 0.25; done ;;
  stop)
    # shellcheck disable=SC2046  # a list of pids
    kill $(cat "$OUT/timeline.$2.pid") 2>/dev/null || true
    echo "$(cat "$OUT/window.$2") $(now_ms)" > "$OUT/window.$2" ;;
esac
