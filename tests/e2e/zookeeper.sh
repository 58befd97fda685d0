#!/usr/bin/env bash
# End-to-end, ZooKeeper mode, Kafka 3.9.0: three StatefulSet pods kafka-0..2
# (env from k8s/overlays/zookeeper) started through `kafka-init exec`, against
# ZooKeeper at zk-service.zk:32181. Proves: the seed's failures 1-4 are refused
# by kafka-init (exit 78, no JVM) while Kafka alone takes seconds to fail; each
# broker registers with its ordinal as id and its own pod FQDN; topics default to
# 3 replicas; 10,000 acks=all messages come back in order; a kill -9 of a
# partition leader under load loses no acknowledged message; the restarted pod
# keeps its id and rejoins every ISR; `kafka-init audit` is clean, flags the
# seed's test-topic (factor 1), and is clean again after the runbook's
# reassignment. Ends with `N passed, N failed`.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VERSION=${KAFKA_VERSION:-3.9.0}
PORT=39092
# shellcheck disable=SC2034 # lib.sh's client functions read it
BOOTSTRAP="kafka.kafka.svc.cluster.local:$PORT"
T_START=$(date +%s)

e2e_init zookeeper "$VERSION"
e2e_zookeeper
for i in 0 1 2; do e2e_pod "kafka-$i" kafka kafka zookeeper; done
e2e_hosts
e2e_zookeeper_start
fqdn() { echo "kafka-$1.kafka.kafka.svc.cluster.local"; }

# ---- 1. the seed's failures, refused before any JVM starts -------------------

BAD="$E2E_RUN/pods/kafka-0/badstart"
mkdir -p "$BAD"; touch "$E2E_RUN/logs/kafka-0.log"
# The variables a bad start must not inherit from the manifest (Bitnami aliases too).
CLEAR=(-KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP -KAFKA_LISTENER_SECURITY_PROTOCOL_MAP
       -KAFKA_CFG_INTER_BROKER_LISTENER_NAME -KAFKA_INTER_BROKER_LISTENER_NAME -KAFKA_LISTENERS
       -KAFKA_CFG_ADVERTISED_LISTENERS -KAFKA_ADVERTISED_LISTENERS)
# The same broker, hand-written for Kafka alone (what the Bitnami scripts would have rendered).
kafka_alone_props() {
  printf '%s\n' broker.id=0 zookeeper.connect=zk-service.zk:32181 "log.dirs=$BAD/kafka-alone-data" "$@" > "$BAD/server.properties"
  echo "$BAD/server.properties"
}

declare -a BAD_ROWS=()
bad_start() {
  local n=$1 what=$2 alone=$3; shift 3
  local log="$E2E_RUN/logs/kafka-0.log" before rc ms problem
  before=$(wc -l < "$log" 2>/dev/null || echo 0)
  e2e_pod_run kafka-0 "${CLEAR[@]}" "KAFKA_CFG_LOG_DIRS=$BAD/data" "KAFKA_INIT_CONFIG_DIR=$BAD/config" "$@"
  rc=$E2E_RC ms=$E2E_ELAPSED_MS
  problem=$(tail -n +"$((before + 1))" "$log" | grep -v '^----' | head -3 | tr '\n' ' ' | cut -c1-200 || true)
  check "failure $n ($what): kafka-init exits 78 (got $rc)" [ "$rc" -eq 78 ]
  check "failure $n: refused within 500 ms (${ms} ms)" [ "$ms" -lt 500 ]
  check "failure $n: no JVM started (no process left in the pod, no JVM output, nothing written)" \
    bash -c '[ -z "$1" ] && ! tail -n +"$2" "$3" | grep -q -E "KafkaConfig values|INFO|Exception" && [ ! -e "$4/data" ] && [ ! -e "$4/config/server.properties" ]' \
    bash "$(e2e_pod_pids kafka-0)" "$((before + 1))" "$log" "$BAD"
  echo "      kafka-init said: $problem"
  local alone_txt="not applicable (a shell failure; Kafka never sees it)"
  if [ "$alone" != - ]; then
    rm -rf "$BAD/kafka-alone-data"
    before=$(wc -l < "$log")
    # shellcheck disable=SC2086
    e2e_kafka_direct kafka-0 "$(kafka_alone_props $alone)"
    local why; why=$(tail -n +"$((before + 1))" "$log" | grep -o -E 'requirement failed: [^(]*|No security protocol defined for listener [A-Z_]+|ConfigException: [^(]*' | head -1 | sed -E 's/(, listeners:|\. The valid).*//' || true)
    check "failure $n: Kafka alone on the same configuration fails too (exit $E2E_RC)" [ "$E2E_RC" -ne 0 ]
    alone_txt="exit $E2E_RC after $E2E_ELAPSED_MS ms: $why"
  fi
  BAD_ROWS+=("$(printf '%-4s %-44s %-22s %s' "$n" "$what" "exit $rc in $ms ms" "$alone_txt")")
}

