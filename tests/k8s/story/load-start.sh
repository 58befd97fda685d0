#!/usr/bin/env bash
# Step 2: the user's data and clients: test-topic as the user has it
# (auto-created by a first write: factor 1), 200 messages in it, the
# replicated topic durable (factor 3, min.insync.replicas 2), and a producer
# writing to it with acks=all for the rest of the story.
. "$(dirname "$0")/lib.sh"
kubectl apply -f "$STORY/clients.yaml"
kk wait --for=condition=Ready pod/client --timeout=120s
kafka_tool kafka-topics --bootstrap-server "$BOOTSTRAP" --create --topic durable --partitions 3 \
  --replication-factor 3 --config min.insync.replicas=2
kafka_tool kafka-verifiable-producer --bootstrap-server "$BOOTSTRAP" --topic test-topic --acks -1 \
  --max-messages 200 > "$OUT/test-topic.produced"
kafka_tool kafka-topics --bootstrap-server "$BOOTSTRAP" --describe --topic test-topic
kubectl apply -f "$STORY/producer.yaml"
check "test-topic: 200 messages acknowledged before the move" [ "$(acked "$OUT/test-topic.produced" | wc -l)" -eq 200 ]
kk wait --for=condition=Ready pod/producer --timeout=120s
deadline=$(( $(date +%s) + 120 ))
# grep -c reads the whole log: grep -q would close the pipe early, and
# under pipefail kubectl's SIGPIPE would fail the test for a match.
until [ "$(kk logs producer --tail 100 2>/dev/null | grep -c producer_send_success)" -gt 0 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { kk logs producer --tail 20; exit 1; }
  sleep 2
done
say "producer: acknowledgements flowing"
