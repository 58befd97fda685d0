#!/usr/bin/env bash
# Confluent's cp-kafka 7.9.6 (Kafka 3.9.0, the Python dub and cub), started
# by the image's own /etc/confluent/docker/run (configure, ensure, launch)
# after `kafka-init exec`, each overlay applied as a user applies it, on a
# cluster of its own (the story's namespaces are removed first: one node,
# and the overlay's namespace is kafka):
# - ZooKeeper mode, in place: the zookeeper overlay's cluster on Bitnami
#   3.9.0 with a replication-factor-1 topic, then confluent-zookeeper
#   applied over it (ensure waits for ZooKeeper with cub zk-ready, Java);
# - KRaft: three combined pods (confluent-kraft), and configure's TLS
#   step for real;
# - KRaft with dedicated roles: three controllers and three brokers
#   (confluent-kraft-split).
# Each time: the image's scripts ran, what they wrote equals kafka-init's
# plan key by key, prepare gave the volumes to the image's user, and the
# cluster works (in place: it kept its data and its cluster id).
. "$(dirname "$0")/lib.sh"
say "the story's namespaces removed (one node: the cp-kafka pods need its CPU)"
kubectl delete namespace kafka zk --ignore-not-found --wait=true --timeout=300s >/dev/null
kubectl delete pv --all --wait=true --timeout=120s >/dev/null
mkdir -p "$OUT/logs"

