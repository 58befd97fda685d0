#!/usr/bin/env bash
# End-to-end, KRaft mode, for each Kafka version in ${KRAFT_VERSIONS-3.9.0 4.4.0}:
#  combined: three pods kafka-0..2 (env from k8s/overlays/kraft), each broker and
#    controller, formatted and started by `kafka-init exec`: the quorum forms;
#    a topic defaults to 3 replicas; under an acks=all load, kill -9 of the
#    active controller elects a new one and loses no acknowledged message; the
#    restarted pod keeps its node id and rejoins every ISR.
#  split (${KRAFT_SPLIT_VERSIONS-3.9.0 4.4.0}): controllers kafka-controller-0..2 and
#    brokers kafka-broker-0..2 (ids 100..102) from k8s/overlays/kraft-split:
#    voters and observers as derived, acks=all round trip, the brokers keep
#    serving through a kill -9 of the active controller.
# The pods run with the properties flavor (the manifests say apache: that
# image's KAFKA_<KEY> settings are renamed KAFKA_CFG_<KEY>, see lib.sh) and
# KAFKA_INIT_FORMAT_COMMAND = Kafka's StorageTool from the same classpath.
# Ends with `N passed, N failed`.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

T_START=$(date +%s)
declare -a SUMMARY=()
e2e_init kraft

quorum_status() { kafka_tool org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-server "$BOOTSTRAP" describe --status 2>/dev/null; }
quorum_leader() { quorum_status | sed -n 's/^LeaderId: *\([0-9-]*\).*/\1/p'; }
# quorum_ids CurrentVoters|CurrentObservers: the node ids on that line of
# describe --status, sorted, comma-separated (3.9 prints [0,1,2]; 4.x prints
# [{"id": 0, "endpoints": [...]}, ...]).
quorum_ids() {
  local line; line=$(quorum_status | grep "^$1:" || true)
  if grep -q '"id"' <<<"$line"; then grep -o -E '"id": ?[0-9]+' <<<"$line" | grep -o -E '[0-9]+$'
  else grep -o -E '[0-9]+' <<<"${line#*:}"; fi | sort -n | paste -sd, -
}
# caught_up ID: the node fetches from the quorum leader again, lagging by < 100 records
# (describe --replication, columns found by their header names).
caught_up() {
  kafka_tool org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-server "$BOOTSTRAP" describe --replication 2>/dev/null |
    awk -v id="$1" 'NR==1 {for (i=1; i<=NF; i++) col[$i]=i; next}
      $col["NodeId"]==id && $col["Lag"] < 100 && $col["Status"] ~ /Leader|Follower|Observer/ {ok=1} END {exit !ok}'
}
has_quorum_leader() { [ -n "$(quorum_leader)" ]; }
ids_are() { [ "$(quorum_ids "$1")" = "$2" ]; }
started_all() { local p; for p in "$@"; do e2e_broker_started "$p" || return 1; done; }
new_quorum_leader() { local l; l=$(quorum_leader); [ -n "$l" ] && [ "$l" != -1 ] && [ "$l" != "$1" ]; }
node_id_of() { sed -n 's/^node.id=//p' "$E2E_RUN/pods/$1/data/meta.properties" 2>/dev/null; }

