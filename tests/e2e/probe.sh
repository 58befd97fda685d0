#!/usr/bin/env bash
# End-to-end, `kafka-init probe` against three real brokers (ZooKeeper mode,
# Kafka 3.9.0, pods kafka-0..2 from k8s/overlays/zookeeper, run through
# `kafka-init exec` by tests/e2e/lib.sh). Proves: both probes fail before the
# broker starts; --ready passes once the broker is registered and in sync;
# both fail after kill -9; a broker restarted after missing writes is live
# before it is ready, and ready only once back in every ISR; a rolling restart
# of all three brokers paced only by --ready loses no acknowledged message.
# Needs root (network namespaces). Ends with `N passed, N failed`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

VERSION=${KAFKA_VERSION:-3.9.0}
PORT=39092
BOOTSTRAP="kafka.kafka.svc.cluster.local:$PORT"

e2e_init probe "$VERSION"
e2e_zookeeper
for i in 0 1 2; do e2e_pod "kafka-$i" kafka kafka zookeeper; done
e2e_hosts
e2e_zookeeper_start

# probe POD ARGS...: `kafka-init probe` in the pod's namespace with the pod's
# env (the env file of its last start), as the kubelet would exec it.
probe() {
  local name=$1; shift
  kafka_init_in "$name" probe "$@" 2>>"$E2E_RUN/logs/$name.probe.log"
}
fails() { ! "$@"; }
in_every_isr() { # in_every_isr ID TOPIC: ID is in the ISR of every partition it hosts
  kcat_meta "$BOOTSTRAP" "$2" | jq -e --argjson id "$1" \
    '[.topics[0].partitions[] | select(.replicas | map(.id) | index($id)) | (.isrs | map(.id) | index($id))] | all(. != null)' >/dev/null
}
e2e_producer_config
# stop POD: SIGTERM, as the kubelet does in a rolling update, and wait for exit.
stop() { kill -TERM "${E2E_PID[$1]}"; wait_for 60 "$1 stopped" bash -c '! kill -0 "$1"' bash "${E2E_PID[$1]}"; }

# ---- 1. before the broker starts ---------------------------------------------
e2e_env_file kafka-0 > /dev/null
check "liveness fails before kafka-0 starts" fails probe kafka-0
check "--ready fails before kafka-0 starts" fails probe kafka-0 --ready
echo "      kafka-init said: $(tail -1 "$E2E_RUN/logs/kafka-0.probe.log")"

# ---- 2. start: ready once registered and in sync -------------------------------
for i in 0 1 2; do e2e_pod_start "kafka-$i"; done
for i in 0 1 2; do
  t0=$(e2e_ms)
  check "kafka-$i --ready passes within 120 s of start" wait_for 120 "kafka-$i ready" probe "kafka-$i" --ready
  echo "      ready after $(( $(e2e_ms) - t0 )) ms of polling"
done
check "liveness passes on kafka-0" probe kafka-0
kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic e2e-probe \
  --partitions 6 --replication-factor 3 --config min.insync.replicas=2 >/dev/null

# ---- 3. kill -9, writes missed, restart: live before ready, ready only in sync --
e2e_pod_kill kafka-2
check "liveness fails after kill -9 of kafka-2" fails probe kafka-2
check "--ready fails after kill -9 of kafka-2" fails probe kafka-2 --ready
produce e2e-probe "$E2E_RUN/missed.produced" --max-messages 200000 --throughput -1 --value-prefix 7 || true
e2e_log "kafka-2 missed $(acked "$E2E_RUN/missed.produced" | wc -l) acknowledged messages"
e2e_pod_start kafka-2
SAMPLES="$E2E_RUN/restart-samples.txt"; : > "$SAMPLES"
deadline=$(( $(date +%s) + 180 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  live=0; probe kafka-2 && live=1
  ready=0; probe kafka-2 --ready && ready=1
  echo "$(e2e_ms) live=$live ready=$ready" >> "$SAMPLES"
  [ "$ready" = 1 ] && break
  sleep 0.05
done
check "kafka-2 is ready again within 180 s" grep -q 'ready=1' "$SAMPLES"
check "kafka-2 was live but not yet ready for a while (catching up)" grep -q 'live=1 ready=0' "$SAMPLES"
check "when --ready passed, kafka-2 was in every ISR it hosts (kcat)" in_every_isr 2 e2e-probe
echo "      samples: $(grep -c . "$SAMPLES"), live-not-ready: $(grep -c 'live=1 ready=0' "$SAMPLES" || true)"

# ---- 4. a rolling restart driven only by --ready loses nothing ---------------
produce e2e-probe "$E2E_RUN/rolling.produced" --max-messages 30000 --throughput 300 &
PRODUCER=$!
# The smallest ISR of any partition, sampled all through the restart: acks=all
# producers fail (NotEnoughReplicas) whenever it drops below min.insync.replicas.
( while :; do isr_sizes e2e-probe; echo; sleep 0.5; done ) > "$E2E_RUN/rolling.isr" 2>/dev/null &
SAMPLER=$!
sleep 5
for i in 2 1 0; do
  stop "kafka-$i"
  e2e_pod_start "kafka-$i"
  t0=$(e2e_ms)
  check "rolling: kafka-$i ready again" wait_for 180 "kafka-$i ready" probe "kafka-$i" --ready
  e2e_log "kafka-$i ready after $(( $(e2e_ms) - t0 )) ms"
done
wait "$PRODUCER" || true
kill "$SAMPLER" 2>/dev/null || true
MIN_ISR=$(tr ' ' '\n' < "$E2E_RUN/rolling.isr" | grep -E '^[0-9]+$' | sort -n | head -1)
SAMPLES_ISR=$(grep -c . "$E2E_RUN/rolling.isr" || true)
echo "      rolling restart: smallest ISR seen in $SAMPLES_ISR samples: ${MIN_ISR:-none} (min.insync.replicas=2)"
check "rolling restart: no partition ever below min.insync.replicas=2 (smallest ISR ${MIN_ISR:-none})" [ "${MIN_ISR:-0}" -ge 2 ]
consume e2e-probe "$E2E_RUN/rolling.consumed"
R_ACKED=$(acked "$E2E_RUN/rolling.produced" | wc -l)
R_LOST=$(lost "$E2E_RUN/rolling.produced" "$E2E_RUN/rolling.consumed")
echo "      rolling restart: acknowledged $R_ACKED, lost $R_LOST"
check "rolling restart: producer acknowledged messages throughout ($R_ACKED)" [ "$R_ACKED" -gt 1000 ]
check "rolling restart: no acknowledged message lost ($R_LOST)" [ "$R_LOST" -eq 0 ]

e2e_summary
