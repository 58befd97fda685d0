# shellcheck shell=bash disable=SC2034
# What the story's scripts share: where the run's files go, kubectl for each
# namespace, the message counters of tests/e2e, and the pod timeline.
set -euo pipefail
STORY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$STORY/../../.." && pwd)
OUT=${K8S_OUT:?K8S_OUT: the run directory (tests/k8s/run.sh sets it)}
# shellcheck source=tests/e2e/counters.sh
. "$REPO/tests/e2e/counters.sh"
kk() { kubectl -n kafka "$@"; }
say() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
# check "what" CMD...: prints PASS/FAIL with the what; a FAIL ends the script.
check() {
  local what=$1; shift
  if "$@"; then printf 'PASS  %s\n' "$what"; else printf 'FAIL  %s\n' "$what"; exit 1; fi
}
# zk_ls PATH: a znode's children, from ZooKeeper's own CLI in the zk pod.
zk_ls() {
  kubectl -n zk exec zk-0 -- env KAFKA_HEAP_OPTS=-Xmx64m /opt/bitnami/kafka/bin/kafka-run-class.sh \
    org.apache.zookeeper.ZooKeeperMain -server localhost:32181 ls "$1" 2>/dev/null | grep '^\[' | tail -1
}
# A running client pod's tool: kafka_tool NAME ARGS... (Kafka's own tools in the broker image).
kafka_tool() { kk exec client -- env KAFKA_HEAP_OPTS=-Xmx128m "/opt/bitnami/kafka/bin/$1.sh" "${@:2}"; }
BOOTSTRAP=kafka.kafka.svc.cluster.local:39092
# pods_now FILE: the broker pods' "name uid" lines, before a roll.
pods_now() { kk get pods -l app=kafka -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid}{"\n"}{end}' | sort > "$1"; }
# broker_claims: the brokers' claims, "name uid volume" lines (what a move,
# a hop or a migration step must keep as the seed made them).
broker_claims() { kk get pvc -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid} {.spec.volumeName}{"\n"}{end}' | grep '^kafka-data-kafka-[0-9]' | sort; }
# check_replaced BEFORE [RESTARTS_SEEN]: each broker pod of BEFORE ("name
# uid" lines) was replaced by one the same StatefulSet owns, on the same
# claim, whose containers never restarted. A restart's previous log and
# exit are kept ($OUT/logs/previous.POD.log) and shown; with RESTARTS_SEEN
# (a roll where a restart was seen and is not understood yet: the reason
# is printed) a restart is a NOTE, not a FAIL.
check_replaced() {
  local sts_uid i old uid owner restarts
  sts_uid=$(cat "$OUT/sts.uid")
  for i in 0 1 2; do
    old=$(awk -v p="kafka-$i" '$1 == p {print $2}' "$1")
    uid=$(kk get pod "kafka-$i" -o jsonpath='{.metadata.uid}')
    owner=$(kk get pod "kafka-$i" -o jsonpath='{.metadata.ownerReferences[0].uid}')
    check "kafka-$i: replaced (uid $old -> $uid) and owned by the StatefulSet" [ "$uid" != "$old" -a "$owner" = "$sts_uid" ]
    check "kafka-$i: claim kafka-data-kafka-$i" [ "$(kk get pod "kafka-$i" -o jsonpath='{.spec.volumes[?(@.name=="kafka-data")].persistentVolumeClaim.claimName}')" = "kafka-data-kafka-$i" ]
    restarts=$(kk get pod "kafka-$i" -o jsonpath='{.status.containerStatuses[*].restartCount}' | tr ' ' '\n' | sort -n | tail -1)
    if [ "$restarts" != 0 ]; then
      mkdir -p "$OUT/logs"
      kk logs "kafka-$i" -c kafka --previous > "$OUT/logs/previous.kafka-$i.log" 2>&1 || true
      say "kafka-$i: $restarts container restarts; the last ended $(kk get pod "kafka-$i" -o jsonpath='{.status.containerStatuses[?(@.name=="kafka")].lastState.terminated}'); its log's last lines:"
      tail -n 30 "$OUT/logs/previous.kafka-$i.log"
      if [ -n "${2:-}" ]; then
        printf 'NOTE  kafka-%s: %s container restarts in this roll (%s)\n' "$i" "$restarts" "$2"
        continue
      fi
    fi
    check "kafka-$i: no container restart (no NodeExists at registration)" [ "$restarts" = 0 ]
  done
}
# check_roll NAME BEFORE: the roll NAME (timeline.sh's lines) replaced the
# pods of BEFORE highest ordinal first, each old pod taken down only after
# the new pod before it was Ready (probe --ready gating).
check_roll() {
  local tl=$OUT/timeline.$1 t0 i old kafka
  local -A seen ready gone
  t0=$(head -1 "$tl" | cut -d' ' -f1)
  for i in 0 1 2; do
    old=$(awk -v p="kafka-$i" '$1 == p {print $2}' "$2")
    seen[$i]=$(awk -v p="kafka-$i" -v u="$old" '$2 == p && $3 != u {print $1; exit}' "$tl")
    ready[$i]=$(awk -v p="kafka-$i" -v u="$old" '$2 == p && $3 != u && $4 == "True" {print $1; exit}' "$tl")
    gone[$i]=$(awk -v p="kafka-$i" -v u="$old" '$2 == p && $3 == u && $5 != "-" {print $1; exit}' "$tl")
    say "$1: kafka-$i: old pod's deletion requested at +$(( ${gone[$i]} - t0 )) ms, new pod seen +$(( ${seen[$i]} - t0 )) ms, Ready +$(( ${ready[$i]} - t0 )) ms"
    kafka=$(awk -v p="kafka-$i" '$2 == p {print $1; exit}' "$OUT/kafka-ready.$1" 2>/dev/null || true)
    if [ -n "$kafka" ]; then
      say "$1: kafka-$i: from the stop, Kafka ready (registered, in every ISR) after $(( kafka - ${gone[$i]} )) ms, the pod Ready after $(( ${ready[$i]} - ${gone[$i]} )) ms: readiness gating added $(( ${ready[$i]} - kafka )) ms"
      echo "kafka-$i $(( ${ready[$i]} - kafka ))" >> "$OUT/gating.$1"
    fi
  done
  # Services and DNS during the roll: each old pod stayed reachable by its
  # per-pod name, from the client pod, until it was told to stop. The
  # timeline sees a deletion up to about a second late (it polls every
  # 0.5 s), and a Service without publishNotReadyAddresses (the seed's, in
  # the undo) drops a terminating pod's name at once: so the samples of
  # the last 1.5 s before the deletion was seen do not count, and the first
  # one, taken before the roll's commands ran, always does.
  for i in 0 1 2; do
    read -r missed samples < <(awk -v p="kafka-$i=-" -v until="$(( ${gone[$i]} - 1500 ))" \
      'NR == 1 || $1 < until {n++; for (f = 2; f <= NF; f++) if ($f == p) m++} END {print m + 0, n + 0}' "$OUT/dns.$1")
    check "$1: kafka-$i's per-pod name resolved from the client pod in every sample until its old pod was told to stop (missed $missed of $samples)" \
      [ "$samples" -gt 0 -a "$missed" -eq 0 ]
  done
  check "$1: rolled highest ordinal first (kafka-2, kafka-1, kafka-0)" [ "${seen[2]}" -lt "${seen[1]}" -a "${seen[1]}" -lt "${seen[0]}" ]
  check "$1: kafka-1 was taken down only after the new kafka-2 was Ready (probe --ready gating)" [ "${gone[1]}" -ge "${ready[2]}" ]
  check "$1: kafka-0 was taken down only after the new kafka-1 was Ready" [ "${gone[0]}" -ge "${ready[1]}" ]
}
# guide_roll NAME MARKER BEFORE: a roll by a guide's commands (the block
# marked MARKER, run from $GUIDE_DIR, by default the repository's root,
# where k8s/ is), timed, with the timeline
# (timeline.sh) of the pods it replaces (BEFORE: their "name uid" lines).
guide_roll() {
  local start
  "$STORY/timeline.sh" start "$1" "$3"
  start=$(date +%s)
  (cd "${GUIDE_DIR:-$REPO}" && bash -euo pipefail "$STORY/guide-commands.sh" "$2")
  say "$1: rollout complete in $(( $(date +%s) - start ))s"
  sleep 2
  "$STORY/timeline.sh" stop "$1"
  kk get pods -o wide
}
