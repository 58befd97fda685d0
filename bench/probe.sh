#!/usr/bin/env bash
# Benchmarks `kafka-init probe` against the peers a Kafka pod could use as a
# probe — Kafka's own BrokerApiVersionsCommand (a JVM) and `kcat -L` — side by
# side, in one run, against one real single-node KRaft broker on loopback.
# Prints CPU (user+sys of the probe process and its children) and wall time
# per probe, and the ratios to kafka-init's liveness probe.
# Usage: bench/probe.sh [KAFKA_VERSION] (default 4.4.0); env N (kafka-init and
# kcat runs, default 200), N_JVM (default 5), KAFKA_INIT (default
# target/release/kafka-init; build it with cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-4.4.0} n=${N:-200} n_jvm=${N_JVM:-5}
kafka_init=$(readlink -f "${KAFKA_INIT:-target/release/kafka-init}")
[ -x "$kafka_init" ] || { echo "no $kafka_init: cargo build --release" >&2; exit 1; }
work=$(mktemp -d /tmp/kafka-init-bench.XXXXXX)
port=19392
pid=$(scripts/kafka-single-node.sh "$version" "$work" "$port")
trap 'kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; rm -rf "$work"' EXIT
case "$version" in 3.*) tool=kafka.admin.BrokerApiVersionsCommand ;; *) tool=org.apache.kafka.tools.BrokerApiVersionsCommand ;; esac
export POD_NAME=kafka-1 POD_NAMESPACE=default KAFKA_INIT_MODE=kraft KAFKA_INIT_ROLE=combined \
  KAFKA_INIT_CLUSTER_ID=a2Fma2EtaW5pdC13aXJlIQ KAFKA_INIT_LOG=warn \
  KAFKA_CFG_CONTROLLER_QUORUM_VOTERS="1@127.0.0.1:$((port + 1))" \
  KAFKA_CFG_LISTENERS="PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))"
"$kafka_init" probe --ready --timeout 30s || { echo "the broker is not ready" >&2; exit 1; }

# Each run is timed alone: wall time around the process, CPU from the
# kernel's accounting of the children (getrusage RUSAGE_CHILDREN), so the
# harness's own CPU is not counted. Every run must succeed.
python3 - "$n" "$n_jvm" "$kafka_init" "$port" "$version" "$tool" <<'PY'
import resource, subprocess, sys, time
n, n_jvm, kafka_init, port, version, tool = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:]
libs = "target/kafka/%s/libs/*" % version
peers = [
    ("kafka-init probe", n, [kafka_init, "probe"]),
    ("(spawn cost: /bin/true)", n, ["/bin/true"]),
    ("kafka-init probe --ready", n, [kafka_init, "probe", "--ready"]),
    ("kcat -L", n, ["kcat", "-b", "127.0.0.1:" + port, "-L"]),
    ("BrokerApiVersionsCommand (JVM)", n_jvm,
     ["java", "-cp", libs, tool, "--bootstrap-server", "127.0.0.1:" + port]),
]
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
results = []
for name, runs, cmd in peers:
    for _ in range(min(runs, 20)):  # warm the page cache and the broker's JIT
        subprocess.run(cmd, check=True, capture_output=True)
    c0, w = cpu(), 0.0
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        w += time.perf_counter() - t
    results.append((name, runs, (cpu() - c0) / runs * 1000, w / runs * 1000))
base_cpu, base_wall = results[0][2], results[0][3]
print("Kafka %s, one broker on loopback" % version)
print("%-32s %5s %14s %14s %10s %10s" % ("probe", "runs", "CPU ms/probe", "wall ms/probe", "CPU ×", "wall ×"))
for name, runs, c, w in results:
    print("%-32s %5d %14.3f %14.3f %10.1f %10.1f" % (name, runs, c, w, c / base_cpu, w / base_wall))
PY