e2e_log "bad starts: the seed's failures 1-4"
bad_start 1 "listener INTERNAL, no protocol map" \
  "listeners=INTERNAL://:$PORT" KAFKA_CFG_LISTENERS="INTERNAL://:$PORT"
bad_start 2 "two listeners with the same name" \
  "listeners=PLAINTEXT_INTERNAL://:$PORT,PLAINTEXT_INTERNAL://:39093 listener.security.protocol.map=PLAINTEXT_INTERNAL:PLAINTEXT inter.broker.listener.name=PLAINTEXT_INTERNAL" \
  KAFKA_CFG_LISTENERS="PLAINTEXT_INTERNAL://:$PORT,PLAINTEXT_INTERNAL://:39093"
bad_start 3 "KAFKA_BROKER_ID_COMMAND (shell-era setting)" - \
  "KAFKA_BROKER_ID_COMMAND=cat /tmp/broker_id"
# (The seed left inter.broker.listener.name unset, so Kafka took PLAINTEXT from
# security.inter.broker.protocol; kafka-init would derive it, so here it is named.)
bad_start 4 "inter-broker listener not advertised" \
  "listeners=PLAINTEXT_INTERNAL://:$PORT listener.security.protocol.map=PLAINTEXT_INTERNAL:PLAINTEXT,PLAINTEXT:PLAINTEXT advertised.listeners=PLAINTEXT_INTERNAL://$(fqdn 0):$PORT inter.broker.listener.name=PLAINTEXT" \
  KAFKA_CFG_LISTENERS="PLAINTEXT_INTERNAL://:$PORT" KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT_INTERNAL:PLAINTEXT,PLAINTEXT:PLAINTEXT \
  KAFKA_CFG_INTER_BROKER_LISTENER_NAME=PLAINTEXT
rm -rf "$BAD"

# ---- 2. three pods, registered with their own identity ----------------------

for i in 0 1 2; do e2e_pod_start "kafka-$i"; done
for i in 0 1 2; do wait_for 120 "kafka-$i started" e2e_broker_started "kafka-$i" || true; done
T_UP=$(date +%s)

zk_registrations() {
  zk_cli "ls /brokers/ids" "get /brokers/ids/0" "get /brokers/ids/1" "get /brokers/ids/2" > "$E2E_RUN/zk-ids.txt"
}
check_registration() {
  local i=$1
  grep -F '"endpoints"' "$E2E_RUN/zk-ids.txt" | grep -F "\"host\":\"$(fqdn "$i")\"" | grep -q -E "\"endpoints\":\[\"[A-Z_]+://$(fqdn "$i"):$PORT\"\]"
}
zk_registrations
check "ZooKeeper /brokers/ids is [0, 1, 2]" grep -q -x -F '[0, 1, 2]' "$E2E_RUN/zk-ids.txt"
for i in 0 1 2; do
  check "broker $i advertises only its own pod's FQDN $(fqdn "$i"):$PORT" check_registration "$i"
  check "pod kafka-$i has its own hostname" [ "$(nsenter -t "${E2E_PID[kafka-$i]}" -u hostname)" = "kafka-$i" ]
done
grep -F '"endpoints"' "$E2E_RUN/zk-ids.txt" | jq -c '{host, endpoints}' | sed 's/^/      /'

