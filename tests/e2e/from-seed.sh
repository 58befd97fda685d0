#!/usr/bin/env bash
# End-to-end, the user's own path, Kafka 3.9.0 in ZooKeeper mode: a running
# cluster started the seed's way moves onto kafka-init in place, one pod at a
# time, with producers running throughout.
#
# 1. The seed's way (shared/reference/seed-deployment/ka-ss.yaml, read here):
#    its busybox snippet derives the broker id with awk and writes
#    kafka_env.sh; the container env is the seed's own, the wrapper sources
#    kafka_env.sh, KAFKA_BROKER_ID_COMMAND is evaluated, and Bitnami's alias
#    rules render server.properties (tests/e2e/seed.py); the broker runs as
#    uid 1001, group 0, on data dirs owned by root with mode 777.
# 2. Workload: test-topic auto-created (factor 1) and a factor-3 topic;
#    acks=all producing to the factor-3 topic and acks=1 to test-topic, from
#    before the roll to after it.
# 3. kafka-init audit, run with the zookeeper overlay's settings, flags
#    test-topic (factor 1 below the min.insync.replicas=2 that kafka-init will
#    set); the runbook's fix (a reassignment to factor 3) is applied.
# 4. The roll: kafka-2, kafka-1, kafka-0, each stopped with SIGTERM and
#    started as the new manifests run it (prepare as root, then exec as
#    1001), each next one only once `probe --ready` passes.
# 5. Checks: ids kept, meta.properties byte-identical, no acks=all message
#    lost (acks=1 only at a leader's stop), the longest acks=all gap, data
#    dirs owned by 1001 without o+w,
#    audit clean; then kafka-0 rolls back to the seed's way and rejoins.
# Ends with `N passed, N failed`.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VERSION=${KAFKA_VERSION:-3.9.0}
PORT=39092
# E2E_SEED: the seed StatefulSet elsewhere (from a git worktree, say).
SEED=${E2E_SEED:-$E2E_REPO/../shared/reference/seed-deployment/ka-ss.yaml}
[ -f "$SEED" ] || { echo "from-seed: no seed StatefulSet at $SEED: it lives in ../shared beside the repository; set E2E_SEED=<path to ka-ss.yaml>" >&2; exit 1; }
PY=$E2E_REPO/target/tools/venv/bin/python   # has PyYAML (scripts/install-manifest-tools.sh)
# shellcheck disable=SC2034 # lib.sh's client functions read it
BOOTSTRAP="kafka.kafka.svc.cluster.local:$PORT"
# The Bitnami image's user (USER 1001) and, with supplementalGroups [0], group 0.
RUN_AS=1001:1001
T_START=$(date +%s)

e2e_init from-seed "$VERSION"
e2e_zookeeper
for i in 0 1 2; do e2e_pod "kafka-$i" kafka kafka zookeeper; done
e2e_hosts
# The seed advertises kafka-N.kafka, which a pod's DNS search path resolves.
for ns in $(e2e_namespaces); do
  for i in 0 1 2; do printf '%s\tkafka-%s.kafka\n' "${E2E_IP[kafka-$i]}" "$i" >> "/etc/netns/$ns/hosts"; done
done
e2e_zookeeper_start
fqdn() { echo "kafka-$1.kafka.kafka.svc.cluster.local"; }

# ---- the seed's way -------------------------------------------------------------

