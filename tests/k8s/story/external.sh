#!/usr/bin/env bash
# Step 8: access from outside the pod network, with the commands the
# external-access guide gives (docs/guides/external-access.md, step 1), then
# a client on the host (outside every pod, as the user's clients outside
# Kubernetes are) that bootstraps from the node's address on the seed's
# NodePort 30092: every broker listed at the node's address on 31090+N, and
# acks=all writes to leaders on every broker read back.
# With an argument (after-kafka-4): only the client on the host, again, on
# the cluster as the migration left it (Kafka 4.4.0, KRaft), to a new topic.
# Usage: external.sh [after-kafka-4]
. "$(dirname "$0")/lib.sh"
topic=outside
if [ -n "${1:-}" ]; then
  topic=outside-$1
else
  pods_now "$OUT/pods.hop"
  guide_roll external external-access "$OUT/pods.hop"
  check_replaced "$OUT/pods.hop"
  check_roll external "$OUT/pods.hop"
fi
node_ip=$(kubectl get node -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
# Kafka's own tools on the host's JDK, with the jars of the brokers' version.
libs=$REPO/target/kafka/3.9.2/libs
[ -d "$libs" ] || "$REPO/scripts/fetch-kafka.sh" 3.9.2 >/dev/null
host_tool() { java -Xmx256m "-Dlog4j.configuration=file:$STORY/../image/kafka/tools-log4j.properties" -cp "$libs/*" "$@"; }
boot=$node_ip:30092
# host_consume TOPIC FILE: every message, as "partition offset value" lines.
host_consume() {
  host_tool org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$boot" --topic "$1" --from-beginning \
    --timeout-ms 15000 --property print.partition=true --property print.offset=true 2>/dev/null \
    | sed -E 's/^Partition:([0-9]+)\tOffset:([0-9]+)\t/\1 \2 /' > "$2"
}
host_tool kafka.admin.BrokerApiVersionsCommand --bootstrap-server "$boot" > "$OUT/$topic.brokers" 2>&1 || true
grep -E '^[^ ].*\(id: [0-9]+' "$OUT/$topic.brokers" | sed 's/ ->.*//' | sort | tee "$OUT/$topic.listed"
for i in 0 1 2; do
  check "from the host, bootstrapping from $boot: broker $i listed at $node_ip:$((31090 + i))" \
    grep -q "^$node_ip:$((31090 + i)) (id: $i " "$OUT/$topic.listed"
done
host_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$boot" --create --topic "$topic" \
  --partitions 3 --replication-factor 3 --config min.insync.replicas=2 2>&1 | tail -1
leaders=$(host_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$boot" --describe --topic "$topic" 2>/dev/null \
  | grep -o 'Leader: [0-9]*' | sort -u | wc -l)
check "topic $topic: partition leaders on all three brokers ($leaders)" [ "$leaders" -eq 3 ]
host_tool org.apache.kafka.tools.VerifiableProducer --bootstrap-server "$boot" --topic "$topic" --acks -1 \
  --max-messages 300 > "$OUT/$topic.produced" 2>/dev/null
host_consume "$topic" "$OUT/$topic.consumed"
tally "$OUT/$topic.produced" "$OUT/$topic.consumed"
say "$topic (from the host, acks=all): acknowledged $F_ACKED, consumed $F_CONSUMED, lost $F_LOST"
check "from the host: 300 acks=all messages acknowledged through the NodePorts" [ "$F_ACKED" -eq 300 ]
check "from the host: every one read back ($F_LOST lost)" [ "$F_LOST" -eq 0 ]
if [ "$topic" != outside ]; then
  # What the host wrote before the migration, read back after it.
  host_consume outside "$OUT/outside.consumed-$1"
  tally "$OUT/outside.produced" "$OUT/outside.consumed-$1"
  check "from the host: the 300 messages written before the migration all read back after it ($F_LOST lost)" \
    [ "$F_ACKED" -eq 300 -a "$F_LOST" -eq 0 ]
fi