# fault_under_load TOPIC VICTIM_POD VICTIM_ID BROKER_PODS...: kill -9 the victim
# while VerifiableProducer sends; waits for a new quorum leader; restarts the
# victim; checks nothing acknowledged was lost. Sets F_* figures.
fault_under_load() {
  local topic=$1 victim=$2 victim_id=$3 out="$E2E_RUN/$1.produced" producer rc=0 t_kill t_restart
  produce "$topic" "$out" --max-messages 15000 --throughput 1000 &
  producer=$!
  wait_for 60 "producer acknowledged 3000 messages" bash -c '[ "$(grep -c producer_send_success "$1")" -ge 3000 ]' bash "$out" || true
  e2e_pod_kill "$victim"
  t_kill=$(e2e_ms)
  wait_for 60 "a new active controller" new_quorum_leader "$victim_id" || true
  F_ELECT_MS=$(( $(e2e_ms) - t_kill ))
  F_NEW_LEADER=$(quorum_leader || true)
  check "[$LABEL] a new active controller was elected ($victim_id -> ${F_NEW_LEADER:-none}, ${F_ELECT_MS} ms after the kill)" \
    new_quorum_leader "$victim_id"
  wait "$producer" || rc=$?
  check "[$LABEL] producer ran to the end (exit $rc)" [ "$rc" -eq 0 ]
  t_restart=$(e2e_ms)
  e2e_pod_start "$victim"
  wait_for 120 "$victim restarted" e2e_broker_started "$victim" || true
  check "[$LABEL] restarted $victim kept node id $victim_id (meta.properties)" [ "$(node_id_of "$victim")" = "$victim_id" ]
  wait_for 120 "$victim caught up with the metadata log" caught_up "$victim_id" || true
  check "[$LABEL] restarted $victim (node $victim_id) follows the quorum leader again, caught up" caught_up "$victim_id"
  # (Only worth waiting for when the topic did start with 3 replicas.)
  [ "$(kcat_meta "$BOOTSTRAP" "$topic" | jq '.topics[0].partitions[0].replicas | length')" = 3 ] &&
    wait_for 120 "every partition back to 3 in-sync replicas" all_isr_3 "$topic" || true
  F_REJOIN_MS=$(( $(e2e_ms) - t_restart ))
  check "[$LABEL] every partition has 3 in-sync replicas again (${F_REJOIN_MS} ms after the restart)" all_isr_3 "$topic"
  consume "$topic" "$E2E_RUN/$topic.consumed"
  tally "$out" "$E2E_RUN/$topic.consumed"
  echo "      produced $F_SENT, acknowledged $F_ACKED, consumed $F_CONSUMED, lost $F_LOST, out of order $F_OOO"
  check "[$LABEL] every acknowledged message survived (lost = 0 of $F_ACKED)" [ "$F_LOST" -eq 0 -a "$F_ACKED" -gt 0 ]
  check "[$LABEL] in order within every partition" [ "$F_OOO" -eq 0 ]
}

# new_topic TOPIC: creates it with the cluster's defaults, waits until it is in
# sync, and writes (and prints) its description to $E2E_RUN/describe.txt.
new_topic() {
  wait_for 60 "topic created" create_topic "$1" || true
  wait_for 60 "$1 fully in sync" all_in_sync "$1" || true
  describe "$1" > "$E2E_RUN/describe.txt" || true
  sed 's/^/      /' "$E2E_RUN/describe.txt"
}

# summarize SECONDS_UP KILLED_LEADER: one line of the closing summary.
summarize() {
  SUMMARY+=("$(printf '%-14s up %3ss; kill -9 active controller %s: new leader %s after %s ms; produced %s, acked %s, consumed %s, lost %s; full ISR %s ms after restart' \
    "$LABEL" "$1" "$2" "$F_NEW_LEADER" "$F_ELECT_MS" "$F_SENT" "$F_ACKED" "$F_CONSUMED" "$F_LOST" "$F_REJOIN_MS")")
}

# ---- combined: three broker+controller pods ----------------------------------