# seed_start NAME: the seed's initContainer, then its Kafka container, in the pod.
seed_start() {
  local name=$1 dir="$E2E_RUN/pods/$1"
  mkdir -p "$dir/seed-tmp" "$dir/logs"
  "$PY" "$E2E_REPO/tests/e2e/seed.py" env "$SEED" > "$dir/env.seed"
  # The snippet's /tmp is the pod's emptyDir: here, the pod's seed-tmp dir.
  "$PY" "$E2E_REPO/tests/e2e/seed.py" init-script "$SEED" | sed "s#/tmp/#$dir/seed-tmp/#g" > "$dir/seed-init.sh"
  echo "---- seed start $(date +%T.%N)" >> "$E2E_RUN/logs/$name.log"
  # shellcheck disable=SC2016
  ip netns exec "$E2E_NS_PREFIX$name" unshare --uts -- env -i /bin/bash -c '
    name=$1 dir=$2 py=$3 seedpy=$4; shift 4
    hostname "$name"
    busybox sh "$dir/seed-init.sh" || exit 1                    # the initContainer
    while IFS= read -r l; do [ -n "$l" ] && export "$l"; done < "$dir/env.seed"
    . "$dir/seed-tmp/kafka_env.sh"                              # the wrapper
    KAFKA_CFG_BROKER_ID=$(eval "${KAFKA_BROKER_ID_COMMAND//\/tmp\//$dir/seed-tmp/}")
    export KAFKA_CFG_BROKER_ID KAFKA_CFG_LOG_DIRS="$dir/data"
    "$py" "$seedpy" properties > "$dir/seed-server.properties"
    exec setpriv --reuid=1001 --regid=0 --clear-groups -- "$@" "$dir/seed-server.properties"' \
    bash "$name" "$dir" "$PY" "$E2E_REPO/tests/e2e/seed.py" \
    "$E2E_JAVA" $E2E_BROKER_JVM "$E2E_BROKER_LOG" "-Dkafka.logs.dir=$dir/logs" -cp "$E2E_LIBS/*" kafka.Kafka \
    >> "$E2E_RUN/logs/$name.log" 2>&1 &
  E2E_PID[$name]=$!
  disown "${E2E_PID[$name]}"
  e2e_log "started $name the seed's way (pid ${E2E_PID[$name]})"
}

# pod_stop NAME: SIGTERM, as the kubelet stops a pod; Kafka shuts down cleanly.
# Each stop's "start end" in ms: a leader that stops moves its partitions
# away, and what it acknowledged with acks=1 but had not replicated yet is
# gone (Kafka's acks=1 contract); losses are checked against these windows.
STOPS=()
pod_stop() {
  local t0; t0=$(e2e_ms)
  kill -TERM "${E2E_PID[$1]}"
  wait_for 120 "$1 stopped" bash -c '! kill -0 "$1"' bash "${E2E_PID[$1]}"
  STOPS+=("$t0 $(e2e_ms)")
  e2e_log "stopped $1"
}

for i in 0 1 2; do
  d="$E2E_RUN/pods/kafka-$i/data"
  chown root:root "$d"; chmod 777 "$d"   # the seed's NFS export after `chmod 777`
  seed_start "kafka-$i"
done
for i in 0 1 2; do wait_for 120 "kafka-$i started" e2e_broker_started "kafka-$i" || true; done

zk_registrations() { zk_cli "ls /brokers/ids" "get /brokers/ids/0" "get /brokers/ids/1" "get /brokers/ids/2" > "$E2E_RUN/zk-ids.txt"; }
registered_as() { grep -F '"endpoints"' "$E2E_RUN/zk-ids.txt" | grep -q -F "\"endpoints\":[\"PLAINTEXT_INTERNAL://$1:$PORT\"]"; }
zk_registrations
check "the seed's way: ZooKeeper /brokers/ids is [0, 1, 2] (ids from the busybox awk snippet)" grep -q -x -F '[0, 1, 2]' "$E2E_RUN/zk-ids.txt"
for i in 0 1 2; do check "the seed's way: broker $i advertises kafka-$i.kafka:$PORT" registered_as "kafka-$i.kafka"; done

# ---- workload ---------------------------------------------------------------------

e2e_producer_config
# acks=1 cannot be idempotent: retries, one request in flight for order.
printf '%s\n' enable.idempotence=false retries=2147483647 max.in.flight.requests.per.connection=1 > "$E2E_RUN/producer-acks1.properties"
kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic durable \
  --partitions 3 --replication-factor 3 >/dev/null
wait_for 60 "durable fully in sync" all_isr_3 durable || true
# test-topic is auto-created by its first producer, as in the seed: factor 1.
produce durable "$E2E_RUN/durable.produced" --max-messages 1000000 --throughput 200 &
P_DURABLE=$!
kafka_tool org.apache.kafka.tools.VerifiableProducer --bootstrap-server "$BOOTSTRAP" --topic test-topic \
  --acks 1 --producer.config "$E2E_RUN/producer-acks1.properties" --max-messages 1000000 --throughput 50 \
  > "$E2E_RUN/test-topic.produced" 2>"$E2E_RUN/test-topic.produced.err" &