# cp_volumes CLASS POD...: static volumes, as a cluster without a
# provisioner has them (one hostPath each, root-owned 0755: prepare gives
# it to the image's user), each bound to the claim its pod makes.
cp_volumes() {
  local class=$1 p; shift
  for p in "$@"; do
    rm -rf "${OUT:?}/confluent-pv/$p"; install -d -m 0755 -o 0 -g 0 "$OUT/confluent-pv/$p"
    kubectl apply -f - >/dev/null <<PV
apiVersion: v1
kind: PersistentVolume
metadata:
  name: cp-$p
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: "$class"
  claimRef: {namespace: kafka, name: kafka-data-$p}
  hostPath: {path: $OUT/confluent-pv/$p, type: Directory}
PV
  done
}
# cp_up OVERLAY WHAT POD...: the overlay applied with kubectl as written,
# and every POD Ready (probe --ready), WHAT naming the image in the check.
cp_up() {
  local overlay=$1 what=$2 p start; shift 2
  start=$(date +%s)
  (cd "$REPO" && kubectl apply -k "k8s/overlays/$overlay") > "$OUT/$overlay-apply.log"
  check "kubectl apply -k k8s/overlays/$overlay: applied" grep -Eq 'statefulset.apps/kafka.* (created|configured)' "$OUT/$overlay-apply.log"
  for _ in $(seq 120); do
    [ "$(kk get pods -l app=kafka -o name 2>/dev/null | wc -l)" -ge $# ] && break; sleep 1
  done
  # Applied in place: the roll, to its end (a new cluster has no roll).
  if [ "$(grep -c 'statefulset.apps/kafka configured' "$OUT/$overlay-apply.log")" = 1 ]; then
    kk rollout status statefulset kafka --timeout=600s >/dev/null || true
  fi
  if ! kk wait --for=condition=Ready "${@/#/pod/}" --timeout=300s >/dev/null; then
    kk get pods -o wide
    for p in "$@"; do kk logs "$p" -c kafka --tail 40 || true; done
  fi
  check "$overlay: $# $what pods Ready (probe --ready) $(( $(date +%s) - start ))s after the apply" \
    kk wait --for=condition=Ready "${@/#/pod/}" --timeout=1s
}

# cp_pod POD ID MODE CLUSTER_ID: the image's scripts ran in POD, as its
# user, in MODE (kraft or zookeeper), and what they wrote is the plan; the
# volume is the image's user's, its meta.properties of CLUSTER_ID and ID.
cp_pod() {
  local p=$1 id=$2 mode=$3 cid=$4 log=$OUT/logs/confluent.$1.$3.log owner meta marks started idkey
  kk logs "$p" -c kafka > "$log"
  # run, configure, ensure and launch, in order, as their own echo lines say.
  if [ "$mode" = kraft ]; then
    marks=("Running in KRaft mode..." "===> Running preflight checks ... " "===> Using provided cluster id")
    started='\[KafkaRaftServer nodeId=[0-9]*\] Kafka Server started'; idkey=node.id
  else
    marks=("Running in Zookeeper mode..." "===> Running preflight checks ... " "===> Check if Zookeeper is healthy ..."
           "Session establishment complete on server")
    started='\[KafkaServer id=[0-9]*\] started'; idkey=broker.id
  fi
  check "$p: the image's own scripts ran: run, configure ($mode), ensure (${marks[2]#===> }), launch" \
    python3 - "$log" "===> User" "===> Configuring ..." "${marks[@]}" "===> Launching ... " "===> Launching kafka ... " <<'PY'
import sys
text = open(sys.argv[1]).read()
at = [text.find(m) for m in sys.argv[2:]]
sys.exit(0 if all(a >= 0 for a in at) and at == sorted(at) else 1)
PY
  check "$p: the image's user ran it (uid=1000(appuser))" grep -q 'uid=1000(appuser)' "$log"
  check "$p: Kafka 3.9.0 started ($(grep -o "$started" "$log" | head -1))" grep -q "$started" "$log"
  # What dub's template wrote, against the plan in the same container.
  kk exec "$p" -c kafka -- cat /etc/kafka/kafka.properties > "$OUT/confluent.$p.$mode.written"
  kk exec "$p" -c kafka -- /kafka-init/kafka-init plan --offline --format properties > "$OUT/confluent.$p.$mode.plan" 2>/dev/null
  check "$p: /etc/kafka/kafka.properties, as the image's dub wrote it, equals kafka-init's plan key by key ($idkey=$id)" \
    python3 "$STORY/props_equal.py" "$OUT/confluent.$p.$mode.written" "$OUT/confluent.$p.$mode.plan" "$idkey=$id"
  owner=$(kk exec "$p" -c kafka -- stat -c '%u:%g' /var/lib/kafka/data)
  check "$p: the data volume is the image's user's (1000:1000, prepare)" [ "$owner" = 1000:1000 ]
  meta=$(kk exec "$p" -c kafka -- cat /var/lib/kafka/data/meta.properties)
  check "$p: meta.properties: cluster.id $cid, $idkey $id" \
    bash -c 'grep -qx "cluster.id=$2" <<<"$1" && grep -qx "$3=$4" <<<"$1"' _ "$meta" "$cid" "$idkey" "$id"
}

# cp_quorum CLIENT_POD BOOTSTRAP: one quorum whose voters are node ids 0 1 2.
cp_tool() { kk exec "$1" -c kafka -- env KAFKA_HEAP_OPTS=-Xmx128m "${@:2}"; }
cp_quorum() {
  local quorum voters
  quorum=$(cp_tool "$1" kafka-metadata-quorum --bootstrap-server "$2" describe --status 2>/dev/null)
  say "$(grep -E 'LeaderId' <<<"$quorum" | tr -s ' \t' ' ')"
  voters=$(grep '^CurrentVoters:' <<<"$quorum" | grep -o '"id": [0-9]*' | grep -o '[0-9]*' | sort | tr '\n' ' ')
  check "one quorum, its voters node ids 0 1 2 ($voters)" [ "$voters" = "0 1 2 " ]
}
# cp_rf3 CLIENT_POD BOOTSTRAP READ_FROM: 30 messages acknowledged with
# acks=all at replication factor 3 (every broker in the ISR), read back
# through READ_FROM.
cp_rf3() {
  local acked consumed
  cp_tool "$1" kafka-topics --bootstrap-server "$2" --create --topic cp-check --partitions 3 --replication-factor 3 >/dev/null 2>&1
  cp_tool "$1" kafka-verifiable-producer --bootstrap-server "$2" --topic cp-check --max-messages 30 --acks -1 \
    > "$OUT/confluent.$1.produced" 2>/dev/null
  acked=$(grep -c '"name":"producer_send_success"' "$OUT/confluent.$1.produced" || true)
  consumed=$(cp_tool "$1" kafka-console-consumer --bootstrap-server "$3" --topic cp-check \
    --from-beginning --max-messages 30 --timeout-ms 20000 2>/dev/null | wc -l)
  say "cp-check (replication factor 3): acknowledged $acked of 30 (acks=all), read back $consumed through $3"
  check "the cluster works: 30 messages acknowledged with acks=all at replication factor 3, all 30 read back" [ "$acked" = 30 -a "$consumed" = 30 ]
}

# ZooKeeper mode, in place: the user's kind of cluster (the zookeeper
# overlay: Bitnami 3.9.0, port 39092, storage class kafka-nfs-storage) on a
# fresh ZooKeeper, a replication-factor-1 topic written, then the move onto
# cp-kafka 7.9.6 with one apply.
say "ZooKeeper mode: a fresh ZooKeeper (zookeeper.yaml) and the zookeeper overlay's cluster on Bitnami 3.9.0"
kubectl apply -f "$STORY/zookeeper.yaml" >/dev/null
kubectl -n zk rollout status statefulset zk --timeout=300s >/dev/null
cp_volumes kafka-nfs-storage kafka-0 kafka-1 kafka-2
cp_up zookeeper "Bitnami 3.9.0" kafka-0 kafka-1 kafka-2
zk_cid=$(kk exec kafka-0 -c kafka -- cat /bitnami/kafka/data/meta.properties | sed -n 's/^cluster.id=//p')
bitnami_tool() { kk exec "$1" -c kafka -- env KAFKA_HEAP_OPTS=-Xmx128m "/opt/bitnami/kafka/bin/$2.sh" "${@:3}"; }
bitnami_tool kafka-0 kafka-topics --bootstrap-server localhost:39092 --create --topic cp-rf1 --partitions 3 --replication-factor 1 >/dev/null 2>&1
bitnami_tool kafka-0 kafka-verifiable-producer --bootstrap-server localhost:39092 --topic cp-rf1 --max-messages 30 --acks -1 \
  > "$OUT/confluent.rf1.produced" 2>/dev/null
acked=$(grep -c '"name":"producer_send_success"' "$OUT/confluent.rf1.produced" || true)
check "on Bitnami: cp-rf1 (replication factor 1, one partition on each broker): 30 of 30 acknowledged ($acked), cluster id $zk_cid" \
  [ "$acked" = 30 -a -n "$zk_cid" ]
say "the move onto cp-kafka 7.9.6: kubectl apply -k k8s/overlays/confluent-zookeeper (in place)"
cp_up confluent-zookeeper "cp-kafka 7.9.6 (ZooKeeper mode)" kafka-0 kafka-1 kafka-2
for i in 0 1 2; do cp_pod "kafka-$i" "$i" zookeeper "$zk_cid"; done
consumed=$(cp_tool kafka-1 kafka-console-consumer --bootstrap-server kafka-0.kafka.kafka.svc.cluster.local:39092 --topic cp-rf1 \
  --from-beginning --max-messages 30 --timeout-ms 20000 2>/dev/null | wc -l)
check "cp-rf1, written on Bitnami, its one copy per partition on each broker's volume: all 30 read back on cp-kafka ($consumed)" [ "$consumed" = 30 ]
cp_rf3 kafka-0 localhost:39092 kafka-2.kafka.kafka.svc.cluster.local:39092

say "KRaft: the ZooKeeper-mode cluster removed; confluent-kraft on fresh volumes"
# The brokers first: with ZooKeeper gone they could not shut down cleanly
# and would wait out their grace period (180 s).
kubectl delete namespace kafka --wait=true --timeout=300s >/dev/null
kubectl delete namespace zk --wait=true --timeout=300s >/dev/null
kubectl delete pv cp-kafka-0 cp-kafka-1 cp-kafka-2 --wait=true --timeout=120s >/dev/null
cp_volumes "" kafka-0 kafka-1 kafka-2
cp_up confluent-kraft "cp-kafka 7.9.6" kafka-0 kafka-1 kafka-2
cid=$(kk get secret kafka-cluster-id -o jsonpath='{.data.cluster-id}' | base64 -d)
for i in 0 1 2; do cp_pod "kafka-$i" "$i" kraft "$cid"; done
cp_quorum kafka-0 localhost:9092
cp_rf3 kafka-0 localhost:9092 kafka-2.kafka.kafka.svc.cluster.local:9092

# configure's TLS step, for real: in kafka-0, the image's own configure
# (run by `kafka-init exec`, as the pod's command runs run) with an SSL
# listener, its files in /etc/kafka/secrets; then the same with a
# credentials file missing, which exec must refuse before configure runs.
tls_env=(KAFKA_LISTENERS=SSL://:9092,CONTROLLER://:9093 KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=SSL:SSL,CONTROLLER:PLAINTEXT
         KAFKA_INTER_BROKER_LISTENER_NAME=SSL KAFKA_SSL_KEYSTORE_FILENAME=kafka.keystore.jks
         KAFKA_SSL_KEY_CREDENTIALS=key_creds KAFKA_SSL_KEYSTORE_CREDENTIALS=keystore_creds KAFKA_SSL_CLIENT_AUTH=required
         KAFKA_SSL_TRUSTSTORE_FILENAME=kafka.truststore.jks KAFKA_SSL_TRUSTSTORE_CREDENTIALS=truststore_creds)
in0() { kk exec kafka-0 -c kafka -- "$@"; }
in0 bash -c 'cd /etc/kafka/secrets && : > kafka.keystore.jks && : > kafka.truststore.jks &&
  printf key-pw > key_creds && printf keystore-pw > keystore_creds && printf truststore-pw > truststore_creds'
rc=0; in0 env "${tls_env[@]}" /kafka-init/kafka-init exec -- /etc/confluent/docker/configure > "$OUT/confluent.tls.configure" 2>&1 || rc=$?
check "kafka-0, an SSL listener: kafka-init exec runs the image's configure, which passes (exit $rc)" [ "$rc" = 0 ]
in0 cat /etc/kafka/kafka.properties > "$OUT/confluent.tls.written"
in0 env "${tls_env[@]}" /kafka-init/kafka-init plan --offline --format properties > "$OUT/confluent.tls.plan" 2>/dev/null
check "kafka-0, an SSL listener: what configure and dub wrote equals the plan key by key (locations in /etc/kafka/secrets, each password the content of its credentials file)" \
  python3 "$STORY/props_equal.py" "$OUT/confluent.tls.written" "$OUT/confluent.tls.plan" \
    ssl.key.password=key-pw ssl.keystore.password=keystore-pw ssl.truststore.password=truststore-pw \
    ssl.key.credentials=key_creds ssl.keystore.credentials=keystore_creds ssl.truststore.credentials=truststore_creds \
    ssl.keystore.location=/etc/kafka/secrets/kafka.keystore.jks ssl.truststore.location=/etc/kafka/secrets/kafka.truststore.jks
before=$(in0 sha256sum /etc/kafka/kafka.properties)
in0 rm /etc/kafka/secrets/keystore_creds
rc=0; in0 env "${tls_env[@]}" /kafka-init/kafka-init exec -- /etc/confluent/docker/configure > "$OUT/confluent.tls.refused" 2>&1 || rc=$?
cat "$OUT/confluent.tls.refused" | grep -v '^\s*$' | tail -4
check "kafka-0, the keystore's credentials file missing: exec refuses (exit 78), naming the file" \
  bash -c '[ "$1" = 78 ] && grep -q "KAFKA_SSL_KEYSTORE_CREDENTIALS=.*/etc/kafka/secrets/keystore_creds exists" "$2"' _ "$rc" "$OUT/confluent.tls.refused"
check "kafka-0, refused: configure did not run (kafka.properties unchanged)" [ "$(in0 sha256sum /etc/kafka/kafka.properties)" = "$before" ]
# The image's own verdict on the same: its configure alone, with the
# environment kafka-init would have handed it (plan --format env), stops
# at its TLS step.
rc=0; in0 bash -c 'mapfile -t e < <(env "$@" /kafka-init/kafka-init plan --offline --format env 2>/dev/null | grep -v "^#")
  exec env "${e[@]}" "$@" /etc/confluent/docker/configure' _ "${tls_env[@]}" > "$OUT/confluent.tls.image-refuses" 2>&1 || rc=$?
check "kafka-0, the same without kafka-init: the image's configure refuses it at its TLS step (exit $rc)" \
  bash -c '[ "$1" != 0 ] && grep -q "SSL is enabled" "$2"' _ "$rc" "$OUT/confluent.tls.image-refuses"

# KRaft with dedicated roles (confluent-kraft-split): three controllers
# (node ids 0..2, configure's controller path: no advertised listeners) and
# three brokers (100..102), each set started by the image's own scripts.
say "KRaft, dedicated roles: confluent-kraft removed; confluent-kraft-split on fresh volumes"
kubectl delete namespace kafka --wait=true --timeout=300s >/dev/null
kubectl delete pv cp-kafka-0 cp-kafka-1 cp-kafka-2 --wait=true --timeout=120s >/dev/null
split=(kafka-controller-0 kafka-controller-1 kafka-controller-2 kafka-broker-0 kafka-broker-1 kafka-broker-2)
cp_volumes "" "${split[@]}"
cp_up confluent-kraft-split "cp-kafka 7.9.6 (3 controllers, 3 brokers)" "${split[@]}"
cid=$(kk get secret kafka-cluster-id -o jsonpath='{.data.cluster-id}' | base64 -d)
for i in 0 1 2; do cp_pod "kafka-controller-$i" "$i" kraft "$cid"; done
for i in 0 1 2; do cp_pod "kafka-broker-$i" "$(( 100 + i ))" kraft "$cid"; done
for i in 0 1 2; do
  check "kafka-controller-$i: process.roles=controller and no advertised.listeners (configure refuses them on a controller)" \
    bash -c 'grep -qx process.roles=controller "$1" && ! grep -q "^advertised.listeners=" "$1"' _ "$OUT/confluent.kafka-controller-$i.kraft.written"
done
cp_quorum kafka-broker-0 localhost:9092
cp_rf3 kafka-broker-0 localhost:9092 kafka-broker-2.kafka-broker.kafka.svc.cluster.local:9092