# ---- 3. default replication, 10,000 acks=all messages back in order --------

e2e_producer_config

create_topic e2e-durable >/dev/null
wait_for 60 "e2e-durable fully in sync" all_isr_3 e2e-durable || true
describe e2e-durable > "$E2E_RUN/describe-durable.txt"
sed 's/^/      /' "$E2E_RUN/describe-durable.txt"
check "topic created without a replication factor gets 3" grep -q -E 'ReplicationFactor: 3\b' "$E2E_RUN/describe-durable.txt"
check "all 3 partitions have 3 in-sync replicas" \
  test "$(grep -c -E 'Isr: [0-9]+,[0-9]+,[0-9]+' "$E2E_RUN/describe-durable.txt")" -eq 3

t0=$(e2e_ms)
produce e2e-durable "$E2E_RUN/durable.produced" --max-messages 10000 --throughput -1
P_MS=$(( $(e2e_ms) - t0 ))
consume e2e-durable "$E2E_RUN/durable.consumed"
D_ACKED=$(acked "$E2E_RUN/durable.produced" | wc -l)
D_CONSUMED=$(wc -l < "$E2E_RUN/durable.consumed")
D_LOST=$(lost "$E2E_RUN/durable.produced" "$E2E_RUN/durable.consumed")
D_OOO=$(out_of_order "$E2E_RUN/durable.consumed")
echo "      produced 10000, acknowledged $D_ACKED (in $P_MS ms, acks=all), consumed $D_CONSUMED, lost $D_LOST, out of order $D_OOO"
echo "      per partition: $(cut -d' ' -f1 "$E2E_RUN/durable.consumed" | sort | uniq -c | awk '{printf "p%s=%s ", $2, $1}')"
check "10,000 messages acknowledged with acks=all" [ "$D_ACKED" -eq 10000 ]
check "all 10,000 consumed back (lost 0, no extra)" [ "$D_LOST" -eq 0 -a "$D_CONSUMED" -eq 10000 ]
check "in order within every partition" [ "$D_OOO" -eq 0 ]

# ---- 3b. audit: clean; the seed's test-topic (factor 1) flagged; fixed -------

audit_kinds() { jq -r --arg t "$2" '[.findings[] | select(.subject == $t) | .kind] | sort | join(",")' "$E2E_RUN/audit-$1.json"; }
audit clean
check "audit of the cluster is clean: exit $E2E_RC, $(jq '.findings | length' "$E2E_RUN/audit-clean.json") findings, brokers $(jq -c .brokers "$E2E_RUN/audit-clean.json")" \
  [ "$E2E_RC" -eq 0 ]
# The seed's auto-created topic: replication factor 1.
kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic test-topic \
  --partitions 1 --replication-factor 1 >/dev/null
audit rf1
check "audit flags test-topic (factor 1 below min.insync.replicas 2 and the default 3) and exits 1 (got $E2E_RC: $(audit_kinds rf1 test-topic))" \
  [ "$E2E_RC" -eq 1 -a "$(audit_kinds rf1 test-topic)" = "rf-below-default,rf-below-min-isr" ]
# The runbook's fix: a reassignment to factor 3, leader first.
reassign_to_3 test-topic
audit fixed
check "after the reassignment to factor 3, audit is clean again (exit $E2E_RC)" [ "$E2E_RC" -eq 0 ]
echo "      audit findings: clean $(jq '.findings | length' "$E2E_RUN/audit-clean.json"), with test-topic at factor 1 $(jq '.findings | length' "$E2E_RUN/audit-rf1.json"), after the fix $(jq '.findings | length' "$E2E_RUN/audit-fixed.json")"

# ---- 4. kill -9 a partition leader under load --------------------------------

