#!/usr/bin/env bash
# Confluent's cp-kafka 7.9.6 (Kafka 3.9.0, the Python dub) in KRaft, three
# combined pods, started by the image's own /etc/confluent/docker/run
# (configure, ensure with its format step, launch) after `kafka-init exec`:
# the overlay applied as a user applies it, on a cluster of its own (the
# story's namespaces are removed first: one node, and the overlay's
# namespace is kafka). Checks that the image's scripts ran and what they
# wrote equals kafka-init's plan key by key, that prepare gave the volumes
# to the image's user, and that the three form one working cluster.
. "$(dirname "$0")/lib.sh"
say "the story's namespaces removed (one node: the cp-kafka pods need its CPU)"
kubectl delete namespace kafka zk --ignore-not-found --wait=true --timeout=300s >/dev/null
kubectl delete pv --all --wait=true --timeout=120s >/dev/null

# Static volumes, as a cluster without a provisioner has them: one hostPath
# each, root-owned 0755 (prepare gives it to the image's user), bound to
# the claim its pod will make.
dir=$OUT/confluent-pv
for i in 0 1 2; do
  rm -rf "${dir:?}/$i"; install -d -m 0755 -o 0 -g 0 "$dir/$i"
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: confluent-kafka-$i
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  claimRef: {namespace: kafka, name: kafka-data-kafka-$i}
  hostPath: {path: $dir/$i, type: Directory}
EOF
done

start=$(date +%s)
(cd "$REPO" && kubectl apply -k k8s/overlays/confluent-kraft) > "$OUT/confluent-apply.log"
check "kubectl apply -k k8s/overlays/confluent-kraft: applied" grep -q 'statefulset.apps/kafka created' "$OUT/confluent-apply.log"
for _ in $(seq 120); do
  [ "$(kk get pods -l app=kafka -o name 2>/dev/null | wc -l)" -ge 3 ] && break; sleep 1
done
if ! kk wait --for=condition=Ready pod/kafka-0 pod/kafka-1 pod/kafka-2 --timeout=300s >/dev/null; then
  kk get pods -o wide
  for i in 0 1 2; do kk logs "kafka-$i" -c kafka --tail 40 || true; done
fi
check "three cp-kafka 7.9.6 pods Ready (probe --ready: registered, in every ISR) $(( $(date +%s) - start ))s after the apply" \
  kk wait --for=condition=Ready pod/kafka-0 pod/kafka-1 pod/kafka-2 --timeout=1s
cid=$(kk get secret kafka-cluster-id -o jsonpath='{.data.cluster-id}' | base64 -d)
mkdir -p "$OUT/logs"
for i in 0 1 2; do
  log=$OUT/logs/confluent.kafka-$i.log
  kk logs "kafka-$i" -c kafka > "$log"
  # The image's run, configure, ensure and launch, in order, as their own echo lines say.
  check "kafka-$i: the image's own scripts ran: run, configure (KRaft), ensure (format), launch" \
    python3 - "$log" <<'PY'
import sys
text = open(sys.argv[1]).read()
marks = ["===> User", "===> Configuring ...", "Running in KRaft mode...",
         "===> Running preflight checks ... ", "===> Using provided cluster id",
         "===> Launching ... ", "===> Launching kafka ... "]
at = [text.find(m) for m in marks]
sys.exit(0 if all(a >= 0 for a in at) and at == sorted(at) else 1)
PY
  check "kafka-$i: the image's user ran it (uid=1000(appuser))" grep -q 'uid=1000(appuser)' "$log"
  check "kafka-$i: Kafka 3.9.0 started (KafkaRaftServer)" grep -q 'Kafka Server started\|\[KafkaRaftServer nodeId=[0-9]*\] Kafka Server started' "$log"
  # What dub's template wrote, against the plan in the same container.
  kk exec "kafka-$i" -c kafka -- cat /etc/kafka/kafka.properties > "$OUT/confluent.kafka-$i.written"
  kk exec "kafka-$i" -c kafka -- /kafka-init/kafka-init plan --offline --format properties \
    > "$OUT/confluent.kafka-$i.plan" 2>/dev/null
  check "kafka-$i: /etc/kafka/kafka.properties, as the image's dub wrote it, equals kafka-init's plan key by key" \
    python3 - "$OUT/confluent.kafka-$i.written" "$OUT/confluent.kafka-$i.plan" <<'PY'
import sys
def props(path):
    out = {}
    for line in open(path).read().splitlines():
        if line.strip() and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[k] = v
    return out
written, plan = (props(p) for p in sys.argv[1:])
for k in sorted(set(written) | set(plan)):
    if written.get(k) != plan.get(k):
        print(f"  {k}: image {written.get(k)!r}, plan {plan.get(k)!r}")
sys.exit(0 if written == plan and written.get("node.id") else 1)
PY
  check "kafka-$i: node.id $i, KRaft combined (process.roles=broker,controller)" \
    grep -qx "node.id=$i" "$OUT/confluent.kafka-$i.written"
  owner=$(kk exec "kafka-$i" -c kafka -- stat -c '%u:%g' /var/lib/kafka/data)
  check "kafka-$i: the data volume is the image's user's (1000:1000, prepare; it was root's)" [ "$owner" = 1000:1000 ]
  meta=$(kk exec "kafka-$i" -c kafka -- cat /var/lib/kafka/data/meta.properties)
  check "kafka-$i: the volume was formatted by the image's ensure with the Secret's cluster id and node.id $i" \
    bash -c "grep -qx 'cluster.id=$cid' <<<\"\$1\" && grep -qx 'node.id=$i' <<<\"\$1\"" _ "$meta"
done
cp_tool() { kk exec kafka-0 -c kafka -- env KAFKA_HEAP_OPTS=-Xmx128m "$@"; }
quorum=$(cp_tool kafka-metadata-quorum --bootstrap-server localhost:9092 describe --status 2>/dev/null)
say "$(grep -E 'LeaderId|CurrentVoters' <<<"$quorum" | tr -s ' \t' ' ')"
voters=$(grep '^CurrentVoters:' <<<"$quorum" | grep -o '"id": [0-9]*' | grep -o '[0-9]*' | sort | tr '\n' ' ')
check "one quorum, its voters the three pods (0 1 2: $voters)" [ "$voters" = "0 1 2 " ]
cp_tool kafka-topics --bootstrap-server localhost:9092 --create --topic cp-check --partitions 3 --replication-factor 3 >/dev/null 2>&1
cp_tool kafka-verifiable-producer --bootstrap-server localhost:9092 --topic cp-check --max-messages 30 --acks -1 \
  > "$OUT/confluent.produced" 2>/dev/null
acked=$(grep -c '"name":"producer_send_success"' "$OUT/confluent.produced" || true)
consumed=$(cp_tool kafka-console-consumer --bootstrap-server kafka-2.kafka.kafka.svc.cluster.local:9092 --topic cp-check \
  --from-beginning --max-messages 30 --timeout-ms 20000 2>/dev/null | wc -l)
say "cp-check (replication factor 3): acknowledged $acked of 30 (acks=all), read back $consumed through kafka-2"
check "the cluster works: 30 messages acknowledged with acks=all at replication factor 3, all 30 read back" [ "$acked" = 30 -a "$consumed" = 30 ]
