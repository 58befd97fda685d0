#!/usr/bin/env bash
# Confluent's cp-kafka 7.9.6 (Kafka 3.9.0, the Python dub) in KRaft, started
# by the image's own /etc/confluent/docker/run (configure, ensure with its
# format step, launch) after `kafka-init exec`: each overlay applied as a
# user applies it, on a cluster of its own (the story's namespaces are
# removed first: one node, and the overlay's namespace is kafka): three
# combined pods (confluent-kraft). Checks that the image's scripts ran and
# that what they wrote equals kafka-init's plan key by key, that prepare
# gave the volumes to the image's user, that the three form one working
# cluster, and configure's TLS step for real. (confluent-kraft-split's six
# pods request 3 CPUs, more than this node has: its manifests are checked,
# not started.)
. "$(dirname "$0")/lib.sh"
say "the story's namespaces removed (one node: the cp-kafka pods need its CPU)"
kubectl delete namespace kafka zk --ignore-not-found --wait=true --timeout=300s >/dev/null
kubectl delete pv --all --wait=true --timeout=120s >/dev/null
mkdir -p "$OUT/logs"

# cp_up OVERLAY POD...: static volumes, as a cluster without a provisioner
# has them (one hostPath each, root-owned 0755: prepare gives it to the
# image's user), each bound to the claim its pod makes; then the overlay
# applied with kubectl as written, and every POD Ready (probe --ready).
cp_up() {
  local overlay=$1 p start; shift
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
  claimRef: {namespace: kafka, name: kafka-data-$p}
  hostPath: {path: $OUT/confluent-pv/$p, type: Directory}
PV
  done
  start=$(date +%s)
  (cd "$REPO" && kubectl apply -k "k8s/overlays/$overlay") > "$OUT/$overlay-apply.log"
  check "kubectl apply -k k8s/overlays/$overlay: applied" grep -q 'statefulset.apps/kafka.* created' "$OUT/$overlay-apply.log"
  for _ in $(seq 120); do
    [ "$(kk get pods -l app=kafka -o name 2>/dev/null | wc -l)" -ge $# ] && break; sleep 1
  done
  if ! kk wait --for=condition=Ready "${@/#/pod/}" --timeout=300s >/dev/null; then
    kk get pods -o wide
    for p in "$@"; do kk logs "$p" -c kafka --tail 40 || true; done
  fi
  check "$overlay: $# cp-kafka 7.9.6 pods Ready (probe --ready) $(( $(date +%s) - start ))s after the apply" \
    kk wait --for=condition=Ready "${@/#/pod/}" --timeout=1s
}

# cp_pod POD NODE_ID: the image's scripts ran in POD, as its user, and what
# they wrote is the plan; the volume is the image's user's, formatted with
# the Secret's cluster id and the pod's node id.
cp_pod() {
  local p=$1 id=$2 log=$OUT/logs/confluent.$1.log cid owner meta
  kk logs "$p" -c kafka > "$log"
  # run, configure, ensure and launch, in order, as their own echo lines say.
  check "$p: the image's own scripts ran: run, configure (KRaft), ensure (format), launch" \
    python3 - "$log" <<'PY'
import sys
text = open(sys.argv[1]).read()
marks = ["===> User", "===> Configuring ...", "Running in KRaft mode...",
         "===> Running preflight checks ... ", "===> Using provided cluster id",
         "===> Launching ... ", "===> Launching kafka ... "]
at = [text.find(m) for m in marks]
sys.exit(0 if all(a >= 0 for a in at) and at == sorted(at) else 1)
PY
  check "$p: the image's user ran it (uid=1000(appuser))" grep -q 'uid=1000(appuser)' "$log"
  check "$p: Kafka 3.9.0 started (KafkaRaftServer)" grep -q '\[KafkaRaftServer nodeId=[0-9]*\] Kafka Server started' "$log"
  # What dub's template wrote, against the plan in the same container.
  kk exec "$p" -c kafka -- cat /etc/kafka/kafka.properties > "$OUT/confluent.$p.written"
  kk exec "$p" -c kafka -- /kafka-init/kafka-init plan --offline --format properties > "$OUT/confluent.$p.plan" 2>/dev/null
  check "$p: /etc/kafka/kafka.properties, as the image's dub wrote it, equals kafka-init's plan key by key" \
    python3 - "$OUT/confluent.$p.written" "$OUT/confluent.$p.plan" <<'PY'
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
  check "$p: node.id $id ($(grep '^process.roles=' "$OUT/confluent.$p.written"))" grep -qx "node.id=$id" "$OUT/confluent.$p.written"
  owner=$(kk exec "$p" -c kafka -- stat -c '%u:%g' /var/lib/kafka/data)
  check "$p: the data volume is the image's user's (1000:1000, prepare; it was root's)" [ "$owner" = 1000:1000 ]
  cid=$(kk get secret kafka-cluster-id -o jsonpath='{.data.cluster-id}' | base64 -d)
  meta=$(kk exec "$p" -c kafka -- cat /var/lib/kafka/data/meta.properties)
  check "$p: the volume was formatted by the image's ensure with the Secret's cluster id and node.id $id" \
    bash -c 'grep -qx "cluster.id=$2" <<<"$1" && grep -qx "node.id=$3" <<<"$1"' _ "$meta" "$cid" "$id"
}

# cp_works CLIENT_POD BOOTSTRAP READ_FROM: one quorum whose voters are node
# ids 0 1 2, and 30 messages acknowledged with acks=all at replication
# factor 3, read back through READ_FROM.
cp_tool() { kk exec "$1" -c kafka -- env KAFKA_HEAP_OPTS=-Xmx128m "${@:2}"; }
cp_works() {
  local quorum voters acked consumed
  quorum=$(cp_tool "$1" kafka-metadata-quorum --bootstrap-server "$2" describe --status 2>/dev/null)
  say "$(grep -E 'LeaderId' <<<"$quorum" | tr -s ' \t' ' ')"
  voters=$(grep '^CurrentVoters:' <<<"$quorum" | grep -o '"id": [0-9]*' | grep -o '[0-9]*' | sort | tr '\n' ' ')
  check "one quorum, its voters node ids 0 1 2 ($voters)" [ "$voters" = "0 1 2 " ]
  cp_tool "$1" kafka-topics --bootstrap-server "$2" --create --topic cp-check --partitions 3 --replication-factor 3 >/dev/null 2>&1
  cp_tool "$1" kafka-verifiable-producer --bootstrap-server "$2" --topic cp-check --max-messages 30 --acks -1 \
    > "$OUT/confluent.$1.produced" 2>/dev/null
  acked=$(grep -c '"name":"producer_send_success"' "$OUT/confluent.$1.produced" || true)
  consumed=$(cp_tool "$1" kafka-console-consumer --bootstrap-server "$3" --topic cp-check \
    --from-beginning --max-messages 30 --timeout-ms 20000 2>/dev/null | wc -l)
  say "cp-check (replication factor 3): acknowledged $acked of 30 (acks=all), read back $consumed through $3"
  check "the cluster works: 30 messages acknowledged with acks=all at replication factor 3, all 30 read back" [ "$acked" = 30 -a "$consumed" = 30 ]
}

cp_up confluent-kraft kafka-0 kafka-1 kafka-2
for i in 0 1 2; do cp_pod "kafka-$i" "$i"; done
cp_works kafka-0 localhost:9092 kafka-2.kafka.kafka.svc.cluster.local:9092

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
