#!/usr/bin/env bash
# End-to-end, access from outside the cluster (issue 6): ZooKeeper mode, Kafka
# 3.9.0, three pods kafka-0..2 with the env of k8s/overlays/external (HOST_IP =
# the bridge's address in the root namespace, 10.231.0.1, as the node's IP).
# The overlay's NodePort Services kafka-external-N (31090+N -> pod kafka-N:9094)
# are modelled as kube-proxy programs them for traffic from the node itself:
# iptables DNAT in the root namespace's nat OUTPUT chain (chain KIE-NODEPORT,
# removed on exit). Proves: a client in the root namespace, which resolves no
# pod name, bootstraps from 10.231.0.1:31090, sees every broker at
# 10.231.0.1:3109N (each broker advertises EXTERNAL://<HOST_IP>:31090+ordinal),
# and produces to (acks=all) and consumes from a partition led by each broker.
# Ends with `N passed, N failed`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

VERSION=${KAFKA_VERSION:-3.9.0}
HOST_IP=$E2E_NET.1
EXT="$HOST_IP:31090"
CHAIN=KIE-NODEPORT
T_START=$(date +%s)

nodeport_remove() {
  iptables -t nat -D OUTPUT -d "$HOST_IP/32" -p tcp -j "$CHAIN" 2>/dev/null || true
  iptables -t nat -F "$CHAIN" 2>/dev/null || true
  iptables -t nat -X "$CHAIN" 2>/dev/null || true
}
# nodeport_add ORDINAL...: node port 31090+N -> pod kafka-N's EXTERNAL listener (9094).
nodeport_add() {
  local i
  nodeport_remove
  iptables -t nat -N "$CHAIN"
  iptables -t nat -A OUTPUT -d "$HOST_IP/32" -p tcp -j "$CHAIN"
  for i in "$@"; do
    iptables -t nat -A "$CHAIN" -p tcp --dport $((31090 + i)) -j DNAT --to-destination "${E2E_IP[kafka-$i]}:9094"
  done
}
# The DNAT rules go with the run, whatever its end; e2e_teardown keeps the exit code.
external_teardown() { local rc=$?; nodeport_remove; (exit "$rc"); e2e_teardown; }

e2e_init external "$VERSION"
trap external_teardown EXIT
T_NET=$(date +%s)
E2E_HOST_IP=$HOST_IP   # what pod-env.sh gives status.hostIP
e2e_zookeeper
for i in 0 1 2; do e2e_pod "kafka-$i" kafka kafka external; done
e2e_hosts
e2e_zookeeper_start
BOOTSTRAP="${E2E_FQDN[kafka-0]}:39092,${E2E_FQDN[kafka-1]}:39092"
for i in 0 1 2; do e2e_pod_start "kafka-$i"; done
for i in 0 1 2; do wait_for 120 "kafka-$i started" e2e_broker_started "kafka-$i" || true; done
T_UP=$(( $(date +%s) - T_NET ))
nodeport_add 0 1 2
iptables -t nat -S "$CHAIN" | sed 's/^/      /'

for i in 0 1 2; do
  check "kafka-$i advertises EXTERNAL://$HOST_IP:$((31090 + i))" \
    grep -q -E "^advertised.listeners=.*EXTERNAL://$HOST_IP:$((31090 + i))(,|$)" "$E2E_RUN/pods/kafka-$i/config/server.properties"
done

# From here the client is this shell: the root namespace, whose /etc/hosts names no pod.
OUT="$E2E_RUN/external"
ext_meta() { kcat -b "$EXT" -m 10 -L -J "$@" 2>/dev/null; }
check "the root namespace resolves no pod name" bash -c '! getent hosts "$1" >/dev/null' bash "${E2E_FQDN[kafka-0]}"
wait_for 30 "metadata through $EXT" ext_meta || true
ext_meta | jq -r '.brokers[] | "\(.id) \(.name)"' | sort -n > "$OUT.brokers" || true
sed 's/^/      /' "$OUT.brokers"
check "bootstrap from $EXT lists every broker at $HOST_IP:31090+ordinal" \
  diff <(printf '%s\n' "0 $HOST_IP:31090" "1 $HOST_IP:31091" "2 $HOST_IP:31092") "$OUT.brokers"

create_topic e2e-external >/dev/null
in_sync() { [ "$(ext_meta -t e2e-external | jq '[.topics[0].partitions[] | .isrs | length] | (length == 3 and min == 3)')" = true ]; }
wait_for 60 "e2e-external fully in sync" in_sync || true
ext_meta -t e2e-external | jq -r '.topics[0].partitions[] | "\(.partition) \(.leader)"' | sort -n > "$OUT.leaders" || true
check "a partition led by every broker ($(awk '{printf "p%s:%s ", $1, $2}' "$OUT.leaders")= partition:leader)" \
  [ "$(cut -d' ' -f2 "$OUT.leaders" | sort -u | tr '\n' ' ')" = "0 1 2 " ]

t0=$(e2e_ms)
for p in 0 1 2; do
  seq 1 1000 | sed "s/^/p$p-/" | kcat -P -b "$EXT" -t e2e-external -p "$p" -X acks=all 2>>"$OUT.produce.err" || true
done
P_MS=$(( $(e2e_ms) - t0 ))
kcat -C -b "$EXT" -t e2e-external -o beginning -e -q -f '%p %s\n' > "$OUT.consumed" 2>"$OUT.consume.err" || true
for p in 0 1 2; do
  check "partition $p (leader $(awk -v p="$p" '$1 == p {print $2}' "$OUT.leaders")): 1000 messages produced and consumed back through the NodePorts" \
    bash -c 'diff <(seq 1 1000 | sed "s/^/$1 p$1-/") <(grep "^$1 " "$2")' bash "$p" "$OUT.consumed"
done
check "no delivery error reported by kcat" bash -c '! grep -q -i error "$1"' bash "$OUT.produce.err"

echo
echo "external on Kafka $VERSION: 3 brokers up ${T_UP}s after the network; 3 x 1000 messages produced from the root namespace in ${P_MS} ms (acks=all), consumed $(wc -l < "$OUT.consumed"); total run $(( $(date +%s) - T_START ))s"
e2e_summary
