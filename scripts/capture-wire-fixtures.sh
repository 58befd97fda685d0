#!/usr/bin/env bash
# Captures the wire fixtures of tests/fixtures/wire/: for each Kafka version,
# starts a single-node KRaft Kafka on loopback, creates a topic, and runs three
# clients through a recording proxy (scripts/wire-proxy.py): kafka-init's own
# probe, kcat -L, and Kafka's BrokerApiVersionsCommand. Every frame both ways
# is saved as it was on the wire. Needs java, python3, kcat and the jars of
# scripts/fetch-kafka.sh; KAFKA_INIT names the kafka-init binary to record
# (default target/debug/kafka-init).
# Usage: scripts/capture-wire-fixtures.sh [VERSION...]   (default 3.9.0 4.4.0)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
kafka_init=${KAFKA_INIT:-$root/target/debug/kafka-init}
out=$root/tests/fixtures/wire
work=$(mktemp -d /tmp/kafka-init-capture.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# record NAME PORT UPSTREAM CMD...: runs CMD against a proxy on PORT, keeps its frames in $dest/NAME.
# CAPTURE_ONLY=NAME records only that client (the others' files stay as they are).
record() {
  local name=$1 port=$2 upstream=$3; shift 3
  if [ -n "${CAPTURE_ONLY:-}" ] && [ "$CAPTURE_ONLY" != "$name" ]; then return; fi
  rm -rf "${dest:?}/$name"
  python3 scripts/wire-proxy.py "$port" "$upstream" "$dest/$name" & local proxy=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  "$@" > "$work/$name.out" 2>&1 || echo "  ($name exited $?; see $work/$name.out)"
  sleep 0.5 # let the proxy write the last response
  kill "$proxy"; wait "$proxy" 2>/dev/null || true
  echo "  $name: $(ls "$dest/$name" | wc -l) frames"
}

# kafka-init's own view of this node: pod kafka-1 of statefulset kafka -> node.id 1.
probe() { # probe LISTENERS ROLE ARGS...
  local listeners=$1 role=$2; shift 2
  env -i PATH="$PATH" POD_NAME=kafka-1 POD_NAMESPACE=default KAFKA_INIT_MODE=kraft \
    KAFKA_INIT_ROLE="$role" KAFKA_INIT_CLUSTER_ID=a2Fma2EtaW5pdC13aXJlIQ \
    KAFKA_CFG_CONTROLLER_QUORUM_VOTERS="1@127.0.0.1:$ctrl_proxy" \
    KAFKA_CFG_LISTENERS="$listeners" "$kafka_init" probe --timeout 5s "$@"
}

# The audit's answers: brokers default to min.insync.replicas=2 and
# default.replication.factor=3, which the single node's topics (factor 1) are
# below; topic kept-at-one overrides min.insync.replicas=1.
export KAFKA_EXTRA_PROPERTIES=$'min.insync.replicas=2\ndefault.replication.factor=3'

port=19092
for version in "${@:-3.9.0 4.4.0}"; do
  for version in $version; do
    echo "kafka $version"
    libs="target/kafka/$version/libs/*"
    pid=$(scripts/kafka-single-node.sh "$version" "$work/$version" "$port"); pids+=("$pid")
    java -cp "$libs" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" \
      --create --topic probe-fixture --partitions 2 --replication-factor 1 > "$work/topic.log" 2>&1
    java -cp "$libs" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" \
      --create --topic kept-at-one --partitions 1 --replication-factor 1 \
      --config min.insync.replicas=1 >> "$work/topic.log" 2>&1
    dest=$out/$version; mkdir -p "$dest"
    proxy=$((port + 10)) ctrl_proxy=$((port + 11))
    record kafka-init-probe-ready "$proxy" "127.0.0.1:$port" \
      probe "PLAINTEXT://127.0.0.1:$proxy,CONTROLLER://127.0.0.1:$ctrl_proxy" combined --ready
    record kafka-init-probe-controller "$ctrl_proxy" "127.0.0.1:$((port + 1))" \
      probe "CONTROLLER://127.0.0.1:$ctrl_proxy" controller --ready
    record kcat "$proxy" "127.0.0.1:$port" kcat -b "127.0.0.1:$proxy" -L
    case "$version" in 3.*) tool=kafka.admin.BrokerApiVersionsCommand ;; *) tool=org.apache.kafka.tools.BrokerApiVersionsCommand ;; esac
    record jvm-broker-api-versions "$proxy" "127.0.0.1:$port" \
      java -cp "$libs" "$tool" --bootstrap-server "127.0.0.1:$proxy"
    record kafka-init-audit "$proxy" "127.0.0.1:$port" \
      env -i PATH="$PATH" "$kafka_init" audit --bootstrap "127.0.0.1:$proxy" --format json
    kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    port=$((port + 100))
  done
done
echo "fixtures in $out (logs in $work)"
