#!/usr/bin/env bash
# Step 7: what the hop off the Bitnami image changed, and what it kept.
. "$(dirname "$0")/lib.sh"
check "the StatefulSet is the same object: the hop is a plain apply" \
  [ "$(kk get statefulset kafka -o jsonpath='{.metadata.uid}')" = "$(cat "$OUT/sts.uid")" ]
broker_claims > "$OUT/pvc.hop"
check "the same claims, bound to the same volumes" diff "$OUT/pvc.before" "$OUT/pvc.hop"
check_replaced "$OUT/pods.move"
check_roll hop "$OUT/pods.move"
for i in 0 1 2; do
  image=$(kk get pod "kafka-$i" -o jsonpath='{.status.containerStatuses[?(@.name=="kafka")].image}')
  check "kafka-$i: runs apache/kafka:3.9.2 ($image)" grep -Eq '(^|/)apache/kafka:3\.9\.2$' <<<"$image"
  ids=$(kk exec "kafka-$i" -c kafka -- id)
  check "kafka-$i: the Kafka container runs as the image's user 1000, without group 0 ($ids)" \
    bash -c '[[ "$1" == uid=1000\(appuser\)\ gid=1000\(appuser\)* ]] && ! grep -Eq "groups=(.*,)?0\(" <<<"$1"' _ "$ids"
  wrong=$(kk exec "kafka-$i" -c kafka -- find /var/lib/kafka/data \( ! -user 1000 -o ! -group 1000 \) -print | wc -l)
  check "kafka-$i: prepare re-owned every entry of the data dir from 1001 to 1000:1000 ($wrong left)" [ "$wrong" -eq 0 ]
  check "kafka-$i: the volume's meta.properties kept, broker.id=$i" \
    kk exec "kafka-$i" -c kafka -- grep -qx "broker.id=$i" /var/lib/kafka/data/meta.properties
  line=$(kk logs "kafka-$i" -c kafka | grep -m1 'plan derived' || true)
  say "kafka-$i: $line"
  check "kafka-$i: exec read the ConfigMap's Bitnami names and handed them to the apache image" \
    grep -Eq 'flavor="?apache.*read_as="?bitnami' <<<"$line"
  check "kafka-$i: ZooKeeper mode: exec started the distribution's kafka-server-start.sh with the server.properties it wrote" \
    grep -q '/opt/kafka/bin/kafka-server-start.sh /opt/kafka/config/server.properties' <<<"$line"
done
under=$(kafka_tool kafka-topics --bootstrap-server "$BOOTSTRAP" --describe --under-replicated-partitions 2>/dev/null | grep -c Partition || true)
check "every partition back in sync on the apache brokers ($under under-replicated)" [ "$under" -eq 0 ]