create_topic e2e-fault >/dev/null
wait_for 60 "e2e-fault fully in sync" all_isr_3 e2e-fault || true
VICTIM_ID=$(leader_of e2e-fault 0 || true)
VICTIM="kafka-$VICTIM_ID"
e2e_log "partition 0 of e2e-fault is led by broker $VICTIM_ID ($VICTIM); producing at 1000 msg/s"
FAULT_OUT="$E2E_RUN/fault.produced"
produce e2e-fault "$FAULT_OUT" --max-messages 20000 --throughput 1000 &
PRODUCER=$!
wait_for 60 "producer acknowledged 3000 messages" bash -c '[ "$(grep -c producer_send_success "$1")" -ge 3000 ]' bash "$FAULT_OUT" || true
ACKED_BEFORE=$(grep -c producer_send_success "$FAULT_OUT" || true)
e2e_pod_kill "$VICTIM"
T_KILL=$(e2e_ms)
new_leader() { local l; l=$(leader_of e2e-fault 0); [ -n "$l" ] && [ "$l" != "$VICTIM_ID" ] && [ "$l" != -1 ]; }
wait_for 90 "a new leader for partition 0" new_leader || true
NEW_LEADER=$(leader_of e2e-fault 0 || true)
FAILOVER_MS=$(( $(e2e_ms) - T_KILL ))
rc=0; wait "$PRODUCER" || rc=$?
F_ERRORS=$(grep -c producer_send_error "$FAULT_OUT" || true)
check "partition 0 got a new leader ($VICTIM_ID -> $NEW_LEADER, ${FAILOVER_MS} ms after the kill)" new_leader
check "producer ran to the end (exit $rc)" [ "$rc" -eq 0 ]

# ---- 5. the killed pod comes back with the same identity and data dir -------

# Its old ZooKeeper session must have expired (a new leader implies it did).
T_RESTART=$(e2e_ms)
e2e_pod_start "$VICTIM"
wait_for 120 "$VICTIM restarted" e2e_broker_started "$VICTIM" || true
wait_for 120 "every partition back to 3 in-sync replicas" all_isr_3 e2e-fault e2e-durable || true
REJOIN_MS=$(( $(e2e_ms) - T_RESTART ))
zk_registrations
check "restarted $VICTIM registered again: /brokers/ids is [0, 1, 2]" grep -q -x -F '[0, 1, 2]' "$E2E_RUN/zk-ids.txt"
check "restarted $VICTIM kept broker id $VICTIM_ID and its FQDN" check_registration "$VICTIM_ID"
check "restarted $VICTIM kept its data dir (meta.properties broker.id=$VICTIM_ID)" \
  grep -q -x "broker.id=$VICTIM_ID" "$E2E_RUN/pods/$VICTIM/data/meta.properties"
check "restarted $VICTIM rejoined the ISR of every partition (${REJOIN_MS} ms after its restart)" all_isr_3 e2e-fault e2e-durable
describe e2e-fault | sed 's/^/      /'

consume e2e-fault "$E2E_RUN/fault.consumed"
tally "$FAULT_OUT" "$E2E_RUN/fault.consumed"
echo "      kill -9 of the leader after $ACKED_BEFORE acks: produced $F_SENT, acknowledged $F_ACKED, send errors $F_ERRORS, consumed $F_CONSUMED, lost $F_LOST, out of order $F_OOO"
check "every acknowledged message survived the kill (lost = 0 of $F_ACKED)" [ "$F_LOST" -eq 0 -a "$F_ACKED" -gt 0 ]
check "in order within every partition after the failover" [ "$F_OOO" -eq 0 ]

# ---- summary -------------------------------------------------------------------

echo
echo "Bad starts: kafka-init vs Kafka alone on the same configuration"
printf '%-4s %-44s %-22s %s\n' "#" "configuration" "kafka-init" "Kafka alone"
printf '%s\n' "${BAD_ROWS[@]}"
echo
echo "Cluster of 3 up in $((T_UP - T_START))s after the run started (incl. bad starts); total run $(( $(date +%s) - T_START ))s"
echo "10,000 messages: acknowledged $D_ACKED, consumed $D_CONSUMED, lost $D_LOST"
echo "kill -9 of leader $VICTIM: produced $F_SENT, acknowledged $F_ACKED, consumed $F_CONSUMED, lost $F_LOST; failover ${FAILOVER_MS} ms; restart to full ISR ${REJOIN_MS} ms"
e2e_summary