combined() {
  local version=$1 t0 t_up leader victim
  LABEL="combined $version" BOOTSTRAP="kafka.kafka.svc.cluster.local:9092"
  e2e_cluster "combined-$version" "$version"
  e2e_client
  for i in 0 1 2; do e2e_pod "kafka-$i" kafka kafka kraft; done
  e2e_hosts
  e2e_producer_config
  t0=$(date +%s)
  for i in 0 1 2; do e2e_pod_start "kafka-$i"; done
  wait_for 180 "three nodes started" started_all kafka-0 kafka-1 kafka-2 || true
  wait_for 60 "a quorum leader" has_quorum_leader || true
  t_up=$(( $(date +%s) - t0 ))
  quorum_status | sed 's/^/      /'
  check "[$LABEL] the quorum formed with voters 0,1,2 (in ${t_up}s)" [ "$(quorum_ids CurrentVoters)" = 0,1,2 ]
  for i in 0 1 2; do
    check "[$LABEL] kafka-$i was formatted with node id $i and the manifests' cluster id" \
      bash -c '[ "$1" = "$2" ] && grep -q -x "cluster.id=$3" "$4"' bash "$(node_id_of "kafka-$i")" "$i" \
      "$(sed -n 's/^KAFKA_INIT_CLUSTER_ID=//p' "$E2E_RUN/pods/kafka-$i/env")" "$E2E_RUN/pods/kafka-$i/data/meta.properties"
  done
  new_topic e2e-kraft
  check "[$LABEL] topic created without a replication factor gets 3, with 3 in sync" \
    bash -c 'grep -q -E "ReplicationFactor: 3\b" "$1" && [ "$(grep -c -E "Isr: [0-9]+,[0-9]+,[0-9]+" "$1")" -eq 3 ]' bash "$E2E_RUN/describe.txt"
  leader=$(quorum_leader || true)
  victim="kafka-$leader"
  e2e_log "[$LABEL] active controller is node $leader ($victim); kill -9 under load"
  fault_under_load e2e-kraft "$victim" "$leader"
  summarize "$t_up" "$leader"
}

# ---- split: three controllers, three brokers --------------------------------

split() {
  local version=$1 t0 t_up leader pods=() i
  LABEL="split $version" BOOTSTRAP="kafka-broker.kafka.svc.cluster.local:9092"
  e2e_cluster "split-$version" "$version"
  e2e_client
  for i in 0 1 2; do e2e_pod "kafka-controller-$i" kafka-controller kafka kraft-split kafka-controller; pods+=("kafka-controller-$i"); done
  for i in 0 1 2; do e2e_pod "kafka-broker-$i" kafka-broker kafka kraft-split kafka-broker; pods+=("kafka-broker-$i"); done
  e2e_hosts
  e2e_producer_config
  t0=$(date +%s)
  for p in "${pods[@]}"; do e2e_pod_start "$p"; done
  wait_for 240 "six nodes started" started_all "${pods[@]}" || true
  wait_for 60 "a quorum leader" has_quorum_leader || true
  wait_for 60 "three observers" ids_are CurrentObservers 100,101,102 || true
  t_up=$(( $(date +%s) - t0 ))
  quorum_status | sed 's/^/      /'
  check "[$LABEL] controllers 0,1,2 are the voters (in ${t_up}s)" [ "$(quorum_ids CurrentVoters)" = 0,1,2 ]
  check "[$LABEL] brokers 100,101,102 are the observers" [ "$(quorum_ids CurrentObservers)" = 100,101,102 ]
  for i in 0 1 2; do
    check "[$LABEL] kafka-broker-$i has node id $((100 + i)), kafka-controller-$i node id $i" \
      [ "$(node_id_of "kafka-broker-$i")/$(node_id_of "kafka-controller-$i")" = "$((100 + i))/$i" ]
  done
  new_topic e2e-split
  check "[$LABEL] topic gets 3 replicas, all on brokers 100..102" \
    bash -c 'grep -q -E "ReplicationFactor: 3\b" "$1" && [ "$(grep -c -E "Replicas: 10[0-2],10[0-2],10[0-2]" "$1")" -eq 3 ]' bash "$E2E_RUN/describe.txt"
  leader=$(quorum_leader || true)
  e2e_log "[$LABEL] active controller is node $leader (kafka-controller-$leader); kill -9 under load"
  fault_under_load e2e-split "kafka-controller-$leader" "$leader"
  summarize "$t_up" "$leader"
}

for v in ${KRAFT_VERSIONS-3.9.0 4.4.0}; do combined "$v"; done
for v in ${KRAFT_SPLIT_VERSIONS-3.9.0 4.4.0}; do split "$v"; done

echo
printf '%s\n' "${SUMMARY[@]}"
echo "total run $(( $(date +%s) - T_START ))s"
e2e_summary
