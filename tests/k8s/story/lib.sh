# shellcheck shell=bash disable=SC2034
# What the story's scripts share: where the run's files go, kubectl for each
# namespace, the message counters of tests/e2e, and the pod timeline.
set -euo pipefail
STORY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$STORY/../../.." && pwd)
OUT=${K8S_OUT:?K8S_OUT: the run directory (tests/k8s/run.sh sets it)}
# shellcheck source=tests/e2e/counters.sh
. "$REPO/tests/e2e/counters.sh"
kk() { kubectl -n kafka "$@"; }
say() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
# check "what" CMD...: prints PASS/FAIL with the what; a FAIL ends the script.
check() {
  local what=$1; shift
  if "$@"; then printf 'PASS  %s\n' "$what"; else printf 'FAIL  %s\n' "$what"; exit 1; fi
}
# zk_ls PATH: a znode's children, from ZooKeeper's own CLI in the zk pod.
zk_ls() {
  kubectl -n zk exec zk-0 -- env KAFKA_HEAP_OPTS=-Xmx64m /opt/bitnami/kafka/bin/kafka-run-class.sh \
    org.apache.zookeeper.ZooKeeperMain -server localhost:32181 ls "$1" 2>/dev/null | grep '^\[' | tail -1
}
# A running client pod's tool: kafka_tool NAME ARGS... (Kafka's own tools in the broker image).
kafka_tool() { kk exec client -- env KAFKA_HEAP_OPTS=-Xmx128m "/opt/bitnami/kafka/bin/$1.sh" "${@:2}"; }
BOOTSTRAP=kafka.kafka.svc.cluster.local:39092