P_TEST=$!
wait_for 60 "test-topic auto-created" all_in_sync test-topic || true
wait_for 60 "first acks=1 writes to test-topic" grep -q producer_send_success "$E2E_RUN/test-topic.produced" || true
check "test-topic was auto-created with replication factor 1" [ "$(kcat_meta "$BOOTSTRAP" test-topic | jq '.topics[0].partitions[0].replicas | length')" = 1 ]

# ---- audit with the new settings, and the runbook's fix -----------------------------

# audit_pod NAME: the runbook's audit before the move, from a one-off pod of
# the kafka-init image (the client namespace here) with kafka-0's settings
# from the zookeeper overlay, through --bootstrap.
audit_pod() {
  E2E_RC=0
  in_pod_with_env client "$E2E_RUN/pods/kafka-0/env" "$E2E_INIT" audit --format json --bootstrap "kafka-0.kafka:$PORT" \
    > "$E2E_RUN/audit-$1.json" 2>>"$E2E_RUN/logs/kafka-0.audit.log" || E2E_RC=$?
}
findings() { jq -r '[.findings[] | "\(.kind) \(.subject)"] | sort | join("; ")' "$E2E_RUN/audit-$1.json"; }
e2e_env_file kafka-0 "KAFKA_INIT_RUN_AS=$RUN_AS" >/dev/null
audit_pod before
AUDIT_BEFORE=$(findings before)
check "audit before the move flags test-topic, and only it, against kafka-init's min.insync.replicas=2 (exit $E2E_RC: $AUDIT_BEFORE)" \
  [ "$E2E_RC" -eq 1 -a "$AUDIT_BEFORE" = "rf-below-default test-topic; rf-below-min-isr test-topic" ]
reassign_to_3 test-topic
check "the runbook's fix: test-topic reassigned to factor 3, all in sync" one_partition_in_sync_3 test-topic

# ---- the roll: highest ordinal first, each gated by probe --ready -------------------

for i in 0 1 2; do cp "$E2E_RUN/pods/kafka-$i/data/meta.properties" "$E2E_RUN/meta-$i.before"; done
T_ROLL=$(e2e_ms)
for i in 2 1 0; do
  pod_stop "kafka-$i"
  e2e_pod_start "kafka-$i" "KAFKA_INIT_RUN_AS=$RUN_AS"
  t0=$(e2e_ms)
  r=0; wait_ready 180 "kafka-$i" || r=$?
  check "kafka-$i under kafka-init: probe --ready passes twice in a row ($(( $(e2e_ms) - t0 )) ms after its start)" [ "$r" -eq 0 ]
done
ROLL_MS=$(( $(e2e_ms) - T_ROLL ))
sleep 5   # a few more acknowledgements after the last pod
# The producers' JVMs (their shutdown hook prints the closing tool_data line).
pkill -TERM -f 'VerifiableProducer.*--topic (durable|test-topic)' || true
wait "$P_DURABLE" "$P_TEST" 2>/dev/null || true

# ---- checks --------------------------------------------------------------------------

zk_registrations
check "after the roll: /brokers/ids is [0, 1, 2] (ids kept)" grep -q -x -F '[0, 1, 2]' "$E2E_RUN/zk-ids.txt"
for i in 0 1 2; do
  check "broker $i now advertises its FQDN $(fqdn "$i"):$PORT" registered_as "$(fqdn "$i")"
  check "kafka-$i: meta.properties byte-identical to the seed's" cmp -s "$E2E_RUN/meta-$i.before" "$E2E_RUN/pods/kafka-$i/data/meta.properties"
  mode=$(stat -c '%u %a' "$E2E_RUN/pods/kafka-$i/data")
  check "kafka-$i: data dir owned by 1001 without world write (now: uid mode $mode)" \
    bash -c '[ "$(stat -c %u "$1")" = 1001 ] && [ $(( 0$(stat -c %a "$1") & 2 )) -eq 0 ]' bash "$E2E_RUN/pods/kafka-$i/data"
done

