#!/usr/bin/env bash
# Step 4: what only a real cluster shows about the move, asserted.
. "$(dirname "$0")/lib.sh"
tl=$OUT/timeline
sts_uid=$(cat "$OUT/sts.uid")
check "the StatefulSet is the same object (uid $sts_uid): a plain apply, no orphaning delete" \
  [ "$(kk get statefulset kafka -o jsonpath='{.metadata.uid}')" = "$sts_uid" ]
kk get pvc -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid} {.spec.volumeName}{"\n"}{end}' | sort > "$OUT/pvc.after"
check "the same claims, bound to the same volumes" diff "$OUT/pvc.before" "$OUT/pvc.after"
for i in 0 1 2; do
  owner=$(kk get pod "kafka-$i" -o jsonpath='{.metadata.ownerReferences[0].uid}')
  seed_uid=$(awk -v p="kafka-$i" '$1 == p {print $2}' "$OUT/pods.seed")
  uid=$(kk get pod "kafka-$i" -o jsonpath='{.metadata.uid}')
  check "kafka-$i: replaced (uid $seed_uid -> $uid) and owned by the StatefulSet" [ "$uid" != "$seed_uid" -a "$owner" = "$sts_uid" ]
  check "kafka-$i: claim kafka-data-kafka-$i" [ "$(kk get pod "kafka-$i" -o jsonpath='{.spec.volumes[?(@.name=="kafka-data")].persistentVolumeClaim.claimName}')" = "kafka-data-kafka-$i" ]
  check "kafka-$i: no container restart (no NodeExists at registration)" \
    [ "$(kk get pod "kafka-$i" -o jsonpath='{.status.containerStatuses[*].restartCount}' | tr ' ' '\n' | sort -n | tail -1)" = 0 ]
done
# The roll's order and its gating, from the timeline: the first time each
# new pod was seen, each pod's first Ready, each old pod's deletion.
first_seen() { awk -v p="$1" -v u="$2" '$2 == p && $3 != u {print $1; exit}' "$tl"; }
first_ready() { awk -v p="$1" -v u="$2" '$2 == p && $3 != u && $4 == "True" {print $1; exit}' "$tl"; }
deleted_at() { awk -v p="$1" -v u="$2" '$2 == p && $3 == u && $5 != "-" {print $1; exit}' "$tl"; }
declare -A seen ready gone
for i in 0 1 2; do
  su=$(awk -v p="kafka-$i" '$1 == p {print $2}' "$OUT/pods.seed")
  seen[$i]=$(first_seen "kafka-$i" "$su"); ready[$i]=$(first_ready "kafka-$i" "$su"); gone[$i]=$(deleted_at "kafka-$i" "$su")
  say "kafka-$i: seed pod deletion requested at +$(( ${gone[$i]} - $(head -1 "$tl" | cut -d' ' -f1) )) ms, new pod seen +$(( ${seen[$i]} - $(head -1 "$tl" | cut -d' ' -f1) )) ms, Ready +$(( ${ready[$i]} - $(head -1 "$tl" | cut -d' ' -f1) )) ms"
done
check "rolled highest ordinal first (kafka-2, kafka-1, kafka-0)" [ "${seen[2]}" -lt "${seen[1]}" -a "${seen[1]}" -lt "${seen[0]}" ]
check "kafka-1 was taken down only after the new kafka-2 was Ready (probe --ready gating)" [ "${gone[1]}" -ge "${ready[2]}" ]
check "kafka-0 was taken down only after the new kafka-1 was Ready" [ "${gone[0]}" -ge "${ready[1]}" ]
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
