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
  python3 - "$OUT/confluent.tls.written" "$OUT/confluent.tls.plan" <<'PY'
import sys
def props(path):
    out = {}
    for line in open(path).read().splitlines():
        if line.strip() and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[k] = v
    return out
written, plan = (props(p) for p in sys.argv[1:])
# The plan never shows a password: those are compared with the files' contents.
secret = {"ssl.key.password": "key-pw", "ssl.keystore.password": "keystore-pw", "ssl.truststore.password": "truststore-pw",
          "ssl.key.credentials": "key_creds", "ssl.keystore.credentials": "keystore_creds", "ssl.truststore.credentials": "truststore_creds"}
ok = set(written) == set(plan)
for k in sorted(set(written) | set(plan)):
    want = secret[k] if k in secret and plan.get(k) == "<redacted>" else plan.get(k)
    if written.get(k) != want:
        ok = False
        print(f"  {k}: image {written.get(k)!r}, plan {plan.get(k)!r}")
for k, v in [("ssl.keystore.location", "/etc/kafka/secrets/kafka.keystore.jks"),
             ("ssl.truststore.location", "/etc/kafka/secrets/kafka.truststore.jks"), ("ssl.key.password", "key-pw")]:
    ok = ok and written.get(k) == v
sys.exit(0 if ok else 1)
PY
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