consume durable "$E2E_RUN/durable.consumed"
tally "$E2E_RUN/durable.produced" "$E2E_RUN/durable.consumed"
D_ACKED=$F_ACKED D_LOST=$F_LOST D_SENT=$F_SENT
# acks=1: what a leader acknowledged is visible to consumers only once its
# followers have it (the high watermark), and the roll's last broker may
# still be catching up when the producer stops. Read once the high
# watermark has passed every acknowledged offset; bounded, since a message
# truncated by a leader move never will be (the check below judges those).
hw_past_acked() {
  local p max hw
  for p in $(acked "$E2E_RUN/test-topic.produced" | cut -d' ' -f1 | sort -u); do
    max=$(acked "$E2E_RUN/test-topic.produced" | awk -v p="$p" '$1 == p && $2 + 0 > m {m = $2 + 0} END {print m + 0}')
    hw=$(in_pod client kcat -b "$BOOTSTRAP" -Q -t "test-topic:$p:-1" 2>/dev/null | awk '{print $NF}')
    [ -n "$hw" ] && [ "$hw" -gt "$max" ] || return 1
  done
}
wait_for 60 "test-topic's high watermark past every acknowledged offset" hw_past_acked || true
consume test-topic "$E2E_RUN/test-topic.consumed"
tally "$E2E_RUN/test-topic.produced" "$E2E_RUN/test-topic.consumed"
# The longest time the factor-3 topic acknowledged no acks=all write.
GAP_MS=$(longest_gap "$E2E_RUN/durable.produced")
echo "      durable (acks=all): sent $D_SENT, acknowledged $D_ACKED, lost $D_LOST; longest gap between acknowledgements ${GAP_MS} ms"
echo "      test-topic (acks=1): sent $F_SENT, acknowledged $F_ACKED, lost $F_LOST"
check "no acknowledged acks=all message lost (lost $D_LOST of $D_ACKED)" [ "$D_LOST" -eq 0 -a "$D_ACKED" -gt 0 ]
# acks=1: a leader acknowledges before its followers have the message, so
# a leader move may drop the last few (Kafka's contract, not the roll's).
# Any other loss is a defect: each lost message must have been acknowledged
# within 2 s before a broker stop, or during it.
lost_outside_stops() {
  comm -23 <(acked "$1") <(sort -u "$2") > "$E2E_RUN/test-topic.lost"
  grep '^{' "$1" | jq -r 'select(.name=="producer_send_success") | "\(.partition) \(.offset) \(.value) \(.timestamp)"' \
    | awk -v stops="${STOPS[*]}" 'NR == FNR {lost[$1 " " $2 " " $3] = 1; next}
        ($1 " " $2 " " $3) in lost {
          n = split(stops, s, " "); inside = 0
          for (i = 1; i < n; i += 2) if ($4 >= s[i] - 2000 && $4 <= s[i + 1]) inside = 1
          if (!inside) outside++
        }
        END {print outside + 0}' "$E2E_RUN/test-topic.lost" -
}
F_OUTSIDE=$(lost_outside_stops "$E2E_RUN/test-topic.produced" "$E2E_RUN/test-topic.consumed")
check "test-topic (acks=1): acknowledged throughout ($F_ACKED), and of the $F_LOST lost none outside a leader's stop ($F_OUTSIDE outside)" \
  [ "$F_ACKED" -gt 0 -a "$F_OUTSIDE" -eq 0 ]
# One leader election in ZooKeeper mode: at most the session timeout (18 s).
check "acks=all writes never stopped longer than one leader election (longest gap ${GAP_MS} ms < 18000 ms)" [ "$GAP_MS" -lt 18000 ]
audit after
check "audit after the move is clean (exit $E2E_RC: $(findings after))" [ "$E2E_RC" -eq 0 ]

# ---- roll back one pod to the seed's way ------------------------------------------

pod_stop kafka-0
seed_start kafka-0
rejoined() { zk_registrations; registered_as kafka-0.kafka && all_isr_3 durable && one_partition_in_sync_3 test-topic; }
wait_for 180 "kafka-0 rejoined the seed's way" rejoined || true
check "rolled back: kafka-0 runs the seed's way again, advertises kafka-0.kafka and is in every ISR" rejoined

echo
echo "from-seed: roll of 3 pods in $ROLL_MS ms; durable acks=all: acknowledged $D_ACKED, lost $D_LOST, longest gap $GAP_MS ms; test-topic acks=1: acknowledged $F_ACKED, lost $F_LOST"
echo "audit before: $AUDIT_BEFORE"
echo "audit after: $(findings after)"
echo "total run $(( $(date +%s) - T_START ))s"
e2e_summary
