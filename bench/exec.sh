#!/usr/bin/env bash
# Benchmark: start-up cost of `kafka-init exec -- /bin/true` against the seed
# deployment's busybox initContainer snippet plus its `. /tmp/kafka_env.sh`
# wrapper shell, side by side in one hyperfine run; prints the ratio and the
# size of the static binary. Not a test: no thresholds, just figures.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(scripts/build-static.sh)
command -v hyperfine >/dev/null || { echo "hyperfine is missing: scripts/install-deps.sh installs it" >&2; exit 1; }
bb=$(command -v busybox)

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# The seed's initContainer (ka-ss.yaml), with its paths moved into $work.
cat > "$work/init.sh" <<SNIPPET
HOSTNAME=\$(hostname)
BROKER_ID=\$(echo \$HOSTNAME | awk -F'-' '{print \$NF}')
echo \$BROKER_ID > $work/broker_id
ADVERTISED_LISTENERS="PLAINTEXT_INTERNAL://\$HOSTNAME.kafka:39092"
echo "export KAFKA_ADVERTISED_LISTENERS=\$ADVERTISED_LISTENERS" > $work/kafka_env.sh
SNIPPET
mkdir -p "$work/bin"; for a in sh hostname awk; do ln -sf "$bb" "$work/bin/$a"; done

export POD_NAME=kafka-2 POD_NAMESPACE=kafka ALLOW_PLAINTEXT_LISTENER=yes \
  KAFKA_ZOOKEEPER_CONNECT=zk-service.zk:32181 KAFKA_LISTENERS=PLAINTEXT_INTERNAL://:39092 \
  KAFKA_INTER_BROKER_LISTENER_NAME=PLAINTEXT_INTERNAL KAFKA_INIT_REPLICAS=3

seed="PATH=$work/bin $bb sh $work/init.sh && $bb sh -c '. $work/kafka_env.sh; /bin/true'"
ours="$bin exec -- /bin/true"
hyperfine -N --warmup 20 --runs 300 --export-json "$work/h.json" \
  -n seed-busybox-init+wrapper "$bb sh -c \"$seed\"" \
  -n kafka-init-exec "$ours" >&2
python3 - "$work/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
s, k = r["seed-busybox-init+wrapper"], r["kafka-init-exec"]
print(f"seed busybox init + wrapper: {s['mean']*1e3:.3f} ms (user {s['user']*1e3:.3f}, sys {s['system']*1e3:.3f})")
print(f"kafka-init exec:             {k['mean']*1e3:.3f} ms (user {k['user']*1e3:.3f}, sys {k['system']*1e3:.3f})")
print(f"ratio (seed / kafka-init):   {s['mean']/k['mean']:.1f}x wall")
PY
size=$(stat -c %s "$bin")
echo "static binary: $bin, $size bytes ($(awk "BEGIN{printf \"%.2f\", $size/1048576}") MiB), $(file -b "$bin" | cut -d, -f1-2)"
