#!/usr/bin/env bash
# Step 4: what only a real cluster shows about the move, asserted.
. "$(dirname "$0")/lib.sh"
sts_uid=$(cat "$OUT/sts.uid")
check "the StatefulSet is the same object (uid $sts_uid): a plain apply, no orphaning delete" \
  [ "$(kk get statefulset kafka -o jsonpath='{.metadata.uid}')" = "$sts_uid" ]
broker_claims > "$OUT/pvc.after"
check "the same claims, bound to the same volumes" diff "$OUT/pvc.before" "$OUT/pvc.after"
check_replaced "$OUT/pods.seed"
check_roll move "$OUT/pods.seed"
# The downward API values kafka-init read, and the identity it derived.
node_ip=$(kubectl get node -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
for i in 0 1 2; do
  plan=$(kk exec "kafka-$i" -c kafka -- /kafka-init/kafka-init plan --format json)
  check "kafka-$i: broker.id $i derived from metadata.name" [ "$(jq -r '.. | objects | ."broker.id"? // empty' <<<"$plan" | head -1)" = "$i" ]
  check "kafka-$i: advertises kafka-$i.kafka.kafka.svc.cluster.local:39092" \
    grep -q "kafka-$i.kafka.kafka.svc.cluster.local:39092" <<<"$plan"
  check "kafka-$i: HOST_IP from status.hostIP is the node's address ($node_ip)" \
    [ "$(kk exec "kafka-$i" -c kafka -- printenv HOST_IP)" = "$node_ip" ]
  ids=$(kk exec "kafka-$i" -c kafka -- id)
  check "kafka-$i: the Kafka container runs as 1001 with group 0 ($ids)" \
    grep -Eq '^uid=1001\(?.*groups=.*\b0\b' <<<"$ids"
  own=$(kk exec "kafka-$i" -c kafka -- stat -c '%u:%g %a' /bitnami/kafka/data)
  check "kafka-$i: data dir owned by 1001:1001, no world write ($own)" \
    bash -c '[[ "$1" == 1001:1001\ * ]] && (( (8#${1#* } & 2) == 0 ))' _ "$own"
done
